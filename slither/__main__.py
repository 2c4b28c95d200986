"""`python3 -m slither inspect BINARY [--json] [--brief]`: read a static binary's manifest."""

import argparse
import json
import sys
from pathlib import Path

from .commands import main_guard
from .inspection import format_inspection, load_manifest


def main() -> None:
    parser = argparse.ArgumentParser(prog="python3 -m slither")
    commands = parser.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser("inspect", help="print what a Slither binary contains")
    inspect.add_argument("binary", type=Path)
    inspect.add_argument("--json", action="store_true", help="the whole manifest as JSON")
    inspect.add_argument("--brief", action="store_true", help="without the per-module listing")
    args = parser.parse_args()
    manifest = load_manifest(args.binary)
    if args.json:
        json.dump(manifest, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
    else:
        print(format_inspection(manifest, modules=not args.brief))


if __name__ == "__main__":
    main_guard(main)
