"""Which plugin API mode loads: chosen from what the compiler is (its
predefined macros), never from its name; a compiler that cannot be run is
"not found", one that is neither gcc nor clang is named."""
import importlib
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest

from cffi import FFI, VerificationError, _compiler

from plugin_compilers import BUILT, CLANG, GCC


def script(tmp_path, name, body):
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def compile_with(tmp_path, monkeypatch, cc):
    monkeypatch.setenv("CC", cc)
    monkeypatch.setattr(_compiler, "_checked", {})
    ffi = FFI()
    ffi.cdef("int f(void);")
    ffi.set_source("_api_choice_%d" % abs(hash(cc)), "int f(void) { return 7; }")
    return ffi.compile(tmpdir=str(tmp_path / "out"))


@pytest.mark.parametrize("compiler", BUILT, ids=str)
def test_a_wrapper_gets_the_plugin_of_the_compiler_it_runs(tmp_path, monkeypatch,
                                                           compiler):
    # named like the other compiler: only what it says of itself counts
    other = "gcc" if compiler is CLANG else "clang"
    cc = script(tmp_path, other, 'exec %s "$@"\n' % compiler.command)
    info = _compiler.compiler_info([cc])
    assert info.kind == compiler.name
    monkeypatch.setenv("CC", cc)
    monkeypatch.setattr(_compiler, "_checked", {})
    flags = _compiler.plugin_flags()
    assert flags[0] == "-fplugin=" + _compiler.plugin_path()
    assert os.path.basename(_compiler.plugin_path()) == \
        os.path.basename(compiler.plugin)
    assert os.path.basename(compile_with(tmp_path, monkeypatch, cc)) \
        .startswith("_api_choice_")


def test_clang_is_recognised_with_its_version():
    if CLANG not in BUILT:
        pytest.skip("clang plugin not built")
    info = _compiler.compiler_info([CLANG.command])
    assert info.kind == "clang" and info.major == 14


def test_gcc_is_recognised():
    if GCC not in BUILT:
        pytest.skip("gcc plugin not built")
    assert _compiler.compiler_info([GCC.command]).kind == "gcc"


def test_a_missing_compiler_is_not_found(tmp_path, monkeypatch):
    cc = str(tmp_path / "no-such-cc")
    with pytest.raises(VerificationError) as info:
        compile_with(tmp_path, monkeypatch, cc)
    msg = str(info.value)
    assert "was not found" in msg and "no-such-cc" in msg
    assert "is not gcc" not in msg


def test_a_compiler_that_is_neither_is_named(tmp_path, monkeypatch):
    cc = script(tmp_path, "tcc", 'echo "tcc version 0.9.27 (x86_64 Linux)"\n'
                'case "$*" in *--version*) exit 0;; esac\n'
                'echo "#define __TINYC__ 927"\n')
    with pytest.raises(VerificationError) as info:
        compile_with(tmp_path, monkeypatch, cc)
    msg = str(info.value)
    assert "is neither" in msg and "tcc version 0.9.27" in msg
    assert "gcc or clang" in msg


def test_another_clang_version_is_refused(tmp_path, monkeypatch):
    cc = script(tmp_path, "clang-99", 'case "$*" in\n'
                '*--version*) echo "clang version 99.0.0";;\n'
                '*) printf "#define __clang__ 1\\n#define __clang_major__ 99\\n'
                '#define __GNUC__ 4\\n";;\nesac\n')
    with pytest.raises(VerificationError) as info:
        compile_with(tmp_path, monkeypatch, cc)
    msg = str(info.value)
    assert "clang 99" in msg and "built for clang 14" in msg


@pytest.mark.parametrize("compiler", BUILT, ids=str)
def test_a_rebuilt_plugin_rebuilds_the_module(tmp_path, monkeypatch, compiler):
    # the module depends on the plugin its compiler loads (it writes the
    # table), not on the GCC plugin whatever the compiler
    from cffi import _config
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    copy = plugins / os.path.basename(compiler.plugin)
    shutil.copy2(compiler.plugin, copy)
    monkeypatch.setattr(_config, "PLUGIN_DIR", str(plugins))
    monkeypatch.setattr(_config, "CLANG_PLUGIN_DIR", str(plugins),
                        raising=False)
    cc = compiler.command

    def build():
        path = compile_with(tmp_path, monkeypatch, cc)
        return os.stat(path).st_mtime_ns
    first = build()
    assert build() == first             # nothing changed: not rebuilt
    later = time.time() + 100
    os.utime(copy, (later, later))
    assert build() != first             # a newer plugin: rebuilt
    ext = FFI()
    ext.cdef("int f(void);")
    ext.set_source("_api_dep", "int f(void) { return 7; }")
    assert ext.distutils_extension(str(tmp_path / "ext")).depends[-1:] == \
        [str(copy)]


def test_a_clang_build_other_than_the_plugins_is_refused(tmp_path, monkeypatch):
    # same major version, another build: the plugin refuses to run in it
    # (as gcc's plugin_default_version_check does), naming both builds
    if CLANG not in BUILT:
        pytest.skip("clang plugin not built")
    if not shutil.which("g++"):
        pytest.skip("needs g++ for the shim")
    shim = tmp_path / "shim.cc"
    shim.write_text('#include <string>\nnamespace clang {\n'
                    'std::string getClangFullVersion()\n'
                    '{ return "Other clang version 14.0.6 (rebuilt)"; }\n}\n')
    subprocess.run(["g++", "-shared", "-fPIC", str(shim), "-o",
                    str(tmp_path / "shim.so")], check=True)
    # (appended to LD_PRELOAD: under make check-asan it holds the sanitizer
    # runtimes, without which clang cannot load the instrumented plugin)
    cc = script(tmp_path, "clang-other",
                'LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD }%s" exec %s "$@"\n'
                % (tmp_path / "shim.so", CLANG.command))
    built = subprocess.run([CLANG.command, "--version"], capture_output=True,
                           text=True).stdout.splitlines()[0]
    with pytest.raises(VerificationError) as info:
        compile_with(tmp_path, monkeypatch, cc)
    msg = str(info.value)
    assert "cannot load the ccffi Clang plugin" in msg
    assert ("the Clang plugin was built for '%s', this is 'Other clang "
            "version 14.0.6 (rebuilt)': rebuild ccffi" % built) in msg
    # the clang it was built for still loads it
    monkeypatch.setattr(_compiler, "_checked", {})
    monkeypatch.setenv("CC", CLANG.command)
    assert _compiler.plugin_flags()[0] == "-fplugin=" + \
        _compiler.clang_plugin_path()


BOUNDED = ("int twice(const char *s, int n)\n"
           "    __attribute__((__bounded__(__string__, 1, 2)));\n")


@pytest.mark.parametrize("plugin", BUILT + ["none"], ids=str)
def test_an_attribute_the_compiler_does_not_know_is_a_warning(
        tmp_path, monkeypatch, plugin):
    """The plugin's flags go to every source of the extension.  A project's
    own attribute that gcc or clang does not know (OpenBSD's __bounded__, in
    bcrypt 3.2's C files) is the compiler's warning, as with CFFI: no
    -Werror=attributes comes with -fplugin (bcrypt did not build)."""
    if plugin == "none":
        monkeypatch.setenv("CCFFI_NO_PLUGIN", "1")
    else:
        monkeypatch.setenv("CC", plugin.command)
    monkeypatch.setattr(_compiler, "_checked", {})
    assert not [f for f in _compiler.plugin_flags() if f.startswith("-W")]
    src = tmp_path / "bounded.c"
    src.write_text(BOUNDED + "int twice(const char *s, int n)\n"
                   "{ return 2 * n + (s[0] == 'x'); }\n")
    name = "_api_bounded_%s" % plugin
    ffi = FFI()
    ffi.cdef("int twice(const char *, int);")
    ffi.set_source(name, BOUNDED, sources=[str(src)])
    out = tmp_path / "out"
    ffi.compile(tmpdir=str(out))
    sys.path.insert(0, str(out))
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(str(out))
    assert module.lib.twice(b"x", 3) == 7
