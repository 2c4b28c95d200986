"""MODULES=mpi4py: MPICH built from source (static, hwloc embedded without udev) and mpi4py
captured into the static binary; `mpiexec -n 4 python-static app.py` runs on MPICH's own hydra.

The file-syscall yardstick: `from mpi4py import MPI` may cost what MPI_Init
of the same MPICH costs in a static C program (the build's own mpi-init-static), nothing more.
"""

import os
import shutil
import sys
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import assert_built, without_stdlib_libraries, ROOT, run_scons, step_outcomes
from mpi_apps import APP, _counted
from slither.inspect.audit import parse_strace, trace_file_calls

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def build(built_binary):
    built = built_binary({"MODULES": "mpi4py", "JOBS": 2}, timeout=5400)
    build_dir = built.build_dir
    return {"dir": build_dir, "binary": built.binary, "output": built.output,
            "mpiexec": build_dir / "libraries" / "mpich-4.0.2-gnu" / "prefix" / "bin" / "mpiexec",
            "c_program": build_dir / "mpi" / "mpich-gnu" / "mpi-init-static"}


def run(command, **options):
    return subprocess.run([str(part) for part in command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300, **options)


def test_mpi4py_brings_mpich_and_the_binary_is_static(build):
    assert "third-party modules: mpi4py" in build["output"]
    outcomes = step_outcomes(build["output"])
    assert outcomes["mpich"] in ("built", "cache", "up to date") and outcomes["mpi4py"] in ("built", "cache")
    for program in (build["binary"], build["c_program"]):
        described = run(["file", program]).stdout
        assert "statically linked" in described, described


def test_mpiexec_runs_four_ranks_with_collectives(build, tmp_path):
    (tmp_path / "app.py").write_text(APP)
    result = run([build["mpiexec"], "-n", "4", build["binary"], "app.py"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = sorted(result.stdout.splitlines())
    assert lines == [f"rank={rank} size=4 sum=6 bcast=42/0 buffer=10 so=0 static=MPICH" for rank in range(4)], \
        result.stdout + result.stderr


@pytest.mark.parametrize("fault, status", [("exit-early", 3), ("raise", 1)])
def test_a_rank_that_fails_ends_the_job_through_mpi_abort_without_dash_m_mpi4py(build, tmp_path, fault, status):
    """A plain `python-static app.py`: the rank that exits non-zero before its first communication
    (or raises later) calls MPI_Abort at exit, so the ranks waiting for it do not hang; with
    SLITHER_MPI_ABORT=0 it finalizes instead (then the job waits: not run here)."""
    shutil.copy(ROOT / "tests" / "cluster" / "fault_app.py", tmp_path / "fault_app.py")
    # Each rank writes its stderr to its own file: MPICH prints the MPI_Abort line from the
    # aborting process itself, but hydra kills the job on that abort and may drop what it had
    # not yet forwarded from the rank's stderr pipe (seen in about one run in five).
    each_rank_to_its_own_stderr_file = 'exec "$0" fault_app.py "$1" 2>"rank-$PMI_RANK.stderr"'
    started = time.monotonic()
    result = run([build["mpiexec"], "-n", "3", "sh", "-c", each_rank_to_its_own_stderr_file,
                  build["binary"], fault], cwd=tmp_path)
    elapsed = time.monotonic() - started
    failed_rank_stderr = (tmp_path / "rank-2.stderr").read_text()
    assert result.returncode != 0 and elapsed < 30, (elapsed, result.stdout + result.stderr + failed_rank_stderr)
    assert f"application called MPI_Abort(MPI_COMM_WORLD, {status}) - process 2" in failed_rank_stderr, \
        result.stdout + result.stderr + failed_rank_stderr
    assert "passed the allreduce" not in result.stdout


def test_mpiexec_beside_the_binary_launches_ranks(build, tmp_path):
    """BUILD_DIR/bin/mpiexec (hydra, with hydra_pmi_proxy beside it) is the
    launcher; the summary names it."""
    bin_dir = build["dir"] / "bin"
    assert (bin_dir / "hydra_pmi_proxy").is_file() and not (bin_dir / "mpiexec").is_symlink()
    assert f"launcher: {bin_dir / 'mpiexec'} (with hydra_pmi_proxy beside it)" in build["output"]
    # One write per rank: hydra forwards each write as it comes, so print()'s two may interleave.
    result = run([bin_dir / "mpiexec", "-n", "2", build["binary"], "-c",
                  "import os; from mpi4py import MPI; os.write(1, b'%d\\n' % MPI.COMM_WORLD.Get_rank())"],
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split()) == ["0", "1"], result.stdout + result.stderr


def test_scons_install_installs_the_launcher_and_it_still_launches(build, tmp_path):
    prefix = tmp_path / "prefix"
    result = run_scons([f"BUILD_DIR={build['dir']}", "MODULES=mpi4py", "JOBS=2", f"PREFIX={prefix}", "install"],
                       timeout=1800)
    assert_built(result, tail=2000)
    assert sorted(path.name for path in (prefix / "bin").iterdir()) == ["hydra_pmi_proxy", "mpiexec", "python-static"]
    launched = run([prefix / "bin" / "mpiexec", "-n", "2", prefix / "bin" / "python-static", "-c",
                    "import os; from mpi4py import MPI; os.write(1, b'%d\\n' % MPI.COMM_WORLD.Get_size())"],
                   cwd=tmp_path)
    assert launched.returncode == 0 and launched.stdout.split() == ["2", "2"], launched.stdout + launched.stderr


def test_the_manifest_lists_mpich_and_mpi4py_with_their_licences(build):
    result = run([sys.executable, "-m", "slither", "inspect", "--licenses", build["binary"]], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    by_name = {line.split()[0]: line.split()[1:3] for line in result.stdout.splitlines()}
    assert by_name["mpich"] == ["4.0.2", "mpich2"] and by_name["mpi4py"] == ["4.1.2", "BSD-3-Clause"]


def test_mpi_is_a_dotted_builtin_module_named_as_under_a_normal_install(build):
    code = ("import sys; from mpi4py import MPI\n"
            "print(MPI.__name__, MPI.__spec__.name, MPI.__spec__.parent, MPI.__package__, MPI.__spec__.origin,\n"
            "      'mpi4py.MPI' in sys.builtin_module_names, MPI.Is_initialized(), MPI.COMM_WORLD.Get_size())")
    result = run([build["binary"], "-c", code])
    assert result.stdout.split() == ["mpi4py.MPI", "mpi4py.MPI", "mpi4py", "mpi4py", "built-in", "True",
                                     "True", "1"], result.stderr


def test_from_mpi4py_import_mpi_adds_no_file_syscall_beyond_mpi_init_in_c(build, tmp_path):
    """Singleton start (no mpiexec) and under mpiexec -n 2 (each rank traced on its own)."""
    python_result, python_calls = trace_file_calls([str(build["binary"]), "-c", "from mpi4py import MPI"],
                                                   cwd=tmp_path)
    c_result, c_calls = trace_file_calls([str(build["c_program"])], cwd=tmp_path)
    assert python_result.returncode == 0 and c_result.returncode == 0, python_result.stderr + c_result.stderr
    extra = _counted(python_calls) - _counted(c_calls)
    assert not extra, f"beyond MPI_Init in C: {extra}"

    for name, command in (("python", [build["binary"], "-c", "from mpi4py import MPI"]),
                          ("c", [build["c_program"]])):
        traces = tmp_path / name
        traces.mkdir()
        result = run([build["mpiexec"], "-n", "2", "strace", "-qq", "-ff", "-e", "trace=%file",
                      "-o", traces / "rank", *command], cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    per_rank = {name: [_counted(parse_strace(path.read_text().splitlines()))
                       for path in sorted((tmp_path / name).iterdir())] for name in ("python", "c")}
    assert len(per_rank["python"]) >= 2 and len(per_rank["c"]) >= 2
    allowed = sum(per_rank["c"], Counter())
    for rank_calls in per_rank["python"]:
        assert not rank_calls - allowed, f"beyond MPI_Init in C under mpiexec: {rank_calls - allowed}"


def test_the_hwloc_default_is_not_inherited_by_programs_the_binary_starts(build, tmp_path):
    """MPICH's HWLOC_COMPONENTS=-linuxio reaches hwloc through the wrapped getenv only: neither
    os.environ nor a child process has it (the udev lookup staying away is the test above)."""
    code = ("import os, subprocess\nfrom mpi4py import MPI\n"
            "print('HWLOC_COMPONENTS' in os.environ, subprocess.run(['sh', '-c', 'echo ${HWLOC_COMPONENTS-unset}'],\n"
            "      stdout=subprocess.PIPE, text=True).stdout.strip())")
    environment = {key: value for key, value in os.environ.items() if key != "HWLOC_COMPONENTS"}
    result = run([build["binary"], "-c", code], cwd=tmp_path, env=environment)
    assert result.stdout.split() == ["False", "unset"], result.stderr


def test_modules_added_to_a_built_set_compile_nothing_already_built_and_dropping_only_relinks(tmp_path):
    """With markupsafe standing in for numpy: adding mpi4py compiles neither
    CPython nor markupsafe; dropping it builds no library or package."""
    build_dir = f"BUILD_DIR={tmp_path / 'build'}"
    first = run_scons([build_dir, "MODULES=markupsafe", "JOBS=2"], timeout=3600)
    assert_built(first, tail=2000)
    added = run_scons([build_dir, "MODULES=markupsafe,mpi4py", "JOBS=2"], timeout=5400)
    assert_built(added, tail=2000)
    outcomes = step_outcomes(added.stdout)
    assert outcomes["cpython"] == "up to date" and outcomes["markupsafe"] == "up to date", outcomes
    # A warm CACHE_DIR may already hold this exact link (another build of the same set).
    assert outcomes["mpi4py"] in ("built", "cache") and outcomes["link"] in ("built", "cache"), outcomes
    assert not any(line.startswith(("cpython build", "package build markupsafe"))
                   for line in added.stdout.splitlines())
    dropped = run_scons([build_dir, "MODULES=markupsafe", "JOBS=2"], timeout=3600)
    assert_built(dropped, tail=2000)
    outcomes = step_outcomes(dropped.stdout)
    assert set(without_stdlib_libraries(outcomes)) == {"cpython", "markupsafe", "freeze", "link"}, outcomes
    assert outcomes["cpython"] == outcomes["markupsafe"] == "up to date" and outcomes["link"] in ("built", "cache")
    assert not any(line.startswith(("cpython build", "package build", "library build"))
                   for line in dropped.stdout.splitlines())


def test_mpi_system_with_the_mpicc_of_a_built_mpich_links_static(build, tmp_path):
    """MPI=system pointed at the wrapper of our own MPICH (which links static): no MPICH recipe
    is built, mpi4py is compiled by that wrapper, and the binary runs under its mpiexec."""
    mpicc = build["mpiexec"].parent / "mpicc"
    result = run_scons([f"BUILD_DIR={tmp_path / 'build'}", "MODULES=mpi4py", "MPI=system", f"MPICC={mpicc}",
                        "JOBS=2"], timeout=3600)
    assert_built(result)
    assert "library build mpich" not in result.stdout and "mpich" not in step_outcomes(result.stdout)
    binary = tmp_path / "build" / "bin" / "python-static"
    assert "statically linked" in run(["file", binary]).stdout
    (tmp_path / "app.py").write_text(APP)
    ran = run([build["mpiexec"], "-n", "2", binary, "app.py"], cwd=tmp_path)
    assert sorted(ran.stdout.splitlines()) == [
        f"rank={rank} size=2 sum=1 bcast=42/0 buffer=3 so=0 static=MPICH" for rank in range(2)], ran.stderr


def test_mpi_system_with_debians_mpich_fails_with_the_reason(tmp_path):
    """Debian's libmpich.a needs hwloc (whose static archive needs libudev, which has no static
    library) and UCX: a fully static link cannot work, and the build says why before compiling."""
    debian_mpicc = Path("/usr/bin/mpicc.mpich")
    if not debian_mpicc.exists():
        pytest.skip("Debian's MPICH wrapper is not installed (apt-get install libmpich-dev)")
    result = run_scons([f"BUILD_DIR={tmp_path / 'build'}", "MODULES=mpi4py", "MPI=system",
                        f"MPICC={debian_mpicc}"], timeout=3600)
    assert result.returncode != 0
    errors = [line for line in result.stdout.splitlines() if line.startswith("slither: error:")]
    assert len(errors) == 1 and "cannot link a fully static MPI program" in errors[0], result.stdout[-2000:]
    assert "hwloc_" in errors[0] and "libudev" in errors[0]
    assert "package build mpi4py" not in result.stdout


def test_mpi_system_without_a_wrapper_is_one_line(tmp_path):
    result = run_scons([f"BUILD_DIR={tmp_path / 'build'}", "MODULES=mpi4py", "MPI=system",
                        f"MPICC={tmp_path / 'no-such-mpicc'}"])
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"scons: *** MPI=system MPICC={tmp_path / 'no-such-mpicc'}: MPI compiler wrapper "
        f"'{tmp_path / 'no-such-mpicc'}' not found or not executable; install the site's MPI (e.g. "
        "`module load mpich`, or Debian's libmpich-dev) or give its wrapper as MPICC=/path/to/mpicc"]
