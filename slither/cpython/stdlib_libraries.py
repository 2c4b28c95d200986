"""Which C libraries the stdlib's C modules link, and where each comes from.

One decision, made the same way by the plan (which library recipes to build before CPython) and
by the CPython step (which modules to build in, against which prefix): every library with a
recipe is built from its pinned source with the TARGET's compilers, unless HOST_LIBRARIES names
it, and then the host's static archives are taken. A library without a recipe (GNU readline,
gdbm, libxcrypt) is taken only when HOST_LIBRARIES names it; otherwise the modules that need it
are left out, with the reason. A module left out on request (WITHOUT) takes no library, and a
library no built-in module needs is not built.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from slither.errors import SlitherError


@dataclass(frozen=True)
class StdlibLibraryChoice:
    recipes: tuple[str, ...] = ()        # library recipes to build and link, by recipe name
    host: tuple[str, ...] = ()           # libraries taken from the host's static archives
    # module -> the libraries it links, after replacements (GNU readline for libedit)
    module_libraries: dict = field(default_factory=dict)
    left_out: dict = field(default_factory=dict)   # module -> why it is not built in


def libraries_by_name(cpython_recipe) -> dict:
    return {library.name: library for library in cpython_recipe.stdlib_libraries}


def parse_host_libraries(text, cpython_recipe) -> tuple[str, ...]:
    """HOST_LIBRARIES: comma-separated library names (modules/cpython/releases.py stdlib_libraries)."""
    entries = text if isinstance(text, (list, tuple)) else str(text).split(",")
    names = sorted({entry.strip() for entry in entries if entry.strip()})
    known = sorted(libraries_by_name(cpython_recipe))
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise SlitherError(f"HOST_LIBRARIES={name}: not a library the stdlib links{hint}; "
                               f"choose from {', '.join(known)}")
    return tuple(names)


def choose(cpython_recipe, host=(), without=(), cannot_build=None) -> StdlibLibraryChoice:
    """cannot_build: {library: why} whose recipes the TARGET's toolchain cannot build (its
    profile's stdlib_libraries_left_out); their modules are left out with that reason."""
    libraries = libraries_by_name(cpython_recipe)
    cannot_build = cannot_build or {}
    host = tuple(sorted(set(host)))
    replaced = {libraries[name].replaces: name for name in host if libraries[name].replaces}
    module_libraries, left_out, needed = {}, {}, []
    for extension in cpython_recipe.stdlib_extensions:
        if extension.name in without:
            left_out[extension.name] = "left out on request (WITHOUT)"
            continue
        names = tuple(replaced.get(name, name) for name in extension.libraries)
        missing = [libraries[name] for name in names if not libraries[name].recipe and name not in host]
        if missing:
            library = missing[0]
            left_out[extension.name] = (f"{library.why_no_recipe or library.name + ' has no recipe'}; "
                                        f"HOST_LIBRARIES={library.name} takes the host's {', '.join(library.archives)}"
                                        + (f" ({extension.fallback})" if extension.fallback else ""))
            continue
        unbuildable = [name for name in names if name in cannot_build and name not in host]
        if unbuildable:
            left_out[extension.name] = cannot_build[unbuildable[0]]
            continue
        module_libraries[extension.name] = names
        needed += [name for name in names if name not in needed]
    recipes = tuple(libraries[name].recipe for name in needed if name not in host)
    return StdlibLibraryChoice(recipes=recipes, host=tuple(name for name in needed if name in host),
                               module_libraries=module_libraries, left_out=left_out)


def check_host_libraries_used(choice: StdlibLibraryChoice, requested) -> None:
    """A library HOST_LIBRARIES names that no built-in module links (its modules left out by
    WITHOUT) would be looked for for nothing: say so rather than ignore it."""
    unused = sorted(set(requested) - set(choice.host))
    if unused:
        raise SlitherError(f"HOST_LIBRARIES={','.join(unused)}: no module built in links it (WITHOUT leaves "
                           "its modules out); drop it from one of the two")


def parse_without_modules(text, cpython_recipe) -> list[str]:
    """WITHOUT: stdlib C modules to leave out of the binary (comma-separated), each one the
    recipe knows (modules/cpython/releases.py stdlib_extensions)."""
    entries = text if isinstance(text, (list, tuple)) else str(text).split(",")
    names = sorted({entry.strip() for entry in entries if entry.strip()})
    known = sorted(extension.name for extension in cpython_recipe.stdlib_extensions)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SlitherError(f"WITHOUT={','.join(unknown)}: not a stdlib C module that links a C library; "
                           f"choose from {', '.join(known)}")
    return names
