"""API mode: `const` as CFFI keeps it (issue 11).

CFFI's model keeps the cdef's qualifiers and its generated C spells them,
so a cdef that says `int (*)(const void *, const void *)` (qsort's
comparator) passes the function without a conversion that C warns about
and C++ refuses; its ctypes drop them (`const char *` is `char *`).  The
cdef's table keeps `const` on the pointers and arrays that hold a const
item (CCT_TF_CONST_ITEM) and on typedefs of a const type (CCT_DF_CONST),
for the spellings only.  Each module is built in C (under -Werror -Wall
-Wextra -Wconversion, as CFFI's tests build it) and in C++, with each
plugin and with no plugin."""
import importlib
import sys
import textwrap
import uuid

import _cffi_backend
import pytest

from cffi import FFI

from plugin_compilers import MODES, compiler_mode

LANGUAGES = [".c", ".cpp"]
STRICT = ["-Werror", "-Wall", "-Wextra", "-Wconversion"]


@pytest.fixture(autouse=True, params=MODES)
def mode(request, monkeypatch, tmp_path):
    yield from compiler_mode(request.param, monkeypatch, tmp_path)


def build(tmp_path, cdef, source, ext):
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef))
    source = textwrap.dedent(source)
    kwds = {}
    if ext == ".cpp":
        source = 'extern "C" {\n%s\n}' % source
    else:
        kwds["extra_compile_args"] = STRICT
    name = "_const_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, source, source_extension=ext, **kwds)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("spelling", ["int (*compar)(const void *, const void *)",
                                      "int compar(const void *, const void *)"])
def test_qsort_comparator_keeps_const(tmp_path, ext, spelling):
    m = build(tmp_path, """
        void qsort(void *base, size_t nel, size_t width, %s);
        int by_value(const void *, const void *);
    """ % spelling, """
        #include <stdlib.h>
        int by_value(const void *a, const void *b)
        {
            return *(const int *)a - *(const int *)b;
        }
    """, ext)
    ffi, lib = m.ffi, m.lib
    items = ffi.new("int[]", [5, -1, 3, 0])
    lib.qsort(items, 4, ffi.sizeof("int"), lib.by_value)
    assert list(items) == [-1, 0, 3, 5]
    # a Python comparator, through the callback type of the cdef
    @ffi.callback("int(const void *, const void *)")
    def reverse(a, b):
        return ffi.cast("int *", b)[0] - ffi.cast("int *", a)[0]
    lib.qsort(items, 4, ffi.sizeof("int"), reverse)
    assert list(items) == [5, 3, 0, -1]


@pytest.mark.parametrize("ext", LANGUAGES)
def test_const_results_and_pointers_to_const(tmp_path, ext):
    # the source's prototypes take and return pointers to const: the
    # generated calls must say so (C++ refuses `char **` for
    # `const char *const *`, and a `const char *` result into `char *`)
    m = build(tmp_path, """
        const char *first(const char *const *names);
        size_t count(const int (*rows)[2], size_t n);
        extern const char *const labels[2];
    """, """
        const char *const labels[2] = { "a", "b" };
        const char *first(const char *const *names) { return names[0]; }
        size_t count(const int (*rows)[2], size_t n)
        {
            size_t i, k = 0;
            for (i = 0; i < n; i++)
                k += (size_t)(rows[i][0] + rows[i][1]);
            return k;
        }
    """, ext)
    ffi, lib = m.ffi, m.lib
    assert ffi.string(lib.first(lib.labels)) == b"a"
    rows = ffi.new("int[2][2]", [[1, 2], [3, 4]])
    assert lib.count(rows, 2) == 10
    # Python sees CFFI's ctypes: no const
    assert ffi.typeof(lib.first) is ffi.typeof("char *(*)(char * *)")
    assert ffi.typeof("const char *") is ffi.typeof("char *")


@pytest.mark.parametrize("ext", LANGUAGES)
def test_variable_of_const_typedef_is_read_only(tmp_path, ext):
    # CFFI's test_const_via_typedef: `const_t aaa` is a constant, the
    # source may make it a macro
    m = build(tmp_path, """
        typedef const int const_t;
        const_t aaa;
        const_t *ptr;
    """, """
        typedef const int const_t;
        #define aaa 42
        const_t *ptr = 0;
    """, ext)
    assert m.lib.aaa == 42
    with pytest.raises(AttributeError):
        m.lib.aaa = 43
    assert m.ffi.typeof("const_t *") is m.ffi.typeof("int *")


def test_spellings_keep_const():
    # what the code generator reads: the cdef's const where C puts it
    ffi = FFI()
    ffi.cdef("""
        const char *f(const char *const *p, char *const q[],
                      const int r[3][4], int (*cb)(const void *));
        typedef const int c_t;
        c_t v;
        int (*const *pp)(int);
        struct s { const int a[2]; const char *b; };
    """)
    decls = dict((d[1], d) for d in _cffi_backend._ccffi_declarations(ffi))
    assert decls["f"][2:4] == ("const char *", (
        "const char *const *", "char *const *", "const int(*)[4]",
        "int(*)(const void *)"))
    assert decls["v"] == ("variable", "v", "int", True)
    assert decls["pp"][2] == "int(*const *)(int)"
    assert decls["s"][4] == [("a", "const int[2]", -1),
                             ("b", "const char *", -1)]
    # the ctypes are CFFI's: qualifiers dropped
    assert ffi.typeof("int(*)(const void *)") is ffi.typeof("int(*)(void *)")
    assert ffi.typeof("struct s").fields[0][1].type is ffi.typeof("int[2]")


@pytest.mark.parametrize("ext", LANGUAGES)
def test_unsized_array_member_of_partial_struct(tmp_path, ext):
    # CFFI's test_const_array_fields_varlength: a lone `T a[]` (C refuses
    # it alone in a struct: the mirror says `T a[0]`), unsized as the cdef
    # says whatever length the header gives, at the header's offset
    m = build(tmp_path, """
        struct foo_s { const int a[]; ...; };
        struct bar_s { char c; int b[]; ...; };
    """, """
        struct foo_s { const int a[4]; };
        struct bar_s { char c; int b[3]; };
    """, ext)
    ffi = m.ffi
    assert ffi.typeof("struct foo_s").fields[0][0] == "a"
    assert ffi.typeof("struct foo_s").fields[0][1].type is ffi.typeof("int[]")
    assert ffi.sizeof("struct foo_s") == 16
    fields = dict(ffi.typeof("struct bar_s").fields)
    assert fields["b"].type is ffi.typeof("int[]")
    assert fields["b"].offset == 4
    p = ffi.new("struct bar_s *")
    p.b[2] = 7
    assert p.b[2] == 7


@pytest.mark.parametrize("ext", LANGUAGES)
def test_integer_initialised_in_the_cdef_is_a_checked_constant(tmp_path, ext):
    """`int NAME = 11;` in the cdef is CFFI's integer constant, not a
    global: brotlicffi declares `int BROTLI_DEFAULT_QUALITY = 11;` for a
    macro of its header, whose address the generated code cannot take.
    The compiler's value is checked against the cdef's as CFFI checks it."""
    m = build(tmp_path, "int QUALITY = 11; long WINDOW = -22;",
              "#define QUALITY 11\n#define WINDOW (-22)", ext)
    assert (m.lib.QUALITY, m.lib.WINDOW) == (11, -22)
    with pytest.raises(m.ffi.error, match="the C compiler says 'QUALITY' is "
                       r"equal to 12 \(0xc\), but the cdef disagrees"):
        build(tmp_path, "int QUALITY = 11;", "#define QUALITY 12", ext).lib.QUALITY
