"""pytest configuration for the ccffi suite.

The suite must exercise the build tree's `cffi` and `_cffi_backend`, never the
real CFFI installed on the machine (cffi 2.0.0 in pyenv's site-packages,
Debian's _cffi_backend 1.15.1 in dist-packages).  make check puts the build
tree's python/ directory first on PYTHONPATH and names it in
CCFFI_PYTHON_TREE; importing anything else aborts the run.
"""
import os
import sys

import pytest

TREE = os.environ.get("CCFFI_PYTHON_TREE")


def _inside(path, directory):
    path = os.path.realpath(path)
    directory = os.path.realpath(directory)
    return os.path.commonpath([path, directory]) == directory


def pytest_configure(config):
    if not TREE:
        raise pytest.UsageError(
            "CCFFI_PYTHON_TREE is not set: run the suite with `make check`")
    import cffi
    import _cffi_backend
    for module in (cffi, _cffi_backend):
        if not _inside(module.__file__, TREE):
            raise pytest.UsageError(
                "%s was imported from %s, not from the build tree %s"
                % (module.__name__, module.__file__, TREE))
    if not hasattr(_cffi_backend, "__ccffi__"):
        raise pytest.UsageError("_cffi_backend is not ccffi's")


@pytest.fixture
def ffi():
    """A fresh cffi.FFI."""
    import cffi
    return cffi.FFI()
