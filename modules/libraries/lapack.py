"""The reference LAPACK, built into one static library that OpenBLAS takes its LAPACK from.

Why a recipe of its own: Debian's OpenBLAS source (modules/libraries/openblas.py) is repacked
without the LAPACK upstream bundles, so LAPACK comes from Debian's lapack source, as Debian's
own OpenBLAS does. Built apart, it does not depend on BLAS_CPU: changing the OpenBLAS CPU
target rebuilds OpenBLAS only. `build_only`: nothing links liblapack.a but the OpenBLAS build,
which merges its objects (less those OpenBLAS implements itself) into libopenblas.a.

Debian's .orig tarball of bookworm's lapack 3.11.0 (the upstream release as published),
pinned by sha256. Only the library: no BLAS, CBLAS, LAPACKE, tests or timing programs. The
make build has no make.inc or install rule; patches/lapack/ adds both (the compilers are the
TARGET profile's FC and CC; -frecursive, -fno-optimize-sibling-calls and -fPIC as OpenBLAS
builds its bundled LAPACK; the deprecated routines included, as in OpenBLAS).
"""

from slither.recipes import DebianSource, Source

name = "lapack"
version = "3.11.0"
source = Source("lapack_3.11.0.orig.tar.gz", "4b9ba79bfd4921ca820e83979db76ab3363155709444a787979e81c22285ffa9",
                debian=DebianSource("lapack", versions=("3.11.0-2",)))
build_system = "makefile"
licence = "BSD-3-Clause"  # LICENSE (Debian's copyright file: BSD-3-clause)
patches = ["lapack/make-inc-and-install-rule.patch"]
make_flags = ["lapacklib"]
install_target = "install"
install_flags = ["PREFIX={prefix}"]
build_only = True
