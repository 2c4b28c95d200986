"""Fetch a package's file from the package index pip is configured with, as a file: never a build.

`pip download` of an sdist prepares the package's metadata, which for a backend without a
metadata hook (meson-python) means building it: numpy's first-use download took 14 minutes
that way, scipy's did not finish in 50. The index's simple API (PEP 503 HTML, PEP 691 JSON)
names every file of a release with its sha256, so a file is chosen by name, version and type
and fetched like any download: streamed to a temporary name in the store, verified, renamed.

Where the index is: the index-url, extra-index-url and find-links that pip itself is
configured with (`pip config list`, PIP_* environment variables), and pip's own default index
when none is set, read from the pip that Slither runs, so no index address is written here.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from slither.errors import SlitherError
from slither.files import durable_replace, sha256_of

JSON_API = "application/vnd.pypi.simple.v1+json"
REQUEST_TIMEOUT_SECONDS = 60
PROGRESS_INTERVAL_SECONDS = 20.0  # a long download says it is alive well within 30 s
SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tar.xz")
# Temporary names carry the writer's pid, so a later run can tell an abandoned one (its
# writer was killed) from one that another build is writing right now.
PARTIAL_PREFIX = ".part-"


class DownloadUnavailable(SlitherError):
    """The file could not be transferred (network, HTTP error); another place may have it."""


@dataclass(frozen=True)
class IndexFile:
    """One file of a release as the index lists it."""

    filename: str
    url: str
    sha256: str  # empty when the index gives none (then it is computed after download)
    yanked: bool = False


@dataclass(frozen=True)
class IndexLocations:
    indexes: tuple[str, ...]     # simple-API base URLs, searched in order
    find_links: tuple[str, ...]  # directories or pages of files


def normalized_name(name: str) -> str:
    """PEP 503: `Markup_Safe` -> `markup-safe`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _pip_settings(pip_command: list[str]) -> dict[str, str]:
    """pip's own configuration, `pip config list` (files and PIP_* variables) as key -> value."""
    result = subprocess.run([*pip_command, "config", "list"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    settings: dict[str, str] = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition("=")
        option = key.rsplit(".", 1)[-1]
        value = value.strip().strip("'\"")
        settings[option] = value  # later lines (environment) override earlier (files)
    return settings


def _pip_default_index(pip_command: list[str]) -> str:
    """The index pip uses when nothing else is configured, asked of that pip."""
    python = pip_command[0] if pip_command[1:3] == ["-m", "pip"] else sys.executable
    result = subprocess.run([python, "-c", "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return result.stdout.strip()


def configured_locations(pip_command: list[str]) -> IndexLocations:
    settings = _pip_settings(pip_command)
    if settings.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        primary: list[str] = []
    else:
        primary = [settings.get("index-url") or _pip_default_index(pip_command)]
    extra = shlex.split(settings.get("extra-index-url", ""))
    find_links = shlex.split(settings.get("find-links", ""))
    return IndexLocations(tuple(url for url in primary + extra if url), tuple(find_links))


class _LinkParser(html.parser.HTMLParser):
    """The anchors of a PEP 503 project page or a find-links page."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            attributes = dict(attrs)
            if attributes.get("href"):
                self.links.append((attributes["href"], attributes))


def _open(url: str, accept: str = ""):
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    return urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS)


def _files_from_html(page_url: str, text: str) -> list[IndexFile]:
    parser = _LinkParser()
    parser.feed(text)
    files = []
    for href, attributes in parser.links:
        url, _, fragment = urllib.parse.urljoin(page_url, href).partition("#")
        digest = fragment[len("sha256="):] if fragment.startswith("sha256=") else ""
        filename = urllib.parse.unquote(url.rstrip("/").rsplit("/", 1)[-1])
        files.append(IndexFile(filename, url, digest, yanked="data-yanked" in attributes))
    return files


def _files_from_json(page_url: str, data: dict) -> list[IndexFile]:
    return [IndexFile(entry["filename"], urllib.parse.urljoin(page_url, entry["url"]),
                      entry.get("hashes", {}).get("sha256", ""), bool(entry.get("yanked")))
            for entry in data.get("files", [])]


def project_files(index_url: str, name: str) -> list[IndexFile]:
    """Every file the index lists for a project; [] when it has no such project."""
    page = index_url.rstrip("/") + "/" + normalized_name(name) + "/"
    if page.startswith("file:"):
        path = Path(urllib.parse.unquote(urllib.parse.urlparse(page).path))
        index_html = path / "index.html"
        if not index_html.is_file():
            return []
        return _files_from_html(page, index_html.read_text(errors="replace"))
    try:
        with _open(page, f"{JSON_API}, text/html;q=0.1") as response:
            body = response.read().decode("utf-8", "replace")
            kind = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise SlitherError(f"package index {index_url}: {name}: HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        raise SlitherError(f"package index {index_url} unreachable ({getattr(error, 'reason', error)}); "
                           "check `pip config list` and the network") from None
    if "json" in kind:
        return _files_from_json(page, json.loads(body))
    return _files_from_html(page, body)


def find_links_files(location: str) -> list[IndexFile]:
    """Files in a find-links directory (or file: URL of one); pages of links over HTTP too."""
    if "://" not in location or location.startswith("file:"):
        directory = Path(urllib.parse.unquote(urllib.parse.urlparse(location).path) if "://" in location else location)
        if not directory.is_dir():
            return []
        return [IndexFile(path.name, path.as_uri(), "") for path in sorted(directory.iterdir()) if path.is_file()]
    try:
        with _open(location) as response:
            return _files_from_html(location, response.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError):
        return []


def release_files(name: str, locations: IndexLocations) -> list[IndexFile]:
    found: list[IndexFile] = []
    for location in locations.find_links:
        found.extend(find_links_files(location))
    for index in locations.indexes:
        found.extend(project_files(index, name))
    return found


def release_version(filename: str, name: str) -> str | None:
    """The version in `name-version.tar.gz` or `name-version-tags.whl`, else None."""
    stem_name = normalized_name(name)
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        return parts[1] if len(parts) >= 5 and normalized_name(parts[0]) == stem_name else None
    for suffix in SDIST_SUFFIXES:
        if filename.endswith(suffix):
            base = filename[: -len(suffix)]
            project, _, version = base.rpartition("-")
            return version if normalized_name(project) == stem_name else None
    return None


def is_sdist(filename: str) -> bool:
    return filename.endswith(SDIST_SUFFIXES)


def is_pure_python_wheel(filename: str) -> bool:
    """A wheel any interpreter and platform can use: `...-none-any.whl`."""
    return filename.endswith("-none-any.whl")


def choose(files: Iterable[IndexFile], name: str, version: str, kind: str,
           filename: str = "") -> IndexFile | None:
    """The file of `name==version` of this kind ("sdist", "pure-wheel"), or the exact filename."""
    candidates = []
    for entry in files:
        if filename:
            if entry.filename == filename:
                candidates.append(entry)
            continue
        if entry.yanked or release_version(entry.filename, name) != version:
            continue
        if (kind == "sdist" and is_sdist(entry.filename)) or (kind == "pure-wheel" and is_pure_python_wheel(entry.filename)):
            candidates.append(entry)
    # An index's own hash beats a bare find-links file; .tar.gz before .zip.
    candidates.sort(key=lambda entry: (not entry.sha256, not entry.filename.endswith(".tar.gz"), entry.filename))
    return candidates[0] if candidates else None


def _partial_path(directory: Path, filename: str) -> Path:
    return directory / f"{PARTIAL_PREFIX}{os.getpid()}-{filename}"


def remove_abandoned_partials(directory: Path) -> None:
    """Partial downloads whose writer is gone (killed mid-transfer) are deleted, never resumed."""
    if not directory.is_dir():
        return
    for path in directory.glob(f"{PARTIAL_PREFIX}*"):
        pid = path.name[len(PARTIAL_PREFIX):].split("-", 1)[0]
        alive = pid.isdigit() and Path(f"/proc/{pid}").exists() and int(pid) != os.getpid()
        if not alive:
            path.unlink(missing_ok=True)


def _human(count: int) -> str:
    return f"{count / 1048576:.1f} MiB" if count >= 1048576 else f"{count / 1024:.0f} KiB"


def download(entry: IndexFile, destination: Path, expected_sha256: str, log: Callable[[str], None],
             progress_interval: float | None = None) -> Path:
    """Stream `entry` to destination/<filename>, verified against expected_sha256 (or, when that
    is empty, the index's own hash); nothing is left under the final name unless it verified."""
    destination.mkdir(parents=True, exist_ok=True)
    remove_abandoned_partials(destination)
    partial = _partial_path(destination, entry.filename)
    final = destination / entry.filename
    want = expected_sha256 or entry.sha256
    progress_interval = PROGRESS_INTERVAL_SECONDS if progress_interval is None else progress_interval
    started = last_report = time.monotonic()
    received = 0
    try:
        with _open(entry.url) as response, open(partial, "wb") as stream:
            total = int(response.headers.get("Content-Length") or 0)
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                stream.write(chunk)
                received += len(chunk)
                now = time.monotonic()
                if now - last_report >= progress_interval:
                    last_report = now
                    share = f" of {_human(total)}" if total else ""
                    log(f"    {entry.filename}: {_human(received)}{share}, {now - started:.0f} s")
        digest = sha256_of(partial)
        if entry.sha256 and digest != entry.sha256:
            raise SlitherError(f"{entry.filename}: sha256 mismatch (the index lists {entry.sha256}, got "
                               f"{digest}); nothing was kept: the transfer or the mirror is corrupt")
        if want and digest != want:
            raise SlitherError(f"{entry.filename}: sha256 mismatch (expected {want}, got {digest}); "
                               "nothing was kept: the index serves other bytes than the pinned release")
        durable_replace(partial, final)
        return final
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise DownloadUnavailable(f"download of {entry.filename} failed ({getattr(error, 'reason', error)}); "
                                  "nothing was kept") from None
    finally:
        partial.unlink(missing_ok=True)
