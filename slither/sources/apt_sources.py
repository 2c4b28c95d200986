"""Enable Debian source packages (deb-src) from the machine's own apt configuration.

A fresh Debian machine has only binary entries. `apt-get source` needs matching deb-src
entries: this writes them with the URIs, suites and keys of the existing Debian entries (no
host name is written into the project), plus the next release's suite for CPython 3.13,
whose sources are the only thing taken from it.

Usage: python3 -m slither.sources.apt_sources [--write PATH]   (prints the entries without --write)
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
from pathlib import Path

# Debian releases whose source suites we add beside the machine's own (python3.13 lives there).
EXTRA_SOURCE_SUITES = ("trixie",)
OUTPUT = "/etc/apt/sources.list.d/slither-deb-src.sources"


def parse_deb822(text: str) -> list[dict[str, str]]:
    stanzas, current, last_key = [], {}, None
    for line in text.splitlines():
        if not line.strip():
            if current:
                stanzas.append(current)
            current, last_key = {}, None
        elif line.startswith("#"):
            continue
        elif line[0] in " \t" and last_key:
            current[last_key] += "\n" + line
        elif ":" in line:
            key, value = line.split(":", 1)
            last_key = key.strip()
            current[last_key] = value.strip()
    if current:
        stanzas.append(current)
    return stanzas


def parse_one_line_list(text: str) -> list[dict[str, str]]:
    """`deb [options] uri suite components...` lines, as deb822-like stanzas."""
    stanzas = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) < 3 or words[0] != "deb":
            continue
        options = {}
        if words[1].startswith("["):
            closing = next(i for i, word in enumerate(words) if word.endswith("]"))
            for option in " ".join(words[1:closing + 1]).strip("[]").split():
                if "=" in option:
                    key, value = option.split("=", 1)
                    options[key] = value
            words = [words[0]] + words[closing + 1:]
        stanza = {"Types": "deb", "URIs": words[1], "Suites": words[2],
                  "Components": " ".join(words[3:])}
        if "signed-by" in options:
            stanza["Signed-By"] = options["signed-by"]
        stanzas.append(stanza)
    return stanzas


def source_stanzas(binary_stanzas: list[dict[str, str]], codename: str) -> list[dict[str, str]]:
    """deb-src twins of the Debian entries of this release, plus the extra source suites."""
    result = []
    for stanza in binary_stanzas:
        if "deb" not in stanza.get("Types", "").split():
            continue
        suites = stanza.get("Suites", "").split()
        ours = [s for s in suites if s == codename or s.startswith(codename + "-")]
        if not ours:
            continue
        twin = {key: stanza[key] for key in ("URIs", "Components", "Signed-By") if key in stanza}
        result.append({"Types": "deb-src", "URIs": twin["URIs"], "Suites": " ".join(ours),
                       **{k: v for k, v in twin.items() if k != "URIs"}})
        if codename in ours:  # the main archive (not security/updates) also serves newer suites
            for extra in EXTRA_SOURCE_SUITES:
                if extra != codename:
                    result.append({"Types": "deb-src", "URIs": twin["URIs"], "Suites": extra,
                                   **{k: v for k, v in twin.items() if k != "URIs"}})
    return result


def render(stanzas: list[dict[str, str]]) -> str:
    header = "# Written by Slither's bootstrap: source packages for pinned upstream tarballs.\n\n"
    order = ("Types", "URIs", "Suites", "Components", "Signed-By")
    blocks = ["\n".join(f"{key}: {stanza[key]}" for key in order if key in stanza) for stanza in stanzas]
    return header + "\n\n".join(blocks) + "\n"


def machine_codename(os_release: str = "/etc/os-release") -> str:
    for line in Path(os_release).read_text().splitlines():
        if line.startswith("VERSION_CODENAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return ""


def read_binary_entries(root: str = "/etc/apt") -> list[dict[str, str]]:
    stanzas = []
    for path in sorted(glob.glob(os.path.join(root, "sources.list.d", "*.sources"))):
        if os.path.basename(path) != os.path.basename(OUTPUT):
            stanzas += parse_deb822(Path(path).read_text())
    for path in [os.path.join(root, "sources.list"),
                 *sorted(glob.glob(os.path.join(root, "sources.list.d", "*.list")))]:
        if os.path.isfile(path):
            stanzas += parse_one_line_list(Path(path).read_text())
    return stanzas


def main() -> int:
    parser = argparse.ArgumentParser(description="Write deb-src entries for Slither.")
    parser.add_argument("--write", metavar="PATH", help=f"write the entries there (e.g. {OUTPUT})")
    args = parser.parse_args()
    stanzas = source_stanzas(read_binary_entries(), machine_codename())
    if not stanzas:
        print("slither: error: no Debian entries found in /etc/apt to derive deb-src from", file=sys.stderr)
        return 1
    text = render(stanzas)
    if not args.write:
        sys.stdout.write(text)
        return 0
    target = Path(args.write)
    if target.is_file() and target.read_text() == text:
        print("unchanged")
        return 0
    target.write_text(text)
    print("written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
