"""Names of extension modules: file suffixes, dotted module names, init symbols.

Mangling of a dotted module name into the init symbol of its static twin: `PyInit_` followed,
for each dotted component, by its length in decimal and the component itself:

    tinypkg.sub._speed             -> PyInit_7tinypkg3sub6_speed
    numpy._core._multiarray_umath  -> PyInit_5numpy5_core17_multiarray_umath

Identifiers never start with a digit, so the length is read unambiguously and the mapping is
one-to-one (unlike `.` -> `__`, where `a.b__c` and `a__b.c` collide). For the same reason no
mangled name can equal the `PyInit_<identifier>` of a real extension or of a stdlib module.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from ..errors import SlitherError

# .cpython-311-x86_64-linux-gnu.so, .cpython-313t-...so, .cpython-311d.so, .abi3.so
VERSIONED_SUFFIX = re.compile(r"\.(cpython-\d+[a-z]*(-[A-Za-z0-9_-]+)?|abi3)\.so$")


def has_extension_suffix(file_name: str) -> bool:
    """True for names only a Python extension module carries (not a plain `.so`)."""
    return VERSIONED_SUFFIX.search(file_name) is not None


def may_be_extension(file_name: str) -> bool:
    """True for any `.so` name; a plain one is an extension only if it defines PyInit_<stem>."""
    return file_name.endswith(".so")


def module_basename(file_name: str) -> str:
    """`_speed.cpython-311-x86_64-linux-gnu.so` -> `_speed`: what CPython derives PyInit_ from."""
    return PurePath(file_name).name.split(".", 1)[0]


def original_init_symbol(file_name: str) -> str:
    return "PyInit_" + module_basename(file_name)


def dotted_module_name(relative_path: PurePath) -> str:
    """`tinypkg/sub/_speed.cpython-311-x86_64-linux-gnu.so` -> `tinypkg.sub._speed`."""
    parts = [*relative_path.parent.parts, module_basename(relative_path.name)]
    for part in parts:
        if not (part.isascii() and part.isidentifier()):
            raise SlitherError(f"extension {relative_path} is not importable: {part!r} is not an "
                               f"ASCII identifier (install the package so its modules sit at their import paths)")
    return ".".join(parts)


def static_init_symbol(dotted_name: str) -> str:
    """The unique C identifier a static extension's init function is renamed to (see above)."""
    return "PyInit_" + "".join(f"{len(part)}{part}" for part in dotted_name.split("."))
