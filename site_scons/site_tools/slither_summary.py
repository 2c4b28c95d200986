"""SCons tool: the summary printed after a build (binary, size, modules, what was cached)."""

import atexit
import json
import os

import SCons.Node
import SCons.Script

from slither.inspect.summary import format_summary


def _node_outcome(node, retrieved):
    # node.cached is reset once a node is built, so ask the cache what it handed out.
    if str(node) in retrieved:
        return "cache"
    state = node.get_state()
    if state == SCons.Node.executed:
        return "built"
    if state == SCons.Node.up_to_date:
        return "up to date"
    return "not needed"


def _read_json(node):
    try:
        with open(node.abspath) as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return {}


def _summary(env, plan, binary, cpython, frozen, libraries=None, packages=()):
    # Libraries and packages by name, in build order: what a changed MODULES rebuilt, and what not.
    steps = {"cpython": cpython.install,
             **{name: library.archive for name, library in (libraries or {}).items()},
             **{package.name: package.archive for package in packages},
             "freeze": frozen.blob, "link": binary}

    def print_summary():
        if SCons.Script.GetBuildFailures() or SCons.Script.GetOption("clean") \
                or SCons.Script.GetOption("help") or SCons.Script.GetOption("no_exec") \
                or SCons.Script.GetOption("question"):
            return
        if not os.path.exists(binary.abspath):
            return
        retrieved = set(getattr(env.get_CacheDir(), "retrieved", ()))
        outcomes = {name: _node_outcome(node, retrieved) for name, node in steps.items()}
        if outcomes["link"] == "not needed":  # the binary was not asked for (`scons reference`)
            return
        components = _read_json(env.File(os.path.join(plan.work_dir, "manifest.json"))).get("components", [])
        package_manifests = [_read_json(package.manifest) for package in packages]
        fallbacks = sorted(package.name for package, manifest in zip(packages, package_manifests)
                           if manifest.get("pure_python_fallback"))
        extensions = sorted(extension["module"] for manifest in package_manifests
                            for extension in manifest.get("extensions", []))
        unfrozen_files = []
        if plan.unfrozen and os.path.exists(plan.unfrozen_tree_marker):
            with open(plan.unfrozen_tree_marker) as stream:
                unfrozen_files = stream.read().split()
        print(format_summary(binary.path, os.path.getsize(binary.abspath), plan,
                             _read_json(cpython.info), _read_json(frozen.manifest), outcomes,
                             components, fallbacks, extensions, unfrozen_files))

    atexit.register(print_summary)


def generate(env):
    env.AddMethod(_summary, "SlitherSummary")


def exists(env):
    return True
