#!/usr/bin/env python3
"""Start-up, side by side: a stock CPython and Slither's static binary, in one run.

Table 1, file syscalls: every contender runs every workload under `strace -f`; a call counts
("outside node-local") when it names a path outside /proc, /dev, /sys and /etc, as
../shared/tools/fscalls.py counts them.
Table 2, warm start-up wall time: each workload run --repeat times per contender, alternating
contenders so that drift hits both alike; min / median / max in milliseconds.

Usage: bench/startup_syscalls.py [--static build/bin/python-static] [--stock /usr/bin/python3.11]
                                 [--repeat 30]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from slither.audit import counts_against_startup, trace_file_calls  # noqa: E402

WORKLOADS = {
    "-c pass": ["-c", "pass"],
    "import json": ["-c", "import json"],
    "stdlib set (issue 2)": ["-c", "import json, decimal, sqlite3, ssl, zlib, bz2, lzma, hashlib, ctypes, "
                             "email.mime.text, asyncio, xml.etree.ElementTree, unicodedata, zoneinfo"],
    "script + user module": ["app.py"],
}


def prepare_workspace(directory: Path) -> None:
    (directory / "helper.py").write_text("VALUE = 42\n")
    (directory / "app.py").write_text("import helper, json\nprint(json.dumps(helper.VALUE))\n")


def audit(binary: str, arguments: list[str], workspace: Path) -> dict:
    result, calls = trace_file_calls([binary, *arguments], cwd=workspace)
    if result.returncode != 0:
        raise SystemExit(f"{binary} {' '.join(arguments)} failed: {result.stderr.strip()[-300:]}")
    counted = [call for call in calls if counts_against_startup(call)]
    return {"all": len(calls), "counted": len(counted), "failed": sum(c.failed for c in counted),
            "paths": len({c.path for c in counted})}


def wall_times(contenders: dict, arguments: list[str], workspace: Path, repeat: int) -> dict:
    times = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, binary in contenders.items():
            started = time.perf_counter()
            subprocess.run([binary, *arguments], cwd=workspace, stdout=subprocess.DEVNULL, check=True)
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static", default="build/bin/python-static")
    parser.add_argument("--stock", default="/usr/bin/python3.11")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    contenders = {"stock " + os.path.basename(args.stock): os.path.abspath(args.stock),
                  "python-static": os.path.abspath(args.static)}
    for name, binary in contenders.items():
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"bench: {binary} is not an executable ({name})")
    with tempfile.TemporaryDirectory() as scratch:
        workspace = Path(scratch)
        prepare_workspace(workspace)
        print("| workload | contender | file syscalls (all) | outside node-local | of which failed | distinct paths |")
        print("|---|---|---:|---:|---:|---:|")
        for workload, arguments in WORKLOADS.items():
            for name, binary in contenders.items():
                m = audit(binary, arguments, workspace)
                print(f"| {workload} | {name} | {m['all']} | {m['counted']} | {m['failed']} | {m['paths']} |")
        print()
        print(f"| workload | contender | min ms | median ms | max ms | (n={args.repeat}, warm page cache) |")
        print("|---|---|---:|---:|---:|---|")
        for workload, arguments in WORKLOADS.items():
            times = wall_times(contenders, arguments, workspace, args.repeat)
            for name, samples in times.items():
                print(f"| {workload} | {name} | {min(samples):.1f} | {statistics.median(samples):.1f} | "
                      f"{max(samples):.1f} | |")


if __name__ == "__main__":
    main()
