#!/usr/bin/env python3
"""What freezing the sources in (FROZEN_SOURCES, issue 16) costs: binaries side by side, one run.

    python3 bench/frozen_sources.py LABEL=BINARY [LABEL=BINARY ...] [--runs 30]

For each binary: its size, the file-syscall audit of `-c pass` and `import numpy` (calls on
paths outside /proc, /dev, /sys and /etc, as bench/syscall_audit.py counts them) and warm
start-up under hyperfine (bench/warm_startup.py), then one table. Give the same build with
FROZEN_SOURCES=1 and =0, and a binary from before the change, to see that start-up does not
move: the sources are read only when a source line is asked for.
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

WORKLOADS = {"-c pass": ["-c", "pass"], "import numpy": ["-c", "import numpy"]}


def measure(binaries: dict[str, Path], runs: int) -> list[list]:
    rows = []
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OPENBLAS_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory(prefix="slither-bench-sources-") as scratch:
        for label, binary in binaries.items():
            row = [label, byte_size(binary.stat().st_size)]
            for arguments in WORKLOADS.values():
                counts, reason = audit_command([str(binary), *arguments], cwd=Path(scratch), env=environment)
                row.append(f"{counts['outside']}" if counts else f"n/a ({reason})")
            for arguments in WORKLOADS.values():
                times = hyperfine_times([str(binary), *arguments], cwd=Path(scratch), env=environment,
                                        runs=runs, warmup=3)
                row.append(times.get("na") or f"{times['median_ms']:.1f} ({times['cpu_mean_ms']:.1f} cpu)")
            rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binaries", nargs="+", metavar="LABEL=BINARY")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    binaries = {}
    for given in args.binaries:
        label, _, path = given.partition("=")
        if not path or not Path(path).is_file():
            print(f"bench/frozen_sources.py: {given}: give LABEL=BINARY with an existing binary", file=sys.stderr)
            return 2
        binaries[label] = Path(path)
    headers = ["binary", "size", *[f"file calls: {w}" for w in WORKLOADS],
               *[f"warm ms, median (cpu): {w}" for w in WORKLOADS]]
    print(markdown_table(headers, measure(binaries, args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
