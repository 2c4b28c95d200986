"""Which C libraries the stdlib's modules link and where each comes from: pinned recipes by
default, the host's static archives only when HOST_LIBRARIES names them (fast: no build)."""

import os
import subprocess
from pathlib import Path

import pytest

from slither.archive_probe import archive_path
from slither.cpython import build as cpython_build
from slither.cpython import stdlib_libraries
from slither.errors import SlitherError
from slither.plan import host_libraries
from slither.recipes import loading

RECIPE = loading.load_cpython_recipe()
EVERY_RECIPE = ("zlib", "bzip2", "xz", "sqlite", "openssl", "libffi", "libuuid", "ncurses", "libedit")


def test_by_default_every_library_comes_from_its_recipe_and_no_gpl_module_is_built():
    choice = stdlib_libraries.choose(RECIPE)
    assert sorted(choice.recipes) == sorted(EVERY_RECIPE)
    assert choice.host == ()
    assert choice.module_libraries["readline"] == ("libedit", "ncurses")
    assert choice.module_libraries["_ssl"] == ("openssl",) == choice.module_libraries["_hashlib"]
    for module in ("_gdbm", "_dbm"):
        assert "GPL-3.0-or-later" in choice.left_out[module]
        assert "HOST_LIBRARIES=gdbm" in choice.left_out[module] and "dbm.dumb" in choice.left_out[module]
    assert "HOST_LIBRARIES=libcrypt" in choice.left_out["_crypt"]


def test_gnu_readline_from_the_host_replaces_libedit():
    choice = stdlib_libraries.choose(RECIPE, host=("readline",))
    assert choice.module_libraries["readline"] == ("readline", "ncurses")
    assert "libedit" not in choice.recipes and choice.host == ("readline",)


def test_a_host_openssl_is_not_built_and_modules_left_out_take_no_library():
    choice = stdlib_libraries.choose(RECIPE, host=("openssl",), without=("readline", "_curses", "_curses_panel"))
    assert "openssl" not in choice.recipes and choice.host == ("openssl",)
    assert "libedit" not in choice.recipes and "ncurses" not in choice.recipes
    assert choice.left_out["readline"] == "left out on request (WITHOUT)"


def test_host_libraries_names_are_checked_with_a_did_you_mean():
    assert stdlib_libraries.parse_host_libraries("openssl, readline,openssl", RECIPE) == ("openssl", "readline")
    assert stdlib_libraries.parse_host_libraries("", RECIPE) == ()
    with pytest.raises(SlitherError, match=r"^HOST_LIBRARIES=opensl: not a library the stdlib links "
                                           r"\(did you mean openssl\?\); choose from bzip2, gdbm,"):
        stdlib_libraries.parse_host_libraries("opensl", RECIPE)


def test_a_host_library_whose_modules_are_all_left_out_is_refused():
    choice = stdlib_libraries.choose(RECIPE, host=("gdbm",), without=("_gdbm", "_dbm"))
    with pytest.raises(SlitherError, match=r"^HOST_LIBRARIES=gdbm: no module built in links it"):
        stdlib_libraries.check_host_libraries_used(choice, ("gdbm",))


def _profile_with_cc(cc: str):
    profile = loading.load_target("gnu")
    return profile.__class__(**{**profile.__dict__, "CC": cc})


def test_a_host_archive_is_found_where_the_linker_takes_it_with_its_package(tmp_path):
    path = archive_path("gcc", "libc.a", dict(os.environ))
    assert path.endswith("/libc.a") and Path(path).is_file()
    found = host_libraries.find(("zlib",), RECIPE, loading.load_target("gnu"), dict(os.environ)) \
        if archive_path("gcc", "libz.a", dict(os.environ)) else None
    if found is None:
        pytest.skip("this host has no libz.a (zlib1g-dev) to find")
    (archive,) = found
    assert archive.library == "zlib" and archive.archive == "libz.a" and Path(archive.path).is_file()
    assert archive.package.startswith("zlib1g-dev ") and len(archive.package.split()) == 2


def test_a_missing_host_archive_is_one_line_naming_it_and_its_package(tmp_path):
    fake_cc = tmp_path / "cc"
    fake_cc.write_text('#!/bin/sh\nfor a; do case "$a" in -l:libssl.a|-l:libcrypto.a) exit 1;; esac; done\n'
                       'exec gcc "$@"\n')
    fake_cc.chmod(0o755)
    with pytest.raises(SlitherError) as error:
        host_libraries.find(("openssl",), RECIPE, _profile_with_cc(str(fake_cc)), dict(os.environ))
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("HOST_LIBRARIES: TARGET=gnu's linker finds no libssl.a for openssl "
                              "(apt-get install libssl-dev); no libcrypto.a for openssl")
    assert message.endswith("drop the library from HOST_LIBRARIES to build it from its recipe")


def test_musl_says_why_the_host_has_none_for_it():
    with pytest.raises(SlitherError, match="no musl build of libffi.a"):
        host_libraries.find(("libffi",), RECIPE, loading.load_target("musl"), dict(os.environ))


def _prefixes(tmp_path, names):
    prefixes = {}
    for name in names:
        (tmp_path / name / "lib").mkdir(parents=True)
        prefixes[name] = tmp_path / name
    return prefixes


def test_the_cpython_step_builds_in_every_module_whose_libraries_it_was_given(tmp_path):
    left_out, assignments = cpython_build.plan_stdlib_extensions(
        RECIPE, loading.load_target("gnu"), dict(os.environ), _prefixes(tmp_path, EVERY_RECIPE))
    for module in ("_ssl", "_hashlib", "_ctypes", "_sqlite3", "_lzma", "_bz2", "zlib", "readline", "_curses",
                   "_curses_panel", "_uuid"):
        assert module not in left_out, module
    assert {"_gdbm", "_dbm", "_crypt", "_tkinter"} <= set(left_out)
    assert "py_cv_module__gdbm=n/a" in assignments and "py_cv_module__ssl=n/a" not in assignments


def test_the_cpython_step_refuses_a_plan_that_built_too_little(tmp_path):
    with pytest.raises(SlitherError, match="the plan built no libedit, openssl for the stdlib's modules"):
        cpython_build.plan_stdlib_extensions(
            RECIPE, loading.load_target("gnu"), dict(os.environ),
            _prefixes(tmp_path, [name for name in EVERY_RECIPE if name not in ("openssl", "libedit")]))


def test_setup_local_lines_name_libedit_or_gnu_readline_and_the_ncurses_headers(tmp_path):
    lines = RECIPE.setup_local_by_series["3.11"]
    prefixes = {"ncurses": tmp_path / "ncurses"}
    text = cpython_build.setup_local_text(lines, {}, cpython_build.setup_local_values((), prefixes))
    assert "readline readline.c -ledit -ltinfo" in text
    assert f"-I{tmp_path}/ncurses/include _cursesmodule.c" in text
    text = cpython_build.setup_local_text(lines, {"_dbm": "x"}, cpython_build.setup_local_values(("readline",), {}))
    assert "readline readline.c -lreadline -ltinfo" in text and "-I/usr/include/ncursesw" in text
    assert "_dbmmodule.c" not in text


def test_pkg_config_files_are_pointed_at_where_the_prefix_was_unpacked(tmp_path):
    pkgconfig = tmp_path / "lib" / "pkgconfig"
    pkgconfig.mkdir(parents=True)
    (pkgconfig / "libffi.pc").write_text("prefix=/opt/slither/libffi\nlibdir=${prefix}/lib\nLibs: -L${libdir} -lffi\n")
    cpython_build.point_pkg_config_files(tmp_path)
    assert (pkgconfig / "libffi.pc").read_text().startswith(f"prefix={tmp_path}\n")
    result = subprocess.run(["pkg-config", "--libs", "libffi"], env={**os.environ, "PKG_CONFIG_LIBDIR": str(pkgconfig)},
                            stdout=subprocess.PIPE, text=True)
    if result.returncode == 0:  # pkg-config is optional on a login node
        assert result.stdout.split() == [f"-L{tmp_path}/lib", "-lffi"]


def test_the_summary_names_each_linked_library_and_where_it_came_from():
    from slither.inspect.summary import libraries_lines
    components = [
        {"name": "cpython", "version": "3.11.2", "origin": "python.org source Python-3.11.2.tgz"},
        {"name": "openssl", "version": "3.0.20", "origin": "recipe modules/libraries/openssl.py, source "
                                                            "openssl_3.0.20.orig.tar.gz sha256:" + "c80a01df" * 8},
        {"name": "readline", "version": "8.2-1.3", "origin": "host archive /usr/lib/libreadline.a "
                                                             "(libreadline-dev 8.2-1.3; HOST_LIBRARIES)"},
        {"name": "glibc", "version": "2.36", "origin": "toolchain C library (Debian libc6-dev), TARGET gnu"},
        {"name": "numpy", "version": "2.2.6", "origin": "recipe modules/packages/numpy.py, source numpy.tar.gz"},
        {"name": "cray-libsci", "version": "", "origin": "the TARGET toolchain (cray-libsci)"},
    ]
    assert libraries_lines(components) == [
        "  C libraries linked:",
        "    openssl 3.0.20: pinned recipe, sha256 c80a01dfc80a…",
        "    readline 8.2-1.3: host archive, libreadline-dev 8.2-1.3",
        "    glibc 2.36: toolchain runtime",
        "    cray-libsci: the TARGET toolchain (cray-libsci)"]


def test_scons_refuses_an_unknown_or_absent_host_library_in_one_line_before_building(tmp_path):
    from conftest import run_scons
    unknown = run_scons([f"BUILD_DIR={tmp_path}", "HOST_LIBRARIES=opensl", "-n"], timeout=300)
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == [
        "scons: *** HOST_LIBRARIES=opensl: not a library the stdlib links (did you mean openssl?); choose from "
        "bzip2, gdbm, libcrypt, libedit, libffi, libuuid, ncurses, openssl, readline, sqlite, xz, zlib"]
    absent = run_scons([f"BUILD_DIR={tmp_path}", "HOST_LIBRARIES=libffi", "TARGET=musl", "-n"], timeout=300)
    assert absent.returncode == 2
    (line,) = absent.stderr.strip().splitlines()
    assert line.startswith("scons: *** HOST_LIBRARIES: TARGET=musl's linker finds no libffi.a for libffi "
                           "(no musl build of libffi.a"), line
    assert not (tmp_path / "libraries").exists() and not list(tmp_path.glob("cpython-*"))


def test_a_library_the_toolchain_cannot_build_leaves_its_modules_out_with_the_reason():
    choice = stdlib_libraries.choose(RECIPE, cannot_build={"libuuid": "no kernel headers for musl-gcc"})
    assert "libuuid" not in choice.recipes and choice.left_out["_uuid"] == "no kernel headers for musl-gcc"
    assert "_ssl" in choice.module_libraries


def test_the_tests_know_every_library_step_of_a_default_build():
    from conftest import STDLIB_LIBRARY_STEPS
    from slither.plan import build_plan
    plan = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("gnu"))
    assert {recipe.name for recipe in plan.target_libraries} == STDLIB_LIBRARY_STEPS
