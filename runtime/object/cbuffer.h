/* cbuffer.h - ffi.buffer (the _cffi_backend.buffer type), ffi.from_buffer
 * and ffi.memmove: C memory seen as Python buffers and the reverse.
 * Include <Python.h> before this header. */
#ifndef CCFFI_CBUFFER_H
#define CCFFI_CBUFFER_H

#include "object/cdata.h"

typedef struct CBufferObject {
    PyObject_HEAD
    char *b_data;
    Py_ssize_t b_size;
    PyObject *b_keep;        /* the cdata whose memory this is, or the
                                capsule of its separate ffi.new() block */
    PyObject *b_weakreflist;
} CBufferObject;

extern PyTypeObject CBuffer_Type;   /* ffi.buffer */

/* ffi.from_buffer(ct, src, require_writable) once the type is resolved
 * (ct an array or pointer type): a cdata pointing into src's buffer,
 * keeping src alive.  New reference. */
PyObject *cbuffer_from_buffer(CTypeObject *ct, PyObject *src, int writable);

/* ffi.memmove(dest, src, n). */
PyObject *cbuffer_memmove(PyObject *dest, PyObject *src, Py_ssize_t n);

int cbuffer_init_module(PyObject *m);

#endif /* CCFFI_CBUFFER_H */
