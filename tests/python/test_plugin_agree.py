"""The two plugins agree: the same generated source, compiled by gcc with
the GCC plugin and by clang with the Clang plugin, carries byte-identical
type tables.  The sources are those the code generator writes for a corpus
of cdefs covering what the API-mode tests use (partial structs, bitfields,
packed and anonymous members, flexible arrays, enums with `...`, every
constant kind, `int...`, `[...]`, prototypes, globals, extern "Python"),
plus the hand-written marker files of tests/plugin/, in C and in C++.
Where the compilers differ (an enumerator outside int range, long double),
the plugins normalise as runtime/table/table_format.h says."""
import os
import subprocess
import sysconfig
import textwrap

import pytest

from cffi import FFI

from plugin_compilers import CLANG, GCC, SRCDIR

pytestmark = pytest.mark.skipif(
    not (os.path.exists(GCC.plugin) and os.path.exists(CLANG.plugin)),
    reason="needs both the GCC and the Clang plugin")

CASES = os.path.join(SRCDIR, "tests", "plugin")
LANGS = ["c", "c++"]

# (cdef, source[, {"packed": cdef compiled with packed=True}])
CORPUS = {
    "functions": ("""
        int add(int, int);
        double scale(double, float);
        unsigned char low(unsigned int);
        void nothing(void);
        long long big(void);
        int sum(int, ...);
        size_t sized(size_t, int32_t, uint8_t *);
        void (*pick(int))(int);
        int apply(int (*)(int), int);
    """, """
        #include <stdarg.h>
        int add(int a, int b) { return a + b; }
        double scale(double x, float f) { return x * f; }
        unsigned char low(unsigned int x) { return (unsigned char)x; }
        void nothing(void) { }
        long long big(void) { return 1LL << 40; }
        int sum(int n, ...) { (void)n; return 0; }
        size_t sized(size_t n, int32_t i, uint8_t *p) { return n + i + *p; }
        static void noop(int x) { (void)x; }
        void (*pick(int n))(int) { (void)n; return noop; }
        int apply(int (*f)(int), int x) { return f(x); }
    """),
    "structs": ("""
        struct point { int x, y; };
        struct rec { int b; ...; };
        typedef struct { char tag; ...; } tagged_t;
        struct point mid(struct point, struct point);
        struct flex { int n; int items[]; };
        struct anon { int kind; union { int i; double d; }; };
        struct list { struct list *next; struct point *p; };
    """, """
        struct point { int x, y; };
        struct rec { char a; long pad[3]; int b; short c; };
        typedef struct { int pad; char tag; } tagged_t;
        struct point mid(struct point a, struct point b) { return a; (void)b; }
        struct flex { int n; int items[]; };
        struct anon { int kind; union { int i; double d; }; };
        struct list { struct list *next; struct point *p; };
    """),
    "bitfields": ("""
        struct flags { unsigned a : 3; int b : 5; unsigned char c; };
        struct wide { unsigned long long x : 40; signed char y : 2; };
    """, """
        struct flags { unsigned a : 3; int b : 5; unsigned char c; };
        struct wide { unsigned long long x : 40; signed char y : 2; };
        struct __attribute__((packed)) tight { char c; int i; unsigned z : 9; };
    """, {"packed": "struct tight { char c; int i; unsigned z : 9; };"}),
    "opaque": ("""
        typedef ... handle_t;
        struct fwd;
        handle_t *make(void);
        int peek(handle_t *);
        struct fwd *other(void);
    """, """
        typedef struct { int secret; } handle_t;
        struct fwd { int x; };
        static handle_t the_one = { 99 };
        handle_t *make(void) { return &the_one; }
        int peek(handle_t *h) { return h->secret; }
        struct fwd *other(void) { return 0; }
    """),
    "sizes": ("""
        typedef int... small_t;
        typedef float... real_t;
        typedef int... big_t;
        small_t id(small_t);
        struct buf { int data[...]; ...; };
        extern int table[...];
    """, """
        typedef short small_t;
        typedef double real_t;
        typedef unsigned long long big_t;
        small_t id(small_t x) { return x; }
        struct buf { int n; int data[17]; };
        int table[9] = { 1, 2, 3 };
    """),
    "enums": ("""
        enum color { RED, GREEN, ... };
        enum level { LOW = ..., HIGH = ... };
        enum fixed { F_A = 1, F_B = 2 };
        typedef enum { M_X, M_Y } mode_t_;
    """, """
        enum color { RED, BLUE = 5, GREEN };
        enum level { LOW = -2, HIGH = 1000 };
        enum fixed { F_A = 1, F_B = 2 };
        typedef enum { M_X, M_Y } mode_t_;
    """),
    "constants": ("""
        #define ANSWER ...
        #define NEG ...
        #define HUGE_U ...
        #define PI_ISH ...
        #define SMALL_F ...
        #define GREETING ...
        #define SIZE_C ...
        #define FIXED 12
        static const int LIMIT;
        static char *const NAME;
        static const double RATIO;
    """, """
        #define ANSWER 42
        #define NEG (-7)
        #define HUGE_U 0xffffffffffffffffULL
        #define PI_ISH 3.25
        #define SMALL_F 0.1f
        #define GREETING "hello"
        #define SIZE_C ((size_t)10)
        #define FIXED 12
        static const int LIMIT = 1000;
        static char *const NAME = "ccffi";
        static const double RATIO = 0.5;
    """),
    "globals": ("""
        extern int counter;
        extern const int fixed;
        struct pt { int x, y; };
        extern struct pt origin;
        extern char *names[3];
        extern int errno_like;
    """, """
        int counter = 5;
        const int fixed = 9;
        struct pt { int x, y; };
        struct pt origin = { 1, 2 };
        char *names[3];
        static int e_;
        #define errno_like (*(&e_))
    """),
    # C11 allows a typedef again: gcc merges it into <uchar.h>'s and the
    # type keeps the name char16_t without an original type
    "wide_chars_redeclared": ("""
        char16_t foo_2bytes(char16_t);
        char32_t foo_4bytes(char32_t);
        extern wchar_t wide;
    """, """
        #include <stdint.h>
        #include <stddef.h>
        #if !defined(__cplusplus)
        typedef uint_least16_t char16_t;
        typedef uint_least32_t char32_t;
        typedef __WCHAR_TYPE__ wchar_t;
        #endif
        char16_t foo_2bytes(char16_t a) { return (char16_t)(a + 42); }
        char32_t foo_4bytes(char32_t a) { return (char32_t)(a + 42); }
        wchar_t wide;
    """),
    "macros_and_python": ("""
        int MAX(int, int);
        extern "Python" int on_event(int);
        extern "Python+C" void on_done(void);
        int fire(int);
    """, """
        #define MAX(a, b) ((a) > (b) ? (a) : (b))
        static int on_event(int);
        int fire(int x) { return on_event(x); }
    """),
}


def generate(tmp_path, name, lang):
    cdef, source = CORPUS[name][:2]
    extra = CORPUS[name][2] if len(CORPUS[name]) > 2 else {}
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef))
    if "packed" in extra:
        ffi.cdef(extra["packed"], packed=True)
    ffi.set_source("_agree_" + name, textwrap.dedent(source))
    path = tmp_path / ("_agree_%s.%s" % (name, "c" if lang == "c" else "cpp"))
    ffi.emit_c_code(str(path))
    return str(path)


def table_of(tmp_path, compiler, source, lang, extra=()):
    """The raw table the plugin writes for SOURCE (its dump argument)."""
    out = tmp_path / ("%s.%s.%s.bin" % (os.path.basename(source),
                                        compiler.name, lang))
    cmd = [compiler.command, "-x", lang, "-c", "-fPIC",
           "-I" + sysconfig.get_paths()["include"]] + compiler.plugin_flags()
    cmd += [compiler.arg_prefix + "dump=" + str(out)] + list(extra)
    cmd += [source, "-o", str(out) + ".o"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 and lang == "c++" and compiler is GCC and (
            "C sources only" in proc.stderr):
        pytest.skip("the GCC plugin reads no markers in C++ yet")
    assert proc.returncode == 0, proc.stderr
    return out.read_bytes()


def assert_same_tables(tmp_path, source, lang, extra=()):
    gcc = table_of(tmp_path, GCC, source, lang, extra)
    clang = table_of(tmp_path, CLANG, source, lang, extra)
    assert gcc[:8] == b"CCFFITB\0"
    if gcc != clang:
        from test_gcc_plugin import dump   # readable difference
        a, b = tmp_path / "gcc.bin", tmp_path / "clang.bin"
        a.write_bytes(gcc)
        b.write_bytes(clang)
        assert dump(str(b), raw=True) == dump(str(a), raw=True)
    assert gcc == clang


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_generated_sources_give_identical_tables(tmp_path, name, lang):
    assert_same_tables(tmp_path, generate(tmp_path, name, lang), lang)


@pytest.mark.parametrize("name", ["layouts", "values", "agree_edge"])
def test_marker_files_give_identical_tables(tmp_path, name):
    assert_same_tables(tmp_path, os.path.join(CASES, name + ".c"), "c")


@pytest.mark.parametrize("options", ["-O0", "-O2", "-g"])
def test_options_do_not_change_the_table(tmp_path, options):
    source = generate(tmp_path, "structs", "c")
    assert_same_tables(tmp_path, source, "c", options.split())
