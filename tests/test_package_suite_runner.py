"""harness/suites/run's own logic, fast: which files become the test tree and which tests are
selected, how pytest's JUnit XML is read, that a difference without a known reason makes the
comparison fail, and where --record puts the summary."""

import io
import json
import subprocess
import sys
import tarfile

import pytest

from conftest import ROOT
from slither.errors import SlitherError
from harness import recording
from harness.suites import comparison, known_differences, pytest_suite


def site_tar(path, members):
    with tarfile.open(path, "w") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_the_test_tree_holds_tests_conftests_and_the_init_files_above_them(tmp_path):
    archive = site_tar(tmp_path / "site.tar", [
        ("pkg/__init__.py", b"import big_module\n"),
        ("pkg/core.py", b""),
        ("pkg/sub/__init__.py", b""),
        ("pkg/sub/tests/__init__.py", b""),
        ("pkg/sub/tests/test_a.py", b"def test(): pass\n"),
        ("pkg/sub/tests/data/table.csv", b"1,2\n"),
        ("pkg/conftest.py", b""),
        ("other/tests/test_b.py", b""),
    ])
    written = pytest_suite.extract_test_tree(archive, "pkg", tmp_path / "tree")
    found = sorted(str(p.relative_to(tmp_path / "tree")) for p in (tmp_path / "tree").rglob("*") if p.is_file())
    assert found == ["pkg/__init__.py", "pkg/conftest.py", "pkg/sub/__init__.py", "pkg/sub/tests/__init__.py",
                     "pkg/sub/tests/data/table.csv", "pkg/sub/tests/test_a.py"]
    assert written == len(found)
    assert "core.py" not in found  # the package itself comes from the interpreter under test


def test_an_escaping_member_is_refused(tmp_path):
    archive = site_tar(tmp_path / "site.tar", [("pkg/tests/../../../escape/tests/x.py", b"")])
    with pytest.raises(SlitherError, match="unsafe member"):
        pytest_suite.extract_test_tree(archive, "pkg", tmp_path / "tree")
    assert not (tmp_path / "escape").exists()


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
 <testcase classname="pkg.tests.test_a" name="test_ok" time="0.1"/>
 <testcase classname="pkg.tests.test_a" name="test_bad" time="0.1">
  <failure message="AssertionError: 1 != 2&#10;second line">trace</failure></testcase>
 <testcase classname="pkg.tests.test_a" name="test_skip"><skipped type="pytest.skip" message="no BLAS"/></testcase>
 <testcase classname="pkg.tests.test_a" name="test_xfail"><skipped type="pytest.xfail" message="known"/></testcase>
 <testcase classname="pkg.tests.test_a" name="test_teardown"/>
 <testcase classname="pkg.tests.test_a" name="test_teardown"><error message="teardown broke"/></testcase>
</testsuite></testsuites>
"""


def test_junit_outcomes_keep_the_first_message_line_and_teardown_errors_apart(tmp_path):
    (tmp_path / "r.xml").write_text(JUNIT)
    outcomes = pytest_suite.junit_outcomes(tmp_path / "r.xml")
    assert outcomes == {
        "pkg.tests.test_a::test_ok": ("passed", ""),
        "pkg.tests.test_a::test_bad": ("failed", "AssertionError: 1 != 2"),
        "pkg.tests.test_a::test_skip": ("skipped", "no BLAS"),
        "pkg.tests.test_a::test_xfail": ("xfailed", "known"),
        "pkg.tests.test_a::test_teardown": ("passed", ""),
        "pkg.tests.test_a::test_teardown[teardown]": ("error", "teardown broke"),
    }


def test_a_difference_is_explained_only_by_a_matching_known_reason(monkeypatch, capsys):
    monkeypatch.setattr(known_differences, "KNOWN_DIFFERENCES", {("pkg", "pkg.tests.test_files::*"): "reads files by path"})
    sides = {"python-static": {"pkg.tests.test_files::test_one": ("failed", "FileNotFoundError"),
                               "pkg.tests.test_x::test_same": ("passed", ""),
                               "pkg.tests.test_x::test_new": ("failed", "boom")},
             "stock": {"pkg.tests.test_files::test_one": ("passed", ""),
                       "pkg.tests.test_x::test_same": ("passed", ""),
                       "pkg.tests.test_x::test_new": ("passed", ""),
                       "pkg.tests.test_x::test_only_stock": ("passed", "")}}
    summary = comparison.compare("pkg", sides, {"python-static": 1.0, "stock": 2.0})
    by_test = {d["test"]: d for d in summary["differences"]}
    assert set(by_test) == {"pkg.tests.test_files::test_one", "pkg.tests.test_x::test_new",
                            "pkg.tests.test_x::test_only_stock"}
    assert by_test["pkg.tests.test_files::test_one"]["reason"] == "reads files by path"
    assert by_test["pkg.tests.test_x::test_new"]["reason"] == ""
    assert by_test["pkg.tests.test_x::test_only_stock"]["python-static"] == "absent"
    assert summary["counts"]["python-static"]["failed"] == 2 and summary["counts"]["stock"]["passed"] == 4
    assert "(2 unexplained)" in capsys.readouterr().out


def test_the_selection_is_numpys_fast_one_unless_full_and_narrows_to_the_parts(tmp_path):
    assert pytest_suite.pytest_selection(tmp_path, "numpy", full=False, expression=None, parts=[]) == \
        ["-m", "not slow", str(tmp_path / "numpy")]
    assert pytest_suite.pytest_selection(tmp_path, "numpy", full=True, expression="svd", parts=["linalg", "fft"]) == \
        ["-k", "svd", str(tmp_path / "numpy" / "linalg"), str(tmp_path / "numpy" / "fft")]
    assert pytest_suite.selection_description(full=False, expression=None, parts=[]) == \
        'pytest -m "not slow" (numpy.test() default)'
    assert pytest_suite.selection_description(full=True, expression="svd", parts=["linalg", "fft"]) == \
        "full, -k svd, parts linalg fft"


def test_every_left_out_directory_and_known_difference_says_why():
    for package, directories in known_differences.NOT_RUN.items():
        assert all(reason.strip() for reason in directories.values()), package
    for (package, pattern), reason in known_differences.KNOWN_DIFFERENCES.items():
        assert package in ("numpy", "mpi4py", "psutil", "gpaw") and pattern and len(reason) > 20, (package, pattern)


def test_a_known_reason_matches_by_pattern_and_package_and_unused_ones_are_listed(monkeypatch):
    monkeypatch.setattr(known_differences, "KNOWN_DIFFERENCES", {("pkg", "pkg.tests.test_io::*"): "reads files",
                                                                 ("pkg", "pkg.tests.test_c"): "no .so",
                                                                 ("other", "pkg.tests.test_c"): "elsewhere"})
    assert known_differences.known_reason("pkg", "pkg.tests.test_io::test_read") == "reads files"
    assert known_differences.known_reason("pkg", "pkg.tests.test_c") == "no .so"
    assert known_differences.known_reason("pkg", "pkg.tests.test_c::test_one") == ""  # no wildcard, no match
    assert known_differences.known_reason("third", "pkg.tests.test_io::test_read") == ""
    assert known_differences.unused_reasons("pkg", {"reads files"}) == ["no .so"]


def test_outcomes_are_counted_with_disagreeing_ranks_as_mixed():
    outcomes = {"a": ("passed", ""), "b": ("failed", "x"), "c": ("mixed: rank 0 passed, rank 1 failed", "")}
    assert comparison.outcome_counts({k: v for k, v in outcomes.items() if k != "c"}) == \
        {"passed": 1, "failed": 1, "error": 0, "skipped": 0, "xfailed": 0, "xpassed": 0}
    assert comparison.outcome_counts(outcomes, comparison.OUTCOMES + ("mixed",))["mixed"] == 1
    with pytest.raises(KeyError):  # a mixed outcome where none is expected is a bug, not a count
        comparison.outcome_counts(outcomes)


def test_the_summary_is_written_to_work_and_recorded_in_the_fixed_layout(tmp_path):
    (tmp_path / "work").mkdir()
    summary = comparison.write_summary(tmp_path / "work", "numpy", {"package": "numpy", "differences": []})
    assert summary == tmp_path / "work" / "numpy-summary.json"
    destination = recording.suites_summary(tmp_path / "results", "numpy")
    assert destination == tmp_path / "results" / "suites" / "numpy-summary.json"
    destination.parent.mkdir(parents=True)
    destination.write_text("an older run\n")
    assert recording.record(summary, destination) == destination
    assert json.loads(destination.read_text()) == {"package": "numpy", "differences": []}
    assert sorted(p.name for p in destination.parent.iterdir()) == ["numpy-summary.json"]  # no partial file left
    assert recording.suites_summary(recording.RESULTS, "mpi4py") == ROOT / "harness" / "results" / "suites" / \
        "mpi4py-summary.json"


def test_the_command_line_offers_record_and_refuses_an_unknown_package():
    run = ROOT / "harness" / "suites" / "run"
    shown = subprocess.run([sys.executable, str(run), "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "--record DIR" in shown.stdout, shown.stderr
    refused = subprocess.run([sys.executable, str(run), "pandas"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "invalid choice: 'pandas'" in refused.stderr


def test_a_serial_run_keeps_counts_seconds_and_differences_and_fails_on_an_unexplained_one():
    finished = {"python-static": ({"pkg.t::a": ("passed", ""), "pkg.t::b": ("failed", "boom")}, 12.4),
                "stock": ({"pkg.t::a": ("passed", ""), "pkg.t::b": ("passed", "")}, 20.6)}
    status, run = comparison.serial_run("pkg", finished)
    assert status == 1
    assert run["python-static"] == {"counts": {**{kind: 0 for kind in comparison.OUTCOMES}, "passed": 1, "failed": 1},
                                    "seconds": 12}
    assert run["stock"]["seconds"] == 21 and run["stock"]["counts"]["passed"] == 2
    assert [d["test"] for d in run["differences"]] == ["pkg.t::b"] and run["differences"][0]["reason"] == ""
    same = {label: ({"pkg.t::a": ("passed", "")}, 1.0) for label in ("python-static", "stock")}
    assert comparison.serial_run("pkg", same) == (0, {"python-static": {"counts": {**{k: 0 for k in comparison.OUTCOMES},
                                                                                  "passed": 1}, "seconds": 1},
                                                      "stock": {"counts": {**{k: 0 for k in comparison.OUTCOMES},
                                                                           "passed": 1}, "seconds": 1},
                                                      "differences": []})
