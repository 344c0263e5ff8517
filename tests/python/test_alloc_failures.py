"""Allocation failure in the cdata constructors and conversions (issue 16).

_testcapi.set_nomemory(n, n + 1) makes the n-th Python allocation from now
on fail (PyMem, PyObject and raw domains alike: every cdata block, every
CType, every list or tuple of the runtime).  Each operation below runs once
with each n failing in turn, on an FFI built before the failure was armed,
until a run succeeds.  Every failing run must raise MemoryError (not a
SystemError, not another error, never a crash); afterwards the same FFI
must still do the operation (nothing left half-built: a struct realized
without its members, a cache holding a broken type); and nothing may be
kept alive (the references to the objects the operation was given are
counted before and after; LSan in make check-asan sees the blocks).

The C parser and the table loader allocate with malloc(): their failures
are tested by tests/unit/test_faults.c.
"""
import gc
import sys

import pytest

_testcapi = pytest.importorskip("_testcapi")
if not hasattr(_testcapi, "set_nomemory"):
    pytest.skip("this Python's _testcapi has no set_nomemory()", allow_module_level=True)

import cffi  # noqa: E402

CDEF = """
    struct pt { int x, y; };
    struct s { int a; char *p; int arr[4]; struct pt pt; };
    struct outer { struct { int i; union { short h; char c; }; }; double d; };
    struct flex { int n; short data[]; };
    typedef int (*cb_t)(int);
    enum e { E1, E2 = 7 };
    size_t strlen(const char *);
    int abs(int);
"""

LIMIT = 2000    # no operation here needs nearly as many allocations


def fresh_ffi():
    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    return ffi


def fail_each_allocation(op, keep=()):
    """Runs op(ffi) with the 1st, 2nd, ... allocation failing until it
    succeeds; returns the number of failing runs.  `keep`: objects whose
    reference counts must be the same after every run."""
    counts = [sys.getrefcount(o) for o in keep]
    failures = 0
    for n in range(1, LIMIT):
        ffi = fresh_ffi()
        exc = None
        _testcapi.set_nomemory(n, n + 1)
        try:
            op(ffi)
        except BaseException as e:      # noqa: B902 - anything is a finding
            exc = e
        finally:
            _testcapi.remove_mem_hooks()
        if exc is None:
            break
        assert isinstance(exc, MemoryError), \
            "allocation %d failing gave %s: %s" % (n, type(exc).__name__, exc)
        exc = None
        failures += 1
        # the ffi still works: the failure left nothing half-built
        op(ffi)
        gc.collect()
        after = [sys.getrefcount(o) for o in keep]
        assert after == counts, "allocation %d failing: references %s -> %s" % (
            n, counts, after)
    else:
        raise AssertionError("never succeeded in %d runs" % LIMIT)
    assert failures > 0, "the operation allocated nothing"
    return failures


BIG = b"x" * 300


def test_new_primitive_pointer():
    fail_each_allocation(lambda ffi: ffi.new("int *", 5))


def test_new_struct_from_dict_realizes_it_whole():
    # the struct's members are filled after its pointer type is made: a
    # failure there used to leave "struct s" without members for good
    # ("cannot instantiate ctype 'struct s' of unknown size")
    def op(ffi):
        p = ffi.new("struct s *", {"a": 1, "arr": [1, 2, 3], "pt": {"y": 9}})
        assert (p.a, p.arr[2], p.pt.y) == (1, 3, 9)
    fail_each_allocation(op)


def test_new_struct_array_from_lists():
    def op(ffi):
        p = ffi.new("struct s[]", [[1], [2, ffi.NULL, [3, 4]]])
        assert (len(p), p[1].arr[1]) == (2, 4)
    fail_each_allocation(op)


def test_new_anonymous_members():
    def op(ffi):
        p = ffi.new("struct outer *", {"i": 4, "h": 5, "d": 1.5})
        assert (p.i, p.h, p.d) == (4, 5, 1.5)
    fail_each_allocation(op)


def test_new_flexible_array_struct():
    def op(ffi):
        p = ffi.new("struct flex *", [3, list(range(300))])
        assert p.data[299] == 299
    fail_each_allocation(op)


def test_new_large_separate_block():
    fail_each_allocation(lambda ffi: ffi.new("char[]", 100000))


def test_new_array_from_list():
    items = list(range(200))
    fail_each_allocation(lambda ffi: ffi.new("int[]", items), keep=[items])


def test_new_char_array_from_bytes():
    fail_each_allocation(lambda ffi: ffi.new("char[]", BIG), keep=[BIG])


def test_cast_int_enum_pointer_float():
    def op(ffi):
        ffi.cast("int", 42)
        ffi.cast("enum e", 7)
        ffi.cast("void *", 42)
        ffi.cast("double", 1.5)
        ffi.cast("struct s *", 0)
    fail_each_allocation(op)


def test_string_and_unpack():
    def op(ffi):
        assert ffi.string(ffi.new("char[]", BIG)) == BIG
        assert ffi.string(ffi.new("wchar_t[]", "abc" * 50)) == "abc" * 50
        assert ffi.string(ffi.cast("enum e", 7)) == "E2"
        assert ffi.unpack(ffi.new("int[]", 50), 50) == [0] * 50
    fail_each_allocation(op)


def test_buffer():
    def op(ffi):
        p = ffi.new("char[]", BIG)
        b = ffi.buffer(p)
        b[0:3] = b"abc"
        assert b[:] == b"abc" + BIG[3:] + b"\0"
        assert bytes(memoryview(b))[:3] == b"abc"
    fail_each_allocation(op)


def test_from_buffer():
    data = bytearray(BIG)

    def op(ffi):
        assert ffi.from_buffer(data)[0] == b"x"
        assert len(ffi.from_buffer("int[]", data)) == len(BIG) // 4
    fail_each_allocation(op, keep=[data])
    data.append(0)      # no buffer view of it left exported


def test_callback_made_and_called():
    def f(x):
        return x + 1

    def op(ffi):
        cb = ffi.callback("int(*)(int)", f)
        assert cb(3) == 4
    fail_each_allocation(op, keep=[f])


def test_callback_with_error_value():
    def f(x):
        return x

    def op(ffi):
        ffi.callback("cb_t", f, error=-1, onerror=None)
    fail_each_allocation(op, keep=[f])


def test_new_handle_and_from_handle():
    obj = object()

    def op(ffi):
        h = ffi.new_handle(obj)
        assert ffi.from_handle(h) is obj
    fail_each_allocation(op, keep=[obj])


def test_typeof_getctype_addressof():
    def op(ffi):
        ffi.typeof("struct s")
        ffi.getctype("cb_t", "*")
        ffi.addressof(ffi.new("struct s *")[0], "arr")
        ffi.offsetof("struct s", "pt")
    fail_each_allocation(op)


def test_dlopen_call():
    lib_holder = []

    def op(ffi):
        lib = ffi.dlopen(None)
        assert lib.strlen(b"abcd") == 4
        assert lib.abs(-3) == 3
    fail_each_allocation(op, keep=[lib_holder])


def test_backend_cdef_of_a_big_text():
    # the parser's own allocations (malloc) are test_faults.c's; here the
    # Python side of cdef() and of realizing what it declared
    text = "".join("struct t%d { int a; char b[%d]; struct t%d *next; };\n"
                   % (i, i + 1, i) for i in range(60))

    def op(ffi):
        import _cffi_backend
        f = _cffi_backend.FFI()
        f.cdef(text)
        assert f.sizeof("struct t59") == 72
    fail_each_allocation(op, keep=[text])
