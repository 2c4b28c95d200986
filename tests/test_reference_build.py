"""The stock reference build (`scons reference`): what it signs, how it is configured, and
(slow) that it really is a stock shared CPython that runs from where it was unpacked."""

import os
import subprocess

import pytest

from conftest import assert_built, ROOT, run_scons

from slither.recipes import loading
from harness.stock import cpython as reference_build


def test_reference_is_configured_the_stock_shared_way():
    command = reference_build.configure_command("/opt/x")
    assert command[:3] == ["./configure", "--enable-shared", "--prefix=/opt/x"]
    # Nothing of Slither's build: no patches, no static modules, no profile flags.
    assert not any("static" in part or "MODULE_" in part for part in command)
    assert command[3] == "LDFLAGS=-Wl,-rpath,\\$$ORIGIN/../lib"


def test_runpath_is_read_from_an_elf_file(tmp_path):
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    for flags, expected in ((["-Wl,-rpath,/opt/stock/lib", "-Wl,--enable-new-dtags"], "/opt/stock/lib"),
                            (["-Wl,-rpath,$ORIGIN/../lib", "-Wl,--disable-new-dtags"], "$ORIGIN/../lib"), ([], "")):
        subprocess.run(["gcc", str(tmp_path / "main.c"), "-o", str(tmp_path / "program"), *flags], check=True)
        assert reference_build.runpath_of(tmp_path / "program", dict(os.environ)) == expected


def _reference_runs(tmp_path, series):
    release = loading.cpython_release(series)
    build_dir = tmp_path / "build"
    result = run_scons([f"BUILD_DIR={build_dir}", f"PYTHON={series}", "JOBS=2", "reference"])
    assert_built(result)
    prefix = build_dir / "reference" / f"cpython-{release.version}"
    interpreter = prefix / "bin" / f"python{series}"
    assert interpreter.is_file()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LD_"))}
    probe = subprocess.run(
        [str(interpreter), "-c",
         "import sys, sysconfig, ssl, ctypes, sqlite3, _decimal; "
         "print(sys.version.split()[0], sys.prefix, sysconfig.get_config_var('Py_ENABLE_SHARED'), "
         "sysconfig.get_config_var('LIBDIR'), ctypes.__file__)"],
        capture_output=True, text=True, env=env)
    assert probe.returncode == 0, probe.stderr
    version, sys_prefix, shared, libdir, ctypes_file = probe.stdout.split()
    assert version == release.version
    assert sys_prefix == str(prefix)                     # runs from where it was unpacked
    assert shared == "1" and libdir == str(prefix / "lib")  # sysconfig rewritten to the real prefix
    assert ctypes_file.startswith(str(prefix / "lib"))   # a real stdlib on disk, not frozen
    libraries = subprocess.run(["ldd", str(interpreter)], capture_output=True, text=True).stdout
    assert f"{prefix}/bin/../lib/libpython{series}.so" in libraries, libraries
    # A stock install: no Slither patch applied (3.11's copy module still probes Jython's org).
    copy_source = (prefix / "lib" / f"python{series}" / "copy.py").read_text()
    if series == "3.11":
        assert "from org.python.core import PyStringMap" in copy_source
    again = run_scons([f"BUILD_DIR={build_dir}", f"PYTHON={series}", "JOBS=2", "reference"])
    assert_built(again)
    assert "is up to date" in again.stdout, again.stdout[-3000:]


@pytest.mark.slow
def test_reference_311_is_a_stock_shared_build_that_runs_where_unpacked(tmp_path):
    _reference_runs(tmp_path, "3.11")


@pytest.mark.slow
@pytest.mark.extended  # nothing in the default run needs the 3.13 reference: CI's time goes elsewhere
def test_reference_313_is_a_stock_shared_build_that_runs_where_unpacked(tmp_path):
    _reference_runs(tmp_path, "3.13")
