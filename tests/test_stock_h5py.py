"""The h5py comparison's pieces, fast (no HDF5 or package build): the stock shared HDF5 derived
from the library recipe and the plan's variant rule (harness.stock.hdf5), the stock h5py's
recipes and build environment (harness.stock.h5py), the per-rank pytest arguments of the driver,
and how harness/suites/h5py_suite.py runs and compares sides. Real gcc, readelf and pytest on
tiny inputs; the full comparison is tests/test_package_suites.py (extended)."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from slither.errors import SlitherError
from slither.libraries import hdf5_variant
from slither.recipes.module_recipes import load_module_recipe
from harness.stock import hdf5 as stock_hdf5
from harness.stock import h5py as stock_h5py
from harness.stock import packages
from harness.suites import h5py_suite, pytest_driver

PARALLEL_BUILD = {"target": "gnu", "cpython": "3.11.2",
                  "modules": {"numpy": {"version": "2.2.6"}, "mpi4py": {"version": "4.1.2"},
                              "h5py": {"version": "3.14.0"}}}
SERIAL_BUILD = {"target": "gnu", "cpython": "3.11.2",
                "modules": {"numpy": {"version": "2.2.6"}, "h5py": {"version": "3.14.0"}}}


# -- the stock shared HDF5 -----------------------------------------------------------------------

def test_the_stock_hdf5_is_the_recipe_with_only_the_library_kind_switched():
    recipe = load_module_recipe("hdf5")
    serial = stock_hdf5.shared_configure_flags(recipe, "serial")
    assert "--enable-shared" in serial and "--disable-static" in serial
    assert "--disable-shared" not in serial and "--enable-static" not in serial
    same = [flag for flag in recipe.configure_flags if flag not in ("--disable-shared", "--enable-static")]
    assert [flag for flag in serial if flag not in ("--enable-shared", "--disable-static")] == same
    assert "--with-default-plugindir=:" in serial  # the recipe's own choices come along, not a copy of them


def test_the_parallel_stock_hdf5_adds_what_the_plan_adds_to_the_static_build():
    recipe = load_module_recipe("hdf5")
    parallel = stock_hdf5.shared_configure_flags(recipe, "parallel")
    assert parallel == stock_hdf5.shared_configure_flags(recipe, "serial") + hdf5_variant.PARALLEL_CONFIGURE_FLAGS
    with pytest.raises(SlitherError, match="choose one of serial, parallel"):
        stock_hdf5.shared_configure_flags(recipe, "threadsafe")


def test_a_parallel_stock_hdf5_compiles_with_the_shared_mpis_wrapper_and_searches_its_lib(tmp_path):
    base = {"PATH": "/usr/bin", "CC": "clang", "CFLAGS": "-O0", "LD_LIBRARY_PATH": "/elsewhere"}
    serial = stock_hdf5.compiler_environment(base, "serial", None, "bin/mpicc")
    assert serial == {"PATH": "/usr/bin", "LD_LIBRARY_PATH": "/elsewhere"}  # no caller's compiler settings
    parallel = stock_hdf5.compiler_environment(base, "parallel", tmp_path / "mpich", "bin/mpicc")
    assert parallel["CC"] == str(tmp_path / "mpich" / "bin" / "mpicc")
    assert parallel["LDFLAGS"] == f"-Wl,-rpath,{tmp_path / 'mpich' / 'lib'}"
    assert parallel["LD_LIBRARY_PATH"] == f"{tmp_path / 'mpich' / 'lib'}:/elsewhere"  # configure's test runs
    with pytest.raises(SlitherError, match="scons reference-mpi"):
        stock_hdf5.compiler_environment(base, "parallel", None, "bin/mpicc")


def test_the_stock_hdf5_is_rebuilt_when_its_source_flags_or_mpi_change():
    recipe = load_module_recipe("hdf5")
    flags = stock_hdf5.shared_configure_flags(recipe, "parallel")
    identity = stock_hdf5.build_identity(recipe, "parallel", flags, "mpich sha-1")
    assert identity == stock_hdf5.build_identity(recipe, "parallel", flags, "mpich sha-1")
    assert identity != stock_hdf5.build_identity(recipe, "parallel", flags, "mpich sha-2")
    assert identity != stock_hdf5.build_identity(recipe, "parallel", flags[:-1], "mpich sha-1")
    assert json.loads(identity)["sha256"] == recipe.source.sha256


# -- the stock h5py ------------------------------------------------------------------------------

def test_the_binarys_manifest_decides_serial_or_parallel():
    assert stock_h5py.binary_variant(PARALLEL_BUILD) == "parallel"
    assert stock_h5py.binary_variant(SERIAL_BUILD) == "serial"
    with pytest.raises(SlitherError, match="no h5py built in"):
        stock_h5py.binary_variant({"modules": {"numpy": {"version": "2.2.6"}}})


def test_the_stock_recipes_are_the_plans_variant_of_the_binarys_recipes():
    parallel = stock_h5py.variant_recipes(PARALLEL_BUILD, "parallel")
    assert list(parallel) == ["hdf5", "numpy", "mpi4py", "h5py"]
    assert parallel["h5py"].build_environment["HDF5_MPI"] == "ON"
    serial = stock_h5py.variant_recipes(SERIAL_BUILD, "serial")
    assert list(serial) == ["hdf5", "numpy", "h5py"] and "HDF5_MPI" not in serial["h5py"].build_environment
    stale = {**SERIAL_BUILD, "modules": {**SERIAL_BUILD["modules"], "h5py": {"version": "3.0.0"}}}
    with pytest.raises(SlitherError, match="rebuild the binary"):
        stock_h5py.variant_recipes(stale, "serial")


def test_the_stock_h5py_gets_the_recipes_environment_with_the_stock_hdf5_and_mpi(tmp_path):
    recipes = stock_h5py.variant_recipes(PARALLEL_BUILD, "parallel")
    environment = stock_h5py.h5py_build_environment(recipes["h5py"], tmp_path / "hdf5", tmp_path / "mpich", "bin/mpicc")
    stated = load_module_recipe("h5py").build_environment
    assert environment["HDF5_DIR"] == str(tmp_path / "hdf5")
    assert {key: environment[key] for key in stated if key != "HDF5_DIR"} == \
        {key: value for key, value in stated.items() if key != "HDF5_DIR"}
    assert environment["CC"] == environment["MPICC"] == str(tmp_path / "mpich" / "bin" / "mpicc")
    assert environment["LDFLAGS"] == f"-Wl,-rpath,{tmp_path / 'mpich' / 'lib'}"
    serial = stock_h5py.h5py_build_environment(stock_h5py.variant_recipes(SERIAL_BUILD, "serial")["h5py"],
                                               tmp_path / "hdf5", None, "bin/mpicc")
    assert "CC" not in serial and serial["HDF5_DIR"] == str(tmp_path / "hdf5")
    with pytest.raises(SlitherError, match="scons reference-mpi"):
        stock_h5py.h5py_build_environment(recipes["h5py"], tmp_path / "hdf5", None, "bin/mpicc")


@pytest.fixture
def tiny_hdf5(tmp_path):
    """A libhdf5.so (soname libhdf5.so.310) and an h5py extension linked against it with the
    run-time search path h5py's setup gives (its library_dirs)."""
    if shutil.which("gcc") is None or shutil.which("readelf") is None:
        pytest.skip("gcc and readelf are needed")
    lib, site = tmp_path / "hdf5" / "lib", tmp_path / "site-packages"
    lib.mkdir(parents=True)
    (site / "h5py").mkdir(parents=True)
    (tmp_path / "h5.c").write_text("int H5open(void) { return 0; }\n")
    (tmp_path / "ext.c").write_text("int H5open(void); int ext(void) { return H5open(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,-soname,libhdf5.so.310", "-o", str(lib / "libhdf5.so.310.5.0"),
                    str(tmp_path / "h5.c")], check=True)
    (lib / "libhdf5.so.310").symlink_to("libhdf5.so.310.5.0")
    (lib / "libhdf5.so").symlink_to("libhdf5.so.310.5.0")
    for module in ("defs", "h5"):
        subprocess.run(["gcc", "-shared", "-fPIC", f"-Wl,-rpath,{lib}", "-o", str(site / "h5py" / f"{module}.cpython-311.so"),
                        str(tmp_path / "ext.c"), f"-L{lib}", "-lhdf5"], check=True)
    # like h5py._npystrings: an extension that calls no HDF5
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(site / "h5py" / "_npystrings.cpython-311.so"),
                    str(tmp_path / "h5.c")], check=True)
    return site, tmp_path / "hdf5"


def test_a_stock_h5py_linked_against_the_shared_hdf5_passes_the_check(tiny_hdf5):
    site, prefix = tiny_hdf5
    assert stock_h5py.check_h5py_extensions(site, prefix) == "libhdf5.so.310"


def test_a_stock_h5py_without_the_shared_hdf5_or_its_search_path_fails_the_check(tiny_hdf5, tmp_path):
    site, prefix = tiny_hdf5
    with pytest.raises(SlitherError, match="not linked against"):
        stock_h5py.check_h5py_extensions(site, tmp_path / "another-hdf5")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(site / "h5py" / "defs.cpython-311.so"), str(tmp_path / "h5.c")],
                   check=True)  # HDF5 linked in: the bindings need no libhdf5.so
    with pytest.raises(SlitherError, match="defs.cpython-311.so is not linked against"):
        stock_h5py.check_h5py_extensions(site, prefix)
    with pytest.raises(SlitherError, match="left no h5py"):
        stock_h5py.check_h5py_extensions(tmp_path / "empty", prefix)


def test_a_venv_of_several_packages_is_named_by_all_and_single_ones_keep_their_name():
    numpy, h5py = load_module_recipe("numpy"), load_module_recipe("h5py")
    assert packages.venv_name([packages.StockBuild(numpy)]) == "stock-numpy-2.2.6"  # the numpy suite's venv, as before
    assert packages.venv_name([packages.StockBuild(numpy), packages.StockBuild(h5py)]) == \
        "stock-numpy-2.2.6+h5py-3.14.0"


# -- the runner ----------------------------------------------------------------------------------

def test_each_rank_writes_its_own_results_from_the_process_managers_rank():
    arguments = ["--", "--junitxml=/r/rank{rank}.xml", "--basetemp=/t/tmp-rank{rank}", "-q"]
    assert pytest_driver.rank_arguments(arguments, {"PMI_RANK": "3"}) == \
        ["--junitxml=/r/rank3.xml", "--basetemp=/t/tmp-rank3", "-q"]
    assert pytest_driver.rank_arguments(arguments, {})[0] == "--junitxml=/r/rank0.xml"  # no mpiexec: rank 0


def test_mpi_runs_are_for_parallel_builds_and_default_to_two_and_four_ranks():
    assert h5py_suite.ranks_to_run(h5py_suite.DEFAULT_RANKS["parallel"], "parallel") == [2, 4]
    assert h5py_suite.ranks_to_run(h5py_suite.DEFAULT_RANKS["serial"], "serial") == []
    assert h5py_suite.ranks_to_run("", "parallel") == []  # the serial run only
    with pytest.raises(SlitherError, match="serial"):
        h5py_suite.ranks_to_run("2", "serial")


def test_a_serial_builds_summary_is_kept_beside_the_parallel_one():
    assert h5py_suite.summary_name("parallel") == "h5py"  # serial, -n 2 and -n 4 of one build
    assert h5py_suite.summary_name("serial") == "h5py-serial"


def test_more_ranks_than_cores_make_mpich_yield(monkeypatch):
    monkeypatch.setattr(h5py_suite.os, "cpu_count", lambda: 2)
    assert "MPIR_CVAR_POLLS_BEFORE_YIELD" not in h5py_suite.oversubscribed_environment({}, 2)
    assert h5py_suite.oversubscribed_environment({}, 4)["MPIR_CVAR_POLLS_BEFORE_YIELD"] == "1"
    assert h5py_suite.oversubscribed_environment({"MPIR_CVAR_POLLS_BEFORE_YIELD": "5"}, 4) == \
        {"MPIR_CVAR_POLLS_BEFORE_YIELD": "5"}  # the user's choice stays


def test_a_rank_without_results_or_a_new_difference_fails_the_run(capsys):
    def side(outcomes_by_rank, reporting):
        return {"outcomes": outcomes_by_rank, "ranks_reporting": reporting, "seconds": 1, "log": "x.log"}

    same = {0: {"t::a": ("passed", "")}, 1: {"t::a": ("passed", "")}}
    assert h5py_suite.compare_mpi_run(2, {"python-static": side(same, 2), "stock": side(same, 2)}) == 0
    assert h5py_suite.compare_mpi_run(2, {"python-static": side({0: same[0]}, 1), "stock": side(same, 2)}) == 1
    assert "results from 1 of 2 ranks" in capsys.readouterr().out
    differing = {0: {"t::a": ("passed", "")}, 1: {"t::a": ("failed", "boom")}}
    run = {"python-static": side(differing, 2), "stock": side(same, 2)}
    assert h5py_suite.compare_mpi_run(2, run) == 1
    assert run["differences"][0]["python-static"].startswith("mixed: rank 0 passed, rank 1 failed")
    assert "outcomes" not in h5py_suite.summary_run(run)["stock"] and "counts" in h5py_suite.summary_run(run)["stock"]


def test_the_driver_runs_pytest_and_writes_the_ranks_results_under_its_own_name(tmp_path):
    """The driver for real, as one rank of an mpiexec (PMI_RANK set), on a two-test package."""
    tree = tmp_path / "tree"
    (tree / "pkg" / "tests").mkdir(parents=True)
    (tree / "pkg" / "__init__.py").write_text("__version__ = '1'\n")
    (tree / "pkg" / "tests" / "__init__.py").write_text("")
    (tree / "pkg" / "tests" / "test_m.py").write_text(
        "import pytest\ndef test_one(tmp_path): pass\ndef test_two(): pytest.skip('needs MPI')\n")
    command = h5py_suite.pytest_command(sys.executable, tree, "pkg", str(tmp_path / "rank{rank}.xml"),
                                        [f"--basetemp={tmp_path / 'tmp-rank{rank}'}", str(tree / "pkg")],
                                        h5py_suite.PYTEST_OPTIONS)  # pytest-mpi is not installed here
    environment = {"PATH": "/usr/bin:/bin", "PMI_RANK": "1", "PYTHONPATH": str(tree)}
    done = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert h5py_suite.junit_outcomes(tmp_path / "rank1.xml") == {"pkg.tests.test_m::test_one": ("passed", ""),
                                                                 "pkg.tests.test_m::test_two": ("skipped", "needs MPI")}
    assert (tmp_path / "tmp-rank1").is_dir() and not (tmp_path / "rank0.xml").exists()


def test_a_pytest_that_a_test_starts_gets_the_drivers_finder_and_options(tmp_path):
    """h5py's `subproc` tests re-run themselves as `sys.executable -m pytest FILE::TEST`: the child
    must import the test modules from the tree as the parent does, with the same options."""
    tree = tmp_path / "tree"
    (tree / "pkg" / "tests").mkdir(parents=True)
    (tree / "pkg" / "__init__.py").write_text("raise ImportError('the copy in the tree is never imported')\n")
    (tree / "pkg" / "tests" / "__init__.py").write_text("")
    (tree / "pkg" / "tests" / "conftest.py").write_text("")
    (tree / "pkg" / "tests" / "test_c.py").write_text(
        "import os, subprocess, sys\n"
        "def test_parent():\n"
        "    if os.environ.get('IN_CHILD'):\n"
        "        assert os.environ['PYTEST_ADDOPTS'].startswith('-p slither_test_tree -c ')\n"
        "        return\n"
        "    child = subprocess.run([sys.executable, '-m', 'pytest', __file__ + '::test_parent'],\n"
        "                           env={**os.environ, 'IN_CHILD': '1'}, capture_output=True, text=True)\n"
        "    assert child.returncode == 0, child.stdout\n")
    site = tmp_path / "site"  # the package as installed: the interpreter's own copy
    (site / "pkg").mkdir(parents=True)
    (site / "pkg" / "__init__.py").write_text("__version__ = '1'\n")
    command = h5py_suite.pytest_command(sys.executable, tree, "pkg", str(tmp_path / "r.xml"), [str(tree / "pkg")],
                                        h5py_suite.PYTEST_OPTIONS, for_child_pytests=True)
    done = subprocess.run(command, cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert h5py_suite.junit_outcomes(tmp_path / "r.xml") == {"pkg.tests.test_c::test_parent": ("passed", "")}


def test_the_command_line_offers_h5py():
    shown = subprocess.run([sys.executable, str(ROOT / "harness" / "suites" / "run"), "--help"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "h5py" in shown.stdout
