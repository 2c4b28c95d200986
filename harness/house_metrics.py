#!/usr/bin/env python3
"""Three measures of the code's shape, for docs/architecture.md's design notes; rerun them after
a change to see whether it helped.

  python3 harness/house_metrics.py                  # this checkout
  python3 harness/house_metrics.py --root DIR       # another checkout (a `git worktree add` of an older commit)
  python3 harness/house_metrics.py --json           # the same as JSON
  python3 harness/house_metrics.py --list           # also every upward import and every file (b) ran
  python3 harness/house_metrics.py --markdown --before DIR   # docs/architecture.md's table

(a) Upward imports, read with `ast` over slither/ and site_scons/ (every import statement,
    also those inside functions): an import from a stage into a stage ranked above it in
    LAYERS, and the pairs of stages that import each other (a cycle). An import inside a stage
    does not count.
(b) Recipe and profile executions: how many times a file under modules/ or targets/ runs
    (SourceFileLoader.exec_module, whatever function asks for it) for
    load_target("gnu") then make_plan(MODULES=markupsafe), in a fresh interpreter with the
    checkout first on sys.path, and for a whole reading of the SConstruct with
    `scons -n MODULES=markupsafe` (the venv's SCons). Build, download and cache directories are
    temporary; it runs the toolchain-identity probes a plan makes (the compilers' versions) and
    builds and downloads nothing.
(c) The largest functions: lines from `def` to the end of its body (a nested function counts in
    its own line and inside its parent's), over slither/ and site_scons/.

Not a benchmark: nothing here is timed, and nothing is written to bench/results/.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

# Layers, lowest first: a module may import from its own layer and those below it. The stages
# are in data-flow order; the recipe vocabulary and the cache's location and trust are read by
# every stage, so they sit below the stages; the plan reads every stage's rules and sits above
# them; the entry points (the SCons tools, `python3 -m slither`) sit on top. Top-level files of
# slither/ are "shared" (errors, files, commands, ...) unless named here.
LAYERS = [
    ("shared",),
    ("recipes", "cache", "runtime"),
    ("sources",),
    ("cpython", "libraries", "configure_make"),
    ("packages", "capture"),
    ("freeze",),
    ("link",),
    ("inspect",),
    ("plan",),
    ("site_scons", "__main__"),
]
RANK = {stage: rank for rank, stages in enumerate(LAYERS) for stage in stages}
OUTSIDE = "harness"  # the comparison harness: nothing of the product may import it


def python_files(root: Path) -> list[Path]:
    return sorted(p for top in ("slither", "site_scons") for p in (root / top).rglob("*.py")
                  if "__pycache__" not in p.parts)


def stage_of_file(root: Path, path: Path) -> str:
    parts = path.relative_to(root).parts
    if parts[0] == "site_scons":
        return "site_scons"
    if len(parts) == 2:  # slither/<file>.py
        stem = Path(parts[1]).stem
        return stem if stem in RANK else "shared"
    return parts[1]


def stage_of_module(root: Path, dotted: str) -> str | None:
    parts = dotted.split(".")
    if parts[0] == OUTSIDE:
        return OUTSIDE
    if parts[0] != "slither" or len(parts) == 1:
        return None
    if (root / "slither" / parts[1]).is_dir():
        return parts[1]
    return parts[1] if parts[1] in RANK else "shared"


def imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        if node.module == "slither":  # from slither import plan, errors
            return [f"slither.{alias.name}" for alias in node.names]
        return [node.module]
    return []


def upward_imports(root: Path) -> dict:
    edges: Counter = Counter()
    upward = []
    for path in python_files(root):
        source = stage_of_file(root, path)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for module in imported_modules(node):
                target = stage_of_module(root, module)
                if target is None or target == source:
                    continue
                edges[(source, target)] += 1
                if target == OUTSIDE or RANK.get(target, -1) > RANK.get(source, -1):
                    upward.append({"file": str(path.relative_to(root)), "line": node.lineno,
                                   "from": source, "to": target, "module": module})
    cycles = sorted({tuple(sorted(pair)) for pair in edges if (pair[1], pair[0]) in edges})
    by_pair = Counter(f"{u['from']} -> {u['to']}" for u in upward)
    return {"upward": len(upward), "files": len({u["file"] for u in upward}),
            "pairs": dict(sorted(by_pair.items())), "cycles": [" <-> ".join(c) for c in cycles],
            "list": upward}


def largest_functions(root: Path, count: int = 8) -> dict:
    functions = []
    for path in python_files(root):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions.append({"function": f"{path.relative_to(root)}:{node.name}",
                                  "lines": node.end_lineno - node.lineno + 1})
    functions.sort(key=lambda f: (-f["lines"], f["function"]))
    return {"largest": functions[:count], "over_100": sum(f["lines"] > 100 for f in functions),
            "over_50": sum(f["lines"] > 50 for f in functions), "functions": len(functions)}


# Run in a fresh interpreter: counts every execution of a file under modules/ or targets/ of the
# measured checkout, through whichever loader function that checkout has.
_COUNTING = r"""
import atexit, json, os, sys
from collections import Counter
from importlib.machinery import SourceFileLoader
root, work = sys.argv[1], sys.argv[2]
data_dirs = (os.path.join(root, "modules") + os.sep, os.path.join(root, "targets") + os.sep)
runs = Counter()
original = SourceFileLoader.exec_module
def counting(self, module):
    path = os.path.realpath(self.path)
    if path.startswith(data_dirs):
        runs[os.path.relpath(path, root)] += 1
    return original(self, module)
SourceFileLoader.exec_module = counting
atexit.register(lambda: print("\n" + json.dumps(dict(sorted(runs.items())))))
"""

# load_target("gnu") then make_plan(MODULES=markupsafe), as a test calls them.
_MAKE_PLAN = _COUNTING + r"""
sys.path.insert(0, root)
try:
    from slither.recipes import loading
except ImportError:  # before the recipe vocabulary left slither/plan/
    from slither.plan import loading
from slither.plan import build_plan
if hasattr(build_plan, "plan_for"):  # variables parsed, inputs resolved, then the pure make_plan
    build_plan.plan_for(modules="markupsafe", build_dir=os.path.join(work, "build"),
                        download_store=os.path.join(work, "downloads"))
else:
    build_plan.make_plan(name="python-static", series=loading.default_series(), profile=loading.load_target("gnu"),
                         modules=["markupsafe"], build_dir=os.path.join(work, "build"),
                         download_store=os.path.join(work, "downloads"))
"""

# A whole reading of the SConstruct, `scons -n MODULES=markupsafe`: the variables parsed, the plan
# made, every step declared; nothing runs, nothing is compiled or downloaded.
_SCONS_READ = _COUNTING + r"""
import SCons.Script
sys.argv = ["scons", "-n", "-Q", "MODULES=markupsafe", "BUILD_DIR=" + os.path.join(work, "build"), "CACHE_DIR="]
SCons.Script.main()
"""


def recipe_executions(root: Path, program: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="house-metrics-") as work:
        environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        environment["XDG_CACHE_HOME"] = os.path.join(work, "cache")  # no shared cache or locks touched
        result = subprocess.run([sys.executable, "-c", program, str(root), work],
                                cwd=root if program is _SCONS_READ else work,
                                env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    per_file = json.loads(result.stdout.strip().splitlines()[-1])
    most = max(per_file.items(), key=lambda item: item[1]) if per_file else ("", 0)
    return {"executions": sum(per_file.values()), "files": len(per_file),
            "most": {"file": most[0], "executions": most[1]}, "per_file": per_file}


def measure(root: Path, executions: bool = True) -> dict:
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    return {"root": str(root), "commit": commit, "imports": upward_imports(root),
            "functions": largest_functions(root),
            "make_plan": recipe_executions(root, _MAKE_PLAN) if executions else None,
            "scons_read": recipe_executions(root, _SCONS_READ) if executions else None}


def executions_line(title: str, runs: dict | None, listing: bool) -> list[str]:
    if runs is None:
        return [f"{title}: not measured (--no-executions)"]
    if "error" in runs:
        return [f"{title}: could not run: {runs['error']}"]
    lines = [f"{title}: {runs['executions']} executions of {runs['files']} files; "
             f"most: {runs['most']['file']}, {runs['most']['executions']} times"]
    return lines + ([f"      {path}: {n}" for path, n in runs["per_file"].items()] if listing else [])


def report(measured: dict, listing: bool) -> str:
    imports, functions = measured["imports"], measured["functions"]
    lines = [f"{measured['root']} at {measured['commit'] or '(not a git checkout)'}",
             f"(a) upward imports: {imports['upward']} in {imports['files']} files"]
    lines += [f"      {pair}: {n}" for pair, n in imports["pairs"].items()]
    lines.append(f"    stages importing each other: {', '.join(imports['cycles']) or 'none'}")
    if listing:
        lines += [f"      {u['file']}:{u['line']} {u['module']} ({u['from']} -> {u['to']})" for u in imports["list"]]
    lines += executions_line("(b) recipe and profile files run by load_target('gnu') + make_plan(MODULES=markupsafe)",
                             measured["make_plan"], listing)
    lines += executions_line("    by `scons -n MODULES=markupsafe` (the whole SConstruct read)",
                             measured["scons_read"], listing)
    lines.append(f"(c) functions: {functions['functions']}, over 100 lines: {functions['over_100']}, "
                 f"over 50 lines: {functions['over_50']}; largest:")
    lines += [f"      {f['lines']:4d}  {f['function']}" for f in functions["largest"]]
    return "\n".join(lines)


def table_cells(measured: dict) -> dict[str, str]:
    """One column of docs/architecture.md's table: {row: cell}."""
    imports, functions = measured["imports"], measured["functions"]

    def runs(counted):
        if not counted or "error" in counted:
            return "not measured"
        return (f"{counted['executions']} runs of {counted['files']} files, "
                f"at most {counted['most']['executions']} of one")

    largest = functions["largest"][0]
    return {
        "upward imports (files)": f"{imports['upward']} ({imports['files']})",
        "stages importing each other": ", ".join(imports["cycles"]) or "none",
        "recipe and profile files run: `make_plan(MODULES=markupsafe)`": runs(measured["make_plan"]),
        "the same, `scons -n MODULES=markupsafe`": runs(measured["scons_read"]),
        "largest function (lines)": f"{largest['lines']} (`{largest['function'].rsplit(':', 1)[1]}`)",
        "functions over 50 lines (of all)": f"{functions['over_50']} ({functions['functions']})",
    }


def markdown_table(before: dict | None, now: dict) -> str:
    now_cells = table_cells(now)
    before_cells = table_cells(before) if before else {row: "" for row in now_cells}
    lines = [f"| measure | before ({before['commit'] if before else ''}) | now |", "|---|---|---|"]
    lines += [f"| {row} | {before_cells[row]} | {cell} |" for row, cell in now_cells.items()]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=HERE, help="the checkout to measure (default: this one)")
    parser.add_argument("--json", action="store_true", help="print the measures as JSON")
    parser.add_argument("--list", action="store_true", help="list every upward import and every file (b) ran")
    parser.add_argument("--markdown", action="store_true",
                        help="print docs/architecture.md's table (with --before, both columns)")
    parser.add_argument("--before", type=Path, help="with --markdown: the checkout of the 'before' column")
    parser.add_argument("--no-executions", action="store_true", help="skip (b), which runs make_plan and scons -n")
    arguments = parser.parse_args(argv)
    measured = measure(arguments.root.resolve(), executions=not arguments.no_executions)
    if arguments.markdown:
        before = measure(arguments.before.resolve(), not arguments.no_executions) if arguments.before else None
        print(markdown_table(before, measured))
        return 0
    print(json.dumps(measured, indent=1) if arguments.json else report(measured, arguments.list))
    return 0


if __name__ == "__main__":
    sys.exit(main())
