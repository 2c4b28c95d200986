"""Real packages that read their data by path, built without a recipe (extended: each builds for
minutes; the mechanism's fast fixture is tests/test_data_by_path_binary.py):

* Cython opens its `Utility/` sources beside `__file__`: it compiles a `.pyx` to C inside the
  binary;
* scikit-learn reads `utils/_repr_html/estimator.css` at import: it imports and fits a model
  with its OpenMP threads;
* certifi's `where()` names a file that exists (importlib.resources' `as_file`, not by path).
"""

import os
import subprocess

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.extended]


def _build(built_binary, modules):
    built = built_binary({"MODULES": modules, "JOBS": 2}, timeout=7200)
    return built.binary, built.output


def _run(binary, code, data_dir, cwd, **environment):
    return subprocess.run([str(binary), "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "SLITHER_DATA_DIR": str(data_dir), **environment})


@pytest.fixture(scope="module")
def cython_binary(built_binary):
    return _build(built_binary, "cython==3.1.2,certifi==2025.8.3")


def test_cython_is_found_reading_by_path_and_compiles_a_pyx_inside_the_binary(cython_binary, tmp_path):
    binary, output = cython_binary
    assert "data read by path: Cython" in output, output[-3000:]
    (tmp_path / "fib.pyx").write_text("def fib(int n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n")
    result = _run(binary, "from Cython.Compiler.Main import compile; r = compile('fib.pyx'); print(r.num_errors)",
                  tmp_path / "node", tmp_path)
    assert result.stdout.strip() == "0", result.stderr[-3000:]
    assert "__pyx_pw_3fib_1fib" in (tmp_path / "fib.c").read_text()


def test_certifi_where_names_a_file_that_exists(cython_binary, tmp_path):
    binary, _ = cython_binary
    result = _run(binary, "import certifi, os; path = certifi.where(); print(os.path.isfile(path), "
                          "open(path).read().count('BEGIN CERTIFICATE') > 100)", tmp_path / "node", tmp_path)
    assert result.stdout.split() == ["True", "True"], result.stderr[-3000:]


@pytest.fixture(scope="module")
def sklearn_binary(built_binary):
    return _build(built_binary, "numpy,scipy,scikit-learn==1.7.2")


def test_sklearn_imports_and_fits_a_model_with_openmp_threads(sklearn_binary, tmp_path):
    binary, output = sklearn_binary
    assert "data read by path: sklearn" in output, output[-3000:]
    code = ("import sklearn, numpy\n"
            "from sklearn.ensemble import RandomForestClassifier\n"
            "from sklearn.utils._openmp_helpers import _openmp_effective_n_threads\n"
            "rng = numpy.random.default_rng(0); X = rng.normal(size=(400, 4)); y = (X[:, 0] > 0).astype(int)\n"
            "model = RandomForestClassifier(n_estimators=20, n_jobs=2, random_state=0).fit(X, y)\n"
            "print(_openmp_effective_n_threads(), model.score(X, y) > 0.95,\n"
            "      'estimator' in model._repr_html_())")
    result = _run(binary, code, tmp_path / "node", tmp_path, OMP_NUM_THREADS="2")
    assert result.stdout.split() == ["2", "True", "True"], result.stderr[-3000:]
