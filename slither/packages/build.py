"""Build one Python package from its verified source into what the final static link consumes.

Run as a command (python3 -m slither.packages.build ...), like the CPython step. The HOST
interpreter installs the package with pip, its own build system untouched, with no build
isolation, no index and no dependencies: every build backend comes from the build tools
archive (slither.packages.build_tools). CC/CXX/LDSHARED point at the capture wrappers, so each
extension is linked for real and captured as one relocatable object (slither.capture).

Outputs, each written under a temporary name and renamed when complete:
  --archive   extensions.a     the finalized extension objects (init symbols renamed after
                               their dotted module names); empty for a pure-Python package
  --manifest  extensions.json  the package, its source sha256, and per extension: module,
                               init_symbol, libraries, library_dirs, link_flags, role, ...
  --site      site.tar         the installed tree minus extension .so files, bytecode caches
                               and installer bookkeeping (RECORD, direct_url.json, scripts)
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
from pathlib import Path

from slither.packages import build_tools
from slither import commands, files, reproducible
from slither.recipes import loading
from slither.sources import patches
from slither.capture import finalize_captures, write_wrappers
from slither.capture.partial_link import find_toolchain_program
from slither.archive_probe import archive_path
from slither.errors import SlitherError
from slither.recipes.recipe import PACKAGE_BUILD_SYSTEMS as BUILD_SYSTEMS
from slither.files import verify
from slither.sources.unpack import safe_extract

MANIFEST_FORMAT = 1
# Where the host interpreter claims to live in debug information (as in its install.tar).
CANONICAL_HOST_PREFIX = "/opt/slither/python"


def find_host_python(python: str) -> Path:
    """An absolute path (symlinks kept: a venv's python must stay the venv's)."""
    found = shutil.which(python)
    if found is None:
        raise SlitherError(f"host interpreter {python} not found or not executable; build CPython first")
    return Path(os.path.abspath(found))


def build_environment(host_python: Path, tools_prefix: Path | None, profile, base: dict) -> dict:
    """Tools first, the machine's pip configuration out, reproducible time and locale."""
    if tools_prefix is not None:
        series = build_tools.python_series(host_python)
        if not build_tools.tools_site_packages(tools_prefix, series).is_dir():
            raise SlitherError(f"the build tools archive has no lib/python{series}: it was made for "
                               f"another CPython series than {host_python}")
        environment = build_tools.tools_environment(tools_prefix, series, host_python, base)
    else:  # a host interpreter that carries its own build backends (the tests' python3)
        environment = {name: value for name, value in base.items() if not name.startswith("PIP_")}
        environment.update({"PYTHONNOUSERSITE": "1", "PIP_CONFIG_FILE": os.devnull})
    environment = reproducible.reproducible_environment(environment)
    environment.update(profile.environment)
    return environment


# Backends whose build types choose the optimisation themselves (meson's release buildtype,
# CMake's Release): CFLAGS and CXXFLAGS only add to it.
BACKENDS_THAT_OPTIMISE = ("meson-python", "scikit-build-core")


def interpreter_optimization_flags(host_python: Path, build_system: str) -> list[str]:
    """The host interpreter's OPT (-DNDEBUG -g -fwrapv -O3 -Wall), as a stock build gets it.

    setuptools' compiler line is the interpreter's CFLAGS, which hold OPT, unless CFLAGS (or
    CXXFLAGS) is set in the environment: then that replaces it. The build sets CFLAGS (its file
    prefix maps), so without OPT in it every setuptools extension would compile with no -O at
    all (GPAW's C ran several times slower than the same sdist built the usual way)."""
    if build_system in BACKENDS_THAT_OPTIMISE:
        return []
    program = "import sysconfig; print(sysconfig.get_config_var('OPT') or '')"
    output = commands.capture([str(host_python), "-S", "-c", program], what=f"{host_python}: its OPT flags")
    return shlex.split(output)


def pip_install_command(host_python: Path, source: Path, site: Path,
                        config_settings: list[str] = ()) -> list[str]:
    """config_settings: the recipe's build-backend options (e.g. meson's setup-args=-D...)."""
    return [str(host_python), "-m", "pip", "install", "-v", "--no-build-isolation", "--no-deps",
            "--no-index", "--no-compile", "--disable-pip-version-check", "--root-user-action", "ignore",
            *[f"--config-settings={setting}" for setting in config_settings],
            "--target", str(site), str(source)]


def prepare_build_prefix(args, host_python: Path, work: Path, log: Path, label: str) -> Path | None:
    """The prefix the build backend runs from: the package's own locked build requirements
    (--build-wheel, installed offline with the pinned pip), or the pinned build tools."""
    if args.build_wheel:
        if not args.pip_wheel:
            raise SlitherError("--build-wheel needs --pip-wheel (the pip that installs them)")
        prefix = work / "build-prefix"
        wheels = [Path(args.pip_wheel), *[Path(wheel) for wheel in args.build_wheel]]
        commands.say(f"  {label}: build prefix of {len(args.build_wheel)} locked wheel(s)")
        build_tools.install_wheels(host_python, build_tools.python_series(host_python), wheels, prefix, log,
                                   f"{label} build requirements")
        return prefix
    return build_tools.unpack_tools(Path(args.tools), work / "tools") if args.tools else None


def add_packages_built_by_slither(env: dict, trees: list[Path], destination: Path) -> None:
    """Build requirements Slither built itself (numpy for packages using its C API): their host
    installs, extensions included, go on the build's path after its own build prefix."""
    paths = []
    for index, tree in enumerate(trees):
        target = destination / str(index)
        safe_extract(tree, target)
        paths.append(str(target))
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH", ""), *paths]))


def prepare_source(source: Path, tree: Path, patch_files: list[Path], label: str) -> Path:
    """What pip installs: a wheel as it is, an sdist unpacked (safely) and patched."""
    if source.name.endswith(".whl"):
        if patch_files:
            raise SlitherError(f"{label}: patches need an sdist, but the source is the wheel {source.name}")
        return source
    safe_extract(source, tree, strip_components=1)
    for patch in patch_files:
        commands.say(f"  {label}: patch {patch.name}")
        patches.apply_patch(patch, tree, label)
    return tree


def strip_for_freezing(site: Path, extension_files: list[Path]) -> None:
    """Leave only what the freezer and the binary need: the extensions are in extensions.a,
    bytecode is made by the freezer, and installer bookkeeping names this machine's paths."""
    for path in extension_files:
        path.unlink()
    for cache in sorted(site.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache)
    for name in ("RECORD", "direct_url.json"):
        for path in site.glob(f"*.dist-info/{name}"):
            path.unlink()
    scripts = site / "bin"  # console scripts, their shebangs naming the host interpreter
    if scripts.is_dir() and not (scripts / "__init__.py").exists():
        shutil.rmtree(scripts)


def write_static_archive(ar: str, objects: list[Path], output: Path, env: dict) -> None:
    """`ar rcsD` of the objects (names are unique: each is named after its init symbol)."""
    names = [path.name for path in objects]
    if len(set(names)) != len(names):
        raise SlitherError(f"two extension objects share a member name: {sorted(names)}")
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.name}.tmp")
    temporary.unlink(missing_ok=True)
    if objects:
        commands.capture([ar, "rcsD", str(temporary.resolve()), *names], what=f"{ar} rcsD {output.name}",
                         cwd=objects[0].parent, env=env)
    else:
        temporary.write_bytes(b"!<arch>\n")  # what `ar` writes for an archive with no member
    os.chmod(temporary, 0o644)
    os.replace(temporary, output)


# Compile-only flags that setuptools repeats on the link line; they only name build paths.
COMPILE_ONLY_FLAG_PREFIXES = ("-ffile-prefix-map=", "-fdebug-prefix-map=", "-fmacro-prefix-map=")


def final_link_flags(flags) -> list[str]:
    return [flag for flag in flags if not flag.startswith(COMPILE_ONLY_FLAG_PREFIXES)]


def final_library_dirs(directories, host_prefix: Path) -> list[str]:
    """Drop the host interpreter's own lib/ (the link of a shared extension against
    libpython): the final link takes libpython from the CPython step instead."""
    return [directory for directory in directories
            if not Path(directory).resolve().is_relative_to(host_prefix.resolve())]


def is_shared_library(path: str) -> bool:
    name = os.path.basename(path)
    return name.endswith(".so") or ".so." in name


def final_external_inputs(module: str, inputs, find_archive=lambda name: "") -> list[str]:
    """The final link is static: a system library an extension linked by path (meson turns
    pkg-config's `-lopenblas` into .../libopenblas.so) becomes the static archive beside it, or
    else the one the toolchain's linker takes for that name (find_archive: libgfortran.so.5 is in
    the multiarch directory, libgfortran.a in GCC's own)."""
    final = []
    for path in inputs:
        if is_shared_library(path):
            static = Path(path).with_name(os.path.basename(path).split(".so", 1)[0] + ".a")
            if not static.is_file():
                found = find_archive(static.name)
                if not found:
                    raise SlitherError(f"{module} links the shared library {path}, and there is no static "
                                       f"{static.name} beside it or where the linker searches; install the "
                                       "static library (a recipe names its package in static_libraries)")
                static = Path(found)
            path = str(static)
        final.append(path)
    return final


def placeholder_for_prefixes(library_prefixes: dict[str, str]):
    """A function that writes a path under a library recipe's unpacked prefix (which lies in this
    BUILD_DIR) as `{prefix:NAME}/...`: the manifest is cached and used by builds in other
    BUILD_DIRs, whose link step puts its own prefix back (slither.link.main_c.module_link_flags)."""
    known = []
    for name, prefix in library_prefixes.items():
        for form in {str(Path(prefix)), str(Path(prefix).resolve())}:
            known.append((form.rstrip("/"), f"{{prefix:{name}}}"))
    known.sort(key=lambda pair: -len(pair[0]))

    def placeholder(text: str) -> str:
        for form, replacement in known:
            for lead in ("", "-L", "-I", "-Wl,-rpath,"):
                if text == lead + form or text.startswith(lead + form + "/"):
                    return lead + replacement + text[len(lead + form):]
        return text
    return placeholder


def manifest(name: str, version: str, source_sha256: str, build_system: str, link_libraries: list[str],
             extensions, host_prefix: Path, find_archive=lambda name: "", library_prefixes=None) -> dict:
    placeholder = placeholder_for_prefixes(library_prefixes or {})
    return {
        "format": MANIFEST_FORMAT, "package": name, "version": version, "source_sha256": source_sha256,
        "build_system": build_system, "link_libraries": list(link_libraries),
        "extensions": [{
            "module": extension.module, "init_symbol": extension.init_symbol,
            "member": extension.object.name, "libraries": list(extension.libraries),
            "library_dirs": [placeholder(d) for d in final_library_dirs(extension.library_dirs, host_prefix)],
            "link_flags": [placeholder(f) for f in final_link_flags(extension.link_flags)],
            "external_inputs": [placeholder(path) for path in
                                final_external_inputs(extension.module, extension.external_inputs, find_archive)],
            "role": extension.role,
        } for extension in sorted(extensions, key=lambda extension: extension.module)],
    }


# Sources that only a compiler turns into something importable.
COMPILED_SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".pyx", ".f", ".f90", ".f95", ".F", ".F90")


def compiled_sources(tree: Path) -> list[str]:
    """The package source's C, C++, Cython and Fortran files (relative paths), for telling a
    package that fell back to pure Python (its C code failed quietly) from a pure one."""
    if not tree.is_dir():
        return []
    return sorted(str(path.relative_to(tree)) for path in tree.rglob("*")
                  if path.suffix in COMPILED_SOURCE_SUFFIXES and path.is_file())


def check_fallback(label: str, compiled: list[str], built: list[str], required: bool, log: Path) -> bool:
    """Whether the build fell back to pure Python; an error when the entry asked for extensions."""
    fell_back = bool(compiled) and not built
    if fell_back and required:
        raise SlitherError(f"{label}: its source has {len(compiled)} compiled-language file(s) "
                           f"({', '.join(compiled[:3])}{', ...' if len(compiled) > 3 else ''}) but the build "
                           f"made no extension module (a fallback to pure Python); see {log}")
    return fell_back


def check_expected_modules(label: str, build_system: str, expected: list[str], built: list[str], log: Path) -> None:
    missing = sorted(set(expected) - set(built))
    if missing:
        raise SlitherError(f"{label}: the build installed no extension {', '.join(missing)} (did its C code "
                           f"fail and the package fall back to pure Python?); see {log}")
    if build_system == "pure" and built:
        raise SlitherError(f"{label}: recipe says build_system = 'pure' but the build made "
                           f"{', '.join(built)}; set the real build system")


def build(args) -> None:
    label = f"{args.name} {args.version}"
    profile = loading.load_profile_data(Path(args.target))
    host_python = find_host_python(args.python)
    source = Path(args.source).resolve()
    log = Path(args.log).resolve()
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(f"# {label} ({profile.name})\n")
    if args.build_system not in BUILD_SYSTEMS:
        raise SlitherError(f"--build-system {args.build_system}: choose one of {', '.join(BUILD_SYSTEMS)}")
    verify(source, args.sha256)
    patch_files = [Path(patch) for patch in args.patch]
    for patch in patch_files:
        patches.verify_patch(patch)

    work = Path(args.work).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    tools_prefix = prepare_build_prefix(args, host_python, work, log, label)
    env = build_environment(host_python, tools_prefix, profile, dict(os.environ))
    from_build = work / "from-build"
    add_packages_built_by_slither(env, [Path(tree) for tree in args.from_build], from_build)
    tree = work / "src"
    installable = prepare_source(source, tree, patch_files, label)

    record_dir = work / "records"
    # The build path's trees count as the package's own: an archive there (numpy's libnpymath.a,
    # which scipy's extensions link) is merged into the extension, as its .so had it; recorded as
    # an external input it would name a path deleted with this work directory.
    # A package that uses MPI compiles and links C through the MPI wrapper, captured like any
    # compiler; MPICC names the capture wrapper, so builds that prefer MPICC (mpi4py) use it too.
    real_cc = args.mpi_compiler or profile.CC
    # Backends that build outside the source tree (scikit-build-core's temporary build directory,
    # where CMake links the package's own shared libraries) build in here: the package's too.
    scratch = work / "tmp"
    scratch.mkdir()
    env["TMPDIR"] = str(scratch)
    env.update(write_wrappers(work / "wrappers", real_cc=real_cc, real_cxx=profile.CXX, real_fc=profile.FC,
                              python=sys.executable, record_dir=record_dir,
                              package_roots=[tree, from_build, scratch]))
    if args.mpi_compiler:
        env["MPICC"] = env["CC"]
    canonical_tree = f"{reproducible.CANONICAL_BUILD_ROOT}/{args.name}-{args.version}"
    prefix_maps = [f"-ffile-prefix-map={tree}={canonical_tree}", f"-ffile-prefix-map={scratch}={canonical_tree}-tmp",
                   f"-ffile-prefix-map={host_python.parent.parent}={CANONICAL_HOST_PREFIX}"]
    optimization = interpreter_optimization_flags(host_python, args.build_system)
    env["CFLAGS"] = " ".join([*optimization, *profile.CFLAGS, *prefix_maps])
    env["CXXFLAGS"] = " ".join([*optimization, *prefix_maps])

    site = work / "stage" / "site"
    commands.say(f"  {label}: pip install (log: {args.log})")
    commands.run_logged(pip_install_command(host_python, installable, site, args.config_setting), log=log,
                        what=f"{label} build", cwd=work, env=env)

    nm = find_toolchain_program(profile.CC.split(), "nm")
    objcopy = find_toolchain_program(profile.CC.split(), "objcopy")
    extensions = finalize_captures(record_dir, site, output_dir=work / "finalized", objcopy=objcopy, nm=nm)
    check_expected_modules(label, args.build_system, args.expect_module,
                           [extension.module for extension in extensions], log)
    fell_back = check_fallback(label, compiled_sources(tree), [extension.module for extension in extensions],
                               args.require_extensions, log)
    if args.host_site:  # the tree as installed, extensions included, for builds that need this one
        reproducible.write_tar_deterministically(site, Path(args.host_site))
    strip_for_freezing(site, [extension.installed_file for extension in extensions])

    # Publish: the archive and manifest first, site.tar (the largest) last.
    # Each package-private shared library once, after the extensions that reference it.
    private_objects = list(dict.fromkeys(path for extension in extensions for path in extension.private_objects))
    write_static_archive(profile.AR, [extension.object for extension in extensions] + private_objects,
                         Path(args.archive), env)
    files.atomic_write_text(Path(args.manifest), json.dumps(
        {**manifest(args.name, args.version, args.sha256, args.build_system, args.link_library, extensions,
                    host_python.parent.parent, lambda archive: archive_path(profile.CC, archive, dict(os.environ)),
                    dict(args.library_prefix)),
         **({"pure_python_fallback": True} if fell_back else {})},
        indent=1, sort_keys=True) + "\n")
    reproducible.write_tar_deterministically(site, Path(args.site))
    commands.say(f"  {label}: {len(extensions)} extension module(s)"
                 + (f": {', '.join(e.module for e in extensions)}" if extensions else ""))
    shutil.rmtree(work, ignore_errors=True)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="the host interpreter (runs pip and the build backend)")
    parser.add_argument("--tools", help="build-tools.tar for that interpreter (slither.packages.build_tools)")
    parser.add_argument("--build-wheel", action="append", default=[],
                        help="a locked build-requirement wheel (all of them; instead of --tools)")
    parser.add_argument("--pip-wheel", help="with --build-wheel: the pinned pip wheel that installs them")
    parser.add_argument("--from-build", action="append", default=[],
                        help="host-site.tar of a build requirement Slither built itself")
    parser.add_argument("--host-site", help="also write the installed tree, extensions included, here")
    parser.add_argument("--require-extensions", action="store_true",
                        help="a build that makes no extension from a source with compiled code is an error")
    parser.add_argument("--name", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--source", required=True, help="the sdist (or, for a pure package, wheel) file")
    parser.add_argument("--sha256", required=True, help="the pinned or locked sha256 of --source")
    parser.add_argument("--build-system", default="setuptools", help=" | ".join(BUILD_SYSTEMS))
    parser.add_argument("--target", required=True, help="the TARGET profile, as data (slither.recipes.loading.profile_data)")
    parser.add_argument("--patch", action="append", default=[])
    parser.add_argument("--library-prefix", action="append", default=[], nargs=2, metavar=("NAME", "PATH"),
                        help="where library recipe NAME is unpacked in this BUILD_DIR; paths under it are "
                             "written {prefix:NAME}/... in the manifest (repeatable)")
    parser.add_argument("--link-library", action="append", default=[],
                        help="an -l name the final link adds (recipe link_libraries)")
    parser.add_argument("--config-setting", action="append", default=[],
                        help="a build-backend option passed to pip (recipe config_settings)")
    parser.add_argument("--expect-module", action="append", default=[],
                        help="a dotted extension module the build must produce (recipe extension_modules)")
    parser.add_argument("--mpi-compiler", default="",
                        help="the MPI compiler wrapper C is compiled and linked with (e.g. a built MPICH's mpicc)")
    parser.add_argument("--work", required=True)
    parser.add_argument("--log", required=True)
    for output in ("site", "archive", "manifest"):
        parser.add_argument(f"--{output}", required=True)
    return parser


def main() -> None:
    build(parser().parse_args())


if __name__ == "__main__":
    commands.main_guard(main)
