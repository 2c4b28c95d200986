"""netCDF4's own suite: the test/ directory of the recipe's sdist (the installed package has no
tests), run as its test/run_all.py builds it (unittest: every test_*.py, test_dap.py first)
through harness/suites/netcdf4_driver.py, once in python-static and once in a venv of the stock
interpreter with numpy, (mpi4py,) netCDF4, cftime, certifi and packaging built from the same
sources, netCDF4 against a stock shared netCDF-C over a stock shared HDF5 of the same variant
(harness.stock.netcdf). Each side runs in its own copy of test/ (the tests write files into the
current directory), with its own HOME and TMPDIR.

Parallel build (MODULES=numpy,mpi4py,netcdf4): then netCDF4's MPI tests, which are not in
test/ but are the examples its CI runs under mpirun (examples/mpi_example.py and
mpi_example_compressed.py: many ranks write one file, read it back and assert what they read),
under `mpiexec -n N` for each N in --ranks: python-static under the build's own mpiexec
(BUILD_DIR/bin/mpiexec), stock under the shared MPICH's. Every rank records its outcome; the
ranks' outcomes are collapsed into one per example ("mixed" when they disagree) and compared like
the serial ones, and so is whether mpiexec exited 0.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from slither.cache import default_cache_dir
from slither.commands import say
from slither.errors import SlitherError
from slither.sources.pinned import obtain
from slither.sources.unpack import safe_extract
from harness.stock.netcdf import binary_variant, stock_netcdf4_venv
from harness.suites.binary_under_test import package_recipe
from harness.suites.comparison import compare, unexplained, write_summary
from harness.suites.h5py_suite import compare_mpi_run, oversubscribed_environment, stock_mpiexec, summary_run
from harness.suites.known_differences import known_reason, unused_reasons
from harness.suites.mpi4py_suite import resolve_mpiexec
from harness.suites.pytest_suite import (HERE, finish_pytest_side, fresh_directory, install_test_requirements,
                                         suite_environment)

PACKAGE = "netcdf4"
DISTRIBUTION = "netCDF4"  # the import name, and the name the binary's manifest gives its recipe's package
DRIVER = HERE / "netcdf4_driver.py"
# What is taken from the sdist: the test suite and the examples its MPI tests are.
SUITE_DIRECTORIES = ("test", "examples")
# test_dap.py reads a live OPeNDAP server unless NO_NET is set (netCDF4's own switch): neither
# side's netCDF-C can (the netcdf-c recipe says --disable-dap), and a compute node has no network.
SUITE_ENVIRONMENT = {"NO_NET": "1"}
# The examples netCDF4's CI runs under `mpirun -np 4`, as (script, arguments ...).
MPI_EXAMPLES = (("mpi_example.py",), ("mpi_example_compressed.py",))
# What its CI also runs, left out on both sides, and why.
MPI_EXAMPLES_NOT_RUN = {
    "examples/mpi_example.py NETCDF3_64BIT_DATA":
        "netCDF-3 (CDF5) files in parallel need PnetCDF, which the netcdf-c recipe does not build "
        "(neither side has it)",
}
# mpiexec -n values when --ranks is not given; a serial build has no MPI tests.
DEFAULT_RANKS = {"parallel": "2,4", "serial": ""}
# One example writes and reads a 4-element variable: seconds, even oversubscribed. A rank that
# dies without aborting the job leaves the others waiting in a collective call; this bounds it.
EXAMPLE_TIMEOUT_SECONDS = 600


def extract_suite_files(sdist: Path, tree: Path) -> int:
    """The sdist's test/ and examples/ into tree/ (safely: slither.sources.unpack); returns the
    number of files."""
    shutil.rmtree(tree, ignore_errors=True)
    unpacked = tree.with_name(tree.name + ".sdist")
    shutil.rmtree(unpacked, ignore_errors=True)
    safe_extract(sdist, unpacked, strip_components=1)
    tree.mkdir(parents=True)
    for directory in SUITE_DIRECTORIES:
        if not (unpacked / directory).is_dir():
            shutil.rmtree(unpacked, ignore_errors=True)
            raise SlitherError(f"{sdist.name} has no {directory}/ directory")
        shutil.move(str(unpacked / directory), tree / directory)
    shutil.rmtree(unpacked)
    return sum(1 for path in tree.rglob("*") if path.is_file())


def read_driver_outcomes(path: Path) -> dict[str, tuple[str, str]]:
    """{test id: (outcome, message)} from the driver's results file."""
    return {test: tuple(value) for test, value in json.loads(Path(path).read_text())["outcomes"].items()}


def side_environment(interpreter: str, run_dir: Path) -> dict:
    """The environment both sides run in (pytest_suite.suite_environment: none of the caller's
    PYTHON* variables, HOME the run directory), netCDF4's switches, and a TMPDIR of the side's
    own: the tests leave temporary .nc files behind, and the sides may run at the same time."""
    environment = suite_environment(interpreter, PACKAGE, "", run_dir)
    del environment["PYTHONPATH"]  # pytest comes from the driver's --append-path, not before the install's packages
    temporary = run_dir / "tmp"
    temporary.mkdir(parents=True, exist_ok=True)
    return {**environment, **SUITE_ENVIRONMENT, "TMPDIR": str(temporary)}


def start_unittest_side(label: str, interpreter: str, tree: Path, work: Path, pytest_packages: Path) -> dict:
    """run_all's suite in the side's own copy of test/, started (finish_pytest_side waits for it)."""
    run_dir = fresh_directory(work / f"{PACKAGE}-run-{label}")
    test_dir = run_dir / "test"
    shutil.copytree(tree / "test", test_dir)
    results = work / f"{PACKAGE}-{label}.json"
    log = work / f"{PACKAGE}-{label}.log"
    results.unlink(missing_ok=True)
    command = [interpreter, str(DRIVER), "unittest", str(results), "--append-path", str(pytest_packages)]
    say(f"{PACKAGE} suite on {label}: {interpreter} (log: {log})")
    stream = open(log, "w")
    stream.write(" ".join(command) + "\n")
    stream.flush()
    process = subprocess.Popen(command, cwd=test_dir, env=side_environment(interpreter, run_dir), stdout=stream,
                               stderr=subprocess.STDOUT)
    return {"label": label, "process": process, "stream": stream, "results": results, "log": log,
            "started": time.monotonic()}


def example_name(example: tuple[str, ...]) -> str:
    """A directory-safe name of one example run: mpi_example, mpi_example-netcdf3_64bit_data."""
    script, *arguments = example
    return "-".join([Path(script).stem, *arguments]).lower()


def example_id(example: tuple[str, ...]) -> str:
    """The test id the driver records (netcdf4_driver.example_id)."""
    script, *arguments = example
    return " ".join([f"examples/{script}", *arguments])


def run_example(label: str, mpiexec: str, interpreter: str, ranks: int, tree: Path, work: Path,
                example: tuple[str, ...], timeout: int) -> dict:
    """`mpiexec -n ranks` of one example through the driver, in a fresh directory; every rank's
    outcome from its own results file."""
    script, *arguments = example
    name = f"{PACKAGE}-{label}-n{ranks}-{example_name(example)}"
    results_dir = fresh_directory(work / name)
    run_dir = fresh_directory(work / f"{PACKAGE}-run-{label}-n{ranks}-{example_name(example)}")
    log = work / f"{name}.log"
    command = [mpiexec, "-n", str(ranks), interpreter, str(DRIVER), "example", str(results_dir),
               str(tree / "examples" / script), *arguments]
    environment = oversubscribed_environment(side_environment(interpreter, run_dir), ranks)
    started = time.monotonic()
    with open(log, "w") as stream:
        stream.write(" ".join(command) + "\n")
        stream.flush()
        try:
            code = subprocess.run(command, cwd=run_dir, env=environment, stdout=stream, stderr=subprocess.STDOUT,
                                  timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            code = -1
    outcomes = {}
    for path in sorted(results_dir.glob("rank*.json")):
        record = json.loads(path.read_text())
        outcomes[int(record["rank"])] = {test: tuple(value) for test, value in record["outcomes"].items()}
    return {"exit": code, "seconds": round(time.monotonic() - started), "ranks_reporting": len(outcomes),
            "outcomes": outcomes, "log": str(log)}


def merge_example_runs(runs: dict[str, dict], ranks: int) -> dict:
    """One side's examples at -n ranks ({example id: run_example's result}) as one side of
    h5py_suite.compare_mpi_run: every rank's outcomes over all examples, the fewest ranks that
    reported for any example, the seconds summed, the logs of the runs that lack a rank's result
    (else every log), and per example its exit status and log."""
    outcomes: dict[int, dict] = {}
    for run in runs.values():
        for rank, by_test in run["outcomes"].items():
            outcomes.setdefault(rank, {}).update(by_test)
    short = [run["log"] for run in runs.values() if run["ranks_reporting"] != ranks]
    return {"outcomes": outcomes, "ranks_reporting": min((run["ranks_reporting"] for run in runs.values()), default=0),
            "seconds": sum(run["seconds"] for run in runs.values()),
            "log": ", ".join(short or [run["log"] for run in runs.values()]),
            "examples": {test: {key: run[key] for key in ("exit", "seconds", "ranks_reporting", "log")}
                         for test, run in runs.items()}}


def exit_differences(run: dict) -> list[dict]:
    """The examples after which mpiexec exited 0 on one side and not on the other (a rank that
    crashed after writing its outcome, say), as differences with their known reason."""
    differences = []
    static, stock = run["python-static"]["examples"], run["stock"]["examples"]
    for test in sorted(set(static) | set(stock)):
        codes = (static.get(test, {}).get("exit"), stock.get(test, {}).get("exit"))
        if (codes[0] == 0) != (codes[1] == 0):
            name = f"{test} (mpiexec exit status)"
            differences.append({"test": name, "python-static": f"exit {codes[0]}", "stock": f"exit {codes[1]}",
                                "message": "", "reason": known_reason(PACKAGE, name)})
    return differences


def compare_example_run(ranks: int, run: dict) -> int:
    """h5py_suite.compare_mpi_run for netCDF4's examples, then the exit statuses; 1 when a
    difference is unexplained or a rank gave no result."""
    status = compare_mpi_run(ranks, run, PACKAGE)
    for difference in exit_differences(run):
        run["differences"].append(difference)
        say(f"    {'' if difference['reason'] else 'UNEXPLAINED '}{difference['test']}: python-static "
            f"{difference['python-static']}, stock {difference['stock']}"
            + (f" -- {difference['reason']}" if difference["reason"] else ""))
        if not difference["reason"]:
            status = 1
    return status


def ranks_to_run(text: str, variant: str) -> list[int]:
    ranks = [int(n) for n in text.split(",") if n.strip()] if text else []
    if ranks and variant != "parallel":
        raise SlitherError(f"--ranks {text}: the binary's netCDF4 is serial (build it with mpi4py in MODULES "
                           f"for netCDF4's MPI tests), or give --ranks ''")
    return ranks


def summary_name(variant: str) -> str:
    """What the summary is named: a serial build's beside the parallel one's, which has every run."""
    return PACKAGE if variant == "parallel" else f"{PACKAGE}-{variant}"


def refuse_unsupported(args) -> None:
    """run_all's suite is one unittest run: it has no -k, parts or slow tests to choose from."""
    given = [option for option, value in (("-k", args.k), ("parts", args.parts), ("--full", args.full),
                                          ("--stock-interpreter", args.stock_interpreter)) if value]
    if given:
        raise SlitherError(f"netcdf4: {', '.join(given)} not supported (its suite is run_all's, whole, beside a "
                           f"stock venv built from the same sources)")


def netcdf4_suite(args) -> tuple[int, Path]:
    """netCDF4's suite (args: harness/suites/run's options) serial, then its MPI examples under
    mpiexec -n N for a parallel build, in python-static and in stock; (exit status, the summary
    JSON written)."""
    refuse_unsupported(args)
    binary = Path(args.binary).resolve()
    build_dir = Path(args.build_dir)
    build, recipe = package_recipe(binary, DISTRIBUTION)
    variant = binary_variant(build)
    ranks = ranks_to_run(DEFAULT_RANKS[variant] if args.ranks is None else args.ranks, variant)
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    source_dirs = [Path(d) for d in args.sources.split(os.pathsep) if d]
    sdist = obtain(recipe.source, search_dirs=source_dirs, store=Path(default_cache_dir()) / "downloads",
                   upstream_version=recipe.version, log=say)
    tree = work / f"{PACKAGE}-tests"
    files = extract_suite_files(sdist, tree)
    say(f"{PACKAGE} {recipe.version} ({variant}): {files} files of test/ and examples/ from {sdist.name} -> {tree}")
    # test_cli.py imports pytest (run_all imports every test module): the pinned pytest, appended
    pytest_packages = install_test_requirements(sys.executable, work / "pytest-packages")
    stock, stock_described = stock_netcdf4_venv(args.stock_python, binary, build, build_dir, work, source_dirs,
                                                stock_mpi_prefix=args.stock_mpi)
    sides = {"python-static": f"{binary} ({variant} netCDF-C and HDF5 linked in)",
             "stock": f"{stock} ({stock_described})"}
    for label, text in sides.items():
        say(f"{label}: {text}")

    interpreters = {"python-static": str(binary), "stock": str(stock)}
    started, serial = [], {}
    for label, interpreter in interpreters.items():
        started.append(start_unittest_side(label, interpreter, tree, work, pytest_packages))
        if not args.parallel:
            serial[label] = finish_pytest_side(started.pop(), args.timeout, read_driver_outcomes)
    for side in started:
        serial[side["label"]] = finish_pytest_side(side, args.timeout, read_driver_outcomes)
    serial_summary = compare(PACKAGE, {label: serial[label][0] for label in interpreters},
                             {label: serial[label][1] for label in interpreters})
    status = 1 if unexplained(serial_summary["differences"]) else 0
    runs = {"serial": {label: {"counts": serial_summary["counts"][label],
                               "seconds": round(serial_summary["seconds"][label])} for label in interpreters}}
    runs["serial"]["differences"] = serial_summary["differences"]

    mpiexecs = {}
    if ranks:
        mpiexecs = {"python-static": resolve_mpiexec(args.mpiexec, build_dir / "bin" / "mpiexec",
                                                     "--mpiexec (the mpiexec beside the binary, BUILD_DIR/bin)"),
                    "stock": resolve_mpiexec("", stock_mpiexec(args.stock_mpi, build, build_dir),
                                             "--stock-mpi (the prefix of `scons reference-mpi`)")}
        for test, reason in MPI_EXAMPLES_NOT_RUN.items():
            say(f"not run on either side: {test}: {reason}")
    for count in ranks:
        run = {}
        for label, interpreter in interpreters.items():
            say(f"{PACKAGE} MPI examples on {label}, mpiexec -n {count}")
            examples = {example_id(example): run_example(label, mpiexecs[label], interpreter, count, tree, work,
                                                         example, min(args.timeout, EXAMPLE_TIMEOUT_SECONDS))
                        for example in MPI_EXAMPLES}
            for test, result in examples.items():
                say(f"  {label} -n {count} {test}: exit {result['exit']}, results from {result['ranks_reporting']} "
                    f"of {count} ranks ({result['seconds']} s; log: {result['log']})")
            run[label] = merge_example_runs(examples, count)
        status |= compare_example_run(count, run)
        runs[str(count)] = summary_run(run)

    used = {d["reason"] for run in runs.values() for d in run["differences"]}
    for reason in unused_reasons(PACKAGE, used):
        say(f"known difference seen in no run (outdated?): {reason}")
    summary = {"package": PACKAGE, "version": recipe.version, "variant": variant,
               "selection": "netCDF4's test/run_all.py (unittest)"
                            + ("" if not ranks else "; under mpiexec " + ", ".join(map(example_id, MPI_EXAMPLES))),
               "not_run": MPI_EXAMPLES_NOT_RUN if ranks else {},
               "sides": sides, "mpiexec": mpiexecs, "runs": runs}
    return status, write_summary(work, summary_name(variant), summary)
