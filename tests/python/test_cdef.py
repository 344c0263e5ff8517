"""ffi.cdef() through Python: the declaration forms CFFI accepts give the
types CFFI gives (ffi.typeof / ffi.sizeof / constants through ffi.dlopen),
and the forms it refuses raise CDefError or FFIError naming the place."""
import pytest

import cffi


def test_typedefs_are_transparent(ffi):
    ffi.cdef("typedef int myint; typedef myint *myintp; typedef char name_t[16];")
    assert ffi.typeof("myint") is ffi.typeof("int")
    assert ffi.typeof("myintp") is ffi.typeof("int *")
    assert ffi.typeof("name_t") is ffi.typeof("char[16]")
    assert ffi.sizeof("name_t") == 16


def test_qualifiers_are_dropped(ffi):
    assert ffi.typeof("const char *") is ffi.typeof("char *")
    assert ffi.typeof("char *const volatile") is ffi.typeof("char *")


def test_derived_type_strings(ffi):
    for text, cname in [("int[5][3]", "int[5][3]"),
                        ("int(*)(int, ...)", "int(*)(int, ...)"),
                        ("char *[10]", "char *[10]"),
                        ("int[]", "int[]"),
                        ("unsigned", "unsigned int"),
                        ("long unsigned int", "unsigned long"),
                        ("long int", "long"),
                        ("bool", "_Bool"),
                        ("size_t", "size_t"),
                        ("int32_t", "int32_t"),
                        ("FILE *", "FILE *"),
                        ("struct foo *", "struct foo *")]:
        assert ffi.typeof(text).cname == cname


def test_anonymous_struct_named_by_typedef(ffi):
    ffi.cdef("typedef struct { int a; char b; } foo_t; typedef struct bar bar_t;")
    assert ffi.typeof("foo_t").cname == "foo_t"
    assert ffi.typeof("foo_t *").cname == "foo_t *"
    assert ffi.sizeof("foo_t") == 8
    # as CFFI: a struct takes the name of its first plain typedef
    assert ffi.typeof("bar_t").cname == "bar_t"
    assert ffi.typeof("struct bar") is ffi.typeof("bar_t")


def test_struct_layout_at_cdef(ffi):
    ffi.cdef("struct s { char c; int i; short sh[3]; struct s *next; };")
    assert ffi.sizeof("struct s") == 24
    assert ffi.alignof("struct s") == 8
    assert ffi.offsetof("struct s", "i") == 4
    assert ffi.offsetof("struct s", "next") == 16


def test_forward_declaration_completed_later(ffi):
    ffi.cdef("struct s; typedef struct s s_t;")
    ptr = ffi.typeof("struct s *")
    ffi.cdef("struct s { int a, b; };")
    assert ffi.typeof("struct s *") is ptr
    assert ffi.sizeof("s_t") == 8
    p = ffi.new("struct s *", [1, 2])
    assert p.b == 2


def test_bitfields_and_anonymous_members(ffi):
    ffi.cdef("struct b { int a:3; unsigned :0; int c:5; union { int x; float y; }; };")
    p = ffi.new("struct b *")
    p.a = -2
    p.c = 7
    p.y = 1.5
    assert (p.a, p.c, p.y) == (-2, 7, 1.5)
    assert ffi.sizeof("struct b") == 12


def test_packed_and_pack():
    ffi = cffi.FFI()
    ffi.cdef("struct p { char c; int i; };", packed=True)
    assert ffi.sizeof("struct p") == 5
    ffi2 = cffi.FFI()
    ffi2.cdef("struct q { char c; double d; };", pack=2)
    assert ffi2.sizeof("struct q") == 10
    with pytest.raises(ValueError, match="'pack' must be a power of two, not 3"):
        cffi.FFI().cdef("struct r { int a; };", pack=3)


def test_enums(ffi):
    ffi.cdef("enum e { A, B = A + 5, C };\n"
             "enum neg { N = -1, P = 1 };\n"
             "enum big { G = 0x80000000 };\n"
             "enum bigneg { H = -1, I = 0x80000000 };\n"
             "int arr[C];")
    assert ffi.sizeof("enum e") == 4
    assert ffi.sizeof("enum bigneg") == 8
    assert int(ffi.cast("enum big", -1)) == 0xffffffff
    assert int(ffi.cast("enum neg", -1)) == -1
    lib = ffi.dlopen(None)
    assert (lib.A, lib.B, lib.C, lib.N) == (0, 5, 6, -1)


def test_defines_and_constants(ffi):
    ffi.cdef("#define A 42\n#define B 0x10UL\n#define C 010\n#define D -5\n"
             "#define E (A + 1) << 2\n"
             "static const int K = 7;\n")
    lib = ffi.dlopen(None)
    assert (lib.A, lib.B, lib.C, lib.D, lib.E, lib.K) == (42, 16, 8, -5, 172, 7)


def test_functions_and_variadics(ffi):
    ffi.cdef("int printf(const char *, ...); size_t strlen(const char *s);\n"
             "int abs(int); void (*signal(int, void (*)(int)))(int);")
    lib = ffi.dlopen(None)
    assert lib.strlen(b"hello") == 5
    assert lib.abs(-3) == 3
    assert ffi.typeof(lib.strlen).cname == "size_t(*)(char *)"


def test_array_parameters_decay(ffi):
    ffi.cdef("typedef int (*fp)(int a[3], int g(int));")
    assert ffi.typeof("fp").cname == "int(*)(int *, int(*)(int))"


def test_comments_continuations_and_line_markers(ffi):
    ffi.cdef("/* block\n comment */ int f1(int); // line\n"
             "#define X \\\n 3\nint arr[X];")
    with pytest.raises(cffi.CDefError) as e:
        ffi.cdef('# 10 "header.h"\nint ok;\nfoo bar;')
    assert str(e.value).startswith("header.h:11:1: ")


def test_predefined_name_can_be_redefined(ffi):
    ffi.cdef("typedef long int32_t;")
    assert ffi.typeof("int32_t") is ffi.typeof("long")


def test_dots_forms(ffi):
    ffi.cdef("typedef ... foo_t; typedef ... *foo_p; typedef int... i_t;\n"
             "struct s { int a; ...; }; enum e { X, Y, ... };\n"
             "#define M ...\nstatic const int N;\n")
    assert ffi.typeof("foo_t").cname == "foo_t"
    assert ffi.typeof("foo_p").cname == "struct $$foo_p *"


def test_extern_python_is_accepted(ffi):
    ffi.cdef('extern "Python" int cb(int);\nextern "Python+C" { void cb2(void); }')


def test_identical_redeclaration_is_allowed(ffi):
    ffi.cdef("typedef int a_t; int f(int);")
    ffi.cdef("typedef int a_t; int f(int);")


def test_redeclaration_needs_override(ffi):
    ffi.cdef("typedef int a_t; int f(int);")
    with pytest.raises(cffi.FFIError, match=r"multiple declarations of typedef a_t "
                       r"\(for interactive usage, try cdef\(xx, override=True\)\)"):
        ffi.cdef("typedef long a_t;")
    with pytest.raises(cffi.FFIError, match="multiple declarations of function f"):
        ffi.cdef("long f(int);")
    ffi.cdef("typedef long a_t;", override=True)
    assert ffi.typeof("a_t") is ffi.typeof("long")


def test_failed_cdef_changes_nothing(ffi):
    ffi.cdef("struct s;")
    with pytest.raises(cffi.CDefError):
        ffi.cdef("struct s { int a; }; typedef int new_t; bad bad;")
    with pytest.raises(cffi.CDefError):
        ffi.typeof("new_t")
    ffi.cdef("struct s { long a; };")
    assert ffi.sizeof("struct s") == 8


@pytest.mark.parametrize("source, where, message", [
    ("foo bar;", "1:1", "unknown type name 'foo'"),
    ("int x", "1:6", "unexpected end of input"),
    ("#include <stdio.h>\n", "1:1", "Directives not supported yet"),
    ("int x;\n /* abc", "2:2", "unterminated comment"),
    ("int @;", "1:5", "Illegal character '@'"),
    ("int x[-1];", "1:7", "negative array length"),
    ("int f(...);", "1:7", "a function with only '(...)' as argument is not correct C"),
    ("struct s { int a:40; };", "1:17", "exceeds its type"),
    ("int x[1 << 70];", "1:9", "shift count out of range"),
    ("int x[0xffffffffffffffff * 2];", "1:26", "integer overflow"),
    ("int f(int) { return 0; }", "1:12", "function definitions are not supported"),
    ("struct s { int a; }; struct s { int a; };", "1:29", "duplicate declaration of struct s"),
    ("int x[" + "(" * 300 + "1" + ")" * 300 + "];", None, "nesting too deep"),
])
def test_refused_forms(ffi, source, where, message):
    with pytest.raises(cffi.CDefError) as e:
        ffi.cdef(source)
    text = str(e.value)
    if where is not None:
        assert text.startswith("<cdef source string>:%s: " % where), text
    assert message in text


def test_define_refused_as_cffi_says(ffi):
    with pytest.raises(cffi.CDefError) as e:
        ffi.cdef("#define FOO bar")
    assert "only supports one of the following syntax:" in str(e.value)
    assert "#define FOO bar" in str(e.value)


def test_unsupported_type_is_ffierror(ffi):
    with pytest.raises(cffi.FFIError, match="Unsupported type: 'unsigned float'"):
        ffi.cdef("unsigned float x;")


def test_unknown_identifier_in_typeof(ffi):
    with pytest.raises(cffi.CDefError, match="unknown identifier 'foo'"):
        ffi.typeof("foo")


def test_arbitrary_bytes_do_not_crash(ffi):
    import random
    rnd = random.Random(7)
    pieces = ["int", "(", ")", "*", "[", "]", "struct", "{", "}", ";", "x",
              "...", ",", "#define", "\n", "enum", "=", "1", "typedef", "\\",
              "/*", "'", '"', "\x00", "\xff"]
    for _ in range(300):
        text = " ".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 30)))
        try:
            cffi.FFI().cdef(text)
        except (cffi.CDefError, cffi.FFIError, ffi.error, ValueError):
            pass


def test_cdef_sees_included_declarations():
    base = cffi.FFI()
    base.cdef("typedef struct { int x; } point_t; struct node;\n"
              "#define N 3\nenum { K = 2 };")
    ffi = cffi.FFI()
    ffi.include(base)
    ffi.cdef("struct node { point_t p[N]; int k[K]; }; point_t *mk(void);")
    assert ffi.sizeof("struct node") == 20
    assert ffi.typeof("point_t *").cname == "point_t *"
