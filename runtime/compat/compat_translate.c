/* compat_translate.c - CFFI's type context (compat_ctx.h) into our type
 * table.
 *
 * The records come first: one struct/union type per struct_unions entry and
 * one enum type per enums entry (enumerator values from the globals), so
 * that every opcode naming them has a target; then each opcode reached from
 * a typename, a field, a global or a record is translated once and
 * memoized in the type map (function argument positions included, since the
 * module's generated code names them); then the fields, the typedefs and
 * the declarations.  Opcodes are only read where something refers to them:
 * the words after an ARRAY opcode are lengths, not opcodes.
 *
 * Naming follows CFFI: "xyz" is `struct xyz`, "$xyz" the anonymous record a
 * typedef names, "$1" an unnamed record.  Every index and range is checked;
 * a cycle of opcodes or a nesting deeper than COMPAT_MAX_DEPTH is refused.
 * Pure C.
 */
#include <stdlib.h>
#include <string.h>
#include "cdef/layout.h"
#include "compat/compat_ctx.h"

#define COMPAT_MAX_DEPTH 256

/* CFFI's primitive numbers, in order, as ours. */
static const int8_t compat_prim_map[COMPAT_PRIM__COUNT] = {
    -1 /* void */, CCT_PRIM_BOOL, CCT_PRIM_CHAR, CCT_PRIM_SCHAR, CCT_PRIM_UCHAR,
    CCT_PRIM_SHORT, CCT_PRIM_USHORT, CCT_PRIM_INT, CCT_PRIM_UINT, CCT_PRIM_LONG,
    CCT_PRIM_ULONG, CCT_PRIM_LONGLONG, CCT_PRIM_ULONGLONG, CCT_PRIM_FLOAT,
    CCT_PRIM_DOUBLE, CCT_PRIM_LONGDOUBLE, CCT_PRIM_WCHAR, CCT_PRIM_INT8,
    CCT_PRIM_UINT8, CCT_PRIM_INT16, CCT_PRIM_UINT16, CCT_PRIM_INT32,
    CCT_PRIM_UINT32, CCT_PRIM_INT64, CCT_PRIM_UINT64, CCT_PRIM_INTPTR,
    CCT_PRIM_UINTPTR, CCT_PRIM_PTRDIFF, CCT_PRIM_SIZE, CCT_PRIM_SSIZE,
    CCT_PRIM_INT_LEAST8, CCT_PRIM_UINT_LEAST8, CCT_PRIM_INT_LEAST16,
    CCT_PRIM_UINT_LEAST16, CCT_PRIM_INT_LEAST32, CCT_PRIM_UINT_LEAST32,
    CCT_PRIM_INT_LEAST64, CCT_PRIM_UINT_LEAST64, CCT_PRIM_INT_FAST8,
    CCT_PRIM_UINT_FAST8, CCT_PRIM_INT_FAST16, CCT_PRIM_UINT_FAST16,
    CCT_PRIM_INT_FAST32, CCT_PRIM_UINT_FAST32, CCT_PRIM_INT_FAST64,
    CCT_PRIM_UINT_FAST64, CCT_PRIM_INTMAX, CCT_PRIM_UINTMAX,
    CCT_PRIM_FLOATCOMPLEX, CCT_PRIM_DOUBLECOMPLEX, CCT_PRIM_CHAR16,
    CCT_PRIM_CHAR32,
};

#define MAP_NONE UINT32_MAX

enum { ST_NEW = 0, ST_BUSY = 1, ST_DONE = 2 };

typedef struct tr_state {
    const struct compat_type_context *ctx;
    const compat_opcode *types;
    int num_types;
    int num_fields;          /* -1: trust the records */
    int abi;
    cc_table *t;
    cc_error *err;
    uint32_t *map;
    uint8_t *state;
    uint32_t *su_index;      /* per struct_unions entry: our type */
    uint32_t *enum_index;    /* per enums entry: our type */
    compat_int_getter get_int;
    void *get_arg;
    int *sorted_globals;     /* indexes sorted by name, for lookups */
} tr_state;

static int tr_nomem(tr_state *s)
{
    return cc_error_set(s->err, CC_ERR_NOMEM, "out of memory");
}

static int tr_bad(tr_state *s, const char *what, long value)
{
    return cc_error_set(s->err, CC_ERR_TABLE, "CFFI type context: %s (%ld)",
                        what, value);
}

/* ------------------------------------------------------------ globals */

static const struct compat_type_context *qsort_ctx;  /* only during qsort */

static int tr_cmp_globals(const void *a, const void *b)
{
    return strcmp(qsort_ctx->globals[*(const int *)a].name,
                  qsort_ctx->globals[*(const int *)b].name);
}

int compat_find_global(const struct compat_type_context *ctx, const char *name)
{
    int lo = 0, hi = ctx->num_globals - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(name, ctx->globals[mid].name);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    for (int i = 0; i < ctx->num_globals; i++)   /* unsorted context */
        if (strcmp(name, ctx->globals[i].name) == 0)
            return i;
    return -1;
}

static int tr_find_global(tr_state *s, const char *name, size_t len)
{
    int lo = 0, hi = s->ctx->num_globals - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        const char *g = s->ctx->globals[s->sorted_globals[mid]].name;
        int c = strncmp(name, g, len);
        if (c == 0 && g[len] != '\0')
            c = -1;
        if (c == 0)
            return s->sorted_globals[mid];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -1;
}

/* -------------------------------------------------------------- types */

static int tr_type(tr_state *s, intptr_t index, int depth, uint32_t *out);

static int tr_prim(tr_state *s, intptr_t p, uint32_t *out)
{
    if (p == COMPAT_PRIM_VOID) {
        *out = 0;
        return 0;
    }
    enum cct_prim prim;
    if (p == COMPAT_PRIM_UNKNOWN_INT)
        prim = CCT_PRIM_UNKNOWN_INT;
    else if (p == COMPAT_PRIM_UNKNOWN_FLOAT || p == COMPAT_PRIM_UNKNOWN_LONGDBL)
        prim = CCT_PRIM_UNKNOWN_FLOAT;
    else if (p > 0 && p < COMPAT_PRIM__COUNT)
        prim = (enum cct_prim)compat_prim_map[p];
    else
        return tr_bad(s, "unknown primitive", (long)p);
    if (cc_table_primitive(s->t, prim, out) < 0)
        return tr_nomem(s);
    return 0;
}

/* A parameter: arrays decay to pointers, functions to function pointers. */
static int tr_decay(tr_state *s, uint32_t *ty)
{
    const cct_type *x = &s->t->types[*ty];
    if (x->kind == CCT_KIND_ARRAY) {
        if (cc_table_pointer(s->t, x->item, ty) < 0)
            return tr_nomem(s);
    } else if (x->kind == CCT_KIND_FUNCTION) {
        if (cc_table_pointer(s->t, *ty, ty) < 0)
            return tr_nomem(s);
    }
    return 0;
}

static int tr_function(tr_state *s, intptr_t index, intptr_t result_index,
                       int depth, uint32_t *out)
{
    uint32_t result, nargs = 0, cap = 8;
    uint32_t *args = malloc(cap * sizeof *args);
    intptr_t j;
    if (args == NULL)
        return tr_nomem(s);
    if (tr_type(s, result_index, depth + 1, &result) < 0)
        goto error;
    for (j = index + 1; ; j++) {
        if (j >= s->num_types) {
            tr_bad(s, "function type without FUNCTION_END", (long)index);
            goto error;
        }
        if (compat_getop(s->types[j]) == COMPAT_OP_FUNCTION_END)
            break;
        uint32_t a;
        if (tr_type(s, j, depth + 1, &a) < 0 || tr_decay(s, &a) < 0)
            goto error;
        if (nargs == cap) {
            uint32_t *grown = realloc(args, 2 * cap * sizeof *args);
            if (grown == NULL) {
                tr_nomem(s);
                goto error;
            }
            args = grown;
            cap *= 2;
        }
        args[nargs++] = a;
    }
    s->state[j] = ST_DONE;   /* FUNCTION_END: not a type */
    uint16_t flags = (compat_getarg(s->types[j]) & 1) ? CCT_TF_VARIADIC : 0;
    if (cc_table_function(s->t, result, args, nargs, flags, out) < 0) {
        tr_nomem(s);
        goto error;
    }
    free(args);
    return 0;
error:
    free(args);
    return -1;
}

static int tr_opcode(tr_state *s, intptr_t index, int depth, uint32_t *out)
{
    compat_opcode op = s->types[index];
    intptr_t arg = compat_getarg(op);
    uint32_t item;

    switch (compat_getop(op)) {
    case COMPAT_OP_PRIMITIVE:
        return tr_prim(s, arg, out);
    case COMPAT_OP_POINTER:
        if (tr_type(s, arg, depth + 1, &item) < 0)
            return -1;
        if (cc_table_pointer(s->t, item, out) < 0)
            return tr_nomem(s);
        return 0;
    case COMPAT_OP_ARRAY:
        if (index + 1 >= s->num_types)
            return tr_bad(s, "array type without its length", (long)index);
        if (tr_type(s, arg, depth + 1, &item) < 0)
            return -1;
        if (s->t->types[item].kind == CCT_KIND_FUNCTION
            || s->t->types[item].kind == CCT_KIND_VOID)
            return tr_bad(s, "array of functions or of void", (long)index);
        if (cc_table_array(s->t, item, (uint64_t)(uintptr_t)s->types[index + 1],
                           0, out) < 0)
            return tr_nomem(s);
        return 0;
    case COMPAT_OP_OPEN_ARRAY:
        if (tr_type(s, arg, depth + 1, &item) < 0)
            return -1;
        if (s->t->types[item].kind == CCT_KIND_FUNCTION
            || s->t->types[item].kind == CCT_KIND_VOID)
            return tr_bad(s, "array of functions or of void", (long)index);
        if (cc_table_array(s->t, item, 0, CCT_TF_LENGTH_UNKNOWN, out) < 0)
            return tr_nomem(s);
        return 0;
    case COMPAT_OP_STRUCT_UNION:
        if (arg < 0 || arg >= s->ctx->num_struct_unions)
            return tr_bad(s, "struct/union index out of range", (long)arg);
        *out = s->su_index[arg];
        return 0;
    case COMPAT_OP_ENUM:
        if (arg < 0 || arg >= s->ctx->num_enums)
            return tr_bad(s, "enum index out of range", (long)arg);
        *out = s->enum_index[arg];
        return 0;
    case COMPAT_OP_FUNCTION:
        return tr_function(s, index, arg, depth, out);
    case COMPAT_OP_NOOP:
        return tr_type(s, arg, depth + 1, out);
    case COMPAT_OP_TYPENAME:
        if (arg < 0 || arg >= s->ctx->num_typenames)
            return tr_bad(s, "typename index out of range", (long)arg);
        return tr_type(s, s->ctx->typenames[arg].type_index, depth + 1, out);
    default:
        return tr_bad(s, "not a type opcode", (long)compat_getop(op));
    }
}

/* Our type for context type index `index`, translated once. */
static int tr_type(tr_state *s, intptr_t index, int depth, uint32_t *out)
{
    if (index < 0 || index >= s->num_types)
        return tr_bad(s, "type index out of range", (long)index);
    if (s->state[index] == ST_DONE && s->map[index] != MAP_NONE) {
        *out = s->map[index];
        return 0;
    }
    if (s->state[index] == ST_BUSY)
        return tr_bad(s, "type refers to itself", (long)index);
    if (depth > COMPAT_MAX_DEPTH)
        return tr_bad(s, "types nested too deeply at index", (long)index);
    s->state[index] = ST_BUSY;
    if (tr_opcode(s, index, depth, out) < 0) {
        s->state[index] = ST_NEW;
        return -1;
    }
    s->state[index] = ST_DONE;
    s->map[index] = *out;
    return 0;
}

/* ------------------------------------------------------------ records */

/* The name of a record: 1 with *name and *len (the tag or typedef name) and
 * *typedef_named set, 0 for an unnamed "$1" record. */
static int tr_record_name(const char *src, const char **name, size_t *len,
                          int *typedef_named)
{
    *typedef_named = 0;
    if (src[0] == '$' && src[1] != '$' && !(src[1] >= '0' && src[1] <= '9')) {
        *typedef_named = 1;
        src++;
    } else if (src[0] == '$') {
        return 0;
    }
    *name = src;
    *len = strlen(src);
    return 1;
}

static int tr_add_tag(tr_state *s, uint32_t name, uint32_t type)
{
    cct_decl d;
    memset(&d, 0, sizeof d);
    d.name = name;
    d.kind = CCT_DECL_TAG;
    d.type = type;
    d.slot = CCT_NO_SLOT;
    uint32_t unused;
    if (cc_table_add_decl(s->t, &d, &unused) < 0)
        return tr_nomem(s);
    return 0;
}

/* Does a record take its layout from the context (every field placed)? */
static int tr_layout_given(tr_state *s, const struct compat_struct_union *su)
{
    if (s->abi || su->size == (size_t)-1 || su->size == (size_t)-2
        || su->alignment <= 0)
        return 0;
    for (int k = 0; k < su->num_fields; k++)
        if (s->ctx->fields[su->first_field_index + k].field_offset == (size_t)-1)
            return 0;
    return 1;
}

static int tr_struct_records(tr_state *s)
{
    for (int i = 0; i < s->ctx->num_struct_unions; i++) {
        const struct compat_struct_union *su = &s->ctx->struct_unions[i];
        cct_type ty;
        const char *name = NULL;
        size_t len = 0;
        int tdn;
        memset(&ty, 0, sizeof ty);
        ty.kind = (su->flags & COMPAT_F_UNION) ? CCT_KIND_UNION : CCT_KIND_STRUCT;
        ty.size = CCT_SIZE_UNKNOWN;
        if (su->name == NULL)
            return tr_bad(s, "struct/union without a name", i);
        int named = tr_record_name(su->name, &name, &len, &tdn);
        if (named && cc_table_string(s->t, name, len, &ty.name) < 0)
            return tr_nomem(s);
        if (tdn)
            ty.flags |= CCT_TF_TYPEDEF_NAMED;
        if (su->flags & (COMPAT_F_OPAQUE | COMPAT_F_EXTERNAL)) {
            ty.flags |= CCT_TF_OPAQUE;
        } else {
            if (su->num_fields < 0 || su->first_field_index < 0
                || (s->num_fields >= 0
                    && (su->first_field_index > s->num_fields
                        || su->num_fields > s->num_fields - su->first_field_index)))
                return tr_bad(s, "fields of a struct/union out of range", i);
            if (su->flags & COMPAT_F_PACKED) {
                ty.flags |= CCT_TF_PACKED;
                ty.length = 1;
            }
            if (tr_layout_given(s, su)) {
                if ((uint64_t)su->size >= ((uint64_t)1 << 62)
                    || (su->alignment & (su->alignment - 1)) != 0)
                    return tr_bad(s, "bad struct/union size or alignment", i);
                ty.flags |= CCT_TF_LAYOUT_KNOWN;
                ty.size = su->size;
                ty.align = (uint32_t)su->alignment;
            }
        }
        if (cc_table_add_type(s->t, &ty, &s->su_index[i]) < 0)
            return tr_nomem(s);
        if (named && !tdn && tr_add_tag(s, ty.name, s->su_index[i]) < 0)
            return -1;
    }
    return 0;
}

static int tr_int_prim(tr_state *s, int p, enum cct_prim *out)
{
    if (p <= 0 || p >= COMPAT_PRIM__COUNT)
        return tr_bad(s, "enum of a non-integer type", p);
    *out = (enum cct_prim)compat_prim_map[p];
    if (!(cc_prims[*out].flags & (CCT_PF_SIGNED | CCT_PF_UNSIGNED)))
        return tr_bad(s, "enum of a non-integer type", p);
    return 0;
}

static int tr_enum_records(tr_state *s)
{
    for (int i = 0; i < s->ctx->num_enums; i++) {
        const struct compat_enum *e = &s->ctx->enums[i];
        cct_type ty;
        const char *name = NULL;
        size_t len = 0;
        int tdn;
        enum cct_prim prim = CCT_PRIM_INT;
        memset(&ty, 0, sizeof ty);
        ty.kind = CCT_KIND_ENUM;
        if (e->name == NULL || e->enumerators == NULL)
            return tr_bad(s, "enum without a name", i);
        if (tr_int_prim(s, e->type_prim, &prim) < 0)
            return -1;
        ty.prim = (uint8_t)prim;
        ty.size = cc_prims[prim].size;
        ty.align = cc_prims[prim].align;
        int named = tr_record_name(e->name, &name, &len, &tdn);
        if (named && cc_table_string(s->t, name, len, &ty.name) < 0)
            return tr_nomem(s);
        if (tdn)
            ty.flags |= CCT_TF_TYPEDEF_NAMED;
        ty.first = s->t->nenums;
        for (const char *p = e->enumerators; *p != '\0'; ) {
            const char *q = strchr(p, ',');
            size_t n = q ? (size_t)(q - p) : strlen(p);
            cct_enumerator en;
            uint32_t unused;
            uint64_t value;
            int neg, g = tr_find_global(s, p, n);
            memset(&en, 0, sizeof en);
            if (g < 0 || compat_getop(s->ctx->globals[g].type_op) != COMPAT_OP_ENUM)
                return tr_bad(s, "enumerator without its global", i);
            if (s->get_int(s->get_arg, g, &value, &neg, s->err) < 0)
                return -1;
            if (cc_table_string(s->t, p, n, &en.name) < 0)
                return tr_nomem(s);
            en.value = value;
            if (cc_table_add_enumerators(s->t, &en, 1, &unused) < 0)
                return tr_nomem(s);
            ty.count++;
            p = q ? q + 1 : p + n;
        }
        if (cc_table_add_type(s->t, &ty, &s->enum_index[i]) < 0)
            return tr_nomem(s);
        if (cc_table_name_enumerators(s->t, ty.first, ty.count) < 0)
            return tr_nomem(s);
        if (named && !tdn && tr_add_tag(s, ty.name, s->enum_index[i]) < 0)
            return -1;
    }
    return 0;
}

/* The members of record i, once every type is available. */
static int tr_fields(tr_state *s, int i)
{
    const struct compat_struct_union *su = &s->ctx->struct_unions[i];
    uint32_t ours = s->su_index[i];
    if (su->flags & (COMPAT_F_OPAQUE | COMPAT_F_EXTERNAL) || su->num_fields == 0)
        return 0;
    uint32_t first = s->t->nfields;
    for (int k = 0; k < su->num_fields; k++) {
        const struct compat_field *f = &s->ctx->fields[su->first_field_index + k];
        cct_field fd;
        uint32_t ft, unused;
        memset(&fd, 0, sizeof fd);
        fd.bitshift = CCT_NOT_BITFIELD;
        fd.bitsize = CCT_NOT_BITFIELD;
        int op = compat_getop(f->field_type_op);
        if (op != COMPAT_OP_NOOP && op != COMPAT_OP_BITFIELD)
            return tr_bad(s, "field opcode", op);
        if (tr_type(s, compat_getarg(f->field_type_op), 0, &ft) < 0)
            return -1;
        if (op == COMPAT_OP_BITFIELD) {
            const cct_type *x = &s->t->types[ft];
            if (x->kind != CCT_KIND_PRIMITIVE && x->kind != CCT_KIND_ENUM)
                return tr_bad(s, "bitfield of a non-integer type", k);
            if (f->field_size > 64)
                return tr_bad(s, "bitfield width", (long)f->field_size);
            fd.bitsize = (int16_t)f->field_size;
            fd.bitshift = 0;
        }
        if (f->name == NULL
            || cc_table_string(s->t, f->name, strlen(f->name), &fd.name) < 0)
            return f->name == NULL ? tr_bad(s, "field without a name", k)
                                   : tr_nomem(s);
        fd.type = ft;
        if (s->t->types[ours].flags & CCT_TF_LAYOUT_KNOWN) {
            if ((uint64_t)f->field_offset > s->t->types[ours].size)
                return tr_bad(s, "field offset beyond the struct",
                              (long)f->field_offset);
            fd.offset = f->field_offset;
        }
        if (cc_table_add_fields(s->t, &fd, 1, &unused) < 0)
            return tr_nomem(s);
    }
    s->t->types[ours].first = first;
    s->t->types[ours].count = (uint32_t)su->num_fields;
    return 0;
}

/* ----------------------------------------------------------- globals */

static int tr_add_decl(tr_state *s, const char *name, uint8_t kind,
                       uint16_t flags, uint32_t type, uint32_t slot,
                       uint64_t value)
{
    cct_decl d;
    memset(&d, 0, sizeof d);
    if (cc_table_string(s->t, name, strlen(name), &d.name) < 0)
        return tr_nomem(s);
    d.kind = kind;
    d.flags = flags;
    d.type = type;
    d.slot = slot;
    d.value = value;
    uint32_t unused;
    if (cc_table_add_decl(s->t, &d, &unused) < 0)
        return tr_nomem(s);
    return 0;
}

static int tr_function_type(tr_state *s, intptr_t index, uint32_t *out)
{
    if (tr_type(s, index, 0, out) < 0)
        return -1;
    /* extern "Python" names its function pointer type */
    if (s->t->types[*out].kind == CCT_KIND_POINTER
        && s->t->types[s->t->types[*out].item].kind == CCT_KIND_FUNCTION)
        *out = s->t->types[*out].item;
    if (s->t->types[*out].kind != CCT_KIND_FUNCTION)
        return tr_bad(s, "function global of a non-function type", (long)index);
    return 0;
}

static int tr_global(tr_state *s, int i, int *nexterns)
{
    const struct compat_global *g = &s->ctx->globals[i];
    intptr_t arg = compat_getarg(g->type_op);
    uint32_t ty;
    uint64_t value;
    int neg;

    if (g->name == NULL)
        return tr_bad(s, "global without a name", i);
    switch (compat_getop(g->type_op)) {
    case COMPAT_OP_CPYTHON_BLTN_V:
    case COMPAT_OP_CPYTHON_BLTN_N:
    case COMPAT_OP_CPYTHON_BLTN_O:
        if (s->abi)
            return tr_bad(s, "compiled function in an ABI module", i);
        return tr_function_type(s, arg, &ty);
    case COMPAT_OP_DLOPEN_FUNC:
        if (tr_function_type(s, arg, &ty) < 0)
            return -1;
        return tr_add_decl(s, g->name, CCT_DECL_FUNCTION, 0, ty, CCT_NO_SLOT, 0);
    case COMPAT_OP_EXTERN_PYTHON:
        if (s->abi)
            return tr_bad(s, "extern \"Python\" in an ABI module", i);
        if (tr_function_type(s, arg, &ty) < 0)
            return -1;
        return tr_add_decl(s, g->name, CCT_DECL_EXTERN_PYTHON, 0, ty,
                           (uint32_t)(*nexterns)++, 0);
    case COMPAT_OP_CONSTANT_INT:
        if (s->get_int(s->get_arg, i, &value, &neg, s->err) < 0)
            return -1;
        if (cc_table_primitive(s->t, neg ? CCT_PRIM_LONGLONG : CCT_PRIM_ULONGLONG,
                               &ty) < 0)
            return tr_nomem(s);
        return tr_add_decl(s, g->name, CCT_DECL_CONST_INT,
                           neg ? 0 : CCT_DF_UNSIGNED, ty, CCT_NO_SLOT, value);
    case COMPAT_OP_ENUM:
        return 0;   /* an enumerator: its enum has it */
    case COMPAT_OP_CONSTANT:
        if (s->abi)
            return tr_bad(s, "compiled constant in an ABI module", i);
        return tr_type(s, arg, 0, &ty);
    case COMPAT_OP_GLOBAL_VAR:
    case COMPAT_OP_GLOBAL_VAR_F:
        if (tr_type(s, arg, 0, &ty) < 0)
            return -1;
        if (!s->abi)
            return 0;
        return tr_add_decl(s, g->name, CCT_DECL_VARIABLE, 0, ty, CCT_NO_SLOT, 0);
    case COMPAT_OP_DLOPEN_CONST:
        if (tr_type(s, arg, 0, &ty) < 0)
            return -1;
        return tr_add_decl(s, g->name, CCT_DECL_VARIABLE, CCT_DF_CONST, ty,
                           CCT_NO_SLOT, 0);
    default:
        return tr_bad(s, "global opcode", (long)compat_getop(g->type_op));
    }
}

/* ------------------------------------------------------------ driver */

static int tr_run(tr_state *s, compat_translation *out)
{
    int nexterns = 0;
    if (tr_struct_records(s) < 0 || tr_enum_records(s) < 0)
        return -1;
    for (int i = 0; i < s->ctx->num_struct_unions; i++) {
        const struct compat_struct_union *su = &s->ctx->struct_unions[i];
        if (su->type_index >= 0 && su->type_index < s->num_types
            && compat_getop(s->types[su->type_index]) == COMPAT_OP_STRUCT_UNION
            && compat_getarg(s->types[su->type_index]) == i) {
            s->map[su->type_index] = s->su_index[i];
            s->state[su->type_index] = ST_DONE;
        }
    }
    for (int i = 0; i < s->ctx->num_enums; i++) {
        const struct compat_enum *e = &s->ctx->enums[i];
        if (e->type_index >= 0 && e->type_index < s->num_types
            && compat_getop(s->types[e->type_index]) == COMPAT_OP_ENUM
            && compat_getarg(s->types[e->type_index]) == i) {
            s->map[e->type_index] = s->enum_index[i];
            s->state[e->type_index] = ST_DONE;
        }
    }
    for (int i = 0; i < s->ctx->num_struct_unions; i++)
        if (tr_fields(s, i) < 0)
            return -1;
    /* API mode: a record whose members the context did not place (it has
     * bitfields, or is an unnamed nested one) is laid out by gcc's rules,
     * which are the compiler's; ABI mode lays out at first use */
    for (int i = 0; !s->abi && i < s->ctx->num_struct_unions; i++) {
        const cct_type *x = &s->t->types[s->su_index[i]];
        if (!(x->flags & (CCT_TF_LAYOUT_KNOWN | CCT_TF_OPAQUE))
            && cc_layout_record(s->t, s->su_index[i], s->err) < 0)
            return -1;
    }
    for (int i = 0; i < s->ctx->num_typenames; i++) {
        const struct compat_typename *tn = &s->ctx->typenames[i];
        uint32_t ty;
        if (tn->name == NULL)
            return tr_bad(s, "typename without a name", i);
        if (tr_type(s, tn->type_index, 0, &ty) < 0
            || tr_add_decl(s, tn->name, CCT_DECL_TYPEDEF, 0, ty, CCT_NO_SLOT, 0) < 0)
            return -1;
    }
    for (int i = 0; i < s->ctx->num_globals; i++)
        if (tr_global(s, i, &nexterns) < 0)
            return -1;
    out->num_externs = nexterns;
    return 0;
}

int compat_translate(const struct compat_type_context *ctx,
                     const compat_opcode *types, int num_fields, int flags,
                     compat_int_getter get_int, void *get_arg,
                     cc_table *t, compat_translation *out, cc_error *err)
{
    tr_state s;
    int rc = -1;
    memset(&s, 0, sizeof s);
    memset(out, 0, sizeof *out);
    s.ctx = ctx;
    s.types = types;
    s.num_types = ctx->num_types;
    s.num_fields = num_fields;
    s.abi = (flags & COMPAT_TRANSLATE_ABI) != 0;
    s.t = t;
    s.err = err;
    s.get_int = get_int;
    s.get_arg = get_arg;
    if (ctx->num_types < 0 || ctx->num_globals < 0 || ctx->num_struct_unions < 0
        || ctx->num_enums < 0 || ctx->num_typenames < 0)
        return tr_bad(&s, "negative count", -1);
    if ((ctx->num_types && types == NULL)
        || (ctx->num_globals && ctx->globals == NULL)
        || (ctx->num_struct_unions && ctx->struct_unions == NULL)
        || (ctx->num_enums && ctx->enums == NULL)
        || (ctx->num_typenames && ctx->typenames == NULL))
        return tr_bad(&s, "missing array", 0);
    s.map = malloc(((size_t)ctx->num_types + 1) * sizeof *s.map);
    s.state = calloc((size_t)ctx->num_types + 1, 1);
    s.su_index = malloc(((size_t)ctx->num_struct_unions + 1) * sizeof *s.su_index);
    s.enum_index = malloc(((size_t)ctx->num_enums + 1) * sizeof *s.enum_index);
    s.sorted_globals = malloc(((size_t)ctx->num_globals + 1) * sizeof(int));
    if (!s.map || !s.state || !s.su_index || !s.enum_index || !s.sorted_globals) {
        tr_nomem(&s);
        goto done;
    }
    for (int i = 0; i < ctx->num_types; i++)
        s.map[i] = MAP_NONE;
    for (int i = 0; i < ctx->num_globals; i++) {
        if (ctx->globals[i].name == NULL) {
            tr_bad(&s, "global without a name", i);
            goto done;
        }
        s.sorted_globals[i] = i;
    }
    qsort_ctx = ctx;
    qsort(s.sorted_globals, (size_t)ctx->num_globals, sizeof(int), tr_cmp_globals);
    qsort_ctx = NULL;
    rc = tr_run(&s, out);
    if (rc == 0 && cc_table_validate(t, err) < 0)
        rc = -1;
done:
    free(s.state);
    free(s.su_index);
    free(s.enum_index);
    free(s.sorted_globals);
    if (rc == 0) {
        out->type_map = s.map;
        out->num_types = ctx->num_types;
    } else {
        free(s.map);
    }
    return rc;
}

void compat_translation_free(compat_translation *tr)
{
    free(tr->type_map);
    tr->type_map = NULL;
}
