"""Which frozen packages read their own data files by path, decided from their code.

A frozen package's data is served by importlib.resources, from memory. Many packages instead
build a path from `__file__` (scikit-learn's `Path(__file__).with_name("estimator.css")`,
Cython's `os.path.join(os.path.dirname(__file__), ..., "Utility")`, a C library that opens a
font by file name): for those, the runtime writes the package's data once per node to a
node-local directory and points the package's `__file__` there (_slither_data_dir).

The rule, applied to each top-level package that has data files: one of its modules (its tests
aside) mentions `__file__` or calls `importlib.resources.as_file` and names, as a string literal,
one of the package's data files or a directory that holds some. Test modules are left out of the decision: a package whose only
by-path readers are its tests would otherwise write its test data on every node at its first
import. A recipe can decide instead (`reads_data_by_path`), for a package whose by-path use is
only for building against it (numpy's `get_include()`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

TEST_PACKAGE_NAMES = frozenset({"test", "tests", "testing"})
# What code that reads its data by path writes: a path beside the module, or a real file asked of
# importlib.resources (as_file copies a frozen resource to a temporary file in every process:
# certifi.where()).
BY_PATH_USES = ("__file__", "as_file(")


def _is_test_module(name: str) -> bool:
    parts = name.split(".")
    return any(part in TEST_PACKAGE_NAMES or part.startswith("test_") for part in parts[1:])


def _data_names(paths: Iterable[str], package_dirs: set[str]) -> set[str]:
    """The names of one top-level package's data files, and of the directories holding them
    that are not packages: a package's name is written for importing it (`"linalg"`), a
    plain directory's for reaching its files (`"Utility"`, `"mpl-data"`)."""
    names = set()
    for path in paths:
        parts = path.split("/")
        names.add(parts[-1])
        names.update(part for depth, part in enumerate(parts[1:-1], start=2)
                     if "/".join(parts[:depth]) not in package_dirs)
    return names


def _names_a_data_file(source: str, names: set[str]) -> bool:
    literals = set(re.findall(r"""(?:'([^'\\\n]+)'|"([^"\\\n]+)")""", source))
    for single, double in literals:
        literal = single or double
        if any(part in names for part in re.split(r"[/\\]", literal) if part):
            return True
    return False


def packages_reading_data_by_path(module_sources: Mapping[str, Path], data_paths: Iterable[str],
                                  decided: Mapping[str, bool] = {}) -> set[str]:
    """module_sources: {module name: source file} of the frozen packages; data_paths: the posix
    paths of their data files ("sklearn/utils/_repr_html/estimator.css"); decided: a recipe's
    answer for a top-level name, which wins over the rule."""
    data_by_top: dict[str, list[str]] = {}
    for path in data_paths:
        data_by_top.setdefault(path.partition("/")[0], []).append(path)
    package_dirs = {name.replace(".", "/") for name, source in module_sources.items()
                    if source.name == "__init__.py"}
    chosen = {top for top, reads in decided.items() if reads and top in data_by_top}
    for top, paths in data_by_top.items():
        if top in decided:
            continue
        names = _data_names(paths, package_dirs)
        for name, source_path in module_sources.items():
            if name.partition(".")[0] != top or _is_test_module(name):
                continue
            source = source_path.read_text(encoding="utf-8", errors="replace")
            if any(use in source for use in BY_PATH_USES) and _names_a_data_file(source, names):
                chosen.add(top)
                break
    return chosen


def data_digest(files: Mapping[str, bytes]) -> str:
    """A short name for one package's data: the node-local copy is shared by every binary that
    holds the same bytes, and never by one that holds others."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return digest.hexdigest()[:16]
