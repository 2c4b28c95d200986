"""REQUIREMENTS=file (slither/plan/requirements_files.py): requirements.txt, PEP 751 pylock.toml
and pyproject.toml dependencies become MODULES entries, evaluated for the binary's interpreter;
pins and hashes kept, unpinned names resolved once and locked; bad input one line. The package
index is a stand-in here (newest, locked_sha256); tests/test_recipe_free_build.py builds real ones."""

import pytest

from conftest import assert_built, run_scons
from slither.errors import SlitherError
from slither.plan import requirements_files as rf
from slither.plan.runtime_requirements import target_environment

ENVIRONMENT = target_environment("3.11", "3.11.2")
RECIPES = {"numpy": "2.2.6", "mpi4py": "4.1.2", "h5py": "3.14.0", "markupsafe": "3.0.2"}
SHA = {("tinypkg", "1.0"): "aa" * 32, ("otherpkg", "2.5"): "bb" * 32}


def entries(path, store, newest=None, calls=None):
    def newest_release(name, specifiers):
        if calls is not None:
            calls.append((name, str(specifiers)))
        return (newest or {}).get(name)
    return list(rf.module_entries(rf.read_requirements(str(path)), ENVIRONMENT, RECIPES, store=store,
                                  newest=newest_release, locked_sha256=lambda name, version: SHA[(name, version)]))


def test_a_requirements_txt_with_recipes_pins_hashes_markers_extras_and_includes(tmp_path):
    (tmp_path / "base.txt").write_text("numpy>=2  # a recipe: the recipe's version\n")
    (tmp_path / "requirements.txt").write_text(
        "-r base.txt\n"
        "tinypkg[fast]==1.0 \\\n    --hash=sha256:" + "aa" * 32 + " \\\n    --hash=sha256:" + "cc" * 32 + "\n"
        "mpi4py ; python_version >= '3.10'\n"
        "pywin32==306 ; sys_platform == 'win32'\n"
        "\n# comment\n")
    assert entries(tmp_path / "requirements.txt", tmp_path) == ["numpy", "tinypkg[fast]==1.0", "mpi4py"]


def test_a_hash_that_does_not_match_the_locked_file_is_one_line(tmp_path):
    (tmp_path / "requirements.txt").write_text("tinypkg==1.0 --hash=sha256:" + "dd" * 32 + "\n")
    with pytest.raises(SlitherError, match=r"requirements.txt:1: tinypkg==1.0 is locked to a file with sha256 a+, "
                                           "which none of its --hash values names"):
        entries(tmp_path / "requirements.txt", tmp_path)


def test_an_unpinned_name_is_resolved_once_and_locked(tmp_path):
    (tmp_path / "requirements.txt").write_text("otherpkg>=2,<3\n")
    calls = []
    assert entries(tmp_path / "requirements.txt", tmp_path, {"otherpkg": "2.5"}, calls) == ["otherpkg==2.5"]
    # a newer release appears: the lock keeps 2.5, and the index is not asked again
    assert entries(tmp_path / "requirements.txt", tmp_path, {"otherpkg": "2.9"}, calls) == ["otherpkg==2.5"]
    assert calls == [("otherpkg", "<3,>=2")]


def test_a_pylock_toml(tmp_path):
    (tmp_path / "pylock.toml").write_text(
        'lock-version = "1.0"\n'
        '[[packages]]\nname = "tinypkg"\nversion = "1.0"\n[packages.sdist]\nname = "tinypkg-1.0.tar.gz"\n'
        f'hashes = {{sha256 = "{"aa" * 32}"}}\n'
        '[[packages]]\nname = "numpy"\nversion = "2.2.6"\n'
        '[[packages]]\nname = "colorama"\nversion = "0.4.6"\nmarker = "sys_platform == \'win32\'"\n')
    assert entries(tmp_path / "pylock.toml", tmp_path) == ["tinypkg==1.0", "numpy"]


def test_a_pyproject_tomls_dependencies(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n'
                                             'dependencies = ["numpy", "h5py>=3", "tinypkg==1.0"]\n')
    assert entries(tmp_path / "pyproject.toml", tmp_path) == ["numpy", "h5py", "tinypkg==1.0"]


@pytest.mark.parametrize("text, message", [
    ("--index-url https://example.invalid/simple\n", "requirements.txt:1: the option --index-url is not taken"),
    ("numpy<2\n", "requirements.txt:1: numpy<2, but its recipe builds 2.2.6"),
    ("tinypkg @ https://example.invalid/tinypkg.tar.gz\n", "a URL or path requirement"),
    ("tinypkg >=> 1\n", "requirements.txt:1: 'tinypkg >=> 1' is not a requirement"),
    ("tinypkg==1.0\ntinypkg==2.0\n", "tinypkg is asked for twice"),
    ("nothing>=1\n", "no release of nothing on the package index satisfies >=1"),
])
def test_bad_input_is_one_line_naming_the_file_and_line(tmp_path, text, message):
    (tmp_path / "requirements.txt").write_text(text)
    with pytest.raises(SlitherError, match=message) as refused:
        entries(tmp_path / "requirements.txt", tmp_path, {"tinypkg": None})
    assert "\n" not in str(refused.value)


def test_modules_and_requirements_merge_and_a_version_clash_is_one_line():
    assert rf.merge_with_modules(["numpy", "./src/app"], ["numpy", "tinypkg==1.0"]) == ["numpy", "./src/app",
                                                                                          "tinypkg==1.0"]
    with pytest.raises(SlitherError, match="MODULES names tinypkg==2.0 and REQUIREMENTS tinypkg==1.0"):
        rf.merge_with_modules(["tinypkg==2.0"], ["tinypkg==1.0"])


def test_scons_takes_requirements_as_modules_and_refuses_a_missing_file(tmp_path):
    (tmp_path / "requirements.txt").write_text("markupsafe\n")
    planned = run_scons(["-n", f"BUILD_DIR={tmp_path / 'build'}", f"REQUIREMENTS={tmp_path / 'requirements.txt'}"])
    assert_built(planned)
    assert "markupsafe" in planned.stdout
    missing = run_scons(["-n", f"BUILD_DIR={tmp_path / 'build'}", f"REQUIREMENTS={tmp_path / 'nope.txt'}"])
    assert missing.returncode == 2 and missing.stderr.strip().endswith(f"REQUIREMENTS={tmp_path / 'nope.txt'}: no such file")


def test_each_entry_keeps_the_line_that_asked_for_it_and_the_plan_and_summary_say_it(tmp_path):
    from slither.inspect.summary import brought_lines
    from slither.plan.build_plan import with_requested_by
    (tmp_path / "requirements.txt").write_text("# the application\nnumpy>=2\ntinypkg==1.0\n")
    origins = rf.module_entries(rf.read_requirements(str(tmp_path / "requirements.txt")), ENVIRONMENT, RECIPES,
                                store=tmp_path, newest=lambda name, specifiers: None,
                                locked_sha256=lambda name, version: SHA[(name, version)])
    assert origins == {"numpy": "requirements.txt:2", "tinypkg==1.0": "requirements.txt:3"}
    from slither.recipes.recipe import Recipe
    recipes = with_requested_by((Recipe(name="numpy", version="2.2.6"), Recipe(name="tinypkg", version="1.0"),
                                 Recipe(name="cftime", version="1.6.6.1", needed_by=("netcdf4",))), origins)
    assert [recipe.requested_by for recipe in recipes] == ["requirements.txt:2", "requirements.txt:3", ""]
    assert brought_lines(recipes) == [
        "  from REQUIREMENTS:", "    numpy 2.2.6: requirements.txt:2", "    tinypkg 1.0: requirements.txt:3",
        "  brought in (run-time or build requirements):", "    cftime 1.6.6.1: needed by netcdf4"]


def test_a_rust_package_a_requirement_brings_in_is_refused_in_one_line_naming_the_chain():
    from slither.plan.module_entries import parse_entry
    from slither.plan.package_set import resolve_packages
    from slither.plan.runtime_requirements import Brought
    from slither.recipes.recipe import Recipe

    def recipe_free(name, version):
        if name == "rusty":
            raise SlitherError(f"{name} {version}: its build needs Rust (maturin), whose crates cannot be fetched here")
        return Recipe(name=name, version=version)

    def runtime(made):
        return [Brought("middle", "2.0", ("app 1.0",)), Brought("rusty", "3.0", ("middle 2.0",))]

    with pytest.raises(SlitherError) as refused:
        resolve_packages([parse_entry("app==1.0")], resolve_named=lambda names: (), recipe_free=recipe_free,
                         local_recipe=None, runtime=runtime, available=[])
    assert str(refused.value) == ("app 1.0 -> middle 2.0 -> rusty 3.0: its build needs Rust (maturin), whose crates "
                                  "cannot be fetched here")


def test_a_recipe_s_stated_runtime_requirements_are_brought_in_with_who_needs_them():
    """A package with a recipe (netCDF4) states what it needs at run time; those packages come
    along as for a package without a recipe, each with who needs it."""
    from slither.plan.module_entries import parse_entry
    from slither.plan.package_set import resolve_packages
    from slither.plan.runtime_requirements import Brought
    from slither.recipes.recipe import Recipe

    netcdf4 = Recipe(name="netcdf4", version="1.7.5.1.post1", runtime_requirements=("cftime", "certifi"))
    asked = []

    def runtime(entries):
        asked.extend(entries)
        return [Brought("cftime", "1.6.5", ("netcdf4 1.7.5.1.post1",)),
                Brought("certifi", "2025.1.31", ("netcdf4 1.7.5.1.post1",))]

    recipes = resolve_packages([parse_entry("netcdf4")], resolve_named=lambda names: (netcdf4,),
                               recipe_free=lambda name, version: Recipe(name=name, version=version),
                               local_recipe=None, runtime=runtime, available=["netcdf4"])
    assert asked == [("netcdf4", "1.7.5.1.post1", (), None, ("cftime", "certifi"))]
    assert {recipe.name: recipe.needed_by for recipe in recipes} == {
        "netcdf4": (), "cftime": ("netcdf4 1.7.5.1.post1",), "certifi": ("netcdf4 1.7.5.1.post1",)}


def test_a_recipe_without_stated_runtime_requirements_asks_for_none():
    from slither.plan.module_entries import parse_entry
    from slither.plan.package_set import resolve_packages
    from slither.recipes.recipe import Recipe

    asked = []
    resolve_packages([parse_entry("numpy")], resolve_named=lambda names: (Recipe(name="numpy", version="2.2.6"),),
                     recipe_free=None, local_recipe=None, runtime=lambda entries: asked.extend(entries) or [],
                     available=["numpy"])
    assert asked == []
