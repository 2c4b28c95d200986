"""A package whose C extension opens a data file by a path built from `__file__`
(tests/fixtures/bytable), built into a binary: the build finds that it reads its data by path, the
first process on a node writes the data to SLITHER_DATA_DIR, racing processes write it once, later
ones make file calls only there, and a directory that cannot be written is one line."""

import os
import shutil
import subprocess

import pytest

from conftest import ROOT
from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = pytest.mark.slow

READ = "import bytable; print(bytable.first_line()); print(bytable.__file__)"


@pytest.fixture(scope="module")
def binary(tmp_path_factory, built_binary):
    project = tmp_path_factory.mktemp("data-by-path") / "bytable"  # a copy: its build writes beside its files
    shutil.copytree(ROOT / "tests" / "fixtures" / "bytable", project)
    built = built_binary({"MODULES": str(project)})
    assert "data read by path: bytable" in built.output, built.output[-3000:]
    return built.binary


def run(binary, code, data_dir, cwd):
    return subprocess.run([str(binary), "-c", code], cwd=cwd, env={**os.environ, "SLITHER_DATA_DIR": str(data_dir)},
                          capture_output=True, text=True, timeout=120)


def test_the_c_extension_reads_the_file_beside_file(binary, tmp_path):
    result = run(binary, READ, tmp_path / "node", tmp_path)
    line, file_name = result.stdout.splitlines()
    assert line == "hydrogen 1.008", result.stderr[-2000:]
    assert file_name.startswith(str(tmp_path / "node" / f"slither-data-{os.getuid()}" / "bytable-"))
    assert file_name.endswith("/bytable/__init__.py")


def test_later_processes_make_file_calls_only_in_the_data_directory(binary, tmp_path):
    data_dir = tmp_path / "node"
    assert run(binary, READ, data_dir, tmp_path).returncode == 0  # the node's first use
    traced, calls = trace_file_calls([str(binary), "-c", READ], cwd=tmp_path,
                                     env={**os.environ, "SLITHER_DATA_DIR": str(data_dir)})
    assert traced.returncode == 0, traced.stderr[-2000:]
    counted = [call for call in calls if counts_against_startup(call)]
    assert counted and all(call.path.startswith(str(data_dir) + "/") for call in counted), \
        [call.line for call in counted]
    # one lstat of the package's directory, then the C library's own open of its table
    assert [call.syscall for call in counted] in (["lstat", "openat"], ["newfstatat", "openat"]), \
        [call.line for call in counted]
    assert not any(call.syscall.startswith(("mkdir", "rename", "unlink")) for call in counted)


def test_processes_racing_the_first_use_all_read_it_and_leave_one_copy(binary, tmp_path):
    data_dir = tmp_path / "node"
    racers = [subprocess.Popen([str(binary), "-c", READ], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "SLITHER_DATA_DIR": str(data_dir)}) for _ in range(8)]
    answers = [racer.communicate(timeout=120) for racer in racers]
    assert [output.splitlines()[0] for output, _ in answers] == ["hydrogen 1.008"] * 8, answers
    base = data_dir / f"slither-data-{os.getuid()}"
    entries = sorted(entry.name for entry in base.iterdir())
    assert len(entries) == 2 and entries[0].startswith(".bytable-") and entries[0].endswith(".lock"), entries


def test_sources_and_walking_work_from_the_data_directory(binary, tmp_path):
    code = ("import bytable, inspect, pkgutil\n"
            "print([m.name for m in pkgutil.iter_modules(bytable.__path__)])\n"
            "print(inspect.getsource(bytable).splitlines()[0])")
    result = run(binary, code, tmp_path / "node", tmp_path)
    assert result.stdout.splitlines() == [
        "['_reader', 'sub']",
        '"""Reads its table the way many packages do: a path beside __file__, opened by C code."""',
    ], result.stderr[-2000:]


def test_a_data_directory_that_cannot_be_written_is_one_line(binary, tmp_path):
    (tmp_path / "a-file").write_text("")
    result = run(binary, "import bytable", tmp_path / "a-file", tmp_path)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert f"slither: cannot use {tmp_path / 'a-file' / f'slither-data-{os.getuid()}'}" in last, result.stderr
    assert "set SLITHER_DATA_DIR" in last


def test_the_first_use_writes_the_package_data_and_nothing_else(binary, tmp_path):
    data_dir = tmp_path / "node"
    assert run(binary, READ, data_dir, tmp_path).returncode == 0
    base = data_dir / f"slither-data-{os.getuid()}"
    (package_dir,) = [entry for entry in base.iterdir() if not entry.name.startswith(".")]
    written = sorted(str(path.relative_to(package_dir)) for path in package_dir.rglob("*") if path.is_file())
    # the package's installed files that are not modules: setuptools installs the C source too
    assert written == ["bytable/_reader.c", "bytable/data/table.txt"], written


def test_importlib_resources_names_the_node_local_files_without_a_temporary_copy(binary, tmp_path):
    """as_file() of a package read by path names its node-local file (what certifi.where()
    does), where a frozen resource would be copied to a new temporary file by every process."""
    code = ("import importlib.resources as resources, bytable\n"
            "with resources.as_file(resources.files('bytable') / 'data' / 'table.txt') as path:\n"
            "    print(path)\n"
            "    print(open(path).readline().strip())\n")
    run(binary, "import bytable", tmp_path / "node", tmp_path)  # the node's first use
    (tmp_path / "scratch").mkdir()  # where a temporary copy would go
    traced, calls = trace_file_calls([str(binary), "-c", code], cwd=tmp_path,
                                     env={**os.environ, "SLITHER_DATA_DIR": str(tmp_path / "node"),
                                          "TMPDIR": str(tmp_path / "scratch")})
    path, line = traced.stdout.splitlines()
    assert path.startswith(str(tmp_path / "node" / f"slither-data-{os.getuid()}" / "bytable-")), traced.stderr[-2000:]
    assert path.endswith("/bytable/data/table.txt") and line == "hydrogen 1.008"
    assert not [call.line for call in calls if "scratch" in call.line or call.syscall == "unlink"]
