"""Build a C library from its verified source into an install prefix, archived for later steps.

Run as a command (python3 -m slither.libraries.build ...), like the CPython step; the recipe's
fields arrive as arguments. For build_system "autotools":
<configure script> --prefix=CANONICAL <recipe configure_flags>, make -jN <make flags>,
make <install target> <make flags> <install flags> into a staging directory, then one
deterministic tar of the prefix (include/, lib/*.a, bin/ with e.g. mpicc and mpiexec); all of it
in the recipe's build directory of the source tree. For "makefile" the same without configure:
make gets the TARGET's CC, AR, RANLIB and CFLAGS on its command line, where they beat what a plain
Makefile assigns (bzip2's CC=gcc). The prefix inside claims to be /opt/slither/<name>; the step
that unpacks it for later steps rewrites that path in text files (wrapper scripts, pkg-config
files) to where it really is.

Every library is compiled position-independent and optimised (LIBRARY_CFLAGS), and sees the
prefixes of the library recipes it depends on (--dependency): their include/ and lib/ first on
the compiler's paths, their bin/ first on PATH, their pkg-config files first.

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
from slither.libraries.kernel_headers import link_kernel_headers
from slither.recipes import loading

# What this step knows how to build (slither.recipes.recipe.LIBRARY_BUILD_SYSTEMS; not imported:
# the recipe vocabulary is no part of this step's signature, the recipe file itself is).
BUILD_SYSTEMS = ("autotools", "makefile")

# Documentation is no input to any later step; leaving it out keeps the cached archive small
# (bzip2's Makefile installs its manual pages under man/).
NOT_INSTALLED = ("share/man", "share/doc", "share/info", "man")

# Before the TARGET's own CFLAGS, which may override them. -fPIC: package builds link these
# archives into real shared extensions (build-time imports, test extensions), which needs
# position-independent code. -O2: autoconf's default, which a configure script drops as soon as
# CFLAGS is set at all (and this step always sets it, for the source-path map).
LIBRARY_CFLAGS = ("-O2", "-fPIC")


def canonical_prefix(name: str) -> str:
    return f"/opt/slither/{name}"


def configure_command(configure_flags: list[str], prefix: str, script: str = "./configure") -> list[str]:
    return [script, f"--prefix={prefix}", *configure_flags]


def parse_dependencies(entries: list[str]) -> dict[str, Path]:
    """--dependency NAME=PREFIX entries as {name: the unpacked prefix}."""
    dependencies = {}
    for entry in entries:
        name, separator, prefix = entry.partition("=")
        if not separator or not name or not prefix:
            raise SlitherError(f"--dependency {entry!r}: give NAME=PREFIX, e.g. ncurses=/path/to/prefix")
        dependencies[name] = Path(prefix)
    return dependencies


def expand(flag: str, prefix: str, dependencies: dict[str, Path], stage: Path | None = None) -> str:
    """A recipe flag with {prefix} (the canonical prefix, for Makefiles that take PREFIX=),
    {prefix:NAME} (the unpacked prefix of the dependency NAME, e.g. SQLite's TCLSH_CMD) and, in
    make and install flags, {destdir} (the staging directory `make install DESTDIR=` is given, for
    Makefiles that know no DESTDIR: bzip2's PREFIX={destdir}{prefix}) filled in."""
    if stage is not None:
        flag = flag.replace("{destdir}", str(stage))
    for name, path in dependencies.items():
        flag = flag.replace(f"{{prefix:{name}}}", str(path))
    if "{prefix:" in flag:
        named = flag[flag.index("{prefix:") + len("{prefix:"):].split("}")[0]
        raise SlitherError(f"flag {flag!r} names {{prefix:{named}}}, but {named} is not among the recipe's "
                           f"depends_on ({', '.join(dependencies) or 'none'})")
    return flag.replace("{prefix}", prefix)


def build_cflags(profile, source_tree: Path, canonical_source: str, kernel_headers: Path | None = None) -> str:
    return " ".join([*LIBRARY_CFLAGS, *profile.CFLAGS, *([f"-isystem{kernel_headers}"] if kernel_headers else []),
                     f"-ffile-prefix-map={source_tree}={canonical_source}"])


def build_environment(profile, source_tree: Path, canonical_source: str,
                      dependencies: dict[str, Path] | None = None, kernel_headers: Path | None = None) -> dict:
    env = reproducible.reproducible_environment(os.environ)
    env.update(profile.environment)
    env.update({
        "CC": profile.CC, "CXX": profile.CXX, "FC": profile.FC, "AR": profile.AR, "RANLIB": profile.RANLIB,
        "CFLAGS": build_cflags(profile, source_tree, canonical_source, kernel_headers),
    })
    prefixes = [Path(path) for path in (dependencies or {}).values()]
    if prefixes:
        # The dependencies' own directories come first, so that their headers and archives win
        # over any the host has; recipes shut out what a configure script would still probe for.
        def joined(variable, words, separator=" "):
            return separator.join([*words, *([env[variable]] if env.get(variable) else [])])
        env["CPPFLAGS"] = joined("CPPFLAGS", [f"-I{prefix / 'include'}" for prefix in prefixes])
        env["LDFLAGS"] = joined("LDFLAGS", [f"-L{prefix / 'lib'}" for prefix in prefixes])
        env["PATH"] = joined("PATH", [str(prefix / "bin") for prefix in prefixes], os.pathsep)
        env["PKG_CONFIG_PATH"] = joined("PKG_CONFIG_PATH", [str(prefix / where / "pkgconfig") for prefix in prefixes
                                                            for where in ("lib", "share")], os.pathsep)
    return env


def toolchain_make_arguments(profile, cflags: str) -> list[str]:
    """What a plain Makefile (build_system "makefile") is given on its command line: the TARGET's
    toolchain and the build's CFLAGS, which beat the Makefile's own assignments."""
    return [f"CC={profile.CC}", f"AR={profile.AR}", f"RANLIB={profile.RANLIB}", f"CFLAGS={cflags}"]


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

    dependencies = parse_dependencies(args.dependency)
    # Beside the work directory, which the build empties first; found before anything is unpacked.
    kernel_headers = (link_kernel_headers(Path(args.work).resolve().parent / "kernel-headers")
                      if profile.kernel_headers_from_host else None)
    stage = Path(build.work).resolve() / "stage"  # where build_and_archive installs

    def trim_prefix(prefix_tree: Path, env: dict) -> None:
        if not (prefix_tree / "lib").is_dir():
            raise SlitherError(f"{build.label}: make install produced no lib/ under {prefix}; see {build.log}")
        for relative in NOT_INSTALLED:
            shutil.rmtree(prefix_tree / relative, ignore_errors=True)
        # A Makefile without DESTDIR (bzip2) links by the staged path: point those links within the tree.
        for link in [path for path in prefix_tree.rglob("*") if path.is_symlink()]:
            target = os.readlink(link)
            if target.startswith(str(stage) + os.sep):
                link.unlink()
                link.symlink_to(os.path.relpath(target, link.parent))
        # A dependency's prefix is wherever BUILD_DIR put it; what is installed names its canonical
        # prefix instead (a pkg-config file's -L), so the archive is the same from every BUILD_DIR.
        for name, path in dependencies.items():
            reproducible.replace_in_text_files(prefix_tree, str(path), canonical_prefix(name))

    configure_flags = [expand(flag, prefix, dependencies) for flag in args.configure_flag]
    make_flags = [expand(flag, prefix, dependencies, stage) for flag in args.make_flag]
    install_flags = [expand(flag, prefix, dependencies, stage) for flag in args.install_flag]
    if args.build_system == "makefile" and configure_flags:
        raise SlitherError(f"{build.label}: build_system makefile runs no configure script; "
                           "give --make-flag instead of --configure-flag")
    # A plain Makefile gets the toolchain on its command line; a configure script from the environment.
    toolchain = (toolchain_make_arguments(profile, build_cflags(profile, build.source_tree, build.canonical_source,
                                                                kernel_headers))
                 if args.build_system == "makefile" else [])
    build_and_archive(build, Path(args.output),
                      configure=(configure_command(configure_flags, prefix, args.configure_script)
                                 if args.build_system == "autotools" else None),
                      environment=lambda source_tree: build_environment(profile, source_tree, build.canonical_source,
                                                                        dependencies, kernel_headers),
                      after_install=trim_prefix, build_directory=args.build_directory,
                      make_arguments=(*toolchain, *make_flags),
                      install_arguments=(args.install_target, *toolchain, *make_flags, *install_flags))


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--source", required=True, help="the source tarball")
    parser.add_argument("--sha256", required=True, help="the pinned sha256 of --source")
    parser.add_argument("--build-system", default="autotools", help=" | ".join(BUILD_SYSTEMS))
    parser.add_argument("--configure-flag", action="append", default=[],
                        help="an option for ./configure (recipe configure_flags)")
    parser.add_argument("--configure-script", default="./configure",
                        help="the configure script, relative to --build-directory (OpenSSL: ./Configure)")
    parser.add_argument("--build-directory", default="",
                        help="where configure and make run, relative to the source tree (tcl: unix)")
    parser.add_argument("--make-flag", action="append", default=[],
                        help="a word for make and make install ({prefix}: the canonical prefix, "
                             "{destdir}: the staging directory)")
    parser.add_argument("--install-target", default="install", help="make's install target (OpenSSL: install_sw)")
    parser.add_argument("--install-flag", action="append", default=[], help="a word for make install only")
    parser.add_argument("--dependency", action="append", default=[],
                        help="NAME=PREFIX: the unpacked prefix of a library this one depends on")
    parser.add_argument("--patch", action="append", default=[])
    parser.add_argument("--target", required=True, help="the TARGET profile, as data (slither.recipes.loading.profile_data)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--output", required=True, help="prefix.tar to write")
    return parser


def main() -> None:
    build(parser().parse_args())


if __name__ == "__main__":
    commands.main_guard(main)
