"""SCons tool: the content-hash cache (CacheDir) with an integrity check on retrieval.

SCons names a cache entry after the target's build signature, which says nothing about the
bytes stored. Each entry therefore gets a `.sha256` sidecar when pushed; an entry whose bytes
no longer match (a disk error, a half-copied file, tampering) is moved aside and rebuilt,
never trusted. An entry or sidecar written by another user is used only when that user is in a
group CACHE_TRUST names (slither/cache/trust.py); otherwise it is rebuilt. Pushes go through a
temporary name and a rename, so two scons processes can share one cache; and a step one of them
is building is not built again by the other: a miss takes the step's lock (`<entry>.building`,
flock), which its builder holds until it has pushed every target of the step, and a build that
finds it held waits, then takes the step from the cache.
"""

import atexit
import fcntl
import os
import threading
import time

import SCons.CacheDir
import SCons.Util

from slither.cache import default_cache_dir
from slither.cache.prune import BUILDING_SUFFIX, prune
from slither.cache.trust import untrusted_writer
from slither.files import sha256_of
from slither.units import human_size

SIDECAR_SUFFIX = ".sha256"


_signatures = {}  # node -> key; nodes have __slots__, so the memo lives here


def location_independent_signature(node):
    signature = _signatures.get(node)
    if signature is None:
        parts = [child.get_cachedir_csig() for child in node.children()]
        parts.append(node.get_contents_sig())  # the action, with $( $) parts left out
        parts.append(node.name)
        signature = _signatures[node] = SCons.Util.hash_collect(parts)
    return signature


class VerifiedCacheDir(SCons.CacheDir.CacheDir):
    retrieved = []          # internal paths of targets taken from the cache, for the summary
    quarantined = []
    distrusted = []
    _lock = threading.Lock()

    def cachepath(self, node):
        """SCons keys an entry by its inputs, its action and the target's *path*, so two
        BUILD_DIRs (a test's, a user's, another checkout's) never share one. The key here
        uses the target's file name instead: same inputs, same action, same name, same bytes."""
        if not self.is_enabled():
            return None, None
        signature = location_independent_signature(node)
        cachedir = os.path.join(self.path, signature[:self.config["prefix_len"]].upper())
        return cachedir, os.path.join(cachedir, signature)

    @classmethod
    def copy_to_cache(cls, env, src, dst):
        # dst is SCons's temporary name "<entry>.tmp<uuid>"; the sidecar is written first so
        # an entry never exists without the hash that vouches for it.
        entry = dst.rsplit(".tmp", 1)[0]
        sidecar_tmp = f"{dst}{SIDECAR_SUFFIX}"
        try:
            with open(sidecar_tmp, "w") as stream:
                stream.write(sha256_of(src) + "\n")
            os.replace(sidecar_tmp, entry + SIDECAR_SUFFIX)
            return super().copy_to_cache(env, src, dst)
        except OSError as error:
            # A full or failing cache filesystem costs this push, not the build; what the push
            # wrote goes, so that it neither fills the cache further nor looks like an entry.
            for leftover in (dst, sidecar_tmp, entry + SIDECAR_SUFFIX):
                try:
                    os.unlink(leftover)
                except OSError:
                    pass
            print(f"slither: could not store {os.path.basename(str(src))} in the cache ({error.strerror or error}); "
                  "the build goes on without it")
            raise

    def _entry_state(self, cachefile):
        """'missing', 'intact' or 'corrupt'; an entry pruned meanwhile is simply missing."""
        try:
            with open(cachefile + SIDECAR_SUFFIX) as stream:
                expected = stream.read().strip()
        except FileNotFoundError:
            return "corrupt" if os.path.exists(cachefile) else "missing"
        try:
            return "intact" if sha256_of(cachefile) == expected else "corrupt"
        except FileNotFoundError:
            return "missing"

    _building = {}  # cache file -> descriptor of its held lock (the steps this process builds)

    def retrieve(self, node):
        found = self._retrieve_checked(node)
        if found or not self.is_enabled() or self.is_readonly():
            return found
        _, cachefile = self.cachepath(node)
        if not cachefile or cachefile in self._building:
            return False
        os.makedirs(os.path.dirname(cachefile), exist_ok=True)
        descriptor = os.open(cachefile + BUILDING_SUFFIX, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"cache: another build with this cache is making {node}; waiting for it")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            found = self._retrieve_checked(node)  # it pushed the step, or failed: then this one builds
            if found:
                os.close(descriptor)
                return True
        self._building[cachefile] = descriptor
        return False

    def push(self, node):
        try:
            return super().push(node)
        finally:
            targets = node.get_executor().get_all_targets()
            if node is targets[-1]:  # the whole step is in the cache: builds waiting for it may take it
                for target in targets:
                    _, cachefile = self.cachepath(target)
                    descriptor = self._building.pop(cachefile, None)
                    if descriptor is not None:
                        os.close(descriptor)

    def _retrieve_checked(self, node):
        if not self.is_enabled():
            return False
        _, cachefile = self.cachepath(node)
        if cachefile:
            distrusted = untrusted_writer(cachefile) or untrusted_writer(cachefile + SIDECAR_SUFFIX)
            if distrusted:
                with self._lock:
                    self.distrusted.append(str(node))
                print(f"slither: cache entry for {node} was {distrusted}: not used, rebuilding")
                return False
        if cachefile and self._entry_state(cachefile) == "corrupt":
            with self._lock:
                corrupt = f"{cachefile}.corrupt"
                try:
                    os.replace(cachefile, corrupt)
                except OSError:
                    pass
                self.quarantined.append(str(node))
            print(f"slither: cache entry for {node} failed its sha256 check; moved to {corrupt}, rebuilding")
            return False
        found = super().retrieve(node)
        if found:
            with self._lock:
                self.retrieved.append(str(node))
            try:
                os.utime(cachefile)  # last use, for least-recently-used pruning
            except OSError:
                pass
        return found


def _prune_at_exit(scons_cache, max_bytes, started):
    """After the build: the least recently used entries go, never one this build used."""
    result = prune(scons_cache, max_bytes, protect_since=started)
    if result.removed_entries:
        print(f"cache: pruned {result.removed_entries} least recently used entries "
              f"({human_size(result.freed_bytes)}) to stay under CACHE_MAX")


def generate(env):
    cache_dir = env.get("SLITHER_CACHE_DIR", default_cache_dir())
    if cache_dir:
        os.makedirs(cache_dir, exist_ok=True)  # SCons creates only the last level itself
        env.CacheDir(os.path.join(cache_dir, "scons"), custom_class=VerifiedCacheDir)
        max_bytes = env.get("SLITHER_CACHE_MAX", 0)
        if max_bytes and not env.GetOption("no_exec"):
            atexit.register(_prune_at_exit, os.path.join(cache_dir, "scons"), max_bytes, time.time() - 1)


def exists(env):
    return True
