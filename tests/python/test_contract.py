"""The contract between the code generator, the plugins and the runtime
(runtime/table/contract.h): the generator takes its names from
_cffi_backend, and the runtime refuses a module written for another init
ABI with an ImportError naming both versions."""
import types

import pytest

import _cffi_backend
from cffi import FFI


def test_contract_values_come_from_the_header():
    c = _cffi_backend._ccffi_contract()
    assert c['attribute'] == 'ccffi'
    assert c['plugin_macro'] == '__CCFFI_PLUGIN__'
    assert c['table_symbol'] == '_ccffi_type_table'
    assert c['init_function'] == '_ccffi_init_module'
    assert isinstance(c['init_abi_version'], int) and c['init_abi_version'] >= 1
    flags = [c[k] for k in ('MF_EXACT', 'MF_BODY', 'MF_FIELDS', 'MF_OPAQUE')]
    assert sorted(flags) == [1, 2, 4, 8]


def test_generated_code_uses_the_contract(tmp_path):
    c = _cffi_backend._ccffi_contract()
    ffi = FFI()
    ffi.cdef("int f(int);")
    ffi.set_source("_contract_mod", "static int f(int x) { return x; }")
    path = tmp_path / "_contract_mod.c"
    ffi.emit_c_code(str(path))
    text = path.read_text()
    # the sentinel exists only when a plugin fills it; without one, the
    # fallback builds the table from compiler-evaluated numbers
    assert '#ifdef %s' % c['plugin_macro'] in text
    assert 'const char %s[] __attribute__((%s("table"), used)) = "";' % (
        c['table_symbol'], c['attribute']) in text
    assert '"%s", "iONNNNnnnNN"' % c['init_function'] in text
    # the table as a memoryview of the module's array (used in place)
    assert '        %d, module, PyMemoryView_FromMemory((char *)%s, ' % (
        c['init_abi_version'], c['table_symbol']) in text


def call_init(*args):
    return getattr(_cffi_backend, '_ccffi_init_module')(*args)


def test_init_refuses_other_abi_versions():
    contract = _cffi_backend._ccffi_contract()
    version, oldest = contract['init_abi_version'], contract['init_abi_min']
    assert 1 <= oldest <= version
    module = types.ModuleType('_fake')
    for bad in (version + 1, oldest - 1):
        with pytest.raises(ImportError) as e:
            call_init(bad, module, b'', None, None, None, 0, 0, 0, None, ())
        assert str(e.value) == (
            "ccffi module: generated for module init ABI version %d, but this "
            "_cffi_backend serves versions %d to %d; rebuild the module with "
            "this ccffi" % (bad, oldest, version))


def test_init_without_a_version_is_refused():
    module = types.ModuleType('_fake')
    with pytest.raises(ImportError) as e:
        call_init(module, b'', None, None, None, 0, 0, 0, None, ())
    assert 'without the init ABI version first' in str(e.value)
