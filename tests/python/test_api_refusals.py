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


def make_ffi(cdef, source, ext, **cdef_kwds):
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef), **cdef_kwds)
    if ext == ".cpp":
        source = 'extern "C" {\n%s\n}' % textwrap.dedent(source)
    name = "_refuse_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, textwrap.dedent(source), source_extension=ext)
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
