"""Run CPython's own regrtest in *this* interpreter and write its per-module verdicts as JSON.

    python regrtest_driver.py RESULTS.json [regrtest options and test names ...]

Run by harness.regrtest.runner with the interpreter under test (python-static or the stock build);
it therefore uses nothing but the stdlib and the `test` package on sys.path. regrtest's
summary prints the failed and skipped modules by name but only *counts* the passed ones, so
this driver calls regrtest's own `Regrtest` class and reads its result lists instead of
parsing text. The command line is regrtest's (`python -m test ...`), unchanged.
"""

import json
import sys


def _collect(argv):
    """regrtest's own result lists. Two generations of its API exist: 3.11.0-3.11.4 keep the
    lists on Regrtest itself and parse sys.argv in main(); 3.11.5+ and 3.12+ take parsed
    options in the constructor and keep the lists in a TestResults object."""
    import inspect
    from test.libregrtest.main import Regrtest
    if "ns" in inspect.signature(Regrtest.__init__).parameters:
        from test.libregrtest.cmdline import _parse_args
        regrtest = Regrtest(_parse_args(argv))
        code = _run(lambda: regrtest.main(tests=None))
        results = regrtest.results
        return code, {
            "passed": results.good, "failed": results.bad, "env_changed": results.env_changed,
            "skipped": results.skipped, "resource_denied": results.resource_denied,
            "run_no_tests": results.run_no_tests, "rerun": results.rerun,
            "interrupted": results.interrupted,
        }
    regrtest = Regrtest()
    code = _run(lambda: regrtest.main(tests=None))  # parses sys.argv[1:] itself
    resource_denied = set(regrtest.resource_denieds)
    return code, {
        "passed": regrtest.good, "failed": regrtest.bad, "env_changed": regrtest.environment_changed,
        "skipped": [t for t in regrtest.skipped if t not in resource_denied],
        "resource_denied": sorted(resource_denied), "run_no_tests": regrtest.run_no_tests,
        "rerun": regrtest.rerun, "interrupted": regrtest.interrupted,
    }


def _run(main):
    try:
        main()
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


def main():
    output = sys.argv.pop(1)
    argv = sys.argv[1:]
    code, verdicts = _collect(argv)
    record = {"python": sys.version, "executable": sys.executable, "argv": argv,
              "exit_code": code, **{k: sorted(v) if isinstance(v, list) else v
                                     for k, v in verdicts.items()}}
    with open(output + ".tmp", "w") as stream:
        json.dump(record, stream, indent=1, sort_keys=True)
    import os
    os.replace(output + ".tmp", output)
    sys.exit(code)


if __name__ == "__main__":
    main()
