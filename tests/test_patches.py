"""Patches are pinned like sources and applied all-or-nothing."""

import subprocess

import pytest

from slither.sources import patches
from slither.errors import SlitherError

ORIGINAL = "line one\nline two\nline three\n"
GOOD = """--- a/file.txt
+++ b/file.txt
@@ -1,3 +1,3 @@
 line one
-line two
+line 2
 line three
"""
BAD = GOOD.replace(" line three", " something else")


def setup_tree(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "file.txt").write_text(ORIGINAL)
    return tree


def test_every_patch_in_the_repository_is_pinned_and_matches():
    pinned = patches.read_sums()
    on_disk = sorted(p.relative_to(patches.PATCHES_DIR).as_posix() for p in patches.PATCHES_DIR.rglob("*.patch"))
    assert sorted(pinned) == on_disk
    for name in on_disk:
        patches.verify_patch(patches.PATCHES_DIR / name)


def test_changed_patch_is_refused_with_both_hashes(tmp_path):
    directory = tmp_path / "patches"
    (directory / "cpython-3.11").mkdir(parents=True)
    patch = directory / "cpython-3.11" / "fix.patch"
    patch.write_text(GOOD)
    patches.update_sums(directory)
    pinned = patches.read_sums(directory)["cpython-3.11/fix.patch"]
    patch.write_text(GOOD + "\n")
    with pytest.raises(SlitherError) as error:
        patches.verify_patch(patch, directory)
    assert pinned in str(error.value) and "sha256 mismatch" in str(error.value)


def test_patch_that_does_not_apply_leaves_the_tree_untouched(tmp_path):
    tree = setup_tree(tmp_path)
    patch = tmp_path / "bad.patch"
    patch.write_text(BAD)
    with pytest.raises(SlitherError, match="bad.patch does not apply to demo"):
        patches.apply_patch(patch, tree, "demo")
    assert (tree / "file.txt").read_text() == ORIGINAL
    assert not list(tree.glob("*.rej")) and not list(tree.glob("*.orig"))


def test_good_patch_applies(tmp_path):
    tree = setup_tree(tmp_path)
    patch = tmp_path / "good.patch"
    patch.write_text(GOOD)
    patches.apply_patch(patch, tree, "demo")
    assert (tree / "file.txt").read_text() == ORIGINAL.replace("line two", "line 2")
