"""Serial or parallel HDF5 (and h5py), chosen in the plan, never by editing a recipe.

HDF5 is built serial unless the build has MPI for Python: with mpi4py in MODULES, HDF5 is built
with --enable-parallel by the build's MPI compiler wrapper and h5py with HDF5_MPI=ON against
mpi4py (its `driver="mpio"` files). The variable HDF5=serial|parallel states it explicitly; it
must agree with MODULES, because a parallel h5py needs mpi4py to build and import, and a serial
HDF5 beside mpi4py would quietly give an h5py that cannot write one file from many ranks.

The variants are the recipes as written plus what this module adds (a configure flag, build
environment, dependencies), so the serial and parallel builds are cached under different keys
(their command lines and inputs differ) and never drift apart.
"""

from __future__ import annotations

import dataclasses

from slither.errors import SlitherError
from slither.recipes.recipe import LIBRARY_BUILD_SYSTEMS
from slither.sources.patches import PATCHES_DIR

HDF5_CHOICES = ("serial", "parallel")
HDF5_RECIPE = "hdf5"
H5PY_RECIPE = "h5py"
MPI_PACKAGE = "mpi4py"
PARALLEL_CONFIGURE_FLAGS = ("--enable-parallel",)
# h5py's setup loads a shared libhdf5 to ask what it already was told unless the build is serial.
PARALLEL_H5PY_PATCHES = (str(PATCHES_DIR / "h5py" / "setup-configure-stated-config-also-with-mpi.patch"),)


def parse_hdf5(text) -> str:
    value = str(text or "").strip().lower()
    if value and value not in HDF5_CHOICES:
        raise SlitherError(f"HDF5={text}: choose one of {', '.join(HDF5_CHOICES)} (default: parallel exactly "
                           f"when {MPI_PACKAGE} is in MODULES)")
    return value


def choose(requested: str, recipe_names) -> str:
    """The variant: "" when the build has no HDF5 recipe, else "serial" or "parallel"."""
    names = set(recipe_names)
    with_mpi = MPI_PACKAGE in names
    if HDF5_RECIPE not in names:
        if requested:
            raise SlitherError(f"HDF5={requested}: no package in MODULES uses HDF5 (add h5py, or drop HDF5=)")
        return ""
    if requested == "serial" and with_mpi:
        raise SlitherError(f"HDF5=serial with {MPI_PACKAGE} in MODULES: h5py would be built without MPI and "
                           f"could not open a file with driver='mpio'; drop HDF5= (parallel is the default "
                           f"with {MPI_PACKAGE}) or drop {MPI_PACKAGE}")
    if requested == "parallel" and not with_mpi:
        raise SlitherError(f"HDF5=parallel needs {MPI_PACKAGE} in MODULES (h5py's MPI support builds against "
                           f"it and imports it); add {MPI_PACKAGE} or drop HDF5=")
    return requested or ("parallel" if with_mpi else "serial")


def apply(variant: str, recipes: tuple) -> tuple:
    """The recipes with the parallel variant's additions (serial: unchanged)."""
    if variant != "parallel":
        return recipes
    by_name = {recipe.name: recipe for recipe in recipes}
    mpi_providers = by_name[MPI_PACKAGE].depends_on  # what gives mpi4py its MPI (mpich), for uses_mpi()
    over_hdf5 = _built_over_hdf5(by_name)
    changed = []
    for recipe in recipes:
        if recipe.name == HDF5_RECIPE:
            recipe = dataclasses.replace(recipe, configure_flags=(*recipe.configure_flags, *PARALLEL_CONFIGURE_FLAGS),
                                         depends_on=tuple(dict.fromkeys((*recipe.depends_on, *mpi_providers))))
        elif recipe.name in over_hdf5 and recipe.build_system in LIBRARY_BUILD_SYSTEMS:
            # netCDF-C: compiled by the MPI wrapper, it finds parallel HDF5 and does parallel I/O
            recipe = dataclasses.replace(recipe, depends_on=tuple(dict.fromkeys((*recipe.depends_on, *mpi_providers))))
        elif recipe.name in over_hdf5:
            # h5py, netCDF4: compiled by the MPI wrapper, mpi4py on the build path (their setup imports it)
            extra = {"patches": (*recipe.patches, *PARALLEL_H5PY_PATCHES),
                     "build_environment": {**recipe.build_environment, "HDF5_MPI": "ON"}} \
                if recipe.name == H5PY_RECIPE else {}
            recipe = dataclasses.replace(
                recipe, depends_on=tuple(dict.fromkeys((*recipe.depends_on, MPI_PACKAGE, *mpi_providers))), **extra)
        changed.append(recipe)
    return tuple(changed)


def _built_over_hdf5(by_name: dict) -> set:
    """The recipes that link HDF5, directly or through a library recipe that does (netCDF4 through
    netcdf-c): each must be built with the same MPI as the parallel HDF5 under it."""
    over = set()

    def links_hdf5(name, seen=()):
        recipe = by_name.get(name)
        if recipe is None or name in seen:
            return False
        return HDF5_RECIPE in recipe.depends_on or any(
            links_hdf5(dependency, (*seen, name)) for dependency in recipe.depends_on
            if dependency in by_name and by_name[dependency].build_system in LIBRARY_BUILD_SYSTEMS)

    for name in by_name:
        if name != HDF5_RECIPE and links_hdf5(name):
            over.add(name)
    return over
