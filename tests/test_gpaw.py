"""GPAW in the binary (extended: scipy, libxc and GPAW's C++ add about 40 minutes to a cold
numpy,mpi4py build): `_gpaw` a built-in with its MPI code against the binary's MPICH, libxc and
OpenBLAS linked in, ase and scipy brought in as GPAW's recipe states, GPL-3.0-or-later named by
the summary; H2 computed serially and on 4 ranks under the build's own mpiexec without
GPAW_MPI_BACKEND (the binary is GPAW's own `gpaw python`), the setups read from GPAW_SETUP_PATH.
"""

import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, ci_blas_cpu
from harness.suites.gpaw_suite import GPAW_DATA
from slither.cache import default_cache_dir
from slither.inspect.audit import counts_against_startup, trace_file_calls
from slither.sources.pinned import obtain

pytestmark = [pytest.mark.slow, pytest.mark.extended]

H2_SCRIPT = ROOT / "harness" / "suites" / "gpaw_h2_energy.py"


@pytest.fixture(scope="module")
def gpaw_binary(built_binary):
    return built_binary({"MODULES": "numpy,scipy,mpi4py,gpaw", "BLAS_CPU": ci_blas_cpu(), "JOBS": 2}, timeout=4 * 3600)


@pytest.fixture(scope="module")
def setups(tmp_path_factory):
    """The PAW setups of the pinned gpaw-data wheel, unpacked."""
    wheel = obtain(GPAW_DATA, search_dirs=[], store=Path(default_cache_dir()) / "downloads")
    directory = tmp_path_factory.mktemp("gpaw-data")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(directory, [name for name in archive.namelist() if name.startswith("gpaw_data/setups/")])
    return directory / "gpaw_data" / "setups"


def environment(setups, **extra):
    return {**{key: value for key, value in os.environ.items() if not key.startswith(("GPAW", "PYTHON"))},
            "GPAW_SETUP_PATH": str(setups), "OMP_NUM_THREADS": "1", **extra}


def test_the_summary_names_gpaws_licence_and_what_came_along_for_it(gpaw_binary):
    output = gpaw_binary.output
    assert "GPL-3.0-or-later" in output and "gpaw" in output, output[-3000:]
    assert "needed by gpaw" in output and "ase" in output, output[-3000:]


def test_gpaw_is_built_in_with_mpi_and_libxc(gpaw_binary):
    program = ("import sys, gpaw, gpaw.cgpaw as c; "
               "print('_gpaw' in sys.builtin_module_names, c.have_mpi, c.libxc_version, gpaw.__version__)")
    result = subprocess.run([gpaw_binary.binary, "-c", program], capture_output=True, text=True, timeout=600)
    assert result.stdout.split() == ["True", "True", "5.2.3", "26.7.0"], result.stderr[-3000:]


@pytest.mark.parametrize("ranks", [1, 4])
def test_h2_in_a_box_serially_and_on_four_ranks_without_gpaw_mpi_backend(gpaw_binary, setups, tmp_path, ranks):
    """Under mpiexec the binary chooses the cgpaw backend itself; all ranks give one energy."""
    result_file = tmp_path / "energy.json"
    command = [gpaw_binary.binary, H2_SCRIPT, result_file]
    if ranks > 1:
        command = [gpaw_binary.build_dir / "bin" / "mpiexec", "-n", ranks, *command]
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, cwd=tmp_path,
                            env=environment(setups, MPIR_CVAR_POLLS_BEFORE_YIELD="1"), timeout=1800)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    energy = json.loads(result_file.read_text())
    assert energy["ranks"] == ranks
    # H2 with PBE, fd mode: about -6.6 eV against GPAW's atomic reference energies
    assert -7.5 < energy["energy_eV"] < -5.5, energy


def test_import_gpaw_touches_no_shared_file_but_the_users_gpaw_rc(gpaw_binary, setups, tmp_path):
    """GPAW's ~/.gpaw/rc.py lookup (one stat in HOME) is GPAW's own configuration file; nothing
    else: no libmpi.so search, no gpaw_data lookup beside the script under -I; ase's data goes
    to the node-local data directory."""
    node = tmp_path / "node"
    variables = environment(setups, HOME=str(tmp_path / "home"), SLITHER_DATA_DIR=str(node))
    program = [str(gpaw_binary.binary), "-I", "-c", "import gpaw, gpaw.mpi; print(gpaw.mpi.world.size)"]
    # the node's first use writes ase's data (gpaw.mpi imports it) into the node-local directory;
    # the traced run is every later rank's
    first = subprocess.run(program, cwd=tmp_path, env=variables, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    assert any(node.glob("slither-data-*/ase-*")), list(node.rglob("*"))[:5]
    traced, calls = trace_file_calls(program, cwd=tmp_path, env=variables)
    assert traced.stdout.strip() == "1", traced.stderr[-2000:]
    outside = [call.line for call in calls if counts_against_startup(call)
               and not (call.path == str(node) or call.path.startswith(str(node) + "/"))
               and not call.path.endswith("/.gpaw/rc.py")]
    assert outside == []
    assert sum(call.path.endswith("/.gpaw/rc.py") for call in calls) == 1


@pytest.fixture(scope="module")
def gpaw_with_datasets(built_binary):
    """gpaw-data named in MODULES: the PAW datasets frozen in, read by path from SLITHER_DATA_DIR."""
    return built_binary({"MODULES": "numpy,scipy,mpi4py,gpaw,gpaw-data==1.2.1", "BLAS_CPU": ci_blas_cpu(), "JOBS": 2},
                        timeout=4 * 3600)


def test_gpaw_finds_the_datasets_of_gpaw_data_in_the_binary_without_gpaw_setup_path(gpaw_with_datasets, tmp_path):
    by_path = re.search(r"data read by path: (.+?) \(", gpaw_with_datasets.output)
    assert by_path and "gpaw_data" in by_path.group(1).split(", "), gpaw_with_datasets.output[-3000:]
    node = tmp_path / "node"
    variables = {**environment(tmp_path / "no-setups"), "SLITHER_DATA_DIR": str(node)}
    del variables["GPAW_SETUP_PATH"]
    result = subprocess.run([str(gpaw_with_datasets.binary), str(H2_SCRIPT), str(tmp_path / "energy.json")],
                            cwd=tmp_path, env=variables, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert -7.5 < json.loads((tmp_path / "energy.json").read_text())["energy_eV"] < -5.5
    written = list(node.rglob("H.PBE.gz"))
    assert len(written) == 1 and written[0].stat().st_size > 10_000, written
