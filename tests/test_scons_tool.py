"""The `slither` SCons tool used from someone else's SConstruct, and the variables' help."""

import subprocess
import sys

import pytest

from conftest import assert_built, ROOT, run_scons


def test_help_lists_every_variable_with_default():
    from slither.cache import default_cache_dir
    result = run_scons(["-h"])
    assert_built(result)
    for variable, default in [("PYTHON", "3.11"), ("TARGET", "gnu"), ("MODULES", ""),
                              # ~/.cache/slither, or under XDG_CACHE_HOME when that is set
                              ("NAME", "python-static"), ("BUILD_DIR", "build"), ("CACHE_DIR", default_cache_dir()),
                              ("SOURCES", ""), ("FREEZE", "True"), ("EXCLUDE", ""),
                              ("PREFIX", "/usr/local"), ("JOBS", ""), ("VERBOSE", "False"),
                              ("FREEZE_PATHS", ""), ("MAIN", "")]:
        block = result.stdout.split(f"\n{variable}: ", 1)
        assert len(block) == 2, f"{variable} missing from scons -h"
        default_line = block[1].split("\n\n")[0].split("default: ", 1)[1].split("\n")[0]
        assert default in default_line, (variable, default_line)


def test_help_with_variables_builds_nothing_and_writes_nothing(tmp_path):
    """`scons -h` only reads: no BUILD_DIR, no signature file, no download store."""
    checkout_before = sorted(path.name for path in ROOT.iterdir())
    result = run_scons(["-h", f"BUILD_DIR={tmp_path / 'x'}", f"CACHE_DIR={tmp_path / 'cache'}",
                        "MODULES=numpy,mpi4py"])
    assert_built(result)
    assert "\nMODULES: " in result.stdout
    assert "Building targets" not in result.stdout
    assert sorted(tmp_path.iterdir()) == []
    assert sorted(path.name for path in ROOT.iterdir()) == checkout_before


@pytest.mark.parametrize("argument, message", [
    ("MODULES=nunpy", "MODULES: no recipe for 'nunpy'"),
    ("MODULES=a,,b==", "malformed"),
    ("TARGET=gnx", "did you mean gnu?"),
    ("PYTHON=3.12", "PYTHON=3.12: unsupported; choose one of 3.11, 3.13"),
    ("JOBS=x", "JOBS=x"),
    ("NAME=a/b", "NAME='a/b'"),
    ("SOURCES=/nonexistent", "SOURCES=/nonexistent: not a directory"),
    ("FROBNICATE=1", "unknown variable(s) FROBNICATE"),
    ("MAIN=1bad", "MAIN='1bad': give a dotted module name"),
    ("FREEZE_PATHS=/nonexistent", "FREEZE_PATHS=/nonexistent: not a directory"),
])
def test_bad_variable_is_one_line_and_exit_2(argument, message, tmp_path):
    result = run_scons(["-n", argument, f"BUILD_DIR={tmp_path}"])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1, result.stderr


def test_verbose_shows_full_commands(tmp_path):
    quiet = run_scons(["-n", f"BUILD_DIR={tmp_path}", "CACHE_DIR="])
    verbose = run_scons(["-n", f"BUILD_DIR={tmp_path}", "CACHE_DIR=", "VERBOSE=1"])
    assert "-m slither.cpython.build --series 3.11" in verbose.stdout
    assert "-m slither.cpython.build" not in quiet.stdout
    # The absence checks of the slow tests look for this exact step line.
    assert any(line.startswith("cpython build 3.11.2 (gnu)") for line in quiet.stdout.splitlines())


@pytest.mark.slow
def test_foreign_sconstruct_builds_with_the_tool(tmp_path):
    (tmp_path / "SConstruct").write_text(
        "env = Environment(tools=['default', 'slither'],\n"
        f"                  toolpath=[{str(ROOT / 'site_scons' / 'site_tools')!r}])\n"
        "Default(env.StaticPython('mypython', build_dir='out'))\n")
    result = subprocess.run([sys.executable, "-m", "SCons", "-C", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=3600)
    assert_built(result, tail=2000)
    binary = tmp_path / "out" / "bin" / "mypython"
    ran = subprocess.run([str(binary), "-c", "import json; print(json.dumps('ok'))"],
                         stdout=subprocess.PIPE, text=True)
    assert ran.stdout.strip() == '"ok"'


def test_help_names_the_default_exclusions_and_how_to_keep_one():
    result = run_scons(["-h"])
    text = " ".join(result.stdout.split("\nEXCLUDE: ", 1)[1].split("\n\n")[0].split())
    assert "besides the defaults (test,idlelib,tkinter,turtledemo,ensurepip,lib2to3,turtle)" in text
    assert "-name keeps a default one in (EXCLUDE=-test)" in text
