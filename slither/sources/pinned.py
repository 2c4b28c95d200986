"""Obtain pinned source files: local SOURCES dirs, the download store, URLs, the package index, then apt.

Every file is verified against its pinned sha256 before anyone may use it. Downloads are
written under a temporary name, verified, and only then renamed into the content-addressed
store (``<store>/<sha256>/<filename>``), so an interrupted or tampered download is never
trusted by a later build and no build downloads the same file twice.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterable

from slither.errors import SlitherError
from slither.files import durable_replace, verify
from slither.recipes import Source
from slither.sources import package_index

DOWNLOAD_TIMEOUT_SECONDS = 60


def stored_path(store: Path, source: Source) -> Path:
    return Path(store) / source.sha256 / source.filename


def _adopt(candidate: Path, source: Source, store: Path) -> Path:
    """Verify a freshly obtained file, then move it atomically into the store."""
    verify(candidate, source.sha256)
    final = stored_path(store, source)
    final.parent.mkdir(parents=True, exist_ok=True)
    durable_replace(candidate, final)
    return final


def _download_url(url: str, source: Source, store: Path, log: Callable[[str], None]) -> Path | None:
    log(f"download {url}")
    entry = package_index.IndexFile(source.filename, url, "")
    try:
        fetched = package_index.download(entry, Path(store) / source.sha256, source.sha256, log)
    except package_index.DownloadUnavailable as error:
        log(f"  unavailable: {error}")
        return None
    return _adopt(fetched, source, store)


def default_pip_command() -> list[str]:
    """pip of the interpreter running Slither: fetching needs no host interpreter yet."""
    return [sys.executable, "-m", "pip"]


_configured: dict[tuple[str, ...], package_index.IndexLocations] = {}


def default_index() -> package_index.IndexLocations:
    """Where pip is configured to find packages (asked once per process)."""
    key = tuple(default_pip_command())
    if key not in _configured:
        _configured[key] = package_index.configured_locations(list(key))
    return _configured[key]


def _download_index(source: Source, store: Path, log: Callable[[str], None],
                    index: package_index.IndexLocations) -> Path | None:
    """The pinned file, fetched from the package index as a file (an sdist is never built to
    fetch it, as `pip download` would), verified against the pin before it enters the store."""
    requirement = source.pip
    if requirement is None:
        return None
    log(f"fetch {source.filename} from the package index ({requirement.name}=={requirement.version})")
    # An unreachable index is one more place the file is not: obtain() then names the file, its
    # pin and SOURCES in its one line, which "index unreachable" alone would not. A file that is
    # not the pinned one still stops the build (download's and _adopt's sha256 checks).
    try:
        listed = package_index.release_files(requirement.name, index)
    except SlitherError as error:
        log(f"  unavailable: {error}")
        return None
    entry = package_index.choose(listed, requirement.name, requirement.version, requirement.kind,
                                 filename=source.filename)
    if entry is None:
        log(f"  unavailable: the package index lists no {source.filename}")
        return None
    try:
        fetched = package_index.download(entry, Path(store) / source.sha256, source.sha256, log)
    except package_index.DownloadUnavailable as error:
        log(f"  unavailable: {error}")
        return None
    return _adopt(fetched, source, store)


def debian_orig_glob(package: str, upstream_version: str) -> str:
    return f"{package}_{upstream_version}.orig.tar.*"


def _download_debian(source: Source, upstream_version: str, store: Path,
                     log: Callable[[str], None]) -> Path | None:
    debian = source.debian
    if debian is None or shutil.which("apt-get") is None:
        return None
    for spec in [f"{debian.package}={v}" for v in debian.versions] + [debian.package]:
        with tempfile.TemporaryDirectory(dir=store, prefix=".apt-") as workdir:
            log(f"apt-get source --download-only {spec}")
            result = subprocess.run(["apt-get", "source", "--download-only", spec], cwd=workdir,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            originals = [p for p in glob.glob(os.path.join(workdir, debian_orig_glob(
                debian.package, upstream_version))) if not p.endswith(".asc")]
            if not originals:
                last = (result.stdout.strip().splitlines() or ["no output"])[-1]
                log(f"  unavailable: {last}")
                continue
            # The .orig is all a build takes: an archive whose index names a source package it
            # lacks the .dsc or debian.tar of (trixie's netcdf) still hands it over whole (apt
            # renames a file into place only once it is complete; its sha256 is checked anyway).
            if result.returncode != 0:
                log(f"  apt-get failed on the rest of the source package; its {Path(originals[0]).name} arrived")
            return _adopt(Path(originals[0]), source, store)
    return None


def obtain(source: Source, *, search_dirs: Iterable[Path], store: Path, upstream_version: str = "",
           log: Callable[[str], None] = lambda message: None,
           index: package_index.IndexLocations | None = None) -> Path:
    """Return a verified local path of the source file, fetching it if it is nowhere yet."""
    search_dirs = [Path(directory) for directory in search_dirs]
    for directory in search_dirs:
        candidate = Path(directory) / source.filename
        if candidate.is_file():
            verify(candidate, source.sha256)
            return candidate
    cached = stored_path(store, source)
    if cached.is_file():
        verify(cached, source.sha256)
        return cached
    Path(store).mkdir(parents=True, exist_ok=True)
    for url in source.urls:
        fetched = _download_url(url, source, store, log)
        if fetched:
            return fetched
    fetched = _download_index(source, store, log, index or default_index()) if source.pip else None
    if fetched:
        return fetched
    fetched = _download_debian(source, upstream_version, store, log)
    if fetched:
        return fetched
    raise SlitherError(missing_message(source, search_dirs))


def missing_message(source: Source, search_dirs: list[Path]) -> str:
    """One line: which file, its pin, where it was looked for, and where a user can get it."""
    ways = [f"download {url}" for url in source.urls]
    if source.pip:
        ways.append(f"fetch it from the package index ({source.pip.name}=={source.pip.version}; "
                    "pip config list shows which)")
    if source.debian:
        ways.append(f"run `apt-get source --download-only {source.debian.package}` on a Debian machine "
                    "with source packages enabled (./bootstrap as root enables them)")
    looked = (f"it is not in SOURCES ({':'.join(str(d) for d in search_dirs)})" if search_dirs
              else "no SOURCES directory was given")
    get = " or ".join(ways) if ways else "obtain the pinned release"
    return (f"cannot obtain {source.filename} (sha256 {source.sha256}): {looked} and fetching it failed; "
            f"{get}, then put the file in a directory given as SOURCES=dir")
