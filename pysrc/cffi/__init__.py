"""ccffi: a CFFI-compatible foreign function interface with a C runtime.

`from cffi import FFI` works as with CFFI.  The runtime (types, data, the
cdef parser, calls) is the C extension `_cffi_backend`; this package adds the
build-time side (set_source, compile) in Python.
"""
from .api import FFI
from .error import (CDefError, FFIError, VerificationError,
                    VerificationMissing, PkgConfigError)

__all__ = ['FFI', 'CDefError', 'FFIError', 'VerificationError',
           'VerificationMissing', 'PkgConfigError']

__version__ = "2.0.0"
__version_info__ = (2, 0, 0)
# The ccffi release behind this CFFI-compatible surface.
__ccffi_version__ = "0.1.0"
