"""Faults the cache survives (site_scons/site_tools/slither_cache.py), on a one-step build through
the product's cache tool: a flipped byte or a truncated entry is detected and rebuilt, never used;
a cache on a full filesystem costs the push, not the build, and leaves nothing that a later
build would take for an entry."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PROBE = r'''
import os, sys
sys.path.insert(0, os.environ["PROBE_CHECKOUT"])
env = Environment(tools=[], toolpath=[os.environ["PROBE_TOOLPATH"]], SLITHER_CACHE_DIR=os.environ["PROBE_CACHE"],
                  SLITHER_CACHE_MAX=0)
env.Tool("slither_cache")
env.Command("out.bin", "in.txt", "(cat $SOURCE; head -c $SIZE /dev/urandom) > $TARGET",
            SIZE=os.environ.get("PROBE_SIZE", "1000"))
'''


def build(directory: Path, cache: Path, size: int = 1000) -> subprocess.CompletedProcess:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "SConstruct").write_text(PROBE)
    (directory / "in.txt").write_text("input\n")
    environment = dict(os.environ, PROBE_CHECKOUT=str(ROOT), PROBE_TOOLPATH=str(ROOT / "site_scons" / "site_tools"),
                       PROBE_CACHE=str(cache), PROBE_SIZE=str(size))
    return subprocess.run([sys.executable, "-m", "SCons", "-Q"], cwd=directory, env=environment,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)


def entry_of(cache: Path) -> Path:
    entries = [path for path in (cache / "scons").glob("*/*") if "." not in path.name]
    assert len(entries) == 1, entries
    return entries[0]


@pytest.mark.parametrize("damage", ["flipped byte", "truncated"])
def test_a_damaged_entry_is_detected_and_rebuilt(tmp_path, damage):
    cache = tmp_path / "cache"
    assert build(tmp_path / "first", cache).returncode == 0
    entry = entry_of(cache)
    original = entry.read_bytes()
    if damage == "flipped byte":
        entry.write_bytes(original[:100] + bytes([original[100] ^ 0x01]) + original[101:])
    else:
        entry.write_bytes(original[: len(original) // 2])
    again = build(tmp_path / "second", cache)
    assert again.returncode == 0, again.stderr
    assert "failed its sha256 check" in again.stdout and "rebuilding" in again.stdout, again.stdout
    rebuilt = (tmp_path / "second" / "out.bin").read_bytes()
    # the step ran again (random bytes: not the first build's output), and its output is whole
    assert rebuilt.startswith(b"input\n") and len(rebuilt) == len(original) and rebuilt != original
    assert list(entry.parent.glob("*.corrupt")), "the damaged entry is kept aside, not deleted silently"


@pytest.fixture
def tiny_filesystem(tmp_path):
    if os.getuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
                             stderr=subprocess.PIPE, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)])


def test_a_full_cache_filesystem_costs_the_push_not_the_build(tmp_path, tiny_filesystem):
    cache = tiny_filesystem / "cache"
    built = build(tmp_path / "first", cache, size=1_000_000)  # a 1 MB output, a 256 KiB filesystem
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "first" / "out.bin").stat().st_size == 1_000_006
    said = [line for line in built.stdout.splitlines() if "could not store out.bin in the cache" in line]
    assert len(said) == 1 and "No space left on device" in said[0], built.stdout
    # The failed push left nothing behind: no entry, no partial copy, no sidecar (the step's empty
    # build lock stays, as it does after every build).
    left = [path for path in (cache / "scons").glob("*/*") if not path.name.endswith(".building")]
    assert left == [] and all(path.stat().st_size == 0 for path in (cache / "scons").glob("*/*")), left
    again = build(tmp_path / "second", cache, size=1_000_000)
    assert again.returncode == 0 and (tmp_path / "second" / "out.bin").stat().st_size == 1_000_006


SLOW_PROBE = r'''
import os, sys
sys.path.insert(0, os.environ["PROBE_CHECKOUT"])
env = Environment(tools=[], toolpath=[os.environ["PROBE_TOOLPATH"]], SLITHER_CACHE_DIR=os.environ["PROBE_CACHE"],
                  SLITHER_CACHE_MAX=0)
env.Tool("slither_cache")
# one step, two targets, that takes a while and says each time it really runs
env.Command(["a.out", "b.out"], "in.txt",
            "echo ran >> $RUNS && sleep 3 && cp $SOURCE ${TARGETS[0]} && cp $SOURCE ${TARGETS[1]}",
            RUNS=os.environ["PROBE_RUNS"])
'''


def test_two_builds_sharing_a_cache_make_a_step_once(tmp_path):
    """The second build finds the step being made by the first, waits for it, and takes it from
    the cache: both end with the step's outputs, and the step ran once."""
    cache, runs = tmp_path / "cache", tmp_path / "runs"
    processes = []
    for name in ("first", "second"):
        directory = tmp_path / name
        directory.mkdir()
        (directory / "SConstruct").write_text(SLOW_PROBE)
        (directory / "in.txt").write_text("input\n")
        environment = dict(os.environ, PROBE_CHECKOUT=str(ROOT), PROBE_CACHE=str(cache), PROBE_RUNS=str(runs),
                           PROBE_TOOLPATH=str(ROOT / "site_scons" / "site_tools"))
        processes.append(subprocess.Popen([sys.executable, "-m", "SCons", "-Q"], cwd=directory, env=environment,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        if name == "first":
            import time
            deadline = time.monotonic() + 60
            while not runs.exists():  # the first has taken the lock and started the step
                assert time.monotonic() < deadline and processes[0].poll() is None
                time.sleep(0.05)
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert runs.read_text() == "ran\n"
    assert "another build with this cache is making" in outputs[1][0], outputs[1]
    for name in ("first", "second"):
        assert (tmp_path / name / "a.out").read_text() == (tmp_path / name / "b.out").read_text() == "input\n"
