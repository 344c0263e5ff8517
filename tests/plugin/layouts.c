/* layouts.c - marker file for the GCC plugin tests: structs, unions, enums,
 * bitfields, packed and anonymous members, flexible arrays, typedefs.  The
 * "header" part comes first, then the markers as pysrc/cffi emits them
 * (runtime/table/MARKERS.md), then probes that let the test compare the table
 * with gcc's own sizeof/offsetof/bit positions, then the sentinel. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdarg.h>

#ifndef __CCFFI_PLUGIN__
#error "compile this file with -fplugin=ccffi_gcc.so"
#endif

/* ---------------------------------------------------------------- header */
struct point { int x, y; };
struct mixed { char c; double d; short s; char *name; struct point p[3]; };
struct bits { unsigned a : 3; int b : 5; unsigned : 0; unsigned long long c : 40;
              signed char d : 2; _Bool e : 1; };
struct __attribute__((packed)) packed { char c; int i; unsigned x : 20; unsigned y : 15; };
struct anon { int kind; union { int i; double d; }; struct { char tag; } named; };
struct flex { size_t n; int items[]; };
union number { int i; double d; char bytes[12]; };
enum color { RED, GREEN = 5, BLUE };
enum big { BIG_NEG = -1, BIG_HUGE = 0x7fffffffffffffffLL };
enum ubig { UBIG = 0xffffffffffffffffULL };
typedef struct { int a; struct point *next; } anon_t;
typedef unsigned long long myint_t;
typedef uint32_t id_t32;
typedef struct list list_t;
struct list { list_t *next; int (*cmp)(const void *, const void *); enum color c; anon_t *a; };
struct opaque;
typedef double real_t;          /* cdef: typedef float... real_t; */
typedef long offset_t;          /* cdef: typedef int... offset_t; */
typedef enum { MODE_A, MODE_B } mode_t_;
struct wide { int a; __int128 big; int after; };
struct holds { struct opaque *o; va_list *ap; size_t sz; int32_t i32; wchar_t wc;
               float _Complex fc; long double ld; };

/* --------------------------------------------------------------- markers */
typedef struct point _ccffi_t0 __attribute__((ccffi("struct", "point", 2)));
typedef struct mixed _ccffi_t1 __attribute__((ccffi("struct", "mixed", 2)));
typedef struct bits _ccffi_t2 __attribute__((ccffi("struct", "bits", 2)));
typedef struct packed _ccffi_t3 __attribute__((ccffi("struct", "packed", 2)));
typedef struct anon _ccffi_t4 __attribute__((ccffi("struct", "anon", 2)));
typedef struct flex _ccffi_t5 __attribute__((ccffi("struct", "flex", 2)));
typedef union number _ccffi_t6 __attribute__((ccffi("union", "number", 2)));
typedef enum color _ccffi_t7 __attribute__((ccffi("enum", "color")));
typedef enum big _ccffi_t8 __attribute__((ccffi("enum", "big")));
typedef enum ubig _ccffi_t9 __attribute__((ccffi("enum", "ubig")));
typedef anon_t _ccffi_t10 __attribute__((ccffi("typedef", "anon_t", 2)));
typedef myint_t _ccffi_t11 __attribute__((ccffi("typedef", "myint_t")));
typedef id_t32 _ccffi_t12 __attribute__((ccffi("typedef", "id_t32")));
typedef struct list _ccffi_t13 __attribute__((ccffi("struct", "list", 2)));
typedef list_t _ccffi_t14 __attribute__((ccffi("typedef", "list_t")));
typedef struct opaque _ccffi_t15 __attribute__((ccffi("struct", "opaque")));
typedef struct holds _ccffi_t16 __attribute__((ccffi("struct", "holds", 2)));
typedef real_t _ccffi_t17 __attribute__((ccffi("typedef", "real_t")));
typedef offset_t _ccffi_t18 __attribute__((ccffi("typedef", "offset_t")));
typedef mode_t_ _ccffi_t19 __attribute__((ccffi("typedef", "mode_t_")));
typedef struct wide _ccffi_t20 __attribute__((ccffi("struct", "wide", 2)));

/* ---------------------------------------------------------------- probes
 * "size T", "align T", "offset T.f"; "bit T.f" = absolute position of the
 * lowest bit of a bitfield, "width T.f". */
struct probe { const char *key; long long value; };
#define SIZE(T) { "size " #T, (long long) sizeof(T) }, { "align " #T, (long long) _Alignof(T) }
#define OFF(T, f) { "offset " #T "." #f, (long long) offsetof(T, f) }
const struct probe probes[] = {
    SIZE(struct point), OFF(struct point, x), OFF(struct point, y),
    SIZE(struct mixed), OFF(struct mixed, c), OFF(struct mixed, d),
    OFF(struct mixed, s), OFF(struct mixed, name), OFF(struct mixed, p),
    SIZE(struct bits), SIZE(struct packed), OFF(struct packed, c), OFF(struct packed, i),
    SIZE(struct anon), OFF(struct anon, kind), OFF(struct anon, i), OFF(struct anon, named),
    SIZE(struct flex), OFF(struct flex, n), OFF(struct flex, items),
    SIZE(union number), OFF(union number, bytes),
    SIZE(enum color), SIZE(enum big), SIZE(enum ubig),
    SIZE(anon_t), OFF(anon_t, a), OFF(anon_t, next),
    SIZE(struct list), OFF(struct list, next), OFF(struct list, cmp), OFF(struct list, c),
    OFF(struct list, a),
    SIZE(struct holds), OFF(struct holds, o), OFF(struct holds, ap), OFF(struct holds, sz),
    OFF(struct holds, i32), OFF(struct holds, wc), OFF(struct holds, fc), OFF(struct holds, ld),
    SIZE(struct wide), OFF(struct wide, big), OFF(struct wide, after),
    { 0, 0 }
};

/* The lowest set bit after setting every bit of a bitfield in a zeroed object. */
static long long lowest_bit(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n * 8; i++)
        if (p[i / 8] & (1u << (i % 8)))
            return (long long) i;
    return -1;
}

static long long count_bits(const unsigned char *p, size_t n)
{
    long long c = 0;
    for (size_t i = 0; i < n * 8; i++)
        c += (p[i / 8] >> (i % 8)) & 1;
    return c;
}

#define BIT(T, f, v, k) do { T s_; memset(&s_, 0, sizeof s_); s_.f = v;          \
    out[k].key = "bit " #T "." #f; out[k++].value = lowest_bit((void *) &s_, sizeof s_); \
    out[k].key = "width " #T "." #f; out[k++].value = count_bits((void *) &s_, sizeof s_); \
    } while (0)

/* Fills OUT (room for 32) with the bitfield probes; returns the count. */
int bit_probes(struct probe *out)
{
    int k = 0;
    BIT(struct bits, a, 7, k);
    BIT(struct bits, b, -1, k);
    BIT(struct bits, c, 0xffffffffffULL, k);
    BIT(struct bits, d, -1, k);
    BIT(struct bits, e, 1, k);
    BIT(struct packed, x, 0xfffff, k);
    BIT(struct packed, y, 0x7fff, k);
    return k;
}

/* -------------------------------------------------------------- sentinel */
__attribute__((ccffi("table"), used, visibility("default")))
const char _ccffi_type_table[] = "";
