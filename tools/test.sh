#!/bin/sh
# tools/test.sh - from a fresh clone: install dependencies, build, run every
# test (cmocka unit tests and the pytest suite).  This is the README's test
# command and what CI runs: autotools, then configure, make and make check
# in build/main (builds stay out of the source tree, so that the
# other-Python builds of `make check-pythons` and the sanitizer build of
# `make check-asan` can configure the same sources).
set -e
cd "$(dirname "$0")/.."
sh tools/deps.sh
./autogen.sh
mkdir -p build/main
cd build/main
../../configure --quiet
make -j"$(nproc)"
make check
# Not run by CI yet, each for want of one verified clean run: `make
# check-pythons` (3.8 to 3.13) and the sanitizer pass (configure
# --enable-sanitizers && make check-asan, in a build/asan of its own).  Both
# targets work by hand; see the README.
# Where pyenv's interpreters are present (these machines), the whole suite
# again on 3.8, 3.9, 3.10, 3.12 and 3.13 (make check-pythons; 3.11 is
# python3's, run above).
if ls -d "${PYENV_ROOT:-/root/.pyenv}"/versions/3.* >/dev/null 2>&1; then
    make check-pythons CHECK_PYTHONS_JOBS="$(nproc)" \
        CHECK_PYTHONS_MINORS="8 9 10 12 13"
fi
