"""The fast paths of issue 17 give the same results as the slow ones:
field lookup by interned name (a flat table of the first fields, then the
dict) and cdata memory layouts."""
import gc
import sys
import weakref

import pytest


def test_field_names_not_interned_still_found(ffi):
    ffi.cdef("struct fl1 { int alpha; double beta; };")
    p = ffi.new("struct fl1 *", [3, 2.5])
    # names built at run time are equal to, not identical with, the keys
    a = "".join(["al", "pha"])
    b = "".join(["be", "ta"])
    assert getattr(p, a) == 3
    assert getattr(p[0], b) == 2.5
    setattr(p, a, 7)
    setattr(p[0], b, -1.0)
    assert p.alpha == 7 and p.beta == -1.0
    assert getattr(p, str(a)) == 7
    with pytest.raises(AttributeError):
        getattr(p, "".join(["gam", "ma"]))
    with pytest.raises(AttributeError):
        setattr(p, "".join(["gam", "ma"]), 1)


def test_field_lookup_beyond_the_flat_table(ffi):
    # more fields than the flat table holds: the last ones come from the dict
    n = 40
    ffi.cdef("struct many { %s };" % " ".join("int f%d;" % i for i in range(n)))
    p = ffi.new("struct many *")
    for i in range(n):
        setattr(p, "f%d" % i, i * 3)
    assert [getattr(p, "f%d" % i) for i in range(n)] == [i * 3 for i in range(n)]
    assert p.f39 == 117 and p.f0 == 0 and p.f16 == 48
    assert sorted(dir(p)) == sorted("f%d" % i for i in range(n))


def test_field_lookup_anonymous_members_and_unions(ffi):
    ffi.cdef("""
        struct anon { int a; union { int b; float c; }; struct { char d, e; }; };
    """)
    p = ffi.new("struct anon *")
    p.a, p.b, p.d, p.e = 1, 2, b"d", b"e"
    assert (p.a, p.b, p.d, p.e) == (1, 2, b"d", b"e")
    p.c = 1.5
    assert p.c == 1.5
    assert p[0].e == b"e"


def test_field_names_that_shadow_attributes(ffi):
    # field names that are also names of cdata methods: the field wins
    ffi.cdef("struct sh { int __class__x; int __enter__; int __dir__; };")
    p = ffi.new("struct sh *")
    p.__enter__ = 5
    assert p.__enter__ == 5
    p.__dir__ = 6
    assert p.__dir__ == 6
    assert type(p).__name__      # attributes that are not fields still work


def test_same_field_names_in_two_structs(ffi):
    ffi.cdef("struct s1 { int x; int y; }; struct s2 { char pad; double y; int x; };")
    p = ffi.new("struct s1 *", [1, 2])
    q = ffi.new("struct s2 *", [b"z", 2.5, 9])
    assert (p.x, p.y, q.x, q.y) == (1, 2, 9, 2.5)


def test_field_read_after_type_recreated(ffi):
    # many ctypes with fields, freed: the tables are freed with them
    import cffi
    for i in range(50):
        f = cffi.FFI()
        f.cdef("struct t%d { int a, b, c; };" % i)
        p = f.new("struct t%d *" % i, [i, i + 1, i + 2])
        assert (p.a, p.b, p.c) == (i, i + 1, i + 2)
        del f, p
    gc.collect()


# ------------------------------------------------ ffi.new("T *") inline

def _traced_bytes_per_object(make, n=2000):
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


def test_new_pointer_memory_is_one_small_object(ffi):
    # issue 17: at most CFFI's 64 bytes (header, type, data, weakref list
    # and the value itself: no second object, no GC header)
    ffi.cdef("struct q16 { int a, b, c, d; };")
    assert _traced_bytes_per_object(lambda: ffi.new("int *")) <= 48
    assert _traced_bytes_per_object(lambda: ffi.new("struct q16 *")) <= 64
    p = ffi.new("struct q16 *")
    assert not gc.is_tracked(p)


def test_new_pointer_reprs_and_sizes(ffi):
    ffi.cdef("struct q16 { int a, b, c, d; };")
    p = ffi.new("struct q16 *", [1, 2, 3, 4])
    assert repr(p) == "<cdata 'struct q16 *' owning 16 bytes>"
    assert repr(p[0]) == "<cdata 'struct q16' owning 16 bytes>"
    assert ffi.sizeof(p[0]) == 16
    assert repr(ffi.new("int *")) == "<cdata 'int *' owning 4 bytes>"
    assert repr(ffi.new("char *")) == "<cdata 'char *' owning 1 bytes>"
    assert type(p).__name__ == "__CDataOwn" == type(p[0]).__name__
    assert isinstance(p, ffi.CData)
    with pytest.raises(IndexError, match="can only be indexed by 0"):
        p[1]
    with pytest.raises(IndexError, match="can only be indexed by 0"):
        ffi.new("int *")[1]
    assert len(ffi.buffer(p)) == 16
    assert len(ffi.buffer(ffi.new("char *"))) == 1
    with pytest.warns(UserWarning, match="owns only 4 bytes"):
        ffi.buffer(ffi.new("int *"), 8)


def test_new_pointer_values_alignment_and_nul(ffi):
    ffi.cdef("struct ld { char c; long double x; };")
    p = ffi.new("long double *", 1.25)
    assert float(p[0]) == 1.25
    assert int(ffi.cast("uintptr_t", p)) % 16 == 0
    s = ffi.new("struct ld *", [b"a", 2.5])
    assert int(ffi.cast("uintptr_t", s)) % ffi.alignof("struct ld") == 0
    assert float(s.x) == 2.5 and s.c == b"a"
    c = ffi.new("char *", b"z")
    assert ffi.string(c) == b"z"          # a NUL follows the char
    w = ffi.new("wchar_t *", "\u1234")
    assert ffi.string(w) == "\u1234"
    d = ffi.new("double *", 3.5)
    assert d[0] == 3.5
    d[0] = -1.0
    assert d[0] == -1.0


def test_new_pointer_views_keep_it_alive(ffi):
    ffi.cdef("struct kv { int a; struct { int b; } in; int arr[3]; };")
    p = ffi.new("struct kv *", {"a": 1, "in": {"b": 2}, "arr": [3, 4, 5]})
    s = p[0]
    inner = getattr(p, "in")
    arr = p.arr
    buf = ffi.buffer(p)
    q = p + 0
    r = ffi.cast("int *", p)
    wr = weakref.ref(p)
    del p
    gc.collect()
    assert wr() is not None          # every view above keeps p
    for i in range(3):
        ffi.new("struct kv *", [9, [9], [9, 9, 9]])   # reuse freed memory
    assert s.a == 1 and inner.b == 2 and list(arr) == [3, 4, 5]
    assert q.a == 1 and r[0] == 1
    assert buf[:4] == ffi.buffer(ffi.new("int *", 1))[:]
    del s, inner, arr, buf, q, r
    gc.collect()
    assert wr() is None


def test_new_pointer_weakref_release_gc(ffi):
    freed = []
    p = ffi.new("int *", 5)
    wr = weakref.ref(p)
    assert wr() is p
    g = ffi.gc(p, lambda x: freed.append(x[0]))
    assert g[0] == 5
    del p
    gc.collect()
    assert wr() is not None          # ffi.gc's result keeps p
    del g
    gc.collect()
    assert freed == [5] and wr() is None
    q = ffi.new("int *", 7)
    ffi.release(q)                   # inline memory: nothing to free yet
    assert q[0] == 7
    with ffi.new("int *", 3) as w:
        assert w[0] == 3

