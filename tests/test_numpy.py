"""numpy 2.x (meson-python, with static OpenBLAS) built from its sdist through the capture layer:
its extension modules are built in under their dotted names, BLAS and LAPACK are OpenBLAS linked
statically, and `import numpy` touches no file.

Slow: about ten minutes cold on two cores (see README, "numpy"); a cache hit after that.
"""

import os
import subprocess

import pytest

from conftest import run_scons
from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = [pytest.mark.slow, pytest.mark.numpy]

IMPORTS = "import numpy, numpy.linalg, numpy.fft, numpy.random"


@pytest.fixture(scope="module")
def binary(tmp_path_factory):
    build_dir = tmp_path_factory.mktemp("numpy-build")
    built = run_scons([f"BUILD_DIR={build_dir}", "MODULES=numpy"])
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return build_dir / "bin" / "python-static"


def run(binary, code, **environment):
    return subprocess.run([str(binary), "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=120, env={"OPENBLAS_NUM_THREADS": "2", **environment})


def test_numpy_computes_with_linalg_fft_and_random(binary):
    result = run(binary, IMPORTS + "\n"
                 "a = numpy.array([[2.0, 1.0], [1.0, 3.0]])\n"
                 "print(numpy.__version__, round(float(numpy.linalg.det(a)), 6),\n"
                 "      round(float(abs(numpy.fft.fft(numpy.ones(4)))[0]), 6),\n"
                 "      numpy.random.default_rng(0).integers(0, 10, 3).tolist())")
    assert result.returncode == 0, result.stderr
    version, determinant, fft0, _ = result.stdout.split(" ", 3)
    assert (version, determinant, fft0) == ("2.2.6", "5.0", "4.0")


def test_blas_and_lapack_are_openblas_linked_in(binary):
    result = run(binary, "import numpy, json\n"
                         "config = numpy.show_config(mode='dicts')['Build Dependencies']\n"
                         "print(json.dumps([config['blas']['name'], config['lapack']['name']]))\n"
                         "from numpy._core._multiarray_umath import __cpu_features__\n"
                         "import numpy._core._multiarray_umath as m; print(m.__spec__.origin)")
    assert result.returncode == 0, result.stderr
    names, origin = result.stdout.splitlines()
    assert names == '["openblas", "openblas"]' and origin == "built-in"


def test_single_phase_extensions_are_named_by_their_dotted_names(binary):
    """numpy's extension modules use single-phase init with a short PyModuleDef name
    ("_multiarray_umath"); as under a normal install, the module and its functions carry the full
    dotted name, so that pickle finds a C function again by its __module__."""
    result = run(binary, "import pickle, numpy._core._multiarray_umath as m, numpy._core._multiarray_tests as t\n"
                         "print(m.__name__, t.__name__, m.dragon4_positional.__module__)\n"
                         "print(pickle.loads(pickle.dumps(m.dragon4_positional)) is m.dragon4_positional)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["numpy._core._multiarray_umath", "numpy._core._multiarray_tests",
                                     "numpy._core._multiarray_umath", "True"]


def test_linear_algebra_results_are_right(binary):
    """Known answers, computed by OpenBLAS's LAPACK (dgesv, dsyevd, dgeev, dgesdd, dpotrf) and
    BLAS (dgemm through matmul) inside the static binary."""
    result = run(binary, "import numpy as np\n"
                 "a = np.array([[4.0, 1.0, 2.0], [1.0, 3.0, 0.0], [2.0, 0.0, 5.0]])\n"
                 "x = np.linalg.solve(a, np.array([7.0, 4.0, 7.0]))\n"
                 "assert np.allclose(x, [1.0, 1.0, 1.0]), x\n"
                 "w = np.linalg.eigvalsh(np.array([[2.0, 1.0], [1.0, 2.0]]))\n"
                 "assert np.allclose(w, [1.0, 3.0]), w\n"
                 "w = np.sort(np.linalg.eigvals(np.array([[0.0, 1.0], [-2.0, -3.0]])).real)\n"
                 "assert np.allclose(w, [-2.0, -1.0]), w\n"
                 "s = np.linalg.svd(np.array([[3.0, 0.0], [4.0, 5.0]]), compute_uv=False)\n"
                 "assert np.allclose(s, [np.sqrt(45.0), np.sqrt(5.0)]), s\n"
                 "l = np.linalg.cholesky(np.array([[4.0, 2.0], [2.0, 5.0]]))\n"
                 "assert np.allclose(l, [[2.0, 0.0], [1.0, 2.0]]), l\n"
                 "b = np.arange(300 * 300, dtype=float).reshape(300, 300) % 7\n"
                 "assert np.allclose(b @ np.eye(300), b) and np.allclose(np.linalg.inv(a) @ a, np.eye(3))\n"
                 "print('ok')")
    assert result.stdout.strip() == "ok", result.stderr


def test_numpy_testing_imports_its_helpers_from_a_namespace_package(binary):
    """numpy.testing imports numpy._core.tests._natype, and numpy/_core/tests/ has no
    __init__.py: found by CPython's regrtest (test_pickle's numpy buffers) on this binary."""
    result = run(binary, "import numpy, numpy.testing\n"
                         "numpy.testing.assert_allclose(numpy.ones(3), numpy.ones(3) + 1e-12)\n"
                         "print(numpy._core.tests.__spec__.origin)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "frozen"


def test_binary_is_static_and_no_shared_object_is_mapped(binary):
    described = subprocess.run(["file", str(binary)], stdout=subprocess.PIPE, text=True).stdout
    assert "statically linked" in described, described
    result = run(binary, IMPORTS + "\nprint(sum('.so' in line for line in open('/proc/self/maps')))")
    assert result.stdout.strip() == "0", result.stderr


def test_import_numpy_touches_no_file_and_maps_no_shared_object(binary, tmp_path):
    """OpenBLAS reads /sys/devices/system/cpu/possible for its thread count, numpy.random's hashlib
    reads OpenSSL's configuration: both node-local, and nothing else is opened."""
    code = IMPORTS + "\nprint(sum('.so' in line for line in open('/proc/self/maps')))"
    result, calls = trace_file_calls([str(binary), "-c", code], cwd=tmp_path)
    assert result.stdout.strip() == "0", result.stderr
    assert [c.line for c in calls if counts_against_startup(c)] == []
    opened_outside_proc = sorted({c.path for c in calls if c.path and not c.path.startswith("/proc/")})
    assert set(opened_outside_proc) <= {"/sys/devices/system/cpu/possible", "/etc/localtime",
                                       "/etc/ssl/openssl.cnf"}, opened_outside_proc


def test_openblas_threads_start_with_the_program_and_follow_OPENBLAS_NUM_THREADS(binary):
    """OpenBLAS's initialiser is a constructor of the static binary: its worker threads exist
    before any import (the code below never imports numpy), one per core up to the variable."""
    code = "import os; print(len(os.listdir('/proc/self/task')))"
    single = run(binary, code, OPENBLAS_NUM_THREADS="1")
    several = run(binary, code, OPENBLAS_NUM_THREADS="3")
    assert single.returncode == 0 and several.returncode == 0, single.stderr + several.stderr
    assert int(single.stdout) == 1, single.stdout
    assert int(several.stdout) == min(3, os.cpu_count()), several.stdout


def test_no_blas_variant_is_refused_beside_numpy():
    result = run_scons(["-n", "MODULES=numpy,numpy-noblas"])
    assert result.returncode == 2 and "variants of the same package numpy" in result.stderr
