/* same_layout.h - declarations that are both C and a complete cdef: the
 * plugin's table for them (same_layout.c) must equal the one the cdef parser
 * and the ABI-mode layout engine build (dump_table -c same_layout.h). */
struct sl_point { int x, y; };
struct sl_mixed { char c; double d; short s; char *name; struct sl_point p[3]; long long ll; };
struct sl_bits { unsigned a : 3; int b : 5; unsigned : 0; unsigned long long c : 40;
                 signed char d : 2; _Bool e : 1; };
struct sl_straddle { char c; unsigned int x : 30; unsigned int y : 30; short s : 9; short t : 9; };
struct sl_unnamed { int a : 4; int : 6; int b : 4; char c; long long : 0; char d; };
struct sl_chars { char a : 3; char b : 6; unsigned char c : 8; char d; };
struct sl_wide { unsigned long long a : 63; unsigned long long b : 2; int c; };
struct sl_anon { int kind; union { int i; double d; }; struct { char tag; short n; } named;
                 struct { int deep; union { char x; long y; }; }; };
struct sl_flex { unsigned long n; int items[]; };
union sl_number { int i; double d; char bytes[12]; };
enum sl_color { SL_RED, SL_GREEN = 5, SL_BLUE };
enum sl_signed { SL_NEG = -3, SL_POS = 3 };
typedef struct { int a; struct sl_point *next; } sl_anon_t;
struct sl_list { struct sl_list *next; int (*cmp)(void *, void *); enum sl_color c;
                 sl_anon_t *a; float f[2][3]; };
