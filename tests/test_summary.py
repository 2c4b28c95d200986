"""The end-of-build summary says what came in and why, and names quiet fallbacks."""

from types import SimpleNamespace

from slither.inspect.summary import format_summary
from slither.plan.module_recipes import Recipe
from slither.plan.recipe import Source


def plan(recipes):
    return SimpleNamespace(excludes=(), freeze=True, release=SimpleNamespace(version="3.11.2"),
                           profile=SimpleNamespace(name="gnu"), modules=("cffi==1.17.1",), recipes=recipes, mpi=None)


def recipe(name, version, **extra):
    return Recipe(name=name, version=version, source=Source(f"{name}-{version}.tar.gz", "0" * 64),
                  build_system="setuptools", licence="MIT", extra=extra)


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
