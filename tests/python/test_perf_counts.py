"""Issue 17, counted rather than timed.

API-mode calls of up to four integer or pointer arguments with an integer,
pointer or void result are planned once (ccall_plan_init): each argument's
converter decided when lib.f is first read, the generated function of the
cdef's type called with its arguments in registers, no trampoline.  The
tests check that such functions have their own entry point (the builtin's
ml_meth), and that the planned call keeps every semantics of the general
one: the values at each integer type's bounds, the errors beyond them
(compared with the same function called through its address, the ABI-mode
path), pointers, errno, and the GIL released."""
import ctypes
import importlib
import sys
import uuid

import pytest

from cffi import FFI

from plugin_compilers import PARAMS

CDEF = """
int add_ii(int, int);
long add_ls(long, short);
double add_dd(double, double);
int sum3(int, int, int);
int sum5(int, int, int, int, int);
signed char id_s1(signed char);
short id_s2(short);
long long id_s8(long long);
unsigned char id_u1(unsigned char);
unsigned short id_u2(unsigned short);
unsigned int id_u4(unsigned int);
unsigned long long id_u8(unsigned long long);
int first_byte(const char *);
int point_x(struct pt *);
struct pt *same_pt(struct pt *);
void set_errno(int);
int get_errno(void);
int gil_held(int);
struct pt { int x, y; };
"""

SOURCE = """
#include <errno.h>
struct pt { int x, y; };
int add_ii(int a, int b) { return a + b; }
long add_ls(long a, short b) { return a + b; }
double add_dd(double a, double b) { return a + b; }
int sum3(int a, int b, int c) { return a + b + c; }
int sum5(int a, int b, int c, int d, int e) { return a + b + c + d + e; }
signed char id_s1(signed char v) { return v; }
short id_s2(short v) { return v; }
long long id_s8(long long v) { return v; }
unsigned char id_u1(unsigned char v) { return v; }
unsigned short id_u2(unsigned short v) { return v; }
unsigned int id_u4(unsigned int v) { return v; }
unsigned long long id_u8(unsigned long long v) { return v; }
int first_byte(const char *s) { return s ? s[0] : -1; }
int point_x(struct pt *p) { return p ? p->x : -1; }
struct pt *same_pt(struct pt *p) { return p; }
void set_errno(int v) { errno = v; }
int get_errno(void) { return errno; }
int gil_held(int x) { (void)x; return PyGILState_Check(); }
"""

_modules = {}


@pytest.fixture(params=PARAMS)
def mod(request, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CC", request.param.command)
    monkeypatch.delenv("CCFFI_NO_PLUGIN", raising=False)
    key = request.param.name
    if key not in _modules:
        ffi = FFI()
        ffi.cdef(CDEF)
        name = "_perf_counts_%s" % uuid.uuid4().hex[:10]
        ffi.set_source(name, SOURCE)
        tmp = str(tmp_path_factory.mktemp("perf_counts"))
        ffi.compile(tmpdir=tmp)
        sys.path.insert(0, tmp)
        try:
            _modules[key] = importlib.import_module(name)
        finally:
            sys.path.remove(tmp)
    return _modules[key]


def ml_meth(builtin):
    """The C function behind a builtin (CPython layout: the
    PyCFunctionObject's m_ml follows the object header; ml_meth is the
    PyMethodDef's second pointer)."""
    assert type(builtin).__name__ == "builtin_function_or_method"
    m_ml = ctypes.c_void_p.from_address(id(builtin) + object.__basicsize__).value
    return ctypes.c_void_p.from_address(m_ml + ctypes.sizeof(ctypes.c_void_p)).value


def test_integer_signatures_have_their_own_entry(mod):
    lib = mod.lib
    planned = ml_meth(lib.add_ii)
    assert ml_meth(lib.add_ls) == planned
    assert ml_meth(lib.sum3) == planned
    # doubles and more than four arguments keep the quick trampoline call
    assert ml_meth(lib.add_dd) != planned
    assert ml_meth(lib.sum5) != planned
    assert ml_meth(lib.add_dd) == ml_meth(lib.sum5)


@pytest.mark.parametrize("fname,lo,hi", [
    ("id_s1", -2**7, 2**7 - 1), ("id_s2", -2**15, 2**15 - 1),
    ("id_s8", -2**63, 2**63 - 1), ("id_u1", 0, 2**8 - 1),
    ("id_u2", 0, 2**16 - 1), ("id_u4", 0, 2**32 - 1), ("id_u8", 0, 2**64 - 1)])
def test_integer_bounds_and_errors_as_the_general_call(mod, fname, lo, hi):
    f = getattr(mod.lib, fname)
    through_address = mod.ffi.addressof(mod.lib, fname)
    for v in (lo, lo + 1, 0, 1, hi - 1, hi, 2**62, -2**62):
        if lo <= v <= hi:
            assert f(v) == v == through_address(v)
    for other in (lo - 1, hi + 1, 2**64, -2**64, 1.5, "x", None, True):
        outcomes = []
        for g in (f, through_address):
            try:
                outcomes.append(("value", g(other)))
            except Exception as e:
                outcomes.append((type(e), str(e)))
        assert outcomes[0] == outcomes[1], (other, outcomes)
        if other is not True:
            assert outcomes[0][0] != "value", (other, outcomes)

def test_planned_call_arguments_and_results(mod):
    ffi, lib = mod.ffi, mod.lib
    assert lib.add_ii(2, 3) == 5 and lib.add_ls(-7, 2) == -5
    assert lib.sum3(1, 2, 3) == 6 and lib.add_dd(0.5, 0.25) == 0.75
    assert lib.add_ii(-2**31, 0) == -2**31
    assert lib.add_ii(True, 1) == 2         # bool: the general conversion
    p = ffi.new("struct pt *", [4, 5])
    assert lib.point_x(p) == 4 and lib.point_x(ffi.NULL) == -1
    assert lib.point_x(ffi.cast("struct pt *", p)) == 4
    assert lib.same_pt(p) == p and lib.same_pt(ffi.NULL) == ffi.NULL
    assert lib.first_byte(b"A") == 65 and lib.first_byte(ffi.new("char[]", b"B")) == 66
    with pytest.raises(TypeError) as info:
        lib.point_x(ffi.new("int *"))
    assert "struct pt *" in str(info.value)
    with pytest.raises(TypeError) as info:
        lib.add_ii(1)
    assert str(info.value) == "add_ii expected 2 arguments, got 1"
    with pytest.raises(TypeError):
        lib.add_ii(1, 2, x=3)


def test_planned_call_errno_and_gil(mod):
    ffi, lib = mod.ffi, mod.lib
    assert lib.set_errno(17) is None
    assert ffi.errno == 17
    ffi.errno = 42
    assert lib.get_errno() == 42
    assert lib.gil_held(0) == 0


# ------------------------------------------------- ffi.new("T[N]") memory

def _traced_bytes_per_object(make, n=2000):
    import gc
    import tracemalloc
    keep = [None] * n
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(n):
            keep[i] = make()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / n


def test_new_fixed_array_is_one_small_object():
    # issue 17: the 40-byte cdata header and the 40 bytes of the items,
    # where CFFI takes 88 (and this took 136: an 80-byte header and 16 of
    # alignment slack)
    import gc
    ffi = FFI()
    assert _traced_bytes_per_object(lambda: ffi.new("int[10]")) < 88
    assert _traced_bytes_per_object(lambda: ffi.new("char[3]")) <= 48
    assert not gc.is_tracked(ffi.new("int[10]"))


def test_new_fixed_array_behaves_as_before():
    import weakref
    ffi = FFI()
    ffi.cdef("struct q16 { int a, b, c, d; };")
    a = ffi.new("int[10]", list(range(10)))
    assert repr(a) == "<cdata 'int[10]' owning 40 bytes>"
    assert type(a).__name__ == "__CDataOwn" and isinstance(a, ffi.CData)
    assert len(a) == 10 and ffi.sizeof(a) == 40 and list(a) == list(range(10))
    assert len(ffi.buffer(a)) == 40 and ffi.buffer(a)[4:8] == b"\x01\0\0\0"
    with pytest.raises(IndexError) as info:
        a[10]
    assert str(info.value) == "index too large for cdata 'int[10]' (expected 10 < 10)"
    s = a[2:5]
    assert repr(s) == "<cdata 'int[]' sliced length 3>" and list(s) == [2, 3, 4]
    p = a + 3
    del a
    import gc
    gc.collect()
    assert p[0] == 3 and s[2] == 4          # views keep the array alive
    b = ffi.new("int[4]")
    r = weakref.ref(b)
    ffi.release(b)                          # memory inside: left alone, as CFFI
    assert b[3] == 0 and r() is b
    with ffi.new("int[2]") as c:
        c[1] = 7
    assert c[1] == 7
    q = ffi.new("struct q16[2]")
    q[1].c = 5
    assert q[1].c == 5 and repr(q[1]) .startswith("<cdata 'struct q16 &' ")
    assert ffi.addressof(q, 1).c == 5
    ld = ffi.new("long double[3]")
    assert int(ffi.cast("uintptr_t", ld)) % ffi.alignof("long double") == 0
    assert ffi.new("char[6]", b"hello")[4] == b"o"
    # "T[]" keeps its own length, separate blocks and allocators as before
    v = ffi.new("int[]", 5)
    assert len(v) == 5 and repr(v) == "<cdata 'int[]' owning 20 bytes>"
    big = ffi.new("char[10000]")
    assert repr(big) == "<cdata 'char[10000]' owning 10000 bytes>"
    ffi.release(big)
    with pytest.raises(IndexError, match="released"):
        big[0]
    alloc = ffi.new_allocator(should_clear_after_alloc=True)
    assert list(alloc("int[3]")) == [0, 0, 0]
