#!/bin/sh
# tools/test.sh - from a fresh clone: install dependencies, build, run every
# test (cmocka unit tests and the pytest suite).  This is the README's test
# command and what CI runs.  Where pyenv's interpreters are present (these
# machines), it then builds ccffi for 3.8, 3.9, 3.12 and 3.13 too (make
# check-pythons: the oldest, setuptools 58, no setuptools, the newest; 3.11
# is python3's) and runs the suite there without the tests that do not
# depend on the Python version (plugin, layouts against gcc, the cdef
# parser, the differential test, which needs a real CFFI on the same
# version) or are slow (refleaks, API mode beyond one module), to keep CI
# within 30 minutes.  The whole suite on all of 3.8 to 3.13 is
# `make check-pythons` (README, "Python versions").
set -e
cd "$(dirname "$0")/.."
sh tools/deps.sh
./autogen.sh
# Every build is out of the source tree (build/...): the other-Python and
# sanitizer builds below configure the same sources again, which configure
# refuses once the tree itself is configured.
mkdir -p build/main
cd build/main
../../configure --quiet
make -j"$(nproc)"
make check
SAME_ON_EVERY_PYTHON=
for t in gcc_plugin layout_vs_gcc bitfields_vs_gcc vs_real_cffi refleaks \
        api_mode layers cdef differential; do
    SAME_ON_EVERY_PYTHON="$SAME_ON_EVERY_PYTHON --ignore-glob=*/test_$t.py"
done
if ls -d "${PYENV_ROOT:-/root/.pyenv}"/versions/3.* >/dev/null 2>&1; then
    make check-pythons CHECK_PYTHONS_JOBS="$(nproc)" \
        CHECK_PYTHONS_MINORS="8 9 12 13" \
        CHECK_PYTHONS_PYTEST_ARGS="$SAME_ON_EVERY_PYTHON"
fi
# The same cmocka and pytest suites under ASan and UBSan (make check-asan,
# tests/sanitize.sh), in a build of their own.
cd ../..
mkdir -p build/asan
cd build/asan
../../configure --quiet --enable-sanitizers
make -j"$(nproc)"
make check-asan
