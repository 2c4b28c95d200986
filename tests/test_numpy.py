"""numpy 2.x (meson-python, with static OpenBLAS) built from its sdist through the capture layer:
its extension modules are built in under their dotted names, BLAS and LAPACK are OpenBLAS linked
statically, and `import numpy` touches no file.

Slow: about ten minutes cold on two cores (see README, "numpy"); a cache hit after that.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import run_scons
from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = [pytest.mark.slow, pytest.mark.numpy]

IMPORTS = "import numpy, numpy.linalg, numpy.fft, numpy.random"


@pytest.fixture(scope="module")
def binary(built_binary):
    return built_binary({"MODULES": "numpy"}).binary


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


def test_the_numpy_other_builds_import_loads_its_linalg(binary, tmp_path):
    """The numpy tree handed to later builds (h5py's and meson's numpy lookups import it with the
    build's host interpreter) has shared extensions linked against the static libopenblas.a: its
    pkg-config file must name the Fortran runtime LAPACK needs (patches/openblas/0004), or
    numpy.linalg fails there with an undefined _gfortran_* symbol."""
    build_dir = binary.parent.parent
    host_site, = build_dir.glob("packages/*/numpy-*/host-site.tar")
    host_python, = build_dir.glob("cpython-*/host/bin/python3.*[0-9]")
    subprocess.run(["tar", "-xf", str(host_site), "-C", str(tmp_path)], check=True)
    result = subprocess.run([str(host_python), "-c", "import numpy.linalg; print(numpy.linalg.det([[2., 1.], [1., 3.]]))"],
                            cwd=tmp_path, env={"PYTHONPATH": str(tmp_path), "OPENBLAS_NUM_THREADS": "1"},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert round(float(result.stdout), 6) == 5.0


def test_the_binary_runs_and_imports_numpy_in_a_hostile_environment(binary, tmp_path):
    """HOME unset, LANG=C, a working directory it cannot read, a read-only /tmp, not root: the
    binary still starts and computes (a compute node's batch environment can be any of these)."""
    if os.getuid() != 0 or shutil.which("setpriv") is None or shutil.which("unshare") is None:
        pytest.skip("needs root, setpriv and unshare to set the stage")
    public = Path(tempfile.mkdtemp(dir="/var/tmp"))
    try:
        public.chmod(0o755)
        shutil.copy(binary, public / "python-static")
        locked = public / "locked"
        locked.mkdir(mode=0o000)
        code = ("import os, numpy\n"
                "print(float(numpy.arange(4.0).sum()), os.access('/tmp', os.W_OK), 'HOME' in os.environ)")
        environment = {"PATH": "/usr/bin:/bin", "LANG": "C", "OPENBLAS_NUM_THREADS": "1"}
        command = (f"mount -t tmpfs -o ro,size=1m tmpfs /tmp && exec setpriv --reuid=65534 --regid=65534 "
                   f"--clear-groups {public / 'python-static'} -c \"$CODE\"")
        result = subprocess.run(["unshare", "--mount", "sh", "-c", command], cwd=locked,
                                env={**environment, "CODE": code}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, timeout=120)
        assert result.stdout.split() == ["6.0", "False", "False"], result.stderr[-2000:]
    finally:
        (public / "locked").chmod(0o755)
        shutil.rmtree(public, ignore_errors=True)


def test_the_cached_manifest_names_no_path_of_its_build_dir(binary):
    """numpy's manifest is cached and linked by builds in other BUILD_DIRs: OpenBLAS's archive is
    written {prefix:openblas}/..., which each link puts back as its own unpacked prefix."""
    build_dir = binary.parent.parent
    manifest_file, = build_dir.glob("packages/*/numpy-*/extensions.json")
    text = manifest_file.read_text()
    assert str(build_dir) not in text and str(build_dir.resolve()) not in text
    assert "{prefix:openblas}/lib/libopenblas" in text


THREADS = "import os; print(len(os.listdir('/proc/self/task')), end=' ')\n"


def test_openblas_threads_start_at_the_first_threaded_call_and_share_the_node(binary):
    """patches/openblas/0002: no BLAS thread before a call that runs on several threads (not at
    start, not at import numpy); 0003: the default is the cores divided by the launcher's ranks
    on the node; OPENBLAS_NUM_THREADS still decides when set."""
    code = (THREADS + IMPORTS + "\n" + THREADS
            + "a = numpy.ones((600, 600)); a @ a\n" + THREADS)
    base = {key: value for key, value in os.environ.items()
            if not key.startswith(("OPENBLAS_", "GOTO_", "OMP_", "SLURM_", "OMPI_", "PALS_", "MPI_LOCAL"))}
    cores = len(os.sched_getaffinity(0))
    for environment, after_matmul in (({}, cores), ({"MPI_LOCALNRANKS": "4"}, max(1, cores // 4)),
                                      ({"MPI_LOCALNRANKS": "4", "OPENBLAS_NUM_THREADS": "3"}, min(3, cores)),
                                      ({"OPENBLAS_NUM_THREADS": "1"}, 1)):
        result = subprocess.run([str(binary), "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, timeout=120, env={**base, **environment})
        assert result.returncode == 0, result.stderr
        assert [int(n) for n in result.stdout.split()] == [1, 1, after_matmul], (environment, result.stdout)


def test_no_blas_variant_is_refused_beside_numpy():
    result = run_scons(["-n", "MODULES=numpy,numpy-noblas"])
    assert result.returncode == 2 and "variants of the same package numpy" in result.stderr
