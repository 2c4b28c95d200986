#!/usr/bin/env python3
"""What the runtime's audit hook costs per audited event, beside a stock interpreter.

python-static installs one Python audit hook (slither/runtime/_slither_runtime.py,
_explain_frozen_paths: it explains a failed open of a path beside a frozen `__file__`). CPython
calls every hook for every audited event (open, import, compile, exec, socket, ...); for an event
the hook does not handle it returns after one tuple test. A hook cannot be removed once added, so
the cost is measured as the slope: the same loop of events with 0, 1 and 2 further hooks of the
same shape added, in the same process; stock (no hook at all) runs the loop beside it.

    bench/audit_hook_cost.py [--static build/bin/python-static] [--stock PYTHON] [--events 200000]

Prints one table: nanoseconds per event for each interpreter and number of added hooks, and the
per-hook slope. Measured, not asserted: tests/test_bench.py checks the parts, not the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

# Runs inside each interpreter: a loop of audited events (compile() of a tiny expression raises
# "compile"; open() of a real file "open"), timed with 0, 1, 2 hooks like the runtime's added.
PROBE = r"""
import json, sys, time
events, path = int(sys.argv[1]), sys.argv[2]

def hook(event, arguments):
    if event not in ("open", "os.listdir", "os.scandir"):
        return
    if not isinstance(arguments[0], str) or not arguments[0].startswith("/nonexistent-frozen-tree/"):
        return

def per_event(kind):
    best = None
    for _ in range(5):
        started = time.perf_counter_ns()
        if kind == "compile":
            for _ in range(events):
                compile("1", "<bench>", "eval")
        else:
            for _ in range(events // 10):
                open(path, "rb").close()
        elapsed = (time.perf_counter_ns() - started) / (events if kind == "compile" else events // 10)
        best = elapsed if best is None else min(best, elapsed)
    return best

results = {}
for added in range(3):
    results[added] = {kind: per_event(kind) for kind in ("compile", "open")}
    sys.addaudithook(hook)
print(json.dumps(results))
"""


def measure(interpreter: str, events: int, path: Path) -> dict:
    result = subprocess.run([interpreter, "-c", PROBE, str(events), str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=600)
    if result.returncode != 0:
        return {"na": (result.stderr.strip().splitlines() or ["no output"])[-1][:160]}
    return {int(added): figures for added, figures in json.loads(result.stdout).items()}


def slope(figures: dict, kind: str) -> float:
    """ns per event per added hook: the mean of the two steps 0→1 and 1→2."""
    return (figures[2][kind] - figures[0][kind]) / 2


def table(results: dict) -> str:
    lines = ["| interpreter | event | 0 added hooks | 1 | 2 | per hook (slope) |", "|---|---|---|---|---|---|"]
    for name, figures in results.items():
        if "na" in figures:
            lines.append(f"| {name} | n/a: {figures['na']} | | | | |")
            continue
        for kind in ("compile", "open"):
            lines.append(f"| {name} | {kind} | " + " | ".join(f"{figures[added][kind]:.0f} ns" for added in range(3))
                         + f" | {slope(figures, kind):+.0f} ns |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static", default="build/bin/python-static")
    parser.add_argument("--stock", default=sys.executable)
    parser.add_argument("--events", type=int, default=200000)
    args = parser.parse_args()
    if not Path(args.static).is_file():
        raise SystemExit(f"bench/audit_hook_cost.py: --static {args.static}: no such binary (scons builds it)")
    target = Path(__file__).resolve()  # a real, node-local file to open
    results = {"python-static (runtime hook installed)": measure(args.static, args.events, target),
               "stock (no hook)": measure(args.stock, args.events, target)}
    print(table(results))


if __name__ == "__main__":
    main()
