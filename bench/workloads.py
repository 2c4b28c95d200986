"""The workloads every contender runs: what each measures and which packages it needs.

`import scipy` imports scipy and the subpackages an HPC code uses (SCIPY_SUBPACKAGES), as a
scientific code's start-up does; the full-stack workload is the line an MPI code that writes
HDF5 starts with. The application workloads start what an application's own script starts
with: GPAW's package and its MPI layer, netCDF4. `needs` names the packages a contender must
have for the workload to run; `stack`, for an application workload, the packages of the
python-static it is measured with (scons MODULES=modules_of(stack)), whose size the build-costs
section shows beside the stock tree's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# The user's own code for the last workload: a script and a module beside it.
APP_SCRIPT = "import helper, json\nprint(json.dumps(helper.VALUE))\n"
HELPER_MODULE = "VALUE = 42\n"


@dataclass(frozen=True)
class Workload:
    key: str                          # the name tables and JSON use
    slug: str                         # a file-name-safe name (PyInstaller one-file names)
    code: str = ""                    # run as `-c code` ...
    script: str = ""                  # ... or as `python script` from the work directory
    needs: tuple[str, ...] = ()       # third-party packages it imports
    stack: tuple[str, ...] = ()       # an application workload: the packages of its python-static
    # modules a bundler's analysis cannot see (imported from compiled code), named to PyInstaller
    hidden_imports: tuple[str, ...] = ()

    def interpreter_arguments(self) -> list[str]:
        return [self.script] if self.script else ["-c", self.code]

    def script_text(self) -> str:
        """The program as a file, for bundlers that take a script (PyInstaller)."""
        return APP_SCRIPT if self.script else self.code + "\n"


# The subpackages of the `import scipy` workload (SCIPY_SUBPACKAGES).
SCIPY_SUBPACKAGES = ("linalg", "sparse", "sparse.linalg", "special", "integrate", "optimize", "fft", "interpolate",
                     "stats", "signal", "spatial")
SCIPY_CODE = "import scipy, " + ", ".join(f"scipy.{name}" for name in SCIPY_SUBPACKAGES)
FULL_STACK = ("numpy", "scipy", "mpi4py", "h5py")   # the build-costs table's MODULES
# The application workloads' binaries: GPAW needs numpy and scipy at run time (its Requires-Dist)
# and runs under MPI; netCDF4 with mpi4py is its parallel variant, as on a cluster.
GPAW_STACK = ("numpy", "scipy", "mpi4py", "gpaw")
NETCDF4_STACK = ("numpy", "mpi4py", "netCDF4")
# Every third-party package a workload needs, in the order tables list them.
PACKAGES = ("numpy", "scipy", "mpi4py", "h5py", "gpaw", "netCDF4")
# The MODULES name of a package whose recipe is not named as it is imported.
RECIPE_NAMES = {"netCDF4": "netcdf4"}


def modules_of(packages) -> str:
    """The scons MODULES= value that builds these packages (import names) into python-static."""
    return ",".join(RECIPE_NAMES.get(package, package) for package in packages)


WORKLOADS = (
    Workload("-c pass", "pass", code="pass"),
    Workload("import json", "json", code="import json"),
    Workload("import numpy", "numpy", code="import numpy", needs=("numpy",)),
    Workload("import numpy; from mpi4py import MPI", "numpy_mpi4py",
             code="import numpy; from mpi4py import MPI", needs=("numpy", "mpi4py")),
    Workload("script + user module", "app", script="app.py"),
    Workload("import scipy", "scipy", code=SCIPY_CODE, needs=("numpy", "scipy")),
    Workload("import numpy, scipy, h5py; from mpi4py import MPI", "stack",
             code="import numpy, scipy, h5py; from mpi4py import MPI", needs=("numpy", "scipy", "h5py", "mpi4py")),
    # gpaw.mpi is GPAW's own MPI layer (its _gpaw communicators), which a parallel GPAW script
    # imports (`from gpaw.mpi import world`); no dataset is read at import: no GPAW_SETUP_PATH
    Workload("import gpaw", "gpaw", code="import gpaw, gpaw.mpi", needs=("gpaw",), stack=GPAW_STACK),
    # a parallel netCDF4's extension imports mpi4py.MPI from its compiled code (Cython's cimport)
    Workload("import netCDF4", "netcdf4", code="import netCDF4", needs=("netCDF4",), stack=NETCDF4_STACK,
             hidden_imports=("mpi4py", "mpi4py.MPI")),
)
BY_KEY = {workload.key: workload for workload in WORKLOADS}
BY_SLUG = {workload.slug: workload for workload in WORKLOADS}


def selected_workloads(slugs: str) -> tuple[Workload, ...]:
    """The workloads named by a comma-separated list of slugs (bench/run --workloads), in table
    order; "" is all of them."""
    names = [name.strip() for name in slugs.split(",") if name.strip()]
    unknown = [name for name in names if name not in BY_SLUG]
    if unknown:
        raise ValueError(f"--workloads: unknown workload(s) {', '.join(unknown)}; choose from {', '.join(BY_SLUG)}")
    return tuple(workload for workload in WORKLOADS if not names or workload.slug in names)


def write_work_directory(directory: Path) -> Path:
    """The directory every contender runs in: the user's script and its module."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(APP_SCRIPT)
    (directory / "helper.py").write_text(HELPER_MODULE)
    return directory
