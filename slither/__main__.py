"""`python3 -m slither inspect BINARY [--json] [--brief] [--licenses]`: read a static binary's manifest.
`python3 -m slither prune-cache [--cache DIR] [--max-size 20G]`: shrink the build-step cache."""

import argparse
import json
import os
import sys
from pathlib import Path

from slither.commands import main_guard
from slither.inspect.manifest import format_inspection, format_licences, load_manifest


def main() -> None:
    if sys.argv[1:2] == ["prune-cache"]:
        from slither.cache.prune import main as prune_main
        return prune_main(sys.argv[2:])
    parser = argparse.ArgumentParser(prog="python3 -m slither")
    commands = parser.add_subparsers(dest="command", required=True)
    inspect = commands.add_parser("inspect", help="print what a Slither binary contains")
    inspect.add_argument("binary", type=Path)
    inspect.add_argument("--json", action="store_true", help="the whole manifest as JSON")
    inspect.add_argument("--brief", action="store_true", help="without the per-module listing")
    inspect.add_argument("--licenses", "--licences", action="store_true",
                         help="what was linked in: name, version, SPDX licence, where it came from")
    commands.add_parser("prune-cache", help="shrink the build-step cache (see --help of it)")
    args = parser.parse_args()
    manifest = load_manifest(args.binary)
    if args.json:
        json.dump(manifest, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
    elif args.licenses:
        print(format_licences(manifest))
    else:
        print(format_inspection(manifest, modules=not args.brief))


def main_for_a_pipe() -> None:
    """`inspect ... | head` closes the pipe early: that is the reader's choice, not an error."""
    try:
        main_guard(main)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        sys.exit(141)  # what a shell reports for SIGPIPE


if __name__ == "__main__":
    main_for_a_pipe()
