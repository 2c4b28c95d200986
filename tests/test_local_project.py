"""The user's own project as a MODULES entry: read, packed deterministically, refused clearly."""

import os

import pytest

from slither.errors import SlitherError
from slither.plan.local_project import is_local_entry, local_source, read_local_project, sdist_bytes


def project(tmp_path, pyproject='[project]\nname = "My_Code"\nversion = "1.2"\n', extra=None):
    root = tmp_path / "src" / "mycode"
    (root / "mycode").mkdir(parents=True)
    (root / "pyproject.toml").write_text(pyproject)
    (root / "mycode" / "__init__.py").write_text("")
    (root / "mycode" / "fast.c").write_text("int x;\n")
    for relative, text in (extra or {}).items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def test_a_path_entry_is_a_local_project():
    assert is_local_entry("./src/mycode") and is_local_entry("/abs/x") and is_local_entry("~/x")
    assert not is_local_entry("numpy") and not is_local_entry("six==1.17.0")


def test_name_version_and_files_are_read_leaving_build_outputs_out(tmp_path):
    project(tmp_path, extra={"build/lib/junk.py": "", ".git/HEAD": "", "mycode/__pycache__/x.pyc": "",
                             "mycode/old.so": "", "notes.tmp": "", ".slitherignore": "*.tmp\n"})
    local = read_local_project("./src/mycode", base=tmp_path)
    assert (local.name, local.version) == ("my-code", "1.2")
    assert local.files == ("mycode/__init__.py", "mycode/fast.c", "pyproject.toml")  # hidden files too


def test_the_sdist_depends_on_names_and_contents_only(tmp_path):
    root = project(tmp_path)
    first = local_source(read_local_project(str(root)))
    os.utime(root / "mycode" / "fast.c", (1, 1))  # touched, or checked out again: same bytes
    assert local_source(read_local_project(str(root))) == first
    (root / "mycode" / "fast.c").write_text("int y;\n")
    assert local_source(read_local_project(str(root))).sha256 != first.sha256


def test_the_sdist_holds_the_files_under_name_version(tmp_path):
    import io
    import tarfile
    local = read_local_project(str(project(tmp_path)))
    with tarfile.open(fileobj=io.BytesIO(sdist_bytes(local))) as archive:
        assert archive.getnames() == ["my-code-1.2/mycode/__init__.py", "my-code-1.2/mycode/fast.c",
                                      "my-code-1.2/pyproject.toml"]


def test_a_dynamic_version_builds_as_a_local_version(tmp_path):
    local = read_local_project(str(project(tmp_path, '[project]\nname = "x"\ndynamic = ["version"]\n')))
    assert local.version == "0+local"


@pytest.mark.parametrize("make, message", [
    (lambda root: root / "missing", "is not a directory"),
    (lambda root: (root / "empty").mkdir() or root / "empty", "neither pyproject.toml nor setup.py"),
])
def test_a_path_that_is_not_a_project_is_one_line(tmp_path, make, message):
    with pytest.raises(SlitherError, match=message):
        read_local_project(str(make(tmp_path)))


def test_a_project_without_a_name_says_where_to_give_one(tmp_path):
    with pytest.raises(SlitherError, match=r"give the project a name \(\[project\] name"):
        read_local_project(str(project(tmp_path, "[build-system]\nrequires = []\n")))


def test_optional_dependencies_keep_their_own_marker_under_the_extra(tmp_path):
    from packaging.requirements import Requirement
    from slither.plan.recipe_free import declared_requirements_of_project
    root = project(tmp_path, '[project]\nname = "x"\nversion = "1"\ndependencies = ["numpy>=2"]\n'
                             '[project.optional-dependencies]\n'
                             'fast = [\'tomli; python_version < "3.11" or sys_platform == "win32"\']\n')
    declared = declared_requirements_of_project(read_local_project(str(root)))
    assert declared[0] == "numpy>=2"
    optional = Requirement(declared[1])
    linux_311 = {"python_version": "3.11", "sys_platform": "linux"}
    assert not optional.marker.evaluate({**linux_311, "extra": "fast"})  # neither own condition holds
    assert optional.marker.evaluate({"python_version": "3.10", "sys_platform": "linux", "extra": "fast"})
    assert not optional.marker.evaluate({"python_version": "3.10", "sys_platform": "linux", "extra": ""})
