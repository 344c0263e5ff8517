/* lib_obj.h - the Lib object ffi.dlopen() returns: the library's functions,
 * global variables and the cdef's integer constants as attributes.
 * Include <Python.h> before this header. */
#ifndef CCFFI_LIB_OBJ_H
#define CCFFI_LIB_OBJ_H

extern PyTypeObject Lib_Type;

#define Lib_Check(ob) (Py_TYPE(ob) == &Lib_Type)

/* ffi.addressof(lib, "name"): the function cdata for a function, a "T *"
 * cdata for a global variable.  AttributeError when name is neither;
 * ValueError after dlclose.  New reference.  For ffi_obj.c's addressof. */
PyObject *lib_addressof(PyObject *lib, PyObject *name);

/* The FFI methods ffi.dlopen(name, flags=0) and ffi.dlclose(lib)
 * (listed in ffi_call_methods.h). */
PyObject *lib_ffi_dlopen(PyObject *ffi, PyObject *args, PyObject *kwds);
PyObject *lib_ffi_dlclose(PyObject *ffi, PyObject *lib);

int lib_obj_init_module(PyObject *m);

#endif /* CCFFI_LIB_OBJ_H */
