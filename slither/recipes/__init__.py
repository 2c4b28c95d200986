"""What Slither builds, as data: the vocabulary recipes are written in, and their loaders.

Recipe files (modules/) write `from slither.recipes import Source, pinned_sdist, ...`: this
package exports the vocabulary records and nothing else. It sits below every build stage
(sources, packages, libraries, cpython) and imports none of them.

Modules, and who signs them (slither.plan.signed_code puts a module's import closure into a
step's cache key, package __init__ files included):

* vocabulary: the records every recipe uses (Source, StaticLibrary, CPythonRelease, ...);
* loading: data files by location, the CPython recipe and TARGET profiles;
* recipe: `Recipe`, the typed fields of a package or library recipe, and their checks;
* module_recipes: finding and loading modules/{packages,libraries}/<name>.py.

The CPython step imports loading and releases.py imports this package, so both, and this file,
are in its signature; recipe and module_recipes are not. This file therefore re-exports only
the vocabulary: re-exporting Recipe here would make every new recipe field rebuild CPython.
"""

from slither.recipes.vocabulary import (BundledLibrary, CPythonRelease, DebianSource, PipRequirement, Source,
                                        StaticLibrary, StdlibExtension, StdlibLibrary, pinned_sdist, pinned_wheel)

__all__ = ["BundledLibrary", "CPythonRelease", "DebianSource", "PipRequirement", "Source", "StaticLibrary",
           "StdlibExtension", "StdlibLibrary", "pinned_sdist", "pinned_wheel"]
