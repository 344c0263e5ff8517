/* compat.h - what the module layer calls of compat/ (modules built by real
 * CFFI): the module-init entry and the FFI constructor's serialised form.
 * Include <Python.h> before this header. */
#ifndef CCFFI_COMPAT_H
#define CCFFI_COMPAT_H

struct FFIObject;

/* Adds _init_cffi_1_0_external_module, _C_API and the rest to
 * _cffi_backend.  0 or -1. */
int compat_init_module(PyObject *m);

/* FFI(module_name, _version=..., _types=..., _globals=..., _struct_unions=
 * ..., _enums=..., _typenames=..., _includes=...), the form the .py modules
 * of real CFFI's out-of-line ABI mode call: fills a new, empty ffi from
 * CFFI's serialised type context.  1 when args/kwds are that form and ffi
 * was filled, 0 when they are not (the caller goes on), -1 with an
 * exception (ImportError for an unknown version or a bad context). */
int compat_ffi_init(struct FFIObject *ffi, PyObject *args, PyObject *kwds);

/* The lib of a CFFI-built module: a check, ffi.addressof(lib, name) on it,
 * and the function-pointer type (borrowed) of one of its functions `lib.f`
 * (NULL, no exception, for any other object). */
int compat_lib_check(PyObject *obj);
PyObject *compat_lib_addressof(PyObject *lib, PyObject *name);
struct CTypeObject;
struct CTypeObject *compat_function_ctype(PyObject *obj);

#endif /* CCFFI_COMPAT_H */
