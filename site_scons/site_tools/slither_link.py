"""SCons tool: generate main.c, compile it with the frozen table, and link the static binary.

The final link takes libpython.a and the libraries CPython's configure chose (link.rsp, a
gcc response file written by the CPython step, so the list is known only at build time
without SCons having to read it early), with the TARGET's static-link flags.
"""

import dataclasses
import json
import os
from pathlib import Path

import SCons.Action
import SCons.Builder

from slither.elf import MANIFEST_SECTION
from slither.archive_probe import archive_found
from slither.recipes.loading import PROJECT_ROOT
from slither.plan.licences import components_in_binary
from slither.plan.signed_code import signed_code
from slither.link.main_c import C_FILES, GFORTRAN_COMPANIONS, MainOptions, module_link_flags, render_main_c
from slither.link.symbol_table import write_table

# Extension archives and libpython in one group: extensions call into libpython and the
# inittab in main.o calls into the extensions, so no order of the two would always work.
# dlsym is wrapped so that the program can look its own symbols up (slither.link.symbol_table).
LINK_COMMAND = ("$( $SLITHER_PYTHON -m slither.link.quiet_link {note}-- $) "
                "$CC $SLITHER_STATIC_LINK_FLAGS -Wl,--wrap=dlsym -Wl,--wrap=dlopen -Wl,--wrap=getenv -o ${TARGET}.tmp $SLITHER_LINK_OBJECTS {table}"
                "-Wl,--start-group $SLITHER_LINK_ARCHIVES -Wl,--end-group "
                "@$SLITHER_CPYTHON_LIBS @$SLITHER_MODULE_LIBS $SLITHER_MPI_LINK -Wl,--strip-debug")
# Two passes: the first links without the symbol table, whose names come from that first
# result; the second links the same inputs plus the table (weak references only, so it pulls
# in nothing new: see slither/link/symbol_table.py). The table's path is inside BUILD_DIR, so it is
# kept out of the signature ($( $)), as the cache key must not depend on where the build is.
FIRST_PASS_COMMAND = LINK_COMMAND.replace("{note}", "--no-note ").replace("{table}", "")
SYMBOL_TABLE_COMPILE = "$CC -c -o $( ${SLITHER_SYMBOL_TABLE}.o ${SLITHER_SYMBOL_TABLE}.S $)"
SECOND_PASS_COMMAND = LINK_COMMAND.replace("{note}", "").replace("{table}", "$( ${SLITHER_SYMBOL_TABLE}.o $) ")


def _write_symbol_table(target, source, env):
    """symbol_table.S from the first pass's binary (${TARGET}.tmp)."""
    write_table(Path(f"{target[0]}.tmp"), Path(env.subst("${SLITHER_SYMBOL_TABLE}.S")))
    return 0


def _publish_link(target, source, env):
    """Only a complete link gets the final name: a killed link leaves no binary to trust."""
    os.replace(f"{target[0]}.tmp", str(target[0]))
    return 0


# The manifest rides in a section that is never loaded: `slither inspect` reads it from the
# file, and the running binary does not pay for it.
MANIFEST_STUB = (f'\t.section {MANIFEST_SECTION},"",@progbits\n\t.incbin "manifest.json"\n\t.byte 0\n'
                 '\t.section .note.GNU-stack,"",@progbits\n')


def _read_manifests(nodes):
    return [json.loads(node.get_text_contents()) for node in nodes]


def _write_main(target, source, env):
    """main.c from the options and the extension manifests, known only once packages built."""
    options = MainOptions(**json.loads(source[0].get_contents().decode()))
    extensions = sorted((extension["module"], extension["init_symbol"])
                        for manifest in _read_manifests(source[1:]) for extension in manifest["extensions"])
    with open(str(target[0]), "w") as stream:
        stream.write(render_main_c(dataclasses.replace(options, extensions=tuple(extensions))))
    return 0


def _write_binary_manifest(target, source, env):
    """Everything `slither inspect` shows: the build manifest, built-in and frozen modules, and
    the components linked in with their licences (slither.plan.licences).
    source: build-manifest.json, frozen.json, CPython's info.json, the licence candidates,
    modules.rsp (what the final link adds), extension manifests."""
    build, frozen, cpython_info, candidates = _read_manifests(source[:4])
    module_libraries = source[4].get_text_contents().split()
    packages = _read_manifests(source[5:])
    extensions = [extension["module"] for package in packages for extension in package["extensions"]]
    manifest = {"build": build, "frozen_modules": frozen["modules"],
                "builtin_modules": sorted(cpython_info["builtin_modules"] + extensions),
                "extension_modules": sorted(extensions)}
    fallbacks = sorted(package["package"] for package in packages if package.get("pure_python_fallback"))
    if fallbacks:
        manifest["pure_python_fallbacks"] = fallbacks
    if candidates is not None:
        manifest["components"] = components_in_binary(candidates, cpython_info["builtin_modules"],
                                                       module_libraries)
    with open(str(target[0]), "w") as stream:
        json.dump(manifest, stream, sort_keys=True, separators=(",", ":"))
    return 0


def _write_module_libraries(target, source, env):
    """The external libraries the extension modules need, as a gcc response file (source:
    main_c.py, whose rules shape it, then the extension manifests): target[0] with this
    build's library prefixes, for the linker; target[1] with `{prefix:NAME}` left as it is, the
    same in every BUILD_DIR, for the link's signature."""
    # libquadmath exists only where GCC ships it (x86_64, not aarch64): pair it where it does.
    companions = tuple(flag for flag in GFORTRAN_COMPANIONS
                       if archive_found(env["CC"], f"lib{flag[2:]}.a", dict(os.environ)))
    manifests = _read_manifests(source[1:])
    for output, prefixes in ((target[0], json.loads(env.get("SLITHER_LIBRARY_PREFIXES", "{}"))), (target[1], {})):
        with open(str(output), "w") as stream:
            stream.write("\n".join(module_link_flags(manifests, companions, prefixes)) + "\n")
    return 0


def _compile(env, source, include_dir, depends_on):
    # -I instead of CPPPATH: the headers live in the unpacked host tree, which SCons does not
    # track file by file; the install archive it came from is the real dependency. Its path
    # sits in $( $) so that builds in different BUILD_DIRs share cache entries.
    objects = env.Object(source, CCFLAGS=["-O2", "-fwrapv", "$(", f"-I{include_dir.path}", "$)"],
                         CPPPATH=[])
    env.Depends(objects, depends_on)
    return objects


def _static_binary(env, binary, out_dir, cpython, frozen, main_options: MainOptions, packages=(), mpi=None,
                   licences=None, library_prefixes=None):
    """Declare the final link of `binary`; returns the binary's node.
    mpi: what MpiSetup returned, when a package uses MPI: its flags come last, after the
    extensions that call it (a built MPI's prefix outside the signature, its archive inside).
    licences: slither.plan.licences candidates (as data), for the manifest's component list."""
    out_dir = env.Dir(out_dir)
    manifests = [package.manifest for package in packages]
    options_json = json.dumps(dataclasses.asdict(main_options), sort_keys=True)
    main_source = env._SlitherMain(out_dir.File("main.c"), [env.Value(options_json), *manifests])
    # The template is code in main_c.py, which a function action's signature does not cover.
    env.Depends(main_source, [env.File(os.path.join(str(PROJECT_ROOT), path)) for path in signed_code("slither.link.main_c", data_files=C_FILES)])
    # The manifests write a library recipe's prefix as {prefix:NAME}: this build's own prefixes
    # go back in. That file names this BUILD_DIR's paths, so it is never taken from the cache (and
    # its signature leaves them out: within one BUILD_DIR they do not change), and the link is
    # signed by its twin with the placeholders kept, so that the link's cache entry serves every
    # BUILD_DIR.
    module_libraries, portable_module_libraries = env._SlitherModuleLibs(
        [out_dir.File("modules.rsp"), out_dir.File("modules-portable.rsp")],
        [env.File(os.path.join(str(PROJECT_ROOT), "slither/link/main_c.py")), *manifests],
        SLITHER_LIBRARY_PREFIXES=json.dumps(library_prefixes or {}, sort_keys=True))
    env.NoCache([module_libraries, portable_module_libraries])
    objects = _compile(env, [main_source[0], frozen.table], cpython.include_dir,
                       [cpython.install, cpython.host_python])
    blob_object = env._SlitherAssemble(out_dir.File("frozen_blob.o"), frozen.asm)
    env.Depends(blob_object, frozen.blob)  # .incbin reads it; no scanner sees that
    manifest = env._SlitherBinaryManifest(out_dir.File("manifest.json"),
                                          [frozen.build_manifest, frozen.manifest, cpython.info,
                                           env.Value(json.dumps(licences, sort_keys=True)), module_libraries,
                                           *manifests])
    # What the manifest lists comes from code in licences.py, which the function's signature does not cover.
    env.Depends(manifest, [env.File(os.path.join(str(PROJECT_ROOT), path)) for path in signed_code("slither.plan.licences")])
    manifest_stub = env.Textfile(out_dir.File("manifest.S"), [env.Value(MANIFEST_STUB)])
    manifest_object = env._SlitherAssemble(out_dir.File("manifest.o"), manifest_stub)
    env.Depends(manifest_object, manifest)
    link_objects = [*objects, *blob_object, *manifest_object]
    link_archives = [package.archive for package in packages] + [cpython.library]
    mpi_inputs, mpi_link = [], ""
    if mpi is not None:
        mpi_inputs = [mpi.link_flags, *mpi.inputs]
        library_dirs = " ".join(f"-L{d}" for d in mpi.library_dirs)
        mpi_link = (f"$( {library_dirs} $) " if library_dirs else "") + "@${SLITHER_MPI_FLAGS_FILE}"
    linked = env._SlitherLink(binary, [*link_objects, *link_archives, cpython.link_flags,
                                       portable_module_libraries, *mpi_inputs],
                              SLITHER_LINK_OBJECTS=link_objects, SLITHER_LINK_ARCHIVES=link_archives,
                              SLITHER_CPYTHON_LIBS=cpython.link_flags,
                              SLITHER_MODULE_LIBS=module_libraries,
                              SLITHER_MPI_FLAGS_FILE=mpi.link_flags if mpi else "", SLITHER_MPI_LINK=mpi_link,
                              SLITHER_SYMBOL_TABLE=out_dir.File("symbol_table").path)
    # The table is produced by code in symbol_table.py (and elf.py), which no action signature covers.
    env.Depends(linked, [env.File(os.path.join(str(PROJECT_ROOT), path)) for path in signed_code("slither.link.symbol_table")])
    env.Requires(linked, module_libraries)  # order only: signed through its portable twin
    if mpi is not None:  # order only: what they hold is signed through mpi.inputs
        env.Requires(linked, mpi.depends)
    return linked[0]


def generate(env):
    env["BUILDERS"]["_SlitherMain"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_write_main, "$GENCOMSTR"))
    env["BUILDERS"]["_SlitherBinaryManifest"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_write_binary_manifest, "$GENCOMSTR"))
    env["BUILDERS"]["_SlitherModuleLibs"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_write_module_libraries, "$GENCOMSTR", varlist=["CC"]))
    env["BUILDERS"]["_SlitherAssemble"] = SCons.Builder.Builder(
        action=SCons.Action.Action("$CC -c -I${SOURCE.dir} -o $TARGET $SOURCE", "$ASCOMSTR"))
    env["BUILDERS"]["_SlitherLink"] = SCons.Builder.Builder(
        action=SCons.Action.Action([SCons.Action.Action(FIRST_PASS_COMMAND, "$LINKCOMSTR"),
                                    SCons.Action.Action(_write_symbol_table, None),
                                    SCons.Action.Action(SYMBOL_TABLE_COMPILE, None),
                                    SCons.Action.Action(SECOND_PASS_COMMAND, None),
                                    SCons.Action.Action(_publish_link, None)]))
    env.AddMethod(_static_binary, "StaticBinary")


def exists(env):
    return True
