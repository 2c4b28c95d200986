"""Package data and distribution metadata of frozen packages, served from the binary.

Frozen into every Slither binary and imported only on first use, never at start-up: the
hooks _slither_runtime installs import it when importlib asks them.

A package's non-Python files (templates, `.npy` test data, `mpi.cfg`, ...) are frozen as
generated modules `_slither_data_<top-level name>` holding `FILES = {"pkg/sub/f.ext": b"..."}`,
and every `*.dist-info` directory's files as `_slither_distributions` (slither.freeze). Two
standard protocols make them reachable, so packages need no change:

* `importlib.resources.files("pkg")`: FrozenImporter's optional loader method
  `get_resource_reader` returns a reader whose `files()` is a Traversable over the
  package's entries. `as_file()` still works (importlib copies the bytes to a temporary file).
* `importlib.metadata.version("pkg")`, entry points, ...: a finder on sys.meta_path answers
  `find_distributions` from the frozen `*.dist-info` files, before PathFinder would scan
  every sys.path directory for them.

What does not work: paths computed from `__file__` (frozen modules have none), because no file
exists; `importlib.resources.as_file()` is the portable way and is what this serves.
"""

import io
from importlib import import_module
from importlib.metadata import Distribution
from importlib.resources.abc import Traversable, TraversableResources

import _slither_manifest



def _files_of(top_level):
    """{path: bytes} of one top-level package (empty when it has no data files)."""
    module_name = _slither_manifest.DATA_MODULES.get(top_level)
    return import_module(module_name).FILES if module_name else {}


def _distribution_files():
    module_name = _slither_manifest.DISTRIBUTIONS_MODULE
    return import_module(module_name).FILES if module_name else {}


class FrozenTraversable(Traversable):
    """One directory or file inside a frozen package's data, addressed by a posix path."""

    def __init__(self, files, path):
        self._files = files    # the whole top-level package's {path: bytes}
        self._path = path      # "numpy/random/tests/data" (a directory) or ".../file.csv"

    def __repr__(self):
        return f"<frozen resource {self._path}>"

    @property
    def name(self):
        return self._path.rpartition("/")[2]

    def is_file(self):
        return self._path in self._files

    def is_dir(self):
        prefix = self._path + "/"
        return any(path.startswith(prefix) for path in self._files)

    def iterdir(self):
        prefix = self._path + "/"
        children = sorted({path[len(prefix):].partition("/")[0]
                           for path in self._files if path.startswith(prefix)})
        return iter([FrozenTraversable(self._files, prefix + child) for child in children])

    def joinpath(self, *descendants):
        parts = [self._path]
        for descendant in descendants:
            parts += [part for part in str(descendant).split("/") if part not in ("", ".")]
        return FrozenTraversable(self._files, "/".join(parts))

    def __truediv__(self, child):
        return self.joinpath(child)

    def read_bytes(self):
        try:
            return self._files[self._path]
        except KeyError:
            raise FileNotFoundError(f"{self._path}: no such resource in this binary") from None

    def read_text(self, encoding=None, errors=None):
        return self.read_bytes().decode(encoding or "utf-8", errors or "strict")

    def open(self, mode="r", *args, **kwargs):
        if mode not in ("r", "rb"):
            raise ValueError(f"frozen resources are read-only (mode {mode!r})")
        stream = io.BytesIO(self.read_bytes())
        return stream if mode == "rb" else io.TextIOWrapper(stream, *args, **kwargs)


class FrozenResourceReader(TraversableResources):
    def __init__(self, package):
        self._package = package

    def files(self):
        return FrozenTraversable(_files_of(self._package.partition(".")[0]),
                                 self._package.replace(".", "/"))


class PlacedResourceReader(TraversableResources):
    """A package's data as the node-local files _slither_data_dir wrote (real paths)."""

    def __init__(self, directory):
        self._directory = directory

    def files(self):
        import pathlib
        return pathlib.Path(self._directory)


class FrozenDistribution(Distribution):
    def __init__(self, files, dist_info):
        self._files = files
        self._dist_info = dist_info   # "numpy-2.2.6.dist-info"

    def read_text(self, filename):
        data = self._files.get(f"{self._dist_info}/{filename}")
        return None if data is None else data.decode("utf-8")

    def locate_file(self, path):
        # No file exists; a Traversable keeps `dist.files[i].read_text()` working.
        return FrozenTraversable(self._files, str(path))


def _normalized(name):
    return name.lower().replace("-", "_").replace(".", "_")


def find_distributions(context):
    """What a DistributionFinder yields for `context`, from the frozen dist-info files."""
    wanted = context.name and _normalized(context.name)
    files = _distribution_files()
    for dist_info in sorted({path.partition("/")[0] for path in files}):
        project = dist_info[:-len(".dist-info")].rpartition("-")[0]
        if wanted is None or _normalized(project) == wanted:
            yield FrozenDistribution(files, dist_info)
