"""SCons tool: C libraries built from source (library recipes, e.g. MPICH) for later steps.

    LibraryBuild   source tarball -> prefix.tar (the install prefix: include/, lib/*.a,
                   bin/), cached by content; then unpacked into BUILD_DIR/libraries/.../prefix;
                   linkage="shared": the same recipe built shared (lib/*.so), in .../<name>-shared
                   for the steps that compile or link against it, like the CPython step's
                   host tree (cheap, never cached)

    LibraryPrefix  one library recipe built alone (with what it depends_on), for a SConstruct
                   of a few lines: its unpacked prefix's marker

A recipe's depends_on (library recipes: SQLite's tcl, libedit's ncurses) are built first, with
the same TARGET and linkage; their unpacked prefixes are handed to the build (--dependency,
outside the signature: they move with BUILD_DIR) and their prefix archives sign it by content.
The build's signature is the source's content, the recipe, the TARGET profile, the prefix
archives of its dependencies and the scripts it runs (LIBRARY_SCRIPTS, computed from
slither.libraries.build's imports).
"""

import os

from slither.errors import SlitherError
from slither.handoffs import LibraryBuild
from slither.libraries.build import canonical_prefix
from slither.libraries.variants import configure_flags_for, directory_name
from slither.recipes import loading, module_recipes
from slither.recipes.recipe import LIBRARY_STRING_FIELDS, is_library
from slither.plan.signed_code import signed_code
from slither.plan.toolchain_identity import with_identity
from slither.sources.patches import PATCHES_DIR

LIBRARY_SCRIPTS = signed_code("slither.libraries.build")

LIBRARY_COMMAND = (
    "$( $SLITHER_PYTHON $) -m slither.libraries.build --name $SLITHER_LIBRARY --version $SLITHER_LIBRARY_VERSION "
    "--source ${SOURCES[0]} --sha256 $SLITHER_LIBRARY_SHA256 --build-system $SLITHER_BUILD_SYSTEM "
    "--target $( $SLITHER_TARGET_ARG $) $SLITHER_RECIPE_ARGS --jobs $( $SLITHER_JOBS $) "
    "--work $( $SLITHER_WORK_DIR $) --log $( $SLITHER_LOG $) --output $TARGET"
)

PREFIX_MARKER = ".slither-prefix"

SHELL_CHARACTERS = "$`\\\"';&|<>()*?[]#~!"

# What LibraryBuild declared, by its directory: a library two builds depend on (or a dependency
# the plan also lists) is declared once.
_DECLARED = {}


def _recipe_arguments(recipe, configure_flags):
    """The recipe's build fields as arguments of slither.libraries.build, one word each."""
    words = ([f"--configure-flag={flag}" for flag in configure_flags]
             + [f"--make-flag={flag}" for flag in recipe.make_flags]
             + [f"--install-flag={flag}" for flag in recipe.install_flags])
    for field, default in LIBRARY_STRING_FIELDS.items():
        value = getattr(recipe, field)
        if value != default:
            words.append(f"--{field.replace('_', '-')}={value}")
    # The command is one string that SCons splits at white space and a shell runs: a flag is one
    # word the shell passes on as it is ({destdir} and {prefix} instead of make's $(DESTDIR)).
    odd = [word for word in words if any(character.isspace() or character in SHELL_CHARACTERS for character in word)]
    if odd:
        raise SlitherError(f"{recipe.path}: flag {odd[0].split('=', 1)[1]!r} holds white space or one of "
                           f"{SHELL_CHARACTERS}; give each flag as one plain word")
    return words


def _build_directory(env, recipe, profile, libraries_dir, linkage):
    """Where LibraryBuild declares `recipe`'s build: BUILD_DIR/libraries/<slither.libraries.variants.directory_name>;
    also the key of _DECLARED."""
    return env.Dir(libraries_dir).Dir(directory_name(recipe.name, recipe.version, profile.name, linkage))


def _dependencies(env, recipe, profile, libraries_dir, linkage):
    """The LibraryBuild results of the library recipes `recipe` depends_on (an MPI is not one of
    them: that comes through `mpi`, from wherever the build takes its MPI)."""
    built = []
    for name in recipe.depends_on:
        dependency = module_recipes.load_module_recipe(name)
        if not is_library(dependency):
            raise SlitherError(f"{recipe.path}: depends_on names {name}, which is not a library recipe "
                               f"(build_system {dependency.build_system!r})")
        if "mpi" in dependency.provides:
            continue
        # Already declared by the build, as its plan made it (the parallel HDF5 under netCDF-C),
        # or else the recipe as written.
        declared = _DECLARED.get(_build_directory(env, dependency, profile, libraries_dir, linkage).abspath)
        built.append(declared or env.LibraryBuild(dependency, profile, libraries_dir, linkage=linkage))
    return built


def _library(env, recipe, profile, libraries_dir, linkage="static", mpi=None):
    """Declare the build of one library recipe; returns its LibraryBuild.

    linkage "shared" builds the same recipe as shared libraries (slither.libraries.variants), for
    the stock side of comparisons; the static binary always takes the recipe as written.
    mpi: what MpiSetup returned, for a library compiled with the MPI (parallel HDF5): configure
    gets CC=<the MPI wrapper> (outside the signature: a built MPI's path moves with BUILD_DIR),
    and the MPI's identity (its archive, or what a site wrapper says) is signed instead."""
    directory = _build_directory(env, recipe, profile, libraries_dir, linkage)
    declared = _DECLARED.get(directory.abspath)
    if declared is not None and declared.recipe == recipe and not mpi:
        return declared
    dependencies = _dependencies(env, recipe, profile, libraries_dir, linkage)
    source = recipe.source
    tarball = env.BuildSource(source, recipe.version)
    patches = [env.File(str(PATCHES_DIR / p)) for p in recipe.patches]  # named as in patches/, like packages'
    configure_flags = configure_flags_for(recipe.name, recipe.configure_flags, linkage)
    recipe_args = " ".join([f"--patch $( {p.abspath} $)" for p in patches]
                           + _recipe_arguments(recipe, configure_flags)
                           + [f"$( --dependency={d.name}={d.prefix_dir.abspath} $)" for d in dependencies]
                           + ([f"$( --configure-flag=CC={mpi.wrapper} $)"] if mpi else []))
    archive = directory.File("prefix.tar")
    profile_data = env.SlitherProfileData(profile)
    env.SlitherCommandStep(
        archive, [tarball, env.File(recipe.path), profile_data, *patches, *(mpi.inputs if mpi else []),
                  *[d.archive for d in dependencies]],
        command=LIBRARY_COMMAND, scripts=LIBRARY_SCRIPTS, directory=directory, quiet="LIBRARYCOMSTR",
        message=f"library build {recipe.name} {recipe.version} "
                f"({profile.name}{', ' + linkage if linkage != 'static' else ''}): configure, make, install "
                "(first build takes minutes)",
        SLITHER_LIBRARY=recipe.name, SLITHER_LIBRARY_VERSION=recipe.version,
        SLITHER_LIBRARY_SHA256=source.sha256, SLITHER_BUILD_SYSTEM=recipe.build_system,
        SLITHER_TARGET_ARG=profile_data.abspath, SLITHER_RECIPE_ARGS=recipe_args)

    if mpi:  # order only: the unpacked MPI and its check
        env.Requires(archive, mpi.depends)
    if dependencies:  # order only: their unpacked prefixes (their archives are sources above)
        env.Requires(archive, [d.marker for d in dependencies])
    prefix_dir = directory.Dir("prefix")
    # Its text files (mpicc, pkg-config files) are pointed from the canonical prefix at the real one.
    marker = env.SlitherUnpackStep(prefix_dir, PREFIX_MARKER, archive, quiet="PREFIXCOMSTR",
                                   canonical_prefix=canonical_prefix(recipe.name), marker=True)
    built = LibraryBuild(recipe=recipe, archive=archive, prefix_dir=prefix_dir, marker=marker, linkage=linkage,
                         dependencies=tuple(dependencies))
    _DECLARED[directory.abspath] = built
    return built


def _library_prefix(env, name, target="gnu", build_dir="build", jobs=None, sources=(), verbose=False):
    """Declare the build of the library recipe `name` alone (and of what it depends_on) for the
    TARGET `target` (a name or profile path); returns the marker of its unpacked prefix,
    BUILD_DIR/libraries/<name>-<version>-<target>/prefix. For trying a recipe without building
    CPython:
        env = Environment(tools=["default", "slither"], toolpath=["<checkout>/site_scons/site_tools"])
        Default(env.LibraryPrefix("sqlite", target="musl", jobs=2))"""
    recipe = module_recipes.load_module_recipe(name)
    if not is_library(recipe):
        raise SlitherError(f"{name} is not a library recipe (build_system {recipe.build_system!r}); "
                           "LibraryPrefix builds modules/libraries/ recipes")
    profile = target if isinstance(target, loading.ToolchainProfile) else loading.load_target(target)
    # Signed by what its compilers are on this machine, as a binary's build signs them: the same
    # library step, the same cache entry.
    profile = with_identity(profile, dict(os.environ))
    build_env = env.SlitherStepEnvironment(build_dir=build_dir, jobs=jobs, source_dirs=sources, verbose=verbose,
                                           quiet_strings={"LIBRARYCOMSTR": "library build",
                                                          "PREFIXCOMSTR": "unpack library prefix -> ${TARGET.dir}"},
                                           profile=profile)
    return _library(build_env, recipe, profile, os.path.join(build_dir, "libraries")).marker


def generate(env):
    env.AddMethod(_library, "LibraryBuild")
    env.AddMethod(_library_prefix, "LibraryPrefix")


def exists(env):
    return True
