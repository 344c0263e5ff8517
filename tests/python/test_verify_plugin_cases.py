"""API mode through ffi.verify() (issue 14): cdefs whose view differs from
the header's, as CFFI's test_verify tests them.

* a `T a[]` member of a partial struct that is not the last one: the mirror
  says `T a[0]` (C refuses an open array before another member), which both
  plugins read as `T[]`, so that the member stays in the table, unsized as
  the cdef says, at the header's offset;
* `typedef struct { ...; } T;` whose real type is not a record (`typedef
  short T;`): CFFI shows a struct of T's size and alignment with no fields.

Each module is built in C and in C++, with each plugin and with no plugin;
the expected values are real CFFI 2.0's."""
import importlib
import sys
import textwrap
import uuid

import pytest

from cffi import FFI

from plugin_compilers import MODES, compiler_mode

LANGUAGES = [".c", ".cpp"]


@pytest.fixture(autouse=True, params=MODES)
def mode(request, monkeypatch, tmp_path):
    yield from compiler_mode(request.param, monkeypatch, tmp_path)


def build(tmp_path, cdef, source, ext):
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef))
    source = textwrap.dedent(source)
    if ext == ".cpp":
        source = 'extern "C" {\n%s\n}' % source
    name = "_vcase_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, source, source_extension=ext)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def fields_of(ffi, ctype):
    return [(name, f.type.cname, f.offset, f.bitsize)
            for name, f in ffi.typeof(ctype).fields]


@pytest.mark.parametrize("ext", LANGUAGES)
def test_open_array_member_not_last(tmp_path, ext):
    # CFFI's test_struct_array_no_length: the plugins dropped the inner
    # `int a[]` from the view (or showed the header's `int[17]`)
    m = build(tmp_path, """
        struct foo_s { int a[]; int y; ...; };
        struct bar_s { char c; int b[]; ...; };
        int get(struct foo_s *);
    """, """
        struct foo_s { int x; int a[17]; int y; };
        struct bar_s { char c; int b[3]; };
        int get(struct foo_s *f) { return f->a[14]; }
    """, ext)
    ffi, lib = m.ffi, m.lib
    assert fields_of(ffi, "struct foo_s") == [
        ("a", "int[]", 4, -1), ("y", "int", 72, -1)]
    assert ffi.sizeof("struct foo_s") == 76
    assert fields_of(ffi, "struct bar_s") == [
        ("c", "char", 0, -1), ("b", "int[]", 4, -1)]
    assert ffi.sizeof("struct bar_s") == 16
    s = ffi.new("struct foo_s *")
    assert ffi.typeof(s.a) is ffi.typeof("int[]")
    assert len(s.a) == 18
    s.a[14] = 4242
    assert lib.get(s) == 4242
    s.a[17] = -521
    assert s.y == -521


@pytest.mark.parametrize("ext", LANGUAGES)
def test_struct_typedef_of_a_scalar(tmp_path, ext):
    # CFFI's test_opaque_integer_as_function_result: the plugins recorded
    # `short` and `double` where CFFI shows structs without fields
    m = build(tmp_path, """
        typedef struct { ...; } h_t;
        typedef struct { ...; } d_t;
        h_t get_h(void);
        d_t get_d(void);
    """, """
        typedef short h_t;
        typedef double d_t;
        h_t get_h(void) { return 42; }
        d_t get_d(void) { return 1.5; }
    """, ext)
    ffi, lib = m.ffi, m.lib
    for name, size in [("h_t", ffi.sizeof("short")),
                       ("d_t", ffi.sizeof("double"))]:
        t = ffi.typeof(name)
        assert (t.kind, t.cname, t.fields) == ("struct", name, [])
        assert ffi.sizeof(t) == ffi.alignof(t) == size
    h = lib.get_h()
    assert ffi.typeof(h) is ffi.typeof("h_t")
    assert ffi.sizeof(h) == ffi.sizeof("short")
    assert bytes(ffi.buffer(ffi.new("h_t *", h))) == \
        bytes(ffi.buffer(ffi.new("short *", 42)))
    assert ffi.sizeof(lib.get_d()) == ffi.sizeof("double")


@pytest.mark.parametrize("ext", LANGUAGES)
def test_open_array_of_guessed_arrays(tmp_path, ext):
    # CFFI's test_struct_array_guess_length_3: `int a[][...]` is the
    # header's `int[7]` items, unsized (the plugins showed `int[5][7]`)
    m = build(tmp_path, """
        struct foo_s { int a[][...]; };
    """, """
        struct foo_s { int x; int a[5][7]; int y; };
    """, ext)
    ffi = m.ffi
    assert fields_of(ffi, "struct foo_s") == [("a", "int[][7]", 4, -1)]
    assert ffi.sizeof("struct foo_s") == 37 * ffi.sizeof("int")
    s = ffi.new("struct foo_s *")
    assert ffi.typeof(s.a) is ffi.typeof("int[][7]")
    with pytest.raises(IndexError):
        s.a[4][7]
