"""The program's own symbol table (dlsym on the main program in a static binary).

Fast tests: the table's C text, the ELF reader, and the whole two-pass scheme on a tiny static
C program linked with the real compiler and main.c's own dlsym wrapper (SYMBOL_LOOKUP).
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from slither.errors import SlitherError
from slither.link.main_c import SYMBOL_LOOKUP
from slither.link.quiet_link import filter_link_output
from slither.link.symbol_table import exported_symbols, render_table_s, write_table

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")

PROGRAM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int exported_counter = 41;
__thread int per_thread_value;              /* TLS: must stay out of the table */
static int private_helper(void) { return 7; }
int exported_function(int x) { return x + private_helper(); }
__attribute__((visibility("hidden"))) int hidden_function(void) { return 3; }

@LOOKUP@

int main(int argc, char **argv)
{
    void *program = dlopen(NULL, RTLD_LAZY);
    for (int i = 1; i < argc; i++) {
        void *address = dlsym(program, argv[i]);
        void *by_default = dlsym(RTLD_DEFAULT, argv[i]);
        if (address == NULL) {
            printf("%s missing same=%d error=%s\n", argv[i], by_default == NULL, dlerror() != NULL ? "yes" : "no");
        }
        else {
            printf("%s found same=%d\n", argv[i], address == by_default);
        }
    }
    int (*function)(int) = (int (*)(int))dlsym(program, "exported_function");
    int *counter = (int *)dlsym(program, "exported_counter");
    if (function != NULL && counter != NULL) {
        printf("call %d %d %d\n", function(35), *counter, function == exported_function && counter == &exported_counter);
    }
    return 0;
}
"""


def test_table_is_sorted_for_strcmp_with_weak_references():
    text = render_table_s(["b", "Py_IncRef", "_a", "b"])
    # byte order: uppercase before underscore before lowercase, as strcmp compares
    assert "slither_symbol_count:\n\t.long 3\n" in text
    assert 'slither_symbol_names:\n\t.string "Py_IncRef"\n\t.string "_a"\n\t.string "b"\n' in text
    assert "slither_symbol_name_offsets:\n\t.long 0\n\t.long 10\n\t.long 13\n" in text
    assert "\t.weak Py_IncRef\n\tADDRESS Py_IncRef\n\t.weak _a\n" in text


def test_empty_table_still_defines_every_symbol():
    text = render_table_s([])
    assert "slither_symbol_count:\n\t.long 0\n" in text
    for name in ("slither_symbol_names", "slither_symbol_name_offsets", "slither_symbol_addresses"):
        assert f"\t.globl {name}\n" in text


def test_a_name_that_is_not_a_label_is_refused():
    with pytest.raises(ValueError, match="not a symbol name"):
        render_table_s(['bad"name'])


def test_not_an_elf_file_is_one_line_error(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("hello")
    with pytest.raises(SlitherError, match="not an ELF executable"):
        exported_symbols(path)


def test_table_warnings_are_not_shown_but_real_ones_are():
    lines = ["/usr/bin/ld: build/work/python-static/symbol_table.o:(.data.rel.ro+0x1ea98): warning: the use "
             "of `mktemp' is dangerous, better use `mkstemp' or `mkdtemp'",
             "/usr/bin/ld: libfoo.a(foo.o): warning: the use of `mktemp' is dangerous"]
    shown, _ = filter_link_output(lines)
    assert shown == lines[1:]


def _link(tmp_path: Path, name: str, *objects: Path, cc: str = "gcc") -> Path:
    binary = tmp_path / name
    subprocess.run([cc, "-static", "-Wl,--wrap=dlsym", "-Wl,--wrap=dlopen", "-o", str(binary), *map(str, objects)],
                   check=True, capture_output=True, text=True)
    return binary


def _compile(source: Path, cc: str = "gcc") -> Path:
    obj = source.with_suffix(".o")
    subprocess.run([cc, "-c", "-O2", "-o", str(obj), str(source)], check=True, capture_output=True, text=True)
    return obj


@pytest.mark.skipif(shutil.which("musl-gcc") is None, reason="musl-gcc (musl-tools) is not installed")
def test_static_musl_gets_a_program_handle_and_the_tables_names(tmp_path):
    """Static musl's dlopen fails even for the program itself (ctypes' PyDLL(None) at import): the
    wrapped dlopen gives a handle that stands for it, and dlsym on it answers from the table."""
    source = tmp_path / "program.c"
    source.write_text(PROGRAM.replace("@LOOKUP@", SYMBOL_LOOKUP))
    program = _compile(source, "musl-gcc")
    first = _link(tmp_path, "first", program, cc="musl-gcc")
    write_table(first, tmp_path / "symbol_table.S")
    second = _link(tmp_path, "second", program, _compile(tmp_path / "symbol_table.S", "musl-gcc"), cc="musl-gcc")
    result = subprocess.run([str(second), "exported_function", "nope"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["exported_function found same=1", "nope missing same=1 error=yes"]


@needs_gcc
def test_two_pass_link_answers_dlsym_on_the_program(tmp_path):
    source = tmp_path / "program.c"
    source.write_text(PROGRAM.replace("@LOOKUP@", SYMBOL_LOOKUP))
    program = _compile(source)
    first = _link(tmp_path, "first", program)
    names = exported_symbols(first)
    assert {"exported_function", "exported_counter", "hidden_function", "main"} <= set(names)
    assert "private_helper" not in names and "per_thread_value" not in names
    assert write_table(first, tmp_path / "symbol_table.S") == len(names)
    table = _compile(tmp_path / "symbol_table.S")
    second = _link(tmp_path, "second", program, table)
    queries = ["exported_function", "exported_counter", "strlen", "private_helper", "per_thread_value", "nope"]
    before = subprocess.run([str(first), *queries], capture_output=True, text=True, check=True).stdout
    after = subprocess.run([str(second), *queries], capture_output=True, text=True, check=True).stdout
    # Without the table (first pass) static glibc finds nothing in the program, as measured
    # for python-static; with it, what a shared object would export is found, the rest is not,
    # and the real dlsym's error is set for what is missing.
    assert "exported_function missing" in before and "call" not in before
    assert after.splitlines() == [
        "exported_function found same=1", "exported_counter found same=1", "strlen found same=1",
        "private_helper missing same=1 error=yes", "per_thread_value missing same=1 error=yes",
        "nope missing same=1 error=yes", "call 42 41 1"]
    # The second pass links the same objects: the table's weak references pulled nothing in.
    assert set(exported_symbols(second)) == set(names) | {
        "slither_symbol_count", "slither_symbol_names", "slither_symbol_name_offsets", "slither_symbol_addresses"}


# --- python-static itself (slow: links a 3.11 binary from the cache into a temporary BUILD_DIR) ---

PYTHONAPI_SCRIPT = r"""
import ctypes, os, sys
api = ctypes.pythonapi
from_long = api.PyLong_FromLong
from_long.restype, from_long.argtypes = ctypes.py_object, [ctypes.c_long]
from_string = api.PyUnicode_FromString
from_string.restype, from_string.argtypes = ctypes.py_object, [ctypes.c_char_p]
api.Py_IncRef.argtypes = api.Py_DecRef.argtypes = [ctypes.py_object]
probe = object()
before = sys.getrefcount(probe)
api.Py_IncRef(probe)
raised = sys.getrefcount(probe) - before
api.Py_DecRef(probe)
lowered = sys.getrefcount(probe) - before
try:
    api.Slither_No_Such_Function
    unknown = "found"
except AttributeError as error:
    unknown = str(error)
program = ctypes.CDLL(None)
maps = open("/proc/self/maps").read()
print(repr(from_long(-1234567890123)), repr(from_string("héllo".encode())), raised, lowered,
      ctypes.c_int.in_dll(api, "Py_OptimizeFlag").value,
      program.getpid() == os.getpid(), program.strlen(b"four") == 4,
      ctypes.cast(api.Py_IncRef, ctypes.c_void_p).value == ctypes.cast(program.Py_IncRef, ctypes.c_void_p).value,
      ".so" in maps, sep="|")
print(unknown)
"""


@pytest.fixture(scope="module")
def python_static(built_binary):
    return built_binary({"PYTHON": "3.11"}).binary


@pytest.mark.slow
def test_pythonapi_calls_the_c_api_of_the_running_interpreter(python_static, tmp_path):
    script = tmp_path / "pythonapi.py"
    script.write_text(PYTHONAPI_SCRIPT)
    result = subprocess.run([str(python_static), "-O", str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    values, unknown = result.stdout.splitlines()
    assert values == "-1234567890123|'héllo'|1|0|1|True|True|True|False"
    # The stock message for a name the program does not define (dlerror's text), same exception.
    assert unknown == "python-static: undefined symbol: Slither_No_Such_Function"


@pytest.mark.slow
def test_lookups_read_no_file_and_start_up_stays_file_free(python_static, tmp_path):
    from slither.inspect.audit import counts_against_startup, trace_file_calls
    code = "import ctypes; ctypes.pythonapi.PyLong_FromLong; ctypes.CDLL(None).getpid; print('ok')"
    result, calls = trace_file_calls([str(python_static), "-c", code], cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
    assert [call.line for call in calls if counts_against_startup(call)] == []
