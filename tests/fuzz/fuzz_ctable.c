/* fuzz_ctable.c - libFuzzer target for the type-table loader.
 *
 * Any byte string goes to cc_table_load(); a table it accepts must then be
 * safe to use: it re-serializes to bytes that load again and serialize
 * identically, every declared name is found by cc_table_lookup, it validates,
 * it can be included into another table, and the layout engine can size
 * every type without crashing (errors are fine, crashes and sanitizer reports
 * are not).  Built and run by `make fuzz-ctable`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/ctable.h"
#include "cdef/layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant broken: say which, then crash so libFuzzer keeps the input. */
#define fuzz_abort_if(cond)                                                 \
    do {                                                                    \
        if (cond) {                                                         \
            fprintf(stderr, "fuzz_ctable: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                        \
        }                                                                   \
    } while (0)

/* Serializing a loaded table gives a table that loads to the same bytes. */
static void fuzz_round_trip(const cc_table *t)
{
    unsigned char *b1, *b2;
    size_t l1, l2;
    cc_table u;
    cc_error err;

    memset(&err, 0, sizeof err);
    fuzz_abort_if(cc_table_serialize(t, &b1, &l1) < 0);
    fuzz_abort_if(cc_table_init(&u) < 0);
    fuzz_abort_if(cc_table_load(&u, b1, l1, &err) < 0);
    fuzz_abort_if(cc_table_serialize(&u, &b2, &l2) < 0);
    fuzz_abort_if(l1 != l2 || memcmp(b1, b2, l1) != 0);
    free(b1);
    free(b2);
    cc_table_free(&u);
}

static void fuzz_lookups(const cc_table *t)
{
    for (uint32_t k = 0; k < t->ndecls; k++) {
        const char *name = cc_table_str(t, t->decls[k].name);
        int ns = t->decls[k].kind == CCT_DECL_TAG ? CC_NS_TAG : CC_NS_ORDINARY;
        uint32_t ref;
        fuzz_abort_if(cc_table_lookup(t, ns, name, strlen(name), &ref) != 1);
    }
}

/* Including into an empty table works or leaves it empty; into a copy of
 * itself (every name already declared, identically) it must work. */
static void fuzz_include(const cc_table *t)
{
    cc_table u;
    cc_error err;
    unsigned char *buf;
    size_t len;

    memset(&err, 0, sizeof err);
    fuzz_abort_if(cc_table_init(&u) < 0);
    if (cc_table_include(&u, t, &err) < 0) {
        fuzz_abort_if(u.ntypes != 1 || u.ndecls != 0 || u.strings_size != 1);
    } else {
        memset(&err, 0, sizeof err);
        if (cc_table_validate(&u, &err) < 0)
            fprintf(stderr, "fuzz_ctable: after include: %s\n", err.message);
        fuzz_abort_if(err.kind != CC_ERR_NONE);
    }
    cc_table_free(&u);
    fuzz_abort_if(cc_table_serialize(t, &buf, &len) < 0);
    fuzz_abort_if(cc_table_init(&u) < 0);
    fuzz_abort_if(cc_table_load(&u, buf, len, &err) < 0);
    free(buf);
    memset(&err, 0, sizeof err);
    (void)cc_table_include(&u, t, &err);
    memset(&err, 0, sizeof err);
    fuzz_abort_if(cc_table_validate(&u, &err) < 0);
    cc_table_free(&u);
}

/* Layout mutates the table: done last, then the result must still validate. */
static void fuzz_layout(cc_table *t)
{
    cc_error err;

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
        fprintf(stderr, "fuzz_ctable: after layout: %s\n", err.message);
    fuzz_abort_if(err.kind != CC_ERR_NONE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cc_table t;
    cc_error err;

    memset(&err, 0, sizeof err);
    if (cc_table_init(&t) < 0)
        return 0;
    if (cc_table_load(&t, data, size, &err) == 0) {
        fuzz_abort_if(cc_table_validate(&t, &err) < 0);
        fuzz_round_trip(&t);
        fuzz_lookups(&t);
        fuzz_include(&t);
        fuzz_layout(&t);
    } else {
        fuzz_abort_if(err.kind != CC_ERR_TABLE && err.kind != CC_ERR_NOMEM);
    }
    cc_table_free(&t);
    return 0;
}
