/* cconv.c - conversions between Python objects and C memory.
 *
 * One writer (cconv_from_python) and one reader (cconv_to_python) dispatch
 * on the CType's kind; each kind has a small function.  Integers are
 * range-checked with CFFI's messages, pointers accept only compatible cdata
 * (with CFFI's implicit-cast rules for void * and char *), arrays and
 * structs take lists, tuples, dicts, bytes or str as CFFI documents.
 * Bitfields are read and written through the bytes holding their bits.
 * cconv_cast() is ffi.cast(): the C conversions between numeric types,
 * pointers and integers. */
#include <Python.h>
#include "config.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <uchar.h>
#include <complex.h>
#include "object/cconv.h"
#include "object/cdata.h"

_Thread_local int cconv_saved_errno __attribute__((tls_model("initial-exec")));

/* --------------------------------------------------------------- helpers */

static const char *cconv_kind_of(PyObject *obj)
{
    return Py_TYPE(obj)->tp_name;
}

/* TypeError "initializer for ctype 'X' must be a WHAT, not TYPE". */
static int cconv_bad_init(CTypeObject *ct, const char *what, PyObject *obj)
{
    if (CData_Check(obj))
        PyErr_Format(PyExc_TypeError,
                     "initializer for ctype '%s' must be a %s, not cdata '%s'",
                     ct->ct_name, what, CData_CType(obj)->ct_name);
    else
        PyErr_Format(PyExc_TypeError,
                     "initializer for ctype '%s' must be a %s, not %.200s",
                     ct->ct_name, what, cconv_kind_of(obj));
    return -1;
}

/* ------------------------------------------------------------- integers */

PyObject *cconv_read_integer(const char *src, Py_ssize_t size, int is_signed)
{
    if (is_signed) {
        switch (size) {
        case 1: return PyLong_FromLong(*(const signed char *)src);
        case 2: { int16_t v; memcpy(&v, src, 2); return PyLong_FromLong(v); }
        case 4: { int32_t v; memcpy(&v, src, 4); return PyLong_FromLong(v); }
        case 8: { int64_t v; memcpy(&v, src, 8); return PyLong_FromLongLong(v); }
        }
    } else {
        switch (size) {
        case 1: return PyLong_FromLong(*(const unsigned char *)src);
        case 2: { uint16_t v; memcpy(&v, src, 2); return PyLong_FromLong(v); }
        case 4: { uint32_t v; memcpy(&v, src, 4); return PyLong_FromUnsignedLong(v); }
        case 8: { uint64_t v; memcpy(&v, src, 8); return PyLong_FromUnsignedLongLong(v); }
        }
    }
    PyErr_Format(PyExc_SystemError, "ccffi: integer of size %zd", size);
    return NULL;
}

/* Raw integer value of a primitive cdata (any integer/char/bool/enum). */
static int cconv_cdata_integer(PyObject *obj, PyObject **out)
{
    CTypeObject *ct = CData_CType(obj);
    const char *src = CData_Ptr(obj);
    if (ct->ct_flags & CT_PRIMITIVE_INTEGER) {
        *out = cconv_read_integer(src, ct->ct_size, ct->ct_flags & CT_PRIMITIVE_SIGNED);
        return *out ? 0 : -1;
    }
    if (ct->ct_flags & CT_PRIMITIVE_CHAR) {
        *out = PyLong_FromLong(*(const unsigned char *)src);
        return 0;
    }
    if (ct->ct_flags & CT_PRIMITIVE_WCHAR) {
        *out = cconv_read_integer(src, ct->ct_size, ctype_wchar_is_signed(ct));
        return *out ? 0 : -1;
    }
    if (ct->ct_flags & CT_PRIMITIVE_FLOAT)
        PyErr_SetString(PyExc_TypeError, "an integer is required");
    else
        PyErr_Format(PyExc_TypeError, "int() not supported on cdata '%s'", ct->ct_name);
    return -1;
}

/* A new reference to an int for obj, or TypeError "an integer is required"
 * (floats, bytes and str are refused as CFFI refuses them). */
static PyObject *cconv_as_pylong(PyObject *obj)
{
    if (PyLong_Check(obj)) {
        Py_INCREF(obj);
        return obj;
    }
    if (CData_Check(obj)) {
        PyObject *v;
        return cconv_cdata_integer(obj, &v) < 0 ? NULL : v;
    }
    if (PyFloat_Check(obj) || Py_TYPE(obj)->tp_as_number == NULL
        || Py_TYPE(obj)->tp_as_number->nb_index == NULL) {
        PyErr_SetString(PyExc_TypeError, "an integer is required");
        return NULL;
    }
    return PyNumber_Index(obj);
}

static int cconv_does_not_fit(CTypeObject *ct, PyObject *v)
{
    PyErr_Format(PyExc_OverflowError, "integer %S does not fit '%s'", v, ct->ct_name);
    return -1;
}

static void cconv_store_int(char *dst, Py_ssize_t size, uint64_t v)
{
    switch (size) {
    case 1: { uint8_t x = (uint8_t)v; memcpy(dst, &x, 1); break; }
    case 2: { uint16_t x = (uint16_t)v; memcpy(dst, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(dst, &x, 4); break; }
    default: memcpy(dst, &v, 8); break;
    }
}

/* Range-checked integer value of obj for ct into *out (two's complement). */
static int cconv_integer_value(CTypeObject *ct, PyObject *obj, uint64_t *out)
{
    PyObject *v = cconv_as_pylong(obj);
    if (v == NULL)
        return -1;
    int rc = 0;
    Py_ssize_t size = ct->ct_size;
    if (ct->ct_flags & CT_PRIMITIVE_SIGNED) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (x == -1 && PyErr_Occurred())
            rc = -1;
        else if (overflow) {
            PyErr_SetString(PyExc_OverflowError, "int too big to convert");
            rc = -1;
        } else if (size < 8) {
            long long lim = 1LL << (size * 8 - 1);
            if (x < -lim || x >= lim)
                rc = cconv_does_not_fit(ct, v);
        }
        *out = (uint64_t)x;
    } else {
        if (_PyLong_Sign(v) < 0) {
            PyErr_SetString(PyExc_OverflowError, "can't convert negative number to unsigned");
            rc = -1;
        } else {
            unsigned long long x = PyLong_AsUnsignedLongLong(v);
            if (x == (unsigned long long)-1 && PyErr_Occurred()) {
                PyErr_Clear();
                PyErr_SetString(PyExc_OverflowError, "int too big to convert");
                rc = -1;
            } else if ((ct->ct_flags & CT_IS_BOOL) && x > 1)
                rc = cconv_does_not_fit(ct, v);
            else if (size < 8 && (x >> (size * 8)) != 0)
                rc = cconv_does_not_fit(ct, v);
            *out = x;
        }
    }
    Py_DECREF(v);
    return rc;
}

int cconv_write_integer(CTypeObject *ct, char *dst, PyObject *obj)
{
    uint64_t v;
    /* fast path: small exact ints */
    if (PyLong_CheckExact(obj)) {
        int overflow;
        long x = PyLong_AsLongAndOverflow(obj, &overflow);
        if (!overflow && !(x == -1 && PyErr_Occurred())) {
            Py_ssize_t size = ct->ct_size;
            if (ct->ct_flags & CT_PRIMITIVE_SIGNED) {
                if (size == 8 || (x >= -(1L << (size * 8 - 1)) && x < (1L << (size * 8 - 1)))) {
                    cconv_store_int(dst, size, (uint64_t)x);
                    return 0;
                }
            } else if (x >= 0 && !(ct->ct_flags & CT_IS_BOOL)
                       && (size == 8 || (x >> (size * 8)) == 0)) {
                cconv_store_int(dst, size, (uint64_t)x);
                return 0;
            }
        }
        PyErr_Clear();
    }
    if (cconv_integer_value(ct, obj, &v) < 0)
        return -1;
    cconv_store_int(dst, ct->ct_size, v);
    return 0;
}

/* ------------------------------------------------------------ characters */

static int cconv_write_char(CTypeObject *ct, char *dst, PyObject *obj)
{
    if (PyBytes_Check(obj) && PyBytes_GET_SIZE(obj) == 1) {
        *dst = PyBytes_AS_STRING(obj)[0];
        return 0;
    }
    if (PyByteArray_Check(obj) && PyByteArray_GET_SIZE(obj) == 1) {
        *dst = PyByteArray_AS_STRING(obj)[0];
        return 0;
    }
    if (CData_Check(obj) && (CData_CType(obj)->ct_flags & CT_PRIMITIVE_CHAR)) {
        *dst = *CData_Ptr(obj);
        return 0;
    }
    PyErr_Format(PyExc_TypeError,
                 "initializer for ctype '%s' must be a bytes of length 1, not %.200s",
                 ct->ct_name, Py_TYPE(obj)->tp_name);
    return -1;
}

static int cconv_wchar_bad(CTypeObject *ct, const char *what)
{
    PyErr_Format(PyExc_TypeError,
                 "initializer for ctype '%s' must be a unicode string of length 1, not %s",
                 ct->ct_name, what);
    return -1;
}

static int cconv_write_wchar(CTypeObject *ct, char *dst, PyObject *obj)
{
    if (PyUnicode_Check(obj)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(obj);
        if (n != 1) {
            char what[64];
            snprintf(what, sizeof what, "unicode string of length %zd", n);
            return cconv_wchar_bad(ct, what);
        }
        Py_UCS4 c = PyUnicode_READ_CHAR(obj, 0);
        if (ct->ct_size == 2) {
            if (c > 0xFFFF)
                return cconv_wchar_bad(ct, "larger-than-0xFFFF character");
            uint16_t v = (uint16_t)c;
            memcpy(dst, &v, 2);
        } else {
            uint32_t v = c;
            memcpy(dst, &v, 4);
        }
        return 0;
    }
    if (CData_Check(obj) && (CData_CType(obj)->ct_flags & CT_PRIMITIVE_WCHAR)) {
        CTypeObject *src = CData_CType(obj);
        uint32_t v = src->ct_size == 2 ? *(uint16_t *)CData_Ptr(obj)
                                       : *(uint32_t *)CData_Ptr(obj);
        cconv_store_int(dst, ct->ct_size, v);
        return 0;
    }
    return cconv_wchar_bad(ct, cconv_kind_of(obj));
}

static PyObject *cconv_read_wchar(CTypeObject *ct, const char *src)
{
    uint32_t v;
    if (ct->ct_size == 2) {
        uint16_t x;
        memcpy(&x, src, 2);
        v = x;
    } else
        memcpy(&v, src, 4);
    if (v > 0x10FFFF) {
        PyErr_Format(PyExc_ValueError, "%s out of range for conversion to unicode: 0x%x",
                     ct->ct_name, (unsigned)v);
        return NULL;
    }
    Py_UCS4 c = v;
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, &c, 1);
}

/* ---------------------------------------------------------------- floats */

static int cconv_write_float(CTypeObject *ct, char *dst, PyObject *obj)
{
    if (ct->ct_flags & CT_IS_LONGDOUBLE) {
        long double v;
        if (CData_Check(obj) && (CData_CType(obj)->ct_flags & CT_IS_LONGDOUBLE))
            memcpy(&v, CData_Ptr(obj), sizeof v);
        else {
            double d = PyFloat_AsDouble(obj);
            if (d == -1.0 && PyErr_Occurred())
                return -1;
            v = d;
        }
        memcpy(dst, &v, sizeof v);
        return 0;
    }
    double d = PyFloat_CheckExact(obj) ? PyFloat_AS_DOUBLE(obj) : PyFloat_AsDouble(obj);
    if (d == -1.0 && PyErr_Occurred())
        return -1;
    if (ct->ct_size == sizeof(float)) {
        float f = (float)d;
        memcpy(dst, &f, sizeof f);
    } else
        memcpy(dst, &d, sizeof d);
    return 0;
}

static int cconv_write_complex(CTypeObject *ct, char *dst, PyObject *obj)
{
    Py_complex c = PyComplex_AsCComplex(obj);
    if (c.real == -1.0 && PyErr_Occurred())
        return -1;
    if (ct->ct_size == 2 * sizeof(float)) {
        float f[2] = {(float)c.real, (float)c.imag};
        memcpy(dst, f, sizeof f);
    } else {
        double d[2] = {c.real, c.imag};
        memcpy(dst, d, sizeof d);
    }
    return 0;
}

static PyObject *cconv_read_float(CTypeObject *ct, const char *src)
{
    if (ct->ct_flags & CT_IS_LONGDOUBLE)
        return cdata_new_value(ct, src);
    if (ct->ct_size == sizeof(float)) {
        float f;
        memcpy(&f, src, sizeof f);
        return PyFloat_FromDouble(f);
    }
    double d;
    memcpy(&d, src, sizeof d);
    return PyFloat_FromDouble(d);
}

static PyObject *cconv_read_complex(CTypeObject *ct, const char *src)
{
    if (ct->ct_size == 2 * sizeof(float)) {
        float f[2];
        memcpy(f, src, sizeof f);
        return PyComplex_FromDoubles(f[0], f[1]);
    }
    double d[2];
    memcpy(d, src, sizeof d);
    return PyComplex_FromDoubles(d[0], d[1]);
}

/* -------------------------------------------------------------- pointers */

static int cconv_same_type(CTypeObject *a, CTypeObject *b)
{
    if (a == b)
        return 1;
    if (a == NULL || b == NULL || a->ct_flags != b->ct_flags)
        return 0;
    if (strcmp(a->ct_name, b->ct_name) != 0)
        return 0;
    /* same spelling: primitives, or the same kind of derived type of
     * items that are themselves the same */
    if (a->ct_flags & (CT_POINTER | CT_ARRAY))
        return a->ct_length == b->ct_length && cconv_same_type(a->ct_item, b->ct_item);
    return (a->ct_flags & (CT_PRIMITIVE_ANY | CT_VOID)) && !(a->ct_flags & CT_IS_ENUM);
}

static cconv_function_hook cconv_function_object;

void cconv_set_function_hook(cconv_function_hook hook)
{
    cconv_function_object = hook;
}

int cconv_pointer_value(CTypeObject *ct, PyObject *obj, char **out)
{
    if (!CData_Check(obj)) {
        /* e.g. `lib.f` of a compiled module stands for its function pointer */
        int found = (ct->ct_flags & (CT_FUNCTIONPTR | CT_POINTER))
                    && cconv_function_object
                    ? cconv_function_object(obj, ct, (void **)out) : 0;
        if (found != 0)
            return found > 0 ? 0 : -1;
        return cconv_bad_init(ct, "cdata pointer", obj);
    }
    if (CData_IsReleased(obj))
        return cdata_raise_released(NULL, obj, "cannot use it as a pointer");
    CTypeObject *src = CData_CType(obj);
    char *value = CData_Ptr(obj);
    CTypeObject *src_item;
    if (src->ct_flags & CT_ARRAY)
        src_item = src->ct_item;
    else if (src->ct_flags & CT_POINTER)
        src_item = src->ct_item;
    else if (src->ct_flags & CT_FUNCTIONPTR)
        src_item = NULL;
    else
        return cconv_bad_init(ct, "cdata pointer", obj);
    if (src == ct) {
        *out = value;
        return 0;
    }
    int dst_void = (ct->ct_flags & CT_POINTER) && (ct->ct_item->ct_flags & CT_VOID);
    int src_void = src_item != NULL && (src->ct_flags & CT_POINTER)
                   && (src_item->ct_flags & CT_VOID);
    if (dst_void || src_void) {
        *out = value;
        return 0;
    }
    if ((ct->ct_flags & CT_POINTER) && src_item != NULL
        && cconv_same_type(ct->ct_item, src_item)) {
        *out = value;
        return 0;
    }
    if ((ct->ct_flags & CT_FUNCTIONPTR) && cconv_same_type(ct, src)) {
        *out = value;
        return 0;
    }
    int dst_char = (ct->ct_flags & CT_POINTER) && (ct->ct_item->ct_flags & CT_PRIMITIVE_CHAR);
    int src_char = src_item != NULL && (src_item->ct_flags & CT_PRIMITIVE_CHAR);
    if ((dst_char || src_char) && (ct->ct_flags & CT_POINTER) && src_item != NULL
        && ct->ct_item->ct_size == 1 && src_item->ct_size == 1) {
        *out = value;   /* 'char *' and another pointer to bytes: CFFI accepts */
        return 0;
    }
    if (dst_char) {
        PyErr_Format(PyExc_TypeError,
                     "implicit cast to '%s' from a different pointer type.(check that "
                     "the types are as you expect; use an explicit ffi.cast() if "
                     "they are correct)", ct->ct_name);
        return -1;
    }
    if (src_char) {
        PyErr_Format(PyExc_TypeError,
                     "implicit cast from '%s' to a different pointer type: (check "
                     "that the types are as you expect; use an explicit ffi.cast() "
                     "if they are correct)",
                     (src->ct_flags & CT_ARRAY) ? "char *" : src->ct_name);
        return -1;
    }
    return cconv_bad_init(ct, "pointer to same type", obj);
}

/* ---------------------------------------------------------------- arrays */

static int cconv_array_too_long(CTypeObject *ct, Py_ssize_t got, const char *what)
{
    if (what != NULL)
        PyErr_Format(PyExc_IndexError,
                     "initializer %s is too long for '%s' (got %zd characters)",
                     what, ct->ct_name, got);
    else
        PyErr_Format(PyExc_IndexError, "too many initializers for '%s' (got %zd)",
                     ct->ct_name, got);
    return -1;
}

static int cconv_write_array_from_seq(CTypeObject *ct, char *dst, PyObject *seq)
{
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (ct->ct_length >= 0 && n > ct->ct_length)
        return cconv_array_too_long(ct, n, NULL);
    CTypeObject *item = ct->ct_item;
    Py_ssize_t isize = item->ct_size;
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++)
        if (cconv_from_python(item, dst + i * isize, items[i]) < 0)
            return -1;
    return 0;
}

static int cconv_write_array(CTypeObject *ct, char *dst, PyObject *obj)
{
    CTypeObject *item = ct->ct_item;
    if (PyList_Check(obj) || PyTuple_Check(obj))
        return cconv_write_array_from_seq(ct, dst, obj);
    if (ctype_is_byte_item(item)) {
        if (PyBytes_Check(obj)) {
            Py_ssize_t n = PyBytes_GET_SIZE(obj);
            if (ct->ct_length >= 0 && n > ct->ct_length)
                return cconv_array_too_long(ct, n, "bytes");
            if (item->ct_flags & CT_IS_BOOL)
                for (Py_ssize_t i = 0; i < n; i++)
                    if ((unsigned char)PyBytes_AS_STRING(obj)[i] > 1) {
                        PyErr_SetString(PyExc_ValueError,
                                        "an array of _Bool can only contain \\x00 or \\x01");
                        return -1;
                    }
            memcpy(dst, PyBytes_AS_STRING(obj), n);
            if (ct->ct_length < 0 || n < ct->ct_length)
                dst[n] = 0;
            return 0;
        }
    } else if (item->ct_flags & CT_PRIMITIVE_WCHAR) {
        if (PyUnicode_Check(obj)) {
            Py_ssize_t n = PyUnicode_GET_LENGTH(obj), k = 0;
            for (Py_ssize_t i = 0; i < n; i++) {
                Py_UCS4 c = PyUnicode_READ_CHAR(obj, i);
                if (item->ct_size == 2 && c > 0xFFFF) {
                    if (ct->ct_length >= 0 && k + 2 > ct->ct_length)
                        return cconv_array_too_long(ct, n, "unicode string");
                    c -= 0x10000;
                    uint16_t hi = 0xD800 | (c >> 10), lo = 0xDC00 | (c & 0x3FF);
                    memcpy(dst + 2 * k++, &hi, 2);
                    memcpy(dst + 2 * k++, &lo, 2);
                    continue;
                }
                if (ct->ct_length >= 0 && k + 1 > ct->ct_length)
                    return cconv_array_too_long(ct, n, "unicode string");
                cconv_store_int(dst + item->ct_size * k++, item->ct_size, c);
            }
            return 0;
        }
    }
    if (CData_Check(obj) && cconv_same_type(CData_CType(obj), ct)
        && ct->ct_size >= 0) {
        if (CData_IsReleased(obj))
            return cdata_raise_released(NULL, obj, "cannot copy from it");
        memmove(dst, CData_Ptr(obj), ct->ct_size);
        return 0;
    }
    if (ctype_is_byte_item(item))
        return cconv_bad_init(ct, "bytes or list or tuple", obj);
    if (item->ct_flags & CT_PRIMITIVE_WCHAR)
        return cconv_bad_init(ct, "unicode or list or tuple", obj);
    return cconv_bad_init(ct, "list or tuple", obj);
}

/* --------------------------------------------------------------- structs */

/* A bitfield is read and written through the bytes that hold its bits
 * (little-endian from its storage unit's start): never beyond them, as a
 * packed struct may end before the declared type's size would.  16 bytes
 * cover a 64-bit field at any bit position. */
typedef unsigned __int128 cconv_bitunit;

static size_t cconv_bitfield_bytes(const CFieldObject *f)
{
    size_t need = ((size_t)f->cf_bitshift + (size_t)f->cf_bitsize + 7) / 8;
    if (need == 0)
        need = 1;
    return need > sizeof(cconv_bitunit) ? sizeof(cconv_bitunit) : need;
}

/* The value for a bitfield of `bits` bits, range-checked as CFFI does:
 * 0 with *out set, or -1 with OverflowError naming the allowed range. */
static int cconv_bitfield_value(CFieldObject *f, PyObject *v, uint64_t *out)
{
    int bits = f->cf_bitsize, ok;
    if (f->cf_type->ct_flags & CT_PRIMITIVE_SIGNED) {
        long long lo = bits == 0 ? 0 : bits >= 64 ? LLONG_MIN : -(1LL << (bits - 1));
        long long hi = bits == 0 ? 0 : bits >= 64 ? LLONG_MAX : (1LL << (bits - 1)) - 1;
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (x == -1 && PyErr_Occurred())
            return -1;
        ok = !overflow && x >= lo && x <= hi;
        *out = (uint64_t)x;
        if (!ok)
            PyErr_Format(PyExc_OverflowError,
                         "value %S outside the range allowed by the bit field width: "
                         "%lld <= x <= %lld", v, lo, hi);
    } else {
        unsigned long long hi = bits >= 64 ? ULLONG_MAX : (1ULL << bits) - 1;
        unsigned long long x = 0;
        ok = _PyLong_Sign(v) >= 0;
        if (ok) {
            x = PyLong_AsUnsignedLongLong(v);
            if (x == (unsigned long long)-1 && PyErr_Occurred()) {
                PyErr_Clear();
                ok = 0;
            }
        }
        ok = ok && x <= hi;
        *out = x;
        if (!ok)
            PyErr_Format(PyExc_OverflowError,
                         "value %S outside the range allowed by the bit field width: "
                         "0 <= x <= %llu", v, hi);
    }
    return ok ? 0 : -1;
}

/* Writes a bitfield with CFFI's range check. */
static int cconv_write_bitfield(CFieldObject *f, char *base, PyObject *obj)
{
    if (!PyLong_Check(obj) && !PyIndex_Check(obj)
        && !(CData_Check(obj) && (CData_CType(obj)->ct_flags & CT_PRIMITIVE_INTEGER))) {
        PyErr_Format(PyExc_TypeError, "'%.200s' object cannot be interpreted as an integer",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyObject *v = cconv_as_pylong(obj);
    if (v == NULL)
        return -1;
    uint64_t x;
    int rc = cconv_bitfield_value(f, v, &x);
    Py_DECREF(v);
    if (rc < 0)
        return -1;
    int bits = f->cf_bitsize;
    char *p = base + f->cf_offset;
    size_t usize = cconv_bitfield_bytes(f);
    cconv_bitunit unit = 0;
    memcpy(&unit, p, usize);
    cconv_bitunit ones = bits >= 64 ? ~0ULL : ((1ULL << bits) - 1);
    cconv_bitunit mask = ones << f->cf_bitshift;
    unit = (unit & ~mask) | (((cconv_bitunit)(uint64_t)x << f->cf_bitshift) & mask);
    memcpy(p, &unit, usize);
    return 0;
}

static PyObject *cconv_read_bitfield(CFieldObject *f, const char *base)
{
    CTypeObject *ct = f->cf_type;
    cconv_bitunit unit = 0;
    memcpy(&unit, base + f->cf_offset, cconv_bitfield_bytes(f));
    int bits = f->cf_bitsize;
    uint64_t v = (uint64_t)(unit >> f->cf_bitshift);
    if (bits < 64)
        v &= (1ULL << bits) - 1;
    if ((ct->ct_flags & CT_PRIMITIVE_SIGNED) && bits > 0 && (v >> (bits - 1)) & 1)
        return PyLong_FromLongLong((long long)(bits >= 64 ? v : v | (~0ULL << bits)));
    if (ct->ct_flags & CT_IS_BOOL)
        return PyBool_FromLong((long)v);
    return PyLong_FromUnsignedLongLong(v);
}

int cconv_write_field(CFieldObject *f, char *base, PyObject *obj)
{
    if (f->cf_bitsize >= 0)
        return cconv_write_bitfield(f, base, obj);
    return cconv_from_python(f->cf_type, base + f->cf_offset, obj);
}

PyObject *cconv_read_field(CFieldObject *f, char *base, PyObject *owner)
{
    if (f->cf_bitsize >= 0)
        return cconv_read_bitfield(f, base);
    return cconv_to_python_owned(f->cf_type, base + f->cf_offset, owner);
}

/* A member in a struct initializer: for a flexible array member, an
 * integer only gives the length (ffi.new sized the memory), as in CFFI. */
static int cconv_init_field(CFieldObject *f, char *base, PyObject *value)
{
    CTypeObject *ft = f->cf_type;
    if ((ft->ct_flags & CT_ARRAY) && ft->ct_length < 0 && PyLong_Check(value))
        return 0;
    return cconv_write_field(f, base, value);
}

static int cconv_struct_too_many(CTypeObject *ct, Py_ssize_t n)
{
    PyErr_Format(PyExc_ValueError, "too many initializers for '%s' (got %zd)",
                 ct->ct_name, n);
    return -1;
}

static int cconv_write_struct_from_seq(CTypeObject *ct, char *dst, PyObject *seq)
{
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    CFieldObject *f = ct->ct_first_field;
    for (Py_ssize_t i = 0; i < n; i++, f = f->cf_next) {
        while (f != NULL && (f->cf_flags & CF_IGNORE_IN_CTOR))
            f = f->cf_next;
        if (f == NULL)
            return cconv_struct_too_many(ct, n);
        if (cconv_init_field(f, dst, items[i]) < 0)
            return -1;
    }
    return 0;
}

static int cconv_write_struct_from_dict(CTypeObject *ct, char *dst, PyObject *dict)
{
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        CFieldObject *f = ctype_find_field(ct, key);
        if (f == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, key);
            return -1;
        }
        if (cconv_init_field(f, dst, value) < 0)
            return -1;
    }
    return 0;
}

static int cconv_write_struct(CTypeObject *ct, char *dst, PyObject *obj)
{
    if (ct->ct_flags & CT_IS_OPAQUE) {
        PyErr_Format(PyExc_TypeError, "'%s' is opaque", ct->ct_name);
        return -1;
    }
    if ((PyList_Check(obj) || PyTuple_Check(obj) || PyDict_Check(obj))
        && ctype_check_layout(ct) < 0)
        return -1;
    if (PyList_Check(obj) || PyTuple_Check(obj))
        return cconv_write_struct_from_seq(ct, dst, obj);
    if (PyDict_Check(obj))
        return cconv_write_struct_from_dict(ct, dst, obj);
    if (CData_IsReleased(obj))
        return cdata_raise_released(NULL, obj, "cannot copy from it");
    if (CData_Check(obj) && cconv_same_type(CData_CType(obj), ct)) {
        memmove(dst, CData_Ptr(obj), ct->ct_size);
        return 0;
    }
    if (CData_Check(obj) && CData_CType(obj) == ct) {
        memmove(dst, CData_Ptr(obj), ct->ct_size);
        return 0;
    }
    return cconv_bad_init(ct, "list or tuple or dict or struct-cdata", obj);
}

/* ------------------------------------------------------------ dispatchers */

int cconv_from_python(CTypeObject *ct, char *dst, PyObject *obj)
{
    uint32_t f = ct->ct_flags;
    if (f & CT_PRIMITIVE_INTEGER)
        return cconv_write_integer(ct, dst, obj);
    if (f & CT_POINTER_LIKE & ~CT_ARRAY) {
        char *p;
        if (cconv_pointer_value(ct, obj, &p) < 0)
            return -1;
        memcpy(dst, &p, sizeof p);
        return 0;
    }
    if (f & CT_PRIMITIVE_FLOAT)
        return cconv_write_float(ct, dst, obj);
    if (f & CT_PRIMITIVE_CHAR)
        return cconv_write_char(ct, dst, obj);
    if (f & CT_STRUCT_OR_UNION)
        return cconv_write_struct(ct, dst, obj);
    if (f & CT_ARRAY)
        return cconv_write_array(ct, dst, obj);
    if (f & CT_PRIMITIVE_WCHAR)
        return cconv_write_wchar(ct, dst, obj);
    if (f & CT_PRIMITIVE_COMPLEX)
        return cconv_write_complex(ct, dst, obj);
    PyErr_Format(PyExc_TypeError, "cannot initialize cdata '%s'", ct->ct_name);
    return -1;
}

PyObject *cconv_to_python_owned(CTypeObject *ct, const char *src, PyObject *owner)
{
    uint32_t f = ct->ct_flags;
    if (f & CT_PRIMITIVE_SIGNED) {
        if (ct->ct_size == sizeof(int))
            return PyLong_FromLong(*(const int *)src);
        return cconv_read_integer(src, ct->ct_size, 1);
    }
    if (f & CT_PRIMITIVE_UNSIGNED) {
        if (f & CT_IS_BOOL) {
            unsigned char b = *(const unsigned char *)src;
            if (b > 1)      /* as CFFI: memory that no _Bool would hold */
                return PyErr_Format(PyExc_ValueError, "got a _Bool of value "
                                    "%d, expected 0 or 1", (int)b);
            return PyBool_FromLong(b);
        }
        return cconv_read_integer(src, ct->ct_size, 0);
    }
    if (f & (CT_POINTER | CT_FUNCTIONPTR)) {
        char *p;
        memcpy(&p, src, sizeof p);
        return cdata_new_pointer(ct, p);
    }
    if (f & CT_PRIMITIVE_FLOAT)
        return cconv_read_float(ct, src);
    if (f & CT_PRIMITIVE_CHAR)
        return PyBytes_FromStringAndSize(src, 1);
    if (f & (CT_STRUCT_OR_UNION | CT_ARRAY)) {
        if ((f & CT_STRUCT_OR_UNION) && ctype_check_members(ct) < 0)
            return NULL;   /* as CFFI, which needs the members here */
        return cdata_new_view(ct, (char *)src, owner);
    }
    if (f & CT_PRIMITIVE_WCHAR)
        return cconv_read_wchar(ct, src);
    if (f & CT_PRIMITIVE_COMPLEX)
        return cconv_read_complex(ct, src);
    PyErr_Format(PyExc_TypeError, "cdata of type '%s' cannot be read", ct->ct_name);
    return NULL;
}

PyObject *cconv_to_python(CTypeObject *ct, const char *src)
{
    return cconv_to_python_owned(ct, src, NULL);
}

/* ------------------------------------------------------------ ffi.cast */

/* A floating value cast to an integer: truncated, then modulo 2**64 as
 * CFFI gives it (ffi.cast("unsigned long", 1e30) is 1e30's low 64 bits).
 * A C conversion is undefined outside int64's range, so those values go
 * through a Python int; inf and nan raise Python's OverflowError and
 * ValueError, as in CFFI. */
static int cconv_cast_double_source(double d, uint64_t *out)
{
    if (d > -9.2e18 && d < 9.2e18) {
        *out = (uint64_t)(int64_t)d;
        return 0;
    }
    PyObject *f = PyFloat_FromDouble(d);
    if (f == NULL)
        return -1;
    PyObject *v = PyNumber_Long(f);
    Py_DECREF(f);
    if (v == NULL)
        return -1;
    *out = PyLong_AsUnsignedLongLongMask(v);
    Py_DECREF(v);
    return (*out == (uint64_t)-1 && PyErr_Occurred()) ? -1 : 0;
}

/* The integer a cast to an integer or pointer type takes from `value`,
 * modulo 2**64; CFFI's rules (floats truncate, 1-char strings give ord). */
static int cconv_cast_integer_source(PyObject *value, uint64_t *out)
{
    if (PyLong_Check(value)) {
        *out = PyLong_AsUnsignedLongLongMask(value);
        return (*out == (uint64_t)-1 && PyErr_Occurred()) ? -1 : 0;
    }
    if (CData_Check(value)) {
        CTypeObject *ct = CData_CType(value);
        if (ct->ct_flags & CT_POINTER_LIKE) {
            *out = (uint64_t)(uintptr_t)CData_Ptr(value);
            return 0;
        }
        if (ct->ct_flags & CT_PRIMITIVE_FLOAT) {
            long double ld;
            if (ct->ct_flags & CT_IS_LONGDOUBLE)
                memcpy(&ld, CData_Ptr(value), sizeof ld);
            else if (ct->ct_size == sizeof(float))
                ld = *(float *)CData_Ptr(value);
            else
                ld = *(double *)CData_Ptr(value);
            if (ld > -9.2e18L && ld < 9.2e18L) {  /* exact, long double's precision */
                *out = (uint64_t)(int64_t)ld;
                return 0;
            }
            return cconv_cast_double_source((double)ld, out);
        }
        if (ct->ct_flags & (CT_PRIMITIVE_INTEGER | CT_PRIMITIVE_CHAR | CT_PRIMITIVE_WCHAR)) {
            PyObject *v = PyNumber_Long(value);
            if (v == NULL)
                return -1;
            *out = PyLong_AsUnsignedLongLongMask(v);
            Py_DECREF(v);
            return 0;
        }
        PyErr_Format(PyExc_TypeError, "cannot cast cdata '%s' to an integer", ct->ct_name);
        return -1;
    }
    if (PyFloat_Check(value))
        return cconv_cast_double_source(PyFloat_AS_DOUBLE(value), out);
    if (PyIndex_Check(value)) {
        PyObject *v = PyNumber_Index(value);
        if (v == NULL)
            return -1;
        *out = PyLong_AsUnsignedLongLongMask(v);
        Py_DECREF(v);
        return 0;
    }
    PyErr_SetString(PyExc_TypeError, "an integer is required");
    return -1;
}

/* cast("_Bool", value) of a number, as CFFI: whether it is nonzero, read
 * from a float or long double cdata as itself (a long double too small for
 * a double is still true), and from other objects through their __float__,
 * else __int__ (else __index__).  1, 0, or -1 with an exception. */
static int cconv_cast_bool_source(PyObject *value)
{
    if (PyLong_Check(value))
        return _PyLong_Sign(value) != 0;
    if (PyFloat_Check(value))
        return PyFloat_AS_DOUBLE(value) != 0.0;
    if (CData_Check(value)) {
        CTypeObject *ct = CData_CType(value);
        if (ct->ct_flags & CT_IS_LONGDOUBLE) {
            long double ld;
            memcpy(&ld, CData_Ptr(value), sizeof ld);
            return ld != 0.0L;
        }
        if (ct->ct_flags & CT_PRIMITIVE_FLOAT)
            return (ct->ct_size == sizeof(float) ? *(float *)CData_Ptr(value)
                                                 : *(double *)CData_Ptr(value)) != 0.0;
        uint64_t v;
        if (cconv_cast_integer_source(value, &v) < 0)
            return -1;
        return v != 0;
    }
    PyNumberMethods *nb = Py_TYPE(value)->tp_as_number;
    PyObject *n;
    if (nb != NULL && nb->nb_float != NULL)
        n = PyNumber_Float(value);
    else if (nb != NULL && (nb->nb_int != NULL || nb->nb_index != NULL))
        n = PyNumber_Long(value);
    else {
        PyErr_SetString(PyExc_TypeError, "integer/float expected");
        return -1;
    }
    if (n == NULL)
        return -1;
    int t = PyObject_IsTrue(n);
    Py_DECREF(n);
    return t;
}

/* cast("int", b"x") and cast("wchar_t", "x"): the character's code. */
static int cconv_cast_char_source(CTypeObject *ct, PyObject *value, uint64_t *out)
{
    if (PyBytes_Check(value) && PyBytes_GET_SIZE(value) == 1) {
        *out = (unsigned char)PyBytes_AS_STRING(value)[0];
        return 0;
    }
    if (PyUnicode_Check(value) && PyUnicode_GET_LENGTH(value) == 1) {
        *out = PyUnicode_READ_CHAR(value, 0);
        return 0;
    }
    if (PyBytes_Check(value))
        PyErr_SetString(PyExc_TypeError,
                        "initializer for ctype 'char' must be a bytes of length 1, not bytes");
    else
        PyErr_Format(PyExc_TypeError, "cannot cast unicode string of length %zd to ctype '%s'",
                     PyUnicode_GET_LENGTH(value), ct->ct_name);
    return -1;
}

/* A cdata of the float type ct holding `ld` rounded as C converts it. */
static PyObject *cconv_new_float(CTypeObject *ct, long double ld)
{
    char buf[32];
    if (ct->ct_flags & CT_IS_LONGDOUBLE) {
        memcpy(buf, &ld, sizeof ld);
    } else if (ct->ct_size == sizeof(float)) {
        float f = (float)ld;
        memcpy(buf, &f, sizeof f);
    } else {
        double d = (double)ld;
        memcpy(buf, &d, sizeof d);
    }
    return cdata_new_value(ct, buf);
}

static PyObject *cconv_cast_to_float(CTypeObject *ct, PyObject *value)
{
    char buf[32];
    if (CData_Check(value)) {
        CTypeObject *src = CData_CType(value);
        if ((src->ct_flags & CT_IS_LONGDOUBLE) && (ct->ct_flags & CT_IS_LONGDOUBLE))
            return cdata_new_value(ct, CData_Ptr(value));
        if (src->ct_flags & CT_PRIMITIVE_FLOAT) {
            long double ld;
            if (src->ct_flags & CT_IS_LONGDOUBLE)
                memcpy(&ld, CData_Ptr(value), sizeof ld);
            else if (src->ct_size == sizeof(float))
                ld = *(float *)CData_Ptr(value);
            else
                ld = *(double *)CData_Ptr(value);
            return cconv_new_float(ct, ld);
        }
        uint64_t v;
        if (cconv_cast_integer_source(value, &v) < 0)
            return NULL;
        int is_signed = (src->ct_flags & CT_PRIMITIVE_SIGNED) != 0;
        long double ld = is_signed ? (long double)(int64_t)v : (long double)v;
        if (src->ct_size < 8 && is_signed) {
            PyObject *pv = PyNumber_Long(value);
            if (pv == NULL)
                return NULL;
            ld = (long double)PyLong_AsLongLong(pv);
            Py_DECREF(pv);
        }
        return cconv_new_float(ct, ld);
    }
    if (PyUnicode_Check(value) || PyBytes_Check(value)) {
        uint64_t code;
        if (cconv_cast_char_source(ct, value, &code) < 0) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "cannot cast %.200s object to ctype '%s'",
                         Py_TYPE(value)->tp_name, ct->ct_name);
            return NULL;
        }
        PyObject *num = PyFloat_FromDouble((double)code);
        if (num == NULL)
            return NULL;
        int rc = cconv_from_python(ct, buf, num);
        Py_DECREF(num);
        return rc < 0 ? NULL : cdata_new_value(ct, buf);
    }
    if (cconv_from_python(ct, buf, value) < 0)
        return NULL;
    return cdata_new_value(ct, buf);
}

static int cconv_is_python_file(PyObject *obj);
static int cconv_file_arg(PyObject *obj, char **out);

PyObject *cconv_cast(CTypeObject *ct, PyObject *value)
{
    uint32_t f = ct->ct_flags;
    if (!CData_Check(value) && PyCFunction_Check(value) && cconv_function_object
        && (f & (CT_PRIMITIVE_INTEGER | CT_PRIMITIVE_CHAR | CT_POINTER
                 | CT_FUNCTIONPTR | CT_ARRAY))
        && !(f & CT_IS_BOOL)) {
        /* `lib.f` cast as its function pointer's address, as CFFI */
        void *address;
        int found = cconv_function_object(value, NULL, &address);
        if (found < 0)
            return NULL;
        if (found > 0) {
            PyObject *number = PyLong_FromVoidPtr(address);
            if (number == NULL)
                return NULL;
            PyObject *res = cconv_cast(ct, number);
            Py_DECREF(number);
            return res;
        }
    }
    char buf[32];
    if (f & (CT_PRIMITIVE_INTEGER | CT_PRIMITIVE_CHAR | CT_PRIMITIVE_WCHAR)) {
        uint64_t v;
        if ((f & CT_IS_BOOL) && !PyBytes_Check(value) && !PyUnicode_Check(value)
            && !(CData_Check(value) && (CData_CType(value)->ct_flags & CT_POINTER_LIKE))) {
            int t = cconv_cast_bool_source(value);
            if (t < 0)
                return NULL;
            v = (uint64_t)t;
        } else if (PyBytes_Check(value) || PyUnicode_Check(value)) {
            if (cconv_cast_char_source(ct, value, &v) < 0)
                return NULL;
        } else if (cconv_cast_integer_source(value, &v) < 0)
            return NULL;
        if (f & CT_IS_BOOL)
            v = v != 0;
        memcpy(buf, &v, 8);  /* little-endian: the low bytes come first */
        return cdata_new_value(ct, buf);
    }
    if (f & (CT_POINTER | CT_FUNCTIONPTR | CT_ARRAY)) {
        uint64_t v;
        if (CData_Check(value) && CData_IsReleased(value)) {
            cdata_raise_released(NULL, value, "cannot cast it");
            return NULL;
        }
        if ((f & CT_POINTER) && (ct->ct_item->ct_flags & CT_IS_FILE) && !CData_Check(value)) {
            /* ffi.cast("FILE *", python_file), as CFFI */
            int is_file = cconv_is_python_file(value);
            char *file;
            if (is_file < 0 || (is_file && cconv_file_arg(value, &file) < 0))
                return NULL;
            if (is_file)
                return cdata_new_pointer(ct, file);
        }
        if (cconv_cast_integer_source(value, &v) < 0)
            return NULL;
        /* a cast into a separate ffi.new() block keeps the block alive */
        PyObject *keep = CData_Check(value) ? cdata_keepalive(value) : NULL;
        if (keep != NULL && PyCapsule_CheckExact(keep))
            return cdata_new_view(ct, (char *)(uintptr_t)v, keep);
        return cdata_new_pointer(ct, (void *)(uintptr_t)v);
    }
    if ((f & (CT_PRIMITIVE_FLOAT | CT_PRIMITIVE_COMPLEX)) && CData_Check(value)
        && !(CData_CType(value)->ct_flags & CT_PRIMITIVE_ANY)) {
        /* as CFFI: only a primitive cdata gives a number (a pointer's
         * address is no float) */
        PyErr_Format(PyExc_TypeError, "cannot cast ctype '%s' to ctype '%s'",
                     CData_CType(value)->ct_name, ct->ct_name);
        return NULL;
    }
    if (f & CT_PRIMITIVE_FLOAT)
        return cconv_cast_to_float(ct, value);
    if (f & CT_PRIMITIVE_COMPLEX) {
        if (CData_Check(value) && (CData_CType(value)->ct_flags & CT_PRIMITIVE_COMPLEX))
            value = cconv_to_python(CData_CType(value), CData_Ptr(value));
        else if (CData_Check(value))
            value = PyNumber_Float(value);
        else if (PyBytes_Check(value) || PyUnicode_Check(value)) {
            uint64_t code;
            if (cconv_cast_char_source(ct, value, &code) < 0)
                return NULL;
            value = PyFloat_FromDouble((double)code);
        } else
            Py_INCREF(value);
        if (value == NULL)
            return NULL;
        int rc = cconv_from_python(ct, buf, value);
        Py_DECREF(value);
        return rc < 0 ? NULL : cdata_new_value(ct, buf);
    }
    PyErr_Format(PyExc_TypeError, "cannot cast to ctype '%s'", ct->ct_name);
    return NULL;
}

/* ------------------------------------------------------ pointer arguments */

static void cconv_close_file_capsule(PyObject *capsule)
{
    FILE *f = PyCapsule_GetPointer(capsule, "FILE");
    if (f != NULL)
        fclose(f);
}

/* Is obj a Python file object (an io.IOBase)?  1, 0, or -1. */
static int cconv_is_python_file(PyObject *obj)
{
    static PyObject *iobase;
    if (iobase == NULL) {
        PyObject *io = PyImport_ImportModule("io");
        if (io == NULL)
            return -1;
        iobase = PyObject_GetAttrString(io, "IOBase");
        Py_DECREF(io);
        if (iobase == NULL)
            return -1;
    }
    return PyObject_IsInstance(obj, iobase);
}

/* A Python file passed where C wants a FILE *, as CFFI allows: the file is
 * flushed, and an unbuffered FILE on a dup() of its descriptor is made the
 * first time and kept on the file object (closed when that goes), so that
 * what C writes lands in order with what Python writes. */
static int cconv_file_arg(PyObject *obj, char **out)
{
    PyObject *r = PyObject_CallMethod(obj, "flush", NULL);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    PyObject *capsule = PyObject_GetAttrString(obj, "__cffi_FILE");
    if (capsule != NULL) {
        *out = PyCapsule_GetPointer(capsule, "FILE");
        Py_DECREF(capsule);
        return *out == NULL ? -1 : 0;
    }
    PyErr_Clear();
    int fd = PyObject_AsFileDescriptor(obj);
    if (fd < 0)
        return -1;
    PyObject *mode_obj = PyObject_GetAttrString(obj, "mode");
    const char *m = mode_obj && PyUnicode_Check(mode_obj)
                    ? PyUnicode_AsUTF8(mode_obj) : NULL;
    if (m == NULL) {
        Py_XDECREF(mode_obj);
        PyErr_Clear();
        m = "r";
        mode_obj = NULL;
    }
    const char *mode = strchr(m, '+') ? (strchr(m, 'a') ? "a+" : "r+")
                     : strchr(m, 'a') ? "a"
                     : (strchr(m, 'w') || strchr(m, 'x')) ? "w" : "r";
    Py_XDECREF(mode_obj);
    int fd2 = dup(fd);
    FILE *f = fd2 < 0 ? NULL : fdopen(fd2, mode);
    if (f == NULL) {
        if (fd2 >= 0)
            close(fd2);
        PyErr_SetFromErrno(PyExc_OSError);
        return -1;
    }
    setvbuf(f, NULL, _IONBF, 0);
    capsule = PyCapsule_New(f, "FILE", cconv_close_file_capsule);
    if (capsule == NULL) {
        fclose(f);
        return -1;
    }
    int rc = PyObject_SetAttrString(obj, "__cffi_FILE", capsule);
    Py_DECREF(capsule);   /* on failure this closes f */
    if (rc < 0)
        return -1;
    *out = (char *)f;
    return 0;
}

Py_ssize_t cconv_prepare_pointer_arg(CTypeObject *ct, PyObject *obj, char **out)
{
    CTypeObject *item = ct->ct_item;
    if (!(ct->ct_flags & CT_POINTER)) {
        if (cconv_pointer_value(ct, obj, out) < 0)
            return -1;
        return 0;
    }
    if (PyBytes_Check(obj) && (item->ct_flags & (CT_PRIMITIVE_CHAR | CT_VOID)
                               || ((item->ct_flags & CT_PRIMITIVE_INTEGER)
                                   && item->ct_size == 1))) {
        *out = PyBytes_AS_STRING(obj);
        return 0;
    }
    if (PyList_Check(obj) || PyTuple_Check(obj)) {
        if (item->ct_size <= 0) {
            PyErr_Format(PyExc_TypeError, "ctype '%s' is of unknown size", item->ct_name);
            return -1;
        }
        Py_ssize_t n = PySequence_Fast_GET_SIZE(obj);
        return n == 0 ? item->ct_size : n * item->ct_size;
    }
    if ((item->ct_flags & CT_PRIMITIVE_WCHAR) && PyUnicode_Check(obj))
        return (PyUnicode_GET_LENGTH(obj) * 2 + 1) * item->ct_size;
    if ((item->ct_flags & CT_IS_FILE) && !CData_Check(obj)) {
        int is_file = cconv_is_python_file(obj);
        if (is_file < 0)
            return -1;
        if (is_file)
            return cconv_file_arg(obj, out) < 0 ? -1 : 0;
    }
    /* (None is refused, as CFFI refuses it: ffi.NULL is the null pointer) */
    if (cconv_pointer_value(ct, obj, out) < 0)
        return -1;
    return 0;
}

int cconv_fill_pointer_arg(CTypeObject *ct, char *buf, PyObject *obj)
{
    CTypeObject *arr = ctype_array_of(ct->ct_item, -1);
    if (arr == NULL)
        return -1;
    int rc = cconv_from_python(arr, buf, obj);
    Py_DECREF(arr);
    return rc;
}
