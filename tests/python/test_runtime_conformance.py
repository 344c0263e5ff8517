"""Runtime behaviours that CFFI's own test suite (runtime group) checks and
that our other files did not: each test here is ours, written from CFFI 2.0's
observable behaviour (compared by hand with the real CFFI on this machine),
and fails without the fix it guards."""
import importlib
import os
import sys
import uuid

import pytest

import cffi
from cffi import FFI

from plugin_compilers import BUILT


def build_api(tmp_path, monkeypatch, cdef, source):
    """Compiles an API-mode module with the first compiler whose plugin is
    built and returns it imported."""
    if not BUILT:
        pytest.skip("no compiler plugin built")
    monkeypatch.setenv("CC", BUILT[0].command)
    name = "_rt_%s" % uuid.uuid4().hex[:10]
    ffi = FFI()
    ffi.cdef(cdef)
    ffi.set_source(name, source)
    ffi.compile(tmpdir=str(tmp_path))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name, importlib.import_module(name)


# ------------------------------------------------------- API-mode Lib

def test_star_import_from_an_api_lib(tmp_path, monkeypatch):
    name, mod = build_api(tmp_path, monkeypatch,
                          "int myfunc(int); extern int myvar;\n"
                          "#define MYFOO ...\nenum e { E1 = 7 };",
                          "int myfunc(int x) { return x + 1; }\n"
                          "int myvar = -5;\n#define MYFOO 42\n"
                          "enum e { E1 = 7 };")
    sys.modules[name + ".lib"] = mod.lib
    try:
        d = {}
        exec("from %s.lib import *" % name, d)
    finally:
        del sys.modules[name + ".lib"]
    # the global variable is left out (as CFFI: its value would be frozen)
    assert sorted(k for k in d if not k.startswith("_")) == [
        "E1", "MYFOO", "myfunc"]
    assert d["myfunc"](2) == 3
    assert sorted(mod.lib.__all__) == ["E1", "MYFOO", "myfunc"]
    assert set(mod.lib.__dict__) == {"E1", "MYFOO", "myfunc", "myvar"}


# --------------------------------------------- bitfields refused at use

@pytest.mark.parametrize("decl, message", [
    ("float x:1;", "field 'struct s.x' declared as 'float' cannot be a bit field"),
    ("int *x:3;", "field 'struct s.x' declared as 'int *' cannot be a bit field"),
    ("char x:0;", "field 'struct s.x' is declared with :0"),
    ("int a; char x:9;", "bit field 'struct s.x' is declared 'char:9', "
                         "which exceeds the width of the type"),
])
def test_bad_bitfield_is_refused_when_the_struct_is_used(decl, message):
    # CFFI's cdef() accepts it; the first use raises TypeError, and the
    # struct stays opaque after (test_rt_model.py)
    ffi = FFI()
    ffi.cdef("struct s { %s };" % decl)
    with pytest.raises(TypeError) as e:
        ffi.new("struct s *")
    assert str(e.value) == message
    with pytest.raises(ValueError, match="ctype 'struct s' is of unknown size"):
        ffi.sizeof("struct s")


def test_member_of_unknown_size_is_refused_when_used():
    ffi = FFI()
    ffi.cdef("struct op; struct s { struct op y; };")
    with pytest.raises(TypeError) as e:
        ffi.sizeof("struct s")
    assert str(e.value) == "field 'struct s.y' has ctype 'struct op' of unknown size"


# ------------------------------------------- library functions are CData

def test_a_library_function_is_a_plain_cdata():
    # CFFI: type(lib.f) is ffi.CData itself, not a subclass; ours keeps a
    # fast call through a slot of the plain cdata
    import _cffi_backend
    ffi = FFI()
    ffi.cdef("int abs(int); long labs(long);")
    lib = ffi.dlopen(None)
    f = lib.abs
    assert type(f) is _cffi_backend.FFI.CData
    assert type(f) is ffi.CData
    assert f(-5) == 5 and lib.labs(-7) == 7
    with pytest.raises(TypeError, match="takes no keyword arguments"):
        f(x=1)
    # other plain cdata are called through tp_call: a cast function
    # pointer calls, a cast int refuses
    g = ffi.cast("int(*)(int)", f)
    assert type(g) is ffi.CData and g(-9) == 9
    with pytest.raises(TypeError, match="cdata 'int' is not callable"):
        ffi.cast("int", 5)()
    import weakref
    r = weakref.ref(f)
    assert r() is f


# ------------------------------------------------------- cdef() as CFFI

@pytest.mark.parametrize("source, name", [
    ("struct s { int a:2; ...; };", "struct s"),
    ("struct s { int a; int b:3; ...; };", "struct s"),
    ("typedef struct { int a:2; ...; } foo_t;", "foo_t"),
])
def test_partial_struct_with_bitfields_is_refused(source, name):
    ffi = FFI()
    with pytest.raises(NotImplementedError) as e:
        ffi.cdef(source)
    assert str(e.value) == "<%s>: using both bitfields and '...;'" % name


def test_partial_union_and_nested_bitfields_are_accepted():
    ffi = FFI()
    ffi.cdef("union u { int a:2; ...; };")
    ffi.cdef("struct s2 { struct { int a:1; } x; ...; };")


def test_long_double_dots_is_refused():
    ffi = FFI()
    ffi.cdef("typedef double... d_t; typedef float... f_t;")
    with pytest.raises(cffi.CDefError):
        ffi.cdef("typedef long double... t;")


@pytest.mark.parametrize("spelling", [
    "C+Python", "C +\tPython", "Python + C", "Python+C"])
def test_extern_python_plus_c_spellings(spelling):
    ffi = FFI()
    ffi.cdef('extern "%s" { int f(int); }' % spelling)
    ffi.cdef('extern "%s" int g(int);' % spelling)


def test_extern_python_other_spellings_are_refused():
    ffi = FFI()
    with pytest.raises(cffi.CDefError):
        ffi.cdef('extern "C  Python" int g(int);')


def test_negative_array_length_is_refused_at_use():
    # CFFI's cdef() accepts it; using the type raises ValueError
    ffi = FFI()
    ffi.cdef("int x[-1]; struct s { int y[1-2]; }; typedef int a_t[-1];")
    for t in ["struct s", "a_t"]:
        with pytest.raises(ValueError) as e:
            ffi.sizeof(t)
        assert str(e.value) == "negative array length"
    with pytest.raises(ValueError, match="negative array length"):
        ffi.typeof("int[-1]")


# ------------------------- records CFFI does not hand to libffi, as CFFI

@pytest.mark.parametrize("decl, t, message", [
    ("union u { int a; double d; };", "union u",
     "ctype 'union u' not supported as %s by libffi.  Unions are only "
     "supported as %s if"),
    ("struct z { int n; int a[0]; };", "struct z",
     "ctype 'struct z' not supported as %s.  It is a struct with a "
     "zero-length array, which libffi does not support.  Such structs are "
     "only supported as %s if"),
    ("struct fl { int n; int a[]; };", "struct fl",
     "ctype 'struct fl' not supported as %s.  It is a struct with a "
     "zero-length array"),
    # a nested record is named, and always "as argument" (as CFFI)
    ("struct n { union { int a; float f; } x; int y; };", "struct n",
     "ctype 'union $1' not supported as argument by libffi"),
])
def test_calls_and_callbacks_refuse_what_cffi_refuses(decl, t, message):
    ffi = FFI()
    ffi.cdef(decl + " long labs(long);")
    lib = ffi.dlopen(None)
    addr = ffi.cast("void *", ffi.addressof(lib, "labs"))
    ret = ffi.cast("%s(*)(int)" % t, addr)       # the cast is fine
    arg = ffi.cast("void(*)(%s)" % t, addr)
    places = ("return value", "argument")
    for f, args, place in [(ret, (3,), places[0]),
                           (arg, (ffi.new(t + "*")[0],), places[1])]:
        with pytest.raises(NotImplementedError) as e:
            f(*args)
        expected = message % ((place, place) if message.count("%s") == 2
                              else (place,)) if "%s" in message else message
        assert str(e.value).startswith(expected)
    for sig in ["%s(int)" % t, "void(%s)" % t]:
        with pytest.raises(NotImplementedError) as e:
            ffi.callback(sig, lambda *a: 0)
        assert str(e.value).endswith(
            ": callback with unsupported argument or return type or with '...'")


def test_a_callback_is_named_as_cffi_names_it():
    ffi = FFI()
    cb = ffi.callback("int(int)", lambda x: x + 1)
    assert type(cb).__name__ == "__CDataOwnGC"
    assert cb(1) == 2


# --------------------------------------------- differential causes (16)

def test_a_bool_read_from_a_byte_other_than_0_or_1_raises():
    ffi = FFI()
    ffi.cdef("union u { unsigned char c; _Bool b; _Bool a[2]; };")
    u = ffi.new("union u *")
    u.c = 224
    for read in (lambda: u.b, lambda: u.a[0], lambda: list(u.a),
                 lambda: ffi.unpack(ffi.cast("_Bool *", u), 1)):
        with pytest.raises(ValueError) as e:
            read()
        assert str(e.value) == "got a _Bool of value 224, expected 0 or 1"
    u.c = 1
    assert u.b is True and u.a[0] is True


@pytest.mark.parametrize("init, exc, message", [
    # CFFI sizes a struct with a flexible array member before converting
    # anything: an unknown key, too many items or a bad length come first
    ({"tail": [2**40, 1], "nosuchfield": 1}, KeyError, "'nosuchfield'"),
    ([2**70, 1, [1], 4], ValueError,
     "too many initializers for 'struct s0' (got 4)"),
    ([2**70, 1, -1], ValueError, "negative array length"),
    ({"f0": 2**70, "tail": None}, TypeError,
     "expected new array length or list/tuple/str, not NoneType"),
    ([2**70, 1, "x"], OverflowError, None),      # str: sized, then converted
])
def test_a_var_sized_struct_is_sized_before_it_is_converted(init, exc, message):
    ffi = FFI()
    ffi.cdef("struct s0 { int f0; long f1; int tail[]; };")
    with pytest.raises(exc) as e:
        ffi.new("struct s0 *", init)
    if message is not None:
        assert str(e.value) == message


def test_packed_bitfield_sharing_a_byte_is_refused_as_cffi():
    ffi = FFI()
    ffi.cdef("struct s0 { int f0 : 21; unsigned short f1 : 14; };"
             "struct ok { int a : 3; char c; int b; };"
             "struct s4 { char c; char b : 6; char d : 4; };", packed=True)
    with pytest.raises(NotImplementedError) as e:
        ffi.sizeof("struct s0")
    assert str(e.value) == ("with 'packed', gcc would compile field "
                            "'struct s0.f1' to reuse some bits in the "
                            "previous field")
    with pytest.raises(NotImplementedError, match="'struct s4.d'"):
        ffi.new("struct s4 *")
    assert ffi.sizeof("struct ok") == 6
    ffi = FFI()
    ffi.cdef("struct q { char c[3]; int b : 12; };", pack=2)
    assert ffi.sizeof("struct q") == 6      # starts on a byte: accepted


def test_a_struct_with_an_anonymous_member_is_refused_by_value():
    ffi = FFI()
    ffi.cdef("struct foo { int a; union { int b, c; }; }; long labs(long);")
    lib = ffi.dlopen(None)
    addr = ffi.cast("void *", ffi.addressof(lib, "labs"))
    with pytest.raises(NotImplementedError) as e:
        ffi.cast("struct foo(*)(int)", addr)(1)
    assert str(e.value).startswith(
        "ctype 'struct foo' not supported as return value.  It is a struct "
        "declared with \"...;\", but the C calling convention may depend on "
        "the missing fields; or, it contains anonymous struct/unions.  Such "
        "structs are only supported as return value if")
    with pytest.raises(NotImplementedError):
        ffi.callback("void(struct foo)", lambda x: None)
    p = ffi.new("struct foo *", [1, 2])      # otherwise a normal struct
    assert (p.a, p.b, p.c) == (1, 2, 2)
