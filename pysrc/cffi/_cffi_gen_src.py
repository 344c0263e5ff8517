"""The `cffi-gen-src` command (CFFI 2.1's source generator): writes the C
file of an API-mode module, the same file as ffi.emit_c_code(), for a build
system (meson, CMake/scikit-build-core, make) that compiles it itself.  The
command line is the interface; `python -m cffi.gen_src` (gen_src.py) and the
installed `cffi-gen-src` script both call run().  The file builds with any C
compiler, and with the plugin's exact table when the plugin's flags
(python -m cffi._flags --cflags) are on the compile command.

Two subcommands:
  exec-python [--ffi-var NAME] SCRIPT OUTPUT
      runs SCRIPT (as a build script for setuptools' cffi_modules, with
      __name__ == "cffi.gen_src" so that its `if __name__ == "__main__":`
      part does not compile) and takes its global NAME (default
      `ffibuilder`): an FFI on which set_source() was called, or a callable
      returning one.
  read-sources MODULE CDEF_FILE CSOURCE_FILE OUTPUT
      an FFI whose cdef() is CDEF_FILE and whose set_source(MODULE, ...)
      prelude is CSOURCE_FILE.
An input or OUTPUT of "-" is standard input or output.  Errors of the user's
script or cdef come out as their traceback (exit status 1), errors of the
command line as argparse's usage message (exit status 2).
"""
import argparse
import io
import os
import sys

from .api import FFI

STDIO = '-'


def _open_input(parser, what, path):
    """An input file opened as the command line is parsed, as argparse's
    FileType did in CFFI's tool: a missing file is a usage error."""
    if path == STDIO:
        return sys.stdin
    try:
        return open(path, 'r', encoding='utf-8')
    except OSError as e:
        parser.error("argument %s: can't open '%s': %s" % (what, path, e))


def _same_input(path1, file1, path2, file2):
    if file1 is file2:          # both "-"
        return True
    if path1 == STDIO or path2 == STDIO:
        return False
    try:
        return os.path.samefile(path1, path2)
    except OSError:
        return False


def ffi_from_script(source, filename, ffi_var):
    """Runs a build script's text and returns the FFI its global ffi_var
    names (calling it when it is a callable that is not an FFI).  The script
    sees its own __file__, and its directory is importable while it runs."""
    filename = os.path.abspath(filename)
    code = compile(source, filename, 'exec')
    namespace = {'__name__': 'cffi.gen_src', '__file__': filename}
    saved_path = list(sys.path)
    sys.path.insert(0, os.path.dirname(filename))
    try:
        exec(code, namespace)
        if ffi_var not in namespace:
            raise NameError("Expected to find the FFI object with the name "
                            "%r, but it was not found." % (ffi_var,))
        found = namespace[ffi_var]
        if not isinstance(found, FFI) and callable(found):
            found = found()
        if not isinstance(found, FFI):
            raise TypeError("Found an object with the name %r but it was "
                            "not an instance of cffi.api.FFI" % (ffi_var,))
        return found
    finally:
        sys.path[:] = saved_path


def ffi_from_sources(module_name, cdef, csource):
    ffi = FFI()
    ffi.cdef(cdef)
    ffi.set_source(module_name, csource)
    return ffi


def c_source_of(ffi):
    """The text ffi.emit_c_code() writes (TypeError for an ABI-mode
    set_source(name, None), as emit_c_code() itself)."""
    out = io.StringIO()
    ffi.emit_c_code(out)
    return out.getvalue()


def _write(output, text):
    if output == STDIO:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with open(output, 'w', encoding='utf-8') as f:
        f.write(text)


def make_parser(prog):
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Write the C source of a CFFI API-mode extension module "
                    "(what FFI.emit_c_code() writes), for a build system to "
                    "compile.")
    sub = parser.add_subparsers(dest='mode', metavar='{exec-python,read-sources}')
    p = sub.add_parser('exec-python',
                       help='run a Python build script that defines an FFI')
    p.add_argument('--ffi-var', default='ffibuilder',
                   help="the script's global holding the FFI, or a callable "
                        "returning it (default: ffibuilder)")
    p.add_argument('pyfile', help='the Python build script ("-": stdin)')
    p.add_argument('output', help='the C file to write ("-": stdout)')
    p = sub.add_parser('read-sources',
                       help='build the FFI from a cdef file and a C prelude')
    p.add_argument('module_name',
                   help='the dotted name of the module (set_source()\'s first '
                        'argument)')
    p.add_argument('cdef', help='the file of C declarations given to cdef() '
                                '("-": stdin)')
    p.add_argument('csrc', help='the C source prelude given to set_source() '
                                '("-": stdin)')
    p.add_argument('output', help='the C file to write ("-": stdout)')
    return parser


def run(args=None, prog='cffi-gen-src'):
    """The command: parses args (default sys.argv[1:]), writes the file and
    exits with status 0; prog is the name usage messages show."""
    parser = make_parser(prog)
    ns = parser.parse_args(args)
    if ns.mode == 'exec-python':
        with _open_input(parser, 'pyfile', ns.pyfile) as f:
            name = '<stdin>' if f is sys.stdin else ns.pyfile
            ffi = ffi_from_script(f.read(), name, ns.ffi_var)
    elif ns.mode == 'read-sources':
        cdef_file = _open_input(parser, 'cdef', ns.cdef)
        csrc_file = _open_input(parser, 'csrc', ns.csrc)
        try:
            if _same_input(ns.cdef, cdef_file, ns.csrc, csrc_file):
                parser.error('cdef and csrc are the same file and should '
                             'not be')
            cdef = cdef_file.read()
            csrc = csrc_file.read()
        finally:
            for f in (cdef_file, csrc_file):
                if f is not sys.stdin:
                    f.close()
        ffi = ffi_from_sources(ns.module_name, cdef, csrc)
    else:
        parser.error('a subcommand is required: exec-python or read-sources')
    _write(ns.output, c_source_of(ffi))
    parser.exit(0)
