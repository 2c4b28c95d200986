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
