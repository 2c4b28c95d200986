"""libffi (libffi.a) for CPython's _ctypes, built with the TARGET's compiler.

Debian's .orig tarball of bookworm's libffi 3.4.4: upstream's release file (with its generated
configure), so the same bytes are at upstream's download URL. Trixie's 3.4.8 is not used: its
.orig is a snapshot of upstream's git tag without configure, which would need autoconf, automake
and libtool on the host. Needs nothing from the host beyond the compiler and make.
"""

from slither.recipes import DebianSource, Source

name = "libffi"
version = "3.4.4"
source = Source("libffi_3.4.4.orig.tar.gz", "d66c56ad259a82cf2a9dfc408b32bf5da52371500b84745f7fb8b645712df676",
                urls=("https://github.com/libffi/libffi/releases/download/v3.4.4/libffi-3.4.4.tar.gz",),
                debian=DebianSource("libffi", versions=("3.4.4-1",)))
build_system = "autotools"
licence = "MIT"
configure_flags = [
    "--disable-shared", "--enable-static", "--with-pic",
    # lib/, not lib/../lib64: the prefix's layout is the same on every machine
    "--disable-multi-os-directory",
    "--disable-docs", "--disable-dependency-tracking",
    # No static trampolines: their code (src/tramp.c) includes <linux/limits.h>, which musl-gcc
    # cannot see, and on Linux it finds and maps libffi's own file through /proc/self/maps at the
    # first closure. Closures (ctypes callbacks) then live in libffi's mmap'd trampoline pages.
    "--disable-exec-static-tramp",
]
