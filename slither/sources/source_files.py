"""Which files of the user's own directories are source: what FREEZE_PATHS freezes and what a
`MODULES=./project` sdist packs, and the signatures of both.

Both end up in a binary that is copied to every node, and a local project's sdist is pushed into
the cache, so what is not code or declared data stays out:

* hidden files and directories (`.env`, `.netrc`, `.git/`, `.venv/`, ...) and `__pycache__/`;
* compiled artefacts (`.pyc`, `.so`, `.o`, `.a`);
* whatever the directory's `.gitignore` files exclude: asked of git where the directory is in a
  git work tree (`git ls-files`, which knows every rule, nested files and the global excludes),
  else read from the `.gitignore` files inside it (names, `*` globs, `dir/`, `/anchored`, `!`);
* the patterns of a `.slitherignore` beside them (fnmatch, one a line).
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
from pathlib import Path

COMPILED_SUFFIXES = (".pyc", ".pyo", ".so", ".o", ".a", ".pyd")


def is_hidden(name: str) -> bool:
    return name.startswith(".")


def _git_kept(directory: Path) -> set[str] | None:
    """The files git does not ignore below `directory` (tracked or not), or None when it is not
    in a git work tree or git is absent."""
    if shutil.which("git") is None:
        return None
    try:
        inside = subprocess.run(["git", "-C", str(directory), "rev-parse", "--is-inside-work-tree"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        listed = subprocess.run(["git", "-C", str(directory), "ls-files", "-z", "--cached", "--others",
                                 "--exclude-standard", "--full-name", "--", "."],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
        top = subprocess.run(["git", "-C", str(directory), "rev-parse", "--show-toplevel"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if listed.returncode != 0 or top.returncode != 0:
        return None
    root = Path(top.stdout.strip()).resolve()
    base = directory.resolve()
    kept = set()
    for entry in listed.stdout.split(b"\0"):
        if entry:
            path = root / os.fsdecode(entry)
            if path.is_relative_to(base):
                kept.add(path.relative_to(base).as_posix())
    return kept


class GitignoreRules:
    """The common subset of .gitignore: one pattern a line, `#` comments, `!` re-includes,
    a trailing `/` matches directories only, a `/` elsewhere anchors the pattern to the file's
    directory, otherwise it matches a name at any depth."""

    def __init__(self):
        self.rules: list[tuple[str, str, bool, bool]] = []  # (base, pattern, negated, directory_only)

    def add_file(self, path: Path, base: str) -> None:
        for line in path.read_text(errors="replace").splitlines():
            line = line.rstrip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            pattern = line[1:] if negated else line
            directory_only = pattern.endswith("/")
            pattern = pattern.rstrip("/")
            if pattern:
                self.rules.append((base, pattern, negated, directory_only))

    def ignored(self, relative: str, is_directory: bool) -> bool:
        result = False
        for base, pattern, negated, directory_only in self.rules:
            if directory_only and not is_directory:
                continue
            if base and not relative.startswith(base + "/"):
                continue
            inside = relative[len(base) + 1:] if base else relative
            if "/" in pattern:
                matched = fnmatch.fnmatchcase(inside, pattern.lstrip("/").replace("**/", "*"))
            else:
                matched = fnmatch.fnmatchcase(inside.rsplit("/", 1)[-1], pattern)
            if matched:
                result = not negated
        return result


def source_files(directory: Path, excluded_directories=frozenset(), extra_patterns=()) -> list[str]:
    """The source files below `directory`, relative posix paths, sorted (see the module's rules);
    excluded_directories: more directory names to skip (a project's build/, dist/)."""
    directory = Path(directory)
    git_kept = _git_kept(directory)
    rules = GitignoreRules()
    found = []
    for current, dirnames, filenames in os.walk(directory):
        relative_dir = Path(current).relative_to(directory).as_posix()
        relative_dir = "" if relative_dir == "." else relative_dir
        if git_kept is None and ".gitignore" in filenames:
            rules.add_file(Path(current) / ".gitignore", relative_dir)

        def joined(name):
            return f"{relative_dir}/{name}" if relative_dir else name
        dirnames[:] = sorted(name for name in dirnames
                             if not is_hidden(name) and name != "__pycache__" and name not in excluded_directories
                             and not (git_kept is None and rules.ignored(joined(name), True)))
        for name in sorted(filenames):
            relative = joined(name)
            if is_hidden(name) or name.endswith(COMPILED_SUFFIXES):
                continue
            if any(fnmatch.fnmatch(relative, pattern) for pattern in extra_patterns):
                continue
            if git_kept is not None:
                if relative not in git_kept:
                    continue
            elif rules.ignored(relative, False):
                continue
            found.append(relative)
    return sorted(found)
