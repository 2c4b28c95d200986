"""zlib (libz.a) for CPython's zlib module, which pip's wheel handling (zipfile's deflate) and
many packages need, and for HDF5's deflate filter: built with the TARGET's own C compiler, as
every library the binary links.

Debian's .orig tarball of bookworm's zlib (upstream 1.2.13, repacked without contrib/'s
prebuilt binaries), pinned by sha256. zlib's own configure script takes the autotools
calling convention this build system uses (--prefix, CC/AR/CFLAGS from the environment,
make, make install DESTDIR=); --static builds only libz.a.
"""

from slither.recipes import DebianSource, Source

name = "zlib"
version = "1.2.13.dfsg"
source = Source("zlib_1.2.13.dfsg.orig.tar.bz2", "71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1",
                debian=DebianSource("zlib", versions=("1:1.2.13.dfsg-1",)))
build_system = "autotools"
licence = "Zlib"
configure_flags = ["--static"]
