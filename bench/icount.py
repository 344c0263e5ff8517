"""Instructions per operation under callgrind: the bench's rows counted
instead of timed, so that they mean something on a loaded machine.

    python icount.py --testlib PATH --ccffi-tree DIR --workdir DIR
                     [--python INTERPRETER] [--rows a,b] [--contenders a,b]

For each row and contender, bench_abi.py's statement runs in a loop inside
a function, under valgrind --tool=callgrind, N1 and N2 times in two
processes with the same hash seed (so that the setup, which for the API-mode
contenders includes compiling their module, costs the same in both);
(instructions(N2) - instructions(N1)) / (N2 - N1) is the cost of one
statement plus the loop's own (the `pass` row says how much that is).
The contenders and their PYTHONPATH are run_bench.py's (ccffi, cffi = the
real CFFI 2.0 through links, ctypes, floor, ccffi-api, cffi-api); the
API-mode ones compile their module in WORKDIR on the first use.  The
row `import_large` counts `import` of bench_module.py's 5,000-function
module for ccffi and cffi (built in WORKDIR/large-<impl> when absent), and
`first_call_large` the first call of one of its functions after the import
(its lookup, realization and call).
Needs valgrind.  Prints one line per cell and a table.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_bench  # noqa: E402

N1, N2 = 2000, 102000
ROWS = ["pass", "call_noarg", "call_2int", "call_2double", "call_structptr",
        "new", "field_read", "field_write", "api_call_noarg", "api_call_2int",
        "api_call_2double", "api_call_structptr", "import_large",
        "first_call_large"]
CONTENDERS = ["ccffi", "cffi", "ctypes", "floor", "ccffi-api", "cffi-api"]

LOOP = """
import os, sys
sys.path.insert(0, %(here)r)
import bench_abi
ns, rows, ident = bench_abi.SETUPS[%(contender)r](os.environ["BENCH_TESTLIB"])
stmt = rows[%(row)r][0] if %(row)r in rows else None
if %(row)r == "pass":
    stmt = "pass"
if stmt is None:
    sys.exit(3)
exec(compile("def _f():\\n    for _i in range(%(n)d):\\n        " + stmt + "\\n_f()\\n",
             "<icount>", "exec"), ns)
"""

IMPORT = """
import sys, _cffi_backend
sys.path.insert(0, %(dir)r)
if %(n)d:
    import _bench_large
if %(n)d > 1:
    _bench_large.lib.bm_f2500(1)
"""


def env_for(args, contender):
    env = dict(os.environ)
    env["BENCH_WORKDIR"] = args.workdir
    env["BENCH_TESTLIB"] = args.testlib
    env["PYTHONHASHSEED"] = "0"     # the same setup in both processes
    impl = contender.split("-")[0]
    if impl == "ccffi":
        env["PYTHONPATH"] = args.ccffi_tree
    elif impl == "cffi":
        if args.real_cffi is None:
            return None
        env["PYTHONPATH"] = args.real_cffi
    else:
        env["PYTHONPATH"] = args.workdir
    return env


def instructions(args, env, code):
    r = subprocess.run(["valgrind", "--tool=callgrind",
                        "--callgrind-out-file=/dev/null", args.python, "-c", code],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       check=False)
    if r.returncode != 0:
        return None
    for line in r.stderr.decode().splitlines():
        if "Collected :" in line:
            return int(line.split("Collected :")[1])
    return None


def count(args, row, contender):
    env = env_for(args, contender)
    if env is None:
        return None
    if row in ("import_large", "first_call_large"):
        if contender not in ("ccffi", "cffi"):
            return None
        d = os.path.join(args.workdir, "large-" + contender)
        if not any(n.startswith("_bench_large.") and n.endswith(".so")
                   for n in (os.listdir(d) if os.path.isdir(d) else [])):
            subprocess.run([args.python, "-c", "import sys; sys.path.insert(0, %r); "
                            "import bench_module; bench_module.compile_module(%r)"
                            % (HERE, d)], env=env, check=True)
        first = row == "first_call_large"
        a = instructions(args, env, IMPORT % {"dir": d, "n": 1 if first else 0})
        b = instructions(args, env, IMPORT % {"dir": d, "n": 2 if first else 1})
        return None if a is None or b is None else b - a
    if row.startswith("api_") != contender.endswith("-api") and row != "pass":
        return None
    a, b = (instructions(args, env, LOOP % {"here": HERE, "contender": contender,
                                            "row": row, "n": n}) for n in (N1, N2))
    return None if a is None or b is None else (b - a) / (N2 - N1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--testlib", required=True)
    p.add_argument("--ccffi-tree", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--rows", default=",".join(ROWS))
    p.add_argument("--contenders", default=",".join(CONTENDERS))
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    args.real_cffi = run_bench.real_cffi_path(args.python, args.workdir)
    if "floor" in args.contenders:
        args.cc = os.environ.get("CC", "cc")
        run_bench.build_floor(args)
    rows = args.rows.split(",")
    contenders = args.contenders.split(",")
    table = {}
    for row in rows:
        for c in contenders:
            n = count(args, row, c)
            if n is not None:
                table[(row, c)] = n
                print("%-20s %-10s %12.0f" % (row, c, n), flush=True)
    print()
    print("| row | " + " | ".join(contenders) + " |")
    print("|---|" + "---|" * len(contenders))
    for row in rows:
        cells = ["%.0f" % table[(row, c)] if (row, c) in table else ""
                 for c in contenders]
        print("| %s | %s |" % (row, " | ".join(cells)))


if __name__ == "__main__":
    main()
