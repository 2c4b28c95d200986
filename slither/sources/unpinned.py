"""Sources of packages asked for as `MODULES=name==version` with no recipe: trust on first use.

Without a recipe nobody has pinned a sha256, so the first build that asks for `name==version`
fetches its pure-Python wheel from the package index (or, when it publishes none, its sdist;
never building anything to fetch it), and records the file's name and sha256 in a lock file
in the download store:

    <store>/locks/<normalized-name>==<version>.json
    {"format": 1, "name": ..., "version": ..., "kind": "sdist" | "wheel",
     "filename": ..., "sha256": ...}

Every later build verifies the file against that record, so a release that changes under
the same version number (re-uploaded, or tampered with in a mirror) is refused, not built.
This protects only against change after the first use: whatever the index served then is
trusted. A recipe's pinned sha256 (modules/<name>.py) is the stronger guarantee, reviewed
and committed with the project; write one for any package that matters.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable, Iterable

from slither.errors import SlitherError
from slither.files import durable_replace, sha256_of
from slither.sources import locks
from slither.sources.locks import write_text_once
from slither.recipes import PipRequirement, Source
from slither.sources import package_index
from slither.sources.pinned import default_index, obtain, stored_path

LOCK_FORMAT = 1
LOCK_DIRECTORY = "locks"
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*$")


def normalized_name(name: str) -> str:
    """The package index's spelling-insensitive name (PEP 503): `Markup_Safe` -> `markup-safe`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(text: str) -> tuple[str, str]:
    """`name==version` -> (name, version); anything looser cannot be locked to one file."""
    match = REQUIREMENT.match(text)
    if not match:
        raise SlitherError(f"MODULES entry {text!r}: give an exact version as name==version "
                           "(a module without a recipe is locked to one file on first use)")
    return match.group(1), match.group(2)


def lock_path(store: Path, name: str, version: str, sdist_only: bool = False) -> Path:
    """The lock of `name==version`; FROM_SDIST's own (`...==1.0.sdist.json`), since the same
    release may be locked to its pure wheel for another build."""
    suffix = ".sdist.json" if sdist_only else ".json"
    return Path(store) / LOCK_DIRECTORY / f"{normalized_name(name)}=={version}{suffix}"


def read_lock(path: Path, name: str = "", version: str = "") -> Source:
    """The lock's source, every field checked; name and version, when given, must be the lock's."""
    def parse(data: dict) -> Source:
        kind = data["kind"]
        if kind not in ("wheel", "sdist"):
            raise locks.DamagedLock(f"kind {kind!r} is neither wheel nor sdist")
        locked_name, locked_version = locks.name_field(data), locks.version_field(data)
        if name and (normalized_name(locked_name), locked_version) != (normalized_name(name), version):
            raise locks.DamagedLock(f"it locks {locked_name}=={locked_version}, not {name}=={version}")
        return Source(locks.file_name_field(data), locks.sha256_field(data),
                      pip=PipRequirement(locked_name, locked_version, kind))
    return locks.read_lock(path, LOCK_FORMAT, parse)


def write_lock_once(path: Path, source: Source) -> Source:
    """Record the lock unless another build recorded one first; then that one must agree."""
    requirement = source.pip
    assert requirement is not None
    text = json.dumps({"format": LOCK_FORMAT, "name": requirement.name, "version": requirement.version,
                       "kind": requirement.kind, "filename": source.filename, "sha256": source.sha256},
                      indent=1, sort_keys=True) + "\n"
    if not write_text_once(path, text):
        recorded = read_lock(path)
        if (recorded.filename, recorded.sha256) != (source.filename, source.sha256):
            raise SlitherError(f"{requirement.name}=={requirement.version}: the index served "
                               f"{source.filename} (sha256 {source.sha256}) but {path} recorded "
                               f"{recorded.filename} (sha256 {recorded.sha256})")
        return recorded
    return source


def fetch_first_time(name: str, version: str, store: Path, index: package_index.IndexLocations,
                     log: Callable[[str], None], sdist_only: bool = False) -> Source:
    """Fetch `name==version` without a known hash and move it into the store under its sha256.

    A pure-Python wheel is taken when the package publishes one and no compiled ones: it needs
    no build (sdist_only, FROM_SDIST: never). Otherwise the sdist. The file comes from the package index as a file: nothing is built
    to fetch it (`pip download` of an sdist would prepare its metadata, i.e. build it)."""
    requirement = f"{name}=={version}"
    log(f"fetch {requirement} from the package index (first use: its sha256 will be locked)")
    files = package_index.release_files(name, index)
    # A release with compiled wheels has compiled code: its pure wheel, if any, is a fallback
    # without it (wrapt publishes one), so the sdist is built instead.
    compiled_release = any(f.filename.endswith(".whl") and not package_index.is_pure_python_wheel(f.filename)
                           and package_index.release_version(f.filename, name) == version for f in files)
    pure = None if compiled_release or sdist_only else package_index.choose(files, name, version, "pure-wheel")
    entry = pure or package_index.choose(files, name, version, "sdist")
    if entry is None:
        compiled = [f.filename for f in files if f.filename.endswith(".whl")
                    and package_index.release_version(f.filename, name) == version]
        if sdist_only and any(package_index.release_version(f.filename, name) == version for f in files):
            raise SlitherError(f"{requirement} publishes no sdist (FROM_SDIST names it): leave it out of "
                               "FROM_SDIST to take its wheel")
        if compiled:
            raise SlitherError(f"{requirement} has no sdist and its wheel {compiled[0]} is compiled "
                               f"for one platform; write a recipe (modules/packages/{normalized_name(name)}.py)")
        versions = sorted({v for f in files if (v := package_index.release_version(f.filename, name))})
        if not versions:  # find-links directories list every project's files: only this one's count
            raise SlitherError(f"{name}: the package index has no such package; check the name "
                               "(`pip index versions NAME`)")
        raise SlitherError(f"{requirement}: the package index has no such version"
                           + (f" (latest: {versions[-1]})" if versions else ""))
    kind = "wheel" if entry.filename.endswith(".whl") else "sdist"
    Path(store).mkdir(parents=True, exist_ok=True)
    fetched = package_index.download(entry, Path(store) / ".first-use", entry.sha256, log)
    source = Source(entry.filename, sha256_of(fetched), pip=PipRequirement(name, version, kind))
    final = stored_path(store, source)
    final.parent.mkdir(parents=True, exist_ok=True)
    durable_replace(fetched, final)
    return source


def obtain_unpinned(requirement: str, *, store: Path, search_dirs: Iterable[Path] = (),
                    log: Callable[[str], None] = lambda message: None,
                    index: package_index.IndexLocations | None = None,
                    sdist_only: bool = False) -> tuple[Source, Path]:
    """The locked source of `name==version` and its verified local path (locking it on first use);
    sdist_only: its sdist even when it publishes a pure wheel (FROM_SDIST)."""
    name, version = parse_requirement(requirement)
    lock = lock_path(store, name, version, sdist_only)
    if lock.is_file():
        source = read_lock(lock, name, version)
    else:
        index = index or default_index()
        source = write_lock_once(lock, fetch_first_time(name, version, store, index, log, sdist_only))
    return source, obtain(source, search_dirs=search_dirs, store=store, log=log, index=index)
