"""Package and library recipes (modules/packages/, modules/libraries/): finding and loading them.

Kept apart from slither.recipes.loading, which the CPython step signs: growing the package-recipe
vocabulary must not rebuild CPython.
"""

from __future__ import annotations

import difflib
import inspect
from pathlib import Path
from types import ModuleType

from slither.errors import SlitherError
from slither.recipes.loading import MODULES_DIR, PROJECT_ROOT, load_python_file
from slither.recipes.recipe import LIBRARY_BUILD_SYSTEMS, Recipe, is_library, recipe_from_values

# modules/ holds four kinds of file, one folder each: cpython/ (the interpreter's pins) and
# build_tools/ (wheels the package builds run with) are loaded by name; recipes of Python
# packages to build in live in packages/, recipes of C libraries in libraries/.
RECIPE_FOLDERS = {"packages": "a Python package", "libraries": "a C library"}


def module_recipe_names(modules_dir: Path = MODULES_DIR) -> list[str]:
    return sorted(path.stem for folder in RECIPE_FOLDERS for path in (Path(modules_dir) / folder).glob("*.py")
                  if not path.name.startswith("_"))


def library_recipe_names(modules_dir: Path = MODULES_DIR) -> list[str]:
    """The C library recipes alone: only they may provide something (`provides`, e.g. MPI)."""
    return sorted(path.stem for path in (Path(modules_dir) / "libraries").glob("*.py") if not path.name.startswith("_"))


def recipe_path(name: str, modules_dir: Path = MODULES_DIR) -> Path | None:
    """Where the recipe called `name` lives (packages/ or libraries/), or None."""
    found = [path for folder in RECIPE_FOLDERS if (path := Path(modules_dir) / folder / f"{name}.py").is_file()]
    if len(found) > 1:
        raise SlitherError(f"two recipes are called {name}: {found[0]} and {found[1]}; rename one")
    return found[0] if found else None


def load_module_recipe(name: str, modules_dir: Path = MODULES_DIR) -> Recipe:
    """modules/{packages,libraries}/<name>.py as a checked Recipe; a name the file declares that
    is not a field of its kind of recipe is refused (slither.recipes.recipe)."""
    path = recipe_path(name, modules_dir)
    if path is None:
        return _missing_recipe(name, modules_dir)
    where = _shown(path)
    recipe = recipe_from_values(declared_values(load_python_file(path, "recipe")), where)
    if recipe.name != name:
        raise SlitherError(f"{where}: recipe says name = {recipe.name!r}; the file must be "
                           f"{path.parent.name}/{recipe.name}.py")
    kind_folder = "libraries" if recipe.build_system in LIBRARY_BUILD_SYSTEMS else "packages"
    if path.parent.name != kind_folder:
        raise SlitherError(f"{where}: build_system {recipe.build_system!r} makes it "
                           f"{RECIPE_FOLDERS[kind_folder]}; move it to modules/{kind_folder}/")
    recipe.path = str(path)
    return recipe


def declared_values(module: ModuleType) -> dict:
    """The names a recipe file declares: not private ones (leading _), not modules it imports, not
    the classes and functions it imports from the vocabulary (pinned_sdist, Source)."""
    return {key: value for key, value in vars(module).items()
            if not key.startswith("_") and not isinstance(value, ModuleType)
            and not ((inspect.isclass(value) or inspect.isfunction(value))
                     and getattr(value, "__module__", "").startswith("slither.recipes"))}


def _shown(path: Path) -> str:
    """A recipe's path as errors name it: relative to the checkout when inside it."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def uses_mpi(recipe: Recipe, modules_dir: Path = MODULES_DIR) -> bool:
    """Whether a package needs an MPI: one of its depends_on provides it."""
    return any("mpi" in load_module_recipe(name, modules_dir).provides for name in recipe.depends_on)


def distribution_name(recipe: Recipe) -> str:
    """The package a recipe installs: variants of one package (numpy, numpy-noblas) share it."""
    return recipe.source.pip.name if recipe.source and recipe.source.pip else recipe.name


def _missing_recipe(name: str, modules_dir: Path) -> Recipe:
    names = module_recipe_names(modules_dir)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise SlitherError(f"no recipe modules/packages/{name}.py{hint}; give name==version to build it "
                       "without one (its sha256 is then locked on first use)")
