"""h5py's own suite: its installed tests (h5py/tests, taken from the package's site.tar in
BUILD_DIR, the very files the binary froze) run by pytest through harness/suites/pytest_driver.py,
as h5py.run_tests() runs them (pytest over the installed package, no configuration file), once
in python-static and once in a venv of the stock interpreter with numpy, (mpi4py,) and h5py built
from the same sdists against a stock shared HDF5 of the same variant (harness.stock.h5py).

Serial: one process per side; h5py's tests marked `mpi` are skipped (pytest-mpi, without
--with-mpi). With a parallel build, then its MPI tests, as pytest-mpi runs them (--only-mpi:
the tests marked `mpi`, every other one skipped; --full: every test with --with-mpi, as h5py's
tox.ini runs its MPI job) under `mpiexec -n N` for each N in --ranks: python-static under the build's own mpiexec (BUILD_DIR/bin/mpiexec, its MPICH's hydra), stock
under the shared MPICH's. Every rank writes its own JUnit XML; the ranks' outcomes are collapsed
into one per test ("mixed" when they disagree) and compared like the serial ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from slither.commands import say
from slither.errors import SlitherError
from harness.stock import mpi as stock_mpi
from harness.stock.h5py import binary_variant, stock_h5py_venv
from harness.suites.binary_under_test import package_recipe
from harness.suites.comparison import (OUTCOMES, outcome_counts, outcome_differences, report_differences,
                                       serial_run, unexplained, write_summary)
from harness.suites.known_differences import unused_reasons
from harness.suites.mpi4py_suite import collapse_ranks, resolve_mpiexec
from harness.suites.pytest_suite import (EXIT_GRACE_SECONDS, HERE, extract_test_tree, finish_pytest_side,
                                         fresh_directory, install_test_requirements, junit_outcomes, pytest_command,
                                         site_archive, start_pytest_side, suite_environment)

PACKAGE = "h5py"
# numpy.test()'s way of running pytest without what would differ between the sides (see
# pytest_suite.NUMPY_PYTEST_OPTIONS: no cache, plain asserts, the test tree appended), and the
# plugin h5py's tests need (the `mpi` marker, --with-mpi/--only-mpi, the mpi_file_name fixture).
# h5py's `subproc` tests re-run themselves in a child pytest: it gets the same (for_child_pytests).
PYTEST_OPTIONS = ["-q", "-rs", "-p", "no:cacheprovider", "--assert=plain", "--import-mode=append"]
PYTEST_MPI_PLUGIN = ["-p", "pytest_mpi"]
H5PY_PYTEST_OPTIONS = PYTEST_OPTIONS + PYTEST_MPI_PLUGIN
# Under mpiexec: the tests marked `mpi` (pytest-mpi's --only-mpi; the others are skipped), or with
# --full every test with --with-mpi, as h5py's tox.ini runs its MPI job (tests marked mpi_skip skipped).
MPI_SELECTION = ["--only-mpi"]
MPI_FULL_SELECTION = ["--with-mpi"]
MPI_OUTCOMES = OUTCOMES + ("mixed",)
# mpiexec -n values when --ranks is not given: two; a serial build has no MPI tests.
DEFAULT_RANKS = {"parallel": "2,4", "serial": ""}


def oversubscribed_environment(environment: dict, ranks: int) -> dict:
    """More ranks than cores: MPICH's ch3 ranks busy-poll and yield only every 1000th poll, so
    a rank that must progress waits behind spinning ones (harness/suites/mpi4py_suite.py)."""
    if ranks > (os.cpu_count() or 1) and "MPIR_CVAR_POLLS_BEFORE_YIELD" not in environment:
        return {**environment, "MPIR_CVAR_POLLS_BEFORE_YIELD": "1"}
    return environment


def run_mpi_side(label: str, mpiexec: str, interpreter: str, ranks: int, tree: Path, pythonpath: str, work: Path,
                 selection: list[str], timeout: int, *, package: str = PACKAGE,
                 options: list[str] = H5PY_PYTEST_OPTIONS, test_dirs=("tests",), environment_extra=None) -> dict:
    """`mpiexec -n ranks` of the driver; every rank's outcomes from its own JUnit XML (also GPAW's,
    harness/suites/gpaw_suite.py, with its own options, test directory and variables)."""
    name = f"{package}-{label}-n{ranks}"
    results_dir = fresh_directory(work / name)
    run_dir = fresh_directory(work / f"run-{label}-n{ranks}")
    log = work / f"{name}.log"
    # each rank its own results and its own pytest base directory (h5py's mpi_file_name and GPAW's
    # in_tmp_dir broadcast rank 0's)
    command = [mpiexec, "-n", str(ranks),
               *pytest_command(interpreter, tree, package, str(results_dir / "rank{rank}.xml"),
                               [*selection, f"--basetemp={run_dir / 'tmp-rank{rank}'}", str(tree / package)],
                               options, for_child_pytests=True, test_dirs=test_dirs)]
    environment = oversubscribed_environment(
        {**suite_environment(interpreter, package, pythonpath, run_dir), **(environment_extra or {})}, ranks)
    say(f"{package} MPI tests on {label}, mpiexec -n {ranks} (log: {log})")
    started = time.monotonic()
    with open(log, "w") as stream:
        stream.write(" ".join(command) + "\n")
        stream.flush()
        code = run_until_every_rank_reported(command, run_dir, environment, stream, results_dir, ranks, timeout)
    seconds = round(time.monotonic() - started)
    outcomes = {int(path.stem[len("rank"):]): junit_outcomes(path) for path in sorted(results_dir.glob("rank*.xml"))}
    say(f"  {label} -n {ranks}: exit {code}, results from {len(outcomes)} of {ranks} ranks ({seconds} s)")
    return {"exit": code, "seconds": seconds, "ranks_reporting": len(outcomes), "outcomes": outcomes, "log": str(log)}


def run_until_every_rank_reported(command: list[str], cwd: Path, environment: dict, stream, results_dir: Path,
                                  ranks: int, timeout: int, exit_grace: int = EXIT_GRACE_SECONDS) -> int:
    """mpiexec's exit status once it exits; or, when every rank has written its results and the
    job has not exited `exit_grace` seconds later (the stock reference CPython 3.11.2 can hang at
    exit, gh-102126, as in pytest_suite.finish_pytest_side), or at the timeout, the whole job is
    killed (it runs in a session of its own) and the status is -9."""
    process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=stream, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline, reported_at = time.monotonic() + timeout, None
    while (code := process.poll()) is None:
        now = time.monotonic()
        if reported_at is None and len(list(results_dir.glob("rank*.xml"))) >= ranks:
            reported_at = now
        if now > deadline or (reported_at is not None and now - reported_at > exit_grace):
            why = "the timeout" if now > deadline else f"every rank wrote its results {exit_grace} s before"
            stream.write(f"\nharness: the job did not exit; killed ({why})\n")
            stream.flush()
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return -9
        time.sleep(1)
    return code


def compare_mpi_run(ranks: int, run: dict, package: str = PACKAGE, kinds: tuple[str, ...] = MPI_OUTCOMES) -> int:
    """Counts side by side and the differences of one -n; 1 when one is unexplained or a rank
    gave no results (also netCDF4's, harness/suites/netcdf4_suite.py, and GPAW's, whose kinds
    add `hung`: harness/suites/mpi_file_by_file.py)."""
    status = 0
    for label, side in run.items():
        if side["ranks_reporting"] != ranks:
            say(f"  {label} -n {ranks}: results from {side['ranks_reporting']} of {ranks} ranks; see {side['log']}")
            status = 1
        side["collapsed"] = collapse_ranks(side["outcomes"])
        side["counts"] = outcome_counts(side["collapsed"], kinds)
    differences = outcome_differences(package, ("python-static", run["python-static"]["collapsed"]),
                                      ("stock", run["stock"]["collapsed"]))
    say(f"{package} MPI tests, -n {ranks}: outcomes per test (the same on every rank unless 'mixed')")
    say(f"  {'outcome':<10}{'python-static':>15}{'stock':>10}")
    for outcome in kinds:
        say(f"  {outcome:<10}{run['python-static']['counts'][outcome]:>15}{run['stock']['counts'][outcome]:>10}")
    say(f"  {'seconds':<10}{run['python-static']['seconds']:>15}{run['stock']['seconds']:>10}")
    report_differences(differences, ("python-static", "stock"))
    run["differences"] = differences
    return 1 if unexplained(differences) or status else 0


def summary_run(run: dict) -> dict:
    """What the summary keeps of a run: counts, seconds, exit status, logs (not every outcome)."""
    return {label: value if label == "differences" else
            {key: item for key, item in value.items() if key not in ("outcomes", "collapsed")}
            for label, value in run.items()}


def ranks_to_run(text: str, variant: str) -> list[int]:
    ranks = [int(n) for n in text.split(",") if n.strip()] if text else []
    if ranks and variant != "parallel":
        raise SlitherError(f"--ranks {text}: the binary's h5py is serial (build it with mpi4py in MODULES "
                           f"for h5py's MPI tests), or give --ranks ''")
    return ranks


def h5py_suite(args) -> tuple[int, Path]:
    """h5py's suite (args: harness/suites/run's options) serial, then under mpiexec -n N for a
    parallel build, in python-static and in stock; (exit status, the summary JSON written)."""
    binary = Path(args.binary).resolve()
    build_dir = Path(args.build_dir)
    build, recipe = package_recipe(binary, PACKAGE)
    variant = binary_variant(build)
    ranks = ranks_to_run(DEFAULT_RANKS[variant] if args.ranks is None else args.ranks, variant)
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    tree = work / f"{PACKAGE}-tests"
    files = extract_test_tree(site_archive(build_dir, build, recipe), PACKAGE, tree)
    say(f"{PACKAGE} {recipe.version} ({variant}): {files} test files from its site.tar -> {tree}")
    pythonpath = os.pathsep.join(str(path) for path in (
        install_test_requirements(sys.executable, work / "pytest-packages"),
        install_test_requirements(sys.executable, work / "pytest-mpi-packages", HERE / "requirements-pytest-mpi.txt")))
    source_dirs = [Path(d) for d in args.sources.split(os.pathsep) if d]
    stock, stock_described = stock_h5py_venv(args.stock_python, build, build_dir, work, source_dirs,
                                             stock_mpi_prefix=args.stock_mpi)
    sides = {"python-static": f"{binary} ({variant} HDF5 linked in)", "stock": f"{stock} ({stock_described})"}
    for label, text in sides.items():
        say(f"{label}: {text}")

    selection = ["-k", args.k] if args.k else []
    serial = {}
    for label, interpreter in (("python-static", str(binary)), ("stock", str(stock))):
        side = start_pytest_side(label, interpreter, tree, PACKAGE, pythonpath, work, [*selection, str(tree / PACKAGE)],
                                 H5PY_PYTEST_OPTIONS, for_child_pytests=True)
        serial[label] = finish_pytest_side(side, args.timeout)
    status, serial_summary = serial_run(PACKAGE, serial)
    runs = {"serial": serial_summary}

    mpiexecs = {}
    if ranks:
        mpiexecs = {"python-static": resolve_mpiexec(args.mpiexec, build_dir / "bin" / "mpiexec",
                                                     "--mpiexec (the mpiexec beside the binary, BUILD_DIR/bin)"),
                    "stock": resolve_mpiexec("", stock_mpiexec(args.stock_mpi, build, build_dir),
                                             "--stock-mpi (the prefix of `scons reference-mpi`)")}
    for count in ranks:
        run = {label: run_mpi_side(label, mpiexecs[label], interpreter, count, tree, pythonpath, work,
                                   [*(MPI_FULL_SELECTION if args.full else MPI_SELECTION), *selection], args.timeout)
               for label, interpreter in (("python-static", str(binary)), ("stock", str(stock)))}
        status |= compare_mpi_run(count, run)
        runs[str(count)] = summary_run(run)

    if not args.k:  # the whole selection: a known difference nobody showed is stale
        used = {d["reason"] for run in runs.values() for d in run["differences"]}
        for reason in unused_reasons(PACKAGE, used):
            say(f"known difference seen in no run (outdated?): {reason}")
    summary = {"package": PACKAGE, "version": recipe.version, "variant": variant,
               "selection": "h5py.run_tests() (pytest over h5py.tests)"
                            + ("" if not ranks else "; under mpiexec " + ("every test with pytest-mpi's --with-mpi"
                                                                          if args.full else
                                                                          "pytest-mpi's --only-mpi (the tests marked mpi)"))
                            + (f", -k {args.k}" if args.k else ""),
               "sides": sides, "mpiexec": mpiexecs, "runs": runs}
    return status, write_summary(work, summary_name(variant), summary)


def summary_name(variant: str) -> str:
    """What the summary is named: a serial build's beside the parallel one's, which has every run."""
    return PACKAGE if variant == "parallel" else f"{PACKAGE}-{variant}"


def stock_mpiexec(stock_mpi_prefix: str, build: dict, build_dir: Path) -> Path:
    """The shared MPI's mpiexec (the prefix given, or that of `scons reference-mpi`)."""
    prefix = (Path(stock_mpi_prefix) if stock_mpi_prefix
              else stock_mpi.shared_prefix(build_dir, stock_mpi.stock_mpi_recipe(), build["target"]))
    return prefix.resolve() / "bin" / "mpiexec"
