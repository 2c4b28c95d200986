"""The stock side of MPI comparisons: mpi4py built the usual shared way against the shared MPI
of `scons reference-mpi` (the static binary's MPI recipe built shared, slither.libraries.variants).

Used by bench/contenders.py (mpi4py in the stock tree that the metadata server serves) and by
harness/suites/run mpi4py (mpi4py in a venv of the stock interpreter), through
harness.stock.packages. Both build mpi4py from the recipe's pinned sdist with the MPI's own wrapper as its compiler (MPICC, as mpi4py's
documentation says) and give its MPI.so one run-time search path, the MPI's lib/: what a site's
mpicc does by default. The recipe configures the wrapper to add none (--with-wrapper-dl-type=none,
kept by the shared variant), so the caller chooses it: absolute in a venv, relative to MPI.so
($ORIGIN) in a tree that is served from elsewhere, so that libmpi.so is looked up where the
tree is, like every other file of the stock install.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from slither.recipes import module_recipes
from slither.errors import SlitherError
from slither.files import sha256_of
from slither.libraries.variants import directory_name


def stock_mpi_recipe(package: str = "mpi4py"):
    """The MPI library recipe the package's recipe depends on (mpi4py -> mpich): what the static
    binary links, and what `scons reference-mpi` builds shared."""
    package_recipe = module_recipes.load_module_recipe(package)
    for name in package_recipe.depends_on:
        recipe = module_recipes.load_module_recipe(name)
        if "mpi" in recipe.provides and module_recipes.is_library(recipe):
            return recipe
    raise SlitherError(f"modules/{package}.py depends on no library recipe that provides mpi")


def shared_prefix(build_dir: Path, recipe, target_name: str) -> Path:
    """Where `scons reference-mpi BUILD_DIR=... TARGET=...` unpacked the shared MPI."""
    prefix = Path(build_dir) / "libraries" / directory_name(recipe.name, recipe.version, target_name, "shared") / "prefix"
    if not (prefix / recipe.mpi_wrapper).is_file():
        raise SlitherError(f"{prefix}: no shared {recipe.name} {recipe.version} there; build it with "
                           f"`scons reference-mpi BUILD_DIR={build_dir}`")
    return prefix


def stock_mpi_for_variant(variant: str, build_dir: Path, target_name: str, stock_mpi_prefix: str = ""):
    """(prefix, identity, recipe, wrapper) of the shared MPI a stock HDF5 build of `variant` uses:
    none for serial; for parallel, the given prefix or `scons reference-mpi`'s, named by the
    sha256 of its archive (or its lib/ listing), so that another MPI is another stock build."""
    if variant != "parallel":
        return None, "", None, "bin/mpicc"
    recipe = stock_mpi_recipe()
    prefix = (Path(stock_mpi_prefix).resolve() if stock_mpi_prefix
              else shared_prefix(Path(build_dir), recipe, target_name).resolve())
    archive = prefix.parent / "prefix.tar"
    identity = f"{prefix}: " + (sha256_of(archive) if archive.is_file()
                                else str(sorted(p.name for p in (prefix / "lib").iterdir())))
    return prefix, identity, recipe, recipe.mpi_wrapper


def origin_runpath(extension_dir: Path, library_dir: Path) -> str:
    """A run-time search path for an extension in extension_dir that finds library_dir wherever
    the tree holding both is moved: $ORIGIN-relative."""
    relative = os.path.relpath(Path(library_dir), Path(extension_dir))
    return "$ORIGIN" if relative == "." else f"$ORIGIN/{relative}"


def build_environment(prefix: Path, wrapper: str, runpath: str) -> dict:
    """Variables for pip building mpi4py against the MPI in prefix (its wrapper compiles and
    links; LDFLAGS adds the one search path). No shell sees LDFLAGS, so $ORIGIN stays literal.

    LDFLAGS also names prefix/lib for the link: MPICH's mpicc appends its own -L/-lmpi after
    every argument, and distutils puts the interpreter's LIBDIR (/usr/lib/x86_64-linux-gnu for
    Debian's python3.11) before them, so `-lmpi` found Debian's libmpi.so (an alternative
    pointing at libmpich.so.12) when libmpich-dev is installed; LDFLAGS come first."""
    return {"MPICC": str(Path(prefix) / wrapper), "LDFLAGS": f"-L{Path(prefix) / 'lib'} -Wl,-rpath,{runpath}"}


def dynamic_section(shared_object: Path) -> tuple[list[str], list[str]]:
    """(NEEDED libraries, RUNPATH/RPATH entries) of an ELF shared object, as readelf shows them."""
    output = subprocess.run(["readelf", "-d", str(shared_object)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    if output.returncode != 0:
        raise SlitherError(f"readelf -d {shared_object}: {output.stderr.strip()}")
    needed, paths = [], []
    for line in output.stdout.splitlines():
        value = line.split("[", 1)[1].rsplit("]", 1)[0] if "[" in line else ""
        if "(NEEDED)" in line:
            needed.append(value)
        elif "(RUNPATH)" in line or "(RPATH)" in line:
            paths.extend(value.split(":"))
    return needed, paths


def check_linked_against(extension: Path, library_dir: Path, runpath: str) -> str:
    """The extension must need the MPI's shared library and search `runpath` for it;
    returns the library's soname. A build that quietly linked another MPI, or libmpi.a, fails."""
    provided = sorted(path.name for path in Path(library_dir).glob("lib*.so.*") if not path.is_symlink())
    needed, paths = dynamic_section(extension)
    sonames = [name for name in needed if any(full.startswith(name) for full in provided)]
    if not sonames:
        raise SlitherError(f"{extension.name} needs none of {library_dir}'s shared libraries "
                           f"(it needs {', '.join(needed) or 'nothing'}): not linked against the shared MPI")
    # Beside `runpath`, only $ORIGIN-relative entries: the reference CPython's own LDFLAGS give
    # every extension it builds $ORIGIN/../lib (its libpython's place). An absolute entry could
    # find an MPI outside the tree under test.
    others = [path for path in paths if path != runpath]
    if runpath not in paths or any(not path.startswith("$ORIGIN") for path in others):
        raise SlitherError(f"{extension.name} searches {':'.join(paths) or 'no path'} for its libraries, "
                           f"expected {runpath} (and nothing outside $ORIGIN)")
    return sonames[0]


def checked_mpi4py_extension(site_packages: Path, library_dir: Path, runpath: str) -> str:
    """mpi4py's MPI.*.so as a stock build left it in site_packages, checked to be linked against
    the shared MPI in library_dir and to search `runpath` for it; returns the MPI's soname."""
    extension = next((Path(site_packages) / "mpi4py").glob("MPI.*.so"), None)
    if extension is None:
        raise SlitherError(f"the stock mpi4py build left no mpi4py/MPI.*.so in {site_packages}")
    return check_linked_against(extension, library_dir, runpath)
