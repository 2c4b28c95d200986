"""One CACHE_DIR shared by two scons processes that run at the same time (different users'
NAMEs, EXCLUDEs and MODULES): both succeed, and the cache stays consistent (every entry
matches the sha256 beside it, and a clean rebuild is served from it bit for bit)."""

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_built, ROOT, run_scons
from slither.cache import default_cache_dir

pytestmark = pytest.mark.slow


def start_scons(arguments):
    return subprocess.Popen([sys.executable, "-m", "SCons", *arguments], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_concurrent_builds_share_one_cache(tmp_path):
    first = ["NAME=alpha", f"BUILD_DIR={tmp_path / 'alpha'}",
             "EXCLUDE=test,idlelib,tkinter,turtledemo,ensurepip,lib2to3,turtle,xmlrpc"]
    second = ["NAME=beta", f"BUILD_DIR={tmp_path / 'beta'}", "MODULES=markupsafe"]
    started = time.time() - 1
    processes = [start_scons(first), start_scons(second)]
    outputs = [process.communicate(timeout=3600) for process in processes]
    for process, (stdout, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stdout[-2000:] + stderr[-2000:]
    alpha = tmp_path / "alpha" / "bin" / "alpha"
    beta = tmp_path / "beta" / "bin" / "beta"
    assert subprocess.run([str(alpha), "-c", "import xmlrpc"], stderr=subprocess.PIPE).returncode == 1
    assert subprocess.run([str(beta), "-c", "import markupsafe._speedups, xmlrpc.client"]).returncode == 0

    # The entries these two builds pushed or retrieved (SCons touches an entry it hands out).
    entries = [path for path in (Path(default_cache_dir()) / "scons").glob("*/*")
               if path.is_file() and "." not in path.name and path.stat().st_mtime >= started]
    assert entries
    for entry in entries:
        sidecar = entry.with_name(entry.name + ".sha256")
        assert sidecar.is_file(), f"{entry} has no sha256 sidecar"
        assert sidecar.read_text().strip() == sha256(entry), f"{entry} does not match its sha256"

    again = run_scons(["NAME=alpha", f"BUILD_DIR={tmp_path / 'alpha-again'}", *first[2:]])
    assert_built(again)
    assert not any(line.startswith(("compile ", "link ", "freeze modules", "cpython build"))
                   for line in again.stdout.splitlines())
    assert sha256(tmp_path / "alpha-again" / "bin" / "alpha") == sha256(alpha)


def test_two_concurrent_builds_with_the_same_variables_give_the_same_bytes(tmp_path):
    """The same variables in two BUILD_DIRs at once, one cache: a step one of them is making, the
    other waits for and takes from the cache; both binaries are byte for byte the same."""
    processes = [start_scons([f"BUILD_DIR={tmp_path / name}", "MODULES=markupsafe", "FREEZE_PATHS=" + str(extra)])
                 for name, extra in (("one", _package(tmp_path)), ("two", _package(tmp_path)))]
    outputs = [process.communicate(timeout=3600) for process in processes]
    for process, (stdout, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stdout[-2000:] + stderr[-2000:]
    assert sha256(tmp_path / "one" / "bin" / "python-static") == sha256(tmp_path / "two" / "bin" / "python-static")


def _package(tmp_path: Path) -> Path:
    """A FREEZE_PATHS package no other build has (so its freeze and link steps are not in the
    cache yet and one of the two builds really makes them), the same bytes for both builds."""
    root = tmp_path / "extra"
    if not root.exists():
        (root / "sharedcacheprobe").mkdir(parents=True)
        (root / "sharedcacheprobe" / "__init__.py").write_text(f"STARTED = {time.time()!r}\n")
    return root
