"""MODULES=name==version with no recipe: what a recipe would say is read from the package."""

import io
import tarfile
import zipfile

import pytest

from slither.plan import build_plan
from slither.errors import SlitherError
from slither.recipes.recipe import Recipe
from slither.recipes import Source
from slither.plan.recipe_free import build_system_of


def sdist(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            member = tarfile.TarInfo(f"thing-1.0/{name}")
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return path


def wheel(path, names):
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "")
    return path


@pytest.mark.parametrize("files, expected", [
    ({"pyproject.toml": '[build-system]\nrequires = ["setuptools>=64", "Cython"]\n'
                        'build-backend = "setuptools.build_meta"\n'}, "setuptools"),
    ({"setup.py": "from setuptools import setup; setup()"}, "setuptools"),
    ({"pyproject.toml": '[build-system]\nrequires = ["meson-python", "ninja"]\nbuild-backend = "mesonpy"\n'},
     "meson-python"),
    ({"pyproject.toml": '[build-system]\nrequires = ["scikit-build-core", "pybind11"]\n'
                        'build-backend = "scikit_build_core.build"\n'}, "scikit-build-core"),
    ({"pyproject.toml": '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'}, "hatchling"),
    # An in-tree wrapper (backend-path) builds like any backend: its requirements get locked.
    ({"pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "backend"\n'
                        'backend-path = ["_custom_build"]\n'}, "pep517"),
])
def test_the_build_system_is_read_from_the_sdist(tmp_path, files, expected):
    assert build_system_of(sdist(tmp_path / "thing-1.0.tar.gz", files), "thing 1.0") == expected


def test_a_pure_wheel_needs_no_build(tmp_path):
    assert build_system_of(wheel(tmp_path / "thing-1.0-py3-none-any.whl", ["thing/__init__.py"]),
                           "thing 1.0") == "pure"


@pytest.mark.parametrize("files, message", [
    ({"pyproject.toml": '[build-system]\nrequires = ["maturin>=1,<2"]\nbuild-backend = "maturin"\n'},
     "its build needs Rust (maturin), whose crates cannot be fetched here"),
    ({"pyproject.toml": '[build-system]\nrequires = ["setuptools", "setuptools-rust"]\n'
                        'build-backend = "setuptools.build_meta"\n'},
     "its build needs Rust (setuptools-rust)"),
    ({"README": "no build files"}, "neither [build-system] in pyproject.toml nor a setup.py"),
    ({"pyproject.toml": "[build-system\n"}, "pyproject.toml cannot be read"),
])
def test_what_cannot_be_built_here_is_one_clear_error(tmp_path, files, message):
    with pytest.raises(SlitherError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        build_system_of(sdist(tmp_path / "thing-1.0.tar.gz", files), "thing 1.0")


def test_a_compiled_wheel_is_refused(tmp_path):
    with pytest.raises(SlitherError, match="compiled code built for another interpreter"):
        build_system_of(wheel(tmp_path / "thing-1.0-py3-none-any.whl", ["thing/_c.cpython-311-x86_64-linux-gnu.so"]),
                        "thing 1.0")


def test_a_name_without_a_recipe_needs_a_version():
    assert build_plan.parse_module_list("thing==1.0,markupsafe") == ["thing==1.0", "markupsafe"]
    with pytest.raises(SlitherError, match="give thing==VERSION to build it without one"):
        build_plan.parse_module_list("thing")


def test_recipe_free_entries_are_resolved_beside_recipes():
    made = []

    def recipe_free(name, version):
        made.append((name, version))
        return Recipe(name=name, version=version, source=Source("thing-1.0.tar.gz", "0" * 64),
                      build_system="setuptools")

    recipes = build_plan.resolve_recipes(["thing==1.0", "markupsafe"], recipe_free)
    assert [recipe.name for recipe in recipes] == ["markupsafe", "thing"]
    assert made == [("thing", "1.0")]


def test_the_readme_worked_example_is_a_valid_recipe(checkout):
    from slither.recipes.module_recipes import load_module_recipe
    recipe = load_module_recipe("msgpack", modules_dir=checkout / "docs" / "recipe_example")
    assert (recipe.version, recipe.build_system, recipe.extension_modules) == (
        "1.1.1", "setuptools", ("msgpack._cmsgpack",))
    assert recipe.source.sha256 == "77b79ce34a2bdab2594f490c8e80dd62a02d650b91a75159a63ec413b8d104cd"


def test_a_recipe_build_requirements_field_other_than_locked_is_one_error(tmp_path):
    from slither.errors import SlitherError
    from slither.packages.build_requirements import HostPlatform
    from slither.recipes.recipe import Recipe
    from slither.plan.recipe_free import with_locked_build_requirements
    host = HostPlatform("3.11", "manylinux")
    plain = Recipe(name="plain", version="1", build_system="setuptools")
    assert with_locked_build_requirements(plain, store=tmp_path, host=host) is plain
    wrong = Recipe(name="odd", version="1", build_system="setuptools", path="modules/packages/odd.py",
                   build_requirements="pinned")
    with pytest.raises(SlitherError, match=r"odd.py: build_requirements = 'pinned': the only value is 'locked'"):
        with_locked_build_requirements(wrong, store=tmp_path, host=host)
