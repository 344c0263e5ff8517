"""How each plugin reads the types the generated markers name, end to end
(set_source() + compile() + a call), once per compiler whose plugin is
built.  The tables of the two plugins are compared in test_plugin_agree.py;
here the module's behaviour is checked, so a plugin that spells a type
wrongly fails even when the other plugin is not built."""
import importlib
import sys
import textwrap
import uuid

import pytest

from cffi import FFI

from plugin_compilers import PARAMS


@pytest.fixture(params=PARAMS)
def compiler(request, monkeypatch):
    monkeypatch.setenv("CC", request.param.command)
    return request.param


def build(tmp_path, cdef, source, **kwds):
    name = "_ptypes_%s" % uuid.uuid4().hex[:10]
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef))
    ffi.set_source(name, textwrap.dedent(source), **kwds)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


@pytest.mark.parametrize("ext", [".c", ".cpp"])
def test_char16_char32_typedefs_declared_again(tmp_path, compiler, ext):
    # C11 allows `typedef T X;` twice; after <uchar.h> gcc merges the
    # second char16_t into the first and the type lost its typedef chain:
    # the GCC plugin spelled it 'unsigned short' and the functions took
    # integers instead of 1-character strings (CFFI's
    # test_char16_char32_plain_c)
    m = build(tmp_path, """
        char16_t foo_2bytes(char16_t);
        char32_t foo_4bytes(char32_t);
    """, """
        #include <stdint.h>
        #if !defined(__cplusplus)
        typedef uint_least16_t char16_t;
        typedef uint_least32_t char32_t;
        #endif
        char16_t foo_2bytes(char16_t a) { return (char16_t)(a + 42); }
        char32_t foo_4bytes(char32_t a) { return (char32_t)(a + 42); }
    """, source_extension=ext)
    ffi, lib = m.ffi, m.lib
    assert ffi.typeof(lib.foo_2bytes) == ffi.typeof("char16_t(*)(char16_t)")
    assert lib.foo_2bytes("\u1234") == "\u125e"
    assert lib.foo_4bytes("\U00012345") == "\U0001236f"
    with pytest.raises(TypeError):
        lib.foo_2bytes("\U00012345")
    with pytest.raises(TypeError):
        lib.foo_2bytes(1234)
