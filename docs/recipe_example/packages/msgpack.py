"""msgpack: a setuptools package whose C++ extension (msgpack._cmsgpack) replaces a
pure-Python fallback; the recipe makes that extension mandatory.

The worked example of docs/recipes.md; tests/test_recipe_free.py loads it.
"""

from slither.recipes import pinned_sdist

name = "msgpack"
version = "1.1.1"
# The sha256 is what `scons MODULES=msgpack==1.1.1` locked on first use
# (~/.cache/slither/downloads/locks/msgpack==1.1.1.json); check it against the index page.
source = pinned_sdist("msgpack", version, "msgpack-1.1.1.tar.gz",
                      "77b79ce34a2bdab2594f490c8e80dd62a02d650b91a75159a63ec413b8d104cd")
build_system = "setuptools"
licence = "Apache-2.0"  # COPYING of the sdist
# setup.py falls back to pure Python if the C++ build fails; a static HPC binary wants speed.
extension_modules = ["msgpack._cmsgpack"]
