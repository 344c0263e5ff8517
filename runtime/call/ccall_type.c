/* ccall_type.c - what libffi must know about C types.
 *
 * Primitives map to libffi's built-in ffi_type objects.  A struct or union
 * passed by value gets an ffi_type whose size and alignment are the CType's
 * own (libffi trusts preset values) and whose elements exist only to make
 * libffi classify it as the System V x86-64 ABI does: each eightbyte of a
 * record of at most 16 bytes becomes integer pieces when any member scalar
 * in it is an integer or pointer, and a double or float when all are
 * floating point; a record holding a long double alone is described as
 * that long double (x87 class); anything else (larger records, misaligned members
 * of packed records, long doubles mixed with other members) carries a marker
 * element that libffi classifies as "memory".  This is the classification
 * gcc performs, so unions, bitfields and packed records come out right too;
 * but as CFFI refuses to hand these to libffi (NotImplementedError at the
 * call, and in ffi.callback()), so do calls through libffi here
 * (ccall_libffi_check): only API-mode direct calls pass them.
 *
 * A function type gets a ccall_info: its ffi_cif prepared once, and the
 * layout of a single buffer holding every argument slot and the result, so
 * that a call needs no allocation when the buffer fits on the stack.
 */
#include <Python.h>
#include "config.h"
#include <string.h>
#include "call/ccall_type.h"

/* libffi classifies any struct larger than 32 bytes as memory: an element of
 * this type makes the whole record travel in memory. */
static ffi_type *ccall_memory_elements[] = { &ffi_type_uint8, NULL };
static ffi_type ccall_memory_marker = {
    .size = 33, .alignment = 1, .type = FFI_TYPE_STRUCT,
    .elements = ccall_memory_elements,
};

/* Classes seen in each of the two eightbytes of a small record. */
enum { EB_INT = 1, EB_SSE = 2, EB_X87 = 4, EB_BAD = 8 };

typedef struct ccall_record_type {
    ffi_type type;
    ffi_type *elements[8];   /* at most 3 pieces per eightbyte, NULL-ended */
} ccall_record_type;

static ffi_type *ccall_integer_type(Py_ssize_t size, int is_signed)
{
    switch (size) {
    case 1: return is_signed ? &ffi_type_sint8 : &ffi_type_uint8;
    case 2: return is_signed ? &ffi_type_sint16 : &ffi_type_uint16;
    case 4: return is_signed ? &ffi_type_sint32 : &ffi_type_uint32;
    case 8: return is_signed ? &ffi_type_sint64 : &ffi_type_uint64;
    default: return NULL;
    }
}

static ffi_type *ccall_float_type(CTypeObject *ct)
{
    if (ct->ct_flags & CT_PRIMITIVE_COMPLEX)
        return ct->ct_size == 8 ? &ffi_type_complex_float : &ffi_type_complex_double;
    if (ct->ct_flags & CT_IS_LONGDOUBLE)
        return &ffi_type_longdouble;
    return ct->ct_size == 4 ? &ffi_type_float : &ffi_type_double;
}

/* Marks the eightbytes that [offset, offset+size) overlaps with `cls`. */
static void ccall_mark(unsigned char *eb, Py_ssize_t offset, Py_ssize_t size,
                       int cls)
{
    for (Py_ssize_t i = offset / 8; i <= (offset + size - 1) / 8 && i < 2; i++)
        eb[i] |= (unsigned char)cls;
}

static void ccall_classify(CTypeObject *ct, Py_ssize_t offset, unsigned char *eb);

/* Classifies the members of a struct or union found at `offset`. */
static void ccall_classify_record(CTypeObject *ct, Py_ssize_t offset,
                                  unsigned char *eb)
{
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(ct->ct_fields, &pos, &key, &value)) {
        CFieldObject *f = (CFieldObject *)value;
        Py_ssize_t at = offset + f->cf_offset;
        if (f->cf_bitsize >= 0) {
            Py_ssize_t bytes = (f->cf_bitshift + f->cf_bitsize + 7) / 8;
            if (bytes > 0)
                ccall_mark(eb, at, bytes, EB_INT);
        } else {
            ccall_classify(f->cf_type, at, eb);
        }
    }
}

/* Classifies one member of type ct at `offset` inside a small record. */
static void ccall_classify(CTypeObject *ct, Py_ssize_t offset, unsigned char *eb)
{
    uint32_t fl = ct->ct_flags;
    if (ct->ct_size <= 0)
        return;
    if (ct->ct_align > 0 && offset % ct->ct_align != 0) {
        eb[0] |= EB_BAD;
        return;
    }
    if (fl & CT_STRUCT_OR_UNION) {
        if (ct->ct_fields != NULL)
            ccall_classify_record(ct, offset, eb);
    } else if (fl & CT_ARRAY) {
        Py_ssize_t step = ct->ct_item->ct_size;
        for (Py_ssize_t i = 0; step > 0 && i < ct->ct_length; i++)
            ccall_classify(ct->ct_item, offset + i * step, eb);
    } else if (fl & CT_IS_LONGDOUBLE) {
        ccall_mark(eb, offset, ct->ct_size, EB_X87);
    } else if (fl & (CT_PRIMITIVE_FLOAT | CT_PRIMITIVE_COMPLEX)) {
        ccall_mark(eb, offset, ct->ct_size, EB_SSE);
    } else {
        ccall_mark(eb, offset, ct->ct_size, EB_INT);
    }
}

/* Appends the pieces describing eightbyte `index` of a record of `size`
 * bytes classified `cls`; returns the new element count. */
static int ccall_add_pieces(ffi_type **el, int n, Py_ssize_t size, int index,
                            int cls)
{
    Py_ssize_t left = size - 8 * index;
    if (left > 8)
        left = 8;
    if (!(cls & EB_INT) && (cls & EB_SSE)) {
        el[n++] = left == 8 ? &ffi_type_double : &ffi_type_float;
        return n;
    }
    for (Py_ssize_t piece = 8; piece >= 1; piece /= 2)
        if (left >= piece) {
            el[n++] = ccall_integer_type(piece, 0);
            left -= piece;
        }
    return n;
}

/* Fills the elements of a record's ffi_type (see the top of the file). */
static void ccall_describe_record(CTypeObject *ct, ccall_record_type *rt)
{
    unsigned char eb[2] = { 0, 0 };
    Py_ssize_t size = ct->ct_size;
    int n = 0;
    if (size <= 16 && ct->ct_fields != NULL)
        ccall_classify_record(ct, 0, eb);
    int flags = eb[0] | eb[1];
    if (size > 16 || ct->ct_fields == NULL || (flags & EB_BAD)) {
        rt->elements[n++] = &ccall_memory_marker;
    } else if (flags & EB_X87) {
        rt->elements[n++] = &ccall_memory_marker;   /* lone ones: see below */
    } else {
        for (int i = 0; i < (size + 7) / 8; i++)
            n = ccall_add_pieces(rt->elements, n, size, i, eb[i]);
    }
    rt->elements[n] = NULL;
}

/* Why a record cannot be passed by value, or NULL if it can. */
static const char *ccall_record_problem(CTypeObject *ct)
{
    if (ct->ct_flags & CT_IS_OPAQUE || ct->ct_size < 0)
        return "has incomplete type";
    if (ct->ct_size == 0)
        return "has a size of 0";
    return NULL;
}

/* Whether ct is a record made of one long double (nested or not): gcc
 * passes it as the long double itself (memory as argument, st0 as result),
 * which libffi only knows for the primitive type. */
static int ccall_is_lone_long_double(CTypeObject *ct)
{
    if (ct->ct_size != 16 || ct->ct_fields == NULL)
        return 0;
    unsigned char eb[2] = { 0, 0 };
    ccall_classify_record(ct, 0, eb);
    return eb[0] == EB_X87 && eb[1] == EB_X87;
}

static ffi_type *ccall_record_type_of(CTypeObject *ct, int is_result)
{
    if (ct->ct_call_info != NULL)
        return &((ccall_record_type *)ct->ct_call_info)->type;
    if (ccall_record_problem(ct) == NULL && ccall_is_lone_long_double(ct))
        return &ffi_type_longdouble;
    const char *problem = ccall_record_problem(ct);
    if (problem != NULL) {
        if (is_result && (ct->ct_flags & CT_IS_OPAQUE))
            PyErr_Format(PyExc_TypeError, "result type '%s' is not yet initialized",
                         ct->ct_name);
        else
            PyErr_Format(PyExc_TypeError, "ctype '%s' %s", ct->ct_name, problem);
        return NULL;
    }
    ccall_record_type *rt = PyMem_RawCalloc(1, sizeof *rt);
    if (rt == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    rt->type.size = (size_t)ct->ct_size;
    rt->type.alignment = (unsigned short)ct->ct_align;
    rt->type.type = FFI_TYPE_STRUCT;
    rt->type.elements = rt->elements;
    ccall_describe_record(ct, rt);
    ct->ct_call_info = rt;
    ct->ct_call_info_free = PyMem_RawFree;
    return &rt->type;
}

ffi_type *ccall_type_of(CTypeObject *ct, int is_result)
{
    uint32_t fl = ct->ct_flags;
    if (fl & (CT_POINTER | CT_FUNCTIONPTR | CT_ARRAY))
        return &ffi_type_pointer;
    if (fl & CT_STRUCT_OR_UNION)
        return ccall_record_type_of(ct, is_result);
    if (fl & CT_VOID) {
        if (is_result)
            return &ffi_type_void;
        PyErr_SetString(PyExc_TypeError, "argument of type 'void' is not allowed");
        return NULL;
    }
    if (fl & (CT_PRIMITIVE_FLOAT | CT_PRIMITIVE_COMPLEX))
        return ccall_float_type(ct);
    if (fl & CT_PRIMITIVE_ANY) {
        ffi_type *t = ccall_integer_type(ct->ct_size, (fl & CT_PRIMITIVE_SIGNED) != 0);
        if (t != NULL)
            return t;
    }
    PyErr_Format(PyExc_NotImplementedError,
                 "ctype '%s' not supported as argument or return value",
                 ct->ct_name);
    return NULL;
}

/* ------------------------------------------- what CFFI leaves to libffi */

#define CCALL_API_MODE_ONLY \
    " are only supported as %s if the function is 'API mode' and " \
    "non-variadic (i.e. declared inside ffibuilder.cdef()+ffibuilder." \
    "set_source() and not taking a final '...' argument)"

/* Whether CFFI would see struct ct as having members at custom positions:
 * an anonymous struct/union member, or a `...;` struct whose members are
 * not where their order alone puts them (the compiler's layout differs). */
static int ccall_custom_layout(CTypeObject *ct)
{
    if (ct->ct_flags & CT_WITH_ANON_MEMBER)
        return 1;
    if (!(ct->ct_flags & CT_IS_PARTIAL))
        return 0;
    Py_ssize_t off = 0, align = 1;
    for (CFieldObject *f = ct->ct_first_field; f != NULL; f = f->cf_next) {
        Py_ssize_t a = f->cf_type->ct_align, size = f->cf_type->ct_size;
        if (f->cf_bitsize >= 0 || a <= 0 || size < 0)
            return 1;
        off = (off + a - 1) / a * a;
        if (f->cf_offset != off)
            return 1;
        off += size;
        if (a > align)
            align = a;
    }
    return (off + align - 1) / align * align != ct->ct_size || align != ct->ct_align;
}

/* Sets CFFI's NotImplementedError for a record that CFFI does not hand to
 * libffi (a union, a struct with bitfields, a packed layout, an array of
 * no items or members at custom positions, at any depth of by-value
 * members), and returns 1; else 0.
 * Our own description would pass them as gcc does, but a call through
 * libffi behaves as in CFFI, which refuses them: only API-mode direct
 * calls take them. */
static int ccall_cffi_refuses(CTypeObject *ct, const char *place)
{
    while (ct->ct_flags & CT_ARRAY)
        ct = ct->ct_item;
    if (ct->ct_flags & CT_UNION) {
        PyErr_Format(PyExc_NotImplementedError, "ctype '%s' not supported as "
                     "%s by libffi.  Unions" CCALL_API_MODE_ONLY,
                     ct->ct_name, place, place);
        return 1;
    }
    if (!(ct->ct_flags & CT_STRUCT) || ct->ct_size < 0)
        return 0;
    const char *detail = NULL;
    if (ccall_custom_layout(ct))
        detail = "It is a struct declared with \"...;\", but the C calling "
                 "convention may depend on the missing fields; or, it "
                 "contains anonymous struct/unions";
    for (CFieldObject *f = ct->ct_first_field; f != NULL && detail == NULL;
         f = f->cf_next) {
        Py_ssize_t align = f->cf_type->ct_align;
        if (f->cf_bitsize < 0 && align > 1 && f->cf_offset % align != 0)
            detail = "It is a 'packed' structure, with a different layout "
                     "than expected by libffi";
    }
    for (CFieldObject *f = ct->ct_first_field; f != NULL && detail == NULL;
         f = f->cf_next) {
        if (f->cf_bitsize >= 0) {
            detail = "It is a struct with bit fields, which libffi does not "
                     "support";
            break;
        }
        for (CTypeObject *t = f->cf_type; t->ct_flags & CT_ARRAY; t = t->ct_item)
            if (t->ct_length <= 0) {
                detail = "It is a struct with a zero-length array, which "
                         "libffi does not support";
                break;
            }
    }
    if (detail != NULL) {
        PyErr_Format(PyExc_NotImplementedError, "ctype '%s' not supported as "
                     "%s.  %s.  Such structs" CCALL_API_MODE_ONLY,
                     ct->ct_name, place, detail, place);
        return 1;
    }
    for (CFieldObject *f = ct->ct_first_field; f != NULL; f = f->cf_next)
        if (ccall_cffi_refuses(f->cf_type, "argument"))   /* CFFI's word */
            return 1;
    return 0;
}

int ccall_libffi_check_arg(CTypeObject *ct, int is_result)
{
    return ccall_cffi_refuses(ct, is_result ? "return value" : "argument") ? -1 : 0;
}

int ccall_libffi_check(CTypeObject *fn)
{
    if (ccall_libffi_check_arg(fn->ct_item, 1) < 0)
        return -1;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(fn->ct_args); i++)
        if (ccall_libffi_check_arg((CTypeObject *)PyTuple_GET_ITEM(fn->ct_args, i),
                                   0) < 0)
            return -1;
    return 0;
}

/* ------------------------------------------------------------ call info */

static void ccall_info_free(void *p)
{
    ccall_info *info = p;
    if (info == NULL)
        return;
    for (Py_ssize_t i = 0; info->argtypes != NULL && i < info->nargs; i++)
        Py_XDECREF(info->argtypes[i]);
    PyMem_RawFree(info);
}

/* The fast-path kind of an argument or result type. */
static int ccall_kind_of(CTypeObject *ct)
{
    uint32_t fl = ct->ct_flags;
    if (fl & (CT_POINTER | CT_ARRAY))
        return CCALL_ARG_POINTER;
    if ((fl & CT_PRIMITIVE_SIGNED) && !(fl & CT_IS_ENUM))
        return CCALL_ARG_SINT;
    if ((fl & CT_PRIMITIVE_UNSIGNED) && !(fl & (CT_IS_ENUM | CT_IS_BOOL)))
        return CCALL_ARG_UINT;
    if ((fl & CT_PRIMITIVE_FLOAT) && !(fl & (CT_IS_LONGDOUBLE | CT_PRIMITIVE_COMPLEX))
        && ct->ct_size == sizeof(double))
        return CCALL_ARG_DOUBLE;
    return CCALL_ARG_GENERIC;
}

static size_t ccall_round_up(size_t n, size_t align)
{
    return (n + align - 1) & ~(align - 1);
}

/* One block: the ccall_info and its arrays. */
static ccall_info *ccall_info_alloc(Py_ssize_t nargs)
{
    size_t n = (size_t)nargs;
    size_t size = sizeof(ccall_info) + n * (sizeof(ffi_type *) + sizeof(CTypeObject *)
                                            + sizeof(size_t)) + n;
    ccall_info *info = PyMem_RawCalloc(1, size);
    if (info == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    char *p = (char *)(info + 1);
    info->atypes = (ffi_type **)p;
    p += n * sizeof(ffi_type *);
    info->argtypes = (CTypeObject **)p;
    p += n * sizeof(CTypeObject *);
    info->offsets = (size_t *)p;
    p += n * sizeof(size_t);
    info->argkinds = (unsigned char *)p;
    info->nargs = nargs;
    return info;
}

/* The type an argument is converted as: arrays decay to pointers. */
static CTypeObject *ccall_arg_ctype(CTypeObject *ct)
{
    if (ct->ct_flags & CT_ARRAY)
        return ctype_pointer_to(ct->ct_item);
    Py_INCREF(ct);
    return ct;
}

/* ccall_type_of(), but a record that CFFI refuses (the call will raise
 * that) and that ccall_type_of() cannot describe either (size 0) gets a
 * placeholder. */
static ffi_type *ccall_info_type(ccall_info *info, CTypeObject *ct, int is_result)
{
    ffi_type *t = ccall_type_of(ct, is_result);
    if (t == NULL && info->libffi_refused && (ct->ct_flags & CT_STRUCT_OR_UNION)
        && ccall_cffi_refuses(ct, "argument")) {
        PyErr_Clear();
        t = &ccall_memory_marker;
    }
    return t;
}

/* Fills argument i of info: its type, kind and slot; returns the next
 * free offset or (size_t)-1 with an exception. */
static size_t ccall_info_add_arg(ccall_info *info, Py_ssize_t i, CTypeObject *ct,
                                 size_t offset)
{
    CTypeObject *at = ccall_arg_ctype(ct);
    if (at == NULL)
        return (size_t)-1;
    info->argtypes[i] = at;
    info->atypes[i] = ccall_info_type(info, at, 0);
    if (info->atypes[i] == NULL)
        return (size_t)-1;
    info->argkinds[i] = (unsigned char)ccall_kind_of(at);
    size_t size = info->atypes[i]->size;
    if (size < sizeof(ffi_arg))
        size = sizeof(ffi_arg);
    offset = ccall_round_up(offset, CCALL_SLOT_ALIGN);
    info->offsets[i] = offset;
    return offset + size;
}

/* The register class of a scalar: 0 integer, 1 sse, -1 neither (records,
 * long double, complex). */
static int ccall_direct_class(CTypeObject *ct)
{
    uint32_t fl = ct->ct_flags;
    if (fl & (CT_POINTER | CT_FUNCTIONPTR | CT_ARRAY))
        return 0;
    if ((fl & (CT_PRIMITIVE_INTEGER | CT_PRIMITIVE_CHAR | CT_PRIMITIVE_WCHAR))
        && ct->ct_size >= 1 && ct->ct_size <= 8)
        return 0;
    if ((fl & CT_PRIMITIVE_FLOAT) && !(fl & (CT_IS_LONGDOUBLE | CT_PRIMITIVE_COMPLEX)))
        return 1;
    return -1;
}

static int ccall_direct_result_of(CTypeObject *ct)
{
    if (ct->ct_flags & CT_VOID)
        return CCALL_DIRECT_RAX;
    switch (ccall_direct_class(ct)) {
    case 0: return CCALL_DIRECT_RAX;
    case 1: return ct->ct_size == 4 ? CCALL_DIRECT_FLOAT : CCALL_DIRECT_DOUBLE;
    default: return CCALL_DIRECT_NONE;
    }
}

/* Decides whether calls can skip libffi (see ccall_type.h). */
static void ccall_info_plan_direct(ccall_info *info)
{
    int ngpr = 0, nsse = 0;
    info->direct = CCALL_DIRECT_NONE;
    if (info->variadic || info->nargs > CCALL_DIRECT_GPR + CCALL_DIRECT_SSE)
        return;
    for (Py_ssize_t i = 0; i < info->nargs; i++) {
        CTypeObject *ct = info->argtypes[i];
        int cls = ccall_direct_class(ct);
        if (cls < 0 || (cls == 0 && ngpr == CCALL_DIRECT_GPR)
            || (cls == 1 && nsse == CCALL_DIRECT_SSE))
            return;
        ccall_direct_arg *d = &info->dargs[i];
        d->sse = (unsigned char)cls;
        d->reg = (unsigned char)(cls ? nsse++ : ngpr++);
        d->size = (unsigned char)((ct->ct_flags & (CT_POINTER | CT_FUNCTIONPTR | CT_ARRAY))
                                  ? sizeof(void *) : (size_t)ct->ct_size);
        d->is_signed = (ct->ct_flags & (CT_PRIMITIVE_SIGNED | CT_PRIMITIVE_CHAR)) != 0
                       || ((ct->ct_flags & CT_PRIMITIVE_WCHAR) && ct->ct_prim == CCT_PRIM_WCHAR);
    }
    info->direct = ccall_direct_result_of(info->result);
}

static ccall_info *ccall_info_build(CTypeObject *fn)
{
    Py_ssize_t nargs = PyTuple_GET_SIZE(fn->ct_args);
    ccall_info *info = ccall_info_alloc(nargs);
    if (info == NULL)
        return NULL;
    info->variadic = (fn->ct_flags & CT_VARIADIC) != 0;
    info->result = fn->ct_item;
    if (ccall_libffi_check(fn) < 0) {   /* raised again at the call */
        PyErr_Clear();
        info->libffi_refused = 1;
    }
    ffi_type *rtype = ccall_info_type(info, fn->ct_item, 1);
    if (rtype == NULL)
        goto error;
    info->result_kind = ccall_kind_of(fn->ct_item);
    size_t offset = 0;
    for (Py_ssize_t i = 0; i < nargs; i++) {
        CTypeObject *ct = (CTypeObject *)PyTuple_GET_ITEM(fn->ct_args, i);
        offset = ccall_info_add_arg(info, i, ct, offset);
        if (offset == (size_t)-1)
            goto error;
    }
    info->result_offset = ccall_round_up(offset, CCALL_SLOT_ALIGN);
    info->result_size = rtype->size < sizeof(ffi_arg) ? sizeof(ffi_arg) : rtype->size;
    info->buffer_size = info->result_offset + info->result_size;
    ccall_info_plan_direct(info);
    if (info->libffi_refused)
        info->direct = CCALL_DIRECT_NONE;
    if (ffi_prep_cif(&info->cif, FFI_DEFAULT_ABI, (unsigned)nargs, rtype,
                     info->atypes) != FFI_OK) {
        PyErr_Format(PyExc_SystemError, "libffi refused the function type '%s'",
                     fn->ct_name);
        goto error;
    }
    return info;
error:
    ccall_info_free(info);
    return NULL;
}

ccall_info *ccall_info_get(CTypeObject *fn)
{
    if (fn->ct_call_info != NULL)
        return fn->ct_call_info;
    ccall_info *info = ccall_info_build(fn);
    if (info == NULL)
        return NULL;
    fn->ct_call_info = info;
    fn->ct_call_info_free = ccall_info_free;
    return info;
}
