"""What of the user's own directories goes into a binary (slither/sources/source_files.py): code
and declared data, never dotfiles (.env, .netrc), VCS or cache directories, or what .gitignore
excludes; the same for FREEZE_PATHS (signed and frozen) and a MODULES=./project sdist. A
FREEZE_PATHS name that would replace a stdlib module or a MODULES package is refused."""

import shutil
import subprocess

import pytest

from slither.errors import SlitherError
from slither.freeze import freezer
from slither.plan import build_plan, local_project
from slither.sources.source_files import source_files

TREE = {
    "myapp/__init__.py": "", "myapp/cli.py": "def main(): pass\n", "myapp/data/table.csv": "a,b\n",
    "myapp/.env": "TOKEN=secret\n", ".netrc": "machine x password y\n", ".git/config": "[core]\n",
    "myapp/__pycache__/cli.cpython-311.pyc": "", "myapp/scratch.log": "debug\n", "myapp/notes/todo.txt": "x\n",
    "myapp/keep.log": "kept by a negation\n",
    ".gitignore": "*.log\n!keep.log\nnotes/\n",
}
EXPECTED = ["myapp/__init__.py", "myapp/cli.py", "myapp/data/table.csv", "myapp/keep.log"]


def write_tree(root):
    for relative, text in TREE.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def test_hidden_files_caches_and_gitignored_files_are_left_out_without_git(tmp_path):
    assert source_files(write_tree(tmp_path)) == EXPECTED


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_inside_a_git_work_tree_git_decides_what_is_ignored(tmp_path):
    root = write_tree(tmp_path)
    shutil.rmtree(root / ".git")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "myapp" / ".gitignore").write_text("data/\n")  # a nested rule, which git applies too
    assert source_files(root) == ["myapp/__init__.py", "myapp/cli.py", "myapp/keep.log"]


def test_the_freezer_takes_only_source_files_from_freeze_paths(tmp_path):
    root = write_tree(tmp_path / "src")
    (root / "myapp" / "secrets.py").write_text("TOKEN = 'x'\n")
    (root / ".gitignore").write_text("*.log\nsecrets.py\n")
    modules = freezer.select_modules(None, frozenset(), [], [(root, "src")], {}, user_roots=frozenset({root})).modules
    names = {module.name for module in modules}
    assert {"myapp", "myapp.cli"} <= names and "myapp.secrets" not in names
    data = next(module for module in modules if module.origin == "data" and module.name.startswith("_slither_data"))
    assert b"table.csv" in data.text and b".env" not in data.text and b"scratch.log" not in data.text
    # and the plan signs the same files
    plan_files = build_plan.Plan.user_code_files(type("P", (), {"freeze_paths": (str(root),)})())
    assert sorted(path.split("/src/", 1)[1] for path in plan_files) == [
        "myapp/__init__.py", "myapp/cli.py", "myapp/data/table.csv", "myapp/notes/todo.txt"]


def test_a_local_projects_sdist_leaves_out_dotfiles_and_gitignored_files(tmp_path):
    project = tmp_path / "proj"
    (project / "proj").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "proj"\nversion = "1.0"\n')
    (project / "proj" / "__init__.py").write_text("")
    (project / ".env").write_text("TOKEN=secret\n")
    (project / ".gitignore").write_text("*.sqlite\n")
    (project / "proj" / "cache.sqlite").write_text("rows\n")
    assert local_project.project_files(project) == ["proj/__init__.py", "pyproject.toml"]


def test_a_freeze_paths_name_that_would_replace_the_stdlib_or_a_package_is_one_line(tmp_path):
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "__init__.py").write_text("")
    with pytest.raises(SlitherError, match=r"its json has the name of the stdlib module json.*REPLACE_STDLIB=json"):
        build_plan.check_freeze_path_names([str(tmp_path)], ())
    build_plan.check_freeze_path_names([str(tmp_path)], (), replace_stdlib=("json",))
    other = tmp_path / "other"
    other.mkdir()
    (other / "numpy.py").write_text("")
    with pytest.raises(SlitherError, match="its numpy has the name of the MODULES package numpy"):
        build_plan.check_freeze_path_names([str(other)], ("numpy", "mpi4py"))
    build_plan.check_freeze_path_names([str(other)], ("mpi4py",))
