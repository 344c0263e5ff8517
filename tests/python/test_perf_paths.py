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
