#!/bin/sh
# tools/demo.sh - from a fresh clone: install dependencies, build, and run the
# demo of ABI mode and API mode from the build tree.
set -e
cd "$(dirname "$0")/.."
sh tools/deps.sh
[ -f configure ] || ./autogen.sh
[ -f Makefile ] || ./configure --quiet
make -j"$(nproc)"
PYTHON=$(sed -n 's/^PYTHON = //p' Makefile)
PYTHONPATH="$PWD/python" exec "$PYTHON" demo/demo.py
