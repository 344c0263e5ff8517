/* ccallback.h - ffi.callback(): Python callables made callable from C
 * through libffi closures.  Include <Python.h> before this header. */
#ifndef CCFFI_CCALLBACK_H
#define CCFFI_CCALLBACK_H

extern PyTypeObject CDataCallback_Type;

/* ffi.callback(cdecl, python_callable=None, error=None, onerror=None)
 * (listed in ffi_call_methods.h); without python_callable, a decorator. */
PyObject *ccallback_ffi_callback(PyObject *ffi, PyObject *args, PyObject *kwds);

/* What a call from C into Python needs, shared by callbacks and by the
 * extern "Python" functions of API mode: the function type, the callable,
 * onerror and the error value.  Opaque. */
typedef struct ccallback_record ccallback_record;
struct CTypeObject;

/* Checks a callback's type and callables as CFFI does (TypeError,
 * NotImplementedError for variadic types).  0 or -1 with an exception. */
int ccallback_check(struct CTypeObject *fnct, PyObject *callable,
                    PyObject *onerror);

/* A record for fnct (a FUNCTIONPTR type), with no closure: the error value
 * converted from `error` (None: zeroes), onerror None or a callable.
 * NULL with an exception. */
ccallback_record *ccallback_record_new(struct CTypeObject *fnct,
                                       PyObject *callable, PyObject *error,
                                       PyObject *onerror);
void ccallback_record_free(ccallback_record *rec);

/* Calls the record's callable from C: any thread, GIL not held.  args[i]
 * points at argument i; the result is written at ret, which has room for
 * the result and at least an ffi_arg (small integers are widened, as
 * libffi closures return them).  Exceptions go to onerror or are reported
 * as CFFI reports them, and ret gets the error value. */
void ccallback_dispatch(ccallback_record *rec, void *ret, void **args);

int ccallback_init_module(PyObject *m);

#endif /* CCFFI_CCALLBACK_H */
