"""API mode: what CFFI's recompiler refuses before compiling, and what its
compiled modules refuse at use, with CFFI's exception types and messages
(issue 11).  Each module is built in C and in C++, with each plugin."""
import importlib
import sys
import textwrap
import uuid

import pytest

from cffi import FFI

from plugin_compilers import PARAMS


@pytest.fixture(autouse=True, params=PARAMS)
def compiler(request, monkeypatch, tmp_path):
    monkeypatch.setenv("CC", request.param.command)
    before = set(sys.modules)
    yield request.param
    for name in set(sys.modules) - before:
        path = getattr(sys.modules[name], "__file__", None) or ""
        if path.startswith(str(tmp_path)):
            del sys.modules[name]


LANGUAGES = [".c", ".cpp"]


def make_ffi(cdef, source, ext, extra_compile_args=(), **cdef_kwds):
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef), **cdef_kwds)
    if ext == ".cpp":
        source = 'extern "C" {\n%s\n}' % textwrap.dedent(source)
    name = "_refuse_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, textwrap.dedent(source), source_extension=ext,
                   extra_compile_args=list(extra_compile_args))
    return ffi, name


def build(tmp_path, cdef, source, ext):
    ffi, name = make_ffi(cdef, source, ext)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("field", ["struct b b;", "struct b b[2];",
                                   "struct b b[];"])
def test_opaque_field_refused(tmp_path, ext, field):
    ffi, _ = make_ffi("struct a { %s };" % field, "struct a;", ext)
    with pytest.raises(TypeError) as info:
        ffi.compile(tmpdir=str(tmp_path))
    assert str(info.value) == ("struct a: field 'a.b' is of an opaque type "
                               "(not declared in cdef())")


@pytest.mark.parametrize("ext", LANGUAGES)
def test_opaque_dots_typedef_field_refused(tmp_path, ext):
    ffi, _ = make_ffi("typedef ... t; typedef struct { t x; } s_t;", "", ext)
    with pytest.raises(TypeError) as info:
        ffi.compile(tmpdir=str(tmp_path))
    assert str(info.value) == ("anonymous s_t: field '$s_t.x' is of an opaque "
                               "type (not declared in cdef())")


@pytest.mark.parametrize("ext", LANGUAGES)
def test_opaque_result_refused(tmp_path, ext):
    ffi, _ = make_ffi("struct a foo(int);", "", ext)
    with pytest.raises(TypeError) as info:
        ffi.compile(tmpdir=str(tmp_path))
    assert str(info.value) == ("function foo: 'struct a' is used as result "
                               "type, but is opaque")


@pytest.mark.parametrize("ext", LANGUAGES)
def test_pack_refused_in_api_mode(tmp_path, ext):
    ffi, _ = make_ffi("struct foo { char y; int x; };", "", ext, pack=2)
    with pytest.raises(NotImplementedError) as info:
        ffi.compile(tmpdir=str(tmp_path))
    assert str(info.value) == (
        "struct foo: <struct foo> is declared with 'pack=2'; only 0 or 1 are "
        "supported in API mode (try to use \"...;\", which does not require "
        "a 'pack' declaration)")


@pytest.mark.parametrize("ext", LANGUAGES)
def test_pointer_to_opaque_field_accepted(tmp_path, ext):
    m = build(tmp_path, "struct b; struct a { struct b *p; int n; };",
              "struct b { int q; }; struct a { struct b *p; int n; };", ext)
    assert m.ffi.new("struct a *", {"n": 3}).n == 3


@pytest.mark.parametrize("ext", LANGUAGES)
def test_global_of_opaque_typedef(tmp_path, ext):
    # `typedef ... t;` stays opaque even where the source says char[6]: the
    # variable cannot be read or written, its address can be taken
    m = build(tmp_path, """
        typedef ... opaque_t;
        extern opaque_t globvar;
    """, """
        typedef char opaque_t[6];
        opaque_t globvar = "hello";
    """, ext)
    ffi, lib = m.ffi, m.lib
    with pytest.raises(TypeError) as info:
        lib.globvar
    assert str(info.value) == "cdata 'opaque_t' is opaque"
    with pytest.raises(TypeError) as info:
        lib.globvar = []
    assert str(info.value) == "'opaque_t' is opaque"
    p = ffi.addressof(lib, "globvar")
    assert ffi.typeof(p) == ffi.typeof("opaque_t *")
    assert ffi.string(ffi.cast("char *", p), 8) == b"hello"


@pytest.mark.parametrize("ext", LANGUAGES)
def test_constant_of_opaque_typedef(tmp_path, ext):
    m = build(tmp_path, """
        typedef ... opaque_t;
        const opaque_t CONSTANT;
    """, """
        typedef int opaque_t;
        const int CONSTANT = 42;
    """, ext)
    with pytest.raises(m.ffi.error) as info:
        m.lib.CONSTANT
    assert str(info.value) == ("constant 'CONSTANT' is of type 'opaque_t', "
                               "whose size is not known")


FIELD_TYPE_CASES = [
    # (cdef member, source member, what CFFI's generated check does)
    ("float x;", "double x;", False),
    ("int x;", "float x;", False),
    ("long *z;", "int *z;", False),
    ("char b;", "short b;", False),
    ("int a[5];", "int a[6];", False),
    ("short x;", "long x;", True),      # any integer: `(p->x) | 0`
    ("int a[]; int y;", "int a[17]; int y;", True),
]


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("case", range(len(FIELD_TYPE_CASES)))
def test_field_type_checked_as_cffi(tmp_path, capfd, ext, case):
    # CFFI's generated C checks each member's type: the compiler refuses a
    # mismatch (an error in C++, a warning in C that -Werror makes one)
    cmember, rmember, accepted = FIELD_TYPE_CASES[case]
    cdef = "struct foo_s { %s ...; };" % cmember
    source = "struct foo_s { %s };" % rmember
    ffi, name = make_ffi(cdef, source, ext, extra_compile_args=["-Werror"])
    if accepted:
        ffi.compile(tmpdir=str(tmp_path))
        return
    from cffi import VerificationError
    with pytest.raises(VerificationError):
        ffi.compile(tmpdir=str(tmp_path))
    if ext == ".c":
        ffi, name = make_ffi(cdef, source, ext)
        capfd.readouterr()
        ffi.compile(tmpdir=str(tmp_path))
        err = capfd.readouterr().err
        assert "warning: ccffi: struct foo_s: field" in err, err


@pytest.mark.parametrize("ext", LANGUAGES)
def test_def_extern_checks_when_decorating(tmp_path, ext):
    # as CFFI: ffi.def_extern(...) itself accepts anything; the decorator
    # checks the name (the function's own by default) and the callables
    m = build(tmp_path, 'extern "Python" int bar(int); extern int abc;',
              "int abc;", ext)
    ffi, lib = m.ffi, m.lib

    def fn(x):
        return x
    decorate = ffi.def_extern(42)
    with pytest.raises(TypeError):
        decorate(fn)
    with pytest.raises(TypeError):
        ffi.def_extern(425)(None)
    decorate = ffi.def_extern(name="bar", onerror=42)
    with pytest.raises(TypeError):
        decorate(fn)

    class X:
        pass
    x = X()
    x.__name__ = x
    with pytest.raises(TypeError):
        ffi.def_extern()(x)
    with pytest.raises(ffi.error) as info:
        ffi.def_extern("abc")(fn)
    assert str(info.value) == ("ffi.def_extern('abc'): no 'extern \"Python\"' "
                               "function with this name")
    with pytest.raises(ffi.error) as info:
        ffi.def_extern()(fn)
    assert str(info.value) == ("ffi.def_extern('fn'): no 'extern \"Python\"' "
                               "function with this name")
    ffi.def_extern(name="bar", error=-1)(fn)
    assert lib.bar(21) == 21


@pytest.mark.parametrize("ext", LANGUAGES)
def test_wrong_argument_count_worded_as_cffi(tmp_path, ext):
    m = build(tmp_path, "void foo0(void); void foo1(int); int foo2(int, int);",
              "void foo0(void) { } void foo1(int x) { (void)x; }\n"
              "int foo2(int x, int y) { return x + y; }", ext)
    lib = m.lib
    lib.foo0()
    lib.foo1(42)
    assert lib.foo2(43, 44) == 87

    def message(f, *args):
        with pytest.raises(TypeError) as info:
            f(*args)
        # the module's name and "Lib.", as CFFI's (the test strips them)
        text = str(info.value)
        prefix = m.__name__ + ".Lib."
        return text[len(prefix):] if text.startswith(prefix) else text
    assert message(lib.foo0, 42) == "foo0() takes no arguments (1 given)"
    assert message(lib.foo1) == "foo1() takes exactly one argument (0 given)"
    assert message(lib.foo1, 1, 2) == \
        "foo1() takes exactly one argument (2 given)"
    assert message(lib.foo2, 1) == "foo2 expected 2 arguments, got 1"
    assert message(lib.foo2, 1, 2, 3) == "foo2 expected 2 arguments, got 3"


@pytest.mark.parametrize("ext", LANGUAGES)
def test_unattached_extern_python_message(tmp_path, capfd, ext):
    # on the C stderr, the function named after its module, as CFFI
    m = build(tmp_path, 'extern "Python" int bar(int, int); int call(void);',
              "static int bar(int, int);\n"
              "int call(void) { return bar(4, 5); }", ext)
    capfd.readouterr()
    assert m.lib.call() == 0
    assert capfd.readouterr().err == (
        'extern "Python": function %s.bar() called, but no code was attached '
        'to it yet with @ffi.def_extern().  Returning 0.\n' % m.__name__)


@pytest.mark.parametrize("ext", LANGUAGES)
def test_partial_struct_shows_the_cdef_fields(tmp_path, ext):
    # as CFFI: the members the cdef lists, in its order, at the header's
    # offsets; positional initializers follow the cdef
    m = build(tmp_path, """
        struct foo_s { int x; ...; };
        struct bar_s { int y; char c; ...; };
        struct foo_s f(int, struct bar_s);
    """, """
        struct foo_s { int a, x, z; };
        struct bar_s { char c; int b, y, d; };
        struct foo_s f(int x, struct bar_s b) {
            struct foo_s r; r.a = r.z = 0; r.x = x * b.y; return r;
        }
    """, ext)
    ffi, lib = m.ffi, m.lib
    s = ffi.new("struct foo_s *", [21])
    assert s.x == 21
    assert ffi.sizeof(s[0]) == 12 and ffi.offsetof("struct foo_s", "x") == 4
    assert [name for name, _ in ffi.typeof("struct foo_s").fields] == ["x"]
    assert dir(s) == ["x"]
    b = ffi.new("struct bar_s *", [7, b"q"])
    assert b.y == 7 and b.c == b"q"
    assert [name for name, _ in ffi.typeof("struct bar_s").fields] == ["y", "c"]
    assert lib.f(6, b[0]).x == 42
    assert lib.f(14, {"y": -3}).x == -42


@pytest.mark.parametrize("ext", LANGUAGES)
def test_union_of_partial_struct_takes_the_header_layout(tmp_path, ext):
    # CFFI checks no layout of a struct/union holding a partial one
    m = build(tmp_path, "typedef struct { int x; ...; } s1;"
                        "typedef union { s1 s; } u1;",
              "typedef struct { int a; int x; } s1; "
              "typedef union { char b[32]; s1 s; } u1;", ext)
    ffi = m.ffi
    assert ffi.sizeof("s1") == 8 and ffi.sizeof("u1") == 32
    assert ffi.offsetof("u1", "s") == 0
    assert ffi.new("u1 *", {"s": {"x": 5}}).s.x == 5


@pytest.mark.parametrize("ext", LANGUAGES)
def test_dots_pointer_typedef_builds_with_each_compiler(tmp_path, ext):
    # `typedef ... *p_t;` names an opaque 'struct $$p_t': spelled \u0024 in
    # C (no '$' in the text, as CFFI), kept as '$' in C++, where clang++
    # refuses the universal character name
    m = build(tmp_path, "typedef ... *p_t; p_t f(p_t);",
              "typedef struct hidden_s *p_t;\n"
              "static p_t f(p_t p) { return p ? p : (p_t)0x1234; }", ext)
    assert str(m.ffi.typeof("p_t")) == "<ctype 'struct $$p_t *'>"
    assert int(m.ffi.cast("intptr_t", m.lib.f(m.ffi.NULL))) == 0x1234
