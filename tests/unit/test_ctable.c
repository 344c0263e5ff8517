/* test_ctable.c - cmocka tests of the type table (runtime/ctable.c): the
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

#include "ctable.h"

/* ------------------------------------------------------------- helpers */

static int setup_table(void **state)
{
    cc_table *t = malloc(sizeof *t);

    if (t == NULL || cc_table_init(t) < 0) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown_table(void **state)
{
    cc_table *t = *state;

    cc_table_free(t);
    free(t);
    return 0;
}

static uint32_t str(cc_table *t, const char *s)
{
    uint32_t off;

    assert_int_equal(cc_table_string(t, s, strlen(s), &off), 0);
    return off;
}

static uint32_t prim(cc_table *t, enum cct_prim p)
{
    uint32_t idx;

    assert_int_equal(cc_table_primitive(t, p, &idx), 0);
    return idx;
}

static uint32_t ptr(cc_table *t, uint32_t item)
{
    uint32_t idx;

    assert_int_equal(cc_table_pointer(t, item, &idx), 0);
    return idx;
}

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
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
