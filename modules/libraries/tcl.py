"""Tcl 8.6's tclsh, a build-only tool: SQLite's source tree generates its amalgamation (sqlite3.c,
sqlite3.h, the opcode tables) with Tcl scripts, so the sqlite recipe depends on this one and its
configure is given this prefix's bin/tclsh8.6 (TCLSH_CMD), never a tclsh of the host's.
build_only: no link takes libtcl8.6.a, and nothing of it goes into a binary or its licences.

Debian's .orig tarball of bookworm's tcl8.6 8.6.13+dfsg: Debian repacked upstream's
tcl8.6.13-src.tar.gz (+dfsg: files removed for the Debian Free Software Guidelines), so it is not
upstream's file and only Debian's archive has these bytes. Built static (tclsh links
libtcl8.6.a), in the source tree's unix/ folder; only the program and its script library
(lib/tcl8.6, which tclsh finds relative to itself) are installed, not the bundled packages or the
manual. Needs nothing from the host beyond the compiler and make.
"""

from slither.recipes import DebianSource, Source

name = "tcl"
version = "8.6.13+dfsg"
source = Source("tcl8.6_8.6.13+dfsg.orig.tar.gz", "83bce7277e3825df0179567e0d8a431ebb1a126df53ea4a94af89dd4dd0f26d5",
                debian=DebianSource("tcl8.6", versions=("8.6.13+dfsg-2",)))
build_system = "autotools"
licence = "TCL"
build_only = True
build_directory = "unix"
configure_flags = ["--disable-shared", "--enable-static", "--disable-symbols"]
# tclsh and the script library only: make's default also builds the bundled packages (pkgs/).
make_flags = ["binaries", "libraries"]
install_target = "install-binaries"
install_flags = ["install-libraries"]
