"""netCDF4-python over netCDF-C over HDF5, all built from source (extended: netCDF-C and netCDF4
add several minutes to the HDF5 builds): serial with MODULES=numpy,netcdf4, parallel with mpi4py
in MODULES (netCDF-C over parallel HDF5, through Slither's MPICH); cftime brought in as the
recipe states; `import netCDF4` a dotted built-in that touches no file.
"""

import os
import subprocess

import pytest

from slither.inspect.audit import counts_against_startup, trace_file_calls

pytestmark = [pytest.mark.slow, pytest.mark.extended]

SERIAL_APP = """\
import sys, numpy, netCDF4, cftime
path = sys.argv[1]
with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
    ds.createDimension("time", None)
    ds.createDimension("x", 6)
    times = ds.createVariable("time", "f8", ("time",))
    times.units = "days since 2000-01-01"
    grid = ds.createVariable("grid", "f4", ("time", "x"), zlib=True)
    grid[0:4, :] = numpy.arange(24.0).reshape(4, 6)
    times[:] = [0, 1, 2, 3]
with netCDF4.Dataset(path) as ds:
    dates = netCDF4.num2date(ds["time"][:], ds["time"].units)
    print(ds["grid"].shape, float(ds["grid"][:].sum()), ds["grid"].filters()["zlib"], dates[-1].isoformat(),
          bool(netCDF4.__has_parallel4_support__), netCDF4.__netcdf4libversion__.split("-")[0])
"""

# 4 ranks write one variable collectively, every rank reads the whole file back.
PARALLEL_APP = """\
import sys, numpy, netCDF4
from mpi4py import MPI
comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
path = sys.argv[1]
with netCDF4.Dataset(path, "w", parallel=True, comm=comm, info=MPI.Info()) as ds:
    ds.createDimension("rank", size)
    ds.createDimension("x", 5)
    values = ds.createVariable("values", "i8", ("rank", "x"))
    values.set_collective(True)
    values[rank, :] = numpy.arange(5) + 100 * rank
comm.Barrier()
with netCDF4.Dataset(path, parallel=True, comm=comm, info=MPI.Info()) as ds:
    whole = ds["values"][:]
expected = numpy.arange(5)[None, :] + 100 * numpy.arange(size)[:, None]
ok = bool((whole == expected).all())
lines = comm.gather(f"rank={rank} size={size} ok={ok}", root=0)
if rank == 0:
    print("\\n".join(lines))
"""


def run(command, **options):
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=600, **options)


@pytest.fixture(scope="module")
def serial(built_binary):
    built = built_binary({"MODULES": "numpy,netcdf4", "JOBS": 2}, timeout=7200)
    return built.binary, built.output


def test_serial_netcdf4_writes_and_reads_a_compressed_file_with_cftime_dates(serial, tmp_path):
    binary, output = serial
    assert "cftime" in output and "needed by netcdf4" in output, output[-3000:]
    (tmp_path / "app.py").write_text(SERIAL_APP)
    result = run([binary, "app.py", tmp_path / "grid.nc"], cwd=tmp_path)
    assert result.stdout.split() == ["(4,", "6)", "276.0", "True", "2000-01-04T00:00:00", "False", "4.9.3"], \
        result.stderr[-3000:]


def test_import_netcdf4_is_built_in_and_touches_no_file_outside_the_node_local_data(serial, tmp_path):
    """Beside the dotted built-in: netCDF-C reads no .ncrc/.dodsrc/.aws files (no remote access
    is built in), netCDF4 looks for no plugin directory, and certifi's CA bundle, which netCDF4
    hands to netCDF-C at import, is a node-local file written once per node, not a temporary
    copy per process."""
    binary, _ = serial
    environment = {**os.environ, "SLITHER_DATA_DIR": str(tmp_path / "node")}
    first = subprocess.run([str(binary), "-c", "import netCDF4"], cwd=tmp_path, env=environment,
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    traced, calls = trace_file_calls([str(binary), "-c", "import netCDF4; print(netCDF4._netCDF4.__spec__.origin)"],
                                     cwd=tmp_path, env=environment)
    assert traced.stdout.strip() == "built-in", traced.stderr[-2000:]
    # netCDF-C's initialisation asks for the working directory: getcwd is answered from the
    # process's own directory entry in memory, no lookup on any filesystem.
    outside = [call.line for call in calls if counts_against_startup(call) and call.syscall != "getcwd"
               and not call.path.startswith(str(tmp_path / "node") + "/")]
    assert outside == []
    assert sum(call.syscall == "getcwd" for call in calls) <= 2


@pytest.fixture(scope="module")
def parallel(built_binary):
    return built_binary({"MODULES": "numpy,mpi4py,netcdf4", "JOBS": 2}, timeout=7200).build_dir


def test_four_ranks_write_one_netcdf_file_collectively_and_read_it_back(parallel, tmp_path):
    (tmp_path / "app.py").write_text(PARALLEL_APP)
    result = run([parallel / "bin" / "mpiexec", "-n", "4", parallel / "bin" / "python-static", "app.py",
                  tmp_path / "ranks.nc"], cwd=tmp_path)
    assert result.stdout.splitlines() == [f"rank={rank} size=4 ok=True" for rank in range(4)], \
        result.stdout + result.stderr[-3000:]
