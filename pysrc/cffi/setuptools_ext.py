"""setuptools integration: setup(cffi_modules=["pkg/build.py:ffibuilder"]).

setuptools calls cffi_modules() for the keyword (registered as an entry
point in the cffi dist-info that ccffi installs).  Each entry names a build
script and the FFI object in it that set_source() was called on:

  * API mode (a C source): an Extension is added to the distribution and
    build_ext writes its C file into build_temp just before compiling it,
    with the ccffi plugin loaded.  As with CFFI, the extension is built for
    the stable ABI (py_limited_api, a `.abi3.so`) unless set_source() says
    py_limited_api=False or the interpreter cannot load such modules;
  * ABI mode out-of-line (source None): build_py writes the .py module into
    the build directory, and `build_ext --inplace` writes it beside the
    package's sources, as CFFI does.

require_setuptools() is the one place that imports setuptools for ccffi: a
missing or unusable setuptools (Python 3.12 and later have none in a bare
venv) is reported with what to install, and a setuptools older than ccffi
supports is refused by name.
"""
import os
import sys
import sysconfig

__all__ = ['cffi_modules', 'require_setuptools']

# build_ext, Extension and the error classes ccffi uses are all present from
# setuptools 58 on (Python 3.9's bundled version); ccffi is tested with 56
# (Python 3.8), 58, 65 and Debian's 66.
MIN_SETUPTOOLS = (56, 0)


def require_setuptools():
    """The setuptools module, or an exception saying what to install."""
    try:
        import setuptools
        from setuptools.command.build_ext import build_ext  # noqa: F401
    except Exception as e:
        raise Exception(
            "This CFFI feature requires setuptools, which is missing or "
            "non-functional for %s (Python %d.%d): install it (Debian: "
            "apt-get install python3-setuptools; in a venv: pip install "
            "setuptools)" % ((sys.executable,) + sys.version_info[:2])
        ) from e
    version = _version_tuple(getattr(setuptools, '__version__', ''))
    if version is not None and version < MIN_SETUPTOOLS:
        raise Exception(
            "This CFFI feature requires setuptools %d.%d or newer; %s has "
            "setuptools %s (from %s): upgrade it (pip install -U setuptools)"
            % (MIN_SETUPTOOLS + (sys.executable, setuptools.__version__,
                                 os.path.dirname(setuptools.__file__))))
    return setuptools


def _version_tuple(text):
    parts = []
    for part in text.split('.')[:2]:
        digits = ''
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            return None
        parts.append(int(digits))
    return tuple(parts) if len(parts) == 2 else None


def _setup_error(message):
    """Raises the error setup() reports as "error: ..." (as CFFI does)."""
    require_setuptools()
    from distutils.errors import DistutilsSetupError
    raise DistutilsSetupError(message)


def cffi_modules(dist, attr, value):
    """The setup() keyword handler."""
    if attr != 'cffi_modules':
        raise AssertionError(attr)
    if isinstance(value, str):
        value = [value]
    for spec in value:
        _add_module(dist, spec)


def _load_ffi(spec):
    """The FFI object named by 'path/to/build.py:variable'."""
    from .api import FFI
    if not isinstance(spec, str):
        _setup_error("argument to 'cffi_modules=...' must be a str or a list "
                     "of str, not %r" % (type(spec).__name__,))
    build_file, sep, variable = spec.partition(':')
    if not sep or not variable or ':' in variable:
        _setup_error("%r must be of the form 'path/build.py:ffi_variable'"
                     % (spec,))
    if not os.path.isfile(build_file):
        hint = ''
        rewritten = build_file.replace('.', '/') + '.py'
        if os.path.isfile(rewritten):
            hint = ' (rewrite cffi_modules to [%r])' % (
                rewritten + ':' + variable,)
        _setup_error("%r does not name an existing file%s"
                     % (build_file, hint))
    namespace = {'__name__': '__cffi__', '__file__': build_file}
    with open(build_file) as f:
        code = compile(f.read() + '\n', build_file, 'exec')
    exec(code, namespace, namespace)
    if variable not in namespace:
        _setup_error("%r: object %r not found in module" % (spec, variable))
    ffi = namespace[variable]
    if not isinstance(ffi, FFI) and callable(ffi):
        ffi = ffi()     # a function returning the ffi
    if not isinstance(ffi, FFI):
        _setup_error("%r is not an FFI instance (got %r)"
                     % (spec, type(ffi).__name__))
    if getattr(ffi, '_assigned_source', None) is None:
        _setup_error("%r: the set_source() method was not called" % (spec,))
    return ffi


def _add_module(dist, spec):
    require_setuptools()
    ffi = _load_ffi(spec)
    module_name, source, source_extension, kwds = ffi._assigned_source
    if source is None:
        _add_py_module(dist, ffi, module_name)
    else:
        _add_c_module(dist, ffi, module_name, source, source_extension, kwds)


# ------------------------------------------------------------ py_limited_api

def limited_api_possible():
    """Whether CFFI would build this interpreter's modules for the stable ABI
    (abi3) by default: not a debug build (CPython's Py_TRACE_REFS/
    Py_REF_DEBUG break the stable ABI), not a free-threaded build before
    3.15 (no stable ABI there)."""
    if hasattr(sys, 'gettotalrefcount'):
        return False
    if sysconfig.get_config_var('Py_GIL_DISABLED') and \
            sys.version_info < (3, 15):
        return False
    return True


def set_py_limited_api(kwds):
    """The Extension keywords of an API-mode module, with py_limited_api as
    CFFI's setuptools_ext sets it: True by default where the interpreter
    allows it (the module is then named *.abi3.so and compiled with
    Py_LIMITED_API), a value set_source() gave kept, except on a
    free-threaded build before 3.15 (always False there; 3.15's gets
    Py_TARGET_ABI3T), and _CFFI_NO_LIMITED_API defined when it is False."""
    kwds = dict(kwds)
    if 'py_limited_api' not in kwds and limited_api_possible():
        kwds['py_limited_api'] = True
    macros = list(kwds.get('define_macros') or ())
    if sysconfig.get_config_var('Py_GIL_DISABLED'):
        if sys.version_info < (3, 15):
            if kwds.get('py_limited_api'):
                _log("Ignoring py_limited_api=True for free-threaded build.")
            kwds['py_limited_api'] = False
        else:
            macros.append(('Py_TARGET_ABI3T', '0x030f0000'))
    if kwds.get('py_limited_api') is False:
        macros.append(('_CFFI_NO_LIMITED_API', None))
    elif kwds.get('py_limited_api') and limited_api_possible():
        # The generated file includes Python.h first: the stable ABI is
        # chosen here, on the command line, unless the project chose one
        # (never on a debug build, where Python.h refuses it: CFFI's
        # header does not define it there either).
        # A free-threaded build has a stable ABI from 3.15 on only.
        if not any(m[0] == 'Py_LIMITED_API' for m in macros):
            macros.append(('Py_LIMITED_API', '0x030f0000' if sysconfig
                           .get_config_var('Py_GIL_DISABLED') else None))
    kwds['define_macros'] = macros
    return kwds


# ------------------------------------------------------------ API mode

def _add_c_module(dist, ffi, module_name, source, source_extension, kwds):
    from setuptools import Extension
    from setuptools.command.build_ext import build_ext
    from . import _codegen, _compiler
    kwds = set_py_limited_api(kwds)
    if getattr(ffi, '_embedding', None) is not None:
        # as CFFI: an embedding library starts Python itself, so it is
        # never compiled for the stable ABI (the name may still say abi3)
        kwds['define_macros'] = [m for m in kwds['define_macros']
                                 if m[0] != 'Py_LIMITED_API']
    sources = [os.path.normpath(s) for s in kwds.pop('sources', ())]
    # the generated file's path is known only once build_temp is
    ext = Extension(name=module_name, sources=['$PLACEHOLDER'] + sources,
                    **kwds)
    dist.ext_modules = list(dist.ext_modules or []) + [ext]
    base = dist.cmdclass.get('build_ext', build_ext)

    class build_ext_with_ccffi(base):
        def run(self):
            if ext.sources[0] == '$PLACEHOLDER':
                c_file = _codegen.c_file_path(self.build_temp, module_name,
                                              source_extension)
                os.makedirs(os.path.dirname(c_file), exist_ok=True)
                pre_run = getattr(self, 'pre_run', None)
                if pre_run is not None:
                    pre_run(ext, ffi)   # CFFI's hook, before generating
                changed = _codegen.write_if_changed(
                    c_file, _codegen.generate_c(ffi, module_name, source))
                _log("generating cffi module %r%s" % (
                    c_file, "" if changed else " (already up-to-date)"))
                ext.sources[0] = c_file
                ext.extra_compile_args = (list(ext.extra_compile_args or [])
                                          + _compiler.plugin_flags())
                ext.depends = (list(ext.depends or [])
                               + _compiler.plugin_dependencies())
            base.run(self)

    dist.cmdclass['build_ext'] = build_ext_with_ccffi


# ------------------------------------------------------------ ABI mode

def _add_py_module(dist, ffi, module_name):
    from setuptools.command.build_py import build_py
    from setuptools.command.build_ext import build_ext

    def generate(py_file):
        os.makedirs(os.path.dirname(py_file) or '.', exist_ok=True)
        changed = _write_py(ffi, py_file)
        _log("generating cffi module %r%s" % (
            py_file, "" if changed else " (already up-to-date)"))

    base_py = dist.cmdclass.get('build_py', build_py)

    class build_py_with_ccffi(base_py):
        def run(self):
            base_py.run(self)
            path = module_name.split('.')
            path[-1] += '.py'
            generate(os.path.join(self.build_lib, *path))

        def get_source_files(self):
            # sdist: the generated module is not a source file
            saved = self.py_modules
            try:
                if saved:
                    self.py_modules = [m for m in saved if m != module_name]
                return base_py.get_source_files(self)
            finally:
                self.py_modules = saved

    dist.cmdclass['build_py'] = build_py_with_ccffi
    # The generated module is one of the distribution's modules: build runs
    # build_py for it, and install --record lists it (build_py warns that
    # it has no source file; the module is written after it runs).
    if module_name not in (dist.py_modules or []):
        dist.py_modules = list(dist.py_modules or []) + [module_name]

    # `setup.py build_ext --inplace` (or develop): the .py goes beside the
    # package's sources, where the in-place extension modules go
    base_ext = dist.cmdclass.get('build_ext', build_ext)

    class build_ext_with_ccffi_py(base_ext):
        def run(self):
            base_ext.run(self)
            if self.inplace:
                path = module_name.split('.')
                package = '.'.join(path[:-1])
                package_dir = self.get_finalized_command(
                    'build_py').get_package_dir(package)
                generate(os.path.join(package_dir, path[-1] + '.py'))

    dist.cmdclass['build_ext'] = build_ext_with_ccffi_py


def _write_py(ffi, path):
    from . import _codegen
    module_name = ffi._assigned_source[0]
    return _codegen.write_if_changed(
        path, _codegen.generate_python(ffi, module_name))


def _log(message):
    try:
        from distutils import log
        log.info(message)
    except Exception:
        pass
