/* mismatch.c - one cdef/header contradiction per CASE_* macro, for the
 * plugin's diagnostics (tests/python/test_gcc_plugin.py compiles it with
 * -DCASE_<NAME> and checks the error); CASE_AGREE compiles cleanly. */
#include <stddef.h>

#include "mismatch.h"

/* --------------------------------------------------------------- markers */
#if defined(CASE_AGREE)
struct _ccffi_cdef_s { int a; long b; unsigned c : 3; };
typedef struct _ccffi_cdef_s _ccffi_t0 __attribute__((ccffi("struct", "s", 3)));
typedef struct { char tag; union { int i; double d; }; } _ccffi_cdef_tagged_t;
typedef _ccffi_cdef_tagged_t _ccffi_t1 __attribute__((ccffi("typedef", "tagged_t", 3)));
typedef int _ccffi_c0 __attribute__((ccffi("enumconst", "E_TWO", 0, 2)));
static const __typeof__(WIDTH) _ccffi_c1 __attribute__((ccffi("const", "WIDTH", 0, 80), unused)) = (WIDTH);
typedef long _ccffi_f0(char *, long) __attribute__((ccffi("function", "f", 0)));
typedef int _ccffi_f1(int (*)(void *), ...) __attribute__((ccffi("function", "g", 1)));
typedef double _ccffi_g0 __attribute__((ccffi("global", "value", 0)));
#elif defined(CASE_PARTIAL_AGREE)
struct _ccffi_cdef_s { unsigned c : 3; long b; };
typedef struct _ccffi_cdef_s _ccffi_t0 __attribute__((ccffi("struct", "s", 6)));
typedef struct { double d; } _ccffi_cdef_tagged_t;
typedef _ccffi_cdef_tagged_t _ccffi_t1 __attribute__((ccffi("typedef", "tagged_t", 6)));
typedef struct s _ccffi_t2 __attribute__((ccffi("struct", "s", 2)));
#elif defined(CASE_PARTIAL_FIELD_TYPE)
struct _ccffi_cdef_s { char *b; };
typedef struct _ccffi_cdef_s _ccffi_t0 __attribute__((ccffi("struct", "s", 6)));
#elif defined(CASE_PARTIAL_FIELD_MISSING)
typedef struct { char tag; int nosuch; } _ccffi_cdef_tagged_t;
typedef _ccffi_cdef_tagged_t _ccffi_t1 __attribute__((ccffi("typedef", "tagged_t", 6)));
#elif defined(CASE_FIELD_TYPE)
struct _ccffi_cdef_s { int a; int b; unsigned c : 3; };
typedef struct _ccffi_cdef_s _ccffi_t0 __attribute__((ccffi("struct", "s", 3)));
#elif defined(CASE_FIELD_MISSING)
struct _ccffi_cdef_s { int a; long b; };
typedef struct _ccffi_cdef_s _ccffi_t0 __attribute__((ccffi("struct", "s", 3)));
#elif defined(CASE_FIELD_NAME)
struct _ccffi_cdef_s { int a; long bb; unsigned c : 3; };
typedef struct _ccffi_cdef_s _ccffi_t0 __attribute__((ccffi("struct", "s", 3)));
#elif defined(CASE_BITFIELD_WIDTH)
struct _ccffi_cdef_s { int a; long b; unsigned c : 4; };
typedef struct _ccffi_cdef_s _ccffi_t0 __attribute__((ccffi("struct", "s", 3)));
#elif defined(CASE_ANON_MEMBER)
typedef struct { char tag; union { int i; float d; }; } _ccffi_cdef_tagged_t;
typedef _ccffi_cdef_tagged_t _ccffi_t1 __attribute__((ccffi("typedef", "tagged_t", 3)));
#elif defined(CASE_INCOMPLETE)
typedef struct incomplete _ccffi_t0 __attribute__((ccffi("struct", "incomplete", 2)));
#elif defined(CASE_ENUM_VALUE)
typedef int _ccffi_c0 __attribute__((ccffi("enumconst", "E_TWO", 0, 3)));
#elif defined(CASE_ENUM_CHECK_ONLY)
typedef int _ccffi_c0 __attribute__((ccffi("enumconst", "E_ONE", 1, 2)));
#elif defined(CASE_MACRO_VALUE)
static const __typeof__(WIDTH) _ccffi_c1 __attribute__((ccffi("const", "WIDTH", 0, 81), unused)) = (WIDTH);
#elif defined(CASE_FUNCTION_POINTER_ARG)
typedef int _ccffi_f0(int *, int) __attribute__((ccffi("function", "f", 0)));
#elif defined(CASE_FUNCTION_ARG_COUNT)
typedef int _ccffi_f0(const char *) __attribute__((ccffi("function", "f", 0)));
#elif defined(CASE_FUNCTION_CALLBACK)
typedef int _ccffi_f1(int (*)(int), ...) __attribute__((ccffi("function", "g", 1)));
#elif defined(CASE_FUNCTION_MISSING)
typedef int _ccffi_f2(void) __attribute__((ccffi("function", "nosuch", 2)));
#elif defined(CASE_GLOBAL_TYPE)
typedef float _ccffi_g0 __attribute__((ccffi("global", "value", 0)));
#elif defined(CASE_TAG_KIND)
typedef struct s _ccffi_t0 __attribute__((ccffi("union", "s", 2)));
#elif defined(CASE_NO_SENTINEL)
typedef struct s _ccffi_t0 __attribute__((ccffi("struct", "s")));
#define NO_SENTINEL
#elif defined(CASE_AFTER_SENTINEL)
__attribute__((ccffi("table"), used)) const char _ccffi_type_table[] = "";
typedef struct s _ccffi_t0 __attribute__((ccffi("struct", "s")));
#define NO_SENTINEL
#endif

#ifndef NO_SENTINEL
__attribute__((ccffi("table"), used, visibility("default")))
const char _ccffi_type_table[] = "";
#endif
