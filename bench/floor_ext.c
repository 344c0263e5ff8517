/* floor_ext.c - the benchmark's floor: a hand-written CPython extension
 * that calls the test library's functions the way a careful human would,
 * with METH_FASTCALL, the GIL released and errno saved around each call as
 * CFFI does.  Nothing is cheaper from Python, so its times are the "1.00x"
 * of the table bench/run_bench.py prints.
 *
 * The functions are found with dlsym() in the library passed to load(), so
 * the calls are indirect calls, as for every FFI contender.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

struct point { int x, y; };

static void (*f_nothing)(void);
static int (*f_add)(int, int);
static double (*f_add_double)(double, double);
static size_t (*f_strlen)(const char *);
static int (*f_point_ptr_sum)(const struct point *);
static struct point (*f_make_point)(int, int);
static long (*f_sum_callback)(int (*)(int), int);
static int saved_errno;

#define FLOOR_CALL(stmt)                        \
    do {                                        \
        Py_BEGIN_ALLOW_THREADS                  \
        errno = saved_errno;                    \
        stmt;                                   \
        saved_errno = errno;                    \
        Py_END_ALLOW_THREADS                    \
    } while (0)

static PyObject *floor_nothing(PyObject *m, PyObject *const *a, Py_ssize_t n)
{
    (void)m; (void)a;
    if (n != 0)
        return PyErr_Format(PyExc_TypeError, "nothing() takes no argument");
    FLOOR_CALL(f_nothing());
    Py_RETURN_NONE;
}

static PyObject *floor_add(PyObject *m, PyObject *const *a, Py_ssize_t n)
{
    (void)m;
    if (n != 2)
        return PyErr_Format(PyExc_TypeError, "add() takes 2 arguments");
    long x = PyLong_AsLong(a[0]), y = PyLong_AsLong(a[1]);
    if ((x == -1 || y == -1) && PyErr_Occurred())
        return NULL;
    int r;
    FLOOR_CALL(r = f_add((int)x, (int)y));
    return PyLong_FromLong(r);
}

static PyObject *floor_add_double(PyObject *m, PyObject *const *a, Py_ssize_t n)
{
    (void)m;
    if (n != 2)
        return PyErr_Format(PyExc_TypeError, "add_double() takes 2 arguments");
    double x = PyFloat_AsDouble(a[0]), y = PyFloat_AsDouble(a[1]);
    if ((x == -1.0 || y == -1.0) && PyErr_Occurred())
        return NULL;
    double r;
    FLOOR_CALL(r = f_add_double(x, y));
    return PyFloat_FromDouble(r);
}

static PyObject *floor_strlen(PyObject *m, PyObject *const *a, Py_ssize_t n)
{
    (void)m;
    if (n != 1 || !PyBytes_Check(a[0]))
        return PyErr_Format(PyExc_TypeError, "strlen() takes one bytes");
    const char *s = PyBytes_AS_STRING(a[0]);
    size_t r;
    FLOOR_CALL(r = f_strlen(s));
    return PyLong_FromSize_t(r);
}

/* The struct pointer arrives as an integer address (the floor has no cdata). */
static PyObject *floor_point_ptr_sum(PyObject *m, PyObject *const *a, Py_ssize_t n)
{
    (void)m;
    if (n != 1)
        return PyErr_Format(PyExc_TypeError, "point_ptr_sum() takes 1 argument");
    const struct point *p = PyLong_AsVoidPtr(a[0]);
    if (p == NULL && PyErr_Occurred())
        return NULL;
    int r;
    FLOOR_CALL(r = f_point_ptr_sum(p));
    return PyLong_FromLong(r);
}

/* The struct comes back as a tuple (x, y). */
static PyObject *floor_make_point(PyObject *m, PyObject *const *a, Py_ssize_t n)
{
    (void)m;
    if (n != 2)
        return PyErr_Format(PyExc_TypeError, "make_point() takes 2 arguments");
    long x = PyLong_AsLong(a[0]), y = PyLong_AsLong(a[1]);
    if ((x == -1 || y == -1) && PyErr_Occurred())
        return NULL;
    struct point r;
    FLOOR_CALL(r = f_make_point((int)x, (int)y));
    return Py_BuildValue("(ii)", r.x, r.y);
}

/* The Python callable the C trampoline below calls (one at a time). */
static PyObject *current_callback;

static int floor_trampoline(int x)
{
    PyGILState_STATE st = PyGILState_Ensure();
    int r = 0;
    PyObject *arg = PyLong_FromLong(x);
    PyObject *res = arg ? PyObject_CallOneArg(current_callback, arg) : NULL;
    Py_XDECREF(arg);
    if (res != NULL) {
        r = (int)PyLong_AsLong(res);
        Py_DECREF(res);
    }
    if (PyErr_Occurred())
        PyErr_WriteUnraisable(current_callback);
    PyGILState_Release(st);
    return r;
}

static PyObject *floor_sum_callback(PyObject *m, PyObject *const *a, Py_ssize_t n)
{
    (void)m;
    if (n != 2)
        return PyErr_Format(PyExc_TypeError, "sum_callback() takes 2 arguments");
    long count = PyLong_AsLong(a[1]);
    if (count == -1 && PyErr_Occurred())
        return NULL;
    current_callback = a[0];
    long r;
    FLOOR_CALL(r = f_sum_callback(floor_trampoline, (int)count));
    return PyLong_FromLong(r);
}

static PyObject *current_compare;

static int floor_compare(const void *p, const void *q)
{
    PyGILState_STATE st = PyGILState_Ensure();
    int r = 0;
    PyObject *res = PyObject_CallFunction(current_compare, "ii",
                                          *(const int *)p, *(const int *)q);
    if (res != NULL) {
        r = (int)PyLong_AsLong(res);
        Py_DECREF(res);
    }
    if (PyErr_Occurred())
        PyErr_WriteUnraisable(current_compare);
    PyGILState_Release(st);
    return r;
}

/* qsort(buffer of ints, compare): sorts the writable buffer in place. */
static PyObject *floor_qsort(PyObject *m, PyObject *const *a, Py_ssize_t n)
{
    (void)m;
    if (n != 2)
        return PyErr_Format(PyExc_TypeError, "qsort() takes 2 arguments");
    Py_buffer view;
    if (PyObject_GetBuffer(a[0], &view, PyBUF_WRITABLE) < 0)
        return NULL;
    current_compare = a[1];
    FLOOR_CALL(qsort(view.buf, (size_t)view.len / sizeof(int), sizeof(int),
                     floor_compare));
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

/* load(path): finds the test library's functions. */
static PyObject *floor_load(PyObject *m, PyObject *arg)
{
    (void)m;
    PyObject *bytes;
    if (!PyUnicode_FSConverter(arg, &bytes))
        return NULL;
    void *h = dlopen(PyBytes_AS_STRING(bytes), RTLD_NOW);
    Py_DECREF(bytes);
    if (h == NULL)
        return PyErr_Format(PyExc_OSError, "%s", dlerror());
#define FLOOR_SYM(var, name)                                             \
    if ((*(void **)&var = dlsym(h, name)) == NULL)                       \
        return PyErr_Format(PyExc_OSError, "missing symbol %s", name);
    FLOOR_SYM(f_nothing, "tl_nothing");
    FLOOR_SYM(f_add, "tl_add");
    FLOOR_SYM(f_add_double, "tl_add_double");
    FLOOR_SYM(f_strlen, "tl_strlen");
    FLOOR_SYM(f_point_ptr_sum, "tl_point_ptr_sum");
    FLOOR_SYM(f_make_point, "tl_make_point");
    FLOOR_SYM(f_sum_callback, "tl_sum_callback");
#undef FLOOR_SYM
    Py_RETURN_NONE;
}

static PyMethodDef floor_methods[] = {
    {"load", floor_load, METH_O, "load(path): bind the test library."},
    {"nothing", (PyCFunction)(void (*)(void))floor_nothing, METH_FASTCALL, NULL},
    {"add", (PyCFunction)(void (*)(void))floor_add, METH_FASTCALL, NULL},
    {"add_double", (PyCFunction)(void (*)(void))floor_add_double, METH_FASTCALL, NULL},
    {"strlen", (PyCFunction)(void (*)(void))floor_strlen, METH_FASTCALL, NULL},
    {"point_ptr_sum", (PyCFunction)(void (*)(void))floor_point_ptr_sum, METH_FASTCALL, NULL},
    {"make_point", (PyCFunction)(void (*)(void))floor_make_point, METH_FASTCALL, NULL},
    {"sum_callback", (PyCFunction)(void (*)(void))floor_sum_callback, METH_FASTCALL, NULL},
    {"qsort", (PyCFunction)(void (*)(void))floor_qsort, METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef floor_module = {
    PyModuleDef_HEAD_INIT, "_ccffi_floor",
    "The hand-written floor of the ccffi benchmark.", -1, floor_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ccffi_floor(void)
{
    return PyModule_Create(&floor_module);
}
