"""Package recipes (modules/<name>.py other than cpython and build_tools): vocabulary and loading.

Kept apart from slither.loading and slither.recipe, which the CPython step signs: growing the
package-recipe vocabulary must not rebuild CPython.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from .errors import SlitherError
from .loading import MODULES_DIR, load_python_file
from .recipe import Source


# How a package turns into installed files; "pure" packages have no compiled code at all.
PACKAGE_BUILD_SYSTEMS = ("setuptools", "meson-python", "pure")
# C libraries built from source into an install prefix (slither.library_build), not Python
# packages: "autotools" is ./configure && make && make install.
LIBRARY_BUILD_SYSTEMS = ("autotools",)
BUILD_SYSTEMS = PACKAGE_BUILD_SYSTEMS + LIBRARY_BUILD_SYSTEMS

# What a library recipe may provide that another build can take from elsewhere instead:
# "mpi" is replaced by a site's MPI (MPI=system, or a TARGET whose compiler is MPI-aware).
PROVIDABLE = ("mpi",)


@dataclass
class Recipe:
    """A module recipe as loaded from modules/<name>.py (load_module_recipe below).

    `link_libraries` are `-l` names the final link adds beyond what the captures recorded
    (e.g. a library a package dlopens in its shared build); `patches` are file names in
    patches/, applied in order to the unpacked source; `extension_modules` are the dotted
    names the build must produce (packages such as markupsafe quietly fall back to pure
    Python when their C code fails to build: this turns that into an error); `extra` keeps
    any other fields the recipe declares, for code that handles a special package.

    Library recipes (build_system "autotools") add `configure_flags` (given to ./configure
    after --prefix), `provides` (e.g. "mpi") and `mpi_wrapper` (the MPI compiler wrapper
    inside their install prefix, e.g. "bin/mpicc").
    """

    name: str
    version: str = ""
    source: Source | None = None
    build_system: str = ""
    depends_on: tuple[str, ...] = ()
    link_libraries: tuple[str, ...] = ()
    patches: tuple[str, ...] = ()
    extension_modules: tuple[str, ...] = ()
    configure_flags: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    mpi_wrapper: str = ""
    path: str = ""
    extra: dict = field(default_factory=dict)


# Files in modules/ that describe something other than a package to build in.
NOT_PACKAGE_RECIPES = ("cpython", "build_tools")
RECIPE_TUPLE_FIELDS = ("depends_on", "link_libraries", "patches", "extension_modules", "configure_flags",
                       "provides")


def module_recipe_names(modules_dir: Path = MODULES_DIR) -> list[str]:
    return sorted(path.stem for path in modules_dir.glob("*.py")
                  if not path.name.startswith("_") and path.stem not in NOT_PACKAGE_RECIPES)


def load_module_recipe(name: str, modules_dir: Path = MODULES_DIR) -> Recipe:
    """modules/<name>.py as a checked Recipe; unknown fields go to `extra`."""
    path = Path(modules_dir) / f"{name}.py"
    if not path.is_file():
        return _missing_recipe(name, modules_dir)
    module = load_python_file(path, "recipe")
    declared = {key: value for key, value in vars(module).items()
                if not key.startswith("_") and not isinstance(value, ModuleType) and not callable(value)}
    for required in ("name", "version", "source", "build_system"):
        if not declared.get(required):
            raise SlitherError(f"{path}: recipe lacks {required}")
    if declared["name"] != name:
        raise SlitherError(f"{path}: recipe says name = {declared['name']!r}; the file must be modules/{declared['name']}.py")
    if declared["build_system"] not in BUILD_SYSTEMS:
        raise SlitherError(f"{path}: build_system {declared['build_system']!r} is not one of {', '.join(BUILD_SYSTEMS)}")
    if not isinstance(declared["source"], Source) or len(declared["source"].sha256) != 64:
        raise SlitherError(f"{path}: source must be a Source with a sha256 (slither.recipe.pinned_sdist)")
    fields = {key: declared.pop(key) for key in ("name", "version", "source", "build_system")}
    for key in RECIPE_TUPLE_FIELDS:
        if key in declared:
            value = declared.pop(key)
            if isinstance(value, str):
                raise SlitherError(f"{path}: {key} must be a list of names, not the string {value!r}")
            fields[key] = tuple(value)
    unknown = sorted(set(fields.get("provides", ())) - set(PROVIDABLE))
    if unknown:
        raise SlitherError(f"{path}: provides {', '.join(unknown)}: only {', '.join(PROVIDABLE)} can be provided")
    if fields["build_system"] in LIBRARY_BUILD_SYSTEMS and "mpi" in fields.get("provides", ()) \
            and not declared.get("mpi_wrapper"):
        raise SlitherError(f"{path}: a recipe that provides mpi must name its mpi_wrapper (e.g. 'bin/mpicc')")
    if "mpi_wrapper" in declared:
        fields["mpi_wrapper"] = str(declared.pop("mpi_wrapper"))
    # Recipe vocabulary imported by the file (pinned_sdist, Source) is not a field.
    extra = {key: value for key, value in declared.items() if not isinstance(value, type)}
    return Recipe(**fields, path=str(path), extra=extra)


def is_library(recipe: Recipe) -> bool:
    """A C library built into an install prefix, not a Python package to freeze."""
    return recipe.build_system in LIBRARY_BUILD_SYSTEMS


def uses_mpi(recipe: Recipe, modules_dir: Path = MODULES_DIR) -> bool:
    """Whether a package needs an MPI: one of its depends_on provides it."""
    return any("mpi" in load_module_recipe(name, modules_dir).provides for name in recipe.depends_on)


def _missing_recipe(name: str, modules_dir: Path) -> Recipe:
    names = module_recipe_names(modules_dir)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise SlitherError(f"no recipe modules/{name}.py{hint}; give name==version to build it "
                       "without one (its sha256 is then locked on first use)")
