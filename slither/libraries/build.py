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
from slither.configure_make import ConfigureMakeBuild, build_and_archive
from slither.errors import SlitherError
from slither.plan import loading

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
    profile = loading.load_profile_data(Path(args.target))
    prefix = canonical_prefix(args.name)
    build = ConfigureMakeBuild(
        label=f"{args.name} {args.version} ({profile.name})", tarball=Path(args.source), sha256=args.sha256,
        prefix=prefix, canonical_source=f"{reproducible.CANONICAL_BUILD_ROOT}/{args.name}-{args.version}",
        work=Path(args.work), log=Path(args.log), jobs=args.jobs,
        patch_files=tuple(Path(patch) for patch in args.patch))

    def trim_prefix(prefix_tree: Path, env: dict) -> None:
        if not (prefix_tree / "lib").is_dir():
            raise SlitherError(f"{build.label}: make install produced no lib/ under {prefix}; see {build.log}")
        for relative in NOT_INSTALLED:
            shutil.rmtree(prefix_tree / relative, ignore_errors=True)

    build_and_archive(build, Path(args.output), configure=configure_command(args.configure_flag, prefix),
                      environment=lambda source_tree: build_environment(profile, source_tree, build.canonical_source),
                      after_install=trim_prefix)


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
    parser.add_argument("--target", required=True, help="the TARGET profile, as data (slither.plan.loading.profile_data)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--output", required=True, help="prefix.tar to write")
    return parser


def main() -> None:
    build(parser().parse_args())


if __name__ == "__main__":
    commands.main_guard(main)
