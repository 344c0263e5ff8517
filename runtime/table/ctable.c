/* ctable.c - the type table in memory: builder, name lookup, binary form.
 *
 * The table is a set of growable arrays holding exactly the records of
 * table_format.h, plus three kinds of index kept in cc_map hash maps:
 * interned strings (hash of the bytes -> pool offset), interned derived types
 * (hash of the record -> type index, so that "pointer to type 7" exists once)
 * and, per namespace, declared names (hash of the name -> decl reference).
 * A map may hold several entries under one hash key; lookups walk the probe
 * sequence and compare the real thing.  cc_table_serialize() writes the
 * binary format, cc_table_load() reads one, trusting nothing before it has
 * been checked, and cc_table_include() copies another table's declarations
 * (ffi.include()).  Pure C, no Python.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uchar.h>
#include <wchar.h>

#include "table/ctable.h"

/* ---------------------------------------------------------------- errors */

int cc_error_set(cc_error *err, cc_errkind kind, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err->kind != CC_ERR_NONE)
        return -1;
    err->kind = kind;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* ------------------------------------------------------------ primitives */

/* The C type column is `void` for the UNKNOWN_* primitives, which have no
 * size.  CC_SIZED(ctype) is ctype, or `char` when ctype is the single token
 * `void` (detected by pasting it onto CC_PROBE_, which only exists as
 * CC_PROBE_void), so that sizeof/_Alignof stay valid C; the UNKNOWN flag then
 * forces the recorded size and alignment to 0. */
#define CC_SECOND(a, b, ...) b
#define CC_CHECK(...) CC_SECOND(__VA_ARGS__, 0, ~)
#define CC_PROBE_void ~, 1
#define CC_CAT(a, b) CC_CAT_(a, b)
#define CC_CAT_(a, b) a##b
#define CC_IS_VOID(ctype) CC_CHECK(CC_PROBE_##ctype)
#define CC_SEL_0(t) t
#define CC_SEL_1(t) char
#define CC_SIZED(ctype) CC_CAT(CC_SEL_, CC_IS_VOID(ctype))(ctype)

#define CC_PRIM_ENTRY(id, cname, ctype, pflags)                              \
    [CCT_PRIM_##id] = {                                                      \
        cname,                                                               \
        ((pflags) & CCT_PF_UNKNOWN) ? 0u : (uint32_t)sizeof(CC_SIZED(ctype)), \
        ((pflags) & CCT_PF_UNKNOWN) ? 0u : (uint32_t)_Alignof(CC_SIZED(ctype)), \
        (pflags) },

const cc_prim_info cc_prims[CCT_PRIM__COUNT] = {
    CCT_PRIMITIVES(CC_PRIM_ENTRY)
};
#undef CC_PRIM_ENTRY

/* ------------------------------------------------------------- hash maps
 * Open addressing with linear probing; a slot is free when its value is
 * CC_MAP_FREE.  Several slots may share a key (a hash): callers walk them. */

#define CC_MAP_FREE UINT32_MAX

static uint64_t cc_hash_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* FNV-1a over bytes, then mixed. */
static uint64_t cc_hash_bytes(const void *p, size_t len, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;

    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return cc_hash_mix(h);
}

static uint64_t cc_hash_combine(uint64_t h, uint64_t v)
{
    return cc_hash_mix(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

static void cc_map_free(cc_map *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

static uint32_t cc_map_first_slot(const cc_map *m, uint64_t key)
{
    return (uint32_t)(cc_hash_mix(key) & (m->capacity - 1));
}

static uint32_t cc_map_next_slot(const cc_map *m, uint32_t slot)
{
    return (slot + 1) & (m->capacity - 1);
}

static void cc_map_put_raw(cc_map *m, uint64_t key, uint32_t value)
{
    uint32_t slot = cc_map_first_slot(m, key);

    while (m->values[slot] != CC_MAP_FREE)
        slot = cc_map_next_slot(m, slot);
    m->keys[slot] = key;
    m->values[slot] = value;
    m->count++;
}

static int cc_map_grow(cc_map *m)
{
    uint32_t newcap = m->capacity ? m->capacity * 2 : 16;
    cc_map old = *m;

    if (newcap == 0 || newcap > (UINT32_MAX >> 2))
        return -1;
    m->keys = malloc((size_t)newcap * sizeof *m->keys);
    m->values = malloc((size_t)newcap * sizeof *m->values);
    if (m->keys == NULL || m->values == NULL) {
        free(m->keys);
        free(m->values);
        *m = old;
        return -1;
    }
    memset(m->values, 0xff, (size_t)newcap * sizeof *m->values);
    m->capacity = newcap;
    m->count = 0;
    for (uint32_t i = 0; i < old.capacity; i++)
        if (old.values[i] != CC_MAP_FREE)
            cc_map_put_raw(m, old.keys[i], old.values[i]);
    free(old.keys);
    free(old.values);
    return 0;
}

/* Adds an entry (even if the key is present: keys are hashes). */
static int cc_map_add(cc_map *m, uint64_t key, uint32_t value)
{
    if ((uint64_t)(m->count + 1) * 4 > (uint64_t)m->capacity * 3
        && cc_map_grow(m) < 0)
        return -1;
    cc_map_put_raw(m, key, value);
    return 0;
}

/* Iteration over the entries of one key: *slot starts at UINT32_MAX;
 * returns 1 with *value set for each entry, 0 at the end. */
static int cc_map_next(const cc_map *m, uint64_t key, uint32_t *slot,
                       uint32_t *value)
{
    uint32_t s;

    if (m->capacity == 0)
        return 0;
    s = (*slot == UINT32_MAX) ? cc_map_first_slot(m, key)
                              : cc_map_next_slot(m, *slot);
    for (; m->values[s] != CC_MAP_FREE; s = cc_map_next_slot(m, s)) {
        if (m->keys[s] == key) {
            *slot = s;
            *value = m->values[s];
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------- growable arrays */

/* Makes room for `more` items in *arr (capacity *cap, count n). */
static int cc_grow(void **arr, uint32_t *cap, uint32_t n, uint32_t more,
                   size_t itemsize)
{
    uint64_t need = (uint64_t)n + more;
    uint64_t newcap;
    void *p;

    if (need <= *cap)
        return 0;
    if (need > UINT32_MAX - 1)
        return -1;
    newcap = *cap ? *cap : 8;
    while (newcap < need)
        newcap *= 2;
    if (newcap > UINT32_MAX - 1)
        newcap = UINT32_MAX - 1;
    p = realloc(*arr, (size_t)newcap * itemsize);
    if (p == NULL)
        return -1;
    *arr = p;
    *cap = (uint32_t)newcap;
    return 0;
}

#define CC_GROW(t, arr, n, cap, more) \
    cc_grow((void **)&(t)->arr, &(t)->cap, (t)->n, (more), sizeof *(t)->arr)

/* ------------------------------------------------------------ init, free */

static void cc_table_clear_indexes(cc_table *t)
{
    cc_map_free(&t->string_index);
    cc_map_free(&t->derived_index);
    cc_map_free(&t->name_index[0]);
    cc_map_free(&t->name_index[1]);
}

void cc_table_free(cc_table *t)
{
    free(t->types);
    free(t->fields);
    free(t->enums);
    free(t->args);
    free(t->decls);
    free(t->strings);
    cc_table_clear_indexes(t);
    memset(t, 0, sizeof *t);
}

int cc_table_init(cc_table *t)
{
    cct_type void_type;
    uint32_t off, idx;

    memset(t, 0, sizeof *t);
    memset(&void_type, 0, sizeof void_type);
    void_type.kind = CCT_KIND_VOID;
    void_type.size = CCT_SIZE_UNKNOWN;
    if (cc_table_string(t, "", 0, &off) < 0
        || cc_table_add_type(t, &void_type, &idx) < 0) {
        cc_table_free(t);
        return -1;
    }
    return 0;
}

/* --------------------------------------------------------------- strings */

static bool cc_string_equals(const cc_table *t, uint32_t off,
                             const char *s, size_t len)
{
    if ((uint64_t)off + len >= t->strings_size)
        return false;
    return memcmp(t->strings + off, s, len) == 0 && t->strings[off + len] == '\0';
}

/* Finds an interned string without adding it: 1 found, 0 absent. */
static int cc_table_find_string(const cc_table *t, const char *s, size_t len,
                                uint32_t *out)
{
    uint64_t key = cc_hash_bytes(s, len, 0);
    uint32_t slot = UINT32_MAX, off;

    while (cc_map_next(&t->string_index, key, &slot, &off)) {
        if (cc_string_equals(t, off, s, len)) {
            *out = off;
            return 1;
        }
    }
    return 0;
}

int cc_table_string(cc_table *t, const char *s, size_t len, uint32_t *out)
{
    uint32_t off;

    if (cc_table_find_string(t, s, len, out))
        return 0;
    if (len >= UINT32_MAX - 1 - (uint64_t)t->strings_size)
        return -1;
    if (CC_GROW(t, strings, strings_size, cap_strings, (uint32_t)len + 1) < 0)
        return -1;
    off = t->strings_size;
    if (len)
        memcpy(t->strings + off, s, len);
    t->strings[off + len] = '\0';
    if (cc_map_add(&t->string_index, cc_hash_bytes(s, len, 0), off) < 0)
        return -1;
    t->strings_size += (uint32_t)len + 1;
    *out = off;
    return 0;
}

/* ----------------------------------------------------------------- types */

int cc_table_add_type(cc_table *t, const cct_type *ty, uint32_t *out)
{
    if (CC_GROW(t, types, ntypes, cap_types, 1) < 0)
        return -1;
    t->types[t->ntypes] = *ty;
    *out = t->ntypes++;
    return 0;
}

/* The interning key of a derived type; for functions it covers the args. */
static uint64_t cc_derived_key(const cct_type *ty, const uint32_t *args)
{
    uint64_t h = cc_hash_mix(((uint64_t)ty->kind << 56) ^ ((uint64_t)ty->prim << 48)
                             ^ ((uint64_t)ty->flags << 32) ^ ty->item);
    h = cc_hash_combine(h, ty->length);
    h = cc_hash_combine(h, ty->name);
    if (ty->kind == CCT_KIND_FUNCTION) {
        h = cc_hash_combine(h, ty->count);
        for (uint32_t i = 0; i < ty->count; i++)
            h = cc_hash_combine(h, args[i]);
    }
    return h;
}

static bool cc_derived_equals(const cc_table *t, uint32_t idx,
                              const cct_type *ty, const uint32_t *args)
{
    const cct_type *o = &t->types[idx];

    if (o->kind != ty->kind || o->prim != ty->prim || o->flags != ty->flags
        || o->item != ty->item || o->length != ty->length
        || o->name != ty->name)
        return false;
    if (ty->kind != CCT_KIND_FUNCTION)
        return true;
    return o->count == ty->count
        && (ty->count == 0
            || memcmp(t->args + o->first, args, ty->count * sizeof *args) == 0);
}

/* Finds the interned twin of *ty (args: a FUNCTION's parameters): 1 found. */
static int cc_derived_find(const cc_table *t, const cct_type *ty,
                           const uint32_t *args, uint32_t *out)
{
    uint64_t key = cc_derived_key(ty, args);
    uint32_t slot = UINT32_MAX, idx;

    while (cc_map_next(&t->derived_index, key, &slot, &idx)) {
        if (cc_derived_equals(t, idx, ty, args)) {
            *out = idx;
            return 1;
        }
    }
    return 0;
}

/* Returns the interned type equal to *ty, adding it if new. */
static int cc_derived_intern(cc_table *t, cct_type *ty, const uint32_t *args,
                             uint32_t *out)
{
    if (cc_derived_find(t, ty, args, out))
        return 0;
    if (ty->kind == CCT_KIND_FUNCTION) {
        if (CC_GROW(t, args, nargs, cap_args, ty->count) < 0)
            return -1;
        ty->first = t->nargs;
        if (ty->count)
            memcpy(t->args + t->nargs, args, ty->count * sizeof *args);
    }
    if (CC_GROW(t, types, ntypes, cap_types, 1) < 0
        || cc_map_add(&t->derived_index, cc_derived_key(ty, args), t->ntypes) < 0)
        return -1;
    if (ty->kind == CCT_KIND_FUNCTION)
        t->nargs += ty->count;
    t->types[t->ntypes] = *ty;
    *out = t->ntypes++;
    return 0;
}

static void cc_type_blank(cct_type *ty, enum cct_kind kind)
{
    memset(ty, 0, sizeof *ty);
    ty->kind = (uint8_t)kind;
    ty->size = CCT_SIZE_UNKNOWN;
}

int cc_table_primitive(cc_table *t, enum cct_prim prim, uint32_t *out)
{
    cct_type ty;

    if ((unsigned)prim >= CCT_PRIM__COUNT)
        return -1;
    cc_type_blank(&ty, CCT_KIND_PRIMITIVE);
    ty.prim = (uint8_t)prim;
    if (!(cc_prims[prim].flags & CCT_PF_UNKNOWN)) {
        ty.size = cc_prims[prim].size;
        ty.align = cc_prims[prim].align;
    }
    return cc_derived_intern(t, &ty, NULL, out);
}

int cc_table_pointer(cc_table *t, uint32_t item, uint32_t *out)
{
    cct_type ty;

    if (item >= t->ntypes)
        return -1;
    cc_type_blank(&ty, CCT_KIND_POINTER);
    ty.item = item;
    ty.size = sizeof(void *);
    ty.align = _Alignof(void *);
    return cc_derived_intern(t, &ty, NULL, out);
}

int cc_type_layout(const cct_type *ty, uint64_t *size, uint32_t *align)
{
    switch (ty->kind) {
    case CCT_KIND_PRIMITIVE:
    case CCT_KIND_ENUM:
        if (ty->prim >= CCT_PRIM__COUNT || (cc_prims[ty->prim].flags & CCT_PF_UNKNOWN)
            || (ty->kind == CCT_KIND_ENUM && (ty->flags & (CCT_TF_OPAQUE | CCT_TF_PARTIAL))
                && !(ty->flags & CCT_TF_LAYOUT_KNOWN)))
            return 0;
        *size = cc_prims[ty->prim].size;
        *align = cc_prims[ty->prim].align;
        return 1;
    case CCT_KIND_POINTER:
        *size = sizeof(void *);
        *align = _Alignof(void *);
        return 1;
    case CCT_KIND_STRUCT:
    case CCT_KIND_UNION:
        if (!(ty->flags & CCT_TF_LAYOUT_KNOWN))
            return 0;
        /* fall through */
    case CCT_KIND_ARRAY:
        if (ty->size == CCT_SIZE_UNKNOWN || ty->align == 0)
            return 0;
        *size = ty->size;
        *align = ty->align;
        return 1;
    default:
        return 0;
    }
}

static uint64_t cc_final_size(const cct_type *ty)
{
    uint64_t size;
    uint32_t align;

    return cc_type_layout(ty, &size, &align) ? size : CCT_SIZE_UNKNOWN;
}

/* Size of `length` items of a known size, or CCT_SIZE_UNKNOWN. */
static uint64_t cc_array_size(uint64_t itemsize, uint64_t length)
{
    if (itemsize == CCT_SIZE_UNKNOWN)
        return CCT_SIZE_UNKNOWN;
    if (itemsize != 0 && length > (CCT_SIZE_UNKNOWN - 1) / itemsize)
        return CCT_SIZE_UNKNOWN;
    return itemsize * length;
}

int cc_table_array(cc_table *t, uint32_t item, uint64_t length,
                   uint16_t flags, uint32_t *out)
{
    cct_type ty;
    uint64_t isize;
    uint32_t ialign;

    if (item >= t->ntypes)
        return -1;
    cc_type_blank(&ty, CCT_KIND_ARRAY);
    ty.item = item;
    ty.flags = flags;
    if (flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS)) {
        length = 0;
    } else if (cc_type_layout(&t->types[item], &isize, &ialign)) {
        ty.size = cc_array_size(isize, length);
        if (ty.size != CCT_SIZE_UNKNOWN)
            ty.align = ialign;
    }
    ty.length = length;
    return cc_derived_intern(t, &ty, NULL, out);
}

int cc_table_function(cc_table *t, uint32_t result, const uint32_t *args,
                      uint32_t nargs, uint16_t flags, uint32_t *out)
{
    cct_type ty;

    if (result >= t->ntypes)
        return -1;
    for (uint32_t i = 0; i < nargs; i++)
        if (args[i] >= t->ntypes)
            return -1;
    cc_type_blank(&ty, CCT_KIND_FUNCTION);
    ty.item = result;
    ty.count = nargs;
    ty.flags = flags;
    return cc_derived_intern(t, &ty, args, out);
}

/* --------------------------------------------------------------- members */

int cc_table_add_fields(cc_table *t, const cct_field *f, uint32_t n,
                        uint32_t *first)
{
    if (CC_GROW(t, fields, nfields, cap_fields, n) < 0)
        return -1;
    if (n)
        memcpy(t->fields + t->nfields, f, n * sizeof *f);
    *first = t->nfields;
    t->nfields += n;
    return 0;
}

int cc_table_add_enumerators(cc_table *t, const cct_enumerator *e, uint32_t n,
                             uint32_t *first)
{
    if (CC_GROW(t, enums, nenums, cap_enums, n) < 0)
        return -1;
    if (n)
        memcpy(t->enums + t->nenums, e, n * sizeof *e);
    *first = t->nenums;
    t->nenums += n;
    return 0;
}

/* ----------------------------------------------------------------- names */

static int cc_decl_namespace(const cct_decl *d)
{
    return d->kind == CCT_DECL_TAG ? CC_NS_TAG : CC_NS_ORDINARY;
}

/* The string offset of the name a reference (decl or enumerator) carries. */
static uint32_t cc_ref_name(const cc_table *t, uint32_t ref)
{
    if (ref & CC_REF_ENUMERATOR)
        return t->enums[ref & ~CC_REF_ENUMERATOR].name;
    return t->decls[ref].name;
}

/* Finds the index slot holding `name` in namespace ns: 1 found. */
static int cc_name_find_slot(const cc_table *t, int ns, const char *name,
                             size_t len, uint32_t *slot_out)
{
    const cc_map *m = &t->name_index[ns];
    uint64_t key = cc_hash_bytes(name, len, 0);
    uint32_t slot = UINT32_MAX, ref;

    while (cc_map_next(m, key, &slot, &ref)) {
        if (cc_string_equals(t, cc_ref_name(t, ref), name, len)) {
            *slot_out = slot;
            return 1;
        }
    }
    return 0;
}

/* Points `name` (a pool offset) at ref in namespace ns, replacing any entry. */
static int cc_name_bind(cc_table *t, int ns, uint32_t name, uint32_t ref)
{
    const char *s = t->strings + name;
    size_t len = strlen(s);
    uint32_t slot;

    if (cc_name_find_slot(t, ns, s, len, &slot)) {
        t->name_index[ns].values[slot] = ref;
        return 0;
    }
    return cc_map_add(&t->name_index[ns], cc_hash_bytes(s, len, 0), ref);
}

int cc_table_add_decl(cc_table *t, const cct_decl *d, uint32_t *out)
{
    if (CC_GROW(t, decls, ndecls, cap_decls, 1) < 0)
        return -1;
    t->decls[t->ndecls] = *d;
    if (cc_name_bind(t, cc_decl_namespace(d), d->name, t->ndecls) < 0)
        return -1;
    *out = t->ndecls++;
    return 0;
}

int cc_table_name_enumerators(cc_table *t, uint32_t first, uint32_t n)
{
    if ((uint64_t)first + n > t->nenums)
        return -1;
    for (uint32_t i = first; i < first + n; i++)
        if (cc_name_bind(t, CC_NS_ORDINARY, t->enums[i].name,
                         CC_REF_ENUMERATOR | i) < 0)
            return -1;
    return 0;
}

int cc_table_lookup(const cc_table *t, int ns, const char *name, size_t len,
                    uint32_t *ref)
{
    uint32_t slot;

    if (ns != CC_NS_ORDINARY && ns != CC_NS_TAG)
        return 0;
    if (!cc_name_find_slot(t, ns, name, len, &slot))
        return 0;
    *ref = t->name_index[ns].values[slot];
    return 1;
}

/* ------------------------------------------------------------ binary form */

static uint64_t cc_align8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

/* Section offsets of the binary form of t; 0 when it would not fit. */
static uint64_t cc_serial_layout(const cc_table *t, cct_header *h)
{
    uint64_t pos = cc_align8(sizeof(cct_header));

    memset(h, 0, sizeof *h);
    memcpy(h->magic, CCT_MAGIC, CCT_MAGIC_LEN);
    h->version = CCT_VERSION;
    h->header_size = sizeof(cct_header);
#define CC_SECTION(cnt, off, n, recsize)                   \
    h->cnt = (n);                                          \
    h->off = (uint32_t)pos;                                \
    pos = cc_align8(pos + (uint64_t)(n) * (recsize));      \
    if (pos > UINT32_MAX)                                  \
        return 0;
    CC_SECTION(ntypes, types_off, t->ntypes, sizeof(cct_type))
    CC_SECTION(nfields, fields_off, t->nfields, sizeof(cct_field))
    CC_SECTION(nenums, enums_off, t->nenums, sizeof(cct_enumerator))
    CC_SECTION(nargs, args_off, t->nargs, sizeof(uint32_t))
    CC_SECTION(ndecls, decls_off, t->ndecls, sizeof(cct_decl))
    CC_SECTION(strings_size, strings_off, t->strings_size, 1)
#undef CC_SECTION
    h->total_size = (uint32_t)pos;
    return pos;
}

int cc_table_serialize(const cc_table *t, unsigned char **buf, size_t *len)
{
    cct_header h;
    uint64_t total = cc_serial_layout(t, &h);
    unsigned char *out;

    if (total == 0 || (out = calloc(1, (size_t)total)) == NULL)
        return -1;
    memcpy(out, &h, sizeof h);
#define CC_COPY(off, arr, n) \
    if ((n) != 0) memcpy(out + h.off, t->arr, (size_t)(n) * sizeof *t->arr);
    CC_COPY(types_off, types, t->ntypes)
    CC_COPY(fields_off, fields, t->nfields)
    CC_COPY(enums_off, enums, t->nenums)
    CC_COPY(args_off, args, t->nargs)
    CC_COPY(decls_off, decls, t->ndecls)
    CC_COPY(strings_off, strings, t->strings_size)
#undef CC_COPY
    *buf = out;
    *len = (size_t)total;
    return 0;
}

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
    if (!cc_type_layout(&t->types[ty->item], &isize, &ialign))
        isize = CCT_SIZE_UNKNOWN, ialign = 0;
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
    if (!cc_is_pow2(ty->align) || ty->size == CCT_SIZE_UNKNOWN
        || ty->size % ty->align != 0)
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

/* Indexes every NUL-terminated run of the pool (the first copy wins). */
static int cc_index_strings(cc_table *t)
{
    uint32_t off = 0, dummy;

    while (off < t->strings_size) {
        size_t len = strlen(t->strings + off);
        if (!cc_table_find_string(t, t->strings + off, len, &dummy)
            && cc_map_add(&t->string_index, cc_hash_bytes(t->strings + off, len, 0),
                          off) < 0)
            return -1;
        off += (uint32_t)len + 1;
    }
    return 0;
}

/* Interning index of the derived types (the first of equal twins wins). */
static int cc_index_derived(cc_table *t)
{
    for (uint32_t i = 1; i < t->ntypes; i++) {
        cct_type *ty = &t->types[i];
        const uint32_t *args = ty->kind == CCT_KIND_FUNCTION ? t->args + ty->first
                                                             : NULL;
        uint32_t dummy;
        if (ty->kind != CCT_KIND_POINTER && ty->kind != CCT_KIND_ARRAY
            && ty->kind != CCT_KIND_FUNCTION
            && !(ty->kind == CCT_KIND_PRIMITIVE && ty->name == 0))
            continue;
        if (!cc_derived_find(t, ty, args, &dummy)
            && cc_map_add(&t->derived_index, cc_derived_key(ty, args), i) < 0)
            return -1;
    }
    return 0;
}

/* Name index: enumerators of every enum first, then declarations in order. */
static int cc_index_names(cc_table *t)
{
    for (uint32_t i = 0; i < t->ntypes; i++) {
        const cct_type *ty = &t->types[i];
        if (ty->kind == CCT_KIND_ENUM
            && cc_table_name_enumerators(t, ty->first, ty->count) < 0)
            return -1;
    }
    for (uint32_t k = 0; k < t->ndecls; k++)
        if (cc_name_bind(t, cc_decl_namespace(&t->decls[k]), t->decls[k].name, k) < 0)
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

/* ---------------------------------------------------------------- include
 * cc_table_include copies what CFFI's ffi.include() shares: struct, union
 * and enum tags, typedefs, integer constants and enumerators, with every
 * type they reach.  A src type is matched with a dst type of the same name
 * when there is one (structurally compared, cycles through pointers assumed
 * equal while being compared), else copied.  src_to_dst maps src type
 * indexes to dst ones (CC_NO_TYPE while not known yet). */

#define CC_NO_TYPE UINT32_MAX

typedef struct cc_includer {
    cc_table *dst;
    const cc_table *src;
    uint32_t *src_to_dst;
    cc_map assumed;          /* (src << 32 | dst) pairs being compared */
    cc_error *err;
} cc_includer;

static int cc_include_type(cc_includer *in, uint32_t si, uint32_t *out);

static int cc_include_nomem(cc_includer *in)
{
    return cc_error_set(in->err, CC_ERR_NOMEM, "out of memory in ffi.include()");
}

static bool cc_same_string(const cc_table *a, uint32_t oa,
                           const cc_table *b, uint32_t ob)
{
    return strcmp(a->strings + oa, b->strings + ob) == 0;
}

static int cc_intern_from(cc_includer *in, uint32_t src_off, uint32_t *out)
{
    const char *s = in->src->strings + src_off;

    if (cc_table_string(in->dst, s, strlen(s), out) < 0)
        return cc_include_nomem(in);
    return 0;
}

static bool cc_same_type(cc_includer *in, uint32_t si, uint32_t di);

static bool cc_same_fields(cc_includer *in, const cct_type *s, const cct_type *d)
{
    bool laid_out = (s->flags & d->flags & CCT_TF_LAYOUT_KNOWN) != 0;

    if (s->count != d->count)
        return false;
    for (uint32_t k = 0; k < s->count; k++) {
        const cct_field *fs = &in->src->fields[s->first + k];
        const cct_field *fd = &in->dst->fields[d->first + k];
        if (!cc_same_string(in->src, fs->name, in->dst, fd->name)
            || fs->bitsize != fd->bitsize
            || (laid_out && (fs->offset != fd->offset || fs->bitshift != fd->bitshift))
            || !cc_same_type(in, fs->type, fd->type))
            return false;
    }
    return true;
}

static bool cc_same_enumerators(cc_includer *in, const cct_type *s, const cct_type *d)
{
    if (s->count != d->count)
        return false;
    for (uint32_t k = 0; k < s->count; k++) {
        const cct_enumerator *es = &in->src->enums[s->first + k];
        const cct_enumerator *ed = &in->dst->enums[d->first + k];
        if (!cc_same_string(in->src, es->name, in->dst, ed->name)
            || es->value != ed->value || es->flags != ed->flags)
            return false;
    }
    return true;
}

static bool cc_same_args(cc_includer *in, const cct_type *s, const cct_type *d)
{
    if (s->count != d->count)
        return false;
    for (uint32_t k = 0; k < s->count; k++)
        if (!cc_same_type(in, in->src->args[s->first + k], in->dst->args[d->first + k]))
            return false;
    return true;
}

/* Same definition?  An opaque record matches any record of its name. */
static bool cc_same_type(cc_includer *in, uint32_t si, uint32_t di)
{
    const cct_type *s = &in->src->types[si], *d = &in->dst->types[di];
    uint64_t pair = ((uint64_t)si << 32) | di;
    uint32_t slot = UINT32_MAX, dummy;
    const uint16_t ignored = CCT_TF_OPAQUE | CCT_TF_LAYOUT_KNOWN;

    if (in->src_to_dst[si] == di || cc_map_next(&in->assumed, pair, &slot, &dummy))
        return true;
    if (s->kind != d->kind || s->prim != d->prim
        || !cc_same_string(in->src, s->name, in->dst, d->name))
        return false;
    if (cc_map_add(&in->assumed, pair, 0) < 0)
        return false;
    switch (s->kind) {
    case CCT_KIND_STRUCT:
    case CCT_KIND_UNION:
    case CCT_KIND_ENUM:
        if (((s->flags | d->flags) & CCT_TF_OPAQUE) && in->src->strings[s->name])
            return (s->flags & d->flags & CCT_TF_TYPEDEF_NAMED)
                == ((s->flags | d->flags) & CCT_TF_TYPEDEF_NAMED);
        if ((s->flags & ~ignored) != (d->flags & ~ignored) || s->length != d->length)
            return false;
        if ((s->flags & d->flags & CCT_TF_LAYOUT_KNOWN)
            && (s->size != d->size || s->align != d->align))
            return false;
        return s->kind == CCT_KIND_ENUM ? cc_same_enumerators(in, s, d)
                                        : cc_same_fields(in, s, d);
    case CCT_KIND_POINTER:
        return cc_same_type(in, s->item, d->item);
    case CCT_KIND_ARRAY:
        return s->flags == d->flags && s->length == d->length
            && cc_same_type(in, s->item, d->item);
    case CCT_KIND_FUNCTION:
        return s->flags == d->flags && cc_same_type(in, s->item, d->item)
            && cc_same_args(in, s, d);
    default:
        return true;
    }
}

/* Compares src type si with dst type di; on success every pair found equal
 * is remembered in src_to_dst (except dst records still opaque when src has
 * their body, which cc_include_record completes later). */
static int cc_include_compare(cc_includer *in, uint32_t si, uint32_t di, bool *same)
{
    cc_map_free(&in->assumed);
    *same = cc_same_type(in, si, di);
    if (*same) {
        for (uint32_t s = 0; s < in->assumed.capacity; s++) {
            uint32_t a, b;
            if (in->assumed.values[s] == CC_MAP_FREE)
                continue;
            a = (uint32_t)(in->assumed.keys[s] >> 32);
            b = (uint32_t)in->assumed.keys[s];
            if ((in->dst->types[b].flags & CCT_TF_OPAQUE)
                && !(in->src->types[a].flags & CCT_TF_OPAQUE))
                continue;
            if (in->src_to_dst[a] == CC_NO_TYPE)
                in->src_to_dst[a] = b;
        }
    }
    cc_map_free(&in->assumed);
    return 0;
}

/* Registers enumerators [first, first+n) of dst whose src twins (from
 * src_first) are named in src, refusing a clash with another value. */
static int cc_include_enumerator_names(cc_includer *in, uint32_t src_first,
                                       uint32_t first, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        const cct_enumerator *e = &in->dst->enums[first + k];
        const char *name = in->dst->strings + e->name;
        uint32_t ref;
        if (!cc_table_lookup(in->src, CC_NS_ORDINARY, name, strlen(name), &ref)
            || ref != (CC_REF_ENUMERATOR | (src_first + k)))
            continue;
        if (cc_table_lookup(in->dst, CC_NS_ORDINARY, name, strlen(name), &ref)) {
            bool same = (ref & CC_REF_ENUMERATOR)
                ? in->dst->enums[ref & ~CC_REF_ENUMERATOR].value == e->value
                : (in->dst->decls[ref].kind == CCT_DECL_CONST_INT
                   && in->dst->decls[ref].value == e->value);
            if (!same)
                return cc_error_set(in->err, CC_ERR_DECL,
                                    "multiple declarations of constant: %s", name);
            continue;
        }
        if (cc_table_name_enumerators(in->dst, first + k, 1) < 0)
            return cc_include_nomem(in);
    }
    return 0;
}

static int cc_include_enumerators(cc_includer *in, const cct_type *s, uint32_t di)
{
    uint32_t n = s->count, first;
    cct_enumerator *e = calloc(n ? n : 1, sizeof *e);  /* zeroed: n may be 0 */
    int rc = -1;

    if (e == NULL)
        return cc_include_nomem(in);
    if (n)
        memcpy(e, in->src->enums + s->first, n * sizeof *e);
    for (uint32_t k = 0; k < n; k++)
        if (cc_intern_from(in, e[k].name, &e[k].name) < 0)
            goto done;
    if (cc_table_add_enumerators(in->dst, e, n, &first) < 0) {
        cc_include_nomem(in);
        goto done;
    }
    in->dst->types[di].first = first;
    in->dst->types[di].count = n;
    rc = cc_include_enumerator_names(in, s->first, first, n);
done:
    free(e);
    return rc;
}

/* The fields, added after their types (which may add other records'). */
static int cc_include_fields(cc_includer *in, const cct_type *s, uint32_t di)
{
    uint32_t n = s->count, first;
    cct_field *f = malloc((n ? n : 1) * sizeof *f);
    int rc = -1;

    if (f == NULL)
        return cc_include_nomem(in);
    if (n)
        memcpy(f, in->src->fields + s->first, n * sizeof *f);
    for (uint32_t k = 0; k < n; k++)
        if (cc_intern_from(in, f[k].name, &f[k].name) < 0
            || cc_include_type(in, f[k].type, &f[k].type) < 0)
            goto done;
    if (cc_table_add_fields(in->dst, f, n, &first) < 0) {
        cc_include_nomem(in);
        goto done;
    }
    in->dst->types[di].first = first;
    in->dst->types[di].count = n;
    rc = 0;
done:
    free(f);
    return rc;
}

/* Fills dst record/enum di (empty so far) with the members of src si. */
static int cc_include_members(cc_includer *in, uint32_t si, uint32_t di)
{
    const cct_type *s = &in->src->types[si];

    return s->kind == CCT_KIND_ENUM ? cc_include_enumerators(in, s, di)
                                    : cc_include_fields(in, s, di);
}

/* The dst record of the same name and kind as src record *s, if any. */
static int cc_include_find_record(cc_includer *in, const cct_type *s, uint32_t *di)
{
    const char *name = in->src->strings + s->name;
    int ns = (s->flags & CCT_TF_TYPEDEF_NAMED) ? CC_NS_ORDINARY : CC_NS_TAG;
    uint32_t ref;

    if (name[0] == '\0'
        || !cc_table_lookup(in->dst, ns, name, strlen(name), &ref)
        || (ref & CC_REF_ENUMERATOR))
        return 0;
    *di = in->dst->decls[ref].type;
    return in->dst->types[*di].kind == s->kind
        && (ns == CC_NS_TAG || in->dst->decls[ref].kind == CCT_DECL_TYPEDEF);
}

static const char *cc_kind_keyword(uint8_t kind)
{
    return kind == CCT_KIND_STRUCT ? "struct" : kind == CCT_KIND_UNION ? "union"
                                                                       : "enum";
}

static int cc_include_record(cc_includer *in, uint32_t si, uint32_t *out)
{
    cct_type copy = in->src->types[si];
    bool same;
    uint32_t di;

    if (cc_include_find_record(in, &copy, &di)) {
        cc_include_compare(in, si, di, &same);
        if (!same)
            return cc_error_set(in->err, CC_ERR_DECL, "multiple declarations of "
                                "%s %s (for interactive usage, try cdef(xx, "
                                "override=True))", cc_kind_keyword(copy.kind),
                                in->src->strings + copy.name);
        in->src_to_dst[si] = di;
        *out = di;
        if (!(in->dst->types[di].flags & CCT_TF_OPAQUE) || (copy.flags & CCT_TF_OPAQUE))
            return 0;
        /* complete dst's opaque declaration with src's body */
        copy.name = in->dst->types[di].name;
        copy.first = copy.count = 0;
        in->dst->types[di] = copy;
        return cc_include_members(in, si, di);
    }
    if (cc_intern_from(in, copy.name, &copy.name) < 0)
        return -1;
    copy.first = copy.count = 0;
    if (cc_table_add_type(in->dst, &copy, &di) < 0)
        return cc_include_nomem(in);
    in->src_to_dst[si] = di;
    *out = di;
    return cc_include_members(in, si, di);
}

static int cc_include_function(cc_includer *in, const cct_type *s, uint32_t *out)
{
    uint32_t n = s->count, result;
    uint32_t *args = malloc((n ? n : 1) * sizeof *args);
    int rc = -1;

    if (args == NULL)
        return cc_include_nomem(in);
    if (cc_include_type(in, s->item, &result) < 0)
        goto done;
    for (uint32_t k = 0; k < n; k++)
        if (cc_include_type(in, in->src->args[s->first + k], &args[k]) < 0)
            goto done;
    rc = cc_table_function(in->dst, result, args, n, s->flags, out);
    if (rc < 0)
        cc_include_nomem(in);
done:
    free(args);
    return rc;
}

static int cc_include_derived(cc_includer *in, uint32_t si, uint32_t *out)
{
    cct_type s = in->src->types[si];
    uint32_t item;
    int rc;

    switch (s.kind) {
    case CCT_KIND_VOID:
        *out = 0;
        return 0;
    case CCT_KIND_PRIMITIVE:
        if (s.name == 0) {
            rc = cc_table_primitive(in->dst, (enum cct_prim)s.prim, out);
            break;
        }
        if (cc_intern_from(in, s.name, &s.name) < 0)
            return -1;
        rc = cc_table_add_type(in->dst, &s, out);
        break;
    case CCT_KIND_POINTER:
        if (cc_include_type(in, s.item, &item) < 0)
            return -1;
        rc = cc_table_pointer(in->dst, item, out);
        break;
    case CCT_KIND_ARRAY:
        if (cc_include_type(in, s.item, &item) < 0)
            return -1;
        rc = cc_table_array(in->dst, item, s.length, s.flags, out);
        break;
    default:
        return cc_include_function(in, &s, out);
    }
    return rc < 0 ? cc_include_nomem(in) : 0;
}

static int cc_include_type(cc_includer *in, uint32_t si, uint32_t *out)
{
    uint8_t kind = in->src->types[si].kind;

    if (in->src_to_dst[si] != CC_NO_TYPE) {
        *out = in->src_to_dst[si];
        return 0;
    }
    if (kind == CCT_KIND_STRUCT || kind == CCT_KIND_UNION || kind == CCT_KIND_ENUM)
        return cc_include_record(in, si, out);
    if (cc_include_derived(in, si, out) < 0)
        return -1;
    in->src_to_dst[si] = *out;
    return 0;
}

/* Is src decl d the same as dst decl e?  (Same kind, value and type.) */
static int cc_include_same_decl(cc_includer *in, const cct_decl *d,
                                const cct_decl *e, bool *same)
{
    *same = d->kind == e->kind && d->value == e->value
        && (d->flags & CCT_DF_UNSIGNED) == (e->flags & CCT_DF_UNSIGNED);
    if (*same && d->kind != CCT_DECL_CONST_INT)
        cc_include_compare(in, d->type, e->type, same);
    return 0;
}

/* Adds a copy of src decl d, whose type is dst's `type`. */
static int cc_include_add_decl(cc_includer *in, const cct_decl *d, uint32_t type)
{
    cct_decl copy = *d;
    uint32_t ref;

    copy.type = type;
    copy.slot = CCT_NO_SLOT;
    if (cc_intern_from(in, d->name, &copy.name) < 0)
        return -1;
    if (cc_table_add_decl(in->dst, &copy, &ref) < 0)
        return cc_include_nomem(in);
    return 0;
}

/* A struct/union/enum tag: cc_include_record matches it with dst's tag of
 * that name (refusing a different body, completing an opaque one). */
static int cc_include_tag(cc_includer *in, const cct_decl *d)
{
    const char *name = in->src->strings + d->name;
    uint8_t kind = in->src->types[d->type].kind;
    uint32_t ref, type;
    bool known = cc_table_lookup(in->dst, CC_NS_TAG, name, strlen(name), &ref);

    if (known && in->dst->types[in->dst->decls[ref].type].kind != kind)
        return cc_error_set(in->err, CC_ERR_DECL, "multiple declarations of %s %s "
                            "(for interactive usage, try cdef(xx, override=True))",
                            cc_kind_keyword(kind), name);
    if (cc_include_type(in, d->type, &type) < 0)
        return -1;
    return known ? 0 : cc_include_add_decl(in, d, type);
}

static int cc_include_decl(cc_includer *in, const cct_decl *d)
{
    const char *name = in->src->strings + d->name;
    uint32_t ref, type;
    bool same;

    if (d->kind == CCT_DECL_TAG)
        return cc_include_tag(in, d);
    if (cc_table_lookup(in->dst, CC_NS_ORDINARY, name, strlen(name), &ref)) {
        if (ref & CC_REF_ENUMERATOR)
            same = d->kind == CCT_DECL_CONST_INT
                && in->dst->enums[ref & ~CC_REF_ENUMERATOR].value == d->value;
        else
            cc_include_same_decl(in, d, &in->dst->decls[ref], &same);
        if (same)
            return 0;
        if (d->kind == CCT_DECL_CONST_INT)
            return cc_error_set(in->err, CC_ERR_DECL,
                                "multiple declarations of constant: %s", name);
        return cc_error_set(in->err, CC_ERR_DECL, "multiple declarations of "
                            "typedef %s (for interactive usage, try cdef(xx, "
                            "override=True))", name);
    }
    if (cc_include_type(in, d->type, &type) < 0)
        return -1;
    return cc_include_add_decl(in, d, type);
}

/* Does one of the enumerators of enum i own its name in t? */
static bool cc_enum_is_named(const cc_table *t, uint32_t i)
{
    const cct_type *ty = &t->types[i];

    for (uint32_t k = ty->first; k < ty->first + ty->count; k++) {
        const char *name = t->strings + t->enums[k].name;
        uint32_t ref;
        if (cc_table_lookup(t, CC_NS_ORDINARY, name, strlen(name), &ref)
            && ref == (CC_REF_ENUMERATOR | k))
            return true;
    }
    return false;
}

/* The dst enum holding enumerator k, or CC_NO_TYPE. */
static uint32_t cc_enum_of_enumerator(const cc_table *t, uint32_t k)
{
    for (uint32_t i = 0; i < t->ntypes; i++) {
        const cct_type *ty = &t->types[i];
        if (ty->kind == CCT_KIND_ENUM && k >= ty->first && k - ty->first < ty->count)
            return i;
    }
    return CC_NO_TYPE;
}

/* Is anonymous src enum si already in dst (included before)?  Maps it. */
static bool cc_include_enum_present(cc_includer *in, uint32_t si)
{
    const cct_type *s = &in->src->types[si];
    const char *name;
    uint32_t ref, di;
    bool same;

    if (s->count == 0)
        return false;
    name = in->src->strings + in->src->enums[s->first].name;
    if (!cc_table_lookup(in->dst, CC_NS_ORDINARY, name, strlen(name), &ref)
        || !(ref & CC_REF_ENUMERATOR))
        return false;
    di = cc_enum_of_enumerator(in->dst, ref & ~CC_REF_ENUMERATOR);
    if (di == CC_NO_TYPE)
        return false;
    cc_include_compare(in, si, di, &same);
    if (same)
        in->src_to_dst[si] = di;
    return same;
}

/* Copies everything src shares into dst (no rollback: see below). */
static int cc_include_all(cc_includer *in)
{
    const cc_table *src = in->src;
    int rc = 0;

    for (uint32_t k = 0; k < src->ndecls && rc == 0; k++) {
        const cct_decl *d = &src->decls[k];
        uint32_t ref;
        const char *name = src->strings + d->name;
        int ns = d->kind == CCT_DECL_TAG ? CC_NS_TAG : CC_NS_ORDINARY;
        if (d->kind != CCT_DECL_TYPEDEF && d->kind != CCT_DECL_TAG
            && d->kind != CCT_DECL_CONST_INT)
            continue;
        /* only the declaration the name currently denotes in src */
        if (!cc_table_lookup(src, ns, name, strlen(name), &ref) || ref != k)
            continue;
        rc = cc_include_decl(in, d);
    }
    /* anonymous enums bring their enumerators (CFFI's integer constants) */
    for (uint32_t i = 0; i < src->ntypes && rc == 0; i++) {
        uint32_t out;
        if (src->types[i].kind == CCT_KIND_ENUM && in->src_to_dst[i] == CC_NO_TYPE
            && cc_enum_is_named(src, i) && !cc_include_enum_present(in, i))
            rc = cc_include_type(in, i, &out);
    }
    return rc;
}

static int cc_map_copy(cc_map *dst, const cc_map *src)
{
    memset(dst, 0, sizeof *dst);
    if (src->capacity == 0)
        return 0;
    dst->keys = malloc((size_t)src->capacity * sizeof *dst->keys);
    dst->values = malloc((size_t)src->capacity * sizeof *dst->values);
    if (dst->keys == NULL || dst->values == NULL) {
        cc_map_free(dst);
        return -1;
    }
    memcpy(dst->keys, src->keys, (size_t)src->capacity * sizeof *dst->keys);
    memcpy(dst->values, src->values, (size_t)src->capacity * sizeof *dst->values);
    dst->count = src->count;
    dst->capacity = src->capacity;
    return 0;
}

static void *cc_dup(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);

    if (q != NULL && n)
        memcpy(q, p, n);
    return q;
}

/* A deep copy of t, to put back if an include fails half-way. */
static int cc_table_copy(cc_table *copy, const cc_table *t)
{
    memset(copy, 0, sizeof *copy);
#define CC_DUP(arr, n)                                                      \
    copy->arr = cc_dup(t->arr, (size_t)t->n * sizeof *t->arr);              \
    if (copy->arr == NULL)                                                  \
        goto fail;                                                          \
    copy->n = t->n;
    CC_DUP(types, ntypes) copy->cap_types = t->ntypes;
    CC_DUP(fields, nfields) copy->cap_fields = t->nfields;
    CC_DUP(enums, nenums) copy->cap_enums = t->nenums;
    CC_DUP(args, nargs) copy->cap_args = t->nargs;
    CC_DUP(decls, ndecls) copy->cap_decls = t->ndecls;
    CC_DUP(strings, strings_size) copy->cap_strings = t->strings_size;
#undef CC_DUP
    if (cc_map_copy(&copy->string_index, &t->string_index) < 0
        || cc_map_copy(&copy->derived_index, &t->derived_index) < 0
        || cc_map_copy(&copy->name_index[0], &t->name_index[0]) < 0
        || cc_map_copy(&copy->name_index[1], &t->name_index[1]) < 0)
        goto fail;
    return 0;
fail:
    cc_table_free(copy);
    return -1;
}

/* On any error dst is put back as it was: a failed include changes nothing.
 * The merged table is validated too: two tables valid on their own can
 * still combine into, say, a struct containing itself. */
int cc_table_include(cc_table *dst, const cc_table *src, cc_error *err)
{
    cc_includer in;
    cc_table saved;
    cc_error verr;
    int rc;

    if (dst == src)
        return 0;
    memset(&in, 0, sizeof in);
    in.dst = dst;
    in.src = src;
    in.err = err;
    in.src_to_dst = malloc((src->ntypes ? src->ntypes : 1) * sizeof *in.src_to_dst);
    if (in.src_to_dst == NULL || cc_table_copy(&saved, dst) < 0) {
        free(in.src_to_dst);
        return cc_include_nomem(&in);
    }
    memset(in.src_to_dst, 0xff, src->ntypes * sizeof *in.src_to_dst);
    rc = cc_include_all(&in);
    if (rc == 0) {
        memset(&verr, 0, sizeof verr);
        if (cc_table_validate(dst, &verr) < 0)
            rc = cc_error_set(err, CC_ERR_DECL, "ffi.include() would combine the "
                              "two declarations into an invalid one: %s",
                              verr.message);
    }
    free(in.src_to_dst);
    cc_map_free(&in.assumed);
    if (rc < 0) {
        cc_table_free(dst);
        *dst = saved;
    } else {
        cc_table_free(&saved);
    }
    return rc;
}
