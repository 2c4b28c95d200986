"""SCons tool: `SourceFile` fetches a pinned upstream file into the build, verified by sha256;
`BuildSource` is the same under BUILD_DIR/sources/, where every step takes its sources from.

The target's only input is the pin itself (filename, sha256, where to look), as a Value, so a
changed pin refetches and nothing else does. The verified file lives in the content-addressed
download store; the build tree gets a hard link (or a copy across filesystems).
"""

import os
import shutil

import SCons.Action
import SCons.Builder

from slither.errors import SlitherError
from slither.sources.pinned import obtain


def _fetch(target, source, env):
    pin = env["SLITHER_PIN"]
    try:
        path = obtain(pin["source"], search_dirs=env["SLITHER_SOURCE_DIRS"],
                      store=env["SLITHER_DOWNLOAD_STORE"], upstream_version=pin["version"],
                      log=lambda message: print(f"  {message}"))
    except SlitherError as error:
        print(f"slither: error: {error}")
        return 1
    destination = str(target[0])
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    temporary = destination + ".tmp"
    if os.path.exists(temporary):
        os.unlink(temporary)
    try:
        os.link(path, temporary)
    except OSError:
        shutil.copyfile(path, temporary)
    os.replace(temporary, destination)
    return 0


def _describe(target, source, env):
    return f"source {os.path.basename(str(target[0]))}"


def _source_file(env, target, pin):
    """pin: {"source": slither.recipes.Source, "version": upstream version}."""
    source = pin["source"]
    signature = env.Value(f"{source.filename} sha256={source.sha256}")
    node = env._SlitherFetch(target, signature, SLITHER_PIN=pin)
    env.NoCache(node)  # the download store is its cache
    return node


def _build_source(env, source, version):
    """BUILD_DIR/sources/<filename> as a node, declared once however many steps use it (the
    static and the shared library build, the static and the reference CPython share one)."""
    path = os.path.join(env["SLITHER_BUILD_DIR"], "sources", source.filename)
    node = env.File(path)
    if node.has_builder():
        return node
    return _source_file(env, path, {"source": source, "version": version})[0]


def generate(env):
    env["BUILDERS"]["_SlitherFetch"] = SCons.Builder.Builder(
        action=SCons.Action.Action(_fetch, _describe))
    env.AddMethod(_source_file, "SourceFile")
    env.AddMethod(_build_source, "BuildSource")


def exists(env):
    return True
