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


@pytest.mark.parametrize("chain, reason", [
    # x -> . then x/y -> ..: the second is written through the first link, one level up
    ([link("Python-1/x", "."), link("Python-1/x/y", "..")], "below the link x"),
    # each link alone stays inside, the chain leaves: a -> b/.. is fine, b -> .. is not
    ([link("Python-1/d/up", ".."), link("Python-1/d/upper", "up/..")], "escaping"),
    # a file written through a link (one that stays inside, which another member could move)
    ([link("Python-1/here", "."), ("Python-1/here/written", b"x")], "below the link here"),
    # a hard link to something the archive did not give as a file
    ([link("Python-1/hard", "Python-1/missing", tarfile.LNKTYPE)], "not a file given earlier"),
])
def test_links_are_resolved_through_the_archives_own_earlier_links(tmp_path, chain, reason):
    archive = make_tarball(tmp_path / "evil.tgz", [("Python-1/README", b"fine"), *chain])
    destination = tmp_path / "out"
    with pytest.raises(SlitherError) as error:
        safe_extract(archive, destination, strip_components=1)
    assert reason in str(error.value) and "\n" not in str(error.value)
    assert not destination.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["evil.tgz"], "nothing left beside it either"


def test_a_device_or_fifo_is_refused(tmp_path):
    fifo = tarfile.TarInfo("Python-1/pipe")
    fifo.type = tarfile.FIFOTYPE
    archive = make_tarball(tmp_path / "evil.tgz", [("Python-1/README", b"fine"), fifo])
    with pytest.raises(SlitherError, match="device file"):
        safe_extract(archive, tmp_path / "out", strip_components=1)


def test_an_existing_destination_is_untouched_when_a_later_member_is_refused(tmp_path):
    destination = tmp_path / "out"
    destination.mkdir()
    (destination / "kept").write_text("mine")
    archive = make_tarball(tmp_path / "evil.tgz", [("Python-1/kept", b"theirs"), link("Python-1/x", "/etc")])
    with pytest.raises(SlitherError):
        safe_extract(archive, destination, strip_components=1)
    assert (destination / "kept").read_text() == "mine" and sorted(destination.iterdir()) == [destination / "kept"]


def test_modes_keep_rwx_only_and_times_are_the_archives(tmp_path):
    info = tarfile.TarInfo("Python-1/configure")
    info.mode, info.mtime, info.size = 0o6755, 1_000_000_000, 2
    directory = tarfile.TarInfo("Python-1/Lib")
    directory.type, directory.mode, directory.mtime = tarfile.DIRTYPE, 0o755, 1_100_000_000
    import io
    with tarfile.open(tmp_path / "ok.tgz", "w:gz") as tar:
        tar.addfile(info, io.BytesIO(b"#!"))
        tar.addfile(directory)
        inner = tarfile.TarInfo("Python-1/Lib/a.py")
        inner.size, inner.mtime = 1, 1_200_000_000
        tar.addfile(inner, io.BytesIO(b"x"))
    safe_extract(tmp_path / "ok.tgz", tmp_path / "out", strip_components=1)
    configure = (tmp_path / "out" / "configure").stat()
    assert oct(configure.st_mode & 0o7777) == oct(0o755) and configure.st_mtime == 1_000_000_000
    assert (tmp_path / "out" / "Lib").stat().st_mtime == 1_100_000_000  # not the time a.py was written


def test_a_zip_sdist_is_unpacked_with_the_same_checks(tmp_path):
    import zipfile
    good = tmp_path / "pkg-1.0.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("pkg-1.0/setup.py", "print('hi')\n")
        archive.writestr("pkg-1.0/pkg/__init__.py", "")
    safe_extract(good, tmp_path / "tree", strip_components=1)
    assert (tmp_path / "tree" / "setup.py").read_text() == "print('hi')\n" and (tmp_path / "tree" / "pkg").is_dir()
    evil = tmp_path / "evil-1.0.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("evil-1.0/setup.py", "")
        archive.writestr("evil-1.0/../../escaped", "x")
    with pytest.raises(SlitherError, match="'..' in path"):
        safe_extract(evil, tmp_path / "evil-tree", strip_components=1)
    assert not (tmp_path / "evil-tree").exists() and not (tmp_path.parent / "escaped").exists()
    # a symlink stored the unix way in a zip is a link, checked like a tar's
    linked = tmp_path / "linked-1.0.zip"
    with zipfile.ZipFile(linked, "w") as archive:
        entry = zipfile.ZipInfo("linked-1.0/ln")
        entry.external_attr = (0o120777 << 16)
        archive.writestr(entry, "/etc/passwd")
    with pytest.raises(SlitherError, match="link to absolute path /etc/passwd"):
        safe_extract(linked, tmp_path / "linked-tree", strip_components=1)


def test_a_file_that_is_no_archive_is_one_line(tmp_path):
    (tmp_path / "junk.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(SlitherError, match="not a readable tar or zip archive") as error:
        safe_extract(tmp_path / "junk.tar.gz", tmp_path / "out")
    assert "\n" not in str(error.value) and not (tmp_path / "out").exists()
