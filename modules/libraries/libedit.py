"""libedit (libedit.a), the BSD line editor with a readline-compatible interface, for CPython's
readline module (configure --with-readline=editline: include/editline/readline.h), built with
the TARGET's compiler against the ncurses recipe's terminfo library.

Debian's .orig tarball of bookworm's libedit 3.1-20221030: upstream's release file
libedit-20221030-3.1.tar.gz, so the same bytes are at upstream's download URL. (Trixie's
3.1-20250104 would be preferred; its Debian source package could not be fetched when this pin was
made.) Needs nothing from the host beyond the compiler and make.

depends_on ncurses: the library step puts ncurses' prefix first on the include and library paths.
libedit's configure would still take the first of -lncurses, -lcurses and -ltermcap the linker
finds, which on a host with libncurses-dev is the host's; the three cache answers below say
"no" to those, so it takes -ltinfo, which only the ncurses prefix holds as a static archive
(musl-gcc sees no host library at all).
"""

from slither.recipes import DebianSource, Source

name = "libedit"
version = "3.1-20221030"
source = Source("libedit_3.1-20221030.orig.tar.gz", "f0925a5adf4b1bf116ee19766b7daa766917aec198747943b1c4edf67a4be2bb",
                urls=("https://thrysoee.dk/editline/libedit-20221030-3.1.tar.gz",),
                debian=DebianSource("libedit", versions=("3.1-20221030-2",)))
build_system = "autotools"
licence = "BSD-3-Clause"
depends_on = ["ncurses"]
# musl-gcc predefines no __STDC_ISO_10646__, which libedit insists on (its wchar_t is ISO 10646).
patches = ["libedit/chartype-linux-wchar-is-iso-10646.patch"]
configure_flags = [
    "--disable-shared", "--enable-static", "--with-pic", "--disable-examples", "--disable-dependency-tracking",
    "ac_cv_lib_ncurses_tgetent=no", "ac_cv_lib_curses_tgetent=no", "ac_cv_lib_termcap_tgetent=no",
]
