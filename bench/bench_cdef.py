"""ffi.cdef() of a large declaration text: ccffi against real CFFI.

    python bench_cdef.py [--ccffi-tree DIR] [--python-cffi PYTHON]
                         [--size BYTES] [--repeat N]
    python bench_cdef.py --json [--size BYTES] [--repeat N]

The text comes from gen_cdef.py (about 1 MB: prototypes, structs, typedefs,
enums, #defines).  Each implementation runs in its own process: ccffi with
the build tree's python/ directory first on PYTHONPATH, real CFFI with an
interpreter that has it (by default this one, else pyenv's 3.11).  The time
is that of `ffi.cdef(text)` on a fresh FFI, best of --repeat runs; the
ratio is CFFI's time over ccffi's.

With --json, times the `cffi` this process imports and prints one JSON line
{"ns": ..., "impl": ..., "bytes": ...} (run_bench.py uses this mode).
"""
import argparse
import json
import os
import subprocess
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
PYENV_CFFI = os.path.expanduser("~/.pyenv/versions/3.11.7/bin/python")


def time_cdef(size, repeat):
    """Best ns of ffi.cdef(text) with the cffi importable here."""
    sys.path.insert(0, HERE)
    import gen_cdef
    import cffi
    text = gen_cdef.generate(size)
    warnings.simplefilter("ignore")
    best = None
    for i in range(repeat):
        ffi = cffi.FFI()
        t0 = time.perf_counter_ns()
        ffi.cdef(text)
        ns = time.perf_counter_ns() - t0
        best = ns if best is None else min(best, ns)
        if i == 0 and ns > 1e9:
            break          # a slow implementation: one run is enough
    return {"ns": best, "bytes": len(text),
            "impl": os.path.dirname(cffi.__file__)}


def run_child(python, tree, size, repeat):
    """Runs this script with --json in its own process; returns its dict."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if tree:
        env["PYTHONPATH"] = tree
    cmd = [python, os.path.abspath(__file__), "--json", "--size", str(size),
           "--repeat", str(repeat)]
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, check=False)
    if out.returncode != 0:
        sys.exit("bench_cdef: %s failed (exit %d)" % (" ".join(cmd),
                                                      out.returncode))
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def has_cffi(python):
    r = subprocess.run([python, "-c", "import cffi"], stderr=subprocess.DEVNULL,
                       check=False, env={k: v for k, v in os.environ.items()
                                         if k != "PYTHONPATH"})
    return r.returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true",
                    help="time the cffi importable here, print JSON")
    ap.add_argument("--ccffi-tree", default=os.path.join(os.getcwd(), "python"),
                    help="ccffi's python/ build directory")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter for ccffi (the one it was built for)")
    ap.add_argument("--python-cffi", default=None,
                    help="interpreter with the real cffi (default: --python "
                         "if it has cffi, else pyenv's 3.11.7)")
    ap.add_argument("--size", type=int, default=1 << 20)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if args.json:
        print(json.dumps(time_cdef(args.size, args.repeat)))
        return
    real = args.python_cffi
    if real is None:
        real = args.python if has_cffi(args.python) else PYENV_CFFI
    ours = run_child(args.python, args.ccffi_tree, args.size, args.repeat)
    theirs = run_child(real, None, args.size, min(args.repeat, 2))
    print("ffi.cdef of %d bytes (best of runs)" % ours["bytes"])
    print("  ccffi    %14.0f ns   (%s, %s)" % (ours["ns"], args.python,
                                                 ours["impl"]))
    print("  cffi     %14.0f ns   (%s, %s)" % (theirs["ns"], real,
                                                 theirs["impl"]))
    print("  ratio    %14.1fx  (cffi / ccffi; target >= 50x)"
          % (theirs["ns"] / ours["ns"]))


if __name__ == "__main__":
    main()
