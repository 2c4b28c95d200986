"""The HPC stack in one binary: scipy built from its sdist through the capture layer
(C, C++, Fortran, Cython, pythran, pybind11), BLAS/LAPACK from the one static OpenBLAS, every
scipy extension a dotted built-in; then h5py added to the built numpy, scipy, mpi4py set, and an
app that imports scipy and writes one HDF5 file from 4 ranks under Slither's mpiexec.

`extended`: scipy's cold build is about 21 minutes on 2 cores (1490 meson steps), too long for
the default run's budget; the default run checks the same mechanisms on tests/fixtures/blasdot
(tests/test_blas_fixture.py) and tests/test_backend_fixtures.py (a package-private shared
library, a directory of only extension modules).
"""

import re
import subprocess

import pytest

from conftest import assert_built, ci_blas_cpu, run_scons, step_outcomes
from slither.inspect.audit import counts_against_startup, trace_file_calls
from slither.inspect.manifest import load_manifest

pytestmark = [pytest.mark.slow, pytest.mark.extended]

# The subpackages an HPC user imports, each asked something only its compiled code answers.
SUBPACKAGE_ANSWERS = """\
import numpy as np
import scipy, scipy.linalg, scipy.sparse, scipy.sparse.linalg, scipy.special, scipy.integrate
import scipy.optimize, scipy.fft, scipy.interpolate, scipy.stats, scipy.signal, scipy.spatial
from scipy.sparse.linalg import svds
answers = {
    "linalg.det": round(float(scipy.linalg.det(np.diag([2.0, 2.0, 2.0]))), 6),
    "linalg.solve": [round(float(x), 6) for x in scipy.linalg.solve([[3.0, 1.0], [1.0, 2.0]], [9.0, 8.0])],
    "sparse.linalg.spsolve": [round(float(x), 6) for x in scipy.sparse.linalg.spsolve(
        scipy.sparse.csc_matrix([[4.0, 0.0], [0.0, 2.0]]), np.array([8.0, 2.0]))],
    "sparse.linalg.svds (PROPACK)": round(float(svds(scipy.sparse.diags([1.0, 2.0, 3.0]).tocsc(), k=1,
                                                     solver="propack")[1][0]), 6),
    "special.gamma": round(float(scipy.special.gamma(5.0)), 6),
    "integrate.quad": round(scipy.integrate.quad(lambda x: x * x, 0.0, 3.0)[0], 6),
    "optimize.minimize_scalar": round(float(scipy.optimize.minimize_scalar(lambda x: (x - 2.0) ** 2).x), 4),
    "fft.fft": [round(float(x), 6) for x in scipy.fft.fft([1.0, 1.0, 1.0, 1.0]).real],
    "interpolate.splev": round(float(scipy.interpolate.splev(
        1.5, scipy.interpolate.splrep([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 4.0, 9.0]))), 4),
    "stats.norm.cdf": float(scipy.stats.norm.cdf(0.0)),
    "signal.convolve": [float(x) for x in scipy.signal.convolve([1.0, 2.0], [1.0, 1.0])],
    "spatial.cKDTree": int(scipy.spatial.cKDTree([[0.0, 0.0], [5.0, 5.0]]).query([4.0, 4.0])[1]),
}
for key, value in answers.items():
    print(f"{key} = {value}")
"""
EXPECTED_ANSWERS = {
    "linalg.det": "8.0", "linalg.solve": "[2.0, 3.0]", "sparse.linalg.spsolve": "[2.0, 1.0]",
    "sparse.linalg.svds (PROPACK)": "3.0", "special.gamma": "24.0", "integrate.quad": "9.0",
    "optimize.minimize_scalar": "2.0", "fft.fft": "[4.0, 0.0, 0.0, 0.0]", "interpolate.splev": "2.25",
    "stats.norm.cdf": "0.5", "signal.convolve": "[1.0, 3.0, 2.0]", "spatial.cKDTree": "1",
}

IMPORT_SCIPY = ("import scipy, scipy.linalg, scipy.sparse, scipy.sparse.linalg, scipy.special, scipy.integrate, "
                "scipy.optimize, scipy.fft, scipy.interpolate, scipy.stats, scipy.signal, scipy.spatial")

# scipy.special's extensions share one error state (libsf_error_state.so in a stock install):
# errstate set from Python must reach the Cython, C and C++ ufuncs, each in its own extension
# (scipy's own test_sf_error.py: test_errstate_pyx_basic, _c_basic, _cpp_basic).
SHARED_ERROR_STATE = """\
import scipy.special as special
for kind, call in (("singular", lambda: special.loggamma(0)), ("domain", lambda: special.spence(-1)),
                   ("underflow", lambda: special.wrightomega(-1000))):
    with special.errstate(**{kind: "raise"}):
        try:
            call()
        except special.SpecialFunctionError:
            print(kind, "raised")
        else:
            print(kind, "not raised")
"""


# What a user does: an app that imports scipy and writes one HDF5 file from all ranks.
STACK_APP = """\
import sys, numpy, scipy.linalg, h5py
from mpi4py import MPI
comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
block = scipy.linalg.inv(numpy.eye(3) * (rank + 1))
with h5py.File(sys.argv[1], "w", driver="mpio", comm=comm) as f:
    dset = f.create_dataset("inverse_diagonals", (size, 3))
    with dset.collective:
        dset[rank] = numpy.diag(block)
comm.Barrier()
with h5py.File(sys.argv[1], "r", driver="mpio", comm=comm) as f:
    whole = f["inverse_diagonals"][...]
ok = bool(numpy.allclose(whole, 1.0 / numpy.arange(1, size + 1)[:, None] * numpy.ones(3)))
lines = comm.gather(f"rank={rank} ok={ok}", root=0)
if rank == 0:
    print("\\n".join(lines))
"""


def run(command, **options):
    return subprocess.run([str(part) for part in command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=900, **options)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """numpy, scipy and mpi4py built; then h5py added (parallel HDF5) to the same BUILD_DIR."""
    build_dir = tmp_path_factory.mktemp("hpc-stack")
    first = run_scons([f"BUILD_DIR={build_dir}", "MODULES=numpy,scipy,mpi4py", "JOBS=2", f"BLAS_CPU={ci_blas_cpu()}"], timeout=10800)
    assert_built(first)
    binary = build_dir / "bin" / "python-static"
    without_h5py = {"binary": binary.read_bytes(), "output": first.stdout}
    added = run_scons([f"BUILD_DIR={build_dir}", "MODULES=numpy,scipy,mpi4py,h5py", "JOBS=2", f"BLAS_CPU={ci_blas_cpu()}"], timeout=7200)
    assert_built(added)
    return {"dir": build_dir, "binary": binary, "mpiexec": build_dir / "bin" / "mpiexec",
            "first": without_h5py, "added": added.stdout}


def test_every_scipy_extension_is_a_dotted_builtin_and_no_shared_object_is_mapped(stack):
    scipy = load_manifest(stack["binary"])["build"]["modules"]["scipy"]
    code = ("import sys, scipy\n"
            "names = [n for n in sys.builtin_module_names if n.startswith('scipy.')]\n"
            "print(len(names))\n"
            + IMPORT_SCIPY + "\n"
            "print(sum('.so' in line for line in open('/proc/self/maps')))")
    result = run([stack["binary"], "-c", code])
    assert result.returncode == 0, result.stderr[-3000:]
    builtins, mapped = result.stdout.split()
    assert int(builtins) >= 100 and mapped == "0", (result.stdout, scipy)


def test_every_named_subpackage_answers_from_its_compiled_code(stack, tmp_path):
    result = run([stack["binary"], "-c", SUBPACKAGE_ANSWERS], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    answers = dict(line.split(" = ", 1) for line in result.stdout.splitlines())
    assert answers == EXPECTED_ANSWERS


def test_the_special_functions_share_one_error_state_across_extensions(stack, tmp_path):
    result = run([stack["binary"], "-c", SHARED_ERROR_STATE], cwd=tmp_path)
    assert result.stdout.splitlines() == ["singular raised", "domain raised", "underflow raised"], \
        result.stdout + result.stderr


def test_propack_has_its_namespace_package(stack):
    code = ("import scipy.sparse.linalg._propack as p, scipy.sparse.linalg._propack._dpropack as d\n"
            "print(getattr(p, '__file__', None) is None or p.__file__.endswith('__init__.py'), d.__spec__.origin)")
    result = run([stack["binary"], "-c", code])
    assert result.stdout.split() == ["True", "built-in"], result.stdout + result.stderr


def test_import_scipy_and_the_whole_stack_touch_no_file(stack, tmp_path):
    """Nothing of the binary's own is looked for on disk. scipy's import also tries six optional
    packages a user may have put on sys.path (uarray, scikits.umfpack, sksparse, cython, numpy's
    charset_normalizer, backports_abc), as stock does: with sys.path[0] the working directory
    (`-c`) that costs one listing of it (ListedOnceFileFinder) and a getcwd per lookup, which the
    kernel answers; without it on sys.path (-P, safe path) nothing at all."""
    for code in (IMPORT_SCIPY, "import numpy, scipy, h5py; from mpi4py import MPI"):
        result, calls = trace_file_calls([str(stack["binary"]), "-P", "-c", code], cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        assert [call.line for call in calls if counts_against_startup(call)] == [], code
        result, calls = trace_file_calls([str(stack["binary"]), "-c", code], cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        counted = [call for call in calls if counts_against_startup(call)]
        assert {call.path for call in counted} == {str(tmp_path)}, [call.line for call in counted]
        assert len([call for call in counted if call.syscall != "getcwd"]) <= 4, [call.line for call in counted]


def test_blas_is_linked_once_and_without_muldefs(stack):
    """One OpenBLAS for numpy and every scipy extension: the final link reads libopenblas.a once
    and defines dgemm_ once; nothing asks for -z muldefs (the 2013 tool's way past scipy's
    duplicate symbols)."""
    symbols = run(["nm", "-P", "--defined-only", stack["binary"]]).stdout
    assert len(re.findall(r"^dgemm_ T ", symbols, re.MULTILINE)) == 1
    link_inputs = (stack["dir"] / "work" / "python-static" / "modules.rsp").read_text().split()
    # numpy's and scipy's extensions each name the archive (Debian's libopenblasp-r0.3.21.a):
    # one archive, which the linker reads for what is still undefined, so its code enters once.
    assert len({word for word in link_inputs if "libopenblas" in word and word.endswith(".a")}) == 1, link_inputs
    cpython_inputs = "".join(path.read_text() for path in stack["dir"].glob("cpython-*/link.rsp"))
    assert "muldefs" not in " ".join(link_inputs) + cpython_inputs


def test_adding_h5py_rebuilt_only_hdf5_and_h5py_then_froze_and_linked_again(stack):
    outcomes = step_outcomes(stack["added"])
    for step in ("cpython", "numpy", "scipy", "mpich", "mpi4py"):
        assert outcomes[step] == "up to date", outcomes
    for step in ("hdf5", "h5py", "freeze", "link"):
        assert outcomes[step] in ("built", "cache"), outcomes


def test_four_ranks_run_an_app_that_imports_scipy_and_writes_one_hdf5_file(stack, tmp_path):
    (tmp_path / "app.py").write_text(STACK_APP)
    result = run([stack["mpiexec"], "-n", "4", stack["binary"], "app.py", tmp_path / "stack.h5"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(result.stdout.split("\n")[:4]) == [f"rank={rank} ok=True" for rank in range(4)], \
        result.stdout + result.stderr
