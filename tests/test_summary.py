"""The end-of-build summary says what came in and why, and names quiet fallbacks."""

from types import SimpleNamespace

from slither.inspect.manifest import format_inspection
from slither.inspect.summary import format_summary
from slither.recipes.recipe import Recipe
from slither.recipes import Source


def plan(recipes):
    modules = {r.name: {"version": r.version, "recipe": r.name in RECIPES} for r in recipes}
    return SimpleNamespace(excludes=(), freeze=True, release=SimpleNamespace(version="3.11.2"),
                           profile=SimpleNamespace(name="gnu"), modules=("cffi==1.17.1",), recipes=recipes, mpi=None,
                           build_manifest={"modules": modules})


RECIPES = ("numpy",)


def recipe(name, version, **planned):
    return Recipe(name=name, version=version, source=Source(f"{name}-{version}.tar.gz", "0" * 64),
                  build_system="setuptools", licence="MIT", **planned)


def summary(recipes, fallbacks=()):
    return format_summary("build/bin/python-static", 1 << 20, plan(recipes), {"builtin_modules": []},
                          {"modules": []}, {"cpython": "built"}, fallbacks=fallbacks).splitlines()


def test_a_package_brought_in_is_listed_with_who_needs_it():
    lines = summary([recipe("cffi", "1.17.1"), recipe("pycparser", "2.22", needed_by=("cffi 1.17.1",))])
    assert lines[lines.index("  brought in (run-time or build requirements):") + 1] == \
        "    pycparser 2.22: needed by cffi 1.17.1"


def test_nothing_brought_in_prints_no_such_section():
    assert not any("brought in" in line for line in summary([recipe("cffi", "1.17.1")]))


def test_a_pure_python_fallback_is_named_with_the_way_to_make_it_an_error():
    lines = summary([recipe("wrapt", "1.17.2")], fallbacks=["wrapt"])
    assert ("  pure-Python fallback: wrapt (its source has compiled code, its build made no extension module; "
            "wrapt==VERSION! in MODULES makes that an error)") in lines


def test_summary_and_inspect_give_the_same_counts_and_spell_modules_the_same_way():
    """The summary once counted CPython's built-ins only (101) where inspect counted the
    packages' extensions too (103), and wrote `cffi==1.17.1` for one module and `numpy` for another."""
    recipes = [recipe("numpy", "2.2.6"), recipe("cffi", "1.17.1")]
    cpython_builtins, extensions = ["_json", "math", "sys"], ["_cffi_backend", "numpy._core._multiarray_umath"]
    frozen = [{"name": "json", "package": True, "size": 2048, "origin": "stdlib"},
              {"name": "numpy", "package": True, "size": 4096, "origin": "numpy-2.2.6"},
              {"name": "_slither_sources_json", "package": False, "size": 1000, "origin": "sources"}]
    summary_lines = [line.strip() for line in format_summary(
        "build/bin/python-static", 1 << 20, plan(recipes), {"builtin_modules": cpython_builtins},
        {"modules": frozen}, {"cpython": "built"}, extensions=extensions).splitlines()]
    manifest = {"build": {"modules": plan(recipes).build_manifest["modules"]}, "frozen_modules": frozen,
                "builtin_modules": sorted(cpython_builtins + extensions), "extension_modules": extensions}
    inspect_lines = format_inspection(manifest, modules=False).splitlines()
    for start in ("built-in C modules:", "third-party modules:", "frozen sources:"):
        in_summary = [line for line in summary_lines if line.startswith(start)]
        assert in_summary and in_summary == [line for line in inspect_lines if line.startswith(start)], start
    assert "built-in C modules: 5 (3 of CPython, 2 from packages)" in summary_lines
    assert "third-party modules: cffi 1.17.1 (no recipe), numpy 2.2.6 (recipe)" in summary_lines
    frozen_line = [line for line in inspect_lines if line.startswith("frozen modules:")][0]
    assert frozen_line == "frozen modules: 2 (6.0 KiB of bytecode)"
    assert any(line.startswith(frozen_line + "; stdlib frozen") for line in summary_lines)
