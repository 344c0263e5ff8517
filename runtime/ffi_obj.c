/* ffi_obj.c - the FFI type of _cffi_backend: construction, and the ffi.*
 * methods that answer questions about types.  First slice: sizeof of the
 * primitive types, answered from the platform table of ctable.c. */
#include <Python.h>
#include "config.h"
#include <string.h>
#include "module.h"
#include "ffi_obj.h"

static PyObject *ffi_new_object(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    FFIObject *self = (FFIObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    if (cc_table_init(&self->table) < 0) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static void ffi_dealloc(FFIObject *self)
{
    cc_table_free(&self->table);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* The primitive named `name`, or -1. */
static int ffi_find_primitive(const char *name)
{
    for (int i = 0; i < CCT_PRIM__COUNT; i++)
        if (cc_prims[i].size != 0 && strcmp(cc_prims[i].name, name) == 0)
            return i;
    return -1;
}

static PyObject *ffi_sizeof(FFIObject *self, PyObject *arg)
{
    (void)self;
    if (!PyUnicode_Check(arg))
        return PyErr_Format(PyExc_TypeError,
                            "expected a string naming a C type, got %.200s",
                            Py_TYPE(arg)->tp_name);
    const char *name = PyUnicode_AsUTF8(arg);
    if (name == NULL)
        return NULL;
    int prim = ffi_find_primitive(name);
    if (prim < 0)
        return PyErr_Format(PyExc_NotImplementedError,
                            "ffi.sizeof('%s'): only primitive types so far", name);
    return PyLong_FromUnsignedLong(cc_prims[prim].size);
}

static PyMethodDef ffi_methods[] = {
    {"sizeof", (PyCFunction)ffi_sizeof, METH_O,
     "Return the size in bytes of the argument, a C type name."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject FFI_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.FFI",
    .tp_basicsize = sizeof(FFIObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "The interface to C declarations: types, data and libraries.",
    .tp_new = ffi_new_object,
    .tp_dealloc = (destructor)ffi_dealloc,
    .tp_methods = ffi_methods,
};

int ffi_obj_init_module(PyObject *m)
{
    if (PyType_Ready(&FFI_Type) < 0)
        return -1;
    if (PyDict_SetItemString(FFI_Type.tp_dict, "error", ccm_error) < 0)
        return -1;
    Py_INCREF(&FFI_Type);
    if (PyModule_AddObject(m, "FFI", (PyObject *)&FFI_Type) < 0) {
        Py_DECREF(&FFI_Type);
        return -1;
    }
    return 0;
}
