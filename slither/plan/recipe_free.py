"""MODULES entries with no recipe (`name==version`): a recipe made from the package itself.

The source is locked on first use (slither.sources.unpinned: its sha256 is recorded and every
later build must match). What a recipe would declare is read from the file:

* a pure-Python wheel (`*-none-any.whl`): installed as it is, nothing to compile;
* an sdist whose pyproject.toml names setuptools (or that has only a setup.py) or
  meson-python: built through the capture layer like a recipe's package, with the pinned
  build tools; every extension module it makes is captured;
* anything else (another build backend, build requirements the pinned build tools do not
  have): refused with one line that says what to do, before any build starts.

Its licence comes from the same file's metadata (PKG-INFO or the wheel's METADATA):
License-Expression, else a License field or a classifier that names one licence exactly,
else "unknown".

Without a recipe nothing checks that a package's optional C code really built; write a recipe
(modules/<name>.py, with `extension_modules`) for a package that matters.
"""

from __future__ import annotations

import email.parser
import re
import tarfile
import tomllib
import zipfile
from pathlib import Path
from typing import Callable, Iterable

from slither.errors import SlitherError
from slither.plan.module_recipes import Recipe, is_spdx_expression
from slither.sources.unpinned import normalized_name, obtain_unpinned

# PEP 517 backends whose builds the capture layer understands, by build_system name.
KNOWN_BACKENDS = {
    "setuptools.build_meta": "setuptools",
    "setuptools.build_meta:__legacy__": "setuptools",
    "mesonpy": "meson-python",
}
# What the pinned build tools archive (modules/build_tools/wheels.py) provides to a build.
BUILD_TOOL_PROJECTS = frozenset({"setuptools", "wheel", "cython", "meson", "meson-python", "ninja",
                                 "pyproject-metadata", "packaging", "pip"})
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


# Trove classifiers and free-text License values that name exactly one SPDX licence; others
# ("BSD License": which BSD?) stay "unknown" rather than be guessed.
LICENCE_CLASSIFIERS = {
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "License :: OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}
LICENCE_ALIASES = {"apache 2.0": "Apache-2.0", "apache-2.0": "Apache-2.0", "apache license 2.0": "Apache-2.0",
                   "apache license, version 2.0": "Apache-2.0", "mit": "MIT", "mit license": "MIT",
                   "bsd-3-clause": "BSD-3-Clause", "bsd-2-clause": "BSD-2-Clause", "isc": "ISC"}


def licence_from_metadata(metadata_text: str) -> tuple[str, str]:
    """(SPDX expression or "unknown", the metadata field it came from) of a PKG-INFO/METADATA text."""
    metadata = email.parser.HeaderParser().parsestr(metadata_text)
    expression = (metadata.get("License-Expression") or "").strip()
    if is_spdx_expression(expression):
        return expression, "License-Expression"
    licence = (metadata.get("License") or "").strip()
    if licence and "\n" not in licence:
        if licence.lower() in LICENCE_ALIASES:
            return LICENCE_ALIASES[licence.lower()], "License"
        if is_spdx_expression(licence) and any(character in licence for character in "-.0123456789"):
            return licence, "License"
    named = sorted({LICENCE_CLASSIFIERS[value.strip()] for value in metadata.get_all("Classifier") or []
                    if value.strip() in LICENCE_CLASSIFIERS})
    if len(named) == 1:
        return named[0], "Classifier"
    return "unknown", "no licence in the metadata"


def metadata_of(source: Path) -> str:
    """The PKG-INFO of an sdist or the METADATA of a wheel, as text ("" if it has none)."""
    if source.name.endswith(".whl"):
        with zipfile.ZipFile(source) as wheel:
            names = [name for name in wheel.namelist() if name.count("/") == 1 and name.endswith(".dist-info/METADATA")]
            return wheel.read(names[0]).decode("utf-8", "replace") if names else ""
    with tarfile.open(source) as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name.count("/") == 1 and member.name.endswith("/PKG-INFO"):
                return archive.extractfile(member).read().decode("utf-8", "replace")
    return ""


def _pyproject_of_sdist(sdist: Path) -> tuple[dict | None, bool]:
    """(parsed pyproject.toml or None, whether a setup.py exists), read from the archive."""
    with tarfile.open(sdist) as archive:
        members = {member.name.partition("/")[2]: member for member in archive.getmembers()
                   if member.isfile() and member.name.count("/") == 1}
        has_setup_py = "setup.py" in members
        if "pyproject.toml" not in members:
            return None, has_setup_py
        try:
            return tomllib.loads(archive.extractfile(members["pyproject.toml"]).read().decode()), has_setup_py
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise SlitherError(f"{sdist.name}: pyproject.toml cannot be read ({error}); write a recipe") from None


def build_system_of(source: Path, label: str) -> str:
    """The build_system a recipe would declare for this wheel or sdist, or a SlitherError."""
    if source.name.endswith(".whl"):
        with zipfile.ZipFile(source) as wheel:
            if any(name.endswith((".so", ".pyd")) for name in wheel.namelist()):
                raise SlitherError(f"{label}: {source.name} holds compiled code built for another "
                                   "interpreter; write a recipe that builds it from its sdist")
        return "pure"
    pyproject, has_setup_py = _pyproject_of_sdist(source)
    build_system = (pyproject or {}).get("build-system", {})
    backend = build_system.get("build-backend", "setuptools.build_meta:__legacy__" if has_setup_py else "")
    if backend not in KNOWN_BACKENDS:
        raise SlitherError(f"{label}: its sdist builds with {backend or 'no declared build backend'!r}, "
                           "which the capture layer does not handle without a recipe "
                           f"(handled: setuptools, meson-python); write modules/{normalized_name(label.split()[0])}.py")
    missing = sorted({normalized_name(match.group(1)) for requirement in build_system.get("requires", [])
                      if (match := REQUIREMENT_NAME.match(requirement))} - BUILD_TOOL_PROJECTS)
    if missing:
        raise SlitherError(f"{label}: its build needs {', '.join(missing)}, which the pinned build tools "
                           "(modules/build_tools/wheels.py) do not include; add them there or write a recipe")
    return KNOWN_BACKENDS[backend]


def recipe_without_file(name: str, version: str, *, store: Path, search_dirs: Iterable[Path] = (),
                        log: Callable[[str], None] = lambda message: None) -> Recipe:
    """A Recipe for `name==version` from its locked source (fetched and locked on first use)."""
    source, path = obtain_unpinned(f"{name}=={version}", store=store, search_dirs=search_dirs, log=log)
    build_system = build_system_of(path, f"{name} {version}")
    licence, licence_field = licence_from_metadata(metadata_of(path))
    return Recipe(name=normalized_name(name), version=version, source=source, build_system=build_system,
                  licence=licence, extra={"recipe_free": True, "licence_field": licence_field})
