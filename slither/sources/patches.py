"""Patches: pinned by sha256 like sources (patches/SHA256SUMS), applied all-or-nothing.

Usage: python3 -m slither.sources.patches --update   (rewrite SHA256SUMS after editing a patch)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from slither.errors import SlitherError
from slither.recipes.loading import PROJECT_ROOT
from slither.files import atomic_write_text, sha256_of

PATCHES_DIR = PROJECT_ROOT / "patches"
SUMS_FILE = "SHA256SUMS"


def patches_for(component: str, series: str, patches_dir: Path = PATCHES_DIR) -> list[Path]:
    """The patches of e.g. ("cpython", "3.11"), in the order they apply (sorted by name)."""
    directory = Path(patches_dir) / f"{component}-{series}"
    return sorted(directory.glob("*.patch")) if directory.is_dir() else []


def read_sums(patches_dir: Path = PATCHES_DIR) -> dict[str, str]:
    sums_path = Path(patches_dir) / SUMS_FILE
    if not sums_path.is_file():
        return {}
    pinned = {}
    for line in sums_path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split(None, 1)
            pinned[name.strip()] = digest
    return pinned


def verify_patch(patch: Path, patches_dir: Path = PATCHES_DIR) -> None:
    name = Path(patch).resolve().relative_to(Path(patches_dir).resolve()).as_posix()
    expected = read_sums(patches_dir).get(name)
    actual = sha256_of(patch)
    if expected is None:
        raise SlitherError(f"{patch}: not pinned in {patches_dir}/{SUMS_FILE}; "
                           "run `python3 -m slither.sources.patches --update` if you added it on purpose")
    if expected != actual:
        raise SlitherError(f"{patch}: sha256 mismatch (expected {expected}, got {actual}); "
                           "run `python3 -m slither.sources.patches --update` if you changed it on purpose")


def apply_patch(patch: Path, tree: Path, what: str) -> None:
    """Apply one patch exactly (no fuzz), first as a dry run so a failing patch changes nothing."""
    for dry_run in (True, False):
        command = ["patch", "-p1", "--forward", "--batch", "--silent", "--fuzz=0", "-d", str(tree), "-i",
                   str(Path(patch).resolve())] + (["--dry-run"] if dry_run else [])
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            detail = " ".join(result.stdout.split())[:200]
            raise SlitherError(f"{patch} does not apply to {what}: {detail}")


def update_sums(patches_dir: Path = PATCHES_DIR) -> str:
    lines = [f"{sha256_of(path)}  {path.relative_to(patches_dir).as_posix()}"
             for path in sorted(Path(patches_dir).rglob("*.patch"))]
    text = "\n".join(lines) + "\n"
    atomic_write_text(Path(patches_dir) / SUMS_FILE, text)
    return text


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__.strip().splitlines()[-1])
    sys.stdout.write(update_sums())
