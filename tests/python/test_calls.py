"""Calls into C through libffi: every signature class of tests/lib/testlib.c."""
import math
import threading
import time

import pytest

from abi_testlib import open_testlib


@pytest.fixture
def lib(ffi):
    return open_testlib(ffi)


def test_no_arguments(lib):
    before = lib.tl_nothing_calls
    assert lib.tl_nothing() is None
    assert lib.tl_nothing_calls == before + 1
    assert lib.tl_fortytwo() == 42


def test_integers_of_each_size(lib):
    assert lib.tl_neg8(5) == -5
    assert lib.tl_inc_u8(254) == 255
    assert lib.tl_inc_u8(255) == 0
    assert lib.tl_neg16(-300) == 300
    assert lib.tl_inc_u16(65534) == 65535
    assert lib.tl_neg32(-2 ** 31 + 1) == 2 ** 31 - 1
    assert lib.tl_inc_u32(2 ** 32 - 2) == 2 ** 32 - 1
    assert lib.tl_neg64(2 ** 62) == -2 ** 62
    assert lib.tl_inc_u64(2 ** 64 - 2) == 2 ** 64 - 1
    assert lib.tl_sum_long(1, -2, 3) == 2
    # around the one-digit ints read without the C API
    assert lib.tl_add(2 ** 30 - 1, 1) == 2 ** 30
    assert lib.tl_add(-(2 ** 30), -1) == -(2 ** 30) - 1
    assert lib.tl_add(-1, 0) == -1
    assert lib.tl_neg64(-(2 ** 63) + 1) == 2 ** 63 - 1
    assert lib.tl_inc_u32(0) == 1
    assert lib.tl_mul_ull(2 ** 32, 2 ** 31) == 2 ** 63


def test_integer_range_errors(lib):
    with pytest.raises(OverflowError):
        lib.tl_neg8(128)
    with pytest.raises(OverflowError):
        lib.tl_inc_u8(-1)
    with pytest.raises(OverflowError):
        lib.tl_inc_u64(2 ** 64)
    with pytest.raises(TypeError):
        lib.tl_add(1.5, 2)
    with pytest.raises(TypeError):
        lib.tl_add("1", 2)


def test_floating_types(lib):
    assert lib.tl_add_double(1.25, 2.5) == 3.75
    assert lib.tl_add_double(1, 2) == 3.0
    assert lib.tl_add_float(0.5, 0.25) == 0.75
    assert abs(lib.tl_add_float(0.1, 0.2) - 0.3) < 1e-6


def test_long_double(ffi, lib):
    r = lib.tl_mul_ldouble(1.5, 4.0)
    assert ffi.typeof(r) is ffi.typeof("long double")
    assert float(r) == 6.0


def test_bool_and_char(lib):
    assert lib.tl_not(True) is False
    assert lib.tl_not(False) is True
    assert lib.tl_upper(b"a") == b"A"
    assert lib.tl_upper(b"!") == b"!"


def test_many_arguments_on_the_stack(lib):
    args = []
    for i in range(18):
        args.append(i if i % 2 == 0 else i + 0.5)
    assert lib.tl_many(*args) == sum(args)


def test_all_argument_registers_mixed(lib):
    args = (-5, 0.5, 65535, 1.25, -2 ** 40, 2.5, 255, -0.75, True, 4.0,
            -(2 ** 50), 1e10, -3.5, 0.125)
    assert lib.tl_regs(*args) == sum(float(a) for a in args)


def test_float_result_and_narrow_arguments(lib):
    assert lib.tl_float_of(-3, 1000) == 998.5
    assert lib.tl_float_of(-128, 0) == -64.0


def test_wrong_argument_count(lib):
    with pytest.raises(TypeError) as e:
        lib.tl_add(1)
    assert str(e.value) == "'int(*)(int, int)' expects 2 arguments, got 1"
    with pytest.raises(TypeError):
        lib.tl_add(1, 2, 3)


def test_no_keyword_arguments(lib):
    with pytest.raises(TypeError):
        lib.tl_add(a=1, b=2)


def test_bytes_as_char_pointer(lib):
    assert lib.tl_strlen(b"hello") == 5
    assert lib.tl_strlen(b"") == 0


def test_null_pointer_arguments(ffi, lib):
    assert lib.tl_is_null(ffi.NULL) == 1
    assert lib.tl_strlen(ffi.NULL) == 2 ** 64 - 1
    p = ffi.new("int *")
    assert lib.tl_is_null(p) == 0


def test_char_pointer_result(ffi, lib):
    s = lib.tl_greeting()
    assert ffi.typeof(s) is ffi.typeof("char *")
    assert ffi.string(s) == b"hello"


def test_output_array(ffi, lib):
    buf = ffi.new("int[6]")
    lib.tl_fill(buf, 6)
    assert list(buf) == [0, 1, 4, 9, 16, 25]


def test_list_to_pointer_argument(lib):
    assert lib.tl_sum_array([1, 2, 3, 4], 4) == 10


def test_array_decays_to_pointer(ffi, lib):
    arr = ffi.new("int[]", [5, 6, 7])
    assert lib.tl_sum_array(arr, 3) == 18


def test_array_parameter_is_a_pointer(ffi):
    from abi_testlib import shared_lib_path
    ffi.cdef("int tl_sum_array(const int a[], int n);")
    lib = ffi.dlopen(shared_lib_path())
    assert lib.tl_sum_array(ffi.new("int[3]", [1, 2, 3]), 3) == 6
    assert lib.tl_sum_array([4, 5], 2) == 9


def test_struct_call_through_cast_pointer(ffi, lib):
    fp = ffi.cast("int(*)(struct tl_point)", lib.tl_point_sum)
    assert fp([3, 9]) == 12


def test_writable_char_buffer(ffi, lib):
    buf = ffi.new("char[]", b"shout")
    lib.tl_upcase(buf)
    assert ffi.string(buf) == b"SHOUT"


def test_pointer_type_mismatch(ffi, lib):
    with pytest.raises(TypeError):
        lib.tl_sum_array(ffi.new("long[3]"), 3)
    with pytest.raises(TypeError):
        lib.tl_point_ptr_sum(42)


def test_small_struct_result_and_argument(ffi, lib):
    p = lib.tl_make_point(3, 4)
    assert ffi.typeof(p) is ffi.typeof("struct tl_point")
    assert (p.x, p.y) == (3, 4)
    assert lib.tl_point_sum(p) == 7
    assert lib.tl_point_sum([10, 20]) == 30
    assert lib.tl_point_sum({"x": 1, "y": 2}) == 3


def test_struct_result_owns_its_memory(ffi, lib):
    p = lib.tl_make_point(1, 2)
    assert "owning 8 bytes" in repr(p)
    q = lib.tl_make_point(5, 6)
    assert (p.x, p.y, q.x, q.y) == (1, 2, 5, 6)


def test_struct_pointer_argument(ffi, lib):
    p = ffi.new("struct tl_point *", [1, 2])
    lib.tl_point_move(p, 10, 20)
    assert (p.x, p.y) == (11, 22)
    assert lib.tl_point_ptr_sum(p) == 33


def test_mixed_class_struct(lib):
    p = lib.tl_make_pair(1.5, 7)
    assert (p.a, p.b) == (1.5, 7)
    assert lib.tl_pair_sum(p) == 8.5


def test_large_struct_in_memory(ffi, lib):
    b = lib.tl_make_big(1, 2, 3, 0.5)
    assert (b.a, b.b, b.c, b.d) == (1, 2, 3, 0.5)
    assert lib.tl_big_sum(b) == 6.5
    t = lib.tl_big_twice(b)
    assert (t.a, t.b, t.c, t.d) == (2, 4, 6, 1.0)
    assert (b.a, b.d) == (1, 0.5)       # passed by value: unchanged


def test_float_struct_in_sse_registers(lib):
    f = lib.tl_make_floats(1.0, 2.0, 3.5)
    assert (f.a, f.b, f.c) == (1.0, 2.0, 3.5)
    assert lib.tl_floats_sum(f) == 6.5


def test_struct_with_padding(ffi, lib):
    m = ffi.new("struct tl_mixed *", [b"\x01", 2, 3, 0.5])
    assert lib.tl_mixed_sum(m[0]) == 6.5


# As CFFI, ABI-mode calls refuse the records CFFI does not describe to
# libffi (unions, bitfields, packed layouts), at the call, with its message;
# API mode passes them (the compiler makes the call).
API_ONLY = ("if the function is 'API mode' and non-variadic (i.e. declared "
            "inside ffibuilder.cdef()+ffibuilder.set_source() and not taking "
            "a final '...' argument)")


def test_union_by_value_is_refused_as_cffi(ffi, lib):
    f = lib.tl_num_from_int          # taking it is fine, calling is not
    with pytest.raises(NotImplementedError) as e:
        f(77)
    assert str(e.value) == (
        "ctype 'union tl_num' not supported as return value by libffi.  "
        "Unions are only supported as return value " + API_ONLY)
    u = ffi.new("union tl_num *")
    with pytest.raises(NotImplementedError) as e:
        lib.tl_num_as_double(u[0])
    assert str(e.value) == (
        "ctype 'union tl_num' not supported as argument by libffi.  "
        "Unions are only supported as argument " + API_ONLY)


def test_nested_struct_with_array(lib):
    n = lib.tl_make_nested(1, 2, b"a")
    assert (n.p.x, n.p.y, n.tag[0], n.tag[3]) == (1, 2, b"a", b"\0")
    assert lib.tl_nested_sum(n) == 3 + 3 * ord("a")


def test_float_and_int_share_an_eightbyte(lib):
    r = lib.tl_make_fi(1.5, 2)
    assert (r.f, r.i) == (1.5, 2)
    assert lib.tl_fi_sum(r) == 3.5


def test_bitfield_struct_by_value_is_refused_as_cffi(ffi, lib):
    with pytest.raises(NotImplementedError) as e:
        lib.tl_make_bits(5, 17, -300)
    assert str(e.value) == (
        "ctype 'struct tl_bits' not supported as return value.  It is a "
        "struct with bit fields, which libffi does not support.  Such structs "
        "are only supported as return value " + API_ONLY)
    # in the variadic part too
    f = ffi.cast("int(*)(int, ...)", ffi.cast("void *", lib.tl_bits_sum))
    with pytest.raises(NotImplementedError, match="struct with bit fields"):
        f(1, ffi.new("struct tl_bits *")[0])


def test_long_double_struct(ffi, lib):
    r = lib.tl_make_ld(2.5)
    assert float(r.x) == 2.5
    assert float(lib.tl_ld_twice(r)) == 5.0


def test_packed_struct_is_refused_as_cffi(ffi):
    from abi_testlib import PACKED_CDEF, shared_lib_path
    ffi.cdef(PACKED_CDEF, packed=True)
    lib = ffi.dlopen(shared_lib_path())
    assert ffi.sizeof("struct tl_packed") == 9
    with pytest.raises(NotImplementedError) as e:
        lib.tl_make_packed(b"\x02", 0.25)
    assert str(e.value) == (
        "ctype 'struct tl_packed' not supported as return value.  It is a "
        "'packed' structure, with a different layout than expected by libffi."
        "  Such structs are only supported as return value " + API_ONLY)
    with pytest.raises(NotImplementedError, match="'packed' structure"):
        lib.tl_packed_sum(ffi.new("struct tl_packed *")[0])


def test_dunder_names_reach_the_library(ffi):
    ffi.cdef("int *__errno_location(void);")
    libc = ffi.dlopen(None)
    ffi.errno = 0
    assert libc.__errno_location()[0] == 0
    assert type(libc).__name__ == "FFILibrary"     # as CFFI names it
    assert libc.__class__ is type(libc)


def test_bytes_to_unsigned_char_pointer(ffi, lib):
    ffi.cdef("size_t strlen(const unsigned char *);", override=True)
    libc = ffi.dlopen(None)
    assert libc.strlen(b"abc") == 3


def test_struct_larger_than_the_stack_buffer(lib):
    h = lib.tl_make_huge(40)
    assert h.tag == 40 and h.data[0] == b"\x01"
    assert lib.tl_huge_tag(h) == 41


def test_variadic_struct_and_bad_types(ffi, lib):
    with pytest.raises(TypeError) as e:
        lib.tl_sum_doubles(1, 2.5)
    assert str(e.value) == ("argument 2 passed in the variadic part needs to "
                            "be a cdata object (got float)")
    p = ffi.new("struct tl_point *", [1, 2])
    buf = ffi.new("char[32]")
    lib.tl_format(buf, 32, b"%p", p)
    assert ffi.string(buf) == (b"0x%x" % int(ffi.cast("uintptr_t", p)))


def test_struct_argument_type_errors(lib):
    with pytest.raises(TypeError):
        lib.tl_point_sum(3)
    with pytest.raises(TypeError):
        lib.tl_point_ptr_sum("x")


def test_variadic_ints_and_doubles(ffi, lib):
    i = lambda v: ffi.cast("int", v)
    assert lib.tl_sum_ints(3, i(1), i(2), i(3)) == 6
    assert lib.tl_sum_ints(0) == 0
    d = lib.tl_sum_doubles(2, ffi.cast("double", 1.5), ffi.cast("float", 2.25))
    assert d == 3.75          # the float travelled promoted to double


def test_variadic_small_ints_promoted(ffi, lib):
    assert lib.tl_sum_ints(3, ffi.cast("char", 1), ffi.cast("short", -2),
                           ffi.cast("unsigned char", 200)) == 199


def test_variadic_requires_cdata(ffi, lib):
    with pytest.raises(TypeError) as e:
        lib.tl_sum_ints(3, ffi.cast("int", 1), ffi.cast("int", 2), 3)
    assert str(e.value) == ("argument 4 passed in the variadic part needs to "
                            "be a cdata object (got int)")


def test_variadic_too_few_fixed(lib):
    with pytest.raises(TypeError) as e:
        lib.tl_sum_ints()
    assert "expects at least 1 arguments, got 0" in str(e.value)


def test_snprintf_with_mixed_types(ffi):
    ffi.cdef("int snprintf(char *, size_t, const char *, ...);")
    libc = ffi.dlopen(None)
    buf = ffi.new("char[100]")
    n = libc.snprintf(buf, 100, b"%d %s %.2f %c %ld|%p",
                      ffi.cast("int", 42), ffi.new("char[]", b"str"),
                      ffi.cast("double", 3.14159), ffi.cast("char", b"x"),
                      ffi.cast("long", -7), ffi.NULL)
    assert ffi.string(buf) == b"42 str 3.14 x -7|(nil)"
    assert n == len(ffi.string(buf))


def test_library_variadic_format(ffi, lib):
    buf = ffi.new("char[64]")
    lib.tl_format(buf, 64, b"%u-%lld-%s", ffi.cast("unsigned int", 7),
                  ffi.cast("long long", -2 ** 40), ffi.new("char[]", b"ok"))
    assert ffi.string(buf) == b"7--1099511627776-ok"


def test_printf(ffi, capfd):
    ffi.cdef("int printf(const char *, ...); int fflush(void *);")
    libc = ffi.dlopen(None)
    n = libc.printf(b"%s=%d\n", ffi.new("char[]", b"x"), ffi.cast("int", 5))
    libc.fflush(ffi.NULL)
    assert n == 4
    assert capfd.readouterr().out == "x=5\n"


def test_errno_saved_after_call(ffi, lib):
    lib.tl_set_errno(42)
    assert ffi.errno == 42
    lib.tl_set_errno(7)
    assert ffi.errno == 7


def test_errno_restored_before_call(ffi, lib):
    ffi.errno = 13
    assert lib.tl_get_errno() == 13
    ffi.errno = 0
    assert lib.tl_get_errno() == 0


def test_errno_is_per_thread(ffi, lib):
    lib.tl_set_errno(5)
    seen = []
    def worker():
        lib.tl_set_errno(99)
        seen.append(ffi.errno)
    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == [99]
    assert ffi.errno == 5


def test_gil_released_during_call(ffi):
    ffi.cdef("int usleep(unsigned int);")
    libc = ffi.dlopen(None)
    threads = [threading.Thread(target=libc.usleep, args=(300000,))
               for _ in range(4)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - start < 1.0     # 4 x 0.3 s run side by side


def test_function_pointer_cast_and_call(ffi, lib):
    fp = ffi.cast("int(*)(int, int)", lib.tl_add)
    assert fp(2, 40) == 42
    raw = ffi.cast("void *", lib.tl_add)
    assert ffi.cast("int(*)(int, int)", raw)(1, 2) == 3


def test_null_function_pointer(ffi):
    fp = ffi.cast("int(*)(int)", 0)
    with pytest.raises(RuntimeError):
        fp(1)


def test_math_library(ffi):
    ffi.cdef("double sqrt(double); float sqrtf(float);")
    libm = ffi.dlopen("libm.so.6")
    assert libm.sqrt(2.0) == math.sqrt(2.0)
    assert abs(libm.sqrtf(2.0) - math.sqrt(2.0)) < 1e-6
