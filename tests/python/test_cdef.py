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
    # a line marker: CFFI cannot show the line, it says 'parse error'
    assert str(e.value).startswith("parse error\nheader.h:11:1: ")


def test_line_markers_inside_declarations(ffi):
    """A preprocessed header (`gcc -E` output fed to cdef, as
    python-zstandard does) has line markers inside enum and struct bodies,
    parameter lists, between any two tokens: CFFI's lexer skips them
    wherever they are, and so do we."""
    ffi.cdef('typedef enum {\n  A = 1,\n# 30 "h.h"\n  B = 2\n} e_t;\n'
             'struct s {\n  int a;\n# 3 "y.h"\n  char b;\n};\n'
             'typedef\n# 5 "h.h"\nint\n#line 6 "h.h"\nmyint;\n'
             'int f(int a,\n#line 7 "x.h"\n  myint b);')
    assert ffi.sizeof("struct s") == 8
    assert ffi.typeof("e_t").relements == {"A": 1, "B": 2}
    assert ffi.typeof("myint") is ffi.typeof("int")
    assert ffi.typeof("int(*)(int, int)") is ffi.typeof(
        "int(*)(int, myint)")
    # positions follow the marker
    with pytest.raises(cffi.CDefError) as e:
        ffi.cdef('struct t {\n  int a;\n# 30 "h.h"\n  int b c;\n};')
    assert str(e.value).startswith("parse error\nh.h:30:9: ")
    # any other directive inside a declaration is still refused
    with pytest.raises(cffi.CDefError):
        ffi.cdef('struct u {\n  int a;\n#if 1\n  int b;\n};')
    with pytest.raises(cffi.CDefError):
        ffi.cdef('enum v {\n  V1,\n#if 1\n  V2 };')


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


G = "<cdef source string>"


# Worded as CFFI words them: what the grammar refuses (pycparser's errors in
# CFFI) shows the line, then our position and message; what CFFI itself
# refuses is "file:line: message".
@pytest.mark.parametrize("source, prefix, message", [
    ("foo bar;", 'cannot parse "foo bar;"\n%s:1:1: ' % G,
     "unknown type name 'foo'"),
    ("int x", 'cannot parse "int x"\n%s:1:6: ' % G, "unexpected end of input"),
    ("#include <stdio.h>\n", "%s:1: " % G, "Directives not supported yet"),
    ("int x;\n /* abc", 'cannot parse "/* abc"\n%s:2:2: ' % G,
     "unterminated comment"),
    ("int @;", 'cannot parse "int @;"\n%s:1:5: ' % G, "Illegal character '@'"),
    ("int f(...);", "%s:1: " % G,
     "f: a function with only '(...)' as argument is not correct C"),
    ("int x[1 << 70];", "%s:1: " % G, "shift count out of range"),
    ("int x[0xffffffffffffffff * 2];", "%s:1: " % G, "integer overflow"),
    ("int f(int) { return 0; }", "%s:1: " % G,
     "unexpected <FuncDef>: this construct is valid C but not valid in cdef()"),
    ("struct s { int a; }; struct s { int a; };", "%s:1: " % G,
     "duplicate declaration of struct s"),
    ("void f(int, foo_t);", "%s:1: " % G,
     "f arg 2: unknown type 'foo_t' (if you meant to use the old C syntax "
     "of giving untyped arguments, it is not supported)"),
    ("int x[" + "(" * 300 + "1" + ")" * 300 + "];", None, "nesting too deep"),
])
def test_refused_forms(ffi, source, prefix, message):
    with pytest.raises(cffi.CDefError) as e:
        ffi.cdef(source)
    text = str(e.value)
    if prefix is not None:
        assert text.startswith(prefix), text
    assert message in text


def test_parse_error_after_blank_lines_names_the_line(ffi):
    with pytest.raises(cffi.CDefError) as e:
        ffi.cdef("\n\n\n  a b c  \n")
    assert str(e.value).startswith('cannot parse "a b c"\n%s:4:3: ' % G)


def test_typeof_errors_worded_as_cffi(ffi):
    with pytest.raises(cffi.CDefError) as e:
        ffi.typeof("unknown_t")
    assert str(e.value) == "unknown identifier 'unknown_t'"
    with pytest.raises(cffi.CDefError) as e:
        ffi.typeof("unknown_t *")
    assert str(e.value).startswith('cannot parse "unknown_t *"\n')
    with pytest.raises(cffi.CDefError) as e:
        ffi.typeof("int(*)(unknown_t)")
    assert str(e.value).startswith("in expression arg 1: unknown type "
                                   "'unknown_t'")


def test_tags_are_three_namespaces(ffi):
    ffi.cdef("struct foo { int a; short b, c, d; };\n"
             "union foo { int a; short b, c, d; };\n"
             "enum foo { FOO_A };")
    assert ffi.sizeof("struct foo") == 12
    assert ffi.sizeof("union foo") == 4
    assert ffi.typeof("enum foo").kind == "enum"
    assert ffi.typeof("struct foo *") is not ffi.typeof("union foo *")


def test_enum_body_after_first_mention_is_not_implemented(ffi):
    with pytest.raises(NotImplementedError) as e:
        ffi.cdef("typedef enum foo_e foo_t; enum foo_e { AA, BB };")
    assert str(e.value) == ("enum foo_e: the '{}' declaration should appear "
                            "on the first time the enum is mentioned, not "
                            "later")


def test_void_typedef_as_only_parameter(ffi):
    ffi.cdef("typedef void void_t1; typedef void_t1 void_t;"
             "typedef int (*func_t)(void_t);")
    assert ffi.typeof("func_t").args == ()
    with pytest.raises(cffi.CDefError):
        ffi.cdef("typedef int (*g_t)(void_t x);")


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
