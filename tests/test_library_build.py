"""The library build step (build_system "autotools") on a tiny configure/make project: a real
static library and a wrapper script that names its prefix, archived and unpacked elsewhere."""

import hashlib
import io
import subprocess
import sys
import tarfile

from conftest import ROOT, profile_data_file
from slither.libraries.build import canonical_prefix

CONFIGURE = """#!/bin/sh
prefix=/usr/local
for argument in "$@"; do
  case "$argument" in
    --prefix=*) prefix="${argument#--prefix=}" ;;
    --greeting=*) greeting="${argument#--greeting=}" ;;
  esac
done
cat > Makefile <<EOF
all: libtiny.a tinycc
libtiny.a: tiny.c
\t\\$(CC) \\$(CFLAGS) -c tiny.c -o tiny.o
\t\\$(AR) rcs libtiny.a tiny.o
tinycc:
\tprintf '#!/bin/sh\\\\necho -I$prefix/include -L$prefix/lib -ltiny\\\\n' > tinycc
install:
\tmkdir -p \\$(DESTDIR)$prefix/lib \\$(DESTDIR)$prefix/include \\$(DESTDIR)$prefix/bin \\$(DESTDIR)$prefix/share/man/man1
\tcp libtiny.a \\$(DESTDIR)$prefix/lib/
\techo 'int tiny(void); /* $greeting */' > \\$(DESTDIR)$prefix/include/tiny.h
\tcp tinycc \\$(DESTDIR)$prefix/bin/ && chmod +x \\$(DESTDIR)$prefix/bin/tinycc
\techo manual > \\$(DESTDIR)$prefix/share/man/man1/tinycc.1
EOF
"""


def tiny_source(tmp_path):
    tarball = tmp_path / "tiny-1.0.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        for name, content, mode in (("tiny-1.0/configure", CONFIGURE.encode(), 0o755),
                                    ("tiny-1.0/tiny.c", b"int tiny(void) { return 42; }\n", 0o644)):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(content), mode
            tar.addfile(info, io.BytesIO(content))
    return tarball, hashlib.sha256(tarball.read_bytes()).hexdigest()


def build(tmp_path, source, sha256, *extra):
    return subprocess.run([sys.executable, "-m", "slither.libraries.build", "--name", "tiny", "--version", "1.0",
                           "--source", str(source), "--sha256", sha256, "--target", str(profile_data_file(tmp_path)),
                           "--configure-flag=--greeting=hello", "--work", str(tmp_path / "work"),
                           "--log", str(tmp_path / "build.log"), "--output", str(tmp_path / "prefix.tar"), *extra],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


def test_autotools_library_is_installed_into_a_canonical_prefix_archive(tmp_path):
    source, sha256 = tiny_source(tmp_path)
    result = build(tmp_path, source, sha256)
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()
    with tarfile.open(tmp_path / "prefix.tar") as tar:
        names = sorted(tar.getnames())
        header = tar.extractfile("include/tiny.h").read().decode()
        wrapper = tar.extractfile("bin/tinycc").read().decode()
    assert "lib/libtiny.a" in names and not any(name.startswith("share/man") for name in names)
    assert "hello" in header  # the recipe's configure flags reached ./configure
    assert f"-L{canonical_prefix('tiny')}/lib" in wrapper
    assert not (tmp_path / "work").exists()


def test_a_source_that_is_not_the_pinned_one_builds_nothing(tmp_path):
    source, _ = tiny_source(tmp_path)
    result = build(tmp_path, source, "0" * 64)
    assert result.returncode == 1 and "sha256 mismatch" in result.stderr
    assert not (tmp_path / "prefix.tar").exists()


def test_unpacked_prefix_points_its_scripts_at_where_it_is(tmp_path):
    import importlib
    sys.path.insert(0, str(ROOT / "site_scons" / "site_tools"))
    try:
        libraries = importlib.import_module("slither_libraries")
        steps = importlib.import_module("slither_steps")
    finally:
        sys.path.pop(0)
    source, sha256 = tiny_source(tmp_path)
    assert build(tmp_path, source, sha256).returncode == 0
    marker = tmp_path / "unpacked" / "prefix" / libraries.PREFIX_MARKER
    marker.parent.parent.mkdir()
    assert steps._unpack_archive([marker], [tmp_path / "prefix.tar"],
                                 {"SLITHER_UNPACKED_FILE": libraries.PREFIX_MARKER, "SLITHER_UNPACK_MARKER": True,
                                  "SLITHER_CANONICAL_PREFIX": canonical_prefix("tiny")}) == 0
    assert marker.is_file()
    shown = subprocess.run([str(marker.parent / "bin" / "tinycc")], stdout=subprocess.PIPE, text=True).stdout
    assert shown.split() == [f"-I{marker.parent}/include", f"-L{marker.parent}/lib", "-ltiny"]
