"""Tiny real wheels and sdists, made on the spot for tests that must not fetch anything.

A wheel is a zip of the package's files and a .dist-info directory (PEP 427); an sdist a
tar.gz with pyproject.toml. Both are written deterministically so a test can pin their sha256.
wheel_of_installed() turns a distribution installed in the interpreter running the tests (pip,
setuptools) back into its wheel, for offline build prefixes made of real build tools."""

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


def wheel_of_installed(directory: Path, distribution: str) -> Path:
    """The wheel of a distribution installed in the interpreter running the tests, rebuilt from
    its RECORD: the files under site-packages with their modes (cmake's and ninja's programs stay
    executable), the installed WHEEL file and its first tag (Cython's and cmake's are for this
    interpreter and platform), programs installed into bin/ that are no console script (ninja)
    as the wheel's scripts; console scripts (pip makes them again), byte code and the installer's
    own files left out; a fresh RECORD."""
    import importlib.metadata
    import os
    found = importlib.metadata.distribution(distribution)
    name, version = found.metadata["Name"], found.version
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    console_scripts = {entry.name for entry in found.entry_points if entry.group in ("console_scripts", "gui_scripts")}
    entries: dict[str, tuple[bytes, int]] = {}
    for file in found.files or ():
        member = file.as_posix()
        if "__pycache__" in member or member.endswith((".pyc", "/RECORD", "/INSTALLER", "/direct_url.json", "/REQUESTED")):
            continue
        if member.startswith("../../../bin/"):
            program = member.rsplit("/", 1)[1]
            if program in console_scripts:
                continue
            target = f"{module}-{version}.data/scripts/{program}"
        elif member.startswith(".."):
            continue  # man pages and other data outside the prefix's bin/: not needed to build
        elif member.split("/", 1)[0].endswith(".dist-info"):
            target = f"{dist_info}/{member.split('/', 1)[1]}"
        else:
            target = member
        located = Path(file.locate())
        entries[target] = (located.read_bytes(), os.stat(located).st_mode & 0o777)
    entries.setdefault(f"{dist_info}/WHEEL",
                       (b"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n", 0o644))
    tags = [line.split(":", 1)[1].strip() for line in entries[f"{dist_info}/WHEEL"][0].decode().splitlines()
            if line.startswith("Tag:")]
    record = "".join(f"{path},sha256={hashlib.sha256(data).hexdigest()},{len(data)}\n"
                     for path, (data, _) in sorted(entries.items())) + f"{dist_info}/RECORD,,\n"
    entries[f"{dist_info}/RECORD"] = (record.encode(), 0o644)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{module}-{version}-{tags[0] if tags else 'py3-none-any'}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, (data, mode) in sorted(entries.items()):
            info = zipfile.ZipInfo(member, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
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
