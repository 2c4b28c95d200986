"""The configure / make / make install sequence every source build shares, from a verified
tarball to one deterministic archive of the installed prefix.

Three steps run it (CPython, C libraries, the stock reference CPython); each passes what is
special to it: its configure command, its build environment, and what it checks or trims in
the installed prefix before that is archived. SCons caches files, not directories, so the
prefix travels as one tar; the step that unpacks it rewrites the canonical prefix inside.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from slither import commands, reproducible
from slither.files import verify
from slither.sources import patches
from slither.sources.unpack import safe_extract


@dataclass(frozen=True)
class ConfigureMakeBuild:
    """One source build: what goes in, where it works, and the prefix configure is given."""

    label: str                   # in progress lines and errors, e.g. "cpython 3.11.2 (gnu)"
    tarball: Path
    sha256: str                  # the pin the tarball must match
    prefix: str                  # configure's --prefix: where the archived tree claims to live
    canonical_source: str        # what the source tree's path becomes in everything installed
    work: Path                   # scratch: the source tree (src/) and the DESTDIR stage (stage/)
    log: Path
    jobs: int
    patch_files: tuple[Path, ...] = ()
    patch_subject: str = ""      # names the tree in a failing patch's message (default: label)

    @property
    def source_tree(self) -> Path:
        return Path(self.work).resolve() / "src"

    @property
    def prefix_tree(self) -> Path:
        """Where `make install DESTDIR=stage` puts the prefix."""
        return Path(self.work).resolve() / "stage" / self.prefix.lstrip("/")


def build_and_archive(build: ConfigureMakeBuild, output: Path, *, configure: list[str] | None,
                      environment: Callable[[Path], dict],
                      after_configure: Callable[[Path], None] | None = None,
                      after_install: Callable[[Path, dict], None] | None = None,
                      build_directory: str = "", make_arguments: tuple[str, ...] = (),
                      install_arguments: tuple[str, ...] = ("install",)) -> None:
    """Verify, unpack and patch the tarball, configure, make -jN, make install into a stage,
    and write the installed prefix to ``output`` as a deterministic tar; the work directory
    is removed once the archive is complete.

    environment(source_tree): the build's environment, called once the tree is unpacked and
    patched (it may prepare the tree: unpack libraries into it, write Modules/Setup.local).
    after_configure(source_tree): reads what configure decided.
    after_install(prefix_tree, env): checks and trims the installed prefix (and may publish
    outputs of its own) before the source tree's path is rewritten in it and it is archived.
    configure None: a plain Makefile, no configure step. build_directory: where configure and make
    run, relative to the source tree (tcl's unix/). make_arguments: words after `make -jN`;
    install_arguments: the words of `make ... DESTDIR=stage` that install (target and flags)."""
    started, children_before = time.monotonic(), os.times()
    log = Path(build.log).resolve()
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"# {build.label}\n")
    verify(Path(build.tarball), build.sha256)
    for patch in build.patch_files:
        patches.verify_patch(Path(patch))

    work = Path(build.work).resolve()
    shutil.rmtree(work, ignore_errors=True)
    source_tree = build.source_tree
    commands.say(f"  {build.label}: unpack")
    safe_extract(Path(build.tarball), source_tree, strip_components=1)
    for patch in build.patch_files:
        commands.say(f"  {build.label}: patch {Path(patch).name}")
        patches.apply_patch(Path(patch), source_tree, build.patch_subject or build.label)
    env = environment(source_tree)

    build_tree = source_tree / build_directory if build_directory else source_tree
    if configure is not None:
        commands.say(f"  {build.label}: configure (log: {build.log})")
        commands.run_logged(configure, log=log, what=f"{build.label} configure", cwd=build_tree, env=env)
    if after_configure is not None:
        after_configure(source_tree)
    commands.say(f"  {build.label}: make -j{build.jobs}" + ("" if configure is not None else f" (log: {build.log})"))
    commands.run_logged(["make", f"-j{build.jobs}", *make_arguments], log=log, what=f"{build.label} make",
                        cwd=build_tree, env=env)
    commands.say(f"  {build.label}: install")
    commands.run_logged(["make", *install_arguments, f"DESTDIR={work / 'stage'}"], log=log,
                        what=f"{build.label} make install", cwd=build_tree, env=env)

    prefix_tree = build.prefix_tree
    if after_install is not None:
        after_install(prefix_tree, env)
    # The build directory varies by checkout; nothing we ship may say where it was.
    reproducible.replace_in_text_files(prefix_tree, str(source_tree), build.canonical_source)
    commands.say(f"  {build.label}: archive the installed prefix")
    reproducible.write_tar_deterministically(prefix_tree, Path(output))
    shutil.rmtree(work, ignore_errors=True)
    cost = build_cost(started, children_before)
    commands.say(f"  {build.label}: built in {cost}")
    with open(log, "a") as stream:  # bench/build_costs.py reads this line
        stream.write(f"{BUILT_IN_MARKER}{cost}\n")


# The last line of a complete build's log: its wall time and the CPU time of its commands.
BUILT_IN_MARKER = "# built in "


def build_cost(started: float, children_before: os.times_result) -> str:
    """Wall-clock and CPU (user + system of the commands run) time since `started`, in words."""
    children = os.times()
    cpu = (children.children_user - children_before.children_user
           + children.children_system - children_before.children_system)
    return f"{_minutes(time.monotonic() - started)} (CPU {_minutes(cpu)})"


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
