"""The workloads every contender runs: what each measures and which packages it needs."""

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

    def interpreter_arguments(self) -> list[str]:
        return [self.script] if self.script else ["-c", self.code]

    def script_text(self) -> str:
        """The program as a file, for bundlers that take a script (PyInstaller)."""
        return APP_SCRIPT if self.script else self.code + "\n"


WORKLOADS = (
    Workload("-c pass", "pass", code="pass"),
    Workload("import json", "json", code="import json"),
    Workload("import numpy", "numpy", code="import numpy", needs=("numpy",)),
    Workload("import numpy; from mpi4py import MPI", "numpy_mpi4py",
             code="import numpy; from mpi4py import MPI", needs=("numpy", "mpi4py")),
    Workload("script + user module", "app", script="app.py"),
)
BY_KEY = {workload.key: workload for workload in WORKLOADS}


def write_work_directory(directory: Path) -> Path:
    """The directory every contender runs in: the user's script and its module."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "app.py").write_text(APP_SCRIPT)
    (directory / "helper.py").write_text(HELPER_MODULE)
    return directory
