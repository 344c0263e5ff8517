"""ABI mode out-of-line: set_source(name, None) + compile() or
emit_python_code() write a .py module whose `ffi` carries the cdef."""
import importlib
import os
import sys
import uuid

import pytest

import _cffi_backend
from cffi import FFI


def build(tmp_path, cdef, **cdef_kwds):
    name = "_ool_%s" % uuid.uuid4().hex[:10]
    ffi = FFI()
    ffi.cdef(cdef, **cdef_kwds)
    ffi.set_source(name, None)
    path = ffi.compile(tmpdir=str(tmp_path))
    assert path == os.path.join(str(tmp_path), name + ".py")
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_the_module_carries_types_and_layouts(tmp_path):
    m = build(tmp_path, """
        struct pt { char c; double d; };
        typedef struct { int a : 3; int b : 5; } bits_t;
        typedef unsigned long ulong_t;
        enum color { RED, GREEN = 5 };
    """)
    ffi = m.ffi
    assert isinstance(ffi, _cffi_backend.FFI)
    assert ffi.offsetof("struct pt", "d") == 8
    assert ffi.sizeof("bits_t") == 4
    assert ffi.typeof("ulong_t") is ffi.typeof("unsigned long")
    assert ffi.string(ffi.cast("enum color", 5)) == "GREEN"
    p = ffi.new("bits_t *", {"a": -2, "b": 9})
    assert (p.a, p.b) == (-2, 9)


def test_packed_layouts_survive(tmp_path):
    m = build(tmp_path, "struct tight { char c; int i; };", packed=True)
    assert m.ffi.sizeof("struct tight") == 5


def test_dlopen_through_the_module(tmp_path):
    m = build(tmp_path, """
        double cos(double);
        size_t strlen(const char *);
        #define ANSWER 42
    """)
    libm = m.ffi.dlopen("libm.so.6")
    assert libm.cos(0.0) == 1.0
    assert libm.ANSWER == 42
    libc = m.ffi.dlopen(None)
    assert libc.strlen(b"hello") == 5


def test_emit_python_code_refuses_api_mode(tmp_path):
    ffi = FFI()
    ffi.cdef("int f(void);")
    ffi.set_source("_x", "int f(void) { return 0; }")
    with pytest.raises(TypeError) as e:
        ffi.emit_python_code(str(tmp_path / "x.py"))
    assert str(e.value) == ("emit_python_code() is only for dlopen()-style "
                            "pure Python modules, not for C extension modules")


def test_emit_c_code_refuses_abi_mode(tmp_path):
    # CFFI's words (cffi-gen-src's exec-python passes them on)
    ffi = FFI()
    ffi.cdef("int f(void);")
    ffi.set_source("_x", None)
    with pytest.raises(TypeError) as e:
        ffi.emit_c_code(str(tmp_path / "x.c"))
    assert str(e.value) == ("emit_c_code() is only for C extension modules, "
                            "not for dlopen()-style pure Python modules")


def test_a_corrupt_table_is_refused():
    with pytest.raises(ImportError) as info:
        _cffi_backend._ccffi_ffi_from_table(b"CCFFITB\0garbage")
    assert "type table" in str(info.value)
