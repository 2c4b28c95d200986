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
class PipRequirement:
    """A file pip can fetch from the package index: `name==version`, as a wheel or an sdist.

    `python_version` selects among per-version wheels (`--python-version`); empty means any.
    """

    name: str
    version: str
    kind: str = "wheel"           # "wheel" or "sdist"
    python_version: str = ""


@dataclass(frozen=True)
class Source:
    """One upstream file, identified by its sha256; the URLs, Debian and pip entries only say where to look."""

    filename: str
    sha256: str
    urls: tuple[str, ...] = ()
    debian: DebianSource | None = None
    pip: PipRequirement | None = None


def pinned_wheel(name: str, version: str, filename: str, sha256: str, python_version: str = "") -> Source:
    """A wheel fetched through pip and accepted only with this sha256."""
    return Source(filename, sha256, pip=PipRequirement(name, version, "wheel", python_version))


def pinned_sdist(name: str, version: str, filename: str, sha256: str) -> Source:
    """A source distribution fetched through pip and accepted only with this sha256."""
    return Source(filename, sha256, pip=PipRequirement(name, version, "sdist"))


@dataclass(frozen=True)
class StaticLibrary:
    """A C library a module needs as a static archive, and who provides it on Debian."""

    archive: str          # e.g. "libssl.a"
    debian_package: str   # e.g. "libssl-dev"
    # SPDX id, from the package's Debian copyright file (its "Files: *" stanza); the binary's
    # manifest lists it when the archive really went into the link.
    licence: str = ""


@dataclass(frozen=True)
class BundledLibrary:
    """A C library CPython's source tree carries and builds into a stdlib module (expat, mpdecimal)."""

    name: str
    version: str
    licence: str          # SPDX id, from its licence file in the CPython source
    module: str           # the stdlib module that links it, e.g. "pyexpat"


@dataclass(frozen=True)
class CPythonRelease:
    series: str           # "3.11"
    version: str          # "3.11.2"
    source: Source
    configure_flags: tuple[str, ...] = ()
    bundled_libraries: tuple[BundledLibrary, ...] = ()


@dataclass(frozen=True)
class StdlibExtension:
    """A stdlib C module and the static libraries it must link (what `-l` flags it gets)."""

    name: str
    libraries: tuple[StaticLibrary, ...] = ()
    required: bool = True
    why_optional: str = ""
