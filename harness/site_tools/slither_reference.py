"""SCons tool of the harness: the stock reference CPython (`ReferencePython`) that comparisons
run against, and the shared MPI (`ReferenceMpi`). Loaded after the `slither` tool, whose step
environment it uses: `env.Tool("slither_reference", toolpath=["harness/site_tools"])`.

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

from harness.stock.cpython import canonical_prefix
from harness.stock.mpi import stock_mpi_recipe
from slither.recipes.loading import cpython_release, default_series
from slither.plan.signed_code import signed_code

# The code the reference build runs: changing any of it rebuilds the reference.
# Computed from its imports (slither.plan.signed_code).
REFERENCE_SCRIPTS = signed_code("harness.stock.cpython", data_files=("modules/cpython/releases.py",))

REFERENCE_COMMAND = (
    "$( $SLITHER_PYTHON $) -m harness.stock.cpython --series $SLITHER_SERIES --tarball ${SOURCES[0]} "
    "--work $( $SLITHER_WORK_DIR $) --log $( $SLITHER_LOG $) --jobs $( $SLITHER_JOBS $) "
    "--output $TARGET"
)


QUIET_COMMAND_STRINGS = {
    "REFERENCECOMSTR": "reference build",
    "REFERENCEUNPACKCOMSTR": "unpack reference interpreter -> ${TARGET.dir.dir}",
    "LIBRARYCOMSTR": "library build",
    "PREFIXCOMSTR": "unpack library prefix -> ${TARGET.dir}",
}


def _reference_python(env, python=None, build_dir="build", jobs=None, sources=(), verbose=False):
    """Declare the stock shared build of PYTHON's release (None: the recipe's DEFAULT_SERIES);
    returns its interpreter's node."""
    release = cpython_release(python or default_series())
    build_env = env.SlitherStepEnvironment(build_dir=build_dir, jobs=jobs, source_dirs=sources, verbose=verbose,
                                           quiet_strings=QUIET_COMMAND_STRINGS)
    tarball = build_env.BuildSource(release.source, release.version)
    directory = build_env.Dir(build_dir).Dir("reference")
    stem = f"cpython-{release.version}"
    archive = build_env.SlitherCommandStep(
        directory.File(f"{stem}.tar"), [tarball], command=REFERENCE_COMMAND, scripts=REFERENCE_SCRIPTS,
        directory=directory, work=f"{stem}.work", log=f"{stem}.log", quiet="REFERENCECOMSTR",
        message=f"reference build {release.version}: stock ./configure --enable-shared, make, install "
                "(first build takes minutes)",
        SLITHER_SERIES=release.series)
    # Its text files (scripts' #! lines, sysconfig data) are pointed from the canonical prefix at the real one.
    return build_env.SlitherUnpackStep(directory.Dir(stem), f"bin/python{release.series}", archive,
                                       quiet="REFERENCEUNPACKCOMSTR",
                                       canonical_prefix=canonical_prefix(release.version))


def _reference_mpi(env, profile, build_dir="build", jobs=None, sources=(), verbose=False):
    """Declare the shared build of mpi4py's MPI recipe (the same recipe, source and TARGET
    profile as the static binary's, only linked shared); returns its unpacked prefix's marker.
    profile: the loaded TARGET profile."""
    build_env = env.SlitherStepEnvironment(build_dir=build_dir, jobs=jobs, source_dirs=sources, verbose=verbose,
                                           quiet_strings=QUIET_COMMAND_STRINGS, profile=profile)
    library = build_env.LibraryBuild(stock_mpi_recipe(), profile, os.path.join(build_dir, "libraries"),
                                     linkage="shared")
    return library.marker


def generate(env):
    env.AddMethod(_reference_python, "ReferencePython")
    env.AddMethod(_reference_mpi, "ReferenceMpi")


def exists(env):
    return True
