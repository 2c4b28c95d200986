"""OpenBLAS, built from source into one static libopenblas.a (BLAS, CBLAS and LAPACK) for numpy
and scipy.

Debian's .orig tarball of trixie's OpenBLAS 0.3.29, pinned by sha256. "+ds": Debian repacked the
upstream release without lapack-netlib/ and relapack/ (the LAPACK upstream bundles), so LAPACK
comes from the `lapack` recipe (Debian's reference LAPACK source), merged into libopenblas.a at
`make` by patches/openblas/0001 (less the routines OpenBLAS implements itself), as Debian's own
build does with its liblapack-pic.

Built with the TARGET profile's C and Fortran compilers (CC, FC in the environment; FC fixes
the Fortran calling convention of its complex functions); static (NO_SHARED=1), position-
independent (numpy's real shared extensions link it at build time); 32-bit integers; its own
pthreads pool, not OpenMP; no LAPACKE (numpy and scipy call LAPACK's Fortran names); no
affinity (OpenBLAS pinning its threads would fight the launcher's binding of ranks); up to 256
threads. CPU kernels: BLAS_CPU (slither/plan/openblas.py) picks them; by default
DYNAMIC_ARCH=1, every x86-64 kernel family from Prescott to Sapphire Rapids and Zen, chosen at
run time (TARGET=GENERIC sets the baseline of the common code), without DYNAMIC_OLDER (the
Penryn, Dunnington, Opteron, Bobcat, Atom and Nano kernels: such CPUs run the Prescott or Core2
ones). `make` also builds and runs OpenBLAS's own BLAS tests against the result.

Threads (patches/openblas/0002, 0003): the pool starts at the first BLAS call that runs on
several threads, not before main; its default size is the node's cores (the affinity mask)
divided by the ranks a launcher started on the node (docs/packages.md).
"""

from slither.recipes import DebianSource, Source

name = "openblas"
version = "0.3.29+ds"
source = Source("openblas_0.3.29+ds.orig.tar.xz", "eb691e2cff83799400da22aa6ab93ebaa346ad317fea578b7ae119e226ce1b01",
                debian=DebianSource("openblas", versions=("0.3.29+ds-3",)))
build_system = "makefile"
licence = "BSD-3-Clause"  # LICENSE; Debian's copyright file, "Files: *"
depends_on = ["lapack"]
patches = ["openblas/0001-lapack-objects-from-a-reference-lapack-archive.patch",
           "openblas/0002-thread-pool-started-by-the-first-threaded-call.patch",
           "openblas/0003-default-threads-share-the-node-between-ranks.patch",
           "openblas/0004-static-only-pkg-config-libs-name-the-fortran-runtime.patch"]
make_flags = [
    "NO_SHARED=1", "NEED_PIC=1", "INTERFACE64=0", "USE_THREAD=1", "USE_OPENMP=0", "NUM_THREADS=256",
    "NO_LAPACKE=1", "NO_AFFINITY=1", "NO_WARMUP=1",
    # the default BLAS_CPU=dynamic; the plan replaces these two by TARGET=<BLAS_CPU> otherwise
    "DYNAMIC_ARCH=1", "TARGET=GENERIC",
    # {prefix:lapack}: the unpacked prefix of the lapack recipe
    "LAPACK_ARCHIVE={prefix:lapack}/lib/liblapack.a",
]
install_target = "install"
install_flags = ["PREFIX={prefix}"]
