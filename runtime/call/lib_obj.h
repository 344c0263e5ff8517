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

/* ffi.dlopen(name, flags): a Lib answering ffi's declarations from the
 * library `name` (see clib_open).  New reference. */
struct FFIObject;
PyObject *lib_obj_open(struct FFIObject *ffi, PyObject *name, int flags);

/* ffi.dlclose(lib): TypeError unless lib came from dlopen(). */
PyObject *lib_obj_close(PyObject *lib);

int lib_obj_init_module(PyObject *m);

#endif /* CCFFI_LIB_OBJ_H */
