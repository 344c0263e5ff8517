/* table_builders.h - helpers the cmocka tests share to build tables by
 * hand: a fresh table per test (setup/teardown for cmocka's state) and
 * builder calls that fail the test instead of returning an error.
 * Include after <cmocka.h> and "ctable.h". */
#ifndef CCFFI_TEST_TABLE_BUILDERS_H
#define CCFFI_TEST_TABLE_BUILDERS_H

#include <stdlib.h>
#include <string.h>

static inline int setup_table(void **state)
{
    cc_table *t = malloc(sizeof *t);

    if (t == NULL || cc_table_init(t) < 0) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static inline int teardown_table(void **state)
{
    cc_table *t = *state;

    cc_table_free(t);
    free(t);
    return 0;
}

static inline uint32_t str(cc_table *t, const char *s)
{
    uint32_t off;

    assert_int_equal(cc_table_string(t, s, strlen(s), &off), 0);
    return off;
}

static inline uint32_t prim(cc_table *t, enum cct_prim p)
{
    uint32_t idx;

    assert_int_equal(cc_table_primitive(t, p, &idx), 0);
    return idx;
}

static inline uint32_t ptr(cc_table *t, uint32_t item)
{
    uint32_t idx;

    assert_int_equal(cc_table_pointer(t, item, &idx), 0);
    return idx;
}

#endif /* CCFFI_TEST_TABLE_BUILDERS_H */
