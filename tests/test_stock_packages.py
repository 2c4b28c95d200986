"""The stock builds of the packages for comparison (harness.stock.packages), used by both
harness/suites/run (a venv) and bench/contenders.py (a relocatable tree): the same pip build
options as the static side, and the tree layout's build and cache, run for real on a tiny sdist
by this interpreter (its own setuptools as the build tools)."""

import json
import sys
import tarfile

import pytest

from conftest import make_tarball
from slither.errors import SlitherError
from slither.files import sha256_of
from slither.packages.build_requirements import HostPlatform, lock_file
from slither.plan.module_recipes import load_module_recipe
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
    # scipy's stock build against another stock numpy wheel is another build
    scipy = load_module_recipe("scipy")
    assert packages.stock_identity(sys.executable, scipy, None, None, [tmp_path / "numpy-2.2.6-a.whl"]) != \
        packages.stock_identity(sys.executable, scipy, None, None, [tmp_path / "numpy-2.2.6-b.whl"])


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
