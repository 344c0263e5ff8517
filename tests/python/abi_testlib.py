"""Shared by the ABI-mode tests: the cdef of tests/lib/testlib.c and a
helper opening it.  make check builds the library and names it in
CCFFI_TESTLIB."""
import os

import pytest

CDEF = """
int tl_nothing_calls;
void tl_nothing(void);
int tl_fortytwo(void);
int tl_add(int a, int b);
int8_t tl_neg8(int8_t);
uint8_t tl_inc_u8(uint8_t);
int16_t tl_neg16(int16_t);
uint16_t tl_inc_u16(uint16_t);
int32_t tl_neg32(int32_t);
uint32_t tl_inc_u32(uint32_t);
int64_t tl_neg64(int64_t);
uint64_t tl_inc_u64(uint64_t);
long tl_sum_long(long, long, long);
unsigned long long tl_mul_ull(unsigned long long, unsigned long long);
double tl_add_double(double, double);
float tl_add_float(float, float);
long double tl_mul_ldouble(long double, long double);
_Bool tl_not(_Bool);
char tl_upper(char);
double tl_many(int a, double b, int c, double d, int e, double f,
               int g, double h, int i, double j, int k, double l,
               int m, double n, int o, double p, int q, double r);

double tl_regs(int8_t a, float b, uint16_t c, double d, int64_t e,
               float f, unsigned char g, double h, _Bool i, float j,
               long k, double l, double m, float n);
float tl_float_of(int8_t a, uint32_t b);

size_t tl_strlen(const char *s);
int tl_is_null(const void *p);
const char *tl_greeting(void);
void tl_fill(int *out, int n);
int tl_sum_array(const int *a, int n);
void tl_upcase(char *s);

struct tl_point { int x, y; };
struct tl_pair { double a; long b; };
struct tl_big { long a, b, c; double d; };
struct tl_floats { float a, b, c; };
struct tl_mixed { char c; short s; int i; double d; };
union tl_num { int i; float f; double d; };
struct tl_point tl_make_point(int x, int y);
int tl_point_sum(struct tl_point p);
void tl_point_move(struct tl_point *p, int dx, int dy);
int tl_point_ptr_sum(const struct tl_point *p);
struct tl_pair tl_make_pair(double a, long b);
double tl_pair_sum(struct tl_pair p);
struct tl_big tl_make_big(long a, long b, long c, double d);
double tl_big_sum(struct tl_big b);
struct tl_big tl_big_twice(struct tl_big b);
struct tl_floats tl_make_floats(float a, float b, float c);
float tl_floats_sum(struct tl_floats f);
double tl_mixed_sum(struct tl_mixed m);
union tl_num tl_num_from_int(int i);
double tl_num_as_double(union tl_num n);

struct tl_nested { struct tl_point p; char tag[4]; };
struct tl_fi { float f; int i; };
struct tl_bits { unsigned a : 3, b : 5; int c : 10; };
struct tl_ld { long double x; };
struct tl_nested tl_make_nested(int x, int y, char c);
int tl_nested_sum(struct tl_nested n);
struct tl_fi tl_make_fi(float f, int i);
double tl_fi_sum(struct tl_fi r);
struct tl_bits tl_make_bits(unsigned a, unsigned b, int c);
int tl_bits_sum(struct tl_bits r);
struct tl_ld tl_make_ld(long double x);
long double tl_ld_twice(struct tl_ld r);

struct tl_huge { char data[600]; int tag; };
int tl_huge_tag(struct tl_huge h);
struct tl_huge tl_make_huge(int tag);

int tl_sum_ints(int n, ...);
double tl_sum_doubles(int n, ...);
int tl_format(char *buf, size_t size, const char *fmt, ...);

int tl_apply(int (*f)(int), int x);
double tl_apply_d(double (*f)(double, double), double a, double b);
void tl_call_void(void (*f)(void), int times);
int tl_apply_point(int (*f)(struct tl_point), int x, int y);
struct tl_big tl_apply_big(struct tl_big (*f)(struct tl_big), long v);
int tl_apply_str(int (*f)(const char *), const char *s);
long tl_sum_callback(int (*f)(int), int n);
int tl_apply_in_threads(int (*f)(int), int arg, int nthreads);
double tl_apply_many(double (*f)(int, double, int, double, int, double,
                                 int, double, int, double, int, double),
                     int base);
int tl_apply_small(signed char (*f)(unsigned short, signed char), int x);

int tl_counter;
const int tl_const_value;
double tl_ratio;
struct tl_point tl_origin;
int tl_table[5];
const char *tl_name;
int (*tl_hook)(int);
int tl_read_counter(void);
int tl_origin_sum(void);
int tl_table_sum(void);
int tl_call_hook(int x);

int tl_set_errno(int e);
int tl_get_errno(void);

#define TL_ANSWER 42
#define TL_MASK 0xff00
enum tl_color { TL_RED, TL_GREEN = 5, TL_BLUE };
"""


PACKED_CDEF = """
struct tl_packed { char c; double d; };
struct tl_packed tl_make_packed(char c, double d);
double tl_packed_sum(struct tl_packed p);
"""


def shared_lib_path():
    path = os.environ.get("CCFFI_TESTLIB")
    if not path or not os.path.exists(path):
        pytest.skip("CCFFI_TESTLIB not set: run through make check")
    return path


def open_testlib(ffi):
    """cdef() the test library's declarations and dlopen() it."""
    ffi.cdef(CDEF)
    return ffi.dlopen(shared_lib_path())
