/* ffi_state.c - the FFI object as a state: creation (empty, or over a
 * compiled module's table), garbage collection, and the lookup of the CType
 * a type string or a CType argument names (parsed once, then cached).
 * Realization of table types is crealize.c's. */
#include <Python.h>
#include "config.h"
#include <string.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "object/ctype_obj.h"
#include "object/cdata.h"
#include "cdef/cparse.h"

/* -------------------------------------------------------------- lookups */

/* Is this the FFI of _cffi_backend itself (as out-of-line and API-mode
 * modules make it), not cffi.FFI?  CFFI reads type strings there with its
 * C parser, which words errors its own way and raises ffi.error. */
static int ffi_is_backend_ffi(FFIObject *ffi)
{
    return Py_TYPE(ffi) == &FFI_Type;
}

/* ffi.error for a type string, worded as CFFI's C parser does: the message,
 * then (for a string of at most 500 bytes) the string with anything but
 * printable ASCII shown as '?' (tab and newline as spaces), and a caret
 * under the offending byte. */
static void ffi_raise_c_parser_error(const cc_error *err, const char *text,
                                     size_t len)
{
    const char *words = err->c_words ? err->c_words : err->message;
    if (len > 500 || err->line <= 0) {
        PyErr_SetString(ccm_error, words);
        return;
    }
    size_t at = 0;
    for (int line = 1; line < err->line && at < len; at++)
        if (text[at] == '\n')
            line++;
    at += err->column > 0 ? (size_t)err->column - 1 : 0;
    if (at > len)
        at = len;
    char *shown = PyMem_Malloc(2 * len + 2);
    if (shown == NULL) {
        PyErr_NoMemory();
        return;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        shown[i] = (c == '\t' || c == '\n') ? ' '
                 : (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    shown[len] = '\n';
    memset(shown + len + 1, ' ', at);
    shown[len + 1 + at] = '\0';
    PyErr_Format(ccm_error, "%s\n%s^", words, shown);
    PyMem_Free(shown);
}

/* Parses and realizes a type string, caching the result in types_cache,
 * or in rawfunc_cache when the string names a function type. */
static CTypeObject *ffi_parse_type(FFIObject *ffi, PyObject *str, int *is_rawfunc)
{
    Py_ssize_t len;
    const char *text = PyUnicode_AsUTF8AndSize(str, &len);
    if (text == NULL)
        return NULL;
    uint32_t index;
    cc_error err = {0};
    if (ffi_is_backend_ffi(ffi)) {
        if (cc_parse_typename_c(&ffi->table, text, (size_t)len, &index,
                                &err) < 0) {
            if (err.kind == CC_ERR_NOMEM || err.kind == CC_ERR_TYPEERR)
                ccm_raise_error(&err);
            else
                ffi_raise_c_parser_error(&err, text, (size_t)len);
            return NULL;
        }
    } else if (cc_parse_typename(&ffi->table, text, (size_t)len, &index,
                                 &err) < 0) {
        ccm_raise_error(&err);
        return NULL;
    }
    *is_rawfunc = ffi->table.types[index].kind == CCT_KIND_FUNCTION;
    CTypeObject *ct = ffi_realize_type(ffi, index);
    if (ct == NULL)
        return NULL;
    PyObject *cache = *is_rawfunc ? ffi->rawfunc_cache : ffi->types_cache;
    if (PyDict_SetItem(cache, str, (PyObject *)ct) < 0) {
        Py_DECREF(ct);
        return NULL;
    }
    return ct;
}

static CTypeObject *ffi_lookup_ctype(FFIObject *ffi, PyObject *arg, int strict)
{
    if (PyUnicode_Check(arg)) {
        PyObject *ct = PyDict_GetItemWithError(ffi->types_cache, arg);
        int rawfunc = 0;
        if (ct == NULL && !PyErr_Occurred()) {
            ct = PyDict_GetItemWithError(ffi->rawfunc_cache, arg);
            rawfunc = 1;
        }
        if (ct != NULL)
            Py_INCREF(ct);
        else if (PyErr_Occurred())
            return NULL;
        else if ((ct = (PyObject *)ffi_parse_type(ffi, arg, &rawfunc)) == NULL)
            return NULL;
        if (rawfunc && strict) {
            PyErr_Format(ffi_is_backend_ffi(ffi) ? ccm_error : ccm_CDefError,
                         "the type '%U' is a function type, not a pointer-to-function type",
                         arg);
            Py_DECREF(ct);
            return NULL;
        }
        return (CTypeObject *)ct;
    }
    if (CType_Check(arg)) {
        Py_INCREF(arg);
        return (CTypeObject *)arg;
    }
    PyErr_SetString(PyExc_TypeError, "expected a 'ctype' object");
    return NULL;
}

CTypeObject *ffi_get_ctype(FFIObject *ffi, PyObject *arg)
{
    return ffi_lookup_ctype(ffi, arg, 0);
}

CTypeObject *ffi_get_ctype_strict(FFIObject *ffi, PyObject *arg)
{
    return ffi_lookup_ctype(ffi, arg, 1);
}

CTypeObject *ffi_get_ctype_or_cdata(FFIObject *ffi, PyObject *arg)
{
    if (CData_Check(arg)) {
        Py_INCREF(CData_CType(arg));
        return CData_CType(arg);
    }
    if (!PyUnicode_Check(arg) && !CType_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "expected a 'cdata' or 'ctype' object");
        return NULL;
    }
    return ffi_get_ctype_strict(ffi, arg);
}

/* -------------------------------------------------------- object basics */

static PyObject *ffi_new_object(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    (void)args;
    (void)kwds;
    FFIObject *self = (FFIObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->abi_mode = 1;
    if (cc_table_init(&self->table) < 0) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->types_cache = PyDict_New();
    self->rawfunc_cache = PyDict_New();
    self->init_once_cache = PyDict_New();
    self->included = PyList_New(0);
    self->incomplete = PyList_New(0);
    self->pending = PyList_New(0);
    self->typedef_names = PyDict_New();
    self->anon_numbers = PyDict_New();
    if (!self->pending || !self->typedef_names || !self->anon_numbers || !self->types_cache || !self->rawfunc_cache || !self->init_once_cache || !self->included
        || !self->incomplete) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

/* _cffi_backend.FFI() takes no argument; subclasses (cffi.FFI, which
 * accepts CFFI's `backend=` keyword) define their own __init__. */
static int ffi_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    if (Py_TYPE(self) == &FFI_Type
        && (PyTuple_GET_SIZE(args) != 0 || (kwds != NULL && PyDict_GET_SIZE(kwds) != 0))) {
        PyErr_SetString(PyExc_TypeError, "FFI() takes no argument");
        return -1;
    }
    return 0;
}

static PyObject *ffi_over_table(const void *buf, size_t len, int module)
{
    FFIObject *ffi = (FFIObject *)ffi_new_object(&FFI_Type, NULL, NULL);
    if (ffi == NULL)
        return NULL;
    cc_error err = {0};
    if ((module ? cc_table_load_module(&ffi->table, buf, len, &err)
                : cc_table_load(&ffi->table, buf, len, &err)) < 0) {
        Py_DECREF(ffi);
        ccm_raise_error(&err);
        return NULL;
    }
    ffi->abi_mode = 0;
    return (PyObject *)ffi;
}

PyObject *ffi_new_from_table(const void *buf, size_t len)
{
    return ffi_over_table(buf, len, 0);
}

PyObject *ffi_new_from_module_table(const void *buf, size_t len)
{
    return ffi_over_table(buf, len, 1);
}

static int ffi_traverse(FFIObject *self, visitproc visit, void *arg)
{
    for (uint32_t i = 0; i < self->nrealized_used; i++)
        Py_VISIT(self->realized[self->realized_used[i]]);
    Py_VISIT(self->types_cache);
    Py_VISIT(self->rawfunc_cache);
    Py_VISIT(self->init_once_cache);
    Py_VISIT(self->included);
    Py_VISIT(self->incomplete);
    Py_VISIT(self->pending);
    Py_VISIT(self->deferred_type);
    Py_VISIT(self->deferred_value);
    Py_VISIT(self->deferred_tb);
    Py_VISIT(self->typedef_names);
    Py_VISIT(self->anon_numbers);
    Py_VISIT(self->api_state);
    return 0;
}

static int ffi_clear(FFIObject *self)
{
    for (uint32_t i = 0; i < self->nrealized_used; i++)
        Py_CLEAR(self->realized[self->realized_used[i]]);
    self->nrealized_used = 0;
    if (self->realized_listed != NULL)
        memset(self->realized_listed, 0, (self->nrealized + 7) / 8);
    Py_CLEAR(self->types_cache);
    Py_CLEAR(self->rawfunc_cache);
    Py_CLEAR(self->init_once_cache);
    Py_CLEAR(self->included);
    Py_CLEAR(self->incomplete);
    Py_CLEAR(self->pending);
    Py_CLEAR(self->deferred_type);
    Py_CLEAR(self->deferred_value);
    Py_CLEAR(self->deferred_tb);
    Py_CLEAR(self->typedef_names);
    Py_CLEAR(self->anon_numbers);
    Py_CLEAR(self->api_state);
    return 0;
}

static void ffi_dealloc(FFIObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    ffi_clear(self);
    PyMem_Free(self->realized);
    self->realized = NULL;
    PyMem_Free(self->realized_used);
    self->realized_used = NULL;
    PyMem_Free(self->realized_listed);
    self->realized_listed = NULL;
    cc_table_free(&self->table);
    tp->tp_free((PyObject *)self);  /* subtype_dealloc drops a heap type's ref */
}

/* Methods and getters are installed by module/ffi_obj.c before
 * PyType_Ready: this layer owns the object, not its Python surface. */
PyTypeObject FFI_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.FFI",
    .tp_basicsize = sizeof(FFIObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The interface to C declarations: types, data and libraries.",
    .tp_new = ffi_new_object,
    .tp_init = ffi_init,
    .tp_dealloc = (destructor)ffi_dealloc,
    .tp_traverse = (traverseproc)ffi_traverse,
    .tp_clear = (inquiry)ffi_clear,
    .tp_weaklistoffset = offsetof(FFIObject, weakreflist),
};

int ffi_check_abi_out_of_line(FFIObject *ffi)
{
    for (uint32_t i = 0; i < ffi->table.ntypes; i++) {
        const cct_type *ty = &ffi->table.types[i];
        if (ty->kind != CCT_KIND_ENUM || !(ty->flags & CCT_TF_PARTIAL))
            continue;
        CTypeObject *ct = ffi_realize_type(ffi, i);
        if (ct == NULL)
            return -1;      /* VerificationMissing naming the enum */
        PyErr_Format(ccm_VerificationMissing, "%s", ct->ct_name);
        Py_DECREF(ct);
        return -1;
    }
    return 0;
}

PyObject *ffi_integer_const(FFIObject *ffi, const char *name)
{
    const cc_table *t = &ffi->table;
    uint32_t ref;
    if (cc_table_lookup(t, CC_NS_ORDINARY, name, strlen(name), &ref) == 1) {
        if (ref & CC_REF_ENUMERATOR) {
            const cct_enumerator *e = &t->enums[ref & ~CC_REF_ENUMERATOR];
            if (!(e->flags & CCT_EF_DOTS_VALUE)) {
                /* the enum's type says how to read the value */
                for (uint32_t i = 0; i < t->ntypes; i++) {
                    const cct_type *ty = &t->types[i];
                    uint32_t k = ref & ~CC_REF_ENUMERATOR;
                    if (ty->kind == CCT_KIND_ENUM && k >= ty->first
                        && k < ty->first + ty->count
                        && (cc_prims[ty->prim].flags & CCT_PF_UNSIGNED))
                        return PyLong_FromUnsignedLongLong(e->value);
                }
                return PyLong_FromLongLong((long long)e->value);
            }
        } else {
            const cct_decl *d = &t->decls[ref];
            if (d->kind == CCT_DECL_CONST_INT && !(d->flags & CCT_DF_DOTS_VALUE))
                return (d->flags & CCT_DF_UNSIGNED)
                       ? PyLong_FromUnsignedLongLong(d->value)
                       : PyLong_FromLongLong((long long)d->value);
        }
    }
    return PyErr_Format(PyExc_AttributeError,
                        "integer constant '%.200s' not found", name);
}
