"""A name of an included module fetched through another module's dlopen().

An out-of-line ABI module that includes another (`_includes=(_ffi0,)` in
the file CFFI writes) answers, from ffi.dlopen(), the integer constants and
enumerators of the included module; a function, global variable or
non-integer constant of it is only in the included module's own lib, and
CFFI 2.0 raises ffi.error "function, global variable or non-integer
constant 'NAME' must be fetched from its original 'lib' object" (at any
depth of inclusion), where ccffi raised AttributeError.  A name no module
declares stays an AttributeError, and so does every name of an in-line
ffi.include() (cffi.FFI's pure-Python dlopen, as CFFI's).

The modules are written by Debian's CFFI (python3-cffi) in a subprocess,
then imported here, under ccffi; and by ccffi's own emit_python_code(),
whose file now imports the included modules as CFFI's does.
"""
import os
import subprocess

import pytest

DEBIAN_PYTHON = "/usr/bin/python3"

BUILD = r'''
import cffi
base = cffi.FFI()
base.cdef("""
    size_t strlen(const char *);
    extern int some_global;
    #define ICONST 42
    enum e1 { EA = 3 };
    static const double DCONST;
""")
base.set_source("_mem16_base", None)
base.emit_python_code("_mem16_base.py")
mid = cffi.FFI()
mid.include(base)
mid.cdef("int abs(int);")
mid.set_source("_mem16_mid", None)
mid.emit_python_code("_mem16_mid.py")
top = cffi.FFI()
top.include(mid)
top.cdef("long labs(long);")
top.set_source("_mem16_top", None)
top.emit_python_code("_mem16_top.py")
'''

MESSAGE = ("function, global variable or non-integer constant '%s' must be "
           "fetched from its original 'lib' object")


def _debian_env():
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def _import_all(d):
    import importlib
    import sys
    sys.path.insert(0, str(d))
    try:
        importlib.invalidate_caches()
        mid = importlib.import_module("_mem16_mid")
        top = importlib.import_module("_mem16_top")
        base = importlib.import_module("_mem16_base")
    finally:
        sys.path.remove(str(d))
    return base, mid, top


def _forget():
    import sys
    for name in ("_mem16_base", "_mem16_mid", "_mem16_top"):
        sys.modules.pop(name, None)


@pytest.fixture(scope="module", params=["debian-cffi", "ccffi"])
def modules(request, tmp_path_factory):
    _forget()
    if request.param == "ccffi":
        d = tmp_path_factory.mktemp("mem16ccffi")
        old = os.getcwd()
        os.chdir(str(d))
        try:
            exec(BUILD, {})
        finally:
            os.chdir(old)
        assert "from _mem16_base import ffi" in (d / "_mem16_mid.py").read_text()
        yield _import_all(d)
        _forget()
        return
    if not os.path.exists(DEBIAN_PYTHON):
        pytest.skip("no %s" % DEBIAN_PYTHON)
    r = subprocess.run([DEBIAN_PYTHON, "-I", "-c",
                        "import cffi, _cffi_backend; print(cffi.__file__)"],
                       capture_output=True, text=True, env=_debian_env())
    if r.returncode != 0 or not r.stdout.startswith("/usr/lib/python3/"):
        pytest.skip("python3-cffi (Debian's real CFFI) is not installed")
    d = tmp_path_factory.mktemp("mem16incl")
    (d / "build.py").write_text(BUILD)
    r = subprocess.run([DEBIAN_PYTHON, "-I", "build.py"], cwd=str(d),
                       capture_output=True, text=True, env=_debian_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "from _mem16_base import ffi" in (d / "_mem16_mid.py").read_text()
    yield _import_all(d)
    _forget()


@pytest.mark.parametrize("name", ["strlen", "some_global", "DCONST"])
def test_included_name_must_come_from_its_own_lib(modules, name):
    base, mid, top = modules
    for m in (mid, top):
        lib = m.ffi.dlopen(None)
        with pytest.raises(m.ffi.error) as e:
            getattr(lib, name)
        assert str(e.value) == MESSAGE % name
        assert not isinstance(e.value, AttributeError)


def test_included_integer_constants_and_own_names_still_answer(modules):
    base, mid, top = modules
    lib = top.ffi.dlopen(None)
    assert lib.ICONST == 42
    assert lib.EA == 3
    assert lib.labs(-5) == 5
    assert mid.ffi.dlopen(None).abs(-7) == 7
    # the included module's own lib has its function
    assert base.ffi.dlopen(None).strlen(b"abcd") == 4


def test_unknown_name_is_still_attribute_error(modules):
    base, mid, top = modules
    lib = top.ffi.dlopen(None)
    with pytest.raises(AttributeError) as e:
        lib.no_such_name_anywhere
    assert "no_such_name_anywhere" in str(e.value)


def test_inline_include_keeps_attribute_error():
    import cffi
    ffi1 = cffi.FFI()
    ffi1.cdef("size_t strlen(const char *); extern int some_global;")
    ffi2 = cffi.FFI()
    ffi2.include(ffi1)
    ffi2.cdef("int abs(int);")
    lib = ffi2.dlopen(None)
    for name in ("strlen", "some_global"):
        with pytest.raises(AttributeError):
            getattr(lib, name)
