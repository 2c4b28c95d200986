"""Read one named section of an ELF file, without running it or needing binutils.

The build manifest travels inside every binary in a section that is never loaded
(`.slither_manifest`): `slither inspect` reads it this way, so inspecting a binary built for
another machine (a Cray compute node, a musl system) never executes it.
"""

from __future__ import annotations

import struct
from pathlib import Path

from .errors import SlitherError

MANIFEST_SECTION = ".slither_manifest"


def read_section(path: Path, name: str) -> bytes | None:
    """The bytes of section ``name``, or None when the file has no such section."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF":
        raise SlitherError(f"{path}: not an ELF executable")
    is_64 = data[4] == 2
    endian = "<" if data[5] == 1 else ">"
    if is_64:
        shoff, = struct.unpack_from(endian + "Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", data, 0x3A)
        header = endian + "IIQQQQIIQQ"
    else:
        shoff, = struct.unpack_from(endian + "I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(endian + "HHH", data, 0x2E)
        header = endian + "IIIIIIIIII"
    sections = [struct.unpack_from(header, data, shoff + index * shentsize) for index in range(shnum)]
    names_offset = sections[shstrndx][4]
    for section in sections:
        name_offset, offset, size = section[0], section[4], section[5]
        end = data.index(b"\0", names_offset + name_offset)
        if data[names_offset + name_offset:end].decode() == name:
            return data[offset:offset + size]
    return None
