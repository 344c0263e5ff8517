/* lib_obj.c - the Lib object of ABI mode (what ffi.dlopen() returns).
 *
 * Attributes are resolved against the FFI's declarations when first asked
 * for, so declarations added by a later cdef() are seen: a function is
 * looked up with dlsym() once and cached as a function cdata (a plain
 * cdata with a fast call); a global variable is read or written through
 * its address at each access (structs, unions and arrays read as cdata
 * views of the library's memory); integer
 * constants (#define, enumerators, `static const` with a value) are cached
 * Python ints.  After ffi.dlclose() the cache is dropped and every access
 * raises an error, as CFFI does.  CFFI words errors in two ways: the Lib of
 * cffi.FFI (its pure-Python dlopen) raises ValueError, AttributeError and
 * KeyError; the Lib of _cffi_backend.FFI (out-of-line modules) raises
 * ffi.error.  Function cdatas hold the library's pin, so the library stays
 * loaded while they live, even when the Lib is gone.
 */
#include <Python.h>
#include "config.h"
#include <string.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "object/cdata.h"
#include "object/cconv.h"
#include "call/ccall.h"
#include "call/clib.h"
#include "call/lib_obj.h"

typedef struct LibObject {
    PyObject_HEAD
    FFIObject *ffi;           /* whose declarations this library answers */
    clib_library lib;
    PyObject *cache;          /* name -> function cdata or constant */
    PyObject *weakreflist;
    int backend_words;        /* 1: worded as _cffi_backend.FFI's Lib */
} LibObject;

/* The error CFFI raises for an access to a closed library, -1; 0 if open. */
static int lib_check_open(LibObject *self)
{
    if (self->lib.handle != NULL)
        return 0;
    if (!self->backend_words)
        return clib_check_open(&self->lib);
    PyErr_Format(ccm_error, "library '%U' has been closed", self->lib.name);
    return -1;
}

/* ------------------------------------------------------------ lookup */

/* The declaration index of ordinary `name`, an enumerator (| flag), or
 * -1 when the cdef has no such name. */
static int64_t lib_lookup(LibObject *self, const char *name, Py_ssize_t len)
{
    uint32_t ref;
    if (cc_table_lookup(&self->ffi->table, CC_NS_ORDINARY, name, (size_t)len,
                        &ref) != 1)
        return -1;
    return ref;
}

/* The enum type holding enumerator `index`, or 0. */
static uint32_t lib_enumerator_type(const cc_table *t, uint32_t index)
{
    for (uint32_t i = 0; i < t->ntypes; i++) {
        const cct_type *ty = &t->types[i];
        if (ty->kind == CCT_KIND_ENUM && index >= ty->first
            && index < ty->first + ty->count)
            return i;
    }
    return 0;
}

static PyObject *lib_enumerator_value(LibObject *self, uint32_t index)
{
    const cc_table *t = &self->ffi->table;
    uint64_t v = t->enums[index].value;
    uint32_t type = lib_enumerator_type(t, index);
    if (type != 0 && (t->types[type].flags & CCT_TF_PARTIAL)
        && self->ffi->abi_mode) {
        /* `enum e { A, ... }`: realizing it raises VerificationMissing */
        CTypeObject *ct = ffi_realize_type(self->ffi, type);
        if (ct == NULL)
            return NULL;
        Py_DECREF(ct);
    }
    if (type == 0 || !(cc_prims[t->types[type].prim].flags & CCT_PF_UNSIGNED))
        return PyLong_FromLongLong((long long)v);
    return PyLong_FromUnsignedLongLong(v);
}

static PyObject *lib_no_attribute(LibObject *self, PyObject *name)
{
    if (!self->backend_words) {     /* cffi.FFI's Lib: AttributeError(name) */
        PyErr_SetObject(PyExc_AttributeError, name);
        return NULL;
    }
    PyErr_Format(PyExc_AttributeError, "cffi library '%U' has no function, "
                 "constant or global variable named '%U'", self->lib.name, name);
    return NULL;
}

/* The address of symbol `name`, or NULL with `exc` raised as CFFI words it. */
static void *lib_symbol(LibObject *self, const char *what, const char *name,
                        PyObject *exc)
{
    const char *why;
    void *p = clib_symbol(&self->lib, name, &why);
    if (p == NULL && self->backend_words)
        PyErr_Format(ccm_error, "symbol '%s' not found in library '%U': %s",
                     name, self->lib.name, why);
    else if (p == NULL)
        PyErr_Format(exc, "%s '%s' not found in library '%U': %s", what, name,
                     self->lib.name, why);
    return p;
}

/* As CFFI: the Lib of cffi.FFI (in-line) builds the function's type
 * first, the backend's Lib (out-of-line) looks the symbol up first; so
 * a missing symbol of a broken type raises what CFFI raises. */
static PyObject *lib_make_function(LibObject *self, const cct_decl *d,
                                   const char *name)
{
    void *p = NULL;
    if (self->backend_words) {
        p = lib_symbol(self, "function/symbol", name, PyExc_AttributeError);
        if (p == NULL)
            return NULL;
    }
    CTypeObject *ct = ffi_realize_type(self->ffi, d->type);
    if (ct == NULL)
        return NULL;
    PyObject *fn = NULL;
    if (p == NULL)
        p = lib_symbol(self, "function/symbol", name, PyExc_AttributeError);
    if (p != NULL)
        fn = ccall_new_function_kept(ct, p, self->lib.pin);
    Py_DECREF(ct);
    return fn;
}

static PyObject *lib_constant(LibObject *self, const cct_decl *d)
{
    if (d->kind == CCT_DECL_CONST_FLOAT) {
        double v;
        memcpy(&v, &d->value, sizeof v);
        return PyFloat_FromDouble(v);
    }
    if (d->kind == CCT_DECL_CONST_STRING) {
        const char *s = cc_table_str(&self->ffi->table, (uint32_t)d->value);
        return PyBytes_FromStringAndSize(s, (Py_ssize_t)(d->value >> 32));
    }
    if (d->flags & CCT_DF_UNSIGNED)
        return PyLong_FromUnsignedLongLong(d->value);
    return PyLong_FromLongLong((long long)d->value);
}

/* A global variable: its CType (new reference) and address.  The type
 * first, as both of CFFI's Libs: a broken type is reported before a
 * missing symbol. */
static int lib_variable(LibObject *self, const cct_decl *d, const char *name,
                        CTypeObject **ct, char **addr)
{
    *ct = ffi_realize_type(self->ffi, d->type);
    if (*ct == NULL)
        return -1;
    *addr = lib_symbol(self, "variable", name, PyExc_KeyError);
    if (*addr == NULL) {
        Py_CLEAR(*ct);
        return -1;
    }
    return 0;
}

static PyObject *lib_read_variable(LibObject *self, const cct_decl *d,
                                   const char *name)
{
    CTypeObject *ct;
    char *addr;
    if (lib_variable(self, d, name, &ct, &addr) < 0)
        return NULL;
    PyObject *v;
    if (ct->ct_flags & (CT_STRUCT_OR_UNION | CT_ARRAY))
        v = cdata_new_view(ct, addr, NULL);
    else
        v = cconv_to_python(ct, addr);
    Py_DECREF(ct);
    return v;
}

/* Resolves declaration `ref` of `name`: stores cacheable values in the
 * cache.  New reference. */
static PyObject *lib_resolve(LibObject *self, PyObject *name, const char *cname,
                             int64_t ref)
{
    PyObject *v;
    if (ref & CC_REF_ENUMERATOR) {
        v = lib_enumerator_value(self, (uint32_t)ref & ~CC_REF_ENUMERATOR);
    } else {
        const cct_decl *d = &self->ffi->table.decls[ref];
        switch (d->kind) {
        case CCT_DECL_FUNCTION:
            v = lib_make_function(self, d, cname);
            break;
        case CCT_DECL_VARIABLE:
            return lib_read_variable(self, d, cname);
        case CCT_DECL_CONST_INT:
        case CCT_DECL_CONST_FLOAT:
        case CCT_DECL_CONST_STRING:
            if ((d->flags & CCT_DF_DOTS_VALUE) && !self->backend_words)
                /* cffi.FFI's Lib, as CFFI's: only integer values */
                return PyErr_Format(PyExc_NotImplementedError,
                                    "non-integer constant '%s' cannot be "
                                    "accessed from a dlopen() library", cname);
            if (d->flags & CCT_DF_DOTS_VALUE)
                v = lib_read_variable(self, d, cname);
            else
                v = lib_constant(self, d);
            break;
        case CCT_DECL_EXTERN_PYTHON:
            return PyErr_Format(PyExc_NotImplementedError,
                                "extern \"Python\" '%s' in ABI mode", cname);
        default:
            return lib_no_attribute(self, name);
        }
    }
    if (v != NULL && PyDict_SetItem(self->cache, name, v) < 0)
        Py_CLEAR(v);
    return v;
}

/* `name` absent from an out-of-line module's own declarations: as CFFI,
 * a function, variable or non-integer constant of a module it includes
 * (at any depth) raises ffi.error (only that module's lib has it; its
 * integer constants were copied by the include).  1 with the error set,
 * 0 when no included module declares it, -1 on a nested-include overflow. */
static int lib_included_only(FFIObject *ffi, const char *cname, Py_ssize_t len,
                             int depth)
{
    if (depth > 100) {
        PyErr_SetString(PyExc_RuntimeError,
                        "recursion overflow in ffi.include() delegations");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(ffi->included); i++) {
        FFIObject *other = (FFIObject *)PyList_GET_ITEM(ffi->included, i);
        uint32_t ref;
        if (cc_table_lookup(&other->table, CC_NS_ORDINARY, cname, (size_t)len,
                            &ref) == 1 && !(ref & CC_REF_ENUMERATOR)) {
            int kind = other->table.decls[ref].kind;
            if (kind != CCT_DECL_TYPEDEF && kind != CCT_DECL_TAG) {
                PyErr_Format(ccm_error, "function, global variable or "
                             "non-integer constant '%.200s' must be fetched "
                             "from its original 'lib' object", cname);
                return 1;
            }
        }
        int r = lib_included_only(other, cname, len, depth + 1);
        if (r != 0)
            return r;
    }
    return 0;
}

static PyObject *lib_getattro(LibObject *self, PyObject *name)
{
    PyObject *v = PyDict_GetItemWithError(self->cache, name);
    if (v != NULL) {
        Py_INCREF(v);
        return v;
    }
    if (PyErr_Occurred() || !PyUnicode_Check(name))
        return PyErr_Occurred() ? NULL : PyObject_GenericGetAttr((PyObject *)self, name);
    Py_ssize_t len;
    const char *cname = PyUnicode_AsUTF8AndSize(name, &len);
    if (cname == NULL)
        return NULL;
    int64_t ref = lib_lookup(self, cname, len);
    if (ref < 0 && len > 2 && cname[0] == '_' && cname[1] == '_')
        return PyObject_GenericGetAttr((PyObject *)self, name);  /* __class__... */
    if (lib_check_open(self) < 0)
        return NULL;
    if (ref < 0 && self->backend_words
        && lib_included_only(self->ffi, cname, len, 0) != 0)
        return NULL;
    if (ref < 0)
        return lib_no_attribute(self, name);
    return lib_resolve(self, name, cname, ref);
}

static int lib_setattro(LibObject *self, PyObject *name, PyObject *value)
{
    Py_ssize_t len;
    const char *cname = PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, &len) : NULL;
    if (cname == NULL)
        return PyObject_GenericSetAttr((PyObject *)self, name, value);
    if (lib_check_open(self) < 0)
        return -1;
    int64_t ref = lib_lookup(self, cname, len);
    const cct_decl *d = (ref < 0 || (ref & CC_REF_ENUMERATOR)) ? NULL
                        : &self->ffi->table.decls[ref];
    if (d == NULL || d->kind != CCT_DECL_VARIABLE || (d->flags & CCT_DF_CONST)) {
        if (ref < 0)
            lib_no_attribute(self, name);
        else
            PyErr_Format(PyExc_AttributeError,
                         "cannot write to function or constant '%U'", name);
        return -1;
    }
    if (value == NULL) {
        PyErr_Format(PyExc_AttributeError, "cannot delete global variable '%U'", name);
        return -1;
    }
    CTypeObject *ct;
    char *addr;
    if (lib_variable(self, d, cname, &ct, &addr) < 0)
        return -1;
    int r = cconv_from_python(ct, addr, value);
    Py_DECREF(ct);
    return r;
}

/* ------------------------------------------------------------ dir() */

static int lib_dir_add(PyObject *set, const cc_table *t, uint32_t name)
{
    PyObject *s = PyUnicode_FromString(cc_table_str(t, name));
    if (s == NULL)
        return -1;
    int r = PySet_Add(set, s);
    Py_DECREF(s);
    return r;
}

/* Is `name` (a string of table t) an ordinary declaration of a module
 * that ffi includes?  The out-of-line Lib of CFFI lists its own names
 * only, though it reads an included integer constant. */
static int lib_declared_by_included(FFIObject *ffi, const cc_table *t, uint32_t name)
{
    const char *s = cc_table_str(t, name);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(ffi->included); i++) {
        FFIObject *other = (FFIObject *)PyList_GET_ITEM(ffi->included, i);
        uint32_t ref;
        if (cc_table_lookup(&other->table, CC_NS_ORDINARY, s, strlen(s), &ref) == 1
            && !(ref & CC_REF_ENUMERATOR))
            return 1;
    }
    return 0;
}

/* Every function, variable, constant and enumerator name of the cdef
 * (of its own for an out-of-line module). */
static PyObject *lib_dir(LibObject *self, PyObject *unused)
{
    (void)unused;
    const cc_table *t = &self->ffi->table;
    PyObject *set = PySet_New(NULL);
    if (set == NULL)
        return NULL;
    for (uint32_t i = 0; i < t->ndecls; i++) {
        int k = t->decls[i].kind;
        if (k == CCT_DECL_TYPEDEF || k == CCT_DECL_TAG)
            continue;
        if (self->backend_words && lib_declared_by_included(self->ffi, t, t->decls[i].name))
            continue;
        if (lib_dir_add(set, t, t->decls[i].name) < 0)
            goto error;
    }
    for (uint32_t i = 0; i < t->nenums; i++)
        if (lib_dir_add(set, t, t->enums[i].name) < 0)
            goto error;
    PyObject *list = PySequence_List(set);
    Py_DECREF(set);
    if (list != NULL && PyList_Sort(list) < 0)
        Py_CLEAR(list);
    return list;
error:
    Py_DECREF(set);
    return NULL;
}

/* ------------------------------------------------------------ addressof */

PyObject *lib_addressof(PyObject *lib, PyObject *name)
{
    LibObject *self = (LibObject *)lib;
    if (!PyUnicode_Check(name))
        return PyErr_Format(PyExc_TypeError, "addressof() expects a name (str), "
                            "not %.200s", Py_TYPE(name)->tp_name);
    if (lib_check_open(self) < 0)
        return NULL;
    Py_ssize_t len;
    const char *cname = PyUnicode_AsUTF8AndSize(name, &len);
    if (cname == NULL)
        return NULL;
    int64_t ref = lib_lookup(self, cname, len);
    const cct_decl *d = (ref < 0 || (ref & CC_REF_ENUMERATOR)) ? NULL
                        : &self->ffi->table.decls[ref];
    if (d != NULL && d->kind == CCT_DECL_FUNCTION)
        return lib_getattro(self, name);
    if (!self->backend_words && (d == NULL || d->kind != CCT_DECL_VARIABLE))
        /* cffi.FFI's Lib (cffi/api.py's __addressof__): a constant's
         * value, or what reading the name raises */
        return lib_getattro(self, name);
    if (!self->backend_words) {
        /* ... and a variable's address from its symbol lookup, worded as
         * a function's, an array variable as the array itself */
        CTypeObject *ct = ffi_realize_type(self->ffi, d->type);
        if (ct == NULL)
            return NULL;
        void *addr = lib_symbol(self, "function/symbol", cname, PyExc_AttributeError);
        CTypeObject *ptr = addr == NULL ? NULL
                           : (ct->ct_flags & CT_ARRAY) ? (Py_INCREF(ct), ct)
                           : ctype_pointer_to(ct);
        Py_DECREF(ct);
        if (ptr == NULL)
            return NULL;
        PyObject *res = (ptr->ct_flags & CT_ARRAY) ? cdata_new_plain(ptr, addr)
                                                   : cdata_new_pointer(ptr, addr);
        Py_DECREF(ptr);
        return res;
    }
    if (d == NULL || d->kind != CCT_DECL_VARIABLE
        || (self->backend_words && (d->flags & CCT_DF_CONST)))
        /* (CFFI's out-of-line Lib reads a const global as a constant) */
        return PyErr_Format(PyExc_AttributeError, "cannot take the address of "
                            "the constant '%U'", name), NULL;
    CTypeObject *ct;
    char *addr;
    if (lib_variable(self, d, cname, &ct, &addr) < 0)
        return NULL;
    CTypeObject *ptr = ctype_pointer_to(ct);
    Py_DECREF(ct);
    if (ptr == NULL)
        return NULL;
    PyObject *res = cdata_new_pointer(ptr, addr);
    Py_DECREF(ptr);
    return res;
}

/* ------------------------------------------------------------ the type */

static PyObject *lib_repr(LibObject *self)
{
    return PyUnicode_FromFormat("<Lib object for '%U'%s>", self->lib.name,
                                self->lib.handle ? "" : " (closed)");
}

static int lib_traverse(LibObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->ffi);
    Py_VISIT(self->cache);
    return 0;
}

static int lib_clear(LibObject *self)
{
    Py_CLEAR(self->ffi);
    Py_CLEAR(self->cache);
    return 0;
}

static void lib_dealloc(LibObject *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    clib_clear(&self->lib);   /* closed by the pin when nothing holds it */
    lib_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef lib_methods[] = {
    {"__dir__", (PyCFunction)lib_dir, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyTypeObject Lib_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.FFILibrary",  /* CFFI names its ABI-mode class so */
    .tp_basicsize = sizeof(LibObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "A library opened by ffi.dlopen(): its functions, global "
              "variables and the cdef's constants as attributes.",
    .tp_dealloc = (destructor)lib_dealloc,
    .tp_repr = (reprfunc)lib_repr,
    .tp_getattro = (getattrofunc)lib_getattro,
    .tp_setattro = (setattrofunc)lib_setattro,
    .tp_traverse = (traverseproc)lib_traverse,
    .tp_clear = (inquiry)lib_clear,
    .tp_methods = lib_methods,
    .tp_weaklistoffset = offsetof(LibObject, weakreflist),
};

/* ------------------------------------------------------------ ffi methods */

PyObject *lib_obj_open(struct FFIObject *ffi, PyObject *name, int flags)
{
    LibObject *self = PyObject_GC_New(LibObject, &Lib_Type);
    if (self == NULL)
        return NULL;
    self->ffi = NULL;
    self->cache = NULL;
    self->weakreflist = NULL;
    self->backend_words = Py_TYPE(ffi) == &FFI_Type;
    if (clib_open(&self->lib, name, flags) < 0) {
        self->lib.handle = NULL;
        self->lib.name = NULL;
        self->lib.pin = NULL;
        PyObject_GC_Track(self);
        Py_DECREF(self);
        return NULL;
    }
    Py_INCREF(ffi);
    self->ffi = (FFIObject *)ffi;
    self->cache = PyDict_New();
    PyObject_GC_Track(self);
    if (self->cache == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

PyObject *lib_obj_close(PyObject *lib)
{
    if (!Lib_Check(lib))
        return PyErr_Format(PyExc_TypeError, "dlclose() expects a library "
                            "returned by ffi.dlopen(), not %.200s",
                            Py_TYPE(lib)->tp_name);
    LibObject *self = (LibObject *)lib;
    PyDict_Clear(self->cache);
    if (clib_close(&self->lib) < 0)
        return NULL;
    Py_RETURN_NONE;
}

int lib_obj_init_module(PyObject *m)
{
    if (PyType_Ready(&Lib_Type) < 0 || clib_init_module() < 0)
        return -1;
    if (clib_add_rtld_constants(PyModule_GetDict(m)) < 0)
        return -1;
    Py_INCREF(&Lib_Type);
    if (PyModule_AddObject(m, "FFILibrary", (PyObject *)&Lib_Type) < 0) {
        Py_DECREF(&Lib_Type);
        return -1;
    }
    return 0;
}
