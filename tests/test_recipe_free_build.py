"""MODULES=name==version for packages with no recipe, built for real from the package index:
a pure-Python wheel (six), a C++ extension built by setuptools (msgpack's `_cmsgpack`), and
cffi, whose build requirements are locked and whose run-time requirement (pycparser) comes
along. More packages and backends: tests/test_any_package.py (extended)."""

import json
import subprocess

import pytest

from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = pytest.mark.slow

ENTRIES = "six==1.17.0,msgpack==1.1.1,cffi==1.17.1"


@pytest.fixture(scope="module")
def built(built_binary):
    built = built_binary({"MODULES": ENTRIES})
    return built.binary, built.output


def run(binary, code, cwd):
    return subprocess.run([str(binary), "-c", code], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60)


def test_a_pure_wheel_is_frozen_in_with_its_metadata(built, tmp_path):
    binary, _ = built
    result = run(binary, "import six, importlib.metadata as m; print(six.__spec__.origin, m.version('six'))",
                 tmp_path)
    assert result.stdout.split() == ["frozen", "1.17.0"], result.stderr


def test_a_setuptools_cxx_extension_is_captured_as_a_dotted_builtin(built, tmp_path):
    binary, _ = built
    code = ("import sys, msgpack, msgpack._cmsgpack as c\n"
            "print(c.__name__ in sys.builtin_module_names, msgpack.Packer is c.Packer,\n"
            "      msgpack.unpackb(msgpack.packb({'ranks': [1, 2]})))")
    result = run(binary, code, tmp_path)
    assert result.stdout.strip() == "True True {'ranks': [1, 2]}", result.stderr


def test_importing_them_touches_no_file(built, tmp_path):
    binary, _ = built
    result, calls = trace_file_calls([str(binary), "-c", "import six, msgpack"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [c.line for c in calls if counts_against_startup(c)] == []


def test_the_manifest_says_they_came_without_a_recipe(built, tmp_path):
    binary, _ = built
    result = run(binary, "import json, _slither_runtime as r; print(json.dumps(r.build_manifest()['modules']))",
                 tmp_path)
    modules = json.loads(result.stdout)
    assert {name: (info["version"], info["recipe"]) for name, info in modules.items()} == {
        "six": ("1.17.0", False), "msgpack": ("1.1.1", False), "cffi": ("1.17.1", False),
        "pycparser": (modules["pycparser"]["version"], False)}
    assert modules["six"]["source"].endswith("-none-any.whl")


def test_a_run_time_requirement_comes_along_and_cffi_works(built, tmp_path):
    binary, output = built
    assert "cffi 1.17.1 needs pycparser" in output
    code = ("import sys, cffi, pycparser, _cffi_backend\n"
            "ffi = cffi.FFI(); ffi.cdef('double sqrt(double);')\n"
            "print(ffi.dlopen(None).sqrt(4.0), '_cffi_backend' in sys.builtin_module_names)")
    result = run(binary, code, tmp_path)
    assert result.stdout.strip() == "2.0 True", result.stderr
