"""Load recipes (modules/*.py) and TARGET profiles (targets/*.py) as plain data files.

Each file is imported under a unique module name with importlib, never through sys.path,
so two recipes or profiles with the same base name cannot shadow one another.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from .errors import SlitherError
from .recipe import BUILD_SYSTEMS, Recipe, Source

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGETS_DIR = PROJECT_ROOT / "targets"
MODULES_DIR = PROJECT_ROOT / "modules"


def load_python_file(path: Path, namespace: str) -> ModuleType:
    path = Path(path)
    unique = f"_slither_{namespace}_{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}"
    spec = importlib.util.spec_from_file_location(unique, path)
    if spec is None or spec.loader is None:
        raise SlitherError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SlitherError:
        raise
    except Exception as error:  # a broken profile or recipe is the user's input, not our bug
        raise SlitherError(f"{path}: cannot be loaded: {type(error).__name__}: {error}") from None
    return module


@dataclass(frozen=True)
class ToolchainProfile:
    """What a TARGET says about its toolchain; nothing else in the build knows which it got."""

    name: str
    path: Path
    description: str
    CC: str
    CXX: str
    FC: str
    AR: str
    RANLIB: str
    CFLAGS: tuple[str, ...] = ()
    static_link_flags: tuple[str, ...] = ()
    environment: dict = field(default_factory=dict)
    package_manager_hint: str = "install {package}"
    openssl_config: str = ""

    def as_signature(self) -> str:
        """Every field that changes what the toolchain produces, as stable text."""
        return repr((self.CC, self.CXX, self.FC, self.AR, self.RANLIB, self.CFLAGS,
                     self.static_link_flags, sorted(self.environment.items())))


_REQUIRED_PROFILE_FIELDS = ("CC", "CXX", "FC", "AR", "RANLIB")


def builtin_target_names() -> list[str]:
    return sorted(p.stem for p in TARGETS_DIR.glob("*.py") if not p.name.startswith("_"))


def resolve_target_path(target: str) -> Path:
    """A TARGET is a built-in profile name or a path to a profile file."""
    if target.endswith(".py") or "/" in target:
        path = Path(target).expanduser()
        if not path.is_file():
            raise SlitherError(f"TARGET={target}: no such profile file")
        return path
    path = TARGETS_DIR / f"{target}.py"
    if not path.is_file():
        names = builtin_target_names()
        close = difflib.get_close_matches(target, names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise SlitherError(f"TARGET={target}: unknown toolchain{hint}; choose one of "
                           f"{', '.join(names)} or give a profile file path")
    return path


def load_target(target: str) -> ToolchainProfile:
    path = resolve_target_path(target)
    module = load_python_file(path, "target")
    missing = [name for name in _REQUIRED_PROFILE_FIELDS if not getattr(module, name, None)]
    if missing:
        raise SlitherError(f"{path}: TARGET profile lacks {', '.join(missing)}")
    return ToolchainProfile(
        name=path.stem, path=path,
        description=getattr(module, "description", ""),
        CC=module.CC, CXX=module.CXX, FC=module.FC, AR=module.AR, RANLIB=module.RANLIB,
        CFLAGS=tuple(getattr(module, "CFLAGS", ())),
        static_link_flags=tuple(getattr(module, "static_link_flags", ())),
        environment=dict(getattr(module, "environment", {})),
        package_manager_hint=getattr(module, "package_manager_hint", "install {package}"),
        openssl_config=getattr(module, "openssl_config", ""),
    )


def load_cpython_recipe() -> ModuleType:
    return load_python_file(MODULES_DIR / "cpython.py", "recipe")


def cpython_release(series: str):
    recipe = load_cpython_recipe()
    if series not in recipe.releases:
        raise SlitherError(f"PYTHON={series}: unsupported; choose one of "
                           f"{', '.join(sorted(recipe.releases))}")
    return recipe.releases[series]


# Files in modules/ that describe something other than a package to build in.
NOT_PACKAGE_RECIPES = ("cpython", "build_tools")
RECIPE_TUPLE_FIELDS = ("depends_on", "link_libraries", "patches", "extension_modules")


def module_recipe_names(modules_dir: Path = MODULES_DIR) -> list[str]:
    return sorted(path.stem for path in modules_dir.glob("*.py")
                  if not path.name.startswith("_") and path.stem not in NOT_PACKAGE_RECIPES)


def load_module_recipe(name: str, modules_dir: Path = MODULES_DIR) -> Recipe:
    """modules/<name>.py as a checked Recipe; unknown fields go to `extra`."""
    path = Path(modules_dir) / f"{name}.py"
    if not path.is_file():
        return _missing_recipe(name, modules_dir)
    module = load_python_file(path, "recipe")
    declared = {key: value for key, value in vars(module).items()
                if not key.startswith("_") and not isinstance(value, ModuleType) and not callable(value)}
    for required in ("name", "version", "source", "build_system"):
        if not declared.get(required):
            raise SlitherError(f"{path}: recipe lacks {required}")
    if declared["name"] != name:
        raise SlitherError(f"{path}: recipe says name = {declared['name']!r}; the file must be modules/{declared['name']}.py")
    if declared["build_system"] not in BUILD_SYSTEMS:
        raise SlitherError(f"{path}: build_system {declared['build_system']!r} is not one of {', '.join(BUILD_SYSTEMS)}")
    if not isinstance(declared["source"], Source) or len(declared["source"].sha256) != 64:
        raise SlitherError(f"{path}: source must be a Source with a sha256 (slither.recipe.pinned_sdist)")
    fields = {key: declared.pop(key) for key in ("name", "version", "source", "build_system")}
    for key in RECIPE_TUPLE_FIELDS:
        if key in declared:
            value = declared.pop(key)
            if isinstance(value, str):
                raise SlitherError(f"{path}: {key} must be a list of names, not the string {value!r}")
            fields[key] = tuple(value)
    # Recipe vocabulary imported by the file (pinned_sdist, Source) is not a field.
    extra = {key: value for key, value in declared.items() if not isinstance(value, type)}
    return Recipe(**fields, path=str(path), extra=extra)


def _missing_recipe(name: str, modules_dir: Path) -> Recipe:
    names = module_recipe_names(modules_dir)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise SlitherError(f"no recipe modules/{name}.py{hint}; give name==version to build it "
                       "without one (its sha256 is then locked on first use)")
