"""Slither on a bare login node: a user without root, a C/C++/Fortran compiler, make, Python and
Perl, and no distribution -dev package (harness/bare_node.py emulates one with mmdebstrap and
chroot).

The default run: the README's set-up command passes as that user and says which optional tools
are absent, `scons -h` works, a missing compiler is one line, and a C library the gnu TARGET
builds from its pinned source builds there. `-m extended`: the README's full build of
MODULES=numpy,mpi4py there from a SOURCES directory, and the binary's stdlib C modules, numpy,
two MPI ranks and zero file syscalls on `import numpy` (counted from outside with strace).

Needs root and mmdebstrap (./bootstrap as root installs it); skips otherwise.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_built, ROOT, run_scons
from harness import bare_node

pytestmark = pytest.mark.slow

if bare_node.unavailable():
    pytest.skip(bare_node.unavailable(), allow_module_level=True)

CHECKOUT = Path("/home") / bare_node.USER / "slither"
SOURCES = Path("/home") / bare_node.USER / "sources"
# The README's set-up command, and what its two commands run after it.
SETUP = "./bootstrap"
ACTIVATE = ". .venv/bin/activate"
# Headers of the C libraries the stdlib's modules and numpy link: a -dev package would bring one.
DEV_HEADERS = ("zlib.h", "openssl/ssl.h", "ffi.h", "sqlite3.h", "lzma.h", "bzlib.h", "uuid/uuid.h",
               "ncurses.h", "readline/readline.h", "cblas.h", "gdbm.h")


@pytest.fixture(scope="session")
def node(tmp_path_factory):
    """One bare node per run (mmdebstrap takes about a minute), removed at the end."""
    directory = tmp_path_factory.mktemp("bare-node")
    try:
        made = bare_node.BareNode.create(directory / "root", log=directory / "mmdebstrap.log")
    except BaseException:
        bare_node.BareNode(directory / "root").remove()
        raise
    yield made
    made.remove()


@pytest.fixture(scope="session")
def set_up(node):
    """The checkout's files (tracked and new, not ignored: what a clone of this state holds) in
    the user's home, and the README's set-up command run there as that user."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, stdout=subprocess.PIPE).stdout.decode().split("\0")
    node.copy_in(ROOT, CHECKOUT, files=[name for name in listed if name and (ROOT / name).exists()])
    return node.run(SETUP, cwd=CHECKOUT, timeout=1800)


def test_the_node_has_no_dev_package_and_its_user_is_not_root(node):
    present = [header for header in DEV_HEADERS if node.outside(f"/usr/include/{header}").exists()]
    assert present == []
    assert node.run("id -u").stdout.strip() != "0"


def test_bootstrap_passes_as_a_user_without_root_and_names_the_absent_optional_tools(set_up):
    assert set_up.returncode == 0, set_up.stdout
    lines = set_up.stdout.splitlines()
    assert lines[-1].startswith("bootstrap: ready"), set_up.stdout
    assert "sudo" not in set_up.stdout and "apt-get" not in set_up.stdout
    absent = {line.split()[2] for line in lines if line.startswith("bootstrap: optional ")}
    assert {"strace", "mmdebstrap", "musl-gcc", "clang", "hyperfine"} <= absent, set_up.stdout
    assert all(": needed for " in line for line in lines if line.startswith("bootstrap: optional "))


def test_bootstrap_again_changes_nothing(node, set_up):
    again = node.run(SETUP, cwd=CHECKOUT, timeout=600)
    assert again.returncode == 0, again.stdout
    assert "making .venv" not in again.stdout


def test_scons_help_works_after_the_readme_set_up(node, set_up):
    result = node.run(f"{ACTIVATE} && scons -h", cwd=CHECKOUT, timeout=600)
    assert result.returncode == 0, result.stdout
    assert "MODULES" in result.stdout and "SOURCES" in result.stdout


def test_a_missing_fortran_compiler_is_one_line_naming_it(node, set_up):
    # A PATH with everything in /usr/bin but gfortran (/bin is /usr/bin on Debian 12).
    script = ("mkdir -p ~/no-fortran && for f in /usr/bin/*; do case ${f##*/} in *gfortran*) ;; "
              "*) ln -sf $f ~/no-fortran/ ;; esac; done && PATH=$HOME/no-fortran ./bootstrap")
    result = node.run(script, cwd=CHECKOUT, timeout=600)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "bootstrap: missing gfortran: install them or load them (e.g. module load gcc), then run ./bootstrap again"]


# The library built on the node in the default run: libffi, a configure script that probes the
# machine like every autotools recipe does, in well under a minute. The extended test builds all.
QUICK_LIBRARY = "libffi"


def quick_gnu_library():
    """QUICK_LIBRARY as the default TARGET=gnu plan builds it for the stdlib (not a profile extra)."""
    from slither.plan import build_plan
    from slither.recipes import loading
    profile = loading.load_target("gnu")
    plan = build_plan.plan_for(name="python-static", series=loading.default_series(), profile=profile)
    return next(recipe for recipe in plan.target_libraries if recipe.name == QUICK_LIBRARY), profile


def test_a_library_the_gnu_target_builds_from_source_builds_without_host_archives(node, set_up, tmp_path):
    """The quickest build step that shows a login node needs no -dev package: one of TARGET=gnu's
    own library recipes, its pinned source given in SOURCES (fetched on this machine)."""
    from slither.libraries.variants import directory_name
    recipe, profile = quick_gnu_library()
    from slither.cache import default_cache_dir
    from slither.sources.pinned import obtain
    tarball = obtain(recipe.source, search_dirs=[], store=Path(default_cache_dir()) / "downloads",
                     upstream_version=recipe.version, log=print)
    node.link_in([tarball], SOURCES)
    target = f"build/libraries/{directory_name(recipe.name, recipe.version, profile.name, 'static')}/prefix.tar"
    result = node.run(f"{ACTIVATE} && scons SOURCES={SOURCES} {target}", cwd=CHECKOUT, timeout=3600)
    assert result.returncode == 0, result.stdout[-6000:]
    assert node.outside(CHECKOUT / target).is_file()


CHECK_STDLIB = """
import ssl, hashlib, ctypes, sqlite3, lzma, bz2, curses, readline, uuid, zlib
import numpy
assert hashlib.sha256(b"abc").hexdigest().startswith("ba7816bf")
assert ssl.OPENSSL_VERSION
assert ctypes.sizeof(ctypes.c_double) == 8
connection = sqlite3.connect(":memory:")
assert connection.execute("select 6 * 7").fetchone() == (42,)
assert lzma.decompress(lzma.compress(b"x" * 1000)) == b"x" * 1000
assert bz2.decompress(bz2.compress(b"y" * 1000)) == b"y" * 1000
assert uuid.UUID(bytes=bytes(16)).int == 0
a = numpy.random.default_rng(1).standard_normal((200, 200))
identity = a @ numpy.linalg.inv(a)
assert numpy.allclose(identity, numpy.eye(200), atol=1e-8)
assert abs(numpy.fft.fft(numpy.ones(8))[0] - 8) < 1e-12
print("stdlib and numpy ok", numpy.__version__)
"""

CHECK_MPI = """
from mpi4py import MPI
world = MPI.COMM_WORLD
total = world.allreduce(world.Get_rank() + 1)
assert world.Get_size() == 2 and total == 3
print("rank", world.Get_rank(), "of", world.Get_size(), "sum", total)
"""


@pytest.mark.extended
def test_the_full_build_on_a_bare_node(node, set_up, tmp_path):
    """The README's `scons MODULES=numpy,mpi4py` on the bare node, every pinned source given in
    SOURCES: the sources are fetched on this machine first (the node's user has no deb-src
    entries to run `apt-get source` with), then nothing but SOURCES and pip's index is used."""
    assert set_up.returncode == 0, set_up.stdout
    fetched = tmp_path / "fetch"
    result = run_scons(["MODULES=numpy,mpi4py", f"BUILD_DIR={fetched}", str(fetched / "sources")])
    assert_built(result)
    node.link_in(sorted(p for p in (fetched / "sources").iterdir() if p.is_file()), SOURCES)

    build = node.run(f"{ACTIVATE} && scons MODULES=numpy,mpi4py SOURCES={SOURCES}", cwd=CHECKOUT, timeout=4 * 3600)
    assert build.returncode == 0, build.stdout[-8000:]
    assert "download " not in build.stdout and "apt-get source" not in build.stdout

    node.outside(CHECKOUT / "check_stdlib.py").write_text(CHECK_STDLIB)
    node.outside(CHECKOUT / "check_mpi.py").write_text(CHECK_MPI)
    stdlib = node.run("build/bin/python-static check_stdlib.py", cwd=CHECKOUT, timeout=600)
    assert stdlib.returncode == 0 and "stdlib and numpy ok" in stdlib.stdout, stdlib.stdout
    ranks = node.run("build/bin/mpiexec -n 2 build/bin/python-static check_mpi.py", cwd=CHECKOUT, timeout=600)
    assert ranks.returncode == 0, ranks.stdout
    assert sorted(line for line in ranks.stdout.splitlines() if line.startswith("rank ")) == [
        "rank 0 of 2 sum 3", "rank 1 of 2 sum 3"]

    log = tmp_path / "import-numpy.strace"
    traced = node.run("build/bin/python-static -c 'import numpy'", cwd=CHECKOUT, timeout=600, trace=log)
    assert traced.returncode == 0, traced.stdout
    calls = binary_file_calls(log.read_text(errors="replace").splitlines(), "python-static")
    assert calls == [], "\n".join(call.line for call in calls)


def binary_file_calls(lines, program):
    """The file calls that count against start-up, made by the process that exec'd `program`
    (strace follows the whole chain from outside: unshare, mount, chroot, env, bash)."""
    from slither.inspect.audit import parse_strace, counts_against_startup
    start = next(index for index, line in enumerate(lines)
                 if " execve(" in line and program in line.split("execve(", 1)[1].split(",", 1)[0])
    pid = lines[start].split()[0]
    own = [line for line in lines[start:] if line.split(maxsplit=1)[0] == pid]
    return [call for call in parse_strace(own) if counts_against_startup(call)]
