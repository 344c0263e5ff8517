/* make_corpus_ctable.c - writes the seed corpus of fuzz_ctable: real tables,
 * made by the cdef parser and the layout engine from a few cdefs that use
 * every kind of record (structs, unions, bitfields, packing, flexible
 * arrays, enums, functions, constants of every kind).  The corpus also
 * keeps, as regress_*.bin, the inputs on which the fuzzer once found a bug.
 * Not part of the build; regenerate the seed_*.bin files with:
 *   cc -std=c11 -Iruntime tests/fuzz/make_corpus_ctable.c runtime/table/ctable*.c \
 *      runtime/table/cspell.c runtime/cdef/layout.c runtime/cdef/cparse.c runtime/cdef/clex.c \
 *      -o /tmp/mkcorpus && /tmp/mkcorpus tests/fuzz/corpus_ctable
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdef/cparse.h"

static const struct seed {
    unsigned pack;
    const char *cdef;
} seeds[] = {
    { 0, "" },
    { 0, "int add(int, int);" },
    { 0, "struct point { int x, y; }; typedef struct point point_t;"
         "double dist(point_t *a, point_t *b);" },
    { 0, "struct node { int value; struct node *next; double w[4]; };"
         "union u { int i; double d; char c[13]; };"
         "enum color { RED, GREEN = 5, BLUE = -1 };"
         "typedef enum { ZERO, ONE } small_t;" },
    { 0, "struct bits { char c; int b:4; unsigned :0; long long x:40; _Bool f:1; };"
         "struct flex { int n; char data[]; };"
         "struct anon { int k; union { int i; float f; }; struct { char a, b; } s; };" },
    { 1, "struct packed { char c; int i; short s:3; double d; };" },
    { 2, "struct pack2 { char c; long long x:40; char d; int e[3]; };" },
    { 0, "#define N 42\n#define NEG -7\nstatic const double PI = 3.25;"
         "static const char *const HELLO;\nextern int counter;"
         "int printf(const char *, ...); typedef int (*callback_t)(void *, int);"
         "struct opaque; typedef struct opaque opaque_t; opaque_t *make(void);" },
    { 0, "typedef struct { int x; ...; } partial_t; struct more { int a; ...; };"
         "typedef int... unknown_int_t; enum dots { A1, A2, ... };"
         "int arr_len[...]; struct aa { int fixed[...]; };" },
};

static int write_seed(const char *dir, int i, const unsigned char *buf, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/seed_%02d.bin", dir, i);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(buf, 1, len, f) != len) {
        perror(path);
        if (f)
            fclose(f);
        return -1;
    }
    return fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s corpus-directory\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        cc_table t;
        cc_error err;
        cc_parse_options opt = { 0, seeds[i].pack, NULL };
        unsigned char *buf;
        size_t len;

        memset(&err, 0, sizeof err);
        if (cc_table_init(&t) < 0
            || cc_parse_cdef(&t, seeds[i].cdef, strlen(seeds[i].cdef), &opt, &err) < 0) {
            fprintf(stderr, "seed %zu: %s (line %d col %d)\n", i, err.message,
                    err.line, err.column);
            return 1;
        }
        if (cc_table_serialize(&t, &buf, &len) < 0 || write_seed(argv[1], (int)i, buf, len) < 0)
            return 1;
        free(buf);
        cc_table_free(&t);
    }
    return 0;
}
