"""Why some test modules that pass on a stock CPython do not pass on python-static.

Data only, read by harness.regrtest.runner: CATEGORIES names each kind of difference and says why it
is inherent to a static interpreter with a frozen stdlib (or to how the suite is run against
it, or a known bug not fixed yet); KNOWN maps a test module to its category, per CPython
series. A module failing for several reasons is listed under the first one that makes it fail
(each was checked by running the module verbosely on both). A stock pass that fails on
python-static and is not listed here is reported as UNEXPLAINED: a bug to fix or to
understand, never to list without a reason.
"""

CATEGORIES = {
    "frozen-source":
        "the stdlib is frozen: its .py files are not on disk, so tests that read stdlib source "
        "(inspect.getsource, source lines in tracebacks and doctest output, os.listdir of Lib/, "
        "open(module.__file__)) or expect `<module 'x' from '...'>` reprs and `.../x.py` code "
        "file names (frozen code is named `<frozen x.py>`) fail",
    "frozen-always":
        "python-static always uses its frozen modules; tests that switch frozen modules off to "
        "load the source versions (`-X frozen_modules=off`, import_helper.frozen_modules(False), "
        "import_fresh_module of a module CPython itself freezes, such as os) find no source; "
        "import_helper.CleanImport switches them off too, and a stdlib module first imported "
        "inside it is not found (test_future: `import site` under the -S every regrtest worker "
        "of python-static gets, see no-site); CPython's test-only frozen modules (__phello__) "
        "are not in python-static's table",
    "stdlib-data-files":
        "non-Python files of the stdlib (pydoc_data/_pydoc.css, sysconfig's Makefile, "
        "venv's scripts, ...) are not in the binary",
    "test-c-modules":
        "test-only C modules are not built in: CPython builds _testmultiphase, "
        "_testimportmultiple, _ctypes_test, xxlimited (and in 3.13 _testsinglephase and "
        "_testexternalinspection) only as shared libraries, and _testinternalcapi built in "
        "breaks the link of CPython's own _freeze_module; the test fails, or is skipped where "
        "stock runs it",
    "extension-modules":
        "the test builds or loads a C extension as a shared library (venv + pip, build_ext, "
        "imp.load_dynamic): a static executable exports no C API for a .so to bind to",
    "embedded-test-suites":
        "the stdlib packages' own test sub-packages (ctypes.test, unittest.test, distutils.tests) "
        "are frozen with their package (only the top-level `test` is excluded), and unittest "
        "discovery needs their directories on disk",
    "excluded-packages":
        "the test needs a stdlib package the default EXCLUDE leaves out (lib2to3, idlelib, "
        "tkinter, turtle, ensurepip)",
    "test-package-in-child":
        "a child interpreter started with its environment replaced or cleared (env=..., "
        "PYTHONPATH=..., -I given explicitly) imports the `test` package, which python-static "
        "finds only on PYTHONPATH (stock finds it in its stdlib directory)",
    "no-site":
        "python-static never imports site (it probes site-packages); sys.flags.no_site is "
        "always 1, so args_from_interpreter_flags() adds -S and site-dependent checks differ; "
        "CPython's interactive banner prints its `Type \"help\", ...` line only when site is "
        "imported (test_repl counts the banner's lines)",
    "utf8-mode":
        "python-static always runs in UTF-8 mode without setlocale() (glibc would read locale "
        "files at start-up): locale coercion and locale-encoding warnings do not happen",
    "ctypes-second-libc":
        "ctypes.CDLL(find_library('c')) loads the shared libc.so.6 beside the static C library "
        "python-static is linked with: errno set by a call into that second libc is not the errno "
        "ctypes' use_errno reads (test_errno's test_open: 0 != 2); 3.13's test_ctypes also finds "
        "the whole frozen stdlib in PyImport_FrozenModules (test_values' test_frozentable), by design",
    "embedding":
        "main() fixes home and sys.path in PyConfig and a patch keeps getpath from probing: "
        "the getpath/embedding tests' expected configurations are the stock ones",
    "no-shadowing":
        "a file in the current directory cannot shadow a frozen stdlib module (by design: "
        "e.g. asyncio.py beside the script does not replace the asyncio package)",
    "runtime-in-python":
        "the runtime's import hooks are Python code: a tracer (bdb, sys.settrace) sees their "
        "frames during imports",
    "cpython-frozen-nul":
        "CPython's FrozenImporter (3.11 and 3.13) truncates a module name at an embedded NUL "
        "(`__import__('string\\x00')` finds the frozen `string`); stock has the same bug for "
        "its own frozen modules, python-static freezes more of them",
    "not-built-in":
        "C modules python-static leaves out by design and lists in its build summary: _tkinter "
        "(no GUI toolkit on compute nodes) and nis (Debian's libtirpc.a needs Kerberos GSSAPI, "
        "which has no static library)",
    "openssl-conf":
        "python-static sets OPENSSL_CONF in its own environment (unless set) so that OpenSSL "
        "reads the node-local configuration; it shows in os.environ and children inherit it, so "
        "`env={}` children do not see an empty environment",
    "fixed-since":
        "failed in the recorded run because of a python-static bug fixed after it (spwd: "
        "nss_systemd crash, see Static glibc; calendar: `-m` printed `usage: frozen`; runpy: a "
        "program from stdin got the parent directory as sys.path[0]; dbm_ndbm: 3.11's _dbm was "
        "not built in; bytes, stable_abi_ctypes, threading (and in 3.13 frame): ctypes.pythonapi "
        "found no C API function in a static executable, now answered from the binary's own "
        "symbol table; pickle, pickletools "
        "on the numpy binary: `import numpy.testing` failed, numpy._core.tests is a namespace "
        "package the freezer skipped); rechecked passing with `harness/regrtest/run --no-build "
        "--contender static` on those modules",
}

KNOWN = {
    "3.11": {
        "test_argparse": "frozen-source",
        "test_ast": "frozen-source",
        "test_bdb": "runtime-in-python",
        "test_builtin": "cpython-frozen-nul",
        "test_bytes": "fixed-since",
        "test_c_locale_coercion": "utf8-mode",
        "test_calendar": "fixed-since",
        "test_capi": "test-c-modules",
        "test_cmd_line_script": "test-package-in-child",
        "test_code": "test-c-modules",
        "test_compile": "test-c-modules",
        "test_contextlib": "frozen-source",
        "test_contextlib_async": "frozen-source",
        "test_cppext": "extension-modules",
        "test_dbm_ndbm": "fixed-since",
        "test_dis": "test-c-modules",
        "test_distutils": "embedded-test-suites",
        "test_doctest": "frozen-source",
        "test_docxmlrpc": "stdlib-data-files",
        "test_embed": "test-package-in-child",
        "test_ensurepip": "excluded-packages",
        "test_exceptions": "test-c-modules",
        "test_faulthandler": "frozen-source",
        "test_fileutils": "test-c-modules",
        "test_frozen": "frozen-always",
        "test_fstring": "frozen-source",
        "test_getpath": "embedding",
        "test_idle": "excluded-packages",
        "test_imp": "extension-modules",
        "test_import": "frozen-always",
        "test_inspect": "frozen-source",
        "test_io": "utf8-mode",
        "test_linecache": "frozen-source",
        "test_marshal": "test-c-modules",
        "test_module": "frozen-source",
        "test_modulefinder": "frozen-source",
        "test_multiprocessing_fork": "test-package-in-child",
        "test_multiprocessing_forkserver": "test-package-in-child",
        "test_multiprocessing_spawn": "test-package-in-child",
        "test_nis": "not-built-in",
        "test_pdb": "frozen-source",
        "test_pickle": "fixed-since",
        "test_pickletools": "fixed-since",
        "test_pyclbr": "frozen-source",
        "test_regrtest": "test-package-in-child",
        "test_runpy": "fixed-since",
        "test_spwd": "fixed-since",
        "test_stable_abi_ctypes": "fixed-since",
        "test_stat": "frozen-always",
        "test_subprocess": "openssl-conf",
        "test_support": "test-package-in-child",
        "test_sys": "test-c-modules",
        "test_sysconfig": "stdlib-data-files",
        "test_tabnanny": "frozen-source",
        "test_tcl": "not-built-in",
        "test_threading": "fixed-since",
        "test_trace": "frozen-source",
        "test_traceback": "test-c-modules",
        "test_ttk_textonly": "not-built-in",
        "test_turtle": "excluded-packages",
        "test_unittest": "embedded-test-suites",
        "test_urllib2": "frozen-source",
        "test_utf8_mode": "utf8-mode",
        "test_xxlimited": "test-c-modules",
        "test_zipfile": "utf8-mode",
    },
    # 3.13's regrtest runs the packages test_asyncio, test_inspect, test_multiprocessing_*,
    # ... one sub-module at a time, under these names.
    "3.13": {
        "test.test_future_stmt.test_future": "frozen-always",
        "test.test_inspect.test_inspect": "frozen-source",
        "test.test_multiprocessing_fork.test_misc": "test-package-in-child",
        "test.test_multiprocessing_forkserver.test_misc": "test-package-in-child",
        "test.test_multiprocessing_spawn.test_misc": "test-package-in-child",
        "test__interpchannels": "test-c-modules",
        "test__interpreters": "test-c-modules",
        "test_argparse": "frozen-source",
        "test_bdb": "runtime-in-python",
        "test_builtin": "cpython-frozen-nul",
        "test_bytes": "fixed-since",
        "test_c_locale_coercion": "utf8-mode",
        "test_capi": "test-c-modules",
        "test_class": "test-c-modules",
        "test_cmd_line_script": "test-package-in-child",
        "test_code": "test-c-modules",
        "test_compile": "test-c-modules",
        "test_compileall": "test-c-modules",
        "test_contextlib": "frozen-source",
        "test_contextlib_async": "frozen-source",
        "test_ctypes": "ctypes-second-libc",
        "test_dis": "test-c-modules",
        "test_doctest": "frozen-source",
        "test_docxmlrpc": "stdlib-data-files",
        "test_embed": "test-package-in-child",
        "test_ensurepip": "excluded-packages",
        "test_external_inspection": "test-c-modules",
        "test_faulthandler": "frozen-source",
        "test_fileutils": "test-c-modules",
        "test_frame": "fixed-since",
        "test_frozen": "frozen-always",
        "test_fstring": "frozen-source",
        "test_getpath": "test-c-modules",
        "test_idle": "excluded-packages",
        "test_import": "test-c-modules",
        "test_io": "utf8-mode",
        "test_linecache": "frozen-source",
        "test_marshal": "test-c-modules",
        "test_module": "frozen-source",
        "test_modulefinder": "frozen-source",
        "test_opcache": "test-c-modules",
        "test_optimizer": "test-c-modules",
        "test_pdb": "frozen-source",
        "test_perfmaps": "test-c-modules",
        "test_pkgutil": "test-c-modules",
        "test_pyclbr": "test-c-modules",
        "test_regrtest": "test-package-in-child",
        "test_repl": "no-site",
        "test_stable_abi_ctypes": "fixed-since",
        "test_stat": "frozen-always",
        "test_subprocess": "openssl-conf",
        "test_support": "test-package-in-child",
        "test_sys": "frozen-always",
        "test_tabnanny": "frozen-source",
        "test_tcl": "not-built-in",
        "test_threading": "fixed-since",
        "test_trace": "frozen-source",
        "test_traceback": "test-c-modules",
        "test_ttk_textonly": "not-built-in",
        "test_turtle": "excluded-packages",
        "test_types": "test-c-modules",
        "test_urllib2": "frozen-source",
        "test_utf8_mode": "utf8-mode",
        "test_xxlimited": "test-c-modules",
        "test_zipfile": "frozen-source",
    },
}


def known_for(series: str) -> dict:
    return dict(KNOWN.get(series, {}))
