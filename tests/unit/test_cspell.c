/* test_cspell.c - C spellings of table types, abstract and with a name. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "table/cspell.h"

typedef struct fixture {
    cc_table t;
    uint32_t int_, ptr, arr5, fn, fnptr, ptrarr3, ptr_to_arr, st;
} fixture;

static int setup(void **state)
{
    static fixture f;
    uint32_t args[2], name;
    cct_type st = { .kind = CCT_KIND_STRUCT, .size = CCT_SIZE_UNKNOWN };

    assert_int_equal(cc_table_init(&f.t), 0);
    assert_int_equal(cc_table_primitive(&f.t, CCT_PRIM_INT, &f.int_), 0);
    assert_int_equal(cc_table_pointer(&f.t, f.int_, &f.ptr), 0);
    assert_int_equal(cc_table_array(&f.t, f.int_, 5, 0, &f.arr5), 0);
    args[0] = f.int_;
    args[1] = f.ptr;
    assert_int_equal(cc_table_function(&f.t, f.int_, args, 2, CCT_TF_VARIADIC,
                                       &f.fn), 0);
    assert_int_equal(cc_table_pointer(&f.t, f.fn, &f.fnptr), 0);
    assert_int_equal(cc_table_array(&f.t, f.ptr, 3, 0, &f.ptrarr3), 0);
    assert_int_equal(cc_table_pointer(&f.t, f.arr5, &f.ptr_to_arr), 0);
    assert_int_equal(cc_table_string(&f.t, "foo", 3, &name), 0);
    st.name = name;
    assert_int_equal(cc_table_add_type(&f.t, &st, &f.st), 0);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cc_table_free(&f->t);
    return 0;
}

static void check(const cc_table *t, uint32_t type, const char *name,
                  const char *expected)
{
    char buf[256];
    long n = cc_spell_type(t, type, name, buf, sizeof buf);
    assert_int_equal(n, (long)strlen(expected));
    assert_string_equal(buf, expected);
}

static void test_abstract_spellings_follow_cffi(void **state)
{
    fixture *f = *state;
    check(&f->t, f->int_, NULL, "int");
    check(&f->t, f->ptr, NULL, "int *");
    check(&f->t, f->arr5, NULL, "int[5]");
    check(&f->t, f->fnptr, NULL, "int(*)(int, int *, ...)");
    check(&f->t, f->ptrarr3, NULL, "int *[3]");
    check(&f->t, f->ptr_to_arr, NULL, "int(*)[5]");
    check(&f->t, f->st, NULL, "struct foo");
    check(&f->t, 0, NULL, "void");
}

static void test_named_declarators_are_valid_c(void **state)
{
    fixture *f = *state;
    check(&f->t, f->ptr, "x", "int *x");
    check(&f->t, f->arr5, "x", "int x[5]");
    check(&f->t, f->fnptr, "cb", "int(*cb)(int, int *, ...)");
    check(&f->t, f->ptrarr3, "x", "int *x[3]");
    check(&f->t, f->ptr_to_arr, "x", "int(*x)[5]");
}

static void test_function_without_parameters_says_void(void **state)
{
    fixture *f = *state;
    uint32_t fn, fnptr;
    assert_int_equal(cc_table_function(&f->t, f->int_, NULL, 0, 0, &fn), 0);
    assert_int_equal(cc_table_pointer(&f->t, fn, &fnptr), 0);
    check(&f->t, fnptr, NULL, "int(*)(void)");
}

static void test_small_buffer_truncates_and_reports_length(void **state)
{
    fixture *f = *state;
    char buf[6];
    long n = cc_spell_type(&f->t, f->fnptr, NULL, buf, sizeof buf);
    assert_int_equal(n, (long)strlen("int(*)(int, int *, ...)"));
    assert_string_equal(buf, "int(*");
}

static void test_bad_index_is_refused(void **state)
{
    fixture *f = *state;
    char buf[16];
    assert_int_equal(cc_spell_type(&f->t, f->t.ntypes, NULL, buf, sizeof buf), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abstract_spellings_follow_cffi),
        cmocka_unit_test(test_named_declarators_are_valid_c),
        cmocka_unit_test(test_function_without_parameters_says_void),
        cmocka_unit_test(test_small_buffer_truncates_and_reports_length),
        cmocka_unit_test(test_bad_index_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
