"""The three contenders, prepared side by side under one directory that can be served from anywhere.

    SERVED/stock/        a stock CPython install tree (bin/python3.X, lib/python3.X with its .pyc
                         files and lib-dynload, libpython3.X.so when shared) and numpy installed
                         into its site-packages, the stock wheel of its recipe built by that
                         interpreter (harness.stock.packages.stock_wheel);
                         mpi4py from its recipe's sdist (pip, the pinned build tools), against
                         the shared MPICH of `scons reference-mpi`
                         (the static binary's MPICH recipe built shared), whose libraries are in
                         stock/mpich/lib, found by MPI.so's $ORIGIN-relative run-time path;
                         scipy likewise (the recipe's sdist and options, its own locked build
                         requirements, built against that numpy wheel);
                         h5py as harness/suites/run's h5py suite builds it (harness.stock.h5py:
                         the binary's HDF5 variant built shared, h5py's sdist unpatched against
                         it), its HDF5 libraries in stock/hdf5/lib, put on LD_LIBRARY_PATH for
                         the workloads that import h5py;
                         GPAW as harness/suites/run's gpaw suite builds it (harness.stock.gpaw:
                         _gpaw against the build's libxc and OpenBLAS archives and the shared
                         MPICH), with ase and what else its venv has beyond the tree's own
                         packages (numpy and scipy are the tree's), the MPICH libraries of
                         stock/mpich/lib on LD_LIBRARY_PATH for the workloads that import gpaw;
                         netCDF4 as the netcdf4 suite builds it (harness.stock.netcdf: over a
                         shared netCDF-C and HDF5 of the binary's variant), with cftime, certifi
                         and packaging, its netCDF-C libraries in stock/netcdf-c/lib and its
                         HDF5's in stock/hdf5/lib, both on LD_LIBRARY_PATH for its workloads
    SERVED/pyinstaller/  one PyInstaller one-file per workload, built by the stock interpreter
    SERVED/static/       python-static (built with MODULES=numpy[,mpi4py], or the full stack
                         numpy,scipy,mpi4py,h5py for the scipy workloads, or an application
                         workload's stack: numpy,scipy,mpi4py,gpaw; numpy,mpi4py,netcdf4)
    SERVED/work/         the user's script and module; every contender runs with this as its cwd

Commands are built relative to a root, so the same tree runs in place or from the FUSE mount of
bench/metadata_server.py. Expensive products (numpy installed for the stock interpreter, the
one-files) are cached under CACHE/bench by the sha256 of everything that went into them.
A contender that cannot run a workload says why; nothing is ever filled in.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from workloads import PACKAGES, WORKLOADS, Workload, modules_of, write_work_directory

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_ROOT))
from slither.errors import SlitherError  # noqa: E402
from slither.files import sha256_of  # noqa: E402
from harness.stock.mpi import build_environment, checked_mpi4py_extension, origin_runpath  # noqa: E402
from harness.stock.packages import install_into_site, stock_wheel, venv_site_packages  # noqa: E402

CONTENDER_REQUIREMENTS = BENCH_DIR / "requirements-contenders.txt"
STOCK, PYINSTALLER, STATIC = "stock", "pyinstaller", "python-static"


def clean_environment(extra: dict | None = None) -> dict:
    """The caller's environment minus anything that steers a Python interpreter."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "PYENV", "VIRTUAL_ENV", "_MEI", "LD_LIBRARY_PATH"))}
    env.update(extra or {})
    return env


def key_of(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def say(message: str) -> None:
    print(message, flush=True)


def run_checked(command: list[str], *, what: str, log: Path, env: dict | None = None, cwd: Path | None = None) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a") as stream:
        stream.write(f"\n$ {' '.join(map(str, command))}\n")
        stream.flush()
        result = subprocess.run(command, stdout=stream, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    if result.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise SlitherError(f"{what} failed (exit {result.returncode}); log: {log}\n  " + "\n  ".join(tail))


def first_line(error: Exception) -> str:
    """An error's first line, short enough for a table cell."""
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


def requirement_pin(name: str) -> str:
    """`name==version` as pinned in bench/requirements-contenders.txt."""
    for line in CONTENDER_REQUIREMENTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.lower().startswith(name.lower() + "=="):
            return line
    raise SlitherError(f"{CONTENDER_REQUIREMENTS}: no pin for {name}")


@dataclass
class Contender:
    name: str
    description: str
    # workload key -> why this contender cannot run it ("n/a (...)" in every table)
    unavailable: dict = field(default_factory=dict)
    interpreter: str = ""             # relative to the root: an interpreter taking -c / a script
    onefiles: dict = field(default_factory=dict)   # workload key -> relative path of its one-file
    library_path: str = ""            # relative LD_LIBRARY_PATH a shared stock build needs
    tree: str = ""                    # relative directory holding everything it reads
    package_keys: tuple = ()          # cache keys of what was built into it (one-files built from it follow)
    packages: tuple = ()              # the third-party packages it has (the footprint table says which)
    # package -> relative directories of the shared libraries it loads, put on LD_LIBRARY_PATH
    # for the workloads that import it (stock h5py: ("stock/hdf5/lib",))
    package_library_paths: dict = field(default_factory=dict)

    def command(self, workload: Workload, root: Path) -> list[str] | None:
        if workload.key in self.unavailable:
            return None
        if self.onefiles:
            return [str(root / self.onefiles[workload.key])]
        return [str(root / self.interpreter), *workload.interpreter_arguments()]

    def environment(self, root: Path, workload: Workload | None = None) -> dict:
        """Its environment under `root`; for a workload that imports a package with its own
        shared library directories (stock h5py: its HDF5), those directories on LD_LIBRARY_PATH
        first, as `module load hdf5` puts them on a cluster, each once."""
        directories = [directory for package in (workload.needs if workload else ())
                       for directory in self.package_library_paths.get(package, ())]
        directories += [self.library_path] if self.library_path else []
        directories = list(dict.fromkeys(directories))
        extra = {"LD_LIBRARY_PATH": ":".join(str(root / d) for d in directories)} if directories else {}
        return clean_environment(extra)


@dataclass
class Preparation:
    """Where the contenders come from and where they are assembled."""

    stock_python: Path                # the stock interpreter as installed (builds numpy, runs PyInstaller)
    static_binary: Path
    work_dir: Path                    # SERVED lives in work_dir/served
    cache_dir: Path                   # CACHE/bench
    numpy_sdist: Path | None          # None: --skip-stock-numpy, or no pinned sdist
    build_tools_tar: Path | None      # slither's pinned build backends (meson-python, Cython, ...)
    mpi4py_reason: str                # why mpi4py is not available (empty: it is)
    stock_note: str = ""
    mpi4py_sdist: Path | None = None  # the mpi4py recipe's pinned sdist
    stock_mpi_prefix: Path | None = None   # the shared MPI's unpacked prefix (scons reference-mpi)
    stock_mpi_archive: Path | None = None  # its prefix.tar: what the stock mpi4py's cache key signs
    mpi_wrapper: str = "bin/mpicc"    # the MPI recipe's compiler wrapper, inside the prefix
    workloads: tuple = WORKLOADS      # the workloads of this run (bench/run --workloads)
    numpy_recipe: object = None       # the recipes of the stock wheels (harness.stock.packages.stock_wheel)
    scipy_recipe: object = None
    scipy_reason: str = ""            # why scipy is not available for the stock interpreter (empty: it is)
    stock_wheel_dir: Path | None = None    # stock_wheel's WORK: its stock-wheels/ are reused when their stamp matches
    source_dirs: tuple = ()           # where the pinned sources and wheels may already be
    h5py_reason: str = ""             # why h5py is not available for the stock interpreter (empty: it is)
    gpaw_reason: str = ""             # ... gpaw
    netcdf4_reason: str = ""          # ... netCDF4
    static_build_dir: Path | None = None   # the BUILD_DIR of static_binary (None: the directory above its bin/)

    @property
    def served(self) -> Path:
        return self.work_dir / "served"

    @property
    def build_dir(self) -> Path:
        """Where the static binary was built: the stock GPAW links the libxc and OpenBLAS archives
        of its libraries/, and the stock packages look there for `scons reference-mpi`'s MPI."""
        return self.static_build_dir or self.static_binary.parent.parent


def interpreter_facts(python: Path, env: dict | None = None) -> dict:
    code = ("import sys, sysconfig, json; print(json.dumps({'version': sys.version.split()[0], "
            "'prefix': sys.prefix, 'shared': sysconfig.get_config_var('Py_ENABLE_SHARED'), "
            "'libdir': sysconfig.get_config_var('LIBDIR'), 'ldlibrary': sysconfig.get_config_var('LDLIBRARY'), "
            "'series': '%d.%d' % sys.version_info[:2]}))")
    result = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=env or clean_environment())
    if result.returncode != 0:
        raise SlitherError(f"{python} does not run: {result.stderr.strip()[-200:]}")
    import json
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------------------------
# stock

def copy_stock_tree(python: Path, facts: dict, destination: Path) -> str:
    """bin/pythonX.Y and lib/pythonX.Y (and a shared libpython) of the stock prefix, mtimes kept.

    Keeping mtimes keeps the installed .pyc files valid, as on the machine they came from.
    Returns the LD_LIBRARY_PATH (relative to the tree) the interpreter needs, or "".
    """
    prefix, series = Path(facts["prefix"]), facts["series"]
    (destination / "bin").mkdir(parents=True)
    shutil.copy2(python, destination / "bin" / f"python{series}")
    stdlib = prefix / "lib" / f"python{series}"
    shutil.copytree(stdlib, destination / "lib" / f"python{series}", symlinks=True,
                    ignore=shutil.ignore_patterns("site-packages", "dist-packages", "test", "idlelib",
                                                  "tkinter", "turtledemo"))
    if links_libpython(python):
        libdir = Path(facts["libdir"])
        for library in libdir.glob(f"libpython{series}*.so*"):
            shutil.copy2(library, destination / "lib" / library.name, follow_symlinks=False)
        dynamic = subprocess.run(["readelf", "-d", str(python)], capture_output=True, text=True).stdout
        if "$ORIGIN/../lib" in dynamic:
            return ""        # the reference build's rpath finds the copied lib/ by itself
        # the copy must load the tree's libpython, not the one it was built against
        return "lib"
    return ""


def links_libpython(python: Path) -> bool:
    """Whether the executable loads libpython as a shared object (Debian's links it in statically)."""
    linked = subprocess.run(["ldd", str(python)], capture_output=True, text=True).stdout
    return "libpython" in linked


def site_packages_of(python_in_tree: Path, tree: Path, env: dict) -> Path:
    """The site directory the relocated interpreter itself puts on sys.path for its prefix."""
    code = "import site; print('\\n'.join(site.getsitepackages()))"
    result = subprocess.run([str(python_in_tree), "-c", code], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SlitherError(f"the relocated stock interpreter does not run: {result.stderr.strip()[-300:]}")
    candidates = [Path(line) for line in result.stdout.splitlines()
                  if line.startswith(str(tree / "lib")) and Path(line).name in ("site-packages", "dist-packages")]
    if not candidates:
        raise SlitherError(f"no site directory under {tree}/lib in {result.stdout!r}")
    return candidates[-1]


def install_stock_package(prep: Preparation, facts: dict, site: Path, log: Path, *, name: str, sdist: Path,
                          key: str, options: tuple = (), build_env: dict | None = None) -> str:
    """A package from its pinned sdist, built by the stock interpreter (harness.stock.packages:
    pip, no isolation, the pinned build tools) into the tree's site-packages; cached as a tar
    under `key`. Returns the key."""
    install_into_site(prep.stock_python, name=name, sdist=sdist, config_settings=options,
                      tools_tar=prep.build_tools_tar, series=facts["series"], work_dir=prep.work_dir,
                      cached=prep.cache_dir / f"stock-{name}-{key}.tar", site=site, log=log,
                      base_environment=clean_environment(), build_env=build_env)
    return key


def stock_numpy_wheel(prep: Preparation) -> Path:
    """The stock wheel of the numpy recipe (harness.stock.packages.stock_wheel: its pinned sdist
    and build options, the pinned build tools), the one the stock scipy is built against."""
    return stock_wheel(str(prep.stock_python), prep.numpy_recipe, prep.stock_wheel_dir, list(prep.source_dirs))


def install_stock_numpy(prep: Preparation, facts: dict, site: Path, log: Path) -> tuple[str, str]:
    """numpy as the stock wheel of its recipe (stock_numpy_wheel: the same sdist and build
    options as the static binary's, so both run the same numpy code), pip-installed with its
    bytecode into the tree's site-packages; cached as a tar under the wheel's sha256.
    Returns (reason numpy is not installed or "", its cache key).
    """
    if prep.numpy_sdist is None or prep.build_tools_tar is None or prep.numpy_recipe is None \
            or prep.stock_wheel_dir is None:
        return ("numpy not built for the stock interpreter in this run (--skip-stock-numpy, or no pinned sdist / "
                "build tools: run scons MODULES=numpy first)"), ""
    wheel = stock_numpy_wheel(prep)
    key = key_of("stock-numpy-wheel", sha256_of(prep.stock_python), sha256_of(wheel))
    # a wheel installs like an sdist here (pip install --target --no-deps), compiling its .pyc
    return "", install_stock_package(prep, facts, site, log, name="numpy", sdist=wheel, key=key)


def install_stock_mpi4py(prep: Preparation, facts: dict, tree: Path, site: Path, log: Path) -> tuple[str, str]:
    """mpi4py from the recipe's sdist, built by the stock interpreter with the shared MPI's own
    mpicc, and that MPI's shared libraries copied into tree/mpich/lib, where MPI.so finds them
    through its one $ORIGIN-relative run-time path (as a site's mpicc would give it an absolute
    one): served from the metadata server, the lookup of libmpi.so goes there too.
    Returns (reason mpi4py is not installed or "", its cache key)."""
    if prep.mpi4py_reason:
        return prep.mpi4py_reason, ""
    if prep.mpi4py_sdist is None or prep.stock_mpi_prefix is None or prep.build_tools_tar is None:
        return ("mpi4py not built for the stock interpreter in this run (no pinned sdist, shared MPI or build "
                "tools: run `scons reference-mpi` and `scons MODULES=numpy,mpi4py` first)"), ""
    library_dir = copy_shared_libraries(prep.stock_mpi_prefix / "lib", tree / "mpich" / "lib")
    runpath = origin_runpath(site / "mpi4py", library_dir)
    key = key_of("stock-mpi4py", sha256_of(prep.stock_python), sha256_of(prep.mpi4py_sdist),
                 sha256_of(prep.stock_mpi_archive), sha256_of(prep.build_tools_tar),
                 # how it is built, with the prefix's location left out (it varies by checkout)
                 *build_environment(Path("/prefix"), prep.mpi_wrapper, runpath).values())
    install_stock_package(prep, facts, site, log, name="mpi4py", sdist=prep.mpi4py_sdist, key=key,
                          build_env=build_environment(prep.stock_mpi_prefix, prep.mpi_wrapper, runpath))
    checked_mpi4py_extension(site, library_dir, runpath)
    return "", key


def install_stock_scipy(prep: Preparation, facts: dict, site: Path, log: Path) -> tuple[str, str]:
    """scipy as the stock wheel harness/suites/run compares with (harness.stock.packages.stock_wheel:
    the recipe's sdist and options, its locked build requirements, built against the tree's
    stock numpy wheel), pip-installed (with its bytecode) into the tree's site-packages; cached
    as a tar under the wheel's sha256. Returns (reason scipy is not installed or "", its cache key)."""
    if prep.scipy_reason:
        return prep.scipy_reason, ""
    if prep.scipy_recipe is None or prep.numpy_recipe is None or prep.build_tools_tar is None \
            or prep.stock_wheel_dir is None:
        return "scipy not built for the stock interpreter in this run (no recipe, build tools or wheel directory)", ""
    try:
        numpy_wheel = stock_numpy_wheel(prep)
        wheel = stock_wheel(str(prep.stock_python), prep.scipy_recipe, prep.stock_wheel_dir, list(prep.source_dirs),
                            dependencies=[numpy_wheel])
    except (SlitherError, subprocess.CalledProcessError) as error:
        return f"stock scipy wheel not built: {first_line(error)}", ""
    key = key_of("stock-scipy", sha256_of(prep.stock_python), sha256_of(wheel))
    # a wheel installs like an sdist here (pip install --target --no-deps), compiling its .pyc
    return "", install_stock_package(prep, facts, site, log, name="scipy", sdist=wheel, key=key)


def copy_shared_libraries(source_lib: Path, library_dir: Path) -> Path:
    """The shared libraries of source_lib (lib*.so*, symlinks kept as symlinks, mtimes kept) copied
    into library_dir; a library already there is left (stock h5py and netCDF4 of one variant share
    one HDF5, stock mpi4py and GPAW one MPI). Returns library_dir."""
    library_dir.mkdir(parents=True, exist_ok=True)
    for library in sorted(Path(source_lib).glob("lib*.so*")):
        if not os.path.lexists(library_dir / library.name):
            shutil.copy2(library, library_dir / library.name, follow_symlinks=False)
    return library_dir


def install_stock_h5py(prep: Preparation, tree: Path, site: Path) -> tuple[str, str, tuple]:
    """h5py as harness/suites/run's h5py suite compares with (harness.stock.h5py.stock_h5py_venv:
    the static binary's HDF5 variant built shared, parallel against the shared MPI of
    `scons reference-mpi` when the binary has mpi4py; h5py's sdist as it is, against the stock
    numpy (and mpi4py) wheels), copied with its bytecode from that venv into the tree's
    site-packages, and the HDF5 shared libraries into tree/hdf5/lib. h5py's extensions keep the
    absolute run-time path its setup gives them; LD_LIBRARY_PATH (the contender's
    package_library_paths) is searched before it, so the served copy is the one loaded.
    Returns (reason h5py is not installed or "", its cache key, its library directories in the tree)."""
    if prep.h5py_reason:
        return prep.h5py_reason, "", ()
    if prep.stock_wheel_dir is None:
        return "h5py not built for the stock interpreter in this run (no wheel directory)", "", ()
    from harness.stock import hdf5 as stock_hdf5
    from harness.stock.h5py import binary_variant, stock_h5py_venv
    from harness.suites.binary_under_test import package_recipe
    try:
        build, _ = package_recipe(prep.static_binary, "h5py")
        variant = binary_variant(build)
        python, _ = stock_h5py_venv(str(prep.stock_python), build, prep.build_dir,
                                    prep.stock_wheel_dir, list(prep.source_dirs),
                                    stock_mpi_prefix=str(prep.stock_mpi_prefix or ""))
    except (SlitherError, subprocess.CalledProcessError) as error:
        return f"stock h5py not built: {first_line(error)}", "", ()
    venv_site = venv_site_packages(python.parent.parent)
    for path in [venv_site / "h5py", *sorted(venv_site.glob("h5py-*.dist-info"))]:
        shutil.copytree(path, site / path.name, symlinks=True)   # copy2 keeps mtimes: the .pyc stay valid
    prefix = stock_hdf5.shared_hdf5_prefix(prep.stock_wheel_dir, variant)
    library_dir = copy_shared_libraries(prefix / "lib", tree / "hdf5" / "lib")
    key = key_of("stock-h5py", (python.parent.parent / ".slither-suite").read_text(),
                 (prefix.parent / "stamp.json").read_text())
    return "", key, (str(library_dir.relative_to(prep.served)),)


# The stock tree's own packages, each installed into it by its own step above. A stock venv's
# copy of one is never copied beside it (one numpy per tree): the package from that venv runs on
# the tree's, which must be there at the venv's version.
TREE_PACKAGES = ("numpy", "scipy", "mpi4py")
# Those a package from a stock venv runs on besides numpy and mpi4py (which every run installs):
# installing the package installs them (GPAW's Requires-Dist has scipy).
RUNS_ON_TREE_PACKAGES = {"gpaw": ("scipy",)}


def canonical_name(name: str) -> str:
    """A distribution's name as pip compares names (PEP 503): netCDF4 is netcdf4, typing_extensions
    is typing-extensions."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_distributions(site: Path) -> dict[str, Path]:
    """{canonical name: its NAME-VERSION.dist-info directory} of what is installed in a site-packages."""
    return {canonical_name(info.name.removesuffix(".dist-info").rsplit("-", 1)[0]): info
            for info in sorted(Path(site).glob("*.dist-info"))}


def distribution_version(info: Path) -> str:
    return info.name.removesuffix(".dist-info").rsplit("-", 1)[1]


def recorded_entries(info: Path) -> list[str]:
    """What a distribution installed into its site-packages, as its RECORD lists it: each top-level
    file and directory, and each file of the __pycache__ that top-level modules share; not what
    it installed elsewhere (../../../bin scripts)."""
    record = info / "RECORD"
    if not record.is_file():
        raise SlitherError(f"{info.name} has no RECORD: what it installed is not known")
    paths = [row[0] for row in csv.reader(io.StringIO(record.read_text()))
             if row and not row[0].startswith(("..", "/"))]
    absent = [path for path in paths if not os.path.lexists(info.parent / path)]
    if absent:
        raise SlitherError(f"{info.name}'s RECORD lists {', '.join(absent[:3])}, which {info.parent} lacks")
    return list(dict.fromkeys(path if Path(path).parts[0] == "__pycache__" else Path(path).parts[0]
                              for path in paths))


def copy_venv_distributions(venv_site: Path, site: Path, package: str, tree_reasons: dict) -> list[str]:
    """Copy into the tree's site-packages, with their bytecode and mtimes (the .pyc stay valid),
    the distributions of a stock venv built for `package`: the package and what came with it, but
    the tree's own packages (TREE_PACKAGES), which the tree must have at the venv's version (the
    venv's extensions were built against that version; tree_reasons says why one is missing). One
    the tree has already at the same version (another package brought it) is left. Every check
    comes before the first copy: a refusal leaves the tree as it was.
    Returns "name version" of each distribution copied."""
    in_venv, in_tree = installed_distributions(venv_site), installed_distributions(site)
    if canonical_name(package) not in in_venv:
        raise SlitherError(f"the stock {package} venv has no {package} installed ({venv_site})")
    to_copy = []
    for name, info in in_venv.items():
        version, present = distribution_version(info), in_tree.get(name)
        if present is None and name in TREE_PACKAGES:
            why = tree_reasons.get(name) or "not installed"
            raise SlitherError(f"{package} runs on {name} {version}, which the stock tree lacks ({why})")
        if present is not None and distribution_version(present) != version:
            raise SlitherError(f"{package}'s venv has {name} {version}, the stock tree {name} "
                               f"{distribution_version(present)}")
        if present is None:
            to_copy.append(info)
    entries = [entry for info in to_copy for entry in recorded_entries(info)]
    for entry in entries:
        source, destination = venv_site / entry, site / entry
        if source.is_dir() and not source.is_symlink():
            # dirs_exist_ok: distributions may share a directory (a namespace package)
            shutil.copytree(source, destination, symlinks=True, dirs_exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination, follow_symlinks=False)
    return [f"{info.name.removesuffix('.dist-info').rsplit('-', 1)[0]} {distribution_version(info)}"
            for info in to_copy]


def install_stock_gpaw(prep: Preparation, tree: Path, site: Path, tree_reasons: dict) -> tuple[str, str, tuple]:
    """GPAW as harness/suites/run's gpaw suite compares with (harness.stock.gpaw.stock_gpaw_venv:
    its sdist with the recipe's patches, _gpaw linked against the libxc and OpenBLAS archives in
    the binary's BUILD_DIR, the shared MPICH of `scons reference-mpi` and libgfortran), copied with
    what came with it (ase, ...) from that venv into the tree's site-packages
    (copy_venv_distributions). The venv's numpy and scipy, released wheels of the versions the
    binary has, are not copied: GPAW runs on the tree's, the same versions. _gpaw keeps its
    absolute run-time path to the MPI's lib/; the MPI's libraries are in tree/mpich/lib (as for
    mpi4py), on LD_LIBRARY_PATH for the workloads that import gpaw, searched first, so the served
    copy is the one loaded. Returns (reason gpaw is not installed or "", its cache key, its
    library directories in the tree)."""
    if prep.gpaw_reason:
        return prep.gpaw_reason, "", ()
    if prep.stock_wheel_dir is None or prep.stock_mpi_prefix is None:
        return ("gpaw not built for the stock interpreter in this run (no wheel directory or no shared MPI: run "
                "`scons reference-mpi` or give --stock-mpi)"), "", ()
    from harness.stock.gpaw import stock_gpaw_venv
    from harness.suites.binary_under_test import package_recipe
    try:
        build, _ = package_recipe(prep.static_binary, "gpaw")
        python, _ = stock_gpaw_venv(str(prep.stock_python), prep.static_binary, build, prep.build_dir,
                                    prep.stock_wheel_dir, list(prep.source_dirs),
                                    stock_mpi_prefix=str(prep.stock_mpi_prefix))
    except (SlitherError, subprocess.CalledProcessError) as error:
        return f"stock gpaw not built: {first_line(error)}", "", ()
    venv = python.parent.parent
    try:
        copy_venv_distributions(venv_site_packages(venv), site, "gpaw", tree_reasons)
    except SlitherError as error:
        return f"stock gpaw not installed: {first_line(error)}", "", ()
    library_dir = copy_shared_libraries(prep.stock_mpi_prefix / "lib", tree / "mpich" / "lib")
    key = key_of("stock-gpaw", (venv / ".slither-suite").read_text())
    return "", key, (str(library_dir.relative_to(prep.served)),)


def install_stock_netcdf4(prep: Preparation, tree: Path, site: Path, tree_reasons: dict) -> tuple[str, str, tuple]:
    """netCDF4 as harness/suites/run's netcdf4 suite compares with
    (harness.stock.netcdf.stock_netcdf4_venv: the binary's variant, serial, or parallel when it
    has mpi4py; a shared netCDF-C over a shared HDF5, built under the wheel directory; netCDF4's
    sdist with the recipe's patches), copied with what came with it (cftime, certifi, packaging)
    into the tree's site-packages (copy_venv_distributions: the venv's numpy and mpi4py are the
    tree's). netCDF-C's shared libraries go into tree/netcdf-c/lib and HDF5's into tree/hdf5/lib
    (stock h5py's, for the same variant); the extension and libnetcdf keep their absolute
    run-time paths, and both directories are on LD_LIBRARY_PATH for the workloads that import
    netCDF4, searched first. Returns (reason netCDF4 is not installed or "", its cache key, its
    library directories in the tree)."""
    if prep.netcdf4_reason:
        return prep.netcdf4_reason, "", ()
    if prep.stock_wheel_dir is None:
        return "netCDF4 not built for the stock interpreter in this run (no wheel directory)", "", ()
    from harness.stock import hdf5 as stock_hdf5
    from harness.stock import netcdf as stock_netcdf
    from harness.suites.binary_under_test import package_recipe
    try:
        build, _ = package_recipe(prep.static_binary, "netCDF4")
        variant = stock_netcdf.binary_variant(build)
        python, _ = stock_netcdf.stock_netcdf4_venv(str(prep.stock_python), prep.static_binary, build,
                                                    prep.build_dir, prep.stock_wheel_dir, list(prep.source_dirs),
                                                    stock_mpi_prefix=str(prep.stock_mpi_prefix or ""))
    except (SlitherError, subprocess.CalledProcessError) as error:
        return f"stock netCDF4 not built: {first_line(error)}", "", ()
    venv = python.parent.parent
    try:
        copy_venv_distributions(venv_site_packages(venv), site, "netCDF4", tree_reasons)
    except SlitherError as error:
        return f"stock netCDF4 not installed: {first_line(error)}", "", ()
    prefixes = {"netcdf-c": stock_netcdf.shared_netcdf_prefix(prep.stock_wheel_dir, variant),
                "hdf5": stock_hdf5.shared_hdf5_prefix(prep.stock_wheel_dir, variant)}
    library_dirs = [copy_shared_libraries(prefix / "lib", tree / name / "lib") for name, prefix in prefixes.items()]
    key = key_of("stock-netcdf4", (venv / ".slither-suite").read_text(),
                 *((prefix.parent / "stamp.json").read_text() for prefix in prefixes.values()))
    return "", key, tuple(str(directory.relative_to(prep.served)) for directory in library_dirs)


def unavailable_for(workload: Workload, reasons: dict) -> str:
    """Why a contender cannot run the workload: the reasons of each package it needs and lacks
    (reasons: package -> "" when present), in the workload's order; "" when it can."""
    return "; ".join(reasons[package] for package in workload.needs if reasons.get(package))


def stock_packages_wanted(workloads) -> set[str]:
    """The packages the stock tree gets for these workloads: those they import, and the tree's own
    packages those run on (RUNS_ON_TREE_PACKAGES)."""
    wanted = {package for workload in workloads for package in workload.needs}
    return wanted | {needed for package in wanted for needed in RUNS_ON_TREE_PACKAGES.get(package, ())}


def not_wanted(package: str) -> tuple[str, str, tuple]:
    return f"{package} not installed: no workload of this run needs it", "", ()


def prepare_stock(prep: Preparation, log: Path) -> Contender:
    facts = interpreter_facts(prep.stock_python)
    tree = prep.served / "stock"
    library_path = copy_stock_tree(prep.stock_python, facts, tree)
    python = tree / "bin" / f"python{facts['series']}"
    env = clean_environment({"LD_LIBRARY_PATH": str(tree / library_path)} if library_path else None)
    site = site_packages_of(python, tree, env)
    site.mkdir(parents=True, exist_ok=True)
    numpy_reason, numpy_key = install_stock_numpy(prep, facts, site, log)
    mpi4py_reason, mpi4py_key = install_stock_mpi4py(prep, facts, tree, site, log)
    wanted = stock_packages_wanted(prep.workloads)
    scipy_reason, scipy_key = (install_stock_scipy(prep, facts, site, log) if "scipy" in wanted
                               else not_wanted("scipy")[:2])
    reasons = {"numpy": numpy_reason, "mpi4py": mpi4py_reason, "scipy": scipy_reason}
    keys, library_paths = [numpy_key, mpi4py_key, scipy_key], {}
    # after the tree's own packages: GPAW and netCDF4 run on them
    for package, install in (("h5py", lambda: install_stock_h5py(prep, tree, site)),
                             ("gpaw", lambda: install_stock_gpaw(prep, tree, site, reasons)),
                             ("netCDF4", lambda: install_stock_netcdf4(prep, tree, site, reasons))):
        reason, key, directories = install() if package in wanted else not_wanted(package)
        reasons[package] = reason
        keys.append(key)
        if directories:
            library_paths[package] = directories
    packages = tuple(package for package in PACKAGES if not reasons[package])
    kind = "shared libpython" if links_libpython(prep.stock_python) else "libpython linked into the executable"
    notes = {"mpi4py": (", mpi4py built against the shared MPICH of `scons reference-mpi` (libraries in "
                        "stock/mpich/lib)"),
             "h5py": (", h5py against a shared HDF5 (libraries in stock/hdf5/lib, on LD_LIBRARY_PATH for the "
                      "workloads that import h5py)"),
             "gpaw": (", GPAW against the build's libxc and OpenBLAS and the shared MPICH (stock/mpich/lib on "
                      "LD_LIBRARY_PATH for the workloads that import gpaw)"),
             "netCDF4": (", netCDF4 against a shared netCDF-C and HDF5 (stock/netcdf-c/lib and stock/hdf5/lib on "
                         "LD_LIBRARY_PATH for the workloads that import netCDF4)")}
    contender = Contender(STOCK, f"stock CPython {facts['version']} ({kind}{prep.stock_note}), "
                                 f"{', '.join(packages) or 'no packages'} in {site.relative_to(prep.served)}"
                                 + "".join(note for package, note in notes.items() if not reasons[package]),
                          interpreter=str(python.relative_to(prep.served)), library_path=(
                              str((tree / library_path).relative_to(prep.served)) if library_path else ""),
                          # numpy's and mpi4py's always (empty when not installed), the others' when installed
                          tree="stock", package_keys=tuple(keys[:2]) + tuple(key for key in keys[2:] if key),
                          packages=packages, package_library_paths=library_paths)
    for workload in prep.workloads:
        reason = unavailable_for(workload, reasons)
        if reason:
            contender.unavailable[workload.key] = reason
    return contender


# ---------------------------------------------------------------------------------------------
# PyInstaller

def install_pyinstaller(prep: Preparation, log: Path) -> Path:
    pin = requirement_pin("pyinstaller")
    target = prep.cache_dir / f"pyinstaller-{key_of(pin, sha256_of(prep.stock_python))}"
    if not target.is_dir():
        say(f"pyinstaller: pip install {pin} for {prep.stock_python}")
        staging = Path(tempfile.mkdtemp(dir=prep.cache_dir, prefix=".pyinstaller-"))
        run_checked([str(prep.stock_python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
                     "--target", str(staging), pin], what="pip install pyinstaller", log=log,
                    env=clean_environment({"PIP_BREAK_SYSTEM_PACKAGES": "1"}))
        os.replace(staging, target)
    return target


def prepare_pyinstaller(prep: Preparation, stock: Contender, log: Path) -> Contender:
    site = next((prep.served / stock.interpreter).parent.parent.glob("lib/python*/*-packages"))
    contender = Contender(PYINSTALLER, f"PyInstaller one-file ({requirement_pin('pyinstaller')}) of each workload, "
                                       "built by the stock interpreter; extracts itself to /tmp at every start",
                          tree="pyinstaller")
    try:
        pyinstaller = install_pyinstaller(prep, log)
    except SlitherError as error:
        contender.unavailable = {w.key: f"PyInstaller could not be installed: {str(error).splitlines()[0]}"
                                 for w in prep.workloads}
        return contender
    destination = prep.served / "pyinstaller"
    destination.mkdir(parents=True, exist_ok=True)
    contender.packages = stock.packages
    for workload in prep.workloads:
        if workload.key in stock.unavailable:
            contender.unavailable[workload.key] = stock.unavailable[workload.key]
            continue
        # the script must not be named after a module it imports (numpy.py would import itself)
        script = f"workload_{workload.slug}.py"
        key = key_of("onefile", script, sha256_of(prep.stock_python), pyinstaller.name, workload.script_text(),
                     *workload.hidden_imports,
                     *(sorted(p.name for p in site.iterdir()) + list(stock.package_keys) if workload.needs else ""))
        cached = prep.cache_dir / f"onefile-{workload.slug}-{key}"
        if not cached.exists():
            try:
                build_onefile(prep, workload, script, pyinstaller, site, cached, log)
            except SlitherError as error:   # one workload's bundle (an application's), not the run
                contender.unavailable[workload.key] = f"PyInstaller one-file not built: {first_line(error)}"
                continue
        shutil.copy2(cached, destination / workload.slug)
        contender.onefiles[workload.key] = f"pyinstaller/{workload.slug}"
    return contender


def build_onefile(prep: Preparation, workload: Workload, script: str, pyinstaller: Path, site: Path, cached: Path,
                  log: Path) -> None:
    """PyInstaller's one-file of the workload's script, with the stock tree's site-packages on its
    path, moved to `cached` when it was built; its build directory is removed either way."""
    say(f"pyinstaller: one-file for {workload.key!r}")
    build = Path(tempfile.mkdtemp(dir=prep.work_dir, prefix=f"pyi-{workload.slug}-"))
    try:
        write_work_directory(build)
        (build / script).write_text(workload.script_text())
        env = clean_environment({"PYTHONPATH": f"{pyinstaller}:{site}"})
        hidden = [argument for module in workload.hidden_imports for argument in ("--hidden-import", module)]
        run_checked([str(prep.stock_python), "-m", "PyInstaller", "--onefile", "--noconfirm", "--log-level", "WARN",
                     *hidden, "--name", workload.slug, "--distpath", str(build / "dist"),
                     "--workpath", str(build / "build"), "--specpath", str(build), str(build / script)],
                    what=f"PyInstaller one-file of {workload.key!r}", log=log, env=env, cwd=build)
        os.replace(build / "dist" / workload.slug, cached)
    finally:
        shutil.rmtree(build, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# python-static

def prepare_static(prep: Preparation) -> Contender:
    if not os.access(prep.static_binary, os.X_OK):
        raise SlitherError(f"{prep.static_binary}: no such executable; build it with "
                           "`scons MODULES=numpy BUILD_DIR=build-np` or pass --static")
    destination = prep.served / "static"
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copy2(prep.static_binary, destination / "python-static")
    contender = Contender(STATIC, f"python-static ({prep.static_binary})", interpreter="static/python-static",
                          tree="static")
    # what the workloads import, and an application workload's stack (the sizes table says which
    # packages the binary has beside the stock tree's)
    asked = sorted({package for workload in prep.workloads for package in (*workload.needs, *workload.stack)})
    built_in = {package: subprocess.run([str(prep.static_binary), "-c", f"import {package}"], capture_output=True,
                                        env=clean_environment()).returncode == 0 for package in asked}
    contender.packages = tuple(package for package in PACKAGES if built_in.get(package))
    for workload in prep.workloads:
        missing = [package for package in workload.needs if not built_in[package]]
        if "mpi4py" in missing and prep.mpi4py_reason.startswith("mpi4py recipe not merged"):
            contender.unavailable[workload.key] = prep.mpi4py_reason
        elif missing:
            how = f" (scons MODULES={modules_of(workload.stack)} builds one with it)" if workload.stack else ""
            contender.unavailable[workload.key] = f"{', '.join(missing)} not built into {prep.static_binary.name}{how}"
    return contender


def verify_runs(contenders: list[Contender], root: Path, workloads=WORKLOADS) -> None:
    """Every contender runs every workload it claims once; a failure becomes its n/a reason."""
    for contender in contenders:
        for workload in workloads:
            command = contender.command(workload, root)
            if command is None:
                continue
            result = subprocess.run(command, cwd=root / "work", capture_output=True, text=True,
                                    env=contender.environment(root, workload))
            if result.returncode != 0:
                last = (result.stderr.strip().splitlines() or ["no output"])[-1]
                contender.unavailable[workload.key] = f"fails: {last[:120]}"


def prepare_all(prep: Preparation, log: Path) -> list[Contender]:
    if prep.served.exists():
        shutil.rmtree(prep.served)
    prep.served.mkdir(parents=True)
    prep.cache_dir.mkdir(parents=True, exist_ok=True)
    write_work_directory(prep.served / "work")
    stock = prepare_stock(prep, log)
    contenders = [stock, prepare_pyinstaller(prep, stock, log), prepare_static(prep)]
    verify_runs(contenders, prep.served, prep.workloads)
    return contenders


def tree_size(path: Path) -> int:
    """Bytes on disk of a file or directory tree (allocated blocks, like du)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_blocks * 512
    return sum(p.lstat().st_blocks * 512 for p in path.rglob("*"))
