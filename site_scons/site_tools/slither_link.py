"""SCons tool: generate main.c, compile it with the frozen table, and link the static binary.

The final link takes libpython.a and the libraries CPython's configure chose (link.rsp, a
gcc response file written by the CPython step, so the list is known only at build time
without SCons having to read it early), with the TARGET's static-link flags.
"""

import os

import SCons.Action
import SCons.Builder

from slither.main_c import MainOptions, render_main_c

LINK_COMMAND = ("$( $SLITHER_PYTHON -m slither.quiet_link -- $) "
                "$CC $SLITHER_STATIC_LINK_FLAGS -o ${TARGET}.tmp ${SOURCES[:-1]} @${SOURCES[-1]} "
                "-Wl,--strip-debug")


def _publish_link(target, source, env):
    """Only a complete link gets the final name: a killed link leaves no binary to trust."""
    os.replace(f"{target[0]}.tmp", str(target[0]))
    return 0


def _write_main(target, source, env):
    with open(str(target[0]), "w") as stream:
        stream.write(source[0].get_contents().decode())
    return 0


def _compile(env, source, include_dir, depends_on):
    # -I instead of CPPPATH: the headers live in the unpacked host tree, which SCons does not
    # track file by file; the install archive it came from is the real dependency. Its path
    # sits in $( $) so that builds in different BUILD_DIRs share cache entries.
    objects = env.Object(source, CCFLAGS=["-O2", "-fwrapv", "$(", f"-I{include_dir.path}", "$)"],
                         CPPPATH=[])
    env.Depends(objects, depends_on)
    return objects


def _static_binary(env, binary, out_dir, cpython, frozen, main_options: MainOptions):
    out_dir = env.Dir(out_dir)
    main_source = env._SlitherMain(out_dir.File("main.c"), env.Value(render_main_c(main_options)))
    objects = _compile(env, [main_source[0], frozen["table"]], cpython["include_dir"],
                       [cpython["install"], cpython["host_python"]])
    blob_object = env._SlitherAssemble(out_dir.File("frozen_blob.o"), frozen["asm"])
    env.Depends(blob_object, frozen["blob"])  # .incbin reads it; no scanner sees that
    return env._SlitherLink(binary, [*objects, *blob_object, cpython["library"],
                                     cpython["link_flags"]])


def generate(env):
    env["BUILDERS"]["_SlitherMain"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_write_main, "$GENCOMSTR"))
    env["BUILDERS"]["_SlitherAssemble"] = SCons.Builder.Builder(
        action=SCons.Action.Action("$CC -c -I${SOURCE.dir} -o $TARGET $SOURCE", "$ASCOMSTR"))
    env["BUILDERS"]["_SlitherLink"] = SCons.Builder.Builder(
        action=SCons.Action.Action([SCons.Action.Action(LINK_COMMAND, "$LINKCOMSTR"),
                                    SCons.Action.Action(_publish_link, None)]))
    env.AddMethod(_static_binary, "StaticBinary")


def exists(env):
    return True
