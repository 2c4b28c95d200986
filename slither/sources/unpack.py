"""Unpack a verified tarball, refusing any member that would land outside the destination."""

from __future__ import annotations

import posixpath
import tarfile
from pathlib import Path

from slither.errors import SlitherError


def unsafe_reason(member: tarfile.TarInfo) -> str | None:
    """Why a member must not be extracted, or None when it stays inside the tree."""
    name = member.name
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    parts = name.split("/")
    if ".." in parts:
        return "'..' in path"
    if member.isdev():
        return "device file"
    if member.issym() or member.islnk():
        target = member.linkname
        if target.startswith("/"):
            return f"link to absolute path {target}"
        base = posixpath.dirname(name) if member.issym() else ""
        resolved = posixpath.normpath(posixpath.join(base, target))
        if resolved == ".." or resolved.startswith("../"):
            return f"link escaping the tree ({target})"
    return None


def safe_extract(archive: Path, destination: Path, strip_components: int = 0) -> None:
    """Extract every member of ``archive`` below ``destination``, or nothing at all."""
    destination = Path(destination)
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for member in members:
            reason = unsafe_reason(member)
            if reason:
                raise SlitherError(f"{archive}: refusing to unpack member {member.name!r}: {reason}")
        if strip_components:
            kept = []
            for member in members:
                parts = member.name.split("/")[strip_components:]
                if not parts or parts == [""]:
                    continue
                member.name = "/".join(parts)
                if member.islnk():
                    member.linkname = "/".join(member.linkname.split("/")[strip_components:])
                kept.append(member)
            members = kept
        destination.mkdir(parents=True, exist_ok=True)
        extract_options = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        try:
            tar.extractall(destination, members=members, **extract_options)
        except tarfile.FilterError as error:  # defence in depth: our own checks should catch it first
            raise SlitherError(f"{archive}: refusing to unpack: {error}") from None
