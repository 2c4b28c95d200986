"""Where MPI comes from, and how the final static link gets it.

Three sources, one contract (an MPI compiler wrapper that compiles and links MPI programs):
  recipe    MPI=mpich (default): MPICH built from source, static (modules/libraries/mpich.py); its
            wrapper is bin/mpicc inside the unpacked install prefix
  system    MPI=system: the site's wrapper, MPICC (default `mpicc` on PATH)
  compiler  the TARGET profile names an MPI-aware driver (`mpi_compiler`, Cray's `cc`): MPI
            comes from that driver and no MPI recipe is built

Packages that use MPI (mpi4py) compile and link through the wrapper. The final link asks the
wrapper for its link flags (`-show` MPICH-style, `--showme:link` Open MPI-style), unless the
wrapper is the link driver itself (Cray), which adds MPI on its own.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass

from slither.errors import SlitherError

MPI_CHOICES = ("system",)  # besides the name of a recipe that provides mpi (mpich)
WRAPPER_TIMEOUT_SECONDS = 60

# MPI_Init and MPI_Finalize and nothing else: what any MPI program costs at start-up. Linked
# statically the way the final link links MPI, it proves the MPI can link fully static, and
# it is the yardstick `from mpi4py import MPI` is measured against.
MPI_INIT_PROGRAM = """\
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    printf("rank %d of %d\\n", rank, size);
    MPI_Finalize();
    return 0;
}
"""


@dataclass(frozen=True)
class MpiChoice:
    kind: str                        # "recipe", "system" or "compiler"
    wrapper: tuple[str, ...] = ()    # system/compiler: the wrapper's command words
    link_flags: tuple[str, ...] = ()  # system/compiler: what the final link adds (known at plan time)
    recipe: object = None            # recipe: the library recipe that provides mpi
    identity: str = ""               # system/compiler: what the wrapper says it is (part of signatures)

    @property
    def description(self) -> str:
        if self.kind == "recipe":
            return f"{self.recipe.name} {self.recipe.version} (built from source, static)"
        if self.kind == "compiler":
            return f"TARGET compiler {shlex.join(self.wrapper)}"
        return f"MPI=system MPICC={shlex.join(self.wrapper)}"


# Flags a wrapper prints that matter to a link; compile-only ones (-I, -D, -O, ...) do not.
_LINK_PREFIXES = ("-L", "-l", "-Wl,", "-pthread", "-static", "-Xlinker")


def link_only(words: list[str]) -> list[str]:
    flags, keep_next = [], False
    for word in words:
        if keep_next:
            flags.append(word)
            keep_next = False
        elif word == "-Xlinker":
            flags.append(word)
            keep_next = True
        elif word.startswith(_LINK_PREFIXES) or word.endswith((".a", ".o")) and not word.startswith("-"):
            flags.append(word)
    return flags


def _run(command: list[str], env: dict | None) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env, timeout=WRAPPER_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return None


def wrapper_link_flags(wrapper: list[str], what: str, env: dict | None = None) -> list[str]:
    """The wrapper's link flags: MPICH-style `-show` prints the whole command (compiler first),
    Open MPI-style `--showme:link` only the link flags."""
    for probe, starts_with_compiler in ((["-show"], True), (["--showme:link"], False)):
        result = _run([*wrapper, *probe], env)
        if result is None or result.returncode != 0 or not result.stdout.strip():
            continue
        words = shlex.split(result.stdout)
        if starts_with_compiler:
            words = words[1:]
        return link_only(words)
    raise SlitherError(f"{what}: cannot ask {shlex.join(wrapper)} for its link flags (neither `-show` "
                       "nor `--showme:link` works); point it at an MPICH- or Open MPI-style mpicc")


def wrapper_identity(wrapper: list[str], env: dict | None = None) -> str:
    """What the wrapper resolves to and prints about itself: part of the signatures of the
    steps that use a site MPI, so that pointing MPICC elsewhere rebuilds them."""
    resolved = shutil.which(wrapper[0], path=(env or os.environ).get("PATH"))
    shown = ""
    for probe in (["-show"], ["--showme"]):
        result = _run([*wrapper, *probe], env)
        if result is not None and result.returncode == 0 and result.stdout.strip():
            shown = result.stdout.strip()
            break
    return f"{os.path.realpath(resolved) if resolved else wrapper[0]} {' '.join(wrapper[1:])}: {shown}"


def find_wrapper(command: str, what: str, hint: str, path: str | None = None) -> list[str]:
    words = shlex.split(command or "")
    if not words:
        raise SlitherError(f"{what}: no MPI compiler wrapper given; {hint}")
    if shutil.which(words[0], path=path) is None:
        raise SlitherError(f"{what}: MPI compiler wrapper {words[0]!r} not found or not executable; {hint}")
    return words


def choose(mpi: str, mpicc: str, profile, recipes_providing_mpi: list[str]) -> str:
    """Which kind of MPI the build uses: "compiler", "system" or "recipe"."""
    if profile.mpi_compiler:
        if mpi not in ("", "system"):
            raise SlitherError(f"MPI={mpi}: TARGET={profile.name} takes MPI from its compiler driver "
                               f"{profile.mpi_compiler!r}; drop MPI= (no MPI recipe is built with it)")
        return "compiler"
    if mpi == "system":
        return "system"
    if mpi in ("",) or mpi in recipes_providing_mpi:
        return "recipe"
    raise SlitherError(f"MPI={mpi}: choose system (the site's MPICC wrapper) or a recipe that provides "
                       f"MPI ({', '.join(recipes_providing_mpi) or 'none'})")


def site_mpi(kind: str, mpicc: str, profile) -> MpiChoice:
    """MPI=system or the TARGET's MPI-aware driver: find the wrapper and its link flags now, so
    that a missing or unusable wrapper stops the build before anything compiles."""
    path = profile.environment.get("PATH")
    env = {**os.environ, **profile.environment}
    if kind == "compiler":
        what = f"TARGET={profile.name} mpi_compiler"
        wrapper = find_wrapper(profile.mpi_compiler, what, f"fix {profile.path}", path)
    else:
        what = f"MPI=system MPICC={mpicc}"
        wrapper = find_wrapper(mpicc, what, "install the site's MPI (e.g. `module load mpich`, or Debian's "
                               "libmpich-dev) or give its wrapper as MPICC=/path/to/mpicc", path)
    # A wrapper that is the link driver itself adds MPI to every link it makes.
    same_driver = shlex.split(profile.CC)[:1] == wrapper[:1]
    flags = () if same_driver else tuple(wrapper_link_flags(wrapper, what, env))
    return MpiChoice(kind=kind, wrapper=tuple(wrapper), link_flags=flags, identity=wrapper_identity(wrapper, env))


def flags_outside_prefix(flags: list[str], prefix: str) -> list[str]:
    """A built MPI's link flags minus those naming its own prefix (which moves with BUILD_DIR:
    the final link gives it separately, outside the signature)."""
    prefix = os.path.realpath(prefix)
    kept = []
    for flag in flags:
        value = flag[2:] if flag.startswith(("-L", "-I")) else flag.split(",")[-1] if flag.startswith("-Wl,") else ""
        if value and os.path.realpath(value).startswith(prefix):
            continue
        if flag in ("-Wl,-rpath", "-Wl,--enable-new-dtags"):
            continue
        kept.append(flag)
    return kept


_UNDEFINED = re.compile(r"undefined reference to `([A-Za-z]+_?)")
_NOT_FOUND = re.compile(r"cannot find (-l[^\s:]+)")


def explain_static_link_failure(output: str) -> str:
    """What a failed static link of an MPI program lacked, in one line."""
    missing = sorted(set(_NOT_FOUND.findall(output)))
    groups: dict[str, int] = {}
    for prefix in _UNDEFINED.findall(output):
        groups[prefix] = groups.get(prefix, 0) + 1
    parts = []
    if missing:
        parts.append("no static library for " + ", ".join(missing))
    if groups:
        top = sorted(groups.items(), key=lambda item: -item[1])[:6]
        parts.append("undefined references to " + ", ".join(f"{name}* ({count})" for name, count in top))
    detail = "; ".join(parts) or (output.strip().splitlines() or ["no output"])[-1]
    if "hwloc_" in groups or "-ludev" in missing:
        detail += (" (the MPI library needs hwloc, whose static archive needs libudev, which has no static "
                   "library: the wrapper names only the shared dependencies)")
    return detail
