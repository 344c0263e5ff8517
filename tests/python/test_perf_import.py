"""Importing a compiled module does no work per name (issue 17): the
plugin's table is used where the module holds it (passed as a memoryview,
not copied) and its names are found by bisection in the table's sorted
name index, not hashed at import.  The proof is a count, not a timing: the
bytes malloc() holds after importing a module of 1,000 functions are fewer
than its declarations alone take in the table (24 bytes each), where
copying the table and indexing its names held several times that.  Then
every name is found, and names that are absent are not, with each plugin."""
import ctypes
import ctypes.util
import importlib
import sys
import uuid

import pytest

from cffi import FFI

from plugin_compilers import PARAMS

NFUNCS = 1000


@pytest.fixture(params=PARAMS)
def compiler(request, monkeypatch):
    monkeypatch.setenv("CC", request.param.command)
    monkeypatch.delenv("CCFFI_NO_PLUGIN", raising=False)
    return request.param


def malloc_bytes():
    """Bytes malloc() has handed out and not taken back (glibc)."""
    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
            "fsmblks", "uordblks", "fordblks", "keepcost")]
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("no mallinfo2() in this C library")
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    return info.uordblks + info.hblkhd


def names(i):
    # lengths and first letters vary, so that the bisection meets short
    # names next to long ones and names that are prefixes of others
    return "f%d%s" % (i, "x" * (i % 7))


def build(tmp_path):
    ffi = FFI()
    ffi.cdef("\n".join("int %s(int);" % names(i) for i in range(NFUNCS))
             + "\nstruct pi_s { int a; char b[3]; };\n#define PI_K 42\n"
             "enum pi_e { PI_RED, PI_GREEN = 7 };\n")
    ffi.set_source("_perf_imp_%s" % uuid.uuid4().hex[:10],
                   "\n".join("int %s(int x) { return x + %d; }" % (names(i), i)
                             for i in range(NFUNCS))
                   + "\nstruct pi_s { int a; char b[3]; };\n#define PI_K 42\n"
                   "enum pi_e { PI_RED, PI_GREEN = 7 };\n")
    ffi.compile(tmpdir=str(tmp_path))
    return ffi


def test_import_holds_less_than_the_declarations(tmp_path, compiler):
    ffi = build(tmp_path)
    name = ffi._assigned_source[0]
    sys.path.insert(0, str(tmp_path))
    try:
        before = malloc_bytes()
        m = importlib.import_module(name)
        grown = malloc_bytes() - before
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)
    assert grown < NFUNCS * 24, grown
    lib = m.lib
    for i in range(NFUNCS):
        assert getattr(lib, names(i))(1) == i + 1
    assert lib.PI_K == 42 and lib.PI_GREEN == 7 and lib.PI_RED == 0
    for absent in ("f", "f1xx", "f1000", "f999xxxxxxxx", "", "zz", "PI_K\0"):
        with pytest.raises(AttributeError):
            getattr(lib, absent)
    assert m.ffi.sizeof("struct pi_s") == 8
    assert m.ffi.typeof("enum pi_e").relements == {"PI_RED": 0, "PI_GREEN": 7}
    p = m.ffi.new("struct pi_s *", [5, b"ab"])
    assert p.a == 5 and m.ffi.string(p.b) == b"ab"
    assert m.ffi.typeof("int *[5]") is m.ffi.typeof("int *[5]")
