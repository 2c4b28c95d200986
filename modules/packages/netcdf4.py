"""netCDF4-python, built with setuptools and Cython over the netcdf-c recipe, numpy from the build.

Its setup finds netCDF-C through NETCDF4_DIR (the unpacked prefix of the netcdf-c recipe, whose
nc-config it then asks) and HDF5 through HDF5_DIR; it reads netcdf_meta.h to learn whether the
library does parallel I/O. With mpi4py in MODULES the plan makes this the parallel variant
(slither.libraries.hdf5_variant): netCDF-C over parallel HDF5, this package compiled through the
build's MPI compiler wrapper with mpi4py on its build path, so that `Dataset(..., parallel=True)`
writes one file from many ranks. Its own build backend (`_build/backend.py`, setuptools with
setuptools_scm for the version) needs setuptools_scm beside the pinned tools; its build
requirements cannot be resolved by asking the backend (that runs its setup, which looks for
netCDF-C before the build has one), so they are listed here.

At run time it needs cftime (a Cython extension, built without a recipe), certifi and packaging:
brought in from its metadata.
"""

from slither.recipes import pinned_sdist, pinned_wheel

name = "netcdf4"
version = "1.7.5.1.post1"
source = pinned_sdist("netCDF4", version, "netcdf4-1.7.5.1.post1.tar.gz",
                      "9823076013fd54e7984d3ae8f431671fd199b15eeb267f91b8c4b057fd8324ab")
build_system = "setuptools"
licence = "MIT"  # the sdist's License-Expression
build_requirements = [  # besides the pinned pip, which installs them
    pinned_wheel("setuptools", "80.9.0", "setuptools-80.9.0-py3-none-any.whl",
                 "062d34222ad13e0cc312a4c02d73f059e86a4acbfbdea8f8f76b28c99f306922"),
    pinned_wheel("wheel", "0.45.1", "wheel-0.45.1-py3-none-any.whl",
                 "708e7481cc80179af0e556bbf0cc00b8444c7321e2700b8d8580231d13017248"),
    pinned_wheel("packaging", "25.0", "packaging-25.0-py3-none-any.whl",
                 "29572ef2b1f17581046b3a2227d5c611fb25ec70ca1ba8554b24b0e69331a484"),
    # 8.x: 9 and later bring vcs-versioning along
    pinned_wheel("setuptools-scm", "8.3.1", "setuptools_scm-8.3.1-py3-none-any.whl",
                 "332ca0d43791b818b841213e76b1971b7711a960761c5bea5fc5cdb5196fbce3"),
    pinned_wheel("Cython", "3.1.2", "cython-3.1.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                 "e05a36224e3002d48c7c1c695b3771343bd16bc57eab60d6c5d5e08f3cbbafd8", "3.11"),
    pinned_wheel("Cython", "3.1.2", "cython-3.1.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                 "80d0ce057672ca50728153757d022842d5dcec536b50c79615a22dda2a874ea0", "3.13"),
]
depends_on = ["netcdf-c", "hdf5", "numpy"]
# Its bundled nc_complex defines two functions `inline` only in a header: the patch gives them
# their one external definition, which a call the compiler does not inline needs at the link.
patches = ["netcdf4/nc-complex-external-definitions-of-inline-functions.patch"]
build_environment = {"NETCDF4_DIR": "{prefix:netcdf-c}", "HDF5_DIR": "{prefix:hdf5}", "USE_SETUPCFG": "0"}
extension_modules = ["netCDF4._netCDF4"]
# After the extension's own -lnetcdf: libnetcdf.a needs HDF5's archives, and they zlib and libm
# (static archives are read in order).
link_libraries = ["netcdf", "hdf5_hl", "hdf5", "z", "m"]
