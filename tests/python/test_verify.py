"""ffi.verify() (CFFI's original API mode) and cffi.verifier: the module
is built through set_source()/compile(), named from a hash of its inputs,
cached in tmpdir, and its errors are CFFI's."""
import importlib.machinery
import os
import sys

import pytest

import cffi
from cffi import FFI, VerificationError


def _modules(tmpdir):
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    return sorted(n for n in os.listdir(str(tmpdir))
                  if n.startswith('_cffi_') and n.endswith(suffix))


def test_verify_returns_lib(tmp_path):
    ffi = FFI()
    ffi.cdef("int add(int, int);\n#define TWICE ...")
    lib = ffi.verify("static int add(int a, int b) { return a + b; }\n"
                     "#define TWICE 2", tmpdir=str(tmp_path))
    assert lib.add(40, 2) == 42
    assert lib.TWICE == 2
    assert ffi.verifier.get_module_name().startswith('_cffi_')
    assert _modules(tmp_path) == [os.path.basename(
        ffi.verifier.modulefilename)]


def test_verify_caches_unchanged_call(tmp_path):
    src = "static int f(void) { return 7; }"
    ffi = FFI()
    ffi.cdef("int f(void);")
    ffi.verify(src, tmpdir=str(tmp_path))
    path = ffi.verifier.modulefilename
    mtime = os.stat(path).st_mtime_ns
    ffi2 = FFI()
    ffi2.cdef("int f(void);")
    lib2 = ffi2.verify(src, tmpdir=str(tmp_path))
    assert lib2.f() == 7
    assert ffi2.verifier.modulefilename == path
    assert os.stat(path).st_mtime_ns == mtime
    # a changed source gives another module
    ffi3 = FFI()
    ffi3.cdef("int f(void);")
    assert ffi3.verify("static int f(void) { return 8; }",
                       tmpdir=str(tmp_path)).f() == 8
    assert len(_modules(tmp_path)) == 2


def test_verify_keywords(tmp_path):
    ffi = FFI()
    ffi.cdef("int g(void);")
    lib = ffi.verify("static int g(void) { return VALUE; }",
                     tmpdir=str(tmp_path), define_macros=[('VALUE', '5')],
                     modulename='_cffi_named_mod',
                     force_generic_engine=True)
    assert lib.g() == 5
    assert ffi.verifier.get_module_name() == '_cffi_named_mod'
    ext = ffi.verifier.get_extension()
    assert ext.name == '_cffi_named_mod'
    assert ('VALUE', '5') in ext.define_macros


def test_verify_default_tmpdir_is_pycache_beside_caller(tmp_path,
                                                        monkeypatch):
    monkeypatch.delenv('CFFI_TMPDIR', raising=False)
    script = tmp_path / 'caller.py'
    script.write_text(
        "from cffi import FFI\n"
        "ffi = FFI()\n"
        "ffi.cdef('int h(void);')\n"
        "lib = ffi.verify('static int h(void) { return 3; }')\n")
    ns = {}
    exec(compile(script.read_text(), str(script), 'exec'), ns)
    assert ns['lib'].h() == 3
    assert os.path.dirname(ns['ffi'].verifier.modulefilename) == \
        str(tmp_path / '__pycache__')
    from cffi.verifier import cleanup_tmpdir
    cleanup_tmpdir(str(tmp_path / '__pycache__'))
    assert _modules(tmp_path / '__pycache__') == []
    # nor the C file, nor what building left beside it
    assert [n for n in os.listdir(str(tmp_path / '__pycache__'))
            if n.startswith('_cffi_')] == []


def test_verify_error_has_compiler_output(tmp_path):
    ffi = FFI()
    ffi.cdef("int k(void);")
    with pytest.raises(VerificationError) as e:
        ffi.verify("this is not C;", tmpdir=str(tmp_path))
    assert 'error' in str(e.value)


def test_verify_of_a_function_no_library_defines(tmp_path):
    """C declares it implicitly, the module builds with a warning (as
    CFFI's does), and the load fails: CFFI's VerificationError 'importing
    ...', not the bare ImportError."""
    ffi = FFI()
    ffi.cdef("void some_completely_unknown_function(void);")
    with pytest.raises(VerificationError) as e:
        ffi.verify(tmpdir=str(tmp_path))
    assert str(e.value).startswith("importing '%s" % tmp_path)
    assert "undefined symbol: some_completely_unknown_function" in str(e.value)


def test_verify_unknown_keyword(tmp_path):
    ffi = FFI()
    ffi.cdef("int k(void);")
    with pytest.raises(TypeError):
        ffi.verify("", tmpdir=str(tmp_path), no_such_keyword=1)


def test_verify_completes_partial_types(tmp_path):
    ffi = FFI()
    ffi.cdef("struct foo_s { int b; ...; };\n"
             "enum ee { EE1, ... };\n"
             "int getb(struct foo_s *);")
    with pytest.raises(cffi.VerificationMissing):
        ffi.sizeof("struct foo_s")
    lib = ffi.verify("struct foo_s { char pad[12]; int b; };\n"
                     "enum ee { EE0, EE1 = 5 };\n"
                     "static int getb(struct foo_s *p) { return p->b; }",
                     tmpdir=str(tmp_path))
    assert ffi.sizeof("struct foo_s") == 16
    assert ffi.offsetof("struct foo_s", "b") == 12
    p = ffi.new("struct foo_s *", {'b': 9})
    assert lib.getb(p) == 9
    assert lib.EE1 == 5


def test_verify_refuses_set_source_only_features(tmp_path):
    ffi = FFI()
    ffi.cdef("typedef int... t1;")
    with pytest.raises(VerificationError) as e:
        ffi.verify("", tmpdir=str(tmp_path))
    assert str(e.value) == ("feature not supported with ffi.verify(), but "
                            "only with ffi.set_source(): 'typedef int... t1'")


def test_verify_include_shares_types(tmp_path):
    ffi1 = FFI()
    ffi1.cdef("typedef struct { int x; ...; } foo_t;")
    ffi1.verify("typedef struct { int y, x; } foo_t;", tmpdir=str(tmp_path))
    ffi2 = FFI()
    ffi2.include(ffi1)
    ffi2.cdef("int myfunc(foo_t *);")
    lib = ffi2.verify("typedef struct { int y, x; } foo_t;\n"
                      "static int myfunc(foo_t *p) { return 42 * p->x; }",
                      tmpdir=str(tmp_path))
    assert lib.myfunc(ffi2.new("foo_t *", {'x': 10})) == 420


def test_verify_include_cdata_of_included_ffi(tmp_path):
    # the including module imports the included one and shares its types
    ffi1 = FFI()
    ffi1.cdef("typedef struct { int x; ...; } foo_t;")
    ffi1.verify("typedef struct { int y, x; } foo_t;", tmpdir=str(tmp_path))
    ffi2 = FFI()
    ffi2.include(ffi1)
    ffi2.cdef("int myfunc(foo_t *);")
    lib = ffi2.verify("typedef struct { int y, x; } foo_t;\n"
                      "static int myfunc(foo_t *p) { return 42 * p->x; }",
                      tmpdir=str(tmp_path))
    assert lib.myfunc(ffi1.new("foo_t *", {'x': -10})) == -420


# ---------------------------------------------------------------- checks
# verify() raises VerificationError, as CFFI's does, where the C compiler
# disagrees with numbers the cdef gave.

def _verify_error(tmp_path, cdef, source, **kwds):
    ffi = FFI()
    ffi.cdef(cdef)
    with pytest.raises(VerificationError) as e:
        ffi.verify(source, tmpdir=str(tmp_path), **kwds)
    return str(e.value)


def test_verify_checks_constant_values(tmp_path):
    assert _verify_error(tmp_path, "#define FOO 123", "#define FOO 124") == \
        "FOO has the real value 124, not 123"
    assert _verify_error(tmp_path, "static const int FOO = 123;",
                         "#define FOO 124") == \
        "FOO has the real value 124, not 123"
    # an unchanged call reuses the built module and checks it again
    assert _verify_error(tmp_path, "#define FOO 123", "#define FOO 124") == \
        "FOO has the real value 124, not 123"
    ffi = FFI()
    ffi.cdef("#define FOO 123\n#define BAR ...")
    lib = ffi.verify("#define FOO 123\n#define BAR 7", tmpdir=str(tmp_path))
    assert (lib.FOO, lib.BAR) == (123, 7)


def test_verify_checks_complete_enums(tmp_path):
    cdef = "enum ee { EE1, EE2, EE3 };"
    assert _verify_error(tmp_path, cdef, "enum ee { EE1, EE3, EE2 };") == \
        "enum ee: EE2 has the real value 2, not 1"
    assert 'EE3' in _verify_error(tmp_path, cdef, "enum ee { EE1, EE2 };")
    assert _verify_error(tmp_path, "typedef enum { AA, BB } e_t;",
                         "typedef enum { AA, CC, BB } e_t;") == \
        "enum e_t: BB has the real value 2, not 1"
    # the sign counts: -1 is not 0xffffffff
    assert _verify_error(tmp_path, "enum foo_e { AA=4294967295 };",
                         "enum foo_e { AA=-1 };") == \
        "enum foo_e: AA has the real value -1, not 4294967295"
    # extra enumerators in the source, and partial enums, are fine
    ffi = FFI()
    ffi.cdef(cdef + "\nenum ff { FF1, ... };")
    lib = ffi.verify("enum ee { EE1, EE2, EE3, EE4 };\n"
                     "enum ff { FF0, FF1 };", tmpdir=str(tmp_path))
    assert (lib.EE3, lib.FF1) == (2, 1)


def test_verify_checks_complete_struct_layout(tmp_path):
    cdef = "struct foo_s { char x; int y; long *z; };"
    assert _verify_error(tmp_path, cdef,
                         "struct foo_s { int y; char x; long *z; };") == (
        "struct foo_s: wrong offset for field 'x'"
        " (we have 0, but C compiler says 4)")
    assert _verify_error(
        tmp_path, cdef,
        "struct foo_s { char x; int y; long *z; char extra; };") == (
        "struct foo_s: wrong total size (we have 16, but C compiler says 24)")
    assert _verify_error(
        tmp_path, cdef,
        "struct foo_s { char x; short pad; short y; long *z; };") == (
        "struct foo_s: wrong size for field 'y'"
        " (we have 4, but C compiler says 2)")
    assert _verify_error(tmp_path, "typedef struct { char x; int y; } T;",
                         "typedef struct { int y; char x; } T;") == (
        "anonymous T: wrong offset for field 'x'"
        " (we have 0, but C compiler says 4)")
    assert _verify_error(tmp_path, "union u { char x; int y; };",
                         "union u { char x; short y; };") == (
        "union u: wrong total size (we have 4, but C compiler says 2)")
    # fields of anonymous members are checked in place
    assert _verify_error(
        tmp_path, "struct n_s { struct { int a; char b; }; int c; };",
        "struct n_s { struct { int a; short b; }; int c; };") == (
        "struct n_s: wrong size for field 'b'"
        " (we have 1, but C compiler says 2)")
    # padding the cdef does not name is not seen
    ffi = FFI()
    ffi.cdef(cdef)
    ffi.verify("struct foo_s { char x, extra; int y; long *z; };",
               tmpdir=str(tmp_path))


def test_verify_checks_partial_struct_field_sizes(tmp_path):
    assert _verify_error(tmp_path, "struct foo_s { int8_t x; ...; };",
                         "struct foo_s { int16_t x; };") == (
        "struct foo_s: field 'foo_s.x' is declared as 1 bytes, but is "
        "really 2 bytes")
    assert _verify_error(tmp_path, "typedef struct { int8_t x; ...; } T;",
                         "typedef struct { int16_t x; } T;") == (
        "anonymous T: field '$T.x' is declared as 1 bytes, but is "
        "really 2 bytes")
    assert _verify_error(tmp_path, "struct foo_s { int a[...]; ...; };",
                         "struct foo_s { int x; char a[7]; };") == (
        "struct foo_s: field 'foo_s.a' has a bogus size?")
    # the sign of an integer field is not checked
    ffi = FFI()
    ffi.cdef("struct foo_s { int x; ...; };")
    ffi.verify("struct foo_s { unsigned int x; };", tmpdir=str(tmp_path))


def test_verify_checks_field_types(tmp_path):
    # an integer in the cdef must be one in the source (CFFI's generated
    # code shifts it: the compiler refuses a float; without the plugin the
    # generated code itself does not compile)
    _verify_error(tmp_path, "struct foo_s { int x; ...; };",
                  "struct foo_s { float x; };")
    # other types must be the same when warnings are errors (CFFI's code
    # takes the field's address as a pointer to the cdef's type)
    # (the plugin's warning, an error with -Werror, may say it first)
    _verify_error(tmp_path, "struct foo_s { char x; int y; long *z; };",
                  "struct foo_s { char x; int y; int *z; };",
                  extra_compile_args=['-Werror'])
    _verify_error(tmp_path, "struct foo_s { float x; ...; };",
                  "struct foo_s { int x; };", extra_compile_args=['-Werror'])
    ffi = FFI()
    ffi.cdef("struct foo_s { float x; ...; };")
    ffi.verify("struct foo_s { int x; };", tmpdir=str(tmp_path))


def test_verify_checks_global_array_length(tmp_path):
    assert _verify_error(tmp_path, "extern int fooarray[...];",
                         "char fooarray[23];") == (
        "variable fooarray: bad size: 'fooarray' does not seem to be an "
        "array of <int>")
    ffi = FFI()
    ffi.cdef("extern int fooarray[...];")
    lib = ffi.verify("int fooarray[50];", tmpdir=str(tmp_path))
    assert len(lib.fooarray) == 50


def test_verify_refuses_unnamable_argument_type(tmp_path):
    msg = _verify_error(tmp_path,
                        "typedef struct { int x; } **sp; void foo(sp);",
                        "typedef struct { int x; } **sp; void foo(sp x) { }")
    assert msg.startswith("function foo: cannot generate ")
    assert msg.endswith(" in argument of foo: unknown type name")
    # a typedef of a pointer to an anonymous struct names it
    ffi = FFI()
    ffi.cdef("typedef struct { int x; } *p_t; p_t ff(p_t);")
    lib = ffi.verify("typedef struct { int x; } *p_t;\n"
                     "p_t ff(p_t p) { p->x += 40; return p; }",
                     tmpdir=str(tmp_path))
    p = ffi.new("p_t", [2])
    assert lib.ff(p) == p and p.x == 42


def test_verify_enum_with_dotdotdot_value_is_partial(tmp_path):
    ffi = FFI()
    ffi.cdef("enum ee { EE1, EE2=..., EE3 };")
    ffi.verify("enum ee { EE1=10, EE2, EE3=-10 };", tmpdir=str(tmp_path))
    assert ffi.typeof("enum ee").relements == {'EE1': 10, 'EE2': 11,
                                               'EE3': -10}


def test_verify_lib_keeps_ffi_alive_and_is_weakly_referenceable(tmp_path):
    import gc
    import weakref
    ffi = FFI()
    ffi.cdef("int foobar(void);")
    lib = ffi.verify("int foobar(void) { return 42; }", tmpdir=str(tmp_path))
    ffi_r = weakref.ref(ffi)
    lib_r = weakref.ref(lib)
    del ffi
    gc.collect()
    assert ffi_r() is not None and lib_r() is lib
    assert lib.foobar() == 42


def test_verify_writes_no_dollar_in_c(tmp_path):
    # `typedef ... *token_p;` names an opaque 'struct $$token_p': the C
    # file spells it without a '$' (CFFI's test_verify checks every file)
    import re
    ffi = FFI()
    ffi.cdef("typedef ... *token_p;\ntoken_p foo(token_p);")
    lib = ffi.verify("typedef struct _token_s *token_p;\n"
                     "token_p foo(token_p arg) {\n"
                     "    return arg ? (token_p)0x12347 : (token_p)0x12345;\n"
                     "}", tmpdir=str(tmp_path))
    with open(ffi.verifier.sourcefilename) as f:
        data = f.read()
    data = re.sub(r"/\*.*?\*/|//.*?$", ' ', data, flags=re.S | re.M)
    data = re.sub(r'".*?"', '"skipped"', data)
    assert '$' not in data
    assert str(ffi.typeof("token_p")) == "<ctype 'struct $$token_p *'>"
    p = lib.foo(ffi.NULL)
    assert int(ffi.cast("intptr_t", p)) == 0x12345
    assert int(ffi.cast("intptr_t", lib.foo(p))) == 0x12347


def test_verify_checks_layout_records_without_plugin(tmp_path, monkeypatch):
    # the no-plugin fallback records a contradicted layout as the plugin
    # does (the module's type then refuses its fields): verify() words
    # CFFI's errors from the record
    monkeypatch.setenv('CCFFI_NO_PLUGIN', '1')
    assert _verify_error(tmp_path, "struct foo_s { int8_t x; ...; };",
                         "struct foo_s { int16_t x; };") == (
        "struct foo_s: field 'foo_s.x' is declared as 1 bytes, but is "
        "really 2 bytes")
    assert _verify_error(tmp_path, "struct foo_s { int a[...]; ...; };",
                         "struct foo_s { int x; char a[7]; };") == (
        "struct foo_s: field 'foo_s.a' has a bogus size?")
    assert _verify_error(tmp_path, "struct foo_s { char x; int y; };",
                         "struct foo_s { int y; char x; };") == (
        "struct foo_s: wrong offset for field 'x'"
        " (we have 0, but C compiler says 4)")
