"""The static OpenBLAS of the system, as every recipe that calls BLAS and LAPACK takes it (numpy,
scipy): one definition, so that the recipes cannot drift apart and the final link reads one
archive for all of them (the link line lists a static library once, however many recipes name it).

OpenBLAS comes from Debian's libopenblas-dev (its pthreads build with runtime CPU dispatch,
DYNAMIC_ARCH); its LAPACK is Fortran, so the final link also takes gfortran's runtime
(libgfortran.a; libquadmath is not needed), and libm once more after it (static archives are
read in order, and CPython's -lm comes before the extensions' libraries). A TARGET whose
toolchain supplies BLAS (Cray: libsci) has these rewritten away (slither/plan/toolchain_libraries.py).
Licences: Debian's copyright files of libopenblas-dev ("Files: *") and of GCC's runtime libraries
(libgfortran: GPL-3 or later with the GCC Runtime Library Exception 3.1).
"""

from slither.plan.recipe import StaticLibrary

ARCHIVE = "libopenblas.a"
# meson's options of numpy and scipy naming it: exactly OpenBLAS, found through pkg-config
CONFIG_SETTINGS = ("setup-args=-Dblas=openblas", "setup-args=-Dlapack=openblas")
LINK_LIBRARIES = ("gfortran", "m")
STATIC_LIBRARIES = (StaticLibrary(ARCHIVE, "libopenblas-dev", "BSD-3-Clause"),
                    StaticLibrary("libgfortran.a", "gfortran", "GPL-3.0-or-later WITH GCC-exception-3.1"))
