"""netCDF-C (libnetcdf.a), built from source over the HDF5 recipe, for netCDF4-python.

Debian's .orig tarball of trixie's netCDF 4.9.3: upstream's own release tarball
(netcdf-c-4.9.3/), pinned by sha256. (netCDF4-python 1.7 calls nc_rc_get and nc_rc_set, which
4.9.1 added: bookworm's 4.9.0 is too old for it.) netCDF-4 files are HDF5 files: the library is built over the
hdf5 recipe's static libraries and, like h5py, over its parallel variant when mpi4py is in
MODULES (slither.libraries.hdf5_variant then compiles it with the build's MPI compiler wrapper;
netCDF-C finds H5Pset_fapl_mpio and turns on parallel I/O for netCDF-4 files by itself).

Left out, each because a static binary for compute nodes has no use for it or cannot have it:
remote access (DAP, byte-range HTTP, S3: they need libcurl), NCZarr (a directory or object-store
format, zip storage needs libzip), HDF4, filter plugins (shared objects loaded at run time), the
command-line utilities, tests, examples and documentation.

What the build needs from the host besides the compilers: m4 (configure insists on it, although
the release carries the sources m4 makes), as OpenSSL needs perl.

configure checks that it can link HDF5 with a test program: the archives need zlib and libm after
them, which LIBS gives (the zlib recipe's prefix is on the library path through depends_on); a
configure flag is one word, so LIBS names them through the compiler driver's -Wl,.
"""

from slither.recipes import DebianSource, Source

name = "netcdf-c"
version = "4.9.3"
source = Source("netcdf_4.9.3.orig.tar.gz", "990f46d49525d6ab5dc4249f8684c6deeaf54de6fec63a187e9fb382cc0ffdff",
                debian=DebianSource("netcdf", versions=("1:4.9.3-1",)))
build_system = "autotools"
licence = "BSD-3-Clause"  # COPYRIGHT: UCAR/Unidata's BSD-style licence
depends_on = ["hdf5", "zlib"]
# Its fallback strlcpy renamed nc_strlcpy (as its strlcat already is): libedit's fallback strlcpy
# is in the same binary.
# ... and its configuration files (remote access only) not read by a build without remote access.
patches = ["netcdf-c/ncconfigure-strlcpy-named-like-strlcat.patch",
           "netcdf-c/drc-no-rc-files-without-remote-access.patch"]
configure_flags = [
    "--disable-shared", "--enable-static", "--with-pic",
    "--disable-hdf4", "--disable-dap", "--disable-byterange", "--disable-nczarr", "--disable-s3",
    "--disable-libxml2", "--disable-plugins", "--disable-filter-testing",
    "--disable-utilities", "--disable-testsets", "--disable-examples", "--disable-doxygen",
    "--disable-dependency-tracking",
    "LIBS=-Wl,-lz,-lm",  # one word (recipe flags hold no spaces): -lz -lm, after the test's -lhdf5
]
