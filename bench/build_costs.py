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

The full stack (MODULES=numpy,scipy,mpi4py,h5py): its cold build on 2 cores (JOBS=2,
new BUILD_DIR, empty CACHE_DIR as above; about 31 min measured), measured in a full run or alone by

    python3 bench/build_costs.py full-stack-cold [--work-dir DIR] [--cache-dir ~/.cache/slither]
                                                 [--keep DIR]

which records the figure, with the machine's load and the commit, in FULL_STACK_RECORD; a
--quick run takes the figure from that record (and says so), never from anywhere else. Beside
it: the size of the binary given to bench/run (--static) next to the stock install tree and the
PyInstaller one-file, each with the packages it has, and the peak RSS of `import scipy` (and of
the full-stack workload) for each contender.

An application workload (`import gpaw`, `import netCDF4`: its Workload.stack) gets the same
sizes for its own stack (application_footprints): the binary given to bench/run, meant to be
built with MODULES=modules_of(stack), beside the stock tree and the workload's one-file, and the
peak RSS of the workload. Its cold build is not measured here.

What each step costs (CPython, every C library, MPICH), before and after a change, cold:

    python3 bench/build_costs.py step-costs --before COMMIT [--keep DIR]

builds MODULES= and MODULES=numpy,mpi4py from an empty cache with COMMIT (a worktree of it)
and with this checkout, interleaved, and records each build's wall time, binary size and step
costs in STEP_COSTS_RECORD; --keep keeps each binary and the cache its build filled.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from contenders import BENCH_DIR, PROJECT_ROOT, clean_environment, tree_size
from workloads import FULL_STACK, modules_of

ADDED_MODULE = "markupsafe"
FULL_STACK_RECORD = BENCH_DIR / "results" / "full-stack-cold.json"
# The workloads whose peak RSS the full-stack table shows (the one-file of the last is the one sized).
STACK_RSS_WORKLOADS = ("import scipy", "import numpy, scipy, h5py; from mpi4py import MPI")


def scons(arguments: list[str], log: Path, checkout: Path = PROJECT_ROOT) -> dict:
    started = time.perf_counter()
    with open(log, "a") as stream:
        stream.write(f"\n$ scons {' '.join(arguments)}\n")
        stream.flush()
        result = subprocess.run([sys.executable, "-m", "SCons", "-C", str(checkout), *arguments],
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


# What bench/run takes from a build directory: the binary, and the build tools of its CPython
# (the stock wheels are built with the same pinned backends).
KEPT_FROM_BUILD = ("bin/python-static", "cpython-*/build-tools.tar")


def keep_for_bench(build_dir: Path, kept_dir: Path) -> list[str]:
    """Copy what the bench needs out of the build that is about to be removed, each file complete
    or not at all (a reader never finds a half-copied file); returns the kept paths, relative."""
    kept = []
    for pattern in KEPT_FROM_BUILD:
        for path in sorted(build_dir.glob(pattern)):
            relative = path.relative_to(build_dir)
            destination = kept_dir / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            partial = destination.with_name(destination.name + ".part")
            shutil.copy2(path, partial)
            os.replace(partial, destination)
            kept.append(str(relative))
    return kept


def built_commit(checkout: Path = PROJECT_ROOT) -> str:
    """The checkout's commit, marked "+changes" when tracked files differ from it."""
    def git(*arguments):
        return subprocess.run(["git", "-C", str(checkout), *arguments], capture_output=True, text=True).stdout
    commit = git("rev-parse", "--short", "HEAD").strip()
    return commit + ("+changes" if git("status", "--porcelain", "--untracked-files=no").strip() else "")


def measure_full_stack_cold(work: Path, cache_dir: Path, log: Path, modules=FULL_STACK,
                            kept_dir: Path | None = None) -> dict:
    """A cold `scons MODULES=<full stack> JOBS=2` (new BUILD_DIR, empty CACHE_DIR with the
    download store hard-linked), timed, with the load average before and after and the commit
    built; the build and the cache are removed afterwards. With kept_dir, the binary and its
    build tools are copied there first (keep_for_bench), so that `bench/run --static
    kept_dir/bin/python-static` measures the very binary whose build was timed."""
    module_set = ",".join(modules)
    cold_cache, build_dir = work / "stack-cold-cache", work / "stack-cold-build"
    for leftover in (cold_cache, build_dir):
        shutil.rmtree(leftover, ignore_errors=True)
    hardlink_tree(cache_dir / "downloads", cold_cache / "downloads")
    commit = built_commit()  # before the build: a commit made while it runs is not what it built
    load_before = os.getloadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    entry = scons([f"MODULES={module_set}", "JOBS=2", f"BUILD_DIR={build_dir}", f"CACHE_DIR={cold_cache}"], log)
    binary = build_dir / "bin" / "python-static"
    if binary.is_file():
        entry["binary_bytes"] = tree_size(binary)
        if kept_dir is not None and "na" not in entry:
            entry["kept"] = [str(kept_dir / path) for path in keep_for_bench(build_dir, kept_dir)]
    shutil.rmtree(cold_cache, ignore_errors=True)
    shutil.rmtree(build_dir, ignore_errors=True)
    entry.update(modules=module_set, jobs=2, started=started.isoformat(timespec="seconds"), commit=commit,
                 cores=os.cpu_count(), load_average_before=load_before, load_average_after=os.getloadavg())
    return entry


def record_full_stack_cold(entry: dict, path: Path = FULL_STACK_RECORD) -> None:
    """Keep a measured cold full-stack build (only a measured one) for later --quick runs."""
    if "seconds" not in entry or "na" in entry:
        return
    entry = {key: value for key, value in entry.items() if key != "kept"}  # this machine's paths
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(entry, indent=1) + "\n")
    os.replace(partial, path)


def recorded_full_stack_cold(path: Path = FULL_STACK_RECORD, modules=FULL_STACK) -> dict:
    """The cold full-stack figure measured by this script (record_full_stack_cold), marked with
    where it came from; {"na": why} when there is none for this MODULES."""
    if not path.is_file():
        return {"na": f"not measured in this run, and no record in {path.name} "
                      "(python3 bench/build_costs.py full-stack-cold writes one)"}
    entry = json.loads(path.read_text())
    if entry.get("modules") != ",".join(modules) or "seconds" not in entry:
        return {"na": f"{path.name} records MODULES={entry.get('modules')}, not {','.join(modules)}"}
    return {**entry, "from": f"{path.name}, measured {entry.get('started', '?')} at {entry.get('commit', '?')}"}


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
        entry["peak_rss_kib"] = (peak_rss_kib(command, cwd=root / "work", env=contender.environment(root, numpy_workload))
                                 if command else None)
        if command is None:
            entry["na"] = contender.unavailable[numpy_workload.key]
        results[contender.name] = entry
    return results


def stack_footprint(contenders, rss_workloads, size_workloads, root: Path, stack=FULL_STACK) -> dict:
    """{contender: size, what it is, its packages, peak RSS per workload}: the binary beside the
    stock tree and the one-file of the first of size_workloads it has, each with the packages it
    holds (a tree without one of the stack's says so: its size is not the same stack's)."""
    results: dict = {}
    for contender in contenders:
        entry: dict = {"packages": list(contender.packages), "peak_rss_kib": {}, "na": {}}
        missing = [package for package in stack if package not in contender.packages]
        if contender.onefiles:
            workload = next((w for w in size_workloads if w.key in contender.onefiles), None)
            if workload is None:
                entry["size_na"] = "; ".join(dict.fromkeys(  # each package's reason once
                    part for w in size_workloads for part in contender.unavailable[w.key].split("; ")))
            else:
                entry["size_bytes"] = tree_size(root / contender.onefiles[workload.key])
                entry["what"] = f"the {workload.key!r} one-file (it extracts itself to /tmp at every start)"
        else:
            entry["size_bytes"] = tree_size(root / contender.tree)
            entry["what"] = ("install tree with site-packages" if contender.name == "stock" else "the binary")
        if missing:
            entry["missing"] = missing
        for workload in rss_workloads:
            command = contender.command(workload, root)
            if command is None:
                entry["na"][workload.key] = contender.unavailable[workload.key]
                continue
            rss = peak_rss_kib(command, cwd=root / "work", env=contender.environment(root, workload))
            if rss is None:
                entry["na"][workload.key] = "did not run"
            else:
                entry["peak_rss_kib"][workload.key] = rss
        results[contender.name] = entry
    stock = results.get("stock", {})
    for entry in results.values():
        if not (stock.get("size_bytes") and entry.get("size_bytes")):
            continue
        if sorted(entry["packages"]) == sorted(stock["packages"]):   # a ratio of different stacks says nothing
            entry["size_ratio_to_stock"] = entry["size_bytes"] / stock["size_bytes"]
        else:
            entry["size_ratio_na"] = "other packages than stock's"
    return results


def application_footprints(contenders, workloads, root: Path) -> dict:
    """{workload key: its stack's MODULES, and stack_footprint of its stack} for each application
    workload among `workloads` (one with a stack): sizes and the workload's peak RSS. Not the
    cold build, which is measured for the full stack only."""
    return {workload.key: {"modules": modules_of(workload.stack), "rss_workloads": [workload.key],
                           "footprint": stack_footprint(contenders, [workload], [workload], root, stack=workload.stack)}
            for workload in workloads if workload.stack}


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


# What each C library (and CPython) costs to build from an empty cache: bench/build_costs.py
# step-costs records a cold build per MODULES set with the cost line every library and CPython
# build writes last in its log (slither.configure_make.BUILT_IN_MARKER).
STEP_COSTS_RECORD = BENCH_DIR / "results" / "step-costs.json"
STEP_COST_SETS = ("", "numpy,mpi4py")
BUILT_IN_MARKER = "# built in "


def step_costs(build_dir: Path) -> dict[str, str]:
    """{step directory: "N min SS s (CPU M min SS s)"} of every library and CPython build in a
    build directory that wrote its cost line (a build taken from the cache wrote none)."""
    costs = {}
    for log in sorted([*build_dir.glob("libraries/*/build.log"), *build_dir.glob("cpython-*/build.log"),
                       *build_dir.glob("mpi/*/build.log")]):
        lines = log.read_text(errors="replace").splitlines()
        if lines and lines[-1].startswith(BUILT_IN_MARKER):
            costs[log.parent.name] = lines[-1][len(BUILT_IN_MARKER):]
    return costs


def measure_step_costs(modules: str, work: Path, cache_dir: Path, log: Path, checkout: Path = PROJECT_ROOT,
                       kept_dir: Path | None = None) -> dict:
    """A cold `scons MODULES=<modules> JOBS=2` of `checkout` (new BUILD_DIR, empty CACHE_DIR with
    the download store hard-linked): its wall time, the binary's size, and each step's cost.
    With kept_dir, the binary and its build tools (keep_for_bench) and the cold cache the build
    filled are moved there (bench/openblas_threads.py runs the binaries; a later build with
    CACHE_DIR=kept_dir/cache takes every step from that cache instead of building it again)."""
    cold_cache, build_dir = work / "costs-cold-cache", work / "costs-cold-build"
    for leftover in (cold_cache, build_dir):
        shutil.rmtree(leftover, ignore_errors=True)
    hardlink_tree(cache_dir / "downloads", cold_cache / "downloads")
    load_before = os.getloadavg()
    entry = scons([f"MODULES={modules}", "JOBS=2", f"BUILD_DIR={build_dir}", f"CACHE_DIR={cold_cache}"], log,
                  checkout=checkout)
    binary = build_dir / "bin" / "python-static"
    if binary.is_file():
        entry["binary_bytes"] = tree_size(binary)
    entry.update(modules=modules, steps=step_costs(build_dir), commit=built_commit(checkout), cores=os.cpu_count(),
                 load_average_before=load_before, load_average_after=os.getloadavg())
    if kept_dir is not None and "na" not in entry:
        shutil.rmtree(kept_dir, ignore_errors=True)
        kept_dir.mkdir(parents=True)
        keep_for_bench(build_dir, kept_dir)
        os.replace(cold_cache, kept_dir / "cache")
    shutil.rmtree(cold_cache, ignore_errors=True)
    shutil.rmtree(build_dir, ignore_errors=True)
    return entry


def before_worktree(commit: str, work: Path) -> Path:
    """A detached worktree of `commit` in the work directory (made again each run)."""
    checkout = work / "before-checkout"
    subprocess.run(["git", "-C", str(PROJECT_ROOT), "worktree", "remove", "--force", str(checkout)],
                   capture_output=True)
    shutil.rmtree(checkout, ignore_errors=True)
    subprocess.run(["git", "-C", str(PROJECT_ROOT), "worktree", "add", "--detach", str(checkout), commit],
                   check=True, capture_output=True)
    return checkout


def format_step_costs(entries: list[dict]) -> str:
    """One table: each measured build (checkout, MODULES) with its total, size and step costs."""
    lines = ["| build | MODULES | cold scons | binary | step | step cost (wall, CPU) |", "|---|---|---|---|---|---|"]
    for entry in entries:
        total = (f"{entry['seconds'] / 60:.1f} min" if "na" not in entry else entry["na"])
        size = f"{entry['binary_bytes'] / 2**20:.1f} MiB" if entry.get("binary_bytes") else "n/a"
        steps = sorted(entry.get("steps", {}).items()) or [("(none recorded)", "")]
        for index, (step, cost) in enumerate(steps):
            head = (f"| {entry.get('label', entry.get('commit', ''))} | {entry['modules'] or '(stdlib only)'} | "
                    f"{total} | {size} ") if index == 0 else "| | | | "
            lines.append(f"{head}| {step} | {cost} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="Measure cold builds (the full stack, or each step's cost) and "
                                                 "record them for bench/run.")
    parser.add_argument("what", choices=["full-stack-cold", "step-costs"])
    parser.add_argument("--checkout", default=str(PROJECT_ROOT),
                        help="step-costs: the checkout to build (another commit's worktree, for before/after)")
    parser.add_argument("--label", default="", help="step-costs: how the table names this checkout")
    parser.add_argument("--before", default="",
                        help="step-costs: a commit measured beside this checkout in the same run (a detached "
                             "worktree of it in --work-dir), labelled `before`; this checkout is `after`")
    parser.add_argument("--work-dir", default=str(PROJECT_ROOT / "build-bench"))
    parser.add_argument("--cache-dir", default="~/.cache/slither")
    parser.add_argument("--record", default=str(FULL_STACK_RECORD))
    parser.add_argument("--keep", default="", help="keep the built binary and its build tools in this directory "
                                                   "(for bench/run --static DIR/bin/python-static)")
    args = parser.parse_args()
    work = Path(args.work_dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    if args.what == "step-costs":
        record = Path(args.record) if args.record != str(FULL_STACK_RECORD) else STEP_COSTS_RECORD
        entries = json.loads(record.read_text()) if record.is_file() else []
        checkouts = [(args.label, Path(args.checkout).resolve())]
        if args.before:
            checkouts = [("before", before_worktree(args.before, work)), (args.label or "after", checkouts[0][1])]
        # Contenders interleaved per MODULES set: a change of the machine's load during the run
        # falls on both sides of each comparison alike.
        for modules in STEP_COST_SETS:
            for label, checkout in checkouts:
                print(f"bench: cold scons MODULES={modules} JOBS=2 of {checkout}", flush=True)
                kept = (Path(args.keep).resolve() / (label or "build") / (modules.replace(",", "-") or "stdlib")
                        if args.keep else None)
                entry = measure_step_costs(modules, work, Path(args.cache_dir).expanduser(),
                                           work / "step-costs.log", checkout, kept_dir=kept)
                entry["label"] = label or entry["commit"]
                entries = [old for old in entries if (old.get("label"), old["modules"]) != (entry["label"], modules)]
                entries.append(entry)
                partial = record.with_suffix(".tmp")
                partial.write_text(json.dumps(entries, indent=1) + "\n")
                os.replace(partial, record)
        print(format_step_costs(entries))
        sys.exit(0 if all("na" not in entry for entry in entries) else 2)
    log = work / "full-stack-cold.log"
    print(f"bench: cold scons MODULES={','.join(FULL_STACK)} JOBS=2 (about 31 min on 2 cores), log {log}", flush=True)
    kept = Path(args.keep).resolve() if args.keep else None
    entry = measure_full_stack_cold(work, Path(args.cache_dir).expanduser(), log, kept_dir=kept)
    record_full_stack_cold(entry, Path(args.record))
    print(json.dumps(entry, indent=1))
    sys.exit(0 if "na" not in entry else 2)


if __name__ == "__main__":
    main()
