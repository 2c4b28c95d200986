"""libuuid (libuuid.a) from util-linux, for CPython's _uuid, built with the TARGET's compiler.

Debian's .orig tarball of trixie's util-linux 2.41.5, upstream's release tarball
util-linux-2.41.5.tar.xz by name and layout (not checked byte for byte against upstream's file
here). Only the library: every program and every other library is disabled. Needs nothing from
the host beyond the compiler and make.

util-linux's configure stops with "kernel headers required on Linux" when it cannot see
<linux/version.h>: musl-gcc does not search /usr/include, so TARGET=musl's library steps get
links to the host's kernel headers (slither/libraries/kernel_headers.py).
"""

from slither.recipes import DebianSource, Source

name = "libuuid"
version = "2.41.5"
source = Source("util-linux_2.41.5.orig.tar.xz", "f586e35d320ff537aab3ffeca37e9ecd482ccbe013590db4429a414d8aa6a728",
                urls=("https://www.kernel.org/pub/linux/utils/util-linux/v2.41/util-linux-2.41.5.tar.xz",),
                debian=DebianSource("util-linux", versions=("2.41.5-0+deb13u1",)))
build_system = "autotools"
licence = "BSD-3-Clause"  # libuuid/COPYING; the rest of util-linux is GPL, none of it is built
configure_flags = [
    "--disable-shared", "--enable-static", "--with-pic",
    "--disable-all-programs", "--enable-libuuid",
    "--disable-nls", "--disable-bash-completion", "--disable-asciidoc", "--disable-poman",
    "--without-python", "--without-systemd", "--without-udev", "--without-econf", "--without-libmagic",
    "--disable-dependency-tracking",
]
