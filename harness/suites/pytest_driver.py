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

--child-options "OPTIONS": a test that starts `sys.executable -m pytest ...` itself gets the same
finder (harness/suites/child_pytest/slither_test_tree.py) and these pytest options, set in the
environment once this pytest has read its own.
"""

import argparse
import os
import shlex
import sys

CHILD_PLUGIN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child_pytest")
sys.path.insert(0, CHILD_PLUGIN_DIR)
import slither_test_tree  # noqa: E402  (the finder; also a plugin for pytest processes the tests start)

TestTreeFinder = slither_test_tree.TestTreeFinder


def rank_arguments(arguments, environment):
    """The pytest arguments with "{rank}" made this process's rank."""
    rank = environment.get("PMI_RANK", "0")
    return [argument.replace("{rank}", rank) for argument in arguments if argument != "--"]


class ChildPytestEnvironment:
    """A pytest plugin: once this pytest has parsed its options (PYTEST_ADDOPTS included), the
    environment that pytest processes started by a test inherit names the tree and the plugin."""

    def __init__(self, tree, package, options, test_dirs=slither_test_tree.DEFAULT_TEST_DIRS):
        self.variables = {slither_test_tree.TREE_VARIABLE: tree, slither_test_tree.PACKAGE_VARIABLE: package,
                          slither_test_tree.TEST_DIRS_VARIABLE: ",".join(test_dirs),
                          "PYTEST_ADDOPTS": shlex.join(["-p", "slither_test_tree", *options]),
                          "PYTHONPATH": os.pathsep.join(filter(None, [CHILD_PLUGIN_DIR,
                                                                      os.environ.get("PYTHONPATH", "")]))}

    def pytest_configure(self, config):
        os.environ.update(self.variables)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--package", required=True)
    parser.add_argument("--child-options", help="pytest options for pytest processes a test starts")
    parser.add_argument("--test-dir", action="append", dest="test_dirs",
                        help="the name of the package's test directories (default: tests)")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    tree = os.path.abspath(args.tree)
    test_dirs = tuple(args.test_dirs or slither_test_tree.DEFAULT_TEST_DIRS)
    package = slither_test_tree.install(tree, args.package, test_dirs)
    print(f"driver: {args.package} {getattr(package, '__version__', '?')} from "
          f"{getattr(package, '__spec__').origin}; python {sys.version.split()[0]} at {sys.executable}",
          flush=True)
    import pytest
    plugins = ([ChildPytestEnvironment(tree, args.package, shlex.split(args.child_options), test_dirs)]
               if args.child_options is not None else [])
    return pytest.main(rank_arguments(args.pytest_args, os.environ), plugins=plugins)


if __name__ == "__main__":
    sys.exit(main())
