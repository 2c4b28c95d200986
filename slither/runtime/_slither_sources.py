"""Source lines of frozen modules, served from the binary.

Frozen into every Slither binary built with FROZEN_SOURCES (the default) and imported only
when something asks for a source line: a traceback being formatted, linecache, pdb, inspect,
a warning. The freezer stores each top-level package's sources as one compressed generated
module (`_slither_sources_json`: SOURCES = zlib.compress(marshal.dumps({module: bytes}))),
so the first request for a line of `json.decoder` costs one decompression of `json`'s
sources, in memory, and never a file call.

Two ways in, because the standard library asks in two ways:
* `FrozenImporter.get_source(name)`: importlib's loader protocol, which linecache.lazycache,
  inspect.getsource and pdb use for a module's `__file__`;
* a code object's file name, `<frozen json/decoder.py>` (or `<frozen os>` for CPython's own
  frozen modules): linecache gives up on any name in angle brackets before asking a loader,
  so `lines_for_filename` answers those names for the linecache that _slither_runtime
  patches when it is first imported.
"""

import marshal
import zlib
from importlib import import_module
from importlib.util import decode_source

import _slither_manifest

_decompressed = {}  # top-level name -> {module name: source bytes}


def _sources_of(top_level):
    if top_level not in _decompressed:
        module_name = getattr(_slither_manifest, "SOURCE_MODULES", {}).get(top_level)
        _decompressed[top_level] = (marshal.loads(zlib.decompress(import_module(module_name).SOURCES))
                                    if module_name else {})
    return _decompressed[top_level]


def source_of(fullname):
    """The source text of a frozen module, or None (a module frozen without its source)."""
    data = _sources_of(fullname.partition(".")[0]).get(fullname)
    return None if data is None else decode_source(data)


def module_of_filename(filename):
    """The module a frozen code object's file name, or a frozen module's `__file__`, stands
    for, or None for any other name: `<frozen json/decoder.py>` and
    `<stdlib dir>/json/decoder.py` -> json.decoder (or below a package's node-local data
    directory: _slither_runtime.frozen_relative), `<frozen json/__init__.py>` -> json,
    `<frozen os>` and `<frozen importlib._bootstrap>` (CPython's own) -> as written."""
    from _slither_runtime import frozen_relative
    if filename.startswith("<frozen ") and filename.endswith(">"):
        inner = filename[len("<frozen "):-1]
        if not inner.endswith(".py"):
            return inner
    elif filename.endswith(".py") and frozen_relative(filename):
        inner = frozen_relative(filename)
    else:
        return None
    parts = inner[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) or None


def lines_for_filename(filename):
    """linecache's lines for a frozen code object's file name, or None when it is not one."""
    fullname = module_of_filename(filename)
    if fullname is None:
        return None
    text = source_of(fullname)
    if text is None:
        return None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return lines
