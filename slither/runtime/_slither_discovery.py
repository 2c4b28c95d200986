"""Walking frozen packages: pkgutil and unittest discovery, without a directory on disk.

Frozen into every Slither binary and imported only when pkgutil or unittest first asks (the
hooks are in _slither_runtime). A frozen package's `__path__` names the directory its files
would have (`<stdlib dir>/psutil/tests`), which does not exist, so:

* pkgutil.iter_modules / walk_packages ask the path entry finder of each `__path__` entry:
  FrozenPackageDirectory is that finder for directories of frozen packages; it lists the
  frozen submodules, and the built-in extension modules among them (as a stock walk lists
  their shared objects), and finds the frozen ones with FrozenImporter.
* unittest's discovery lists directories with os.listdir; `discover -s psutil.tests` (a
  dotted name, as unittest allows) reaches the package's would-be directory, and the
  patched TestLoader._find_tests walks the frozen package there instead.
"""

import _imp
import sys
from fnmatch import fnmatch
from importlib import import_module
from importlib.machinery import FrozenImporter

_children = {}  # package name -> [(child name, is package)]


def _index():
    if not _children:
        for name in _imp._frozen_module_names():
            if name.startswith("<"):
                continue
            parent, _, _ = name.rpartition(".")
            _children.setdefault(parent, [])
            spec = FrozenImporter.find_spec(name)
            _children[parent].append((name, bool(spec and spec.submodule_search_locations is not None)))
        # The packages' extension modules, built in under their dotted names (numpy._core._multiarray_umath):
        # a stock walk lists their shared objects too.
        for name in sys.builtin_module_names:
            parent, dot, _ = name.rpartition(".")
            if dot:
                _children.setdefault(parent, []).append((name, False))
        for entries in _children.values():
            entries.sort()
    return _children


def frozen_package_at(path):
    """The frozen package whose `__path__` entry `path` is, or None."""
    from _slither_runtime import frozen_relative
    inside = frozen_relative(str(path).rstrip("/") + "/")
    if not inside:
        return None
    name = inside.rstrip("/").replace("/", ".")
    packages = {child for entries in _index().values() for child, is_package in entries if is_package}
    return name if name in packages else None


class FrozenPackageDirectory:
    """The path entry finder of one frozen package's directory."""

    def __init__(self, package):
        self.package = package

    def find_spec(self, fullname, target=None):
        if fullname.rpartition(".")[0] != self.package:
            return None
        return FrozenImporter.find_spec(fullname)

    def invalidate_caches(self):
        pass

    def iter_modules(self, prefix=""):
        """pkgutil's protocol: (name with prefix, is package) of each frozen submodule."""
        for name, is_package in _index().get(self.package, ()):
            yield prefix + name.rpartition(".")[2], is_package


def path_hook(path):
    """A sys.path_hooks entry: claims only directories of frozen packages."""
    package = frozen_package_at(path)
    if package is None:
        raise ImportError("not a frozen package's directory")
    return FrozenPackageDirectory(package)


def discover_in_frozen_packages(loader_class):
    """Patch unittest.TestLoader._find_tests so that a start directory that is a frozen
    package's is walked through the frozen modules."""
    find_tests = loader_class._find_tests

    def _find_tests(self, start_dir, pattern, *args, **kwargs):
        package = frozen_package_at(start_dir)
        if package is None:
            yield from find_tests(self, start_dir, pattern, *args, **kwargs)
            return
        yield from _frozen_tests(self, package, pattern)

    loader_class._find_tests = _find_tests


def _frozen_tests(loader, package, pattern):
    """As unittest walks a directory: modules whose file name matches pattern, and packages
    (whose load_tests, if any, takes over their own discovery)."""
    module = import_module(package)
    load_tests = getattr(module, "load_tests", None)
    tests = loader.loadTestsFromModule(module, pattern=pattern)
    if tests.countTestCases() or load_tests is not None:
        yield tests
    if load_tests is not None:
        return
    for name, is_package in _index().get(package, ()):
        if is_package:
            yield from _frozen_tests(loader, name, pattern)
        elif fnmatch(name.rpartition(".")[2] + ".py", pattern):
            yield loader.loadTestsFromModule(import_module(name), pattern=pattern)
