"""ffi.callback: Python called from C, also from C threads."""
import contextlib
import gc
import os
import subprocess
import sys
import threading
import weakref

import pytest

from abi_testlib import open_testlib


@pytest.fixture
def lib(ffi):
    return open_testlib(ffi)


def test_callback_called_from_c(ffi, lib):
    cb = ffi.callback("int(int)", lambda x: x * 3)
    assert lib.tl_apply(cb, 14) == 42


def test_callback_repr_and_type(ffi):
    def f(x):
        return x
    cb = ffi.callback("int(int)", f)
    assert repr(cb) == "<cdata 'int(*)(int)' calling %r>" % (f,)
    assert ffi.typeof(cb) is ffi.typeof("int(*)(int)")
    assert isinstance(cb, ffi.CData)


def test_callback_called_from_python(ffi):
    cb = ffi.callback("int(int, int)", lambda a, b: a - b)
    assert cb(10, 3) == 7


def test_float_callback_called_from_python(ffi):
    cb = ffi.callback("double(int, double, float)", lambda a, b, c: a + b + c)
    assert cb(1, 2.5, 0.25) == 3.75
    cbf = ffi.callback("float(float)", lambda a: a * 2)
    assert cbf(1.25) == 2.5


def test_callback_with_ctype_object(ffi, lib):
    cb = ffi.callback(ffi.typeof("int(*)(int)"), lambda x: -x)
    assert lib.tl_apply(cb, 5) == -5


def test_decorator_form(ffi, lib):
    @ffi.callback("double(double, double)")
    def mul(a, b):
        return a * b
    assert lib.tl_apply_d(mul, 1.5, 4.0) == 6.0


def test_void_callback(ffi, lib):
    calls = []
    cb = ffi.callback("void(void)", lambda: calls.append(1))
    lib.tl_call_void(cb, 3)
    assert calls == [1, 1, 1]


def test_struct_argument_and_result(ffi, lib):
    cb = ffi.callback("int(struct tl_point)", lambda p: p.x * 100 + p.y)
    assert lib.tl_apply_point(cb, 4, 2) == 402

    def twice(b):
        return {"a": b.a * 2, "b": b.b * 2, "c": b.c * 2, "d": b.d * 2}
    cb2 = ffi.callback("struct tl_big(struct tl_big)", twice)
    r = lib.tl_apply_big(cb2, 10)
    assert (r.a, r.b, r.c, r.d) == (20, 22, 24, 10.0)


def test_char_pointer_argument(ffi, lib):
    seen = []
    def f(s):
        seen.append(ffi.string(s))
        return len(seen[-1])
    cb = ffi.callback("int(const char *)", f)
    assert lib.tl_apply_str(cb, b"abcd") == 4
    assert seen == [b"abcd"]


def test_many_argument_callback(ffi, lib):
    cb = ffi.callback("double(int, double, int, double, int, double, int, "
                      "double, int, double, int, double)", lambda *a: sum(a))
    assert lib.tl_apply_many(cb, 1) == sum([1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5,
                                            5, 5.5, 6, 6.5])


def test_small_integer_arguments_and_result(ffi, lib):
    seen = []
    def f(u, s):
        seen.append((u, s))
        return -100
    cb = ffi.callback("signed char(unsigned short, signed char)", f)
    assert lib.tl_apply_small(cb, 100) == -100
    assert seen == [(100, -100)]


def test_qsort_with_python_compare(ffi):
    ffi.cdef("void qsort(void *, size_t, size_t, int(*)(const void *, const void *));")
    libc = ffi.dlopen(None)

    @ffi.callback("int(const void *, const void *)")
    def compare(a, b):
        x = ffi.cast("int *", a)[0]
        y = ffi.cast("int *", b)[0]
        return (x > y) - (x < y)
    data = [5, 3, 9, -1, 0, 7, 3]
    arr = ffi.new("int[]", data)
    libc.qsort(arr, len(data), ffi.sizeof("int"), compare)
    assert list(arr) == sorted(data)


def test_small_int_results_are_widened(ffi, lib):
    cb = ffi.callback("int(int)", lambda x: -1)
    assert lib.tl_apply(cb, 0) == -1
    cb8 = ffi.callback("int8_t(int8_t)", lambda x: x - 1)
    assert cb8(-127) == -128


@contextlib.contextmanager
def unraisable_reports():
    """Collects what callbacks report through sys.unraisablehook (installed
    inside the test body: pytest installs its own hook around each test)."""
    seen = []
    old = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append((u.err_msg, u.exc_type,
                                                str(u.exc_value)))
    try:
        yield seen
    finally:
        sys.unraisablehook = old


def test_exception_reported_and_error_returned(ffi, lib):
    def boom(x):
        raise ValueError("boom %d" % x)
    cb = ffi.callback("int(int)", boom, error=-7)
    with unraisable_reports() as unraisable:
        assert lib.tl_apply(cb, 3) == -7
    assert unraisable == [("Exception ignored from cffi callback %r" % (boom,),
                           ValueError, "boom 3")]


def test_default_error_value_is_zero(ffi, lib):
    cb = ffi.callback("int(int)", lambda x: 1 // 0)
    with unraisable_reports() as unraisable:
        assert lib.tl_apply(cb, 3) == 0
    assert unraisable[0][1] is ZeroDivisionError


def test_bad_result_type_reported(ffi, lib):
    f = lambda x: "not an int"
    cb = ffi.callback("int(int)", f, error=5)
    with unraisable_reports() as unraisable:
        assert lib.tl_apply(cb, 1) == 5
    assert unraisable[0][0] == ("Exception ignored from cffi callback %r, trying "
                                "to convert the result back to C" % (f,))
    assert unraisable[0][1] is TypeError


def test_exception_printed_like_cffi(tmp_path):
    """Without a hook, the report goes to stderr as CFFI words it."""
    script = tmp_path / "cb.py"
    script.write_text(
        "import cffi\n"
        "ffi = cffi.FFI()\n"
        "def f(x):\n"
        "    raise IndexError('out')\n"
        "cb = ffi.callback('int(int)', f, error=3)\n"
        "print(cb(1))\n")
    out = subprocess.run([sys.executable, str(script)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=os.environ)
    assert out.stdout == b"3\n"
    err = out.stderr.decode()
    assert err.startswith("Exception ignored from cffi callback <function f at 0x")
    assert "Traceback (most recent call last):" in err
    assert err.rstrip().endswith("IndexError: out")


def test_onerror_receives_the_exception(ffi, lib):
    seen = []
    def onerror(exc_type, exc_value, tb):
        seen.append((exc_type, str(exc_value), tb is not None))
    def boom(x):
        raise KeyError(x)
    cb = ffi.callback("int(int)", boom, error=-1, onerror=onerror)
    assert lib.tl_apply(cb, 9) == -1
    assert seen == [(KeyError, "9", True)]


def test_onerror_result_replaces_error(ffi, lib):
    cb = ffi.callback("int(int)", lambda x: 1 // 0, error=-1,
                      onerror=lambda t, v, tb: 123)
    assert lib.tl_apply(cb, 0) == 123


def test_argument_checks(ffi):
    with pytest.raises(TypeError) as e:
        ffi.callback("int(int)", 42)
    assert str(e.value) == "the 'python_callable' argument is not callable"
    with pytest.raises(TypeError) as e:
        ffi.callback("int", lambda: 0)
    assert str(e.value) == "expected a function ctype, got 'int'"
    with pytest.raises(TypeError):
        ffi.callback("int(int)", lambda x: x, onerror=3)


def test_error_value_is_checked(ffi):
    with pytest.raises(OverflowError):
        ffi.callback("unsigned char(int)", lambda x: x, error=300)


def test_callback_from_foreign_threads(ffi, lib):
    seen = set()
    lock = threading.Lock()
    def f(x):
        with lock:
            seen.add(threading.get_ident())
        return x * 2
    cb = ffi.callback("int(int)", f)
    # 8 pthreads created in C, never seen by Python, call back concurrently
    assert lib.tl_apply_in_threads(cb, 1, 8) == 2 * sum(range(1, 9))
    assert threading.get_ident() not in seen
    assert len(seen) >= 1


def test_exception_in_foreign_thread(ffi, lib):
    def f(x):
        if x % 2:
            raise RuntimeError("odd %d" % x)
        return x
    cb = ffi.callback("int(int)", f, error=1000)
    with unraisable_reports() as unraisable:
        total = lib.tl_apply_in_threads(cb, 0, 4)    # 0, 1, 2, 3
    assert total == 0 + 1000 + 2 + 1000
    assert sorted(m[2] for m in unraisable) == ["odd 1", "odd 3"]


def test_foreign_thread_callbacks_repeatedly(ffi, lib):
    cb = ffi.callback("int(int)", lambda x: x + 1)
    for _ in range(20):
        assert lib.tl_apply_in_threads(cb, 0, 4) == sum(range(1, 5))


def test_many_callbacks_are_freed(ffi, lib):
    refs = []
    for i in range(200):
        cb = ffi.callback("int(int)", lambda x, i=i: x + i)
        assert lib.tl_apply(cb, 1) == i + 1
        refs.append(weakref.ref(cb))
        del cb
    gc.collect()
    assert all(r() is None for r in refs)


def test_callback_keeps_callable_alive(ffi, lib):
    class F:
        def __call__(self, x):
            return x + 1000
    f = F()
    r = weakref.ref(f)
    cb = ffi.callback("int(int)", f)
    del f
    gc.collect()
    assert r() is not None
    assert lib.tl_apply(cb, 1) == 1001
    del cb
    gc.collect()
    assert r() is None


def test_errno_visible_inside_callback(ffi, lib):
    """The callback sees the errno C had; what it sets goes back to C."""
    seen = []
    def f(x):
        seen.append(ffi.errno)
        ffi.errno = x
        return 0
    cb = ffi.callback("int(int)", f)
    lib.tl_set_errno(21)           # C's errno is 21 when C calls back...
    ffi.errno = 21
    lib.tl_apply(cb, 34)
    assert seen == [21]
    assert ffi.errno == 34         # ...and C returns with the callback's errno


def test_sum_callback_loop(ffi, lib):
    cb = ffi.callback("int(int)", lambda x: x)
    assert lib.tl_sum_callback(cb, 1000) == sum(range(1000))
