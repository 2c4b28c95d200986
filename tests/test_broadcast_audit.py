"""The cluster audit's tracer (tests/cluster/broadcast_audit.py) on a local process tree, fast.

A stand-in daemon forks, on request, a two-threaded child that lives for a moment, as slurmd's
slurmstepd does for a job step. Leaving the tracing block must wait for that child to end before
it detaches (strace 6.1 can hang detaching from a multithreaded process that is exiting), keep
the child's calls in the log, and leave the daemon running and untraced.
"""

import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "cluster"))

import broadcast_audit  # noqa: E402

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("strace") is None,
                                reason="attaching strace to a running process needs root and strace (./bootstrap)")

CHILD_SECONDS = 1.5

DAEMON = textwrap.dedent(f"""
    import os, sys, threading, time
    for line in sys.stdin:
        child = os.fork()
        if child == 0:
            worker = threading.Thread(target=time.sleep, args=({CHILD_SECONDS},))
            worker.start()
            open("/dev/null").close()        # a traced file call of the child's
            worker.join()
            os._exit(0)
        print(child, flush=True)
        threading.Thread(target=os.waitpid, args=(child, 0)).start()  # reaped, as init reaps slurmstepd
""")


@pytest.fixture
def daemon():
    process = subprocess.Popen([sys.executable, "-c", DAEMON], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    yield process
    process.kill()
    process.wait()


def tracer_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("TracerPid:")))


def test_leaving_waits_for_the_daemons_child_then_detaches_and_the_daemon_runs_on(daemon, tmp_path):
    with broadcast_audit.tracing_slurmds({"node": daemon.pid}, tmp_path) as logs:
        tracer = tracer_of(daemon.pid)
        assert tracer != 0
        daemon.stdin.write("spawn\n")
        daemon.stdin.flush()
        child = int(daemon.stdout.readline())
        spawned = time.monotonic()
        # the child and its second thread are traced, besides the daemon's own threads (polled:
        # on a loaded machine the child may take a while to start its thread)
        def childs_traced_threads():
            return [thread for thread in broadcast_audit.traced_threads(tracer) if thread.process == child]
        while len(childs_traced_threads()) < 2 and time.monotonic() < spawned + CHILD_SECONDS / 2:
            time.sleep(0.05)
        assert len(childs_traced_threads()) == 2, broadcast_audit.traced_threads(tracer)
    waited = time.monotonic() - spawned

    assert waited >= CHILD_SECONDS, waited  # it did not detach while the child still ran
    assert not Path(f"/proc/{child}").exists()
    assert daemon.poll() is None and tracer_of(daemon.pid) == 0  # running, untraced
    assert not (tmp_path / "strace-detach.txt").exists()  # detached when asked, not killed
    log = logs["node"].read_text()
    assert re.search(rf'^{child}\s+openat\(AT_FDCWD, "/dev/null"', log, re.MULTILINE), log[-2000:]
    # its calls to the end; strace splits a call into "<unfinished ...>" and "<... resumed>" halves
    # when another traced thread's call comes between, so the call is matched by its opening half
    assert re.search(rf"^{child}\s+exit_group\(0(?:\)| <unfinished)", log, re.MULTILINE), log[-2000:]


def test_traced_threads_names_nothing_for_a_process_that_traces_nothing():
    assert broadcast_audit.traced_threads(os.getpid()) == []
