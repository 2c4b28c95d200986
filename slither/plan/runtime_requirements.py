"""What a MODULES entry needs at run time (its metadata's Requires-Dist), brought into the build.

`MODULES=cffi==1.17.1` must not build a binary that fails with `No module named 'pycparser'`
on a compute node. Each entry's core metadata (a wheel's METADATA, an sdist's PKG-INFO) names
its requirements; their environment markers are evaluated for the TARGET interpreter (its
series, Linux, its machine), not for the machine running the build; extras are taken when
asked (`name[extra]==version`). Each requirement is satisfied, in this order, by an entry of
MODULES, by a recipe (numpy), or by the newest release on the package index that satisfies
every specifier seen for it and publishes an sdist or a pure wheel. A recipe that satisfies one
brings the run-time requirements it states (its runtime_requirements, not its metadata's: ase's
recipe leaves out matplotlib), followed like any other. What is chosen is locked
on first use beside the sources, like a source:

    <store>/locks/runtime/<name>==<version>/cp311.json   {"format": 1, "requires": [...]}

A requirement nothing satisfies is an error before anything builds, in one line.
"""

from __future__ import annotations

import email.parser
import json
import os
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from packaging.markers import default_environment
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from slither.errors import SlitherError
from slither.sources import locks, resolved
from slither.sources.locks import write_text_once
from slither.sources import package_index

LOCK_FORMAT = 1


@dataclass(frozen=True)
class Brought:
    """A package the build takes in because another needs it."""

    name: str
    version: str
    needed_by: tuple[str, ...]     # "cffi 1.17.1" ...
    extras: tuple[str, ...] = ()


@dataclass
class Wanted:
    """What has been asked of one name so far."""

    specifiers: list[tuple[str, str]] = field(default_factory=list)  # (specifier, who asked)
    extras: set[str] = field(default_factory=set)


def read_core_metadata(path: Path):
    """The METADATA of a wheel or the PKG-INFO of an sdist, as an email.message.Message."""
    path = Path(path)
    parser = email.parser.HeaderParser()
    if path.name.endswith(".whl"):
        with zipfile.ZipFile(path) as wheel:
            names = [name for name in wheel.namelist() if name.count("/") == 1 and name.endswith(".dist-info/METADATA")]
            if not names:
                raise SlitherError(f"{path.name}: a wheel without .dist-info/METADATA")
            return parser.parsestr(wheel.read(names[0]).decode("utf-8", "replace"))
    with tarfile.open(path) as archive:
        members = [member for member in archive.getmembers() if member.isfile() and member.name.count("/") == 1
                   and member.name.endswith("/PKG-INFO")]
        if not members:
            raise SlitherError(f"{path.name}: an sdist without PKG-INFO; its requirements cannot be read "
                               "(name them in MODULES, or write a recipe)")
        return parser.parsestr(archive.extractfile(members[0]).read().decode("utf-8", "replace"))


def declared_requirements(metadata, label: str) -> list[Requirement]:
    if "Requires-Dist" in metadata.get_all("Dynamic", []):
        raise SlitherError(f"{label}: its sdist leaves Requires-Dist to the build (Dynamic); name its "
                           "run-time requirements in MODULES or write a recipe")
    requirements = []
    for text in metadata.get_all("Requires-Dist", []):
        try:
            requirements.append(Requirement(text))
        except InvalidRequirement as error:
            raise SlitherError(f"{label}: Requires-Dist {text!r} cannot be read ({error})") from None
    return requirements


def target_environment(series: str, full_version: str) -> dict:
    """Marker values of the TARGET interpreter: CPython `series` on Linux, this machine's CPU."""
    environment = dict(default_environment())
    environment.update(python_version=series, python_full_version=full_version, implementation_name="cpython",
                       implementation_version=full_version, platform_python_implementation="CPython",
                       sys_platform="linux", os_name="posix", platform_system="Linux",
                       platform_machine=os.uname().machine)
    return environment


def applies(requirement: Requirement, environment: dict, extras: Iterable[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({**environment, "extra": extra}) for extra in ("", *extras))


def newest_satisfying(name: str, specifiers: SpecifierSet, files: list[package_index.IndexFile]) -> str | None:
    """The newest final release satisfying the specifiers with an sdist or a pure wheel."""
    versions = set()
    for entry in files:
        if entry.yanked or not (package_index.is_sdist(entry.filename)
                                or package_index.is_pure_python_wheel(entry.filename)):
            continue
        text = package_index.release_version(entry.filename, name)
        try:
            version = Version(text) if text else None
        except InvalidVersion:
            continue
        if version is not None and not version.is_prerelease and version in specifiers:
            versions.add(version)
    return str(max(versions)) if versions else None


def lock_path(store: Path, name: str, version: str, series: str) -> Path:
    return (Path(store) / "locks" / "runtime" / f"{package_index.normalized_name(name)}=={version}"
            / f"cp{series.replace('.', '')}.json")


def requirements_of(name: str, version: str, source_path: Path, extras: Iterable[str], *, series: str,
                    full_version: str, store: Path, declared: list[str] | None = None) -> list[str]:
    """name==version's run-time requirements for the target and the extras asked, from its
    Requires-Dist as locked on first use (the lock keeps them unevaluated, markers and all).
    declared: requirements given directly (a local project's pyproject.toml, signed by content)."""
    environment = target_environment(series, full_version)
    if declared is not None:
        return [text for text in declared if applies(Requirement(text), environment, extras)]
    path = lock_path(store, name, version, series)
    if not path.is_file():
        metadata = read_core_metadata(source_path)
        requires = [str(requirement) for requirement in declared_requirements(metadata, f"{name} {version}")]
        # Another build may have recorded it first; either way it is read back below.
        write_text_once(path, json.dumps({"format": LOCK_FORMAT, "requires": requires}, indent=1) + "\n")
    requires = locks.read_lock(path, LOCK_FORMAT, lambda data: locks.string_list_field(data, "requires"))
    try:
        parsed = [Requirement(text) for text in requires]
    except InvalidRequirement as error:
        reason = str(error).splitlines()[0] if str(error) else "a requirement that does not parse"
        raise SlitherError(f"lock file {path} is damaged ({reason}); {locks.RELOCK}") from None
    return [text for text, requirement in zip(requires, parsed) if applies(requirement, environment, extras)]


class _Conflict(Exception):
    """A release chosen earlier in this pass does not fit a requirement seen later."""

    def __init__(self, name: str, specifiers: SpecifierSet):
        self.name, self.specifiers = name, specifiers


MAX_PASSES = 20


def resolve(entries: list[tuple], *, recipe_versions: dict[str, str],
            series: str, full_version: str, store: Path, index: package_index.IndexLocations,
            fetch: Callable[[str, str], Path], log: Callable[[str], None] = lambda message: None,
            recipe_requirements: dict[str, tuple[str, ...]] | None = None) -> list[Brought]:
    """Every package the entries need at run time that MODULES does not already name.

    entries: (name, version, extras, source path[, declared requirements]) of the MODULES
    entries (declared: given directly, for a local project); recipe_versions:
    name -> version of every recipe (their run-time requirements are the recipe's to declare);
    recipe_requirements: name -> the runtime_requirements a recipe states, followed when a
    requirement brings that recipe in (gpaw brings ase, whose recipe states typing_extensions);
    fetch(name, version) -> the locked source path of a brought package (to read its own).
    Releases are chosen newest first; when a later requirement rules a choice out, the pass
    starts again with what was learnt (a small resolver: no search beyond that)."""
    learnt: dict[str, SpecifierSet] = {}
    for _ in range(MAX_PASSES):
        try:
            return _resolve_pass(entries, recipe_versions, recipe_requirements or {}, learnt, series, full_version,
                                 store, index, fetch, log)
        except _Conflict as conflict:
            learnt[conflict.name] = learnt.get(conflict.name, SpecifierSet()) & conflict.specifiers
    raise SlitherError("the run-time requirements do not settle after "
                       f"{MAX_PASSES} passes; give the packages' versions in MODULES")


def _resolve_pass(entries, recipe_versions, recipe_requirements, learnt, series, full_version, store, index, fetch,
                  log) -> list[Brought]:
    explicit = {package_index.normalized_name(entry[0]): entry[1] for entry in entries}
    chosen: dict[str, str] = dict(explicit)
    needed_by: dict[str, set[str]] = {}
    wanted: dict[str, Wanted] = {}
    pending = [tuple(entry) + (None,) * (5 - len(entry)) for entry in entries]
    brought: dict[str, tuple[str, tuple[str, ...]]] = {}
    while pending:
        name, version, extras, path, declared = pending.pop(0)
        label = f"{package_index.normalized_name(name)} {version}"
        for text in requirements_of(name, version, path, extras or (), series=series, full_version=full_version,
                                    store=store, declared=declared):
            requirement = Requirement(text)
            key = package_index.normalized_name(requirement.name)
            entry = wanted.setdefault(key, Wanted())
            entry.specifiers.append((str(requirement.specifier), label))
            new_extras = set(requirement.extras) - entry.extras
            entry.extras |= set(requirement.extras)
            needed_by.setdefault(key, set()).add(label)
            specifiers = SpecifierSet(",".join(spec for spec, _ in entry.specifiers if spec)) & learnt.get(key, SpecifierSet())
            if key in chosen:
                if Version(chosen[key]) not in specifiers:
                    if key in explicit or key in recipe_versions:
                        asked = "; ".join(f"{who} needs {key}{spec or ' (any)'}" for spec, who in entry.specifiers)
                        raise SlitherError(f"{key} {chosen[key]} does not satisfy what the build needs ({asked}); "
                                           f"give {key}==VERSION in MODULES with a version that fits")
                    raise _Conflict(key, specifiers)
                if not new_extras or key in recipe_versions:
                    continue
                version_of_key = chosen[key]
            elif key in recipe_versions:
                chosen[key] = recipe_versions[key]
                if Version(chosen[key]) not in specifiers:
                    raise SlitherError(f"{label} needs {key}{specifiers}, but its recipe builds {chosen[key]}")
                brought[key] = (chosen[key], ())
                # a recipe declares its own run-time requirements: those it states are followed
                if recipe_requirements.get(key):
                    pending.append((key, chosen[key], (), None, tuple(recipe_requirements[key])))
                continue
            else:
                # chosen once, then locked: a new release on the index changes no later build
                version_of_key = resolved.version_once(
                    key, str(specifiers), store,
                    lambda name, wanted: newest_satisfying(name, wanted, package_index.release_files(name, index)))
                if version_of_key is None:
                    raise SlitherError(f"{label} needs {key}{specifiers or ''}, and the package index has no "
                                       "release of it that fits with an sdist or a pure wheel; give "
                                       f"{key}==VERSION in MODULES or write a recipe")
                chosen[key] = version_of_key
                log(f"  {label} needs {key}: {key}=={version_of_key}")
            brought[key] = (version_of_key, tuple(sorted(entry.extras)))
            pending.append((key, version_of_key, tuple(sorted(entry.extras)), fetch(key, version_of_key), None))
    return [Brought(key, version, tuple(sorted(needed_by.get(key, ()))), extras)
            for key, (version, extras) in sorted(brought.items()) if key not in explicit]
