/* test_layout.c - cmocka tests of the ABI-mode layout engine (runtime/cdef/layout.c).
 *
 * Two kinds of test.  Hand-written ones check CFFI's conventions and
 * messages (bitfield records, flexible arrays, anonymous members, packing,
 * every error).  The differential test declares a list of structs and unions
 * twice from one description: once as real C types, so that the compiler
 * building this test computes sizeof, _Alignof, offsetof and (by setting a
 * bitfield's bits in a zeroed object and scanning the bytes) every bitfield's
 * position, and once through the table builder; the layout engine must
 * agree with the compiler on every number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>

#include "table/ctable.h"
#include "table_builders.h"
#include "cdef/layout.h"

/* ------------------------------------------------------------- helpers */

static uint32_t arr(cc_table *t, uint32_t item, uint64_t len, uint16_t flags)
{
    uint32_t idx;

    assert_int_equal(cc_table_array(t, item, len, flags, &idx), 0);
    return idx;
}

/* A member: bits < 0 for an ordinary member, else a bitfield's width. */
typedef struct mem {
    const char *name;
    uint32_t type;
    int bits;
} mem;

#define PLAIN (-1)

/* Adds a struct/union `tag` (pack 0: natural) with a TAG declaration. */
static uint32_t record(cc_table *t, uint8_t kind, const char *tag,
                       uint32_t pack, const mem *m, uint32_t n)
{
    cct_type ty;
    cct_field f[64];
    uint32_t idx, dummy;
    cct_decl d;

    assert_true(n <= 64);
    memset(&ty, 0, sizeof ty);
    ty.kind = kind;
    ty.name = str(t, tag);
    ty.size = CCT_SIZE_UNKNOWN;
    if (pack) {
        ty.flags |= CCT_TF_PACKED;
        ty.length = pack;
    }
    memset(f, 0, sizeof f);
    for (uint32_t i = 0; i < n; i++) {
        f[i].name = str(t, m[i].name);
        f[i].type = m[i].type;
        f[i].bitshift = CCT_NOT_BITFIELD;
        f[i].bitsize = (int16_t)(m[i].bits < 0 ? CCT_NOT_BITFIELD : m[i].bits);
    }
    assert_int_equal(cc_table_add_fields(t, f, n, &ty.first), 0);
    ty.count = n;
    assert_int_equal(cc_table_add_type(t, &ty, &idx), 0);
    memset(&d, 0, sizeof d);
    d.name = ty.name;
    d.kind = CCT_DECL_TAG;
    d.type = idx;
    d.slot = CCT_NO_SLOT;
    assert_int_equal(cc_table_add_decl(t, &d, &dummy), 0);
    return idx;
}

static uint32_t find_tag(cc_table *t, const char *tag)
{
    uint32_t ref;

    assert_int_equal(cc_table_lookup(t, CC_NS_TAG, tag, strlen(tag), &ref), 1);
    return t->decls[ref].type;
}

static const cct_field *field(const cc_table *t, uint32_t rec, uint32_t k)
{
    return &t->fields[t->types[rec].first + k];
}

static void lay_out(cc_table *t, uint32_t rec)
{
    cc_error err;

    memset(&err, 0, sizeof err);
    if (cc_layout_record(t, rec, &err) < 0)
        fail_msg("layout failed: %s", err.message);
    assert_true(t->types[rec].flags & CCT_TF_LAYOUT_KNOWN);
}

static void expect_field(const cc_table *t, uint32_t rec, uint32_t k,
                         uint64_t offset, int bitshift, int bitsize)
{
    const cct_field *f = field(t, rec, k);

    if (f->offset != offset || f->bitshift != bitshift || f->bitsize != bitsize)
        fail_msg("field %u '%s': got (%llu, %d, %d), expected (%llu, %d, %d)", k,
                 cc_table_str(t, f->name), (unsigned long long)f->offset,
                 f->bitshift, f->bitsize, (unsigned long long)offset, bitshift,
                 bitsize);
}

static void expect_record(const cc_table *t, uint32_t rec, uint64_t size,
                          uint32_t align)
{
    assert_int_equal(t->types[rec].size, size);
    assert_int_equal(t->types[rec].align, align);
}

static void expect_layout_error(cc_table *t, uint32_t rec, cc_errkind kind,
                                const char *message)
{
    cc_error err;

    memset(&err, 0, sizeof err);
    assert_int_equal(cc_layout_record(t, rec, &err), -1);
    assert_int_equal(err.kind, kind);
    assert_string_equal(err.message, message);
}

static void expect_sizeof_error(cc_table *t, uint32_t type, const char *message)
{
    cc_error err;
    uint64_t size;

    memset(&err, 0, sizeof err);
    assert_int_equal(cc_layout_sizeof(t, type, &size, &err), -1);
    assert_int_equal(err.kind, CC_ERR_TYPE);
    assert_string_equal(err.message, message);
}

static void expect_alignof_error(cc_table *t, uint32_t type, const char *message)
{
    cc_error err;
    uint32_t align;

    memset(&err, 0, sizeof err);
    assert_int_equal(cc_layout_alignof(t, type, &align, &err), -1);
    assert_string_equal(err.message, message);
}

static uint64_t size_of(cc_table *t, uint32_t type)
{
    cc_error err;
    uint64_t size;

    memset(&err, 0, sizeof err);
    if (cc_layout_sizeof(t, type, &size, &err) < 0)
        fail_msg("sizeof failed: %s", err.message);
    return size;
}

static uint32_t align_of(cc_table *t, uint32_t type)
{
    cc_error err;
    uint32_t align;

    memset(&err, 0, sizeof err);
    if (cc_layout_alignof(t, type, &align, &err) < 0)
        fail_msg("alignof failed: %s", err.message);
    return align;
}

/* ----------------------------------------------------- hand-made layouts */

static void test_natural_alignment(void **state)
{
    cc_table *t = *state;
    mem m[] = {
        { "c", prim(t, CCT_PRIM_CHAR), PLAIN },
        { "d", prim(t, CCT_PRIM_DOUBLE), PLAIN },
        { "s", prim(t, CCT_PRIM_SHORT), PLAIN },
        { "p", ptr(t, 0), PLAIN },
        { "ld", prim(t, CCT_PRIM_LONGDOUBLE), PLAIN },
        { "b", prim(t, CCT_PRIM_BOOL), PLAIN },
    };
    uint32_t r = record(t, CCT_KIND_STRUCT, "nat", 0, m, 6);

    lay_out(t, r);
    expect_field(t, r, 0, 0, -1, -1);
    expect_field(t, r, 1, 8, -1, -1);
    expect_field(t, r, 2, 16, -1, -1);
    expect_field(t, r, 3, 24, -1, -1);
    expect_field(t, r, 4, 32, -1, -1);
    expect_field(t, r, 5, 48, -1, -1);
    expect_record(t, r, 64, 16);
    assert_int_equal(size_of(t, r), 64);
    assert_int_equal(align_of(t, r), 16);
}

static void test_empty_struct(void **state)
{
    cc_table *t = *state;
    uint32_t r = record(t, CCT_KIND_STRUCT, "empty", 0, NULL, 0);

    lay_out(t, r);
    expect_record(t, r, 1, 1);     /* CFFI's size of an empty record */
}

static void test_huge_array_of_empty_struct(void **state)
{
    cc_table *t = *state;
    uint32_t empty = record(t, CCT_KIND_STRUCT, "empty", 0, NULL, 0);
    uint32_t none = arr(t, prim(t, CCT_PRIM_INT), 0, 0);
    uint32_t many = arr(t, none, INT64_MAX, 0);
    mem m[] = { { "many", many, PLAIN } };
    uint32_t r = record(t, CCT_KIND_STRUCT, "holder", 0, m, 1);
    mem m1[] = { { "e", arr(t, empty, INT64_MAX, 0), PLAIN } };
    /* a length above INT64_MAX is a cdef's negative one (`T x[-1]`),
     * which CFFI refuses when the type is used */
    mem m2[] = { { "neg", arr(t, empty, UINT64_MAX, 0), PLAIN } };
    cc_error err;

    lay_out(t, r);
    expect_record(t, r, 1, 4);     /* CFFI: 1 byte, never 0 */
    assert_int_equal(t->types[many].size, 0);
    /* an empty struct is 1 byte, as CFFI sizes it */
    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "big", 0, m1, 1),
                        CC_ERR_TYPE, "array too large: 'struct empty[9223372036854775807]'");
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_validate(t, &err), 0);
    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "neg", 0, m2, 1),
                        CC_ERR_VALUE, "negative array length");
}

/* Found by make fuzz-ctable: an array of an opaque 'enum foo;' is sized as
 * of unsigned int by the layout engine, and a laid-out empty record has
 * CFFI's size 1 whatever its alignment; the validator refused both
 * ("array size 12 or align 4 does not match 3 items of size ...",
 * "laid-out STRUCT has size 1 and alignment 4"). */
static void test_validate_accepts_what_layout_writes(void **state)
{
    cc_table *t = *state;
    cct_type e, r;
    uint32_t en, rec;
    cc_error err;

    memset(&e, 0, sizeof e);
    e.kind = CCT_KIND_ENUM;
    e.prim = CCT_PRIM_UINT;
    e.name = str(t, "foo");
    e.size = CCT_SIZE_UNKNOWN;
    e.flags = CCT_TF_OPAQUE;
    assert_int_equal(cc_table_add_type(t, &e, &en), 0);
    uint32_t a = arr(t, en, 3, 0);
    assert_int_equal(size_of(t, a), 12);
    assert_int_equal(align_of(t, a), 4);
    memset(&r, 0, sizeof r);
    r.kind = CCT_KIND_STRUCT;
    r.name = str(t, "empty4");
    r.size = 1;
    r.align = 4;
    r.flags = CCT_TF_LAYOUT_KNOWN;
    assert_int_equal(cc_table_add_type(t, &r, &rec), 0);
    memset(&err, 0, sizeof err);
    if (cc_table_validate(t, &err) < 0)
        fail_msg("validate: %s", err.message);
}

static void test_bitfield_cffi_convention(void **state)
{
    cc_table *t = *state;
    uint32_t c = prim(t, CCT_PRIM_CHAR), i = prim(t, CCT_PRIM_INT);
    mem m[] = { { "c", c, PLAIN }, { "b", i, 4 } };
    uint32_t r = record(t, CCT_KIND_STRUCT, "foo", 0, m, 2);

    lay_out(t, r);
    expect_field(t, r, 0, 0, -1, -1);
    expect_field(t, r, 1, 0, 8, 4);   /* CFFI: b: offset 0, bitshift 8 */
    expect_record(t, r, 4, 4);
}

static void test_bitfield_moves_to_next_unit(void **state)
{
    cc_table *t = *state;
    uint32_t c = prim(t, CCT_PRIM_CHAR), i = prim(t, CCT_PRIM_INT);
    uint32_t s = prim(t, CCT_PRIM_SHORT), ll = prim(t, CCT_PRIM_LONGLONG);
    mem m1[] = { { "c", c, PLAIN }, { "b", i, 30 } };
    mem m2[] = { { "c", c, PLAIN }, { "s", s, 12 }, { "d", c, 7 } };
    mem m3[] = { { "c", c, 4 }, { "b", ll, 62 } };
    uint32_t r1 = record(t, CCT_KIND_STRUCT, "r1", 0, m1, 2);
    uint32_t r2 = record(t, CCT_KIND_STRUCT, "r2", 0, m2, 3);
    uint32_t r3 = record(t, CCT_KIND_STRUCT, "r3", 0, m3, 2);

    lay_out(t, r1);
    expect_field(t, r1, 1, 4, 0, 30);
    expect_record(t, r1, 8, 4);
    lay_out(t, r2);   /* CFFI: s (2, 0, 12), d (4, 0, 7), size 6 */
    expect_field(t, r2, 1, 2, 0, 12);
    expect_field(t, r2, 2, 4, 0, 7);
    expect_record(t, r2, 6, 2);
    lay_out(t, r3);
    expect_field(t, r3, 0, 0, 0, 4);
    expect_field(t, r3, 1, 8, 0, 62);
    expect_record(t, r3, 16, 8);
}

static void test_unnamed_and_zero_width_bitfields(void **state)
{
    cc_table *t = *state;
    uint32_t c = prim(t, CCT_PRIM_CHAR), i = prim(t, CCT_PRIM_INT);
    uint32_t ll = prim(t, CCT_PRIM_LONGLONG);
    mem m1[] = { { "c", c, PLAIN }, { "", i, 0 }, { "d", c, PLAIN } };
    mem m2[] = { { "c", c, PLAIN }, { "", i, 5 } };
    mem m3[] = { { "c", c, PLAIN }, { "", ll, 0 }, { "d", c, PLAIN } };
    uint32_t r1 = record(t, CCT_KIND_STRUCT, "z1", 0, m1, 3);
    uint32_t r2 = record(t, CCT_KIND_STRUCT, "z2", 0, m2, 2);
    uint32_t r3 = record(t, CCT_KIND_STRUCT, "z3", 0, m3, 3);

    lay_out(t, r1);   /* gcc and CFFI: d at 4, size 5, align 1 */
    expect_field(t, r1, 1, 4, 0, 0);
    expect_field(t, r1, 2, 4, -1, -1);
    expect_record(t, r1, 5, 1);
    lay_out(t, r2);   /* unnamed bitfields do not align the struct */
    expect_field(t, r2, 1, 0, 8, 5);
    expect_record(t, r2, 2, 1);
    lay_out(t, r3);
    expect_field(t, r3, 2, 8, -1, -1);
    expect_record(t, r3, 9, 1);
}

static void test_bool_and_enum_bitfields(void **state)
{
    cc_table *t = *state;
    cct_type e;
    uint32_t en;

    memset(&e, 0, sizeof e);
    e.kind = CCT_KIND_ENUM;
    e.prim = CCT_PRIM_UINT;
    e.name = str(t, "e");
    e.size = 4;
    e.align = 4;
    e.flags = CCT_TF_LAYOUT_KNOWN;
    assert_int_equal(cc_table_add_type(t, &e, &en), 0);
    mem m[] = { { "b", prim(t, CCT_PRIM_BOOL), 1 }, { "x", en, 3 },
                { "y", en, PLAIN } };
    uint32_t r = record(t, CCT_KIND_STRUCT, "be", 0, m, 3);

    lay_out(t, r);
    expect_field(t, r, 0, 0, 0, 1);
    expect_field(t, r, 1, 0, 1, 3);
    expect_field(t, r, 2, 4, -1, -1);
    expect_record(t, r, 8, 4);
    assert_int_equal(size_of(t, en), 4);
}

static void test_union_layout(void **state)
{
    cc_table *t = *state;
    uint32_t c = prim(t, CCT_PRIM_CHAR), i = prim(t, CCT_PRIM_INT);
    mem m1[] = { { "c", c, PLAIN }, { "x", i, 3 } };
    mem m2[] = { { "c", c, PLAIN }, { "", i, 3 } };
    mem m3[] = { { "d", prim(t, CCT_PRIM_DOUBLE), PLAIN },
                 { "a", arr(t, c, 13, 0), PLAIN } };
    uint32_t u1 = record(t, CCT_KIND_UNION, "u1", 0, m1, 2);
    uint32_t u2 = record(t, CCT_KIND_UNION, "u2", 0, m2, 2);
    uint32_t u3 = record(t, CCT_KIND_UNION, "u3", 0, m3, 2);

    lay_out(t, u1);
    expect_field(t, u1, 1, 0, 0, 3);
    expect_record(t, u1, 4, 4);
    lay_out(t, u2);
    expect_record(t, u2, 1, 1);
    lay_out(t, u3);
    expect_field(t, u3, 1, 0, -1, -1);
    expect_record(t, u3, 16, 8);
}

static void test_packed_true(void **state)
{
    cc_table *t = *state;
    uint32_t c = prim(t, CCT_PRIM_CHAR), i = prim(t, CCT_PRIM_INT);
    uint32_t d = prim(t, CCT_PRIM_DOUBLE);
    mem m1[] = { { "c", c, PLAIN }, { "b", i, 30 } };
    mem m2[] = { { "c", c, PLAIN }, { "b", i, 4 } };
    mem m3[] = { { "c", c, PLAIN }, { "d", d, PLAIN }, { "i", i, PLAIN } };
    mem m4[] = { { "c", c, 4 }, { "b", c, 6 } };
    mem m5[] = { { "c", c, PLAIN }, { "", i, 0 }, { "d", c, PLAIN } };
    uint32_t r1 = record(t, CCT_KIND_STRUCT, "p1", 1, m1, 2);
    uint32_t r2 = record(t, CCT_KIND_STRUCT, "p2", 1, m2, 2);
    uint32_t r3 = record(t, CCT_KIND_STRUCT, "p3", 1, m3, 3);
    uint32_t r4 = record(t, CCT_KIND_STRUCT, "p4", 1, m4, 2);
    uint32_t r5 = record(t, CCT_KIND_STRUCT, "p5", 1, m5, 3);

    lay_out(t, r1);   /* CFFI: b (1, 0, 30), size 5, align 1 */
    expect_field(t, r1, 1, 1, 0, 30);
    expect_record(t, r1, 5, 1);
    lay_out(t, r2);   /* CFFI: b (1, 0, 4), size 2 */
    expect_field(t, r2, 1, 1, 0, 4);
    expect_record(t, r2, 2, 1);
    lay_out(t, r3);
    expect_field(t, r3, 1, 1, -1, -1);
    expect_field(t, r3, 2, 9, -1, -1);
    expect_record(t, r3, 13, 1);
    lay_out(t, r4);   /* gcc packs char bitfields across bytes: b at bit 4 */
    expect_field(t, r4, 1, 0, 4, 6);
    expect_record(t, r4, 2, 1);
    lay_out(t, r5);   /* a zero-width bitfield ignores packing */
    expect_field(t, r5, 2, 4, -1, -1);
    expect_record(t, r5, 5, 1);
}

static void test_pack_n(void **state)
{
    cc_table *t = *state;
    uint32_t c = prim(t, CCT_PRIM_CHAR), i = prim(t, CCT_PRIM_INT);
    uint32_t d = prim(t, CCT_PRIM_DOUBLE), ll = prim(t, CCT_PRIM_LONGLONG);
    mem m1[] = { { "c", c, PLAIN }, { "d", d, PLAIN }, { "i", i, PLAIN } };
    mem m2[] = { { "c", arr(t, c, 3, 0), PLAIN }, { "b", i, 12 } };
    mem m3[] = { { "c", c, PLAIN }, { "x", ll, 40 }, { "d", c, PLAIN } };
    mem m4[] = { { "c", c, PLAIN }, { "b", i, 30 } };
    uint32_t r1 = record(t, CCT_KIND_STRUCT, "q1", 4, m1, 3);
    uint32_t r2 = record(t, CCT_KIND_STRUCT, "q2", 2, m2, 2);
    uint32_t r3 = record(t, CCT_KIND_STRUCT, "q3", 4, m3, 3);
    uint32_t r4 = record(t, CCT_KIND_STRUCT, "q4", 2, m4, 2);
    uint32_t r5 = record(t, CCT_KIND_STRUCT, "q5", 16, m1, 3);

    lay_out(t, r1);
    expect_field(t, r1, 1, 4, -1, -1);
    expect_field(t, r1, 2, 12, -1, -1);
    expect_record(t, r1, 16, 4);
    lay_out(t, r2);   /* CFFI: b (2, 8, 12), size 6, align 2 */
    expect_field(t, r2, 1, 2, 8, 12);
    expect_record(t, r2, 6, 2);
    lay_out(t, r3);   /* gcc: x bits 8..47, d at 6, size 8, align 4 */
    expect_field(t, r3, 1, 0, 8, 40);
    expect_field(t, r3, 2, 6, -1, -1);
    expect_record(t, r3, 8, 4);
    lay_out(t, r4);   /* gcc: b at bit 8 (no move under pack), size 6 */
    expect_field(t, r4, 1, 1, 0, 30);
    expect_record(t, r4, 6, 2);
    lay_out(t, r5);   /* pack larger than every alignment changes nothing */
    expect_record(t, r5, 24, 8);
}

static void test_nested_and_arrays(void **state)
{
    cc_table *t = *state;
    uint32_t c = prim(t, CCT_PRIM_CHAR), d = prim(t, CCT_PRIM_DOUBLE);
    mem inner_m[] = { { "d", d, PLAIN }, { "c", c, PLAIN } };
    uint32_t inner = record(t, CCT_KIND_STRUCT, "inner", 0, inner_m, 2);
    /* the array type is made before inner is laid out: its size comes later */
    uint32_t a3 = arr(t, inner, 3, 0);
    uint32_t a2x3 = arr(t, a3, 2, 0);
    mem outer_m[] = { { "c", c, PLAIN }, { "in", inner, PLAIN },
                      { "many", a2x3, PLAIN }, { "e", c, PLAIN } };
    uint32_t outer = record(t, CCT_KIND_STRUCT, "outer", 0, outer_m, 4);

    assert_true(t->types[a3].size == CCT_SIZE_UNKNOWN);
    assert_int_equal(size_of(t, outer), 8 + 16 + 96 + 8);
    assert_true(t->types[inner].flags & CCT_TF_LAYOUT_KNOWN);
    expect_field(t, outer, 1, 8, -1, -1);
    expect_field(t, outer, 2, 24, -1, -1);
    expect_field(t, outer, 3, 120, -1, -1);
    assert_int_equal(t->types[a3].size, 48);
    assert_int_equal(t->types[a2x3].size, 96);
    assert_int_equal(t->types[a2x3].align, 8);
    assert_int_equal(size_of(t, a2x3), 96);
    assert_int_equal(cc_table_validate(t, NULL), 0);
}

static void test_packed_member_of_unpacked(void **state)
{
    cc_table *t = *state;
    uint32_t c = prim(t, CCT_PRIM_CHAR), i = prim(t, CCT_PRIM_INT);
    mem pm[] = { { "c", c, PLAIN }, { "i", i, PLAIN } };
    uint32_t p = record(t, CCT_KIND_STRUCT, "pk", 1, pm, 2);
    mem om[] = { { "c", c, PLAIN }, { "p", p, PLAIN }, { "i", i, PLAIN } };
    uint32_t o = record(t, CCT_KIND_STRUCT, "outer", 0, om, 3);

    lay_out(t, o);
    expect_record(t, p, 5, 1);
    expect_field(t, o, 1, 1, -1, -1);
    expect_field(t, o, 2, 8, -1, -1);
    expect_record(t, o, 12, 4);
}

static void test_flexible_array_member(void **state)
{
    cc_table *t = *state;
    uint32_t c = prim(t, CCT_PRIM_CHAR), i = prim(t, CCT_PRIM_INT);
    uint32_t open = arr(t, i, 0, CCT_TF_LENGTH_UNKNOWN);
    mem m1[] = { { "b", c, PLAIN }, { "a", open, PLAIN } };
    mem m2[] = { { "a", open, PLAIN }, { "b", i, PLAIN } };
    mem m3[] = { { "b", c, PLAIN }, { "a", arr(t, i, 0, 0), PLAIN } };
    uint32_t r1 = record(t, CCT_KIND_STRUCT, "f1", 0, m1, 2);
    uint32_t r2 = record(t, CCT_KIND_STRUCT, "f2", 0, m2, 2);
    uint32_t r3 = record(t, CCT_KIND_STRUCT, "f3", 0, m3, 2);

    lay_out(t, r1);   /* CFFI: (4, 4), a at 4 */
    expect_field(t, r1, 1, 4, -1, -1);
    expect_record(t, r1, 4, 4);
    assert_true(t->types[r1].flags & CCT_TF_FLEXIBLE);
    expect_layout_error(t, r2, CC_ERR_TYPEERR,
                        "field 'struct f2.a' has ctype 'int[]' of unknown size");
    lay_out(t, r3);   /* `int a[0]` is an ordinary zero-sized member */
    expect_field(t, r3, 1, 4, -1, -1);
    expect_record(t, r3, 4, 4);
    assert_false(t->types[r3].flags & CCT_TF_FLEXIBLE);
}

static void test_anonymous_member(void **state)
{
    cc_table *t = *state;
    uint32_t c = prim(t, CCT_PRIM_CHAR), d = prim(t, CCT_PRIM_DOUBLE);
    uint32_t i = prim(t, CCT_PRIM_INT);
    mem am[] = { { "x", i, PLAIN }, { "y", d, PLAIN } };
    uint32_t anon = record(t, CCT_KIND_UNION, "$1", 0, am, 2);
    mem om[] = { { "c", c, PLAIN }, { "", anon, PLAIN }, { "z", c, PLAIN } };
    uint32_t o = record(t, CCT_KIND_STRUCT, "withanon", 0, om, 3);

    lay_out(t, o);
    expect_field(t, o, 1, 8, -1, -1);
    expect_field(t, o, 2, 16, -1, -1);
    expect_record(t, o, 24, 8);
}

static void test_already_known_layout_is_kept(void **state)
{
    cc_table *t = *state;
    mem m[] = { { "c", prim(t, CCT_PRIM_CHAR), PLAIN } };
    uint32_t r = record(t, CCT_KIND_STRUCT, "api", 0, m, 1);

    /* API mode: the plugin wrote a layout the engine must not redo */
    t->types[r].flags |= CCT_TF_LAYOUT_KNOWN | CCT_TF_PARTIAL;
    t->types[r].size = 32;
    t->types[r].align = 8;
    t->fields[t->types[r].first].offset = 16;
    assert_int_equal(size_of(t, r), 32);
    lay_out(t, r);
    expect_field(t, r, 0, 16, -1, -1);
}

/* ----------------------------------------------------------- errors */

static void test_bitfield_errors(void **state)
{
    cc_table *t = *state;
    uint32_t i = prim(t, CCT_PRIM_INT), c = prim(t, CCT_PRIM_CHAR);
    mem m1[] = { { "x", i, 33 } };
    mem m2[] = { { "x", c, 9 } };
    mem m3[] = { { "x", prim(t, CCT_PRIM_DOUBLE), 3 } };
    mem m4[] = { { "x", ptr(t, i), 3 } };
    mem m5[] = { { "c", c, PLAIN }, { "x", i, 0 } };
    mem m6[] = { { "x", prim(t, CCT_PRIM_UNKNOWN_INT), 3 } };

    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "foo", 0, m1, 1), CC_ERR_TYPEERR,
                        "bit field 'struct foo.x' is declared 'int:33', which "
                        "exceeds the width of the type");
    expect_layout_error(t, record(t, CCT_KIND_UNION, "u", 0, m2, 1), CC_ERR_TYPEERR,
                        "bit field 'union u.x' is declared 'char:9', which "
                        "exceeds the width of the type");
    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "f3", 0, m3, 1), CC_ERR_TYPEERR,
                        "field 'struct f3.x' declared as 'double' cannot be a bit field");
    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "f4", 0, m4, 1), CC_ERR_TYPEERR,
                        "field 'struct f4.x' declared as 'int *' cannot be a bit field");
    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "f5", 0, m5, 2), CC_ERR_TYPEERR,
                        "field 'struct f5.x' is declared with :0");
    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "f6", 0, m6, 1), CC_ERR_TYPEERR,
                        "field 'struct f6.x' declared as 'int...' cannot be a bit field");
}

static uint32_t opaque(cc_table *t, uint8_t kind, const char *tag, uint16_t flags)
{
    cct_type ty;
    uint32_t idx;

    memset(&ty, 0, sizeof ty);
    ty.kind = kind;
    ty.flags = flags;
    ty.name = str(t, tag);
    ty.size = CCT_SIZE_UNKNOWN;
    assert_int_equal(cc_table_add_type(t, &ty, &idx), 0);
    return idx;
}

static void test_incomplete_member_errors(void **state)
{
    cc_table *t = *state;
    uint32_t bar = opaque(t, CCT_KIND_UNION, "bar", CCT_TF_OPAQUE);
    mem m1[] = { { "b", bar, PLAIN } };
    mem m2[] = { { "v", 0, PLAIN } };
    mem m3[] = { { "a", arr(t, bar, 2, 0), PLAIN } };

    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "foo", 0, m1, 1), CC_ERR_TYPEERR,
                        "field 'struct foo.b' has ctype 'union bar' of unknown size");
    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "v", 0, m2, 1), CC_ERR_TYPEERR,
                        "field 'struct v.v' has ctype 'void' of unknown size");
    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "a", 0, m3, 1), CC_ERR_TYPEERR,
                        "field 'struct a.a' has ctype 'union bar[2]' of unknown size");
}

static void test_recursive_struct_errors(void **state)
{
    cc_table *t = *state;
    uint32_t i = prim(t, CCT_PRIM_INT);
    mem m[] = { { "x", i, PLAIN } };
    uint32_t self = record(t, CCT_KIND_STRUCT, "foo", 0, m, 1);
    uint32_t a = record(t, CCT_KIND_STRUCT, "a", 0, m, 1);
    uint32_t b = record(t, CCT_KIND_STRUCT, "b", 0, m, 1);

    t->fields[t->types[self].first].type = self;
    expect_layout_error(t, self, CC_ERR_DECL, "recursive structure declaration for 'foo'");
    /* a { b x[2]; }  b { a x; } */
    t->fields[t->types[a].first].type = arr(t, b, 2, 0);
    t->fields[t->types[b].first].type = a;
    expect_layout_error(t, a, CC_ERR_DECL, "recursive structure declaration for 'a'");
    /* through a pointer it is fine */
    t->fields[t->types[b].first].type = ptr(t, a);
    lay_out(t, a);
    expect_record(t, a, 16, 8);
}

static void test_bad_pack_value(void **state)
{
    cc_table *t = *state;
    mem m[] = { { "x", prim(t, CCT_PRIM_INT), PLAIN } };

    expect_layout_error(t, record(t, CCT_KIND_STRUCT, "p3", 3, m, 1), CC_ERR_DECL,
                        "'struct p3': pack value 3 is not a power of two");
}

static void test_sizeof_errors(void **state)
{
    cc_table *t = *state;
    uint32_t foo = opaque(t, CCT_KIND_STRUCT, "foo", CCT_TF_OPAQUE);
    uint32_t bar = opaque(t, CCT_KIND_STRUCT, "bar", CCT_TF_PARTIAL);
    uint32_t i = prim(t, CCT_PRIM_INT), fn, ut;
    cct_type unk;

    assert_int_equal(cc_table_function(t, i, &i, 1, 0, &fn), 0);
    memset(&unk, 0, sizeof unk);
    unk.kind = CCT_KIND_PRIMITIVE;
    unk.prim = CCT_PRIM_UNKNOWN_INT;
    unk.name = str(t, "foo_t");
    unk.size = CCT_SIZE_UNKNOWN;
    assert_int_equal(cc_table_add_type(t, &unk, &ut), 0);
    expect_sizeof_error(t, 0, "ctype 'void' is of unknown size");
    expect_alignof_error(t, 0, "ctype 'void' is of unknown alignment");
    expect_sizeof_error(t, foo, "ctype 'struct foo' is of unknown size");
    expect_alignof_error(t, foo, "ctype 'struct foo' is of unknown alignment");
    expect_sizeof_error(t, arr(t, i, 0, CCT_TF_LENGTH_UNKNOWN),
                        "ctype 'int[]' is of unknown size");
    assert_int_equal(align_of(t, arr(t, i, 0, CCT_TF_LENGTH_UNKNOWN)), 4);
    expect_sizeof_error(t, arr(t, foo, 2, 0), "array item of unknown size: 'struct foo'");
    expect_sizeof_error(t, fn, "ctype 'int(int)' is of unknown size");
    expect_sizeof_error(t, ut, "integer type 'foo_t' can only be used after compilation");
    unk.prim = CCT_PRIM_UNKNOWN_FLOAT;
    unk.name = str(t, "flt_t");
    assert_int_equal(cc_table_add_type(t, &unk, &ut), 0);
    expect_alignof_error(t, ut, "float type 'flt_t' can only be used after compilation");
    expect_sizeof_error(t, bar, "ctype 'struct bar' is of unknown size: it is partial "
                        "(declared with '...'), its layout is only known after "
                        "set_source() and compile()");
    expect_sizeof_error(t, arr(t, bar, 2, 0), "ctype 'struct bar' is of unknown size: it "
                        "is partial (declared with '...'), its layout is only known "
                        "after set_source() and compile()");
    assert_int_equal(size_of(t, ptr(t, foo)), 8);
    assert_int_equal(size_of(t, prim(t, CCT_PRIM_LONGDOUBLE)), 16);
    cc_error err;
    uint64_t size;
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_layout_sizeof(t, 99999, &size, &err), -1);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_layout_record(t, i, &err), -1);
    char msg[64];
    snprintf(msg, sizeof msg, "type %u is not a struct or union", i);
    assert_string_equal(err.message, msg);
}

static void test_opaque_and_partial_left_alone(void **state)
{
    cc_table *t = *state;
    uint32_t foo = opaque(t, CCT_KIND_STRUCT, "foo", CCT_TF_OPAQUE);
    uint32_t bar = opaque(t, CCT_KIND_STRUCT, "bar", CCT_TF_PARTIAL);
    cc_error err;

    memset(&err, 0, sizeof err);
    assert_int_equal(cc_layout_record(t, foo, &err), 0);
    assert_int_equal(cc_layout_record(t, bar, &err), 0);
    assert_false(t->types[foo].flags & CCT_TF_LAYOUT_KNOWN);
    assert_false(t->types[bar].flags & CCT_TF_LAYOUT_KNOWN);
}

static void test_deep_nesting_does_not_recurse(void **state)
{
    cc_table *t = *state;
    mem m[] = { { "x", prim(t, CCT_PRIM_CHAR), PLAIN } };
    uint32_t r = record(t, CCT_KIND_STRUCT, "s0", 0, m, 1);
    char tag[32];

    for (int k = 1; k < 20000; k++) {
        mem mk[] = { { "x", r, PLAIN }, { "y", prim(t, CCT_PRIM_CHAR), PLAIN } };
        snprintf(tag, sizeof tag, "s%d", k);
        r = record(t, CCT_KIND_STRUCT, tag, 0, mk, 2);
    }
    assert_int_equal(size_of(t, r), 20000);
}

static void test_laid_out_table_validates_and_round_trips(void **state)
{
    cc_table *t = *state, u;
    unsigned char *b1, *b2;
    size_t l1, l2;
    cc_error err;
    uint32_t c = prim(t, CCT_PRIM_CHAR), i = prim(t, CCT_PRIM_INT);
    mem m[] = { { "c", c, PLAIN }, { "b", i, 4 }, { "", i, 0 },
                { "a", arr(t, i, 0, CCT_TF_LENGTH_UNKNOWN), PLAIN } };
    uint32_t r = record(t, CCT_KIND_STRUCT, "rt", 0, m, 4);

    lay_out(t, r);
    memset(&err, 0, sizeof err);
    assert_int_equal(cc_table_validate(t, &err), 0);
    assert_int_equal(cc_table_serialize(t, &b1, &l1), 0);
    assert_int_equal(cc_table_init(&u), 0);
    assert_int_equal(cc_table_load(&u, b1, l1, &err), 0);
    assert_int_equal(cc_table_serialize(&u, &b2, &l2), 0);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    free(b1);
    free(b2);
    cc_table_free(&u);
}

/* ------------------------------------------------- differential vs gcc
 * Each case is a macro CASE_<name>(F, B, U, A, N, NA, FX) listing members:
 *   F(type, name)              ordinary scalar member
 *   B(type, name, width)       named bitfield
 *   U(type, width)             unnamed bitfield (width may be 0)
 *   A(type, name, length)      array of scalars
 *   N(kind, tag, name)         member of an earlier case's type
 *   NA(kind, tag, name, len)   array of an earlier case's type
 *   FX(type, name)             flexible array member
 * and CASES lists (name, struct|union, pack): pack 0 natural, 1 for
 * __attribute__((packed)) (packed=True), N for #pragma pack(N). */

#define CASE_g1(F, B, U, A, N, NA, FX) F(char, c) F(int, i) F(char, d)
#define CASE_g2(F, B, U, A, N, NA, FX) F(char, c) F(double, d) F(short, s) F(void *, p)
#define CASE_g3(F, B, U, A, N, NA, FX) F(char, c) F(long double, ld) F(_Bool, b)
#define CASE_g4(F, B, U, A, N, NA, FX) A(char, a, 3) F(short, s) A(double, d, 2) F(char, e)
#define CASE_g5(F, B, U, A, N, NA, FX) F(char, c) N(struct, g2, in) F(char, e)
#define CASE_g6(F, B, U, A, N, NA, FX) F(char, c) NA(struct, g1, arr, 3) F(short, e)
#define CASE_g7(F, B, U, A, N, NA, FX) F(int, i) FX(double, flex)
#define CASE_g8(F, B, U, A, N, NA, FX) F(char, c) F(double, d) A(int, x, 5)
#define CASE_g9(F, B, U, A, N, NA, FX) F(char, c) N(union, g8, u) F(char, e)
#define CASE_b1(F, B, U, A, N, NA, FX) F(char, c) B(int, b, 4)
#define CASE_b2(F, B, U, A, N, NA, FX) F(char, c) B(int, b, 30)
#define CASE_b3(F, B, U, A, N, NA, FX) F(char, c) B(short, s, 12) B(char, d, 7)
#define CASE_b4(F, B, U, A, N, NA, FX) B(char, c, 4) B(long long, b, 62)
#define CASE_b5(F, B, U, A, N, NA, FX) F(char, c) U(int, 0) F(char, d)
#define CASE_b6(F, B, U, A, N, NA, FX) F(char, c) U(int, 5) F(char, d)
#define CASE_b7(F, B, U, A, N, NA, FX) F(char, c) U(long long, 0) F(char, d)
#define CASE_b8(F, B, U, A, N, NA, FX) B(unsigned, a, 1) B(unsigned, b, 31) B(unsigned, c, 2)
#define CASE_b9(F, B, U, A, N, NA, FX) B(_Bool, a, 1) B(_Bool, b, 1) F(char, c) B(unsigned char, d, 3)
#define CASE_b10(F, B, U, A, N, NA, FX) A(char, c, 3) B(int, x, 16) B(short, y, 9)
#define CASE_b11(F, B, U, A, N, NA, FX) B(long long, a, 33) B(long long, b, 33) B(int, c, 31)
#define CASE_b12(F, B, U, A, N, NA, FX) F(char, c) B(long, a, 60) U(short, 0) B(signed char, d, 2)
#define CASE_b13(F, B, U, A, N, NA, FX) B(int, a, 3) U(int, 0) B(int, b, 3) U(char, 3) B(short, c, 15)
#define CASE_b14(F, B, U, A, N, NA, FX) F(short, s) B(unsigned long long, a, 48) B(unsigned long long, b, 17)
#define CASE_b15(F, B, U, A, N, NA, FX) F(char, c) U(long long, 7) F(int, i)
#define CASE_u1(F, B, U, A, N, NA, FX) F(char, c) B(int, x, 3)
#define CASE_u2(F, B, U, A, N, NA, FX) F(char, c) U(int, 3)
#define CASE_u3(F, B, U, A, N, NA, FX) F(double, d) A(char, a, 13) B(long long, b, 40)
#define CASE_u4(F, B, U, A, N, NA, FX) N(struct, b4, s) F(short, x)
#define CASE_p1(F, B, U, A, N, NA, FX) F(char, c) B(int, b, 30)
#define CASE_p2(F, B, U, A, N, NA, FX) F(char, c) F(double, d) F(int, i)
#define CASE_p3(F, B, U, A, N, NA, FX) B(char, c, 4) B(char, b, 6) B(int, x, 31) F(short, s)
#define CASE_p4(F, B, U, A, N, NA, FX) F(char, c) U(int, 0) F(char, d)
#define CASE_p5(F, B, U, A, N, NA, FX) F(char, c) N(struct, g2, in) A(short, s, 3)
#define CASE_p6(F, B, U, A, N, NA, FX) F(char, c) B(long long, x, 40) F(char, d) B(short, y, 3)
#define CASE_q1(F, B, U, A, N, NA, FX) F(char, c) F(double, d) F(int, i)
#define CASE_q2(F, B, U, A, N, NA, FX) A(char, c, 3) B(int, b, 12)
#define CASE_q3(F, B, U, A, N, NA, FX) F(char, c) B(long long, x, 40) F(char, d)
#define CASE_q4(F, B, U, A, N, NA, FX) F(char, c) B(int, b, 30)
#define CASE_q5(F, B, U, A, N, NA, FX) F(char, c) U(int, 0) F(char, d) B(int, e, 9)
#define CASE_q6(F, B, U, A, N, NA, FX) F(char, c) N(struct, g2, in) F(long double, ld)
#define CASE_q7(F, B, U, A, N, NA, FX) F(short, c) F(double, d) B(char, b, 3) U(short, 9)
#define CASE_q8(F, B, U, A, N, NA, FX) F(char, c) F(int, i) FX(long long, flex)

#define CASES(X)                                                          \
    X(g1, struct, 0) X(g2, struct, 0) X(g3, struct, 0) X(g4, struct, 0)   \
    X(g5, struct, 0) X(g6, struct, 0) X(g7, struct, 0) X(g8, union, 0)    \
    X(g9, struct, 0)                                                      \
    X(b1, struct, 0) X(b2, struct, 0) X(b3, struct, 0) X(b4, struct, 0)   \
    X(b5, struct, 0) X(b6, struct, 0) X(b7, struct, 0) X(b8, struct, 0)   \
    X(b9, struct, 0) X(b10, struct, 0) X(b11, struct, 0)                  \
    X(b12, struct, 0) X(b13, struct, 0) X(b14, struct, 0)                 \
    X(b15, struct, 0)                                                     \
    X(u1, union, 0) X(u2, union, 0) X(u3, union, 0) X(u4, union, 0)       \
    X(p1, struct, 1) X(p2, struct, 1) X(p3, struct, 1) X(p4, struct, 1)   \
    X(p5, struct, 1) X(p6, union, 1)                                      \
    X(q1, struct, 2) X(q2, struct, 2) X(q3, struct, 4) X(q4, struct, 2)   \
    X(q5, struct, 2) X(q6, struct, 4) X(q7, struct, 1) X(q8, struct, 4)

/* The pragma forms for pack N >= 2, the attribute for 1. */
#define CAT(a, b) CAT_(a, b)
#define CAT_(a, b) a##b
#define PACK_BEGIN_0
#define PACK_BEGIN_1
#define PACK_BEGIN_2 _Pragma("pack(push, 2)")
#define PACK_BEGIN_4 _Pragma("pack(push, 4)")
#define PACK_END_0
#define PACK_END_1
#define PACK_END_2 _Pragma("pack(pop)")
#define PACK_END_4 _Pragma("pack(pop)")
#define PACK_ATTR_0
#define PACK_ATTR_1 __attribute__((packed))
#define PACK_ATTR_2
#define PACK_ATTR_4

/* 1. the C declarations */
#define D_F(ty, n) ty n;
#define D_B(ty, n, w) ty n : w;
#define D_U(ty, w) ty : w;
#define D_A(ty, n, len) ty n[len];
#define D_N(k, tag, n) k tag n;
#define D_NA(k, tag, n, len) k tag n[len];
#define D_FX(ty, n) ty n[];
#define DECLARE_CASE(nm, kd, pk)                                            \
    CAT(PACK_BEGIN_, pk)                                                    \
    kd CAT(PACK_ATTR_, pk) nm {                                             \
        CASE_##nm(D_F, D_B, D_U, D_A, D_N, D_NA, D_FX)                      \
    };                                                                      \
    CAT(PACK_END_, pk)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
CASES(DECLARE_CASE)
#pragma GCC diagnostic pop

/* 2. the same members as builder descriptions, with what gcc says */
enum member_form { M_PLAIN, M_BITS, M_UNNAMED, M_ARRAY, M_NESTED, M_NESTED_ARRAY, M_FLEX };
#define PTR_CODE 1000
#define CODE(ty) _Generic((ty)0,                                              \
    char: CCT_PRIM_CHAR, signed char: CCT_PRIM_SCHAR,                        \
    unsigned char: CCT_PRIM_UCHAR, short: CCT_PRIM_SHORT,                    \
    unsigned short: CCT_PRIM_USHORT, int: CCT_PRIM_INT,                      \
    unsigned int: CCT_PRIM_UINT, long: CCT_PRIM_LONG,                        \
    unsigned long: CCT_PRIM_ULONG, long long: CCT_PRIM_LONGLONG,             \
    unsigned long long: CCT_PRIM_ULONGLONG, float: CCT_PRIM_FLOAT,           \
    double: CCT_PRIM_DOUBLE, long double: CCT_PRIM_LONGDOUBLE,               \
    _Bool: CCT_PRIM_BOOL, void *: PTR_CODE)

typedef struct gcc_member {
    const char *name;
    int code;             /* CCT_PRIM_* or PTR_CODE */
    enum member_form form;
    int n;                /* bitfield width or array length */
    const char *tag;      /* nested: the case name */
    size_t offset;        /* gcc's offsetof (ordinary members) */
    long bitpos, bitwidth; /* gcc's bits (named bitfields), found by scanning */
} gcc_member;

typedef struct gcc_case {
    const char *name;
    uint8_t kind;
    uint32_t pack;
    size_t size, align;
    gcc_member m[16];
    uint32_t n;
} gcc_case;

#define KIND_struct CCT_KIND_STRUCT
#define KIND_union CCT_KIND_UNION
#define I_F(ty, n) { #n, CODE(ty), M_PLAIN, 0, NULL, offsetof(cur_t, n), 0, 0 },
#define I_B(ty, n, w) { #n, CODE(ty), M_BITS, w, NULL, 0, 0, 0 },
#define I_U(ty, w) { "", CODE(ty), M_UNNAMED, w, NULL, 0, 0, 0 },
#define I_A(ty, n, len) { #n, CODE(ty), M_ARRAY, len, NULL, offsetof(cur_t, n), 0, 0 },
#define I_N(k, tag, n) { #n, 0, M_NESTED, 0, #tag, offsetof(cur_t, n), 0, 0 },
#define I_NA(k, tag, n, len) { #n, 0, M_NESTED_ARRAY, len, #tag, offsetof(cur_t, n), 0, 0 },
#define I_FX(ty, n) { #n, CODE(ty), M_FLEX, 0, NULL, offsetof(cur_t, n), 0, 0 },

static volatile long long all_ones = -1;

/* Lowest set bit and number of set bits of an object, as a bit position
 * counted from the start (little-endian). */
static void scan_bits(const void *obj, size_t size, gcc_member *m)
{
    const unsigned char *p = obj;

    m->bitpos = -1;
    m->bitwidth = 0;
    for (size_t i = 0; i < size * 8; i++) {
        if (p[i / 8] & (1u << (i % 8))) {
            if (m->bitpos < 0)
                m->bitpos = (long)i;
            m->bitwidth++;
        }
    }
}

#define S_F(ty, n) k++;
#define S_B(ty, n, w) memset(&v, 0, sizeof v); v.n = all_ones; \
    scan_bits(&v, sizeof v, &c->m[k]); k++;
#define S_U(ty, w) k++;
#define S_A(ty, n, len) k++;
#define S_N(kd, tag, n) k++;
#define S_NA(kd, tag, n, len) k++;
#define S_FX(ty, n) k++;

#define EXPECT_CASE(nm, kd, pk)                                               \
    static void expect_##nm(gcc_case *c)                                      \
    {                                                                         \
        typedef kd nm cur_t;                                                  \
        const gcc_member members[] = {                                        \
            CASE_##nm(I_F, I_B, I_U, I_A, I_N, I_NA, I_FX)                    \
        };                                                                    \
        cur_t v;                                                              \
        uint32_t k = 0;                                                       \
        c->name = #nm;                                                        \
        c->kind = KIND_##kd;                                                  \
        c->pack = pk;                                                         \
        c->size = sizeof(cur_t);                                              \
        c->align = _Alignof(cur_t);                                           \
        c->n = sizeof members / sizeof members[0];                            \
        memcpy(c->m, members, sizeof members);                                \
        CASE_##nm(S_F, S_B, S_U, S_A, S_N, S_NA, S_FX)                        \
        (void)v;                                                              \
        (void)k;                                                              \
    }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
CASES(EXPECT_CASE)
#pragma GCC diagnostic pop

#define LIST_CASE(nm, kd, pk) expect_##nm,
static void (*const gcc_cases[])(gcc_case *) = { CASES(LIST_CASE) };

static uint32_t member_type(cc_table *t, const gcc_member *m)
{
    uint32_t base;

    if (m->form == M_NESTED || m->form == M_NESTED_ARRAY)
        base = find_tag(t, m->tag);
    else if (m->code == PTR_CODE)
        base = ptr(t, 0);
    else
        base = prim(t, (enum cct_prim)m->code);
    if (m->form == M_ARRAY || m->form == M_NESTED_ARRAY)
        return arr(t, base, (uint64_t)m->n, 0);
    if (m->form == M_FLEX)
        return arr(t, base, 0, CCT_TF_LENGTH_UNKNOWN);
    return base;
}

/* Builds one case with the builder, lays it out, compares with gcc. */
static void check_gcc_case(cc_table *t, const gcc_case *c)
{
    mem m[16];
    uint32_t rec;

    for (uint32_t k = 0; k < c->n; k++) {
        m[k].name = c->m[k].name;
        m[k].type = member_type(t, &c->m[k]);
        m[k].bits = (c->m[k].form == M_BITS || c->m[k].form == M_UNNAMED)
                        ? c->m[k].n : PLAIN;
    }
    rec = record(t, c->kind, c->name, c->pack, m, c->n);
    lay_out(t, rec);
    if (t->types[rec].size != c->size || t->types[rec].align != c->align)
        fail_msg("%s: size/align (%llu, %u), gcc (%zu, %zu)", c->name,
                 (unsigned long long)t->types[rec].size, t->types[rec].align,
                 c->size, c->align);
    for (uint32_t k = 0; k < c->n; k++) {
        const cct_field *f = field(t, rec, k);
        const gcc_member *g = &c->m[k];
        if (g->form == M_UNNAMED)
            continue;
        if (g->form == M_BITS) {
            long pos = (long)f->offset * 8 + f->bitshift;
            if (pos != g->bitpos || f->bitsize != g->bitwidth)
                fail_msg("%s.%s: bits at %ld width %d, gcc %ld width %ld", c->name,
                         g->name, pos, f->bitsize, g->bitpos, g->bitwidth);
            /* the unit is the declared type, or the bytes from offset on */
            if (f->bitshift < 0
                || ((uint64_t)f->bitshift + (uint64_t)f->bitsize
                    > (uint64_t)cc_prims[g->code].size * 8 && f->bitshift >= 8))
                fail_msg("%s.%s: bitshift %d outside its unit", c->name, g->name,
                         f->bitshift);
        } else if (f->offset != g->offset) {
            fail_msg("%s.%s: offset %llu, gcc %zu", c->name, g->name,
                     (unsigned long long)f->offset, g->offset);
        }
    }
    if (c->m[c->n - 1].form == M_FLEX)
        assert_true(t->types[rec].flags & CCT_TF_FLEXIBLE);
}

static void test_differential_vs_compiler(void **state)
{
    cc_table *t = *state;
    size_t n = sizeof gcc_cases / sizeof gcc_cases[0];

    for (size_t i = 0; i < n; i++) {
        gcc_case c;
        memset(&c, 0, sizeof c);
        gcc_cases[i](&c);
        check_gcc_case(t, &c);
    }
    print_message("%zu struct/union layouts agree with the compiler\n", n);
    assert_int_equal(cc_table_validate(t, NULL), 0);
}

/* ------------------------------------------------------------------ main */

#define T(f) cmocka_unit_test_setup_teardown(f, setup_table, teardown_table)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_natural_alignment),
        T(test_empty_struct),
        T(test_huge_array_of_empty_struct),
        T(test_validate_accepts_what_layout_writes),
        T(test_bitfield_cffi_convention),
        T(test_bitfield_moves_to_next_unit),
        T(test_unnamed_and_zero_width_bitfields),
        T(test_bool_and_enum_bitfields),
        T(test_union_layout),
        T(test_packed_true),
        T(test_pack_n),
        T(test_nested_and_arrays),
        T(test_packed_member_of_unpacked),
        T(test_flexible_array_member),
        T(test_anonymous_member),
        T(test_already_known_layout_is_kept),
        T(test_bitfield_errors),
        T(test_incomplete_member_errors),
        T(test_recursive_struct_errors),
        T(test_bad_pack_value),
        T(test_sizeof_errors),
        T(test_opaque_and_partial_left_alone),
        T(test_deep_nesting_does_not_recurse),
        T(test_laid_out_table_validates_and_round_trips),
        T(test_differential_vs_compiler),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
