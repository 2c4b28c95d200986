"""SCons tool: `FreezeModules` compiles Python modules into a linkable blob, with the built
interpreter, so that the marshal format always matches the CPython that loads it.

Its signature is the install archive (the stdlib's content), the freezer and runtime sources,
the build manifest and the EXCLUDE list; the host interpreter's path is not part of it.
"""

import json
import os
import shutil
import subprocess
import tarfile

import SCons.Action
import SCons.Builder

from slither.handoffs import FrozenModules
from slither.recipes.loading import PROJECT_ROOT
from slither.plan.signed_code import signed_code

# The runtime modules frozen into every binary, in the order the freezer takes them, and the
# freezer's code with them: the command names them, then the build manifest, by position.
RUNTIME_FILES = ("slither/runtime/_slither_runtime.py", "slither/runtime/_slither_resources.py",
                 "slither/runtime/_slither_sources.py", "slither/runtime/_slither_discovery.py",
                 "slither/runtime/_slither_data_dir.py")
RUNTIME_ARGS = " ".join(f"--runtime ${{SOURCES[{index}]}}" for index in range(1, len(RUNTIME_FILES) + 1))
FREEZE_SCRIPTS = signed_code("slither.freeze.freezer", data_files=RUNTIME_FILES)

FREEZE_COMMAND = (
    "$( $SLITHER_HOST_PYTHON $) -S -B -m slither.freeze.freezer $SLITHER_STDLIB_ARG "
    f"--exclude=$SLITHER_EXCLUDE {RUNTIME_ARGS} "
    f"--build-manifest ${{SOURCES[{len(RUNTIME_FILES) + 1}]}} $SLITHER_ROOT_ARGS$SLITHER_SOURCES_ARG$SLITHER_UNFROZEN_ARGS$SLITHER_DATA_BY_PATH_ARGS$SLITHER_MAIN_ARG "
    "--blob ${TARGETS[0]} --asm ${TARGETS[1]} --table ${TARGETS[2]} --manifest ${TARGETS[3]}"
)


def _freeze(env, out_dir, cpython, stdlib_frozen, excludes, build_manifest, packages=(),
            user_roots=(), user_files=(), with_sources=True, unfrozen=(), main_module=""):
    """Declare the freeze; returns its FrozenModules.
    with_sources: freeze every module's source too (FROZEN_SOURCES), for source lines in
    tracebacks, pdb and inspect; unfrozen: top-level packages left out (UNFROZEN); main_module:
    MAIN, which the freezer checks the binary has."""
    out_dir = env.Dir(out_dir)
    manifest_node = env.Textfile(out_dir.File("build-manifest.json"),
                                 [env.Value(json.dumps(build_manifest, indent=1, sort_keys=True))])
    outputs = [out_dir.File(name) for name in
               ("frozen.bin", "frozen_blob.S", "frozen_table.c", "frozen.json")]
    root = str(PROJECT_ROOT)
    inputs = [cpython.install, *[env.File(os.path.join(root, path)) for path in RUNTIME_FILES],
              manifest_node[0], *[env.File(os.path.join(root, path)) for path in FREEZE_SCRIPTS
                                  if path not in RUNTIME_FILES],
              env.Value(f"exclude={','.join(sorted(excludes))} stdlib_frozen={stdlib_frozen}"),
              *[package.site for package in packages], *[package.manifest for package in packages],
              *[env.File(f) for f in user_files],
              # Names as well as contents: renaming a module or data file changes the binary.
              env.Value("user files: " + " ".join(
                  os.path.relpath(f, root_dir) for root_dir in user_roots for f in user_files
                  if f.startswith(root_dir + os.sep)))]
    stdlib_dir = cpython.host_dir.Dir(f"lib/python{cpython.series}")
    # The stdlib's path is not a signature input (install.tar's content is), hence $( $).
    stdlib_arg = f"--stdlib $( {stdlib_dir.path} $)" if stdlib_frozen else ""
    frozen = env._SlitherFreeze(
        outputs, inputs,
        SLITHER_HOST_PYTHON=cpython.host_python.path,
        SLITHER_STDLIB_ARG=stdlib_arg,
        SLITHER_EXCLUDE=",".join(sorted(excludes)),
        SLITHER_SOURCES_ARG=" --sources" if with_sources else "",
        SLITHER_UNFROZEN_ARGS="".join(f" --unfrozen {name}" for name in sorted(unfrozen)),
        SLITHER_MAIN_ARG=f" --main {main_module}" if main_module else "",
        SLITHER_DATA_BY_PATH_ARGS="".join(
            f" --data-by-path {name}={'yes' if reads else 'no'}" for package in packages
            for name, reads in sorted(package.recipe.data_by_path.items())),
        SLITHER_ROOT_ARGS="$( " + " ".join([f"--root-archive {package.site.path}" for package in packages]
                                           + [f"--extensions {package.manifest.path}" for package in packages]
                                           + [f"--root {root}" for root in user_roots]) + " $)")
    env.Depends(frozen, cpython.host_python)
    return FrozenModules(blob=outputs[0], asm=outputs[1], table=outputs[2], manifest=outputs[3],
                         build_manifest=manifest_node[0])


def _lay_out_stdlib(target, source, env):
    """FREEZE=0: the stdlib as .py files beside the binary, as the 2013 tool's freeze=False."""
    marker = str(target[0])
    stdlib_dir = os.path.dirname(marker)
    prefix = f"lib/python{env['SLITHER_SERIES']}/"
    excluded = set(env["SLITHER_EXCLUDE"].split(",")) | {"site-packages"}
    shutil.rmtree(stdlib_dir, ignore_errors=True)
    os.makedirs(stdlib_dir)
    with tarfile.open(str(source[0])) as tar:
        members = []
        for member in tar.getmembers():
            if not member.name.startswith(prefix) or "__pycache__" in member.name:
                continue
            member.name = member.name[len(prefix):]
            if member.name and member.name.split("/")[0] not in excluded \
                    and member.name.split("/")[0].removesuffix(".py") not in excluded:
                members.append(member)
        tar.extractall(stdlib_dir, members=members, filter="data")
    with open(marker, "w") as stream:
        stream.write("laid out by slither from the CPython install archive\n")
    return 0


def _stdlib_tree(env, marker, cpython, excludes):
    node = env._SlitherStdlibTree(marker, [cpython.install, env.Value(",".join(sorted(excludes)))],
                                  SLITHER_SERIES=cpython.series,
                                  SLITHER_EXCLUDE=",".join(sorted(excludes)))
    env.NoCache(node)
    env.Clean(node, env.File(marker).dir)
    return node


def _lay_out_unfrozen(target, source, env):
    """UNFROZEN: the named top-level packages as files in BUILD_DIR/lib/python3.X, from the
    packages' site.tar and extensions.json (the sources but the last, the names' Value) and
    FREEZE_PATHS directories; a marker file lists them."""
    marker = str(target[0])
    tree = os.path.dirname(marker)
    names = env["SLITHER_UNFROZEN"]
    temporary = tree + ".tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    os.makedirs(temporary)
    archives = [str(node) for node in source[:-1] if str(node).endswith(".tar")]
    for archive in archives:
        with tarfile.open(archive) as tar:
            members = [member for member in tar.getmembers()
                       if member.name.removeprefix("./").split("/")[0] in names and "__pycache__" not in member.name]
            tar.extractall(temporary, members=members, filter="data")
    for root in env["SLITHER_UNFROZEN_ROOTS"]:
        for name in names:
            if os.path.isdir(os.path.join(root, name)):
                shutil.copytree(os.path.join(root, name), os.path.join(temporary, name), dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__"))
    # A directory of only extension modules (their code is in the binary) is still a namespace
    # package to the path finder, as in a stock install: it must exist for its built-ins' parent.
    for manifest in (str(node) for node in source[:-1] if str(node).endswith(".json")):
        with open(manifest) as stream:
            for extension in json.load(stream)["extensions"]:
                parts = extension["module"].split(".")
                if parts[0] in names and len(parts) > 1:
                    os.makedirs(os.path.join(temporary, *parts[:-1]), exist_ok=True)
    # Compiled once here, by the interpreter inside the binary (marshal is version-specific),
    # with unchecked hashes: at run time nothing is compiled, written or compared by mtime.
    compiled = subprocess.run([env["SLITHER_HOST_PYTHON"], "-S", "-m", "compileall", "-q", "-j", "1",
                               "--invalidation-mode", "unchecked-hash", "-d", "", temporary],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if compiled.returncode != 0:
        print(f"slither: error: UNFROZEN: compiling the packages failed:\n{compiled.stdout[-2000:]}")
        shutil.rmtree(temporary, ignore_errors=True)
        return 1
    files = sorted(os.path.relpath(os.path.join(directory, filename), temporary)
                   for directory, _, filenames in os.walk(temporary) for filename in filenames)
    with open(os.path.join(temporary, os.path.basename(marker)), "w") as stream:
        stream.write("".join(f"{path}\n" for path in files))
    shutil.rmtree(tree, ignore_errors=True)
    os.replace(temporary, tree)
    return 0


def _unfrozen_tree(env, marker, names, packages, freeze_paths, cpython):
    """Declare the UNFROZEN tree; returns its marker node (its content: the files laid out)."""
    user_files = [os.path.join(directory, filename) for root in freeze_paths for name in names
                  for directory, _, filenames in os.walk(os.path.join(root, name)) for filename in filenames
                  if "__pycache__" not in directory]
    node = env._SlitherUnfrozenTree(
        marker, [package.site for package in packages] + [package.manifest for package in packages]
        + [env.Value(",".join(sorted(names)))],
        SLITHER_UNFROZEN=sorted(names), SLITHER_UNFROZEN_ROOTS=list(freeze_paths),
        SLITHER_HOST_PYTHON=cpython.host_python.abspath)
    env.Depends(node, [env.File(path) for path in user_files] + [cpython.host_python, cpython.install])
    env.NoCache(node)
    env.Clean(node, env.File(marker).dir)
    return node


def _copy_tree(target, source, env):
    destination = os.path.dirname(str(target[0]))
    shutil.copytree(os.path.dirname(str(source[0])), destination, dirs_exist_ok=True)
    return 0


def _install_stdlib_tree(env, prefix, marker):
    marker = env.File(str(marker))
    installed = os.path.join(prefix, "lib", marker.dir.name, marker.name)
    copied = env._SlitherCopyTree(installed, marker)
    # The node stands for a whole tree: from the cache only the marker file would come back.
    env.NoCache(copied)
    return copied


def generate(env):
    env["BUILDERS"]["_SlitherFreeze"] = SCons.Builder.Builder(
        action=SCons.Action.Action(FREEZE_COMMAND, "$FREEZECOMSTR"))
    env["BUILDERS"]["_SlitherStdlibTree"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_lay_out_stdlib, "$STDLIBCOMSTR", varlist=["SLITHER_SERIES", "SLITHER_EXCLUDE"]))
    env["BUILDERS"]["_SlitherUnfrozenTree"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_lay_out_unfrozen, "$UNFROZENCOMSTR",
                                   varlist=["SLITHER_UNFROZEN", "SLITHER_UNFROZEN_ROOTS"]))
    env["BUILDERS"]["_SlitherCopyTree"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_copy_tree, "$INSTALLSTR"))
    env.AddMethod(_freeze, "FreezeModules")
    env.AddMethod(_stdlib_tree, "StdlibTree")
    env.AddMethod(_unfrozen_tree, "UnfrozenTree")
    env.AddMethod(_install_stdlib_tree, "InstallStdlibTree")


def exists(env):
    return True
