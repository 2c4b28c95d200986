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

--library-prefix (repeatable) names an archive of a C library built for this TARGET by a
library recipe (include/, lib/lib*.a; e.g. zlib for musl, where Debian has no musl build of
it). Configure sees it through CPPFLAGS/LDFLAGS; its archives are merged into libpython.a and
their -l flags dropped from link.rsp, so the final link needs nothing from outside.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from slither import commands, files, reproducible
from slither.configure_make import ConfigureMakeBuild, build_and_archive
from slither.errors import SlitherError
from slither.plan import loading
from slither.sources.unpack import safe_extract

INSTALL_PREFIX = "/opt/slither/python"  # inside install.tar; the host tree is relocatable


PROBE_PROGRAM = "int main(void) { return 0; }\n"


def static_archive_found(cc: str, archive: str, env: dict, scratch: Path,
                         search_flags: list[str] = ()) -> bool:
    """Whether the toolchain's linker finds ``archive`` (e.g. libssl.a): a trial link of an
    empty program with ``-l:archive``. (`-print-file-name` is not enough: musl-gcc answers with
    glibc's archives, which its linker never searches.)"""
    scratch.mkdir(parents=True, exist_ok=True)
    probe = scratch / "probe.c"
    probe.write_text(PROBE_PROGRAM)
    result = subprocess.run([*shlex.split(cc), *search_flags, str(probe), "-o", str(scratch / "probe"),
                             f"-l:{archive}"], env=env, cwd=scratch,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return result.returncode == 0


def plan_stdlib_extensions(recipe, profile, env: dict, scratch: Path,
                           search_flags: list[str] = (), without: tuple[str, ...] = ()) -> tuple[dict, list[str]]:
    """Decide which optional stdlib modules to leave out; fail on a missing required archive,
    unless the profile says why its toolchain has no such archive (`missing_library_reason`).

    without: modules the build was asked to leave out (WITHOUT), whatever the machine has.

    Returns ({module: reason it is left out}, [shell-variable assignments for configure]).
    """
    left_out = dict(recipe.never_built)
    left_out.update({name: "left out on request (WITHOUT)" for name in without})
    missing_required: dict[str, set[str]] = {}
    archive_seen: dict[str, bool] = {}
    for extension in recipe.stdlib_extensions:
        if extension.name in without:
            continue
        for library in extension.libraries:
            if library.archive not in archive_seen:
                archive_seen[library.archive] = static_archive_found(profile.CC, library.archive, env,
                                                                     scratch, search_flags)
            if archive_seen[library.archive]:
                continue
            hint = profile.package_manager_hint.format(package=library.debian_package)
            if profile.missing_library_reason:
                left_out.setdefault(extension.name, profile.missing_library_reason.format(
                    archive=library.archive, package=library.debian_package))
            elif extension.required:
                missing_required.setdefault(f"{library.archive} ({hint})", set()).add(extension.name)
            else:
                left_out.setdefault(extension.name, f"{library.archive} not found; {hint} "
                                    f"to build it in ({extension.why_optional})")
    if missing_required:
        details = "; ".join(f"{lib} for {', '.join(sorted(mods))}"
                            for lib, mods in sorted(missing_required.items()))
        raise SlitherError(f"missing static libraries: {details}")
    assignments = [f"py_cv_module_{name}=n/a" for name in sorted(left_out)]
    return left_out, assignments


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


def setup_local_text(lines, left_out) -> str:
    """Modules/Setup.local: the recipe's lines, minus those of modules left out (a line starts
    with the module's name; makesetup would compile it whatever configure decided)."""
    kept = [line for line in lines if line.split()[0] not in left_out]
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
        library_prefixes = []
        for index, archive in enumerate(args.library_prefix):
            prefix = source_tree / "slither-libraries" / str(index)
            safe_extract(Path(archive), prefix)
            library_prefixes.append(prefix)
        include_flags, library_dir_flags = library_prefix_flags(library_prefixes)
        env = reproducible.reproducible_environment(os.environ)
        env.update(profile.environment)
        env.update({
            "CC": profile.CC, "CXX": profile.CXX, "AR": profile.AR, "RANLIB": profile.RANLIB,
            "CFLAGS": " ".join([*profile.CFLAGS, f"-ffile-prefix-map={source_tree}={build.canonical_source}"]),
            "MODULE_BUILDTYPE": "static",
        })
        if library_prefixes:
            env["CPPFLAGS"] = " ".join(include_flags)
            env["LDFLAGS"] = " ".join(library_dir_flags)
        left_out_by_plan, cache_assignments = plan_stdlib_extensions(recipe, profile, env, work / "probe",
                                                                     library_dir_flags, tuple(args.without))
        for assignment in cache_assignments:
            key, value = assignment.split("=", 1)
            env[key] = value
        setup_local = recipe.setup_local_by_series.get(args.series, ())
        (source_tree / "Modules" / "Setup.local").write_text(setup_local_text(setup_local, left_out_by_plan))
        planned.update(left_out=left_out_by_plan, library_prefixes=library_prefixes)
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
                 "--with-ensurepip=no", *release.configure_flags]
    build_and_archive(build, Path(args.install), configure=configure, environment=environment,
                      after_configure=read_module_states, after_install=publish_library_and_info)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", required=True)
    parser.add_argument("--tarball", required=True)
    parser.add_argument("--target", required=True, help="the TARGET profile, as data (slither.plan.loading.profile_data)")
    parser.add_argument("--patch", action="append", default=[])
    parser.add_argument("--library-prefix", action="append", default=[],
                        help="archive of a C library built for this TARGET (include/, lib/)")
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
