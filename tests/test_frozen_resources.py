"""The runtime's package-data and metadata protocols, exercised in the host interpreter with a
stand-in for the generated modules (the real binary is checked in tests/test_user_code.py)."""

import importlib.metadata
import importlib.resources
import sys
import types

import pytest

from slither.recipes.loading import PROJECT_ROOT

FILES = {
    "demo/config.cfg": b"[mpi]\nmpicc = cc\n",
    "demo/templates/page.html": b"<p>hello</p>\n",
    "demo/templates/deeper/note.txt": b"note",
    "demo/sub/__data__.bin": b"\x00\x01",
}
DISTRIBUTION_FILES = {
    "demo-1.2.3.dist-info/METADATA": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.2.3\n",
    "demo-1.2.3.dist-info/entry_points.txt": b"[console_scripts]\ndemo = demo:main\n",
}


@pytest.fixture
def resources(monkeypatch):
    """Import slither/runtime/_slither_resources.py against generated-module stand-ins."""
    manifest = types.ModuleType("_slither_manifest")
    manifest.DATA_MODULES = {"demo": "_slither_data_demo"}
    manifest.DISTRIBUTIONS_MODULE = "_slither_distributions"
    data = types.ModuleType("_slither_data_demo")
    data.FILES = FILES
    distributions = types.ModuleType("_slither_distributions")
    distributions.FILES = DISTRIBUTION_FILES
    for module in (manifest, data, distributions):
        monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.syspath_prepend(str(PROJECT_ROOT / "slither" / "runtime"))
    monkeypatch.delitem(sys.modules, "_slither_resources", raising=False)
    import _slither_resources
    return _slither_resources


def test_a_package_traversable_reads_walks_and_refuses_writes(resources):
    root = resources.FrozenResourceReader("demo").files()
    assert root.is_dir() and not root.is_file()
    assert sorted(child.name for child in root.iterdir()) == ["config.cfg", "sub", "templates"]
    assert (root / "config.cfg").read_text() == "[mpi]\nmpicc = cc\n"
    assert root.joinpath("templates", "deeper/note.txt").read_bytes() == b"note"
    with (root / "templates" / "page.html").open() as stream:
        assert stream.read() == "<p>hello</p>\n"
    with pytest.raises(FileNotFoundError, match="demo/missing.txt"):
        (root / "missing.txt").read_bytes()
    with pytest.raises(ValueError, match="read-only"):
        (root / "config.cfg").open("w")


def test_a_subpackage_sees_only_its_own_files(resources):
    sub = resources.FrozenResourceReader("demo.sub").files()
    assert [child.name for child in sub.iterdir()] == ["__data__.bin"]


def test_as_file_gives_a_real_temporary_file(resources):
    traversable = resources.FrozenResourceReader("demo").files() / "config.cfg"
    with importlib.resources.as_file(traversable) as path:
        assert path.read_bytes() == FILES["demo/config.cfg"]
    assert not path.exists()


def test_distributions_answer_version_and_entry_points(resources):
    context = importlib.metadata.DistributionFinder.Context(name="Demo")
    (distribution,) = resources.find_distributions(context)
    assert distribution.version == "1.2.3"
    assert [entry.name for entry in distribution.entry_points] == ["demo"]
    assert list(resources.find_distributions(
        importlib.metadata.DistributionFinder.Context(name="other"))) == []
