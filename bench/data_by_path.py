#!/usr/bin/env python3
"""What package data read by path costs a node: the first use beside every later one.

A binary holding a package that reads its data by path (docs/packages.md, "Data files read by
path") writes that data to SLITHER_DATA_DIR at the package's first import on a node; later
processes find it. Side by side in one run, for one import statement:

* `first use`: a fresh SLITHER_DATA_DIR each run (the node's first process);
* `later use`: the directory already written (every later rank);
* `racing NxM`: N processes on a fresh directory at once (the node's ranks starting together),
  wall time until the last one ends;
* `stock` (`--stock PYTHON`, with the package installed): the same import from a normal install.

For each: median wall time of --runs, bytes the first use wrote, and the file calls of one run
under strace (counted as the start-up audit counts them), with how many were inside the data
directory (node-local) and how many elsewhere.

    bench/data_by_path.py --binary build/bin/python-static --import sklearn [--stock PYTHON]
                          [--runs 11] [--racers 16] [--output bench/results/data_by_path.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from slither.inspect.audit import counts_against_startup, trace_file_calls  # noqa: E402


def _run(command, data_dir):
    began = time.perf_counter()
    result = subprocess.run(command, env={**os.environ, "SLITHER_DATA_DIR": str(data_dir)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise SystemExit(f"data_by_path: {' '.join(command)} failed: {result.stderr.strip().splitlines()[-1:]}")
    return time.perf_counter() - began


def _written(data_dir: Path) -> int:
    return sum(path.stat().st_size for path in data_dir.rglob("*") if path.is_file())


def _calls(command, data_dir: Path) -> tuple[int, int]:
    traced, calls = trace_file_calls(command, env={**os.environ, "SLITHER_DATA_DIR": str(data_dir)})
    counted = [call for call in calls if counts_against_startup(call)]
    inside = sum(call.path == str(data_dir) or call.path.startswith(str(data_dir) + "/") for call in counted)
    return inside, len(counted) - inside


def measure(binary: str, statement: str, stock: str | None, runs: int, racers: int, scratch: Path) -> list[dict]:
    command = [binary, "-c", statement]
    rows = []
    fresh = [scratch / f"first-{index}" for index in range(runs)]
    first_times = [_run(command, directory) for directory in fresh]
    written = _written(fresh[0])
    first_calls = _calls(command, scratch / "first-traced")
    rows.append({"contender": "first use", "median_ms": statistics.median(first_times) * 1000,
                 "written_bytes": written, "calls_in_data_dir": first_calls[0], "calls_elsewhere": first_calls[1]})
    later_times = [_run(command, fresh[0]) for _ in range(runs)]
    later_calls = _calls(command, fresh[0])
    rows.append({"contender": "later use", "median_ms": statistics.median(later_times) * 1000,
                 "written_bytes": 0, "calls_in_data_dir": later_calls[0], "calls_elsewhere": later_calls[1]})
    race_times = []
    for index in range(max(1, runs // 3)):
        directory = scratch / f"race-{index}"
        environment = {**os.environ, "SLITHER_DATA_DIR": str(directory)}
        began = time.perf_counter()
        processes = [subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for _ in range(racers)]
        if any(process.wait() != 0 for process in processes):
            raise SystemExit("data_by_path: a racing process failed")
        race_times.append(time.perf_counter() - began)
    rows.append({"contender": f"racing {racers}x", "median_ms": statistics.median(race_times) * 1000,
                 "written_bytes": _written(scratch / "race-0"), "calls_in_data_dir": None, "calls_elsewhere": None})
    if stock:
        stock_command = [stock, "-c", statement]
        stock_times = [_run(stock_command, scratch / "unused") for _ in range(runs)]
        stock_calls = _calls(stock_command, scratch / "unused")
        rows.append({"contender": "stock", "median_ms": statistics.median(stock_times) * 1000,
                     "written_bytes": 0, "calls_in_data_dir": stock_calls[0], "calls_elsewhere": stock_calls[1]})
    return rows


def table(rows: list[dict], statement: str) -> str:
    lines = [f"`{statement}`, median of the runs (file calls: one run under strace)", "",
             "| contender | wall ms | bytes written | file calls in SLITHER_DATA_DIR | file calls elsewhere |",
             "|---|---:|---:|---:|---:|"]
    for row in rows:
        calls = ("-", "-") if row["calls_in_data_dir"] is None else (row["calls_in_data_dir"], row["calls_elsewhere"])
        lines.append(f"| {row['contender']} | {row['median_ms']:.1f} | {row['written_bytes']} | {calls[0]} | {calls[1]} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True, help="a python-static holding a package that reads data by path")
    parser.add_argument("--import", dest="module", required=True, help="the package to import, e.g. sklearn")
    parser.add_argument("--statement", help="what to run instead of `import MODULE`")
    parser.add_argument("--stock", help="a stock python with the package installed")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--racers", type=int, default=16)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    if shutil.which("strace") is None:
        raise SystemExit("data_by_path: strace is needed for the file-call columns (apt-get install strace)")
    statement = args.statement or f"import {args.module}"
    with tempfile.TemporaryDirectory(prefix="slither-data-bench-") as scratch:
        rows = measure(args.binary, statement, args.stock, args.runs, args.racers, Path(scratch))
    print(table(rows, statement))
    print(f"\n{os.cpu_count()} cores; SLITHER_DATA_DIR on {tempfile.gettempdir()}'s filesystem")
    if args.output:
        args.output.write_text(json.dumps({"statement": statement, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
