"""API mode: global variables as CFFI's generated code treats them (issue
11).  CFFI's getter returns the global's address as a pointer to the cdef's
type, so a global of another type or size is the compiler's error in C++ and
its warning in C (an error under -Werror); ccffi's getter does the same
check, with the plugin and without it.  Each module is built in C and in
C++, with each plugin and with no plugin."""
import importlib
import sys
import textwrap
import uuid

import pytest

from cffi import FFI, VerificationError

from plugin_compilers import GCC, PARAMS

# each plugin, and gcc with no plugin (the file as any compiler builds it)
MODES = PARAMS + [pytest.param("noplugin", id="noplugin")]


@pytest.fixture(autouse=True, params=MODES)
def mode(request, monkeypatch, tmp_path):
    if request.param == "noplugin":
        monkeypatch.setenv("CC", GCC.command)
        monkeypatch.setenv("CCFFI_NO_PLUGIN", "1")
    else:
        monkeypatch.setenv("CC", request.param.command)
        monkeypatch.delenv("CCFFI_NO_PLUGIN", raising=False)
    before = set(sys.modules)
    yield request.param
    for name in set(sys.modules) - before:
        path = getattr(sys.modules[name], "__file__", None) or ""
        if path.startswith(str(tmp_path)):
            del sys.modules[name]


LANGUAGES = [".c", ".cpp"]
STRICT = ["-Werror", "-Wall", "-Wextra", "-Wconversion"]


def build(tmp_path, cdef, source, ext, werror=True):
    """The module's lib, built as CFFI's tests build theirs: C with
    -Werror (unless werror is false), C++ with the source in extern "C"."""
    ffi = FFI()
    ffi.cdef(textwrap.dedent(cdef))
    source = textwrap.dedent(source)
    if ext == ".cpp":
        source = 'extern "C" {\n%s\n}' % source
    name = "_glob_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, source, source_extension=ext,
                   extra_compile_args=STRICT if werror and ext == ".c" else [])
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name).lib
    finally:
        sys.path.remove(str(tmp_path))


MISMATCHES = [
    # (cdef, source): CFFI's test_bad_size_of_global_1 and _2, and more
    # (not named `glob`: ELF interposition would bind that name to libc's
    # glob(), in CFFI's modules as in ours)
    ("extern short gvar;", "long gvar = 5;"),
    ("extern int gvar[10];", "int gvar[9] = { 5 };"),
    ("extern short gvar[];", "int gvar[3] = { 5 };"),
    ("extern char *gvar[2];", "char *gvar[3] = { 0 };"),
    ("struct a { int x; }; struct b { int x; }; extern struct a gvar;",
     "struct a { int x; }; struct b { int x; }; struct b gvar = { 5 };"),
]


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("cdef,source", MISMATCHES)
def test_global_of_another_type_refused(tmp_path, ext, cdef, source):
    with pytest.raises(VerificationError):
        build(tmp_path, cdef, source, ext)


@pytest.mark.parametrize("cdef,source", MISMATCHES[:3])
def test_global_of_another_size_builds_in_c_without_werror(tmp_path, cdef,
                                                           source):
    # never stricter than CFFI: its `return &(gvar);` is only a warning in C
    lib = build(tmp_path, cdef, source, ".c", werror=False)
    assert lib.gvar == 5 or lib.gvar[0] == 5


@pytest.mark.parametrize("ext", LANGUAGES)
def test_const_items_accepted(tmp_path, ext):
    # the cdef's `const` does not reach the check: an array of `const char *`
    # or a pointer to const must still build under -Werror, as in CFFI
    lib = build(tmp_path, """
        extern const char *names[2];
        extern const char *const *table;
        extern const char *dots[...];
        extern const int items[];
    """, """
        const char *names[2] = { "a", "b" };
        const char *const *table = names;
        const char *dots[3] = { "x", "y", "z" };
        const int items[] = { 7, 8 };
    """, ext)
    assert lib.names[1][0] == b"b"
    assert lib.table[0][0] == b"a"
    assert len(lib.dots) == 3
    assert lib.items[1] == 8


@pytest.mark.parametrize("ext", LANGUAGES)
def test_macro_global_evaluated_once(tmp_path, ext):
    # a macro standing for a call: one call per read, as CFFI's getter
    lib = build(tmp_path, """
        extern int my_value;
        extern int calls;
    """, """
        int calls;
        static int storage[4] = { 10, 11, 12, 13 };
        static int *get(void) { return &storage[calls++]; }
        #define my_value (*get())
    """, ext)
    assert lib.my_value == 10
    assert lib.calls == 1
    assert lib.my_value == 11
    assert lib.calls == 2


@pytest.mark.parametrize("ext", LANGUAGES)
def test_global_named_as_a_uchar_function(tmp_path, ext):
    # CFFI's file includes only Python.h: a name that <uchar.h> declares is
    # the user's to define when the cdef uses no char16_t/char32_t (reading
    # it gives libc's symbol by ELF interposition, in CFFI's modules too)
    lib = build(tmp_path, "extern int c16rtomb, mbrtoc32;",
                "int c16rtomb = 1, mbrtoc32 = 2;", ext)
    assert isinstance(lib.c16rtomb, int)


@pytest.mark.parametrize("ext", LANGUAGES)
@pytest.mark.parametrize("name", ["stat", "index"])
def test_global_named_as_a_declared_libc_function(tmp_path, ext, name):
    # Python.h declares them: the compiler refuses the source, as with CFFI
    with pytest.raises(VerificationError):
        build(tmp_path, "extern int %s;" % name, "int %s = 42;" % name, ext)


@pytest.mark.parametrize("ext", LANGUAGES)
def test_volatile_global_accepted(tmp_path, ext):
    # the cdef's `volatile` does not reach the generator: the source's
    # volatile global must build as with CFFI, and still be read
    lib = build(tmp_path, """
        extern volatile int vvar; extern volatile int *vptr;
    """, """
        volatile int vvar = 3; volatile int *vptr = &vvar;
    """, ext)
    assert lib.vvar == 3
    lib.vvar = 4
    assert lib.vptr[0] == 4
