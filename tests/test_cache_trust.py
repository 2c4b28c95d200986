"""Whose cache entries and locks a build uses (slither/cache/trust.py, docs/cache.md): a poisoned
entry, replaced together with its sidecar by another user, is rebuilt with one line; with that
user's group in CACHE_TRUST it is used; a planted lock is refused in one line.

Files owned by another user need chown: these tests run as root (CI does) and skip otherwise."""

import json
import os
import pwd
import grp
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from slither.cache import trust
from slither.errors import SlitherError
from slither.sources import unpinned

pytestmark = pytest.mark.skipif(os.getuid() != 0, reason="needs root to make files owned by another user")

NOBODY = pwd.getpwnam("nobody")
NOBODY_GROUP = grp.getgrgid(NOBODY.pw_gid).gr_name  # nogroup on Debian, nobody on RHEL

# A one-step build through the product's cache tool: out.txt is made from in.txt.
PROBE = r'''
import os, sys
sys.path.insert(0, os.environ["PROBE_CHECKOUT"])
env = Environment(tools=[], toolpath=[os.environ["PROBE_TOOLPATH"]], SLITHER_CACHE_DIR=os.environ["PROBE_CACHE"],
                  SLITHER_CACHE_MAX=0)
env.Tool("slither_cache")
env.Command("out.txt", "in.txt", "cp $SOURCE $TARGET")
'''


def build(directory: Path, cache: Path, trusted: str = "") -> subprocess.CompletedProcess:
    (directory / "SConstruct").write_text(PROBE)
    (directory / "in.txt").write_text("made by the build\n")
    environment = dict(os.environ, PROBE_CHECKOUT=str(ROOT), PROBE_TOOLPATH=str(ROOT / "site_scons" / "site_tools"),
                       PROBE_CACHE=str(cache), **{trust.ENVIRONMENT_VARIABLE: trusted})
    return subprocess.run([sys.executable, "-m", "SCons", "-Q"], cwd=directory, env=environment,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)


def test_an_entry_replaced_by_another_user_is_rebuilt_unless_their_group_is_trusted(tmp_path):
    cache = tmp_path / "cache"
    first = tmp_path / "first"
    first.mkdir()
    assert build(first, cache).returncode == 0
    entry, = [path for path in (cache / "scons").glob("*/*") if "." not in path.name]
    # The attack: the entry and its sidecar replaced together, the sidecar vouching for the new bytes.
    import hashlib
    entry.write_text("poisoned\n")
    Path(f"{entry}.sha256").write_text(hashlib.sha256(b"poisoned\n").hexdigest() + "\n")
    for path in (entry, Path(f"{entry}.sha256")):
        os.chown(path, NOBODY.pw_uid, NOBODY.pw_gid)

    clean = tmp_path / "clean"
    clean.mkdir()
    rebuilt = build(clean, cache)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (clean / "out.txt").read_text() == "made by the build\n"
    refusals = [line for line in rebuilt.stdout.splitlines() if "was written by nobody" in line]
    assert len(refusals) == 1 and "not used, rebuilding" in refusals[0], rebuilt.stdout

    entry.write_text("poisoned\n")  # the rebuild replaced it; plant it again for the trusting build
    Path(f"{entry}.sha256").write_text(hashlib.sha256(b"poisoned\n").hexdigest() + "\n")
    for path in (entry, Path(f"{entry}.sha256")):
        os.chown(path, NOBODY.pw_uid, NOBODY.pw_gid)
    trusting = tmp_path / "trusting"
    trusting.mkdir()
    used = build(trusting, cache, trusted=NOBODY_GROUP)
    assert used.returncode == 0 and (trusting / "out.txt").read_text() == "poisoned\n", used.stdout


def test_a_lock_planted_by_another_user_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv(trust.ENVIRONMENT_VARIABLE, raising=False)
    lock = unpinned.lock_path(tmp_path, "tinypkg", "1.0")
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"format": unpinned.LOCK_FORMAT, "name": "tinypkg", "version": "1.0",
                                "kind": "sdist", "filename": "tinypkg-1.0.tar.gz", "sha256": "ab" * 32}))
    os.chown(lock, NOBODY.pw_uid, NOBODY.pw_gid)
    with pytest.raises(SlitherError) as refused:
        unpinned.read_lock(lock, "tinypkg", "1.0")
    message = str(refused.value)
    assert "\n" not in message and str(lock) in message and "written by nobody" in message
    assert "locks it again" in message
    monkeypatch.setenv(trust.ENVIRONMENT_VARIABLE, NOBODY_GROUP)
    assert unpinned.read_lock(lock, "tinypkg", "1.0").filename == "tinypkg-1.0.tar.gz"


def test_cache_trust_names_groups_that_exist():
    assert trust.parse_trusted_groups(f" {NOBODY_GROUP},{NOBODY_GROUP}") == (NOBODY_GROUP,)
    with pytest.raises(SlitherError, match="CACHE_TRUST: there is no group 'no-such-group'"):
        trust.parse_trusted_groups("no-such-group")
