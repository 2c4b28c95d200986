"""Pure parts of the CPython step: module states, what is left out and why, link flags."""

import os

import pytest

from slither.cpython import build as cpython_build
from slither.recipes import loading
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




def test_configure_is_given_the_openssl_recipes_prefix_so_that_no_pkg_config_is_needed(tmp_path):
    """Without --with-openssl, configure asks pkg-config and otherwise looks only in /usr and its
    like: on a machine without pkg-config (a bare login node) _ssl and _hashlib were left out."""
    import argparse
    from slither.cpython.build import openssl_configure_flags
    from_recipe = argparse.Namespace(prefix_of=["zlib", "openssl"], host_library=[])
    assert openssl_configure_flags(from_recipe, tmp_path) == [f"--with-openssl={tmp_path}/slither-libraries/openssl"]
    from_host = argparse.Namespace(prefix_of=["zlib"], host_library=["openssl"])
    assert openssl_configure_flags(from_host, tmp_path) == []
