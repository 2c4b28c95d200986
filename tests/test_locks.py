"""Lock files are data from a shared directory: every field is checked when read, a damaged or
planted lock is one line naming the file and how to lock again, and a lock or a store file is
on disk before its name appears (slither/sources/locks.py, slither/files.py)."""

import json
import os

import pytest

from slither import files
from slither.errors import SlitherError
from slither.packages import build_requirements
from slither.plan import runtime_requirements
from slither.sources import locks, unpinned

SHA = "ab" * 32
GOOD_SOURCE = {"format": unpinned.LOCK_FORMAT, "name": "tinypkg", "version": "1.0", "kind": "sdist",
               "filename": "tinypkg-1.0.tar.gz", "sha256": SHA}
GOOD_BUILD = {"format": build_requirements.LOCK_FORMAT, "requires": ["setuptools"], "dynamic": [], "from_build": [],
              "wheels": [{"name": "setuptools", "version": "80.9.0", "filename": "setuptools-80.9.0-py3-none-any.whl",
                          "sha256": SHA}]}


def written(tmp_path, content) -> str:
    path = tmp_path / "locks" / "tinypkg==1.0.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def refusal(read, path) -> str:
    with pytest.raises(SlitherError) as refused:
        read(path)
    message = str(refused.value)
    assert "\n" not in message and str(path) in message and "delete it" in message, message
    return message


@pytest.mark.parametrize("content, reason", [
    ("", "empty"),
    ('{"format": 1, "name": "tinypkg", "vers', "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ({**GOOD_SOURCE, "format": 7}, "format 7"),
    ({key: value for key, value in GOOD_SOURCE.items() if key != "sha256"}, "no 'sha256'"),
    ({**GOOD_SOURCE, "sha256": "0" * 63}, "is not a sha256"),
    ({**GOOD_SOURCE, "sha256": SHA.upper()}, "is not a sha256"),
    ({**GOOD_SOURCE, "filename": "../../x.whl"}, "is not a bare file name"),
    ({**GOOD_SOURCE, "filename": ".hidden.tar.gz"}, "is not a bare file name"),
    ({**GOOD_SOURCE, "filename": 3}, "is not a bare file name"),
    ({**GOOD_SOURCE, "kind": "binary"}, "neither wheel nor sdist"),
    ({**GOOD_SOURCE, "name": "other"}, "it locks other==1.0, not tinypkg==1.0"),
    ({**GOOD_SOURCE, "version": "2.0"}, "it locks tinypkg==2.0"),
])
def test_a_damaged_source_lock_is_one_line(tmp_path, content, reason):
    path = written(tmp_path, content)
    assert reason in refusal(lambda p: unpinned.read_lock(p, "tinypkg", "1.0"), path)


def test_a_sound_source_lock_reads_back(tmp_path):
    source = unpinned.read_lock(written(tmp_path, GOOD_SOURCE), "TinyPkg", "1.0")
    assert (source.filename, source.sha256, source.pip.kind) == ("tinypkg-1.0.tar.gz", SHA, "sdist")


@pytest.mark.parametrize("change, reason", [
    ({"wheels": [{**GOOD_BUILD["wheels"][0], "filename": "/etc/passwd"}]}, "is not a bare file name"),
    ({"wheels": [{**GOOD_BUILD["wheels"][0], "sha256": "x"}]}, "is not a sha256"),
    ({"wheels": "setuptools"}, "wheels is not a list of objects"),
    ({"requires": "setuptools"}, "requires is not a list of strings"),
])
def test_a_damaged_build_requirements_lock_is_one_line(tmp_path, change, reason):
    path = written(tmp_path, {**GOOD_BUILD, **change})
    assert reason in refusal(build_requirements.read_lock, path)
    assert build_requirements.read_lock(written(tmp_path, GOOD_BUILD)).wheels[0].sha256 == SHA


def test_a_damaged_runtime_requirements_lock_is_one_line(tmp_path):
    path = runtime_requirements.lock_path(tmp_path, "tinypkg", "1.0", "3.11")
    path.parent.mkdir(parents=True)
    for content, reason in ((json.dumps({"format": 1, "requires": ["numpy >= "]}), "damaged"),
                            (json.dumps({"format": 1, "requires": [3]}), "requires is not a list of strings"),
                            ("{", "not JSON")):
        path.write_text(content)
        message = refusal(lambda p: runtime_requirements.requirements_of(
            "tinypkg", "1.0", tmp_path / "absent.tar.gz", (), series="3.11", full_version="3.11.2", store=tmp_path),
            path)
        assert reason in message


def test_a_lock_and_a_store_file_reach_the_disk_before_their_names(tmp_path, monkeypatch):
    events = []
    real_fsync, real_link, real_replace = os.fsync, os.link, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "link", lambda a, b: (events.append("link"), real_link(a, b))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    assert locks.write_text_once(tmp_path / "lock.json", "{}\n")
    assert events == ["fsync", "link", "fsync"]  # the file, its name, the directory holding the name
    events.clear()
    (tmp_path / "partial").write_bytes(b"sdist bytes")
    files.durable_replace(tmp_path / "partial", tmp_path / "stored")
    assert events == ["fsync", "replace", "fsync"] and (tmp_path / "stored").read_bytes() == b"sdist bytes"
    events.clear()
    files.atomic_write_text(tmp_path / "entry.json", "{}")
    assert events == ["fsync", "replace", "fsync"]
