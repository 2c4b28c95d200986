"""Count the file syscalls a command makes, the way the project's yardstick counts them.

A call counts when it names a path outside /proc, /dev, /sys and /etc (node-local: kernel
interfaces and system configuration), after the command's own execve. The log comes from
`strace -f -qq -e trace=%file`.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CALL = re.compile(r'^(?:\[pid\s+\d+\]\s+|\d+\s+)?(\w+)\((.*)')
QUOTED_PATH = re.compile(r'"((?:[^"\\]|\\.)*)"')
NODE_LOCAL_PREFIXES = ("/proc/", "/dev/", "/sys/", "/etc/")
NODE_LOCAL_ROOTS = ("/proc", "/dev", "/sys", "/etc")


@dataclass(frozen=True)
class FileCall:
    syscall: str
    path: str
    failed: bool
    line: str


def parse_strace(lines) -> list[FileCall]:
    """Every path-naming call after the first execve, counted or not."""
    calls = []
    seen_exec = False
    for line in lines:
        match = CALL.match(line)
        if not match:
            continue
        name, arguments = match.groups()
        if name == "execve" and not seen_exec:
            seen_exec = True
            continue
        path = QUOTED_PATH.search(arguments)
        if not path or not path.group(1):
            continue
        calls.append(FileCall(name, path.group(1), bool(re.search(r"= -1 ", line)), line.rstrip()))
    return calls


def counts_against_startup(call: FileCall) -> bool:
    return not (call.path.startswith(NODE_LOCAL_PREFIXES) or call.path in NODE_LOCAL_ROOTS)


def real_path_calls(lines) -> list[FileCall]:
    return [call for call in parse_strace(lines) if counts_against_startup(call)]


def trace_file_calls(command: list[str], *, cwd=None, env=None) -> tuple[subprocess.CompletedProcess, list[FileCall]]:
    """Run a command under strace and return its result and every file call it made."""
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "strace.log"
        result = subprocess.run(["strace", "-f", "-qq", "-e", "trace=%file", "-o", str(log), *command],
                                cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        calls = parse_strace(log.read_text(errors="replace").splitlines()) if log.exists() else []
    return result, calls
