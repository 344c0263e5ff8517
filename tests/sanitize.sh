#!/bin/sh
# tests/sanitize.sh - run by `make check-asan` in a build configured with
# --enable-sanitizers: runs the given command (make check: the cmocka and
# pytest suites) with ASan and UBSan, then reads the sanitizers' reports.
#
# Python is not built with ASan: the runtimes are preloaded into every
# process (SANITIZE_PRELOAD, from configure), PYTHONMALLOC=malloc makes
# Python's objects plain malloc blocks that ASan watches, and every report
# goes to a file under SANITIZE_LOG_DIR instead of the tests' stderr.
# A request larger than ASan serves (ffi.new("short[]", 2**40)) fails as
# malloc() fails without ASan (allocator_may_return_null: MemoryError)
# instead of aborting the process.
# Leak reports of the processes that are not ours (Python itself, gcc,
# make...) are many and expected: a leak counts when a frame of its
# allocation stack is in our code (runtime/, the unit tests, the compiled
# _cffi_backend or its libraries).  Any ASan error or UBSan "runtime error"
# counts wherever it is.  The status is the command's, or 1 if anything
# counted.
set -u
: "${SANITIZE_PRELOAD:?configure --enable-sanitizers sets it}"
: "${SANITIZE_LOG_DIR:=$(pwd)/sanitize-logs}"
: "${PYTHON:=python3}"
rm -rf "$SANITIZE_LOG_DIR"
mkdir -p "$SANITIZE_LOG_DIR"
# Blocks kept on purpose for the life of the process, not leaks: the
# PyModuleDef (and its name) of each module built by real CFFI, which can
# never be unloaded (runtime/compat/compat_module.c).
supp="$SANITIZE_LOG_DIR-lsan.supp"
printf '%s\n' "leak:compat_new_module" > "$supp"

LD_PRELOAD=$(echo $SANITIZE_PRELOAD) \
PYTHONMALLOC=malloc \
ASAN_OPTIONS="detect_leaks=1:log_path=$SANITIZE_LOG_DIR/asan:detect_stack_use_after_return=0:allocator_may_return_null=1:${CCFFI_ASAN_OPTIONS:-}" \
LSAN_OPTIONS="exitcode=0:suppressions=${CCFFI_LSAN_SUPPRESSIONS:-$supp}" \
UBSAN_OPTIONS="print_stacktrace=1:log_path=$SANITIZE_LOG_DIR/ubsan" \
CCFFI_SANITIZED=1 \
    "$@"
status=$?

echo "=== sanitizer reports ($SANITIZE_LOG_DIR) ==="
"$PYTHON" - "$SANITIZE_LOG_DIR" <<'EOF'
import os, re, sys
logdir = sys.argv[1]
# (Debian's own _cffi_backend, under dist-packages, is not ours)
ours = re.compile(r"/runtime/(table|cdef|object|call|api|compat|module)/|(?<!dist-packages/)_cffi_backend[.]|"
                  r"/tests/unit/|/tests/fuzz/|libccffi")
errors, leaks, foreign = [], [], 0
for name in sorted(os.listdir(logdir)):
    text = open(os.path.join(logdir, name), errors="replace").read()
    for m in re.finditer(r"^==\d+==ERROR: AddressSanitizer.*?(?=^==\d+==ABORTING|\Z)",
                         text, re.S | re.M):
        errors.append((name, m.group(0)))
    for m in re.finditer(r"^.*runtime error:.*\n(?:    #.*\n)*", text, re.M):
        errors.append((name, m.group(0)))
    for block in re.split(r"\n(?=(?:Direct|Indirect) leak of )", text):
        if not re.match(r"(Direct|Indirect) leak of ", block):
            continue
        block = block.split("\n\n")[0]
        if ours.search(block):
            leaks.append((name, block))
        else:
            foreign += 1
for name, report in errors + leaks:
    print("--- %s\n%s" % (name, report.rstrip()))
print("sanitizers: %d error report(s), %d leak(s) from our code "
      "(%d leak report(s) of other code ignored)" % (len(errors), len(leaks), foreign))
sys.exit(1 if errors or leaks else 0)
EOF
[ $? -ne 0 ] && status=1
exit $status
