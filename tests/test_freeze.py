"""The freezer: which files become modules, and what it writes for the linker."""

import json
import marshal
import subprocess
import sys
from pathlib import Path

from slither.freeze import freezer as freeze


def write(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_discover_keeps_packages_and_skips_non_package_dirs_and_excludes(tmp_path):
    write(tmp_path / "json/__init__.py")
    write(tmp_path / "json/decoder.py")
    write(tmp_path / "json/tests-data/broken.py", "this is not python")  # no __init__: not a package
    write(tmp_path / "test/__init__.py")
    write(tmp_path / "_sysconfigdata__linux_x86_64-linux-gnu.py")  # imported by __import__(name)
    write(tmp_path / "config-3.11/python-config.py")
    found = {m.name: m for m in freeze.discover(tmp_path, "stdlib", frozenset({"test"}))}
    assert sorted(found) == ["_sysconfigdata__linux_x86_64-linux-gnu", "json", "json.decoder"]
    assert found["json"].is_package and not found["json.decoder"].is_package
    assert found["json.decoder"].display_path == "json/decoder.py"


def test_namespace_directories_inside_a_third_party_package_are_frozen_as_packages(tmp_path):
    # numpy/_core/tests/ has no __init__.py, and numpy.testing imports numpy._core.tests._natype.
    write(tmp_path / "pkg/__init__.py")
    write(tmp_path / "pkg/core/__init__.py")
    write(tmp_path / "pkg/core/tests/_natype.py", "NA = object()\n")
    write(tmp_path / "pkg/core/tests/data/readme.txt", "not code")
    write(tmp_path / "pkg/templates/page.py", "<p>{% block body %}</p>")  # .py test data: stays data
    write(tmp_path / "toplevel_dir/mod.py")  # not inside a package: not importable as pkg
    found = {m.name: m for m in freeze.discover(tmp_path, "site", namespace_packages=True)}
    assert sorted(found) == ["pkg", "pkg.core", "pkg.core.tests", "pkg.core.tests._natype"]
    assert found["pkg.core.tests"].is_package and found["pkg.core.tests"].text == b""
    assert marshal.loads(freeze.compile_module(found["pkg.core.tests"], 0)).co_filename == \
        "<frozen pkg/core/tests/__init__.py>"
    data = freeze.discover_data(tmp_path, {m.path for m in found.values()})
    assert sorted(data) == ["pkg/core/tests/data/readme.txt", "pkg/templates/page.py"]
    # The stdlib keeps the strict rule (lib2to3/tests/data holds Python 2 files).
    assert "pkg.core.tests" not in {m.name for m in freeze.discover(tmp_path, "stdlib")}


def test_code_objects_name_the_original_file_for_tracebacks(tmp_path):
    write(tmp_path / "pkg/__init__.py")
    write(tmp_path / "pkg/mod.py", "x = 1\n\ndef fail():\n    raise ValueError('boom')\n")
    module = next(m for m in freeze.discover(tmp_path, "t") if m.name == "pkg.mod")
    code = marshal.loads(freeze.compile_module(module, optimize=0))
    assert code.co_filename == "<frozen pkg/mod.py>"
    namespace = {}
    exec(code, namespace)
    try:
        namespace["fail"]()
    except ValueError as error:
        assert error.__traceback__.tb_next.tb_frame.f_code.co_filename == "<frozen pkg/mod.py>"
        assert error.__traceback__.tb_next.tb_lineno == 4


def test_table_points_into_the_blob_for_every_module():
    text = freeze.render_table([("a", 0, 10, False), ("b.c", 10, 5, True)])
    assert '{.name = "a", .code = slither_frozen_blob + 0, .size = 10, .is_package = 0},' in text
    assert '{.name = "b.c", .code = slither_frozen_blob + 10, .size = 5, .is_package = 1},' in text
    assert text.rstrip().endswith("{0},\n};".rstrip())


def test_asm_includes_the_blob_by_name_not_by_path():
    text = freeze.render_asm("frozen.bin")
    assert '.incbin "frozen.bin"' in text and "/" not in text.split(".incbin")[1].split("\n")[0]


def test_command_line_writes_all_outputs_and_is_deterministic(tmp_path, checkout):
    stdlib = tmp_path / "lib"
    write(stdlib / "alpha.py", "A = 1\n")
    write(stdlib / "beta/__init__.py", "from . import gamma\n")
    write(stdlib / "beta/gamma.py", "G = 'γ'\n")
    write(stdlib / "test/__init__.py")
    outputs = []
    for run in ("one", "two"):
        out = tmp_path / run
        out.mkdir()
        subprocess.run([sys.executable, "-S", "-m", "slither.freeze.freezer", "--stdlib", str(stdlib),
                        "--exclude", "test", "--runtime", str(checkout / "slither/runtime/_slither_runtime.py"),
                        "--blob", str(out / "frozen.bin"), "--asm", str(out / "blob.S"),
                        "--table", str(out / "table.c"), "--manifest", str(out / "frozen.json")],
                       check=True, cwd=checkout)
        outputs.append(out)
    for name in ("frozen.bin", "blob.S", "table.c", "frozen.json"):
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
    manifest = json.loads((outputs[0] / "frozen.json").read_text())
    names = [m["name"] for m in manifest["modules"]]
    assert {"alpha", "beta", "beta.gamma", "_slither_runtime", "_slither_manifest"} <= set(names)
    assert "test" not in names
    assert manifest["total_bytes"] == (outputs[0] / "frozen.bin").stat().st_size


def test_package_data_is_every_file_that_is_not_frozen_code(tmp_path):
    root = tmp_path / "site"
    write(root / "app/__init__.py")
    write(root / "app/core.py", "X = 1\n")
    write(root / "app/py.typed")
    write(root / "app/templates/page.html", "<p>{x}</p>\n")      # a directory that is no package
    write(root / "app/examples/setup.py", "print('not importable')\n")
    write(root / "app/_speedups.cpython-311-x86_64-linux-gnu.so", "ELF")
    write(root / "app/__pycache__/core.cpython-311.pyc", "x")
    write(root / "app-1.0.dist-info/METADATA", "Name: app\nVersion: 1.0\n")
    write(root / "loose_module.py", "Y = 2\n")
    write(root / "README.txt", "outside every package")
    found = freeze.discover(root, "site")
    data = freeze.discover_data(root, {module.path for module in found})
    assert sorted(data) == ["app-1.0.dist-info/METADATA", "app/examples/setup.py", "app/py.typed",
                            "app/templates/page.html"]


def test_data_modules_group_files_by_top_level_package(tmp_path):
    write(tmp_path / "a/x.txt", "ax")
    write(tmp_path / "b/y.bin", "by")
    write(tmp_path / "a-1.dist-info/METADATA", "Name: a\n")
    data = {path: tmp_path / path for path in ("a/x.txt", "b/y.bin", "a-1.dist-info/METADATA")}
    modules, packages, distributions = freeze.data_modules(data)
    assert packages == {"a": "_slither_data_a", "b": "_slither_data_b"}
    assert distributions == "_slither_distributions"
    namespace = {}
    exec(next(m for m in modules if m.name == "_slither_data_a").text, namespace)
    assert namespace["FILES"] == {"a/x.txt": b"ax"}
    assert freeze.data_report(modules) == {"_slither_data_a": {"files": 1, "bytes": 2},
                                           "_slither_data_b": {"files": 1, "bytes": 2},
                                           "_slither_distributions": {"files": 1, "bytes": 8}}


def test_a_directory_of_only_extension_modules_gets_a_namespace_package(tmp_path):
    # scipy/sparse/linalg/_propack/ holds extensions and no __init__.py; they are built-ins in
    # the binary, so only the package's extension list can tell the freezer the parent exists.
    write(tmp_path / "pkg/__init__.py")
    write(tmp_path / "pkg/sub/__init__.py")
    runtime = tmp_path / "_slither_runtime.py"
    write(runtime)
    modules = {module.name: module for module in freeze.select_modules(
        None, frozenset(), [runtime], [(tmp_path, "pkg-1.0")], {},
        builtin_extensions=["pkg._top", "pkg.sub.kernels._k", "pkg.a.b._deep", "_toplevel_ext"]).modules}
    assert {"pkg.sub.kernels", "pkg.a", "pkg.a.b"} <= set(modules)
    for name in ("pkg.sub.kernels", "pkg.a", "pkg.a.b"):
        assert modules[name].is_package and modules[name].text == b"" and modules[name].origin == "namespace"
    assert modules["pkg.sub"].origin == "pkg-1.0"  # a real package is left as it is
    assert "_toplevel_ext" not in modules and "pkg._top" not in modules  # the extensions themselves are built-ins
    unfrozen = {module.name for module in freeze.select_modules(
        None, frozenset(), [runtime], [(tmp_path, "pkg-1.0")], {}, unfrozen=frozenset({"pkg"}),
        builtin_extensions=["pkg.sub.kernels._k"]).modules}
    assert not any(name.startswith("pkg") for name in unfrozen)  # UNFROZEN=pkg: nothing of it frozen


def test_stdlib_files_that_do_not_compile_on_purpose_are_left_out_and_listed(tmp_path):
    """EXCLUDE=-test freezes the test package, whose bad_coding.py and badsyntax_*.py do not
    compile by design (CPython's own install compiles the stdlib ignoring them)."""
    (tmp_path / "good.py").write_text("X = 1\n")
    (tmp_path / "badsyntax_future.py").write_text("def f(:\n")
    modules = [freeze.ModuleSource("good", tmp_path / "good.py", False, "good.py", "stdlib"),
               freeze.ModuleSource("test.badsyntax_future", tmp_path / "badsyntax_future.py", False,
                                   "test/badsyntax_future.py", "stdlib")]
    blob, entries, manifest, uncompilable = freeze.freeze(modules, 0)
    assert [entry[0] for entry in entries] == ["good"] and uncompilable == ["test/badsyntax_future.py"]


def test_a_users_module_that_does_not_compile_stops_the_freeze_naming_it(tmp_path):
    (tmp_path / "app.py").write_text("def f(:\n")
    module = freeze.ModuleSource("app", tmp_path / "app.py", False, "app.py", str(tmp_path))
    try:
        freeze.freeze([module], 0)
    except SystemExit as stop:
        assert "cannot freeze" in str(stop) and "app.py" in str(stop)
    else:
        raise AssertionError("a user's SyntaxError must stop the freeze")


def test_main_must_name_a_module_the_binary_has():
    freeze.check_main("myapp.cli", {"myapp", "myapp.cli"}, [])
    freeze.check_main("mycode._kernel", set(), ["mycode._kernel"])
    freeze.check_main("", set(), [])
    try:
        freeze.check_main("myapp.clli", {"myapp", "myapp.cli"}, [])
    except SystemExit as stop:
        assert str(stop) == ("slither: error: MAIN=myapp.clli: the binary has no such module (did you mean "
                             "myapp.cli?); it would fail at start on every node")
    else:
        raise AssertionError("an unknown MAIN must stop the freeze")


def test_the_selection_names_the_packages_whose_data_is_read_by_path(tmp_path):
    """frozen.json's data_by_path comes from the selection itself, and agrees with what the
    manifest module frozen into the binary tells the runtime."""
    (tmp_path / "styled").mkdir()
    (tmp_path / "styled" / "__init__.py").write_text(
        "from pathlib import Path\nCSS = Path(__file__).with_name('estimator.css')\n")
    (tmp_path / "styled" / "estimator.css").write_text("body {}\n")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "__init__.py").write_text("X = 1\n")
    (tmp_path / "plain" / "table.csv").write_text("a,b\n")
    runtime = tmp_path / "_slither_runtime.py"
    runtime.write_text("")
    selection = freeze.select_modules(None, frozenset(), [runtime], [(tmp_path, "site")], {})
    assert selection.data_by_path == ["styled"]
    manifest = next(module for module in selection.modules if module.name == freeze.MANIFEST_MODULE)
    namespace = {}
    exec(manifest.text.decode(), namespace)
    assert sorted(namespace["DATA_BY_PATH"]) == selection.data_by_path
