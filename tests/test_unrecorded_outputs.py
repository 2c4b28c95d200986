"""A build killed with SIGKILL records nothing; the next build with the variables of the build
before it must not take the killed build's outputs for its own. A two-step SConstruct shows SCons
doing exactly that, and ForgetUnrecordedOutputs (the tool SConstruct calls last) undoing it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import assert_built, ROOT
from slither import unrecorded_outputs

TWO_STEPS = """
import os, time
env = Environment(tools=[], ENV=os.environ)
SConsignFile(os.path.join(Dir('#').abspath, '.sconsign'))
variable = ARGUMENTS['VARIABLE']

def write_variable(target, source, env):
    with open(str(target[0]), 'w') as stream:
        stream.write(source[0].read())

def copy_slowly(target, source, env):
    if ARGUMENTS.get('SLOW'):
        time.sleep(60)  # killed here
    with open(str(target[0]), 'w') as stream:
        stream.write(open(str(source[0])).read())

first = env.Command('first.txt', Value(variable), write_variable)
second = env.Command('second.txt', first, copy_slowly)
Default(second)
if ARGUMENTS.get('FORGET') == '1':
    env.Tool('slither_unrecorded', toolpath=[%(toolpath)r])
    env.ForgetUnrecordedOutputs('.')
"""


def _scons(directory: Path, *arguments: str, wait: bool = True):
    command = [sys.executable, "-m", "SCons", "-Q", *arguments]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    if wait:
        return subprocess.run(command, cwd=directory, env=environment, capture_output=True, text=True, timeout=120)
    return subprocess.Popen(command, cwd=directory, env=environment, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _build_kill_rebuild(directory: Path, forget: str) -> str:
    """Build with a, start a build with b and kill it inside its second step, build with a again."""
    (directory / "SConstruct").write_text(TWO_STEPS % {"toolpath": str(ROOT / "site_scons" / "site_tools")})
    assert_built(_scons(directory, "VARIABLE=a", f"FORGET={forget}"))
    killed = _scons(directory, "VARIABLE=b", "SLOW=1", f"FORGET={forget}", wait=False)
    deadline = time.monotonic() + 60
    while (directory / "first.txt").read_text() != "b":  # the first step is done, the second sleeps
        assert time.monotonic() < deadline and killed.poll() is None
        time.sleep(0.05)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    again = _scons(directory, "VARIABLE=a", f"FORGET={forget}")
    assert_built(again)
    return (directory / "second.txt").read_text()


def test_scons_alone_takes_the_killed_builds_output_for_up_to_date(tmp_path):
    # What the tool exists for: if SCons ever checks this itself, this test says so.
    assert _build_kill_rebuild(tmp_path, forget="0") == "b"


def test_outputs_written_after_the_records_are_made_again(tmp_path):
    assert _build_kill_rebuild(tmp_path, forget="1") == "a"


def test_a_finished_build_leaves_nothing_to_make_again(tmp_path):
    (tmp_path / "SConstruct").write_text(TWO_STEPS % {"toolpath": str(ROOT / "site_scons" / "site_tools")})
    assert_built(_scons(tmp_path, "VARIABLE=a", "FORGET=1"))
    again = _scons(tmp_path, "VARIABLE=a", "FORGET=1")
    assert "made again" not in again.stdout and again.stdout.strip() == "scons: `second.txt' is up to date.", again.stdout


def test_ctime_not_mtime_decides(tmp_path):
    records = tmp_path / ".sconsign.dblite"
    older, newer = tmp_path / "older", tmp_path / "newer"
    older.write_text("x")
    time.sleep(0.01)
    records.write_text("records")
    time.sleep(0.01)
    newer.write_text("y")
    os.utime(newer, ns=(0, 0))  # as `cp -p` or a cache retrieval may set it: ctime still says when
    assert unrecorded_outputs.written_after_records([str(older), str(newer), str(tmp_path / "absent")],
                                                    str(records)) == [str(newer)]


def test_without_records_nothing_is_removed(tmp_path):
    (tmp_path / "output").write_text("x")
    assert unrecorded_outputs.written_after_records([str(tmp_path / "output")], str(tmp_path / ".sconsign.dblite")) == []


def test_a_dry_run_removes_nothing(tmp_path):
    (tmp_path / "SConstruct").write_text(TWO_STEPS % {"toolpath": str(ROOT / "site_scons" / "site_tools")})
    assert_built(_scons(tmp_path, "VARIABLE=a", "FORGET=1"))
    (tmp_path / "first.txt").write_text("changed after the records")
    assert_built(_scons(tmp_path, "-n", "VARIABLE=a", "FORGET=1"))
    assert (tmp_path / "first.txt").read_text() == "changed after the records"
