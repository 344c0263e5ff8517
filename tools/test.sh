#!/bin/sh
# tools/test.sh - from a fresh clone: install dependencies, build, run every
# test (cmocka unit tests and the pytest suite).  This is the README's test
# command and what CI runs.
set -e
cd "$(dirname "$0")/.."
sh tools/deps.sh
./autogen.sh
./configure --quiet
make -j"$(nproc)"
make check
