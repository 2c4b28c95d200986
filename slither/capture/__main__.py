"""Compiler wrapper entry point (the scripts write_wrappers makes exec this).

Usage: python -m slither.capture ROLE --record-dir DIR [--ld LD] [--objcopy OBJCOPY] [--nm NM]
           [--package-root DIR]... [--compiler-words N] -- COMPILER... [ARGUMENTS...]

The first N words after `--` are the real compiler (e.g. `ccache gcc -m64`, N=3), the rest
are the arguments the build system passed. ROLE is c, c++ or fortran for a compiler driver, ld
for the linker called directly (`ld -shared`), ar for the archiver.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .driver_arguments import may_link_extension


def parse_options(argv: list[str]) -> tuple[argparse.Namespace, list[str], list[str]]:
    if "--" not in argv:
        sys.stderr.write("slither capture: error: missing `-- COMPILER ...`\n")
        sys.exit(2)
    split = argv.index("--")
    parser = argparse.ArgumentParser(prog="python -m slither.capture")
    parser.add_argument("role", choices=("c", "c++", "fortran", "ld", "ar"))
    parser.add_argument("--record-dir", type=Path, required=True)
    parser.add_argument("--ld", default="ld")
    parser.add_argument("--objcopy", default="objcopy")
    parser.add_argument("--nm", default="nm")
    parser.add_argument("--package-root", type=Path, action="append", default=[])
    parser.add_argument("--compiler-words", type=int, default=1)
    options = parser.parse_args(argv[:split])
    command = argv[split + 1:]
    if options.compiler_words < 1 or len(command) < options.compiler_words:
        parser.error("no compiler after `--`")
    return options, command[:options.compiler_words], command[options.compiler_words:]


# Link-time optimisation leaves GCC's intermediate code in the objects, which `ld -r` cannot
# turn into one object with a single global symbol; the package is built without it (the
# final static link could do a whole-program LTO of its own, but does not).
LTO_FLAG_PREFIXES = ("-flto", "-ffat-lto-objects", "-fno-fat-lto-objects", "-fuse-linker-plugin")


def without_lto(arguments: list[str]) -> list[str]:
    return [argument for argument in arguments if not argument.startswith(LTO_FLAG_PREFIXES)]


def run_archiver(archiver: list[str], arguments: list[str], record_dir: Path) -> int:
    """Run `ar` unchanged; note the archive it wrote as the package's own (capture.archives)."""
    import subprocess
    from .archives import record_archive
    from .driver_arguments import expand_response_files
    from .ld_ar_arguments import archive_written_by_ar
    status = subprocess.run([*archiver, *arguments]).returncode
    archive = archive_written_by_ar(expand_response_files(arguments))
    if status == 0 and archive and os.path.isfile(archive):
        record_archive(record_dir, Path(archive))
    return status


def main(argv: list[str] | None = None) -> None:
    options, compiler, arguments = parse_options(sys.argv[1:] if argv is None else argv)
    if options.role == "ar":
        sys.exit(run_archiver(compiler, arguments, options.record_dir.resolve()))
    link_arguments = None
    if options.role == "ld":  # read as the driver line it amounts to; run as it was given
        from .driver_arguments import expand_response_files
        from .ld_ar_arguments import driver_form_of_ld
        link_arguments = driver_form_of_ld(expand_response_files(arguments))
    else:
        arguments = without_lto(arguments)
    if not may_link_extension(arguments if link_arguments is None else link_arguments):
        os.execvp(compiler[0], [*compiler, *arguments])  # same process: same output and status
    # Only -shared links get here and pay for the imports of the capture itself.
    from .wrapped_command import CaptureSettings, run_wrapped
    from .partial_link import Toolchain
    # A direct ld link names every library it needs: nothing for the final link to add by role.
    settings = CaptureSettings(role="c" if options.role == "ld" else options.role,
                               record_dir=options.record_dir.resolve(),
                               toolchain=Toolchain(ld=options.ld, objcopy=options.objcopy, nm=options.nm),
                               package_roots=tuple(root.resolve() for root in options.package_root))
    sys.exit(run_wrapped(compiler, arguments, settings, link_arguments=link_arguments))


if __name__ == "__main__":
    main()
