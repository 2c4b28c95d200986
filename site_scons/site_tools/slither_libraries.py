"""SCons tool: C libraries built from source (library recipes, e.g. MPICH) for later steps.

    LibraryBuild   source tarball -> prefix.tar (the install prefix: include/, lib/*.a,
                   bin/), cached by content; then unpacked into BUILD_DIR/libraries/.../prefix;
                   linkage="shared": the same recipe built shared (lib/*.so), in .../<name>-shared
                   for the steps that compile or link against it, like the CPython step's
                   HostInterpreter (cheap, never cached)

The build's signature is the source's content, the recipe, the TARGET profile and the scripts
it runs (LIBRARY_SCRIPTS, computed from slither.libraries.build's imports).
"""

import os
import shutil

import SCons.Action
import SCons.Builder

from slither.libraries.build import canonical_prefix
from slither.libraries.variants import configure_flags_for, directory_name
from slither.plan.signed_code import signed_code
from slither.plan.loading import PROJECT_ROOT
from slither.reproducible import replace_in_text_files
from slither.sources.unpack import safe_extract

LIBRARY_SCRIPTS = signed_code("slither.libraries.build")

LIBRARY_COMMAND = (
    "$( $SLITHER_PYTHON $) -m slither.libraries.build --name $SLITHER_LIBRARY --version $SLITHER_LIBRARY_VERSION "
    "--source ${SOURCES[0]} --sha256 $SLITHER_LIBRARY_SHA256 --build-system $SLITHER_BUILD_SYSTEM "
    "--target $( $SLITHER_TARGET_ARG $) $SLITHER_RECIPE_ARGS --jobs $( $SLITHER_JOBS $) "
    "--work $( $SLITHER_WORK_DIR $) --log $( $SLITHER_LOG $) --output $TARGET"
)

PREFIX_MARKER = ".slither-prefix"


def _unpack_prefix(target, source, env):
    """Unpack the archived prefix where later steps find it, and point its text files (mpicc,
    pkg-config files) from the canonical prefix at the real one."""
    prefix_dir = os.path.dirname(str(target[0]))
    temporary = prefix_dir + ".tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    safe_extract(str(source[0]), temporary)
    replace_in_text_files(temporary, env["SLITHER_CANONICAL_PREFIX"], os.path.abspath(prefix_dir))
    with open(os.path.join(temporary, PREFIX_MARKER), "w") as stream:
        stream.write(f"unpacked by slither from {source[0]}\n")
    shutil.rmtree(prefix_dir, ignore_errors=True)
    os.replace(temporary, prefix_dir)
    return 0


def _library(env, recipe, profile, libraries_dir, linkage="static"):
    """Declare the build of one library recipe; returns a dict of its nodes.

    linkage "shared" builds the same recipe as shared libraries (slither.libraries.variants), for
    the stock side of comparisons; the static binary always takes the recipe as written."""
    directory = env.Dir(libraries_dir).Dir(directory_name(recipe.name, recipe.version, profile.name, linkage))
    source = recipe.source
    tarball_path = os.path.join(env["SLITHER_BUILD_DIR"], "sources", source.filename)
    tarball = env.File(tarball_path)
    if not tarball.has_builder():  # the static and the shared build share one download
        tarball = env.SourceFile(tarball_path, {"source": source, "version": recipe.version})[0]
    patches = [env.File(p) for p in recipe.patches]
    configure_flags = configure_flags_for(recipe.name, recipe.configure_flags, linkage)
    recipe_args = " ".join([f"--patch $( {p.abspath} $)" for p in patches]
                           + [f"--configure-flag={flag}" for flag in configure_flags])
    scripts = [env.File(os.path.join(str(PROJECT_ROOT), path)) for path in LIBRARY_SCRIPTS]
    archive = directory.File("prefix.tar")
    built = env._SlitherLibrary(
        archive, [tarball, env.File(recipe.path), env.File(str(profile.path)), *patches, *scripts,
                  env.Value(f"toolchain {profile.as_signature()}")],
        SLITHER_LIBRARY=recipe.name, SLITHER_LIBRARY_VERSION=recipe.version,
        SLITHER_LIBRARY_SHA256=source.sha256, SLITHER_BUILD_SYSTEM=recipe.build_system,
        SLITHER_TARGET_ARG=str(profile.path), SLITHER_RECIPE_ARGS=recipe_args,
        SLITHER_WORK_DIR=directory.Dir("work").path, SLITHER_LOG=directory.File("build.log").path,
        LIBRARYCOMSTR=env.get("LIBRARYCOMSTR") and f"library build {recipe.name} {recipe.version} "
                      f"({profile.name}{', ' + linkage if linkage != 'static' else ''}): configure, make, install "
                      "(first build takes minutes)")
    env.Depends(built, env.SlitherRunnerPython())  # signed by content, not by its path
    env.Clean(built, [directory.Dir("work"), directory.File("build.log")])

    prefix_dir = directory.Dir("prefix")
    marker = env._SlitherPrefix(prefix_dir.File(PREFIX_MARKER), archive,
                                SLITHER_CANONICAL_PREFIX=canonical_prefix(recipe.name))
    env.NoCache(marker)
    env.Clean(marker, prefix_dir)
    return {"name": recipe.name, "version": recipe.version, "recipe": recipe, "archive": archive,
            "prefix_dir": prefix_dir, "marker": marker[0], "linkage": linkage}


def generate(env):
    env["BUILDERS"]["_SlitherLibrary"] = SCons.Builder.Builder(
        action=SCons.Action.Action(LIBRARY_COMMAND, "$LIBRARYCOMSTR"))
    env["BUILDERS"]["_SlitherPrefix"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_unpack_prefix, "$PREFIXCOMSTR"))
    env.AddMethod(_library, "LibraryBuild")


def exists(env):
    return True
