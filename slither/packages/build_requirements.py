"""A package's build requirements, resolved once and locked like its source.

Packages declare what their build needs in pyproject.toml (`[build-system].requires`), and
their backend may add more when asked (PEP 517 `get_requires_for_build_wheel`: setuptools adds
nothing or `wheel`, scikit-build-core adds cmake and ninja when the machine has none). On first
use both are resolved by pip, as wheels only (so nothing is built to resolve them), for the
HOST interpreter's CPython series and platform, and the chosen files are recorded by name and
sha256 in a lock file in the download store:

    <store>/locks/build/<name>==<version>/cp311-manylinux.json
    {"format": 1, "requires": [...], "dynamic": [...], "wheels": [{"name", "version",
     "filename", "sha256"}], "from_build": ["numpy"]}

Every later build installs exactly those bytes, offline, into a build prefix of its own (so
two packages may need different versions of one tool). A requirement that Slither builds
itself (a package with a recipe, or one in MODULES: numpy for packages that compile against
its C API) is not taken from the index: it is named in `from_build`, and the package's build
sees the host build of it, the same version and headers as the one linked into the binary.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from slither.errors import SlitherError
from slither.sources import locks
from slither.sources.locks import write_text_once
from slither.recipes import PipRequirement, Source
from slither.recipes.recipe import pinned_wheels
from slither.sources import package_index
from slither.sources.unpack import safe_extract

LOCK_FORMAT = 1
# What a setup.py-only sdist builds with (PEP 517's fallback for a missing [build-system]).
LEGACY_REQUIRES = ("setuptools>=40.8.0",)
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
# Runs a PEP 517 hook in the unpacked source tree: `python - BACKEND [BACKEND_PATH...]`.
HOOK_RUNNER = r"""
import importlib, json, sys
backend, paths = sys.argv[1], sys.argv[2:]
sys.path[:0] = paths
module_name, _, attribute = backend.partition(":")
module = importlib.import_module(module_name)
for part in filter(None, attribute.split(".")):
    module = getattr(module, part)
hook = getattr(module, "get_requires_for_build_wheel", None)
print("SLITHER-REQUIRES " + json.dumps(list(hook({}) if hook else [])))
"""


@dataclass(frozen=True)
class BuildSystem:
    """What the sdist's pyproject.toml says about its build."""

    backend: str
    requires: tuple[str, ...]
    backend_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class HostPlatform:
    """Whom the wheels are for: the host interpreter that runs the package's build."""

    series: str           # "3.11"
    wheel_platform: str   # "manylinux" or "musllinux"

    @property
    def lock_name(self) -> str:
        return f"cp{self.series.replace('.', '')}-{self.wheel_platform}.json"

    def pip_target_options(self) -> list[str]:
        """pip options that resolve for this interpreter and platform, not the machine's own."""
        tag = f"cp{self.series.replace('.', '')}"
        options = ["--python-version", self.series, "--implementation", "cp", "--abi", tag, "--abi", "abi3",
                   "--abi", "none"]
        for platform in platform_tags(self.wheel_platform):
            options += ["--platform", platform]
        return options


@dataclass(frozen=True)
class LockedBuildRequirements:
    requires: tuple[str, ...]
    dynamic: tuple[str, ...]
    wheels: tuple[Source, ...]
    from_build: tuple[str, ...]


def pinned_build_requirements(wheels, where: str) -> LockedBuildRequirements:
    """A recipe's `build_requirements` (pinned_wheel records, reviewed and committed): its build
    prefix is made of exactly these wheels, instead of the nine pinned build tools, and nothing
    is resolved or asked of the backend. `where` names the recipe for the error."""
    wheels = pinned_wheels(wheels, where)
    return LockedBuildRequirements(requires=tuple(f"{wheel.pip.name}=={wheel.pip.version}" for wheel in wheels),
                                   dynamic=(), wheels=wheels, from_build=())


def platform_tags(wheel_platform: str) -> list[str]:
    """Platform tags of this machine's architecture for the libc family (newest first)."""
    machine = os.uname().machine
    if wheel_platform == "musllinux":
        return [f"musllinux_1_{minor}_{machine}" for minor in (2, 1)]
    libc = os.confstr("CS_GNU_LIBC_VERSION") or "glibc 2.17"
    major, minor = (int(part) for part in libc.split()[-1].split(".")[:2])
    tags = [f"manylinux_{major}_{m}_{machine}" for m in range(minor, 16, -1)]
    return tags + [f"manylinux2014_{machine}", f"linux_{machine}"]


def requirement_name(requirement: str) -> str:
    match = REQUIREMENT_NAME.match(requirement)
    if not match:
        raise SlitherError(f"build requirement {requirement!r} cannot be read")
    return package_index.normalized_name(match.group(1))


def read_build_system(sdist: Path, label: str) -> BuildSystem:
    """[build-system] of an sdist (PEP 517/518), with the legacy setuptools default."""
    with tarfile.open(sdist) as archive:
        members = {member.name.partition("/")[2]: member for member in archive.getmembers()
                   if member.isfile() and member.name.count("/") == 1}
        has_setup_py = "setup.py" in members
        pyproject = {}
        if "pyproject.toml" in members:
            try:
                pyproject = tomllib.loads(archive.extractfile(members["pyproject.toml"]).read().decode())
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
                raise SlitherError(f"{label}: pyproject.toml cannot be read ({error}); write a recipe") from None
    table = pyproject.get("build-system", {})
    if not table and not has_setup_py:
        raise SlitherError(f"{label}: its sdist has neither [build-system] in pyproject.toml nor a setup.py; "
                           "it is not a Python project that Slither can build")
    backend = table.get("build-backend") or LEGACY_BACKEND
    requires = tuple(table.get("requires", LEGACY_REQUIRES if not table else ()))
    return BuildSystem(backend, requires, tuple(table.get("backend-path", ())))


def lock_file(store: Path, name: str, version: str, host: HostPlatform) -> Path:
    return Path(store) / "locks" / "build" / f"{package_index.normalized_name(name)}=={version}" / host.lock_name


def read_lock(path: Path) -> LockedBuildRequirements:
    def parse(data: dict) -> LockedBuildRequirements:
        if not isinstance(data["wheels"], list) or not all(isinstance(entry, dict) for entry in data["wheels"]):
            raise locks.DamagedLock("wheels is not a list of objects")
        wheels = tuple(Source(locks.file_name_field(entry), locks.sha256_field(entry),
                              pip=PipRequirement(locks.name_field(entry), locks.version_field(entry), "wheel"))
                       for entry in data["wheels"])
        return LockedBuildRequirements(tuple(locks.string_list_field(data, "requires")),
                                       tuple(locks.string_list_field(data, "dynamic")), wheels,
                                       tuple(locks.string_list_field(data, "from_build")))
    return locks.read_lock(path, LOCK_FORMAT, parse)


def write_lock_once(path: Path, locked: LockedBuildRequirements) -> LockedBuildRequirements:
    """Atomic and never replacing: the first build to record a lock wins; a later one uses it."""
    text = json.dumps({"format": LOCK_FORMAT, "requires": list(locked.requires), "dynamic": list(locked.dynamic),
                       "from_build": list(locked.from_build),
                       "wheels": [{"name": w.pip.name, "version": w.pip.version, "filename": w.filename,
                                   "sha256": w.sha256} for w in locked.wheels]}, indent=1, sort_keys=True) + "\n"
    return locked if write_text_once(path, text) else read_lock(path)


def index_options(index: package_index.IndexLocations) -> list[str]:
    """The indexes as pip options, and nothing of pip's own configuration (--isolated)."""
    options = ["--isolated"]
    if index.indexes:
        options += ["--index-url", index.indexes[0]]
        for extra in index.indexes[1:]:
            options += ["--extra-index-url", extra]
    else:
        options.append("--no-index")
    for location in index.find_links:
        options += ["--find-links", location]
    return options


def resolve_wheels(requirements: Iterable[str], host: HostPlatform, index: package_index.IndexLocations,
                   label: str, pip_command: list[str] | None = None) -> list[Source]:
    """pip's resolution of the requirements as wheels for the host, as pinned Sources."""
    requirements = list(requirements)
    if not requirements:
        return []
    pip_command = pip_command or [sys.executable, "-m", "pip"]
    with tempfile.TemporaryDirectory(prefix="slither-resolve-") as scratch:
        report = Path(scratch) / "report.json"
        command = [*pip_command, "install", "--dry-run", "--ignore-installed", "--only-binary", ":all:",
                   "--disable-pip-version-check", "--quiet", *index_options(index), *host.pip_target_options(),
                   "--target", str(Path(scratch) / "never-written"), "--report", str(report), *requirements]
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0 or not report.is_file():
            reason = next((line.strip() for line in reversed(result.stdout.splitlines())
                           if line.startswith("ERROR")), result.stdout.strip().splitlines()[-1:] or ["no output"])
            reason = reason if isinstance(reason, str) else reason[0]
            raise SlitherError(f"{label}: pip cannot resolve its build requirements "
                               f"({', '.join(requirements)}) as wheels for CPython {host.series} "
                               f"{host.wheel_platform}: {reason}")
        resolved = json.loads(report.read_text())["install"]
    sources = []
    for item in resolved:
        info = item["download_info"]
        digest = info.get("archive_info", {}).get("hashes", {}).get("sha256") or \
            info.get("archive_info", {}).get("hash", "").partition("sha256=")[2]
        filename = info["url"].rsplit("/", 1)[-1].split("#", 1)[0]
        if not digest:
            raise SlitherError(f"{label}: the index gave no sha256 for {filename}; it cannot be locked")
        metadata = item["metadata"]
        sources.append(Source(filename, digest, pip=PipRequirement(metadata["name"], metadata["version"], "wheel")))
    return sorted(sources, key=lambda source: package_index.normalized_name(source.pip.name))


# Programs a backend takes from the machine when it finds them, and asks for as wheels when it
# does not (scikit-build-core: cmake, ninja). Hidden while the backend is asked, so that the lock
# names their wheels and the build does not depend on what this machine happens to have.
MACHINE_PROGRAMS_HIDDEN = frozenset({"cmake", "ninja", "meson", "patchelf"})


def _path_without_build_programs(directory: Path) -> str:
    """A PATH of one directory linking every program of PATH but MACHINE_PROGRAMS_HIDDEN."""
    directory.mkdir(parents=True, exist_ok=True)
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if not entry or not os.path.isdir(entry):
            continue
        for program in os.listdir(entry):
            link = directory / program
            if program in MACHINE_PROGRAMS_HIDDEN or link.exists() or link.is_symlink():
                continue
            path = os.path.join(entry, program)
            if os.access(path, os.X_OK) and not os.path.isdir(path):
                link.symlink_to(path)
    return str(directory)


def dynamic_requirements(sdist: Path, build_system: BuildSystem, index: package_index.IndexLocations,
                         label: str, log: Callable[[str], None]) -> list[str]:
    """What the backend adds when asked (PEP 517), run with this machine's interpreter in a
    scratch environment holding only the declared requirements."""
    with tempfile.TemporaryDirectory(prefix="slither-hook-") as scratch:
        scratch = Path(scratch)
        environment = scratch / "env"
        if build_system.requires:
            result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                     "--only-binary", ":all:", *index_options(index), "--target", str(environment),
                                     *build_system.requires], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if result.returncode != 0:
                raise SlitherError(f"{label}: its declared build requirements cannot be installed to ask its "
                                   f"backend for more: {(result.stdout.strip().splitlines() or ['?'])[-1]}")
        tree = scratch / "src"
        safe_extract(sdist, tree, strip_components=1)
        paths = [str(tree / path) for path in build_system.backend_path]
        env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
        env.update(PYTHONPATH=str(environment), PYTHONNOUSERSITE="1", PIP_CONFIG_FILE=os.devnull,
                   PATH=_path_without_build_programs(scratch / "bin"))
        result = subprocess.run([sys.executable, "-c", HOOK_RUNNER, build_system.backend, *paths], cwd=tree,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        found = [line for line in result.stdout.splitlines() if line.startswith("SLITHER-REQUIRES ")]
        if result.returncode != 0 or not found:
            last = (result.stdout.strip().splitlines() or ["no output"])[-1]
            raise SlitherError(f"{label}: its build backend {build_system.backend} did not answer "
                               f"get_requires_for_build_wheel: {last}")
        dynamic = json.loads(found[-1][len("SLITHER-REQUIRES "):])
        if dynamic:
            log(f"  {label}: its backend also asks for {', '.join(dynamic)}")
        return dynamic


def lock_build_requirements(name: str, version: str, sdist: Path, *, host: HostPlatform, store: Path,
                            index: package_index.IndexLocations, built_by_slither: Iterable[str] = (),
                            log: Callable[[str], None] = lambda message: None) -> LockedBuildRequirements:
    """The locked build requirements of name==version for the host (resolved on first use)."""
    path = lock_file(store, name, version, host)
    if path.is_file():
        return read_lock(path)
    label = f"{name} {version}"
    build_system = read_build_system(sdist, label)
    log(f"  {label}: resolve its build requirements for CPython {host.series} {host.wheel_platform} "
        "(first use: they will be locked)")
    dynamic = dynamic_requirements(sdist, build_system, index, label, log)
    wanted = list(dict.fromkeys([*build_system.requires, *dynamic]))
    ours = {package_index.normalized_name(item) for item in built_by_slither}
    from_build = sorted({requirement_name(item) for item in wanted} & ours)
    from_index = [item for item in wanted if requirement_name(item) not in ours]
    wheels = [wheel for wheel in resolve_wheels(from_index, host, index, label)
              if package_index.normalized_name(wheel.pip.name) not in ours]
    return write_lock_once(path, LockedBuildRequirements(build_system.requires, tuple(dynamic), tuple(wheels),
                                                         tuple(from_build)))
