"""Recording a run's result file in the repository (--record DIR): the committed results that
docs/ pages are generated from. The layout under DIR (by default harness/results/) is fixed,
because the page generator reads exactly these paths:

    DIR/suites/<package>-summary.json          harness/suites/run
    DIR/regrtest/<version>/comparison.json     harness/regrtest/run (<version>-with-<modules>
                                               for a binary built with MODULES)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def suites_summary(results: Path, package: str) -> Path:
    return Path(results) / "suites" / f"{package}-summary.json"


def regrtest_comparison(results: Path, version: str, modules: str = "") -> Path:
    """modules: the static contender's MODULES ("numpy,mpi4py"); a run with them is another
    contender than the plain binary and is kept beside it, not over it."""
    name = version + (f"-with-{'-'.join(sorted(m.strip() for m in modules.split(',') if m.strip()))}"
                      if modules.strip() else "")
    return Path(results) / "regrtest" / name / "comparison.json"


def record(result_file: Path, destination: Path) -> Path:
    """A copy of result_file at destination, replaced whole (never half-written)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part")
    shutil.copyfile(result_file, partial)
    os.replace(partial, destination)
    return destination
