"""SCons tool: C libraries built from source (library recipes, e.g. MPICH) for later steps.

    LibraryBuild   source tarball -> prefix.tar (the install prefix: include/, lib/*.a,
                   bin/), cached by content; then unpacked into BUILD_DIR/libraries/.../prefix;
                   linkage="shared": the same recipe built shared (lib/*.so), in .../<name>-shared
                   for the steps that compile or link against it, like the CPython step's
                   host tree (cheap, never cached)

The build's signature is the source's content, the recipe, the TARGET profile and the scripts
it runs (LIBRARY_SCRIPTS, computed from slither.libraries.build's imports).
"""

from slither.libraries.build import canonical_prefix
from slither.libraries.variants import configure_flags_for, directory_name
from slither.plan.signed_code import signed_code

LIBRARY_SCRIPTS = signed_code("slither.libraries.build")

LIBRARY_COMMAND = (
    "$( $SLITHER_PYTHON $) -m slither.libraries.build --name $SLITHER_LIBRARY --version $SLITHER_LIBRARY_VERSION "
    "--source ${SOURCES[0]} --sha256 $SLITHER_LIBRARY_SHA256 --build-system $SLITHER_BUILD_SYSTEM "
    "--target $( $SLITHER_TARGET_ARG $) $SLITHER_RECIPE_ARGS --jobs $( $SLITHER_JOBS $) "
    "--work $( $SLITHER_WORK_DIR $) --log $( $SLITHER_LOG $) --output $TARGET"
)

PREFIX_MARKER = ".slither-prefix"


def _library(env, recipe, profile, libraries_dir, linkage="static", mpi=None):
    """Declare the build of one library recipe; returns a dict of its nodes.

    linkage "shared" builds the same recipe as shared libraries (slither.libraries.variants), for
    the stock side of comparisons; the static binary always takes the recipe as written.
    mpi: what MpiSetup returned, for a library compiled with the MPI (parallel HDF5): configure
    gets CC=<the MPI wrapper> (outside the signature: a built MPI's path moves with BUILD_DIR),
    and the MPI's identity (its archive, or what a site wrapper says) is signed instead."""
    directory = env.Dir(libraries_dir).Dir(directory_name(recipe.name, recipe.version, profile.name, linkage))
    source = recipe.source
    tarball = env.BuildSource(source, recipe.version)
    patches = [env.File(p) for p in recipe.patches]
    configure_flags = configure_flags_for(recipe.name, recipe.configure_flags, linkage)
    recipe_args = " ".join([f"--patch $( {p.abspath} $)" for p in patches]
                           + [f"--configure-flag={flag}" for flag in configure_flags]
                           + ([f"$( --configure-flag=CC={mpi['wrapper']} $)"] if mpi else []))
    archive = directory.File("prefix.tar")
    profile_data = env.SlitherProfileData(profile)
    env.SlitherCommandStep(
        archive, [tarball, env.File(recipe.path), profile_data, *patches, *(mpi["inputs"] if mpi else [])],
        command=LIBRARY_COMMAND, scripts=LIBRARY_SCRIPTS, directory=directory, quiet="LIBRARYCOMSTR",
        message=f"library build {recipe.name} {recipe.version} "
                f"({profile.name}{', ' + linkage if linkage != 'static' else ''}): configure, make, install "
                "(first build takes minutes)",
        SLITHER_LIBRARY=recipe.name, SLITHER_LIBRARY_VERSION=recipe.version,
        SLITHER_LIBRARY_SHA256=source.sha256, SLITHER_BUILD_SYSTEM=recipe.build_system,
        SLITHER_TARGET_ARG=profile_data.abspath, SLITHER_RECIPE_ARGS=recipe_args)

    if mpi:  # order only: the unpacked MPI and its check
        env.Requires(archive, mpi["depends"])
    prefix_dir = directory.Dir("prefix")
    # Its text files (mpicc, pkg-config files) are pointed from the canonical prefix at the real one.
    marker = env.SlitherUnpackStep(prefix_dir, PREFIX_MARKER, archive, quiet="PREFIXCOMSTR",
                                   canonical_prefix=canonical_prefix(recipe.name), marker=True)
    return {"name": recipe.name, "version": recipe.version, "recipe": recipe, "archive": archive,
            "prefix_dir": prefix_dir, "marker": marker, "linkage": linkage}


def generate(env):
    env.AddMethod(_library, "LibraryBuild")


def exists(env):
    return True
