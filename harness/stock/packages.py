"""The stock builds of the packages Slither builds in (numpy, scipy, mpi4py), for comparison: the
recipe's pinned sdist, with the recipe's build options and the pinned build tools (or the
recipe's own build requirements, as the static build locked them), built by the stock
interpreter the usual shared way (pip; extension modules as .so files).

One pip build (pip_build_command), installed in one of two layouts:
- venv_with_package: a venv of the stock interpreter that holds the package (a stock_wheel) and
  the stock wheels of what it needs (scipy: numpy) and nothing else (harness/suites/run runs the
  package's own test suite there);
- install_into_site: the package in the site-packages of a relocatable stock tree, cached as a
  tar (bench/contenders.py: the tree the metadata server serves).
mpi4py is built against the shared MPI of `scons reference-mpi` (harness.stock.mpi).
"""

from __future__ import annotations

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
from slither.plan.build_plan import default_cache_dir
from slither.sources.pinned import obtain


def recipe_config_settings(recipe) -> tuple[str, ...]:
    """The recipe's build-backend options (meson's setup-args=-D...): the static build passes
    them to pip, so the stock build does too and both run the same package code."""
    return tuple(recipe.extra.get("config_settings", ()))


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
                   dependencies: list[Path]) -> str:
    """Everything a stock build depends on: a wheel or venv whose stamp differs is rebuilt."""
    identity = {"python": os.path.realpath(stock_python), "sha256": recipe.source.sha256,
                "settings": list(recipe_config_settings(recipe)), "layout": "wheel into a clean venv"}
    if build_env:
        identity.update(environment=build_env, **(identity_extra or {}))
    if dependencies:
        identity.update(dependencies=[path.name for path in dependencies])
    return json.dumps(identity, sort_keys=True)


def build_requirement_wheels(recipe, series: str, store: Path, source_dirs: list[Path]) -> tuple[list[Path], tuple]:
    """(wheels, names built by Slither) of the recipe's own build requirements, as the static
    build's prefix has them: its pins, or its sdist's requirements as locked on first use
    (scipy: pythran, pybind11, a Cython below 3.1; numpy from the build). ([], ()) when the
    recipe uses the pinned build tools."""
    from slither.packages.build_requirements import HostPlatform, lock_file, read_lock
    requirements = recipe.extra.get("build_requirements")
    if requirements is None:
        return [], ()
    if requirements == "locked":
        path = lock_file(store, recipe.name, recipe.version, HostPlatform(series, "manylinux"))
        if not path.is_file():
            raise SlitherError(f"{recipe.name} {recipe.version}: no lock of its build requirements ({path}); "
                               f"build the binary with MODULES={recipe.name} first, which locks them")
        requirements = read_lock(path)
    wheels = [obtain(wheel, search_dirs=source_dirs, store=store, log=say) for wheel in requirements.wheels]
    return wheels, tuple(requirements.from_build)


def stock_wheel(stock_python: str, recipe, work: Path, source_dirs: list[Path], build_env: dict | None = None,
                identity_extra: dict | None = None, dependencies: list[Path] = ()) -> Path:
    """The recipe's package as a wheel built by the stock interpreter the usual way, from the same
    sdist with the same build options and the same pinned build tools (or the recipe's own build
    requirements), in a venv that has them and `dependencies` (wheels: scipy's stock numpy).
    Kept in WORK/stock-wheels/ with a stamp of what it was built from."""
    dependencies = list(dependencies)
    directory = work / "stock-wheels" / f"{recipe.name}-{recipe.version}"
    identity = stock_identity(stock_python, recipe, build_env, identity_extra, dependencies)
    stamp = directory / ".slither-stock"
    if stamp.is_file() and stamp.read_text() == identity:
        built = sorted(directory.glob("*.whl"))
        if len(built) == 1:
            return built[0]
    store = Path(default_cache_dir()) / "downloads"
    series = interpreter_series(stock_python)
    tools = build_tools.obtain_tool_wheels(series, store=store, search_dirs=source_dirs, log=say)
    own_requirements, _ = build_requirement_wheels(recipe, series, store, source_dirs)
    sdist = (Path(recipe.extra["source_path"]) if recipe.extra.get("source_path")  # built without a recipe: locked
             else obtain(recipe.source, search_dirs=source_dirs, store=store, upstream_version=recipe.version, log=say))
    builder = work / f"stock-build-{recipe.name}-{recipe.version}"
    for leftover in (builder, directory):
        shutil.rmtree(leftover, ignore_errors=True)
    subprocess.run([stock_python, "-m", "venv", "--without-pip", str(builder)], check=True)
    # the tool wheels include pip: bootstrap it from its own wheel (ensurepip would bring the
    # interpreter's bundled pip and setuptools)
    pip_wheel = next((wheel for wheel in tools if wheel.name.startswith("pip-")), None)
    if pip_wheel is None:
        raise SlitherError("the pinned build tools have no pip wheel")
    needed = ([pip_wheel, *own_requirements] if own_requirements else tools) + dependencies
    subprocess.run([str(builder / "bin" / "python"), f"{pip_wheel}/pip", "install", "-q", "--disable-pip-version-check",
                    "--no-index", "--no-deps", *map(str, needed)], check=True)
    log = work / f"stock-{recipe.name}-build.log"
    say(f"stock {recipe.name} {recipe.version}: pip wheel from {sdist.name} (log: {log})")
    started = time.monotonic()
    # meson finds cython (and ninja) on PATH, not beside the interpreter: the venv's bin/ first,
    # as if it were activated.
    environment = dict(os.environ, PATH=f"{builder / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    wheel_dir = builder / "wheel"
    with open(log, "w") as stream:
        built = subprocess.run(pip_build_command(builder / "bin" / "python", ["wheel", "-v", "-w", str(wheel_dir)],
                                                 sdist, recipe_config_settings(recipe)),
                               stdout=stream, stderr=subprocess.STDOUT, env={**environment, **(build_env or {})})
    built_wheel = next(wheel_dir.glob("*.whl"), None)
    if built.returncode != 0 or built_wheel is None:
        raise SlitherError(f"stock build of {recipe.name} failed; see {log}")
    directory.mkdir(parents=True)
    kept = directory / built_wheel.name
    shutil.move(str(built_wheel), kept)
    shutil.rmtree(builder)
    stamp.write_text(identity)
    say(f"stock {recipe.name} {recipe.version}: built in {time.monotonic() - started:.0f} s")
    return kept


def venv_with_package(stock_python: str, recipe, work: Path, source_dirs: list[Path], build_env: dict | None = None,
                      identity_extra: dict | None = None, dependencies: list[Path] = ()) -> Path:
    """A venv of the stock interpreter holding the recipe's package (stock_wheel) and its
    `dependencies` (wheels) and nothing else. The tests see no build tool python-static lacks
    (numpy's suite skips test_system_info when setuptools is installed and runs test_cython when
    Cython is); a console script (numpy-config) is in its bin/.
    build_env: variables for the package's build (mpi4py: MPICC, LDFLAGS); identity_extra: what
    else the build depends on (the MPI), so that a changed one rebuilds the venv.
    Returns the venv's python."""
    dependencies = list(dependencies)
    wheel = stock_wheel(stock_python, recipe, work, source_dirs, build_env, identity_extra, dependencies)
    venv = work / f"stock-{recipe.name}-{recipe.version}"
    python = venv / "bin" / "python"
    identity = stock_identity(stock_python, recipe, build_env, identity_extra, dependencies) + f" {sha256_of(wheel)}"
    stamp = venv / ".slither-suite"
    if stamp.is_file() and stamp.read_text() == identity:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([stock_python, "-m", "venv", "--without-pip", str(venv)], check=True)
    store = Path(default_cache_dir()) / "downloads"
    tools = build_tools.obtain_tool_wheels(interpreter_series(stock_python), store=store, search_dirs=source_dirs,
                                           log=say)
    pip_wheel = next(tool for tool in tools if tool.name.startswith("pip-"))
    subprocess.run([stock_python, f"{pip_wheel}/pip", "--disable-pip-version-check", "-q", "--python", str(python),
                    "install", "--no-index", "--no-deps", str(wheel), *map(str, dependencies)], check=True)
    stamp.write_text(identity)
    return python


def venv_identity(stock_python: str, recipe, build_env: dict | None, identity_extra: dict | None) -> str:
    """stock_identity of a package built without dependency wheels (venv_with_packages' stamps)."""
    return stock_identity(stock_python, recipe, build_env, identity_extra, [])


@dataclass(frozen=True)
class StockBuild:
    """One package of a stock venv: its recipe, the variables its build gets (mpi4py: MPICC,
    LDFLAGS; h5py: HDF5_DIR, ...), and what else the build depends on (the MPI, the HDF5)."""

    recipe: object
    build_env: dict | None = None
    identity_extra: dict | None = None


def venv_name(builds) -> str:
    return "stock-" + "+".join(f"{build.recipe.name}-{build.recipe.version}" for build in builds)


def venv_with_packages(stock_python: str, builds, work: Path, source_dirs: list[Path]) -> Path:
    """venv_with_package for several packages (StockBuild, in build order): each wheel is built
    in the builder venv with the ones before it installed there (h5py builds against numpy and
    mpi4py, as from the package index it would), then all are installed into one clean venv.
    Returns the venv's python."""
    builds = list(builds)
    venv = work / venv_name(builds)
    builder = work / f"stock-build-{venv.name[len('stock-'):]}"
    python = venv / "bin" / "python"
    identity = "\n".join(venv_identity(stock_python, build.recipe, build.build_env, build.identity_extra)
                         for build in builds)
    stamp = venv / ".slither-suite"
    if stamp.is_file() and stamp.read_text() == identity:
        return python
    store = Path(default_cache_dir()) / "downloads"
    wheels = build_tools.obtain_tool_wheels(interpreter_series(stock_python), store=store, search_dirs=source_dirs,
                                            log=say)
    for leftover in (venv, builder):
        shutil.rmtree(leftover, ignore_errors=True)
    subprocess.run([stock_python, "-m", "venv", "--without-pip", str(builder)], check=True)
    subprocess.run([stock_python, "-m", "venv", "--without-pip", str(venv)], check=True)
    # the tool wheels include pip: bootstrap it from its own wheel (ensurepip would bring the
    # interpreter's bundled pip and setuptools)
    pip_wheel = next((wheel for wheel in wheels if wheel.name.startswith("pip-")), None)
    if pip_wheel is None:
        raise SlitherError("the pinned build tools have no pip wheel")
    builder_python = builder / "bin" / "python"
    subprocess.run([str(builder_python), f"{pip_wheel}/pip", "install", "-q", "--disable-pip-version-check",
                    "--no-index", "--no-deps", *map(str, wheels)], check=True)
    # meson finds cython (and ninja) on PATH, not beside the interpreter: the venv's bin/ first,
    # as if it were activated.
    environment = dict(os.environ, PATH=f"{builder / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    built_wheels = []
    for position, build in enumerate(builds):
        recipe = build.recipe
        # a wheel built before, with the same packages before it, is taken again (numpy for two venvs)
        wheel_dir = wheel_store(work, builds[:position + 1], stock_python)
        built_wheel = next(wheel_dir.glob("*.whl"), None)
        if built_wheel is not None:
            say(f"stock {recipe.name} {recipe.version}: the wheel built before ({built_wheel.name})")
            built_wheels.append(built_wheel)
            install_into_builder(builder_python, built_wheel, position, builds)
            continue
        sdist = (Path(recipe.extra["source_path"]) if recipe.extra.get("source_path")  # built without a recipe: locked
                 else obtain(recipe.source, search_dirs=source_dirs, store=store, upstream_version=recipe.version,
                             log=say))
        log = work / f"stock-{recipe.name}-build.log"
        say(f"stock {recipe.name} {recipe.version}: pip wheel from {sdist.name} (log: {log})")
        started = time.monotonic()
        partial = wheel_dir.with_name(wheel_dir.name + ".part")
        shutil.rmtree(partial, ignore_errors=True)
        with open(log, "w") as stream:
            built = subprocess.run(pip_build_command(builder_python, ["wheel", "-v", "-w", str(partial)],
                                                     sdist, recipe_config_settings(recipe)),
                                   stdout=stream, stderr=subprocess.STDOUT,
                                   env={**environment, **(build.build_env or {})})
        if built.returncode != 0 or next(partial.glob("*.whl"), None) is None:
            raise SlitherError(f"stock build of {recipe.name} failed; see {log}")
        shutil.rmtree(wheel_dir, ignore_errors=True)
        os.replace(partial, wheel_dir)
        built_wheel = next(wheel_dir.glob("*.whl"))
        say(f"stock {recipe.name} {recipe.version}: built in {time.monotonic() - started:.0f} s")
        built_wheels.append(built_wheel)
        install_into_builder(builder_python, built_wheel, position, builds)
    subprocess.run([str(builder_python), "-m", "pip", "--disable-pip-version-check", "-q",
                    "--python", str(python), "install", "--no-index", "--no-deps", *map(str, built_wheels)],
                   check=True)
    shutil.rmtree(builder)
    stamp.write_text(identity)
    return python


def wheel_store(work: Path, builds_so_far, stock_python: str) -> Path:
    """WORK/stock-wheels/<key>: the wheel of the last of builds_so_far, keyed by its identity and
    those of the packages built (and installed) before it."""
    identity = "\n".join(venv_identity(stock_python, build.recipe, build.build_env, build.identity_extra)
                         for build in builds_so_far)
    last = builds_so_far[-1].recipe
    key = hashlib.sha256(identity.encode()).hexdigest()[:24]
    return Path(work) / "stock-wheels" / f"{last.name}-{last.version}-{key}"


def install_into_builder(builder_python: Path, wheel: Path, position: int, builds) -> None:
    """What the next package of the venv builds against (h5py: numpy, mpi4py)."""
    if position + 1 < len(builds):
        subprocess.run([str(builder_python), "-m", "pip", "--disable-pip-version-check", "-q", "install",
                        "--no-index", "--no-deps", str(wheel)], check=True)


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
