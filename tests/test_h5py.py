"""h5py over HDF5 built from source (static): serial with MODULES=numpy,h5py, parallel (MPI-IO
through Slither's MPICH) with mpi4py in MODULES; every h5py extension a dotted built-in and
`import h5py` touching no file.

Slow, in the default run: the serial build, HDF5 about 2 min and h5py about 1.5 min cold on two
busy cores (numpy and CPython from the default run's other builds). `extended`: the parallel
build (MPICH, mpi4py, parallel HDF5, h5py) and the incremental check.
"""

import subprocess

import pytest

from conftest import assert_built, ci_blas_cpu, run_scons, step_outcomes
from slither.inspect.audit import counts_against_startup, trace_file_calls
from slither.recipes.module_recipes import load_module_recipe

pytestmark = [pytest.mark.slow]
EXTENDED = pytest.mark.extended

H5PY_EXTENSIONS = load_module_recipe("h5py").extension_modules

SERIAL_APP = """\
import sys, numpy, h5py
path = sys.argv[1]
with h5py.File(path, "w") as f:
    f.create_dataset("grid", data=numpy.arange(24.0).reshape(4, 6), compression="gzip")
    f["grid"].attrs["units"] = "m"
with h5py.File(path, "r") as f:
    grid = f["grid"][...]
    print(grid.shape, float(grid.sum()), f["grid"].attrs["units"], f["grid"].compression,
          h5py.get_config().mpi, h5py.version.hdf5_version)
"""

# 4 ranks write one dataset collectively, every rank reads the whole file back.
PARALLEL_APP = """\
import sys, numpy, h5py
from mpi4py import MPI
comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
path = sys.argv[1]
with h5py.File(path, "w", driver="mpio", comm=comm) as f:
    dset = f.create_dataset("ranks", (size, 5), dtype="i8")
    with dset.collective:
        dset[rank] = numpy.arange(5) + 100 * rank
comm.Barrier()
with h5py.File(path, "r", driver="mpio", comm=comm) as f:
    whole = f["ranks"][...]
expected = numpy.arange(5)[None, :] + 100 * numpy.arange(size)[:, None]
ok = bool((whole == expected).all())
lines = comm.gather(f"rank={rank} size={size} ok={ok} mpi={h5py.get_config().mpi}", root=0)
if rank == 0:
    print("\\n".join(lines))
"""


def run(command, **options):
    return subprocess.run([str(part) for part in command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=600, **options)


@pytest.fixture(scope="module")
def serial(built_binary):
    built = built_binary({"MODULES": "numpy,h5py", "JOBS": 2}, timeout=5400)
    return {"dir": built.build_dir, "binary": built.binary, "output": built.output}


def test_serial_h5py_writes_and_reads_a_compressed_dataset(serial, tmp_path):
    (tmp_path / "app.py").write_text(SERIAL_APP)
    result = run([serial["binary"], "app.py", tmp_path / "out.h5"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["(4,", "6)", "276.0", "m", "gzip", "False", "1.14.5"], result.stdout


def test_every_h5py_extension_is_a_dotted_builtin(serial):
    code = ("import sys, h5py\n"
            f"print(sorted(set({list(H5PY_EXTENSIONS)!r}) - set(sys.builtin_module_names)))\n"
            "print(sum('.so' in line for line in open('/proc/self/maps')))")
    result = run([serial["binary"], "-c", code])
    assert result.stdout.split("\n")[:2] == ["[]", "0"], result.stdout + result.stderr
    assert len(H5PY_EXTENSIONS) >= 20


def test_import_h5py_touches_no_file_and_maps_no_shared_object(serial, tmp_path):
    result, calls = trace_file_calls(
        [str(serial["binary"]), "-c", "import h5py\nprint(sum('.so' in line for line in open('/proc/self/maps')))"],
        cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "0", result.stderr
    assert [call.line for call in calls if counts_against_startup(call)] == []
    assert "statically linked" in run(["file", serial["binary"]]).stdout


@pytest.fixture(scope="module")
def parallel(built_binary):
    built = built_binary({"MODULES": "numpy,mpi4py,h5py", "JOBS": 2}, timeout=7200)
    return {"dir": built.build_dir, "binary": built.binary, "mpiexec": built.build_dir / "bin" / "mpiexec"}


@pytest.mark.extended
@EXTENDED
def test_four_ranks_write_one_dataset_collectively_and_each_reads_it_whole(parallel, tmp_path):
    (tmp_path / "app.py").write_text(PARALLEL_APP)
    result = run([parallel["mpiexec"], "-n", "4", parallel["binary"], "app.py", tmp_path / "ranks.h5"],
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(result.stdout.split("\n")[:4]) == [f"rank={rank} size=4 ok=True mpi=True" for rank in range(4)], \
        result.stdout + result.stderr


@pytest.mark.extended
@EXTENDED
def test_parallel_import_h5py_touches_no_file(parallel, tmp_path):
    result, calls = trace_file_calls([str(parallel["binary"]), "-c", "import h5py; from mpi4py import MPI"],
                                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [call.line for call in calls if counts_against_startup(call)] == []


@pytest.mark.extended
@EXTENDED
def test_adding_h5py_to_a_built_mpi_set_builds_only_hdf5_and_h5py(tmp_path):
    """numpy, MPICH, mpi4py up to date; HDF5 and h5py built (or from a warm
    cache), then freeze and link again."""
    build_dir = f"BUILD_DIR={tmp_path / 'build'}"
    first = run_scons([build_dir, "MODULES=numpy,mpi4py", "JOBS=2", f"BLAS_CPU={ci_blas_cpu()}"], timeout=7200)
    assert_built(first, tail=2000)
    added = run_scons([build_dir, "MODULES=numpy,mpi4py,h5py", "JOBS=2", f"BLAS_CPU={ci_blas_cpu()}"], timeout=7200)
    assert_built(added, tail=2000)
    outcomes = step_outcomes(added.stdout)
    for step in ("cpython", "numpy", "mpich", "mpi4py"):
        assert outcomes[step] == "up to date", outcomes
    for step in ("hdf5", "h5py", "freeze", "link"):
        assert outcomes[step] in ("built", "cache"), outcomes
    assert not any(line.startswith(("cpython build", "package build numpy", "package build mpi4py",
                                    "library build mpich")) for line in added.stdout.splitlines())
