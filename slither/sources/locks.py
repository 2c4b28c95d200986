"""Lock files in the download store: written once, by the first build that decides them, and
read back only when every field is what a lock may hold.

Sources, build requirements and run-time requirements chosen on first use are recorded so
that every later build takes the same bytes. Builds may decide the same lock at once; the
first to record it wins and the others read it back. A lock is data from a shared directory:
a truncated, edited or planted one (a file name with a "/" in it, a sha256 that is not one) is
refused in one line that names the file and how to lock again, never trusted and never a
traceback (docs/cache.md, "What the cache trusts").
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

from slither.cache.trust import untrusted_writer
from slither.errors import SlitherError
from slither.files import fsync_directory

T = TypeVar("T")

SHA256 = re.compile(r"^[0-9a-f]{64}$")
NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+!_-]*$")
RELOCK = "delete it, and the next build locks it again from the package index"


class DamagedLock(ValueError):
    """A lock field that is not what a lock may hold."""


def write_text_once(path: Path, text: str) -> bool:
    """Write `path` unless it exists, atomically and never replacing it, on disk before its name
    appears; returns whether this call wrote it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(temporary, 0o644)
    try:
        os.link(temporary, path)  # link(2) fails if the name exists: no window, no replace
        fsync_directory(path.parent)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary)


def read_lock(path: Path, lock_format: int, parse: Callable[[dict], T]) -> T:
    """`parse` of the lock's JSON object, or one line naming the lock and how to lock again."""
    distrusted = untrusted_writer(Path(path))
    if distrusted:
        raise SlitherError(f"lock file {path} was {distrusted}; not used: remove it (or ask its owner to), "
                           "and the next build locks it again from the package index")
    try:
        data = json.loads(Path(path).read_text())
        if not isinstance(data, dict):
            raise DamagedLock("not a JSON object")
        if data.get("format") != lock_format:
            raise DamagedLock(f"format {data.get('format')!r}, not {lock_format}")
        return parse(data)
    except json.JSONDecodeError as error:
        reason = f"not JSON: {error.msg} at line {error.lineno}" if error.doc.strip() else "empty"
    except UnicodeDecodeError:
        reason = "not text"
    except KeyError as error:
        reason = f"no {error.args[0]!r}"
    except (DamagedLock, TypeError, ValueError) as error:
        reason = str(error)
    raise SlitherError(f"lock file {path} is damaged ({reason}); {RELOCK}")


def text_field(data: dict, key: str, pattern: re.Pattern, what: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not pattern.match(value):
        raise DamagedLock(f"{key} {value!r} is not {what}")
    return value


def sha256_field(data: dict, key: str = "sha256") -> str:
    return text_field(data, key, SHA256, "a sha256 (64 lower-case hex digits)")


def name_field(data: dict, key: str = "name") -> str:
    return text_field(data, key, NAME, "a package name")


def version_field(data: dict, key: str = "version") -> str:
    return text_field(data, key, VERSION, "a version")


def file_name_field(data: dict, key: str = "filename") -> str:
    """A bare file name: it is joined to the store's directory, so no "/", "..", or hidden name."""
    value = data[key]
    if (not isinstance(value, str) or not value or "/" in value or "\\" in value or "\0" in value
            or value.startswith(".")):
        raise DamagedLock(f"{key} {value!r} is not a bare file name")
    return value


def string_list_field(data: dict, key: str) -> list[str]:
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DamagedLock(f"{key} is not a list of strings")
    return value
