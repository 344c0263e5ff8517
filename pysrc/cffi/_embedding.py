"""Embedding: Python code exported as a C library (CFFI's "embedding" mode).

ffi.embedding_api(cdecls) parses declarations whose functions the library
exports: each is an extern "Python+C" function (the parser's dllexport
option), so the code generator writes its C body with the function's own
name and CFFI_DLLEXPORT.  ffi.embedding_init_code(source) gives the Python
code run once, the first time C calls into the library.  set_source() and
compile() then build the library through the ordinary API-mode path (the
plugin, the table, the trampolines); this module adds what differs:

  * fix_init_code(): the init code as CFFI stores it (leading blank lines
    dropped, common indentation removed, syntax checked at build time);
  * link_keywords(): the setuptools keywords that link the library against
    libpython, as sysconfig describes the running interpreter;
  * library_target(): the output name, `module.so` by default, `*` in a
    target becoming the platform's suffix for shared libraries;
  * c_prologue(): the C text placed before the user's source: the module
    name, the init code as bytes, and _ccffi_embedding.h (shipped beside
    this file), which starts or attaches to Python on the first call.
"""
import os
import re
import sys
import sysconfig

SUPPORT_HEADER = '_ccffi_embedding.h'


def fix_init_code(pysource):
    """The init code as it is frozen into the library: starting at line 1,
    dedented when every non-blank line shares an indentation, and compiled
    once here so that a SyntaxError shows at build time (as CFFI)."""
    if not isinstance(pysource, str):
        raise TypeError("embedding_init_code() expects a str, not %s"
                        % type(pysource).__name__)
    head = re.match(r'\s*\n', pysource)
    if head:
        pysource = pysource[head.end():]
    lines = pysource.splitlines() or ['']
    indent = re.match(r'\s*', lines[0]).group()
    for line in lines[1:]:
        if line.rstrip():
            while not line.startswith(indent):
                indent = indent[:-1]
    text = ''.join(line[len(indent):] + '\n' for line in lines)
    compile(text, "cffi_init", "exec")
    return text


def python_library_name():
    """The name to give `-l` for the running interpreter's libpython."""
    name = 'python%d.%d' % sys.version_info[:2]
    name += sysconfig.get_config_var('DEBUG_EXT') or ''
    return name + getattr(sys, 'abiflags', '')


_SYSTEM_DIRS = ('/lib', '/usr/lib', '/lib64', '/usr/lib64')


def link_keywords(kwds):
    """Adds to the setuptools keywords `kwds` (in place) what links a shared
    library against libpython: `-lpythonX.Y`, and for an interpreter
    installed outside the system directories (pyenv, a venv's base) the
    directory that holds it, also as the run-time search path."""
    def add(key, value):
        values = kwds.setdefault(key, [])
        if value not in values:
            values.append(value)
    add('libraries', python_library_name())
    shared = sysconfig.get_config_var('Py_ENABLE_SHARED')
    libdir = sysconfig.get_config_var('LIBDIR' if shared else 'LIBPL')
    if libdir and os.path.isdir(libdir):
        multiarch = sysconfig.get_config_var('MULTIARCH') or ''
        system = set(_SYSTEM_DIRS)
        system.update(os.path.join(d, multiarch) for d in _SYSTEM_DIRS
                      if multiarch)
        if os.path.normpath(libdir) not in system:
            add('library_dirs', libdir)
            if shared:
                add('runtime_library_dirs', libdir)
    return kwds


def shared_library_suffix():
    """The platform's suffix of a shared library (not of an extension)."""
    if sys.platform == 'win32':
        return '.dll'
    if sys.platform == 'darwin':
        return '.dylib'
    return '.so'


def library_target(module_name, target):
    """compile()'s output name for an embedding library: the target given
    (its `.*` the platform's suffix), by default the module's dotted name,
    as CFFI (`pkg._mod` gives pkg/pkg._mod.so)."""
    if target is None:
        target = module_name + '.*'
    if target.endswith('.*'):
        target = target[:-2] + shared_library_suffix()
    return target


def _c_literal_lines(text):
    """`text` as C string literals, one per line of it (concatenated by the
    compiler): valid C and C++ for any byte, '?' escaped against trigraphs."""
    out = []
    for line in text.splitlines(True) or ['']:
        chars = []
        for b in line.encode('utf-8'):
            if b in (0x22, 0x3f, 0x5c) or not 0x20 <= b < 0x7f:
                chars.append('\\%03o' % b)
            else:
                chars.append(chr(b))
        out.append('    "%s"' % ''.join(chars))
    return out


def c_prologue(module_name, init_code, version):
    """The lines that go before the user's source in the C file of an
    embedding library (CFFI_DLLEXPORT and cffi_start_python() are then
    available to that source)."""
    import _cffi_backend
    short_name = module_name.split('.')[-1]
    # a failed start names the maker: another _cffi_backend may be found
    version = '%s (ccffi %s)' % (version, _cffi_backend.__ccffi__)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, SUPPORT_HEADER)) as f:
        header = f.read()
    out = ['/* ---------------- embedding: Python started on the first call '
           '---------------- */',
           '#define _CCFFI_EMBED_MODULE %s' % _c_string(module_name),
           '#define _CCFFI_EMBED_VERSION %s' % _c_string(version),
           '#define _CCFFI_EMBED_INIT_FUNC PyInit_%s' % short_name,
           'PyMODINIT_FUNC PyInit_%s(void);' % short_name,
           '/* the code given to ffi.embedding_init_code(), UTF-8 */',
           'static const char _ccffi_embed_code[] =']
    out.extend(_c_literal_lines(init_code or ''))
    out[-1] += ';'
    out.append(header)
    return out


def _c_string(s):
    from ._codegen import c_string
    return c_string(s)
