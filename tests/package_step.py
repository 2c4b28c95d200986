"""Running the package step (slither.packages.build) on a tiny sdist made on the spot.

Shared by the tests of the step itself (tests/test_package_build.py), of the build backends it
drives (tests/test_backend_fixtures.py) and of the stock builds made for comparison
(tests/test_stock_packages.py): each needs the same sdist, the same command line as SCons gives
the step, and the same look at the archive it leaves.
"""

import io
import subprocess
import sys
import tarfile
from pathlib import Path

from conftest import ROOT, profile_data_file
from slither.files import sha256_of

SPEED_C = r"""
#include <Python.h>
int helper(void) { return 42; }
static PyObject *answer(PyObject *self, PyObject *unused) { return PyLong_FromLong(helper()); }
static PyMethodDef methods[] = {{"answer", answer, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef definition = {PyModuleDef_HEAD_INIT, "_speed", NULL, -1, methods};
PyMODINIT_FUNC PyInit__speed(void) { return PyModule_Create(&definition); }
"""


def make_sdist(directory: Path, name: str, files: dict) -> Path:
    """An sdist as pip gets it: <name>-1.0/ with the files, gzipped."""
    path = directory / f"{name}-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for relative, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-1.0/{relative}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def package_build(tmp: Path, name: str, sdist: Path, *extra, python=sys.executable, sha256=None):
    """Run the step as SCons will: a command; returns (CompletedProcess, outputs dir)."""
    outputs = tmp / "out"
    command = [sys.executable, "-m", "slither.packages.build", "--python", python, "--name", name,
               "--version", "1.0", "--source", str(sdist), "--sha256", sha256 or sha256_of(sdist),
               "--target", str(profile_data_file(tmp)), "--work", str(tmp / "work"), "--log", str(tmp / "build.log"),
               "--site", str(outputs / "site.tar"), "--archive", str(outputs / "extensions.a"),
               "--manifest", str(outputs / "extensions.json"), *extra]
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return result, outputs


def archive_globals(archive: Path) -> list:
    output = subprocess.run(["nm", "-P", "-g", "--defined-only", str(archive)], check=True,
                            stdout=subprocess.PIPE, text=True).stdout
    return sorted(line.split()[0] for line in output.splitlines() if line and not line.endswith(":"))
