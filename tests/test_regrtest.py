"""The regression-suite comparison (harness/regrtest/run): its parts fast, and (slow) a subset of
CPython's own suite run against python-static and the stock build with equal verdicts."""

import concurrent.futures
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import assert_built, ROOT, make_tarball, run_scons
from slither.recipes import loading
from harness import recording
from harness.regrtest import runner as regrtest, known as regrtest_known
from slither.errors import SlitherError


def test_only_lib_test_is_taken_from_the_tarball_and_reused(tmp_path):
    tarball = make_tarball(tmp_path / "Python-9.9.9.tgz", [
        ("Python-9.9.9/Lib/test/__init__.py", b""),
        ("Python-9.9.9/Lib/test/test_x.py", b"pass\n"),
        ("Python-9.9.9/Lib/json/__init__.py", b""),
        ("Python-9.9.9/Lib/testing.py", b""),
    ])
    test_dir = regrtest.extract_test_package(tarball, "abc", tmp_path / "lib")
    assert sorted(p.name for p in test_dir.iterdir()) == ["__init__.py", "test_x.py"]
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == [".extracted-from", "test"]
    (test_dir / "test_x.py").write_text("changed\n")
    regrtest.extract_test_package(tarball, "abc", tmp_path / "lib")   # same tarball: kept
    assert (test_dir / "test_x.py").read_text() == "changed\n"
    regrtest.extract_test_package(tarball, "def", tmp_path / "lib")   # another: extracted anew
    assert (test_dir / "test_x.py").read_text() == "pass\n"


def test_runs_started_together_share_one_complete_extraction(tmp_path):
    # harness/regrtest/run --contender stock & ... --contender static: both extract into
    # the same OUTPUT at once; neither may fail nor see the other's half-written copy.
    files = [(f"Python-9.9.9/Lib/test/test_{n}.py", b"pass\n" * 200) for n in range(400)]
    tarball = make_tarball(tmp_path / "Python-9.9.9.tgz", files)
    with concurrent.futures.ProcessPoolExecutor(4) as pool:
        results = list(pool.map(regrtest.extract_test_package, [tarball] * 4, ["abc"] * 4,
                                [tmp_path / "lib"] * 4))
    assert results == [tmp_path / "lib" / "test"] * 4
    assert len(list(results[0].iterdir())) == 400
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Python-9.9.9.tgz", "lib"]  # no staging left


def test_a_tarball_without_lib_test_or_with_an_escaping_member_is_refused(tmp_path):
    empty = make_tarball(tmp_path / "a.tgz", [("Python-9/Lib/json/__init__.py", b"")])
    with pytest.raises(SlitherError, match="no Lib/test"):
        regrtest.extract_test_package(empty, "x", tmp_path / "lib")
    link = tarfile.TarInfo("Python-9/Lib/test/evil")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    escaping = make_tarball(tmp_path / "b.tgz", [link])
    with pytest.raises(SlitherError, match="refusing"):
        regrtest.extract_test_package(escaping, "x", tmp_path / "lib2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tgz", "b.tgz"]  # nothing half-made


def test_every_stock_pass_that_is_no_static_pass_is_explained_or_flagged():
    stock = {"passed": ["test_a", "test_b", "test_c", "test_e"], "skipped": ["test_d"]}
    static = {"passed": ["test_a", "test_d"], "failed": ["test_b"], "skipped": ["test_c"]}
    comparison = regrtest.compare(stock, static, {"test_b": "frozen-source"})
    assert comparison["explained"] == {"test_b": "frozen-source"}
    assert comparison["unexplained"] == ["test_c", "test_e"]       # test_e did not run at all
    assert comparison["static_only_passes"] == ["test_d"]
    assert comparison["counts"]["static"]["not run"] == 1
    assert comparison["counts"]["stock"]["passed"] == 4


def test_known_differences_name_a_documented_category():
    for series, known in regrtest_known.KNOWN.items():
        for module, category in known.items():
            assert category in regrtest_known.CATEGORIES, (series, module, category)
            assert module.startswith("test"), module


def test_compare_only_writes_the_table_and_records_comparison_json_under_the_version(tmp_path):
    """No binary and no tarball needed to compare what OUTPUT holds; --record copies the result
    into the fixed layout the docs pages are generated from, a MODULES binary beside the plain one."""
    output = tmp_path / "out"
    output.mkdir()
    (output / "stock.json").write_text(json.dumps({"passed": ["test_a", "test_b"], "argv": ["-j2", "-w"],
                                                   "wall_seconds": 10.0}))
    (output / "static.json").write_text(json.dumps({"passed": ["test_a"], "failed": ["test_b"],
                                                    "argv": ["-j2", "-w"], "wall_seconds": 12.5}))
    release = loading.cpython_release("3.11")
    code = regrtest.main(["--python", "3.11", "--build-dir", str(tmp_path / "no-build"), "--compare-only",
                          "--output", str(output), "--record", str(tmp_path / "results")])
    assert code == 1  # test_b is not in known.py: unexplained
    recorded = tmp_path / "results" / "regrtest" / release.version / "comparison.json"
    assert recorded.read_bytes() == (output / "comparison.json").read_bytes()
    comparison = json.loads(recorded.read_text())
    assert comparison["unexplained"] == ["test_b"]
    assert comparison["run"]["cpython"] == release.version and comparison["run"]["modules"] == ""
    assert comparison["run"]["wall_seconds"] == {"stock": 10.0, "static": 12.5}
    table = (output / "comparison.md").read_text()
    assert "regrtest options (both): `-j2 -w`" in table and "wall time stock 10.0 s, python-static 12.5 s" in table
    assert recording.regrtest_comparison(tmp_path, "3.11.2", "numpy, mpi4py") == \
        tmp_path / "regrtest" / "3.11.2-with-mpi4py-numpy" / "comparison.json"


def test_the_launcher_runs_the_runner():
    shown = subprocess.run([sys.executable, str(ROOT / "harness" / "regrtest" / "run"), "--help"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and "--record DIR" in shown.stdout and "--compare-only" in shown.stdout


def test_children_are_told_the_interpreter_needs_its_environment(tmp_path):
    env = regrtest.contender_environment(tmp_path / "lib", tmp_path / "prefix" / "bin" / "python-static")
    assert env["PYTHONPATH"] == str(tmp_path / "lib")
    assert env["PYTHONHOME"] == str((tmp_path / "prefix").resolve())
    assert not any(key.startswith("PYTHON") and key not in ("PYTHONPATH", "PYTHONHOME") for key in env)


def test_driver_records_regrtest_verdicts_per_module(tmp_path):
    """The driver in the host interpreter (which has its own test package), on a tiny module."""
    results = tmp_path / "verdicts.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    completed = subprocess.run([sys.executable, str(regrtest.DRIVER), str(results), "test_bisect",
                                "test_no_such_module_slither"], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=300)
    verdicts = json.loads(results.read_text())
    assert verdicts["passed"] == ["test_bisect"], completed.stdout[-2000:]
    assert verdicts["failed"] == ["test_no_such_module_slither"]
    assert verdicts["exit_code"] == completed.returncode != 0


# Modules that pass on both, chosen to cover what a static interpreter changes: C modules
# built in (zlib, bz2, lzma, sqlite3, ssl, hashlib, unicodedata), the frozen stdlib,
# and user/group/shadow lookups through NSS (test_spwd crashed python-static before the fix).
SUBSET = ["test_json", "test_bisect", "test_heapq", "test_textwrap", "test_string", "test_struct",
          "test_base64", "test_binascii", "test_zlib", "test_bz2", "test_lzma", "test_hashlib",
          "test_csv", "test_enum", "test_dataclasses", "test_unicodedata", "test_zoneinfo",
          "test_pwd", "test_grp", "test_spwd", "test_sqlite3", "test_re", "test_ssl"]


@pytest.mark.slow
def test_a_subset_of_cpythons_suite_has_the_same_verdicts_on_static_and_stock(tmp_path):
    build_dir = tmp_path / "build"
    series = "3.11"
    release = loading.cpython_release(series)
    built = run_scons([f"BUILD_DIR={build_dir}", f"PYTHON={series}", "JOBS=2",
                       str(build_dir / "bin" / "python-static"), "reference"])
    assert_built(built)
    output = tmp_path / "regrtest"
    code = regrtest.main(["--python", series, "--build-dir", str(build_dir), "--no-build", "--jobs", "2",
                          "--output", str(output), *SUBSET])
    stock = json.loads((output / "stock.json").read_text())
    static = json.loads((output / "static.json").read_text())
    assert regrtest.status_by_module(stock) == regrtest.status_by_module(static)
    assert sorted(stock["passed"]) == sorted(SUBSET), stock
    assert code == 0
    assert (output / "comparison.md").read_text().count("| passed | passed |") == len(SUBSET)
    assert release.version in (output / "comparison.md").read_text()
