"""API mode: ffi.include() between compiled modules (issue 11).

The types of an included module are the same ctype objects in the module
that includes it, as CFFI shares them: also an anonymous struct that only a
pointer typedef reaches (`typedef struct {...} *foo_p;`).  A struct that is
opaque in the included module but completed by the including one cannot be
shared: CFFI's compiled module raises NotImplementedError when it is used
(while an in-line ABI-mode FFI accepts it).  Each module is built in C and
in C++, with each plugin and with no plugin."""
import importlib
import sys
import textwrap
import uuid

import pytest

from cffi import FFI

from plugin_compilers import MODES, compiler_mode

LANGUAGES = [".c", ".cpp"]


@pytest.fixture(autouse=True, params=MODES)
def mode(request, monkeypatch, tmp_path):
    yield from compiler_mode(request.param, monkeypatch, tmp_path)


def build(tmp_path, cdef, source, ext, include=None):
    """Compiles a module and returns (its cdef's FFI, the module)."""
    ffi = FFI()
    if include is not None:
        ffi.include(include)
    ffi.cdef(textwrap.dedent(cdef))
    source = textwrap.dedent(source)
    if ext == ".cpp":
        source = 'extern "C" {\n%s\n}' % source
    name = "_incl_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, source, source_extension=ext)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return ffi, importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


ANON_P = "typedef struct { int x[2]; int y; } *mystruct_p;"


@pytest.mark.parametrize("ext", LANGUAGES)
def test_anonymous_struct_behind_pointer_typedef_is_shared(tmp_path, ext):
    base_ffi, base = build(tmp_path, ANON_P, ANON_P, ext)
    _, m = build(tmp_path, "mystruct_p ff5(mystruct_p);", ANON_P + """
        mystruct_p ff5(mystruct_p p) { p->x[1] += 42; return p; }
    """, ext, include=base_ffi)
    assert m.ffi.typeof("mystruct_p") is base.ffi.typeof("mystruct_p")
    assert m.ffi.typeof("mystruct_p").item is base.ffi.typeof("mystruct_p").item
    p = m.ffi.new("mystruct_p", [[5, 10], -17])
    assert m.lib.ff5(p) == p
    assert (p.x[0], p.x[1], p.y) == (5, 52, -17)
    # ff5 returns a plain pointer (as with CFFI): the block it points to
    # must outlive the read (a temporary freed it first: found by ASan)
    q = base.ffi.new("mystruct_p", [[1, 2], 3])
    assert m.lib.ff5(q).x[1] == 44


@pytest.mark.parametrize("ext", LANGUAGES)
def test_struct_opaque_in_included_module_refused_at_use(tmp_path, ext):
    base_ffi, base = build(tmp_path, "struct foo_s;", "struct foo_s;", ext)
    _, m = build(tmp_path, "struct foo_s { int x, y; };",
                 "struct foo_s { int x, y; };", ext, include=base_ffi)
    message = ("'struct foo_s' is opaque in the ffi.include(), but no longer "
               "in the ffi doing the include (workaround: don't use "
               "ffi.include() but duplicate the declarations of everything "
               "using struct foo_s)")
    with pytest.raises(NotImplementedError) as info:
        m.ffi.new("struct foo_s *")
    assert str(info.value) == message
    with pytest.raises(NotImplementedError) as info:
        m.ffi.sizeof("struct foo_s")
    assert str(info.value) == message
    # the included module keeps its own opaque struct
    assert base.ffi.typeof("struct foo_s *") is not None


def test_struct_opaque_in_included_abi_ffi_completed_here(mode):
    # in-line ABI mode: CFFI completes the struct, no refusal
    f1 = FFI()
    f1.cdef("struct foo_s;")
    f = FFI()
    f.include(f1)
    f.cdef("struct foo_s { int x, y; };")
    assert f.sizeof(f.new("struct foo_s *")[0]) == 8
