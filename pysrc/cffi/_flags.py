"""The compile flags of ccffi's API mode, for build systems other than
setuptools (CMake, meson, a Makefile), in the spirit of pkg-config.

A file written by ffi.emit_c_code() builds with any C or C++ compiler: then
the compiler computes sizes, offsets and values in plain C and the module's
types are completed at import (ffi._ccffi_built_with == 'compiler').  With
the ccffi plugin loaded (ffi._ccffi_built_with == 'plugin') the plugin
writes the exact table and reports a cdef that contradicts the headers at
build time with the header's file:line.  To load it, add the flags this
prints to the compile command (not the link command):

    python3 -m cffi._flags --cflags            # Python.h and the plugin
    python3 -m cffi._flags --plugin            # the plugin's flags only
    python3 -m cffi._flags --cflags --optional # no plugin for this
                                               # compiler: just Python.h
    CC=clang python3 -m cffi._flags --cflags   # for another compiler

or call cffi.get_plugin_flags() from Python.  The flags are for the
compiler in CC (else Python's), or the one named by --cc.  Exit status 1,
with the reason on stderr, when that compiler cannot load a ccffi plugin
(unless --optional).
"""
import shlex
import sys
import sysconfig

from . import _compiler
from .error import VerificationError


def get_plugin_flags(cc=None):
    """The compile flags that load the ccffi plugin into the compiler `cc`
    (a command string or list; default: CC, else Python's compiler), after
    checking that it loads.  Raises VerificationError when it cannot (no
    plugin for that compiler, plugin not built or not installed)."""
    if cc is None:
        cmd = _compiler.compiler_command()
    elif isinstance(cc, str):
        cmd = shlex.split(cc)
    else:
        cmd = list(cc)
    key = tuple(cmd)
    if key not in _compiler._checked:
        _compiler._checked[key] = _compiler._check_plugin(cmd)
    return list(_compiler._checked[key])


def python_include_flags():
    """-I flags for Python.h (the generated file includes it)."""
    dirs = []
    for key in ("include", "platinclude"):
        d = sysconfig.get_paths().get(key)
        if d and d not in dirs:
            dirs.append(d)
    return ["-I" + d for d in dirs]


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(
        prog="python3 -m cffi._flags",
        description="Compile flags for a file written by ffi.emit_c_code(): "
                    "Python's include directory and the ccffi plugin.")
    parser.add_argument("--cc", help="the compiler command (default: $CC, "
                        "else the one Python was built with)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--cflags", action="store_true",
                      help="Python's -I flags and the plugin's flags "
                           "(the default)")
    what.add_argument("--plugin", action="store_true",
                      help="only the flags that load the plugin")
    parser.add_argument("--optional", action="store_true",
                        help="print no plugin flag, instead of failing, when "
                             "the compiler cannot load a plugin (the file "
                             "builds without it)")
    args = parser.parse_args(argv)
    try:
        flags = get_plugin_flags(args.cc)
    except VerificationError as e:
        if not args.optional:
            print("cffi._flags: %s" % e, file=sys.stderr)
            return 1
        flags = []
    if not args.plugin:
        flags = python_include_flags() + flags
    print(" ".join(shlex.quote(f) for f in flags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
