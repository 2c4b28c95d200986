"""What the recipes ask the binary's C libraries to see (runtime_environment, e.g. MPICH's
HWLOC_COMPONENTS=-linuxio) is answered by the wrapped getenv (slither.link.main_c.DEFAULT_GETENV),
never placed in the environment: the libraries inside see it unless the user set the variable,
and programs the binary starts do not inherit it. Compiled from the template's own text."""

import os
import subprocess

import pytest

from slither.link.main_c import DEFAULT_GETENV

LIBRARY = r"""
#include <stdlib.h>
const char *library_reads(void) { const char *v = getenv("HWLOC_COMPONENTS"); return v ? v : "(unset)"; }
"""
PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
const char *library_reads(void);
@GETENV@
int main(void) {
    printf("%s\n", library_reads());
    fflush(stdout);
    return system("echo child:${HWLOC_COMPONENTS-unset}");
}
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    directory = tmp_path_factory.mktemp("getenv")
    (directory / "library.c").write_text(LIBRARY)
    getenv = DEFAULT_GETENV.replace("@DEFAULTS@", '    {"HWLOC_COMPONENTS", "-linuxio"},\n')
    (directory / "main.c").write_text(PROGRAM.replace("@GETENV@", getenv))
    subprocess.run(["gcc", "-Wall", "-Werror", "-static", "-Wl,--wrap=getenv", "-o", str(directory / "program"),
                    str(directory / "main.c"), str(directory / "library.c")], check=True)
    return directory / "program"


def run(program, **variables):
    environment = {key: value for key, value in os.environ.items() if key != "HWLOC_COMPONENTS"}
    return subprocess.run([str(program)], env={**environment, **variables}, stdout=subprocess.PIPE,
                          text=True, check=True).stdout.split()


def test_the_library_sees_the_default_and_a_child_does_not_inherit_it(program):
    assert run(program) == ["-linuxio", "child:unset"]


def test_the_users_own_value_wins_and_is_inherited_as_theirs(program):
    assert run(program, HWLOC_COMPONENTS="linux") == ["linux", "child:linux"]
