"""Modules built by the real CFFI load under ccffi's _cffi_backend (issue 15).

Debian's CFFI 1.15 (python3-cffi) builds API-mode modules (one of them
including another, one with char16_t/char32_t: version tag 0x2801) and an
out-of-line ABI module, in a subprocess of Debian's /usr/bin/python3 whose
path has Debian's cffi and not the build tree.  They are then loaded here,
under ccffi, and checked; PROBE runs the same operations under the real
_cffi_backend and under ours, and the results must be the same.  The same
is done with modules built by the real CFFI 2 when pyenv has it for this
Python version.  Bad version tags and bad type contexts are refused with
ImportError.
"""
import ctypes
import glob
import os
import re
import subprocess
import sys
import textwrap

import pytest

DEBIAN_PYTHON = "/usr/bin/python3"

BUILD = r'''
import sys, cffi, _cffi_backend
assert not hasattr(_cffi_backend, "__ccffi__"), _cffi_backend.__file__
assert cffi.__version__.startswith(sys.argv[1] + "."), cffi.__version__

api = cffi.FFI()
api.cdef("""
    struct pt { int x; double y; ...; };
    typedef struct { int a; } anon_t;
    typedef struct opaque_s opaque_t;
    struct bits { unsigned a : 3; int b : 5; unsigned char c; };
    union num { int i; float f; };
    struct outer { int tag; struct { short lo, hi; }; union num n; };
    enum color { RED, GREEN = 5, BLUE };
    typedef enum { SMALL = -2, LARGE = 1000 } size_e;
    #define FOO 42
    #define BIG ...
    #define NEG -7
    static const char *const NAME;
    static const double PI_ISH;
    int add(int, int);
    int noargs(void);
    double norm(struct pt *);
    struct pt mkpt(int, double);
    int bits_sum(struct bits);
    long long ll_mix(signed char, unsigned short, unsigned long long, _Bool);
    unsigned char uc_id(unsigned char);
    char ch_next(char);
    long double ld_twice(long double);
    int sumlen(int *, int);
    const char *greet(void);
    opaque_t *opaque_new(int);
    int opaque_get(opaque_t *);
    extern int gcounter;
    extern int arr[3];
    extern struct pt gpt;
    int sum(int n, ...);
    extern "Python" int cb(int);
    extern "Python" void cb_pt(struct pt, long double);
    int call_cb(int);
    double call_cb_pt(int);
    int apply(int (*f)(int), int);
    int set_errno(int);
""")
API_SRC = r"""
#include <stdarg.h>
#include <errno.h>
#include <stdlib.h>
struct pt { long pad; int x; double y; };
typedef struct { int a; } anon_t;
typedef struct opaque_s { int v; } opaque_t;
struct bits { unsigned a : 3; int b : 5; unsigned char c; };
union num { int i; float f; };
struct outer { int tag; struct { short lo, hi; }; union num n; };
enum color { RED, GREEN = 5, BLUE };
typedef enum { SMALL = -2, LARGE = 1000 } size_e;
#define FOO 42
#define BIG 123456789012
#define NEG -7
static const char *const NAME = "hello";
static const double PI_ISH = 3.25;
static int add(int a, int b) { return a + b; }
static int noargs(void) { return 7; }
static double norm(struct pt *p) { return p->x + p->y; }
static struct pt mkpt(int x, double y) { struct pt p = {0, x, y}; return p; }
static int bits_sum(struct bits b) { return b.a + b.b + b.c; }
static long long ll_mix(signed char a, unsigned short b, unsigned long long c,
                       _Bool d) { return a + b + (long long)c + d; }
static unsigned char uc_id(unsigned char c) { return c; }
static char ch_next(char c) { return c + 1; }
static long double ld_twice(long double x) { return 2 * x; }
static int sumlen(int *p, int n) { int s = 0; while (n--) s += *p++; return s; }
static const char *greet(void) { return "hi there"; }
static opaque_t *opaque_new(int v) { opaque_t *o = malloc(sizeof *o); o->v = v; return o; }
static int opaque_get(opaque_t *o) { return o->v; }
int gcounter = 5;
int arr[3] = {1, 2, 3};
struct pt gpt = {0, 9, 0.5};
static int sum(int n, ...) { va_list ap; int s = 0; va_start(ap, n);
    while (n--) s += va_arg(ap, int); va_end(ap); return s; }
static int cb(int);
static void cb_pt(struct pt, long double);
static int call_cb(int x) { return cb(x) + 1; }
static double call_cb_pt(int x) { struct pt p = {0, x, 0.25}; cb_pt(p, 1.5L); return 0; }
static int apply(int (*f)(int), int x) { return f(x); }
static int set_errno(int e) { errno = e; return -1; }
"""
api.set_source("_rc_api", API_SRC)
api.compile(tmpdir=".")

inc = cffi.FFI()
inc.include(api)
inc.cdef("""
    int pt_x(struct pt *);
    enum color pick(int);
""")
inc.set_source("_rc_inc", API_SRC + r"""
static int pt_x(struct pt *p) { return p->x; }
static enum color pick(int i) { return i ? BLUE : RED; }
""")
inc.compile(tmpdir=".")

wide = cffi.FFI()
wide.cdef("char16_t c16_next(char16_t); char32_t c32_next(char32_t); wchar_t w_next(wchar_t);")
wide.set_source("_rc_wide", r"""
#include <uchar.h>
#include <wchar.h>
static char16_t c16_next(char16_t c) { return c + 1; }
static char32_t c32_next(char32_t c) { return c + 1; }
static wchar_t w_next(wchar_t c) { return c + 1; }
""")
wide.compile(tmpdir=".")

abi = cffi.FFI()
abi.cdef("""
    typedef struct { int quot; int rem; } div_t;
    div_t div(int, int);
    double cos(double);
    int abs(int);
    size_t strlen(const char *);
    int sprintf(char *, const char *, ...);
    struct tm_like { int a; char b; double c; };
    enum mode { M_A, M_B = 10, M_C };
    #define ANSWER 42
    #define NEGC -3
    typedef int (*cmp_t)(const void *, const void *);
    void qsort(void *, size_t, size_t, cmp_t);
    extern char **environ;
    extern int errno_like_missing_symbol;
""")
abi.set_source("_rc_abi", None)
abi.compile(tmpdir=".")

abi2 = cffi.FFI()
abi2.include(abi)
abi2.cdef("long labs(long); div_t *lost(enum mode); struct tm_like *also(void);")
abi2.set_source("_rc_abi2", None)
abi2.compile(tmpdir=".")
print("built")
'''

PROBE = r'''
import re, sys
sys.path.insert(0, sys.argv[1])
import _cffi_backend
out = []
def show(label, fn):
    try:
        r = fn()
        r = repr(r)
    except Exception as e:
        r = "%s: %s" % (type(e).__name__, e)
    out.append("%s = %s" % (label, re.sub(r"0x[0-9a-f]+", "0x?", r)))

from _rc_api import ffi, lib
show("add", lambda: lib.add(2, 3))
show("add_arity", lambda: lib.add(1))
show("add_overflow", lambda: lib.add(1, 2**40))
show("add_float", lambda: lib.add(1, 2.5))
show("add_doc", lambda: lib.add.__doc__)
show("noargs", lambda: lib.noargs())
show("consts", lambda: (lib.FOO, lib.BIG, lib.NEG, lib.RED, lib.GREEN, lib.BLUE,
                        lib.SMALL, lib.LARGE, lib.PI_ISH))
show("name", lambda: ffi.string(lib.NAME))
show("sizeof_pt", lambda: (ffi.sizeof("struct pt"), ffi.offsetof("struct pt", "y"),
                           ffi.alignof("struct pt")))
show("sizes", lambda: [ffi.sizeof(t) for t in ("anon_t", "struct bits", "union num",
                       "struct outer", "enum color", "size_e")])
show("outer_fields", lambda: [(n, f.offset) for n, f in ffi.typeof("struct outer").fields])
show("norm", lambda: lib.norm(ffi.new("struct pt *", {"x": 3, "y": 1.5})))
show("norm_list", lambda: lib.norm([[3, 1.5]]))
show("norm_bad", lambda: lib.norm(ffi.new("int *")))
show("mkpt", lambda: (lambda p: (ffi.typeof(p), p.x, p.y))(lib.mkpt(4, 2.5)))
show("bits", lambda: lib.bits_sum({"a": 5, "b": -3, "c": 200}))
show("bits_fields", lambda: (lambda b: (b.a, b.b, b.c))(ffi.new("struct bits *", [7, -16, 1])))
show("ll_mix", lambda: lib.ll_mix(-5, 65535, 2**63, True))
show("ll_mix_bad", lambda: lib.ll_mix(200, 0, 0, 0))
show("ll_neg_unsigned", lambda: lib.ll_mix(0, -1, 0, 0))
show("bool_bad", lambda: lib.ll_mix(0, 0, 0, 2))
show("uc", lambda: lib.uc_id(255))
show("ch", lambda: lib.ch_next(b"a"))
show("ch_bad", lambda: lib.ch_next("a"))
show("ld", lambda: float(lib.ld_twice(1.25)))
show("sumlen", lambda: lib.sumlen([1, 2, 3, 4], 4))
show("sumlen_long", lambda: lib.sumlen(list(range(1000)), 1000))
show("greet", lambda: ffi.string(lib.greet()))
show("opaque", lambda: lib.opaque_get(lib.opaque_new(77)))
show("opaque_type", lambda: ffi.typeof(lib.opaque_new(1)))
show("gcounter", lambda: lib.gcounter)
def setg():
    lib.gcounter = 42
    return lib.gcounter
show("gcounter_set", setg)
show("arr", lambda: list(lib.arr))
show("gpt", lambda: (lib.gpt.x, lib.gpt.y))
show("sum", lambda: lib.sum(3, ffi.cast("int", 1), ffi.cast("int", 2), ffi.cast("int", 3)))
show("sum_type", lambda: ffi.typeof(lib.sum))
show("cb_unattached", lambda: lib.call_cb(1))
@ffi.def_extern()
def cb(x):
    return x * 10
got = []
@ffi.def_extern(name="cb_pt")
def _cb_pt(p, ld):
    got.append((p.x, p.y, float(ld)))
show("call_cb", lambda: lib.call_cb(4))
show("call_cb_pt", lambda: (lib.call_cb_pt(3), got))
show("apply_extern", lambda: lib.apply(lib.cb, 5))
show("apply_callback", lambda: lib.apply(ffi.callback("int(int)", lambda x: x + 100), 5))
show("apply_lib_func", lambda: lib.apply(lib.noargs, 5))
show("def_extern_bad", lambda: ffi.def_extern("nope")(lambda: 0))
show("errno", lambda: (lib.set_errno(33), ffi.errno))
show("missing", lambda: lib.nope)
show("write_func", lambda: setattr(lib, "add", 1))
show("dir", lambda: sorted(dir(lib))[:6])
show("all", lambda: sorted(lib.__all__)[:6])
show("libname", lambda: (lib.__name__, repr(lib)))
show("typeof", lambda: [str(ffi.typeof(t)) for t in ("anon_t", "opaque_t *", "enum color",
                        "size_e", "struct pt *", "union num")])
show("new_anon", lambda: ffi.new("anon_t *", [3]).a)
show("typeof_func", lambda: ffi.typeof(lib.add))
show("addressof_func", lambda: ffi.addressof(lib, "add")(2, 2))
show("addressof_var", lambda: ffi.addressof(lib, "gcounter")[0])
show("addressof_const", lambda: ffi.addressof(lib, "FOO"))
show("lib_dict", lambda: sorted(k for k in lib.__dict__ if not k.startswith("_"))[:5])
def from_lib():
    from _rc_api.lib import add, FOO
    return add(FOO, 1)
show("from_lib_import", from_lib)
show("del_attr", lambda: delattr(lib, "gcounter"))
show("cast_enum", lambda: repr(ffi.cast("enum color", 5)))

from _rc_inc import ffi as iffi, lib as ilib
show("inc_pt_x", lambda: ilib.pt_x(iffi.new("struct pt *", {"x": 8})))
show("inc_pt_x_from_api", lambda: ilib.pt_x(ffi.new("struct pt *", {"x": 9})))
show("inc_pick", lambda: (ilib.pick(0), ilib.pick(1)))
show("inc_forwarded", lambda: (ilib.FOO, ilib.add(1, 1)))

from _rc_wide import lib as wlib
show("wide", lambda: (wlib.c16_next("a"), wlib.c32_next("\U0001F600"), wlib.w_next("z")))
show("wide_bad", lambda: wlib.c16_next("\U0001F600"))

from _rc_abi import ffi as affi
alib = affi.dlopen("libc.so.6")
mlib = affi.dlopen("libm.so.6")
show("abi_div", lambda: (lambda d: (d.quot, d.rem))(alib.div(17, 5)))
show("abi_cos", lambda: round(mlib.cos(0.0), 6))
show("abi_abs", lambda: alib.abs(-9))
show("abi_strlen", lambda: alib.strlen(b"hello"))
def sprintf():
    buf = affi.new("char[64]")
    n = alib.sprintf(buf, b"%d-%s", affi.cast("int", 42), b"x")
    return n, affi.string(buf)
show("abi_sprintf", sprintf)
show("abi_consts", lambda: (alib.ANSWER, alib.NEGC, alib.M_A, alib.M_B, alib.M_C))
show("abi_struct", lambda: (affi.sizeof("struct tm_like"), affi.offsetof("struct tm_like", "c")))
show("abi_typeof", lambda: [str(affi.typeof(t)) for t in ("div_t", "enum mode", "cmp_t")])
def qsort():
    a = affi.new("int[]", [5, 1, 4, 2])
    @affi.callback("cmp_t")
    def cmp(x, y):
        return affi.cast("int *", x)[0] - affi.cast("int *", y)[0]
    alib.qsort(a, 4, affi.sizeof("int"), cmp)
    return list(a)
show("abi_qsort", qsort)
show("abi_global", lambda: (affi.typeof(alib.environ), alib.environ[0] != affi.NULL))
show("abi_global_addr", lambda: affi.addressof(alib, "environ")[0] == alib.environ)
show("abi_global_missing", lambda: alib.errno_like_missing_symbol)

from _rc_abi2 import ffi as a2ffi
a2lib = a2ffi.dlopen("libc.so.6")
show("abi2_labs", lambda: a2lib.labs(-5))
show("abi2_shared", lambda: (a2ffi.typeof("div_t") is affi.typeof("div_t"),
                             a2ffi.typeof("struct tm_like") is affi.typeof("struct tm_like")))
show("abi2_types", lambda: [str(a2ffi.typeof(t)) for t in ("div_t *", "enum mode",
                                                           "struct tm_like")])
show("abi2_consts", lambda: (a2lib.ANSWER, a2lib.M_C))
show("abi2_new", lambda: a2ffi.new("div_t *", [7, 8]).rem)
print("\n".join(out))
'''


# results where CFFI 1.15 and CFFI 2 differ: ccffi gives CFFI 2's
ACCEPTED_VS_1_15 = {
    "apply_lib_func": "lib.f of another function type: CFFI 2's 'must be a "
                      "pointer to same type' (1.15: 'must be a cdata pointer')",
}


def _debian_env():
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def _debian_cffi_missing():
    if not os.path.exists(DEBIAN_PYTHON):
        return "no %s" % DEBIAN_PYTHON
    r = subprocess.run([DEBIAN_PYTHON, "-I", "-c",
                        "import cffi, _cffi_backend; print(cffi.__file__)"],
                       capture_output=True, text=True, env=_debian_env())
    if r.returncode != 0 or not r.stdout.startswith("/usr/lib/python3/"):
        return "python3-cffi (Debian's real CFFI) is not installed"
    return None


def _cffi2_python():
    """An interpreter of our Python version with the real CFFI 2.x (pyenv's)."""
    version = "%d.%d" % sys.version_info[:2]
    for py in sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/%s*/bin/python"
                                                  % version))):
        r = subprocess.run([py, "-I", "-c", "import cffi, _cffi_backend; "
                            "assert cffi.__version__.startswith('2.'); "
                            "assert not hasattr(_cffi_backend, '__ccffi__')"],
                           capture_output=True, env=_debian_env())
        if r.returncode == 0:
            return py
    return None


def _build(tmp_path_factory, python, major):
    d = tmp_path_factory.mktemp("realcffi%s" % major)
    (d / "build.py").write_text(BUILD)
    r = subprocess.run([python, "-I", "build.py", major], cwd=str(d),
                       capture_output=True, text=True, env=_debian_env())
    assert r.returncode == 0, r.stdout + r.stderr
    (d / "probe.py").write_text(PROBE)
    return d


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The modules built by Debian's CFFI 1.15, importable here."""
    why = _debian_cffi_missing()
    if why:
        pytest.skip(why)
    debian = subprocess.run([DEBIAN_PYTHON, "-c", "import sys; "
                             "print('%d.%d' % sys.version_info[:2])"],
                            capture_output=True, text=True).stdout.strip()
    here = "%d.%d" % sys.version_info[:2]
    if debian != here:
        pytest.skip("modules built by Debian's CFFI are for Python %s "
                    "(%s), not this Python %s" % (debian, DEBIAN_PYTHON, here))
    d = _build(tmp_path_factory, DEBIAN_PYTHON, "1")
    if str(d) not in sys.path:
        sys.path.insert(0, str(d))
    return d


@pytest.fixture(scope="module", params=["cffi-1.15", "cffi-2"])
def built_by(request, tmp_path_factory):
    """(real CFFI's interpreter, the modules it built), for both majors."""
    if request.param == "cffi-1.15":
        return DEBIAN_PYTHON, request.getfixturevalue("built")
    python = _cffi2_python()
    if python is None:
        pytest.skip("no Python %d.%d with the real CFFI 2 (pyenv)" % sys.version_info[:2])
    return python, _build(tmp_path_factory, python, "2")


def _probe(python, d, env):
    r = subprocess.run([python, "-I" if env is None else "-B", str(d / "probe.py"), str(d)],
                       capture_output=True, text=True,
                       env=_debian_env() if env is None else env)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.splitlines(), r.stderr


def _our_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.environ["CCFFI_PYTHON_TREE"]
    return env


def test_same_results_as_under_real_cffi(built_by):
    python, d = built_by
    real, real_err = _probe(python, d, None)
    ours, our_err = _probe(python, d, _our_env())
    assert len(real) == len(ours)
    accepted = ACCEPTED_VS_1_15 if python == DEBIAN_PYTHON else {}
    diffs = ["real: %s\nours: %s" % (a, b) for a, b in zip(real, ours)
             if a != b and a.split(" = ")[0] not in accepted]
    assert not diffs, "\n".join(diffs)
    # the unattached extern "Python" call prints CFFI's warning
    assert "no code was attached to it yet with @ffi.def_extern()" in our_err


def test_api_module_under_ccffi(built):
    import _cffi_backend
    assert hasattr(_cffi_backend, "__ccffi__")
    from _rc_api import ffi, lib
    assert type(ffi).__module__ in ("_cffi_backend", "cffi.api") or \
        type(ffi).__name__ == "FFI"
    assert lib.add(20, 22) == 42
    assert lib.mkpt(1, 2.0).y == 2.0
    p = ffi.new("struct pt *", {"x": 3, "y": 0.5})
    assert lib.norm(p) == 3.5
    assert ffi.sizeof("struct pt") == 24      # the compiler's layout (a hidden pad)
    assert (lib.FOO, lib.BIG, lib.NEG) == (42, 123456789012, -7)
    assert ffi.typeof(lib.opaque_new(1)).cname == "struct opaque_s *"
    with pytest.raises(AttributeError, match="has no function, constant or global"):
        lib.does_not_exist
    assert sys.modules["_rc_api.lib"] is lib
    # lib.f where C expects a function pointer: the module's direct function
    assert lib.apply(lib.call_cb, 0) == 1    # cb() unattached here: 0, plus 1
    assert ffi.addressof(lib, "add")(5, 6) == 11


def test_char_pointer_accepts_other_byte_pointers(built):
    """CFFI accepts a char[] (ffi.from_buffer) for an 'unsigned char *' and
    back; cryptography relies on it."""
    from _rc_api import ffi, lib
    import cffi
    f = cffi.FFI()
    f.cdef("int memcmp(const void *, const void *, size_t);"
           "size_t strlen(const char *);")
    libc = f.dlopen(None)
    buf = f.from_buffer(bytearray(b"abc\0"))
    assert libc.strlen(f.cast("unsigned char *", buf)) == 3
    u = f.new("unsigned char[]", b"xyz\0")
    assert libc.strlen(u) == 3
    with pytest.raises(TypeError, match="implicit cast from 'int \\*'|pointer"):
        libc.strlen(f.new("int[2]"))


# ------------------------------------------------------------ refused


class _Ctx(ctypes.Structure):
    _fields_ = [("types", ctypes.c_void_p), ("globals", ctypes.c_void_p),
                ("fields", ctypes.c_void_p), ("struct_unions", ctypes.c_void_p),
                ("enums", ctypes.c_void_p), ("typenames", ctypes.c_void_p),
                ("num_globals", ctypes.c_int), ("num_struct_unions", ctypes.c_int),
                ("num_enums", ctypes.c_int), ("num_typenames", ctypes.c_int),
                ("includes", ctypes.c_void_p), ("num_types", ctypes.c_int),
                ("flags", ctypes.c_int)]


class _Global(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("address", ctypes.c_void_p),
                ("type_op", ctypes.c_void_p), ("size_or_direct_fn", ctypes.c_void_p)]


# A CFFI module's type context is static data of a .so that is never
# unloaded, and the runtime keeps what it loaded from a context for the life
# of the process, keyed by its address.  The contexts these tests build with
# ctypes must live as long: a freed one could be reallocated at the address
# of another test's context and be taken for it.
_CONTEXTS_KEPT_FOREVER = []


def _init(name, version, ctx, nexports=28):
    import _cffi_backend
    _CONTEXTS_KEPT_FOREVER.append(ctx)
    exports = (ctypes.c_void_p * nexports)()
    cname = ctypes.c_char_p(name.encode())
    raw = (ctypes.c_void_p * 4)(ctypes.cast(cname, ctypes.c_void_p), version,
                                ctypes.addressof(exports), ctypes.addressof(ctx))
    keep = (cname, raw)
    m = _cffi_backend._init_cffi_1_0_external_module(ctypes.addressof(raw))
    del keep
    return m, [e is not None for e in exports]


@pytest.mark.parametrize("version", [0x2600, 0x2900, 0x1234])
def test_unknown_version_refused(version):
    ctx = _Ctx()
    with pytest.raises(ImportError, match="cffi extension module '_rc_bad' uses an "
                       "unknown version tag 0x%x. This module might need a more "
                       "recent version of cffi" % version):
        _init("_rc_bad", version, ctx)


def test_missing_context_refused():
    import _cffi_backend
    cname = ctypes.c_char_p(b"_rc_null")
    raw = (ctypes.c_void_p * 4)(ctypes.cast(cname, ctypes.c_void_p), 0x2601, None, None)
    with pytest.raises(ImportError, match="passed no name, exports or type context"):
        _cffi_backend._init_cffi_1_0_external_module(ctypes.addressof(raw))


@pytest.mark.parametrize("version,flags,filled", [
    (0x2601, 0, 25), (0x2601, 1, 26), (0x2701, 0, 25), (0x2801, 0, 28), (0x28FF, 1, 28)])
def test_exports_filled_as_far_as_the_version_has_room(version, flags, filled):
    ctx = _Ctx(flags=flags)
    m, present = _init("_rc_empty_%x_%d" % (version, flags), version, ctx)
    assert dir(m.lib) == []
    assert present[1:filled] == [True] * (filled - 1)
    assert present[filled:] == [False] * (28 - filled)


def _bad_api_ctx(types, globals_):
    t = (ctypes.c_void_p * max(len(types), 1))(*types)
    g = (_Global * max(len(globals_), 1))(*globals_)
    ctx = _Ctx(types=ctypes.addressof(t), globals=ctypes.addressof(g),
               num_types=len(types), num_globals=len(globals_))
    ctx._keep = (t, g)
    return ctx


def _op(op, arg):
    return (op | (arg << 8)) & (2**64 - 1)


@pytest.mark.parametrize("types,op,arg,message", [
    ([_op(3, 7)], 33, 0, "type index out of range"),           # pointer to types[7]
    ([_op(3, 0)], 33, 0, "type refers to itself"),             # pointer to itself
    ([_op(9, 0)], 33, 0, "struct/union index out of range"),
    ([_op(1, 99)], 33, 0, "unknown primitive"),
    ([_op(13, 1), _op(1, 7)], 23, 0, "function type without FUNCTION_END"),
    ([_op(1, 7)], 23, 0, "function global of a non-function type"),
    ([_op(1, 7)], 77, 0, "global opcode"),
    ([_op(15, 0)], 33, 0, "not a type opcode"),
])
def test_bad_type_context_refused(types, op, arg, message):
    glob = _Global(b"g", None, _op(op, arg), None)
    ctx = _bad_api_ctx(types, [glob])
    with pytest.raises(ImportError, match="invalid type context: .*" + message):
        _init("_rc_badctx", 0x2601, ctx)


def test_capsule_c_api():
    import _cffi_backend
    api = _cffi_backend._C_API
    assert type(api).__name__ == "PyCapsule"
    assert "cffi" in repr(api)


# --------------------------------------------------- out-of-line ABI form


def test_abi_form_version_refused():
    import _cffi_backend
    with pytest.raises(ImportError, match="cffi out-of-line Python module 'x' has "
                       "unknown version 0x2500"):
        _cffi_backend.FFI("x", _version=0x2500, _types=b"")


@pytest.mark.parametrize("kwargs,message", [
    (dict(_types=b"\x00\x00\x07\x03", _globals=(b"\x00\x00\x00\x21v", 0)),
     "type index out of range"),
    (dict(_types=b"\x00\x00\x00\x09", _globals=(b"\x00\x00\x00\x21v", 0)),
     "struct/union index out of range"),
    (dict(_types=b"", _globals=(b"\x00\x00", 0)), "bad item in _globals"),
    (dict(_types=b"", _enums=(b"\x00\x00\x00\x00\x00\x00\x00\x07e\x00A",)),
     "enumerator without its global"),
    (dict(_types=b"\x00\x00\x00\x0b", _enums=(b"\x00\x00\x00\x00\x00\x00\x00\x0ee",)),
     "enum of a non-integer type"),
    (dict(_types=b"\x00\x00\x00\x09",
          _struct_unions=((b"\x00\x00\x00\x00\x00\x00\x00\x00s", b"\x00\x00\x05\x11"),),),
     "type index out of range"),
])
def test_abi_form_bad_context_refused(kwargs, message):
    import _cffi_backend
    with pytest.raises(ImportError, match="out-of-line Python module.*" + message):
        _cffi_backend.FFI("bad", _version=0x2601, **kwargs)


def test_abi_form_builds_types():
    import _cffi_backend
    # int *, struct s { int a; double b; }, typedef struct s s_t, #define K 7
    ffi = _cffi_backend.FFI(
        "ok", _version=0x2601,
        _types=b"\x00\x00\x01\x03\x00\x00\x07\x01\x00\x00\x00\x09\x00\x00\x0e\x01",
        _globals=(b"\xff\xff\xff\x1fK", 7,),
        _struct_unions=((b"\x00\x00\x00\x02\x00\x00\x00\x00s",
                         b"\x00\x00\x01\x11a", b"\x00\x00\x03\x11b"),),
        _typenames=(b"\x00\x00\x00\x02s_t",))
    assert ffi.sizeof("struct s") == 16
    assert ffi.offsetof("s_t", "b") == 8
    assert str(ffi.typeof("s_t")) == "<ctype 'struct s'>"
    p = ffi.new("s_t *", [1, 2.5])
    assert (p.a, p.b) == (1, 2.5)
    lib = ffi.dlopen(None)
    assert lib.K == 7


# ------------------------------------------------ Debian's CFFI binaries

DEBIAN_CHECKS = {
    "cryptography": textwrap.dedent(r'''
        import _cffi_backend
        assert hasattr(_cffi_backend, "__ccffi__"), _cffi_backend.__file__
        from cryptography.hazmat.bindings.openssl import binding
        binding.Binding()
        from cryptography.hazmat.primitives import hashes
        h = hashes.Hash(hashes.SHA256()); h.update(b"abc")
        assert h.finalize().hex() == ("ba7816bf8f01cfea414140de5dae2223"
                                      "b00361a396177a9cb410ff61f20015ad")
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        key, iv = bytes(range(32)), bytes(16)
        enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        ct = enc.update(b"0123456789abcdef" * 2) + enc.finalize()
        dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        assert dec.update(ct) + dec.finalize() == b"0123456789abcdef" * 2
        from cryptography import x509
        from cryptography.hazmat.primitives.asymmetric import ec
        cert = x509.load_pem_x509_certificate(PEM)
        assert cert.subject.rfc4514_string() == "O=ccffi,CN=ccffi.test"
        pub = cert.public_key()
        pub.verify(cert.signature, cert.tbs_certificate_bytes,
                   ec.ECDSA(cert.signature_hash_algorithm))
        print("ok")
        '''),
    "nacl": textwrap.dedent(r'''
        import _cffi_backend
        assert hasattr(_cffi_backend, "__ccffi__"), _cffi_backend.__file__
        import nacl.public
        a, b = nacl.public.PrivateKey.generate(), nacl.public.PrivateKey.generate()
        sealed = nacl.public.Box(a, b.public_key).encrypt(b"attack at dawn")
        assert nacl.public.Box(b, a.public_key).decrypt(sealed) == b"attack at dawn"
        print("ok")
        '''),
    "argon2": textwrap.dedent(r'''
        import _cffi_backend
        assert hasattr(_cffi_backend, "__ccffi__"), _cffi_backend.__file__
        import argon2
        ph = argon2.PasswordHasher(time_cost=1, memory_cost=1024)
        h = ph.hash("correct horse")
        assert ph.verify(h, "correct horse")
        try:
            ph.verify(h, "wrong")
        except argon2.exceptions.VerifyMismatchError:
            pass
        else:
            raise AssertionError("a wrong password verified")
        print("ok")
        '''),
}

PEM = b"""-----BEGIN CERTIFICATE-----
MIIBojCCAUegAwIBAgIUPjMOtgKLhOgghHhLAOCN+e3tlyYwCgYIKoZIzj0EAwIw
JTETMBEGA1UEAwwKY2NmZmkudGVzdDEOMAwGA1UECgwFY2NmZmkwIBcNMjYxMjA1
MDgxODM0WhgPMjEyNjExMTEwODE4MzRaMCUxEzARBgNVBAMMCmNjZmZpLnRlc3Qx
DjAMBgNVBAoMBWNjZmZpMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZVsdLog4
ZdkQKhD64GNYKs5PA+43zppYrbthMPGCw2AXbKLKEmB5G3b0b/x83bFCHf1rL5Fz
h0zdTgY2R8CAvqNTMFEwHQYDVR0OBBYEFMQUJ4MPfBPW1ft12x9JtuQFEWwcMB8G
A1UdIwQYMBaAFMQUJ4MPfBPW1ft12x9JtuQFEWwcMA8GA1UdEwEB/wQFMAMBAf8w
CgYIKoZIzj0EAwIDSQAwRgIhAKKC2IWYU1jOzyffRWdyxfRoBpSzZUkGl1gErI8s
N6H/AiEAxZYk0/DAHMMdaAmT9psPd5z1sI0qu7p+NGdSDbXNvD4=
-----END CERTIFICATE-----
"""

PACKAGES = {"cryptography": "python3-cryptography", "nacl": "python3-nacl",
            "argon2": "python3-argon2"}


@pytest.mark.parametrize("module", sorted(DEBIAN_CHECKS))
def test_debian_cffi_binaries(module):
    if sys.executable != DEBIAN_PYTHON and os.path.realpath(sys.executable) != \
            os.path.realpath(DEBIAN_PYTHON):
        pytest.skip("Debian's packages are built for %s" % DEBIAN_PYTHON)
    r = subprocess.run([sys.executable, "-c", "import %s" % module],
                       capture_output=True, env=_debian_env())
    if r.returncode != 0:
        pytest.skip("%s is not installed (tools/deps.sh installs it)" % PACKAGES[module])
    code = "PEM = %r\n" % PEM + DEBIAN_CHECKS[module]
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=_our_env())
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stdout + r.stderr
