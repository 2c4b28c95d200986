"""SCons tool: the stock reference CPython (`ReferencePython`) that comparisons run against.

    scons reference [PYTHON=3.13]  ->  BUILD_DIR/reference/cpython-<version>/bin/python<series>
    scons reference-mpi            ->  BUILD_DIR/libraries/mpich-<version>-<TARGET>-shared/prefix
                                       (the MPI of the mpi4py recipe, built shared: libmpi.so,
                                       mpicc, mpiexec; what the stock mpi4py is built against)

The same verified tarball as the static build, built the usual shared way by
harness.stock.cpython: no patches, no TARGET profile. Like the CPython step, the install
tree travels as one cached archive (BUILD_DIR/reference/cpython-<version>.tar); a NoCache step
unpacks it and rewrites the archive's canonical prefix in its text files to the real one.
"""

import os
import shutil

import SCons.Action
import SCons.Builder

from slither import reproducible
from slither.plan.signed_code import signed_code
from slither.plan.loading import PROJECT_ROOT, cpython_release, load_target
from harness.stock.mpi import stock_mpi_recipe
from slither.sources.unpack import safe_extract

# The code the reference build runs: changing any of it rebuilds the reference.
# Computed from its imports (slither.plan.signed_code).
REFERENCE_SCRIPTS = signed_code("harness.stock.cpython", data_files=("modules/cpython/releases.py",))

REFERENCE_COMMAND = (
    "$( $SLITHER_PYTHON $) -m harness.stock.cpython --series $SLITHER_SERIES --tarball ${SOURCES[0]} "
    "--work $( $SLITHER_WORK_DIR $) --log $( $SLITHER_LOG $) --jobs $( $SLITHER_JOBS $) "
    "--output $TARGET"
)


def _unpack_reference(target, source, env):
    from harness.stock.cpython import canonical_prefix
    prefix = env["SLITHER_REFERENCE_DIR"]
    temporary = prefix + ".tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    safe_extract(str(source[0]), temporary)
    # The tree is renamed to `prefix` below, so it names `prefix` already.
    reproducible.replace_in_text_files(temporary, canonical_prefix(env["SLITHER_VERSION"]), prefix)
    shutil.rmtree(prefix, ignore_errors=True)
    os.replace(temporary, prefix)
    return 0


QUIET_COMMAND_STRINGS = {
    "REFERENCECOMSTR": "reference build",
    "REFERENCEUNPACKCOMSTR": "unpack reference interpreter -> ${TARGET.dir.dir}",
}


def _reference_python(env, python="3.11", build_dir="build", jobs=None, sources=None, verbose=False):
    """Declare the stock shared build of PYTHON's release; returns its interpreter's node list."""
    release = cpython_release(str(python))
    build_env = env.Clone()
    if not verbose:
        for key, text in QUIET_COMMAND_STRINGS.items():
            build_env.SetDefault(**{key: text})
    build_env["SLITHER_BUILD_DIR"] = build_dir
    build_env["SLITHER_JOBS"] = str(jobs or os.cpu_count() or 1)
    if sources is not None:
        build_env["SLITHER_SOURCE_DIRS"] = [os.path.abspath(d) for d in sources]
    build_env.SetDefault(SLITHER_SOURCE_DIRS=[])
    tarball_path = os.path.join(build_dir, "sources", release.source.filename)
    tarball = build_env.File(tarball_path)
    if not tarball.has_builder():  # StaticPython may have declared the same download already
        tarball = build_env.SourceFile(tarball_path, {"source": release.source,
                                                      "version": release.version})[0]
    directory = build_env.Dir(build_dir).Dir("reference")
    stem = f"cpython-{release.version}"
    scripts = [build_env.File(os.path.join(str(PROJECT_ROOT), path)) for path in REFERENCE_SCRIPTS]
    archive = build_env._SlitherReference(
        directory.File(f"{stem}.tar"), [tarball, *scripts],
        SLITHER_SERIES=release.series, SLITHER_WORK_DIR=directory.Dir(f"{stem}.work").path,
        SLITHER_LOG=directory.File(f"{stem}.log").path,
        REFERENCECOMSTR=build_env.get("REFERENCECOMSTR") and
        f"reference build {release.version}: stock ./configure --enable-shared, make, install "
        "(first build takes minutes)")
    build_env.Depends(archive, build_env.SlitherRunnerPython())  # signed by content, not by its path
    build_env.Clean(archive, [directory.Dir(f"{stem}.work"), directory.File(f"{stem}.log")])

    prefix = directory.Dir(stem)
    interpreter = build_env._SlitherReferenceUnpack(
        prefix.File(f"bin/python{release.series}"), archive,
        SLITHER_REFERENCE_DIR=prefix.abspath, SLITHER_VERSION=release.version)
    build_env.NoCache(interpreter)
    build_env.Clean(interpreter, prefix)
    return interpreter


def _reference_mpi(env, target="gnu", build_dir="build", jobs=None, sources=None, verbose=False):
    """Declare the shared build of mpi4py's MPI recipe (the same recipe, source and TARGET
    profile as the static binary's, only linked shared); returns its unpacked prefix's marker."""
    profile = load_target(target)
    build_env = env.Clone()
    if not verbose:
        build_env.SetDefault(LIBRARYCOMSTR="library build", PREFIXCOMSTR="unpack library prefix -> ${TARGET.dir}")
    build_env["SLITHER_BUILD_DIR"] = build_dir
    build_env["SLITHER_JOBS"] = str(jobs or os.cpu_count() or 1)
    build_env["SLITHER_SOURCE_DIRS"] = [os.path.abspath(d) for d in sources or ()]
    build_env["ENV"].update(profile.environment)
    library = build_env.LibraryBuild(stock_mpi_recipe(), profile, os.path.join(build_dir, "libraries"),
                                     linkage="shared")
    return library["marker"]


def generate(env):
    env["BUILDERS"]["_SlitherReference"] = SCons.Builder.Builder(
        action=SCons.Action.Action(REFERENCE_COMMAND, "$REFERENCECOMSTR"))
    env["BUILDERS"]["_SlitherReferenceUnpack"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_unpack_reference, "$REFERENCEUNPACKCOMSTR"))
    env.AddMethod(_reference_python, "ReferencePython")
    env.AddMethod(_reference_mpi, "ReferenceMpi")


def exists(env):
    return True
