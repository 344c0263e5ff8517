/* ccall_type.h - libffi descriptions (ffi_type) of CTypes, and the prepared
 * call interface (ffi_cif) of a function type, both cached on the CType's
 * ct_call_info slot.  Include <Python.h> before this header. */
#ifndef CCFFI_CCALL_TYPE_H
#define CCFFI_CCALL_TYPE_H

#include <ffi.h>
#include "object/ctype_obj.h"

/* How the call machinery converts one argument (ccall.c). */
enum ccall_argkind {
    CCALL_ARG_GENERIC,   /* cconv_from_python into the slot */
    CCALL_ARG_SINT,      /* signed integer of 1-8 bytes: fast path */
    CCALL_ARG_UINT,      /* unsigned integer (not _Bool): fast path */
    CCALL_ARG_DOUBLE,    /* double: fast path */
    CCALL_ARG_POINTER,   /* pointer: cconv_prepare_pointer_arg */
};

/* Direct calls (ccall.c): a function whose arguments all travel in
 * registers - at most 6 integer/pointer ones and 8 float/double ones - and
 * whose result comes back in rax or xmm0 is called without libffi, through
 * a pointer of the type `R f(6 x int64_t, 8 x double)`: on x86-64 System V
 * each class of argument fills its own registers in order whatever the
 * interleaving, and extra register arguments are ignored by the callee.
 * The arguments are read from their slots and widened as the ABI wants. */
#define CCALL_DIRECT_GPR 6
#define CCALL_DIRECT_SSE 8
enum ccall_direct_result {
    CCALL_DIRECT_NONE = 0,   /* not eligible: use ffi_call */
    CCALL_DIRECT_RAX,        /* void, integers, pointers */
    CCALL_DIRECT_DOUBLE,
    CCALL_DIRECT_FLOAT,
};
typedef struct ccall_direct_arg {
    unsigned char sse;       /* 1: float/double register, 0: integer one */
    unsigned char reg;       /* register index in its class */
    unsigned char size;      /* bytes of the value in the slot */
    unsigned char is_signed; /* integers: sign-extend */
} ccall_direct_arg;

/* Everything a call through a function type needs, prepared once. */
typedef struct ccall_info {
    int direct;                   /* enum ccall_direct_result */
    ccall_direct_arg dargs[CCALL_DIRECT_GPR + CCALL_DIRECT_SSE];
    ffi_cif cif;                  /* prepared for the fixed arguments */
    Py_ssize_t nargs;             /* fixed arguments */
    int variadic;
    size_t buffer_size;           /* bytes for all argument slots + result */
    size_t result_offset;         /* slot of the result in that buffer */
    size_t result_size;           /* >= sizeof(ffi_arg) for integers */
    CTypeObject *result;          /* borrowed from the function CType */
    int result_kind;              /* CCALL_ARG_* (GENERIC for non-fast ones) */
    ffi_type **atypes;            /* nargs entries */
    CTypeObject **argtypes;       /* nargs new references (arrays decayed) */
    unsigned char *argkinds;      /* nargs CCALL_ARG_* */
    size_t *offsets;              /* nargs slot offsets in the buffer */
    int libffi_refused;           /* a record CFFI does not pass through
                                     libffi (ccall_libffi_check) */
} ccall_info;

/* The ffi_type of ct (a primitive, pointer, array, struct, union or void),
 * built once for structs/unions and cached on ct.  NULL with an exception
 * (NotImplementedError naming the type for what libffi cannot describe). */
ffi_type *ccall_type_of(CTypeObject *ct, int is_result);

/* The prepared call information of FUNCTIONPTR type fn (cached on fn).
 * NULL with an exception. */
ccall_info *ccall_info_get(CTypeObject *fn);

/* CFFI's NotImplementedError (-1) if the function type fn, or the type ct
 * of one argument or result, holds by value a record that CFFI refuses to
 * describe to libffi: a union, a struct with bitfields, a packed layout
 * or an array of no items (at any depth).  Calls through libffi and
 * callbacks refuse them as CFFI; API-mode direct calls take them. */
int ccall_libffi_check(CTypeObject *fn);
int ccall_libffi_check_arg(CTypeObject *ct, int is_result);

/* Buffer alignment used for argument slots. */
#define CCALL_SLOT_ALIGN 16

#endif /* CCFFI_CCALL_TYPE_H */
