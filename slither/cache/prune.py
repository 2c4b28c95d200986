"""Keep the build-step cache under a size limit, least recently used entries first.

Every retrieval touches its entry (site_scons/site_tools/slither_cache.py), so an entry's
mtime is its last use. Pruning removes whole entries (the file and its `.sha256` sidecar,
sidecar last, so a concurrent reader sees a complete entry or none), never one used since
`protect_since` (what the running build touched), plus leftovers of interrupted pushes and
quarantined entries. Source downloads (`downloads/`) are never pruned: they are small and
may be impossible to fetch again on an offline machine.

    python3 -m slither prune-cache [--cache DIR] [--max-size 20G]
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from slither.errors import SlitherError

SIDECAR_SUFFIX = ".sha256"
BUILDING_SUFFIX = ".building"  # a step's build lock (site_scons/site_tools/slither_cache.py)
STALE_TEMPORARY_SECONDS = 24 * 3600
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$", re.IGNORECASE)
UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str) -> int:
    """'20G', '512M', '0' -> bytes; 0 means no limit."""
    match = SIZE.match(str(text))
    if not match:
        raise SlitherError(f"CACHE_MAX={text}: give a size such as 20G, 512M or 0 (no limit)")
    return int(float(match.group(1)) * UNITS[match.group(2).upper()])


@dataclass
class PruneResult:
    removed_entries: int = 0
    freed_bytes: int = 0
    kept_bytes: int = 0


def _entries(scons_cache: Path):
    """(mtime, size, path) of every complete entry."""
    for bucket in scons_cache.iterdir() if scons_cache.is_dir() else []:
        if not bucket.is_dir():
            continue
        for path in bucket.iterdir():
            name = path.name
            if name.endswith((SIDECAR_SUFFIX, BUILDING_SUFFIX, ".corrupt")) or ".tmp" in name:
                continue
            try:
                status = path.stat()
            except FileNotFoundError:  # pruned or replaced by another process just now
                continue
            yield status.st_mtime, status.st_size, path


def _remove_leftovers(scons_cache: Path, now: float) -> int:
    """Interrupted pushes (`*.tmp*`) and build locks (`*.building`, empty) older than a day, and
    quarantined entries."""
    freed = 0
    for bucket in scons_cache.iterdir() if scons_cache.is_dir() else []:
        if not bucket.is_dir():
            continue
        for path in bucket.iterdir():
            try:
                status = path.stat()
                stale_temporary = ((".tmp" in path.name or path.name.endswith(BUILDING_SUFFIX))
                                   and now - status.st_mtime > STALE_TEMPORARY_SECONDS)
                if stale_temporary or path.name.endswith(".corrupt"):
                    path.unlink()
                    freed += status.st_size
            except FileNotFoundError:
                continue
    return freed


def prune(scons_cache: Path, max_bytes: int, protect_since: float | None = None) -> PruneResult:
    result = PruneResult()
    if max_bytes <= 0:
        return result
    scons_cache = Path(scons_cache)
    now = time.time()
    result.freed_bytes += _remove_leftovers(scons_cache, now)
    entries = sorted(_entries(scons_cache))
    total = sum(size for _, size, _ in entries)
    for mtime, size, path in entries:
        if total <= max_bytes:
            break
        if protect_since is not None and mtime >= protect_since:
            break  # everything from here on was used by the running build
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        Path(f"{path}{SIDECAR_SUFFIX}").unlink(missing_ok=True)
        total -= size
        result.removed_entries += 1
        result.freed_bytes += size
    result.kept_bytes = total
    return result


def main(argv=None) -> None:
    import argparse

    from slither.cache import default_cache_dir
    from slither.units import human_size

    parser = argparse.ArgumentParser(prog="python3 -m slither prune-cache", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=default_cache_dir(), help="CACHE_DIR (default: %(default)s)")
    parser.add_argument("--max-size", default="20G", help="keep at most this much (default: %(default)s)")
    args = parser.parse_args(argv)
    result = prune(Path(os.path.expanduser(args.cache)) / "scons", parse_size(args.max_size))
    print(f"pruned {result.removed_entries} entries ({human_size(result.freed_bytes)}); "
          f"{human_size(result.kept_bytes)} kept")
