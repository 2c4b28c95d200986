"""File primitives every step shares: content hashes and all-or-nothing writes.

Kept free of heavy imports: the compiler wrappers of the capture layer import it too.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from slither.errors import SlitherError


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected_sha256: str) -> None:
    """Raise unless the file's content has the pinned hash; the message names both hashes."""
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise SlitherError(
            f"{path}: sha256 mismatch (expected {expected_sha256}, got {actual}); "
            "the file is corrupt or not the pinned release: delete it or fix the pin")


def atomic_write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Readers see the old file or the whole new one, never a partial write."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)  # mkstemp creates 0600
        os.replace(temporary, path)
        fsync_directory(path.parent)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode())


def fsync_directory(directory: Path) -> None:
    """Make a rename or link in `directory` durable (a crash after it keeps the new name)."""
    handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def durable_replace(source: Path, destination: Path) -> None:
    """Rename a finished file into place with its bytes on disk first: never a name that points
    at a file a crash left empty."""
    handle = os.open(source, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
    os.replace(source, destination)
    fsync_directory(Path(destination).parent)
