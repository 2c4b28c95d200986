"""GPAW's own suite and one small calculation, in python-static and beside a stock GPAW.

The tests: gpaw/test from the package's site.tar in BUILD_DIR (the very files the binary froze),
the ones GPAW's own CI runs (`pytest -m ci`: 49 files of fast tests across its parts: grids,
LCAO, plane waves, XC through libxc, the Poisson solvers, BLAS wrappers, MPI), run by pytest
through harness/suites/pytest_driver.py without GPAW's pytest.ini (no doctests), serial and
under `mpiexec -n N` for each N in --ranks (default 2,4), every rank writing its own JUnit XML,
as GPAW runs its parallel tests (`gpaw -P N python -m pytest`: the cgpaw MPI backend on every
rank). Under mpiexec, one job per test file (the files of the tests the serial runs reported),
each bounded by FILE_TIMEOUT_SECONDS: GPAW's tests on 4 ranks without ScaLAPACK fail in ways
that leave the ranks of one job waiting for each other (harness/suites/mpi_file_by_file.py).
The whole suite is hours on 2 cores and most of it computes reference files first; the CI
selection is what GPAW itself checks on every change.

Both sides read the PAW setups of the pinned gpaw-data wheel, unpacked once into WORK and named
by GPAW_SETUP_PATH (python-static leaves gpaw-data out: modules/packages/gpaw.py).

Then H2 in a box (harness/suites/gpaw_h2_energy.py) serial and on 4 ranks on both sides: the
energies must agree to 1e-6 eV. The stock side: harness.stock.gpaw.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from slither.commands import say
from slither.errors import SlitherError
from slither.cache import default_cache_dir
from slither.recipes import pinned_wheel
from slither.sources.pinned import obtain
from harness.stock.gpaw import stock_gpaw_venv
from harness.suites.binary_under_test import package_recipe
from harness.suites.comparison import serial_run, write_summary
from harness.suites.h5py_suite import (MPI_OUTCOMES, PYTEST_OPTIONS, compare_mpi_run, oversubscribed_environment,
                                       stock_mpiexec, summary_run)
from harness.suites.known_differences import unused_reasons
from harness.suites.mpi4py_suite import resolve_mpiexec
from harness.suites.mpi_file_by_file import HUNG, run_mpi_side_file_by_file
from harness.suites.pytest_suite import (HERE, extract_test_tree, finish_pytest_side, fresh_directory,
                                         install_test_requirements, site_archive, start_pytest_side,
                                         suite_environment)

PACKAGE = "gpaw"
TEST_DIRS = ("test",)
SELECTION = ["-m", "ci"]
# The suites' pytest options (h5py_suite.PYTEST_OPTIONS) but with pytest's cache: GPAW's gpw_files
# fixture computes the .gpw files its tests read into the cache directory (request.config.cache).
# Each run gets a fresh one of its own (cache_option), so no side reads what the other computed.
GPAW_PYTEST_OPTIONS = [option for option in PYTEST_OPTIONS if option not in ("-p", "no:cacheprovider")]


def cache_option(run_dir: Path) -> list[str]:
    """pytest's cache in the run's own (fresh) directory."""
    return ["-o", f"cache_dir={run_dir / 'pytest-cache'}"]


DEFAULT_RANKS = "2,4"
# One test file's job under mpiexec at most (--timeout, if smaller): the slowest file of the CI
# selection takes about 90 s serially on 2 cores.
FILE_TIMEOUT_SECONDS = 300
# The PAW setups both sides read: gpaw-data's wheel (GPAW's Requires-Dist names gpaw-data).
GPAW_DATA = pinned_wheel("gpaw-data", "1.2.1", "gpaw_data-1.2.1-py3-none-any.whl",
                         "5ded7ef43ca9b53332ad2fe9d7951dd36e6fba221662227fd24abf748b904c27")
ENERGY_TOLERANCE_EV = 1e-6
ENERGY_RANKS = (1, 4)


def unpacked_setups(work: Path, source_dirs: list[Path]) -> Path:
    """gpaw_data/setups of the pinned wheel, unpacked once into WORK/gpaw-setups-<version>."""
    directory = work / f"gpaw-setups-{GPAW_DATA.pip.version}"
    setups = directory / "gpaw_data" / "setups"
    if (directory / ".complete").is_file():
        return setups
    wheel = obtain(GPAW_DATA, search_dirs=source_dirs, store=Path(default_cache_dir()) / "downloads", log=say)
    fresh_directory(directory)
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if name.startswith("gpaw_data/setups/")]
        archive.extractall(directory, members)
    (directory / ".complete").write_text(wheel.name)
    return setups


def gpaw_environment(setups: Path, parallel: bool) -> dict:
    """What both sides get beyond the suite's environment: the setups, one thread per rank, and
    under mpiexec the cgpaw backend (what `gpaw python` sets)."""
    environment = {"GPAW_SETUP_PATH": str(setups), "OMP_NUM_THREADS": "1"}
    if parallel:
        environment["GPAW_MPI_BACKEND"] = "cgpaw"
    return environment


def h2_energy(label: str, interpreter: str, mpiexec: str | None, ranks: int, work: Path, pythonpath: str,
              setups: Path, timeout: int) -> dict:
    """H2's energy on `ranks` ranks (1: no mpiexec) on one side."""
    run_dir = fresh_directory(work / f"h2-{label}-n{ranks}")
    result, log = run_dir / "energy.json", work / f"gpaw-h2-{label}-n{ranks}.log"
    command = [interpreter, str(HERE / "gpaw_h2_energy.py"), str(result)]
    if ranks > 1:
        command = [mpiexec, "-n", str(ranks), *command]
    environment = {**suite_environment(interpreter, PACKAGE, pythonpath, run_dir),
                   **gpaw_environment(setups, ranks > 1)}
    environment = oversubscribed_environment(environment, ranks)
    started = time.monotonic()
    with open(log, "w") as stream:
        code = subprocess.run(command, cwd=run_dir, env=environment, stdout=stream, stderr=subprocess.STDOUT,
                              timeout=timeout).returncode
    seconds = round(time.monotonic() - started, 1)
    if code != 0 or not result.is_file():
        raise SlitherError(f"H2 on {label}, {ranks} rank(s): exit {code}, no energy; see {log}")
    energy = json.loads(result.read_text())
    if energy["ranks"] != ranks:
        raise SlitherError(f"H2 on {label}: GPAW ran on {energy['ranks']} rank(s), not {ranks}; see {log}")
    say(f"  H2 {label} -n {ranks}: {energy['energy_eV']:.9f} eV ({seconds} s)")
    return {"energy_eV": energy["energy_eV"], "seconds": seconds, "log": str(log)}


def compare_energies(energies: dict) -> tuple[int, dict]:
    """Every run's energy against stock's serial one: (1 if one differs by more than the
    tolerance, the differences in eV)."""
    reference = energies["stock"][1]["energy_eV"]
    differences = {f"{label} -n {ranks}": abs(run["energy_eV"] - reference)
                   for label, runs in energies.items() for ranks, run in runs.items()}
    worst = max(differences.values())
    say(f"H2 energies: largest difference from stock serial {worst:.2e} eV (tolerance {ENERGY_TOLERANCE_EV:g} eV)")
    return (0 if worst <= ENERGY_TOLERANCE_EV else 1), differences


def gpaw_suite(args) -> tuple[int, Path]:
    """GPAW's CI tests serial and under mpiexec -n N, then H2 serial and on 4 ranks, in
    python-static and in stock; (exit status, the summary JSON written)."""
    binary = Path(args.binary).resolve()
    build_dir = Path(args.build_dir)
    build, recipe = package_recipe(binary, PACKAGE)
    ranks = [int(n) for n in (DEFAULT_RANKS if args.ranks is None else args.ranks).split(",") if n.strip()]
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    source_dirs = [Path(d) for d in args.sources.split(os.pathsep) if d]
    tree = work / f"{PACKAGE}-tests"
    files = extract_test_tree(site_archive(build_dir, build, recipe), PACKAGE, tree, TEST_DIRS)
    say(f"{PACKAGE} {recipe.version}: {files} test files from its site.tar -> {tree}")
    setups = unpacked_setups(work, source_dirs)
    pythonpath = str(install_test_requirements(sys.executable, work / "pytest-packages"))
    stock, stock_described = stock_gpaw_venv(args.stock_python, binary, build, build_dir, work, source_dirs,
                                             stock_mpi_prefix=args.stock_mpi)
    sides = {"python-static": f"{binary} (GPAW, libxc, OpenBLAS and MPICH linked in)",
             "stock": f"{stock} ({stock_described})"}
    interpreters = {"python-static": str(binary), "stock": str(stock)}
    for label, text in sides.items():
        say(f"{label}: {text}")
    selection = [*SELECTION, *(["-k", args.k] if args.k else [])]

    serial = {}
    for label, interpreter in interpreters.items():
        side = start_pytest_side(label, interpreter, tree, PACKAGE, pythonpath, work,
                                 [*selection, *cache_option(work / f"run-{label}"), str(tree / PACKAGE / "test")],
                                 GPAW_PYTEST_OPTIONS, test_dirs=TEST_DIRS,
                                 environment_extra=gpaw_environment(setups, parallel=False))
        serial[label] = finish_pytest_side(side, args.timeout)
    status, serial_summary = serial_run(PACKAGE, serial)
    runs = {"serial": serial_summary}

    mpiexecs = {"python-static": resolve_mpiexec(args.mpiexec, build_dir / "bin" / "mpiexec",
                                                 "--mpiexec (the mpiexec beside the binary, BUILD_DIR/bin)"),
                "stock": resolve_mpiexec("", stock_mpiexec(args.stock_mpi, build, build_dir),
                                         "--stock-mpi (the prefix of `scons reference-mpi`)")}
    # the tests the serial runs reported, on either side: the MPI runs go through their files
    test_ids = set().union(*(outcomes for outcomes, _ in serial.values()))
    for count in ranks:
        run = {label: run_mpi_side_file_by_file(
                   label, mpiexecs[label], interpreter, count, tree, pythonpath, work,
                   [*selection, *cache_option(work / f"run-{label}-n{count}")], test_ids,
                   min(args.timeout, FILE_TIMEOUT_SECONDS), package=PACKAGE, options=GPAW_PYTEST_OPTIONS,
                   test_dirs=TEST_DIRS, environment_extra=gpaw_environment(setups, parallel=True))
               for label, interpreter in interpreters.items()}
        status |= compare_mpi_run(count, run, PACKAGE, kinds=(*MPI_OUTCOMES, HUNG))
        runs[str(count)] = summary_run(run)

    say("H2 in a box (fd, h=0.2 Å, PBE)")
    energies = {label: {count: h2_energy(label, interpreter, mpiexecs[label], count, work, pythonpath, setups,
                                         args.timeout)
                        for count in ENERGY_RANKS}
                for label, interpreter in interpreters.items()}
    energy_status, energy_differences = compare_energies(energies)
    status |= energy_status

    if not args.k:  # the whole selection: a known difference nobody showed is stale
        used = {d["reason"] for run in runs.values() for d in run["differences"]}
        for reason in unused_reasons(PACKAGE, used):
            say(f"known difference seen in no run (outdated?): {reason}")
    summary = {"package": PACKAGE, "version": recipe.version,
               "selection": "GPAW's CI tests (pytest -m ci over gpaw/test), serial and under mpiexec "
                            + ", ".join(f"-n {count}" for count in ranks) + (f", -k {args.k}" if args.k else ""),
               "setups": f"gpaw-data {GPAW_DATA.pip.version} (GPAW_SETUP_PATH)",
               "sides": sides, "mpiexec": mpiexecs, "runs": runs,
               "h2_energy": {"tolerance_eV": ENERGY_TOLERANCE_EV, "difference_from_stock_serial_eV": energy_differences,
                             "runs": {label: {str(count): run for count, run in runs_.items()}
                                      for label, runs_ in energies.items()}}}
    return status, write_summary(work, PACKAGE, summary)
