/* cbuffer.c - C memory as Python buffers and Python buffers as C memory:
 * the `buffer` type returned by ffi.buffer() (buffer protocol, len,
 * indexing, slicing, slice assignment, comparisons), ffi.from_buffer()
 * (a cdata holding a Py_buffer on the source, which stays alive and
 * locked until released) and ffi.memmove(). */
#include <Python.h>
#include <stddef.h>
#include "config.h"
#include <string.h>
#include "object/cbuffer.h"
#include "object/cdata.h"

/* ------------------------------------------------------------ ffi.buffer */

/* Default size of ffi.buffer(cd): the array, or the pointed-to item. */
static Py_ssize_t cbuffer_default_size(CDataObject *cd)
{
    CTypeObject *ct = cd->c_type;
    if (ct->ct_flags & CT_ARRAY) {
        Py_ssize_t len = cdata_array_length(cd);
        if (len >= 0)
            return len * ct->ct_item->ct_size;
    }
    if (ct->ct_flags & CT_POINTER) {
        Py_ssize_t owned = cdata_owned_bytes((PyObject *)cd);
        if (owned >= 0)
            return owned;
        if (ct->ct_item->ct_size >= 0)
            return ct->ct_item->ct_size;
    }
    if (ct->ct_flags & CT_STRUCT_OR_UNION && ct->ct_size >= 0)
        return ct->ct_size;
    PyErr_Format(PyExc_TypeError, "don't know the size pointed to by '%s'", ct->ct_name);
    return -1;
}

static PyObject *cbuffer_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"cdata", "size", NULL};
    PyObject *obj;
    Py_ssize_t size = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|n:buffer", kwlist, &obj, &size))
        return NULL;
    if (!CData_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "expected a pointer or array cdata, got %.200s",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    CDataObject *cd = (CDataObject *)obj;
    if (!(cd->c_type->ct_flags & (CT_POINTER | CT_ARRAY))) {
        PyErr_Format(PyExc_TypeError, "expected a pointer or array cdata, got '%s'",
                     cd->c_type->ct_name);
        return NULL;
    }
    if (CData_IsReleased(obj)) {
        cdata_raise_released(NULL, obj, "no buffer over it");
        return NULL;
    }
    if (size < 0) {
        if ((size = cbuffer_default_size(cd)) < 0)
            return NULL;
    } else if (cdata_owned_bytes(obj) >= 0 && size > cdata_owned_bytes(obj)
               && PyErr_WarnFormat(PyExc_UserWarning, 1,
                                   "ffi.buffer(cdata, bytes): creating a buffer of %zd "
                                   "bytes over a cdata that owns only %zd bytes.  This "
                                   "will crash if you access the extra memory",
                                   size, cdata_owned_bytes(obj)) < 0)
        return NULL;
    CBufferObject *b = (CBufferObject *)type->tp_alloc(type, 0);
    if (b == NULL)
        return NULL;
    b->b_data = cd->c_data;
    b->b_size = size;
    /* what keeps the memory: a separate ffi.new() block outlives an
     * ffi.release() of obj while this buffer (or a memoryview) uses it */
    PyObject *keep = cdata_keepalive(obj);
    if (keep == NULL || !PyCapsule_CheckExact(keep))
        keep = obj;
    Py_INCREF(keep);
    b->b_keep = keep;
    return (PyObject *)b;
}

static void cbuffer_dealloc(CBufferObject *b)
{
    if (b->b_weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)b);
    Py_XDECREF(b->b_keep);
    Py_TYPE(b)->tp_free((PyObject *)b);
}

static int cbuffer_getbuffer(CBufferObject *b, Py_buffer *view, int flags)
{
    return PyBuffer_FillInfo(view, (PyObject *)b, b->b_data, b->b_size, 0, flags);
}

static PyBufferProcs cbuffer_as_buffer = {
    .bf_getbuffer = (getbufferproc)cbuffer_getbuffer,
};

static Py_ssize_t cbuffer_length(CBufferObject *b)
{
    return b->b_size;
}

/* As CFFI: a slice of a buffer is contiguous. */
static PyObject *cbuffer_refuse_step(void)
{
    PyErr_SetString(PyExc_TypeError, "buffer doesn't support slicing with step != 1");
    return NULL;
}

static PyObject *cbuffer_subscript(CBufferObject *b, PyObject *key)
{
    if (PySlice_Check(key)) {
        Py_ssize_t start, stop, step, n;
        if (PySlice_Unpack(key, &start, &stop, &step) < 0)
            return NULL;
        n = PySlice_AdjustIndices(b->b_size, &start, &stop, step);
        if (step != 1)
            return cbuffer_refuse_step();
        return PyBytes_FromStringAndSize(b->b_data + start, n);
    }
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    if (i < 0)
        i += b->b_size;
    if (i < 0 || i >= b->b_size) {
        PyErr_SetString(PyExc_IndexError, "buffer index out of range");
        return NULL;
    }
    return PyBytes_FromStringAndSize(b->b_data + i, 1);
}

static int cbuffer_ass_subscript(CBufferObject *b, PyObject *key, PyObject *value)
{
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "cannot delete buffer items");
        return -1;
    }
    Py_buffer src;
    if (PyObject_GetBuffer(value, &src, PyBUF_SIMPLE) < 0)
        return -1;
    int rc = -1;
    if (PySlice_Check(key)) {
        Py_ssize_t start, stop, step, n;
        if (PySlice_Unpack(key, &start, &stop, &step) < 0)
            goto done;
        n = PySlice_AdjustIndices(b->b_size, &start, &stop, step);
        if (step != 1) {
            cbuffer_refuse_step();
            goto done;
        }
        if (n != src.len) {
            PyErr_SetString(PyExc_ValueError, "right operand length must match slice length");
            goto done;
        }
        memmove(b->b_data + start, src.buf, (size_t)n);
        rc = 0;
    } else {
        Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
        if (i == -1 && PyErr_Occurred())
            goto done;
        if (i < 0)
            i += b->b_size;
        if (i < 0 || i >= b->b_size) {
            PyErr_SetString(PyExc_IndexError, "buffer index out of range");
            goto done;
        }
        if (src.len != 1) {
            PyErr_SetString(PyExc_ValueError, "right operand length must match slice length");
            goto done;
        }
        b->b_data[i] = ((char *)src.buf)[0];
        rc = 0;
    }
done:
    PyBuffer_Release(&src);
    return rc;
}

static PyMappingMethods cbuffer_as_mapping = {
    .mp_length = (lenfunc)cbuffer_length,
    .mp_subscript = (binaryfunc)cbuffer_subscript,
    .mp_ass_subscript = (objobjargproc)cbuffer_ass_subscript,
};

/* Comparisons compare the bytes, like bytes objects do. */
static PyObject *cbuffer_richcompare(PyObject *a, PyObject *b, int op)
{
    Py_buffer va, vb;
    if (PyObject_GetBuffer(a, &va, PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (PyObject_GetBuffer(b, &vb, PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        PyBuffer_Release(&va);
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject *ba = PyBytes_FromStringAndSize(va.buf, va.len);
    PyObject *bb = PyBytes_FromStringAndSize(vb.buf, vb.len);
    PyBuffer_Release(&va);
    PyBuffer_Release(&vb);
    PyObject *r = (ba && bb) ? PyObject_RichCompare(ba, bb, op) : NULL;
    Py_XDECREF(ba);
    Py_XDECREF(bb);
    return r;
}

PyTypeObject CBuffer_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.buffer",
    .tp_basicsize = sizeof(CBufferObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "ffi.buffer(cdata[, byte_size]): the raw bytes of C memory.",
    .tp_new = cbuffer_new,
    .tp_dealloc = (destructor)cbuffer_dealloc,
    .tp_as_buffer = &cbuffer_as_buffer,
    .tp_as_mapping = &cbuffer_as_mapping,
    .tp_richcompare = cbuffer_richcompare,
    .tp_weaklistoffset = offsetof(CBufferObject, b_weakreflist),
};

/* ------------------------------------------------------- ffi.from_buffer */

static PyObject *cbuffer_make_frombuf(CTypeObject *ct, Py_buffer *view, PyObject *src)
{
    Py_ssize_t length = -1;
    if (ct->ct_flags & CT_ARRAY) {
        Py_ssize_t isz = ct->ct_item->ct_size;
        if (isz <= 0) {
            PyErr_Format(PyExc_TypeError, "from_buffer() cannot use items of unknown size: '%s'",
                         ct->ct_name);
            return NULL;
        }
        if (ct->ct_length >= 0) {
            if (view->len < ct->ct_size) {
                PyErr_Format(PyExc_ValueError,
                             "buffer is too small (%zd bytes) for '%s' (%zd bytes)",
                             view->len, ct->ct_name, ct->ct_size);
                return NULL;
            }
            length = ct->ct_length;
        } else
            length = view->len / isz;
    } else if (!(ct->ct_flags & CT_POINTER)) {
        PyErr_Format(PyExc_TypeError, "expected a pointer or array ctype, got '%s'",
                     ct->ct_name);
        return NULL;
    }
    CDataFromBufObject *fb = (CDataFromBufObject *)cdata_new_variant(
        &CDataFromBuf_Type, ct, view->buf);
    if (fb == NULL)
        return NULL;
    fb->own.c_length = length;
    Py_INCREF(src);
    fb->own.c_keep = src;
    fb->own.c_repr_kind = CDATA_REPR_BUFFER;
    fb->c_view = *view;
    fb->c_view_held = 1;
    return (PyObject *)fb;
}

PyObject *cbuffer_from_buffer(CTypeObject *ct, PyObject *src, int writable)
{
    if (PyUnicode_Check(src)) {
        PyErr_Format(PyExc_TypeError, "a bytes-like object is required, not 'str'");
        return NULL;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(src, &view, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) < 0)
        return NULL;
    PyObject *r = cbuffer_make_frombuf(ct, &view, src);
    if (r == NULL)
        PyBuffer_Release(&view);
    return r;
}

/* ------------------------------------------------------------ ffi.memmove */

/* The address of a memmove operand: a pointer/array cdata, or a buffer. */
static int cbuffer_operand(PyObject *obj, int writable, char **ptr, Py_buffer *view,
                           int *held)
{
    *held = 0;
    if (CData_Check(obj)) {
        CTypeObject *ct = CData_CType(obj);
        if (!(ct->ct_flags & (CT_POINTER | CT_ARRAY))) {
            PyErr_Format(PyExc_TypeError, "expected a pointer or array cdata, got '%s'",
                         ct->ct_name);
            return -1;
        }
        if (CData_IsReleased(obj))
            return cdata_raise_released(NULL, obj, "ffi.memmove() cannot use it");
        *ptr = CData_Ptr(obj);
        return 0;
    }
    if (PyObject_GetBuffer(obj, view, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) < 0)
        return -1;
    *held = 1;
    *ptr = view->buf;
    return 0;
}

PyObject *cbuffer_memmove(PyObject *dest, PyObject *src, Py_ssize_t n)
{
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "negative size");
        return NULL;
    }
    char *pd, *ps;
    Py_buffer vd, vs;
    int hd, hs;
    if (cbuffer_operand(src, 0, &ps, &vs, &hs) < 0)
        return NULL;
    if (cbuffer_operand(dest, 1, &pd, &vd, &hd) < 0) {
        if (hs)
            PyBuffer_Release(&vs);
        return NULL;
    }
    if ((hs && vs.len < n) || (hd && vd.len < n))
        PyErr_SetString(PyExc_ValueError, "buffer is too small for 'n' bytes");
    else
        memmove(pd, ps, n);
    if (hs)
        PyBuffer_Release(&vs);
    if (hd)
        PyBuffer_Release(&vd);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

int cbuffer_init_module(PyObject *m)
{
    if (PyType_Ready(&CBuffer_Type) < 0)
        return -1;
    Py_INCREF(&CBuffer_Type);
    if (PyModule_AddObject(m, "buffer", (PyObject *)&CBuffer_Type) < 0) {
        Py_DECREF(&CBuffer_Type);
        return -1;
    }
    return 0;
}
