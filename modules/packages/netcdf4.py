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
stated below as its metadata states them, and brought in like a package without a recipe's.
"""

from slither.recipes import loading, pinned_sdist, pinned_wheel

# The pinned build tools' own wheels (modules/build_tools/wheels.py), so that a pin moves in one place.
_BUILD_TOOLS = loading.load_python_file(loading.MODULES_DIR / "build_tools" / "wheels.py", "recipe").wheels


def _build_tool(name, series=""):
    """The build tools' manylinux wheel of `name`: for `series` (Cython's wheels are per series),
    or, without one, a pure-Python wheel that serves every series."""
    wheel = next(wheel for wheel in _BUILD_TOOLS[(series or "3.11", "manylinux")] if wheel.pip.name == name)
    return pinned_wheel(name, wheel.pip.version, wheel.filename, wheel.sha256, series)


name = "netcdf4"
version = "1.7.5.1.post1"
source = pinned_sdist("netCDF4", version, "netcdf4-1.7.5.1.post1.tar.gz",
                      "9823076013fd54e7984d3ae8f431671fd199b15eeb267f91b8c4b057fd8324ab")
build_system = "setuptools"
licence = "MIT"  # the sdist's License-Expression
build_requirements = [  # besides the pinned pip, which installs them
    _build_tool("setuptools"),
    _build_tool("wheel"),
    _build_tool("packaging"),
    # not among the build tools; 8.x: 9 and later bring vcs-versioning along
    pinned_wheel("setuptools-scm", "8.3.1", "setuptools_scm-8.3.1-py3-none-any.whl",
                 "332ca0d43791b818b841213e76b1971b7711a960761c5bea5fc5cdb5196fbce3"),
    _build_tool("Cython", "3.11"),
    _build_tool("Cython", "3.13"),
]
depends_on = ["netcdf-c", "hdf5", "numpy"]
# Its bundled nc_complex defines two functions `inline` only in a header: the patch gives them
# their one external definition, which a call the compiler does not inline needs at the link.
# Its __init__'s lookup of filter plugins (shared objects) beside __file__ goes.
patches = ["netcdf4/nc-complex-external-definitions-of-inline-functions.patch",
           "netcdf4/init-no-plugin-directory-lookup.patch"]
build_environment = {"NETCDF4_DIR": "{prefix:netcdf-c}", "HDF5_DIR": "{prefix:hdf5}", "USE_SETUPCFG": "0"}
extension_modules = ["netCDF4._netCDF4"]
# Its sdist's Requires-Dist (the `parallel` extra's mpi4py is MODULES's to ask for)
runtime_requirements = ["cftime", "certifi", "packaging", "numpy>=1.23.2"]
# After the extension's own -lnetcdf: libnetcdf.a needs HDF5's archives, and they zlib and libm
# (static archives are read in order).
link_libraries = ["netcdf", "hdf5_hl", "hdf5", "z", "m"]
