/* agree_edge.c - marker file for tests/python/test_plugin_agree.py: the corners
 * where gcc and clang see types differently (enumerators outside int range,
 * typeof of a cast, [0] arrays, __int128 and other members the table has no
 * kind for, #pragma pack, typedef chains, C++-only character types in C
 * spelled through <uchar.h>); both plugins must write the same table. */
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#include <uchar.h>
enum big { BIG_NEG = -1, BIG_HUGE = 0x7fffffffffffffffLL };
enum ubig { UBIG = 0xffffffffffffffffULL };
enum small { S_A = 1 };
#define M_BIG BIG_HUGE
#define M_LD 1.5L
#define M_NULL ((void *)0)
#define M_PTR ((char *)16)
#define M_SZ ((size_t)10)
#define M_BOOL ((_Bool)1)
#define M_NEG_LL (-5LL)
#define M_ENUM S_A
struct e1 { long double ld; __int128 i; unsigned __int128 u; _Complex long double cld; int v __attribute__((vector_size(16))); __float128 f128; _Complex int ci; char16_t c16; char32_t c32; wchar_t wc; };
typedef struct { int a; } A1, B1;
typedef B1 C1;
struct uses { C1 c; A1 *a; B1 b[2]; const size_t csz[3]; volatile int vi; int32_t arr2[2][3]; struct { int q; } *anonp; union { char c; } u_anon_field; };
#pragma pack(push, 2)
struct pk { char c; int i; unsigned b : 4; long long l; };
#pragma pack(pop)
struct __attribute__((aligned(16))) al { char c; };
struct zero { int n; int z[0]; };
typedef int fn_t(int);
typedef fn_t *fnp_t;
struct fns { fnp_t f; fn_t *g; void (*h)(const char *const, int[5]); };
typedef enum { TE_A = -3, TE_B } te_t;
typedef const char *cstr;
extern const int carr[3];
extern cstr names2[];
int takes(cstr s, const te_t t, enum big b, size_t n, uint8_t u8, long double ld, _Bool bl);
struct nested { struct inner { int x; } in; enum { NE_A, NE_B } e; };
typedef struct nested nested_t;
struct bitmix { char a : 3; short b : 9; int c : 17; long d : 33; unsigned long long e : 1; _Bool f : 1; enum small g : 2; };
struct __attribute__((packed)) pbits { char a; int b : 31; long c : 40; };
#define STR_CAT "ab" "cd"
#define CHR 'x'
static const float SF = 1.25f;
static const long double SLD = 2.5L;
static const unsigned short SUS = 65535;
static const te_t STE = TE_B;
typedef struct nested _ccffi_t0 __attribute__((ccffi("struct", "nested", 2)));
typedef struct e1 _ccffi_t1 __attribute__((ccffi("struct", "e1", 2)));
typedef struct uses _ccffi_t2 __attribute__((ccffi("struct", "uses", 2)));
typedef struct pk _ccffi_t3 __attribute__((ccffi("struct", "pk", 2)));
typedef struct al _ccffi_t4 __attribute__((ccffi("struct", "al", 2)));
typedef struct zero _ccffi_t5 __attribute__((ccffi("struct", "zero", 2)));
typedef struct fns _ccffi_t6 __attribute__((ccffi("struct", "fns", 2)));
typedef te_t _ccffi_t7 __attribute__((ccffi("typedef", "te_t")));
typedef C1 _ccffi_t8 __attribute__((ccffi("typedef", "C1")));
typedef B1 _ccffi_t9 __attribute__((ccffi("typedef", "B1")));
typedef nested_t _ccffi_t10 __attribute__((ccffi("typedef", "nested_t")));
typedef struct bitmix _ccffi_t11 __attribute__((ccffi("struct", "bitmix", 2)));
typedef struct pbits _ccffi_t12 __attribute__((ccffi("struct", "pbits", 2)));
typedef enum big _ccffi_t13 __attribute__((ccffi("enum", "big")));
typedef int _ccffi_c0 __attribute__((ccffi("enumconst", "BIG_HUGE")));
typedef int _ccffi_c1 __attribute__((ccffi("enumconst", "UBIG")));
typedef int _ccffi_c2 __attribute__((ccffi("enumconst", "BIG_NEG")));
typedef int _ccffi_c2b __attribute__((ccffi("enumconst", "NE_B")));
#define C(N, X) static const __typeof__(X) N __attribute__((ccffi("const", #X), unused)) = (X);
C(_ccffi_c3, M_BIG)
C(_ccffi_c4, M_LD)
C(_ccffi_c5, M_NULL)
C(_ccffi_c6, M_PTR)
C(_ccffi_c7, M_SZ)
C(_ccffi_c8, M_BOOL)
C(_ccffi_c9, M_NEG_LL)
C(_ccffi_c10, M_ENUM)
C(_ccffi_c11, STR_CAT)
C(_ccffi_c12, CHR)
typedef int _ccffi_c13 __attribute__((ccffi("enumconst", "SF")));
typedef int _ccffi_c14 __attribute__((ccffi("enumconst", "SLD")));
typedef int _ccffi_c15 __attribute__((ccffi("enumconst", "SUS")));
typedef int _ccffi_c16 __attribute__((ccffi("enumconst", "STE")));
typedef int _ccffi_f0(const char *, int, int, size_t, unsigned char, long double, _Bool) __attribute__((ccffi("function", "takes", 0)));
typedef const int _ccffi_g0[3] __attribute__((ccffi("global", "carr", 0)));
typedef const char *_ccffi_g1[] __attribute__((ccffi("global", "names2", 1)));
typedef fn_t _ccffi_p0 __attribute__((ccffi("python", "pyf", 0)));
__attribute__((ccffi("table"), used, visibility("default")))
const char _ccffi_type_table[] = "";
