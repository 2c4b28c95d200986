"""Fetching from the package index as files: chosen by name, version and type, verified by
sha256, never built; long transfers say they are alive; an interrupted one leaves nothing.

The indexes here are real ones made by the test: a PEP 503 file: index (HTML pages, as pip's
extra-index-url directories are), a find-links directory, and a PEP 691 JSON index served
over HTTP on loopback."""

import hashlib
import http.server
import json
import threading
import time
from pathlib import Path

import pytest

from slither.errors import SlitherError
from slither.files import sha256_of
from slither.recipes import PipRequirement, Source
from slither.sources import package_index
from slither.sources.package_index import IndexLocations
from slither.sources.pinned import obtain
from slither.sources.unpinned import lock_path, obtain_unpinned, parse_requirement


def make_file_index(root: Path, files: dict[str, bytes], with_hashes: bool = True) -> IndexLocations:
    """A PEP 503 simple index under root/simple, its files under root/files."""
    (root / "files").mkdir(parents=True, exist_ok=True)
    projects: dict[str, list[str]] = {}
    for name, content in files.items():
        (root / "files" / name).write_bytes(content)
        project = package_index.normalized_name(name.split("-")[0])
        fragment = f"#sha256={hashlib.sha256(content).hexdigest()}" if with_hashes else ""
        projects.setdefault(project, []).append(f'<a href="../../files/{name}{fragment}">{name}</a>')
    for project, anchors in projects.items():
        page = root / "simple" / project
        page.mkdir(parents=True, exist_ok=True)
        (page / "index.html").write_text("<html><body>\n" + "<br>\n".join(anchors) + "\n</body></html>\n")
    (root / "simple").mkdir(parents=True, exist_ok=True)
    return IndexLocations(indexes=((root / "simple").as_uri(),), find_links=())


def test_first_use_locks_the_sha256_and_later_uses_need_no_index(tmp_path):
    index = make_file_index(tmp_path / "index", {"thing-1.0.tar.gz": b"first release"})
    store = tmp_path / "store"
    source, path = obtain_unpinned("Thing==1.0", store=store, index=index)
    assert path.read_bytes() == b"first release" and path.parent.name == source.sha256
    lock = json.loads(lock_path(store, "thing", "1.0").read_text())
    assert (lock["filename"], lock["sha256"], lock["kind"]) == ("thing-1.0.tar.gz", source.sha256, "sdist")
    (tmp_path / "index" / "files" / "thing-1.0.tar.gz").unlink()
    assert obtain_unpinned("thing==1.0", store=store, index=index) == (source, path)


def test_release_that_changed_after_first_use_is_refused(tmp_path):
    store = tmp_path / "store"
    source, path = obtain_unpinned("thing==1.0", store=store,
                                   index=make_file_index(tmp_path / "a", {"thing-1.0.tar.gz": b"first release"}))
    path.unlink()  # the store lost it; the index now serves other bytes under the same version
    changed = make_file_index(tmp_path / "b", {"thing-1.0.tar.gz": b"re-uploaded"})
    with pytest.raises(SlitherError, match=f"sha256 mismatch \\(expected {source.sha256}"):
        obtain_unpinned("thing==1.0", store=store, index=changed)
    assert not any(p.is_file() for p in store.rglob("thing-1.0.tar.gz"))


def test_a_pure_python_wheel_is_preferred_to_the_sdist(tmp_path):
    index = make_file_index(tmp_path, {"thing-1.0-py3-none-any.whl": b"wheel", "thing-1.0.tar.gz": b"sdist"})
    source, _ = obtain_unpinned("thing==1.0", store=tmp_path / "store", index=index)
    assert (source.filename, source.pip.kind) == ("thing-1.0-py3-none-any.whl", "wheel")


def test_from_sdist_takes_the_sdist_beside_a_pure_wheel_under_its_own_lock(tmp_path):
    index = make_file_index(tmp_path, {"thing-1.0-py3-none-any.whl": b"wheel", "thing-1.0.tar.gz": b"sdist"})
    store = tmp_path / "store"
    wheel, _ = obtain_unpinned("thing==1.0", store=store, index=index)
    sdist, path = obtain_unpinned("thing==1.0", store=store, index=index, sdist_only=True)
    assert (sdist.filename, sdist.pip.kind, path.read_bytes()) == ("thing-1.0.tar.gz", "sdist", b"sdist")
    assert json.loads(lock_path(store, "thing", "1.0", sdist_only=True).read_text())["kind"] == "sdist"
    assert json.loads(lock_path(store, "thing", "1.0").read_text())["kind"] == "wheel"  # both locks kept
    assert obtain_unpinned("thing==1.0", store=store, index=index)[0] == wheel


def test_from_sdist_of_a_release_without_an_sdist_is_one_line(tmp_path):
    index = make_file_index(tmp_path, {"thing-1.0-py3-none-any.whl": b"wheel"})
    with pytest.raises(SlitherError, match=r"^thing==1.0 publishes no sdist \(FROM_SDIST names it\)"):
        obtain_unpinned("thing==1.0", store=tmp_path / "store", index=index, sdist_only=True)


def test_a_pure_fallback_wheel_of_a_compiled_package_is_passed_over_for_the_sdist(tmp_path):
    """wrapt publishes compiled wheels and a pure one without its C code: build the sdist."""
    index = make_file_index(tmp_path, {"thing-1.0-py3-none-any.whl": b"pure fallback",
                                       "thing-1.0-cp311-cp311-manylinux_2_17_x86_64.whl": b"compiled",
                                       "thing-1.0.tar.gz": b"sdist"})
    source, _ = obtain_unpinned("thing==1.0", store=tmp_path / "store", index=index)
    assert (source.filename, source.pip.kind) == ("thing-1.0.tar.gz", "sdist")


def test_a_compiled_wheel_is_passed_over_for_the_sdist(tmp_path):
    index = make_file_index(tmp_path, {"thing-1.0-cp311-cp311-manylinux_2_17_x86_64.whl": b"compiled",
                                       "thing-1.0.tar.gz": b"sdist", "thing-1.1.tar.gz": b"newer"})
    source, path = obtain_unpinned("thing==1.0", store=tmp_path / "store", index=index)
    assert (source.filename, source.pip.kind, path.read_bytes()) == ("thing-1.0.tar.gz", "sdist", b"sdist")


def test_compiled_wheel_without_sdist_asks_for_a_recipe(tmp_path):
    index = make_file_index(tmp_path, {"thing-1.0-cp311-cp311-manylinux_2_17_x86_64.whl": b"compiled"})
    with pytest.raises(SlitherError, match="compiled for one platform; write a recipe"):
        obtain_unpinned("thing==1.0", store=tmp_path / "store", index=index)
    assert not lock_path(tmp_path / "store", "thing", "1.0").exists()


def test_unknown_package_and_unknown_version_are_one_line_each(tmp_path):
    index = make_file_index(tmp_path, {"thing-1.0.tar.gz": b"x", "thing-1.2.tar.gz": b"y"})
    with pytest.raises(SlitherError, match="no such package"):
        obtain_unpinned("nothing==1.0", store=tmp_path / "store", index=index)
    with pytest.raises(SlitherError, match=r"no such version \(latest: 1.2\)"):
        obtain_unpinned("thing==9.9", store=tmp_path / "store", index=index)


def test_other_projects_files_in_find_links_do_not_make_an_unknown_package_known(tmp_path):
    links = tmp_path / "links"
    links.mkdir()
    (links / "torch-2.13.0-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"other project")
    with pytest.raises(SlitherError, match="no such package"):
        obtain_unpinned("nothing-here==1.0", store=tmp_path / "store",
                        index=IndexLocations(indexes=(), find_links=(str(links),)))


def test_requirement_without_an_exact_version_is_refused():
    assert parse_requirement("markupsafe == 3.0.2") == ("markupsafe", "3.0.2")
    with pytest.raises(SlitherError, match="give an exact version as name==version"):
        parse_requirement("markupsafe>=3")


def test_pinned_source_is_fetched_by_filename_and_verified(tmp_path):
    index = make_file_index(tmp_path / "index", {"thing-1.0.tar.gz": b"release", "thing-1.0.zip": b"other"})
    digest = sha256_of(tmp_path / "index" / "files" / "thing-1.0.tar.gz")
    source = Source("thing-1.0.tar.gz", digest, pip=PipRequirement("thing", "1.0", "sdist"))
    path = obtain(source, search_dirs=[], store=tmp_path / "store", index=index)
    assert path == tmp_path / "store" / digest / "thing-1.0.tar.gz" and path.read_bytes() == b"release"


def test_pinned_wheel_for_another_platform_is_fetched_by_its_filename(tmp_path):
    """A musllinux build tool is fetched on a glibc machine: the name, not this machine's tags, decides."""
    name = "ninja-1.11.1.4-py3-none-musllinux_1_1_x86_64.whl"
    index = make_file_index(tmp_path / "index", {name: b"musl ninja",
                                                 "ninja-1.11.1.4-py3-none-manylinux_2_12_x86_64.whl": b"glibc"})
    source = Source(name, hashlib.sha256(b"musl ninja").hexdigest(), pip=PipRequirement("ninja", "1.11.1.4", "wheel"))
    assert obtain(source, search_dirs=[], store=tmp_path / "store", index=index).read_bytes() == b"musl ninja"


def test_a_find_links_directory_serves_files_without_hashes(tmp_path):
    links = tmp_path / "links"
    links.mkdir()
    (links / "thing-1.0.tar.gz").write_bytes(b"local")
    source, path = obtain_unpinned("thing==1.0", store=tmp_path / "store",
                                   index=IndexLocations(indexes=(), find_links=(str(links),)))
    assert path.read_bytes() == b"local" and source.sha256 == hashlib.sha256(b"local").hexdigest()


def test_pip_configuration_names_the_indexes(monkeypatch):
    settings = {"index-url": "file:///srv/primary", "extra-index-url": "file:///a file:///b", "find-links": "/opt/w"}
    monkeypatch.setattr(package_index, "_pip_settings", lambda command: dict(settings))
    locations = package_index.configured_locations(["pip"])
    assert locations == IndexLocations(("file:///srv/primary", "file:///a", "file:///b"), ("/opt/w",))


# --- over HTTP: the JSON API, progress, interruption ---

class JsonIndex(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    chunk_delay = 0.0
    cut_after = None  # bytes after which the connection is dropped

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/simple/"):
            body = json.dumps({"meta": {"api-version": "1.0"}, "name": "thing", "files": [
                {"filename": name, "url": f"/files/{name}", "hashes": {"sha256": hashlib.sha256(content).hexdigest()}}
                for name, content in self.files.items()]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", package_index.JSON_API)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        content = self.files[self.path.rsplit("/", 1)[-1]]
        self.send_response(200)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        for start in range(0, len(content), 4096):
            if self.cut_after is not None and start >= self.cut_after:
                return  # the server goes away mid-transfer
            self.wfile.write(content[start:start + 4096])
            self.wfile.flush()
            time.sleep(self.chunk_delay)


@pytest.fixture
def json_index():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), JsonIndex)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, IndexLocations(indexes=(f"http://127.0.0.1:{server.server_port}/simple/",), find_links=())
    server.shutdown()
    JsonIndex.files, JsonIndex.chunk_delay, JsonIndex.cut_after = {}, 0.0, None


def test_the_json_api_is_read_and_a_slow_transfer_reports_progress(tmp_path, json_index, monkeypatch):
    _, index = json_index
    JsonIndex.files = {"thing-1.0.tar.gz": b"x" * 65536 * 6}
    JsonIndex.chunk_delay = 0.02
    monkeypatch.setattr(package_index, "PROGRESS_INTERVAL_SECONDS", 0.1)
    lines = []
    source, path = obtain_unpinned("thing==1.0", store=tmp_path / "store", index=index, log=lines.append)
    assert path.stat().st_size == 65536 * 6
    progress = [line for line in lines if "thing-1.0.tar.gz:" in line and " s" in line]
    assert progress, lines  # the transfer said it was alive while it ran


def test_an_interrupted_download_leaves_nothing_behind(tmp_path, json_index):
    _, index = json_index
    JsonIndex.files = {"thing-1.0.tar.gz": b"y" * 40000}
    JsonIndex.cut_after = 8192
    store = tmp_path / "store"
    with pytest.raises(SlitherError):
        obtain_unpinned("thing==1.0", store=store, index=index)
    assert [p for p in store.rglob("*") if p.is_file()] == []
    assert not lock_path(store, "thing", "1.0").exists()


def test_a_partial_file_of_a_killed_writer_is_removed_by_the_next_download(tmp_path):
    directory = tmp_path / "store" / "abc"
    directory.mkdir(parents=True)
    abandoned = directory / f"{package_index.PARTIAL_PREFIX}999999999-thing-1.0.tar.gz"
    abandoned.write_bytes(b"half")
    package_index.remove_abandoned_partials(directory)
    assert not abandoned.exists()
