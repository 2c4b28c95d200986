"""Cray Programming Environment: the compiler drivers cc, CC and ftn (craype), whatever PrgEnv
is loaded (gnu, cray, aocc, intel). The drivers add the loaded cray-mpich module's include and
library flags themselves: MPI comes from them, so no MPI recipe is built and mpi4py is built
with `cc` as its MPI compiler (there is no mpicc on a Cray).

Link type: CPython's own build stays dynamic (its host interpreter must load the extension
modules that package builds make), so the environment pins CRAYPE_LINK_TYPE=dynamic whatever
the site's default is, and only the final executable is linked with the driver's -static.
"""

description = "Cray PE drivers cc/CC/ftn (MPI from cray-mpich through the drivers), -static"
CC = "cc"
CXX = "CC"
FC = "ftn"
AR = "ar"
RANLIB = "ranlib"
CFLAGS = ()
static_link_flags = ("-static",)
environment = {"CRAYPE_LINK_TYPE": "dynamic"}
package_manager_hint = "ask your site for a static {package} (or module load it)"
mpi_compiler = "cc"
# What the PE's modules (PrgEnv-*, craype, cray-mpich, ...) set for the drivers: the build runs
# every compile and link with these from the caller's environment.
passed_environment = ("CRAY_*", "CRAYPE_*", "PE_*", "PKG_CONFIG_PATH", "LD_LIBRARY_PATH", "LOADEDMODULES")
toolchain_hint = "module load PrgEnv-gnu craype cray-mpich (or another PrgEnv)"
openssl_config = "/etc/ssl/openssl.cnf"
# BLAS/LAPACK and HDF5 come from the PE too (cray-libsci; cray-hdf5-parallel, or cray-hdf5),
# linked by the drivers as cray-mpich is: no OpenBLAS archive and no HDF5 recipe
# (slither.plan.toolchain_libraries). numpy and scipy find libsci by its pkg-config name (the
# module puts $CRAY_LIBSCI_PREFIX_DIR/lib/pkgconfig on PKG_CONFIG_PATH); h5py gets the HDF5
# prefix the module sets, whose headers and library are checked against each other at plan time.
provides = {
    "blas": {"name": "cray-libsci", "pkg_config": "libsci"},
    "hdf5": {"name": "cray-hdf5-parallel", "prefix_variables": ["HDF5_DIR", "CRAY_HDF5_PARALLEL_PREFIX",
                                                                "CRAY_HDF5_PREFIX"]},
}
