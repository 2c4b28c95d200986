"""The user's own compiled project in MODULES (`MODULES=numpy,./docs/examples/mycode`): a C
extension, a Cython module and an f2py-wrapped Fortran subroutine, built with meson-python
against the numpy built for the binary, all three dotted built-ins, rebuilt when a file's
content changes and only then. The worked example of docs/user-code.md."""

import shutil
import subprocess
import uuid

import pytest

from conftest import assert_built, ROOT, run_scons, step_outcomes
from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = [pytest.mark.slow, pytest.mark.numpy]

CHECK = ("import sys, numpy, mycode\n"
         "y = numpy.ones(3); mycode.axpy(2.0, numpy.arange(3.0), y)\n"
         "print(mycode.sum_of_squares([1, 2, 3]), mycode.fib(50), y.tolist(),\n"
         "      sorted(m for m in sys.builtin_module_names if m.startswith('mycode.')))")
EXPECTED = "14.0 12586269025 [1.0, 3.0, 5.0] ['mycode._cstats', 'mycode._cyfib', 'mycode._kernel']"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the example (the test edits it), built once."""
    root = tmp_path_factory.mktemp("user-project")
    shutil.copytree(ROOT / "docs" / "examples" / "mycode", root / "mycode")
    arguments = [f"BUILD_DIR={root / 'build'}", f"MODULES=numpy,{root / 'mycode'}"]
    built = run_scons(arguments)
    assert_built(built, tail=4000)
    return root, arguments


def run(binary, code, cwd):
    return subprocess.run([str(binary), "-c", code], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120)


def test_c_cython_and_fortran_extensions_are_dotted_builtins(project, tmp_path):
    root, _ = project
    result = run(root / "build" / "bin" / "python-static", CHECK, tmp_path)
    assert result.stdout.strip() == EXPECTED, result.stderr[-2000:]


def test_importing_the_project_touches_no_file(project, tmp_path):
    root, _ = project
    traced, calls = trace_file_calls([str(root / "build" / "bin" / "python-static"), "-c", "import mycode"],
                                     cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr[-2000:]
    assert [call.line for call in calls if counts_against_startup(call)] == []


def test_a_touched_file_rebuilds_nothing_and_a_changed_one_rebuilds_the_project(project, tmp_path):
    root, arguments = project
    (root / "mycode" / "mycode" / "_cstats.c").touch()
    again = run_scons(arguments)
    assert step_outcomes(again.stdout)["mycode"] == "up to date", again.stdout[-2000:]
    source = root / "mycode" / "mycode" / "_cyfib.pyx"
    # A change no earlier run made (the cache would otherwise have its result already).
    source.write_text(source.read_text().replace("return a", f"return a + 1  # {uuid.uuid4()}"))
    changed = run_scons(arguments)
    outcomes = step_outcomes(changed.stdout)
    assert (outcomes["mycode"], outcomes["numpy"]) == ("built", "up to date"), changed.stdout[-2000:]
    result = run(root / "build" / "bin" / "python-static", "import mycode; print(mycode.fib(10))", tmp_path)
    assert result.stdout.strip() == "56", result.stderr[-2000:]


def test_a_path_that_is_not_a_project_is_one_line_before_anything_builds(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_scons(["-n", f"BUILD_DIR={tmp_path / 'build'}", f"MODULES={tmp_path / 'empty'}"])
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"scons: *** MODULES entry {tmp_path / 'empty'}: {tmp_path / 'empty'} has neither pyproject.toml nor "
        "setup.py, so it is not a Python project"]
