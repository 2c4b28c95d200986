"""The toolchain's identity that every step signs: a host upgrade of the compiler or of the C
library's static archive changes it, so a warm cache never hands out a binary made with the old."""

import os

from slither.plan import build_plan, toolchain_identity
from slither.recipes import loading


def _profile(cc: str):
    profile = loading.load_target("gnu")
    return profile.__class__(**{**profile.__dict__, "CC": cc})


def _wrapper(path, version_line):
    path.write_text(f'#!/bin/sh\n[ "$1" = --version ] && {{ echo "{version_line}"; exit 0; }}\nexec gcc "$@"\n')
    path.chmod(0o755)
    return str(path)


def test_a_compiler_upgrade_changes_the_identity(tmp_path):
    environment = dict(os.environ)
    old = toolchain_identity.identity(_profile(_wrapper(tmp_path / "cc-old", "gcc (Debian 12.2.0-14) 12.2.0")),
                                      environment)
    new = toolchain_identity.identity(_profile(_wrapper(tmp_path / "cc-new", "gcc (Debian 12.3.0-1) 12.3.0")),
                                      environment)
    assert old != new and len(old) == 64


def test_a_libc_archive_with_other_content_changes_the_identity(tmp_path, monkeypatch):
    libc = tmp_path / "libc.a"
    libc.write_bytes(b"!<arch>\nold")
    monkeypatch.setattr(toolchain_identity, "archive_paths", lambda cc, archives, env: {"libc.a": str(libc)})
    toolchain_identity._identity.cache_clear()
    before = toolchain_identity.identity(loading.load_target("gnu"), dict(os.environ))
    libc.write_bytes(b"!<arch>\nnew")
    toolchain_identity._identity.cache_clear()
    after = toolchain_identity.identity(loading.load_target("gnu"), dict(os.environ))
    toolchain_identity._identity.cache_clear()
    assert before != after


def test_the_plan_hands_every_step_a_profile_that_carries_the_identity():
    plan = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("gnu"))
    assert plan.profile.toolchain_identity == toolchain_identity.identity(
        loading.load_target("gnu"), {**os.environ, **loading.load_target("gnu").environment})
    assert '"toolchain_identity": "' + plan.profile.toolchain_identity in loading.profile_data(plan.profile)
