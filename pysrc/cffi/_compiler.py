"""Finding the C compiler and the ccffi plugin it must load, and building an
extension with setuptools.

API mode compiles the generated C file with the compiler the Python build
would use (CC, else sysconfig's), with our plugin loaded.  The plugin flags
go on compile commands only: on a link line, lto1 would load the plugin and
fail.
"""
import os
import shlex
import subprocess
import sys
import sysconfig
import tempfile

from . import _config
from .error import VerificationError

GCC_PLUGIN_NAME = "ccffi_gcc"
CLANG_PLUGIN_NAME = "ccffi_clang"
CLANG_PLUGIN_MAJOR = 14     # the clang whose headers the plugin is built with


def compiler_command():
    """The compiler command (a list), as setuptools would pick it."""
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shlex.split(cc)


class CompilerInfo:
    """What a compiler command is, from what it says of itself: kind is
    'gcc', 'clang', None (neither) or 'missing' (cannot be run); name is
    the first line of its --version; major its major version."""

    def __init__(self, kind, name="", major=None):
        self.kind = kind
        self.name = name
        self.major = major


def _run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def compiler_info(cc):
    """Asks the compiler what it is (its predefined macros), whatever its
    name: clang-14, a ccache wrapper, x86_64-linux-gnu-gcc..."""
    try:
        macros = _run(cc + ["-dM", "-E", "-x", "c", os.devnull])
    except (OSError, subprocess.SubprocessError):
        return CompilerInfo("missing")
    try:
        version = _run(cc + ["--version"]).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        version = ""
    name = version.splitlines()[0] if version else ""
    defined = {}
    for line in macros.stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2 and parts[0] == "#define":
            defined[parts[1]] = parts[2] if len(parts) > 2 else ""
    if macros.returncode != 0 or not defined:
        return CompilerInfo(None, name or (macros.stderr.strip()
                                           .splitlines() or [""])[0])

    def major(macro):
        try:
            return int(defined.get(macro, ""))
        except ValueError:
            return None
    if "__clang__" in defined:
        return CompilerInfo("clang", name, major("__clang_major__"))
    if "__GNUC__" in defined and not any(
            m in defined for m in ("__INTEL_COMPILER", "__INTEL_LLVM_COMPILER",
                                   "__NVCOMPILER", "__PGI", "__TINYC__")):
        return CompilerInfo("gcc", name, major("__GNUC__"))
    return CompilerInfo(None, name)


def gcc_plugin_path():
    return os.path.join(_config.PLUGIN_DIR, GCC_PLUGIN_NAME + ".so")


def clang_plugin_path():
    directory = getattr(_config, "CLANG_PLUGIN_DIR", _config.PLUGIN_DIR)
    return os.path.join(directory, CLANG_PLUGIN_NAME + ".so")


def plugin_path():
    """The plugin the configured compiler loads (the gcc one when the
    compiler is neither: plugin_flags() reports that)."""
    if compiler_info(compiler_command()).kind == "clang":
        return clang_plugin_path()
    return gcc_plugin_path()


_checked = {}


def plugin_disabled():
    """True when CCFFI_NO_PLUGIN is set (to anything but '' or '0'): API-mode
    modules are then compiled without the plugin, as another build system
    would compile emit_c_code()'s file (the compiler supplies the numbers,
    pysrc/cffi/_codegen_fallback.py)."""
    return os.environ.get("CCFFI_NO_PLUGIN", "") not in ("", "0")


def plugin_flags():
    """The compile flags that load our plugin into the configured compiler,
    after checking once per process that it really loads ([] when
    plugin_disabled())."""
    if plugin_disabled():
        return []
    cc = compiler_command()
    key = tuple(cc)
    if key not in _checked:
        _checked[key] = _check_plugin(cc)
    return list(_checked[key])


def plugin_dependencies():
    """The files a module compiled with plugin_flags() depends on: the
    plugin that the configured compiler loads (it writes the table, so a
    rebuilt plugin must rebuild the module); none without the plugin."""
    return [flag[len("-fplugin="):] for flag in plugin_flags()
            if flag.startswith("-fplugin=")]


def _plugin_for(cc, info):
    """(plugin path, its name, how to get it) for the compiler, or raises.
    No -Werror=attributes beside -fplugin: the flags reach every source of
    the extension, and a project's own attributes gcc or clang does not
    know (OpenBSD's __bounded__ in bcrypt's C files) are warnings with CFFI;
    the loaded plugin knows the markers' attribute."""
    shown = " ".join(cc)
    if info.kind == "missing":
        raise VerificationError(
            "API mode needs a C compiler, and the compiler %r was not found "
            "(set CC to gcc or clang)" % shown)
    if info.kind == "clang":
        if info.major is not None and info.major != CLANG_PLUGIN_MAJOR:
            raise VerificationError(
                "the compiler %r is clang %d (%s); the ccffi Clang plugin is "
                "built for clang %d: set CC=clang-%d"
                % (shown, info.major, info.name, CLANG_PLUGIN_MAJOR,
                   CLANG_PLUGIN_MAJOR))
        return (clang_plugin_path(), "Clang",
                "apt-get install clang-14 libclang-14-dev llvm-14-dev, then "
                "./configure && make && make install")
    if info.kind == "gcc":
        return (gcc_plugin_path(), "GCC",
                "apt-get install gcc-12-plugin-dev, then ./configure && "
                "make && make install")
    raise VerificationError(
        "API mode needs gcc or clang with the ccffi plugin; the compiler %r "
        "is neither (it says: %s; it defines neither __GNUC__ nor "
        "__clang__): set CC to gcc or clang"
        % (shown, info.name or "nothing"))


def _check_plugin(cc):
    plugin, what, how = _plugin_for(cc, compiler_info(cc))
    if not os.path.isfile(plugin):
        raise VerificationError(
            "API mode needs the ccffi %s plugin %s, which is missing: "
            "build ccffi with the %s plugin enabled (%s)"
            % (what, plugin, what, how))
    flags = ["-fplugin=" + plugin]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        with open(src, "w") as f:
            f.write("#ifndef __CCFFI_PLUGIN__\n#error plugin not loaded\n"
                    "#endif\nint ccffi_probe;\n")
        proc = subprocess.run(cc + flags + ["-c", src, "-o",
                                            os.path.join(tmp, "probe.o")],
                              capture_output=True, text=True)
    if proc.returncode != 0:
        raise VerificationError(
            "the compiler %r cannot load the ccffi %s plugin %s (it must be "
            "the %s that ccffi was built with, %s): %s"
            % (" ".join(cc), what, plugin,
               "gcc" if what == "GCC" else "clang",
               ("gcc, " + _config.CC) if what == "GCC" else "clang %d" % CLANG_PLUGIN_MAJOR,
               proc.stderr.strip()))
    return flags


def _capturing_build_ext():
    """build_ext whose compiler commands keep their error output, so that a
    failed build can say what the plugin reported (the output still goes to
    the terminal as usual)."""
    from .setuptools_ext import require_setuptools
    require_setuptools()
    from setuptools.command.build_ext import build_ext
    try:
        from setuptools.errors import ExecError
    except ImportError:     # setuptools before 59 (Python 3.8's 56, 3.9's 58)
        from distutils.errors import DistutilsExecError as ExecError

    class CapturingBuildExt(build_ext):
        diagnostics = []

        def build_extensions(self):
            def spawn(cmd, **kwds):
                if self.verbose:    # compile(verbose=True): as distutils
                    print(" ".join(shlex.quote(str(c)) for c in cmd))
                    sys.stdout.flush()
                proc = subprocess.run(cmd, capture_output=True, text=True)
                sys.stdout.write(proc.stdout)
                sys.stderr.write(proc.stderr)
                self.diagnostics.extend(
                    line for line in proc.stderr.splitlines()
                    if "error:" in line)
                if proc.returncode != 0:
                    raise ExecError("command %r failed with exit code %d"
                                    % (cmd[0], proc.returncode))
            self.compiler.spawn = spawn
            super().build_extensions()

    return CapturingBuildExt


def build_mode_line():
    """The last line of the C file that compile() builds: the way it is
    compiled (with which plugin's flags, or without: CCFFI_NO_PLUGIN).  The
    same generated file built the other way is another module, so the way is
    part of the file: switching it rewrites the file, which is then newer
    than the module.  A line
    rather than a file beside it: CFFI's compile() leaves exactly the .c,
    the .o and the module in tmpdir, and tools check that."""
    mode = ('without the plugin' if plugin_disabled()
            else 'with plugin flags: ' + ' '.join(plugin_flags()))
    return '/* ccffi compile(): built %s */\n' % mode.replace('*/', '* /')


def build_extension(ext, tmpdir, verbose=False, debug=None, target=None):
    """Builds a setuptools Extension into tmpdir with build_ext and returns
    the path of the built module.  An output newer than all of its inputs is
    not rebuilt.  A failure raises VerificationError with the compiler's
    error lines."""
    from setuptools import Distribution
    saved_environ = os.environ.copy()
    build_ext = _capturing_build_ext()
    try:
        dist = Distribution({"ext_modules": [ext]})
        dist.cmdclass["build_ext"] = build_ext
        dist.parse_config_files()
        options = dist.get_option_dict("build_ext")
        if debug is None:
            debug = sys.flags.debug
        options["debug"] = ("ccffi", debug)
        options["build_lib"] = ("ccffi", tmpdir)
        options["build_temp"] = ("ccffi", tmpdir)
        # before the command object exists: it copies dist.verbose
        dist.verbose = 1 if verbose else 0
        command = dist.get_command_obj("build_ext")
        if target is not None:
            command.get_ext_filename = \
                lambda name: _target_filename(name, target)
        try:
            command.ensure_finalized()
            # build_ext and the linker compare times to the second: an
            # input changed within the second of the last build is missed
            command.force = _out_of_date(
                command.get_ext_fullpath(ext.name),
                list(ext.sources) + list(ext.depends or ()))
            dist.run_command("build_ext")
        except Exception as e:
            lines = ["%s: %s" % (e.__class__.__name__, e)]
            lines.extend(build_ext.diagnostics)
            raise VerificationError("\n".join(lines))
        cmd = dist.get_command_obj("build_ext")
        [output] = cmd.get_outputs()
        return os.path.abspath(output)
    finally:
        # setuptools may have grown some variables (CFLAGS...) in place
        for key, value in saved_environ.items():
            if os.environ.get(key) != value:
                os.environ[key] = value


def _out_of_date(output, inputs):
    """True if output is missing or older than one of inputs, to the
    nanosecond."""
    try:
        built = os.stat(output).st_mtime_ns
    except OSError:
        return True
    for path in inputs:
        try:
            if os.stat(path).st_mtime_ns > built:
                return True
        except OSError:
            return True
    return False


def _target_filename(name, target):
    """build_ext's output name for compile(target=...): '*' means the
    interpreter's extension suffix."""
    parts = name.split(".")
    if target.endswith(".*"):
        target = target[:-2] + sysconfig.get_config_var("EXT_SUFFIX")
    return os.path.join(*(parts[:-1] + [target]))
