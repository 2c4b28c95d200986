"""Pure parts of the CPython step: module states, what is left out and why, link flags."""

import os
from pathlib import Path

import pytest

from slither import cpython_build, loading
from slither.errors import SlitherError

MAKEFILE = """MODULE__JSON_STATE=yes
MODULE__GDBM_STATE=missing
MODULE__SCPROXY_STATE=n/a
MODULE__TKINTER_STATE=disabled
MODULE_XXLIMITED_STATE=yes
"""


def test_module_states_are_read_from_the_makefile():
    assert cpython_build.module_states(MAKEFILE) == {
        "_json": "yes", "_gdbm": "missing", "_scproxy": "n/a", "_tkinter": "disabled", "xxlimited": "yes"}


def test_every_module_not_built_in_gets_a_reason():
    reasons = cpython_build.describe_left_out(
        cpython_build.module_states(MAKEFILE), {"_tkinter": "no GUI"}, ["_json", "sys"])
    assert reasons == {
        "_gdbm": "configure found no usable library or headers for it",
        "_scproxy": "not available on this platform",
        "_tkinter": "no GUI",
        "xxlimited": "CPython builds it only as a shared library (a test module)",
    }


def test_internal_archives_are_separated_from_library_flags():
    flags, archives = cpython_build.split_internal_archives(
        {"MODLIBS": "-lffi Modules/_decimal/libmpdec/libmpdec.a -lz Modules/expat/libexpat.a", "LIBS": "-ldl"})
    assert flags == ["-lffi", "-lz", "-ldl"]
    assert archives == ["Modules/_decimal/libmpdec/libmpdec.a", "Modules/expat/libexpat.a"]


def test_link_flags_group_libraries_so_order_cannot_matter():
    flags = cpython_build.link_flags(["-lssl", "-lcrypto", "-lz", "-ldl", "-lm"])
    assert flags[0] == "-Wl,--start-group" and flags[-1] == "-Wl,--end-group"
    assert flags.index("-lssl") < flags.index("-lcrypto")
    assert flags.count("-ldl") == 1 and "-lpthread" in flags


def test_missing_required_static_library_names_it_and_its_package(tmp_path, monkeypatch):
    recipe = loading.load_cpython_recipe()
    profile = loading.load_target("gnu")
    # A compiler whose library search path is empty: gcc's -print-file-name then finds nothing.
    monkeypatch.setenv("LIBRARY_PATH", "")
    env = dict(os.environ, GCC_EXEC_PREFIX=str(tmp_path) + "/", COMPILER_PATH=str(tmp_path))
    fake_cc = tmp_path / "cc"
    fake_cc.write_text("#!/bin/sh\necho \"${1#-print-file-name=}\"\n")
    fake_cc.chmod(0o755)
    profile = profile.__class__(**{**profile.__dict__, "CC": str(fake_cc)})
    with pytest.raises(SlitherError) as error:
        cpython_build.plan_stdlib_extensions(recipe, profile, env)
    message = str(error.value)
    assert "libssl.a (apt-get install libssl-dev) for _hashlib, _ssl" in message
    assert "libffi.a (apt-get install libffi-dev) for _ctypes" in message


def test_present_static_libraries_pass_and_optional_gaps_are_explained():
    recipe = loading.load_cpython_recipe()
    left_out, assignments = cpython_build.plan_stdlib_extensions(recipe, loading.load_target("gnu"), dict(os.environ))
    assert "_tkinter" in left_out and "py_cv_module__tkinter=n/a" in assignments
    for name in ("_ssl", "zlib", "_ctypes", "_sqlite3"):
        assert name not in left_out


def _project_imports(path, root):
    """Project files a file imports (relative or `slither.` imports), relative to the project."""
    import ast
    found = set()
    for node in ast.walk(ast.parse((root / path).read_text())):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            package = Path(path).parents[node.level - 1]
            base = package / node.module.replace(".", "/") if node.module else package
            candidates = [base] if node.module else [base / alias.name for alias in node.names]
            if node.module:
                candidates += [base / alias.name for alias in node.names]
        elif node.module and node.module.startswith("slither"):
            base = Path(node.module.replace(".", "/"))
            candidates = [base] + [base / alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            for name in (f"{candidate}.py", f"{candidate}/__init__.py"):
                if (root / name).is_file():
                    found.add(name)
    return found


def _import_closure(root, *entry_points):
    closure, pending = set(), list(entry_points)
    while pending:
        path = pending.pop()
        if path not in closure:
            closure.add(path)
            pending.extend(_project_imports(path, root))
    return closure


def _site_tool(name):
    import importlib
    import sys
    sys.path.insert(0, str(loading.PROJECT_ROOT / "site_scons" / "site_tools"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def test_the_cpython_step_signs_exactly_the_code_it_runs():
    """Editing any file cpython_build imports must rebuild CPython; editing others must not."""
    root = loading.PROJECT_ROOT
    assert set(_site_tool("slither_cpython").BUILD_SCRIPTS) == _import_closure(
        root, "slither/cpython_build.py", "modules/cpython.py")


def test_the_package_steps_sign_exactly_the_code_they_run():
    root = loading.PROJECT_ROOT
    packages = _site_tool("slither_packages")
    assert set(packages.TOOLS_SCRIPTS) == _import_closure(
        root, "slither/build_tools.py", "modules/build_tools.py")
    capture = {str(path.relative_to(root)) for path in (root / "slither" / "capture").glob("*.py")}
    assert set(packages.PACKAGE_SCRIPTS) == _import_closure(root, "slither/package_build.py") | capture


def test_the_library_step_signs_exactly_the_code_it_runs():
    """Editing what library_build imports rebuilds MPICH; the recipe vocabulary is not among it."""
    root = loading.PROJECT_ROOT
    signed = set(_site_tool("slither_libraries").LIBRARY_SCRIPTS)
    assert signed == _import_closure(root, "slither/library_build.py")
    assert "slither/module_recipes.py" not in signed
