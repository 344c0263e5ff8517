"""Benchmark of the object layer: ffi.new, field access, indexing, ffi.cast,
against the real CFFI and ctypes, each contender in its own process.

    python bench_objects.py --ccffi-tree DIR [--python INTERP] [--rounds N]

All contenders run under the same interpreter (default: the one running
this script); --real-cffi names a directory put first on sys.path for the
cffi contender (make bench-objects passes links to pyenv's CFFI 2.0, which
loads in Debian's 3.11 too).  Each
row is the best per-operation time over several rounds; the rounds of the
contenders alternate so that a noisy machine hurts them alike.
"""
import argparse
import json
import subprocess
import sys

SETUP = {
    "ffi": """
import cffi
ffi = cffi.FFI()
ffi.cdef("struct pt { int x; double y; char *name; };")
p = ffi.new("struct pt *")
a = ffi.new("int[100]")
ip = ffi.cast("int *", a)
""",
    "ctypes": """
import ctypes
class pt(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_double), ("name", ctypes.c_char_p)]
p = pt()
a = (ctypes.c_int * 100)()
""",
}

# name -> (ffi statement, ctypes statement or None)
ROWS = [
    ("new int *", 'ffi.new("int *")', "ctypes.c_int()"),
    ("new int * = 5", 'ffi.new("int *", 5)', "ctypes.c_int(5)"),
    ("new struct *", 'ffi.new("struct pt *")', "pt()"),
    ("new struct *, list init", 'ffi.new("struct pt *", [1, 2.0])', "pt(1, 2.0)"),
    ("new int[100]", 'ffi.new("int[100]")', "(ctypes.c_int * 100)()"),
    ("field read (int)", "p.x", "p.x"),
    ("field write (int)", "p.x = 5", "p.x = 5"),
    ("field read (double)", "p.y", "p.y"),
    ("field write (double)", "p.y = 1.5", "p.y = 1.5"),
    ("array item read", "a[5]", "a[5]"),
    ("array item write", "a[5] = 7", "a[5] = 7"),
    ("pointer item read", "ip[5]", None),
    ("cast to int", 'ffi.cast("int", 5)', "ctypes.c_int(5)"),
    ("cast to void *", 'ffi.cast("void *", 0)', "ctypes.c_void_p(0)"),
    ("cast cdata to int *", 'ffi.cast("int *", p)', None),
    ("typeof(str)", 'ffi.typeof("struct pt *")', None),
    ("sizeof(str)", 'ffi.sizeof("struct pt")', "ctypes.sizeof(pt)"),
]

CHILD = r"""
import json, sys, timeit
tree = sys.argv[1]
kind = sys.argv[2]
if tree:
    sys.path.insert(0, tree)
setup = json.loads(sys.argv[3])
stmts = json.loads(sys.argv[4])
g = {}
exec(setup, g)
if kind == "ccffi":
    import _cffi_backend
    assert hasattr(_cffi_backend, "__ccffi__"), _cffi_backend.__file__
elif kind == "cffi":
    import _cffi_backend
    assert not hasattr(_cffi_backend, "__ccffi__")
out = []
for s in stmts:
    if s is None:
        out.append(None)
        continue
    n = 100000
    t = min(timeit.repeat(s, globals=g, number=n, repeat=3)) / n
    out.append(t)
print(json.dumps(out))
"""


def run(python, tree, kind):
    setup = SETUP["ctypes" if kind == "ctypes" else "ffi"]
    stmts = [r[2] if kind == "ctypes" else r[1] for r in ROWS]
    r = subprocess.run([python, "-c", CHILD, tree or "", kind, json.dumps(setup),
                        json.dumps(stmts)], stdout=subprocess.PIPE, check=True)
    return json.loads(r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ccffi-tree", required=True)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--real-cffi", default=None,
                    help="directory put first for the cffi contender (links "
                         "to the real CFFI 2.0, see run_bench.py)")
    args = ap.parse_args()
    trees = {"ccffi": args.ccffi_tree, "cffi": args.real_cffi, "ctypes": None}
    best = {"ccffi": None, "cffi": None, "ctypes": None}
    for _ in range(args.rounds):
        for kind in best:
            try:
                times = run(args.python, trees[kind], kind)
            except subprocess.CalledProcessError:
                continue
            if best[kind] is None:
                best[kind] = times
            else:
                best[kind] = [min(x, y) if x is not None else None
                              for x, y in zip(best[kind], times)]
    fmt = "%-26s %10s %10s %10s %12s"
    print(fmt % ("operation (ns)", "ccffi", "cffi", "ctypes", "cffi/ccffi"))

    def ns(v):
        return "-" if v is None else "%.1f" % (v * 1e9)
    for i, row in enumerate(ROWS):
        c = best["ccffi"][i] if best["ccffi"] else None
        r = best["cffi"][i] if best["cffi"] else None
        t = best["ctypes"][i] if best["ctypes"] else None
        ratio = "%.2fx" % (r / c) if c and r else "-"
        print(fmt % (row[0], ns(c), ns(r), ns(t), ratio))


if __name__ == "__main__":
    main()
