"""Run a package's pytest suite from test files on disk, against the package the interpreter has.

Runs INSIDE the interpreter under test (python-static, or a stock python3.11 with the package
installed), identically for both, so that only the interpreter differs:

    INTERPRETER pytest_driver.py --tree DIR --package numpy -- PYTEST-ARGS...

In python-static the package, its test modules included, is frozen: frozen modules have no
directory, and the tests read data files next to their own `__file__` (and pytest collects
files, not frozen modules). DIR holds the test tree taken from the package's own installed
files (tests/ directories, conftest.py, and the __init__.py files that make them packages).
A finder placed first on sys.meta_path serves exactly the test modules (a `tests` component,
or a conftest) from DIR under their real dotted names; everything else, the package itself
included, comes from where the interpreter normally gets it (the frozen image, or
site-packages). The package is imported before pytest starts, so DIR's copies of the package's
own __init__.py files are never executed.

Under mpiexec every rank runs this; "{rank}" in a pytest argument becomes the rank the process
manager gave it (PMI_RANK, which MPICH's hydra sets; 0 without one), so that each rank writes
its own results (--junitxml=DIR/rank{rank}.xml) before anything has initialized MPI.
"""

import argparse
import importlib.machinery
import importlib.util
import os
import sys


class TestTreeFinder:
    """numpy._core.tests.test_x -> DIR/numpy/_core/tests/test_x.py (packages: __init__.py, or a
    namespace package for a directory without one)."""

    def __init__(self, tree):
        self.tree = tree

    @staticmethod
    def is_test_module(fullname):
        parts = fullname.split(".")
        return "tests" in parts[1:] or parts[-1] == "conftest"

    def find_spec(self, fullname, path=None, target=None):
        if not self.is_test_module(fullname):
            return None
        base = os.path.join(self.tree, *fullname.split("."))
        package_init = os.path.join(base, "__init__.py")
        if os.path.isfile(package_init):
            return importlib.util.spec_from_file_location(fullname, package_init,
                                                          submodule_search_locations=[base])
        if os.path.isfile(base + ".py"):
            return importlib.util.spec_from_file_location(fullname, base + ".py")
        if os.path.isdir(base):  # a tests directory without __init__.py (numpy/_core/tests)
            spec = importlib.machinery.ModuleSpec(fullname, None, is_package=True)
            spec.submodule_search_locations = [base]
            return spec
        return None


def rank_arguments(arguments, environment):
    """The pytest arguments with "{rank}" made this process's rank."""
    rank = environment.get("PMI_RANK", "0")
    return [argument.replace("{rank}", rank) for argument in arguments if argument != "--"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--package", required=True)
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    tree = os.path.abspath(args.tree)
    sys.meta_path.insert(0, TestTreeFinder(tree))
    package = __import__(args.package)
    print(f"driver: {args.package} {getattr(package, '__version__', '?')} from "
          f"{getattr(package, '__spec__').origin}; python {sys.version.split()[0]} at {sys.executable}",
          flush=True)
    import pytest
    return pytest.main(rank_arguments(args.pytest_args, os.environ))


if __name__ == "__main__":
    sys.exit(main())
