"""ccffi: a CFFI-compatible foreign function interface with a C runtime.

`from cffi import FFI` works as with CFFI.  The runtime (types, data, the
cdef parser, calls) is the C extension `_cffi_backend`; this package adds the
build-time side (set_source, compile) in Python.
"""
import _cffi_backend

from .api import FFI
from .error import (CDefError, FFIError, VerificationError,
                    VerificationMissing, PkgConfigError)

__all__ = ['FFI', 'CDefError', 'FFIError', 'VerificationError',
           'VerificationMissing', 'PkgConfigError']

# The CFFI release whose behaviour this follows, and ccffi's own release.
__version__ = _cffi_backend.__version__
__version_info__ = tuple(int(x) for x in __version__.split('.'))
__ccffi_version__ = _cffi_backend.__ccffi__


def get_plugin_flags(cc=None):
    """The compile flags that load the ccffi plugin into the compiler `cc`
    (default: CC, else Python's), for a build system compiling the file of
    ffi.emit_c_code() itself; `python3 -m cffi._flags` prints them."""
    from ._flags import get_plugin_flags
    return get_plugin_flags(cc)
