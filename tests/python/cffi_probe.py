"""A probe of CFFI's observable behaviour, run both with the real CFFI and
with ccffi by test_vs_real_cffi.py, which compares the two outputs.

    python cffi_probe.py [TREE]    (TREE first on sys.path when given)

It prints one JSON list of [case, result] pairs: the repr of each result,
or "ExceptionType: message", with addresses masked.  The cases cover every
primitive type against edge values (new, cast, int, float, bool, ==),
initializers of arrays, structs, unions and bitfields, the operations on
every kind of cdata, and the names and layouts of cdef'd types.
"""
import json
import re
import sys

if len(sys.argv) > 1:
    sys.path.insert(0, sys.argv[1])

import cffi  # noqa: E402

OUT = []


def record(case, fn):
    try:
        x = fn()
        text = "nan" if isinstance(x, float) and x != x else repr(x)
    except Exception as e:          # the exception is the observed behaviour
        text = "%s: %s" % (type(e).__name__, e)
    text = re.sub(r"0x[0-9a-f]+", "ADDR", text)
    text = re.sub(r"object at ADDR", "object", text)
    OUT.append([case, text])


def probe_primitives():
    ffi = cffi.FFI()
    ffi.cdef("enum e { A=-1, B=5 }; enum u { X=1, Y=300 };")
    types = ["char", "signed char", "unsigned char", "short", "unsigned short", "int",
             "unsigned int", "long", "unsigned long", "long long", "unsigned long long",
             "float", "double", "_Bool", "wchar_t", "char16_t", "char32_t", "int8_t",
             "uint64_t", "size_t", "ssize_t", "enum e", "enum u", "void *", "int *",
             "long double"]
    values = [0, 1, -1, 127, 128, 255, 256, -128, -129, 65535, 65536, -32768,
              2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32 - 1, 2**32, 2**63 - 1, 2**63,
              -2**63, -2**63 - 1, 2**64 - 1, 2**64, 1.5, -1.5, 0.0, 1e300, -1e300,
              float("inf"), float("nan"), 3.99, -3.99, b"a", b"\xff", b"", b"ab",
              "a", "\u1234", "", "ab", None, True, False, 1j, [1], (1,)]
    for t in types:
        for v in values:
            case = "%s|%r|" % (t, v)
            record(case + "new", lambda: ffi.new(t + " *", v)[0])
            record(case + "cast", lambda: ffi.cast(t, v))
            record(case + "int", lambda: int(ffi.cast(t, v)))
            record(case + "float", lambda: float(ffi.cast(t, v)))
            record(case + "bool", lambda: bool(ffi.cast(t, v)))
            record(case + "eq", lambda: ffi.cast(t, v) == v)


def probe_initializers():
    ffi = cffi.FFI()
    ffi.cdef("struct st { int x; char y; double z; }; union u { int i; char c[4]; };"
             "struct n { struct st s; int a[2]; char *p; }; struct bf { int a:3; unsigned b:4; };")
    types = ["int[3]", "int[]", "char[4]", "char[]", "struct st *", "union u *",
             "struct n *", "struct bf *", "int *", "char *", "int **", "struct st[2]",
             "double[2]", "_Bool[2]", "void *"]
    inits = [None, 0, 3, -1, [1], [1, 2], [1, 2, 3, 4], (5,), b"ab", b"abcdef", "ab",
             {"x": 1}, {"y": b"c"}, {"zz": 1}, [[1], [2]], {"s": {"x": 7}, "a": [1, 2]},
             [1, b"c", 2.5], 1.5, ffi.NULL, [ffi.NULL], [b"a", b"b"], [True, False]]

    def read(p):
        if ffi.typeof(p).kind == "array":
            return [repr(x) for x in p]
        item = ffi.typeof(p).item
        if item.kind in ("struct", "union"):
            return [(n, repr(getattr(p, n))) for n, _ in item.fields]
        return repr(p[0])
    for t in types:
        for v in inits:
            case = "%s|%r|" % (t, v)
            record(case + "new", lambda: ffi.new(t, v))
            record(case + "read", lambda: read(ffi.new(t, v)))


def probe_operations():
    ffi = cffi.FFI()
    ffi.cdef("struct st { int x; char y; double z; }; union u { int i; char c[4]; };"
             "enum e { A, B = 5 }; struct fl { int n; short d[]; };")
    keep1 = ffi.new("char[64]")
    keep2 = ffi.new("int[4]")
    makers = {
        "int*": lambda: ffi.new("int *", 7), "int[3]": lambda: ffi.new("int[3]", [1, 2, 3]),
        "int[]": lambda: ffi.new("int[]", 2), "char[]": lambda: ffi.new("char[]", b"hi"),
        "wchar[]": lambda: ffi.new("wchar_t[]", "hi"),
        "char16[]": lambda: ffi.new("char16_t[]", "hi"),
        "st*": lambda: ffi.new("struct st *", [1, b"a", 2.0]),
        "st": lambda: ffi.new("struct st *")[0], "st[2]": lambda: ffi.new("struct st[2]"),
        "u*": lambda: ffi.new("union u *"), "fl*": lambda: ffi.new("struct fl *", [2, [1, 2]]),
        "castint": lambda: ffi.cast("int", -3), "castchar": lambda: ffi.cast("char", 65),
        "castdbl": lambda: ffi.cast("double", 2.5),
        "castld": lambda: ffi.cast("long double", 2.5),
        "castenum": lambda: ffi.cast("enum e", 5), "castbool": lambda: ffi.cast("_Bool", 1),
        "null": lambda: ffi.NULL, "vp": lambda: ffi.cast("void *", keep1),
        "cp": lambda: ffi.cast("char *", 0), "fp": lambda: ffi.cast("int(*)(int)", 0),
        "slice": lambda: ffi.new("int[4]", [1, 2, 3, 4])[1:3],
        "fb": lambda: ffi.from_buffer(b"xyz"),
        "fbint": lambda: ffi.from_buffer("int[]", bytearray(8)),
        "handle": lambda: ffi.new_handle(None), "gc": lambda: ffi.gc(keep2, lambda x: None),
    }
    ops = {
        "repr": lambda o: repr(o) if "handle" not in repr(o) else "handle",
        "typeof": lambda o: ffi.typeof(o).cname, "sizeof": lambda o: ffi.sizeof(o),
        "len": len, "bool": bool, "int": int, "float": float,
        "string": lambda o: ffi.string(o), "string1": lambda o: ffi.string(o, 1),
        "buffer": lambda o: len(ffi.buffer(o)), "item0": lambda o: o[0],
        "item1": lambda o: o[1], "attr_x": lambda o: o.x, "plus1": lambda o: o + 1,
        "minus_self": lambda o: o - o, "eq_self": lambda o: o == o,
        "lt_self": lambda o: o < o, "list": list,
        "addressof": lambda o: ffi.typeof(ffi.addressof(o)).cname,
        "release": lambda o: ffi.release(o), "hash_eq": lambda o: hash(o) == hash(o),
    }
    for oname, make in makers.items():
        for opname, op in ops.items():
            record("%s|%s" % (oname, opname), lambda: op(make()))


def probe_cdef_names():
    ffi = cffi.FFI()
    ffi.cdef("""
        typedef struct { int a; } anon_t, *anon_p;
        typedef union { int x; float y; } uanon_t;
        typedef enum { RED, GREEN = 3 } color_t;
        enum named { N1 = -1, N2 };
        typedef int (*cb_t)(int, void *);
        typedef int arr3_t[3];
        typedef arr3_t *parr_t;
        struct outer { struct { int in1; } inner_anon; union { int u1; } u; color_t c;
                       cb_t f; arr3_t a; anon_t s; struct outer *next; };
        typedef struct outer outer_t;
        typedef const char *cstr;
        struct fwd;
        typedef struct fwd fwd_t;
    """)
    names = ["anon_t", "anon_p", "uanon_t", "color_t", "enum named", "cb_t", "arr3_t",
             "parr_t", "struct outer", "outer_t", "cstr", "fwd_t", "struct fwd", "fwd_t *",
             "anon_t[2]", "cb_t[2]", "color_t *", "enum named[]", "int(*)(cb_t)",
             "long int", "short unsigned", "unsigned", "long double", "char const * const",
             "void(*)(int(*)(int))"]
    for n in names:
        record(n + "|typeof", lambda: ffi.typeof(n))
        record(n + "|kind", lambda: ffi.typeof(n).kind)
        record(n + "|fields", lambda: [(k, f.type, f.offset, f.bitshift, f.bitsize)
                                       for k, f in ffi.typeof(n).fields])
        record(n + "|item", lambda: ffi.typeof(n).item)
        record(n + "|args", lambda: ffi.typeof(n).args)
        record(n + "|elements", lambda: sorted(ffi.typeof(n).elements.items()))
    record("list_types", ffi.list_types)
    o = ffi.new("outer_t *")
    record("outer fields", lambda: (o.inner_anon, o.u, o.c, o.f, o.a, o.s, o.next))


if __name__ == "__main__":
    probe_primitives()
    probe_initializers()
    probe_operations()
    probe_cdef_names()
    json.dump(OUT, sys.stdout)
