"""TARGET=musl: the same static interpreter with Debian's musl-gcc, checked like the gnu one.

The checks of tests/interpreter_checks.py, which tests/test_static_interpreter.py runs on the gnu
binaries, run here unchanged against the musl binary (imported below, so pytest collects them
with this module's `build` fixture); the rest are musl's own: every library the stdlib's C
modules link built with musl-gcc from the same recipes as for gnu, so the same C modules are
built in, and no glibc anywhere.
"""

import subprocess

import pytest

from conftest import assert_built, run_scons, step_outcomes
from interpreter_checks import (  # noqa: F401  (collected here with the musl build)
    LIBRARIES_AT_WORK, Build, test_binary_is_fully_static, test_build_prints_a_summary,
    test_frozen_modules_cannot_be_shadowed,
    test_isolated_and_no_site_flags, test_missing_stdlib_name_fails_fast_without_looking_on_disk,
    test_plain_start_makes_zero_file_syscalls, test_runs_copied_elsewhere_read_only_and_without_home,
    test_script_dir_on_sys_path_is_absolute_and_normalized,
    test_traceback_names_the_original_file_and_line, test_user_modules_import_from_script_dir_and_pythonpath)
from mpi_apps import APP, _counted
from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = pytest.mark.slow

MUSL_STDLIB_IMPORTS = ("json, decimal, zlib, hashlib, email.mime.text, asyncio, xml.etree.ElementTree, "
                       "unicodedata, zoneinfo, socket, select, mmap, math, array, struct, csv, pickle, "
                       "ctypes, lzma, bz2, uuid")
# The C modules whose libraries the recipes build: the same on musl as on gnu.
RECIPE_LIBRARY_MODULES = ("_ssl", "_hashlib", "_ctypes", "_sqlite3", "_bz2", "_lzma", "readline",
                          "_curses", "_curses_panel", "zlib", "_uuid")
# The default run's musl build takes the quick recipes (zlib, bzip2, xz, libffi, libuuid with the
# host's kernel headers: about two and a half minutes cold) through the same library step; the slow ones (OpenSSL, SQLite with tcl, ncurses
# with libedit: some ten minutes) are built by the extended test below, which checks them all.
WITHOUT_THE_SLOW_LIBRARIES = "WITHOUT=_ssl,_hashlib,_sqlite3,readline,_curses,_curses_panel"


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    result = Build("3.11", tmp_path_factory.mktemp("build-musl"))
    result.arguments += ["TARGET=musl", WITHOUT_THE_SLOW_LIBRARIES]
    completed = result.scons("JOBS=2")
    assert_built(completed)
    result.first_output = completed.stdout
    return result


@pytest.fixture(scope="module")
def runtime(build):
    """The runtime checks imported above take their binary as `runtime`: here, the musl one."""
    return build


@pytest.fixture(scope="module")
def with_markupsafe(build):
    """MODULES on musl: markupsafe (a setuptools C extension, no outside library), built by the
    musl host interpreter with the musllinux build tools, into a second binary beside the first."""
    completed = build.scons("JOBS=2", "MODULES=markupsafe", "NAME=python-markupsafe")
    assert_built(completed)
    return build.build_dir / "bin" / "python-markupsafe", completed.stdout


def test_summary_names_target_musl_and_its_library_steps(build):
    assert "TARGET musl, static" in build.first_output
    steps = step_outcomes(build.first_output)
    for library in ("zlib", "libffi", "xz", "bzip2", "libuuid"):
        assert library in steps, (library, steps)
    assert not any(line.strip().startswith("_uuid:") for line in build.first_output.splitlines())


@pytest.fixture(scope="module")
def full_build(tmp_path_factory):
    result = Build("3.11", tmp_path_factory.mktemp("build-musl-full"))
    result.arguments.append("TARGET=musl")
    completed = result.scons("JOBS=2")
    assert_built(completed)
    result.first_output = completed.stdout
    return result


@pytest.mark.extended
def test_the_same_stdlib_c_modules_as_gnu_are_built_in_and_work(full_build, tmp_path):
    builtin = set(full_build.run("-c", "import sys; print(*sys.builtin_module_names)").stdout.split())
    assert set(RECIPE_LIBRARY_MODULES) <= builtin, sorted(set(RECIPE_LIBRARY_MODULES) - builtin)
    result = full_build.run("-c", LIBRARIES_AT_WORK)
    assert result.stdout.strip() == "ok", result.stderr
    code = "import ssl, _hashlib, sqlite3, curses, _curses_panel; print('ok')"
    result, calls = trace_file_calls([str(full_build.binary), "-c", code], cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
    assert [call.line for call in calls if counts_against_startup(call)] == []


def test_musl_stdlib_imports_with_zero_file_syscalls(build, tmp_path):
    code = f"import {MUSL_STDLIB_IMPORTS}; print(zlib.decompress(zlib.compress(b'ok' * 100))[:2].decode())"
    result, calls = trace_file_calls([str(build.binary), "-c", code], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert [call.line for call in calls if counts_against_startup(call)] == []


def test_uuid_is_libuuids_built_with_the_hosts_kernel_headers(build):
    """_uuid links the libuuid recipe built with musl-gcc and the host's kernel headers: uuid1
    takes its time-based UUIDs from libuuid (is_safe is known only where libuuid answers)."""
    result = build.run("-c", "import sys, uuid, _uuid; print('_uuid' in sys.builtin_module_names, "
                             "uuid._generate_time_safe is not None, uuid.uuid1().version)")
    assert result.stdout.split() == ["True", "True", "1"], result.stderr


def test_the_binary_is_musl_not_glibc(build):
    """No glibc symbol version in the binary, and no NSS: getpwuid answers from /etc/passwd
    directly (musl reads it itself instead of loading a libnss_*.so)."""
    strings = subprocess.run(["strings", str(build.binary)], stdout=subprocess.PIPE, text=True).stdout
    assert "GLIBC_2." not in strings
    result = build.run("-c", "import pwd, os; print(pwd.getpwuid(os.getuid()).pw_uid == os.getuid())")
    assert result.stdout.strip() == "True", result.stderr
    maps = build.run("-c", "print(open('/proc/self/maps').read())").stdout
    assert ".so" not in maps


def test_host_interpreter_is_a_dynamic_musl_program_that_runs(build):
    """The CPython step's host interpreter (what build backends run) is linked against musl's
    dynamic loader and works on this machine."""
    host = build.build_dir / "cpython-3.11.2-musl" / "host" / "bin" / "python3.11"
    described = subprocess.run(["file", "-L", str(host)], stdout=subprocess.PIPE, text=True).stdout
    assert "dynamically linked" in described and "ld-musl" in described, described
    result = subprocess.run([str(host), "-c", "import zlib, json; print(json.dumps(zlib.crc32(b'slither')))"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert result.stdout.strip() == "2950753652", result.stderr


def test_script_costs_only_its_own_lookups_on_musl(build, tmp_path):
    """As for glibc, but musl opens files with open(2) where glibc uses openat(2)."""
    script = tmp_path / "app.py"
    script.write_text("import json, decimal\nprint(json.dumps([1]))\n")
    result, calls = trace_file_calls([str(build.binary), str(script)], cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "[1]", result.stderr
    counted = [call for call in calls if counts_against_startup(call)]
    assert {call.path for call in counted} == {str(script)}, [c.line for c in counted]
    assert sorted(call.syscall.replace("openat", "open") for call in counted) == ["open", "readlink"]


def test_a_c_extension_module_builds_in_on_musl_without_rebuilding_cpython(with_markupsafe):
    binary, output = with_markupsafe
    outcomes = step_outcomes(output)
    assert outcomes["cpython"] in ("up to date", "cache"), outcomes
    assert outcomes["markupsafe"] in ("built", "cache"), outcomes
    result = subprocess.run([str(binary), "-c", "import markupsafe._speedups as s, markupsafe; "
                             "print(s.__spec__.origin, markupsafe.escape('<b>'))"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert result.stdout.split() == ["built-in", "&lt;b&gt;"], result.stderr


def test_musl_module_imports_with_zero_file_syscalls_and_no_shared_object(with_markupsafe, tmp_path):
    binary, _ = with_markupsafe
    code = "import markupsafe; markupsafe.escape('x'); print('.so' in open('/proc/self/maps').read())"
    result, calls = trace_file_calls([str(binary), "-c", code], cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "False", result.stderr
    assert [call.line for call in calls if counts_against_startup(call)] == []


@pytest.fixture(scope="module")
def with_mpi4py(build):
    """MODULES=mpi4py on musl: MPICH built by its recipe with musl-gcc (C only), mpi4py on it."""
    completed = build.scons("JOBS=2", "MODULES=mpi4py", "NAME=python-mpi", timeout=5400)
    assert_built(completed)
    return {"binary": build.build_dir / "bin" / "python-mpi",
            "mpiexec": build.build_dir / "libraries" / "mpich-4.0.2-musl" / "prefix" / "bin" / "mpiexec",
            "c_program": build.build_dir / "mpi" / "mpich-musl" / "mpi-init-static"}


@pytest.mark.extended  # a cold MPICH build with musl-gcc: minutes CI spends elsewhere
def test_musl_mpi4py_runs_four_ranks_and_costs_only_what_mpi_init_costs_in_c(with_mpi4py, tmp_path):
    (tmp_path / "app.py").write_text(APP)
    result = subprocess.run([str(with_mpi4py["mpiexec"]), "-n", "4", str(with_mpi4py["binary"]), "app.py"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == [
        f"rank={rank} size=4 sum=6 bcast=42/0 buffer=10 so=0 static=MPICH" for rank in range(4)], result.stdout
    python_result, python_calls = trace_file_calls([str(with_mpi4py["binary"]), "-c", "from mpi4py import MPI"],
                                                   cwd=tmp_path)
    c_result, c_calls = trace_file_calls([str(with_mpi4py["c_program"])], cwd=tmp_path)
    assert python_result.returncode == 0 and c_result.returncode == 0, python_result.stderr + c_result.stderr
    assert not _counted(python_calls) - _counted(c_calls)
