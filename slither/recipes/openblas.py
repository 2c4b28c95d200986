"""OpenBLAS as every package recipe that calls BLAS and LAPACK takes it (numpy, scipy, gpaw).

Recipe data, shared so that the recipes cannot drift apart and the final link reads one archive
for all of them: each depends on the `openblas` library recipe (modules/libraries/openblas.py,
built from source with the TARGET's compilers), and meson finds it through the pkg-config file
of its unpacked prefix. Its LAPACK is Fortran, so the final link also takes gfortran's runtime
(libgfortran.a; libquadmath is not needed), and libm once more after it (static archives are
read in order, and CPython's -lm comes before the extensions' libraries). A TARGET whose
toolchain supplies BLAS (Cray: libsci) has all of this rewritten away by the plan
(slither/plan/toolchain_libraries.py): no OpenBLAS is built. BLAS_CPU, which kernels the
library compiles, is the plan's (slither/plan/openblas.py).

    from slither.recipes import openblas
    depends_on = list(openblas.DEPENDS_ON)
"""

from slither.recipes.vocabulary import StaticLibrary

RECIPE = "openblas"
DEPENDS_ON = (RECIPE,)
# meson's options of numpy and scipy naming it: exactly OpenBLAS, found through pkg-config
CONFIG_SETTINGS = ("setup-args=-Dblas=openblas", "setup-args=-Dlapack=openblas")
# {prefix:openblas}: the unpacked prefix of the library recipe; its openblas.pc points there
BUILD_ENVIRONMENT = {"PKG_CONFIG_PATH": "{prefix:openblas}/lib/pkgconfig"}
LINK_LIBRARIES = ("gfortran", "m")
STATIC_LIBRARIES = (StaticLibrary("libgfortran.a", "gfortran", "GPL-3.0-or-later WITH GCC-exception-3.1"),)
