"""Read `ld` and `ar` command lines for the capture: what a direct `ld -shared` links, and
which archive an `ar` call writes.

Pure functions of the argument list (response files already expanded), like driver_arguments.
"""

from __future__ import annotations

import os

# ld options whose value is the next argument (`-soname x`, `-rpath dir`, `-m elf_x86_64`, ...).
LD_TAKES_VALUE = {"-o", "-L", "-l", "-m", "-e", "-u", "-y", "-z", "-T", "-h", "-R", "-F", "-f", "-a",
                  "-A", "-Y", "-rpath", "-rpath-link", "-soname", "-plugin", "-plugin-opt", "-dynamic-linker",
                  "--output", "--library-path", "--library", "--entry", "--undefined", "--soname",
                  "--version-script", "--dynamic-list", "--script", "--defsym", "--just-symbols",
                  "--hash-style", "--build-id", "--sysroot", "-Map", "--wrap", "--exclude-libs"}
ARCHIVE_MODE_OPTIONS = {"--whole-archive", "--no-whole-archive", "--start-group", "--end-group", "-(", "-)"}
SHARED_OPTIONS = {"-shared", "-Bshareable", "--shared"}


def driver_form_of_ld(arguments: list[str]) -> list[str]:
    """A direct `ld` command line as the compiler-driver line the capture reads: `-shared`,
    `-o`, `-L`, `-l`, the inputs and the archive-mode switches, in order. Every other ld option
    only shapes the shared object (soname, rpath, version script, emulation) and is left out,
    as the capture leaves out the driver's `-Wl,` items of that kind."""
    driver = []
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        value = arguments[index + 1] if index + 1 < len(arguments) else ""
        name = argument.split("=", 1)[0]
        takes_next = argument in LD_TAKES_VALUE
        if argument in SHARED_OPTIONS:
            driver.append("-shared")
        elif argument in ARCHIVE_MODE_OPTIONS:
            driver.append(f"-Wl,{argument}")
        elif argument in ("-o", "--output") or name == "--output":
            driver += ["-o", value if takes_next else argument.split("=", 1)[1]]
        elif argument.startswith("-o") and not takes_next:
            driver += ["-o", argument[2:]]
        elif argument in ("-L", "--library-path") or name == "--library-path":
            driver.append("-L" + (value if takes_next else argument.split("=", 1)[1]))
        elif argument.startswith("-L"):
            driver.append(argument)
        elif argument in ("-l", "--library") or name == "--library":
            driver.append("-l" + (value if takes_next else argument.split("=", 1)[1]))
        elif argument.startswith("-l"):
            driver.append(argument)
        elif argument.startswith("-") and argument != "-":
            pass  # shapes the shared object only
        else:
            driver.append(argument)
        index += 2 if takes_next else 1
    return driver


def archive_written_by_ar(arguments: list[str]) -> str | None:
    """The archive an `ar` call creates or changes (`ar rcs libx.a a.o`, `ar qc`, `ar -r`,
    `ar s` as ranlib), or None for one that only reads (t, p, x) or deletes (d)."""
    positional = []
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if not positional and argument in ("--plugin", "--target"):
            index += 2
            continue
        if not (not positional and argument.startswith("--")):
            positional.append(argument)
        index += 1
    if len(positional) < 2:
        return None
    key = positional[0].lstrip("-")
    operation = next((letter for letter in key if letter in "drqmtpxs"), "")
    if operation not in ("r", "q", "s"):
        return None
    skip = 1 + ("a" in key or "b" in key or "i" in key) + ("N" in key)
    return positional[skip] if len(positional) > skip else None


def is_archive_path(path: str) -> bool:
    return os.path.basename(path).endswith(".a")
