/* ccall_type.h - libffi descriptions (ffi_type) of CTypes, and the prepared
 * call interface (ffi_cif) of a function type, both cached on the CType's
 * ct_call_info slot.  Include <Python.h> before this header. */
#ifndef CCFFI_CCALL_TYPE_H
#define CCFFI_CCALL_TYPE_H

#include <ffi.h>
#include "ctype_obj.h"

/* How the call machinery converts one argument (ccall.c). */
enum ccall_argkind {
    CCALL_ARG_GENERIC,   /* cconv_from_python into the slot */
    CCALL_ARG_SINT,      /* signed integer of 1-8 bytes: fast path */
    CCALL_ARG_UINT,      /* unsigned integer (not _Bool): fast path */
    CCALL_ARG_DOUBLE,    /* double: fast path */
    CCALL_ARG_POINTER,   /* pointer: cconv_prepare_pointer_arg */
};

/* Everything a call through a function type needs, prepared once. */
typedef struct ccall_info {
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
} ccall_info;

/* The ffi_type of ct (a primitive, pointer, array, struct, union or void),
 * built once for structs/unions and cached on ct.  NULL with an exception
 * (NotImplementedError naming the type for what libffi cannot describe). */
ffi_type *ccall_type_of(CTypeObject *ct, int is_result);

/* The prepared call information of FUNCTIONPTR type fn (cached on fn).
 * NULL with an exception. */
ccall_info *ccall_info_get(CTypeObject *fn);

/* Buffer alignment used for argument slots. */
#define CCALL_SLOT_ALIGN 16

#endif /* CCFFI_CCALL_TYPE_H */
