"""Point 1: the file-syscall audit, per contender and workload, under `strace -f`.

Per run: every call that names a path (after the command's own execve), how many failed, how
many name a path outside /proc, /dev, /sys and /etc (the calls that would reach a parallel
filesystem; slither.inspect.audit's yardstick), the distinct such paths, and the bytes read(2) from
files outside those directories (reads of descriptors the process opened by such a path;
files mapped with mmap, such as shared libraries after ld.so's first read, are not counted).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from slither.inspect.audit import NODE_LOCAL_PREFIXES, NODE_LOCAL_ROOTS  # noqa: E402

STRACE_FILTER = "trace=%file,read,pread64,readv,close"
PID_PREFIX = re.compile(r"^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(.*)$")
CALL = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)")
UNFINISHED = re.compile(r"^(\w+)\((.*)\s+<unfinished \.\.\.>$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
QUOTED_PATH = re.compile(r'"((?:[^"\\]|\\.)*)"')
READ_CALLS = ("read", "pread64", "readv")
OPEN_CALLS = ("open", "openat", "openat2", "creat")


def is_node_local(path: str) -> bool:
    return path.startswith(NODE_LOCAL_PREFIXES) or path in NODE_LOCAL_ROOTS


@dataclass(frozen=True)
class Call:
    pid: int
    name: str
    arguments: str
    result: int | None        # None: the call never returned (e.g. execve replaced, process killed)


def joined_calls(lines) -> list[Call]:
    """strace -f lines as whole calls: `<unfinished ...>` and `<... resumed>` halves joined per pid."""
    pending: dict[int, tuple[str, str]] = {}
    calls = []
    for line in lines:
        pid_text, pid_text2, rest = PID_PREFIX.match(line.rstrip("\n")).groups()
        pid = int(pid_text or pid_text2 or 0)
        unfinished = UNFINISHED.match(rest)
        if unfinished:
            pending[pid] = (unfinished.group(1), unfinished.group(2))
            continue
        resumed = RESUMED.match(rest)
        if resumed:
            name, tail = resumed.groups()
            start_name, head = pending.pop(pid, (name, ""))
            rest = f"{start_name}({head}{tail}"
        match = CALL.match(rest)
        if match:
            name, arguments, result = match.groups()
            calls.append(Call(pid, name, arguments, None if result == "?" else int(result)))
    return calls


@dataclass
class AuditCounts:
    total: int = 0                 # calls naming a path
    failed: int = 0                # of those, returned -1
    outside: int = 0               # naming a path outside /proc /dev /sys /etc
    outside_failed: int = 0
    paths: set = field(default_factory=set)   # distinct paths outside
    bytes_read: int = 0            # read from files outside /proc /dev /sys /etc

    def as_dict(self) -> dict:
        return {"total": self.total, "failed": self.failed, "outside": self.outside,
                "outside_failed": self.outside_failed, "unique_paths": len(self.paths),
                "bytes_read": self.bytes_read}


def count(calls: list[Call]) -> AuditCounts:
    counts = AuditCounts()
    open_files: dict[tuple[int, int], str] = {}
    seen_exec = False
    for call in calls:
        if call.name == "execve" and not seen_exec:
            seen_exec = True
            continue
        if call.name in READ_CALLS:
            fd = call.arguments.split(",", 1)[0].strip()
            if fd.isdigit() and (call.pid, int(fd)) in open_files and call.result and call.result > 0:
                counts.bytes_read += call.result
            continue
        if call.name == "close":
            fd = call.arguments.strip()
            if fd.isdigit():
                open_files.pop((call.pid, int(fd)), None)
            continue
        path_match = QUOTED_PATH.search(call.arguments)
        if not path_match or not path_match.group(1):
            continue
        path = path_match.group(1)
        failed = call.result is not None and call.result < 0
        counts.total += 1
        counts.failed += failed
        if is_node_local(path):
            continue
        counts.outside += 1
        counts.outside_failed += failed
        counts.paths.add(path)
        if call.name in OPEN_CALLS and call.result is not None and call.result >= 0:
            open_files[(call.pid, call.result)] = path
    return counts


def audit_command(command: list[str], *, cwd: Path, env: dict) -> tuple[dict | None, str]:
    """(counts, "") for a command run under strace, or (None, reason) when it failed."""
    with tempfile.TemporaryDirectory() as scratch:
        log = Path(scratch) / "strace.log"
        result = subprocess.run(["strace", "-f", "-qq", "-e", STRACE_FILTER, "-s", "0", "-o", str(log), *command],
                                cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            return None, f"exit {result.returncode}: {result.stderr.strip()[-160:]}"
        with open(log, errors="replace") as stream:
            return count(joined_calls(stream)).as_dict(), ""


def ratio(value: float, stock: float) -> float | None:
    return None if not stock else value / stock


def add_ratios_to_stock(row: dict) -> None:
    """Each contender's counts as fractions of stock's, where both exist."""
    stock = row.get("stock", {})
    if "na" in stock or not stock:
        return
    for counts in row.values():
        if "na" not in counts:
            counts["outside_ratio_to_stock"] = ratio(counts["outside"], stock["outside"])
            counts["total_ratio_to_stock"] = ratio(counts["total"], stock["total"])
            counts["bytes_read_ratio_to_stock"] = ratio(counts["bytes_read"], stock["bytes_read"])


def run_audit(contenders, workloads, root: Path) -> dict:
    """{workload: {contender: counts | {"na": reason}}}, with each count's ratio to stock."""
    results: dict = {}
    for workload in workloads:
        row = results.setdefault(workload.key, {})
        for contender in contenders:
            command = contender.command(workload, root)
            if command is None:
                row[contender.name] = {"na": contender.unavailable[workload.key]}
                continue
            counts, reason = audit_command(command, cwd=root / "work", env=contender.environment(root, workload))
            row[contender.name] = counts if counts is not None else {"na": f"fails under strace ({reason})"}
        add_ratios_to_stock(row)
    return results
