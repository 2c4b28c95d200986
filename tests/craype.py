"""The Cray PE stand-ins (tests/fixtures/craype/) and a PATH on which they are the only compilers.

The stand-ins call gcc, g++ and gfortran through their own PATH lookup, made before the build's
PATH applies; the build itself gets a PATH that holds no gcc, cc, c++, gfortran or MPI wrapper
at all, so a compile or link that bypassed cc/CC/ftn would fail instead of going unnoticed.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

STANDINS = Path(__file__).resolve().parent / "fixtures" / "craype"

# Programs a Cray login node does not offer under these names: the PrgEnv's compilers are
# reached only through the drivers, and cray-mpich has no mpicc/mpiexec wrappers.
HIDDEN_PREFIXES = ("gcc", "g++", "c++", "cc", "cpp", "gfortran", "f77", "f95", "x86_64-linux-gnu-",
                   "mpi", "musl-gcc", "clang")


def hidden(name: str) -> bool:
    return name.startswith(HIDDEN_PREFIXES)


def path_without_compilers(shadow: Path, path: str | None = None) -> str:
    """A PATH with the stand-ins first, then one directory of links to every other program
    the original PATH offers (first one wins, as in a lookup), compilers and MPI left out."""
    shadow.mkdir(parents=True, exist_ok=True)
    for directory in (path or os.environ["PATH"]).split(os.pathsep):
        if not os.path.isdir(directory) or Path(directory).resolve() == STANDINS:
            continue
        for entry in sorted(os.listdir(directory)):
            target = Path(directory) / entry
            if hidden(entry) or (shadow / entry).exists() or not os.access(target, os.X_OK) or target.is_dir():
                continue
            (shadow / entry).symlink_to(target)
    return os.pathsep.join([str(STANDINS), str(shadow)])


# What the modules the stand-ins play set (and what a caller's own environment must not leak in).
MODULE_VARIABLES = ("CRAY_MPICH_DIR", "CRAY_LIBSCI_PREFIX_DIR", "CRAY_HDF5_PARALLEL_PREFIX", "HDF5_DIR",
                    "CRAY_HDF5_PREFIX", "PKG_CONFIG_PATH")


def craype_environment(tmp: Path, log: Path, mpich_dir: Path | None = None, libsci_dir: Path | None = None,
                       hdf5_dir: Path | None = None, **extra) -> dict:
    """os.environ with the stand-ins as the only compilers and every call logged to ``log``.
    ``mpich_dir`` plays the loaded cray-mpich module (CRAY_MPICH_DIR), ``libsci_dir`` cray-libsci
    (CRAY_LIBSCI_PREFIX_DIR, its pkgconfig directory on PKG_CONFIG_PATH; see libsci_standin),
    ``hdf5_dir`` cray-hdf5-parallel (CRAY_HDF5_PARALLEL_PREFIX and HDF5_DIR)."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("CRAYPE_LINK_TYPE", "CC", "CXX", "FC", "MPICC", *MODULE_VARIABLES)}
    # The stand-ins find the real compilers on the PATH they were started with, and run on
    # this interpreter (no PATH lookup, no version-manager shim per compiler call).
    environment["CRAYPE_STANDIN_COMPILER_PATH"] = os.environ["PATH"]
    environment["CRAYPE_STANDIN_PYTHON"] = sys.executable
    environment["PATH"] = path_without_compilers(tmp / "shadow-bin")
    environment["CRAYPE_STANDIN_LOG"] = str(log)
    if mpich_dir is not None:
        environment["CRAY_MPICH_DIR"] = str(mpich_dir)
    if libsci_dir is not None:
        environment["CRAY_LIBSCI_PREFIX_DIR"] = str(libsci_dir)
        environment["PKG_CONFIG_PATH"] = str(Path(libsci_dir) / "lib" / "pkgconfig")
    if hdf5_dir is not None:
        environment["CRAY_HDF5_PARALLEL_PREFIX"] = environment["HDF5_DIR"] = str(hdf5_dir)
    environment.update(extra)
    return environment


def read_log(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def output_of(record: dict) -> str | None:
    """The -o argument of a recorded call."""
    arguments = record["arguments"]
    for index, argument in enumerate(arguments):
        if argument == "-o" and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith("-o") and len(argument) > 2:
            return argument[2:]
    return None


def compiler_is_reachable(name: str, environment: dict) -> bool:
    return shutil.which(name, path=environment["PATH"]) is not None


LIBSCI_PC = """\
# Stand-in for cray-libsci's pkg-config file: Debian's static OpenBLAS under libsci's name.
prefix={prefix}
libdir=${{prefix}}/lib
includedir=${{prefix}}/include

Name: libsci
Description: stand-in for Cray LibSci (Debian's OpenBLAS {openblas})
Version: {openblas}
Libs: -L${{libdir}} -lsci_gnu
Cflags: -I${{includedir}}
"""


def debian_openblas() -> tuple[Path, Path]:
    """Debian's static and shared OpenBLAS (libopenblas-dev), as the alternatives resolve them."""
    import subprocess
    found = subprocess.run(["gcc", "-print-file-name=libopenblas.a"], stdout=subprocess.PIPE, text=True).stdout.strip()
    archive = Path(found).resolve()
    shared = Path(found).with_name("libopenblas.so.0").resolve()
    if not archive.is_file() or not shared.exists():
        raise FileNotFoundError("Debian's libopenblas-dev (libopenblas.a, libopenblas.so.0) is not installed")
    return archive, shared


def libsci_standin(directory: Path) -> Path:
    """A stand-in cray-libsci prefix (what $CRAY_LIBSCI_PREFIX_DIR names): lib/libsci_gnu.a is
    Debian's static OpenBLAS (BLAS, CBLAS and LAPACK) under PrgEnv-gnu libsci's name,
    lib/libsci_gnu.so its shared one (the real prefix has both), lib/pkgconfig/libsci.pc says
    so. No headers: numpy and scipy declare the BLAS/LAPACK functions themselves."""
    archive, shared = debian_openblas()
    lib = directory / "lib"
    (lib / "pkgconfig").mkdir(parents=True, exist_ok=True)
    (directory / "include").mkdir(exist_ok=True)
    for name, target in (("libsci_gnu.a", archive), ("libsci_gnu.so", shared)):
        if not (lib / name).exists():
            (lib / name).symlink_to(target)
    version = archive.name.removeprefix("libopenblasp-r").removeprefix("libopenblas-r").removesuffix(".a")
    (lib / "pkgconfig" / "libsci.pc").write_text(LIBSCI_PC.format(prefix=directory, openblas=version))
    return directory
