"""The runtime's objects as CFFI's: Lib objects (lifetime, errors in the two
wordings of cffi.FFI and of _cffi_backend.FFI), struct initializers, enums,
FILE * arguments and type-string errors."""
import gc
import io
import os
import shutil
import warnings
import weakref

import pytest

import _cffi_backend
import cffi

from abi_testlib import shared_lib_path


def _fresh_copy_of_testlib(tmp_path, name):
    """A copy of the test library under a new path, so that nothing else in
    the process has it loaded."""
    path = str(tmp_path / name)
    shutil.copy(shared_lib_path(), path)
    return path


def _mapped(path):
    with open("/proc/self/maps") as f:
        return any(line.rstrip().endswith(path) for line in f)


# ------------------------------------------------------------ Lib lifetime

def test_function_keeps_its_library_loaded(tmp_path):
    path = _fresh_copy_of_testlib(tmp_path, "libkeep1.so")
    ffi = _cffi_backend.FFI()
    ffi.cdef("int tl_add(int a, int b);")
    lib = ffi.dlopen(path)
    add = lib.tl_add
    lib_ref = weakref.ref(lib)
    del lib
    gc.collect()
    assert lib_ref() is None
    assert _mapped(path)            # still loaded: `add` holds it
    assert add(40, 2) == 42
    del add
    gc.collect()
    assert not _mapped(path)        # the last holder gone: closed


def test_dlclose_still_closes_at_once(tmp_path):
    path = _fresh_copy_of_testlib(tmp_path, "libkeep2.so")
    ffi = _cffi_backend.FFI()
    ffi.cdef("int tl_add(int a, int b);")
    lib = ffi.dlopen(path)
    add = lib.tl_add
    ffi.dlclose(lib)
    assert not _mapped(path)
    del add


def test_cffi_ffi_keeps_its_libraries_and_lib_is_weakrefable():
    ffi = cffi.FFI()
    ffi.cdef("int tl_add(int a, int b);")
    lib = ffi.dlopen(shared_lib_path())
    ref = weakref.ref(lib)
    del lib
    gc.collect()
    assert ref() is not None        # kept by the ffi, as in CFFI
    assert ref().tl_add(1, 2) == 3
    raw = _cffi_backend.FFI()
    raw.cdef("int tl_add(int a, int b);")
    ref = weakref.ref(raw.dlopen(shared_lib_path()))
    gc.collect()
    assert ref() is None            # _cffi_backend.FFI does not keep it


# ------------------------------------------------------------ Lib errors

def test_backend_lib_errors_are_ffi_error():
    ffi = _cffi_backend.FFI()
    ffi.cdef("int no_such_function_x(int); extern int no_such_var_x;"
             "extern const int tl_nothing_calls;")
    lib = ffi.dlopen(shared_lib_path())
    with pytest.raises(ffi.error) as e:
        lib.no_such_function_x
    assert str(e.value).startswith("symbol 'no_such_function_x' not found "
                                   "in library '")
    with pytest.raises(ffi.error) as e:
        lib.no_such_var_x
    assert str(e.value).startswith("symbol 'no_such_var_x' not found")
    assert lib.tl_nothing_calls >= 0
    with pytest.raises(AttributeError):
        ffi.addressof(lib, "tl_nothing_calls")     # a const is a value
    ffi.dlclose(lib)
    with pytest.raises(ffi.error) as e:
        lib.tl_nothing_calls
    assert str(e.value) == "library '%s' has been closed" % shared_lib_path()


def test_cffi_lib_errors_as_cffi():
    ffi = cffi.FFI()
    ffi.cdef("#define FOOBAR 42\nstatic const float baz = 42.5;\n"
             "int tl_fortytwo(void);")
    lib = ffi.dlopen(shared_lib_path())
    assert lib.FOOBAR == 42
    with pytest.raises(NotImplementedError) as e:
        lib.baz
    assert str(e.value) == ("non-integer constant 'baz' cannot be accessed "
                            "from a dlopen() library")
    ffi.dlclose(lib)
    with pytest.raises(ValueError) as e:
        lib.tl_fortytwo
    assert str(e.value).endswith("' has already been closed")


def test_partial_enum_is_verification_missing():
    ffi = cffi.FFI()
    ffi.cdef("enum foo {A, ...}; enum bar { B, C };")
    lib = ffi.dlopen(None)
    assert lib.C == 1
    with pytest.raises(cffi.VerificationMissing):
        lib.A
    ffi.set_source("m_partial_enum", None)
    with pytest.raises(cffi.VerificationMissing):
        ffi.emit_python_code(io.StringIO())


def test_integer_const():
    ffi = _cffi_backend.FFI()
    ffi.cdef("#define BIG -420000000000L\nstatic const int K = -43;\n"
             "enum e { E0, E1 = 7 };\nextern int v;")
    assert ffi.integer_const("BIG") == -420000000000
    assert ffi.integer_const("K") == -43
    assert ffi.integer_const("E1") == 7
    with pytest.raises(AttributeError) as e:
        ffi.integer_const("v")
    assert str(e.value) == "integer constant 'v' not found"


def test_def_extern_and_packed_refused_as_cffi():
    ffi = cffi.FFI()
    with pytest.raises(ValueError):
        ffi.def_extern()
    with pytest.raises(ValueError):
        ffi.cdef("", packed=2)
    with pytest.raises(ValueError):
        ffi.cdef("", pack=3)


# ------------------------------------------------------------ data

def test_opaque_enum_is_unsigned_int_with_a_warning():
    ffi = cffi.FFI()
    ffi.cdef("enum foo;")
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        n = ffi.cast("enum foo", -1)
    assert int(n) == 0xffffffff
    assert str(log[0].message) == (
        "'enum foo' has no values explicitly defined; guessing that it is "
        "equivalent to 'unsigned int'")


def test_opaque_enum_member_is_laid_out_as_unsigned_int():
    # CFFI lays a member (or array item) of an opaque enum out as the
    # unsigned int it guesses, warning; it is no 'member of unknown size'
    ffi = cffi.FFI()
    ffi.cdef("enum foo; struct s { enum foo x; char c; enum foo y[2]; };")
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        assert ffi.sizeof("struct s") == 16
    assert "'enum foo' has no values explicitly defined" in str(log[0].message)
    assert ffi.alignof("struct s") == 4
    assert ffi.offsetof("struct s", "y") == 8
    p = ffi.new("struct s *", {"x": 7, "y": [1, 0xffffffff]})
    assert (p.x, list(p.y)) == (7, [1, 0xffffffff])
    with pytest.raises(OverflowError):
        p.x = -1


def test_struct_ending_in_struct_with_flexible_array_sized_from_init():
    ffi = cffi.FFI()
    ffi.cdef("struct in_s { int n; short data[]; };\n"
             "struct out_s { int pad[10]; struct in_s tail; };")
    for k in (1, 50, 400):
        p = ffi.new("struct out_s *", [[1], [7, list(range(k))]])
        assert p.tail.n == 7
        assert p.tail.data[k - 1] == k - 1
        assert ffi.sizeof(p[0]) >= 44 + 2 * k
    p = ffi.new("struct out_s *", {"tail": {"data": [5] * 100}})
    assert p.tail.data[99] == 5


def test_positional_init_of_nested_anonymous_members():
    ffi = cffi.FFI()
    ffi.cdef("struct s { int a; union { int b; union { int c, d; }; }; int e; };"
             "union u { struct { int x, y; }; union { int z, w; }; };")
    flags = [(n, f.flags) for n, f in ffi.typeof("struct s").fields]
    assert flags == [("a", 0), ("b", 0), ("c", 1), ("d", 1), ("e", 0)]
    p = ffi.new("struct s *", [11, 22, 33])
    assert (p.a, p.b, p.c, p.d, p.e) == (11, 22, 22, 22, 33)
    with pytest.raises(ValueError):
        ffi.new("struct s *", [1, 2, 3, 4])
    q = ffi.new("union u *", [5, 6])
    assert (q.x, q.y, q.z) == (5, 6, 5)
    with pytest.raises(ValueError):
        ffi.new("union u *", [1, 2, 3])


def test_file_object_passed_as_FILE_pointer(tmp_path):
    ffi = cffi.FFI()
    ffi.cdef("int fputs(const char *, FILE *);")
    libc = ffi.dlopen(None)
    path = tmp_path / "out.txt"
    with open(str(path), "wb") as f:
        f.write(b"[")
        libc.fputs(b"from C", f)
        f.write(b"]")
        libc.fputs(b"!", f)
    assert path.read_bytes() == b"[from C]!"


def test_none_is_not_a_null_pointer_argument():
    ffi = cffi.FFI()
    ffi.cdef("size_t strlen(const char *);")
    libc = ffi.dlopen(None)
    with pytest.raises(TypeError) as e:
        libc.strlen(None)
    assert str(e.value) == ("initializer for ctype 'char *' must be a cdata "
                            "pointer, not NoneType")


# ------------------------------------------------------------ type strings

def test_type_string_errors_of_cffi_ffi():
    ffi = cffi.FFI()
    with pytest.raises(ValueError) as e:
        ffi.cast("int[-5]", 0)
    assert str(e.value) == "negative array length"
    with pytest.raises(TypeError) as e:
        ffi.cast("int(*)(int)[5]", 0)
    assert str(e.value) == "invalid result type: 'int[5]'"
    with pytest.raises(cffi.CDefError):
        ffi.cast("int(int)", 0)


def test_type_string_errors_of_backend_ffi():
    ffi = _cffi_backend.FFI()
    for text, expected in [
            ("", "identifier expected\n\n^"),
            ("struct struct", "struct or union name expected\n"
                              "struct struct\n       ^"),
            ("struct never_heard_of_s", "undefined struct/union name\n"
                                        "struct never_heard_of_s\n       ^"),
            ("\t\n\x01\x1f~\x7f\x80", "identifier expected\n  ??~???\n  ^"),
            ("int[-5]", "expected a positive integer constant\n"
                        "int[-5]\n    ^"),
            ("Y" * 600, "undefined type name")]:
        with pytest.raises(ffi.error) as e:
            ffi.cast(text, 0)
        assert str(e.value) == expected
    with pytest.raises(ffi.error):
        ffi.cast("int(int)", 0)
    with pytest.raises(TypeError):
        ffi.cast("int(*)(int)[5]", 0)


def test_define_refused_has_no_position():
    with pytest.raises(cffi.CDefError) as e:
        cffi.FFI().cdef("#define BB 12.34")
    assert str(e.value).startswith("only supports one of the following "
                                   "syntax:")


# ------------------------------------------------------------ allocation

def test_new_char_pointer_has_a_nul_after_it():
    ffi = cffi.FFI()
    seen = []
    alloc = ffi.new_allocator(lambda n: (seen.append(n),
                                         ffi.new("char[]", b"X" * n))[1],
                              should_clear_after_alloc=False)
    p = alloc("char *", b"a")
    assert seen == [2]              # room for the NUL, as CFFI asks
    assert repr(ffi.new("char *")) == "<cdata 'char *' owning 1 bytes>"
    assert ffi.string(ffi.new("char *", b"z")) == b"z"
    assert ffi.string(ffi.new("wchar_t *", u"w")) == u"w"
    del p


def test_allocator_without_clearing_and_release_of_its_struct():
    ffi = cffi.FFI()
    ffi.cdef("struct ab { int a, b; };")
    noclear = ffi.new_allocator(should_clear_after_alloc=False)
    for _ in range(200):      # some block comes back dirty: not cleared
        p = noclear("int[]", 1000)
        if any(p[i] for i in range(1000)):
            break
        for i in range(1000):
            p[i] = -1
        del p
    else:
        pytest.fail("should_clear_after_alloc=False still clears")
    seen = []
    alloc = ffi.new_allocator(alloc=lambda n: ffi.new("char[]", n),
                              free=seen.append)
    s = alloc("struct ab *")
    ffi.release(s)
    assert len(seen) == 1 and seen[0] == s
    ffi.release(s)
    assert len(seen) == 1


def test_callback_with_bitfield_struct_refused_as_cffi():
    ffi = cffi.FFI()
    ffi.cdef("struct bf { int a; int x:1; };")
    with pytest.raises(NotImplementedError) as e:
        ffi.callback("struct bf foo(void)", lambda: 42)
    assert str(e.value) == ("struct bf(*)(): callback with unsupported "
                            "argument or return type or with '...'")


def test_deeply_nested_type_is_recursion_error_not_a_crash():
    ffi = cffi.FFI()
    with pytest.raises(RecursionError):
        ffi.typeof("int" + "*" * 100000)
    assert ffi.typeof("int" + "*" * 50).cname == "int" + " *" * 50
