"""Read a compiler-driver command line: is it a `-shared` link, and of what.

Pure functions of the argument list (plus response files on disk), so the wrapper can decide
to pass a command through before importing anything heavy.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field

# Options that mean "this call does not link": compiling, preprocessing, queries.
NOT_A_LINK = {"-c", "-E", "-S", "-M", "-MM", "-fsyntax-only", "--version", "-v", "-###",
              "--help", "-dumpversion", "-dumpfullversion", "-dumpmachine", "-dumpspecs"}
NOT_A_LINK_PREFIXES = ("-print-", "--print-")

# Driver options whose value is the next argument (`-o out`, `-L dir`, `-x c`, ...).
TAKES_VALUE = {"-o", "-L", "-l", "-x", "-Xlinker", "-Xpreprocessor", "-Xassembler", "-include",
               "-imacros", "-isystem", "-idirafter", "-iprefix", "-iquote", "-isysroot", "-I",
               "-D", "-U", "-MF", "-MT", "-MQ", "-T", "-u", "-e", "-z", "-arch", "-target",
               "--sysroot", "-B", "-specs", "--param", "-aux-info"}

SOURCE_SUFFIXES = (".c", ".cc", ".cp", ".cpp", ".cxx", ".c++", ".C", ".m", ".mm", ".f", ".for",
                   ".f77", ".f90", ".f95", ".f03", ".f08", ".F", ".F90", ".s", ".S", ".sx")

# Flags that only shape a shared object or a compile; meaningless or harmful at the final link.
DROPPED_FLAGS = {"-shared", "-fPIC", "-fpic", "-fPIE", "-fpie", "-pipe", "-rdynamic"}
DROPPED_FLAG_PREFIXES = ("-I", "-D", "-U", "-O", "-g", "-W", "-std=", "-MF", "-MT", "-MQ", "-MD",
                         "-MMD", "-MP")
DROPPED_LINKER_ITEMS = ("-rpath", "--rpath", "-R", "-soname", "--soname", "-h",
                        "--version-script", "--enable-new-dtags", "--disable-new-dtags")
# Of those, the ones that stand alone: the others take the next item as their value
# (setuptools writes `-Wl,--enable-new-dtags,-rpath,DIR`).
DROPPED_LINKER_SWITCHES = ("--enable-new-dtags", "--disable-new-dtags")

# Linker items that change how the archives after them are read: kept in input order, so that
# `ld -r` reads the package's private archives the way the real link did (meson wraps every
# link's libraries in --start-group/--end-group).
ARCHIVE_MODE_ITEMS = {"--whole-archive", "--no-whole-archive", "--start-group", "--end-group", "-(", "-)"}

RESPONSE_FILE_DEPTH = 10


@dataclass(frozen=True)
class LinkInput:
    """One linker input in command-line order. kind: object, archive, shared, library, marker."""
    kind: str
    value: str


@dataclass
class LinkCommand:
    output: str
    inputs: list[LinkInput] = field(default_factory=list)
    library_dirs: list[str] = field(default_factory=list)
    link_flags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    # `-Xlinker -rpath -Xlinker DIR` spreads one dropped item over two arguments.
    skip_next_linker_item: bool = False


def expand_response_files(arguments: list[str], depth: int = 0) -> list[str]:
    """`@file` arguments replaced by the file's words, as gcc and clang read them."""
    expanded = []
    for argument in arguments:
        if argument.startswith("@") and os.path.isfile(argument[1:]) and depth < RESPONSE_FILE_DEPTH:
            with open(argument[1:], encoding="utf-8", errors="surrogateescape") as response:
                expanded.extend(expand_response_files(shlex.split(response.read()), depth + 1))
        else:
            expanded.append(argument)
    return expanded


def is_link_query_or_compile(arguments: list[str]) -> bool:
    return any(argument in NOT_A_LINK or argument.startswith(NOT_A_LINK_PREFIXES)
               for argument in arguments)


def is_shared_object_name(name: str) -> bool:
    """`libx.so`, or versioned: `libx.so.2`, `libx.so.2.5.0`."""
    return name.endswith(".so") or ".so." in name


def kind_of_path(path: str) -> str:
    name = os.path.basename(path)
    if name.endswith(".a"):
        return "archive"
    if is_shared_object_name(name):
        return "shared"
    if name.endswith(SOURCE_SUFFIXES):
        return "source"
    return "object"  # .o, .obj, .lo or anything ld recognises by content


def linker_items(command: LinkCommand, items: list[str]) -> None:
    """Split `-Wl,` items: archive-mode switches join the inputs, rpath/soname are dropped."""
    kept = []
    for item in items:
        if command.skip_next_linker_item:
            command.skip_next_linker_item = False
        elif item in ARCHIVE_MODE_ITEMS:
            command.inputs.append(LinkInput("marker", item))
        elif item.split("=", 1)[0] in DROPPED_LINKER_ITEMS:
            command.skip_next_linker_item = "=" not in item and item not in DROPPED_LINKER_SWITCHES
        else:
            kept.append(item)
    if kept:
        command.link_flags.append("-Wl," + ",".join(kept))


def parse_link_command(arguments: list[str]) -> LinkCommand | None:
    """The link described by a driver command line, or None when it is not a `-shared` link."""
    if "-shared" not in arguments or is_link_query_or_compile(arguments):
        return None
    command = LinkCommand(output="a.out")
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        value = arguments[index + 1] if index + 1 < len(arguments) else ""
        takes_next = argument in TAKES_VALUE
        if argument == "-o" or (argument.startswith("-o") and not takes_next):
            command.output = value if takes_next else argument[2:]
        elif argument.startswith("-L"):
            command.library_dirs.append(value if takes_next else argument[2:])
        elif argument.startswith("-l"):
            command.inputs.append(LinkInput("library", value if takes_next else argument[2:]))
        elif argument.startswith("-Wl,"):
            linker_items(command, argument[4:].split(","))
        elif argument == "-Xlinker":
            linker_items(command, [value])
        elif argument.startswith("-") and argument != "-":
            if argument not in DROPPED_FLAGS and not argument.startswith(DROPPED_FLAG_PREFIXES):
                command.link_flags.extend([argument, value] if takes_next else [argument])
        else:
            kind = kind_of_path(argument)
            if kind == "source":
                command.sources.append(argument)
            else:
                command.inputs.append(LinkInput(kind, argument))
        index += 2 if takes_next else 1
    return command


def may_link_extension(arguments: list[str]) -> bool:
    """Cheap first look: a `-shared` link whose output is a `.so`, or a versioned one
    (`libsymspg.so.2.5.0`, what CMake links for a library with a SOVERSION), response files read."""
    if "-shared" not in arguments and not any(argument.startswith("@") for argument in arguments):
        return False
    command = parse_link_command(expand_response_files(arguments))
    return command is not None and is_shared_object_name(os.path.basename(command.output))
