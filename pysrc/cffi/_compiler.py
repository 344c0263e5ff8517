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


def compiler_command():
    """The compiler command (a list), as setuptools would pick it."""
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    return shlex.split(cc)


def _compiler_kind(cc):
    """'gcc', 'clang' or None, from what the compiler says of itself."""
    try:
        out = subprocess.run(cc + ["--version"], capture_output=True,
                             text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    first = out.splitlines()[0] if out else ""
    if "clang" in first:
        return "clang"
    if "gcc" in first.lower() or "Free Software Foundation" in out:
        return "gcc"
    return None


def gcc_plugin_path():
    return os.path.join(_config.PLUGIN_DIR, GCC_PLUGIN_NAME + ".so")


_checked = {}


def plugin_flags():
    """The compile flags that load our plugin into the configured compiler,
    after checking once per process that it really loads."""
    cc = compiler_command()
    key = tuple(cc)
    if key not in _checked:
        _checked[key] = _check_plugin(cc)
    return list(_checked[key])


def _check_plugin(cc):
    kind = _compiler_kind(cc)
    if kind == "clang":
        raise VerificationError(
            "API mode with clang needs the ccffi Clang plugin, which is not "
            "written yet; compile with gcc instead (set CC=gcc)")
    if kind != "gcc":
        raise VerificationError(
            "API mode needs gcc with the ccffi GCC plugin; the compiler %r "
            "is not gcc (set CC=gcc)" % " ".join(cc))
    plugin = gcc_plugin_path()
    if not os.path.isfile(plugin):
        raise VerificationError(
            "API mode needs the ccffi GCC plugin %s, which is missing: "
            "build ccffi with the GCC plugin enabled (apt-get install "
            "gcc-12-plugin-dev, then ./configure && make && make install)"
            % plugin)
    flags = ["-fplugin=" + plugin, "-Werror=attributes"]
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
            "the compiler %r cannot load the ccffi GCC plugin %s (it must be "
            "the gcc that ccffi was built with, %s): %s"
            % (" ".join(cc), plugin, _config.CC, proc.stderr.strip()))
    return flags


def _capturing_build_ext():
    """build_ext whose compiler commands keep their error output, so that a
    failed build can say what the plugin reported (the output still goes to
    the terminal as usual)."""
    from setuptools.command.build_ext import build_ext
    from setuptools.errors import ExecError

    class CapturingBuildExt(build_ext):
        diagnostics = []

        def build_extensions(self):
            def spawn(cmd, **kwds):
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


def build_extension(ext, tmpdir, verbose=False, debug=None, target=None):
    """Builds a setuptools Extension into tmpdir with build_ext and returns
    the path of the built module.  Up-to-date outputs are not rebuilt.  A
    failure raises VerificationError with the compiler's error lines."""
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
        options["force"] = ("ccffi", False)
        options["build_lib"] = ("ccffi", tmpdir)
        options["build_temp"] = ("ccffi", tmpdir)
        if target is not None:
            dist.get_command_obj("build_ext").get_ext_filename = \
                lambda name: _target_filename(name, target)
        dist.verbose = 1 if verbose else 0
        try:
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


def _target_filename(name, target):
    """build_ext's output name for compile(target=...): '*' means the
    interpreter's extension suffix."""
    parts = name.split(".")
    if target.endswith(".*"):
        target = target[:-2] + sysconfig.get_config_var("EXT_SUFFIX")
    return os.path.join(*(parts[:-1] + [target]))
