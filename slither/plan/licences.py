"""What went into a binary and under which licence: the components its manifest lists.

Two pure halves (the versions they record are found by slither.plan.resolve). At plan time,
`licence_candidates` lists everything a build may link (CPython, the libraries its source
bundles, each stdlib module's system archives, the toolchain's C and GCC runtimes, the recipes
and their static libraries, the MPI), each with the condition under which it really goes in. At link time, `components_in_binary` keeps those whose condition held:
a stdlib archive only when one of its modules is built in (CPython's info.json), a library
only when the final link names it (modules.rsp).

Kept out of the build manifest that is frozen into the binary (slither.plan.build_plan): the
list rides in the manifest section alone, so recording licences changes no other byte.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from slither.cpython import stdlib_libraries
from slither.recipes.loading import PROJECT_ROOT

ALWAYS = "always"


@dataclass(frozen=True)
class Candidate:
    """Something a build may link. `when`: ALWAYS, "module:<stdlib module>" (any of `modules`
    built in) or "link:<archive>" (the final link names -l<stem> or the archive itself)."""

    name: str
    version: str
    licence: str
    origin: str
    when: str = ALWAYS
    modules: tuple[str, ...] = ()
    used_by: tuple[str, ...] = ()


# The C library and GCC runtime every static binary of a toolchain family carries, by the
# profile's wheel_platform (its libc); licences from Debian's copyright files of libc6 / musl
# and of GCC's runtime libraries (gcc-12).
LIBC_BY_PLATFORM = {"manylinux": ("glibc", "libc6-dev", "LGPL-2.1-or-later"),
                    "musllinux": ("musl", "musl-dev", "MIT")}
GCC_RUNTIME = "GPL-3.0-or-later WITH GCC-exception-3.1"
# Runtime archives the final link may add beyond what recipes declare (slither.link.main_c):
# the C++ runtime for C++ extensions, libquadmath beside libgfortran (Debian's gcc copyright file:
# libquadmath/*.[hc] are under the GNU Library General Public License, version 2 or later).
LINKED_RUNTIMES = (("libstdc++", "libstdc++.a", GCC_RUNTIME), ("libquadmath", "libquadmath.a", "LGPL-2.0-or-later"))


def _archive_stem(archive: str) -> str:
    return archive.removeprefix("lib").removesuffix(".a")


def licence_candidates(plan, cpython_recipe, versions: dict[str, str], gcc_version: str = "") -> list[Candidate]:
    """Everything the plan's binary may contain. versions: Debian package -> version (of
    debian_packages_of the plan's recipes, as slither.plan.resolve found them)."""
    release = plan.release
    candidates = [Candidate("cpython", release.version, cpython_recipe.licence,
                            f"python.org source {release.source.filename}")]
    candidates += [Candidate(library.name, library.version, library.licence,
                             f"bundled in CPython {release.version}", when=f"module:{library.module}",
                             modules=(library.module,))
                   for library in release.bundled_libraries]
    candidates += stdlib_library_candidates(plan, cpython_recipe)
    libc = LIBC_BY_PLATFORM.get(plan.profile.wheel_platform)
    if libc:
        name, package, licence = libc
        candidates.append(Candidate(name, versions.get(package, ""), licence,
                                    f"toolchain C library (Debian {package}), TARGET {plan.profile.name}"))
    candidates.append(Candidate("libgcc", gcc_version, GCC_RUNTIME, f"toolchain runtime (GCC), TARGET {plan.profile.name}"))
    candidates += [Candidate(name, gcc_version, licence, "toolchain runtime (GCC)", when=f"link:{archive}")
                   for name, archive, licence in LINKED_RUNTIMES]
    stdlib_recipes = {library.recipe for library in cpython_recipe.stdlib_libraries}
    extra_libraries = [recipe for recipe in plan.target_libraries
                       if recipe.name not in stdlib_recipes and not recipe.build_only]
    for recipe in (*extra_libraries, *plan.recipes):
        if recipe.recipe_free:
            origin = f"package metadata of {recipe.source.filename} ({recipe.licence_field}); no recipe"
        else:
            origin = _recipe_origin(recipe)
        candidates.append(Candidate(recipe.name, recipe.version, recipe.licence or "unknown", origin,
                                    used_by=(recipe.name,)))
        candidates += [Candidate(library.archive.removesuffix(".a"), versions.get(library.debian_package, ""),
                                 library.licence, f"system archive {library.archive} (Debian {library.debian_package})",
                                 when=f"link:{library.archive}", used_by=(recipe.name,))
                       for library in recipe.static_libraries]
    mpi = getattr(plan, "mpi", None)
    if mpi is not None and mpi.kind != "recipe":
        candidates.append(Candidate("mpi", "", "unknown", f"the site's MPI: {mpi.description}"))
    return candidates


def stdlib_library_candidates(plan, cpython_recipe) -> list[Candidate]:
    """The libraries the stdlib's modules link, each in when one of its modules is built in: from
    its pinned recipe, or the host's archives (HOST_LIBRARIES) with the package that installed them."""
    choice = stdlib_libraries.choose(cpython_recipe, host={archive.library for archive in plan.host_archives},
                                     cannot_build=plan.profile.stdlib_libraries_left_out,
                                     without=getattr(plan, "without", ()))
    modules_of: dict[str, list[str]] = {}
    for module, names in choice.module_libraries.items():
        for name in names:
            modules_of.setdefault(name, []).append(module)
    by_name = stdlib_libraries.libraries_by_name(cpython_recipe)
    recipes = {recipe.name: recipe for recipe in plan.target_libraries}
    candidates = []
    for name, modules in modules_of.items():
        when = "module:" + ",".join(modules)
        if name in choice.host:
            archives = [archive for archive in plan.host_archives if archive.library == name]
            packages = sorted({archive.package for archive in archives if archive.package})
            candidates.append(Candidate(
                name, packages[0].split(" ", 1)[-1] if len(packages) == 1 else "", by_name[name].licence,
                f"host archive {', '.join(archive.path for archive in archives)} "
                f"({', '.join(packages) or 'no package manager knows it'}; HOST_LIBRARIES)",
                when=when, modules=tuple(modules)))
            continue
        recipe = recipes.get(by_name[name].recipe)
        if recipe is not None:
            candidates.append(Candidate(recipe.name, recipe.version, recipe.licence, _recipe_origin(recipe),
                                        when=when, modules=tuple(modules)))
    return candidates


def _recipe_origin(recipe) -> str:
    """The recipe (checkout-relative: an absolute path would make the manifest, and the link's
    cache key, depend on where the checkout is) and the sha256 of the source it pins."""
    path = Path(recipe.path)
    try:
        where = f"recipe {path.resolve().relative_to(PROJECT_ROOT)}"
    except ValueError:
        where = f"recipe {path.name} (outside the checkout)"
    return f"{where}, source {recipe.source.filename} sha256:{recipe.source.sha256}" if recipe.source else where


def debian_packages_of(recipes, profile) -> list[str]:
    """The Debian packages whose versions licence_candidates records (for the plan's recipes)."""
    packages = [library.debian_package for recipe in recipes for library in recipe.static_libraries]
    libc = LIBC_BY_PLATFORM.get(profile.wheel_platform)
    return sorted(set(packages + ([libc[1]] if libc else [])))


def _linked(archive: str, link_flags: list[str]) -> bool:
    """-l<stem>, or the archive by path: under its own name or a versioned one that starts with
    it (meson links Debian's libopenblas.a as .../libopenblasp-r0.3.21.a, the file it points to)."""
    if f"-l{_archive_stem(archive)}" in link_flags:
        return True
    base = archive.removesuffix(".a")
    return any(flag.endswith(".a") and flag.rpartition("/")[2].startswith(base) for flag in link_flags
               if flag.startswith("/"))


def components_in_binary(candidates: list[dict], builtin_modules, link_flags) -> list[dict]:
    """The candidates (as dicts) whose condition held: what the manifest lists, each once."""
    builtin, flags = set(builtin_modules), list(link_flags)
    components, seen = [], set()
    for candidate in candidates:
        when = candidate["when"]
        if when.startswith("module:"):
            used_by = [module for module in candidate["modules"] if module in builtin]
            if not used_by:
                continue
        elif when.startswith("link:"):
            if not _linked(when[len("link:"):], flags):
                continue
            used_by = list(candidate["used_by"])
        else:
            used_by = list(candidate["used_by"])
        key = (candidate["name"], candidate["version"])
        if key in seen:
            continue
        seen.add(key)
        components.append({"name": candidate["name"], "version": candidate["version"],
                           "licence": candidate["licence"], "origin": candidate["origin"], "used_by": used_by})
    return components


def candidates_as_data(candidates: list[Candidate]) -> list[dict]:
    return [asdict(candidate) for candidate in candidates]
