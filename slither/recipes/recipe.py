"""`Recipe`: the fields a package or library recipe may declare, typed, and how a file's values
become one (a closed vocabulary: an unknown or mistyped field is refused with one line).

Not imported by the CPython step (nor re-exported by slither.recipes), so a new field rebuilds
the package builds that sign this file, never CPython; docs/recipes.md's field tables are
checked against the dataclass below by tests/test_recipe_fields.py.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from slither.errors import SlitherError
from slither.recipes.vocabulary import Source, StaticLibrary

# How a package turns into installed files; "pure" packages have no compiled code at all.
PACKAGE_BUILD_SYSTEMS = ("setuptools", "meson-python", "scikit-build-core", "hatchling", "flit-core",
                         "pdm-backend", "poetry-core", "pep517", "pure")
# C libraries built from source into an install prefix (slither.libraries.build), not Python
# packages: "autotools" is ./configure && make && make install; "makefile" is make && make install
# with no configure step.
LIBRARY_BUILD_SYSTEMS = ("autotools", "makefile")
BUILD_SYSTEMS = PACKAGE_BUILD_SYSTEMS + LIBRARY_BUILD_SYSTEMS
# How a library recipe's build runs, the string fields with their defaults (the library step is
# given only those that differ).
LIBRARY_STRING_FIELDS = {"configure_script": "./configure", "build_directory": "", "install_target": "install"}

# What a library recipe may provide that another build can take from elsewhere instead:
# "mpi" is replaced by a site's MPI (MPI=system, or a TARGET whose compiler is MPI-aware).
PROVIDABLE = ("mpi",)

# The value of build_requirements that asks for the sdist's own requirements, locked on first use.
LOCKED_BUILD_REQUIREMENTS = "locked"

# An SPDX license expression, as far as a recipe needs one: ids (letters, digits, '.', '-', '+',
# LicenseRef-...) joined by AND / OR / WITH, with optional parentheses.
_SPDX_ID = r"[A-Za-z0-9][A-Za-z0-9.+-]*"
SPDX_EXPRESSION = re.compile(rf"^\(?{_SPDX_ID}\)?( (AND|OR|WITH) \(?{_SPDX_ID}\)?)*$")


def is_spdx_expression(text: str) -> bool:
    return bool(SPDX_EXPRESSION.match(text or ""))


# Who may declare a field: every recipe, package recipes, library recipes, or only the plan
# (what it learns while resolving a build; a recipe file setting one is refused).
ANY, PACKAGE, LIBRARY, PLAN = "any", "package", "library", "plan"


def _declared(kind: str, default=None, factory=None):
    metadata = {"kind": kind}
    return field(default_factory=factory, metadata=metadata) if factory else field(default=default, metadata=metadata)


@dataclass
class Recipe:
    """A module recipe as loaded from modules/{packages,libraries}/<name>.py, or as the plan
    made it for a package without one. docs/recipes.md says what each field means; the
    comments here say what a value looks like."""

    # -- every recipe
    name: str = _declared(ANY, "")                      # equals the file's name
    version: str = _declared(ANY, "")
    source: Source | None = _declared(ANY)              # pinned_sdist(...), pinned_wheel(...) or Source(...)
    build_system: str = _declared(ANY, "")              # one of BUILD_SYSTEMS; picks packages/ or libraries/
    licence: str = _declared(ANY, "")                   # SPDX expression, e.g. "BSD-3-Clause"
    depends_on: tuple[str, ...] = _declared(ANY, ())    # recipe names built first
    patches: tuple[str, ...] = _declared(ANY, ())       # files in patches/, applied in order
    link_libraries: tuple[str, ...] = _declared(ANY, ())  # `-l` names the final link adds
    static_libraries: tuple[StaticLibrary, ...] = _declared(ANY, ())  # system archives the final link needs
    runtime_environment: dict[str, str] = _declared(ANY, factory=dict)  # set by the binary at start-up
    # -- package recipes
    extension_modules: tuple[str, ...] = _declared(PACKAGE, ())  # dotted names the build must produce
    config_settings: tuple[str, ...] = _declared(PACKAGE, ())    # build-backend options, given to pip
    build_environment: dict[str, str] = _declared(PACKAGE, factory=dict)  # {prefix:NAME}: a library's prefix
    # "locked", or pinned_wheel records; empty: the pinned build tools (modules/build_tools/wheels.py)
    build_requirements: str | tuple[Source, ...] = _declared(PACKAGE, ())
    # {top-level import name: bool}: whether it reads its data by path, instead of the build
    # deciding from its code (slither.freeze.data_by_path)
    data_by_path: dict[str, bool] = _declared(PACKAGE, factory=dict)
    # Requires-Dist lines of its metadata (markers allowed), brought into the build as a package
    # without a recipe's are: "cftime", "certifi; python_version < '3.14'"
    runtime_requirements: tuple[str, ...] = _declared(PACKAGE, ())
    # -- library recipes (build_system in LIBRARY_BUILD_SYSTEMS)
    configure_flags: tuple[str, ...] = _declared(LIBRARY, ())  # after --prefix
    configure_script: str = _declared(LIBRARY, "./configure")  # relative to the unpacked source
    build_directory: str = _declared(LIBRARY, "")         # where make runs, relative to the source; "": there
    make_flags: tuple[str, ...] = _declared(LIBRARY, ())  # given to make
    install_target: str = _declared(LIBRARY, "install")
    install_flags: tuple[str, ...] = _declared(LIBRARY, ())  # given to make with install_target
    build_only: bool = _declared(LIBRARY, False)          # needed to build packages, never linked in
    provides: tuple[str, ...] = _declared(LIBRARY, ())    # from PROVIDABLE
    mpi_wrapper: str = _declared(LIBRARY, "")             # e.g. "bin/mpicc", with provides = ["mpi"]
    launchers: dict[str, str] = _declared(LIBRARY, factory=dict)  # {name in BUILD_DIR/bin: "bin/..." in the prefix}
    # -- set by the plan, never by a recipe file
    path: str = _declared(PLAN, "")                       # the recipe file; "" for a package without one
    recipe_free: bool = _declared(PLAN, False)            # made from the package itself (name==version)
    source_path: Path | None = _declared(PLAN)            # its locked source file, when recipe_free
    licence_field: str = _declared(PLAN, "")              # the metadata field the licence was read from
    local_project: object = _declared(PLAN)               # slither.plan.local_project.LocalProject (./path entries)
    declared_requirements: tuple[str, ...] | None = _declared(PLAN)  # a local project's, from pyproject.toml
    extras: tuple[str, ...] = _declared(PLAN, ())         # name[extra]==version
    needed_by: tuple[str, ...] = _declared(PLAN, ())      # who brought it in, when no MODULES entry did
    requested_by: str = _declared(PLAN, "")               # the REQUIREMENTS line that named it ("requirements.txt:3")
    require_extensions: bool = _declared(PLAN, False)     # name!=... entries: every extension must build
    # slither.packages.build_requirements.LockedBuildRequirements: the wheels its build prefix is
    # made of (from build_requirements, or locked on first use); None: the pinned build tools.
    locked_build_requirements: object = _declared(PLAN)


def recipe_fields(*kinds: str) -> list:
    """The Recipe fields (dataclasses.Field) a recipe of these kinds may declare, in order."""
    return [declared for declared in fields(Recipe) if declared.metadata["kind"] in kinds]


REQUIRED_FIELDS = ("name", "version", "source", "build_system", "licence")


def is_library(recipe: Recipe) -> bool:
    """A C library built into an install prefix, not a Python package to freeze."""
    return recipe.build_system in LIBRARY_BUILD_SYSTEMS


def recipe_from_values(values: dict, where: str) -> Recipe:
    """The Recipe a file's public names declare (`where` names the file in errors): every name
    must be a field its kind may declare, with a value of that field's type."""
    for required in REQUIRED_FIELDS:
        if not values.get(required):
            hint = " (its SPDX id, e.g. licence = \"BSD-3-Clause\")" if required == "licence" else ""
            raise SlitherError(f"{where}: recipe lacks {required}{hint}")
    file_fields = {declared.name: declared for declared in recipe_fields(ANY, PACKAGE, LIBRARY)}
    for name in values:
        if name not in file_fields:
            close = difflib.get_close_matches(name, file_fields, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            set_by_plan = " (set by the plan, not by a recipe)" if name in {f.name for f in recipe_fields(PLAN)} else ""
            raise SlitherError(f"{where}: unknown field {name}{hint or set_by_plan}")
    if values["build_system"] not in BUILD_SYSTEMS:
        raise SlitherError(f"{where}: build_system {values['build_system']!r} is not one of {', '.join(BUILD_SYSTEMS)}")
    kind = LIBRARY if values["build_system"] in LIBRARY_BUILD_SYSTEMS else PACKAGE
    checked = {}
    for name, value in values.items():
        declared = file_fields[name]
        if declared.metadata["kind"] not in (ANY, kind):
            raise SlitherError(f"{where}: {name} is a field of {declared.metadata['kind']} recipes, and "
                               f"build_system {values['build_system']!r} makes this a {kind} recipe")
        checked[name] = _typed(name, declared.type, value, where)
    _check_meaning(checked, kind, where)
    return Recipe(**checked)


def _typed(name: str, annotation: str, value, where: str):
    """value as the field's type (lists become tuples), or a SlitherError naming the field."""
    if annotation == "str | tuple[Source, ...]":  # build_requirements
        return value if value == LOCKED_BUILD_REQUIREMENTS else pinned_wheels(value, where)
    if annotation in ("str", "bool"):
        if type(value).__name__ != annotation:
            raise SlitherError(f"{where}: {name} must be {'a string' if annotation == 'str' else 'True or False'}, "
                               f"not {value!r}")
        return value
    if annotation == "Source | None":
        if not isinstance(value, Source) or not re.fullmatch(r"[0-9a-f]{64}", value.sha256 or ""):
            raise SlitherError(f"{where}: {name} must be a Source with a sha256 (slither.recipes.pinned_sdist)")
        return value
    if annotation.startswith("tuple["):
        element = {"tuple[str, ...]": str, "tuple[StaticLibrary, ...]": StaticLibrary}[annotation]
        if isinstance(value, str):
            raise SlitherError(f"{where}: {name} must be a list of names, not the string {value!r}")
        if not isinstance(value, (list, tuple)) or not all(isinstance(item, element) for item in value):
            what = "StaticLibrary(archive, debian_package, licence) records" if element is StaticLibrary else "strings"
            raise SlitherError(f"{where}: {name} must be a list of {what}, not {value!r}")
        return tuple(value)
    if annotation == "dict[str, str]":
        if not isinstance(value, dict) or not all(isinstance(key, str) and isinstance(item, str)
                                                  for key, item in value.items()):
            raise SlitherError(f"{where}: {name} must map strings to strings, not {value!r}")
        return dict(value)
    if annotation == "dict[str, bool]":
        if not isinstance(value, dict) or not all(isinstance(key, str) and isinstance(item, bool)
                                                  for key, item in value.items()):
            raise SlitherError(f"{where}: {name} must map names to True or False, not {value!r}")
        return dict(value)
    raise AssertionError(f"Recipe.{name}: no check for the type {annotation}")  # a field added without one


def _check_meaning(fields_: dict, kind: str, where: str) -> None:
    """What a value's type does not say: licences are SPDX, providers name their wrapper, ..."""
    if not is_spdx_expression(fields_["licence"]):
        raise SlitherError(f"{where}: licence {fields_['licence']!r} is not an SPDX license expression "
                           "(e.g. \"BSD-3-Clause\", \"GPL-3.0-or-later WITH GCC-exception-3.1\")")
    for library in fields_.get("static_libraries", ()):
        if not is_spdx_expression(library.licence):
            raise SlitherError(f"{where}: static library {library.archive} lacks its licence (an SPDX id, "
                               "the third field of StaticLibrary)")
    unknown = sorted(set(fields_.get("provides", ())) - set(PROVIDABLE))
    if unknown:
        raise SlitherError(f"{where}: provides {', '.join(unknown)}: only {', '.join(PROVIDABLE)} can be provided")
    if "mpi" in fields_.get("provides", ()) and not fields_.get("mpi_wrapper"):
        raise SlitherError(f"{where}: a recipe that provides mpi must name its mpi_wrapper (e.g. 'bin/mpicc')")
    if not all("/" not in name and inside.startswith("bin/") for name, inside in fields_.get("launchers", {}).items()):
        raise SlitherError(f"{where}: launchers must map a program name to its path in the prefix's bin/ "
                           "(e.g. {'mpiexec': 'bin/mpiexec.hydra'})")
    for name in ("configure_script", "install_target"):
        if name in fields_ and not fields_[name]:
            raise SlitherError(f"{where}: {name} must be a non-empty string, e.g. {LIBRARY_STRING_FIELDS[name]!r}")
    directory = fields_.get("build_directory", "")
    if directory.startswith("/") or ".." in Path(directory).parts:
        raise SlitherError(f"{where}: build_directory {directory!r} must be a folder inside the source tree, e.g. 'unix'")
    if fields_["build_system"] == "makefile" and fields_.get("configure_flags"):
        raise SlitherError(f"{where}: build_system 'makefile' runs no configure script; give make_flags "
                           "instead of configure_flags")
    for text in fields_.get("runtime_requirements", ()):
        if not _is_requirement(text):
            raise SlitherError(f"{where}: runtime requirement {text!r} is not a requirement as a package's "
                               "metadata writes one (e.g. \"cftime\", \"packaging >=20; python_version < '3.14'\")")
    if fields_["build_system"] == "pure" and "build_requirements" in fields_:
        raise SlitherError(f"{where}: build_requirements are for packages built by a PEP 517 backend, "
                           "not for build_system 'pure'")


def _is_requirement(text: str) -> bool:
    from packaging.requirements import InvalidRequirement, Requirement
    try:
        Requirement(text)
    except InvalidRequirement:
        return False
    return True


def pinned_wheels(value, where: str) -> tuple[Source, ...]:
    """A recipe's own build requirements: a non-empty list of pinned_wheel records, one per tool."""
    if isinstance(value, (str, Source)) or not isinstance(value, (list, tuple)) or not value:
        raise SlitherError(f"{where}: build_requirements must be {LOCKED_BUILD_REQUIREMENTS!r} or a non-empty list "
                           "of pinned_wheel(name, version, filename, sha256)")
    for wheel in value:
        if not (isinstance(wheel, Source) and wheel.pip and wheel.pip.kind == "wheel"
                and wheel.filename.endswith(".whl") and re.fullmatch(r"[0-9a-f]{64}", wheel.sha256 or "")):
            raise SlitherError(f"{where}: build requirement {wheel!r} is not a pinned_wheel(name, version, "
                               "filename, sha256) of a .whl file")
    # One wheel per tool, or one per tool and CPython series (python_version: Cython's per-series wheels)
    names = [(re.sub(r"[-_.]+", "-", wheel.pip.name).lower(), wheel.pip.python_version) for wheel in value]
    for name, series in names:
        if names.count((name, series)) > 1 or (series and (name, "") in names):
            raise SlitherError(f"{where}: build_requirements names {name} twice"
                               + (f" for CPython {series}" if series else ""))
    return tuple(value)
