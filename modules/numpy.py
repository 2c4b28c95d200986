"""NumPy, built with meson-python through the capture layer.

This recipe is the explicit no-BLAS variant: numpy's bundled lapack_lite instead of a BLAS
library (a static OpenBLAS variant is the next step). Its extension modules live inside
subpackages (numpy._core._multiarray_umath, numpy.linalg._umath_linalg, numpy.random.*).
"""

from slither.recipe import pinned_sdist

name = "numpy"
version = "2.2.6"
source = pinned_sdist("numpy", version, "numpy-2.2.6.tar.gz",
                      "e29554e2bef54a90aa5cc07da6ce955accb83f21ab5de01a62c8478897b264fd")
build_system = "meson-python"
config_settings = ["setup-args=-Dallow-noblas=true", "setup-args=-Dblas=none", "setup-args=-Dlapack=none"]
extension_modules = ["numpy._core._multiarray_umath", "numpy.linalg._umath_linalg", "numpy.fft._pocketfft_umath",
                     "numpy.random.mtrand", "numpy.random._generator"]
