"""harness/suites/run's own logic, fast: which files become the test tree, how pytest's
JUnit XML is read, and that a difference without a known reason makes the comparison fail."""

import importlib.machinery
import importlib.util
import io
import tarfile

import pytest

from conftest import ROOT
from slither.errors import SlitherError


def load_runner():
    path = ROOT / "harness" / "suites" / "run"
    loader = importlib.machinery.SourceFileLoader("package_suites_run", str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


runner = load_runner()


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
    written = runner.extract_test_tree(archive, "pkg", tmp_path / "tree")
    found = sorted(str(p.relative_to(tmp_path / "tree")) for p in (tmp_path / "tree").rglob("*") if p.is_file())
    assert found == ["pkg/__init__.py", "pkg/conftest.py", "pkg/sub/__init__.py", "pkg/sub/tests/__init__.py",
                     "pkg/sub/tests/data/table.csv", "pkg/sub/tests/test_a.py"]
    assert written == len(found)
    assert "core.py" not in found  # the package itself comes from the interpreter under test


def test_an_escaping_member_is_refused(tmp_path):
    archive = site_tar(tmp_path / "site.tar", [("pkg/tests/../../../escape/tests/x.py", b"")])
    with pytest.raises(SlitherError, match="unsafe member"):
        runner.extract_test_tree(archive, "pkg", tmp_path / "tree")
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
    outcomes = runner.junit_outcomes(tmp_path / "r.xml")
    assert outcomes == {
        "pkg.tests.test_a::test_ok": ("passed", ""),
        "pkg.tests.test_a::test_bad": ("failed", "AssertionError: 1 != 2"),
        "pkg.tests.test_a::test_skip": ("skipped", "no BLAS"),
        "pkg.tests.test_a::test_xfail": ("xfailed", "known"),
        "pkg.tests.test_a::test_teardown": ("passed", ""),
        "pkg.tests.test_a::test_teardown[teardown]": ("error", "teardown broke"),
    }


def test_a_difference_is_explained_only_by_a_matching_known_reason(monkeypatch, capsys):
    monkeypatch.setattr(runner, "KNOWN_DIFFERENCES", {("pkg", "pkg.tests.test_files::*"): "reads files by path"})
    sides = {"python-static": {"pkg.tests.test_files::test_one": ("failed", "FileNotFoundError"),
                               "pkg.tests.test_x::test_same": ("passed", ""),
                               "pkg.tests.test_x::test_new": ("failed", "boom")},
             "stock": {"pkg.tests.test_files::test_one": ("passed", ""),
                       "pkg.tests.test_x::test_same": ("passed", ""),
                       "pkg.tests.test_x::test_new": ("passed", ""),
                       "pkg.tests.test_x::test_only_stock": ("passed", "")}}
    summary = runner.compare("pkg", sides, {"python-static": 1.0, "stock": 2.0})
    by_test = {d["test"]: d for d in summary["differences"]}
    assert set(by_test) == {"pkg.tests.test_files::test_one", "pkg.tests.test_x::test_new",
                            "pkg.tests.test_x::test_only_stock"}
    assert by_test["pkg.tests.test_files::test_one"]["reason"] == "reads files by path"
    assert by_test["pkg.tests.test_x::test_new"]["reason"] == ""
    assert by_test["pkg.tests.test_x::test_only_stock"]["python-static"] == "absent"
    assert summary["counts"]["python-static"]["failed"] == 2 and summary["counts"]["stock"]["passed"] == 4
    assert "(2 unexplained)" in capsys.readouterr().out
