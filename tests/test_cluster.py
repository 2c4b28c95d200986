"""The static numpy+mpi4py binary on a real Slurm, emulated on this machine.

tests/cluster/slurm-cluster starts munge, slurmctld and two slurmd nodes (each in its own
network, UTS and mount namespace, node-local /tmp, on a private bridge). On it: `srun --bcast`
runs 4 ranks on 2 nodes through Slurm's PMI; MPICH's mpiexec runs inside an sbatch allocation;
messages between nodes cross the nodes' network interfaces; the ranks of a broadcast job read
nothing of the binary from the shared filesystem; a rank that dies ends the job; and every
Slurm job script in docs/job-scripts runs.

Needs root, network namespaces and Debian's Slurm and munge (./bootstrap); skips otherwise.
The shared filesystem is the checkout: the build and the jobs' files live in build-cluster-tests/
(the nodes' /tmp is their own).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import assert_built, ci_blas_cpu, ROOT, run_scons

sys.path.insert(0, str(ROOT / "tests" / "cluster"))

import broadcast_audit  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.numpy]

CLUSTER = ROOT / "tests" / "cluster" / "slurm-cluster"
APPS = ROOT / "tests" / "cluster"
JOB_SCRIPTS = ROOT / "docs" / "job-scripts"
STATE_DIR = Path("/run/slither-cluster")
NODES = ("node1", "node2")
MESSAGE_BYTES = 64 * 2**20
FAULT_BUDGET_SECONDS = 20  # "within seconds": what a failed rank may take to end the job
NEEDED = ("ip", "unshare", "nsenter", "munged", "mungekey", "slurmctld", "slurmd", "srun", "sbatch", "sinfo",
          "sbcast", "strace")


def unavailable() -> str:
    if os.geteuid() != 0:
        return "the emulated Slurm cluster needs root"
    missing = [program for program in NEEDED if shutil.which(program) is None]
    if missing:
        return f"the emulated Slurm cluster needs {', '.join(missing)} (run ./bootstrap)"
    if subprocess.run(["unshare", "--net", "--uts", "--mount", "true"], capture_output=True).returncode != 0:
        return "the emulated Slurm cluster needs network, UTS and mount namespaces (not allowed here)"
    return ""


if unavailable():
    pytest.skip(unavailable(), allow_module_level=True)


def run(command, timeout=300, **options):
    return subprocess.run([str(part) for part in command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout, **options)


# The checkout's build-cluster-tests, or /var/tmp's when the checkout is under /tmp, which every
# emulated node mounts afresh (its own, empty).
SHARED_PARENT = (Path("/var/tmp/slither-cluster-tests") if ROOT.resolve().is_relative_to("/tmp")
                 else ROOT / "build-cluster-tests")


@pytest.fixture(scope="module")
def shared_dir():
    """A directory on the shared filesystem (SHARED_PARENT), which the nodes see as this machine does."""
    parent = SHARED_PARENT
    parent.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(dir=parent))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    started = run([CLUSTER, "up", str(len(NODES))], timeout=120)
    assert started.returncode == 0, started.stdout + started.stderr
    exports = run([CLUSTER, "env"]).stdout
    variables = dict(re.findall(r"^export (\w+)=(.*)$", exports, re.MULTILINE))
    assert "SLURM_CONF" in variables, exports
    yield {**os.environ, **variables}
    run([CLUSTER, "down"], timeout=120)


@pytest.fixture(scope="module")
def build(shared_dir):
    build_dir = shared_dir / "build"
    result = run_scons([f"BUILD_DIR={build_dir}", "MODULES=numpy,mpi4py", "JOBS=2", f"BLAS_CPU={ci_blas_cpu()}"], timeout=7200)
    assert_built(result)
    return {"dir": build_dir, "binary": build_dir / "bin" / "python-static",
            "mpiexec": build_dir / "libraries" / "mpich-4.0.2-gnu" / "prefix" / "bin" / "mpiexec"}


@pytest.fixture
def job_dir(shared_dir, request):
    directory = shared_dir / request.node.name.replace("[", "-").replace("]", "")
    directory.mkdir()
    for app in ("ranks_app.py", "fault_app.py"):
        shutil.copy(APPS / app, directory / app)
    return directory


def records(output: str) -> tuple[list[dict], dict]:
    """ranks_app.py's lines: one per rank, then one per message (by name)."""
    parsed = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    ranks = sorted((r for r in parsed if "rank" in r), key=lambda r: r["rank"])
    return ranks, {r["message"]: r for r in parsed if "message" in r}


def assert_four_ranks_on_two_nodes_that_talk(output: str, executable_pattern: str) -> dict:
    ranks, messages = records(output)
    assert [r["rank"] for r in ranks] == [0, 1, 2, 3], output
    assert sorted(r["host"] for r in ranks) == ["node1", "node1", "node2", "node2"], output
    for rank in ranks:
        assert re.fullmatch(executable_pattern, rank["executable"]), rank
        assert (rank["size"], rank["allreduce"], rank["Allreduce"], rank["bcast"], rank["library"]) == \
            (4, 6, 10.0, 42, "MPICH"), rank
    between, within = messages["between nodes"], messages["within a node"]
    assert between["ok"] and within["ok"], messages
    # TCP between nodes: the whole message left through the sender node's eth0 ...
    assert between["eth0_tx_bytes"] >= MESSAGE_BYTES, between
    # ... and shared memory within a node: (almost) nothing did
    assert within["eth0_tx_bytes"] < MESSAGE_BYTES // 100, within
    return messages


# --- the cluster itself -------------------------------------------------------------------------

def test_up_twice_changes_nothing_and_env_names_the_configuration(cluster):
    again = run([CLUSTER, "up", str(len(NODES))])
    assert again.returncode == 0 and again.stdout.strip() == "slurm-cluster: already up with 2 nodes", again.stdout
    assert run([CLUSTER, "status"]).stdout.strip() == "up with 2 nodes: node1 idle, node2 idle"
    assert cluster["SLURM_CONF"] == str(STATE_DIR / "slurm.conf")
    configuration = Path(cluster["SLURM_CONF"]).read_text()
    for setting in ("MpiDefault=pmi2", "ProctrackType=proctrack/linuxproc", "TaskPlugin=task/none"):
        assert setting in configuration.splitlines()
    assert "cgroup" not in configuration.replace("cgroups", "")


def test_each_node_has_its_own_hostname_address_route_and_tmp(cluster, shared_dir):
    probe = ('echo "$(hostname) $(ip -4 -o addr show eth0 | awk \'{print $4}\') '
             '$(ip -4 route | sed "s/ *$//" | paste -sd ";") $(stat -f -c %T /tmp)"; '
             'echo "from $(hostname)" > /tmp/mark')
    result = run(["srun", "-N", "2", "--ntasks-per-node=1", "-l", "sh", "-c", probe], env=cluster, cwd=shared_dir)
    assert result.returncode == 0, result.stderr
    lines = sorted(line.split(": ", 1)[1] for line in result.stdout.splitlines())
    assert lines == sorted([
        "node1 10.199.0.11/24 10.199.0.0/24 dev eth0 proto kernel scope link src 10.199.0.11 tmpfs",
        "node2 10.199.0.12/24 10.199.0.0/24 dev eth0 proto kernel scope link src 10.199.0.12 tmpfs"]), result.stdout
    # each node saw only its own mark: /tmp is node-local, and this machine's /tmp has none
    marks = run(["srun", "-N", "2", "--ntasks-per-node=1", "cat", "/tmp/mark"], env=cluster, cwd=shared_dir)
    assert sorted(marks.stdout.splitlines()) == ["from node1", "from node2"]
    assert not Path("/tmp/mark").exists() or "from node" not in Path("/tmp/mark").read_text()


def test_a_missing_program_is_one_line_naming_the_package(tmp_path):
    # a PATH with everything the script needs except slurmd
    for program in ("ip", "unshare", "nsenter", "munged", "mungekey", "slurmctld", "srun", "sinfo", "scontrol"):
        (tmp_path / program).symlink_to(shutil.which(program))
    result = run([sys.executable, CLUSTER, "up", "2"], env={**os.environ, "PATH": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "slurm-cluster: slurmd not found; run ./bootstrap (installs Debian's slurmd)"]


def test_not_root_is_one_line():
    result = run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", CLUSTER,
                  "up", "2"])
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "slurm-cluster: must run as root (it creates network namespaces, a bridge and daemons)"]


# --- MPI across nodes -------------------------------------------------------------------------

def test_srun_bcast_runs_four_ranks_on_two_nodes_over_slurm_pmi(cluster, build, job_dir):
    result = run(["srun", "-N", "2", "-n", "4", "--bcast=/tmp/python-static", build["binary"], "ranks_app.py"],
                 env=cluster, cwd=job_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_four_ranks_on_two_nodes_that_talk(result.stdout, "/tmp/python-static")


def test_mpiexec_inside_an_sbatch_allocation_runs_ranks_on_both_nodes(cluster, build, job_dir):
    script = job_dir / "hydra.sh"
    script.write_text(f"#!/bin/sh\nexec {build['mpiexec']} -n 4 {build['binary']} ranks_app.py\n")
    result = run(["sbatch", "--wait", "-N", "2", "--ntasks-per-node=2", "-o", job_dir / "job.out",
                  "-e", job_dir / "job.err", script], env=cluster, cwd=job_dir)
    output = (job_dir / "job.out").read_text()
    assert result.returncode == 0, result.stderr + output + (job_dir / "job.err").read_text()
    assert_four_ranks_on_two_nodes_that_talk(output, re.escape(str(build["binary"])))


@pytest.mark.parametrize("script", sorted(path.name for path in JOB_SCRIPTS.glob("slurm-*.sh")))
def test_the_slurm_job_scripts_in_docs_run(cluster, build, job_dir, script):
    result = run(["sbatch", "--wait", "-N", "2", "--ntasks-per-node=2", "-o", job_dir / "job.out",
                  "-e", job_dir / "job.err", JOB_SCRIPTS / script, "ranks_app.py"],
                 env={**cluster, "PYTHON_STATIC": str(build["binary"])}, cwd=job_dir)
    output = (job_dir / "job.out").read_text()
    assert result.returncode == 0, result.stderr + output + (job_dir / "job.err").read_text()
    assert_four_ranks_on_two_nodes_that_talk(output, r"/tmp/python-static\.\d+")
    # the node-local copy is the job's own, and the script removed it at the end
    left = run(["srun", "-N", "2", "--ntasks-per-node=1", "sh", "-c", r"ls /tmp | grep -c '^python-static\.' || true"],
               env=cluster, cwd=job_dir)
    assert left.stdout.split() == ["0", "0"], left.stdout


# --- the broadcast's file syscalls -------------------------------------------------------------

def slurmd_pids() -> dict:
    return {node: int((STATE_DIR / "nodes" / node / "slurmd.pid").read_text()) for node in NODES}


def test_ranks_of_a_broadcast_job_read_nothing_of_the_binary_from_the_shared_path(cluster, build, job_dir):
    srun_log = job_dir / "srun.strace"
    with broadcast_audit.tracing_slurmds(slurmd_pids(), job_dir) as node_logs:
        result = run(["strace", "-f", "-qq", "-e", "trace=%file", "-o", srun_log,
                      "srun", "-N", "2", "-n", "4", "--bcast=/tmp/python-static", build["binary"], "ranks_app.py"],
                     env=cluster, cwd=job_dir)
    assert result.returncode == 0, result.stderr
    shared_roots = [ROOT, SHARED_PARENT]  # the checkout; the build tree and the job's directory
    ranks, daemons = [], []
    for node, log in node_logs.items():
        found, daemon_calls = broadcast_audit.ranks_in_node_trace(
            node, log.read_text().splitlines(), "/tmp/python-static", shared_roots, job_dir)
        ranks += found
        daemons += daemon_calls
    assert sorted(rank.node for rank in ranks) == ["node1", "node1", "node2", "node2"], ranks
    binary = str(build["binary"])
    script = str(job_dir / "ranks_app.py")
    for rank in ranks:
        # on the shared filesystem the rank touches its script (the user's file) and the job's
        # directory, and nothing else: not the binary, no library, no directory to search
        named = [broadcast_audit.shared_path(call, shared_roots, job_dir) for call in rank.shared_calls]
        assert set(named) <= {script, str(job_dir)}, rank.shared_calls
        assert {re.match(r"\w+", call).group() for call in rank.shared_calls} <= {"getcwd", "readlink", "openat"}, \
            rank.shared_calls
        assert sum(call.startswith("openat(") for call in rank.shared_calls) == 1, rank.shared_calls
        # slurmstepd, for the task: the job's directory (chdir), nothing else
        assert {broadcast_audit.shared_path(call, shared_roots, job_dir) for call in rank.set_up_shared_calls} \
            <= {str(job_dir)}, rank.set_up_shared_calls
    assert all(binary not in call for call in daemons), daemons
    # srun read the binary from the shared path once, for the whole job
    reads = broadcast_audit.srun_shared_reads(srun_log.read_text().splitlines(), build["binary"])
    assert len(reads) == 1, reads


# --- faults ------------------------------------------------------------------------------------

@pytest.mark.parametrize("launch", ["-m mpi4py", "plain"])
@pytest.mark.parametrize("fault", ["kill", "exit", "raise", "exit-early"])
def test_a_failing_rank_ends_the_whole_job_within_seconds(cluster, build, job_dir, fault, launch):
    """An uncaught exception or a non-zero sys.exit becomes MPI_Abort, with `-m mpi4py`
    (mpi4py's documented way to run a script) and, once mpi4py is imported, in a plain
    `python-static app.py` too (the runtime does what -m mpi4py does), also before the rank's
    first communication. A SIGKILLed rank is Slurm's to notice (KillOnBadExit=1)."""
    arguments = ["-m", "mpi4py"] if launch == "-m mpi4py" else []
    # Each task's stderr is its own file (slurmstepd opens it for the task): MPICH prints the
    # MPI_Abort line from the aborting process, and a launcher that ends the job on that abort
    # may drop what it had not yet forwarded.
    started = time.monotonic()
    result = run(["srun", "-N", "2", "-n", "4", "--bcast=/tmp/python-static", f"--error={job_dir}/task-%t.stderr",
                  build["binary"], *arguments, "fault_app.py", fault], env=cluster, cwd=job_dir, timeout=120)
    elapsed = time.monotonic() - started
    print(f"{fault} ({launch}): srun exit {result.returncode} after {elapsed:.1f} s")
    assert result.returncode != 0, result.stdout + result.stderr
    assert elapsed < FAULT_BUDGET_SECONDS, f"{elapsed:.1f} s"
    ready = {line for line in result.stdout.splitlines() if line.endswith(" ready")}
    expected_ready = range(3) if fault == "exit-early" else range(4)
    assert ready <= {f"rank {rank} ready" for rank in expected_ready}, result.stdout + result.stderr
    if fault != "exit-early":
        assert ready == {f"rank {rank} ready" for rank in expected_ready}, result.stdout + result.stderr
    assert "passed the allreduce" not in result.stdout
    if fault != "kill":
        status = 1 if fault == "raise" else 3
        failed_task_stderr = (job_dir / "task-3.stderr").read_text()
        assert f"MPI_Abort(MPI_COMM_WORLD, {status})" in failed_task_stderr, result.stderr + failed_task_stderr
    # nothing of the job is left on the nodes
    left = run(["srun", "-N", "2", "--ntasks-per-node=1", "sh", "-c", "pgrep -c -f '^/tmp/python-stati[c]' || true"],
               env=cluster, cwd=job_dir)
    assert left.stdout.split() == ["0", "0"], left.stdout


# --- last: down ------------------------------------------------------------------------------

def running(pid: int) -> bool:
    """Alive and not a zombie (an exited daemon stays one until init reaps it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def test_down_stops_everything_and_removes_what_up_made(cluster):
    pids = [int((STATE_DIR / "munge" / "munged.pid").read_text()),
            int((STATE_DIR / "controller" / "slurmctld.pid").read_text()), *slurmd_pids().values()]
    result = run([CLUSTER, "down"], timeout=120)
    assert result.returncode == 0, result.stderr
    assert not STATE_DIR.exists()
    assert not [line for line in run(["ip", "netns", "list"]).stdout.splitlines() if line.startswith("slither-")]
    assert not Path("/sys/class/net/slither0").exists()
    assert not [pid for pid in pids if running(pid)]
    assert run([CLUSTER, "down"]).stdout.strip() == "slurm-cluster: already down"
    assert run([CLUSTER, "env"]).returncode == 1
