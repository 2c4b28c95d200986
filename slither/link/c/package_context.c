#if PY_VERSION_HEX >= 0x030C0000
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

