"""CPython itself: the releases Slither builds, pinned by the sha256 of python.org's tarballs.

Debian's source archive carries the very same files as its `.orig` tarballs, so a machine
without python.org still gets byte-identical sources through `apt-get source`.
"""

from slither.plan.recipe import BundledLibrary, CPythonRelease, DebianSource, Source, StaticLibrary, StdlibExtension

name = "cpython"
# SPDX ids below: CPython's own LICENSE; for system archives, the "Files: *" stanza of the Debian
# package's /usr/share/doc/<package>/copyright (bookworm); for bundled libraries, their licence
# file in the CPython source (Modules/expat/COPYING, Modules/_decimal/libmpdec/*.h).
licence = "PSF-2.0"

releases = {
    "3.11": CPythonRelease(
        series="3.11",
        version="3.11.2",
        source=Source(
            filename="Python-3.11.2.tgz",
            sha256="2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849",
            urls=("https://www.python.org/ftp/python/3.11.2/Python-3.11.2.tgz",),
            debian=DebianSource("python3.11", versions=("3.11.2-6+deb12u8", "3.11.2-6+deb12u6")),
        ),
        bundled_libraries=(BundledLibrary("expat", "2.5.0", "MIT", "pyexpat"),
                           BundledLibrary("mpdecimal", "2.5.1", "BSD-2-Clause", "_decimal")),
    ),
    "3.13": CPythonRelease(
        series="3.13",
        version="3.13.5",
        source=Source(
            filename="Python-3.13.5.tar.xz",
            sha256="93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640",
            urls=("https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz",),
            debian=DebianSource("python3.13", versions=("3.13.5-2+deb13u5", "3.13.5-2")),
        ),
        # 3.13 defaults to the system libmpdec; the bundled copy keeps the link self-contained.
        configure_flags=("--without-system-libmpdec",),
        # Versions not read here (no 3.13 source on the machine that recorded them): "" until checked.
        bundled_libraries=(BundledLibrary("expat", "", "MIT", "pyexpat"),
                           BundledLibrary("mpdecimal", "", "BSD-2-Clause", "_decimal")),
    ),
}

DEFAULT_SERIES = "3.11"

# Static archives of the stdlib's C modules. `required` modules must be built in (a missing
# archive stops the build and names the package to install); optional ones are left out,
# and the build summary says why.
_openssl = (StaticLibrary("libssl.a", "libssl-dev", "Apache-2.0"), StaticLibrary("libcrypto.a", "libssl-dev", "Apache-2.0"))
# ncurses: Debian says "MIT/X11"; its text ("distribute, distribute with modifications") is SPDX's
# X11-distribute-modifications-variant. liblzma (xz 5.4): public domain, which SPDX has no id for.
_ncurses = StaticLibrary("libncursesw.a", "libncurses-dev", "X11-distribute-modifications-variant")
_tinfo = StaticLibrary("libtinfo.a", "libncurses-dev", "X11-distribute-modifications-variant")

stdlib_extensions = (
    StdlibExtension("zlib", (StaticLibrary("libz.a", "zlib1g-dev", "Zlib"),)),
    StdlibExtension("_bz2", (StaticLibrary("libbz2.a", "libbz2-dev", "bzip2-1.0.6"),)),
    StdlibExtension("_lzma", (StaticLibrary("liblzma.a", "liblzma-dev", "LicenseRef-public-domain"),)),
    StdlibExtension("_sqlite3", (StaticLibrary("libsqlite3.a", "libsqlite3-dev", "blessing"),)),
    StdlibExtension("_ssl", _openssl),
    StdlibExtension("_hashlib", _openssl),
    StdlibExtension("_ctypes", (StaticLibrary("libffi.a", "libffi-dev", "MIT"),)),
    StdlibExtension("_uuid", (StaticLibrary("libuuid.a", "uuid-dev", "BSD-3-Clause"),)),
    StdlibExtension("readline", (StaticLibrary("libreadline.a", "libreadline-dev", "GPL-3.0-or-later"), _tinfo)),
    StdlibExtension("_curses", (_ncurses, _tinfo)),
    StdlibExtension("_curses_panel", (StaticLibrary("libpanelw.a", "libncurses-dev", "X11-distribute-modifications-variant"), _ncurses, _tinfo)),
    StdlibExtension("_gdbm", (StaticLibrary("libgdbm.a", "libgdbm-dev", "GPL-3.0-or-later"),), required=False,
                    why_optional="GNU dbm; dbm falls back to dbm.dumb"),
    StdlibExtension("_dbm", (StaticLibrary("libgdbm_compat.a", "libgdbm-compat-dev", "GPL-3.0-or-later"),
                             StaticLibrary("libgdbm.a", "libgdbm-dev", "GPL-3.0-or-later")), required=False,
                    why_optional="ndbm compatibility; dbm falls back to dbm.dumb"),
    StdlibExtension("_crypt", (StaticLibrary("libcrypt.a", "libcrypt-dev", "LGPL-2.1-or-later"),), required=False,
                    why_optional="deprecated crypt(3) wrapper"),
)

# Modules never built into a static HPC interpreter, whatever the machine has.
never_built = {
    "_tkinter": "needs Tcl/Tk and X11 (a GUI toolkit has no place on compute nodes)",
    "nis": "deprecated NIS client (gone in 3.13); Debian's libtirpc.a needs Kerberos GSSAPI, "
           "which has no static library",
    "_testinternalcapi": "test-only; built in, it breaks the link of CPython's own _freeze_module",
}

# 3.11 still builds _ctypes, readline, curses and _dbm through setup.py, which only makes shared
# modules; these Setup.local lines build them in. 3.12+ configures them like every other module.
# makesetup reads any line with "=" as a Make variable, hence -DHAVE_NCURSESW without "=1".
setup_local_by_series = {
    "3.11": (
        "_ctypes -DHAVE_FFI_PREP_CIF_VAR -DHAVE_FFI_PREP_CLOSURE_LOC -DHAVE_FFI_CLOSURE_ALLOC "
        "_ctypes/_ctypes.c _ctypes/callbacks.c _ctypes/callproc.c _ctypes/stgdict.c _ctypes/cfield.c -lffi",
        "readline readline.c -lreadline -ltinfo",
        "_curses -DHAVE_NCURSESW -I/usr/include/ncursesw _cursesmodule.c -lncursesw -ltinfo",
        "_curses_panel -DHAVE_NCURSESW -I/usr/include/ncursesw _curses_panel.c -lpanelw -lncursesw -ltinfo",
        # setup.py's detect_dbm_gdbm: the ndbm interface from gdbm's compatibility library
        "_dbm -DUSE_GDBM_COMPAT _dbmmodule.c -lgdbm_compat -lgdbm",
    ),
}

# Standard-library packages left out of the frozen image unless EXCLUDE says otherwise.
default_excludes = ("test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "turtle")
