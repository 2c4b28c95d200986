"""Run mpi4py's own test runner (its sdist's test/main.py) on this rank, and record every test's
outcome in RESULTS/rank<N>.json. The same file runs in python-static and in the stock interpreter.

    mpiexec -n N PYTHON mpi4py_driver.py RESULTS TESTS/main.py [main.py options ...]

Nothing of the run changes: main.py's own TestProgram discovers, loads and runs the tests with
its options and prints its usual output; the only addition is a result class that also notes
each outcome (unittest's counts cannot say *which* tests differ between two interpreters).
"""

import json
import os
import sys
import unittest

# Worst wins when one test reports more than once (subtests, then the test itself).
SEVERITY = {"passed": 0, "xfailed": 1, "skipped": 1, "xpassed": 2, "failed": 3, "error": 4}


def first_line(text):
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def main():
    results_dir, main_script, *arguments = sys.argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(main_script)))
    sys.dont_write_bytecode = True
    import main as mpi4py_tests  # noqa: E402  (test/main.py, found through the path set above)

    outcomes = {}

    def record(test, outcome, message=""):
        previous = outcomes.get(test.id())
        if previous is None or SEVERITY[outcome] > SEVERITY[previous[0]]:
            outcomes[test.id()] = [outcome, message]

    class RecordingResult(unittest.TextTestResult):
        def addSuccess(self, test):
            super().addSuccess(test)
            record(test, "passed")

        def addFailure(self, test, err):
            super().addFailure(test, err)
            record(test, "failed", first_line(self.failures[-1][1]))

        def addError(self, test, err):
            super().addError(test, err)
            record(test, "error", first_line(self.errors[-1][1]))

        def addSkip(self, test, reason):
            super().addSkip(test, reason)
            record(test, "skipped", str(reason)[:200])

        def addExpectedFailure(self, test, err):
            super().addExpectedFailure(test, err)
            record(test, "xfailed")

        def addUnexpectedSuccess(self, test):
            super().addUnexpectedSuccess(test)
            record(test, "xpassed")

        def addSubTest(self, test, subtest, err):
            super().addSubTest(test, subtest, err)
            if err is not None:
                failed = issubclass(err[0], test.failureException)
                record(test, "failed" if failed else "error", first_line(self._exc_info_to_string(err, test)))

    class RecordingRunner(unittest.TextTestRunner):
        resultclass = RecordingResult

    status = 0
    try:
        mpi4py_tests.TestProgram(module=None, argv=[main_script, *arguments], testRunner=RecordingRunner)
    except SystemExit as stop:
        status = stop.code
    mpi = sys.modules.get("mpi4py.MPI")
    rank = mpi.COMM_WORLD.Get_rank() if mpi is not None and mpi.Is_initialized() else 0
    os.makedirs(results_dir, exist_ok=True)
    path = os.path.join(results_dir, f"rank{rank}.json")
    with open(path + ".tmp", "w") as stream:
        json.dump({"rank": rank, "executable": sys.executable, "outcomes": outcomes}, stream, indent=0)
    os.replace(path + ".tmp", path)
    sys.exit(status)


if __name__ == "__main__":
    main()
