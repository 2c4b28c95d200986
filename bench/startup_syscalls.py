#!/usr/bin/env python3
"""Start-up file syscalls, side by side: a stock CPython and Slither's static binary.

Runs every contender on every workload under `strace -f` in one run and prints a table.
A call counts (column "outside node-local") when it names a path outside /proc, /dev, /sys
and /etc, as ../shared/tools/fscalls.py counts them.

Usage: bench/startup_syscalls.py [--static build/bin/python-static] [--stock /usr/bin/python3.11]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from slither.audit import counts_against_startup, trace_file_calls  # noqa: E402

WORKLOADS = {
    "-c pass": ["-c", "pass"],
    "import json": ["-c", "import json"],
    "stdlib set (issue 2)": ["-c", "import json, decimal, sqlite3, ssl, zlib, bz2, lzma, hashlib, ctypes, "
                             "email.mime.text, asyncio, xml.etree.ElementTree, unicodedata, zoneinfo"],
}


def measure(binary: str, arguments: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        result, calls = trace_file_calls([binary, *arguments], cwd=scratch)
    if result.returncode != 0:
        raise SystemExit(f"{binary} {' '.join(arguments)} failed: {result.stderr.strip()[-300:]}")
    counted = [call for call in calls if counts_against_startup(call)]
    return {"all": len(calls), "counted": len(counted), "failed": sum(c.failed for c in counted),
            "paths": len({c.path for c in counted})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static", default="build/bin/python-static")
    parser.add_argument("--stock", default="/usr/bin/python3.11")
    args = parser.parse_args()
    contenders = {"stock " + os.path.basename(args.stock): os.path.abspath(args.stock),
                  "python-static": os.path.abspath(args.static)}
    for name, binary in contenders.items():
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"bench: {binary} is not an executable ({name})")
    print("| workload | contender | file syscalls (all) | outside node-local | of which failed | distinct paths |")
    print("|---|---|---:|---:|---:|---:|")
    for workload, arguments in WORKLOADS.items():
        for name, binary in contenders.items():
            m = measure(binary, arguments)
            print(f"| {workload} | {name} | {m['all']} | {m['counted']} | {m['failed']} | {m['paths']} |")


if __name__ == "__main__":
    main()
