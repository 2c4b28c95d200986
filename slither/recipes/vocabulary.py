"""The vocabulary recipes in modules/ are written in: declarative records, no behaviour.

Every recipe imports from here (through `slither.recipes`), CPython's releases.py too, so the
CPython step signs this file: what only package and library recipes say (the `Recipe` record
and its checks) lives in slither.recipes.recipe instead, and growing it does not rebuild CPython.
"""

from __future__ import annotations

from dataclasses import dataclass


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
class StdlibLibrary:
    """A C library stdlib C modules link. Built from its library recipe with the TARGET's
    compilers by default; HOST_LIBRARIES=<name> takes the host's static archives instead (a
    site's own patched OpenSSL). One without a recipe is taken from the host only on request."""

    name: str                      # what HOST_LIBRARIES calls it, e.g. "openssl"
    archives: tuple[str, ...]      # its static archives on a host, e.g. ("libssl.a", "libcrypto.a")
    host_package: str              # the Debian package that installs them (named when one is missing)
    licence: str                   # SPDX id (the recipe's, or the Debian copyright file's "Files: *")
    recipe: str = ""               # modules/libraries/<recipe>.py; "" : from the host only, on request
    # Taken from the host, it stands in for this library (GNU readline for libedit, the readline
    # module's default backend).
    replaces: str = ""
    why_no_recipe: str = ""        # for one without a recipe: why, for the summary


@dataclass(frozen=True)
class StdlibExtension:
    """A stdlib C module and the libraries it links (StdlibLibrary names)."""

    name: str
    libraries: tuple[str, ...] = ()
    # What a program gets without it (said when a library it needs is not taken).
    fallback: str = ""
