"""`slither inspect` reads the manifest section of an ELF file without running it."""

import json
import subprocess
import sys

import pytest

from manifest_samples import MANIFEST
from slither.elf import MANIFEST_SECTION, read_section
from slither.errors import SlitherError
from slither.inspect.manifest import format_inspection, load_manifest


@pytest.fixture
def program_with_manifest(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    (tmp_path / "manifest.S").write_text(
        f'\t.section {MANIFEST_SECTION},"",@progbits\n\t.incbin "manifest.json"\n\t.byte 0\n'
        '\t.section .note.GNU-stack,"",@progbits\n')
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    subprocess.run(["gcc", "-static", "-o", "program", "main.c", "manifest.S", "-Wl,--strip-debug"],
                   cwd=tmp_path, check=True)
    return tmp_path / "program"


def test_manifest_is_read_from_the_section_without_running_the_binary(program_with_manifest):
    program_with_manifest.chmod(0o644)  # not even executable: inspect must not run it
    assert load_manifest(program_with_manifest) == MANIFEST


def test_listing_names_version_target_modules_and_sizes(program_with_manifest):
    text = format_inspection(load_manifest(program_with_manifest))
    assert "CPython 3.11.2  TARGET gnu" in text
    assert "third-party modules: markupsafe 3.0.2" in text
    assert "markupsafe._speedups" in text and "json/" in text and "2411c7  Python-3.11.2.tgz" in text


def test_binary_without_manifest_is_one_clear_error(tmp_path):
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    subprocess.run(["gcc", "-o", "plain", "main.c"], cwd=tmp_path, check=True)
    assert read_section(tmp_path / "plain", MANIFEST_SECTION) is None
    result = subprocess.run([sys.executable, "-m", "slither", "inspect", str(tmp_path / "plain")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1
    assert "no .slither_manifest section" in result.stderr and "Traceback" not in result.stderr


def test_non_elf_file_is_refused(tmp_path):
    (tmp_path / "script.sh").write_text("#!/bin/sh\n")
    with pytest.raises(SlitherError, match="not an ELF"):
        read_section(tmp_path / "script.sh", MANIFEST_SECTION)


def test_inspect_into_a_closed_pipe_is_quiet(checkout):
    import subprocess
    import sys
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    result = subprocess.run([sys.executable, "-c",
                             "import sys; sys.argv = ['slither', 'inspect', sys.executable]\n"
                             "from slither import __main__ as m\n"
                             "m.main = lambda: [print('line ' * 20) for _ in range(100000)]\n"
                             "m.main_for_a_pipe()"],
                            cwd=checkout, stdout=reader.stdin, stderr=subprocess.PIPE, text=True)
    reader.stdin.close()
    reader.wait()
    assert result.returncode == 141
    assert result.stderr == ""


def test_inspect_says_what_was_brought_in_and_which_packages_fell_back_to_pure_python():
    from slither.inspect.manifest import format_inspection
    manifest = {"build": {"modules": {"cffi": {"version": "1.17.1", "recipe": False},
                                      "pycparser": {"version": "2.22", "recipe": False, "needed_by": ["cffi 1.17.1"]}}},
                "builtin_modules": [], "frozen_modules": [], "pure_python_fallbacks": ["wrapt"]}
    lines = format_inspection(manifest, modules=False).splitlines()
    assert "  pycparser 2.22: brought in, needed by cffi 1.17.1" in lines
    assert ("  wrapt: a pure-Python fallback (its source has compiled code, its build made no extension module)"
            in lines)
