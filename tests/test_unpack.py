"""Unpacking refuses anything that would land outside the destination, and then unpacks nothing."""

import tarfile

import pytest

from conftest import make_tarball
from slither.errors import SlitherError
from slither.sources.unpack import safe_extract


def link(name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


@pytest.mark.parametrize("evil, reason", [
    (("/etc/passwd-owned", b"x"), "absolute path"),
    (("Python-1/../../escape", b"x"), "'..'"),
    (link("Python-1/ln", "/etc/passwd"), "absolute"),
    (link("Python-1/ln", "../../outside"), "escaping"),
    (link("Python-1/hard", "../outside", tarfile.LNKTYPE), "escaping"),
])
def test_escaping_member_is_refused_and_nothing_is_unpacked(tmp_path, evil, reason):
    archive = make_tarball(tmp_path / "evil.tgz", [("Python-1/README", b"fine"), evil])
    destination = tmp_path / "out"
    with pytest.raises(SlitherError) as error:
        safe_extract(archive, destination, strip_components=1)
    assert reason in str(error.value)
    assert not destination.exists() or not any(destination.iterdir())


def test_links_inside_the_tree_are_kept(tmp_path):
    archive = make_tarball(tmp_path / "ok.tgz", [("Python-1/Lib/a.py", b"A = 1\n"),
                                                 link("Python-1/Lib/b.py", "a.py")])
    safe_extract(archive, tmp_path / "out", strip_components=1)
    assert (tmp_path / "out" / "Lib" / "b.py").read_text() == "A = 1\n"
