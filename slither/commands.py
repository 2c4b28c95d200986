"""Running build commands: one short line per step, full commands with VERBOSE=1, logs on disk.

A failing command becomes a SlitherError that shows the tail of its log and the log's path.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

from slither.errors import SlitherError

LOG_TAIL_LINES = 25
# A running step says this often that it is alive (elapsed time and its log's last line),
# so that a 20-minute build is not one unchanging line on screen.
HEARTBEAT_SECONDS = 25.0


def is_verbose() -> bool:
    return os.environ.get("SLITHER_VERBOSE", "0") not in ("", "0")


def say(message: str) -> None:
    print(message, flush=True)


def run_logged(command: list[str], *, log: Path, what: str, cwd: Path | None = None,
               env: dict | None = None) -> None:
    """Run a command appending its output to ``log``; VERBOSE also streams it to the terminal."""
    log = Path(log)
    log.parent.mkdir(parents=True, exist_ok=True)
    verbose = is_verbose()
    if verbose:
        say("+ " + shlex.join(command))
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    with open(log, "a", encoding="utf-8", errors="replace") as log_file:
        log_file.write(f"\n$ {shlex.join(command)}\n")
        log_file.flush()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, errors="replace")
        assert process.stdout is not None
        finished = threading.Event()
        if not verbose:
            threading.Thread(target=_heartbeat, args=(what, tail, finished), daemon=True).start()
        try:
            for line in process.stdout:
                log_file.write(line)
                tail.append(line)
                if verbose:
                    sys.stdout.write(line)
        finally:
            finished.set()
        returncode = process.wait()
    if returncode != 0:
        sys.stderr.write(f"--- last lines of {log} ---\n{''.join(tail)}--- end of log ---\n")
        raise SlitherError(f"{what} failed (exit {returncode}); full log: {log}")


def _heartbeat(what: str, tail: deque, finished: threading.Event) -> None:
    started = time.monotonic()
    while not finished.wait(HEARTBEAT_SECONDS):
        minutes, seconds = divmod(int(time.monotonic() - started), 60)
        last = tail[-1].strip() if tail else ""
        last = (last[:70] + "...") if len(last) > 73 else last
        say(f"    {what}: running {minutes} min {seconds:02d} s" + (f" ({last})" if last else ""))


def capture(command: list[str], *, what: str, cwd: Path | None = None, env: dict | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise SlitherError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-300:]}")
    return result.stdout


def main_guard(main) -> None:
    """Run a command-line entry point: user errors become one line and exit code 1."""
    try:
        main()
    except SlitherError as error:
        sys.stderr.write(f"slither: error: {error}\n")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("slither: interrupted\n")
        sys.exit(130)
