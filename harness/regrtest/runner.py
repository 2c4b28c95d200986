"""CPython's regression suite, from the same verified tarball, against python-static and the
stock shared build of the same release, per test module side by side.

    harness/regrtest/run [--python 3.11] [--jobs 2] [--modules numpy,mpi4py]
                         [--contender static --contender stock] [--record DIR] [TEST ...]

1. `scons` builds (or takes from the cache) BUILD_DIR/bin/NAME and `scons reference` the stock
   build (unless --no-build).
2. `Lib/test` is taken from the pinned, sha256-verified tarball into OUTPUT/lib/test: the
   static binary leaves the `test` package out (EXCLUDE), so it must come from a path. Both
   contenders get the very same directory on PYTHONPATH, so they run the very same files.
3. Each contender runs regrtest (`-m test` semantics, through harness/regrtest/driver.py,
   which records regrtest's own per-module verdicts as JSON) with the same options.
4. The verdicts are compared: every module that passes on stock and not on static must be
   listed in harness/regrtest/known.py with its category and reason; anything else is
   reported as UNEXPLAINED and makes the exit status non-zero.

Outputs in OUTPUT (default BUILD_DIR/regrtest-<version>): <contender>.json (verdicts),
<contender>.log (regrtest's output), comparison.md (the table), comparison.json (the table's
data, with what was run under "run"). --record DIR copies comparison.json to
DIR/regrtest/<version>/comparison.json (<version>-with-<modules> for --modules): the committed
results are --record harness/results (harness/recording.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from slither import commands
from slither.recipes import loading
from harness import recording
from harness.regrtest import known as regrtest_known
from slither.errors import SlitherError
from slither.files import verify
from slither.sources.unpack import unsafe_reason

DRIVER = Path(__file__).with_name("driver.py")
STATUSES = ("passed", "failed", "env_changed", "skipped", "resource_denied", "run_no_tests")
DEFAULT_OPTIONS = ("--timeout=1200", "-w")  # -w: re-run failures verbosely; a pass on re-run counts


def _extract_lib_test(tarball: Path, staging: Path) -> None:
    with tarfile.open(tarball) as archive:
        members = []
        for member in archive.getmembers():
            parts = member.name.split("/", 1)
            if len(parts) < 2 or not (parts[1] == "Lib/test" or parts[1].startswith("Lib/test/")):
                continue
            reason = unsafe_reason(member)
            if reason:
                raise SlitherError(f"{tarball}: refusing to unpack {member.name}: {reason}")
            member.name = parts[1][len("Lib/"):]
            members.append(member)
        if not members:
            raise SlitherError(f"{tarball}: has no Lib/test directory")
        archive.extractall(staging, members=members)


def extract_test_package(tarball: Path, sha256: str, destination: Path) -> Path:
    """Lib/test of the release tarball into destination/test (nothing else of the tarball).
    Kept when already extracted from the same tarball: two runs may share an OUTPUT, and may
    start at the same moment (one per contender), so each extracts into a staging directory
    of its own and the first to finish wins; the other drops its copy."""
    marker = destination / ".extracted-from"

    def extracted() -> bool:
        return marker.is_file() and marker.read_text() == sha256

    if extracted():
        return destination / "test"
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=destination.name + ".tmp-", dir=destination.parent))
    try:
        _extract_lib_test(tarball, staging)
        (staging / marker.name).write_text(sha256)
        if not extracted():
            shutil.rmtree(destination, ignore_errors=True)
            try:
                os.rename(staging, destination)
            except OSError:
                if not extracted():  # not another run's finished copy: a real failure
                    raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return destination / "test"


def interpreter_home(interpreter: Path) -> Path:
    """The prefix an interpreter computes for itself: the directory above its bin/."""
    return interpreter.resolve().parent.parent


def contender_environment(test_path: Path, interpreter: Path) -> dict:
    """The caller's environment minus anything that would steer one interpreter and not the
    other; the test package on PYTHONPATH for both.

    PYTHONHOME is set to the interpreter's own prefix (what it computes anyway; python-static
    ignores PYTHONHOME altogether): test.support.script_helper then knows the interpreter needs
    its environment, and starts child interpreters with PYTHONPATH instead of -I or -E. That
    is true of python-static, whose `test` package is only on PYTHONPATH; without it every
    child that imports test.support would fail for a reason that is the harness's, not the
    binary's. Both contenders get it, so both run their children alike."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONPATH"] = str(test_path)
    env["PYTHONHOME"] = str(interpreter_home(interpreter))
    return env


def run_contender(name: str, interpreter: Path, arguments: list[str], output: Path, test_path: Path) -> dict:
    """Run regrtest in `interpreter`; returns the driver's verdicts (plus the wall time)."""
    workdir = output / name
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    driver = workdir / DRIVER.name  # copied: the checkout's slither/ must not be sys.path[0]
    shutil.copyfile(DRIVER, driver)
    results = output / f"{name}.json"
    results.unlink(missing_ok=True)
    log = output / f"{name}.log"
    command = [str(interpreter), str(driver), str(results), *arguments]
    commands.say(f"regrtest {name}: {' '.join(command[2:])} (log: {log})")
    started = time.monotonic()
    with open(log, "w") as stream:
        env = contender_environment(test_path, interpreter)
        stream.write(f"$ PYTHONPATH={env['PYTHONPATH']} PYTHONHOME={env['PYTHONHOME']} {' '.join(command)}\n")
        stream.flush()
        subprocess.run(command, cwd=workdir, env=env,
                       stdout=stream, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    if not results.is_file():
        raise SlitherError(f"regrtest {name}: no verdicts written (regrtest crashed?); see {log}")
    verdicts = json.loads(results.read_text())
    verdicts["wall_seconds"] = round(time.monotonic() - started, 1)
    results.write_text(json.dumps(verdicts, indent=1, sort_keys=True))
    return verdicts


def status_by_module(verdicts: dict) -> dict[str, str]:
    status = {}
    for state in STATUSES:
        for module in verdicts.get(state, []):
            status[module] = state
    return status


def compare(stock: dict, static: dict, known: dict) -> dict:
    """Per module: both statuses, and for every stock pass that is no static pass, its
    documented category (or None: unexplained)."""
    stock_status, static_status = status_by_module(stock), status_by_module(static)
    rows = []
    for module in sorted(set(stock_status) | set(static_status)):
        row = {"module": module, "stock": stock_status.get(module, "not run"),
               "static": static_status.get(module, "not run")}
        if row["stock"] == "passed" and row["static"] != "passed":
            row["category"] = known.get(module)
        rows.append(row)
    return {"rows": rows,
            "counts": {name: {state: sum(1 for r in rows if r[name] == state)
                              for state in (*STATUSES, "not run")} for name in ("stock", "static")},
            "unexplained": [r["module"] for r in rows if "category" in r and r["category"] is None],
            "explained": {r["module"]: r["category"] for r in rows if r.get("category")},
            "static_only_passes": [r["module"] for r in rows
                                   if r["static"] == "passed" and r["stock"] != "passed"]}


def render_markdown(comparison: dict, header: list[str]) -> str:
    lines = [*header, "", "| status | stock | python-static |", "|---|---:|---:|"]
    for state in (*STATUSES, "not run"):
        lines.append(f"| {state} | {comparison['counts']['stock'][state]} | "
                     f"{comparison['counts']['static'][state]} |")
    lines += ["", "Passes on stock, not on python-static:", "",
              "| category | modules | reason |", "|---|---|---|"]
    by_category: dict[str, list[str]] = {}
    for module, category in sorted(comparison["explained"].items()):
        by_category.setdefault(category, []).append(module)
    for category, modules in sorted(by_category.items()):
        lines.append(f"| {category} | {', '.join(modules)} | {regrtest_known.CATEGORIES[category]} |")
    if comparison["unexplained"]:
        lines.append(f"| **UNEXPLAINED** | {', '.join(comparison['unexplained'])} | |")
    if comparison["static_only_passes"]:
        lines += ["", "Passes on python-static, not on stock: " + ", ".join(comparison["static_only_passes"])]
    lines += ["", "Every module:", "", "| module | stock | python-static |", "|---|---|---|"]
    for row in comparison["rows"]:
        note = f" ({row['category']})" if row.get("category") else (" **UNEXPLAINED**" if "category" in row else "")
        lines.append(f"| {row['module']} | {row['stock']} | {row['static']}{note} |")
    return "\n".join(lines) + "\n"


def run_description(release, verdicts: dict, modules: str) -> dict:
    """What was compared, for the table's header and the recorded results."""
    return {"cpython": release.version, "series": release.series, "tarball": release.source.filename,
            "modules": modules,
            "regrtest_options": {name: " ".join(verdicts[name].get("argv", [])) for name in ("stock", "static")},
            "wall_seconds": {name: verdicts[name].get("wall_seconds") for name in ("stock", "static")},
            "machine": {"architecture": platform.machine(), "cores": os.cpu_count(), "platform": platform.platform()}}


def markdown_header(run: dict) -> list[str]:
    options = run["regrtest_options"]
    same = options["stock"] == options["static"]
    wall = {name: "?" if seconds is None else seconds for name, seconds in run["wall_seconds"].items()}
    return [f"CPython {run['cpython']} regression suite (`Lib/test` of {run['tarball']}), "
            "per test module, stock shared build vs python-static"
            + (f" built with `MODULES={run['modules']}`." if run["modules"] else "."),
            "",
            f"Run by `harness/regrtest/run --python {run['series']}` (see harness/regrtest/runner.py); regrtest options "
            + (f"(both): `{options['stock']}`" if same else
               f"stock: `{options['stock']}`, static: `{options['static']}`"),
            f"Machine: {run['machine']['architecture']}, {run['machine']['cores']} cores (shared with other work), "
            f"{run['machine']['platform']}; "
            f"wall time stock {wall['stock']} s, python-static {wall['static']} s."]


def build_contenders(args, release) -> None:
    command = [sys.executable, "-m", "SCons", "-Q", f"PYTHON={release.series}", f"BUILD_DIR={args.build_dir}",
               f"NAME={args.name}", f"JOBS={args.jobs}", *([f"MODULES={args.modules}"] if args.modules else []),
               os.path.join(args.build_dir, "bin", args.name),
               "reference"]
    commands.say("build: " + " ".join(command[2:]))
    result = subprocess.run(command, cwd=loading.PROJECT_ROOT)
    if result.returncode != 0:
        raise SlitherError(f"scons failed (exit {result.returncode}); run it by hand: {' '.join(command[1:])}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=loading.default_series(), help="CPython series (3.11 or 3.13)")
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--name", default="python-static")
    parser.add_argument("--modules", default="",
                        help="MODULES of the static contender (e.g. numpy,mpi4py); the stock one has none")
    parser.add_argument("--jobs", type=int, default=2, help="regrtest -j (and JOBS for the build)")
    parser.add_argument("--contender", action="append", choices=("static", "stock"),
                        help="run only these (default both); a missing one is read from OUTPUT")
    parser.add_argument("--output", help="default BUILD_DIR/regrtest-<version>")
    parser.add_argument("--no-build", action="store_true", help="use the binaries already in BUILD_DIR")
    parser.add_argument("--compare-only", action="store_true",
                        help="run nothing; compare the verdicts already in OUTPUT")
    parser.add_argument("--record", metavar="DIR", help="copy comparison.json to DIR/regrtest/<version>/ "
                        "(the committed results: --record harness/results)")
    parser.add_argument("tests", nargs="*", help="test modules (default: the whole suite)")
    args = parser.parse_args(argv)
    # A shell starts background jobs with SIGINT and SIGQUIT ignored, and exec keeps ignored
    # signals ignored: the suite's own Ctrl-C tests (test_signal, test_threading, ...) would
    # then fail on both contenders. Children get the default dispositions back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)

    release = loading.cpython_release(args.python)
    build_dir = Path(args.build_dir).resolve()
    if args.compare_only:
        args.contender, args.no_build = [], True
    if not args.no_build:
        build_contenders(args, release)
    interpreters = {
        "static": build_dir / "bin" / args.name,
        "stock": build_dir / "reference" / f"cpython-{release.version}" / "bin" / f"python{release.series}",
    }
    tarball = build_dir / "sources" / release.source.filename
    selected = ("stock", "static") if args.contender is None else args.contender
    # comparing what OUTPUT already holds (--compare-only) needs neither binaries nor tarball
    for path in (*(interpreters[name] for name in selected), *([tarball] if selected else [])):
        if not path.exists():
            raise SlitherError(f"{path} is missing: run `scons PYTHON={release.series}` and "
                               f"`scons reference PYTHON={release.series}` first")
    if selected:
        verify(tarball, release.source.sha256)

    output = Path(args.output or build_dir / f"regrtest-{release.version}").resolve()
    output.mkdir(parents=True, exist_ok=True)
    test_path = output / "lib"
    if selected:
        extract_test_package(tarball, release.source.sha256, test_path)
    arguments = [f"-j{args.jobs}", *DEFAULT_OPTIONS, *args.tests]
    verdicts = {}
    for name in selected:
        verdicts[name] = run_contender(name, interpreters[name], arguments, output, test_path)
    for name in ("stock", "static"):
        if name not in verdicts:
            previous = output / f"{name}.json"
            if not previous.is_file():
                commands.say(f"no {name} results in {output}; run with --contender {name}")
                return 0
            verdicts[name] = json.loads(previous.read_text())

    comparison = compare(verdicts["stock"], verdicts["static"], regrtest_known.known_for(release.series))
    comparison["run"] = run_description(release, verdicts, args.modules)
    (output / "comparison.md").write_text(render_markdown(comparison, markdown_header(comparison["run"])))
    (output / "comparison.json").write_text(json.dumps(comparison, indent=1, sort_keys=True))
    if args.record:
        recorded = recording.record(output / "comparison.json",
                                    recording.regrtest_comparison(Path(args.record), release.version, args.modules))
        commands.say(f"recorded: {recorded}")
    counts = comparison["counts"]
    for name in ("stock", "static"):
        commands.say(f"{name}: " + ", ".join(f"{counts[name][s]} {s}" for s in STATUSES if counts[name][s]))
    commands.say(f"stock passes that fail on static: {len(comparison['explained'])} explained "
                 f"(harness/regrtest/known.py), {len(comparison['unexplained'])} unexplained"
                 + (": " + ", ".join(comparison["unexplained"]) if comparison["unexplained"] else ""))
    commands.say(f"table: {output / 'comparison.md'}")
    return 1 if comparison["unexplained"] else 0


if __name__ == "__main__":
    commands.main_guard(lambda: sys.exit(main()))
