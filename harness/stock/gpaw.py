"""The stock side of GPAW comparisons: a venv of the stock interpreter with GPAW built the usual
shared way from the same sdist, with the same patches (the siteconfig.py the static build reads,
and the launcher patch, which changes nothing where _gpaw is a shared object), against the same
libxc and OpenBLAS archives (the library prefixes in the binary's BUILD_DIR, compiled -fPIC) and
the shared MPICH of `scons reference-mpi` (harness.stock.mpi), linked to it and to libgfortran
(OpenBLAS's LAPACK is Fortran) through LDFLAGS, with a run-time search path to the MPI's lib/.

mpi4py, when the binary has it, is built from its sdist against that shared MPICH (as for the
h5py and netCDF4 suites). numpy and scipy are their released manylinux wheels of the versions the
binary has, as a user installs them (GPAW calls BLAS through _gpaw, which links the OpenBLAS
above, not through numpy's bundled one); ase and what it needs come from the locked sources the
build used.
The wheels' sha256 are recorded in the description the suite's summary keeps.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from slither.commands import say
from slither.errors import SlitherError
from slither.files import sha256_of
from slither.recipes import module_recipes
from slither.cache import default_cache_dir
from slither.sources.pinned import obtain
from harness.stock import mpi as stock_mpi
from harness.stock.netcdf import recipe_patch_files
from harness.stock.packages import (StockBuild, brought_in_for, interpreter_series, venv_site_packages,
                                    venv_with_packages)
from harness.suites.binary_under_test import package_recipe

GPAW_RECIPE = "gpaw"
RELEASED_WHEEL_PACKAGES = ("numpy", "scipy")
MPI4PY = "mpi4py"
WHEEL_PLATFORM = "manylinux2014_x86_64"


def library_prefix(build_dir: Path, name: str, target: str) -> Path:
    """The unpacked prefix of library recipe `name` in the binary's BUILD_DIR."""
    recipe = module_recipes.load_module_recipe(name)
    prefix = Path(build_dir) / "libraries" / f"{recipe.name}-{recipe.version}-{target}" / "prefix"
    if not (prefix / "lib").is_dir():
        raise SlitherError(f"{prefix}/lib not found: give the BUILD_DIR the GPAW binary was built in (--build-dir)")
    return prefix.resolve()


def released_wheel(stock_python: str, name: str, version: str, work: Path) -> Path:
    """NAME==VERSION's released wheel for the stock interpreter's series, from the package index."""
    directory = Path(work) / "released-wheels"
    series = interpreter_series(stock_python)
    tag = f"cp{series.replace('.', '')}"
    found = sorted(directory.glob(f"{name}-{version}-{tag}-{tag}-*.whl"))
    if found:
        return found[0]
    say(f"stock {name} {version}: its released wheel for {series}")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                    "--only-binary", ":all:", "--python-version", series, "--platform", WHEEL_PLATFORM,
                    "-d", str(directory), f"{name}=={version}"], check=True)
    found = sorted(directory.glob(f"{name}-{version}-{tag}-{tag}-*.whl"))
    if not found:
        raise SlitherError(f"no released {name} {version} wheel for Python {series} in {directory}")
    return found[0]


def gpaw_build_environment(mpi_prefix: Path, libxc_prefix: Path, openblas_prefix: Path) -> dict:
    """What the patch's siteconfig.py reads (CXX, MPICC, the two prefixes), and the link to the
    shared MPI and libgfortran a shared _gpaw needs (the static build's final link adds them).
    LDFLAGS come before the objects on setuptools' link line, where a linker that drops
    libraries nothing has asked for yet (--as-needed) would drop them: --no-as-needed keeps them."""
    library_dir = mpi_prefix / "lib"
    return {"CXX": "g++", "MPICC": str(mpi_prefix / "bin" / "mpicc"),
            "SLITHER_LIBXC_PREFIX": str(libxc_prefix), "SLITHER_OPENBLAS_PREFIX": str(openblas_prefix),
            "LDFLAGS": f"-L{library_dir} -Wl,-rpath,{library_dir} -Wl,--no-as-needed -lmpi -lgfortran"}


def stock_gpaw_venv(stock_python: str, binary: Path, build: dict, build_dir: Path, work: Path,
                    source_dirs: list[Path], *, stock_mpi_prefix: str = "") -> tuple[Path, str]:
    """(the venv's python, what its GPAW links) for the binary's GPAW."""
    _, gpaw = package_recipe(binary, GPAW_RECIPE)
    mpi_prefix, mpi_identity, mpi_recipe, wrapper = stock_mpi.stock_mpi_for_variant(
        "parallel", Path(build_dir), build["target"], stock_mpi_prefix)
    libxc_prefix = library_prefix(build_dir, "libxc", build["target"])
    openblas_prefix = library_prefix(build_dir, "openblas", build["target"])
    archives = {name: sha256_of(prefix / "lib" / f"lib{library}.a")
                for name, prefix, library in (("libxc", libxc_prefix, "xc"), ("openblas", openblas_prefix, "openblas"))}
    released = {name: released_wheel(stock_python, name, package_recipe(binary, name)[1].version, work)
                for name in RELEASED_WHEEL_PACKAGES}
    store = Path(default_cache_dir()) / "downloads"
    brought = []
    for name in brought_in_for(build, GPAW_RECIPE, left_out=(*RELEASED_WHEEL_PACKAGES, MPI4PY)):
        recipe = package_recipe(binary, name)[1]
        if getattr(recipe, "build_system", "") != "pure":
            raise SlitherError(f"{name}, which the build brought in for GPAW, is compiled: the stock GPAW "
                               f"venv takes pure-Python packages only")
        wheel = Path(recipe.source_path) if recipe.source_path else obtain(recipe.source, search_dirs=source_dirs,
                                                                           store=store, log=say)
        brought.append(StockBuild(recipe, wheel=wheel))
    gpaw_build = StockBuild(gpaw, gpaw_build_environment(mpi_prefix, libxc_prefix, openblas_prefix),
                            {"mpi": mpi_identity, **archives}, recipe_patch_files(gpaw))
    # mpi4py, when the binary has it (GPAW's own tests use it when it is there), built against the
    # same shared MPI, as the h5py and netCDF4 suites build it
    library_dir = str(mpi_prefix / "lib")
    mpi4py = ([StockBuild(package_recipe(binary, MPI4PY)[1],
                          stock_mpi.build_environment(mpi_prefix, wrapper, library_dir),
                          {"mpi": mpi_identity, "runpath": library_dir})]
              if MPI4PY in build.get("modules", {}) else [])
    builds = [*(StockBuild(package_recipe(binary, name)[1], wheel=wheel) for name, wheel in released.items()),
              *mpi4py, *brought, gpaw_build]
    python = venv_with_packages(stock_python, builds, work, source_dirs)
    extension = next(venv_site_packages(python.parent.parent).glob("_gpaw*.so"), None)
    if extension is None:
        raise SlitherError(f"the stock GPAW venv {python.parent.parent} has no _gpaw extension")
    mpi_soname = stock_mpi.check_linked_against(extension, mpi_prefix / "lib", library_dir)
    if mpi4py:
        stock_mpi.checked_mpi4py_extension(venv_site_packages(python.parent.parent), mpi_prefix / "lib", library_dir)
    described = (f"GPAW {gpaw.version} shared ({extension.name}: libxc and OpenBLAS archives of the build, "
                 f"{mpi_recipe.name} {mpi_recipe.version} shared {mpi_soname}); "
                 + ", ".join(f"{wheel.name} sha256 {sha256_of(wheel)}" for wheel in released.values()))
    return python, described
