"""MODULES: a real PyPI package with a dotted C extension, built from its pinned sdist through
the capture layer into the static binary (markupsafe: `markupsafe._speedups`)."""

import subprocess

import pytest

from conftest import assert_built, run_scons
from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = pytest.mark.slow


def ran(output: str, step: str) -> bool:
    return any(line.startswith(step) for line in output.splitlines())


class Built:
    def __init__(self, path, first_output):
        self.path = path
        self.first_output = first_output

    def __fspath__(self):
        return str(self.path)

    def __str__(self):
        return str(self.path)


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("modules-build")


@pytest.fixture(scope="module")
def binary(build_dir):
    plain = run_scons([f"BUILD_DIR={build_dir}"])
    assert_built(plain)
    with_module = run_scons([f"BUILD_DIR={build_dir}", "MODULES=markupsafe"])
    assert_built(with_module)
    return Built(build_dir / "bin" / "python-static", with_module.stdout)


def run(binary, code):
    return subprocess.run([str(binary), "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=60)


def test_adding_a_module_builds_the_package_but_not_cpython(binary):
    assert ran(binary.first_output, "package build") or "markupsafe-3.0.2/site.tar' from cache" in binary.first_output
    assert not ran(binary.first_output, "cpython build")
    assert "third-party modules: markupsafe" in binary.first_output


def test_dotted_extension_module_is_built_in_with_its_package_context(binary):
    result = run(binary, "import sys, markupsafe._speedups as s\n"
                         "print(s.__name__, s.__spec__.origin, s.__package__, s.__name__ in sys.builtin_module_names)\n"
                         "import markupsafe; print(markupsafe.escape('<b>'))")
    assert result.stdout.split() == ["markupsafe._speedups", "built-in", "markupsafe", "True", "&lt;b&gt;"], \
        result.stderr


def test_package_python_is_frozen_and_has_a_file(binary):
    result = run(binary, "import markupsafe; print(markupsafe.__spec__.origin, markupsafe.__file__)")
    origin, file = result.stdout.split()
    assert origin == "frozen"
    assert file.endswith("lib/python3.11/markupsafe/__init__.py")


def test_import_makes_zero_file_syscalls_and_maps_no_shared_object(binary, tmp_path):
    code = ("import markupsafe; markupsafe.escape('<')\n"
            "maps = open('/proc/self/maps').read()\n"
            "print(sum('.so' in line for line in maps.splitlines()))")
    result, calls = trace_file_calls([str(binary), "-c", code], cwd=tmp_path)
    assert result.stdout.strip() == "0", result.stderr
    assert [c.line for c in calls if counts_against_startup(c)] == []


def test_build_manifest_inside_the_binary_names_the_module(binary):
    result = run(binary, "import _slither_runtime as r; m = r.build_manifest()['modules']['markupsafe']\n"
                         "print(m['version'], m['sha256'])")
    assert result.stdout.split() == ["3.0.2", "ee55d3edf80167e48ea11a923c7386f4669df67d7994554387f84e7d8b0a2bf0"]


def test_distribution_metadata_and_package_data_come_from_the_binary(binary, tmp_path):
    code = ("import importlib.metadata as m, importlib.resources as r\n"
            "print(m.version('MarkupSafe'), r.files('markupsafe').joinpath('py.typed').is_file())")
    result, calls = trace_file_calls([str(binary), "-c", code], cwd=tmp_path)
    assert result.stdout.split() == ["3.0.2", "True"], result.stderr
    assert [c.line for c in calls if counts_against_startup(c)] == []


def test_dropping_the_module_only_relinks(binary, build_dir):
    dropped = run_scons([f"BUILD_DIR={build_dir}"])
    assert_built(dropped)
    assert not ran(dropped.stdout, "cpython build") and not ran(dropped.stdout, "package build")
    gone = run(binary, "import markupsafe")
    assert "No module named 'markupsafe'" in gone.stderr

