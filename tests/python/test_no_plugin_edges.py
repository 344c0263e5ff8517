"""API mode without the plugin (issue 12): cases where the fallback's
plain-C numbers used to give another answer than the plugin's table.

* a cdef `int a[...]` global against the source's `char a[23]`: CFFI's
  verify() refuses it ("bad size": 23 bytes are no array of int); the
  fallback's length sizeof(a)/sizeof(a[0]) alone (23, read as int[23])
  hid it, so the fallback keeps the byte size for the verifier;
* user macros with ordinary names in the source: with `#define value 5`,
  `type`, `flags` CFFI 2.0's file builds (C and C++), and the fallback's
  code after the source (std::is_signed<T>::value) broke; CFFI's own file
  breaks on `p`, `tmp`, `i`, `x`... (its local names), ccffi's builds
  with them too, with and without the plugin (never stricter).

Each module is built by gcc and by clang with CCFFI_NO_PLUGIN=1; the
expected values are real CFFI 2.0's."""
import importlib
import shutil
import sys
import textwrap
import uuid

import pytest

from cffi import FFI, VerificationError

from plugin_compilers import GCC, CLANG

NOPLUGIN = [pytest.param(GCC.command, id="gcc"),
            pytest.param(CLANG.command, id="clang", marks=pytest.mark.skipif(
                shutil.which(CLANG.command) is None, reason="no clang"))]


@pytest.fixture(autouse=True, params=NOPLUGIN)
def cc(request, monkeypatch, tmp_path):
    monkeypatch.setenv("CC", request.param)
    monkeypatch.setenv("CCFFI_NO_PLUGIN", "1")
    before = set(sys.modules)
    yield request.param
    for name in set(sys.modules) - before:
        path = getattr(sys.modules[name], "__file__", None) or ""
        if path.startswith(str(tmp_path)):
            del sys.modules[name]


def build(tmp_path, cdef, source, ext):
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef))
    source = textwrap.dedent(source)
    name = "_npedge_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, source, source_extension=ext)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        m = importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
    assert m.ffi._ccffi_built_with == "compiler"
    return m


SOURCE_23 = "char a[23] = { 1, 2, 3 };"


@pytest.mark.parametrize("decl", ["extern int a[...];", "int a[...];"])
def test_verify_global_bad_size(tmp_path, decl):
    ffi = FFI()
    ffi.cdef(decl)
    with pytest.raises(VerificationError) as e:
        ffi.verify(SOURCE_23, tmpdir=str(tmp_path))
    assert str(e.value) == ("variable a: bad size: 'a' does not seem to be an "
                            "array of <int>")


def test_verify_global_good_size(tmp_path):
    # 24 bytes are 6 ints: no error, as CFFI
    ffi = FFI()
    ffi.cdef("int a[...];")
    lib = ffi.verify("int a[6] = { 1, 2, 3 };", tmpdir=str(tmp_path))
    assert ffi.typeof(lib.a) is ffi.typeof("int[6]")
    assert list(lib.a) == [1, 2, 3, 0, 0, 0]


def test_compile_global_length(tmp_path):
    # CFFI's compile(): the length is sizeof(a)/sizeof(a[0]), unchecked
    # (the C compiler warns of the pointer types)
    m = build(tmp_path, "int a[...];", SOURCE_23, ".c")
    assert m.ffi.typeof(m.lib.a) is m.ffi.typeof("int[23]")
    assert _cffi_varsize(m) == 23


def _cffi_varsize(m):
    import _cffi_backend
    return _cffi_backend._ccffi_fallback_varsize(m.ffi, "a")


MACROS = """
    #define value 5
    #define type 6
    #define flags 7
    #define tmp 8
    #define p 9
    #define v 10
    #define s 11
    #define u 12
    #define d 13
    #define b 14
    #define x 15
    #define c 16
    #define magic 17
    #define table 18
    #define values 19
    #define i 20
    #define j 21
    #define n 22
"""


@pytest.mark.parametrize("ext", [".c", ".cpp"])
def test_user_macros_with_ordinary_names(tmp_path, ext):
    source = MACROS + """
        typedef enum { E0 = -1, E1 = value } e_t;
        typedef unsigned short us_t;
        struct st { int q; char *w; void *z; e_t e; };
        struct bf { int bits : 3; unsigned int more : 2; };
        int arr[type];
        #ifdef __cplusplus
        extern "C" {
        #endif
        int get(struct st *q_) { return q_->q + flags; }
        #ifdef __cplusplus
        }
        #endif
    """
    m = build(tmp_path, """
        typedef enum { E0, E1, ... } e_t;
        typedef int... us_t;
        struct st { int q; char *w; void *z; e_t e; ...; };
        struct bf { int bits : 3; unsigned int more : 2; };
        int arr[...];
        #define value ...
        int get(struct st *);
    """, source, ext)
    ffi, lib = m.ffi, m.lib
    assert lib.E0 == -1 and lib.E1 == 5 and lib.value == 5
    assert ffi.typeof("e_t").kind == "enum"
    assert ffi.sizeof("e_t") == 4
    assert ffi.typeof("us_t") is ffi.typeof("unsigned short")
    assert ffi.typeof(lib.arr) is ffi.typeof("int[6]")
    st = ffi.new("struct st *", {"q": 3})
    assert lib.get(st) == 10
    bf = ffi.new("struct bf *", {"bits": -2, "more": 3})
    assert (bf.bits, bf.more) == (-2, 3)
