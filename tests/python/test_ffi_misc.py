"""ffi.gc, ffi.release and `with`, ffi.new_allocator, handles, init_once,
errno, addressof."""
import gc
import threading
import weakref

import pytest


def test_gc_calls_the_destructor_once(ffi):
    seen = []
    p = ffi.new("int *", 5)
    g = ffi.gc(p, lambda x: seen.append(x[0]))
    assert ffi.typeof(g) is ffi.typeof(p)
    assert g[0] == 5
    del g
    gc.collect()
    assert seen == [5]


def test_gc_release_runs_destructor_now(ffi):
    seen = []
    g = ffi.gc(ffi.cast("int *", 8), lambda x: seen.append(int(ffi.cast("long", x))), size=4)
    ffi.release(g)
    assert seen == [8]
    del g
    gc.collect()
    assert seen == [8]


def test_gc_none_removes_the_destructor(ffi):
    seen = []
    g = ffi.gc(ffi.new("int *"), seen.append)
    assert ffi.gc(g, None) is None
    del g
    gc.collect()
    assert seen == []
    with pytest.raises(TypeError, match="Can remove destructor only on a object previously"):
        ffi.gc(ffi.new("int *"), None)
    with pytest.raises(TypeError):
        ffi.gc(5, None)


def test_with_statement_and_release(ffi):
    with ffi.new("int[10]") as p:
        p[9] = 1
    with ffi.gc(ffi.cast("void *", 0), lambda x: None) as q:
        assert q == ffi.NULL
    with pytest.raises(ValueError, match="only 'cdata' object from ffi.new\\(\\)"):
        ffi.release(ffi.cast("int *", 0))
    with pytest.raises(ValueError):
        with ffi.cast("int *", 0):
            pass


def test_new_allocator_default(ffi):
    alloc = ffi.new_allocator()
    p = alloc("int *", 5)
    assert p[0] == 5
    assert repr(p) == "<cdata 'int *' owning 4 bytes>"
    a = alloc("int[]", 100)
    assert a[99] == 0
    ffi.release(a)


def test_new_allocator_custom(ffi):
    log = []
    store = {}

    def my_alloc(size):
        log.append(("alloc", size))
        buf = ffi.new("char[]", size)
        addr = ffi.cast("void *", buf)
        store[int(ffi.cast("uintptr_t", addr))] = buf
        return addr

    def my_free(ptr):
        log.append(("free",))
        del store[int(ffi.cast("uintptr_t", ptr))]

    allocate = ffi.new_allocator(my_alloc, my_free, should_clear_after_alloc=False)
    p = allocate("int[4]", [1, 2, 3, 4])
    assert list(p) == [1, 2, 3, 4]
    del p
    gc.collect()
    assert log == [("alloc", 16), ("free",)]
    assert store == {}
    with pytest.raises(TypeError, match="cannot pass 'free' without 'alloc'"):
        ffi.new_allocator(free=my_free)


def test_new_allocator_keeps_alloc_result_and_frees_it(ffi):
    seen = []

    def myalloc(size):
        seen.append(size)
        return ffi.new("char[]", b"X" * size)   # nobody else keeps it
    alloc = ffi.new_allocator(myalloc, seen.append, should_clear_after_alloc=False)
    p = alloc("int[]", 10)
    gc.collect()
    assert p[6] == ord("X") * 0x01010101
    assert ffi.sizeof(p) == 40
    del p
    gc.collect()
    assert seen[0] == 40
    assert repr(seen[1]) == "<cdata 'char[]' owning 41 bytes>"


def test_new_allocator_bad_alloc_result(ffi):
    allocate = ffi.new_allocator(lambda n: 42)
    with pytest.raises(TypeError, match="alloc\\(\\) must return a cdata object \\(got int\\)"):
        allocate("int *")
    allocate = ffi.new_allocator(lambda n: ffi.cast("int", 42))
    with pytest.raises(TypeError, match="must return a cdata pointer, not 'int'"):
        allocate("int *")
    allocate = ffi.new_allocator(lambda n: ffi.NULL)
    with pytest.raises(MemoryError):
        allocate("int *")


def test_handles(ffi):
    obj = object()
    h = ffi.new_handle(obj)
    assert repr(h).startswith("<cdata 'void *' handle to <object object")
    assert ffi.from_handle(h) is obj
    assert ffi.from_handle(ffi.cast("void *", h)) is obj
    with pytest.raises(RuntimeError, match="cannot use from_handle\\(\\) on NULL pointer"):
        ffi.from_handle(ffi.NULL)
    with pytest.raises(TypeError):
        ffi.from_handle(5)


def test_init_once(ffi):
    calls = []

    def init():
        calls.append(1)
        return len(calls) * 42
    assert ffi.init_once(init, "tag") == 42
    assert ffi.init_once(init, "tag") == 42
    assert ffi.init_once(init, "other") == 84
    assert len(calls) == 2
    with pytest.raises(ZeroDivisionError):
        ffi.init_once(lambda: 1 / 0, "bad")
    assert ffi.init_once(lambda: 7, "bad") == 7


def test_errno_is_per_thread(ffi):
    ffi.errno = 12
    assert ffi.errno == 12
    seen = []

    def worker():
        seen.append(ffi.errno)
        ffi.errno = 99
    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == [0]
    assert ffi.errno == 12


def test_addressof(ffi):
    ffi.cdef("struct st { int x; char y; }; struct two { struct st s[2]; int q; };")
    a = ffi.new("int[3]")
    assert ffi.addressof(a, 1) == a + 1
    assert ffi.typeof(ffi.addressof(a)) is ffi.typeof("int(*)[3]")
    p = ffi.new("struct st *")
    py = ffi.addressof(p[0], "y")
    assert ffi.typeof(py) is ffi.typeof("char *")
    assert int(ffi.cast("uintptr_t", py)) - int(ffi.cast("uintptr_t", p)) == 4
    assert ffi.addressof(p, "y") == py
    assert ffi.addressof(p[0]) == p
    with pytest.raises(TypeError, match="addressof\\(pointer\\)"):
        ffi.addressof(p)
    assert ffi.addressof(p, 1) == p + 1
    t = ffi.new("struct two *")
    ay = ffi.addressof(t, "s", 1, "y")
    ay[0] = b"!"
    assert t.s[1].y == b"!"
    with pytest.raises(TypeError, match="expected a cdata struct/union/array/pointer object"):
        ffi.addressof(ffi.cast("int", 1))


def test_addressof_keeps_owner_alive(ffi):
    ffi.cdef("struct st { int x; int y; };")
    py = ffi.addressof(ffi.new("struct st *", [1, 2]), "y")
    gc.collect()
    assert py[0] == 2


def test_handle_cycles_are_collected(ffi):
    class Owner:
        pass
    o = Owner()
    o.handle = ffi.new_handle(o)
    r = weakref.ref(o)
    del o
    gc.collect()
    assert r() is None


def test_gc_destructor_cycles_are_collected(ffi):
    seen = []

    class Box:
        pass
    box = Box()
    box.p = ffi.gc(ffi.new("int *"), lambda x, b=box: seen.append(b))
    del box
    gc.collect()
    assert len(seen) == 1


def _garbage_with_its_destructor_class(ffi, make_cdata, calls):
    """A cycle that holds a cdata whose destructor is an instance of a
    class that is itself garbage (as cairocffi's _keepref is at exit)."""
    class Destructor(object):
        def __call__(self, p):
            calls.append(1)

    class Holder(object):
        pass
    h = Holder()
    h.me = h
    h.p = make_cdata(Destructor())
    h.cls = Destructor


@pytest.mark.parametrize("kind", ["gc", "allocator"])
def test_destructor_runs_before_its_cycle_is_cleared(ffi, monkeypatch, kind):
    """In cyclic garbage the destructor runs before the collector clears
    anything (PEP 442 finalizer, as CFFI): its class is still whole, no
    'AttributeError: __call__' goes to sys.unraisablehook."""
    import sys
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    calls = []
    if kind == "gc":
        def make(destructor):
            return ffi.gc(ffi.new("int *", 42), destructor)
    else:
        blocks = []

        def malloc(n):
            blocks.append(ffi.new("char[]", n))
            return ffi.cast("void *", blocks[-1])

        def make(destructor):
            return ffi.new_allocator(alloc=malloc, free=destructor)("int *")
    for _ in range(20):
        _garbage_with_its_destructor_class(ffi, make, calls)
    gc.collect()
    assert [u.exc_value for u in unraisable] == []
    assert len(calls) == 20


def test_init_once_runs_once_across_threads(ffi):
    import time
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.05)
        return "done"
    results = []
    threads = [threading.Thread(target=lambda: results.append(ffi.init_once(slow, "t")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["done"] * 4
    assert calls == [1]


def test_release_frees_big_allocations_now(ffi):
    big = ffi.new("char[]", 10 ** 6)
    big[999999] = b"x"
    assert big[999999] == b"x"
    ffi.release(big)
    with pytest.raises(IndexError):
        big[0]                      # no access to the freed memory
    ffi.cdef("struct huge { int a[5000]; };")
    p = ffi.new("struct huge *")
    p.a[4999] = 7
    s = p[0]
    with p:
        assert s.a[4999] == 7
    with pytest.raises(RuntimeError, match="released by ffi.release"):
        p.a
    small = ffi.new("int[4]")
    ffi.release(small)              # memory inside the object: still valid
    assert small[3] == 0


def _ffi_of(kind, tmp_path, cdef):
    import cffi
    ffi = cffi.FFI()
    ffi.cdef(cdef)
    if kind == "inline":
        return ffi
    # out-of-line: a compiled table, where a struct whose completion fails
    # is forgotten and realized again at each use (CFFI's recompiler)
    import importlib
    import sys
    import uuid
    name = "_gc_once_%s" % uuid.uuid4().hex[:8]
    ffi.set_source(name, None)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name).ffi
    finally:
        sys.path.remove(str(tmp_path))


@pytest.mark.parametrize("kind", ["inline", "out-of-line"])
def test_gc_sees_each_realized_type_once(tmp_path, kind):
    """The collector traverses an FFI through the list of type indices it
    has realized, not every slot of its table (a module of thousands of
    types paid for all of them at each collection): each realized type is
    a referent exactly once, also after a type was forgotten and realized
    again (visiting one reference twice would make the collector free a
    live object).  This guards the list's bookkeeping; the saving itself
    (empty slots were never referents) is counted in instructions, in the
    commit that made it (1755104), not here."""
    ffi = _ffi_of(kind, tmp_path,
                  "\n".join("struct s%d { int a; };" % i for i in range(3000))
                  + "\nstruct bad { int x : 99; };")
    wanted = [ffi.typeof("struct s%d" % i) for i in (5, 2999, 1234)]
    wanted.append(ffi.typeof("struct s5 *"))
    for _ in range(3):      # refused: then opaque for good (in-line), or
        try:                # forgotten and refused again (out-of-line)
            ffi.new("struct bad *")
        except Exception:
            pass
    referents = gc.get_referents(ffi)
    for ct in wanted:
        assert sum(1 for r in referents if r is ct) == 1, ct
    ctypes = [r for r in referents if type(r) is type(wanted[0])]
    assert len(ctypes) == len(set(map(id, ctypes)))
    assert len(ctypes) < 20         # the realized ones only
    gc.collect()
    assert ffi.typeof("struct s2999").fields[0][0] == "a"
