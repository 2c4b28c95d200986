"""Each step's cache key signs the code it runs: the list computed from its imports
(slither.plan.signed_code) is checked here against what Python really loads when the step's
entry module is imported in a fresh interpreter, so that a missed import shape (a relative
import, a package __init__, a lazy import) shows up as a failing test, not a stale cache hit."""

import importlib
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from slither.plan.signed_code import signed_code

TRACE = r"""
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
for entry in sys.argv[2:]:
    importlib.import_module(entry)
root = sys.argv[1] + "/"
print(json.dumps(sorted(module.__file__[len(root):] for module in list(sys.modules.values())
                        if getattr(module, "__file__", None) and module.__file__.startswith(root))))
"""


def loaded_files(*entry_modules):
    result = subprocess.run([sys.executable, "-S", "-c", TRACE, str(ROOT), *entry_modules],
                            stdout=subprocess.PIPE, text=True, check=True)
    return set(json.loads(result.stdout))


def site_tool(name, directory="site_scons/site_tools"):
    sys.path.insert(0, str(ROOT / directory))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


@pytest.mark.parametrize("entry", ["slither.cpython.build", "slither.libraries.build", "slither.packages.build_tools",
                                   "harness.stock.cpython", "slither.freeze.freezer", "slither.link.symbol_table",
                                   "slither.link.main_c"])
def test_the_computed_list_is_what_python_loads(entry):
    assert set(signed_code(entry)) == loaded_files(entry)


def test_lazily_imported_capture_modules_are_signed_with_their_package():
    signed = set(signed_code("slither.packages.build", "slither.capture.__main__", whole_packages=("slither.capture",)))
    loaded = loaded_files("slither.packages.build", "slither.capture.__main__", "slither.capture.finalize",
                          "slither.capture.wrappers")
    capture = {str(path.relative_to(ROOT)) for path in (ROOT / "slither" / "capture").glob("*.py")}
    assert loaded <= signed and signed - loaded <= capture


def test_each_step_signs_its_code_and_its_data_files():
    assert "modules/cpython/releases.py" in site_tool("slither_cpython").BUILD_SCRIPTS
    assert "slither/recipes/vocabulary.py" in site_tool("slither_cpython").BUILD_SCRIPTS  # imported by releases.py
    assert "modules/build_tools/wheels.py" in site_tool("slither_packages").TOOLS_SCRIPTS
    assert "modules/cpython/releases.py" in site_tool("slither_reference", "harness/site_tools").REFERENCE_SCRIPTS
    assert set(site_tool("slither_libraries").LIBRARY_SCRIPTS) == loaded_files("slither.libraries.build")
    assert "slither/runtime/_slither_runtime.py" in site_tool("slither_freeze").FREEZE_SCRIPTS


def test_the_library_step_does_not_sign_the_recipe_fields():
    """A new recipe field must not rebuild MPICH: Recipe and its loader are the planner's, not the step's."""
    signed = site_tool("slither_libraries").LIBRARY_SCRIPTS
    assert "slither/recipes/recipe.py" not in signed and "slither/recipes/module_recipes.py" not in signed


def test_the_cpython_step_signs_the_vocabulary_but_not_the_package_recipe_fields():
    """releases.py imports slither.recipes, so the CPython step signs that package's __init__ and
    vocabulary; a new package or library recipe field (slither/recipes/recipe.py) must not rebuild CPython."""
    signed = set(site_tool("slither_cpython").BUILD_SCRIPTS)
    assert {"slither/recipes/__init__.py", "slither/recipes/vocabulary.py", "slither/recipes/loading.py"} <= signed
    assert not {"slither/recipes/recipe.py", "slither/recipes/module_recipes.py"} & signed
    assert not any(path.startswith("slither/plan/") for path in signed)


def test_a_missing_entry_module_is_refused():
    with pytest.raises(ValueError, match="no such module"):
        signed_code("slither.no_such_step")
