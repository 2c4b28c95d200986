"""The test tree's finder (harness/suites/pytest_driver.py), as a pytest plugin for the pytest
processes a test itself starts.

Some suites re-run a test in a child `sys.executable -m pytest FILE::TEST` (h5py's `subproc`
helper, for tests that change HDF5's global state). The child is a fresh interpreter: without
the driver's finder, python-static would import the test modules frozen while pytest loads them
from the tree (ImportPathMismatchError), and stock would import the package itself from the
tree's copies of its __init__.py files. The driver therefore puts this directory on the
children's PYTHONPATH and `-p slither_test_tree` with its own pytest options in their
PYTEST_ADDOPTS, and names the tree and package in SLITHER_TEST_TREE and SLITHER_TEST_PACKAGE;
imported as a plugin, this module installs the same finder and imports the package first, as
the driver does.
"""

import importlib.machinery
import importlib.util
import os
import sys

TREE_VARIABLE, PACKAGE_VARIABLE = "SLITHER_TEST_TREE", "SLITHER_TEST_PACKAGE"
# The names of the package's test directories, comma-separated: `tests` (numpy, h5py) unless
# the package says otherwise (GPAW's are gpaw/test/).
TEST_DIRS_VARIABLE = "SLITHER_TEST_DIRS"
DEFAULT_TEST_DIRS = ("tests",)


class TestTreeFinder:
    """numpy._core.tests.test_x -> DIR/numpy/_core/tests/test_x.py (packages: __init__.py, or a
    namespace package for a directory without one)."""

    def __init__(self, tree, test_dirs=DEFAULT_TEST_DIRS):
        self.tree = tree
        self.test_dirs = tuple(test_dirs)

    def is_test_module(self, fullname):
        parts = fullname.split(".")
        return any(name in parts[1:] for name in self.test_dirs) or parts[-1] == "conftest"

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


def install(tree, package, test_dirs=DEFAULT_TEST_DIRS):
    """The finder first on sys.meta_path (once), then the package imported from where the
    interpreter normally gets it; returns the package."""
    if not any(isinstance(finder, TestTreeFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, TestTreeFinder(os.path.abspath(tree), test_dirs))
    return __import__(package)


if os.environ.get(TREE_VARIABLE) and os.environ.get(PACKAGE_VARIABLE):  # a child pytest of a test
    install(os.environ[TREE_VARIABLE], os.environ[PACKAGE_VARIABLE],
            tuple(filter(None, os.environ.get(TEST_DIRS_VARIABLE, ",".join(DEFAULT_TEST_DIRS)).split(","))))
