/* api_mismatch.h - the mismatch records of a compiled module's table, for
 * ffi.verify() (api_mismatch.c).  Include <Python.h> before this header. */
#ifndef CCFFI_API_MISMATCH_H
#define CCFFI_API_MISMATCH_H

/* Adds _cffi_backend._ccffi_layout_mismatch to the module. */
int api_mismatch_init_module(PyObject *m);

#endif /* CCFFI_API_MISMATCH_H */
