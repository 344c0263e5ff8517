/* module.c - the _cffi_backend extension module: creation, exception
 * classes, version, and the mapping of pure-C errors to Python exceptions.
 * Each concern registers its own types through its *_init_module function;
 * this file only calls them in order. */
#include <Python.h>
#include "config.h"
#include "module/module.h"
#include "api/api_module.h"
#include "module/ffi_table_io.h"


PyObject *ccm_FFIError;
PyObject *ccm_CDefError;
PyObject *ccm_VerificationError;
PyObject *ccm_VerificationMissing;
PyObject *ccm_PkgConfigError;
PyObject *ccm_error;

int ccm_raise_error(const cc_error *err)
{
    switch (err->kind) {
    case CC_ERR_NOMEM:
        PyErr_NoMemory();
        break;
    case CC_ERR_SYNTAX:
    case CC_ERR_DECL: {
        /* a refused declaration ("multiple declarations of ...") is
         * FFIError, a text that cannot be parsed CDefError, as in CFFI */
        PyObject *exc = err->kind == CC_ERR_DECL ? ccm_FFIError : ccm_CDefError;
        if (err->line > 0)
            PyErr_Format(exc, "%s:%d:%d: %s", err->file, err->line,
                         err->column, err->message);
        else
            PyErr_SetString(exc, err->message);
        break;
    }
    case CC_ERR_TYPE:
        PyErr_SetString(ccm_error, err->message);
        break;
    case CC_ERR_TABLE:
        PyErr_Format(PyExc_ImportError, "invalid ccffi type table: %s",
                     err->message);
        break;
    case CC_ERR_NONE:
    default:
        PyErr_SetString(PyExc_SystemError, "ccffi: error raised without a record");
        break;
    }
    return -1;
}

/* Creates exception class `qualname` (e.g. "cffi.CDefError") and adds it to
 * the module under its last component. */
static PyObject *module_add_exception(PyObject *m, const char *qualname,
                                      const char *attr, PyObject *base)
{
    PyObject *exc = PyErr_NewException(qualname, base, NULL);
    if (exc == NULL)
        return NULL;
    Py_INCREF(exc);  /* PyModule_AddObject steals one on success only */
    if (PyModule_AddObject(m, attr, exc) < 0) {
        Py_DECREF(exc);
        Py_DECREF(exc);
        return NULL;
    }
    return exc;  /* the module keeps its reference; this one is the global's */
}

static int module_add_exceptions(PyObject *m)
{
    ccm_FFIError = module_add_exception(m, "cffi.FFIError", "FFIError", NULL);
    if (ccm_FFIError == NULL)
        return -1;
    ccm_CDefError = module_add_exception(m, "cffi.CDefError", "CDefError", NULL);
    if (ccm_CDefError == NULL)
        return -1;
    ccm_VerificationError = module_add_exception(
        m, "cffi.VerificationError", "VerificationError", NULL);
    if (ccm_VerificationError == NULL)
        return -1;
    ccm_VerificationMissing = module_add_exception(
        m, "cffi.VerificationMissing", "VerificationMissing", NULL);
    if (ccm_VerificationMissing == NULL)
        return -1;
    ccm_PkgConfigError = module_add_exception(
        m, "cffi.PkgConfigError", "PkgConfigError", NULL);
    if (ccm_PkgConfigError == NULL)
        return -1;
    ccm_error = module_add_exception(m, "ffi.error", "error", NULL);
    if (ccm_error == NULL)
        return -1;
    return 0;
}

static struct PyModuleDef backend_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_cffi_backend",
    .m_doc = "ccffi: the C runtime of a CFFI-compatible foreign function interface.",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__cffi_backend(void)
{
    PyObject *m = PyModule_Create(&backend_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddStringConstant(m, "__version__", CFFI_COMPAT_VERSION) < 0
        || PyModule_AddStringConstant(m, "__ccffi__", PACKAGE_VERSION) < 0
        || module_add_exceptions(m) < 0
        || ffi_obj_init_module(m) < 0
        || ccall_init_module(m) < 0
        || ccallback_init_module(m) < 0
        || lib_obj_init_module(m) < 0
        || api_decls_init_module(m) < 0
        || api_module_init_module(m) < 0
        || ffi_table_io_init_module(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
