"""The documentation: every relative link resolves, the README stays a README, and the results
pages are what bench/publish.py makes of the committed result files (so a rerun of the benchmark
that nobody published fails here)."""

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"

LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def documentation_pages() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def prose(text: str) -> str:
    """The text without code blocks and inline code, where a bracket is not a link."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def relative_links(text: str) -> list[str]:
    return [target for target in LINK.findall(prose(text))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]  # http:, https:, mailto:


def heading_anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, inline markup and punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading.strip()).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found, seen = set(), {}
    for line in FENCE.sub("", page.read_text()).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            anchor = heading_anchor(match.group(1))
            found.add(anchor if anchor not in seen else f"{anchor}-{seen[anchor]}")
            seen[anchor] = seen.get(anchor, 0) + 1
    return found


def test_heading_anchors_follow_githubs_rule():
    assert heading_anchor("`ctypes.pythonapi` and `ctypes.CDLL(None)`: the program's own symbol table") == \
        "ctypespythonapi-and-ctypescdllnone-the-programs-own-symbol-table"
    assert heading_anchor("Packages without a recipe: `MODULES=name==version`") == \
        "packages-without-a-recipe-modulesnameversion"


def test_links_in_code_are_not_links_and_urls_are_not_relative():
    text = "see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n[d](https://example.org/d) ![e](e.png)"
    assert relative_links(text) == ["a.md", "e.png"]


@pytest.mark.parametrize("page", documentation_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in relative_links(page.read_text()):
        path_part, _, anchor = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{target}: no heading with that anchor in {destination.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_readme_fits_a_few_screens():
    lines = len(README.read_text().splitlines())
    assert lines <= 350, f"README.md has {lines} lines; move detail into docs/"


def test_no_page_cites_files_outside_the_repository():
    for page in documentation_pages():
        text = page.read_text()
        assert "../shared" not in text and "shared/DESIGN.md" not in text, page.relative_to(ROOT)


def test_readme_states_the_test_command_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./bootstrap && . .venv/bin/activate && python3 -m pytest\n" in ci
    assert "./bootstrap && . .venv/bin/activate && python3 -m pytest " in README.read_text()
    assert "./bootstrap && . .venv/bin/activate && scons " in README.read_text()


def load_publish():
    spec = importlib.util.spec_from_file_location("bench_publish", ROOT / "bench" / "publish.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_results_pages_are_what_publish_makes_of_the_result_files(tmp_path):
    publish = load_publish()
    pages = publish.render_pages(ROOT, DOCS / "results")
    committed = {path.name: path.read_text() for path in (DOCS / "results").glob("*.md")}
    assert sorted(committed) == sorted(pages), "docs/results/ has pages publish does not make, or lacks some"
    stale = [name for name, text in pages.items() if committed[name] != text]
    assert not stale, f"stale results pages {stale}: run `python3 bench/publish.py` and commit docs/results/"


def test_results_pages_do_not_depend_on_where_or_when_they_are_made(tmp_path):
    """The result files copied elsewhere, with other modification times, render the same pages."""
    import os
    import shutil
    publish = load_publish()
    here = publish.render_pages(ROOT, DOCS / "results")
    for relative in ("bench/results", "harness/results", "docs/results"):
        if (ROOT / relative).is_dir():
            shutil.copytree(ROOT / relative, tmp_path / relative)
    for path in tmp_path.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    assert publish.render_pages(tmp_path, tmp_path / "docs" / "results") == here


def test_recorded_harness_results_are_published_with_their_unexplained_differences(tmp_path):
    publish = load_publish()
    suites = tmp_path / "harness" / "results" / "suites"
    regrtest = tmp_path / "harness" / "results" / "regrtest" / "3.11.2"
    suites.mkdir(parents=True)
    regrtest.mkdir(parents=True)
    (suites / "numpy-summary.json").write_text(json.dumps({
        "package": "numpy", "selection": "fast",
        "counts": {"python-static": {"passed": 5, "failed": 1}, "stock": {"passed": 6, "failed": 0}},
        "differences": [{"test": "test_isfile", "reason": "package data is not a file"},
                        {"test": "test_new", "reason": None}]}))
    (suites / "mpi4py-summary.json").write_text(json.dumps({
        "package": "mpi4py", "runs": {"2": {"python-static": {"counts": {"passed": 3}},
                                            "stock": {"counts": {"passed": 3}}, "differences": []}}}))
    (regrtest / "comparison.json").write_text(json.dumps({
        "counts": {"stock": {"passed": 3}, "static": {"passed": 2, "failed": 1}},
        "explained": {"test_inspect": "frozen stdlib source"}, "unexplained": [], "static_only_passes": []}))
    pages = publish.render_pages(tmp_path, tmp_path / "docs" / "results")
    assert "unexplained: **1**" in pages["package-suites.md"] and "`test_new`" in pages["package-suites.md"]
    assert "| -n 2 python-static | -n 2 stock |" in pages["package-suites.md"]
    assert "| frozen stdlib source | test_inspect |" in pages["regrtest.md"]
    assert "No recorded result" not in pages["regrtest.md"]


def test_an_h5py_summary_shows_its_serial_run_first_then_each_rank_count_with_wall_times(tmp_path):
    suites = tmp_path / "harness" / "results" / "suites"
    suites.mkdir(parents=True)
    side = {"counts": {"passed": 4, "skipped": 1}, "seconds": 61.4}
    (suites / "h5py-summary.json").write_text(json.dumps({
        "package": "h5py", "variant": "parallel", "selection": "h5py.run_tests()",
        "runs": {"4": {"python-static": side, "stock": side, "differences": []},
                 "serial": {"python-static": side, "stock": side, "differences": []},
                 "2": {"python-static": side, "stock": side,
                       "differences": [{"test": "t::a", "reason": "a file next to __file__"}]}}}))
    page = load_publish().render_pages(tmp_path, tmp_path / "docs" / "results")["package-suites.md"]
    assert "| outcome | serial python-static | serial stock | -n 2 python-static | -n 2 stock | -n 4 python-static " \
           "| -n 4 stock |" in page
    assert "| wall seconds | 61 | 61 | 61 | 61 | 61 | 61 |" in page and "## h5py (parallel HDF5)" in page
    assert "Tests that differ: 1, unexplained: **0**." in page


def test_without_recorded_harness_results_the_pages_say_how_to_record_them(tmp_path):
    pages = load_publish().render_pages(tmp_path, tmp_path / "docs" / "results")
    assert "No recorded result" in pages["package-suites.md"] and "harness/results/suites/" in pages["package-suites.md"]
    assert "No recorded result" in pages["regrtest.md"] and "harness/regrtest/run" in pages["regrtest.md"]
    assert not any(name.startswith("benchmark-") for name in pages)


def load_house_metrics():
    spec = importlib.util.spec_from_file_location("house_metrics", ROOT / "harness" / "house_metrics.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_architectures_measures_are_this_checkouts():
    """The "now" column of docs/architecture.md's table is what harness/house_metrics.py measures
    here: after a change to the code, `python3 harness/house_metrics.py --markdown` gives the
    new column."""
    metrics = load_house_metrics()
    text = (DOCS / "architecture.md").read_text()
    table = text.split("<!-- house_metrics table -->\n", 1)[1].split("<!-- end of house_metrics table -->", 1)[0]
    written = {cells[0]: cells[-1] for cells in
               ([cell.strip() for cell in line.strip().strip("|").split("|")] for line in table.splitlines()[2:])}
    measured = metrics.table_cells(metrics.measure(ROOT))
    assert written == measured, ("docs/architecture.md's measures are stale: rerun "
                                 "`python3 harness/house_metrics.py --markdown --before DIR` and update the table")


def test_the_worked_library_recipe_is_the_real_one():
    """recipes.md's library example is modules/libraries/xz.py's code (its docstring left out)."""
    text = (DOCS / "recipes.md").read_text()
    section = text.split("## A worked example: a C library, xz", 1)[1]
    shown = section.split("```python\n", 1)[1].split("```", 1)[0]
    real = (ROOT / "modules" / "libraries" / "xz.py").read_text()
    assert shown == real[real.index("from slither.recipes"):]


def _bench_module(name):
    import sys
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "bench"))


def _marked_table(page: str, marker: str) -> str:
    text = (DOCS / page).read_text()
    return text.split(f"<!-- {marker} table -->\n", 1)[1].split(f"<!-- end of {marker} table -->", 1)[0].strip()


def test_the_build_cost_table_is_the_committed_record():
    """performance.md's before/after build costs are bench/build_costs.py's table of
    bench/results/step-costs.json, as `step-costs` printed it."""
    build_costs = _bench_module("build_costs")
    record = json.loads(build_costs.STEP_COSTS_RECORD.read_text())
    assert _marked_table("performance.md", "step-costs") == build_costs.format_step_costs(record)


def test_the_openblas_threads_table_is_the_committed_record():
    """performance.md's start-up threads and CPU are bench/openblas_threads.py's table of
    bench/results/openblas_threads.json."""
    threads = _bench_module("openblas_threads")
    record = json.loads((ROOT / "bench" / "results" / "openblas_threads.json").read_text())
    assert _marked_table("performance.md", "openblas-threads") == threads.table(record["rows"], record["ranks"])
