"""mpi4py, built with setuptools and Cython through the capture layer against the chosen MPI.

`depends_on = ["mpich"]` brings MPICH built from source (MPI=mpich, the default); with
MPI=system or a TARGET whose compiler is MPI-aware, that MPI is used instead and MPICH is not
built. Either way mpi4py compiles and links through the MPI's compiler wrapper (MPICC), and the
final link adds the MPI's static libraries (slither.libraries.mpi).
"""

from slither.recipes import pinned_sdist

name = "mpi4py"
version = "4.1.2"
source = pinned_sdist("mpi4py", version, "mpi4py-4.1.2.tar.gz",
                      "56860286dc45f20e8821e93cb06669e30462348bf866f685553fa4b712d58d02")
build_system = "setuptools"
licence = "BSD-3-Clause"  # the sdist's License-Expression
depends_on = ["mpich"]
extension_modules = ["mpi4py.MPI"]
