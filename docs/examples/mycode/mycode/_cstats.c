/* A plain C extension module: the sum of squares of a sequence of numbers. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *sum_of_squares(PyObject *self, PyObject *sequence)
{
    PyObject *fast = PySequence_Fast(sequence, "sum_of_squares() takes a sequence of numbers");
    if (fast == NULL)
        return NULL;
    double total = 0.0;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(fast); i++) {
        double value = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
        if (value == -1.0 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return NULL;
        }
        total += value * value;
    }
    Py_DECREF(fast);
    return PyFloat_FromDouble(total);
}

static PyMethodDef methods[] = {
    {"sum_of_squares", sum_of_squares, METH_O, "Sum of the squares of the numbers."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cstats", NULL, -1, methods};

PyMODINIT_FUNC PyInit__cstats(void)
{
    return PyModule_Create(&module);
}
