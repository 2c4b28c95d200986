"""The build tools package builds run with in the HOST interpreter, as one archive file.

Package builds run pip without build isolation and without an index, so setuptools, wheel,
Cython, meson, meson-python and ninja must already be importable by the host interpreter.
They come from the wheels pinned in modules/build_tools/wheels.py, each verified by sha256, and are
installed by the pinned pip itself (`python pip-X.whl/pip install ...`: pip runs from its own
wheel, so the host interpreter needs no pip, and ensurepip's older copy is not involved).

Output: build-tools.tar, the tools prefix (SCons caches files, not directories):

    bin/                              console scripts: cython, meson, ninja, pip, wheel, ...
    lib/pythonX.Y/site-packages/      the packages

`tools_environment` gives the variables that put an unpacked prefix in front of a build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Callable, Iterable

from slither import commands, reproducible
from slither.recipes import loading
from slither.errors import SlitherError
from slither.files import sha256_of
from slither.recipes import Source
from slither.sources.pinned import obtain
from slither.sources.unpack import safe_extract

ARCHIVE_NAME = "build-tools.tar"


def tool_wheels(series: str, platform: str = "manylinux") -> tuple[Source, ...]:
    """The pinned wheels for one CPython series and wheel platform (modules/build_tools/wheels.py)."""
    recipe = loading.load_python_file(loading.MODULES_DIR / "build_tools" / "wheels.py", "recipe")
    if (series, platform) not in recipe.wheels:
        pinned = ", ".join(f"{s} {p}" for s, p in sorted(recipe.wheels))
        raise SlitherError(f"PYTHON={series}: no {platform} build tools pinned in modules/build_tools/wheels.py; "
                           f"pinned: {pinned}")
    return tuple(recipe.wheels[(series, platform)])


def obtain_tool_wheels(series: str, *, store: Path, platform: str = "manylinux", search_dirs: Iterable[Path] = (),
                       log: Callable[[str], None] = lambda message: None,
                       index=None) -> list[Path]:
    """Every pinned wheel of the series as a verified local file (fetched into the store if new)."""
    return [obtain(source, search_dirs=search_dirs, store=store, log=log, index=index)
            for source in tool_wheels(series, platform)]


def check_wheel_set(series: str, wheels: Iterable[Path], platform: str = "manylinux") -> list[Path]:
    """The given files must be exactly the pinned wheels of the series, byte for byte."""
    pins = {source.filename: source.sha256 for source in tool_wheels(series, platform)}
    given = {Path(wheel).name: Path(wheel) for wheel in wheels}
    missing = sorted(set(pins) - set(given))
    unknown = sorted(set(given) - set(pins))
    if missing or unknown:
        raise SlitherError(f"build tools for {series} {platform}: wheel set differs from modules/build_tools/wheels.py "
                           f"(missing: {', '.join(missing) or 'none'}; not pinned: {', '.join(unknown) or 'none'})")
    for name, path in sorted(given.items()):
        actual = sha256_of(path)
        if actual != pins[name]:
            raise SlitherError(f"{path}: sha256 mismatch (expected {pins[name]}, got {actual}); "
                               "delete it or fix the pin in modules/build_tools/wheels.py")
    return [given[name] for name in sorted(given)]


def tools_site_packages(prefix: Path, series: str) -> Path:
    return Path(prefix) / "lib" / f"python{series}" / "site-packages"


def tools_environment(prefix: Path, series: str, host_python: Path, base: dict | None = None) -> dict:
    """The environment a package build runs in: the tools prefix first, nothing of the user's.

    PYTHONPATH is replaced, not extended: a site-packages of the machine must not shadow a
    pinned tool. The host interpreter's own bin/ follows the tools' so that the console
    scripts' `#!/usr/bin/env pythonX.Y` finds the host interpreter, not the machine's.
    """
    environment = dict(os.environ if base is None else base)
    for name in [name for name in environment if name.startswith("PIP_")]:
        del environment[name]  # the machine's pip configuration must not change a build
    prefix = Path(prefix).resolve()
    environment["PYTHONPATH"] = str(tools_site_packages(prefix, series))
    environment["PYTHONNOUSERSITE"] = "1"
    environment["PIP_CONFIG_FILE"] = os.devnull
    environment["PATH"] = os.pathsep.join(
        [str(prefix / "bin"), str(Path(host_python).resolve().parent),
         *[entry for entry in environment.get("PATH", "").split(os.pathsep) if entry]])
    return environment


def python_series(host_python: Path) -> str:
    output = commands.capture([str(host_python), "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              what=f"{host_python} --version")
    return output.strip()


# pip writes one of two launchers: a `#!/abs/pythonX.Y` line or, when that line would be longer
# than the kernel reads (a deep BUILD_DIR), a shell trampoline that execs the absolute path
# (`#!/bin/sh`, then `'''exec' /abs/pythonX.Y "$0" "$@"`, then `' '''`).
SHELL_TRAMPOLINE_OPENING = b"#!/bin/sh\n'''exec' "
SHELL_TRAMPOLINE_CLOSING = b"\n' '''\n"


def interpreter_launcher_end(data: bytes) -> int | None:
    """Where the lines that name the installing interpreter end, or None for any other file."""
    if data.startswith(SHELL_TRAMPOLINE_OPENING):
        closing = data.find(SHELL_TRAMPOLINE_CLOSING)
        return None if closing < 0 else closing + len(SHELL_TRAMPOLINE_CLOSING)
    first_line, newline, _ = data.partition(b"\n")
    if data.startswith(b"#!") and b"python" in first_line:
        return len(first_line) + len(newline)
    return None


def make_scripts_relocatable(bin_dir: Path, series: str, installing_python_dirs: Iterable[Path] = ()) -> None:
    """pip writes the installing interpreter's absolute path into each script's launcher; the
    archive must not depend on where the host tree was unpacked, so every launcher becomes
    `#!/usr/bin/env pythonX.Y` (tools_environment puts the host interpreter on PATH). A script
    that still names one of `installing_python_dirs` afterwards is an error, never a broken archive."""
    forbidden = [str(directory).encode() for directory in installing_python_dirs]
    for script in sorted(bin_dir.iterdir()) if bin_dir.is_dir() else []:
        if not script.is_file():
            continue
        data = script.read_bytes()
        end = interpreter_launcher_end(data)
        if end is not None:
            data = f"#!/usr/bin/env python{series}\n".encode() + data[end:]
            script.write_bytes(data)
        named = [directory.decode() for directory in forbidden if directory in data]
        if named:
            raise SlitherError(f"{script}: names the installing interpreter's directory {named[0]} "
                               "in a launcher Slither does not know how to make relocatable")


def remove_install_noise(prefix: Path) -> None:
    """Files that name paths of this machine or change with them: bytecode caches, RECORD
    (hashes of the rewritten scripts), direct_url.json (where each wheel file lay)."""
    for cache in sorted(prefix.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)
    for name in ("RECORD", "direct_url.json"):
        for path in prefix.glob(f"lib/*/site-packages/*.dist-info/{name}"):
            path.unlink()


def install_wheels(host_python: Path, series: str, wheels: list[Path], prefix: Path, log: Path, what: str) -> None:
    """Install exactly these verified wheels into `prefix` with the host interpreter, offline,
    by the pip among them (pip runs from its own wheel: the host interpreter needs none)."""
    actual_series = python_series(host_python)
    if actual_series != series:
        raise SlitherError(f"{host_python} is Python {actual_series}, but wheels for {series} were asked for")
    pip_wheels = [wheel for wheel in wheels if wheel.name.startswith("pip-")]
    if len(pip_wheels) != 1:
        raise SlitherError(f"{what}: exactly one pip wheel must be among the wheels, found {len(pip_wheels)}")
    environment = tools_environment(prefix, series, host_python)
    del environment["PYTHONPATH"]  # pip runs from its wheel; nothing is installed yet
    command = [str(host_python), f"{pip_wheels[0].resolve()}/pip", "install", "--no-index", "--no-deps",
               "--no-compile", "--disable-pip-version-check", "--no-warn-script-location",
               "--prefix", str(prefix), *[str(wheel.resolve()) for wheel in wheels]]
    commands.run_logged(command, log=log, what=f"{what} install", env=environment)
    if not tools_site_packages(prefix, series).is_dir():
        raise SlitherError(f"{what}: pip did not install into {tools_site_packages(prefix, series)}; "
                           f"the host interpreter's install scheme is not posix_prefix")
    # pip names the interpreter as it was called (a symlink's path) or as resolved
    host_dirs = {Path(os.path.abspath(host_python)).parent, Path(host_python).resolve().parent}
    make_scripts_relocatable(prefix / "bin", series, host_dirs)


def install_tools(host_python: Path, series: str, wheels: list[Path], prefix: Path, log: Path) -> None:
    """The pinned build tools, installed into `prefix`."""
    install_wheels(host_python, series, wheels, prefix, log, f"build tools {series}")
    # The tools prefix is published as an archive: nothing in it may name this machine's paths.
    # (A package's own build prefix is scratch, and keeps RECORD: cmake's wheel reads it.)
    remove_install_noise(prefix)
    if not (tools_site_packages(prefix, series) / "setuptools").is_dir():
        raise SlitherError(f"build tools {series}: setuptools is missing from {prefix}")


def build_tools_archive(host_python: Path, series: str, wheels: list[Path], output: Path,
                        work: Path, log: Path, platform: str = "manylinux") -> None:
    """Verify, install into a scratch prefix, and publish the prefix as one deterministic tar."""
    wheels = check_wheel_set(series, wheels, platform)
    work = Path(work).resolve()
    shutil.rmtree(work, ignore_errors=True)
    prefix = work / "prefix"
    install_tools(Path(host_python), series, wheels, prefix, Path(log).resolve())
    reproducible.write_tar_deterministically(prefix, Path(output))
    shutil.rmtree(work, ignore_errors=True)


def unpack_tools(archive: Path, destination: Path) -> Path:
    """Unpack build-tools.tar into a fresh directory; returns the prefix."""
    destination = Path(destination)
    shutil.rmtree(destination, ignore_errors=True)
    safe_extract(Path(archive), destination)
    return destination


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="the host interpreter")
    parser.add_argument("--series", required=True, help="its CPython series, e.g. 3.11")
    parser.add_argument("--platform", default="manylinux", choices=loading.WHEEL_PLATFORMS,
                        help="the wheels' platform family: the host interpreter's libc (TARGET wheel_platform)")
    parser.add_argument("--wheel", action="append", default=[],
                        help="a pinned wheel file (all of them); without any, fetch into --store")
    parser.add_argument("--store", help="the download store (<store>/<sha256>/<file>)")
    parser.add_argument("--sources", action="append", default=[], help="directories searched first")
    parser.add_argument("--work", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--output", required=True, help=ARCHIVE_NAME)
    args = parser.parse_args()
    wheels = [Path(wheel) for wheel in args.wheel]
    if not wheels:
        if not args.store:
            parser.error("give the wheels (--wheel) or a download store (--store)")
        wheels = obtain_tool_wheels(args.series, store=Path(args.store).expanduser(), platform=args.platform,
                                    search_dirs=[Path(d) for d in args.sources], log=commands.say)
    commands.say(f"  build tools {args.series} {args.platform}: install {len(wheels)} wheels (log: {args.log})")
    build_tools_archive(Path(args.python), args.series, wheels, Path(args.output), Path(args.work),
                        Path(args.log), args.platform)


if __name__ == "__main__":
    commands.main_guard(main)
