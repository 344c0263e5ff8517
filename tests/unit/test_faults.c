/* test_faults.c - allocation failures in the pure-C layers (issue 16), in
 * the spirit of SQLite's fault injection: the cdef parser, the type-name
 * parser, the table loader and the include merge are run once to count
 * their allocations, then again with the n-th allocation failing, for every
 * n along the path.  Each failing run must return -1 with CC_ERR_NOMEM and
 * a message, leave the table as it was (the parser promises it), and leak
 * nothing once the table is freed; nothing may crash (ASan: make check-asan).
 *
 * The test is linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,
 * --wrap=free (tests/Makemodule.am): every allocation of the static
 * libccffi_table/libccffi_core code goes through the counters below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cdef/cparse.h"
#include "table/ctable.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static long fault_at;      /* the allocation that fails (1-based), 0: none */
static long fault_count;   /* allocations since fault_arm() */
static long fault_live;    /* blocks allocated and not yet freed */
static int fault_armed;

static int fault_now(void)
{
    if (!fault_armed)
        return 0;
    return ++fault_count == fault_at;
}

void *__wrap_malloc(size_t n)
{
    if (fault_now())
        return NULL;
    void *p = __real_malloc(n);
    if (p != NULL)
        fault_live++;
    return p;
}

void *__wrap_calloc(size_t n, size_t m)
{
    if (fault_now())
        return NULL;
    void *p = __real_calloc(n, m);
    if (p != NULL)
        fault_live++;
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    if (fault_now())
        return NULL;
    void *p = __real_realloc(old, n);
    if (p != NULL && old == NULL)
        fault_live++;
    return p;
}

void __wrap_free(void *p)
{
    if (p != NULL)
        fault_live--;
    __real_free(p);
}

static void fault_arm(long at)
{
    fault_at = at;
    fault_count = 0;
    fault_armed = 1;
}

static long fault_disarm(void)
{
    fault_armed = 0;
    return fault_count;
}

static const char cdef_text[] =
    "typedef int myint; struct fwd;\n"
    "struct point { int x, y; myint z[3]; struct point *next; };\n"
    "union u { double d; char c[9]; struct { short a : 3, b : 5; } bits; };\n"
    "enum color { RED, GREEN = 5, BLUE, LAST = GREEN * 2 + 1 };\n"
    "typedef struct { long long v[TEN]; enum color c; } anon_t;\n"
    "int f(int, const char *, struct point *, ...);\n"
    "extern double g[4];\n"
    "typedef int (*cb_t)(void *, unsigned long);\n"
    "struct flex { int n; char data[]; };\n";

static unsigned char *serialize(const cc_table *t, size_t *len)
{
    unsigned char *buf = NULL;
    assert_int_equal(cc_table_serialize(t, &buf, len), 0);
    return buf;
}

/* Runs op(t) with the n-th allocation failing, for n = 1, 2, ... until a
 * run needs fewer than n allocations (it then succeeded).  `prepare` fills
 * the table first (not counted).  Returns how many failures were tried. */
typedef int (*fault_op)(cc_table *t, cc_error *err);
typedef int (*fault_prepare)(cc_table *t);

static long run_with_faults(fault_prepare prepare, fault_op op, int check_unchanged)
{
    for (long n = 1;; n++) {
        long live0 = fault_live;
        cc_table t;
        cc_error err;
        memset(&err, 0, sizeof err);
        assert_int_equal(cc_table_init(&t), 0);
        if (prepare != NULL)
            assert_int_equal(prepare(&t), 0);
        size_t len0 = 0;
        unsigned char *before = check_unchanged ? serialize(&t, &len0) : NULL;
        fault_arm(n);
        int rc = op(&t, &err);
        long used = fault_disarm();
        if (rc == 0) {
            assert_true(used < n);          /* no failure happened: done */
            free(before);
            cc_table_free(&t);
            assert_int_equal(fault_live, live0);
            return n - 1;
        }
        assert_int_equal(rc, -1);
        if (err.kind != CC_ERR_NOMEM)
            fail_msg("allocation %ld failed: error kind %d (%s), not CC_ERR_NOMEM",
                     n, (int)err.kind, err.message);
        assert_true(err.message[0] != '\0');
        if (check_unchanged) {
            size_t len1;
            unsigned char *after = serialize(&t, &len1);
            if (len1 != len0 || memcmp(before, after, len0) != 0)
                fail_msg("allocation %ld failed: the table was changed", n);
            free(after);
        }
        free(before);
        cc_table_free(&t);
        if (fault_live != live0)
            fail_msg("allocation %ld failed: %ld block(s) leaked", n, fault_live - live0);
    }
}

static int prepare_prelude(cc_table *t)
{
    static const char prelude[] = "#define TEN 10\nstruct fwd2; typedef short sh;\n";
    cc_error err;
    return cc_parse_cdef(t, prelude, strlen(prelude), NULL, &err);
}

static int op_parse_cdef(cc_table *t, cc_error *err)
{
    return cc_parse_cdef(t, cdef_text, strlen(cdef_text), NULL, err);
}

static int op_parse_cdef_packed(cc_table *t, cc_error *err)
{
    cc_parse_options opt = {0, 1, NULL};
    return cc_parse_cdef(t, cdef_text, strlen(cdef_text), &opt, err);
}

static void test_parse_cdef_survives_every_allocation_failure(void **state)
{
    (void)state;
    long n = run_with_faults(prepare_prelude, op_parse_cdef, 1);
    assert_true(n > 10);              /* the path really allocates */
    assert_true(run_with_faults(prepare_prelude, op_parse_cdef_packed, 1) > 10);
}

static int prepare_full(cc_table *t)
{
    cc_error err;
    if (prepare_prelude(t) < 0)
        return -1;
    return cc_parse_cdef(t, cdef_text, strlen(cdef_text), NULL, &err);
}

static int op_parse_typenames(cc_table *t, cc_error *err)
{
    static const char *const names[] = {
        "struct point *[3]", "int(*)(myint, anon_t *)", "union u[5][2]",
        "struct nosuch *", "cb_t *", "enum color(*)[7]", "char *(*(*)[2])(int)",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint32_t type;
        if (cc_parse_typename(t, names[i], strlen(names[i]), &type, err) < 0)
            return -1;
    }
    return 0;
}

static void test_parse_typename_survives_every_allocation_failure(void **state)
{
    (void)state;
    /* a failed typename may leave interned types behind (documented), so
     * only "error set, no leak, no crash" is checked */
    assert_true(run_with_faults(prepare_full, op_parse_typenames, 0) > 0);
}

static unsigned char *table_bytes;
static size_t table_len;

static int op_load(cc_table *t, cc_error *err)
{
    return cc_table_load(t, table_bytes, table_len, err);
}

static void test_table_load_survives_every_allocation_failure(void **state)
{
    (void)state;
    cc_table src;
    assert_int_equal(cc_table_init(&src), 0);
    assert_int_equal(prepare_full(&src), 0);
    table_bytes = serialize(&src, &table_len);
    cc_table_free(&src);
    assert_true(run_with_faults(NULL, op_load, 0) > 0);
    free(table_bytes);
    table_bytes = NULL;
}

static cc_table include_src;

static int op_include(cc_table *t, cc_error *err)
{
    return cc_table_include(t, &include_src, err);
}

static void test_table_include_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_int_equal(cc_table_init(&include_src), 0);
    assert_int_equal(prepare_full(&include_src), 0);
    assert_true(run_with_faults(prepare_prelude, op_include, 1) > 0);
    cc_table_free(&include_src);
}

static void test_the_counters_see_the_allocations(void **state)
{
    (void)state;
    /* through volatile pointers: the compiler may not elide or reorder */
    void *(*volatile m)(size_t) = malloc;
    void *(*volatile cm)(size_t, size_t) = calloc;
    long live0 = fault_live;
    fault_arm(2);
    void *a = m(8);
    void *b = m(8);
    void *c = cm(1, 8);
    long used = fault_disarm();
    assert_non_null(a);
    assert_null(b);                    /* the second one failed */
    assert_non_null(c);
    assert_int_equal(used, 3);
    assert_int_equal(fault_live, live0 + 2);
    free(a);
    free(c);
    assert_int_equal(fault_live, live0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_counters_see_the_allocations),
        cmocka_unit_test(test_parse_cdef_survives_every_allocation_failure),
        cmocka_unit_test(test_parse_typename_survives_every_allocation_failure),
        cmocka_unit_test(test_table_load_survives_every_allocation_failure),
        cmocka_unit_test(test_table_include_survives_every_allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
