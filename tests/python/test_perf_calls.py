"""API-mode calls on the interpreter's fast paths (issue 17): a function of
no parameter is a METH_FASTCALL builtin, which Python 3.11 specialises (a
METH_NOARGS one it does not), and still refuses arguments in Python's own
words for a function that takes none."""
import ctypes
import importlib
import sys
import uuid

import pytest

from cffi import FFI

from plugin_compilers import PARAMS

METH_NOARGS = 0x0004
METH_FASTCALL = 0x0080


@pytest.fixture(params=PARAMS)
def compiler(request, monkeypatch):
    monkeypatch.setenv("CC", request.param.command)
    monkeypatch.delenv("CCFFI_NO_PLUGIN", raising=False)
    return request.param


def ml_flags(builtin):
    """The ml_flags of a builtin function's PyMethodDef (CPython layout:
    the PyCFunctionObject's m_ml follows the object header)."""
    assert type(builtin).__name__ == "builtin_function_or_method"
    m_ml = ctypes.c_void_p.from_address(id(builtin) + object.__basicsize__).value
    return ctypes.c_int.from_address(m_ml + 2 * ctypes.sizeof(ctypes.c_void_p)).value


def test_no_parameter_function_is_fastcall(tmp_path, compiler):
    ffi = FFI()
    ffi.cdef("int seven(void); void nothing(void); double half(void);")
    name = "_perf_calls_%s" % uuid.uuid4().hex[:10]
    ffi.set_source(name, "int seven(void) { return 7; }\n"
                   "void nothing(void) { }\n"
                   "double half(void) { return 0.5; }\n")
    ffi.compile(tmpdir=str(tmp_path))
    sys.path.insert(0, str(tmp_path))
    try:
        m = importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)
    lib = m.lib
    assert lib.seven() == 7 and lib.nothing() is None and lib.half() == 0.5
    for f in (lib.seven, lib.nothing, lib.half):
        assert ml_flags(f) & (METH_FASTCALL | METH_NOARGS) == METH_FASTCALL
    prefix = name + ".Lib."
    for args, kwargs, text in (((1,), {}, "seven() takes no arguments (1 given)"),
                               ((1, 2), {}, "seven() takes no arguments (2 given)"),
                               ((), {"x": 1}, "seven() takes no keyword arguments")):
        with pytest.raises(TypeError) as info:
            lib.seven(*args, **kwargs)
        assert str(info.value) in (prefix + text, text)
