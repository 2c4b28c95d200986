"""SCons tool: outputs an interrupted build left without records are made again.

    ForgetUnrecordedOutputs(build_dir)   after every declaration: each declared output under
                                         build_dir that changed after SCons last wrote its records
                                         is removed, so that this build makes it again (or takes it
                                         from the cache) instead of trusting it
                                         (slither.unrecorded_outputs says why ctime tells them apart)
"""

import os

import SCons.Node.FS
import SCons.Script

from slither import unrecorded_outputs


def _declared_outputs(directory):
    """Every file node below `directory` that a builder makes: SCons's view, not the disk's."""
    for name, node in directory.entries.items():
        if name in (".", ".."):
            continue
        if isinstance(node, SCons.Node.FS.Dir):
            yield from _declared_outputs(node)
        elif isinstance(node, (SCons.Node.FS.File, SCons.Node.FS.Entry)) and node.has_builder():
            yield node  # an Entry: a target declared by a plain string, a file once built


def _forget_unrecorded_outputs(env, build_dir):
    if SCons.Script.GetOption("no_exec") or SCons.Script.GetOption("question"):
        return []  # `scons -n` and `scons -q` change nothing on disk
    records = os.path.join(os.path.abspath(build_dir), ".sconsign.dblite")
    nodes = {node.get_abspath(): node for node in _declared_outputs(env.Dir(build_dir))}
    unrecorded = unrecorded_outputs.written_after_records(nodes, records)
    if not unrecorded:
        return []
    unrecorded_outputs.remove(unrecorded)
    for path in unrecorded:
        nodes[path].clear_memoized_values()  # SCons must see the file gone, not a remembered stat
    shown = ", ".join(os.path.relpath(path, build_dir) for path in unrecorded[:3])
    more = f" and {len(unrecorded) - 3} more" if len(unrecorded) > 3 else ""
    print(f"slither: {len(unrecorded)} outputs of a build that did not finish are made again: {shown}{more}")
    return unrecorded


def generate(env, **kwargs):
    env.AddMethod(_forget_unrecorded_outputs, "ForgetUnrecordedOutputs")


def exists(env):
    return True
