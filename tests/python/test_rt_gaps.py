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


# -- a missing symbol whose declared type is broken: which error first.
# The Lib of cffi.FFI.dlopen() (in-line) builds the type first for both
# functions and variables; the Lib of an out-of-line module looks a
# function's symbol up first but still builds a variable's type first.

BITS40 = ("bit field 'struct s.x' is declared 'int:40', which exceeds the "
          "width of the type")


def _out_of_line(tmp_path, cdef):
    import importlib
    import sys
    import uuid
    ffi = FFI()
    ffi.cdef(cdef)
    name = "_rtgap_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, None)
    ffi.compile(tmpdir=str(tmp_path), verbose=False)
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name).ffi
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def _missing(kind, name):
    return ("%s '%s' not found in library '<None>': " % (kind, name))


@pytest.mark.parametrize("decl", ["extern struct s rtgap_g;",
                                  "extern struct s *rtgap_g;"])
def test_missing_variable_of_broken_type_inline(decl):
    ffi = FFI()
    ffi.cdef("struct s { int x:40; }; " + decl)
    lib = ffi.dlopen(None)
    with pytest.raises(TypeError) as e:
        lib.rtgap_g
    assert str(e.value) == BITS40
    # the struct is opaque after its failed completion: now the symbol
    with pytest.raises(KeyError) as e:
        lib.rtgap_g
    assert str(e.value).startswith('"' + _missing("variable", "rtgap_g"))


@pytest.mark.parametrize("decl", ["extern struct s rtgap_g;",
                                  "extern struct s *rtgap_g;"])
def test_missing_variable_of_broken_type_out_of_line(tmp_path, decl):
    ffi = _out_of_line(tmp_path, "struct s { int x:40; }; " + decl)
    lib = ffi.dlopen(None)
    for i in range(2):
        with pytest.raises(TypeError) as e:
            lib.rtgap_g
        assert str(e.value) == BITS40


@pytest.mark.parametrize("decl", ["struct s rtgap_f(void);",
                                  "int rtgap_f(struct s);"])
def test_missing_function_of_broken_type_inline(decl):
    ffi = FFI()
    ffi.cdef("struct s { int x:40; }; " + decl)
    lib = ffi.dlopen(None)
    with pytest.raises(TypeError) as e:
        lib.rtgap_f
    assert str(e.value) == BITS40


@pytest.mark.parametrize("decl", ["struct s rtgap_f(void);",
                                  "int rtgap_f(struct s);"])
def test_missing_function_of_broken_type_out_of_line(tmp_path, decl):
    ffi = _out_of_line(tmp_path, "struct s { int x:40; }; " + decl)
    lib = ffi.dlopen(None)
    for i in range(2):
        with pytest.raises(ffi.error) as e:
            lib.rtgap_f
        assert str(e.value).startswith("symbol 'rtgap_f' not found in "
                                       "library '<None>': ")


def test_present_function_of_broken_type_out_of_line(tmp_path):
    # the symbol exists: the type is built and fails
    ffi = _out_of_line(tmp_path, "struct s { int x:40; }; struct s getpid(void);")
    lib = ffi.dlopen(None)
    for i in range(2):
        with pytest.raises(TypeError) as e:
            lib.getpid
        assert str(e.value) == BITS40


def test_undeclared_name_inline_lib():
    # cffi.FFI's Lib says only the name; an out-of-line Lib says more
    ffi = FFI()
    ffi.cdef("int getpid(void);")
    lib = ffi.dlopen(None)
    with pytest.raises(AttributeError) as e:
        lib.rtgap_nothing
    assert e.value.args == ("rtgap_nothing",)
    with pytest.raises(AttributeError) as e:
        lib.rtgap_nothing = 5
    assert e.value.args == ("rtgap_nothing",)


def test_undeclared_name_out_of_line_lib(tmp_path):
    lib = _out_of_line(tmp_path, "int getpid(void);").dlopen(None)
    with pytest.raises(AttributeError) as e:
        lib.rtgap_nothing
    assert str(e.value) == ("cffi library '<None>' has no function, constant "
                            "or global variable named 'rtgap_nothing'")


# -- an out-of-line ABI module's struct reached by value through a function
# pointer member while its members are realized: CFFI has no size for it yet
# (TypeError), where API mode recurses (RuntimeError, test_rt_recursive.py)

@pytest.mark.parametrize("cdef, uses, message", [
    ("struct tree { int (*cmp)(struct tree t); };",
     ["new struct tree *", "typeof int(*)(struct tree)", "new struct tree *",
      "typeof struct tree(*)(void)"],
     "ctype 'struct tree' has incomplete type"),
    ("struct tree { void (*cmp)(struct tree t); };",
     ["typeof struct tree *", "typeof struct tree", "typeof struct tree *"],
     "ctype 'struct tree' has incomplete type"),
    ("struct s { struct s (*f)(void); };",
     ["new struct s *", "typeof struct s(*)(void)", "new struct s *",
      "typeof int(*)(struct s)"],
     "invalid result type: 'struct s'"),
    ("struct s { struct s (*f)(struct s); };",
     ["new struct s *", "new struct s *"],
     "invalid result type: 'struct s'"),
    ("struct a { void (*f)(struct b); int x; }; struct b { struct a in; };",
     ["new struct a *", "new struct b *"],
     "ctype 'struct b' has incomplete type"),
])
def test_out_of_line_struct_by_value_in_its_own_member(tmp_path, cdef, uses,
                                                       message):
    ffi = _out_of_line(tmp_path, cdef)
    for use in uses:
        how, t = use.split(" ", 1)
        with pytest.raises(TypeError) as e:
            ffi.new(t) if how == "new" else ffi.typeof(t)
        assert str(e.value) == message


def test_out_of_line_global_of_struct_by_value_in_its_own_member(tmp_path):
    ffi = _out_of_line(tmp_path, "struct s { int (*f)(struct s); };"
                                 " extern struct s rtgap_g;")
    lib = ffi.dlopen(None)
    for i in range(2):
        with pytest.raises(TypeError) as e:
            lib.rtgap_g
        assert str(e.value) == "ctype 'struct s' has incomplete type"


# -- an array length of 2**63 or more in a cdef: CFFI accepts the cdef and
# raises OverflowError when the type is used

INDEX_SIZED = "cannot fit 'int' into an index-sized integer"


@pytest.mark.parametrize("length", ["9223372036854775808",
                                    "13835058055282163712",
                                    "0xffffffffffffffff"])
def test_huge_array_length_typedef(length):
    ffi = FFI()
    ffi.cdef("typedef int a_t[%s];" % length)
    for use in (ffi.sizeof, ffi.typeof, lambda t: ffi.typeof(t + " *"),
                ffi.sizeof):
        with pytest.raises(OverflowError) as e:
            use("a_t")
        assert str(e.value) == INDEX_SIZED


def test_huge_array_length_type_string():
    ffi = FFI()
    with pytest.raises(OverflowError) as e:
        ffi.typeof("int[9223372036854775808]")
    assert str(e.value) == INDEX_SIZED
    # a parameter's array is a pointer
    assert ffi.typeof("int(*)(int[9223372036854775808])") is \
        ffi.typeof("int(*)(int *)")


@pytest.mark.parametrize("member", ["int a[9223372036854775808];",
                                    "char x[0xffffffffffffffff]; char y[2];",
                                    "int x[2][0x8000000000000000];"])
def test_huge_array_length_member(member):
    ffi = FFI()
    ffi.cdef("struct s { %s };" % member)
    with pytest.raises(OverflowError) as e:
        ffi.sizeof("struct s")
    assert str(e.value) == INDEX_SIZED
    # then opaque, as CFFI
    with pytest.raises(ValueError) as e:
        ffi.sizeof("struct s")
    assert str(e.value) == "ctype 'struct s' is of unknown size"
    assert ffi.typeof("struct s *") is ffi.typeof("struct s *")


def test_huge_array_length_member_through_pointer_first():
    ffi = FFI()
    ffi.cdef("struct s { int a[9223372036854775808]; };")
    with pytest.raises(OverflowError) as e:
        ffi.typeof("struct s *")
    assert str(e.value) == INDEX_SIZED
    with pytest.raises(TypeError) as e:
        ffi.new("struct s *")
    assert str(e.value) == "cannot instantiate ctype 'struct s' of unknown size"


def test_huge_array_length_global():
    ffi = FFI()
    ffi.cdef("extern int rtgap_g[9223372036854775808];"
             " int rtgap_f(int a[9223372036854775808]);")
    lib = ffi.dlopen(None)
    with pytest.raises(OverflowError) as e:
        lib.rtgap_g
    assert str(e.value) == INDEX_SIZED
    with pytest.raises(AttributeError) as e:
        lib.rtgap_f
    assert str(e.value).startswith("function/symbol 'rtgap_f' not found")


def test_negative_array_length_member_of_chars():
    # the negative length stays a ValueError at use, for chars too
    ffi = FFI()
    ffi.cdef("struct s { char x[-1]; char y[2]; };")
    with pytest.raises(ValueError) as e:
        ffi.sizeof("struct s")
    assert str(e.value) == "negative array length"


def test_huge_array_length_compiled_type_string(tmp_path):
    # CFFI's C parser (a compiled module's ffi) refuses the number
    ffi = _out_of_line(tmp_path, "extern int rtgap_x;")
    for t in ("int[9223372036854775808]", "int[99999999999999999999]"):
        with pytest.raises(ffi.error) as e:
            ffi.typeof(t)
        assert str(e.value) == "number too large\n%s\n    ^" % t


# -- `int x = 5;`: an integer constant to CFFI, whatever the storage class
# (CFFI's rule: an integer type, not char, initialised by an integer literal)

@pytest.mark.parametrize("src, value", [
    ("int x = 5;", 5),
    ("const int x = 7;", 7),
    ("extern int x = 9;", 9),
    ("int x = -0x10;", -16),
    ("long x = 0L;", 0),
    ("int x = 0;", 0),
    ("signed char x = 5;", 5),
    ("unsigned long long x = 18446744073709551615ULL;", 18446744073709551615),
    ("int x = 5, y = 6;", 5),
])
def test_integer_literal_initializer_is_a_constant(src, value):
    ffi = FFI()
    with warnings.catch_warnings():
        warnings.simplefilter("error")     # and no storage-class warning
        ffi.cdef(src)
    assert ffi.dlopen(None).x == value


@pytest.mark.parametrize("src", ["char x = 'a';", "char x = 5;",
                                 "wchar_t x = 5;", "int x = 1 + 2;"])
def test_other_initializer_is_a_variable(src):
    ffi = FFI()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ffi.cdef(src)
    with pytest.raises(KeyError) as e:
        ffi.dlopen(None).x
    assert str(e.value).startswith("\"variable 'x' not found in library")


def test_addressof_on_the_in_line_lib():
    # cffi.FFI's Lib (cffi/api.py __addressof__): a constant or enumerator
    # gives its value, a function the function, a variable its address
    # (an array variable: the array), a missing symbol and an undeclared
    # name what CFFI raises for them
    ffi = FFI()
    ffi.cdef("#define FOO 42\nenum e { E1 = 7 }; int abs(int);"
             " extern long timezone; extern char *tzname[2];"
             " extern int no_such_var_here;")
    lib = ffi.dlopen(None)
    assert ffi.addressof(lib, "FOO") == 42
    assert ffi.addressof(lib, "E1") == 7
    assert ffi.addressof(lib, "abs") is lib.abs
    p = ffi.addressof(lib, "timezone")
    assert ffi.typeof(p) is ffi.typeof("long *") and p[0] == lib.timezone
    a = ffi.addressof(lib, "tzname")
    assert ffi.typeof(a) is ffi.typeof("char *[2]") and a == lib.tzname
    with pytest.raises(AttributeError) as e:
        ffi.addressof(lib, "nope")
    assert str(e.value) == "nope"
    with pytest.raises(AttributeError) as e:
        ffi.addressof(lib, "no_such_var_here")
    assert str(e.value).startswith(
        "function/symbol 'no_such_var_here' not found in library")


@pytest.mark.parametrize("expr", [
    "ffi.new('int[]', 2**62)",
    "ffi.new('int[2305843009213693952]')",
    "ffi.typeof('int[4611686018427387904]')",
    "ffi.new('char[][4611686018427387904]', 4)",
])
def test_array_size_overflow_wording(expr):
    ffi = FFI()
    with pytest.raises(OverflowError) as e:
        eval(expr)
    assert str(e.value) == "array size would overflow a Py_ssize_t"


def test_dir_of_an_out_of_line_lib_lists_its_own_names(tmp_path):
    # CFFI's out-of-line Lib reads an included module's integer constants
    # but dir() lists its own names (and the enumerators of its types)
    import importlib
    import sys
    import uuid
    tag = uuid.uuid4().hex[:8]
    base = FFI()
    base.cdef("#define BASE_K 5\nint abs(int); enum be { BE1 = 3 };"
              " static const int BASE_C = 7;")
    base.set_source("_gaps_base_" + tag, None)
    base.compile(tmpdir=str(tmp_path))
    own = FFI()
    own.include(base)
    own.cdef("#define OWN_K 6\nint labs(int); enum oe { OE1 = 4 };")
    own.set_source("_gaps_own_" + tag, None)
    own.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        lib = importlib.import_module("_gaps_own_" + tag).ffi.dlopen(None)
    finally:
        sys.path.remove(str(tmp_path))
    assert sorted(dir(lib)) == ["BE1", "OE1", "OWN_K", "labs"]
    assert (lib.BASE_K, lib.BASE_C, lib.OWN_K) == (5, 7, 6)


# a constant's value as written, not converted to its type (CFFI's ABI
# modes; in API mode the compiler's value differs and CFFI, as ccffi,
# refuses the module: "the cdef disagrees")
LITERAL_CONSTANTS = [
    ("static const unsigned char x = 300;", 300),
    ("static const _Bool x = 2;", 2),
    ("_Bool x = 2;", 2),
    ("static const signed char x = 200;", 200),
    ("static const int x = 5000000000;", 5000000000),
    ("static const short x = -70000;", -70000),
    ("static const unsigned int x = -1;", -1),
    ("unsigned char x = 256;", 256),
]


@pytest.mark.parametrize("src, value", LITERAL_CONSTANTS)
def test_constant_keeps_its_literal_value(src, value):
    ffi = FFI()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ffi.cdef(src)
    assert ffi.dlopen(None).x == value


@pytest.mark.parametrize("src, value", LITERAL_CONSTANTS)
def test_constant_keeps_its_literal_value_out_of_line(tmp_path, src, value):
    ffi = _out_of_line(tmp_path, src)
    assert ffi.dlopen(None).x == value


# compile() of an out-of-line ABI module: CFFI cannot write an array
# length below 0 or above 2**31-1 (an array parameter is a pointer)
@pytest.mark.parametrize("src, exc, msg", [
    ("struct s { int a[-1]; };", "VerificationError",
     "cannot emit to Python: '-1'"),
    ("extern int g[-2];", "VerificationError", "cannot emit to Python: '-2'"),
    ("typedef int t[-1];", "VerificationError", "cannot emit to Python: '-1'"),
    ("typedef int t[4611686018427387904];", "OverflowError",
     "cannot emit '4611686018427387904': limited to 2**31-1"),
    ("typedef int t[9223372036854775808];", "OverflowError",
     "cannot emit '9223372036854775808': limited to 2**31-1"),
    ("typedef char t[2147483648];", "OverflowError",
     "cannot emit '2147483648': limited to 2**31-1"),
    ("struct s { int (*p)[-3]; };", "VerificationError",
     "cannot emit to Python: '-3'"),
])
def test_out_of_line_compile_refuses_array_lengths(tmp_path, src, exc, msg):
    import cffi
    ffi = FFI()
    ffi.cdef(src)
    ffi.set_source("_rtgap_emit", None)
    with pytest.raises(getattr(cffi, exc, OverflowError)) as e:
        ffi.compile(tmpdir=str(tmp_path))
    assert type(e.value).__name__ == exc
    assert str(e.value) == msg
    assert not (tmp_path / "_rtgap_emit.py").exists()


def test_out_of_line_compile_array_parameter_and_large_length(tmp_path):
    ffi = FFI()
    ffi.cdef("int f(int a[-1]); typedef char t[2147483647];")
    ffi.set_source("_rtgap_emit_ok", None)
    ffi.compile(tmpdir=str(tmp_path))
    assert (tmp_path / "_rtgap_emit_ok.py").exists()
