"""One contender of the ABI-mode benchmark, run in its own process.

    python bench_abi.py CONTENDER TESTLIB

CONTENDER is one of: ccffi, cffi, ctypes, floor (ABI-mode rows), and
ccffi-api, cffi-api (API-mode rows: a module compiled by set_source()).  TESTLIB is the test C
library (tests/lib/testlib.so).  Prints one JSON object: the interpreter and
module identities, then nanoseconds per operation for each row this
contender can run (run_bench.py turns several of these into the table).

Every row calls the same C functions of the test library; qsort is libc's.
"""
import json
import os
import subprocess
import sys
import timeit

CDEF = """
void tl_nothing(void);
int tl_add(int, int);
double tl_add_double(double, double);
size_t tl_strlen(const char *);
struct tl_point { int x, y; };
int tl_point_ptr_sum(const struct tl_point *);
struct tl_point tl_make_point(int, int);
long tl_sum_callback(int (*)(int), int);
long tl_callbacks_in_threads(int (*)(int), int, int);
struct tl_quad { int a, b, c, d; };
void qsort(int *base, size_t nmemb, size_t size,
           int (*compar)(const int *, const int *));
"""

CALLBACK_LOOPS = 1000    # C calls back this many times per timed call
THREAD_CALLS = 4000      # callbacks per timed call from threads C created
MEMORY_OBJECTS = 200000  # objects kept alive to measure bytes per object
QSORT_ITEMS = 1000       # sorted again and again: after the first run the
                         # input is sorted, so every contender makes the same
                         # comparisons (glibc's merge sort)


def timed(stmt, ns, per=1):
    """Best nanoseconds per execution of stmt (divided by `per`)."""
    timer = timeit.Timer(stmt, globals=ns)
    number, _ = timer.autorange()
    number = max(number, 1)
    best = min(timer.repeat(repeat=5, number=number))
    return best / number / per * 1e9


def bytes_per_object(expr, ns):
    """Bytes of memory per object made by `expr`: the growth of the
    process's resident memory while MEMORY_OBJECTS of them are made and
    kept, whichever allocator the implementation uses (pymalloc, malloc),
    with the allocators' own overhead.  Run before anything else, so that
    little freed memory is there to be reused."""
    keep = [None] * MEMORY_OBJECTS
    code = compile("for i in range(%d): keep[i] = %s" % (MEMORY_OBJECTS, expr),
                   "<memory>", "exec")
    env = dict(ns, keep=keep)
    before = resident_bytes()
    exec(code, env)
    after = resident_bytes()
    del keep, env
    return (after - before) / MEMORY_OBJECTS


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# rows whose figure is not a time: name -> unit (run_bench.py formats them)
UNITS = {"mem_int": "B", "mem_struct16": "B", "mem_int10": "B"}


def scrambled():
    """The numbers to sort: a fixed permutation of range(QSORT_ITEMS)."""
    return [(i * 7919) % QSORT_ITEMS for i in range(QSORT_ITEMS)]


def setup_cffi_like(testlib):
    import cffi
    import _cffi_backend
    ffi = cffi.FFI()
    ffi.cdef(CDEF)
    lib = ffi.dlopen(testlib)
    libc = ffi.dlopen(None)
    point = ffi.new("struct tl_point *", [1, 2])
    cb = ffi.callback("int(int)", lambda x: x)
    cmp = ffi.callback("int(const int *, const int *)",
                       lambda a, b: a[0] - b[0])
    data = scrambled()
    array = ffi.new("int[]", data)
    ns = dict(ffi=ffi, lib=lib, point=point, cb=cb, cmp=cmp, array=array,
              data=data, qsort=libc.qsort, new=ffi.new,
              nothing=lib.tl_nothing, add=lib.tl_add,
              add_double=lib.tl_add_double, strlen=lib.tl_strlen,
              point_ptr_sum=lib.tl_point_ptr_sum,
              make_point=lib.tl_make_point, sum_callback=lib.tl_sum_callback,
              in_threads=lib.tl_callbacks_in_threads)
    rows = {
        "call_noarg": ("nothing()", 1),
        "call_2int": ("add(1, 2)", 1),
        "call_2double": ("add_double(1.5, 2.5)", 1),
        "call_bytes": ("strlen(b'hello, world')", 1),
        "call_structptr": ("point_ptr_sum(point)", 1),
        "call_ret_struct": ("make_point(1, 2)", 1),
        "callback": ("sum_callback(cb, %d)" % CALLBACK_LOOPS, CALLBACK_LOOPS),
        "qsort": ("qsort(array, %d, 4, cmp)" % QSORT_ITEMS, 1),
        "cb_thread1": ("in_threads(cb, 1, %d)" % THREAD_CALLS, THREAD_CALLS),
        "cb_thread8": ("in_threads(cb, 8, %d)" % (THREAD_CALLS // 8), THREAD_CALLS),
        "new": ("new('struct tl_point *')", 1),
        "field_read": ("point.x", 1),
        "field_write": ("point.x = 5", 1),
        "mem_int": ("new('int *')", None),
        "mem_struct16": ("new('struct tl_quad *')", None),
        "mem_int10": ("new('int[10]')", None),
    }
    ident = {"cffi": cffi.__file__, "_cffi_backend": _cffi_backend.__file__,
             "backend_version": getattr(_cffi_backend, "__version__", "?"),
             "ccffi": getattr(_cffi_backend, "__ccffi__", None)}
    return ns, rows, ident


def setup_ctypes(testlib):
    import ctypes
    from ctypes import c_int, c_double, c_char_p, c_size_t, c_long, POINTER

    class Point(ctypes.Structure):
        _fields_ = [("x", c_int), ("y", c_int)]

    class Quad(ctypes.Structure):
        _fields_ = [("a", c_int), ("b", c_int), ("c", c_int), ("d", c_int)]

    lib = ctypes.CDLL(testlib)
    libc = ctypes.CDLL(None)

    def fn(name, restype, *argtypes):
        f = getattr(lib, name)
        f.restype = restype
        f.argtypes = list(argtypes)
        return f

    CB = ctypes.CFUNCTYPE(c_int, c_int)
    CMP = ctypes.CFUNCTYPE(c_int, POINTER(c_int), POINTER(c_int))
    qsort = libc.qsort
    qsort.restype = None
    qsort.argtypes = [POINTER(c_int), c_size_t, c_size_t, CMP]
    data = scrambled()
    array = (c_int * QSORT_ITEMS)(*data)
    pt = Point(1, 2)
    ns = dict(Point=Point, point=ctypes.pointer(pt), pt=pt,
              cb=CB(lambda x: x), cmp=CMP(lambda a, b: a[0] - b[0]),
              array=array, data=data, qsort=qsort,
              nothing=fn("tl_nothing", None),
              add=fn("tl_add", c_int, c_int, c_int),
              add_double=fn("tl_add_double", c_double, c_double, c_double),
              strlen=fn("tl_strlen", c_size_t, c_char_p),
              point_ptr_sum=fn("tl_point_ptr_sum", c_int, POINTER(Point)),
              make_point=fn("tl_make_point", Point, c_int, c_int),
              sum_callback=fn("tl_sum_callback", c_long, CB, c_int),
              in_threads=fn("tl_callbacks_in_threads", c_long, CB, c_int, c_int),
              Quad=Quad, c_int=c_int)
    rows = {
        "call_noarg": ("nothing()", 1),
        "call_2int": ("add(1, 2)", 1),
        "call_2double": ("add_double(1.5, 2.5)", 1),
        "call_bytes": ("strlen(b'hello, world')", 1),
        "call_structptr": ("point_ptr_sum(point)", 1),
        "call_ret_struct": ("make_point(1, 2)", 1),
        "callback": ("sum_callback(cb, %d)" % CALLBACK_LOOPS, CALLBACK_LOOPS),
        "qsort": ("qsort(array, %d, 4, cmp)" % QSORT_ITEMS, 1),
        "cb_thread1": ("in_threads(cb, 1, %d)" % THREAD_CALLS, THREAD_CALLS),
        "cb_thread8": ("in_threads(cb, 8, %d)" % (THREAD_CALLS // 8), THREAD_CALLS),
        "new": ("Point()", 1),
        "field_read": ("pt.x", 1),
        "field_write": ("pt.x = 5", 1),
        "mem_int": ("c_int()", None),
        "mem_struct16": ("Quad()", None),
        "mem_int10": ("(c_int * 10)()", None),
    }
    return ns, rows, {"ctypes": ctypes.__file__}


def setup_floor(testlib):
    import array as array_mod
    import ctypes
    import _ccffi_floor as floor
    floor.load(testlib)
    data = scrambled()
    buf = array_mod.array("i", data)
    pt = (ctypes.c_int * 2)(1, 2)          # the struct the pointer row reads
    ns = dict(floor=floor, addr=ctypes.addressof(pt), pt=pt, buf=buf,
              data=data, cb=lambda x: x, cmp=lambda a, b: a - b,
              nothing=floor.nothing, add=floor.add,
              add_double=floor.add_double, strlen=floor.strlen,
              point_ptr_sum=floor.point_ptr_sum,
              make_point=floor.make_point, sum_callback=floor.sum_callback,
              qsort=floor.qsort)
    rows = {
        "call_noarg": ("nothing()", 1),
        "call_2int": ("add(1, 2)", 1),
        "call_2double": ("add_double(1.5, 2.5)", 1),
        "call_bytes": ("strlen(b'hello, world')", 1),
        "call_structptr": ("point_ptr_sum(addr)", 1),
        "call_ret_struct": ("make_point(1, 2)", 1),
        "callback": ("sum_callback(cb, %d)" % CALLBACK_LOOPS, CALLBACK_LOOPS),
        "qsort": ("qsort(buf, cmp)", 1),
    }
    return ns, rows, {"floor": floor.__file__}


API_SOURCE = """
#include <stddef.h>
struct tl_point { int x, y; };
void tl_nothing(void);
int tl_add(int, int);
double tl_add_double(double, double);
size_t tl_strlen(const char *);
int tl_point_ptr_sum(const struct tl_point *);
struct tl_point tl_make_point(int, int);
long tl_sum_callback(int (*)(int), int);
long tl_callbacks_in_threads(int (*)(int), int, int);
struct tl_quad { int a, b, c, d; };
static int bench_py_cb(int);
static long bench_extern_loop(int n)
{
    long s = 0;
    for (int i = 0; i < n; i++)
        s += bench_py_cb(i);
    return s;
}
"""
API_CDEF = """
extern "Python" int bench_py_cb(int);
long bench_extern_loop(int n);
"""


def setup_api(testlib):
    """API mode: a module compiled with set_source() against the test
    library, by the cffi this process imports (ccffi's or the real one),
    in BENCH_WORKDIR/<impl>-api."""
    import importlib
    import cffi
    import _cffi_backend
    impl = "ccffi" if getattr(_cffi_backend, "__ccffi__", None) else "cffi"
    tmpdir = os.path.join(os.environ["BENCH_WORKDIR"], impl + "-api")
    name = "_bench_api_" + impl
    builder = cffi.FFI()
    builder.cdef(CDEF.split("void qsort")[0] + API_CDEF)
    builder.set_source(name, API_SOURCE, extra_link_args=[
        testlib, "-Wl,-rpath," + os.path.dirname(os.path.abspath(testlib))])
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        builder.compile(tmpdir=tmpdir)
    sys.path.insert(0, tmpdir)
    mod = importlib.import_module(name)
    ffi, lib = mod.ffi, mod.lib

    @ffi.def_extern()
    def bench_py_cb(x):
        return x
    ns = dict(extern_loop=lib.bench_extern_loop,
              point=ffi.new("struct tl_point *", [1, 2]),
              cb=ffi.callback("int(int)", lambda x: x),
              nothing=lib.tl_nothing, add=lib.tl_add,
              add_double=lib.tl_add_double, strlen=lib.tl_strlen,
              point_ptr_sum=lib.tl_point_ptr_sum,
              make_point=lib.tl_make_point, sum_callback=lib.tl_sum_callback)
    rows = {
        "api_call_noarg": ("nothing()", 1),
        "api_call_2int": ("add(1, 2)", 1),
        "api_call_2double": ("add_double(1.5, 2.5)", 1),
        "api_call_bytes": ("strlen(b'hello, world')", 1),
        "api_call_structptr": ("point_ptr_sum(point)", 1),
        "api_call_ret_struct": ("make_point(1, 2)", 1),
        "api_callback": ("sum_callback(cb, %d)" % CALLBACK_LOOPS, CALLBACK_LOOPS),
        "api_extern": ("extern_loop(%d)" % CALLBACK_LOOPS, CALLBACK_LOOPS),
    }
    ident = {"cffi": cffi.__file__, "_cffi_backend": _cffi_backend.__file__,
             "module": mod.__file__,
             "ccffi": getattr(_cffi_backend, "__ccffi__", None)}
    return ns, rows, ident


SETUPS = {"ccffi": setup_cffi_like, "cffi": setup_cffi_like,
          "ctypes": setup_ctypes, "floor": setup_floor,
          "ccffi-api": setup_api, "cffi-api": setup_api}


def main():
    contender, testlib = sys.argv[1], sys.argv[2]
    only = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
    ns, rows, ident = SETUPS[contender](testlib)
    result = {"contender": contender, "python": sys.version.split()[0],
              "executable": sys.executable, "modules": ident, "ns": {}}
    order = sorted(rows, key=lambda name: rows[name][1] is not None)
    wanted = [name for name in order if only is None or name in only]
    memory = [name for name in wanted if rows[name][1] is None]
    for name in wanted:            # the memory rows first
        stmt, per = rows[name]
        if per is None and len(memory) > 1:
            # each in a process of its own: the memory a row frees would be
            # reused by the next (CFFI's int[10] measured 0 bytes after the
            # other rows)
            out = subprocess.run([sys.executable, os.path.abspath(__file__),
                                  contender, testlib, name],
                                 stdout=subprocess.PIPE, check=True)
            result["ns"][name] = json.loads(out.stdout)["ns"][name]
        elif per is None:
            result["ns"][name] = bytes_per_object(stmt, ns)
        else:
            result["ns"][name] = timed(stmt, ns, per)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
