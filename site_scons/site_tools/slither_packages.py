"""SCons tool: third-party packages (MODULES) built from their verified sources.

    BuildTools     pinned wheels -> build-tools.tar: what package builds import in the host
                   interpreter (setuptools, Cython, meson-python, ...), one per CPython variant
    PackageBuild   sdist -> site.tar (its Python files), extensions.a (one relocatable object
                   per extension module, captured at the linker), extensions.json (dotted
                   names, init symbols, external libraries)

Both run as commands; their signatures are the sources' content, the recipe, the TARGET
profile, the scripts that build them and the interpreter that runs those (by content: `scons`
and `python3 -m SCons` name it by different paths). Paths sit in $( $) so that cache entries
are shared between BUILD_DIRs, checkouts and ways of starting scons.
"""

import os
from pathlib import Path

import SCons.Action

from slither.handoffs import PackageBuild
from slither.plan.signed_code import signed_code
from slither.sources.patches import PATCHES_DIR

# The code each step runs, from its imports (slither.plan.signed_code): editing it rebuilds the step.
TOOLS_SCRIPTS = signed_code("slither.packages.build_tools", data_files=("modules/build_tools/wheels.py",))
# The capture layer runs inside the package's build, as `python -m slither.capture` from the wrappers.
# Its package imports its modules lazily (importlib), so all of them count.
PACKAGE_SCRIPTS = signed_code("slither.packages.build", "slither.capture.__main__", whole_packages=("slither.capture",))

TOOLS_COMMAND = (
    "$( $SLITHER_PYTHON $) -m slither.packages.build_tools --python $( $SLITHER_HOST_PYTHON $) --series $SLITHER_SERIES "
    "--platform $SLITHER_WHEEL_PLATFORM $( $SLITHER_WHEEL_ARGS $) --work $( $SLITHER_WORK_DIR $) "
    "--log $( $SLITHER_LOG $) --output $TARGET"
)
PACKAGE_COMMAND = (
    "$( $SLITHER_PYTHON $) -m slither.packages.build --python $( $SLITHER_HOST_PYTHON $) $( $SLITHER_TOOLS_ARGS $) "
    "--name $SLITHER_PACKAGE --version $SLITHER_PACKAGE_VERSION --source ${SOURCES[0]} "
    "--sha256 $SLITHER_PACKAGE_SHA256 --build-system $SLITHER_BUILD_SYSTEM "
    "--target $( $SLITHER_TARGET_ARG $) $SLITHER_RECIPE_ARGS "
    "--work $( $SLITHER_WORK_DIR $) --log $( $SLITHER_LOG $) "
    "--site ${TARGETS[0]} --archive ${TARGETS[1]} --manifest ${TARGETS[2]} --host-site ${TARGETS[3]}"
)


def _build_tools(env, cpython, wheels, series, platform="manylinux"):
    """wheels: [(Source, version)] of the tools recipe for this series and wheel platform."""
    directory = env.Dir(cpython.directory)
    wheel_nodes = [env.BuildSource(source, version) for source, version in wheels]
    built = env.SlitherCommandStep(
        directory.File("build-tools.tar"), [*wheel_nodes, cpython.install],
        command=TOOLS_COMMAND, scripts=TOOLS_SCRIPTS, directory=directory, work="tools-work",
        log="build-tools.log", runs_with=[cpython.host_python], quiet="TOOLSCOMSTR",
        SLITHER_HOST_PYTHON=cpython.host_python.path, SLITHER_SERIES=series,
        SLITHER_WHEEL_PLATFORM=platform,
        SLITHER_WHEEL_ARGS=" ".join(f"--wheel {node.path}" for node in wheel_nodes))
    return built[0]


def _recipe_node(env, recipe):
    """The recipe file, or for a package without one (slither.plan.recipe_free) what stands in for it."""
    if recipe.path:
        return env.File(recipe.path)
    return env.Value(f"recipe-free {recipe.name}=={recipe.version} {recipe.build_system} {recipe.source.sha256}")


def _package_source(env, recipe):
    """The sdist node: pinned or locked (fetched into BUILD_DIR/sources/), or for a local
    project packed from its files, which SCons signs by content (so it rebuilds when one changes)."""
    project = recipe.local_project
    if project is None:
        return env.BuildSource(recipe.source, recipe.version)
    files = [env.File(str(project.directory / relative)) for relative in project.files]
    target = os.path.join(env["SLITHER_BUILD_DIR"], "sources", "local", recipe.source.filename)
    return env.Command(target, [*files, env.Value(" ".join(project.files))],
                       SCons.Action.Action(_pack_local_project, "pack ${TARGET.file} from its files"),
                       SLITHER_LOCAL_PROJECT=project)[0]


def _pack_local_project(target, source, env):
    from slither.files import atomic_write_bytes
    from slither.plan.local_project import sdist_bytes
    atomic_write_bytes(Path(str(target[0])), sdist_bytes(env["SLITHER_LOCAL_PROJECT"]))
    return 0


def _build_prefix_inputs(env, recipe, tools, tool_wheels):
    """What the backend runs from: the package's own locked build requirements (with the pinned
    pip that installs them), or the pinned build tools archive; as (nodes, command arguments)."""
    locked = recipe.locked_build_requirements
    if locked is None:
        return [tools], f"--tools {tools.path}"
    pip = [(source, version) for source, version in tool_wheels if source.filename.startswith("pip-")]
    pip_node = env.BuildSource(*pip[0])
    wheel_nodes = [env.BuildSource(wheel, wheel.pip.version) for wheel in locked.wheels]
    arguments = " ".join([f"--pip-wheel {pip_node.path}", *[f"--build-wheel {node.path}" for node in wheel_nodes]])
    return [pip_node, *wheel_nodes], arguments


def _build_environment(recipe, libraries):
    """The recipe's build_environment with {prefix:NAME} made the unpacked prefix of library
    NAME; and the same with the placeholders kept, which is what the signature takes."""
    prefixes = {f"{{prefix:{library.name}}}": library.prefix_dir.abspath for library in libraries}
    declared = recipe.build_environment
    resolved = {}
    for name, value in sorted(declared.items()):
        for placeholder, prefix in prefixes.items():
            value = value.replace(placeholder, prefix)
        resolved[name] = value
    return resolved, " ".join(f"{name}={value}" for name, value in sorted(declared.items()))


def _package(env, recipe, cpython, tools, profile, packages_dir, mpi=None, tool_wheels=(), from_build=(),
             libraries=()):
    """Declare one package's build; returns its PackageBuild.
    mpi: what MpiSetup returned, for a package that uses MPI: it compiles and links through
    that MPI's compiler wrapper (MPICC), whose identity (a built MPI's archive, or what a
    site's wrapper says about itself) is part of the signature. from_build: the PackageBuild
    results of build requirements Slither builds (their host-site.tar is on this build's
    path). libraries: the LibraryBuild results of library recipes it depends_on (hdf5): their
    archives are signed, their prefixes reach the build through its build_environment. Every package also writes its own host tree (host-site.tar), so that whether a later
    build needs it does not change its cache key."""
    directory = env.Dir(packages_dir).Dir(f"{recipe.name}-{recipe.version}")
    source = recipe.source
    sdist = _package_source(env, recipe)
    prefix_nodes, tools_args = _build_prefix_inputs(env, recipe, tools, tool_wheels)
    host_trees = [package.host_site for package in from_build]
    build_environment, signed_environment = _build_environment(recipe, libraries)
    # A recipe names its patches inside patches/ (slither.recipes.module_recipes); the plan's variants give full paths.
    patches = [env.File(str(PATCHES_DIR / p)) for p in recipe.patches]
    recipe_args = " ".join(
        [f"--patch $( {p.abspath} $)" for p in patches]
        + [f"--link-library {name}" for name in recipe.link_libraries]
        + [f"--expect-module {name}" for name in recipe.extension_modules]
        + [f"--config-setting={setting}" for setting in recipe.config_settings]
        + [f"--from-build $( {tree.path} $)" for tree in host_trees]
        + (["--require-extensions"] if recipe.require_extensions else [])
        + ([f"--mpi-compiler $( {mpi.wrapper} $)"] if mpi else [])
        # where each library is unpacked here: not signed (its archive is), written as a placeholder
        + [f"--library-prefix {library.name} $( {library.prefix_dir.abspath} $)" for library in libraries])
    outputs = [directory.File(name) for name in ("site.tar", "extensions.a", "extensions.json", "host-site.tar")]
    profile_data = env.SlitherProfileData(profile)
    built = env.SlitherCommandStep(
        outputs, [sdist, *prefix_nodes, cpython.install, _recipe_node(env, recipe), profile_data,
                  *patches, *host_trees,
                  *(mpi.inputs if mpi else []), *[library.archive for library in libraries],
                  *([env.Value(f"build environment {signed_environment}")] if signed_environment else [])],
        command=PACKAGE_COMMAND, scripts=PACKAGE_SCRIPTS, directory=directory,
        runs_with=[cpython.host_python], quiet="PACKAGECOMSTR",
        message=f"package build {recipe.name} {recipe.version}: through the capture layer",
        SLITHER_HOST_PYTHON=cpython.host_python.path, SLITHER_PACKAGE=recipe.name,
        SLITHER_PACKAGE_VERSION=recipe.version, SLITHER_PACKAGE_SHA256=source.sha256,
        SLITHER_BUILD_SYSTEM=recipe.build_system, SLITHER_TARGET_ARG=profile_data.abspath,
        SLITHER_RECIPE_ARGS=recipe_args, SLITHER_TOOLS_ARGS=tools_args,
        **({"ENV": {**env["ENV"], **build_environment}} if build_environment else {}))
    if mpi:  # order only: the unpacked MPI and its check; what they hold is signed through mpi.inputs
        env.Requires(built, mpi.depends)
    env.Requires(built, [library.marker for library in libraries])  # order only: the unpacked prefixes
    return PackageBuild(recipe=recipe, site=outputs[0], archive=outputs[1], manifest=outputs[2],
                        host_site=outputs[3])


def generate(env):
    env.AddMethod(_build_tools, "BuildTools")
    env.AddMethod(_package, "PackageBuild")


def exists(env):
    return True
