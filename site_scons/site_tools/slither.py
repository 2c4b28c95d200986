"""SCons tool `slither`: `env.StaticPython(name, ...)` declares a fully static CPython.

Usable from any SConstruct:
    env = Environment(tools=["default", "slither"], toolpath=["<checkout>/site_scons/site_tools"])
    env.StaticPython("mypython", python="3.13", modules=["numpy"], toolchain="gnu")
Slither's own SConstruct parses its variables once and hands the record over:
    env.StaticPython(variables.name, variables)   # slither.plan.variables.BuildVariables

The data flow of DESIGN.md, one tool per arrow:
    SourceFile (slither_sources) -> CPython (slither_cpython) -> FreezeModules (slither_freeze)
    -> StaticBinary (slither_link), all cached by content (slither_cache).
Each tool hands the next a typed record of the nodes it declared (slither.handoffs).
"""

import dataclasses
import importlib.util
import inspect
import os
import sys
import tarfile

import SCons.Action
import SCons.Builder

_CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _load_package_by_location(name):
    """SCons registers this tool in sys.modules as `slither`, the name of our Python package,
    and puts the toolpath first on sys.path only while loading a tool: load the package by
    location. (The comparison harness has its own tool, harness/site_tools/slither_reference.py.)"""
    current = sys.modules.get(name)
    if current is not None and hasattr(current, "__path__"):
        return
    package_dir = os.path.join(_CHECKOUT, name)
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(package_dir, "__init__.py"), submodule_search_locations=[package_dir])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)


_load_package_by_location("slither")
if _CHECKOUT not in sys.path:
    sys.path.append(_CHECKOUT)

import slither.plan.build_plan as build_plan  # noqa: E402  (needs the path set up above)
import slither.recipes.module_recipes as module_recipes  # noqa: E402
from slither.plan import licences as licence_data  # noqa: E402
from slither.plan.resolve import resolve_inputs  # noqa: E402
from slither.plan.variables import BuildVariables, build_variables, parse_name  # noqa: E402
from slither.plan.package_set import build_path_names  # noqa: E402
from slither.cache import default_cache_dir  # noqa: E402
from slither.errors import SlitherError  # noqa: E402
from slither.handoffs import StaticPythonNodes, StaticPythonProducts  # noqa: E402

SUB_TOOLS = ("slither_steps", "slither_cache", "slither_sources", "slither_cpython", "slither_libraries",
             "slither_mpi", "slither_packages", "slither_freeze", "slither_link", "slither_summary",
             "slither_unrecorded")
TOOL_DIR = os.path.dirname(os.path.abspath(__file__))

QUIET_COMMAND_STRINGS = {
    "CCCOMSTR": "compile $TARGET",
    "ASCOMSTR": "assemble $TARGET",
    "LINKCOMSTR": "link $TARGET (static)",
    "FREEZECOMSTR": "freeze modules -> ${TARGETS[0]}",
    "GENCOMSTR": "generate $TARGET",
    "TEXTFILECOMSTR": "generate $TARGET",
    "HOSTCOMSTR": "unpack host interpreter -> ${TARGET.dir.dir}",
    "CPYTHONCOMSTR": "cpython build",
    "TOOLSCOMSTR": "build tools -> $TARGET",
    "PACKAGECOMSTR": "package build",
    "LIBRARYCOMSTR": "library build",
    "PREFIXCOMSTR": "unpack library prefix -> ${TARGET.dir}",
    "MPICHECKCOMSTR": "mpi check: a static MPI_Init program -> $TARGET",
    "INSTALLSTR": "install $TARGET",
    "STDLIBCOMSTR": "stdlib files -> ${TARGET.dir}",
    "UNFROZENCOMSTR": "unfrozen packages as files -> ${TARGET.dir}",
    "LAUNCHERCOMSTR": "launcher $TARGETS",
}


def _static_python(env, name=None, variables=None, **keywords):
    """Declare everything that makes BUILD_DIR/bin/NAME; returns the nodes a user builds, the binary
    first, as a list that also carries them by name (StaticPythonNodes, for InstallStaticPython).

    Two forms. SConstruct's: StaticPython(name, variables), with the build variables parsed once
    into one record (slither.plan.variables.BuildVariables; `name` overrides its NAME). A foreign
    SConstruct's: keywords, which build that record with the same parsers: python (a series;
    default the CPython recipe's DEFAULT_SERIES), toolchain or target (a TARGET name or path, or a
    loaded profile), modules, exclude, build_dir, source_dirs or sources, freeze_paths,
    replace_stdlib, main, mpi, mpicc, hdf5, blas_cpu, unfrozen, from_sdist, host_libraries,
    without, frozen_sources, requirements, jobs, verbose, freeze: each as text, as
    `scons VARIABLE=...` takes it, or as a list of entries.

    The inputs are resolved once (slither.plan.resolve: the only stage that probes the machine)
    and planned (slither.plan.build_plan.make_plan, pure); this declares the plan's steps."""
    if isinstance(name, BuildVariables):
        name, variables = None, name
    if variables is None:
        variables = build_variables(**_variable_keywords(keywords, name))
    elif keywords:
        raise SlitherError(f"StaticPython: give the variables as one record or as keywords, not both "
                           f"({', '.join(sorted(keywords))})")
    elif name is not None and name != variables.name:
        variables = dataclasses.replace(variables, name=parse_name(name))
    plan = build_plan.make_plan(resolve_inputs(variables, download_store=env["SLITHER_DOWNLOAD_STORE"]))
    build_env = env.SlitherStepEnvironment(build_dir=plan.build_dir, jobs=variables.jobs,
                                           source_dirs=plan.source_dirs, verbose=variables.verbose,
                                           quiet_strings=QUIET_COMMAND_STRINGS, profile=plan.profile)

    tarball = build_env.BuildSource(plan.release.source, plan.release.version)
    libraries = {}
    for recipe in plan.target_libraries:  # dependencies first (LibraryBuild declares each once)
        libraries[recipe.name] = build_env.LibraryBuild(recipe, plan.profile, plan.libraries_dir)
    cpython = build_env.CPython(plan.cpython_dir, plan.release, plan.profile, tarball, plan.patches,
                                [libraries[recipe.name] for recipe in plan.target_libraries
                                 if not recipe.build_only],
                                host_archives=plan.host_archives, without=plan.without)
    library_recipes = [recipe for recipe in plan.recipes if module_recipes.is_library(recipe)
                       and recipe.name not in libraries]
    # Libraries built with the MPI (parallel HDF5) come after the MPI they are compiled with.
    libraries.update({recipe.name: build_env.LibraryBuild(recipe, plan.profile, plan.libraries_dir)
                      for recipe in library_recipes if not module_recipes.uses_mpi(recipe)})
    mpi = build_env.MpiSetup(plan.mpi, libraries, plan.mpi_dir) if plan.mpi else None
    libraries.update({recipe.name: build_env.LibraryBuild(recipe, plan.profile, plan.libraries_dir, mpi=mpi)
                      for recipe in library_recipes if module_recipes.uses_mpi(recipe)})
    packages = []
    package_recipes = [recipe for recipe in plan.recipes if not module_recipes.is_library(recipe)]
    if package_recipes:
        tools = build_env.BuildTools(cpython, plan.build_tool_wheels, plan.release.series,
                                     plan.profile.wheel_platform)
        # plan.recipes lists a package after those its build takes from the build (numpy for
        # packages compiling against its C API): their host trees go on its build's path.
        built = {}
        for recipe in package_recipes:
            built[recipe.name] = build_env.PackageBuild(
                recipe, cpython, tools, plan.profile, plan.packages_dir,
                mpi=mpi if module_recipes.uses_mpi(recipe) else None, tool_wheels=plan.build_tool_wheels,
                from_build=[built[name] for name in build_path_names(recipe, package_recipes)],
                libraries=[libraries[name] for name in recipe.depends_on
                           if name in libraries and "mpi" not in libraries[name].recipe.provides])
        packages = list(built.values())
    frozen = build_env.FreezeModules(plan.work_dir, cpython, plan.freeze, plan.excludes,
                                     plan.build_manifest, packages, plan.freeze_paths,
                                     plan.user_code_files(), with_sources=plan.frozen_sources,
                                     unfrozen=plan.unfrozen, main_module=plan.main_module)
    binary = build_env.StaticBinary(plan.binary_path, plan.work_dir, cpython, frozen,
                                    plan.main_options, packages, mpi=mpi,
                                    licences=licence_data.candidates_as_data(plan.licence_candidates),
                                    library_prefixes={name: library.prefix_dir.abspath
                                                      for name, library in libraries.items()})
    trees = []
    if not plan.freeze:
        trees += build_env.StdlibTree(plan.stdlib_tree_marker, cpython, plan.excludes)
    if plan.unfrozen:
        trees += build_env.UnfrozenTree(plan.unfrozen_tree_marker, plan.unfrozen, packages, plan.freeze_paths,
                                        cpython)
    build_env.SlitherSummary(plan, binary, cpython, frozen, libraries, packages)
    return StaticPythonNodes(StaticPythonProducts(
        binary=binary, trees=tuple(trees), manifest=build_env.File(os.path.join(plan.work_dir, "manifest.json")),
        launchers=tuple(_launchers(build_env, plan, libraries))))


# The keyword form's names (those of `scons` variables, lower case) and the record's fields.
_KEYWORD_FIELDS = {"python": "series", "toolchain": "profile", "target": "profile", "main": "main_module",
                   "sources": "source_dirs"}


def _variable_keywords(keywords, name):
    """StaticPython's keywords as build_variables takes them."""
    renamed = {_KEYWORD_FIELDS.get(keyword, keyword): value for keyword, value in keywords.items()}
    accepted = set(inspect.signature(build_variables).parameters)
    unknown = sorted(keyword for keyword in keywords if _KEYWORD_FIELDS.get(keyword, keyword) not in accepted)
    if unknown:
        raise SlitherError(f"StaticPython: unknown keyword(s) {', '.join(unknown)}; the keywords are the "
                           "variables of `scons -h`, lower case (python, toolchain, modules, ...)")
    return {**renamed, **({"name": name} if name is not None else {})}


def _copy_launchers(target, source, env):
    """The launcher programs, straight from the MPI recipe's prefix archive (source[0])."""
    with tarfile.open(str(source[0])) as archive:
        members = {member.name.removeprefix("./"): member for member in archive.getmembers()}
        for node, inside in zip(target, env["SLITHER_LAUNCHER_MEMBERS"]):
            member = members.get(inside)
            if member is None or not member.isfile():
                print(f"slither: error: {source[0]} has no program {inside} (the recipe's launchers)")
                return 1
            with archive.extractfile(member) as stream, open(str(node), "wb") as out:
                out.write(stream.read())
            os.chmod(str(node), 0o755)
    return 0


def _launchers(env, plan, libraries):
    """With an MPI built from a recipe (MPICH), its launcher (mpiexec and what mpiexec runs)
    beside the binary in BUILD_DIR/bin; a site's MPI brings its own."""
    if plan.mpi is None or plan.mpi.kind != "recipe" or not plan.mpi.recipe.launchers:
        return []
    launchers = sorted(plan.mpi.recipe.launchers.items())
    bin_dir = os.path.dirname(plan.binary_path)
    return env._SlitherLaunchers([os.path.join(bin_dir, name) for name, _ in launchers],
                                 [libraries[plan.mpi.recipe.name].archive,
                                  env.Value(" ".join(f"{name}={inside}" for name, inside in launchers))],
                                 SLITHER_LAUNCHER_MEMBERS=[inside for _, inside in launchers])


def _install_static_python(env, prefix, products):
    """`scons install PREFIX=...`: the binary and its launchers (mpiexec, with MPICH) into
    PREFIX/bin, its manifest into PREFIX/share/slither/NAME.json (and the tree in
    BUILD_DIR/lib: FREEZE=0's stdlib, or UNFROZEN's packages).
    products: what StaticPython returned (or its StaticPythonProducts)."""
    if isinstance(products, StaticPythonNodes):
        products = products.products
    if not isinstance(products, StaticPythonProducts):
        raise SlitherError("InstallStaticPython(prefix, products): give it what StaticPython returned")
    installed = env.Install(os.path.join(prefix, "bin"), [products.binary, *products.launchers])
    installed += env.InstallAs(os.path.join(prefix, "share", "slither", f"{products.binary.name}.json"),
                               products.manifest)
    for marker in products.trees:
        installed += env.InstallStdlibTree(prefix, marker)
    return installed


def generate(env, **kwargs):
    env.SetDefault(SLITHER_PYTHON=sys.executable)
    env.SetDefault(SLITHER_CACHE_DIR=default_cache_dir())
    env.SetDefault(SLITHER_DOWNLOAD_STORE=os.path.join(env["SLITHER_CACHE_DIR"] or "build", "downloads"))
    env["ENV"]["PYTHONPATH"] = _CHECKOUT
    for key in ("PATH", "HOME", "TMPDIR", "USER", "LOGNAME", "TERM"):
        if key in os.environ:
            env["ENV"][key] = os.environ[key]
    for tool in SUB_TOOLS:
        env.Tool(tool, toolpath=[TOOL_DIR])
    env["BUILDERS"]["_SlitherLaunchers"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_copy_launchers, "$LAUNCHERCOMSTR", varlist=["SLITHER_LAUNCHER_MEMBERS"]))
    env.AddMethod(_static_python, "StaticPython")
    env.AddMethod(_install_static_python, "InstallStaticPython")


def exists(env):
    return True


__all__ = ["generate", "exists", "SlitherError"]
