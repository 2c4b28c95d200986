"""numpy's and mpi4py's own test suites inside python-static, beside the same packages built the
usual shared way for the stock reference CPython (tests/package_suites/run; README "Packages' own
test suites inside the binary"). Every difference must be a known, explained one: the runner
exits 1 otherwise.

Extended, not in CI's default run: cold, this builds the static binary with numpy and mpi4py,
the reference CPython, the shared MPICH and numpy and mpi4py for the stock side (hours on two
cores); with a warm cache, the stock numpy build alone takes about 15 minutes.
"""

import subprocess
import sys

import pytest

from conftest import ROOT, run_scons

pytestmark = [pytest.mark.slow, pytest.mark.extended]

RUNNER = ROOT / "tests" / "package_suites" / "run"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    build_dir = tmp_path_factory.mktemp("package-suites")
    for targets in ([], ["reference", "reference-mpi"]):
        built = run_scons([f"BUILD_DIR={build_dir}", "MODULES=numpy,mpi4py", "JOBS=2", *targets], timeout=4 * 3600)
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return build_dir


def run_suite(build_dir, *arguments):
    stock_python = next((build_dir / "reference").glob("cpython-3.11.*/bin/python3.11"))
    return subprocess.run([sys.executable, str(RUNNER), *arguments, "--binary", str(build_dir / "bin" / "python-static"),
                           "--build-dir", str(build_dir), "--work", str(build_dir / "package-suites"),
                           "--stock-python", str(stock_python)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=3 * 3600)


def test_mpi4py_suite_at_one_and_two_ranks_differs_from_stock_only_as_explained(build_dir):
    result = run_suite(build_dir, "mpi4py", "--ranks", "1,2")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "(0 unexplained)" in result.stdout


def test_numpy_linalg_fft_random_differ_from_stock_only_as_explained(build_dir):
    result = run_suite(build_dir, "numpy", "--parallel", "linalg", "fft", "random")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "(0 unexplained)" in result.stdout
