"""The recipe vocabulary is closed and typed (slither.recipes.recipe): an unknown or mistyped
field is one line, every recipe in modules/ loads, each recipe file runs once per plan, and the
field tables of docs/recipes.md are the Recipe dataclass's."""

import collections
import re

import pytest

from conftest import ROOT
from slither.errors import SlitherError
from slither.plan import build_plan
from slither.recipes import loading, module_recipes
from slither.recipes.recipe import ANY, LIBRARY, PACKAGE, PLAN, recipe_fields

PACKAGE_HEAD = ("from slither.recipes import pinned_sdist\n"
                "name = 'odd'\nversion = '1'\nlicence = 'MIT'\nbuild_system = 'setuptools'\n"
                f"source = pinned_sdist('odd', '1', 'odd-1.tar.gz', '{'0' * 64}')\n")
LIBRARY_HEAD = ("from slither.recipes import DebianSource, Source\n"
                "name = 'odd'\nversion = '1'\nlicence = 'MIT'\nbuild_system = 'autotools'\n"
                f"source = Source('odd-1.tar.gz', '{'0' * 64}', debian=DebianSource('odd'))\n")


def load(tmp_path, text, folder="packages"):
    (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    (tmp_path / folder / "odd.py").write_text(text)
    return module_recipes.load_module_recipe("odd", modules_dir=tmp_path)


def test_an_unknown_field_is_refused_with_the_closest_field(tmp_path, monkeypatch):
    monkeypatch.setattr(module_recipes, "PROJECT_ROOT", tmp_path)  # errors name a recipe from the checkout's root
    with pytest.raises(SlitherError) as error:
        load(tmp_path / "modules", PACKAGE_HEAD + "config_setting = ['setup-args=-Dx=y']\n")
    assert str(error.value) == "modules/packages/odd.py: unknown field config_setting (did you mean config_settings?)"


def test_a_field_the_plan_sets_is_refused_in_a_recipe_file(tmp_path):
    with pytest.raises(SlitherError, match=r"odd.py: unknown field needed_by \(set by the plan, not by a recipe\)$"):
        load(tmp_path, PACKAGE_HEAD + "needed_by = ['numpy']\n")


def test_a_library_field_in_a_package_recipe_is_refused(tmp_path):
    with pytest.raises(SlitherError, match="configure_flags is a field of library recipes, and build_system "
                                           "'setuptools' makes this a package recipe"):
        load(tmp_path, PACKAGE_HEAD + "configure_flags = ['--static']\n")


@pytest.mark.parametrize("line, message", [
    ("depends_on = 'mpich'", "depends_on must be a list of names, not the string 'mpich'"),
    ("extension_modules = ['odd._speedups', 3]", "extension_modules must be a list of strings"),
    ("build_environment = {'HDF5_MPI': True}", "build_environment must map strings to strings"),
    ("runtime_environment = ['A=1']", "runtime_environment must map strings to strings"),
    ("version = 1.0", "version must be a string, not 1.0"),
    ("static_libraries = ['libz.a']", "static_libraries must be a list of StaticLibrary"),
    ("source = 'odd-1.tar.gz'", "source must be a Source with a sha256"),
])
def test_a_value_of_the_wrong_type_is_one_line_naming_the_field(tmp_path, line, message):
    with pytest.raises(SlitherError, match=re.escape(message)):
        load(tmp_path, PACKAGE_HEAD + line + "\n")


def test_library_fields_take_their_types_and_defaults(tmp_path):
    recipe = load(tmp_path, LIBRARY_HEAD + "make_flags = ['-C', 'src']\nbuild_only = True\n", folder="libraries")
    assert recipe.make_flags == ("-C", "src") and recipe.build_only is True
    assert (recipe.configure_script, recipe.install_target, recipe.build_directory) == ("./configure", "install", "")
    with pytest.raises(SlitherError, match="build_only must be True or False, not 'yes'"):
        load(tmp_path, LIBRARY_HEAD + "build_only = 'yes'\n", folder="libraries")


def test_a_makefile_library_belongs_in_libraries(tmp_path):
    text = LIBRARY_HEAD.replace("'autotools'", "'makefile'")
    assert load(tmp_path, text, folder="libraries").build_system == "makefile"
    with pytest.raises(SlitherError, match="move it to modules/libraries/"):
        load(tmp_path / "elsewhere", text, folder="packages")


def test_private_names_modules_and_vocabulary_imports_are_not_fields(tmp_path):
    recipe = load(tmp_path, "import os\nfrom slither.recipes import Source, StaticLibrary, pinned_wheel\n"
                            "_series = '3.11'\n" + PACKAGE_HEAD)
    assert recipe.name == "odd"
    with pytest.raises(SlitherError, match="unknown field helper"):
        load(tmp_path, PACKAGE_HEAD + "def helper():\n    return 1\n")


def test_every_recipe_in_modules_loads():
    names = module_recipes.module_recipe_names()
    assert {"markupsafe", "numpy", "mpich"} <= set(names)
    for name in names:
        assert module_recipes.load_module_recipe(name).name == name


def test_each_recipe_file_runs_once_per_plan(monkeypatch):
    """make_plan asks for recipes many times (MODULES, MPI providers, versions, depends_on):
    each file's content is executed once, then reused."""
    executed = collections.Counter()
    execute = loading._execute_python_file

    def counting(path, namespace):
        executed[str(path)] += 1
        return execute(path, namespace)

    monkeypatch.setattr(loading, "_LOADED", {})
    monkeypatch.setattr(loading, "_execute_python_file", counting)
    profile = loading.load_target("gnu")
    modules = build_plan.parse_module_list("markupsafe")
    build_plan.plan_for(name="p", series="3.11", profile=profile, modules=modules, mpi=build_plan.parse_mpi(""))
    assert executed and set(executed.values()) == {1}, executed


def test_an_edited_recipe_is_read_again(tmp_path):
    assert load(tmp_path, PACKAGE_HEAD).version == "1"
    assert load(tmp_path, PACKAGE_HEAD.replace("version = '1'", "version = '2'")).version == "2"


def documented_fields(heading):
    """(field, type) rows of the table that follows `heading` in docs/recipes.md."""
    text = (ROOT / "docs" / "recipes.md").read_text()
    section = text[text.index(heading):]
    rows = []
    for line in section[section.index("| field | type |"):].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows.append((cells[0].strip("`"), cells[1].strip("`").replace("\\|", "|")))
    return rows


@pytest.mark.parametrize("heading, kind", [
    ("Fields of every recipe", ANY), ("Fields of a package recipe only", PACKAGE),
    ("## Every field of a library recipe", LIBRARY), ("## Fields the plan sets", PLAN)])
def test_the_docs_field_tables_are_the_recipe_dataclass(heading, kind):
    assert documented_fields(heading) == [(field.name, field.type) for field in recipe_fields(kind)]


def test_build_requirements_may_name_a_tool_once_per_series_and_the_plan_takes_this_series(tmp_path):
    from slither.packages.build_requirements import HostPlatform
    from slither.plan.recipe_free import with_locked_build_requirements
    from slither.recipes.module_recipes import load_module_recipe
    recipe = load_module_recipe("netcdf4")
    for series in ("3.11", "3.13"):
        locked = with_locked_build_requirements(recipe, store=tmp_path, host=HostPlatform(series, "manylinux"))
        cython = [wheel.filename for wheel in locked.locked_build_requirements.wheels if wheel.pip.name == "Cython"]
        assert cython == [f"cython-3.1.2-cp{series.replace('.', '')}-cp{series.replace('.', '')}-manylinux_2_17_x86_64"
                          ".manylinux2014_x86_64.whl"]


def test_build_requirements_naming_a_tool_twice_for_one_series_is_refused():
    import pytest
    from slither.errors import SlitherError
    from slither.recipes import pinned_wheel
    from slither.recipes.recipe import pinned_wheels
    wheel = pinned_wheel("Cython", "3.1.2", "cython-3.1.2-cp311-cp311-linux_x86_64.whl", "0" * 64, "3.11")
    anywhere = pinned_wheel("Cython", "3.1.2", "cython-3.1.2-py3-none-any.whl", "1" * 64)
    with pytest.raises(SlitherError, match="names cython twice for CPython 3.11"):
        pinned_wheels([wheel, wheel], "recipe.py")
    with pytest.raises(SlitherError, match="names cython twice for CPython 3.11"):
        pinned_wheels([anywhere, wheel], "recipe.py")


def test_a_runtime_requirement_that_does_not_parse_is_one_line(tmp_path):
    from slither.recipes.recipe import recipe_from_values
    from slither.recipes import pinned_sdist
    values = {"name": "demo", "version": "1.0", "build_system": "setuptools", "licence": "MIT",
              "source": pinned_sdist("demo", "1.0", "demo-1.0.tar.gz", "0" * 64),
              "runtime_requirements": ["cftime >= 1.0", "not a requirement!"]}
    with pytest.raises(SlitherError) as refused:
        recipe_from_values(values, "modules/packages/demo.py")
    assert str(refused.value).startswith("modules/packages/demo.py: runtime requirement 'not a requirement!' is not")
    values["runtime_requirements"] = ["cftime >= 1.0", "certifi; python_version < '3.14'"]
    assert recipe_from_values(values, "modules/packages/demo.py").runtime_requirements == (
        "cftime >= 1.0", "certifi; python_version < '3.14'")
