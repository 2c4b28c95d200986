"""The fast stand-in for scipy's build: tests/fixtures/blasdot, a meson-python
project with a Fortran and a C++ extension that both call BLAS ddot from Debian's static
OpenBLAS, built through the real path (capture, freeze, link) into a binary without numpy. Both
extensions define the same global helper with different bodies, as scipy's extensions carry
duplicate symbols: each must call its own, with no `-z muldefs`."""

import shutil
import subprocess

import pytest

from conftest import ROOT
from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = pytest.mark.slow

CHECK = ("import sys, blasdot\n"
         "x, y = [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]\n"
         "print(blasdot.dot(x, y), blasdot.twice_dot(x, y),\n"
         "      sorted(m for m in sys.builtin_module_names if m.startswith('blasdot.')),\n"
         "      sum('.so' in line for line in open('/proc/self/maps')))")


@pytest.fixture(scope="module")
def binary(tmp_path_factory, built_binary):
    project = tmp_path_factory.mktemp("blasdot") / "blasdot"  # a copy: its build writes beside its files
    shutil.copytree(ROOT / "tests" / "fixtures" / "blasdot", project)
    return built_binary({"MODULES": str(project)}).binary


def test_fortran_and_cxx_extensions_call_blas_each_with_its_own_duplicate_symbol(binary, tmp_path):
    result = subprocess.run([str(binary), "-c", CHECK], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=120)
    # 1*4 + 2*5 + 3*6 = 32; the C++ copy of blasdot_finish doubles it; no shared object mapped.
    assert result.stdout.split(None, 2)[:2] == ["32.0", "64.0"], result.stderr[-2000:]
    assert result.stdout.strip().endswith("['blasdot._cxxdot', 'blasdot._fdot'] 0"), result.stdout


def test_one_copy_of_blas_is_linked(binary):
    symbols = subprocess.run(["nm", str(binary)], stdout=subprocess.PIPE, text=True, check=True).stdout
    assert [line.split()[-1] for line in symbols.splitlines() if line.split()[-1:] == ["ddot_"]] == ["ddot_"]


def test_importing_it_touches_no_file(binary, tmp_path):
    traced, calls = trace_file_calls([str(binary), "-c", "import blasdot; blasdot.dot([1.0], [2.0])"], cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr[-2000:]
    assert [call.line for call in calls if counts_against_startup(call)] == []
