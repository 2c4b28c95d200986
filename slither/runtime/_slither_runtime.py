"""Frozen into every Slither binary; main() calls install() before the user's code runs.

It keeps sys.path lookups for what a user brings: a name the binary owns (the stdlib minus
EXCLUDE, every frozen package) never reaches the filesystem. Found-or-not is decided from
the binary itself, so a failed optional import (`_winapi`, a missing accelerator submodule)
costs no stat/open on a parallel filesystem, and a file named like a frozen module in the
current directory or on PYTHONPATH cannot shadow it.
"""

import _imp
import sys
from importlib.machinery import BuiltinImporter, ModuleSpec, PathFinder

import _slither_manifest

OWNED_TOP_LEVEL = (frozenset(sys.stdlib_module_names) - _slither_manifest.EXCLUDED_STDLIB) \
    | _slither_manifest.FROZEN_TOP_LEVEL


class BinaryAwarePathFinder(PathFinder):
    """PathFinder, except for names the binary owns: those are never searched for on disk."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname.partition(".")[0] in OWNED_TOP_LEVEL:
            return None
        return super().find_spec(fullname, path, target)


class DottedBuiltinFinder:
    """Extension modules linked in under their full dotted names (numpy._core._multiarray_umath).

    CPython 3.11's BuiltinImporter declines every name found inside a package (`if path is
    not None: return None`); 3.12 dropped that check. The module itself is still created and
    executed by BuiltinImporter, from the inittab entry of its full name.
    """

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if "." not in fullname or not _imp.is_builtin(fullname):
            return None
        return ModuleSpec(fullname, BuiltinImporter, origin="built-in")


class UnsafeNssGuard:
    """Before pwd or grp is first imported, have glibc drop the NSS services a static process
    cannot run (main.c's _slither_nss says which and why). Done at that import, not at
    start-up, so that start-up reads no /etc/nsswitch.conf. It stays in sys.meta_path (removing
    a finder while the import system iterates over the list would skip the next one)."""

    done = False

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if not cls.done and fullname in ("pwd", "grp"):
            cls.done = True
            import _slither_nss
            _slither_nss.avoid_unsafe_services()
        return None


def _serve_dotted_builtins():
    if any("." in name for name in sys.builtin_module_names):
        sys.meta_path.insert(0, DottedBuiltinFinder)


def _replace_path_finder():
    for index, finder in enumerate(sys.meta_path):
        if finder is PathFinder:
            sys.meta_path[index] = BinaryAwarePathFinder
            return


def _install_site_builtins():
    """What `site` gives an interactive user (exit, help, ...), without its path probing."""
    import site
    site.setquit()
    site.setcopyright()
    site.sethelper()
    site.enablerlcompleter()  # only sets sys.__interactivehook__; the REPL calls it


def _declare_plain_script(run_filename):
    """CPython asks every path hook whether the script is a zip or a directory to run
    (a stat, an open and another stat of it); a `.py` file is neither, so say so up front."""
    if run_filename is not None and run_filename.endswith(".py"):
        sys.path_importer_cache.setdefault(run_filename, None)


def install(site_wanted, stdlib_frozen, run_filename=None):
    """Called by main() after Py_InitializeFromConfig, before the user's code runs."""
    _serve_dotted_builtins()
    if "_slither_nss" in sys.builtin_module_names:
        sys.meta_path.insert(0, UnsafeNssGuard)
    if stdlib_frozen:  # with FREEZE=0 the stdlib is on sys.path and PathFinder must find it
        _replace_path_finder()
    _declare_plain_script(run_filename)
    if site_wanted:
        _install_site_builtins()


def build_manifest():
    """The build manifest embedded at link time (versions, TARGET, inputs)."""
    return dict(_slither_manifest.BUILD)
