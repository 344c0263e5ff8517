"""The ccffi benchmark: every contender in its own process, one table.

    python run_bench.py --testlib PATH --ccffi-tree DIR --workdir DIR
                        [--python INTERPRETER|auto] [--cc CC] [--rows a,b,...]

Contenders (all run by the same interpreter, --python, so the ratios
compare like with like; "auto" picks one of the same X.Y version as the
interpreter ccffi was built for that also has the real `cffi` package,
e.g. pyenv's 3.11.7 with cffi 2.0 when ccffi was built for Debian's 3.11:
extension modules of one X.Y version load in any of its patch releases):
  ccffi   this project's cffi + _cffi_backend (DIR first on PYTHONPATH)
  cffi    the real CFFI installed for that interpreter
  ctypes  the standard library's ctypes
  floor   bench/floor_ext.c: hand-written METH_FASTCALL functions that
          release the GIL and save errno like CFFI (nothing is faster)
The ffi.cdef row comes from bench/bench_cdef.py when present.  The API-mode
rows come from the contenders ccffi-api and cffi-api of bench_abi.py, which
compile a module with set_source() for the same functions; their floor is
the same hand-written call.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

ROWS = [
    ("call_noarg", "call, no argument"),
    ("call_2int", "call, two ints"),
    ("call_2double", "call, two doubles"),
    ("call_bytes", "call, bytes argument"),
    ("call_structptr", "call, pointer to struct"),
    ("call_ret_struct", "call, struct returned"),
    ("callback", "Python callback from C (per call)"),
    ("qsort", "qsort 1000 ints, Python compare"),
    ("new", "ffi.new struct"),
    ("field_read", "field read"),
    ("field_write", "field write"),
    ("cdef", "ffi.cdef of a large text"),
    ("api_call_noarg", "API mode: call, no argument"),
    ("api_call_2int", "API mode: call, two ints"),
    ("api_call_2double", "API mode: call, two doubles"),
    ("api_call_bytes", "API mode: call, bytes argument"),
    ("api_call_structptr", "API mode: call, pointer to struct"),
    ("api_call_ret_struct", "API mode: call, struct returned"),
    ("api_callback", "API mode: Python callback from C"),
]
CONTENDERS = ["ccffi", "cffi", "ctypes", "floor"]
TIMEOUT = 600       # seconds a contender may take before its column stays empty
# API-mode contenders fill the api_* rows of a column of the table.
API_CONTENDERS = {"ccffi-api": "ccffi", "cffi-api": "cffi"}


def has_cffi(python):
    r = subprocess.run([python, "-c", "import cffi, sys; "
                        "print('%d.%d' % sys.version_info[:2])"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       check=False)
    return r.stdout.decode().strip() if r.returncode == 0 else None


def pick_python(built_for):
    """An interpreter of ccffi's X.Y version with the real cffi."""
    want = subprocess.run([built_for, "-c", "import sys; "
                           "print('%d.%d' % sys.version_info[:2])"],
                          stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    candidates = [built_for]
    root = os.path.expanduser("~/.pyenv/versions")
    if os.path.isdir(root):
        for v in sorted(os.listdir(root)):
            if v.startswith(want + "."):
                candidates.append(os.path.join(root, v, "bin", "python"))
    for c in candidates:
        if os.path.exists(c) and has_cffi(c) == want:
            return c
    print("no Python %s with the real cffi found: the CFFI column stays empty"
          % want, file=sys.stderr)
    return built_for


def build_floor(args):
    """Compiles bench/floor_ext.c for the benchmark's interpreter."""
    info = subprocess.run([args.python, "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['include']); "
                           "print(sysconfig.get_config_var('EXT_SUFFIX'))"],
                          stdout=subprocess.PIPE, check=True).stdout.decode().split()
    os.makedirs(args.workdir, exist_ok=True)
    out = os.path.join(args.workdir, "_ccffi_floor" + info[1])
    subprocess.run(args.cc.split() + ["-O2", "-shared", "-fPIC", "-I" + info[0],
                                      os.path.join(HERE, "floor_ext.c"),
                                      "-o", out, "-ldl"], check=True)
    return args.workdir


def run_contender(args, contender):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["BENCH_WORKDIR"] = args.workdir
    if contender in ("ccffi", "ccffi-api"):
        env["PYTHONPATH"] = args.ccffi_tree
    elif contender == "floor":
        env["PYTHONPATH"] = args.workdir
    cmd = [args.python, os.path.join(HERE, "bench_abi.py"), contender,
           args.testlib]
    if args.rows:
        cmd.append(args.rows)
    try:
        out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, check=False,
                             timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        print("%s: no answer after %d s" % (contender, TIMEOUT), file=sys.stderr)
        return None
    if out.returncode != 0:
        print("%s: failed (exit %d)" % (contender, out.returncode),
              file=sys.stderr)
        return None
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def run_rounds(args):
    """Runs the contenders in turn, --rounds times, keeping each row's best
    time: on a shared machine, the minimum is the least disturbed run."""
    results = {}
    contenders = CONTENDERS + ([] if args.no_api else list(API_CONTENDERS))
    for _ in range(args.rounds):
        for c in contenders:
            r = run_contender(args, c)
            if r is None:
                continue
            column = API_CONTENDERS.get(c, c)
            if results.get(column) is None:
                results[column] = r
                continue
            best = results[column]["ns"]
            for row, ns in r["ns"].items():
                best[row] = min(ns, best.get(row, ns))
    floor = (results.get("floor") or {}).get("ns", {})
    for key, _ in ROWS:        # the floor of an API-mode call is the same call
        if key.startswith("api_") and key[4:] in floor:
            floor[key] = floor[key[4:]]
    return results


def run_cdef_row(args, results):
    """ns for ffi.cdef of a large text, from bench_cdef.py if it exists."""
    script = os.path.join(HERE, "bench_cdef.py")
    if not os.path.exists(script):
        return
    for contender in ("ccffi", "cffi"):
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        if contender == "ccffi":
            env["PYTHONPATH"] = args.ccffi_tree
        try:
            out = subprocess.run([args.python, script, "--json"], env=env,
                                 stdout=subprocess.PIPE, check=False,
                                 timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            print("cdef row, %s: no answer after %d s" % (contender, TIMEOUT),
                  file=sys.stderr)
            continue
        if out.returncode != 0 or results.get(contender) is None:
            continue
        try:
            data = json.loads(out.stdout.decode().strip().splitlines()[-1])
            results[contender]["ns"]["cdef"] = float(data["ns"])
        except (ValueError, KeyError, IndexError):
            pass


def fmt(ns):
    if ns is None:
        return "-"
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e4:
        return "%.1f us" % (ns / 1e3)
    return "%.0f ns" % ns


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.2fx" % (a / b)


def print_table(results):
    get = lambda c, r: (results.get(c) or {}).get("ns", {}).get(r)
    head = ["operation", "ccffi", "CFFI", "ctypes", "floor",
            "CFFI/ccffi", "ctypes/ccffi", "ccffi/floor"]
    lines = []
    for key, label in ROWS:
        vals = [get(c, key) for c in CONTENDERS]
        if all(v is None for v in vals):
            continue
        c, f, t, fl = vals
        lines.append([label] + [fmt(v) for v in vals]
                     + [ratio(f, c), ratio(t, c), ratio(c, fl)])
    widths = [max(len(r[i]) for r in [head] + lines) for i in range(len(head))]
    def show(row):
        print("| " + " | ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                                for i, (cell, w) in enumerate(zip(row, widths)))
              + " |")
    show(head)
    print("|" + "|".join(("-" * (w + 2)) for w in widths) + "|")
    for row in lines:
        show(row)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--python", default="auto")
    p.add_argument("--built-for", default=sys.executable,
                   help="the interpreter ccffi was built for")
    p.add_argument("--cc", default=os.environ.get("CC", "cc"))
    p.add_argument("--testlib", required=True)
    p.add_argument("--ccffi-tree", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--rows", default="")
    p.add_argument("--no-api", action="store_true",
                   help="skip the API-mode rows (they compile modules)")
    p.add_argument("--rounds", type=int, default=3,
                   help="runs of every contender; each row keeps its best")
    p.add_argument("--json", help="also write the raw results here")
    args = p.parse_args()
    if args.python == "auto":
        args.python = pick_python(args.built_for)
    build_floor(args)
    results = run_rounds(args)
    run_cdef_row(args, results)
    ccffi = results.get("ccffi")
    if ccffi is not None:
        if not ccffi["modules"].get("ccffi"):
            sys.exit("the ccffi contender did not import ccffi's _cffi_backend: %s"
                     % ccffi["modules"])
        print("interpreter: %s (Python %s) for every contender; best of %d "
              "rounds" % (ccffi["executable"], ccffi["python"], args.rounds))
        cffi = results.get("cffi") or {}
        print("CFFI: %s (backend %s)" % (cffi.get("modules", {}).get("cffi"),
                                         cffi.get("modules", {}).get("backend_version")))
    print_table(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
