"""NumPy, built with meson-python through the capture layer, with OpenBLAS for BLAS and LAPACK.

OpenBLAS comes from the system as a static archive (Debian: libopenblas-dev, its pthreads
build with runtime CPU dispatch, DYNAMIC_ARCH); its LAPACK is Fortran, so the final link also
takes gfortran's runtime (libgfortran.a; libquadmath is not needed). OpenBLAS starts one worker
thread per core at start-up: at rank scale set OPENBLAS_NUM_THREADS (usually 1 when every core
runs a rank). `modules/packages/numpy-noblas.py` is the same numpy without any BLAS.

Its extension modules live inside subpackages (numpy._core._multiarray_umath,
numpy.linalg._umath_linalg, numpy.random.*).
"""

from slither.plan.recipe import StaticLibrary, pinned_sdist

name = "numpy"
version = "2.2.6"
source = pinned_sdist("numpy", version, "numpy-2.2.6.tar.gz",
                      "e29554e2bef54a90aa5cc07da6ce955accb83f21ab5de01a62c8478897b264fd")
build_system = "meson-python"
licence = "BSD-3-Clause"  # LICENSE.txt of the sdist (bundled pieces: LICENSES_bundled.txt)
# Exactly OpenBLAS (no fallback to another BLAS, nor to none): meson finds it through pkg-config.
config_settings = ["setup-args=-Dblas=openblas", "setup-args=-Dlapack=openblas", "setup-args=-Dallow-noblas=false"]
extension_modules = ["numpy._core._multiarray_umath", "numpy.linalg._umath_linalg", "numpy.fft._pocketfft_umath",
                     "numpy.random.mtrand", "numpy.random._generator"]
# After libopenblas.a on the final link line: its Fortran runtime, and libm once more (static
# archives are read in order, and CPython's -lm comes before the extensions' libraries).
link_libraries = ["gfortran", "m"]
# Licences: Debian's copyright files of libopenblas-dev ("Files: *") and of GCC's runtime
# libraries (libgfortran: GPL-3 or later with the GCC Runtime Library Exception 3.1).
static_libraries = [StaticLibrary("libopenblas.a", "libopenblas-dev", "BSD-3-Clause"),
                    StaticLibrary("libgfortran.a", "gfortran", "GPL-3.0-or-later WITH GCC-exception-3.1")]
