#!/bin/sh
# tools/test-pythons.sh - build ccffi and run its test suite on every pyenv
# interpreter 3.8 to 3.13 found (make check-pythons runs it; CI runs it when
# the interpreters are present), then print the README's table:
# Python x {build, test suite, API mode, ABI mode}.
#
# usage: sh tools/test-pythons.sh [BUILDROOT]
#   BUILDROOT (default: ./pythons): one build directory per interpreter,
#   BUILDROOT/py-3.X, configured with PYTHON=<that interpreter>.
# Environment: PYENV_ROOT (default /root/.pyenv, else ~/.pyenv), MINORS (the
# 3.X to look for, default "8 9 10 11 12 13"), PYTHONS (a list of
# interpreter paths, instead of looking in pyenv), JOBS (make -j),
# PYTEST_ARGS (passed to pytest).
#
# The pyenv interpreters have no pytest, and 3.12/3.13 no setuptools: the
# suite runs them with Debian's (python3-pytest, python3-setuptools,
# python3-wheel, python3-tomli, python3-exceptiongroup), through a directory
# of links to those packages only (Debian's own cffi and _cffi_backend, in
# the same dist-packages, must stay invisible).
set -u
SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILDROOT=${1:-pythons}
mkdir -p "$BUILDROOT" && BUILDROOT=$(cd "$BUILDROOT" && pwd)
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
DEBIAN_SITE=/usr/lib/python3/dist-packages

if [ -z "${PYTHONS:-}" ]; then
    root=${PYENV_ROOT:-/root/.pyenv}
    [ -d "$root/versions" ] || root=$HOME/.pyenv
    PYTHONS=
    for minor in ${MINORS:-8 9 10 11 12 13}; do
        # the newest 3.X.Y pyenv has
        p=$(ls -d "$root"/versions/3.$minor.* 2>/dev/null | sort -t. -k3 -n | tail -1)
        [ -n "$p" ] && [ -x "$p/bin/python3" ] && PYTHONS="$PYTHONS $p/bin/python3"
    done
fi
if [ -z "$PYTHONS" ]; then
    echo "test-pythons: no pyenv interpreter 3.8 to 3.13 found" >&2
    exit 77
fi

# Debian's pure-Python test tools (and build tools the interpreter lacks),
# and nothing else of Debian's site directory: DIR gets links to them.
debian_tools() {
    py=$1 shim=$2
    rm -rf "$shim" && mkdir -p "$shim"
    names="pytest _pytest py.py pluggy iniconfig packaging attr attrs exceptiongroup tomli"
    "$py" -c 'import setuptools' 2>/dev/null ||
        names="$names setuptools pkg_resources _distutils_hack"
    "$py" -c 'import wheel' 2>/dev/null || names="$names wheel"
    for name in $names; do
        for f in "$DEBIAN_SITE/$name" "$DEBIAN_SITE/$name"-[0-9]*; do
            [ -e "$f" ] && ln -s "$f" "$shim/"
        done
    done
    [ -e "$shim/pytest" ] || { echo "test-pythons: $DEBIAN_SITE has no pytest: apt-get install python3-pytest" >&2; exit 1; }
}

RESULTS=$BUILDROOT/results.txt
# One interpreter: configure, make, make check, the two smoke tests; its
# table row goes to py-3.X/row.txt, what failed to py-3.X/summary.txt.
test_one() {
    py=$1
    ver=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
    short=${ver%.*}
    dir=$BUILDROOT/py-$short
    log=$dir/test-pythons.log
    mkdir -p "$dir"
    rm -f "$dir/row.txt" "$dir/summary.txt"
    SHIM=$dir/debian-tools
    debian_tools "$py" "$SHIM"
    build=FAIL suite=FAIL api=FAIL abi=FAIL
    if (cd "$dir" && "$SRCDIR/configure" --quiet PYTHON="$py" \
            --disable-clang-plugin && make -j"$JOBS") > "$log" 2>&1; then
        build=ok
        # Only the pytest part differs between interpreters; the cmocka
        # programs are the same C and run too (make check runs both).
        if (cd "$dir" && CCFFI_EXTRA_PYTHONPATH="$SHIM" \
                make check PYTEST_ARGS="${PYTEST_ARGS:-}") >> "$log" 2>&1; then
            suite=ok
        fi
        counts=$(sed -n 's/^[= ]*\([0-9][0-9]* passed.*\) in [0-9.]*s.*$/\1/p' "$log" | tail -1)
        [ "$suite" = ok ] && [ -n "$counts" ] && suite="ok ($counts)"
        tree=$dir/python
        work=$dir/modes
        rm -rf "$work" && mkdir -p "$work"
        if (cd "$work" && PYTHONPATH="$tree:$SHIM" "$py" -c '
from cffi import FFI
ffi = FFI()
ffi.cdef("struct pt { int y; ...; }; int twice(int);")
ffi.set_source("_api_mode", "struct pt { int x, y; };"
               "int twice(int v) { return 2 * v; }")
ffi.compile()
import _api_mode
assert _api_mode.lib.twice(21) == 42
assert _api_mode.ffi.offsetof("struct pt", "y") == 4
') >> "$log" 2>&1; then
            api=ok
        fi
        if (cd "$work" && PYTHONPATH="$tree" "$py" -c '
from cffi import FFI
ffi = FFI()
ffi.cdef("double cos(double); struct s { char c; double d; };")
ffi.set_source("_abi_mode", None)
ffi.compile()
import _abi_mode
assert _abi_mode.ffi.dlopen("libm.so.6").cos(0.0) == 1.0
assert _abi_mode.ffi.sizeof("struct s") == 16
') >> "$log" 2>&1; then
            abi=ok
        fi
    fi
    echo "=== Python $ver ($py): $dir" > "$dir/summary.txt"
    case "$build $suite $api $abi" in
    *FAIL*)
        # what failed, for a CI log that keeps only this output
        grep -E '^(FAILED|ERROR) |^cmocka: |^make.*Error [0-9]' "$log" |
            tail -40 >> "$dir/summary.txt" ;;
    esac
    echo "| $ver | $build | $suite | $api | $abi |" > "$dir/row.txt"
}

# Lanes: LANES interpreters at a time (default: the cores).  One pytest
# keeps one core busy, the compilers it runs a little more, so two lanes on
# two cores halve the wall time of CI's five interpreters.
LANES=${LANES:-$(nproc 2>/dev/null || echo 1)}
lane_of() { # the interpreters of lane $1 (round-robin over PYTHONS)
    i=0
    for py in $PYTHONS; do
        [ $((i % LANES)) -eq "$1" ] && echo "$py"
        i=$((i + 1))
    done
}
lane=0 pids=
while [ $lane -lt "$LANES" ]; do
    ( for py in $(lane_of $lane); do test_one "$py"; done ) &
    pids="$pids $!"
    lane=$((lane + 1))
done
for pid in $pids; do wait "$pid"; done

status=0
: > "$RESULTS"
for py in $PYTHONS; do
    short=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    dir=$BUILDROOT/py-$short
    cat "$dir/summary.txt" 2>/dev/null
    if [ -f "$dir/row.txt" ]; then
        cat "$dir/row.txt" >> "$RESULTS"
    else
        echo "| $short | FAIL (no result) | | | |" >> "$RESULTS"
    fi
done
grep -q FAIL "$RESULTS" && status=1

echo
echo "| Python | build | test suite | API mode | ABI mode |"
echo "|--------|-------|------------|----------|----------|"
cat "$RESULTS"
[ $status -ne 0 ] && echo "test-pythons: failures; logs in $BUILDROOT/py-3.*/test-pythons.log" >&2
exit $status
