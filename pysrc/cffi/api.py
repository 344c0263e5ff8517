"""cffi.FFI: the C runtime's FFI object plus the build-time methods.

Everything that works on types and data at run time is implemented in C by
_cffi_backend.FFI; this subclass adds what only a build script needs:
set_source(), compile(), emit_c_code(), distutils_extension().
"""
import os

import _cffi_backend

from .error import VerificationError

__all__ = ['FFI']

# The setuptools.Extension keywords that set_source() passes through.
EXTENSION_KEYWORDS = frozenset([
    'sources', 'include_dirs', 'define_macros', 'undef_macros',
    'library_dirs', 'libraries', 'runtime_library_dirs', 'extra_objects',
    'extra_compile_args', 'extra_link_args', 'export_symbols', 'depends',
    'language', 'swig_opts', 'optional', 'py_limited_api'])


class FFI(_cffi_backend.FFI):
    """The interface from Python to C declarations (CFFI's `cffi.FFI`)."""

    # embedding: the init code ('' after embedding_api() alone), None if
    # this ffi builds an ordinary extension module (cffi/_embedding.py)
    _embedding = None

    def cdef(self, csource, override=False, packed=False, pack=None):
        """Parses the C declarations in csource (see CFFI's documentation);
        packed=True lays structs out without padding, pack=N caps the
        alignment of their members."""
        if packed and packed is not True:
            raise ValueError("'packed' should be False or True; use "
                             "'pack' to give another value")
        super().cdef(csource, override=override, packed=packed, pack=pack)
        # kept for ffi.verify(): its module name hashes the cdef sources
        # and its build FFI replays them
        self.__dict__.setdefault('_cdefsources', []).append(csource)
        self.__dict__.setdefault('_cdefargs', []).append(
            (csource, dict(override=override, packed=packed, pack=pack)))

    def dlopen(self, name, flags=0):
        """Opens a shared library and returns a Lib of the cdef's functions,
        variables and constants.  As in CFFI, this ffi keeps every library
        it opened alive (and the Lib keeps the ffi)."""
        lib = super().dlopen(name, flags)
        self.__dict__.setdefault('_libraries', []).append(lib)
        return lib

    def def_extern(self, *args, **kwds):
        raise ValueError("ffi.def_extern() is only available on API-mode FFI "
                         "objects")

    def include(self, other):
        """Declarations of `other` become available here; a compiled module
        built from this FFI imports other's module and shares its types."""
        super().include(other)
        self.__dict__.setdefault('_included_ffis', []).append(other)

    # ------------------------------------------------------------ set_source

    def set_source(self, module_name, source, source_extension='.c', **kwds):
        """Declares the extension module to build: its dotted name, the C
        source that goes in it (None for ABI mode out-of-line), and the
        setuptools.Extension keywords to build it with."""
        if getattr(self, '_assigned_source', None) is not None:
            raise ValueError("set_source() cannot be called several times "
                             "per ffi object")
        if not isinstance(module_name, str):
            raise TypeError("'module_name' must be a string")
        if os.sep in module_name or (os.altsep and os.altsep in module_name):
            raise ValueError("'module_name' must not contain '/': use a "
                             "dotted module name")
        if source is not None and not isinstance(source, str):
            raise TypeError("'source' must be a string or None")
        unknown = set(kwds) - EXTENSION_KEYWORDS
        if unknown:
            raise TypeError("set_source() got unexpected keyword argument(s) "
                            "%s" % ", ".join(sorted(unknown)))
        self._assigned_source = (module_name, source, source_extension,
                                 dict(kwds))

    def set_source_pkgconfig(self, module_name, pkgconfig_libs, source,
                             source_extension='.c', **kwds):
        """set_source() with the flags that pkg-config gives for
        pkgconfig_libs added to the keywords."""
        from . import _pkgconfig
        if not isinstance(pkgconfig_libs, list):
            raise TypeError("the pkgconfig_libs argument must be a list "
                            "of package names")
        kwds = _pkgconfig.merge_flags(kwds, _pkgconfig.flags_from_pkgconfig(
            pkgconfig_libs))
        self.set_source(module_name, source, source_extension, **kwds)

    def _require_source(self, what):
        assigned = getattr(self, '_assigned_source', None)
        if assigned is None:
            raise ValueError("set_source() must be called before %s()" % what)
        return assigned

    # ------------------------------------------------------------- building

    def emit_c_code(self, filename):
        """Writes the C file that compile() would compile."""
        from . import _codegen
        module_name, source, ext, kwds = self._require_source('emit_c_code')
        if source is None:
            raise TypeError("emit_c_code() is only for C extension modules, "
                            "not for dlopen()-style pure Python modules")
        _write_output(filename, _codegen.generate_c(self, module_name, source))

    def emit_python_code(self, filename):
        """ABI mode out-of-line: writes a .py module whose `ffi` carries the
        parsed declarations (as a type table: no parsing at import)."""
        from . import _codegen
        module_name, source, ext, kwds = self._require_source(
            'emit_python_code')
        if source is not None:
            raise TypeError("emit_python_code() is only for dlopen()-style "
                            "pure Python modules, not for C extension modules")
        # what CFFI cannot write: an array length below 0 or above 2**31-1
        self._ccffi_check_emit()
        _write_output(filename, _codegen.generate_python(self, module_name))

    def distutils_extension(self, tmpdir='build', verbose=True):
        """Writes the C file under tmpdir and returns a setuptools Extension
        whose build compiles it with the ccffi plugin loaded."""
        from . import _codegen
        module_name, source, ext, kwds = self._require_source(
            'distutils_extension')
        if source is None:
            raise TypeError("distutils_extension() is for API mode; use "
                            "emit_python_code() for set_source(.., None)")
        _require_setuptools()
        if self._embedding is not None:
            from ._embedding import link_keywords
            kwds = link_keywords(_copy_keywords(kwds))
        c_file, _ = _module_file(tmpdir, module_name, ext)
        changed = _codegen.write_if_changed(
            c_file, _codegen.generate_c(self, module_name, source))
        if verbose:
            print("%s %s" % ("generated" if changed else "already up-to-date:",
                             c_file))
        return _codegen.make_extension(module_name, c_file, kwds)

    def compile(self, tmpdir='.', verbose=0, target=None, debug=None):
        """Generates the C file, compiles it with the plugin and returns the
        path of the built extension module.  Nothing is rebuilt when the
        generated file and its inputs are unchanged."""
        from . import _codegen, _compiler
        module_name, source, ext, kwds = self._require_source('compile')
        if source is None:
            return self._compile_abi_out_of_line(tmpdir, module_name, target)
        _require_setuptools()
        if self._embedding is not None:
            # a shared library for C programs: linked with libpython, named
            # `module.so` (or the target, `*` the platform's suffix)
            from . import _embedding
            kwds = _embedding.link_keywords(_copy_keywords(kwds))
            target = _embedding.library_target(module_name, target)
        c_file, parts = _module_file(tmpdir, module_name, ext)
        _codegen.write_if_changed(
            c_file, _codegen.generate_c(self, module_name, source)
            + _compiler.build_mode_line())
        # as CFFI: the build runs inside tmpdir on the C file's path relative
        # to it, so that the object files land beside the C file
        kwds = dict(kwds)
        if 'sources' in kwds:
            kwds['sources'] = [_source_from(tmpdir, src)
                               for src in kwds['sources']]
        extension = _codegen.make_extension(module_name,
                                            os.path.join(*parts), kwds)
        cwd = os.getcwd()
        os.chdir(tmpdir)
        try:
            return _compiler.build_extension(extension, '.', verbose=verbose,
                                             debug=debug, target=target)
        finally:
            os.chdir(cwd)

    def verify(self, source='', tmpdir=None, **kwargs):
        """CFFI's original API mode: builds (or reuses, when unchanged)
        an extension module from the cdef and `source` in tmpdir
        (__pycache__ beside the caller by default), imports it and returns
        its lib; `ffi.verifier` is the cffi.verifier.Verifier used."""
        from .verifier import Verifier, _caller_dir_pycache
        tmpdir = tmpdir or _caller_dir_pycache()
        self.verifier = Verifier(self, source, tmpdir, **kwargs)
        lib = self.verifier.load_library()
        self.__dict__.setdefault('_libraries', []).append(lib)
        return lib

    def embedding_api(self, csource, packed=False, pack=None):
        """Declares what the library built from this ffi exports: each
        function is an extern "Python" function exported under its C name;
        types, constants and variables are declared as by cdef() (the
        variables are defined by the source given to set_source())."""
        if packed and packed is not True:
            raise ValueError("'packed' should be False or True; use "
                             "'pack' to give another value")
        _cffi_backend.FFI.cdef(self, csource, packed=packed, pack=pack,
                               dllexport=True)
        self.__dict__.setdefault('_cdefsources', []).append(csource)
        if self._embedding is None:
            self._embedding = ''

    def embedding_init_code(self, pysource):
        """The Python code that the library runs once, when C first calls
        it (after starting Python if needed); only one per ffi."""
        from ._embedding import fix_init_code
        if self._embedding:
            raise ValueError("embedding_init_code() can only be called once")
        self._embedding = fix_init_code(pysource)

    def _apply_embedding_fix(self, kwds):
        """Adds to set_source()-style keywords what links against
        libpython (CFFI's helper, used by its tests and some build scripts)."""
        from ._embedding import link_keywords
        link_keywords(kwds)

    def _compile_abi_out_of_line(self, tmpdir, module_name, target):
        if target is None:
            path, _ = _module_file(tmpdir, module_name, '.py')
        else:
            path = os.path.join(_module_file(tmpdir, module_name, '')[0],
                                os.pardir, target)
            path = os.path.normpath(path)
        self.emit_python_code(path)
        return path


def _module_file(tmpdir, module_name, extension):
    """The path of the file for the dotted module_name under tmpdir (a
    package's directories, created if missing, as CFFI does), and the
    list of its parts relative to tmpdir."""
    parts = module_name.split('.')
    os.makedirs(os.path.join(tmpdir, *parts[:-1]), exist_ok=True)
    parts[-1] += extension
    return os.path.join(tmpdir, *parts), parts


def _copy_keywords(kwds):
    """set_source()'s keywords, copied with their lists."""
    return {k: list(v) if isinstance(v, (list, tuple)) else v
            for k, v in kwds.items()}


def _source_from(tmpdir, src):
    """An extra source of set_source(sources=...) as seen from inside tmpdir:
    CFFI reads a relative path there; one that only exists relative to the
    caller's directory is made absolute."""
    if (os.path.isabs(src) or os.path.exists(os.path.join(tmpdir, src))
            or not os.path.exists(src)):
        return src
    return os.path.abspath(src)


def _write_output(filename, text):
    """emit_c_code()/emit_python_code(): filename is a path (str, bytes or
    os.PathLike), or a file-like object with a write() method."""
    from . import _codegen
    if hasattr(filename, 'write'):
        filename.write(text)
    else:
        _codegen.write_if_changed(os.fsdecode(os.fspath(filename)), text)


def _require_setuptools():
    """API mode builds with setuptools: a clear error when it is missing."""
    from .setuptools_ext import require_setuptools
    require_setuptools()
