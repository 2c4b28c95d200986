"""SCons tool: the MPI that packages using it and the final link get (see slither.libraries.mpi).

    MpiSetup   -> mpi.rsp          the final link's MPI flags, from the wrapper
               -> mpi-init-static  a static C program calling MPI_Init/MPI_Finalize, compiled by
                                   the wrapper and linked the way the final link links MPI:
                                   proof that this MPI links fully static (a site MPI that
                                   cannot fails here, before any package compiles, with the
                                   reason), and the yardstick for `from mpi4py import MPI`

With a built MPI (MPI=mpich) the wrapper is bin/mpicc of its unpacked prefix and the flags
naming that prefix are given to the link outside its signature (the prefix moves with
BUILD_DIR; its archive's content is what is signed). A site MPI's flags are known at plan
time and signed with what the wrapper says about itself.
"""

import os
import shlex
import subprocess

import SCons.Action
import SCons.Builder

from slither.handoffs import MpiSetup
from slither.libraries.mpi import MPI_INIT_PROGRAM, explain_static_link_failure, flags_outside_prefix, wrapper_link_flags

PROGRAM_NAME = "mpi-init-static"


def _write_built_mpi_flags(target, source, env):
    wrapper = shlex.split(env["SLITHER_MPI_WRAPPER"])
    prefix = env["SLITHER_MPI_PREFIX"]
    flags = flags_outside_prefix(wrapper_link_flags(wrapper, env["SLITHER_MPI_WHAT"]), prefix)
    with open(str(target[0]), "w") as stream:
        stream.write("\n".join(flags) + "\n")
    return 0


def _check_static_mpi(target, source, env):
    """Compile with the wrapper, link with the final link's driver, flags and MPI flags."""
    program = str(target[0])
    directory = os.path.dirname(os.path.abspath(program))
    os.makedirs(directory, exist_ok=True)
    source_file = os.path.join(directory, f"{PROGRAM_NAME}.c")
    with open(source_file, "w") as stream:
        stream.write(MPI_INIT_PROGRAM)
    wrapper = shlex.split(env["SLITHER_MPI_WRAPPER"])
    run_env = {key: str(value) for key, value in env["ENV"].items()}
    object_file = os.path.join(directory, f"{PROGRAM_NAME}.o")
    compiled = subprocess.run([*wrapper, "-c", source_file, "-o", object_file], env=run_env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    what = env["SLITHER_MPI_WHAT"]
    if compiled.returncode != 0:
        last = (compiled.stdout.strip().splitlines() or ["no output"])[-1]
        print(f"slither: error: {what}: cannot compile an MPI program with {shlex.join(wrapper)}: {last}")
        return 1
    link = [*shlex.split(env.subst("$CC")), *env["SLITHER_STATIC_LINK_FLAGS"], "-o", program + ".tmp",
            object_file, *env["SLITHER_MPI_LIBRARY_DIRS_ARGS"], f"@{source[0]}", "-lpthread", "-lm"]
    linked = subprocess.run(link, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if linked.returncode != 0:
        print(f"slither: error: {what}: cannot link a fully static MPI program: "
              f"{explain_static_link_failure(linked.stdout)}; use MPI=mpich (built from source, static, "
              "hwloc embedded without udev) or a site MPI with static libraries")
        return 1
    os.replace(program + ".tmp", program)
    return 0


def _mpi_setup(env, choice, libraries, mpi_dir):
    """choice: slither.libraries.mpi.MpiChoice; libraries: {name: LibraryBuild}. Returns the MpiSetup
    that the package steps and the final link take: wrapper, inputs (signed), depends, link pieces."""
    mpi_dir = env.Dir(mpi_dir)
    if choice.kind == "recipe":
        library = libraries[choice.recipe.name]
        prefix_dir = library.prefix_dir
        wrapper = os.path.join(prefix_dir.abspath, choice.recipe.mpi_wrapper)
        inputs = [library.archive]
        depends = [library.marker]
        library_dirs = [prefix_dir.Dir("lib").abspath]
        what = f"MPI={choice.recipe.name}"
        flags = env._SlitherBuiltMpiFlags(mpi_dir.File("mpi.rsp"), [library.archive, library.marker],
                                          SLITHER_MPI_WRAPPER=wrapper, SLITHER_MPI_PREFIX=prefix_dir.abspath,
                                          SLITHER_MPI_WHAT=what)
    else:
        wrapper = shlex.join(choice.wrapper)
        inputs = [env.Value(f"mpi {choice.kind} {choice.identity}")]
        depends, library_dirs = [], []
        what = choice.description
        flags = env.Textfile(mpi_dir.File("mpi.rsp"), [env.Value("\n".join(choice.link_flags))])
    env.NoCache(flags)
    wrapper_words = shlex.split(wrapper) if choice.kind != "recipe" else [wrapper]
    check = env._SlitherMpiCheck(mpi_dir.File(PROGRAM_NAME), [flags[0], *inputs, env.Value(MPI_INIT_PROGRAM)],
                                 SLITHER_MPI_WRAPPER=shlex.join(wrapper_words), SLITHER_MPI_WHAT=what,
                                 SLITHER_MPI_LIBRARY_DIRS_ARGS=[f"-L{d}" for d in library_dirs])
    env.Requires(check, depends)
    env.NoCache(check)
    return MpiSetup(wrapper=shlex.join(wrapper_words), inputs=tuple(inputs), depends=(*depends, check[0]),
                    link_flags=flags[0], library_dirs=tuple(library_dirs), check=check[0],
                    description=choice.description)


def generate(env):
    env["BUILDERS"]["_SlitherBuiltMpiFlags"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_write_built_mpi_flags, "$GENCOMSTR", varlist=["SLITHER_MPI_WHAT"]))
    env["BUILDERS"]["_SlitherMpiCheck"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_check_static_mpi, "$MPICHECKCOMSTR",
                                   varlist=["CC", "SLITHER_STATIC_LINK_FLAGS", "SLITHER_MPI_WHAT"]))
    env.AddMethod(_mpi_setup, "MpiSetup")


def exists(env):
    return True
