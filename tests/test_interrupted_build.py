"""Killing scons mid-build (SIGINT, then SIGKILL of the whole process group) during CPython's
build, during a package build and during the final link, then running scons again, completes
and gives the same binary as an uninterrupted build: nothing half-written is ever taken for
finished (temporary names, then rename), nor pushed to the cache or the download store."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_built, ROOT, run_scons

pytestmark = pytest.mark.slow


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _signal_and_reap(process, how: int, seen: list) -> None:
    os.killpg(process.pid, how)
    process.wait(timeout=120)
    if how == signal.SIGINT:  # children that ignore SIGINT must not outlive the test
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.stdout.close()
    assert process.returncode != 0, "".join(seen)


def _start_scons(arguments):
    return subprocess.Popen([sys.executable, "-m", "SCons", *arguments], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def interrupt_when(arguments, marker: str, how: int, timeout: float = 900, delay: float = 5) -> str:
    """Start scons, wait for `marker` in its output, then signal its whole process group."""
    process = _start_scons(arguments)
    seen = []
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            time.sleep(delay)  # inside the step
            break
        assert time.monotonic() < deadline, "".join(seen)
    else:
        pytest.fail("scons finished before the step began:\n" + "".join(seen))
    _signal_and_reap(process, how, seen)
    return "".join(seen)


def interrupt_when_file_appears(arguments, marker: str, path: Path, how: int, timeout: float = 900) -> str:
    """Start scons; once `marker` is in its output, poll for `path` (a step's temporary output,
    created when the step's real work starts) and signal the process group the moment it exists."""
    process = _start_scons(arguments)
    seen = []
    deadline = time.monotonic() + timeout
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            break
        assert time.monotonic() < deadline, "".join(seen)
    else:
        pytest.fail("scons finished before the step began:\n" + "".join(seen))
    while not path.exists():
        assert process.poll() is None, "scons ended before the step wrote " + str(path) + ":\n" + "".join(seen)
        assert time.monotonic() < deadline, "".join(seen)
        time.sleep(0.005)
    _signal_and_reap(process, how, seen)
    return "".join(seen)


@pytest.mark.extended  # CPython and its C libraries again without a cache: 7 minutes of CI's budget
def test_killed_cpython_build_resumes_to_the_same_binary(tmp_path):
    reference_dir = tmp_path / "reference"
    reference = run_scons([f"BUILD_DIR={reference_dir}"])  # the cache makes this quick when warm
    assert_built(reference)
    # No cache: the interrupted builds really are in the middle of CPython's make.
    arguments = [f"BUILD_DIR={tmp_path / 'interrupted'}", "CACHE_DIR="]
    interrupt_when(arguments, ": make -j", signal.SIGINT)
    interrupt_when(arguments, ": make -j", signal.SIGKILL)
    assert not (tmp_path / "interrupted" / "bin" / "python-static").exists()
    finished = run_scons(arguments)
    assert_built(finished, tail=2000)
    assert any(line.startswith("cpython build") for line in finished.stdout.splitlines())
    assert sha256(tmp_path / "interrupted" / "bin" / "python-static") == \
        sha256(reference_dir / "bin" / "python-static")


def _cache_entries_are_whole(cache_dir: Path) -> int:
    """Every entry in a cache holds exactly the bytes its sha256 sidecar vouches for, and every
    file in the download store hashes to the sha256 directory it is stored under; returns the
    number of entries. Leftover temporary files are allowed: lookups never use those names."""
    checked = 0
    for entry in (cache_dir / "scons").glob("*/*"):  # entries live in <prefix>/ directories
        # a step's build lock (`.building`, empty) is not an entry
        if not entry.is_file() or entry.name.endswith((".sha256", ".building")) or ".tmp" in entry.name:
            continue
        sidecar = Path(f"{entry}.sha256")
        assert sidecar.is_file(), f"cache entry {entry} has no sha256 sidecar"
        assert sha256(entry) == sidecar.read_text().strip(), entry
        checked += 1
    for stored in (cache_dir / "downloads").glob("*/*"):
        if stored.is_file() and not stored.name.endswith(".tmp") and len(stored.parent.name) == 64:
            assert sha256(stored) == stored.parent.name, stored
            checked += 1
    return checked


def _prepared_build(tmp_path, modules: str):
    """A build dir with everything up to date (from the shared cache when warm), the reference
    binary of a separate clean build, and the arguments of the builds to interrupt: a cache of
    their own, empty, so that the step to kill really runs and anything pushed can be checked."""
    reference_dir, build_dir = tmp_path / "reference", tmp_path / "interrupted"
    reference = run_scons([f"BUILD_DIR={reference_dir}", f"MODULES={modules}"])
    assert_built(reference, tail=2000)
    prepared = run_scons([f"BUILD_DIR={build_dir}", f"MODULES={modules}"])
    assert_built(prepared, tail=2000)
    own_cache = tmp_path / "cache"
    arguments = [f"BUILD_DIR={build_dir}", f"MODULES={modules}", f"CACHE_DIR={own_cache}"]
    return reference_dir / "bin" / "python-static", build_dir, own_cache, arguments


def _finish_and_compare(arguments, build_dir, reference_binary, own_cache, step_line):
    finished = run_scons(arguments)
    assert_built(finished, tail=2000)
    assert any(line.startswith(step_line) for line in finished.stdout.splitlines()), finished.stdout
    assert sha256(build_dir / "bin" / "python-static") == sha256(reference_binary)
    assert _cache_entries_are_whole(own_cache) > 0


def test_killed_package_build_resumes_to_the_same_binary(tmp_path):
    reference_binary, build_dir, own_cache, arguments = _prepared_build(tmp_path, "markupsafe")
    package_dir = next((build_dir / "packages").glob("*/markupsafe-*"))
    outputs = [package_dir / name for name in ("site.tar", "extensions.a", "extensions.json")]
    for output in [*outputs, build_dir / "bin" / "python-static"]:
        output.unlink()  # the package step (and the link after it) must run again
    for how in (signal.SIGINT, signal.SIGKILL):
        # pip starts after this line; the capture layer's wrappers exist once the work dir is set up.
        interrupt_when_file_appears(arguments, ": pip install", package_dir / "work" / "wrappers", how)
        assert not any(output.exists() for output in outputs[:1]), "the package build finished before the kill"
        assert not (build_dir / "bin" / "python-static").exists()
        # The package step was the first to run: nothing of it may have reached the cache.
        assert _cache_entries_are_whole(own_cache) == 0
    _finish_and_compare(arguments, build_dir, reference_binary, own_cache, "package build")


def test_killed_final_link_resumes_to_the_same_binary(tmp_path):
    reference_binary, build_dir, own_cache, arguments = _prepared_build(tmp_path, "")
    binary = build_dir / "bin" / "python-static"
    binary.unlink()  # only the link runs again
    for how in (signal.SIGINT, signal.SIGKILL):
        # The linker creates its output (the link's temporary name) when it starts writing.
        output = interrupt_when_file_appears(arguments, "link ", Path(f"{binary}.tmp"), how)
        assert not binary.exists(), output
        assert _cache_entries_are_whole(own_cache) == 0  # the link is the only step, and it died
        Path(f"{binary}.tmp").unlink(missing_ok=True)  # the next attempt must create it anew
    _finish_and_compare(arguments, build_dir, reference_binary, own_cache, "link ")


def test_build_killed_with_other_variables_then_the_first_ones_give_the_first_binary(tmp_path):
    """Build, start a build with other variables and kill -9 it in its last step, build with the
    first variables again: the binary of a clean build with them, not one made of the killed
    build's outputs (which SCons alone would take for up to date: tests/test_unrecorded_outputs.py)."""
    reference_binary, build_dir, own_cache, arguments = _prepared_build(tmp_path, "")
    extra = tmp_path / "extra"
    (extra / "killedbuildonly").mkdir(parents=True)
    (extra / "killedbuildonly" / "__init__.py").write_text("WHICH = 'the killed build'\n")
    binary = build_dir / "bin" / "python-static"
    interrupt_when_file_appears([*arguments, f"FREEZE_PATHS={extra}"], "link ", Path(f"{binary}.tmp"), signal.SIGKILL)
    Path(f"{binary}.tmp").unlink(missing_ok=True)
    again = run_scons(arguments)
    assert_built(again, tail=2000)
    assert "outputs of a build that did not finish are made again" in again.stdout, again.stdout
    assert sha256(binary) == sha256(reference_binary)


def test_a_package_step_on_a_full_filesystem_fails_in_one_line_and_leaves_nothing_trusted(tmp_path):
    """The disk fills during a package step (a 1 MiB tmpfs where the step works): the build stops
    with one line and no traceback, no output of the step exists, nothing reached the cache; with
    room again the next build gives the clean build's binary."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    reference_binary, build_dir, own_cache, arguments = _prepared_build(tmp_path, "markupsafe")
    package_dir = next((build_dir / "packages").glob("*/markupsafe-*"))
    subprocess.run(["rm", "-rf", str(package_dir)], check=True)
    (build_dir / "bin" / "python-static").unlink()
    package_dir.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(package_dir)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        full = run_scons(arguments)
        outputs = [name for name in ("site.tar", "extensions.a", "extensions.json") if (package_dir / name).exists()]
    finally:
        subprocess.run(["umount", str(package_dir)], check=True)
    text = full.stdout + full.stderr
    assert full.returncode != 0, text[-2000:]
    assert "Traceback" not in text, text[-3000:]
    errors = [line for line in text.splitlines() if line.startswith("slither: error:")]
    assert len(errors) == 1 and "markupsafe" in errors[0], text[-3000:]
    assert outputs == []
    assert _cache_entries_are_whole(own_cache) == 0
    _finish_and_compare(arguments, build_dir, reference_binary, own_cache, "package build")
