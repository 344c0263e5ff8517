/* testlib.c - the C library the ABI-mode tests call through ffi.dlopen().
 *
 * One function per signature class the call machinery must handle: no
 * arguments, every integer size, floating types including long double, bool,
 * char, pointers, structs and unions by value (small ones that travel in
 * registers, large ones that travel in memory), variadic functions, callbacks
 * (also from a thread Python never saw), global variables of scalar, struct
 * and array types, and errno setters.  Built by `make check` as a shared
 * module; tests/python/test_dlopen.py and friends find it through the
 * CCFFI_TESTLIB environment variable.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

/* ------------------------------------------------------------ scalars */

EXPORT int tl_nothing_calls;
EXPORT void tl_nothing(void) { tl_nothing_calls++; }
EXPORT int tl_fortytwo(void) { return 42; }
EXPORT int tl_add(int a, int b) { return a + b; }
EXPORT int8_t tl_neg8(int8_t x) { return (int8_t)-x; }
EXPORT uint8_t tl_inc_u8(uint8_t x) { return (uint8_t)(x + 1); }
EXPORT int16_t tl_neg16(int16_t x) { return (int16_t)-x; }
EXPORT uint16_t tl_inc_u16(uint16_t x) { return (uint16_t)(x + 1); }
EXPORT int32_t tl_neg32(int32_t x) { return -x; }
EXPORT uint32_t tl_inc_u32(uint32_t x) { return x + 1; }
EXPORT int64_t tl_neg64(int64_t x) { return -x; }
EXPORT uint64_t tl_inc_u64(uint64_t x) { return x + 1; }
EXPORT long tl_sum_long(long a, long b, long c) { return a + b + c; }
EXPORT unsigned long long tl_mul_ull(unsigned long long a, unsigned long long b)
{
    return a * b;
}
EXPORT double tl_add_double(double a, double b) { return a + b; }
EXPORT float tl_add_float(float a, float b) { return a + b; }
EXPORT long double tl_mul_ldouble(long double a, long double b) { return a * b; }
EXPORT bool tl_not(bool b) { return !b; }
EXPORT char tl_upper(char c) { return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c; }

/* Many arguments: more than fit in registers, mixing ints and doubles. */
EXPORT double tl_many(int a, double b, int c, double d, int e, double f,
                      int g, double h, int i, double j, int k, double l,
                      int m, double n, int o, double p, int q, double r)
{
    return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q + r;
}

/* Exactly fills the argument registers: 6 integer-class, 8 float-class
 * arguments of mixed sizes, interleaved. */
EXPORT double tl_regs(int8_t a, float b, uint16_t c, double d, int64_t e,
                      float f, unsigned char g, double h, bool i, float j,
                      long k, double l, double m, float n)
{
    return a + b + c + d + (double)e + f + g + h + i + j + (double)k + l + m + n;
}
EXPORT float tl_float_of(int8_t a, uint32_t b) { return (float)a * 0.5f + (float)b; }

/* ------------------------------------------------------------ pointers */

EXPORT size_t tl_strlen(const char *s) { return s ? strlen(s) : (size_t)-1; }
EXPORT int tl_is_null(const void *p) { return p == NULL; }
EXPORT const char *tl_greeting(void) { return "hello"; }
EXPORT void tl_fill(int *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = i * i;
}
EXPORT int tl_sum_array(const int *a, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += a[i];
    return s;
}
EXPORT void tl_upcase(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z')
            *s = (char)(*s - 32);
}

/* ------------------------------------------------------------ structs */

struct tl_point { int x, y; };                  /* 8 bytes: one register */
struct tl_pair { double a; long b; };           /* 16 bytes: SSE + INTEGER */
struct tl_big { long a, b, c; double d; };      /* 32 bytes: in memory */
struct tl_floats { float a, b, c; };            /* 12 bytes: two SSE words */
struct tl_mixed { char c; short s; int i; double d; };
union tl_num { int i; float f; double d; };

EXPORT struct tl_point tl_make_point(int x, int y)
{
    struct tl_point p = { x, y };
    return p;
}
EXPORT int tl_point_sum(struct tl_point p) { return p.x + p.y; }
EXPORT void tl_point_move(struct tl_point *p, int dx, int dy)
{
    p->x += dx;
    p->y += dy;
}
EXPORT int tl_point_ptr_sum(const struct tl_point *p) { return p->x + p->y; }
EXPORT struct tl_pair tl_make_pair(double a, long b)
{
    struct tl_pair p = { a, b };
    return p;
}
EXPORT double tl_pair_sum(struct tl_pair p) { return p.a + (double)p.b; }
EXPORT struct tl_big tl_make_big(long a, long b, long c, double d)
{
    struct tl_big r = { a, b, c, d };
    return r;
}
EXPORT double tl_big_sum(struct tl_big b) { return (double)(b.a + b.b + b.c) + b.d; }
EXPORT struct tl_big tl_big_twice(struct tl_big b)
{
    b.a *= 2; b.b *= 2; b.c *= 2; b.d *= 2;
    return b;
}
EXPORT struct tl_floats tl_make_floats(float a, float b, float c)
{
    struct tl_floats f = { a, b, c };
    return f;
}
EXPORT float tl_floats_sum(struct tl_floats f) { return f.a + f.b + f.c; }
EXPORT double tl_mixed_sum(struct tl_mixed m) { return m.c + m.s + m.i + m.d; }
EXPORT union tl_num tl_num_from_int(int i)
{
    union tl_num n;
    memset(&n, 0, sizeof n);
    n.i = i;
    return n;
}
EXPORT double tl_num_as_double(union tl_num n) { return n.d; }

/* Records whose classification needs care: nested members and arrays,
 * floats sharing an eightbyte with ints, a packed record with a misaligned
 * double (memory class), bitfields, a lone long double (x87 class). */
struct tl_nested { struct tl_point p; char tag[4]; };
struct tl_fi { float f; int i; };
struct __attribute__((packed)) tl_packed { char c; double d; };
struct tl_bits { unsigned a : 3, b : 5; int c : 10; };
struct tl_ld { long double x; };

EXPORT struct tl_nested tl_make_nested(int x, int y, char c)
{
    struct tl_nested n = { { x, y }, { c, c, c, 0 } };
    return n;
}
EXPORT int tl_nested_sum(struct tl_nested n)
{
    return n.p.x + n.p.y + n.tag[0] + n.tag[1] + n.tag[2] + n.tag[3];
}
EXPORT struct tl_fi tl_make_fi(float f, int i)
{
    struct tl_fi r = { f, i };
    return r;
}
EXPORT double tl_fi_sum(struct tl_fi r) { return r.f + r.i; }
EXPORT struct tl_packed tl_make_packed(char c, double d)
{
    struct tl_packed p = { c, d };
    return p;
}
EXPORT double tl_packed_sum(struct tl_packed p) { return p.c + p.d; }
EXPORT struct tl_bits tl_make_bits(unsigned a, unsigned b, int c)
{
    struct tl_bits r = { a, b, c };
    return r;
}
EXPORT int tl_bits_sum(struct tl_bits r) { return (int)(r.a + r.b) + r.c; }
EXPORT struct tl_ld tl_make_ld(long double x)
{
    struct tl_ld r = { x };
    return r;
}
EXPORT long double tl_ld_twice(struct tl_ld r) { return r.x * 2; }

/* Larger than the call machinery's stack buffer. */
struct tl_huge { char data[600]; int tag; };
EXPORT int tl_huge_tag(struct tl_huge h) { return h.tag + h.data[599]; }
EXPORT struct tl_huge tl_make_huge(int tag)
{
    struct tl_huge h;
    memset(h.data, 1, sizeof h.data);
    h.tag = tag;
    return h;
}

/* ------------------------------------------------------------ variadic */

/* Sums `n` ints passed after n. */
EXPORT int tl_sum_ints(int n, ...)
{
    va_list ap;
    int s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        s += va_arg(ap, int);
    va_end(ap);
    return s;
}
/* Sums `n` doubles (floats arrive promoted to double). */
EXPORT double tl_sum_doubles(int n, ...)
{
    va_list ap;
    double s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        s += va_arg(ap, double);
    va_end(ap);
    return s;
}
/* Writes into buf with vsnprintf; returns its result. */
EXPORT int tl_format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return r;
}

/* ------------------------------------------------------------ callbacks */

EXPORT int tl_apply(int (*f)(int), int x) { return f(x); }
EXPORT double tl_apply_d(double (*f)(double, double), double a, double b)
{
    return f(a, b);
}
EXPORT void tl_call_void(void (*f)(void), int times)
{
    for (int i = 0; i < times; i++)
        f();
}
EXPORT int tl_apply_point(int (*f)(struct tl_point), int x, int y)
{
    struct tl_point p = { x, y };
    return f(p);
}
EXPORT struct tl_big tl_apply_big(struct tl_big (*f)(struct tl_big), long v)
{
    struct tl_big b = { v, v + 1, v + 2, (double)v / 2 };
    return f(b);
}
EXPORT int tl_apply_str(int (*f)(const char *), const char *s) { return f(s); }
/* A callback with many arguments of mixed classes. */
EXPORT double tl_apply_many(double (*f)(int, double, int, double, int, double,
                                        int, double, int, double, int, double),
                            int base)
{
    return f(base, base + 0.5, base + 1, base + 1.5, base + 2, base + 2.5,
             base + 3, base + 3.5, base + 4, base + 4.5, base + 5, base + 5.5);
}
EXPORT int tl_apply_small(signed char (*f)(unsigned short, signed char), int x)
{
    return f((unsigned short)x, (signed char)-x);
}
/* Calls f(i) for i in [0, n) and returns the sum: the callback loop the
 * benchmark measures. */
EXPORT long tl_sum_callback(int (*f)(int), int n)
{
    long s = 0;
    for (int i = 0; i < n; i++)
        s += f(i);
    return s;
}

struct tl_thread_job { int (*f)(int); int arg; int result; };

static void *tl_thread_main(void *p)
{
    struct tl_thread_job *job = p;
    job->result = job->f(job->arg);
    return NULL;
}

/* Calls f(arg) from `nthreads` fresh pthreads and returns the sum of the
 * results (or -1000000 if a thread cannot be created). */
EXPORT int tl_apply_in_threads(int (*f)(int), int arg, int nthreads)
{
    struct tl_thread_job jobs[16];
    pthread_t tids[16];
    if (nthreads > 16)
        nthreads = 16;
    for (int i = 0; i < nthreads; i++) {
        jobs[i].f = f;
        jobs[i].arg = arg + i;
        jobs[i].result = 0;
        if (pthread_create(&tids[i], NULL, tl_thread_main, &jobs[i]) != 0)
            return -1000000;
    }
    int sum = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(tids[i], NULL);
        sum += jobs[i].result;
    }
    return sum;
}

/* Calls f(i) for i in [0, ncalls) from each of `nthreads` fresh pthreads
 * (at most 16), joins them and returns the sum of every result, or -1 if a
 * thread cannot be created: many callbacks from threads Python never saw. */
struct tl_loop_job { int (*f)(int); int ncalls; long sum; };

static void *tl_loop_main(void *p)
{
    struct tl_loop_job *job = p;
    job->sum = tl_sum_callback(job->f, job->ncalls);
    return NULL;
}

EXPORT long tl_callbacks_in_threads(int (*f)(int), int nthreads, int ncalls)
{
    struct tl_loop_job jobs[16];
    pthread_t tids[16];
    if (nthreads > 16)
        nthreads = 16;
    int started = 0;
    for (; started < nthreads; started++) {
        jobs[started].f = f;
        jobs[started].ncalls = ncalls;
        jobs[started].sum = 0;
        if (pthread_create(&tids[started], NULL, tl_loop_main, &jobs[started]) != 0)
            break;
    }
    long sum = 0;
    for (int i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
        sum += jobs[i].sum;
    }
    return started == nthreads ? sum : -1;
}

/* Starts a detached pthread calling f(i) for i = 0, 1, 2, ... until
 * tl_stop_callbacks() (it outlives Python if never stopped); 0 if started. */
static volatile int tl_callbacks_stop;

static void *tl_forever_main(void *p)
{
    int (*f)(int) = (int (*)(int))p;
    for (int i = 0; !tl_callbacks_stop; i++)
        f(i);
    return NULL;
}

EXPORT int tl_start_callback_thread(int (*f)(int))
{
    pthread_t tid;
    tl_callbacks_stop = 0;
    if (pthread_create(&tid, NULL, tl_forever_main, (void *)f) != 0)
        return -1;
    pthread_detach(tid);
    return 0;
}

EXPORT void tl_stop_callbacks(void) { tl_callbacks_stop = 1; }

/* ------------------------------------------------------------ globals */

EXPORT int tl_counter = 7;
EXPORT const int tl_const_value = 99;
EXPORT double tl_ratio = 0.5;
EXPORT struct tl_point tl_origin = { 3, 4 };
EXPORT int tl_table[5] = { 1, 2, 3, 4, 5 };
EXPORT const char *tl_name = "testlib";
EXPORT int (*tl_hook)(int) = NULL;

EXPORT int tl_read_counter(void) { return tl_counter; }
EXPORT int tl_origin_sum(void) { return tl_origin.x + tl_origin.y; }
EXPORT int tl_table_sum(void)
{
    int s = 0;
    for (int i = 0; i < 5; i++)
        s += tl_table[i];
    return s;
}
EXPORT int tl_call_hook(int x) { return tl_hook ? tl_hook(x) : -1; }

/* ------------------------------------------------------------ errno */

EXPORT int tl_set_errno(int e)
{
    errno = e;
    return -1;
}
EXPORT int tl_get_errno(void) { return errno; }
