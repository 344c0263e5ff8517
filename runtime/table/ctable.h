/* ctable.h - the type table in memory: building, looking up, writing, loading.
 *
 * A cc_table holds the same records as the binary format of table_format.h,
 * in growable arrays, plus the indexes needed while building (interned
 * strings, interned derived types, declarations by name).  Every producer
 * builds one: the cdef parser (runtime/cdef/cparse.c) appends to the FFI's table
 * at each cdef() call, the plugins fill one while the compiler runs.
 * cc_table_serialize() writes the binary form; cc_table_load() reads and
 * validates one (a table is untrusted input: every index, offset and length
 * is checked, and a bad one gives an error, never a crash).
 *
 * Pure C, no Python: usable from the cmocka tests, the fuzzers and (compiled
 * as C++) the plugins.  Functions returning int give 0 on success and -1 on
 * failure; the builders fail only when memory runs out.
 */
#ifndef CCFFI_CTABLE_H
#define CCFFI_CTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "table/table_format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The first error of a pure-C layer (parser, layout, loader): the binding
 * turns it into a Python exception (CDefError with the position, ffi.error,
 * ImportError for a bad table...). */
typedef enum cc_errkind {
    CC_ERR_NONE = 0,
    CC_ERR_NOMEM,      /* -> MemoryError */
    CC_ERR_SYNTAX,     /* -> CDefError: the cdef could not be parsed */
    CC_ERR_DECL,       /* -> CDefError or FFIError: a declaration is refused */
    CC_ERR_TYPE,       /* -> ffi.error: e.g. size of an opaque type */
    CC_ERR_TABLE,      /* -> a bad binary table */
    CC_ERR_NOTIMPL,    /* -> NotImplementedError: valid C that CFFI refuses */
    CC_ERR_VALUE,      /* -> ValueError: a bad value (negative length...) */
    CC_ERR_TYPEERR,    /* -> TypeError (e.g. a function returning an array) */
} cc_errkind;

/* How CFFI words an error with a position (set by the cdef parser; the
 * binding formats it, see ccm_raise_error). */
typedef enum cc_wording {
    CC_WORD_POSITION = 0,  /* "file:line:col: message" */
    CC_WORD_GRAMMAR,       /* 'cannot parse "<source>"\nfile:line:col: message'
                              ('parse error\n...' when source is empty) */
    CC_WORD_DECL,          /* "file:line: message" */
    CC_WORD_BARE,          /* "message" */
} cc_wording;

typedef struct cc_error {
    cc_errkind kind;
    char message[512];  /* what went wrong and what was expected */
    char file[256];     /* "<cdef source string>" or a `# 12 "file"` name */
    int line, column;   /* 1-based; 0 when not about a source position */
    cc_wording wording;
    char source[128];   /* CC_WORD_GRAMMAR: the offending source line */
    const char *c_words; /* a type string's error in the words of CFFI's C
                            parser (a static string), or NULL */
} cc_error;

/* Records the error unless one is already recorded; always returns -1. */
int cc_error_set(cc_error *err, cc_errkind kind, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Open-addressing map from a 64-bit key to a 32-bit value; internal to the
 * table but visible so that the struct has a known size. */
typedef struct cc_map {
    uint64_t *keys;
    uint32_t *values;
    uint32_t count, capacity;  /* capacity is 0 or a power of two */
} cc_map;

/* Size, alignment and flags of each primitive on this platform (the
 * compiler that builds the runtime or the plugin is the target compiler).
 * UNKNOWN_* primitives have size 0. */
typedef struct cc_prim_info {
    const char *name;   /* as CFFI spells it: "unsigned long long", "size_t" */
    uint32_t size, align;
    uint32_t flags;     /* CCT_PF_* */
} cc_prim_info;
extern const cc_prim_info cc_prims[CCT_PRIM__COUNT];

/* Namespaces of cc_table_lookup(). */
#define CC_NS_ORDINARY 0  /* typedefs, functions, variables, constants, enumerators */
#define CC_NS_TAG      1  /* struct / union / enum tags */

/* What an ordinary name refers to: a declaration or an enumerator. */
#define CC_REF_ENUMERATOR CCT_REF_ENUMERATOR  /* set: the low bits index enums[] */

typedef struct cc_table {
    cct_type *types;        uint32_t ntypes,  cap_types;
    cct_field *fields;      uint32_t nfields, cap_fields;
    cct_enumerator *enums;  uint32_t nenums,  cap_enums;
    uint32_t *args;         uint32_t nargs,   cap_args;
    cct_decl *decls;        uint32_t ndecls,  cap_decls;
    char *strings;          uint32_t strings_size, cap_strings;
    cc_map string_index;    /* hash of bytes -> string offsets (chained by probing) */
    cc_map derived_index;   /* interned pointer/array/function/primitive types */
    cc_map name_index[2];   /* per namespace: string offset -> decl ref */
    /* A table read by cc_table_load_module() uses the module's own bytes in
     * place: the arrays it has not changed yet are borrowed (a bit of
     * `borrowed` each, CC_OWN_*: never freed nor written; the builders copy
     * one before its first change), its names are found by bisection in the
     * table's sorted name index (sorted_names, per namespace; name_index then
     * only holds the names bound since, which take precedence), and the
     * string and derived-type indexes are built on their first use (lazy).
     * All zero for a table built or read by cc_table_load(). */
    uint32_t borrowed;
    const uint32_t *sorted_names[2];
    uint32_t nsorted[2];
    uint8_t lazy_strings, lazy_derived;
} cc_table;

#define CC_OWN_TYPES   0x01u
#define CC_OWN_FIELDS  0x02u
#define CC_OWN_ENUMS   0x04u
#define CC_OWN_ARGS    0x08u
#define CC_OWN_DECLS   0x10u
#define CC_OWN_STRINGS 0x20u
#define CC_OWN_NAMES   0x40u

/* An empty table: type 0 is void, string 0 is "". */
int cc_table_init(cc_table *t);
void cc_table_free(cc_table *t);

/* Strings: interned, NUL-terminated in the pool (len bytes, no NUL inside). */
int cc_table_string(cc_table *t, const char *s, size_t len, uint32_t *out);
static inline const char *cc_table_str(const cc_table *t, uint32_t off)
{
    return t->strings + off;
}

/* Types.  cc_table_add_type appends a new, distinct type (struct, union,
 * enum, unknown-size primitive); the others intern: asking twice for
 * "pointer to type 7" gives the same index. */
int cc_table_add_type(cc_table *t, const cct_type *ty, uint32_t *out);
int cc_table_primitive(cc_table *t, enum cct_prim prim, uint32_t *out);
/* (primitive records get size and align from cc_prims; pointers 8/8;
 *  interned arrays of a laid-out item get size = item size * length) */
int cc_table_pointer(cc_table *t, uint32_t item, uint32_t *out);
/* A pointer whose item is qualified: flags 0 or CCT_TF_CONST_ITEM. */
int cc_table_pointer_q(cc_table *t, uint32_t item, uint16_t flags,
                       uint32_t *out);
int cc_table_array(cc_table *t, uint32_t item, uint64_t length,
                   uint16_t flags, uint32_t *out);
int cc_table_function(cc_table *t, uint32_t result, const uint32_t *args,
                      uint32_t nargs, uint16_t flags, uint32_t *out);

/* Size and alignment of a type as far as its record says: primitives and
 * pointers by the platform, enums from their integer type, arrays and
 * laid-out structs/unions as recorded.  1 when known, 0 when not (yet):
 * one rule for the layout engine and the loader's checks. */
int cc_type_layout(const cct_type *ty, uint64_t *size, uint32_t *align);

/* Members: appended contiguously, *first receives the index of the first. */
int cc_table_add_fields(cc_table *t, const cct_field *f, uint32_t n,
                        uint32_t *first);
int cc_table_add_enumerators(cc_table *t, const cct_enumerator *e, uint32_t n,
                             uint32_t *first);

/* Declarations.  Adding a name that exists in the same namespace replaces
 * the old entry in the index (the caller decides whether that is allowed:
 * cdef's override=True).  Enumerators are registered in the ordinary
 * namespace with cc_table_name_enumerators(). */
int cc_table_add_decl(cc_table *t, const cct_decl *d, uint32_t *out);
int cc_table_name_enumerators(cc_table *t, uint32_t first, uint32_t n);

/* 1 and *ref set when found (a decl index, or CC_REF_ENUMERATOR | index),
 * 0 when absent. */
int cc_table_lookup(const cc_table *t, int ns, const char *name, size_t len,
                    uint32_t *ref);

/* The tag `name` of a kind (CCT_KIND_STRUCT, _UNION or _ENUM): the three
 * kinds of tags are separate namespaces, as in CFFI (cc_table_lookup in
 * CC_NS_TAG finds a tag of any kind).  1 and *ref set when found, else 0. */
int cc_table_lookup_tag(const cc_table *t, int kind, const char *name,
                        size_t len, uint32_t *ref);

/* A deep copy of t into an uninitialised *copy (to put back when an
 * operation fails half-way: the parser and the include merge do).  -1 when
 * memory runs out, with *copy left empty. */
int cc_table_copy(cc_table *copy, const cc_table *t);

/* The binary form; *buf is malloc()ed and owned by the caller. */
int cc_table_serialize(const cc_table *t, unsigned char **buf, size_t *len);

/* Reads a binary table into an empty, initialised t (copying it), after
 * checking the magic, the version and every index, offset and length.
 * Returns -1 with err set (CC_ERR_TABLE naming the first bad item). */
int cc_table_load(cc_table *t, const void *buf, size_t len, cc_error *err);

/* The table of a compiled module, used in place: buf must stay valid and
 * unchanged for the life of t (a module's static table).  Import then does
 * no work per name: the header and the sections are checked (as by
 * cc_table_load), the records are not, because the plugin that wrote them
 * checked them with cc_table_load() when it compiled the module (a table
 * refused there fails the build), as the trampolines beside them are
 * trusted; names are found in the table's sorted name index.  A table
 * without that index (written before it existed), or not 8-byte aligned in
 * memory, is read by cc_table_load() instead. */
int cc_table_load_module(cc_table *t, const void *buf, size_t len,
                         cc_error *err);

/* Makes t own every array it borrows (see cc_table_load_module), so that
 * its records may be written in place.  -1 when memory runs out. */
int cc_table_own(cc_table *t);

/* Checks the records of an in-memory table as cc_table_load does: every type
 * index in range, members in range, strings inside the pool. */
int cc_table_validate(const cc_table *t, cc_error *err);

/* ffi.include(other): copies into dst what CFFI shares between FFIs (struct,
 * union and enum tags, typedefs, integer constants and enumerators) with
 * every type they reach.  A name dst already has with the same definition is
 * fine; a different one is an error naming it (CC_ERR_DECL, "multiple
 * declarations of ...").  An opaque dst struct is completed by src's body.
 * Copied declarations get slot CCT_NO_SLOT.  On any error dst is left as it
 * was (its arrays may have moved: keep indexes, not pointers, across it). */
int cc_table_include(cc_table *dst, const cc_table *src, cc_error *err);

#ifdef __cplusplus
}
#endif

#endif /* CCFFI_CTABLE_H */
