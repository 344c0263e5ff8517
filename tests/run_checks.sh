#!/bin/sh
# tests/run_checks.sh - run by `make check`: every cmocka program, then pytest.
# Prints each runner's own output and a closing count for each.
# Environment (set by tests/Makemodule.am): CMOCKA_TESTS, PYTHON,
# CCFFI_PYTHON_TREE, CCFFI_BUILDDIR, CCFFI_SRCDIR, PYTEST_ARGS.
set -u
status=0
passed=0
failed=0

echo "=== cmocka unit tests ==="
for t in $CMOCKA_TESTS; do
    out=$(CMOCKA_MESSAGE_OUTPUT=stdout "./$t" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p')
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ $rc -ne 0 ]; then
        status=1
        [ -z "$f" ] && failed=$((failed + 1))   # crashed before counting
    fi
done
echo "cmocka: $passed passed, $failed failed"

echo "=== pytest (tests/python) with $PYTHON ==="
cd "$CCFFI_BUILDDIR" || exit 1
# The suite must import the build tree's cffi and _cffi_backend, never the
# real CFFI installed on the machine; tests/python/conftest.py asserts it.
# CCFFI_EXTRA_PYTHONPATH (tools/test-pythons.sh): Debian's pytest for an
# interpreter that has none, after the build tree.
PYTHONPATH="$CCFFI_PYTHON_TREE${CCFFI_EXTRA_PYTHONPATH:+:$CCFFI_EXTRA_PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
    "$PYTHON" -m pytest -p no:cacheprovider -q --rootdir="$CCFFI_SRCDIR/tests/python" \
    $PYTEST_ARGS "$CCFFI_SRCDIR/tests/python"
rc=$?
[ $rc -ne 0 ] && status=1
exit $status
