"""Random differential test (issue 16): random cdef + operation programs
(tests/python/diffgen.py) run under ccffi and under Debian's CFFI 1.15, which
must give the same value or the same exception class for every operation,
and neither may crash.

make check runs DIFF_PROGRAMS (300) programs of the fixed seed DIFF_SEED
(16); `make check-differential DIFFTEST_COUNT=5000 DIFFTEST_SEED=...` runs the
long form (this file with other numbers).  CFFI 1.15 runs in its own
interpreter with nothing of ours on its path (no PYTHONPATH, cwd /), and the
test checks that it imported Debian's _cffi_backend.
"""
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "diffgen.py")
DEBIAN_CFFI = "/usr/lib/python3/dist-packages"
PROGRAMS = int(os.environ.get("DIFF_PROGRAMS", "300"))
SEED = int(os.environ.get("DIFF_SEED", "16"))
KNOWN = os.environ.get("DIFF_KNOWN", "") == "1"


def reference_python():
    """Debian's interpreter and environment for the real CFFI 1.15."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "CCFFI_", "LD_PRELOAD", "ASAN", "LSAN", "UBSAN"))}
    probe = subprocess.run(
        ["/usr/bin/python3", "-c", "import cffi, _cffi_backend;"
         "print(cffi.__version__, _cffi_backend.__file__)"],
        capture_output=True, text=True, env=env, cwd="/")
    if probe.returncode != 0 or DEBIAN_CFFI not in probe.stdout:
        pytest.skip("Debian's python3-cffi is not installed (apt-get install python3-cffi)")
    return env


def run_all(programs, python, env):
    """Runs the programs in as few processes as possible: a process that
    dies is recorded as a crash of the program it was running, and the rest
    go on in a new process.  Returns one result (or ("crash", detail)) per
    program."""
    lines = "".join(json.dumps(p) + "\n" for p in programs)
    results = []
    while len(results) < len(programs):
        r = subprocess.run([python, GEN, "run", str(len(results))], input=lines,
                           capture_output=True, text=True, env=env, cwd="/",
                           timeout=600)
        for out in r.stdout.splitlines():
            results.append(json.loads(out))
        if r.returncode != 0 and len(results) < len(programs):
            results.append(["crash", "status %d: %s" % (r.returncode, r.stderr[-2000:])])
    return results


def same(reference, ours):
    if reference[0] != ours[0]:
        return False
    if reference[0] == "exc":
        return reference[1][0] in ours[1]     # CFFI's class, or a subclass of it
    return reference[1] == ours[1]


def compare(programs, reference, ours):
    mismatches = []
    for i, (prog, ref, got) in enumerate(zip(programs, reference, ours)):
        if got and got[0] == "crash":
            mismatches.append((i, "ccffi crashed", got[1], prog))
            continue
        if ref and ref[0] == "crash":
            continue          # CFFI itself crashed: nothing to compare
        ops = ["ffi.cdef(...)"] + prog["ops"]
        for j, (a, b) in enumerate(zip(ref, got)):
            if not same(a, b):
                mismatches.append((i, ops[j] if j < len(ops) else "?",
                                   "CFFI %r, ccffi %r" % (a, b), prog))
                break
        else:
            if len(ref) != len(got):
                mismatches.append((i, "length", "%d vs %d" % (len(ref), len(got)), prog))
    return mismatches


def test_random_programs_agree_with_cffi():
    ref_env = reference_python()
    gen = subprocess.run([sys.executable, GEN, "gen", str(SEED), str(PROGRAMS)]
                         + (["--known"] if KNOWN else []),
                         capture_output=True, text=True, check=True)
    programs = [json.loads(line) for line in gen.stdout.splitlines()]
    assert len(programs) == PROGRAMS
    ours = run_all(programs, sys.executable, os.environ.copy())
    reference = run_all(programs, "/usr/bin/python3", ref_env)
    ops = sum(len(p["ops"]) + 1 for p in programs)
    crashes = sum(1 for r in reference if r and r[0] == "crash")
    mismatches = compare(programs, reference, ours)
    print("differential: seed %d, %d programs, %d operations, %d mismatches, "
          "%d CFFI crashes" % (SEED, PROGRAMS, ops, len(mismatches), crashes))
    report = "\n".join("program %d: %s: %s\n  cdef: %s" % (i, op, what, prog["cdef"])
                       for i, op, what, prog in mismatches[:20])
    assert not mismatches, "%d of %d programs differ:\n%s" % (len(mismatches),
                                                             PROGRAMS, report)


def test_the_comparison_can_fail():
    # the comparison itself: a different value, a different exception class
    # and a crash are each reported
    prog = {"cdef": "", "packed": False, "ops": ["1"]}
    assert compare([prog], [[["ok", "cdef"], ["ok", 1]]], [[["ok", "cdef"], ["ok", 2]]])
    assert compare([prog], [[["ok", "cdef"], ["exc", ["TypeError"]]]],
                   [[["ok", "cdef"], ["exc", ["ValueError"]]]])
    assert compare([prog], [[["ok", "cdef"]]], [["crash", "status -11"]])
    assert not compare([prog], [[["exc", ["ValueError"]]]],
                       [[["exc", ["FFIError", "ValueError"]]]])
