"""Comparing two sides' per-test outcomes: counts, every test whose outcome differs with its
known reason (harness/suites/known_differences.py), the reports printed, the summary written.

An outcome record is {test id: (outcome, first line of its message)}; a side that lacks a test
has it "absent".
"""

from __future__ import annotations

import json
from pathlib import Path

from slither.commands import say
from harness.suites.known_differences import known_reason

OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")


def outcome_counts(outcomes: dict[str, tuple[str, str]], kinds: tuple[str, ...] = OUTCOMES) -> dict[str, int]:
    """How many tests had each outcome; every "mixed: ..." outcome (ranks disagreed) counts as "mixed"."""
    counts = {kind: 0 for kind in kinds}
    for outcome, _ in outcomes.values():
        counts["mixed" if outcome.startswith("mixed") else outcome] += 1
    return counts


def outcome_differences(package: str, first: tuple[str, dict], second: tuple[str, dict]) -> list[dict]:
    """Every test whose outcome differs between two (label, outcomes) sides, with its known
    reason (or "")."""
    (first_label, a_side), (second_label, b_side) = first, second
    differences = []
    for test in sorted(set(a_side) | set(b_side)):
        a = a_side.get(test, ("absent", ""))
        b = b_side.get(test, ("absent", ""))
        if a[0] != b[0]:
            differences.append({"test": test, first_label: a[0], second_label: b[0],
                                "message": a[1] or b[1], "reason": known_reason(package, test)})
    return differences


def unexplained(differences: list[dict]) -> list[dict]:
    return [difference for difference in differences if not difference["reason"]]


def compare(package: str, sides: dict[str, dict[str, tuple[str, str]]], seconds: dict[str, float]) -> dict:
    """Two sides' outcomes (pytest's): counts side by side and every difference, printed one by
    one; returns the summary {package, counts, seconds, differences}."""
    labels = list(sides)
    counts = {label: outcome_counts(outcomes) for label, outcomes in sides.items()}
    width = max(max(len(label) for label in labels) + 2, 14)
    say(f"\n{package} test suite: outcomes side by side")
    say(f"{'outcome':<10}" + "".join(f"{label:>{width}}" for label in labels))
    for outcome in OUTCOMES + ("total",):
        values = [sum(counts[label].values()) if outcome == "total" else counts[label][outcome] for label in labels]
        say(f"{outcome:<10}" + "".join(f"{value:>{width}}" for value in values))
    say(f"{'seconds':<10}" + "".join(f"{seconds[label]:>{width}.0f}" for label in labels))
    first, second = labels
    differences = outcome_differences(package, (first, sides[first]), (second, sides[second]))
    say(f"\ndifferences: {len(differences)} ({len(unexplained(differences))} unexplained)")
    for difference in differences:
        say(f"  {difference['test']}: {first} {difference[first]}, {second} {difference[second]}"
            f"  -- {difference['reason'] or 'UNEXPLAINED: ' + difference['message']}")
    return {"package": package, "counts": counts, "seconds": seconds, "differences": differences}


def serial_run(package: str, finished: dict[str, tuple[dict, float]]) -> tuple[int, dict]:
    """The serial run of a suite that also runs under mpiexec (h5py, GPAW): the two sides'
    (outcomes, seconds) from pytest_suite.finish_pytest_side compared; (1 if a difference is
    unexplained else 0, the summary's "serial" run: counts and seconds per side, differences)."""
    summary = compare(package, {label: outcomes for label, (outcomes, _) in finished.items()},
                      {label: seconds for label, (_, seconds) in finished.items()})
    run = {label: {"counts": summary["counts"][label], "seconds": round(summary["seconds"][label])}
           for label in finished}
    run["differences"] = summary["differences"]
    return (1 if unexplained(summary["differences"]) else 0), run


def report_differences(differences: list[dict], labels: tuple[str, str]) -> None:
    """Explained differences grouped by reason (with a few examples), unexplained ones one by one."""
    by_reason: dict[str, list[dict]] = {}
    for difference in differences:
        if difference["reason"]:
            by_reason.setdefault(difference["reason"], []).append(difference)
    unexplained_ones = unexplained(differences)
    say(f"  differences: {len(differences)} ({len(unexplained_ones)} unexplained)")
    for reason, group in by_reason.items():
        shown = ", ".join(f"{d['test']} ({d[labels[0]]}/{d[labels[1]]})" for d in group[:3])
        say(f"    {len(group)} x {reason}\n      e.g. {shown}{' ...' if len(group) > 3 else ''}")
    for difference in unexplained_ones:
        say(f"    UNEXPLAINED {difference['test']}: {labels[0]} {difference[labels[0]]}, "
            f"{labels[1]} {difference[labels[1]]}: {difference['message']}")


def write_summary(work: Path, package: str, summary: dict) -> Path:
    """WORK/<package>-summary.json: what --record copies into the repository."""
    path = Path(work) / f"{package}-summary.json"
    path.write_text(json.dumps(summary, indent=1) + "\n")
    return path
