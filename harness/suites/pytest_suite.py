"""numpy-like package suites, run by pytest: the test files taken from the package's site.tar in
BUILD_DIR (the very files the binary froze), run by harness/suites/pytest_driver.py (identical
on both sides) once in the static binary and once in a stock interpreter that has the same
package version (harness.stock.packages), results read from pytest's JUnit XML and compared.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from slither.commands import say
from slither.errors import SlitherError
from harness.stock.packages import StockBuild, build_requirement_wheels, interpreter_series, venv_with_packages
from slither.cache import default_cache_dir
from harness.suites.binary_under_test import package_recipe
from harness.suites.comparison import compare, unexplained, write_summary
from harness.suites.known_differences import NOT_RUN, unused_reasons

HERE = Path(__file__).resolve().parent

# numpy.test()'s own options (numpy/_pytesttester.py), plus what makes both runs identical:
# no cache directory, plain asserts (assertion rewriting hooks PathFinder, which python-static
# does not consult for the names it owns), the test tree appended to sys.path, not put first
# (its copies of the package's __init__.py files would otherwise be what the stock
# interpreter's find_spec("numpy") finds: test_lazyloading and test_reloading), results as JUnit XML.
NUMPY_PYTEST_OPTIONS = ["-l", "-q", "-p", "no:cacheprovider", "--assert=plain", "--import-mode=append",
                        "-W", "ignore:Not importing directory", "-W", "ignore:numpy.dtype size changed",
                        "-W", "ignore:numpy.ufunc size changed", "-W", "ignore::UserWarning:cpuinfo",
                        "-W", "ignore:the matrix subclass is not", "-W", "ignore:Importing from numpy.matlib is"]


# A package's own switches, the same on both sides. psutil: its test_process_all fetches every
# process's info through a multiprocessing.Pool, which can deadlock (a fork race in psutil; seen
# here on a loaded 2-core machine: a forked worker blocked on a semaphore); psutil turns the
# pool off when its tests run in parallel workers, so say that (it also skips one test_linux
# test that needs the whole machine).
PACKAGE_ENVIRONMENT = {"psutil": {"PYTEST_XDIST_WORKER": "gw0"}}


def site_archive(build_dir: Path, build: dict, recipe) -> Path:
    series = "".join(build["cpython"].split(".")[:2])
    path = build_dir / "packages" / f"cp{series}-{build['target']}" / f"{recipe.name}-{recipe.version}" / "site.tar"
    if not path.is_file():
        raise SlitherError(f"{path} not found: give the BUILD_DIR the binary was built in (--build-dir)")
    return path


def is_test_member(name: str, test_dirs=("tests",)) -> bool:
    parts = name.split("/")
    return any(directory in parts[:-1] for directory in test_dirs) or parts[-1] == "conftest.py"


def extract_test_tree(site_tar: Path, package: str, tree: Path, test_dirs=("tests",)) -> int:
    """The package's test directories (tests/, or the names given: GPAW's test/) and conftest
    files, plus the __init__.py files that make their parents packages (pytest computes dotted
    names from them). Returns files written."""
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    with tarfile.open(site_tar) as archive:
        members = [member for member in archive.getmembers()
                   if member.isfile() and member.name.startswith(package + "/")]
        wanted = {member.name for member in members if is_test_member(member.name, test_dirs)}
        for name in list(wanted):
            parts = name.split("/")
            wanted |= {"/".join(parts[:depth] + ["__init__.py"]) for depth in range(1, len(parts))}
        chosen = [member for member in members if member.name in wanted]
        for member in chosen:
            if member.name.startswith("/") or ".." in member.name.split("/"):
                raise SlitherError(f"{site_tar}: unsafe member {member.name}")
            archive.extract(member, tree, set_attrs=False)
    return len(chosen)


def install_test_requirements(python: str, target: Path, requirements: Path = HERE / "requirements-pytest.txt") -> Path:
    """pytest, hypothesis and their dependencies (or another requirements file's pins), pinned by
    sha256, as a PYTHONPATH directory."""
    stamp = target / ".requirements"
    if stamp.is_file() and stamp.read_text() == requirements.read_text():
        return target
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                    "--only-binary", ":all:", "--require-hashes", "--no-compile", "--target", str(target),
                    "-r", str(requirements)], check=True)
    stamp.write_text(requirements.read_text())
    return target


def junit_outcomes(path: Path) -> dict[str, tuple[str, str]]:
    """{test id: (outcome, first line of the message)} from pytest's JUnit XML."""
    outcomes = {}
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = ("failed" if child.tag == "failure" else "error"), child.get("message", "")
            elif child.tag == "skipped":
                outcome = "xfailed" if child.get("type") == "pytest.xfail" else "skipped"
                message = child.get("message", "")
        if outcome == "error" and test_id in outcomes:  # an error in teardown of a test that ran
            test_id += "[teardown]"
        outcomes[test_id] = (outcome, message.strip().splitlines()[0][:160] if message.strip() else "")
    return outcomes


def pytest_command(interpreter: str, tree: Path, package: str, results: str, selection: list[str],
                   options: list[str] = NUMPY_PYTEST_OPTIONS, *, for_child_pytests: bool = False,
                   test_dirs=("tests",)) -> list[str]:
    """The driver's command line: pytest with no one's config file, the package's options, the
    directories NOT_RUN left out, results as JUnit XML (`results` may hold {rank}).
    for_child_pytests: pytest processes the tests start get the same configuration and finder."""
    (tree / "suite.ini").write_text("[pytest]\n")  # nothing from anyone's config files
    configuration = ["-c", str(tree / "suite.ini"), "--rootdir", str(tree), *options]
    left_out = [f"--ignore={tree / package / directory}" for directory in NOT_RUN.get(package, {})]
    child = ["--child-options", shlex.join(configuration)] if for_child_pytests else []
    child += [argument for directory in test_dirs if directory != "tests" for argument in ("--test-dir", directory)]
    return [interpreter, str(HERE / "pytest_driver.py"), "--tree", str(tree), "--package", package, *child, "--",
            *configuration, "--continue-on-collection-errors", *left_out, f"--junitxml={results}", *selection]


def suite_environment(interpreter: str, package: str, pythonpath: str, home: Path) -> dict:
    """The environment both sides run in: nothing of the caller's PYTHON* variables."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    # the interpreter's directory first on PATH, as if its venv were activated: the tests run the
    # install's console scripts (numpy-config), not whichever another install put on PATH
    environment.update(PACKAGE_ENVIRONMENT.get(package, {}))
    environment.update(PYTHONPATH=str(pythonpath), PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1",
                       HOME=str(home),
                       PATH=f"{Path(interpreter).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return environment


def fresh_directory(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def start_pytest_side(label: str, interpreter: str, tree: Path, package: str, pythonpath: Path, work: Path,
                      selection: list[str], options: list[str] = NUMPY_PYTEST_OPTIONS,
                      for_child_pytests: bool = False, test_dirs=("tests",), environment_extra=None) -> dict:
    """environment_extra: variables both sides get beyond suite_environment's (GPAW's setups)."""
    results = work / f"{package}-{label}.xml"
    log = work / f"{package}-{label}.log"
    results.unlink(missing_ok=True)
    run_dir = fresh_directory(work / f"run-{label}")
    command = pytest_command(interpreter, tree, package, str(results), selection, options,
                             for_child_pytests=for_child_pytests, test_dirs=test_dirs)
    environment = {**suite_environment(interpreter, package, str(pythonpath), run_dir), **(environment_extra or {})}
    say(f"{package} suite on {label}: {interpreter} (log: {log})")
    stream = open(log, "w")
    stream.write(" ".join(command) + "\n")
    stream.flush()
    process = subprocess.Popen(command, cwd=run_dir, env=environment, stdout=stream, stderr=subprocess.STDOUT)
    return {"label": label, "process": process, "stream": stream, "results": results, "log": log,
            "started": time.monotonic()}


# How long an interpreter may take to exit once pytest has written its results. CPython 3.11.2
# itself (the stock reference) can hang at exit after numpy's suite (gh-102126; python-static
# carries the fix, README "The CPython patches"): the results are complete, so it is stopped.
EXIT_GRACE_SECONDS = 60


def finish_pytest_side(side: dict, timeout: int, read_results=junit_outcomes) -> tuple[dict, float]:
    """Waits for a side started by start_pytest_side (or any side dict of the same keys) and
    returns (its outcomes, read from its results file by read_results, seconds)."""
    deadline = time.monotonic() + timeout
    status, written_at = None, None
    while status is None and time.monotonic() < deadline:
        status = side["process"].poll()
        if status is None and side["results"].is_file():
            written_at = written_at or time.monotonic()
            if time.monotonic() - written_at > EXIT_GRACE_SECONDS:
                say(f"{side['label']}: wrote its results but did not exit within {EXIT_GRACE_SECONDS} s; stopped")
                break
        time.sleep(1)
    if status is None:
        side["process"].kill()
        status = side["process"].wait()
    side["stream"].close()
    seconds = time.monotonic() - side["started"]
    if not side["results"].is_file():
        raise SlitherError(f"{side['label']}: the test run wrote no results (exit {status}); see {side['log']}")
    return read_results(side["results"]), seconds


def pytest_selection(tree: Path, package: str, *, full: bool, expression: str | None, parts: list[str]) -> list[str]:
    """pytest's arguments choosing the tests: numpy.test()'s default "fast" selection unless
    full, a -k expression, the given parts of the package (default: all of it)."""
    selection = [] if full else ["-m", "not slow"]
    if expression:
        selection += ["-k", expression]
    return selection + ([str(tree / package / part) for part in parts] or [str(tree / package)])


def selection_description(*, full: bool, expression: str | None, parts: list[str]) -> str:
    """The selection in words, for the summary."""
    return (("full" if full else 'pytest -m "not slow" (numpy.test() default)')
            + (f", -k {expression}" if expression else "") + (f", parts {' '.join(parts)}" if parts else ""))


def stock_venv(stock_python: str, binary: Path, recipe, work: Path, source_dirs: list[Path]) -> Path:
    """The stock venv of the package, with stock builds of what Slither built for its build
    (scipy: numpy, from the recipe the binary has), from the same sdists and options."""
    store = Path(default_cache_dir()) / "downloads"
    _, from_build = build_requirement_wheels(recipe, interpreter_series(stock_python), store, source_dirs)
    built_first = [StockBuild(package_recipe(binary, name)[1]) for name in from_build]
    return venv_with_packages(stock_python, [*built_first, StockBuild(recipe)], work, source_dirs)


def numpy_like_suite(args, package: str) -> tuple[int, Path]:
    """The package's pytest suite (args: harness/suites/run's options) in python-static and in
    the stock interpreter, compared; (exit status, the summary JSON written)."""
    binary = Path(args.binary).resolve()
    build, recipe = package_recipe(binary, package)
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    tree = work / f"{package}-tests"
    files = extract_test_tree(site_archive(Path(args.build_dir), build, recipe), package, tree)
    say(f"{package} {recipe.version} ({recipe.name}): {files} test files from its site.tar -> {tree}")
    pythonpath = install_test_requirements(sys.executable, work / "pytest-packages")
    source_dirs = [Path(d) for d in args.sources.split(os.pathsep) if d]
    if args.stock_interpreter:  # already has the package: check it is the same version
        stock = Path(args.stock_interpreter)
        found = subprocess.run([str(stock), "-c", f"import {package}; print({package}.__version__)"],
                               stdout=subprocess.PIPE, text=True).stdout.strip()
        if found != recipe.version:
            raise SlitherError(f"--stock-interpreter {stock} has {package} {found or 'missing'}, "
                               f"the binary {recipe.version}")
    else:
        stock = stock_venv(args.stock_python, binary, recipe, work, source_dirs)
    selection = pytest_selection(tree, package, full=args.full, expression=args.k, parts=args.parts)
    interpreters = {"python-static": str(binary), "stock": str(stock)}
    started, sides, seconds = [], {}, {}
    for label, interpreter in interpreters.items():
        started.append(start_pytest_side(label, interpreter, tree, package, pythonpath, work, selection))
        if not args.parallel:
            sides[label], seconds[label] = finish_pytest_side(started.pop(), args.timeout)
    for side in started:
        sides[side["label"]], seconds[side["label"]] = finish_pytest_side(side, args.timeout)
    summary = compare(package, sides, seconds)
    for directory, reason in NOT_RUN.get(package, {}).items():
        say(f"not run on either side: {package}/{directory}: {reason}")
    if not (args.parts or args.k):  # the whole selection: a known difference nobody showed is stale
        used = {d["reason"] for d in summary["differences"]}
        for reason in unused_reasons(package, used):
            say(f"known difference seen in no test (outdated?): {reason}")
    summary.update(selection=selection_description(full=args.full, expression=args.k, parts=args.parts),
                   stock=str(stock), binary=str(binary), recipe=recipe.name)
    return (1 if unexplained(summary["differences"]) else 0), write_summary(work, package, summary)


