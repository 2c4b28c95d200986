"""The session-start disk check of tests/conftest.py: one line naming the place and the remedy."""

from conftest import free_space_shortfall


def test_enough_space_says_nothing(tmp_path):
    assert free_space_shortfall([tmp_path], needed_gib=0) == ""


def test_too_little_space_names_the_filesystem_and_what_to_free(tmp_path):
    line = free_space_shortfall([tmp_path / "not" / "made" / "yet"], needed_gib=10**9)
    assert line.startswith(f"{tmp_path}: ") and "GiB free" in line
    assert "prune-cache" in line and "pytest-of-" in line and "\n" not in line
