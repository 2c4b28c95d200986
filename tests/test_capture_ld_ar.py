"""The capture sees a direct `ld -shared` and the archives a build makes with `ar` (LD, AR)."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from capture_fixtures import EXT_SUFFIX, global_definitions, module_source, symbols
from slither.capture.archives import archives_made_by_the_build
from slither.capture.ld_ar_arguments import archive_written_by_ar, driver_form_of_ld
from slither.capture.records import read_records

INCLUDE = f"-I{sysconfig.get_paths()['include']}"

# The extension's helper lives in a private archive: linked in, and local in the capture.
CALLER = r"""
#include <Python.h>
int helper(void);
static PyObject *call(PyObject *self, PyObject *unused) { return PyLong_FromLong(helper()); }
static PyMethodDef methods[] = {{"call_helper", call, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef definition = {PyModuleDef_HEAD_INIT, "_viald", NULL, -1, methods};
PyMODINIT_FUNC PyInit__viald(void) { return PyModule_Create(&definition); }
"""
HELPER = "int helper(void) { return 11; }\n"


def compile_c(env, directory: Path, source: str, name: str) -> str:
    (directory / f"{name}.c").write_text(source)
    subprocess.run([env["CC"], "-fPIC", INCLUDE, "-c", f"{name}.c", "-o", f"{name}.o"], cwd=directory, check=True)
    return f"{name}.o"


def test_the_environment_names_ld_and_ar_wrappers_beside_the_compilers(wrappers, tmp_path):
    env, _ = wrappers
    assert Path(env["LD"]).parent == Path(env["CC"]).parent == (tmp_path / "wrappers").resolve()
    assert Path(env["AR"]).name == "ar" and os.access(env["AR"], os.X_OK)
    version = subprocess.run([env["LD"], "--version"], stdout=subprocess.PIPE, text=True, check=True)
    assert "GNU ld" in version.stdout  # a non-link call passes through unchanged


def test_a_direct_ld_shared_link_is_captured_with_its_private_archive(wrappers, tmp_path):
    """`$LD -shared` (no compiler driver), with an archive the build made through `$AR` in a
    directory outside the link's working directory (CMake's build trees do this)."""
    env, record_dir = wrappers
    build, elsewhere = tmp_path / "build", tmp_path / "elsewhere"
    build.mkdir(), elsewhere.mkdir()
    compile_c(env, elsewhere, HELPER, "helper")
    subprocess.run([env["AR"], "rcs", "libhelper.a", "helper.o"], cwd=elsewhere, check=True)
    assert archives_made_by_the_build(record_dir) == {(elsewhere / "libhelper.a").resolve()}
    caller = compile_c(env, build, CALLER, "caller")
    output = f"_viald{EXT_SUFFIX}"
    subprocess.run([env["LD"], "-shared", "-soname", output, "-o", output, caller, "-L../elsewhere", "-lhelper"],
                   cwd=build, check=True)
    imported = subprocess.run([sys.executable, "-c", "import _viald; print(_viald.call_helper())"], cwd=build,
                              stdout=subprocess.PIPE, text=True, check=True)
    assert imported.stdout.strip() == "11"  # the real link happened
    (record,) = read_records(record_dir)
    assert record.init_symbol == "PyInit__viald" and record.role == "c"
    assert record.libraries == [] and record.external_inputs == []  # the archive went into the capture
    assert global_definitions(record.object) == ["PyInit__viald"]
    assert symbols(record.object)["helper"] == "t"


def test_an_archive_outside_the_tree_not_made_by_the_build_stays_external(wrappers, tmp_path):
    """The same link with the archive made by the real `ar`, not the wrapper: a system library
    as far as the capture can tell, left for the final link."""
    env, record_dir = wrappers
    build, elsewhere = tmp_path / "build", tmp_path / "elsewhere"
    build.mkdir(), elsewhere.mkdir()
    compile_c(env, elsewhere, HELPER, "helper")
    subprocess.run(["ar", "rcs", "libhelper.a", "helper.o"], cwd=elsewhere, check=True)
    caller = compile_c(env, build, CALLER, "caller")
    subprocess.run([env["LD"], "-shared", "-o", f"_viald{EXT_SUFFIX}", caller, str(elsewhere / "libhelper.a")],
                   cwd=build, check=True)
    (record,) = read_records(record_dir)
    assert record.external_inputs == [str((elsewhere / "libhelper.a").resolve())]
    assert symbols(record.object)["helper"] == "U"  # resolved at the final link


def test_a_plain_ld_relocatable_link_or_a_library_is_not_an_extension(wrappers, tmp_path):
    env, record_dir = wrappers
    compile_c(env, tmp_path, module_source("_plain", 1), "plain")
    subprocess.run([env["LD"], "-r", "-o", "merged.o", "plain.o"], cwd=tmp_path, check=True)
    subprocess.run([env["LD"], "-shared", "-o", "libplain.so", "plain.o"], cwd=tmp_path, check=True)
    assert (tmp_path / "merged.o").is_file() and (tmp_path / "libplain.so").is_file()
    assert read_records(record_dir) == []


def test_ld_options_read_as_the_driver_line_they_amount_to():
    assert driver_form_of_ld(["-m", "elf_x86_64", "-shared", "-soname", "x.so", "-o", "x.so", "a.o",
                              "--whole-archive", "libp.a", "--no-whole-archive", "-L", "dir", "-lm",
                              "--library=z", "-rpath", "/opt/lib", "--version-script=v.map"]) == [
        "-shared", "-o", "x.so", "a.o", "-Wl,--whole-archive", "libp.a", "-Wl,--no-whole-archive",
        "-Ldir", "-lm", "-lz"]


@pytest.mark.parametrize("arguments, archive", [
    (["rcs", "libx.a", "a.o"], "libx.a"),
    (["-rcs", "libx.a", "a.o"], "libx.a"),
    (["qc", "libx.a", "a.o", "b.o"], "libx.a"),
    (["--plugin", "/p/liblto.so", "cr", "libx.a", "a.o"], "libx.a"),
    (["rb", "a.o", "libx.a", "b.o"], "libx.a"),   # insert before member a.o
    (["s", "libx.a"], "libx.a"),                  # ranlib
    (["t", "libx.a"], None), (["x", "libx.a"], None), (["d", "libx.a", "a.o"], None), (["--version"], None),
])
def test_the_archive_an_ar_call_writes(arguments, archive):
    assert archive_written_by_ar(arguments) == archive
