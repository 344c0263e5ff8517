"""ffi.dlopen / ffi.dlclose and the Lib object (ABI mode)."""
import ctypes.util
import os

import pytest

import cffi
from abi_testlib import CDEF, open_testlib, shared_lib_path


@pytest.fixture
def lib(ffi):
    return open_testlib(ffi)


def test_dlopen_none_gives_the_c_library(ffi):
    ffi.cdef("int abs(int); size_t strlen(const char *);")
    libc = ffi.dlopen(None)
    assert libc.abs(-5) == 5
    assert libc.strlen(b"abc") == 3


def test_dlopen_by_path_and_function_call(lib):
    assert lib.tl_add(2, 3) == 5


def test_dlopen_bare_name_uses_find_library(ffi):
    if ctypes.util.find_library("m") is None:
        pytest.skip("no libm known to ctypes.util.find_library")
    ffi.cdef("double cos(double);")
    libm = ffi.dlopen("m")
    assert libm.cos(0.0) == 1.0


def test_dlopen_missing_file_message(ffi):
    with pytest.raises(OSError) as e:
        ffi.dlopen("/nonexistent/libnothing.so")
    msg = str(e.value)
    assert msg.startswith("cannot load library '/nonexistent/libnothing.so': ")
    assert "No such file or directory" in msg
    assert "ctypes.util.find_library() did not manage to locate a library " \
           "called '/nonexistent/libnothing.so'" in msg


def test_dlopen_unknown_bare_name_message(ffi):
    with pytest.raises(OSError) as e:
        ffi.dlopen("surely_no_such_library_xyz")
    assert str(e.value) == ("ctypes.util.find_library() did not manage to "
                            "locate a library called 'surely_no_such_library_xyz'")


def test_dlopen_bytes_path(ffi):
    ffi.cdef("int tl_add(int, int);")
    lib = ffi.dlopen(shared_lib_path().encode())
    assert lib.tl_add(2, 2) == 4


def test_dlopen_rejects_other_types(ffi):
    with pytest.raises(TypeError) as e:
        ffi.dlopen(42)
    assert str(e.value) == ("dlopen(name): name must be a file name, None, "
                            "or an already-opened 'void *' handle")


def test_dlopen_adopts_an_open_handle(ffi):
    ffi.cdef("void *dlopen(const char *, int); int tl_add(int, int);"
             " int dlopen_nothing_here(void);")
    libc = ffi.dlopen(None)
    handle = libc.dlopen(shared_lib_path().encode(), ffi.RTLD_NOW)
    lib = ffi.dlopen(handle)
    assert lib.tl_add(3, 4) == 7
    with pytest.raises(AttributeError) as e:
        lib.dlopen_nothing_here
    assert "0x%x" % int(ffi.cast("uintptr_t", handle)) in str(e.value)
    ffi.dlclose(lib)
    with pytest.raises(RuntimeError) as e:
        ffi.dlopen(ffi.NULL)
    assert str(e.value) == "cannot call dlopen(NULL)"


def test_rtld_constants(ffi):
    assert ffi.RTLD_NOW == os.RTLD_NOW
    assert ffi.RTLD_LAZY == os.RTLD_LAZY
    assert ffi.RTLD_GLOBAL == os.RTLD_GLOBAL
    assert ffi.RTLD_LOCAL == os.RTLD_LOCAL
    assert ffi.RTLD_NODELETE == os.RTLD_NODELETE
    assert ffi.RTLD_NOLOAD == os.RTLD_NOLOAD
    assert ffi.RTLD_DEEPBIND == os.RTLD_DEEPBIND


def test_dlopen_with_flags(ffi):
    ffi.cdef("int tl_add(int, int);")
    lib = ffi.dlopen(shared_lib_path(), ffi.RTLD_LAZY | ffi.RTLD_GLOBAL)
    assert lib.tl_add(1, 1) == 2


def test_function_is_cached(lib):
    f = lib.tl_add
    assert lib.tl_add is f
    assert repr(f).startswith("<cdata 'int(*)(int, int)' 0x")


def test_function_type(ffi, lib):
    assert ffi.typeof(lib.tl_add) is ffi.typeof("int(*)(int, int)")
    assert isinstance(lib.tl_add, ffi.CData)


def test_integer_constants(lib):
    assert lib.TL_ANSWER == 42
    assert lib.TL_MASK == 0xff00
    assert (lib.TL_RED, lib.TL_GREEN, lib.TL_BLUE) == (0, 5, 6)


def test_constants_are_read_only(lib):
    with pytest.raises(AttributeError):
        lib.TL_ANSWER = 3
    with pytest.raises(AttributeError):
        lib.tl_add = 3


def test_missing_name_message(lib):
    # a name the cdef does not declare: CFFI's in-line Lib says only the name
    with pytest.raises(AttributeError) as e:
        lib.no_such_thing
    assert e.value.args == ("no_such_thing",)


def test_declared_function_missing_in_library(ffi):
    ffi.cdef("int tl_not_in_the_library(int);")
    lib = ffi.dlopen(shared_lib_path())
    with pytest.raises(AttributeError) as e:
        lib.tl_not_in_the_library
    msg = str(e.value)
    assert msg.startswith("function/symbol 'tl_not_in_the_library' not found "
                          "in library '%s': " % shared_lib_path())
    assert "undefined symbol" in msg


def test_declared_variable_missing_in_library(ffi):
    ffi.cdef("extern int tl_no_variable;")
    lib = ffi.dlopen(shared_lib_path())
    with pytest.raises(KeyError) as e:
        lib.tl_no_variable
    assert "variable 'tl_no_variable' not found in library" in str(e.value)


def test_later_cdef_is_seen(ffi):
    ffi.cdef("int tl_add(int, int);")
    lib = ffi.dlopen(shared_lib_path())
    ffi.cdef("int tl_fortytwo(void);")
    assert lib.tl_fortytwo() == 42


def test_dir(lib):
    names = dir(lib)
    for name in ("tl_add", "tl_counter", "TL_ANSWER", "TL_GREEN", "tl_origin"):
        assert name in names
    assert "tl_point" not in names        # struct tags are not attributes


def test_global_int_read_write(lib):
    assert lib.tl_counter == 7
    lib.tl_counter = 123
    assert lib.tl_read_counter() == 123
    assert lib.tl_counter == 123
    lib.tl_counter = 7


def test_global_double_and_pointer(ffi, lib):
    assert lib.tl_ratio == 0.5
    assert ffi.string(lib.tl_name) == b"testlib"
    assert lib.tl_const_value == 99


def test_global_struct_is_a_view(ffi, lib):
    origin = lib.tl_origin
    assert ffi.typeof(origin) is ffi.typeof("struct tl_point")
    assert (origin.x, origin.y) == (3, 4)
    origin.x = 10
    assert lib.tl_origin_sum() == 14
    origin.x = 3


def test_global_array_is_a_view(ffi, lib):
    table = lib.tl_table
    assert ffi.typeof(table) is ffi.typeof("int[5]")
    assert list(table) == [1, 2, 3, 4, 5]
    table[4] = 50
    assert lib.tl_table_sum() == 60
    table[4] = 5


def test_const_global_is_read_only(lib):
    assert lib.tl_const_value == 99
    with pytest.raises(AttributeError) as e:
        lib.tl_const_value = 3          # would write to read-only memory
    assert str(e.value) == "cannot write to function or constant 'tl_const_value'"
    assert lib.tl_const_value == 99


def test_global_cannot_be_deleted(lib):
    with pytest.raises(AttributeError):
        del lib.tl_counter


def test_global_write_conversion_error(lib):
    with pytest.raises(TypeError):
        lib.tl_counter = "x"
    with pytest.raises(OverflowError):
        lib.tl_counter = 2 ** 40


def test_global_function_pointer(ffi, lib):
    assert lib.tl_call_hook(3) == -1
    cb = ffi.callback("int(int)", lambda x: x * 10)
    lib.tl_hook = cb
    assert lib.tl_call_hook(3) == 30
    lib.tl_hook = ffi.NULL
    assert lib.tl_call_hook(3) == -1


def test_addressof_variable_and_function(ffi, lib):
    p = ffi.addressof(lib, "tl_counter")
    assert ffi.typeof(p) is ffi.typeof("int *")
    assert p[0] == lib.tl_counter
    f = ffi.addressof(lib, "tl_add")
    assert f(4, 5) == 9
    s = ffi.addressof(lib, "tl_origin")
    assert ffi.typeof(s) is ffi.typeof("struct tl_point *")
    assert s.y == 4


def test_addressof_constant_is_its_value(ffi, lib):
    # cffi.FFI's Lib, as CFFI 2.0's (cffi/api.py __addressof__)
    assert ffi.addressof(lib, "TL_ANSWER") == 42


def test_dlclose(ffi):
    ffi.cdef("int tl_add(int, int); int tl_counter;\n#define TL_X 1\n")
    lib = ffi.dlopen(shared_lib_path())
    assert lib.tl_add(1, 2) == 3
    ffi.dlclose(lib)
    for name in ("tl_add", "tl_counter", "TL_X"):
        with pytest.raises(ValueError) as e:
            getattr(lib, name)
        assert str(e.value) == ("library '%s' has already been closed"
                                % shared_lib_path())
    with pytest.raises(ValueError):
        lib.tl_counter = 3
    with pytest.raises(ValueError):
        ffi.addressof(lib, "tl_counter")
    ffi.dlclose(lib)                     # a second close does nothing


def test_dlclose_rejects_non_lib(ffi):
    with pytest.raises(TypeError):
        ffi.dlclose(42)


def test_lib_keeps_ffi_alive():
    ffi = cffi.FFI()
    lib = open_testlib(ffi)
    del ffi
    import gc
    gc.collect()
    assert lib.tl_add(20, 22) == 42
