"""How a library recipe is linked: the recipe's own static build, or its shared twin.

The static binary links MPICH's libmpi.a into itself. What it is compared with (the stock
interpreter in bench/contenders.py and harness/suites/run) must get MPI the way a stock
install does: mpi4py's MPI.so loading a shared libmpi.so at run time. Debian's libmpich would
make that comparison about two different MPIs (ch4, UCX, its own hwloc and configure options),
so the shared MPI is built from the very same recipe and source, with every configure option
kept but the two that choose the library kind. Why a variant of the one recipe rather than a
second recipe file: a copy of the option list would drift from the static one; deriving it
here keeps them one list, and the step's signature (its command line carries the flags) caches
the two builds under different keys.

Kept out of slither.libraries.build on purpose: that script signs every library build, so the
flags are decided here, at plan time, and reach it as ordinary --configure-flag arguments.
"""

from __future__ import annotations

from slither.errors import SlitherError

LINKAGES = ("static", "shared")

# What a static-only recipe must say, and what its shared twin says instead, option by option.
STATIC_TO_SHARED = {"--disable-shared": "--enable-shared", "--enable-static": "--disable-static"}


def configure_flags_for(recipe_name: str, configure_flags, linkage: str) -> tuple[str, ...]:
    """The recipe's configure flags for `linkage`; "static" is the recipe as written."""
    flags = tuple(configure_flags)
    if linkage == "static":
        return flags
    if linkage != "shared":
        raise SlitherError(f"library linkage {linkage!r}: choose one of {', '.join(LINKAGES)}")
    missing = [flag for flag in STATIC_TO_SHARED if flag not in flags]
    if missing:
        raise SlitherError(f"modules/{recipe_name}.py: a shared build is derived from a recipe that says "
                           f"{' and '.join(STATIC_TO_SHARED)} explicitly; it lacks {', '.join(missing)}")
    return tuple(STATIC_TO_SHARED.get(flag, flag) for flag in flags)


def directory_name(recipe_name: str, version: str, target_name: str, linkage: str) -> str:
    """BUILD_DIR/libraries/<this>: the static build keeps its established name."""
    base = f"{recipe_name}-{version}-{target_name}"
    return base if linkage == "static" else f"{base}-{linkage}"
