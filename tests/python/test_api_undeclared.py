"""API mode: a function the cdef declares and the source does not (its
definition comes from another source file or a library).  C calls it through
an implicit declaration, which gcc 12 and clang 14 accept with a warning:
CFFI's module builds and works, so ccffi's must, with each plugin (which
warns at the marker, an error only under -Werror as the compiler's own
warning) and without one.  C++ has no implicit declarations: the compiler
refuses, and so does the plugin."""
import importlib
import sys
import uuid

import pytest

from cffi import FFI, VerificationError

from plugin_compilers import MODES, compiler_mode


@pytest.fixture(autouse=True, params=MODES)
def mode(request, monkeypatch, tmp_path):
    yield from compiler_mode(request.param, monkeypatch, tmp_path)


def build(tmp_path, ext, extra_compile_args=()):
    """A module whose source declares nothing; `twice` is defined in a
    second source file compiled into it."""
    impl = tmp_path / "impl.c"
    impl.write_text("int twice(int x) { return 2 * x; }\n")
    ffi = FFI()
    ffi.cdef("int twice(int);")
    name = "_undecl_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, "/* no declaration of twice */",
                   sources=[str(impl)], source_extension=ext,
                   extra_compile_args=list(extra_compile_args))
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name).lib
    finally:
        sys.path.remove(str(tmp_path))


def test_undeclared_function_is_called_in_c(tmp_path):
    assert build(tmp_path, ".c").twice(21) == 42


def test_undeclared_function_under_werror_is_refused_in_c(tmp_path):
    # the compiler's implicit-declaration warning becomes an error
    with pytest.raises(VerificationError):
        build(tmp_path, ".c", ["-Werror"])


def test_undeclared_function_is_refused_in_cxx(tmp_path):
    with pytest.raises(VerificationError):
        build(tmp_path, ".cpp")
