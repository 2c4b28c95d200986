"""The GPAW suite's own parts, fast: its test tree (gpaw/test, not tests/), the finder that
serves a `test` directory's modules, what both sides' environments get, the H2 energy
comparison, and the stock build's variables and brought-in packages."""

import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from test_package_suite_runner import site_tar
from harness.stock import gpaw as stock_gpaw
from harness.stock import packages as stock_packages
from harness.suites import gpaw_suite, h5py_suite, mpi4py_suite, mpi_file_by_file, pytest_suite

sys.path.insert(0, str(ROOT / "harness" / "suites" / "child_pytest"))
import slither_test_tree  # noqa: E402


def test_gpaws_test_directory_is_extracted_and_a_tests_only_tree_is_not(tmp_path):
    archive = site_tar(tmp_path / "site.tar", [
        ("gpaw/__init__.py", b""), ("gpaw/grid.py", b""),
        ("gpaw/test/__init__.py", b""), ("gpaw/test/conftest.py", b""),
        ("gpaw/test/lcao/test_h2.py", b"def test(): pass\n"),
    ])
    written = pytest_suite.extract_test_tree(archive, "gpaw", tmp_path / "tree", gpaw_suite.TEST_DIRS)
    found = sorted(str(p.relative_to(tmp_path / "tree")) for p in (tmp_path / "tree").rglob("*") if p.is_file())
    assert found == ["gpaw/__init__.py", "gpaw/test/__init__.py", "gpaw/test/conftest.py", "gpaw/test/lcao/test_h2.py"]
    assert written == 4
    # a tree for tests/ directories takes only the conftest and the __init__.py files above it
    assert pytest_suite.extract_test_tree(archive, "gpaw", tmp_path / "numpy-like") == 3


def test_the_finder_serves_the_named_test_directories_only():
    finder = slither_test_tree.TestTreeFinder("/tree", ("test",))
    assert finder.is_test_module("gpaw.test.lcao.test_h2") and finder.is_test_module("gpaw.conftest")
    assert not finder.is_test_module("gpaw.grid") and not finder.is_test_module("gpaw.tests_helpers")
    assert not slither_test_tree.TestTreeFinder("/tree").is_test_module("gpaw.test.lcao.test_h2")


def test_the_driver_is_told_the_test_directory_only_when_it_is_not_tests(tmp_path):
    gpaw = pytest_suite.pytest_command("python", tmp_path, "gpaw", "r.xml", [], [], test_dirs=("test",))
    numpy = pytest_suite.pytest_command("python", tmp_path, "numpy", "r.xml", [], [])
    assert gpaw[gpaw.index("--test-dir") + 1] == "test" and "--test-dir" not in numpy


def test_a_child_pytest_gets_the_test_directories_through_the_environment(tmp_path):
    (tmp_path / "pkg" / "test").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "test" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "test" / "probe.py").write_text("WHERE = __file__\n")
    program = "import pkg.test.probe as p; print(p.WHERE)"
    environment = {"PYTHONPATH": f"{ROOT / 'harness' / 'suites' / 'child_pytest'}:{tmp_path}",
                   slither_test_tree.TREE_VARIABLE: str(tmp_path), slither_test_tree.PACKAGE_VARIABLE: "pkg",
                   slither_test_tree.TEST_DIRS_VARIABLE: "test"}
    shown = subprocess.run([sys.executable, "-c", f"import slither_test_tree; {program}"], env=environment,
                           stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    assert shown == str(tmp_path / "pkg" / "test" / "probe.py")


def test_both_sides_get_the_setups_one_thread_and_under_mpiexec_the_cgpaw_backend(tmp_path):
    serial = gpaw_suite.gpaw_environment(tmp_path / "setups", parallel=False)
    parallel = gpaw_suite.gpaw_environment(tmp_path / "setups", parallel=True)
    assert serial == {"GPAW_SETUP_PATH": str(tmp_path / "setups"), "OMP_NUM_THREADS": "1"}
    assert parallel == {**serial, "GPAW_MPI_BACKEND": "cgpaw"}


def test_energies_agree_within_a_micro_electronvolt_or_the_run_fails():
    def runs(static_4):
        return {"stock": {1: {"energy_eV": -6.6}, 4: {"energy_eV": -6.6000004}},
                "python-static": {1: {"energy_eV": -6.6}, 4: {"energy_eV": static_4}}}
    status, differences = gpaw_suite.compare_energies(runs(-6.6000009))
    assert status == 0 and differences["python-static -n 4"] == pytest.approx(9e-7)
    status, differences = gpaw_suite.compare_energies(runs(-6.600002))
    assert status == 1 and differences["python-static -n 4"] == pytest.approx(2e-6)


def test_the_stock_gpaw_links_the_shared_mpi_and_libgfortran_and_reads_the_builds_prefixes(tmp_path):
    environment = stock_gpaw.gpaw_build_environment(tmp_path / "mpi", tmp_path / "xc", tmp_path / "blas")
    assert environment["MPICC"] == str(tmp_path / "mpi" / "bin" / "mpicc") and environment["CXX"] == "g++"
    assert (environment["SLITHER_LIBXC_PREFIX"], environment["SLITHER_OPENBLAS_PREFIX"]) == (
        str(tmp_path / "xc"), str(tmp_path / "blas"))
    assert environment["LDFLAGS"].split() == [f"-L{tmp_path}/mpi/lib", f"-Wl,-rpath,{tmp_path}/mpi/lib",
                                              "-Wl,--no-as-needed", "-lmpi", "-lgfortran"]


def test_what_the_build_brought_in_for_gpaw_is_followed_through_one_another():
    build = {"modules": {"numpy": {"needed_by": ["gpaw 26.7.0", "ase 3.29.0"]},
                         "scipy": {"needed_by": ["gpaw 26.7.0"]},
                         "ase": {"needed_by": ["gpaw 26.7.0"]},
                         "typing-extensions": {"needed_by": ["ase 3.29.0"]},
                         "mpi4py": {}, "gpaw": {}}}
    assert stock_packages.brought_in_for(build, "gpaw", left_out=("numpy", "scipy")) == ["ase", "typing-extensions"]


def test_gpaws_runs_keep_pytests_cache_each_in_its_own_fresh_run_directory(tmp_path):
    """GPAW's gpw_files fixture computes into pytest's cache: the plugin stays on, and each run's
    cache is its own, so no side reads what the other computed."""
    assert "no:cacheprovider" not in gpaw_suite.GPAW_PYTEST_OPTIONS
    assert "--assert=plain" in gpaw_suite.GPAW_PYTEST_OPTIONS
    assert gpaw_suite.cache_option(tmp_path / "run-stock") == ["-o", f"cache_dir={tmp_path}/run-stock/pytest-cache"]


def test_a_job_whose_ranks_reported_but_hang_at_exit_is_killed_after_the_grace(tmp_path):
    """The stock reference CPython 3.11.2 can hang at exit (gh-102126) after pytest wrote its
    results: under mpiexec the job is then killed, children included, and the run goes on."""
    results = tmp_path / "results"
    results.mkdir()
    job = ("import subprocess, sys, time\n"
           f"for rank in range(2): open({str(results)!r} + f'/rank{{rank}}.xml', 'w').write('<testsuites/>')\n"
           "child = subprocess.Popen(['sleep', '300'])\n"
           f"open({str(tmp_path / 'child')!r}, 'w').write(str(child.pid))\n"
           "time.sleep(300)\n")
    with open(tmp_path / "log", "w") as stream:
        started = time.monotonic()
        code = h5py_suite.run_until_every_rank_reported([sys.executable, "-c", job], tmp_path, dict(os.environ),
                                                        stream, results, 2, timeout=120, exit_grace=1)
    assert code == -9 and time.monotonic() - started < 30
    assert "every rank wrote its results" in (tmp_path / "log").read_text()
    child = int((tmp_path / "child").read_text())
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{child}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{child}") or " Z " in open(f"/proc/{child}/stat").read()


def test_a_job_that_exits_gives_its_own_status(tmp_path):
    from harness.suites import h5py_suite
    with open(tmp_path / "log", "w") as stream:
        assert h5py_suite.run_until_every_rank_reported([sys.executable, "-c", "raise SystemExit(3)"], tmp_path,
                                                        dict(os.environ), stream, tmp_path, 2, timeout=60) == 3


# --- under mpiexec, one job per test file --------------------------------------------------------

def test_a_test_id_leads_to_its_file_through_module_class_or_collection_skip(tmp_path):
    (tmp_path / "pkg" / "test" / "lcao").mkdir(parents=True)
    (tmp_path / "pkg" / "test" / "lcao" / "test_h2.py").write_text("")
    (tmp_path / "pkg" / "test" / "test_gpu.py").write_text("")
    h2 = tmp_path / "pkg" / "test" / "lcao" / "test_h2.py"
    assert mpi_file_by_file.test_file("pkg.test.lcao.test_h2::test_energy[1]", tmp_path) == h2
    assert mpi_file_by_file.test_file("pkg.test.lcao.test_h2.TestH2::test_energy", tmp_path) == h2
    assert mpi_file_by_file.test_file("::pkg.test.test_gpu", tmp_path) == tmp_path / "pkg" / "test" / "test_gpu.py"
    assert mpi_file_by_file.test_file("pkg.test.gone::test", tmp_path) is None
    junit = tmp_path / "rank0.xml"
    junit.write_text('<testsuites><testsuite name="pytest" tests="1" time="1.5"><testcase classname="a" name="b" '
                     'time="1.2"/></testsuite></testsuites>')
    assert mpi_file_by_file.session_seconds(junit) == 1.5
    grouped = mpi_file_by_file.tests_by_file(["pkg.test.lcao.test_h2::b", "pkg.test.gone::x",
                                              "pkg.test.lcao.test_h2::a"], tmp_path)
    assert grouped == {h2: ["pkg.test.lcao.test_h2::a", "pkg.test.lcao.test_h2::b"]}


STAND_IN_MPIEXEC = """#!/bin/sh
# mpiexec -n N COMMAND...: N copies of COMMAND, each with its PMI_RANK, waited for
[ "$1" = -n ] || exit 64
ranks=$2; shift 2
rank=0
while [ $rank -lt $ranks ]; do PMI_RANK=$rank "$@" & rank=$((rank + 1)); done
wait
"""


def test_file_by_file_a_file_whose_job_hangs_is_hung_and_the_next_file_still_runs(tmp_path):
    """The runner for real (the pytest driver, a stand-in mpiexec that starts the ranks): the
    first file's job never ends (its test waits as a rank would for a collective that never
    comes), is killed at the file timeout, and its tests are `hung` on every rank; the second
    file's tests still run and report."""
    tree = tmp_path / "tree"
    (tree / "pkg" / "test").mkdir(parents=True)
    (tree / "pkg" / "__init__.py").write_text("__version__ = '1'\n")
    (tree / "pkg" / "test" / "__init__.py").write_text("")
    (tree / "pkg" / "test" / "test_a_waits.py").write_text("import time\ndef test_wait(): time.sleep(600)\n")
    (tree / "pkg" / "test" / "test_b_runs.py").write_text(
        "import os, pytest\ndef test_pass(): pass\n"
        "def test_rank_one_fails(): assert os.environ['PMI_RANK'] != '1'\n")
    mpiexec = tmp_path / "mpiexec"
    mpiexec.write_text(STAND_IN_MPIEXEC)
    mpiexec.chmod(0o755)
    test_ids = ["pkg.test.test_a_waits::test_wait", "pkg.test.test_b_runs::test_pass",
                "pkg.test.test_b_runs::test_rank_one_fails"]
    side = mpi_file_by_file.run_mpi_side_file_by_file(
        "python-static", str(mpiexec), sys.executable, 2, tree, str(tree), tmp_path / "work", [], test_ids, 4,
        package="pkg", options=gpaw_suite.GPAW_PYTEST_OPTIONS, test_dirs=("test",))
    assert side["jobs"] == 2 and side["hung_files"] == ["pkg/test/test_a_waits.py"] and side["exit"] == -9
    assert side["seconds"] >= 4 and side["test_seconds"] < side["seconds"]   # the killed job wrote no session time
    collapsed = mpi4py_suite.collapse_ranks(side["outcomes"])
    assert collapsed["pkg.test.test_a_waits::test_wait"][0] == "hung"
    assert collapsed["pkg.test.test_b_runs::test_pass"] == ("passed", "")
    assert collapsed["pkg.test.test_b_runs::test_rank_one_fails"][0] == "mixed: rank 0 passed, rank 1 failed"
    # a job that ends by itself without a rank's results (a crash) is no hang
    assert mpi_file_by_file.unreported_outcomes(["t::a"], 139, 300) == {
        "t::a": ("error", "no result: the job of its file exited with status 139")}
    # hung is an outcome like the others: the same on both sides is no difference
    run = {"python-static": side, "stock": {**side, "outcomes": dict(side["outcomes"])}}
    assert h5py_suite.compare_mpi_run(2, run, "pkg", kinds=(*h5py_suite.MPI_OUTCOMES, "hung")) == 0
    assert run["python-static"]["counts"]["hung"] == 1 and run["differences"] == []
