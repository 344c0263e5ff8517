/* module.h - what the _cffi_backend module shares with all its files: the
 * exception classes, and the conversion of a pure-C cc_error into a Python
 * exception.  Include <Python.h> before this header. */
#ifndef CCFFI_MODULE_H
#define CCFFI_MODULE_H

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
 * and as FFIError for refused declarations, ffi.error for type errors,
 * ImportError for a bad table.  Always returns -1. */
int ccm_raise_error(const cc_error *err);

/* Each file that defines Python types or module functions registers them. */
int ffi_obj_init_module(PyObject *m);
int ccall_init_module(PyObject *m);       /* ccall.c: function cdata, calls */
int ccallback_init_module(PyObject *m);   /* ccallback.c: ffi.callback */
int lib_obj_init_module(PyObject *m);     /* lib_obj.c: dlopen's Lib, RTLD_* */

#endif /* CCFFI_MODULE_H */
