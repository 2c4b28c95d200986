#!/usr/bin/env python3
"""A slow metadata server, simulated: a FUSE passthrough of one real directory.

What makes it a metadata server of a parallel filesystem in miniature:
* it handles ONE request at a time (libfuse's single-threaded loop, `-s`), so concurrent
  clients queue behind one another as ranks queue at a Lustre MDS or a GPFS token server;
* every metadata operation (lookup/getattr, open, opendir, readdir, readlink, access, statfs)
  costs a fixed service time before it is answered; data reads cost only their copy;
* the kernel caches nothing it could answer metadata from: entry_timeout, attr_timeout and
  negative_timeout are 0, so every path lookup of every process reaches this server.

Usage: bench/metadata_server.py SOURCE_DIR MOUNTPOINT --service-ms 1 [--stats FILE]
Runs in the foreground until unmounted (`fusermount3 -u MOUNTPOINT`); on exit it writes the
number of operations it served, by kind, to --stats as JSON.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

# Mount options that switch off every kernel-side metadata cache (see fuse(8)).
NO_CACHE_OPTIONS = {"entry_timeout": 0, "attr_timeout": 0, "negative_timeout": 0}
METADATA_OPERATIONS = ("getattr", "open", "opendir", "readdir", "readlink", "access", "statfs")


def wait(seconds: float) -> None:
    """Hold the (only) request for `seconds`: sleep most of it, spin the last stretch.

    time.sleep alone overshoots by tens of microseconds, which would make 0.1 ms read 0.16 ms.
    """
    if seconds <= 0:
        return
    deadline = time.perf_counter() + seconds
    if seconds > 0.0005:
        time.sleep(seconds - 0.0003)
    while time.perf_counter() < deadline:
        pass


def make_operations(source: Path, service_seconds: float):
    import mfusepy

    class SlowMetadataPassthrough(mfusepy.Operations):
        use_ns = True

        def __init__(self):
            self.counts: Counter = Counter()
            self.busy_seconds = 0.0

        def _real(self, path: str) -> str:
            return str(source) + path

        def _metadata(self, kind: str) -> None:
            started = time.perf_counter()
            self.counts[kind] += 1
            wait(service_seconds)
            self.busy_seconds += time.perf_counter() - started

        def _call(self, function, *args):
            try:
                return function(*args)
            except OSError as error:
                raise mfusepy.FuseOSError(error.errno or errno.EIO) from None

        def getattr(self, path, fh=None):
            self._metadata("getattr")
            st = self._call(os.lstat, self._real(path))
            return {"st_mode": st.st_mode, "st_nlink": st.st_nlink, "st_uid": st.st_uid, "st_gid": st.st_gid,
                    "st_size": st.st_size, "st_ino": st.st_ino, "st_atime": st.st_atime_ns,
                    "st_mtime": st.st_mtime_ns, "st_ctime": st.st_ctime_ns}

        def access(self, path, amode):
            self._metadata("access")
            if not os.access(self._real(path), amode):
                raise mfusepy.FuseOSError(errno.EACCES)
            return 0

        def readlink(self, path):
            self._metadata("readlink")
            return self._call(os.readlink, self._real(path))

        def opendir(self, path):
            self._metadata("opendir")
            if not os.path.isdir(self._real(path)):
                raise mfusepy.FuseOSError(errno.ENOTDIR)
            return 0

        def readdir(self, path, fh):
            self._metadata("readdir")
            return [".", ".."] + self._call(os.listdir, self._real(path))

        def releasedir(self, path, fh):
            return 0

        def open(self, path, flags):
            self._metadata("open")
            return self._call(os.open, self._real(path), flags & ~(os.O_CREAT | os.O_TRUNC))

        def read(self, path, size, offset, fh):
            self.counts["read"] += 1
            return os.pread(fh, size, offset)

        def release(self, path, fh):
            os.close(fh)
            return 0

        def statfs(self, path):
            self._metadata("statfs")
            st = os.statvfs(self._real(path))
            return {key: getattr(st, key) for key in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail",
                                                       "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

    return SlowMetadataPassthrough()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("mountpoint", type=Path)
    parser.add_argument("--service-ms", type=float, default=0.0, help="fixed service time per metadata operation")
    parser.add_argument("--stats", type=Path, help="write the operation counts here (JSON) on unmount")
    args = parser.parse_args()
    if not args.source.is_dir():
        sys.exit(f"metadata_server: {args.source} is not a directory")
    if not args.mountpoint.is_dir():
        sys.exit(f"metadata_server: mountpoint {args.mountpoint} is not a directory")
    try:
        import mfusepy
    except ImportError:
        sys.exit("metadata_server: the FUSE binding is missing: pip install -r bench/requirements.txt")
    operations = make_operations(args.source.resolve(), args.service_ms / 1000.0)
    try:
        mfusepy.FUSE(operations, str(args.mountpoint), foreground=True, nothreads=True, ro=True,
                     fsname="slither-bench-mds", **NO_CACHE_OPTIONS)
    except RuntimeError:
        # SIGTERM (fuse_sweep's way to stop a server still working through a backlog when
        # its cell ran out of time) ends libfuse's loop with an error: the count is still wanted.
        pass
    finally:
        if args.stats:
            write_stats(args.stats, args.service_ms, operations)


def write_stats(path: Path, service_ms: float, operations) -> None:
    stats = {"service_ms": service_ms, "operations": dict(operations.counts),
             "metadata_operations": sum(operations.counts[k] for k in METADATA_OPERATIONS),
             "busy_seconds": round(operations.busy_seconds, 6)}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(stats, indent=1))
    os.replace(temporary, path)


if __name__ == "__main__":
    main()
