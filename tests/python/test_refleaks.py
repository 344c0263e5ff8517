"""No reference or memory leak on the object layer's operations: each is
repeated many times and the memory traced by tracemalloc (which sees every
object and every PyMem/PyObject allocation of the runtime) must not grow."""
import gc
import os
import tracemalloc

import pytest

# Under valgrind, tracemalloc's own trace records show up as lost blocks;
# valgrind checks the same thing better there.
pytestmark = pytest.mark.skipif("vgpreload" in os.environ.get("LD_PRELOAD", ""),
                                reason="tracemalloc under valgrind")


def _growth(fn, n=3000):
    for _ in range(200):
        fn()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(n):
            fn()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before


@pytest.fixture
def lffi(ffi):
    ffi.cdef("""
        struct st { int x; char y; double z; };
        struct out { struct st s; struct st arr[2]; int a[3]; };
        enum e { A, B = 5 };
        struct bf { int a:3; };
        struct flex { int n; int d[]; };
    """)
    return ffi


def _errors(ffi, p, a):
    for f in (lambda: ffi.new("unsigned char *", 300),
              lambda: ffi.new("int[2]", [1, 2, 3]),
              lambda: p.zz,
              lambda: ffi.new("struct st *", {"zz": 1}),
              lambda: ffi.typeof("int x y"),
              lambda: ffi.cast("struct st", 0),
              lambda: a[20],
              lambda: ffi.string(ffi.cast("int", 1)),
              lambda: ffi.sizeof("struct nope")):
        try:
            f()
        except Exception:
            pass


def test_no_leak(lffi):
    ffi = lffi
    p = ffi.new("struct out *")
    a = ffi.new("int[10]")
    ba = bytearray(16)
    ops = {
        "new": lambda: (ffi.new("int *", 5), ffi.new("struct st *", [1, b"a", 2.0]),
                        ffi.new("struct out *", {"s": [1], "arr": [[1], [2]]}),
                        ffi.new("int[]", [1, 2, 3]), ffi.new("char[]", b"hello"),
                        ffi.new("wchar_t[]", "hello"), ffi.new("struct flex *", [2, [1, 2]])),
        "fields": lambda: (p.s, p.s.x, p.arr[1], p.a, p[0], setattr(p.s, "x", 3),
                           ffi.new("struct bf *", [2]).a),
        "slices": lambda: (a[1:3], list(a[0:5]), a.__setitem__(slice(0, 3), [1, 2, 3])),
        "cast": lambda: (ffi.cast("int", 5), ffi.cast("void *", a),
                         ffi.cast("double", ffi.cast("int", 3)), ffi.cast("enum e", 5),
                         ffi.cast("long double", 1.5)),
        "repr": lambda: (repr(ffi.cast("enum e", 5)), repr(p), repr(a[1:2])),
        "string": lambda: (ffi.string(ffi.new("char[]", b"abc")),
                           ffi.string(ffi.cast("enum e", 5)), ffi.unpack(a, 5),
                           ffi.unpack(p.arr, 2)),
        "buffers": lambda: (ffi.buffer(a)[:], bytes(ffi.buffer(p)),
                            ffi.release(ffi.from_buffer(ba)), ffi.from_buffer("int[]", ba),
                            ffi.memmove(a, b"abcd", 4)),
        "gc": lambda: (ffi.gc(ffi.new("int *"), lambda x: None),
                       ffi.release(ffi.gc(ffi.new("int *"), lambda x: None)),
                       ffi.new_allocator()("int[]", 10),
                       ffi.from_handle(ffi.new_handle([1]))),
        "types": lambda: (ffi.typeof("struct st *"), ffi.typeof(p), ffi.sizeof(p),
                          ffi.offsetof("struct out", "arr", 1, "z"),
                          ffi.addressof(p, "arr", 1, "y"), ffi.getctype("int[3]", "*"),
                          ffi.list_types()),
        "compare": lambda: (ffi.cast("int", 5) == 5, hash(ffi.cast("double", 1.5)),
                            a == p, a + 1, (a + 2) - a),
        "errors": lambda: _errors(ffi, p, a),
    }
    for name, fn in ops.items():
        assert _growth(fn) < 20000, name


def test_no_leak_of_whole_ffi_objects():
    import cffi

    def make():
        f = cffi.FFI()
        f.cdef("struct q { int a; struct q *n; }; typedef int t; enum c { R };")
        f.new("struct q *", [1])
        f.typeof("int(*)(struct q *)")
    assert _growth(make, 500) < 20000
