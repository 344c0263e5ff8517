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
