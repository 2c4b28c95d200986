"""TARGET=cray, tested honestly without a Cray: the stand-in drivers (tests/fixtures/craype/) are
the only compilers on the build's PATH (no gcc, no cc of Debian's, no mpicc), record every call,
add MPI, BLAS and HDF5 flags themselves when cray-mpich, cray-libsci or cray-hdf5-parallel is
"loaded" (CRAY_MPICH_DIR, CRAY_LIBSCI_PREFIX_DIR, CRAY_HDF5_PARALLEL_PREFIX), and link the way
CRAYPE_LINK_TYPE, -static and -dynamic say. The stand-in modules are Slither's own static MPICH,
its parallel HDF5 and Debian's static OpenBLAS under libsci's name (tests/craype.py).

The build uses a fresh CACHE_DIR (downloads shared): a cached CPython step would hide the
calls this test is about. What only a real Cray can show is listed in the README.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import assert_built, ROOT, run_scons, step_outcomes
from craype import compiler_is_reachable, craype_environment, output_of, read_log
from slither.inspect.audit import counts_against_startup, trace_file_calls
from slither.cache import default_cache_dir

pytestmark = pytest.mark.slow

MPICH = "mpich-4.0.2"
APP = """\
from mpi4py import MPI
comm = MPI.COMM_WORLD
total = comm.allreduce(comm.Get_rank(), op=MPI.SUM)
maps = open("/proc/self/maps").read()
line = f"rank={comm.Get_rank()} size={comm.Get_size()} sum={total} so={maps.count('.so')}"
# Rank 0 prints every line: two ranks printing at once may interleave in mpiexec's output.
lines = comm.gather(line, root=0)
if comm.Get_rank() == 0:
    print("\\n".join(lines))
"""


def fresh_cache(tmp: Path) -> str:
    """A CACHE_DIR with no build steps in it, sharing the verified downloads."""
    cache = tmp / "cache"
    cache.mkdir()
    downloads = Path(default_cache_dir()) / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    (cache / "downloads").symlink_to(downloads)
    return str(cache)


# Every stdlib library recipe builds through the same library step, with the profile's drivers;
# zlib shows it here, and the others stay out (WITHOUT) to keep this fixture, which starts from an
# empty cache, short: they are not built through the stand-ins by these tests.
WITHOUT_ALL_BUT_ZLIB = "WITHOUT=_ssl,_hashlib,_ctypes,_sqlite3,_lzma,_bz2,_uuid,readline,_curses,_curses_panel"


@pytest.fixture(scope="module")
def cray(tmp_path_factory):
    """TARGET=cray without modules: CPython itself, and the zlib it links, through the stand-ins."""
    tmp = tmp_path_factory.mktemp("cray")
    log = tmp / "craype.log"
    environment = craype_environment(tmp, log)
    build_dir = tmp / "build"
    arguments = [f"BUILD_DIR={build_dir}", "TARGET=cray", "JOBS=2", f"CACHE_DIR={fresh_cache(tmp)}",
                 WITHOUT_ALL_BUT_ZLIB]
    result = run_scons(arguments, env=environment, timeout=5400)
    assert_built(result)
    return {"tmp": tmp, "log": log, "env": environment, "build_dir": build_dir, "arguments": arguments,
            "binary": build_dir / "bin" / "python-static", "output": result.stdout, "calls": read_log(log)}


def links(calls):
    return [call for call in calls if call["action"] == "link"]


def test_no_compiler_but_the_drivers_was_reachable(cray):
    for program in ("gcc", "g++", "gfortran", "x86_64-linux-gnu-gcc-12", "mpicc", "mpiexec"):
        assert not compiler_is_reachable(program, cray["env"]), program


def test_every_compile_went_through_the_drivers(cray):
    calls = cray["calls"]
    assert {call["driver"] for call in calls} <= {"cc", "CC", "ftn"}
    compiled = {Path(argument).name for call in calls if call["action"] == "compile"
                for argument in call["arguments"] if argument.endswith(".c")}
    # CPython's interpreter core, a stdlib module, the zlib recipe's library, and Slither's own main.c
    for source in ("ceval.c", "_json.c", "zlibmodule.c", "adler32.c", "main.c", "frozen_table.c"):
        assert source in compiled, source
    assert len([call for call in calls if call["action"] == "compile"]) > 300
    info = json.loads((cray["build_dir"] / "cpython-3.11.2-cray" / "info.json").read_text())
    assert info["config_vars"]["CC"].split()[0] == "cc"


def test_cpython_host_links_dynamic_and_the_final_link_is_static(cray):
    by_output = {Path(output_of(call) or "").name: call for call in links(cray["calls"])}
    assert by_output["python"]["link_type"] == "dynamic"     # the host interpreter
    assert by_output["_freeze_module"]["link_type"] == "dynamic"
    final = by_output["python-static.tmp"]
    assert final["driver"] == "cc" and final["link_type"] == "static" and "-static" in final["arguments"]
    host = cray["build_dir"] / "cpython-3.11.2-cray" / "host" / "bin" / "python3.11"
    assert "dynamically linked" in subprocess.run(["file", "-L", str(host)], stdout=subprocess.PIPE, text=True).stdout
    assert "statically linked" in subprocess.run(["file", str(cray["binary"])], stdout=subprocess.PIPE,
                                                 text=True).stdout


def test_no_mpi_was_built_only_the_stdlib_library(cray):
    assert sorted(path.name for path in (cray["build_dir"] / "libraries").iterdir()) == ["zlib-1.2.13.dfsg-cray"]
    assert "mpich" not in step_outcomes(cray["output"]) and "zlib" in step_outcomes(cray["output"])


def test_cray_binary_starts_with_zero_file_syscalls(cray, tmp_path):
    result, calls = trace_file_calls([str(cray["binary"]), "-c", "import json, decimal; print('ok')"], cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
    assert [call.line for call in calls if counts_against_startup(call)] == []


# --- TARGET=cray MODULES=mpi4py: MPI only from the drivers -------------------------------------

@pytest.fixture(scope="module")
def mpich_prefix(tmp_path_factory):
    """The MPI the stand-ins play cray-mpich with: the static MPICH of modules/libraries/mpich.py, built
    (or taken from the shared cache) on its own, outside the cray build."""
    build_dir = tmp_path_factory.mktemp("mpich") / "build"
    marker = build_dir / "libraries" / f"{MPICH}-gnu" / "prefix" / ".slither-prefix"
    result = run_scons([f"BUILD_DIR={build_dir}", "MODULES=mpich", "JOBS=2", str(marker)], timeout=5400)
    assert_built(result)
    return marker.parent


@pytest.fixture(scope="module")
def cray_mpi4py(cray, mpich_prefix):
    log = cray["tmp"] / "craype-mpi4py.log"
    environment = {**cray["env"], "CRAY_MPICH_DIR": str(mpich_prefix), "CRAYPE_STANDIN_LOG": str(log)}
    result = run_scons([*cray["arguments"], "MODULES=mpi4py"], env=environment, timeout=5400)
    assert_built(result)
    return {**cray, "output": result.stdout, "calls": read_log(log), "mpich": mpich_prefix}


def test_mpi4py_compiled_through_cc_which_added_mpi_itself(cray_mpi4py):
    include = f"-I{cray_mpi4py['mpich']}/include"
    mpi_compiles = [call for call in cray_mpi4py["calls"] if call["action"] == "compile"
                    and any(argument.endswith("MPI.c") for argument in call["arguments"])]
    assert mpi_compiles, "mpi4py's MPI.c was not compiled by the stand-ins"
    for call in mpi_compiles:
        assert call["driver"] == "cc" and include in call["command"] and include not in call["arguments"]


def test_mpi4py_binary_links_static_with_mpi_from_the_driver(cray_mpi4py):
    outcomes = step_outcomes(cray_mpi4py["output"])
    # mpi4py may come from the cache of an earlier identical build; MPICH must never be a step.
    assert "mpich" not in outcomes and outcomes["mpi4py"] in ("built", "cache"), outcomes
    assert sorted(path.name for path in (cray_mpi4py["build_dir"] / "libraries").iterdir()) == \
        ["zlib-1.2.13.dfsg-cray"]  # the stdlib's zlib, and no MPI
    # The final link runs twice: the second pass adds the symbol table made from the first's
    # binary (slither_link.py); both must be static links with MPI added by the driver.
    finals = [call for call in links(cray_mpi4py["calls"]) if (output_of(call) or "").endswith("python-static.tmp")]
    assert len(finals) == 2, finals
    for final in finals:
        assert final["link_type"] == "static" and "-lmpi" in final["command"] and "-lmpi" not in final["arguments"]
    assert any(argument.endswith("symbol_table.o") for argument in finals[1]["arguments"]), finals[1]["arguments"]
    assert "statically linked" in subprocess.run(["file", str(cray_mpi4py["binary"])], stdout=subprocess.PIPE,
                                                 text=True).stdout


def test_cray_mpi4py_runs_under_mpiexec(cray_mpi4py, tmp_path):
    (tmp_path / "app.py").write_text(APP)
    mpiexec = cray_mpi4py["mpich"] / "bin" / "mpiexec"
    result = subprocess.run([str(mpiexec), "-n", "2", str(cray_mpi4py["binary"]), "app.py"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == ["rank=0 size=2 sum=1 so=0", "rank=1 size=2 sum=1 so=0"]


# --- TARGET=cray MODULES=numpy,mpi4py,h5py: BLAS, HDF5 and MPI all from the drivers -------------

HDF5_PREFIX = "hdf5-1.14.5+repack-gnu"
HPC_APP = """\
import h5py, numpy
from mpi4py import MPI
comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
with h5py.File("out.h5", "w", driver="mpio", comm=comm) as f:
    data = f.create_dataset("x", (size, 4), dtype="f8")
    with data.collective:
        data[rank] = numpy.linalg.solve(numpy.diag([2.0] * 4), numpy.full(4, 2.0 * rank))
comm.Barrier()
with h5py.File("out.h5", "r", driver="mpio", comm=comm) as f:
    whole = f["x"][...]
maps = open("/proc/self/maps").read()
lines = comm.gather(f"rank={rank} sum={whole.sum():g} so={maps.count('.so')}", root=0)
if rank == 0:
    print("\\n".join(lines))
"""


@pytest.fixture(scope="module")
def hdf5_parallel_prefix(tmp_path_factory, mpich_prefix):
    """What the stand-ins play cray-hdf5-parallel with: the parallel HDF5 of modules/libraries/hdf5.py,
    built (or taken from the shared cache) with the MPICH that plays cray-mpich, on its own."""
    build_dir = tmp_path_factory.mktemp("hdf5") / "build"
    marker = build_dir / "libraries" / HDF5_PREFIX / "prefix" / ".slither-prefix"
    result = run_scons([f"BUILD_DIR={build_dir}", "MODULES=hdf5,mpi4py", "HDF5=parallel", "JOBS=2", str(marker)],
                       timeout=5400)
    assert_built(result)
    return marker.parent


@pytest.fixture(scope="module")
def cray_hpc(cray, mpich_prefix, hdf5_parallel_prefix):
    from craype import libsci_standin
    log = cray["tmp"] / "craype-hpc.log"
    libsci = libsci_standin(cray["tmp"] / "libsci")
    environment = craype_environment(cray["tmp"], log, mpich_dir=mpich_prefix, libsci_dir=libsci,
                                     hdf5_dir=hdf5_parallel_prefix)
    result = run_scons([*cray["arguments"], "MODULES=numpy,mpi4py,h5py"], env=environment, timeout=7200)
    assert_built(result)
    return {**cray, "output": result.stdout, "calls": read_log(log), "mpich": mpich_prefix, "libsci": libsci,
            "hdf5": hdf5_parallel_prefix}


@pytest.mark.extended
def test_cray_hpc_builds_no_openblas_hdf5_or_mpich_and_says_where_they_come_from(cray_hpc):
    outcomes = step_outcomes(cray_hpc["output"])
    assert {"numpy", "mpi4py", "h5py"} <= set(outcomes) and not {"hdf5", "mpich"} & set(outcomes), outcomes
    assert sorted(path.name for path in (cray_hpc["build_dir"] / "libraries").iterdir()) == \
        ["zlib-1.2.13.dfsg-cray"]  # the stdlib's zlib; no MPI, BLAS or HDF5 recipe
    summary = cray_hpc["output"]
    assert ("  BLAS/LAPACK: cray-libsci from the TARGET toolchain (its drivers link it; meson finds pkg-config "
            "libsci; no OpenBLAS archive), for numpy") in summary
    assert (f"  HDF5: cray-hdf5-parallel 1.14.5 (parallel) from the TARGET toolchain, "
            f"HDF5_DIR={cray_hpc['hdf5']} (no HDF5 recipe built)") in summary
    numpy_log = (cray_hpc["build_dir"] / "packages" / "cp311-cray" / "numpy-2.2.6" / "build.log").read_text()
    assert "Run-time dependency libsci found: YES" in numpy_log
    assert "openblas" not in " ".join(line for line in numpy_log.splitlines() if "dependency" in line.lower())


@pytest.mark.extended
def test_cray_hpc_final_link_is_static_with_libsci_and_hdf5_from_the_driver(cray_hpc):
    finals = [call for call in links(cray_hpc["calls"]) if (output_of(call) or "").endswith("python-static.tmp")]
    assert len(finals) == 2, finals
    for final in finals:
        assert final["link_type"] == "static"
        for added in ("-lsci_gnu", "-lhdf5", "-lmpi"):   # by the driver, not by Slither's command line
            assert added in final["command"] and added not in final["arguments"], added
        assert not any("openblas" in argument for argument in final["arguments"])
    assert "statically linked" in subprocess.run(["file", str(cray_hpc["binary"])], stdout=subprocess.PIPE,
                                                 text=True).stdout


@pytest.mark.extended
def test_cray_hpc_numpy_uses_libsci_and_h5py_writes_one_file_from_all_ranks(cray_hpc, tmp_path):
    probe = ("import numpy, h5py; c = numpy.show_config(mode='dicts')['Build Dependencies']; "
             "print(c['blas']['name'], c['lapack']['name'], h5py.version.hdf5_version, h5py.get_config().mpi, "
             "float(numpy.dot(numpy.arange(3.0), numpy.arange(3.0))))")
    result = subprocess.run([str(cray_hpc["binary"]), "-c", probe], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["libsci", "libsci", "1.14.5", "True", "5.0"]
    (tmp_path / "app.py").write_text(HPC_APP)
    mpiexec = cray_hpc["mpich"] / "bin" / "mpiexec"
    result = subprocess.run([str(mpiexec), "-n", "2", str(cray_hpc["binary"]), "app.py"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["rank=0 sum=4 so=0", "rank=1 sum=4 so=0"]


# --- TARGET=cray MODULES=numpy,scipy,mpi4py,h5py: scipy added, BLAS/LAPACK from cray-libsci -----

STACK_APP = """\
import numpy, scipy.linalg, h5py
from mpi4py import MPI
comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
matrix = numpy.diag([2.0, 4.0, 8.0]) + 0.5
solution = scipy.linalg.solve(matrix, matrix @ numpy.full(3, float(rank)))   # LAPACK gesv from libsci
with h5py.File("stack.h5", "w", driver="mpio", comm=comm) as f:
    data = f.create_dataset("x", (size, 3), dtype="f8")
    with data.collective:
        data[rank] = solution
comm.Barrier()
with h5py.File("stack.h5", "r", driver="mpio", comm=comm) as f:
    whole = f["x"][...]
maps = open("/proc/self/maps").read()
lines = comm.gather(f"rank={rank} sum={round(whole.sum(), 9):g} so={maps.count('.so')}", root=0)
if rank == 0:
    print("\\n".join(lines))
"""


@pytest.fixture(scope="module")
def cray_stack(cray_hpc):
    """scipy added to the built numpy,mpi4py,h5py set, in the same build directory and cache:
    only scipy builds, then the freeze and the link run again."""
    log = cray_hpc["tmp"] / "craype-stack.log"
    environment = craype_environment(cray_hpc["tmp"], log, mpich_dir=cray_hpc["mpich"], libsci_dir=cray_hpc["libsci"],
                                     hdf5_dir=cray_hpc["hdf5"])
    result = run_scons([*cray_hpc["arguments"], "MODULES=numpy,scipy,mpi4py,h5py"], env=environment, timeout=7200)
    assert_built(result)
    return {**cray_hpc, "output": result.stdout, "calls": read_log(log)}


@pytest.mark.extended
def test_cray_scipy_is_built_against_libsci_and_nothing_else_is_rebuilt(cray_stack):
    outcomes = step_outcomes(cray_stack["output"])
    assert outcomes.get("scipy") == "built", outcomes
    assert all(outcomes.get(name) != "built" for name in ("numpy", "mpi4py", "h5py", "hdf5", "mpich")), outcomes
    assert ("  BLAS/LAPACK: cray-libsci from the TARGET toolchain (its drivers link it; meson finds pkg-config "
            "libsci; no OpenBLAS archive), for numpy, scipy") in cray_stack["output"]
    scipy_log = (cray_stack["build_dir"] / "packages" / "cp311-cray" / "scipy-1.15.3" / "build.log").read_text()
    assert "Run-time dependency libsci found: YES" in scipy_log
    assert "openblas" not in " ".join(line for line in scipy_log.splitlines() if "dependency" in line.lower())
    # scipy's Fortran (ARPACK, ODEPACK, ...) and C++ (pybind11, pythran) compiled through ftn and CC:
    # no compiler but the drivers is on the build's PATH (test_no_compiler_but_the_drivers_was_reachable)
    compiled = {(call["driver"], Path(argument).suffix) for call in cray_stack["calls"] if call["action"] == "compile"
                for argument in call["arguments"] if Path(argument).suffix in (".f", ".f90", ".cpp", ".cxx", ".cc")}
    assert ("ftn", ".f") in compiled and any(driver == "CC" for driver, _ in compiled), compiled


@pytest.mark.extended
def test_cray_stack_final_link_is_static_with_libsci_from_the_driver(cray_stack):
    finals = [call for call in links(cray_stack["calls"]) if (output_of(call) or "").endswith("python-static.tmp")]
    assert len(finals) == 2, finals
    for final in finals:
        assert final["link_type"] == "static"
        assert "-lsci_gnu" in final["command"] and "-lsci_gnu" not in final["arguments"]
        assert not any("openblas" in argument for argument in final["arguments"])


@pytest.mark.extended
def test_cray_stack_scipy_solves_with_libsci_and_all_ranks_write_one_file(cray_stack, tmp_path):
    probe = ("import scipy, scipy.linalg, numpy; c = scipy.show_config(mode='dicts')['Build Dependencies']; "
             "print(c['blas']['name'], c['lapack']['name'], "
             "float(scipy.linalg.solve(numpy.diag([2.0, 4.0]), numpy.array([2.0, 8.0])).sum()))")
    result = subprocess.run([str(cray_stack["binary"]), "-c", probe], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["libsci", "libsci", "3.0"]
    (tmp_path / "app.py").write_text(STACK_APP)
    result = subprocess.run([str(cray_stack["mpich"] / "bin" / "mpiexec"), "-n", "2", str(cray_stack["binary"]),
                             "app.py"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["rank=0 sum=3 so=0", "rank=1 sum=3 so=0"]
