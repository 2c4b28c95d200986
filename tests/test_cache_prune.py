"""Least-recently-used pruning of the build-step cache."""

import os
import subprocess
import sys
import time

import pytest

from slither.cache.prune import parse_size, prune
from slither.errors import SlitherError


def entry(cache, name, size, age_seconds):
    bucket = cache / name[:2].upper()
    bucket.mkdir(parents=True, exist_ok=True)
    path = bucket / name
    path.write_bytes(b"x" * size)
    (bucket / f"{name}.sha256").write_text("digest\n")
    when = time.time() - age_seconds
    os.utime(path, (when, when))
    return path


def test_sizes_parse_and_bad_ones_are_one_line():
    assert parse_size("20G") == 20 << 30
    assert parse_size("512MiB") == 512 << 20
    assert parse_size("0") == 0
    with pytest.raises(SlitherError, match="CACHE_MAX=lots: give a size such as 20G"):
        parse_size("lots")


def test_the_least_recently_used_entries_go_first_with_their_sidecars(tmp_path):
    oldest = entry(tmp_path, "aa01", 100, 300)
    middle = entry(tmp_path, "bb02", 100, 200)
    newest = entry(tmp_path, "cc03", 100, 100)
    result = prune(tmp_path, max_bytes=150)
    assert (result.removed_entries, result.freed_bytes, result.kept_bytes) == (2, 200, 100)
    assert not oldest.exists() and not middle.exists() and newest.exists()
    assert not (oldest.parent / "aa01.sha256").exists()
    assert (newest.parent / "cc03.sha256").exists()


def test_what_the_running_build_used_is_never_pruned(tmp_path):
    entry(tmp_path, "aa01", 100, 300)
    used_now = entry(tmp_path, "bb02", 100, 0)
    result = prune(tmp_path, max_bytes=1, protect_since=time.time() - 10)
    assert result.removed_entries == 1 and used_now.exists()


def test_stale_temporaries_and_quarantined_entries_are_removed(tmp_path):
    kept = entry(tmp_path, "aa01", 10, 0)
    stale = kept.parent / "aa01.tmp1234"
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 2 * 86400,) * 2)
    fresh = kept.parent / "aa02.tmp5678"
    fresh.write_bytes(b"being pushed right now")
    corrupt = kept.parent / "aa03.corrupt"
    corrupt.write_bytes(b"bad")
    prune(tmp_path, max_bytes=1 << 30)
    assert kept.exists() and fresh.exists() and not stale.exists() and not corrupt.exists()


def test_no_limit_prunes_nothing(tmp_path):
    path = entry(tmp_path, "aa01", 100, 1000)
    assert prune(tmp_path, max_bytes=0).removed_entries == 0 and path.exists()


def test_the_command_line_prunes_and_reports(tmp_path, checkout):
    entry(tmp_path / "scons", "aa01", 2048, 100)
    entry(tmp_path / "scons", "bb02", 2048, 0)
    result = subprocess.run([sys.executable, "-m", "slither", "prune-cache", "--cache", str(tmp_path),
                             "--max-size", "3K"], cwd=checkout, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "pruned 1 entries (2.0 KiB); 2.0 KiB kept"
