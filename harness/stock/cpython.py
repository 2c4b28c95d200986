"""Build the *stock* CPython every comparison needs: the same verified tarball, built the usual
shared way, with none of Slither's patches, toolchain profile or static modules.

Run by the `ReferencePython` SCons builder as a command (python3 -m harness.stock.cpython ...):

    ./configure --enable-shared --prefix=<canonical prefix>  (+ an rpath of $ORIGIN/../lib)
    make -jN
    make install DESTDIR=<stage>

The installed prefix travels as one deterministic tar (SCons caches files, not directories);
`slither_reference` unpacks it under BUILD_DIR/reference/ and rewrites the canonical prefix
in its text files (scripts' #! lines, sysconfig data) to where it really lives. The rpath is
relative to the executable, so the tree runs wherever it is unpacked, without LD_LIBRARY_PATH.

Bytecode caches stay in the archive: a stock install has them, and the benchmarks measure a
stock install.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from slither import commands, reproducible
from slither.configure_make import ConfigureMakeBuild, build_and_archive
from slither.errors import SlitherError
from slither.recipes import loading

# Inside the archive; the unpack step rewrites it (in text files) to the real location.
CANONICAL_PREFIX = "/opt/slither/reference"

# `\$$` survives both configure (which copies LDFLAGS into the Makefile verbatim) and make
# (which turns `$$` into `$`), so the linker receives the literal $ORIGIN.
RPATH_LDFLAGS = r"-Wl,-rpath,\$$ORIGIN/../lib"
EXPECTED_RUNPATH = "$ORIGIN/../lib"


def canonical_prefix(version: str) -> str:
    return f"{CANONICAL_PREFIX}/cpython-{version}"


def configure_command(prefix: str) -> list[str]:
    return ["./configure", "--enable-shared", f"--prefix={prefix}", f"LDFLAGS={RPATH_LDFLAGS}"]


def runpath_of(binary: Path, env: dict) -> str:
    """The DT_RUNPATH (or DT_RPATH) an ELF file carries, as readelf prints it."""
    dynamic = commands.capture(["readelf", "-d", str(binary)], what=f"readelf -d {binary.name}", env=env)
    for line in dynamic.splitlines():
        if "(RUNPATH)" in line or "(RPATH)" in line:
            return line.split("[", 1)[1].rsplit("]", 1)[0]
    return ""


def build(args) -> None:
    release = loading.cpython_release(args.series)
    prefix = canonical_prefix(release.version)
    build = ConfigureMakeBuild(
        label=f"reference cpython {release.version} (stock, shared)", tarball=Path(args.tarball),
        sha256=release.source.sha256, prefix=prefix,
        canonical_source=f"{reproducible.CANONICAL_BUILD_ROOT}/cpython-{release.version}",
        work=Path(args.work), log=Path(args.log), jobs=args.jobs)

    def stock_environment(source_tree: Path) -> dict:
        env = reproducible.reproducible_environment(os.environ)
        # A stock build: nothing of the caller's compiler settings leaks in.
        for variable in ("CC", "CXX", "CFLAGS", "CPPFLAGS", "LDFLAGS", "LIBS", "PYTHONPATH", "PYTHONHOME"):
            env.pop(variable, None)
        return env

    def check_it_runs_where_it_is(prefix_tree: Path, env: dict) -> None:
        interpreter = prefix_tree / "bin" / f"python{args.series}"
        runpath = runpath_of(interpreter, env)
        if runpath != EXPECTED_RUNPATH:
            raise SlitherError(f"{build.label}: {interpreter.name} has runpath {runpath!r}, expected "
                               f"{EXPECTED_RUNPATH!r}; it would not find libpython where it is unpacked")
        # The interpreter must run from the staged tree on its rpath alone, before it is published.
        run_env = {k: v for k, v in env.items() if k not in ("LD_LIBRARY_PATH", "PYTHONHOME")}
        reported = commands.capture([str(interpreter), "-c", "import sys; print(sys.version.split()[0])"],
                                    what=f"{build.label} self-test", env=run_env).strip()
        if reported != release.version:
            raise SlitherError(f"{build.label}: the built interpreter reports {reported!r}")

    build_and_archive(build, Path(args.output), configure=configure_command(prefix),
                      environment=stock_environment, after_install=check_it_runs_where_it_is)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", required=True)
    parser.add_argument("--tarball", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--output", required=True, help="the install tree as a tar")
    build(parser.parse_args())


if __name__ == "__main__":
    commands.main_guard(main)
