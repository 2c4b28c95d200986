"""MODULES entries, read once into records: what each asks for.

    numpy                     a recipe (modules/packages/numpy.py)
    numpy==2.2.6              the same, checked against the recipe's version
    cffi==1.17.1              a package without a recipe, locked on first use
    h5py[mpi]==3.13.0         ... with extras (their run-time requirements come along)
    msgpack==1.1.1!           `!`: a build that makes no extension module is an error
    ./src/mycode              the user's own project (a directory; slither.plan.local_project)

Entries are comma-separated; commas inside [extras] belong to the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from slither.errors import SlitherError
from slither.plan.local_project import is_local_entry

ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[(?P<extras>[A-Za-z0-9._,\s-]*)\])?"
                   r"(==(?P<version>[A-Za-z0-9][A-Za-z0-9.+!_-]*?))?(?P<strict>!)?$")


@dataclass(frozen=True)
class ModuleEntry:
    text: str
    name: str = ""                 # empty for a local project until it is read
    version: str = ""
    extras: tuple[str, ...] = ()
    strict: bool = False           # `!`: extension modules are required
    path: str = ""                 # a local project's directory, as given

    @property
    def is_local(self) -> bool:
        return bool(self.path)


def split_entries(text: str) -> list[str]:
    """Split at commas that are not inside [ ]."""
    entries, depth, current = [], 0, []
    for character in text:
        if character == "[":
            depth += 1
        elif character == "]":
            depth -= 1
        if character == "," and depth == 0:
            entries.append("".join(current))
            current = []
        else:
            current.append(character)
    entries.append("".join(current))
    return [entry.strip() for entry in entries if entry.strip()]


def parse_entry(text: str) -> ModuleEntry:
    text = text.strip()
    if is_local_entry(text):
        strict = text.endswith("!")
        return ModuleEntry(text, strict=strict, path=text.rstrip("!"))
    match = ENTRY.match(text)
    if not match:
        raise SlitherError(f"MODULES entry {text!r} is malformed: write name, name==version, "
                           "name[extra]==version or ./path/to/project, comma-separated (e.g. MODULES=numpy,mpi4py)")
    extras = tuple(sorted({extra.strip() for extra in (match.group("extras") or "").split(",") if extra.strip()}))
    return ModuleEntry(text, match.group("name"), match.group("version") or "", extras, bool(match.group("strict")))
