"""Tiny extension modules built for real through the capture layer's wrappers, and a look at the
symbols of what they leave.

Shared by the tests of the capture through the compiler drivers (tests/test_capture.py), through a
direct `ld` and `ar` (tests/test_capture_ld_ar.py) and through a site profile's own compiler
(tests/test_targets.py): each builds the same kind of module and checks the same thing, that
only its init function stays global.
"""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")

MODULE_C = r"""
#include <Python.h>
int helper(void) { return @VALUE@; }
static PyObject *call_helper(PyObject *self, PyObject *unused) { return PyLong_FromLong(helper()); }
static PyMethodDef methods[] = {{"call_helper", call_helper, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef definition = {PyModuleDef_HEAD_INIT, "@NAME@", NULL, -1, methods};
PyMODINIT_FUNC PyInit_@NAME@(void) { return PyModule_Create(&definition); }
"""


def module_source(name, value):
    return MODULE_C.replace("@NAME@", name).replace("@VALUE@", str(value))


def write_files(root: Path, files: dict) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def setuptools_build(package: Path, wrapper_env: dict) -> Path:
    """`setup.py build` with the wrappers as CC/CXX/LDSHARED; returns the build/lib tree."""
    env = {**os.environ, **wrapper_env}
    result = subprocess.run([sys.executable, "setup.py", "-q", "build"], cwd=package, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 0, result.stdout
    (lib,) = (package / "build").glob("lib.*")
    return lib


def global_definitions(object_path) -> list:
    output = subprocess.run(["nm", "-P", "-g", "--defined-only", str(object_path)], check=True,
                            stdout=subprocess.PIPE, text=True).stdout
    return sorted(line.split()[0] for line in output.splitlines())


def symbols(object_path) -> dict:
    output = subprocess.run(["nm", "-P", str(object_path)], check=True, stdout=subprocess.PIPE, text=True).stdout
    return {line.split()[0]: line.split()[1] for line in output.splitlines()}


TINYPKG = {
    "setup.py": 'from setuptools import Extension, setup\n'
                'setup(name="tinypkg", version="1.0",\n'
                '      ext_modules=[Extension("tinypkg.sub._speed", ["speed.c"])])\n',
    "speed.c": module_source("_speed", 7),
}
