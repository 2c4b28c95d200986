"""Static archives a package's build made itself with `ar` (through the capture's AR wrapper).

Such an archive is the package's own, wherever its build system put it (a CMake build
directory outside the source tree, a sibling directory of the link): the capture merges it
into the extension that links it, as it merges archives under the package's tree, instead of
leaving it for the final link as if it were a system library.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..files import atomic_write_bytes

ARCHIVES_DIRECTORY = "archives"


def record_archive(record_dir: Path, archive: Path) -> None:
    """Note that the build wrote `archive` (one small file per archive: parallel `ar` calls
    never write the same file, and rewriting one says the same thing)."""
    path = str(archive.resolve())
    name = hashlib.sha256(path.encode()).hexdigest()[:24] + ".path"
    atomic_write_bytes(Path(record_dir) / ARCHIVES_DIRECTORY / name, path.encode())


def archives_made_by_the_build(record_dir: Path) -> frozenset[Path]:
    directory = Path(record_dir) / ARCHIVES_DIRECTORY
    if not directory.is_dir():
        return frozenset()
    return frozenset(Path(entry.read_text()) for entry in directory.glob("*.path"))
