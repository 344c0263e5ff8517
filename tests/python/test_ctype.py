"""CType objects: names, kinds, attributes, sizes, offsets, cdef() options
and the errors CFFI raises for types ABI mode cannot use."""
import pytest

import cffi


def test_primitive_names_and_identity(ffi):
    assert repr(ffi.typeof("int")) == "<ctype 'int'>"
    assert ffi.typeof("unsigned long long").cname == "unsigned long long"
    assert ffi.typeof("int") is ffi.typeof("int")
    assert ffi.typeof("int *") is ffi.typeof("int*")
    assert cffi.FFI().typeof("int") is ffi.typeof("int")


@pytest.mark.parametrize("spelling, name", [
    ("int**", "int * *"),
    ("int(*)[3]", "int(*)[3]"),
    ("int(**)[3]", "int(* *)[3]"),
    ("int*[3]", "int *[3]"),
    ("int*(*)[3]", "int *(*)[3]"),
    ("int[3][4]", "int[3][4]"),
    ("int(*)(int)", "int(*)(int)"),
    ("int(**)(int)", "int(* *)(int)"),
    ("int(*[2])(int)", "int(*[2])(int)"),
    ("int(*(*)(int))(long)", "int(*(*)(int))(long)"),
    ("void(*)(int, char*, ...)", "void(*)(int, char *, ...)"),
    ("int(*)(void)", "int(*)()"),
    ("char[]", "char[]"),
])
def test_derived_type_names(ffi, spelling, name):
    assert ffi.typeof(spelling).cname == name


def test_kinds(ffi):
    ffi.cdef("struct s { int a; }; union u { int a; }; enum e { A };")
    kinds = {"int": "primitive", "double": "primitive", "void": "void",
             "void *": "pointer", "int[2]": "array", "struct s": "struct",
             "union u": "union", "enum e": "enum",
             "int(*)(int)": "function"}
    for t, k in kinds.items():
        assert ffi.typeof(t).kind == k


def test_attributes_per_kind(ffi):
    ffi.cdef("struct s { int a; short b; }; enum e { A, B = 5, C };")
    assert dir(ffi.typeof("int")) == ['cname', 'kind']
    assert dir(ffi.typeof("int*")) == ['cname', 'item', 'kind']
    assert dir(ffi.typeof("struct s")) == ['cname', 'fields', 'kind']
    assert dir(ffi.typeof("int(*)(int)")) == ['abi', 'args', 'cname', 'ellipsis',
                                              'kind', 'result']
    assert dir(ffi.typeof("enum e")) == ['cname', 'elements', 'kind', 'relements']
    assert ffi.typeof("int *").item is ffi.typeof("int")
    assert ffi.typeof("int[5]").length == 5
    assert ffi.typeof("int[]").length is None
    f = ffi.typeof("int(*)(long, ...)")
    assert f.args == (ffi.typeof("long"),)
    assert f.result is ffi.typeof("int")
    assert f.ellipsis is True
    assert f.abi == 2
    e = ffi.typeof("enum e")
    assert e.elements == {0: 'A', 5: 'B', 6: 'C'}
    assert e.relements == {'A': 0, 'B': 5, 'C': 6}
    with pytest.raises(AttributeError):
        ffi.typeof("int").item
    with pytest.raises(AttributeError):
        ffi.typeof("int").fields


def test_struct_fields(ffi):
    ffi.cdef("struct s { int a; short b; char c[3]; };")
    fields = ffi.typeof("struct s").fields
    assert [n for n, _ in fields] == ['a', 'b', 'c']
    a, b, c = [f for _, f in fields]
    assert (a.offset, a.bitshift, a.bitsize, a.flags) == (0, -1, -1, 0)
    assert b.offset == 4 and b.type is ffi.typeof("short")
    assert c.type.cname == "char[3]"
    assert type(a).__name__ == "CField"


def test_anonymous_members_are_flattened(ffi):
    ffi.cdef("struct s { int a; union { int b; float c; }; "
             "struct { char d; }; int :3; int e:2; };")
    fields = ffi.typeof("struct s").fields
    assert [(n, f.offset) for n, f in fields] == [
        ('a', 0), ('b', 4), ('c', 4), ('d', 8), ('e', 8)]
    p = ffi.new("struct s *")
    p.c = 1.5
    assert p.c == 1.5
    p.d = b'x'
    assert p[0].d == b'x'


def test_bitfield_fields(ffi):
    ffi.cdef("struct bf { int a:3; unsigned b:5; };")
    f = dict(ffi.typeof("struct bf").fields)
    assert (f['a'].bitshift, f['a'].bitsize) == (0, 3)
    assert (f['b'].bitshift, f['b'].bitsize) == (3, 5)


def test_sizeof_alignof(ffi):
    ffi.cdef("struct s { char a; double b; }; struct op;")
    assert ffi.sizeof("int") == 4
    assert ffi.sizeof("struct s") == 16
    assert ffi.alignof("struct s") == 8
    assert ffi.sizeof("int[5]") == 20
    assert ffi.sizeof(ffi.typeof("long")) == 8
    assert ffi.sizeof(ffi.new("int[]", 7)) == 28
    assert ffi.sizeof(ffi.cast("int *", 0)) == 8
    with pytest.raises(ValueError, match="ctype 'struct op' is of unknown size"):
        ffi.sizeof("struct op")
    with pytest.raises(ValueError, match="unknown alignment"):
        ffi.alignof("struct op")
    with pytest.raises(ValueError, match="ctype 'void' is of unknown size"):
        ffi.sizeof("void")
    with pytest.raises(TypeError, match="expected a 'cdata' or 'ctype' object"):
        ffi.sizeof(5)
    assert ffi.alignof(ffi.new("int[41]")) == 4     # as compiled ffi objects allow
    with pytest.raises(ValueError, match="array item of unknown size: 'int\\[\\]'"):
        ffi.typeof("int[10][]")


def test_offsetof(ffi):
    ffi.cdef("struct st { int x; char y; }; struct two { struct st s[2]; int q; };")
    assert ffi.offsetof("struct st", "y") == 4
    assert ffi.offsetof("int[5]", 3) == 12
    assert ffi.offsetof("struct two", "q") == 16
    assert ffi.offsetof("struct two", "s", 1, "y") == 12
    assert ffi.offsetof("struct two", "s") == 0
    with pytest.raises(KeyError):
        ffi.offsetof("struct st", "zz")
    with pytest.raises(TypeError, match="expected a struct or union ctype"):
        ffi.offsetof("int", "b")


def test_offsetof_nested_fields_are_separate_arguments(ffi):
    ffi.cdef("struct in { int a; int b; }; struct out { int x; struct in i; };")
    assert ffi.offsetof("struct out", "i", "b") == 8
    with pytest.raises(KeyError):
        ffi.offsetof("struct out", "i.b")      # as CFFI: not a path
    assert ffi.offsetof("int *", 51) == 51 * 4
    assert ffi.offsetof("int[]", 3) == 12


def test_function_types_are_not_pointer_types(ffi):
    for op in (ffi.typeof, ffi.sizeof, lambda t: ffi.cast(t, 42), ffi.new):
        with pytest.raises(cffi.CDefError,
                           match="the type 'int\\(int\\)' is a function type, "
                                 "not a pointer-to-function type"):
            op("int(int)")
    assert ffi.typeof("int(*)(int)").kind == "function"


def test_derived_types_are_unique_across_ffis(ffi):
    other = cffi.FFI()
    for t in ["int(*)(int,int)", "int *[17]", "int[]", "int ***", "double*"]:
        assert ffi.typeof(t) is other.typeof(t)
    assert ffi.typeof("FILE *") is other.typeof("FILE *")
    ffi.cdef("struct foo { int x; };")
    other.cdef("struct foo { int x; };")
    assert ffi.typeof("struct foo") is not other.typeof("struct foo")
    assert ffi.typeof("struct foo *") is not other.typeof("struct foo *")


def test_getctype(ffi):
    assert ffi.getctype("int") == "int"
    assert ffi.getctype("int", "*") == "int *"
    assert ffi.getctype("int", "a") == "int a"
    assert ffi.getctype("int[3]", "*") == "int(*)[3]"
    assert ffi.getctype("int", replace_with="x") == "int x"
    assert ffi.getctype("int*", replace_with="(*x)[3]") == "int *(*x)[3]"
    assert ffi.getctype(ffi.typeof("char*"), "[5]") == "char *[5]"


def test_list_types(ffi):
    assert ffi.list_types() == ([], [], [])
    ffi.cdef("struct st { int x; }; typedef int myint; union u { int a; };"
             "typedef struct { int y; } anon_t; enum e { A };")
    assert ffi.list_types() == (['anon_t', 'myint'], ['st'], ['u'])


def test_typeof_errors(ffi):
    with pytest.raises(cffi.CDefError):
        ffi.typeof("int x y")
    with pytest.raises(cffi.CDefError, match="unknown identifier 'foo_t'"):
        ffi.typeof("foo_t")
    with pytest.raises(TypeError):
        ffi.typeof(5)


def test_typeof_cdata(ffi):
    a = ffi.new("int[3]")
    assert ffi.typeof(a) is ffi.typeof("int[3]")
    assert ffi.typeof(ffi.cast("long", 1)) is ffi.typeof("long")


def test_typedef_named_anonymous_struct(ffi):
    ffi.cdef("typedef struct { int x; } anon_t;")
    assert ffi.typeof("anon_t").cname == "anon_t"
    assert ffi.typeof("anon_t *").cname == "anon_t *"
    assert repr(ffi.new("anon_t *")) == "<cdata 'anon_t *' owning 4 bytes>"


def test_opaque_struct_completed_by_later_cdef(ffi):
    ffi.cdef("struct later;")
    t = ffi.typeof("struct later")
    p = ffi.typeof("struct later *")
    assert t.fields is None
    ffi.cdef("struct later { int a, b; };")
    assert ffi.typeof("struct later") is t
    assert ffi.sizeof(t) == 8
    assert [n for n, _ in t.fields] == ['a', 'b']
    assert ffi.new(p).b == 0


def test_self_referencing_struct(ffi):
    ffi.cdef("struct node { int v; struct node *next; };")
    t = ffi.typeof("struct node")
    assert dict(t.fields)['next'].type.item is t
    a = ffi.new("struct node *", [1])
    b = ffi.new("struct node *", [2, a])
    assert b.next.v == 1
    assert b.next.next == ffi.NULL


def test_cdef_argument_and_pack_errors(ffi):
    with pytest.raises(TypeError, match="cdef\\(\\) argument must be a string"):
        ffi.cdef(b"int x;")
    with pytest.raises(ValueError, match="'pack' must be a power of two, not 3"):
        ffi.cdef("struct s { char a; int b; };", pack=3)
    with pytest.raises(ValueError, match="cannot give both 'pack' and 'packed'"):
        ffi.cdef("struct s { char a; int b; };", packed=True, pack=2)


def test_packed_and_pack(ffi):
    ffi.cdef("struct p1 { char a; int b; };", packed=True)
    ffi.cdef("struct p2 { char a; int b; };", pack=2)
    assert ffi.sizeof("struct p1") == 5
    assert ffi.sizeof("struct p2") == 6
    assert ffi.offsetof("struct p2", "b") == 2


def test_cdef_syntax_error_is_cdeferror_with_position(ffi):
    with pytest.raises(cffi.CDefError) as e:
        ffi.cdef("int(;")
    assert "<cdef source string>:1:" in str(e.value)


def test_cdef_override(ffi):
    ffi.cdef("typedef int t1;")
    assert ffi.typeof("t1") is ffi.typeof("int")
    with pytest.raises(cffi.FFIError):
        ffi.cdef("typedef long t1;")
    ffi.cdef("typedef long t1;", override=True)
    assert ffi.typeof("t1") is ffi.typeof("long")


def test_abi_mode_refuses_partial_and_unknown_size_types(ffi):
    ffi.cdef("struct s { int a; ...; }; typedef int... t; enum e { A, B, ... };")
    with pytest.raises(cffi.VerificationMissing, match="struct s"):
        ffi.new("struct s *")
    with pytest.raises(NotImplementedError,
                       match="integer type 't' can only be used after compilation"):
        ffi.sizeof("t")
    with pytest.raises(cffi.VerificationMissing, match="enum e"):
        ffi.cast("enum e", 0)


def test_dots_typedef_is_opaque(ffi):
    ffi.cdef("typedef ... foo_t;")
    assert ffi.typeof("foo_t *").cname == "foo_t *"
    with pytest.raises(ValueError, match="unknown size"):
        ffi.sizeof("foo_t")


def test_include(ffi):
    other = cffi.FFI()
    other.cdef("struct pt { int x, y; }; typedef int myint; enum col { RED = 2 };")
    ffi.include(other)
    assert ffi.sizeof("struct pt") == 8
    assert ffi.typeof("myint") is ffi.typeof("int")
    assert ffi.string(ffi.cast("enum col", 2)) == "RED"
    with pytest.raises(TypeError):
        ffi.include(42)


def test_lazy_realization_of_a_big_cdef(ffi):
    decls = "".join("struct s%d { int a%d; long b; };\n" % (i, i)
                    for i in range(2000))
    ffi.cdef(decls)
    assert ffi.offsetof("struct s1999", "b") == 8


def test_backend_ffi_takes_no_argument_and_no_attribute():
    import _cffi_backend
    with pytest.raises(TypeError):
        _cffi_backend.FFI(42)
    f = _cffi_backend.FFI()
    with pytest.raises(AttributeError):
        f.no_such_name = 42
    assert f.new("int *", 3)[0] == 3


def test_ffi_class_attributes(ffi):
    assert ffi.CType is type(ffi.typeof("int"))
    assert isinstance(ffi.cast("int", 1), ffi.CData)
    assert isinstance(ffi.new("int *"), ffi.CData)
    assert issubclass(ffi.error, Exception)
    assert repr(ffi.NULL) == "<cdata 'void *' NULL>"


def test_unknown_size_is_both_ffi_error_and_valueerror(ffi):
    ffi.cdef("struct op;")
    with pytest.raises(ffi.error):
        ffi.sizeof("struct op")
    with pytest.raises(ValueError):
        ffi.alignof("struct op")


def test_include_shares_types(ffi):
    base = cffi.FFI()
    base.cdef("struct p { int x; }; typedef struct { int y; } anon_t; enum col { RED };")
    ffi.include(base)
    assert ffi.typeof("struct p") is base.typeof("struct p")
    assert ffi.typeof("struct p *") is base.typeof("struct p *")
    assert ffi.typeof("anon_t") is base.typeof("anon_t")
    assert ffi.typeof("enum col") is base.typeof("enum col")


def test_long_chain_of_structs_realizes_without_deep_recursion(ffi):
    n = 20000
    ffi.cdef("".join("struct c%d { int v; struct c%d *next; };\n" % (i, i + 1)
                     for i in range(n)) + "struct c%d { int v; };" % n)
    p = ffi.new("struct c0 *")
    assert ffi.typeof(p.next).item.cname == "struct c1"
    assert ffi.sizeof("struct c%d" % (n - 1)) == 16


def test_struct_is_named_after_its_first_typedef(ffi):
    ffi.cdef("struct s { int a; }; typedef struct s s_t; typedef struct s other_t;"
             "struct q { int b; }; typedef struct q *qp;")
    assert ffi.typeof("struct s").cname == "s_t"
    assert ffi.typeof("other_t") is ffi.typeof("struct s")
    assert ffi.typeof("qp").cname == "struct q *"
    late = cffi.FFI()
    late.cdef("struct s { int a; };")
    t = late.typeof("struct s")
    late.cdef("typedef struct s s_t;")
    assert t.cname == "struct s" and late.typeof("s_t") is t


def test_byte_arrays_take_bytes(ffi):
    a = ffi.new("unsigned char[]", b"ab")
    assert len(a) == 3 and a[0] == 97
    assert ffi.string(ffi.new("int8_t[]", [65, 66, 0])) == b"AB"
    with pytest.raises(RuntimeError, match=r"cannot use unpack\(\) on <cdata .char \*. NULL>"):
        ffi.unpack(ffi.cast("char *", 0), 0)


def test_anonymous_records_numbered_in_cdef_order(ffi):
    ffi.cdef("typedef struct { int a; } named_t;"
             "struct outer { struct { int x; } s; union { int y; } u; };")
    fields = dict(ffi.typeof("struct outer").fields)
    assert fields["s"].type.cname == "struct $1"
    assert fields["u"].type.cname == "union $2"
