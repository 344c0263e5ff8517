/* ctable_internal.h - what the files of the table library share among
 * themselves and nobody else: the hash maps and the interning helpers the
 * builder (ctable.c), the loader (ctable_load.c) and the include merge
 * (ctable_include.c) all use.  Not for use outside runtime/table/. */
#ifndef CCFFI_CTABLE_INTERNAL_H
#define CCFFI_CTABLE_INTERNAL_H

#include <stdbool.h>
#include "table/ctable.h"

/* FNV-1a over bytes, then mixed. */
uint64_t cc_hash_bytes(const void *p, size_t len, uint64_t seed);

/* Adds an entry (even if the key is present: keys are hashes). */
int cc_map_add(cc_map *m, uint64_t key, uint32_t value);

/* Iteration over the entries of one key: *slot starts at UINT32_MAX;
 * returns 1 with *value set for each entry, 0 at the end. */
int cc_map_next(const cc_map *m, uint64_t key, uint32_t *slot,
                uint32_t *value);

/* The value of an empty slot of a cc_map. */
#define CC_MAP_FREE UINT32_MAX

void cc_map_free(cc_map *m);

/* Finds an interned string without adding it: 1 found, 0 absent. */
int cc_table_find_string(const cc_table *t, const char *s, size_t len,
                         uint32_t *out);

/* The interning key of a derived type; for functions it covers the args. */
uint64_t cc_derived_key(const cct_type *ty, const uint32_t *args);

/* Finds the interned twin of *ty (args: a FUNCTION's parameters): 1 found. */
int cc_derived_find(const cc_table *t, const cct_type *ty,
                    const uint32_t *args, uint32_t *out);

/* The size a struct/union/array record gives once laid out, else
 * CCT_SIZE_UNKNOWN. */
uint64_t cc_final_size(const cct_type *ty);

/* Size of `length` items of a known size, or CCT_SIZE_UNKNOWN. */
uint64_t cc_array_size(uint64_t itemsize, uint64_t length);

/* The namespace (CC_NS_TAG or CC_NS_ORDINARY) a declaration's name is in. */
int cc_decl_namespace(const cct_decl *d);

/* Points `name` (a pool offset) at ref in namespace ns, replacing any entry. */
int cc_name_bind(cc_table *t, int ns, uint32_t name, uint32_t ref);

/* The string offset of the name a reference (decl or enumerator) carries. */
uint32_t cc_ref_name(const cc_table *t, uint32_t ref);

/* A name in the sorted index of a table read by cc_table_load_module() (not
 * the names bound since): 1 and *ref set when found.  kind >= 0 (tags
 * only): a tag of that kind. */
int cc_sorted_find(const cc_table *t, int ns, const char *name, size_t len,
                   int kind, uint32_t *ref);

/* The string and derived-type indexes of a table, built when first needed
 * (ctable_load.c: the same as cc_table_load builds at once); clear the
 * table's lazy flag. */
int cc_index_strings(cc_table *t);
int cc_index_derived(cc_table *t);

#endif /* CCFFI_CTABLE_INTERNAL_H */
