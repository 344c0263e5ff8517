"""The `cffi-gen-src` command (CFFI 2.1's source generator, also `python -m
cffi.gen_src`; pysrc/cffi/_cffi_gen_src.py), driven through subprocesses as
a build system runs it: argon2-cffi-bindings regenerates its _ffi.c with it,
meson-python projects call it from a custom_target.

Its behaviour is CFFI 2.1's documentation (doc/source/cffi-gen-src.rst) and
tests (testing/cffi1/test_cffi_gen_src*.py): exec-python runs a build script
(__name__ "cffi.gen_src", its own __file__, its directory importable) and
takes its `ffibuilder` (or --ffi-var NAME), an FFI or a callable returning
one; read-sources takes a module name, a cdef file and a C prelude file;
"-" is stdin/stdout.  The file written is emit_c_code()'s, which builds
with plain gcc and, with cffi.get_plugin_flags(), with the plugin's table.
Both invocations are tested: `python -m cffi.gen_src` and the build tree's
script bin/cffi-gen-src (installed as $(bindir)/cffi-gen-src).
"""
import importlib
import io
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import uuid

import pytest

import cffi

TREE = os.environ.get("CCFFI_PYTHON_TREE") or os.path.dirname(
    os.path.dirname(cffi.__file__))
BUILDDIR = os.environ.get("CCFFI_BUILDDIR") or os.path.dirname(TREE)
SCRIPT_DIR = os.path.join(BUILDDIR, "bin")
SCRIPT = os.path.join(SCRIPT_DIR, "cffi-gen-src")
PY_INCLUDES = ["-I" + sysconfig.get_paths()["include"]]
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")

MODULE_CMD = [sys.executable, "-m", "cffi.gen_src"]


def run(argv, *args, stdin=None, env=None, cwd=None):
    return subprocess.run(list(argv) + [str(a) for a in args],
                          input=stdin if stdin is not None else "",
                          capture_output=True, text=True, env=env, cwd=cwd)


def script_cmd():
    if not os.path.exists(SCRIPT):
        pytest.skip("no %s (the build tree's cffi-gen-src)" % SCRIPT)
    return [SCRIPT]


@pytest.fixture(params=["module", "script"])
def gen_src(request):
    argv = MODULE_CMD if request.param == "module" else script_cmd()
    return lambda *args, **kw: run(argv, *args, **kw)


def unique(prefix):
    return "_gs_%s_%s" % (prefix, uuid.uuid4().hex[:8])


def build_script(name, body_after="", var="ffibuilder"):
    return textwrap.dedent("""\
        from cffi import FFI
        %s = FFI()
        %s.cdef("int square(int n);")
        %s.set_source(%r, "static int square(int n) { return n * n; }")
        """) % (var, var, var, name) + textwrap.dedent(body_after)


def is_module_source(text, name):
    """emit_c_code()'s file for module `name` declaring square()."""
    return "PyInit_" + name + "(void)" in text and "square(" in text


def compile_and_import(tmp_path, c_file, name, extra=()):
    """The C file built by one gcc command, as meson or CMake would."""
    out = tmp_path / (name + EXT_SUFFIX)
    cmd = (["gcc", "-shared", "-fPIC", "-O1", "-Wall"] + PY_INCLUDES +
           list(extra) + [str(c_file), "-o", str(out)])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


# ------------------------------------------------------------ the C file

def _plugin_flags():
    try:
        return cffi.get_plugin_flags("gcc")
    except cffi.VerificationError as e:
        pytest.skip("no GCC plugin for this build: %s" % e)


@pytest.mark.parametrize("mode", ["exec-python", "read-sources"])
@pytest.mark.parametrize("flags", ["plain", "plugin"])
def test_generated_file_builds_imports_and_calls(tmp_path, mode, flags):
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    extra = _plugin_flags() if flags == "plugin" else []
    name = unique(mode[:4])
    out = tmp_path / (name + ".c")
    if mode == "exec-python":
        script = tmp_path / "_build.py"
        script.write_text(build_script(name))
        proc = run(MODULE_CMD, "exec-python", script, out)
    else:
        (tmp_path / "m.cdef.txt").write_text("int square(int n);\n")
        (tmp_path / "m.csrc.c").write_text(
            "static int square(int n) { return n * n; }\n")
        proc = run(MODULE_CMD, "read-sources", name, tmp_path / "m.cdef.txt",
                   tmp_path / "m.csrc.c", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    m = compile_and_import(tmp_path, out, name, extra)
    assert m.lib.square(7) == 49 and m.lib.square(-3) == 9
    assert m.ffi._ccffi_built_with == ("plugin" if extra else "compiler")


def test_output_is_what_emit_c_code_writes(tmp_path, gen_src):
    name = unique("same")
    (tmp_path / "c.txt").write_text("int square(int n);\n")
    (tmp_path / "s.c").write_text("static int square(int n) { return n; }\n")
    proc = gen_src("read-sources", name, tmp_path / "c.txt", tmp_path / "s.c",
                   tmp_path / "out.c")
    assert proc.returncode == 0, proc.stderr
    ffi = cffi.FFI()
    ffi.cdef("int square(int n);\n")
    ffi.set_source(name, "static int square(int n) { return n; }\n")
    expected = io.StringIO()
    ffi.emit_c_code(expected)
    assert (tmp_path / "out.c").read_text() == expected.getvalue()


# ------------------------------------------------------------ exec-python

def test_exec_python_skips_the_main_block(tmp_path, gen_src):
    name = unique("main")
    script = tmp_path / "_build.py"
    script.write_text(build_script(name, """\
        assert __name__ == "cffi.gen_src", __name__
        if __name__ == "__main__":
            raise SystemExit("the __main__ block ran")
        """))
    proc = gen_src("exec-python", script, tmp_path / "out.c")
    assert proc.returncode == 0, proc.stderr
    assert is_module_source((tmp_path / "out.c").read_text(), name)


def test_exec_python_ffi_var_object_and_callable(tmp_path, gen_src):
    name = unique("var")
    script = tmp_path / "_build.py"
    script.write_text(build_script(name, var="make_ffi") + textwrap.dedent("""
        from cffi import FFI
        def factory():
            f = FFI()
            f.cdef("int cube(int);")
            f.set_source(%r, "static int cube(int n) { return n*n*n; }")
            return f
        """ % name))
    proc = gen_src("exec-python", "--ffi-var", "make_ffi", script,
                   tmp_path / "a.c")
    assert proc.returncode == 0, proc.stderr
    assert "square" in (tmp_path / "a.c").read_text()
    proc = gen_src("exec-python", "--ffi-var=factory", script,
                   tmp_path / "b.c")
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "b.c").read_text()
    assert "cube" in text and "square" not in text
    # the default name is ffibuilder, which this script does not define
    proc = gen_src("exec-python", script, tmp_path / "c.c")
    assert proc.returncode == 1
    assert "NameError" in proc.stderr and "'ffibuilder'" in proc.stderr


def test_exec_python_file_and_imports_of_its_directory(tmp_path, gen_src):
    name = unique("imp")
    sub = tmp_path / "pkgdir"
    sub.mkdir()
    (sub / "gs_helper_mod.py").write_text(
        "SOURCE = 'static int square(int n) { return n * n; }'\n")
    (sub / "_build.py").write_text(textwrap.dedent("""\
        import os
        assert os.path.isabs(__file__), __file__
        assert os.path.basename(__file__) == "_build.py", __file__
        from cffi import FFI
        def ffibuilder():
            from gs_helper_mod import SOURCE
            f = FFI()
            f.cdef("int square(int n);")
            f.set_source(%r, SOURCE)
            return f
        """ % name))
    # run from another directory: the script's own must be importable
    proc = gen_src("exec-python", "pkgdir/_build.py", "out.c", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "n * n" in (tmp_path / "out.c").read_text()


def test_exec_python_missing_name(tmp_path, gen_src):
    script = tmp_path / "_build.py"
    script.write_text(build_script(unique("nf")))
    proc = gen_src("exec-python", "--ffi-var", "notfound", script,
                   tmp_path / "out.c")
    assert proc.returncode == 1
    assert "NameError" in proc.stderr and "'notfound'" in proc.stderr
    assert not (tmp_path / "out.c").exists()


@pytest.mark.parametrize("value", ["42", "lambda: 42"], ids=["int", "callable"])
def test_exec_python_not_an_ffi(tmp_path, gen_src, value):
    script = tmp_path / "_build.py"
    script.write_text(build_script(unique("nt")) + "other = %s\n" % value)
    proc = gen_src("exec-python", "--ffi-var", "other", script,
                   tmp_path / "out.c")
    assert proc.returncode == 1
    assert "TypeError" in proc.stderr
    assert "'other' but it was not an instance of cffi.api.FFI" in proc.stderr


def test_exec_python_refuses_abi_mode(tmp_path, gen_src):
    # as FFI.emit_c_code() refuses set_source(name, None): TypeError
    script = tmp_path / "_build.py"
    script.write_text("from cffi import FFI\nffibuilder = FFI()\n"
                      "ffibuilder.cdef('int square(int);')\n"
                      "ffibuilder.set_source('_abi_mod', None)\n")
    proc = gen_src("exec-python", script, tmp_path / "out.c")
    assert proc.returncode == 1
    assert "TypeError" in proc.stderr and "emit_c_code()" in proc.stderr
    assert not (tmp_path / "out.c").exists()


def test_exec_python_error_of_the_script_is_its_traceback(tmp_path, gen_src):
    script = tmp_path / "_build.py"
    script.write_text("from cffi import FFI\nffibuilder = FFI()\n"
                      "ffibuilder.cdef('int square(int n')\n")
    proc = gen_src("exec-python", script, tmp_path / "out.c")
    assert proc.returncode == 1
    assert "CDefError" in proc.stderr and str(script) in proc.stderr


def test_exec_python_from_stdin_to_stdout(tmp_path, gen_src):
    name = unique("io")
    proc = gen_src("exec-python", "-", "-", stdin=build_script(name),
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert is_module_source(proc.stdout, name)


# ------------------------------------------------------------ read-sources

def test_read_sources_stdin_and_stdout(tmp_path, gen_src):
    name = unique("rs")
    (tmp_path / "s.c").write_text("static int square(int n) { return n; }\n")
    (tmp_path / "c.txt").write_text("int square(int n);\n")
    proc = gen_src("read-sources", name, "-", tmp_path / "s.c", "-",
                   stdin="int square(int n);\n")
    assert proc.returncode == 0, proc.stderr
    from_files = gen_src("read-sources", name, tmp_path / "c.txt",
                         tmp_path / "s.c", tmp_path / "out.c")
    assert from_files.returncode == 0, from_files.stderr
    assert proc.stdout == (tmp_path / "out.c").read_text()
    assert is_module_source(proc.stdout, name)


def test_read_sources_same_file(tmp_path, gen_src):
    f = tmp_path / "both.h"
    f.write_text("int square(int n);\n")
    os.link(str(f), str(tmp_path / "link.h"))
    for args in (["-", "-"], [f, f], [f, tmp_path / "link.h"]):
        proc = gen_src("read-sources", "_m", *(args + [tmp_path / "out.c"]))
        assert proc.returncode == 2, args
        assert ("error: cdef and csrc are the same file and should not be"
                in proc.stderr), proc.stderr
        assert not (tmp_path / "out.c").exists()


def test_read_sources_missing_input(tmp_path, gen_src):
    (tmp_path / "s.c").write_text("\n")
    proc = gen_src("read-sources", "_m", tmp_path / "nope.txt",
                   tmp_path / "s.c", tmp_path / "out.c")
    assert proc.returncode == 2
    assert "can't open" in proc.stderr and "nope.txt" in proc.stderr


def test_read_sources_bad_cdef_is_a_cdef_error(tmp_path, gen_src):
    (tmp_path / "c.txt").write_text("int square(int n\n")
    (tmp_path / "s.c").write_text("\n")
    proc = gen_src("read-sources", "_m", tmp_path / "c.txt",
                   tmp_path / "s.c", tmp_path / "out.c")
    assert proc.returncode == 1
    assert "CDefError" in proc.stderr


# ------------------------------------------------------------ command line

def test_a_subcommand_is_required(gen_src):
    proc = gen_src()
    assert proc.returncode == 2
    assert "a subcommand is required: exec-python or read-sources" \
        in proc.stderr


def test_usage_names_the_invocation():
    proc = run(MODULE_CMD, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: python -m cffi.gen_src")
    assert "exec-python" in proc.stdout and "read-sources" in proc.stdout
    proc = run(script_cmd(), "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: cffi-gen-src")
    proc = run(script_cmd(), "exec-python")
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: cffi-gen-src exec-python")


def test_importing_gen_src_does_nothing():
    proc = run([sys.executable, "-c", "import cffi.gen_src"])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_script_finds_ccffi_without_pythonpath(tmp_path):
    # the script puts ccffi's package directory first by itself, as the
    # installed one must (Debian's is in a private directory)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    script = tmp_path / "_build.py"
    script.write_text(build_script(unique("env"), """\
        import _cffi_backend
        assert hasattr(_cffi_backend, "__ccffi__"), _cffi_backend.__file__
        """))
    proc = run(script_cmd(), "exec-python", script, tmp_path / "out.c",
               env=env)
    assert proc.returncode == 0, proc.stderr


# ------------------------------------------------------------ meson

MESON_BUILD = """\
project('gensrc_demo', 'c')
py = import('python').find_installation(%(python)r, pure: false)
cffi_gen_src = find_program('cffi-gen-src')
src = custom_target('squared-cffi-src',
  command: [cffi_gen_src, 'read-sources', %(name)r,
            '@INPUT0@', '@INPUT1@', '@OUTPUT@'],
  output: %(cfile)r,
  input: ['squared.cdef.txt', 'squared.csrc.c'])
py.extension_module(%(name)r, src,
  dependencies: [py.dependency()])
"""


def test_meson_custom_target_builds_the_module(tmp_path):
    """CFFI's read_sources example, as meson builds it (no install)."""
    meson = shutil.which("meson")
    if meson is None or not (shutil.which("ninja")
                             or shutil.which("ninja-build")):
        pytest.skip("meson and ninja are not installed (tools/deps.sh)")
    script_cmd()
    name = unique("meson")
    (tmp_path / "squared.cdef.txt").write_text("int square(int n);\n")
    (tmp_path / "squared.csrc.c").write_text(
        "static int square(int n) { return n * n; }\n")
    (tmp_path / "meson.build").write_text(MESON_BUILD % dict(
        python=sys.executable, name=name, cfile=name + ".c"))
    env = dict(os.environ, PATH=SCRIPT_DIR + os.pathsep + os.environ["PATH"])
    env.pop("PYTHONPATH", None)
    for cmd in ([meson, "setup", "build"], [meson, "compile", "-C", "build"]):
        proc = subprocess.run(cmd, cwd=str(tmp_path), env=env,
                              capture_output=True, text=True)
        if proc.returncode and "missing distutils" in proc.stdout:
            # Debian's meson 1.0 asks the Python for distutils, which 3.12
            # and later do not have: nothing the generated file can change
            pytest.skip("this meson cannot use Python %d.%d (it needs "
                        "distutils)" % sys.version_info[:2])
        assert proc.returncode == 0, proc.stdout + proc.stderr
    sys.path.insert(0, str(tmp_path / "build"))
    try:
        m = importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path / "build"))
    assert m.lib.square(7) == 49
