/* ffi_obj.c - the Python surface of the FFI type: every ffi.* method is
 * bound here, in one table: cdef, include, typeof, sizeof, alignof,
 * offsetof, new, cast, string, unpack, addressof, getctype, list_types,
 * gc, release, new_allocator, new_handle, from_handle, init_once, errno,
 * and the thin bindings of from_buffer/memmove (object/cbuffer.c),
 * callback (call/ccallback.c), dlopen/dlclose (call/lib_obj.c) and
 * def_extern (api/api_extern.c): arguments are parsed and type arguments
 * resolved here, the work is done by those layers.  The object itself and
 * its type lookups are object/ffi_state.c's; realizing types from the table
 * is crealize.c's; conversions are cconv.c's. */
#include <Python.h>
#include "config.h"
#include <string.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "object/ctype_obj.h"
#include "object/cdata.h"
#include "object/cconv.h"
#include "object/cbuffer.h"
#include "object/chandle.h"
#include "cdef/cparse.h"
#include "call/ccallback.h"
#include "call/clib.h"
#include "call/lib_obj.h"
#include "api/api_module.h"
#include "compat/compat.h"
#include "api/api_fallback.h"
#include "module/ffi_obj.h"

static PyObject *ffi_null;  /* ffi.NULL */

/* ---------------------------------------------------------- ffi.cdef() */

static int ffi_pack_option(PyObject *packed, PyObject *pack, unsigned *out)
{
    int is_packed = packed ? PyObject_IsTrue(packed) : 0;
    if (is_packed < 0)
        return -1;
    *out = is_packed ? 1 : 0;
    if (pack == NULL || pack == Py_None)
        return 0;
    if (is_packed) {
        PyErr_SetString(PyExc_ValueError, "cannot give both 'pack' and 'packed'");
        return -1;
    }
    long n = PyLong_AsLong(pack);
    if (n == -1 && PyErr_Occurred())
        return -1;
    if (n <= 0 || (n & (n - 1)) != 0) {
        PyErr_Format(PyExc_ValueError, "'pack' must be a power of two, not %ld", n);
        return -1;
    }
    *out = n == 1 ? 1 : (unsigned)n;
    return 0;
}

/* cc_parse_options.no_storage: collects the names CFFI warns about. */
static void ffi_cdef_no_storage(void *ctx, const char *name, size_t len)
{
    PyObject *s = PyUnicode_DecodeUTF8(name, (Py_ssize_t)len, "replace");
    if (s == NULL || PyList_Append((PyObject *)ctx, s) < 0)
        PyErr_Clear();      /* a warning less, never a failed cdef() */
    Py_XDECREF(s);
}

/* CFFI's UserWarning for each global variable without a storage class,
 * given before the cdef's own error if any.  0, or -1 if one raised. */
static int ffi_cdef_warn(PyObject *names)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(names); i++) {
        PyObject *msg = PyUnicode_FromFormat(
            "Global variable '%U' in cdef(): for consistency with C it "
            "should have a storage class specifier (usually 'extern')",
            PyList_GET_ITEM(names, i));
        if (msg == NULL)
            return -1;
        int rc = PyErr_WarnEx(PyExc_UserWarning, PyUnicode_AsUTF8(msg), 1);
        Py_DECREF(msg);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static PyObject *ffi_cdef(FFIObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"csource", "override", "packed", "pack",
                             "dllexport", NULL};
    PyObject *src, *override = NULL, *packed = NULL, *pack = NULL;
    int dllexport = 0;    /* ffi.embedding_api(): functions are exported */
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOOp:cdef", kwlist, &src,
                                     &override, &packed, &pack, &dllexport))
        return NULL;
    if (!PyUnicode_Check(src)) {
        PyErr_SetString(PyExc_TypeError, "cdef() argument must be a string");
        return NULL;
    }
    cc_parse_options opt = {0};
    int ov = override ? PyObject_IsTrue(override) : 0;
    if (ov < 0 || ffi_pack_option(packed, pack, &opt.pack) < 0)
        return NULL;
    opt.override = ov;
    opt.dllexport = dllexport;
    Py_ssize_t len;
    const char *text = PyUnicode_AsUTF8AndSize(src, &len);
    if (text == NULL)
        return NULL;
    self->cdef_model = 1;    /* CFFI's in-line rules (object/ffi_state.h) */
    cc_error err = {0};
    PyObject *no_storage = PyList_New(0);
    if (no_storage == NULL)
        return NULL;
    opt.no_storage = ffi_cdef_no_storage;
    opt.no_storage_ctx = no_storage;
    int rc = cc_parse_cdef(&self->table, text, (size_t)len, &opt, &err);
    int wrc = ffi_cdef_warn(no_storage);
    Py_DECREF(no_storage);
    if (wrc < 0)
        return NULL;
    if (rc < 0) {
        ccm_raise_error(&err);
        return NULL;
    }
    PyDict_Clear(self->types_cache);
    PyDict_Clear(self->rawfunc_cache);
    if (crealize_complete_pending(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *ffi_include(FFIObject *self, PyObject *other)
{
    if (!FFI_Check(other)) {
        PyErr_Format(PyExc_TypeError,
                     "ffi.include() expects an argument that is also of type "
                     "cffi.FFI, not %.200s", Py_TYPE(other)->tp_name);
        return NULL;
    }
    if (other == (PyObject *)self) {
        PyErr_SetString(PyExc_ValueError, "self-inclusion");
        return NULL;
    }
    cc_error err = {0};
    if (cc_table_include(&self->table, &((FFIObject *)other)->table, &err) < 0) {
        ccm_raise_error(&err);
        return NULL;
    }
    if (PyList_Append(self->included, other) < 0)
        return NULL;
    PyDict_Clear(self->types_cache);
    PyDict_Clear(self->rawfunc_cache);
    if (crealize_complete_pending(self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ------------------------------------------------ typeof, sizeof, alignof */

static PyObject *ffi_typeof(FFIObject *self, PyObject *arg)
{
    if (PyUnicode_Check(arg) || CType_Check(arg))
        return (PyObject *)ffi_get_ctype_strict(self, arg);
    if (CData_Check(arg)) {
        Py_INCREF(CData_CType(arg));
        return (PyObject *)CData_CType(arg);
    }
    CTypeObject *fn = api_function_ctype(arg);   /* lib.f of a compiled module */
    if (fn == NULL)
        fn = compat_function_ctype(arg);         /* ... or of one real CFFI built */
    if (fn != NULL) {
        if (ffi_check_function_type(self, fn) < 0)
            return NULL;
        Py_INCREF(fn);
        return (PyObject *)fn;
    }
    PyErr_SetObject(PyExc_TypeError, (PyObject *)Py_TYPE(arg));
    return NULL;
}

static PyObject *ffi_sizeof(FFIObject *self, PyObject *arg)
{
    if (CData_Check(arg)) {
        CDataObject *cd = (CDataObject *)arg;
        CTypeObject *ct = cd->c_type;
        if ((ct->ct_flags & CT_ARRAY) && cdata_array_length(cd) >= 0)
            return PyLong_FromSsize_t(cdata_array_length(cd) * ct->ct_item->ct_size);
        if ((ct->ct_flags & CT_STRUCT_OR_UNION) && CData_IsOwn(cd)
            && ((CDataOwnObject *)cd)->c_repr_kind == CDATA_REPR_OWNING)
            return PyLong_FromSsize_t(((CDataOwnObject *)cd)->c_nbytes);
        if (ctype_sizeof(ct) < 0)
            return NULL;
        return PyLong_FromSsize_t(ct->ct_size);
    }
    CTypeObject *ct = ffi_get_ctype_or_cdata(self, arg);
    if (ct == NULL)
        return NULL;
    if ((ct->ct_flags & CT_STRUCT_OR_UNION) && ctype_check_members(ct) < 0) {
        Py_DECREF(ct);
        return NULL;
    }
    Py_ssize_t size = ctype_sizeof(ct);
    Py_DECREF(ct);
    return size < 0 ? NULL : PyLong_FromSsize_t(size);
}

static PyObject *ffi_alignof(FFIObject *self, PyObject *arg)
{
    CTypeObject *ct = ffi_get_ctype_or_cdata(self, arg);
    if (ct == NULL)
        return NULL;
    Py_ssize_t align = ct->ct_align;
    if (ctype_check_layout(ct) < 0) {
        Py_DECREF(ct);
        return NULL;
    }
    if (align <= 0 || (ct->ct_flags & (CT_IS_OPAQUE | CT_VOID))) {
        PyErr_Format(ctype_unknown_size_error, "ctype '%s' is of unknown alignment",
                     ct->ct_name);
        Py_DECREF(ct);
        return NULL;
    }
    Py_DECREF(ct);
    return PyLong_FromSsize_t(align);
}

/* One step of offsetof/addressof: field name or index into *ct. */
static int ffi_offset_step(CTypeObject **ct, PyObject *key, Py_ssize_t *offset, int first)
{
    CTypeObject *t = *ct;
    if (PyUnicode_Check(key)) {
        if ((t->ct_flags & CT_POINTER) && first
            && (t->ct_item->ct_flags & CT_STRUCT_OR_UNION))
            t = t->ct_item;
        if (!(t->ct_flags & CT_STRUCT_OR_UNION)) {
            PyErr_SetString(PyExc_TypeError,
                            "with a field name argument, expected a struct or union ctype");
            return -1;
        }
        if (t->ct_fields == NULL) {
            PyErr_SetString(PyExc_TypeError, "struct/union is opaque");
            return -1;
        }
        if (ctype_check_layout(t) < 0)
            return -1;
        CFieldObject *f = ctype_find_field(t, key);
        if (f == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, key);
            return -1;
        }
        if (f->cf_bitsize >= 0) {
            PyErr_SetString(PyExc_TypeError, "not supported for bitfields");
            return -1;
        }
        *offset += f->cf_offset;
        *ct = f->cf_type;
        return 0;
    }
    if (!(t->ct_flags & (CT_ARRAY | CT_POINTER))) {
        PyErr_SetString(PyExc_TypeError,
                        "with an integer argument, expected an array or pointer ctype");
        return -1;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_OverflowError);
    if (i == -1 && PyErr_Occurred())
        return -1;
    if ((t->ct_flags & CT_POINTER) && !first) {
        PyErr_SetString(PyExc_TypeError, "cannot index a pointer that is inside a struct");
        return -1;
    }
    if (t->ct_item->ct_size < 0) {
        PyErr_Format(PyExc_ValueError, "ctype '%s' is of unknown size", t->ct_item->ct_name);
        return -1;
    }
    *offset += i * t->ct_item->ct_size;
    *ct = t->ct_item;
    return 0;
}

/* Walks fields and indexes; *ct is borrowed.  As in CFFI, "a.b" is not a
 * path: nested fields are separate arguments. */
static int ffi_offset_walk(CTypeObject **ct, PyObject *const *keys, Py_ssize_t n,
                           Py_ssize_t *offset)
{
    for (Py_ssize_t k = 0; k < n; k++)
        if (ffi_offset_step(ct, keys[k], offset, k == 0) < 0)
            return -1;
    return 0;
}

static PyObject *ffi_offsetof(FFIObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 2) {
        PyErr_SetString(PyExc_TypeError, "offsetof() expects a type and at least one field");
        return NULL;
    }
    CTypeObject *ct = ffi_get_ctype_strict(self, args[0]);
    if (ct == NULL)
        return NULL;
    CTypeObject *walk = ct;
    Py_ssize_t offset = 0;
    int rc = ffi_offset_walk(&walk, args + 1, nargs - 1, &offset);
    Py_DECREF(ct);
    return rc < 0 ? NULL : PyLong_FromSsize_t(offset);
}

/* ---------------------------------------------------------- new, cast */

static PyObject *ffi_new(FFIObject *self, PyObject *const *args, Py_ssize_t nargs,
                         PyObject *kwnames)
{
    PyObject *cdecl = NULL, *init = NULL;
    if (kwnames == NULL && nargs >= 1 && nargs <= 2) {
        cdecl = args[0];
        init = nargs == 2 ? args[1] : NULL;
    } else {
        static const char *const names[] = {"cdecl", "init"};
        PyObject *slots[2] = {NULL, NULL};
        Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
        if (nargs > 2) {
            PyErr_SetString(PyExc_TypeError, "new() takes at most 2 arguments");
            return NULL;
        }
        for (Py_ssize_t i = 0; i < nargs; i++)
            slots[i] = args[i];
        for (Py_ssize_t k = 0; k < nkw; k++) {
            PyObject *kw = PyTuple_GET_ITEM(kwnames, k);
            int j = -1;
            for (int m = 0; m < 2; m++)
                if (PyUnicode_CompareWithASCIIString(kw, names[m]) == 0)
                    j = m;
            if (j < 0 || slots[j] != NULL) {
                PyErr_Format(PyExc_TypeError, "new() got an unexpected keyword argument '%U'", kw);
                return NULL;
            }
            slots[j] = args[nargs + k];
        }
        cdecl = slots[0];
        init = slots[1];
        if (cdecl == NULL) {
            PyErr_SetString(PyExc_TypeError, "new() missing required argument 'cdecl'");
            return NULL;
        }
    }
    CTypeObject *ct;
    if (PyUnicode_CheckExact(cdecl)) {
        ct = (CTypeObject *)PyDict_GetItemWithError(self->types_cache, cdecl);
        if (ct != NULL)
            return cdata_newp(ct, init, NULL);
        if (PyErr_Occurred())
            return NULL;
    }
    ct = ffi_get_ctype_strict(self, cdecl);
    if (ct == NULL)
        return NULL;
    PyObject *r = cdata_newp(ct, init, NULL);
    Py_DECREF(ct);
    return r;
}

static PyObject *ffi_cast(FFIObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "cast() takes exactly 2 arguments (%zd given)", nargs);
        return NULL;
    }
    CTypeObject *ct;
    if (PyUnicode_CheckExact(args[0])) {
        ct = (CTypeObject *)PyDict_GetItemWithError(self->types_cache, args[0]);
        if (ct != NULL)
            return cconv_cast(ct, args[1]);
        if (PyErr_Occurred())
            return NULL;
    }
    ct = ffi_get_ctype_strict(self, args[0]);
    if (ct == NULL)
        return NULL;
    PyObject *r = cconv_cast(ct, args[1]);
    Py_DECREF(ct);
    return r;
}

/* ------------------------------------------------------- string, unpack */

static PyObject *ffi_wchars_to_str(const char *p, Py_ssize_t n, Py_ssize_t wsize)
{
    if (wsize == 2) {
        int order = -1;
        return PyUnicode_DecodeUTF16(p, n * 2, "surrogatepass", &order);
    }
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, p, n);
}

/* Length up to the first NUL item, at most maxlen (-1: no bound). */
static Py_ssize_t ffi_strlen(const char *p, Py_ssize_t isize, Py_ssize_t maxlen)
{
    Py_ssize_t n = 0;
    for (; maxlen < 0 || n < maxlen; n++) {
        const char *q = p + n * isize;
        int zero = 1;
        for (Py_ssize_t k = 0; k < isize; k++)
            if (q[k]) {
                zero = 0;
                break;
            }
        if (zero)
            break;
    }
    return n;
}

static PyObject *ffi_string(FFIObject *self, PyObject *args, PyObject *kwds)
{
    (void)self;
    static char *kwlist[] = {"cdata", "maxlen", NULL};
    PyObject *obj;
    Py_ssize_t maxlen = -1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|n:string", kwlist, &obj, &maxlen))
        return NULL;
    if (!CData_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "expected a cdata object, got %.200s",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    CDataObject *cd = (CDataObject *)obj;
    CTypeObject *ct = cd->c_type;
    if (ct->ct_flags & (CT_POINTER | CT_ARRAY)) {
        CTypeObject *item = ct->ct_item;
        if (item->ct_flags & (CT_PRIMITIVE_CHAR | CT_PRIMITIVE_WCHAR)
            || ((item->ct_flags & CT_PRIMITIVE_INTEGER) && item->ct_size == 1
                && !(item->ct_flags & (CT_IS_BOOL | CT_IS_ENUM)))) {
            if (cd->c_data == NULL) {
                PyObject *r = PyObject_Repr(obj);
                if (r != NULL)
                    PyErr_Format(PyExc_RuntimeError, "cannot use string() on %U", r);
                Py_XDECREF(r);
                return NULL;
            }
            Py_ssize_t len = cdata_array_length(cd);
            if (len >= 0 && (maxlen < 0 || maxlen > len))
                maxlen = len;
            Py_ssize_t n = ffi_strlen(cd->c_data, item->ct_size, maxlen);
            if (item->ct_flags & CT_PRIMITIVE_WCHAR)
                return ffi_wchars_to_str(cd->c_data, n, item->ct_size);
            return PyBytes_FromStringAndSize(cd->c_data, n);
        }
    }
    if (ct->ct_flags & CT_IS_ENUM) {
        PyObject *v = cconv_read_integer(cd->c_data, ct->ct_size,
                                         ct->ct_flags & CT_PRIMITIVE_SIGNED);
        if (v == NULL)
            return NULL;
        PyObject *name = ct->ct_enum_names ? PyDict_GetItemWithError(ct->ct_enum_names, v) : NULL;
        PyObject *r = name ? (Py_INCREF(name), name)
                           : (PyErr_Occurred() ? NULL : PyObject_Str(v));
        Py_DECREF(v);
        return r;
    }
    if (ct->ct_flags & (CT_PRIMITIVE_CHAR | CT_PRIMITIVE_WCHAR))
        return cconv_to_python(ct, cd->c_data);
    PyErr_Format(PyExc_TypeError, "string(): unexpected cdata '%s' argument", ct->ct_name);
    return NULL;
}

static PyObject *ffi_unpack(FFIObject *self, PyObject *args, PyObject *kwds)
{
    (void)self;
    static char *kwlist[] = {"cdata", "length", NULL};
    PyObject *obj;
    Py_ssize_t length;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "On:unpack", kwlist, &obj, &length))
        return NULL;
    if (!CData_Check(obj) || !(CData_CType(obj)->ct_flags & (CT_POINTER | CT_ARRAY))) {
        if (CData_Check(obj))
            PyErr_Format(PyExc_TypeError, "expected a pointer or array, got '%s'",
                         CData_CType(obj)->ct_name);
        else
            PyErr_Format(PyExc_TypeError, "expected a pointer or array cdata, got %.200s",
                         Py_TYPE(obj)->tp_name);
        return NULL;
    }
    CDataObject *cd = (CDataObject *)obj;
    CTypeObject *item = cd->c_type->ct_item;
    if (length < 0) {
        PyErr_SetString(PyExc_ValueError, "'length' cannot be negative");
        return NULL;
    }
    if (cd->c_data == NULL) {
        PyObject *r = PyObject_Repr(obj);
        if (r != NULL)
            PyErr_Format(PyExc_RuntimeError, "cannot use unpack() on %U", r);
        Py_XDECREF(r);
        return NULL;
    }
    if (item->ct_size < 0 || (item->ct_flags & CT_VOID)) {
        PyErr_Format(PyExc_ValueError, "'%s' points to items of unknown size",
                     cd->c_type->ct_name);
        return NULL;
    }
    if (item->ct_flags & CT_PRIMITIVE_CHAR)
        return PyBytes_FromStringAndSize(cd->c_data, length);
    if (item->ct_flags & CT_PRIMITIVE_WCHAR)
        return ffi_wchars_to_str(cd->c_data, length, item->ct_size);
    PyObject *list = PyList_New(length);
    if (list == NULL)
        return NULL;
    PyObject *owner = !CData_IsOwnOrInline(cd) ? NULL : obj;
    for (Py_ssize_t i = 0; i < length; i++) {
        PyObject *v = cconv_to_python_owned(item, cd->c_data + i * item->ct_size, owner);
        if (v == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, v);
    }
    return list;
}

/* ------------------------------------------- addressof, getctype, list */

static PyObject *ffi_addressof(FFIObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "addressof() expects at least 1 argument");
        return NULL;
    }
    if (!CData_Check(args[0])) {
        if (Lib_Check(args[0]) && nargs == 2)
            return lib_addressof(args[0], args[1]);
        if (ApiLib_Check(args[0]) && nargs == 2)
            return api_lib_addressof(args[0], args[1]);
        if (compat_lib_check(args[0]) && nargs == 2)
            return compat_lib_addressof(args[0], args[1]);
        PyErr_SetString(PyExc_TypeError, "expected a cdata struct/union/array/pointer object");
        return NULL;
    }
    CDataObject *cd = (CDataObject *)args[0];
    CTypeObject *ct = cd->c_type;
    if (!(ct->ct_flags & (CT_STRUCT_OR_UNION | CT_ARRAY | CT_POINTER))) {
        PyErr_SetString(PyExc_TypeError, "expected a cdata struct/union/array/pointer object");
        return NULL;
    }
    CTypeObject *target = ct;
    Py_ssize_t offset = 0;
    if (nargs == 1) {
        if (ct->ct_flags & CT_POINTER) {
            PyErr_SetString(PyExc_TypeError, "addressof(pointer)");
            return NULL;
        }
    } else if (ffi_offset_walk(&target, args + 1, nargs - 1, &offset) < 0)
        return NULL;
    CTypeObject *ptr = ctype_pointer_to(target);
    if (ptr == NULL)
        return NULL;
    PyObject *owner = !CData_IsOwnOrInline(cd) ? NULL : (PyObject *)cd;
    PyObject *r;
    /* address arithmetic, as C compilers do it: the pointer may be NULL
       (ffi.addressof(ffi.cast("struct s *", 0), "x"), CFFI's 'offsetof'
       idiom), where NULL + offset is undefined (clang's UBSan, found by
       make fuzz-realize) */
    char *addr = (char *)((uintptr_t)cd->c_data + (uintptr_t)offset);
    if (owner != NULL) {
        r = cdata_new_view(ptr, addr, owner);
    } else
        r = cdata_new_pointer(ptr, addr);
    Py_DECREF(ptr);
    return r;
}

static PyObject *ffi_getctype(FFIObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"cdecl", "replace_with", NULL};
    PyObject *cdecl;
    const char *replace = "";
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|s:getctype", kwlist, &cdecl, &replace))
        return NULL;
    CTypeObject *ct = ffi_get_ctype_strict(self, cdecl);
    if (ct == NULL)
        return NULL;
    while (*replace == ' ' || *replace == '\t' || *replace == '\n')
        replace++;
    size_t rl = strlen(replace);
    while (rl > 0 && (replace[rl - 1] == ' ' || replace[rl - 1] == '\t' || replace[rl - 1] == '\n'))
        rl--;
    PyObject *decl;
    int pos = ct->ct_name_position;
    PyObject *core = PyUnicode_FromStringAndSize(replace, (Py_ssize_t)rl);
    if (core == NULL) {
        Py_DECREF(ct);
        return NULL;
    }
    if (rl > 0 && replace[0] == '*' && ct->ct_name[pos] == '[')
        decl = PyUnicode_FromFormat("(%U)", core);
    else if (rl > 0 && replace[0] != '[' && replace[0] != '(')
        decl = PyUnicode_FromFormat(" %U", core);
    else {
        Py_INCREF(core);
        decl = core;
    }
    Py_DECREF(core);
    PyObject *r = NULL;
    if (decl != NULL) {
        const char *d = PyUnicode_AsUTF8(decl);
        r = d ? ctype_name_with(ct, d) : NULL;
        Py_DECREF(decl);
    }
    Py_DECREF(ct);
    return r;
}

static int ffi_add_name(PyObject *set, FFIObject *ffi, uint32_t name)
{
    PyObject *s = PyUnicode_FromString(crealize_str(ffi, name));
    if (s == NULL)
        return -1;
    int rc = PySet_Add(set, s);
    Py_DECREF(s);
    return rc;
}

static PyObject *ffi_sorted(PyObject *set)
{
    PyObject *list = PySequence_List(set);
    if (list != NULL && PyList_Sort(list) < 0)
        Py_CLEAR(list);
    return list;
}

static PyObject *ffi_list_types(FFIObject *self, PyObject *noarg)
{
    (void)noarg;
    PyObject *sets[3] = {PySet_New(NULL), PySet_New(NULL), PySet_New(NULL)};
    PyObject *r = NULL;
    if (!sets[0] || !sets[1] || !sets[2])
        goto done;
    for (uint32_t i = 0; i < self->table.ndecls; i++) {
        cct_decl d = self->table.decls[i];
        int which = -1;
        if (d.kind == CCT_DECL_TYPEDEF)
            which = 0;
        else if (d.kind == CCT_DECL_TAG && d.type < self->table.ntypes) {
            uint8_t k = self->table.types[d.type].kind;
            which = k == CCT_KIND_STRUCT ? 1 : k == CCT_KIND_UNION ? 2 : -1;
        }
        if (which >= 0 && d.name != 0 && ffi_add_name(sets[which], self, d.name) < 0)
            goto done;
    }
    PyObject *l0 = ffi_sorted(sets[0]), *l1 = ffi_sorted(sets[1]), *l2 = ffi_sorted(sets[2]);
    if (l0 && l1 && l2)
        r = PyTuple_Pack(3, l0, l1, l2);
    Py_XDECREF(l0);
    Py_XDECREF(l1);
    Py_XDECREF(l2);
done:
    for (int i = 0; i < 3; i++)
        Py_XDECREF(sets[i]);
    return r;
}

/* ------------------------------------------------------- gc and release */

static PyObject *ffi_gc(FFIObject *self, PyObject *args, PyObject *kwds)
{
    (void)self;
    static char *kwlist[] = {"cdata", "destructor", "size", NULL};
    PyObject *obj, *destructor;
    Py_ssize_t size = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!O|n:gc", kwlist, &CData_Type, &obj,
                                     &destructor, &size))
        return NULL;
    if (destructor == Py_None) {
        if (Py_TYPE(obj) != &CDataGCP_Type) {
            PyErr_SetString(PyExc_TypeError,
                            "Can remove destructor only on a object previously "
                            "returned by ffi.gc()");
            return NULL;
        }
        CDataOwnObject *o = (CDataOwnObject *)obj;
        Py_CLEAR(o->c_destructor);
        Py_RETURN_NONE;
    }
    CDataObject *cd = (CDataObject *)obj;
    CDataOwnObject *o = cdata_new_variant(&CDataGCP_Type, cd->c_type, cd->c_data);
    if (o == NULL)
        return NULL;
    o->c_length = CData_IsOwn(cd) ? ((CDataOwnObject *)cd)->c_length : -1;
    Py_INCREF(obj);
    o->c_keep = obj;
    Py_INCREF(destructor);
    o->c_destructor = destructor;
    PyObject *g = (PyObject *)o;
    return (PyObject *)g;
}

static PyObject *ffi_release(FFIObject *self, PyObject *arg)
{
    (void)self;
    if (!CData_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "release() argument must be a cdata, not %.200s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    if (cdata_release((CDataObject *)arg) < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* ------------------------------------------------------- new_allocator */

typedef struct {
    PyObject_HEAD
    FFIObject *ffi;
    PyObject *spec;  /* (alloc, free, should_clear_after_alloc) */
} AllocatorObject;

static PyObject *allocator_call(AllocatorObject *a, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"cdecl", "init", NULL};
    PyObject *cdecl, *init = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|O:allocate", kwlist, &cdecl, &init))
        return NULL;
    CTypeObject *ct = ffi_get_ctype_strict(a->ffi, cdecl);
    if (ct == NULL)
        return NULL;
    PyObject *r = cdata_newp(ct, init, a->spec);
    Py_DECREF(ct);
    return r;
}

static void allocator_dealloc(AllocatorObject *a)
{
    Py_XDECREF(a->ffi);
    Py_XDECREF(a->spec);
    PyObject_Free(a);
}

static PyTypeObject Allocator_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.__FFIAllocator",
    .tp_basicsize = sizeof(AllocatorObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)allocator_dealloc,
    .tp_call = (ternaryfunc)allocator_call,
};

static PyObject *ffi_new_allocator(FFIObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"alloc", "free", "should_clear_after_alloc", NULL};
    PyObject *alloc = Py_None, *free_fn = Py_None, *clear = Py_True;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOO:new_allocator", kwlist,
                                     &alloc, &free_fn, &clear))
        return NULL;
    if (alloc == Py_None && free_fn != Py_None) {
        PyErr_SetString(PyExc_TypeError, "cannot pass 'free' without 'alloc'");
        return NULL;
    }
    AllocatorObject *a = PyObject_New(AllocatorObject, &Allocator_Type);
    if (a == NULL)
        return NULL;
    Py_INCREF(self);
    a->ffi = self;
    a->spec = PyTuple_Pack(3, alloc, free_fn, PyObject_IsTrue(clear) ? Py_True : Py_False);
    if (a->spec == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    return (PyObject *)a;
}

/* ------------------------------------------------------------ handles */

/* the handle's value is a token checked by from_handle (object/chandle.c) */
static PyObject *ffi_new_handle(FFIObject *self, PyObject *obj)
{
    (void)self;
    return chandle_new(obj);
}

PyObject *ffi_handle_target(void *ptr)
{
    return chandle_target(ptr);
}

static PyObject *ffi_from_handle(FFIObject *self, PyObject *arg)
{
    (void)self;
    if (!CData_Check(arg) || !(CData_CType(arg)->ct_flags & CT_POINTER)
        || !(CData_CType(arg)->ct_flags & CT_IS_VOIDCHAR_PTR)) {
        PyErr_Format(PyExc_TypeError, "expected a 'cdata' object with a 'void *' out of "
                     "new_handle(), got '%.200s'",
                     CData_Check(arg) ? CData_CType(arg)->ct_name : Py_TYPE(arg)->tp_name);
        return NULL;
    }
    return ffi_handle_target(CData_Ptr(arg));
}

/* ------------------------------------------------------ init_once, errno */

/* init_once: the cache maps tag -> (True, result) once done, or to
 * (False, lock) while some thread runs func(); other threads wait on the
 * lock (without the GIL), then find the result.  As in CFFI. */
static PyObject *ffi_init_once_done(FFIObject *self, PyObject *tag)
{
    PyObject *entry = PyDict_GetItemWithError(self->init_once_cache, tag);
    if (entry == NULL || PyTuple_GET_ITEM(entry, 0) != Py_True)
        return NULL;
    PyObject *r = PyTuple_GET_ITEM(entry, 1);
    Py_INCREF(r);
    return r;
}

static PyObject *ffi_init_once_lock(FFIObject *self, PyObject *tag)
{
    PyObject *entry = PyDict_GetItemWithError(self->init_once_cache, tag);
    if (entry != NULL) {
        PyObject *lock = PyTuple_GET_ITEM(entry, 1);
        Py_INCREF(lock);
        return lock;
    }
    if (PyErr_Occurred())
        return NULL;
    PyObject *thread = PyImport_ImportModule("_thread");
    PyObject *lock = thread ? PyObject_CallMethod(thread, "allocate_lock", NULL) : NULL;
    Py_XDECREF(thread);
    if (lock == NULL)
        return NULL;
    entry = PyTuple_Pack(2, Py_False, lock);
    if (entry == NULL || PyDict_SetItem(self->init_once_cache, tag, entry) < 0) {
        Py_XDECREF(entry);
        Py_DECREF(lock);
        return NULL;
    }
    Py_DECREF(entry);
    return lock;
}

static PyObject *ffi_init_once(FFIObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"func", "tag", NULL};
    PyObject *func, *tag;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:init_once", kwlist, &func, &tag))
        return NULL;
    PyObject *r = ffi_init_once_done(self, tag);
    if (r != NULL || PyErr_Occurred())
        return r;
    PyObject *lock = ffi_init_once_lock(self, tag);
    if (lock == NULL)
        return NULL;
    PyObject *ok = PyObject_CallMethod(lock, "acquire", NULL);
    if (ok == NULL) {
        Py_DECREF(lock);
        return NULL;
    }
    Py_DECREF(ok);
    r = ffi_init_once_done(self, tag);
    if (r == NULL && !PyErr_Occurred()) {
        r = PyObject_CallFunctionObjArgs(func, NULL);
        if (r != NULL) {
            PyObject *entry = PyTuple_Pack(2, Py_True, r);
            if (entry == NULL || PyDict_SetItem(self->init_once_cache, tag, entry) < 0)
                Py_CLEAR(r);
            Py_XDECREF(entry);
        }
    }
    PyObject *exc_t, *exc_v, *exc_tb;
    PyErr_Fetch(&exc_t, &exc_v, &exc_tb);
    ok = PyObject_CallMethod(lock, "release", NULL);
    Py_XDECREF(ok);
    if (ok == NULL)
        PyErr_Clear();
    PyErr_Restore(exc_t, exc_v, exc_tb);
    Py_DECREF(lock);
    return r;
}

static PyObject *ffi_get_errno(FFIObject *self, void *c)
{
    (void)self;
    (void)c;
    return PyLong_FromLong(cconv_saved_errno);
}

static int ffi_set_errno(FFIObject *self, PyObject *value, void *c)
{
    (void)self;
    (void)c;
    if (value == NULL) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete errno");
        return -1;
    }
    long v = PyLong_AsLong(value);
    if (v == -1 && PyErr_Occurred())
        return -1;
    cconv_saved_errno = (int)v;
    return 0;
}

/* ------------------------------------- bindings of the lower layers */

static PyObject *ffi_from_buffer(FFIObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"cdecl", "python_buffer", "require_writable", NULL};
    PyObject *a1, *a2 = NULL;
    int writable = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|Op:from_buffer", kwlist,
                                     &a1, &a2, &writable))
        return NULL;
    /* from_buffer(buf) is from_buffer("char[]", buf) */
    PyObject *cdecl = a2 == NULL ? NULL : a1;
    PyObject *src = a2 == NULL ? a1 : a2;
    CTypeObject *ct;
    if (cdecl == NULL) {
        PyObject *s = PyUnicode_FromString("char[]");
        if (s == NULL)
            return NULL;
        ct = ffi_get_ctype_strict(self, s);
        Py_DECREF(s);
    } else {
        ct = ffi_get_ctype_strict(self, cdecl);
    }
    if (ct == NULL)
        return NULL;
    PyObject *r = cbuffer_from_buffer(ct, src, writable);
    Py_DECREF(ct);
    return r;
}

static PyObject *ffi_memmove(FFIObject *self, PyObject *args, PyObject *kwds)
{
    (void)self;
    static char *kwlist[] = {"dest", "src", "n", NULL};
    PyObject *dest, *src;
    Py_ssize_t n;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOn:memmove", kwlist,
                                     &dest, &src, &n))
        return NULL;
    return cbuffer_memmove(dest, src, n);
}

static PyObject *ffi_callback(FFIObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"cdecl", "python_callable", "error", "onerror", NULL};
    PyObject *cdecl, *callable = Py_None, *error = Py_None, *onerror = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OOO:callback", kwlist,
                                     &cdecl, &callable, &error, &onerror))
        return NULL;
    CTypeObject *ct = ffi_get_ctype(self, cdecl);
    if (ct == NULL)
        return NULL;
    PyObject *res = callable != Py_None
        ? ccallback_new(ct, callable, error, onerror)
        : ccallback_decorator(ct, error, onerror);
    Py_DECREF(ct);
    return res;
}

static PyObject *ffi_dlopen(FFIObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"name", "flags", NULL};
    PyObject *name;
    int flags = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|i:dlopen", kwlist,
                                     &name, &flags))
        return NULL;
    return lib_obj_open(self, name, flags);
}

static PyObject *ffi_dlclose(FFIObject *self, PyObject *lib)
{
    (void)self;
    return lib_obj_close(lib);
}

static PyObject *ffi_def_extern(FFIObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"name", "error", "onerror", NULL};
    PyObject *name = Py_None, *error = Py_None, *onerror = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOO:def_extern", kwlist,
                                     &name, &error, &onerror))
        return NULL;
    return api_def_extern(self, name, error, onerror);
}

/* -------------------------------------------------------------- tables */

static PyObject *ffi_integer_const_m(FFIObject *self, PyObject *args,
                                     PyObject *kwds)
{
    static char *kwlist[] = {"name", NULL};
    const char *name;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s:integer_const", kwlist,
                                     &name))
        return NULL;
    PyObject *runtime = api_integer_const(self, name);  /* read at run time */
    if (runtime != NULL || PyErr_Occurred())
        return runtime;
    return ffi_integer_const(self, name);
}

/* ffi._ccffi_check_emit(): what CFFI's out-of-line ABI compile() refuses
 * to write, raised before anything is written: an array type of the cdef
 * (not a parameter, which decays to a pointer) whose length is negative
 * (VerificationError "cannot emit to Python: '-1'") or above 2**31-1
 * (OverflowError "cannot emit 'N': limited to 2**31-1"; a length from
 * 2**63 up, which the table keeps as CC_ARRAY_LENGTH_HUGE, is named
 * 9223372036854775808). */
static int ffi_emit_mark(const cc_table *t, unsigned char *used, uint32_t i)
{
    for (uint32_t steps = 0; i < t->ntypes && !used[i] && steps < t->ntypes; steps++) {
        used[i] = 1;
        const cct_type *ty = &t->types[i];
        if (ty->kind == CCT_KIND_FUNCTION) {
            for (uint32_t k = 0; k < ty->count; k++) {
                uint32_t a = t->args[ty->first + k];
                /* an array parameter is a pointer: its item only */
                if (a < t->ntypes && t->types[a].kind == CCT_KIND_ARRAY)
                    a = t->types[a].item;
                if (ffi_emit_mark(t, used, a) < 0)
                    return -1;
            }
        } else if (ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION) {
            for (uint32_t k = 0; k < ty->count; k++)
                if (ffi_emit_mark(t, used, t->fields[ty->first + k].type) < 0)
                    return -1;
            return 0;
        } else if (ty->kind != CCT_KIND_POINTER && ty->kind != CCT_KIND_ARRAY) {
            return 0;
        }
        i = ty->item;
    }
    return 0;
}

static PyObject *ffi_check_emit(FFIObject *self, PyObject *noarg)
{
    (void)noarg;
    const cc_table *t = &self->table;
    unsigned char *used = PyMem_Calloc(t->ntypes ? t->ntypes : 1, 1);
    if (used == NULL)
        return PyErr_NoMemory();
    for (uint32_t i = 0; i < t->ndecls; i++)
        ffi_emit_mark(t, used, t->decls[i].type);
    for (uint32_t i = 0; i < t->ntypes; i++) {
        const cct_type *ty = &t->types[i];
        if (!used[i] || ty->kind != CCT_KIND_ARRAY
            || (ty->flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS))
            || ty->length <= (uint64_t)INT32_MAX)
            continue;
        PyMem_Free(used);
        if (ty->length > (uint64_t)INT64_MAX && ty->length != CC_ARRAY_LENGTH_HUGE)
            return PyErr_Format(ccm_VerificationError, "cannot emit to Python: '%lld'",
                                (long long)(int64_t)ty->length);
        return PyErr_Format(PyExc_OverflowError, "cannot emit '%llu': limited to 2**31-1",
                            (unsigned long long)ty->length);
    }
    PyMem_Free(used);
    Py_RETURN_NONE;
}

static PyMethodDef ffi_methods[] = {
    {"_ccffi_check_emit", (PyCFunction)ffi_check_emit, METH_NOARGS, NULL},
    {"integer_const", (PyCFunction)(void (*)(void))ffi_integer_const_m,
     METH_VARARGS | METH_KEYWORDS,
     "integer_const(name): the value of an integer constant of the cdef, "
     "as lib.name would give it, without a lib."},
    {"cdef", (PyCFunction)(void (*)(void))ffi_cdef, METH_VARARGS | METH_KEYWORDS,
     "Parse the given C declarations; they become usable by the other methods."},
    {"include", (PyCFunction)ffi_include, METH_O,
     "Include the types and constants declared in another FFI object."},
    {"typeof", (PyCFunction)ffi_typeof, METH_O, "The ctype of a C type name or of a cdata."},
    {"sizeof", (PyCFunction)ffi_sizeof, METH_O, "Size in bytes of a ctype or cdata."},
    {"alignof", (PyCFunction)ffi_alignof, METH_O, "Natural alignment of a ctype."},
    {"offsetof", (PyCFunction)(void (*)(void))ffi_offsetof, METH_FASTCALL,
     "Offset of a field (or nested fields / array indexes) in a ctype."},
    {"new", (PyCFunction)(void (*)(void))ffi_new, METH_FASTCALL | METH_KEYWORDS,
     "Allocate zeroed memory for a pointer or array ctype and return an owning cdata."},
    {"cast", (PyCFunction)(void (*)(void))ffi_cast, METH_FASTCALL,
     "A cdata of the given ctype with the value converted as C would."},
    {"string", (PyCFunction)(void (*)(void))ffi_string, METH_VARARGS | METH_KEYWORDS,
     "bytes or str from a char / wchar_t pointer or array, or an enum's name."},
    {"unpack", (PyCFunction)(void (*)(void))ffi_unpack, METH_VARARGS | METH_KEYWORDS,
     "The first `length` items of a pointer or array, as bytes, str or list."},
    {"addressof", (PyCFunction)(void (*)(void))ffi_addressof, METH_FASTCALL,
     "Pointer to a struct/array cdata or to one of its fields or items."},
    {"getctype", (PyCFunction)(void (*)(void))ffi_getctype, METH_VARARGS | METH_KEYWORDS,
     "The C spelling of a type, with an optional declarator spliced in."},
    {"list_types", (PyCFunction)ffi_list_types, METH_NOARGS,
     "(typedef names, struct names, union names) declared so far."},
    {"gc", (PyCFunction)(void (*)(void))ffi_gc, METH_VARARGS | METH_KEYWORDS,
     "A new cdata that calls destructor(cdata) when it dies."},
    {"release", (PyCFunction)ffi_release, METH_O,
     "Release the resources of a cdata from new, gc, from_buffer or an allocator now."},
    {"new_allocator", (PyCFunction)(void (*)(void))ffi_new_allocator,
     METH_VARARGS | METH_KEYWORDS, "An ffi.new()-like function using custom alloc/free."},
    {"new_handle", (PyCFunction)ffi_new_handle, METH_O,
     "A 'void *' cdata that ffi.from_handle() turns back into the object."},
    {"from_handle", (PyCFunction)ffi_from_handle, METH_O,
     "The object that a handle from ffi.new_handle() refers to."},
    {"init_once", (PyCFunction)(void (*)(void))ffi_init_once, METH_VARARGS | METH_KEYWORDS,
     "Call func() once per tag and remember its result."},
    {"from_buffer", (PyCFunction)(void (*)(void))ffi_from_buffer,
     METH_VARARGS | METH_KEYWORDS,
     "A cdata pointing into the memory of a Python buffer object."},
    {"memmove", (PyCFunction)(void (*)(void))ffi_memmove,
     METH_VARARGS | METH_KEYWORDS,
     "Copy n bytes from src to dest (cdata or buffer objects)."},
    {"callback", (PyCFunction)(void (*)(void))ffi_callback,
     METH_VARARGS | METH_KEYWORDS,
     "callback(cdecl, python_callable=None, error=None, onerror=None): a C "
     "function pointer calling python_callable; without it, a decorator."},
    {"dlopen", (PyCFunction)(void (*)(void))ffi_dlopen,
     METH_VARARGS | METH_KEYWORDS,
     "dlopen(name, flags=0): open a shared library (None: the C library and "
     "the process) and return a Lib giving access to the cdef's functions, "
     "global variables and constants."},
    {"dlclose", (PyCFunction)ffi_dlclose, METH_O,
     "dlclose(lib): close a library opened by dlopen(); later accesses "
     "raise ValueError."},
    {"def_extern", (PyCFunction)(void (*)(void))ffi_def_extern,
     METH_VARARGS | METH_KEYWORDS,
     "def_extern(name=None, error=None, onerror=None): a decorator attaching "
     "a Python function to an extern \"Python\" function of the module."},
    {NULL, NULL, 0, NULL},
};

/* ffi._ccffi_built_with: how a compiled module got its types (api_fallback.c). */
static PyObject *ffi_get_built_with(FFIObject *self, void *closure)
{
    (void)closure;
    return api_built_with(self);
}

static PyGetSetDef ffi_getset[] = {
    {"errno", (getter)ffi_get_errno, (setter)ffi_set_errno,
     "The C errno saved after the last C call of this thread.", NULL},
    {"_ccffi_built_with", (getter)ffi_get_built_with, NULL,
     "'plugin' or 'compiler': what gave a compiled module its types (None "
     "for an ffi that is not a compiled module's).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};


static int ffi_set_class_attr(const char *name, PyObject *value)
{
    if (value == NULL)
        return -1;
    int rc = PyDict_SetItemString(FFI_Type.tp_dict, name, value);
    return rc;
}

/* FFI(name, _version=..., _types=..., ...): the serialised form real CFFI's
 * out-of-line ABI modules pass (compat/), else the plain constructor. */
static initproc ffi_plain_init;
static int ffi_init_any(PyObject *self, PyObject *args, PyObject *kwds)
{
    int rc = compat_ffi_init((FFIObject *)self, args, kwds);
    return rc == 0 ? ffi_plain_init(self, args, kwds) : (rc < 0 ? -1 : 0);
}

int ffi_obj_init_module(PyObject *m)
{
    ffi_plain_init = FFI_Type.tp_init;
    FFI_Type.tp_init = ffi_init_any;
    FFI_Type.tp_methods = ffi_methods;
    FFI_Type.tp_getset = ffi_getset;
    if (PyType_Ready(&FFI_Type) < 0 || PyType_Ready(&Allocator_Type) < 0)
        return -1;
    CTypeObject *vp = ctype_pointer_to(ctype_void());
    if (vp == NULL)
        return -1;
    ffi_null = cdata_new_pointer(vp, NULL);
    Py_DECREF(vp);
    if (ffi_null == NULL)
        return -1;
    if (ffi_set_class_attr("error", ccm_error) < 0
        || ffi_set_class_attr("NULL", ffi_null) < 0
        || ffi_set_class_attr("CData", (PyObject *)&CData_Type) < 0
        || ffi_set_class_attr("CType", (PyObject *)&CType_Type) < 0
        || ffi_set_class_attr("buffer", (PyObject *)&CBuffer_Type) < 0
        || clib_add_rtld_constants(FFI_Type.tp_dict) < 0)
        return -1;
    PyType_Modified(&FFI_Type);
    Py_INCREF(&FFI_Type);
    if (PyModule_AddObject(m, "FFI", (PyObject *)&FFI_Type) < 0) {
        Py_DECREF(&FFI_Type);
        return -1;
    }
    return 0;
}
