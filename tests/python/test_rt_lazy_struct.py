"""Structs of an API-mode module that CFFI 2.0 keeps lazy (issue 10).

CFFI's compiled module realizes a struct's members only where they are
needed (its size from ffi.sizeof(), ffi.new(), a member, an initializer,
.fields, offsetof/alignof, reading it by value, describing a function that
takes it by value to libffi).  So a struct whose members fail to realize
(`struct s { int (*f)(struct s); }`) can still be named, pointed to and
cast to; each use that needs its members raises the error again.  Building
the libffi description of a function type refuses a struct by value of
size 0 (TypeError "ctype 'X' has size 0"), but lib.f is fetched without that description, so
lib.f works where ffi.typeof(lib.f) raises.  Every expectation below was
checked against CFFI 2.0, with and without ccffi's plugin.
"""
import importlib
import sys
import textwrap
import uuid

import pytest

from cffi import FFI

from plugin_compilers import GCC

RECURSION = "^type-building recursion too deep or infinite"


def _compiled(tmp_path, monkeypatch, cdef, source):
    monkeypatch.setenv("CC", GCC.command)
    ffi = FFI()
    ffi.cdef(cdef)
    name = "_lazy_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, textwrap.dedent(source))
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        mod = importlib.import_module(name)
        return mod.ffi, mod.lib
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


SELF_BY_VALUE = """
    struct s { int (*f)(struct s); };
    struct t { struct s *p; int y; };
    struct s *get(void);
"""


def test_struct_whose_members_fail_can_be_named(tmp_path, monkeypatch):
    ffi, lib = _compiled(tmp_path, monkeypatch, SELF_BY_VALUE,
                         SELF_BY_VALUE.replace("struct s *get(void);",
                                               "struct s *get(void) { return 0; }"))
    # what needs no members works, as in CFFI
    p = ffi.typeof("struct s *")
    assert p.item is ffi.typeof("struct s")
    assert ffi.typeof("struct s").kind == "struct"
    assert ffi.typeof("struct s").cname == "struct s"
    assert ffi.cast("struct s *", 0) == ffi.NULL
    assert lib.get() == ffi.NULL
    assert ffi.new("struct s **")[0] == ffi.NULL
    assert ffi.sizeof("struct s[3]") == 3 * ffi.sizeof("void *")
    assert ffi.sizeof(ffi.new("struct s[]", 1)) == ffi.sizeof("void *")
    t = ffi.new("struct t *")
    assert t.y == 0 and t.p == ffi.NULL
    # each use that needs the members raises CFFI's error, every time
    mem = ffi.new("char[64]")
    uses = [
        lambda: ffi.sizeof("struct s"),
        lambda: ffi.alignof("struct s"),
        lambda: ffi.offsetof("struct s", "f"),
        lambda: ffi.typeof("struct s").fields,
        lambda: ffi.new("struct s *"),
        lambda: ffi.new("struct s[]", [{}]),
        lambda: ffi.cast("struct s *", mem).f,
        lambda: ffi.cast("struct s *", mem)[0],
        lambda: dir(ffi.cast("struct s *", mem)),
        lambda: ffi.typeof("int(*)(struct s)"),
        lambda: ffi.typeof("struct s(*)(void)"),
        lambda: ffi.callback("int(struct s)", lambda x: 0),
    ]
    for i in range(2):
        for use in uses:
            with pytest.raises(RuntimeError, match=RECURSION):
                use()


EMPTY = """
    struct z { };
    int g(struct z);
    struct z h(int);
    struct z *hp(void);
"""


def test_zero_size_struct_by_value(tmp_path, monkeypatch):
    ffi, lib = _compiled(tmp_path, monkeypatch, EMPTY, """
        struct z { };
        int g(struct z x) { return 42; }
        struct z h(int x) { struct z r; return r; }
        struct z *hp(void) { static struct z r; return &r; }
    """)
    msg = "^ctype 'struct z' has size 0$"
    for i in range(2):
        with pytest.raises(TypeError, match=msg):
            ffi.typeof(lib.g)
        with pytest.raises(TypeError, match=msg):
            ffi.typeof(lib.h)
        with pytest.raises(TypeError, match=msg):
            ffi.addressof(lib, "g")
        with pytest.raises(TypeError, match=msg):
            ffi.typeof("int(*)(struct z)")
        with pytest.raises(TypeError, match=msg):
            ffi.typeof("struct z(*)(int)")
        with pytest.raises(TypeError, match=msg):
            ffi.callback("int(struct z)", lambda x: 0)
    # lib.f itself is fetched, as CFFI's
    assert callable(lib.g) and callable(lib.h)
    assert lib.hp() != ffi.NULL
