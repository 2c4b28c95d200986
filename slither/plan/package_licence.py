"""The licence of a package without a recipe, read from its own metadata: SPDX or "unknown".

License-Expression (PEP 639) first, else a License field or a classifier that names one
licence exactly; nothing is guessed ("BSD License": which BSD?).
"""

from __future__ import annotations

import email.parser
import tarfile
import tomllib
import zipfile
from pathlib import Path

from slither.recipes.recipe import is_spdx_expression

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


def licence_of_project(directory: Path) -> tuple[str, str]:
    """(SPDX expression or "unknown", where it came from) of a local project's pyproject.toml."""
    pyproject = Path(directory) / "pyproject.toml"
    if not pyproject.is_file():
        return "unknown", "no pyproject.toml"
    declared = tomllib.loads(pyproject.read_text()).get("project", {}).get("license")
    if isinstance(declared, str) and is_spdx_expression(declared):
        return declared, "pyproject.toml license"
    return "unknown", "no SPDX license in pyproject.toml"
