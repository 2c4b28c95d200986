"""The library build step (build_system "autotools") on a tiny configure/make project: a real
static library and a wrapper script that names its prefix, archived and unpacked elsewhere."""

import hashlib
import re
import io
import subprocess
import sys
import tarfile

import pytest

from conftest import assert_built, ROOT, profile_data_file
from slither.libraries.build import canonical_prefix
from slither.recipes.recipe import is_library

CONFIGURE = """#!/bin/sh
prefix=/usr/local
for argument in "$@"; do
  case "$argument" in
    --prefix=*) prefix="${argument#--prefix=}" ;;
    --greeting=*) greeting="${argument#--greeting=}" ;;
  esac
done
cat > Makefile <<EOF
all: libtiny.a tinycc
libtiny.a: tiny.c
\t\\$(CC) \\$(CFLAGS) -c tiny.c -o tiny.o
\t\\$(AR) rcs libtiny.a tiny.o
tinycc:
\tprintf '#!/bin/sh\\\\necho -I$prefix/include -L$prefix/lib -ltiny\\\\n' > tinycc
install:
\tmkdir -p \\$(DESTDIR)$prefix/lib \\$(DESTDIR)$prefix/include \\$(DESTDIR)$prefix/bin \\$(DESTDIR)$prefix/share/man/man1
\tcp libtiny.a \\$(DESTDIR)$prefix/lib/
\techo 'int tiny(void); /* $greeting */' > \\$(DESTDIR)$prefix/include/tiny.h
\tcp tinycc \\$(DESTDIR)$prefix/bin/ && chmod +x \\$(DESTDIR)$prefix/bin/tinycc
\techo manual > \\$(DESTDIR)$prefix/share/man/man1/tinycc.1
EOF
"""


def tiny_source(tmp_path):
    tarball = tmp_path / "tiny-1.0.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        for name, content, mode in (("tiny-1.0/configure", CONFIGURE.encode(), 0o755),
                                    ("tiny-1.0/tiny.c", b"int tiny(void) { return 42; }\n", 0o644)):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(content), mode
            tar.addfile(info, io.BytesIO(content))
    return tarball, hashlib.sha256(tarball.read_bytes()).hexdigest()


def build(tmp_path, source, sha256, *extra):
    return subprocess.run([sys.executable, "-m", "slither.libraries.build", "--name", "tiny", "--version", "1.0",
                           "--source", str(source), "--sha256", sha256, "--target", str(profile_data_file(tmp_path)),
                           "--configure-flag=--greeting=hello", "--work", str(tmp_path / "work"),
                           "--log", str(tmp_path / "build.log"), "--output", str(tmp_path / "prefix.tar"), *extra],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


def test_autotools_library_is_installed_into_a_canonical_prefix_archive(tmp_path):
    source, sha256 = tiny_source(tmp_path)
    result = build(tmp_path, source, sha256)
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()
    with tarfile.open(tmp_path / "prefix.tar") as tar:
        names = sorted(tar.getnames())
        header = tar.extractfile("include/tiny.h").read().decode()
        wrapper = tar.extractfile("bin/tinycc").read().decode()
    assert "lib/libtiny.a" in names and not any(name.startswith("share/man") for name in names)
    assert "hello" in header  # the recipe's configure flags reached ./configure
    assert f"-L{canonical_prefix('tiny')}/lib" in wrapper
    assert not (tmp_path / "work").exists()
    # its cost, said and kept as the log's last line (bench/build_costs.py reads it)
    last = (tmp_path / "build.log").read_text().splitlines()[-1]
    assert re.fullmatch(r"# built in \d+ min \d\d s \(CPU \d+ min \d\d s\)", last), last
    assert f"tiny 1.0 (gnu): {last[2:]}" in result.stdout


def test_a_source_that_is_not_the_pinned_one_builds_nothing(tmp_path):
    source, _ = tiny_source(tmp_path)
    result = build(tmp_path, source, "0" * 64)
    assert result.returncode == 1 and "sha256 mismatch" in result.stderr
    assert not (tmp_path / "prefix.tar").exists()


def test_unpacked_prefix_points_its_scripts_at_where_it_is(tmp_path):
    import importlib
    sys.path.insert(0, str(ROOT / "site_scons" / "site_tools"))
    try:
        libraries = importlib.import_module("slither_libraries")
        steps = importlib.import_module("slither_steps")
    finally:
        sys.path.pop(0)
    source, sha256 = tiny_source(tmp_path)
    assert build(tmp_path, source, sha256).returncode == 0
    marker = tmp_path / "unpacked" / "prefix" / libraries.PREFIX_MARKER
    marker.parent.parent.mkdir()
    assert steps._unpack_archive([marker], [tmp_path / "prefix.tar"],
                                 {"SLITHER_UNPACKED_FILE": libraries.PREFIX_MARKER, "SLITHER_UNPACK_MARKER": True,
                                  "SLITHER_CANONICAL_PREFIX": canonical_prefix("tiny")}) == 0
    assert marker.is_file()
    shown = subprocess.run([str(marker.parent / "bin" / "tinycc")], stdout=subprocess.PIPE, text=True).stdout
    assert shown.split() == [f"-I{marker.parent}/include", f"-L{marker.parent}/lib", "-ltiny"]


# --- the build fields of library recipes: a plain Makefile, another configure script in a
# subdirectory, make and install words, and the prefixes of depends_on ---

def make_source(tmp_path, name, files):
    """A tarball of {relative path: (content, mode)} under name/, and its sha256."""
    tarball = tmp_path / f"{name}.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:
        for relative, (content, mode) in files.items():
            info = tarfile.TarInfo(f"{name}/{relative}")
            info.size, info.mode = len(content.encode()), mode
            tar.addfile(info, io.BytesIO(content.encode()))
    return tarball, hashlib.sha256(tarball.read_bytes()).hexdigest()


def run_build(tmp_path, source, sha256, *arguments, name="tiny"):
    return subprocess.run([sys.executable, "-m", "slither.libraries.build", "--name", name, "--version", "1.0",
                           "--source", str(source), "--sha256", sha256, "--target", str(profile_data_file(tmp_path)),
                           "--work", str(tmp_path / "work"), "--log", str(tmp_path / "build.log"),
                           "--output", str(tmp_path / "prefix.tar"), "--jobs", "2", *arguments],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


def archived(tmp_path, member):
    with tarfile.open(tmp_path / "prefix.tar") as tar:
        return tar.extractfile(member).read().decode()


# bzip2's shape: the toolchain assigned in the Makefile, no configure, no DESTDIR, PREFIX= only.
PLAIN_MAKEFILE = """CC=false
AR=false
RANLIB=false
CFLAGS=-DNOT_THE_STEPS
PREFIX=/usr/local
all: libtiny.a
libtiny.a: tiny.c
\t$(CC) $(CFLAGS) -c tiny.c -o tiny.o
\t$(AR) rcs libtiny.a tiny.o
\t$(RANLIB) libtiny.a
install: libtiny.a
\tmkdir -p $(PREFIX)/lib $(PREFIX)/include
\tcp libtiny.a $(PREFIX)/lib/
\tln -s -f $(PREFIX)/lib/libtiny.a $(PREFIX)/lib/libtiny-1.a
\techo '/* $(CC) $(CFLAGS) */' > $(PREFIX)/include/tiny.h
"""


def test_makefile_build_gives_make_the_targets_toolchain_and_installs_through_prefix(tmp_path):
    source, sha256 = make_source(tmp_path, "tiny-1.0", {"Makefile": (PLAIN_MAKEFILE, 0o644),
                                                        "tiny.c": ("int tiny(void) { return 42; }\n", 0o644)})
    result = run_build(tmp_path, source, sha256, "--build-system", "makefile",
                       "--install-flag=PREFIX={destdir}{prefix}")
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()
    header = archived(tmp_path, "include/tiny.h")
    assert header.startswith("/* gcc ") and "-fPIC" in header and "NOT_THE_STEPS" not in header
    with tarfile.open(tmp_path / "prefix.tar") as tar:
        assert "lib/libtiny.a" in tar.getnames()
        assert tar.getmember("lib/libtiny-1.a").linkname == "libtiny.a"  # not the staging directory's path


def test_makefile_build_refuses_configure_flags(tmp_path):
    source, sha256 = make_source(tmp_path, "tiny-1.0", {"Makefile": (PLAIN_MAKEFILE, 0o644)})
    result = run_build(tmp_path, source, sha256, "--build-system", "makefile", "--configure-flag=--x")
    assert result.returncode != 0 and "give --make-flag instead" in result.stderr


# OpenSSL's and tcl's shape: another configure script, run in a subdirectory; make targets and
# install words chosen by the recipe.
SUBDIR_CONFIGURE = """#!/bin/sh
echo "configured by $0 $*" > configured.txt
cat > Makefile <<'EOF'
all:
\techo all > built-all.txt
tool:
\techo tool > built-tool.txt
install_sw:
\tmkdir -p $(DESTDIR)$(P)/lib $(DESTDIR)$(P)/include
\tcp configured.txt $(DESTDIR)$(P)/include/
\tls built-*.txt > $(DESTDIR)$(P)/include/built.txt
\techo "$(EXTRA)" > $(DESTDIR)$(P)/include/extra.txt
\ttouch $(DESTDIR)$(P)/lib/libtiny.a
EOF
"""


def test_configure_script_build_directory_make_and_install_words(tmp_path):
    source, sha256 = make_source(tmp_path, "tiny-1.0", {"unix/Configure": (SUBDIR_CONFIGURE, 0o755)})
    result = run_build(tmp_path, source, sha256, "--configure-script=./Configure", "--build-directory=unix",
                       "--configure-flag=no-shared", "--make-flag=tool", "--make-flag=P={prefix}",
                       "--install-target=install_sw", "--install-flag=EXTRA=only-at-install")
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()
    assert archived(tmp_path, "include/configured.txt").split() == [
        "configured", "by", "./Configure", f"--prefix={canonical_prefix('tiny')}", "no-shared"]
    assert archived(tmp_path, "include/built.txt").split() == ["built-tool.txt"]  # make_flags chose the target
    assert archived(tmp_path, "include/extra.txt").strip() == "only-at-install"


# What a dependency's prefix looks like to the build: configure records the environment.
DEPENDENT_CONFIGURE = """#!/bin/sh
for argument in "$@"; do
  case "$argument" in --tool=*) tool="${argument#--tool=}" ;; esac
done
cat > Makefile <<EOF
all:
install:
\tmkdir -p \\$(DESTDIR)/opt/slither/tiny/lib \\$(DESTDIR)/opt/slither/tiny/lib/pkgconfig
\ttouch \\$(DESTDIR)/opt/slither/tiny/lib/libtiny.a
\techo 'CPPFLAGS=$CPPFLAGS' > \\$(DESTDIR)/opt/slither/tiny/lib/pkgconfig/tiny.pc
\techo 'LDFLAGS=$LDFLAGS' >> \\$(DESTDIR)/opt/slither/tiny/lib/pkgconfig/tiny.pc
\techo 'PKG_CONFIG_PATH=$PKG_CONFIG_PATH' >> \\$(DESTDIR)/opt/slither/tiny/lib/pkgconfig/tiny.pc
\techo "TOOL=\\$\\$(which dep-tool) $tool" >> \\$(DESTDIR)/opt/slither/tiny/lib/pkgconfig/tiny.pc
EOF
"""


def test_dependency_prefixes_come_first_and_are_archived_by_their_canonical_name(tmp_path):
    dependency = tmp_path / "somewhere" / "dep" / "prefix"
    (dependency / "bin").mkdir(parents=True)
    (dependency / "bin" / "dep-tool").write_text("#!/bin/sh\n")
    (dependency / "bin" / "dep-tool").chmod(0o755)
    source, sha256 = make_source(tmp_path, "tiny-1.0", {"configure": (DEPENDENT_CONFIGURE, 0o755)})
    result = run_build(tmp_path, source, sha256, f"--dependency=dep={dependency}",
                       "--configure-flag=--tool={prefix:dep}/bin/dep-tool")
    assert result.returncode == 0, result.stderr + (tmp_path / "build.log").read_text()
    lines = dict(line.split("=", 1) for line in archived(tmp_path, "lib/pkgconfig/tiny.pc").splitlines())
    # The archive names the dependency's canonical prefix, never where this BUILD_DIR put it.
    assert str(tmp_path) not in "".join(lines.values())
    assert lines["CPPFLAGS"].split()[0] == "-I/opt/slither/dep/include"
    assert lines["LDFLAGS"].split()[0] == "-L/opt/slither/dep/lib"
    assert lines["PKG_CONFIG_PATH"].split(":")[0] == "/opt/slither/dep/lib/pkgconfig"
    assert lines["TOOL"].split() == ["/opt/slither/dep/bin/dep-tool"] * 2  # first on PATH; {prefix:dep}


def test_a_flag_naming_a_prefix_that_is_no_dependency_is_one_line(tmp_path):
    source, sha256 = make_source(tmp_path, "tiny-1.0", {"configure": (DEPENDENT_CONFIGURE, 0o755)})
    result = run_build(tmp_path, source, sha256, "--configure-flag=TCLSH_CMD={prefix:tcl}/bin/tclsh8.6")
    assert result.returncode != 0
    assert "names {prefix:tcl}, but tcl is not among the recipe's depends_on (none)" in result.stderr


def test_a_failing_library_build_names_itself_its_log_and_its_last_lines(tmp_path):
    failing = "#!/bin/sh\necho 'checking for a working frobnicator... no'\nexit 1\n"
    source, sha256 = make_source(tmp_path, "tiny-1.0", {"configure": (failing, 0o755)})
    result = run_build(tmp_path, source, sha256)
    assert result.returncode != 0
    assert "tiny 1.0 (gnu) configure failed" in result.stderr and str(tmp_path / "build.log") in result.stderr
    assert "checking for a working frobnicator... no" in result.stderr


# --- the recipe fields, as the loader checks them ---

def write_library_recipe(tmp_path, name, body):
    (tmp_path / "libraries").mkdir(exist_ok=True)
    (tmp_path / "libraries" / f"{name}.py").write_text(
        "from slither.recipes import Source\n"
        f"name = {name!r}\nversion = '1'\nsource = Source('{name}-1.tar.gz', '{'0' * 64}')\nlicence = 'MIT'\n" + body)


def test_library_build_fields_load_with_their_defaults(tmp_path):
    from slither.recipes import module_recipes
    write_library_recipe(tmp_path, "plain", "build_system = 'makefile'\ninstall_flags = ['PREFIX={prefix}']\n")
    write_library_recipe(tmp_path, "tool", "build_system = 'autotools'\nbuild_only = True\nbuild_directory = 'unix'\n"
                                           "configure_script = './Configure'\nmake_flags = ['binaries']\n"
                                           "install_target = 'install-binaries'\ndepends_on = ['plain']\n")
    plain = module_recipes.load_module_recipe("plain", modules_dir=tmp_path)
    tool = module_recipes.load_module_recipe("tool", modules_dir=tmp_path)
    assert is_library(plain) and plain.install_flags == ("PREFIX={prefix}",)
    assert (plain.configure_script, plain.build_directory, plain.install_target, plain.build_only) == (
        "./configure", "", "install", False)
    assert (tool.build_only, tool.build_directory, tool.configure_script, tool.make_flags, tool.install_target,
            tool.depends_on) == (True, "unix", "./Configure", ("binaries",), "install-binaries", ("plain",))


@pytest.mark.parametrize("body, message", [
    ("build_system = 'makefile'\nconfigure_flags = ['--x']\n", "runs no configure script; give make_flags"),
    ("build_system = 'autotools'\nbuild_directory = '../elsewhere'\n", "must be a folder inside the source tree"),
    ("build_system = 'autotools'\nbuild_only = 'yes'\n", "build_only must be True or False"),
    ("build_system = 'autotools'\ninstall_target = ''\n", "install_target must be a non-empty string"),
    ("build_system = 'autotools'\nmake_flags = 'PREFIX=/x'\n", "make_flags must be a list"),
])
def test_bad_library_build_fields_are_one_line(tmp_path, body, message):
    from slither.errors import SlitherError
    from slither.recipes import module_recipes
    write_library_recipe(tmp_path, "odd", body)
    with pytest.raises(SlitherError, match=message.replace("(", r"\(")):
        module_recipes.load_module_recipe("odd", modules_dir=tmp_path)


# --- the SCons tool: depends_on built first, its prefix handed over outside the signature ---

def test_library_prefix_declares_its_dependency_first_and_hands_over_its_prefix(tmp_path):
    (tmp_path / "SConstruct").write_text(
        "env = Environment(tools=['default', 'slither'],\n"
        f"                  toolpath=[{str(ROOT / 'site_scons' / 'site_tools')!r}], SLITHER_CACHE_DIR='')\n"
        "Default(env.LibraryPrefix('libedit', build_dir='out', jobs=2, verbose=True))\n")
    result = subprocess.run([sys.executable, "-m", "SCons", "-n", "-Q", "-C", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=120)
    assert_built(result)
    builds = [line for line in result.stdout.splitlines() if "-m slither.libraries.build" in line]
    assert [line.split("--name ")[1].split()[0] for line in builds] == ["ncurses", "libedit"]
    prefix = tmp_path / "out" / "libraries" / "ncurses-6.5+20250216-gnu" / "prefix"
    assert f"--dependency=ncurses={prefix}" in builds[1]
    assert "--configure-flag=ac_cv_lib_ncurses_tgetent=no" in builds[1]
    # A library recipe's patches are named as in patches/, like a package's.
    assert f"--patch {ROOT / 'patches' / 'libedit' / 'chartype-linux-wchar-is-iso-10646.patch'}" in builds[1]


def test_a_flag_the_shell_would_interpret_is_refused_before_anything_builds(tmp_path):
    (tmp_path / "libraries").mkdir()
    (tmp_path / "libraries" / "odd.py").write_text(
        "from slither.recipes import Source\nname = 'odd'\nversion = '1'\n"
        f"source = Source('odd-1.tar.gz', '{'0' * 64}')\nlicence = 'MIT'\nbuild_system = 'makefile'\n"
        "install_flags = ['PREFIX=$(DESTDIR)/usr']\n")
    sys.path.insert(0, str(ROOT / "site_scons" / "site_tools"))
    try:
        import importlib
        libraries = importlib.import_module("slither_libraries")
    finally:
        sys.path.pop(0)
    from slither.errors import SlitherError
    from slither.recipes import module_recipes
    recipe = module_recipes.load_module_recipe("odd", modules_dir=tmp_path)
    with pytest.raises(SlitherError, match=r"flag 'PREFIX=\$\(DESTDIR\)/usr' holds white space or one of"):
        libraries._recipe_arguments(recipe, recipe.configure_flags)


def test_library_prefix_refuses_a_package_recipe(tmp_path):
    (tmp_path / "SConstruct").write_text(
        "env = Environment(tools=['default', 'slither'],\n"
        f"                  toolpath=[{str(ROOT / 'site_scons' / 'site_tools')!r}], SLITHER_CACHE_DIR='')\n"
        "Default(env.LibraryPrefix('markupsafe', build_dir='out'))\n")
    result = subprocess.run([sys.executable, "-m", "SCons", "-n", "-Q", "-C", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode != 0 and "markupsafe is not a library recipe" in result.stdout + result.stderr


def test_a_library_recipes_patches_are_named_inside_patches_and_its_dependency_prefix_reaches_make(tmp_path):
    """openblas: lapack (build_only) is built first; both recipes' patches are found in patches/
    whatever directory the SConstruct is in; {prefix:lapack} is filled in by the step, not SCons."""
    (tmp_path / "SConstruct").write_text(
        "env = Environment(tools=['default', 'slither'],\n"
        f"                  toolpath=[{str(ROOT / 'site_scons' / 'site_tools')!r}], SLITHER_CACHE_DIR='')\n"
        "Default(env.LibraryPrefix('openblas', build_dir='out', jobs=2, verbose=True))\n")
    result = subprocess.run([sys.executable, "-m", "SCons", "-n", "-Q", "-C", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=120)
    assert_built(result)
    builds = [line for line in result.stdout.splitlines() if "-m slither.libraries.build" in line]
    assert [line.split("--name ")[1].split()[0] for line in builds] == ["lapack", "openblas"]
    assert f"--patch {ROOT / 'patches' / 'lapack' / 'make-inc-and-install-rule.patch'}" in builds[0]
    assert f"--patch {ROOT / 'patches' / 'openblas'}/0001-" in builds[1]
    prefix = tmp_path / "out" / "libraries" / "lapack-3.11.0-gnu" / "prefix"
    assert f"--dependency=lapack={prefix}" in builds[1]
    assert "--make-flag=LAPACK_ARCHIVE={prefix:lapack}/lib/liblapack.a" in builds[1]
