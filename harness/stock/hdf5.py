"""The stock side's HDF5: the HDF5 library recipe built the usual shared way (libhdf5.so,
libhdf5_hl.so), serial, or parallel with the shared MPI of `scons reference-mpi`, for h5py built
for the stock interpreter (harness.stock.h5py).

Nothing is copied from the recipe: its source and pin, its configure options turned shared by
the rule that makes the shared MPI (slither.libraries.variants), and for the parallel variant
the flags the plan adds to the static build (slither.libraries.hdf5_variant). As for the stock
CPython, no TARGET profile: the system compiler, or the shared MPI's own wrapper (CC=mpicc).
The MPI's wrapper adds no run-time search path (the MPICH recipe says so), so the parallel
build gives libhdf5.so one, the MPI's lib/ (absolute, as a site's module would), and
configure's test programs find libmpi.so by LD_LIBRARY_PATH.

Built into WORK/stock-hdf5-<variant>/prefix once; a stamp of every input rebuilds it when one
changes.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from pathlib import Path

from slither import reproducible
from slither.commands import say
from slither.configure_make import ConfigureMakeBuild, build_and_archive
from slither.errors import SlitherError
from slither.libraries import hdf5_variant
from slither.libraries.variants import configure_flags_for
from slither.recipes import module_recipes
from slither.cache import default_cache_dir
from slither.sources.pinned import obtain

VARIANTS = hdf5_variant.HDF5_CHOICES  # serial, parallel
# The compiler settings a caller's environment could carry into a stock build.
NOT_INHERITED = ("CC", "CXX", "CFLAGS", "CPPFLAGS", "LDFLAGS", "LIBS", "PYTHONPATH", "PYTHONHOME")


def stock_hdf5_recipe():
    return module_recipes.load_module_recipe(hdf5_variant.HDF5_RECIPE)


def shared_configure_flags(recipe, variant: str) -> tuple[str, ...]:
    """The recipe's configure options for a shared build of `variant`: the static build's, with
    the library kind switched, plus what the parallel variant adds to the static build."""
    if variant not in VARIANTS:
        raise SlitherError(f"HDF5 variant {variant!r}: choose one of {', '.join(VARIANTS)}")
    flags = configure_flags_for(recipe.name, recipe.configure_flags, "shared")
    return flags + (hdf5_variant.PARALLEL_CONFIGURE_FLAGS if variant == "parallel" else ())


def compiler_environment(base: dict, variant: str, mpi_prefix: Path | None, mpi_wrapper: str) -> dict:
    """The build's environment: the caller's without compiler settings; parallel: CC is the
    shared MPI's wrapper, libhdf5.so searches the MPI's lib/, and so do configure's test runs."""
    env = {key: value for key, value in base.items() if key not in NOT_INHERITED}
    if variant == "parallel":
        if mpi_prefix is None:
            raise SlitherError("a parallel stock HDF5 needs the shared MPI (`scons reference-mpi`)")
        library_dir = Path(mpi_prefix) / "lib"
        env.update(CC=str(Path(mpi_prefix) / mpi_wrapper), LDFLAGS=f"-Wl,-rpath,{library_dir}",
                   LD_LIBRARY_PATH=os.pathsep.join(filter(None, [str(library_dir), base.get("LD_LIBRARY_PATH", "")])))
    return env


def build_identity(recipe, variant: str, flags, mpi_identity: str) -> str:
    return json.dumps({"sha256": recipe.source.sha256, "flags": list(flags), "variant": variant,
                       "mpi": mpi_identity, "layout": "shared, system compiler or the MPI's wrapper"},
                      sort_keys=True)


def shared_hdf5_prefix(work: Path, variant: str) -> Path:
    """Where shared_hdf5 installs the stock HDF5 of `variant` (bench/contenders.py copies its
    libraries into the served tree)."""
    return Path(work).resolve() / f"stock-hdf5-{variant}" / "prefix"


def shared_hdf5(work: Path, variant: str, *, mpi_prefix: Path | None = None, mpi_wrapper: str = "bin/mpicc",
                mpi_identity: str = "", source_dirs=(), jobs: int | None = None) -> Path:
    """The prefix (include/, lib/libhdf5.so ...) of the stock shared HDF5 of `variant`, built
    once into WORK/stock-hdf5-<variant>/prefix."""
    recipe = stock_hdf5_recipe()
    flags = shared_configure_flags(recipe, variant)
    prefix = shared_hdf5_prefix(work, variant)
    home = prefix.parent
    identity = build_identity(recipe, variant, flags, mpi_identity if variant == "parallel" else "")
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
                               work=home / "work", log=home / "build.log", jobs=jobs or os.cpu_count() or 1)

    def environment(source_tree: Path) -> dict:
        return compiler_environment(reproducible.reproducible_environment(os.environ), variant, mpi_prefix,
                                    mpi_wrapper)

    def check_shared(prefix_tree: Path, env: dict) -> None:
        if not list((prefix_tree / "lib").glob("libhdf5.so*")):
            raise SlitherError(f"{build.label}: make install produced no lib/libhdf5.so; see {build.log}")

    return install_shared_library(build, prefix, flags, environment, check_shared, identity)


def install_shared_library(build: ConfigureMakeBuild, prefix: Path, flags, environment, check_shared,
                           identity: str) -> Path:
    """configure (with flags), make and make install a stock shared library into prefix, the
    installed tree unpacked there, then prefix/../stamp.json written last: a build stopped
    half-way is built again next time."""
    home = prefix.parent
    say(f"{build.label}: configure, make, install (log: {build.log}; minutes)")
    archive = home / "prefix.tar"
    build_and_archive(build, archive, configure=["./configure", f"--prefix={prefix}", *flags],
                      environment=environment, after_install=check_shared)
    with tarfile.open(archive) as tar:
        tar.extractall(prefix, filter="data")
    archive.unlink()
    (home / "stamp.json").write_text(identity)
    return prefix
