"""Run the final static link, keeping its output readable.

A fully static glibc link warns once per NSS-using function (getpwnam, getaddrinfo, dlopen,
...) that it "requires at runtime the shared libraries from the glibc version used for
linking". Those are expected and documented (README, static glibc); everything else the
linker says is passed through untouched. With SLITHER_VERBOSE=1 nothing is filtered.

Usage: python3 -m slither.link.quiet_link [--no-note] -- CC ARGS...
"""

from __future__ import annotations

import re
import subprocess
import sys

from slither.commands import is_verbose

# The symbol table object (slither.link.symbol_table) takes the address of every global function,
# glibc's mktemp among them, whose link-time "dangerous" warning fires on any reference; the
# table only records where it is, which is no use of it.
SYMBOL_TABLE_WARNING = re.compile(r"symbol_table\.o:\([^)]*\): warning: ")
NSS_WARNING = re.compile(r"warning: Using '(\w+)' in statically linked applications requires at runtime")
PREAMBLE = re.compile(r": in function `[^']*':$")


def filter_link_output(lines: list[str]) -> tuple[list[str], list[str]]:
    """(lines to show, glibc functions whose NSS warning was dropped)."""
    shown, functions = [], []
    pending_preamble = None
    for line in lines:
        if PREAMBLE.search(line):
            if pending_preamble is not None:
                shown.append(pending_preamble)
            pending_preamble = line
            continue
        if SYMBOL_TABLE_WARNING.search(line):
            continue
        match = NSS_WARNING.search(line)
        if match:
            functions.append(match.group(1))
            pending_preamble = None
            continue
        if pending_preamble is not None:
            shown.append(pending_preamble)
            pending_preamble = None
        shown.append(line)
    if pending_preamble is not None:
        shown.append(pending_preamble)
    return shown, sorted(set(functions))


def main(argv: list[str]) -> int:
    # --no-note: a link whose note a later link of the same inputs prints (the symbol table's
    # first pass), so that the build says it once.
    note_wanted = argv[:1] != ["--no-note"]
    if not note_wanted:
        argv = argv[1:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    lines = result.stdout.splitlines()
    if is_verbose():
        shown, functions = lines, []
    else:
        shown, functions = filter_link_output(lines)
    for line in shown:
        print(line, file=sys.stderr)
    if functions and result.returncode == 0 and note_wanted:
        print(f"  note: static glibc loads NSS modules at run time for {', '.join(functions[:6])}"
              f"{', ...' if len(functions) > 6 else ''} (see README: static glibc)")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
