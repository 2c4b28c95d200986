"""Killing scons mid-build (SIGINT, then SIGKILL of the whole process group) during CPython's
build, then running scons again, completes and gives the same binary as an uninterrupted
build: nothing half-written is ever taken for finished (temporary names, then rename)."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_scons

pytestmark = pytest.mark.slow


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def interrupt_when(arguments, marker: str, how: int, timeout: float = 900) -> str:
    """Start scons, wait for `marker` in its output, then signal its whole process group."""
    process = subprocess.Popen([sys.executable, "-m", "SCons", *arguments], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            time.sleep(5)  # well inside the step
            os.killpg(process.pid, how)
            break
        assert time.monotonic() < deadline, "".join(seen)
    process.wait(timeout=120)
    if how == signal.SIGINT:  # children that ignore SIGINT must not outlive the test
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert process.returncode != 0, "".join(seen)
    return "".join(seen)


def test_killed_cpython_build_resumes_to_the_same_binary(tmp_path):
    reference_dir = tmp_path / "reference"
    reference = run_scons([f"BUILD_DIR={reference_dir}"])  # the cache makes this quick when warm
    assert reference.returncode == 0, reference.stderr
    # No cache: the interrupted builds really are in the middle of CPython's make.
    arguments = [f"BUILD_DIR={tmp_path / 'interrupted'}", "CACHE_DIR="]
    interrupt_when(arguments, ": make -j", signal.SIGINT)
    interrupt_when(arguments, ": make -j", signal.SIGKILL)
    assert not (tmp_path / "interrupted" / "bin" / "python-static").exists()
    finished = run_scons(arguments)
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-2000:]
    assert any(line.startswith("cpython build") for line in finished.stdout.splitlines())
    assert sha256(tmp_path / "interrupted" / "bin" / "python-static") == \
        sha256(reference_dir / "bin" / "python-static")
