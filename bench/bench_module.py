"""The large compiled module: compile(), import and first call, for the cffi
importable here (ccffi's or the real CFFI, chosen by PYTHONPATH).

    python bench_module.py --workdir DIR [--rounds N] [--json]

The module has 5,000 functions, 500 structs and 2,000 integer constants
(set_source() of a generated source that defines them all).  compile() is
timed once, in CPU time (this process and the compiler); then each round is a new interpreter that imports
_cffi_backend, times `import` of the module (table loading, lazy
realization: nothing should be made before it is named), then times the
first call of one function (its lookup, realization and call).  Prints the
best and worst of the rounds, in nanoseconds; with --json one JSON object
{row: [best, worst]} for run_bench.py.
"""
import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import time

FUNCTIONS = 5000
STRUCTS = 500
CONSTANTS = 2000
NAME = "_bench_large"


def cdef_text():
    out = ["int bm_f%d(int);" % i for i in range(FUNCTIONS)]
    out += ["struct bm_s%d { int a; double b; char c[%d]; };" % (i, i % 13 + 1)
            for i in range(STRUCTS)]
    out += ["#define BM_C%d %d" % (i, i * 7) for i in range(CONSTANTS)]
    return "\n".join(out)


def source_text():
    out = ["int bm_f%d(int x) { return x + %d; }" % (i, i)
           for i in range(FUNCTIONS)]
    out += ["struct bm_s%d { int a; double b; char c[%d]; };" % (i, i % 13 + 1)
            for i in range(STRUCTS)]
    out += ["#define BM_C%d %d" % (i, i * 7) for i in range(CONSTANTS)]
    return "\n".join(out)


def compile_module(workdir):
    """Builds the module in workdir (emptied first); nanoseconds taken."""
    import cffi
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    builder = cffi.FFI()
    builder.cdef(cdef_text())
    builder.set_source(NAME, source_text())
    t = cpu_seconds()
    with contextlib.redirect_stdout(io.StringIO()):
        builder.compile(tmpdir=workdir)
    return (cpu_seconds() - t) * 1e9


def cpu_seconds():
    """User + system time of this process and of its finished children
    (the compiler): on a shared machine, wall time mostly measures the
    others."""
    import resource
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


CHILD = """
import sys, time
import _cffi_backend
t0 = time.perf_counter()
import %s as m
t1 = time.perf_counter()
r = m.lib.bm_f2500(1)
t2 = time.perf_counter()
assert r == 2501 and m.lib.BM_C1999 == 1999 * 7
assert m.ffi.sizeof("struct bm_s499") > 0
print((t1 - t0) * 1e9, (t2 - t1) * 1e9)
""" % NAME


def time_import(workdir):
    """(import ns, first call ns) in a new interpreter."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [workdir] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    out = subprocess.run([sys.executable, "-c", CHILD], env=env,
                         stdout=subprocess.PIPE, check=True, cwd=workdir)
    a, b = out.stdout.decode().split()
    return float(a), float(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    workdir = os.path.abspath(args.workdir)
    compile_ns = compile_module(workdir)
    runs = [time_import(workdir) for _ in range(args.rounds)]
    rows = {"module_compile": [compile_ns, compile_ns],
            "module_import": [min(r[0] for r in runs), max(r[0] for r in runs)],
            "module_first_call": [min(r[1] for r in runs),
                                  max(r[1] for r in runs)]}
    if args.json:
        print(json.dumps(rows))
        return
    import _cffi_backend
    print("%s (%s)" % (_cffi_backend.__file__,
                       getattr(_cffi_backend, "__version__", "?")))
    for row, (best, worst) in rows.items():
        print("%-20s %12.0f ns (worst %12.0f)" % (row, best, worst))


if __name__ == "__main__":
    main()
