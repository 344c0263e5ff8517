/* ctable.c - the type table in memory: builder, name lookup, binary form.
 *
 * The table is a set of growable arrays holding exactly the records of
 * table_format.h, plus three kinds of index kept in cc_map hash maps:
 * interned strings (hash of the bytes -> pool offset), interned derived types
 * (hash of the record -> type index, so that "pointer to type 7" exists once)
 * and, per namespace, declared names (hash of the name -> decl reference).
 * A map may hold several entries under one hash key; lookups walk the probe
 * sequence and compare the real thing.  A module's table
 * (cc_table_load_module) borrows its arrays until their first change, finds
 * its names by bisection in the sorted index the binary form carries, and
 * builds the string and derived-type indexes on first use.
 * cc_table_serialize() writes the binary format (with that sorted index)
 * and cc_table_copy() makes a deep copy (the parser and the
 * include merge keep one to put back on failure).  The loader is
 * ctable_load.c, the include merge ctable_include.c.  Pure C, no Python.
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
#include "table/ctable_internal.h"

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
uint64_t cc_hash_bytes(const void *p, size_t len, uint64_t seed)
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

void cc_map_free(cc_map *m)
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
int cc_map_add(cc_map *m, uint64_t key, uint32_t value)
{
    if ((uint64_t)(m->count + 1) * 4 > (uint64_t)m->capacity * 3
        && cc_map_grow(m) < 0)
        return -1;
    cc_map_put_raw(m, key, value);
    return 0;
}

/* Iteration over the entries of one key: *slot starts at UINT32_MAX;
 * returns 1 with *value set for each entry, 0 at the end. */
int cc_map_next(const cc_map *m, uint64_t key, uint32_t *slot,
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

/* A borrowed array (cc_table_load_module) becomes t's own copy: before
 * its first change. */
static int cc_own_array(cc_table *t, uint32_t bit, void **arr, uint32_t *cap,
                        uint32_t n, size_t itemsize)
{
    void *p;

    if (!(t->borrowed & bit))
        return 0;
    p = malloc(n ? (size_t)n * itemsize : 1);
    if (p == NULL)
        return -1;
    if (n)
        memcpy(p, *arr, (size_t)n * itemsize);
    *arr = p;
    *cap = n;
    t->borrowed &= ~bit;
    return 0;
}

#define CC_OWN(t, bit, arr, n, cap) \
    cc_own_array((t), (bit), (void **)&(t)->arr, &(t)->cap, (t)->n, sizeof *(t)->arr)

#define CC_GROW(t, arr, n, cap, more)                                       \
    cc_grow((void **)&(t)->arr, &(t)->cap, (t)->n, (more), sizeof *(t)->arr)

/* Growing an array that may be borrowed. */
#define CC_GROW_OWN(t, bit, arr, n, cap, more)                              \
    (CC_OWN(t, bit, arr, n, cap) < 0 ? -1 : CC_GROW(t, arr, n, cap, more))

int cc_table_own(cc_table *t)
{
    if (CC_OWN(t, CC_OWN_TYPES, types, ntypes, cap_types) < 0
        || CC_OWN(t, CC_OWN_FIELDS, fields, nfields, cap_fields) < 0
        || CC_OWN(t, CC_OWN_ENUMS, enums, nenums, cap_enums) < 0
        || CC_OWN(t, CC_OWN_ARGS, args, nargs, cap_args) < 0
        || CC_OWN(t, CC_OWN_DECLS, decls, ndecls, cap_decls) < 0
        || CC_OWN(t, CC_OWN_STRINGS, strings, strings_size, cap_strings) < 0)
        return -1;
    return 0;
}

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
#define CC_FREE(arr, bit) if (!(t->borrowed & (bit))) free((void *)t->arr);
    CC_FREE(types, CC_OWN_TYPES)
    CC_FREE(fields, CC_OWN_FIELDS)
    CC_FREE(enums, CC_OWN_ENUMS)
    CC_FREE(args, CC_OWN_ARGS)
    CC_FREE(decls, CC_OWN_DECLS)
    CC_FREE(strings, CC_OWN_STRINGS)
    CC_FREE(sorted_names[0], CC_OWN_NAMES)
#undef CC_FREE
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
int cc_table_find_string(const cc_table *t, const char *s, size_t len,
                         uint32_t *out)
{
    uint64_t key;
    uint32_t slot = UINT32_MAX, off;

    if (t->lazy_strings) {
        /* a declared name (a tag, most often) without indexing the pool:
         * the module's pool holds each string once */
        for (int ns = 0; ns < 2; ns++) {
            uint32_t ref;
            if (cc_sorted_find(t, ns, s, len, -1, &ref)) {
                *out = cc_ref_name(t, ref);
                return 1;
            }
        }
        if (cc_index_strings((cc_table *)t) < 0)
            return 0;
    }
    key = cc_hash_bytes(s, len, 0);

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
    if (t->lazy_strings && cc_index_strings(t) < 0)
        return -1;
    if (len >= UINT32_MAX - 1 - (uint64_t)t->strings_size)
        return -1;
    if (CC_GROW_OWN(t, CC_OWN_STRINGS, strings, strings_size, cap_strings,
                    (uint32_t)len + 1) < 0)
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
    if (CC_GROW_OWN(t, CC_OWN_TYPES, types, ntypes, cap_types, 1) < 0)
        return -1;
    t->types[t->ntypes] = *ty;
    *out = t->ntypes++;
    return 0;
}

/* The interning key of a derived type; for functions it covers the args. */
uint64_t cc_derived_key(const cct_type *ty, const uint32_t *args)
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
int cc_derived_find(const cc_table *t, const cct_type *ty,
                    const uint32_t *args, uint32_t *out)
{
    uint64_t key;
    uint32_t slot = UINT32_MAX, idx;

    if (t->lazy_derived && cc_index_derived((cc_table *)t) < 0)
        return 0;
    key = cc_derived_key(ty, args);
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
    if (t->lazy_derived && cc_index_derived(t) < 0)
        return -1;
    if (ty->kind == CCT_KIND_FUNCTION) {
        if (CC_GROW_OWN(t, CC_OWN_ARGS, args, nargs, cap_args, ty->count) < 0)
            return -1;
        ty->first = t->nargs;
        if (ty->count)
            memcpy(t->args + t->nargs, args, ty->count * sizeof *args);
    }
    if (CC_GROW_OWN(t, CC_OWN_TYPES, types, ntypes, cap_types, 1) < 0
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
    return cc_table_pointer_q(t, item, 0, out);
}

int cc_table_pointer_q(cc_table *t, uint32_t item, uint16_t flags,
                       uint32_t *out)
{
    cct_type ty;

    if (item >= t->ntypes)
        return -1;
    cc_type_blank(&ty, CCT_KIND_POINTER);
    ty.flags = flags;
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

uint64_t cc_final_size(const cct_type *ty)
{
    uint64_t size;
    uint32_t align;

    return cc_type_layout(ty, &size, &align) ? size : CCT_SIZE_UNKNOWN;
}

/* Size of `length` items of a known size, or CCT_SIZE_UNKNOWN. */
uint64_t cc_array_size(uint64_t itemsize, uint64_t length)
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
    if (CC_GROW_OWN(t, CC_OWN_FIELDS, fields, nfields, cap_fields, n) < 0)
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
    if (CC_GROW_OWN(t, CC_OWN_ENUMS, enums, nenums, cap_enums, n) < 0)
        return -1;
    if (n)
        memcpy(t->enums + t->nenums, e, n * sizeof *e);
    *first = t->nenums;
    t->nenums += n;
    return 0;
}

/* ----------------------------------------------------------------- names */

int cc_decl_namespace(const cct_decl *d)
{
    return d->kind == CCT_DECL_TAG ? CC_NS_TAG : CC_NS_ORDINARY;
}

/* The string offset of the name a reference (decl or enumerator) carries. */
uint32_t cc_ref_name(const cc_table *t, uint32_t ref)
{
    if (ref & CC_REF_ENUMERATOR)
        return t->enums[ref & ~CC_REF_ENUMERATOR].name;
    return t->decls[ref].name;
}

/* The kind (struct, union, enum) of the type a tag declaration names. */
static int cc_tag_kind(const cc_table *t, uint32_t ref)
{
    uint32_t type = t->decls[ref].type;
    return type < t->ntypes ? t->types[type].kind : -1;
}

/* Finds the index slot holding `name` in namespace ns: 1 found.  In the tag
 * namespace, kind >= 0 only matches a tag of that kind: as in CFFI, `struct
 * foo`, `union foo` and `enum foo` are three different tags. */
static int cc_name_find_slot(const cc_table *t, int ns, const char *name,
                             size_t len, int kind, uint32_t *slot_out)
{
    const cc_map *m = &t->name_index[ns];
    uint64_t key = cc_hash_bytes(name, len, 0);
    uint32_t slot = UINT32_MAX, ref;

    while (cc_map_next(m, key, &slot, &ref)) {
        if (cc_string_equals(t, cc_ref_name(t, ref), name, len)
            && (kind < 0 || cc_tag_kind(t, ref) == kind)) {
            *slot_out = slot;
            return 1;
        }
    }
    return 0;
}

/* Points `name` (a pool offset) at ref in namespace ns, replacing any entry
 * (in the tag namespace: any entry for a tag of the same kind). */
int cc_name_bind(cc_table *t, int ns, uint32_t name, uint32_t ref)
{
    const char *s = t->strings + name;
    size_t len = strlen(s);
    int kind = ns == CC_NS_TAG ? cc_tag_kind(t, ref) : -1;
    uint32_t slot;

    if (cc_name_find_slot(t, ns, s, len, kind, &slot)) {
        t->name_index[ns].values[slot] = ref;
        return 0;
    }
    return cc_map_add(&t->name_index[ns], cc_hash_bytes(s, len, 0), ref);
}

int cc_table_add_decl(cc_table *t, const cct_decl *d, uint32_t *out)
{
    if (CC_GROW_OWN(t, CC_OWN_DECLS, decls, ndecls, cap_decls, 1) < 0)
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

/* <0, 0 or >0 as the name of ref compares with the bytes (name, len),
 * as strcmp orders the index; a ref out of range compares as greater (a
 * bisection then simply misses).  The pool ends in a NUL: the walk stops
 * at the end of the name of ref. */
static int cc_sorted_cmp(const cc_table *t, uint32_t ref, const char *name,
                         size_t len)
{
    uint32_t i = ref & ~CC_REF_ENUMERATOR;
    const unsigned char *a, *b = (const unsigned char *)name;
    uint32_t off;

    if (i >= ((ref & CC_REF_ENUMERATOR) ? t->nenums : t->ndecls))
        return 1;
    off = cc_ref_name(t, ref);
    if (off >= t->strings_size)
        return 1;
    a = (const unsigned char *)t->strings + off;
    for (size_t k = 0; k < len; k++) {
        if (a[k] == '\0')
            return -1;          /* a prefix of name */
        if (a[k] != b[k])
            return a[k] < b[k] ? -1 : 1;
    }
    return a[len] != '\0';
}

/* The name in the sorted index of a table read by cc_table_load_module
 * (kind as for cc_name_find_slot): 1 and *ref set when found. */
int cc_sorted_find(const cc_table *t, int ns, const char *name, size_t len,
                   int kind, uint32_t *ref)
{
    const uint32_t *v = t->sorted_names[ns];
    uint32_t lo = 0, hi = t->nsorted[ns];

    if (v == NULL)
        return 0;
    while (lo < hi) {                   /* the first entry >= name */
        uint32_t mid = lo + (hi - lo) / 2;
        if (cc_sorted_cmp(t, v[mid], name, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < t->nsorted[ns] && cc_sorted_cmp(t, v[lo], name, len) == 0; lo++) {
        if (kind < 0 || ((v[lo] & CC_REF_ENUMERATOR) == 0
                         && cc_tag_kind(t, v[lo]) == kind)) {
            *ref = v[lo];
            return 1;
        }
    }
    return 0;
}

int cc_table_lookup(const cc_table *t, int ns, const char *name, size_t len,
                    uint32_t *ref)
{
    uint32_t slot;

    if (ns != CC_NS_ORDINARY && ns != CC_NS_TAG)
        return 0;
    if (cc_name_find_slot(t, ns, name, len, -1, &slot)) {
        *ref = t->name_index[ns].values[slot];
        return 1;
    }
    return cc_sorted_find(t, ns, name, len, -1, ref);
}

int cc_table_lookup_tag(const cc_table *t, int kind, const char *name,
                        size_t len, uint32_t *ref)
{
    uint32_t slot;

    if (cc_name_find_slot(t, CC_NS_TAG, name, len, kind, &slot)) {
        *ref = t->name_index[CC_NS_TAG].values[slot];
        return 1;
    }
    return cc_sorted_find(t, CC_NS_TAG, name, len, kind, ref);
}

/* ------------------------------------------------------------ binary form */

/* Sorting the bindings of one namespace (a merge sort: qsort has no
 * context argument in ISO C). */
static int cc_ref_order(const cc_table *t, int ns, uint32_t a, uint32_t b)
{
    int c = strcmp(t->strings + cc_ref_name(t, a), t->strings + cc_ref_name(t, b));

    if (c == 0 && ns == CC_NS_TAG)
        c = cc_tag_kind(t, a) - cc_tag_kind(t, b);
    return c;
}

static void cc_sort_refs(const cc_table *t, int ns, uint32_t *v, uint32_t *tmp,
                         uint32_t n)
{
    uint32_t half = n / 2, i = 0, j = half, k = 0;

    if (n < 2)
        return;
    cc_sort_refs(t, ns, v, tmp, half);
    cc_sort_refs(t, ns, v + half, tmp, n - half);
    while (i < half && j < n)
        tmp[k++] = cc_ref_order(t, ns, v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < half)
        tmp[k++] = v[i++];
    memcpy(v, tmp, (size_t)k * sizeof *v);
}

/* The bindings of namespace ns (what cc_table_lookup finds for each name),
 * sorted as the table's name index: a malloc()ed array, or NULL. */
static uint32_t *cc_sorted_bindings(const cc_table *t, int ns, uint32_t *count)
{
    const cc_map *m = &t->name_index[ns];
    uint64_t most = (uint64_t)m->count + t->nsorted[ns];
    uint32_t *v = malloc((size_t)(most ? most : 1) * sizeof *v);
    uint32_t *tmp = malloc((size_t)(most ? most : 1) * sizeof *tmp);
    uint32_t n = 0, slot;

    if (v == NULL || tmp == NULL) {
        free(v);
        free(tmp);
        return NULL;
    }
    for (uint32_t i = 0; i < m->capacity; i++)
        if (m->values[i] != CC_MAP_FREE)
            v[n++] = m->values[i];
    for (uint32_t i = 0; i < t->nsorted[ns]; i++) {   /* unless rebound */
        uint32_t ref = t->sorted_names[ns][i];
        const char *name = t->strings + cc_ref_name(t, ref);
        int kind = ns == CC_NS_TAG ? cc_tag_kind(t, ref) : -1;
        if (!cc_name_find_slot(t, ns, name, strlen(name), kind, &slot))
            v[n++] = ref;
    }
    cc_sort_refs(t, ns, v, tmp, n);
    free(tmp);
    *count = n;
    return v;
}

static uint64_t cc_align8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

/* Section offsets of the binary form of t; 0 when it would not fit. */
static uint64_t cc_serial_layout(const cc_table *t, cct_header *h,
                                 const uint32_t nnames[2])
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
    h->names_off = (uint32_t)pos;
    pos = cc_align8(pos + 2 * sizeof(uint32_t)
                    + ((uint64_t)nnames[0] + nnames[1]) * sizeof(uint32_t));
    if (pos > UINT32_MAX)
        return 0;
    h->total_size = (uint32_t)pos;
    return pos;
}

int cc_table_serialize(const cc_table *t, unsigned char **buf, size_t *len)
{
    cct_header h;
    uint32_t nnames[2] = {0, 0};
    uint32_t *names[2];
    uint64_t total;
    unsigned char *out = NULL;

    names[0] = cc_sorted_bindings(t, CC_NS_ORDINARY, &nnames[0]);
    names[1] = cc_sorted_bindings(t, CC_NS_TAG, &nnames[1]);
    total = names[0] && names[1] ? cc_serial_layout(t, &h, nnames) : 0;
    if (total == 0 || (out = calloc(1, (size_t)total)) == NULL) {
        free(names[0]);
        free(names[1]);
        return -1;
    }
    memcpy(out, &h, sizeof h);
    memcpy(out + h.names_off, nnames, sizeof nnames);
    memcpy(out + h.names_off + sizeof nnames, names[0],
           (size_t)nnames[0] * sizeof(uint32_t));
    memcpy(out + h.names_off + sizeof nnames + (size_t)nnames[0] * sizeof(uint32_t),
           names[1], (size_t)nnames[1] * sizeof(uint32_t));
    free(names[0]);
    free(names[1]);
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

/* ------------------------------------------------------------- copying */

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

int cc_table_copy(cc_table *copy, const cc_table *t)
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
    if (t->sorted_names[0] != NULL) {
        uint32_t n = t->nsorted[0] + t->nsorted[1];
        uint32_t *names = cc_dup(t->sorted_names[0], (size_t)n * sizeof *names);
        if (names == NULL)
            goto fail;
        copy->sorted_names[0] = names;
        copy->sorted_names[1] = names + t->nsorted[0];
        copy->nsorted[0] = t->nsorted[0];
        copy->nsorted[1] = t->nsorted[1];
    }
    copy->lazy_strings = t->lazy_strings;
    copy->lazy_derived = t->lazy_derived;
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
