"""API mode without the compiler plugin (issue 12).

The file emit_c_code() writes must build with a plain compiler command (as
CMake, meson or a Makefile would run it) for gcc and clang, in C and in
C++, and the module must behave as its twin built by compile() with the
plugin.  Without the plugin the compiler computes the numbers in plain C
(pysrc/cffi/_codegen_fallback.py) and _cffi_backend completes the cdef's
table at import (runtime/api/api_fallback.c).

Both twins show what CFFI shows: a struct declared with `...;` has the
fields the cdef lists, in its order, at the header's offsets; an enum
declared with `...` the enumerators the cdef lists, with the header's
values (test_api_enum.py too).  Where they differ, and why: without the
plugin the C type of a `#define X ...` constant is not known (only its
value and sign; CFFI's `#define X ...` must be an integer too), and a cdef
that contradicts the header is reported at import or at use, as CFFI
does, instead of at build time with the header's file:line.
"""
import importlib
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import uuid

import pytest

import cffi
from cffi import FFI

import plugin_compilers

PY_INCLUDES = ["-I" + sysconfig.get_paths()["include"]]

CDEF1 = """
    struct part { int b; char a; ...; };
    struct bits { unsigned a : 3; int b : 5; unsigned char c : 1; int d : 20;
                  long e : 40; };
    struct anon { int tag; union { int i; float f; }; struct { short x, y; }; };
    struct withdots { int n; int arr[...]; ...; };
    typedef struct { int x; ...; } opaque_ish_t;
    enum color { RED, GREEN, BLUE, ... };
    enum exact_e { E0, E1 = 10, E2 };
    typedef enum { NEG_A = -3, NEG_B } neg_t;
    enum { ANON_A = 7, ANON_B };
    #define INT_MACRO ...
    #define CHECKED_MACRO 42
    #define BIG_MACRO ...
    #define NEG_MACRO ...
    static const int STATIC_INT;
    static const double STATIC_DOUBLE;
    static const float STATIC_FLOAT;
    static char *const STATIC_STR;
    typedef int... myint_t;
    typedef unsigned int... myuint_t;
    typedef float... myflt_t;
    typedef double... mybig_t;
    int garr[...];
    int grid[...][4];
    typedef char name_t[...];
    int counter;
    const char *label;
    int add(int, int);
    myint_t twice(myint_t);
    int sum(int n, ...);
    extern "Python" int py_cb(int);
    int call_cb(int);
    struct part *make_part(void);
"""

SOURCE1 = """
    #include <stdarg.h>
    #include <stdlib.h>
    struct part { long hidden; char a; double more; int b; };
    struct bits { unsigned a : 3; int b : 5; unsigned char c : 1; int d : 20;
                  long e : 40; };
    struct anon { int tag; union { int i; float f; }; struct { short x, y; }; };
    struct withdots { int n; int arr[13]; char after; };
    typedef struct { char pad[3]; int x; } opaque_ish_t;
    enum color { BLACK, RED = 5, GREEN, BLUE = 100 };
    enum exact_e { E0, E1 = 10, E2 };
    typedef enum { NEG_A = -3, NEG_B } neg_t;
    enum { ANON_A = 7, ANON_B };
    #define INT_MACRO (6 * 7)
    #define CHECKED_MACRO 42
    #define BIG_MACRO 0xfffffffffffffff0ULL
    #define NEG_MACRO (-123456789012LL)
    static const int STATIC_INT = -99;
    static const double STATIC_DOUBLE = 2.25;
    static const float STATIC_FLOAT = 0.5f;
    static char *const STATIC_STR = (char *)"hello";
    typedef short myint_t;
    typedef unsigned long myuint_t;
    typedef double myflt_t;
    typedef long double mybig_t;
    int garr[21];
    int grid[3][4];
    typedef char name_t[32];
    int counter = 5;
    const char *label = "lbl";
    static int add(int a, int b) { return a + b; }
    static myint_t twice(myint_t x) { return (myint_t)(x * 2); }
    static int sum(int n, ...) {
        va_list ap; int i, t = 0;
        va_start(ap, n);
        for (i = 0; i < n; i++) t += va_arg(ap, int);
        va_end(ap);
        return t;
    }
    static int py_cb(int);   /* as CFFI asks of a source that calls it */
    static int call_cb(int x) { return py_cb(x) + 1; }
    static struct part the_part = { 1, 'z', 2.0, 77 };
    static struct part *make_part(void) { return &the_part; }
"""


def attempt(ffi, f, *args):
    """f(*args), or the ffi.error it raises as text (mybig_t: `typedef
    double...` of a long double, refused at use as CFFI refuses it)."""
    try:
        return f(*args)
    except ffi.error as e:
        return "ffi.error: %s" % e


def probes(m):
    """What a user can observe of module m, as plain Python values."""
    ffi, lib = m.ffi, m.lib
    r = {}
    for t in ("struct part", "struct bits", "struct anon",
              "struct withdots", "opaque_ish_t", "enum color", "enum exact_e",
              "neg_t", "myint_t", "myuint_t", "myflt_t", "mybig_t", "name_t"):
        r["sizeof " + t] = attempt(ffi, ffi.sizeof, t)
        r["alignof " + t] = attempt(ffi, ffi.alignof, t)
    for t, f in (("struct part", "a"), ("struct part", "b"),
                 ("struct anon", "i"), ("struct anon", "f"),
                 ("struct anon", "x"), ("struct anon", "y"),
                 ("struct withdots", "arr"),
                 ("opaque_ish_t", "x")):
        r["offsetof %s.%s" % (t, f)] = ffi.offsetof(t, f)
    for t in ("struct part", "struct withdots", "opaque_ish_t"):
        r[t + " fields"] = [(n, x.offset, str(x.type))
                            for n, x in ffi.typeof(t).fields]
    p = ffi.new("struct part *", [21, b"z"])   # the cdef's order: b, a
    r["part init"] = (p.b, p.a)
    r["bits fields"] = [(n, x.offset, x.bitshift, x.bitsize)
                        for n, x in ffi.typeof("struct bits").fields]
    b = ffi.new("struct bits *")
    b.a, b.b, b.c, b.d, b.e = 5, -7, 1, -300000, 1 << 38
    r["bits values"] = (b.a, b.b, b.c, b.d, b.e,
                        bytes(ffi.buffer(b)))
    a = ffi.new("struct anon *", {"tag": 1})
    a.f = 1.5
    a.y = -2
    r["anon"] = (a.tag, a.i, a.x, a.y)
    r["withdots"] = str(ffi.typeof("struct withdots").fields[1][1].type)
    r["enums"] = (lib.RED, lib.GREEN, lib.BLUE, lib.E0, lib.E1, lib.E2,
                  lib.NEG_A, lib.NEG_B)
    try:
        r["anonymous enum"] = (lib.ANON_A, lib.ANON_B)
    except AttributeError as e:
        r["anonymous enum"] = "AttributeError"
    r["enum color"] = ffi.typeof("enum color").relements
    r["neg_t kind"] = ffi.typeof("neg_t").kind
    r["neg_t -3"] = ffi.string(ffi.cast("neg_t", -3))
    r["constants"] = (lib.INT_MACRO, lib.CHECKED_MACRO, lib.BIG_MACRO,
                      lib.NEG_MACRO, lib.STATIC_INT, lib.STATIC_DOUBLE,
                      lib.STATIC_FLOAT, ffi.string(lib.STATIC_STR))
    r["prims"] = tuple(attempt(ffi, lambda t: str(ffi.typeof(t)), t) for t in
                       ("myint_t", "myuint_t", "myflt_t", "mybig_t"))
    r["arrays"] = (len(lib.garr), str(ffi.typeof(lib.grid)),
                   str(ffi.typeof("name_t")))
    lib.garr[20] = 3
    r["garr"] = lib.garr[20]
    r["globals"] = (lib.counter, ffi.string(lib.label))
    lib.counter = 9
    r["counter"] = lib.counter
    r["calls"] = (lib.add(2, 3), lib.twice(-4),
                  lib.sum(3, ffi.cast("int", 1), ffi.cast("int", 2),
                          ffi.cast("int", 3)))

    @ffi.def_extern()
    def py_cb(x):
        return x * 10
    r["extern python"] = lib.call_cb(4)
    p = lib.make_part()
    r["part"] = (p.a, p.b)
    return r


def import_from(directory, name):
    sys.path.insert(0, str(directory))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(directory))


def make_ffi(name, cdef=CDEF1, source=SOURCE1, include=None, **kwds):
    ffi = FFI()
    if include is not None:
        ffi.include(include)
    ffi.cdef(textwrap.dedent(cdef))
    ffi.set_source(name, textwrap.dedent(source), **kwds)
    return ffi


_PYTHON_H = {}


def need_python_h(cmd, tmp_path):
    """Skips when this Python's own Python.h does not compile with CMD
    (3.13's needs GCC builtins or C11 atomics: tcc and a C++98 compiler
    that is not GNU have neither), which no generated file can change."""
    key = tuple(cmd)
    if key not in _PYTHON_H:
        src = tmp_path / "_python_h_probe.c"
        src.write_text("#include <Python.h>\n")
        proc = subprocess.run(cmd + ["-c"] + PY_INCLUDES + [
            str(src), "-o", str(tmp_path / "_python_h_probe.o")],
            capture_output=True, text=True)
        _PYTHON_H[key] = proc.stderr if proc.returncode else None
    if _PYTHON_H[key] is not None:
        errors = [l for l in _PYTHON_H[key].splitlines() if "error" in l]
        pytest.skip("Python %d.%d's Python.h does not compile with %s: %s"
                    % (sys.version_info[:2] + (" ".join(cmd),
                       (errors or ["?"])[0])))


def plain_build(tmp_path, ffi, name, cc, cplusplus, extra=()):
    """emit_c_code() and one compiler command, as another build system."""
    need_python_h([cc] + (["-x", "c++"] if cplusplus else []) + list(extra),
                  tmp_path)
    src = tmp_path / (name + (".cpp" if cplusplus else ".c"))
    ffi.emit_c_code(str(src))
    out = tmp_path / (name + sysconfig.get_config_var("EXT_SUFFIX"))
    cmd = [cc] + (["-x", "c++"] if cplusplus else []) + [
        "-shared", "-fPIC", "-O1", "-Wall"] + PY_INCLUDES + list(extra) + [
        str(src), "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return import_from(tmp_path, name)


COMPILERS = [(cc, cxx) for cc, cxx in (("gcc", False), ("gcc", True),
                                       ("clang", False), ("clang", True),
                                       ("tcc", False))]


def compiler_id(c):
    return "%s-%s" % (c[0], "c++" if c[1] else "c")


def need(cc):
    if shutil.which(cc) is None:
        pytest.skip("%s is not installed" % cc)


@pytest.fixture(scope="module")
def plugin_twin(tmp_path_factory):
    """The corpus built by compile(), with the plugin."""
    tmp = tmp_path_factory.mktemp("twin")
    name = "_np_twin_%s" % uuid.uuid4().hex[:8]
    os.environ.pop("CCFFI_NO_PLUGIN", None)
    ffi = make_ffi(name)
    ffi.compile(tmpdir=str(tmp))
    m = import_from(tmp, name)
    assert m.ffi._ccffi_built_with == "plugin"
    return probes(m)


@pytest.mark.parametrize("compiler", COMPILERS, ids=compiler_id)
def test_plain_build_behaves_as_plugin_twin(tmp_path, compiler, plugin_twin):
    cc, cplusplus = compiler
    need(cc)
    name = "_np_%s" % uuid.uuid4().hex[:8]
    m = plain_build(tmp_path, make_ffi(name), name, cc, cplusplus)
    assert m.ffi._ccffi_built_with == "compiler"
    got = probes(m)
    assert got["enum color"] == {"RED": 5, "GREEN": 6, "BLUE": 100}
    assert got["anonymous enum"] == (7, 8)
    for key in plugin_twin:
        assert got[key] == plugin_twin[key], key


def test_values_are_the_compilers(tmp_path):
    need("gcc")
    name = "_np_v_%s" % uuid.uuid4().hex[:8]
    m = plain_build(tmp_path, make_ffi(name), name, "gcc", False)
    ffi, lib = m.ffi, m.lib
    assert ffi.sizeof("struct part") == 32
    assert ffi.offsetof("struct part", "b") == 24
    assert [n for n, _ in ffi.typeof("struct part").fields] == ["b", "a"]
    assert len(lib.garr) == 21
    assert str(ffi.typeof("struct withdots").fields[1][1].type) == "<ctype 'int[13]'>"
    assert str(ffi.typeof("name_t")) == "<ctype 'char[32]'>"
    assert str(ffi.typeof(lib.grid)) == "<ctype 'int[3][4]'>"
    assert (lib.RED, lib.GREEN, lib.BLUE) == (5, 6, 100)
    assert lib.INT_MACRO == 42
    assert lib.BIG_MACRO == 0xfffffffffffffff0
    assert lib.NEG_MACRO == -123456789012
    assert lib.STATIC_FLOAT == 0.5
    assert ffi.string(lib.STATIC_STR) == b"hello"
    assert str(ffi.typeof("myint_t")) == "<ctype 'short'>"
    assert str(ffi.typeof("myuint_t")) == "<ctype 'unsigned long'>"
    # `typedef double... mybig_t` of a long double: CFFI's ffi.error at use
    # (its test_recompiler.py test_some_float_invalid_3)
    with pytest.raises(ffi.error, match="is 'long double', not supported"):
        ffi.typeof("mybig_t")
    assert ffi.typeof("neg_t").kind == "enum"
    assert (lib.ANON_A, lib.ANON_B) == (7, 8)


def test_include_between_modules(tmp_path):
    need("gcc")
    base = "_np_base_%s" % uuid.uuid4().hex[:8]
    top = "_np_top_%s" % uuid.uuid4().hex[:8]
    header = "struct pt { long pad; int x, y; };\n"
    ffi1 = make_ffi(base, "struct pt { int x, y; ...; };",
                    header + "static int unused_base;")
    plain_build(tmp_path, ffi1, base, "gcc", False)
    ffi2 = make_ffi(top, "int getx(struct pt *);",
                    header + "static int getx(struct pt *p) { return p->x; }",
                    include=ffi1)
    m2 = plain_build(tmp_path, ffi2, top, "gcc", False)
    m1 = sys.modules[base]
    p = m1.ffi.new("struct pt *", {"x": 4, "y": 5})
    assert m1.ffi.offsetof("struct pt", "x") == 8
    assert m2.lib.getx(p) == 4


@pytest.mark.parametrize("compiler", COMPILERS, ids=compiler_id)
@pytest.mark.parametrize("base_plugin", [False, True],
                         ids=["base-plain", "base-plugin"])
def test_include_between_modules_any_compiler(tmp_path, compiler,
                                              base_plugin):
    """ffi.include() of a module built either way by one built without the
    plugin: the included partial struct, enum with `...`, `int...` type
    and `[...]` typedef have the compiler's numbers in both modules."""
    cc, cplusplus = compiler
    need(cc)
    base = "_np_ib_%s" % uuid.uuid4().hex[:8]
    top = "_np_it_%s" % uuid.uuid4().hex[:8]
    header = textwrap.dedent("""
        struct pt { long pad; int x, y; };
        enum lvl { LOW = 3, MID = 7, HIGH = 11 };
        typedef short small_t;
        typedef char tag_t[5];
    """)
    ffi1 = make_ffi(base, """
        struct pt { int x, y; ...; };
        enum lvl { LOW, HIGH, ... };
        typedef int... small_t;
        typedef char tag_t[...];
    """, header + "static int unused_base;")
    if base_plugin:
        os.environ.pop("CCFFI_NO_PLUGIN", None)
        ffi1.compile(tmpdir=str(tmp_path))
        m1 = import_from(tmp_path, base)
        assert m1.ffi._ccffi_built_with == "plugin"
    else:
        m1 = plain_build(tmp_path, ffi1, base, cc, cplusplus)
        assert m1.ffi._ccffi_built_with == "compiler"
    ffi2 = make_ffi(top, """
        int getx(struct pt *);
        small_t level(enum lvl, tag_t *);
    """, header + textwrap.dedent("""
        static int getx(struct pt *p) { return p->x; }
        static small_t level(enum lvl l, tag_t *t)
        { return (small_t)(l * 10 + (int)sizeof *t); }
    """), include=ffi1)
    m2 = plain_build(tmp_path, ffi2, top, cc, cplusplus)
    assert m2.ffi._ccffi_built_with == "compiler"
    p = m1.ffi.new("struct pt *", {"x": 4, "y": 5})
    assert m1.ffi.offsetof("struct pt", "x") == 8
    assert m2.ffi.offsetof("struct pt", "y") == 12
    assert m2.lib.getx(p) == 4
    assert (m2.lib.LOW, m2.lib.HIGH) == (3, 11)
    assert m2.ffi.sizeof("small_t") == 2
    assert str(m2.ffi.typeof("tag_t")) == "<ctype 'char[5]'>"
    assert m2.lib.level(m2.lib.HIGH, m2.ffi.new("tag_t *")) == 115


def test_compile_with_ccffi_no_plugin(tmp_path, monkeypatch):
    monkeypatch.setenv("CCFFI_NO_PLUGIN", "1")
    name = "_np_env_%s" % uuid.uuid4().hex[:8]
    ffi = make_ffi(name, "struct s { int b; ...; }; int f(void);",
                   "struct s { char a; int b; }; static int f(void) { return 7; }")
    ffi.compile(tmpdir=str(tmp_path))
    m = import_from(tmp_path, name)
    assert m.ffi._ccffi_built_with == "compiler"
    assert m.ffi.offsetof("struct s", "b") == 4
    assert m.lib.f() == 7


def test_built_with_is_none_for_a_cdef_ffi():
    assert FFI()._ccffi_built_with is None


def fallback_symbols(path):
    nm = subprocess.run(["nm", str(path)], capture_output=True, text=True)
    assert nm.returncode == 0, nm.stderr
    return [line for line in nm.stdout.splitlines() if "_ccffi_fb_" in line]


def test_plugin_build_reports_plugin_and_has_no_fallback(tmp_path, monkeypatch):
    """With the plugin the fallback section is not compiled at all."""
    monkeypatch.delenv("CCFFI_NO_PLUGIN", raising=False)
    name = "_np_pl_%s" % uuid.uuid4().hex[:8]
    ffi = make_ffi(name, "struct s { int b; ...; }; int f(void);",
                   "struct s { char a; int b; }; static int f(void) { return 7; }")
    so = ffi.compile(tmpdir=str(tmp_path))
    assert import_from(tmp_path, name).ffi._ccffi_built_with == "plugin"
    assert fallback_symbols(so) == []
    monkeypatch.setenv("CCFFI_NO_PLUGIN", "1")
    name = "_np_pl2_%s" % uuid.uuid4().hex[:8]
    ffi = make_ffi(name, "struct s { int b; ...; }; int f(void);",
                   "struct s { char a; int b; }; static int f(void) { return 7; }")
    so = ffi.compile(tmpdir=str(tmp_path / "np"))
    assert fallback_symbols(so) != []


def test_switching_ccffi_no_plugin_rebuilds(tmp_path, monkeypatch):
    """The same generated file over one tmpdir: compile() rebuilds the
    module when CCFFI_NO_PLUGIN changes, both ways."""
    name = "_np_sw_%s" % uuid.uuid4().hex[:8]
    ffi = make_ffi(name, "int f(void);", "static int f(void) { return 7; }")
    monkeypatch.delenv("CCFFI_NO_PLUGIN", raising=False)
    so = ffi.compile(tmpdir=str(tmp_path))
    assert fallback_symbols(so) == []
    monkeypatch.setenv("CCFFI_NO_PLUGIN", "1")
    assert ffi.compile(tmpdir=str(tmp_path)) == so
    assert fallback_symbols(so) != []
    monkeypatch.delenv("CCFFI_NO_PLUGIN")
    ffi.compile(tmpdir=str(tmp_path))
    assert fallback_symbols(so) == []
    # the way it was built is in the C file: compile() leaves the .c, the
    # .o and the module in tmpdir, nothing else (CFFI's test_zdist checks)
    assert sorted(os.listdir(str(tmp_path))) == sorted(
        [name + ".c", name + ".o", os.path.basename(so)])


# ------------------------------------------------------------ mismatches

def build_plain_expecting(tmp_path, cdef, source):
    name = "_np_bad_%s" % uuid.uuid4().hex[:8]
    ffi = make_ffi(name, cdef, source)
    with pytest.raises(Exception) as info:
        plain_build(tmp_path, ffi, name, "gcc", False)
    return info


def layout_errors(m, ctype):
    """What a module says of a struct whose cdef the compiler contradicts:
    its size (known), then the errors where CFFI first needs the fields."""
    out = [m.ffi.sizeof(ctype)]
    for use in (lambda: m.ffi.new(ctype + " *"),
                lambda: m.ffi.offsetof(ctype, "b"),
                lambda: m.ffi.typeof(ctype).fields):
        try:
            use()
            out.append(None)
        except Exception as e:
            out.append((type(e), str(e)))
    return out


TAIL = ("fix it or use \"...;\" as the last field in the cdef for %s to "
        "make it flexible")


@pytest.mark.parametrize("cdef, source, message", [
    ("struct s { int a; int b; };", "struct s { int a; int pad; int b; };",
     "struct s: wrong offset for field 'b' (cdef says 4, but C compiler says "
     "8). " + TAIL % "struct s"),
    # member sizes come first, as CFFI checks them
    ("struct s { int a; int b; };", "struct s { int a; long b; };",
     "struct s: wrong size for field 'b' (cdef says 4, but C compiler says "
     "8). " + TAIL % "struct s"),
    ("typedef struct { int a; short b; } t_t;",
     "typedef struct { int a; int b; } t_t;",
     "t_t: wrong size for field 'b' (cdef says 2, but C compiler says 4). "
     + TAIL % "t_t"),
    ("struct s { int a; int b; };", "struct s { int a; int b; int c; };",
     "struct s: wrong total size (cdef says 8, but C compiler says 12). "
     + TAIL % "struct s"),
    ("struct s { short b; ...; };", "struct s { char a; int b; };",
     "struct s: wrong size for field 'b' (cdef says 2, but C compiler says "
     "4). " + TAIL % "struct s"),
    # the cdef's member would not even fit in the compiler's record
    ("struct s { short b; ...; };", "struct s { char b; };",
     "struct s: wrong size for field 'b' (cdef says 2, but C compiler says "
     "1). " + TAIL % "struct s"),
    ("struct s { double b; ...; };", "struct s { float b; };",
     "struct s: wrong size for field 'b' (cdef says 8, but C compiler says "
     "4). " + TAIL % "struct s"),
])
def test_struct_layout_mismatch_is_ffi_error_at_use(tmp_path, cdef, source,
                                                    message):
    """As CFFI (and the plugin): the module imports with the compiler's
    layout; the fields' first use raises ffi.error."""
    ctype = cdef.split("{")[0].replace("typedef ", "").strip()
    if ctype == "struct":
        ctype = "t_t"
    for m in both_builds(tmp_path, cdef + " int f(void);",
                         source + " static int f(void) { return 3; }"):
        assert m.lib.f() == 3
        errors = layout_errors(m, ctype)
        assert errors[1:] == [(m.ffi.error, message)] * 3


def both_builds(tmp_path, cdef, source, cc="gcc", cplusplus=False):
    """The module built with the plugin (compile()) and without (a plain
    compiler command), for a cdef and a source."""
    need(cc)
    os.environ.pop("CCFFI_NO_PLUGIN", None)
    name = "_np_pl_%s" % uuid.uuid4().hex[:8]
    make_ffi(name, cdef, source).compile(tmpdir=str(tmp_path / "plugin"))
    with_plugin = import_from(tmp_path / "plugin", name)
    name = "_np_cc_%s" % uuid.uuid4().hex[:8]
    without = plain_build(tmp_path, make_ffi(name, cdef, source), name, cc,
                          cplusplus)
    assert with_plugin.ffi._ccffi_built_with == "plugin"
    assert without.ffi._ccffi_built_with == "compiler"
    return with_plugin, without


def error_at_use(lib, name):
    try:
        getattr(lib, name)
    except Exception as e:
        return type(e), str(e)
    return None


@pytest.mark.parametrize("real, text", [
    ("43", "43 (0x2b)"), ("-5", "-5"), ("0", "0"),
    ("0xffffffffffffffffULL", "18446744073709551615 (0xffffffffffffffff)")])
def test_constant_value_mismatch_is_ffi_error_at_use(tmp_path, real, text):
    """As CFFI: the module imports; using the constant raises ffi.error."""
    cdef = "#define W 42\n#define OK 1\nint f(void);"
    source = ("#define W %s\n#define OK 1\n"
              "static int f(void) { return 3; }" % real)
    for m in both_builds(tmp_path, cdef, source):
        assert m.lib.f() == 3 and m.lib.OK == 1
        assert error_at_use(m.lib, "W") == (
            m.ffi.error, "the C compiler says 'W' is equal to %s, but the "
            "cdef disagrees" % text)


def test_enum_values_are_the_compilers_unchecked(tmp_path):
    """CFFI's API mode does not check enumerator values: it takes the
    compiler's (so does the plugin)."""
    cdef = "enum e { A, B }; typedef enum { C = 1, D } t;"
    source = "enum e { A, B = 3 }; typedef enum { C = 1, X, D } t;"
    for m in both_builds(tmp_path, cdef, source):
        assert (m.lib.A, m.lib.B, m.lib.C, m.lib.D) == (0, 3, 1, 3)
        assert m.ffi.typeof("enum e").relements == {"A": 0, "B": 3}


def test_int_dots_that_is_a_float(tmp_path):
    """As CFFI's `((t)-1) | 0`: the compiler refuses the build (d96ef6c;
    it failed at import before)."""
    info = build_plain_expecting(tmp_path, "typedef int... t;",
                                 "typedef double t;")
    assert info.type is AssertionError     # plain_build: the compiler failed
    assert "error" in str(info.value) and "double" in str(info.value)


# ------------------------------------------------------------ the flags

def run_flags(*args, env=None):
    return subprocess.run([sys.executable, "-m", "cffi._flags"] + list(args),
                          capture_output=True, text=True, env=env)


def test_flags_command_prints_the_plugin():
    proc = run_flags("--cflags", "--cc", "gcc")
    assert proc.returncode == 0, proc.stderr
    assert "-fplugin=" in proc.stdout
    assert PY_INCLUDES[0] in proc.stdout
    assert cffi.get_plugin_flags("gcc") == run_flags(
        "--plugin", "--cc", "gcc").stdout.split()


def test_flags_command_without_a_plugin(tmp_path):
    fake = tmp_path / "fakecc"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    proc = run_flags("--cflags", "--cc", str(fake))
    assert proc.returncode == 1
    assert "cffi._flags:" in proc.stderr
    proc = run_flags("--cflags", "--optional", "--cc", str(fake))
    assert proc.returncode == 0
    assert "-fplugin" not in proc.stdout and PY_INCLUDES[0] in proc.stdout


def readme_block(lang):
    """The README's ```LANG block of the section on API mode without the
    plugin."""
    from plugin_compilers import SRCDIR
    path = os.path.join(SRCDIR, "README.md")
    if not os.path.exists(path):
        pytest.skip("no README.md beside the tests")
    with open(path) as f:
        text = f.read()
    section = text.split("## API mode with and without the compiler plugin")[1]
    section = section.split("\n## ")[0]
    return section.split("```%s\n" % lang)[1].split("```")[0]


def readme_module(tmp_path):
    name = "_foo"
    ffi = make_ffi(name, "struct s { int b; ...; }; int f(struct s *);",
                   "struct s { char a; int b; };\n"
                   "static int f(struct s *p) { return p->b; }")
    ffi.emit_c_code(str(tmp_path / "_foo.c"))
    return name


def check_readme_module(directory, cc, env):
    probe = ("import _foo; print(_foo.ffi._ccffi_built_with, "
             "_foo.ffi.offsetof('struct s', 'b'), "
             "_foo.lib.f(_foo.ffi.new('struct s *', [9])))")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=str(directory),
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    # the README's lines load the plugin when the build has one for CC
    # (test-pythons configures without the Clang plugin)
    plugins = {c.name: c.plugin for c in plugin_compilers.COMPILERS}
    has_plugin = cc in plugins and os.path.exists(plugins[cc])
    built = "plugin" if has_plugin else "compiler"
    assert proc.stdout.split() == [built, "4", "9"]


@pytest.mark.parametrize("cc", ["gcc", "clang", "tcc"])
def test_readme_makefile(tmp_path, cc):
    """The README's Makefile lines, as they are, with each compiler."""
    need(cc)
    need("make")
    need_python_h([cc], tmp_path)
    readme_module(tmp_path)
    (tmp_path / "Makefile").write_text(readme_block("make"))
    env = dict(os.environ)
    env.pop("CC", None)
    proc = subprocess.run(["make", "CC=" + cc, "PYTHON=" + sys.executable],
                          cwd=str(tmp_path), capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    check_readme_module(tmp_path, cc, env)


@pytest.mark.parametrize("cc", ["clang", "tcc"])
def test_readme_cmake(tmp_path, cc):
    """The README's CMake lines, as they are, with a compiler that is not
    Python's (CC unset: the compiler is CMake's) and one without a plugin
    (gcc left out: a CMake configuration costs seconds)."""
    need(cc)
    need("cmake")
    need_python_h([cc], tmp_path)
    readme_module(tmp_path)
    (tmp_path / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.13)\nproject(foo C)\n"
        + readme_block("cmake"))
    env = dict(os.environ)
    env.pop("CC", None)
    build = tmp_path / "b"
    for cmd in (["cmake", "-S", str(tmp_path), "-B", str(build),
                 "-DCMAKE_C_COMPILER=" + cc,
                 "-DPython3_EXECUTABLE=" + sys.executable],
                ["cmake", "--build", str(build)]):
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    check_readme_module(build, cc, env)


def test_the_plugin_flags_build_the_exact_table(tmp_path):
    """A build system that adds the flags gets the plugin's table."""
    need("gcc")
    name = "_np_fl_%s" % uuid.uuid4().hex[:8]
    m = plain_build(tmp_path, make_ffi(name, "int f(void);",
                                       "static int f(void) { return 3; }"),
                    name, "gcc", False, extra=cffi.get_plugin_flags("gcc"))
    assert m.ffi._ccffi_built_with == "plugin"
    assert m.lib.f() == 3


# (qualifiers are not compared: the table keeps none, and a header's
# `const char *` must match the cdef's `char *`, as with the plugin)
@pytest.mark.parametrize("cdef_type, real_type", [("int", "double"),
                                                  ("double", "int"),
                                                  ("float", "double"),
                                                  ("int *", "double *"),
                                                  ("char **", "char *"),
                                                  ("char *", "char **"),
                                                  ("struct a *", "struct b *"),
                                                  # CFFI checks char exactly
                                                  ("char", "short"),
                                                  ("wchar_t", "int"),
                                                  # `void **tmp = &p->x`
                                                  ("void *", "int *"),
                                                  ("void *", "char *"),
                                                  ("void *", "struct b *"),
                                                  ("void **", "short **"),
                                                  ("void *", "void **")])
def test_field_of_another_type_fails_the_build(tmp_path, cdef_type, real_type):
    """As CFFI's generated code, the compiler checks each listed field."""
    need("g++")
    name = "_np_ty_%s" % uuid.uuid4().hex[:8]
    ffi = make_ffi(name, "struct s { %s x; ...; };" % cdef_type,
                   "struct s { %s x; };" % real_type)
    with pytest.raises(AssertionError) as info:
        plain_build(tmp_path, ffi, name, "g++", True)
    assert "_ccffi_fb_check" in str(info.value)


@pytest.mark.parametrize("real_type", ["int *", "void (*x2)(void)"])
def test_void_pointer_field_in_c_is_a_warning(tmp_path, real_type):
    """CFFI's `void * *tmp = &p->x` for a header's `int *x` is a warning
    in C (an error with -Werror) and builds otherwise; so does ours, and a
    header's `void *` of any qualifiers passes -Werror."""
    need("gcc")
    source = "struct s { %s; };" % (
        real_type + " x" if "x2" not in real_type
        else real_type.replace("x2", "x"))
    for i, extra in enumerate(((), ("-Werror",))):
        name = "_np_vw%d_%s" % (i, uuid.uuid4().hex[:8])
        ffi = make_ffi(name, "struct s { void *x; ...; };", source)
        if extra:
            with pytest.raises(AssertionError) as info:
                plain_build(tmp_path, ffi, name, "gcc", False, extra)
            assert "_ccffi_fb_check" in str(info.value)
        else:
            m = plain_build(tmp_path, ffi, name, "gcc", False, extra)
            assert m.ffi.typeof("struct s").fields[0][1].type == \
                m.ffi.typeof("void *")
    for i, real in enumerate(("const void *x", "volatile void *x",
                              "void *const x")):
        name = "_np_vq%d_%s" % (i, uuid.uuid4().hex[:8])
        ffi = make_ffi(name, "struct s { void *x; ...; };",
                       "struct s { %s; };" % real)
        plain_build(tmp_path, ffi, name, "gcc", False, ("-Werror",))


# ------------------------- packed, nested partial, more constants and calls

CDEF4_PACKED = """
    struct pk { char c; int i; short s; };
"""

CDEF4 = """
    struct pt { int x, y; };
    struct inner { char tag; ...; };
    struct outer { int n; struct inner in; ...; };
    struct bitp { unsigned a : 1; unsigned : 0; unsigned b : 7; int c : 9; };
    union un { int i; double d; ...; };
    typedef enum { DOTS_A, DOTS_B, ... } dots_t;
    enum big_e { BIG_NEG = -1, BIG_POS = 0x7fffffff };
    #define HEX_MACRO 0x10
    #define NEG_LIT -5
    #define CHARLIKE ...
    static const unsigned long long U64;
    static const char CH;
    static const wchar_t WC;
    static const signed char SC;
    static const long double LD;
    static const struct pt ORIGIN;
    static void *const NULLP;
    static const short SHORTS[3];
    extern struct pt gpts[2];
    extern struct pt gpt;
    extern int (*gcb)(int);
    extern const int RO;
    struct pt mid(struct pt, struct pt);
    long double halve(long double);
    _Bool is_odd(int);
    char *fmt(const char *, ...);
    extern "Python" struct pt py_mirror(struct pt);
    struct pt call_mirror(int, int);
"""

SOURCE4 = """
    #include <stdio.h>
    #include <stdarg.h>
    #include <wchar.h>
    #pragma pack(push, 1)
    struct pk { char c; int i; short s; };
    #pragma pack(pop)
    struct pt { int x, y; };
    struct inner { double before; char tag; };
    struct outer { char pre; int n; struct inner in; };
    struct bitp { unsigned a : 1; unsigned : 0; unsigned b : 7; int c : 9; };
    union un { char bytes[24]; int i; double d; };
    typedef enum { DOTS_Z = 3, DOTS_A = 9, DOTS_B } dots_t;
    enum big_e { BIG_NEG = -1, BIG_POS = 0x7fffffff };
    #define HEX_MACRO 0x10
    #define NEG_LIT -5
    #define CHARLIKE 'A'
    static const unsigned long long U64 = 18446744073709551615ULL;
    static const char CH = 'q';
    static const wchar_t WC = L'w';
    static const signed char SC = -3;
    static const long double LD = 1.0L / 3;
    static const struct pt ORIGIN = { 3, 4 };
    static void *const NULLP = 0;
    static const short SHORTS[3] = { 1, -2, 3 };
    struct pt gpts[2] = { { 1, 2 }, { 3, 4 } };
    struct pt gpt = { 5, 6 };
    static int inc(int x) { return x + 1; }
    int (*gcb)(int) = inc;
    const int RO = 17;
    static struct pt mid(struct pt a, struct pt b)
    { struct pt r; r.x = (a.x + b.x) / 2; r.y = (a.y + b.y) / 2; return r; }
    static long double halve(long double x) { return x / 2; }
    static _Bool is_odd(int x) { return x & 1; }
    static char buf[100];
    static char *fmt(const char *f, ...)
    {
        va_list ap;
        va_start(ap, f);
        vsnprintf(buf, sizeof buf, f, ap);
        va_end(ap);
        return buf;
    }
    static struct pt py_mirror(struct pt);
    static struct pt call_mirror(int x, int y)
    { struct pt p; p.x = x; p.y = y; return py_mirror(p); }
"""


def make_ffi4(name):
    ffi = FFI()
    ffi.cdef(textwrap.dedent(CDEF4_PACKED), packed=True)
    ffi.cdef(textwrap.dedent(CDEF4))
    ffi.set_source(name, textwrap.dedent(SOURCE4))
    return ffi


def probes4(m):
    ffi, lib = m.ffi, m.lib
    r = {}
    for t in ("struct pk", "struct pt", "struct inner", "struct outer",
              "struct bitp", "union un", "dots_t", "enum big_e"):
        r[t] = (ffi.sizeof(t), ffi.alignof(t),
                [(n, f.offset, str(f.type), f.bitshift, f.bitsize)
                 for n, f in getattr(ffi.typeof(t), "fields", None) or []])
    r["dots_t relements"] = ffi.typeof("dots_t").relements
    p = ffi.new("struct pk *", [b"x", -7, 300])
    r["pk"] = (p.c, p.i, p.s, bytes(ffi.buffer(p)))
    o = ffi.new("struct outer *", [5, [b"T"]])
    r["outer"] = (o.n, getattr(o, "in").tag)
    b = ffi.new("struct bitp *", [1, 100, -200])
    r["bitp"] = (b.a, b.b, b.c, bytes(ffi.buffer(b)))
    r["consts"] = (lib.HEX_MACRO, lib.NEG_LIT, lib.CHARLIKE, lib.U64,
                   lib.CH, lib.WC, lib.SC, float(lib.LD),
                   str(ffi.typeof(lib.LD)), (lib.ORIGIN.x, lib.ORIGIN.y),
                   lib.NULLP == ffi.NULL, list(lib.SHORTS), lib.DOTS_A,
                   lib.DOTS_B, lib.BIG_NEG, lib.BIG_POS)
    r["globals"] = ([(q.x, q.y) for q in lib.gpts], (lib.gpt.x, lib.gpt.y),
                    lib.gcb(4), lib.RO, str(ffi.typeof(lib.gcb)))
    lib.gpt.x = 50
    r["gpt"] = lib.gpt.x
    q = lib.mid([0, 0], [4, 8])
    r["calls"] = ((q.x, q.y), float(lib.halve(3.0)), lib.is_odd(3),
                  ffi.string(lib.fmt(b"%d-%s", ffi.cast("int", 7),
                                     ffi.new("char[]", b"z"))))

    @ffi.def_extern()
    def py_mirror(q):
        return [q.y, q.x]
    q = lib.call_mirror(1, 2)
    r["extern python"] = (q.x, q.y)
    r["dir"] = sorted(dir(lib))
    return r


@pytest.fixture(scope="module")
def plugin_twin4(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("twin4")
    name = "_np_twin4_%s" % uuid.uuid4().hex[:8]
    os.environ.pop("CCFFI_NO_PLUGIN", None)
    make_ffi4(name).compile(tmpdir=str(tmp))
    m = import_from(tmp, name)
    assert m.ffi._ccffi_built_with == "plugin"
    return probes4(m)


@pytest.mark.parametrize("compiler", COMPILERS, ids=compiler_id)
def test_packed_nested_constants_calls_as_plugin_twin(tmp_path, compiler,
                                                      plugin_twin4):
    """A packed struct, a partial struct inside a partial struct, a
    bitfield after `: 0`, a partial union, a typedef'd enum with `...`,
    constants of every kind CFFI has (integer macros, `#define X ...`, a
    64-bit unsigned, char, wchar_t, signed char, long double, a struct, a
    pointer, an array), struct and array globals, a function pointer
    global, struct and long double arguments and results, a variadic
    function and an extern "Python" function taking a struct."""
    cc, cplusplus = compiler
    need(cc)
    name = "_np4_%s" % uuid.uuid4().hex[:8]
    m = plain_build(tmp_path, make_ffi4(name), name, cc, cplusplus)
    assert m.ffi._ccffi_built_with == "compiler"
    got = probes4(m)
    for key in plugin_twin4:
        assert got[key] == plugin_twin4[key], key
    # what CFFI 2.0 shows (checked with it): the cdef's fields and
    # enumerators at the header's offsets and values; char and wchar_t
    # constants read as their type, not as integers
    assert got["struct pk"] == (7, 1, [("c", 0, "<ctype 'char'>", -1, -1),
                                       ("i", 1, "<ctype 'int'>", -1, -1),
                                       ("s", 5, "<ctype 'short'>", -1, -1)])
    assert got["struct inner"][2] == [("tag", 8, "<ctype 'char'>", -1, -1)]
    assert [f[:2] for f in got["struct outer"][2]] == [("n", 4), ("in", 8)]
    assert got["dots_t relements"] == {"DOTS_A": 9, "DOTS_B": 10}
    assert got["consts"][:7] == (16, -5, 65, 2 ** 64 - 1, b"q", u"w", -3)
    assert got["bitp"][:3] == (1, 100, -200)
    assert got["extern python"] == (2, 1)


# ------------------------------------------------ pointers, anonymous members

CDEF2 = """
    typedef struct { int a; } anon_t;
    typedef anon_t *anon_ptr;
    typedef struct pt *pt_ptr;
    struct pt { int x; ...; };
    struct s {
        struct { int a, b; } nested;
        union { int i; char c; } u;
        struct { int deep; struct { short z; } in2; } n2;
        anon_ptr ap;
        pt_ptr pp;
        int (*arrp)[...];
        char *name;
        char **argv;
        int (*cb)(int);
        void *vp;
        int a4[4];
        char *names[2];
        int grid[2][3];
        ...;
    };
    typedef int arr_t[...];
    typedef int (*parr_t)[...];
    arr_t *parr;
    int (*gp)[...];
    struct s *make(void);
"""

SOURCE2 = """
    typedef struct { int a; } anon_t;
    typedef anon_t *anon_ptr;
    struct pt { long pad; int x; };
    typedef struct pt *pt_ptr;
    struct s {
        long first;
        struct { int a, b; } nested;
        union { int i; char c; } u;
        struct { int deep; struct { short z; } in2; } n2;
        anon_ptr ap;
        const pt_ptr pp;
        int (*arrp)[7];
        const char *name;
        const char *const *argv;
        int (*cb)(int);
        const void *vp;
        const int a4[4];
        const char *const names[2];
        volatile int grid[2][3];
    };
    typedef int arr_t[9];
    typedef int (*parr_t)[5];
    static arr_t a9;
    arr_t *parr = &a9;
    static int a7[7];
    int (*gp)[7] = &a7;
    static struct s the_s = { 0, { 1, 5 }, { 0 }, { 0, { 3 } }, 0, 0, 0, 0, 0,
                              0, 0, { 1, 2, 3, 4 }, { 0, 0 }, { { 0 } } };
    static struct s *make(void) { return &the_s; }
"""


def probes2(m):
    ffi, lib = m.ffi, m.lib
    fields = dict(ffi.typeof("struct s").fields)
    r = {"sizeof": ffi.sizeof("struct s")}
    for f in ("nested", "u", "n2", "ap", "pp", "arrp", "name", "argv", "cb",
              "vp", "a4", "names", "grid"):
        r[f] = (fields[f].offset, ffi.typeof("struct s").fields and
                str(fields[f].type) if f not in ("nested", "u", "n2")
                else ffi.sizeof(fields[f].type))
    r["types"] = [str(ffi.typeof(x)) for x in (lib.gp, lib.parr)] + [
        str(ffi.typeof(x)) for x in ("arr_t", "parr_t")]
    p = lib.make()
    r["values"] = (p.nested.a, p.nested.b, p.n2.in2.z, p.name == ffi.NULL,
                   list(p.a4))
    return r


@pytest.fixture(scope="module")
def plugin_twin2(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("twin2")
    name = "_np_twin2_%s" % uuid.uuid4().hex[:8]
    os.environ.pop("CCFFI_NO_PLUGIN", None)
    make_ffi(name, CDEF2, SOURCE2).compile(tmpdir=str(tmp))
    m = import_from(tmp, name)
    assert m.ffi._ccffi_built_with == "plugin"
    return probes2(m)


@pytest.mark.parametrize("compiler", COMPILERS, ids=compiler_id)
def test_pointers_and_anonymous_members_as_plugin_twin(tmp_path, compiler,
                                                       plugin_twin2):
    """Anonymous struct/union members (checked field by field), pointer
    typedefs, `[...]` behind a pointer (`int (*p)[...]`, `arr_t *`), and
    the header's qualifiers at any level of a pointer or on array items
    (-Werror: not even a warning, as with the plugin)."""
    cc, cplusplus = compiler
    need(cc)
    name = "_np2_%s" % uuid.uuid4().hex[:8]
    m = plain_build(tmp_path, make_ffi(name, CDEF2, SOURCE2), name, cc,
                    cplusplus, extra=["-Werror"])
    got = probes2(m)
    assert got == plugin_twin2
    assert got["arrp"][1] == "<ctype 'int(*)[7]'>"
    assert got["types"] == ["<ctype 'int(*)[7]'>", "<ctype 'int(*)[9]'>",
                            "<ctype 'int[9]'>", "<ctype 'int(*)[5]'>"]


# ------------------------------------------- strict standards, other compilers

CDEF3 = """
    typedef int (*fn_t)(int);
    int apply(int (*f)(int), int x);
    int (*pick(int which))(int);
    fn_t pick2(void);
    int (*const CONST_FN)(int);
    int (*gfn)(int);
    int table[...];
    int (*ptab)[...];
    extern "Python" int (*py_pick(int))(int);
    int call_py_pick(int);
    struct s { int (*cb)(int); char name[...]; fn_t cb2; ...; };
    #define DBL ...
    static const double CD;
"""

SOURCE3 = """
    typedef int (*fn_t)(int);
    static int twice(int x) { return 2 * x; }
    static int apply(int (*f)(int), int x) { return f(x); }
    static int (*pick(int which))(int) { (void)which; return twice; }
    static fn_t pick2(void) { return twice; }
    #define CONST_FN twice
    int (*gfn)(int) = twice;
    int table[6];
    int (*ptab)[6] = &table;
    static int (*py_pick(int))(int);
    static int call_py_pick(int x) { return py_pick(0)(x); }
    struct s { long pad; int (*cb)(int); char name[12]; fn_t cb2; };
    #define DBL 21
    static const double CD = 1.5;
"""

STRICT = {
    "gcc-c99-pedantic": ["gcc", "-std=c99", "-pedantic-errors"],
    "clang-c99-pedantic": ["clang", "-std=c99", "-pedantic-errors"],
    "g++-c++98-pedantic": ["g++", "-x", "c++", "-std=c++98", "-pedantic"],
    # neither gcc nor clang as far as the file can tell: no __typeof__,
    # __alignof__ nor __attribute__ (the identity template, offsetof)
    "g++-c++98-not-gnu": ["g++", "-x", "c++", "-std=c++98", "-U__GNUC__"],
    "tcc": ["tcc"],
}


def strict_build(tmp_path, ffi, name, cmd):
    need(cmd[0])
    need_python_h(list(cmd), tmp_path)
    src = tmp_path / (name + ".c")
    ffi.emit_c_code(str(src))
    out = tmp_path / (name + sysconfig.get_config_var("EXT_SUFFIX"))
    proc = subprocess.run(cmd + ["-shared", "-fPIC"] + PY_INCLUDES
                          + [str(src), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return import_from(tmp_path, name)


@pytest.mark.parametrize("how", sorted(STRICT))
def test_strict_standards_and_other_compilers(tmp_path, how):
    """C99 and C++98 with -pedantic, a C++ compiler that is not GNU as far
    as the file sees, tcc: function pointers in every position (a type C
    spells with a declarator), `[...]`, constants of every kind."""
    name = "_np3_%s" % uuid.uuid4().hex[:8]
    m = strict_build(tmp_path, make_ffi(name, CDEF3, SOURCE3), name,
                     STRICT[how])
    ffi, lib = m.ffi, m.lib
    assert ffi._ccffi_built_with == "compiler"

    @ffi.def_extern()
    def py_pick(i):
        return lib.pick(i)
    assert lib.apply(lib.pick(0), 21) == 42
    assert lib.pick2()(3) == 6
    assert lib.CONST_FN(4) == 8 and lib.gfn(5) == 10
    assert lib.call_py_pick(7) == 14
    assert len(lib.table) == 6
    assert str(ffi.typeof(lib.ptab)) == "<ctype 'int(*)[6]'>"
    assert ffi.offsetof("struct s", "cb") == 8
    assert str(ffi.typeof("struct s").fields[1][1].type) == "<ctype 'char[12]'>"
    assert ffi.sizeof("struct s") == 40 and ffi.alignof("struct s") == 8
    assert (lib.DBL, lib.CD) == (21, 1.5)


@pytest.mark.parametrize("cc, lang", [("gcc", "c"), ("g++", "c++")])
def test_no_gnu_extension_outside_the_plugin_parts(tmp_path, cc, lang):
    """Preprocessed as for a compiler that is neither gcc nor clang and has
    no plugin, the generated lines use no GNU keyword (nor C++11's auto)."""
    need(cc)
    name = "_np4_%s" % uuid.uuid4().hex[:8]
    src = tmp_path / (name + ".c")
    make_ffi(name, CDEF3 + CDEF1, SOURCE3 + SOURCE1).emit_c_code(str(src))
    proc = subprocess.run([cc, "-x", lang, "-E", "-U__GNUC__"] + PY_INCLUDES
                          + [str(src)], capture_output=True, text=True)
    ours, keep = [], False
    for line in proc.stdout.splitlines():
        if line.startswith("# ") and '"' in line:
            keep = line.split('"')[1] == str(src)
        elif keep:
            ours.append(line)
    assert any("_ccffi_fb_fill" in line for line in ours)
    for word in ("__typeof__", "__alignof__", "__attribute__", "auto ",
                 "typeof"):
        assert [line for line in ours if word in line] == [], word


CDEF5 = """
    typedef struct { int x; ...; } *foo_p;
    typedef struct { int a; int b; } *bar_p;
    typedef struct { unsigned lo : 3; int hi : 5; ...; } *bits_p;
    typedef struct { int n; int arr[...]; ...; } *arr_p;
    foo_p get(void);
    bar_p getb(void);
    bits_p getbits(void);
"""

SOURCE5 = """
    typedef struct { long pad; int x; } *foo_p;
    typedef struct { int a; int b; } *bar_p;
    typedef struct { char c; unsigned lo : 3; int hi : 5; } *bits_p;
    typedef struct { short s; int n; int arr[7]; } *arr_p;
    static struct { long pad; int x; } the_foo = { 1, 42 };
    static foo_p get(void) { return (foo_p)&the_foo; }
    static struct { int a; int b; } the_bar = { 3, 4 };
    static bar_p getb(void) { return (bar_p)&the_bar; }
    static struct { char c; unsigned lo : 3; int hi : 5; } the_bits = {
        'c', 5, -3 };
    static bits_p getbits(void) { return (bits_p)&the_bits; }
"""


@pytest.mark.parametrize("cmd", [["gcc"], ["g++", "-x", "c++"], ["tcc"]],
                         ids=lambda c: c[0])
def test_records_named_by_a_pointer_typedef(tmp_path, cmd):
    """`typedef struct {...} *foo_p;`: C names the record only through the
    pointer; its numbers are asked through `(foo_p)0` as CFFI does, its
    alignment comes from its members (CFFI's too)."""
    name = "_np5_%s" % uuid.uuid4().hex[:8]
    m = strict_build(tmp_path, make_ffi(name, CDEF5, SOURCE5), name, cmd)
    ffi, lib = m.ffi, m.lib
    p = lib.get()
    foo = ffi.typeof(p).item
    assert (p.x, ffi.sizeof(foo), ffi.offsetof(foo, "x")) == (42, 16, 8)
    q = lib.getb()
    bar = ffi.typeof(q).item
    assert (q.a, q.b, ffi.sizeof(bar), ffi.alignof(bar)) == (3, 4, 8, 4)
    b = lib.getbits()
    assert (b.lo, b.hi) == (5, -3)
    arr = ffi.typeof("arr_p").item
    assert ffi.offsetof(arr, "arr") == 8 and ffi.sizeof(arr) == 36
    assert str(dict(arr.fields)["arr"].type) == "<ctype 'int[7]'>"


def test_dots_typedef_in_a_prototype(tmp_path):
    """A `[...]` typedef has its one length in the prototypes too: the
    function takes what the struct's members and ffi.new give."""
    name = "_np6_%s" % uuid.uuid4().hex[:8]
    cdef = """
        typedef int foo_t[...];
        struct s { foo_t a; foo_t *b; foo_t **c; };
        int myfunc(foo_t *b, foo_t **c);
    """
    source = """
        typedef int foo_t[50];
        struct s { foo_t a; foo_t *b; foo_t **c; };
        static int myfunc(foo_t *b, foo_t **c) { return (*b)[1] + (**c)[49]; }
    """
    m = strict_build(tmp_path, make_ffi(name, cdef, source), name, ["gcc"])
    ffi, lib = m.ffi, m.lib
    p = ffi.new("struct s *")
    p.a[49] = 321
    p.a[1] = 1
    p.b = ffi.addressof(p, "a")
    p.c = ffi.addressof(p, "b")
    assert lib.myfunc(p.b, p.c) == 322
    assert str(ffi.typeof(lib.myfunc)) == "<ctype 'int(*)(int(*)[50], int(* *)[50])'>"
