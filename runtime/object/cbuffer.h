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
    PyObject *b_keep;        /* the cdata whose memory this is */
    PyObject *b_weakreflist;
} CBufferObject;

extern PyTypeObject CBuffer_Type;   /* ffi.buffer */

PyObject *cbuffer_from_buffer(PyObject *self, PyObject *args, PyObject *kwds);
PyObject *cbuffer_memmove(PyObject *self, PyObject *args, PyObject *kwds);

#define CBUFFER_FFI_METHODS                                                 \
    {"from_buffer", (PyCFunction)(void (*)(void))cbuffer_from_buffer,       \
     METH_VARARGS | METH_KEYWORDS,                                          \
     "A cdata pointing into the memory of a Python buffer object."},        \
    {"memmove", (PyCFunction)(void (*)(void))cbuffer_memmove,               \
     METH_VARARGS | METH_KEYWORDS,                                          \
     "Copy n bytes from src to dest (cdata or buffer objects)."},

int cbuffer_init_module(PyObject *m);

#endif /* CCFFI_CBUFFER_H */
