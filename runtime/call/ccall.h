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
#include <stdint.h>

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

/* The leanest API-mode call, for the quick signatures (see above) of at
 * most CCALL_PLAN_ARGS integer or pointer arguments and an integer,
 * pointer or void result: each argument's converter (an integer range or
 * a pointer) decided once, and the generated function of the cdef's type
 * (the module's `addresses` entry, _ccffi_dN) called with exactly its
 * arguments in registers, as ABI-mode direct calls are: no trampoline, no
 * argument slots.  Anything not fast falls back to ccall_call_trampoline()
 * before any side effect, so conversions, errors, errno and the released
 * GIL are those of the general call.  (Doubles stay with
 * ccall_call_trampoline_quick, as lean for them.) */
#define CCALL_PLAN_ARGS 4
struct ccall_plan;
typedef PyObject *(*ccall_plan_entry)(const struct ccall_plan *plan,
                                      CTypeObject *fnct,
                                      void (*trampoline)(void **, void *),
                                      PyObject *const *args, Py_ssize_t nargs);
typedef struct ccall_plan {
    ccall_plan_entry entry;               /* the call for nargs arguments:
                                             plan->entry(plan, ...), nargs
                                             checked by the caller */
    void *address;                        /* R (*)(cdef's parameters) */
    unsigned char nargs;
    unsigned char result;                 /* its converter */
    unsigned char codes[CCALL_PLAN_ARGS]; /* converter of each argument */
    int64_t lo[CCALL_PLAN_ARGS], hi[CCALL_PLAN_ARGS];  /* integer ranges */
} ccall_plan;

/* Fills *plan for fnct called at address: 1, or 0 if the signature does
 * not qualify (then use ccall_call_trampoline[_quick]), -1 with an
 * exception. */
int ccall_plan_init(ccall_plan *plan, CTypeObject *fnct, void *address);

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
