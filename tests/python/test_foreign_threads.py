"""Callbacks from threads Python did not create (a C library's own pthreads).

Such a thread gets one Python thread state on its first callback, kept for
the life of the thread and released when it exits.  The tests count thread
states instead of timing them: a threading.local lives in the thread state,
so a value stored in it by one callback is still there in the next callback
of the same thread only if the thread state was kept, and the value is
freed when the thread state is deleted.
"""
import os
import subprocess
import sys
import textwrap
import threading

import pytest

from abi_testlib import shared_lib_path

CDEF = """
long tl_sum_callback(int (*f)(int), int n);
long tl_callbacks_in_threads(int (*f)(int), int nthreads, int ncalls);
int tl_start_callback_thread(int (*f)(int));
void tl_stop_callbacks(void);
"""


@pytest.fixture
def lib(ffi):
    ffi.cdef(CDEF)
    return ffi.dlopen(shared_lib_path())


class ThreadStates:
    """Counts the thread states the callbacks ran in: `made` when a
    callback finds its thread's threading.local empty, `released` when the
    object it stored there is freed (its thread state was deleted)."""

    def __init__(self):
        self.local = threading.local()
        self.lock = threading.Lock()
        self.made = 0
        self.released = 0
        self.calls = 0

    def _released(self):
        with self.lock:
            self.released += 1

    def enter(self):
        """Called at the start of each callback."""
        with self.lock:
            self.calls += 1
        if getattr(self.local, "token", None) is None:
            with self.lock:
                self.made += 1
            self.local.token = _Token(self._released)


class _Token:
    def __init__(self, on_free):
        self.on_free = on_free

    def __del__(self):
        self.on_free()


def test_one_thread_state_for_10000_callbacks(ffi, lib):
    states = ThreadStates()

    def f(x):
        states.enter()
        return x
    cb = ffi.callback("int(int)", f)
    assert lib.tl_callbacks_in_threads(cb, 1, 10000) == sum(range(10000))
    assert states.calls == 10000
    assert states.made == 1
    # the thread has exited (joined): its thread state was released
    assert states.released == 1


def test_eight_threads_one_state_each(ffi, lib):
    states = ThreadStates()
    idents = set()

    def f(x):
        states.enter()
        idents.add(threading.get_ident())
        return 1
    cb = ffi.callback("int(int)", f)
    assert lib.tl_callbacks_in_threads(cb, 8, 2000) == 8 * 2000
    assert states.made == 8
    assert states.released == 8
    assert threading.get_ident() not in idents


def test_new_threads_get_new_states(ffi, lib):
    """A thread that exited does not leave its state to the next one."""
    states = ThreadStates()

    def f(x):
        states.enter()
        return 0
    cb = ffi.callback("int(int)", f)
    for round in range(1, 6):
        lib.tl_callbacks_in_threads(cb, 2, 50)
        assert (states.made, states.released) == (2 * round, 2 * round)


def test_nested_callback_in_foreign_thread(ffi, lib):
    """A callback calling C that calls back, in the same foreign thread:
    the inner call reuses the thread state (the GIL was released by the C
    call in between)."""
    states = ThreadStates()
    inner = ffi.callback("int(int)", lambda x: (states.enter(), x)[1])

    def outer(x):
        states.enter()
        return lib.tl_sum_callback(inner, 4)     # 0+1+2+3
    cb = ffi.callback("int(int)", outer)
    assert lib.tl_callbacks_in_threads(cb, 1, 10) == 10 * 6
    assert states.calls == 10 + 40
    assert states.made == 1
    assert states.released == 1


def test_python_threads_keep_their_own_state(ffi, lib):
    """Threads Python created are not adopted: their thread state is
    Python's own, and survives the callbacks."""
    states = ThreadStates()

    def f(x):
        states.enter()
        return x
    cb = ffi.callback("int(int)", f)
    results = []
    t = threading.Thread(target=lambda: results.append(lib.tl_sum_callback(cb, 100)))
    t.start()
    t.join()
    assert results == [sum(range(100))]
    assert states.made == 1
    assert lib.tl_sum_callback(cb, 10) == 45      # the main thread: one more
    assert states.made == 2


def test_exception_in_adopted_thread(ffi, lib):
    """An exception in a foreign thread is reported and leaves the thread
    state usable for the next callbacks."""
    states = ThreadStates()

    def f(x):
        states.enter()
        if x == 3:
            raise ValueError("three")
        return 1
    cb = ffi.callback("int(int)", f, error=-100)
    seen = []
    old = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(str(u.exc_value))
    try:
        assert lib.tl_callbacks_in_threads(cb, 1, 10) == 9 - 100
    finally:
        sys.unraisablehook = old
    assert seen == ["three"]
    assert states.made == 1 and states.released == 1


def _run(script, *values):
    """Runs the script (its text is dedented, then formatted with values)
    in a new interpreter."""
    env = dict(os.environ)
    script = textwrap.dedent(script) % values
    return subprocess.run([sys.executable, "-c", script],
                          env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=120)


def test_interpreter_finalizing_while_c_thread_calls_back(monkeypatch):
    """A C thread still calling back while Python exits: Python finalizes
    without hanging or crashing, the thread gets the error value."""
    # (under make check-asan, no leak check in that process: CPython ends a
    # thread that wants the GIL back during finalization, and the argument
    # object of the callback then in flight, held by that thread's stack
    # only, is reported as leaked from ccallback_dispatch_foreign)
    if "ASAN_OPTIONS" in os.environ:
        monkeypatch.setenv("ASAN_OPTIONS", os.environ["ASAN_OPTIONS"] + ":detect_leaks=0")
    r = _run(r"""
        import time, cffi
        ffi = cffi.FFI()
        ffi.cdef('''%s''')
        lib = ffi.dlopen(%r)
        calls = []
        cb = ffi.callback("int(int)", lambda x: calls.append(x) or 0)
        KEEP = [cb, ffi, lib]        # alive until the very end
        import ctypes
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(KEEP))
        assert lib.tl_start_callback_thread(cb) == 0
        while len(calls) < 1000:
            time.sleep(0.001)
        print("exiting after", len(calls) >= 1000)
    """, CDEF, shared_lib_path())
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode().strip() == "exiting after True"
    assert b"Fatal" not in r.stderr


def test_callback_from_a_destructor_run_at_exit():
    """The thread running Py_Finalize() still runs Python: an ffi.gc
    destructor of garbage collected at exit calls C that calls back, and the
    callback runs (as in CFFI).  pymunk's Space and Body destructors do this
    (the space lists its bodies through an extern "Python" iterator); before,
    the callback gave its error value, the space was freed with bodies still
    in it, and a body's destructor crashed in freed memory."""
    r = _run(r"""
        import gc
        gc.set_threshold(1 << 30)    # no collection before Py_Finalize()'s
        import cffi
        ffi = cffi.FFI()
        ffi.cdef('''%s''')
        lib = ffi.dlopen(%r)
        cb = ffi.callback("int(int)", lambda x: x + 1, error=-100)
        def destructor(p):
            print("sum", lib.tl_sum_callback(cb, 3), flush=True)
        class Holder:
            pass
        h = Holder()
        h.cycle = h              # collected only by Py_Finalize()'s collection
        h.p = ffi.gc(ffi.new("int *"), destructor)
        del h
        print("exiting", flush=True)
    """, CDEF, shared_lib_path())
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout.decode().split() == ["exiting", "sum", "6"]


def test_subinterpreter_callback_from_foreign_thread_is_refused():
    """A callback made in a subinterpreter and called from a C thread has
    no interpreter to run in: C gets the error value, stderr says why."""
    try:
        import _xxsubinterpreters  # noqa: F401
    except ImportError:
        pytest.skip("no _xxsubinterpreters in this Python")
    r = _run(r"""
        import _xxsubinterpreters as interpreters
        import cffi                     # imported in the main one first
        interp = interpreters.create()
        interpreters.run_string(interp, '''if 1:
            import cffi
            ffi = cffi.FFI()
            ffi.cdef(%r)
            lib = ffi.dlopen(%r)
            cb = ffi.callback("int(int)", lambda x: 1, error=-7)
            print("in-thread", lib.tl_sum_callback(cb, 3))
            print("foreign", lib.tl_callbacks_in_threads(cb, 1, 3))
        ''')
    """, " ".join(CDEF.split()), shared_lib_path())
    out = r.stdout.decode()
    err = r.stderr.decode()
    if r.returncode != 0 and "ImportError" in err:
        pytest.skip("ccffi does not load in subinterpreters here")
    assert r.returncode == 0, err
    assert "in-thread 3" in out
    assert "foreign -21" in out
    assert "subinterpreter" in err and "not supported" in err
