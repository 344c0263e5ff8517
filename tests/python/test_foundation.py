"""The pieces are joined: the in-tree package over the in-tree C runtime."""
import os
import sys

import cffi
import _cffi_backend


def test_imports_come_from_the_build_tree():
    tree = os.path.realpath(os.environ["CCFFI_PYTHON_TREE"])
    assert os.path.realpath(cffi.__file__).startswith(tree + os.sep)
    assert os.path.realpath(_cffi_backend.__file__).startswith(tree + os.sep)
    # the real CFFI on this machine is not reachable through the package
    assert _cffi_backend.__ccffi__
    assert "site-packages/cffi" not in cffi.__file__


def test_ffi_is_the_c_runtime_object():
    assert issubclass(cffi.FFI, _cffi_backend.FFI)
    assert type(_cffi_backend.FFI.sizeof).__name__ == "method_descriptor"


def test_sizeof_int_is_answered_by_the_runtime():
    assert cffi.FFI().sizeof("int") == 4


def test_exceptions_have_cffi_names():
    assert cffi.CDefError.__module__ == "cffi"
    assert cffi.CDefError.__name__ == "CDefError"
    assert issubclass(cffi.FFIError, Exception)
    assert cffi.FFI.error.__module__ == "ffi"
    assert cffi.FFI.error.__name__ == "error"
