"""Which file syscalls of a broadcast job reach the shared filesystem, per rank and for srun.

The ranks cannot be started under strace without strace itself being the broadcast program, so
every node's slurmd is traced instead (`strace -f -p`): it forks the slurmstepd that forks and
execs each task, so the trace holds each rank from its execve of the node-local copy on, its
threads included, and what slurmd and slurmstepd did for it. srun, on this machine, is traced
as usual: it is the one that reads the binary from the shared path and sends it to the nodes.

A path is on the shared filesystem when it is at or below one of the shared roots given (the
build tree and the job's directory); relative paths are relative to the job's directory.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from slither.inspect.audit import QUOTED_PATH

TRACED = "trace=%file,%process"
LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^(?:<\.\.\. )?(\w+)[\( ]")
EXECVE = re.compile(r'^execve\("([^"]+)".*(?:\) = 0|<unfinished \.\.\.>)$')  # succeeded, or resumed later
CHILD = re.compile(r"(?:clone3?|v?fork)\b.*\) = (\d+)$")


@dataclass
class Rank:
    """One task: the process that execs the node-local copy, and its threads and children."""
    node: str
    pid: int
    executable: str
    shared_calls: list[str] = field(default_factory=list)        # after its execve
    set_up_shared_calls: list[str] = field(default_factory=list)  # slurmstepd's, before the execve


SETTLE_SECONDS = 30   # what a node may take, after srun returns, to end the step's slurmstepd
DETACH_SECONDS = 30   # what strace may take to detach once asked


@contextmanager
def tracing_slurmds(slurmd_pids: dict[str, int], log_dir: Path):
    """strace -f attached to each node's slurmd while the block runs; yields the log paths.

    On leaving, it first waits until each tracer traces nothing but slurmd's own threads (the
    step's slurmstepd, reparented to init, has exited and been reaped), and only then detaches:
    the trace then holds slurmstepd's last calls, and nothing traced is exiting. That matters
    because strace 6.1 (Debian 12) can hang in its detach when a multithreaded tracee is exiting:
    it waits for the zombie group leader, which cannot be reported before its zombie thread, which
    strace never reaps (6.7 waits for any tracee instead). Should a tracer still not have detached
    in DETACH_SECONDS it is killed: the kernel then detaches its tracees (an attaching strace sets
    no PTRACE_O_EXITKILL, so slurmd runs on), and the log loses nothing, since strace flushes its
    output at the end of every line. What was still traced goes to strace-detach.txt beside the
    logs, for the diagnosis.
    """
    logs = {node: log_dir / f"slurmd-{node}.strace" for node in slurmd_pids}
    tracers = {node: subprocess.Popen(["strace", "-f", "-qq", "-e", TRACED, "-o", str(logs[node]), "-p", str(pid)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for node, pid in slurmd_pids.items()}
    try:
        time.sleep(1.0)  # strace attaches asynchronously; a job started earlier would escape it
        yield logs
    finally:
        wait_until_only_daemons_are_traced({tracers[node].pid: pid for node, pid in slurmd_pids.items()},
                                           SETTLE_SECONDS)
        for tracer in tracers.values():
            tracer.send_signal(signal.SIGINT)  # detaches and leaves slurmd running
        for node, tracer in tracers.items():
            try:
                tracer.wait(timeout=DETACH_SECONDS)
            except subprocess.TimeoutExpired:
                still_traced = "".join(f"  {thread}\n" for thread in traced_threads(tracer.pid)) or "  (none)\n"
                with open(log_dir / "strace-detach.txt", "a") as report:
                    report.write(f"{node}: strace {tracer.pid} had not detached after {DETACH_SECONDS} s, "
                                 f"and was killed; it still traced:\n{still_traced}")
                tracer.kill()
                tracer.wait()


@dataclass(frozen=True)
class TracedThread:
    tid: int
    process: int  # its thread group (the process it belongs to)
    name: str
    state: str

    def __str__(self):
        return f"{self.tid} (process {self.process}) {self.name} {self.state}"


def _thread_status_files() -> list[Path]:
    """/proc/<pid>/task/<tid>/status of every thread; a process that ends while it is listed is
    skipped (Path.glob would raise when its task/ directory vanished between two reads)."""
    files = []
    for process in Path("/proc").iterdir():
        if process.name.isdigit():
            try:
                files += [process / "task" / tid / "status" for tid in os.listdir(process / "task")]
            except OSError:
                continue
    return files


def traced_threads(tracer: int) -> list[TracedThread]:
    """Every thread on this machine whose tracer is the process tracer, zombies included."""
    found = []
    for status in _thread_status_files():
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue  # it ended meanwhile
        if fields.get("TracerPid", "").strip() == str(tracer):
            found.append(TracedThread(int(fields["Pid"]), int(fields["Tgid"]), fields["Name"].strip(),
                                      fields["State"].strip()))
    return found


def wait_until_only_daemons_are_traced(daemon_of_tracer: dict[int, int], seconds: float) -> None:
    """Until every tracer traces only its daemon's threads, or seconds have passed (the detach
    goes ahead then anyway, with its fallback)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(thread.process == daemon
               for tracer, daemon in daemon_of_tracer.items() for thread in traced_threads(tracer)):
            return
        time.sleep(0.1)


DIRECTORY_RELATIVE = re.compile(r"^\w+at2?\((\d+),")  # openat(3, "x", ...): relative to a descriptor


def shared_path(call: str, shared_roots: list[Path], job_dir: Path) -> str:
    """The shared path a call names ("" if none): the descriptor-only calls (fstat as
    newfstatat(3, "")) and paths relative to a descriptor name none this can place."""
    if call.startswith("<..."):
        return ""  # a resumed call's path was in its unfinished half; what is quoted here is output
    path = QUOTED_PATH.search(call)
    if not path or not path.group(1) or (not path.group(1).startswith("/") and DIRECTORY_RELATIVE.match(call)):
        return ""
    absolute = Path(path.group(1)) if path.group(1).startswith("/") else job_dir / path.group(1)
    return str(absolute) if any(absolute == root or root in absolute.parents for root in shared_roots) else ""


def ranks_in_node_trace(node: str, lines: list[str], executable: str, shared_roots: list[Path],
                        job_dir: Path) -> tuple[list[Rank], list[str]]:
    """The ranks found in one node's trace, and the node daemons' own shared-path calls."""
    parent_of: dict[int, int] = {}
    events = []
    for line in lines:
        match = LINE.match(line)
        if not match:
            continue
        pid, rest = int(match.group(1)), match.group(2)
        child = CHILD.search(rest)
        if child:
            parent_of[int(child.group(1))] = pid
        events.append((pid, rest))

    ranks: dict[int, Rank] = {}
    def rank_of(pid: int) -> Rank | None:
        while pid is not None:
            if pid in ranks:
                return ranks[pid]
            pid = parent_of.get(pid)
        return None

    daemons_shared = []
    pending_set_up: dict[int, list[str]] = defaultdict(list)  # a task's process, before it execs
    for pid, rest in events:
        executed = EXECVE.match(rest)
        if executed and executed.group(1) == executable and pid not in ranks:
            ranks[pid] = Rank(node, pid, executable, set_up_shared_calls=pending_set_up.pop(pid, []))
            continue
        if not shared_path(rest, shared_roots, job_dir):
            continue
        owner = rank_of(pid)
        if owner is not None:
            owner.shared_calls.append(rest)
        else:
            pending_set_up[pid].append(rest)
    # what a process that never became a rank did on the shared paths: slurmd, slurmstepd
    for calls in pending_set_up.values():
        daemons_shared.extend(calls)
    return list(ranks.values()), daemons_shared


def srun_shared_reads(lines: list[str], shared_binary: Path) -> list[str]:
    """The opens of the shared binary in srun's trace (its read for the broadcast)."""
    return [line for line in lines if re.search(r"\bopen(at)?\(", line) and f'"{shared_binary}"' in line]
