"""cffi.pkgconfig: pkg-config integration under the name and signatures CFFI
gives it (merge_flags, call, flags_from_pkgconfig), over the helpers that
set_source_pkgconfig() uses (cffi._pkgconfig)."""
import os
import subprocess
import sys

from . import _pkgconfig
from .error import PkgConfigError

__all__ = ['merge_flags', 'call', 'flags_from_pkgconfig']


def merge_flags(cfg1, cfg2):
    """Appends the lists of cfg2 to those of cfg1, in place, and returns
    cfg1: merge_flags({"libraries": ["one"]}, {"libraries": ["two"]}) is
    {"libraries": ["one", "two"]}."""
    for key, value in cfg2.items():
        if key not in cfg1:
            cfg1[key] = value
            continue
        if not isinstance(cfg1[key], list):
            raise TypeError("cfg1[%r] should be a list of strings" % (key,))
        if not isinstance(value, list):
            raise TypeError("cfg2[%r] should be a list of strings" % (key,))
        cfg1[key].extend(value)
    return cfg1


def call(libname, flag, encoding=sys.getfilesystemencoding()):
    """The output of `pkg-config --print-errors FLAG LIBNAME`, as a str;
    PkgConfigError with pkg-config's message when it fails."""
    try:
        proc = subprocess.run(["pkg-config", "--print-errors", flag, libname],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:
        raise PkgConfigError("cannot run pkg-config: %s" % (str(e).strip(),))
    if proc.returncode != 0:
        err = proc.stderr
        try:
            err = err.decode(encoding)
        except Exception:
            pass
        raise PkgConfigError(err.strip() if isinstance(err, str) else err)
    try:
        out = proc.stdout.decode(encoding)
    except UnicodeDecodeError:
        raise PkgConfigError("pkg-config %s %s returned bytes that cannot be "
                             "decoded with encoding %r:\n%r"
                             % (flag, libname, encoding, proc.stdout))
    if os.altsep != '\\' and '\\' in out:
        raise PkgConfigError("pkg-config %s %s returned an unsupported "
                             "backslash-escaped output:\n%r"
                             % (flag, libname, out))
    return out


def flags_from_pkgconfig(libs):
    """The set_source() keywords (include_dirs, library_dirs, libraries,
    define_macros, extra_compile_args, extra_link_args) that pkg-config gives
    for each name in libs (e.g. ["libfoo", "libbar >= 1.8.3"]), merged.
    PkgConfigError when a pkg-config call fails."""
    result = {}
    for libname in libs:
        kwds = _pkgconfig._sort_flags(call(libname, "--cflags").split(),
                                      call(libname, "--libs").split())
        merge_flags(result, kwds)
    return result
