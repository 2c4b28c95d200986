"""bench/metadata_server.py, mounted for real (FUSE): what it counts and that a stopped server
still reports its count (the FUSE sweep stops a server still busy with a backlog)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parent.parent / "bench" / "metadata_server.py"

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/fuse"), reason="this machine has no /dev/fuse")


def mounted(source: Path, mountpoint: Path, stats: Path, service_ms: float) -> subprocess.Popen:
    mountpoint.mkdir()
    server = subprocess.Popen([sys.executable, str(SERVER), str(source), str(mountpoint),
                               "--service-ms", str(service_ms), "--stats", str(stats)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not os.path.ismount(mountpoint):
        assert server.poll() is None, server.stderr.read()
        assert time.monotonic() < deadline, "the metadata server did not mount"
        time.sleep(0.05)
    return server


def test_served_calls_are_counted_and_a_server_stopped_by_sigterm_still_writes_its_count(tmp_path):
    source = tmp_path / "source"
    (source / "pkg").mkdir(parents=True)
    (source / "pkg" / "module.py").write_text("x = 1\n")
    mountpoint, stats = tmp_path / "mnt", tmp_path / "stats.json"
    server = mounted(source, mountpoint, stats, service_ms=1)
    try:
        assert (mountpoint / "pkg" / "module.py").read_text() == "x = 1\n"
        assert not (mountpoint / "pkg" / "missing.py").exists()
    finally:
        server.send_signal(signal.SIGTERM)   # no unmount first: as when a backlog keeps it busy
        server.wait(timeout=20)
    assert not os.path.ismount(mountpoint)
    counted = json.loads(stats.read_text())
    assert counted["service_ms"] == 1.0
    assert counted["operations"]["open"] >= 1 and counted["operations"]["getattr"] >= 3
    assert counted["metadata_operations"] == sum(counted["operations"].get(kind, 0) for kind in (
        "getattr", "open", "opendir", "readdir", "readlink", "access", "statfs"))


def test_the_fuse_binding_is_pinned_alike_for_the_tests_and_the_bench():
    def pin(path: Path) -> list[str]:
        return [line.strip() for line in path.read_text().splitlines() if line.startswith("mfusepy")]
    root = SERVER.parent.parent
    assert pin(root / "requirements-dev.txt") == pin(root / "bench" / "requirements.txt") != []
