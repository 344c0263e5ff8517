/* chandle.h - ffi.new_handle() and ffi.from_handle(): the void * of a handle
 * is a token that is never reused, and a table maps the live tokens to
 * their handle objects, so that from_handle() of a handle that died raises
 * instead of reading freed memory or returning another object.
 * Include <Python.h> before this header.  Every function needs the GIL.
 */
#ifndef CCFFI_CHANDLE_H
#define CCFFI_CHANDLE_H

/* ffi.new_handle(obj): a new 'void *' cdata whose value is a fresh token
 * and which keeps obj alive.  New reference, or NULL with an exception. */
PyObject *chandle_new(PyObject *obj);

/* ffi.from_handle(): the object of the live handle whose value is ptr (new
 * reference); NULL with RuntimeError for NULL, for a value that no handle
 * ever had, and for a handle that died. */
PyObject *chandle_target(void *ptr);

/* Makes handle objects (CDataHandle_Type, cdata.c) forget their token
 * when they die: the handle table is this file's, so the type's dealloc is
 * wrapped here rather than cdata.c calling up into it.  Once, after
 * cdata_init_module().  0 or -1. */
int chandle_init_module(PyObject *m);

#endif /* CCFFI_CHANDLE_H */
