"""What a frozen package still asks of the filesystem, on real binaries.

One binary per series with markupsafe (a recipe with a dotted extension) and a tiny package
frozen from FREEZE_PATHS (a module that raises, a test package with a subpackage and a
__main__), and the same 3.11 build with FROZEN_SOURCES=0. CPython and markupsafe come from
the cache other slow tests fill; each binary costs a freeze and a link.
"""

import subprocess
import sys

import pytest

from conftest import assert_built, ROOT, run_scons
from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = pytest.mark.slow

FIXTURE_PACKAGE = {
    "mypkg/__init__.py": "VALUE = 42\n",
    "mypkg/broken.py": "def fail():\n    raise ValueError('raised in a frozen package')\n",
    "mypkg/tests/__init__.py": "",
    "mypkg/tests/__main__.py": "import unittest\nunittest.main(module=None, argv=['mypkg.tests', 'discover', "
                               "'-s', 'mypkg.tests'])\n",
    "mypkg/tests/test_value.py": "import unittest\nimport mypkg\n\n\nclass Value(unittest.TestCase):\n"
                                 "    def test_value(self):\n        self.assertEqual(mypkg.VALUE, 42)\n",
    "mypkg/tests/sub/__init__.py": "",
    "mypkg/tests/sub/test_deeper.py": "import unittest\n\n\nclass Deeper(unittest.TestCase):\n"
                                      "    def test_one(self):\n        pass\n\n    def test_two(self):\n        pass\n",
    "mypkg/tests/helpers.py": "NOT_A_TEST = True\n",
}


@pytest.fixture(scope="module")
def package_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("frozen-sources-fixture")
    for relative, text in FIXTURE_PACKAGE.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


@pytest.fixture(scope="module")
def builds(built_binary, package_root):
    def build(series, sources=True):
        built = built_binary({"PYTHON": series, "MODULES": "markupsafe", "FREEZE_PATHS": package_root,
                              "FROZEN_SOURCES": int(sources)})
        return built.binary, built.output
    return build


@pytest.fixture(scope="module", params=["3.11", "3.13"])
def binary(request, builds):
    return builds(request.param)[0]


def run(binary, *arguments, cwd=None):
    return subprocess.run([str(binary), *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=120, cwd=cwd)


def test_an_uncaught_traceback_shows_source_lines_of_frozen_stdlib_and_packages(binary):
    stdlib = run(binary, "-c", "import json; json.loads('{')")
    assert 'File "<frozen json/decoder.py>"' in stdlib.stderr
    assert "obj, end = self.scan_once(s, idx)" in stdlib.stderr, stdlib.stderr
    cpython_frozen = run(binary, "-c", "import os; os.environ['SLITHER_SURELY_UNSET']")
    assert "raise KeyError(key) from None" in cpython_frozen.stderr, cpython_frozen.stderr  # <frozen os>
    package = run(binary, "-c", "import mypkg.broken; mypkg.broken.fail()")
    assert "raise ValueError('raised in a frozen package')" in package.stderr, package.stderr


def test_traceback_linecache_inspect_and_warnings_read_the_frozen_sources(binary):
    code = ("import inspect, linecache, traceback, warnings, json.decoder, mypkg.broken\n"
            "try:\n    mypkg.broken.fail()\nexcept ValueError:\n    formatted = traceback.format_exc()\n"
            "print('raise ValueError' in formatted)\n"
            "print(inspect.getsource(json.decoder.JSONDecoder.decode).splitlines()[0].strip())\n"
            "print(linecache.getline(mypkg.broken.__file__, 1).strip())\n"
            "print(linecache.getline('<frozen json/decoder.py>', 1).strip()[:20])\n"
            "warnings.warn_explicit('w', UserWarning, '<frozen mypkg/broken.py>', 2)\n")
    result = run(binary, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True", "def decode(self, s, _w=WHITESPACE.match):",
                                          "def fail():", '"""Implementation of'], result.stdout
    assert "raise ValueError('raised in a frozen package')" in result.stderr  # the warning's source line


def test_pdb_lists_frozen_source(binary):
    result = subprocess.run([str(binary), "-c", "import pdb, mypkg.broken; pdb.run('mypkg.broken.fail()')"],
                            input="step\nstep\nlist\ncontinue\n", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, timeout=60)
    assert "raise ValueError('raised in a frozen package')" in result.stdout, result.stdout + result.stderr


def test_start_up_and_imports_still_make_no_file_calls(binary):
    for code in ("pass", "import json, markupsafe, mypkg"):
        result, calls = trace_file_calls([str(binary), "-c", code])
        assert result.returncode == 0, result.stderr
        assert [c.line for c in calls if counts_against_startup(c)] == [], code


def test_inspect_getsource_of_frozen_modules_makes_no_file_call(binary, tmp_path):
    """inspect.getsourcefile would stat a frozen module's __file__ or `<frozen ...>` name (one
    failed stat per call, on the shared filesystem on a cluster): the runtime answers first."""
    code = ("import inspect, json, json.decoder, mypkg.broken\n"
            "print(len(inspect.getsource(json)) > 0, inspect.getsource(json.decoder.JSONDecoder).startswith('class'),\n"
            "      inspect.getsource(mypkg.broken.fail).startswith('def fail'),\n"
            "      inspect.getsourcefile(json.decoder.JSONDecoder.decode))")
    result, calls = trace_file_calls([str(binary), "-c", code], cwd=tmp_path)
    assert result.stdout.split() == ["True", "True", "True", "<frozen", "json/decoder.py>"], result.stderr
    assert [c.line for c in calls if counts_against_startup(c)] == []


def test_frozen_sources_off_makes_a_smaller_binary_with_file_and_line_only(builds):
    with_sources, _ = builds("3.11")
    without, output = builds("3.11", sources=False)
    assert without.stat().st_size < with_sources.stat().st_size
    assert "frozen sources: none (FROZEN_SOURCES=0)" in output
    result = run(without, "-c", "import mypkg.broken; mypkg.broken.fail()")
    assert 'File "<frozen mypkg/broken.py>", line 2, in fail' in result.stderr
    assert "raise ValueError" not in result.stderr


def test_file_of_a_frozen_module_and_of_a_built_in_extension_and_what_opening_beside_it_says(binary):
    code = ("import os, sys, markupsafe, markupsafe._speedups as s, json\n"
            "print(json.__file__ == os.path.join(sys._stdlib_dir, 'json', '__init__.py'))\n"
            "print(os.path.dirname(s.__file__) == os.path.dirname(markupsafe.__file__), s.__spec__.origin)\n"
            "print(os.path.basename(s.__file__).startswith('_speedups.cpython-'))\n"
            "try:\n    open(os.path.join(os.path.dirname(markupsafe.__file__), 'data.txt'))\n"
            "except FileNotFoundError as error:\n    print(error)\n")
    result = run(binary, "-c", code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["True", "True built-in", "True"], lines
    assert "markupsafe is frozen into" in lines[3] and "importlib.resources.files('markupsafe')" in lines[3], lines


def test_unittest_discovers_and_runs_a_frozen_test_package(binary, tmp_path):
    discovered = run(binary, "-m", "unittest", "discover", "-s", "mypkg.tests", "-v", cwd=tmp_path)  # empty cwd
    assert discovered.returncode == 0, discovered.stderr
    assert "Ran 3 tests" in discovered.stderr and "OK" in discovered.stderr, discovered.stderr
    for test in ("test_value", "test_one", "test_two"):
        assert f"{test} (mypkg.tests." in discovered.stderr
    as_module = run(binary, "-m", "mypkg.tests", cwd=tmp_path)  # its __main__ runs unittest's discovery
    assert as_module.returncode == 0 and "Ran 3 tests" in as_module.stderr, as_module.stderr


def test_pkgutil_walks_a_frozen_package(binary):
    code = ("import pkgutil, mypkg, mypkg.tests\n"
            "print(' '.join(sorted(m.name for m in pkgutil.walk_packages(mypkg.__path__, 'mypkg.'))))\n"
            "print(' '.join(sorted(name for _, name, ispkg in pkgutil.iter_modules(mypkg.tests.__path__) if ispkg)))\n")
    result = run(binary, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "mypkg.broken mypkg.tests mypkg.tests.__main__ mypkg.tests.helpers mypkg.tests.sub mypkg.tests.sub.test_deeper "
        "mypkg.tests.test_value", "sub"]


def test_summary_and_inspect_print_the_same_module_lines(builds):
    binary, output = builds("3.11")
    inspected = subprocess.run([sys.executable, "-m", "slither", "inspect", str(binary)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert inspected.returncode == 0, inspected.stderr
    summary = [line.strip() for line in output.splitlines()]
    for start in ("built-in C modules:", "third-party modules:", "frozen sources:"):
        in_summary = [line for line in summary if line.startswith(start)]
        assert in_summary and in_summary == [line for line in inspected.stdout.splitlines() if line.startswith(start)]
    assert "third-party modules: markupsafe 3.0.2 (recipe)" in summary
    assert any(line.startswith("built-in C modules:") and line.endswith(", 1 from packages)") for line in summary)


@pytest.fixture(scope="module")
def unfrozen_build(built_binary, package_root):
    built = built_binary({"MODULES": "markupsafe", "FREEZE_PATHS": package_root, "UNFROZEN": "markupsafe,mypkg"})
    return built.build_dir, built.output


def test_unfrozen_packages_are_files_beside_the_binary_with_their_extensions_built_in(unfrozen_build, tmp_path):
    build_dir, output = unfrozen_build
    binary, tree = build_dir / "bin" / "python-static", build_dir / "lib" / "python3.11"
    code = ("import os, markupsafe, markupsafe._speedups as s, mypkg\n"
            "print(markupsafe.__file__ == os.path.join(os.path.dirname(s.__file__), '__init__.py'), s.__spec__.origin)\n"
            "print(open(os.path.join(os.path.dirname(markupsafe.__file__), 'py.typed')).read() == '')\n"
            "print(markupsafe.escape('<b>'), mypkg.VALUE, type(mypkg.__spec__.loader).__name__)\n")
    result = run(binary, "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True built-in", "True", "&lt;b&gt; 42 SourceFileLoader"]
    assert (tree / "markupsafe" / "__init__.py").is_file() and (tree / "mypkg" / "tests" / "test_value.py").is_file()
    files = (tree / ".slither-unfrozen").read_text().split()
    assert f"unfrozen (UNFROZEN): markupsafe, mypkg: {len(files)} files in {tree}" in output


def test_unfrozen_packages_cost_their_lookups_and_nothing_else_does(unfrozen_build, tmp_path):
    build_dir, _ = unfrozen_build
    binary, tree = build_dir / "bin" / "python-static", build_dir / "lib" / "python3.11"
    _, calls = trace_file_calls([str(binary), "-c", "import json"], cwd=tmp_path)
    assert [c.line for c in calls if counts_against_startup(c)] == []
    result, calls = trace_file_calls([str(binary), "-c", "import markupsafe"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    counted = [c for c in calls if counts_against_startup(c)]
    assert counted, "an unfrozen package is found by lookups"
    assert all(str(c.path).startswith((str(tree), str(tmp_path))) for c in counted), [c.line for c in counted]
    assert not any("__pycache__" in str(c.path) and "O_CREAT" in c.line for c in counted)  # compiled at build time


def test_scons_install_copies_the_unfrozen_tree_beside_the_binary(unfrozen_build, package_root, tmp_path):
    build_dir, _ = unfrozen_build
    prefix = tmp_path / "prefix"
    result = run_scons([f"BUILD_DIR={build_dir}", "MODULES=markupsafe", f"FREEZE_PATHS={package_root}",
                        "UNFROZEN=markupsafe,mypkg", f"PREFIX={prefix}", "install"])
    assert_built(result, tail=2000)
    imported = run(prefix / "bin" / "python-static", "-c", "import markupsafe; print(markupsafe.__file__)", cwd=tmp_path)
    assert imported.stdout.strip() == str(prefix / "lib" / "python3.11" / "markupsafe" / "__init__.py"), imported.stderr


def test_an_unfrozen_name_no_package_has_is_one_line(unfrozen_build, package_root):
    build_dir, _ = unfrozen_build
    result = run_scons([f"BUILD_DIR={build_dir}", "MODULES=markupsafe", f"FREEZE_PATHS={package_root}",
                        "UNFROZEN=markupsafe,nosuchpkg"])
    assert result.returncode != 0
    errors = [line for line in result.stdout.splitlines() + result.stderr.splitlines() if "slither: error" in line]
    assert len(errors) == 1 and "UNFROZEN=nosuchpkg: no such top-level package" in errors[0], errors
    assert "Traceback" not in result.stdout + result.stderr
