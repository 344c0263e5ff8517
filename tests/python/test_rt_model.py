"""The cdef() model of CFFI's in-line ABI mode (cffi/model.py), against
what a compiled module's FFI does (CFFI's recompiler and realize_c_type).

A struct whose completion raises (a bad bitfield, a member of unknown size,
a negative array length, a partial enum member, a refused packed bitfield)
raises at its first use, even through a pointer, and then stays opaque:
sizeof() says unknown size, new() cannot instantiate it, and using it by
value raises NotImplementedError "recursive structure declaration".  A
compiled (out-of-line) FFI raises the error at each use instead.  Names:
in-line, a tagged struct takes its first direct typedef's name and a tagged
enum only when that typedef is where it is first mentioned; a compiled FFI
keeps the tag.  Each expectation here was checked against CFFI 2.0.
"""
import warnings

import pytest

import _cffi_backend
from cffi import FFI, VerificationMissing

BAD_STRUCTS = [
    ("struct s { int a:40; };", TypeError,
     "bit field 'struct s.a' is declared 'int:40', which exceeds the width "
     "of the type"),
    ("struct s { float a:3; };", TypeError,
     "field 'struct s.a' declared as 'float' cannot be a bit field"),
    ("struct s { int a:0; };", TypeError,
     "field 'struct s.a' is declared with :0"),
    ("struct o; struct s { struct o a; };", TypeError,
     "field 'struct s.a' has ctype 'struct o' of unknown size"),
    ("struct s { int a[-1]; };", ValueError, "negative array length"),
    ("enum e { A, ... }; struct s { enum e a; };", VerificationMissing,
     "enum e"),
]


def _ffi(cdef, **kw):
    ffi = FFI()
    ffi.cdef(cdef + " struct outer { struct s x; };"
             " struct outerp { struct s *p; };", **kw)
    return ffi


def _assert_opaque_after(ffi):
    # what CFFI shows of the struct once its completion has failed
    assert ffi.typeof("struct s").kind == "struct"
    assert ffi.typeof("struct s").fields is None
    assert ffi.typeof("struct s *").item is ffi.typeof("struct s")
    with pytest.raises(ValueError) as e:
        ffi.sizeof("struct s")
    assert str(e.value) == "ctype 'struct s' is of unknown size"
    with pytest.raises(ValueError) as e:
        ffi.alignof("struct s")
    assert str(e.value) == "ctype 'struct s' is of unknown alignment"
    with pytest.raises(TypeError) as e:
        ffi.new("struct s *")
    assert str(e.value) == "cannot instantiate ctype 'struct s' of unknown size"
    with pytest.raises(TypeError) as e:
        ffi.offsetof("struct s", "a")
    assert str(e.value) == "struct/union is opaque"
    assert repr(ffi.cast("struct s *", 0)) == "<cdata 'struct s *' NULL>"
    for by_value in ("struct s[2]", "struct s[]", "int(*)(struct s)",
                     "struct s(*)(void)"):
        with pytest.raises(NotImplementedError) as e:
            ffi.typeof(by_value)
        assert str(e.value) == "recursive structure declaration for 's'"
    ffi.typeof("struct outerp").fields      # a pointer to it is fine


@pytest.mark.parametrize("cdef, exc, message", BAD_STRUCTS)
@pytest.mark.parametrize("first", [
    lambda ffi: ffi.typeof("struct s"),
    lambda ffi: ffi.typeof("struct s *"),
    lambda ffi: ffi.sizeof("struct s"),
    lambda ffi: ffi.new("struct s *"),
    lambda ffi: ffi.new("struct s[]", 1),
    lambda ffi: ffi.cast("struct s *", 0),
    lambda ffi: ffi.offsetof("struct s", "a"),
    lambda ffi: ffi.typeof("int(*)(struct s)"),
    lambda ffi: ffi.callback("int(*)(struct s *)", lambda p: 0),
    lambda ffi: ffi.typeof("struct outerp"),
], ids=["typeof", "pointer", "sizeof", "new", "array", "cast", "offsetof",
        "function", "callback", "pointer-member"])
def test_a_bad_struct_raises_once_then_is_opaque(cdef, exc, message, first):
    ffi = _ffi(cdef)
    with pytest.raises(exc) as e:
        first(ffi)
    assert type(e.value) is exc or exc is ValueError
    assert str(e.value) == message
    _assert_opaque_after(ffi)


@pytest.mark.parametrize("cdef, exc, message", BAD_STRUCTS)
def test_a_struct_holding_a_bad_one_breaks_with_it(cdef, exc, message):
    ffi = _ffi(cdef)
    with pytest.raises(exc) as e:
        ffi.sizeof("struct outer")
    assert str(e.value) == message
    with pytest.raises(ValueError, match="'struct outer' is of unknown size"):
        ffi.sizeof("struct outer")
    _assert_opaque_after(ffi)
    # a struct holding a broken one by value, named after it
    ffi.cdef("struct later { int k; struct s x; };")
    with pytest.raises(NotImplementedError) as e:
        ffi.sizeof("struct later")
    assert str(e.value) == "recursive structure declaration for 's'"


def test_the_struct_pointing_to_a_bad_one_is_complete():
    ffi = _ffi("struct s { int a:40; };")
    with pytest.raises(TypeError, match="exceeds the width"):
        ffi.typeof("struct outerp")
    p = ffi.new("struct outerp *")
    assert p.p == ffi.NULL
    assert ffi.sizeof("struct outerp") == ffi.sizeof("void *")


def test_recursive_names_of_anonymous_structs():
    ffi = FFI()
    ffi.cdef("typedef struct { int a:40; } foo_t; "
             "typedef struct { foo_t x; } bar_t;")
    with pytest.raises(TypeError) as e:
        ffi.sizeof("foo_t")
    assert str(e.value) == ("bit field 'foo_t.a' is declared 'int:40', which "
                            "exceeds the width of the type")
    with pytest.raises(NotImplementedError) as e:
        ffi.typeof("foo_t[2]")
    assert str(e.value) == "recursive structure declaration for '$foo_t'"
    with pytest.raises(NotImplementedError) as e:
        ffi.typeof("bar_t")
    assert str(e.value) == "recursive structure declaration for '$foo_t'"
    assert ffi.typeof("bar_t").fields is None
    with pytest.raises(NotImplementedError) as e:
        ffi.typeof("bar_t[1]")
    assert str(e.value) == "recursive structure declaration for '$bar_t'"


def test_a_member_type_error_comes_before_the_layout_errors():
    # CFFI builds the member types first, then lays the struct out
    ffi = FFI()
    ffi.cdef("struct s { int a:40; int b[-1]; };")
    with pytest.raises(ValueError) as e:
        ffi.sizeof("struct s")
    assert str(e.value) == "negative array length"
    ffi = FFI()
    ffi.cdef("struct o; struct s { int a:3; struct o x:3; };")
    with pytest.raises(TypeError) as e:
        ffi.sizeof("struct s")
    assert str(e.value) == "field 'struct s.x' has ctype 'struct o' of unknown size"


def test_an_array_of_an_opaque_item_is_refused():
    ffi = FFI()
    ffi.cdef("struct o; struct s { struct o a[2]; }; struct t { struct o b[]; };")
    for t in ("struct o[2]", "struct o[]", "struct s", "struct t"):
        with pytest.raises(ValueError) as e:
            ffi.typeof(t)
        assert str(e.value) == "array item of unknown size: 'struct o'"


def test_a_refused_packed_struct_is_refused_once():
    ffi = FFI()
    ffi.cdef("struct s { int f0 : 21; unsigned short f1 : 14; };", packed=True)
    with pytest.raises(NotImplementedError) as e:
        ffi.new("struct s *")
    assert str(e.value) == ("with 'packed', gcc would compile field "
                            "'struct s.f1' to reuse some bits in the previous "
                            "field")
    with pytest.raises(ValueError, match="unknown size"):
        ffi.sizeof("struct s")
    with pytest.raises(NotImplementedError,
                       match="recursive structure declaration for 's'"):
        ffi.typeof("struct s[2]")


def test_a_body_given_after_use_that_is_bad_raises_in_cdef():
    ffi = FFI()
    ffi.cdef("struct s;")
    ffi.typeof("struct s *")
    with pytest.raises(TypeError, match="exceeds the width"):
        ffi.cdef("struct s { int a:40; };")
    with pytest.raises(ValueError, match="unknown size"):
        ffi.sizeof("struct s")
    with pytest.raises(NotImplementedError, match="recursive structure"):
        ffi.typeof("struct s[1]")


def test_a_partial_struct_raises_at_each_use():
    ffi = FFI()
    ffi.cdef("struct s { int a; ...; };")
    for i in range(2):
        with pytest.raises(VerificationMissing):
            ffi.typeof("struct s *")


def test_a_compiled_ffi_raises_at_each_use():
    # an out-of-line ABI module's FFI: CFFI's realize_c_type fails each time
    ffi = FFI()
    ffi.cdef("struct s { int a:40; }; struct e { };")
    compiled = _cffi_backend._ccffi_ffi_from_table(
        _cffi_backend._ccffi_table_bytes(ffi))
    for t in ("struct s *", "struct s", "struct s *", "struct s"):
        with pytest.raises(TypeError, match="exceeds the width of the type"):
            compiled.typeof(t)
    assert compiled.sizeof("struct e") == 1


@pytest.mark.parametrize("cdef, names", [
    ("enum e0 { A0 }; typedef enum e0 t0;", ["enum e0", "enum e0"]),
    ("typedef enum e0 { A0 } t0;", ["t0", "t0"]),
    ("typedef enum e0 t0;", ["t0", "t0"]),
    ("typedef enum e0 const t0;", ["t0", "t0"]),
    ("typedef enum e0 t0, *p0;", ["t0", "t0"]),
    ("typedef enum e0 *p0, t0;", ["enum e0", "enum e0"]),
    ("enum e0; typedef enum e0 t0;", ["enum e0", "enum e0"]),
    ("void f(enum e0); typedef enum e0 t0;", ["enum e0", "enum e0"]),
    ("struct s { enum e0 x; }; typedef enum e0 t0;", ["enum e0", "enum e0"]),
    ("typedef int (*fp)(enum e0); typedef enum e0 t0;", ["enum e0", "enum e0"]),
    ("typedef enum e0 t0; typedef enum e0 t1;", ["t0", "t0"]),
    ("struct e0 { int a; }; typedef struct e0 t0;", ["t0", "t0"]),
    ("typedef struct e0 *p0; typedef struct e0 t0;", ["t0", "t0"]),
])
def test_typedef_names_of_tagged_records(cdef, names):
    ffi = FFI()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ffi.cdef(cdef)
        kind = "enum" if "enum" in cdef else "struct"
        got = [ffi.getctype("t0"), ffi.getctype(kind + " e0")]
    assert got == names


@pytest.mark.parametrize("cdef, name", [
    ("typedef struct s0 { int a; } t0;", "struct s0"),
    ("struct s0 { int a; }; typedef struct s0 t0;", "struct s0"),
    ("typedef union s0 { int a; } t0;", "union s0"),
    ("typedef enum s0 { A0 } t0;", "enum s0"),
    ("typedef struct { int a; } t0;", "t0"),
    ("typedef enum { A0 } t0;", "t0"),
])
def test_a_compiled_ffi_names_records_by_tag(cdef, name):
    # CFFI's recompiler names a tagged record by its tag in compiled modules
    ffi = FFI()
    ffi.cdef(cdef)
    compiled = _cffi_backend._ccffi_ffi_from_table(
        _cffi_backend._ccffi_table_bytes(ffi))
    assert compiled.getctype("t0") == name


def test_an_empty_struct_has_size_1():
    ffi = FFI()
    ffi.cdef("struct e { }; union u { }; struct z { int :0; };"
             "struct f { int a[]; }; struct w { struct e x; int y; };"
             "struct e2 { struct e a, b; };")
    assert [(ffi.sizeof(t), ffi.alignof(t)) for t in
            ("struct e", "union u", "struct z", "struct f", "struct w",
             "struct e2")] == [(1, 1), (1, 1), (1, 1), (1, 4), (8, 4), (2, 1)]
    assert ffi.offsetof("struct w", "y") == 4
    assert repr(ffi.new("struct e *")) == "<cdata 'struct e *' owning 1 bytes>"
    cb = ffi.callback("int(struct e)", lambda x: 42)
    assert cb(ffi.new("struct e *")[0]) == 42


@pytest.mark.parametrize("cdef, size, fields", [
    ("struct s { int a:-1; char b; };", 8, [("a", 0, "int"), ("b", 4, "char")]),
    ("struct s { char b; int a:-2; };", 8, [("b", 0, "char"), ("a", 4, "int")]),
    ("struct s { float a:-1; };", 4, [("a", 0, "float")]),
    ("struct s { int :-1; int b; };", 8, [("", 0, "int"), ("b", 4, "int")]),
    ("union s { int a:-(1); };", 4, [("a", 0, "int")]),
    ("struct s { int a[2]:-2147483648; };", 8, [("a", 0, "int[2]")]),
])
def test_a_negative_bitfield_width_makes_a_plain_member(cdef, size, fields):
    ffi = FFI()
    ffi.cdef(cdef)
    t = ffi.typeof(cdef.split("{")[0].strip())
    assert ffi.sizeof(t) == size
    assert [(n, f.offset, f.type.cname) for n, f in t.fields] == fields
    assert all(f.bitsize == -1 for n, f in t.fields)


@pytest.mark.parametrize("width, exc, message", [
    ("99999", TypeError, "bit field 'struct s.a' is declared 'int:99999', "
                         "which exceeds the width of the type"),
    ("2147483647", TypeError, "bit field 'struct s.a' is declared "
                              "'int:2147483647', which exceeds the width of "
                              "the type"),
    ("2147483648", OverflowError, "signed integer is greater than maximum"),
    ("-2147483649", OverflowError, "signed integer is less than minimum"),
])
def test_a_huge_bitfield_width(width, exc, message):
    ffi = FFI()
    ffi.cdef("struct s { int a:%s; };" % width)
    with pytest.raises(exc) as e:
        ffi.sizeof("struct s")
    assert str(e.value) == message
