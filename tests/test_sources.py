"""Fetching and verifying pinned sources: SOURCES dirs, the download store, URLs, apt."""

import hashlib
import os
import stat
from pathlib import Path

import pytest

from slither.errors import SlitherError
from slither.recipes import DebianSource, Source
from slither.sources.pinned import obtain, stored_path

CONTENT = b"pretend this is Python-3.11.2.tgz\n"
DIGEST = hashlib.sha256(CONTENT).hexdigest()


def pinned(**overrides):
    fields = {"filename": "Python-9.9.9.tgz", "sha256": DIGEST}
    fields.update(overrides)
    return Source(**fields)


def test_file_in_sources_dir_is_used_after_verification(tmp_path):
    local = tmp_path / "local"
    local.mkdir()
    (local / "Python-9.9.9.tgz").write_bytes(CONTENT)
    path = obtain(pinned(), search_dirs=[local], store=tmp_path / "store", upstream_version="9.9.9")
    assert path == local / "Python-9.9.9.tgz"


def test_tampered_file_in_sources_dir_is_refused_with_both_hashes(tmp_path):
    local = tmp_path / "local"
    local.mkdir()
    (local / "Python-9.9.9.tgz").write_bytes(CONTENT + b"evil")
    actual = hashlib.sha256(CONTENT + b"evil").hexdigest()
    with pytest.raises(SlitherError) as error:
        obtain(pinned(), search_dirs=[local], store=tmp_path / "store", upstream_version="9.9.9")
    message = str(error.value)
    assert "Python-9.9.9.tgz" in message and DIGEST in message and actual in message


def test_tampered_file_in_download_store_is_an_error_not_a_refetch(tmp_path):
    store = tmp_path / "store"
    cached = stored_path(store, pinned())
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"corrupted")
    upstream = tmp_path / "upstream.tgz"
    upstream.write_bytes(CONTENT)
    with pytest.raises(SlitherError, match="sha256 mismatch"):
        obtain(pinned(urls=(upstream.as_uri(),)), search_dirs=[], store=store, upstream_version="9.9.9")
    assert cached.read_bytes() == b"corrupted"  # not silently replaced


def test_download_lands_in_content_addressed_store_once(tmp_path):
    upstream = tmp_path / "upstream.tgz"
    upstream.write_bytes(CONTENT)
    store = tmp_path / "store"
    first = obtain(pinned(urls=(upstream.as_uri(),)), search_dirs=[], store=store, upstream_version="9.9.9")
    assert first == store / DIGEST / "Python-9.9.9.tgz"
    upstream.unlink()  # a second build must not need the network
    second = obtain(pinned(urls=(upstream.as_uri(),)), search_dirs=[], store=store, upstream_version="9.9.9")
    assert second == first and second.read_bytes() == CONTENT


def test_download_with_wrong_content_leaves_nothing_behind(tmp_path):
    upstream = tmp_path / "upstream.tgz"
    upstream.write_bytes(b"not the release")
    store = tmp_path / "store"
    with pytest.raises(SlitherError, match="sha256 mismatch"):
        obtain(pinned(urls=(upstream.as_uri(),)), search_dirs=[], store=store, upstream_version="9.9.9")
    leftovers = [p for p in store.rglob("*") if p.is_file()]
    assert leftovers == []


def test_unreachable_urls_fall_back_to_apt_source(tmp_path, monkeypatch):
    # A stand-in apt-get that behaves like `apt-get source --download-only` for one package.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    original = tmp_path / "orig.tar.gz"
    original.write_bytes(CONTENT)
    fake = bin_dir / "apt-get"
    fake.write_text(f"#!/bin/sh\n[ \"$3\" = pythonX=1-1 ] || exit 100\n"
                    f"cp {original} ./pythonX_9.9.9.orig.tar.gz\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    source = pinned(urls=("http://127.0.0.1:9/nothing-listens-here.tgz",),
                    debian=DebianSource("pythonX", versions=("0-gone", "1-1")))
    messages = []
    path = obtain(source, search_dirs=[], store=tmp_path / "store", upstream_version="9.9.9",
                  log=messages.append)
    assert path.read_bytes() == CONTENT
    assert any("apt-get source --download-only pythonX=1-1" in m for m in messages)


def test_an_orig_that_arrived_is_taken_although_apt_failed_on_the_rest(tmp_path, monkeypatch):
    """An index may name a source package whose .dsc the pool lacks: apt-get fetches the .orig,
    fails on the .dsc and exits 100. The .orig is what the build takes, checked by its sha256."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    original = tmp_path / "orig.tar.gz"
    original.write_bytes(CONTENT)
    fake = bin_dir / "apt-get"
    fake.write_text(f"#!/bin/sh\ncp {original} ./pythonX_9.9.9.orig.tar.gz\n"
                    "echo 'E: Failed to fetch pythonX_9.9.9-1.dsc  404  Not Found'\nexit 100\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    messages = []
    path = obtain(pinned(debian=DebianSource("pythonX", versions=("9.9.9-1",))), search_dirs=[],
                  store=tmp_path / "store", upstream_version="9.9.9", log=messages.append)
    assert path.read_bytes() == CONTENT
    assert any("its pythonX_9.9.9.orig.tar.gz arrived" in message for message in messages), messages


def test_nowhere_to_get_it_names_the_file_and_the_remedy(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no apt-get
    with pytest.raises(SlitherError) as error:
        obtain(pinned(), search_dirs=[], store=tmp_path / "store", upstream_version="9.9.9")
    assert "Python-9.9.9.tgz" in str(error.value) and "SOURCES" in str(error.value)


def test_a_file_missing_from_sources_is_one_line_with_its_pin_and_where_to_get_it(tmp_path, monkeypatch):
    """A login node without network: SOURCES lacks the file and every fetch fails."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no apt-get
    local = tmp_path / "local"
    local.mkdir()
    url = "http://127.0.0.1:9/Python-9.9.9.tgz"  # nothing listens there
    with pytest.raises(SlitherError) as error:
        obtain(pinned(urls=(url,), debian=DebianSource("pythonX")), search_dirs=[local],
               store=tmp_path / "store", upstream_version="9.9.9")
    message = str(error.value)
    assert "\n" not in message
    assert "Python-9.9.9.tgz" in message and DIGEST in message and str(local) in message
    assert url in message and "apt-get source --download-only pythonX" in message and "SOURCES=" in message


def test_an_unreachable_package_index_still_names_the_file_and_its_pin(tmp_path):
    from slither.recipes import PipRequirement
    from slither.sources.package_index import IndexLocations
    nowhere = IndexLocations(indexes=("http://127.0.0.1:9/simple",), find_links=())
    with pytest.raises(SlitherError) as error:
        obtain(pinned(filename="numpy-9.9.9.tar.gz", pip=PipRequirement("numpy", "9.9.9", kind="sdist")), search_dirs=[],
               store=tmp_path / "store", index=nowhere)
    message = str(error.value)
    assert "\n" not in message
    assert "numpy-9.9.9.tar.gz" in message and DIGEST in message
    assert "the package index (numpy==9.9.9;" in message and "SOURCES=" in message


def test_what_a_killed_download_leaves_is_never_used(tmp_path):
    """A download killed mid-way leaves only a `.part-*` file beside where the verified file
    would go; the next build downloads again and only the verified file gets the real name."""
    store = tmp_path / "store"
    (store / DIGEST).mkdir(parents=True)
    (store / DIGEST / ".part-killed").write_bytes(CONTENT[:10])
    upstream = tmp_path / "upstream.tgz"
    upstream.write_bytes(CONTENT)
    path = obtain(pinned(urls=(upstream.as_uri(),)), search_dirs=[], store=store, upstream_version="9.9.9")
    assert path == store / DIGEST / "Python-9.9.9.tgz" and path.read_bytes() == CONTENT
