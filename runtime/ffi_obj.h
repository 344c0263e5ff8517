/* ffi_obj.h - the FFI object: one declaration universe (a cc_table) and
 * the ffi.* operations on it.  cffi.FFI (pysrc/cffi/api.py) subclasses it to
 * add the build-time methods (set_source, compile, ...). */
#ifndef CCFFI_FFI_OBJ_H
#define CCFFI_FFI_OBJ_H

#include "ctable.h"

typedef struct FFIObject {
    PyObject_HEAD
    cc_table table;   /* every declaration cdef() has seen, or a module's table */
} FFIObject;

extern PyTypeObject FFI_Type;

#endif /* CCFFI_FFI_OBJ_H */
