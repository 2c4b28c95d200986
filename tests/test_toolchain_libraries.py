"""BLAS/LAPACK and HDF5 from the TARGET's toolchain, or from nowhere (slither.plan.toolchain_libraries): fast tests.

The Cray profile takes both from its drivers (cray-libsci, cray-hdf5-parallel); musl has no BLAS.
Nothing here builds: the HDF5 prefixes are the two files the plan reads of a real one
(include/H5pubconf.h, lib/libhdf5.settings) or a one-object archive carrying HDF5's version
string, and the Cray PE is the stand-ins of tests/fixtures/craype/. The builds with the
stand-ins are in tests/test_cray.py (extended).
"""

import os
import subprocess
from pathlib import Path

import pytest

from conftest import run_scons
from craype import craype_environment, libsci_standin, read_log
from slither.errors import SlitherError
from slither.inspect.summary import format_summary
from slither.plan import build_plan, toolchain_libraries
from slither.recipes import loading, module_recipes


def hdf5_prefix(directory: Path, version="1.14.5", parallel=True, library_version=None, library_parallel=None,
                settings=True) -> Path:
    """An HDF5 prefix as the plan sees it; the library's facts default to the headers'."""
    library_version = library_version or version
    library_parallel = parallel if library_parallel is None else library_parallel
    (directory / "include").mkdir(parents=True)
    (directory / "lib").mkdir()
    (directory / "include" / "H5pubconf.h").write_text(
        f'/* H5pubconf.h */\n#define H5_VERSION "{version}"\n'
        + ("#define H5_HAVE_PARALLEL 1\n" if parallel else "/* #undef H5_HAVE_PARALLEL */\n"))
    if settings:
        (directory / "lib" / "libhdf5.settings").write_text(
            "\t    SUMMARY OF THE HDF5 CONFIGURATION\n\n"
            f"                   HDF5 Version: {library_version}\n"
            f"                     Parallel HDF5: {'yes' if library_parallel else 'no'}\n")
    else:  # only the archive, with the version string HDF5 compiles into H5.o
        source = directory / "H5.c"
        source.write_text(f'const char H5_lib_vers_info_g[] = "HDF5 library version: {library_version}";\n'
                          + ("void H5Pset_fapl_mpio(void) {}\n" if library_parallel else ""))
        subprocess.run(["gcc", "-c", str(source), "-o", str(directory / "H5.o")], check=True)
        subprocess.run(["ar", "rcs", str(directory / "lib" / "libhdf5.a"), str(directory / "H5.o")], check=True)
    return directory


@pytest.fixture(scope="module")
def shadow(tmp_path_factory):
    """Where the stand-ins' compiler-free PATH is made once (tests/craype.py links every program)."""
    return tmp_path_factory.mktemp("craype")


def standin_environment(shadow, tmp_path, **modules):
    return craype_environment(shadow, tmp_path / "craype.log", **modules)


@pytest.fixture
def cray_environment(shadow, tmp_path, monkeypatch):
    """The stand-in drivers on PATH (the profile's CC/CXX are cc/CC), cray-libsci loaded, no HDF5 module."""
    environment = standin_environment(shadow, tmp_path, libsci_dir=libsci_standin(shadow / "libsci"))
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


def cray_plan(modules, hdf5=""):
    return build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("cray"), modules=modules,
                                hdf5=hdf5)


def by_name(plan):
    return {recipe.name: recipe for recipe in plan.recipes}


# --- the profiles say it as data -----------------------------------------------------------

def test_cray_provides_libsci_and_hdf5_gnu_nothing_musl_lacks_blas():
    cray = toolchain_libraries.load(loading.load_target("cray"))
    assert cray.blas == toolchain_libraries.ToolchainBlas(name="cray-libsci", pkg_config="libsci")
    assert cray.hdf5.name == "cray-hdf5-parallel" and cray.hdf5.prefix_variables[0] == "HDF5_DIR"
    assert toolchain_libraries.load(loading.load_target("gnu")) == toolchain_libraries.ToolchainLibraries()
    musl = toolchain_libraries.load(loading.load_target("musl"))
    assert musl.blas is None and "no Fortran compiler or libgfortran for musl" in musl.lacking("blas")


def test_the_fields_stay_out_of_the_profile_data_the_steps_sign():
    """A profile's provides/lacks reach steps only through the recipes the plan rewrites."""
    assert "provides" not in loading.profile_data(loading.load_target("cray"))
    assert "lacks" not in loading.profile_data(loading.load_target("musl"))


@pytest.mark.parametrize("text, message", [
    ('provides = {"lapack": {}}', r"provides names lapack; known library kinds: blas, hdf5$"),
    ('provides = {"blas": {"name": "x"}}', r'provides\["blas"\] must be a dict with name, pkg_config$'),
    ('provides = {"hdf5": {"name": "x", "prefix_variables": "HDF5_DIR"}}',
     r'provides\["hdf5"\]\["prefix_variables"\] must be a list of variable names'),
    ('lacks = {"blas": ""}', r'lacks\["blas"\] must say why, in words$'),
    ('provides = {"blas": {"name": "a", "pkg_config": "b"}}\nlacks = {"blas": "no"}',
     r"blas both in provides and in lacks; keep one$"),
])
def test_malformed_fields_are_one_line_naming_the_profile(tmp_path, text, message):
    profile = tmp_path / "site.py"
    profile.write_text(f'CC = "gcc"\nCXX = "g++"\nFC = ""\nAR = "ar"\nRANLIB = "ranlib"\n{text}\n')
    with pytest.raises(SlitherError, match=f"^{profile}: {message}"):
        toolchain_libraries.load(loading.load_target(str(profile)))


# --- BLAS ----------------------------------------------------------------------------------

def test_toolchain_blas_replaces_openblas_in_numpy_and_scipy_without_editing_them():
    blas = toolchain_libraries.ToolchainBlas(name="cray-libsci", pkg_config="libsci")
    recipes = tuple(module_recipes.load_module_recipe(name)
                    for name in ("lapack", "openblas", "numpy", "scipy", "numpy-noblas"))
    # no OpenBLAS built, nor the LAPACK only it needs
    numpy, scipy, noblas = toolchain_libraries.apply_blas(blas, recipes)
    for recipe in (numpy, scipy):
        assert [library.archive for library in recipe.static_libraries] == ["libgfortran.a"]
        assert "openblas" not in recipe.depends_on and recipe.build_environment == {}
        assert {"setup-args=-Dblas=libsci", "setup-args=-Dlapack=libsci"} <= set(recipe.config_settings)
        assert not any("openblas" in setting for setting in recipe.config_settings)
    assert noblas == recipes[4]   # no BLAS to replace
    # the recipes as loaded are untouched
    assert "setup-args=-Dblas=openblas" in module_recipes.load_module_recipe("scipy").config_settings


def test_cray_plan_links_no_openblas_and_says_libsci(cray_environment):
    plan = cray_plan(["numpy"])
    (numpy,) = plan.recipes
    assert "libopenblas.a" not in [library.archive for library in numpy.static_libraries]
    assert "setup-args=-Dblas=libsci" in numpy.config_settings
    text = ("cray-libsci from the TARGET toolchain (its drivers link it; meson finds pkg-config libsci; "
            "no OpenBLAS archive), for numpy")
    assert plan.library_origins == (("blas", text),)
    assert plan.build_manifest["toolchain_libraries"] == {"blas": text}
    summary = format_summary("build/bin/python-static", 1 << 20, plan, {}, {}, {"cpython": "built"})
    assert f"  BLAS/LAPACK: {text}" in summary.splitlines()


def test_the_toolchain_blas_must_be_found_before_anything_builds(cray_environment, tmp_path, monkeypatch):
    monkeypatch.setenv("PKG_CONFIG_PATH", str(tmp_path))
    with pytest.raises(SlitherError) as refused:
        cray_plan(["numpy"])
    assert str(refused.value) == (f"TARGET=cray takes BLAS/LAPACK from the toolchain (cray-libsci) for numpy, but "
                                  f"pkg-config finds no libsci (PKG_CONFIG_PATH={tmp_path}): load its module "
                                  "(module load cray-libsci)")
    assert cray_plan(["numpy-noblas"]).library_origins == ()   # nothing to find without BLAS


def test_gnu_plan_says_its_blas_is_the_openblas_it_builds():
    plan = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("gnu"), modules=["numpy"])
    assert plan.library_origins == (("blas", "OpenBLAS 0.3.29+ds built from source (static, BLAS_CPU=dynamic), "
                                             "for numpy"),)
    assert "toolchain_libraries" not in plan.build_manifest   # a gnu binary's manifest is as before


def test_a_target_without_blas_refuses_numpy_before_anything_builds():
    with pytest.raises(SlitherError) as refused:
        build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("musl"), modules=["numpy"])
    assert str(refused.value) == (
        "MODULES: numpy needs BLAS/LAPACK, and TARGET=musl has none: OpenBLAS's LAPACK is Fortran, and Debian has "
        "no Fortran compiler or libgfortran for musl; drop numpy (numpy-noblas is numpy without BLAS), or use a TARGET "
        "whose profile provides BLAS")
    # numpy without BLAS is not refused for that reason
    plan = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("musl"), modules=["numpy-noblas"])
    assert plan.library_origins == ()


def test_scons_refuses_scipy_on_a_target_without_blas_in_one_line(tmp_path):
    result = run_scons([f"BUILD_DIR={tmp_path / 'build'}", "TARGET=musl", "MODULES=scipy"])
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        "scons: *** MODULES: scipy needs BLAS/LAPACK, and TARGET=musl has none: OpenBLAS's LAPACK is Fortran, and "
        "Debian has no Fortran compiler or libgfortran for musl; drop scipy, or use a TARGET whose profile provides BLAS"]
    # refused before scipy's build requirements were resolved or anything was fetched
    assert "resolve its build requirements" not in result.stdout and not (tmp_path / "build" / "downloads").exists()


# --- HDF5 ----------------------------------------------------------------------------------

def test_cray_plan_builds_no_hdf5_and_points_h5py_at_the_toolchains(cray_environment, tmp_path, monkeypatch):
    prefix = hdf5_prefix(tmp_path / "hdf5", version="1.14.3")
    monkeypatch.setenv("HDF5_DIR", str(prefix))
    plan = cray_plan(["numpy", "mpi4py", "h5py"])
    recipes = by_name(plan)
    assert set(recipes) == {"numpy", "mpi4py", "h5py"} and plan.mpi.kind == "compiler"
    h5py = recipes["h5py"]
    assert "hdf5" not in h5py.depends_on and module_recipes.uses_mpi(h5py)
    environment = h5py.build_environment
    assert environment["HDF5_DIR"] == str(prefix) and environment["HDF5_VERSION"] == "1.14.3"
    assert environment["HDF5_MPI"] == "ON"
    names = [recipe.name for recipe in plan.recipes]
    assert names.index("mpi4py") < names.index("h5py")
    hdf5_text = f"cray-hdf5-parallel 1.14.3 (parallel) from the TARGET toolchain, HDF5_DIR={prefix} (no HDF5 recipe built)"
    assert ("hdf5", hdf5_text) in plan.library_origins
    assert plan.build_manifest["toolchain_libraries"]["hdf5"] == hdf5_text


def test_gnu_plan_says_hdf5_is_built_from_source():
    plan = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("gnu"), modules=["numpy", "h5py"])
    assert ("hdf5", "hdf5 1.14.5+repack built from source (serial, static)") in plan.library_origins


def test_the_toolchain_hdf5_must_be_named_by_its_module(cray_environment):
    with pytest.raises(SlitherError, match=r"^TARGET=cray takes HDF5 from the toolchain \(cray-hdf5-parallel\), but "
                                           r"none of HDF5_DIR, CRAY_HDF5_PARALLEL_PREFIX, CRAY_HDF5_PREFIX is set: "
                                           r"load its module \(module load cray-hdf5-parallel\)"):
        cray_plan(["numpy", "mpi4py", "h5py"])
    # without h5py, no HDF5 is looked for
    assert cray_plan(["numpy"]).recipes


def test_the_hdf5_recipe_is_not_asked_for_where_the_toolchain_provides_it(cray_environment):
    with pytest.raises(SlitherError) as refused:
        cray_plan(["hdf5"])
    assert str(refused.value) == ("MODULES: hdf5 is what TARGET=cray's toolchain provides (cray-hdf5-parallel), so "
                                  "no HDF5 recipe is built; drop it from MODULES")


def test_a_serial_toolchain_hdf5_beside_mpi4py_is_refused(cray_environment, tmp_path, monkeypatch):
    prefix = hdf5_prefix(tmp_path / "hdf5", parallel=False)
    monkeypatch.setenv("CRAY_HDF5_PREFIX", str(prefix))
    with pytest.raises(SlitherError) as refused:
        cray_plan(["numpy", "mpi4py", "h5py"])
    assert str(refused.value) == (
        f"TARGET=cray takes HDF5 from the toolchain (CRAY_HDF5_PREFIX={prefix}), which is serial (no "
        "H5_HAVE_PARALLEL in include/H5pubconf.h), while mpi4py is in MODULES: h5py would be built without MPI and "
        "could not open a file with driver='mpio'; load the toolchain's parallel HDF5 (cray-hdf5-parallel) or "
        "drop mpi4py")
    assert "(serial)" in dict(cray_plan(["numpy", "h5py"]).library_origins)["hdf5"]


def test_a_parallel_toolchain_hdf5_without_mpi4py_is_refused(cray_environment, tmp_path, monkeypatch):
    prefix = hdf5_prefix(tmp_path / "hdf5", parallel=True)
    monkeypatch.setenv("HDF5_DIR", str(prefix))
    with pytest.raises(SlitherError, match=r"which is parallel \(H5_HAVE_PARALLEL\), but mpi4py is not in MODULES: "
                                           r"h5py against a parallel HDF5 needs mpi4py to build and import; add "
                                           r"mpi4py, or load the toolchain's serial HDF5$"):
        cray_plan(["numpy", "h5py"])


@pytest.mark.parametrize("headers, library, said", [
    ({"version": "1.14.5"}, {"library_version": "1.12.2"}, "lib/libhdf5.settings says 1.12.2, parallel"),
    ({"version": "1.14.5"}, {"library_parallel": False}, "lib/libhdf5.settings says 1.14.5, serial"),
    ({"version": "1.14.5"}, {"library_version": "1.14.3", "settings": False}, "lib/libhdf5.a says 1.14.3, parallel"),
    ({"version": "1.14.5"}, {"library_parallel": False, "settings": False}, "lib/libhdf5.a says 1.14.5, serial"),
])
def test_hdf5_headers_and_library_that_disagree_are_refused(tmp_path, headers, library, said):
    prefix = hdf5_prefix(tmp_path / "hdf5", **headers, **library)
    hdf5 = toolchain_libraries.ToolchainHdf5(name="cray-hdf5-parallel", prefix_variables=("HDF5_DIR",))
    with pytest.raises(SlitherError) as refused:
        toolchain_libraries.find_hdf5(hdf5, loading.load_target("cray"), {"HDF5_DIR": str(prefix)})
    assert str(refused.value) == (
        "TARGET=cray takes HDF5 from the toolchain (cray-hdf5-parallel), but its headers and library disagree: "
        f"include/H5pubconf.h says 1.14.5, parallel; {said} (HDF5_DIR={prefix}); point HDF5_DIR at one "
        "installation whose headers and library belong together")


def test_agreeing_headers_and_archive_are_accepted(tmp_path):
    prefix = hdf5_prefix(tmp_path / "hdf5", version="1.12.2", parallel=False, settings=False)
    hdf5 = toolchain_libraries.ToolchainHdf5(name="cray-hdf5", prefix_variables=("HDF5_DIR",))
    found = toolchain_libraries.find_hdf5(hdf5, loading.load_target("cray"), {"HDF5_DIR": str(prefix)})
    assert found == toolchain_libraries.Hdf5Prefix(prefix=str(prefix), variable="HDF5_DIR", version="1.12.2",
                                                   parallel=False)


def test_a_prefix_without_hdf5_headers_or_library_is_refused(tmp_path):
    hdf5 = toolchain_libraries.ToolchainHdf5(name="cray-hdf5-parallel", prefix_variables=("HDF5_DIR",))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SlitherError, match=r"has no include/H5pubconf.h with H5_VERSION: point HDF5_DIR at an HDF5 "
                                           r"installation prefix$"):
        toolchain_libraries.find_hdf5(hdf5, loading.load_target("cray"), {"HDF5_DIR": str(tmp_path / "empty")})
    prefix = hdf5_prefix(tmp_path / "hdf5")
    (prefix / "lib" / "libhdf5.settings").unlink()
    with pytest.raises(SlitherError, match=r"has neither lib/libhdf5.settings nor a lib/libhdf5.a naming its version"):
        toolchain_libraries.find_hdf5(hdf5, loading.load_target("cray"), {"HDF5_DIR": str(prefix)})


def test_scons_refuses_disagreeing_toolchain_hdf5_in_one_line_before_building(shadow, tmp_path):
    prefix = hdf5_prefix(tmp_path / "hdf5", library_version="1.12.2")
    environment = standin_environment(shadow, tmp_path, hdf5_dir=prefix)
    result = run_scons([f"BUILD_DIR={tmp_path / 'build'}", "TARGET=cray", "MODULES=numpy,mpi4py,h5py"],
                       env=environment)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        "scons: *** TARGET=cray takes HDF5 from the toolchain (cray-hdf5-parallel), but its headers and library "
        f"disagree: include/H5pubconf.h says 1.14.5, parallel; lib/libhdf5.settings says 1.12.2, parallel "
        f"(HDF5_DIR={prefix}); point HDF5_DIR at one installation whose headers and library belong together"]
    assert not any(line.startswith(("library build", "package build", "cpython build"))
                   for line in result.stdout.splitlines())


def test_scons_refuses_serial_toolchain_hdf5_beside_mpi4py_in_one_line(shadow, tmp_path):
    prefix = hdf5_prefix(tmp_path / "hdf5", parallel=False)
    environment = standin_environment(shadow, tmp_path, hdf5_dir=prefix)
    result = run_scons([f"BUILD_DIR={tmp_path / 'build'}", "TARGET=cray", "MODULES=h5py,mpi4py"], env=environment)
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        f"scons: *** TARGET=cray takes HDF5 from the toolchain (HDF5_DIR={prefix}), which is serial (no "
        "H5_HAVE_PARALLEL in include/H5pubconf.h), while mpi4py is in MODULES: h5py would be built without MPI and "
        "could not open a file with driver='mpio'; load the toolchain's parallel HDF5 (cray-hdf5-parallel) or "
        "drop mpi4py")


# --- the stand-in drivers play cray-libsci and cray-hdf5-parallel ----------------------------

BLAS_PROGRAM = """\
#include <stdio.h>
double ddot_(const int *n, const double *x, const int *incx, const double *y, const int *incy);
void dgesv_(const int *n, const int *nrhs, double *a, const int *lda, int *ipiv, double *b, const int *ldb, int *info);
int main(void)
{
    double x[3] = {1, 2, 3}, y[3] = {4, 5, 6}, a[4] = {2, 0, 0, 4}, b[2] = {2, 8};
    int n = 3, one = 1, two = 2, ipiv[2], info;
    dgesv_(&two, &one, a, &two, ipiv, b, &two, &info);
    printf("%g %g %g %d\\n", ddot_(&n, x, &one, y, &one), b[0], b[1], info);
    return 0;
}
"""


def test_standin_cc_links_libsci_itself_static_and_dynamic(shadow, tmp_path):
    """With cray-libsci loaded, a program calling BLAS and LAPACK links with no -l of its own:
    statically from libsci_gnu.a (Debian's libopenblas.a), dynamically from libsci_gnu.so."""
    libsci = libsci_standin(tmp_path / "libsci")
    environment = standin_environment(shadow, tmp_path, libsci_dir=libsci)
    (tmp_path / "blas.c").write_text(BLAS_PROGRAM)
    for flags, name in ((["-static"], "blas-static"), ([], "blas-dynamic")):
        linked = subprocess.run(["cc", *flags, "blas.c", "-o", name], cwd=tmp_path, env=environment,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert linked.returncode == 0, linked.stderr
        ran = subprocess.run([str(tmp_path / name)], stdout=subprocess.PIPE, text=True)
        assert ran.stdout == "32 1 2 0\n"
    static, dynamic = read_log(tmp_path / "craype.log")
    assert static["link_type"] == "static" and static["command"][-7:] == [
        f"-L{libsci}/lib", "-lsci_gnu", "-lgfortran", "-lquadmath", "-lm", "-lpthread", "-static"]
    assert dynamic["link_type"] == "dynamic" and dynamic["command"][-2:] == [f"-L{libsci}/lib", "-lsci_gnu"]
    assert "statically linked" in subprocess.run(["file", str(tmp_path / "blas-static")], stdout=subprocess.PIPE,
                                                 text=True).stdout


def test_standin_cc_adds_hdf5_flags_before_mpis(shadow, tmp_path):
    """cray-hdf5-parallel's flags come before cray-mpich's: parallel HDF5's archive calls MPI."""
    hdf5 = hdf5_prefix(tmp_path / "hdf5")
    mpich = tmp_path / "mpich"
    (mpich / "include").mkdir(parents=True)
    environment = standin_environment(shadow, tmp_path, hdf5_dir=hdf5, mpich_dir=mpich)
    (tmp_path / "empty.c").write_text("int main(void) { return 0; }\n")
    subprocess.run(["cc", "-c", "empty.c", "-o", "empty.o"], cwd=tmp_path, env=environment, check=True)
    (compiled,) = read_log(tmp_path / "craype.log")
    assert compiled["command"][-2:] == [f"-I{hdf5}/include", f"-I{mpich}/include"]
    assert environment["HDF5_DIR"] == environment["CRAY_HDF5_PARALLEL_PREFIX"] == str(hdf5)
