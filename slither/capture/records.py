"""Capture records: one JSON file per captured extension link, written atomically."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SlitherError
from ..files import atomic_write_bytes

RECORD_FORMAT = 1


@dataclass(frozen=True)
class CaptureRecord:
    """What one `-shared` link of an extension module became, and what its static twin needs."""
    output: str                 # absolute path of the real .so the package's build produced
    output_sha256: str          # of that .so, to recognise it after installation
    object: str                 # relocatable object: its objects + private archives, one global
    init_symbol: str            # PyInit_<basename>, the object's only global definition
    role: str                   # "c", "c++" or "fortran": which driver (and runtime) the final link needs
    libraries: list[str] = field(default_factory=list)        # -l names left for the final link
    library_dirs: list[str] = field(default_factory=list)     # -L dirs outside the package tree
    external_inputs: list[str] = field(default_factory=list)  # .a/.so paths outside the tree
    link_flags: list[str] = field(default_factory=list)       # -pthread, -fopenmp, -Wl,...
    compiler: list[str] = field(default_factory=list)         # the real driver that linked
    working_directory: str = ""
    # objects of package-private shared libraries it links (PrivateLibraryRecord.object): linked
    # once into the binary with their globals kept, shared by every extension that links them
    private_libraries: list[str] = field(default_factory=list)


# Package-private shared libraries (scipy.special's libsf_error_state.so: one error state shared by
# several extensions) are recorded apart from extensions, in this subdirectory of the record dir.
PRIVATE_LIBRARY_DIR = "private-libraries"


@dataclass(frozen=True)
class PrivateLibraryRecord:
    """A non-extension `-shared` link inside the package tree, as one relocatable object whose
    globals stay global: in the static binary it exists once, as the .so existed once."""
    output: str                 # absolute path of the real .so in the build tree
    object: str
    libraries: list[str] = field(default_factory=list)
    library_dirs: list[str] = field(default_factory=list)
    external_inputs: list[str] = field(default_factory=list)


def write_private_library_record(record_dir: Path, stem: str, record: PrivateLibraryRecord) -> Path:
    path = Path(record_dir) / PRIVATE_LIBRARY_DIR / f"{stem}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"format": RECORD_FORMAT, **dataclasses.asdict(record)}, indent=2, sort_keys=True)
    atomic_write_bytes(path, (text + "\n").encode())
    return path


def read_private_library_records(record_dir: Path) -> dict[str, PrivateLibraryRecord]:
    """{real .so path: record} of the package's private shared libraries captured so far."""
    records = [PrivateLibraryRecord(**_record_fields(path, record_dir))
               for path in sorted((Path(record_dir) / PRIVATE_LIBRARY_DIR).glob("*.json"))]
    return {record.output: record for record in records}


def write_record(record_dir: Path, stem: str, record: CaptureRecord) -> Path:
    path = Path(record_dir) / f"{stem}.json"
    text = json.dumps({"format": RECORD_FORMAT, **dataclasses.asdict(record)}, indent=2, sort_keys=True)
    atomic_write_bytes(path, (text + "\n").encode())
    return path


def _record_fields(path: Path, record_dir: Path) -> dict:
    data = json.loads(path.read_text())
    if data.pop("format", None) != RECORD_FORMAT:
        raise SlitherError(f"capture record {path} has an unknown format; delete {record_dir} and rebuild")
    return data


def read_records(record_dir: Path) -> list[CaptureRecord]:
    """Every record in the directory, in name order."""
    return [CaptureRecord(**_record_fields(path, record_dir)) for path in sorted(Path(record_dir).glob("*.json"))]
