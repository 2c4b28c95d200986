"""Unpack a verified tarball or zip archive: all of it inside the destination, or nothing.

Every member is checked before anything is written, against the tree the archive describes after
stripping (not against the disk, and without relying on tarfile's extraction filters, which the
host interpreter that runs the freezer, CPython 3.11.2, does not have):

* its name is relative, has no "..", and no earlier member that is a link lies on its path
  (`x -> .`, then `x/y -> ..`, would otherwise write through the first link);
* a symbolic link's target, resolved through the archive's own earlier links, stays inside;
* a hard link names a regular file the archive has already given;
* devices and FIFOs are refused; permissions keep only the rwx bits (no setuid, no foreign owner).

The members are written by this module into a fresh directory beside the destination, which is
renamed into place once all of them are there: a refused or failed unpack leaves the destination
as it was, and nothing half-written.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from slither.errors import SlitherError

FILE, DIRECTORY, SYMLINK, HARDLINK, SPECIAL = "file", "directory", "symlink", "hardlink", "special"
MAX_LINK_DEPTH = 40  # as the kernel's ELOOP limit


@dataclass
class Member:
    """One archive entry, whichever the archive format: what to write and where (after stripping)."""
    name: str             # the path inside the destination, "/"-separated
    kind: str
    mode: int
    mtime: float
    link_target: str = ""  # symlink: as stored; hardlink: the member path it names (stripped)
    source: object = None  # the tarfile.TarInfo or zipfile.ZipInfo to read a file's bytes from


def unsafe_name(name: str) -> str | None:
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    if ".." in name.split("/"):
        return "'..' in path"
    return None


def unsafe_reason(member: tarfile.TarInfo) -> str | None:
    """Why a tar member alone must not be extracted (name, kind and link target by themselves);
    safe_extract also checks each member against the links before it."""
    reason = unsafe_name(member.name)
    if reason:
        return reason
    if member.isdev() or member.isfifo():
        return "device file"
    if member.issym() or member.islnk():
        target = member.linkname
        if target.startswith("/"):
            return f"link to absolute path {target}"
        base = posixpath.dirname(member.name) if member.issym() else ""
        resolved = posixpath.normpath(posixpath.join(base, target))
        if resolved == ".." or resolved.startswith("../"):
            return f"link escaping the tree ({target})"
    return None


def strip(name: str, components: int) -> str:
    parts = [part for part in name.split("/") if part not in ("", ".")]
    return "/".join(parts[components:])


def tar_members(tar: tarfile.TarFile, components: int) -> list[Member]:
    members = []
    for info in tar.getmembers():
        reason = unsafe_name(info.name)
        if reason:
            raise Refused(info.name, reason)
        name = strip(info.name, components)
        if not name:
            continue
        if info.isdir():
            kind = DIRECTORY
        elif info.isreg():
            kind = FILE
        elif info.issym():
            kind = SYMLINK
        elif info.islnk():
            kind = HARDLINK
        else:
            kind = SPECIAL
        target = info.linkname
        if kind == HARDLINK:
            if unsafe_name(target):
                raise Refused(info.name, f"link escaping the tree ({target})")
            target = strip(target, components)
        members.append(Member(name, kind, info.mode, info.mtime, target, info))
    return members


def zip_members(archive: zipfile.ZipFile, components: int) -> list[Member]:
    members = []
    for info in archive.infolist():
        reason = unsafe_name(info.filename.replace("\\", "/"))
        if reason:
            raise Refused(info.filename, reason)
        name = strip(info.filename, components)
        if not name:
            continue
        unix_mode = info.external_attr >> 16
        if info.is_dir():
            kind = DIRECTORY
        elif stat.S_ISLNK(unix_mode):
            kind = SYMLINK
        elif stat.S_IFMT(unix_mode) and not stat.S_ISREG(unix_mode):
            kind = SPECIAL
        else:
            kind = FILE
        mode = stat.S_IMODE(unix_mode) or (0o755 if kind == DIRECTORY else 0o644)
        mtime = time.mktime((*info.date_time, 0, 0, -1))
        target = archive.read(info).decode("utf-8", "surrogateescape") if kind == SYMLINK else ""
        members.append(Member(name, kind, mode, mtime, target, info))
    return members


class Refused(Exception):
    def __init__(self, name: str, reason: str):
        super().__init__(f"refusing to unpack member {name!r}: {reason}")


def resolve_inside(path: str, links: dict[str, str], depth: int = 0) -> str | None:
    """`path` (relative to the tree's root) with every archive link on it followed, normalised;
    None when it leaves the tree or the links loop."""
    if depth > MAX_LINK_DEPTH:
        return None
    resolved: list[str] = []
    parts = [part for part in path.split("/") if part not in ("", ".")]
    for index, part in enumerate(parts):
        if part == "..":
            if not resolved:
                return None
            resolved.pop()
            continue
        candidate = "/".join([*resolved, part])
        if candidate in links:
            target = links[candidate]
            if target.startswith("/"):
                return None
            joined = posixpath.join("/".join(resolved), target, *parts[index + 1:])
            return resolve_inside(joined, links, depth + 1)
        resolved.append(part)
    return "/".join(resolved)


def check(members: list[Member]) -> None:
    """Every member against the tree the earlier members make, before anything is written."""
    links: dict[str, str] = {}
    files: set[str] = set()
    for member in members:
        if member.kind == SPECIAL:
            raise Refused(member.name, "device file")
        parent = posixpath.dirname(member.name)
        # A member's directories must be real directories of the archive, never one of its links:
        # writing through a link is how `x -> .` then `x/y -> ..` escapes.
        walked = ""
        for part in parent.split("/") if parent else []:
            walked = f"{walked}/{part}" if walked else part
            if walked in links:
                raise Refused(member.name, f"below the link {walked}")
        if member.kind == SYMLINK:
            target = member.link_target
            if target.startswith("/"):
                raise Refused(member.name, f"link to absolute path {target}")
            if resolve_inside(posixpath.join(parent, target), links) is None:
                raise Refused(member.name, f"link escaping the tree ({target})")
            links[member.name] = target
            files.discard(member.name)
        elif member.kind == HARDLINK:
            if member.link_target not in files:
                raise Refused(member.name, f"link escaping the tree ({member.link_target}: not a file "
                                           "given earlier in the archive)")
            files.add(member.name)
            links.pop(member.name, None)
        else:
            if member.name in links:
                raise Refused(member.name, f"replaces the link {member.name}")
            if member.kind == FILE:
                files.add(member.name)


def write_members(members: list[Member], root: Path, read) -> None:
    """Write the checked members below root (a new, empty directory) with plain file operations."""
    directories = []
    for member in members:
        path = root / member.name
        if member.kind == DIRECTORY:
            path.mkdir(parents=True, exist_ok=True)
            directories.append(member)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink() or path.is_file():
            path.unlink()
        if member.kind == SYMLINK:
            os.symlink(member.link_target, path)
            continue
        if member.kind == HARDLINK:
            os.link(root / member.link_target, path)
            continue
        with read(member) as stream, open(path, "wb") as output:
            shutil.copyfileobj(stream, output)
        # rwx only, and the owner can always read and write: no setuid/setgid/sticky bit.
        os.chmod(path, (stat.S_IMODE(member.mode) & 0o777) | 0o600)
        os.utime(path, (member.mtime, member.mtime))
    # Directories last and deepest first, so that writing into them does not change their times.
    for member in sorted(directories, key=lambda member: member.name.count("/"), reverse=True):
        path = root / member.name
        os.chmod(path, (stat.S_IMODE(member.mode) & 0o777) | 0o700)
        os.utime(path, (member.mtime, member.mtime))


def move_into_place(unpacked: Path, destination: Path) -> None:
    """The unpacked tree becomes the destination: renamed whole when there is none yet, else each
    top-level entry renamed in (replacing one of the same name)."""
    if not destination.exists():
        os.rename(unpacked, destination)
        return
    for entry in sorted(unpacked.iterdir()):
        target = destination / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        os.rename(entry, target)
    unpacked.rmdir()


def safe_extract(archive: Path, destination: Path, strip_components: int = 0) -> None:
    """Extract every member of ``archive`` (a tarball, any compression, or a zip) below
    ``destination``, or nothing at all."""
    archive, destination = Path(archive), Path(destination)
    try:
        if zipfile.is_zipfile(archive):
            opened = zipfile.ZipFile(archive)
            members = zip_members(opened, strip_components)
            read = lambda member: opened.open(member.source)  # noqa: E731
        else:
            opened = tarfile.open(archive)
            members = tar_members(opened, strip_components)
            read = lambda member: opened.extractfile(member.source)  # noqa: E731
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as error:
        first_line = (str(error).splitlines() or [type(error).__name__])[0].rstrip(":")
        raise SlitherError(f"{archive}: not a readable tar or zip archive ({first_line})") from None
    except Refused as refused:
        raise SlitherError(f"{archive}: {refused}") from None
    with opened:
        try:
            check(members)
        except Refused as refused:
            raise SlitherError(f"{archive}: {refused}") from None
        destination.parent.mkdir(parents=True, exist_ok=True)
        unpacked = Path(tempfile.mkdtemp(prefix=f".{destination.name}.unpacking-", dir=destination.parent))
        os.chmod(unpacked, 0o755)  # mkdtemp's 0700 would become the destination's own mode
        try:
            write_members(members, unpacked, read)
        except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError) as error:
            shutil.rmtree(unpacked, ignore_errors=True)
            raise SlitherError(f"{archive}: unpacking failed ({error}); nothing was put in {destination}") from None
        try:
            move_into_place(unpacked, destination)
        except OSError as error:
            raise SlitherError(f"{archive}: moving the unpacked tree into {destination} failed ({error})") from None
        finally:
            shutil.rmtree(unpacked, ignore_errors=True)
