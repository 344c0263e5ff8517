"""API mode: an integer constant whose value C computes only when the
program runs: `static const int N;` for an `extern const int N;` defined in
another file, `#define M (f() + 1)`, `int X = 5;` naming a variable of the
source.  CFFI's module builds and reads the value when the name is first
used (its generated getter); ccffi's must build too, with each plugin (the
marker says the value is no compile-time constant, the table points at a
getter the generator wrote, contract.h CCC_MF_RUNTIME) and without one (the
fallback reads it at import).  Values, signs and the "the C compiler says"
error are CFFI 2.0's (each case checked against it), in C and in C++."""
import importlib
import sys
import uuid

import pytest

from cffi import FFI, VerificationError

from plugin_compilers import MODES, compiler_mode


@pytest.fixture(autouse=True, params=MODES)
def mode(request, monkeypatch, tmp_path):
    yield from compiler_mode(request.param, monkeypatch, tmp_path)


@pytest.fixture(params=[".c", ".cpp"], ids=["c", "cxx"])
def ext(request):
    return request.param


OTHER_FILE = """
#ifdef __cplusplus
extern "C" {
#endif
extern const int n_ext;
const int n_ext = 7;
int calls;
#ifdef __cplusplus
}
#endif
"""

SOURCE = """
#ifdef __cplusplus
extern "C" {
#endif
extern const int n_ext;        /* defined in another file */
extern int calls;
#ifdef __cplusplus
}
#endif
static int f(void) { calls++; return 41; }
static int g(void) { return -5; }
static unsigned long long big(void) { return 0xffffffffffffffffULL; }
#define N (n_ext)
#define NU (n_ext - 100)
#define NEGL ((long)g() * 1000000000000L)
#define M (f() + 1)
#define M2 (g())
#define BIG (big())
int X = 5;
int XU = -3;
#define K (f() + 1)
#define KNEG (g())
#define KBAD (f() + 2)
#define KBADNEG (g())
"""

CDEF = """
static const int N;
static const unsigned int NU;
static const long NEGL;
#define M ...
#define M2 ...
#define BIG ...
static const int X;
static const unsigned int XU;
#define K 42
#define KNEG -5
#define KBAD 42
#define KBADNEG 5
extern int calls;
"""


def build(tmp_path, ext, cdef=CDEF, source=SOURCE):
    return build_module(tmp_path, ext, cdef, source).lib


def build_module(tmp_path, ext, cdef=CDEF, source=SOURCE):
    other = tmp_path / ("other" + ext)
    other.write_text(OTHER_FILE)
    ffi = FFI()
    ffi.cdef(cdef)
    name = "_rtconst_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, source, sources=[str(other)], source_extension=ext)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_extern_const_from_another_file(tmp_path, ext):
    lib = build(tmp_path, ext)
    assert lib.N == 7


def test_macro_of_a_call(tmp_path, ext):
    lib = build(tmp_path, ext)
    assert lib.M == 42
    assert lib.M2 == -5
    assert lib.BIG == (1 << 64) - 1
    assert lib.NEGL == -5000000000000


def test_variable_of_the_source(tmp_path, ext):
    lib = build(tmp_path, ext)
    assert lib.X == 5


def test_negative_value_declared_unsigned(tmp_path, ext):
    # CFFI reads the value C gives, with its sign: no error
    lib = build(tmp_path, ext)
    assert lib.NU == -93
    assert lib.XU == -3


def test_value_given_by_the_cdef(tmp_path, ext):
    lib = build(tmp_path, ext)
    assert lib.K == 42
    assert lib.KNEG == -5


def test_value_the_cdef_gets_wrong(tmp_path, ext):
    lib = build(tmp_path, ext)
    with pytest.raises(Exception) as e:
        lib.KBAD
    assert str(e.value) == ("the C compiler says 'KBAD' is equal to 43 "
                            "(0x2b), but the cdef disagrees")
    assert type(e.value).__name__ == "error"
    with pytest.raises(Exception) as e:
        lib.KBADNEG
    assert str(e.value) == ("the C compiler says 'KBADNEG' is equal to -5, "
                            "but the cdef disagrees")


def test_read_once_and_listed(tmp_path, ext, mode):
    lib = build(tmp_path, ext)
    assert {"N", "NU", "NEGL", "M", "M2", "BIG", "X", "XU", "K",
            "KNEG", "KBAD", "KBADNEG"} <= set(dir(lib))
    if mode != "noplugin":
        # with the plugin, as in CFFI: read at first use, not at import
        # (the fallback reads every constant at import)
        assert lib.calls == 0
    lib.M
    lib.M
    calls = lib.calls
    assert lib.M == 42
    assert lib.calls == calls     # kept after the first use


def test_compile_time_constants_unchanged(tmp_path, ext):
    lib = build(tmp_path, ext, """
        #define A ...
        static const int LIMIT;
        static const unsigned short US;
        enum { E1 = 3 };
        #define E2 ...
    """, """
        #define A (6 * 7)
        static const int LIMIT = 1000;
        static const unsigned short US = 65535;
        enum { E1 = 3 };
        #define E2 E1
    """)
    assert lib.A == 42
    assert lib.LIMIT == 1000
    assert lib.US == 65535
    assert lib.E1 == 3
    assert lib.E2 == 3


def test_non_integer_computed_at_run_time_is_refused(tmp_path, ext, mode):
    # CFFI's generated `(D) | 0` does not compile either
    with pytest.raises(VerificationError):
        build(tmp_path, ext, "#define D ...",
              "static double h(void) { return 1.5; }\n#define D (h() * 2)")


def test_integer_const_of_the_module_ffi(tmp_path, ext, mode):
    # CFFI's ffi.integer_const() reads the value as lib.NAME does
    ffi = build_module(tmp_path, ext).ffi
    assert ffi.integer_const("N") == 7
    assert ffi.integer_const("M") == 42
    assert ffi.integer_const("X") == 5
    assert ffi.integer_const("NU") == -93
    assert ffi.integer_const("K") == 42
    if mode != "noplugin":
        # (the fallback returns the compiler's 43 here)
        with pytest.raises(Exception) as e:
            ffi.integer_const("KBAD")
        assert str(e.value) == ("the C compiler says 'KBAD' is equal to 43 "
                                "(0x2b), but the cdef disagrees")


def test_verify_checks_a_value_read_at_run_time(tmp_path, mode):
    # CFFI's verify() raises when it loads the module, not at first use
    source = "static int f(void) { return 41; }\n#define K3 (f() + 2)"
    ffi = FFI()
    ffi.cdef("#define K3 43")
    assert ffi.verify(source, tmpdir=str(tmp_path / "good")).K3 == 43
    ffi = FFI()
    ffi.cdef("#define K3 42")
    with pytest.raises(VerificationError) as e:
        ffi.verify(source, tmpdir=str(tmp_path / "bad"))
    assert str(e.value) == "K3 has the real value 43, not 42"
