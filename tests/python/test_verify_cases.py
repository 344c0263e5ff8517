"""ffi.verify() cases from CFFI's own verify tests that ccffi got wrong:
each module is built with each plugin and without one (CCFFI_NO_PLUGIN),
since the table then comes from another producer."""
import importlib
import os
import sys
import uuid

import pytest

from cffi import FFI, VerificationError

from plugin_compilers import PARAMS

BUILDS = PARAMS + [pytest.param(None, id="no-plugin")]


@pytest.fixture(autouse=True, params=BUILDS)
def build(request, monkeypatch):
    if request.param is None:
        monkeypatch.setenv("CCFFI_NO_PLUGIN", "1")
    else:
        monkeypatch.delenv("CCFFI_NO_PLUGIN", raising=False)
        monkeypatch.setenv("CC", request.param.command)
    return request.param


def verify(tmp_path, cdef, source, **kwds):
    ffi = FFI()
    ffi.cdef(cdef)
    return ffi, ffi.verify(source, tmpdir=str(tmp_path), **kwds)


FILE_SOURCE = """
    #include <stdio.h>
    FILE *myfile;
    int show(const char *fmt, int value) { return fprintf(myfile, fmt, value); }
    FILE *same(FILE *f) { return f; }
    int put(FILE *f) { return fputs("put;", f); }
"""
FILE_CDEF = ("extern FILE *myfile; int show(const char *, int);"
             " FILE *same(FILE *); int put(FILE *);")


def test_FILE_of_a_module_is_the_one_FILE(tmp_path):
    # the compiler spells FILE 'struct _IO_FILE': it is still CFFI's FILE,
    # shared by every ffi, so one module's FILE * goes to another's function
    ffi, lib = verify(tmp_path, FILE_CDEF, FILE_SOURCE)
    assert ffi.typeof(lib.same) is FFI().typeof("FILE *(*)(FILE *)")
    assert str(ffi.typeof(lib.same)) == "<ctype 'FILE *(*)(FILE *)'>"
    other = FFI()
    other.cdef("FILE *same(FILE *);")
    lib2 = other.verify("#include <stdio.h>\n"
                        "FILE *same(FILE *f) { return f; }",
                        tmpdir=str(tmp_path))
    p = other.cast("FILE *", 0x1234)
    assert int(other.cast("intptr_t", lib.same(lib2.same(p)))) == 0x1234


def test_python_file_as_FILE(tmp_path):
    ffi, lib = verify(tmp_path, FILE_CDEF, FILE_SOURCE)
    fdr, fdw = os.pipe()
    fw = os.fdopen(fdw, 'wb', 256)
    # ffi.cast() of a Python file (flushing it), stored in a FILE * global
    fw.write(b"X")
    lib.myfile = ffi.cast("FILE *", fw)
    assert lib.myfile == ffi.cast("FILE *", fw)   # one FILE per file object
    assert lib.show(b"<%d>", 42) == 4
    # a Python file as a FILE * argument of a compiled function
    fw.write(b"Y")
    assert lib.put(fw) >= 0
    fw.close()
    assert os.read(fdr, 256) == b"X<42>Yput;"
    os.close(fdr)


def test_non_files_still_refused_as_FILE(tmp_path):
    ffi, lib = verify(tmp_path, FILE_CDEF, FILE_SOURCE)
    with pytest.raises(TypeError):
        lib.put("not a file")
    with pytest.raises(TypeError):
        ffi.cast("FILE *", "not a file")


def test_cast_to_bool_reads_numbers_as_CFFI(tmp_path):
    ffi, lib = verify(tmp_path, "long double square(long double);"
                      " _Bool opposite(_Bool);",
                      "long double square(long double f) { return f*f; }\n"
                      "_Bool opposite(_Bool x) { return !x; }")
    tiny = lib.square(1E-250)          # nonzero, but 0.0 as a double
    assert float(tiny) == 0.0
    assert int(ffi.cast("_Bool", tiny)) == 1
    assert int(ffi.cast("_Bool", lib.square(0.0))) == 0
    with pytest.raises(TypeError):
        lib.opposite(tiny)

    class Number:
        def __int__(self):
            self.seen = True
            return self.value
    n = Number()
    for value in (42, 0):
        n.value, n.seen = value, False
        assert int(ffi.cast("_Bool", n)) == (value != 0)
        assert n.seen
    with pytest.raises(TypeError):
        ffi.cast("_Bool", [])



def compile_module(tmp_path, cdef, source):
    """set_source() + compile() + import (ffi.verify() refuses `int...`)."""
    ffi = FFI()
    ffi.cdef(cdef)
    name = "_vcase_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, source)
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


@pytest.mark.parametrize("source_type", ["float", "double", "int *"])
def test_int_dots_typedef_must_be_an_integer(tmp_path, source_type):
    # CFFI's generated code makes the compiler refuse it
    with pytest.raises(VerificationError):
        compile_module(tmp_path, "typedef int... foo_t;",
                       "typedef %s foo_t;" % source_type)


@pytest.mark.parametrize("source_type, size", [
    ("short", 2), ("unsigned long long", 8), ("enum e { E1 = -1 }", 4)])
def test_int_dots_typedef_of_an_integer(tmp_path, source_type, size):
    module = compile_module(tmp_path, "typedef int... foo_t;",
                            "typedef %s foo_t;" % source_type)
    assert module.ffi.sizeof("foo_t") == size


def test_member_of_an_unnamed_struct_type(tmp_path):
    # C cannot name the member's type, so CFFI does not check the struct;
    # ccffi wrote '__typeof__(struct ) someone;' in its mirror: no build
    ffi, lib = verify(tmp_path, "struct foo_s { struct { int x; } someone; };",
                      "struct foo_s { struct { int x; } someone; };")
    p = ffi.new("struct foo_s *", [[5]])
    assert p.someone.x == 5
    assert ffi.sizeof("struct foo_s") == ffi.sizeof("int")


def test_set_source_refuses_unnamable_argument_type(tmp_path):
    # as CFFI's recompiler, also outside verify()
    with pytest.raises(VerificationError) as info:
        compile_module(tmp_path,
                       "typedef struct { int x; } **sp; void foo(sp);",
                       "typedef struct { int x; } **sp; void foo(sp x) { }")
    assert str(info.value).endswith("in argument of foo: unknown type name")


def test_partial_struct_by_value_through_a_function_pointer(tmp_path):
    # a call through libffi (a function pointer global) cannot pass a '...;'
    # struct whose listed members are not where their order puts them: the
    # plugin's table marks the struct partial as the cdef's does
    ffi, lib = verify(tmp_path, "struct foo_s { long a; ...; };\n"
                      "static int (*foo)(struct foo_s);\n"
                      "int direct(struct foo_s);",
                      "struct foo_s { double b; long a; };\n"
                      "int direct(struct foo_s s) { return (int)s.a - (int)s.b; }\n"
                      "static int (*foo)(struct foo_s s) = &direct;")
    s = ffi.new("struct foo_s *", [50])
    assert lib.direct(s[0]) == 50          # API mode: a direct C call
    with pytest.raises(NotImplementedError) as info:
        lib.foo(s[0])
    assert str(info.value).startswith(
        "ctype 'struct foo_s' not supported as argument.  It is a struct "
        "declared with \"...;\", but the C calling convention may depend on "
        "the missing fields")
    with pytest.raises(NotImplementedError):
        lib.foo("?")
