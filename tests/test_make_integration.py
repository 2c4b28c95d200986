"""slither.mk: a site's own Makefile includes it and builds the interpreter with `make`.

Every test writes a small site Makefile in a temporary directory and runs the real GNU make
there; the fast ones stop at dry runs, questions and bad input, the slow one builds.
"""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")

NAME = "mypython"


def write_site_makefile(site: Path, slither_vars: str) -> Path:
    """The example of the README, with the scons of this test run."""
    site.mkdir(parents=True, exist_ok=True)
    scons = f"{shlex.quote(sys.executable)} -m SCons"
    (site / "Makefile").write_text(
        f"SLITHER_DIR := {ROOT}\n"
        f"SLITHER_SCONS := {scons}\n"
        f"SLITHER_VARS := {slither_vars}\n"
        "include $(SLITHER_DIR)/slither.mk\n"
        "all: slither\n"
        "\ttouch built-after-slither\n"
        "install: slither-install\n"
        "clean: slither-clean\n")
    return site


def run_make(site: Path, *arguments, timeout=120):
    """make as a user runs it, without MAKEFLAGS inherited from whatever runs pytest."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "V")}
    return subprocess.run(["make", *arguments], cwd=site, env=environment, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)


def scons_command_line(output: str) -> str:
    """The scons command make printed (the line that runs it, cd included)."""
    lines = [line for line in output.splitlines() if line.startswith(f'cd "{ROOT}" && ')]
    assert len(lines) == 1, output
    return lines[0]


@pytest.fixture
def site(tmp_path):
    """A site whose interpreter goes into an empty BUILD_DIR of its own."""
    return write_site_makefile(tmp_path / "site", f"MODULES= NAME={NAME} BUILD_DIR={tmp_path / 'build-py'}")


def built_files(build_dir: Path) -> list[Path]:
    """Files in BUILD_DIR besides SCons's signature database (which reading the SConstruct opens)."""
    if not build_dir.exists():
        return []
    return [path for path in build_dir.rglob("*") if path.is_file() and path.name != ".sconsign.dblite"]


def test_dry_run_lists_the_steps_and_builds_nothing(site):
    result = run_make(site, "-n", "slither")
    assert result.returncode == 0, result.stderr
    assert " -n " in scons_command_line(result.stdout)
    for step in ("cpython build", "freeze modules", f"link {site.parent / 'build-py' / 'bin' / NAME} (static)"):
        assert step in result.stdout, result.stdout
    assert built_files(site.parent / "build-py") == []


def test_make_job_count_becomes_jobs_of_the_inner_build(site):
    result = run_make(site, "-j3", "-n", "V=1", "slither")
    assert result.returncode == 0, result.stderr
    command = scons_command_line(result.stdout)
    assert "JOBS=3" in command.split()
    assert " -j" not in command          # scons itself stays at one step at a time
    assert "--jobs 3" in result.stdout   # and the CPython step really gets 3
    assert built_files(site.parent / "build-py") == []


def test_jobs_in_slither_vars_win_over_make_jobs(tmp_path):
    site = write_site_makefile(tmp_path / "site", f"JOBS=1 BUILD_DIR={tmp_path / 'build-py'}")
    command = scons_command_line(run_make(site, "-j3", "-n", "slither").stdout)
    assert "JOBS=1" in command.split() and "JOBS=3" not in command


def test_make_without_j_leaves_jobs_to_slither(site):
    assert "JOBS=" not in scons_command_line(run_make(site, "-n", "slither").stdout)


def test_failing_scons_fails_the_make_target(tmp_path):
    site = write_site_makefile(tmp_path / "site", f"TARGET=nosuch BUILD_DIR={tmp_path / 'build-py'}")
    result = run_make(site, "all")
    assert result.returncode == 2
    assert "scons: *** TARGET=nosuch: unknown toolchain" in result.stderr
    assert "slither] Error 2" in result.stderr      # make's own report names the target
    assert not (site / "built-after-slither").exists()


def test_silent_make_runs_quiet_scons(site):
    result = run_make(site, "-s", "-n", "slither")
    assert result.returncode == 0, result.stderr
    assert "-Q" in scons_command_line(result.stdout).split()
    assert "Reading SConscript files" not in result.stdout
    assert "cpython build" in result.stdout


def test_make_v_1_means_verbose(site):
    result = run_make(site, "-n", "V=1", "slither")
    assert "VERBOSE=1" in scons_command_line(result.stdout).split()
    assert "-m slither.cpython.build" in result.stdout   # full command lines, not step names


def test_slither_vars_reach_scons(site):
    result = run_make(site, "-n", "slither")
    command = scons_command_line(result.stdout)
    assert f"NAME={NAME}" in command.split() and "MODULES=" in command.split()
    assert f"bin/{NAME} (static)" in result.stdout


def test_question_mode_asks_scons_whether_up_to_date(site):
    result = run_make(site, "-q", "slither")
    assert result.returncode == 1          # an empty BUILD_DIR is not up to date
    assert built_files(site.parent / "build-py") == []


def test_long_options_are_not_taken_for_letters(tmp_path):
    # MAKEFLAGS is then " --no-print-directory", whose n and t are no -n or -t: scons runs as is
    # (and stops at once on the bad TARGET).
    site = write_site_makefile(tmp_path / "site", f"TARGET=nosuch BUILD_DIR={tmp_path / 'build-py'}")
    result = run_make(site, "--no-print-directory", "slither")
    assert scons_command_line(result.stdout).endswith(f"-m SCons TARGET=nosuch BUILD_DIR={tmp_path / 'build-py'}")
    assert "unknown toolchain" in result.stderr


def test_touch_mode_runs_nothing(site):
    result = run_make(site, "-t", "slither")
    assert result.returncode == 0, result.stderr
    assert not (site.parent / "build-py").exists()


def test_install_and_clean_dry_runs_name_their_files(tmp_path):
    build_dir, prefix = tmp_path / "build-py", tmp_path / "prefix"
    site = write_site_makefile(tmp_path / "site", f"NAME={NAME} BUILD_DIR={build_dir} PREFIX={prefix}")
    installed = run_make(site, "-n", "install")
    assert installed.returncode == 0, installed.stderr
    assert f'as "{prefix / "bin" / NAME}"' in installed.stdout
    assert not prefix.exists()
    cleaned = run_make(site, "-n", "clean")
    assert cleaned.returncode == 0, cleaned.stderr
    assert " -c " in scons_command_line(cleaned.stdout)


@pytest.mark.slow
def test_make_builds_a_binary_that_imports_json(site):
    result = run_make(site, "slither", timeout=3600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    binary = site.parent / "build-py" / "bin" / NAME
    imported = subprocess.run([str(binary), "-c", "import json; print(json.dumps([1]))"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    assert imported.stdout.strip() == "[1]", imported.stderr
