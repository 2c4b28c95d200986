#!/usr/bin/env python3
"""Start-up under srun on the emulated Slurm cluster: stock against static, served by FUSE.

    bench/cluster_startup.py [--nodes 2,4] [--ranks-per-node 2] [--runs 3] [--service-ms 1]
                             [--static build/bin/python-static] [--stock PYTHON] [--stock-mpi PREFIX]
                             [--work-dir build-bench-cluster]

Every contender's files are served to every node by one metadata server
(bench/metadata_server.py: serial, a fixed service time per metadata operation, no kernel
caching), mounted under the cluster's shared mount point, as a parallel filesystem would be:

  stock                  stock CPython + numpy + mpi4py (bench/contenders.py), every rank
                         starting from the served install tree
  python-static, bcast   srun --bcast: srun reads the served binary once and each node runs
                         its node-local copy
  python-static, served  every rank executes the served binary itself

The workload is `import numpy; from mpi4py import MPI` and one line printed per rank; the time
is the wall time from srun's start to the last rank's line (srun -u, read as it arrives), with
srun's exit and the server's operation count beside it. Each run gets a fresh mount; the
contenders take turns within each repetition. Prints the table; writes results.json and
results.md to bench/results/cluster/. Needs root (the cluster), fuse3, and what bench/run needs
for the stock contender (`scons reference-mpi`, `scons MODULES=numpy,mpi4py`).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.machinery
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(PROJECT_ROOT))

from slither.errors import SlitherError  # noqa: E402
from workloads import BY_KEY  # noqa: E402

CLUSTER = PROJECT_ROOT / "tests" / "cluster" / "slurm-cluster"
WORKLOAD = "import numpy; from mpi4py import MPI"  # bench/workloads.py's, with one line printed per rank
CODE = "import numpy; from mpi4py import MPI; print('rank', MPI.COMM_WORLD.Get_rank(), flush=True)"
LOCAL_COPY = "/tmp/python-static.bench"
BUDGET_SECONDS = 300
STOCK, BCAST, SERVED = "stock", "python-static, srun --bcast", "python-static, served (no broadcast)"
# What an emulated cluster cannot show, printed with every table.
READING = (
    "The emulated nodes share one kernel and so one page cache: once the first node has paged the served "
    "binary in, the others find it in memory, so `served (no broadcast)` reads its data through the server "
    "about once per run here, where on a real cluster every node reads it from the parallel filesystem; "
    "`srun --bcast` here pays for sending the whole binary to every node over the bridge and writing it to "
    "each node's tmpfs, on the same two cores as everything else. What carries over to a real cluster is the "
    "metadata operation count (every one of which a parallel filesystem's metadata server serves in turn): "
    "per rank for the stock install, per job for the broadcast.")


def cluster_preparation_options(args):
    """bench/run's options for its contender preparation, from this run's: the one workload
    needs the stock numpy and mpi4py only, so no other stock package is built."""
    return argparse.Namespace(**vars(args), skip_stock_numpy=False, skip_stock_scipy=True, skip_stock_h5py=True,
                              skip_stock_gpaw=True, skip_stock_netcdf4=True, stock_wheels="", build_dir="", sources="")


def bench_run_module():
    """bench/run's helpers (contender preparation, machine description): one source of truth."""
    return importlib.machinery.SourceFileLoader("bench_run", str(BENCH_DIR / "run")).load_module()


def cluster_environment(nodes: int) -> dict:
    started = subprocess.run([str(CLUSTER), "up", str(nodes)], capture_output=True, text=True)
    if started.returncode != 0:
        raise SlitherError(f"the emulated cluster: {started.stderr.strip() or started.stdout.strip()}")
    exports = subprocess.run([str(CLUSTER), "env"], capture_output=True, text=True, check=True).stdout
    return dict(re.findall(r"^export (\w+)=(.*)$", exports, re.MULTILINE))


def srun_command(contender: str, nodes: int, ranks: int, root: Path, stock_interpreter: str) -> list[str]:
    launch = ["srun", "-u", "-N", str(nodes), "-n", str(ranks)]
    if contender == STOCK:
        return [*launch, str(root / stock_interpreter), "-c", CODE]
    if contender == BCAST:
        return [*launch, f"--bcast={LOCAL_COPY}", str(root / "static" / "python-static"), "-c", CODE]
    return [*launch, str(root / "static" / "python-static"), "-c", CODE]


def time_to_last_first_line(command: list[str], ranks: int, *, cwd: Path, env: dict) -> dict:
    """Seconds from start to the last rank's line and to srun's exit (or the budget, exceeded)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen, last_line = set(), None
    deadline = started + BUDGET_SECONDS
    os.set_blocking(process.stdout.fileno(), True)
    for line in process.stdout:
        match = re.match(r"rank (\d+)$", line.strip())
        if match:
            seen.add(int(match.group(1)))
            if len(seen) == ranks:
                last_line = time.perf_counter() - started
        if time.perf_counter() > deadline:
            break
    try:
        stderr = process.communicate(timeout=max(1.0, deadline - time.perf_counter()))[1]
    except subprocess.TimeoutExpired:
        process.kill()
        stderr = process.communicate()[1]
        return {"timeout_seconds": BUDGET_SECONDS, "ranks_up": len(seen)}
    result = {"last_first_line_seconds": last_line, "exit_seconds": time.perf_counter() - started,
              "ranks_up": len(seen), "exit_status": process.returncode}
    if process.returncode != 0 or last_line is None:
        result["error"] = stderr.strip()[-300:]
    return result


def run_cells(contenders: dict, node_counts: list[int], ranks_per_node: int, runs: int, service_ms: float,
              served: Path, mountpoint: Path, stock_interpreter: str, env: dict) -> list[dict]:
    import fuse_sweep

    cells = {(nodes, name): [] for nodes in node_counts for name in contenders}
    for repetition in range(1, runs + 1):
        for nodes in node_counts:
            ranks = nodes * ranks_per_node
            for name in contenders:
                with fuse_sweep.Mount(served, mountpoint, service_ms, served.parent / "mds-stats.json") as mount:
                    result = time_to_last_first_line(
                        srun_command(name, nodes, ranks, mountpoint, stock_interpreter), ranks,
                        cwd=mountpoint / "work", env=env)
                result["metadata_operations"] = mount.served_operations().get("metadata_operations")
                cells[(nodes, name)].append(result)
                shown = (f"{result['last_first_line_seconds']:.2f} s" if result.get("last_first_line_seconds")
                         else f"failed: {result.get('error', 'over budget')[-120:]}")
                print(f"  run {repetition}/{runs}: {nodes} nodes x {ranks_per_node} ranks, {name}: {shown}, "
                      f"{result['metadata_operations']} metadata operations", flush=True)
    summary = []
    for (nodes, name), results in cells.items():
        times = [r["last_first_line_seconds"] for r in results if r.get("last_first_line_seconds")]
        summary.append({"nodes": nodes, "ranks": nodes * ranks_per_node, "contender": name, "runs": results,
                        "median_last_first_line_seconds": statistics.median(times) if len(times) == len(results) else None,
                        "median_metadata_operations": statistics.median(
                            [r["metadata_operations"] or 0 for r in results])})
    return summary


def table(summary: list[dict], contenders: dict, node_counts: list[int], ranks_per_node: int) -> str:
    header = "| contender | " + " | ".join(f"{n} nodes x {ranks_per_node} ranks" for n in node_counts) + " |"
    lines = [header, "|---|" + "---:|" * len(node_counts)]
    for name in contenders:
        cells = []
        for nodes in node_counts:
            cell = next(c for c in summary if c["nodes"] == nodes and c["contender"] == name)
            seconds = cell["median_last_first_line_seconds"]
            cells.append(f"{seconds:.2f} s ({cell['median_metadata_operations']:,.0f} ops)" if seconds is not None
                         else "failed or over budget")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def results_markdown(results: dict) -> list[str]:
    """The page of one run, as lines, from its results.json alone (bench/publish.py uses it too)."""
    settings, contenders, unavailable = results["settings"], results["contenders"], results["unavailable"]
    node_counts = settings["nodes"]
    text = table(results["cells"], contenders, node_counts, settings["ranks_per_node"])
    text += "".join(f"\n| {name} | " + " | ".join("n/a" for _ in node_counts) + " |" for name in unavailable)
    title = (f"Start-up under srun, {settings['runs']} runs (median), wall time to the last rank's first line; "
             f"FUSE metadata server, {settings['service_ms']:g} ms per metadata operation")
    markdown = [f"# bench/cluster_startup.py", "", f"Command: `{results['command']}`  ",
                f"Machine: {results['machine']['os']}, {results['machine']['cpu']}, {results['machine']['cores']} cores; "
                f"the emulated Slurm cluster (tests/cluster/slurm-cluster) on it  ",
                f"Started: {results['started']}", "", f"Workload: `{results['workload']}`", "", "Contenders:", ""]
    markdown += [f"* **{name}**: {description}" for name, description in contenders.items()]
    markdown += [f"* **{name}**: n/a ({reason})" for name, reason in unavailable.items()]
    markdown += ["", f"## {title}", "", text, "", READING, ""]
    return markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="2,4", help="node counts, comma-separated (2 to 4)")
    parser.add_argument("--ranks-per-node", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--service-ms", type=float, default=1.0, help="metadata server time per operation")
    parser.add_argument("--static", default=str(PROJECT_ROOT / "build" / "bin" / "python-static"))
    parser.add_argument("--stock", default="", help="stock interpreter (default: scons reference, else Debian's)")
    parser.add_argument("--stock-mpi", default="", help="the shared MPI's prefix (default: `scons reference-mpi`'s)")
    parser.add_argument("--work-dir", default=str(PROJECT_ROOT / "build-bench-cluster"))
    parser.add_argument("--cache-dir", default="~/.cache/slither")
    parser.add_argument("--results", default=str(BENCH_DIR / "results" / "cluster"))
    args = parser.parse_args()
    node_counts = [int(n) for n in args.nodes.split(",")]
    if any(not 1 <= n <= 4 for n in node_counts):
        raise SlitherError(f"--nodes {args.nodes}: choose node counts from 1 to 4")
    if os.geteuid() != 0:
        raise SlitherError("the emulated cluster needs root")

    bench_run = bench_run_module()
    bench_run.check_tools(["fuse"])
    prep = bench_run.preparation(cluster_preparation_options(args), (BY_KEY[WORKLOAD],))
    prep.work_dir.mkdir(parents=True, exist_ok=True)
    from contenders import prepare_static, prepare_stock, write_work_directory
    import shutil
    if prep.served.exists():
        shutil.rmtree(prep.served)
    prep.served.mkdir(parents=True)
    prep.cache_dir.mkdir(parents=True, exist_ok=True)
    write_work_directory(prep.served / "work")
    print("step: contenders (bench/contenders.py)", flush=True)
    stock = prepare_stock(prep, prep.work_dir / "bench.log")
    static = prepare_static(prep)
    workload = WORKLOAD
    if workload in static.unavailable:
        raise SlitherError(f"{static.name} cannot run {workload!r}: {static.unavailable[workload]}")
    contenders = {BCAST: static.description + ", srun --bcast to " + LOCAL_COPY,
                  SERVED: static.description + ", executed from the mount by every rank"}
    # a contender that cannot run says why, in the results; nothing is filled in
    unavailable = {STOCK: stock.unavailable[workload]} if workload in stock.unavailable else {}
    if not unavailable:
        contenders = {STOCK: stock.description, **contenders}
    else:
        print(f"stock: n/a ({unavailable[STOCK]})", flush=True)

    print(f"step: emulated cluster with {max(node_counts)} nodes", flush=True)
    cluster = cluster_environment(max(node_counts))
    mountpoint = Path(cluster["SLITHER_CLUSTER_MOUNTS"]) / "bench"
    env = {**stock.environment(mountpoint), **cluster}
    results = {"command": "bench/cluster_startup.py " + shlex.join(sys.argv[1:]),
               "started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "machine": bench_run.machine_description(), "workload": CODE,
               "settings": {"nodes": node_counts, "ranks_per_node": args.ranks_per_node, "runs": args.runs,
                            "service_ms": args.service_ms, "budget_seconds": BUDGET_SECONDS},
               "contenders": contenders, "unavailable": unavailable}
    print(f"step: {args.runs} runs of {len(node_counts) * len(contenders)} cells (service time {args.service_ms} ms)",
          flush=True)
    results["cells"] = run_cells(contenders, node_counts, args.ranks_per_node, args.runs, args.service_ms,
                                 prep.served, mountpoint, stock.interpreter, env)
    results["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    markdown = results_markdown(results)
    print("\n" + "\n".join(markdown[markdown.index(next(l for l in markdown if l.startswith("## "))):]), flush=True)
    results_dir = Path(args.results)
    results_dir.mkdir(parents=True, exist_ok=True)
    for name, content in (("results.json", json.dumps(results, indent=1, default=str)), ("results.md", "\n".join(markdown))):
        partial = results_dir / (name + ".tmp")
        partial.write_text(content + "\n")
        os.replace(partial, results_dir / name)
    print(f"bench: results in {results_dir}", flush=True)


if __name__ == "__main__":
    try:
        main()
    except SlitherError as error:
        sys.stderr.write(f"bench: error: {error}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("bench: interrupted\n")
        sys.exit(130)
