"""HDF5, built from source into static libraries (libhdf5.a, libhdf5_hl.a) for h5py.

Debian's .orig tarball of trixie's HDF5 1.14.5 (Debian repacks the upstream release), pinned by
its own sha256. Only the C library and its high-level library (h5py links both): no Fortran or
C++ bindings, no command-line tools, tests or examples. zlib (the deflate filter) is the zlib
recipe's, the one CPython's zlib module links: depends_on puts its prefix first on the include
and library paths, so configure never finds a static libz.a of the host.

Two variants, chosen by the plan (slither.libraries.hdf5_variant, HDF5=serial|parallel,
default parallel exactly when the build has MPI, i.e. mpi4py is in MODULES): serial as written
here; parallel adds --enable-parallel and compiles with the build's MPI compiler wrapper
(Slither's MPICH mpicc, MPI=system's MPICC, or the TARGET's MPI driver).
"""

from slither.recipes import DebianSource, Source

name = "hdf5"
version = "1.14.5+repack"
source = Source("hdf5_1.14.5+repack.orig.tar.gz", "71cdb04c151ef4e8a7f88907adfc4f3b75afd44e96fbd55775e1c9d7c4e7c112",
                debian=DebianSource("hdf5", versions=("1.14.5+repack-3",)))
build_system = "autotools"
depends_on = ["zlib"]
licence = "BSD-3-Clause"  # COPYING: The HDF Group's BSD-style licence
configure_flags = [
    "--disable-shared", "--enable-static",
    "--with-pic",  # h5py's real shared extensions (build-time imports) link these archives
    "--disable-fortran", "--disable-cxx", "--enable-hl", "--disable-tools", "--disable-tests",
    "--disable-hltools", "--disable-doxygen-doc", "--disable-dependency-tracking",
    "--with-zlib=yes", "--without-szlib", "--enable-build-mode=production",
    # No default filter-plugin directory (":" is an empty search path): a static binary cannot load
    # HDF5's shared-object plugins, and h5py's import asks for filters HDF5 lacks (szip), which made
    # HDF5 open /usr/local/hdf5/lib/plugin on every import. HDF5_PLUGIN_PATH is still honoured.
    "--with-default-plugindir=:",
]
