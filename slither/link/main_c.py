"""Generate the static binary's main.c: a PyConfig that leaves getpath nothing to probe.

The C is in slither/link/c/ (main.c.in, with @PLACEHOLDERS@, and the pieces it takes in);
filling it in is a pure function of the options, unit-tested without a compiler, and its text
is the SCons signature of the step. The C files are signed like any data file (C_FILES).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

C_DIR = Path(__file__).resolve().parent / "c"
C_FILES = tuple(f"slither/link/c/{name}" for name in
                ("main.c.in", "symbol_lookup.c", "package_context.c", "default_getenv.c"))


def _c_text(name: str) -> str:
    return (C_DIR / name).read_text()


@dataclass(frozen=True)
class MainOptions:
    series: str                      # "3.11"
    stdlib_frozen: bool = True       # FREEZE: False keeps the stdlib as files beside the binary
    # Extension modules linked in: (dotted module name, init function symbol).
    extensions: tuple[tuple[str, str], ...] = ()
    main_module: str = ""            # MAIN: run this module when no script/-c/-m is given
    # OpenSSL's configuration file on the compute node (the TARGET profile knows where the
    # distribution keeps it); the built-in default may point into the build machine's /usr.
    openssl_config: str = ""
    # (variable, value) pairs the binary's own C libraries see unless the user set the variable:
    # the recipes' runtime_environment (DEFAULT_GETENV: answered by getenv, never put in the
    # environment, so that no child process inherits them).
    default_environment: tuple[tuple[str, str], ...] = ()


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def c_identifier_ok(symbol: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", symbol) is not None


# dlsym's wrapper and the table lookup; its own text so that a unit test can link it into a
# tiny program (needs <dlfcn.h> and <string.h> with _GNU_SOURCE, as Python.h gives main.c).
SYMBOL_LOOKUP = _c_text("symbol_lookup.c")


# An extension module with single-phase init (PyModule_Create: numpy's, most hand-written C)
# names itself after PyModuleDef.m_name, "_multiarray_umath". Loading it from a shared object,
# CPython sets the "package context" to the full dotted name around the init call, and
# PyModule_Create takes that name instead: __name__, and every function's __module__ (which
# pickle imports by) read "numpy._core._multiarray_umath". CPython's built-in path does not set
# it, so each dotted entry of the inittab calls its init function through a trampoline that does.
# Multi-phase init (Cython, mpi4py.MPI) takes the name from the spec and is not affected.
PACKAGE_CONTEXT = _c_text("package_context.c")


# main(): the frozen-module table, the inittab of the extensions, the PyConfig; @PLACEHOLDERS@
# filled in by render_main_c.
TEMPLATE = _c_text("main.c.in")


# What the recipes linked in ask for at run time (runtime_environment: MPICH's hwloc reads
# HWLOC_COMPONENTS at MPI_Init). The final link wraps getenv (-Wl,--wrap=getenv): the C libraries
# inside the binary get these values when the user has not set the variable, and the process
# environment never holds them, so that a program the binary starts (subprocess, os.system) does
# not inherit them (another MPI program's hwloc would lose its I/O devices).
DEFAULT_GETENV = _c_text("default_getenv.c")


# What the gfortran driver links after libgfortran (its libgfortran.spec): the final link runs
# the C driver, so a static libgfortran.a needs it named (its formatted I/O of REAL(16) values).
GFORTRAN_COMPANIONS = ("-lquadmath",)


def expand_prefixes(flag: str, library_prefixes: dict[str, str]) -> str:
    """A manifest's `{prefix:NAME}` (a library recipe's prefix where the package was built) as
    this build's unpacked prefix of NAME."""
    for name, prefix in library_prefixes.items():
        flag = flag.replace(f"{{prefix:{name}}}", prefix)
    return flag


def module_link_flags(manifests: list[dict], gfortran_companions=GFORTRAN_COMPANIONS,
                      library_prefixes: dict[str, str] | None = None) -> list[str]:
    """Libraries the linked-in extension modules need (their -L/-l and flags), deduplicated in
    order, plus the C++ runtime when any extension was linked by a C++ driver, the Fortran
    runtime when any was linked by the Fortran driver (which names -lgfortran itself, not on
    its command line), and gfortran's companions right after -lgfortran. library_prefixes: where
    this build unpacked each library recipe, for the manifests' `{prefix:NAME}`."""
    flags: list[str] = []
    needs_cxx = needs_fortran = False
    for manifest in manifests:
        candidates = []
        for extension in manifest["extensions"]:
            needs_cxx = needs_cxx or extension.get("role") == "c++"
            needs_fortran = needs_fortran or extension.get("role") == "fortran"
            candidates += [expand_prefixes(flag, library_prefixes or {}) for flag in (
                [f"-L{d}" for d in extension.get("library_dirs", [])]
                + list(extension.get("link_flags", []))
                + list(extension.get("external_inputs", []))
                + [f"-l{name}" for name in extension.get("libraries", [])])]
        flags += [flag for flag in candidates if flag not in flags]
        if manifest["extensions"]:
            # A recipe's link_libraries come after its own libraries, even when an earlier
            # package named them already (h5py's libhdf5.a needs libm after it, and numpy's -lm
            # came first): static archives are read in order.
            after = [f"-l{name}" for name in manifest.get("link_libraries", [])]
            flags = [flag for flag in flags if flag not in after] + after
    if needs_fortran and "-lgfortran" not in flags:
        flags += ["-lgfortran", "-lm"]
    if "-lgfortran" in flags:
        position = flags.index("-lgfortran") + 1
        flags[position:position] = [flag for flag in gfortran_companions if flag not in flags]
    if needs_cxx:
        flags += [flag for flag in ("-lstdc++", "-lm") if flag not in flags]
    return flags


def trampoline_name(init_symbol: str) -> str:
    return f"slither_in_package_{init_symbol}"


def render_main_c(options: MainOptions) -> str:
    """The C source of main() for the given options."""
    for module, symbol in options.extensions:
        if not c_identifier_ok(symbol):
            raise ValueError(f"init symbol {symbol!r} of {module} is not a C identifier")
    declarations = "".join(f"extern PyObject *{symbol}(void);\n" for _, symbol in options.extensions)
    dotted = [(module, symbol) for module, symbol in options.extensions if "." in module]
    trampolines = "".join(f"static PyObject *{trampoline_name(symbol)}(void)\n"
                          f"{{\n    return slither_init_in_package({c_string(module)}, {symbol});\n}}\n\n"
                          for module, symbol in dotted)
    entries = "".join(f"    {{{c_string(module)}, {trampoline_name(symbol) if '.' in module else symbol}}},\n"
                      for module, symbol in options.extensions)
    main_module = c_string(options.main_module) if options.main_module else "NULL"
    text = TEMPLATE
    for key, value in {
        "@SERIES@": options.series,
        "@FROZEN@": "1" if options.stdlib_frozen else "0",
        "@MAIN_MODULE@": main_module,
        "@OPENSSL_CONF@": c_string(options.openssl_config),
        "@DEFAULT_GETENV@": DEFAULT_GETENV.replace("@DEFAULTS@", "".join(
            f"    {{{c_string(name)}, {c_string(value)}}},\n" for name, value in options.default_environment)),
        "@EXTENSION_DECLARATIONS@": declarations,
        "@PACKAGE_CONTEXT@": PACKAGE_CONTEXT if dotted else "",
        "@EXTENSION_TRAMPOLINES@": trampolines,
        "@EXTENSION_ENTRIES@": entries,
        "@SYMBOL_LOOKUP@": SYMBOL_LOOKUP,
    }.items():
        text = text.replace(key, value)
    return text.replace("#if SLITHER_MAIN_MODULE_SET", "#if " + ("1" if options.main_module else "0"))
