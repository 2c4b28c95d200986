"""Point 5: what the static binary costs to build and to carry, beside the stock install.

Builds (each `scons ... JOBS=2` from this checkout, timed wall-clock, its `steps:` line kept):
* cold: MODULES=<set> in a new BUILD_DIR with a new, empty CACHE_DIR (sources are hard-linked
  from the real download store: downloading is not building); full runs only;
* no-op: the same command again;
* clean build dir, warm cache: a new BUILD_DIR with the real CACHE_DIR;
* one module added to a built set: MODULES=<set>,markupsafe on that build dir (in a full run on
  the cold cache, so markupsafe really builds; in --quick on the warm cache, which the
  `steps:` line then shows).
The full run measures the set numpy[,mpi4py]; --quick measures the stdlib-only set (MODULES
empty), whose warm steps take seconds, and says so in its table.
Sizes on disk (allocated blocks) and peak RSS of `import numpy` for each contender.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from contenders import PROJECT_ROOT, clean_environment, tree_size

ADDED_MODULE = "markupsafe"


def scons(arguments: list[str], log: Path) -> dict:
    started = time.perf_counter()
    with open(log, "a") as stream:
        stream.write(f"\n$ scons {' '.join(arguments)}\n")
        stream.flush()
        result = subprocess.run([sys.executable, "-m", "SCons", "-C", str(PROJECT_ROOT), *arguments],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=clean_environment({"PATH": os.environ["PATH"]}))
        stream.write(result.stdout)
    seconds = time.perf_counter() - started
    steps = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("steps:")]
    if result.returncode != 0:
        return {"na": f"scons failed (exit {result.returncode}), log {log}", "seconds": seconds}
    return {"seconds": seconds, "steps": steps[-1] if steps else ("is up to date" if "up to date" in result.stdout
                                                                    else "")}


def hardlink_tree(source: Path, destination: Path) -> None:
    for path in source.rglob("*"):
        target = destination / path.relative_to(source)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif not path.name.startswith(".part"):
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:
                shutil.copy2(path, target)


def measure_builds(modules: list[str], work: Path, cache_dir: Path, cold: bool, log: Path) -> dict:
    module_set = ",".join(modules)
    common = [f"MODULES={module_set}", "JOBS=2"]
    added = ",".join([*modules, ADDED_MODULE])
    results: dict = {"modules": module_set or "(none: stdlib only)"}
    if cold:
        cold_cache = work / "cold-cache"
        build_dir = work / "cold-build"
        for leftover in (cold_cache, build_dir):
            shutil.rmtree(leftover, ignore_errors=True)
        hardlink_tree(cache_dir / "downloads", cold_cache / "downloads")
        results["cold"] = scons([*common, f"BUILD_DIR={build_dir}", f"CACHE_DIR={cold_cache}"], log)
        results["noop"] = scons([*common, f"BUILD_DIR={build_dir}", f"CACHE_DIR={cold_cache}"], log)
        results["add_module"] = scons([f"MODULES={added}", "JOBS=2", f"BUILD_DIR={build_dir}",
                                       f"CACHE_DIR={cold_cache}"], log)
        results["add_module"]["cache"] = "cold (markupsafe built from its sdist)"
        shutil.rmtree(cold_cache, ignore_errors=True)
        shutil.rmtree(build_dir, ignore_errors=True)
    warm_dir = work / "warm-build"
    shutil.rmtree(warm_dir, ignore_errors=True)
    results["clean_warm_cache"] = scons([*common, f"BUILD_DIR={warm_dir}", f"CACHE_DIR={cache_dir}"], log)
    if not cold:
        results["noop"] = scons([*common, f"BUILD_DIR={warm_dir}", f"CACHE_DIR={cache_dir}"], log)
        results["add_module"] = scons([f"MODULES={added}", "JOBS=2", f"BUILD_DIR={warm_dir}",
                                       f"CACHE_DIR={cache_dir}"], log)
        results["add_module"]["cache"] = "warm (see steps: markupsafe may come from the cache)"
    shutil.rmtree(warm_dir, ignore_errors=True)
    return results


def peak_rss_kib(command: list[str], *, cwd: Path, env: dict) -> int | None:
    """Largest resident set of the command and its waited-for descendants (a one-file's child)."""
    probe = ("import resource, subprocess, sys\n"
             "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if code == 0 else -1)\n")
    result = subprocess.run([sys.executable, "-c", probe, *command], cwd=cwd, env=env, capture_output=True, text=True)
    value = int(result.stdout.strip() or -1)
    return value if value > 0 else None


def measure_footprint(contenders, numpy_workload, root: Path) -> dict:
    results: dict = {}
    for contender in contenders:
        entry: dict = {}
        if contender.onefiles:
            path = root / contender.onefiles.get(numpy_workload.key, "")
            entry["size_bytes"] = tree_size(path) if path.is_file() else None
            entry["what"] = "the import-numpy one-file (plus what it extracts to /tmp at every start)"
        else:
            entry["size_bytes"] = tree_size(root / contender.tree)
            entry["what"] = "install tree with site-packages" if contender.name == "stock" else "the binary"
        command = contender.command(numpy_workload, root)
        entry["peak_rss_kib"] = (peak_rss_kib(command, cwd=root / "work", env=contender.environment(root))
                                 if command else None)
        if command is None:
            entry["na"] = contender.unavailable[numpy_workload.key]
        results[contender.name] = entry
    return results


def cached_cold_figures(results_dir: Path) -> dict | None:
    """The cold-build figures of the last full run, if one wrote them."""
    path = results_dir / "results.json"
    if not path.exists():
        return None
    previous = json.loads(path.read_text())
    cold = previous.get("build_costs", {}).get("builds", {}).get("cold")
    if cold and "seconds" in cold and not previous.get("quick", True):
        return {**cold, "from": f"the full run of {previous.get('finished', '?')}"}
    return None

