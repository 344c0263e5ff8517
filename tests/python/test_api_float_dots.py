"""API mode: `typedef double... t` (or `float...`) whose header type is not
float or double (issue 11, CFFI's test_recompiler.py
test_some_float_invalid_2/_3).

As CFFI: the module builds and imports; realizing t (a function using it,
ffi.typeof) raises ffi.error with CFFI's message: "primitive floating-point
type with an unexpected size (or not a float type at all)" for an integer,
the 'long double' message for long double.  The plugins record t as the
unknown-float primitive with a "$mismatch t" record (marker flag
FLOAT_DOTS, runtime/table/MARKERS.md); the no-plugin fallback does the same
at import instead of refusing the module.  A float or double header type
is used as before.

Each module is built in C and in C++, with each plugin and with no plugin;
the expected messages are real CFFI 2.0's."""
import importlib
import sys
import textwrap
import uuid

import pytest

from cffi import FFI

from plugin_compilers import MODES, compiler_mode

LANGUAGES = [".c", ".cpp"]

NOT_FLOAT = ("primitive floating-point type with an unexpected size "
             "(or not a float type at all)")
LONG_DOUBLE = ("primitive floating-point type is 'long double', not "
               "supported for now with the syntax 'typedef double... xxx;'")


@pytest.fixture(autouse=True, params=MODES)
def mode(request, monkeypatch, tmp_path):
    yield from compiler_mode(request.param, monkeypatch, tmp_path)


def build(tmp_path, cdef, source, ext):
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef))
    source = textwrap.dedent(source)
    if ext == ".cpp":
        source = 'extern "C" {\n%s\n}' % source
    name = "_fdots_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, source, source_extension=ext)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


CDEF = """
    typedef double... foo_t;
    foo_t neg(foo_t);
    int twice(int);
"""


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("real", ["unsigned long", "int", "char"])
def test_integer_behind_double_dots(tmp_path, ext, real):
    m = build(tmp_path, CDEF, """
        typedef %s foo_t;
        foo_t neg(foo_t x) { return -x; }
        int twice(int x) { return 2 * x; }
    """ % real, ext)
    ffi, lib = m.ffi, m.lib
    assert lib.twice(21) == 42          # the module itself works
    with pytest.raises(ffi.error) as e:
        lib.neg
    assert str(e.value) == NOT_FLOAT
    with pytest.raises(ffi.error) as e:
        ffi.typeof("foo_t")
    assert str(e.value) == NOT_FLOAT


@pytest.mark.parametrize("ext", LANGUAGES)
def test_long_double_behind_double_dots(tmp_path, ext):
    m = build(tmp_path, CDEF, """
        typedef long double foo_t;
        foo_t neg(foo_t x) { return -x; }
        int twice(int x) { return 2 * x; }
    """, ext)
    ffi, lib = m.ffi, m.lib
    assert lib.twice(4) == 8
    if ffi.sizeof("long double") == ffi.sizeof("double"):
        assert lib.neg(12.5) == -12.5
        return
    with pytest.raises(ffi.error) as e:
        lib.neg
    assert str(e.value) == LONG_DOUBLE
    with pytest.raises(ffi.error) as e:
        ffi.typeof("foo_t*")
    assert str(e.value) == LONG_DOUBLE


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("dots,real", [("double", "double"),
                                       ("float", "float"),
                                       ("float", "double")])
def test_float_or_double_still_used(tmp_path, ext, dots, real):
    # the type of the header's size, as CFFI (float... of a double: double)
    m = build(tmp_path, """
        typedef %s... foo_t;
        foo_t neg(foo_t);
    """ % dots, """
        typedef %s foo_t;
        foo_t neg(foo_t x) { return -x; }
    """ % real, ext)
    ffi, lib = m.ffi, m.lib
    assert ffi.typeof("foo_t") is ffi.typeof(real)
    assert lib.neg(1.5) == -1.5
