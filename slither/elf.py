"""Read one named section of an ELF file, without running it or needing binutils.

The build manifest travels inside every binary in a section that is never loaded
(`.slither_manifest`): `slither inspect` reads it this way, so inspecting a binary built for
another machine (a Cray compute node, a musl system) never executes it.
"""

from __future__ import annotations

import struct
from pathlib import Path

from slither.errors import SlitherError

MANIFEST_SECTION = ".slither_manifest"


class SectionHeaders:
    """An ELF file's bytes and section headers, each a tuple of the header's ten fields
    (name, type, flags, addr, offset, size, link, info, addralign, entsize)."""

    def __init__(self, path: Path):
        data = Path(path).read_bytes()
        if data[:4] != b"\x7fELF":
            raise SlitherError(f"{path}: not an ELF executable")
        self.data = data
        self.is_64 = data[4] == 2
        self.endian = "<" if data[5] == 1 else ">"
        if self.is_64:
            shoff, = struct.unpack_from(self.endian + "Q", data, 0x28)
            shentsize, shnum, self.names_index = struct.unpack_from(self.endian + "HHH", data, 0x3A)
            header = self.endian + "IIQQQQIIQQ"
        else:
            shoff, = struct.unpack_from(self.endian + "I", data, 0x20)
            shentsize, shnum, self.names_index = struct.unpack_from(self.endian + "HHH", data, 0x2E)
            header = self.endian + "IIIIIIIIII"
        self.sections = [struct.unpack_from(header, data, shoff + index * shentsize) for index in range(shnum)]


def read_section(path: Path, name: str) -> bytes | None:
    """The bytes of section ``name``, or None when the file has no such section."""
    elf = SectionHeaders(path)
    data, names_offset = elf.data, elf.sections[elf.names_index][4]
    for section in elf.sections:
        name_offset, offset, size = section[0], section[4], section[5]
        end = data.index(b"\0", names_offset + name_offset)
        if data[names_offset + name_offset:end].decode() == name:
            return data[offset:offset + size]
    return None
