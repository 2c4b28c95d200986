"""REQUIREMENTS=file: an application's requirements list, taken as if each entry were in MODULES.

Three formats, told apart by the file's name:

    requirements.txt (any other name)   pip's format: `name[extra]==1.0 ; marker`, `--hash=sha256:...`
                                         (also on `\\`-continued lines), `-r other.txt`, comments
    pylock.toml, pylock.NAME.toml        PEP 751: [[packages]] name, version, marker, sdist/wheels hashes
    pyproject.toml                       an application's [project] dependencies

Each entry is evaluated for the binary's interpreter (its markers with the TARGET's Python
version), then becomes a MODULES entry:

* a name with a recipe: the recipe (a version or specifier, when given, must admit the recipe's);
* `name==version` without a recipe: built from its locked source, as `MODULES=name==version`;
  with `--hash` lines (or a lock's hashes) the locked file's sha256 must be one of them;
* a name without a recipe and without `==`: the newest release the specifiers admit, chosen on
  first use and locked (CACHE_DIR/downloads/locks/resolved/, slither/sources/resolved.py), so every later build takes the same.

Bad input is one line naming the file and line: an option pip would apply that Slither cannot
(`--index-url` in the file), a URL or path requirement, a file that does not parse.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from slither.errors import SlitherError
from slither.sources import resolved
from slither.sources.unpinned import normalized_name

HASH_OPTION = re.compile(r"--hash[=\s]+sha256:([0-9a-fA-F]{64})")


@dataclass(frozen=True)
class Required:
    """One requirement of the file, before it is evaluated for the binary."""
    name: str
    specifier: str = ""            # "==1.0", ">=2,<3", "" (any)
    extras: tuple[str, ...] = ()
    marker: str = ""
    hashes: frozenset = frozenset()
    origin: str = ""               # "requirements.txt:3", for the messages


def _requirement(text: str, origin: str, hashes=frozenset()) -> Required:
    try:
        parsed = Requirement(text)
    except InvalidRequirement as error:
        raise SlitherError(f"REQUIREMENTS {origin}: {text!r} is not a requirement "
                           f"({str(error).splitlines()[0]})") from None
    if parsed.url:
        raise SlitherError(f"REQUIREMENTS {origin}: {parsed.name} @ {parsed.url}: a URL or path requirement; "
                           "give name==version (or a local project in MODULES=./path)")
    return Required(parsed.name, str(parsed.specifier), tuple(sorted(parsed.extras)),
                    str(parsed.marker) if parsed.marker else "", frozenset(hashes), origin)


def _logical_lines(path: Path):
    """(line number, text) of a requirements file, `\\`-continuations joined, comments dropped."""
    pending, start = "", 0
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = (pending + line).strip()
        pending = ""
        if text:
            yield start, text


def read_requirements_txt(path: Path, seen=()) -> list[Required]:
    if path.resolve() in seen:
        raise SlitherError(f"REQUIREMENTS {path}: includes itself (-r)")
    required = []
    for number, text in _logical_lines(path):
        origin = f"{path.name}:{number}"
        if text.startswith(("-r ", "--requirement ", "-r", "--requirement=")):
            included = text.split(None, 1)[1] if " " in text else text.split("=", 1)[1] if "=" in text else text[2:]
            required += read_requirements_txt((path.parent / included.strip()).resolve(), (*seen, path.resolve()))
            continue
        if text.startswith("-"):
            raise SlitherError(f"REQUIREMENTS {origin}: the option {text.split()[0]} is not taken from a requirements "
                               "file; pip's own configuration (pip.conf, PIP_INDEX_URL) says where packages come from")
        hashes = {digest.lower() for digest in HASH_OPTION.findall(text)}
        requirement_text = HASH_OPTION.sub("", text).strip()
        if " --" in f" {requirement_text}":
            option = requirement_text[requirement_text.index("--"):].split()[0]
            raise SlitherError(f"REQUIREMENTS {origin}: the option {option} is not taken from a requirements "
                               "file (only --hash=sha256:...)")
        required.append(_requirement(requirement_text, origin, hashes))
    return required


def read_pylock(path: Path) -> list[Required]:
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise SlitherError(f"REQUIREMENTS {path.name}: not TOML ({error})") from None
    if not isinstance(data.get("packages"), list):
        raise SlitherError(f"REQUIREMENTS {path.name}: no [[packages]] (PEP 751 lock-version {data.get('lock-version')!r})")
    required = []
    for index, package in enumerate(data["packages"], 1):
        origin = f"{path.name} [[packages]] #{index}"
        name, version = package.get("name"), package.get("version")
        if not isinstance(name, str) or not isinstance(version, str):
            raise SlitherError(f"REQUIREMENTS {origin}: a package needs a name and a version")
        hashes = set()
        for artefact in [package.get("sdist") or {}, *(package.get("wheels") or [])]:
            digest = (artefact.get("hashes") or {}).get("sha256")
            if isinstance(digest, str):
                hashes.add(digest.lower())
        marker = package.get("marker") or ""
        required.append(Required(name, f"=={version}", (), marker, frozenset(hashes), origin))
    return required


def read_pyproject(path: Path) -> list[Required]:
    try:
        project = tomllib.loads(path.read_text()).get("project") or {}
    except tomllib.TOMLDecodeError as error:
        raise SlitherError(f"REQUIREMENTS {path.name}: not TOML ({error})") from None
    dependencies = project.get("dependencies")
    if not isinstance(dependencies, list):
        raise SlitherError(f"REQUIREMENTS {path.name}: no [project] dependencies list")
    return [_requirement(text, f"{path.name} dependencies[{index}]") for index, text in enumerate(dependencies)]


def read_requirements(path_text: str) -> list[Required]:
    """The requirements of the file REQUIREMENTS names, in the format its name says."""
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise SlitherError(f"REQUIREMENTS={path_text}: no such file")
    if path.name == "pyproject.toml":
        return read_pyproject(path)
    if re.fullmatch(r"pylock(\.[^.]+)?\.toml", path.name):
        return read_pylock(path)
    return read_requirements_txt(path)


def applies(required: Required, environment: dict) -> bool:
    if not required.marker:
        return True
    try:
        return Marker(required.marker).evaluate({**environment, "extra": ""})
    except InvalidMarker as error:
        raise SlitherError(f"REQUIREMENTS {required.origin}: marker {required.marker!r} does not parse ({error})") from None


def resolve_once(name: str, specifier: str, store: Path, newest: Callable[[str, SpecifierSet], str | None]) -> str:
    """The version an unpinned requirement takes: chosen on first use (newest that fits), locked."""
    version = resolved.version_once(name, specifier, store, newest)
    if version is None:
        raise SlitherError(f"REQUIREMENTS: no release of {name} on the package index satisfies {specifier or 'any version'} "
                           "with an sdist or a pure wheel")
    return version


def module_entries(required: list[Required], environment: dict, recipe_versions: dict[str, str], *,
                   store: Path, newest: Callable[[str, SpecifierSet], str | None],
                   locked_sha256: Callable[[str, str], str]) -> dict[str, str]:
    """MODULES entries for the requirements that apply to the binary's interpreter, each with the
    line that asked for it ({"numpy": "requirements.txt:2"}, in the file's order).
    recipe_versions: {recipe name: its version}; newest(name, specifiers): the newest release on
    the index; locked_sha256(name, version): the sha256 of the file name==version is locked to."""
    entries, chosen = {}, {}
    for item in required:
        if not applies(item, environment):
            continue
        key = normalized_name(item.name)
        recipe = next((recipe_name for recipe_name in recipe_versions if normalized_name(recipe_name) == key), None)
        specifier = SpecifierSet(item.specifier)
        extras = f"[{','.join(item.extras)}]" if item.extras else ""
        if recipe is not None:
            version = recipe_versions[recipe]
            if item.specifier and not specifier.contains(Version(version.split("+")[0]), prereleases=True):
                raise SlitherError(f"REQUIREMENTS {item.origin}: {item.name}{item.specifier}, but its recipe builds "
                                   f"{version} (modules/packages/{recipe}.py)")
            entry = recipe
        else:
            pinned = [spec.version for spec in specifier if spec.operator in ("==", "===") and "*" not in spec.version]
            version = pinned[0] if len(pinned) == 1 and len(specifier) == 1 else resolve_once(
                item.name, item.specifier, store, newest)
            if item.hashes:
                digest = locked_sha256(item.name, version)
                if digest not in item.hashes:
                    raise SlitherError(f"REQUIREMENTS {item.origin}: {item.name}=={version} is locked to a file with "
                                       f"sha256 {digest}, which none of its --hash values names")
            entry = f"{item.name}{extras}=={version}"
        if key in chosen and chosen[key] != entry:
            raise SlitherError(f"REQUIREMENTS {item.origin}: {item.name} is asked for twice, as {chosen[key]} and {entry}")
        if key not in chosen:
            chosen[key] = entry
            entries[entry] = item.origin
    return entries


def entries_for_build(path_text: str, series: str, store: Path, log=print) -> dict[str, str]:
    """REQUIREMENTS as MODULES entries for this build: the file read, its markers evaluated for
    CPython `series`, unpinned names resolved against the package index (once, then locked)."""
    from slither.plan import runtime_requirements
    from slither.recipes import loading, module_recipes
    from slither.sources import package_index
    from slither.sources.pinned import default_index
    from slither.sources.unpinned import obtain_unpinned

    required = read_requirements(path_text)
    release = loading.cpython_release(series)
    environment = runtime_requirements.target_environment(series, release.version)

    def newest(name, specifiers):
        return runtime_requirements.newest_satisfying(name, specifiers,
                                                      package_index.release_files(name, default_index()))

    def locked_sha256(name, version):
        return obtain_unpinned(f"{name}=={version}", store=store, log=log)[0].sha256

    recipe_versions = {name: module_recipes.load_module_recipe(name).version
                       for name in module_recipes.module_recipe_names()}
    return module_entries(required, environment, recipe_versions, store=store, newest=newest,
                          locked_sha256=locked_sha256)


def merge_with_modules(modules: list[str], entries: list[str]) -> list[str]:
    """MODULES first, then the requirements it does not name already (one line if both name a
    package at different versions)."""
    from slither.plan.module_entries import parse_entry
    named = {}
    for text in modules:
        entry = parse_entry(text)
        if not entry.is_local:
            named[normalized_name(entry.name)] = entry
    merged = list(modules)
    for text in entries:
        entry = parse_entry(text)
        mine = named.get(normalized_name(entry.name))
        if mine is None:
            merged.append(text)
        elif mine.version and entry.version and mine.version != entry.version:
            raise SlitherError(f"MODULES names {mine.text} and REQUIREMENTS {text}: choose one version")
    return merged
