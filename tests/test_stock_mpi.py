"""The stock side of the MPI comparisons: the shared twin of a library recipe,
mpi4py's link against it, and the per-test comparison of mpi4py's suite. Fast: real gcc, real
readelf and real unittest on tiny inputs; the MPICH build itself is `scons reference-mpi`."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import assert_built, ROOT, run_scons
from slither.errors import SlitherError
from slither.libraries.variants import configure_flags_for, directory_name
from slither.recipes.module_recipes import load_module_recipe
from harness.stock.mpi import (build_environment, check_linked_against, checked_mpi4py_extension, dynamic_section,
                               origin_runpath, stock_mpi_recipe)
from harness.suites import comparison, known_differences, mpi4py_suite


# -- the shared variant of a library recipe ------------------------------------------------------

def test_static_linkage_is_the_recipe_as_written():
    flags = ("--disable-shared", "--enable-static", "--with-pic", "--with-device=ch3:nemesis")
    assert configure_flags_for("mpich", flags, "static") == flags


def test_shared_variant_flips_only_the_library_kind():
    mpich = load_module_recipe("mpich")
    shared = configure_flags_for("mpich", mpich.configure_flags, "shared")
    assert "--enable-shared" in shared and "--disable-static" in shared
    assert "--disable-shared" not in shared and "--enable-static" not in shared
    changed = [(a, b) for a, b in zip(mpich.configure_flags, shared) if a != b]
    assert sorted(changed) == [("--disable-shared", "--enable-shared"), ("--enable-static", "--disable-static")]
    # everything that makes it the same MPI stays: device, embedded hwloc without udev, the wrapper's
    # run-time paths (none: the consumer chooses one)
    for kept in ("--with-device=ch3:nemesis", "--with-hwloc=embedded", "--disable-libudev",
                 "--with-wrapper-dl-type=none"):
        assert kept in shared


def test_a_recipe_that_does_not_say_static_cannot_be_turned_shared():
    with pytest.raises(SlitherError, match="lacks --disable-shared"):
        configure_flags_for("zlib", ("--enable-static",), "shared")
    with pytest.raises(SlitherError, match="choose one of static, shared"):
        configure_flags_for("mpich", (), "dynamic")


def test_the_shared_build_lives_beside_the_static_one():
    assert directory_name("mpich", "4.0.2", "gnu", "static") == "mpich-4.0.2-gnu"
    assert directory_name("mpich", "4.0.2", "gnu", "shared") == "mpich-4.0.2-gnu-shared"


def test_the_stock_mpi_is_the_one_mpi4py_depends_on():
    recipe = stock_mpi_recipe()
    assert recipe.name in load_module_recipe("mpi4py").depends_on and "mpi" in recipe.provides


def test_scons_reference_mpi_declares_the_shared_build_of_the_same_recipe(tmp_path):
    result = run_scons(["-n", "VERBOSE=1", f"BUILD_DIR={tmp_path}", "CACHE_DIR=", "reference-mpi"], timeout=120)
    assert_built(result)
    command = next(line for line in result.stdout.splitlines() if "slither.libraries.build" in line)
    assert "--name mpich" in command and "--configure-flag=--enable-shared" in command
    assert "--configure-flag=--disable-static" in command and "--disable-shared" not in command
    assert "mpich-4.0.2-gnu-shared/prefix.tar" in command


# -- mpi4py's MPI.so against the shared MPI -------------------------------------------------------

def test_origin_runpath_is_relative_to_the_extension():
    assert origin_runpath(ROOT / "t/lib/python3.11/site-packages/mpi4py", ROOT / "t/mpich/lib") == \
        "$ORIGIN/../../../../mpich/lib"
    assert origin_runpath(ROOT / "t/lib", ROOT / "t/lib") == "$ORIGIN"


def test_build_environment_names_the_wrapper_and_one_search_path(tmp_path):
    env = build_environment(tmp_path, "bin/mpicc", "$ORIGIN/../lib")
    assert env == {"MPICC": str(tmp_path / "bin" / "mpicc"),
                   "LDFLAGS": f"-L{tmp_path / 'lib'} -Wl,-rpath,$ORIGIN/../lib"}


@pytest.fixture
def tiny_shared_library(tmp_path):
    """lib/libtiny.so.1 (soname) and an 'extension' linked against it with an $ORIGIN runpath,
    the way pip links MPI.so with LDFLAGS from build_environment (no shell: $ORIGIN literal)."""
    if shutil.which("gcc") is None or shutil.which("readelf") is None:
        pytest.skip("gcc and readelf are needed")
    lib, ext = tmp_path / "mpich" / "lib", tmp_path / "site" / "pkg"
    lib.mkdir(parents=True)
    ext.mkdir(parents=True)
    (tmp_path / "tiny.c").write_text("int tiny(void) { return 42; }\n")
    (tmp_path / "ext.c").write_text("int tiny(void); int ext(void) { return tiny(); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,-soname,libtiny.so.1", "-o", str(lib / "libtiny.so.1.0.0"),
                    str(tmp_path / "tiny.c")], check=True)
    (lib / "libtiny.so.1").symlink_to("libtiny.so.1.0.0")
    (lib / "libtiny.so").symlink_to("libtiny.so.1.0.0")
    runpath = origin_runpath(ext, lib)
    # a decoy libtiny.so with another soname in a directory named before the wrapper's own -L,
    # as distutils names the interpreter's LIBDIR (Debian: libmpi.so -> libmpich.so.12)
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,-soname,libdecoy.so.12", "-o", str(decoy / "libtiny.so"),
                    str(tmp_path / "tiny.c")], check=True)
    ldflags = build_environment(tmp_path / "mpich", "bin/mpicc", runpath)["LDFLAGS"].split()
    subprocess.run(["gcc", "-shared", "-fPIC", *ldflags, "-o", str(ext / "ext.so"), str(tmp_path / "ext.c"),
                    f"-L{decoy}", f"-L{lib}", "-ltiny"], check=True)
    return ext / "ext.so", lib, runpath


def test_an_extension_linked_against_the_shared_library_passes_the_check(tiny_shared_library):
    extension, lib, runpath = tiny_shared_library
    assert runpath == "$ORIGIN/../../mpich/lib"
    needed, paths = dynamic_section(extension)
    assert "libtiny.so.1" in needed and paths == [runpath]
    assert check_linked_against(extension, lib, runpath) == "libtiny.so.1"


def test_a_wrong_search_path_or_another_library_fails_the_check(tiny_shared_library, tmp_path):
    extension, lib, runpath = tiny_shared_library
    with pytest.raises(SlitherError, match="expected /opt/mpich/lib"):
        check_linked_against(extension, lib, "/opt/mpich/lib")
    other = tmp_path / "other"
    other.mkdir()
    (other / "libmpi.so.12.2.2").write_bytes(b"")
    with pytest.raises(SlitherError, match="not linked against the shared MPI"):
        check_linked_against(extension, other, runpath)


def test_the_stock_mpi4py_in_a_site_directory_is_found_and_checked(tiny_shared_library, tmp_path):
    extension, lib, runpath = tiny_shared_library
    site = tmp_path / "site-packages"
    (site / "mpi4py").mkdir(parents=True)
    with pytest.raises(SlitherError, match="left no mpi4py/MPI"):
        checked_mpi4py_extension(site, lib, runpath)
    shutil.copy2(extension, site / "mpi4py" / "MPI.cpython-311-x86_64-linux-gnu.so")
    assert checked_mpi4py_extension(site, lib, runpath) == "libtiny.so.1"


def test_other_search_paths_may_only_be_origin_relative(tiny_shared_library, tmp_path):
    """The reference CPython gives every extension it builds $ORIGIN/../lib (its libpython's
    place): accepted beside the MPI's path. An absolute path could find another MPI: refused."""
    extension, lib, runpath = tiny_shared_library
    for extra, accepted in (("$ORIGIN/../lib", True), ("/usr/lib/x86_64-linux-gnu", False)):
        variant = extension.with_name(f"ext-{accepted}.so")
        subprocess.run(["gcc", "-shared", "-fPIC", f"-Wl,-rpath,{extra}", f"-Wl,-rpath,{runpath}", "-o", str(variant),
                        str(tmp_path / "ext.c"), f"-L{lib}", "-ltiny"], check=True)
        assert dynamic_section(variant)[1] == [extra, runpath]
        if accepted:
            assert check_linked_against(variant, lib, runpath) == "libtiny.so.1"
        else:
            with pytest.raises(SlitherError, match="nothing outside"):
                check_linked_against(variant, lib, runpath)


# -- mpi4py's suite: per-test outcomes on each rank, compared -------------------------------------

FAKE_MAIN = """import unittest
TestProgram = unittest.TestProgram
"""
FAKE_TESTS = """import unittest

class T(unittest.TestCase):
    def testPass(self):
        pass
    def testFail(self):
        self.assertEqual(1, 2)
    def testError(self):
        raise RuntimeError("boom")
    @unittest.skip("not here")
    def testSkip(self):
        pass
    def testSubFails(self):
        for i in range(2):
            with self.subTest(i=i):
                self.assertEqual(i, 0)
"""


def test_driver_records_every_outcome_of_a_real_unittest_run(tmp_path):
    tests = tmp_path / "test"
    tests.mkdir()
    (tests / "main.py").write_text(FAKE_MAIN)
    (tests / "test_fake.py").write_text(FAKE_TESTS)
    (tests / "test_broken.py").write_text("import no_such_module_here\n")
    result = subprocess.run([sys.executable, str(ROOT / "harness" / "suites" / "mpi4py_driver.py"),
                             str(tmp_path / "results"), str(tests / "main.py"), "discover", "-s", str(tests)],
                            cwd=tests, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert result.returncode == 1, result.stdout  # unittest's own verdict is kept
    assert "FAILED (failures=2, errors=2, skipped=1)" in result.stdout
    outcomes = json.loads((tmp_path / "results" / "rank0.json").read_text())["outcomes"]
    assert outcomes["test_fake.T.testPass"] == ["passed", ""]
    assert outcomes["test_fake.T.testFail"][0] == "failed" and "AssertionError" in outcomes["test_fake.T.testFail"][1]
    assert outcomes["test_fake.T.testError"] == ["error", "RuntimeError: boom"]
    assert outcomes["test_fake.T.testSkip"] == ["skipped", "not here"]
    assert outcomes["test_fake.T.testSubFails"][0] == "failed"  # a failed subtest fails its test
    assert outcomes["unittest.loader._FailedTest.test_broken"][0] == "error"


def test_each_ranks_unittest_verdict_is_read_from_the_mpiexec_log():
    log = ("mpiexec -n 2 ...\n[0@host] Python 3.11.2\n"
           "Ran 1305 tests in 20.1s\n\nOK (skipped=80)\n"
           "Ran 1305 tests in 20.3s\n\nFAILED (failures=1, errors=2, skipped=80)\n")
    assert mpi4py_suite.rank_verdicts(log) == [
        {"ran": 1305, "verdict": "OK", "skipped": 80},
        {"ran": 1305, "verdict": "FAILED", "failures": 1, "errors": 2, "skipped": 80}]
    assert mpi4py_suite.rank_verdicts("Ran 3 tests in 0.1s\nOK\nRan 3 tests in 0.1s\n") == \
        [{"ran": 3, "verdict": "OK"}]  # a rank that died before its verdict has none


def test_ranks_collapse_to_one_outcome_or_say_which_rank_differs():
    same = mpi4py_suite.collapse_ranks({0: {"a": ("passed", "")}, 1: {"a": ("passed", "")}})
    assert same == {"a": ("passed", "")}
    mixed = mpi4py_suite.collapse_ranks({0: {"a": ("passed", "")}, 1: {"a": ("failed", "x")}, 2: {}})
    assert mixed["a"] == ("mixed: rank 0 passed, rank 1 failed, rank 2 absent", "x")
    assert comparison.outcome_counts(mixed, mpi4py_suite.MPI4PY_OUTCOMES)["mixed"] == 1


def test_differences_carry_the_known_reason_or_none(monkeypatch):
    monkeypatch.setattr(known_differences, "KNOWN_DIFFERENCES", {("mpi4py", "test_rma.*"): "no ctypes.pythonapi"})
    static = {"unittest.loader._FailedTest.test_rma": ("error", "ImportError"), "test_x.T.a": ("passed", "")}
    stock = {"test_rma.T.a": ("passed", ""), "test_x.T.a": ("failed", "boom")}
    differences = comparison.outcome_differences("mpi4py", ("python-static", static), ("stock", stock))
    by_test = {d["test"]: d for d in differences}
    assert set(by_test) == {"unittest.loader._FailedTest.test_rma", "test_rma.T.a", "test_x.T.a"}
    assert by_test["test_rma.T.a"]["reason"] == "no ctypes.pythonapi"
    assert by_test["test_rma.T.a"]["python-static"] == "absent"
    assert by_test["test_x.T.a"]["reason"] == "" and by_test["test_x.T.a"]["message"] == "boom"
