"""TARGET profiles as data (gnu, musl, cray, a site's file) and the Cray PE stand-ins: fast tests.

The builds themselves are slow tests: tests/test_musl.py, tests/test_cray.py, tests/test_site_profile.py.
"""

import dataclasses
import os
import subprocess
from pathlib import Path

import pytest

from conftest import assert_built, ROOT, run_scons
from craype import STANDINS, craype_environment, output_of, read_log
from slither.plan import build_plan, resolve
from slither.recipes import loading
from slither.archive_probe import archive_found
from slither.cpython import build as cpython_build
from slither.errors import SlitherError

HELLO = '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'


def test_scons_help_lists_every_builtin_profile():
    result = run_scons(["-h"], timeout=120)
    assert_built(result)
    line = next(line for line in result.stdout.splitlines() if line.startswith("TARGET:"))
    for name in ("cray", "gnu", "musl"):
        assert name in line


@pytest.mark.parametrize("name", ["gnu", "musl", "cray"])
def test_builtin_profiles_load_as_data(name):
    profile = loading.load_target(name)
    assert profile.CC and profile.AR and profile.static_link_flags


def test_musl_profile_has_no_cxx_and_builds_every_stdlib_library_from_its_recipe():
    profile = loading.load_target("musl")
    assert profile.CXX == "" and profile.FC == ""
    gnu = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("gnu"))
    musl = build_plan.plan_for(name="p", series="3.11", profile=profile)
    assert [recipe.name for recipe in musl.target_libraries] == [recipe.name for recipe in gnu.target_libraries]
    assert {"openssl", "libffi", "sqlite", "xz", "bzip2", "zlib", "ncurses", "libedit", "libuuid"} <= \
        {recipe.name for recipe in musl.target_libraries}
    # libuuid's configure needs the kernel headers musl-gcc does not search for
    assert profile.kernel_headers_from_host and not profile.stdlib_libraries_left_out


def test_musl_build_tools_are_the_musllinux_wheels_and_others_get_manylinux():
    """The musl host interpreter's pip installs musllinux wheels only; a profile that says
    nothing (gnu, cray, a site's) keeps the glibc ones."""
    musl = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("musl"), modules=["markupsafe"])
    gnu = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("gnu"), modules=["markupsafe"])
    compiled = lambda plan: sorted(s.filename for s, _ in plan.build_tool_wheels if not s.filename.endswith("-any.whl"))
    assert [name.split("-")[0] for name in compiled(musl)] == ["cython", "ninja", "pkgconf"]
    assert all("musllinux" in name for name in compiled(musl)), compiled(musl)
    assert all("manylinux" in name for name in compiled(gnu)), compiled(gnu)
    assert loading.load_target("cray").wheel_platform == "manylinux"


def test_an_unknown_wheel_platform_is_one_line_naming_the_choices(tmp_path):
    profile = tmp_path / "odd.py"
    profile.write_text('CC = "gcc"\nCXX = "g++"\nFC = ""\nAR = "ar"\nRANLIB = "ranlib"\n'
                       'wheel_platform = "macosx"\n')
    with pytest.raises(SlitherError, match="wheel_platform = 'macosx'; choose one of manylinux, musllinux"):
        loading.load_target(str(profile))


def test_a_profile_field_left_empty_must_still_be_declared(tmp_path):
    profile = tmp_path / "noc.py"
    profile.write_text('CC = "gcc"\nCXX = ""\nAR = "ar"\nRANLIB = "ranlib"\n')
    with pytest.raises(SlitherError, match="lacks FC"):
        loading.load_target(str(profile))


def test_trial_link_sees_what_musl_gcc_really_links(tmp_path):
    """musl-gcc -print-file-name names glibc's libssl.a, which its linker never searches:
    only a trial link tells the truth."""
    assert archive_found("gcc", "libssl.a", dict(os.environ))
    assert not archive_found("musl-gcc", "libssl.a", dict(os.environ))
    assert archive_found("musl-gcc", "libc.a", dict(os.environ))


def test_musl_finds_zlib_in_a_recipe_prefix(tmp_path):
    prefix = tmp_path / "prefix"
    (prefix / "lib").mkdir(parents=True)
    source = tmp_path / "z.c"
    source.write_text("int zlib_standin(void) { return 1; }\n")
    subprocess.run(["musl-gcc", "-c", str(source), "-o", str(tmp_path / "z.o")], check=True)
    subprocess.run(["ar", "rcs", str(prefix / "lib" / "libz.a"), str(tmp_path / "z.o")], check=True)
    _, search_flags = cpython_build.library_prefix_flags([prefix])
    assert archive_found("musl-gcc", "libz.a", dict(os.environ), search_flags)


def test_setup_local_drops_lines_of_left_out_modules():
    lines = ("_ctypes _ctypes/_ctypes.c -lffi", "readline readline.c -l{readline} -ltinfo")
    text = cpython_build.setup_local_text(lines, {"_ctypes": "no libffi"}, {"readline": "edit"})
    assert "readline readline.c" in text and "_ctypes" not in text and "*static*" in text


def test_libraries_merged_into_libpython_leave_the_link_line():
    flags = cpython_build.without_merged_libraries(["-lz", "-lm", "-lzstd"], [Path("/p/lib/libz.a")])
    assert flags == ["-lm", "-lzstd"]


def test_missing_program_error_uses_the_profile_hint(tmp_path):
    profile = tmp_path / "site.py"
    profile.write_text('CC = "no-such-cc-driver"\nCXX = ""\nFC = ""\nAR = "ar"\nRANLIB = "ranlib"\n'
                       'toolchain_hint = "module load PrgEnv-site"\n')
    with pytest.raises(SlitherError, match="no-such-cc-driver.*module load PrgEnv-site"):
        build_plan.plan_for(name="p", series="3.11", profile=loading.load_target(str(profile)))


def test_cray_profile_takes_mpi_from_its_driver_and_never_builds_mpich(tmp_path):
    environment = craype_environment(tmp_path, tmp_path / "log")
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environment)
    try:
        plan = build_plan.plan_for(name="p", series="3.11", profile=loading.load_target("cray"), modules=["mpi4py"])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert plan.mpi.kind == "compiler" and plan.mpi.wrapper == ("cc",) and plan.mpi.link_flags == ()
    assert [recipe.name for recipe in plan.recipes] == ["mpi4py"]


# --- the stand-ins behave like the real drivers where it matters -----------------------------

def standin(tmp_path, *arguments, **extra):
    environment = craype_environment(tmp_path, tmp_path / "log", **extra)
    return subprocess.run(list(arguments), cwd=tmp_path, env=environment, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def file_kind(path: Path) -> str:
    return subprocess.run(["file", "-b", str(path)], stdout=subprocess.PIPE, text=True).stdout


def test_build_path_offers_no_compiler_and_no_mpicc_only_the_drivers(tmp_path):
    environment = craype_environment(tmp_path, tmp_path / "log")
    import shutil
    for program in ("gcc", "g++", "gfortran", "c++", "mpicc", "mpiexec", "x86_64-linux-gnu-gcc"):
        assert shutil.which(program, path=environment["PATH"]) is None, program
    for driver in ("cc", "CC", "ftn"):
        assert Path(shutil.which(driver, path=environment["PATH"])).parent == STANDINS


@pytest.mark.parametrize("arguments, link_type, expected", [
    ([], {}, "dynamically linked"),
    (["-static"], {}, "statically linked"),
    ([], {"CRAYPE_LINK_TYPE": "static"}, "statically linked"),
    (["-dynamic"], {"CRAYPE_LINK_TYPE": "static"}, "dynamically linked"),
])
def test_link_type_follows_craype_link_type_and_the_flags(tmp_path, arguments, link_type, expected):
    (tmp_path / "hello.c").write_text(HELLO)
    result = standin(tmp_path, "cc", *arguments, "hello.c", "-o", "hello", **link_type)
    assert result.returncode == 0, result.stderr
    assert expected in file_kind(tmp_path / "hello")
    assert subprocess.run([str(tmp_path / "hello")], stdout=subprocess.PIPE, text=True).stdout == "hello\n"
    (record,) = read_log(tmp_path / "log")
    assert record["driver"] == "cc" and record["action"] == "link"
    assert record["link_type"] == ("static" if "statically" in expected else "dynamic")
    assert "-dynamic" not in record["command"]


def test_shared_link_makes_a_shared_object(tmp_path):
    (tmp_path / "lib.c").write_text("int answer(void) { return 42; }\n")
    result = standin(tmp_path, "cc", "-fPIC", "-shared", "lib.c", "-o", "libanswer.so")
    assert result.returncode == 0, result.stderr
    assert "shared object" in file_kind(tmp_path / "libanswer.so")
    assert read_log(tmp_path / "log")[0]["link_type"] == "shared"


def test_drivers_add_mpi_flags_themselves(tmp_path):
    """With cray-mpich loaded (CRAY_MPICH_DIR), a program that includes mpi.h and calls MPI
    compiles and links with no -I, -L or -l of its own."""
    mpich = tmp_path / "mpich"
    (mpich / "include").mkdir(parents=True)
    (mpich / "lib").mkdir()
    (mpich / "include" / "mpi.h").write_text("int MPI_Init(int *argc, char ***argv);\n")
    (tmp_path / "mpi.c").write_text("int MPI_Init(int *argc, char ***argv) { return 0; }\n")
    subprocess.run(["gcc", "-c", "mpi.c", "-o", "mpi.o"], cwd=tmp_path, check=True)
    subprocess.run(["ar", "rcs", str(mpich / "lib" / "libmpi.a"), "mpi.o"], cwd=tmp_path, check=True)
    (tmp_path / "app.c").write_text('#include <mpi.h>\nint main(int c, char **v) { return MPI_Init(&c, &v); }\n')
    compiled = standin(tmp_path, "cc", "-c", "app.c", "-o", "app.o", mpich_dir=mpich)
    assert compiled.returncode == 0, compiled.stderr
    linked = standin(tmp_path, "cc", "-static", "app.o", "-o", "app", mpich_dir=mpich)
    assert linked.returncode == 0, linked.stderr
    assert "statically linked" in file_kind(tmp_path / "app")
    compile_record, link_record = read_log(tmp_path / "log")
    assert f"-I{mpich}/include" in compile_record["command"]
    assert f"-L{mpich}/lib" in link_record["command"] and "-lmpi" in link_record["command"]
    assert output_of(link_record) == "app"


def test_cxx_and_fortran_drivers_are_logged_too(tmp_path):
    (tmp_path / "hello.cc").write_text('#include <cstdio>\nint main() { std::puts("hello"); }\n')
    result = standin(tmp_path, "CC", "hello.cc", "-o", "hello")
    assert result.returncode == 0, result.stderr
    assert read_log(tmp_path / "log")[0]["driver"] == "CC"
    assert read_log(tmp_path / "log")[0]["command"][0] == "g++"


# --- a site profile by path: the clang example ------------------------------------------------

CLANG_PROFILE = ROOT / "targets" / "examples" / "clang.py"


def test_clang_example_profile_builds_and_captures_a_tiny_extension(tmp_path):
    """The capture layer's tiny setuptools extension, compiled and linked by the profile's clang
    (not gcc): the real .so imports, and its static twin keeps only its init function global."""
    import sys
    from capture_fixtures import TINYPKG, global_definitions, setuptools_build, write_files
    from slither.capture import write_wrappers
    from slither.capture.records import read_records

    profile = loading.load_target(str(CLANG_PROFILE))
    assert profile.name == "clang" and profile.CC == "clang"
    resolve.check_toolchain(profile)
    record_dir = tmp_path / "records"
    env = write_wrappers(tmp_path / "wrappers", real_cc=profile.CC, real_cxx=profile.CXX,
                         python=sys.executable, record_dir=record_dir)
    build_lib = setuptools_build(write_files(tmp_path / "tinypkg", TINYPKG), env)
    imported = subprocess.run([sys.executable, "-c", "import tinypkg.sub._speed as m; print(m.call_helper())"],
                              env={**os.environ, "PYTHONPATH": str(build_lib)}, stdout=subprocess.PIPE, text=True)
    assert imported.stdout.strip() == "7"
    (record,) = read_records(record_dir)
    assert global_definitions(record.object) == ["PyInit__speed"]
    comment = subprocess.run(["readelf", "-p", ".comment", str(record.object)], stdout=subprocess.PIPE,
                             text=True).stdout
    assert "clang version" in comment, comment


def test_cray_passes_the_module_environment_to_its_drivers_and_nothing_else():
    profile = loading.load_target("cray")
    caller = {"CRAY_MPICH_DIR": "/opt/cray/pe/mpich/8.1.28/ofi/gnu/12.3", "PE_ENV": "GNU",
              "CRAYPE_LINK_TYPE": "static", "HOME": "/home/u", "SECRET_TOKEN": "x"}
    assert build_plan.passed_variables(profile, caller) == {
        "CRAY_MPICH_DIR": "/opt/cray/pe/mpich/8.1.28/ofi/gnu/12.3", "PE_ENV": "GNU", "CRAYPE_LINK_TYPE": "static"}
    assert build_plan.passed_variables(loading.load_target("gnu"), caller) == {}
    # The profile's own environment wins over the caller's: CPython's host stays dynamic.
    assert profile.environment["CRAYPE_LINK_TYPE"] == "dynamic"


def test_a_toolchain_without_cxx_gets_a_cxx_wrapper_that_says_so(tmp_path):
    import sys
    from slither.capture import write_wrappers
    env = write_wrappers(tmp_path / "wrappers", real_cc="musl-gcc", real_cxx="", python=sys.executable,
                         record_dir=tmp_path / "records")
    (tmp_path / "x.cc").write_text("int main() { return 0; }\n")
    result = subprocess.run([env["CXX"], "x.cc"], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    assert result.returncode != 0
    assert "no C++ compiler (its profile leaves CXX empty)" in result.stderr


def test_drivers_take_mpi_flags_from_the_modules_pkg_config_file(tmp_path):
    mpich = tmp_path / "mpich"
    (mpich / "lib" / "pkgconfig").mkdir(parents=True)
    (mpich / "lib" / "pkgconfig" / "mpich.pc").write_text(
        f"prefix={mpich}\nlibdir=${{prefix}}/lib\nincludedir=${{prefix}}/include\n\nName: mpich\n"
        "Libs: -L${libdir} -lmpi -lm -lpthread\nCflags: -DSTANDIN_MPI -I${includedir}\n")
    (tmp_path / "hello.c").write_text(HELLO)
    assert standin(tmp_path, "cc", "-c", "hello.c", mpich_dir=mpich).returncode == 0
    compile_record = read_log(tmp_path / "log")[0]
    assert compile_record["command"][-2:] == ["-DSTANDIN_MPI", f"-I{mpich}/include"]
    (mpich / "lib" / "libmpi.a").write_bytes(b"!<arch>\n")
    assert standin(tmp_path, "cc", "hello.o", "-o", "hello", mpich_dir=mpich).returncode == 0
    link_record = read_log(tmp_path / "log")[1]
    assert link_record["command"][-3:] == ["-lmpi", "-lm", "-lpthread"]


def test_modules_without_a_configure_state_left_out_by_the_plan_keep_their_reason():
    """3.11 knows _ctypes and readline only from Setup.local lines: no MODULE_*_STATE."""
    reasons = cpython_build.describe_left_out({"_json": "yes"}, {"_ctypes": "no musl build of libffi.a"},
                                              ["_json", "sys"])
    assert reasons == {"_ctypes": "no musl build of libffi.a"}


@pytest.mark.parametrize("name", ["gnu", "musl", "cray"])
def test_a_step_reads_back_the_profile_it_was_handed_field_for_field(tmp_path, name):
    profile = loading.load_target(name)
    data = tmp_path / f"{name}.json"
    data.write_text(loading.profile_data(profile))
    handed = loading.load_profile_data(data)
    assert handed.path == data
    assert dataclasses.replace(handed, path=profile.path) == profile


def test_profile_data_names_no_path_and_ignores_comments(tmp_path):
    first, second = tmp_path / "one" / "site.py", tmp_path / "two" / "site.py"
    for path, comment in ((first, "# one"), (second, "# two, elsewhere")):
        path.parent.mkdir()
        path.write_text(f'{comment}\nCC = "gcc"\nCXX = "g++"\nFC = ""\nAR = "ar"\nRANLIB = "ranlib"\n')
    one, two = (loading.profile_data(loading.load_target(str(path))) for path in (first, second))
    assert one == two and str(tmp_path) not in one
    changed = first.read_text().replace('CC = "gcc"', 'CC = "gcc-12"')
    first.write_text(changed)
    assert loading.profile_data(loading.load_target(str(first))) != one
