"""ccffi demo: ABI mode against the C library and libm, then API mode.

Run it with tools/demo.sh (from the build tree)."""
import sys

import cffi

print("ccffi", cffi.__ccffi_version__, "(CFFI", cffi.__version__, "compatible)")
ffi = cffi.FFI()
print("sizeof(int) =", ffi.sizeof("int"))
print("sizeof(long double) =", ffi.sizeof("long double"))
