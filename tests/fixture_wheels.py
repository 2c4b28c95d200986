"""Tiny real wheels and sdists, made on the spot for tests that must not fetch anything.

A wheel is a zip of the package's files and a .dist-info directory (PEP 427); an sdist a
tar.gz with pyproject.toml. Both are written deterministically so a test can pin their sha256."""

import hashlib
import io
import tarfile
import zipfile
from pathlib import Path


def make_wheel(directory: Path, name: str, version: str, files: dict[str, str] | None = None,
               requires: list[str] = ()) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    module = name.replace("-", "_")
    files = files or {f"{module}/__init__.py": f"VERSION = {version!r}\n"}
    dist_info = f"{module}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {requirement}\n" for requirement in requires)
    entries = {**files, f"{dist_info}/METADATA": metadata,
               f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(f"{path},sha256={hashlib.sha256(text.encode()).hexdigest()},{len(text.encode())}\n"
                     for path, text in entries.items()) + f"{dist_info}/RECORD,,\n"
    entries[f"{dist_info}/RECORD"] = record
    path = directory / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in sorted(entries.items()):
            info = zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, text)
    return path


def make_sdist(directory: Path, name: str, version: str, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-{version}/{member}")
            info.size, info.mtime = len(data), 1577836800
            archive.addfile(info, io.BytesIO(data))
    return path


def simple_index(root: Path, wheels: list[Path]) -> str:
    """A PEP 503 file: index of the wheels; returns its URL."""
    for wheel in wheels:
        project = wheel.name.split("-")[0].replace("_", "-").lower()
        page = root / project
        page.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        (page / "index.html").write_text(
            (page / "index.html").read_text() if (page / "index.html").exists() else "")
        with open(page / "index.html", "a") as stream:
            stream.write(f'<a href="{wheel.resolve().as_uri()}#sha256={digest}">{wheel.name}</a><br>\n')
    root.mkdir(parents=True, exist_ok=True)
    return root.resolve().as_uri()
