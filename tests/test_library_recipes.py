"""The C library recipes the stdlib's C modules link (modules/libraries/), each built from its pinned
source by the library step for a TARGET (gnu and musl), one SCons run per recipe in dependency
order (the time of each is printed: pytest -s; cold unless the content-hash cache, the default
CACHE_DIR, already holds that build). Every archive must be static and
position-independent (a shared object links it whole) and a static program calling one function
of it must link and run; tcl, a build-only tool, must run."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_built, ROOT

pytestmark = pytest.mark.slow

# In dependency order (tcl before sqlite, ncurses before libedit), so each time is its own.
RECIPES = ("zlib", "bzip2", "xz", "libffi", "libuuid", "ncurses", "libedit", "tcl", "sqlite", "openssl")
COMPILERS = {"gnu": "gcc", "musl": "musl-gcc"}

# name: (its prefix's archives, extra -l words, a C program printing "ok ...")
PROGRAMS = {
    "zlib": (["libz.a"], [], r"""
#include <stdio.h>
#include <zlib.h>
int main(void) { printf("ok %s\n", zlibVersion()); return 0; }"""),
    "bzip2": (["libbz2.a"], [], r"""
#include <stdio.h>
#include <string.h>
#include <bzlib.h>
int main(void) {
    bz_stream s; memset(&s, 0, sizeof s);
    char in[] = "hello hello hello", out[256];
    if (BZ2_bzCompressInit(&s, 9, 0, 0) != BZ_OK) return 1;
    s.next_in = in; s.avail_in = sizeof in; s.next_out = out; s.avail_out = sizeof out;
    if (BZ2_bzCompress(&s, BZ_FINISH) != BZ_STREAM_END) return 2;
    printf("ok %u\n", s.total_out_lo32); return BZ2_bzCompressEnd(&s);
}"""),
    "xz": (["liblzma.a"], [], r"""
#include <stdio.h>
#include <lzma.h>
int main(void) {
    lzma_stream s = LZMA_STREAM_INIT;
    if (lzma_easy_encoder(&s, 6, LZMA_CHECK_CRC64) != LZMA_OK) return 1;
    lzma_end(&s); printf("ok %s\n", lzma_version_string()); return 0;
}"""),
    "libffi": (["libffi.a"], [], r"""
#include <stdio.h>
#include <ffi.h>
static int add(int a, int b) { return a + b; }
int main(void) {
    ffi_cif cif; ffi_type *types[] = {&ffi_type_sint, &ffi_type_sint};
    int a = 40, b = 2; void *values[] = {&a, &b}; ffi_arg result;
    if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, 2, &ffi_type_sint, types) != FFI_OK) return 1;
    ffi_call(&cif, FFI_FN(add), &result, values); printf("ok %d\n", (int) result); return 0;
}"""),
    "libuuid": (["libuuid.a"], [], r"""
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>
int main(void) {
    uuid_t id; char text[37]; uuid_generate(id); uuid_unparse(id, text);
    printf("ok %zu\n", strlen(text)); return 0;
}"""),
    "ncurses": (["libncursesw.a", "libpanelw.a", "libtinfo.a"], ["-lpanelw", "-lncursesw", "-ltinfo"], r"""
#include <stdio.h>
#include <curses.h>
#include <panel.h>
#include <term.h>
int main(void) {
    /* The node's terminfo database, through the recipe's search path. */
    int error = 0;
    if (setupterm("vt100", 1, &error) != OK) { printf("no vt100 entry (%d)\n", error); return 1; }
    printf("ok %d %p\n", tigetnum("cols"), (void *) &new_panel); return 0;
}"""),
    "libedit": (["libedit.a"], ["-ltinfo"], r"""
#include <stdio.h>
#include <editline/readline.h>
int main(void) {
    char *(*line)(const char *) = readline;
    using_history(); add_history("print(42)");
    printf("ok %d %d\n", history_length, line != NULL); return 0;
}"""),
    "sqlite": (["libsqlite3.a"], ["-lm", "-lpthread"], r"""
#include <stdio.h>
#include <sqlite3.h>
int main(void) {
    sqlite3 *db; sqlite3_stmt *query;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
    if (sqlite3_prepare_v2(db, "select 6 * 7", -1, &query, 0) != SQLITE_OK || sqlite3_step(query) != SQLITE_ROW) return 2;
    printf("ok %d %s\n", sqlite3_column_int(query, 0), sqlite3_libversion());
    sqlite3_finalize(query); return sqlite3_close(db);
}"""),
    "openssl": (["libssl.a", "libcrypto.a"], ["-lpthread"], r"""
#include <stdio.h>
#include <openssl/ssl.h>
#include <openssl/evp.h>
int main(void) {
    SSL_CTX *context = SSL_CTX_new(TLS_method());
    unsigned char digest[EVP_MAX_MD_SIZE]; unsigned int size = 0;
    if (context == NULL || !EVP_Digest("abc", 3, digest, &size, EVP_sha256(), NULL)) return 1;
    printf("ok %s %u\n", OpenSSL_version(OPENSSL_VERSION), size); SSL_CTX_free(context); return 0;
}"""),
}


@pytest.fixture(scope="module", params=sorted(COMPILERS))
def built(request, tmp_path_factory):
    target = request.param
    if shutil.which(COMPILERS[target]) is None:
        pytest.skip(f"{COMPILERS[target]} is not installed")
    work = tmp_path_factory.mktemp(f"libraries-{target}")
    (work / "SConstruct").write_text(
        "env = Environment(tools=['default', 'slither'],\n"
        f"                  toolpath=[{str(ROOT / 'site_scons' / 'site_tools')!r}])\n"
        f"Default(env.LibraryPrefix(ARGUMENTS['LIBRARY'], target={target!r}, build_dir='out', jobs=2))\n")
    times = {}
    for name in RECIPES:
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "SCons", "-Q", "-C", str(work), f"LIBRARY={name}"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=3600)
        times[name] = time.monotonic() - started
        assert_built(result, what=f"{name} ({target})")
    print(f"\ncold library builds ({target}, JOBS=2): "
          + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in times.items()))
    prefixes = {path.name.split("-")[0]: path / "prefix" for path in (work / "out" / "libraries").iterdir()}
    yield target, work, prefixes
    shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("name", [name for name in RECIPES if name in PROGRAMS])
def test_archives_are_static_and_position_independent(built, name):
    target, work, prefixes = built
    for archive in PROGRAMS[name][0]:
        path = prefixes[name] / "lib" / archive
        assert path.is_file(), f"{name}: no lib/{archive}"
        assert subprocess.run(["ar", "t", str(path)], stdout=subprocess.PIPE, text=True).stdout.strip()
        # Linked whole into a shared object: any object compiled without -fPIC is refused.
        shared = work / f"{archive}.so"
        linked = subprocess.run([COMPILERS[target], "-shared", "-o", str(shared), "-Wl,--whole-archive", str(path),
                                 "-Wl,--no-whole-archive"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert linked.returncode == 0, f"{archive} is not position-independent:\n{linked.stdout[-2000:]}"
    assert not list(prefixes[name].glob("lib/*.so*")), f"{name} installed a shared library"


@pytest.mark.parametrize("name", [name for name in RECIPES if name in PROGRAMS])
def test_a_static_program_calls_the_library(built, name):
    target, work, prefixes = built
    archives, libraries, program = PROGRAMS[name]
    dependency = {"libedit": "ncurses"}.get(name)
    search = [prefixes[name]] + ([prefixes[dependency]] if dependency else [])
    source = work / f"{name}.c"
    source.write_text(program)
    binary = work / f"{name}-program"
    libs = [f"-l{archive[3:-2]}" for archive in archives if f"-l{archive[3:-2]}" not in libraries] + libraries
    compiled = subprocess.run([COMPILERS[target], "-static", "-o", str(binary), str(source),
                               *[f"-I{prefix / 'include'}" for prefix in search],
                               *[f"-L{prefix / 'lib'}" for prefix in search], *libs],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    ran = subprocess.run([str(binary)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert ran.returncode == 0 and ran.stdout.startswith("ok "), ran.stdout
    expected = {"libffi": "ok 42", "sqlite": "ok 42", "libuuid": "ok 36", "libedit": "ok 1 1", "ncurses": "ok 80"}
    if name in expected:
        assert ran.stdout.startswith(expected[name]), ran.stdout


def test_libedit_takes_the_ncurses_recipes_terminfo_library(built):
    _, _, prefixes = built
    pc = (prefixes["libedit"] / "lib" / "pkgconfig" / "libedit.pc").read_text()
    assert "-ltinfo" in pc and "-lncurses " not in pc and "-lcurses" not in pc, pc


def test_tcl_is_a_build_only_tool_that_runs_from_its_prefix(built):
    _, _, prefixes = built
    ran = subprocess.run([str(prefixes["tcl"] / "bin" / "tclsh8.6")], input="puts [expr {6 * 7}]\n",
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert ran.stdout.strip() == "42", ran.stdout
