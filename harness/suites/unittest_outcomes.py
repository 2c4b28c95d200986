"""Each unittest test's own outcome, for the drivers that run a package's unittest suite in
python-static and in the stock interpreter alike (mpi4py_driver.py, netcdf4_driver.py): unittest's
counts cannot say *which* tests differ between two interpreters. Imported by those scripts as
their sibling (a script's directory is first on sys.path), so it uses the standard library only.
"""

import sys
import unittest

# Worst wins when one test reports more than once (subtests, then the test itself).
SEVERITY = {"passed": 0, "xfailed": 1, "skipped": 1, "xpassed": 2, "failed": 3, "error": 4}


def last_line(text):
    """The exception line of a traceback (its last non-empty line), shortened."""
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def recording_runner_class(outcomes):
    """A TextTestRunner class whose result also notes {test id: [outcome, message]} in `outcomes`
    (a class, as unittest.TestProgram's testRunner takes one)."""

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
            record(test, "failed", last_line(self.failures[-1][1]))

        def addError(self, test, err):
            super().addError(test, err)
            # a setUpClass or module fixture failing is reported as an _ErrorHolder: its id names it
            record(test, "error", last_line(self.errors[-1][1]))

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
                record(test, "failed" if failed else "error", last_line(self._exc_info_to_string(err, test)))

    class RecordingRunner(unittest.TextTestRunner):
        resultclass = RecordingResult

    return RecordingRunner


def recording_runner(outcomes):
    """An instance of recording_runner_class, verbose, on stdout."""
    return recording_runner_class(outcomes)(verbosity=2, stream=sys.stdout)
