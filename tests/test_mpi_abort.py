"""A rank that fails ends the job (slither/runtime/_slither_runtime.py,
_abort_the_job_when_this_rank_fails): once mpi4py.MPI is imported, an uncaught exception or a
non-zero exit status sets mpi4py's abort status (MPI_Abort at exit instead of MPI_Finalize), as
`-m mpi4py` does; a SystemExit the program catches and survives does not. Fast: the runtime's
function, taken from its source, runs in a plain interpreter against a stand-in for mpi4py.MPI
that records the status; tests/test_mpi.py and tests/test_cluster.py end real jobs with it."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parent.parent / "slither" / "runtime" / "_slither_runtime.py"


def function_source(name: str) -> str:
    tree = ast.parse(RUNTIME.read_text())
    node = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name)
    return ast.get_source_segment(RUNTIME.read_text(), node)


HARNESS = """
import atexit, sys, types
recorded = []
mpi = types.SimpleNamespace(_set_abort_status=recorded.append)
atexit.register(lambda: print("abort status:", recorded[-1] if recorded else "none", flush=True))
{function}
_abort_the_job_when_this_rank_fails(mpi)
{program}
"""


def run(program: str, **environment) -> subprocess.CompletedProcess:
    code = HARNESS.format(function=function_source("_abort_the_job_when_this_rank_fails"), program=program)
    return subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, **environment}, timeout=60)


@pytest.mark.parametrize("program, status, exit_code", [
    ("sys.exit(3)", "3", 3),
    ("raise SystemExit(4)", "4", 4),
    ("sys.exit('a message')", "1", 1),
    ("raise RuntimeError('rank fails')", "1", 1),
    ("sys.exit(0)", "none", 0),
    ("sys.exit()", "none", 0),
    ("pass", "none", 0),
    # caught and survived: the program reads the code itself and ends normally
    ("try:\n    sys.exit(5)\nexcept SystemExit as e:\n    print('caught', e.code)", "none", 0),
    ("import argparse\ntry:\n    argparse.ArgumentParser().parse_args(['--no-such'])\nexcept SystemExit:\n    pass",
     "none", 0),
])
def test_the_abort_status_follows_how_the_program_ends(program, status, exit_code):
    result = run(program)
    assert result.stdout.splitlines()[-1] == f"abort status: {status}", result.stdout + result.stderr
    assert result.returncode == exit_code


def test_a_system_exit_is_still_a_system_exit_to_the_program():
    result = run("try:\n    sys.exit(2)\nexcept SystemExit as e:\n"
                 "    print(isinstance(e, SystemExit), type(e).__name__, e.code, e.args)")
    assert result.stdout.splitlines()[0] == "True SystemExit 2 (2,)"


def test_slither_mpi_abort_0_leaves_the_program_to_finalize():
    assert run("sys.exit(3)", SLITHER_MPI_ABORT="0").stdout.splitlines()[-1] == "abort status: none"
