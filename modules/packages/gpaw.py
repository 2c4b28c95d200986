"""GPAW, density-functional theory with projector-augmented waves, built with setuptools into the
C(++) extension `_gpaw` with MPI, libxc and BLAS/LAPACK, all from the build.

Its setup.py reads a siteconfig.py, which the patch adds to the source tree, stating every
choice (setup.py would otherwise guess from the build machine, and drop libxc or BLAS quietly
when a test link fails):
  * MPI: always. GPAW compiles all its C as C++ and looks for `mpic++`; the build's MPI has
    only a C wrapper (Slither's MPICH is built without C++ bindings), so the build's C++
    compiler compiles and links, with the MPI wrapper's -I/-D flags (MPICH `-show`, Open MPI
    `--showme:compile`; none for an MPI-aware driver such as Cray's). GPAW's MPI is its own
    (`_gpaw.Communicator`, the `cgpaw` backend): mpi4py is not needed. depends_on mpich makes
    the package one that uses MPI, so MPI=system and a TARGET's MPI driver apply as for mpi4py.
  * libxc: the libxc library recipe's static archive and headers (SLITHER_LIBXC_PREFIX).
  * BLAS/LAPACK: the build's static OpenBLAS, the one numpy and scipy link
    (slither/recipes/openblas.py), from SLITHER_OPENBLAS_PREFIX; a TARGET that provides BLAS drops
    that variable with the dependency (slither/plan/toolchain_libraries.py) and its drivers link
    its BLAS.
  * no FFTW, ScaLAPACK, ELPA, libvdwxc or GPU code.
Its build requirements are setuptools, pybind11 (only its headers, which setup.py asks for when
it compiles as C++) and numpy, which comes from the build (depends_on).

At run time it needs ase, numpy, scipy and gpaw-data (its Requires-Dist). ase, numpy and
scipy are stated below and come into the build with it (ase through its own recipe, which
leaves matplotlib out). gpaw-data, the PAW datasets (79.5 MB of gzipped setups under
gpaw_data/setups/, which GPAW finds with `gpaw_data.datapath()`, after the directories of
GPAW_SETUP_PATH), is left out: only rank 0 of a calculation reads a dataset, and broadcasts it,
so a shared copy named by GPAW_SETUP_PATH costs that rank a few file calls per element, where
the datasets frozen in would make the binary 80 MB larger and make every node write 80 MB to
SLITHER_DATA_DIR at `import gpaw` (gpaw_data builds its path from `__file__`), on nodes that
never read them too. GPAW carries on without gpaw_data (it catches the ModuleNotFoundError), and
without a dataset says to set GPAW_SETUP_PATH. A user who wants them inside names gpaw-data in
MODULES (docs/packages.md).
"""

from slither.recipes import openblas, pinned_sdist, pinned_wheel

name = "gpaw"
version = "26.7.0"
source = pinned_sdist("gpaw", version, "gpaw-26.7.0.tar.gz",
                      "1509af00cfcd032bbbce197a5b3e37edb82bf458db5e200f6a105ec74efbca15")
build_system = "setuptools"
licence = "GPL-3.0-or-later"  # the sdist's License-Expression
build_requirements = [  # besides the pinned pip, which installs them; numpy is the build's
    pinned_wheel("setuptools", "80.9.0", "setuptools-80.9.0-py3-none-any.whl",
                 "062d34222ad13e0cc312a4c02d73f059e86a4acbfbdea8f8f76b28c99f306922"),
    pinned_wheel("wheel", "0.45.1", "wheel-0.45.1-py3-none-any.whl",
                 "708e7481cc80179af0e556bbf0cc00b8444c7321e2700b8d8580231d13017248"),
    pinned_wheel("pybind11", "3.1.0", "pybind11-3.1.0-py3-none-any.whl",
                 "b8488090f8acffbcb6b5d6a85571a6827a0a2981ffb75e5a0b27b87c4a6b7dd0"),
]
depends_on = ["libxc", *openblas.DEPENDS_ON, "numpy", "mpich"]
patches = ["gpaw/siteconfig-mpi-libxc-openblas-from-the-build.patch",
           # under mpiexec the binary runs GPAW in parallel, without a libmpi.so lookup
           "gpaw/mpi-backend-with-gpaw-built-in.patch"]
# Read by the siteconfig.py the patch adds; {prefix:NAME} is the unpacked prefix of library recipe NAME.
build_environment = {"SLITHER_LIBXC_PREFIX": "{prefix:libxc}", "SLITHER_OPENBLAS_PREFIX": "{prefix:openblas}"}
extension_modules = ["_gpaw"]
# Its sdist's Requires-Dist, but gpaw-data (see above); the extras (docs, devel) are not for a binary.
runtime_requirements = ["ase>=3.29.0", "numpy>=1.20.0", "scipy>=1.6.0"]
# After the extension's own -lxc -lopenblas: OpenBLAS's LAPACK is Fortran, and libxc and it need libm.
link_libraries = openblas.LINK_LIBRARIES
static_libraries = openblas.STATIC_LIBRARIES
