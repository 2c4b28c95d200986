"""MPICH, built from source into a static library with its own process manager (hydra mpiexec).

Why from source: Debian's libmpich.a cannot link fully static. It needs hwloc, whose static
archive needs libudev, which has no static library (and UCX). Built here, hwloc is MPICH's
embedded copy with udev, PCI, libxml2, OpenCL, CUDA, NVML, ROCm SMI and Level Zero all
disabled: on Linux it reads the topology from /proc and /sys alone.

Device: ch3:nemesis (shared memory within a node, TCP between nodes). ch4 needs a network
library (libfabric or UCX, embedded copies of which roughly double the build) and its
datatype engine yaksa generates thousands of pack/unpack sources; ch3:nemesis with the
dataloop engine needs neither, links static with nothing beyond libc, and is what a
single-node `mpiexec -n 4` runs on. Sites with a fast interconnect use their own MPI instead
(MPI=system, or a TARGET whose compiler is MPI-aware, such as Cray's cc).

Left out to keep the build short: Fortran and C++ bindings (mpi4py needs only C), debugger
support, documentation. ROMIO (MPI-IO) stays: mpi4py's MPI.File is part of its API.
"""

from slither.recipes import DebianSource, Source

name = "mpich"
version = "4.0.2"
# Debian's .orig tarball of the upstream release (Debian recompressed it with xz).
source = Source("mpich_4.0.2.orig.tar.xz", "b27039f964afeb6b8a3e009c56b441cbe368c26d6d6476ad3bb7190996875860",
                debian=DebianSource("mpich", versions=("4.0.2-3",)))
build_system = "autotools"
licence = "mpich2"  # COPYRIGHT of the source: Argonne's permissive notice, SPDX "mpich2"
provides = ["mpi"]
# Set by the binary at start-up unless the user set them (slither/link/main_c.py). hwloc's Linux
# I/O discovery opens udev's data file of each block device (/run/udev/data/b254:0) at MPI_Init,
# on every rank; MPICH's ch3:nemesis needs no I/O device locality.
runtime_environment = {"HWLOC_COMPONENTS": "-linuxio"}
mpi_wrapper = "bin/mpicc"
# Hydra's launcher goes beside the binary (BUILD_DIR/bin, and `scons install`): mpiexec execs
# hydra_pmi_proxy from its own directory, so the two travel together.
launchers = {"mpiexec": "bin/mpiexec.hydra", "hydra_pmi_proxy": "bin/hydra_pmi_proxy"}
configure_flags = [
    "--disable-shared", "--enable-static",
    # position-independent objects: mpi4py's real shared build links libmpi.a into its .so
    # (build-time imports), which needs PIC (json-c's thread-local variables refuse otherwise)
    "--with-pic",
    "--with-device=ch3:nemesis", "--with-datatype-engine=dataloop", "--with-pm=hydra",
    # hwloc: the embedded copy, reading /proc and /sys only
    "--with-hwloc=embedded", "--disable-libudev", "--disable-pci", "--disable-libxml2", "--disable-opencl",
    "--disable-cuda", "--disable-nvml", "--disable-rsmi", "--disable-levelzero", "--disable-gl",
    "--without-ucx", "--without-libfabric",
    "--disable-fortran", "--disable-cxx", "--enable-romio",
    "--enable-g=none", "--enable-fast=O2", "--disable-debuginfo", "--disable-dependency-tracking",
    # the wrappers add no run-time library paths: everything links static
    "--with-wrapper-dl-type=none",
]
