"""Two clean builds, from two checkouts in different directories, at different times, give a
bit-identical binary (SOURCE_DATE_EPOCH, file-prefix maps, deterministic archives and tars,
build paths rewritten, marshal output of sorted inputs).

The first build runs without a cache (CACHE_DIR=), so every compiler runs. The second, from a
copy of the checkout, uses the shared cache as a user's build does: each step it does not
compile itself comes from the cache entry of an earlier, independent build (another BUILD_DIR,
another time; on a cold CI machine, the earlier tests' builds), because a build without a
cache pushes nothing. Either way the bytes compared come from two separate compilations,
and one cold CPython build fewer keeps CI inside its time budget."""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_built, ROOT
from slither.recipes.loading import cpython_release
from slither.sources.pinned import stored_path
from slither.cache import default_cache_dir

# extended: with its C libraries built from source, the build without a cache takes 7 minutes of
# CI's budget; the default run compares two BUILD_DIRs' binaries with the cache
# (test_static_interpreter.py, test_shared_cache.py).
pytestmark = [pytest.mark.slow, pytest.mark.extended]


def copy_checkout(destination: Path) -> Path:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, stdout=subprocess.PIPE, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    return destination


def build(checkout: Path, build_dir: Path, sources_dir: Path, cache: bool) -> Path:
    result = subprocess.run([sys.executable, "-m", "SCons", f"BUILD_DIR={build_dir}",
                             *([] if cache else ["CACHE_DIR="]), f"SOURCES={sources_dir}"],
                            cwd=checkout, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=3600)
    assert_built(result)
    if not cache:
        assert any(line.startswith("cpython build") for line in result.stdout.splitlines())
    return build_dir / "bin" / "python-static"


def test_two_clean_builds_in_different_places_are_bit_identical(tmp_path):
    source = cpython_release("3.11").source
    cached = stored_path(Path(default_cache_dir()) / "downloads", source)
    sources_dir = tmp_path / "sources"
    sources_dir.mkdir()
    if cached.is_file():  # spare the network; the build verifies the file's sha256 anyway
        shutil.copy2(cached, sources_dir / source.filename)
    first = build(ROOT, tmp_path / "one" / "build", sources_dir, cache=False)
    second_checkout = copy_checkout(tmp_path / "elsewhere" / "slither-copy")
    second = build(second_checkout, tmp_path / "two" / "b", sources_dir, cache=True)
    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path in (first, second)]
    assert digests[0] == digests[1]
