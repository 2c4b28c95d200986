"""Build requirements are resolved, not assumed: declared ones, the backend's own answer
(PEP 517 get_requires_for_build_wheel), resolved by pip for the host's series and platform
and locked by sha256; requirements Slither builds itself are left to the build.

Offline: the index is a file: index of wheels made here (tests/fixture_wheels.py)."""

import json

import pytest

from fixture_wheels import make_sdist, make_wheel, simple_index
from slither.errors import SlitherError
from slither.packages import build_requirements
from slither.packages.build_requirements import HostPlatform, lock_build_requirements, read_build_system
from slither.sources.package_index import IndexLocations

# An in-tree backend (backend-path), as packages ship to wrap setuptools; this one wraps
# nothing, so the test needs no setuptools wheel in its offline index.
IN_TREE_BACKEND = '''
import fixture_tool  # a declared requirement: importable when the backend is asked

def get_requires_for_build_wheel(config_settings=None):
    return ["fixture-extra>=1"]
'''


HOST = HostPlatform("3.11", "manylinux")


@pytest.fixture
def fixture_index(tmp_path):
    wheels = tmp_path / "wheels"
    built = [make_wheel(wheels, "fixture-tool", "1.0", requires=["fixture-dep>=2"]),
             make_wheel(wheels, "fixture-tool", "2.0", requires=["fixture-dep>=2"]),
             make_wheel(wheels, "fixture-dep", "2.1"),
             make_wheel(wheels, "fixture-extra", "1.5"),
             make_wheel(wheels, "numpy", "9.9")]
    return IndexLocations(indexes=(simple_index(tmp_path / "simple", built),), find_links=())


def in_tree_sdist(tmp_path, requires):
    return make_sdist(tmp_path / "sdists", "intree", "0.1", {
        "pyproject.toml": f'[build-system]\nrequires = {requires}\nbuild-backend = "backend"\n'
                          'backend-path = ["_build"]\n',
        "_build/backend.py": IN_TREE_BACKEND,
        "intree/__init__.py": ""})


def test_declared_and_dynamic_requirements_are_resolved_and_locked(tmp_path, fixture_index):
    sdist = in_tree_sdist(tmp_path, requires='["fixture-tool<2", "numpy>=2"]')
    locations = IndexLocations(fixture_index.indexes, ())
    locked = lock_build_requirements("intree", "0.1", sdist, host=HOST, store=tmp_path / "store",
                                     index=locations, built_by_slither=["numpy"])
    assert locked.requires == ("fixture-tool<2", "numpy>=2")
    assert locked.dynamic == ("fixture-extra>=1",)
    assert locked.from_build == ("numpy",)  # built by Slither, not taken from the index
    assert sorted(w.filename for w in locked.wheels) == [
        "fixture_dep-2.1-py3-none-any.whl", "fixture_extra-1.5-py3-none-any.whl", "fixture_tool-1.0-py3-none-any.whl"]
    lock = build_requirements.lock_file(tmp_path / "store", "intree", "0.1", HOST)
    recorded = json.loads(lock.read_text())
    assert {w["filename"]: w["sha256"] for w in recorded["wheels"]} == {w.filename: w.sha256 for w in locked.wheels}


def test_a_lock_is_used_as_it_is_without_asking_the_index(tmp_path, fixture_index):
    lock = build_requirements.lock_file(tmp_path / "store", "intree", "0.1", HOST)
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"format": 1, "requires": ["x"], "dynamic": [], "from_build": [],
                                "wheels": [{"name": "x", "version": "1", "filename": "x-1-py3-none-any.whl",
                                            "sha256": "a" * 64}]}))
    nowhere = IndexLocations(indexes=("file:///nonexistent/simple",), find_links=())
    locked = lock_build_requirements("intree", "0.1", tmp_path / "missing.tar.gz", host=HOST,
                                     store=tmp_path / "store", index=nowhere)
    assert [w.sha256 for w in locked.wheels] == ["a" * 64]


def test_locks_are_per_series_and_platform():
    assert HostPlatform("3.11", "manylinux").lock_name != HostPlatform("3.13", "manylinux").lock_name
    assert HostPlatform("3.11", "manylinux").lock_name != HostPlatform("3.11", "musllinux").lock_name


def test_a_requirement_pip_cannot_resolve_is_one_line(tmp_path, fixture_index):
    with pytest.raises(SlitherError, match=r"pip cannot resolve its build requirements \(fixture-tool>=5\)"):
        build_requirements.resolve_wheels(["fixture-tool>=5"], HOST, fixture_index, "intree 0.1")


def test_the_host_platform_not_this_machines_decides_the_wheels():
    options = HostPlatform("3.13", "musllinux").pip_target_options()
    assert options[options.index("--python-version") + 1] == "3.13"
    assert any(tag.startswith("musllinux_1_2_") for tag in options)
    assert not any(tag.startswith("manylinux") for tag in options)


def test_a_setup_py_only_sdist_builds_with_legacy_setuptools(tmp_path):
    sdist = make_sdist(tmp_path, "old", "1.0", {"setup.py": "from setuptools import setup\nsetup()\n"})
    system = read_build_system(sdist, "old 1.0")
    assert system.backend == "setuptools.build_meta:__legacy__" and system.requires == ("setuptools>=40.8.0",)


def test_an_archive_that_is_no_python_project_is_refused(tmp_path):
    sdist = make_sdist(tmp_path, "notapy", "1.0", {"README": "hello\n"})
    with pytest.raises(SlitherError, match="neither \\[build-system\\] in pyproject.toml nor a setup.py"):
        read_build_system(sdist, "notapy 1.0")


def test_machine_build_programs_are_hidden_while_the_backend_is_asked(tmp_path):
    path = build_requirements._path_without_build_programs(tmp_path / "bin")
    assert (tmp_path / "bin" / "sh").exists()
    assert not (tmp_path / "bin" / "cmake").exists()  # scikit-build-core then asks for its wheel
    assert path == str(tmp_path / "bin")
