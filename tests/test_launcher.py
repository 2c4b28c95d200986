"""With MPICH built from its recipe, its launcher travels with the binary:
the recipe names the programs, the site tool copies them out of the prefix archive, the
summary names the result. The real launch is in tests/test_mpi.py (slow)."""

import importlib.util
import os
import stat
import tarfile
from pathlib import Path

import pytest

from conftest import make_tarball
from slither.errors import SlitherError
from slither.inspect.summary import format_summary
from slither.libraries.mpi import MpiChoice
from slither.recipes import module_recipes

ROOT = Path(__file__).resolve().parent.parent


def site_tool():
    spec = importlib.util.spec_from_file_location("slither_site_tool_under_test",
                                                  ROOT / "site_scons" / "site_tools" / "slither.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mpich_names_hydra_and_its_proxy_as_launchers():
    assert module_recipes.load_module_recipe("mpich").launchers == {
        "mpiexec": "bin/mpiexec.hydra", "hydra_pmi_proxy": "bin/hydra_pmi_proxy"}


def test_launchers_outside_the_prefix_bin_are_refused(tmp_path):
    (tmp_path / "libraries").mkdir()
    (tmp_path / "libraries" / "odd.py").write_text(
        "from slither.recipes import Source\nname = 'odd'\nversion = '1'\nlicence = 'MIT'\n"
        f"source = Source('odd-1.tar.gz', '{'0' * 64}')\nbuild_system = 'autotools'\n"
        "launchers = {'mpiexec': '../../usr/bin/mpiexec'}\n")
    with pytest.raises(SlitherError, match="launchers must map a program name to its path in the prefix's bin/"):
        module_recipes.load_module_recipe("odd", modules_dir=tmp_path)


def test_launchers_are_copied_out_of_the_prefix_archive_as_executables(tmp_path):
    hydra = tarfile.TarInfo("bin/mpiexec")  # the symlink in the prefix; the recipe names its target
    hydra.type, hydra.linkname = tarfile.SYMTYPE, "mpiexec.hydra"
    prefix = make_tarball(tmp_path / "prefix.tar", [hydra, ("bin/mpiexec.hydra", b"\x7fELF hydra"),
                                                    ("bin/hydra_pmi_proxy", b"\x7fELF proxy")])
    targets = [tmp_path / "bin" / "hydra_pmi_proxy", tmp_path / "bin" / "mpiexec"]
    targets[0].parent.mkdir()
    status = site_tool()._copy_launchers(targets, [prefix], {"SLITHER_LAUNCHER_MEMBERS": ["bin/hydra_pmi_proxy",
                                                                                        "bin/mpiexec.hydra"]})
    assert status == 0
    assert targets[1].read_bytes() == b"\x7fELF hydra" and not targets[1].is_symlink()
    assert targets[0].read_bytes() == b"\x7fELF proxy"
    assert all(os.stat(target).st_mode & stat.S_IXUSR for target in targets)


def test_a_launcher_missing_from_the_prefix_fails_the_step(tmp_path, capsys):
    prefix = make_tarball(tmp_path / "prefix.tar", [("bin/mpicc", b"#!/bin/sh\n")])
    status = site_tool()._copy_launchers([tmp_path / "mpiexec"], [prefix],
                                         {"SLITHER_LAUNCHER_MEMBERS": ["bin/mpiexec.hydra"]})
    assert status == 1 and "has no program bin/mpiexec.hydra" in capsys.readouterr().out


class _Plan:
    excludes, freeze, modules = ("test",), True, ("mpi4py",)
    build_manifest = {"modules": {"mpi4py": {"version": "4.1.2", "recipe": True}}}
    release = type("Release", (), {"version": "3.11.2"})
    profile = type("Profile", (), {"name": "gnu"})

    def __init__(self, mpi):
        self.mpi = mpi


def _summary(mpi):
    return format_summary("build/bin/python-static", 1 << 20, _Plan(mpi), {"builtin_modules": []},
                          {"modules": []}, {"cpython": "built"})


def test_the_summary_names_the_launcher_beside_the_binary():
    text = _summary(MpiChoice(kind="recipe", recipe=module_recipes.load_module_recipe("mpich")))
    assert ("  launcher: build/bin/mpiexec (with hydra_pmi_proxy beside it), "
            "e.g. build/bin/mpiexec -n 4 build/bin/python-static script.py") in text.splitlines()


def test_a_site_mpi_brings_its_own_launcher_and_the_summary_names_none():
    assert "launcher:" not in _summary(MpiChoice(kind="system", wrapper=("mpicc",), identity="x"))
