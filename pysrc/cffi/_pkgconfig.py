"""set_source_pkgconfig(): turning `pkg-config` output into the keywords of
setuptools.Extension."""
import shlex
import subprocess

from .error import PkgConfigError


def _pkg_config(option, package):
    try:
        proc = subprocess.run(["pkg-config", option, package],
                              capture_output=True, text=True)
    except OSError as e:
        raise PkgConfigError("cannot run pkg-config: %s" % (e,))
    if proc.returncode != 0:
        raise PkgConfigError(proc.stderr.strip() or
                             "pkg-config %s %s failed" % (option, package))
    return shlex.split(proc.stdout)


def _sort_flags(cflags, libs):
    kwds = {"include_dirs": [], "define_macros": [], "extra_compile_args": [],
            "library_dirs": [], "libraries": [], "extra_link_args": []}
    for flag in cflags:
        if flag.startswith("-I"):
            kwds["include_dirs"].append(flag[2:])
        elif flag.startswith("-D"):
            name, _, value = flag[2:].partition("=")
            kwds["define_macros"].append((name, value or None))
        else:
            kwds["extra_compile_args"].append(flag)
    for flag in libs:
        if flag.startswith("-L"):
            kwds["library_dirs"].append(flag[2:])
        elif flag.startswith("-l"):
            kwds["libraries"].append(flag[2:])
        else:
            kwds["extra_link_args"].append(flag)
    return kwds


def flags_from_pkgconfig(packages):
    """The Extension keywords for all of `packages` (a list of names)."""
    result = {}
    for package in packages:
        kwds = _sort_flags(_pkg_config("--cflags", package),
                           _pkg_config("--libs", package))
        result = merge_flags(result, kwds)
    return result


def merge_flags(kwds1, kwds2):
    """kwds1 with the lists of kwds2 appended."""
    merged = dict(kwds1)
    for key, value in kwds2.items():
        merged[key] = list(merged.get(key, ())) + list(value)
    return merged
