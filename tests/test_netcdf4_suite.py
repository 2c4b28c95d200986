"""The netCDF4 comparison's pieces, fast (no library or package build, no MPI): the stock shared
netCDF-C derived from the library recipe (harness.stock.netcdf), the stock venv's packages and
their build environment, the static side's patches on the stock build, the driver that runs
run_all's suite and the MPI examples in either interpreter (this one, on tiny stand-ins), and
how harness/suites/netcdf4_suite.py compares sides. The full comparison is
tests/test_package_suites.py (extended)."""

import io
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import ROOT
from slither.errors import SlitherError
from slither.recipes.module_recipes import load_module_recipe
from slither.sources import patches
from harness.stock import netcdf as stock_netcdf
from harness.stock import packages
from harness.suites import binary_under_test, netcdf4_suite

DRIVER = ROOT / "harness" / "suites" / "netcdf4_driver.py"

PARALLEL_BUILD = {"target": "gnu", "cpython": "3.11.2",
                  "modules": {"zlib": {"version": "1.3.1", "recipe": True},
                              "hdf5": {"version": "1.14.5+repack", "recipe": True},
                              "netcdf-c": {"version": "4.9.3", "recipe": True},
                              "numpy": {"version": "2.2.6", "recipe": True},
                              "mpi4py": {"version": "4.1.2", "recipe": True},
                              "netcdf4": {"version": "1.7.5.1.post1", "recipe": True},
                              "cftime": {"version": "1.6.6.1", "recipe": False,
                                         "needed_by": ["netcdf4 1.7.5.1.post1"]},
                              "certifi": {"version": "2025.8.3", "recipe": False,
                                          "needed_by": ["netcdf4 1.7.5.1.post1"]},
                              "packaging": {"version": "25.0", "recipe": False,
                                            "needed_by": ["netcdf4 1.7.5.1.post1"]}}}
SERIAL_BUILD = {**PARALLEL_BUILD, "modules": {name: info for name, info in PARALLEL_BUILD["modules"].items()
                                              if name != "mpi4py"}}


# -- the stock shared netCDF-C -------------------------------------------------------------------

def test_the_stock_netcdf_c_is_the_recipe_with_only_the_library_kind_switched():
    recipe = load_module_recipe("netcdf-c")
    flags = stock_netcdf.shared_configure_flags(recipe)
    assert "--enable-shared" in flags and "--disable-static" in flags
    assert "--disable-shared" not in flags and "--enable-static" not in flags
    same = [flag for flag in recipe.configure_flags if flag not in ("--disable-shared", "--enable-static")]
    assert [flag for flag in flags if flag not in ("--enable-shared", "--disable-static")] == same
    assert "--disable-dap" in flags  # the recipe's own choices come along, not a copy of them


def test_the_stock_netcdf_c_compiles_against_the_stock_hdf5_and_parallel_with_the_mpis_wrapper(tmp_path):
    base = {"PATH": "/usr/bin", "CC": "clang", "CPPFLAGS": "-I/elsewhere", "LD_LIBRARY_PATH": "/elsewhere"}
    hdf5, mpich = tmp_path / "hdf5", tmp_path / "mpich"
    serial = stock_netcdf.compiler_environment(base, "serial", hdf5, None, "bin/mpicc")
    assert "CC" not in serial  # no caller's compiler settings: the system compiler
    assert serial["CPPFLAGS"] == f"-I{hdf5 / 'include'}"
    assert serial["LDFLAGS"] == f"-L{hdf5 / 'lib'} -Wl,-rpath,{hdf5 / 'lib'}"
    assert serial["LD_LIBRARY_PATH"] == f"{hdf5 / 'lib'}:/elsewhere"
    parallel = stock_netcdf.compiler_environment(base, "parallel", hdf5, mpich, "bin/mpicc")
    assert parallel["CC"] == str(mpich / "bin" / "mpicc")
    assert parallel["LDFLAGS"] == f"-L{hdf5 / 'lib'} -Wl,-rpath,{hdf5 / 'lib'} -Wl,-rpath,{mpich / 'lib'}"
    assert parallel["LD_LIBRARY_PATH"].split(":") == [str(hdf5 / "lib"), str(mpich / "lib"), "/elsewhere"]
    with pytest.raises(SlitherError, match="scons reference-mpi"):
        stock_netcdf.compiler_environment(base, "parallel", hdf5, None, "bin/mpicc")


def test_the_stock_netcdf_c_is_rebuilt_when_its_source_flags_hdf5_mpi_or_patches_change():
    recipe = load_module_recipe("netcdf-c")
    flags = stock_netcdf.shared_configure_flags(recipe)
    patch_files = stock_netcdf.recipe_patch_files(recipe)
    identity = stock_netcdf.build_identity(recipe, "parallel", flags, "hdf5 one", "mpich one", patch_files)
    assert identity == stock_netcdf.build_identity(recipe, "parallel", flags, "hdf5 one", "mpich one", patch_files)
    assert len({identity,
                stock_netcdf.build_identity(recipe, "parallel", flags, "hdf5 two", "mpich one", patch_files),
                stock_netcdf.build_identity(recipe, "parallel", flags, "hdf5 one", "mpich two", patch_files),
                stock_netcdf.build_identity(recipe, "parallel", flags[:-1], "hdf5 one", "mpich one", patch_files),
                stock_netcdf.build_identity(recipe, "parallel", flags, "hdf5 one", "mpich one", ())}) == 5
    assert json.loads(identity)["sha256"] == recipe.source.sha256


def test_both_sides_get_the_recipes_patches_pinned_as_the_static_build_has_them():
    for name in ("netcdf-c", "netcdf4"):
        recipe = load_module_recipe(name)
        files = stock_netcdf.recipe_patch_files(recipe)
        assert [path.relative_to(patches.PATCHES_DIR).as_posix() for path in files] == list(recipe.patches)
        assert files, name  # each has one: the comparison must run the patched code on both sides
        for path in files:
            patches.verify_patch(path)


# -- the stock netCDF4 and its venv --------------------------------------------------------------

def test_the_binarys_manifest_decides_serial_or_parallel():
    assert stock_netcdf.binary_variant(PARALLEL_BUILD) == "parallel"
    assert stock_netcdf.binary_variant(SERIAL_BUILD) == "serial"
    with pytest.raises(SlitherError, match="no netcdf4 built in"):
        stock_netcdf.binary_variant({"modules": {"numpy": {"version": "2.2.6"}}})


def test_the_stock_recipes_are_the_plans_variant_of_the_binarys_recipes():
    parallel = stock_netcdf.variant_recipes(PARALLEL_BUILD, "parallel")
    assert list(parallel) == ["hdf5", "netcdf-c", "numpy", "mpi4py", "netcdf4"]
    assert "mpi4py" in parallel["netcdf4"].depends_on  # the plan's rule: built with mpi4py on its path
    serial = stock_netcdf.variant_recipes(SERIAL_BUILD, "serial")
    assert list(serial) == ["hdf5", "netcdf-c", "numpy", "netcdf4"] and "mpi4py" not in serial["netcdf4"].depends_on
    stale = {**SERIAL_BUILD, "modules": {**SERIAL_BUILD["modules"], "netcdf4": {"version": "1.6.0"}}}
    with pytest.raises(SlitherError, match="rebuild the binary"):
        stock_netcdf.variant_recipes(stale, "serial")


def test_the_stock_netcdf4_gets_the_recipes_environment_with_the_stock_prefixes_and_mpi(tmp_path):
    recipe = stock_netcdf.variant_recipes(PARALLEL_BUILD, "parallel")["netcdf4"]
    prefixes = {"netcdf-c": tmp_path / "netcdf", "hdf5": tmp_path / "hdf5"}
    environment = stock_netcdf.netcdf4_build_environment(recipe, prefixes, tmp_path / "mpich", "bin/mpicc", "parallel")
    assert environment["NETCDF4_DIR"] == str(tmp_path / "netcdf") and environment["HDF5_DIR"] == str(tmp_path / "hdf5")
    assert environment["USE_SETUPCFG"] == load_module_recipe("netcdf4").build_environment["USE_SETUPCFG"]
    assert environment["CC"] == environment["MPICC"] == str(tmp_path / "mpich" / "bin" / "mpicc")
    assert environment["LDFLAGS"] == f"-Wl,-rpath,{tmp_path / 'mpich' / 'lib'}"
    serial = stock_netcdf.netcdf4_build_environment(recipe, prefixes, None, "bin/mpicc", "serial")
    assert "CC" not in serial and "LDFLAGS" not in serial
    with pytest.raises(SlitherError, match="scons reference-mpi"):
        stock_netcdf.netcdf4_build_environment(recipe, prefixes, None, "bin/mpicc", "parallel")
    with pytest.raises(SlitherError, match="names a library the stock side does not build"):
        stock_netcdf.netcdf4_build_environment(recipe, {"hdf5": tmp_path / "hdf5"}, None, "bin/mpicc", "serial")


def test_what_the_build_brought_in_for_netcdf4_is_read_from_the_manifest_transitively():
    build = {"modules": {**PARALLEL_BUILD["modules"],
                         "numpy": {"version": "2.2.6", "recipe": True, "needed_by": ["cftime 1.6.6.1 (to build)"]},
                         "helper": {"version": "1.0", "recipe": False, "needed_by": ["cftime 1.6.6.1"]},
                         "unrelated": {"version": "2.0", "recipe": False, "needed_by": ["psutil 7.0.0"]}}}
    assert stock_netcdf.brought_in_for_netcdf4(build, {"numpy", "mpi4py"}) == \
        ["cftime", "certifi", "packaging", "helper"]
    assert stock_netcdf.brought_in_for_netcdf4({"modules": {"netcdf4": {"version": "1"}}}) == []


@dataclass(frozen=True)
class Named:
    name: str
    build_system: str = "setuptools"


def test_netcdf4_builds_against_numpy_and_mpi4py_and_pure_wheels_come_last():
    def build(name, system="setuptools"):
        return packages.StockBuild(Named(name, system))

    brought = [build("certifi", "pure"), build("cftime"), build("packaging", "pure")]
    order = stock_netcdf.stock_builds_in_order(build("numpy"), build("mpi4py"), build("netcdf4"), brought)
    assert [b.recipe.name for b in order] == ["numpy", "mpi4py", "netcdf4", "cftime", "certifi", "packaging"]
    order = stock_netcdf.stock_builds_in_order(build("numpy"), None, build("netcdf4"), brought)
    assert [b.recipe.name for b in order][:2] == ["numpy", "netcdf4"]


def test_the_stock_netcdf4_is_built_with_its_pinned_cython_for_the_stock_interpreters_series(monkeypatch, tmp_path):
    monkeypatch.setattr(packages, "obtain", lambda wheel, **keywords: tmp_path / wheel.filename)
    recipe = load_module_recipe("netcdf4")
    for series in ("3.11", "3.13"):
        wheels, from_build = packages.build_requirement_wheels(recipe, series, tmp_path, [])
        cython = [wheel.name for wheel in wheels if wheel.name.startswith("cython-")]
        assert len(cython) == 1 and f"-cp{series.replace('.', '')}-" in cython[0], (series, cython)
        assert {wheel.name.split("-")[0] for wheel in wheels} >= {"setuptools", "wheel", "packaging", "setuptools_scm"}
        assert from_build == ()


def test_a_recipe_free_package_in_the_binary_is_skipped_when_looking_for_a_recipe(monkeypatch, tmp_path):
    monkeypatch.setattr(binary_under_test, "load_manifest", lambda binary: {"build": SERIAL_BUILD})
    build, recipe = binary_under_test.package_recipe(tmp_path / "python-static", "netCDF4")
    assert recipe.name == "netcdf4" and recipe.version == "1.7.5.1.post1"


# -- harness.stock.packages: a pure wheel as it is, a patched sdist ------------------------------

@dataclass(frozen=True)
class TinySource:
    sha256: str


@dataclass(frozen=True)
class TinyRecipe:
    name: str
    version: str
    source: TinySource
    source_path: str = ""
    path: str = ""
    build_system: str = "setuptools"
    config_settings: tuple = ()
    build_requirements: tuple = ()
    locked_build_requirements: object = None


def test_a_pure_wheel_is_the_stock_sides_package_as_it_is(tmp_path, monkeypatch):
    wheel = tmp_path / "certifi-2025.8.3-py3-none-any.whl"
    wheel.write_bytes(b"a pure wheel")
    monkeypatch.setattr(packages.subprocess, "run", lambda *a, **k: pytest.fail("nothing is built"))
    recipe = TinyRecipe("certifi", "2025.8.3", TinySource("x"), str(wheel), build_system="pure")
    assert packages.stock_wheel(sys.executable, recipe, tmp_path / "work", []) == wheel


PATCH = """--- a/tiny.py
+++ b/tiny.py
@@ -1 +1 @@
-VALUE = "as released"
+VALUE = "patched"
"""


def test_a_stock_build_with_patches_builds_the_patched_tree_and_its_identity_names_them(tmp_path, monkeypatch):
    sdist = tmp_path / "tiny-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        data = b'VALUE = "as released"\n'
        info = tarfile.TarInfo("tiny-1.0/tiny.py")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    patch = tmp_path / "value.patch"
    patch.write_text(PATCH)
    verified = []
    monkeypatch.setattr(packages.patches, "verify_patch", verified.append)
    monkeypatch.setattr(packages.build_tools, "obtain_tool_wheels",
                        lambda *a, **k: [tmp_path / "pip-25.0-py3-none-any.whl"])
    monkeypatch.setattr(packages, "interpreter_series", lambda python: "3.11")
    built_from = []
    real_run = subprocess.run  # the patch program really runs (slither.sources.patches)

    def run(command, **options):
        if command[0] == "patch":
            return real_run(command, **options)
        if "wheel" in command:  # pip wheel -v -w DIR ... SOURCE: what it builds is the patched tree
            source = Path(command[-1])
            built_from.append((source.name, (source / "tiny.py").read_text()))
            wheel_dir = Path(command[command.index("-w") + 1])
            wheel_dir.mkdir(parents=True)
            (wheel_dir / "tiny-1.0-py3-none-any.whl").write_bytes(b"built")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(packages.subprocess, "run", run)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    recipe = TinyRecipe("tiny", "1.0", TinySource("sha"), str(sdist))
    wheel = packages.stock_wheel(sys.executable, recipe, tmp_path / "work", [], patch_files=[patch])
    assert wheel.read_bytes() == b"built" and verified == [patch]
    assert built_from == [("source", 'VALUE = "patched"\n')]
    assert not list((tmp_path / "work").glob("stock-build-*"))  # the builder, patched tree included, is gone
    plain = packages.stock_identity(sys.executable, recipe, None, None, [])
    assert "patches" not in json.loads(plain)  # unpatched builds keep the identity they had
    patched = json.loads(packages.stock_identity(sys.executable, recipe, None, None, [], [patch]))
    assert patched["patches"] == [f"value.patch {packages.sha256_of(patch)}"]


# -- the driver, in this interpreter -------------------------------------------------------------

RUN_ALL = """import glob, os, sys, unittest
test_files = glob.glob('test_*.py')
test_files.sort()
testsuite = unittest.TestSuite()
for f in test_files:
    m = __import__(os.path.splitext(f)[0])
    testsuite.addTests(unittest.TestLoader().loadTestsFromModule(m))
if __name__ == '__main__':
    import cython  # what the driver must not run
"""

TEST_CASES = """import unittest
import appended_helper  # from --append-path, as pytest is for test_cli.py

class Cases(unittest.TestCase):
    def test_passes(self):
        open("written-in-cwd.txt", "w").write(appended_helper.VALUE)

    def test_fails(self):
        self.assertEqual(1, 2)

    def test_errors(self):
        raise KeyError("missing")

    @unittest.skip("no plugin")
    def test_skipped(self):
        pass

    @unittest.expectedFailure
    def test_expected(self):
        self.fail("known")

    def test_subtests(self):
        for value in (1, 2):
            with self.subTest(value=value):
                self.assertEqual(value, 1)
"""


def test_the_driver_runs_run_alls_suite_and_records_every_test(tmp_path):
    test_dir, helpers = tmp_path / "test", tmp_path / "helpers"
    test_dir.mkdir(), helpers.mkdir()
    (test_dir / "run_all.py").write_text(RUN_ALL)
    (test_dir / "test_cases.py").write_text(TEST_CASES)
    (helpers / "appended_helper.py").write_text("VALUE = 'from the end of sys.path'\n")
    results = tmp_path / "results" / "stock.json"
    done = subprocess.run([sys.executable, str(DRIVER), "unittest", str(results), "--append-path", str(helpers)],
                          cwd=test_dir, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": ""})
    assert done.returncode == 1, done.stdout + done.stderr
    record = json.loads(results.read_text())
    assert record["executable"] == sys.executable
    assert netcdf4_suite.read_driver_outcomes(results) == {
        "test_cases.Cases.test_passes": ("passed", ""),
        "test_cases.Cases.test_fails": ("failed", "AssertionError: 1 != 2"),
        "test_cases.Cases.test_errors": ("error", "KeyError: 'missing'"),
        "test_cases.Cases.test_skipped": ("skipped", "no plugin"),
        "test_cases.Cases.test_expected": ("xfailed", ""),
        "test_cases.Cases.test_subtests": ("failed", "AssertionError: 2 != 1"),
    }
    assert (test_dir / "written-in-cwd.txt").read_text() == "from the end of sys.path"


def test_a_suite_that_cannot_even_be_imported_is_one_error_not_silence(tmp_path):
    (tmp_path / "run_all.py").write_text("import netCDF4_missing_here\n")
    results = tmp_path / "r.json"
    done = subprocess.run([sys.executable, str(DRIVER), "unittest", str(results)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    outcome, message = netcdf4_suite.read_driver_outcomes(results)["run_all"]
    assert outcome == "error" and "netCDF4_missing_here" in message


def test_the_driver_runs_an_example_as_python_would_and_names_the_ranks_result(tmp_path):
    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "writes.py").write_text("import sys\nopen('out.txt', 'w').write(' '.join(sys.argv[1:]))\n")
    (examples / "asserts.py").write_text("assert 1 == 2, 'rank 3 read the wrong value'\n")
    (tmp_path / "run").mkdir()
    for script, arguments in (("writes.py", ["NETCDF4_CLASSIC"]), ("asserts.py", [])):
        done = subprocess.run([sys.executable, str(DRIVER), "example", str(tmp_path / script), str(examples / script),
                               *arguments], cwd=tmp_path / "run", capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PMI_RANK": "3"})
        assert done.returncode == (0 if script == "writes.py" else 1), done.stderr
    assert (tmp_path / "run" / "out.txt").read_text() == "NETCDF4_CLASSIC"
    passed = json.loads((tmp_path / "writes.py" / "rank3.json").read_text())
    assert passed["rank"] == 3 and passed["outcomes"] == {"examples/writes.py NETCDF4_CLASSIC": ["passed", ""]}
    failed = json.loads((tmp_path / "asserts.py" / "rank3.json").read_text())
    assert failed["outcomes"] == {"examples/asserts.py": ["failed", "AssertionError: rank 3 read the wrong value"]}
    assert netcdf4_suite.example_id(("mpi_example.py", "NETCDF3_64BIT_DATA")) == \
        "examples/mpi_example.py NETCDF3_64BIT_DATA"  # the id the driver records
    assert netcdf4_suite.example_name(("mpi_example.py", "NETCDF3_64BIT_DATA")) == "mpi_example-netcdf3_64bit_data"


# -- the suite -----------------------------------------------------------------------------------

def make_sdist(path, names):
    with tarfile.open(path, "w:gz") as archive:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = 1
            archive.addfile(info, io.BytesIO(b"x"))
    return path


def test_the_suite_files_are_test_and_examples_of_the_sdist(tmp_path):
    sdist = make_sdist(tmp_path / "netcdf4-1.0.tar.gz", ["netcdf4-1.0/test/run_all.py", "netcdf4-1.0/test/ubyte.nc",
                                                         "netcdf4-1.0/examples/mpi_example.py",
                                                         "netcdf4-1.0/src/netCDF4/__init__.py", "netcdf4-1.0/setup.py"])
    tree = tmp_path / "work" / "netcdf4-tests"
    assert netcdf4_suite.extract_suite_files(sdist, tree) == 3
    assert sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()) == \
        ["examples/mpi_example.py", "test/run_all.py", "test/ubyte.nc"]
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["netcdf4-tests"]  # the rest is gone
    without_examples = make_sdist(tmp_path / "other-1.0.tar.gz", ["other-1.0/test/run_all.py"])
    with pytest.raises(SlitherError, match="no examples/ directory"):
        netcdf4_suite.extract_suite_files(without_examples, tmp_path / "work" / "other")


def test_each_side_runs_without_the_callers_python_variables_offline_and_in_its_own_directories(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    environment = netcdf4_suite.side_environment("/venv/bin/python", tmp_path)
    assert "PYTHONPATH" not in environment and environment["NO_NET"] == "1"
    assert environment["HOME"] == str(tmp_path) and environment["TMPDIR"] == str(tmp_path / "tmp")
    assert (tmp_path / "tmp").is_dir() and environment["PATH"].startswith("/venv/bin")


def example_run(outcomes_by_rank, exit_code=0):
    return {"outcomes": outcomes_by_rank, "ranks_reporting": len(outcomes_by_rank), "exit": exit_code,
            "seconds": 2, "log": f"log-{exit_code}-{len(outcomes_by_rank)}"}


def test_the_examples_ranks_are_merged_and_compared_and_a_missing_rank_fails(capsys):
    first, second = "examples/mpi_example.py", "examples/mpi_example_compressed.py"
    passed = {first: ("passed", "")}

    def side(ranks, exit_code=0, second_ranks=None):
        return netcdf4_suite.merge_example_runs({
            first: example_run({rank: {first: ("passed", "")} for rank in range(ranks)}, exit_code),
            second: example_run({rank: {second: ("passed", "")} for rank in range(second_ranks or ranks)})}, ranks)

    merged = side(2)
    assert merged["outcomes"] == {0: {**passed, second: ("passed", "")}, 1: {**passed, second: ("passed", "")}}
    assert merged["ranks_reporting"] == 2 and merged["seconds"] == 4 and merged["examples"][first]["exit"] == 0
    assert netcdf4_suite.compare_example_run(2, {"python-static": side(2), "stock": side(2)}) == 0
    short = side(2, second_ranks=1)
    assert short["ranks_reporting"] == 1 and short["log"] == "log-0-1"  # the run to look at
    assert netcdf4_suite.compare_example_run(2, {"python-static": short, "stock": side(2)}) == 1
    assert "results from 1 of 2 ranks" in capsys.readouterr().out


def test_an_mpiexec_that_fails_on_one_side_only_is_a_difference():
    first = "examples/mpi_example.py"

    def side(exit_code):
        return netcdf4_suite.merge_example_runs(
            {first: example_run({0: {first: ("passed", "")}, 1: {first: ("passed", "")}}, exit_code)}, 2)

    run = {"python-static": side(134), "stock": side(0)}
    assert netcdf4_suite.compare_example_run(2, run) == 1
    assert run["differences"] == [{"test": f"{first} (mpiexec exit status)", "python-static": "exit 134",
                                   "stock": "exit 0", "message": "", "reason": ""}]
    both_failed = {"python-static": side(1), "stock": side(1)}
    assert netcdf4_suite.compare_example_run(2, both_failed) == 0 and both_failed["differences"] == []


def test_mpi_runs_are_for_parallel_builds_and_default_to_two_and_four_ranks():
    assert netcdf4_suite.ranks_to_run(netcdf4_suite.DEFAULT_RANKS["parallel"], "parallel") == [2, 4]
    assert netcdf4_suite.ranks_to_run(netcdf4_suite.DEFAULT_RANKS["serial"], "serial") == []
    assert netcdf4_suite.ranks_to_run("1,2,4", "parallel") == [1, 2, 4]
    with pytest.raises(SlitherError, match="serial"):
        netcdf4_suite.ranks_to_run("2", "serial")
    assert netcdf4_suite.summary_name("parallel") == "netcdf4"
    assert netcdf4_suite.summary_name("serial") == "netcdf4-serial"


def test_options_that_choose_tests_are_refused_for_run_alls_whole_suite():
    plain = SimpleNamespace(k=None, parts=[], full=False, stock_interpreter=None)
    netcdf4_suite.refuse_unsupported(plain)
    with pytest.raises(SlitherError, match="-k, parts not supported"):
        netcdf4_suite.refuse_unsupported(SimpleNamespace(**{**vars(plain), "k": "atts", "parts": ["test"]}))


def test_every_example_left_out_says_why_and_none_is_also_run():
    run = {netcdf4_suite.example_id(example) for example in netcdf4_suite.MPI_EXAMPLES}
    assert run == {"examples/mpi_example.py", "examples/mpi_example_compressed.py"}
    for test, reason in netcdf4_suite.MPI_EXAMPLES_NOT_RUN.items():
        assert test not in run and len(reason) > 20


def test_the_command_line_offers_netcdf4():
    shown = subprocess.run([sys.executable, str(ROOT / "harness" / "suites" / "run"), "--help"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "netcdf4" in shown.stdout
