"""SCons tool: the shape every heavy step shares, so that the step tools say only what is theirs.

    SlitherCommandStep   one step run as a command by $SLITHER_PYTHON (the CPython build, C
                         libraries, build tools, packages, the reference CPython): its signature
                         is the command with paths in $( $), its inputs by content, the checkout
                         files it runs (slither.plan.signed_code) and the interpreter running it
                         (by content: `scons` and `python3 -m SCons` name it differently); it
                         works in a work directory and logs to a file, both removed by `scons -c`
    SlitherUnpackStep    an archive a step made, unpacked into a directory the later steps use:
                         cheap, so never cached (SCons caches files, not trees); text files that
                         name the archive's canonical prefix are pointed at the real directory
    SlitherRunnerPython  the interpreter that runs the steps, as a file node
    SlitherProfileData   the TARGET profile as data, the file each heavy step reads it from
                         (loaded once by SConstruct, handed to the steps by value)
    SlitherStepEnvironment  the environment one declaration (StaticPython, ReferencePython,
                         ReferenceMpi) gives its steps: BUILD_DIR, JOBS, SOURCES, VERBOSE and
                         the TARGET's toolchain

Function actions here declare the construction variables that shape their result (`varlist`);
where a directory is, they take from their target, so that no absolute path enters a signature.
"""

import os
import shutil

import SCons.Action

from slither.plan.build_plan import passed_variables
from slither.errors import SlitherError
from slither.recipes.loading import PROJECT_ROOT, profile_data
from slither.reproducible import replace_in_text_files
from slither.sources.unpack import safe_extract


def _runner_python(env):
    """The interpreter that runs the steps, as a file node: a dependency signed by content."""
    python = env.subst("$SLITHER_PYTHON")
    return env.File(env.WhereIs(python) or python)


def _write_profile_data(target, source, env):
    with open(str(target[0]), "w") as stream:
        stream.write(source[0].read())
    return 0


def _profile_data(env, profile):
    """The profile's data file in BUILD_DIR/toolchains/, signed by content: a step that takes it
    as an input reruns when a field changes, and not when the profile file's comments do."""
    text = profile_data(profile)
    target = env.File(os.path.join(env.subst("$SLITHER_BUILD_DIR"), "toolchains", f"{profile.name}.json"))
    known = _PROFILE_NODES.get(target.abspath)
    if known is not None:
        if known[0] != text:
            raise SlitherError(f"two TARGET profiles named {profile.name} in one BUILD_DIR: rename one file")
        return known[1]
    node = env.Command(target, env.Value(text), SCons.Action.Action(_write_profile_data, None))[0]
    _PROFILE_NODES[target.abspath] = (text, node)
    return node


_PROFILE_NODES = {}


def _step_environment(env, *, build_dir, jobs, source_dirs, verbose, quiet_strings, profile=None):
    """A clone of env for one declaration's steps. jobs: make's -j inside the steps (None: the
    cores here); source_dirs: searched before any download; quiet_strings: {COMSTR variable:
    its line}, used unless verbose; profile: the TARGET's toolchain, for the steps run here."""
    build_env = env.Clone()
    build_env["SLITHER_BUILD_DIR"] = build_dir
    build_env["SLITHER_JOBS"] = str(jobs or os.cpu_count() or 1)
    build_env["SLITHER_SOURCE_DIRS"] = [os.path.abspath(d) for d in source_dirs]
    build_env["ENV"]["SLITHER_VERBOSE"] = "1" if verbose else "0"
    if profile is not None:
        build_env["CC"] = profile.CC
        build_env["CXX"] = profile.CXX
        build_env["SLITHER_STATIC_LINK_FLAGS"] = list(profile.static_link_flags)
        build_env["ENV"].update(passed_variables(profile, os.environ))
        build_env["ENV"].update(profile.environment)
    if not verbose:
        for key, text in quiet_strings.items():
            build_env.SetDefault(**{key: text})
    return build_env


def _command_step(env, outputs, inputs, *, command, quiet, scripts, directory, message=None, work="work",
                  log="build.log", runs_with=(), **variables):
    """Declare one step that runs `command`; returns its output nodes.

    quiet: the construction variable holding its one-line description (e.g. CPYTHONCOMSTR);
    message, if given, replaces that description for this step (not with VERBOSE, which shows
    the command).
    scripts: checkout-relative files the step runs, signed by content.
    directory/work, directory/log: its scratch directory and log ($SLITHER_WORK_DIR, $SLITHER_LOG).
    runs_with: further nodes the step runs (a host interpreter), signed without being sources.
    variables: the construction variables its command names."""
    directory = env.Dir(directory)
    work_dir, log_file = directory.Dir(work), directory.File(log)
    overrides = {"SLITHER_WORK_DIR": work_dir.path, "SLITHER_LOG": log_file.path, **variables}
    if message is not None and env.get(quiet):
        overrides[quiet] = message
    script_nodes = [env.File(os.path.join(str(PROJECT_ROOT), path)) for path in scripts]
    built = env.Command(outputs, [*inputs, *script_nodes], SCons.Action.Action(command, f"${quiet}"),
                        **overrides)
    env.Depends(built, [env.SlitherRunnerPython(), *runs_with])
    env.Clean(built, [work_dir, log_file])
    return built


def _unpack_archive(target, source, env):
    """Unpack source[0] into the directory that holds target[0] at $SLITHER_UNPACKED_FILE,
    replacing what was there only once the new tree is complete."""
    relative = env["SLITHER_UNPACKED_FILE"]
    target_path = os.path.abspath(str(target[0]))
    assert target_path.endswith(os.sep + relative), (target_path, relative)
    directory = target_path[: -len(relative) - 1]
    temporary = directory + ".tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    safe_extract(str(source[0]), temporary)
    if env["SLITHER_CANONICAL_PREFIX"]:
        # The tree is renamed to `directory` below, so it names `directory` already.
        replace_in_text_files(temporary, env["SLITHER_CANONICAL_PREFIX"], directory)
    if env["SLITHER_UNPACK_MARKER"]:
        with open(os.path.join(temporary, relative), "w") as stream:
            stream.write(f"unpacked by slither from {source[0]}\n")
    shutil.rmtree(directory, ignore_errors=True)
    os.replace(temporary, directory)
    return 0


UNPACK_VARIABLES = ["SLITHER_UNPACKED_FILE", "SLITHER_CANONICAL_PREFIX", "SLITHER_UNPACK_MARKER"]


def _unpack_step(env, directory, relative_file, archive, *, quiet, canonical_prefix="", marker=False):
    """Declare the unpacking of `archive` into `directory`; returns the node of
    directory/relative_file: a file the archive holds, or with marker=True one written after
    unpacking (for a tree with no single file later steps run). canonical_prefix: the path the
    archive's text files name (its configure --prefix), rewritten to the directory's."""
    directory = env.Dir(directory)
    unpacked = env.Command(directory.File(relative_file), archive,
                           SCons.Action.Action(_unpack_archive, f"${quiet}", varlist=UNPACK_VARIABLES),
                           SLITHER_UNPACKED_FILE=relative_file, SLITHER_CANONICAL_PREFIX=canonical_prefix,
                           SLITHER_UNPACK_MARKER=marker)
    env.NoCache(unpacked)
    env.Clean(unpacked, directory)
    return unpacked[0]


def generate(env):
    env.AddMethod(_step_environment, "SlitherStepEnvironment")
    env.AddMethod(_runner_python, "SlitherRunnerPython")
    env.AddMethod(_profile_data, "SlitherProfileData")
    env.AddMethod(_command_step, "SlitherCommandStep")
    env.AddMethod(_unpack_step, "SlitherUnpackStep")


def exists(env):
    return True
