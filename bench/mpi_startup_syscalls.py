#!/usr/bin/env python3
"""`from mpi4py import MPI` in python-static against MPI_Init in a static C program, same MPICH.

Both run as a singleton (no mpiexec) and as the ranks of `mpiexec -n 2`, each rank traced on
its own (`strace -ff`); a call counts when it names a path outside /proc, /dev, /sys and /etc,
as bench/startup_syscalls.py counts them. The C program is the build's own
BUILD_DIR/mpi/mpich-gnu/mpi-init-static (MPI_Init, rank and size, MPI_Finalize).

Usage (after `scons MODULES=mpi4py`): bench/mpi_startup_syscalls.py [--build-dir build]
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from slither.inspect.audit import counts_against_startup, parse_strace, trace_file_calls  # noqa: E402


def summarize(calls) -> dict:
    counted = [call for call in calls if counts_against_startup(call)]
    return {"all": len(calls), "counted": len(counted), "failed": sum(c.failed for c in counted),
            "paths": sorted({c.path for c in counted})}


def under_mpiexec(mpiexec: Path, command: list[str], scratch: Path, ranks: int) -> list[dict]:
    traces = Path(tempfile.mkdtemp(dir=scratch))
    result = subprocess.run([str(mpiexec), "-n", str(ranks), "strace", "-qq", "-ff", "-e", "trace=%file",
                             "-o", str(traces / "rank"), *command], cwd=scratch,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} under mpiexec failed: {result.stderr.strip()[-300:]}")
    return [summarize(parse_strace(path.read_text().splitlines())) for path in sorted(traces.iterdir())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default="build")
    args = parser.parse_args()
    build = Path(args.build_dir).resolve()
    binary = build / "bin" / "python-static"
    c_program = build / "mpi" / "mpich-gnu" / "mpi-init-static"
    mpiexec = build / "libraries" / "mpich-4.0.2-gnu" / "prefix" / "bin" / "mpiexec"
    contenders = {"static C: MPI_Init/MPI_Finalize": [str(c_program)],
                  "python-static: from mpi4py import MPI": [str(binary), "-c", "from mpi4py import MPI"]}
    print("| start | program | file syscalls (all) | outside node-local | of which failed | paths outside |")
    print("|---|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for name, command in contenders.items():
            result, calls = trace_file_calls(command, cwd=scratch)
            if result.returncode != 0:
                raise SystemExit(f"{name} failed: {result.stderr.strip()[-300:]}")
            row = summarize(calls)
            print(f"| singleton | {name} | {row['all']} | {row['counted']} | {row['failed']} | "
                  f"{', '.join(row['paths']) or '-'} |")
        for name, command in contenders.items():
            for rank, row in enumerate(under_mpiexec(mpiexec, command, Path(scratch), 2)):
                print(f"| mpiexec -n 2, process {rank} | {name} | {row['all']} | {row['counted']} | "
                      f"{row['failed']} | {', '.join(row['paths']) or '-'} |")


if __name__ == "__main__":
    main()
