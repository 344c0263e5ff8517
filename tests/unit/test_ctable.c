/* test_ctable.c - cmocka tests of the type table (runtime/table/ctable.c): the
 * builder (strings, interned types, members, declarations, the two name
 * namespaces), cc_table_include, the binary form (round trips) and the
 * loader's refusal of every kind of damaged table, each checked by message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>
#include <wchar.h>
#include <uchar.h>
#include <sys/types.h>

#include "table/ctable.h"
#include "table_builders.h"

/* ------------------------------------------------------------- helpers */

static uint32_t arr(cc_table *t, uint32_t item, uint64_t len)
{
    uint32_t idx;

    assert_int_equal(cc_table_array(t, item, len, 0, &idx), 0);
    return idx;
}

static uint32_t add_decl(cc_table *t, enum cct_decl_kind kind,
                         const char *name, uint32_t type, uint64_t value)
{
    cct_decl d;
    uint32_t idx;

    memset(&d, 0, sizeof d);
    d.name = str(t, name);
    d.kind = (uint8_t)kind;
    d.type = type;
    d.slot = CCT_NO_SLOT;
    d.value = value;
    assert_int_equal(cc_table_add_decl(t, &d, &idx), 0);
    return idx;
}

/* Adds `struct tag { <n fields> }` (not laid out) with a TAG declaration. */
static uint32_t add_struct(cc_table *t, const char *tag, const char **names,
                           const uint32_t *types, uint32_t n)
{
    cct_type ty;
    cct_field f[16];
    uint32_t idx, first;

    assert_true(n <= 16);
    memset(&ty, 0, sizeof ty);
    ty.kind = CCT_KIND_STRUCT;
    ty.name = str(t, tag);
    ty.size = CCT_SIZE_UNKNOWN;
    for (uint32_t i = 0; i < n; i++) {
        memset(&f[i], 0, sizeof f[i]);
        f[i].name = str(t, names[i]);
        f[i].type = types[i];
        f[i].bitshift = CCT_NOT_BITFIELD;
        f[i].bitsize = CCT_NOT_BITFIELD;
    }
    assert_int_equal(cc_table_add_fields(t, f, n, &first), 0);
    ty.first = first;
    ty.count = n;
    assert_int_equal(cc_table_add_type(t, &ty, &idx), 0);
    add_decl(t, CCT_DECL_TAG, tag, idx, 0);
    return idx;
}

/* ------------------------------------------------------- builder tests */

static void test_error_set_keeps_first(void **state)
{
    cc_error err;

    (void)state;
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_error_set(&err, CC_ERR_DECL, "first %d", 1), -1);
    assert_int_equal(cc_error_set(&err, CC_ERR_TYPE, "second"), -1);
    assert_int_equal(err.kind, CC_ERR_DECL);
    assert_string_equal(err.message, "first 1");
    assert_int_equal(cc_error_set(NULL, CC_ERR_TYPE, "ignored"), -1);
}

static void test_prims_match_compiler(void **state)
{
    (void)state;
    assert_string_equal(cc_prims[CCT_PRIM_ULONGLONG].name, "unsigned long long");
    assert_int_equal(cc_prims[CCT_PRIM_CHAR].size, 1);
    assert_int_equal(cc_prims[CCT_PRIM_INT].size, sizeof(int));
    assert_int_equal(cc_prims[CCT_PRIM_LONGDOUBLE].size, sizeof(long double));
    assert_int_equal(cc_prims[CCT_PRIM_LONGDOUBLE].align, _Alignof(long double));
    assert_int_equal(cc_prims[CCT_PRIM_DOUBLECOMPLEX].size, sizeof(double _Complex));
    assert_int_equal(cc_prims[CCT_PRIM_WCHAR].size, sizeof(wchar_t));
    assert_int_equal(cc_prims[CCT_PRIM_CHAR16].size, sizeof(char16_t));
    assert_int_equal(cc_prims[CCT_PRIM_SSIZE].size, sizeof(ssize_t));
    assert_int_equal(cc_prims[CCT_PRIM_BOOL].size, sizeof(_Bool));
    assert_int_equal(cc_prims[CCT_PRIM_UNKNOWN_INT].size, 0);
    assert_int_equal(cc_prims[CCT_PRIM_UNKNOWN_FLOAT].align, 0);
    assert_true(cc_prims[CCT_PRIM_UNKNOWN_FLOAT].flags & CCT_PF_FLOAT);
    for (int i = 0; i < CCT_PRIM__COUNT; i++)
        assert_non_null(cc_prims[i].name);
}

static void test_init_has_void_and_empty_string(void **state)
{
    cc_table *t = *state;

    assert_int_equal(t->ntypes, 1);
    assert_int_equal(t->types[0].kind, CCT_KIND_VOID);
    assert_int_equal(t->strings_size, 1);
    assert_string_equal(cc_table_str(t, 0), "");
    assert_int_equal(str(t, ""), 0);
}

static void test_strings_are_interned(void **state)
{
    cc_table *t = *state;
    uint32_t a = str(t, "alpha"), b = str(t, "beta"), off;

    assert_int_not_equal(a, b);
    assert_int_equal(str(t, "alpha"), a);
    assert_string_equal(cc_table_str(t, a), "alpha");
    assert_string_equal(cc_table_str(t, b), "beta");
    /* a prefix is a different string */
    assert_int_equal(cc_table_string(t, "alphabet", 5, &off), 0);
    assert_int_equal(off, a);
    assert_int_not_equal(str(t, "alph"), a);
}

static void test_many_strings_survive_growth(void **state)
{
    cc_table *t = *state;
    char buf[32];
    uint32_t offs[2000];

    for (int i = 0; i < 2000; i++) {
        snprintf(buf, sizeof buf, "name_%d", i);
        offs[i] = str(t, buf);
    }
    for (int i = 0; i < 2000; i++) {
        snprintf(buf, sizeof buf, "name_%d", i);
        assert_int_equal(str(t, buf), offs[i]);
        assert_string_equal(cc_table_str(t, offs[i]), buf);
    }
}

static void test_primitives_interned_with_sizes(void **state)
{
    cc_table *t = *state;
    uint32_t i1 = prim(t, CCT_PRIM_INT), d = prim(t, CCT_PRIM_DOUBLE);

    assert_int_not_equal(i1, d);
    assert_int_equal(prim(t, CCT_PRIM_INT), i1);
    assert_int_equal(t->types[i1].kind, CCT_KIND_PRIMITIVE);
    assert_int_equal(t->types[i1].prim, CCT_PRIM_INT);
    assert_int_equal(t->types[i1].size, 4);
    assert_int_equal(t->types[i1].align, 4);
    assert_int_equal(t->types[d].size, 8);
    uint32_t u = prim(t, CCT_PRIM_UNKNOWN_INT);
    assert_true(t->types[u].size == CCT_SIZE_UNKNOWN);
    assert_int_equal(t->types[u].align, 0);
    uint32_t dummy;
    assert_int_equal(cc_table_primitive(t, (enum cct_prim)CCT_PRIM__COUNT, &dummy), -1);
}

static void test_pointers_and_arrays_interned(void **state)
{
    cc_table *t = *state;
    uint32_t i = prim(t, CCT_PRIM_INT);
    uint32_t p = ptr(t, i), pp = ptr(t, p);
    uint32_t a10 = arr(t, i, 10), a11 = arr(t, i, 11), open, dots;

    assert_int_equal(ptr(t, i), p);
    assert_int_equal(ptr(t, p), pp);
    assert_int_not_equal(p, pp);
    assert_int_equal(t->types[p].size, 8);
    assert_int_equal(t->types[p].item, i);
    assert_int_equal(arr(t, i, 10), a10);
    assert_int_not_equal(a10, a11);
    assert_int_equal(t->types[a10].size, 40);
    assert_int_equal(t->types[a10].align, 4);
    assert_int_equal(t->types[a10].length, 10);
    assert_int_equal(cc_table_array(t, i, 0, CCT_TF_LENGTH_UNKNOWN, &open), 0);
    assert_int_equal(cc_table_array(t, i, 0, CCT_TF_LENGTH_DOTS, &dots), 0);
    assert_int_not_equal(open, dots);
    assert_true(t->types[open].size == CCT_SIZE_UNKNOWN);
    assert_int_equal(cc_table_array(t, 999, 1, 0, &open), -1);
    assert_int_equal(cc_table_pointer(t, 999, &open), -1);
    /* pointer to void */
    assert_int_equal(ptr(t, 0), ptr(t, 0));
}

static void test_functions_interned_by_signature(void **state)
{
    cc_table *t = *state;
    uint32_t i = prim(t, CCT_PRIM_INT), d = prim(t, CCT_PRIM_DOUBLE);
    uint32_t a1[] = { i, d }, a2[] = { i, d }, a3[] = { d, i };
    uint32_t f1, f2, f3, f4, f5;

    assert_int_equal(cc_table_function(t, i, a1, 2, 0, &f1), 0);
    assert_int_equal(cc_table_function(t, i, a2, 2, 0, &f2), 0);
    assert_int_equal(cc_table_function(t, i, a3, 2, 0, &f3), 0);
    assert_int_equal(cc_table_function(t, i, a1, 2, CCT_TF_VARIADIC, &f4), 0);
    assert_int_equal(cc_table_function(t, i, NULL, 0, 0, &f5), 0);
    assert_int_equal(f1, f2);
    assert_int_not_equal(f1, f3);
    assert_int_not_equal(f1, f4);
    assert_int_not_equal(f1, f5);
    assert_int_equal(t->types[f1].count, 2);
    assert_int_equal(t->args[t->types[f1].first], i);
    assert_int_equal(t->args[t->types[f1].first + 1], d);
    assert_int_equal(t->types[f3].item, i);
    assert_int_equal(t->types[f5].count, 0);
    assert_int_equal(t->nargs, 6);
    uint32_t bad[] = { 12345 };
    assert_int_equal(cc_table_function(t, i, bad, 1, 0, &f5), -1);
}

static void test_add_type_is_never_interned(void **state)
{
    cc_table *t = *state;
    cct_type ty;
    uint32_t a, b;

    memset(&ty, 0, sizeof ty);
    ty.kind = CCT_KIND_STRUCT;
    ty.flags = CCT_TF_OPAQUE;
    ty.name = str(t, "foo");
    ty.size = CCT_SIZE_UNKNOWN;
    assert_int_equal(cc_table_add_type(t, &ty, &a), 0);
    assert_int_equal(cc_table_add_type(t, &ty, &b), 0);
    assert_int_not_equal(a, b);
}

static void test_fields_and_enumerators_contiguous(void **state)
{
    cc_table *t = *state;
    cct_field f[3];
    cct_enumerator e[2];
    uint32_t first, first2;

    memset(f, 0, sizeof f);
    memset(e, 0, sizeof e);
    f[0].name = str(t, "a");
    f[1].name = str(t, "b");
    f[2].name = str(t, "c");
    assert_int_equal(cc_table_add_fields(t, f, 2, &first), 0);
    assert_int_equal(cc_table_add_fields(t, f + 2, 1, &first2), 0);
    assert_int_equal(first, 0);
    assert_int_equal(first2, 2);
    assert_int_equal(t->nfields, 3);
    assert_string_equal(cc_table_str(t, t->fields[2].name), "c");
    e[0].name = str(t, "RED");
    e[1].name = str(t, "GREEN");
    e[1].value = 7;
    assert_int_equal(cc_table_add_enumerators(t, e, 2, &first), 0);
    assert_int_equal(first, 0);
    assert_int_equal(t->enums[1].value, 7);
    assert_int_equal(cc_table_add_enumerators(t, NULL, 0, &first), 0);
    assert_int_equal(first, 2);
}

static void test_lookup_two_namespaces(void **state)
{
    cc_table *t = *state;
    uint32_t i = prim(t, CCT_PRIM_INT), ref;
    const char *names[] = { "x" };
    uint32_t st = add_struct(t, "foo", names, &i, 1);
    uint32_t td = add_decl(t, CCT_DECL_TYPEDEF, "foo", ptr(t, st), 0);

    assert_int_equal(cc_table_lookup(t, CC_NS_TAG, "foo", 3, &ref), 1);
    assert_int_equal(t->decls[ref].kind, CCT_DECL_TAG);
    assert_int_equal(t->decls[ref].type, st);
    assert_int_equal(cc_table_lookup(t, CC_NS_ORDINARY, "foo", 3, &ref), 1);
    assert_int_equal(ref, td);
    assert_int_equal(cc_table_lookup(t, CC_NS_ORDINARY, "fo", 2, &ref), 0);
    assert_int_equal(cc_table_lookup(t, CC_NS_ORDINARY, "foobar", 3, &ref), 1);
    assert_int_equal(cc_table_lookup(t, CC_NS_TAG, "bar", 3, &ref), 0);
    assert_int_equal(cc_table_lookup(t, 7, "foo", 3, &ref), 0);
}

static void test_redeclaration_replaces_index_entry(void **state)
{
    cc_table *t = *state;
    uint32_t i = prim(t, CCT_PRIM_INT), ref;
    uint32_t d1 = add_decl(t, CCT_DECL_CONST_INT, "N", i, 1);
    uint32_t d2 = add_decl(t, CCT_DECL_CONST_INT, "N", i, 2);

    assert_int_not_equal(d1, d2);
    assert_int_equal(t->ndecls, 2);
    assert_int_equal(cc_table_lookup(t, CC_NS_ORDINARY, "N", 1, &ref), 1);
    assert_int_equal(ref, d2);
    assert_int_equal(t->name_index[CC_NS_ORDINARY].count, 1);
}

static void test_enumerators_named_in_ordinary_namespace(void **state)
{
    cc_table *t = *state;
    cct_enumerator e[2];
    uint32_t first, ref;

    memset(e, 0, sizeof e);
    e[0].name = str(t, "RED");
    e[1].name = str(t, "GREEN");
    e[1].value = 5;
    assert_int_equal(cc_table_add_enumerators(t, e, 2, &first), 0);
    assert_int_equal(cc_table_lookup(t, CC_NS_ORDINARY, "GREEN", 5, &ref), 0);
    assert_int_equal(cc_table_name_enumerators(t, first, 2), 0);
    assert_int_equal(cc_table_lookup(t, CC_NS_ORDINARY, "GREEN", 5, &ref), 1);
    assert_int_equal(ref, CC_REF_ENUMERATOR | (first + 1));
    assert_int_equal(cc_table_lookup(t, CC_NS_TAG, "GREEN", 5, &ref), 0);
    assert_int_equal(cc_table_name_enumerators(t, first, 3), -1);
}

static void test_many_decls_lookup(void **state)
{
    cc_table *t = *state;
    uint32_t i = prim(t, CCT_PRIM_INT), ref;
    char buf[32];

    for (int k = 0; k < 5000; k++) {
        snprintf(buf, sizeof buf, "f%d", k);
        add_decl(t, CCT_DECL_VARIABLE, buf, i, 0);
    }
    for (int k = 0; k < 5000; k++) {
        snprintf(buf, sizeof buf, "f%d", k);
        assert_int_equal(cc_table_lookup(t, CC_NS_ORDINARY, buf, strlen(buf), &ref), 1);
        assert_int_equal(ref, (uint32_t)k);
    }
    assert_int_equal(cc_table_lookup(t, CC_NS_ORDINARY, "f5000", 5, &ref), 0);
}

/* --------------------------------------------------- a table to serialize */

typedef struct sample {
    uint32_t i, d, pi, a4, fn, node, u, color, anon_enum;
} sample;

/* struct node { int value; struct node *next; double w[4]; } laid out by
 * hand, union u { int i; double d; }, enum color { RED, GREEN=5 }, an
 * anonymous enum { ZERO }, typedefs, a function, constants of every kind. */
static void build_sample(cc_table *t, sample *s)
{
    cct_type ty;
    cct_field f[3];
    cct_enumerator e[2];
    uint32_t first, args[2];

    s->i = prim(t, CCT_PRIM_INT);
    s->d = prim(t, CCT_PRIM_DOUBLE);
    s->pi = ptr(t, s->i);
    s->a4 = arr(t, s->d, 4);
    memset(&ty, 0, sizeof ty);
    ty.kind = CCT_KIND_STRUCT;
    ty.name = str(t, "node");
    ty.flags = CCT_TF_LAYOUT_KNOWN;
    ty.size = 48;
    ty.align = 8;
    assert_int_equal(cc_table_add_type(t, &ty, &s->node), 0);
    memset(f, 0, sizeof f);
    f[0].name = str(t, "value");
    f[0].type = s->i;
    f[1].name = str(t, "next");
    f[1].type = ptr(t, s->node);
    f[1].offset = 8;
    f[2].name = str(t, "w");
    f[2].type = s->a4;
    f[2].offset = 16;
    for (int k = 0; k < 3; k++)
        f[k].bitshift = f[k].bitsize = CCT_NOT_BITFIELD;
    assert_int_equal(cc_table_add_fields(t, f, 3, &first), 0);
    t->types[s->node].first = first;
    t->types[s->node].count = 3;
    add_decl(t, CCT_DECL_TAG, "node", s->node, 0);

    ty.kind = CCT_KIND_UNION;
    ty.name = str(t, "u");
    ty.size = 8;
    f[0].name = str(t, "i");
    f[0].type = s->i;
    f[0].offset = 0;
    f[1].name = str(t, "d");
    f[1].type = s->d;
    f[1].offset = 0;
    assert_int_equal(cc_table_add_fields(t, f, 2, &ty.first), 0);
    ty.count = 2;
    assert_int_equal(cc_table_add_type(t, &ty, &s->u), 0);
    add_decl(t, CCT_DECL_TAG, "u", s->u, 0);

    memset(e, 0, sizeof e);
    e[0].name = str(t, "RED");
    e[1].name = str(t, "GREEN");
    e[1].value = 5;
    assert_int_equal(cc_table_add_enumerators(t, e, 2, &first), 0);
    assert_int_equal(cc_table_name_enumerators(t, first, 2), 0);
    memset(&ty, 0, sizeof ty);
    ty.kind = CCT_KIND_ENUM;
    ty.prim = CCT_PRIM_UINT;
    ty.name = str(t, "color");
    ty.first = first;
    ty.count = 2;
    ty.size = 4;
    ty.align = 4;
    ty.flags = CCT_TF_LAYOUT_KNOWN;
    assert_int_equal(cc_table_add_type(t, &ty, &s->color), 0);
    add_decl(t, CCT_DECL_TAG, "color", s->color, 0);
    e[0].name = str(t, "ZERO");
    assert_int_equal(cc_table_add_enumerators(t, e, 1, &first), 0);
    assert_int_equal(cc_table_name_enumerators(t, first, 1), 0);
    ty.name = 0;
    ty.first = first;
    ty.count = 1;
    assert_int_equal(cc_table_add_type(t, &ty, &s->anon_enum), 0);

    args[0] = s->pi;
    args[1] = s->d;
    assert_int_equal(cc_table_function(t, s->i, args, 2, CCT_TF_VARIADIC, &s->fn), 0);
    add_decl(t, CCT_DECL_FUNCTION, "f", s->fn, 0);
    add_decl(t, CCT_DECL_VARIABLE, "global", s->a4, 0);
    add_decl(t, CCT_DECL_TYPEDEF, "node_t", s->node, 0);
    add_decl(t, CCT_DECL_TYPEDEF, "myint", s->i, 0);
    add_decl(t, CCT_DECL_CONST_INT, "N", s->i, 42);
    double pi = 3.25;
    uint64_t bits;
    memcpy(&bits, &pi, sizeof bits);
    add_decl(t, CCT_DECL_CONST_FLOAT, "PI", s->d, bits);
    uint32_t hello;
    assert_int_equal(cc_table_string(t, "hel\0lo", 6, &hello), 0);
    add_decl(t, CCT_DECL_CONST_STRING, "HELLO", ptr(t, prim(t, CCT_PRIM_CHAR)),
             hello | ((uint64_t)6 << 32));
}

static void serialize(const cc_table *t, unsigned char **buf, size_t *len)
{
    assert_int_equal(cc_table_serialize(t, buf, len), 0);
}

/* ------------------------------------------------------ round-trip tests */

static void test_serialize_header_and_sections(void **state)
{
    cc_table *t = *state;
    sample s;
    unsigned char *buf;
    size_t len;
    cct_header h;

    build_sample(t, &s);
    serialize(t, &buf, &len);
    memcpy(&h, buf, sizeof h);
    assert_memory_equal(h.magic, CCT_MAGIC, CCT_MAGIC_LEN);
    assert_int_equal(h.version, CCT_VERSION);
    assert_int_equal(h.header_size, sizeof(cct_header));
    assert_int_equal(h.total_size, len);
    assert_int_equal(len % 8, 0);
    assert_int_equal(h.ntypes, t->ntypes);
    assert_int_equal(h.ndecls, t->ndecls);
    assert_int_equal(h.strings_size, t->strings_size);
    assert_int_equal(h.types_off, 72);
    assert_int_equal(h.fields_off, 72 + 40 * t->ntypes);
    assert_int_equal(h.args_off % 8, 0);
    assert_int_equal(h.decls_off % 8, 0);
    assert_int_equal(h.strings_off % 8, 0);
    assert_memory_equal(buf + h.types_off, t->types, t->ntypes * sizeof(cct_type));
    assert_memory_equal(buf + h.strings_off, t->strings, t->strings_size);
    free(buf);
}

static void test_round_trip_identical_bytes(void **state)
{
    cc_table *t = *state, u;
    cc_error err;
    sample s;
    unsigned char *b1, *b2;
    size_t l1, l2;

    build_sample(t, &s);
    assert_int_equal(cc_table_validate(t, NULL), 0);
    serialize(t, &b1, &l1);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load(&u, b1, l1, &err), 0);
    assert_int_equal(err.kind, CC_ERR_NONE);
    serialize(&u, &b2, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    free(b1);
    free(b2);
    cc_table_free(&u);
}

static void test_loaded_table_indexes_rebuilt(void **state)
{
    cc_table *t = *state, u;
    cc_error err;
    sample s;
    unsigned char *buf;
    size_t len;
    uint32_t ref, idx, args[2];

    build_sample(t, &s);
    serialize(t, &buf, &len);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load(&u, buf, len, &err), 0);
    free(buf);
    assert_int_equal(cc_table_lookup(&u, CC_NS_TAG, "node", 4, &ref), 1);
    assert_int_equal(u.decls[ref].type, s.node);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "GREEN", 5, &ref), 1);
    assert_int_equal(ref, CC_REF_ENUMERATOR | 1);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "ZERO", 4, &ref), 1);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "N", 1, &ref), 1);
    assert_int_equal(u.decls[ref].value, 42);
    /* interning continues where the producer left off */
    assert_int_equal(cc_table_primitive(&u, CCT_PRIM_DOUBLE, &idx), 0);
    assert_int_equal(idx, s.d);
    assert_int_equal(cc_table_pointer(&u, s.i, &idx), 0);
    assert_int_equal(idx, s.pi);
    args[0] = s.pi;
    args[1] = s.d;
    assert_int_equal(cc_table_function(&u, s.i, args, 2, CCT_TF_VARIADIC, &idx), 0);
    assert_int_equal(idx, s.fn);
    assert_int_equal(cc_table_string(&u, "myint", 5, &idx), 0);
    assert_int_equal(idx, str(t, "myint"));
    uint32_t n = u.ntypes;
    assert_int_equal(cc_table_pointer(&u, s.d, &idx), 0);
    assert_int_equal(idx, n);
    cc_table_free(&u);
}

/* The loader builds its indexes in one pass of its own (issue 17: pre-sized
 * maps, each name hashed once): a loaded table answers every lookup as the
 * table it was serialized from, with redeclarations and tags of the same
 * name but not the same kind, among thousands of names (the maps are
 * sized once, never grown). */
static void test_loaded_table_answers_as_the_builder(void **state)
{
    cc_table *t = *state, u;
    cc_error err;
    unsigned char *buf;
    size_t len;
    uint32_t i = prim(t, CCT_PRIM_INT), ref, ref2;
    char name[32];
    const char *fields[] = { "x" };
    cct_type un;

    for (int k = 0; k < 3000; k++) {
        snprintf(name, sizeof name, "n%d", k);
        add_decl(t, CCT_DECL_CONST_INT, name, i, (uint64_t)k);
        if (k % 3 == 0)
            add_decl(t, CCT_DECL_VARIABLE, name, ptr(t, i), 0);
    }
    uint32_t st = add_struct(t, "foo", fields, &i, 1);
    memset(&un, 0, sizeof un);
    un.kind = CCT_KIND_UNION;
    un.name = str(t, "foo");
    un.size = CCT_SIZE_UNKNOWN;
    uint32_t ut;
    assert_int_equal(cc_table_add_type(t, &un, &ut), 0);
    add_decl(t, CCT_DECL_TAG, "foo", ut, 0);
    assert_int_not_equal(st, ut);

    serialize(t, &buf, &len);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load(&u, buf, len, &err), 0);
    free(buf);
    for (int k = 0; k < 3000; k++) {
        snprintf(name, sizeof name, "n%d", k);
        assert_int_equal(cc_table_lookup(t, CC_NS_ORDINARY, name, strlen(name), &ref), 1);
        assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, name, strlen(name), &ref2), 1);
        assert_int_equal(ref, ref2);
        assert_int_equal(u.decls[ref2].kind,
                         k % 3 == 0 ? CCT_DECL_VARIABLE : CCT_DECL_CONST_INT);
    }
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "n3000", 5, &ref), 0);
    assert_int_equal(cc_table_lookup_tag(&u, CCT_KIND_STRUCT, "foo", 3, &ref), 1);
    assert_int_equal(u.decls[ref].type, st);
    assert_int_equal(cc_table_lookup_tag(&u, CCT_KIND_UNION, "foo", 3, &ref), 1);
    assert_int_equal(u.decls[ref].type, ut);
    for (int ns = 0; ns < 2; ns++)
        assert_int_equal(u.name_index[ns].count, t->name_index[ns].count);
    assert_int_equal(u.string_index.count, t->string_index.count);
    assert_int_equal(u.derived_index.count, t->derived_index.count);
    /* interning goes on from the loaded indexes */
    assert_int_equal(cc_table_string(&u, "n2999", 5, &ref), 0);
    assert_int_equal(ref, str(t, "n2999"));
    assert_int_equal(cc_table_pointer(&u, i, &ref), 0);
    assert_int_equal(ref, ptr(t, i));
    cc_table_free(&u);
}

static void test_load_accepts_trailing_bytes_and_unaligned_buffer(void **state)
{
    cc_table *t = *state, u;
    cc_error err;
    sample s;
    unsigned char *buf, *big;
    size_t len;

    build_sample(t, &s);
    serialize(t, &buf, &len);
    big = calloc(1, len + 16);
    memcpy(big + 1, buf, len);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load(&u, big + 1, len + 15, &err), 0);
    assert_int_equal(u.ntypes, t->ntypes);
    cc_table_free(&u);
    free(big);
    free(buf);
}

/* Issue 17: a compiled module's table is used in place
 * (cc_table_load_module): no section copied, names found by bisection in
 * the sorted name index serialize writes, with the same bindings as the
 * full loader (redeclarations, enumerators, tags of the same name and
 * another kind); the first change of an array copies it, never the
 * module's bytes; the lazy indexes intern as the loaded ones. */
static void test_module_table_used_in_place(void **state)
{
    cc_table *t = *state, u, v;
    cc_error err;
    unsigned char *buf, *copy;
    size_t len;
    uint32_t i = prim(t, CCT_PRIM_INT), ref, ref2, idx;
    char name[32];
    const char *fields[] = { "x" };
    cct_header h;
    cct_type un;
    cct_enumerator e[2];

    for (int k = 0; k < 2000; k++) {
        snprintf(name, sizeof name, "n%d", (k * 7919) % 2000);
        add_decl(t, CCT_DECL_CONST_INT, name, i, (uint64_t)k);
        if (k % 3 == 0)
            add_decl(t, CCT_DECL_VARIABLE, name, ptr(t, i), 0);
    }
    memset(e, 0, sizeof e);
    e[0].name = str(t, "RED");
    e[1].name = str(t, "n5");      /* rebound by a later declaration */
    uint32_t first;
    assert_int_equal(cc_table_add_enumerators(t, e, 2, &first), 0);
    assert_int_equal(cc_table_name_enumerators(t, first, 2), 0);
    add_decl(t, CCT_DECL_CONST_INT, "n5", i, 555);
    uint32_t st = add_struct(t, "foo", fields, &i, 1);
    memset(&un, 0, sizeof un);
    un.kind = CCT_KIND_UNION;
    un.name = str(t, "foo");
    un.size = CCT_SIZE_UNKNOWN;
    uint32_t ut;
    assert_int_equal(cc_table_add_type(t, &un, &ut), 0);
    add_decl(t, CCT_DECL_TAG, "foo", ut, 0);

    serialize(t, &buf, &len);
    memcpy(&h, buf, sizeof h);
    assert_int_not_equal(h.names_off, 0);
    copy = malloc(len);
    memcpy(copy, buf, len);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load_module(&u, buf, len, &err), 0);
    assert_ptr_equal(u.types, buf + h.types_off);       /* not copied */
    assert_ptr_equal(u.decls, buf + h.decls_off);
    assert_ptr_equal(u.strings, buf + h.strings_off);
    assert_int_equal(u.name_index[CC_NS_ORDINARY].count, 0);  /* no index */
    assert_int_equal(u.string_index.count, 0);
    for (int k = 0; k < 2000; k++) {
        snprintf(name, sizeof name, "n%d", k);
        assert_int_equal(cc_table_lookup(t, CC_NS_ORDINARY, name, strlen(name), &ref), 1);
        assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, name, strlen(name), &ref2), 1);
        assert_int_equal(ref, ref2);
    }
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "n5", 2, &ref), 1);
    assert_int_equal(u.decls[ref].value, 555);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "RED", 3, &ref), 1);
    assert_int_equal(ref, CC_REF_ENUMERATOR | first);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "n2000", 5, &ref), 0);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "n", 1, &ref), 0);
    assert_int_equal(cc_table_lookup_tag(&u, CCT_KIND_STRUCT, "foo", 3, &ref), 1);
    assert_int_equal(u.decls[ref].type, st);
    assert_int_equal(cc_table_lookup_tag(&u, CCT_KIND_UNION, "foo", 3, &ref), 1);
    assert_int_equal(u.decls[ref].type, ut);
    assert_int_equal(cc_table_lookup_tag(&u, CCT_KIND_ENUM, "foo", 3, &ref), 0);
    /* interning goes on from the lazy indexes, the module's bytes intact */
    assert_int_equal(cc_table_string(&u, "foo", 3, &idx), 0);
    assert_int_equal(idx, str(t, "foo"));
    assert_int_equal(cc_table_string(&u, "x", 1, &idx), 0);
    assert_int_equal(idx, str(t, "x"));
    assert_int_equal(cc_table_pointer(&u, i, &idx), 0);
    assert_int_equal(idx, ptr(t, i));
    assert_int_equal(cc_table_string(&u, "new name", 8, &idx), 0);
    assert_int_equal(cc_table_pointer(&u, st, &idx), 0);
    assert_int_equal(idx, t->ntypes);
    assert_true(u.types != (cct_type *)(buf + h.types_off));
    add_decl(&u, CCT_DECL_CONST_INT, "n7", i, 777);      /* rebinds n7 */
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "n7", 2, &ref), 1);
    assert_int_equal(u.decls[ref].value, 777);
    assert_memory_equal(buf, copy, len);
    /* what it serializes reads back the same by either loader */
    unsigned char *b2;
    size_t l2;
    serialize(&u, &b2, &l2);
    assert_int_equal(cc_table_init(&v), 0);
    assert_int_equal(cc_table_load(&v, b2, l2, &err), 0);
    assert_int_equal(cc_table_lookup(&v, CC_NS_ORDINARY, "n7", 2, &ref), 1);
    assert_int_equal(v.decls[ref].value, 777);
    assert_int_equal(cc_table_lookup(&v, CC_NS_ORDINARY, "n5", 2, &ref), 1);
    assert_int_equal(v.decls[ref].value, 555);
    cc_table_free(&v);
    assert_int_equal(cc_table_copy(&v, &u), 0);
    cc_table_free(&u);
    assert_int_equal(cc_table_lookup(&v, CC_NS_ORDINARY, "n7", 2, &ref), 1);
    assert_int_equal(v.decls[ref].value, 777);
    assert_int_equal(cc_table_lookup(&v, CC_NS_ORDINARY, "n1999", 5, &ref), 1);
    cc_table_free(&v);
    free(b2);
    free(copy);
    free(buf);
}

/* The bisection compares a probed name only up to its own end: "b", the
 * last string of the pool, is less than "zzzz" though fewer bytes follow
 * it in the pool than "zzzz" has. */
static void test_module_table_short_name_at_pool_end(void **state)
{
    cc_table *t = *state, u;
    cc_error err;
    unsigned char *buf;
    size_t len;
    uint32_t i = prim(t, CCT_PRIM_INT), ref;

    add_decl(t, CCT_DECL_CONST_INT, "zzzz", i, 4);
    add_decl(t, CCT_DECL_CONST_INT, "b", i, 1);
    serialize(t, &buf, &len);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load_module(&u, buf, len, &err), 0);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "zzzz", 4, &ref), 1);
    assert_int_equal(u.decls[ref].value, 4);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "b", 1, &ref), 1);
    assert_int_equal(u.decls[ref].value, 1);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "b\0c", 3, &ref), 0);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "bb", 2, &ref), 0);
    cc_table_free(&u);
    free(buf);
}

/* A module's table not 8-byte aligned in memory is copied and checked as
 * by cc_table_load; a name index outside the table is refused. */
static void test_module_table_fallbacks(void **state)
{
    cc_table *t = *state, u;
    cc_error err;
    sample s;
    unsigned char *buf, *big;
    size_t len;
    cct_header h;
    uint32_t ref;

    build_sample(t, &s);
    serialize(t, &buf, &len);
    big = calloc(1, len + 16);
    memcpy(big + 1, buf, len);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load_module(&u, big + 1, len, &err), 0);
    assert_true((unsigned char *)u.types < big || (unsigned char *)u.types > big + len);
    assert_int_equal(cc_table_lookup(&u, CC_NS_ORDINARY, "N", 1, &ref), 1);
    cc_table_free(&u);
    memcpy(&h, buf, sizeof h);
    h.names_off = h.total_size - 4;
    memcpy(buf, &h, sizeof h);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load_module(&u, buf, len, &err), -1);
    assert_int_equal(err.kind, CC_ERR_TABLE);
    assert_non_null(strstr(err.message, "name index"));
    cc_table_free(&u);
    free(big);
    free(buf);
}

static void test_empty_table_round_trip(void **state)
{
    cc_table *t = *state, u;
    cc_error err;
    unsigned char *b1, *b2;
    size_t l1, l2;

    serialize(t, &b1, &l1);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load(&u, b1, l1, &err), 0);
    serialize(&u, &b2, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    free(b1);
    free(b2);
    cc_table_free(&u);
}

/* ------------------------------------------------------ corruption tests */

/* A serialized sample table, damaged by the test, then loaded. */
typedef struct damaged {
    unsigned char *buf;
    size_t len;
    cct_header h;
    sample s;
} damaged;

static void damaged_make(cc_table *unused, damaged *d)
{
    cc_table t;

    (void)unused;
    assert_int_equal(cc_table_init(&t), 0);
    build_sample(&t, &d->s);
    serialize(&t, &d->buf, &d->len);
    memcpy(&d->h, d->buf, sizeof d->h);
    cc_table_free(&t);
}

static cct_type *damaged_type(damaged *d, uint32_t i)
{
    return (cct_type *)(d->buf + d->h.types_off) + i;
}

static cct_field *damaged_field(damaged *d, uint32_t k)
{
    return (cct_field *)(d->buf + d->h.fields_off) + k;
}

static cct_decl *damaged_decl(damaged *d, uint32_t k)
{
    return (cct_decl *)(d->buf + d->h.decls_off) + k;
}

static void damaged_header(damaged *d)
{
    memcpy(d->buf, &d->h, sizeof d->h);
}

/* Loads the damaged table expecting failure with `needle` in the message,
 * and checks the target table is left empty and usable. */
static void expect_load_error_len(damaged *d, size_t len, const char *needle)
{
    cc_table u;
    cc_error err;

    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load(&u, d->buf, len, &err), -1);
    assert_int_equal(err.kind, CC_ERR_TABLE);
    if (strstr(err.message, needle) == NULL)
        fail_msg("message '%s' lacks '%s'", err.message, needle);
    assert_non_null(strstr(err.message, "bad type table"));
    assert_int_equal(u.ntypes, 1);
    cc_table_free(&u);
    free(d->buf);
}

static void expect_load_error(damaged *d, const char *needle)
{
    expect_load_error_len(d, d->len, needle);
}

static void test_load_rejects_truncation(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    expect_load_error_len(&d, d.len - 1, "truncated");
    damaged_make(*state, &d);
    expect_load_error_len(&d, 40, "shorter than the 72-byte header");
}

static void test_load_rejects_null_buffer(void **state)
{
    cc_table u;
    cc_error err;

    (void)state;
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load(&u, NULL, 100, &err), -1);
    assert_non_null(strstr(err.message, "truncated"));
    cc_table_free(&u);
}

static void test_load_rejects_bad_magic(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    d.buf[0] ^= 0x20;
    expect_load_error(&d, "wrong magic");
}

static void test_load_rejects_bad_version(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    d.h.version = CCT_VERSION + 1;
    damaged_header(&d);
    expect_load_error(&d, "version 2, this runtime reads versions 1 to 1");
}

/* Versions older than CCT_VERSION_MIN are refused alike. */
static void test_load_rejects_old_version(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    d.h.version = CCT_VERSION_MIN - 1;
    damaged_header(&d);
    expect_load_error(&d, "version 0, this runtime reads versions 1 to 1");
}

static void test_load_rejects_bad_header_size(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    d.h.header_size = 64;
    damaged_header(&d);
    expect_load_error(&d, "header_size 64, expected 72");
}

static void test_load_rejects_small_total_size(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    d.h.total_size = 8;
    damaged_header(&d);
    expect_load_error(&d, "smaller than the header");
}

static void test_load_rejects_misaligned_section(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    d.h.decls_off += 4;
    damaged_header(&d);
    expect_load_error(&d, "section decls at offset");
}

static void test_load_rejects_section_outside(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    d.h.nfields = 0xffffffffu;
    damaged_header(&d);
    expect_load_error(&d, "section fields (4294967295 records");
    damaged_make(*state, &d);
    d.h.strings_off = 0xfffffff8u;
    damaged_header(&d);
    expect_load_error(&d, "section strings");
    damaged_make(*state, &d);
    d.h.types_off = 0;
    damaged_header(&d);
    expect_load_error(&d, "section types");
}

static void test_load_rejects_no_types_or_strings(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    d.h.ntypes = 0;
    damaged_header(&d);
    expect_load_error(&d, "no types");
    damaged_make(*state, &d);
    d.h.strings_size = 0;
    damaged_header(&d);
    expect_load_error(&d, "empty string pool");
}

static void test_load_rejects_bad_kind(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    damaged_type(&d, 3)->kind = CCT_KIND__COUNT;
    expect_load_error(&d, "types[3].kind: kind 8 out of range");
}

static void test_load_rejects_type0_not_void(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    damaged_type(&d, 0)->kind = CCT_KIND_POINTER;
    expect_load_error(&d, "type 0 is not void");
    damaged_make(*state, &d);
    damaged_type(&d, 2)->kind = CCT_KIND_VOID;
    expect_load_error(&d, "types[2]: void may only be type 0");
}

static void test_load_rejects_bad_prim(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    damaged_type(&d, d.s.i)->prim = 200;
    expect_load_error(&d, "prim: primitive 200 out of range");
    damaged_make(*state, &d);
    damaged_type(&d, d.s.i)->size = 8;
    expect_load_error(&d, "primitive 'int' has size 8");
    damaged_make(*state, &d);
    damaged_type(&d, d.s.color)->prim = CCT_PRIM_DOUBLE;
    expect_load_error(&d, "is not an integer primitive");
}

static void test_load_rejects_bad_item(void **state)
{
    damaged d;
    char msg[100];

    damaged_make(*state, &d);
    damaged_type(&d, d.s.pi)->item = 9999;
    snprintf(msg, sizeof msg, "types[%u].item: type 9999 out of range", d.s.pi);
    expect_load_error(&d, msg);
    damaged_make(*state, &d);
    damaged_type(&d, d.s.pi)->item = d.s.pi;
    snprintf(msg, sizeof msg, "types[%u].item: type %u is not an earlier type",
             d.s.pi, d.s.pi);
    expect_load_error(&d, msg);
    damaged_make(*state, &d);
    damaged_type(&d, d.s.a4)->size = 33;
    expect_load_error(&d, "does not match 4 items of size 8");
}

static void test_load_rejects_bad_member_ranges(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    damaged_type(&d, d.s.node)->count = 1000;
    expect_load_error(&d, "fields [0, 0+1000) out of range");
    damaged_make(*state, &d);
    damaged_type(&d, d.s.node)->first = 0xffffffffu;
    expect_load_error(&d, "fields [4294967295, 4294967295+3) out of range");
    damaged_make(*state, &d);
    damaged_type(&d, d.s.color)->first = 7;
    expect_load_error(&d, "enumerators [7, 7+2) out of range");
    damaged_make(*state, &d);
    damaged_type(&d, d.s.fn)->count = 3;
    expect_load_error(&d, "args [0, 0+3) out of range");
}

static void test_load_rejects_bad_arg(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    ((uint32_t *)(d.buf + d.h.args_off))[1] = 7777;
    expect_load_error(&d, "args[1] (parameter 1 of types[");
}

static void test_load_rejects_bad_field(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    damaged_field(&d, 1)->type = 5000;
    expect_load_error(&d, "fields[1].type: type 5000 out of range");
    damaged_make(*state, &d);
    damaged_field(&d, 2)->name = 0x7fffffff;
    expect_load_error(&d, "fields[2].name: string offset 2147483647 out of range");
    damaged_make(*state, &d);
    damaged_field(&d, 0)->bitsize = -5;
    expect_load_error(&d, "fields[0]: bitshift -1 / bitsize -5 out of range");
    damaged_make(*state, &d);
    damaged_field(&d, 2)->offset = 24;
    expect_load_error(&d, "fields[2]: member at offset 24 of size 32 lies outside");
    damaged_make(*state, &d);
    damaged_field(&d, 0)->bitsize = 3;
    damaged_field(&d, 0)->bitshift = 400;
    expect_load_error(&d, "fields[0]: bitfield at offset 0 bit 400 width 3");
}

static void test_load_rejects_bad_record_layout(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    damaged_type(&d, d.s.node)->align = 3;
    expect_load_error(&d, "align: 3 is not a power of two");
    damaged_make(*state, &d);
    damaged_type(&d, d.s.node)->size = 44;
    expect_load_error(&d, "laid-out STRUCT has size 44 and alignment 8");
}

static void test_load_rejects_bad_enumerator(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    ((cct_enumerator *)(d.buf + d.h.enums_off))[1].name = d.h.strings_size;
    expect_load_error(&d, "enumerators[1].name: string offset");
}

static void test_load_rejects_bad_decl(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    damaged_decl(&d, 0)->type = 12345;
    expect_load_error(&d, "decls[0].type: type 12345 out of range");
    damaged_make(*state, &d);
    damaged_decl(&d, 1)->kind = 99;
    expect_load_error(&d, "decls[1].kind: kind 99 out of range");
    damaged_make(*state, &d);
    damaged_decl(&d, 2)->name = 0xfffffff0u;
    expect_load_error(&d, "decls[2].name: string offset");
    damaged_make(*state, &d);
    damaged_decl(&d, 3)->type = d.s.i;   /* decl 3 is the function f */
    expect_load_error(&d, "decls[3] 'f': function declared with a type that is not a function");
    damaged_make(*state, &d);
    damaged_decl(&d, 0)->type = d.s.i;   /* decl 0 is the tag node */
    expect_load_error(&d, "decls[0] 'node': tag of a type that is not");
}

static void test_load_rejects_bad_string_constant(void **state)
{
    damaged d;
    uint32_t last;

    damaged_make(*state, &d);
    last = d.h.ndecls - 1;   /* HELLO */
    damaged_decl(&d, last)->value += (uint64_t)1000 << 32;
    expect_load_error(&d, "'HELLO': string constant (offset");
    damaged_make(*state, &d);
    damaged_decl(&d, last)->value -= (uint64_t)1 << 32;   /* no NUL after */
    expect_load_error(&d, "'HELLO': string constant");
}

static void test_load_rejects_bad_pool(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    d.buf[d.h.strings_off + d.h.strings_size - 1] = 'x';
    expect_load_error(&d, "not NUL-terminated");
    damaged_make(*state, &d);
    d.buf[d.h.strings_off] = 'x';
    expect_load_error(&d, "does not start with \"\"");
}

static void test_load_rejects_shared_fields(void **state)
{
    damaged d;
    char msg[100];

    damaged_make(*state, &d);
    damaged_type(&d, d.s.u)->first = 1;   /* union u over node's fields */
    snprintf(msg, sizeof msg, "fields[1] belongs to both types[%u] and types[%u]",
             d.s.node, d.s.u);
    expect_load_error(&d, msg);
}

static void test_load_rejects_self_containment(void **state)
{
    damaged d;

    damaged_make(*state, &d);
    damaged_field(&d, 0)->type = d.s.node;   /* struct node { struct node value; } */
    expect_load_error(&d, "(STRUCT 'node') contains itself by value");
}

static void test_validate_rejects_containment_through_array(void **state)
{
    cc_table *t = *state;
    cc_error err;
    const char *names[] = { "x" };
    uint32_t i = prim(t, CCT_PRIM_INT);
    uint32_t s = add_struct(t, "a", names, &i, 1);
    uint32_t b = add_struct(t, "b", names, &s, 1);

    t->fields[t->types[s].first].type = arr(t, b, 2);   /* a { b x[2]; } */
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_validate(t, &err), -1);
    assert_non_null(strstr(err.message, "contains itself by value"));
    /* through a pointer it is fine */
    t->fields[t->types[s].first].type = ptr(t, b);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_validate(t, &err), 0);
}

static void test_validate_rejects_sizes_of_unlaid_records(void **state)
{
    cc_table *t = *state;
    cc_error err;
    const char *names[] = { "x" };
    uint32_t i = prim(t, CCT_PRIM_INT);
    uint32_t s = add_struct(t, "s", names, &i, 1);
    uint32_t a, outer;

    /* a size on a struct not laid out is not final: arrays of it stay unsized */
    t->types[s].size = 8;
    t->types[s].align = 4;
    assert_int_equal(cc_table_array(t, s, 4, 0, &a), 0);
    assert_true(t->types[a].size == CCT_SIZE_UNKNOWN);
    t->types[a].size = 32;
    t->types[a].align = 4;
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_validate(t, &err), -1);
    assert_non_null(strstr(err.message, "array size 32 or align 4 does not match"));
    t->types[a].size = CCT_SIZE_UNKNOWN;
    t->types[a].align = 0;
    /* a laid-out record cannot hold one that a layout could still resize */
    outer = add_struct(t, "outer", names, &a, 1);
    t->types[outer].flags |= CCT_TF_LAYOUT_KNOWN;
    t->types[outer].size = 4;
    t->types[outer].align = 4;
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_validate(t, &err), -1);
    assert_non_null(strstr(err.message, "has a struct or union type that is not laid out"));
    t->types[s].flags |= CCT_TF_OPAQUE;   /* an opaque member is kept as is */
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_validate(t, &err), 0);
}

static void test_array_of_enum_sized_from_its_integer(void **state)
{
    cc_table *t = *state;
    cct_type e;
    uint32_t en, a;

    memset(&e, 0, sizeof e);
    e.kind = CCT_KIND_ENUM;
    e.prim = CCT_PRIM_SHORT;
    e.name = str(t, "e");
    e.size = CCT_SIZE_UNKNOWN;   /* as the layout engine does: from the prim */
    assert_int_equal(cc_table_add_type(t, &e, &en), 0);
    assert_int_equal(cc_table_array(t, en, 3, 0, &a), 0);
    assert_int_equal(t->types[a].size, 6);
    assert_int_equal(t->types[a].align, 2);
    assert_int_equal(cc_table_validate(t, NULL), 0);
    t->types[en].flags |= CCT_TF_OPAQUE;   /* `enum e;`: no size */
    assert_int_equal(cc_table_array(t, en, 4, 0, &a), 0);
    assert_true(t->types[a].size == CCT_SIZE_UNKNOWN);
}

static void test_validate_deep_array_chain(void **state)
{
    cc_table *t = *state;
    uint32_t cur = prim(t, CCT_PRIM_CHAR);
    cc_error err;

    for (int k = 0; k < 50000; k++)
        assert_int_equal(cc_table_array(t, cur, 1, 0, &cur), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_validate(t, &err), 0);
}

/* ------------------------------------------------------------ include */

static void expect_include_error(cc_table *dst, cc_table *src, const char *msg)
{
    cc_error err;

    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_include(dst, src, &err), -1);
    assert_int_equal(err.kind, CC_ERR_DECL);
    assert_string_equal(err.message, msg);
}

static void test_include_copies_types_and_constants(void **state)
{
    cc_table *src = *state, dst;
    cc_error err;
    sample s;
    uint32_t ref, node, next;

    build_sample(src, &s);
    assert_int_equal(cc_table_init(&dst), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_include(&dst, src, &err), 0);
    assert_int_equal(cc_table_validate(&dst, &err), 0);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_TAG, "node", 4, &ref), 1);
    node = dst.decls[ref].type;
    assert_int_equal(dst.types[node].kind, CCT_KIND_STRUCT);
    assert_int_equal(dst.types[node].size, 48);
    assert_int_equal(dst.types[node].count, 3);
    assert_string_equal(cc_table_str(&dst, dst.fields[dst.types[node].first + 2].name), "w");
    next = dst.fields[dst.types[node].first + 1].type;
    assert_int_equal(dst.types[next].kind, CCT_KIND_POINTER);
    assert_int_equal(dst.types[next].item, node);   /* the cycle is kept */
    assert_int_equal(cc_table_lookup(&dst, CC_NS_ORDINARY, "node_t", 6, &ref), 1);
    assert_int_equal(dst.decls[ref].type, node);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_ORDINARY, "N", 1, &ref), 1);
    assert_int_equal(dst.decls[ref].value, 42);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_ORDINARY, "GREEN", 5, &ref), 1);
    assert_true(ref & CC_REF_ENUMERATOR);
    assert_int_equal(dst.enums[ref & ~CC_REF_ENUMERATOR].value, 5);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_ORDINARY, "ZERO", 4, &ref), 1);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_TAG, "u", 1, &ref), 1);
    /* CFFI's include does not share functions, variables or other constants */
    assert_int_equal(cc_table_lookup(&dst, CC_NS_ORDINARY, "f", 1, &ref), 0);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_ORDINARY, "global", 6, &ref), 0);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_ORDINARY, "HELLO", 5, &ref), 0);
    /* including again, or a table with the same definitions, is fine */
    uint32_t ntypes = dst.ntypes, ndecls = dst.ndecls;
    assert_int_equal(cc_table_include(&dst, src, &err), 0);
    for (uint32_t k = ndecls; k < dst.ndecls; k++)
        print_message("extra decl %s\n", cc_table_str(&dst, dst.decls[k].name));
    assert_int_equal(dst.ntypes, ntypes);
    assert_int_equal(dst.ndecls, ndecls);
    assert_int_equal(err.kind, CC_ERR_NONE);
    cc_table_free(&dst);
}

static void test_include_identical_redefinition_is_fine(void **state)
{
    cc_table *src = *state, dst;
    cc_error err;
    sample s1, s2;

    build_sample(src, &s1);
    assert_int_equal(cc_table_init(&dst), 0);
    build_sample(&dst, &s2);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_include(&dst, src, &err), 0);
    cc_table_free(&dst);
}

static void test_include_conflicts_named(void **state)
{
    cc_table *src = *state, dst;
    sample s;
    const char *names[] = { "value" };
    uint32_t l;

    build_sample(src, &s);
    assert_int_equal(cc_table_init(&dst), 0);
    add_decl(&dst, CCT_DECL_TYPEDEF, "myint", prim(&dst, CCT_PRIM_LONG), 0);
    expect_include_error(&dst, src, "multiple declarations of typedef myint "
                         "(for interactive usage, try cdef(xx, override=True))");
    cc_table_free(&dst);

    assert_int_equal(cc_table_init(&dst), 0);
    add_decl(&dst, CCT_DECL_CONST_INT, "N", prim(&dst, CCT_PRIM_INT), 43);
    expect_include_error(&dst, src, "multiple declarations of constant: N");
    cc_table_free(&dst);

    assert_int_equal(cc_table_init(&dst), 0);
    add_decl(&dst, CCT_DECL_CONST_INT, "GREEN", prim(&dst, CCT_PRIM_INT), 6);
    expect_include_error(&dst, src, "multiple declarations of constant: GREEN");
    cc_table_free(&dst);

    assert_int_equal(cc_table_init(&dst), 0);
    l = prim(&dst, CCT_PRIM_LONG);
    uint32_t un = add_struct(&dst, "u", names, &l, 1);
    dst.types[un].kind = CCT_KIND_STRUCT;   /* struct u where src has union u */
    expect_include_error(&dst, src, "multiple declarations of union u "
                         "(for interactive usage, try cdef(xx, override=True))");
    cc_table_free(&dst);

    assert_int_equal(cc_table_init(&dst), 0);
    l = prim(&dst, CCT_PRIM_LONG);
    add_struct(&dst, "node", names, &l, 1);
    expect_include_error(&dst, src, "multiple declarations of struct node "
                         "(for interactive usage, try cdef(xx, override=True))");
    cc_table_free(&dst);
}

/* `struct tag;` with its TAG declaration. */
static uint32_t opaque_struct(cc_table *t, const char *tag)
{
    cct_type ty;
    uint32_t idx;

    memset(&ty, 0, sizeof ty);
    ty.kind = CCT_KIND_STRUCT;
    ty.flags = CCT_TF_OPAQUE;
    ty.name = str(t, tag);
    ty.size = CCT_SIZE_UNKNOWN;
    assert_int_equal(cc_table_add_type(t, &ty, &idx), 0);
    add_decl(t, CCT_DECL_TAG, tag, idx, 0);
    return idx;
}

static void test_include_completes_opaque_struct(void **state)
{
    cc_table *src = *state, dst;
    cc_error err;
    sample s;
    cct_type ty;
    uint32_t opaque, ref;

    build_sample(src, &s);
    assert_int_equal(cc_table_init(&dst), 0);
    memset(&ty, 0, sizeof ty);
    ty.kind = CCT_KIND_STRUCT;
    ty.flags = CCT_TF_OPAQUE;
    ty.name = str(&dst, "node");
    ty.size = CCT_SIZE_UNKNOWN;
    assert_int_equal(cc_table_add_type(&dst, &ty, &opaque), 0);
    add_decl(&dst, CCT_DECL_TAG, "node", opaque, 0);
    add_decl(&dst, CCT_DECL_TYPEDEF, "node_p", ptr(&dst, opaque), 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_include(&dst, src, &err), 0);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_TAG, "node", 4, &ref), 1);
    assert_int_equal(dst.decls[ref].type, opaque);
    assert_false(dst.types[opaque].flags & CCT_TF_OPAQUE);
    assert_int_equal(dst.types[opaque].count, 3);
    assert_int_equal(dst.types[opaque].size, 48);
    uint32_t next = dst.fields[dst.types[opaque].first + 1].type;
    assert_int_equal(dst.types[next].item, opaque);
    assert_int_equal(cc_table_validate(&dst, &err), 0);
    cc_table_free(&dst);
}

static void expect_same_bytes(const cc_table *t, const unsigned char *buf, size_t len)
{
    unsigned char *now;
    size_t nlen;

    serialize(t, &now, &nlen);
    assert_int_equal(nlen, len);
    assert_memory_equal(now, buf, len);
    free(now);
}

static void test_include_failure_changes_nothing(void **state)
{
    cc_table *src = *state, dst;
    sample s;
    unsigned char *before;
    size_t len;
    uint32_t ref;

    build_sample(src, &s);
    assert_int_equal(cc_table_init(&dst), 0);
    add_decl(&dst, CCT_DECL_TYPEDEF, "other", prim(&dst, CCT_PRIM_SHORT), 0);
    /* "N" conflicts, after node, u, color... were already copied */
    add_decl(&dst, CCT_DECL_CONST_INT, "N", prim(&dst, CCT_PRIM_INT), 43);
    serialize(&dst, &before, &len);
    expect_include_error(&dst, src, "multiple declarations of constant: N");
    expect_same_bytes(&dst, before, len);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_TAG, "node", 4, &ref), 0);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_ORDINARY, "GREEN", 5, &ref), 0);
    assert_int_equal(cc_table_lookup(&dst, CC_NS_ORDINARY, "other", 5, &ref), 1);
    /* and the table still works */
    add_decl(&dst, CCT_DECL_TYPEDEF, "more", prim(&dst, CCT_PRIM_DOUBLE), 0);
    assert_int_equal(cc_table_validate(&dst, NULL), 0);
    free(before);
    cc_table_free(&dst);
}

static void test_include_refuses_a_merge_that_contains_itself(void **state)
{
    cc_table *src = *state, dst;
    const char *names[] = { "m" };
    uint32_t x, y;
    unsigned char *before;
    size_t len;
    cc_error err;

    /* dst: struct X; struct Y { struct X m; };   src: struct Y; struct X { struct Y m; }; */
    assert_int_equal(cc_table_init(&dst), 0);
    x = opaque_struct(&dst, "X");
    add_struct(&dst, "Y", names, &x, 1);
    y = opaque_struct(src, "Y");
    add_struct(src, "X", names, &y, 1);
    serialize(&dst, &before, &len);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_include(&dst, src, &err), -1);
    assert_int_equal(err.kind, CC_ERR_DECL);
    assert_non_null(strstr(err.message, "ffi.include() would combine the two "
                           "declarations into an invalid one: bad type table: "));
    assert_non_null(strstr(err.message, "contains itself by value"));
    expect_same_bytes(&dst, before, len);
    free(before);
    cc_table_free(&dst);
}

static void test_include_self(void **state)
{
    cc_table *t = *state;
    sample s;

    build_sample(t, &s);
    assert_int_equal(cc_table_include(t, t, NULL), 0);
}

/* ------------------------------------------------- the fuzz corpus, replayed
 * tests/fuzz/corpus_ctable holds real tables (seed_*.bin, which must load)
 * and inputs on which the fuzzer once found a bug (regress_*.bin): every
 * one is loaded here, and what loads must round-trip, validate and include.
 * The directory is found from CCFFI_SRCDIR (make check) or the current one. */

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long size;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0
        && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) != NULL
        && fread(buf, 1, (size_t)size, f) == (size_t)size) {
        *len = (size_t)size;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static void replay_one(const char *path, int must_load)
{
    cc_table t, u;
    cc_error err;
    size_t len = 0;
    unsigned char *buf = read_file(path, &len), *out;
    size_t outlen;

    if (buf == NULL)
        fail_msg("cannot read %s", path);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_init(&t), 0);
    if (cc_table_load(&t, buf, len, &err) == 0) {
        assert_int_equal(cc_table_validate(&t, &err), 0);
        serialize(&t, &out, &outlen);
        assert_int_equal(cc_table_init(&u), 0);
        if (cc_table_include(&u, &t, &err) == 0)
            assert_int_equal(cc_table_validate(&u, &err), 0);
        else if (must_load)   /* a real table includes into an empty one */
            fail_msg("%s: include: %s", path, err.message);
        else
            assert_int_equal(u.ntypes, 1);
        cc_table_free(&u);
        free(out);
    } else if (must_load) {
        fail_msg("%s: %s", path, err.message);
    } else {
        assert_int_equal(err.kind, CC_ERR_TABLE);
    }
    cc_table_free(&t);
    free(buf);
}

static void test_fuzz_corpus_replays(void **state)
{
    const char *srcdir = getenv("CCFFI_SRCDIR");
    char dir[1024], path[1300];
    const char *names[] = { "seed_%02d.bin", "regress_%02d.bin" };
    int found[2] = { 0, 0 };

    (void)state;
    snprintf(dir, sizeof dir, "%s%stests/fuzz/corpus_ctable",
             srcdir ? srcdir : ".", "/");
    for (int kind = 0; kind < 2; kind++) {
        for (int i = 0; i < 100; i++) {
            FILE *f;
            char name[32];
            snprintf(name, sizeof name, names[kind], i);
            snprintf(path, sizeof path, "%s/%s", dir, name);
            if ((f = fopen(path, "rb")) == NULL)
                continue;
            fclose(f);
            replay_one(path, kind == 0);
            found[kind]++;
        }
    }
    if (found[0] < 5 || found[1] < 1)
        fail_msg("corpus not found in %s (%d seeds, %d regressions)", dir,
                 found[0], found[1]);
    print_message("%d seed tables and %d fuzzer finds replayed\n", found[0], found[1]);
}

/* ------------------------------------------------------------------ main */

#define T(f) cmocka_unit_test_setup_teardown(f, setup_table, teardown_table)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_set_keeps_first),
        cmocka_unit_test(test_prims_match_compiler),
        T(test_init_has_void_and_empty_string),
        T(test_strings_are_interned),
        T(test_many_strings_survive_growth),
        T(test_primitives_interned_with_sizes),
        T(test_pointers_and_arrays_interned),
        T(test_functions_interned_by_signature),
        T(test_add_type_is_never_interned),
        T(test_fields_and_enumerators_contiguous),
        T(test_lookup_two_namespaces),
        T(test_redeclaration_replaces_index_entry),
        T(test_enumerators_named_in_ordinary_namespace),
        T(test_many_decls_lookup),
        T(test_serialize_header_and_sections),
        T(test_module_table_used_in_place),
        T(test_module_table_fallbacks),
        T(test_module_table_short_name_at_pool_end),
        T(test_round_trip_identical_bytes),
        T(test_loaded_table_indexes_rebuilt),
        T(test_loaded_table_answers_as_the_builder),
        T(test_load_accepts_trailing_bytes_and_unaligned_buffer),
        T(test_empty_table_round_trip),
        T(test_load_rejects_truncation),
        cmocka_unit_test(test_load_rejects_null_buffer),
        T(test_load_rejects_bad_magic),
        T(test_load_rejects_bad_version),
        T(test_load_rejects_old_version),
        T(test_load_rejects_bad_header_size),
        T(test_load_rejects_small_total_size),
        T(test_load_rejects_misaligned_section),
        T(test_load_rejects_section_outside),
        T(test_load_rejects_no_types_or_strings),
        T(test_load_rejects_bad_kind),
        T(test_load_rejects_type0_not_void),
        T(test_load_rejects_bad_prim),
        T(test_load_rejects_bad_item),
        T(test_load_rejects_bad_member_ranges),
        T(test_load_rejects_bad_arg),
        T(test_load_rejects_bad_field),
        T(test_load_rejects_bad_record_layout),
        T(test_load_rejects_bad_enumerator),
        T(test_load_rejects_bad_decl),
        T(test_load_rejects_bad_string_constant),
        T(test_load_rejects_bad_pool),
        T(test_load_rejects_shared_fields),
        T(test_load_rejects_self_containment),
        T(test_validate_rejects_containment_through_array),
        T(test_validate_rejects_sizes_of_unlaid_records),
        T(test_array_of_enum_sized_from_its_integer),
        T(test_validate_deep_array_chain),
        T(test_include_copies_types_and_constants),
        T(test_include_identical_redefinition_is_fine),
        T(test_include_conflicts_named),
        T(test_include_completes_opaque_struct),
        T(test_include_failure_changes_nothing),
        T(test_include_refuses_a_merge_that_contains_itself),
        T(test_include_self),
        cmocka_unit_test(test_fuzz_corpus_replays),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
