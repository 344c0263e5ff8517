"""Misuse that real CFFI 2.0 survives (issue 16): a script of careless but
plausible calls, run under ccffi in make check-asan (ASan and UBSan) and
compared with CFFI.  Each test here is a case where ccffi crashed or did
something undefined while CFFI raised or returned; under plain make check
they check the results, under make check-asan the sanitizers also check
that nothing undefined happened on the way.
"""
import cffi
import pytest


@pytest.fixture
def ffi():
    return cffi.FFI()


def test_pointer_arithmetic_with_a_huge_offset_wraps_as_in_c(ffi):
    # p + 2**62 overflowed a signed multiplication (UBSan: "signed integer
    # overflow"); CFFI gives the address, computed as C does it
    p = ffi.new("int[4]")
    base = int(ffi.cast("uintptr_t", p))
    for n in (2**62, 2**63 - 1, -2**63, 3 * 2**61):
        q = p + n
        assert int(ffi.cast("uintptr_t", q)) == (base + 4 * n) % 2**64
        r = p - n
        assert int(ffi.cast("uintptr_t", r)) == (base - 4 * n) % 2**64
    assert ffi.typeof(p + 2**62) is ffi.typeof("int *")


def test_huge_allocation_is_memory_error(ffi):
    # malloc() refuses 2 TB; under make check-asan ASan must refuse it the
    # same way (tests/sanitize.sh: allocator_may_return_null) instead of
    # aborting the process
    ffi.cdef("struct flex { int n; short data[]; };")
    with pytest.raises(MemoryError):
        ffi.new("struct flex *", [1, 2**40])
    with pytest.raises(MemoryError):
        ffi.new("short[]", 2**40)


def test_buffer_slices_with_a_step_are_refused(ffi):
    # CFFI's buffer slices are contiguous: a step raises instead of reading
    # or scattering bytes
    b = ffi.buffer(ffi.new("char[10]", b"abcdefghi"))
    for key in (slice(None, None, 2), slice(None, None, -1), slice(1, 8, 3)):
        with pytest.raises(TypeError) as info:
            b[key]
        assert str(info.value) == "buffer doesn't support slicing with step != 1"
        with pytest.raises(TypeError):
            b[key] = b"x" * len(range(*key.indices(10)))
    assert b[:] == b"abcdefghi\x00"
    b[0:5] = b[2:7]                       # overlapping copy, as memmove
    assert b[:] == b"cdefgfghi\x00"


@pytest.mark.parametrize("target", ["float", "double", "long double",
                                    "double _Complex"])
def test_a_pointer_does_not_cast_to_a_float(ffi, target):
    # an address is no number: CFFI refuses, naming both ctypes
    p = ffi.new("int *")
    with pytest.raises(TypeError) as info:
        ffi.cast(target, p)
    assert str(info.value) == "cannot cast ctype 'int *' to ctype '%s'" % (
        ffi.typeof(target).cname)
    with pytest.raises(TypeError):
        ffi.cast(target, ffi.NULL)
    assert float(ffi.cast("double", ffi.cast("int", -3))) == -3.0


@pytest.mark.parametrize("ctype", ["int8_t", "uint8_t", "signed char", "unsigned char"])
def test_string_of_a_new_byte_pointer_stops_at_its_block(ffi, ctype):
    # ffi.string() reads a 1-byte integer pointer as chars: the block of
    # ffi.new("unsigned char *") holds a NUL after the item, as a char's
    # does, so the read stops there (it went on past the block: found by
    # make fuzz-realize, a heap-buffer-overflow under ASan).  Blocks of the
    # same size full of 0xff are freed first, so that without the NUL the
    # read runs into their bytes.
    junk = [ffi.new("unsigned char[2]", b"\xff\xff") for _ in range(200)]
    del junk
    ptrs = [ffi.new(ctype + " *", 5) for _ in range(200)]
    assert {ffi.string(p) for p in ptrs} == {b"\x05"}
    assert {ffi.string(p, 100) for p in ptrs} == {b"\x05"}


def test_addressof_through_a_null_struct_pointer_is_address_arithmetic(ffi):
    # CFFI's offsetof idiom: the address is computed as C compilers compute
    # it; NULL + offset was undefined behaviour in C (clang's UBSan, "applying
    # zero offset to null pointer", found by make fuzz-realize; gcc's UBSan
    # of make check-asan does not check it)
    ffi.cdef("struct pt { int x, y; };")
    p = ffi.cast("struct pt *", 0)
    assert ffi.addressof(p, "x") == ffi.NULL
    assert int(ffi.cast("uintptr_t", ffi.addressof(p, "y"))) == 4


def test_bad_initializer_of_a_flexible_struct_is_refused_while_sizing(ffi):
    # found by the long differential run (seed 20261205, program 44): CFFI
    # sizes a struct with a flexible array member before converting anything
    # and refuses there an initializer of a struct with one that is not a
    # list, tuple or dict, so a union's other members are not converted
    # first (ccffi raised OverflowError for -1 in the union's int first).
    # A struct cdata is still taken (CFFI: SystemError at the top level)
    ffi.cdef("struct s0 { int f0; int tail[]; };"
             "struct w { int a; struct s0 in; };"
             "union u { int x; struct s0 s; };")
    msg = "initializer for ctype 'struct s0' must be a list or tuple or dict, not %s"
    for t, init, name in [("union u *", {"x": -1 << 40, "s": b"x"}, "bytes"),
                          ("struct s0 *", b"ab", "bytes"),
                          ("struct s0 *", 5, "int"),
                          ("struct w *", {"in": b"x"}, "bytes"),
                          ("struct w *", [1, 7], "int")]:
        with pytest.raises(TypeError) as info:
            ffi.new(t, init)
        assert str(info.value) == msg % name
    s = ffi.new("struct s0 *", [1, [2, 3]])
    w = ffi.new("struct w *", {"in": s[0]})
    assert getattr(w, "in").f0 == 1 and ffi.sizeof(w[0]) == 8
    assert ffi.sizeof(ffi.new("union u *", {"s": s[0]})[0]) == 4
    assert ffi.sizeof(ffi.new("struct s0 *", None)[0]) == 4


def test_list_assigned_to_a_struct_member_ending_in_a_flexible_array(ffi):
    # the differential test (seed 42): `p.f4 = [x, [3 doubles]]` where f4
    # is a struct ending in `double tail[]` wrote the doubles past the
    # block of ffi.new() (a heap-buffer-overflow, CFFI writes there too);
    # now IndexError as for a list assigned to the flexible array itself
    ffi.cdef("struct s1 { int f0; double tail[]; };"
             "struct s2 { int *f0; struct s1 f2; char f3; struct s1 f4; };")
    p = ffi.new("struct s2 *")
    room = ffi.sizeof("struct s2") - ffi.offsetof("struct s2", "f4")
    need = ffi.offsetof("struct s1", "tail") + 3 * 8
    with pytest.raises(IndexError) as info:
        p.f4 = [224075980, [1e10, 1e-10, 279]]
    assert str(info.value) == ("too many initializers for 'struct s1' "
                               "(needs %d bytes, room for %d)" % (need, room))
    with pytest.raises(IndexError):
        p.f4 = {"tail": [1.0, 2.0]}
    assert p.f4.f0 == 0
    p.f4 = [-793]                      # what fits is written
    p.f4 = (5, [])
    assert p.f4.f0 == 5
    q = ffi.new("struct s2 *", {"f4": [1, [1.5, 2.5, 3.5]]})
    q.f4 = [7, [4.5, 5.5, 6.5]]        # room made by the initializer
    assert list(q.f4.tail[0:3]) == [4.5, 5.5, 6.5]
    s = ffi.new("struct s1 *", [1, [2.0, 3.0]])
    p.f4 = s[0]                        # a struct cdata: its size only
    assert p.f4.f0 == 1
