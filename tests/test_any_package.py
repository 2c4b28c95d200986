"""Real PyPI packages without a recipe, across build backends and languages, in one binary.

For each: it builds (its build requirements resolved and locked, its run-time requirements
brought in), its extension modules are dotted built-ins, importing it makes no file syscall,
and a functional check from its documentation gives the documented answer. The results are
listed in docs/packages.md ("Packages tried without a recipe").

Heavy (a C++ package or two, numpy): `extended`. The default run builds six, msgpack and cffi
the same way (tests/test_recipe_free_build.py), and the user-code example (test_user_code_build.py)."""

import subprocess

import pytest

from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = [pytest.mark.slow, pytest.mark.extended]

# entry, what it exercises, import name, a module that must be built in, check code, expected output
PACKAGES = [
    ("cffi==1.17.1", "setuptools, C; brings pycparser (Requires-Dist)", "cffi", "_cffi_backend",
     "import cffi; ffi = cffi.FFI(); ffi.cdef('double sqrt(double);'); print(ffi.dlopen(None).sqrt(4.0))", "2.0"),
    ("argon2-cffi-bindings==21.2.0", "cffi in API (compiled) mode; setuptools-scm version", "_argon2_cffi_bindings",
     "_argon2_cffi_bindings._ffi",
     "from _argon2_cffi_bindings import lib; print(lib.ARGON2_OK, lib.argon2_encodedlen(1, 8, 1, 16, 32, 2))",
     "0 94"),
    ("ujson==5.10.0", "setuptools-scm version, C", "ujson", "ujson",
     "import ujson; print(ujson.dumps({'ranks': [1, 2]}))", '{"ranks":[1,2]}'),
    ("pyyaml==6.0.2", "an in-tree backend (backend-path), Cython", "yaml", None,
     "import yaml; print(yaml.safe_load('ranks: [1, 2]'))", "{'ranks': [1, 2]}"),
    ("rapidfuzz==3.13.0", "scikit-build-core, C++ (CMake and ninja from locked wheels)", "rapidfuzz",
     "rapidfuzz.fuzz_cpp", "from rapidfuzz import fuzz; print(fuzz.ratio('this is a test', 'this is a test'))",
     "100.0"),
    pytest.param("boost-histogram==1.5.2", "scikit-build-core + pybind11, C++; numpy at run time", "boost_histogram",
     "boost_histogram._core",
     "import boost_histogram as bh; h = bh.Histogram(bh.axis.Regular(4, 0, 1)); h.fill([0.1, 0.2, 0.9]); "
     "print(h.values().tolist())", "[2.0, 0.0, 0.0, 1.0]"),
    ("bottleneck==1.4.2", "setuptools, C; numpy at build time (the one built for the binary)", "bottleneck",
     "bottleneck.reduce", "import bottleneck as bn, numpy as np; print(bn.nanmean(np.array([1.0, np.nan, 3.0])))",
     "2.0"),
    ("psutil==7.0.0", "setuptools, C; imports pwd (NSS starts at the first lookup, not then)", "psutil",
     "psutil._psutil_linux", "import psutil; print(psutil.Process().pid > 0)", "True"),
    ("setproctitle==1.3.6", "a setup.py without pyproject.toml, C", "setproctitle", "setproctitle._setproctitle",
     "import setproctitle; setproctitle.setproctitle('rank-0'); print(setproctitle.getproctitle())", "rank-0"),
    ("bitarray==3.4.2", "setuptools, C", "bitarray", "bitarray._bitarray",
     "from bitarray import bitarray; print(bitarray('1011').count(1))", "3"),
    ("msgpack==1.1.1", "Cython, C++", "msgpack", "msgpack._cmsgpack",
     "import msgpack; print(msgpack.unpackb(msgpack.packb({'ranks': [1, 2]})))", "{'ranks': [1, 2]}"),
    ("wrapt==1.17.2", "a pure fallback wheel passed over for the sdist's C extension", "wrapt", "wrapt._wrappers",
     "import wrapt; print(wrapt.ObjectProxy(3) + 1)", "4"),
    ("spglib==2.8.0", "scikit-build-core; its C library a CMake shared library with a versioned soname",
     "spglib", "spglib._spglib",
     "import spglib; print(spglib.get_spacegroup(([[4, 0, 0], [0, 4, 0], [0, 0, 4]], "
     "[[0, 0, 0], [0.5, 0.5, 0.5]], [1, 1])))", "Im-3m (229)"),
    ("iniconfig==2.1.0", "hatchling + hatch-vcs, pure (its sdist, not its wheel)", "iniconfig", None,
     "import iniconfig; print(iniconfig.IniConfig('x.ini', data='[job]\\nranks = 4\\n')['job']['ranks'])", "4"),
]

# Built from their sdists although they publish a pure wheel: the real hatchling build.
FROM_SDIST = ["iniconfig"]


def entry_of(package) -> str:
    return (package.values if hasattr(package, "values") else package)[0]


@pytest.fixture(scope="module")
def binary(built_binary):
    modules = ",".join(["numpy"] + [entry_of(package) for package in PACKAGES])
    return built_binary({"MODULES": modules, "FROM_SDIST": ",".join(FROM_SDIST)}, timeout=7200).binary


@pytest.mark.parametrize("entry, what, module, builtin, code, expected", PACKAGES,
                         ids=[entry_of(package) for package in PACKAGES])
def test_a_package_without_a_recipe_works_inside_the_binary(binary, tmp_path, entry, what, module, builtin,
                                                            code, expected):
    result = subprocess.run([str(binary), "-c", code], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.stdout.strip() == expected, result.stderr[-2000:]
    if builtin:
        check = subprocess.run([str(binary), "-c", f"import sys, {module}, {builtin}; "
                                f"print({builtin!r} in sys.builtin_module_names)"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert check.stdout.strip() == "True", check.stderr[-2000:]
    # Stock Python's `-c` puts the current directory first on sys.path, and a name the binary
    # does not own (an optional module a package tries) is looked up there, by design, as stock
    # Python does; a job script's directory stands where the current directory does. So: under
    # `-P` (nothing prepended to sys.path) the import makes no file call at all, and under a
    # plain `-c` every call it makes is a lookup in the (empty) current directory.
    traced, calls = trace_file_calls([str(binary), "-P", "-c", f"import {module}"], cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr[-2000:]
    assert [call.line for call in calls if counts_against_startup(call)] == []
    traced, calls = trace_file_calls([str(binary), "-c", f"import {module}"], cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr[-2000:]
    assert [call.line for call in calls if counts_against_startup(call)
            and not (tmp_path / call.path).is_relative_to(tmp_path)] == []
