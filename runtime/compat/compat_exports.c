/* compat_exports.c - the table of C functions that modules built by real
 * CFFI call: `_cffi_backend._C_API` and the array _init_cffi_1_0_external_
 * module() copies into each module's `_cffi_exports`.
 *
 * The generated code of such a module converts its arguments and results
 * through these slots (integers of each size, char, wchar_t, long double,
 * _Bool, pointers, structs, arrays passed to pointer parameters), saves and
 * restores errno around each call, and enters extern "Python" functions
 * through slot 25.  The slot numbers and C signatures are CFFI's binary
 * interface (_cffi_include.h in CFFI); each slot is implemented with the
 * runtime's own conversions (object/cconv.h), so errors read as they do
 * for our own modules, except for the integer slots, whose messages name
 * "N-bit int" as CFFI's do.
 */
#include <Python.h>
#include "config.h"
#include <string.h>
#include <wchar.h>
#include "object/errors.h"
#include "object/ctype_obj.h"
#include "object/cdata.h"
#include "object/cconv.h"
#include "compat/compat_ctx.h"
#include "compat/compat_state.h"

/* ------------------------------------------------------------ integers */

/* An int from obj as CFFI's generated code expects: a Python int, or an
 * object with __int__ that is neither a float nor a cdata.  -1 on error. */
static int compat_int_object(PyObject *obj, PyObject **out)
{
    if (PyLong_Check(obj)) {
        Py_INCREF(obj);
        *out = obj;
        return 0;
    }
    PyNumberMethods *nb = Py_TYPE(obj)->tp_as_number;
    if (PyFloat_Check(obj) || CData_Check(obj) || nb == NULL || nb->nb_int == NULL) {
        PyErr_SetString(PyExc_TypeError, "an integer is required");
        return -1;
    }
    PyObject *io = nb->nb_int(obj);
    if (io == NULL)
        return -1;
    if (!PyLong_Check(io)) {
        Py_DECREF(io);
        PyErr_SetString(PyExc_TypeError, "integer conversion failed");
        return -1;
    }
    *out = io;
    return 0;
}

static int compat_overflow(PyObject *obj, const char *what)
{
    if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_OverflowError))
        return -1;
    PyErr_Clear();
    PyObject *s = PyObject_Str(obj);
    if (s == NULL)
        return -1;
    PyErr_Format(PyExc_OverflowError, "integer %U does not fit '%s'", s, what);
    Py_DECREF(s);
    return -1;
}

/* A signed value of `bits` bits; -1 with an exception on error. */
static long long compat_signed(PyObject *obj, int bits, const char *what)
{
    PyObject *io;
    if (compat_int_object(obj, &io) < 0)
        return -1;
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(io, &overflow);
    Py_DECREF(io);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow || (bits < 64 && (v > (1LL << (bits - 1)) - 1
                                   || v < -(1LL << (bits - 1)))))
        return compat_overflow(obj, what);
    return v;
}

static unsigned long long compat_unsigned(PyObject *obj, int bits, const char *what)
{
    PyObject *io;
    if (compat_int_object(obj, &io) < 0)
        return (unsigned long long)-1;
    if (_PyLong_Sign(io) < 0) {
        Py_DECREF(io);
        PyErr_SetString(PyExc_OverflowError, "can't convert negative number to unsigned");
        return (unsigned long long)-1;
    }
    unsigned long long v = PyLong_AsUnsignedLongLong(io);
    Py_DECREF(io);
    if (v == (unsigned long long)-1 && PyErr_Occurred())
        return (unsigned long long)compat_overflow(obj, what);
    if (bits < 64 && v >> bits)
        return (unsigned long long)compat_overflow(obj, what);
    return v;
}

static int compat_to_c_i8(PyObject *o) { return (int)compat_signed(o, 8, "8-bit int"); }
static int compat_to_c_u8(PyObject *o) { return (int)compat_unsigned(o, 8, "8-bit unsigned int"); }
static int compat_to_c_i16(PyObject *o) { return (int)compat_signed(o, 16, "16-bit int"); }
static int compat_to_c_u16(PyObject *o) { return (int)compat_unsigned(o, 16, "16-bit unsigned int"); }
static int compat_to_c_i32(PyObject *o) { return (int)compat_signed(o, 32, "32-bit int"); }
static unsigned int compat_to_c_u32(PyObject *o)
{
    return (unsigned int)compat_unsigned(o, 32, "32-bit unsigned int");
}
static long long compat_to_c_i64(PyObject *o) { return compat_signed(o, 64, "64-bit int"); }
static unsigned long long compat_to_c_u64(PyObject *o)
{
    return compat_unsigned(o, 64, "64-bit unsigned int");
}

static _Bool compat_to_c_bool(PyObject *o)
{
    long long v = compat_signed(o, 64, "_Bool");
    if (v == -1 && PyErr_Occurred())
        return (_Bool)-1;
    if (v != 0 && v != 1) {
        compat_overflow(o, "_Bool");
        return (_Bool)-1;
    }
    return (_Bool)v;
}

/* ------------------------------------------------------ chars and floats */

/* Writes obj into a temporary of primitive `prim` through the runtime's
 * conversion (its messages); -1 on error. */
static int compat_to_prim(int prim, PyObject *obj, void *out)
{
    return cconv_from_python(ctype_primitive(prim), out, obj);
}

static int compat_to_c_char(PyObject *o)
{
    char c;
    if (compat_to_prim(CCT_PRIM_CHAR, o, &c) < 0)
        return -1;
    return (unsigned char)c;
}

static PyObject *compat_from_c_char(char c)
{
    return PyBytes_FromStringAndSize(&c, 1);
}

static wchar_t compat_to_c_wchar(PyObject *o)
{
    wchar_t w;
    if (compat_to_prim(CCT_PRIM_WCHAR, o, &w) < 0)
        return (wchar_t)-1;
    return w;
}

static PyObject *compat_from_c_wchar(wchar_t w)
{
    return cconv_to_python(ctype_primitive(CCT_PRIM_WCHAR), (const char *)&w);
}

/* wchar_t is 4 bytes here: the "other" size is char16_t. */
static int compat_to_c_char16(PyObject *o)
{
    uint16_t c;
    if (compat_to_prim(CCT_PRIM_CHAR16, o, &c) < 0)
        return -1;
    return c;
}

static PyObject *compat_from_c_char16(int x)
{
    uint16_t c = (uint16_t)x;
    return cconv_to_python(ctype_primitive(CCT_PRIM_CHAR16), (const char *)&c);
}

static long double compat_to_c_long_double(PyObject *o)
{
    if (CData_Check(o) && (CData_CType(o)->ct_flags & CT_IS_LONGDOUBLE)) {
        long double v;
        memcpy(&v, CData_Ptr(o), sizeof v);
        return v;
    }
    return PyFloat_AsDouble(o);
}

/* ----------------------------------------------------- pointers, records */

static PyObject *compat_from_c_pointer(char *ptr, CTypeObject *ct)
{
    return cconv_to_python(ct, (const char *)&ptr);
}

static char *compat_to_c_pointer(PyObject *obj, CTypeObject *ct)
{
    char *result = NULL;
    if (cconv_from_python(ct, (char *)&result, obj) < 0)
        return NULL;
    return result;
}

static PyObject *compat_from_c_deref(char *data, CTypeObject *ct)
{
    return cconv_to_python(ct, data);
}

static int compat_to_c(char *data, CTypeObject *ct, PyObject *obj)
{
    return cconv_from_python(ct, data, obj);
}

/* A struct/union returned by value: an owning cdata holding a copy. */
static PyObject *compat_from_c_struct(char *data, CTypeObject *ct)
{
    return cdata_new_record_copy(ct, data);
}

static Py_ssize_t compat_prepare_pointer_arg(CTypeObject *ct, PyObject *obj,
                                             char **out)
{
    return cconv_prepare_pointer_arg(ct, obj, out);
}

static int compat_convert_array(char *data, CTypeObject *ct, PyObject *obj)
{
    if (ct->ct_flags & CT_POINTER)
        return cconv_fill_pointer_arg(ct, data, obj);
    return cconv_from_python(ct, data, obj);
}

/* ------------------------------------------------------------- errno */

static void compat_restore_errno(void) { cconv_errno_restore(); }
static void compat_save_errno(void) { cconv_errno_save(); }

/* Slot 12 of CFFI 0.x, kept for old modules: the list of the numbers up
 * to the first negative one. */
static PyObject *compat_get_struct_layout(Py_ssize_t nums[])
{
    Py_ssize_t n = 0;
    while (nums[n] >= 0)
        n++;
    PyObject *res = PyList_New(n);
    for (Py_ssize_t i = 0; res != NULL && i < n; i++) {
        PyObject *o = PyLong_FromSsize_t(nums[i]);
        if (o == NULL) {
            Py_CLEAR(res);
            break;
        }
        PyList_SET_ITEM(res, i, o);
    }
    return res;
}

/* --------------------------------------------------------------- table */

void *compat_exports[COMPAT_NUM_EXPORTS] = {
    NULL,
    (void *)compat_to_c_i8,
    (void *)compat_to_c_u8,
    (void *)compat_to_c_i16,
    (void *)compat_to_c_u16,
    (void *)compat_to_c_i32,
    (void *)compat_to_c_u32,
    (void *)compat_to_c_i64,
    (void *)compat_to_c_u64,
    (void *)compat_to_c_char,
    (void *)compat_from_c_pointer,
    (void *)compat_to_c_pointer,
    (void *)compat_get_struct_layout,
    (void *)compat_restore_errno,
    (void *)compat_save_errno,
    (void *)compat_from_c_char,
    (void *)compat_from_c_deref,
    (void *)compat_to_c,
    (void *)compat_from_c_struct,
    (void *)compat_to_c_wchar,
    (void *)compat_from_c_wchar,
    (void *)compat_to_c_long_double,
    (void *)compat_to_c_bool,
    (void *)compat_prepare_pointer_arg,
    (void *)compat_convert_array,
    (void *)compat_call_python,
    (void *)compat_to_c_char16,
    (void *)compat_from_c_char16,
};

int compat_exports_init_module(PyObject *m)
{
    PyObject *cap = PyCapsule_New((void *)compat_exports, "cffi", NULL);
    if (cap == NULL)
        return -1;
    if (PyModule_AddObject(m, "_C_API", cap) < 0) {
        Py_DECREF(cap);
        return -1;
    }
    return 0;
}
