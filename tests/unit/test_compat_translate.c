/* test_compat_translate.c - CFFI's type context into our type table
 * (runtime/compat/compat_translate.c): what a small context becomes, and
 * the refusal of bad ones with a message naming the problem. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "compat/compat_ctx.h"

#define OP(op, arg) ((compat_opcode)((((uintptr_t)(intptr_t)(arg)) << 8) | (op)))

/* Integer values of the globals, by index. */
static const uint64_t values[] = {42, 0, 5, (uint64_t)-3};

static int get_int(void *arg, int gindex, uint64_t *value, int *neg, cc_error *err)
{
    (void)arg;
    (void)err;
    *value = values[gindex];
    *neg = (int64_t)values[gindex] < 0;
    return 0;
}

/*  0 int   1 struct pt   2 struct pt *   3 int(*)(struct pt *, ...)
 *  4 (arg) NOOP 2   5 FUNCTION_END variadic   6 double   7 enum e
 *  8 int[3]  9 (length 3)  10 $anon typedef-named struct */
static compat_opcode types[] = {
    OP(COMPAT_OP_PRIMITIVE, 7), OP(COMPAT_OP_STRUCT_UNION, 0),
    OP(COMPAT_OP_POINTER, 1), OP(COMPAT_OP_FUNCTION, 0),
    OP(COMPAT_OP_NOOP, 2), OP(COMPAT_OP_FUNCTION_END, 1),
    OP(COMPAT_OP_PRIMITIVE, 14), OP(COMPAT_OP_ENUM, 0),
    OP(COMPAT_OP_ARRAY, 0), (compat_opcode)3, OP(COMPAT_OP_STRUCT_UNION, 1),
};
static const struct compat_global globals[] = {
    {"FOO", NULL, OP(COMPAT_OP_CONSTANT_INT, -1), NULL},
    {"RED", NULL, OP(COMPAT_OP_ENUM, -1), NULL},
    {"BLUE", NULL, OP(COMPAT_OP_ENUM, -1), NULL},
    {"NEG", NULL, OP(COMPAT_OP_CONSTANT_INT, -1), NULL},
    {"f", NULL, OP(COMPAT_OP_CPYTHON_BLTN_V, 3), NULL},
    {"v", NULL, OP(COMPAT_OP_GLOBAL_VAR, 8), NULL},
};
static const struct compat_field fields[] = {
    {"x", 8, 4, OP(COMPAT_OP_NOOP, 0)},
    {"y", 16, 8, OP(COMPAT_OP_NOOP, 6)},
    {"a", 0, 4, OP(COMPAT_OP_NOOP, 0)},
};
static const struct compat_struct_union sus[] = {
    {"pt", 1, 0, 24, 8, 0, 2},
    {"$anon_t", 10, COMPAT_F_CHECK_FIELDS, 4, 4, 2, 1},
};
static const struct compat_enum enums[] = {
    {"e", 7, 22 /* uint32 */, "RED,BLUE"},
};
static const struct compat_typename typenames[] = {
    {"anon_t", 10}, {"pt_p", 2},
};

static struct compat_type_context good_ctx(void)
{
    struct compat_type_context c = {
        types, globals, fields, sus, enums, typenames,
        6, 2, 1, 2, NULL, (int)(sizeof types / sizeof types[0]), 0,
    };
    return c;
}

static int translate(const struct compat_type_context *c, int flags,
                     cc_table *t, compat_translation *tr, cc_error *err)
{
    memset(err, 0, sizeof *err);
    assert_int_equal(cc_table_init(t), 0);
    return compat_translate(c, c->types, 3, flags, get_int, NULL, t, tr, err);
}

static uint32_t lookup(const cc_table *t, int ns, const char *name)
{
    uint32_t ref = UINT32_MAX;
    assert_int_equal(cc_table_lookup(t, ns, name, strlen(name), &ref), 1);
    return ref;
}

static void test_api_context(void **state)
{
    (void)state;
    struct compat_type_context c = good_ctx();
    cc_table t;
    compat_translation tr;
    cc_error err;
    assert_int_equal(translate(&c, 0, &t, &tr, &err), 0);

    /* struct pt: the compiler's layout, as given */
    const cct_type *pt = &t.types[tr.type_map[1]];
    assert_int_equal(pt->kind, CCT_KIND_STRUCT);
    assert_string_equal(cc_table_str(&t, pt->name), "pt");
    assert_true(pt->flags & CCT_TF_LAYOUT_KNOWN);
    assert_int_equal(pt->size, 24);
    assert_int_equal(pt->count, 2);
    assert_int_equal(t.fields[pt->first + 1].offset, 16);
    assert_int_equal(t.decls[lookup(&t, CC_NS_TAG, "pt")].type, tr.type_map[1]);

    /* the function: argument position 4 maps to struct pt *, variadic */
    const cct_type *fn = &t.types[tr.type_map[3]];
    assert_int_equal(fn->kind, CCT_KIND_FUNCTION);
    assert_true(fn->flags & CCT_TF_VARIADIC);
    assert_int_equal(fn->count, 1);
    assert_int_equal(tr.type_map[4], tr.type_map[2]);
    assert_int_equal(tr.type_map[5], UINT32_MAX);   /* FUNCTION_END */
    assert_int_equal(tr.type_map[9], UINT32_MAX);   /* an array length */

    /* int[3], the enum and its values, the typedef-named struct */
    assert_int_equal(t.types[tr.type_map[8]].length, 3);
    const cct_type *e = &t.types[tr.type_map[7]];
    assert_int_equal(e->prim, CCT_PRIM_UINT32);
    assert_int_equal(e->count, 2);
    assert_int_equal(t.enums[e->first + 1].value, 5);
    const cct_type *anon = &t.types[tr.type_map[10]];
    assert_true(anon->flags & CCT_TF_TYPEDEF_NAMED);
    assert_string_equal(cc_table_str(&t, anon->name), "anon_t");
    assert_int_equal(t.decls[lookup(&t, CC_NS_ORDINARY, "anon_t")].type, tr.type_map[10]);

    /* integer constants, signed and not; API functions are not declared */
    const cct_decl *foo = &t.decls[lookup(&t, CC_NS_ORDINARY, "FOO")];
    assert_int_equal(foo->kind, CCT_DECL_CONST_INT);
    assert_true(foo->flags & CCT_DF_UNSIGNED);
    assert_int_equal(foo->value, 42);
    const cct_decl *neg = &t.decls[lookup(&t, CC_NS_ORDINARY, "NEG")];
    assert_false(neg->flags & CCT_DF_UNSIGNED);
    uint32_t ref;
    assert_int_equal(cc_table_lookup(&t, CC_NS_ORDINARY, "f", 1, &ref), 0);
    compat_translation_free(&tr);
    cc_table_free(&t);
}

static void test_abi_form_declares_functions_and_variables(void **state)
{
    (void)state;
    struct compat_type_context c = good_ctx();
    static struct compat_global g[6];
    memcpy(g, globals, sizeof g);
    g[4].type_op = OP(COMPAT_OP_DLOPEN_FUNC, 3);
    c.globals = g;
    cc_table t;
    compat_translation tr;
    cc_error err;
    assert_int_equal(translate(&c, COMPAT_TRANSLATE_ABI, &t, &tr, &err), 0);
    assert_int_equal(t.decls[lookup(&t, CC_NS_ORDINARY, "f")].kind, CCT_DECL_FUNCTION);
    assert_int_equal(t.decls[lookup(&t, CC_NS_ORDINARY, "v")].kind, CCT_DECL_VARIABLE);
    /* the layout is the layout engine's, later */
    assert_false(t.types[tr.type_map[1]].flags & CCT_TF_LAYOUT_KNOWN);
    compat_translation_free(&tr);
    cc_table_free(&t);
}

/* Translating c must fail with CC_ERR_TABLE and a message containing msg. */
static void refused(struct compat_type_context *c, const char *msg)
{
    cc_table t;
    compat_translation tr;
    cc_error err;
    assert_int_equal(translate(c, 0, &t, &tr, &err), -1);
    assert_int_equal(err.kind, CC_ERR_TABLE);
    if (strstr(err.message, msg) == NULL)
        fail_msg("'%s' does not contain '%s'", err.message, msg);
    cc_table_free(&t);
}

static void test_bad_contexts_refused(void **state)
{
    (void)state;
    static compat_opcode bad[11];
    struct compat_type_context c = good_ctx();
    c.types = bad;

    memcpy(bad, types, sizeof bad);
    bad[2] = OP(COMPAT_OP_POINTER, 2);
    refused(&c, "type refers to itself");

    memcpy(bad, types, sizeof bad);
    bad[2] = OP(COMPAT_OP_POINTER, 1000);
    refused(&c, "type index out of range");

    memcpy(bad, types, sizeof bad);
    bad[1] = OP(COMPAT_OP_STRUCT_UNION, 7);
    refused(&c, "struct/union index out of range");

    memcpy(bad, types, sizeof bad);
    bad[5] = OP(COMPAT_OP_PRIMITIVE, 7);
    refused(&c, "function type without FUNCTION_END");

    memcpy(bad, types, sizeof bad);
    bad[0] = OP(COMPAT_OP_PRIMITIVE, 52);
    refused(&c, "unknown primitive");

    memcpy(bad, types, sizeof bad);
    c.num_types = 9;               /* int[3]'s length word is missing */
    c.num_typenames = 0;
    refused(&c, "array type without its length");
}

static void test_bad_records_refused(void **state)
{
    (void)state;
    struct compat_type_context c = good_ctx();
    static struct compat_struct_union s[2];
    static struct compat_enum e[1];

    memcpy(s, sus, sizeof s);
    s[0].num_fields = 5;            /* past the 3 fields */
    c.struct_unions = s;
    refused(&c, "fields of a struct/union out of range");

    c = good_ctx();
    memcpy(e, enums, sizeof e);
    e[0].enumerators = "RED,GREEN";  /* no global GREEN */
    c.enums = e;
    refused(&c, "enumerator without its global");

    memcpy(e, enums, sizeof e);
    e[0].type_prim = 14;             /* double */
    refused(&c, "enum of a non-integer type");

    c = good_ctx();
    static struct compat_global g[6];
    memcpy(g, globals, sizeof g);
    g[4].type_op = OP(COMPAT_OP_CPYTHON_BLTN_V, 0);   /* int, not a function */
    c.globals = g;
    refused(&c, "function global of a non-function type");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_context),
        cmocka_unit_test(test_abi_form_declares_functions_and_variables),
        cmocka_unit_test(test_bad_contexts_refused),
        cmocka_unit_test(test_bad_records_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
