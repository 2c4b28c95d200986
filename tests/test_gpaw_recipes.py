"""GPAW's recipes, fast: the libxc library recipe (its GNU makefile, added by a patch, run by the
real library step on a tiny tree shaped like libxc's git archive), the gpaw package recipe in a
plan (MPI, libxc and the build's OpenBLAS), the siteconfig.py its patch adds, read the way
GPAW's setup.py reads it, and what GPAW needs at run time (ase's pure recipe without matplotlib;
the PAW datasets left out). The package index is never asked: the plan's run-time resolver is
replaced by a recorder, and the real resolver runs over a local index of one stand-in wheel."""

import os
import subprocess
import tarfile

import pytest

from conftest import ROOT
from fixture_wheels import make_wheel, simple_index
from slither.freeze.data_by_path import packages_reading_data_by_path
from slither.plan import build_plan, runtime_requirements, toolchain_libraries
from slither.plan.module_entries import parse_entry
from slither.plan.package_set import build_path_names, resolve_packages
from slither.recipes import loading, module_recipes
from slither.recipes.recipe import Recipe
from slither.sources import patches
from slither.sources.package_index import IndexLocations
from test_library_build import make_source, run_build

LIBXC_PATCH = ROOT / "patches" / "libxc" / "static-library-gnumakefile.patch"
GPAW_PATCH = ROOT / "patches" / "gpaw" / "siteconfig-mpi-libxc-openblas-from-the-build.patch"


def added_file(patch) -> str:
    """The text of the one file a patch adds (its `+` lines)."""
    lines = patch.read_text().splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("@@ -0,0 "))
    return "".join(line[1:] + "\n" for line in lines[start + 1:])


def by_name(made):
    return {recipe.name: recipe for recipe in made.recipes}


# --- libxc ----------------------------------------------------------------------------------

def test_libxc_recipe_is_a_static_makefile_build_without_third_and_fourth_derivatives():
    recipe = module_recipes.load_module_recipe("libxc")
    assert (recipe.build_system, recipe.licence, recipe.depends_on) == ("makefile", "MPL-2.0", ())
    assert set(recipe.make_flags) == {"KXC=no", "LXC=no"} and recipe.install_flags == ("PREFIX={prefix}",)
    assert recipe.source.debian.package == "libxc"
    for patch in recipe.patches:
        patches.verify_patch(ROOT / "patches" / patch)  # pinned in patches/SHA256SUMS


# The shape of libxc's git archive: configure.ac names the version, src/Makefile.am lists the
# library's sources over continued lines, xc.h takes <xc_version.h>, util.h "config.h"; a source
# the list does not name would not compile.
LIBXC_LIKE = {
    "configure.ac": "AC_INIT([libxc],[5.2.3],[libxc@tddft.org],[libxc],[http://www.tddft.org/programs/Libxc])\n",
    "xc_version.h.in": ('#define XC_VERSION "@VERSION@"\n#define XC_MAJOR_VERSION @XC_MAJOR_VERSION@\n'
                        "#define XC_MINOR_VERSION @XC_MINOR_VERSION@\n#define XC_MICRO_VERSION @XC_MICRO_VERSION@\n"),
    "src/Makefile.am": ("bin_PROGRAMS = xc-info\n\nlibxc_la_FUNC_SOURCES = \\\n\tfirst.c second.c\t\\\n"
                        "\tthird.c\n\nlibxc_la_SOURCES = references.c $(libxc_la_FUNC_SOURCES)\n"),
    "src/xc.h": "#include <xc_version.h>\n",
    "src/util.h": '#include "config.h"\n#include "xc.h"\n',
    "src/xc_funcs.h": "", "src/xc_funcs_removed.h": "", "src/xc_funcs_worker.h": "",
    "src/references.c": '#include "util.h"\nconst char *xc_reference_version = PACKAGE_VERSION;\n',
    "src/first.c": '#include "util.h"\nint xc_major(void) { return XC_MAJOR_VERSION; }\n',
    "src/second.c": ('#include "util.h"\n#ifndef XC_ENFORCE_FERMI_HOLE_CURVATURE\n#error\n#endif\n'
                     "double xc_cube_root(double x);\n"),
    "src/third.c": ('#include "util.h"\nint xc_second_derivatives(void) { return 2; }\n'
                    "#ifndef XC_DONT_COMPILE_KXC\nint xc_third_derivatives(void) { return 3; }\n#endif\n"
                    "#ifndef XC_DONT_COMPILE_LXC\nint xc_fourth_derivatives(void) { return 4; }\n#endif\n"),
    "src/xc-info.c": "#error not part of the library\n",
}


def test_libxc_makefile_builds_the_listed_sources_into_a_static_archive_with_its_headers(tmp_path):
    recipe = module_recipes.load_module_recipe("libxc")
    source, sha256 = make_source(tmp_path, "libxc-5.2.3", {path: (text, 0o644) for path, text in LIBXC_LIKE.items()})
    result = run_build(tmp_path, source, sha256, "--build-system", "makefile", "--patch", str(LIBXC_PATCH),
                       *[f"--make-flag={flag}" for flag in recipe.make_flags],
                       *[f"--install-flag={flag}" for flag in recipe.install_flags], name="libxc")
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()
    unpacked = tmp_path / "prefix"
    with tarfile.open(tmp_path / "prefix.tar") as tar:
        tar.extractall(unpacked, filter="data")
    assert sorted(path.name for path in (unpacked / "include").iterdir()) == [
        "xc.h", "xc_funcs.h", "xc_funcs_removed.h", "xc_funcs_worker.h", "xc_version.h"]
    assert "#define XC_MAJOR_VERSION 5\n" in (unpacked / "include" / "xc_version.h").read_text()
    archive = unpacked / "lib" / "libxc.a"
    members = subprocess.run(["ar", "t", archive], capture_output=True, text=True, check=True).stdout.split()
    assert sorted(members) == ["first.o", "references.o", "second.o", "third.o"]
    symbols = subprocess.run(["nm", archive], capture_output=True, text=True, check=True).stdout
    assert "xc_second_derivatives" in symbols
    assert "xc_third_derivatives" not in symbols and "xc_fourth_derivatives" not in symbols  # KXC=no LXC=no
    log = (tmp_path / "build.log").read_text()
    assert "-fPIC" in log  # GPAW's real shared extension links the archive


# --- gpaw in a plan -------------------------------------------------------------------------

# The real resolver, taken before the fixture below replaces it in the plan
RESOLVE = runtime_requirements.resolve


@pytest.fixture(autouse=True)
def runtime_asked(monkeypatch):
    """The plan's run-time resolver, recording what it is asked and bringing nothing: gpaw states
    ase, numpy and scipy, and resolving them would lock scipy's build requirements and ask the
    index for typing_extensions (what they bring is tested below with RESOLVE, without the index)."""
    asked = []

    def resolve(entries, **keywords):
        asked.append((list(entries), keywords.get("recipe_requirements")))
        return []
    monkeypatch.setattr(runtime_requirements, "resolve", resolve)
    return asked


def plan(modules, target="gnu", **overrides):
    return build_plan.plan_for(series="3.11", profile=loading.load_target(target), modules=modules, **overrides)


def test_gpaw_builds_with_the_builds_mpi_libxc_and_openblas_after_numpy():
    made = plan(["numpy", "mpi4py", "gpaw"])
    recipes = by_name(made)
    gpaw = recipes["gpaw"]
    assert gpaw.licence == "GPL-3.0-or-later" and gpaw.extension_modules == ("_gpaw",)
    assert module_recipes.uses_mpi(gpaw) and made.mpi.recipe.name == "mpich"
    names = [recipe.name for recipe in made.recipes]
    assert names.index("libxc") < names.index("gpaw") and names.index("openblas") < names.index("gpaw")
    assert build_path_names(gpaw, list(made.recipes)) == ("numpy",)  # mpi4py is not GPAW's MPI
    assert gpaw.build_environment == {"SLITHER_LIBXC_PREFIX": "{prefix:libxc}",
                                      "SLITHER_OPENBLAS_PREFIX": "{prefix:openblas}"}
    assert [wheel.pip.name for wheel in gpaw.locked_build_requirements.wheels] == ["setuptools", "wheel", "pybind11"]
    assert {"gfortran", "m"} <= set(gpaw.link_libraries)
    assert any("for numpy, gpaw" in text for kind, text in made.library_origins if kind == "blas")


def test_gpaw_with_a_toolchains_blas_loses_openblas_and_its_prefix_but_keeps_libxc():
    recipes = plan(["numpy", "gpaw"]).recipes
    supplied = toolchain_libraries.apply_blas(toolchain_libraries.ToolchainBlas("cray-libsci", "libsci"), recipes)
    gpaw = by_name(type("Made", (), {"recipes": supplied}))["gpaw"]
    assert "openblas" not in gpaw.depends_on and "libxc" in gpaw.depends_on
    assert gpaw.build_environment == {"SLITHER_LIBXC_PREFIX": "{prefix:libxc}"}
    assert not {"openblas", "lapack"} & {recipe.name for recipe in supplied}


def test_a_gpaw_version_other_than_the_recipes_is_refused():
    from slither.errors import SlitherError
    with pytest.raises(SlitherError, match=r"gpaw==1\.0 asked for, but modules/gpaw\.py pins 26\.7\.0"):
        plan(["numpy", "gpaw==1.0"])


# --- the siteconfig.py GPAW's setup.py reads ------------------------------------------------

def read_siteconfig(monkeypatch, tmp_path, wrapper_script, openblas="/p/openblas"):
    """The siteconfig executed as setup.py executes it: in setup.py's namespace, after its defaults."""
    wrapper = tmp_path / "mpicc"
    wrapper.write_text("#!/bin/sh\n" + wrapper_script)
    wrapper.chmod(0o755)
    monkeypatch.setenv("CXX", "/wrappers/c++")
    monkeypatch.setenv("MPICC", str(wrapper))
    monkeypatch.setenv("SLITHER_LIBXC_PREFIX", "/p/libxc")
    if openblas:
        monkeypatch.setenv("SLITHER_OPENBLAS_PREFIX", openblas)
    else:
        monkeypatch.delenv("SLITHER_OPENBLAS_PREFIX", raising=False)
    namespace = {"os": os, "libraries": ["xc"], "library_dirs": [], "include_dirs": [],
                 "extra_compile_args": ["-Wall", "-Wno-unknown-pragmas"], "mpi": None, "compiler": None,
                 "noblas": None, "nolibxc": None, "fftw": False, "scalapack": False}
    exec(added_file(GPAW_PATCH), namespace)
    return namespace


def test_siteconfig_states_mpi_through_the_cxx_compiler_with_the_mpich_wrappers_compile_flags(monkeypatch, tmp_path):
    config = read_siteconfig(monkeypatch, tmp_path, 'test "$1" = -show && echo "gcc -I/p/mpich/include '
                                                    '-DMPICH_X -L/p/mpich/lib -lmpi -lpthread"\n')
    assert (config["mpi"], config["compiler"]) == (True, "/wrappers/c++")
    assert config["extra_compile_args"][2:] == ["-I/p/mpich/include", "-DMPICH_X"]
    assert (config["noblas"], config["nolibxc"]) == (False, False)  # no test links that could drop them
    assert config["libraries"] == ["xc", "openblas"]
    assert config["include_dirs"] == ["/p/libxc/include"]
    assert config["library_dirs"] == ["/p/libxc/lib", "/p/openblas/lib"]


def test_siteconfig_asks_an_open_mpi_wrapper_with_showme(monkeypatch, tmp_path):
    config = read_siteconfig(monkeypatch, tmp_path, 'test "$1" = --showme:compile || exit 1\n'
                                                    'echo "-I/p/ompi/include -pthread"\n')
    assert config["extra_compile_args"][2:] == ["-I/p/ompi/include"]


def test_siteconfig_takes_an_mpi_aware_driver_and_a_toolchains_blas_as_they_are(monkeypatch, tmp_path):
    config = read_siteconfig(monkeypatch, tmp_path, "exit 1\n", openblas="")
    assert config["extra_compile_args"] == ["-Wall", "-Wno-unknown-pragmas"]
    assert config["libraries"] == ["xc"] and config["library_dirs"] == ["/p/libxc/lib"]


# --- what GPAW needs at run time ------------------------------------------------------------

def test_ase_is_a_pure_pinned_wheel_whose_requirements_leave_matplotlib_out():
    ase = module_recipes.load_module_recipe("ase")
    assert (ase.version, ase.build_system, ase.licence) == ("3.29.0", "pure", "LGPL-2.1-or-later")
    assert ase.source.filename == "ase-3.29.0-py3-none-any.whl" and ase.source.pip.kind == "wheel"
    assert ase.runtime_requirements == ("numpy>=1.21.6", "scipy>=1.8.1", "typing_extensions>=4.13.1")
    assert not ase.extension_modules and not ase.patches and not ase.build_requirements
    assert ase.data_by_path == {"ase": True}  # spacegroup.dat, opened beside __file__


def test_gpaw_states_its_requirements_but_gpaw_data():
    gpaw = module_recipes.load_module_recipe("gpaw")
    assert gpaw.runtime_requirements == ("ase>=3.29.0", "numpy>=1.20.0", "scipy>=1.6.0")


def test_the_plan_asks_for_gpaws_stated_requirements_with_what_each_recipe_states(runtime_asked):
    plan(["numpy", "mpi4py", "gpaw"])
    ((entries, stated),) = runtime_asked
    assert entries == [("gpaw", "26.7.0", (), None, ("ase>=3.29.0", "numpy>=1.20.0", "scipy>=1.6.0"))]
    assert stated["ase"] == module_recipes.load_module_recipe("ase").runtime_requirements


def test_gpaw_brings_ase_scipy_and_typing_extensions_and_no_matplotlib_nor_gpaw_data(tmp_path):
    """The real resolver over the real recipes; the index holds one stand-in typing_extensions
    wheel, and a requirement it cannot satisfy (matplotlib, gpaw-data) would be an error."""
    wheel = make_wheel(tmp_path / "wheels", "typing_extensions", "4.15.0")
    index = IndexLocations(indexes=(simple_index(tmp_path / "simple", [wheel]),), find_links=())
    recipes = {name: module_recipes.load_module_recipe(name) for name in module_recipes.module_recipe_names()}
    asked, recipe_free = [], []

    def runtime(entries):
        asked.extend(entries)
        return RESOLVE(entries, recipe_versions={name: recipe.version for name, recipe in recipes.items()},
                       recipe_requirements={name: recipe.runtime_requirements for name, recipe in recipes.items()},
                       series="3.11", full_version="3.11.9", store=tmp_path / "store", index=index,
                       fetch=lambda name, version: wheel)

    def free(name, version):
        recipe_free.append((name, version))
        return Recipe(name=name, version=version, build_system="pure")

    made = resolve_packages([parse_entry("numpy"), parse_entry("mpi4py"), parse_entry("gpaw")],
                            resolve_named=lambda names: tuple(recipes[name.partition("==")[0]] for name in names),
                            recipe_free=free, local_recipe=None, runtime=runtime, available=list(recipes))
    by = {recipe.name: recipe for recipe in made}
    assert asked == [("gpaw", "26.7.0", (), None, recipes["gpaw"].runtime_requirements)]
    assert by["ase"].path.endswith("modules/packages/ase.py") and by["ase"].needed_by == ("gpaw 26.7.0",)
    assert by["scipy"].path and set(by["scipy"].needed_by) == {"ase 3.29.0", "gpaw 26.7.0"}
    assert recipe_free == [("typing-extensions", "4.15.0")]
    assert by["typing-extensions"].needed_by == ("ase 3.29.0",)
    assert not {"matplotlib", "gpaw-data", "gpaw_data"} & set(by)


# gpaw-data 1.2.1's gpaw_data/__init__.py, in its code's shape: the setups directory beside __file__
GPAW_DATA_INIT = ('from pathlib import Path\n\n\n__version__ = "1.2.1"\n__all__ = ("datapath",)\n\n\n'
                  'def datapath() -> Path:\n    """Path to the directory containing the setup files."""\n'
                  "    return Path(__file__).parent / 'setups'\n")


def test_gpaw_data_named_in_modules_would_be_written_per_node_as_data_read_by_path(tmp_path):
    """The way to have the datasets inside the binary: its setups are data read by path."""
    (tmp_path / "gpaw_data").mkdir()
    (tmp_path / "gpaw_data" / "__init__.py").write_text(GPAW_DATA_INIT)
    data = ["gpaw_data/setups/H.PBE.gz", "gpaw_data/setups/H.dzp.basis.gz", "gpaw_data/setups/README.txt"]
    sources = {"gpaw_data": tmp_path / "gpaw_data" / "__init__.py"}
    assert packages_reading_data_by_path(sources, data) == {"gpaw_data"}
