/* ccall.h - calling C functions through libffi (ABI mode).
 *
 * ccall_call() is the whole call: argument conversion, errno restored from
 * ffi.errno, the GIL released around ffi_call(), errno saved, the result
 * converted.  The CData of any FUNCTIONPTR type can be called through it
 * (CData's tp_call calls it); functions looked up in a library are plain
 * cdata, as in CFFI, whose vectorcall slot calls it without a tuple.
 * Include <Python.h> before this header. */
#ifndef CCFFI_CCALL_H
#define CCFFI_CCALL_H

#include "object/ctype_obj.h"
#include "object/cdata.h"

#if PY_VERSION_HEX < 0x03090000   /* 3.8 spells vectorcall provisionally */
#define Py_TPFLAGS_HAVE_VECTORCALL _Py_TPFLAGS_HAVE_VECTORCALL
#define PyObject_Vectorcall _PyObject_Vectorcall
#endif

/* Calls the C function fn (a FUNCTIONPTR cdata) with Python arguments.
 * TypeError for a wrong argument count, a variadic argument that is not a
 * cdata, a NULL function pointer; conversion errors as cconv raises them. */
PyObject *ccall_call(CDataObject *fn, PyObject *const *args, Py_ssize_t nargs);

/* The same call through an API-mode trampoline `void t(void **args, void
 * *result)` (generated C that calls the function with typed arguments):
 * same conversions, GIL and errno handling, no libffi.  Variadic function
 * types raise NotImplementedError. */
PyObject *ccall_call_trampoline(CTypeObject *fnct,
                                void (*trampoline)(void **args, void *result),
                                PyObject *const *args, Py_ssize_t nargs);

/* Whether fnct's API-mode calls can go through ccall_call_trampoline_quick
 * (few integer, double or pointer arguments, such a result or void): 1 or
 * 0, -1 with an exception. */
int ccall_trampoline_is_quick(CTypeObject *fnct);

/* ccall_call_trampoline() for such a function type: the fast conversions
 * only, and the general call whenever an argument needs more. */
PyObject *ccall_call_trampoline_quick(CTypeObject *fnct,
                                      void (*trampoline)(void **args, void *result),
                                      PyObject *const *args, Py_ssize_t nargs);

/* A C value of type ct (kind: its CCALL_ARG_* from ccall_type.h) as Python
 * sees it: ints and floats by fast paths, records as owning copies, the
 * rest through cconv.  For results and callback arguments. */
PyObject *ccall_to_python(CTypeObject *ct, int kind, const char *src);

/* The lib-function cdata: a plain FUNCTIONPTR cdata (type _CDataBase),
 * called through vectorcall with no keyword arguments.  New reference. */
PyObject *ccall_new_function(CTypeObject *fnct, void *address);

/* The same, holding `keep` (may be NULL) as long as the cdata lives: the
 * pin of the library the function was found in keeps it loaded. */
PyObject *ccall_new_function_kept(CTypeObject *fnct, void *address,
                                  PyObject *keep);

int ccall_init_module(PyObject *m);

#endif /* CCFFI_CCALL_H */
