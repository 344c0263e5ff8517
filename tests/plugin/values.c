/* values.c - marker file for the GCC plugin tests: constants of each kind
 * (macros, enumerators, static const variables), functions (prototypes,
 * variadic, function-like macros), globals and extern "Python" markers. */
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>

#ifndef __CCFFI_PLUGIN__
#error "compile this file with -fplugin=ccffi_gcc.so"
#endif

/* ---------------------------------------------------------------- header */
#define INT_MACRO 42
#define NEG_MACRO (-7)
#define U64_MACRO 0xfedcba9876543210ULL
#define CHAR_MACRO ((unsigned char) 200)
#define DBL_MACRO 3.25
#define FLT_MACRO 0.1f
#define STR_MACRO "hello, world"
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define getvalue real_getvalue
enum flags { F_A = 1, F_B = 2, F_ALL = 3 };
enum { ANON_X = -5 };
static const int STATIC_CONST = 1234;
static const double STATIC_DBL = -2.5;
static const char *const STATIC_STR = "static";
#define PTR_STR ((const char *) "pointer")
struct point { int x, y; };
int add(int a, int b);
double scale(const struct point *p, double f);
int logf_(const char *fmt, ...);
int noargs(void);
long real_getvalue(void);
void take_array(int a[10], void (*cb)(int));
size_t sized(size_t n, int32_t i);
struct point by_value(struct point p);
extern int counter;
extern const char *const names[4];
extern struct point origin;
extern int table_of[];
#define errno_like (*errno_location_())
int *errno_location_(void);
int old_style();

/* --------------------------------------------------------------- markers */
#ifdef INT_MACRO
static const __typeof__(INT_MACRO) _ccffi_c0 __attribute__((ccffi("const", "INT_MACRO", 0, 42), unused)) = (INT_MACRO);
#else
typedef int _ccffi_c0 __attribute__((ccffi("enumconst", "INT_MACRO")));
#endif
#ifdef NEG_MACRO
static const __typeof__(NEG_MACRO) _ccffi_c1 __attribute__((ccffi("const", "NEG_MACRO"), unused)) = (NEG_MACRO);
#endif
#ifdef U64_MACRO
static const __typeof__(U64_MACRO) _ccffi_c2 __attribute__((ccffi("const", "U64_MACRO"), unused)) = (U64_MACRO);
#endif
#ifdef CHAR_MACRO
static const __typeof__(CHAR_MACRO) _ccffi_c3 __attribute__((ccffi("const", "CHAR_MACRO"), unused)) = (CHAR_MACRO);
#endif
#ifdef DBL_MACRO
static const __typeof__(DBL_MACRO) _ccffi_c4 __attribute__((ccffi("const", "DBL_MACRO"), unused)) = (DBL_MACRO);
#endif
#ifdef FLT_MACRO
static const __typeof__(FLT_MACRO) _ccffi_c5 __attribute__((ccffi("const", "FLT_MACRO"), unused)) = (FLT_MACRO);
#endif
#ifdef STR_MACRO
static const __typeof__(STR_MACRO) _ccffi_c6 __attribute__((ccffi("const", "STR_MACRO"), unused)) = (STR_MACRO);
#endif
typedef int _ccffi_c7 __attribute__((ccffi("enumconst", "F_B", 0, 2)));
typedef int _ccffi_c8 __attribute__((ccffi("enumconst", "ANON_X")));
typedef int _ccffi_c9 __attribute__((ccffi("enumconst", "STATIC_CONST")));
typedef int _ccffi_c10 __attribute__((ccffi("enumconst", "STATIC_DBL")));
typedef int _ccffi_c11 __attribute__((ccffi("enumconst", "STATIC_STR")));
#ifdef PTR_STR
static const __typeof__(PTR_STR) _ccffi_c12 __attribute__((ccffi("const", "PTR_STR"), unused)) = (PTR_STR);
#endif
typedef int _ccffi_c13 __attribute__((ccffi("enumconst", "F_ALL", 1, 3)));
typedef enum flags _ccffi_t0 __attribute__((ccffi("enum", "flags")));
typedef int _ccffi_f0(int, int) __attribute__((ccffi("function", "add", 0)));
typedef double _ccffi_f1(struct point *, double) __attribute__((ccffi("function", "scale", 1)));
typedef int _ccffi_f2(char *, ...) __attribute__((ccffi("function", "logf_", 2)));
typedef int _ccffi_f3(void) __attribute__((ccffi("function", "noargs", 3)));
typedef int _ccffi_f4(int, int) __attribute__((ccffi("function", "MAX", 4)));
typedef long _ccffi_f5(void) __attribute__((ccffi("function", "getvalue", 5)));
typedef void _ccffi_f6(int *, void (*)(int)) __attribute__((ccffi("function", "take_array", 6)));
typedef size_t _ccffi_f7(size_t, int) __attribute__((ccffi("function", "sized", 7)));
typedef struct point _ccffi_f8(struct point) __attribute__((ccffi("function", "by_value", 8)));
typedef int _ccffi_f9(int, char *) __attribute__((ccffi("function", "old_style", 9)));
typedef int _ccffi_g0 __attribute__((ccffi("global", "counter", 0)));
typedef char *_ccffi_g1[4] __attribute__((ccffi("global", "names", 1)));
typedef struct point _ccffi_g2 __attribute__((ccffi("global", "origin", 2)));
typedef __typeof__(table_of) _ccffi_g3 __attribute__((ccffi("global", "table_of", 3)));
typedef int _ccffi_g4 __attribute__((ccffi("global", "errno_like", 4)));
typedef int _ccffi_p0(int) __attribute__((ccffi("python", "py_cb", 0)));
typedef void _ccffi_p1(void) __attribute__((ccffi("python", "py_cb2", 1, 1)));

/* What a module init does before the sentinel: use the table through an
 * extern declaration, taking its length from the header (cct_header's
 * total_size is at byte 16), since sizeof is not known yet here. */
extern const char _ccffi_type_table[];
unsigned table_total_size(void)
{
    unsigned total;
    memcpy(&total, _ccffi_type_table + 16, sizeof total);
    return total;
}

/* -------------------------------------------------------------- sentinel */
__attribute__((ccffi("table"), used, visibility("default")))
const char _ccffi_type_table[] = "";
