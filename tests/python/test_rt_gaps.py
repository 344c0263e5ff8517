"""Places where ccffi was stricter than, or said other things than, CFFI 2.0
in the cdef/runtime layer (issue 10).

Every expectation here was taken from CFFI 2.0 itself: the file runs
unchanged under real CFFI (copy it out of tests/python, away from the
conftest that insists on the build tree, and run it with pyenv's python).
"""
import warnings

import pytest

from cffi import FFI

NO_STORAGE = ("Global variable '%s' in cdef(): for consistency with C it "
              "should have a storage class specifier (usually 'extern')")


def _cdef_warnings(src):
    ffi = FFI()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ffi.cdef(src)
    return [(w.category, str(w.message)) for w in caught]


# (cdef, names CFFI warns about, in order)
STORAGE_CASES = [
    ("struct s { int a; }; struct s g;", ["g"]),
    ("struct s g;", ["g"]),
    ("int g;", ["g"]),
    ("union u { int a; }; union u g;", ["g"]),
    ("typedef struct { int a; } s_t; s_t g;", ["g"]),
    ("struct s { int a; }; struct s *g;", ["g"]),
    ("struct s { int a; }; struct s g[2];", ["g"]),
    ("struct s { int a; }; struct s g, h;", ["g", "h"]),
    ("const int a[3];", ["a"]),
    ("char x = 'a';", ["x"]),
    ("int x = 1 + 2;", ["x"]),
    ("double d = 5;", ["d"]),
    # declared with a storage class, or constants to CFFI: no warning
    ("struct s { int a; }; extern struct s g;", []),
    ("struct s { int a; }; static struct s g;", []),
    ("int f(int);", []),
    ("typedef int t;", []),
    ("const int x;", []),
    ("int * const p;", []),
    ("int x = 5;", []),
    ("int x = -0x10, y = 0u;", []),
    ("long x = 0L;", []),
]


@pytest.mark.parametrize("src, names", STORAGE_CASES)
def test_global_without_storage_class_warns(src, names):
    assert _cdef_warnings(src) == [(UserWarning, NO_STORAGE % n) for n in names]


def test_global_without_storage_class_is_still_declared():
    ffi = FFI()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ffi.cdef("struct s { int a; }; struct s g;")
    lib = ffi.dlopen(None)
    with pytest.raises(KeyError) as e:
        lib.g
    assert str(e.value).startswith("\"variable 'g' not found in library '<None>'")


def test_global_without_storage_class_warning_as_error():
    ffi = FFI()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserWarning) as e:
            ffi.cdef("int g;")
    assert str(e.value) == NO_STORAGE % "g"


def test_verify_does_not_warn_again(tmp_path):
    # ffi.verify() builds from the cdef given before: CFFI warns at cdef()
    # only
    ffi = FFI()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ffi.cdef("int g;")
        assert [str(w.message) for w in caught] == [NO_STORAGE % "g"]
        lib = ffi.verify("int g = 42;", tmpdir=str(tmp_path))
        assert lib.g == 42
        assert [str(w.message) for w in caught
                if issubclass(w.category, UserWarning)] == [NO_STORAGE % "g"]
