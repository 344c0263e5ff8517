/* ccallback.h - ffi.callback(): Python callables made callable from C
 * through libffi closures.  Include <Python.h> before this header. */
#ifndef CCFFI_CCALLBACK_H
#define CCFFI_CCALLBACK_H

extern PyTypeObject CDataCallback_Type;

/* ffi.callback(cdecl, python_callable=None, error=None, onerror=None)
 * (listed in ffi_call_methods.h); without python_callable, a decorator. */
PyObject *ccallback_ffi_callback(PyObject *ffi, PyObject *args, PyObject *kwds);

int ccallback_init_module(PyObject *m);

#endif /* CCFFI_CCALLBACK_H */
