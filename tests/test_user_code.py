"""The user's own code frozen in (FREEZE_PATHS) and run by default (MAIN), as the 2013 tool's
exe_name use: one binary that is the application."""

import subprocess

import pytest

from conftest import assert_built, run_scons, step_outcomes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def application(tmp_path_factory):
    root = tmp_path_factory.mktemp("user-code")
    package = root / "src" / "myapp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("GREETING = 'hello from a frozen app'\n")
    (package / "cli.py").write_text("import sys\nfrom myapp import GREETING\n"
                                    "print(GREETING, sys.argv[1:])\n")
    (package / "templates").mkdir()
    (package / "templates" / "banner.txt").write_text("frozen data\n")
    built = run_scons([f"BUILD_DIR={root / 'build'}", "NAME=myapp", f"FREEZE_PATHS={root / 'src'}",
                       "MAIN=myapp.cli"])
    assert_built(built)
    return root


def run(binary, *arguments, cwd):
    return subprocess.run([str(binary), *arguments], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60)


def test_main_module_runs_by_default_with_its_arguments(application, tmp_path):
    result = run(application / "build" / "bin" / "myapp", cwd=tmp_path)
    assert result.stdout.strip() == "hello from a frozen app []", result.stderr


def test_the_interpreter_is_still_there(application, tmp_path):
    result = run(application / "build" / "bin" / "myapp", "-c",
                 "import myapp; print(myapp.__spec__.origin)", cwd=tmp_path)
    assert result.stdout.strip() == "frozen", result.stderr


def test_changing_user_code_refreezes(application, tmp_path):
    (application / "src" / "myapp" / "__init__.py").write_text("GREETING = 'changed'\n")
    rebuilt = run_scons([f"BUILD_DIR={application / 'build'}", "NAME=myapp",
                         f"FREEZE_PATHS={application / 'src'}", "MAIN=myapp.cli"])
    assert_built(rebuilt)
    assert step_outcomes(rebuilt.stdout)["freeze"] in ("built", "cache")  # cache: an earlier run
    assert run(application / "build" / "bin" / "myapp", cwd=tmp_path).stdout.strip() == "changed []"


def test_package_data_is_served_from_the_binary(application, tmp_path):
    code = ("import importlib.resources as r; "
            "print(r.files('myapp').joinpath('templates/banner.txt').read_text(), end='')")
    result = run(application / "build" / "bin" / "myapp", "-c", code, cwd=tmp_path)
    assert result.stdout == "frozen data\n", result.stderr


def test_renaming_a_data_file_refreezes(application, tmp_path):
    templates = application / "src" / "myapp" / "templates"
    (templates / "banner.txt").rename(templates / "renamed.txt")
    rebuilt = run_scons([f"BUILD_DIR={application / 'build'}", "NAME=myapp",
                         f"FREEZE_PATHS={application / 'src'}", "MAIN=myapp.cli"])
    assert_built(rebuilt)
    code = "import importlib.resources as r; print(sorted(p.name for p in r.files('myapp').joinpath('templates').iterdir()))"
    result = run(application / "build" / "bin" / "myapp", "-c", code, cwd=tmp_path)
    assert result.stdout.strip() == "['renamed.txt']", result.stderr
