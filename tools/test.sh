#!/bin/sh
# tools/test.sh - from a fresh clone: install dependencies, build, run every
# test (cmocka unit tests and the pytest suite).  This is the README's test
# command and what CI runs: autotools, then configure, make and make check
# in build/main (builds stay out of the source tree, so that the
# other-Python builds of `make check-pythons` and the sanitizer build of
# `make check-asan` can configure the same sources).
#
# Then, where pyenv's interpreters are present (these machines), the whole
# suite again on 3.8, 3.9, 3.10, 3.12 and 3.13 (make check-pythons; 3.11 is
# python3's, run above).
#
# Beside check-pythons, the sanitizer pass (ASan and UBSan, make check-asan
# in build/asan) runs the cmocka programs and the pytest files of the
# runtime itself (CHECK_ASAN_FILES: 613 tests, about 3 min of CPU with its
# build; the files that mostly compile modules with gcc and clang spend
# their time in the compilers, which run with the sanitizer runtimes
# preloaded too: the rest of the suite took about 40 min of CPU on
# 2026-12-05, too much beside check-pythons; CHECK_ASAN_FILES=all runs it
# all).  CCFFI_CI_ASAN=no leaves it out.
set -e
cd "$(dirname "$0")/.."
sh tools/deps.sh
./autogen.sh
mkdir -p build/main
cd build/main
../../configure --quiet
make -j"$(nproc)"
make check
cd ../..

: "${CHECK_ASAN_FILES:=test_alloc_failures.py test_buffers.py test_callbacks.py
 test_calls.py test_cdata.py test_cdef.py test_conversions.py test_ctype.py
 test_dlopen.py test_ffi_misc.py test_foundation.py test_memory_safety.py
 test_misuse.py test_refleaks.py test_runtime_conformance.py
 test_foreign_threads.py test_cffi_runtime_objects.py test_perf_counts.py
 test_rt_gaps.py test_rt_model.py test_out_of_line_abi.py}"
check_asan() {
    mkdir -p build/asan
    cd build/asan
    ../../configure --quiet --enable-sanitizers
    make -j"$(nproc)"
    if [ "$CHECK_ASAN_FILES" = all ]; then
        make check-asan
    else
        # pytest's python_files: only these files of tests/python
        PYTEST_ADDOPTS="-o 'python_files=$(echo $CHECK_ASAN_FILES)'" \
            make check-asan
    fi
}

asan_pid=
if [ "${CCFFI_CI_ASAN:-yes}" = yes ]; then
    (check_asan) > build/check-asan.log 2>&1 &
    asan_pid=$!
fi
status=0
if ls -d "${PYENV_ROOT:-/root/.pyenv}"/versions/3.* >/dev/null 2>&1; then
    # as many interpreters at a time as cores (the sanitizer pass is
    # short beside them); -rfEs names what failed and what was skipped
    (cd build/main && make check-pythons CHECK_PYTHONS_JOBS="$(nproc)" \
        CHECK_PYTHONS_MINORS="8 9 10 12 13" \
        CHECK_PYTHONS_PYTEST_ARGS=-rfEs) ||
        status=1
fi
if [ -n "$asan_pid" ]; then
    asan_status=0
    wait "$asan_pid" || asan_status=$?
    echo "=== make check-asan (build/asan; its output: build/check-asan.log) ==="
    cat build/check-asan.log
    [ "$asan_status" -eq 0 ] || { echo "check-asan: failed" >&2; status=1; }
fi
exit $status
