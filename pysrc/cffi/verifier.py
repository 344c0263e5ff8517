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

import _cffi_backend

from .error import VerificationError, VerificationMissing

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
                # a verified ffi is included through the ffi that built its
                # module: the new module imports that one and shares its
                # types (cdata of either ffi pass to either lib)
                verifier = other.__dict__.get('verifier')
                if getattr(verifier, 'module', None) is not None:
                    other = verifier._build_ffi()
                build.include(other)
            import warnings
            with warnings.catch_warnings():
                # the user's cdef() gave its warnings already
                warnings.simplefilter('ignore')
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
        _check_nameable(_cffi_backend._ccffi_declarations(self.ffi))
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
            try:
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
            except ImportError as e:
                # as CFFI: a module that built but does not load (a symbol
                # C declared implicitly and no library defines)
                raise VerificationError("importing %r: %s"
                                        % (self.modulefilename, e))
            # registered, so that a module built from an ffi that includes
            # this one imports it
            sys.modules[name] = module
        self.module = module
        # as CFFI's module keeps the ffi that verified it
        module._cffi_original_ffi = self.ffi
        _check_against_cdef(self.ffi, module, self.kwds)
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


# ------------------------------------------------------------------ checks
#
# Once the module is loaded, CFFI's verify() checks that the C compiler
# agrees with the numbers the cdef gave, and raises VerificationError where
# it does not: the values of integer constants and of the enumerators of
# complete enums, the layout of complete structs and unions, the size of
# each field of partial ones, the item size of a global 'T x[...]'.  Its
# generated code also makes the compiler refuse a field that the cdef
# declares as an integer and the source as something else, and (with
# -Werror) a field of another type than the cdef's.  Here the module's ffi
# says what the compiler found (the plugin records the source's values and
# layouts) and the caller's ffi, read through the base class whatever
# verify() installed on it, what the cdef says.

_Backend = _cffi_backend.FFI
_CHARS = frozenset(['char', 'wchar_t', 'char16_t', 'char32_t'])
_FLOATS = frozenset(['float', 'double', 'long double'])
# the spelling of an anonymous struct/union/enum: C cannot name it
_ANONYMOUS = re.compile(r'\b(struct|union|enum) (?![A-Za-z_$])')
# pointers to an anonymous struct/union/enum: its kind, the stars
_ANONYMOUS_PTR = re.compile(r'^(struct|union|enum)  ?(\*+)$')


def _check_nameable(decls):
    """CFFI's verify() cannot write a function whose prototype uses a type
    without a C name: a pointer to a pointer to an anonymous struct (only
    `typedef struct {...} *p_t;` names a pointer to one, as p_t)."""
    named = set(m.group(1) for m in
                (_ANONYMOUS_PTR.match(d[2]) for d in decls if d[0] == 'typedef')
                if m and m.group(2) == '*')
    for d in decls:
        if d[0] != 'function':
            continue
        name, result, args = d[1], d[2], d[3]
        for what, ctype in ([('result', result)] +
                            [('argument', a) for a in args]):
            m = _ANONYMOUS_PTR.match(ctype)
            if m and len(m.group(2)) > 1 and m.group(1) not in named:
                raise VerificationError(
                    "function %s: cannot generate '%s' in %s of %s: unknown "
                    "type name" % (name, _ANONYMOUS.sub(r'\1 $', ctype),
                                   what, name))


def _check_against_cdef(ffi, module, kwds):
    decls = _cffi_backend._ccffi_declarations(ffi)
    werror = _warnings_are_errors(kwds)
    records = [d for d in decls if d[0] in ('struct', 'union')
               and d[3] != 'opaque']
    # what CFFI's generated code makes the C compiler refuse
    for d in records:
        _check_field_types(ffi, module.ffi, d, werror)
    # what its module's setup checks: constant and enumerator values
    for d in decls:
        if d[0] == 'constant':
            _check_constant(module.ffi, d[1], d[2], d[3])
        elif d[0] == 'enum' and not d[3] and \
                all(v is not None for _, v in d[4]):
            _check_enum(module.ffi, d[1], d[4])
    # what it checks next, in the order of its declaration keys
    later = [(_record_key(d), _check_record, d) for d in records]
    later += [('variable ' + d[1], _check_global_array, d) for d in decls
              if d[0] == 'variable' and d[2].endswith('[...]')]
    for _, check, d in sorted(later, key=lambda x: x[0]):
        check(ffi, module, d, werror)


def _warnings_are_errors(kwds):
    """True if the compiler makes an incompatible pointer an error."""
    result = False
    args = (list(kwds.get('extra_compile_args') or ()) +
            os.environ.get('CFLAGS', '').split())
    for arg in args:
        if arg in ('-Werror', '-Werror=incompatible-pointer-types'):
            result = True
        elif arg in ('-Wno-error', '-Wno-error=incompatible-pointer-types'):
            result = False
    return result


def _record_names(d):
    """(the C name, CFFI's name of the declaration, CFFI's name of the
    type) of a struct/union declaration."""
    kind, name, typedef_named = d[0], d[1], d[2]
    if typedef_named:
        return name, 'anonymous ' + name, '$' + name
    return '%s %s' % (kind, name), '%s %s' % (kind, name), name


def _record_key(d):
    return _record_names(d)[1]


def _flat_fields(fields):
    """(name, cdef spelling, bitsize) of each member, the members of an
    anonymous struct/union member in its place (as C names them)."""
    for field in fields:
        if len(field) == 4:
            for sub in _flat_fields(field[3]):
                yield sub
        else:
            yield field[:3]


def _cdef_type(ffi, spelling):
    try:
        return _Backend.typeof(ffi, spelling)
    except Exception:
        return None     # partial, or '[...]': the compiler's only


def _real_fields(module_ffi, cname):
    try:
        return dict(_Backend.typeof(module_ffi, cname).fields or ())
    except Exception:
        return None


def _is_integer(ctype):
    """An integer type as CFFI's verify() sees it (char is not one)."""
    return (ctype.kind == 'primitive' and ctype.cname not in _CHARS and
            ctype.cname not in _FLOATS and '_Complex' not in ctype.cname)


def _shifts(ctype):
    """True if C accepts `x << 1` for an x of this type."""
    return ctype.kind == 'enum' or (ctype.kind == 'primitive' and
                                    ctype.cname not in _FLOATS and
                                    '_Complex' not in ctype.cname)


def _primitive_key(ffi, ctype):
    name = ctype.cname
    if name in ('char', '_Bool') or name in _FLOATS or '_Complex' in name:
        return name
    try:
        signed = int(_Backend.cast(ffi, ctype, -1)) < 0
    except Exception:
        signed = None
    return ('int', _Backend.sizeof(ffi, ctype), signed)


def _same_type(ffi, a, b):
    """True if C sees the cdef's type `a` and the source's `b` as the same
    (a `T *tmp = &field;` gives no warning).  Lenient where unsure."""
    try:
        if a.kind != b.kind:
            return ({a.kind, b.kind} == {'enum', 'primitive'} and
                    _Backend.sizeof(ffi, a) == _Backend.sizeof(ffi, b))
        if a.kind == 'primitive':
            return _primitive_key(ffi, a) == _primitive_key(ffi, b)
        if a.kind == 'pointer':
            return _same_type(ffi, a.item, b.item)
        if a.kind == 'array':
            return ((a.length is None or b.length is None or
                     a.length == b.length) and _same_type(ffi, a.item, b.item))
        if a.kind == 'function':
            return (a.ellipsis == b.ellipsis and len(a.args) == len(b.args)
                    and _same_type(ffi, a.result, b.result) and
                    all(_same_type(ffi, x, y) for x, y in zip(a.args, b.args)))
        if a.kind in ('struct', 'union', 'enum'):
            return a.cname == b.cname
    except Exception:
        pass
    return True


def _check_field_types(ffi, module_ffi, d, werror):
    cname, prefix, _ = _record_names(d)
    real = _real_fields(module_ffi, cname)
    if real is None:
        return
    for fname, spelling, bitsize in _flat_fields(d[4]):
        if not fname or fname not in real:
            continue     # unnamed bitfield; a missing field fails to build
        ours = _cdef_type(ffi, spelling)
        theirs = real[fname].type
        if bitsize >= 0 or (ours is not None and _is_integer(ours)):
            refused = not _shifts(theirs)
        else:
            refused = (werror and ours is not None and
                       not _same_type(module_ffi, ours, theirs))
        if refused:
            raise VerificationError(
                "%s: field '%s' is '%s' in the cdef but '%s' in the C source"
                % (prefix, fname, spelling, theirs.cname))


def _check_constant(module_ffi, name, spelling, value):
    from ._codegen import INTEGER
    if value is None or not INTEGER.match(spelling):
        return
    try:
        real = _Backend.integer_const(module_ffi, name)
    except module_ffi.error as e:
        # a value C computes at run time that is not the cdef's: "the C
        # compiler says 'X' is equal to 43 (0x2b), but the cdef disagrees"
        m = re.search(r"is equal to (-?\d+)", str(e))
        if m is None:
            return
        real = int(m.group(1))
    except Exception:
        return
    if real != value:
        raise VerificationError("%s has the real value %d, not %d"
                                % (name, real, value))


def _check_enum(module_ffi, name, enumerators):
    for enumerator, value in enumerators:
        try:
            real = _Backend.integer_const(module_ffi, enumerator)
        except Exception:
            raise VerificationError("enum %s: %s is not declared in the C "
                                    "source" % (name, enumerator))
        if real != value:
            raise VerificationError("enum %s: %s has the real value %d, not %d"
                                    % (name, enumerator, real, value))


def _check_record(ffi, module, d, werror):
    cname, prefix, tpname = _record_names(d)
    module_ffi = module.ffi
    try:
        ours = _Backend.typeof(ffi, cname)
        partial = False
        _Backend.sizeof(ffi, ours)
    except VerificationMissing:
        partial = True
    except Exception:
        return
    _check_layout_record(ffi, module_ffi, cname, prefix, tpname, partial,
                         dict((f[0], f[1]) for f in _flat_fields(d[4])))
    try:
        theirs = _Backend.typeof(module_ffi, cname)
        real = dict(theirs.fields or ())
    except Exception:
        return
    fields = [f for f in _flat_fields(d[4]) if f[0] and f[2] < 0]
    try:
        if partial:
            _check_partial_fields(ffi, module_ffi, tpname, fields, real)
        else:
            _check_layout(ffi, module_ffi, cname, ours, theirs, fields, real)
    except VerificationError as e:
        e.args = ('%s: %s' % (prefix, e.args[0]),) + e.args[1:]
        raise


def _check_layout_record(ffi, module_ffi, cname, prefix, tpname, partial,
                         spellings):
    """The differences the plugin (or the no-plugin fallback) recorded
    (table/cmismatch.h) for a struct/union whose layout the module keeps
    from the compiler (its fields are then refused at use)."""
    record = _cffi_backend._ccffi_layout_mismatch(module_ffi, cname)
    if record is None:
        return
    message, differences = record
    if not partial:
        if message is not None:
            if message.startswith(cname + ': '):
                message = prefix + message[len(cname):]
            raise VerificationError(message)
        return
    for what, cdef, compiler, field in differences:
        if what != 'field-size':
            continue
        spelling = spellings.get(field, '')
        if spelling.endswith('[]'):
            continue        # CFFI compares no size there
        if spelling.endswith('[...]'):
            item = _cdef_type(ffi, spelling[:-5])
            isize = None if item is None else _size_or_none(ffi, item)
            if isize and compiler % isize:
                raise VerificationError("%s: field '%s.%s' has a bogus size?"
                                        % (prefix, tpname, field))
            continue
        raise VerificationError(
            "%s: field '%s.%s' is declared as %d bytes, but is really %d "
            "bytes" % (prefix, tpname, field, cdef, compiler))


def _size_or_none(ffi, ctype):
    try:
        return _Backend.sizeof(ffi, ctype)
    except Exception:
        return None


def _check_layout(ffi, module_ffi, cname, ours, theirs, fields, real):
    def check(realvalue, expected, msg):
        if realvalue is not None and expected is not None and \
                realvalue != expected:
            raise VerificationError("%s (we have %d, but C compiler says %d)"
                                    % (msg, expected, realvalue))
    check(_Backend.sizeof(module_ffi, theirs), _Backend.sizeof(ffi, ours),
          "wrong total size")
    check(_Backend.alignof(module_ffi, theirs), _Backend.alignof(ffi, ours),
          "wrong total alignment")
    for fname, spelling, _ in fields:
        if fname not in real:
            continue
        check(_Backend.offsetof(module_ffi, cname, fname),
              _Backend.offsetof(ffi, cname, fname),
              "wrong offset for field %r" % (fname,))
        if not spelling.endswith('[]'):
            ftype = _cdef_type(ffi, spelling)
            check(_size_or_none(module_ffi, real[fname].type),
                  None if ftype is None else _size_or_none(ffi, ftype),
                  "wrong size for field %r" % (fname,))


def _check_partial_fields(ffi, module_ffi, tpname, fields, real):
    for fname, spelling, _ in fields:
        if fname not in real or spelling.endswith('[]'):
            continue
        fsize = _size_or_none(module_ffi, real[fname].type)
        if fsize is None:
            continue
        if spelling.endswith('[...]'):
            item = _cdef_type(ffi, spelling[:-5])
            isize = None if item is None else _size_or_none(ffi, item)
            if isize and fsize % isize:
                raise VerificationError("field '%s.%s' has a bogus size?"
                                        % (tpname, fname))
            continue
        ftype = _cdef_type(ffi, spelling)
        declared = None if ftype is None else _size_or_none(ffi, ftype)
        if declared is not None and declared != fsize:
            raise VerificationError(
                "field '%s.%s' is declared as %d bytes, but is really %d "
                "bytes" % (tpname, fname, declared, fsize))


def _check_global_array(ffi, module, d, werror):
    name, spelling = d[1], d[2]
    item = _cdef_type(ffi, spelling[:-5])
    try:
        value = getattr(module.lib, name)
        size = _Backend.sizeof(module.ffi, value)
    except Exception:
        return
    # without the plugin the item is the cdef's: the compiler's byte size
    # is kept aside (api_fallback.c)
    varsize = _cffi_backend._ccffi_fallback_varsize(module.ffi, name)
    if varsize is not None:
        size = varsize
    isize = None if item is None else _size_or_none(ffi, item)
    if isize and size % isize:
        raise VerificationError(
            "variable %s: bad size: %r does not seem to be an array of <%s>"
            % (name, name, spelling[:-5]))


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
    tmpdir and the files under its build directory; also what building
    left beside them (the .o files: CFFI builds its objects in a tree of
    their own, left in place)."""
    tmpdir = tmpdir or _caller_dir_pycache()
    try:
        names = os.listdir(tmpdir)
    except OSError:
        return
    suffix = '.c' if keep_so else _so_suffixes()[0].lower()
    for name in names:
        low = name.lower()
        if low.startswith('_cffi_') and low.endswith(
                (suffix, '.c', '.o')):
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
