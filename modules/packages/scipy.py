"""SciPy, built with meson-python through the capture layer: C, C++ (pybind11, pythran), Fortran
(gfortran through the capture's FC wrapper) and Cython, against the numpy Slither builds.

BLAS and LAPACK are the same static OpenBLAS numpy links (the `openblas` library recipe, as
slither/recipes/openblas.py defines it): scipy's extensions record `-lopenblas` when captured and
the final link reads the archive once, so every extension calls the one copy. Its build requirements (pythran with gast, beniget and
ply; pybind11; a Cython below 3.1, which scipy 1.15 requires) are its sdist's own, resolved and
locked on first use (`build_requirements = "locked"`); numpy among them is the numpy of this
build. scipy 1.15.x supports numpy >= 1.23.5, < 2.5 and CPython 3.10 to 3.13.

extension_modules names a few extensions per language and subpackage; every other extension
the build makes (about 110) is captured and built in the same way.
"""

from slither.recipes import openblas, pinned_sdist

name = "scipy"
version = "1.15.3"
source = pinned_sdist("scipy", version, "scipy-1.15.3.tar.gz",
                      "eae3cf522bc7df64b42cad3925c876e1b0b6c35c1337c93e12c0f366f55b0eaf")
build_system = "meson-python"
licence = "BSD-3-Clause"  # LICENSE.txt of the sdist (bundled pieces: LICENSES_bundled.txt)
build_requirements = "locked"
depends_on = list(openblas.DEPENDS_ON)
build_environment = dict(openblas.BUILD_ENVIRONMENT)
config_settings = list(openblas.CONFIG_SETTINGS)
extension_modules = [
    "scipy._lib._ccallback_c",                      # Cython
    "scipy.linalg._fblas", "scipy.linalg._flapack",  # f2py over BLAS/LAPACK
    "scipy.linalg.cython_blas", "scipy.linalg.cython_lapack",
    "scipy.sparse._csparsetools", "scipy.sparse.linalg._dsolve._superlu",
    "scipy.sparse.linalg._eigen.arpack._arpack",    # Fortran (ARPACK)
    "scipy.special._ufuncs", "scipy.special._specfun",
    "scipy.integrate._quadpack", "scipy.integrate._odepack",
    "scipy.optimize._minpack", "scipy.optimize._lbfgsb",
    "scipy.optimize._group_columns",                # pythran
    "scipy.fft._pocketfft.pypocketfft",             # pybind11 (C++)
    "scipy.interpolate._fitpack", "scipy.interpolate._rbfinterp_pythran",
    "scipy.spatial._ckdtree", "scipy.spatial._qhull",
    "scipy.stats._stats", "scipy.signal._sigtools",
]
# The same OpenBLAS as numpy's (slither/recipes/openblas.py): one archive on the final link.
link_libraries = openblas.LINK_LIBRARIES
static_libraries = openblas.STATIC_LIBRARIES
# Its by-path uses are for building against it (docstring examples, tests), not for running:
# `import scipy` writes nothing node-locally (docs/packages.md, "Data files read by path").
data_by_path = {"scipy": False}
