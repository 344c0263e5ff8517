/* fuzz_compat.c - libFuzzer target for the reader of CFFI's type context
 * (runtime/compat/compat_translate.c).
 *
 * The input is decoded into a type context as a real CFFI module or an
 * out-of-line ABI module would carry it: opcodes (4 bytes each, any value),
 * globals, struct/union records with fields, enums with their enumerators,
 * typenames, with every count, index, flag, size and offset taken from the
 * input; names come from a small pool that includes CFFI's "$" forms.  The
 * first byte chooses the API form (sizes and offsets from the input, the
 * layout engine for unplaced records) or the ABI form.  compat_translate()
 * must refuse a bad context with CC_ERR_TABLE and never crash; a table it
 * accepts must validate, serialize and load again, and survive the layout
 * engine.  Built and run by `make fuzz-compat`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/ctable.h"
#include "cdef/layout.h"
#include "compat/compat_ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_abort_if(cond)                                                 \
    do {                                                                    \
        if (cond) {                                                         \
            fprintf(stderr, "fuzz_compat: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                        \
        }                                                                   \
    } while (0)

typedef struct reader {
    const uint8_t *p;
    size_t left;
} reader;

static uint8_t rd8(reader *r)
{
    if (r->left == 0)
        return 0;
    r->left--;
    return *r->p++;
}

static uint32_t rd32(reader *r)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = (v << 8) | rd8(r);
    return v;
}

static const char *const names[] = {
    "a", "b", "s", "t", "$t", "$1", "$$x", "", "RED", "GREEN", "x", "pt",
    "RED,GREEN", "a,,b", ",", "RED,RED",
};
#define NNAMES (sizeof names / sizeof names[0])

static const char *rdname(reader *r)
{
    return names[rd8(r) % NNAMES];
}

/* Small indexes mostly in range, sometimes far out of it or negative. */
static int rdindex(reader *r, int n)
{
    uint8_t b = rd8(r);
    if (b == 0xff)
        return (int)rd32(r);
    if (b >= 0xf0)
        return -(int)(b & 0x0f) - 1;
    return n > 0 ? b % (n + 1) : b;
}

typedef struct ctx_storage {
    compat_opcode types[64];
    struct compat_global globals[16];
    uint64_t values[16];
    int negs[16];
    struct compat_struct_union sus[8];
    struct compat_field fields[32];
    struct compat_enum enums[4];
    char enumerators[4][64];
    struct compat_typename typenames[8];
    struct compat_type_context ctx;
} ctx_storage;

static int fuzz_get_int(void *arg, int gindex, uint64_t *value, int *neg,
                        cc_error *err)
{
    ctx_storage *s = arg;
    (void)err;
    fuzz_abort_if(gindex < 0 || gindex >= s->ctx.num_globals);
    *value = s->values[gindex];
    *neg = s->negs[gindex];
    return 0;
}

static void decode(reader *r, ctx_storage *s, int api, int *nfields)
{
    int nt = rd8(r) % 64, ng = rd8(r) % 16, nsu = rd8(r) % 8, ne = rd8(r) % 4,
        ntn = rd8(r) % 8;
    for (int i = 0; i < nt; i++)
        s->types[i] = (compat_opcode)(intptr_t)(int32_t)rd32(r);
    for (int i = 0; i < ng; i++) {
        s->globals[i].type_op = (compat_opcode)(intptr_t)(int32_t)rd32(r);
        s->globals[i].name = rdname(r);
        s->values[i] = rd32(r);
        s->negs[i] = rd8(r) & 1;
    }
    int nf = 0;
    for (int i = 0; i < nsu; i++) {
        struct compat_struct_union *su = &s->sus[i];
        su->type_index = rdindex(r, nt);
        su->flags = rd8(r) & 0x1f;
        su->name = rdname(r);
        su->first_field_index = nf;
        su->num_fields = rd8(r) % 5;
        if (nf + su->num_fields > 32)
            su->num_fields = 32 - nf;
        if (rd8(r) == 0xee)                  /* a bad field range */
            su->first_field_index = rdindex(r, 32);
        su->size = api ? rd8(r) : (size_t)-2;
        su->alignment = api ? (int)(rd8(r) % 17) : -2;
        if (api && su->size == 0xff)
            su->size = (size_t)-1;
        for (int k = 0; k < su->num_fields && nf < 32; k++, nf++) {
            struct compat_field *f = &s->fields[nf];
            f->field_type_op = (compat_opcode)(intptr_t)(int32_t)rd32(r);
            f->field_size = rd8(r);
            f->field_offset = api ? rd8(r) : (size_t)-1;
            if (api && f->field_offset == 0xff)
                f->field_offset = (size_t)-1;
            f->name = rdname(r);
        }
    }
    for (int i = 0; i < ne; i++) {
        struct compat_enum *e = &s->enums[i];
        e->type_index = rdindex(r, nt);
        e->type_prim = (int)(int8_t)rd8(r);
        e->name = rdname(r);
        snprintf(s->enumerators[i], sizeof s->enumerators[i], "%s", rdname(r));
        e->enumerators = s->enumerators[i];
    }
    for (int i = 0; i < ntn; i++) {
        s->typenames[i].type_index = rdindex(r, nt);
        s->typenames[i].name = rdname(r);
    }
    s->ctx.types = s->types;
    s->ctx.globals = s->globals;
    s->ctx.fields = s->fields;
    s->ctx.struct_unions = s->sus;
    s->ctx.enums = s->enums;
    s->ctx.typenames = s->typenames;
    s->ctx.num_types = nt;
    s->ctx.num_globals = ng;
    s->ctx.num_struct_unions = nsu;
    s->ctx.num_enums = ne;
    s->ctx.num_typenames = ntn;
    *nfields = nf;
}

static void check_accepted(cc_table *t, const compat_translation *tr)
{
    cc_error err;
    unsigned char *buf;
    size_t len;
    cc_table u;

    for (int i = 0; i < tr->num_types; i++)
        fuzz_abort_if(tr->type_map[i] != UINT32_MAX && tr->type_map[i] >= t->ntypes);
    memset(&err, 0, sizeof err);
    fuzz_abort_if(cc_table_validate(t, &err) < 0);
    fuzz_abort_if(cc_table_serialize(t, &buf, &len) < 0);
    fuzz_abort_if(cc_table_init(&u) < 0);
    fuzz_abort_if(cc_table_load(&u, buf, len, &err) < 0);
    free(buf);
    cc_table_free(&u);
    for (uint32_t i = 0; i < t->ntypes; i++) {
        uint64_t size;
        uint32_t align;
        memset(&err, 0, sizeof err);
        (void)cc_layout_sizeof(t, i, &size, &err);
        memset(&err, 0, sizeof err);
        (void)cc_layout_alignof(t, i, &align, &err);
    }
    memset(&err, 0, sizeof err);
    if (cc_table_validate(t, &err) < 0)
        fprintf(stderr, "fuzz_compat: after layout: %s\n", err.message);
    fuzz_abort_if(err.kind != CC_ERR_NONE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    ctx_storage *s = calloc(1, sizeof *s);
    cc_table t;
    cc_error err;
    compat_translation tr;
    int nfields;

    if (s == NULL)
        return 0;
    int api = rd8(&r) & 1;
    decode(&r, s, api, &nfields);
    memset(&err, 0, sizeof err);
    if (cc_table_init(&t) == 0) {
        int rc = compat_translate(&s->ctx, s->types, nfields,
                                  api ? 0 : COMPAT_TRANSLATE_ABI,
                                  fuzz_get_int, s, &t, &tr, &err);
        if (rc == 0) {
            check_accepted(&t, &tr);
            compat_translation_free(&tr);
        } else {
            fuzz_abort_if(err.kind == CC_ERR_NONE);
        }
        cc_table_free(&t);
    }
    free(s);
    return 0;
}
