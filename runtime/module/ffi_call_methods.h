/* ffi_call_methods.h - the FFI methods that call into C (dlopen, dlclose,
 * callback), spliced into the method table of ffi_obj.c.  Owned by the
 * call machinery: lib_obj.c defines dlopen/dlclose, ccallback.c callback.
 * ffi.addressof(lib, name) is answered by lib_addressof() (lib_obj.h). */
#ifndef CCFFI_FFI_CALL_METHODS_H
#define CCFFI_FFI_CALL_METHODS_H

PyObject *lib_ffi_dlopen(PyObject *ffi, PyObject *args, PyObject *kwds);
PyObject *lib_ffi_dlclose(PyObject *ffi, PyObject *lib);
PyObject *ccallback_ffi_callback(PyObject *ffi, PyObject *args, PyObject *kwds);

#define FFI_CALL_METHODS /* entries of PyMethodDef, each ending in a comma */ \
    {"dlopen", (PyCFunction)(void (*)(void))lib_ffi_dlopen,                   \
     METH_VARARGS | METH_KEYWORDS,                                            \
     "dlopen(name, flags=0): open a shared library (None: the C library and " \
     "the process) and return a Lib giving access to the cdef's functions, " \
     "global variables and constants."},                                      \
    {"dlclose", (PyCFunction)lib_ffi_dlclose, METH_O,                         \
     "dlclose(lib): close a library opened by dlopen(); later accesses "     \
     "raise ValueError."},                                                    \
    {"callback", (PyCFunction)(void (*)(void))ccallback_ffi_callback,         \
     METH_VARARGS | METH_KEYWORDS,                                            \
     "callback(cdecl, python_callable=None, error=None, onerror=None): a C "  \
     "function pointer calling python_callable; without it, a decorator."},

#endif /* CCFFI_FFI_CALL_METHODS_H */
