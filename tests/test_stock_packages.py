"""The stock builds of the packages for comparison (harness.stock.packages), used by both
harness/suites/run (a venv) and bench/contenders.py (a relocatable tree): the same pip build
options as the static side, and the tree layout's build and cache, run for real on a tiny sdist
by this interpreter (its own setuptools as the build tools)."""

import json
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import make_tarball
from fixture_wheels import wheel_of_installed
from package_step import make_sdist
from slither.errors import SlitherError
from slither.files import sha256_of
from slither.packages.build_requirements import HostPlatform, lock_file
from slither.recipes.module_recipes import load_module_recipe
from harness.stock import packages

TINY_SETUP = b"""from setuptools import setup
setup(name="tiny", version="1.0", py_modules=["tiny"],
      entry_points={"console_scripts": ["tiny-tool = tiny:main"]})
"""


def test_both_layouts_build_with_the_recipes_options_and_nothing_fetched(tmp_path):
    numpy = load_module_recipe("numpy")
    settings = packages.recipe_config_settings(numpy)
    assert "setup-args=-Dblas=openblas" in settings  # the static side's BLAS choice, not meson's default
    wheel = packages.pip_build_command("py", ["wheel", "-v", "-w", "out"], tmp_path / "numpy.tar.gz", settings)
    tree = packages.pip_build_command("py", ["install", "--target", "site"], tmp_path / "numpy.tar.gz", settings)
    shared = {"--no-build-isolation", "--no-deps", "--no-index", "--disable-pip-version-check",
              *[f"--config-settings={setting}" for setting in settings]}
    for command in (wheel, tree):
        assert command[:3] == ["py", "-m", "pip"] and command[-1] == str(tmp_path / "numpy.tar.gz")
        assert shared <= set(command)
    assert set(wheel) - shared - {"py", "-m", "pip", str(tmp_path / "numpy.tar.gz")} == {"wheel", "-v", "-w", "out"}


def test_a_venv_is_rebuilt_when_what_its_build_depends_on_changes(tmp_path):
    mpi4py = load_module_recipe("mpi4py")
    plain = packages.stock_identity(sys.executable, mpi4py, None, None, [])
    with_mpi = packages.stock_identity(sys.executable, mpi4py, {"MPICC": "/a/bin/mpicc"}, {"mpi": "sha-1"}, [])
    assert plain == packages.stock_identity(sys.executable, mpi4py, None, None, [])
    assert len({plain, with_mpi, packages.stock_identity(sys.executable, mpi4py, {"MPICC": "/a/bin/mpicc"},
                                                         {"mpi": "sha-2"}, [])}) == 3
    # scipy's stock build against another stock numpy wheel is another build, even under the
    # same file name (an mpi4py wheel built against another MPI is named alike)
    scipy = load_module_recipe("scipy")
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "numpy-2.2.6.whl", tmp_path / "b" / "numpy-2.2.6.whl"
    first.write_bytes(b"one numpy"), second.write_bytes(b"another numpy")
    assert packages.stock_identity(sys.executable, scipy, None, None, [first]) != \
        packages.stock_identity(sys.executable, scipy, None, None, [second])


def test_stock_builds_take_the_recipes_own_build_requirements(tmp_path):
    """scipy's stock build gets the wheels its static build locked (pythran, pybind11, Cython
    below 3.1), and says numpy must come from a stock build too; without the lock, one line."""
    numpy, scipy = load_module_recipe("numpy"), load_module_recipe("scipy")
    assert packages.build_requirement_wheels(numpy, "3.11", tmp_path, []) == ([], ())  # the pinned build tools
    with pytest.raises(SlitherError, match=r"no lock of its build requirements .* MODULES=scipy first"):
        packages.build_requirement_wheels(scipy, "3.11", tmp_path, [])
    wheel = tmp_path / "tool-1.0-py3-none-any.whl"
    wheel.write_bytes(b"a wheel")
    lock = lock_file(tmp_path, "scipy", scipy.version, HostPlatform("3.11", "manylinux"))
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"format": 1, "requires": ["tool"], "dynamic": [], "from_build": ["numpy"],
                                "wheels": [{"name": "tool", "version": "1.0", "filename": wheel.name,
                                            "sha256": sha256_of(wheel)}]}))
    wheels, from_build = packages.build_requirement_wheels(scipy, "3.11", tmp_path, [tmp_path])
    assert [path.read_bytes() for path in wheels] == [b"a wheel"] and from_build == ("numpy",)


def test_a_package_is_built_into_a_trees_site_once_then_taken_from_the_cache(tmp_path):
    pytest.importorskip("setuptools")
    pytest.importorskip("wheel")
    sdist = make_tarball(tmp_path / "tiny-1.0.tar.gz", [("tiny-1.0/setup.py", TINY_SETUP),
                                                        ("tiny-1.0/tiny.py", b"def main():\n    return 42\n")])
    tools = tmp_path / "build-tools.tar"
    with tarfile.open(tools, "w") as archive:  # the layout of the static build's build-tools.tar
        for directory in ("bin", "lib/python3.11/site-packages"):
            (tmp_path / "tools" / directory).mkdir(parents=True)
        archive.add(tmp_path / "tools", arcname=".")
    (tmp_path / "work").mkdir()
    cached = tmp_path / "cache" / "stock-tiny-key.tar"

    def install(site):
        packages.install_into_site(sys.executable, name="tiny", sdist=sdist, tools_tar=tools, series="3.11",
                                   work_dir=tmp_path / "work", cached=cached, site=site, log=tmp_path / "build.log",
                                   base_environment={}, build_env={"TINY_BUILD": "1"})

    install(tmp_path / "tree1" / "site-packages")
    assert (tmp_path / "tree1" / "site-packages" / "tiny.py").is_file()
    assert not (tmp_path / "tree1" / "site-packages" / "bin").exists()  # console scripts name this machine's python
    assert "--no-build-isolation" in (tmp_path / "build.log").read_text()
    assert sorted(p.name for p in cached.parent.iterdir()) == ["stock-tiny-key.tar"]
    sdist.unlink()  # a second tree gets the cached build: nothing is built again
    install(tmp_path / "tree2" / "site-packages")
    assert (tmp_path / "tree2" / "site-packages" / "tiny.py").read_text().endswith("return 42\n")


# -- the venv of several packages (harness/suites/run's stock side) -------------------------------

SETUPTOOLS = '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'

# beta's build imports alpha and writes what it found into beta: it can only be built where the
# wheel before it is installed, as h5py builds against numpy and mpi4py.
BETA_SETUP = """from setuptools import setup
import alpha
with open("beta.py", "w") as module:
    module.write(f"BUILT_AGAINST = {alpha.VALUE!r}\\n")
setup(name="beta", version="1.0", py_modules=["beta"])
"""


@dataclass(frozen=True)
class TinySource:
    sha256: str


@dataclass(frozen=True)
class TinyRecipe:
    """What harness.stock.packages reads of a module recipe."""
    name: str
    version: str
    source: TinySource
    source_path: str = ""
    path: str = ""
    config_settings: tuple = ()
    build_requirements: tuple = ()
    locked_build_requirements: object = None


def tiny_recipe(directory: Path, name: str, files: dict) -> TinyRecipe:
    directory.mkdir(parents=True, exist_ok=True)
    sdist = make_sdist(directory, name, files)
    return TinyRecipe(name, "1.0", TinySource(packages.sha256_of(sdist)), str(sdist))


@pytest.fixture
def stock(tmp_path, monkeypatch):
    wheels = [wheel_of_installed(tmp_path / "tools", name) for name in ("pip", "setuptools", "wheel")]
    monkeypatch.setattr(packages.build_tools, "obtain_tool_wheels", lambda *arguments, **keywords: wheels)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    alpha = tiny_recipe(tmp_path / "sdists", "alpha", {
        "pyproject.toml": SETUPTOOLS, "alpha.py": "VALUE = 'alpha one'\n",
        "setup.py": 'from setuptools import setup\nsetup(name="alpha", version="1.0", py_modules=["alpha"])\n'})
    beta = tiny_recipe(tmp_path / "sdists", "beta", {"pyproject.toml": SETUPTOOLS, "setup.py": BETA_SETUP})
    builds = [packages.StockBuild(alpha), packages.StockBuild(beta)]
    return tmp_path / "work", builds


@pytest.mark.slow  # real pip builds: seconds each
def test_a_venv_of_several_packages_builds_each_against_the_ones_before_it(stock):
    work, builds = stock
    python = packages.venv_with_packages(sys.executable, builds, work, [])
    assert python.parent.parent.name == "stock-alpha-1.0+beta-1.0"
    found = subprocess.run([str(python), "-c", "import alpha, beta; print(beta.BUILT_AGAINST)"],
                           stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    assert found == "alpha one"
    # nothing but the two packages: no pip, no setuptools (the suites see no build tool)
    site = packages.venv_site_packages(python.parent.parent)
    installed = sorted(path.name.split("-")[0] for path in site.glob("*.dist-info"))
    assert installed == ["alpha", "beta"]
    assert not list(work.glob("stock-build-*"))  # the builder venvs are gone


@pytest.mark.slow
def test_a_kept_wheel_is_taken_again_and_a_changed_dependency_rebuilds_what_depends_on_it(stock, tmp_path, capsys):
    work, builds = stock
    first = packages.stock_wheels_in_order(sys.executable, builds, work, [])
    capsys.readouterr()
    again = packages.stock_wheels_in_order(sys.executable, builds, work, [])
    assert again == first and capsys.readouterr().out.count("the wheel built before") == 2
    # alpha built with another environment is another wheel: beta, built against it, gets its own slot
    changed = [packages.StockBuild(builds[0].recipe, {"ALPHA_FLAVOUR": "two"}, {"why": "a test"}), builds[1]]
    other = packages.stock_wheels_in_order(sys.executable, changed, work, [])
    assert other[0].parent != first[0].parent
    if packages.sha256_of(other[0]) != packages.sha256_of(first[0]):
        assert other[1].parent != first[1].parent
    assert all(wheel.is_file() for wheel in first + other)  # neither evicts the other
    # the venv follows the wheels' content
    python = packages.venv_with_packages(sys.executable, builds, work, [])
    stamp = (python.parent.parent / ".slither-suite").read_text()
    assert packages.sha256_of(first[1]) in stamp


@pytest.mark.slow
def test_a_failed_build_says_where_its_log_is_and_leaves_no_wheel(stock, tmp_path):
    work, builds = stock
    broken = tiny_recipe(tmp_path / "broken", "gamma", {"pyproject.toml": SETUPTOOLS,
                                                        "setup.py": "raise SystemExit('gamma cannot build')\n"})
    with pytest.raises(SlitherError, match=r"stock build of gamma failed; see .*stock-gamma-build.log"):
        packages.venv_with_packages(sys.executable, [builds[0], packages.StockBuild(broken)], work, [])
    assert "gamma cannot build" in (work / "stock-gamma-build.log").read_text()
    assert not list((work / "stock-wheels").glob("gamma-*"))
    assert not list(work.glob("stock-build-*")) and not (work / "stock-alpha-1.0+gamma-1.0").exists()
