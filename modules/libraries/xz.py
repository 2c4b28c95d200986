"""liblzma (xz) for CPython's _lzma, built with the TARGET's compiler.

Debian's .orig tarball of trixie's xz-utils 5.8.1: upstream's release file (Debian ships upstream's
signature beside it), so the same bytes are at upstream's download URL. Only the library: the
xz, xzdec, lzmadec and lzmainfo programs, the scripts, translations and documentation are
disabled. Needs nothing from the host beyond the compiler and make.
"""

from slither.recipes import DebianSource, Source

name = "xz"
version = "5.8.1"
source = Source("xz-utils_5.8.1.orig.tar.xz", "0b54f79df85912504de0b14aec7971e3f964491af1812d83447005807513cd9e",
                urls=("https://github.com/tukaani-project/xz/releases/download/v5.8.1/xz-5.8.1.tar.xz",),
                debian=DebianSource("xz-utils", versions=("5.8.1-1+deb13u1",)))
build_system = "autotools"
licence = "0BSD"  # liblzma; the programs left out carry other licences
configure_flags = [
    "--disable-shared", "--enable-static", "--with-pic",
    "--disable-xz", "--disable-xzdec", "--disable-lzmadec", "--disable-lzmainfo", "--disable-lzma-links",
    "--disable-scripts", "--disable-doc", "--disable-nls", "--disable-dependency-tracking",
]
