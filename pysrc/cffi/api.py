"""cffi.FFI: the C runtime's FFI object plus the build-time methods.

Everything that works on types and data at run time is implemented in C by
_cffi_backend.FFI; this subclass adds what only a build script needs.
"""
import _cffi_backend

__all__ = ['FFI']


class FFI(_cffi_backend.FFI):
    """The interface from Python to C declarations (CFFI's `cffi.FFI`)."""
