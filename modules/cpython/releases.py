"""CPython itself: the releases Slither builds, pinned by the sha256 of python.org's tarballs.

Debian's source archive carries the very same files as its `.orig` tarballs, so a machine
without python.org still gets byte-identical sources through `apt-get source`.
"""

from slither.recipes import BundledLibrary, CPythonRelease, DebianSource, Source, StdlibExtension, StdlibLibrary

name = "cpython"
# SPDX ids below: CPython's own LICENSE; for host archives, the "Files: *" stanza of the Debian
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

# The C libraries the stdlib's C modules link. Each with a recipe is built from its pinned source
# with the TARGET's compilers (modules/libraries/<recipe>.py); HOST_LIBRARIES=<name> takes the
# host's static archives instead. GNU readline and gdbm (GPL-3.0-or-later) and libxcrypt have no
# recipe: their modules are built in only when HOST_LIBRARIES names them. Licences here are the
# host archives' (Debian's copyright files); a recipe states its own.
# ncurses: Debian says "MIT/X11"; its text ("distribute, distribute with modifications") is SPDX's
# X11-distribute-modifications-variant. liblzma (xz 5.4): public domain, which SPDX has no id for.
_X11_VARIANT = "X11-distribute-modifications-variant"
stdlib_libraries = (
    StdlibLibrary("zlib", ("libz.a",), "zlib1g-dev", "Zlib", recipe="zlib"),
    StdlibLibrary("bzip2", ("libbz2.a",), "libbz2-dev", "bzip2-1.0.6", recipe="bzip2"),
    StdlibLibrary("xz", ("liblzma.a",), "liblzma-dev", "LicenseRef-public-domain", recipe="xz"),
    StdlibLibrary("sqlite", ("libsqlite3.a",), "libsqlite3-dev", "blessing", recipe="sqlite"),
    StdlibLibrary("openssl", ("libssl.a", "libcrypto.a"), "libssl-dev", "Apache-2.0", recipe="openssl"),
    StdlibLibrary("libffi", ("libffi.a",), "libffi-dev", "MIT", recipe="libffi"),
    StdlibLibrary("libuuid", ("libuuid.a",), "uuid-dev", "BSD-3-Clause", recipe="libuuid"),
    StdlibLibrary("ncurses", ("libncursesw.a", "libpanelw.a", "libtinfo.a"), "libncurses-dev", _X11_VARIANT,
                  recipe="ncurses"),
    StdlibLibrary("libedit", ("libedit.a",), "libedit-dev", "BSD-3-Clause", recipe="libedit"),
    StdlibLibrary("readline", ("libreadline.a",), "libreadline-dev", "GPL-3.0-or-later", replaces="libedit",
                  why_no_recipe="GNU readline is GPL-3.0-or-later; the readline module uses libedit instead"),
    StdlibLibrary("gdbm", ("libgdbm.a", "libgdbm_compat.a"), "libgdbm-dev libgdbm-compat-dev", "GPL-3.0-or-later",
                  why_no_recipe="GNU dbm is GPL-3.0-or-later"),
    StdlibLibrary("libcrypt", ("libcrypt.a",), "libcrypt-dev", "LGPL-2.1-or-later",
                  why_no_recipe="crypt(3) is deprecated (gone in 3.13)"),
)

stdlib_extensions = (
    StdlibExtension("zlib", ("zlib",)),
    StdlibExtension("_bz2", ("bzip2",)),
    StdlibExtension("_lzma", ("xz",)),
    StdlibExtension("_sqlite3", ("sqlite",)),
    StdlibExtension("_ssl", ("openssl",)),
    StdlibExtension("_hashlib", ("openssl",)),
    StdlibExtension("_ctypes", ("libffi",)),
    StdlibExtension("_uuid", ("libuuid",)),
    StdlibExtension("readline", ("libedit", "ncurses")),
    StdlibExtension("_curses", ("ncurses",)),
    StdlibExtension("_curses_panel", ("ncurses",)),
    StdlibExtension("_gdbm", ("gdbm",), fallback="dbm falls back to dbm.dumb"),
    StdlibExtension("_dbm", ("gdbm",), fallback="dbm falls back to dbm.dumb"),
    StdlibExtension("_crypt", ("libcrypt",), fallback="no crypt module"),
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
        # {readline}: "edit" (libedit, the default) or "readline" (GNU, HOST_LIBRARIES=readline)
        "readline readline.c -l{readline} -ltinfo",
        # {ncurses_include}: where the wide ncurses headers are (its recipe's include/, or the host's)
        "_curses -DHAVE_NCURSESW -I{ncurses_include} _cursesmodule.c -lncursesw -ltinfo",
        "_curses_panel -DHAVE_NCURSESW -I{ncurses_include} _curses_panel.c -lpanelw -lncursesw -ltinfo",
        # setup.py's detect_dbm_gdbm: the ndbm interface from gdbm's compatibility library
        "_dbm -DUSE_GDBM_COMPAT _dbmmodule.c -lgdbm_compat -lgdbm",
    ),
}

# Standard-library packages left out of the frozen image unless EXCLUDE says otherwise.
default_excludes = ("test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "turtle")
