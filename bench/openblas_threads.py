#!/usr/bin/env python3
"""What OpenBLAS's threads cost at start-up: the host's unpatched OpenBLAS beside Slither's.

Every contender is a static program that links OpenBLAS and runs side by side in one run:

* `c-host`: a small C probe linked -static against the host's libopenblas.a (Debian's 0.3.21
  pthreads build, unpatched: what numpy linked before OpenBLAS was built from source);
* `c-slither`: the same probe against the libopenblas.a of the openblas recipe (patched: the pool
  starts at the first threaded call; the default divides the node's cores between its ranks);
* optionally python-static binaries (`--binary NAME=PATH`, e.g. before=a main binary with the host
  archive, after=one with the recipe's) and stock CPython (`--stock`), running `-c pass`.

For each: threads of the process at main (C probe) or at the end of a start that imports
nothing (python); for a python, after `import numpy`; threads after one 256x256 dgemm; CPU time (user+sys, from wait4's rusage of the child) of one start
that makes no BLAS call, the median of --runs; and the same start run by --ranks processes at
once with MPI_LOCALNRANKS=<ranks> (what Hydra sets when it starts that many on one node): CPU
per rank and threads per rank. The machine's core count is printed with the table: on a
2-core machine OpenBLAS's pool is one thread, so the thread figures of a large node are
computed from what the code does (cores-1 per rank before, none at start after).

    bench/openblas_threads.py --openblas PREFIX [--binary NAME=PATH ...] [--stock PYTHON]
                              [--runs 21] [--ranks 64] [--output bench/results/openblas_threads.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOST_ARCHIVE = "/usr/lib/x86_64-linux-gnu/libopenblas.a"

PROBE = r"""
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
void dgemm_(const char *, const char *, const int *, const int *, const int *, const double *,
            const double *, const int *, const double *, const int *, const double *, double *, const int *);
static int threads(void) {
  int n = 0; struct dirent *e; DIR *d = opendir("/proc/self/task");
  while ((e = readdir(d)) != NULL) if (e->d_name[0] != '.') n++;
  closedir(d); return n;
}
int main(int argc, char **argv) {
  int at_main = threads();
  if (argc > 1 && strcmp(argv[1], "dgemm") == 0) {
    int n = 256; double one = 1.0, zero = 0.0;
    double *a = calloc(n * n, sizeof *a), *b = calloc(n * n, sizeof *b), *c = calloc(n * n, sizeof *c);
    dgemm_("N", "N", &n, &n, &n, &one, a, &n, b, &n, &zero, c, &n);
    printf("%d %d\n", at_main, threads());
  } else printf("%d\n", at_main);
  return 0;
}
"""


COUNT_THREADS = "import os; print(len(os.listdir('/proc/self/task')))"
IMPORT_NUMPY_THEN_DGEMM = ("import os, numpy; n = len(os.listdir('/proc/self/task')); a = numpy.ones((256, 256)); "
                           "a @ a; print(n, len(os.listdir('/proc/self/task')))")


def build_probe(archive: str, directory: Path, name: str) -> Path:
    source = directory / "probe.c"
    source.write_text(PROBE)
    output = directory / name
    subprocess.run(["gcc", "-O2", "-static", "-o", str(output), str(source), archive, "-lgfortran", "-lm",
                    "-lpthread"], check=True)
    return output


def clean_environment(**extra) -> dict:
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("OPENBLAS_", "GOTO_", "OMP_", "SLURM_", "OMPI_", "PALS_", "MPI_LOCAL"))}
    return {**environment, **extra}


def run_once(command, environment) -> tuple[float, str]:
    """(user+sys seconds of the child, its stdout)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        os.dup2(write, 1)
        os.execve(command[0], command, environment)
    os.close(write)
    with os.fdopen(read) as stream:
        out = stream.read()
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        raise SystemExit(f"{command}: exit status {status}")
    return usage.ru_utime + usage.ru_stime, out


def median_cpu(command, environment, runs: int) -> float:
    return statistics.median(run_once(command, environment)[0] for _ in range(runs))


def ranks_at_once(command, environment, ranks: int) -> tuple[float, float]:
    """CPU seconds per rank (median) and wall seconds when `ranks` copies start together."""
    started = time.perf_counter()
    pids = []
    for _ in range(ranks):
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.execve(command[0], command, environment)
        pids.append(pid)
    cpus = []
    for pid in pids:
        _, status, usage = os.wait4(pid, 0)
        if status != 0:
            raise SystemExit(f"{command}: exit status {status}")
        cpus.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(cpus), time.perf_counter() - started


def measure(name: str, command: list[str], kind: str, runs: int, ranks: int) -> dict:
    row = {"contender": name, "kind": kind}
    if kind == "probe":
        row["threads_at_main"] = int(run_once(command, clean_environment())[1].split()[0])
        row["threads_after_dgemm"] = int(run_once([*command, "dgemm"], clean_environment())[1].split()[1])
        row["threads_at_main_4_ranks"] = int(run_once(command, clean_environment(MPI_LOCALNRANKS="4"))[1].split()[0])
    else:  # a Python: its threads at the end of a start that imports nothing, then numpy, then a dgemm
        row["threads_at_main"] = int(run_once([*command[:-2], "-c", COUNT_THREADS], clean_environment())[1])
        row["threads_at_main_4_ranks"] = int(run_once([*command[:-2], "-c", COUNT_THREADS],
                                                      clean_environment(MPI_LOCALNRANKS="4"))[1])
        has_numpy = subprocess.run([*command[:-2], "-c", "import numpy"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL).returncode == 0
        if has_numpy:  # a Python without numpy (the stock one) has no such figures
            imported = run_once([*command[:-2], "-c", IMPORT_NUMPY_THEN_DGEMM], clean_environment())[1].split()
            row["threads_after_import_numpy"], row["threads_after_dgemm"] = int(imported[0]), int(imported[1])
    row["cpu_ms_start"] = 1000 * median_cpu(command, clean_environment(), runs)
    per_rank, wall = ranks_at_once(command, clean_environment(MPI_LOCALNRANKS=str(ranks)), ranks)
    row[f"cpu_ms_per_rank_{ranks}_at_once"] = 1000 * per_rank
    row[f"wall_s_{ranks}_at_once"] = wall
    return row


def table(rows: list[dict], ranks: int) -> str:
    columns = ["contender", "threads_at_main", "threads_after_import_numpy", "threads_after_dgemm",
               "threads_at_main_4_ranks", "cpu_ms_start",
               f"cpu_ms_per_rank_{ranks}_at_once", f"wall_s_{ranks}_at_once"]
    lines = [" | ".join(columns), " | ".join("---" for _ in columns)]
    for row in rows:
        lines.append(" | ".join(f"{row[c]:.2f}" if isinstance(row.get(c), float) else str(row.get(c, "-"))
                                for c in columns))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openblas", required=True, help="the openblas recipe's prefix (lib/libopenblas.a)")
    parser.add_argument("--binary", action="append", default=[], help="NAME=PATH of a python-static to run -c pass")
    parser.add_argument("--stock", default="", help="a stock python3 to run -c pass beside them")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--ranks", type=int, default=64)
    parser.add_argument("--output", default="")
    args = parser.parse_args()
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        probes = {"c-host (Debian 0.3.21, unpatched)": build_probe(HOST_ARCHIVE, directory, "host"),
                  "c-slither (recipe, patched)": build_probe(str(Path(args.openblas) / "lib" / "libopenblas.a"),
                                                             directory, "slither")}
        for name, probe in probes.items():
            rows.append(measure(name, [str(probe)], "probe", args.runs, args.ranks))
        for entry in args.binary:
            name, _, path = entry.partition("=")
            rows.append(measure(name, [str(Path(path).resolve()), "-c", "pass"], "python", args.runs, args.ranks))
        if args.stock:
            rows.append(measure("stock CPython", [args.stock, "-c", "pass"], "python", args.runs, args.ranks))
    result = {"cores": os.cpu_count(), "affinity_cores": len(os.sched_getaffinity(0)), "runs": args.runs,
              "ranks": args.ranks, "rows": rows,
              # CPU times include what other work on the machine costs the contenders' caches
              "load_average_before": load_before, "load_average_after": os.getloadavg()}
    print(f"cores here: {result['cores']} (affinity {result['affinity_cores']}); median of {args.runs} starts; "
          f"{args.ranks} started at once with MPI_LOCALNRANKS={args.ranks}")
    print(table(rows, args.ranks))
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
