"""Planning's three stages: variables parsed once, inputs resolved (all the I/O), a pure plan."""

import collections
import shutil
import socket
import subprocess
import sys
import textwrap
import urllib.request

import pytest

from conftest import ROOT
from slither.errors import SlitherError
from slither.plan import build_plan
from slither.plan.resolve import resolve_inputs
from slither.plan.variables import BuildVariables, build_variables
from slither.recipes import loading


@pytest.fixture
def executed(monkeypatch):
    """{data file path: times executed}, from a memo emptied for the test."""
    counts = collections.Counter()
    execute = loading._execute_python_file

    def counting(path, namespace):
        counts[str(path)] += 1
        return execute(path, namespace)

    monkeypatch.setattr(loading, "_LOADED", {})
    monkeypatch.setattr(loading, "_execute_python_file", counting)
    return counts


def test_from_variables_to_plan_each_recipe_and_profile_file_runs_once(executed):
    """Parsing MODULES, MPI and the TARGET, resolving and planning all ask for recipes (names,
    MPI providers, versions, depends_on): each file's content runs once in the whole run."""
    variables = build_variables(modules="markupsafe", profile="gnu")
    build_plan.make_plan(resolve_inputs(variables))
    markupsafe = str(ROOT / "modules" / "packages" / "markupsafe.py")
    assert executed[markupsafe] == 1 and executed[str(ROOT / "targets" / "gnu.py")] == 1
    assert executed[str(ROOT / "modules" / "cpython" / "releases.py")] == 1
    assert set(executed.values()) == {1}, executed


def test_a_second_plan_in_the_same_run_executes_no_file_again(executed):
    build_plan.plan_for(modules=["numpy", "h5py"])
    first = sum(executed.values())
    build_plan.plan_for(modules=["numpy", "h5py"], name="again")
    assert sum(executed.values()) == first and set(executed.values()) == {1}, executed


def refuse(*arguments, **keywords):
    raise AssertionError(f"planning did I/O: {arguments!r}")


def test_a_plan_of_resolved_inputs_runs_no_program_and_fetches_nothing(monkeypatch):
    resolved = resolve_inputs(build_variables(modules=["numpy", "h5py", "mpi4py"]))
    expected = build_plan.make_plan(resolved)
    for owner, name in [(subprocess, "run"), (subprocess, "Popen"), (subprocess, "check_output"),
                        (shutil, "which"), (urllib.request, "urlopen"), (socket, "create_connection")]:
        monkeypatch.setattr(owner, name, refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    plan = build_plan.make_plan(resolved)
    assert plan == expected
    # what the steps need is in the plan: the licences (with the versions resolved) and WITHOUT
    names = {candidate.name for candidate in plan.licence_candidates}
    assert {"cpython", "glibc", "libgcc", "numpy", "openblas", "hdf5", "mpich"} <= names
    assert next(candidate for candidate in plan.licence_candidates if candidate.name == "libgcc").version \
        == resolved.gcc_version


def test_without_and_the_licences_follow_from_the_variables():
    plan = build_plan.plan_for(without=["_ssl", "_hashlib"], host_libraries=())
    assert plan.without == ("_hashlib", "_ssl")
    assert "openssl" not in {candidate.name for candidate in plan.licence_candidates}


def test_variables_are_one_frozen_record_of_parsed_values():
    variables = build_variables(modules="numpy,h5py[mpi]==3.13.0", hdf5="Serial", exclude="json,-test",
                                unfrozen="yaml", without="_ssl,_hashlib", jobs="3")
    assert isinstance(variables, BuildVariables)
    assert [entry.name for entry in variables.modules] == ["numpy", "h5py"]
    assert variables.modules[1].extras == ("mpi",) and variables.module_texts[1] == "h5py[mpi]==3.13.0"
    assert variables.hdf5 == "serial" and variables.jobs == 3 and variables.unfrozen == ("yaml",)
    assert "json" in variables.excludes and "test" not in variables.excludes
    assert variables.without == ("_hashlib", "_ssl")
    with pytest.raises(Exception):
        variables.hdf5 = "parallel"


@pytest.mark.parametrize("keywords, message", [
    ({"hdf5": "both"}, "HDF5=both: choose one of"),
    ({"unfrozen": "PyYAML-x"}, "UNFROZEN=PyYAML-x: give top-level package names"),
    ({"jobs": "x"}, "JOBS=x"),
    ({"without": "_nothing"}, "WITHOUT=_nothing: not a stdlib C module"),
    ({"name": "a/b"}, "NAME='a/b'"),
])
def test_a_bad_variable_is_refused_when_it_is_parsed(keywords, message):
    with pytest.raises(SlitherError, match=message) as refused:
        build_variables(**keywords)
    assert "\n" not in str(refused.value)


def run_scons_counting_programs(arguments, cwd=ROOT):
    """scons in a Python that refuses to start any program: (CompletedProcess, programs tried)."""
    script = textwrap.dedent("""
        import os, subprocess, sys
        tried = []
        def refuse(*arguments, **keywords):
            tried.append(repr(arguments[:1]))
            raise OSError("no program may start here")
        def refuse_popen(self, command, *arguments, **keywords):
            refuse(command)
        subprocess.Popen.__init__ = refuse_popen
        for name in ("system", "posix_spawn", "posix_spawnp", "fork", "execv", "execve", "execvp"):
            if hasattr(os, name):
                setattr(os, name, refuse)
        import atexit
        atexit.register(lambda: print("PROGRAMS:" + ";".join(tried), file=sys.stderr))
        import SCons.Script
        sys.argv = ["scons", *sys.argv[1:]]
        SCons.Script.main()
    """)
    result = subprocess.run([sys.executable, "-c", script, *arguments], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=300)
    programs = result.stderr.rpartition("PROGRAMS:")[2].strip()
    return result, [program for program in programs.split(";") if program]


def test_scons_help_starts_no_program(tmp_path):
    """`scons -h` only reads the variables: no compiler probe (SCons's own tools included)."""
    result, programs = run_scons_counting_programs(["-h", f"BUILD_DIR={tmp_path / 'build'}", "MODULES=numpy,mpi4py",
                                                    "TARGET=gnu", "MPI=system"])
    assert result.returncode == 0, result.stderr
    assert "\nMODULES: " in result.stdout
    assert programs == []


def test_a_foreign_sconstruct_plans_with_keywords(tmp_path):
    """The keyword form builds the same record as SConstruct's variables; a dry run compiles nothing."""
    (tmp_path / "SConstruct").write_text(
        "env = Environment(tools=['default', 'slither'],\n"
        f"                  toolpath=[{str(ROOT / 'site_scons' / 'site_tools')!r}])\n"
        "Default(env.StaticPython('mypython', build_dir='out', python='3.13', modules='markupsafe',\n"
        "                         exclude=None, jobs=2))\n")
    result = subprocess.run([sys.executable, "-m", "SCons", "-n", "-C", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "cpython build 3.13.5 (gnu)" in result.stdout and "package build markupsafe" in result.stdout
    assert "out/bin/mypython" in result.stdout


def test_a_foreign_sconstruct_with_an_unknown_keyword_is_told_in_one_line(tmp_path):
    (tmp_path / "SConstruct").write_text(
        "import sys\n"
        "env = Environment(tools=['default', 'slither'],\n"
        f"                  toolpath=[{str(ROOT / 'site_scons' / 'site_tools')!r}])\n"
        "try:\n"
        "    env.StaticPython('mypython', modulez=['numpy'])\n"
        "except Exception as error:\n"
        "    print(f'refused: {error}')\n")
    result = subprocess.run([sys.executable, "-m", "SCons", "-n", "-Q", "-C", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=300)
    assert "refused: StaticPython: unknown keyword(s) modulez" in result.stdout
