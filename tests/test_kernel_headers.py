"""The kernel headers a compiler that does not search /usr/include gets for its library steps
(slither/libraries/kernel_headers.py): found on the host, linked alone into a directory, and
refused in one line where absent."""

import subprocess

import pytest

from slither.errors import SlitherError
from slither.libraries.kernel_headers import host_kernel_headers, link_kernel_headers


def fake_include(root, asm_under_multiarch=True):
    for name in ("linux", "asm-generic"):
        (root / name).mkdir(parents=True)
        (root / name / "types.h").write_text("")
    asm = root / "x86_64-linux-gnu" / "asm" if asm_under_multiarch else root / "asm"
    asm.mkdir(parents=True)
    (asm / "types.h").write_text("")
    return root


@pytest.mark.parametrize("multiarch", [True, False])
def test_asm_is_taken_from_the_multiarch_directory_or_include_itself(tmp_path, multiarch):
    include = fake_include(tmp_path / "include", multiarch)
    found = host_kernel_headers(include, machine="x86_64")
    expected = include / "x86_64-linux-gnu" / "asm" if multiarch else include / "asm"
    assert found == {"linux": include / "linux", "asm-generic": include / "asm-generic", "asm": expected}


def test_missing_headers_are_one_line_naming_the_package(tmp_path):
    (tmp_path / "include" / "linux").mkdir(parents=True)
    (tmp_path / "include" / "linux" / "types.h").write_text("")
    with pytest.raises(SlitherError) as refused:
        host_kernel_headers(tmp_path / "include", machine="x86_64")
    assert "\n" not in str(refused.value)
    assert "(asm-generic/, asm/)" in str(refused.value) and "linux-libc-dev" in str(refused.value)


def test_musl_gcc_compiles_a_kernel_header_include_with_the_linked_directory_only(tmp_path):
    """The real case: musl-gcc alone does not find <linux/version.h>; with -isystem on the linked
    directory it does, and still takes musl's own <stdio.h>."""
    if subprocess.run(["sh", "-c", "command -v musl-gcc"], stdout=subprocess.DEVNULL).returncode != 0:
        pytest.skip("musl-gcc is not installed")
    source = tmp_path / "probe.c"
    source.write_text("#include <stdio.h>\n#include <linux/version.h>\n#include <asm/types.h>\n"
                      "int main(void) { printf(\"%d\\n\", LINUX_VERSION_CODE > 0); return 0; }\n")
    alone = subprocess.run(["musl-gcc", "-c", str(source), "-o", str(tmp_path / "a.o")], stderr=subprocess.PIPE,
                           text=True)
    assert alone.returncode != 0 and "linux/version.h" in alone.stderr
    headers = link_kernel_headers(tmp_path / "kernel-headers")
    assert sorted(path.name for path in headers.iterdir()) == ["asm", "asm-generic", "linux"]
    built = subprocess.run(["musl-gcc", "-static", f"-isystem{headers}", str(source), "-o", str(tmp_path / "probe")],
                           stderr=subprocess.PIPE, text=True)
    assert built.returncode == 0, built.stderr
    assert subprocess.run([str(tmp_path / "probe")], stdout=subprocess.PIPE, text=True).stdout == "1\n"
