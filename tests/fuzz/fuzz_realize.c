/* fuzz_realize.c - libFuzzer target for what a user reaches: ffi.cdef(),
 * type realization and cdata operations, through the real Python API.
 *
 * The fuzzer embeds Python (Debian's libpython, PYTHONMALLOC=malloc so that
 * ASan sees every object) with the whole runtime compiled in as the built-in
 * module _cffi_backend, and the build tree's `cffi` package on sys.path
 * (CCFFI_PYTHON_TREE).  An input is a cdef text, then \x00, then operation
 * bytes: tests/fuzz/fuzz_realize.py (the driver below, run_input) cdefs the
 * text, collects the type names it declares and, for each operation byte,
 * does typeof / sizeof / alignof / new (with initializers built from the
 * following bytes) / cast / string / buffer / unpack / field reads and
 * writes / iteration / pointer arithmetic / addressof / release on them.
 * Python exceptions are expected; a crash, an ASan or UBSan report, or a
 * SystemError (an error path that forgot to set an exception) is a finding.
 * Build and run: `make fuzz-realize FUZZ_SECONDS=60` (tests/Makemodule.am).
 */
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

PyMODINIT_FUNC PyInit__cffi_backend(void);

static PyObject *run_input;

static void fuzz_die(const char *what)
{
    PyErr_Print();
    fprintf(stderr, "fuzz_realize: %s\n", what);
    abort();
}

static void fuzz_init(void)
{
    PyPreConfig pre;
    PyPreConfig_InitPythonConfig(&pre);
    pre.allocator = PYMEM_ALLOCATOR_MALLOC;
    if (PyStatus_Exception(Py_PreInitialize(&pre)))
        abort();
    if (PyImport_AppendInittab("_cffi_backend", PyInit__cffi_backend) < 0)
        abort();
    Py_InitializeEx(0);
    const char *tree = getenv("CCFFI_PYTHON_TREE");
    const char *driver = getenv("CCFFI_FUZZ_DRIVER");
    if (tree == NULL || driver == NULL) {
        fprintf(stderr, "fuzz_realize: set CCFFI_PYTHON_TREE (the build tree's python/) "
                        "and CCFFI_FUZZ_DRIVER (tests/fuzz/fuzz_realize.py)\n");
        abort();
    }
    PyObject *sys_path = PySys_GetObject("path");
    PyObject *p = PyUnicode_FromString(tree);
    if (sys_path == NULL || p == NULL || PyList_Insert(sys_path, 0, p) < 0)
        fuzz_die("sys.path");
    Py_DECREF(p);
    FILE *f = fopen(driver, "r");
    if (f == NULL)
        fuzz_die("cannot open CCFFI_FUZZ_DRIVER");
    PyObject *globals = PyDict_New();
    if (globals == NULL || PyDict_SetItemString(globals, "__builtins__",
                                                PyEval_GetBuiltins()) < 0)
        fuzz_die("globals");
    PyObject *r = PyRun_FileEx(f, driver, Py_file_input, globals, globals, 1);
    if (r == NULL)
        fuzz_die("the driver failed to load");
    Py_DECREF(r);
    run_input = PyDict_GetItemString(globals, "run_input");
    if (run_input == NULL)
        fuzz_die("the driver has no run_input()");
    Py_INCREF(run_input);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (run_input == NULL)
        fuzz_init();
    PyObject *arg = PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)size);
    if (arg == NULL)
        fuzz_die("bytes");
    PyObject *r = PyObject_CallOneArg(run_input, arg);
    Py_DECREF(arg);
    if (r == NULL)
        fuzz_die("run_input() raised (a SystemError or a driver bug)");
    Py_DECREF(r);
    return 0;
}
