"""Lock files in the download store: written once, by the first build that decides them.

Sources, build requirements and run-time requirements chosen on first use are recorded so
that every later build takes the same bytes. Builds may decide the same lock at once; the
first to record it wins and the others read it back.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_once(path: Path, text: str) -> bool:
    """Write `path` unless it exists, atomically and never replacing it; returns whether this
    call wrote it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w") as stream:
        stream.write(text)
    os.chmod(temporary, 0o644)
    try:
        os.link(temporary, path)  # link(2) fails if the name exists: no window, no replace
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(temporary)
