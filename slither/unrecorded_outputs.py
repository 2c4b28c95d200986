"""Outputs that a build wrote but never recorded: what an interrupted build leaves behind.

SCons writes its step records (BUILD_DIR/.sconsign.dblite: each target's inputs, by content) once,
when it exits. A build killed with SIGKILL, or by a machine that went down, writes none: the
outputs it completed stay on disk, and the next build compares their inputs with the records of
the build before. If that next build has the variables of the build before, the inputs match and
SCons takes the killed build's outputs, made from other variables, for up to date: it never reads
a target's bytes to check them.

What tells such an output apart is its inode's change time. Every step writes its outputs under a
temporary name and renames them (a rename sets ctime), SCons removes a target before rebuilding it,
and a retrieval from the cache writes a new file: so an output a finished build recorded has a
ctime older than the records file, and one that is newer was written after the last records were.
ctime, not mtime, because a retrieval from the cache and `cp -p` may set mtime to anything; nothing
but the kernel sets ctime.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable


def written_after_records(outputs: Iterable[str], records: str) -> list[str]:
    """The files among `outputs` whose inode changed after `records` was last written.

    With no records file there is nothing to be newer than: SCons then rebuilds every target whose
    record it lacks anyway.
    """
    try:
        recorded_at = os.stat(records).st_mtime_ns
    except FileNotFoundError:
        return []
    unrecorded = []
    for output in outputs:
        try:
            status = os.lstat(output)
        except FileNotFoundError:
            continue
        # a directory's ctime changes with every entry: the files in it are what is checked
        if not stat.S_ISDIR(status.st_mode) and status.st_ctime_ns > recorded_at:
            unrecorded.append(output)
    return sorted(unrecorded)


def remove(outputs: Iterable[str]) -> None:
    """Remove the outputs, so that the build makes them again (or takes them from the cache)."""
    for output in outputs:
        try:
            os.unlink(output)
        except FileNotFoundError:
            pass
