"""Load data files by location: TARGET profiles (targets/*.py), the CPython recipe
(modules/cpython/releases.py), and the loader every recipe goes through.

Package and library recipes are loaded by slither.recipes.module_recipes: this file shapes the
CPython build (the CPython step imports it, so its content is part of that step's signature),
so package vocabulary stays out of it.

Each file is imported under a unique module name with importlib, never through sys.path,
so two recipes or profiles with the same base name cannot shadow one another.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from types import ModuleType

from slither.errors import SlitherError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TARGETS_DIR = PROJECT_ROOT / "targets"
MODULES_DIR = PROJECT_ROOT / "modules"


# Executed files by (namespace, resolved path, sha256 of the content): one plan asks for the same
# recipe many times (resolving, checking MPI, versions for run-time requirements), and a data
# file has no side effects, so each content runs once per process. The content is in the key so
# that a file edited while the process runs (a test writing a recipe twice) is read again.
_LOADED: dict[tuple[str, str, str], ModuleType] = {}


def load_python_file(path: Path, namespace: str) -> ModuleType:
    """The data file at `path`, executed once per content and process (a SlitherError when it
    cannot be read or raises)."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise SlitherError(f"{path}: cannot be read: {error.strerror}") from None
    key = (namespace, str(path.resolve()), hashlib.sha256(content).hexdigest())
    if key not in _LOADED:
        _LOADED[key] = _execute_python_file(path, namespace)
    return _LOADED[key]


def _execute_python_file(path: Path, namespace: str) -> ModuleType:
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
    CXX: str        # empty: the toolchain has no C++ compiler (musl-gcc); packages needing one fail
    FC: str         # empty: no Fortran compiler
    AR: str
    RANLIB: str
    CFLAGS: tuple[str, ...] = ()
    static_link_flags: tuple[str, ...] = ()
    environment: dict = field(default_factory=dict)
    package_manager_hint: str = "install {package}"
    openssl_config: str = ""
    # A compiler driver that already compiles and links MPI (Cray's `cc`): with it, no MPI recipe
    # is built and mpi4py is built against it. Empty: MPI comes from a recipe or MPI=system.
    mpi_compiler: str = ""
    # Set when the toolchain cannot have some stdlib modules' static libraries (musl: Debian
    # builds them for glibc only): such modules are left out with this reason ({archive} and
    # {package} filled in) instead of stopping the build. Empty: a missing archive is an error.
    missing_library_reason: str = ""
    # C libraries built from recipes (modules/libraries/<name>.py) with this toolchain before
    # CPython, which links them in: those the toolchain's system does not provide.
    library_recipes: tuple[str, ...] = ()
    # What to do when a program the profile names is missing (shown in that error).
    toolchain_hint: str = "Debian: apt-get install build-essential"
    # The wheel platform family the host interpreter installs (its libc): "manylinux" (glibc)
    # or "musllinux". It picks the compiled build tools' wheels in modules/build_tools/wheels.py.
    wheel_platform: str = "manylinux"
    # The caller's variables (fnmatch patterns) the toolchain needs where it runs (Cray: CRAY_*);
    # they change where a build runs, not what it makes.
    passed_environment: tuple[str, ...] = ()
    # Stdlib libraries whose recipes this toolchain cannot build, {name: why} (musl: libuuid): the
    # modules that link one are left out with that reason (slither.cpython.stdlib_libraries).
    stdlib_libraries_left_out: dict = field(default_factory=dict)
    # The compiler does not search the host's /usr/include (musl-gcc) and so misses the Linux
    # kernel's own headers, which belong to no C library: library steps get links to the host's
    # (slither.libraries.kernel_headers).
    kernel_headers_from_host: bool = False
    # What the toolchain on this machine is, found at plan time (slither.plan.toolchain_identity):
    # its compilers' versions and the content of the C library and runtimes it links. Every step
    # signs the profile's data, so a compiler or libc upgrade on the host rebuilds, never reuses.
    toolchain_identity: str = ""


_REQUIRED_PROFILE_FIELDS = ("CC", "CXX", "FC", "AR", "RANLIB")
# Declared, but may be empty: a toolchain without C++ or Fortran says so with "".
_MAY_BE_EMPTY = ("CXX", "FC")


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
    missing = [name for name in _REQUIRED_PROFILE_FIELDS
               if not (getattr(module, name, None) or (name in _MAY_BE_EMPTY and hasattr(module, name)))]
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
        mpi_compiler=getattr(module, "mpi_compiler", ""),
        missing_library_reason=getattr(module, "missing_library_reason", ""),
        library_recipes=tuple(getattr(module, "library_recipes", ())),
        toolchain_hint=getattr(module, "toolchain_hint", ToolchainProfile.toolchain_hint),
        wheel_platform=_wheel_platform(path, getattr(module, "wheel_platform", ToolchainProfile.wheel_platform)),
        passed_environment=tuple(getattr(module, "passed_environment", ())),
        stdlib_libraries_left_out=dict(getattr(module, "stdlib_libraries_left_out", {})),
        kernel_headers_from_host=bool(getattr(module, "kernel_headers_from_host", False)),
    )


# A step gets the TARGET profile by value: SConstruct loads the profile file once, and each step
# reads this data (written by the SlitherProfileData step) instead of importing the file again.
# Every field but the file's path: the data is a signed input, and a path would keep a cache
# from being shared between checkouts (the profile's comments and layout no longer matter either).


def profile_data(profile: ToolchainProfile) -> str:
    values = asdict(profile)
    del values["path"]
    return json.dumps(values, sort_keys=True, indent=1) + "\n"


def load_profile_data(path: Path) -> ToolchainProfile:
    """The profile a step was handed (profile_data's text in the file at path); its path is
    that file's, the one a step's message can name."""
    values = json.loads(Path(path).read_text())
    for declared in fields(ToolchainProfile):
        if declared.type.startswith("tuple") and declared.name in values:  # JSON has lists only
            values[declared.name] = tuple(values[declared.name])
    return ToolchainProfile(path=Path(path), **values)


WHEEL_PLATFORMS = ("manylinux", "musllinux")


def _wheel_platform(path: Path, value: str) -> str:
    if value not in WHEEL_PLATFORMS:
        raise SlitherError(f"{path}: wheel_platform = {value!r}; choose one of {', '.join(WHEEL_PLATFORMS)}")
    return value


def load_cpython_recipe() -> ModuleType:
    return load_python_file(MODULES_DIR / "cpython" / "releases.py", "recipe")


def default_series() -> str:
    """The CPython series built when PYTHON is not given: the recipe's DEFAULT_SERIES."""
    return load_cpython_recipe().DEFAULT_SERIES


def cpython_release(series: str):
    recipe = load_cpython_recipe()
    if series not in recipe.releases:
        raise SlitherError(f"PYTHON={series}: unsupported; choose one of "
                           f"{', '.join(sorted(recipe.releases))}")
    return recipe.releases[series]
