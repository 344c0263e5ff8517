/* ccall.c - calls into C through libffi.
 *
 * Walkthrough of a call f(a, b):
 *   1. the function's CType carries a ccall_info (ccall_type.c): the ffi_cif
 *      prepared once, the argument types with arrays decayed, and the
 *      layout of one buffer holding every argument slot and the result;
 *   2. the buffer is a stack array when it fits (almost always), and each
 *      argument is converted straight into its slot - ints and doubles by a
 *      fast path, everything else by cconv; a pointer parameter also takes
 *      bytes (pointing into them) or a list (a temporary array, freed after
 *      the call);
 *   3. errno is set from ffi.errno, the GIL released, the function called,
 *      errno saved back into ffi.errno, the GIL taken again.  A function
 *      whose arguments all travel in registers is called directly (see
 *      ccall_type.h); the others go through ffi_call();
 *   4. the result slot is converted back: small integers arrive widened to
 *      ffi_arg, which on this little-endian target reads back as the narrow
 *      type; a struct result becomes an owning cdata copy.
 * Variadic functions prepare a cif per call (ffi_prep_cif_var) from the
 * types of the cdata objects passed in the variable part, promoted as C
 * promotes them.  API mode reuses steps 1, 2 and 4 around a generated
 * trampoline (ccall_call_trampoline); its functions of up to four integer
 * or pointer arguments are planned once instead (ccall_plan_init): the
 * converters decided in advance, the generated function of the cdef's
 * type called with its arguments in registers.
 */
#include <Python.h>
#include "config.h"
#include <stdint.h>
#include <string.h>
#include "object/errors.h"
#include "call/ccall.h"
#include "call/ccall_type.h"
#include "object/cconv.h"

#if PY_VERSION_HEX < 0x030B0000
#include <longintrepr.h>      /* 3.11+ include it from Python.h */
#endif

#define CCALL_STACK_BUFFER 512   /* bytes of argument slots on the C stack */
#define CCALL_STACK_ARGS 16      /* arguments whose bookkeeping is on the stack */

/* Per-call bookkeeping: the slots and the temporaries to free afterwards. */
typedef struct ccall_frame {
    char *buffer;
    void **avalues;
    void **temps;
    Py_ssize_t ntemps;
    _Alignas(CCALL_SLOT_ALIGN) char stack_buffer[CCALL_STACK_BUFFER];
    void *stack_avalues[CCALL_STACK_ARGS];
    void *stack_temps[CCALL_STACK_ARGS];
} ccall_frame;

/* The frame's heap parts, for calls too big for the stack arrays. */
static int ccall_frame_grow(ccall_frame *fr, size_t buffer_size, Py_ssize_t nargs)
{
    if (buffer_size > CCALL_STACK_BUFFER) {
        fr->buffer = PyMem_Malloc(buffer_size);
        if (fr->buffer == NULL)
            goto nomem;
    }
    if (nargs > CCALL_STACK_ARGS) {
        fr->avalues = PyMem_Malloc(2 * (size_t)nargs * sizeof(void *));
        if (fr->avalues == NULL)
            goto nomem;
        fr->temps = fr->avalues + nargs;
    }
    return 0;
nomem:
    if (fr->buffer != fr->stack_buffer)
        PyMem_Free(fr->buffer);
    fr->buffer = fr->stack_buffer;
    PyErr_NoMemory();
    return -1;
}

static void ccall_frame_free(ccall_frame *fr)
{
    for (Py_ssize_t i = 0; i < fr->ntemps; i++)
        PyMem_Free(fr->temps[i]);
    if (fr->buffer != fr->stack_buffer)
        PyMem_Free(fr->buffer);
    if (fr->avalues != fr->stack_avalues)
        PyMem_Free(fr->avalues);
}

/* Inline: almost every call fits the stack arrays and has no temporary. */
static inline int ccall_frame_init(ccall_frame *fr, size_t buffer_size,
                                   Py_ssize_t nargs)
{
    fr->ntemps = 0;
    fr->buffer = fr->stack_buffer;
    fr->avalues = fr->stack_avalues;
    fr->temps = fr->stack_temps;
    if (buffer_size > CCALL_STACK_BUFFER || nargs > CCALL_STACK_ARGS)
        return ccall_frame_grow(fr, buffer_size, nargs);
    return 0;
}

static inline void ccall_frame_release(ccall_frame *fr)
{
    if (fr->ntemps != 0 || fr->buffer != fr->stack_buffer
        || fr->avalues != fr->stack_avalues)
        ccall_frame_free(fr);
}

/* ------------------------------------------------------------ arguments */

/* The value of an exact int, read straight from a one-digit object (every
 * int below 2**30 in magnitude) or else through the C API. */
static inline long long ccall_long_value(PyObject *obj, int *overflow)
{
#if PY_VERSION_HEX >= 0x030C0000
    if (PyUnstable_Long_IsCompact((PyLongObject *)obj)) {
        *overflow = 0;
        return PyUnstable_Long_CompactValue((PyLongObject *)obj);
    }
#else
    Py_ssize_t size = Py_SIZE(obj);
    if (size >= -1 && size <= 1) {
        *overflow = 0;
        return size * (long long)((PyLongObject *)obj)->ob_digit[0];
    }
#endif
    return PyLong_AsLongLongAndOverflow(obj, overflow);
}

static int ccall_put_sint(CTypeObject *ct, char *dst, PyObject *obj)
{
    if (PyLong_CheckExact(obj)) {
        int overflow;
        long long v = ccall_long_value(obj, &overflow);
        if (!overflow) {
            switch (ct->ct_size) {
            case 8: *(int64_t *)dst = v; return 0;
            case 4: if (v == (int32_t)v) { *(int32_t *)dst = (int32_t)v; return 0; } break;
            case 2: if (v == (int16_t)v) { *(int16_t *)dst = (int16_t)v; return 0; } break;
            case 1: if (v == (int8_t)v) { *(int8_t *)dst = (int8_t)v; return 0; } break;
            }
        }
    }
    return cconv_from_python(ct, dst, obj);
}

static int ccall_put_uint(CTypeObject *ct, char *dst, PyObject *obj)
{
    if (PyLong_CheckExact(obj)) {
        int overflow;
        long long v = ccall_long_value(obj, &overflow);
        if (!overflow && v >= 0) {
            switch (ct->ct_size) {
            case 8: *(uint64_t *)dst = (uint64_t)v; return 0;
            case 4: if (v <= UINT32_MAX) { *(uint32_t *)dst = (uint32_t)v; return 0; } break;
            case 2: if (v <= UINT16_MAX) { *(uint16_t *)dst = (uint16_t)v; return 0; } break;
            case 1: if (v <= UINT8_MAX) { *(uint8_t *)dst = (uint8_t)v; return 0; } break;
            }
        }
    }
    return cconv_from_python(ct, dst, obj);
}

/* A pointer argument: a cdata or bytes directly, a list through a
 * temporary array that lives until the call returns. */
static int ccall_put_pointer(ccall_frame *fr, CTypeObject *ct, char *dst,
                             PyObject *obj)
{
    char *ptr;
    if (CData_Check(obj) && CData_CType(obj) == ct       /* the common case */
        && !CData_IsReleased(obj)) {
        *(char **)dst = CData_Ptr(obj);
        return 0;
    }
    if (PyBytes_CheckExact(obj) && ct->ct_item->ct_size == 1
        && (ct->ct_item->ct_flags & (CT_PRIMITIVE_CHAR | CT_PRIMITIVE_INTEGER))
        && !(ct->ct_item->ct_flags & CT_IS_BOOL)) {
        *(char **)dst = PyBytes_AS_STRING(obj);             /* char * from bytes */
        return 0;
    }
    Py_ssize_t need = cconv_prepare_pointer_arg(ct, obj, &ptr);
    if (need < 0)
        return -1;
    if (need > 0) {
        ptr = PyMem_Calloc(1, (size_t)need);
        if (ptr == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        fr->temps[fr->ntemps++] = ptr;
        if (cconv_fill_pointer_arg(ct, ptr, obj) < 0)
            return -1;
    }
    *(char **)dst = ptr;
    return 0;
}

static int ccall_put_arg(ccall_frame *fr, int kind, CTypeObject *ct, char *dst,
                         PyObject *obj)
{
    switch (kind) {
    case CCALL_ARG_SINT:
        return ccall_put_sint(ct, dst, obj);
    case CCALL_ARG_UINT:
        return ccall_put_uint(ct, dst, obj);
    case CCALL_ARG_DOUBLE:
        if (PyFloat_CheckExact(obj)) {
            *(double *)dst = PyFloat_AS_DOUBLE(obj);
            return 0;
        }
        return cconv_from_python(ct, dst, obj);
    case CCALL_ARG_POINTER:
        return ccall_put_pointer(fr, ct, dst, obj);
    default:
        return cconv_from_python(ct, dst, obj);
    }
}

/* ------------------------------------------------------------ results */

static PyObject *ccall_sint_result(const char *src, Py_ssize_t size)
{
    switch (size) {
    case 1: return PyLong_FromLong(*(const int8_t *)src);
    case 2: return PyLong_FromLong(*(const int16_t *)src);
    case 4: return PyLong_FromLong(*(const int32_t *)src);
    default: return PyLong_FromLongLong(*(const int64_t *)src);
    }
}

static PyObject *ccall_uint_result(const char *src, Py_ssize_t size)
{
    switch (size) {
    case 1: return PyLong_FromLong(*(const uint8_t *)src);
    case 2: return PyLong_FromLong(*(const uint16_t *)src);
    case 4: return PyLong_FromUnsignedLong(*(const uint32_t *)src);
    default: return PyLong_FromUnsignedLongLong(*(const uint64_t *)src);
    }
}

PyObject *ccall_to_python(CTypeObject *ct, int kind, const char *src)
{
    switch (kind) {
    case CCALL_ARG_SINT:
        return ccall_sint_result(src, ct->ct_size);
    case CCALL_ARG_UINT:
        return ccall_uint_result(src, ct->ct_size);
    case CCALL_ARG_DOUBLE:
        return PyFloat_FromDouble(*(const double *)src);
    default:
        break;
    }
    if (ct->ct_flags & CT_VOID)
        Py_RETURN_NONE;
    if (ct->ct_flags & CT_STRUCT_OR_UNION)
        return cdata_new_record_copy(ct, src);
    return cconv_to_python(ct, src);
}

/* ------------------------------------------------------------ the call */

/* ffi_call with errno from/to ffi.errno and the GIL released. */
static void ccall_invoke(ffi_cif *cif, void *fnptr, void *result, void **avalues)
{
    int *saved_errno = &cconv_saved_errno;   /* one TLS lookup per call */
    Py_BEGIN_ALLOW_THREADS
    errno = *saved_errno;
    ffi_call(cif, FFI_FN(fnptr), result, avalues);
    *saved_errno = errno;
    Py_END_ALLOW_THREADS
}

/* ------------------------------------------------------------ direct */

typedef int64_t (*ccall_fn_rax)(int64_t, int64_t, int64_t, int64_t, int64_t,
                                int64_t, double, double, double, double,
                                double, double, double, double);
typedef double (*ccall_fn_double)(int64_t, int64_t, int64_t, int64_t, int64_t,
                                  int64_t, double, double, double, double,
                                  double, double, double, double);
typedef float (*ccall_fn_float)(int64_t, int64_t, int64_t, int64_t, int64_t,
                                int64_t, double, double, double, double,
                                double, double, double, double);

/* The integer in a slot, widened to 64 bits as its type requires. */
static int64_t ccall_slot_integer(const char *slot, const ccall_direct_arg *d)
{
    if (d->is_signed) {
        switch (d->size) {
        case 1: return *(const int8_t *)slot;
        case 2: return *(const int16_t *)slot;
        case 4: return *(const int32_t *)slot;
        default: return *(const int64_t *)slot;
        }
    }
    switch (d->size) {
    case 1: return *(const uint8_t *)slot;
    case 2: return *(const uint16_t *)slot;
    case 4: return *(const uint32_t *)slot;
    default: return *(const int64_t *)slot;
    }
}

/* The register image of a float/double slot: a float keeps its 32 bits in
 * the low half, as the callee reads it. */
static double ccall_slot_sse(const char *slot, const ccall_direct_arg *d)
{
    if (d->size == 8)
        return *(const double *)slot;
    union { double d; uint64_t u; } r = { .u = *(const uint32_t *)slot };
    return r.d;
}

/* Calls fnptr with the arguments in registers (see ccall_type.h), GIL
 * released, errno handled like ccall_invoke(). */
static void ccall_invoke_direct(ccall_info *info, void *fnptr, char *buffer,
                                char *result)
{
    int64_t g[CCALL_DIRECT_GPR] = { 0 };
    double x[CCALL_DIRECT_SSE] = { 0 };
    for (Py_ssize_t i = 0; i < info->nargs; i++) {
        const ccall_direct_arg *d = &info->dargs[i];
        const char *slot = buffer + info->offsets[i];
        if (d->sse)
            x[d->reg] = ccall_slot_sse(slot, d);
        else
            g[d->reg] = ccall_slot_integer(slot, d);
    }
    int *saved_errno = &cconv_saved_errno;   /* one TLS lookup per call */
    Py_BEGIN_ALLOW_THREADS
    errno = *saved_errno;
    switch (info->direct) {
    case CCALL_DIRECT_DOUBLE:
        *(double *)result = ((ccall_fn_double)fnptr)(g[0], g[1], g[2], g[3], g[4], g[5],
                                                    x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
        break;
    case CCALL_DIRECT_FLOAT:
        *(float *)result = ((ccall_fn_float)fnptr)(g[0], g[1], g[2], g[3], g[4], g[5],
                                                  x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
        break;
    default:
        *(int64_t *)result = ((ccall_fn_rax)fnptr)(g[0], g[1], g[2], g[3], g[4], g[5],
                                                  x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]);
        break;
    }
    *saved_errno = errno;
    Py_END_ALLOW_THREADS
}

static PyObject *ccall_wrong_count(CTypeObject *fn, Py_ssize_t expected,
                                   Py_ssize_t got, int at_least)
{
    return PyErr_Format(PyExc_TypeError, "'%s' expects %s%zd arguments, got %zd",
                        fn->ct_name, at_least ? "at least " : "", expected, got);
}

/* Converts the fixed arguments into the frame's slots. */
static int ccall_put_fixed(ccall_frame *fr, ccall_info *info,
                           PyObject *const *args)
{
    for (Py_ssize_t i = 0; i < info->nargs; i++) {
        char *slot = fr->buffer + info->offsets[i];
        fr->avalues[i] = slot;
        if (ccall_put_arg(fr, info->argkinds[i], info->argtypes[i], slot,
                          args[i]) < 0)
            return -1;
    }
    return 0;
}

static PyObject *ccall_call_variadic(CDataObject *fn, ccall_info *info,
                                     PyObject *const *args, Py_ssize_t nargs);

PyObject *ccall_call(CDataObject *fn, PyObject *const *args, Py_ssize_t nargs)
{
    CTypeObject *fnct = fn->c_type;
    ccall_info *info = fnct->ct_call_info;
    if (info == NULL && (info = ccall_info_get(fnct)) == NULL)
        return NULL;
    if (fn->c_data == NULL)
        return PyErr_Format(PyExc_RuntimeError,
                            "cannot call null pointer pointer from cdata '%s'",
                            fnct->ct_name);
    if (info->variadic)
        return ccall_call_variadic(fn, info, args, nargs);
    if (info->libffi_refused) {   /* as CFFI: NotImplementedError at the call */
        ccall_libffi_check(fnct);
        return NULL;
    }
    if (nargs != info->nargs)
        return ccall_wrong_count(fnct, info->nargs, nargs, 0);
    ccall_frame fr;
    if (ccall_frame_init(&fr, info->buffer_size, nargs) < 0)
        return NULL;
    PyObject *res = NULL;
    if (ccall_put_fixed(&fr, info, args) == 0) {
        char *result = fr.buffer + info->result_offset;
        if (info->direct != CCALL_DIRECT_NONE)
            ccall_invoke_direct(info, fn->c_data, fr.buffer, result);
        else
            ccall_invoke(&info->cif, fn->c_data, result, fr.avalues);
        res = ccall_to_python(info->result, info->result_kind, result);
    }
    ccall_frame_release(&fr);
    return res;
}

PyObject *ccall_call_trampoline(CTypeObject *fnct,
                                void (*trampoline)(void **args, void *result),
                                PyObject *const *args, Py_ssize_t nargs)
{
    ccall_info *info = fnct->ct_call_info;
    if (info == NULL && (info = ccall_info_get(fnct)) == NULL)
        return NULL;
    if (info->variadic)
        return PyErr_Format(PyExc_NotImplementedError,
                            "API-mode call of the variadic function type '%s'",
                            fnct->ct_name);
    if (nargs != info->nargs)
        return ccall_wrong_count(fnct, info->nargs, nargs, 0);
    ccall_frame fr;
    if (ccall_frame_init(&fr, info->buffer_size, nargs) < 0)
        return NULL;
    PyObject *res = NULL;
    if (ccall_put_fixed(&fr, info, args) == 0) {
        char *result = fr.buffer + info->result_offset;
        int *saved_errno = &cconv_saved_errno;
        Py_BEGIN_ALLOW_THREADS
        errno = *saved_errno;
        trampoline(fr.avalues, result);
        *saved_errno = errno;
        Py_END_ALLOW_THREADS
        res = ccall_to_python(info->result, info->result_kind, result);
    }
    ccall_frame_release(&fr);
    return res;
}

/* ------------------------------------------------------------ API quick */

/* The common API-mode call, as lean as a hand-written extension function:
 * at most CCALL_QUICK_ARGS arguments, each an integer, double or pointer
 * in an 8-byte slot, and an integer, double, pointer or void result.  Only the
 * fast conversions are tried (an exact int in range, an exact float, a
 * cdata of the parameter's own pointer type, bytes for a char pointer);
 * anything else goes to ccall_call_trampoline() before any side effect,
 * which converts everything again the general way. */
#define CCALL_QUICK_ARGS 8

int ccall_trampoline_is_quick(CTypeObject *fnct)
{
    ccall_info *info = ccall_info_get(fnct);
    if (info == NULL)
        return -1;
    if (info->variadic || info->nargs > CCALL_QUICK_ARGS
        || info->result_size > 16)
        return 0;
    for (Py_ssize_t i = 0; i < info->nargs; i++)
        if (info->argkinds[i] == CCALL_ARG_GENERIC)
            return 0;
    if (info->result_kind == CCALL_ARG_GENERIC)
        return (info->result->ct_flags & CT_VOID) != 0;
    return 1;
}

/* One argument by the fast conversions only: 1 done, 0 not fast. */
static inline int ccall_quick_arg(int kind, CTypeObject *ct, char *dst,
                                  PyObject *obj)
{
    int overflow;
    long long v;
    switch (kind) {
    case CCALL_ARG_SINT:
        if (!PyLong_CheckExact(obj))
            return 0;
        v = ccall_long_value(obj, &overflow);
        if (overflow)
            return 0;
        switch (ct->ct_size) {
        case 4: *(int64_t *)dst = (int32_t)v; return v == (int32_t)v;
        case 8: *(int64_t *)dst = v; return 1;
        case 2: *(int64_t *)dst = (int16_t)v; return v == (int16_t)v;
        default: *(int64_t *)dst = (int8_t)v; return v == (int8_t)v;
        }
    case CCALL_ARG_UINT:
        if (!PyLong_CheckExact(obj))
            return 0;
        v = ccall_long_value(obj, &overflow);
        if (overflow || v < 0)
            return 0;
        *(uint64_t *)dst = (uint64_t)v;
        switch (ct->ct_size) {
        case 4: return v <= UINT32_MAX;
        case 8: return 1;
        case 2: return v <= UINT16_MAX;
        default: return v <= UINT8_MAX;
        }
    case CCALL_ARG_DOUBLE:
        if (!PyFloat_CheckExact(obj))
            return 0;
        *(double *)dst = PyFloat_AS_DOUBLE(obj);
        return 1;
    default:    /* CCALL_ARG_POINTER */
        if (CData_Check(obj) && CData_CType(obj) == ct && !CData_IsReleased(obj)) {
            *(char **)dst = CData_Ptr(obj);
            return 1;
        }
        if (PyBytes_CheckExact(obj) && ct->ct_item->ct_size == 1
            && (ct->ct_item->ct_flags & (CT_PRIMITIVE_CHAR | CT_PRIMITIVE_INTEGER))
            && !(ct->ct_item->ct_flags & CT_IS_BOOL)) {
            *(char **)dst = PyBytes_AS_STRING(obj);
            return 1;
        }
        return 0;
    }
}

PyObject *ccall_call_trampoline_quick(CTypeObject *fnct,
                                      void (*trampoline)(void **, void *),
                                      PyObject *const *args, Py_ssize_t nargs)
{
    ccall_info *info = fnct->ct_call_info;
    /* 8-byte slots: the trampoline reads each as its own type, which on
     * this little-endian target is the low bytes of the slot */
    _Alignas(16) int64_t slots[CCALL_QUICK_ARGS];
    _Alignas(16) char result[16];
    void *avalues[CCALL_QUICK_ARGS];
    if (nargs != info->nargs)
        return ccall_wrong_count(fnct, info->nargs, nargs, 0);
    for (Py_ssize_t i = 0; i < nargs; i++) {
        avalues[i] = &slots[i];
        if (!ccall_quick_arg(info->argkinds[i], info->argtypes[i],
                             (char *)&slots[i], args[i]))
            return ccall_call_trampoline(fnct, trampoline, args, nargs);
    }
    int *saved_errno = &cconv_saved_errno;
    Py_BEGIN_ALLOW_THREADS
    errno = *saved_errno;
    trampoline(avalues, result);
    *saved_errno = errno;
    Py_END_ALLOW_THREADS
    switch (info->result_kind) {
    case CCALL_ARG_SINT:
        if (info->result->ct_size == 4)
            return PyLong_FromLong(*(int32_t *)result);
        return ccall_sint_result(result, info->result->ct_size);
    case CCALL_ARG_UINT:
        return ccall_uint_result(result, info->result->ct_size);
    case CCALL_ARG_DOUBLE:
        return PyFloat_FromDouble(*(double *)result);
    case CCALL_ARG_POINTER:
        return ccall_to_python(info->result, info->result_kind, result);
    default:
        Py_RETURN_NONE;
    }
}

/* ------------------------------------------------------------ API planned */

/* The converters of ccall_plan (ccall.h): an integer in [lo, hi] or a
 * pointer; and a result read back from rax. */
enum {
    CCALL_Q_INT,        /* exact int in [lo, hi]: the value sign- or
                           zero-extended to 64 bits, as the ABI wants */
    CCALL_Q_POINTER,    /* cdata of the parameter's type, bytes for char * */
    CCALL_Q_VOID,       /* results only */
    CCALL_Q_S1, CCALL_Q_S2, CCALL_Q_S4, CCALL_Q_S8,   /* integer results */
    CCALL_Q_U1, CCALL_Q_U2, CCALL_Q_U4, CCALL_Q_U8,
};

/* One argument of an all-integer-register plan: 1 with *out, 0 not fast. */
static inline int ccall_plan_gpr(const ccall_plan *plan, CTypeObject *fnct,
                                 int i, PyObject *obj, int64_t *out)
{
    if (plan->codes[i] == CCALL_Q_INT) {
        int overflow;
        if (!PyLong_CheckExact(obj))
            return 0;
        long long v = ccall_long_value(obj, &overflow);
        if (overflow || v < plan->lo[i] || v > plan->hi[i])
            return 0;
        *out = v;
        return 1;
    }
    char *p;
    if (!ccall_quick_arg(CCALL_ARG_POINTER, ((ccall_info *)fnct->ct_call_info)->argtypes[i],
                         (char *)&p, obj))
        return 0;
    *out = (int64_t)(intptr_t)p;
    return 1;
}

/* The result in rax: only the result's own bytes are defined, so it is
 * truncated first. */
static inline PyObject *ccall_plan_result(const ccall_plan *plan, CTypeObject *fnct,
                                          int64_t r)
{
    switch (plan->result) {
    case CCALL_Q_S4: return PyLong_FromLong((int32_t)r);
    case CCALL_Q_S8: return PyLong_FromLongLong(r);
    case CCALL_Q_S1: return PyLong_FromLong((int8_t)r);
    case CCALL_Q_S2: return PyLong_FromLong((int16_t)r);
    case CCALL_Q_U1: return PyLong_FromLong((uint8_t)r);
    case CCALL_Q_U2: return PyLong_FromLong((uint16_t)r);
    case CCALL_Q_U4: return PyLong_FromUnsignedLong((uint32_t)r);
    case CCALL_Q_U8: return PyLong_FromUnsignedLongLong((uint64_t)r);
    case CCALL_Q_POINTER: {
        void *p = (void *)(intptr_t)r;
        return ccall_to_python(((ccall_info *)fnct->ct_call_info)->result,
                               CCALL_ARG_POINTER, (const char *)&p);
    }
    default:
        Py_RETURN_NONE;
    }
}

/* plan->entry of N integer or pointer arguments and an integer, pointer or
 * void result: the arguments stay in registers, the function is called
 * with exactly N of them. */
#define CCALL_PLANNED_GPR(N, PARAMS, ARGS)                                   \
static PyObject *ccall_planned_gpr##N(const ccall_plan *plan, CTypeObject *fnct, \
                                      void (*trampoline)(void **, void *),     \
                                      PyObject *const *args, Py_ssize_t nargs) \
{                                                                            \
    int64_t g[N + 1];                                                        \
    for (int i = 0; i < N; i++)                                              \
        if (!ccall_plan_gpr(plan, fnct, i, args[i], &g[i]))                  \
            return ccall_call_trampoline(fnct, trampoline, args, nargs);     \
    (void)g;                                                                 \
    int64_t r;                                                               \
    int *saved_errno = &cconv_saved_errno;                                   \
    Py_BEGIN_ALLOW_THREADS                                                   \
    errno = *saved_errno;                                                    \
    r = ((int64_t (*)PARAMS)plan->address)ARGS;                              \
    *saved_errno = errno;                                                    \
    Py_END_ALLOW_THREADS                                                     \
    return ccall_plan_result(plan, fnct, r);                                 \
}
CCALL_PLANNED_GPR(0, (void), ())
CCALL_PLANNED_GPR(1, (int64_t), (g[0]))
CCALL_PLANNED_GPR(2, (int64_t, int64_t), (g[0], g[1]))
CCALL_PLANNED_GPR(3, (int64_t, int64_t, int64_t), (g[0], g[1], g[2]))
CCALL_PLANNED_GPR(4, (int64_t, int64_t, int64_t, int64_t), (g[0], g[1], g[2], g[3]))
#undef CCALL_PLANNED_GPR

int ccall_plan_init(ccall_plan *plan, CTypeObject *fnct, void *address)
{
    int quick = ccall_trampoline_is_quick(fnct);
    if (quick <= 0)
        return quick;
    ccall_info *info = fnct->ct_call_info;
    static const ccall_plan_entry gpr[] = {
        ccall_planned_gpr0, ccall_planned_gpr1, ccall_planned_gpr2,
        ccall_planned_gpr3, ccall_planned_gpr4,
    };
    if (address == NULL || info->nargs >= (Py_ssize_t)(sizeof(gpr) / sizeof(gpr[0]))
        || info->direct != CCALL_DIRECT_RAX)
        return 0;
    memset(plan, 0, sizeof(*plan));
    plan->address = address;
    plan->nargs = (unsigned char)info->nargs;
    for (Py_ssize_t i = 0; i < info->nargs; i++) {
        CTypeObject *ct = info->argtypes[i];
        switch (info->argkinds[i]) {
        case CCALL_ARG_SINT:
            plan->codes[i] = CCALL_Q_INT;
            plan->hi[i] = ct->ct_size >= 8 ? INT64_MAX
                          : (int64_t)((UINT64_C(1) << (8 * ct->ct_size - 1)) - 1);
            plan->lo[i] = -plan->hi[i] - 1;
            break;
        case CCALL_ARG_UINT:
            plan->codes[i] = CCALL_Q_INT;   /* beyond INT64_MAX: the general call */
            plan->hi[i] = ct->ct_size >= 8 ? INT64_MAX
                          : (int64_t)((UINT64_C(1) << (8 * ct->ct_size)) - 1);
            plan->lo[i] = 0;
            break;
        case CCALL_ARG_DOUBLE:
            return 0;   /* ccall_call_trampoline_quick does as well */
        default:
            plan->codes[i] = CCALL_Q_POINTER;
            break;
        }
    }
    Py_ssize_t size = info->result->ct_size;
    switch (info->result_kind) {
    case CCALL_ARG_SINT:
        plan->result = size == 1 ? CCALL_Q_S1 : size == 2 ? CCALL_Q_S2
                       : size == 4 ? CCALL_Q_S4 : CCALL_Q_S8;
        break;
    case CCALL_ARG_UINT:
        plan->result = size == 1 ? CCALL_Q_U1 : size == 2 ? CCALL_Q_U2
                       : size == 4 ? CCALL_Q_U4 : CCALL_Q_U8;
        break;
    case CCALL_ARG_DOUBLE:
        return 0;
    case CCALL_ARG_POINTER:
        plan->result = CCALL_Q_POINTER;
        break;
    default:
        plan->result = CCALL_Q_VOID;
        break;
    }
    plan->entry = gpr[plan->nargs];
    return 1;
}

/* ------------------------------------------------------------ variadic */

/* The type a variadic cdata argument travels as: C's default promotions,
 * arrays decaying to pointers.  New reference. */
static CTypeObject *ccall_promoted(CTypeObject *ct)
{
    uint32_t fl = ct->ct_flags;
    if (fl & CT_ARRAY)
        return ctype_pointer_to(ct->ct_item);
    CTypeObject *p = ct;
    if ((fl & (CT_PRIMITIVE_INTEGER | CT_PRIMITIVE_CHAR | CT_PRIMITIVE_WCHAR))
        && ct->ct_size < (Py_ssize_t)sizeof(int))
        p = ctype_primitive(CCT_PRIM_INT);
    else if ((fl & CT_PRIMITIVE_FLOAT) && !(fl & CT_PRIMITIVE_COMPLEX)
             && ct->ct_size == sizeof(float))
        p = ctype_primitive(CCT_PRIM_DOUBLE);
    Py_INCREF(p);
    return p;
}

/* The value of a small integer-like cdata (char, short, _Bool, enum...)
 * as C's integer promotion gives it. */
static int ccall_promote_integer(CTypeObject *from, const char *src)
{
    int is_signed = (from->ct_flags & (CT_PRIMITIVE_SIGNED | CT_PRIMITIVE_CHAR)) != 0;
    if (from->ct_size == 1)
        return is_signed ? *(const signed char *)src : *(const unsigned char *)src;
    return is_signed ? *(const short *)src : *(const unsigned short *)src;
}

/* Writes the value of cdata obj (of type `from`) as type `to` into dst. */
static int ccall_put_cdata(CTypeObject *to, char *dst, PyObject *obj)
{
    CTypeObject *from = CData_CType(obj);
    if (CData_IsReleased(obj))
        return cdata_raise_released(NULL, obj, "cannot pass it to C");
    if (from->ct_flags & CT_POINTER_LIKE) {
        *(char **)dst = CData_Ptr(obj);
        return 0;
    }
    if (from == to) {
        memcpy(dst, CData_Ptr(obj), (size_t)to->ct_size);
        return 0;
    }
    if (from->ct_flags & CT_PRIMITIVE_FLOAT) {
        *(double *)dst = *(const float *)CData_Ptr(obj);
        return 0;
    }
    *(int *)dst = ccall_promote_integer(from, CData_Ptr(obj));
    return 0;
}

/* Per-call arrays of a variadic call. */
typedef struct ccall_varargs {
    ffi_type **atypes;
    CTypeObject **types;   /* new references for the variable part */
    size_t *offsets;
} ccall_varargs;

static void ccall_varargs_free(ccall_varargs *va, Py_ssize_t fixed, Py_ssize_t nargs)
{
    if (va->types != NULL)
        for (Py_ssize_t i = fixed; i < nargs; i++)
            Py_XDECREF(va->types[i]);
    PyMem_Free(va->atypes);
}

/* Lays out every argument of a variadic call; returns the result offset or
 * (size_t)-1 with an exception. */
static size_t ccall_varargs_layout(ccall_varargs *va, ccall_info *info,
                                   PyObject *const *args, Py_ssize_t nargs)
{
    size_t n = (size_t)nargs;
    va->atypes = PyMem_Calloc(1, n * (sizeof(ffi_type *) + sizeof(CTypeObject *)
                                      + sizeof(size_t)) + 1);
    if (va->atypes == NULL) {
        PyErr_NoMemory();
        return (size_t)-1;
    }
    va->types = (CTypeObject **)(va->atypes + n);
    va->offsets = (size_t *)(va->types + n);
    size_t offset = info->result_offset;
    for (Py_ssize_t i = 0; i < nargs; i++) {
        if (i < info->nargs) {
            va->atypes[i] = info->atypes[i];
            va->offsets[i] = info->offsets[i];
            continue;
        }
        if (!CData_Check(args[i])) {
            PyErr_Format(PyExc_TypeError, "argument %zd passed in the variadic "
                         "part needs to be a cdata object (got %.200s)",
                         i + 1, Py_TYPE(args[i])->tp_name);
            return (size_t)-1;
        }
        va->types[i] = ccall_promoted(CData_CType(args[i]));
        if (va->types[i] == NULL || ccall_libffi_check_arg(va->types[i], 0) < 0)
            return (size_t)-1;
        va->atypes[i] = ccall_type_of(va->types[i], 0);
        if (va->atypes[i] == NULL)
            return (size_t)-1;
        offset = (offset + CCALL_SLOT_ALIGN - 1) & ~(size_t)(CCALL_SLOT_ALIGN - 1);
        va->offsets[i] = offset;
        offset += va->atypes[i]->size < 8 ? 8 : va->atypes[i]->size;
    }
    return (offset + CCALL_SLOT_ALIGN - 1) & ~(size_t)(CCALL_SLOT_ALIGN - 1);
}

static PyObject *ccall_call_variadic(CDataObject *fn, ccall_info *info,
                                     PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < info->nargs)
        return ccall_wrong_count(fn->c_type, info->nargs, nargs, 1);
    if (info->libffi_refused) {
        ccall_libffi_check(fn->c_type);
        return NULL;
    }
    ccall_varargs va = { NULL, NULL, NULL };
    ccall_frame fr;
    PyObject *res = NULL;
    size_t result_offset = ccall_varargs_layout(&va, info, args, nargs);
    if (result_offset == (size_t)-1) {
        ccall_varargs_free(&va, info->nargs, nargs);
        return NULL;
    }
    if (ccall_frame_init(&fr, result_offset + info->result_size, nargs) < 0) {
        ccall_varargs_free(&va, info->nargs, nargs);
        return NULL;
    }
    if (ccall_put_fixed(&fr, info, args) < 0)
        goto done;
    for (Py_ssize_t i = info->nargs; i < nargs; i++) {
        fr.avalues[i] = fr.buffer + va.offsets[i];
        if (ccall_put_cdata(va.types[i], fr.avalues[i], args[i]) < 0)
            goto done;
    }
    ffi_cif cif;
    if (ffi_prep_cif_var(&cif, FFI_DEFAULT_ABI, (unsigned)info->nargs,
                         (unsigned)nargs, info->cif.rtype, va.atypes) != FFI_OK) {
        PyErr_Format(PyExc_SystemError, "libffi refused a call to '%s'",
                     fn->c_type->ct_name);
        goto done;
    }
    char *result = fr.buffer + result_offset;
    ccall_invoke(&cif, fn->c_data, result, fr.avalues);
    res = ccall_to_python(info->result, info->result_kind, result);
done:
    ccall_frame_release(&fr);
    ccall_varargs_free(&va, info->nargs, nargs);
    return res;
}

/* ------------------------------------------------- library functions */

/* The fast call of a library's function: a plain cdata (as in CFFI) whose
 * vectorcall slot is this, so that no argument tuple is built. */
static PyObject *ccall_function_vectorcall(PyObject *self, PyObject *const *args,
                                           size_t nargsf, PyObject *kwnames)
{
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0)
        return PyErr_Format(PyExc_TypeError,
                            "a cdata function takes no keyword arguments");
    return ccall_call((CDataObject *)self, args, PyVectorcall_NARGS(nargsf));
}

PyObject *ccall_new_function(CTypeObject *fnct, void *address)
{
    return ccall_new_function_kept(fnct, address, NULL);
}

PyObject *ccall_new_function_kept(CTypeObject *fnct, void *address,
                                  PyObject *keep)
{
    if (ccall_info_get(fnct) == NULL)
        return NULL;
    return cdata_new_function(fnct, address, ccall_function_vectorcall, keep);
}

/* tp_call of every FUNCTIONPTR cdata (cdata.c's hook). */
static PyObject *ccall_tp_call(PyObject *cd, PyObject *args, PyObject *kwds)
{
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0)
        return PyErr_Format(PyExc_TypeError,
                            "a cdata function takes no keyword arguments");
    return ccall_call((CDataObject *)cd, &PyTuple_GET_ITEM(args, 0),
                      PyTuple_GET_SIZE(args));
}

int ccall_init_module(PyObject *m)
{
    (void)m;
    cdata_call_hook = ccall_tp_call;
    return 0;
}
