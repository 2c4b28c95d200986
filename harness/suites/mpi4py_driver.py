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

from unittest_outcomes import recording_runner_class  # beside this script

def main():
    results_dir, main_script, *arguments = sys.argv[1:]
    sys.path.insert(0, os.path.dirname(os.path.abspath(main_script)))
    sys.dont_write_bytecode = True
    import main as mpi4py_tests  # noqa: E402  (test/main.py, found through the path set above)

    outcomes = {}
    RecordingRunner = recording_runner_class(outcomes)

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
