"""Point 4: runtime speed, stock vs static, on a documented subset of pyperformance.

The benchmarks are pyperformance's own `bm_*/run_benchmark.py` files (taken from the pinned
pyperformance wheel, pure Python, no extra dependencies), each run with pyperf (pinned, pure
Python, on PYTHONPATH) by both interpreters in turn; pyperf starts its worker processes with
the interpreter under test. The ratio is static / stock of pyperf's mean time: < 1 means the
static binary is faster.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from contenders import requirement_pin

FULL_BENCHMARKS = ("nbody", "richards", "float", "spectral_norm", "json_dumps", "deltablue", "chaos", "go",
                   "raytrace")
QUICK_BENCHMARKS = ("nbody", "richards", "float", "json_dumps")


def fetch_wheel(pin: str, wheels: Path) -> Path:
    name = pin.split("==")[0]
    found = [p for p in wheels.glob("*.whl") if p.name.lower().startswith(name.lower() + "-" + pin.split("==")[1])]
    if found:
        return found[0]
    wheels.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--only-binary", ":all:", "-d", str(wheels), pin], check=True)
    return fetch_wheel(pin, wheels)


def unpacked(wheel: Path, destination: Path, members_prefix: str = "") -> Path:
    if not destination.is_dir():
        partial = Path(tempfile.mkdtemp(dir=destination.parent, prefix=".unpack-"))
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(partial, [m for m in archive.namelist() if m.startswith(members_prefix)])
        partial.rename(destination)
    return destination


def prepare_benchmarks(cache: Path) -> tuple[Path, Path]:
    """(pyperf on a path, the directory holding bm_*/run_benchmark.py)."""
    wheels = cache / "wheels"
    pyperf_pin, pyperformance_pin = requirement_pin("pyperf"), requirement_pin("pyperformance")
    pyperf = unpacked(fetch_wheel(pyperf_pin, wheels), cache / pyperf_pin.replace("==", "-"), "pyperf/")
    suite = unpacked(fetch_wheel(pyperformance_pin, wheels), cache / pyperformance_pin.replace("==", "-"),
                     "pyperformance/data-files/benchmarks/")
    return pyperf, suite / "pyperformance" / "data-files" / "benchmarks"


def pyperf_mean_seconds(result_file: Path) -> tuple[float, float, int]:
    """(mean, standard deviation, number of values) of a pyperf JSON result."""
    data = json.loads(result_file.read_text())
    values = [value for benchmark in data["benchmarks"] for run in benchmark["runs"] for value in run.get("values", [])]
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0), len(values)


def geometric_mean(values: list[float]) -> float:
    return math.exp(statistics.fmean(math.log(v) for v in values))


def run_benchmark(interpreter: list[str], script: Path, pyperf: Path, env: dict, mode: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "result.json"
        result = subprocess.run([*interpreter, str(script), "--quiet", *mode, "--inherit-environ", "PYTHONPATH",
                                 "-o", str(output)], env=env | {"PYTHONPATH": str(pyperf)},
                                capture_output=True, text=True, cwd=scratch)
        if result.returncode != 0 or not output.exists():
            return {"na": f"exit {result.returncode}: {result.stderr.strip()[-160:]}"}
        mean, deviation, values = pyperf_mean_seconds(output)
    return {"mean_s": mean, "stdev_s": deviation, "values": values}


def run_runtime_speed(contenders, root: Path, cache: Path, quick: bool) -> dict:
    """{benchmark: {contender: timing}} plus "summary": the geometric mean of static/stock."""
    interpreters = [c for c in contenders if c.interpreter]
    pyperf, suite = prepare_benchmarks(cache)
    mode = ["--fast"] if quick else ["--processes", "8"]
    results: dict = {"mode": " ".join(mode), "benchmarks": {}}
    for name in (QUICK_BENCHMARKS if quick else FULL_BENCHMARKS):
        script = suite / f"bm_{name}" / "run_benchmark.py"
        row = results["benchmarks"].setdefault(name, {})
        for contender in interpreters:
            row[contender.name] = run_benchmark([str(root / contender.interpreter)], script, pyperf,
                                                contender.environment(root), mode)
        print(f"  runtime {name}: " + ", ".join(f"{k} {v.get('mean_s', float('nan')) * 1000:.1f} ms"
                                                for k, v in row.items()), flush=True)
    ratios = [row["python-static"]["mean_s"] / row["stock"]["mean_s"] for row in results["benchmarks"].values()
              if "mean_s" in row.get("python-static", {}) and "mean_s" in row.get("stock", {})]
    for row in results["benchmarks"].values():
        if "mean_s" in row.get("python-static", {}) and "mean_s" in row.get("stock", {}):
            row["static_over_stock"] = row["python-static"]["mean_s"] / row["stock"]["mean_s"]
    results["geometric_mean_static_over_stock"] = geometric_mean(ratios) if ratios else None
    return results
