"""The real thing: `scons` builds CPython 3.11 and 3.13 from their tarballs into static binaries.

Each series is built once per session into a temporary BUILD_DIR with the user's CACHE_DIR
(so a warm machine takes seconds and a fresh one the full build). Every test checks one
promise of the static core.
"""

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import interpreter_checks
from conftest import assert_built, ROOT, step_outcomes, without_stdlib_libraries
from interpreter_checks import LIBRARIES_AT_WORK, Build
from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = pytest.mark.slow

STDLIB_IMPORTS = ("json, decimal, sqlite3, ssl, zlib, bz2, lzma, hashlib, ctypes, email.mime.text, "
                  "asyncio, xml.etree.ElementTree, unicodedata, zoneinfo")


# The binary with third-party packages frozen in (the runtime promises hold for it too). Its
# pieces are the ones tests/test_numpy.py (MODULES=numpy) and tests/test_mpi.py
# (MODULES=mpi4py) build anyway: from a warm cache only main.c, the freeze and the link are new.
MODULES_BUILD = "3.11+numpy,mpi4py"


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Each configuration built once per module, whichever fixture asks for it first."""
    made = {}

    def get(configuration: str) -> Build:
        if configuration not in made:
            series, _, modules = configuration.partition("+")
            result = Build(series, tmp_path_factory.mktemp(f"build-{series}-{modules.replace(',', '-') or 'core'}"),
                           tuple(filter(None, modules.split(","))))
            completed = result.scons(timeout=5400)
            assert_built(completed)
            result.first_output = completed.stdout
            made[configuration] = result
        return made[configuration]
    return get


@pytest.fixture(scope="module", params=["3.11", "3.13"])
def build(request, builds):
    """The plain static core: every test of the build system and the runtime."""
    return builds(request.param)


@pytest.fixture(scope="module", params=["3.11", "3.13", MODULES_BUILD])
def runtime(request, builds):
    """The runtime promises (no shadowing, -I/-S, copied, read-only, no HOME), also checked on
    the binary with numpy and mpi4py in it."""
    return builds(request.param)


def ran(output: str, step: str) -> bool:
    """Whether scons printed the step line (e.g. "compile ", "cpython build") for some target."""
    return any(line.startswith(step) for line in output.splitlines())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# The checks every static interpreter passes, shared with the musl build: tests/interpreter_checks.py.
# Each is bound where it stands among this module's tests, since pytest runs a module's tests in
# the order their names were bound.
test_binary_is_fully_static = interpreter_checks.test_binary_is_fully_static
test_build_prints_a_summary = interpreter_checks.test_build_prints_a_summary


def test_every_stdlib_library_from_its_recipe_works(build):
    result = build.run("-c", LIBRARIES_AT_WORK)
    assert result.stdout.strip() == "ok", result.stderr


def test_stdlib_imports_with_zero_file_syscalls(build, tmp_path):
    result, calls = trace_file_calls([str(build.binary), "-c", f"import {STDLIB_IMPORTS}; print('ok')"],
                                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    counted = [call.line for call in calls if counts_against_startup(call)]
    assert counted == []


# scipy's import reads sysconfig.get_config_var('HOST_GNU_TYPE') (scipy._lib._testutils).
SYSCONFIG_QUESTIONS = "import sysconfig; sysconfig.get_config_var('HOST_GNU_TYPE'); sysconfig.get_config_var('srcdir')"
SYSCONFIG_ANSWERS = (SYSCONFIG_QUESTIONS + "\nimport os, sys\n"
                     "print(sysconfig.get_config_var('HOST_GNU_TYPE'), sysconfig.is_python_build(),\n"
                     "      sysconfig._PROJECT_BASE == os.path.dirname(os.path.realpath(sys.executable)),\n"
                     "      sysconfig.get_config_var('srcdir') == os.path.realpath(os.path.dirname(\n"
                     "          sysconfig.get_makefile_filename())))")


def test_sysconfig_answers_without_asking_the_file_system(build, tmp_path):
    """Stock sysconfig lstat's every component of the executable's path, stats Modules/Setup
    beside it and resolves its config directory: the binary answers those itself, the answers
    the real functions give (checked after the import, untraced)."""
    result, calls = trace_file_calls([str(build.binary), "-c", SYSCONFIG_QUESTIONS], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [call.line for call in calls if counts_against_startup(call)] == []
    answers = build.run("-c", SYSCONFIG_ANSWERS, cwd=tmp_path)
    host_type, *checks = answers.stdout.split()
    assert host_type.startswith("x86_64-") and checks == ["False", "True", "True"], answers.stdout + answers.stderr


# Shared with the musl build: tests/interpreter_checks.py.
test_plain_start_makes_zero_file_syscalls = interpreter_checks.test_plain_start_makes_zero_file_syscalls


def test_script_costs_only_its_own_lookups(build, tmp_path):
    script = tmp_path / "app.py"
    script.write_text("import json, decimal\nprint(json.dumps([1]))\n")
    result, calls = trace_file_calls([str(build.binary), str(script)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[1]"
    counted = [call for call in calls if counts_against_startup(call)]
    # The script's own path only: a readlink (is it a symlink to follow?) and its open.
    # Nothing on sys.path, nothing of the stdlib, no directory above it (see the patch
    # sys-path0-absolute-not-realpath).
    assert {call.path for call in counted} == {str(script)}, [c.line for c in counted]
    assert sorted(call.syscall for call in counted) == ["openat", "readlink"], [c.line for c in counted]


OPTIONAL_IMPORTS = """\
import importlib
for index in range({count}):
    try:
        importlib.import_module(f"optional_accelerator_{{index}}")
    except ImportError:
        pass
print("done")
"""


def test_failed_optional_imports_list_the_scripts_directory_once_whatever_their_number(build, tmp_path):
    """scipy's import tries six optional packages (uarray, scikits.umfpack, ...) on sys.path: stock
    stats sys.path[0] at every one; the binary lists it once and declines what it does not hold."""
    counts = {}
    for count in (1, 20):
        script = tmp_path / f"optional_{count}.py"
        script.write_text(OPTIONAL_IMPORTS.format(count=count))
        result, calls = trace_file_calls([str(build.binary), str(script)], cwd=tmp_path)
        assert result.returncode == 0 and result.stdout.strip() == "done", result.stderr
        counted = [call for call in calls if counts_against_startup(call) and call.path == str(tmp_path)]
        counts[count] = sorted(call.syscall for call in counted)
    # the path hook's is-a-directory stat, the first lookup's stat, the listing (open, fstat)
    assert counts[1] == counts[20] and len(counts[20]) <= 4, counts


def test_a_module_written_after_start_is_found_after_invalidate_caches(build, tmp_path):
    code = ("import importlib, pathlib\n"
            "try:\n    import made_later\nexcept ImportError:\n    print('absent')\n"
            "pathlib.Path('made_later.py').write_text('VALUE = 7\\n')\n"
            "importlib.invalidate_caches()\n"
            "import made_later\nprint(made_later.VALUE)\n")
    result = build.run("-c", code, cwd=tmp_path)
    assert result.stdout.split() == ["absent", "7"], result.stderr


# Shared with the musl build: tests/interpreter_checks.py.
test_script_dir_on_sys_path_is_absolute_and_normalized = interpreter_checks.test_script_dir_on_sys_path_is_absolute_and_normalized


@pytest.mark.parametrize("arguments", [[], ["-"]])
def test_a_program_from_stdin_has_the_current_directory_first_on_sys_path(build, tmp_path, arguments):
    """As stock: sys.path[0] is '' (the current directory), not a path derived from it."""
    result = subprocess.run([str(build.binary), *arguments], input="import sys; print(repr(sys.path[0]))\n",
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    assert result.stdout.strip() == "''", result.stderr


# Shared with the musl build: tests/interpreter_checks.py.
test_user_modules_import_from_script_dir_and_pythonpath = interpreter_checks.test_user_modules_import_from_script_dir_and_pythonpath
test_frozen_modules_cannot_be_shadowed = interpreter_checks.test_frozen_modules_cannot_be_shadowed
test_missing_stdlib_name_fails_fast_without_looking_on_disk = interpreter_checks.test_missing_stdlib_name_fails_fast_without_looking_on_disk
test_traceback_names_the_original_file_and_line = interpreter_checks.test_traceback_names_the_original_file_and_line
test_isolated_and_no_site_flags = interpreter_checks.test_isolated_and_no_site_flags


def test_dash_m_of_a_frozen_module_names_its_file_as_stock_does(build):
    """runpy puts the spec's origin in sys.argv[0]; for a frozen module that was "frozen", and
    argparse then printed `usage: frozen`. Stock CPython names the module's file."""
    result = build.run("-m", "calendar", "--help")
    assert result.returncode == 0 and result.stdout.startswith("usage: calendar.py "), result.stdout
    argv0 = build.run("-m", "json.tool", "--help")
    assert argv0.stdout.startswith("usage: python -m json.tool"), argv0.stdout


def test_user_and_group_lookups_that_files_cannot_answer_do_not_crash(build, tmp_path):
    """Debian's nsswitch.conf sends passwd/group lookups on to nss_systemd, which crashes any
    static process; the binary drops it (and reads nsswitch.conf only when pwd/grp is used)."""
    # spwd left the stdlib in 3.13 (PEP 594); where it exists, its getspall goes through NSS too.
    shadow = ("import spwd\nspwd.getspall()\n" if build.version < (3, 13) else "")
    code = ("import grp, pwd\n" + shadow +
            "try:\n    pwd.getpwnam('no-such-user-slither')\nexcept KeyError:\n    print('missing user: KeyError')\n"
            "print(len(pwd.getpwall()) > 0, len(grp.getgrall()) > 0, pwd.getpwuid(os.getuid()).pw_uid == os.getuid())")
    result = build.run("-c", "import os\n" + code)
    assert result.returncode == 0, (result.returncode, result.stderr)
    assert result.stdout.split("\n")[:2] == ["missing user: KeyError", "True True True"]
    _, calls = trace_file_calls([str(build.binary), "-c", "pass"], cwd=tmp_path)
    assert not any("nsswitch" in call.path for call in calls)
    # Importing them costs nothing either (psutil, getpass, ... import pwd and never look anybody
    # up): NSS starts at the first lookup, also through a name imported before it.
    _, calls = trace_file_calls([str(build.binary), "-c", "import grp, pwd"], cwd=tmp_path)
    assert [call.path for call in calls if "nsswitch" in call.path or call.path == "/"] == []
    early = build.run("-c", "from pwd import getpwnam\nimport pwd\n"
                      "try:\n    getpwnam('no-such-user-slither')\nexcept KeyError:\n    print('KeyError')\n"
                      "print(type(pwd.getpwnam).__name__)")
    assert early.stdout.split() == ["KeyError", "builtin_function_or_method"], (early.stdout, early.stderr)


THREAD_LOCAL_AT_EXIT = """\
import threading
outer = threading.local()
outer.inner = threading.local()  # its only reference: outer's dict for the main thread
ready = threading.Event()
def hold(kept):  # a daemon thread keeps outer alive past the modules' cleanup
    ready.set()
    threading.Event().wait()
threading.Thread(target=hold, args=(outer,), daemon=True).start()
ready.wait()
del outer
print("done")
"""


def test_exits_when_a_thread_local_dies_as_the_main_thread_state_is_cleared(build, tmp_path):
    """CPython 3.11.2 cleared the thread states at exit holding the runtime's HEAD_LOCK; a
    _thread._local dying then takes that lock again and the process hangs after its output
    (numpy's suite did, under pytest). The 3.11 patch releases it, 3.13 has the upstream fix."""
    (tmp_path / "program.py").write_text(THREAD_LOCAL_AT_EXIT)
    try:
        result = build.run("program.py", cwd=tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail("python-static did not exit: a thread-local's finalizer deadlocked at exit")
    assert (result.returncode, result.stdout) == (0, "done\n"), result.stderr


# Shared with the musl build: tests/interpreter_checks.py.
test_runs_copied_elsewhere_read_only_and_without_home = interpreter_checks.test_runs_copied_elsewhere_read_only_and_without_home


def test_the_modules_build_takes_everything_but_freeze_and_link_from_the_cache(builds):
    """The CI cost of checking the runtime on the modules binary: CPython, MPICH, numpy and
    mpi4py come from the cache the other slow tests fill (or filled by this build, on a cold
    cache); a second build into a fresh BUILD_DIR then builds nothing at all."""
    first = builds(MODULES_BUILD)
    outcomes = step_outcomes(first.first_output)
    assert set(without_stdlib_libraries(outcomes)) == {"cpython", "mpich", "mpi4py", "numpy", "openblas", "lapack",
                                                       "freeze", "link"}, outcomes
    again = Build(first.series, first.build_dir.with_name(first.build_dir.name + "-again"), first.modules)
    rebuilt = again.scons()
    assert_built(rebuilt)
    assert set(step_outcomes(rebuilt.stdout).values()) == {"cache"}, rebuilt.stdout
    for step in ("compile ", "assemble ", "link ", "freeze modules", "cpython build", "package build"):
        assert not ran(rebuilt.stdout, step), f"{step!r} ran:\n{rebuilt.stdout}"
    assert sha256(again.binary) == sha256(first.binary)
    shutil.rmtree(again.build_dir)


def test_second_scons_does_nothing_and_says_so_quickly(build):
    started = time.monotonic()
    again = build.scons()
    elapsed = time.monotonic() - started
    assert_built(again)
    assert "is up to date" in again.stdout
    assert not ran(again.stdout, "compile ") and not ran(again.stdout, "cpython build")
    assert elapsed < 20, f"a no-op build took {elapsed:.1f}s"
    assert_built(build.scons("-q"))  # -q: exit 0 only when everything is up to date


def test_changing_the_stdlib_selection_rebuilds_only_freeze_and_link(build):
    smaller = build.scons("EXCLUDE=test,idlelib,tkinter,turtledemo,ensurepip,lib2to3,turtle,xmlrpc")
    try:
        assert_built(smaller)
        # Re-frozen and relinked (or both taken from the cache, when an earlier run made them).
        outcomes = step_outcomes(smaller.stdout)
        assert outcomes["freeze"] in ("built", "cache") and outcomes["link"] in ("built", "cache")
        assert outcomes["cpython"] == "up to date" and "main.o" not in smaller.stdout
        gone = build.run("-c", "import xmlrpc")
        assert "No module named 'xmlrpc'" in gone.stderr
    finally:
        restored = build.scons()  # back to the default selection, from the cache
    assert_built(restored)
    assert "Retrieved" in restored.stdout, restored.stdout[-3000:]
    assert build.run("-c", "import xmlrpc.client").returncode == 0


def test_patches_and_toolchain_are_inputs_of_the_cpython_step(build):
    install_tar = build.build_dir / f"cpython-{'3.11.2' if build.series == '3.11' else '3.13.5'}-gnu" / "install.tar"
    tree = build.scons("-n", "--tree=prune", str(install_tar))
    assert_built(tree)
    for patch in (ROOT / "patches" / f"cpython-{build.series}").glob("*.patch"):
        assert patch.name in tree.stdout
    assert "toolchains/gnu.json" in tree.stdout and "slither/cpython/build.py" in tree.stdout


def test_clean_build_dir_with_warm_cache_compiles_nothing_and_is_bit_identical(build):
    before = sha256(build.binary)
    shutil.rmtree(build.build_dir)
    rebuilt = build.scons()
    assert_built(rebuilt)
    assert "Retrieved" in rebuilt.stdout
    for step in ("compile ", "assemble ", "link ", "freeze modules", "cpython build"):
        assert not ran(rebuilt.stdout, step), f"{step!r} ran:\n{rebuilt.stdout}"
    assert sha256(build.binary) == before
    outcomes = step_outcomes(rebuilt.stdout)  # CPython, every library it links, freeze and link
    assert {"cpython", "openssl", "freeze", "link"} <= set(outcomes), outcomes
    assert set(outcomes.values()) == {"cache"}, outcomes


def test_freeze_off_keeps_the_stdlib_as_files(build, tmp_path):
    built = build.scons("FREEZE=0", "NAME=python-files")
    assert_built(built)
    assert not ran(built.stdout, "cpython build")  # the same CPython serves both
    binary = build.build_dir / "bin" / "python-files"
    result = subprocess.run([str(binary), "-c", "import json; print(json.__file__)"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == build.build_dir / "lib" / f"python{build.series}" / "json" / "__init__.py"


def test_install_puts_the_binary_under_prefix(build, tmp_path):
    installed = build.scons("install", f"PREFIX={tmp_path / 'prefix'}")
    assert_built(installed)
    binary = tmp_path / "prefix" / "bin" / "python-static"
    assert subprocess.run([str(binary), "-c", "import sqlite3"]).returncode == 0
    manifest = json.loads((tmp_path / "prefix" / "share" / "slither" / "python-static.json").read_text())
    assert manifest["build"]["cpython"].startswith(build.series)


def test_inspect_reads_the_manifest_embedded_in_the_binary(build):
    result = subprocess.run([sys.executable, "-m", "slither", "inspect", "--json", str(build.binary)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 0, result.stderr
    manifest = json.loads(result.stdout)
    assert manifest["build"]["cpython"].startswith(build.series)
    assert "_sqlite3" in manifest["builtin_modules"]
    assert any(m["name"] == "json.decoder" and m["size"] > 0 for m in manifest["frozen_modules"])
