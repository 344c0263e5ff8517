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


def test_verify_error_has_compiler_output(tmp_path):
    ffi = FFI()
    ffi.cdef("int k(void);")
    with pytest.raises(VerificationError) as e:
        ffi.verify("this is not C;", tmpdir=str(tmp_path))
    assert 'error' in str(e.value)


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


@pytest.mark.xfail(strict=True, reason="API mode: a module built with "
                   "include(m.ffi) does not share m's ctypes yet")
def test_verify_include_cdata_of_included_ffi(tmp_path):
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
