"""Sources of packages asked for as `MODULES=name==version` with no recipe: trust on first use.

Without a recipe nobody has pinned a sha256, so the first build that asks for `name==version`
fetches its pure-Python wheel through pip (or, when it publishes none, its sdist), and records the file's name and sha256 in a lock file in the download store:

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
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from slither.errors import SlitherError
from slither.files import sha256_of
from slither.plan.recipe import PipRequirement, Source
from slither.sources.pinned import default_pip_command, obtain, stored_path

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


def lock_path(store: Path, name: str, version: str) -> Path:
    return Path(store) / LOCK_DIRECTORY / f"{normalized_name(name)}=={version}.json"


def read_lock(path: Path) -> Source:
    data = json.loads(path.read_text())
    if data.get("format") != LOCK_FORMAT:
        raise SlitherError(f"lock file {path} has an unknown format; delete it to trust the index again")
    return Source(data["filename"], data["sha256"],
                  pip=PipRequirement(data["name"], data["version"], data["kind"]))


def write_lock_once(path: Path, source: Source) -> Source:
    """Record the lock unless another build recorded one first; then that one must agree."""
    requirement = source.pip
    assert requirement is not None
    text = json.dumps({"format": LOCK_FORMAT, "name": requirement.name, "version": requirement.version,
                       "kind": requirement.kind, "filename": source.filename, "sha256": source.sha256},
                      indent=1, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w") as stream:
        stream.write(text)
    os.chmod(temporary, 0o644)
    try:
        os.link(temporary, path)  # atomic and never replaces: the first recorder wins
    except FileExistsError:
        recorded = read_lock(path)
        if (recorded.filename, recorded.sha256) != (source.filename, source.sha256):
            raise SlitherError(f"{requirement.name}=={requirement.version}: the index served "
                               f"{source.filename} (sha256 {source.sha256}) but {path} recorded "
                               f"{recorded.filename} (sha256 {recorded.sha256})") from None
        return recorded
    finally:
        os.unlink(temporary)
    return source


def is_pure_python_wheel(filename: str) -> bool:
    """A wheel usable by any interpreter and platform: its tags end in `-none-any.whl`."""
    return filename.endswith("-none-any.whl")


def _pip_fetch(pip_command: list[str], arguments: list[str], destination: Path) -> list[Path]:
    result = subprocess.run([*pip_command, "download", "--no-deps", "--disable-pip-version-check",
                             "--progress-bar", "off", "-d", str(destination), *arguments],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        return []
    return sorted(destination.iterdir())


def fetch_first_time(name: str, version: str, store: Path, pip_command: list[str],
                     log: Callable[[str], None]) -> Source:
    """Fetch `name==version` without a known hash and move it into the store under its sha256.

    A pure-Python wheel is taken when the package publishes one: it needs no build backend
    (flit, hatchling, poetry, ... are not among the build tools). Otherwise the sdist."""
    Path(store).mkdir(parents=True, exist_ok=True)
    requirement = f"{name}=={version}"
    with tempfile.TemporaryDirectory(dir=store, prefix=".first-use-") as workdir:
        log(f"pip download {requirement} (first use: its sha256 will be locked)")
        files = _pip_fetch(pip_command, ["--only-binary", ":all:", requirement], Path(workdir) / "wheel")
        kind = "wheel"
        compiled_wheel = files[0].name if len(files) == 1 and not is_pure_python_wheel(files[0].name) else ""
        if not files or compiled_wheel:
            files = _pip_fetch(pip_command, ["--no-binary", name, requirement], Path(workdir) / "sdist")
            kind = "sdist"
            if not files and compiled_wheel:
                raise SlitherError(f"{requirement} has no sdist and its wheel {compiled_wheel} is compiled "
                                   f"for one platform; write a recipe (modules/{normalized_name(name)}.py)")
        if len(files) != 1:
            raise SlitherError(f"cannot fetch {requirement} with pip (no sdist, no pure-Python wheel); "
                               "check the name and version, and that pip reaches the package index")
        fetched = files[0]
        source = Source(fetched.name, sha256_of(fetched), pip=PipRequirement(name, version, kind))
        final = stored_path(store, source)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(fetched, final)
    return source


def obtain_unpinned(requirement: str, *, store: Path, search_dirs: Iterable[Path] = (),
                    log: Callable[[str], None] = lambda message: None,
                    pip_command: list[str] | None = None) -> tuple[Source, Path]:
    """The locked source of `name==version` and its verified local path (locking it on first use)."""
    name, version = parse_requirement(requirement)
    lock = lock_path(store, name, version)
    pip_command = pip_command or default_pip_command()
    if lock.is_file():
        source = read_lock(lock)
    else:
        source = write_lock_once(lock, fetch_first_time(name, version, store, pip_command, log))
    return source, obtain(source, search_dirs=search_dirs, store=store, log=log, pip_command=pip_command)
