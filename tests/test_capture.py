"""The capture layer: real setuptools builds through the wrappers, real links, no mocks."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from capture_fixtures import (EXT_SUFFIX, TINYPKG, global_definitions, module_source, setuptools_build,
                              symbols, write_files)
from slither.capture import finalize_captures, write_wrappers
from slither.capture.extension_names import dotted_module_name, static_init_symbol
from slither.capture.driver_arguments import expand_response_files, parse_link_command
from slither.capture.records import read_records
from slither.errors import SlitherError


def install(build_lib: Path, target: Path) -> Path:
    """What an installer does with the build tree: copy it to its final place."""
    shutil.copytree(build_lib, target)
    return target


@pytest.fixture(scope="module")
def tinypkg(tmp_path_factory):
    """tinypkg built once through the wrappers: (build/lib tree, record dir)."""
    root = tmp_path_factory.mktemp("tinypkg")
    record_dir = root / "records"
    env = write_wrappers(root / "wrappers", real_cc="gcc", real_cxx="g++", python=sys.executable,
                         record_dir=record_dir)
    return setuptools_build(write_files(root / "tinypkg", TINYPKG), env), record_dir


def test_setuptools_extension_is_linked_for_real_and_captured_with_one_global(tinypkg):
    build_lib, record_dir = tinypkg
    shared_object = build_lib / "tinypkg" / "sub" / f"_speed{EXT_SUFFIX}"
    imported = subprocess.run([sys.executable, "-c", "import tinypkg.sub._speed as m; print(m.call_helper())"],
                              env={**os.environ, "PYTHONPATH": str(build_lib)}, stdout=subprocess.PIPE, text=True)
    assert imported.stdout.strip() == "7"

    (record,) = read_records(record_dir)
    assert Path(record.output) == shared_object.resolve()
    assert record.init_symbol == "PyInit__speed" and record.role == "c"
    assert Path(record.object).is_file()
    assert global_definitions(record.object) == ["PyInit__speed"]
    assert symbols(record.object)["helper"] == "t"  # still there, now local
    on_disk = json.loads(next(record_dir.glob("*.json")).read_text())
    assert on_disk["output_sha256"] == record.output_sha256 and on_disk["format"] == 1


def test_finalize_names_the_module_by_its_installed_path_and_renames_init(tmp_path, tinypkg):
    build_lib, record_dir = tinypkg
    installed = install(build_lib, tmp_path / "site")
    (extension,) = finalize_captures(record_dir, installed, output_dir=tmp_path / "finalized")
    assert extension.module == "tinypkg.sub._speed"
    assert extension.init_symbol == "PyInit_7tinypkg3sub6_speed"
    assert global_definitions(extension.object) == ["PyInit_7tinypkg3sub6_speed"]
    (record,) = read_records(record_dir)
    assert global_definitions(record.object) == ["PyInit__speed"]  # the capture stays reusable
    assert finalize_captures(record_dir, installed, output_dir=tmp_path / "finalized") == [extension]


def test_finalize_falls_back_to_the_file_name_when_installation_changed_the_bytes(tmp_path, tinypkg):
    build_lib, record_dir = tinypkg
    installed = install(build_lib, tmp_path / "site")
    subprocess.run(["strip", "--strip-debug", str(installed / "tinypkg" / "sub" / f"_speed{EXT_SUFFIX}")], check=True)
    (extension,) = finalize_captures(record_dir, installed, output_dir=tmp_path / "finalized")
    assert extension.module == "tinypkg.sub._speed"


def test_extension_without_a_capture_record_is_an_error_naming_it(tmp_path, wrappers):
    _, record_dir = wrappers
    lonely = tmp_path / "site" / "pkg" / f"lonely{EXT_SUFFIX}"
    lonely.parent.mkdir(parents=True)
    lonely.write_bytes(b"built without the wrappers")
    with pytest.raises(SlitherError, match=f"extension .*lonely{EXT_SUFFIX} has no capture record"):
        finalize_captures(record_dir, tmp_path / "site")


def test_plain_shared_library_in_the_installed_tree_is_not_an_extension(tmp_path, wrappers):
    _, record_dir = wrappers
    write_files(tmp_path, {"plain.c": "int plain(void) { return 1; }\n"})
    (tmp_path / "site").mkdir()
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(tmp_path / "site" / "libplain.so"), str(tmp_path / "plain.c")],
                   check=True)
    assert finalize_captures(record_dir, tmp_path / "site") == []


DUPLICATES = {
    "setup.py": 'from setuptools import Extension, setup\n'
                'setup(name="dup", version="1.0", ext_modules=[\n'
                '    Extension("dup.alpha", ["alpha.c"]), Extension("dup.beta", ["beta.c"])])\n',
    "alpha.c": module_source("alpha", 1),
    "beta.c": module_source("beta", 2),
}

EMBEDDING_MAIN = r"""
#include <Python.h>
extern PyObject *PyInit_3dup5alpha(void);
extern PyObject *PyInit_3dup4beta(void);
int main(void)
{
    PyImport_AppendInittab("dup.alpha", PyInit_3dup5alpha);
    PyImport_AppendInittab("dup.beta", PyInit_3dup4beta);
    Py_Initialize();
    int failed = PyRun_SimpleString(
        "import importlib.machinery, importlib.util\n"
        "def load(name):\n"
        "    spec = importlib.machinery.BuiltinImporter.find_spec(name)\n"
        "    module = importlib.util.module_from_spec(spec)\n"
        "    spec.loader.exec_module(module)\n"
        "    return module\n"
        "print(load('dup.alpha').call_helper(), load('dup.beta').call_helper())\n");
    return Py_FinalizeEx() < 0 || failed;
}
"""


def embedding_flags() -> list:
    output = subprocess.run(["python3-config", "--embed", "--cflags", "--ldflags"], check=True,
                            stdout=subprocess.PIPE, text=True).stdout
    return [flag for flag in output.split() if not flag.startswith(("-O", "-g"))]


def test_two_extensions_with_the_same_global_helper_link_into_one_program(tmp_path, wrappers):
    env, record_dir = wrappers
    package = write_files(tmp_path / "dup", DUPLICATES)
    installed = install(setuptools_build(package, env), tmp_path / "site")
    extensions = finalize_captures(record_dir, installed)
    assert [(e.module, e.init_symbol) for e in extensions] == [
        ("dup.alpha", "PyInit_3dup5alpha"), ("dup.beta", "PyInit_3dup4beta")]
    write_files(tmp_path, {"main.c": EMBEDDING_MAIN})
    program = tmp_path / "program"
    link = [ "gcc", "-O0", "-o", str(program), str(tmp_path / "main.c"), *embedding_flags()]

    # Control: the extensions' own objects collide, which is what localization is for.
    raw_objects = [str(path) for path in sorted((package / "build").rglob("*.o"))]
    collision = subprocess.run(link[:4] + [link[4], *raw_objects, *link[5:]], stderr=subprocess.PIPE, text=True)
    assert collision.returncode != 0 and "multiple definition of `helper'" in collision.stderr

    linked = subprocess.run(link[:5] + [str(e.object) for e in extensions] + link[5:],
                            stderr=subprocess.PIPE, text=True)
    assert linked.returncode == 0, linked.stderr
    ran = subprocess.run([str(program)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["1", "2"]  # each calls its own helper


PRIVATE_ARCHIVE = {
    "setup.py": 'from setuptools import Extension, setup\n'
                'setup(name="scaled", version="1.0",\n'
                '      libraries=[("private", {"sources": ["private.c"]})],\n'
                '      ext_modules=[Extension("scaled", ["scaled.c"], libraries=["m"])])\n',
    "private.c": "#include <math.h>\ndouble private_scale(double x) { return sqrt(x) * 3; }\n",
    "scaled.c": module_source("scaled", "(int)private_scale(4.0)").replace(
        "#include <Python.h>", "#include <Python.h>\ndouble private_scale(double);"),
}


def test_package_private_archive_is_merged_and_system_library_stays_external(tmp_path, wrappers):
    env, record_dir = wrappers
    build_lib = setuptools_build(write_files(tmp_path / "scaled", PRIVATE_ARCHIVE), env)
    imported = subprocess.run([sys.executable, "-c", "import scaled; print(scaled.call_helper())"],
                              env={**os.environ, "PYTHONPATH": str(build_lib)}, stdout=subprocess.PIPE, text=True)
    assert imported.stdout.strip() == "6"
    (record,) = read_records(record_dir)
    assert record.libraries == ["m"]
    assert not any("temp." in directory for directory in record.library_dirs)
    object_symbols = symbols(record.object)
    assert object_symbols["private_scale"] == "t"  # pulled from libprivate.a, made local
    assert object_symbols["sqrt"] == "U"           # left to the final link with -lm


def run(command, cwd):
    return subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_everything_but_an_extension_link_passes_straight_through(tmp_path, wrappers):
    env, record_dir = wrappers
    cc = env["CC"]
    assert run([cc, "--version"], tmp_path).stdout == run(["gcc", "--version"], tmp_path).stdout
    assert run([cc, "-print-prog-name=ld"], tmp_path).stdout == run(["gcc", "-print-prog-name=ld"], tmp_path).stdout
    write_files(tmp_path, {"hello.c": '#include <stdio.h>\nint main(void) { puts("hi"); return 3; }\n',
                           "broken.c": "int main(void) { return }\n",
                           "plain.c": "int plain(void) { return 1; }\n"})
    assert run([cc, "-c", "hello.c", "-o", "hello.o"], tmp_path).returncode == 0
    assert run([cc, "hello.o", "-o", "hello"], tmp_path).returncode == 0
    hello = run(["./hello"], tmp_path)
    assert (hello.returncode, hello.stdout) == (3, "hi\n")
    wrapped, real = run([cc, "-c", "broken.c"], tmp_path), run(["gcc", "-c", "broken.c"], tmp_path)
    assert wrapped.returncode == real.returncode != 0 and wrapped.stderr == real.stderr
    assert run([cc, "-shared", "-fPIC", "plain.c", "-o", "libplain.so"], tmp_path).returncode == 0
    assert (tmp_path / "libplain.so").is_file()
    assert list(record_dir.iterdir()) == []


def test_plain_so_whose_objects_define_its_pyinit_is_captured(tmp_path, wrappers):
    env, record_dir = wrappers
    write_files(tmp_path, {"plain.c": "int plain_helper(void) { return 1; }\nvoid *PyInit__plain(void) { return 0; }\n"})
    assert run([env["CC"], "-c", "-fPIC", "plain.c"], tmp_path).returncode == 0
    assert run([env["CC"], "-shared", "plain.o", "-o", "_plain.so"], tmp_path).returncode == 0
    (record,) = read_records(record_dir)
    assert global_definitions(record.object) == ["PyInit__plain"]


def test_failed_real_link_keeps_its_status_and_records_nothing(tmp_path, wrappers):
    env, record_dir = wrappers
    wrapped = run([env["CC"], "-shared", "missing.o", "-o", f"_x{EXT_SUFFIX}"], tmp_path)
    real = run(["gcc", "-shared", "missing.o", "-o", f"_x{EXT_SUFFIX}"], tmp_path)
    assert wrapped.returncode == real.returncode != 0
    assert list(record_dir.iterdir()) == []


def test_capture_failure_is_one_line_naming_the_extension_and_removes_the_so(tmp_path):
    env = write_wrappers(tmp_path / "wrappers", real_cc="gcc", real_cxx="g++", python=sys.executable,
                         record_dir=tmp_path / "records", ld="false")
    write_files(tmp_path, {"ext.c": "void *PyInit__ext(void) { return 0; }\n"})
    assert run([env["CC"], "-c", "-fPIC", "ext.c"], tmp_path).returncode == 0
    failed = run([env["CC"], "-shared", "ext.o", "-o", f"_ext{EXT_SUFFIX}"], tmp_path)
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1
    assert failed.stderr.startswith(f"slither capture: error: extension _ext{EXT_SUFFIX}: ld -r failed")
    assert not (tmp_path / f"_ext{EXT_SUFFIX}").exists()  # so a rebuild links and captures again
    assert not list((tmp_path / "records").glob("*.json"))


def test_extension_without_its_init_function_is_refused(tmp_path, wrappers):
    env, record_dir = wrappers
    write_files(tmp_path, {"ext.c": "int not_an_init(void) { return 0; }\n"})
    assert run([env["CC"], "-c", "-fPIC", "ext.c"], tmp_path).returncode == 0
    failed = run([env["CC"], "-shared", "ext.o", "-o", f"_ext{EXT_SUFFIX}"], tmp_path)
    assert failed.returncode == 1 and "do not define PyInit__ext" in failed.stderr


CXX_EXTENSION = r"""
#include <stdexcept>
struct Shape { virtual int sides() const { return @SIDES@; } virtual ~Shape() {} };
inline int which() { return @WHICH@; }                                   // COMDAT, weak
template <typename T> int counted() { static int count = @COUNT@; return ++count; }  // GNU_UNIQUE
extern "C" long PyInit__@NAME@()
{
    long result = which() * 1000 + counted<int>();
    try { throw std::runtime_error("from libstdc++"); } catch (const std::exception &) { result += 10000; }
    try { throw Shape(); } catch (const Shape &shape) { result += shape.sides() * 100000; }
    return result;
}
"""

CXX_MAIN = r"""
#include <cstdio>
extern "C" long PyInit__a(); extern "C" long PyInit__b();
int main() { long a = PyInit__a(); long b = PyInit__b(); std::printf("%ld %ld\n", a, b); }
"""


def test_cxx_inline_template_typeinfo_and_unique_symbols_stay_private(tmp_path, wrappers):
    env, record_dir = wrappers
    for name, sides, which, count in (("a", 3, 1, 100), ("b", 4, 2, 200)):
        source = CXX_EXTENSION
        for key, value in {"@NAME@": name, "@SIDES@": sides, "@WHICH@": which, "@COUNT@": count}.items():
            source = source.replace(key, str(value))
        write_files(tmp_path, {f"{name}.cpp": source})
        assert run([env["CXX"], "-O0", "-fPIC", "-c", f"{name}.cpp"], tmp_path).returncode == 0
        linked = run([env["CXX"], "-shared", f"{name}.o", "-o", f"_{name}{EXT_SUFFIX}"], tmp_path)
        assert linked.returncode == 0, linked.stderr
    records = {record.init_symbol: record for record in read_records(record_dir)}
    assert records["PyInit__a"].role == "c++"
    assert "u" in symbols(tmp_path / "a.o").values()  # the case objcopy alone would miss
    write_files(tmp_path, {"main.cpp": CXX_MAIN})
    linked = run(["g++", "-O0", "main.cpp", records["PyInit__a"].object, records["PyInit__b"].object,
                  "-o", "program"], tmp_path)
    assert linked.returncode == 0, linked.stderr
    # 3 sides, caught std exception, own inline which(), own static counter (not shared).
    assert run(["./program"], tmp_path).stdout.split() == ["311101", "412201"]


def test_mangled_init_symbols_are_unambiguous():
    assert static_init_symbol("numpy._core._multiarray_umath") == "PyInit_5numpy5_core17_multiarray_umath"
    assert static_init_symbol("a.b__c") != static_init_symbol("a__b.c")


def test_dotted_name_needs_importable_path_components(tmp_path):
    assert dotted_module_name(Path("pkg/sub/_x.abi3.so")) == "pkg.sub._x"
    with pytest.raises(SlitherError, match="'scaled-1.0.data' is not an ASCII identifier"):
        dotted_module_name(Path("scaled-1.0.data/_x.abi3.so"))


def test_link_command_reading(tmp_path):
    (tmp_path / "objects.rsp").write_text("a.o 'b c.o'\n")
    arguments = expand_response_files([f"@{tmp_path}/objects.rsp", "-shared", "-o", "x.so", "-Lbuild", "-lfoo",
                                       "-Wl,-rpath,/opt/lib,--as-needed", "-Xlinker", "-soname",
                                       "-Xlinker", "x.so", "-pthread", "-O2", "-Wl,--whole-archive",
                                       "libz.a", "-Wl,--no-whole-archive", "-Wl,--start-group", "-lbar",
                                       "-Wl,--end-group"])
    command = parse_link_command(arguments)
    assert command.output == "x.so" and command.library_dirs == ["build"]
    assert [(i.kind, i.value) for i in command.inputs] == [
        ("object", "a.o"), ("object", "b c.o"), ("library", "foo"), ("marker", "--whole-archive"),
        ("archive", "libz.a"), ("marker", "--no-whole-archive"), ("marker", "--start-group"),
        ("library", "bar"), ("marker", "--end-group")]
    assert command.link_flags == ["-Wl,--as-needed", "-pthread"]
    assert parse_link_command(["-c", "-shared", "x.c"]) is None
    assert parse_link_command(["-o", "x", "x.o"]) is None


def test_assembler_sources_on_the_link_line_are_assembled_into_the_capture(tmp_path, wrappers):
    # numpy's meson hands its SVML .s files straight to the extension's link.
    env, record_dir = wrappers
    write_files(tmp_path, {"ext.c": "int from_assembly(void);\n"
                                    "void *PyInit__asm(void) { return (void *)(long)from_assembly(); }\n",
                           "helper.s": "\t.text\n\t.globl from_assembly\nfrom_assembly:\n\tmovl $42, %eax\n\tret\n"
                                       '\t.section .note.GNU-stack,"",@progbits\n'})
    assert run([env["CC"], "-c", "-fPIC", "ext.c"], tmp_path).returncode == 0
    linked = run([env["CC"], "-shared", "ext.o", "helper.s", "-o", f"_asm{EXT_SUFFIX}"], tmp_path)
    assert linked.returncode == 0, linked.stderr
    [record] = [json.loads(p.read_text()) for p in record_dir.glob("*.json")]
    table = symbols(Path(record["object"]))
    assert table.get("from_assembly", "").islower()  # merged in, and made local
    assert global_definitions(Path(record["object"])) == ["PyInit__asm"]


def test_c_sources_on_the_link_line_are_still_refused(tmp_path, wrappers):
    env, _ = wrappers
    write_files(tmp_path, {"ext.c": "void *PyInit__csrc(void) { return 0; }\n"})
    linked = run([env["CC"], "-shared", "-fPIC", "ext.c", "-o", f"_csrc{EXT_SUFFIX}"], tmp_path)
    assert linked.returncode == 1
    assert "only object files and assembler sources can be captured" in linked.stderr


# --- Fortran: an extension whose link is driven by gfortran, as meson does for f2py modules ---

FORTRAN_KERNEL = """
subroutine triple(x) bind(c, name="triple")
  use iso_c_binding, only: c_double
  real(c_double), intent(inout) :: x
  x = 3.0d0 * x
end subroutine triple
"""

FORTRAN_MODULE = r"""
#include <Python.h>
extern void triple(double *x);
static PyObject *call(PyObject *self, PyObject *arg) {
    double x = PyFloat_AsDouble(arg);
    triple(&x);
    return PyFloat_FromDouble(x);
}
static PyMethodDef methods[] = {{"triple", call, METH_O, ""}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernel", NULL, -1, methods};
PyMODINIT_FUNC PyInit__kernel(void) { return PyModule_Create(&module); }
"""


def test_a_fortran_driven_extension_link_is_captured_with_the_fortran_role(tmp_path):
    import sysconfig
    record_dir = tmp_path / "records"
    env = write_wrappers(tmp_path / "wrappers", real_cc="gcc", real_cxx="g++", real_fc="gfortran",
                         python=sys.executable, record_dir=record_dir)
    assert env["FC"] == env["F77"] == env["F90"] == str((tmp_path / "wrappers" / "gfortran").resolve())
    (tmp_path / "kernel.f90").write_text(FORTRAN_KERNEL)
    (tmp_path / "module.c").write_text(FORTRAN_MODULE)
    subprocess.run([env["FC"], "-fPIC", "-c", "kernel.f90", "-o", "kernel.o"], cwd=tmp_path, check=True)
    subprocess.run([env["CC"], "-fPIC", f"-I{sysconfig.get_paths()['include']}", "-c", "module.c", "-o", "module.o"],
                   cwd=tmp_path, check=True)
    subprocess.run([env["FC"], "-shared", "kernel.o", "module.o", "-o", f"_kernel{EXT_SUFFIX}"], cwd=tmp_path, check=True)
    imported = subprocess.run([sys.executable, "-c", "import _kernel; print(_kernel.triple(2.5))"], cwd=tmp_path,
                              stdout=subprocess.PIPE, text=True, check=True)
    assert imported.stdout.strip() == "7.5"  # the real link works: build-time imports keep working
    (record,) = read_records(record_dir)
    assert record.role == "fortran" and record.init_symbol == "PyInit__kernel"
    assert global_definitions(record.object) == ["PyInit__kernel"]  # the Fortran symbol is local now
    assert symbols(record.object)["triple"] == "t"


def test_the_final_link_adds_the_fortran_runtime_once_for_fortran_linked_extensions():
    from slither.link.main_c import module_link_flags
    manifests = [{"extensions": [{"role": "fortran"}], "link_libraries": []},
                 {"extensions": [{"role": "fortran", "libraries": ["gfortran"]}], "link_libraries": []}]
    flags = module_link_flags(manifests)
    assert flags.count("-lgfortran") == 1 and flags[flags.index("-lgfortran") + 1] == "-lquadmath"


def test_a_toolchain_without_fortran_says_so_when_a_build_tries_it(tmp_path):
    env = write_wrappers(tmp_path / "wrappers", real_cc="gcc", real_cxx="g++", real_fc="",
                         python=sys.executable, record_dir=tmp_path / "records")
    result = subprocess.run([env["FC"], "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1 and "no Fortran compiler (its profile leaves FC empty)" in result.stderr


def test_link_time_optimisation_is_left_out_so_that_the_capture_sees_machine_code(tmp_path, wrappers):
    """CMake packages ask for -flto (boost-histogram): IR objects cannot be localized."""
    env, record_dir = wrappers
    import sysconfig
    (tmp_path / "m.c").write_text(module_source("_lto", 3))
    include = f"-I{sysconfig.get_paths()['include']}"
    subprocess.run([env["CC"], "-fPIC", "-O2", "-flto=auto", "-ffat-lto-objects", include, "-c", "m.c", "-o", "m.o"],
                   cwd=tmp_path, check=True)
    assert b".gnu.lto_" not in (tmp_path / "m.o").read_bytes()  # machine code only
    subprocess.run([env["CC"], "-shared", "-flto=auto", "m.o", "-o", f"_lto{EXT_SUFFIX}"], cwd=tmp_path, check=True)
    (record,) = read_records(record_dir)
    assert global_definitions(record.object) == ["PyInit__lto"]


def test_setuptools_rpath_after_new_dtags_is_dropped_whole():
    """setuptools writes `-Wl,--enable-new-dtags,-rpath,DIR` for runtime_library_dirs: the switch,
    the item and its value all go, none of them left as a flag of the static link."""
    from slither.capture.driver_arguments import parse_link_command
    command = parse_link_command(["-shared", "a.o", "-L/lib/dir", "-Wl,--enable-new-dtags,-rpath,/lib/dir",
                                  "-Wl,-rpath,/other,--as-needed", "-lnetcdf", "-o", "x.so"])
    assert command.link_flags == ["-Wl,--as-needed"]
    assert command.library_dirs == ["/lib/dir"]
