"""What the TARGET's toolchain on this machine is, as one sha256 every build step signs.

A profile names its compilers (gcc, musl-gcc, cc); what they are is the machine's: a host
upgrade of gcc or of glibc's static libc.a changes the code in every binary, so it must change
every cache key, or a warm cache would keep binaries made with the old ones. Found at plan
time, from what each compiler says of its version and the content of the static archives its
linker takes for the C library and the compiler runtimes.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import shlex
import subprocess

from slither.archive_probe import archive_path, archive_paths

# The archives of the C library and the compiler's runtimes that a static link takes from the
# toolchain itself (everything else comes from recipes or HOST_LIBRARIES, signed on their own).
RUNTIME_ARCHIVES = ("libc.a", "libm.a", "libgcc.a", "libgcc_eh.a", "libstdc++.a", "libgfortran.a", "libquadmath.a")


def _version(compiler: str, environment: dict) -> str:
    try:
        result = subprocess.run([*shlex.split(compiler), "--version"], env=environment, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "(does not run)"
    return result.stdout.strip()


def identity(profile, environment: dict) -> str:
    """sha256 over the compilers' --version and the runtime archives' content (each named, an
    archive the linker does not find counts as absent)."""
    compilers = tuple((role, getattr(profile, role)) for role in ("CC", "CXX", "FC") if getattr(profile, role))
    return _identity(compilers, tuple(sorted(environment.items())))


@functools.lru_cache(maxsize=None)  # one plan asks once per process; a test session asks often
def _identity(compilers: tuple, environment_items: tuple) -> str:
    environment = dict(environment_items)
    digest = hashlib.sha256()
    for role, compiler in compilers:
        digest.update(f"{role}\0{_version(compiler, environment)}\0".encode())
    cc = dict(compilers)["CC"]
    # one trial link for all of them; archive by archive only if one is missing
    paths = archive_paths(cc, RUNTIME_ARCHIVES, environment) or {
        archive: archive_path(cc, archive, environment) for archive in RUNTIME_ARCHIVES}
    for archive in RUNTIME_ARCHIVES:
        path = paths.get(archive, "")
        content = hashlib.sha256(open(path, "rb").read()).hexdigest() if path else "absent"
        digest.update(f"{archive}\0{content}\0".encode())
    return digest.hexdigest()


def with_identity(profile, environment: dict):
    """The profile with its toolchain_identity found (once: a profile that has one keeps it), in
    the environment its compilers run in. Every declaration of one `scons` run must hand its
    steps the same profile data, so SConstruct finds it once and the plan keeps it."""
    if profile.toolchain_identity:
        return profile
    from slither.plan.build_plan import passed_variables
    compilers_environment = {**environment, **passed_variables(profile, environment), **profile.environment}
    return dataclasses.replace(profile, toolchain_identity=identity(profile, compilers_environment))
