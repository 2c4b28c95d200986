"""Freeze Python modules into one blob that the static binary links in.

Run by the *built* interpreter (`python3.X -S -m slither.freeze.freezer ...`), because marshal's
format belongs to the CPython version that will load it. Writes:
  --blob      every module's marshalled code object, back to back
  --asm       an assembler stub that includes the blob with .incbin (no giant C arrays)
  --table     C source of the `struct _frozen` table the binary installs as PyImport_FrozenModules
  --manifest  JSON: every frozen module with its size, for `slither inspect` and the summary

Code objects carry `<frozen json/decoder.py>` as their file name: tracebacks name the
original file and line, and linecache never probes the filesystem for such names. With
--sources, every module's source is frozen too, compressed, one generated module per
top-level package (`_slither_sources_json`); the runtime reads it only when a traceback,
linecache, pdb or inspect asks for a line (slither/runtime/_slither_sources.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import marshal
import os
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

# Modules CPython freezes itself (and deep-freezes): ours would only shadow them, slower.
try:
    import _imp
    CPYTHON_FROZEN = frozenset(_imp._frozen_module_names())
except (ImportError, AttributeError):  # only the built interpreter matters; tests may differ
    CPYTHON_FROZEN = frozenset()

from slither.sources.unpack import safe_extract  # noqa: E402  (pure Python: fine in the built interpreter)
from slither.sources.source_files import source_files  # noqa: E402
from slither.freeze.data_by_path import data_digest, packages_reading_data_by_path  # noqa: E402

RUNTIME_MODULE = "_slither_runtime"
MANIFEST_MODULE = "_slither_manifest"
DISTRIBUTIONS_MODULE = "_slither_distributions"
DATA_MODULE_PREFIX = "_slither_data_"
SOURCES_MODULE_PREFIX = "_slither_sources_"
# Files that are code, not data: compiled or built artefacts a static binary has no use for.
NOT_DATA_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".a", ".o")


@dataclass(frozen=True)
class ModuleSource:
    name: str          # dotted module name
    path: Path | None  # the .py file, or None for generated source
    is_package: bool
    display_path: str  # what tracebacks show, relative to its root
    origin: str        # "stdlib", "runtime", a FREEZE_PATHS root, ..., "data"
    text: bytes | None = None
    data_files: tuple[int, int] = (0, 0)  # a package-data module: (files, bytes) it holds


def _is_namespace_package(directory: Path, relative_dir: Path, filenames: list[str]) -> bool:
    """A directory without __init__.py inside a package, whose modules its package imports
    as an implicit namespace package (numpy.testing imports numpy._core.tests._natype, and
    numpy/_core/tests/ has no __init__.py). Only when every .py file in it compiles: such a
    directory may as well hold test data that merely ends in .py (it then stays package data)."""
    sources = [name for name in filenames if name.endswith(".py")]
    if len(relative_dir.parts) < 2 or not relative_dir.name.isidentifier() or not sources:
        return False
    for name in sources:
        try:
            compile((directory / name).read_bytes(), name, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


def discover(root: Path, origin: str, excluded: frozenset = frozenset(),
             namespace_packages: bool = False, kept: set | None = None) -> list[ModuleSource]:
    """Every importable .py module below ``root``: each enclosing directory must be a package,
    or (namespace_packages, for third-party packages) a namespace directory inside one, which
    is frozen as a package with an empty __init__."""
    root = Path(root)
    found = []
    for directory, dirnames, filenames in os.walk(root):
        directory = Path(directory)
        relative_dir = directory.relative_to(root)
        if relative_dir.parts:
            if relative_dir.parts[0] in excluded:
                dirnames[:] = []
                continue
            if not (directory / "__init__.py").is_file():
                if not (namespace_packages and _is_namespace_package(directory, relative_dir, filenames)):
                    dirnames[:] = []
                    continue
                found.append(ModuleSource(
                    name=".".join(relative_dir.parts), path=None, is_package=True,
                    display_path=(relative_dir / "__init__.py").as_posix(), origin=origin, text=b""))
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for filename in sorted(filenames):
            if not filename.endswith(".py"):
                continue
            if kept is not None and (relative_dir / filename).as_posix() not in kept:
                continue
            stem = filename[:-3]
            if "." in stem or " " in stem:
                continue
            parts = list(relative_dir.parts)
            is_package = stem == "__init__"
            if not is_package:
                parts.append(stem)
            if not parts or parts[0] in excluded:
                continue
            found.append(ModuleSource(
                name=".".join(parts), path=directory / filename, is_package=is_package,
                display_path=(relative_dir / filename).as_posix(), origin=origin))
    return found


def namespace_parents(extensions: list[str], known: set[str]) -> list[str]:
    """The packages dotted built-in extensions need that no module makes: a directory that held
    only extension modules and no __init__.py (scipy/sparse/linalg/_propack/), an implicit
    namespace package to stock Python. Its extensions are in the binary, not in site.tar, so
    `discover` cannot see it; without a parent module they cannot be imported."""
    missing = set()
    for extension in extensions:
        parts = extension.split(".")
        missing.update(".".join(parts[:length]) for length in range(1, len(parts)))
    return sorted(missing - known)


def discover_data(root: Path, frozen_paths: set[Path], kept: set | None = None) -> dict[str, Path]:
    """Package data below ``root``: every file inside a top-level package (at any depth, also in
    directories that are not packages) that is not frozen as a module or a build artefact, and
    every ``*.dist-info`` file. Keys are posix paths relative to ``root``."""
    root = Path(root)
    data = {}
    for top in sorted(root.iterdir()) if root.is_dir() else []:
        if not top.is_dir() or not ((top / "__init__.py").is_file() or top.name.endswith(".dist-info")):
            continue
        for directory, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for filename in sorted(filenames):
                path = Path(directory) / filename
                if path in frozen_paths or filename.endswith(NOT_DATA_SUFFIXES) or path.is_symlink():
                    continue
                if kept is not None and path.relative_to(root).as_posix() not in kept:
                    continue
                data[path.relative_to(root).as_posix()] = path
    return data


def render_data_module(files: dict[str, bytes]) -> str:
    lines = ['"""Package data frozen by slither.freeze; served by _slither_resources."""', "FILES = {"]
    lines += [f"    {path!r}: {content!r}," for path, content in sorted(files.items())]
    return "\n".join(lines + ["}", ""])


def data_modules(data: dict[str, Path]) -> tuple[list[ModuleSource], dict[str, str], str]:
    """Generated modules for package data, one per top-level package, and one for every
    distribution's metadata; returns them, {package: module name} and the metadata module."""
    grouped: dict[str, dict[str, bytes]] = {}
    for path, source in data.items():
        top = path.partition("/")[0]
        key = DISTRIBUTIONS_MODULE if top.endswith(".dist-info") else DATA_MODULE_PREFIX + top
        grouped.setdefault(key, {})[path] = source.read_bytes()
    modules = [dataclasses.replace(generated_module(name, render_data_module(files), "data"),
                                   data_files=(len(files), sum(map(len, files.values()))))
               for name, files in sorted(grouped.items())]
    packages = {name[len(DATA_MODULE_PREFIX):]: name for name in grouped if name != DISTRIBUTIONS_MODULE}
    return modules, packages, DISTRIBUTIONS_MODULE if DISTRIBUTIONS_MODULE in grouped else ""


def source_modules(modules: list[ModuleSource]) -> tuple[list[ModuleSource], dict[str, str]]:
    """One generated module per top-level package holding its modules' sources:
    `SOURCES = zlib.compress(marshal.dumps({module name: source bytes}))`, decompressed on the
    first request, so a binary that never shows a source line never pays for it. Returns them
    and {top-level name: module name}."""
    grouped: dict[str, dict[str, bytes]] = {}
    for module in modules:
        if module.path is None:  # generated (manifest, data, empty namespace __init__): no file
            continue
        grouped.setdefault(module.name.partition(".")[0], {})[module.name] = module.path.read_bytes()
    generated, names = [], {}
    for top, sources in sorted(grouped.items()):
        name = SOURCES_MODULE_PREFIX + top
        blob = zlib.compress(marshal.dumps(dict(sorted(sources.items()))), 9)
        generated.append(generated_module(
            name, f'"""Sources of {top} (compressed), frozen by slither.freeze."""\nSOURCES = {blob!r}\n', "sources"))
        names[top] = name
    return generated, names


def generated_module(name: str, text: str, origin: str) -> ModuleSource:
    return ModuleSource(name=name, path=None, is_package=False,
                        display_path=f"{name}.py", origin=origin, text=text.encode())


@dataclass(frozen=True)
class Selection:
    """What select_modules chose: the modules to freeze, in name order, and the top-level
    packages whose data the binary writes node-locally at their first import (DATA_BY_PATH)."""
    modules: list[ModuleSource]
    data_by_path: list[str]


class UncompilableStdlibFile(Exception):
    """A stdlib file that does not compile on purpose (the test package's bad_coding.py,
    badsyntax_*.py): CPython's own `make install` compiles the stdlib ignoring such errors."""


def compile_module(module: ModuleSource, optimize: int) -> bytes:
    source = module.text if module.text is not None else module.path.read_bytes()
    try:
        code = compile(source, f"<frozen {module.display_path}>", "exec",
                       dont_inherit=True, optimize=optimize)
    except (SyntaxError, ValueError) as error:
        if module.origin == "stdlib":
            raise UncompilableStdlibFile(module.display_path) from None
        raise SystemExit(f"slither: error: cannot freeze {module.path or module.name}: {error}")
    return marshal.dumps(code)


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_table(entries: list[tuple[str, int, int, bool]]) -> str:
    """C source of the frozen-module table; entries are (name, offset, size, is_package)."""
    lines = [
        "/* Generated by slither.freeze.freezer: the frozen modules of this binary. */",
        "#include <Python.h>",
        "",
        "extern const unsigned char slither_frozen_blob[];",
        "",
        "const struct _frozen slither_frozen_modules[] = {",
    ]
    for name, offset, size, is_package in entries:
        lines.append(f"    {{.name = {c_string(name)}, .code = slither_frozen_blob + {offset}, "
                     f".size = {size}, .is_package = {int(is_package)}}},")
    lines += ["    {0},", "};", ""]
    return "\n".join(lines)


def render_asm(blob_name: str) -> str:
    return "\n".join([
        "/* Generated by slither.freeze.freezer: the marshalled modules, included as bytes. */",
        '\t.section .rodata.slither_frozen,"a"',
        "\t.globl slither_frozen_blob",
        "\t.type slither_frozen_blob, @object",
        "\t.balign 16",
        "slither_frozen_blob:",
        f'\t.incbin "{blob_name}"',
        "\t.size slither_frozen_blob, .-slither_frozen_blob",
        '\t.section .note.GNU-stack,"",@progbits',
        "",
    ])


def render_manifest_module(excluded: list[str], top_level: list[str], build_manifest: dict,
                           data_modules: dict[str, str] | None = None, distributions_module: str = "",
                           source_modules: dict[str, str] | None = None,
                           data_by_path: dict[str, str] | None = None) -> str:
    """Source of _slither_manifest: what the runtime must know about this binary."""
    # This text is frozen into every binary: it names the package, as it did before the freezer
    # moved to slither/freeze/freezer.py, so that moving code does not change the binary's bytes.
    return (
        '"""What this static binary contains (generated by slither.freeze)."""\n'
        f"EXCLUDED_STDLIB = frozenset({sorted(excluded)!r})\n"
        f"FROZEN_TOP_LEVEL = frozenset({sorted(top_level)!r})\n"
        f"DATA_MODULES = {dict(sorted((data_modules or {}).items()))!r}\n"
        f"DISTRIBUTIONS_MODULE = {distributions_module!r}\n"
        f"BUILD = {build_manifest!r}\n"
        # Only when sources are frozen: without them a binary keeps the bytes it always had.
        + (f"SOURCE_MODULES = {dict(sorted(source_modules.items()))!r}\n" if source_modules else "")
        # {top-level name: digest of its data}: packages whose data is written node-locally
        + (f"DATA_BY_PATH = {dict(sorted(data_by_path.items()))!r}\n" if data_by_path else "")
    )


def select_modules(stdlib: Path | None, excluded: frozenset, runtime: list[Path],
                   extra_roots: list[tuple[Path, str]], build_manifest: dict,
                   with_sources: bool = False, unfrozen: frozenset = frozenset(),
                   builtin_extensions: list[str] = (), user_roots=(),
                   data_by_path_decided: dict[str, bool] | None = None) -> Selection:
    """extra_roots: (directory, origin) pairs, e.g. a package's unpacked site.tar; their
    package data is frozen too (the stdlib's is not: nothing in it reads data at run time
    that a compute job needs, and it would cost a few MiB). with_sources: freeze every
    module's source as well (source_modules), CPython's own frozen modules (os, codecs) too.
    unfrozen: top-level packages of extra_roots left out, modules and data (UNFROZEN: they are
    installed as files instead); each must name one. builtin_extensions: the dotted names of
    the packages' extension modules, whose parent packages must exist. user_roots: those of
    extra_roots that are the user's own directories (FREEZE_PATHS): only their source files are
    taken (slither.sources.source_files: no hidden files, nothing .gitignore excludes).
    data_by_path_decided: recipes' answers (slither.freeze.data_by_path) by top-level name."""
    modules: dict[str, ModuleSource] = {}
    if stdlib is not None:
        for module in discover(stdlib, "stdlib", excluded):
            modules[module.name] = module
    data: dict[str, Path] = {}
    offered = set()
    for root, origin in extra_roots:
        kept = set(source_files(root)) if root in user_roots else None
        found = discover(root, origin, namespace_packages=True, kept=kept)
        offered |= {module.name.partition(".")[0] for module in found}
        found = [module for module in found if module.name.partition(".")[0] not in unfrozen]
        for module in found:
            modules[module.name] = module  # later roots win, as on sys.path order reversed
        data.update({path: source for path, source in discover_data(root, {module.path for module in found}, kept).items()
                     if path.partition("/")[0] not in unfrozen})
    frozen_extensions = [name for name in builtin_extensions if name.partition(".")[0] not in unfrozen]
    for name in namespace_parents(frozen_extensions, set(modules)):
        modules[name] = ModuleSource(name=name, path=None, is_package=True, origin="namespace", text=b"",
                                     display_path=name.replace(".", "/") + "/__init__.py")
    unknown = sorted(set(unfrozen) - offered)
    if unknown:
        raise SystemExit(f"slither: error: UNFROZEN={','.join(unknown)}: no such top-level package in MODULES or "
                         f"FREEZE_PATHS (they hold: {', '.join(sorted(offered)) or 'none'})")
    for path in runtime:
        modules[path.stem] = ModuleSource(path.stem, path, False, path.name, "runtime")
    sources, source_names = source_modules(list(modules.values())) if with_sources else ([], {})
    for name in CPYTHON_FROZEN:
        modules.pop(name, None)
    top_level = {name.partition(".")[0] for name in modules} | {
        name.partition(".")[0] for name in CPYTHON_FROZEN if not name.startswith("<")}
    package_sources = {module.name: module.path for module in modules.values()
                       if module.path is not None and module.origin not in ("stdlib", "runtime")}
    by_path = packages_reading_data_by_path(package_sources, data, data_by_path_decided or {})
    by_path_digests = {top: data_digest({path: source.read_bytes() for path, source in data.items()
                                         if path.partition("/")[0] == top}) for top in sorted(by_path)}
    generated, data_packages, distributions = data_modules(data)
    for module in generated + sources:
        modules[module.name] = module
    modules[MANIFEST_MODULE] = generated_module(
        MANIFEST_MODULE, render_manifest_module(sorted(excluded), sorted(top_level), build_manifest,
                                                data_packages, distributions, source_names, by_path_digests),
        "runtime")
    return Selection(modules=[modules[name] for name in sorted(modules)], data_by_path=sorted(by_path_digests))


def freeze(modules: list[ModuleSource], optimize: int):
    """The blob, its table entries, the manifest, and the stdlib files left out because they do
    not compile (importing one raises ImportError in the binary, SyntaxError under stock Python)."""
    blob = bytearray()
    entries = []
    manifest = []
    uncompilable = []
    for module in modules:
        try:
            data = compile_module(module, optimize)
        except UncompilableStdlibFile as error:
            uncompilable.append(str(error))
            continue
        entries.append((module.name, len(blob), len(data), module.is_package))
        manifest.append({"name": module.name, "package": module.is_package, "size": len(data),
                         "origin": module.origin})
        blob += data
    return bytes(blob), entries, manifest, uncompilable


def data_report(modules: list[ModuleSource]) -> dict:
    """{generated data module: {"files": n, "bytes": size of the files}} for the manifest."""
    return {module.name: {"files": module.data_files[0], "bytes": module.data_files[1]}
            for module in modules if module.origin == "data"}


def write(path: Path, data: bytes) -> None:
    """Write atomically: a killed freeze never leaves a file that looks finished."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def check_main(main_module: str, frozen: set, extensions) -> None:
    """MAIN must be a module the binary has: a frozen one, a package's extension, a built-in."""
    if not main_module or main_module in frozen or main_module in extensions \
            or main_module in sys.builtin_module_names or main_module in CPYTHON_FROZEN:
        return
    close = difflib.get_close_matches(main_module, sorted({*frozen, *extensions}), n=1)
    raise SystemExit(f"slither: error: MAIN={main_module}: the binary has no such module"
                     + (f" (did you mean {close[0]}?)" if close else "")
                     + "; it would fail at start on every node")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Freeze modules into a linkable blob.")
    parser.add_argument("--stdlib", type=Path, help="the stdlib directory (lib/python3.X)")
    parser.add_argument("--exclude", default="", help="comma-separated top-level stdlib names")
    parser.add_argument("--root", type=Path, action="append", default=[],
                        help="another directory of modules to freeze (FREEZE_PATHS)")
    parser.add_argument("--root-archive", type=Path, action="append", default=[],
                        help="a package's site.tar (slither.packages.build) to freeze")
    parser.add_argument("--runtime", type=Path, action="append", required=True,
                        help="a runtime module (slither/runtime/*.py); repeatable")
    parser.add_argument("--extensions", type=Path, action="append", default=[],
                        help="a package's extensions.json: its dotted extension modules; repeatable")
    parser.add_argument("--build-manifest", type=Path, help="JSON embedded as _slither_manifest.BUILD")
    parser.add_argument("--optimize", type=int, default=0)
    parser.add_argument("--unfrozen", action="append", default=[],
                        help="a top-level package left out, installed as files instead (UNFROZEN)")
    parser.add_argument("--main", default="", help="MAIN: the module the binary runs by default; it must exist")
    parser.add_argument("--data-by-path", action="append", default=[], metavar="NAME=yes|no",
                        help="a recipe's answer to whether top-level package NAME reads its data by path")
    parser.add_argument("--sources", action="store_true",
                        help="freeze every module's source too, compressed (FROZEN_SOURCES)")
    for output in ("blob", "asm", "table", "manifest"):
        parser.add_argument(f"--{output}", type=Path, required=True)
    args = parser.parse_args(argv)

    excluded = frozenset(name for name in args.exclude.split(",") if name)
    build_manifest = json.loads(args.build_manifest.read_text()) if args.build_manifest else {}
    with tempfile.TemporaryDirectory(prefix="slither-freeze-") as scratch:
        roots = [(root, root.name) for root in args.root]
        for index, archive in enumerate(args.root_archive):
            unpacked = Path(scratch) / str(index)
            safe_extract(archive, unpacked)
            roots.append((unpacked, archive.parent.name))  # e.g. "markupsafe-3.0.2"
        extensions = [extension["module"] for path in args.extensions
                      for extension in json.loads(path.read_text())["extensions"]]
        decided = {name: answer == "yes" for name, _, answer in
                   (entry.partition("=") for entry in args.data_by_path)}
        selection = select_modules(args.stdlib, excluded, args.runtime, roots, build_manifest, args.sources,
                                 frozenset(args.unfrozen), extensions, user_roots=frozenset(args.root),
                                 data_by_path_decided=decided)
        modules = selection.modules
        check_main(args.main, {module.name for module in modules}, extensions)
        blob, entries, manifest, uncompilable = freeze(modules, args.optimize)
    if uncompilable:
        print(f"freeze: left out {len(uncompilable)} stdlib file(s) that do not compile on purpose (CPython's "
              f"own install leaves them uncompiled too): {', '.join(uncompilable[:4])}"
              f"{', ...' if len(uncompilable) > 4 else ''}")
    write(args.blob, blob)
    write(args.asm, render_asm(args.blob.name).encode())
    write(args.table, render_table(entries).encode())
    report = {"python": "%d.%d.%d" % sys.version_info[:3], "modules": manifest,
              "package_data": data_report(modules),
              "data_by_path": selection.data_by_path,
              "cpython_frozen": sorted(CPYTHON_FROZEN), "total_bytes": len(blob),
              "stdlib_left_out_uncompilable": uncompilable}
    write(args.manifest, (json.dumps(report, indent=1) + "\n").encode())


if __name__ == "__main__":
    main()
