"""Which packages go into one build: the MODULES entries, and what they need.

From the entries (slither.plan.module_entries) to recipes, in the order they build:

1. recipes by name (modules/packages/), with what they depend on (depends_on: MPICH);
2. packages without a recipe (name==version) and local projects (./path), each made into a
   recipe with its build requirements locked (slither.plan.recipe_free, local_project);
3. their run-time requirements (slither.plan.runtime_requirements), brought in as recipes or
   as locked packages, each noting who needs it;
4. build requirements that Slither builds itself (numpy for a package that compiles against
   its C API), added to the build if no entry named them, and ordered before what needs them.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

from slither.errors import SlitherError
from slither.recipes import module_recipes
from slither.plan.module_entries import ModuleEntry
from slither.recipes.recipe import Recipe


def build_order(recipes: list[Recipe]) -> list[Recipe]:
    """Libraries and recipes as resolved, then packages so that each follows the packages its
    build takes from the build (from_build); a cycle is an error."""
    by_name = {recipe.name: recipe for recipe in recipes}
    needs = {recipe.name: build_path_names(recipe, recipes) for recipe in recipes}
    ordered, done, visiting = [], set(), set()

    def visit(recipe: Recipe, chain: list[str]) -> None:
        if recipe.name in done:
            return
        if recipe.name in visiting:
            raise SlitherError(f"MODULES: build requirements form a cycle: {' -> '.join(chain + [recipe.name])}")
        visiting.add(recipe.name)
        for name in needs[recipe.name]:
            if name in by_name:
                visit(by_name[name], chain + [recipe.name])
        visiting.discard(recipe.name)
        done.add(recipe.name)
        ordered.append(recipe)

    for recipe in recipes:
        visit(recipe, [])
    return ordered


def from_build_names(recipe: Recipe) -> tuple[str, ...]:
    """Locked build requirements Slither builds, and the packages a recipe depends_on (h5py:
    numpy's C API at build time, mpi4py for its MPI build): their host trees are on its path."""
    locked = recipe.locked_build_requirements
    from_lock = tuple(locked.from_build) if locked is not None else ()
    packages = tuple(name for name in recipe.depends_on if name not in from_lock and recipe.path
                     and not module_recipes.is_library(module_recipes.load_module_recipe(name)))
    return from_lock + packages


def build_path_names(recipe: Recipe, recipes: list[Recipe]) -> tuple[str, ...]:
    """The packages whose host trees a build runs with: the build requirements Slither builds,
    and what those need at run time (cffi's pycparser), transitively, in `recipes` order."""
    wanted = set(from_build_names(recipe))
    grew = True
    while grew:
        grew = False
        for other in recipes:
            needers = {label.split(" ", 1)[0] for label in other.needed_by}
            if other.name not in wanted and needers & wanted:
                wanted.add(other.name)
                grew = True
    return tuple(other.name for other in recipes if other.name in wanted)


def requirement_chain(item, brought) -> str:
    """`pkg 1.0 -> middle 2.0 -> item 3.0`: from an entry of MODULES to `item`, through the first
    package that needs each one (Brought.needed_by names "name version")."""
    labels = {f"{other.name} {other.version}": other for other in brought}
    chain = [f"{item.name} {item.version}"]
    current = item
    while current is not None and current.needed_by and len(chain) < 20:
        parent = current.needed_by[0]
        if parent in chain:
            break
        chain.insert(0, parent)
        current = labels.get(parent)
    return " -> ".join(chain)


def resolve_packages(entries: list[ModuleEntry], *, resolve_named: Callable[[list[str]], tuple],
                     recipe_free: Callable[[str, str], Recipe], local_recipe: Callable[[ModuleEntry], Recipe],
                     runtime: Callable[[list[tuple]], list], available: list[str]) -> tuple[Recipe, ...]:
    """resolve_named(names): recipes of named entries and their depends_on, dependencies first
    (build_plan.resolve_recipes); recipe_free(name, version) and local_recipe(entry): recipes of
    the other entries; runtime(entries of (name, version, extras, source path, declared)): what
    they need at run time (a list of runtime_requirements.Brought); available: recipe names."""
    named = [entry for entry in entries if not entry.is_local and (entry.name in available or not entry.version)]
    for entry in named:
        if entry.extras:
            raise SlitherError(f"MODULES entry {entry.text}: extras are for packages without a recipe; "
                               f"the recipe modules/packages/{entry.name}.py says what {entry.name} needs")
    recipes = {recipe.name: recipe for recipe in resolve_named(
        [f"{entry.name}=={entry.version}" if entry.version else entry.name for entry in named])}
    strict = {entry.name for entry in named if entry.strict}

    made: dict[str, Recipe] = {}
    for entry in entries:
        if entry.is_local:
            recipe = local_recipe(entry)
        elif entry.name not in available and entry.version:
            recipe = recipe_free(entry.name, entry.version)
            recipe = dataclasses.replace(recipe, extras=tuple(entry.extras))
        else:
            continue
        if recipe.name in made or recipe.name in recipes:
            raise SlitherError(f"MODULES names {recipe.name} twice ({entry.text}); keep one entry")
        made[recipe.name] = recipe
        if entry.strict:
            strict.add(recipe.name)

    # A recipe states its run-time requirements (its sdist is fetched only when it builds); a
    # package without one, or a local project, has them read from its metadata.
    stated = [(recipe.name, recipe.version, (), None, recipe.runtime_requirements)
              for recipe in recipes.values() if recipe.runtime_requirements]
    brought = runtime(stated + [(recipe.name, recipe.version, recipe.extras, recipe.source_path,
                                 recipe.declared_requirements) for recipe in made.values()])
    for item in brought:
        if item.name in recipes or item.name in made:
            continue
        if item.name in available:
            for recipe in resolve_named([item.name]):
                recipes.setdefault(recipe.name, recipe)
            recipes[item.name] = dataclasses.replace(recipes[item.name], needed_by=tuple(item.needed_by))
        else:
            try:
                recipe = recipe_free(item.name, item.version)
            except SlitherError as error:  # a Rust build, say: name the chain that brought it
                reason = str(error).removeprefix(f"{item.name} {item.version}: ")
                raise SlitherError(f"{requirement_chain(item, brought)}: {reason}") from None
            made[item.name] = dataclasses.replace(recipe, extras=tuple(item.extras), needed_by=tuple(item.needed_by))

    for recipe in list(made.values()):
        for name in from_build_names(recipe):
            if name not in recipes and name not in made:
                for added in resolve_named([name]):
                    recipes.setdefault(added.name, dataclasses.replace(
                        added, needed_by=(f"{recipe.name} {recipe.version} (to build)",)))
    everything = [*recipes.values(), *made.values()]
    everything = [dataclasses.replace(recipe, require_extensions=True) if recipe.name in strict else recipe
                  for recipe in everything]
    libraries = [recipe for recipe in everything if module_recipes.is_library(recipe)]
    packages = [recipe for recipe in everything if not module_recipes.is_library(recipe)]
    return tuple(libraries + build_order(packages))
