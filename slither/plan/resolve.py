"""The inputs of one build, resolved: the only stage of planning that looks at the machine.

From the parsed variables (slither.plan.variables.BuildVariables) to `ResolvedInputs`, which
says everything `slither.plan.build_plan.make_plan` needs to know of this machine and of the
world: the TARGET's programs found on PATH and its toolchain identified (compiler versions, the
C library's content), the REQUIREMENTS file read, packages without a recipe fetched and locked,
build requirements locked, the site's MPI wrapper asked for its flags, the toolchain's HDF5 and
BLAS found, OpenBLAS's CPU list read from its pinned source, system archives found by a trial
link, and the versions the licences record (dpkg-query, the compiler's -dumpfullversion).

Each probe runs once per `scons` run, here; the plan made from the record runs none, so a plan
of known inputs is pure, and `scons -h` (which stops before this stage) probes nothing.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from slither import commands
from slither.archive_probe import archive_found
from slither.cpython import stdlib_libraries
from slither.errors import SlitherError
from slither.libraries import hdf5_variant
from slither.libraries import mpi as mpi_sources
from slither.packages.build_requirements import HostPlatform
from slither.plan import build_plan, licences, openblas, toolchain_identity, toolchain_libraries
from slither.plan import host_libraries as host_library_archives
from slither.plan.module_entries import ModuleEntry
from slither.plan.package_set import resolve_packages
from slither.plan.variables import BuildVariables
from slither.recipes import loading, module_recipes
from slither.sources import patches
from slither.sources.package_index import normalized_name


@dataclass(frozen=True)
class ResolvedInputs:
    """The variables and what this machine and the package index said about them."""

    variables: BuildVariables
    profile: loading.ToolchainProfile     # the TARGET, its programs found and its toolchain identified
    modules: tuple[ModuleEntry, ...]      # MODULES, then the REQUIREMENTS entries it does not name
    requirement_origins: tuple[tuple[str, str], ...] = ()  # (MODULES entry, the REQUIREMENTS line)
    patches: tuple[str, ...] = ()         # the CPython patches of the series, in the order they apply
    recipes: tuple = ()                   # the package set (slither.plan.package_set), locked
    found_hdf5: object = None             # the TARGET toolchain's HDF5 (toolchain_libraries.Hdf5Prefix)
    openblas_targets: tuple[str, ...] = ()  # BLAS_CPU's choices: the pinned OpenBLAS's TargetList.txt
    site_mpi: object = None               # MPI=system or the TARGET's driver (mpi.MpiChoice)
    archives_found: dict = field(default_factory=dict)  # {system archive a recipe links: found}
    host_archives: tuple = ()             # HOST_LIBRARIES's archives (host_libraries.HostArchive)
    debian_versions: tuple[tuple[str, str], ...] = ()  # (Debian package, installed version)
    gcc_version: str = ""                 # the version of the compiler runtime linked in


def resolve_inputs(variables: BuildVariables, *, download_store: str = "") -> ResolvedInputs:
    """Every probe, lock and download the plan of `variables` needs, in the order a bad input is
    reported (one SlitherError line). download_store: where sources and locks live
    (CACHE_DIR/downloads; empty: BUILD_DIR/downloads)."""
    profile = variables.profile
    check_toolchain(profile)
    profile = toolchain_identity.with_identity(profile, os.environ)
    release = loading.cpython_release(variables.series)
    patch_files = tuple(str(path) for path in patches.patches_for("cpython", release.series))
    store = Path(download_store or os.path.join(variables.build_dir, "downloads"))
    modules, requirement_origins = with_requirements(variables, store)
    check_main_module(variables.main_module, [entry.text for entry in modules], variables.freeze_paths)
    available = module_recipes.module_recipe_names()
    sdist_names = build_plan.check_from_sdist(variables.from_sdist, modules, available)

    host = HostPlatform(release.series, profile.wheel_platform)
    # Requirements that Slither builds itself are taken from the build, never the index.
    built_here = sorted({entry.name for entry in modules if entry.name} | set(available))
    search_dirs = [Path(directory) for directory in variables.source_dirs]

    def recipe_free(package, version):
        from slither.plan.recipe_free import recipe_without_file
        return recipe_without_file(package, version, store=store, host=host, built_by_slither=built_here,
                                   search_dirs=search_dirs, log=commands.say,
                                   from_sdist=normalized_name(package) in sdist_names)

    def local_recipe(entry):
        from slither.plan.recipe_free import recipe_for_local_project
        return recipe_for_local_project(entry.path, store=store, host=host, built_by_slither=built_here,
                                        log=commands.say)

    def runtime(made):
        if not made:
            return []
        from slither.plan import runtime_requirements
        from slither.sources.pinned import default_index
        from slither.sources.unpinned import obtain_unpinned
        recipes = {name: module_recipes.load_module_recipe(name) for name in available}
        return runtime_requirements.resolve(
            made, recipe_versions={name: recipe.version for name, recipe in recipes.items()},
            recipe_requirements={name: recipe.runtime_requirements for name, recipe in recipes.items()
                                 if recipe.runtime_requirements},
            series=release.series, full_version=release.version,
            store=store, index=default_index(), log=commands.say,
            fetch=lambda name, version: obtain_unpinned(f"{name}=={version}", store=store, log=commands.say)[1])

    mpi_kind = mpi_sources.choose(variables.mpi, variables.mpicc, profile, build_plan.recipes_providing("mpi"))
    replaced = () if mpi_kind == "recipe" else ("mpi",)
    supplied = toolchain_libraries.load(profile)
    toolchain_libraries.check_not_requested(supplied, profile, [entry.name for entry in modules])

    def resolve_named(names):
        from slither.plan.recipe_free import with_locked_build_requirements
        named = build_plan.resolve_recipes(names, None, replaced=replaced)
        # Before any build requirement is resolved (scipy's are fetched and locked on first use)
        toolchain_libraries.check_blas_available(supplied, profile, named)
        return tuple(with_locked_build_requirements(recipe, store=store, host=host, built_by_slither=built_here,
                                                    search_dirs=search_dirs, log=commands.say)
                     for recipe in named)

    recipes = resolve_packages(list(modules), resolve_named=resolve_named, recipe_free=recipe_free,
                               local_recipe=local_recipe, runtime=runtime, available=available)
    build_plan.check_one_recipe_per_package(recipes)
    variant = hdf5_variant.choose(variables.hdf5, [recipe.name for recipe in recipes])
    found_hdf5 = None
    if variant and supplied.hdf5 is not None:
        found_hdf5 = toolchain_libraries.find_hdf5(supplied.hdf5, profile, os.environ)
        toolchain_libraries.check_hdf5_variant(found_hdf5, variant, supplied.hdf5, profile, hdf5_variant.MPI_PACKAGE)
    with_hdf5 = toolchain_libraries.apply_hdf5(found_hdf5, hdf5_variant.apply(variant, recipes))
    toolchain_libraries.check_blas_found(supplied.blas, profile, with_hdf5, os.environ)
    with_blas = toolchain_libraries.apply_blas(supplied.blas, with_hdf5)
    openblas_targets = openblas_target_names(variables.blas_cpu, with_blas, store=store,
                                             source_dirs=variables.source_dirs)
    resolved = ResolvedInputs(variables=variables, profile=profile, modules=modules,
                              requirement_origins=tuple(requirement_origins.items()), patches=patch_files,
                              recipes=recipes, found_hdf5=found_hdf5, openblas_targets=openblas_targets)

    # What the rest of the probes ask about is the plan's own recipes: the pure part of planning
    # says which (it runs again, unchanged, in make_plan).
    planned, _, _ = build_plan.planned_recipes(resolved)
    site_mpi = None
    if mpi_kind != "recipe" and build_plan.uses_mpi_anywhere(planned):
        site_mpi = mpi_sources.site_mpi(mpi_kind, variables.mpicc, profile)
    archives = static_archives_found(planned, profile)
    build_plan.missing_static_libraries(planned, profile, archives)
    cpython_recipe = loading.load_cpython_recipe()
    stdlib = stdlib_libraries.choose(cpython_recipe, host=variables.host_libraries, without=variables.without,
                                     cannot_build=profile.stdlib_libraries_left_out)
    stdlib_libraries.check_host_libraries_used(stdlib, variables.host_libraries)
    host_archives = host_library_archives.find(stdlib.host, cpython_recipe, profile,
                                               {**os.environ, **profile.environment})
    versions = debian_versions(licences.debian_packages_of(planned, profile))
    return dataclasses.replace(resolved, site_mpi=site_mpi, archives_found=archives, host_archives=host_archives,
                               debian_versions=tuple(sorted(versions.items())),
                               gcc_version=compiler_version(profile.CC))


def with_requirements(variables: BuildVariables, store: Path) -> tuple[tuple[ModuleEntry, ...], dict[str, str]]:
    """MODULES and, with REQUIREMENTS, each entry of that file MODULES does not name (unpinned
    names resolved against the package index once, then locked in the store); and
    {MODULES entry: the REQUIREMENTS line it came from}."""
    if not variables.requirements:
        return variables.modules, {}
    from slither.plan import requirements_files
    origins = requirements_files.entries_for_build(variables.requirements, variables.series, str(store))
    merged = requirements_files.merge_with_modules(list(variables.module_texts), list(origins))
    return build_plan.parse_module_entries(merged), origins


def check_toolchain(profile: loading.ToolchainProfile) -> None:
    """Every program the profile names must exist before anything starts building."""
    for role in ("CC", "CXX", "AR", "RANLIB"):
        if not getattr(profile, role):  # CXX may be empty: a toolchain without C++
            continue
        program = shlex.split(getattr(profile, role))[0]
        if shutil.which(program, path=profile.environment.get("PATH")) is None:
            raise SlitherError(f"TARGET={profile.name}: {role} {program!r} not found on PATH; install it "
                               f"({profile.toolchain_hint}) or fix {profile.path}")


def check_main_module(main_module: str, modules, freeze_paths) -> None:
    """MAIN: a dotted name whose top-level package the binary can have. Without MODULES the
    binary holds only the stdlib and FREEZE_PATHS, both known here; with MODULES a package's
    import name is known only once it is built, and the freeze step checks MAIN then."""
    if not main_module:
        return
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", main_module):
        raise SlitherError(f"MAIN={main_module!r}: give a dotted module name such as myapp.cli")
    if modules:
        return
    top = main_module.partition(".")[0]
    offered = set(sys.stdlib_module_names)
    for directory in freeze_paths:
        for entry in os.listdir(directory):
            offered.add(entry[:-3] if entry.endswith(".py") else entry)
    if top not in offered:
        raise SlitherError(f"MAIN={main_module}: the binary will have no module {top} (not in the stdlib, and "
                           f"FREEZE_PATHS={','.join(freeze_paths) or '(none)'} holds no {top}.py or {top}/); "
                           "add the code to FREEZE_PATHS or MODULES")


def static_archives_found(recipes, profile: loading.ToolchainProfile) -> dict[str, bool]:
    """{archive: whether the TARGET's linker finds it} for every system archive the recipes'
    final link needs (one trial link each)."""
    environment = {**os.environ, **profile.environment}
    archives = dict.fromkeys(library.archive for recipe in recipes for library in recipe.static_libraries)
    return {archive: archive_found(profile.CC, archive, environment) for archive in archives}


def check_static_libraries(recipes, profile: loading.ToolchainProfile) -> None:
    """The system archives the recipes need, found now: one line naming each missing one."""
    build_plan.missing_static_libraries(recipes, profile, static_archives_found(recipes, profile))


def openblas_target_names(cpu: str, recipes: tuple, *, store: Path, source_dirs=()) -> tuple[str, ...]:
    """With BLAS_CPU naming a CPU and OpenBLAS built from its recipe: the CPU targets of the
    pinned source's TargetList.txt (fetched now, at plan time, as the build would), so that a
    typo stops the build before anything compiles. Otherwise nothing is fetched: ()."""
    built = next((recipe for recipe in recipes if recipe.name == openblas.RECIPE), None)
    if built is None or cpu == openblas.DYNAMIC:
        return ()
    from slither.sources.pinned import obtain
    tarball = obtain(built.source, search_dirs=[Path(d) for d in source_dirs], store=store,
                     upstream_version=built.version, log=commands.say)
    return openblas.target_names_in(tarball)


def debian_versions(packages) -> dict[str, str]:
    """Installed versions of Debian packages ({} where dpkg-query is absent): one query."""
    names = sorted(set(packages))
    if not names:
        return {}
    try:
        result = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Version}\n", *names],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=False)
    except OSError:
        return {}
    return dict(line.split("\t", 1) for line in result.stdout.splitlines() if "\t" in line)


def compiler_version(cc: str) -> str:
    """GCC's version (the runtime libraries come with it), or "" for a compiler that will not say."""
    try:
        result = subprocess.run([*cc.split(), "-dumpfullversion"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""
