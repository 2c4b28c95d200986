"""Whose cache entries and locks a build uses: its own user's, and those of the groups it names.

A cache entry's `.sha256` sidecar proves the entry is whole, not who wrote it: anyone who can
write to a shared CACHE_DIR could replace an entry and its sidecar together. What a non-root
user cannot forge is a file's owner. So an entry (and its sidecar) is used only when it is owned
by this user, or by a user in one of the groups named in CACHE_TRUST (the site's build account's
group, say); otherwise it is rebuilt, with one line saying why. A lock file in the download store
(the sha256 a package without a recipe was locked to) is refused the same way, in one line. A
pinned source needs no such trust: its sha256 comes from the checkout. (docs/cache.md.)

The build's own processes learn the groups from SLITHER_CACHE_TRUST, which SConstruct sets from
the CACHE_TRUST variable after checking each group exists.
"""

from __future__ import annotations

import grp
import os
import pwd
from functools import lru_cache
from pathlib import Path

from slither.errors import SlitherError

ENVIRONMENT_VARIABLE = "SLITHER_CACHE_TRUST"


def parse_trusted_groups(text: str) -> tuple[str, ...]:
    """CACHE_TRUST=group,group: each must exist on this machine (one line if not)."""
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    for name in names:
        try:
            grp.getgrnam(name)
        except KeyError:
            raise SlitherError(f"CACHE_TRUST: there is no group {name!r} on this machine "
                               "(`getent group NAME`)") from None
    return names


def trusted_groups_from_environment() -> tuple[str, ...]:
    return tuple(name for name in os.environ.get(ENVIRONMENT_VARIABLE, "").split(",") if name)


@lru_cache(maxsize=None)
def members_of(group_name: str) -> frozenset[int]:
    """The uids of a group's members: those listed in it, and those whose primary group it is."""
    try:
        group = grp.getgrnam(group_name)
    except KeyError:
        return frozenset()
    uids = set()
    for name in group.gr_mem:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            continue
    uids.update(entry.pw_uid for entry in pwd.getpwall() if entry.pw_gid == group.gr_gid)
    return frozenset(uids)


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def untrusted_writer(path: Path, groups: tuple[str, ...] | None = None) -> str | None:
    """Why `path` must not be trusted (who wrote it), or None when this user or a trusted
    group's member owns it. A missing file is for the caller to handle: None."""
    try:
        owner = os.stat(path).st_uid
    except FileNotFoundError:
        return None
    if owner == os.getuid():
        return None
    groups = trusted_groups_from_environment() if groups is None else groups
    if any(owner in members_of(group) for group in groups):
        return None
    trusted = f" nor a member of {', '.join(groups)}" if groups else ""
    return f"written by {user_name(owner)}, who is not you{trusted} (CACHE_TRUST names the groups whose entries you use)"
