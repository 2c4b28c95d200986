"""The checkout files a build step runs, computed from its imports, so that its cache key signs them.

A step that runs `python3 -m slither.cpython.build` executes that module, every project module
it imports (directly or through others), and the `__init__.py` of every package on the way.
Editing any of them must rebuild the step; editing anything else must not. Lists kept by hand
drift (a forgotten file lets a changed step reuse stale results), so each step's list is the
import closure of its entry module, read from the source with `ast` (nothing is executed),
plus the data files it loads by path (recipes), which no import names.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from slither.recipes.loading import PROJECT_ROOT

# Top-level packages of the checkout; imports of anything else (stdlib, SCons) are not signed.
PROJECT_PACKAGES = ("slither", "harness")


def module_file(dotted: str, root: Path = PROJECT_ROOT) -> str | None:
    """`slither.cpython.build` -> "slither/cpython/build.py" (or a package's __init__.py)."""
    base = root / dotted.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return str(candidate.relative_to(root))
    return None


def _dotted_name(relative_path: str) -> str:
    parts = list(Path(relative_path).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_names(relative_path: str, root: Path) -> set[str]:
    """Dotted names a file imports that may be project modules (each `from x import y` gives
    both `x` and `x.y`, since y may be a submodule)."""
    tree = ast.parse((root / relative_path).read_text(), filename=relative_path)
    is_package = relative_path.endswith("__init__.py")
    package = _dotted_name(relative_path).split(".") if is_package else _dotted_name(relative_path).split(".")[:-1]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return {name for name in names if name.split(".")[0] in PROJECT_PACKAGES}


@lru_cache(maxsize=None)
def _closure(start_files: tuple[str, ...], root: Path) -> frozenset[str]:
    found: set[str] = set()
    pending = [f"file:{path}" for path in start_files]
    while pending:
        item = pending.pop()
        if item.startswith("file:"):
            paths = [item[len("file:"):]]
        else:
            parts = item.split(".")
            # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
            paths = [module_file(".".join(parts[:depth]), root) for depth in range(1, len(parts) + 1)]
        for path in paths:
            if path is None or path in found:
                continue
            found.add(path)
            if path.endswith(".py"):
                pending.extend(_imported_names(path, root))
    return frozenset(found)


def signed_code(*entry_modules: str, data_files: tuple[str, ...] = (), whole_packages: tuple[str, ...] = (),
                root: Path = PROJECT_ROOT) -> list[str]:
    """The checkout-relative files a step running `entry_modules` depends on, sorted.

    data_files: files the step loads by path (recipes, runtime modules to freeze); a Python
    data file's own imports run too. whole_packages: packages whose modules are imported by
    name at run time (importlib), which no import statement shows: all their modules count."""
    root = Path(root)
    starts = []
    for entry in entry_modules:
        path = module_file(entry, root)
        if path is None:
            raise ValueError(f"{entry}: no such module in the checkout")
        starts.extend(p for depth in range(1, entry.count(".") + 2)
                      if (p := module_file(".".join(entry.split(".")[:depth]), root)))
    for package in whole_packages:
        starts.extend(str(path.relative_to(root)) for path in sorted((root / package.replace(".", "/")).glob("*.py")))
    starts.extend(data_files)
    return sorted(_closure(tuple(starts), root))
