"""numpy's, mpi4py's, psutil's, h5py's, netCDF4's and GPAW's own test suites inside python-static, beside the same packages built the
usual shared way for the stock reference CPython (harness/suites/run; README "Packages' own
test suites inside the binary"). Every difference must be a known, explained one: the runner
exits 1 otherwise.

Extended, not in CI's default run: cold, this builds a static binary with numpy and one with mpi4py,
the reference CPython, the shared MPICH and numpy and mpi4py for the stock side (hours on two
cores); with a warm cache, the stock numpy build alone takes about 15 minutes. h5py's binaries
hold numpy (and mpi4py) too, as h5py needs them; its stock venv holds the same three. netCDF4's
likewise, with cftime, certifi and packaging, which the build brings in for it; its stock side
also builds netCDF-C shared over the stock HDF5.
"""

import json
import subprocess
import sys

import pytest

from conftest import assert_built, ci_blas_cpu, ROOT, run_scons

pytestmark = [pytest.mark.slow, pytest.mark.extended]

RUNNER = ROOT / "harness" / "suites" / "run"


def built(tmp_path_factory, modules):
    """A binary with exactly `modules`, plus the stock side's pieces. One package per binary: the
    stock venv holds only the package under test, and a binary that also had numpy would run
    mpi4py's numpy-using tests that the stock side skips."""
    # no comma in the path: compiler drivers split -Wl,-rpath,DIR on commas (h5py's setup gives one)
    build_dir = tmp_path_factory.mktemp(f"package-suites-{modules.replace(',', '-')}")
    for targets in ([], ["reference", "reference-mpi"] if "mpi4py" in modules.split(",") else ["reference"]):
        result = run_scons([f"BUILD_DIR={build_dir}", f"MODULES={modules}", f"BLAS_CPU={ci_blas_cpu()}", "JOBS=2",
                            *targets], timeout=4 * 3600)
        assert_built(result)
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
    """A package's own suite in the binary beside stock; psutil has no recipe file."""
    build_dir = built(tmp_path_factory, "psutil==7.0.0")
    result = run_suite(build_dir, "psutil")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "(0 unexplained)" in result.stdout
    summary = recorded_summary(build_dir, "psutil")
    assert summary["counts"]["python-static"]["passed"] > 400


def test_h5py_suite_serial_and_its_mpi_tests_at_two_and_four_ranks_differ_from_stock_only_as_explained(
        tmp_path_factory):
    """Parallel HDF5 and h5py in the binary, beside h5py against a stock shared
    parallel HDF5 and the shared MPICH; the serial run, then pytest-mpi's MPI tests under
    mpiexec -n 2 and -n 4 (the build's own mpiexec for python-static)."""
    build_dir = built(tmp_path_factory, "numpy,mpi4py,h5py")
    result = run_suite(build_dir, "h5py")
    assert result.returncode == 0, result.stdout[-4000:]
    assert result.stdout.count("(0 unexplained)") == 3
    summary = recorded_summary(build_dir, "h5py")
    assert summary["variant"] == "parallel" and sorted(summary["runs"]) == ["2", "4", "serial"]
    assert summary["runs"]["serial"]["python-static"]["counts"]["passed"] > 500
    for ranks in ("2", "4"):
        assert summary["runs"][ranks]["python-static"]["ranks_reporting"] == int(ranks)
        assert summary["runs"][ranks]["python-static"]["counts"]["passed"] > 0


def test_h5py_suite_over_serial_hdf5_differs_from_stock_only_as_explained(tmp_path_factory):
    build_dir = built(tmp_path_factory, "numpy,h5py")
    result = run_suite(build_dir, "h5py")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "(0 unexplained)" in result.stdout
    summary = recorded_summary(build_dir, "h5py-serial")
    assert summary["variant"] == "serial" and sorted(summary["runs"]) == ["serial"]


def test_netcdf4_suite_over_serial_netcdf_c_differs_from_stock_only_as_explained(tmp_path_factory):
    """run_all's unittest suite from netCDF4's sdist in python-static, beside netCDF4 against a
    stock shared netCDF-C over a stock shared serial HDF5."""
    build_dir = built(tmp_path_factory, "numpy,netcdf4")
    result = run_suite(build_dir, "netcdf4")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "(0 unexplained)" in result.stdout
    summary = recorded_summary(build_dir, "netcdf4-serial")
    assert summary["variant"] == "serial" and sorted(summary["runs"]) == ["serial"]
    # run_all of 1.7.5.1.post1 has about 136 test methods; some are skipped on both sides for
    # what neither netCDF-C has (DAP, filter plugins)
    assert summary["runs"]["serial"]["python-static"]["counts"]["passed"] > 50


def test_netcdf4_suite_serial_and_its_mpi_examples_at_one_two_and_four_ranks_differ_from_stock_only_as_explained(
        tmp_path_factory):
    """netCDF-C over parallel HDF5 in the binary, beside netCDF4 against a stock shared netCDF-C
    over a stock shared parallel HDF5 and the shared MPICH; run_all's suite, then netCDF4's MPI
    examples under mpiexec -n 1, 2 and 4 (the build's own mpiexec for python-static)."""
    build_dir = built(tmp_path_factory, "numpy,mpi4py,netcdf4")
    result = run_suite(build_dir, "netcdf4", "--ranks", "1,2,4")
    assert result.returncode == 0, result.stdout[-4000:]
    assert result.stdout.count("(0 unexplained)") == 4
    summary = recorded_summary(build_dir, "netcdf4")
    assert summary["variant"] == "parallel" and sorted(summary["runs"]) == ["1", "2", "4", "serial"]
    assert summary["runs"]["serial"]["python-static"]["counts"]["passed"] > 50
    for ranks in ("1", "2", "4"):
        static = summary["runs"][ranks]["python-static"]
        assert static["ranks_reporting"] == int(ranks)
        assert static["counts"]["passed"] == 2  # mpi_example.py and mpi_example_compressed.py
        assert all(example["exit"] == 0 for example in static["examples"].values())


def test_gpaw_ci_tests_serial_and_at_two_and_four_ranks_and_its_h2_energy_agree_with_stock(tmp_path_factory):
    """GPAW's CI selection in python-static beside GPAW built shared from the same sdist against
    the same libxc and OpenBLAS and the shared MPICH; then H2 serial and on 4 ranks, whose
    energies must agree with stock's to 1e-6 eV."""
    build_dir = built(tmp_path_factory, "numpy,scipy,mpi4py,gpaw")
    result = run_suite(build_dir, "gpaw")
    assert result.returncode == 0, result.stdout[-4000:]
    assert result.stdout.count("(0 unexplained)") == 3
    summary = recorded_summary(build_dir, "gpaw")
    assert sorted(summary["runs"]) == ["2", "4", "serial"]
    assert summary["runs"]["serial"]["python-static"]["counts"]["passed"] > 20
    assert max(summary["h2_energy"]["difference_from_stock_serial_eV"].values()) <= 1e-6
