"""Build CPython from its verified tarball into the files the later steps consume.

Run by the `CPythonBuild` SCons builder as a command (python3 -m slither.cpython.build ...).
The interpreter it builds is the *host* interpreter: dynamically linked against libc so that
build backends can import freshly built extension modules, but with every stdlib C module
built in (MODULE_BUILDTYPE=static). Its libpython.a is what the final static link uses.

Outputs, each written under a temporary name and renamed only when the whole build worked:
  --install  install.tar   the installed prefix (host interpreter, stdlib, headers)
  --library  libpython.a   static library with every stdlib C module built in
  --link     link.rsp      gcc response file: the libraries the final static link needs
  --info     info.json     version, built-in modules, modules left out and why

--prefix-of RECIPE --library-prefix ARCHIVE (repeatable, in pairs) names the prefix archive
(include/, lib/lib*.a) of a C library its recipe built for this TARGET: every library the stdlib's modules link, unless
--host-library NAME (HOST_LIBRARIES) takes the host's static archives instead
(slither.cpython.stdlib_libraries). Configure sees the prefixes through CPPFLAGS/LDFLAGS and
pkg-config (and nothing of the host's pkg-config files); their archives are merged into
libpython.a and their -l flags dropped from link.rsp, so the final link needs nothing from outside.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
from pathlib import Path

from slither import commands, files, reproducible
from slither.configure_make import ConfigureMakeBuild, build_and_archive
from slither.archive_probe import archive_found
from slither.cpython import stdlib_libraries
from slither.errors import SlitherError
from slither.recipes import loading
from slither.sources.unpack import safe_extract

INSTALL_PREFIX = "/opt/slither/python"  # inside install.tar; the host tree is relocatable


def plan_stdlib_extensions(recipe, profile, env: dict, library_prefixes: dict[str, Path],
                           host_libraries: tuple[str, ...] = (), without: tuple[str, ...] = ()) -> tuple[dict, list[str]]:
    """Decide which stdlib C modules are built in (slither.cpython.stdlib_libraries.choose):
    every library must be there, a recipe's in library_prefixes (recipe name -> unpacked prefix),
    a host library's archives found by the toolchain's linker.

    Returns ({module: reason it is left out}, [shell-variable assignments for configure]).
    """
    choice = stdlib_libraries.choose(recipe, host=host_libraries, without=without,
                                     cannot_build=profile.stdlib_libraries_left_out)
    left_out = dict(recipe.never_built)
    left_out.update(choice.left_out)
    not_built = sorted(set(choice.recipes) - set(library_prefixes))
    if not_built:
        raise SlitherError(f"the plan built no {', '.join(not_built)} for the stdlib's modules; "
                           "this is a bug in the plan")
    by_name = stdlib_libraries.libraries_by_name(recipe)
    missing = []
    for name in choice.host:
        for archive in by_name[name].archives:
            if not archive_found(profile.CC, archive, env):
                hint = profile.package_manager_hint.format(package=by_name[name].host_package)
                missing.append(f"{archive} ({hint})")
    if missing:
        raise SlitherError(f"HOST_LIBRARIES: the host has no static {'; '.join(missing)}")
    assignments = [f"py_cv_module_{name}=n/a" for name in sorted(left_out)]
    return left_out, assignments


def setup_local_values(host_libraries, library_prefixes: dict[str, Path]) -> dict[str, str]:
    """What the recipe's Setup.local lines leave open: the readline module's library (libedit
    unless GNU readline is taken from the host) and where ncurses's headers are."""
    ncurses = library_prefixes.get("ncurses")
    return {"readline": "readline" if "readline" in host_libraries else "edit",
            # the recipe installs the wide headers straight in include/; Debian in include/ncursesw
            "ncurses_include": str(ncurses / "include") if ncurses else "/usr/include/ncursesw"}


def point_pkg_config_files(prefix: Path) -> None:
    """A prefix archive's pkg-config files name the prefix it was built for (/opt/slither/NAME):
    point them at where it was unpacked, so that configure's pkg-config checks find it."""
    for pc_file in sorted((prefix / "lib" / "pkgconfig").glob("*.pc")):
        text = pc_file.read_text()
        pc_file.write_text(re.sub(r"/opt/slither/[^/\s]+", str(prefix), text))


def module_states(makefile_text: str) -> dict[str, str]:
    """MODULE_<NAME>_STATE lines of a configured Makefile, as {module: state}."""
    states = {}
    for match in re.finditer(r"^MODULE_(\w+?)_STATE=(\S*)", makefile_text, re.MULTILINE):
        states[match.group(1).lower()] = match.group(2)
    return states


def describe_left_out(states: dict[str, str], planned: dict[str, str],
                      builtin_names: list[str]) -> dict[str, str]:
    """Every stdlib module configure knows that is not built in, with the reason."""
    reasons = {}
    builtin = set(builtin_names)
    for name, state in sorted(states.items()):
        if name in builtin:
            continue
        if name in planned:
            reasons[name] = planned[name]
        elif state == "n/a":
            reasons[name] = "not available on this platform"
        elif state == "missing":
            reasons[name] = "configure found no usable library or headers for it"
        elif state == "yes":
            reasons[name] = "CPython builds it only as a shared library (a test module)"
        elif state == "disabled":
            reasons[name] = "disabled by configure"
        else:
            reasons[name] = f"configure state {state!r}"
    # Modules configure has no state for (3.11 builds _ctypes, readline and curses from
    # Setup.local lines), left out by the plan: their lines were dropped, the reason stays.
    for name, reason in planned.items():
        if name not in builtin:
            reasons.setdefault(name, reason)
    return dict(sorted(reasons.items()))


def split_internal_archives(config_vars: dict) -> tuple[list[str], list[str]]:
    """Separate archives CPython builds inside its tree (libmpdec.a, libexpat.a) from `-l` flags."""
    flags, archives = [], []
    for name in ("MODLIBS", "LIBS", "SYSLIBS"):
        for token in shlex.split(config_vars.get(name) or ""):
            bucket = archives if token.endswith(".a") and not token.startswith("-") else flags
            if token not in bucket:
                bucket.append(token)
    return flags, archives


def merge_archives(library: Path, archives: list[Path], ar: str, scratch: Path, env: dict) -> None:
    """Append the members of ``archives`` to ``library``, renamed by archive, so one libpython.a
    carries everything. `ar q` appends: `ar r` would replace libpython's own same-named
    members (both CPython and libmpdec have a context.o)."""
    for archive in archives:
        extract_dir = scratch / archive.stem
        extract_dir.mkdir(parents=True)
        commands.capture([ar, "x", str(archive.resolve())], what=f"ar x {archive.name}", cwd=extract_dir, env=env)
        members = []
        for member in sorted(extract_dir.iterdir()):
            renamed = member.with_name(f"{archive.stem}_{member.name}")
            member.rename(renamed)
            members.append(str(renamed))
        commands.capture([ar, "qD", str(library), *members], what=f"ar q {archive.name}", env=env)
    commands.capture([ar, "sD", str(library)], what="ar s", env=env)


def setup_local_text(lines, left_out, values: dict[str, str]) -> str:
    """Modules/Setup.local: the recipe's lines, minus those of modules left out (a line starts
    with the module's name; makesetup would compile it whatever configure decided), with their
    {placeholders} filled in (setup_local_values)."""
    kept = [line.format(**values) for line in lines if line.split()[0] not in left_out]
    return ("# Written by Slither: modules 3.11 would otherwise build shared through setup.py\n"
            "*static*\n" + "".join(line + "\n" for line in kept))


def library_prefix_flags(prefixes: list[Path]) -> tuple[list[str], list[str]]:
    """(CPPFLAGS, LDFLAGS) that let configure and make find the recipe-built libraries."""
    return ([f"-I{prefix / 'include'}" for prefix in prefixes],
            [f"-L{prefix / 'lib'}" for prefix in prefixes])


def library_prefix_archives(prefixes: list[Path]) -> list[Path]:
    return sorted(archive for prefix in prefixes for archive in (prefix / "lib").glob("lib*.a"))


def without_merged_libraries(flags: list[str], archives: list[Path]) -> list[str]:
    """Drop -lNAME for every libNAME.a merged into libpython.a."""
    merged = {f"-l{archive.name[3:-2]}" for archive in archives}
    return [flag for flag in flags if flag not in merged]


def link_flags(libraries: list[str]) -> list[str]:
    """The libraries the final static link needs, inside one group so order cannot matter."""
    libraries = list(libraries)
    # Static OpenSSL and friends need these, which shared links get implicitly.
    for extra in ("-lpthread", "-ldl", "-lm", "-lutil"):
        if extra not in libraries:
            libraries.append(extra)
    return ["-Wl,--start-group", *libraries, "-Wl,--end-group"]


INFO_SCRIPT = r"""
import _imp, json, sys, sysconfig
names = ("MODLIBS", "LIBS", "SYSLIBS", "LDFLAGS", "CC", "VERSION", "SOABI", "MULTIARCH")
print(json.dumps({
    "version": "%d.%d.%d" % sys.version_info[:3],
    "builtin_modules": sorted(sys.builtin_module_names),
    "cpython_frozen_modules": sorted(_imp._frozen_module_names()),
    "stdlib_module_names": sorted(sys.stdlib_module_names),
    "config_vars": {n: sysconfig.get_config_var(n) for n in names},
}))
"""


def readline_configure_flags(args) -> list[str]:
    """The readline module against libedit unless GNU readline is taken from the host."""
    if "readline" in args.without or "readline" in args.host_library:
        return []
    return ["--with-readline=editline"]


def openssl_configure_flags(args, source_tree: Path) -> list[str]:
    """The OpenSSL recipe's prefix named outright: without it configure asks pkg-config, and on a
    machine without pkg-config (a bare login node) looks only in /usr and its like, and leaves
    _ssl and _hashlib out."""
    if "openssl" in args.prefix_of and "openssl" not in args.host_library:
        return [f"--with-openssl={source_tree / 'slither-libraries' / 'openssl'}"]
    return []


def build(args) -> None:
    release = loading.cpython_release(args.series)
    recipe = loading.load_cpython_recipe()
    profile = loading.load_profile_data(Path(args.target))
    build = ConfigureMakeBuild(
        label=f"cpython {release.version} ({profile.name})", tarball=Path(args.tarball),
        sha256=release.source.sha256, prefix=INSTALL_PREFIX,
        canonical_source=f"{reproducible.CANONICAL_BUILD_ROOT}/cpython-{release.version}",
        work=Path(args.work), log=Path(args.log), jobs=args.jobs,
        patch_files=tuple(Path(patch) for patch in args.patch), patch_subject=f"CPython {release.version}")
    work = Path(args.work).resolve()
    planned = {}  # what the probes and configure decided, for info.json

    def environment(source_tree: Path) -> dict:
        # Inside the source tree, so that the paths configure records are rewritten with it.
        library_prefixes = {}
        if len(args.prefix_of) != len(args.library_prefix):
            raise SlitherError("--prefix-of and --library-prefix come in pairs")
        for name, archive in zip(args.prefix_of, args.library_prefix):
            prefix = source_tree / "slither-libraries" / name
            safe_extract(Path(archive), prefix)
            point_pkg_config_files(prefix)
            library_prefixes[name] = prefix
        include_flags, library_dir_flags = library_prefix_flags(list(library_prefixes.values()))
        env = reproducible.reproducible_environment(os.environ)
        env.update(profile.environment)
        env.update({
            "CC": profile.CC, "CXX": profile.CXX, "AR": profile.AR, "RANLIB": profile.RANLIB,
            "CFLAGS": " ".join([*profile.CFLAGS, f"-ffile-prefix-map={source_tree}={build.canonical_source}"]),
            "MODULE_BUILDTYPE": "static",
            # pkg-config sees the recipes' prefixes and nothing of the host's: a library taken
            # from the host (HOST_LIBRARIES) is found on the compiler's default paths instead.
            "PKG_CONFIG_LIBDIR": os.pathsep.join(str(prefix / "lib" / "pkgconfig")
                                                 for prefix in library_prefixes.values()),
            # Only static archives exist: configure's link tests need what they need in turn
            # (libsqlite3.a needs libm), from pkg-config's Libs.private where it is there, and
            # -lm where it is not (a login node without pkg-config gets configure's defaults).
            "PKG_CONFIG": "pkg-config --static",
            "LIBS": "-lm",
        })
        env.pop("PKG_CONFIG_PATH", None)
        if library_prefixes:
            env["CPPFLAGS"] = " ".join(include_flags)
            env["LDFLAGS"] = " ".join(library_dir_flags)
        host_libraries = tuple(args.host_library)
        left_out_by_plan, cache_assignments = plan_stdlib_extensions(recipe, profile, env, library_prefixes, host_libraries,
                                                                     tuple(args.without))
        for assignment in cache_assignments:
            key, value = assignment.split("=", 1)
            env[key] = value
        setup_local = recipe.setup_local_by_series.get(args.series, ())
        (source_tree / "Modules" / "Setup.local").write_text(
            setup_local_text(setup_local, left_out_by_plan, setup_local_values(host_libraries, library_prefixes)))
        planned.update(left_out=left_out_by_plan, library_prefixes=list(library_prefixes.values()))
        return env

    def read_module_states(source_tree: Path) -> None:
        planned["states"] = module_states((source_tree / "Makefile").read_text(errors="replace"))

    def publish_library_and_info(prefix_tree: Path, env: dict) -> None:
        host_python = prefix_tree / "bin" / f"python{args.series}"
        # The host interpreter is linked the toolchain's dynamic way (with musl-gcc: against
        # /lib/ld-musl-*.so.1); build backends run it, so it must run here.
        info = json.loads(commands.capture([str(host_python), "-S", "-c", INFO_SCRIPT],
                                           what=f"{build.label}: the host interpreter it built does not run "
                                                f"on this machine ({host_python})", env=env))
        info["series"] = args.series
        info["target"] = profile.name
        info["left_out"] = describe_left_out(planned["states"], planned["left_out"], info["builtin_modules"])
        info["source_sha256"] = release.source.sha256
        info["patches"] = {Path(p).name: files.sha256_of(Path(p)) for p in args.patch}

        # Bytecode caches are a third of the tree and regenerate on use; the cache copies every byte.
        for cache_dir in sorted(prefix_tree.rglob("__pycache__"), reverse=True):
            shutil.rmtree(cache_dir)
        library = prefix_tree / "lib" / f"libpython{args.series}.a"
        if not library.is_file():
            raise SlitherError(f"{build.label}: make install produced no {library.name}")

        libraries, internal_archives = split_internal_archives(info["config_vars"])
        recipe_archives = library_prefix_archives(planned["library_prefixes"])
        libraries = without_merged_libraries(libraries, recipe_archives)
        merged_library = work / library.name
        shutil.copyfile(library, merged_library)
        merge_archives(merged_library, [*(build.source_tree / a for a in internal_archives), *recipe_archives],
                       profile.AR, work / "merge", env)

        # Publish: library and flags first, the archive that marks completion (written next) last.
        shutil.copyfile(merged_library, str(args.library) + ".tmp")
        os.replace(str(args.library) + ".tmp", args.library)
        files.atomic_write_text(Path(args.link), "\n".join(link_flags(libraries)) + "\n")
        files.atomic_write_text(Path(args.info), json.dumps(info, indent=1, sort_keys=True) + "\n")

    configure = ["./configure", f"--prefix={INSTALL_PREFIX}", "--disable-shared",
                 "--with-ensurepip=no", *release.configure_flags, *readline_configure_flags(args),
                 *openssl_configure_flags(args, build.source_tree)]
    build_and_archive(build, Path(args.install), configure=configure, environment=environment,
                      after_configure=read_module_states, after_install=publish_library_and_info)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", required=True)
    parser.add_argument("--tarball", required=True)
    parser.add_argument("--target", required=True, help="the TARGET profile, as data (slither.recipes.loading.profile_data)")
    parser.add_argument("--patch", action="append", default=[])
    parser.add_argument("--prefix-of", action="append", default=[], metavar="RECIPE",
                        help="a C library built for this TARGET by its recipe (its prefix: the --library-prefix "
                             "in the same place)")
    parser.add_argument("--library-prefix", action="append", default=[], metavar="ARCHIVE",
                        help="that library's prefix archive (include/, lib/)")
    parser.add_argument("--host-library", action="append", default=[], metavar="NAME",
                        help="a stdlib library taken from the host's static archives (HOST_LIBRARIES)")
    parser.add_argument("--without", action="append", default=[],
                        help="a stdlib C module to leave out (WITHOUT); repeatable")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", required=True)
    parser.add_argument("--log", required=True)
    for output in ("install", "library", "link", "info"):
        parser.add_argument(f"--{output}", required=True)
    build(parser.parse_args())


if __name__ == "__main__":
    commands.main_guard(main)
