"""SQLite (libsqlite3.a) for CPython's _sqlite3, built with the TARGET's compiler.

Debian's .orig tarball of trixie's sqlite3 3.46.1: the full SQLite source tree (upstream's
sqlite-src-3460100.zip repacked by Debian as a tar.xz), not the amalgamation, so no upstream URL
carries these bytes. Its build generates the amalgamation with Tcl scripts: depends_on tcl (a
build-only recipe) and TCLSH_CMD names that prefix's tclsh8.6, so no tclsh of the host's is ever
run. Needs nothing from the host beyond the compiler and make.

Extensions as CPython's own installers build them: FTS3/4/5 and R*Tree (JSON and math functions
are on by default). No Tcl binding, no readline in the sqlite3 shell program.
"""

from slither.recipes import DebianSource, Source

name = "sqlite"
version = "3.46.1"
source = Source("sqlite3_3.46.1.orig.tar.xz", "d0cdd2ece271b29e7ce18095745d892517ee26d0f270065b3a25c2e9eb11639c",
                debian=DebianSource("sqlite3", versions=("3.46.1-7+deb13u2",)))
build_system = "autotools"
licence = "blessing"
depends_on = ["tcl"]
configure_flags = [
    "--disable-shared", "--enable-static", "--with-pic",
    "--disable-tcl", "--disable-readline", "--disable-editline",
    "--enable-fts3", "--enable-fts4", "--enable-fts5", "--enable-rtree",
    "TCLSH_CMD={prefix:tcl}/bin/tclsh8.6",
]
