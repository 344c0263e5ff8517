/* fuzz_cparse.c - libFuzzer target for the cdef parser (runtime/cdef/cparse.c).
 *
 * Each input is cut at its \x01 bytes into up to four cdef() texts parsed
 * one after the other into one table (the first byte of each picks
 * override/packed/pack), then the whole input is parsed as an ffi.typeof()
 * type string.  Beyond "no crash, no leak, no undefined behaviour", it
 * checks the parser's promises: a failed cdef leaves the table exactly as it
 * was (the serialized bytes are compared), every error has a message, and
 * the table stays valid for cc_table_validate() after every call.
 * Build and run: `make fuzz-cparse FUZZ_SECONDS=60` (tests/Makemodule.am).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdef/cparse.h"

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

/* The serialized form of t (malloc()ed), to compare before/after. */
static unsigned char *snapshot(const cc_table *t, size_t *len)
{
    unsigned char *buf = NULL;

    check(cc_table_serialize(t, &buf, len) == 0);
    return buf;
}

static void fuzz_cdef(cc_table *t, const uint8_t *data, size_t size)
{
    static const unsigned packs[] = { 0, 1, 2, 4, 8, 16, 0, 0 };
    cc_parse_options opt = { 0, 0, NULL };
    cc_error err;
    size_t before_len, after_len;
    unsigned char *before, *after;

    if (size > 0) {
        opt.override = data[0] & 1;
        opt.pack = packs[(data[0] >> 1) & 7];
        data++;
        size--;
    }
    before = snapshot(t, &before_len);
    if (cc_parse_cdef(t, (const char *)data, size, &opt, &err) < 0) {
        check_error(&err);
        after = snapshot(t, &after_len);
        check(after_len == before_len && !memcmp(after, before, after_len));
        free(after);
    }
    free(before);
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
    for (size_t start = 0, i = 0, pieces = 0; i <= size; i++) {
        if (i == size || (data[i] == 1 && pieces < 3)) {
            fuzz_cdef(&t, data + start, i - start);
            start = i + 1;
            pieces++;
        }
    }
    if (cc_parse_typename(&t, (const char *)data, size, &type, &err) == 0)
        check(type < t.ntypes);
    else
        check_error(&err);
    check(cc_table_validate(&t, &err) == 0);
    cc_table_free(&t);
    return 0;
}
