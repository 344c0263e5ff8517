/* compat_ctx.h - the binary interface of modules built by real CFFI, and
 * the translator of their type context into our type table.
 *
 * A module that CFFI 1.x/2.x generated (API mode) carries a "type context":
 * an array of type opcodes (each a pointer-sized word, low byte the opcode,
 * the rest a signed argument), a sorted array of globals (functions,
 * constants, variables, extern "Python"), struct/union records with their
 * fields, enums, typenames and the names of included modules.  An
 * out-of-line ABI module carries the same context serialised as bytes and
 * tuples (compat_abi.c unpacks them into this form).  The structs below
 * mirror that layout field for field (it is a binary interface: CFFI's
 * parse_c_type.h defines it); the numbers are CFFI's.
 *
 * compat_translate() reads a context and builds a cc_table (table/ctable.h)
 * with the context's types, struct/union/enum records, typedefs, integer
 * constants and, for the ABI form, functions and variables, plus the map
 * from each context type index to our type index.  Everything after it
 * (realization, conversions, calls) is the runtime's own.  The context is
 * untrusted: every index, range and opcode is checked and a bad one gives
 * CC_ERR_TABLE naming it, never a crash.  Pure C, no Python (the fuzz
 * target links it alone).
 */
#ifndef CCFFI_COMPAT_CTX_H
#define CCFFI_COMPAT_CTX_H

#include <stddef.h>
#include <stdint.h>
#include "table/ctable.h"

/* The version tags a module announces; the range real CFFI 1.x-2.x accepts
 * (0x2601 plain, 0x2701 embedding, 0x2801 char16_t/char32_t exports). */
#define COMPAT_VERSION_MIN        0x2601
#define COMPAT_VERSION_CHAR16     0x2801
#define COMPAT_VERSION_MAX        0x28FF

/* Opcodes (odd numbers: an even word in the types array is a realized
 * type object, which the module's generated code reads back). */
#define COMPAT_OPS(X)                                                        \
    X(PRIMITIVE, 1) X(POINTER, 3) X(ARRAY, 5) X(OPEN_ARRAY, 7)               \
    X(STRUCT_UNION, 9) X(ENUM, 11) X(FUNCTION, 13) X(FUNCTION_END, 15)       \
    X(NOOP, 17) X(BITFIELD, 19) X(TYPENAME, 21) X(CPYTHON_BLTN_V, 23)        \
    X(CPYTHON_BLTN_N, 25) X(CPYTHON_BLTN_O, 27) X(CONSTANT, 29)              \
    X(CONSTANT_INT, 31) X(GLOBAL_VAR, 33) X(DLOPEN_FUNC, 35)                 \
    X(DLOPEN_CONST, 37) X(GLOBAL_VAR_F, 39) X(EXTERN_PYTHON, 41)

enum compat_op {
#define COMPAT_X(name, value) COMPAT_OP_##name = value,
    COMPAT_OPS(COMPAT_X)
#undef COMPAT_X
};

typedef void *compat_opcode;
static inline int compat_getop(compat_opcode op)
{
    return (unsigned char)(uintptr_t)op;
}
static inline intptr_t compat_getarg(compat_opcode op)
{
    return ((intptr_t)op) >> 8;
}

#define COMPAT_PRIM_VOID     0
#define COMPAT_PRIM__COUNT   52
#define COMPAT_PRIM_UNKNOWN_INT    (-1)
#define COMPAT_PRIM_UNKNOWN_FLOAT  (-2)
#define COMPAT_PRIM_UNKNOWN_LONGDBL (-3)

/* struct/union flags */
#define COMPAT_F_UNION        0x01
#define COMPAT_F_CHECK_FIELDS 0x02
#define COMPAT_F_PACKED       0x04
#define COMPAT_F_EXTERNAL     0x08
#define COMPAT_F_OPAQUE       0x10

/* ctx->flags bit: the module uses extern "Python" (one more export). */
#define COMPAT_CTX_EXTERN_PYTHON 0x1

struct compat_global {
    const char *name;
    void *address;
    compat_opcode type_op;
    void *size_or_direct_fn;
};

struct compat_struct_union {
    const char *name;
    int type_index;
    int flags;
    size_t size;
    int alignment;
    int first_field_index;
    int num_fields;
};

struct compat_field {
    const char *name;
    size_t field_offset;
    size_t field_size;
    compat_opcode field_type_op;
};

struct compat_enum {
    const char *name;
    int type_index;
    int type_prim;
    const char *enumerators;  /* comma-separated */
};

struct compat_typename {
    const char *name;
    int type_index;
};

struct compat_type_context {
    compat_opcode *types;
    const struct compat_global *globals;
    const struct compat_field *fields;
    const struct compat_struct_union *struct_unions;
    const struct compat_enum *enums;
    const struct compat_typename *typenames;
    int num_globals;
    int num_struct_unions;
    int num_enums;
    int num_typenames;
    const char *const *includes;
    int num_types;
    int flags;
};

/* An extern "Python" function's static record in the module. */
struct compat_externpy {
    const char *name;
    size_t size_of_result;
    void *reserved1, *reserved2;
};

/* The value of integer constant or enumerator number `gindex` of the
 * context: 0 with *value (two's complement) and *neg (1 when negative) set,
 * or -1 with err set.  API mode calls the module's getter, ABI mode reads
 * the serialised value. */
typedef int (*compat_int_getter)(void *arg, int gindex, uint64_t *value,
                                 int *neg, cc_error *err);

/* What the translator produces besides the table. */
typedef struct compat_translation {
    uint32_t *type_map;   /* per context type index: our type index, or
                             UINT32_MAX for non-type entries (lengths,
                             FUNCTION_END...); malloc()ed, num_types long */
    int num_types;
    int num_externs;      /* extern "Python" globals, slot-numbered in order */
} compat_translation;

/* ABI form (out-of-line .py modules): functions become FUNCTION decls,
 * variables VARIABLE decls, struct layouts are left to the layout engine. */
#define COMPAT_TRANSLATE_ABI 0x1

/* Translates ctx into t (initialised and empty).  The opcodes are read
 * from `types` (a copy the caller made before anything was realized into
 * the module's array), num_types long (ctx->num_types); num_fields is the
 * length of ctx->fields, or -1 when only the records know it (a compiled
 * module, trusted as CFFI trusts it).  0, or -1 with err set (CC_ERR_TABLE
 * for a bad context, CC_ERR_NOMEM). */
int compat_translate(const struct compat_type_context *ctx,
                     const compat_opcode *types, int num_fields, int flags,
                     compat_int_getter get_int, void *get_arg,
                     cc_table *t, compat_translation *out, cc_error *err);

void compat_translation_free(compat_translation *tr);

/* The index of the global named `name` (globals are sorted by name in the
 * module; an unsorted context is searched linearly), or -1. */
int compat_find_global(const struct compat_type_context *ctx, const char *name);

#endif /* CCFFI_COMPAT_CTX_H */
