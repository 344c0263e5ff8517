"""The ccffi benchmark: every contender in its own process, one table.

    python run_bench.py --testlib PATH --ccffi-tree DIR --workdir DIR
                        [--python INTERPRETER] [--cc CC] [--rows a,b,...]

Contenders (all run by the same interpreter, --python, by default the one
ccffi was built for - Debian's /usr/bin/python3 here - so the ratios
compare like with like):
  ccffi   this project's cffi + _cffi_backend (DIR first on PYTHONPATH)
  cffi    the real CFFI 2.0: when the interpreter has no cffi 2.x of its
          own, WORKDIR/real-cffi holds links to the cffi package, its
          _cffi_backend and pycparser of an interpreter of the same X.Y
          that has them (pyenv's 3.11.7 here: an extension module of one
          X.Y loads in any of its patch releases), first on PYTHONPATH
  ctypes  the standard library's ctypes
  floor   bench/floor_ext.c: hand-written METH_FASTCALL functions that
          release the GIL and save errno like CFFI (nothing is faster)
The ffi.cdef row comes from bench/bench_cdef.py when present.  The API-mode
rows come from the contenders ccffi-api and cffi-api of bench_abi.py, which
compile a module with set_source() for the same functions; their floor is
the same hand-written call.  The large-module rows (compile, import, first
call) come from bench/bench_module.py.  Every contender runs --rounds
times; a cell is the best round, and the spread column is the largest
(worst - best) / best of the row's cells: how noisy the machine was.
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
    ("cb_thread1", "callback from 1 C thread (per call)"),
    ("cb_thread8", "callback from 8 C threads (per call)"),
    ("qsort", "qsort 1000 ints, Python compare"),
    ("new", "ffi.new struct"),
    ("field_read", "field read"),
    ("field_write", "field write"),
    ("mem_int", "memory: ffi.new('int *')"),
    ("mem_struct16", "memory: ffi.new of a 16-byte struct"),
    ("mem_int10", "memory: ffi.new('int[10]')"),
    ("cdef", "ffi.cdef of a large text"),
    ("api_call_noarg", "API mode: call, no argument"),
    ("api_call_2int", "API mode: call, two ints"),
    ("api_call_2double", "API mode: call, two doubles"),
    ("api_call_bytes", "API mode: call, bytes argument"),
    ("api_call_structptr", "API mode: call, pointer to struct"),
    ("api_call_ret_struct", "API mode: call, struct returned"),
    ("api_callback", "API mode: Python callback from C"),
    ("api_extern", "API mode: extern \"Python\" called from C"),
    ("module_compile", "large module: compile() (CPU time)"),
    ("module_import", "large module: import"),
    ("module_first_call", "large module: first call after import"),
]
# rows whose figure is bytes, not nanoseconds
BYTES_ROWS = {"mem_int", "mem_struct16", "mem_int10"}
CONTENDERS = ["ccffi", "cffi", "ctypes", "floor"]
TIMEOUT = 600       # seconds a contender may take before its column stays empty
# API-mode contenders fill the api_* rows of a column of the table.
API_CONTENDERS = {"ccffi-api": "ccffi", "cffi-api": "cffi"}


def cffi_version(python, path=None):
    """The version of the cffi package `python` imports (with `path` first
    on PYTHONPATH), or None."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if path:
        env["PYTHONPATH"] = path
    r = subprocess.run([python, "-c", "import cffi, _cffi_backend; "
                        "print(_cffi_backend.__version__)"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       check=False)
    return r.stdout.decode().strip() if r.returncode == 0 else None


def xy_version(python):
    return subprocess.run([python, "-c", "import sys; "
                           "print('%d.%d' % sys.version_info[:2])"],
                          stdout=subprocess.PIPE, check=True).stdout.decode().strip()


def real_cffi_path(python, workdir):
    """A PYTHONPATH entry under which `python` imports the real CFFI 2.x:
    '' when its own cffi is 2.x, else WORKDIR/real-cffi, a directory of
    links to the cffi, _cffi_backend and pycparser of another interpreter
    of the same X.Y (pyenv's); None when there is none."""
    own = cffi_version(python)
    if own and own.startswith("2."):
        return ""
    want = xy_version(python)
    root = os.path.expanduser("~/.pyenv/versions")
    links = os.path.join(workdir, "real-cffi")
    for v in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        if not v.startswith(want + "."):
            continue
        site = os.path.join(root, v, "lib", "python" + want, "site-packages")
        names = [n for n in os.listdir(site) if n == "cffi" or n == "pycparser"
                 or n.startswith("_cffi_backend.")] if os.path.isdir(site) else []
        if "cffi" not in names or "pycparser" not in names:
            continue
        os.makedirs(links, exist_ok=True)
        for n in os.listdir(links):
            os.unlink(os.path.join(links, n))
        for n in names:
            os.symlink(os.path.join(site, n), os.path.join(links, n))
        found = cffi_version(python, links)
        if found and found.startswith("2."):
            return links
    print("no real CFFI 2.x for Python %s found: the CFFI column stays empty"
          % want, file=sys.stderr)
    return None


def pick_python(built_for):
    """The interpreter the contenders run on: the one ccffi was built for
    (kept for make bench-objects, which asks this module)."""
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
    elif contender in ("cffi", "cffi-api"):
        if args.real_cffi is None:
            return None
        if args.real_cffi:
            env["PYTHONPATH"] = args.real_cffi
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


def merge_round(results, column, r):
    """Adds one round of a contender: each row keeps its best and worst."""
    if results.get(column) is None:
        results[column] = dict(r, ns={}, worst={})
    best, worst = results[column]["ns"], results[column]["worst"]
    for row, ns in r["ns"].items():
        best[row] = min(ns, best.get(row, ns))
        worst[row] = max(ns, worst.get(row, ns))


def run_rounds(args):
    """Runs the contenders in turn, --rounds times, keeping each row's best
    time (on a shared machine, the least disturbed run) and its worst."""
    results = {}
    contenders = CONTENDERS + ([] if args.no_api else list(API_CONTENDERS))
    for _ in range(args.rounds):
        for c in contenders:
            r = run_contender(args, c)
            if r is not None:
                merge_round(results, API_CONTENDERS.get(c, c), r)
    floor = (results.get("floor") or {}).get("ns", {})
    for key, _ in ROWS:        # the floor of an API-mode call is the same call
        if key.startswith("api_") and key[4:] in floor:
            floor[key] = floor[key[4:]]
    return results


def run_module_rows(args, results):
    """compile(), import and first call of a large module, from
    bench_module.py, for ccffi and the real CFFI."""
    script = os.path.join(HERE, "bench_module.py")
    for contender in ("ccffi", "cffi"):
        if results.get(contender) is None:
            continue
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        path = args.ccffi_tree if contender == "ccffi" else args.real_cffi
        if path is None:
            continue
        if path:
            env["PYTHONPATH"] = path
        try:
            out = subprocess.run([args.python, script, "--workdir",
                                  os.path.join(args.workdir, "module-" + contender),
                                  "--rounds", str(max(args.rounds, 3)), "--json"],
                                 env=env, stdout=subprocess.PIPE, check=False,
                                 timeout=TIMEOUT * 3)
        except subprocess.TimeoutExpired:
            print("module rows, %s: no answer" % contender, file=sys.stderr)
            continue
        if out.returncode != 0:
            print("module rows, %s: failed" % contender, file=sys.stderr)
            continue
        data = json.loads(out.stdout.decode().strip().splitlines()[-1])
        for row, (best, worst) in data.items():
            results[contender]["ns"][row] = best
            results[contender]["worst"][row] = worst


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
        elif args.real_cffi is None:
            continue
        elif args.real_cffi:
            env["PYTHONPATH"] = args.real_cffi
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
            results[contender]["worst"]["cdef"] = float(data["ns"])
        except (ValueError, KeyError, IndexError):
            pass


def fmt(ns, row=""):
    if ns is None:
        return "-"
    if row in BYTES_ROWS:
        return "%.0f B" % ns
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e4:
        return "%.1f us" % (ns / 1e3)
    return "%.0f ns" % ns


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.2fx" % (a / b)


def spread(results, row):
    """The largest (worst - best) / best of the row's cells, as text."""
    worst = 0.0
    for c in CONTENDERS:
        r = results.get(c) or {}
        best, bad = r.get("ns", {}).get(row), r.get("worst", {}).get(row)
        if best and bad:
            worst = max(worst, (bad - best) / best)
    return "%.0f%%" % (worst * 100)


def print_table(results):
    get = lambda c, r: (results.get(c) or {}).get("ns", {}).get(r)
    head = ["operation", "ccffi", "CFFI", "ctypes", "floor",
            "CFFI/ccffi", "ctypes/ccffi", "ccffi/floor", "spread"]
    lines = []
    for key, label in ROWS:
        vals = [get(c, key) for c in CONTENDERS]
        if all(v is None for v in vals):
            continue
        c, f, t, fl = vals
        lines.append([label] + [fmt(v, key) for v in vals]
                     + [ratio(f, c), ratio(t, c), ratio(c, fl),
                        spread(results, key)])
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
    p.add_argument("--python", default="auto",
                   help="the interpreter of every contender (auto: --built-for)")
    p.add_argument("--built-for", default=sys.executable,
                   help="the interpreter ccffi was built for")
    p.add_argument("--cc", default=os.environ.get("CC", "cc"))
    p.add_argument("--testlib", required=True)
    p.add_argument("--ccffi-tree", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--rows", default="")
    p.add_argument("--no-api", action="store_true",
                   help="skip the API-mode rows (they compile modules)")
    p.add_argument("--no-module", action="store_true",
                   help="skip the large-module rows (minutes of compiling)")
    p.add_argument("--rounds", type=int, default=3,
                   help="runs of every contender; each row keeps its best")
    p.add_argument("--json", help="also write the raw results here")
    args = p.parse_args()
    if args.python == "auto":
        args.python = pick_python(args.built_for)
    os.makedirs(args.workdir, exist_ok=True)
    args.real_cffi = real_cffi_path(args.python, args.workdir)
    build_floor(args)
    results = run_rounds(args)
    run_cdef_row(args, results)
    if not args.no_module and not args.no_api:
        run_module_rows(args, results)
    ccffi = results.get("ccffi")
    if ccffi is not None:
        if not ccffi["modules"].get("ccffi"):
            sys.exit("the ccffi contender did not import ccffi's _cffi_backend: %s"
                     % ccffi["modules"])
        print("interpreter: %s (Python %s) for every contender; best of %d "
              "rounds; spread = (worst - best) / best" % (
                  ccffi["executable"], ccffi["python"], args.rounds))
        load = os.getloadavg()
        print("load average at the end: %.1f %.1f %.1f on %d cores"
              % (load + (os.cpu_count(),)))
        cffi = results.get("cffi") or {}
        print("CFFI: %s (backend %s)" % (cffi.get("modules", {}).get("cffi"),
                                         cffi.get("modules", {}).get("backend_version")))
    print_table(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
