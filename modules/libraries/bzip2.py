"""libbz2 (bzip2) for CPython's _bz2, built with the TARGET's compiler from bzip2's own Makefile.

Debian's .orig tarball of trixie's bzip2 1.0.8: upstream's release file, so the same bytes are at
upstream's download URL. bzip2 has no configure script: build_system "makefile", which hands make
the TARGET's CC, AR, RANLIB and CFLAGS (position-independent) on its command line. Its Makefile
knows no DESTDIR, so make install is given PREFIX={destdir}{prefix}: the library step's
staging directory followed by the canonical prefix, which is where any other build's DESTDIR
install would put it. `make` also builds and self-tests the bzip2
programs (seconds); they stay in the prefix's bin/. Needs nothing from the host beyond the compiler
and make.
"""

from slither.recipes import DebianSource, Source

name = "bzip2"
version = "1.0.8"
source = Source("bzip2_1.0.8.orig.tar.gz", "ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269",
                urls=("https://sourceware.org/pub/bzip2/bzip2-1.0.8.tar.gz",),
                debian=DebianSource("bzip2", versions=("1.0.8-6", "1.0.8-5")))
build_system = "makefile"
licence = "bzip2-1.0.6"
install_flags = ["PREFIX={destdir}{prefix}"]
