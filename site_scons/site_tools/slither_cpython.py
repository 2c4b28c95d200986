"""SCons tool: build CPython (`CPython`) and lay out its host tree.

The build's inputs are the verified tarball, the patches, the recipe, the TARGET profile
and the build scripts themselves; its outputs are four files (the install tree travels as one
archive, because SCons caches files, not directories). The host tree is that archive unpacked
into a directory the later steps run from; it is cheap and never cached (slither_steps).
"""

from slither.handoffs import CPythonBuild
from slither.plan.signed_code import signed_code

# Paths inside $( $) are not part of the signature: the content of every file named there is
# already a source, and absolute paths would keep a cache from being shared between checkouts.
# That includes the interpreter running the step ($SLITHER_PYTHON): `scons` and
# `python3 -m SCons` name the same binary differently, so its content is the signed input.
# The code that shapes CPython's build: changing any of it must rebuild CPython.
# Computed from its imports (slither.plan.signed_code).
BUILD_SCRIPTS = signed_code("slither.cpython.build", data_files=("modules/cpython/releases.py",))

CPYTHON_COMMAND = (
    "$( $SLITHER_PYTHON $) -m slither.cpython.build --series $SLITHER_SERIES --tarball ${SOURCES[0]} "
    "--target $( $SLITHER_TARGET_ARG $) $( $SLITHER_PATCH_ARGS $) $SLITHER_LIBRARY_ARGS "
    "--work $( $SLITHER_WORK_DIR $) --log $( $SLITHER_LOG $) --jobs $( $SLITHER_JOBS $) "
    "--install ${TARGETS[0]} --library ${TARGETS[1]} --link ${TARGETS[2]} --info ${TARGETS[3]}"
    # WITHOUT's modules; empty (the default) adds nothing, so the signature stays what it was.
    "$SLITHER_WITHOUT_ARGS"
)


def _cpython(env, variant_dir, release, profile, tarball, patches, libraries=(), host_archives=(), without=()):
    """Declare the CPython build of one release and TARGET; returns its CPythonBuild.
    libraries: the library builds (slither_libraries) whose prefixes the stdlib's modules link;
    host_archives: the host's static archives taken instead (HOST_LIBRARIES; their content signs
    the build, so a host upgrade rebuilds it); without: stdlib C modules left out (WITHOUT)."""
    series = release.series
    variant_dir = env.Dir(variant_dir)
    outputs = [variant_dir.File(name) for name in
               ("install.tar", f"libpython{series}.a", "link.rsp", "info.json")]
    profile_data = env.SlitherProfileData(profile)
    host_files = [env.File(archive.path) for archive in host_archives]
    inputs = [tarball, *patches, *(library.archive for library in libraries), *host_files, profile_data]
    patch_args = " ".join(f"--patch {env.File(p).path}" for p in patches)
    env.SlitherCommandStep(
        outputs, inputs, command=CPYTHON_COMMAND, scripts=BUILD_SCRIPTS, directory=variant_dir,
        quiet="CPYTHONCOMSTR", message=f"cpython build {release.version} ({profile.name}): "
                                       "configure, make, install (first build takes minutes)",
        SLITHER_SERIES=series,
        SLITHER_TARGET_ARG=profile_data.abspath,
        SLITHER_PATCH_ARGS=patch_args,
        SLITHER_WITHOUT_ARGS="".join(f" --without {name}" for name in sorted(without)),
        # A library's name is signed, its archive's path is not (its content is, as a source):
        # the step's key must not depend on where BUILD_DIR is.
        SLITHER_LIBRARY_ARGS=" ".join(
            [f"--prefix-of {library.name} --library-prefix $( {library.archive.path} $)" for library in libraries]
            + [f"--host-library {name}" for name in sorted({archive.library for archive in host_archives})]))

    host_dir = variant_dir.Dir("host")
    host_python = env.SlitherUnpackStep(host_dir, f"bin/python{series}", outputs[0], quiet="HOSTCOMSTR")
    return CPythonBuild(directory=variant_dir, series=series, install=outputs[0], library=outputs[1],
                        link_flags=outputs[2], info=outputs[3], host_python=host_python, host_dir=host_dir,
                        include_dir=host_dir.Dir(f"include/python{series}"))


def generate(env):
    env.AddMethod(_cpython, "CPython")


def exists(env):
    return True
