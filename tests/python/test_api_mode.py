"""API mode end to end: set_source() + compile() with the ccffi plugin,
then importing the module and using its ffi and lib.

Each test builds a real extension module in a temporary directory, once
with gcc and the GCC plugin and once with clang and the Clang plugin
(plugin_compilers.py)."""
import importlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid

import pytest

import cffi
from cffi import FFI, VerificationError

from plugin_compilers import PARAMS


@pytest.fixture(autouse=True, params=PARAMS)
def compiler(request, monkeypatch, tmp_path):
    """Every test runs with each compiler (CC); the modules it imported from
    its tmp_path are forgotten afterwards, so that the next compiler's run
    imports its own build of a module of the same name."""
    monkeypatch.setenv("CC", request.param.command)
    before = set(sys.modules)
    yield request.param
    for name in set(sys.modules) - before:
        path = getattr(sys.modules[name], "__file__", None) or ""
        if path.startswith(str(tmp_path)):
            del sys.modules[name]


def build(tmp_path, cdef, source, name=None, include=None, packed_cdef=None,
          **kwds):
    """Compiles a module and returns it imported."""
    name = name or "_api_%s" % uuid.uuid4().hex[:10]
    ffi = FFI()
    if include is not None:
        ffi.include(include)
    ffi.cdef(textwrap.dedent(cdef))
    if packed_cdef is not None:
        ffi.cdef(textwrap.dedent(packed_cdef), packed=True)
    ffi.set_source(name, textwrap.dedent(source), **kwds)
    path = ffi.compile(tmpdir=str(tmp_path))
    assert os.path.isfile(path)
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def build_fails(tmp_path, cdef, source):
    """Compiles a module that must not build; returns the error text."""
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef))
    ffi.set_source("_api_bad_%s" % uuid.uuid4().hex[:8], textwrap.dedent(source))
    with pytest.raises(VerificationError) as info:
        ffi.compile(tmpdir=str(tmp_path))
    # gcc quotes with U+2018/U+2019 under a UTF-8 locale
    return str(info.value).replace("\u2018", "'").replace("\u2019", "'")


# ------------------------------------------------------------------ calls

def test_functions_are_called_directly(tmp_path):
    m = build(tmp_path, """
        int add(int, int);
        double scale(double, float);
        unsigned char low(unsigned int);
        void nothing(void);
        long long big(void);
    """, """
        int add(int a, int b) { return a + b; }
        double scale(double x, float f) { return x * f; }
        unsigned char low(unsigned int x) { return (unsigned char)x; }
        void nothing(void) { }
        long long big(void) { return 1LL << 40; }
    """)
    lib = m.lib
    assert lib.add(1, 2) == 3
    assert repr(m.ffi.typeof(lib.add)) == "<ctype 'int(*)(int, int)'>"
    assert repr(lib.add).startswith("<built-in method add")
    fp = m.ffi.addressof(lib, "add")
    assert repr(fp).startswith("<cdata 'int(*)(int, int)' 0x")
    assert fp(20, 22) == 42
    assert lib.add(-5, 2) == -3
    assert lib.scale(1.5, 2.0) == 3.0
    assert lib.low(0x1234) == 0x34
    assert lib.nothing() is None
    assert lib.big() == 1 << 40
    with pytest.raises(TypeError):
        lib.add(1)
    with pytest.raises(OverflowError):
        lib.add(1 << 40, 0)


def test_a_lib_function_passes_as_a_function_pointer(tmp_path):
    m = build(tmp_path, """
        int add(int, int);
        int twice(int);
        int plus(int, int);
        int apply(int (*)(int, int), int, int);
        struct ops { int (*op)(int, int); };
    """, """
        #define twice(x) (2 * (x))
        #define plus(a, b) ((a) + (b))
        int add(int a, int b) { return a + b; }
        int apply(int (*f)(int, int), int a, int b) { return f(a, b); }
        struct ops { int (*op)(int, int); };
    """)
    ffi, lib = m.ffi, m.lib
    assert lib.apply(lib.add, 2, 3) == 5
    ops = ffi.new("struct ops *", {"op": lib.add})
    assert ops.op(4, 5) == 9
    with pytest.raises(TypeError):
        lib.apply(lib.twice, 1, 2)      # not that function type
    # a function-like macro passes too, as in CFFI: its address is that of
    # a generated function of the cdef's type
    assert lib.apply(lib.plus, 1, 2) == 3
    assert lib.plus(1, 2) == 3


def test_misdeclared_integer_types_are_converted_by_the_compiler(tmp_path):
    # the cdef says long where the header says int: the trampoline's typed
    # call converts, as CFFI's API mode does
    m = build(tmp_path, "long twice(long);",
              "static int twice(int x) { return 2 * x; }")
    assert m.lib.twice(21) == 42


def test_function_like_macros_are_callable(tmp_path):
    m = build(tmp_path, "int square(int);",
              "#define square(x) ((x) * (x))")
    assert m.lib.square(7) == 49
    # as CFFI: the address of a generated function of the cdef's type
    p = m.ffi.addressof(m.lib, "square")
    assert m.ffi.typeof(p) == m.ffi.typeof("int(*)(int)")
    assert p(8) == 64


def test_structs_by_value(tmp_path):
    m = build(tmp_path, """
        struct pt { int x, y; };
        struct big { double d[5]; };
        struct pt mkpt(int, int);
        int sum(struct pt);
        struct big mkbig(double);
        double total(struct big);
    """, """
        struct pt { int x, y; };
        struct big { double d[5]; };
        struct pt mkpt(int x, int y) { struct pt p = { x, y }; return p; }
        int sum(struct pt p) { return p.x + p.y; }
        struct big mkbig(double v) { struct big b; for (int i = 0; i < 5; i++) b.d[i] = v * i; return b; }
        double total(struct big b) { double t = 0; for (int i = 0; i < 5; i++) t += b.d[i]; return t; }
    """)
    ffi, lib = m.ffi, m.lib
    p = lib.mkpt(3, 4)
    assert (p.x, p.y) == (3, 4)
    assert lib.sum(p) == 7
    assert lib.sum([10, 20]) == 30
    b = lib.mkbig(2.0)
    assert list(b.d) == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert lib.total(b) == 20.0


def test_variadic_functions(tmp_path):
    m = build(tmp_path, "int snprintf(char *, size_t, const char *, ...);",
              "#include <stdio.h>")
    ffi, lib = m.ffi, m.lib
    buf = ffi.new("char[64]")
    n = lib.snprintf(buf, 64, b"%d-%s-%.1f", ffi.cast("int", 42),
                     ffi.new("char[]", b"x"), ffi.cast("double", 1.5))
    assert ffi.string(buf) == b"42-x-1.5"
    assert n == 8
    with pytest.raises(TypeError) as info:
        lib.snprintf(buf, 64, b"%d", 42)
    assert "variadic" in str(info.value)


# ------------------------------------------------------------------ types

def test_partial_struct_gets_the_real_layout(tmp_path):
    m = build(tmp_path, """
        struct rec { int b; ...; };
    """, """
        struct rec { char a; long pad[3]; int b; short c; };
    """)
    ffi = m.ffi
    assert ffi.sizeof("struct rec") == 40
    assert ffi.offsetof("struct rec", "b") == 32
    p = ffi.new("struct rec *", {"b": 7})
    assert p.b == 7


def test_opaque_types(tmp_path):
    m = build(tmp_path, """
        typedef ... handle_t;
        handle_t *make(void);
        int peek(handle_t *);
    """, """
        typedef struct { int secret; } handle_t;
        static handle_t the_one = { 99 };
        handle_t *make(void) { return &the_one; }
        int peek(handle_t *h) { return h->secret; }
    """)
    h = m.lib.make()
    assert m.lib.peek(h) == 99
    with pytest.raises(m.ffi.error):
        m.ffi.sizeof("handle_t")


def test_integer_of_unknown_size(tmp_path):
    m = build(tmp_path, """
        typedef int... small_t;
        typedef float... real_t;
        small_t id(small_t);
    """, """
        typedef short small_t;
        typedef double real_t;
        small_t id(small_t x) { return x; }
    """)
    ffi = m.ffi
    assert ffi.sizeof("small_t") == 2
    assert ffi.sizeof("real_t") == 8
    assert m.lib.id(-3) == -3
    with pytest.raises(OverflowError):
        m.lib.id(1 << 20)


def test_enums_completed_by_the_compiler(tmp_path):
    m = build(tmp_path, """
        enum color { RED, GREEN, ... };
        enum level { LOW = ..., HIGH = ... };
    """, """
        enum color { RED, BLUE = 5, GREEN };
        enum level { LOW = -2, HIGH = 1000 };
    """)
    lib, ffi = m.lib, m.ffi
    assert (lib.RED, lib.GREEN) == (0, 6)
    assert {"RED", "GREEN", "LOW", "HIGH"} <= set(dir(lib))
    assert (lib.LOW, lib.HIGH) == (-2, 1000)
    assert ffi.string(ffi.cast("enum color", 6)) == "GREEN"


def test_macros_and_constants(tmp_path):
    m = build(tmp_path, """
        #define ANSWER ...
        #define NEG ...
        #define HUGE_U ...
        #define PI_ISH ...
        #define GREETING ...
        #define FIXED 12
        static const int LIMIT;
        static char *const NAME;
    """, """
        #define ANSWER 42
        #define NEG (-7)
        #define HUGE_U 0xffffffffffffffffULL
        #define PI_ISH 3.25
        #define GREETING "hello"
        #define FIXED 12
        static const int LIMIT = 1000;
        static char *const NAME = "ccffi";
    """)
    lib, ffi = m.lib, m.ffi
    assert lib.ANSWER == 42
    assert lib.NEG == -7
    assert lib.HUGE_U == (1 << 64) - 1
    assert lib.PI_ISH == 3.25
    assert ffi.string(lib.GREETING) == b"hello"
    assert lib.FIXED == 12
    assert lib.LIMIT == 1000
    assert ffi.string(lib.NAME) == b"ccffi"


def test_bitfields_and_packed_structs(tmp_path):
    m = build(tmp_path, """
        struct flags { unsigned a : 3; int b : 5; unsigned char c; };
    """, packed_cdef="struct tight { char c; int i; };", source="""
        struct flags { unsigned a : 3; int b : 5; unsigned char c; };
        struct __attribute__((packed)) tight { char c; int i; };
    """)
    ffi = m.ffi
    p = ffi.new("struct flags *")
    p.a = 5
    p.b = -3
    p.c = 200
    assert (p.a, p.b, p.c) == (5, -3, 200)
    with pytest.raises(OverflowError):
        p.a = 8
    assert ffi.sizeof("struct tight") == 5
    assert ffi.offsetof("struct tight", "i") == 1


def test_arrays_of_length_from_the_compiler(tmp_path):
    m = build(tmp_path, """
        struct buf { int data[...]; ...; };
        extern int table[...];
    """, """
        struct buf { int n; int data[17]; };
        int table[9] = { 1, 2, 3 };
    """)
    ffi, lib = m.ffi, m.lib
    assert ffi.sizeof("struct buf") == 18 * 4
    assert len(lib.table) == 9
    assert lib.table[2] == 3


def test_global_variables(tmp_path):
    m = build(tmp_path, """
        extern int counter;
        extern const int fixed;
        struct pt { int x, y; };
        extern struct pt origin;
        int bump(void);
    """, """
        int counter = 5;
        const int fixed = 11;
        struct pt { int x, y; };
        struct pt origin = { 1, 2 };
        int bump(void) { return ++counter; }
    """)
    lib, ffi = m.lib, m.ffi
    assert lib.counter == 5
    lib.counter = 41
    assert lib.bump() == 42
    assert lib.counter == 42
    assert lib.fixed == 11
    with pytest.raises(AttributeError):
        lib.fixed = 3
    assert (lib.origin.x, lib.origin.y) == (1, 2)
    lib.origin.y = 20
    p = ffi.addressof(lib, "origin")
    assert p.y == 20
    assert "counter" in dir(lib) and "bump" in dir(lib)
    with pytest.raises(AttributeError) as info:
        lib.missing
    name = m.__name__
    assert str(info.value) == ("cffi library '%s' has no function, constant "
                               "or global variable named 'missing'" % name)
    with pytest.raises(AttributeError) as info:
        lib.bump = 5
    assert str(info.value) == "cannot write to function or constant 'bump'"
    assert repr(lib) == "<Lib object for '%s'>" % name


def test_extern_python_called_from_c(tmp_path):
    m = build(tmp_path, """
        extern "Python" int visit(int);
        int walk(int);
    """, """
        static int visit(int);
        int walk(int n) { int t = 0; for (int i = 0; i < n; i++) t += visit(i); return t; }
    """)
    ffi, lib = m.ffi, m.lib
    seen = []

    @ffi.def_extern()
    def visit(i):
        seen.append(i)
        return i * 10

    assert lib.walk(4) == 60
    assert seen == [0, 1, 2, 3]


def test_extern_python_errors(tmp_path, capfd):
    m = build(tmp_path, """
        extern "Python" int cb(int);
        int call(int);
    """, """
        static int cb(int);
        int call(int x) { return cb(x); }
    """)
    ffi, lib = m.ffi, m.lib
    assert lib.call(1) == 0
    assert "no code was attached" in capfd.readouterr().err

    @ffi.def_extern(error=-1)
    def cb(x):
        raise ValueError("boom")

    seen = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append((u.err_msg, u.exc_value))
    try:
        assert lib.call(1) == -1
    finally:
        sys.unraisablehook = old_hook
    [(msg, exc)] = seen
    assert "from cffi callback" in msg and "cb" in msg
    assert isinstance(exc, ValueError) and str(exc) == "boom"

    got = []

    @ffi.def_extern(name="cb", onerror=lambda *exc: got.append(exc[0]) or 77)
    def other(x):
        return 1 // 0

    assert lib.call(1) == 77
    assert got == [ZeroDivisionError]
    with pytest.raises(ffi.error):
        ffi.def_extern(name="nope")(lambda: 0)


# ------------------------------------------------------- across modules

def test_include_between_modules_shares_types(tmp_path):
    base_name = "_api_base_%s" % uuid.uuid4().hex[:8]
    base = FFI()
    base.cdef("struct pt { int x, y; }; struct pt *origin(void);")
    base.set_source(base_name, """
        struct pt { int x, y; };
        static struct pt o = { -3, 4 };
        struct pt *origin(void) { return &o; }
    """)
    base.compile(tmpdir=str(tmp_path))
    m = build(tmp_path, "int norm1(struct pt *);", """
        struct pt { int x, y; };
        int norm1(struct pt *p) { return (p->x < 0 ? -p->x : p->x) + (p->y < 0 ? -p->y : p->y); }
    """, include=base)
    b = sys.modules[base_name]      # imported by m, as CFFI does
    assert m.ffi.typeof("struct pt *") is b.ffi.typeof("struct pt *")
    assert m.lib.norm1(b.ffi.new("struct pt *", [-3, 4])) == 7
    assert m.lib.norm1(b.lib.origin()) == 7
    assert m.lib.norm1(m.ffi.new("struct pt *", [1, -1])) == 2


def test_the_built_module_carries_its_table(tmp_path):
    m = build(tmp_path, "struct s { int a; ...; }; int get(struct s *);", """
        struct s { long pad; int a; };
        int get(struct s *p) { return p->a; }
    """, name="_api_copyme")
    so = m.__file__
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(so, fresh)
    code = textwrap.dedent("""
        import sys
        sys.path.insert(0, %r)
        import _api_copyme as m
        p = m.ffi.new("struct s *", {"a": 5})
        assert m.ffi.sizeof("struct s") == 16
        assert m.lib.get(p) == 5
        print("ok")
    """ % str(fresh))
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, env=env, cwd=str(fresh))
    assert out.stdout.strip() == "ok", out.stderr


def test_unchanged_input_is_not_recompiled(tmp_path):
    ffi = FFI()
    ffi.cdef("int one(void);")
    ffi.set_source("_api_same", "int one(void) { return 1; }")
    path = ffi.compile(tmpdir=str(tmp_path))
    first = os.stat(path).st_mtime_ns
    again = FFI()
    again.cdef("int one(void);")
    again.set_source("_api_same", "int one(void) { return 1; }")
    assert again.compile(tmpdir=str(tmp_path)) == path
    assert os.stat(path).st_mtime_ns == first


def test_emit_c_code_compiled_by_hand_gives_the_same_module(tmp_path):
    from cffi import _compiler
    ffi = FFI()
    ffi.cdef("struct s { int a; ...; }; int f(int);")
    ffi.set_source("_api_byhand", "struct s { char c; int a; };\n"
                   "int f(int x) { return x + 1; }")
    c_file = tmp_path / "_api_byhand.c"
    ffi.emit_c_code(str(c_file))
    import sysconfig
    so = tmp_path / ("_api_byhand" + sysconfig.get_config_var("EXT_SUFFIX"))
    cc = _compiler.compiler_command()
    subprocess.run(cc + _compiler.plugin_flags() + [
        "-fPIC", "-I" + sysconfig.get_paths()["include"], "-c", str(c_file),
        "-o", str(tmp_path / "x.o")], check=True)
    subprocess.run(cc + ["-shared", str(tmp_path / "x.o"), "-o", str(so)],
                   check=True)
    sys.path.insert(0, str(tmp_path))
    try:
        m = importlib.import_module("_api_byhand")
    finally:
        sys.path.remove(str(tmp_path))
    assert m.ffi.offsetof("struct s", "a") == 4
    assert m.lib.f(1) == 2


def test_generated_code_is_warning_free(tmp_path):
    ffi = FFI()
    ffi.cdef("""
        struct pt { int x, y; };
        typedef struct { char c; } tag_t;
        enum e { A, B, ... };
        #define K ...
        int twice(int);
        extern int g;
        extern "Python" int cb(int);
        int (*pick(int))(int);
    """)
    ffi.set_source("_api_warn", """
        struct pt { int x, y; };
        typedef struct { char c; } tag_t;
        enum e { A, B };
        #define K 3
        static int cb(int);
        static int twice(int x) { return 2 * x + cb(x); }
        int g;
        static int (*pick(int n))(int) { (void)n; return cb; }
    """, extra_compile_args=["-Wall", "-Wextra", "-Wconversion", "-Werror"])
    ffi.compile(tmpdir=str(tmp_path))


# --------------------------------------------------------- diagnostics

def test_mismatched_exact_struct_warns(tmp_path, capfd, compiler):
    # CFFI builds it too; the source's layout is used, and the fields raise
    # CFFI's ffi.error once they are needed
    m, err = build_warns(tmp_path, capfd, "struct s { int a; int b; };",
                         "struct s { int a; long b; };")
    assert re.search(r"warning: ccffi: struct s: field 'b' is 'int' in the "
                     r"cdef, 'long int' in the header \(.*\.c:\d+\)", err), err
    assert m.ffi.sizeof("struct s") == 16
    with pytest.raises(m.ffi.error) as info:
        m.ffi.offsetof("struct s", "b")
    assert str(info.value) == (
        "struct s: wrong size for field 'b' (cdef says 4, but C compiler "
        "says 8). fix it or use \"...;\" as the last field in the cdef for "
        "struct s to make it flexible")


LAYOUT_CASES = [
    # (cdef, source, what CFFI raises at use)
    ("struct foo_s { int b; short a; };", "struct foo_s { short a; int b; };",
     "struct foo_s: wrong offset for field 'b' (cdef says 0, but C compiler "
     "says 4)"),
    ("struct foo_s { char x; int y; long *z; };",
     "struct foo_s { char x; int y; long *z; char extra; };",
     "struct foo_s: wrong total size (cdef says 16, but C compiler says 24)"),
    ("struct foo_s { char a[8]; };",
     "struct foo_s { char a[8]; } __attribute__((aligned(8)));",
     "struct foo_s: wrong total alignment (cdef says 1, but C compiler says "
     "8)"),
    # (members of other integer types: CFFI's generated code accepts them,
    # C++ too; other types it makes the compiler refuse, in C++ always)
    ("typedef struct { short a; int b; } foo_t;",
     "typedef struct { short a; long b; } foo_t;",
     "foo_t: wrong size for field 'b' (cdef says 4, but C compiler says 8)"),
    ("union foo_u { int a; short b; };", "union foo_u { int a; long long b; };",
     "union foo_u: wrong size for field 'b' (cdef says 2, but C compiler "
     "says 8)"),
    ("struct foo_s { short a; ...; };", "struct foo_s { int x; int a; };",
     "struct foo_s: wrong size for field 'a' (cdef says 2, but C compiler "
     "says 4)"),
]


@pytest.mark.parametrize("case", range(len(LAYOUT_CASES)))
@pytest.mark.parametrize("cpp", [False, True], ids=["c", "cpp"])
def test_struct_layout_mismatch_raises_at_use(tmp_path, capfd, compiler, case,
                                              cpp):
    # as CFFI: the module builds with the compiler's layout, sizeof works,
    # and the first use that needs the fields raises ffi.error
    cdef, source, message = LAYOUT_CASES[case]
    kwds = {"source_extension": ".cpp"} if cpp else {}
    capfd.readouterr()
    m = build(tmp_path, cdef, source, **kwds)
    capfd.readouterr()
    ffi = m.ffi
    tname = message.split(":")[0]
    full = message + ('. fix it or use "...;" as the last field in the cdef '
                      'for %s to make it flexible' % tname)
    assert ffi.sizeof(tname) > 0
    ptr = ffi.cast(tname + " *", 0)
    assert ffi.typeof(ptr) is ffi.typeof(tname + " *")
    for use in [lambda: ffi.new(tname + " *"),
                lambda: ffi.new(tname + " *", []),
                lambda: ffi.offsetof(tname, "a"),
                lambda: ffi.alignof(tname),
                lambda: ffi.typeof(tname).fields]:
        with pytest.raises(ffi.error) as info:
            use()
        assert str(info.value) == full
    buf = ffi.new("char[]", ffi.sizeof(tname))
    p = ffi.cast(tname + " *", buf)
    with pytest.raises(ffi.error) as info:
        p.a
    assert str(info.value) == full


def test_struct_layout_agreeing_extra_field(tmp_path, compiler):
    # CFFI's corner case: a header field where the cdef has padding only
    m = build(tmp_path, "struct foo_s { char x; int y; long *z; };",
              "struct foo_s { char x, extra; int y; long *z; };")
    p = m.ffi.new("struct foo_s *", {"y": 5})
    assert p.y == 5 and m.ffi.offsetof("struct foo_s", "z") == 8


def test_struct_field_missing_in_source_fails(tmp_path, compiler):
    # CFFI's generated C does not compile either (offsetof of no member)
    err = build_fails(tmp_path, "struct foo_s { char x; int y; long *z; };",
                      "struct foo_s { int y; long *z; };")
    assert "struct foo_s: the cdef has field 'x', the header has no such " \
           "field" in err, err


def test_mismatched_values_raise_at_use(tmp_path, capfd, compiler):
    # as CFFI: the module builds, the compiler's value is kept, and using a
    # name whose value the cdef gets wrong raises ffi.error
    m, err = build_warns(tmp_path, capfd, """
        enum e { E1, E2 = 3 };
        #define FOO 123
        static const int BAR = 5;
        #define OK 7
    """, """
        enum e { E1, E2 };
        #define FOO 124
        #define BAR (-6912)
        #define OK 7
    """)
    assert re.search(r"warning: ccffi: 'FOO' is 123 in the cdef but 124 in the "
                     r"header \(.*\.c:\d+\)", err), err
    with pytest.raises(m.ffi.error) as info:
        m.lib.FOO
    assert str(info.value) == ("the C compiler says 'FOO' is equal to 124 "
                               "(0x7c), but the cdef disagrees")
    with pytest.raises(m.ffi.error) as info:
        m.lib.BAR
    assert str(info.value) == ("the C compiler says 'BAR' is equal to -6912, "
                               "but the cdef disagrees")
    # enumerators: the compiler's values, unchecked, as CFFI's recompiler
    assert m.lib.E2 == 1
    assert m.lib.OK == 7 and m.lib.E1 == 0
    assert m.ffi.typeof("enum e").relements == {"E1": 0, "E2": 1}
    assert sorted(dir(m.lib)) == ["BAR", "E1", "E2", "FOO", "OK"]


def test_constants_evaluated_at_run_time(tmp_path, compiler):
    # constants that are not integers are read when used, in the cdef's type
    m = build(tmp_path, """
        static const double DBL;
        static double *const PNULL;
        static const float almost;
        static char *const STR;
    """, """
        #define DBL (-6912.5)
        #define PNULL NULL
        static float f(void) { return 42.25; }
        #define almost (f())
        #define STR ((char *)"abc")
    """)
    lib, ffi = m.lib, m.ffi
    assert lib.DBL == -6912.5
    assert lib.PNULL == ffi.NULL
    assert ffi.typeof(lib.PNULL) == ffi.typeof("double *")
    assert lib.almost == 42.25
    assert ffi.string(lib.STR) == b"abc"
    with pytest.raises(AttributeError):
        lib.DBL = 2


def build_warns(tmp_path, capfd, cdef, source):
    """Compiles a module that builds with warnings; returns it imported and
    the compiler's error output."""
    capfd.readouterr()
    m = build(tmp_path, cdef, source)
    err = capfd.readouterr().err
    return m, err.replace("\u2018", "'").replace("\u2019", "'")


def test_mismatched_pointer_argument_warns(tmp_path, capfd, compiler):
    # as CFFI: C accepts the call (with a warning), Python passes what the
    # cdef says; our warning names both prototypes and the header's line
    m, err = build_warns(tmp_path, capfd, "int f(int *);",
                         "int f(const char *s) { return *s; }")
    assert re.search(r"warning: ccffi: function 'f': argument 1 is 'int \*' in "
                     r"the cdef, 'const char \*' in the header \(.*\.c:\d+\)",
                     err), err
    assert m.ffi.typeof(m.lib.f) == m.ffi.typeof("int(*)(int *)")
    assert m.lib.f(m.ffi.new("int *", 65)) == 65


def test_mismatched_global_warns(tmp_path, capfd, compiler):
    m, err = build_warns(tmp_path, capfd, "extern float value;",
                         "double value;")
    assert re.search(r"warning: ccffi: global 'value' is 'float' in the cdef, "
                     r"'double' in the header \(.*\.c:\d+\)", err), err
    m.lib.value = 1.5           # the cdef's type, as CFFI
    assert m.lib.value == 1.5


# ------------------------------------------------------- the builder API

def test_dotted_module_name_builds_inside_the_package(tmp_path):
    ffi = FFI()
    ffi.cdef("int seven(void);")
    ffi.set_source("ccffipkg.sub._native", "int seven(void) { return 7; }")
    path = ffi.compile(tmpdir=str(tmp_path))
    assert os.path.dirname(path) == str(tmp_path / "ccffipkg" / "sub")
    sys.path.insert(0, str(tmp_path))
    try:
        m = importlib.import_module("ccffipkg.sub._native")
    finally:
        sys.path.remove(str(tmp_path))
    assert m.lib.seven() == 7
    assert m.__name__ == "ccffipkg.sub._native"


def test_compile_target_names_the_output(tmp_path):
    import sysconfig
    ffi = FFI()
    ffi.cdef("int eight(void);")
    ffi.set_source("_api_target", "int eight(void) { return 8; }")
    path = ffi.compile(tmpdir=str(tmp_path), target="_api_target.*")
    assert path == str(tmp_path / ("_api_target"
                                   + sysconfig.get_config_var("EXT_SUFFIX")))
    assert os.path.isfile(path)


def test_distutils_extension_builds_the_same_module(tmp_path):
    from setuptools import Distribution
    ffi = FFI()
    ffi.cdef("struct s { int b; ...; }; int nine(void);")
    ffi.set_source("_api_ext", "struct s { long a; int b; };\n"
                   "int nine(void) { return 9; }")
    ext = ffi.distutils_extension(tmpdir=str(tmp_path / "build"), verbose=False)
    assert ext.name == "_api_ext"
    assert any(a.startswith("-fplugin=") for a in ext.extra_compile_args)
    dist = Distribution({"ext_modules": [ext]})
    cmd = dist.get_command_obj("build_ext")
    cmd.build_lib = str(tmp_path / "lib")
    cmd.build_temp = str(tmp_path / "tmp")
    dist.run_command("build_ext")
    sys.path.insert(0, str(tmp_path / "lib"))
    try:
        m = importlib.import_module("_api_ext")
    finally:
        sys.path.remove(str(tmp_path / "lib"))
    assert m.lib.nine() == 9
    assert m.ffi.offsetof("struct s", "b") == 8


def test_set_source_refuses_bad_arguments():
    ffi = FFI()
    with pytest.raises(TypeError):
        ffi.set_source("_x", "", bogus_keyword=1)
    ffi.set_source("_x", "")
    with pytest.raises(ValueError):
        ffi.set_source("_y", "")
    with pytest.raises(ValueError):
        FFI().compile()     # no set_source()


def test_a_missing_plugin_is_named(tmp_path, monkeypatch, compiler):
    from cffi import _compiler, _config
    monkeypatch.setattr(_config, "PLUGIN_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(_config, "CLANG_PLUGIN_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(_compiler, "_checked", {})
    ffi = FFI()
    ffi.cdef("int f(void);")
    ffi.set_source("_api_noplugin", "int f(void) { return 0; }")
    with pytest.raises(VerificationError) as info:
        ffi.compile(tmpdir=str(tmp_path))
    msg = str(info.value)
    if compiler.name == "gcc":
        assert "ccffi_gcc.so" in msg and "gcc-12-plugin-dev" in msg
    else:
        assert "ccffi_clang.so" in msg and "libclang-14-dev" in msg


def test_extern_python_from_a_foreign_c_thread(tmp_path):
    m = build(tmp_path, """
        extern "Python" void report(int);
        int run_in_thread(int);
    """, """
        #include <pthread.h>
        static void report(int);
        static void *body(void *arg) { report(*(int *)arg); return 0; }
        int run_in_thread(int v) {
            pthread_t t;
            if (pthread_create(&t, 0, body, &v) != 0) return -1;
            return pthread_join(t, 0);
        }
    """, extra_compile_args=["-pthread"], extra_link_args=["-pthread"])
    got = []

    @m.ffi.def_extern()
    def report(v):
        got.append(v)

    assert m.lib.run_in_thread(17) == 0
    assert got == [17]


def test_errno_after_a_direct_call(tmp_path):
    m = build(tmp_path, "int fail_with(int);", """
        #include <errno.h>
        int fail_with(int e) { errno = e; return -1; }
    """)
    assert m.lib.fail_with(42) == -1
    assert m.ffi.errno == 42
    m.ffi.errno = 0
    assert m.ffi.errno == 0


BITFIELD_STRUCTS = [
    "struct bf1 { char c; int b : 4; int d : 20; };",
    "struct bf2 { char c; int b : 30; short s : 3; long long q : 40; };",
    "struct bf3 { unsigned char a : 3, : 0, b : 7; short c : 9; };",
]


@pytest.mark.parametrize("pack", [None, True, 2])
def test_plugin_and_layout_engine_describe_fields_alike(tmp_path, pack):
    """The table the plugin writes and the one the layout engine computes
    for the same declarations give the same fields (DESIGN.md)."""
    cdef = "\n".join(BITFIELD_STRUCTS)
    abi = FFI()
    if pack is True:
        abi.cdef(cdef, packed=True)
        header = "#pragma pack(1)\n" + cdef
    elif pack:
        abi.cdef(cdef, pack=pack)
        header = "#pragma pack(%d)\n%s" % (pack, cdef)
    else:
        abi.cdef(cdef)
        header = cdef
    name = "_api_bf_%s" % uuid.uuid4().hex[:8]
    api = FFI()
    api.cdef(cdef, **({"packed": True} if pack is True else
                      {"pack": pack} if pack else {}))
    api.set_source(name, header)
    if pack and pack is not True:
        # CFFI's API mode refuses pack=N > 1 before compiling
        with pytest.raises(NotImplementedError) as info:
            api.compile(tmpdir=str(tmp_path))
        assert "only 0 or 1 are supported in API mode" in str(info.value)
        return
    api.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        m = importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))

    def fields(ffi, tag):
        t = ffi.typeof("struct " + tag)
        return (ffi.sizeof(t), ffi.alignof(t),
                [(n, f.offset, f.bitshift, f.bitsize) for n, f in t.fields])

    for tag in ("bf1", "bf2", "bf3"):
        assert fields(m.ffi, tag) == fields(abi, tag), tag


@pytest.mark.parametrize("flags", [["-O0"], ["-O2", "-g"], ["-O2", "-flto"]])
def test_optimisation_levels_keep_the_table(tmp_path, flags):
    link = ["-flto"] if "-flto" in flags else []
    m = build(tmp_path, "struct s { int b; ...; }; int get(struct s *);", """
        struct s { double a; int b; };
        int get(struct s *p) { return p->b; }
    """, extra_compile_args=flags, extra_link_args=link)
    p = m.ffi.new("struct s *", {"b": 3})
    assert m.ffi.offsetof("struct s", "b") == 8
    assert m.lib.get(p) == 3


def test_extern_python_results_of_every_size(tmp_path):
    m = build(tmp_path, """
        struct pair { short a; double b; };
        extern "Python" signed char neg(void);
        extern "Python" unsigned short big(void);
        extern "Python" struct pair mk(int);
        int check(void);
    """, """
        struct pair { short a; double b; };
        static signed char neg(void);
        static unsigned short big(void);
        static struct pair mk(int);
        int check(void) {
            struct pair p = mk(7);
            return neg() == -5 && big() == 65000 && p.a == 7 && p.b == 0.5;
        }
    """)
    ffi = m.ffi

    @ffi.def_extern()
    def neg():
        return -5

    @ffi.def_extern()
    def big():
        return 65000

    @ffi.def_extern()
    def mk(a):
        return {"a": a, "b": 0.5}

    assert m.lib.check() == 1


# ------------------------------------------- the same rules in C and C++

LANGUAGES = [".c", ".cpp"]


def build_lang(tmp_path, ext, cdef, source, **kwds):
    """build() with the source compiled as C or as C++ (inside extern "C",
    as CFFI's own tests and real C++ wrappers do)."""
    if ext == ".cpp":
        source = 'extern "C" {\n%s\n}' % textwrap.dedent(source)
    return build(tmp_path, cdef, source, source_extension=ext, **kwds)


@pytest.mark.parametrize("ext", LANGUAGES)
def test_lang_cdef_types_are_what_python_sees(tmp_path, ext):
    # the cdef says double/float where the header says float/double: the
    # call converts, as in CFFI (lib.sinf(1.23) is not 2.0)
    m = build_lang(tmp_path, ext, """
        double sinf(float);
        _Bool positive(int);
        typedef int func_t(int);
        typedef unsigned long long ull_t;
        ptrdiff_t diff(ptrdiff_t);
        int apply(func_t *, int);
        int neg(int);
    """, """
        #include <math.h>
        #include <stddef.h>
        static int positive(int x) { return x > 0; }
        static ptrdiff_t diff(ptrdiff_t x) { return -x; }
        static int apply(int (*f)(int), int x) { return f(x); }
        static int neg(int x) { return -x; }
    """, libraries=["m"], extra_compile_args=["-Werror", "-Wall", "-Wextra",
                                              "-Wconversion"])
    ffi, lib = m.ffi, m.lib
    import math
    assert abs(lib.sinf(1.23) - math.sin(1.23)) < 1e-6
    assert ffi.typeof(lib.sinf) == ffi.typeof("double(*)(float)")
    assert lib.positive(3) is True and lib.positive(-3) is False
    assert ffi.sizeof("ull_t") == 8           # typedefs only the cdef has
    assert ffi.typeof("func_t *") == ffi.typeof("int(*)(int)")
    assert lib.diff(5) == -5
    # a lib function passes where C expects the cdef's func_t *
    assert lib.apply(lib.neg, 7) == -7


@pytest.mark.parametrize("ext", LANGUAGES)
def test_lang_lib_extern_python_submodule_and_globals(tmp_path, ext):
    name = "_api_lang_%s" % uuid.uuid4().hex[:8]
    m = build_lang(tmp_path, ext, """
        extern "Python" int cb(int);
        int call(int);
        extern int gvals[];
        extern int mat[][3];
        extern int nowhere;
    """, """
        static int cb(int);
        static int call(int x) { return cb(x) + 1; }
        int gvals[4] = {1, 2, 3, 4};
        int mat[2][3];
        static int *nowhere_addr(void) { return 0; }
        #define nowhere (*nowhere_addr())
    """, name=name)
    ffi, lib = m.ffi, m.lib

    @ffi.def_extern()
    def cb(x):
        return 10 * x
    assert lib.call(4) == 41
    # lib.cb: a function pointer to the generated C function, as CFFI
    assert ffi.typeof(lib.cb) == ffi.typeof("int(*)(int)")
    assert lib.cb(2) == 20
    # `from module.lib import ...`
    sub = importlib.import_module(name + ".lib")
    assert sub is lib
    # unsized arrays stay unsized: a pointer to the first item, as CFFI
    assert ffi.typeof(lib.gvals) == ffi.typeof("int *")
    assert lib.gvals[3] == 4
    assert ffi.typeof(lib.mat) == ffi.typeof("int(*)[3]")
    # a macro global whose address is NULL
    with pytest.raises(ffi.error) as info:
        lib.nowhere
    assert str(info.value) == "global variable 'nowhere' is at address NULL"


@pytest.mark.parametrize("ext", LANGUAGES)
def test_lang_const_function_pointer_bound_to_a_function(tmp_path, ext,
                                                        compiler):
    if compiler.name != "gcc":
        pytest.skip("the Clang plugin does not accept it yet")
    m = build_lang(tmp_path, ext, "int (*const twice_p)(int);",
                   "static int twice_p(int x) { return 2 * x; }")
    assert m.ffi.typeof(m.lib.twice_p) == m.ffi.typeof("int(*)(int)")
    assert m.lib.twice_p(21) == 42


@pytest.mark.parametrize("ext", LANGUAGES)
def test_lang_values_and_constants(tmp_path, capfd, ext, compiler):
    capfd.readouterr()
    m = build_lang(tmp_path, ext, """
        #define FOO 123
        static const double DBL;
        static double *const PNULL;
        struct s { int a; int b; };
    """, """
        #define FOO 124
        #define DBL (-6912.5)
        #define PNULL NULL
        struct s { int a; long b; };
    """)
    err = capfd.readouterr().err.replace("\u2018", "'").replace("\u2019", "'")
    assert re.search(r"warning: ccffi: 'FOO' is 123 in the cdef but 124 in "
                     r"the header \(.*%s:\d+\)" % re.escape(ext), err), err
    assert re.search(r"warning: ccffi: struct s: field 'b' is 'int' in the "
                     r"cdef, 'long int' in the header \(.*%s:\d+\)"
                     % re.escape(ext), err), err
    with pytest.raises(m.ffi.error) as info:
        m.lib.FOO
    assert "the C compiler says 'FOO' is equal to 124 (0x7c)" in str(info.value)
    assert m.lib.DBL == -6912.5
    assert m.lib.PNULL == m.ffi.NULL
    assert m.ffi.sizeof("struct s") == 16
    with pytest.raises(m.ffi.error) as info:
        m.ffi.offsetof("struct s", "b")
    assert str(info.value).startswith(
        "struct s: wrong size for field 'b' (cdef says 4, but C compiler says 8)")


@pytest.mark.parametrize("ext", LANGUAGES)
def test_lang_table_is_not_exported(tmp_path, ext):
    # only PyInit: a module loaded RTLD_GLOBAL cannot lend its table to the
    # modules loaded after it
    m = build_lang(tmp_path, ext, "int f(void);",
                   "static int f(void) { return 3; }")
    out = subprocess.run(["nm", "-D", "--defined-only", m.__file__],
                         capture_output=True, text=True, check=True).stdout
    assert "_ccffi_type_table" not in out
    assert "PyInit_" in out
    assert m.lib.f() == 3
