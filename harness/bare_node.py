"""An emulated bare login node: a minimal Debian root file system with a C, C++ and Fortran
compiler, make, Python (with its venv module), Perl and the few tools a build runs (patch, xz),
and no `-dev` library package, entered with chroot as a user who is not root.

It is what a user meets on a SLES, RHEL or Cray login node: no root, no distribution packages to
add, only compilers. mmdebstrap makes it from the Debian archive this machine's own apt uses (the
URI is read from /etc/apt at run time). pip inside is configured like this machine's pip: its
configuration files, its PIP_* variables and its CA bundle are copied in, and local directories
the configuration names (find-links, file:// indexes, constraint files) are bound read-only at
the same paths, so that pip inside reaches the same package index.

Every command runs in a mount namespace of its own (`unshare --mount`) that mounts /proc, a
tmpfs on /dev/shm and those bound directories, then enters the chroot: the mounts end with the
command, however it ends, and deleting the root file system never reaches through a mount.

Needs root (mmdebstrap's root mode, chroot, mounts) and mmdebstrap (./bootstrap as root installs
it): `unavailable()` says why not otherwise.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from slither.sources import apt_sources

SUITE = "bookworm"
# What a login node offers: compilers, make, Python with venv, Perl (OpenSSL's Configure), and
# the tools the build runs (patch for the pinned patches, xz for .tar.xz sources). Nothing else:
# in particular no -dev package, no strace (the audit runs from outside), no git, no sudo.
PACKAGES = ("gcc", "g++", "gfortran", "make", "python3", "python3-venv", "perl", "patch", "xz-utils")
USER = "slither"
# pip's configuration files, as pip looks for them (site, XDG, user; legacy user file too).
PIP_SITE_FILES = ("/etc/pip.conf", "/etc/xdg/pip")
PIP_USER_FILES = (".config/pip/pip.conf", ".pip/pip.conf")
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
PATH = "/usr/local/bin:/usr/bin:/bin"


def unavailable() -> str:
    """Why a bare node cannot be made here, or ''."""
    if os.geteuid() != 0:
        return "the bare login node needs root (mmdebstrap, chroot and mounts)"
    for program in ("mmdebstrap", "unshare", "chroot"):
        if shutil.which(program) is None:
            return f"{program} is not installed (./bootstrap as root on Debian installs mmdebstrap)"
    if not debian_uri():
        return "no Debian archive in /etc/apt to make the bare login node's root file system from"
    return ""


def debian_uri(apt_root: str = "/etc/apt") -> str:
    """The URI of this machine's Debian archive: the entry that serves the suite itself."""
    for stanza in apt_sources.read_binary_entries(apt_root):
        if "deb" in stanza.get("Types", "").split() and SUITE in stanza.get("Suites", "").split() \
                and "main" in stanza.get("Components", "").split():
            return stanza.get("URIs", "").split()[0]
    return ""


def pip_environment(environment=None) -> dict[str, str]:
    """This machine's PIP_* variables, which the user inside gets too."""
    return {name: value for name, value in (environment or os.environ).items() if name.startswith("PIP_")}


def local_paths(texts) -> list[Path]:
    """Absolute paths and file:// URLs named in pip's configuration (values split on blanks
    and '='), that exist here: what pip inside must see at the same place. A local index's
    pages (`<repository>/simple/<name>/`) link to files elsewhere in its repository, so the
    repository is what is named then."""
    found = []
    for text in texts:
        for word in text.replace("=", " ").split():
            word = word.strip("'\"")
            url = word.startswith("file://")
            if url:
                word = word[len("file://"):].rstrip("/")
            path = Path(word)
            if url and path.name == "simple":
                path = path.parent
            if word.startswith("/") and path.exists() and path not in found:
                found.append(path)
    return found


def make_root(directory: Path, packages=PACKAGES, log=None) -> None:
    """mmdebstrap's minbase variant plus `packages`, into `directory` (which must not exist)."""
    command = ["mmdebstrap", "--variant=minbase", "--include=" + ",".join(packages),
               SUITE, str(directory), debian_uri()]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if log is not None:
        Path(log).write_text(result.stdout)
    if result.returncode != 0:
        raise RuntimeError(f"mmdebstrap failed ({result.returncode}):\n{result.stdout[-4000:]}")


@dataclass
class BareNode:
    root: Path
    uid: int = 0
    binds: list[Path] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        """The user's home as seen inside."""
        return Path("/home") / USER

    def outside(self, inside: str | Path) -> Path:
        """Where a path inside the node lies on this machine."""
        return self.root / str(inside).lstrip("/")

    @classmethod
    def create(cls, root: Path, packages=PACKAGES, log=None) -> "BareNode":
        make_root(root, packages, log)
        subprocess.run(["chroot", str(root), "useradd", "--create-home", "--shell", "/bin/bash", USER],
                       check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        uid = int(subprocess.run(["chroot", str(root), "id", "-u", USER], check=True, stdout=subprocess.PIPE,
                                 text=True).stdout)
        node = cls(root=root, uid=uid)
        node._configure_network_and_pip()
        return node

    def _configure_network_and_pip(self) -> None:
        for name in ("/etc/resolv.conf", "/etc/hosts"):
            if os.path.isfile(name):
                shutil.copyfile(name, self.outside(name))
        texts = []
        for name in PIP_SITE_FILES:
            source = Path(name)
            if source.is_dir():
                shutil.copytree(source, self.outside(name), dirs_exist_ok=True)
                texts += [p.read_text(errors="replace") for p in source.rglob("*") if p.is_file()]
            elif source.is_file():
                self.outside(name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, self.outside(name))
                texts.append(source.read_text(errors="replace"))
        for name in PIP_USER_FILES:
            source = Path.home() / name
            if source.is_file():
                target = self.outside(self.home / name)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                texts.append(source.read_text(errors="replace"))
        if os.path.isfile(CA_BUNDLE):
            self.outside(CA_BUNDLE).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(CA_BUNDLE, self.outside(CA_BUNDLE))
        self.environment = pip_environment()
        texts += self.environment.values()
        for path in local_paths(texts):
            target = self.outside(path)
            if target.exists():  # copied above (a constraint file under /etc/xdg/pip, the CA bundle)
                continue
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                self.binds.append(path)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        self.chown(self.outside(self.home))

    def chown(self, path: Path) -> None:
        """Give a tree (made from outside) to the user inside."""
        subprocess.run(["chown", "-R", f"{self.uid}:{self.uid}", str(path)], check=True)

    def copy_in(self, source: Path, inside: str | Path, *, files=None) -> Path:
        """Copy a tree (or only `files`, paths relative to it) to `inside`, owned by the user."""
        target = self.outside(inside)
        names = files if files is not None else [p.relative_to(source) for p in source.rglob("*") if p.is_file()]
        for name in names:
            origin, copy = source / name, target / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_symlink():
                os.symlink(os.readlink(origin), copy)
            elif origin.is_file():
                shutil.copy2(origin, copy)
        self.chown(target)
        return target

    def link_in(self, files, inside: str | Path) -> Path:
        """Files (verified sources) into one directory inside, hard-linked when possible."""
        target = self.outside(inside)
        target.mkdir(parents=True, exist_ok=True)
        for origin in files:
            copy = target / Path(origin).name
            if copy.exists():
                continue
            try:
                os.link(origin, copy)
            except OSError:
                shutil.copy2(origin, copy)
        subprocess.run(["chown", f"{self.uid}:{self.uid}", str(target)], check=True)
        return target

    def command(self, script: str, *, cwd: str | Path | None = None) -> list[str]:
        """The argv that runs a bash script as the user inside, in a mount namespace of its own."""
        mounts = [f"mount -t proc proc {shlex.quote(str(self.outside('/proc')))}",
                  f"mount -t tmpfs -o mode=1777 tmpfs {shlex.quote(str(self.outside('/dev/shm')))}"]
        mounts += [f"mount -o bind,ro {shlex.quote(str(path))} {shlex.quote(str(self.outside(path)))}"
                   for path in self.binds]
        environment = {"HOME": str(self.home), "USER": USER, "LOGNAME": USER, "PATH": PATH, "LANG": "C.UTF-8",
                       "SHELL": "/bin/bash", **self.environment}
        inner = f"cd {shlex.quote(str(cwd or self.home))} && {script}"
        enter = ["chroot", f"--userspec={self.uid}:{self.uid}", str(self.root),
                 "/usr/bin/env", "-i", *[f"{name}={value}" for name, value in environment.items()],
                 "/bin/bash", "-c", inner]
        setup = " && ".join(mounts) + " && exec " + shlex.join(enter)
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", setup]

    def run(self, script: str, *, cwd=None, timeout: float = 3600, trace: Path | None = None) -> subprocess.CompletedProcess:
        """Run a bash script as the user inside; output captured as text (stderr into stdout).
        trace: a file for `strace -f -e trace=%file` from outside (it follows into the chroot)."""
        argv = self.command(script, cwd=cwd)
        if trace is not None:
            argv = ["strace", "-f", "-qq", "-e", "trace=%file", "-o", str(trace), *argv]
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
