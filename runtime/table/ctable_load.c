/* ctable_load.c - reading a binary type table: cc_table_validate() checks
 * the records of a table (every type index in range, members inside their
 * record, strings inside the pool, no struct containing itself) and
 * cc_table_load() reads the binary form into a cc_table, trusting nothing
 * before it has been checked.  A table is untrusted input: a bad one gives
 * a CC_ERR_TABLE error naming the first bad item, never a crash.  The one
 * exception is cc_table_load_module(): a compiled module's own table, which
 * its plugin checked with cc_table_load() when it wrote it, is used in place
 * with its header and sections checked and its records trusted, so that
 * importing a module does no work per name (the string and derived-type
 * indexes are then built on first use, names found in the sorted index).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "table/ctable.h"
#include "table/ctable_internal.h"

/* ------------------------------------------------------------ validation
 * Every message starts with "bad type table: " and names the record
 * ("types[12].item") and the value that is wrong. */

#define CC_BAD(err, ...) cc_error_set((err), CC_ERR_TABLE, "bad type table: " __VA_ARGS__)

static const char *const cc_kind_names[] = {
#define CCT_X(k) #k,
    CCT_KINDS(CCT_X)
#undef CCT_X
};

static int cc_check_string(const cc_table *t, uint32_t off, const char *what,
                           uint32_t i, cc_error *err)
{
    if (off >= t->strings_size)
        return CC_BAD(err, "%s[%u].name: string offset %u out of range "
                      "(string pool of %u bytes)", what, i, off, t->strings_size);
    return 0;
}

static int cc_check_pool(const cc_table *t, cc_error *err)
{
    if (t->strings_size == 0 || t->strings == NULL || t->strings[0] != '\0')
        return CC_BAD(err, "the string pool does not start with \"\"");
    if (t->strings[t->strings_size - 1] != '\0')
        return CC_BAD(err, "the string pool is not NUL-terminated (unterminated "
                      "string at its end)");
    return 0;
}

/* first+count within a member array of n items, without overflow. */
static int cc_check_range(uint32_t first, uint32_t count, uint32_t n,
                          const char *members, uint32_t i, cc_error *err)
{
    if ((uint64_t)first + count > n)
        return CC_BAD(err, "types[%u]: %s [%u, %u+%u) out of range (%u %s)",
                      i, members, first, first, count, n, members);
    return 0;
}

/* A derived type refers only to earlier types, so that no walk loops. */
static int cc_check_earlier(const cc_table *t, uint32_t i, uint32_t ref,
                            const char *what, cc_error *err)
{
    if (ref >= t->ntypes)
        return CC_BAD(err, "types[%u].%s: type %u out of range (%u types)",
                      i, what, ref, t->ntypes);
    if (ref >= i)
        return CC_BAD(err, "types[%u].%s: type %u is not an earlier type",
                      i, what, ref);
    return 0;
}

static bool cc_is_pow2(uint64_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

static int cc_check_primitive(const cc_table *t, uint32_t i, cc_error *err)
{
    const cct_type *ty = &t->types[i];
    const cc_prim_info *p;

    if (ty->prim >= CCT_PRIM__COUNT)
        return CC_BAD(err, "types[%u].prim: primitive %u out of range", i, ty->prim);
    p = &cc_prims[ty->prim];
    if (p->flags & CCT_PF_UNKNOWN) {
        if (ty->size != CCT_SIZE_UNKNOWN || ty->align != 0)
            return CC_BAD(err, "types[%u]: primitive '%s' of unknown size has a size",
                          i, p->name);
    } else if (ty->size != p->size || ty->align != p->align) {
        return CC_BAD(err, "types[%u]: primitive '%s' has size %llu align %u, "
                      "expected %u and %u", i, p->name,
                      (unsigned long long)ty->size, ty->align, p->size, p->align);
    }
    return 0;
}

static int cc_check_array(const cc_table *t, uint32_t i, cc_error *err)
{
    const cct_type *ty = &t->types[i];
    uint64_t expect = CCT_SIZE_UNKNOWN, isize = CCT_SIZE_UNKNOWN;
    uint32_t ialign = 0;

    if (cc_check_earlier(t, i, ty->item, "item", err) < 0)
        return -1;
    const cct_type *item = &t->types[ty->item];
    if (item->kind == CCT_KIND_ENUM && (item->flags & CCT_TF_OPAQUE)
        && !(item->flags & (CCT_TF_PARTIAL | CCT_TF_LAYOUT_KNOWN))) {
        /* an opaque 'enum foo;' item: the layout engine sizes the array as
           of unsigned int, what realization makes of it (layout.c) */
        isize = sizeof(unsigned int);
        ialign = _Alignof(unsigned int);
    } else if (!cc_type_layout(item, &isize, &ialign)) {
        isize = CCT_SIZE_UNKNOWN, ialign = 0;
    }
    if (!(ty->flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS)))
        expect = cc_array_size(isize, ty->length);
    if (ty->size != CCT_SIZE_UNKNOWN && (ty->size != expect || ty->align != ialign))
        return CC_BAD(err, "types[%u]: array size %llu or align %u does not match "
                      "%llu items of size %llu align %u", i,
                      (unsigned long long)ty->size, ty->align,
                      (unsigned long long)ty->length, (unsigned long long)isize,
                      ialign);
    return 0;
}

static int cc_check_function(const cc_table *t, uint32_t i, cc_error *err)
{
    const cct_type *ty = &t->types[i];

    if (cc_check_earlier(t, i, ty->item, "item", err) < 0
        || cc_check_range(ty->first, ty->count, t->nargs, "args", i, err) < 0)
        return -1;
    for (uint32_t k = 0; k < ty->count; k++) {
        uint32_t a = t->args[ty->first + k];
        if (a >= t->ntypes || a >= i)
            return CC_BAD(err, "args[%u] (parameter %u of types[%u]): type %u "
                          "out of range or not an earlier type",
                          ty->first + k, k, i, a);
    }
    return 0;
}

/* The size a layout gives a member of this (valid) type, as layout.c
 * computes it: arrays from their item, enums from their integer type.
 * CCT_SIZE_UNKNOWN when no layout can know it (opaque, flexible...). */
static uint64_t cc_value_size(const cc_table *t, uint32_t type)
{
    uint64_t count = 1;
    bool huge = false;   /* the count overflowed (fine if the item is empty) */

    while (t->types[type].kind == CCT_KIND_ARRAY) {
        const cct_type *ty = &t->types[type];
        if (ty->flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS))
            return CCT_SIZE_UNKNOWN;
        if (ty->length == 0)
            count = 0, huge = false;
        else if (count != 0 && (huge || count > (CCT_SIZE_UNKNOWN - 1) / ty->length))
            huge = true;
        else
            count *= ty->length;
        type = ty->item;   /* an earlier type: the walk ends */
    }
    const cct_type *ty = &t->types[type];
    uint64_t size;
    switch (ty->kind) {
    case CCT_KIND_PRIMITIVE:
    case CCT_KIND_ENUM:
        if ((cc_prims[ty->prim].flags & CCT_PF_UNKNOWN)
            || (ty->kind == CCT_KIND_ENUM && (ty->flags & (CCT_TF_OPAQUE | CCT_TF_PARTIAL))
                && !(ty->flags & CCT_TF_LAYOUT_KNOWN)))
            return CCT_SIZE_UNKNOWN;
        size = cc_prims[ty->prim].size;
        break;
    case CCT_KIND_POINTER:
        size = sizeof(void *);
        break;
    default:
        size = cc_final_size(ty);
        break;
    }
    if (size == CCT_SIZE_UNKNOWN || size == 0 || count == 0)
        return size == CCT_SIZE_UNKNOWN ? size : 0;
    if (huge || size > (CCT_SIZE_UNKNOWN - 1) / count)
        return CCT_SIZE_UNKNOWN - 1;   /* too large: cannot fit anything */
    return size * count;
}

/* Does `type` hold by value (through arrays) a struct or union that a
 * layout could still give any size (not laid out, not opaque/partial)? */
static bool cc_pending_record(const cc_table *t, uint32_t type)
{
    for (uint32_t steps = 0; steps <= t->ntypes; steps++) {
        const cct_type *ty = &t->types[type];
        if (ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION)
            return !(ty->flags & (CCT_TF_LAYOUT_KNOWN | CCT_TF_OPAQUE | CCT_TF_PARTIAL));
        if (ty->kind != CCT_KIND_ARRAY || ty->item >= type)
            return false;
        type = ty->item;
    }
    return false;
}

/* The bits or bytes of a laid-out member lie inside its record. */
static int cc_check_member_fits(const cc_table *t, uint32_t i, uint32_t k,
                                cc_error *err)
{
    const cct_type *ty = &t->types[i];
    const cct_field *f = &t->fields[k];
    uint64_t fsize = cc_value_size(t, f->type);

    if (f->bitsize >= 0) {
        uint64_t end = (uint64_t)f->bitshift + (uint64_t)f->bitsize;
        if (f->offset > ty->size || end > (ty->size - f->offset) * 8)
            return CC_BAD(err, "fields[%u]: bitfield at offset %llu bit %d width %d "
                          "lies outside its %llu-byte record types[%u]", k,
                          (unsigned long long)f->offset, f->bitshift, f->bitsize,
                          (unsigned long long)ty->size, i);
        return 0;
    }
    if (cc_pending_record(t, f->type))
        return CC_BAD(err, "fields[%u]: member of laid-out record types[%u] has "
                      "a struct or union type that is not laid out", k, i);
    if (fsize == CCT_SIZE_UNKNOWN)
        fsize = 0;   /* flexible array member, or an opaque member */
    if (f->offset > ty->size || fsize > ty->size - f->offset)
        return CC_BAD(err, "fields[%u]: member at offset %llu of size %llu lies "
                      "outside its %llu-byte record types[%u]", k,
                      (unsigned long long)f->offset, (unsigned long long)fsize,
                      (unsigned long long)ty->size, i);
    return 0;
}

static int cc_check_record(const cc_table *t, uint32_t i, cc_error *err)
{
    const cct_type *ty = &t->types[i];

    if (cc_check_range(ty->first, ty->count, t->nfields, "fields", i, err) < 0)
        return -1;
    if (!(ty->flags & CCT_TF_LAYOUT_KNOWN))
        return 0;
    /* (size 1 is an empty record's, whatever its alignment: CFFI's size,
       which the layout engine gives 'struct { int a[0]; }') */
    if (!cc_is_pow2(ty->align) || ty->size == CCT_SIZE_UNKNOWN
        || (ty->size % ty->align != 0 && ty->size != 1))
        return CC_BAD(err, "types[%u]: laid-out %s has size %llu and alignment %u",
                      i, cc_kind_names[ty->kind], (unsigned long long)ty->size,
                      ty->align);
    return 0;
}

/* Every field belongs to one struct or union at most: the layout engine
 * writes the offsets of a record's fields, which must not move another's. */
static int cc_check_field_owners(const cc_table *t, cc_error *err)
{
    uint32_t *owner = malloc((t->nfields ? t->nfields : 1) * sizeof *owner);
    int rc = 0;

    if (owner == NULL)
        return cc_error_set(err, CC_ERR_NOMEM, "out of memory");
    memset(owner, 0xff, t->nfields * sizeof *owner);
    for (uint32_t i = 0; i < t->ntypes && rc == 0; i++) {
        const cct_type *ty = &t->types[i];
        if (ty->kind != CCT_KIND_STRUCT && ty->kind != CCT_KIND_UNION)
            continue;
        for (uint32_t k = ty->first; k < ty->first + ty->count; k++) {
            if (owner[k] != UINT32_MAX) {
                rc = CC_BAD(err, "fields[%u] belongs to both types[%u] and types[%u]",
                            k, owner[k], i);
                break;
            }
            owner[k] = i;
        }
    }
    free(owner);
    return rc;
}

/* Second pass, once every type is known valid: members of laid-out records
 * lie inside them. */
static int cc_check_members_fit(const cc_table *t, cc_error *err)
{
    for (uint32_t i = 0; i < t->ntypes; i++) {
        const cct_type *ty = &t->types[i];
        if ((ty->kind != CCT_KIND_STRUCT && ty->kind != CCT_KIND_UNION)
            || !(ty->flags & CCT_TF_LAYOUT_KNOWN))
            continue;
        for (uint32_t k = ty->first; k < ty->first + ty->count; k++)
            if (cc_check_member_fits(t, i, k, err) < 0)
                return -1;
    }
    return 0;
}

static int cc_check_enum(const cc_table *t, uint32_t i, cc_error *err)
{
    const cct_type *ty = &t->types[i];

    if (ty->prim >= CCT_PRIM__COUNT
        || (cc_prims[ty->prim].flags & (CCT_PF_FLOAT | CCT_PF_COMPLEX)))
        return CC_BAD(err, "types[%u].prim: %u is not an integer primitive",
                      i, ty->prim);
    if (ty->size != CCT_SIZE_UNKNOWN && ty->size != cc_prims[ty->prim].size)
        return CC_BAD(err, "types[%u]: enum of size %llu over '%s'", i,
                      (unsigned long long)ty->size, cc_prims[ty->prim].name);
    return cc_check_range(ty->first, ty->count, t->nenums, "enumerators", i, err);
}

static int cc_check_type(const cc_table *t, uint32_t i, cc_error *err)
{
    const cct_type *ty = &t->types[i];

    if (ty->kind >= CCT_KIND__COUNT)
        return CC_BAD(err, "types[%u].kind: kind %u out of range", i, ty->kind);
    if ((ty->kind == CCT_KIND_VOID) != (i == 0))
        return CC_BAD(err, "types[%u]: %s", i, i == 0 ? "type 0 is not void"
                      : "void may only be type 0");
    if (cc_check_string(t, ty->name, "types", i, err) < 0)
        return -1;
    if (ty->align != 0 && !cc_is_pow2(ty->align))
        return CC_BAD(err, "types[%u].align: %u is not a power of two", i, ty->align);
    switch (ty->kind) {
    case CCT_KIND_PRIMITIVE:
        return cc_check_primitive(t, i, err);
    case CCT_KIND_POINTER:
        if (ty->size != sizeof(void *) || ty->align != _Alignof(void *))
            return CC_BAD(err, "types[%u]: pointer of size %llu align %u", i,
                          (unsigned long long)ty->size, ty->align);
        return cc_check_earlier(t, i, ty->item, "item", err);
    case CCT_KIND_ARRAY:
        return cc_check_array(t, i, err);
    case CCT_KIND_STRUCT:
    case CCT_KIND_UNION:
        return cc_check_record(t, i, err);
    case CCT_KIND_ENUM:
        return cc_check_enum(t, i, err);
    case CCT_KIND_FUNCTION:
        return cc_check_function(t, i, err);
    default:
        return 0;
    }
}

static int cc_check_field(const cc_table *t, uint32_t k, cc_error *err)
{
    const cct_field *f = &t->fields[k];

    if (cc_check_string(t, f->name, "fields", k, err) < 0)
        return -1;
    if (f->type >= t->ntypes)
        return CC_BAD(err, "fields[%u].type: type %u out of range (%u types)",
                      k, f->type, t->ntypes);
    if (f->bitsize < -1 || f->bitshift < -1)
        return CC_BAD(err, "fields[%u]: bitshift %d / bitsize %d out of range",
                      k, f->bitshift, f->bitsize);
    return 0;
}

static int cc_check_decl(const cc_table *t, uint32_t k, cc_error *err)
{
    const cct_decl *d = &t->decls[k];

    if (cc_check_string(t, d->name, "decls", k, err) < 0)
        return -1;
    if (d->kind >= CCT_DECL__COUNT)
        return CC_BAD(err, "decls[%u].kind: kind %u out of range", k, d->kind);
    if (d->type >= t->ntypes)
        return CC_BAD(err, "decls[%u].type: type %u out of range (%u types)",
                      k, d->type, t->ntypes);
    if ((d->kind == CCT_DECL_FUNCTION || d->kind == CCT_DECL_EXTERN_PYTHON)
        && t->types[d->type].kind != CCT_KIND_FUNCTION)
        return CC_BAD(err, "decls[%u] '%s': function declared with a type that "
                      "is not a function", k, t->strings + d->name);
    if (d->kind == CCT_DECL_TAG) {
        uint8_t kind = t->types[d->type].kind;
        if (kind != CCT_KIND_STRUCT && kind != CCT_KIND_UNION && kind != CCT_KIND_ENUM)
            return CC_BAD(err, "decls[%u] '%s': tag of a type that is not a "
                          "struct, union or enum", k, t->strings + d->name);
    }
    if (d->kind == CCT_DECL_CONST_STRING) {
        uint64_t off = d->value & 0xffffffffu, len = d->value >> 32;
        if (off + len >= t->strings_size || t->strings[off + len] != '\0')
            return CC_BAD(err, "decls[%u] '%s': string constant (offset %llu, "
                          "length %llu) out of range", k, t->strings + d->name,
                          (unsigned long long)off, (unsigned long long)len);
    }
    return 0;
}

/* The types a type holds by value: a record's members, an array's items. */
static uint32_t cc_contained_count(const cc_table *t, uint32_t i)
{
    const cct_type *ty = &t->types[i];

    if (ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION)
        return ty->count;
    return ty->kind == CCT_KIND_ARRAY ? 1 : 0;
}

static uint32_t cc_contained(const cc_table *t, uint32_t i, uint32_t k)
{
    const cct_type *ty = &t->types[i];

    if (ty->kind == CCT_KIND_ARRAY)
        return ty->item;
    return t->fields[ty->first + k].type;
}

/* Refuses a cycle of by-value containment (a struct that contains itself,
 * directly or through arrays and other structs).  Iterative depth-first
 * search: the stack holds (type, next member) pairs. */
static int cc_check_containment(const cc_table *t, cc_error *err)
{
    uint8_t *state = calloc(t->ntypes, 1);      /* 0 new, 1 open, 2 done */
    uint32_t *stack = malloc((size_t)t->ntypes * 2 * sizeof *stack);
    int rc = 0;

    if (state == NULL || stack == NULL) {
        rc = cc_error_set(err, CC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (uint32_t root = 0; root < t->ntypes && rc == 0; root++) {
        uint32_t depth = 0;
        if (state[root])
            continue;
        state[root] = 1;
        stack[0] = root;
        stack[1] = 0;
        depth = 1;
        while (depth > 0) {
            uint32_t cur = stack[2 * (depth - 1)];
            uint32_t *next = &stack[2 * (depth - 1) + 1];
            uint32_t sub;
            if (*next >= cc_contained_count(t, cur)) {
                state[cur] = 2;
                depth--;
                continue;
            }
            sub = cc_contained(t, cur, (*next)++);
            if (state[sub] == 1) {
                rc = CC_BAD(err, "types[%u] (%s '%s') contains itself by value",
                            sub, cc_kind_names[t->types[sub].kind],
                            t->strings + t->types[sub].name);
                break;
            }
            if (state[sub] == 0) {
                state[sub] = 1;
                stack[2 * depth] = sub;
                stack[2 * depth + 1] = 0;
                depth++;
            }
        }
    }
done:
    free(state);
    free(stack);
    return rc;
}

int cc_table_validate(const cc_table *t, cc_error *err)
{
    if (t->ntypes == 0)
        return CC_BAD(err, "no types (type 0 must be void)");
    if (cc_check_pool(t, err) < 0)
        return -1;
    for (uint32_t k = 0; k < t->nfields; k++)
        if (cc_check_field(t, k, err) < 0)
            return -1;
    for (uint32_t k = 0; k < t->nenums; k++)
        if (cc_check_string(t, t->enums[k].name, "enumerators", k, err) < 0)
            return -1;
    for (uint32_t i = 0; i < t->ntypes; i++)
        if (cc_check_type(t, i, err) < 0)
            return -1;
    for (uint32_t k = 0; k < t->ndecls; k++)
        if (cc_check_decl(t, k, err) < 0)
            return -1;
    if (cc_check_field_owners(t, err) < 0 || cc_check_containment(t, err) < 0)
        return -1;
    return cc_check_members_fit(t, err);
}

/* ---------------------------------------------------------------- loading */

static int cc_check_header(const cct_header *h, size_t len, cc_error *err)
{
    if (memcmp(h->magic, CCT_MAGIC, CCT_MAGIC_LEN) != 0)
        return CC_BAD(err, "wrong magic (not a ccffi type table)");
    if (h->version < CCT_VERSION_MIN || h->version > CCT_VERSION)
        return CC_BAD(err, "version %u, this runtime reads versions %u to %u",
                      h->version, CCT_VERSION_MIN, CCT_VERSION);
    if (h->header_size != sizeof(cct_header))
        return CC_BAD(err, "header_size %u, expected %u", h->header_size,
                      (unsigned)sizeof(cct_header));
    if (h->total_size > len)
        return CC_BAD(err, "total_size %u but only %zu bytes given (truncated)",
                      h->total_size, len);
    if (h->total_size < sizeof(cct_header))
        return CC_BAD(err, "total_size %u smaller than the header", h->total_size);
    return 0;
}

static int cc_check_section(const cct_header *h, const char *name,
                            uint32_t off, uint32_t count, size_t recsize,
                            cc_error *err)
{
    uint64_t bytes = (uint64_t)count * recsize;

    if (off % 8 != 0)
        return CC_BAD(err, "section %s at offset %u is not 8-byte aligned", name, off);
    if (off < h->header_size || off > h->total_size
        || bytes > (uint64_t)h->total_size - off)
        return CC_BAD(err, "section %s (%u records at offset %u) lies outside "
                      "the %u-byte table", name, count, off, h->total_size);
    return 0;
}

static int cc_check_sections(const cct_header *h, cc_error *err)
{
    if (cc_check_section(h, "types", h->types_off, h->ntypes, sizeof(cct_type), err) < 0
        || cc_check_section(h, "fields", h->fields_off, h->nfields, sizeof(cct_field), err) < 0
        || cc_check_section(h, "enumerators", h->enums_off, h->nenums, sizeof(cct_enumerator), err) < 0
        || cc_check_section(h, "args", h->args_off, h->nargs, sizeof(uint32_t), err) < 0
        || cc_check_section(h, "decls", h->decls_off, h->ndecls, sizeof(cct_decl), err) < 0
        || cc_check_section(h, "strings", h->strings_off, h->strings_size, 1, err) < 0)
        return -1;
    if (h->ntypes == 0)
        return CC_BAD(err, "no types (type 0 must be void)");
    if (h->strings_size == 0)
        return CC_BAD(err, "empty string pool (string 0 must be \"\")");
    return 0;
}

/* Copies count records at off into a fresh array (at least one slot). */
static void *cc_copy_section(const unsigned char *buf, uint32_t off,
                             uint32_t count, size_t recsize)
{
    void *p = malloc(count ? (size_t)count * recsize : 1);

    if (p != NULL && count)
        memcpy(p, buf + off, (size_t)count * recsize);
    return p;
}

static int cc_load_sections(cc_table *t, const unsigned char *b,
                            const cct_header *h)
{
#define CC_LOAD(arr, n, cap, off, cnt)                              \
    t->arr = cc_copy_section(b, h->off, h->cnt, sizeof *t->arr);    \
    if (t->arr == NULL)                                             \
        return -1;                                                  \
    t->n = t->cap = h->cnt;
    CC_LOAD(types, ntypes, cap_types, types_off, ntypes)
    CC_LOAD(fields, nfields, cap_fields, fields_off, nfields)
    CC_LOAD(enums, nenums, cap_enums, enums_off, nenums)
    CC_LOAD(args, nargs, cap_args, args_off, nargs)
    CC_LOAD(decls, ndecls, cap_decls, decls_off, ndecls)
    CC_LOAD(strings, strings_size, cap_strings, strings_off, strings_size)
#undef CC_LOAD
    return 0;
}

/* An empty map with room for n entries without growing (cc_map_add grows
 * past 3/4 full): a loaded table knows its counts, and rehashing on every
 * doubling was a good part of importing a large module. */
static int cc_map_reserve(cc_map *m, uint32_t n)
{
    uint64_t need = (uint64_t)n * 4 / 3 + 2, cap = 16;

    while (cap < need)
        cap *= 2;
    if (cap > (UINT32_MAX >> 2))
        return -1;
    cc_map_free(m);
    m->keys = malloc((size_t)cap * sizeof *m->keys);
    m->values = malloc((size_t)cap * sizeof *m->values);
    if (m->keys == NULL || m->values == NULL) {
        cc_map_free(m);
        return -1;
    }
    memset(m->values, 0xff, (size_t)cap * sizeof *m->values);
    m->capacity = (uint32_t)cap;
    m->count = 0;
    return 0;
}

/* Indexes every NUL-terminated run of the pool (the first copy wins),
 * hashing each once. */
int cc_index_strings(cc_table *t)
{
    uint32_t off = 0, n = 0;

    t->lazy_strings = 0;
    for (const char *p = t->strings, *end = t->strings + t->strings_size;
         (p = memchr(p, '\0', (size_t)(end - p))) != NULL; p++)
        n++;
    if (cc_map_reserve(&t->string_index, n) < 0) {
        t->lazy_strings = 1;
        return -1;
    }
    while (off < t->strings_size) {
        const char *s = t->strings + off;
        size_t len = strlen(s);
        uint64_t key = cc_hash_bytes(s, len, 0);
        uint32_t slot = UINT32_MAX, other;
        bool seen = false;
        while (!seen && cc_map_next(&t->string_index, key, &slot, &other))
            seen = memcmp(t->strings + other, s, len + 1) == 0;
        if (!seen && cc_map_add(&t->string_index, key, off) < 0) {
            cc_map_free(&t->string_index);
            t->lazy_strings = 1;
            return -1;
        }
        off += (uint32_t)len + 1;
    }
    return 0;
}

/* Are derived types a and b twins (as cc_derived_find() compares them)? */
static bool cc_load_twins(const cc_table *t, const cct_type *a, const cct_type *b)
{
    if (a->kind != b->kind || a->prim != b->prim || a->flags != b->flags
        || a->item != b->item || a->length != b->length || a->name != b->name)
        return false;
    if (a->kind != CCT_KIND_FUNCTION)
        return true;
    return a->count == b->count
        && (a->count == 0 || memcmp(t->args + a->first, t->args + b->first,
                                    a->count * sizeof *t->args) == 0);
}

/* Interning index of the derived types (the first of equal twins wins),
 * each key computed once. */
int cc_index_derived(cc_table *t)
{
    t->lazy_derived = 0;
    if (cc_map_reserve(&t->derived_index, t->ntypes) < 0) {
        t->lazy_derived = 1;
        return -1;
    }
    for (uint32_t i = 1; i < t->ntypes; i++) {
        cct_type *ty = &t->types[i];
        const uint32_t *args = ty->kind == CCT_KIND_FUNCTION ? t->args + ty->first
                                                             : NULL;
        if (ty->kind != CCT_KIND_POINTER && ty->kind != CCT_KIND_ARRAY
            && ty->kind != CCT_KIND_FUNCTION
            && !(ty->kind == CCT_KIND_PRIMITIVE && ty->name == 0))
            continue;
        uint64_t key = cc_derived_key(ty, args);
        uint32_t slot = UINT32_MAX, other;
        bool seen = false;
        while (!seen && cc_map_next(&t->derived_index, key, &slot, &other))
            seen = cc_load_twins(t, &t->types[other], ty);
        if (!seen && cc_map_add(&t->derived_index, key, i) < 0) {
            cc_map_free(&t->derived_index);
            t->lazy_derived = 1;
            return -1;
        }
    }
    return 0;
}

/* The pool offset of the name of a reference (decl or enumerator). */
static uint32_t cc_load_ref_name(const cc_table *t, uint32_t ref)
{
    return (ref & CC_REF_ENUMERATOR) ? t->enums[ref & ~CC_REF_ENUMERATOR].name
                                     : t->decls[ref].name;
}

static int cc_load_tag_kind(const cc_table *t, uint32_t ref)
{
    uint32_t type = t->decls[ref].type;
    return type < t->ntypes ? t->types[type].kind : -1;
}

/* cc_name_bind() of a validated table, hashing the name once: points the
 * name at ref, replacing an entry of the same name (and, for tags, of the
 * same kind). */
static int cc_load_bind(cc_table *t, int ns, uint32_t name, uint32_t ref)
{
    const char *s = t->strings + name;
    size_t len = strlen(s);
    uint64_t key = cc_hash_bytes(s, len, 0);
    int kind = ns == CC_NS_TAG ? cc_load_tag_kind(t, ref) : -1;
    cc_map *m = &t->name_index[ns];
    uint32_t slot = UINT32_MAX, other;

    while (cc_map_next(m, key, &slot, &other)) {
        uint32_t off = cc_load_ref_name(t, other);
        if ((uint64_t)off + len < t->strings_size
            && memcmp(t->strings + off, s, len) == 0 && t->strings[off + len] == '\0'
            && (kind < 0 || cc_load_tag_kind(t, other) == kind)) {
            m->values[slot] = ref;
            return 0;
        }
    }
    return cc_map_add(m, key, ref);
}

/* Name index: enumerators of every enum first, then declarations in order
 * (the same bindings as cc_table_name_enumerators() and cc_name_bind()). */
static int cc_index_names(cc_table *t)
{
    uint32_t ntags = 0;

    for (uint32_t k = 0; k < t->ndecls; k++)
        ntags += cc_decl_namespace(&t->decls[k]) == CC_NS_TAG;
    if (cc_map_reserve(&t->name_index[CC_NS_ORDINARY], t->ndecls - ntags + t->nenums) < 0
        || cc_map_reserve(&t->name_index[CC_NS_TAG], ntags) < 0)
        return -1;
    for (uint32_t i = 0; i < t->ntypes; i++) {
        const cct_type *ty = &t->types[i];
        if (ty->kind != CCT_KIND_ENUM)
            continue;
        if ((uint64_t)ty->first + ty->count > t->nenums)
            return -1;
        for (uint32_t e = ty->first; e < ty->first + ty->count; e++)
            if (cc_load_bind(t, CC_NS_ORDINARY, t->enums[e].name,
                             CC_REF_ENUMERATOR | e) < 0)
                return -1;
    }
    for (uint32_t k = 0; k < t->ndecls; k++)
        if (cc_load_bind(t, cc_decl_namespace(&t->decls[k]), t->decls[k].name, k) < 0)
            return -1;
    return 0;
}

static int cc_load_fail(cc_table *t, cc_error *err, int nomem)
{
    if (nomem)
        cc_error_set(err, CC_ERR_NOMEM, "out of memory loading a type table");
    cc_table_free(t);
    if (cc_table_init(t) < 0)
        memset(t, 0, sizeof *t);
    return -1;
}

int cc_table_load(cc_table *t, const void *buf, size_t len, cc_error *err)
{
    cct_header h;

    if (buf == NULL || len < sizeof h)
        return CC_BAD(err, "%zu bytes, shorter than the %u-byte header (truncated)",
                      buf == NULL ? (size_t)0 : len, (unsigned)sizeof h);
    memcpy(&h, buf, sizeof h);
    if (cc_check_header(&h, len, err) < 0 || cc_check_sections(&h, err) < 0)
        return -1;
    cc_table_free(t);
    if (cc_load_sections(t, buf, &h) < 0)
        return cc_load_fail(t, err, 1);
    if (cc_table_validate(t, err) < 0)
        return cc_load_fail(t, err, 0);
    if (cc_index_strings(t) < 0 || cc_index_derived(t) < 0
        || cc_index_names(t) < 0)
        return cc_load_fail(t, err, 1);
    return 0;
}

/* ------------------------------------------------------- a module's table */

/* The sorted name index of a checked header: 1 with t's views set, 0 when
 * the table has none, -1 (err set) when it lies outside the table. */
static int cc_module_names(cc_table *t, const unsigned char *b,
                           const cct_header *h, cc_error *err)
{
    uint32_t counts[2];
    uint64_t bytes;

    if (h->names_off == 0)
        return 0;
    if (h->names_off % 8 != 0 || h->names_off < h->header_size
        || h->names_off > h->total_size
        || h->total_size - h->names_off < sizeof counts)
        return CC_BAD(err, "name index at offset %u lies outside the %u-byte "
                      "table or is not 8-byte aligned", h->names_off, h->total_size);
    memcpy(counts, b + h->names_off, sizeof counts);
    bytes = ((uint64_t)counts[0] + counts[1]) * sizeof(uint32_t);
    if (bytes > h->total_size - h->names_off - sizeof counts)
        return CC_BAD(err, "name index of %u + %u names lies outside the "
                      "%u-byte table", counts[0], counts[1], h->total_size);
    t->sorted_names[0] = (const uint32_t *)(b + h->names_off + sizeof counts);
    t->sorted_names[1] = t->sorted_names[0] + counts[0];
    t->nsorted[0] = counts[0];
    t->nsorted[1] = counts[1];
    return 1;
}

int cc_table_load_module(cc_table *t, const void *buf, size_t len,
                         cc_error *err)
{
    const unsigned char *b = buf;
    cct_header h;
    int rc;

    if (buf == NULL || len < sizeof h || ((uintptr_t)buf % 8) != 0)
        return cc_table_load(t, buf, len, err);
    memcpy(&h, buf, sizeof h);
    if (h.names_off == 0)
        return cc_table_load(t, buf, len, err);
    if (cc_check_header(&h, len, err) < 0 || cc_check_sections(&h, err) < 0)
        return -1;
    cc_table_free(t);
    if ((rc = cc_module_names(t, b, &h, err)) < 0)
        return cc_load_fail(t, err, 0);
    /* the sections are 8-byte aligned in an 8-byte aligned buffer */
    t->types = (cct_type *)(b + h.types_off);
    t->fields = (cct_field *)(b + h.fields_off);
    t->enums = (cct_enumerator *)(b + h.enums_off);
    t->args = (uint32_t *)(b + h.args_off);
    t->decls = (cct_decl *)(b + h.decls_off);
    t->strings = (char *)(b + h.strings_off);
    t->ntypes = t->cap_types = h.ntypes;
    t->nfields = t->cap_fields = h.nfields;
    t->nenums = t->cap_enums = h.nenums;
    t->nargs = t->cap_args = h.nargs;
    t->ndecls = t->cap_decls = h.ndecls;
    t->strings_size = t->cap_strings = h.strings_size;
    t->borrowed = CC_OWN_TYPES | CC_OWN_FIELDS | CC_OWN_ENUMS | CC_OWN_ARGS
                  | CC_OWN_DECLS | CC_OWN_STRINGS | CC_OWN_NAMES;
    t->lazy_strings = t->lazy_derived = 1;
    /* what costs nothing to check still is */
    if (cc_check_pool(t, err) < 0)
        return cc_load_fail(t, err, 0);
    if (t->types[0].kind != CCT_KIND_VOID) {
        CC_BAD(err, "types[0]: type 0 is not void");
        return cc_load_fail(t, err, 0);
    }
    return 0;
}
