"""SCons tool: build CPython (`CPythonBuild`) and lay out its host tree (`HostInterpreter`).

CPythonBuild's inputs are the verified tarball, the patches, the recipe, the TARGET profile
and the build scripts themselves; its outputs are four files (the install tree travels as one
archive, because SCons caches files, not directories). HostInterpreter unpacks that archive
into a directory the later steps run from; it is cheap and never cached.
"""

import os
import shutil

import SCons.Action
import SCons.Builder

from slither.plan.signed_code import signed_code
from slither.plan.loading import PROJECT_ROOT
from slither.sources.unpack import safe_extract

# Paths inside $( $) are not part of the signature: the content of every file named there is
# already a source, and absolute paths would keep a cache from being shared between checkouts.
# That includes the interpreter running the step ($SLITHER_PYTHON): `scons` and
# `python3 -m SCons` name the same binary differently, so its content is the signed input.
# The code that shapes CPython's build: changing any of it must rebuild CPython.
# Computed from its imports (slither.plan.signed_code).
BUILD_SCRIPTS = signed_code("slither.cpython.build", data_files=("modules/cpython/releases.py",))

CPYTHON_COMMAND = (
    "$( $SLITHER_PYTHON $) -m slither.cpython.build --series $SLITHER_SERIES --tarball ${SOURCES[0]} "
    "--target $( $SLITHER_TARGET_ARG $) $( $SLITHER_PATCH_ARGS $) $( $SLITHER_LIBRARY_ARGS $) "
    "--work $( $SLITHER_WORK_DIR $) --log $( $SLITHER_LOG $) --jobs $( $SLITHER_JOBS $) "
    "--install ${TARGETS[0]} --library ${TARGETS[1]} --link ${TARGETS[2]} --info ${TARGETS[3]}"
    # WITHOUT's modules; empty (the default) adds nothing, so the signature stays what it was.
    "$SLITHER_WITHOUT_ARGS"
)


def _unpack_host(target, source, env):
    host_dir = env["SLITHER_HOST_DIR"]
    temporary = host_dir + ".tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    safe_extract(str(source[0]), temporary)
    shutil.rmtree(host_dir, ignore_errors=True)
    os.replace(temporary, host_dir)
    return 0


def _runner_python(env):
    """The interpreter that runs the steps, as a file node: a dependency signed by content."""
    python = env.subst("$SLITHER_PYTHON")
    return env.File(env.WhereIs(python) or python)


def _cpython(env, variant_dir, release, profile, tarball, patches, libraries=(), without=()):
    """Declare the CPython build of one release and TARGET; returns a dict of its nodes.
    libraries: prefix archives of C libraries built for the TARGET (slither_libraries);
    without: stdlib C modules left out on request (WITHOUT)."""
    series = release.series
    variant_dir = env.Dir(variant_dir)
    outputs = [variant_dir.File(name) for name in
               ("install.tar", f"libpython{series}.a", "link.rsp", "info.json")]
    scripts = [env.File(os.path.join(str(PROJECT_ROOT), path)) for path in BUILD_SCRIPTS]
    inputs = [tarball, *patches, *libraries, env.File(str(profile.path)), *scripts,
              env.Value(f"toolchain {profile.as_signature()}")]
    patch_args = " ".join(f"--patch {env.File(p).path}" for p in patches)
    built = env._SlitherCPython(
        outputs, inputs,
        SLITHER_SERIES=series,
        SLITHER_TARGET_ARG=str(profile.path),
        SLITHER_PATCH_ARGS=patch_args,
        SLITHER_WITHOUT_ARGS="".join(f" --without {name}" for name in sorted(without)),
        SLITHER_LIBRARY_ARGS=" ".join(f"--library-prefix {env.File(lib).path}" for lib in libraries),
        SLITHER_WORK_DIR=variant_dir.Dir("work").path,
        SLITHER_LOG=variant_dir.File("build.log").path,
        CPYTHONCOMSTR=env.get("CPYTHONCOMSTR") and f"cpython build {release.version} ({profile.name}): "
                      "configure, make, install (first build takes minutes)")
    runner = _runner_python(env)
    env.Depends(built, runner)
    env.Clean(built, [variant_dir.Dir("work"), variant_dir.File("build.log")])

    host_dir = variant_dir.Dir("host")
    host_python = env._SlitherHost(host_dir.File(f"bin/python{series}"), outputs[0],
                                   SLITHER_HOST_DIR=host_dir.abspath)
    env.NoCache(host_python)
    env.Clean(host_python, host_dir)
    return {"dir": variant_dir, "series": series, "install": outputs[0], "library": outputs[1],
            "link_flags": outputs[2],
            "info": outputs[3], "runner": runner, "host_python": host_python[0], "host_dir": host_dir,
            "include_dir": host_dir.Dir(f"include/python{series}")}


def generate(env):
    env["BUILDERS"]["_SlitherCPython"] = SCons.Builder.Builder(
        action=SCons.Action.Action(CPYTHON_COMMAND, "$CPYTHONCOMSTR"))
    env["BUILDERS"]["_SlitherHost"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_unpack_host, "$HOSTCOMSTR"))
    env.AddMethod(_cpython, "CPython")
    env.AddMethod(_runner_python, "SlitherRunnerPython")  # for every step run by $SLITHER_PYTHON


def exists(env):
    return True
