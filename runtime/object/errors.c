/* errors.c - the exception classes of _cffi_backend (cffi.FFIError,
 * cffi.CDefError, VerificationError, VerificationMissing, PkgConfigError and
 * ffi.error) and the mapping of pure-C error records onto them. */
#include <Python.h>
#include "config.h"
#include "object/errors.h"

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
        if (err->line <= 0 || err->wording == CC_WORD_BARE)
            PyErr_SetString(exc, err->message);
        else if (err->wording == CC_WORD_DECL)
            PyErr_Format(exc, "%s:%d: %s", err->file, err->line,
                         err->message);
        else if (err->wording == CC_WORD_GRAMMAR && err->source[0])
            PyErr_Format(exc, "cannot parse \"%s\"\n%s:%d:%d: %s",
                         err->source, err->file, err->line, err->column,
                         err->message);
        else if (err->wording == CC_WORD_GRAMMAR)
            PyErr_Format(exc, "parse error\n%s:%d:%d: %s", err->file,
                         err->line, err->column, err->message);
        else
            PyErr_Format(exc, "%s:%d:%d: %s", err->file, err->line,
                         err->column, err->message);
        break;
    }
    case CC_ERR_NOTIMPL:    /* CFFI gives these no position */
        PyErr_SetString(PyExc_NotImplementedError, err->message);
        break;
    case CC_ERR_VALUE:
        PyErr_SetString(PyExc_ValueError, err->message);
        break;
    case CC_ERR_TYPEERR:
        PyErr_SetString(PyExc_TypeError, err->message);
        break;
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

int errors_init_module(PyObject *m)
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
