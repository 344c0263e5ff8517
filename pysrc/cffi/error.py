"""The exception classes of cffi.  They are created by the C runtime (which
raises them) and re-exported here under the names CFFI users import."""
from _cffi_backend import (CDefError, FFIError, VerificationError,
                           VerificationMissing, PkgConfigError)

__all__ = ['CDefError', 'FFIError', 'VerificationError',
           'VerificationMissing', 'PkgConfigError']
