"""Recursive and incomplete types used by value, as CFFI 2.0 treats them.

A compiled FFI (CFFI's realize_c_type) builds a function type's call
description at once: an opaque struct passed or returned by value raises
TypeError, and a struct whose members are still being realized, reached by
value through a function pointer member (`struct s { int (*f)(struct s); }`),
raises RuntimeError "type-building recursion too deep or infinite" (issue
11) in API mode, TypeError "ctype 'struct s' has incomplete type" in an
out-of-line ABI module (issue 10).  Each expectation was checked against CFFI 2.0.
"""
import importlib
import sys
import textwrap
import uuid

import pytest

import _cffi_backend
from cffi import FFI

from plugin_compilers import GCC

RECURSION = "type-building recursion too deep or infinite"


def _compiled_abi(cdef):
    # an out-of-line ABI module's FFI, from the table cdef() builds
    ffi = FFI()
    ffi.cdef(cdef)
    return _cffi_backend._ccffi_ffi_from_table(_cffi_backend._ccffi_table_bytes(ffi))


def _compiled_api(tmp_path, monkeypatch, cdef, source):
    monkeypatch.setenv("CC", GCC.command)
    ffi = FFI()
    ffi.cdef(cdef)
    name = "_rec_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, textwrap.dedent(source))
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name).ffi
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


TREE = "struct tree { int (*cmp)(struct tree t); };"


def test_struct_with_function_member_taking_itself_abi():
    # out-of-line ABI: CFFI's struct has no size while its members are
    # realized (TypeError); API mode: RuntimeError below
    ffi = _compiled_abi(TREE)
    for i in range(2):
        with pytest.raises(TypeError, match="^ctype 'struct tree' has incomplete type$"):
            ffi.new("struct tree *")
        with pytest.raises(TypeError, match="^ctype 'struct tree' has incomplete type$"):
            ffi.typeof("int(*)(struct tree)")


def test_struct_with_function_member_taking_itself_api(tmp_path, monkeypatch):
    ffi = _compiled_api(tmp_path, monkeypatch, TREE, TREE)
    with pytest.raises(RuntimeError, match=RECURSION):
        ffi.new("struct tree *")


def test_recursion_through_another_struct_by_value():
    # CFFI cannot size struct b while struct a is under construction
    ffi = _compiled_abi("struct a { void (*f)(struct b); int x; };"
                        " struct b { struct a in; };")
    for t in ("struct a *", "struct b *", "struct a *"):
        with pytest.raises(TypeError, match="^ctype 'struct b' has incomplete type$"):
            ffi.new(t)


def test_function_of_a_complete_struct_by_value_is_fine():
    ffi = _compiled_abi("struct p { int x; };"
                        " struct s { struct p (*f)(struct p, struct p *); };")
    p = ffi.new("struct s *")
    assert ffi.typeof(p.f) is ffi.typeof("struct p(*)(struct p, struct p *)")
    # a pointer to the struct being completed is no problem
    ffi = _compiled_abi("struct s { int (*f)(struct s *); };")
    assert ffi.new("struct s *").f == ffi.NULL


def test_opaque_argument_by_value_abi():
    ffi = _compiled_abi("typedef ... foo_t; struct s { void (*x)(foo_t); };")
    for i in range(2):
        with pytest.raises(TypeError, match="^ctype 'foo_t' has incomplete type$"):
            ffi.new("struct s *")
        with pytest.raises(TypeError, match="^ctype 'foo_t' has incomplete type$"):
            ffi.typeof("void(*)(foo_t)")
    with pytest.raises(TypeError, match="^result type 'foo_t' is opaque$"):
        ffi.typeof("foo_t(*)(int)")


def test_opaque_argument_by_value_api(tmp_path, monkeypatch):
    ffi = _compiled_api(tmp_path, monkeypatch,
                        "typedef ... foo_t; struct foo_s { void (*x)(foo_t); };",
                        "typedef int foo_t; struct foo_s { void (*x)(foo_t); };")
    with pytest.raises(TypeError, match="^ctype 'foo_t' has incomplete type$"):
        ffi.new("struct foo_s *")


# cdef() accepts a struct holding itself by value (issue 10); its first use
# raises NotImplementedError naming the struct met again, then every
# struct of the cycle is opaque.  (cdef, first use, struct named, structs
# opaque after)
SELF_HOLDING = [
    ("struct s { struct s x; };", "struct s", "s", ["struct s"]),
    ("struct s { int a; struct s x[2]; };", "struct s", "s", ["struct s"]),
    ("union u { union u x; };", "union u", "u", ["union u"]),
    ("typedef struct s s_t; struct s { s_t y; };", "s_t", "s", ["s_t"]),
    ("struct s { struct { struct s z; } in; };", "struct s", "s", ["struct s"]),
    ("struct a { struct b x; }; struct b { struct a y; };", "struct a", "a",
     ["struct a", "struct b"]),
    ("struct a { struct b x; }; struct b { struct a y; };", "struct b", "b",
     ["struct a", "struct b"]),
    # through a pointer: raised by the pointer type's first realization
    ("struct s { struct s *p; struct s y; };", "struct s *", "s", ["struct s"]),
]


@pytest.mark.parametrize("cdef, first, name, after", SELF_HOLDING)
def test_self_holding_struct_raises_at_first_use(cdef, first, name, after):
    ffi = FFI()
    ffi.cdef(cdef)
    with pytest.raises(NotImplementedError) as e:
        ffi.sizeof(first)
    assert str(e.value) == "recursive structure declaration for '%s'" % name
    for t in after:
        with pytest.raises(ValueError, match="is of unknown size"):
            ffi.sizeof(t)
        with pytest.raises(TypeError, match="cannot instantiate ctype '.*' of unknown size"):
            ffi.new(t + " *")
