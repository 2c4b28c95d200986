"""Which static archive a toolchain's linker takes: one trial link of an empty program.

Below both the plan (HOST_LIBRARIES, the toolchain identity, a recipe's static_libraries) and
the CPython step (a host library taken for a stdlib module), which ask the same question.
(`-print-file-name` is not enough: musl-gcc answers with glibc's archives, which its linker never
searches.)
"""

from __future__ import annotations

import shlex
import subprocess
import tempfile
from pathlib import Path

PROBE_PROGRAM = "int main(void) { return 0; }\n"


def archive_paths(cc: str, archives, environment: dict, search_flags=()) -> dict[str, str]:
    """{archive: the file the linker takes for -l:archive} from one trial link with --trace
    ({} when the link fails: an archive it cannot find); search_flags: -L directories to search
    before the toolchain's own."""
    with tempfile.TemporaryDirectory(prefix="slither-archive-probe-") as scratch:
        probe = Path(scratch) / "probe.c"
        probe.write_text(PROBE_PROGRAM)
        try:
            result = subprocess.run([*shlex.split(cc), *search_flags, str(probe), "-o", str(Path(scratch) / "probe"),
                                     *(f"-l:{archive}" for archive in archives), "-Wl,--trace"], env=environment,
                                    cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            return {}
    if result.returncode != 0:
        return {}
    found = {}
    for line in result.stdout.splitlines():
        # GNU ld prints an archive as "path" or "(path)member"; gold and lld alike name the path
        candidate = line.strip().lstrip("(").split(")")[0]
        for archive in archives:
            if archive not in found and candidate.endswith("/" + archive) and Path(candidate).is_file():
                found[archive] = str(Path(candidate).resolve())
    return found


def archive_path(cc: str, archive: str, environment: dict, search_flags=()) -> str:
    """The file the linker takes for -l:archive, "" when it finds none."""
    return archive_paths(cc, (archive,), environment, search_flags).get(archive, "")


def archive_found(cc: str, archive: str, environment: dict, search_flags=()) -> bool:
    return bool(archive_path(cc, archive, environment, search_flags))
