"""MODULES entries with no recipe (`name==version`): a recipe made from the package itself.

The source is locked on first use (slither.sources.unpinned: its sha256 is recorded and every
later build must match). What a recipe would declare is read from the file:

* a pure-Python wheel (`*-none-any.whl`): installed as it is, nothing to compile;
* an sdist, whatever its PEP 517 backend (setuptools and in-tree wrappers of it, meson-python,
  scikit-build-core, hatchling, flit-core, pdm-backend, poetry-core, ...): its build
  requirements are resolved and locked like its source (slither.packages.build_requirements),
  and it is built through the capture layer from a build prefix of exactly those wheels;
* a backend that cannot work here (Rust: maturin, setuptools-rust need crates that cannot be
  fetched): refused with one line that says what to do, before any build starts.

Its licence comes from the same file's metadata (slither.plan.package_licence):
License-Expression, else a License field or a classifier that names one licence exactly,
else "unknown".

Without a recipe nothing checks that a package's optional C code really built; write a recipe
(modules/packages/<name>.py, with `extension_modules`) for a package that matters.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Callable, Iterable

from packaging.requirements import Requirement

from slither.errors import SlitherError
from slither.packages import build_requirements
from slither.packages.build_requirements import HostPlatform
from slither.plan.local_project import LocalProject, local_source, read_local_project, sdist_bytes
from slither.recipes.recipe import LOCKED_BUILD_REQUIREMENTS, Recipe
from slither.plan.package_licence import licence_from_metadata, licence_of_project, metadata_of
from slither.sources import pinned
from slither.sources.pinned import default_index
from slither.sources.unpinned import normalized_name, obtain_unpinned

# PEP 517 backends by the build_system name a recipe would give; any other (an in-tree
# wrapper, a rarer backend) builds the same way and is called "pep517".
KNOWN_BACKENDS = {
    "setuptools.build_meta": "setuptools",
    "setuptools.build_meta:__legacy__": "setuptools",
    "mesonpy": "meson-python",
    "scikit_build_core.build": "scikit-build-core",
    "hatchling.build": "hatchling",
    "flit_core.buildapi": "flit-core",
    "pdm.backend": "pdm-backend",
    "poetry.core.masonry.api": "poetry-core",
}
# Builds that need what cannot be had here: a Rust toolchain with crates from crates.io.
RUST_BUILD_REQUIREMENTS = frozenset({"maturin", "setuptools-rust"})


def build_system_of(source: Path, label: str) -> str:
    """The build_system a recipe would declare for this wheel or sdist, or a SlitherError."""
    if source.name.endswith(".whl"):
        with zipfile.ZipFile(source) as wheel:
            if any(name.endswith((".so", ".pyd")) for name in wheel.namelist()):
                raise SlitherError(f"{label}: {source.name} holds compiled code built for another "
                                   "interpreter; write a recipe that builds it from its sdist")
        return "pure"
    system = build_requirements.read_build_system(source, label)
    rust = sorted({build_requirements.requirement_name(item) for item in system.requires} & RUST_BUILD_REQUIREMENTS)
    if rust or system.backend.startswith("maturin"):
        raise SlitherError(f"{label}: its build needs Rust ({', '.join(rust) or system.backend}), whose crates "
                           "cannot be fetched here; use a package without Rust code, or build it elsewhere")
    return KNOWN_BACKENDS.get(system.backend, "pep517")


def recipe_without_file(name: str, version: str, *, store: Path, host: HostPlatform,
                        built_by_slither: Iterable[str] = (), search_dirs: Iterable[Path] = (),
                        log: Callable[[str], None] = lambda message: None, from_sdist: bool = False) -> Recipe:
    """A Recipe for `name==version` from its locked source (fetched and locked on first use),
    with its build requirements locked for the host (built_by_slither: names Slither builds);
    from_sdist: built from its sdist by its own backend even if it has a pure wheel (FROM_SDIST)."""
    source, path = obtain_unpinned(f"{name}=={version}", store=store, search_dirs=search_dirs, log=log,
                                   sdist_only=from_sdist)
    label = f"{name} {version}"
    build_system = build_system_of(path, label)
    licence, licence_field = licence_from_metadata(metadata_of(path))
    locked = None if build_system == "pure" else build_requirements.lock_build_requirements(
        name, version, path, host=host, store=store, index=default_index(),
        built_by_slither=built_by_slither, log=log)
    return Recipe(name=normalized_name(name), version=version, source=source, build_system=build_system,
                  licence=licence, recipe_free=True, source_path=path, licence_field=licence_field,
                  locked_build_requirements=locked)


def with_locked_build_requirements(recipe: Recipe, *, store: Path, host: HostPlatform,
                                   built_by_slither: Iterable[str] = (), search_dirs: Iterable[Path] = (),
                                   log: Callable[[str], None] = lambda message: None) -> Recipe:
    """The recipe with its locked_build_requirements: its own pinned wheels, or, when it says
    `build_requirements = "locked"`, its sdist's requirements locked on first use (scipy: pythran,
    pybind11 and a Cython older than the pinned one); a recipe without any as it is."""
    wanted = recipe.build_requirements
    if not wanted or recipe.locked_build_requirements is not None:
        return recipe
    if isinstance(wanted, tuple):
        for_this_series = tuple(wheel for wheel in wanted if wheel.pip.python_version in ("", host.series))
        return dataclasses.replace(recipe, locked_build_requirements=build_requirements.pinned_build_requirements(
            for_this_series, recipe.path))
    if wanted != LOCKED_BUILD_REQUIREMENTS:
        raise SlitherError(f"{recipe.path}: build_requirements = {wanted!r}: the only value is "
                           f"{LOCKED_BUILD_REQUIREMENTS!r} (its sdist's own requirements, locked on first use)")
    sdist = pinned.obtain(recipe.source, search_dirs=search_dirs, store=store, log=log)
    locked = build_requirements.lock_build_requirements(recipe.name, recipe.version, sdist, host=host, store=store,
                                                        index=default_index(), built_by_slither=built_by_slither,
                                                        log=log)
    return dataclasses.replace(recipe, locked_build_requirements=locked)


def declared_requirements_of_project(project: LocalProject) -> list[str]:
    """[project] dependencies and optional-dependencies of a local project, as Requires-Dist
    strings (optional ones under their extra's marker); none when pyproject.toml lists none."""
    pyproject = project.directory / "pyproject.toml"
    table = tomllib.loads(pyproject.read_text()).get("project", {}) if pyproject.is_file() else {}
    declared = list(table.get("dependencies", []))
    for extra, requirements in sorted(table.get("optional-dependencies", {}).items()):
        for text in requirements:
            requirement = Requirement(text)
            # The requirement's own marker in parentheses: `a or b` must not become `a or b and extra`.
            own = f"({requirement.marker}) and " if requirement.marker else ""
            requirement.marker = None
            declared.append(f'{requirement}; {own}extra == "{extra}"')
    return declared


def recipe_for_local_project(entry: str, *, store: Path, host: HostPlatform, built_by_slither: Iterable[str] = (),
                             log: Callable[[str], None] = lambda message: None) -> Recipe:
    """A Recipe for the user's project at `entry` (a path): its deterministic sdist, its build
    requirements locked (keyed by its build configuration's content, so that editing
    pyproject.toml resolves them again), its run-time requirements from pyproject.toml."""
    project = read_local_project(entry)
    source = local_source(project)
    label = f"{project.name} ({project.directory})"
    with tempfile.TemporaryDirectory(prefix="slither-local-") as scratch:
        sdist = Path(scratch) / project.sdist_name
        sdist.write_bytes(sdist_bytes(project))
        build_system = build_system_of(sdist, label)
        configuration = hashlib.sha256(b"".join(
            (project.directory / name).read_bytes() for name in ("pyproject.toml", "setup.cfg", "setup.py")
            if (project.directory / name).is_file())).hexdigest()[:16]
        locked = build_requirements.lock_build_requirements(
            project.name, f"{project.version}-local-{configuration}", sdist, host=host, store=store,
            index=default_index(), built_by_slither=built_by_slither, log=log)
    licence, licence_field = licence_of_project(project.directory)
    return Recipe(name=project.name, version=project.version, source=source, build_system=build_system,
                  licence=licence, local_project=project, locked_build_requirements=locked,
                  licence_field=licence_field,
                  declared_requirements=tuple(declared_requirements_of_project(project)))
