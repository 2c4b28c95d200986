"""Generate the static binary's main.c: a PyConfig that leaves getpath nothing to probe.

Pure function of its options, so it is unit-tested without a compiler and its text is the
SCons signature of the step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class MainOptions:
    series: str                      # "3.11"
    stdlib_frozen: bool = True       # FREEZE: False keeps the stdlib as files beside the binary
    # Extension modules linked in: (dotted module name, init function symbol).
    extensions: tuple[tuple[str, str], ...] = ()
    main_module: str = ""            # MAIN: run this module when no script/-c/-m is given
    # OpenSSL's configuration file on the compute node (the TARGET profile knows where the
    # distribution keeps it); the built-in default may point into the build machine's /usr.
    openssl_config: str = ""
    # (variable, value) pairs set at start-up unless already set: the recipes' runtime_environment.
    default_environment: tuple[tuple[str, str], ...] = ()


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def c_identifier_ok(symbol: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", symbol) is not None


# dlsym's wrapper and the table lookup; its own text so that a unit test can link it into a
# tiny program (needs <dlfcn.h> and <string.h> with _GNU_SOURCE, as Python.h gives main.c).
SYMBOL_LOOKUP = r'''/* dlsym on the program itself (ctypes.pythonapi, ctypes.CDLL(None), numpy.ctypeslib): a static
   executable has no dynamic symbol table, and static glibc's dlsym finds nothing in the main
   program even when one is forced in. The final link therefore wraps dlsym (-Wl,--wrap=dlsym)
   and links, in a second pass, a table of the first pass's global functions and data
   (slither.link.symbol_table): names sorted for a binary search, addresses filled in by the linker.
   In the first pass the table is absent (weak references, all NULL). Nothing here runs
   unless something calls dlsym; a name not in the table goes to the real dlsym, whose error
   (dlerror()) is the one stock CPython reports. */
extern const unsigned int slither_symbol_count __attribute__((weak));
extern const char slither_symbol_names[] __attribute__((weak));
extern const unsigned int slither_symbol_name_offsets[] __attribute__((weak));
extern void *const slither_symbol_addresses[] __attribute__((weak));

static void *slither_symbol_address(const char *name)
{
    if (&slither_symbol_count == NULL || name == NULL) {
        return NULL;
    }
    size_t low = 0, high = slither_symbol_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = strcmp(name, slither_symbol_names + slither_symbol_name_offsets[middle]);
        if (order == 0) {
            return slither_symbol_addresses[middle];
        }
        if (order < 0) {
            high = middle;
        }
        else {
            low = middle + 1;
        }
    }
    return NULL;
}

void *__real_dlsym(void *handle, const char *name);

/* The handle dlopen(NULL, ...) gives for the program: the one ctypes' PyDLL(None) holds. */
static void *slither_program_handle(void)
{
    static void *program;
    if (program == NULL) {
        program = dlopen(NULL, RTLD_LAZY | RTLD_NOLOAD);
    }
    return program;
}

void *__wrap_dlsym(void *handle, const char *name)
{
    if (handle == RTLD_DEFAULT || (handle != RTLD_NEXT && handle == slither_program_handle())) {
        void *address = slither_symbol_address(name);
        if (address != NULL) {
            return address;
        }
    }
    return __real_dlsym(handle, name);
}

'''


# An extension module with single-phase init (PyModule_Create: numpy's, most hand-written C)
# names itself after PyModuleDef.m_name, "_multiarray_umath". Loading it from a shared object,
# CPython sets the "package context" to the full dotted name around the init call, and
# PyModule_Create takes that name instead: __name__, and every function's __module__ (which
# pickle imports by) read "numpy._core._multiarray_umath". CPython's built-in path does not set
# it, so each dotted entry of the inittab calls its init function through a trampoline that does.
# Multi-phase init (Cython, mpi4py.MPI) takes the name from the spec and is not affected.
PACKAGE_CONTEXT = r'''#if PY_VERSION_HEX >= 0x030C0000
/* CPython 3.12 moved the context into the runtime state (internal, not in Python.h). */
extern const char *_PyImport_SwapPackageContext(const char *newcontext);
#else
static const char *_PyImport_SwapPackageContext(const char *newcontext)
{
    const char *previous = _Py_PackageContext;
    _Py_PackageContext = newcontext;
    return previous;
}
#endif

static PyObject *slither_init_in_package(const char *dotted_name, PyObject *(*init_function)(void))
{
    const char *previous = _PyImport_SwapPackageContext(dotted_name);
    PyObject *module = init_function();
    _PyImport_SwapPackageContext(previous);
    return module;
}

'''


TEMPLATE = r'''/* Generated by slither.link.main_c for CPython @SERIES@. Do not edit. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#ifdef __GLIBC__
#include <nss.h>
#endif

#define SLITHER_STDLIB_SUBDIR "lib/python@SERIES@"
#define SLITHER_STDLIB_FROZEN @FROZEN@
#define SLITHER_MAIN_MODULE @MAIN_MODULE@
#define SLITHER_OPENSSL_CONF @OPENSSL_CONF@

extern const struct _frozen slither_frozen_modules[];
@EXTENSION_DECLARATIONS@@PACKAGE_CONTEXT@@EXTENSION_TRAMPOLINES@static PyObject *PyInit__slither_nss(void);
static struct _inittab slither_extensions[] = {
@EXTENSION_ENTRIES@    {"_slither_nss", PyInit__slither_nss},
    {NULL, NULL}
};

/* Static glibc still runs NSS modules from shared libraries for user, group and host lookups.
   Some cannot work in a static process: nss_systemd (Debian's default after `files` for passwd
   and group) crashes on its first call, as in any `gcc -static` program, so every lookup that
   /etc/passwd cannot answer (an unknown user, getpwall()) killed the interpreter.
   _slither_nss.avoid_unsafe_services() gives glibc each database's services from
   /etc/nsswitch.conf minus those; the runtime calls it when pwd, grp or spwd is first imported, so
   start-up reads nothing. Returns how many databases it changed. */
static const char *const slither_unsafe_nss_services[] = {"systemd", NULL};

static int nss_service_is_unsafe(const char *name)
{
    for (const char *const *unsafe = slither_unsafe_nss_services; *unsafe != NULL; unsafe++) {
        if (strcmp(name, *unsafe) == 0) {
            return 1;
        }
    }
    return 0;
}

/* "files systemd [NOTFOUND=return] ldap" -> "files ldap": a dropped service's actions go too. */
static int filter_nss_services(char *services, char *kept, size_t size)
{
    int dropped = 0, keep_actions = 1, in_action = 0;
    kept[0] = '\0';
    for (char *token = strtok(services, " \t\n"); token != NULL; token = strtok(NULL, " \t\n")) {
        int is_action = in_action || token[0] == '[';
        if (is_action) {
            in_action = strchr(token, ']') == NULL;
        }
        else {
            keep_actions = !nss_service_is_unsafe(token);
            dropped += !keep_actions;
        }
        if (keep_actions && strlen(kept) + strlen(token) + 2 < size) {
            if (kept[0] != '\0') {
                strcat(kept, " ");
            }
            strcat(kept, token);
        }
    }
    return dropped;
}

static int avoid_unsafe_nss_services(const char *path)
{
    int changed = 0;
#ifdef __GLIBC__
    FILE *config = fopen(path, "re");
    if (config == NULL) {
        return 0;
    }
    char line[1024], kept[1024];
    while (fgets(line, sizeof line, config) != NULL) {
        char *comment = strchr(line, '#');
        if (comment != NULL) {
            *comment = '\0';
        }
        char *colon = strchr(line, ':');
        if (colon == NULL) {
            continue;
        }
        *colon = '\0';
        char *database = strtok(line, " \t");
        if (database == NULL || !filter_nss_services(colon + 1, kept, sizeof kept)) {
            continue;
        }
        if (__nss_configure_lookup(database, kept[0] != '\0' ? kept : "files") == 0) {
            changed++;
        }
    }
    fclose(config);
#else
    (void)path;
#endif
    return changed;
}

static PyObject *slither_nss_avoid_unsafe_services(PyObject *module, PyObject *args)
{
    const char *path = "/etc/nsswitch.conf";
    if (!PyArg_ParseTuple(args, "|s", &path)) {
        return NULL;
    }
    return PyLong_FromLong(avoid_unsafe_nss_services(path));
}

static PyMethodDef slither_nss_methods[] = {
    {"avoid_unsafe_services", slither_nss_avoid_unsafe_services, METH_VARARGS,
     "Reconfigure glibc's NSS without the services a static process cannot run."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef slither_nss_module = {
    PyModuleDef_HEAD_INIT, "_slither_nss", NULL, -1, slither_nss_methods,
};

static PyObject *PyInit__slither_nss(void)
{
    return PyModule_Create(&slither_nss_module);
}

@SYMBOL_LOOKUP@static void exit_if_failed(PyStatus status, PyConfig *config)
{
    if (PyStatus_Exception(status)) {
        if (config != NULL) {
            PyConfig_Clear(config);
        }
        Py_ExitStatusException(status);
    }
}

/* The binary's own path from the kernel (/proc is node-local): no PATH search, no probing. */
static int find_executable(char *buffer, size_t size)
{
    ssize_t length = readlink("/proc/self/exe", buffer, size - 1);
    if (length <= 0) {
        return -1;
    }
    buffer[length] = '\0';
    return 0;
}

/* prefix = the directory above bin/, as for an installed python; else the binary's directory. */
static void prefix_of(const char *executable, char *prefix, size_t size)
{
    snprintf(prefix, size, "%s", executable);
    char *slash = strrchr(prefix, '/');
    if (slash == NULL) {
        snprintf(prefix, size, ".");
        return;
    }
    *slash = '\0';
    slash = strrchr(prefix, '/');
    if (slash != NULL && strcmp(slash, "/bin") == 0) {
        *slash = '\0';
    }
    if (prefix[0] == '\0') {
        snprintf(prefix, size, "/");
    }
}

/* sys.path is PYTHONPATH (unless -E/-I) and, without FREEZE, the stdlib beside the binary:
   getpath has nothing left to compute, so it touches no file. */
static PyStatus set_search_paths(PyConfig *config, const char *prefix)
{
    PyStatus status;
    config->module_search_paths_set = 1;
    if (config->pythonpath_env != NULL) {
        wchar_t *copy = wcsdup(config->pythonpath_env);
        wchar_t *state = NULL;
        if (copy == NULL) {
            return PyStatus_NoMemory();
        }
        for (wchar_t *entry = wcstok(copy, L":", &state); entry != NULL;
             entry = wcstok(NULL, L":", &state)) {
            status = PyWideStringList_Append(&config->module_search_paths, entry);
            if (PyStatus_Exception(status)) {
                free(copy);
                return status;
            }
        }
        free(copy);
    }
#if !SLITHER_STDLIB_FROZEN
    char stdlib_dir[PATH_MAX];
    snprintf(stdlib_dir, sizeof stdlib_dir, "%s/%s", prefix, SLITHER_STDLIB_SUBDIR);
    wchar_t *wide = Py_DecodeLocale(stdlib_dir, NULL);
    if (wide == NULL) {
        return PyStatus_NoMemory();
    }
    status = PyWideStringList_Append(&config->module_search_paths, wide);
    PyMem_RawFree(wide);
    if (PyStatus_Exception(status)) {
        return status;
    }
#else
    (void)prefix;
#endif
    return PyStatus_Ok();
}

static int install_runtime(int site_wanted, PyObject *run_filename, int run_module)
{
    PyObject *runtime = PyImport_ImportModule("_slither_runtime");
    if (runtime == NULL) {
        return -1;
    }
    PyObject *result = PyObject_CallMethod(runtime, "install", "iiOi", site_wanted,
                                           SLITHER_STDLIB_FROZEN, run_filename, run_module);
    Py_DECREF(runtime);
    if (result == NULL) {
        return -1;
    }
    Py_DECREF(result);
    return 0;
}

int main(int argc, char **argv)
{
    PyStatus status;
    PyPreConfig preconfig;
    PyConfig config;
    char executable[PATH_MAX];
    char prefix[PATH_MAX];

    PyImport_FrozenModules = slither_frozen_modules;
    /* OpenSSL reads its configuration lazily, on the first ssl/hashlib use; point it at the
       node-local file unless the user chose one. */
    if (SLITHER_OPENSSL_CONF[0] != '\0' && getenv("OPENSSL_CONF") == NULL) {
        setenv("OPENSSL_CONF", SLITHER_OPENSSL_CONF, 0);
    }
    /* What the recipes linked in ask for at run time (their runtime_environment), unless set. */
@DEFAULT_ENVIRONMENT@    if (PyImport_ExtendInittab(slither_extensions) < 0) {
        fprintf(stderr, "slither: cannot register built-in extension modules\n");
        return 1;
    }

    /* UTF-8 mode without setlocale(LC_CTYPE, ""): glibc would read locale files for it. */
    PyPreConfig_InitPythonConfig(&preconfig);
    preconfig.utf8_mode = 1;
    preconfig.configure_locale = 0;
    exit_if_failed(Py_PreInitializeFromBytesArgs(&preconfig, argc, argv), NULL);

    PyConfig_InitPythonConfig(&config);
    exit_if_failed(PyConfig_SetBytesArgv(&config, argc, argv), &config);
    exit_if_failed(PyConfig_Read(&config), &config);
#if SLITHER_MAIN_MODULE_SET
    if (config.run_command == NULL && config.run_module == NULL && config.run_filename == NULL) {
        exit_if_failed(PyConfig_SetBytesString(&config, &config.run_module, SLITHER_MAIN_MODULE),
                       &config);
    }
#endif

    /* site would probe site-packages and user directories; the runtime installs what an
       interactive user expects from it (exit, help, ...) unless -S or -I said no. */
    int site_wanted = config.site_import;
    config.site_import = 0;
    config.use_frozen_modules = 1;

    if (find_executable(executable, sizeof executable) == 0) {
        prefix_of(executable, prefix, sizeof prefix);
        exit_if_failed(PyConfig_SetBytesString(&config, &config.executable, executable), &config);
        exit_if_failed(PyConfig_SetBytesString(&config, &config.home, prefix), &config);
    }
    else {
        snprintf(prefix, sizeof prefix, "/");
        exit_if_failed(PyConfig_SetBytesString(&config, &config.home, prefix), &config);
    }
    exit_if_failed(set_search_paths(&config, prefix), &config);

    status = Py_InitializeFromConfig(&config);
    if (PyStatus_Exception(status)) {
        exit_if_failed(status, &config);
    }
    PyObject *run_filename = config.run_filename == NULL ? Py_NewRef(Py_None)
        : PyUnicode_FromWideChar(config.run_filename, -1);
    int run_module = config.run_module != NULL;
    PyConfig_Clear(&config);

    int installed = run_filename == NULL ? -1 : install_runtime(site_wanted, run_filename, run_module);
    Py_XDECREF(run_filename);
    if (installed < 0) {
        PyErr_Print();
        Py_FinalizeEx();
        return 1;
    }
    return Py_RunMain();
}
'''


# What the gfortran driver links after libgfortran (its libgfortran.spec): the final link runs
# the C driver, so a static libgfortran.a needs it named (its formatted I/O of REAL(16) values).
GFORTRAN_COMPANIONS = ("-lquadmath",)


def module_link_flags(manifests: list[dict], gfortran_companions=GFORTRAN_COMPANIONS) -> list[str]:
    """Libraries the linked-in extension modules need (their -L/-l and flags), deduplicated in
    order, plus the C++ runtime when any extension was linked by a C++ driver, the Fortran
    runtime when any was linked by the Fortran driver (which names -lgfortran itself, not on
    its command line), and gfortran's companions right after -lgfortran."""
    flags: list[str] = []
    needs_cxx = needs_fortran = False
    for manifest in manifests:
        candidates = []
        for extension in manifest["extensions"]:
            needs_cxx = needs_cxx or extension.get("role") == "c++"
            needs_fortran = needs_fortran or extension.get("role") == "fortran"
            candidates += ([f"-L{d}" for d in extension.get("library_dirs", [])]
                           + list(extension.get("link_flags", []))
                           + list(extension.get("external_inputs", []))
                           + [f"-l{name}" for name in extension.get("libraries", [])])
        flags += [flag for flag in candidates if flag not in flags]
        if manifest["extensions"]:
            # A recipe's link_libraries come after its own libraries, even when an earlier
            # package named them already (h5py's libhdf5.a needs libm after it, and numpy's -lm
            # came first): static archives are read in order.
            after = [f"-l{name}" for name in manifest.get("link_libraries", [])]
            flags = [flag for flag in flags if flag not in after] + after
    if needs_fortran and "-lgfortran" not in flags:
        flags += ["-lgfortran", "-lm"]
    if "-lgfortran" in flags:
        position = flags.index("-lgfortran") + 1
        flags[position:position] = [flag for flag in gfortran_companions if flag not in flags]
    if needs_cxx:
        flags += [flag for flag in ("-lstdc++", "-lm") if flag not in flags]
    return flags


def trampoline_name(init_symbol: str) -> str:
    return f"slither_in_package_{init_symbol}"


def render_main_c(options: MainOptions) -> str:
    """The C source of main() for the given options."""
    for module, symbol in options.extensions:
        if not c_identifier_ok(symbol):
            raise ValueError(f"init symbol {symbol!r} of {module} is not a C identifier")
    declarations = "".join(f"extern PyObject *{symbol}(void);\n" for _, symbol in options.extensions)
    dotted = [(module, symbol) for module, symbol in options.extensions if "." in module]
    trampolines = "".join(f"static PyObject *{trampoline_name(symbol)}(void)\n"
                          f"{{\n    return slither_init_in_package({c_string(module)}, {symbol});\n}}\n\n"
                          for module, symbol in dotted)
    entries = "".join(f"    {{{c_string(module)}, {trampoline_name(symbol) if '.' in module else symbol}}},\n"
                      for module, symbol in options.extensions)
    main_module = c_string(options.main_module) if options.main_module else "NULL"
    text = TEMPLATE
    for key, value in {
        "@SERIES@": options.series,
        "@FROZEN@": "1" if options.stdlib_frozen else "0",
        "@MAIN_MODULE@": main_module,
        "@OPENSSL_CONF@": c_string(options.openssl_config),
        "@DEFAULT_ENVIRONMENT@": "".join(f"    setenv({c_string(name)}, {c_string(value)}, 0);\n"
                                         for name, value in options.default_environment),
        "@EXTENSION_DECLARATIONS@": declarations,
        "@PACKAGE_CONTEXT@": PACKAGE_CONTEXT if dotted else "",
        "@EXTENSION_TRAMPOLINES@": trampolines,
        "@EXTENSION_ENTRIES@": entries,
        "@SYMBOL_LOOKUP@": SYMBOL_LOOKUP,
    }.items():
        text = text.replace(key, value)
    return text.replace("#if SLITHER_MAIN_MODULE_SET", "#if " + ("1" if options.main_module else "0"))
