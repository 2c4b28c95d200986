"""The checks every static interpreter passes whatever its TARGET, and Build, the handle on one
build that they take.

tests/test_static_interpreter.py (gnu) and tests/test_musl.py (TARGET=musl) both hold these test
functions: pytest collects a test function in each test module that holds it and gives it that
module's own `build` and `runtime` fixtures, so the same checks run on the binaries of each. They
live here, in neither, so that no test module imports another. A check takes `build` (a plain
static core) or `runtime` (where a module has one, also a binary with packages frozen in).
"""

import os
import shutil
import stat
import subprocess
from pathlib import Path

from conftest import run_scons
from slither.inspect.audit import counts_against_startup, trace_file_calls


class Build:
    """One BUILD_DIR of the static interpreter: the scons command line that makes it, and its binary."""

    def __init__(self, series: str, build_dir: Path, modules: tuple[str, ...] = ()):
        self.series = series
        self.version = tuple(int(part) for part in series.split("."))
        self.modules = modules
        self.build_dir = build_dir
        self.binary = build_dir / "bin" / "python-static"
        self.arguments = [f"PYTHON={series}", f"BUILD_DIR={build_dir}"]
        if modules:
            self.arguments += [f"MODULES={','.join(modules)}", "JOBS=2"]

    def scons(self, *extra, **kwargs):
        return run_scons([*self.arguments, *extra], **kwargs)

    def run(self, *arguments, cwd=None, env=None):
        return subprocess.run([str(self.binary), *arguments], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


# Each library the recipes build, at work (not only importable); the readline module is libedit's.
LIBRARIES_AT_WORK = """
import bz2, ctypes, hashlib, lzma, readline, sqlite3, ssl, uuid, zlib
assert hashlib.sha256(b"x").hexdigest().startswith("2d711642") and hashlib.new("sha3_256", b"x")
assert "OpenSSL" in ssl.OPENSSL_VERSION and ssl.create_default_context().verify_mode == ssl.CERT_REQUIRED
assert ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda n: n * 2)(21) == 42
assert sqlite3.connect(":memory:").execute("select sqlite_version()").fetchone()[0]
assert lzma.decompress(lzma.compress(b"ok")) == b"ok" == bz2.decompress(bz2.compress(b"ok"))
assert zlib.decompress(zlib.compress(b"ok")) == b"ok"
assert uuid.uuid1().version == 1 and uuid.uuid4().version == 4
readline.add_history("slither"); assert readline.get_history_item(1) == "slither"
assert "libedit" in readline.__doc__
import curses, _curses_panel
print("ok")
"""


def test_binary_is_fully_static(build):
    description = subprocess.run(["file", "-L", str(build.binary)], stdout=subprocess.PIPE, text=True).stdout
    assert "statically linked" in description
    ldd = subprocess.run(["ldd", str(build.binary)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert "not a dynamic executable" in ldd.stdout


def test_build_prints_a_summary(build):
    assert f"summary: {build.binary}" in build.first_output
    assert "frozen modules:" in build.first_output and "not built in:" in build.first_output


def test_plain_start_makes_zero_file_syscalls(build, tmp_path):
    result, calls = trace_file_calls([str(build.binary), "-c", "pass"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [call.line for call in calls if counts_against_startup(call)] == []


def test_script_dir_on_sys_path_is_absolute_and_normalized(build, tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "where.py").write_text("import sys; print(sys.path[0])\n")
    (tmp_path / "other").mkdir()
    result = build.run("../app/where.py", cwd=tmp_path / "other")
    assert result.stdout.strip() == str(tmp_path / "app"), result.stderr


def test_user_modules_import_from_script_dir_and_pythonpath(build, tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "app" / "helper.py").write_text("VALUE = 'beside the script'\n")
    (tmp_path / "lib" / "extra.py").write_text("VALUE = 'on PYTHONPATH'\n")
    (tmp_path / "app" / "main.py").write_text("import helper, extra\nprint(helper.VALUE, '|', extra.VALUE)\n")
    result = build.run(str(tmp_path / "app" / "main.py"),
                       env=dict(os.environ, PYTHONPATH=str(tmp_path / "lib")))
    assert result.stdout.strip() == "beside the script | on PYTHONPATH", result.stderr


def test_frozen_modules_cannot_be_shadowed(runtime, tmp_path):
    """Neither a module nor a package of the same name in the current directory, beside the
    script or on PYTHONPATH replaces a frozen one: stdlib modules, and the frozen packages."""
    (tmp_path / "lib").mkdir()
    shadow = "raise SystemExit('shadowed!')\n"
    (tmp_path / "json.py").write_text(shadow)
    (tmp_path / "lib" / "decimal.py").write_text(shadow)
    for package in runtime.modules:  # as a package in the current directory, a module on PYTHONPATH
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(shadow)
        (tmp_path / "lib" / f"{package}.py").write_text(shadow)
    names = ["json", "decimal", *runtime.modules]
    code = f"import {', '.join(names)}\nprint(*[m.__spec__.origin for m in ({', '.join(names)})], decimal.Decimal(1))"
    (tmp_path / "app.py").write_text(code + "\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "lib"))
    expected = " ".join(["frozen"] * len(names) + ["1"])
    from_cwd = runtime.run("-c", code, cwd=tmp_path, env=env)
    assert from_cwd.returncode == 0, from_cwd.stderr
    assert from_cwd.stdout.strip() == expected
    beside_script = runtime.run(str(tmp_path / "app.py"), cwd=tmp_path / "lib", env=env)
    assert beside_script.returncode == 0, beside_script.stderr
    assert beside_script.stdout.strip() == expected


def test_missing_stdlib_name_fails_fast_without_looking_on_disk(build, tmp_path):
    result, calls = trace_file_calls(
        [str(build.binary), "-c", "import importlib.util as u\n"
         "print(u.find_spec('_winapi'))\ntry:\n import json.nothing_here\nexcept ImportError as e: print(e.name)"],
        cwd=tmp_path)
    assert result.stdout.split() == ["None", "json.nothing_here"], result.stderr
    assert [c.line for c in calls if counts_against_startup(c)] == []


def test_traceback_names_the_original_file_and_line(build):
    result = build.run("-c", "import json; json.loads('{')")
    assert result.returncode == 1
    assert 'File "<frozen json/decoder.py>", line' in result.stderr
    assert "JSONDecodeError" in result.stderr


def test_isolated_and_no_site_flags(runtime, tmp_path):
    imports = "".join(f"import {name}; " for name in runtime.modules)
    isolated = runtime.run("-I", "-c", imports + "import sys; print(sys.flags.isolated, sys.path)",
                           env=dict(os.environ, PYTHONPATH=str(tmp_path)))
    assert isolated.stdout.strip() == "1 []", isolated.stderr
    with_site = runtime.run("-c", imports + "print(callable(exit), type(help).__name__)")
    assert with_site.stdout.strip() == "True _Helper", with_site.stderr
    no_site = runtime.run("-S", "-c", imports + "print('exit' in dir(__builtins__))")
    assert no_site.stdout.strip() == "False", no_site.stderr


# What each frozen-in package must still do from a copy: numpy computes (OpenBLAS), mpi4py
# initialises MPI as a singleton (MPICH's own start-up, no mpiexec).
PACKAGE_CHECKS = {
    "numpy": "import numpy; assert round(float(numpy.linalg.det(numpy.eye(3) * 2)), 9) == 8.0",
    "mpi4py": "from mpi4py import MPI; assert MPI.COMM_WORLD.Get_size() == 1",
}


def test_runs_copied_elsewhere_read_only_and_without_home(runtime, tmp_path):
    elsewhere = tmp_path / "ro" / "renamed-python"
    elsewhere.parent.mkdir()
    shutil.copy2(runtime.binary, elsewhere)
    elsewhere.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    code = "\n".join(["import sys, json", *(PACKAGE_CHECKS[name] for name in runtime.modules),
                      "print(sys.executable)"])
    try:
        env = {key: value for key, value in os.environ.items() if key != "HOME"}
        result = subprocess.run([str(elsewhere), "-c", code],
                                env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                timeout=120)
    finally:
        elsewhere.parent.chmod(stat.S_IRWXU)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(elsewhere)
