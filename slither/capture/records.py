"""Capture records: one JSON file per captured extension link, written atomically."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SlitherError

RECORD_FORMAT = 1


@dataclass(frozen=True)
class CaptureRecord:
    """What one `-shared` link of an extension module became, and what its static twin needs."""
    output: str                 # absolute path of the real .so the package's build produced
    output_sha256: str          # of that .so, to recognise it after installation
    object: str                 # relocatable object: its objects + private archives, one global
    init_symbol: str            # PyInit_<basename>, the object's only global definition
    role: str                   # "c" or "c++": which driver (and runtime) the final link needs
    libraries: list[str] = field(default_factory=list)        # -l names left for the final link
    library_dirs: list[str] = field(default_factory=list)     # -L dirs outside the package tree
    external_inputs: list[str] = field(default_factory=list)  # .a/.so paths outside the tree
    link_flags: list[str] = field(default_factory=list)       # -pthread, -fopenmp, -Wl,...
    compiler: list[str] = field(default_factory=list)         # the real driver that linked
    working_directory: str = ""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the whole new one, never a partial write."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_record(record_dir: Path, stem: str, record: CaptureRecord) -> Path:
    path = Path(record_dir) / f"{stem}.json"
    text = json.dumps({"format": RECORD_FORMAT, **dataclasses.asdict(record)}, indent=2, sort_keys=True)
    write_atomically(path, (text + "\n").encode())
    return path


def read_records(record_dir: Path) -> list[CaptureRecord]:
    """Every record in the directory, in name order."""
    records = []
    for path in sorted(Path(record_dir).glob("*.json")):
        data = json.loads(path.read_text())
        if data.pop("format", None) != RECORD_FORMAT:
            raise SlitherError(f"capture record {path} has an unknown format; delete {record_dir} and rebuild")
        records.append(CaptureRecord(**data))
    return records
