"""The vocabulary recipes in modules/ are written in: declarative records, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DebianSource:
    """Where Debian's source archive carries the same upstream tarball (its .orig file)."""

    package: str
    # Tried in order; the bare package name last, because an index may name versions its pool lacks.
    versions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """One upstream file, identified by its sha256; the URLs and Debian entry only say where to look."""

    filename: str
    sha256: str
    urls: tuple[str, ...] = ()
    debian: DebianSource | None = None


@dataclass(frozen=True)
class StaticLibrary:
    """A C library a module needs as a static archive, and who provides it on Debian."""

    archive: str          # e.g. "libssl.a"
    debian_package: str   # e.g. "libssl-dev"


@dataclass(frozen=True)
class CPythonRelease:
    series: str           # "3.11"
    version: str          # "3.11.2"
    source: Source
    configure_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class StdlibExtension:
    """A stdlib C module and the static libraries it must link (what `-l` flags it gets)."""

    name: str
    libraries: tuple[StaticLibrary, ...] = ()
    required: bool = True
    why_optional: str = ""


@dataclass
class Recipe:
    """A module recipe as loaded from modules/<name>.py (issue 3 grows this)."""

    name: str
    version: str = ""
    source: Source | None = None
    build_system: str = ""
    depends_on: tuple[str, ...] = ()
    link_libraries: tuple[str, ...] = ()
    patches: tuple[str, ...] = ()
    path: str = ""
    extra: dict = field(default_factory=dict)
