"""numpy's and mpi4py's own test suites inside python-static, beside the same packages built the
usual shared way for the stock reference CPython (harness/suites/run; README "Packages' own
test suites inside the binary"). Every difference must be a known, explained one: the runner
exits 1 otherwise.

Extended, not in CI's default run: cold, this builds a static binary with numpy and one with mpi4py,
the reference CPython, the shared MPICH and numpy and mpi4py for the stock side (hours on two
cores); with a warm cache, the stock numpy build alone takes about 15 minutes.
"""

import json
import subprocess
import sys

import pytest

from conftest import ROOT, run_scons

pytestmark = [pytest.mark.slow, pytest.mark.extended]

RUNNER = ROOT / "harness" / "suites" / "run"


def built(tmp_path_factory, modules):
    """A binary with exactly `modules`, plus the stock side's pieces. One package per binary: the
    stock venv holds only the package under test, and a binary that also had numpy would run
    mpi4py's numpy-using tests that the stock side skips."""
    build_dir = tmp_path_factory.mktemp(f"package-suites-{modules}")
    for targets in ([], ["reference", "reference-mpi"] if modules == "mpi4py" else ["reference"]):
        result = run_scons([f"BUILD_DIR={build_dir}", f"MODULES={modules}", "JOBS=2", *targets], timeout=4 * 3600)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return build_dir


def run_suite(build_dir, *arguments):
    """The runner as a user runs it, recording its summary under build_dir/results (--record)."""
    stock_python = next((build_dir / "reference").glob("cpython-3.11.*/bin/python3.11"))
    return subprocess.run([sys.executable, str(RUNNER), *arguments, "--binary", str(build_dir / "bin" / "python-static"),
                           "--build-dir", str(build_dir), "--work", str(build_dir / "package-suites"),
                           "--stock-python", str(stock_python), "--record", str(build_dir / "results")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=3 * 3600)


def recorded_summary(build_dir, package):
    recorded = build_dir / "results" / "suites" / f"{package}-summary.json"
    assert recorded.read_bytes() == (build_dir / "package-suites" / f"{package}-summary.json").read_bytes()
    return json.loads(recorded.read_text())


def test_mpi4py_suite_at_one_two_and_four_ranks_differs_from_stock_only_as_explained(tmp_path_factory):
    """-n 4 oversubscribes two cores (about 20 minutes per side; the runner makes ranks yield)."""
    build_dir = built(tmp_path_factory, "mpi4py")
    result = run_suite(build_dir, "mpi4py", "--ranks", "1,2,4")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "(0 unexplained)" in result.stdout
    assert sorted(recorded_summary(build_dir, "mpi4py")["runs"]) == ["1", "2", "4"]


def test_numpy_linalg_fft_random_differ_from_stock_only_as_explained(tmp_path_factory):
    build_dir = built(tmp_path_factory, "numpy")
    result = run_suite(build_dir, "numpy", "--parallel", "linalg", "fft", "random")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "(0 unexplained)" in result.stdout
    assert recorded_summary(build_dir, "numpy")["selection"].endswith("parts linalg fft random")


def test_psutil_suite_built_without_a_recipe_differs_from_stock_only_as_explained(tmp_path_factory):
    """Issue 16: a package's own suite in the binary beside stock; psutil has no recipe file."""
    build_dir = built(tmp_path_factory, "psutil==7.0.0")
    result = run_suite(build_dir, "psutil")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "(0 unexplained)" in result.stdout
    summary = recorded_summary(build_dir, "psutil")
    assert summary["counts"]["python-static"]["passed"] > 400
