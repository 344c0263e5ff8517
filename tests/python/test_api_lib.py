"""API mode: the compiled `lib` object as CFFI's (issue 11): its names in
CFFI's order, its module-like __name__ and __class__, the docstrings of its
functions, ffi.error for a macro global at address NULL.  Each module is
built in C and in C++, with each plugin and with no plugin."""
import importlib
import sys
import textwrap
import types
import uuid

import pytest

from cffi import FFI

from plugin_compilers import MODES, compiler_mode



@pytest.fixture(autouse=True, params=MODES)
def mode(request, monkeypatch, tmp_path):
    yield from compiler_mode(request.param, monkeypatch, tmp_path)


LANGUAGES = [".c", ".cpp"]


def build(tmp_path, cdef, source, ext):
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef))
    source = textwrap.dedent(source)
    if ext == ".cpp":
        source = 'extern "C" {\n%s\n}' % source
    name = "_lib_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, source, source_extension=ext)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


@pytest.mark.parametrize("ext", LANGUAGES)
def test_names_sorted_and_module_like(tmp_path, ext):
    # CFFI's table lists the names sorted: __all__ of test_import_from_lib
    # is ['MYFOO', 'mybar'], whatever the cdef's order
    m = build(tmp_path, """
        int mybar(int); static int myvar;
        enum e { Zed, Alpha };
        #define MYFOO ...
        int aaa(void);
        extern "Python" int cb(int);
    """, """
        #define MYFOO 42
        enum e { Zed, Alpha };
        static int mybar(int x) { return x + 1; }
        static int aaa(void) { return 0; }
        static int myvar = -5;
    """, ext)
    lib = m.lib
    # extern "Python" functions too, as CFFI lists them
    assert lib.__all__ == ['Alpha', 'MYFOO', 'Zed', 'aaa', 'cb', 'mybar']
    assert lib.__dir__() == ['Alpha', 'MYFOO', 'Zed', 'aaa', 'cb', 'mybar',
                             'myvar']
    assert lib.__name__ == m.__name__ + '.lib'
    assert lib.__class__ is types.ModuleType


@pytest.mark.parametrize("ext", LANGUAGES)
def test_function_docstrings(tmp_path, ext):
    m = build(tmp_path, """
        double sin(double); void *xxtestfunc();
        int (*fp(int))(long);
        struct s { int x; }; struct s *g(struct s *, int);
    """, """
        #include <math.h>
        void *xxtestfunc(void) { return 0; }
        static int h(long x) { return (int)x; }
        int (*fp(int a))(long) { (void)a; return h; }
        struct s { int x; };
        struct s *g(struct s *p, int a) { (void)a; return p; }
    """, ext)
    tail = ";\n\nCFFI C function from %s.lib" % m.__name__
    assert m.lib.sin.__doc__ == "double sin(double)" + tail
    assert m.lib.xxtestfunc.__doc__ == "void *xxtestfunc()" + tail
    assert m.lib.fp.__doc__ == "int(*fp(int))(long)" + tail
    assert m.lib.g.__doc__ == "struct s *g(struct s *, int)" + tail


@pytest.mark.parametrize("ext", LANGUAGES)
def test_macro_global_at_null(tmp_path, ext):
    # CFFI's test_macro_var_callback: reading, writing and taking the
    # address of a global whose macro gives NULL are ffi.error
    m = build(tmp_path, """
        extern int my_value; extern int *(*get_my_value)(void);
    """, """
        int *(*get_my_value)(void);
        #define my_value (*get_my_value())
    """, ext)
    ffi, lib = m.ffi, m.lib

    @ffi.callback("int *(*)(void)")
    def get_null():
        return ffi.NULL
    lib.get_my_value = get_null
    message = "global variable 'my_value' is at address NULL"
    for action in (lambda: lib.my_value,
                   lambda: setattr(lib, 'my_value', 5),
                   lambda: ffi.addressof(lib, 'my_value')):
        with pytest.raises(ffi.error) as info:
            action()
        assert str(info.value) == message


@pytest.mark.parametrize("ext", LANGUAGES)
def test_addressof_const_function_pointer(tmp_path, ext):
    # CFFI's test_win32_calling_convention_*: `int (*const f)(int)` is a
    # constant, whose address is itself ('f == &f'); a variable's is a T *
    m = build(tmp_path, """
        int (*const twice)(int);
        int (*var)(int);
    """, """
        static int twice(int x) { return 2 * x; }
        int (*var)(int) = twice;
    """, ext)
    ffi, lib = m.ffi, m.lib
    p = ffi.addressof(lib, 'twice')
    assert ffi.typeof(p) is ffi.typeof("int(*)(int)")
    assert p(21) == 42
    q = ffi.addressof(lib, 'var')
    assert ffi.typeof(q) is ffi.typeof("int(**)(int)")
    assert q[0](5) == 10


@pytest.mark.parametrize("ext", LANGUAGES)
def test_function_as_pointer_cdata(tmp_path, ext):
    # CFFI's test_convert_api_mode_builtin_function_to_cdata: lib.f stands
    # for its function pointer cdata where C expects `void *`, in ffi.cast()
    # to a pointer or an integer, and refuses other pointer types as CFFI
    m = build(tmp_path, """
        int add1(int); int takes(void *);
    """, """
        static int add1(int x) { return x + 1; }
        static int takes(void *p) { return ((int (*)(int))p)(41); }
    """, ext)
    ffi, lib = m.ffi, m.lib
    assert lib.takes(lib.add1) == 42
    p = ffi.new("void *[]", [lib.add1])
    assert ffi.cast("int(*)(int)", p[0])(1) == 2
    assert ffi.cast("int(*)(int)", ffi.cast("void *", lib.add1))(2) == 3
    assert ffi.cast("int(*)(int)", ffi.cast("intptr_t", lib.add1))(3) == 4
    address = ffi.cast("intptr_t", ffi.addressof(lib, "add1"))
    assert ffi.cast("intptr_t", lib.add1) == address
    for t in ("int(*[1])(long)", "int *[1]"):
        with pytest.raises(TypeError) as info:
            ffi.new(t, [lib.add1])
        assert str(info.value) == (
            "initializer for ctype '%s' must be a pointer to same type, not "
            "cdata 'int(*)(int)'" % ffi.typeof(t).item.cname)
    with pytest.raises(TypeError) as info:
        ffi.new("char *[1]", [lib.add1])
    assert str(info.value).startswith(
        "implicit cast to 'char *' from a different pointer type.")


@pytest.mark.parametrize("ext", LANGUAGES)
def test_constants_above_int64_build_under_werror(tmp_path, ext):
    # the markers wrote a cdef value >= 2**63 as a bare decimal, which gcc
    # warns about ('so large that it is unsigned'): -Werror refused the
    # module CFFI builds (CFFI's test_macro_check_value in C)
    ffi = FFI()
    ffi.cdef("#define BIG 9223372036854775809ULL\n#define OTHER 42")
    name = "_lib_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, "#define BIG 9223372036854775809ULL\n"
                         "#define OTHER 9223372036854775809ULL",
                   source_extension=ext,
                   extra_compile_args=["-Werror", "-Wall", "-Wextra"])
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        lib = importlib.import_module(name).lib
    finally:
        sys.path.remove(str(tmp_path))
    assert lib.BIG == 9223372036854775809
    with pytest.raises(ffi.error, match="the C compiler says 'OTHER' is "
                       "equal to 9223372036854775809"):
        lib.OTHER
