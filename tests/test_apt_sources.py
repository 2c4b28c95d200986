"""deb-src entries derived from the machine's own apt configuration."""

from slither.sources.apt_sources import parse_deb822, parse_one_line_list, render, source_stanzas

DEB822 = """Types: deb
# a comment line
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: https://vendor.example/apt
Suites: nodistro
Components: main
"""


def test_debian_entries_get_deb_src_twins_and_the_next_suite():
    stanzas = source_stanzas(parse_deb822(DEB822), "bookworm")
    assert [(s["URIs"], s["Suites"]) for s in stanzas] == [
        ("http://mirror.example/debian", "bookworm bookworm-updates"),
        ("http://mirror.example/debian", "trixie"),
        ("http://mirror.example/debian-security", "bookworm-security"),
    ]
    assert all(s["Types"] == "deb-src" for s in stanzas)
    assert stanzas[0]["Signed-By"].endswith("debian-archive-keyring.gpg")


def test_one_line_format_is_understood():
    stanzas = parse_one_line_list(
        "deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bookworm main contrib\n")
    assert stanzas == [{"Types": "deb", "URIs": "http://mirror.example/debian", "Suites": "bookworm",
                        "Components": "main contrib", "Signed-By": "/k.gpg"}]


def test_rendered_file_round_trips():
    stanzas = source_stanzas(parse_deb822(DEB822), "bookworm")
    assert parse_deb822(render(stanzas)) == stanzas
