/* ffi_obj.h - the Python surface of the FFI object: every ffi.* method,
 * bound in ffi_obj.c over the lower layers.  Include <Python.h> before this
 * header. */
#ifndef CCFFI_FFI_OBJ_H
#define CCFFI_FFI_OBJ_H

/* Installs the methods on FFI_Type (object/ffi_state.h), readies it and the
 * types of the object layer, adds FFI to the module.  0 or -1. */
int ffi_obj_init_module(PyObject *m);

#endif /* CCFFI_FFI_OBJ_H */
