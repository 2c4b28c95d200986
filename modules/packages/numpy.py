"""NumPy, built with meson-python through the capture layer, with OpenBLAS for BLAS and LAPACK.

OpenBLAS is the `openblas` library recipe, built from source (modules/libraries/openblas.py),
as slither/recipes/openblas.py defines it for every recipe that calls BLAS (with gfortran's runtime
for its LAPACK). Its threads start at the first BLAS call that wants them, and a rank started by
a launcher with others on its node takes its share of the node's cores (docs/packages.md).
`modules/packages/numpy-noblas.py` is the same numpy without any BLAS.

Its extension modules live inside subpackages (numpy._core._multiarray_umath,
numpy.linalg._umath_linalg, numpy.random.*).
"""

from slither.recipes import openblas, pinned_sdist

name = "numpy"
version = "2.2.6"
source = pinned_sdist("numpy", version, "numpy-2.2.6.tar.gz",
                      "e29554e2bef54a90aa5cc07da6ce955accb83f21ab5de01a62c8478897b264fd")
build_system = "meson-python"
licence = "BSD-3-Clause"  # LICENSE.txt of the sdist (bundled pieces: LICENSES_bundled.txt)
# Exactly OpenBLAS (no fallback to another BLAS, nor to none): meson finds it through the
# pkg-config file of the openblas recipe's prefix.
depends_on = list(openblas.DEPENDS_ON)
build_environment = dict(openblas.BUILD_ENVIRONMENT)
config_settings = [*openblas.CONFIG_SETTINGS, "setup-args=-Dallow-noblas=false"]
extension_modules = ["numpy._core._multiarray_umath", "numpy.linalg._umath_linalg", "numpy.fft._pocketfft_umath",
                     "numpy.random.mtrand", "numpy.random._generator"]
link_libraries = openblas.LINK_LIBRARIES
static_libraries = openblas.STATIC_LIBRARIES
# Its by-path uses are for building against it (get_include(), f2py), not for running:
# `import numpy` writes nothing node-locally (docs/packages.md, "Data files read by path").
data_by_path = {"numpy": False}
