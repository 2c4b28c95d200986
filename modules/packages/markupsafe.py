"""MarkupSafe: a small setuptools package whose C extension sits inside the package
(`markupsafe._speedups`), which makes it the first test of dotted extension names."""

from slither.recipes import pinned_sdist

name = "markupsafe"
version = "3.0.2"
source = pinned_sdist("markupsafe", version, "markupsafe-3.0.2.tar.gz",
                      "ee55d3edf80167e48ea11a923c7386f4669df67d7994554387f84e7d8b0a2bf0")
build_system = "setuptools"
licence = "BSD-3-Clause"  # LICENSE.txt of the sdist
# setup.py falls back to pure Python when the C code fails to build; we want the C code.
extension_modules = ["markupsafe._speedups"]
