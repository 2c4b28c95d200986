"""Build commands: logged, quiet by default, and alive on screen while they run."""

import sys

import pytest

from slither import commands
from slither.errors import SlitherError


def test_a_long_quiet_step_says_it_is_alive_with_its_last_log_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(commands, "HEARTBEAT_SECONDS", 0.1)
    monkeypatch.delenv("SLITHER_VERBOSE", raising=False)
    script = "import time; print('compiling 1 of 2', flush=True); time.sleep(0.6); print('done')"
    commands.run_logged([sys.executable, "-c", script], log=tmp_path / "step.log", what="numpy build")
    shown = capsys.readouterr().out
    assert "numpy build: running 0 min 00 s (compiling 1 of 2)" in shown
    assert "compiling 1 of 2" in (tmp_path / "step.log").read_text()


def test_a_quick_step_prints_nothing_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SLITHER_VERBOSE", raising=False)
    commands.run_logged([sys.executable, "-c", "print('x')"], log=tmp_path / "step.log", what="quick")
    assert capsys.readouterr().out == ""


def test_a_failing_step_names_its_log_and_shows_its_tail(tmp_path, capsys):
    with pytest.raises(SlitherError, match=r"broken failed \(exit 3\); full log: .*step.log"):
        commands.run_logged([sys.executable, "-c", "print('the reason'); raise SystemExit(3)"],
                            log=tmp_path / "step.log", what="broken")
    assert "the reason" in capsys.readouterr().err
