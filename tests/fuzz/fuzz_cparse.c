/* fuzz_cparse.c - libFuzzer target for the cdef parser (runtime/cparse.c).
 *
 * Each input is parsed twice into one table: first as a cdef() text (the
 * first byte picks override/packed/pack), then as an ffi.typeof() type
 * string.  Beyond "no crash, no leak, no undefined behaviour", it checks
 * the parser's promises: a failed cdef leaves the table exactly as it was
 * (same counts), every error has a message and a position, and the table
 * stays valid for cc_table_validate() after every call.
 * Build and run: `make fuzz-cparse FUZZ_SECONDS=60` (tests/Makemodule.am).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cparse.h"

/* A small prelude so that inputs can use typedefs, tags and constants. */
static const char prelude[] =
    "typedef int myint; struct fwd; struct point { int x, y; };\n"
    "enum color { RED, GREEN = 5, BLUE };\n#define TEN 10\n";

static void check(int cond)
{
    if (!cond)
        abort();
}

static void check_error(const cc_error *err)
{
    check(err->kind != CC_ERR_NONE);
    check(err->message[0] != '\0');
    check(memchr(err->message, '\0', sizeof err->message) != NULL);
    check(memchr(err->file, '\0', sizeof err->file) != NULL);
}

static void fuzz_cdef(cc_table *t, const uint8_t *data, size_t size)
{
    static const unsigned packs[] = { 0, 1, 2, 4, 8, 16, 0, 0 };
    cc_parse_options opt = { 0, 0, NULL };
    cc_error err;
    uint32_t ntypes = t->ntypes, ndecls = t->ndecls, nstrings = t->strings_size;

    if (size > 0) {
        opt.override = data[0] & 1;
        opt.pack = packs[(data[0] >> 1) & 7];
        data++;
        size--;
    }
    if (cc_parse_cdef(t, (const char *)data, size, &opt, &err) < 0) {
        check_error(&err);
        check(t->ntypes == ntypes && t->ndecls == ndecls
              && t->strings_size == nstrings);
    }
    check(cc_table_validate(t, &err) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cc_table t;
    cc_error err;
    uint32_t type;

    if (cc_table_init(&t) < 0)
        return 0;
    check(cc_parse_cdef(&t, prelude, sizeof prelude - 1, NULL, &err) == 0);
    fuzz_cdef(&t, data, size);
    if (cc_parse_typename(&t, (const char *)data, size, &type, &err) == 0)
        check(type < t.ntypes);
    else
        check_error(&err);
    check(cc_table_validate(&t, &err) == 0);
    cc_table_free(&t);
    return 0;
}
