"""Run-time requirements: Requires-Dist read from the package, markers evaluated for the TARGET
interpreter, each satisfied by MODULES, a recipe or the index's newest fitting release."""

import pytest

from fixture_wheels import make_sdist, make_wheel, simple_index
from slither.errors import SlitherError
from slither.plan import runtime_requirements
from slither.sources.package_index import IndexLocations


def pkg_info(name, version, requires, extra_headers=""):
    return (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{extra_headers}"
            + "".join(f"Requires-Dist: {r}\n" for r in requires))


@pytest.fixture
def world(tmp_path):
    wheels = tmp_path / "wheels"
    files = [make_wheel(wheels, "pycparser", "2.21"), make_wheel(wheels, "pycparser", "2.22"),
             make_wheel(wheels, "tomli", "2.0.1"), make_wheel(wheels, "colorama", "0.4.6"),
             make_wheel(wheels, "leaf", "1.0", requires=["pycparser<2.22"])]
    index = IndexLocations(indexes=(simple_index(tmp_path / "simple", files),), find_links=())
    by_name = {path.name.split("-")[0].replace("_", "-"): path for path in files}

    def fetch(name, version):
        return next(path for path in files if path.name.startswith(f"{name.replace('-', '_')}-{version}-"))
    return tmp_path, index, fetch, by_name


def resolve(tmp_path, index, fetch, entries, recipes=None, series="3.11"):
    return runtime_requirements.resolve(entries, recipe_versions=recipes or {}, series=series,
                                        full_version=f"{series}.0", store=tmp_path / "store", index=index,
                                        fetch=fetch)


def test_a_requirement_is_brought_with_who_needs_it(world):
    tmp_path, index, fetch, _ = world
    sdist = make_sdist(tmp_path / "s", "cffi", "1.17.1", {"PKG-INFO": pkg_info("cffi", "1.17.1", ["pycparser"])})
    (brought,) = resolve(tmp_path, index, fetch, [("cffi", "1.17.1", (), sdist)])
    assert (brought.name, brought.version, brought.needed_by) == ("pycparser", "2.22", ("cffi 1.17.1",))


def test_markers_are_evaluated_for_the_target_interpreter_not_this_machine(world):
    tmp_path, index, fetch, _ = world
    sdist = make_sdist(tmp_path / "s", "app", "1.0", {"PKG-INFO": pkg_info("app", "1.0", [
        'tomli; python_version < "3.12"', 'colorama; sys_platform == "win32"'])})
    assert [b.name for b in resolve(tmp_path, index, fetch, [("app", "1.0", (), sdist)], series="3.11")] == ["tomli"]
    assert resolve(tmp_path / "other", index, fetch, [("app", "1.0", (), sdist)], series="3.13") == []


def test_extras_are_taken_when_asked(world):
    tmp_path, index, fetch, _ = world
    sdist = make_sdist(tmp_path / "s", "app", "1.0", {"PKG-INFO": pkg_info("app", "1.0", [
        'colorama; extra == "color"'])})
    assert resolve(tmp_path, index, fetch, [("app", "1.0", (), sdist)]) == []
    assert [b.name for b in resolve(tmp_path / "x", index, fetch, [("app", "1.0", ("color",), sdist)])] == ["colorama"]


def test_specifiers_from_two_packages_are_combined(world):
    tmp_path, index, fetch, _ = world
    sdist = make_sdist(tmp_path / "s", "app", "1.0", {"PKG-INFO": pkg_info("app", "1.0", ["leaf", "pycparser"])})
    brought = {b.name: b.version for b in resolve(tmp_path, index, fetch, [("app", "1.0", (), sdist)])}
    # app alone would take 2.22; leaf needs <2.22: the resolver learns that and takes 2.21
    assert brought == {"leaf": "1.0", "pycparser": "2.21"}


def test_an_explicit_entry_that_does_not_fit_is_one_line(world):
    tmp_path, index, fetch, by_name = world
    sdist = make_sdist(tmp_path / "s", "app", "1.0", {"PKG-INFO": pkg_info("app", "1.0", ["pycparser>=2.22"])})
    with pytest.raises(SlitherError, match=r"pycparser 2.21 does not satisfy what the build needs \(app 1.0 needs pycparser>=2.22\)"):
        resolve(tmp_path, index, fetch, [("app", "1.0", (), sdist), ("pycparser", "2.21", (), fetch("pycparser", "2.21"))])


def test_a_recipe_satisfies_a_requirement_with_its_own_version(world):
    tmp_path, index, fetch, _ = world
    sdist = make_sdist(tmp_path / "s", "h5py", "3.13.0", {"PKG-INFO": pkg_info("h5py", "3.13.0", ["numpy>=1.19.3"])})
    (brought,) = resolve(tmp_path, index, fetch, [("h5py", "3.13.0", (), sdist)], recipes={"numpy": "2.2.6"})
    assert (brought.name, brought.version) == ("numpy", "2.2.6")
    with pytest.raises(SlitherError, match="needs numpy>=3, but its recipe builds 2.2.6"):
        sdist3 = make_sdist(tmp_path / "t", "new", "1.0", {"PKG-INFO": pkg_info("new", "1.0", ["numpy>=3"])})
        resolve(tmp_path / "y", index, fetch, [("new", "1.0", (), sdist3)], recipes={"numpy": "2.2.6"})


def test_a_recipe_brought_in_by_a_requirement_brings_what_it_states_not_its_metadata(world):
    """gpaw's recipe states ase; ase's recipe states its Requires-Dist without matplotlib: a
    build that names only gpaw takes what ase's recipe states, with who needs it."""
    tmp_path, index, fetch, _ = world
    gpaw = ("gpaw", "26.7.0", (), None, ("ase>=3.29.0", "numpy>=1.20.0"))
    recipes = {"gpaw": "26.7.0", "ase": "3.29.0", "numpy": "2.2.6"}
    stated = {"gpaw": gpaw[4], "ase": ("numpy>=1.21.6", "tomli; python_version < '3.12'")}
    brought = {b.name: (b.version, b.needed_by)
               for b in runtime_requirements.resolve([gpaw], recipe_versions=recipes, recipe_requirements=stated,
                                                     series="3.11", full_version="3.11.0", store=tmp_path / "store",
                                                     index=index, fetch=fetch)}
    assert brought == {"ase": ("3.29.0", ("gpaw 26.7.0",)), "numpy": ("2.2.6", ("ase 3.29.0", "gpaw 26.7.0")),
                       "tomli": ("2.0.1", ("ase 3.29.0",))}
    # without what the recipes state, a recipe brought in brings nothing of its own
    alone = runtime_requirements.resolve([gpaw], recipe_versions=recipes, series="3.11", full_version="3.11.0",
                                         store=tmp_path / "other", index=index, fetch=fetch)
    assert sorted(b.name for b in alone) == ["ase", "numpy"]


def test_a_requirement_the_index_cannot_satisfy_is_one_line_before_building(world):
    tmp_path, index, fetch, _ = world
    sdist = make_sdist(tmp_path / "s", "app", "1.0", {"PKG-INFO": pkg_info("app", "1.0", ["nothing-here>=1"])})
    with pytest.raises(SlitherError, match="needs nothing-here>=1, and the package index has no release"):
        resolve(tmp_path, index, fetch, [("app", "1.0", (), sdist)])


def test_dynamic_requirements_are_refused_with_what_to_do(world):
    tmp_path, index, fetch, _ = world
    sdist = make_sdist(tmp_path / "s", "app", "1.0", {"PKG-INFO": pkg_info("app", "1.0", [], "Dynamic: Requires-Dist\n")})
    with pytest.raises(SlitherError, match="leaves Requires-Dist to the build"):
        resolve(tmp_path, index, fetch, [("app", "1.0", (), sdist)])


def test_what_was_read_is_locked(world):
    tmp_path, index, fetch, _ = world
    sdist = make_sdist(tmp_path / "s", "cffi", "1.17.1", {"PKG-INFO": pkg_info("cffi", "1.17.1", ["pycparser"])})
    resolve(tmp_path, index, fetch, [("cffi", "1.17.1", (), sdist)])
    lock = runtime_requirements.lock_path(tmp_path / "store", "cffi", "1.17.1", "3.11")
    assert '"pycparser"' in lock.read_text()


def test_the_version_chosen_first_is_locked_and_a_newer_release_changes_nothing(world):
    tmp_path, index, fetch, _ = world
    sdist = make_sdist(tmp_path / "s", "cffi", "1.17.1", {"PKG-INFO": pkg_info("cffi", "1.17.1", ["pycparser"])})
    (first,) = resolve(tmp_path, index, fetch, [("cffi", "1.17.1", (), sdist)])
    newer = [make_wheel(tmp_path / "wheels", "pycparser", "2.23")]
    files = sorted((tmp_path / "wheels").iterdir())
    newer_index = IndexLocations(indexes=(simple_index(tmp_path / "simple-newer", files),), find_links=())
    (again,) = resolve(tmp_path, newer_index, fetch, [("cffi", "1.17.1", (), sdist)])
    assert first.version == again.version == "2.22" and newer
    def fetch_any(name, version):
        return next(path for path in files if path.name.startswith(f"{name.replace('-', '_')}-{version}-"))
    (fresh,) = resolve(tmp_path / "elsewhere", newer_index, fetch_any, [("cffi", "1.17.1", (), sdist)])
    assert fresh.version == "2.23"  # a store without the lock asks the index
