"""Where the thread state of a C thread that called back is deleted (issue
17: callbacks from 8 C threads at most CFFI's time).

A thread Python did not create keeps one thread state for its life (see
test_foreign_threads.py).  From Python 3.11 on, when it exits it does not
wait for the GIL to delete that state: with other threads calling back,
that wait is one more hand-off of the GIL per thread.  It leaves the state
to a thread that holds the GIL anyway: the main thread (a pending call, run
when the C call that joined the thread returns) or the next C thread to
call back, as CFFI leaves its "zombie" states.  The tests see which thread
deleted the state: an object kept in a threading.local lives in the thread
state, and its __del__ runs in the thread that deletes it.
"""
import sys
import threading

import pytest

from abi_testlib import shared_lib_path

pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 11),
    reason="before 3.11 the exiting thread deletes its own state under the GIL")


@pytest.fixture
def lib(ffi):
    ffi.cdef("long tl_callbacks_in_threads(int (*f)(int), int nthreads, int ncalls);")
    return ffi.dlopen(shared_lib_path())


class Deletions:
    """(thread of the state, thread that deleted it) of each state the
    callbacks ran in."""

    def __init__(self):
        self.local = threading.local()
        self.made = 0
        self.deleted_in = []
        self.lock = threading.Lock()

    def enter(self):
        if getattr(self.local, "token", None) is None:
            with self.lock:
                self.made += 1
            self.local.token = _Token(self.deleted_in)

    def deleted_elsewhere(self):
        return all(owner != deleter for owner, deleter in self.deleted_in)


class _Token:
    def __init__(self, deleted_in):
        self.deleted_in = deleted_in
        self.owner = threading.get_ident()

    def __del__(self):
        self.deleted_in.append((self.owner, threading.get_ident()))


def test_exited_threads_do_not_delete_their_own_states(ffi, lib):
    d = Deletions()

    def f(x):
        d.enter()
        return 1
    cb = ffi.callback("int(int)", f)
    assert lib.tl_callbacks_in_threads(cb, 4, 400) == 4 * 400
    assert d.made == 4
    # all deleted when the call that joined the threads returned, none by
    # the thread that exited (the last ones by this thread)
    assert len(d.deleted_in) == 4
    assert d.deleted_elsewhere()
    assert d.deleted_in[-1][1] == threading.get_ident()


def test_states_deleted_at_each_round(ffi, lib):
    """Threads exiting round after round: each round's states are deleted
    after its call, none left behind, none deleted twice."""
    d = Deletions()

    def f(x):
        d.enter()
        return 0
    cb = ffi.callback("int(int)", f)
    for round in range(1, 21):
        lib.tl_callbacks_in_threads(cb, 3, 30)
        assert d.made == 3 * round
        assert len(d.deleted_in) == 3 * round
    assert d.deleted_elsewhere()
    assert len(set(owner for owner, _ in d.deleted_in)) >= 3
