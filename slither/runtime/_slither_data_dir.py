"""Package data written once per node, for packages that read their own files by path.

Frozen into every Slither binary; imported only when a package the build found reading its data
by path (slither.freeze.data_by_path: scikit-learn's CSS, Cython's Utility/ sources, fonts a C
library opens by name) is first imported. The package's data files are written to

    $SLITHER_DATA_DIR/slither-data-<uid>/<package>-<digest of its data>/<package>/...

(SLITHER_DATA_DIR defaults to /tmp, node-local on compute nodes; never the home directory or the
shared filesystem), and the runtime points the package's `__file__` and `__path__` there, so
that `os.path.dirname(__file__)` names a directory where the files exist.

Once per node: the first process takes an exclusive lock beside the directory, writes the files
into a temporary directory and renames it into place; the others wait on the lock, then find the
directory. Every later process pays one lstat of the directory. The digest names the bytes: a
binary with other data never takes this copy, binaries with the same data share it.
"""

import os
import stat

import _slither_manifest

VARIABLE = "SLITHER_DATA_DIR"
DEFAULT_ROOT = "/tmp"


class DataDirectoryError(ImportError):
    """The node-local directory cannot hold the data: one line that names it and the variable."""


def data_root():
    return os.path.join(os.environ.get(VARIABLE) or DEFAULT_ROOT, f"slither-data-{os.getuid()}")


def _is_ours(status):
    """A directory of this user that nobody else can write to: what it holds, this user wrote."""
    return (stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid()
            and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _refuse(directory, reason):
    raise DataDirectoryError(
        f"slither: cannot use {directory} for package data read by path ({reason}); set {VARIABLE} "
        f"to a node-local directory you can write to")


def _write_files(directory, files):
    for path, content in files.items():
        target = os.path.join(directory, *path.split("/"))
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        with open(target, "xb") as stream:
            stream.write(content)


def place(package, digest):
    """The directory holding `package`'s data files as `<directory>/<package>/...`, written first
    if this node does not have it yet. Raises DataDirectoryError when it cannot be written."""
    base = data_root()
    final = os.path.join(base, f"{package}-{digest}")
    try:
        status = os.lstat(final)
    except OSError:  # absent (the first use on this node), or a path that cannot be: made below
        status = None
    if status is not None:
        if _is_ours(status):
            return final
        _refuse(final, "it is not a directory of yours that only you can write")
    # Only the node's first process gets here: the later ones import nothing more than os and stat.
    import fcntl
    import shutil
    import tempfile
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        if not _is_ours(os.lstat(base)):
            _refuse(base, "it is not a directory of yours that only you can write")
        lock_fd = os.open(os.path.join(base, f".{package}-{digest}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        _refuse(base, error.strerror or str(error))
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        if os.path.isdir(final):  # another process of this node wrote it while this one waited
            return final
        scratch = tempfile.mkdtemp(prefix=f".{package}-{digest}.", dir=base)
        try:
            from importlib import import_module
            _write_files(scratch, import_module(_slither_manifest.DATA_MODULES[package]).FILES)
            os.rename(scratch, final)
        except OSError as error:
            shutil.rmtree(scratch, ignore_errors=True)
            _refuse(base, error.strerror or str(error))
        return final
    finally:
        os.close(lock_fd)
