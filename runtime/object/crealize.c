/* crealize.c - realization of CType objects from an FFI's type table.
 *
 * ffi_realize_type(ffi, i) turns table type i into a CTypeObject once and
 * keeps it in ffi->realized[i]: primitives are the process-wide ones,
 * pointers/arrays/functions are built from their (realized) components and
 * interned by ctype_obj.c, structs/unions/enums get a new CType named as
 * CFFI names them ("struct foo", the first typedef's name, "struct $N").
 * A struct gets its size at once and its members from a worklist drained
 * when the outermost realization returns, so chains of structs pointing to
 * each other cost no C recursion; opaque records are completed after the
 * cdef() that gives their body.  ABI mode refuses what only a compiler
 * knows (`int...`, partial structs and enums, `[...]` lengths) with CFFI's
 * errors.
 *
 * An FFI of cdef() (cdef_model) follows CFFI's in-line ABI mode, whose
 * cffi/model.py builds a struct's member types, in order, before laying
 * it out, and leaves a struct whose completion raised opaque for good: the
 * first use raises the error, later ones see an opaque struct, and using
 * it by value (member, array item, argument) raises NotImplementedError
 * "recursive structure declaration".  A struct reached through a pointer
 * is finished last there, so its error is raised when the outermost
 * realization returns (deferred_*).  A compiled module's FFI raises the
 * error at each use, as CFFI's realize_c_type does.
 */
#include <Python.h>
#include "config.h"
#include <string.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "object/ctype_obj.h"
#include "cdef/cparse.h"
#include "cdef/layout.h"
#include "table/cmismatch.h"

static int crealize_grow_realized(FFIObject *ffi)
{
    uint32_t n = ffi->table.ntypes;
    if (n <= ffi->nrealized)
        return 0;
    uint32_t cap = ffi->nrealized ? ffi->nrealized : 16;
    while (cap < n)
        cap *= 2;
    CTypeObject **r = PyMem_Realloc(ffi->realized, cap * sizeof *r);
    if (r == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    ffi->realized = r;
    memset(r + ffi->nrealized, 0, (cap - ffi->nrealized) * sizeof *r);
    /* the list of used indices can hold every index: storing never fails */
    uint32_t *used = PyMem_Realloc(ffi->realized_used, cap * sizeof *used);
    if (used == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    ffi->realized_used = used;
    size_t old_bytes = (ffi->nrealized + 7) / 8, bytes = (cap + 7) / 8;
    unsigned char *listed = PyMem_Realloc(ffi->realized_listed, bytes);
    if (listed == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memset(listed + old_bytes, 0, bytes - old_bytes);
    ffi->realized_listed = listed;
    ffi->nrealized = cap;
    return 0;
}

const char *crealize_str(FFIObject *ffi, uint32_t off)
{
    return cc_table_str(&ffi->table, off);
}

static long crealize_anon_number(FFIObject *ffi, uint32_t index);

/* The name cffi/model.py gives record `index` in its "recursive structure
 * declaration for 'NAME'": the tag, "$" and the typedef name of an
 * anonymous record named by one, else "$N". */
static PyObject *crealize_model_name(FFIObject *ffi, uint32_t index)
{
    const cct_type *ty = &ffi->table.types[index];
    const char *name = ty->name ? crealize_str(ffi, ty->name) : "";
    if (ty->flags & CCT_TF_TYPEDEF_NAMED)
        return PyUnicode_FromFormat("$%s", name);
    if (name[0] != '\0')
        return PyUnicode_FromString(name);
    long n = crealize_anon_number(ffi, index);
    return n < 0 ? NULL : PyUnicode_FromFormat("$%ld", n);
}

/* Type `index` (realized as ct) is used by value (a member, an array item,
 * an argument or result): a broken struct raises CFFI's error.  0 or -1. */
static int crealize_by_value(FFIObject *ffi, CTypeObject *ct, uint32_t index)
{
    if (!(ct->ct_flags & CT_IS_BROKEN))
        return 0;
    PyObject *name = crealize_model_name(ffi, index);
    if (name != NULL) {
        PyErr_Format(PyExc_NotImplementedError,
                     "recursive structure declaration for '%U'", name);
        Py_DECREF(name);
    }
    return -1;
}

/* A struct/union whose completion raised, in an FFI of cdef(): opaque
 * from now on (see the top). */
static void crealize_break(CTypeObject *ct)
{
    ct->ct_flags |= CT_IS_OPAQUE | CT_IS_BROKEN;
    ct->ct_flags &= ~(CT_WITH_VAR_ARRAY | CT_IS_PARTIAL | CT_WITH_ANON_MEMBER
                      | CT_IS_BITFIELD_OWNER);
    ct->ct_size = -1;
    ct->ct_align = 0;
}

/* The realization of the struct pointed to by a pointer type (table index
 * `item`) failed: if that broke the struct, its error waits for the end of
 * the outermost realization (the first one wins) and 1 is returned: the
 * pointer type can be made.  Else 0, the error still set. */
static int crealize_defer_error(FFIObject *ffi, uint32_t item)
{
    if (!ffi->cdef_model || item >= ffi->nrealized || ffi->realized[item] == NULL
        || !(ffi->realized[item]->ct_flags & CT_IS_BROKEN)
        || PyErr_ExceptionMatches(PyExc_MemoryError))
        return 0;
    if (ffi->deferred_type == NULL)
        PyErr_Fetch(&ffi->deferred_type, &ffi->deferred_value, &ffi->deferred_tb);
    else
        PyErr_Clear();
    return 1;
}

/* At the end of the outermost realization: the deferred error, if any,
 * replaces a success (-1) or is dropped after a failure (0). */
static int crealize_raise_deferred(FFIObject *ffi, int failed)
{
    if (ffi->deferred_type == NULL)
        return 0;
    PyObject *t = ffi->deferred_type, *v = ffi->deferred_value, *tb = ffi->deferred_tb;
    ffi->deferred_type = ffi->deferred_value = ffi->deferred_tb = NULL;
    if (failed) {
        Py_DECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
        return 0;
    }
    PyErr_Restore(t, v, tb);
    return -1;
}

static CTypeObject *crealize_realize_primitive(FFIObject *ffi, const cct_type *ty)
{
    if (ty->prim >= CCT_PRIM__COUNT || (cc_prims[ty->prim].flags & CCT_PF_UNKNOWN)) {
        const char *name = ty->name ? crealize_str(ffi, ty->name) : "?";
        const char *text;
        size_t len;
        if (ty->prim == CCT_PRIM_UNKNOWN_FLOAT && ty->name
            && cc_table_layout_mismatch(&ffi->table, name, &text, &len)) {
            /* `typedef double... t` that the compiler found no float or
             * double (table/contract.h, CCC_MF_FLOAT_DOTS): CFFI's ffi.error */
            PyObject *msg = PyUnicode_FromStringAndSize(text, (Py_ssize_t)len);
            if (msg != NULL) {
                PyErr_SetObject(ccm_error, msg);
                Py_DECREF(msg);
            }
            return NULL;
        }
        PyErr_Format(PyExc_NotImplementedError,
                     "%s type '%s' can only be used after compilation",
                     ty->prim == CCT_PRIM_UNKNOWN_FLOAT ? "float" : "integer", name);
        return NULL;
    }
    CTypeObject *ct = ctype_primitive(ty->prim);
    Py_INCREF(ct);
    return ct;
}

/* Function parameters: arrays decay to pointers (functions already are). */
static CTypeObject *crealize_realize_param(FFIObject *ffi, uint32_t index)
{
    CTypeObject *ct = ffi_realize_type(ffi, index);
    if (ct != NULL && crealize_by_value(ffi, ct, index) < 0)
        Py_CLEAR(ct);
    if (ct != NULL && (ct->ct_flags & CT_ARRAY)) {
        CTypeObject *p = ctype_pointer_to(ct->ct_item);
        Py_DECREF(ct);
        return p;
    }
    if (ct != NULL && (ct->ct_flags & CT_VOID)) {
        PyErr_SetString(ccm_CDefError, "'void' is not a valid argument type");
        Py_DECREF(ct);
        return NULL;
    }
    return ct;
}

/* The structs whose members are being filled (crealize_complete_pending_
 * entry), innermost first: a function type of a compiled FFI that takes
 * or returns one of them by value is refused as CFFI refuses it. */
typedef struct crealize_completing {
    CTypeObject *ct;
    struct crealize_completing *next;
} crealize_completing;
static crealize_completing *crealize_completing_top;

static int crealize_complete_if_pending(FFIObject *ffi, CTypeObject *ct);

/* A compiled FFI's function type takes or returns ct by value: as CFFI's
 * realize_c_type, which builds the libffi description of the function at
 * once, the struct (and each struct it holds by value) must be complete:
 * TypeError for an opaque one, RuntimeError for one whose members are
 * still being realized (`struct s { void (*f)(struct s); }`, where CFFI
 * recurses until its depth limit; in an out-of-line ABI module, where
 * CFFI's struct has no size yet, TypeError 'ctype X has incomplete type'
 * or 'invalid result type: X'), TypeError naming the argument `top`
 * for one that holds such a struct (CFFI could not size it).  0 or -1. */
static int crealize_check_call_type(FFIObject *ffi, CTypeObject *ct, int is_result,
                                    CTypeObject *top, int depth)
{
    while (ct->ct_flags & CT_ARRAY)
        ct = ct->ct_item;
    if (!(ct->ct_flags & CT_STRUCT_OR_UNION))
        return 0;
    int again = depth > 1000;
    for (crealize_completing *c = crealize_completing_top; c != NULL; c = c->next)
        again |= c->ct == ct;
    if (again && depth > 0) {
        /* CFFI could not size the argument holding it */
        PyErr_Format(PyExc_TypeError, "ctype '%s' has incomplete type", top->ct_name);
        return -1;
    }
    if (again && ffi->abi_mode) {
        /* an out-of-line ABI module: CFFI lays the struct out at its first
         * use, so here it has no size yet (each use raises the same) */
        PyErr_Format(PyExc_TypeError, is_result ? "invalid result type: '%s'"
                     : "ctype '%s' has incomplete type", ct->ct_name);
        return -1;
    }
    if (again) {
        PyErr_SetString(PyExc_RuntimeError,
            "type-building recursion too deep or infinite.  "
            "This is known to occur e.g. in ``struct s { void(*callable)"
            "(struct s); }''.  Please report if you get this error and "
            "really need support for your case.");
        return -1;
    }
    if (crealize_complete_if_pending(ffi, ct) < 0)
        return -1;
    if ((ct->ct_flags & CT_IS_OPAQUE) || ct->ct_size < 0) {
        if (is_result)
            PyErr_Format(PyExc_TypeError, "result type '%s' is opaque", ct->ct_name);
        else
            PyErr_Format(PyExc_TypeError, "ctype '%s' has incomplete type", ct->ct_name);
        return -1;
    }
    /* a struct the compiler lays out empty (gcc's `struct z { };`): as
     * CFFI's libffi description, before it needs the members */
    if (ct->ct_size == 0) {
        PyErr_Format(PyExc_TypeError, "ctype '%s' has size 0", ct->ct_name);
        return -1;
    }
    /* the members failed to realize */
    if (ctype_check_members(ct) < 0)
        return -1;
    /* CFFI stops at what libffi cannot describe (raised at the call) */
    if (ct->ct_flags & (CT_IS_BITFIELD_OWNER | CT_IS_PARTIAL | CT_WITH_ANON_MEMBER))
        return 0;
    for (CFieldObject *f = ct->ct_first_field; f != NULL; f = f->cf_next)
        if (crealize_check_call_type(ffi, f->cf_type, 0, top, depth + 1) < 0)
            return -1;
    return 0;
}

/* The function types of a compiled FFI are checked as CFFI's libffi
 * description checks them (crealize_check_call_type) unless `check` is 0
 * (ffi_realize_lib_function). */
static CTypeObject *crealize_realize_function(FFIObject *ffi, const cct_type *ty, int check)
{
    check = check && !ffi->cdef_model;
    CTypeObject *result = ffi_realize_type(ffi, ty->item);
    if (result == NULL)
        return NULL;
    if (crealize_by_value(ffi, result, ty->item) < 0
        || (check && crealize_check_call_type(ffi, result, 1, result, 0) < 0)) {
        Py_DECREF(result);
        return NULL;
    }
    PyObject *args = PyTuple_New(ty->count);
    if (args == NULL) {
        Py_DECREF(result);
        return NULL;
    }
    for (uint32_t i = 0; i < ty->count; i++) {
        uint32_t aidx = ffi->table.args[ty->first + i];
        CTypeObject *a = crealize_realize_param(ffi, aidx);
        if (a == NULL) {
            Py_DECREF(args);
            Py_DECREF(result);
            return NULL;
        }
        PyTuple_SET_ITEM(args, i, (PyObject *)a);
    }
    for (uint32_t i = 0; check && i < ty->count; i++)
        if (crealize_check_call_type(ffi, (CTypeObject *)PyTuple_GET_ITEM(args, i), 0,
                                     (CTypeObject *)PyTuple_GET_ITEM(args, i), 0) < 0) {
            Py_DECREF(args);
            Py_DECREF(result);
            return NULL;
        }
    CTypeObject *ct = ctype_function(result, args, (ty->flags & CCT_TF_VARIADIC) != 0);
    Py_DECREF(args);
    Py_DECREF(result);
    return ct;
}

/* An array length of a cdef that no array can have (cparse.h): CFFI's
 * exception when the type is used. */
static void crealize_bad_length(uint64_t length)
{
    if (length == CC_ARRAY_LENGTH_HUGE)
        PyErr_SetString(PyExc_OverflowError,
                        "cannot fit 'int' into an index-sized integer");
    else
        PyErr_SetString(PyExc_ValueError, "negative array length");
}

static CTypeObject *crealize_realize_array(FFIObject *ffi, const cct_type *ty)
{
    if ((ty->flags & CCT_TF_LENGTH_DOTS) && ffi->abi_mode) {
        PyErr_SetString(ccm_CDefError,
                        "cannot render an array of length '...' in ABI mode: "
                        "the length is only known after compilation");
        return NULL;
    }
    CTypeObject *item = ffi_realize_type(ffi, ty->item);
    if (item == NULL)
        return NULL;
    if (crealize_by_value(ffi, item, ty->item) < 0) {
        Py_DECREF(item);
        return NULL;
    }
    if (!(ty->flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS))
        && ty->length > (uint64_t)PY_SSIZE_T_MAX) {
        /* a cdef's `T x[-1]` or `T x[1ULL << 63]`: accepted there,
         * refused at use, as CFFI */
        Py_DECREF(item);
        crealize_bad_length(ty->length);
        return NULL;
    }
    Py_ssize_t length = (ty->flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS))
                        ? -1 : (Py_ssize_t)ty->length;
    CTypeObject *ct = ctype_array_of(item, length);
    Py_DECREF(item);
    return ct;
}

/* Indexes the typedefs declared since the last call: type -> first name. */
static int crealize_index_typedefs(FFIObject *ffi)
{
    for (; ffi->typedef_names_ndecls < ffi->table.ndecls; ffi->typedef_names_ndecls++) {
        cct_decl d = ffi->table.decls[ffi->typedef_names_ndecls];
        if (d.kind != CCT_DECL_TYPEDEF)
            continue;
        PyObject *key = PyLong_FromUnsignedLong(d.type);
        if (key == NULL)
            return -1;
        int has = PyDict_Contains(ffi->typedef_names, key);
        PyObject *name = has == 0 ? PyUnicode_FromString(crealize_str(ffi, d.name)) : NULL;
        int rc = has < 0 ? -1 : has ? 0 : name ? PyDict_SetItem(ffi->typedef_names, key, name) : -1;
        Py_DECREF(key);
        Py_XDECREF(name);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* The N of an anonymous record's "struct $N": anonymous records (not
 * named by a typedef) numbered from 1 in the order of the table, which is
 * the order of the cdef text, as CFFI numbers them.  -1 on error. */
static long crealize_anon_number(FFIObject *ffi, uint32_t index)
{
    for (; ffi->anon_ntypes < ffi->table.ntypes; ffi->anon_ntypes++) {
        const cct_type *t = &ffi->table.types[ffi->anon_ntypes];
        if ((t->kind != CCT_KIND_STRUCT && t->kind != CCT_KIND_UNION
             && t->kind != CCT_KIND_ENUM)
            || t->name != 0 || (t->flags & CCT_TF_TYPEDEF_NAMED))
            continue;
        PyObject *key = PyLong_FromUnsignedLong(ffi->anon_ntypes);
        PyObject *num = PyLong_FromUnsignedLong(++ffi->anon_count);
        int rc = (key && num) ? PyDict_SetItem(ffi->anon_numbers, key, num) : -1;
        Py_XDECREF(key);
        Py_XDECREF(num);
        if (rc < 0)
            return -1;
    }
    PyObject *key = PyLong_FromUnsignedLong(index);
    if (key == NULL)
        return -1;
    PyObject *num = PyDict_GetItemWithError(ffi->anon_numbers, key);
    Py_DECREF(key);
    if (num == NULL)
        return PyErr_Occurred() ? -1 : (long)index;
    return PyLong_AsLong(num);
}

/* "struct foo", "union $3", or the typedef name of an anonymous one.  In
 * an FFI of cdef(), as cffi/model.py names them: a tagged struct or union
 * after its first direct typedef, a tagged enum only when a direct typedef
 * mentions it first (`typedef enum e t;`, CCT_TF_ENUM_TYPEDEF_FIRST).  A
 * compiled module's tagged records keep their tag, as CFFI's recompiler
 * names them. */
static PyObject *crealize_record_name(FFIObject *ffi, const cct_type *ty, uint32_t index)
{
    int tagged = ty->name != 0 && !(ty->flags & CCT_TF_TYPEDEF_NAMED);
    int by_typedef = !tagged
                     || (ffi->cdef_model
                         && (ty->kind != CCT_KIND_ENUM
                             || (ty->flags & CCT_TF_ENUM_TYPEDEF_FIRST)));
    if (by_typedef && crealize_index_typedefs(ffi) < 0)
        return NULL;
    PyObject *key = PyLong_FromUnsignedLong(index);
    if (key == NULL)
        return NULL;
    PyObject *tdname = by_typedef ? PyDict_GetItemWithError(ffi->typedef_names, key) : NULL;
    Py_DECREF(key);
    if (tdname != NULL) {
        Py_INCREF(tdname);
        return tdname;
    }
    if (PyErr_Occurred())
        return NULL;
    const char *kw = ty->kind == CCT_KIND_STRUCT ? "struct"
                   : ty->kind == CCT_KIND_UNION ? "union" : "enum";
    const char *name = ty->name ? crealize_str(ffi, ty->name) : "";
    if (ty->flags & CCT_TF_TYPEDEF_NAMED)
        return PyUnicode_FromString(name);
    if (name[0] == '\0') {
        long n = crealize_anon_number(ffi, index);
        return n < 0 ? NULL : PyUnicode_FromFormat("%s $%ld", kw, n);
    }
    return PyUnicode_FromFormat("%s %s", kw, name);
}

/* Appends (name, CField) pairs of one member to `out`, flattening anonymous
 * struct/union members with their offset added. */
static int crealize_add_member(FFIObject *ffi, PyObject *out, PyObject *name, CTypeObject *ft,
                          Py_ssize_t offset, int bitshift, int bitsize,
                          unsigned char flags)
{
    /* an unnamed plain member (CFFI's `int :-1;`) stays, named "" */
    if (PyUnicode_GET_LENGTH(name) == 0
        && (bitsize >= 0 || (ft->ct_flags & CT_STRUCT_OR_UNION))) {
        if ((ft->ct_flags & CT_STRUCT_OR_UNION) && crealize_complete_if_pending(ffi, ft) < 0)
            return -1;
        if (!(ft->ct_flags & CT_STRUCT_OR_UNION) || ft->ct_field_list == NULL)
            return 0;  /* unnamed bitfield: padding only */
        PyObject *inner = ft->ct_field_list;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(inner); i++) {
            PyObject *pair = PyList_GET_ITEM(inner, i);
            CFieldObject *f = (CFieldObject *)PyTuple_GET_ITEM(pair, 1);
            if (crealize_add_member(ffi, out, PyTuple_GET_ITEM(pair, 0), f->cf_type,
                               offset + f->cf_offset, f->cf_bitshift, f->cf_bitsize,
                               (unsigned char)(f->cf_flags | flags)) < 0)
                return -1;
        }
        return 0;
    }
    CFieldObject *f = cfield_new(ft, offset, bitshift, bitsize);
    if (f == NULL)
        return -1;
    f->cf_flags = flags;
    PyObject *pair = PyTuple_Pack(2, name, (PyObject *)f);
    Py_DECREF(f);
    if (pair == NULL)
        return -1;
    int rc = PyList_Append(out, pair);
    Py_DECREF(pair);
    return rc;
}

/* CFFI refuses a bitfield of a packed struct (packed=True or pack=N) that
 * starts inside a byte and does not fit in its (packed-aligned) unit,
 * where gcc, whose layout the engine computed, lets it share that byte
 * with the previous field.  -1 with CFFI's NotImplementedError. */
static int crealize_packed_bitfields(FFIObject *ffi, CTypeObject *ct,
                                     const cct_type *ty)
{
    if (ty->kind != CCT_KIND_STRUCT)
        return 0;
    for (uint32_t i = 0; i < ty->count; i++) {
        const cct_field *f = &ffi->table.fields[ty->first + i];
        const cct_type *ft = &ffi->table.types[f->type];
        if (f->bitsize <= 0 || ft->kind == CCT_KIND_STRUCT
            || ft->kind == CCT_KIND_UNION || ft->prim >= CCT_PRIM__COUNT)
            continue;
        uint64_t size = cc_prims[ft->prim].size, align = cc_prims[ft->prim].align;
        uint64_t unit = (ty->length != 0 && ty->length < align ? ty->length : align) * 8;
        uint64_t pos = f->offset * 8 + (uint64_t)f->bitshift;
        uint64_t used = pos % unit;
        if ((used & 7) != 0 && used + (uint64_t)f->bitsize > size * 8) {
            PyErr_Format(PyExc_NotImplementedError, "with 'packed', gcc would "
                         "compile field '%s.%s' to reuse some bits in the "
                         "previous field", ct->ct_name, crealize_str(ffi, f->name));
            return -1;
        }
    }
    return 0;
}

/* Is struct/union `index` partial for ABI mode?  Declared with `...;`, or,
 * in an FFI of cdef(), as cffi/cparser.py also makes it partial: a member
 * array with a `[...]` length, or a member struct (not union) that is
 * partial. */
static int crealize_partial(FFIObject *ffi, uint32_t index, int depth)
{
    const cct_type *ty = &ffi->table.types[index];
    if (ty->flags & CCT_TF_PARTIAL)
        return 1;
    if (!ffi->cdef_model || depth > 64 || (ty->flags & CCT_TF_OPAQUE)
        || (ty->kind != CCT_KIND_STRUCT && ty->kind != CCT_KIND_UNION))
        return 0;
    for (uint32_t i = 0; i < ty->count; i++) {
        uint32_t t = ffi->table.fields[ty->first + i].type;
        if (ffi->table.types[t].kind == CCT_KIND_STRUCT
            && crealize_partial(ffi, t, depth + 1))
            return 1;
        for (uint32_t steps = 0; steps < ffi->table.ntypes
             && ffi->table.types[t].kind == CCT_KIND_ARRAY; steps++) {
            if (ffi->table.types[t].flags & CCT_TF_LENGTH_DOTS)
                return 1;
            t = ffi->table.types[t].item;
        }
    }
    return 0;
}

/* The record of struct/union `index` once it can be used: laid out (by the
 * layout engine if not yet), and not partial in ABI mode, where CFFI
 * raises VerificationMissing.  0, or -1 with an exception. */
static int crealize_laid_out(FFIObject *ffi, CTypeObject *ct, uint32_t index,
                             cct_type *ty)
{
    *ty = ffi->table.types[index];
    if (ffi->abi_mode && crealize_partial(ffi, index, 0)) {
        PyErr_Format(ccm_VerificationMissing, "%s", ct->ct_name);
        return -1;
    }
    if (!(ty->flags & CCT_TF_LAYOUT_KNOWN)) {
        cc_error err = {0};
        if (cc_layout_record(&ffi->table, index, &err) < 0)
            return ccm_raise_error(&err);
        *ty = ffi->table.types[index];
    }
    if ((ty->flags & CCT_TF_PACKED) && ffi->abi_mode
        && crealize_packed_bitfields(ffi, ct, ty) < 0)
        return -1;
    return 0;
}

/* Does struct/union `index` of the table end in a flexible array member,
 * or hold (at any depth) a struct that does?  Read from the table: the
 * member's CType may not be complete yet. */
static int crealize_has_var_array(const cc_table *t, uint32_t index, int depth)
{
    const cct_type *ty = &t->types[index];
    if (ty->flags & CCT_TF_FLEXIBLE)
        return 1;
    if (depth > 64 || (ty->flags & CCT_TF_OPAQUE))
        return 0;
    for (uint32_t i = 0; i < ty->count; i++) {
        uint32_t ft = t->fields[ty->first + i].type;
        if ((t->types[ft].kind == CCT_KIND_STRUCT || t->types[ft].kind == CCT_KIND_UNION)
            && crealize_has_var_array(t, ft, depth + 1))
            return 1;
    }
    return 0;
}

/* A struct/union whose cdef the compiler contradicts (a "$mismatch"
 * record, table/cmismatch.h) keeps the compiler's layout and raises CFFI's
 * ffi.error where CFFI would first need its fields. */
static int crealize_note_layout_mismatch(FFIObject *ffi, CTypeObject *ct)
{
    const char *text;
    size_t len;
    if (!cc_table_layout_mismatch(&ffi->table, ct->ct_name, &text, &len))
        return 0;
    char message[1024];
    if (cc_layout_mismatch_message(text, len, ct->ct_name, CC_LAYOUT_AT_USE,
                                   message, sizeof message) <= 0)
        return 0;
    PyObject *msg = PyUnicode_FromString(message);
    if (msg == NULL)
        return -1;
    Py_XSETREF(ct->ct_layout_error, msg);
    return 0;
}

/* Fills a realized struct/union from its (complete) table record. */
static int crealize_complete_struct(FFIObject *ffi, CTypeObject *ct, uint32_t index)
{
    cct_type ty;
    if (crealize_laid_out(ffi, ct, index, &ty) < 0)
        return -1;
    PyObject *fields = PyList_New(0);
    if (fields == NULL)
        return -1;
    uint32_t extra = 0;
    for (uint32_t i = 0; i < ty.count; i++) {
        cct_field fd = ffi->table.fields[ty.first + i];
        CTypeObject *ft = ffi_realize_type(ffi, fd.type);
        if (ft == NULL)
            goto error;
        if ((ft->ct_flags & CT_ARRAY) && ft->ct_length < 0 && i + 1 == ty.count)
            extra |= CT_WITH_VAR_ARRAY;
        /* a struct ending (or, as gcc allows, not ending) in a struct with a
         * flexible array member is sized from its initializer too, as CFFI */
        if ((ft->ct_flags & CT_STRUCT_OR_UNION)
            && crealize_has_var_array(&ffi->table, fd.type, 0))
            extra |= CT_WITH_VAR_ARRAY;
        if (crealize_str(ffi, fd.name)[0] == '\0' && (ft->ct_flags & CT_STRUCT_OR_UNION))
            extra |= CT_WITH_ANON_MEMBER;
        PyObject *name = PyUnicode_FromString(crealize_str(ffi, fd.name));
        /* positional initializers fill a union's first member only */
        unsigned char flags = ty.kind == CCT_KIND_UNION && i > 0
                              ? CF_IGNORE_IN_CTOR : 0;
        int rc = name ? crealize_add_member(ffi, fields, name, ft, (Py_ssize_t)fd.offset,
                                       fd.bitshift, fd.bitsize, flags) : -1;
        Py_XDECREF(name);
        Py_DECREF(ft);
        if (rc < 0)
            goto error;
    }
    if (ty.flags & CCT_TF_FLEXIBLE)
        extra |= CT_WITH_VAR_ARRAY;
    if (ty.flags & CCT_TF_PARTIAL)
        extra |= CT_IS_PARTIAL;
    int rc = ctype_complete_struct(ct, fields, (Py_ssize_t)ty.size, ty.align, extra);
    Py_DECREF(fields);
    if (rc == 0)
        rc = crealize_note_layout_mismatch(ffi, ct);
    return rc;
error:
    Py_DECREF(fields);
    return -1;
}

static int crealize_complete_enum(FFIObject *ffi, CTypeObject *ct, uint32_t index)
{
    cct_type ty = ffi->table.types[index];
    if ((ty.flags & CCT_TF_PARTIAL) && ffi->abi_mode) {
        PyErr_Format(ccm_VerificationMissing, "%s", ct->ct_name);
        return -1;
    }
    PyObject *names = PyList_New(0), *values = PyList_New(0);
    if (names == NULL || values == NULL)
        goto error;
    int is_signed = (cc_prims[ty.prim].flags & CCT_PF_SIGNED) != 0;
    for (uint32_t i = 0; i < ty.count; i++) {
        cct_enumerator e = ffi->table.enums[ty.first + i];
        if ((e.flags & CCT_EF_DOTS_VALUE) && ffi->abi_mode) {
            PyErr_Format(ccm_VerificationMissing, "%s", ct->ct_name);
            goto error;
        }
        PyObject *n = PyUnicode_FromString(crealize_str(ffi, e.name));
        PyObject *v = is_signed ? PyLong_FromLongLong((long long)e.value)
                                : PyLong_FromUnsignedLongLong(e.value);
        int rc = (n && v) ? (PyList_Append(names, n) | PyList_Append(values, v)) : -1;
        Py_XDECREF(n);
        Py_XDECREF(v);
        if (rc < 0)
            goto error;
    }
    int rc = ctype_complete_enum(ct, ty.prim, names, values);
    Py_DECREF(names);
    Py_DECREF(values);
    return rc;
error:
    Py_XDECREF(names);
    Py_XDECREF(values);
    return -1;
}

/* Remembers an opaque record so that a later cdef() body completes it. */
static int crealize_note_incomplete(FFIObject *ffi, CTypeObject *ct, uint32_t index)
{
    PyObject *entry = Py_BuildValue("(IO)", index, (PyObject *)ct);
    if (entry == NULL)
        return -1;
    int rc = PyList_Append(ffi->incomplete, entry);
    Py_DECREF(entry);
    return rc;
}

/* The record of included `inc` that matches anonymous record `index` of
 * ffi: one that a typedef reaches through pointers and arrays (`typedef
 * struct {...} *foo_p;`), found through inc's typedef of the same name by
 * the same steps; UINT32_MAX if none. */
static uint32_t crealize_anon_in_included(FFIObject *ffi, uint32_t index, FFIObject *inc)
{
    const cc_table *a = &ffi->table, *b = &inc->table;
    for (uint32_t k = 0; k < a->ndecls; k++) {
        uint32_t t = a->decls[k].type, u, ref;
        if (a->decls[k].kind != CCT_DECL_TYPEDEF || t >= a->ntypes)
            continue;
        for (uint32_t n = 0; t != index && n < a->ntypes
             && (a->types[t].kind == CCT_KIND_POINTER || a->types[t].kind == CCT_KIND_ARRAY); n++)
            t = a->types[t].item;
        const char *name = crealize_str(ffi, a->decls[k].name);
        if (t != index
            || cc_table_lookup(b, CC_NS_ORDINARY, name, strlen(name), &ref) != 1
            || (ref & CC_REF_ENUMERATOR) || b->decls[ref].kind != CCT_DECL_TYPEDEF)
            continue;
        t = a->decls[k].type;
        u = b->decls[ref].type;
        for (uint32_t n = 0; t != index && u < b->ntypes && n < a->ntypes
             && b->types[u].kind == a->types[t].kind; n++) {
            t = a->types[t].item;
            u = b->types[u].item;
        }
        if (t == index && u < b->ntypes && b->types[u].kind == a->types[t].kind
            && b->types[u].name == 0)
            return u;
    }
    return UINT32_MAX;
}

/* The CType an included FFI has for the same struct/union/enum, so that
 * ffi.include() shares types as CFFI does (new reference), or NULL with no
 * exception when none applies. */
static CTypeObject *crealize_shared_record(FFIObject *ffi, const cct_type *ty, uint32_t index)
{
    if (ty->name == 0) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(ffi->included); i++) {
            FFIObject *inc = (FFIObject *)PyList_GET_ITEM(ffi->included, i);
            uint32_t u = crealize_anon_in_included(ffi, index, inc);
            if (u != UINT32_MAX)
                return ffi_realize_type(inc, u);
        }
        return NULL;
    }
    const char *name = crealize_str(ffi, ty->name);
    int ns = (ty->flags & CCT_TF_TYPEDEF_NAMED) ? CC_NS_ORDINARY : CC_NS_TAG;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(ffi->included); i++) {
        FFIObject *inc = (FFIObject *)PyList_GET_ITEM(ffi->included, i);
        uint32_t ref;
        if (cc_table_lookup(&inc->table, ns, name, strlen(name), &ref) != 1
            || (ref & CC_REF_ENUMERATOR))
            continue;
        cct_decl d = inc->table.decls[ref];
        if ((d.kind != CCT_DECL_TAG && d.kind != CCT_DECL_TYPEDEF)
            || d.type >= inc->table.ntypes)
            continue;
        const cct_type *other = &inc->table.types[d.type];
        if (other->kind != ty->kind)
            continue;
        if ((other->flags & CCT_TF_OPAQUE) && !(ty->flags & CCT_TF_OPAQUE)) {
            if (ffi->abi_mode || ty->kind == CCT_KIND_ENUM)
                continue;
            /* a compiled module cannot complete an included opaque struct
             * or union (CFFI's realize_c_type.c refuses it too) */
            const char *kw = ty->kind == CCT_KIND_UNION ? "union" : "struct";
            PyErr_Format(PyExc_NotImplementedError,
                         "'%s %.200s' is opaque in the ffi.include(), but no "
                         "longer in the ffi doing the include (workaround: "
                         "don't use ffi.include() but duplicate the "
                         "declarations of everything using %s %.200s)",
                         kw, name, kw, name);
            return NULL;
        }
        return ffi_realize_type(inc, d.type);
    }
    return NULL;
}

/* The structs whose members crealize_members_first is realizing (an FFI
 * of cdef()), innermost first: meeting one again by value is a struct
 * holding itself. */
typedef struct crealize_scheduling {
    uint32_t index;
    struct crealize_scheduling *up;
} crealize_scheduling;
static crealize_scheduling *crealize_scheduling_top;

/* The member types of struct/union `index` that cffi/model.py builds
 * before laying it out, in order: a struct, union or enum (or an array of
 * one, or of a primitive) is realized, so that its error comes first, as
 * does an array's negative length.  Pointers wait for the worklist, so
 * that chains of structs do not recurse. */
static int crealize_members_first(FFIObject *ffi, uint32_t index)
{
    uint32_t first = ffi->table.types[index].first;
    uint32_t count = ffi->table.types[index].count;
    for (uint32_t i = 0; i < count; i++) {
        const cct_field *f = &ffi->table.fields[first + i];
        if (f->bitsize == INT16_MAX && f->offset != 0
            && ((int64_t)f->offset > INT32_MAX || (int64_t)f->offset < INT32_MIN)) {
            /* a width beyond a C int (cparse.c keeps it in offset) */
            PyErr_SetString(PyExc_OverflowError, (int64_t)f->offset > 0
                            ? "signed integer is greater than maximum"
                            : "signed integer is less than minimum");
            return -1;
        }
        uint32_t t = f->type, inner = t;
        for (uint32_t steps = 0; steps < ffi->table.ntypes
             && ffi->table.types[inner].kind == CCT_KIND_ARRAY; steps++)
            inner = ffi->table.types[inner].item;
        uint8_t kind = ffi->table.types[inner].kind;
        /* a struct holding (through its members) itself by value, as
         * cffi/model.py raises it: the struct met again is named */
        for (crealize_scheduling *o = crealize_scheduling_top; o != NULL; o = o->up)
            if (o->index == inner) {
                PyObject *name = crealize_model_name(ffi, inner);
                if (name != NULL) {
                    PyErr_Format(PyExc_NotImplementedError,
                                 "recursive structure declaration for '%U'", name);
                    Py_DECREF(name);
                }
                return -1;
            }
        if (kind == CCT_KIND_STRUCT || kind == CCT_KIND_UNION
            || kind == CCT_KIND_ENUM || kind == CCT_KIND_PRIMITIVE) {
            if (kind == CCT_KIND_PRIMITIVE && t == inner)
                continue;
            CTypeObject *m = ffi_realize_type(ffi, t);
            if (m == NULL)
                return -1;
            int rc = crealize_by_value(ffi, m, t);
            Py_DECREF(m);
            if (rc < 0)
                return -1;
            continue;
        }
        for (uint32_t a = t, steps = 0; steps < ffi->table.ntypes
             && ffi->table.types[a].kind == CCT_KIND_ARRAY; steps++) {
            const cct_type *at = &ffi->table.types[a];
            if (!(at->flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS))
                && at->length > (uint64_t)PY_SSIZE_T_MAX) {
                crealize_bad_length(at->length);
                return -1;
            }
            a = at->item;
        }
    }
    return 0;
}

/* A struct/union with a body: its size and alignment now (laying it out
 * if the layout engine has not yet), its members when the worklist is
 * drained.  In an FFI of cdef(), a failure (other than a partial struct's
 * VerificationMissing, raised at each use) breaks it. */
static int crealize_schedule_struct(FFIObject *ffi, CTypeObject *ct, uint32_t index)
{
    cct_type ty;
    int model = ffi->cdef_model
                && !(ffi->abi_mode && crealize_partial(ffi, index, 0));
    crealize_scheduling me = { index, crealize_scheduling_top };
    crealize_scheduling_top = &me;
    int rc = model ? crealize_members_first(ffi, index) : 0;
    crealize_scheduling_top = me.up;
    if (rc == 0)
        rc = crealize_laid_out(ffi, ct, index, &ty);
    if (rc < 0) {
        if (model && !PyErr_ExceptionMatches(PyExc_MemoryError))
            crealize_break(ct);
        return -1;
    }
    ct->ct_size = (Py_ssize_t)ty.size;
    ct->ct_align = ty.align;
    ct->ct_flags &= ~CT_IS_OPAQUE;
    PyObject *entry = Py_BuildValue("(IO)", index, (PyObject *)ct);
    if (entry == NULL)
        return -1;
    rc = PyList_Append(ffi->pending, entry);
    Py_DECREF(entry);
    return rc;
}

/* Is `t`, or what it points to or holds items of, in the list `gone`? */
static int crealize_is_gone(PyObject *gone, CTypeObject *t)
{
    for (int steps = 0; t != NULL && steps < 1000; steps++) {
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(gone); k++)
            if (PyList_GET_ITEM(gone, k) == (PyObject *)t)
                return 1;
        if (!(t->ct_flags & (CT_POINTER | CT_ARRAY)))
            return 0;
        t = t->ct_item;
    }
    return 0;
}

/* Does realized type r use (point to, hold, take, return) a gone type? */
static int crealize_uses_gone(PyObject *gone, CTypeObject *r)
{
    if (crealize_is_gone(gone, r))
        return 1;
    if (r->ct_flags & CT_STRUCT_OR_UNION) {
        for (CFieldObject *f = r->ct_first_field; f != NULL; f = f->cf_next)
            if (crealize_is_gone(gone, f->cf_type))
                return 1;
    } else if ((r->ct_flags & CT_FUNCTIONPTR) && r->ct_args != NULL) {
        if (crealize_is_gone(gone, r->ct_item))
            return 1;
        for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(r->ct_args); k++)
            if (crealize_is_gone(gone, (CTypeObject *)PyTuple_GET_ITEM(r->ct_args, k)))
                return 1;
    }
    return 0;
}

/* Forgets the realized types built on `gone` (a struct forgotten below)
 * and those built on them, so that "struct s *" or a struct holding it
 * raises again too instead of using a struct without members. */
static void crealize_forget_users(FFIObject *ffi, CTypeObject *gone_ct)
{
    PyObject *et, *ev, *etb;
    PyErr_Fetch(&et, &ev, &etb);   /* the error being raised stays */
    PyObject *gone = PyList_New(0);
    if (gone == NULL || PyList_Append(gone, (PyObject *)gone_ct) < 0) {
        Py_XDECREF(gone);
        PyErr_Clear();
        PyErr_Restore(et, ev, etb);
        return;
    }
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t i = 0; i < ffi->nrealized; i++) {
            CTypeObject *r = ffi->realized[i];
            if (r == NULL || !crealize_uses_gone(gone, r))
                continue;
            if (PyList_Append(gone, (PyObject *)r) < 0) {
                PyErr_Clear();
                continue;
            }
            ffi_store_realized(ffi, i, NULL);
            Py_DECREF(r);
            changed = 1;
        }
    }
    Py_DECREF(gone);
    PyErr_Restore(et, ev, etb);
}

/* A struct of an API-mode module whose members failed to realize
 * (`struct s { int (*f)(struct s); }`): CFFI's stays lazy, so naming it
 * works and each use that needs its members or size raises that error
 * again.  Here it keeps its compiled size, gets no members and keeps the
 * error (ct_layout_error, ctype_check_layout).  0 with the error cleared,
 * or -1 with it still set. */
static int crealize_fail_lazily(CTypeObject *ct)
{
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    PyObject *args = v != NULL ? PyObject_GetAttrString(v, "args") : NULL;
    PyObject *err = args != NULL && PyTuple_Check(args) ? PyTuple_Pack(2, t, args) : NULL;
    PyObject *fields = err != NULL ? PyList_New(0) : NULL;
    Py_XDECREF(args);
    if (fields == NULL
        || ctype_complete_struct(ct, fields, ct->ct_size, ct->ct_align, 0) < 0) {
        Py_XDECREF(fields);
        Py_XDECREF(err);
        PyErr_Clear();
        PyErr_Restore(t, v, tb);
        return -1;
    }
    Py_DECREF(fields);
    Py_XSETREF(ct->ct_layout_error, err);
    Py_DECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    return 0;
}

/* Fills the members of the worklist's entry i, removing it first. */
static int crealize_complete_pending_entry(FFIObject *ffi, Py_ssize_t i)
{
    PyObject *entry = PyList_GET_ITEM(ffi->pending, i);
    Py_INCREF(entry);
    if (PyList_SetSlice(ffi->pending, i, i + 1, NULL) < 0) {
        Py_DECREF(entry);
        return -1;
    }
    uint32_t index = (uint32_t)PyLong_AsUnsignedLong(PyTuple_GET_ITEM(entry, 0));
    CTypeObject *ct = (CTypeObject *)PyTuple_GET_ITEM(entry, 1);
    crealize_completing me = { ct, crealize_completing_top };
    crealize_completing_top = &me;
    int rc = crealize_complete_struct(ffi, ct, index);
    crealize_completing_top = me.next;
    /* out of memory: back on the worklist, so the next realization (of
     * "struct s *" too, which this failed call may have realized around
     * it) completes it, instead of leaving a struct without members */
    if (rc < 0 && PyErr_ExceptionMatches(PyExc_MemoryError)
        && index < ffi->nrealized && ffi->realized[index] == ct
        && PyList_Append(ffi->pending, entry) == 0) {
        Py_DECREF(entry);
        return rc;
    }
    if (rc < 0 && ffi->cdef_model && index < ffi->nrealized
        && ffi->realized[index] == ct) {
        crealize_break(ct);
    } else if (rc < 0 && !ffi->abi_mode && index < ffi->nrealized
               && !PyErr_ExceptionMatches(PyExc_MemoryError)
               && ffi->realized[index] == ct && crealize_fail_lazily(ct) == 0) {
        rc = 0;
    } else if (rc < 0 && index < ffi->nrealized && ffi->realized[index] == ct) {
        /* unusable: forgotten, so that naming it again raises again */
        ct->ct_flags |= CT_IS_OPAQUE;
        ct->ct_size = -1;
        ffi_store_realized(ffi, index, NULL);
        crealize_forget_users(ffi, ct);
        Py_DECREF(ct);
    }
    Py_DECREF(entry);
    return rc;
}

static int crealize_complete_if_pending(FFIObject *ffi, CTypeObject *ct)
{
    for (Py_ssize_t i = PyList_GET_SIZE(ffi->pending) - 1; i >= 0; i--)
        if (PyTuple_GET_ITEM(PyList_GET_ITEM(ffi->pending, i), 1) == (PyObject *)ct)
            return crealize_complete_pending_entry(ffi, i);
    return 0;
}

/* Completes every scheduled struct, iteratively (members may schedule more). */
static int crealize_drain_pending(FFIObject *ffi)
{
    int rc = 0;
    ffi->realize_depth++;
    while (rc == 0 && PyList_GET_SIZE(ffi->pending) > 0)
        rc = crealize_complete_pending_entry(ffi, PyList_GET_SIZE(ffi->pending) - 1);
    ffi->realize_depth--;
    return rc;
}

/* The predefined opaque FILE is one type for the whole process, as in
 * CFFI (FFI().typeof("FILE *") is FFI().typeof("FILE *")).  In a compiled
 * module's table the compiler spells FILE as glibc's 'struct _IO_FILE';
 * CFFI realizes that struct as the same opaque FILE, so that a FILE * from
 * one module is accepted by another and a Python file converts to it. */
static CTypeObject *crealize_file_type;

static int crealize_is_predefined_file(FFIObject *ffi, const cct_type *ty)
{
    if (ty->kind != CCT_KIND_STRUCT || ty->name == 0)
        return 0;
    const char *name = crealize_str(ffi, ty->name);
    if (ty->flags & CCT_TF_TYPEDEF_NAMED)
        return (ty->flags & CCT_TF_OPAQUE) && strcmp(name, "FILE") == 0;
    return !ffi->abi_mode && strcmp(name, "_IO_FILE") == 0;
}

static CTypeObject *crealize_realize_record(FFIObject *ffi, const cct_type *ty, uint32_t index)
{
    if (crealize_is_predefined_file(ffi, ty)) {
        if (crealize_file_type == NULL
            && (crealize_file_type = ctype_new_named(CT_STRUCT | CT_IS_FILE, "FILE")) == NULL)
            return NULL;
        Py_INCREF(crealize_file_type);
        Py_INCREF(crealize_file_type);
        ffi_store_realized(ffi, index, crealize_file_type);
        return crealize_file_type;
    }
    CTypeObject *shared = crealize_shared_record(ffi, ty, index);
    if (shared != NULL) {
        Py_INCREF(shared);
        ffi_store_realized(ffi, index, shared);
        return shared;
    }
    if (PyErr_Occurred())
        return NULL;
    PyObject *name = crealize_record_name(ffi, ty, index);
    if (name == NULL)
        return NULL;
    uint32_t flags = ty->kind == CCT_KIND_STRUCT ? CT_STRUCT
                   : ty->kind == CCT_KIND_UNION ? CT_UNION
                   : (CT_IS_ENUM | CT_PRIMITIVE_SIGNED);
    CTypeObject *ct = ctype_new_named(flags, PyUnicode_AsUTF8(name));
    Py_DECREF(name);
    if (ct == NULL)
        return NULL;
    /* registered before the members: a member may point back to us */
    Py_INCREF(ct);
    ffi_store_realized(ffi, index, ct);
    int rc;
    if ((ty->flags & CCT_TF_OPAQUE) && ty->kind == CCT_KIND_ENUM) {
        /* `enum foo;` never gets values later (CFFI refuses that): as
         * CFFI, it is an unsigned int, with a warning */
        rc = PyErr_WarnFormat(PyExc_UserWarning, 1,
                              "'%s' has no values explicitly defined; "
                              "guessing that it is equivalent to "
                              "'unsigned int'", ct->ct_name);
        if (rc == 0)
            rc = crealize_complete_enum(ffi, ct, index);
    } else if (ty->flags & CCT_TF_OPAQUE) {
        rc = crealize_note_incomplete(ffi, ct, index);
    } else if (ty->kind == CCT_KIND_ENUM)
        rc = crealize_complete_enum(ffi, ct, index);
    else
        rc = crealize_schedule_struct(ffi, ct, index);
    if (rc < 0) {
        /* a broken struct stays in realized[] (opaque for good) */
        if (!(ct->ct_flags & CT_IS_BROKEN)) {
            ffi_store_realized(ffi, index, NULL);
            Py_DECREF(ct);
        }
        Py_DECREF(ct);
        return NULL;
    }
    return ct;
}

static CTypeObject *crealize_realize_inner(FFIObject *ffi, uint32_t index);

CTypeObject *ffi_realize_type(FFIObject *ffi, uint32_t index)
{
    if (index < ffi->nrealized && ffi->realized[index] != NULL
        && (ffi->realize_depth > 0 || PyList_GET_SIZE(ffi->pending) == 0)) {
        Py_INCREF(ffi->realized[index]);
        return ffi->realized[index];
    }
    /* a type nested thousands deep ("int***...") raises RecursionError
     * instead of overflowing the C stack */
    if (Py_EnterRecursiveCall(" while realizing a C type"))
        return NULL;
    ffi->realize_depth++;
    CTypeObject *ct = crealize_realize_inner(ffi, index);
    ffi->realize_depth--;
    Py_LeaveRecursiveCall();
    if (ffi->realize_depth == 0 && PyList_GET_SIZE(ffi->pending) > 0
        && crealize_drain_pending(ffi) < 0)
        Py_CLEAR(ct);
    if (ffi->realize_depth == 0 && crealize_raise_deferred(ffi, ct == NULL) < 0)
        Py_CLEAR(ct);
    return ct;
}

static CTypeObject *crealize_realize_inner(FFIObject *ffi, uint32_t index)
{
    if (index < ffi->nrealized && ffi->realized[index] != NULL) {
        Py_INCREF(ffi->realized[index]);
        return ffi->realized[index];
    }
    if (index >= ffi->table.ntypes) {
        PyErr_Format(PyExc_SystemError, "ccffi: type index %u out of range", index);
        return NULL;
    }
    if (crealize_grow_realized(ffi) < 0)
        return NULL;
    cct_type ty = ffi->table.types[index];
    CTypeObject *ct;
    switch (ty.kind) {
    case CCT_KIND_VOID:
        ct = ctype_void();
        Py_INCREF(ct);
        break;
    case CCT_KIND_PRIMITIVE:
        ct = crealize_realize_primitive(ffi, &ty);
        break;
    case CCT_KIND_POINTER: {
        CTypeObject *item = ffi_realize_type(ffi, ty.item);
        if (item == NULL) {
            if (!crealize_defer_error(ffi, ty.item))
                return NULL;
            item = ffi->realized[ty.item];
            Py_INCREF(item);
        }
        if (ffi->table.types[ty.item].kind == CCT_KIND_FUNCTION)
            ct = item;  /* a function type already is a function pointer */
        else {
            ct = ctype_pointer_to(item);
            Py_DECREF(item);
        }
        break;
    }
    case CCT_KIND_ARRAY:
        ct = crealize_realize_array(ffi, &ty);
        break;
    case CCT_KIND_STRUCT:
    case CCT_KIND_UNION:
    case CCT_KIND_ENUM:
        return crealize_realize_record(ffi, &ty, index);
    case CCT_KIND_FUNCTION:
        ct = crealize_realize_function(ffi, &ty, 1);
        break;
    default:
        PyErr_Format(PyExc_SystemError, "ccffi: bad type kind %u", ty.kind);
        return NULL;
    }
    if (ct == NULL)
        return NULL;
    if (ffi->realized[index] == NULL) {
        Py_INCREF(ct);
        ffi_store_realized(ffi, index, ct);
    }
    return ct;
}

/* After cdef(): completes the realized records whose body has arrived. */
static int crealize_complete_incomplete(FFIObject *ffi)
{
    PyObject *list = ffi->incomplete;
    for (Py_ssize_t i = PyList_GET_SIZE(list) - 1; i >= 0; i--) {
        PyObject *entry = PyList_GET_ITEM(list, i);
        uint32_t index = (uint32_t)PyLong_AsUnsignedLong(PyTuple_GET_ITEM(entry, 0));
        CTypeObject *ct = (CTypeObject *)PyTuple_GET_ITEM(entry, 1);
        cct_type ty = ffi->table.types[index];
        if (ty.flags & CCT_TF_OPAQUE)
            continue;
        int rc = ty.kind == CCT_KIND_ENUM ? crealize_complete_enum(ffi, ct, index)
                                          : crealize_schedule_struct(ffi, ct, index);
        if ((rc == 0 || (ct->ct_flags & CT_IS_BROKEN))
            && PySequence_DelItem(list, i) < 0)
            return -1;
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* After cdef() or include(): completes the realized records whose body
 * has arrived. */
int crealize_complete_pending(FFIObject *ffi)
{
    ffi->realize_depth++;
    int rc = crealize_complete_incomplete(ffi);
    ffi->realize_depth--;
    if (crealize_drain_pending(ffi) < 0)
        rc = -1;
    if (crealize_raise_deferred(ffi, rc < 0) < 0)
        rc = -1;
    return rc;
}


/* lib.f of a compiled module: CFFI's calls the generated C function
 * without the libffi description that ffi.typeof(lib.f) builds, so a
 * struct by value that the description refuses (size 0, members that
 * failed) does not stop lib.f: its type is built unchecked then, and not
 * kept in realized[] (ffi.typeof of it still raises). */
CTypeObject *ffi_realize_lib_function(FFIObject *ffi, uint32_t index)
{
    CTypeObject *ct = ffi_realize_type(ffi, index);
    if (ct != NULL || ffi->cdef_model || index >= ffi->table.ntypes
        || ffi->table.types[index].kind != CCT_KIND_FUNCTION
        || !(PyErr_ExceptionMatches(PyExc_TypeError)
             || PyErr_ExceptionMatches(PyExc_RuntimeError)))
        return ct;
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    cct_type ty = ffi->table.types[index];
    ffi->realize_depth++;
    ct = crealize_realize_function(ffi, &ty, 0);
    ffi->realize_depth--;
    if (ffi->realize_depth == 0 && PyList_GET_SIZE(ffi->pending) > 0
        && crealize_drain_pending(ffi) < 0)
        Py_CLEAR(ct);
    if (ct == NULL) {
        PyErr_Clear();
        PyErr_Restore(t, v, tb);
        return NULL;
    }
    Py_DECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    return ct;
}

/* ffi.typeof(lib.f), ffi.addressof(lib, "f"): the checks that
 * ffi_realize_lib_function left out, on lib.f's function type.  0 or -1. */
int ffi_check_function_type(FFIObject *ffi, CTypeObject *fnct)
{
    if (ffi->cdef_model || !(fnct->ct_flags & CT_FUNCTIONPTR) || fnct->ct_args == NULL)
        return 0;
    if (crealize_check_call_type(ffi, fnct->ct_item, 1, fnct->ct_item, 0) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(fnct->ct_args); i++) {
        CTypeObject *a = (CTypeObject *)PyTuple_GET_ITEM(fnct->ct_args, i);
        if (crealize_check_call_type(ffi, a, 0, a, 0) < 0)
            return -1;
    }
    return 0;
}
