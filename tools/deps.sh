#!/bin/sh
# tools/deps.sh - install the Debian packages ccffi needs to build and test.
# Idempotent: installs only what is missing.  Needs root (or sudo).
set -e
PACKAGES="
  build-essential autoconf automake libtool pkg-config
  python3 python3-dev python3-pytest python3-setuptools
  python3-wheel python3-venv python3-tomli python3-exceptiongroup
  libffi-dev libcmocka-dev
  g++ gcc-12-plugin-dev
  clang-14 llvm-14-dev libclang-14-dev libclang-rt-14-dev
  valgrind
  python3-cffi python3-cryptography python3-nacl python3-argon2
  meson ninja-build
"
missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    echo "deps: all Debian packages present"
    exit 0
fi
echo "deps: installing:$missing"
SUDO=
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
