"""Versions chosen on first use, then locked: what an unpinned requirement (`name>=2,<3`, from
REQUIREMENTS or from a package's run-time requirements) resolved to the first time, so that
every later build takes the same release without asking the package index, and a new release
changes nothing until the lock is removed (docs/locks.md).

    CACHE_DIR/downloads/locks/resolved/<name>/<first 16 hex of sha256(specifier)>.json
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

from packaging.specifiers import SpecifierSet

from slither.sources import locks
from slither.sources.unpinned import normalized_name

LOCK_FORMAT = 1


def resolved_lock_path(store: Path, name: str, specifier: str) -> Path:
    digest = hashlib.sha256(specifier.encode()).hexdigest()[:16]
    return Path(store) / "locks" / "resolved" / normalized_name(name) / f"{digest}.json"


def version_once(name: str, specifier: str, store: Path,
                 newest: Callable[[str, SpecifierSet], str | None]) -> str | None:
    """The version `name` with `specifier` takes: the lock's, else newest() locked now (None when
    no release fits: nothing is locked then)."""
    path = resolved_lock_path(store, name, specifier)

    def parse(data: dict) -> str:
        if (normalized_name(locks.name_field(data)), data.get("specifier")) != (normalized_name(name), specifier):
            raise locks.DamagedLock(f"it resolves {data.get('name')}{data.get('specifier')}, not {name}{specifier}")
        return locks.version_field(data)
    if path.is_file():
        return locks.read_lock(path, LOCK_FORMAT, parse)
    version = newest(name, SpecifierSet(specifier))
    if version is None:
        return None
    locks.write_text_once(path, json.dumps({"format": LOCK_FORMAT, "name": name, "specifier": specifier,
                                            "version": version}, indent=1, sort_keys=True) + "\n")
    return locks.read_lock(path, LOCK_FORMAT, parse)
