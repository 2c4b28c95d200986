"""h5py, built with setuptools and Cython against the HDF5 recipe (static), numpy from the build.

h5py 3.14.0 supports numpy 2.x (it builds against numpy >= 2.0) and HDF5 1.10.6 to 1.14.x. Its
setup finds HDF5 through HDF5_DIR (the unpacked prefix of the hdf5 library recipe) and is told
the version and drivers (HDF5_VERSION, H5PY_ROS3, H5PY_DIRECT_VFD), so it never loads a shared libhdf5 with ctypes to ask; setuptools'
setup_requires (an old mpi4py pinned per Python version) is switched off (H5PY_SETUP_REQUIRES=0),
mpi4py comes from the build.

Serial by default. With mpi4py in MODULES the plan makes this the parallel variant
(slither.libraries.hdf5_variant): HDF5 built with --enable-parallel, HDF5_MPI=ON, compiled and
linked through the build's MPI compiler wrapper, mpi4py on the build's path.
"""

from slither.recipes import pinned_sdist

name = "h5py"
version = "3.14.0"
source = pinned_sdist("h5py", version, "h5py-3.14.0.tar.gz",
                      "2372116b2e0d5d3e5e705b7f663f7c8d96fa79a4052d250484ef91d24d6a08f4")
build_system = "setuptools"
licence = "BSD-3-Clause"  # LICENSE of the sdist (bundled lzf: licenses/)
# numpy: its C API at build time, from the build (on the build's path); hdf5: the library recipe.
depends_on = ["hdf5", "numpy"]
# What the build is given; {prefix:NAME} is the unpacked prefix of library recipe NAME.
# The version and the two optional drivers (ROS3: S3 over libcurl; direct I/O) are stated, so that
# setup never loads a shared libhdf5 to ask; the HDF5 recipe builds neither driver.
build_environment = {"HDF5_DIR": "{prefix:hdf5}", "HDF5_VERSION": "1.14.5", "H5PY_ROS3": "0",
                     "H5PY_DIRECT_VFD": "0", "H5PY_SETUP_REQUIRES": "0", "H5PY_RUNTIME_LIBRARY_DIRS": "0"}
# No rpath to HDF5's lib/ (nothing is loaded at run time): the switch the patch adds.
patches = ["h5py/setup-build-no-rpath-when-static.patch",
           # import h5py without running `uname -p` (platform.uname()[4] computes the processor too)
           "h5py/h5t-machine-without-uname-subprocess.patch"]
extension_modules = ["h5py." + module for module in (
    "defs", "_errors", "_objects", "_proxy", "h5fd", "h5z", "h5", "h5i", "h5r", "utils", "_selector", "_conv",
    "h5t", "h5s", "h5p", "h5d", "h5a", "h5f", "h5g", "h5l", "h5o", "h5ds", "h5ac", "h5pl", "_npystrings")]
# After the extensions' own -lhdf5 -lhdf5_hl: libhdf5_hl.a needs libhdf5.a, and libhdf5.a zlib and libm
# (static archives are read in order).
link_libraries = ["hdf5", "z", "m"]
