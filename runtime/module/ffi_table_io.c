/* ffi_table_io.c - an FFI's declarations as table bytes and back: what ABI
 * mode out-of-line needs.  emit_python_code() writes a .py module holding
 * the serialized table of the cdef (layouts already computed), and that
 * module rebuilds its ffi from the bytes with no parsing at import time.
 *
 *   _cffi_backend._ccffi_table_bytes(ffi) -> bytes
 *   _cffi_backend._ccffi_ffi_from_table(bytes[, included]) -> FFI (ABI mode)
 *
 * `included` is the tuple of the ffi objects of the modules the cdef
 * included (the generated module imports them, as CFFI's `_includes`):
 * their types are shared and their lib-only names are refused as CFFI
 * refuses them (call/lib_obj.c).
 */
#include <Python.h>
#include "config.h"
#include <stdlib.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "module/ffi_table_io.h"

static PyObject *table_io_bytes(PyObject *self, PyObject *arg)
{
    (void)self;
    if (!FFI_Check(arg))
        return PyErr_Format(PyExc_TypeError, "expected an FFI object, got %.200s",
                            Py_TYPE(arg)->tp_name);
    if (ffi_check_abi_out_of_line((FFIObject *)arg) < 0)
        return NULL;
    unsigned char *buf = NULL;
    size_t len = 0;
    if (cc_table_serialize(&((FFIObject *)arg)->table, &buf, &len) < 0)
        return PyErr_NoMemory();
    PyObject *res = PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)len);
    free(buf);
    return res;
}

static PyObject *table_io_ffi(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *arg, *included = NULL;
    if (!PyArg_ParseTuple(args, "O|O!:_ccffi_ffi_from_table", &arg,
                          &PyTuple_Type, &included))
        return NULL;
    for (Py_ssize_t i = 0; included && i < PyTuple_GET_SIZE(included); i++)
        if (!FFI_Check(PyTuple_GET_ITEM(included, i)))
            return PyErr_Format(PyExc_TypeError, "included: expected FFI "
                                "objects, got %.200s",
                                Py_TYPE(PyTuple_GET_ITEM(included, i))->tp_name);
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    PyObject *ffi = ffi_new_from_table(view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    if (ffi == NULL)
        return NULL;
    ((FFIObject *)ffi)->abi_mode = 1;  /* laid out by the layout engine */
    for (Py_ssize_t i = 0; included && i < PyTuple_GET_SIZE(included); i++)
        if (PyList_Append(((FFIObject *)ffi)->included,
                          PyTuple_GET_ITEM(included, i)) < 0) {
            Py_DECREF(ffi);
            return NULL;
        }
    return ffi;
}

static PyMethodDef table_io_functions[] = {
    {"_ccffi_table_bytes", table_io_bytes, METH_O,
     "The serialized type table of an FFI's declarations."},
    {"_ccffi_ffi_from_table", table_io_ffi, METH_VARARGS,
     "An ABI-mode FFI over a serialized type table (ABI mode out-of-line)."},
    {NULL, NULL, 0, NULL},
};

int ffi_table_io_init_module(PyObject *m)
{
    return PyModule_AddFunctions(m, table_io_functions);
}
