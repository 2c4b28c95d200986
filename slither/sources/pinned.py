"""Obtain pinned source files: local SOURCES dirs, the download store, URLs, pip, then apt.

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
from slither.files import sha256_of, verify
from slither.plan.recipe import Source

DOWNLOAD_TIMEOUT_SECONDS = 60


def stored_path(store: Path, source: Source) -> Path:
    return Path(store) / source.sha256 / source.filename


def _adopt(candidate: Path, source: Source, store: Path) -> Path:
    """Verify a freshly obtained file, then move it atomically into the store."""
    verify(candidate, source.sha256)
    final = stored_path(store, source)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(candidate, final)
    return final


def _download_url(url: str, source: Source, store: Path, log: Callable[[str], None]) -> Path | None:
    workdir = Path(store) / source.sha256
    workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=workdir, prefix=".part-", delete=False) as partial:
        try:
            log(f"download {url}")
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
                shutil.copyfileobj(response, partial)
        except (urllib.error.URLError, OSError, ValueError) as error:
            log(f"  unavailable: {getattr(error, 'reason', error)}")
            os.unlink(partial.name)
            return None
    try:
        return _adopt(Path(partial.name), source, store)
    except SlitherError:
        os.unlink(partial.name)
        raise


def default_pip_command() -> list[str]:
    """pip of the interpreter running Slither: fetching needs no host interpreter yet."""
    return [sys.executable, "-m", "pip"]


def pip_download_arguments(source: Source, requirements_file: Path, destination: Path) -> list[str]:
    """`pip download` options that fetch exactly the pinned file and nothing it depends on."""
    requirement = source.pip
    assert requirement is not None
    arguments = ["download", "--no-deps", "--disable-pip-version-check", "--progress-bar", "off",
                 "--require-hashes", "-r", str(requirements_file), "-d", str(destination)]
    if requirement.kind == "sdist":
        # Per name, not :all:, or pip would build the package's build backend from source too.
        arguments += ["--no-binary", requirement.name]
    else:
        arguments += ["--only-binary", ":all:"]
        if requirement.python_version:
            arguments += ["--python-version", requirement.python_version]
        for platform in wheel_platform_tags(source.filename):
            # The pinned file's own platform, not this machine's: a musllinux build tool is
            # fetched on a glibc machine (pip would otherwise look for a manylinux wheel only).
            arguments += ["--platform", platform]
    return arguments


def wheel_platform_tags(filename: str) -> list[str]:
    """The platform tags a wheel's name declares (`...-py3-none-musllinux_1_1_x86_64.whl`);
    none for a pure-Python (`any`) wheel."""
    platforms = filename.removesuffix(".whl").split("-")[-1].split(".")
    return [] if platforms == ["any"] else platforms


def _download_pip(source: Source, store: Path, log: Callable[[str], None],
                  pip_command: list[str]) -> Path | None:
    """Let pip fetch the pinned file; pip checks the hash (hash-checking mode) and so do we."""
    requirement = source.pip
    if requirement is None:
        return None
    with tempfile.TemporaryDirectory(dir=store, prefix=".pip-") as workdir:
        requirements_file = Path(workdir) / "requirement.txt"
        requirements_file.write_text(
            f"{requirement.name}=={requirement.version} --hash=sha256:{source.sha256}\n")
        destination = Path(workdir) / "files"
        log(f"pip download {requirement.name}=={requirement.version} ({requirement.kind})")
        result = subprocess.run([*pip_command, *pip_download_arguments(source, requirements_file, destination)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        fetched = destination / source.filename
        if result.returncode != 0 or not fetched.is_file():
            got = sorted(p.name for p in destination.glob("*")) if destination.is_dir() else []
            last = (result.stdout.strip().splitlines() or ["no output"])[-1]
            log(f"  unavailable: {last}" + (f" (pip fetched {', '.join(got)})" if got else ""))
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
            if result.returncode != 0 or not originals:
                last = (result.stdout.strip().splitlines() or ["no output"])[-1]
                log(f"  unavailable: {last}")
                continue
            return _adopt(Path(originals[0]), source, store)
    return None


def obtain(source: Source, *, search_dirs: Iterable[Path], store: Path, upstream_version: str = "",
           log: Callable[[str], None] = lambda message: None,
           pip_command: list[str] | None = None) -> Path:
    """Return a verified local path of the source file, fetching it if it is nowhere yet."""
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
    fetched = _download_pip(source, store, log, pip_command or default_pip_command())
    if fetched:
        return fetched
    fetched = _download_debian(source, upstream_version, store, log)
    if fetched:
        return fetched
    where = ", ".join(list(source.urls)
                      + ([f"pip download {source.pip.name}=={source.pip.version}"] if source.pip else [])
                      + ([f"apt-get source {source.debian.package}"] if source.debian else []))
    remedy = ("check that pip reaches the package index (pip config list)" if source.pip
              else "run ./bootstrap (it enables Debian source packages)")
    raise SlitherError(
        f"cannot obtain {source.filename} (sha256 {source.sha256}) from {where}: "
        f"{remedy} or put the file in a directory given as SOURCES=dir")
