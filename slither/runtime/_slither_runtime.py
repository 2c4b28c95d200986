"""Frozen into every Slither binary; main() calls install() before the user's code runs.

It keeps sys.path lookups for what a user brings: a name the binary owns (the stdlib minus
EXCLUDE, every frozen package) never reaches the filesystem. Found-or-not is decided from
the binary itself, so a failed optional import (`_winapi`, a missing accelerator submodule)
costs no stat/open on a parallel filesystem, and a file named like a frozen module in the
current directory or on PYTHONPATH cannot shadow it.
"""

import _imp
import sys
from importlib.machinery import BuiltinImporter, FileFinder, FrozenImporter, ModuleSpec, PathFinder

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


# Dotted built-in extension modules given something once they have run: {name: function}.
_PATCHES_AFTER_DOTTED_BUILTIN = {}


class DottedBuiltinLoader(BuiltinImporter):
    """BuiltinImporter, which also gives the module its `__file__` (the spec's loader_state)
    before the module's code runs, as FrozenImporter does for frozen modules, and its entry of
    _PATCHES_AFTER_DOTTED_BUILTIN after."""

    @staticmethod
    def exec_module(module):
        filename = getattr(module.__spec__, "loader_state", None)
        if filename:
            module.__file__ = filename
        BuiltinImporter.exec_module(module)
        patch = _PATCHES_AFTER_DOTTED_BUILTIN.get(module.__name__)
        if patch is not None:
            patch(module)


class DottedBuiltinFinder:
    """Extension modules linked in under their full dotted names (numpy._core._multiarray_umath).

    CPython 3.11's BuiltinImporter declines every name found inside a package (`if path is
    not None: return None`); 3.12 dropped that check. The module itself is still created and
    executed by BuiltinImporter, from the inittab entry of its full name.

    Its `__spec__.origin` is "built-in", and its `__file__` where the shared object would be,
    beside its package's frozen modules (`<stdlib dir>/numpy/_core/_multiarray_umath.cpython-
    311-x86_64-linux-gnu.so`), as CPython gives a frozen module origin "frozen" and the path
    its source would have: code that formats or splits `__file__` works, and opening a file
    there fails with an error that says why (_explain_frozen_paths).
    """

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if "." not in fullname or not _imp.is_builtin(fullname):
            return None
        stdlib_dir = getattr(sys, "_stdlib_dir", None)
        filename = (f"{stdlib_dir}/{fullname.replace('.', '/')}{_imp.extension_suffixes()[0]}"
                    if stdlib_dir else None)
        return ModuleSpec(fullname, DottedBuiltinLoader, origin="built-in", loader_state=filename)


# The lookups of pwd, grp and spwd that go through glibc's NSS (see _start_nss_without_unsafe_services).
_NSS_LOOKUPS = {"pwd": ("getpwuid", "getpwnam", "getpwall"), "grp": ("getgrgid", "getgrnam", "getgrall"),
                "spwd": ("getspnam", "getspall")}
_NSS_STARTED = []


def _start_nss_without_unsafe_services():
    """Have glibc drop the NSS services a static process cannot run (main.c's _slither_nss says
    which and why) before the first user or group lookup. Done at that lookup, not at start-up
    or at `import pwd` (psutil, getpass and many more import it and never look anybody up):
    glibc's NSS set-up reads /etc/nsswitch.conf and stats `/` (its check for a changed root)."""
    if _NSS_STARTED:
        return
    _NSS_STARTED.append(True)
    import _slither_nss
    _slither_nss.avoid_unsafe_services()
    for module_name, lookups in _NSS_LOOKUPS.items():   # the real functions again, for later callers
        module = sys.modules.get(module_name)
        for lookup in lookups if module is not None else ():
            real = getattr(getattr(module, lookup, None), "__wrapped__", None)
            if real is not None:
                setattr(module, lookup, real)


def _after_nss_started(lookup):
    def first_lookup_starts_nss(*arguments):
        _start_nss_without_unsafe_services()
        return lookup(*arguments)
    first_lookup_starts_nss.__name__ = first_lookup_starts_nss.__qualname__ = lookup.__name__
    first_lookup_starts_nss.__doc__ = lookup.__doc__
    first_lookup_starts_nss.__wrapped__ = lookup
    return first_lookup_starts_nss


def _start_nss_at_first_lookup(module):
    """pwd, grp, spwd just imported: each lookup starts NSS safely first (until one has).
    A C extension that calls getpwnam(3) itself before any lookup from Python is not covered."""
    if _NSS_STARTED:
        return
    for lookup in _NSS_LOOKUPS[module.__name__]:
        real = getattr(module, lookup, None)
        if real is not None:
            setattr(module, lookup, _after_nss_started(real))


def _guard_nss_lookups():
    if "_slither_nss" in sys.builtin_module_names:
        for module_name in _NSS_LOOKUPS:
            _patch_on_import(module_name, _start_nss_at_first_lookup)


def _serve_dotted_builtins():
    if any("." in name for name in sys.builtin_module_names):
        sys.meta_path.insert(0, DottedBuiltinFinder)


def _replace_path_finder():
    for index, finder in enumerate(sys.meta_path):
        if finder is PathFinder:
            sys.meta_path[index] = BinaryAwarePathFinder
            return


class ListedOnceFileFinder(FileFinder):
    """FileFinder, but a name its directory's listing does not hold is declined without asking
    the file system again. Stock FileFinder stats its directory at every lookup (a changed mtime
    means list it again): one metadata call per import that is not found there, and packages
    try optional ones at import (scipy: uarray, scikits.umfpack, sksparse, cython, ...; numpy's
    f2py: charset_normalizer), against sys.path[0], the script's or the working directory, which
    on a parallel file system is shared by every rank. A directory is listed once; a name that
    the listing holds is looked up exactly as stock does. importlib.invalidate_caches() lists it
    again: the documented way to import a module created after the interpreter started."""

    def find_spec(self, fullname, target=None):
        if self._path_mtime != -1:  # listed already (stock sets -1 before the first listing)
            tail = fullname.rpartition(".")[2]
            if tail not in self._listed_stems():
                return None
        return super().find_spec(fullname, target)

    def _listed_stems(self):
        listing = self._path_cache  # Linux: case-sensitive, so never the relaxed (PYTHONCASEOK) cache
        if getattr(self, "_stems_of", None) is not listing:
            self._stems = {entry.partition(".")[0] for entry in listing}
            self._stems_of = listing
        return self._stems


def _list_path_directories_once():
    """Swap the FileFinder path hook for ListedOnceFileFinder's, with the same loaders."""
    from importlib._bootstrap_external import _get_supported_file_loaders
    for index, hook in enumerate(sys.path_hooks):
        if getattr(hook, "__qualname__", "").startswith("FileFinder.path_hook."):
            sys.path_hooks[index] = ListedOnceFileFinder.path_hook(*_get_supported_file_loaders())
            for entry, finder in list(sys.path_importer_cache.items()):
                if type(finder) is FileFinder:
                    del sys.path_importer_cache[entry]
            return


def _frozen_resource_reader(fullname):
    """FrozenImporter.get_resource_reader: importlib.resources.files() over frozen package data;
    for a package whose data this node already holds as files (read by path, _slither_data_dir),
    over those files, so that importlib.resources.as_file() names them instead of copying the
    resource to a temporary file in every process (certifi.where())."""
    root = _DATA_ROOTS.get(fullname.partition(".")[0])
    if root is not None:
        from _slither_resources import PlacedResourceReader
        return PlacedResourceReader(root + fullname.replace(".", "/"))
    from _slither_resources import FrozenResourceReader
    return FrozenResourceReader(fullname)


class FrozenDistributionFinder:
    """importlib.metadata's distributions from the binary's frozen *.dist-info files, found before
    PathFinder would scan every sys.path entry for them. Finds no modules."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        return None

    @classmethod
    def find_distributions(cls, context=None):
        from _slither_resources import find_distributions
        if context is None:
            from importlib.metadata import DistributionFinder
            context = DistributionFinder.Context()
        return find_distributions(context)


def _frozen_source(fullname):
    """FrozenImporter.get_source: the module's source, frozen compressed (FROZEN_SOURCES)."""
    from _slither_sources import source_of
    return source_of(fullname)


def _serve_source_lines_to(linecache):
    """linecache drops every file name in angle brackets before it asks a loader, so lines of
    `<frozen json/decoder.py>` come from the binary's sources here, cached like a loader's
    (mtime None: checkcache never stats them)."""
    updatecache = linecache.updatecache

    def updatecache_with_frozen_sources(filename, module_globals=None):
        from _slither_sources import lines_for_filename
        lines = lines_for_filename(filename)
        if lines is None:
            return updatecache(filename, module_globals)
        linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)
        return lines

    linecache.updatecache = updatecache_with_frozen_sources


def _serve_source_files_to(inspect):
    """inspect.getsourcefile asks os.path.exists of a frozen module's file name (`__file__`, or
    `<frozen json/decoder.py>`, relative to the working directory) before it looks for a loader
    (3.11; 3.13 asks linecache first): a failed stat, on the shared filesystem on a cluster, for
    every getsource. For a name whose source the binary holds, the answer is that name, as
    inspect's own would be (the module has a loader), and its lines go into linecache, from the
    binary, as linecache itself would get them; every other object goes to inspect's own."""
    import linecache
    getsourcefile = inspect.getsourcefile

    def getsourcefile_from_the_binary(object):
        try:
            filename = inspect.getfile(object)
        except TypeError:
            return getsourcefile(object)
        if filename not in linecache.cache:
            from _slither_sources import lines_for_filename
            lines = lines_for_filename(filename)
            if lines is None:
                return getsourcefile(object)
            linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)
        elif len(linecache.cache[filename]) != 4 or linecache.cache[filename][1] is not None:
            return getsourcefile(object)  # a lazy or a real file's entry: inspect decides
        return filename

    inspect.getsourcefile = getsourcefile_from_the_binary


# Stdlib modules given something once they have run, at their first import: {name: function}.
# Start-up imports none of them, so start-up pays nothing.
_PATCHES_ON_IMPORT = {}


# Stdlib modules whose code, as it runs, asks the file system what the binary already knows:
# {name: function that sets up the answers and returns what puts everything back}.
_ANSWERS_WHILE_IMPORTING = {}


class _PatchingFrozenLoader(FrozenImporter):
    """FrozenImporter, with the module's _ANSWERS_WHILE_IMPORTING in place while its code runs,
    then the module's entry of _PATCHES_ON_IMPORT."""

    @staticmethod
    def exec_module(module):
        answering = _ANSWERS_WHILE_IMPORTING.get(module.__name__)
        restore = answering() if answering else None
        try:
            FrozenImporter.exec_module(module)
        finally:
            if restore is not None:
                restore()
        patch = _PATCHES_ON_IMPORT.get(module.__name__)
        if patch is not None:
            patch(module)


class _PatchingBuiltinLoader(BuiltinImporter):
    """BuiltinImporter (a C module such as pwd), then the module's entry of _PATCHES_ON_IMPORT."""

    @staticmethod
    def exec_module(module):
        BuiltinImporter.exec_module(module)
        _PATCHES_ON_IMPORT[module.__name__](module)


class PatchOnImport:
    """Finds the frozen or built-in modules of _PATCHES_ON_IMPORT, with a loader that patches them."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname not in _PATCHES_ON_IMPORT and fullname not in _ANSWERS_WHILE_IMPORTING:
            return None
        for importer, patching_loader in ((FrozenImporter, _PatchingFrozenLoader),
                                          (BuiltinImporter, _PatchingBuiltinLoader)):
            spec = importer.find_spec(fullname)
            if spec is not None:
                spec.loader = patching_loader
                return spec
        return None


def _patch_on_import(name, patch):
    if name in sys.modules:
        patch(sys.modules[name])
    else:
        _PATCHES_ON_IMPORT[name] = patch
        if PatchOnImport not in sys.meta_path:
            sys.meta_path.insert(0, PatchOnImport)


def _answer_on_import(name, answering):
    if name not in sys.modules:
        _ANSWERS_WHILE_IMPORTING[name] = answering
        if PatchOnImport not in sys.meta_path:
            sys.meta_path.insert(0, PatchOnImport)


def _answer_sysconfigs_questions_about_the_binary():
    """sysconfig, as it is imported, resolves the executable's path (an lstat per component) and
    looks for Modules/Setup beside it (is this CPython's build tree?); its first get_config_var()
    resolves its config directory. scipy's import reads HOST_GNU_TYPE: eleven metadata calls on
    every rank. The binary knows the answers: its path comes from the kernel (/proc/self/exe,
    every component already resolved, so nothing above it is a link), it never runs from a build
    tree, and it installs no config directory (`<prefix>/lib/python3.X/config-...`, a path that
    resolves to itself below the resolved prefix). While sysconfig's code runs, os.path.realpath
    and os.path.isfile answer exactly those paths; sysconfig keeps the realpath it imported, so
    its later calls get the same answers. Every other path goes to the real functions."""
    import os
    import posixpath
    try:
        executable = os.readlink("/proc/self/exe")
    except OSError:
        return None
    if executable != sys.executable:  # main.c could not read it: sys.executable is not resolved
        return None
    binary_dir = posixpath.dirname(executable)
    config_dir_prefix = f"{sys.base_prefix}/{sys.platlibdir}/python{sys.version_info[0]}.{sys.version_info[1]}/config-"
    build_tree_markers = {f"{binary_dir}/Modules/Setup", f"{binary_dir}/Modules/Setup.local"}
    real_realpath, real_isfile = posixpath.realpath, posixpath.isfile

    def realpath(path, *args, **kwargs):
        if isinstance(path, str) and (path in (executable, binary_dir) or (
                path.startswith(config_dir_prefix) and "/" not in path[len(config_dir_prefix):])):
            return path
        return real_realpath(path, *args, **kwargs)

    def isfile(path):
        return False if path in build_tree_markers else real_isfile(path)

    def restore():
        posixpath.realpath, posixpath.isfile = real_realpath, real_isfile

    posixpath.realpath, posixpath.isfile = realpath, isfile
    return restore


def _print_exception_with_sources(exc_type, value, traceback_object):
    """sys.excepthook on 3.11, whose C traceback printer reads source lines from files only;
    3.13's calls the traceback module, and so linecache, itself."""
    import traceback
    traceback.print_exception(exc_type, value, traceback_object)


def _serve_frozen_sources():
    if not getattr(_slither_manifest, "SOURCE_MODULES", None):
        return
    FrozenImporter.get_source = staticmethod(_frozen_source)
    _patch_on_import("linecache", _serve_source_lines_to)
    _patch_on_import("inspect", _serve_source_files_to)
    if sys.version_info < (3, 13) and sys.excepthook is sys.__excepthook__:
        sys.excepthook = _print_exception_with_sources


def _explain_frozen_paths(event, arguments):
    """An audit hook: opening or listing a path under the frozen tree that does not exist (a
    data file located beside `__file__`) fails with a message that says why and what works.
    Only paths under that tree cost anything here (one stat, before the error)."""
    if event not in ("open", "os.listdir", "os.scandir"):
        return
    path = arguments[0]
    if not isinstance(path, str) or not path.startswith(_FROZEN_TREE[0]):
        return
    if path[len(_FROZEN_TREE[0]):].partition("/")[0] in _UNFROZEN:  # real files (UNFROZEN)
        return
    import os
    if os.path.exists(path):  # FREEZE=0's stdlib files, or a tree a user made
        return
    import errno
    package = path[len(_FROZEN_TREE[0]):].partition("/")[0] or "the package"
    raise FileNotFoundError(
        errno.ENOENT, f"no such file: {package} is frozen into {sys.executable}, so nothing exists beside "
                      f"its __file__; read its files with importlib.resources.files({package!r})", path)


_FROZEN_TREE = [""]
_UNFROZEN = frozenset(_slither_manifest.BUILD.get("unfrozen", ()))
# Packages that read their data by path: {top-level name: digest of its data} (slither.freeze),
# and the node-local directories their data went to, once they are imported: {name: "dir/"}.
_DATA_BY_PATH = getattr(_slither_manifest, "DATA_BY_PATH", {})
_DATA_ROOTS = {}


def frozen_relative(path):
    """`path` below the frozen tree or a package's node-local data directory ("sklearn/base.py"),
    or None: where frozen modules' `__file__` and `__path__` point."""
    if isinstance(path, str):
        for root in (_FROZEN_TREE[0], *_DATA_ROOTS.values()):
            if root and path.startswith(root):
                return path[len(root):]
    return None


class DataByPathFinder:
    """The modules of a package that reads its data files by path (slither.freeze.data_by_path):
    found as FrozenImporter or DottedBuiltinFinder finds them, with `__file__` and `__path__` in
    the node-local directory _slither_data_dir writes the package's data to, at the package's
    first import. Every other name is declined by one dictionary lookup."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top not in _DATA_BY_PATH:
            return None
        spec = FrozenImporter.find_spec(fullname) or DottedBuiltinFinder.find_spec(fullname, path, target)
        if spec is None:
            return None
        root = _DATA_ROOTS.get(top)
        if root is None:
            from _slither_data_dir import place
            root = _DATA_ROOTS[top] = place(top, _DATA_BY_PATH[top]) + "/"
        tree = _FROZEN_TREE[0]
        state = spec.loader_state
        if isinstance(state, str):  # a dotted built-in: its would-be shared object
            spec.loader_state = root + state[len(tree):]
        elif state is not None and state.filename:
            state.filename = root + state.filename[len(tree):]
        if spec.submodule_search_locations:
            spec.submodule_search_locations[:] = [root + entry[len(tree):] if entry.startswith(tree) else entry
                                                  for entry in spec.submodule_search_locations]
        return spec


def _serve_data_by_path():
    """Only binaries with such packages pay for the finder; it needs the frozen tree's path."""
    if _DATA_BY_PATH and _FROZEN_TREE[0]:
        sys.meta_path.insert(0, DataByPathFinder)


def _find_unfrozen_packages():
    """UNFROZEN packages are files in <prefix>/lib/python3.X: searched after everything else
    on sys.path, and only for their names (the binary owns every other name there)."""
    stdlib_dir = getattr(sys, "_stdlib_dir", None)
    if _UNFROZEN and stdlib_dir and stdlib_dir not in sys.path:
        sys.path.append(stdlib_dir)


def _explain_missing_frozen_files():
    stdlib_dir = getattr(sys, "_stdlib_dir", None)
    if stdlib_dir:
        _FROZEN_TREE[0] = stdlib_dir.rstrip("/") + "/"
        sys.addaudithook(_explain_frozen_paths)


def _frozen_package_path_hook(path):
    """sys.path_hooks: the directory a frozen package's `__path__` names does not exist;
    pkgutil walks it through the frozen modules (_slither_discovery). Any other path is
    declined at once, by its prefix, with nothing imported."""
    if frozen_relative(path) is None:
        raise ImportError("not under the frozen tree")
    from _slither_discovery import path_hook
    return path_hook(path)


def _discover_tests_in_frozen_packages(unittest_loader):
    from _slither_discovery import discover_in_frozen_packages
    discover_in_frozen_packages(unittest_loader.TestLoader)


def _serve_frozen_packages_as_trees():
    """pkgutil.iter_modules/walk_packages and `unittest discover -s pkg.tests` over frozen packages."""
    if _FROZEN_TREE[0]:
        sys.path_hooks.insert(0, _frozen_package_path_hook)
        _patch_on_import("unittest.loader", _discover_tests_in_frozen_packages)


def _serve_frozen_data():
    """Hooks only; _slither_resources (and importlib.metadata) load when importlib asks."""
    # An optional loader method of importlib.resources' protocol, set on the class itself
    # because FrozenImporter is the loader of every frozen module, including those imported
    # before this runs.
    FrozenImporter.get_resource_reader = staticmethod(_frozen_resource_reader)
    if _slither_manifest.DISTRIBUTIONS_MODULE:
        sys.meta_path.insert(0, FrozenDistributionFinder)


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


def _name_frozen_main_after_its_file():
    """`-m name` (or MAIN) of a frozen module: runpy sets sys.argv[0] to the module spec's
    origin, which for a frozen module is the word "frozen", so every such program introduced
    itself as "frozen" (argparse's `usage: frozen ...`). Stock CPython gives the module's
    file; give the file it was frozen from, as FrozenImporter records it for `__file__`."""
    import runpy
    run_code = runpy._run_code

    def _run_code(code, run_globals, init_globals=None, mod_name=None, mod_spec=None, *args, **kwargs):
        if mod_spec is not None and mod_spec.origin == "frozen" and sys.argv[:1] == ["frozen"]:
            filename = getattr(mod_spec.loader_state, "filename", None)
            if filename:
                sys.argv[0] = filename
        return run_code(code, run_globals, init_globals, mod_name, mod_spec, *args, **kwargs)

    runpy._run_code = _run_code


def _abort_the_job_when_this_rank_fails(mpi):
    """What `python -m mpi4py app.py` does, for every program once it has imported mpi4py.MPI: a
    rank that ends with an uncaught exception or a non-zero exit status calls MPI_Abort at exit
    (mpi4py's own _set_abort_status, read by its exit handler) instead of MPI_Finalize, which
    would wait for ranks that wait for it (a job hanging until its time limit). SLITHER_MPI_ABORT=0
    turns it off for a program that really means to finalize (docs/mpi.md).

    An uncaught exception goes through sys.excepthook. An uncaught SystemExit does not: the
    interpreter reads its `code` at the top, with no Python frame left, and exits. So SystemExit
    (the builtin name, and what sys.exit raises) becomes a subclass whose `code`, read from there,
    sets the abort status first; read by the program itself (an `except SystemExit as e: e.code`
    that goes on running), it is only the code."""
    import builtins
    import os
    set_abort_status = getattr(mpi, "_set_abort_status", None)
    if os.environ.get("SLITHER_MPI_ABORT", "1") == "0" or set_abort_status is None:
        return

    def abort_status(code):
        if code is None:
            return 0
        return code if isinstance(code, int) else 1

    system_exit = builtins.SystemExit
    code_of = system_exit.code.__get__

    class SystemExit(system_exit):
        @property
        def code(self):
            code = code_of(self)
            try:
                sys._getframe(1)
            except ValueError:  # no Python caller: the interpreter, ending the program with it
                if abort_status(code):
                    set_abort_status(abort_status(code))
            return code

    SystemExit.__module__, SystemExit.__qualname__ = "builtins", "SystemExit"
    builtins.SystemExit = SystemExit

    def exit(status=None):
        raise SystemExit(status)
    exit.__doc__ = sys.exit.__doc__
    sys.exit = exit

    excepthook = sys.excepthook

    def abort_then_report(exc_type, value, traceback_object):
        set_abort_status(130 if issubclass(exc_type, KeyboardInterrupt) else 1)
        excepthook(exc_type, value, traceback_object)
    sys.excepthook = abort_then_report


def install(site_wanted, stdlib_frozen, run_filename=None, run_module=False):
    """Called by main() after Py_InitializeFromConfig, before the user's code runs."""
    _serve_dotted_builtins()
    _PATCHES_AFTER_DOTTED_BUILTIN["mpi4py.MPI"] = _abort_the_job_when_this_rank_fails
    _serve_frozen_data()
    _serve_frozen_sources()
    _explain_missing_frozen_files()
    _serve_data_by_path()
    _serve_frozen_packages_as_trees()
    _find_unfrozen_packages()
    _guard_nss_lookups()
    if stdlib_frozen:  # with FREEZE=0 the stdlib is on sys.path and PathFinder must find it
        _replace_path_finder()
        _answer_on_import("sysconfig", _answer_sysconfigs_questions_about_the_binary)
    _list_path_directories_once()
    _declare_plain_script(run_filename)
    if run_module and stdlib_frozen:
        _name_frozen_main_after_its_file()
    if site_wanted:
        _install_site_builtins()


def build_manifest():
    """The build manifest embedded at link time (versions, TARGET, inputs)."""
    return dict(_slither_manifest.BUILD)
