"""cffi.verifier: ffi.verify(), CFFI's original (deprecated) API mode.

A Verifier names an extension module from a hash of its inputs (the cdef,
the source, the Extension keywords, the Python and verifier versions), and
builds it through the same path as set_source() + compile() (the generated
C file, the plugin, the type table) on a private FFI that carries the same
declarations.  load_library() imports the module from tmpdir, reusing a
module built by an earlier, unchanged call, and returns its lib.
"""
import binascii
import importlib.machinery
import importlib.util
import os
import re
import sys

from .error import VerificationError

__all__ = ['Verifier', 'cleanup_tmpdir', 'set_tmpdir']

# Part of the hash: a change in the way modules are generated changes it.
VERIFIER_VERSION = "ccffi-1"

# The Extension keywords whose values are file names (relative_to= joins them).
_FILE_NAME_KEYWORDS = ('sources', 'include_dirs', 'library_dirs',
                       'extra_objects', 'depends')


_NEW_FEATURES = [
    (re.compile(r'\btypedef\s+int\s*\.\.\.\s*(\w+)'), 'int'),
    (re.compile(r'\btypedef\s+(?:float|double)\s*\.\.\.\s*(\w+)'), 'float'),
]


def _new_feature(cdefsources):
    """The first declaration that only set_source() supports, as CFFI
    names it ('typedef int... t1'), or None."""
    for csource in cdefsources:
        csource = re.sub(r'/\*.*?\*/|//[^\n]*', ' ', csource, flags=re.S)
        for regex, kind in _NEW_FEATURES:
            match = regex.search(csource)
            if match:
                return "'typedef %s... %s'" % (kind, match.group(1))
    return None


def _so_suffixes():
    return importlib.machinery.EXTENSION_SUFFIXES[:] or ['.so']


def _flatten(value):
    """A stable text for the keywords (dicts sorted), part of the hash."""
    if isinstance(value, dict):
        return '{%s}' % ','.join('%s:%s' % (_flatten(k), _flatten(value[k]))
                                 for k in sorted(value, key=str))
    if isinstance(value, (list, tuple)):
        return '[%s]' % ','.join(_flatten(v) for v in value)
    if isinstance(value, (str, int)):
        return '%s:%s' % (type(value).__name__, value)
    raise TypeError("the keywords to verify() contain unsupported "
                    "object %r" % (value,))


class Verifier:
    """Builds (or finds) and loads the module of one ffi.verify() call."""

    def __init__(self, ffi, preamble, tmpdir=None, modulename=None,
                 ext_package=None, tag='', force_generic_engine=False,
                 source_extension='.c', flags=None, relative_to=None,
                 **kwds):
        from .api import EXTENSION_KEYWORDS
        feature = _new_feature(ffi.__dict__.get('_cdefsources', ()))
        if feature is not None:
            raise VerificationError(
                "feature not supported with ffi.verify(), but only "
                "with ffi.set_source(): %s" % (feature,))
        unknown = set(kwds) - EXTENSION_KEYWORDS
        if unknown:
            raise TypeError("verify() got unexpected keyword argument(s) %s"
                            % ", ".join(sorted(unknown)))
        self.ffi = ffi
        self.preamble = preamble
        self.flags = flags
        self.kwds = self.make_relative_to(kwds, relative_to)
        if modulename:
            if tag:
                raise TypeError("can't specify both 'modulename' and 'tag'")
        else:
            key = '\x00'.join(['%d.%d' % sys.version_info[:2],
                               VERIFIER_VERSION, preamble, _flatten(kwds)] +
                              list(ffi.__dict__.get('_cdefsources', ())))
            key = key.encode('utf-8')
            k1 = '%x' % (binascii.crc32(key[0::2]) & 0xffffffff)
            k2 = '%x' % (binascii.crc32(key[1::2]) & 0xffffffff)
            modulename = '_cffi_%s_%s%s' % (tag, k1, k2)
        self.tmpdir = tmpdir or _caller_dir_pycache()
        self.source_extension = source_extension
        self.sourcefilename = os.path.join(self.tmpdir,
                                           modulename + source_extension)
        self.modulefilename = os.path.join(self.tmpdir,
                                           modulename + _so_suffixes()[0])
        self.ext_package = ext_package
        self._has_source = False
        self._has_module = False

    # ------------------------------------------------------------ public

    def get_module_name(self):
        return os.path.basename(self.modulefilename).split('.', 1)[0]

    def _build_ffi(self):
        """A private API-mode FFI with the caller's declarations, the
        source and keywords set_source()'d (verify() is set_source() +
        compile() behind another door)."""
        build = getattr(self, '_ffi_for_build', None)
        if build is None:
            from .api import FFI
            build = FFI()
            for other in self.ffi.__dict__.get('_included_ffis', ()):
                # a verified ffi is included through its module's ffi, so
                # that both modules share the types
                verifier = other.__dict__.get('verifier')
                module = getattr(verifier, 'module', None)
                build.include(module.ffi if module is not None else other)
            for csource, options in self.ffi.__dict__.get('_cdefargs', ()):
                build.cdef(csource, **options)
            build.set_source(self.get_module_name(), self.preamble,
                             self.source_extension, **self.kwds)
            self._ffi_for_build = build
        return build

    def write_source(self, file=None):
        """Writes the C source to self.sourcefilename (or to file)."""
        if self._has_source and file is None:
            raise VerificationError("source code already written")
        self._write_source(file)

    def _write_source(self, file=None):
        from . import _codegen
        text = _codegen.generate_c(self._build_ffi(), self.get_module_name(),
                                   self.preamble)
        if file is not None:
            file.write(text)
            return
        os.makedirs(os.path.dirname(self.sourcefilename) or '.',
                    exist_ok=True)
        _codegen.write_if_changed(self.sourcefilename, text)
        self._has_source = True

    def compile_module(self):
        """Writes the source if needed and builds self.modulefilename."""
        if self._has_module:
            raise VerificationError("module already compiled")
        self._compile_module()

    def load_library(self):
        """Builds the module unless an unchanged one is in tmpdir, imports
        it and returns its lib."""
        if not self._has_module:
            self._locate_module()
            if not self._has_module:
                self._compile_module()
        return self._load_library()

    def get_extension(self):
        """The setuptools Extension that builds this module (for setup.py
        scripts that hand it to setup(ext_modules=...))."""
        from . import _codegen
        if not self._has_source:
            self._write_source()
        sourcename = self.sourcefilename
        try:
            rel = os.path.relpath(sourcename)
            if not rel.startswith(os.pardir):
                sourcename = rel
        except ValueError:
            pass
        return _codegen.make_extension(self.get_module_name(), sourcename,
                                       self.kwds)

    def generates_python_module(self):
        return True

    def make_relative_to(self, kwds, relative_to):
        if relative_to and os.path.dirname(relative_to):
            dirname = os.path.dirname(relative_to)
            kwds = dict(kwds)
            for key in _FILE_NAME_KEYWORDS:
                if key in kwds:
                    lst = kwds[key]
                    if not isinstance(lst, (list, tuple)):
                        raise TypeError("keyword '%s' should be a list or "
                                        "tuple" % (key,))
                    kwds[key] = [os.path.join(dirname, fn) for fn in lst]
        return kwds

    # ------------------------------------------------------------ internals

    def _locate_module(self):
        if not os.path.isfile(self.modulefilename):
            path = None
            if self.ext_package:
                try:
                    pkg = __import__(self.ext_package, None, None, ['__doc__'])
                except ImportError:
                    return
                path = list(pkg.__path__)
            found = None
            for dirname in (path if path is not None else sys.path):
                for suffix in _so_suffixes():
                    candidate = os.path.join(dirname or '.',
                                             self.get_module_name() + suffix)
                    if os.path.isfile(candidate):
                        found = candidate
                        break
                if found:
                    break
            if found is None:
                return
            self.modulefilename = found
        self._has_module = True

    def _compile_module(self):
        import shutil
        build = self._build_ffi()
        if not self._has_source:
            self._write_source()
        # compile() rewrites the C file only if it changed, and builds
        # inside tmpdir
        built = build.compile(tmpdir=self.tmpdir)
        if not (os.path.exists(self.modulefilename) and
                os.path.samefile(built, self.modulefilename)):
            shutil.move(built, self.modulefilename)
        self._has_module = True

    def _load_library(self):
        name = self.get_module_name()
        if self.ext_package:
            name = self.ext_package + '.' + name
        module = sys.modules.get(name)
        if module is None or getattr(module, '__file__', None) != \
                self.modulefilename:
            spec = importlib.util.spec_from_file_location(
                name, self.modulefilename)
            if spec is None:
                raise VerificationError("cannot load %s" %
                                        (self.modulefilename,))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            # registered, so that a module built from an ffi that includes
            # this one imports it
            sys.modules[name] = module
        self.module = module
        _adopt_types(self.ffi, module.ffi)
        return module.lib


# The ffi methods that stay the caller's own after verify().
_KEEP = frozenset(['cdef', 'dlopen', 'include', 'set_source',
                   'set_source_pkgconfig', 'emit_c_code', 'emit_python_code',
                   'distutils_extension', 'compile', 'verify', 'verifier',
                   'embedding_api', 'embedding_init_code', 'errno'])


def _adopt_types(ffi, module_ffi):
    """After verify(), the caller's ffi sees the types as the compiler laid
    them out (partial structs and enums completed, the lib's own types):
    its run-time methods become those of the module's ffi."""
    for name in dir(module_ffi):
        if name.startswith('_') or name in _KEEP:
            continue
        try:
            ffi.__dict__[name] = getattr(module_ffi, name)
        except AttributeError:
            pass


# ------------------------------------------------------------------ tmpdir

# CFFI's switch for its tests; ccffi has a single engine (API mode)
_FORCE_GENERIC_ENGINE = False

_TMPDIR = None


def _caller_dir_pycache():
    """__pycache__ beside the file of the caller of verify() (or of
    cleanup_tmpdir()); CFFI_TMPDIR or set_tmpdir() override it."""
    if _TMPDIR:
        return _TMPDIR
    result = os.environ.get('CFFI_TMPDIR')
    if result:
        return result
    filename = sys._getframe(2).f_code.co_filename
    return os.path.abspath(os.path.join(os.path.dirname(filename),
                                        '__pycache__'))


def set_tmpdir(dirname):
    """Sets the directory used instead of __pycache__."""
    global _TMPDIR
    _TMPDIR = dirname


def cleanup_tmpdir(tmpdir=None, keep_so=False):
    """Removes the _cffi_*.c files (and the modules, unless keep_so) from
    tmpdir and the files under its build directory."""
    tmpdir = tmpdir or _caller_dir_pycache()
    try:
        names = os.listdir(tmpdir)
    except OSError:
        return
    suffix = '.c' if keep_so else _so_suffixes()[0].lower()
    for name in names:
        low = name.lower()
        if low.startswith('_cffi_') and (low.endswith(suffix) or
                                         low.endswith('.c')):
            try:
                os.unlink(os.path.join(tmpdir, name))
            except OSError:
                pass
    dirs = [os.path.join(tmpdir, 'build')]
    for dirname in dirs:
        try:
            for name in os.listdir(dirname):
                path = os.path.join(dirname, name)
                if os.path.isdir(path):
                    dirs.append(path)
                else:
                    os.unlink(path)
        except OSError:
            pass
