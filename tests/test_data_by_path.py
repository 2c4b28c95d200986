"""Package data read by path: which packages the build picks (slither.freeze.data_by_path), and
how the runtime writes their data once per node (slither/runtime/_slither_data_dir.py, run here
in the host interpreter with stand-ins for the generated modules; the binary is in
tests/test_data_by_path_binary.py)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from slither.freeze.data_by_path import data_digest, packages_reading_data_by_path

RUNTIME = ROOT / "slither" / "runtime"


def _tree(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return {path: root / path for path in files}


def _modules(files: dict[str, Path]) -> dict[str, Path]:
    modules = {}
    for path, source in files.items():
        if path.endswith(".py"):
            name = path[:-3].replace("/", ".").removesuffix(".__init__")
            modules[name] = source
    return modules


def _decide(tmp_path, files, data, decided=None):
    sources = _modules(_tree(tmp_path, files))
    return packages_reading_data_by_path(sources, data, decided or {})


def test_a_data_file_named_beside_file_is_read_by_path(tmp_path):
    assert _decide(tmp_path, {
        "styled/__init__.py": "",
        "styled/render.py": "from pathlib import Path\nCSS = Path(__file__).with_name('estimator.css')\n",
    }, ["styled/estimator.css"]) == {"styled"}


def test_a_data_directory_named_beside_file_is_read_by_path(tmp_path):
    assert _decide(tmp_path, {
        "compiler/__init__.py": "import os\nUTILITY = os.path.join(os.path.dirname(__file__), 'Utility')\n",
    }, ["compiler/Utility/Printing.c"]) == {"compiler"}


def test_importlib_resources_alone_is_not_by_path(tmp_path):
    assert _decide(tmp_path, {
        "certs/__init__.py": "from importlib.resources import files\nPEM = files('certs') / 'cacert.pem'\n",
    }, ["certs/cacert.pem"]) == set()


def test_a_resource_asked_for_as_a_real_file_is_read_by_path(tmp_path):
    """certifi.where(): as_file() needs a real file; frozen, it would copy the resource to a
    temporary file in every process."""
    assert _decide(tmp_path, {
        "certs/core.py": ("from importlib.resources import as_file, files\n"
                          "def where():\n    return str(as_file(files('certs').joinpath('cacert.pem')).__enter__())\n"),
        "certs/__init__.py": "from .core import where\n",
    }, ["certs/cacert.pem"]) == {"certs"}


def test_file_without_a_data_name_is_not_by_path(tmp_path):
    assert _decide(tmp_path, {
        "plain/__init__.py": "import os\nHERE = os.path.dirname(__file__)\n",
    }, ["plain/py.typed"]) == set()


def test_a_package_name_is_not_a_data_directory(tmp_path):
    # "linalg" is a subpackage that also holds a stub file: naming it is importing it
    assert _decide(tmp_path, {
        "num/__init__.py": "import os\nHERE = os.path.dirname(__file__)\nSUBMODULES = ['linalg']\n",
        "num/linalg/__init__.py": "",
    }, ["num/linalg/__init__.pyi"]) == set()


def test_tests_reading_their_data_by_path_do_not_decide(tmp_path):
    assert _decide(tmp_path, {
        "lib/__init__.py": "",
        "lib/tests/__init__.py": "",
        "lib/tests/test_io.py": "import os\nDATA = os.path.join(os.path.dirname(__file__), 'sample.wav')\n",
    }, ["lib/tests/sample.wav"]) == set()


def test_a_recipe_decides_over_the_rule(tmp_path):
    files = {"num/__init__.py": "import os\nINCLUDE = os.path.join(os.path.dirname(__file__), 'include')\n"}
    assert _decide(tmp_path, files, ["num/include/num.h"], {"num": False}) == set()
    assert _decide(tmp_path / "again", {"quiet/__init__.py": ""}, ["quiet/x.dat"], {"quiet": True}) == {"quiet"}


def test_the_digest_names_the_bytes_and_the_paths():
    assert data_digest({"a/x": b"1"}) == data_digest({"a/x": b"1"})
    assert len({data_digest({"a/x": b"1"}), data_digest({"a/x": b"2"}), data_digest({"a/y": b"1"})}) == 3


# -- the runtime's writer, in the host interpreter

FILES = {"bytable/data/table.txt": b"hydrogen 1.008\n", "bytable/data/deeper/more.txt": b"x"}


@pytest.fixture
def stand_ins(tmp_path):
    """_slither_manifest and a data module that records, in a log, each process that loads it:
    only a process that writes the data loads it."""
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "_slither_manifest.py").write_text("DATA_MODULES = {'bytable': '_slither_data_bytable'}\n")
    (modules / "_slither_data_bytable.py").write_text(
        "import os\n"
        f"with open({str(tmp_path / 'writers.log')!r}, 'a') as log:\n"
        "    log.write(f'{os.getpid()}\\n')\n"
        f"FILES = {FILES!r}\n")
    return modules


def _place(stand_ins, data_dir, start_at=None):
    """A process that calls place(), optionally waiting for the start file first (a race)."""
    wait = (f"import os, time\nwhile not os.path.exists({str(start_at)!r}): time.sleep(0.001)\n"
            if start_at else "")
    code = wait + "from _slither_data_dir import place\nprint(place('bytable', 'abc123'))\n"
    environment = {**os.environ, "PYTHONPATH": f"{stand_ins}:{RUNTIME}", "SLITHER_DATA_DIR": str(data_dir)}
    return subprocess.Popen([sys.executable, "-c", code], env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_the_first_process_writes_and_the_next_finds(stand_ins, tmp_path):
    first = _place(stand_ins, tmp_path / "node").communicate()
    second = _place(stand_ins, tmp_path / "node").communicate()
    directory = Path(first[0].strip())
    assert second[0].strip() == str(directory) == str(tmp_path / "node" / f"slither-data-{os.getuid()}" /
                                                       "bytable-abc123"), first[1] + second[1]
    assert (directory / "bytable" / "data" / "table.txt").read_bytes() == b"hydrogen 1.008\n"
    assert (directory / "bytable" / "data" / "deeper" / "more.txt").read_bytes() == b"x"
    assert len((tmp_path / "writers.log").read_text().split()) == 1
    assert oct((tmp_path / "node" / f"slither-data-{os.getuid()}").stat().st_mode & 0o777) == "0o700"


def test_processes_racing_the_first_use_write_once(stand_ins, tmp_path):
    start = tmp_path / "start"
    racers = [_place(stand_ins, tmp_path / "node", start_at=start) for _ in range(8)]
    time.sleep(0.5)  # every racer is waiting for the start
    start.touch()
    answers = [racer.communicate(timeout=60) for racer in racers]
    assert all(racer.returncode == 0 for racer in racers), [error for _, error in answers]
    assert len({output.strip() for output, _ in answers}) == 1
    assert len((tmp_path / "writers.log").read_text().split()) == 1
    base = tmp_path / "node" / f"slither-data-{os.getuid()}"
    assert sorted(entry.name for entry in base.iterdir()) == [".bytable-abc123.lock", "bytable-abc123"]


def test_a_directory_that_cannot_be_written_is_one_line_naming_it_and_the_variable(stand_ins, tmp_path):
    (tmp_path / "a-file").write_text("")
    _, error = _place(stand_ins, tmp_path / "a-file" / "below").communicate()
    last = error.strip().splitlines()[-1]
    assert last.startswith("_slither_data_dir.DataDirectoryError: slither: cannot use "
                           f"{tmp_path / 'a-file' / 'below' / f'slither-data-{os.getuid()}'}"), error
    assert "set SLITHER_DATA_DIR to a node-local directory you can write to" in last


def test_a_directory_others_can_write_to_is_refused(stand_ins, tmp_path):
    base = tmp_path / "node" / f"slither-data-{os.getuid()}"
    base.mkdir(parents=True)
    base.chmod(0o777)
    _, error = _place(stand_ins, tmp_path / "node").communicate()
    assert "only you can write" in error and not (base / "bytable-abc123").exists(), error
