"""Build-time methods of cffi.FFI as CFFI lays out their outputs: a dotted
module name is a package directory under tmpdir, emit_*_code() takes a
path-like or a file-like object."""
import io
import os
import pathlib

import cffi


def test_abi_compile_dotted_name_creates_package_dir(tmp_path):
    ffi = cffi.FFI()
    ffi.cdef("int abs(int);")
    ffi.set_source("pkg_a.sub.mod", None)
    out = ffi.compile(str(tmp_path / "build"))
    assert out == os.path.join(str(tmp_path / "build"), "pkg_a", "sub",
                               "mod.py")
    assert os.path.isfile(out)
    assert not os.path.exists(str(tmp_path / "build" / "pkg_a.sub.mod.py"))


def test_abi_compile_default_tmpdir_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ffi = cffi.FFI()
    ffi.set_source("pkg_b.mod", None)
    out = ffi.compile()
    assert out == os.path.join(".", "pkg_b", "mod.py")
    assert (tmp_path / "pkg_b" / "mod.py").is_file()


def test_api_compile_dotted_name_writes_c_and_object_in_package(tmp_path):
    ffi = cffi.FFI()
    ffi.cdef("int twice(int);")
    ffi.set_source("pkg_c.mod", "int twice(int x) { return 2 * x; }")
    cwd = os.getcwd()
    out = ffi.compile(str(tmp_path))
    assert os.getcwd() == cwd
    assert os.path.isabs(out)
    pkg = tmp_path / "pkg_c"
    assert (pkg / "mod.c").is_file()
    assert (pkg / "mod.o").is_file()
    assert os.path.dirname(out) == str(pkg)
    assert not (tmp_path / "pkg_c.mod.c").exists()


def test_distutils_extension_dotted_name(tmp_path):
    ffi = cffi.FFI()
    ffi.set_source("pkg_d.mod", "/* nothing */")
    ext = ffi.distutils_extension(str(tmp_path), verbose=False)
    assert ext.sources[0] == os.path.join(str(tmp_path), "pkg_d", "mod.c")
    assert os.path.isfile(ext.sources[0])


def test_emit_python_code_pathlike(tmp_path):
    ffi = cffi.FFI()
    ffi.cdef("struct s { int a; };")
    ffi.set_source("m_pathlike", None)
    target = tmp_path / "m_pathlike.py"
    assert isinstance(target, os.PathLike)
    ffi.emit_python_code(target)
    assert "m_pathlike" in target.read_text()


def test_emit_code_to_file_objects():
    ffi = cffi.FFI()
    ffi.set_source("m_fileobj", "/* source */")
    f = io.StringIO()
    ffi.emit_c_code(f)
    assert "m_fileobj" in f.getvalue()
    ffi2 = cffi.FFI()
    ffi2.set_source("m_fileobj2", None)
    f2 = io.StringIO()
    ffi2.emit_python_code(f2)
    assert "m_fileobj2" in f2.getvalue()


def test_emit_c_code_pathlike(tmp_path):
    ffi = cffi.FFI()
    ffi.set_source("m_cpath", "/* source */")
    ffi.emit_c_code(pathlib.Path(tmp_path) / "x.c")
    assert "m_cpath" in (tmp_path / "x.c").read_text()
