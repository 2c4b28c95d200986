"""Pure parts of the CPython step: module states, what is left out and why, link flags."""

import os

import pytest

from slither.cpython import build as cpython_build
from slither.plan import loading
from slither.errors import SlitherError

MAKEFILE = """MODULE__JSON_STATE=yes
MODULE__GDBM_STATE=missing
MODULE__SCPROXY_STATE=n/a
MODULE__TKINTER_STATE=disabled
MODULE_XXLIMITED_STATE=yes
"""


def test_module_states_are_read_from_the_makefile():
    assert cpython_build.module_states(MAKEFILE) == {
        "_json": "yes", "_gdbm": "missing", "_scproxy": "n/a", "_tkinter": "disabled", "xxlimited": "yes"}


def test_every_module_not_built_in_gets_a_reason():
    reasons = cpython_build.describe_left_out(
        cpython_build.module_states(MAKEFILE), {"_tkinter": "no GUI"}, ["_json", "sys"])
    assert reasons == {
        "_gdbm": "configure found no usable library or headers for it",
        "_scproxy": "not available on this platform",
        "_tkinter": "no GUI",
        "xxlimited": "CPython builds it only as a shared library (a test module)",
    }


def test_internal_archives_are_separated_from_library_flags():
    flags, archives = cpython_build.split_internal_archives(
        {"MODLIBS": "-lffi Modules/_decimal/libmpdec/libmpdec.a -lz Modules/expat/libexpat.a", "LIBS": "-ldl"})
    assert flags == ["-lffi", "-lz", "-ldl"]
    assert archives == ["Modules/_decimal/libmpdec/libmpdec.a", "Modules/expat/libexpat.a"]


def test_link_flags_group_libraries_so_order_cannot_matter():
    flags = cpython_build.link_flags(["-lssl", "-lcrypto", "-lz", "-ldl", "-lm"])
    assert flags[0] == "-Wl,--start-group" and flags[-1] == "-Wl,--end-group"
    assert flags.index("-lssl") < flags.index("-lcrypto")
    assert flags.count("-ldl") == 1 and "-lpthread" in flags


def test_missing_required_static_library_names_it_and_its_package(tmp_path, monkeypatch):
    recipe = loading.load_cpython_recipe()
    profile = loading.load_target("gnu")
    # A compiler whose library search path is empty: gcc's -print-file-name then finds nothing.
    # A compiler whose linker finds neither OpenSSL nor libffi (the trial link fails for them).
    fake_cc = tmp_path / "cc"
    fake_cc.write_text('#!/bin/sh\nfor a; do case "$a" in -l:libssl.a|-l:libcrypto.a|-l:libffi.a) exit 1;; esac; done\n'
                       'exec gcc "$@"\n')
    fake_cc.chmod(0o755)
    profile = profile.__class__(**{**profile.__dict__, "CC": str(fake_cc)})
    with pytest.raises(SlitherError) as error:
        cpython_build.plan_stdlib_extensions(recipe, profile, dict(os.environ), tmp_path / "probe")
    message = str(error.value)
    assert "libssl.a (apt-get install libssl-dev) for _hashlib, _ssl" in message
    assert "libffi.a (apt-get install libffi-dev) for _ctypes" in message


def test_present_static_libraries_pass_and_optional_gaps_are_explained(tmp_path):
    recipe = loading.load_cpython_recipe()
    left_out, assignments = cpython_build.plan_stdlib_extensions(recipe, loading.load_target("gnu"),
                                                                 dict(os.environ), tmp_path)
    assert "_tkinter" in left_out and "py_cv_module__tkinter=n/a" in assignments
    for name in ("_ssl", "zlib", "_ctypes", "_sqlite3"):
        assert name not in left_out


