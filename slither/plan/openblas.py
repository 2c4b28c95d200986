"""BLAS_CPU: which CPU kernels the OpenBLAS library recipe compiles, and the plan's view of it.

`dynamic` (the default: every x86-64 family, chosen at run time) or one OpenBLAS TARGET name
(HASWELL, ZEN, SKYLAKEX, ...: smaller, and faster to build), checked against the
TargetList.txt of the pinned source. How package recipes take OpenBLAS (its dependency,
meson options, link libraries) is recipe data: slither/recipes/openblas.py.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tarfile
from pathlib import Path

from slither.errors import SlitherError
from slither.recipes.openblas import RECIPE

DYNAMIC = "dynamic"
# The recipe's make flags for BLAS_CPU=dynamic; any other value replaces them by TARGET=<it>.
DYNAMIC_FLAGS = ("DYNAMIC_ARCH=1", "TARGET=GENERIC")
TARGET_LIST = "TargetList.txt"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def parse_blas_cpu(text) -> str:
    """BLAS_CPU as typed: empty or `dynamic` is the default; anything else must look like a
    TARGET name (checked against the source's list by check_blas_cpu, once it is at hand)."""
    value = (text or "").strip()
    if not value or value.lower() == DYNAMIC:
        return DYNAMIC
    if not _NAME.match(value):
        raise SlitherError(f"BLAS_CPU={value}: give dynamic or one OpenBLAS CPU target name, e.g. HASWELL")
    return value


def target_names(list_text: str) -> tuple[str, ...]:
    """The CPU target names of OpenBLAS's TargetList.txt: the first word of each line after
    "Supported List:", leaving out the numbered section titles ("1.X86/X86_64"), the vendor
    headings ("a)Intel CPU:") and comments."""
    _, _, supported = list_text.partition("Supported List:")
    names = []
    for line in supported.splitlines():
        words = line.split()
        if not words or line.rstrip().endswith(":") or words[0].startswith("//"):
            continue
        if _NAME.match(words[0]):
            names.append(words[0])
    return tuple(dict.fromkeys(names))


def target_names_in(tarball: Path) -> tuple[str, ...]:
    """target_names of the TargetList.txt at the top of a source tarball."""
    try:
        with tarfile.open(tarball) as archive:
            for member in archive:
                if member.isfile() and member.name.count("/") == 1 and member.name.endswith("/" + TARGET_LIST):
                    return target_names(archive.extractfile(member).read().decode("utf-8", "replace"))
    except (OSError, tarfile.TarError) as error:
        raise SlitherError(f"cannot read {TARGET_LIST} from {tarball}: {error}") from None
    raise SlitherError(f"{tarball} has no {TARGET_LIST}: is it OpenBLAS's source?")


def check_blas_cpu(cpu: str, names) -> None:
    """One line naming the closest targets when BLAS_CPU is not one of OpenBLAS's."""
    if cpu == DYNAMIC or cpu in names:
        return
    by_upper = {name.upper(): name for name in names}
    close = ([by_upper[cpu.upper()]] if cpu.upper() in by_upper
             else [by_upper[match] for match in difflib.get_close_matches(cpu.upper(), list(by_upper), n=3)])
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    raise SlitherError(f"BLAS_CPU={cpu}: not an OpenBLAS CPU target ({hint}dynamic, or a name from the "
                       f"source's {TARGET_LIST}: {', '.join(names[:12])}, ...)")


def uses_openblas(recipes) -> bool:
    return any(recipe.name == RECIPE for recipe in recipes)


def apply_blas_cpu(cpu: str, recipes: tuple) -> tuple:
    """The openblas recipe with the make flags of BLAS_CPU (its file says dynamic): the flags are
    part of the library step's command, so another BLAS_CPU is another cache key."""
    if cpu == DYNAMIC:
        return recipes
    changed = []
    for recipe in recipes:
        if recipe.name == RECIPE:
            flags = [flag for flag in recipe.make_flags if flag not in DYNAMIC_FLAGS]
            recipe = dataclasses.replace(recipe, make_flags=(*flags, f"TARGET={cpu}"))
        changed.append(recipe)
    return tuple(changed)


def blas_cpu_of(recipe) -> str:
    """What the openblas recipe's make flags build: dynamic, or the one TARGET."""
    flags = recipe.make_flags
    if "DYNAMIC_ARCH=1" in flags:
        return DYNAMIC
    return next((flag.partition("=")[2] for flag in flags if flag.startswith("TARGET=")), DYNAMIC)
