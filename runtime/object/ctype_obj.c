/* ctype_obj.c - CType and CField objects: construction of primitive and
 * derived types with CFFI's names ("int *", "int(*)[5]", "int(*)(long)"),
 * completion of structs, unions and enums, and the Python attributes of
 * ctypes (kind, cname, item, length, fields, args, result, ellipsis, abi,
 * elements, relements).  CTypes are GC objects: a struct holding a pointer
 * to itself is a reference cycle. */
#include <Python.h>
#include "config.h"
#include <string.h>
#include "object/ctype_obj.h"
#include "table/ctable.h"
#include "object/errors.h"

/* ---------------------------------------------------------------- alloc */

/* A new CType named `name` (declarator position `pos`), zeroed. */
static CTypeObject *ctype_alloc(const char *name, size_t len, int pos)
{
    CTypeObject *ct = PyObject_GC_NewVar(CTypeObject, &CType_Type,
                                         (Py_ssize_t)len + 1);
    if (ct == NULL)
        return NULL;
    size_t head = offsetof(CTypeObject, ct_flags);
    memset((char *)ct + head, 0, offsetof(CTypeObject, ct_name) - head);
    memcpy(ct->ct_name, name, len);
    ct->ct_name[len] = '\0';
    ct->ct_name_position = pos;
    ct->ct_prim = -1;
    ct->ct_size = -1;
    ct->ct_length = -1;
    PyObject_GC_Track(ct);
    return ct;
}

/* A new CType whose name is base's name with `decl` spliced in at base's
 * declarator position; the new position is that plus `pos_shift`. */
static CTypeObject *ctype_alloc_derived(CTypeObject *base, const char *decl,
                                        int pos_shift)
{
    size_t blen = strlen(base->ct_name), dlen = strlen(decl);
    size_t pos = (size_t)base->ct_name_position;
    char stackbuf[256];
    char *buf = blen + dlen < sizeof stackbuf ? stackbuf : PyMem_Malloc(blen + dlen + 1);
    if (buf == NULL)
        return (CTypeObject *)PyErr_NoMemory();
    memcpy(buf, base->ct_name, pos);
    memcpy(buf + pos, decl, dlen);
    memcpy(buf + pos + dlen, base->ct_name + pos, blen - pos);
    CTypeObject *ct = ctype_alloc(buf, blen + dlen, (int)pos + pos_shift);
    if (buf != stackbuf)
        PyMem_Free(buf);
    return ct;
}

static void ctype_unlink_caches(CTypeObject *ct)
{
    CTypeObject *owner = ct->ct_cache_owner;
    if (owner == NULL)
        return;
    if (owner->ct_pointer_cache == ct)
        owner->ct_pointer_cache = NULL;
    if (owner->ct_unsized_array_cache == ct)
        owner->ct_unsized_array_cache = NULL;
    ct->ct_cache_owner = NULL;
}

static int ctype_clear(CTypeObject *ct)
{
    ctype_unlink_caches(ct);
    Py_CLEAR(ct->ct_item);
    Py_CLEAR(ct->ct_args);
    PyMem_Free(ct->ct_field_slots);
    ct->ct_field_slots = NULL;
    ct->ct_nfield_slots = 0;
    Py_CLEAR(ct->ct_fields);
    Py_CLEAR(ct->ct_field_list);
    ct->ct_first_field = NULL;
    Py_CLEAR(ct->ct_layout_error);
    Py_CLEAR(ct->ct_enum_values);
    Py_CLEAR(ct->ct_enum_names);
    return 0;
}

static int ctype_traverse(CTypeObject *ct, visitproc visit, void *arg)
{
    Py_VISIT(ct->ct_item);
    Py_VISIT(ct->ct_args);
    Py_VISIT(ct->ct_fields);
    Py_VISIT(ct->ct_field_list);
    Py_VISIT(ct->ct_enum_values);
    Py_VISIT(ct->ct_enum_names);
    return 0;
}

static void ctype_dealloc(CTypeObject *ct)
{
    PyObject_GC_UnTrack(ct);
    if (ct->ct_weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)ct);
    ctype_clear(ct);
    if (ct->ct_call_info != NULL && ct->ct_call_info_free != NULL)
        ct->ct_call_info_free(ct->ct_call_info);
    Py_TYPE(ct)->tp_free((PyObject *)ct);
}

/* ----------------------------------------------------------- primitives */

static CTypeObject *ctype_prims[CCT_PRIM__COUNT];
static CTypeObject *ctype_void_type;

static uint32_t ctype_flags_of_prim(uint32_t pf)
{
    if (pf & CCT_PF_COMPLEX)
        return CT_PRIMITIVE_COMPLEX;
    if (pf & CCT_PF_LONGDBL)
        return CT_PRIMITIVE_FLOAT | CT_IS_LONGDOUBLE;
    if (pf & CCT_PF_FLOAT)
        return CT_PRIMITIVE_FLOAT;
    if (pf & CCT_PF_CHAR)
        return CT_PRIMITIVE_CHAR;
    if (pf & CCT_PF_WCHAR)
        return CT_PRIMITIVE_WCHAR;
    if (pf & CCT_PF_BOOL)
        return CT_PRIMITIVE_UNSIGNED | CT_IS_BOOL;
    if (pf & CCT_PF_SIGNED)
        return CT_PRIMITIVE_SIGNED;
    return CT_PRIMITIVE_UNSIGNED;
}

static int ctype_make_primitives(void)
{
    ctype_void_type = ctype_alloc("void", 4, 4);
    if (ctype_void_type == NULL)
        return -1;
    ctype_void_type->ct_flags = CT_VOID;
    for (int i = 0; i < CCT_PRIM__COUNT; i++) {
        const cc_prim_info *pi = &cc_prims[i];
        if (pi->flags & CCT_PF_UNKNOWN)
            continue;
        size_t len = strlen(pi->name);
        CTypeObject *ct = ctype_alloc(pi->name, len, (int)len);
        if (ct == NULL)
            return -1;
        ct->ct_flags = ctype_flags_of_prim(pi->flags);
        ct->ct_prim = i;
        ct->ct_size = pi->size;
        ct->ct_align = pi->align;
        ctype_prims[i] = ct;
    }
    return 0;
}

CTypeObject *ctype_primitive(int prim)
{
    if (prim < 0 || prim >= CCT_PRIM__COUNT)
        return NULL;
    return ctype_prims[prim];
}

CTypeObject *ctype_void(void)
{
    return ctype_void_type;
}

/* -------------------------------------------------------------- interning
 * Arrays of known length and function types are unique per process, as in
 * CFFI (FFI().typeof("int[3]") is FFI().typeof("int[3]")): a dict maps a key
 * made of the component types' addresses to a weak reference; the weak
 * reference's callback removes the entry when the type dies (the type keeps
 * its components alive, so the addresses in a live key stay meaningful). */

static PyObject *ctype_intern_dict;

static PyObject *ctype_intern_forget(PyObject *key, PyObject *wr)
{
    PyObject *cur = PyDict_GetItemWithError(ctype_intern_dict, key);
    if (cur == wr && PyDict_DelItem(ctype_intern_dict, key) < 0)
        return NULL;
    if (cur == NULL && PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef ctype_intern_forget_def = {
    "_forget", (PyCFunction)ctype_intern_forget, METH_O, NULL};

/* The live CType interned under key (new reference), or NULL. */
static CTypeObject *ctype_intern_find(PyObject *key)
{
    PyObject *wr = PyDict_GetItemWithError(ctype_intern_dict, key);
    if (wr == NULL)
        return NULL;
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *ct;
    if (PyWeakref_GetRef(wr, &ct) <= 0)
        return NULL;   /* dead (0), or error (-1, set) */
    return (CTypeObject *)ct;
#else
    PyObject *ct = PyWeakref_GetObject(wr);
    if (ct == Py_None)
        return NULL;
    Py_INCREF(ct);
    return (CTypeObject *)ct;
#endif
}

static int ctype_intern_store(PyObject *key, CTypeObject *ct)
{
    PyObject *cb = PyCFunction_New(&ctype_intern_forget_def, key);
    if (cb == NULL)
        return -1;
    PyObject *wr = PyWeakref_NewRef((PyObject *)ct, cb);
    Py_DECREF(cb);
    if (wr == NULL)
        return -1;
    int rc = PyDict_SetItem(ctype_intern_dict, key, wr);
    Py_DECREF(wr);
    return rc;
}

/* -------------------------------------------------------------- derived */

static CTypeObject *ctype_new_pointer(CTypeObject *item)
{
    CTypeObject *ct;
    /* CFFI's spelling: "int *", "int * *", "int(*)[5]", "int(* *)(int)" */
    if (item->ct_flags & CT_ARRAY)
        ct = ctype_alloc_derived(item, "(*)", 2);
    else
        ct = ctype_alloc_derived(item, " *", 2);
    if (ct == NULL)
        return NULL;
    ct->ct_flags = CT_POINTER;
    if (item->ct_flags & CT_VOID)
        ct->ct_flags |= CT_IS_VOIDCHAR_PTR;
    if (item->ct_flags & CT_PRIMITIVE_CHAR)
        ct->ct_flags |= CT_IS_VOIDCHAR_PTR;
    ct->ct_size = sizeof(void *);
    ct->ct_align = _Alignof(void *);
    Py_INCREF(item);
    ct->ct_item = item;
    return ct;
}

CTypeObject *ctype_pointer_to(CTypeObject *item)
{
    CTypeObject *ct = item->ct_pointer_cache;
    if (ct != NULL) {
        Py_INCREF(ct);
        return ct;
    }
    ct = ctype_new_pointer(item);
    if (ct == NULL)
        return NULL;
    item->ct_pointer_cache = ct;
    ct->ct_cache_owner = item;
    return ct;
}

static CTypeObject *ctype_new_array(CTypeObject *item, Py_ssize_t length)
{
    if (item->ct_size < 0) {
        PyErr_Format(PyExc_ValueError, "array item of unknown size: '%s'", item->ct_name);
        return NULL;
    }
    char decl[32];
    if (length < 0)
        strcpy(decl, "[]");
    else
        snprintf(decl, sizeof decl, "[%zd]", length);
    CTypeObject *ct = ctype_alloc_derived(item, decl, 0);
    if (ct == NULL)
        return NULL;
    ct->ct_flags = CT_ARRAY;
    ct->ct_length = length;
    ct->ct_align = item->ct_align;
    if (length >= 0 && item->ct_size >= 0) {
        if (item->ct_size > 0 && length > PY_SSIZE_T_MAX / item->ct_size) {
            Py_DECREF(ct);
            PyErr_SetString(PyExc_OverflowError, "array size would overflow a Py_ssize_t");
            return NULL;
        }
        ct->ct_size = item->ct_size * length;
    }
    Py_INCREF(item);
    ct->ct_item = item;
    return ct;
}

CTypeObject *ctype_array_of(CTypeObject *item, Py_ssize_t length)
{
    if (length < 0) {
        if (item->ct_unsized_array_cache != NULL) {
            Py_INCREF(item->ct_unsized_array_cache);
            return item->ct_unsized_array_cache;
        }
        CTypeObject *ct = ctype_new_array(item, -1);
        if (ct != NULL) {
            item->ct_unsized_array_cache = ct;
            ct->ct_cache_owner = item;
        }
        return ct;
    }
    PyObject *key = Py_BuildValue("(sNn)", "a", PyLong_FromVoidPtr(item), length);
    if (key == NULL)
        return NULL;
    CTypeObject *ct = ctype_intern_find(key);
    if (ct == NULL && !PyErr_Occurred()) {
        ct = ctype_new_array(item, length);
        if (ct != NULL && ctype_intern_store(key, ct) < 0)
            Py_CLEAR(ct);
    }
    Py_DECREF(key);
    return ct;
}

/* Appends the names of the argument types to buf: "int, char *, ...". */
static int ctype_format_args(PyObject *args, int variadic, PyObject **out)
{
    PyObject *parts = PyList_New(0);
    if (parts == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(args); i++) {
        CTypeObject *a = (CTypeObject *)PyTuple_GET_ITEM(args, i);
        PyObject *s = PyUnicode_FromString(a->ct_name);
        if (s == NULL || PyList_Append(parts, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(parts);
            return -1;
        }
        Py_DECREF(s);
    }
    if (variadic) {
        PyObject *s = PyUnicode_FromString("...");
        if (s == NULL || PyList_Append(parts, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(parts);
            return -1;
        }
        Py_DECREF(s);
    }
    PyObject *sep = PyUnicode_FromString(", ");
    if (sep == NULL) {
        Py_DECREF(parts);
        return -1;
    }
    *out = PyUnicode_Join(sep, parts);
    Py_DECREF(sep);
    Py_DECREF(parts);
    return *out == NULL ? -1 : 0;
}

static CTypeObject *ctype_new_function(CTypeObject *result, PyObject *args, int variadic)
{
    PyObject *joined;
    if (ctype_format_args(args, variadic, &joined) < 0)
        return NULL;
    PyObject *decl = PyUnicode_FromFormat("(*)(%U)", joined);
    Py_DECREF(joined);
    if (decl == NULL)
        return NULL;
    const char *d = PyUnicode_AsUTF8(decl);
    CTypeObject *ct = d ? ctype_alloc_derived(result, d, 2) : NULL;
    Py_DECREF(decl);
    if (ct == NULL)
        return NULL;
    ct->ct_flags = CT_FUNCTIONPTR | (variadic ? CT_VARIADIC : 0);
    ct->ct_size = sizeof(void (*)(void));
    ct->ct_align = _Alignof(void (*)(void));
    ct->ct_abi = CT_ABI_DEFAULT;
    Py_INCREF(result);
    ct->ct_item = result;
    Py_INCREF(args);
    ct->ct_args = args;
    return ct;
}

/* ("f", result, variadic, arg, arg...) with the types' addresses. */
static PyObject *ctype_function_key(CTypeObject *result, PyObject *args, int variadic)
{
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    PyObject *key = PyTuple_New(n + 3);
    if (key == NULL)
        return NULL;
    PyObject *items[3] = {PyUnicode_FromString("f"), PyLong_FromVoidPtr(result),
                          PyBool_FromLong(variadic)};
    for (int i = 0; i < 3; i++) {
        if (items[i] == NULL) {
            Py_DECREF(key);
            for (int j = i + 1; j < 3; j++)
                Py_XDECREF(items[j]);
            return NULL;
        }
        PyTuple_SET_ITEM(key, i, items[i]);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *a = PyLong_FromVoidPtr(PyTuple_GET_ITEM(args, i));
        if (a == NULL) {
            Py_DECREF(key);
            return NULL;
        }
        PyTuple_SET_ITEM(key, i + 3, a);
    }
    return key;
}

CTypeObject *ctype_function(CTypeObject *result, PyObject *args, int variadic)
{
    PyObject *key = ctype_function_key(result, args, variadic);
    if (key == NULL)
        return NULL;
    CTypeObject *ct = ctype_intern_find(key);
    if (ct == NULL && !PyErr_Occurred()) {
        ct = ctype_new_function(result, args, variadic);
        if (ct != NULL && ctype_intern_store(key, ct) < 0)
            Py_CLEAR(ct);
    }
    Py_DECREF(key);
    return ct;
}

CTypeObject *ctype_new_named(uint32_t flags, const char *name)
{
    size_t len = strlen(name);
    CTypeObject *ct = ctype_alloc(name, len, (int)len);
    if (ct == NULL)
        return NULL;
    ct->ct_flags = flags;
    if (flags & CT_STRUCT_OR_UNION)
        ct->ct_flags |= CT_IS_OPAQUE;
    return ct;
}

/* --------------------------------------------------------- completion */

int ctype_complete_struct(CTypeObject *ct, PyObject *fields, Py_ssize_t size,
                          Py_ssize_t align, uint32_t extra_flags)
{
    PyObject *dict = PyDict_New();
    if (dict == NULL)
        return -1;
    CFieldObject *prev = NULL, *first = NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(fields); i++) {
        PyObject *pair = PyList_GET_ITEM(fields, i);
        PyObject *name = PyTuple_GET_ITEM(pair, 0);
        CFieldObject *f = (CFieldObject *)PyTuple_GET_ITEM(pair, 1);
        /* interned keys: p.x looks its (interned) attribute name up here,
         * and an identical pointer skips the string comparison */
        Py_INCREF(name);
        if (PyUnicode_CheckExact(name))
            PyUnicode_InternInPlace(&name);
        int rc = PyDict_SetItem(dict, name, (PyObject *)f);
        Py_DECREF(name);
        if (rc < 0) {
            Py_DECREF(dict);
            return -1;
        }
        if (f->cf_bitsize >= 0)
            ct->ct_flags |= CT_IS_BITFIELD_OWNER;
        if (prev != NULL)
            prev->cf_next = f;
        else
            first = f;
        prev = f;
    }
    if (prev != NULL)
        prev->cf_next = NULL;
    Py_ssize_t nslots = PyDict_GET_SIZE(dict);
    if (nslots > CTYPE_FIELD_SLOTS)
        nslots = CTYPE_FIELD_SLOTS;
    CFieldSlot *slots = NULL;
    if (nslots > 0) {
        slots = PyMem_New(CFieldSlot, nslots);
        if (slots == NULL) {
            Py_DECREF(dict);
            PyErr_NoMemory();
            return -1;
        }
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        for (Py_ssize_t i = 0; i < nslots && PyDict_Next(dict, &pos, &key, &value); i++) {
            slots[i].fs_name = key;
            slots[i].fs_field = (CFieldObject *)value;
        }
    }
    PyMem_Free(ct->ct_field_slots);
    ct->ct_field_slots = slots;
    ct->ct_nfield_slots = nslots;
    Py_XSETREF(ct->ct_fields, dict);
    Py_INCREF(fields);
    Py_XSETREF(ct->ct_field_list, fields);
    ct->ct_first_field = first;
    ct->ct_size = size;
    ct->ct_align = align;
    ct->ct_flags &= ~CT_IS_OPAQUE;
    ct->ct_flags |= extra_flags;
    return 0;
}

int ctype_complete_enum(CTypeObject *ct, int prim, PyObject *names, PyObject *values)
{
    PyObject *byname = PyDict_New(), *byvalue = PyDict_New();
    if (byname == NULL || byvalue == NULL)
        goto error;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(names); i++) {
        PyObject *n = PyList_GET_ITEM(names, i), *v = PyList_GET_ITEM(values, i);
        if (PyDict_SetItem(byname, n, v) < 0)
            goto error;
        int has = PyDict_Contains(byvalue, v);
        if (has < 0 || (!has && PyDict_SetItem(byvalue, v, n) < 0))
            goto error;
    }
    const cc_prim_info *pi = &cc_prims[prim];
    ct->ct_flags = CT_IS_ENUM | ((pi->flags & CCT_PF_SIGNED) ? CT_PRIMITIVE_SIGNED
                                                             : CT_PRIMITIVE_UNSIGNED);
    ct->ct_prim = prim;
    ct->ct_size = pi->size;
    ct->ct_align = pi->align;
    Py_XSETREF(ct->ct_enum_values, byname);
    Py_XSETREF(ct->ct_enum_names, byvalue);
    return 0;
error:
    Py_XDECREF(byname);
    Py_XDECREF(byvalue);
    return -1;
}

PyObject *ctype_unknown_size_error;

int ctype_layout_raise(CTypeObject *ct)
{
    PyObject *e = ct->ct_layout_error;
    if (!PyTuple_Check(e)) {
        PyErr_SetObject(ccm_error, e);
        return -1;
    }
    /* a new instance each time, as CFFI's retried completion raises */
    PyObject *exc = PyObject_Call(PyTuple_GET_ITEM(e, 0), PyTuple_GET_ITEM(e, 1), NULL);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return -1;
}

Py_ssize_t ctype_sizeof(CTypeObject *ct)
{
    if (ct->ct_size < 0)
        PyErr_Format(ctype_unknown_size_error, "ctype '%s' is of unknown size", ct->ct_name);
    return ct->ct_size;
}

PyObject *ctype_name_with(CTypeObject *ct, const char *declarator)
{
    size_t pos = (size_t)ct->ct_name_position;
    size_t dlen = strlen(declarator), rest = strlen(ct->ct_name + pos);
    char *buf = PyMem_Malloc(pos + dlen + rest + 1);
    if (buf == NULL)
        return PyErr_NoMemory();
    memcpy(buf, ct->ct_name, pos);
    memcpy(buf + pos, declarator, dlen);
    memcpy(buf + pos + dlen, ct->ct_name + pos, rest + 1);
    PyObject *r = PyUnicode_FromString(buf);
    PyMem_Free(buf);
    return r;
}

/* ------------------------------------------------------------ attributes */

static const char *ctype_kind_name(CTypeObject *ct)
{
    uint32_t f = ct->ct_flags;
    if (f & CT_IS_ENUM)
        return "enum";
    if (f & CT_PRIMITIVE_ANY)
        return "primitive";
    if (f & CT_POINTER)
        return "pointer";
    if (f & CT_ARRAY)
        return "array";
    if (f & CT_STRUCT)
        return "struct";
    if (f & CT_UNION)
        return "union";
    if (f & CT_FUNCTIONPTR)
        return "function";
    if (f & CT_VOID)
        return "void";
    return "?";
}

static PyObject *ctype_repr(CTypeObject *ct)
{
    return PyUnicode_FromFormat("<ctype '%s'>", ct->ct_name);
}

static PyObject *ctype_get_kind(CTypeObject *ct, void *c)
{
    (void)c;
    return PyUnicode_FromString(ctype_kind_name(ct));
}

static PyObject *ctype_get_cname(CTypeObject *ct, void *c)
{
    (void)c;
    return PyUnicode_FromString(ct->ct_name);
}

static PyObject *ctype_no_attr(const char *name)
{
    PyErr_SetString(PyExc_AttributeError, name);
    return NULL;
}

static PyObject *ctype_get_item(CTypeObject *ct, void *c)
{
    (void)c;
    if (!(ct->ct_flags & (CT_POINTER | CT_ARRAY)))
        return ctype_no_attr("item");
    Py_INCREF(ct->ct_item);
    return (PyObject *)ct->ct_item;
}

static PyObject *ctype_get_length(CTypeObject *ct, void *c)
{
    (void)c;
    if (!(ct->ct_flags & CT_ARRAY))
        return ctype_no_attr("length");
    if (ct->ct_length < 0)
        Py_RETURN_NONE;
    return PyLong_FromSsize_t(ct->ct_length);
}

static PyObject *ctype_get_fields(CTypeObject *ct, void *c)
{
    (void)c;
    if (!(ct->ct_flags & CT_STRUCT_OR_UNION))
        return ctype_no_attr("fields");
    if (ct->ct_field_list == NULL)
        Py_RETURN_NONE;
    if (ctype_check_layout(ct) < 0)
        return NULL;
    return PySequence_List(ct->ct_field_list);
}

static PyObject *ctype_get_args(CTypeObject *ct, void *c)
{
    (void)c;
    if (!(ct->ct_flags & CT_FUNCTIONPTR))
        return ctype_no_attr("args");
    Py_INCREF(ct->ct_args);
    return ct->ct_args;
}

static PyObject *ctype_get_result(CTypeObject *ct, void *c)
{
    (void)c;
    if (!(ct->ct_flags & CT_FUNCTIONPTR))
        return ctype_no_attr("result");
    Py_INCREF(ct->ct_item);
    return (PyObject *)ct->ct_item;
}

static PyObject *ctype_get_ellipsis(CTypeObject *ct, void *c)
{
    (void)c;
    if (!(ct->ct_flags & CT_FUNCTIONPTR))
        return ctype_no_attr("ellipsis");
    return PyBool_FromLong((ct->ct_flags & CT_VARIADIC) != 0);
}

static PyObject *ctype_get_abi(CTypeObject *ct, void *c)
{
    (void)c;
    if (!(ct->ct_flags & CT_FUNCTIONPTR))
        return ctype_no_attr("abi");
    return PyLong_FromLong(ct->ct_abi);
}

static PyObject *ctype_get_elements(CTypeObject *ct, void *c)
{
    (void)c;
    if (!(ct->ct_flags & CT_IS_ENUM))
        return ctype_no_attr("elements");
    if (ct->ct_enum_names == NULL)
        return PyDict_New();
    return PyDict_Copy(ct->ct_enum_names);
}

static PyObject *ctype_get_relements(CTypeObject *ct, void *c)
{
    (void)c;
    if (!(ct->ct_flags & CT_IS_ENUM))
        return ctype_no_attr("relements");
    if (ct->ct_enum_values == NULL)
        return PyDict_New();
    return PyDict_Copy(ct->ct_enum_values);
}

/* dir(ctype) lists only the attributes this kind has, as CFFI does. */
static PyObject *ctype_dir(CTypeObject *ct, PyObject *noarg)
{
    (void)noarg;
    uint32_t f = ct->ct_flags;
    const char *names[8];
    int n = 0;
    if (f & CT_FUNCTIONPTR) {
        names[n++] = "abi";
        names[n++] = "args";
    }
    names[n++] = "cname";
    if (f & CT_IS_ENUM)
        names[n++] = "elements";
    if (f & CT_FUNCTIONPTR)
        names[n++] = "ellipsis";
    if (f & CT_STRUCT_OR_UNION)
        names[n++] = "fields";
    if (f & (CT_POINTER | CT_ARRAY))
        names[n++] = "item";
    names[n++] = "kind";
    if (f & CT_ARRAY)
        names[n++] = "length";
    if (f & CT_IS_ENUM)
        names[n++] = "relements";
    if (f & CT_FUNCTIONPTR)
        names[n++] = "result";
    PyObject *list = PyList_New(n);
    if (list == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *s = PyUnicode_FromString(names[i]);
        if (s == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, s);
    }
    return list;
}

static PyGetSetDef ctype_getset[] = {
    {"kind", (getter)ctype_get_kind, NULL, NULL, NULL},
    {"cname", (getter)ctype_get_cname, NULL, NULL, NULL},
    {"item", (getter)ctype_get_item, NULL, NULL, NULL},
    {"length", (getter)ctype_get_length, NULL, NULL, NULL},
    {"fields", (getter)ctype_get_fields, NULL, NULL, NULL},
    {"args", (getter)ctype_get_args, NULL, NULL, NULL},
    {"result", (getter)ctype_get_result, NULL, NULL, NULL},
    {"ellipsis", (getter)ctype_get_ellipsis, NULL, NULL, NULL},
    {"abi", (getter)ctype_get_abi, NULL, NULL, NULL},
    {"elements", (getter)ctype_get_elements, NULL, NULL, NULL},
    {"relements", (getter)ctype_get_relements, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef ctype_methods[] = {
    {"__dir__", (PyCFunction)ctype_dir, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyTypeObject CType_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.CType",
    .tp_basicsize = offsetof(CTypeObject, ct_name),
    .tp_itemsize = 1,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "A C type, as ffi.typeof() returns.",
    .tp_dealloc = (destructor)ctype_dealloc,
    .tp_repr = (reprfunc)ctype_repr,
    .tp_traverse = (traverseproc)ctype_traverse,
    .tp_clear = (inquiry)ctype_clear,
    .tp_weaklistoffset = offsetof(CTypeObject, ct_weakreflist),
    .tp_getset = ctype_getset,
    .tp_methods = ctype_methods,
};

/* ---------------------------------------------------------------- CField */

CFieldObject *cfield_new(CTypeObject *type, Py_ssize_t offset, int bitshift,
                         int bitsize)
{
    CFieldObject *f = PyObject_GC_New(CFieldObject, &CField_Type);
    if (f == NULL)
        return NULL;
    Py_INCREF(type);
    f->cf_type = type;
    f->cf_offset = offset;
    f->cf_bitshift = (short)bitshift;
    f->cf_bitsize = (short)bitsize;
    f->cf_flags = 0;
    f->cf_next = NULL;
    PyObject_GC_Track(f);
    return f;
}

static int cfield_traverse(CFieldObject *f, visitproc visit, void *arg)
{
    Py_VISIT(f->cf_type);
    return 0;
}

static int cfield_clear(CFieldObject *f)
{
    Py_CLEAR(f->cf_type);
    return 0;
}

static void cfield_dealloc(CFieldObject *f)
{
    PyObject_GC_UnTrack(f);
    Py_CLEAR(f->cf_type);
    PyObject_GC_Del(f);
}

static PyObject *cfield_get_type(CFieldObject *f, void *c)
{
    (void)c;
    if (f->cf_type == NULL)
        Py_RETURN_NONE;
    Py_INCREF(f->cf_type);
    return (PyObject *)f->cf_type;
}

static PyObject *cfield_get_offset(CFieldObject *f, void *c)
{
    (void)c;
    return PyLong_FromSsize_t(f->cf_offset);
}

static PyObject *cfield_get_bitshift(CFieldObject *f, void *c)
{
    (void)c;
    return PyLong_FromLong(f->cf_bitshift);
}

static PyObject *cfield_get_bitsize(CFieldObject *f, void *c)
{
    (void)c;
    return PyLong_FromLong(f->cf_bitsize);
}

static PyObject *cfield_get_flags(CFieldObject *f, void *c)
{
    (void)c;
    return PyLong_FromLong(f->cf_flags);
}

static PyGetSetDef cfield_getset[] = {
    {"type", (getter)cfield_get_type, NULL, NULL, NULL},
    {"offset", (getter)cfield_get_offset, NULL, NULL, NULL},
    {"bitshift", (getter)cfield_get_bitshift, NULL, NULL, NULL},
    {"bitsize", (getter)cfield_get_bitsize, NULL, NULL, NULL},
    {"flags", (getter)cfield_get_flags, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject CField_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.CField",
    .tp_basicsize = sizeof(CFieldObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_dealloc = (destructor)cfield_dealloc,
    .tp_traverse = (traverseproc)cfield_traverse,
    .tp_clear = (inquiry)cfield_clear,
    .tp_getset = cfield_getset,
};

int ctype_init_module(PyObject *m)
{
    if (PyType_Ready(&CType_Type) < 0 || PyType_Ready(&CField_Type) < 0)
        return -1;
    if (ctype_make_primitives() < 0)
        return -1;
    if (ctype_intern_dict == NULL && (ctype_intern_dict = PyDict_New()) == NULL)
        return -1;
    PyObject *bases = PyTuple_Pack(2, ccm_error, PyExc_ValueError);
    if (bases == NULL)
        return -1;
    ctype_unknown_size_error = PyErr_NewException("ffi.error", bases, NULL);
    Py_DECREF(bases);
    if (ctype_unknown_size_error == NULL)
        return -1;
    Py_INCREF(&CType_Type);
    if (PyModule_AddObject(m, "CType", (PyObject *)&CType_Type) < 0) {
        Py_DECREF(&CType_Type);
        return -1;
    }
    Py_INCREF(&CField_Type);
    if (PyModule_AddObject(m, "CField", (PyObject *)&CField_Type) < 0) {
        Py_DECREF(&CField_Type);
        return -1;
    }
    return 0;
}
