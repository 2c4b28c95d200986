"""Package recipes (modules/<name>.py other than cpython and build_tools): vocabulary and loading.

Kept apart from slither.plan.loading and slither.plan.recipe, which the CPython step signs: growing the
package-recipe vocabulary must not rebuild CPython.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from slither.errors import SlitherError
from slither.packages.build_requirements import pinned_build_requirements
from slither.plan.loading import MODULES_DIR, load_python_file
from slither.plan.recipe import Source, StaticLibrary


# How a package turns into installed files; "pure" packages have no compiled code at all.
PACKAGE_BUILD_SYSTEMS = ("setuptools", "meson-python", "scikit-build-core", "hatchling", "flit-core",
                         "pdm-backend", "poetry-core", "pep517", "pure")
# C libraries built from source into an install prefix (slither.libraries.build), not Python
# packages: "autotools" is ./configure && make && make install.
LIBRARY_BUILD_SYSTEMS = ("autotools",)
BUILD_SYSTEMS = PACKAGE_BUILD_SYSTEMS + LIBRARY_BUILD_SYSTEMS

# What a library recipe may provide that another build can take from elsewhere instead:
# "mpi" is replaced by a site's MPI (MPI=system, or a TARGET whose compiler is MPI-aware).
PROVIDABLE = ("mpi",)

# An SPDX license expression, as far as a recipe needs one: ids (letters, digits, '.', '-', '+',
# LicenseRef-...) joined by AND / OR / WITH, with optional parentheses.
_SPDX_ID = r"[A-Za-z0-9][A-Za-z0-9.+-]*"
SPDX_EXPRESSION = re.compile(rf"^\(?{_SPDX_ID}\)?( (AND|OR|WITH) \(?{_SPDX_ID}\)?)*$")


def is_spdx_expression(text: str) -> bool:
    return bool(SPDX_EXPRESSION.match(text or ""))


@dataclass
class Recipe:
    """A module recipe as loaded from modules/<name>.py (load_module_recipe below).

    `link_libraries` are `-l` names the final link adds beyond what the captures recorded
    (e.g. a library a package dlopens in its shared build); `patches` are file names in
    patches/, applied in order to the unpacked source; `extension_modules` are the dotted
    names the build must produce (packages such as markupsafe quietly fall back to pure
    Python when their C code fails to build: this turns that into an error); `extra` keeps
    any other fields the recipe declares, for code that handles a special package.

    Library recipes (build_system "autotools") add `configure_flags` (given to ./configure
    after --prefix), `provides` (e.g. "mpi") and `mpi_wrapper` (the MPI compiler wrapper
    inside their install prefix, e.g. "bin/mpicc"), and `launchers`: programs of their prefix
    that go beside the binary in BUILD_DIR/bin and are installed with it ({name there: path in
    the prefix}, e.g. MPICH's {"mpiexec": "bin/mpiexec.hydra"}).

    `static_libraries` are the system archives the final static link needs (e.g. libopenblas.a,
    with the Debian package that provides it): checked before anything builds.

    `licence` is the package's SPDX license expression (e.g. "BSD-3-Clause"); the binary's
    manifest lists it (slither.plan.licences). Packages without a recipe read it from their
    metadata, "unknown" when it says nothing.
    """

    name: str
    version: str = ""
    source: Source | None = None
    build_system: str = ""
    depends_on: tuple[str, ...] = ()
    link_libraries: tuple[str, ...] = ()
    patches: tuple[str, ...] = ()
    extension_modules: tuple[str, ...] = ()
    configure_flags: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    mpi_wrapper: str = ""
    licence: str = ""
    launchers: dict = field(default_factory=dict)
    static_libraries: tuple[StaticLibrary, ...] = ()
    path: str = ""
    extra: dict = field(default_factory=dict)


# modules/ holds four kinds of file, one folder each: cpython/ (the interpreter's pins) and
# build_tools/ (wheels the package builds run with) are loaded by name; recipes of Python
# packages to build in live in packages/, recipes of C libraries in libraries/.
RECIPE_FOLDERS = {"packages": "a Python package", "libraries": "a C library"}
RECIPE_TUPLE_FIELDS = ("depends_on", "link_libraries", "patches", "extension_modules", "configure_flags",
                       "provides", "static_libraries")


def module_recipe_names(modules_dir: Path = MODULES_DIR) -> list[str]:
    return sorted(path.stem for folder in RECIPE_FOLDERS for path in (Path(modules_dir) / folder).glob("*.py")
                  if not path.name.startswith("_"))


def recipe_path(name: str, modules_dir: Path = MODULES_DIR) -> Path | None:
    """Where the recipe called `name` lives (packages/ or libraries/), or None."""
    found = [path for folder in RECIPE_FOLDERS if (path := Path(modules_dir) / folder / f"{name}.py").is_file()]
    if len(found) > 1:
        raise SlitherError(f"two recipes are called {name}: {found[0]} and {found[1]}; rename one")
    return found[0] if found else None


def load_module_recipe(name: str, modules_dir: Path = MODULES_DIR) -> Recipe:
    """modules/{packages,libraries}/<name>.py as a checked Recipe; unknown fields go to `extra`."""
    path = recipe_path(name, modules_dir)
    if path is None:
        return _missing_recipe(name, modules_dir)
    module = load_python_file(path, "recipe")
    declared = {key: value for key, value in vars(module).items()
                if not key.startswith("_") and not isinstance(value, ModuleType) and not callable(value)}
    for required in ("name", "version", "source", "build_system", "licence"):
        if not declared.get(required):
            hint = " (its SPDX id, e.g. licence = \"BSD-3-Clause\")" if required == "licence" else ""
            raise SlitherError(f"{path}: recipe lacks {required}{hint}")
    if not is_spdx_expression(declared["licence"]):
        raise SlitherError(f"{path}: licence {declared['licence']!r} is not an SPDX license expression "
                           "(e.g. \"BSD-3-Clause\", \"GPL-3.0-or-later WITH GCC-exception-3.1\")")
    if declared["name"] != name:
        raise SlitherError(f"{path}: recipe says name = {declared['name']!r}; the file must be "
                           f"{path.parent.name}/{declared['name']}.py")
    if declared["build_system"] not in BUILD_SYSTEMS:
        raise SlitherError(f"{path}: build_system {declared['build_system']!r} is not one of {', '.join(BUILD_SYSTEMS)}")
    if not isinstance(declared["source"], Source) or len(declared["source"].sha256) != 64:
        raise SlitherError(f"{path}: source must be a Source with a sha256 (slither.plan.recipe.pinned_sdist)")
    fields = {key: declared.pop(key) for key in ("name", "version", "source", "build_system", "licence")}
    for key in RECIPE_TUPLE_FIELDS:
        if key in declared:
            value = declared.pop(key)
            if isinstance(value, str):
                raise SlitherError(f"{path}: {key} must be a list of names, not the string {value!r}")
            fields[key] = tuple(value)
    unknown = sorted(set(fields.get("provides", ())) - set(PROVIDABLE))
    if unknown:
        raise SlitherError(f"{path}: provides {', '.join(unknown)}: only {', '.join(PROVIDABLE)} can be provided")
    kind_folder = "libraries" if fields["build_system"] in LIBRARY_BUILD_SYSTEMS else "packages"
    if path.parent.name != kind_folder:
        raise SlitherError(f"{path}: build_system {fields['build_system']!r} makes it "
                           f"{RECIPE_FOLDERS[kind_folder]}; move it to modules/{kind_folder}/")
    if fields["build_system"] in LIBRARY_BUILD_SYSTEMS and "mpi" in fields.get("provides", ()) \
            and not declared.get("mpi_wrapper"):
        raise SlitherError(f"{path}: a recipe that provides mpi must name its mpi_wrapper (e.g. 'bin/mpicc')")
    if "launchers" in declared:
        launchers = declared.pop("launchers")
        if not isinstance(launchers, dict) or not all(
                isinstance(name, str) and "/" not in name and isinstance(inside, str) and inside.startswith("bin/")
                for name, inside in launchers.items()):
            raise SlitherError(f"{path}: launchers must map a program name to its path in the prefix's bin/ "
                               "(e.g. {'mpiexec': 'bin/mpiexec.hydra'})")
        fields["launchers"] = dict(launchers)
    if "mpi_wrapper" in declared:
        fields["mpi_wrapper"] = str(declared.pop("mpi_wrapper"))
    if not all(isinstance(library, StaticLibrary) for library in fields.get("static_libraries", ())):
        raise SlitherError(f"{path}: static_libraries must be StaticLibrary(archive, debian_package, licence) records")
    for library in fields.get("static_libraries", ()):
        if not is_spdx_expression(library.licence):
            raise SlitherError(f"{path}: static library {library.archive} lacks its licence (an SPDX id, "
                               "the third field of StaticLibrary)")
    # Recipe vocabulary imported by the file (pinned_sdist, Source) is not a field.
    extra = {key: value for key, value in declared.items() if not isinstance(value, type)}
    if "build_requirements" in extra:  # the recipe's own pins instead of the nine build tools
        if fields["build_system"] in ("pure", *LIBRARY_BUILD_SYSTEMS):
            raise SlitherError(f"{path}: build_requirements are for packages built by a PEP 517 backend, "
                               f"not for build_system {fields['build_system']!r}")
        # "locked": the sdist's own requirements, locked on first use by the plan
        # (slither.plan.recipe_free.with_locked_build_requirements); else the recipe's own pins.
        if extra["build_requirements"] != "locked":
            extra["build_requirements"] = pinned_build_requirements(extra["build_requirements"], str(path))
    return Recipe(**fields, path=str(path), extra=extra)


def is_library(recipe: Recipe) -> bool:
    """A C library built into an install prefix, not a Python package to freeze."""
    return recipe.build_system in LIBRARY_BUILD_SYSTEMS


def uses_mpi(recipe: Recipe, modules_dir: Path = MODULES_DIR) -> bool:
    """Whether a package needs an MPI: one of its depends_on provides it."""
    return any("mpi" in load_module_recipe(name, modules_dir).provides for name in recipe.depends_on)


def distribution_name(recipe: Recipe) -> str:
    """The package a recipe installs: variants of one package (numpy, numpy-noblas) share it."""
    return recipe.source.pip.name if recipe.source and recipe.source.pip else recipe.name


def _missing_recipe(name: str, modules_dir: Path) -> Recipe:
    names = module_recipe_names(modules_dir)
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise SlitherError(f"no recipe modules/packages/{name}.py{hint}; give name==version to build it "
                       "without one (its sha256 is then locked on first use)")
