"""What a static binary was built with, read from its manifest without running it: which recipe
(numpy or numpy-noblas, ...) gave it the package whose suite is to run."""

from __future__ import annotations

from pathlib import Path

from slither.errors import SlitherError
from slither.inspect.manifest import load_manifest
from slither.recipes import module_recipes
from slither.recipes.recipe import Recipe


def binary_modules(binary: Path) -> tuple[dict, dict]:
    """(build manifest, {recipe name: version}) of a static binary."""
    build = load_manifest(binary)["build"]
    return build, {name: info["version"] for name, info in build.get("modules", {}).items()}


def package_recipe(binary: Path, package: str) -> tuple[dict, Recipe]:
    """(build manifest, the recipe the binary was built with for `package`); refused when the
    recipe now pins another version than the binary has. A package built without a recipe file
    (MODULES=psutil==7.0.0) gets the Recipe its build had, from the locks in the download store."""
    build, modules = binary_modules(binary)
    info = build.get("modules", {}).get(package)
    if info is not None and not info.get("recipe"):
        return build, _recipe_from_locks(package, info["version"], build)
    for name in modules:
        if not build["modules"][name].get("recipe", True):
            continue  # built without a recipe file (netCDF4's cftime): there is none to load
        recipe = module_recipes.load_module_recipe(name)
        if module_recipes.distribution_name(recipe) == package:
            if recipe.version != modules[name]:
                raise SlitherError(f"{binary} has {name} {modules[name]}, but its recipe {name} now pins "
                                   f"{recipe.version}; rebuild the binary")
            return build, recipe
    raise SlitherError(f"{binary} has no {package} built in (it has: {', '.join(modules) or 'none'}); "
                       f"build it with scons MODULES={package}")


def _recipe_from_locks(package: str, version: str, build: dict) -> Recipe:
    from slither.packages.build_requirements import HostPlatform
    from slither.cache import default_cache_dir
    from slither.plan.recipe_free import recipe_without_file
    series = ".".join(build["cpython"].split(".")[:2])
    return recipe_without_file(package, version, store=Path(default_cache_dir()) / "downloads",
                               host=HostPlatform(series, "manylinux"))
