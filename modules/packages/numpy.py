"""NumPy, built with meson-python through the capture layer, with OpenBLAS for BLAS and LAPACK.

OpenBLAS is the system's static archive, as slither/plan/system_openblas.py defines it for
every recipe that calls BLAS (with gfortran's runtime for its LAPACK). OpenBLAS starts one worker
thread per core at start-up: at rank scale set OPENBLAS_NUM_THREADS (usually 1 when every core
runs a rank). `modules/packages/numpy-noblas.py` is the same numpy without any BLAS.

Its extension modules live inside subpackages (numpy._core._multiarray_umath,
numpy.linalg._umath_linalg, numpy.random.*).
"""

from slither.plan import system_openblas
from slither.plan.recipe import pinned_sdist

name = "numpy"
version = "2.2.6"
source = pinned_sdist("numpy", version, "numpy-2.2.6.tar.gz",
                      "e29554e2bef54a90aa5cc07da6ce955accb83f21ab5de01a62c8478897b264fd")
build_system = "meson-python"
licence = "BSD-3-Clause"  # LICENSE.txt of the sdist (bundled pieces: LICENSES_bundled.txt)
# Exactly OpenBLAS (no fallback to another BLAS, nor to none): meson finds it through pkg-config.
config_settings = [*system_openblas.CONFIG_SETTINGS, "setup-args=-Dallow-noblas=false"]
extension_modules = ["numpy._core._multiarray_umath", "numpy.linalg._umath_linalg", "numpy.fft._pocketfft_umath",
                     "numpy.random.mtrand", "numpy.random._generator"]
link_libraries = system_openblas.LINK_LIBRARIES
static_libraries = system_openblas.STATIC_LIBRARIES
