"""ncurses, wide-character (libncursesw.a, libpanelw.a, and the terminfo layer split out as
libtinfo.a), for CPython's _curses and _curses_panel and for libedit, built with the TARGET's
compiler.

Debian's .orig tarball of trixie's ncurses 6.5+20250216: upstream's patch-level snapshot
ncurses-6.5-20250216.tgz (Debian ships upstream's signature beside it), under Debian's name.

The terminal database is the node's: entries are searched in /etc/terminfo, /lib/terminfo and
/usr/share/terminfo (and $TERMINFO, ~/.terminfo), as Debian's own ncurses does; none is
installed into the prefix. No built-in fallback entries (--with-fallbacks): generating them needs
tic and infocmp at build time, which would be the host's reading the host's terminfo database
(the entries would depend on the build machine) or ncurses' own programs built first.

No C++ binding, programs, tests, manual pages or Ada; headers straight in include/ (curses.h,
term.h: what libedit and CPython include), pkg-config files in the prefix's lib/pkgconfig.
Needs nothing from the host beyond the compiler and make.
"""

from slither.recipes import DebianSource, Source

name = "ncurses"
version = "6.5+20250216"
source = Source("ncurses_6.5+20250216.orig.tar.gz", "b37baafa436e7133bb12a185cb8f60e1599b1947e9f0181c76f3190acf28b6eb",
                urls=("https://invisible-island.net/archives/ncurses/current/ncurses-6.5-20250216.tgz",),
                debian=DebianSource("ncurses", versions=("6.5+20250216-2",)))
build_system = "autotools"
licence = "X11-distribute-modifications-variant"  # COPYING: the ncurses licence, SPDX id
configure_flags = [
    "--without-shared", "--with-normal", "--without-debug", "--without-profile",
    "--enable-widec", "--with-termlib=tinfo", "--enable-overwrite",
    "--without-cxx", "--without-cxx-binding", "--without-ada", "--without-progs", "--without-tests",
    "--without-manpages", "--disable-db-install",
    "--with-default-terminfo-dir=/usr/share/terminfo",
    "--with-terminfo-dirs=/etc/terminfo:/lib/terminfo:/usr/share/terminfo",
    "--enable-pc-files", "--with-pkg-config-libdir={prefix}/lib/pkgconfig",
]
