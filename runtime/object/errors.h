/* errors.h - the exception classes of _cffi_backend, and the conversion of a
 * pure-C cc_error (parser, layout engine, table loader) into a Python
 * exception.  Every layer above table/ and cdef/ raises through these.
 * Include <Python.h> before this header. */
#ifndef CCFFI_ERRORS_H
#define CCFFI_ERRORS_H

#include "table/ctable.h"

/* Exception classes, created at module init (named as CFFI names them). */
extern PyObject *ccm_FFIError;          /* cffi.FFIError */
extern PyObject *ccm_CDefError;         /* cffi.CDefError */
extern PyObject *ccm_VerificationError; /* cffi.VerificationError */
extern PyObject *ccm_VerificationMissing;
extern PyObject *ccm_PkgConfigError;
extern PyObject *ccm_error;             /* ffi.error */

/* Raises the Python exception for a pure-C error record: MemoryError for
 * CC_ERR_NOMEM, "file:line:col: message" as CDefError for syntax errors
 * and as FFIError for refused declarations (or as err->wording says, the
 * way CFFI words the error), ffi.error for type errors,
 * NotImplementedError and ValueError without a position, ImportError for a
 * bad table.  Always returns -1. */
int ccm_raise_error(const cc_error *err);

/* Creates the exception classes and adds them to the module.  0 or -1. */
int errors_init_module(PyObject *m);

#endif /* CCFFI_ERRORS_H */
