"""Where MPI comes from (slither.libraries.mpi, build_plan): fast tests with stand-in wrapper scripts."""

import os
import stat
from pathlib import Path

import pytest

from slither.plan import build_plan
from slither.recipes import loading
from slither.libraries import mpi
from slither.errors import SlitherError


def wrapper(directory: Path, name: str, script: str) -> Path:
    path = directory / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def gnu():
    return loading.load_target("gnu")


def test_mpich_style_show_gives_the_link_flags_without_the_compiler_or_compile_flags(tmp_path):
    mpicc = wrapper(tmp_path, "mpicc", 'test "$1" = -show && echo "gcc -I/opt/mpi/include -DX=1 -O2 '
                                       '-L/opt/mpi/lib -Wl,-rpath -Wl,/opt/mpi/lib -lmpi -pthread -lrt"\n')
    assert mpi.wrapper_link_flags([str(mpicc)], "MPI=system") == [
        "-L/opt/mpi/lib", "-Wl,-rpath", "-Wl,/opt/mpi/lib", "-lmpi", "-pthread", "-lrt"]


def test_open_mpi_style_showme_link_is_asked_when_show_fails(tmp_path):
    mpicc = wrapper(tmp_path, "mpicc", 'case "$1" in --showme:link) echo "-L/ompi/lib -lmpi";; '
                                       '*) echo "gcc: error: unrecognized option $1" >&2; exit 1;; esac\n')
    assert mpi.wrapper_link_flags([str(mpicc)], "MPI=system") == ["-L/ompi/lib", "-lmpi"]


def test_a_wrapper_that_cannot_say_how_it_links_is_one_line(tmp_path):
    silent = wrapper(tmp_path, "mpicc", "exit 0\n")
    with pytest.raises(SlitherError, match=r"cannot ask .*mpicc for its link flags \(neither `-show` nor"):
        mpi.wrapper_link_flags([str(silent)], "MPI=system")


def test_a_built_mpis_own_prefix_leaves_its_flags(tmp_path):
    prefix = tmp_path / "prefix"
    (prefix / "lib").mkdir(parents=True)
    flags = [f"-L{prefix}/lib", "-Wl,-rpath", f"-Wl,{prefix}/lib", "-Wl,--enable-new-dtags", "-lmpi", "-lm",
             "-L/usr/lib/other"]
    assert mpi.flags_outside_prefix(flags, str(prefix)) == ["-lmpi", "-lm", "-L/usr/lib/other"]


def test_a_failed_static_link_is_explained_by_what_it_lacked():
    output = ("ld: libmpich.a(a.o): undefined reference to `hwloc_topology_init'\n" * 3
              + "ld: libmpich.a(b.o): undefined reference to `ucp_init_version'\n"
              + "/usr/bin/ld: cannot find -ludev: No such file or directory\n")
    text = mpi.explain_static_link_failure(output)
    assert text.startswith("no static library for -ludev; undefined references to hwloc_* (3), ucp_* (1)")
    assert "libudev, which has no static library" in text


def test_mpi_system_and_the_targets_mpi_compiler_replace_the_mpich_recipe():
    assert mpi.choose("", "mpicc", gnu(), ["mpich"]) == "recipe"
    assert mpi.choose("mpich", "mpicc", gnu(), ["mpich"]) == "recipe"
    assert mpi.choose("system", "mpicc", gnu(), ["mpich"]) == "system"
    cray_like = loading.ToolchainProfile(name="cray", path=Path("cray.py"), description="", CC="cc", CXX="CC",
                                         FC="ftn", AR="ar", RANLIB="ranlib", mpi_compiler="cc")
    assert mpi.choose("", "mpicc", cray_like, ["mpich"]) == "compiler"
    with pytest.raises(SlitherError, match="MPI=mpich: TARGET=cray takes MPI from its compiler driver 'cc'"):
        mpi.choose("mpich", "mpicc", cray_like, ["mpich"])


def test_mpi4py_brings_mpich_unless_the_site_provides_mpi():
    assert [r.name for r in build_plan.resolve_recipes(["mpi4py"])] == ["mpich", "mpi4py"]
    assert [r.name for r in build_plan.resolve_recipes(["mpi4py"], replaced=("mpi",))] == ["mpi4py"]
    with pytest.raises(SlitherError, match="mpich provides mpi, which this build takes from the site"):
        build_plan.resolve_recipes(["mpi4py", "mpich"], replaced=("mpi",))


def test_mpi_variable_accepts_mpich_system_or_nothing():
    assert build_plan.parse_mpi("") == "" and build_plan.parse_mpi("system") == "system"
    assert build_plan.parse_mpi("mpich") == "mpich"
    with pytest.raises(SlitherError, match="MPI=openmpi: choose one of mpich, system"):
        build_plan.parse_mpi("openmpi")


def test_plan_with_a_site_wrapper_takes_its_flags_and_builds_no_mpich(tmp_path):
    mpicc = wrapper(tmp_path, "mpicc", 'echo "gcc -I/site/include -L/site/lib -lmpi"\n')
    plan = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("gnu"), modules=["mpi4py"], mpi="system",
                                mpicc=str(mpicc), build_dir=str(tmp_path / "build"))
    assert [r.name for r in plan.recipes] == ["mpi4py"]
    assert plan.mpi.kind == "system" and plan.mpi.link_flags == ("-L/site/lib", "-lmpi")
    assert plan.build_manifest["mpi"] == f"MPI=system MPICC={mpicc}"


def test_the_built_mpich_has_the_binary_skip_hwlocs_io_discovery_unless_the_user_says(tmp_path):
    """hwloc's Linux I/O discovery opened /run/udev/data/b254:0 at every rank's MPI_Init."""
    from slither.link.main_c import render_main_c
    profile = loading.load_target("gnu")
    with_mpich = build_plan.plan_for(name="p", series="3.11", profile=profile, modules=["mpi4py"],
                                      build_dir=str(tmp_path / "a"))
    assert with_mpich.main_options.default_environment == (("HWLOC_COMPONENTS", "-linuxio"),)
    assert '    {"HWLOC_COMPONENTS", "-linuxio"},\n' in render_main_c(with_mpich.main_options)
    site = build_plan.plan_for(name="p", series="3.11", profile=profile, modules=["mpi4py"], mpi="system",
                                mpicc=str(wrapper(tmp_path, "mpicc", 'echo "gcc -lmpi"\n')), build_dir=str(tmp_path / "b"))
    plain = build_plan.plan_for(name="p", series="3.11", profile=profile, build_dir=str(tmp_path / "c"))
    assert site.main_options.default_environment == plain.main_options.default_environment == ()
    assert "HWLOC" not in render_main_c(plain.main_options)


def test_plan_without_modules_using_mpi_asks_no_wrapper(tmp_path):
    plan = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("gnu"), modules=[], mpi="system",
                                mpicc=str(tmp_path / "absent"), build_dir=str(tmp_path / "build"))
    assert plan.mpi is None


def test_plan_with_a_missing_wrapper_is_one_actionable_line(tmp_path):
    with pytest.raises(SlitherError, match=r"MPI=system MPICC=.*absent: MPI compiler wrapper .* not found or "
                                           r"not executable; install the site's MPI"):
        build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("gnu"), modules=["mpi4py"], mpi="system",
                             mpicc=str(tmp_path / "absent"), build_dir=str(tmp_path / "build"))


def test_a_wrapper_that_is_the_link_driver_adds_no_flags(tmp_path, monkeypatch):
    """Cray-style: the TARGET's CC is MPI-aware; the final link through it needs nothing more."""
    driver = wrapper(tmp_path, "cc", 'exec gcc "$@"\n')
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    profile = loading.ToolchainProfile(name="craylike", path=tmp_path / "craylike.py", description="", CC="cc",
                                       CXX="g++", FC="gfortran", AR="ar", RANLIB="ranlib", mpi_compiler="cc")
    choice = mpi.site_mpi("compiler", "mpicc", profile)
    assert choice.kind == "compiler" and choice.link_flags == () and choice.wrapper == ("cc",)
