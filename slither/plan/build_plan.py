"""From build variables to a plan: every path, pin and option of one static interpreter.

Three stages, each run once per `scons`: the variables parsed into one record
(slither.plan.variables.BuildVariables); the inputs resolved, the only stage that looks at the
machine (slither.plan.resolve: the toolchain probed, recipes and locks read, sources fetched);
and `make_plan(resolved)`, pure data in, data out. The SCons tools only turn a Plan into nodes,
and tests check the plan (paths, excludes, manifest, licences) without running SCons.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from slither import __version__, files
from slither.sources.source_files import source_files
from slither.plan import licences, openblas, toolchain_libraries
from slither.recipes import loading, module_recipes
from slither.cpython import stdlib_libraries
from slither.libraries import hdf5_variant
from slither.libraries import mpi as mpi_sources
from slither.sources.package_index import normalized_name
from slither.errors import SlitherError
from slither.plan.module_entries import ModuleEntry, parse_entry, split_entries
from slither.plan.package_set import build_order
from slither.link.main_c import MainOptions
from slither.recipes import CPythonRelease

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


def available_modules() -> list[str]:
    return module_recipes.module_recipe_names()


def parse_module_entries(text) -> tuple[ModuleEntry, ...]:
    """MODULES: comma-separated entries (slither.plan.module_entries), each read once into a
    record: recipe names, each optionally pinned with ==version; a name with no recipe needs
    ==version (slither.plan.recipe_free builds it from its locked source); ./paths name the
    user's own projects."""
    texts = text if isinstance(text, (list, tuple)) else split_entries(str(text))
    entries = tuple(parse_entry(entry) for entry in texts if entry.strip())  # malformed ones first
    known = available_modules()
    for entry in entries:
        if entry.is_local or entry.name in known or entry.version:
            continue
        close = difflib.get_close_matches(entry.name, known, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        listing = ", ".join(known) if known else "none yet"
        raise SlitherError(f"MODULES: no recipe for {entry.name!r}{hint}; recipes: {listing}; or give "
                           f"{entry.name}==VERSION to build it without one (its sha256 is locked on first use)")
    return entries


def parse_module_list(text) -> list[str]:
    """MODULES as checked entries, each as written (parse_module_entries)."""
    return [entry.text for entry in parse_module_entries(text)]


def parse_mpi(text) -> str:
    """MPI: empty (a recipe that provides MPI, built from source), that recipe's name, or system."""
    value = str(text).strip()
    allowed = recipes_providing("mpi") + list(mpi_sources.MPI_CHOICES)
    if value and value not in allowed:
        raise SlitherError(f"MPI={value}: choose one of {', '.join(allowed)} (system: the site's MPI "
                           "compiler wrapper, MPICC)")
    return value


def parse_jobs(text) -> int:
    if not str(text).isdigit() or int(text) < 1:
        raise SlitherError(f"JOBS={text}: give a whole number of parallel jobs, 1 or more")
    return int(text)


def parse_name_list(text) -> list[str]:
    entries = text if isinstance(text, (list, tuple)) else str(text).split(",")
    return sorted({entry.strip() for entry in entries if entry.strip()})


def parse_exclude(text, defaults) -> tuple[str, ...]:
    """EXCLUDE: stdlib packages left out besides the defaults; `-name` keeps a default one in
    (EXCLUDE=-test freezes the test package, EXCLUDE=xmlrpc,-lib2to3 both)."""
    excluded = set(defaults)
    for entry in parse_name_list(text):
        name = entry[1:] if entry.startswith("-") else entry
        if not name.isidentifier():
            raise SlitherError(f"EXCLUDE entry {entry!r}: give a top-level stdlib package name, or -name to keep "
                               "one of the default exclusions")
        if entry.startswith("-"):
            if name not in defaults:
                raise SlitherError(f"EXCLUDE=-{name}: {name} is not left out by default (the defaults: "
                                   f"{', '.join(sorted(defaults))})")
            excluded.discard(name)
        else:
            excluded.add(name)
    return tuple(sorted(excluded))


def freeze_path_top_levels(freeze_paths) -> dict[str, str]:
    """{top-level module or package name: the FREEZE_PATHS directory holding it}."""
    found = {}
    for directory in freeze_paths:
        for entry in sorted(os.listdir(directory)):
            if entry.startswith(".") or entry == "__pycache__":
                continue
            path = os.path.join(directory, entry)
            if entry.endswith(".py") and os.path.isfile(path):
                found.setdefault(entry[:-3], directory)
            elif os.path.isdir(path) and entry.isidentifier():
                found.setdefault(entry, directory)
    return found


def check_freeze_path_names(freeze_paths, modules, replace_stdlib=()) -> None:
    """A FREEZE_PATHS module named like a stdlib module (json/) or a MODULES package would
    silently replace it in the binary: refused in one line, unless REPLACE_STDLIB names it."""
    packages = {re.sub(r"[-.]+", "_", re.split(r"[=<>!~\[ ]", entry, maxsplit=1)[0]).lower()
                for entry in modules if entry and not entry.startswith(("./", "../", "/", "~"))}
    for name, directory in freeze_path_top_levels(freeze_paths).items():
        if name in packages:
            raise SlitherError(f"FREEZE_PATHS={directory}: its {name} has the name of the MODULES package {name}, "
                               "which it would replace; rename one of them")
        if name in sys.stdlib_module_names and name not in replace_stdlib:
            raise SlitherError(f"FREEZE_PATHS={directory}: its {name} has the name of the stdlib module {name}, "
                               f"which it would replace in the binary; rename it, or say REPLACE_STDLIB={name} "
                               "if that is the point")


def parse_source_dirs(text) -> list[str]:
    """SOURCES: ':'-separated directories, searched in the order given."""
    return existing_directories("SOURCES", [entry for entry in str(text).split(os.pathsep) if entry.strip()])


def parse_freeze_paths(text) -> list[str]:
    """FREEZE_PATHS: comma-separated directories, a set (sorted, each once)."""
    return existing_directories("FREEZE_PATHS", parse_name_list(text))


def existing_directories(variable: str, directories: list[str]) -> list[str]:
    for directory in directories:
        if not os.path.isdir(directory):
            raise SlitherError(f"{variable}={directory}: not a directory")
    return directories


def recipes_providing(what: str) -> list[str]:
    """The library recipes that provide `what` (a package recipe cannot: `provides` is a library
    field), so that a plan runs no package recipe it does not build."""
    return [name for name in module_recipes.library_recipe_names()
            if what in module_recipes.load_module_recipe(name).provides]


def resolve_recipes(entries: list[str], recipe_free=None, replaced: tuple[str, ...] = ()) -> tuple:
    """MODULES entries plus everything they depend on, each once, dependencies first; the order
    in MODULES does not matter (the result is sorted within each dependency level).

    recipe_free(name, version) makes the Recipe of an entry that has no recipe file.
    `replaced`: what the site provides instead of a recipe (("mpi",) with MPI=system): a
    dependency that provides it is not built."""
    requested = {}
    for entry in entries:
        name, _, version = entry.partition("==")
        requested[name] = version
    resolved, visiting = {}, set()

    def visit(name, chain):
        if name in resolved:
            return
        if name in visiting:
            raise SlitherError(f"MODULES: recipes depend on each other in a cycle: {' -> '.join(chain + [name])}")
        visiting.add(name)
        wanted = requested.get(name)
        if wanted and recipe_free is not None and name not in available_modules():
            resolved[name] = recipe_free(name, wanted)
            visiting.discard(name)
            return
        recipe = module_recipes.load_module_recipe(name)
        if wanted and wanted != recipe.version:
            raise SlitherError(f"MODULES: {name}=={wanted} asked for, but modules/{name}.py pins "
                               f"{recipe.version}; drop the version or edit the recipe")
        for dependency in sorted(recipe.depends_on):
            if set(replaced) & set(module_recipes.load_module_recipe(dependency).provides):
                continue
            visit(dependency, chain + [name])
        visiting.discard(name)
        resolved[name] = recipe

    for name in sorted(requested):
        if name not in available_modules():
            visit(name, [])  # recipe-free: provides nothing
            continue
        provided = set(replaced) & set(module_recipes.load_module_recipe(name).provides)
        if provided:
            raise SlitherError(f"MODULES: {name} provides {', '.join(sorted(provided))}, which this build "
                               "takes from the site (MPI=system or the TARGET's compiler); drop it from MODULES")
        visit(name, [])
    check_one_recipe_per_package(resolved.values())
    return tuple(resolved.values())


def uses_mpi_anywhere(recipes) -> bool:
    """Whether a package of the build needs an MPI (a library that uses one comes with it)."""
    return any(module_recipes.uses_mpi(recipe) for recipe in recipes if not module_recipes.is_library(recipe))


def plan_mpi(kind: str, site, recipes: tuple):
    """Where MPI comes from (slither.libraries.mpi.MpiChoice), or None when no package uses it.
    site: the site's MPI as resolved (MPI=system or the TARGET's driver), None with a recipe."""
    if not uses_mpi_anywhere(recipes):
        return None
    if kind == "recipe":
        providers = [recipe for recipe in recipes if "mpi" in recipe.provides]
        return mpi_sources.MpiChoice(kind="recipe", recipe=providers[0])
    return site


def check_one_recipe_per_package(recipes) -> None:
    """Variants of one package (numpy and numpy-noblas) would freeze two copies of it."""
    by_package = {}
    for recipe in recipes:
        by_package.setdefault(module_recipes.distribution_name(recipe), []).append(recipe.name)
    for package, names in sorted(by_package.items()):
        if len(names) > 1:
            raise SlitherError(f"MODULES: {' and '.join(sorted(names))} are variants of the same package "
                               f"{package}; choose one")


@dataclass(frozen=True)
class Plan:
    name: str
    release: CPythonRelease
    profile: loading.ToolchainProfile
    modules: tuple[str, ...]
    freeze: bool
    excludes: tuple[str, ...]
    build_dir: str
    source_dirs: tuple[str, ...]
    patches: tuple[str, ...]
    recipes: tuple = ()
    # C libraries built from their recipes before CPython, which links them into the stdlib's
    # modules (slither.cpython.stdlib_libraries), and any a TARGET profile adds (`library_recipes`)
    target_libraries: tuple = ()
    # Stdlib libraries taken from the host's static archives instead (HOST_LIBRARIES), found and
    # identified at plan time (slither.plan.host_libraries.HostArchive)
    host_archives: tuple = ()
    without: tuple[str, ...] = ()        # stdlib C modules left out on request (WITHOUT)
    freeze_paths: tuple[str, ...] = ()   # the user's own code, frozen in (FREEZE_PATHS)
    main_module: str = ""                # MAIN
    # Top-level packages installed as files in BUILD_DIR/lib/python3.X instead of frozen (UNFROZEN);
    # their extension modules stay built in.
    unfrozen: tuple[str, ...] = ()
    mpi: object = None                   # slither.libraries.mpi.MpiChoice when a package uses MPI
    # Where BLAS/LAPACK and HDF5 come from, (kind, text) pairs for the summary (slither.plan.toolchain_libraries)
    library_origins: tuple[tuple[str, str], ...] = ()
    # Those of them the TARGET's toolchain supplies itself: also in the binary's manifest
    toolchain_libraries: tuple[tuple[str, str], ...] = ()
    frozen_sources: bool = True          # FROZEN_SOURCES: modules' sources frozen in, compressed
    # Everything the binary may link, each with its licence and the condition under which it goes
    # in (slither.plan.licences.Candidate); the link step keeps those whose condition held.
    licence_candidates: tuple = ()

    @property
    def libraries_dir(self) -> str:
        return os.path.join(self.build_dir, "libraries")

    @property
    def mpi_dir(self) -> str:
        source = self.mpi.recipe.name if self.mpi.kind == "recipe" else self.mpi.kind
        return os.path.join(self.build_dir, "mpi", f"{source}-{self.profile.name}")

    @property
    def packages_dir(self) -> str:
        return os.path.join(self.build_dir, "packages", f"cp{self.release.series.replace('.', '')}-{self.profile.name}")

    @property
    def build_tool_wheels(self) -> list:
        from slither.packages.build_tools import tool_wheels
        return [(source, source.pip.version if source.pip else "")
                for source in tool_wheels(self.release.series, self.profile.wheel_platform)]

    @property
    def cpython_dir(self) -> str:
        # One CPython per release and toolchain, shared by every binary built from them.
        return os.path.join(self.build_dir, f"cpython-{self.release.version}-{self.profile.name}")

    @property
    def work_dir(self) -> str:
        return os.path.join(self.build_dir, "work", self.name)

    @property
    def binary_path(self) -> str:
        return os.path.join(self.build_dir, "bin", self.name)

    @property
    def unfrozen_tree_marker(self) -> str:
        return os.path.join(self.build_dir, "lib", f"python{self.release.series}", ".slither-unfrozen")

    @property
    def stdlib_tree_marker(self) -> str:
        return os.path.join(self.build_dir, "lib", f"python{self.release.series}", ".slither-stdlib")

    @property
    def main_options(self) -> MainOptions:
        return MainOptions(series=self.release.series, stdlib_frozen=self.freeze,
                           openssl_config=self.profile.openssl_config, main_module=self.main_module,
                           default_environment=self.runtime_environment)

    @property
    def runtime_environment(self) -> tuple[tuple[str, str], ...]:
        """The runtime_environment of every recipe linked in (the MPI recipe's too), sorted."""
        recipes = [*self.recipes, *([self.mpi.recipe] if self.mpi is not None and self.mpi.kind == "recipe" else [])]
        merged = {}
        for recipe in recipes:
            merged.update(recipe.runtime_environment)
        return tuple(sorted(merged.items()))

    def user_code_files(self) -> list[str]:
        """Every file below FREEZE_PATHS the freeze step may take (modules and package data):
        what it signs. Hidden files, what .gitignore excludes, compiled artefacts and bytecode
        caches are never frozen (slither.sources.source_files; the freezer applies the same)."""
        return [os.path.join(directory, relative) for directory in self.freeze_paths
                for relative in source_files(Path(directory))]

    @property
    def build_manifest(self) -> dict:
        """What the binary says about itself (embedded, and installed beside it)."""
        return {
            "slither": __version__,
            "name": self.name,
            "cpython": self.release.version,
            "target": self.profile.name,
            "toolchain": {"CC": self.profile.CC, "CXX": self.profile.CXX, "FC": self.profile.FC,
                          "CFLAGS": list(self.profile.CFLAGS),
                          "static_link_flags": list(self.profile.static_link_flags)},
            "modules": {recipe.name: {"version": recipe.version, "sha256": recipe.source.sha256,
                                      "source": recipe.source.filename,
                                      "recipe": bool(recipe.path),
                                      **({"needed_by": list(recipe.needed_by)} if recipe.needed_by else {}),
                                      **({"requested_by": recipe.requested_by} if recipe.requested_by else {}),
                                      **({"local_project": True} if recipe.local_project else {})}
                        for recipe in self.recipes},
            **({"mpi": self.mpi.description} if self.mpi else {}),
            **({"toolchain_libraries": dict(self.toolchain_libraries)} if self.toolchain_libraries else {}),
            "stdlib_frozen": self.freeze,
            **({"unfrozen": list(self.unfrozen)} if self.unfrozen else {}),
            "excluded_stdlib": list(self.excludes),
            "inputs": {
                self.release.source.filename: self.release.source.sha256,
                **{os.path.basename(p): files.sha256_of(Path(p)) for p in self.patches},
                **{library.source.filename: library.source.sha256 for library in self.target_libraries},
            },
            **({"host_libraries": {archive.archive: {"library": archive.library, "package": archive.package}
                                   for archive in self.host_archives}} if self.host_archives else {}),
        }


def passed_variables(profile: loading.ToolchainProfile, environment: dict) -> dict:
    """The caller's variables the profile's `passed_environment` (fnmatch patterns) names: what
    environment modules set for the drivers (Cray: CRAY_*, PE_*, CRAYPE_*). The build otherwise
    runs its compilers in a clean environment; the profile's own `environment` still wins.

    Matched here rather than in slither.recipes.loading: it changes where a build runs, not what it
    makes, and slither.recipes.loading is part of the CPython step's signature."""
    return {name: value for name, value in environment.items()
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in profile.passed_environment)}


def library_recipe(name: str, profile):
    """A library recipe a TARGET profile names in `library_recipes`."""
    recipe = module_recipes.load_module_recipe(name)
    if not module_recipes.is_library(recipe):
        raise SlitherError(f"{profile.path}: library_recipes names {name}, but modules/{name}.py is not a "
                           f"library recipe (build_system {recipe.build_system!r})")
    return recipe


def with_library_dependencies(recipes) -> tuple:
    """Library recipes and the library recipes they depend on (libedit on ncurses, sqlite on the
    tcl it builds with), each once, dependencies first."""
    ordered = {}

    def visit(recipe, chain):
        if recipe.name in ordered:
            return
        if recipe.name in chain:
            raise SlitherError(f"library recipes depend on each other in a cycle: {' -> '.join([*chain, recipe.name])}")
        for dependency in recipe.depends_on:
            visit(module_recipes.load_module_recipe(dependency), [*chain, recipe.name])
        ordered[recipe.name] = recipe

    for recipe in recipes:
        visit(recipe, [])
    return tuple(ordered.values())


def check_unfrozen(names, freeze: bool) -> tuple[str, ...]:
    """UNFROZEN: top-level import names (which packages hold them is known once they are built:
    the freeze step checks that each names one)."""
    names = tuple(parse_name_list(names))
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise SlitherError(f"UNFROZEN={name}: give top-level package names (import names, e.g. yaml, not PyYAML)")
    if names and not freeze:
        raise SlitherError("UNFROZEN needs FREEZE=1: with FREEZE=0 BUILD_DIR/lib holds the stdlib tree, "
                           "which the unfrozen packages would share")
    return names


def check_from_sdist(names, entries, recipe_names) -> frozenset:
    """FROM_SDIST: MODULES entries without a recipe to build from their sdist even when they
    publish a pure wheel (a site that builds everything from source, or a backend to exercise)."""
    recipe_free = {normalized_name(entry.name) for entry in entries
                   if entry.name and entry.version and entry.name not in recipe_names}
    for name in names:
        if normalized_name(name) not in recipe_free:
            raise SlitherError(f"FROM_SDIST={name}: not a MODULES entry without a recipe (name==version); "
                               "a recipe says its own source")
    return frozenset(normalized_name(name) for name in names)


def with_requested_by(recipes: tuple, requirement_origins: dict[str, str]) -> tuple:
    """Each recipe a REQUIREMENTS line named, with that line (for the summary and `inspect`)."""
    by_name = {normalized_name(parse_entry(text).name): origin for text, origin in requirement_origins.items()}
    return tuple(dataclasses.replace(recipe, requested_by=by_name[normalized_name(recipe.name)])
                 if normalized_name(recipe.name) in by_name else recipe for recipe in recipes)




def missing_static_libraries(recipes, profile: loading.ToolchainProfile, archives_found) -> None:
    """Every system archive a recipe's final link needs must exist before anything builds:
    one line naming each missing archive, who needs it and the package that provides it.
    archives_found: {archive: whether the TARGET's linker finds it} (slither.plan.resolve)."""
    missing = []
    for recipe in recipes:
        for library in recipe.static_libraries:
            if not archives_found.get(library.archive):
                hint = profile.package_manager_hint.format(package=library.debian_package)
                missing.append(f"{library.archive} for {recipe.name} ({hint})")
    if missing:
        raise SlitherError(f"missing static libraries: {'; '.join(missing)}")


def planned_recipes(resolved) -> tuple[tuple, str, tuple]:
    """The recipes the build makes, in build order, from the resolved package set: HDF5's variant,
    the TARGET's own BLAS and HDF5, BLAS_CPU and the REQUIREMENTS lines applied; with the HDF5
    variant and where BLAS and HDF5 come from ((kind, text, supplied by the toolchain) triples)."""
    variables = resolved.variables
    supplied = toolchain_libraries.load(resolved.profile)
    recipes = resolved.recipes
    check_one_recipe_per_package(recipes)
    variant = hdf5_variant.choose(variables.hdf5, [recipe.name for recipe in recipes])
    hdf5_recipe = next((recipe for recipe in recipes if recipe.name == toolchain_libraries.HDF5_RECIPE), None)
    if variant and supplied.hdf5 is not None:
        toolchain_libraries.check_hdf5_variant(resolved.found_hdf5, variant, supplied.hdf5, resolved.profile,
                                               hdf5_variant.MPI_PACKAGE)
    # The parallel variant adds mpi4py to h5py's build path: order again. A toolchain's HDF5 and
    # BLAS replace the hdf5 recipe and the OpenBLAS archive.
    recipes = hdf5_variant.apply(variant, recipes)
    recipes = toolchain_libraries.apply_hdf5(resolved.found_hdf5, recipes)
    recipes = toolchain_libraries.apply_blas(supplied.blas, recipes)
    if openblas.uses_openblas(recipes) and variables.blas_cpu != openblas.DYNAMIC:
        # checked against the TargetList.txt of the pinned source, read when it was resolved
        openblas.check_blas_cpu(variables.blas_cpu, resolved.openblas_targets)
        recipes = openblas.apply_blas_cpu(variables.blas_cpu, recipes)
    recipes = tuple(build_order(list(recipes)))
    recipes = with_requested_by(recipes, dict(resolved.requirement_origins))
    origins = toolchain_libraries.origins(supplied, resolved.found_hdf5, recipes, hdf5_recipe, variant)
    return recipes, variant, origins


def make_plan(resolved) -> Plan:
    """The plan of one binary from its resolved inputs (slither.plan.resolve.ResolvedInputs):
    pure, it runs no program, fetches nothing and probes nothing; what it needs to know of the
    machine the resolved record says."""
    variables = resolved.variables
    profile = resolved.profile
    release = loading.cpython_release(variables.series)
    cpython_recipe = loading.load_cpython_recipe()
    recipes, _, origins = planned_recipes(resolved)
    mpi_kind = mpi_sources.choose(variables.mpi, variables.mpicc, profile, recipes_providing("mpi"))
    mpi_choice = plan_mpi(mpi_kind, resolved.site_mpi, recipes)
    missing_static_libraries(recipes, profile, resolved.archives_found)
    stdlib = stdlib_libraries.choose(cpython_recipe, host=variables.host_libraries, without=variables.without,
                                     cannot_build=profile.stdlib_libraries_left_out)
    stdlib_libraries.check_host_libraries_used(stdlib, variables.host_libraries)
    target_libraries = with_library_dependencies(
        library_recipe(library, profile) for library in dict.fromkeys([*stdlib.recipes, *profile.library_recipes]))
    plan = Plan(name=variables.name, release=release, profile=profile, mpi=mpi_choice,
                target_libraries=target_libraries, host_archives=resolved.host_archives, without=variables.without,
                modules=tuple(entry.text for entry in resolved.modules), recipes=recipes,
                freeze=variables.freeze, excludes=variables.excludes, build_dir=variables.build_dir,
                source_dirs=tuple(os.path.abspath(d) for d in variables.source_dirs),
                patches=resolved.patches,
                freeze_paths=tuple(os.path.abspath(d) for d in variables.freeze_paths),
                main_module=variables.main_module, unfrozen=variables.unfrozen,
                library_origins=tuple((kind, text) for kind, text, _ in origins),
                toolchain_libraries=tuple((kind, text) for kind, text, supplied_here in origins if supplied_here),
                frozen_sources=variables.frozen_sources)
    candidates = licences.licence_candidates(plan, cpython_recipe, dict(resolved.debian_versions),
                                             resolved.gcc_version)
    return dataclasses.replace(plan, licence_candidates=tuple(candidates))


def plan_for(*, download_store: str = "", **keywords) -> Plan:
    """Variables as keywords (slither.plan.variables.build_variables) parsed, resolved and
    planned in one call: for tests and scripts that start from known variables."""
    from slither.plan.resolve import resolve_inputs
    from slither.plan.variables import build_variables
    return make_plan(resolve_inputs(build_variables(**keywords), download_store=download_store))
