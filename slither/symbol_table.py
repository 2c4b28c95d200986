"""The symbol table the static binary answers `dlsym` on itself from (ctypes.pythonapi, CDLL(None)).

A fully static executable has no dynamic symbol table, and static glibc's dlsym on the main
program finds nothing even when one is forced in (static-pie with --export-dynamic: measured,
see the README section "ctypes.pythonapi"). So the final link runs twice: the first pass is the
plain link; `exported_symbols` lists the global functions and data it defines; `render_table_c`
turns that list into a C file whose addresses the linker fills in, and the second pass links it
in. main.c's __wrap_dlsym (the link wraps dlsym) looks a name up there when the handle is the
main program's.

Every entry is a *weak* reference: a weak undefined symbol never pulls a member out of an
archive, so the second pass links exactly the objects of the first, and a name resolves to the
definition the first pass chose. Nothing runs at start-up: the table is read-only data that is
touched only by a lookup.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from .errors import SlitherError

# ELF constants (elf.h)
SHT_SYMTAB = 2
STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE = 1, 2, 10
STT_OBJECT, STT_FUNC, STT_GNU_IFUNC = 1, 2, 10
SHN_UNDEF, SHN_LORESERVE = 0, 0xFF00

# Global functions and data, as a shared library's dynamic symbol table offers them. Hidden ones
# too: static glibc marks its public functions hidden (strlen, getpid), which libc.so exports;
# the extra internals cost a few hundred kB and no start-up time. Left out: thread-local
# variables (their address differs per thread; a plain reference to one does not even link),
# section/file/untyped symbols (linker-script markers such as _end) and absolute ones.
TABLE_BINDINGS = (STB_GLOBAL, STB_WEAK, STB_GNU_UNIQUE)
TABLE_TYPES = (STT_OBJECT, STT_FUNC, STT_GNU_IFUNC)

# A name the C file can bind with an asm label without quoting.
LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def exported_symbols(path: Path) -> list[str]:
    """Sorted names of the global and weak, non-TLS functions and data an ELF executable defines (.symtab)."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF":
        raise SlitherError(f"{path}: not an ELF executable")
    is_64 = data[4] == 2
    endian = "<" if data[5] == 1 else ">"
    if is_64:
        shoff, = struct.unpack_from(endian + "Q", data, 0x28)
        shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x3A)
        section_header = endian + "IIQQQQIIQQ"
    else:
        shoff, = struct.unpack_from(endian + "I", data, 0x20)
        shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x2E)
        section_header = endian + "IIIIIIIIII"
    sections = [struct.unpack_from(section_header, data, shoff + index * shentsize) for index in range(shnum)]
    symtab = next((s for s in sections if s[1] == SHT_SYMTAB), None)
    if symtab is None:
        raise SlitherError(f"{path}: no symbol table (.symtab): was it stripped? The final link must keep it")
    strtab = sections[symtab[6]]  # sh_link
    strings_offset = strtab[4]
    offset, size, entry_size = symtab[4], symtab[5], symtab[9]
    names = set()
    for entry in range(offset, offset + size, entry_size):
        if is_64:
            name, info, _other, shndx = struct.unpack_from(endian + "IBBH", data, entry)
        else:
            name, _value, _size, info, _other, shndx = struct.unpack_from(endian + "IIIBBH", data, entry)
        binding, kind = info >> 4, info & 0xF
        if binding not in TABLE_BINDINGS or kind not in TABLE_TYPES or shndx == SHN_UNDEF or shndx >= SHN_LORESERVE:
            continue
        end = data.index(b"\0", strings_offset + name)
        names.add(data[strings_offset + name:end].decode("ascii", errors="replace"))
    return sorted(name for name in names if LABEL_NAME.fullmatch(name))


def _c_string_chunks(names: list[str], width: int = 96):
    line = ""
    for name in names:
        piece = name + "\\0"
        if len(line) + len(piece) > width:
            yield f'    "{line}"\n'
            line = ""
        line += piece
    if line:
        yield f'    "{line}"\n'


def render_table_c(names: list[str]) -> str:
    """C source of the table: names in strcmp order (binary search), offsets, addresses.

    Names are asm labels of numbered C declarations, so no name can clash with a C keyword or
    a declaration; the offsets (not pointers) into one string keep the names free of relocations.
    """
    names = sorted(set(names), key=lambda name: name.encode())
    for name in names:
        if not LABEL_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a symbol name the table can hold")
    declarations = "".join(f'extern char slither_symbol_{index}[] __asm__("{name}") __attribute__((weak));\n'
                           for index, name in enumerate(names))
    offsets, position = [], 0
    for name in names:
        offsets.append(position)
        position += len(name) + 1
    offset_lines = "".join(f"    {offset},\n" for offset in offsets)
    address_lines = "".join(f"    slither_symbol_{index},\n" for index in range(len(names)))
    # An empty table still defines every symbol (C has no empty arrays: one unused element).
    return ("/* Generated by slither.symbol_table from the first link pass. Do not edit. */\n"
            + declarations
            + f"const unsigned int slither_symbol_count = {len(names)};\n"
            + "const char slither_symbol_names[] =\n" + ("".join(_c_string_chunks(names)) or '    ""\n') + "    ;\n"
            + "const unsigned int slither_symbol_name_offsets[] = {\n" + (offset_lines or "    0,\n") + "};\n"
            + "void *const slither_symbol_addresses[] = {\n" + (address_lines or "    0,\n") + "};\n")


def write_table_c(binary: Path, output: Path) -> int:
    """The table of `binary`'s symbols as C at `output` (via a temporary name); returns its size."""
    names = exported_symbols(binary)
    temporary = Path(f"{output}.tmp")
    temporary.write_text(render_table_c(names))
    temporary.replace(output)
    return len(names)
