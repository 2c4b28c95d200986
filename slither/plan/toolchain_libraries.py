"""Libraries a TARGET's toolchain supplies itself (BLAS/LAPACK, HDF5) or cannot have, and the recipes the plan rewrites for them.

A profile states it in two data fields (targets/cray.py, targets/musl.py):

    provides = {"blas": {"name": "cray-libsci", "pkg_config": "libsci"},
                "hdf5": {"name": "cray-hdf5-parallel", "prefix_variables": ["HDF5_DIR", ...]}}
    lacks = {"blas": "why this toolchain can link no BLAS"}

With `provides`, no OpenBLAS archive is looked for or linked and no HDF5 recipe is built: numpy
and scipy are configured for the toolchain's BLAS by its pkg-config name, h5py is pointed at the
toolchain's HDF5 prefix (found at plan time from the variables its module sets, its headers and
library checked against each other), and the compiler drivers link both, as they link MPI. With
`lacks`, a package that needs that library is refused before anything builds.

Read here, at plan time, rather than in slither.recipes.loading (the ToolchainProfile every step is
handed by value, and signs): these fields decide only which recipes the plan builds and what it
tells them, and all of that reaches a step through the rewritten recipe (config settings, build
environment, dependencies), which the step signs. So a changed `provides` reruns numpy, scipy and
h5py, not CPython, and adding the fields rebuilt nothing.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from slither.errors import SlitherError
from slither.plan import openblas
from slither.recipes.loading import load_python_file

KINDS = ("blas", "hdf5")
# The library recipe a package depends_on when it takes the build's own BLAS/LAPACK (numpy, scipy),
# and the recipes only it needs (dropped with it when the toolchain provides BLAS).
BLAS_RECIPE = openblas.RECIPE
# numpy's and scipy's meson options naming that BLAS; the toolchain's pkg-config name replaces it.
_BLAS_SETTING = re.compile(r"^(setup-args=-D(?:blas|lapack))=openblas$")
HDF5_RECIPE = "hdf5"
HDF5_PLACEHOLDER = "{prefix:hdf5}"
# The library archive a toolchain HDF5 prefix holds (Cray names it both ways).
HDF5_ARCHIVES = ("libhdf5.a", "libhdf5_parallel.a")


@dataclass(frozen=True)
class ToolchainBlas:
    name: str          # what the summary calls it (cray-libsci)
    pkg_config: str    # the name numpy's and scipy's meson find it by: -Dblas=NAME -Dlapack=NAME


@dataclass(frozen=True)
class ToolchainHdf5:
    name: str                           # cray-hdf5-parallel
    prefix_variables: tuple[str, ...]   # where its module says its prefix is, first set wins


@dataclass(frozen=True)
class ToolchainLibraries:
    """What one TARGET profile says about BLAS and HDF5 (both None: recipes and system archives, as gnu)."""

    blas: ToolchainBlas | None = None
    hdf5: ToolchainHdf5 | None = None
    lacks: tuple[tuple[str, str], ...] = ()   # (kind, why), sorted

    def lacking(self, kind: str) -> str:
        return dict(self.lacks).get(kind, "")


@dataclass(frozen=True)
class Hdf5Prefix:
    """A toolchain HDF5 as found at plan time."""

    prefix: str
    variable: str      # the variable that named it
    version: str       # from include/H5pubconf.h, agreeing with the library
    parallel: bool     # H5_HAVE_PARALLEL, agreeing with the library


def load(profile) -> ToolchainLibraries:
    """The `provides` and `lacks` fields of a profile loaded from its file (a profile without a
    file, or whose file says neither, gets nothing)."""
    path = Path(profile.path)
    if path.suffix != ".py" or not path.is_file():
        return ToolchainLibraries()
    module = load_python_file(path, "target")
    provides = getattr(module, "provides", {}) or {}
    lacks = getattr(module, "lacks", {}) or {}
    for field_name, value in (("provides", provides), ("lacks", lacks)):
        if not isinstance(value, dict):
            raise SlitherError(f"{path}: {field_name} must be a dict keyed by library kind ({', '.join(KINDS)})")
        unknown = sorted(set(value) - set(KINDS))
        if unknown:
            raise SlitherError(f"{path}: {field_name} names {', '.join(unknown)}; known library kinds: {', '.join(KINDS)}")
    both = sorted(set(provides) & set(lacks))
    if both:
        raise SlitherError(f"{path}: {', '.join(both)} both in provides and in lacks; keep one")
    blas = hdf5 = None
    if "blas" in provides:
        entry = _entry(path, "blas", provides["blas"], ("name", "pkg_config"))
        blas = ToolchainBlas(name=entry["name"], pkg_config=entry["pkg_config"])
    if "hdf5" in provides:
        entry = _entry(path, "hdf5", provides["hdf5"], ("name", "prefix_variables"))
        variables = entry["prefix_variables"]
        if isinstance(variables, str) or not variables or not all(isinstance(v, str) and v for v in variables):
            raise SlitherError(f'{path}: provides["hdf5"]["prefix_variables"] must be a list of variable names, '
                               'e.g. ["HDF5_DIR"]')
        hdf5 = ToolchainHdf5(name=entry["name"], prefix_variables=tuple(variables))
    for kind, why in lacks.items():
        if not isinstance(why, str) or not why:
            raise SlitherError(f'{path}: lacks["{kind}"] must say why, in words')
    return ToolchainLibraries(blas=blas, hdf5=hdf5, lacks=tuple(sorted(lacks.items())))


def _entry(path: Path, kind: str, entry, keys: tuple[str, ...]) -> dict:
    if not isinstance(entry, dict) or any(key not in entry for key in keys):
        raise SlitherError(f'{path}: provides["{kind}"] must be a dict with {", ".join(keys)}')
    for key in keys:
        if key != "prefix_variables" and (not isinstance(entry[key], str) or not entry[key]):
            raise SlitherError(f'{path}: provides["{kind}"]["{key}"] must be a non-empty string')
    return entry


# --- BLAS/LAPACK ----------------------------------------------------------------------------

def uses_blas(recipe) -> bool:
    """Whether a recipe takes the build's BLAS/LAPACK (it depends on the openblas recipe)."""
    return BLAS_RECIPE in recipe.depends_on


def check_blas_available(libraries: ToolchainLibraries, profile, recipes) -> None:
    """A profile that lacks BLAS cannot take a package that needs it: one line, before anything builds."""
    why = libraries.lacking("blas")
    needing = sorted(recipe.name for recipe in recipes if uses_blas(recipe))
    if not why or not needing:
        return
    variants = " (numpy-noblas is numpy without BLAS)" if "numpy" in needing else ""
    raise SlitherError(f"MODULES: {', '.join(needing)} need{'s' if len(needing) == 1 else ''} BLAS/LAPACK, and "
                       f"TARGET={profile.name} has none: {why}; drop {', '.join(needing)}{variants}, or use a "
                       "TARGET whose profile provides BLAS")


def check_blas_found(blas: ToolchainBlas | None, profile, recipes, environment: dict) -> None:
    """The toolchain's BLAS must be there for meson to find (its module loaded) before anything
    builds, not only when numpy's build asks pkg-config, after CPython."""
    needing = sorted(recipe.name for recipe in recipes if uses_blas(recipe))
    if blas is None or not needing:
        return
    what = f"TARGET={profile.name} takes BLAS/LAPACK from the toolchain ({blas.name}) for {', '.join(needing)}"
    try:
        found = subprocess.run(["pkg-config", "--exists", blas.pkg_config], env={**environment, **profile.environment},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        raise SlitherError(f"{what}, which meson finds with pkg-config, and pkg-config does not run here; "
                           "install it or load its module") from None
    if not found:
        raise SlitherError(f"{what}, but pkg-config finds no {blas.pkg_config} (PKG_CONFIG_PATH="
                           f"{environment.get('PKG_CONFIG_PATH', '')}): load its module (module load {blas.name})")


def apply_blas(blas: ToolchainBlas | None, recipes: tuple) -> tuple:
    """The recipes with the toolchain's BLAS instead of OpenBLAS: the openblas recipe (and what
    only it needs: lapack) is not built, its users lose that dependency and its prefix in their
    build environment, and meson's -Dblas/-Dlapack name the toolchain's pkg-config package."""
    if blas is None:
        return recipes
    own = next((recipe for recipe in recipes if recipe.name == BLAS_RECIPE), None)
    placeholder = "{prefix:" + BLAS_RECIPE + "}"
    changed = []
    for recipe in recipes:
        if recipe.name == BLAS_RECIPE:
            continue
        if uses_blas(recipe):
            settings = tuple(_BLAS_SETTING.sub(lambda match: f"{match.group(1)}={blas.pkg_config}", setting)
                             for setting in recipe.config_settings)
            environment = {name: value for name, value in recipe.build_environment.items()
                           if placeholder not in value}
            recipe = dataclasses.replace(
                recipe, depends_on=tuple(name for name in recipe.depends_on if name != BLAS_RECIPE),
                config_settings=settings, build_environment=environment)
        changed.append(recipe)
    # what only OpenBLAS needed (lapack) goes with it
    needed = {name for recipe in changed for name in recipe.depends_on}
    only_its = set(own.depends_on if own is not None else ()) - needed
    return tuple(recipe for recipe in changed if recipe.name not in only_its)


# --- HDF5 -----------------------------------------------------------------------------------

def _defines(text: str) -> dict[str, str]:
    return {match.group(1): match.group(2).strip().strip('"')
            for match in re.finditer(r"^\s*#\s*define\s+(\w+)[ \t]*(.*)$", text, re.MULTILINE)}


def header_facts(include_dir: Path) -> tuple[str, bool] | None:
    """(version, parallel) from H5pubconf.h (H5_VERSION, H5_HAVE_PARALLEL); None without it."""
    pubconf = include_dir / "H5pubconf.h"
    if not pubconf.is_file():
        return None
    defines = _defines(pubconf.read_text(errors="replace"))
    version = defines.get("H5_VERSION", "")
    if not version:  # older layouts: the numbers are in H5public.h
        public = include_dir / "H5public.h"
        numbers = _defines(public.read_text(errors="replace")) if public.is_file() else {}
        parts = [numbers.get(f"H5_VERS_{part}", "") for part in ("MAJOR", "MINOR", "RELEASE")]
        version = ".".join(parts) if all(parts) else ""
    return version, "H5_HAVE_PARALLEL" in defines


def library_facts(lib_dir: Path) -> tuple[str, bool | None, str] | None:
    """(version, parallel or None when unknown, where it was read) from lib/libhdf5.settings, or
    else from the version string compiled into the archive; None without either."""
    settings = lib_dir / "libhdf5.settings"
    if settings.is_file():
        text = settings.read_text(errors="replace")
        version = re.search(r"^\s*HDF5 Version:\s*(\S+)", text, re.MULTILINE)
        parallel = re.search(r"^\s*Parallel HDF5:\s*(\w+)", text, re.MULTILINE)
        return (version.group(1) if version else "", (parallel.group(1).lower() == "yes") if parallel else None,
                "lib/libhdf5.settings")
    for archive in HDF5_ARCHIVES:
        path = lib_dir / archive
        if path.is_file():
            data = path.read_bytes()
            version = re.search(rb"HDF5 library version: (\d+\.\d+\.\d+)", data)
            return (version.group(1).decode() if version else "", b"H5Pset_fapl_mpio" in data, f"lib/{archive}")
    return None


def _kind(parallel: bool) -> str:
    return "parallel" if parallel else "serial"


def check_not_requested(libraries: ToolchainLibraries, profile, names) -> None:
    """MODULES naming the recipe of a library the toolchain provides would be built for nothing."""
    if libraries.hdf5 is not None and HDF5_RECIPE in names:
        raise SlitherError(f"MODULES: {HDF5_RECIPE} is what TARGET={profile.name}'s toolchain provides "
                           f"({libraries.hdf5.name}), so no HDF5 recipe is built; drop it from MODULES")


def find_hdf5(hdf5: ToolchainHdf5, profile, environment: dict) -> Hdf5Prefix:
    """The toolchain's HDF5 prefix, its headers and library agreeing on version and parallelism:
    each problem is one line, before anything builds."""
    what = f"TARGET={profile.name} takes HDF5 from the toolchain ({hdf5.name})"
    variable = next((name for name in hdf5.prefix_variables if environment.get(name)), "")
    if not variable:
        raise SlitherError(f"{what}, but none of {', '.join(hdf5.prefix_variables)} is set: load its module "
                           f"(module load {hdf5.name}) or set {hdf5.prefix_variables[0]} to an HDF5 prefix")
    prefix = Path(environment[variable])
    where = f"{variable}={prefix}"
    headers = header_facts(prefix / "include")
    if headers is None or not headers[0]:
        raise SlitherError(f"{what}, but {where} has no include/H5pubconf.h with H5_VERSION: point "
                           f"{variable} at an HDF5 installation prefix")
    library = library_facts(prefix / "lib")
    if library is None or not library[0]:
        raise SlitherError(f"{what}, but {where} has neither lib/libhdf5.settings nor a lib/libhdf5.a naming its "
                           f"version: point {variable} at an HDF5 installation prefix with its static library")
    version, parallel = headers
    library_version, library_parallel, source = library
    if library_version != version or (library_parallel is not None and library_parallel != parallel):
        said = library_version + (f", {_kind(library_parallel)}" if library_parallel is not None else "")
        raise SlitherError(f"{what}, but its headers and library disagree: include/H5pubconf.h says {version}, "
                           f"{_kind(parallel)}; {source} says {said} ({where}); point {variable} at one "
                           "installation whose headers and library belong together")
    return Hdf5Prefix(prefix=str(prefix), variable=variable, version=version, parallel=parallel)


def check_hdf5_variant(found: Hdf5Prefix, variant: str, hdf5: ToolchainHdf5, profile, mpi_package: str) -> None:
    """The toolchain's HDF5 must be what MODULES asks for (parallel exactly with mpi4py)."""
    if found.parallel == (variant == "parallel"):
        return
    what = f"TARGET={profile.name} takes HDF5 from the toolchain ({found.variable}={found.prefix})"
    if variant == "parallel":
        raise SlitherError(f"{what}, which is serial (no H5_HAVE_PARALLEL in include/H5pubconf.h), while "
                           f"{mpi_package} is in MODULES: h5py would be built without MPI and could not open a "
                           f"file with driver='mpio'; load the toolchain's parallel HDF5 ({hdf5.name}) or drop "
                           f"{mpi_package}")
    raise SlitherError(f"{what}, which is parallel (H5_HAVE_PARALLEL), but {mpi_package} is not in MODULES: h5py "
                       f"against a parallel HDF5 needs {mpi_package} to build and import; add {mpi_package}, "
                       "or load the toolchain's serial HDF5")


def apply_hdf5(found: Hdf5Prefix | None, recipes: tuple) -> tuple:
    """The recipes with the toolchain's HDF5 instead of the hdf5 recipe: that recipe is not
    built, and what depended on it (h5py) gets the toolchain's prefix and version instead."""
    if found is None:
        return recipes
    hdf5 = next((recipe for recipe in recipes if recipe.name == HDF5_RECIPE), None)
    changed = []
    for recipe in recipes:
        if recipe.name == HDF5_RECIPE:
            continue
        if HDF5_RECIPE in recipe.depends_on:
            environment = {name: value.replace(HDF5_PLACEHOLDER, found.prefix)
                           for name, value in recipe.build_environment.items()}
            if "HDF5_VERSION" in environment:
                environment["HDF5_VERSION"] = found.version
            recipe = dataclasses.replace(recipe, depends_on=tuple(name for name in recipe.depends_on
                                                                  if name != HDF5_RECIPE),
                                         build_environment=environment)
        changed.append(recipe)
    # What only the hdf5 recipe depended on (its zlib) goes with it.
    still_needed = {name for recipe in changed for name in recipe.depends_on}
    orphaned = set(hdf5.depends_on if hdf5 else ()) - still_needed
    return tuple(recipe for recipe in changed if recipe.name not in orphaned)


# --- what the plan and the summary say ------------------------------------------------------

def origins(libraries: ToolchainLibraries, found: Hdf5Prefix | None, recipes: tuple,
            hdf5_recipe=None, hdf5_variant: str = "") -> tuple[tuple[str, str, bool], ...]:
    """Where BLAS/LAPACK and HDF5 come from, for the packages that use them: (kind, text, whether
    the TARGET's toolchain supplies it) triples."""
    lines = []
    blas_users = [recipe.name for recipe in recipes if recipe.name in _blas_users(recipes, libraries)]
    if blas_users:
        if libraries.blas is not None:
            text = (f"{libraries.blas.name} from the TARGET toolchain (its drivers link it; meson finds pkg-config "
                    f"{libraries.blas.pkg_config}; no OpenBLAS archive)")
        else:
            built = next((recipe for recipe in recipes if recipe.name == BLAS_RECIPE), None)
            cpu = openblas.blas_cpu_of(built) if built is not None else openblas.DYNAMIC
            text = (f"OpenBLAS {built.version if built is not None else ''} built from source (static, "
                    f"BLAS_CPU={cpu})")
        lines.append(("blas", f"{text}, for {', '.join(blas_users)}", libraries.blas is not None))
    if found is not None:
        lines.append(("hdf5", f"{libraries.hdf5.name} {found.version} ({_kind(found.parallel)}) from the TARGET "
                              f"toolchain, {found.variable}={found.prefix} (no HDF5 recipe built)", True))
    elif hdf5_recipe is not None:
        lines.append(("hdf5", f"{hdf5_recipe.name} {hdf5_recipe.version} built from source "
                              f"({hdf5_variant or 'serial'}, static)", False))
    return tuple(lines)


def _blas_users(recipes, libraries: ToolchainLibraries) -> set[str]:
    if libraries.blas is None:
        return {recipe.name for recipe in recipes if uses_blas(recipe)}
    # after apply_blas the archive is gone: the users are those configured with the toolchain's name
    marker = f"={libraries.blas.pkg_config}"
    return {recipe.name for recipe in recipes
            if any(setting.startswith(("setup-args=-Dblas=", "setup-args=-Dlapack=")) and setting.endswith(marker)
                   for setting in recipe.config_settings)}
