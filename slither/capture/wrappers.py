"""Write the compiler wrapper scripts a package's build system is pointed at (CC, CXX, FC, LD, AR)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from .partial_link import find_toolchain_program
from ..files import atomic_write_bytes

# The package that holds slither, baked into the scripts: the build system may run them with
# any PYTHONPATH (or none), and must not see ours leak into its compiler's environment.
# -S: the capture needs only the standard library, and site-packages .pth files cost time.
SLITHER_ROOT = Path(__file__).resolve().parent.parent.parent
LAUNCHER = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
            "from slither.capture.__main__ import main; main()")

SCRIPT = """#!/bin/sh
# Written by slither.capture: runs {compiler} unchanged and, for every -shared link of a
# Python extension module, also records its static twin in {record_dir}.
exec {command} "$@"
"""


# For a toolchain without a compiler for the role (musl-gcc has no C++): a build that tries it
# fails with a line saying why, instead of silently picking the machine's glibc g++.
NO_COMPILER_SCRIPT = """#!/bin/sh
echo "slither: the TARGET toolchain has no {language} compiler (its profile leaves {variable} empty)" >&2
exit 1
"""


def as_words(command: str | Sequence[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def write_script(path: Path, role: str, compiler: list[str], *, python: str, record_dir: Path,
                 toolchain_options: list[str]) -> None:
    command = [python, "-S", "-c", LAUNCHER, str(SLITHER_ROOT), role,
               "--record-dir", str(record_dir), *toolchain_options,
               "--compiler-words", str(len(compiler)), "--", *compiler]
    text = SCRIPT.format(compiler=shlex.join(compiler), record_dir=record_dir, command=shlex.join(command))
    atomic_write_bytes(path, text.encode(), mode=0o755)


def write_wrappers(directory: Path, *, real_cc: str | Sequence[str], real_cxx: str | Sequence[str],
                   python: str, record_dir: Path, package_roots: Sequence[Path] = (),
                   ld: str | None = None, objcopy: str | None = None, nm: str | None = None,
                   real_fc: str | Sequence[str] = (), ar: str | None = None) -> dict[str, str]:
    """Write `cc`, `c++`, `gfortran`, `ld` and `ar` wrappers into `directory`; returns the
    environment that selects them.

    The result maps CC, CXX, LDSHARED and LDCXXSHARED to the wrappers (setuptools reads all
    four; meson and CMake take CC and CXX) and FC, F77 and F90 to the Fortran one (meson, CMake,
    numpy.f2py and numpy.distutils read those). Libraries under `package_roots`, or under the
    working directory of a link, count as package-private and are merged into the capture.
    ld, objcopy, nm and ar default to the ones the C compiler names (`-print-prog-name`).

    LD and AR name the `ld` and `ar` wrappers: a build that calls the linker itself
    (`$LD -shared`) is captured like a driver link, and an archive made through `$AR` counts as
    the package's own wherever it is written (slither.capture.archives). CMake looks for its
    archiver beside the C compiler first, so it finds the `ar` wrapper there. They are not put
    on PATH: gcc's collect2 looks `ld` up there, and every driver link would run it twice.
    """
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    record_dir = Path(record_dir).resolve()
    record_dir.mkdir(parents=True, exist_ok=True)
    c_compiler, cxx_compiler, fortran_compiler = as_words(real_cc), as_words(real_cxx), as_words(real_fc)
    ld = ld or find_toolchain_program(c_compiler, "ld")
    toolchain_options = [
        "--ld", ld,
        "--objcopy", objcopy or find_toolchain_program(c_compiler, "objcopy"),
        "--nm", nm or find_toolchain_program(c_compiler, "nm"),
    ]
    for root in package_roots:
        toolchain_options += ["--package-root", str(Path(root).resolve())]
    scripts = {"cc": ("c", c_compiler), "c++": ("c++", cxx_compiler), "gfortran": ("fortran", fortran_compiler),
               "ld": ("ld", [ld]), "ar": ("ar", [ar or find_toolchain_program(c_compiler, "ar")])}
    for name, (role, compiler) in scripts.items():
        if not compiler:
            language, variable = {"c": ("C", "CC"), "c++": ("C++", "CXX"), "fortran": ("Fortran", "FC")}[role]
            text = NO_COMPILER_SCRIPT.format(language=language, variable=variable)
            atomic_write_bytes(directory / name, text.encode(), mode=0o755)
            continue
        write_script(directory / name, role, compiler, python=python, record_dir=record_dir,
                     toolchain_options=toolchain_options)
    cc, cxx, fc = str(directory / "cc"), str(directory / "c++"), str(directory / "gfortran")
    return {"CC": cc, "CXX": cxx, "LDSHARED": f"{cc} -shared", "LDCXXSHARED": f"{cxx} -shared",
            "FC": fc, "F77": fc, "F90": fc, "LD": str(directory / "ld"), "AR": str(directory / "ar")}
