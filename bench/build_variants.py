#!/usr/bin/env python3
"""What a build variable costs at start-up: builds of the same MODULES side by side, one run.

    python3 bench/build_variants.py LABEL=BINARY [LABEL=BINARY ...] [--runs 30] [--no-warm]

For each binary: its size (and the size of the files UNFROZEN installed beside it, in
BUILD_DIR/lib), the file-syscall audit of `-c pass` and `import numpy` under strace (bench/
syscall_audit.py: every call naming a path, those that failed, and those on a path outside /proc,
/dev, /sys and /etc, the ones a parallel filesystem would serve) and warm start-up under
hyperfine (bench/warm_startup.py), then one table. Two uses so far:

* FROZEN_SOURCES=1 against =0 (and a binary from before the change): the sources cost size only,
  start-up does not move, since they are read only when a source line is asked for;
* UNFROZEN=numpy against the frozen default: what installing a package as files costs, its
  lookups counted call by call.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.syscall_audit import audit_command  # noqa: E402
from bench.tables import byte_size, markdown_table  # noqa: E402
from bench.warm_startup import hyperfine_times  # noqa: E402
from bench.contenders import tree_size  # noqa: E402

WORKLOADS = {"-c pass": ["-c", "pass"], "import numpy": ["-c", "import numpy"]}


def installed_files_size(binary: Path) -> str:
    """The UNFROZEN tree beside a binary (BUILD_DIR/lib/python3.X), or '-' when there is none."""
    trees = sorted((binary.parent.parent / "lib").glob("python3.*"))
    return byte_size(sum(tree_size(tree) for tree in trees)) if trees else "-"


def audit_cell(counts: dict | None, reason: str) -> str:
    if counts is None:
        return f"n/a ({reason})"
    return f"{counts['outside']} ({counts['total']} / {counts['failed']} failed)"


def measure(binaries: dict[str, Path], runs: int, warm: bool) -> list[list]:
    rows = []
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OPENBLAS_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory(prefix="slither-bench-variants-") as scratch:
        for label, binary in binaries.items():
            row = [label, byte_size(binary.stat().st_size), installed_files_size(binary)]
            for arguments in WORKLOADS.values():
                row.append(audit_cell(*audit_command([str(binary), *arguments], cwd=Path(scratch), env=environment)))
            for arguments in WORKLOADS.values() if warm else ():
                times = hyperfine_times([str(binary), *arguments], cwd=Path(scratch), env=environment,
                                        runs=runs, warmup=3)
                row.append(times.get("na") or f"{times['median_ms']:.1f} ({times['cpu_mean_ms']:.1f} cpu)")
            rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binaries", nargs="+", metavar="LABEL=BINARY")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-warm", dest="warm", action="store_false", help="the audit only, no hyperfine")
    args = parser.parse_args()
    binaries = {}
    for given in args.binaries:
        label, _, path = given.rpartition("=")  # a label may hold "=": UNFROZEN=numpy=PATH
        if not path or not Path(path).is_file():
            print(f"bench/build_variants.py: {given}: give LABEL=BINARY with an existing binary", file=sys.stderr)
            return 2
        binaries[label] = Path(path)
    headers = ["binary", "size", "files beside it", *[f"file calls outside (all / failed): {w}" for w in WORKLOADS],
               *([f"warm ms, median (cpu): {w}" for w in WORKLOADS] if args.warm else [])]
    print(markdown_table(headers, measure(binaries, args.runs, args.warm)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
