"""The stock builds of the packages Slither builds in (numpy, scipy, mpi4py), for comparison: the
recipe's pinned sdist, with the recipe's build options and the pinned build tools (or the
recipe's own build requirements, as the static build locked them), built by the stock
interpreter the usual shared way (pip; extension modules as .so files).

One pip build (pip_build_command), installed in one of two layouts:
- venv_with_packages: a venv of the stock interpreter that holds the stock_wheel of each package
  it is given (scipy's: numpy, scipy; h5py's: numpy, mpi4py, h5py), each built against the ones
  before it, and nothing else (harness/suites/run runs the package's own test suite there);
- install_into_site: the package in the site-packages of a relocatable stock tree, cached as a
  tar (bench/contenders.py: the tree the metadata server serves).
mpi4py is built against the shared MPI of `scons reference-mpi` (harness.stock.mpi).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from slither.commands import run_logged, say
from slither.errors import SlitherError
from slither.files import sha256_of
from slither.packages import build_tools
from slither.cache import default_cache_dir
from slither.recipes.recipe import LOCKED_BUILD_REQUIREMENTS
from slither.packages.build import prepare_source
from slither.sources import patches
from slither.sources.pinned import obtain


def recipe_config_settings(recipe) -> tuple[str, ...]:
    """The recipe's build-backend options (meson's setup-args=-D...): the static build passes
    them to pip, so the stock build does too and both run the same package code."""
    return tuple(recipe.config_settings)


def pip_build_command(python, action: list[str], sdist: Path, config_settings=()) -> list[str]:
    """pip building `sdist` with the build tools already importable (no isolation, no index, no
    dependencies) and the recipe's options; `action` is `wheel -w DIR` or `install --target DIR`."""
    return [str(python), "-m", "pip", "--disable-pip-version-check", *action, "--no-index", "--no-deps",
            "--no-build-isolation", *[f"--config-settings={setting}" for setting in config_settings], str(sdist)]


def interpreter_series(python) -> str:
    """'3.11' for a python3.11."""
    return subprocess.run([str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                          stdout=subprocess.PIPE, text=True, check=True).stdout.strip()


def venv_site_packages(venv: Path) -> Path:
    found = sorted(Path(venv).glob("lib/python*/site-packages"))
    if not found:
        raise SlitherError(f"{venv}: a venv without lib/python*/site-packages")
    return found[0]


def stock_identity(stock_python: str, recipe, build_env: dict | None, identity_extra: dict | None,
                   dependencies: list[Path], patch_files=()) -> str:
    """Everything a stock wheel depends on: a wheel whose stamp differs is rebuilt. Dependencies
    count by content, not name: an mpi4py wheel built against another MPI has the same name.
    Patches (only when there are any, so that the identities of unpatched builds stay as they were)
    count by content too."""
    identity = {"python": os.path.realpath(stock_python), "sha256": recipe.source.sha256,
                "settings": list(recipe_config_settings(recipe)), "layout": "wheel into a clean venv"}
    if build_env:
        identity.update(environment=build_env, **(identity_extra or {}))
    if dependencies:
        identity.update(dependencies=[f"{path.name} {sha256_of(path)}" for path in dependencies])
    if patch_files:
        identity.update(patches=[f"{Path(patch).name} {sha256_of(Path(patch))}" for patch in patch_files])
    return json.dumps(identity, sort_keys=True)


def build_requirement_wheels(recipe, series: str, store: Path, source_dirs: list[Path]) -> tuple[list[Path], tuple]:
    """(wheels, names built by Slither) of the recipe's own build requirements, as the static
    build's prefix has them: its pins, or its sdist's requirements as locked on first use
    (scipy: pythran, pybind11, a Cython below 3.1; numpy from the build). ([], ()) when the
    recipe uses the pinned build tools."""
    from slither.packages.build_requirements import HostPlatform, lock_file, pinned_build_requirements, read_lock
    if recipe.build_requirements == LOCKED_BUILD_REQUIREMENTS:
        path = lock_file(store, recipe.name, recipe.version, HostPlatform(series, "manylinux"))
        if not path.is_file():
            raise SlitherError(f"{recipe.name} {recipe.version}: no lock of its build requirements ({path}); "
                               f"build the binary with MODULES={recipe.name} first, which locks them")
        requirements = read_lock(path)
    elif recipe.build_requirements:  # the recipe's own pinned wheels, those for this series (netCDF4's Cython)
        requirements = pinned_build_requirements(
            tuple(wheel for wheel in recipe.build_requirements if wheel.pip.python_version in ("", series)),
            recipe.path)
    elif recipe.locked_build_requirements is not None:  # a package without a recipe, as its build locked it
        requirements = recipe.locked_build_requirements
    else:
        return [], ()
    wheels = [obtain(wheel, search_dirs=source_dirs, store=store, log=say) for wheel in requirements.wheels]
    return wheels, tuple(requirements.from_build)


def wheel_directory(work: Path, recipe, identity: str) -> Path:
    """WORK/stock-wheels/<name>-<version>-<key>: one slot per identity, so that the serial and the
    MPI h5py (built against different wheels) do not evict each other."""
    key = hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Path(work) / "stock-wheels" / f"{recipe.name}-{recipe.version}-{key}"


def pip_bootstrap_wheel(tool_wheels: list[Path]) -> Path:
    """The tool wheels include pip: a venv is bootstrapped from its own wheel (ensurepip would
    bring the interpreter's bundled pip and setuptools)."""
    pip_wheel = next((wheel for wheel in tool_wheels if wheel.name.startswith("pip-")), None)
    if pip_wheel is None:
        raise SlitherError("the pinned build tools have no pip wheel")
    return pip_wheel


def stock_wheel(stock_python: str, recipe, work: Path, source_dirs: list[Path], build_env: dict | None = None,
                identity_extra: dict | None = None, dependencies: list[Path] = (), patch_files=()) -> Path:
    """The recipe's package as a wheel built by the stock interpreter the usual way, from the same
    sdist with the same build options and the same pinned build tools (or the recipe's own build
    requirements), in a builder venv that has them and `dependencies` (wheels it builds against:
    scipy's and h5py's stock numpy, h5py's stock mpi4py).
    patch_files: applied to the unpacked sdist first, as the static build applies them (netCDF4:
    the static side's patches, so that both sides run the same code).
    A package whose source is a pure-Python wheel (a package without a recipe, such as netCDF4's
    certifi) is that very wheel: there is nothing to build, and the static side installs it as it is.
    Kept in WORK/stock-wheels/ with a stamp of what it was built from; a build that fails leaves
    no wheel there."""
    if getattr(recipe, "build_system", "") == "pure" and recipe.source_path:
        say(f"stock {recipe.name} {recipe.version}: its pure-Python wheel as it is")
        return Path(recipe.source_path)
    dependencies = list(dependencies)
    patch_files = [Path(patch) for patch in patch_files]
    identity = stock_identity(stock_python, recipe, build_env, identity_extra, dependencies, patch_files)
    directory = wheel_directory(work, recipe, identity)
    stamp = directory / ".slither-stock"
    if stamp.is_file() and stamp.read_text() == identity:
        built = sorted(directory.glob("*.whl"))
        if len(built) == 1:
            say(f"stock {recipe.name} {recipe.version}: the wheel built before ({built[0].name})")
            return built[0]
    for patch in patch_files:  # pinned like the static side's (patches/SHA256SUMS)
        patches.verify_patch(patch)
    store = Path(default_cache_dir()) / "downloads"
    series = interpreter_series(stock_python)
    tools = build_tools.obtain_tool_wheels(series, store=store, search_dirs=source_dirs, log=say)
    own_requirements, _ = build_requirement_wheels(recipe, series, store, source_dirs)
    sdist = (Path(recipe.source_path) if recipe.source_path  # built without a recipe: locked
             else obtain(recipe.source, search_dirs=source_dirs, store=store, upstream_version=recipe.version, log=say))
    builder = Path(work) / f"stock-build-{directory.name}"
    for leftover in (builder, directory):
        shutil.rmtree(leftover, ignore_errors=True)
    subprocess.run([stock_python, "-m", "venv", "--without-pip", str(builder)], check=True)
    pip_wheel = pip_bootstrap_wheel(tools)
    needed = ([pip_wheel, *own_requirements] if own_requirements else tools) + dependencies
    subprocess.run([str(builder / "bin" / "python"), f"{pip_wheel}/pip", "install", "-q", "--disable-pip-version-check",
                    "--no-index", "--no-deps", *map(str, needed)], check=True)
    log = Path(work) / f"stock-{recipe.name}-build.log"
    say(f"stock {recipe.name} {recipe.version}: pip wheel from {sdist.name} (log: {log})")
    started = time.monotonic()
    # meson finds cython (and ninja) on PATH, not beside the interpreter: the venv's bin/ first,
    # as if it were activated.
    environment = dict(os.environ, PATH=f"{builder / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    if patch_files:  # what pip builds is then the patched tree, as on the static side
        try:
            sdist = prepare_source(sdist, builder / "source", patch_files, f"stock {recipe.name} {recipe.version}")
        except SlitherError:
            shutil.rmtree(builder, ignore_errors=True)
            raise
    wheel_dir = builder / "wheel"
    with open(log, "w") as stream:
        built = subprocess.run(pip_build_command(builder / "bin" / "python", ["wheel", "-v", "-w", str(wheel_dir)],
                                                 sdist, recipe_config_settings(recipe)),
                               stdout=stream, stderr=subprocess.STDOUT, env={**environment, **(build_env or {})})
    built_wheel = next(wheel_dir.glob("*.whl"), None)
    if built.returncode != 0 or built_wheel is None:
        shutil.rmtree(builder, ignore_errors=True)
        raise SlitherError(f"stock build of {recipe.name} failed; see {log}")
    partial = directory.with_name(directory.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    kept = directory / built_wheel.name
    shutil.move(str(built_wheel), partial / built_wheel.name)
    (partial / ".slither-stock").write_text(identity)
    os.replace(partial, directory)
    shutil.rmtree(builder)
    say(f"stock {recipe.name} {recipe.version}: built in {time.monotonic() - started:.0f} s")
    return kept


@dataclass(frozen=True)
class StockBuild:
    """One package of a stock venv: its recipe, the variables its build gets (mpi4py: MPICC,
    LDFLAGS; h5py: HDF5_DIR, ...), and what else the build depends on (the MPI, the HDF5)."""

    recipe: object
    build_env: dict | None = None
    identity_extra: dict | None = None
    patch_files: tuple = ()  # applied to the sdist before the build (stock_wheel)
    wheel: Path | None = None  # a wheel taken as it is, nothing built (GPAW's released numpy and scipy)


def venv_name(builds) -> str:
    return "stock-" + "+".join(f"{build.recipe.name}-{build.recipe.version}" for build in builds)


def stock_wheels_in_order(stock_python: str, builds, work: Path, source_dirs: list[Path]) -> list[Path]:
    """The stock_wheel of each build, each built against the wheels before it (h5py against numpy
    and mpi4py, as from the package index it would be)."""
    wheels: list[Path] = []
    for build in builds:
        if build.wheel is not None:
            wheels.append(Path(build.wheel))
            continue
        wheels.append(stock_wheel(stock_python, build.recipe, work, source_dirs, build.build_env,
                                  build.identity_extra, dependencies=list(wheels), patch_files=build.patch_files))
    return wheels


def venv_with_packages(stock_python: str, builds, work: Path, source_dirs: list[Path]) -> Path:
    """A venv of the stock interpreter holding the stock wheels of `builds` (StockBuild, in build
    order: stock_wheels_in_order) and nothing else. The tests see no build tool python-static
    lacks (numpy's suite skips test_system_info when setuptools is installed and runs test_cython
    when Cython is); a console script (numpy-config) is in its bin/.
    Returns the venv's python."""
    builds = list(builds)
    wheels = stock_wheels_in_order(stock_python, builds, work, source_dirs)
    venv = Path(work) / venv_name(builds)
    python = venv / "bin" / "python"
    identity = "\n".join([os.path.realpath(stock_python), *(f"{wheel.name} {sha256_of(wheel)}" for wheel in wheels)])
    stamp = venv / ".slither-suite"
    if stamp.is_file() and stamp.read_text() == identity:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([stock_python, "-m", "venv", "--without-pip", str(venv)], check=True)
    store = Path(default_cache_dir()) / "downloads"
    tools = build_tools.obtain_tool_wheels(interpreter_series(stock_python), store=store, search_dirs=source_dirs,
                                           log=say)
    subprocess.run([stock_python, f"{pip_bootstrap_wheel(tools)}/pip", "--disable-pip-version-check", "-q",
                    "--python", str(python), "install", "--no-index", "--no-deps", *map(str, wheels)], check=True)
    stamp.write_text(identity)  # last: a venv cut off before this is rebuilt
    return python


def unpack_build_tools(tar: Path, destination: Path, series: str) -> Path:
    """The static build's build-tools.tar (the same pinned tools) unpacked once; its site-packages."""
    if not (destination / "lib").is_dir():
        with tarfile.open(tar) as archive:
            archive.extractall(destination, filter="data")
    return destination / "lib" / f"python{series}" / "site-packages"


def install_into_site(stock_python: Path, *, name: str, sdist: Path, config_settings=(), tools_tar: Path,
                      series: str, work_dir: Path, cached: Path, site: Path, log: Path, base_environment: dict,
                      build_env: dict | None = None) -> None:
    """The package built from its sdist by the stock interpreter (pip install --target, no
    isolation, the pinned build tools of tools_tar on PYTHONPATH) into `site`, a relocatable
    tree's site-packages. The build is kept as the tar `cached` (the caller names it by the hash
    of every input); a second call unpacks it. base_environment: the caller's, cleaned of
    whatever steers an interpreter; build_env: the package's own (mpi4py: MPICC, LDFLAGS)."""
    if not cached.exists():
        say(f"stock {name}: pip install {sdist.name} with {stock_python} (cold: minutes)")
        tools_site = unpack_build_tools(tools_tar, work_dir / "build-tools", series)
        staging = Path(tempfile.mkdtemp(dir=work_dir, prefix=f"{name}-site-"))
        env = {**base_environment, "PYTHONPATH": str(tools_site),
               "PATH": f"{tools_site.parent.parent.parent / 'bin'}:{os.environ['PATH']}", **(build_env or {})}
        run_logged(pip_build_command(stock_python, ["install", "--target", str(staging)], sdist, config_settings),
                   what=f"{name} build for the stock interpreter", log=log, env=env)
        for leftover in staging.glob("bin"):
            shutil.rmtree(leftover)
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".part")
        with tarfile.open(partial, "w") as archive:
            archive.add(staging, arcname=".")
        os.replace(partial, cached)
        shutil.rmtree(staging)
    else:
        say(f"stock {name}: from the cache ({cached.name})")
    with tarfile.open(cached) as archive:
        archive.extractall(site, filter="data")


def brought_in_for(build: dict, package: str, left_out=()) -> list[str]:
    """The packages the binary's build brought in for `package` (its manifest's needed_by: "name
    version" of what needs it, followed through one another), in the manifest's order, but those
    in left_out (netCDF4's and GPAW's stock venvs)."""
    modules = build.get("modules", {})
    wanted: set[str] = set()
    grew = True
    while grew:
        grew = False
        for name, info in modules.items():
            needers = {label.split(" ", 1)[0] for label in info.get("needed_by", ())}
            if name not in wanted and name not in left_out and name != package and needers & {package, *wanted}:
                wanted.add(name)
                grew = True
    return [name for name in modules if name in wanted]
