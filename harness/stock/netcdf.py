"""The stock side of netCDF4 comparisons: a venv of the stock interpreter with numpy, (mpi4py,)
netCDF4 and what netCDF4 needs at run time (cftime, certifi, packaging), netCDF4 built against a
stock shared netCDF-C over the stock shared HDF5 (harness.stock.hdf5) of the same variant as the
binary's: serial, or parallel with mpi4py, HDF5 and netCDF-C against the shared MPI of
`scons reference-mpi` (harness.stock.mpi).

The shared netCDF-C is the netcdf-c library recipe built the usual shared way: its pinned
tarball, its configure options with the library kind switched (slither.libraries.variants, as
for the shared MPI and HDF5), its patches. It gets the stock HDF5 through CPPFLAGS/LDFLAGS as the
static build gets the hdf5 recipe's prefix, and a run-time search path to HDF5's lib/ (and the
MPI's), absolute as a site's module would have; parallel: compiled by the shared MPI's wrapper,
with which configure finds H5Pset_fapl_mpio and turns parallel I/O on by itself, as in the
static build. No TARGET profile: the system compiler or the MPI's wrapper, like the stock HDF5.
zlib is the system's, as for the stock HDF5 (the static side links the zlib recipe's).

The packages: the recipes the binary was built with, turned into the variant by the plan's own
rule (slither.libraries.hdf5_variant.apply); netCDF4's build_environment is the recipe's with
{prefix:netcdf-c} and {prefix:hdf5} made the stock prefixes, and its patches applied to the
sdist as the static build applies them: unlike h5py's (which only make the static build
possible), netCDF4's patch changes C code that runs (nc_complex's inline functions), so both
sides must run it. Its setup asks NETCDF4_DIR/bin/nc-config and gives the extension a run-time
search path to netCDF-C's and HDF5's lib/. With MPI, netCDF4 is compiled by the MPI's wrapper
(its parallel support includes mpi.h and calls MPI itself) with mpi4py on its build path. The
packages the build brought in for netCDF4 (its manifest's needed_by) come from the same locked
sources: cftime built from its sdist, pure-Python wheels as they are.

netCDF-C is built into WORK/stock-netcdf-c-<variant>/prefix once; a stamp of every input
(the HDF5 under it included) rebuilds it when one changes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from slither import reproducible
from slither.commands import say
from slither.configure_make import ConfigureMakeBuild
from slither.errors import SlitherError
from slither.files import sha256_of
from slither.libraries import hdf5_variant
from slither.libraries.variants import configure_flags_for
from slither.recipes import module_recipes
from slither.cache import default_cache_dir
from slither.sources.patches import PATCHES_DIR
from slither.sources.pinned import obtain
from harness.stock import hdf5 as stock_hdf5
from harness.stock import mpi as stock_mpi
from harness.stock.packages import StockBuild, brought_in_for, venv_site_packages, venv_with_packages
from harness.suites.binary_under_test import package_recipe

NETCDF_C_RECIPE = "netcdf-c"
NETCDF4_RECIPE = "netcdf4"


def binary_variant(build: dict) -> str:
    """serial or parallel, as the binary's manifest says (mpi4py among its modules: parallel)."""
    modules = build.get("modules", {})
    if NETCDF4_RECIPE not in modules:
        raise SlitherError(f"the binary has no {NETCDF4_RECIPE} built in")
    return "parallel" if hdf5_variant.MPI_PACKAGE in modules else "serial"


def variant_recipes(build: dict, variant: str) -> dict:
    """{name: recipe} of the binary's netCDF4, the libraries under it and the packages it builds
    against, as the plan makes them for `variant`."""
    names = [hdf5_variant.HDF5_RECIPE, NETCDF_C_RECIPE, "numpy", NETCDF4_RECIPE]
    if variant == "parallel":
        names.insert(3, hdf5_variant.MPI_PACKAGE)
    numpy_recipe = next((name for name in build.get("modules", {})
                         if name.startswith("numpy")), "numpy")  # numpy or numpy-noblas
    recipes = tuple(module_recipes.load_module_recipe(numpy_recipe if name == "numpy" else name) for name in names)
    for recipe in recipes:
        built = build.get("modules", {}).get(recipe.name, {}).get("version")
        if built and built != recipe.version:
            raise SlitherError(f"the binary has {recipe.name} {built}, but its recipe now pins {recipe.version}; "
                               f"rebuild the binary")
    return {recipe.name if not recipe.name.startswith("numpy") else "numpy": recipe
            for recipe in hdf5_variant.apply(variant, recipes)}


def brought_in_for_netcdf4(build: dict, built_anyway=()) -> list[str]:
    """The packages the binary's build brought in because netCDF4 needs them at run time, directly
    or through one another (cftime, certifi, packaging), in the manifest's order; not those the
    stock venv builds from their recipes anyway (built_anyway: numpy, mpi4py). A manifest entry's
    needed_by names "name version" of what needs it."""
    return brought_in_for(build, NETCDF4_RECIPE, left_out=built_anyway)


def recipe_patch_files(recipe) -> tuple[Path, ...]:
    """The recipe's patches as files (named as in patches/, like the static build's)."""
    return tuple(PATCHES_DIR / patch for patch in recipe.patches)


# -- the stock shared netCDF-C -------------------------------------------------------------------

def shared_configure_flags(recipe) -> tuple[str, ...]:
    """The recipe's configure options for a shared build: the static build's, with the library
    kind switched. Serial or parallel is the compiler's doing (the MPI's wrapper), as in the plan."""
    return configure_flags_for(recipe.name, recipe.configure_flags, "shared")


def compiler_environment(base: dict, variant: str, hdf5_prefix: Path, mpi_prefix: Path | None,
                         mpi_wrapper: str) -> dict:
    """The stock HDF5's environment (harness.stock.hdf5: none of the caller's compiler settings;
    parallel: the MPI's wrapper, its lib/ searched), plus the stock HDF5's include/ and lib/
    first on the compiler's paths and its lib/ searched at run time (configure's test programs
    and libnetcdf.so find libhdf5.so there)."""
    env = stock_hdf5.compiler_environment(base, variant, mpi_prefix, mpi_wrapper)
    library_dir = Path(hdf5_prefix) / "lib"
    env["CPPFLAGS"] = f"-I{Path(hdf5_prefix) / 'include'}"
    env["LDFLAGS"] = " ".join(filter(None, [f"-L{library_dir}", f"-Wl,-rpath,{library_dir}", env.get("LDFLAGS", "")]))
    env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(library_dir), env.get("LD_LIBRARY_PATH", "")]))
    return env


def build_identity(recipe, variant: str, flags, hdf5_identity: str, mpi_identity: str, patch_files=()) -> str:
    return json.dumps({"sha256": recipe.source.sha256, "flags": list(flags), "variant": variant,
                       "hdf5": hdf5_identity, "mpi": mpi_identity,
                       "patches": [f"{Path(patch).name} {sha256_of(Path(patch))}" for patch in patch_files],
                       "layout": "shared, system compiler or the MPI's wrapper, over the stock shared HDF5"},
                      sort_keys=True)


def shared_netcdf_prefix(work: Path, variant: str) -> Path:
    return Path(work).resolve() / f"stock-{NETCDF_C_RECIPE}-{variant}" / "prefix"


def shared_netcdf(work: Path, variant: str, *, hdf5_prefix: Path, mpi_prefix: Path | None = None,
                  mpi_wrapper: str = "bin/mpicc", mpi_identity: str = "", source_dirs=(),
                  jobs: int | None = None) -> Path:
    """The prefix (bin/nc-config, include/, lib/libnetcdf.so ...) of the stock shared netCDF-C of
    `variant` over the stock HDF5 at hdf5_prefix, built once into WORK/stock-netcdf-c-<variant>/prefix."""
    recipe = module_recipes.load_module_recipe(NETCDF_C_RECIPE)
    flags = shared_configure_flags(recipe)
    patch_files = recipe_patch_files(recipe)
    prefix = shared_netcdf_prefix(work, variant)
    home = prefix.parent
    hdf5_stamp = Path(hdf5_prefix).parent / "stamp.json"
    hdf5_identity = hdf5_stamp.read_text() if hdf5_stamp.is_file() else str(hdf5_prefix)
    identity = build_identity(recipe, variant, flags, hdf5_identity, mpi_identity if variant == "parallel" else "",
                              patch_files)
    stamp = home / "stamp.json"
    if stamp.is_file() and stamp.read_text() == identity and (prefix / "lib").is_dir():
        return prefix
    tarball = obtain(recipe.source, search_dirs=[Path(d) for d in source_dirs],
                     store=Path(default_cache_dir()) / "downloads", upstream_version=recipe.version, log=say)
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    build = ConfigureMakeBuild(label=f"stock {recipe.name} {recipe.version} ({variant}, shared)", tarball=tarball,
                               sha256=recipe.source.sha256, prefix=str(prefix),
                               canonical_source=f"{reproducible.CANONICAL_BUILD_ROOT}/{recipe.name}-{recipe.version}",
                               work=home / "work", log=home / "build.log", jobs=jobs or os.cpu_count() or 1,
                               patch_files=patch_files)

    def environment(source_tree: Path) -> dict:
        return compiler_environment(reproducible.reproducible_environment(os.environ), variant, hdf5_prefix,
                                    mpi_prefix, mpi_wrapper)

    def check_shared(prefix_tree: Path, env: dict) -> None:
        if not list((prefix_tree / "lib").glob("libnetcdf.so*")):
            raise SlitherError(f"{build.label}: make install produced no lib/libnetcdf.so; see {build.log}")
        if not (prefix_tree / "bin" / "nc-config").is_file():  # netCDF4's setup asks it
            raise SlitherError(f"{build.label}: make install produced no bin/nc-config; see {build.log}")

    return stock_hdf5.install_shared_library(build, prefix, flags, environment, check_shared, identity)


# -- the stock netCDF4 ---------------------------------------------------------------------------

def netcdf4_build_environment(recipe, prefixes: dict[str, Path], mpi_prefix: Path | None, mpi_wrapper: str,
                              variant: str) -> dict:
    """The recipe's build_environment with each {prefix:NAME} the stock library's prefix
    (prefixes: {"netcdf-c": ..., "hdf5": ...}); parallel: CC (and MPICC) the shared MPI's
    wrapper and the MPI's lib/ searched at run time (the extension calls MPI itself)."""
    environment = {}
    for key, value in recipe.build_environment.items():
        for name, prefix in prefixes.items():
            value = value.replace("{prefix:%s}" % name, str(prefix))
        if "{prefix:" in value:
            raise SlitherError(f"{recipe.name}'s build_environment {key}={value} names a library the stock "
                               f"side does not build (it builds {', '.join(prefixes)})")
        environment[key] = value
    if variant == "parallel":
        if mpi_prefix is None:
            raise SlitherError("a parallel stock netCDF4 needs the shared MPI (`scons reference-mpi`)")
        wrapper = str(Path(mpi_prefix) / mpi_wrapper)
        environment.update(CC=wrapper, MPICC=wrapper, LDFLAGS=f"-Wl,-rpath,{Path(mpi_prefix) / 'lib'}")
    return environment


def check_netcdf4_extension(site_packages: Path, netcdf_prefix: Path) -> str:
    """netCDF4's extension (netCDF4/_netCDF4.*.so) must need the stock netCDF-C's shared library
    and search its lib/ for it; returns that soname."""
    library_dir = Path(netcdf_prefix) / "lib"
    extension = next((Path(site_packages) / "netCDF4").glob("_netCDF4.*.so"), None)
    if extension is None:
        raise SlitherError(f"the stock netCDF4 build left no netCDF4/_netCDF4.*.so in {site_packages}")
    provided = sorted(path.name for path in library_dir.glob("libnetcdf.so.*"))
    needed, paths = stock_mpi.dynamic_section(extension)
    if not any(name.startswith("libnetcdf.so") for name in needed) or str(library_dir) not in paths:
        raise SlitherError(f"{extension.name} is not linked against {library_dir}'s libnetcdf.so "
                           f"(needs {', '.join(needed) or 'nothing'}; searches {':'.join(paths) or 'no path'})")
    return next((name for name in needed if name.startswith("libnetcdf.so")), provided[0] if provided else "")


def stock_builds_in_order(numpy, mpi4py, netcdf4, brought: list) -> list:
    """The venv's builds, each built against the wheels before it: numpy, (mpi4py,) netCDF4 (its
    build imports numpy and, parallel, mpi4py), then what was brought in for it: compiled ones
    (cftime, which builds against numpy), then pure-Python wheels. Pure wheels last, because
    every wheel before a build is installed into its builder beside the build's own pinned
    requirements, and one of those (netCDF4's packaging) may be another version of a brought-in one."""
    compiled = [build for build in brought if getattr(build.recipe, "build_system", "") != "pure"]
    pure = [build for build in brought if getattr(build.recipe, "build_system", "") == "pure"]
    return [numpy, *([mpi4py] if mpi4py else []), netcdf4, *compiled, *pure]


def stock_netcdf4_venv(stock_python: str, binary: Path, build: dict, build_dir: Path, work: Path,
                       source_dirs: list[Path], *, stock_mpi_prefix: str = "",
                       jobs: int | None = None) -> tuple[Path, str]:
    """(the venv's python, what its netCDF-C, HDF5 and MPI are) for the binary's variant."""
    variant = binary_variant(build)
    recipes = variant_recipes(build, variant)
    mpi_prefix, mpi_identity, mpi_recipe, wrapper = stock_mpi.stock_mpi_for_variant(
        variant, Path(build_dir), build["target"], stock_mpi_prefix)
    hdf5_prefix = stock_hdf5.shared_hdf5(work, variant, mpi_prefix=mpi_prefix, mpi_wrapper=wrapper,
                                         mpi_identity=mpi_identity, source_dirs=source_dirs, jobs=jobs)
    netcdf_prefix = shared_netcdf(work, variant, hdf5_prefix=hdf5_prefix, mpi_prefix=mpi_prefix, mpi_wrapper=wrapper,
                                  mpi_identity=mpi_identity, source_dirs=source_dirs, jobs=jobs)
    libraries_identity = {"hdf5": (hdf5_prefix.parent / "stamp.json").read_text(),
                          "netcdf-c": (netcdf_prefix.parent / "stamp.json").read_text(), "mpi": mpi_identity}
    mpi4py_build = None
    if variant == "parallel":
        library_dir = str(mpi_prefix / "lib")
        mpi4py_build = StockBuild(recipes[hdf5_variant.MPI_PACKAGE],
                                  stock_mpi.build_environment(mpi_prefix, wrapper, library_dir),
                                  {"mpi": mpi_identity, "runpath": library_dir})
    netcdf4 = recipes[NETCDF4_RECIPE]
    netcdf4_build = StockBuild(netcdf4,
                               netcdf4_build_environment(netcdf4, {NETCDF_C_RECIPE: netcdf_prefix,
                                                                   hdf5_variant.HDF5_RECIPE: hdf5_prefix},
                                                         mpi_prefix, wrapper, variant),
                               libraries_identity, recipe_patch_files(netcdf4))
    built_anyway = {recipe.name for recipe in recipes.values()}
    brought = [StockBuild(package_recipe(binary, name)[1]) for name in brought_in_for_netcdf4(build, built_anyway)]
    builds = stock_builds_in_order(StockBuild(recipes["numpy"]), mpi4py_build, netcdf4_build, brought)
    python = venv_with_packages(stock_python, builds, work, source_dirs)
    site = venv_site_packages(python.parent.parent)
    soname = check_netcdf4_extension(site, netcdf_prefix)
    described = (f"netCDF-C {recipes[NETCDF_C_RECIPE].version} shared ({soname} from {netcdf_prefix / 'lib'}) over "
                 f"HDF5 {recipes[hdf5_variant.HDF5_RECIPE].version} {variant}, shared ({hdf5_prefix / 'lib'})")
    if variant == "parallel":
        mpi_soname = stock_mpi.checked_mpi4py_extension(site, mpi_prefix / "lib", str(mpi_prefix / "lib"))
        described += f"; {mpi_recipe.name} {mpi_recipe.version} shared ({mpi_soname})"
    return python, described
