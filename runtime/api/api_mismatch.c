/* api_mismatch.c - what ffi.verify() reads of the "$mismatch" records that
 * the producer of a compiled module's table (a plugin, or the no-plugin
 * fallback) leaves where the C compiler contradicts the cdef
 * (table/cmismatch.h).
 *
 * _cffi_backend._ccffi_layout_mismatch(ffi, type_name) gives the layout
 * record of the struct/union that CFFI names type_name ("struct foo_s",
 * "foo_t") in the table of `ffi` (a compiled module's), or None when it has
 * none: a tuple (message, differences), where message is the
 * VerificationError text CFFI's verify() gives for a complete struct (None
 * when the record holds nothing it reports) and differences a tuple of
 * (what, cdef, compiler, field) per line of the record, in its order (what
 * is "field-size", "field-offset", "total-size" or "total-alignment", field
 * "" for the totals): pysrc/cffi/verifier.py words the checks CFFI makes on
 * partial structs from them.
 */
#include <Python.h>
#include "config.h"
#include "object/ffi_state.h"
#include "table/cmismatch.h"
#include "api/api_mismatch.h"

static const char *const mismatch_words[CC_LAYOUT__COUNT] = CC_LAYOUT_WORDS;

static PyObject *mismatch_malformed(const char *type_name)
{
    return PyErr_Format(PyExc_ValueError,
                        "malformed layout record for '%s' in the module's "
                        "table", type_name);
}

static PyObject *mismatch_differences(const char *type_name, const char *text,
                                      size_t len)
{
    PyObject *list = PyList_New(0);
    size_t pos = 0;
    cc_layout_diff d;
    int rc;
    if (list == NULL)
        return NULL;
    while ((rc = cc_layout_diff_next(text, len, &pos, &d)) == 1) {
        PyObject *field = PyUnicode_FromStringAndSize(d.field,
                                                      (Py_ssize_t)d.field_len);
        PyObject *item = field == NULL ? NULL
            : Py_BuildValue("(sLLN)", mismatch_words[d.what], d.cdef,
                            d.compiler, field);
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(item);
    }
    if (rc < 0) {
        Py_DECREF(list);
        return mismatch_malformed(type_name);
    }
    PyObject *tuple = PyList_AsTuple(list);
    Py_DECREF(list);
    return tuple;
}

static PyObject *api_layout_mismatch(PyObject *self, PyObject *args)
{
    (void)self;
    FFIObject *ffi;
    const char *type_name, *text;
    size_t len;
    char message[1024];
    if (!PyArg_ParseTuple(args, "O!s:_ccffi_layout_mismatch", &FFI_Type, &ffi,
                          &type_name))
        return NULL;
    if (!cc_table_layout_mismatch(&ffi->table, type_name, &text, &len))
        Py_RETURN_NONE;
    int rc = cc_layout_mismatch_message(text, len, type_name, CC_LAYOUT_VERIFY,
                                        message, sizeof message);
    if (rc < 0)
        return mismatch_malformed(type_name);
    PyObject *diffs = mismatch_differences(type_name, text, len);
    if (diffs == NULL)
        return NULL;
    if (rc == 0)
        return Py_BuildValue("(ON)", Py_None, diffs);
    return Py_BuildValue("(sN)", message, diffs);
}

static PyMethodDef api_mismatch_functions[] = {
    {"_ccffi_layout_mismatch", api_layout_mismatch, METH_VARARGS,
     "The layout mismatch record of a struct/union in a compiled module's "
     "table, for ffi.verify(): (message, differences), or None."},
    {NULL, NULL, 0, NULL},
};

int api_mismatch_init_module(PyObject *m)
{
    return PyModule_AddFunctions(m, api_mismatch_functions);
}
