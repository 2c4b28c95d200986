"""Tiny packages built through the real package step (slither.packages.build) from a build
prefix made only of wheels made here, offline: pip and setuptools rebuilt from the test
interpreter's own installs (fixture_wheels.wheel_of_installed), and a stand-in PEP 517 backend.

What each fixture exercises:
- setuptools, C: the build prefix of locked wheels (--pip-wheel/--build-wheel), the capture.
- an in-tree `backend-path` wrapper around setuptools, C++: the wrapper is imported from the
  source tree, setuptools from the prefix; libstdc++ is left to the final link.
- Fortran through FC: a setup.py that compiles a Fortran kernel with $FC (the capture's
  gfortran wrapper) and links it into a C extension; the capture records -lgfortran.
- a recipe's own `build_requirements`: the prefix holds exactly the pinned wheels (a stand-in
  backend that exists nowhere else), not the nine build tools.
- the pure backends hatchling, flit-core, pdm-backend and poetry-core, each from wheels of the
  test interpreter's own installs (requirements-dev.txt pins them; ./bootstrap installs them):
  a pure package's files and metadata reach site.tar, and no extension is made.
- the compiled build tools, their wheels rebuilt the same way with their platform tags and
  programs (requirements-dev.txt pins them): meson-python with meson and ninja, C; setuptools with
  Cython; scikit-build-core with CMake and ninja, C++ (CMake takes the capture's wrappers as its
  compilers).
f2py is built by tests/test_user_project.py (numpy's, from the build).

The builds are `slow` (in the default run): each installs its prefix with pip and runs a real
backend, 10 to 60 seconds each on this 2-core machine depending on its load."""

import json
import subprocess
import sys
import tarfile

import pytest

from fixture_wheels import make_wheel, wheel_of_installed
from package_step import SPEED_C, archive_globals, make_sdist, package_build
from slither.files import sha256_of
from slither.recipes import module_recipes
from slither.packages.build_requirements import HostPlatform, LockedBuildRequirements
from slither.errors import SlitherError
from slither.plan.recipe_free import with_locked_build_requirements


@pytest.fixture(scope="module")
def tool_wheels(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tool-wheels")
    # setuptools before 70.1 asks for wheel as its dynamic build requirement (bdist_wheel).
    return {name: wheel_of_installed(directory, name) for name in ("pip", "setuptools", "wheel")}


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory):
    """A host interpreter with nothing installed (a venv without pip), as Slither's own CPython
    build is: the build prefix is then all that its build can import."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return str(venv / "bin" / "python")


def build_from_wheels(tmp, name, files, tool_wheels, python, wheels=("setuptools", "wheel"), extra=()):
    tmp.mkdir(parents=True, exist_ok=True)
    sdist = make_sdist(tmp, name, files)
    arguments = ["--pip-wheel", str(tool_wheels["pip"]),
                 *[argument for wheel in wheels for argument in ("--build-wheel", str(tool_wheels.get(wheel, wheel)))]]
    return package_build(tmp, name, sdist, *arguments, *extra, python=python)


BUILDS = pytest.mark.slow


def extensions_of(outputs):
    return json.loads((outputs / "extensions.json").read_text())["extensions"]


SETUPTOOLS = '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'


@BUILDS
def test_setuptools_c_from_a_prefix_of_locked_wheels(tmp_path, tool_wheels, bare_python):
    files = {"pyproject.toml": SETUPTOOLS, "speed.c": SPEED_C, "cpkg/__init__.py": "",
             "setup.py": "from setuptools import Extension, setup\nsetup(name='cpkg', version='1.0', packages=['cpkg'], "
                         "ext_modules=[Extension('cpkg._speed', ['speed.c'])])\n"}
    result, outputs = build_from_wheels(tmp_path, "cpkg", files, tool_wheels, bare_python)
    assert result.returncode == 0, result.stderr
    assert "build prefix of 2 locked wheel(s)" in result.stdout
    (extension,) = extensions_of(outputs)
    assert extension["module"] == "cpkg._speed" and extension["role"] == "c"
    assert archive_globals(outputs / "extensions.a") == ["PyInit_4cpkg6_speed"]


IN_TREE = ('[build-system]\nrequires = ["setuptools"]\nbuild-backend = "wrapped_backend"\n'
           'backend-path = ["_build"]\n')
WRAPPER = "from setuptools.build_meta import *  # a thin wrapper, as PyYAML and Pillow ship\n"
CXX = r"""
#include <Python.h>
#include <string>
static PyObject *greet(PyObject *self, PyObject *unused) { std::string text("hello"); return PyUnicode_FromString(text.c_str()); }
static PyMethodDef methods[] = {{"greet", greet, METH_NOARGS, nullptr}, {nullptr, nullptr, 0, nullptr}};
static struct PyModuleDef definition = {PyModuleDef_HEAD_INIT, "_cxx", nullptr, -1, methods};
PyMODINIT_FUNC PyInit__cxx(void) { return PyModule_Create(&definition); }
"""


@BUILDS
def test_an_in_tree_backend_wrapping_setuptools_with_cxx(tmp_path, tool_wheels, bare_python):
    files = {"pyproject.toml": IN_TREE, "_build/wrapped_backend.py": WRAPPER, "cxx.cpp": CXX,
             "xpkg/__init__.py": "",
             "setup.py": "from setuptools import Extension, setup\nsetup(name='xpkg', version='1.0', packages=['xpkg'], "
                         "ext_modules=[Extension('xpkg._cxx', ['cxx.cpp'], language='c++')])\n"}
    result, outputs = build_from_wheels(tmp_path, "xpkg", files, tool_wheels, bare_python)
    assert result.returncode == 0, result.stderr
    (extension,) = extensions_of(outputs)
    assert extension["module"] == "xpkg._cxx"
    assert archive_globals(outputs / "extensions.a") == ["PyInit_4xpkg4_cxx"]


FORTRAN_SETUP = r'''
import os, subprocess, sysconfig
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

class with_fortran(build_ext):
    """Compile the Fortran kernel with $FC, as numpy.distutils-era packages do."""
    def run(self):
        os.makedirs(self.build_temp, exist_ok=True)
        kernel = os.path.join(self.build_temp, "kernel.o")
        subprocess.run([os.environ["FC"], "-fPIC", "-c", "kernel.f90", "-o", kernel], check=True)
        self.extensions[0].extra_objects = [kernel]
        super().run()

setup(name="fpkg", version="1.0", packages=["fpkg"], cmdclass={"build_ext": with_fortran},
      ext_modules=[Extension("fpkg._kernel", ["module.c"], libraries=["gfortran"])])
'''
FORTRAN_KERNEL = """
subroutine triple(x) bind(c, name="triple")
  use iso_c_binding
  real(c_double), intent(inout) :: x
  x = 3 * x
end subroutine
"""
FORTRAN_MODULE = r"""
#include <Python.h>
extern void triple(double *x);
static PyObject *call(PyObject *self, PyObject *arg) { double x = PyFloat_AsDouble(arg); triple(&x); return PyFloat_FromDouble(x); }
static PyMethodDef methods[] = {{"triple", call, METH_O, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel", NULL, -1, methods};
PyMODINIT_FUNC PyInit__kernel(void) { return PyModule_Create(&module); }
"""


@BUILDS
def test_fortran_compiled_through_fc_is_captured_into_the_extension(tmp_path, tool_wheels, bare_python):
    files = {"pyproject.toml": SETUPTOOLS, "setup.py": FORTRAN_SETUP, "kernel.f90": FORTRAN_KERNEL,
             "module.c": FORTRAN_MODULE, "fpkg/__init__.py": ""}
    result, outputs = build_from_wheels(tmp_path, "fpkg", files, tool_wheels, bare_python)
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()[-3000:]
    (extension,) = extensions_of(outputs)
    assert extension["module"] == "fpkg._kernel" and "gfortran" in extension["libraries"]
    assert archive_globals(outputs / "extensions.a") == ["PyInit_4fpkg7_kernel"]
    defined = subprocess.run(["nm", "-P", "--defined-only", str(outputs / "extensions.a")], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
    assert "triple t" in defined  # the Fortran symbol is inside, and local


# A PEP 517 backend that exists only in its fixture wheel: a build that finds it ran from the
# prefix made of the recipe's pinned wheels.
STAND_IN_BACKEND = r'''
import os, zipfile, base64, hashlib

def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}\n"

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "pinnedpkg-1.0-py3-none-any.whl"
    files = {"pinnedpkg/__init__.py": open("pinnedpkg/__init__.py", "rb").read(),
             "pinnedpkg-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: pinnedpkg\nVersion: 1.0\n",
             "pinnedpkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: stand-in\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(_record_line(path, data) for path, data in files.items()) + "pinnedpkg-1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
        wheel.writestr("pinnedpkg-1.0.dist-info/RECORD", record)
    return name
'''


@BUILDS
def test_a_recipe_pins_its_own_build_requirements(tmp_path, tool_wheels, bare_python):
    backend = make_wheel(tmp_path / "wheels", "stand-in-backend", "0.1",
                         files={"stand_in_backend/__init__.py": STAND_IN_BACKEND})
    (tmp_path / "modules" / "packages").mkdir(parents=True)
    (tmp_path / "modules" / "packages" / "pinnedpkg.py").write_text(
        "from slither.recipes import pinned_sdist, pinned_wheel\n"
        "name = 'pinnedpkg'\nversion = '1.0'\nlicence = 'MIT'\nbuild_system = 'pep517'\n"
        f"source = pinned_sdist('pinnedpkg', '1.0', 'pinnedpkg-1.0.tar.gz', '{'0' * 64}')\n"
        f"build_requirements = [pinned_wheel('stand-in-backend', '0.1', {backend.name!r}, {sha256_of(backend)!r})]\n")
    recipe = module_recipes.load_module_recipe("pinnedpkg", modules_dir=tmp_path / "modules")
    # The plan turns the recipe's pins into what the build's prefix is made of.
    locked = with_locked_build_requirements(recipe, store=tmp_path / "store",
                                            host=HostPlatform("3.11", "manylinux")).locked_build_requirements
    assert isinstance(locked, LockedBuildRequirements) and locked.from_build == ()
    assert [(wheel.filename, wheel.sha256) for wheel in locked.wheels] == [(backend.name, sha256_of(backend))]
    assert locked.requires == ("stand-in-backend==0.1",)

    files = {"pyproject.toml": '[build-system]\nrequires = ["stand-in-backend"]\nbuild-backend = "stand_in_backend"\n',
             "pinnedpkg/__init__.py": "VALUE = 7\n"}
    result, outputs = build_from_wheels(tmp_path, "pinnedpkg", files, tool_wheels, bare_python,
                                        wheels=[str(tmp_path / "wheels" / wheel.filename) for wheel in locked.wheels],
                                        extra=["--build-system", "pep517"])
    assert result.returncode == 0, result.stderr
    with tarfile.open(outputs / "site.tar") as site:
        assert "pinnedpkg/__init__.py" in site.getnames()
    # Without the pinned wheel the backend is nowhere: the prefix is all the build sees.
    result, _ = build_from_wheels(tmp_path / "without", "pinnedpkg", files, tool_wheels, bare_python,
                                  extra=["--build-system", "pep517"])
    assert result.returncode != 0 and "stand_in_backend" in (tmp_path / "without" / "build.log").read_text()


@pytest.mark.parametrize("declared, message", [
    ("'stand-in-backend'", "non-empty list of pinned_wheel"),
    ("[]", "non-empty list of pinned_wheel"),
    ("[pinned_sdist('x', '1', 'x-1.tar.gz', '" + "0" * 64 + "')]", "is not a pinned_wheel"),
    ("[pinned_wheel('x', '1', 'x-1-py3-none-any.whl', 'abc')]", "is not a pinned_wheel"),
])
def test_a_malformed_build_requirements_field_is_one_line(tmp_path, declared, message):
    (tmp_path / "packages").mkdir()
    (tmp_path / "packages" / "odd.py").write_text(
        "from slither.recipes import pinned_sdist, pinned_wheel\n"
        "name = 'odd'\nversion = '1'\nlicence = 'MIT'\nbuild_system = 'setuptools'\n"
        f"source = pinned_sdist('odd', '1', 'odd-1.tar.gz', '{'0' * 64}')\nbuild_requirements = {declared}\n")
    with pytest.raises(SlitherError, match=message):
        module_recipes.load_module_recipe("odd", modules_dir=tmp_path)


# backend: (what [build-system] requires, its build-backend, the installed distributions whose
# wheels make its prefix).
PURE_BACKENDS = {
    "hatchling": ('"hatchling"', "hatchling.build", ("hatchling", "packaging", "pathspec", "pluggy", "trove-classifiers")),
    "flit-core": ('"flit_core>=3.2,<4"', "flit_core.buildapi", ("flit_core",)),
    "pdm-backend": ('"pdm-backend"', "pdm.backend", ("pdm-backend",)),
    "poetry-core": ('"poetry-core>=2"', "poetry.core.masonry.api", ("poetry-core",)),
}


@BUILDS
@pytest.mark.parametrize("backend", sorted(PURE_BACKENDS))
def test_a_pure_package_builds_with_each_pure_backend_from_locked_wheels(tmp_path, tool_wheels, bare_python, backend):
    requires, entry_point, distributions = PURE_BACKENDS[backend]
    name = "purepkg"
    wheels = [str(wheel_of_installed(tmp_path / "wheels", distribution)) for distribution in distributions]
    files = {"pyproject.toml": f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{entry_point}"\n\n'
                               f'[project]\nname = "{name}"\nversion = "1.0"\ndescription = "built by {backend}"\n',
             f"{name}/__init__.py": f'"""A pure package."""\nBACKEND = "{backend}"\n'}
    result, outputs = build_from_wheels(tmp_path, name, files, tool_wheels, bare_python, wheels=wheels,
                                        extra=["--build-system", "pep517"])
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()[-3000:]
    assert f"build prefix of {len(wheels)} locked wheel(s)" in result.stdout
    with tarfile.open(outputs / "site.tar") as site:
        names = site.getnames()
        assert f"{name}/__init__.py" in names
        (metadata,) = [member for member in names if member.endswith(".dist-info/METADATA")]
        assert f"built by {backend}" in site.extractfile(metadata).read().decode()
    assert extensions_of(outputs) == []


MESON_BUILD = """
project('mpkg', 'c', version: '1.0')
py = import('python').find_installation(pure: false)
py.extension_module('_speed', 'speed.c', install: true, subdir: 'mpkg')
py.install_sources('mpkg/__init__.py', subdir: 'mpkg')
"""
CMAKE_LISTS = """
cmake_minimum_required(VERSION 3.15)
project(spkg LANGUAGES CXX)
find_package(Python COMPONENTS Interpreter Development.Module REQUIRED)
Python_add_library(_cxx MODULE cxx.cpp WITH_SOABI)
install(TARGETS _cxx DESTINATION spkg)
"""
FAST_PYX = "def double(int x):\n    return 2 * x\n"

# backend: (package name, its files, the installed distributions whose wheels make its prefix,
# the extension module and the global its archive must define).
COMPILED_BACKENDS = {
    "meson-python": ("mpkg", {
        "pyproject.toml": '[build-system]\nrequires = ["meson-python"]\nbuild-backend = "mesonpy"\n\n'
                          '[project]\nname = "mpkg"\nversion = "1.0"\n',
        "meson.build": MESON_BUILD, "speed.c": SPEED_C, "mpkg/__init__.py": ""},
        ("meson-python", "meson", "pyproject-metadata", "packaging", "ninja"), "mpkg._speed", "PyInit_4mpkg6_speed"),
    "cython": ("ypkg", {
        "pyproject.toml": '[build-system]\nrequires = ["setuptools", "Cython"]\nbuild-backend = "setuptools.build_meta"\n',
        "setup.py": "from setuptools import setup\nfrom Cython.Build import cythonize\n"
                    "setup(name='ypkg', version='1.0', packages=['ypkg'], ext_modules=cythonize(['ypkg/_fast.pyx']))\n",
        "ypkg/__init__.py": "", "ypkg/_fast.pyx": FAST_PYX},
        ("setuptools", "wheel", "Cython"), "ypkg._fast", "PyInit_4ypkg5_fast"),
    "scikit-build-core": ("spkg", {
        "pyproject.toml": '[build-system]\nrequires = ["scikit-build-core"]\nbuild-backend = "scikit_build_core.build"\n\n'
                          '[project]\nname = "spkg"\nversion = "1.0"\n',
        "CMakeLists.txt": CMAKE_LISTS, "cxx.cpp": CXX, "spkg/__init__.py": ""},
        ("scikit-build-core", "packaging", "pathspec", "cmake", "ninja"), "spkg._cxx", "PyInit_4spkg4_cxx"),
}


@BUILDS
@pytest.mark.parametrize("backend", sorted(COMPILED_BACKENDS))
def test_compiled_build_tools_from_locked_wheels_made_offline(tmp_path, tool_wheels, bare_python, backend):
    name, files, distributions, module, init_symbol = COMPILED_BACKENDS[backend]
    wheels = [str(wheel_of_installed(tmp_path / "wheels", distribution)) for distribution in distributions]
    result, outputs = build_from_wheels(tmp_path, name, files, tool_wheels, bare_python, wheels=wheels,
                                        extra=["--build-system", "pep517"])
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()[-3000:]
    (extension,) = extensions_of(outputs)
    assert extension["module"] == module
    assert archive_globals(outputs / "extensions.a") == [init_symbol]


# A package-private shared library two extensions link (as scipy.special's libsf_error_state.so:
# one error state for all of them). In the binary it must exist once, its globals kept global.
# statepkg/kernels/ holds only an extension, no __init__.py (as scipy/sparse/linalg/_propack/):
# an implicit namespace package, which the binary must make for the built-in to have a parent.
SHARED_STATE_MESON = """
project('statepkg', 'c', version: '1.0')
py = import('python').find_installation(pure: false)
state = shared_library('state', 'state.c', install: true, install_dir: py.get_install_dir() / 'statepkg')
py.extension_module('_a', 'a.c', link_with: state, install: true, subdir: 'statepkg')
py.extension_module('_b', 'b.c', link_with: state, install: true, subdir: 'statepkg')
py.extension_module('_c', 'c.c', link_with: state, install: true, subdir: 'statepkg/kernels')
py.install_sources('statepkg/__init__.py', subdir: 'statepkg')
"""
STATE_C = "static int count;\nvoid statepkg_bump(void) { count++; }\nint statepkg_count(void) { return count; }\n"
EXTENSION_C = r"""
#include <Python.h>
void statepkg_bump(void);
int statepkg_count(void);
static PyObject *call(PyObject *self, PyObject *unused) { %s; return PyLong_FromLong(statepkg_count()); }
static PyMethodDef methods[] = {{"call", call, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_%s", NULL, -1, methods};
PyMODINIT_FUNC PyInit__%s(void) { return PyModule_Create(&module); }
"""
SHARED_STATE_FILES = {
    "pyproject.toml": '[build-system]\nrequires = ["meson-python"]\nbuild-backend = "mesonpy"\n\n'
                      '[project]\nname = "statepkg"\nversion = "1.0"\n',
    "meson.build": SHARED_STATE_MESON, "state.c": STATE_C, "statepkg/__init__.py": "",
    "a.c": EXTENSION_C % ("statepkg_bump()", "a", "a"), "b.c": EXTENSION_C % ("(void)0", "b", "b"),
    "c.c": EXTENSION_C % ("(void)0", "c", "c")}


@BUILDS
def test_a_private_shared_library_two_extensions_link_is_archived_once_with_its_globals(
        tmp_path, tool_wheels, bare_python):
    wheels = [str(wheel_of_installed(tmp_path / "wheels", distribution))
              for distribution in ("meson-python", "meson", "pyproject-metadata", "packaging", "ninja")]
    result, outputs = build_from_wheels(tmp_path, "statepkg", SHARED_STATE_FILES, tool_wheels, bare_python,
                                        wheels=wheels, extra=["--build-system", "pep517"])
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()[-3000:]
    assert sorted(extension["module"] for extension in extensions_of(outputs)) == [
        "statepkg._a", "statepkg._b", "statepkg.kernels._c"]
    # The extensions keep only their init functions; the library's two functions are defined
    # once, globally, for both to call; its file-local state stays local.
    assert archive_globals(outputs / "extensions.a") == [
        "PyInit_8statepkg2_a", "PyInit_8statepkg2_b", "PyInit_8statepkg7kernels2_c", "statepkg_bump",
        "statepkg_count"]
    members = subprocess.run(["ar", "t", str(outputs / "extensions.a")], check=True, stdout=subprocess.PIPE,
                             text=True).stdout.split()
    assert len(members) == 4, members


@BUILDS
def test_in_the_binary_both_extensions_share_the_private_librarys_one_state(tmp_path):
    """The same project as the user's own (MODULES=./dir, the pinned meson-python): `_a.call()`
    bumps the library's counter, `_b.call()` reads it; with a copy per extension `_b` would see 0.
    `statepkg.kernels` is the namespace package the freezer made for `_c` (stock: no __file__)."""
    from conftest import assert_built, run_scons
    project = tmp_path / "statepkg"
    for name, text in SHARED_STATE_FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    built = run_scons([f"BUILD_DIR={tmp_path / 'build'}", f"MODULES={project}", "JOBS=2"], timeout=3600)
    assert_built(built)
    result = subprocess.run([str(tmp_path / "build" / "bin" / "python-static"), "-c",
                             "from statepkg import _a, _b\nfrom statepkg.kernels import _c\n"
                             "print(_a.call(), _b.call(), _a.call(), _b.call(), _c.call(), _c.__spec__.origin)"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    assert result.stdout.split() == ["1", "1", "2", "2", "2", "built-in"], result.stderr


# The same private shared library, built by CMake under scikit-build-core (spglib's shape: the C
# library a CMake target with a versioned soname, the extension linked to it through its
# symlinks): captured like meson's.
SHARED_STATE_CMAKE = """
cmake_minimum_required(VERSION 3.15)
project(cstatepkg LANGUAGES C)
find_package(Python COMPONENTS Interpreter Development.Module REQUIRED)
add_library(state SHARED state.c)
set_target_properties(state PROPERTIES VERSION 2.5.0 SOVERSION 2)
Python_add_library(_a MODULE a.c WITH_SOABI)
Python_add_library(_b MODULE b.c WITH_SOABI)
target_link_libraries(_a PRIVATE state)
target_link_libraries(_b PRIVATE state)
install(TARGETS _a _b state DESTINATION cstatepkg)
"""
CMAKE_SHARED_STATE_FILES = {
    "pyproject.toml": '[build-system]\nrequires = ["scikit-build-core"]\nbuild-backend = "scikit_build_core.build"\n\n'
                      '[project]\nname = "cstatepkg"\nversion = "1.0"\n',
    "CMakeLists.txt": SHARED_STATE_CMAKE, "state.c": STATE_C, "cstatepkg/__init__.py": "",
    "a.c": EXTENSION_C % ("statepkg_bump()", "a", "a"), "b.c": EXTENSION_C % ("(void)0", "b", "b")}


@BUILDS
def test_a_private_shared_library_a_cmake_project_builds_outside_its_tree_is_captured(
        tmp_path, tool_wheels, bare_python):
    wheels = [str(wheel_of_installed(tmp_path / "wheels", distribution))
              for distribution in ("scikit-build-core", "packaging", "pathspec", "cmake", "ninja")]
    result, outputs = build_from_wheels(tmp_path, "cstatepkg", CMAKE_SHARED_STATE_FILES, tool_wheels, bare_python,
                                        wheels=wheels, extra=["--build-system", "pep517"])
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()[-3000:]
    assert sorted(extension["module"] for extension in extensions_of(outputs)) == ["cstatepkg._a", "cstatepkg._b"]
    assert archive_globals(outputs / "extensions.a") == [
        "PyInit_9cstatepkg2_a", "PyInit_9cstatepkg2_b", "statepkg_bump", "statepkg_count"]
