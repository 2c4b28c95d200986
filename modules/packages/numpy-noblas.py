"""NumPy without any BLAS: numpy's bundled lapack_lite for numpy.linalg (MODULES=numpy-noblas).

For machines without a static BLAS, or to keep OpenBLAS's threads out of a binary. Slower
linear algebra (no optimised kernels), same API. `modules/packages/numpy.py` is the OpenBLAS variant;
MODULES takes one of the two.
"""

from slither.recipes import pinned_sdist

name = "numpy-noblas"
version = "2.2.6"
source = pinned_sdist("numpy", version, "numpy-2.2.6.tar.gz",
                      "e29554e2bef54a90aa5cc07da6ce955accb83f21ab5de01a62c8478897b264fd")
build_system = "meson-python"
licence = "BSD-3-Clause"  # LICENSE.txt of the sdist (bundled pieces: LICENSES_bundled.txt)
config_settings = ["setup-args=-Dallow-noblas=true", "setup-args=-Dblas=none", "setup-args=-Dlapack=none"]
extension_modules = ["numpy._core._multiarray_umath", "numpy.linalg._umath_linalg", "numpy.fft._pocketfft_umath",
                     "numpy.random.mtrand", "numpy.random._generator"]
# Its by-path uses are for building against it (get_include(), f2py), not for running:
# `import numpy` writes nothing node-locally (docs/packages.md, "Data files read by path").
data_by_path = {"numpy": False}
