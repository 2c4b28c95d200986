"""Point 2: start-up against a slow, serial metadata server (bench/metadata_server.py).

For each service time, each contender and each number of concurrent processes, a fresh mount
of SERVED is made, N processes of the contender start the workload from inside it at once, and
the wall time until the last one has finished is measured; the server's own count of the
operations it served is kept beside it. A cell that runs past its time budget is stopped and
reported as "> budget (k of N finished)", never extrapolated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

SERVER = Path(__file__).resolve().parent / "metadata_server.py"
MOUNT_TIMEOUT_SECONDS = 20

FULL_SWEEP = {"service_ms": (0, 0.1, 1, 5), "processes": (1, 8, 32, 64)}
QUICK_SWEEP = {"service_ms": (0, 1), "processes": (1, 8)}
# The workloads swept (each costs its sweep's cells for every contender): start-up, numpy, the
# two HPC ones (scipy, and the full stack with MPI and HDF5) and the two applications' start-ups.
SWEPT_WORKLOADS = ("-c pass", "import numpy", "import scipy", "import numpy, scipy, h5py; from mpi4py import MPI",
                   "import gpaw", "import netCDF4")


class Mount:
    """One metadata-server process serving `source` at `mountpoint`, for a `with` block."""

    def __init__(self, source: Path, mountpoint: Path, service_ms: float, stats: Path):
        self.source, self.mountpoint, self.service_ms, self.stats = source, mountpoint, service_ms, stats
        self.process = None

    def __enter__(self):
        self.mountpoint.mkdir(parents=True, exist_ok=True)
        if os.path.ismount(self.mountpoint):
            subprocess.run(["fusermount3", "-u", "-z", str(self.mountpoint)], check=False)
        self.stats.unlink(missing_ok=True)
        self.process = subprocess.Popen([sys.executable, str(SERVER), str(self.source), str(self.mountpoint),
                                         "--service-ms", str(self.service_ms), "--stats", str(self.stats)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + MOUNT_TIMEOUT_SECONDS
        while not os.path.ismount(self.mountpoint):
            if self.process.poll() is not None or time.monotonic() > deadline:
                error = self.process.stderr.read() if self.process.poll() is not None else "timed out"
                raise RuntimeError(f"metadata server did not mount {self.mountpoint}: {error.strip()[-300:]}")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        subprocess.run(["fusermount3", "-u", str(self.mountpoint)], check=False, stderr=subprocess.DEVNULL)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # Still busy (a backlog of queued requests): SIGTERM ends its loop and it writes its
            # count on the way out; only a server that ignores that too is killed (no count).
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            subprocess.run(["fusermount3", "-u", "-z", str(self.mountpoint)], check=False,
                           stderr=subprocess.DEVNULL)

    def served_operations(self) -> dict:
        return json.loads(self.stats.read_text()) if self.stats.exists() else {}


def start_together(command: list[str], count: int, *, cwd: Path, env: dict, budget: float) -> dict:
    """Wall time from the first start to the last exit of `count` copies of `command`."""
    started = time.perf_counter()
    processes = [subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for _ in range(count)]
    deadline = started + budget
    finished, failures = 0, []
    for process in processes:
        try:
            remaining = max(0.0, deadline - time.perf_counter())
            _, stderr = process.communicate(timeout=remaining)
            finished += 1
            if process.returncode != 0:
                failures.append(stderr.decode(errors="replace").strip()[-200:])
        except subprocess.TimeoutExpired:
            break
    elapsed = time.perf_counter() - started
    if finished < count:
        for process in processes:
            if process.poll() is None:
                process.kill()
        for process in processes:
            process.wait()
        return {"timeout_seconds": budget, "finished": finished, "processes": count}
    result = {"seconds": elapsed, "processes": count}
    if failures:
        result["failed"] = len(failures)
        result["first_failure"] = failures[0]
    return result


def run_sweep(contenders, workloads, served: Path, mountpoint: Path, sweep: dict, budget: float,
              log=print) -> dict:
    """{workload: {contender: {service_ms: {processes: cell}}}}"""
    results: dict = {}
    stats = mountpoint.parent / "mds-stats.json"
    for workload in workloads:
        for contender in contenders:
            cells = results.setdefault(workload.key, {}).setdefault(contender.name, {})
            if contender.command(workload, mountpoint) is None:
                cells["na"] = contender.unavailable[workload.key]
                continue
            for service_ms in sweep["service_ms"]:
                row = cells.setdefault(str(service_ms), {})
                for count in sweep["processes"]:
                    with Mount(served, mountpoint, service_ms, stats) as mount:
                        cell = start_together(contender.command(workload, mountpoint), count, cwd=mountpoint / "work",
                                              env=contender.environment(mountpoint, workload), budget=budget)
                    cell["server"] = mount.served_operations()
                    row[str(count)] = cell
                    shown = (f"{cell['seconds']:.2f} s" if "seconds" in cell
                             else f"> {budget:.0f} s ({cell['finished']} of {count} finished)")
                    log(f"  fuse sweep {workload.key!r} {contender.name} {service_ms} ms x{count}: {shown}, "
                        f"{cell['server'].get('metadata_operations', '?')} metadata ops")
    return results
