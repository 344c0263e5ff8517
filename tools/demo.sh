#!/bin/sh
# tools/demo.sh - from a fresh clone: install dependencies, build, and run the
# demo (ABI mode, API mode, embedding) from the build tree.
set -e
cd "$(dirname "$0")/.."
# CC chooses the compiler of the demo's API mode, and so the plugin it loads
# (CC=clang: the Clang plugin); ccffi itself is built with the default one.
DEMO_CC=${CC:-}
unset CC
sh tools/deps.sh
[ -f configure ] || ./autogen.sh
# the build directory tools/test.sh uses (builds stay out of the source tree)
mkdir -p build/main
cd build/main
[ -f Makefile ] || ../../configure --quiet
make -j"$(nproc)"
PYTHON=$(sed -n 's/^PYTHON = //p' Makefile)
# the demo's API mode compiles with the caller's CC, if one was given (an
# empty CC would leave compile() no compiler at all)
if [ -n "$DEMO_CC" ]; then CC=$DEMO_CC; export CC; fi
PYTHONPATH="$PWD/python" exec "$PYTHON" ../../demo/demo.py
