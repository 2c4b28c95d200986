"""Point 3: warm start-up (page cache warm, local disk) timed by hyperfine: min / median / max.

Every contender runs each workload from SERVED (not through FUSE), `--warmup` runs first, then
`--runs` timed runs; hyperfine's own shell is not used (`-N`), so nothing but the command is timed.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

WARM_WORKLOADS = ("-c pass", "import numpy")


def hyperfine_times(command: list[str], *, cwd: Path, env: dict, runs: int, warmup: int) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        export = Path(scratch) / "hyperfine.json"
        result = subprocess.run(["hyperfine", "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
                                 "--export-json", str(export), shlex.join(command)],
                                cwd=cwd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            return {"na": f"hyperfine failed: {result.stderr.strip()[-160:]}"}
        measured = json.loads(export.read_text())["results"][0]
        times = measured["times"]
    times_ms = sorted(t * 1000 for t in times)
    middle = len(times_ms) // 2
    median = times_ms[middle] if len(times_ms) % 2 else (times_ms[middle - 1] + times_ms[middle]) / 2
    # CPU time (user + system, mean) moves less than wall time when other work shares the cores
    return {"min_ms": times_ms[0], "median_ms": median, "max_ms": times_ms[-1], "runs": len(times_ms),
            "cpu_mean_ms": (measured["user"] + measured["system"]) * 1000}


def run_warm_startup(contenders, workloads, root: Path, runs: int, warmup: int) -> dict:
    """{workload: {contender: times | {"na": reason}}}, medians also as ratios to stock."""
    if shutil.which("hyperfine") is None:
        return {"na": "hyperfine is not installed (./bootstrap installs it)"}
    results: dict = {}
    for workload in workloads:
        if workload.key not in WARM_WORKLOADS:
            continue
        row = results.setdefault(workload.key, {})
        for contender in contenders:
            command = contender.command(workload, root)
            row[contender.name] = ({"na": contender.unavailable[workload.key]} if command is None else
                                   hyperfine_times(command, cwd=root / "work", env=contender.environment(root, workload),
                                                   runs=runs, warmup=warmup))
        stock = row.get("stock", {})
        for times in row.values():
            if "na" not in times and "na" not in stock:
                times["median_ratio_to_stock"] = times["median_ms"] / stock["median_ms"]
                times["cpu_ratio_to_stock"] = times["cpu_mean_ms"] / stock["cpu_mean_ms"]
    return results
