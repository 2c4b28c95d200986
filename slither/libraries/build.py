"""Build a C library from its verified source into an install prefix, archived for later steps.

Run as a command (python3 -m slither.libraries.build ...), like the CPython step; the recipe's
fields arrive as arguments. For build_system "autotools":
./configure --prefix=CANONICAL <recipe configure_flags>, make -jN,
make install into a staging directory, then one deterministic tar of the prefix (include/,
lib/*.a, bin/ with e.g. mpicc and mpiexec). The prefix inside claims to be
/opt/slither/<name>; the step that unpacks it for later steps rewrites that path in text
files (wrapper scripts, pkg-config files) to where it really is.

Output, written under a temporary name and renamed when complete:
  --output  prefix.tar
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from slither import commands, reproducible
from slither.plan import loading
from slither.sources import patches
from slither.errors import SlitherError
from slither.files import verify
from slither.sources.unpack import safe_extract

# What this step knows how to build (slither.plan.module_recipes.LIBRARY_BUILD_SYSTEMS; not imported:
# the recipe vocabulary is no part of this step's signature, the recipe file itself is).
BUILD_SYSTEMS = ("autotools",)

# Documentation is no input to any later step; leaving it out keeps the cached archive small.
NOT_INSTALLED = ("share/man", "share/doc", "share/info")


def canonical_prefix(name: str) -> str:
    return f"/opt/slither/{name}"


def configure_command(configure_flags: list[str], prefix: str) -> list[str]:
    return ["./configure", f"--prefix={prefix}", *configure_flags]


def build_environment(profile, source_tree: Path, canonical_source: str) -> dict:
    env = reproducible.reproducible_environment(os.environ)
    env.update(profile.environment)
    env.update({
        "CC": profile.CC, "CXX": profile.CXX, "FC": profile.FC, "AR": profile.AR, "RANLIB": profile.RANLIB,
        "CFLAGS": " ".join([*profile.CFLAGS, f"-ffile-prefix-map={source_tree}={canonical_source}"]),
    })
    return env


def build(args) -> None:
    if args.build_system not in BUILD_SYSTEMS:
        raise SlitherError(f"--build-system {args.build_system}: choose one of {', '.join(BUILD_SYSTEMS)}")
    profile = loading.load_target(args.target)
    label = f"{args.name} {args.version} ({profile.name})"
    log = Path(args.log).resolve()
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"# {label}\n")
    verify(Path(args.source), args.sha256)
    patch_files = [Path(patch) for patch in args.patch]
    for patch in patch_files:
        patches.verify_patch(patch)

    work = Path(args.work).resolve()
    shutil.rmtree(work, ignore_errors=True)
    source_tree, stage = work / "src", work / "stage"
    commands.say(f"  {label}: unpack")
    safe_extract(Path(args.source), source_tree, strip_components=1)
    for patch in patch_files:
        commands.say(f"  {label}: patch {patch.name}")
        patches.apply_patch(patch, source_tree, label)

    canonical_source = f"{reproducible.CANONICAL_BUILD_ROOT}/{args.name}-{args.version}"
    env = build_environment(profile, source_tree, canonical_source)
    prefix = canonical_prefix(args.name)
    commands.say(f"  {label}: configure (log: {args.log})")
    commands.run_logged(configure_command(args.configure_flag, prefix), log=log, what=f"{label} configure",
                        cwd=source_tree, env=env)
    commands.say(f"  {label}: make -j{args.jobs}")
    commands.run_logged(["make", f"-j{args.jobs}"], log=log, what=f"{label} make", cwd=source_tree, env=env)
    commands.say(f"  {label}: install")
    commands.run_logged(["make", "install", f"DESTDIR={stage}"], log=log, what=f"{label} make install",
                        cwd=source_tree, env=env)

    prefix_tree = stage / prefix.lstrip("/")
    if not (prefix_tree / "lib").is_dir():
        raise SlitherError(f"{label}: make install produced no lib/ under {prefix}; see {log}")
    for relative in NOT_INSTALLED:
        shutil.rmtree(prefix_tree / relative, ignore_errors=True)
    # The build directory varies by checkout; nothing we ship may say where it was.
    reproducible.replace_in_text_files(prefix_tree, str(source_tree), canonical_source)
    commands.say(f"  {label}: archive install prefix")
    reproducible.write_tar_deterministically(prefix_tree, Path(args.output))
    shutil.rmtree(work, ignore_errors=True)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--source", required=True, help="the source tarball")
    parser.add_argument("--sha256", required=True, help="the pinned sha256 of --source")
    parser.add_argument("--build-system", default="autotools", help=" | ".join(BUILD_SYSTEMS))
    parser.add_argument("--configure-flag", action="append", default=[],
                        help="an option for ./configure (recipe configure_flags)")
    parser.add_argument("--patch", action="append", default=[])
    parser.add_argument("--target", required=True, help="TARGET toolchain profile")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--output", required=True, help="prefix.tar to write")
    return parser


def main() -> None:
    build(parser().parse_args())


if __name__ == "__main__":
    commands.main_guard(main)
