"""The outcome differences between python-static and stock that are understood, each with its
reason, and the test directories left out on both sides. A difference that matches none of these
makes harness/suites/run fail; a reason no run showed is reported as possibly outdated.
"""

from __future__ import annotations

import fnmatch

# Outcome differences that are understood: (package, test id pattern) -> why. A difference that
# matches none of these makes the run fail.
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("numpy", "numpy.linalg.tests.test_linalg::test_blas64_geqrf_lwork_smoketest"):
        "xfails unless numpy uses a 64-bit-integer (ILP64) BLAS: numpy's own wheels bundle one, "
        "Debian's libopenblas (both our builds) is LP64; differs only against a wheel (--stock-interpreter)",
    # numpy 2.2.6, python-static beside the same sdist built the usual way for the same CPython
    # (a wheel installed into a clean venv). What remains is about files that do not exist in a
    # single binary, and CPython's frozen-module loader; README "numpy's own test suite".
    ("numpy", "numpy.distutils.tests.test_ccompiler_opt*"):
        "numpy.distutils' CCompilerOpt stats its own source (ccompiler_opt.py) and compiles the C probes "
        "in distutils/checks/ next to __file__: frozen, there are no such files (numpy.distutils is "
        "deprecated build tooling, gone for Python >= 3.12; nothing on a compute node runs it)",
    ("numpy", "numpy.distutils.tests.test_fcompiler*"):
        "numpy.distutils finds its Fortran compiler classes by globbing fcompiler/*.py next to __file__: "
        "a frozen package has none to glob, so new_fcompiler() returns None",
    ("numpy", "numpy.distutils.tests.test_misc_util::test_installed_npymath_ini"):
        "reads numpy/_core/lib/npy-pkg-config/npymath.ini, a file for compiling C code against numpy, "
        "from the install tree: python-static has no install tree",
    ("numpy", "::numpy.tests.test_ctypeslib"):
        "opens numpy's extension modules as shared libraries at import (ctypeslib.load_library(..., "
        "_multiarray_umath.__file__)): in python-static they are part of the executable, there is no "
        "file, so the module fails to import (one collection error here, its tests on stock)",
    ("numpy", "numpy.tests.test_ctypeslib.*"):
        "collected only on stock: the module opens numpy's extension modules as shared libraries at "
        "import (see ::numpy.tests.test_ctypeslib)",
    ("numpy", "numpy.tests.test_public_api::test_NPY_NO_EXPORT"):
        "ctypes.CDLL(numpy._core._multiarray_tests.__file__): a built-in module's __file__ names no file (it is part of the executable)",
    ("numpy", "numpy.tests.test_public_api::test_numpy_*"):
        "check_dir() flags every module attribute that has a __name__ and a foreign __module__: a frozen "
        "module's __loader__ is CPython's FrozenImporter class (stock: a SourceFileLoader instance, "
        "which has no __name__), as for CPython's own frozen modules",
    ("numpy", "numpy.tests.test_public_api::test___module___attribute"):
        "walks module attributes into __loader__, which for a frozen module is CPython's FrozenImporter "
        "class, whose __module__ is _frozen_importlib, not numpy",
    ("numpy", "*numpy.tests.test_configtool*"):
        "runs numpy-config, the install's console script: python-static has no scripts, and numpy's "
        "test module skips itself when numpy is not in a site-packages directory",
    ("numpy", "numpy.tests.test_scripts::test_f2py*"):
        "runs f2py, the install's console script, in a non-strict xfail (\"unreliable\"): stock runs it "
        "(XPASS, counted as passed), python-static has no scripts (xfailed)",
    ("numpy", "numpy.typing.tests.test_isfile.TestIsFile::test_isfile"):
        "checks that numpy's .pyi stubs and py.typed exist as files in numpy/: python-static serves "
        "package data through importlib.resources, not as files",
    ("numpy", "numpy.testing.tests.test_utils::test_suppress_warnings_module"):
        "numpy's suppress_warnings(module=m) matches a warning's file name against m.__file__; frozen code "
        "names its file <frozen numpy/lib/_shape_base_impl.py> (as CPython's frozen stdlib does), and "
        "__file__ is where the file would be, which no traceback could show anyway",
    # mpi4py, python-static beside stock (both MPICH 4.0.2 from modules/libraries/mpich.py; stock: shared,
    # `scons reference-mpi`). The C API and MPI are found through ctypes since the final link's
    # symbol table (slither/link/symbol_table.py); what remains is about files that do not exist.
    ("mpi4py", "test_package.TestDataFiles.test*"):
        "looks for .pxd/.h/.pyi files next to mpi4py.__file__: python-static serves package files through "
        "importlib.resources, not as files",
    ("mpi4py", "test_mpiapi.TestMPIAPI.test*Symbol*"):
        "reads mpi4py/libmpi.pxd next to mpi4py.__file__: python-static serves package files through "
        "importlib.resources, not as files",
    ("mpi4py", "test_toplevel.TestConfig.testGetInclude"):
        "mpi4py.get_include() is computed from __spec__.origin, which for a frozen package is 'frozen' "
        "(README: MPI, known gap)",
    ("mpi4py", "test_package.TestMPIABI.testFinder"):
        "looks for files of mpi4py.MPI and of the MPI library it loaded (MPI.*.so, libmpi.so): in "
        "python-static both are linked in, there is no file to find",
    ("mpi4py", "test_doc.TestDoc.testDoc"):
        "walks mpi4py.MPI's namespace into its __loader__, which for a built-in module is CPython's "
        "BuiltinImporter, whose methods have no docstrings",
    # psutil 7.0.0, built without a recipe (MODULES=psutil==7.0.0), beside the same sdist built the
    # usual way. Its other failures fail on both sides (a container without
    # swap, sensors, ...).
    ("psutil", "psutil.tests.test_process.TestProcess::test_memory_maps_lists_lib"):
        "picks a shared library from the process's own memory maps (random.choice of the .so "
        "files mapped): a fully static binary maps none, so the choice is from an empty list",
    ("psutil", "psutil.tests.test_unicode.TestFSAPIs*::test_memory_maps"):
        "copies a shared library the process has mapped to a unicode name and loads it with ctypes: "
        "a fully static binary maps none (and cannot dlopen one)",
    # Seen failing on the stock side only, under load (load average 11 on 2 cores while other
    # builds ran), passing in python-static in the same runs: timing-dependent.
    ("psutil", "psutil.tests.test_connections.TestSystemWideConnections::test_multi_sockets_procs"):
        "timing: the test's child interpreters must each create a socket file within psutil's "
        "wait_for_file timeout; on a loaded machine the stock interpreter's start-up misses it "
        "(FileNotFoundError on the socket path), python-static's does not (stock failed in each of the 5 runs here, python-static passed in each)",
    ("psutil", "psutil.tests.test_process.TestProcess::test_*cmdline"):
        "stock only, intermittent (test_cmdline and test_long_cmdline, each in 1 of 3 runs): the stock "
        "child interpreter the test spawned had already exited ('terminated', empty cmdline) when the "
        "test read it; python-static passed in all 3 runs. Cause not found (a loaded machine)",
    ("psutil", "psutil.tests.test_posix.TestProcess::test_name"):
        "stock only, intermittent: failed in 1 of 13 stock runs (an extended run at load "
        "average 11), passed in the 12 since (10 of them beside a cold build); python-static passed in "
        "all. It compares the name `ps` prints for the child spawned in setUpClass with psutil's: the "
        "same family as test_*cmdline (a child gone when the test reads it is `[python] <defunct>` to "
        "ps). Cause not found",
    # GPAW 26.7.0's CI tests, python-static beside GPAW built shared from the same sdist
    # (harness/stock/gpaw.py).
    ("gpaw", "gpaw.test.test_complete::test_complete"):
        "checks that gpaw/cli/complete.py, the shell-completion script, is up to date by opening that "
        "module's source file beside gpaw's __file__ (ase.cli.completion.update): frozen, there is no "
        "source file; the completion script is for a login shell, not for a compute node",
}

# Test directories left out on BOTH sides, with the reason (printed with the results).
NOT_RUN = {
    "numpy": {
        "f2py/tests": "f2py's tests compile Fortran/C extension modules with meson at test time and "
                      "import them as shared objects: a static interpreter cannot load a .so",
    },
}


def known_reason(package: str, test_id: str) -> str:
    """Why `test_id` of `package` may differ, or "" when nothing explains it."""
    for (known_package, pattern), reason in KNOWN_DIFFERENCES.items():
        if known_package == package and fnmatch.fnmatchcase(test_id, pattern):
            return reason
    return ""


def unused_reasons(package: str, used: set[str]) -> list[str]:
    """The package's known reasons that explained none of the differences seen (stale?)."""
    return sorted({reason for (known_package, _), reason in KNOWN_DIFFERENCES.items()
                   if known_package == package and reason not in used})
