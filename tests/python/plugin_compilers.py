"""The compilers API mode is tested with: gcc loading the GCC plugin and
clang loading the Clang plugin, each when its plugin is built.  The plugin
and API-mode tests are parametrized over PARAMS (ids "gcc" and "clang"), so
that one test checks both plugins; a compiler whose plugin configure did not
build is skipped, with the reason."""
import os
import shutil
import sys

import pytest

from cffi import _compiler

SRCDIR = os.environ.get("CCFFI_SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILDDIR = os.environ.get("CCFFI_BUILDDIR") or SRCDIR


class Compiler:
    """A compiler and how it loads its plugin."""

    def __init__(self, name, command, plugin, werror, arg_prefix, quotes):
        self.name = name
        self.command = command          # the CC value
        self.plugin = plugin            # the plugin's path in the build tree
        self.werror = werror            # refuses the markers without the plugin
        self.arg_prefix = arg_prefix    # -fplugin-arg-...-KEY=VALUE
        self.unknown_attribute = quotes  # its warning for an unknown attribute

    def plugin_flags(self):
        return ["-fplugin=" + self.plugin, self.werror]

    def __repr__(self):
        return self.name


def _clang_command():
    return shutil.which("clang-14") or shutil.which("clang") or "clang-14"


# The plugins the package under test loads: the build tree's (make check),
# or the installed ones (the Debian autopkgtest, whose source tree may hold a
# build of its own that the installed package never uses).
GCC = Compiler("gcc", os.environ.get("CC") or "gcc",
               _compiler.gcc_plugin_path(),
               "-Werror=attributes", "-fplugin-arg-ccffi_gcc-",
               "'ccffi' attribute directive ignored")
CLANG = Compiler("clang", _clang_command(),
                 _compiler.clang_plugin_path(),
                 "-Werror=unknown-attributes", "-fplugin-arg-ccffi-",
                 "unknown attribute 'ccffi' ignored")
COMPILERS = [GCC, CLANG]


def _param(compiler):
    built = os.path.exists(compiler.plugin)
    return pytest.param(compiler, id=compiler.name, marks=pytest.mark.skipif(
        not built, reason="%s plugin not built (configure --disable-%s-plugin "
        "or %s missing?)" % (compiler.name, compiler.name, compiler.name)))


PARAMS = [_param(c) for c in COMPILERS]
BUILT = [c for c in COMPILERS if os.path.exists(c.plugin)]

# API-mode tests that run each module with each plugin and with none
MODES = PARAMS + [pytest.param("noplugin", id="noplugin")]


def compiler_mode(mode, monkeypatch, tmp_path):
    """The body of a `mode` fixture over MODES: selects the compiler (gcc
    without a plugin for "noplugin"), yields the mode, then forgets the
    modules built in tmp_path so the next mode imports its own."""
    if mode == "noplugin":
        monkeypatch.setenv("CC", GCC.command)
        monkeypatch.setenv("CCFFI_NO_PLUGIN", "1")
    else:
        monkeypatch.setenv("CC", mode.command)
        monkeypatch.delenv("CCFFI_NO_PLUGIN", raising=False)
    before = set(sys.modules)
    yield mode
    for name in set(sys.modules) - before:
        path = getattr(sys.modules[name], "__file__", None) or ""
        if path.startswith(str(tmp_path)):
            del sys.modules[name]
