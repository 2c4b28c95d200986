"""The Linux kernel's own headers for a compiler that does not search the host's /usr/include.

musl-gcc searches musl's include directory only, so that no glibc header is taken by mistake;
with it go the kernel's userspace headers (linux/, asm/, asm-generic/), which belong to no C
library (Alpine installs them for musl as the linux-headers package, musl-cross-make does the
same). util-linux's configure stops without <linux/version.h>. A profile with
kernel_headers_from_host = True gives its library steps a directory of links to the host's
copies (installed with the C compiler: linux-libc-dev on Debian, kernel-headers on RHEL and SUSE)
and nothing else from /usr/include.
"""

from __future__ import annotations

import glob
import platform
from pathlib import Path

from slither.errors import SlitherError

INCLUDE = Path("/usr/include")
# asm/ is per architecture: Debian's multiarch directory (x86_64-linux-gnu/asm), else /usr/include/asm.
HEADER_DIRECTORIES = ("linux", "asm-generic", "asm")


def host_kernel_headers(include: Path = INCLUDE, machine: str = "") -> dict[str, Path]:
    """{linux, asm-generic, asm: the host's directory}; one line naming what to install if absent."""
    machine = machine or platform.machine()
    found = {name: include / name for name in ("linux", "asm-generic") if (include / name / "types.h").is_file()}
    multiarch = sorted(glob.glob(str(include / f"{machine}-linux-*" / "asm" / "types.h")))
    for candidate in [*(Path(path).parent for path in multiarch), include / "asm"]:
        if (candidate / "types.h").is_file():
            found["asm"] = candidate
            break
    missing = [name for name in HEADER_DIRECTORIES if name not in found]
    if missing:
        raise SlitherError(f"the Linux kernel headers ({', '.join(f'{name}/' for name in missing)}) are not under "
                           f"{include}; install them (Debian: linux-libc-dev; RHEL, SUSE: kernel-headers)")
    return found


def link_kernel_headers(directory: Path, include: Path = INCLUDE, machine: str = "") -> Path:
    """A directory holding only links to the host's kernel headers, for -isystem."""
    headers = host_kernel_headers(include, machine)
    directory.mkdir(parents=True, exist_ok=True)
    for name, target in headers.items():
        link = directory / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)
    return directory
