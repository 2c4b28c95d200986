"""HOST_LIBRARIES: the host's static archives of stdlib libraries, found, identified and signed.

A site that wants its own build of a library (a patched OpenSSL, a FIPS one) names it in
HOST_LIBRARIES; the CPython step then links the host's archives of it instead of building its
recipe. Found here, at plan time, with the toolchain's own linker (a trial link that traces
which file it took), so that a missing one is one line before anything builds. Each archive's
content signs the CPython step (a host upgrade rebuilds it), and the package that installed it
is recorded for the summary and the manifest (dpkg or rpm, where either knows the file).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

from slither.archive_probe import archive_path
from slither.errors import SlitherError


@dataclass(frozen=True)
class HostArchive:
    library: str        # the stdlib library it belongs to, e.g. "openssl"
    archive: str        # e.g. "libssl.a"
    path: str           # the file the linker takes
    package: str        # "libssl-dev 3.0.17-1~deb12u2", or "" where no package manager knows it

def installed_by(path: str) -> str:
    """Which package installed a file, with its version: dpkg, else rpm; "" if neither knows."""
    queries = (
        (["dpkg-query", "-S", path], lambda out: out.split(":", 1)[0].strip()),
        (["rpm", "-qf", "--qf", "%{NAME} %{VERSION}-%{RELEASE}", path], lambda out: out.strip()),
    )
    for command, package_of in queries:
        try:
            result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if result.returncode != 0 or not result.stdout.strip():
            continue
        package = package_of(result.stdout.splitlines()[0])
        if command[0] == "rpm":
            return package
        try:
            version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            version = ""
        return f"{package} {version}".strip()
    return ""


def find(names, cpython_recipe, profile, environment: dict) -> tuple[HostArchive, ...]:
    """Every archive of the named libraries, or one line naming each the host lacks."""
    by_name = {library.name: library for library in cpython_recipe.stdlib_libraries}
    found, missing = [], []
    for name in names:
        library = by_name[name]
        for archive in library.archives:
            path = archive_path(profile.CC, archive, environment)
            if not path:
                where = (profile.missing_library_reason.format(archive=archive, package=library.host_package)
                         if profile.missing_library_reason
                         else profile.package_manager_hint.format(package=library.host_package))
                missing.append(f"{archive} for {name} ({where})")
                continue
            found.append(HostArchive(name, archive, path, installed_by(path)))
    if missing:
        raise SlitherError(f"HOST_LIBRARIES: TARGET={profile.name}'s linker finds no {'; no '.join(missing)}; "
                           "install it, or drop the library from HOST_LIBRARIES to build it from its recipe")
    return tuple(found)
