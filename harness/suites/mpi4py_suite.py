"""mpi4py's own suite: its test/ directory from the recipe's sdist (not part of the installed
package), run by mpi4py's test/main.py under `mpiexec -n N` for each N, once with the static
binary (under the static MPICH's mpiexec) and once with a venv of the stock interpreter whose
mpi4py is built from the same sdist against the shared MPICH of `scons reference-mpi`
(harness.stock.packages, harness.stock.mpi), under that MPICH's mpiexec.
harness/suites/mpi4py_driver.py (identical on both sides) records each test's outcome on each
rank; the ranks' outcomes are collapsed into one per test and compared.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

from slither.commands import say
from slither.errors import SlitherError
from slither.files import sha256_of
from slither.libraries.variants import directory_name
from slither.cache import default_cache_dir
from slither.sources.pinned import obtain
from harness.stock import mpi as stock_mpi
from harness.stock.packages import StockBuild, venv_site_packages, venv_with_packages
from harness.suites.binary_under_test import package_recipe
from harness.suites.comparison import (OUTCOMES, outcome_counts, outcome_differences, report_differences,
                                       unexplained, write_summary)
from harness.suites.known_differences import known_reason, unused_reasons

HERE = Path(__file__).resolve().parent
MPI4PY_DRIVER = "mpi4py_driver.py"
# a test whose outcome differs between ranks counts as "mixed" (collapse_ranks)
MPI4PY_OUTCOMES = OUTCOMES + ("mixed",)


def extract_mpi4py_tests(sdist: Path, tree: Path) -> None:
    """The sdist's test/ directory (the installed package has none) into tree/test, with the
    driver beside main.py: the directory of __main__ must be test/, as when main.py runs itself
    (mpi4py.futures' workers, started by test_util_pool, import the test modules from there)."""
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    with tarfile.open(sdist) as archive:
        members = [m for m in archive.getmembers() if m.name.split("/")[1:2] == ["test"] and m.isfile()]
        for member in members:
            member.name = "/".join(member.name.split("/")[1:])
            archive.extract(member, tree, set_attrs=False)
    for script in (MPI4PY_DRIVER, "unittest_outcomes.py"):  # the driver and the module beside it it imports
        shutil.copyfile(HERE / script, tree / "test" / script)


def resolve_mpiexec(given: str, fallback: Path | None, what: str) -> str:
    candidate = shutil.which(given) if given else (str(fallback) if fallback and fallback.is_file() else None)
    if not candidate:
        raise SlitherError(f"{given or fallback or 'mpiexec'}: not found or not executable; give {what}")
    return str(Path(candidate).resolve())  # the runs start in the test tree


def stock_mpi4py_side(args, recipe, work: Path, source_dirs: list[Path], build: dict) -> tuple[str, str, str]:
    """(stock interpreter with mpi4py built against the shared MPI, that MPI's mpiexec, what it is)."""
    mpi_recipe = stock_mpi.stock_mpi_recipe()
    prefix = (Path(args.stock_mpi).resolve() if args.stock_mpi
              else stock_mpi.shared_prefix(Path(args.build_dir), mpi_recipe, build["target"]).resolve())
    library_dir = prefix / "lib"
    archive = prefix.parent / "prefix.tar"
    identity = sha256_of(archive) if archive.is_file() else str(sorted(p.name for p in library_dir.iterdir()))
    build = StockBuild(recipe, stock_mpi.build_environment(prefix, mpi_recipe.mpi_wrapper, str(library_dir)),
                       {"mpi": identity, "runpath": str(library_dir)})
    python = venv_with_packages(args.stock_python, [build], work, source_dirs)
    soname = stock_mpi.checked_mpi4py_extension(venv_site_packages(python.parent.parent), library_dir,
                                                str(library_dir))
    mpiexec = resolve_mpiexec("", prefix / "bin" / "mpiexec", "--stock-mpi (the prefix of `scons reference-mpi`)")
    return str(python), mpiexec, f"{mpi_recipe.name} {mpi_recipe.version} shared ({soname} from {library_dir})"


def rank_verdicts(log_text: str) -> list[dict]:
    """unittest's closing lines of every rank in an mpiexec log ("Ran 1234 tests", then "OK" or
    "FAILED (failures=1, skipped=3)"): [{"ran": 1234, "verdict": "FAILED", "failures": 1, ...}]."""
    ran = [int(n) for n in re.findall(r"^Ran (\d+) tests?", log_text, re.MULTILINE)]
    verdicts = re.findall(r"^(OK|FAILED)(?: \((.*)\))?$", log_text, re.MULTILINE)
    per_rank = []
    for (verdict, details), count in zip(verdicts, ran):
        fields = dict(part.split("=") for part in details.split(", ")) if details else {}
        per_rank.append({"ran": count, "verdict": verdict, **{k: int(v) for k, v in fields.items()}})
    return per_rank


def run_mpi4py_side(label: str, mpiexec: str, interpreter: str, ranks: int, tree: Path, work: Path,
                    environment: dict, timeout: int) -> dict:
    """One `mpiexec -n ranks interpreter mpi4py_driver.py ...`; every rank's outcomes and verdict."""
    results_dir = work / f"mpi4py-{label}-n{ranks}"
    shutil.rmtree(results_dir, ignore_errors=True)
    log = work / f"mpi4py-{label}-n{ranks}.log"
    command = [mpiexec, "-n", str(ranks), interpreter, str(tree / "test" / MPI4PY_DRIVER), str(results_dir),
               str(tree / "test" / "main.py"), "--no-builddir"]
    say(f"mpi4py suite on {label}, mpiexec -n {ranks} (log: {log})")
    started = time.monotonic()
    with open(log, "w") as stream:
        stream.write(" ".join(command) + "\n")
        stream.flush()
        try:
            code = subprocess.run(command, cwd=tree, env=environment, stdout=stream, stderr=subprocess.STDOUT,
                                  timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            code = -1
    seconds = round(time.monotonic() - started)
    per_rank = rank_verdicts(log.read_text(errors="replace"))
    outcomes = {}
    for path in sorted(results_dir.glob("rank*.json")):
        record = json.loads(path.read_text())
        outcomes[record["rank"]] = {test: tuple(value) for test, value in record["outcomes"].items()}
    say(f"  {label} -n {ranks}: exit {code}, " + "; ".join(
        f"ran {r['ran']} {r['verdict']}" + "".join(f" {k}={v}" for k, v in r.items() if k not in ("ran", "verdict"))
        for r in per_rank) + f" ({seconds} s)")
    return {"exit": code, "seconds": seconds, "ranks": per_rank, "outcomes": outcomes, "log": str(log)}


def collapse_ranks(outcomes_by_rank: dict[int, dict]) -> dict[str, tuple[str, str]]:
    """{test: (outcome, message)} over all ranks: the common outcome, or 'mixed' naming each rank's."""
    tests = sorted(set().union(*[set(outcomes) for outcomes in outcomes_by_rank.values()])) if outcomes_by_rank else []
    collapsed = {}
    for test in tests:
        seen = {rank: outcomes.get(test, ("absent", "")) for rank, outcomes in sorted(outcomes_by_rank.items())}
        kinds = {outcome for outcome, _ in seen.values()}
        message = next((message for _, message in seen.values() if message), "")
        if len(kinds) == 1:
            collapsed[test] = (kinds.pop(), message)
        else:
            collapsed[test] = ("mixed: " + ", ".join(f"rank {r} {o}" for r, (o, _) in seen.items()), message)
    return collapsed


def mpi4py_suite(args) -> tuple[int, Path]:
    """mpi4py's own runner (test/main.py, unittest) under mpiexec -n N, in python-static and in
    a stock interpreter with mpi4py against the shared MPICH; per-test outcomes compared.
    Returns (exit status, the summary JSON written)."""
    binary = Path(args.binary).resolve()
    build, recipe = package_recipe(binary, "mpi4py")
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    source_dirs = [Path(d) for d in args.sources.split(os.pathsep) if d]
    sdist = obtain(recipe.source, search_dirs=source_dirs, store=Path(default_cache_dir()) / "downloads",
                   upstream_version=recipe.version, log=say)
    tree = work / "mpi4py-tests"
    extract_mpi4py_tests(sdist, tree)
    mpi_recipe = stock_mpi.stock_mpi_recipe()
    static_prefix = (Path(args.build_dir) / "libraries"
                     / directory_name(mpi_recipe.name, mpi_recipe.version, build["target"], "static") / "prefix")
    sides = {"python-static": (str(binary), resolve_mpiexec(args.mpiexec, static_prefix / "bin" / "mpiexec",
                                                            "--mpiexec (the mpiexec of the MPI the binary was "
                                                            "built with)"))}
    described = {"python-static": f"{binary} (MPI linked in), mpiexec {sides['python-static'][1]}"}
    if not args.no_stock:
        python, mpiexec, mpi = stock_mpi4py_side(args, recipe, work, source_dirs, build)
        sides["stock"] = (python, mpiexec)
        described["stock"] = f"{python} (mpi4py {recipe.version} against {mpi}), mpiexec {mpiexec}"
    for label, text in described.items():
        say(f"{label}: {text}")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    environment.update(OPENBLAS_NUM_THREADS="1", HOME=str(work))
    runs, status = {}, 0
    for ranks in [int(n) for n in (args.ranks or "1,2,4").split(",")]:
        run_environment = dict(environment)
        if ranks > (os.cpu_count() or 1) and "MPIR_CVAR_POLLS_BEFORE_YIELD" not in environment:
            # more ranks than cores: MPICH's ch3 ranks busy-poll and yield the core only every
            # 1000th poll, so a rank that must progress waits behind spinning ones; both sides
            # run MPICH, so both get it
            run_environment["MPIR_CVAR_POLLS_BEFORE_YIELD"] = "1"
            say(f"-n {ranks} on {os.cpu_count()} cores: MPIR_CVAR_POLLS_BEFORE_YIELD=1 (oversubscribed)")
        runs[ranks] = {label: run_mpi4py_side(label, mpiexec, interpreter, ranks, tree, work, run_environment,
                                              args.timeout)
                       for label, (interpreter, mpiexec) in sides.items()}
        for label, run in runs[ranks].items():
            complete = len(run["outcomes"]) == ranks and len(run["ranks"]) == ranks
            if not complete:
                say(f"  {label} -n {ranks}: results from {len(run['outcomes'])} of {ranks} ranks; see {run['log']}")
                status = 1
            run["collapsed"] = collapse_ranks(run["outcomes"])
            run["counts"] = outcome_counts(run["collapsed"], MPI4PY_OUTCOMES)
        if args.no_stock:
            # No stock side to compare with: every test that does not pass on any rank must be a
            # known difference.
            failing = {test: message for test, (outcome, message) in runs[ranks]["python-static"]["collapsed"].items()
                       if outcome.startswith("mixed") or outcome in ("failed", "error")}
            for test, message in failing.items():
                say(f"    {test}: {known_reason('mpi4py', test) or 'UNEXPLAINED: ' + message}")
            if any(not known_reason("mpi4py", test) for test in failing):
                status = 1
            continue
        differences = outcome_differences("mpi4py", ("python-static", runs[ranks]["python-static"]["collapsed"]),
                                          ("stock", runs[ranks]["stock"]["collapsed"]))
        runs[ranks]["differences"] = differences
        say(f"mpi4py -n {ranks}: outcomes per test (the same on every rank unless 'mixed')")
        say(f"  {'outcome':<10}{'python-static':>15}{'stock':>10}")
        for outcome in MPI4PY_OUTCOMES:
            say(f"  {outcome:<10}{runs[ranks]['python-static']['counts'][outcome]:>15}"
                f"{runs[ranks]['stock']['counts'][outcome]:>10}")
        say(f"  {'seconds':<10}{runs[ranks]['python-static']['seconds']:>15}{runs[ranks]['stock']['seconds']:>10}")
        report_differences(differences, ("python-static", "stock"))
        if unexplained(differences):
            status = 1
    if not args.no_stock:
        used = {d["reason"] for run in runs.values() for d in run.get("differences", [])}
        for reason in unused_reasons("mpi4py", used):
            say(f"known difference seen in no run (outdated?): {reason}")
    summary = {"package": "mpi4py", "version": recipe.version, "sides": described, "runs": {}}
    for ranks, by_label in runs.items():
        summary["runs"][ranks] = {label: by_label[label] if label == "differences" else
                                  {key: value for key, value in by_label[label].items()
                                   if key not in ("outcomes", "collapsed")} for label in by_label}
    return status, write_summary(work, "mpi4py", summary)
