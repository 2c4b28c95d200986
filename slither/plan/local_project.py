"""The user's own project in MODULES (`MODULES=numpy,./src/mycode`): built like a PyPI sdist.

A MODULES entry that is a path (it starts with `./`, `../`, `/` or `~`) names a directory
holding a Python project (pyproject.toml or setup.py). Its files are packed into an sdist
deterministically (sorted names, fixed times and modes), so the sdist's sha256 is a function
of the files' names and contents alone: a build is redone when a file changes, and only then
(touching a file, or checking it out again, changes nothing). From there it goes through the
same path as a PyPI sdist: build requirements locked, capture layer, dotted built-ins.

What is not the project's source is left out: hidden files and directories (`.env`, `.git/`),
what its `.gitignore` excludes (slither/sources/source_files.py), build directories, caches,
and anything named in a `.slitherignore` beside pyproject.toml (fnmatch patterns, one a line).
"""

from __future__ import annotations

import configparser
import gzip
import hashlib
import io
import os
import re
import tarfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from slither.errors import SlitherError
from slither.sources.source_files import source_files
from slither.recipes import Source

# Never part of a project's source: VCS data, build outputs, caches, environments.
EXCLUDED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "__pycache__", "build", "dist", ".tox", ".nox",
                                  ".pytest_cache", ".mypy_cache", ".venv", "venv", ".eggs"})
FIXED_MTIME = 1577836800  # 2020-01-01: the archive's bytes depend on names and contents only
LOCAL_VERSION = "0+local"


@dataclass(frozen=True)
class LocalProject:
    directory: Path
    name: str
    version: str
    files: tuple[str, ...]    # relative paths, sorted

    @property
    def sdist_name(self) -> str:
        return f"{self.name}-{self.version}.tar.gz"


def is_local_entry(entry: str) -> bool:
    return entry.startswith(("./", "../", "/", "~"))


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _ignored_patterns(directory: Path) -> list[str]:
    ignore = directory / ".slitherignore"
    if not ignore.is_file():
        return []
    return [line.strip() for line in ignore.read_text().splitlines() if line.strip() and not line.startswith("#")]


def project_files(directory: Path) -> list[str]:
    """The project's source files (slither.sources.source_files: no hidden files, nothing its
    .gitignore excludes), less build outputs and the .slitherignore patterns."""
    egg_info = {name for name in os.listdir(directory) if name.endswith(".egg-info")}
    found = source_files(directory, EXCLUDED_DIRECTORIES | egg_info, _ignored_patterns(directory))
    for relative in found:
        if os.path.islink(os.path.join(directory, relative)):
            raise SlitherError(f"{directory}: {relative} is a symbolic link; a project's source must be files")
    return found


def _name_and_version(directory: Path) -> tuple[str, str]:
    pyproject = directory / "pyproject.toml"
    project = {}
    if pyproject.is_file():
        try:
            project = tomllib.loads(pyproject.read_text()).get("project", {})
        except tomllib.TOMLDecodeError as error:
            raise SlitherError(f"{pyproject}: cannot be read ({error})") from None
    name, version = project.get("name", ""), project.get("version", "")
    setup_cfg = directory / "setup.cfg"
    if (not name or not version) and setup_cfg.is_file():
        parser = configparser.ConfigParser()
        parser.read(setup_cfg)
        name = name or parser.get("metadata", "name", fallback="")
        version = version or parser.get("metadata", "version", fallback="")
    if not name:
        raise SlitherError(f"{directory}: give the project a name ([project] name in pyproject.toml, or "
                           "name in setup.cfg's [metadata]) so that its extension modules can be named")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._+!-]*", version or "x"):
        version = LOCAL_VERSION  # attr: or file: versions are read by the build, not here
    return _normalized(name), version or LOCAL_VERSION


def read_local_project(entry: str, base: Path | None = None) -> LocalProject:
    """The project a MODULES path names, or one line saying why it is not one."""
    directory = Path(os.path.expanduser(entry))
    if not directory.is_absolute():
        directory = (base or Path.cwd()) / directory
    directory = directory.resolve()
    if not directory.is_dir():
        raise SlitherError(f"MODULES entry {entry}: {directory} is not a directory")
    if not (directory / "pyproject.toml").is_file() and not (directory / "setup.py").is_file():
        raise SlitherError(f"MODULES entry {entry}: {directory} has neither pyproject.toml nor setup.py, "
                           "so it is not a Python project")
    name, version = _name_and_version(directory)
    return LocalProject(directory, name, version, tuple(project_files(directory)))


def sdist_bytes(project: LocalProject) -> bytes:
    """The project's files as a deterministic .tar.gz under <name>-<version>/."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=6) as compressed:
        with tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for relative in project.files:
                path = project.directory / relative
                data = path.read_bytes()
                info = tarfile.TarInfo(f"{project.name}-{project.version}/{relative}")
                info.size, info.mtime = len(data), FIXED_MTIME
                info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def local_source(project: LocalProject) -> Source:
    """The Source of the project's sdist: its sha256 is that of the deterministic archive."""
    return Source(project.sdist_name, hashlib.sha256(sdist_bytes(project)).hexdigest())
