/* api_module.h - API mode at run time: importing a module that the code
 * generator wrote and gcc compiled with the ccffi plugin.
 *
 * The generated PyInit creates the module and calls
 * _cffi_backend._ccffi_init_module() (CCC_INIT_FUNCTION, table/contract.h)
 * with:
 *   version         CCC_INIT_ABI_VERSION of the ccffi that generated the
 *                   file; one outside CCC_INIT_ABI_MIN..CCC_INIT_ABI_VERSION
 *                   is refused with an ImportError naming both
 *   module          the module object
 *   table           the bytes of the type table the plugin wrote
 *   trampolines     capsule "ccffi.trampolines": void (*[])(void **, void *),
 *                   one per function slot (NULL for variadic functions)
 *   addresses       capsule "ccffi.addresses": void (*[])(void), the real
 *                   function per slot (NULL for function-like macros),
 *                   then the generated function of each extern "Python"
 *                   slot (nfuncs + nexterns entries; since ABI version 2)
 *   globals         capsule "ccffi.globals": void *(*[])(void), a getter of
 *                   each global variable's address per global slot
 *   nfuncs, nglobals, nexterns   the lengths of those arrays and the number
 *                   of extern "Python" slots
 *   hook            capsule "ccffi.python_hook": a struct of two pointers,
 *                   { void (*call)(void *state, unsigned slot, void **args,
 *                   void *result); void *state; }, which the runtime fills
 *                   so that the generated extern "Python" bodies reach it
 *   includes        a tuple of the module names whose ffi this one's cdef
 *                   included: imported, and their types shared
 * and fills the module (created by PyInit) with `ffi` and `lib`.
 * Include <Python.h> before this header.
 */
#ifndef CCFFI_API_MODULE_H
#define CCFFI_API_MODULE_H

typedef void (*api_trampoline)(void **args, void *result);
typedef void (*api_address)(void);
typedef void *(*api_global_getter)(void);

/* The layout of the generated file's hook struct. */
typedef struct api_python_hook {
    void (*call)(void *state, unsigned slot, void **args, void *result);
    void *state;
} api_python_hook;

/* ffi.def_extern(name, error, onerror) (each may be None), for the ffi of
 * a compiled module: the decorator attaching a Python function to an
 * extern "Python" function.  New reference. */
struct FFIObject;
PyObject *api_def_extern(struct FFIObject *ffi, PyObject *name, PyObject *error,
                         PyObject *onerror);

/* ffi.integer_const(name) of a compiled module's ffi for an integer
 * constant C computes at run time (contract.h CCC_MF_SLOT_SHIFT): its value
 * from the getter (new reference), NULL with an exception on error, NULL
 * without one for any other name or ffi. */
PyObject *api_integer_const(struct FFIObject *ffi, const char *name);

/* The Lib of a compiled module, and ffi.addressof(lib, "name") on it. */
extern PyTypeObject ApiLib_Type;
#define ApiLib_Check(ob) (Py_TYPE(ob) == &ApiLib_Type)
PyObject *api_lib_addressof(PyObject *lib, PyObject *name);

/* The function type (borrowed) of `lib.name` for a function of a compiled
 * module, or NULL (no exception) for any other object. */
struct CTypeObject;
struct CTypeObject *api_function_ctype(PyObject *obj);

/* For `lib.f` passed where C expects a pointer of type fnct (cconv's
 * hook): 1 and *address set when obj is such a function and fnct its type,
 * `void *`, or NULL (any, for ffi.cast()); 0 when obj is something else;
 * -1 with CFFI's TypeError for a pointer of another type, or when it is a
 * function-like macro of the source (it has no address). */
int api_function_address(PyObject *obj, struct CTypeObject *fnct,
                         void **address);  /* cconv's function hook */

/* CFFI's TypeError for a function of type fnct given where C expects a
 * pointer of type target (another type than fnct and `void *`); -1. */
int api_function_refused(struct CTypeObject *target, struct CTypeObject *fnct);

int api_decls_init_module(PyObject *m);
int api_module_init_module(PyObject *m);

#endif /* CCFFI_API_MODULE_H */
