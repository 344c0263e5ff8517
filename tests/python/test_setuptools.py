"""setup(cffi_modules=[...]): a project built by setuptools with ccffi,
API mode (build_ext with the plugin) and ABI mode out-of-line (build_py)."""
import os
import subprocess
import sys
import textwrap

SETUP = """
from setuptools import setup
setup(name="demo_pkg", version="1.0", py_modules=[],
      cffi_modules=["build_api.py:ffibuilder", "build_abi.py:ffibuilder"])
"""
BUILD_API = """
from cffi import FFI
ffibuilder = FFI()
ffibuilder.cdef("struct pt { int y; ...; }; int twice(int);")
ffibuilder.set_source("_demo_api", "struct pt { int x, y; };\\n"
                      "int twice(int v) { return 2 * v; }")
"""
BUILD_ABI = """
from cffi import FFI
ffibuilder = FFI()
ffibuilder.cdef("double cos(double);")
ffibuilder.set_source("_demo_abi", None)
"""


def run(cmd, cwd):
    out = subprocess.run(cmd, cwd=str(cwd), capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_cffi_modules_builds_both_modes(tmp_path):
    (tmp_path / "setup.py").write_text(textwrap.dedent(SETUP))
    (tmp_path / "build_api.py").write_text(textwrap.dedent(BUILD_API))
    (tmp_path / "build_abi.py").write_text(textwrap.dedent(BUILD_ABI))
    run([sys.executable, "setup.py", "-q", "build", "--build-lib", "out"],
        tmp_path)
    out = tmp_path / "out"
    assert (out / "_demo_abi.py").is_file()
    check = textwrap.dedent("""
        import sys
        sys.path.insert(0, %r)
        import _demo_api, _demo_abi
        assert _demo_api.lib.twice(21) == 42
        assert _demo_api.ffi.offsetof("struct pt", "y") == 4
        assert _demo_abi.ffi.dlopen("libm.so.6").cos(0.0) == 1.0
        print("ok")
    """ % str(out))
    assert run([sys.executable, "-c", check], tmp_path).strip() == "ok"


def test_a_bad_cffi_modules_entry_is_reported(tmp_path):
    (tmp_path / "setup.py").write_text(textwrap.dedent("""
        from setuptools import setup
        setup(name="bad", version="1.0", cffi_modules=["missing.py:ffi"])
    """))
    out = subprocess.run([sys.executable, "setup.py", "-q", "build"],
                         cwd=str(tmp_path), capture_output=True, text=True)
    assert out.returncode != 0
    assert "missing.py" in out.stderr and "does not name an existing file" in out.stderr
