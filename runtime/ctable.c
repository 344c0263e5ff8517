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

#include "ctable.h"

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
    const cct_type *it;

    if (item >= t->ntypes)
        return -1;
    it = &t->types[item];
    cc_type_blank(&ty, CCT_KIND_ARRAY);
    ty.item = item;
    ty.flags = flags;
    if (flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS)) {
        length = 0;
    } else if (it->align != 0 && it->size != CCT_SIZE_UNKNOWN) {
        ty.size = cc_array_size(it->size, length);
        if (ty.size != CCT_SIZE_UNKNOWN)
            ty.align = it->align;
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
