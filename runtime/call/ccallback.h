/* ccallback.h - ffi.callback(): Python callables made callable from C
 * through libffi closures.  Include <Python.h> before this header. */
#ifndef CCFFI_CCALLBACK_H
#define CCFFI_CCALLBACK_H

extern PyTypeObject CDataCallback_Type;

struct CTypeObject;

/* ffi.callback(ct, callable, error, onerror) once the type is resolved: a
 * C function pointer of type ct (a FUNCTIONPTR type) calling `callable`.
 * New reference. */
PyObject *ccallback_new(struct CTypeObject *ct, PyObject *callable,
                        PyObject *error, PyObject *onerror);

/* ffi.callback(ct, error=..., onerror=...) without a callable: a decorator
 * that makes the callback of the function it decorates.  New reference. */
PyObject *ccallback_decorator(struct CTypeObject *ct, PyObject *error,
                              PyObject *onerror);

/* What a call from C into Python needs, shared by callbacks and by the
 * extern "Python" functions of API mode: the function type, the callable,
 * onerror and the error value.  Opaque. */
typedef struct ccallback_record ccallback_record;

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
