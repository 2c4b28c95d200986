"""A package's tests under mpiexec one test file per job, each job bounded in time.

One mpiexec job for a whole selection is one hang away from no result at all: when the ranks of
a job stop agreeing on which collective call comes next (a test that fails on one rank before a
call the others make, or state one failed test leaves for the next), every rank waits forever,
and the job's JUnit files, written at the end of the session, never appear. GPAW's CI tests on
four ranks do that, on both sides alike: without ScaLAPACK its matrix layouts over more than two
ranks fail (`BLACSDistribution`: `assert c == 1`), and the job stopped within its first
minutes. Run one test file per job, a hang costs that file's tests, which are recorded as
`hung` on the side where it happened and compared like any other outcome; the rest still run.
"""

from __future__ import annotations

import time
from pathlib import Path
from xml.etree import ElementTree

from slither.commands import say
from harness.suites.h5py_suite import oversubscribed_environment, run_until_every_rank_reported
from harness.suites.pytest_suite import fresh_directory, junit_outcomes, pytest_command, suite_environment

HUNG = "hung"
# Once every rank of a file's job wrote its results, what is left is the ranks' exit: the stock
# reference CPython hangs there (h5py_suite.run_until_every_rank_reported) in every job, and a
# minute's grace per file would be most of a stock run.
EXIT_GRACE_SECONDS = 15


def module_of(test_id: str) -> str:
    """The dotted module of a JUnit test id: `gpaw.test.test_x::test_y` (or its class,
    `gpaw.test.test_x.TestZ::test_y`); a module skipped at collection has an empty classname
    and its module as the name (`::gpaw.test.gpu.test_cpp_conversions`)."""
    classname, _, name = test_id.partition("::")
    return classname or name


def test_file(test_id: str, tree: Path) -> Path | None:
    """The test file under `tree` that holds the test, or None when no prefix of its dotted
    name is a file there."""
    parts = module_of(test_id).split(".")
    for length in range(len(parts), 0, -1):
        candidate = tree.joinpath(*parts[:length]).with_suffix(".py")
        if candidate.is_file():
            return candidate
    return None


def tests_by_file(test_ids, tree: Path) -> dict[Path, list[str]]:
    """{test file: its test ids}, in file order; test ids of no file are left out (said)."""
    files: dict[Path, list[str]] = {}
    for test_id in sorted(test_ids):
        path = test_file(test_id, tree)
        if path is None:
            say(f"  no test file under {tree} for {test_id}: not run file by file")
            continue
        files.setdefault(path, []).append(test_id)
    return dict(sorted(files.items()))


def session_seconds(results: Path) -> float:
    """pytest's own time for the session a JUnit file reports: collection and tests, not the
    interpreter's start-up or its exit (where the stock CPython hangs)."""
    return sum(float(suite.get("time", 0)) for suite in ElementTree.parse(results).getroot().iter("testsuite"))


def unreported_outcomes(test_ids: list[str], code: int, seconds: int) -> dict[str, tuple[str, str]]:
    """A rank's outcome for the tests of a file whose job ended without that rank's results:
    `hung` when the job was killed at its time limit (-9: a job whose ranks had all reported is
    killed only for not exiting, so a rank without results means the limit), else `error`, with
    the job's exit status."""
    if code == -9:
        return {test_id: (HUNG, f"no result: the job of its file was killed after {seconds} s") for test_id in test_ids}
    return {test_id: ("error", f"no result: the job of its file exited with status {code}") for test_id in test_ids}


def run_mpi_side_file_by_file(label: str, mpiexec: str, interpreter: str, ranks: int, tree: Path, pythonpath: str,
                              work: Path, selection: list[str], test_ids, file_timeout: int, *, package: str,
                              options: list[str], test_dirs=("tests",), environment_extra=None) -> dict:
    """What h5py_suite.run_mpi_side returns (exit, seconds, ranks_reporting, outcomes per rank,
    log), from one `mpiexec -n ranks` job per test file of `test_ids` (the ids a serial run
    reported); a job killed at `file_timeout` gives its file's tests the outcome `hung` on every
    rank that wrote no results. `exit` is the worst job's (-9 when one was killed); `seconds` the
    wall time of all jobs, `test_seconds` the slowest rank's pytest session summed over them."""
    name = f"{package}-{label}-n{ranks}"
    results_root = fresh_directory(work / name)
    run_root = fresh_directory(work / f"run-{label}-n{ranks}")
    log = work / f"{name}.log"
    files = tests_by_file(test_ids, tree)
    say(f"{package} MPI tests on {label}, mpiexec -n {ranks}, one job per test file ({len(files)} files, "
        f"{file_timeout} s each at most; log: {log})")
    outcomes: dict[int, dict] = {rank: {} for rank in range(ranks)}
    codes, hung_files, test_seconds = [], [], 0.0
    started = time.monotonic()
    with open(log, "w") as stream:
        for index, (path, ids) in enumerate(files.items()):
            results_dir = fresh_directory(results_root / f"{index:03d}")
            run_dir = fresh_directory(run_root / f"{index:03d}")
            command = [mpiexec, "-n", str(ranks),
                       *pytest_command(interpreter, tree, package, str(results_dir / "rank{rank}.xml"),
                                       [*selection, f"--basetemp={run_dir / 'tmp-rank{rank}'}", str(path)],
                                       options, for_child_pytests=True, test_dirs=test_dirs)]
            environment = oversubscribed_environment(
                {**suite_environment(interpreter, package, pythonpath, run_dir), **(environment_extra or {})},
                ranks)
            stream.write(f"\n== {path.relative_to(tree)}\n" + " ".join(command) + "\n")
            stream.flush()
            file_started = time.monotonic()
            code = run_until_every_rank_reported(command, run_dir, environment, stream, results_dir, ranks,
                                                 file_timeout, exit_grace=EXIT_GRACE_SECONDS)
            codes.append(code)
            written = sorted(results_dir.glob("rank*.xml"))
            reported = {int(xml.stem[len("rank"):]): junit_outcomes(xml) for xml in written}
            test_seconds += max((session_seconds(xml) for xml in written), default=0.0)
            for rank in range(ranks):
                outcomes[rank].update(reported.get(rank) or unreported_outcomes(ids, code, file_timeout))
            if len(reported) < ranks:
                if code == -9:
                    hung_files.append(str(path.relative_to(tree)))
                say(f"    {path.relative_to(tree)}: exit {code} after {round(time.monotonic() - file_started)} s, "
                    f"results from {len(reported)} of {ranks} ranks: its {len(ids)} test(s) count as "
                    f"{'hung' if code == -9 else 'errors'} on the ranks without results")
    seconds = round(time.monotonic() - started)
    exit_code = -9 if -9 in codes else max(codes, default=0, key=abs)
    say(f"  {label} -n {ranks}: {len(files)} jobs, {len(hung_files)} killed for hanging ({seconds} s; "
        f"{round(test_seconds)} s in the pytest sessions)")
    return {"exit": exit_code, "seconds": seconds, "test_seconds": round(test_seconds), "ranks_reporting": ranks,
            "outcomes": outcomes, "log": str(log), "jobs": len(files), "hung_files": hung_files}
