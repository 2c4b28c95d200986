"""What makes two builds of the same inputs byte-identical: fixed time, sorted archives."""

from __future__ import annotations

import os
import tarfile
import tempfile
from pathlib import Path

# Every timestamp a build embeds (gcc's __DATE__, archive members) is this one.
SOURCE_DATE_EPOCH = 1672531200  # 2023-01-01T00:00:00Z

# Where build trees claim to live in everything we ship: the real path varies by checkout.
CANONICAL_BUILD_ROOT = "/usr/src/slither"


def reproducible_environment(environment: dict) -> dict:
    result = dict(environment)
    result["SOURCE_DATE_EPOCH"] = str(SOURCE_DATE_EPOCH)
    result["ZERO_AR_DATE"] = "1"
    result["LC_ALL"] = "C"
    result["TZ"] = "UTC"
    return result


def _normalize(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mtime = SOURCE_DATE_EPOCH
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_tar_deterministically(root: Path, output: Path) -> None:
    """Archive the tree below ``root`` with sorted names and fixed metadata, atomically."""
    root = Path(root)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            paths.append(Path(directory) / name)
    paths.sort(key=lambda p: p.relative_to(root).as_posix())
    with tempfile.NamedTemporaryFile(dir=output.parent, prefix=f".{output.name}.", delete=False) as tmp:
        try:
            with tarfile.open(fileobj=tmp, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for path in paths:
                    tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False,
                            filter=_normalize)
        except BaseException:
            os.unlink(tmp.name)
            raise
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, output)


def replace_in_text_files(root: Path, old: str, new: str) -> list[Path]:
    """Rewrite ``old`` to ``new`` in every text file below root; binaries are left alone."""
    old_bytes, new_bytes = old.encode(), new.encode()
    changed = []
    for directory, _, filenames in os.walk(root):
        for name in filenames:
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file():
                continue
            data = path.read_bytes()
            if old_bytes in data and b"\0" not in data:
                path.write_bytes(data.replace(old_bytes, new_bytes))
                changed.append(path)
    return changed
