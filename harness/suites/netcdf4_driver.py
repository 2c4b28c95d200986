"""Run netCDF4's own tests in this interpreter and record every test's outcome. The same file
runs in python-static and in the stock interpreter.

    PYTHON netcdf4_driver.py unittest RESULTS.json [--append-path DIR]      (cwd: a copy of test/)
    mpiexec -n N PYTHON netcdf4_driver.py example RESULTS_DIR SCRIPT [ARGUMENTS ...]

unittest: the suite netCDF4's test/run_all.py builds (it imports every test_*.py of the current
directory, test_dap.py first, and loads their unittest cases) is run with a result class that
also notes each outcome; run_all's __main__ block is not run (it only prints versions, through
an `import cython` that an installed netCDF4 does not need). --append-path puts a directory at
the END of sys.path: test_cli.py imports pytest, which comes from there, while netCDF4's own
run-time requirements (packaging) still come from the interpreter's install, whichever version
that has, on both sides alike.

example: one of netCDF4's MPI examples (examples/mpi_example.py ...) run as `python SCRIPT
ARGUMENTS` would, on this rank; the script asserts what it checks. Each rank writes
RESULTS_DIR/rank<N>.json with the script's outcome. A rank whose script raised aborts the job
once it has written its result (as `python -m mpi4py` does): the other ranks would otherwise
wait forever in the collective call it never reaches.
"""

import json
import os
import runpy
import sys
import traceback

from unittest_outcomes import last_line, recording_runner  # beside this script

def write_json(path, record):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "w") as stream:
        json.dump(record, stream, indent=0)
    os.replace(path + ".tmp", path)


def describe_interpreter():
    netcdf4 = sys.modules.get("netCDF4")
    versions = ({key: str(getattr(netcdf4, key, "?")) for key in
                 ("__version__", "__netcdf4libversion__", "__hdf5libversion__", "__has_parallel4_support__")}
                if netcdf4 is not None else {})
    return {"executable": sys.executable, "python": sys.version.split()[0], "netCDF4": versions}


def run_unittest(results, append_paths):
    """run_all's suite, from the current directory (test/); returns the exit status."""
    sys.path[0] = os.getcwd()  # the driver's directory made what `python run_all.py` in test/ has
    sys.path.extend(os.path.abspath(path) for path in append_paths)
    sys.dont_write_bytecode = True
    outcomes = {}
    try:
        import run_all  # noqa: E402  (test/run_all.py: imports every test_*.py, builds run_all.testsuite)
    except BaseException:
        # nothing ran: one outcome says why, and the comparison shows it on this side
        message = last_line(traceback.format_exc())
        traceback.print_exc()
        outcomes["run_all"] = ["error", message]
        write_json(results, {**describe_interpreter(), "outcomes": outcomes})
        return 1
    print(f"driver: {json.dumps(describe_interpreter())}", flush=True)
    result = recording_runner(outcomes).run(run_all.testsuite)
    write_json(results, {**describe_interpreter(), "outcomes": outcomes})
    return 0 if result.wasSuccessful() else 1


def this_rank():
    """The rank: MPI's, once the script has initialized it, else the process manager's (hydra's
    PMI_RANK), else 0."""
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized():
        return mpi.COMM_WORLD.Get_rank()
    return int(os.environ.get("PMI_RANK", "0"))


def example_id(script, arguments):
    """examples/mpi_example.py, or with its arguments: examples/mpi_example.py NETCDF3_64BIT_DATA."""
    return " ".join([f"examples/{os.path.basename(script)}", *arguments])


def run_example(results_dir, script, arguments):
    """One rank of `python SCRIPT ARGUMENTS`; returns the exit status."""
    script = os.path.abspath(script)
    sys.argv = [script, *arguments]
    sys.path[0] = os.path.dirname(script)  # as `python SCRIPT` has it
    sys.dont_write_bytecode = True
    outcome, message, status = "passed", "", 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        if stop.code not in (None, 0):
            outcome, message, status = "failed", f"SystemExit: {stop.code}", 1
    except AssertionError:
        outcome, message, status = "failed", last_line(traceback.format_exc()), 1
        traceback.print_exc()
    except BaseException:
        outcome, message, status = "error", last_line(traceback.format_exc()), 1
        traceback.print_exc()
    rank = this_rank()
    write_json(os.path.join(results_dir, f"rank{rank}.json"),
               {"rank": rank, **describe_interpreter(),
                "outcomes": {example_id(script, arguments): [outcome, message]}})
    sys.stdout.flush()
    sys.stderr.flush()
    mpi = sys.modules.get("mpi4py.MPI")
    if status and mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized():
        mpi.COMM_WORLD.Abort(status)
    return status


def main(argv):
    if len(argv) >= 2 and argv[0] == "unittest":
        results, rest = argv[1], argv[2:]
        append_paths = [rest[index + 1] for index, word in enumerate(rest[:-1]) if word == "--append-path"]
        return run_unittest(results, append_paths)
    if len(argv) >= 3 and argv[0] == "example":
        return run_example(argv[1], argv[2], argv[3:])
    sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
