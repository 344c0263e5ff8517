"""Packaging: every setuptools path (build_ext --inplace, build, bdist_wheel,
pip install --no-build-isolation in a venv), py_limited_api as CFFI, the
message for a missing setuptools, older setuptools, compile(verbose=True),
cffi.pkgconfig, configure's CPU/ABI check and `make install` (where it puts
the package, RECORD and INSTALLER that pip uses)."""
import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap

import pytest

TREE = os.environ.get("CCFFI_PYTHON_TREE")
BUILDDIR = os.environ.get("CCFFI_BUILDDIR")
SRCDIR = os.environ.get("CCFFI_SRCDIR")
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")

BUILD_API = """
from cffi import FFI
ffibuilder = FFI()
ffibuilder.cdef("int twice(int);")
ffibuilder.set_source(%r, "int twice(int v) { return 2 * v; }"%s)
"""
BUILD_ABI = """
from cffi import FFI
ffibuilder = FFI()
ffibuilder.cdef("double cos(double);")
ffibuilder.set_source(%r, None)
"""


def run(cmd, cwd, env=None, ok=True):
    proc = subprocess.run(cmd, cwd=str(cwd), capture_output=True, text=True,
                          env=env)
    if ok:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def project(tmp_path, modules, packages=(), extra_setup=""):
    """A project directory: setup.py with cffi_modules, one build script
    per module (name -> 'api' / 'abi' / ('api', extra set_source args))."""
    specs = []
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, kind in modules.items():
        script = "build_%s.py" % name.replace(".", "_")
        if kind == "abi":
            text = BUILD_ABI % (name,)
        else:
            extra = kind[1] if isinstance(kind, tuple) else ""
            text = BUILD_API % (name, extra)
        (tmp_path / script).write_text(textwrap.dedent(text))
        specs.append(script + ":ffibuilder")
    for package in packages:
        d = tmp_path.joinpath(*package.split("."))
        d.mkdir(parents=True, exist_ok=True)
        (d / "__init__.py").write_text("")
    (tmp_path / "setup.py").write_text(textwrap.dedent("""
        from setuptools import setup
        setup(name="demo_pkg", version="1.0", packages=%r,
              cffi_modules=%r%s)
    """ % (list(packages), specs, extra_setup)))
    return tmp_path


def check_imports(cwd, path, code, env=None):
    script = "import sys; sys.path.insert(0, %r)\n%s\nprint('ok')" % (
        str(path), textwrap.dedent(code))
    out = run([sys.executable, "-c", script], cwd, env=env)
    assert out.stdout.strip().endswith("ok")


# ------------------------------------------------------------ setuptools

def test_build_ext_inplace_writes_the_out_of_line_abi_module(tmp_path):
    # as CFFI: `setup.py build_ext --inplace` writes pkg/_sound.py beside
    # the package (a sound-file binding builds and tests exactly this way)
    project(tmp_path, {"pkg._sound": "abi", "pkg._fast": "api"},
            packages=["pkg"])
    run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
        tmp_path)
    assert (tmp_path / "pkg" / "_sound.py").is_file()
    check_imports(tmp_path, tmp_path, """
        from pkg import _sound, _fast
        assert _sound.ffi.dlopen("libm.so.6").cos(0.0) == 1.0
        assert _fast.lib.twice(4) == 8
    """)


def test_api_module_is_built_for_the_stable_abi_by_default(tmp_path):
    # CFFI sets py_limited_api=True where the interpreter allows it: the
    # module is named *.abi3.so; py_limited_api=False keeps the full suffix
    project(tmp_path, {"_lim": "api",
                       "_full": ("api", ", py_limited_api=False")})
    run([sys.executable, "setup.py", "-q", "build", "--build-lib", "out"],
        tmp_path)
    names = sorted(os.path.basename(p)
                   for p in glob.glob(str(tmp_path / "out" / "*.so")))
    assert names == sorted(["_lim.abi3.so", "_full" + EXT_SUFFIX]), names
    check_imports(tmp_path, tmp_path / "out", """
        import _lim, _full
        assert _lim.lib.twice(5) == 10 and _full.lib.twice(6) == 12
    """)


def test_py_limited_api_defines_the_macros_as_cffi():
    from cffi.setuptools_ext import set_py_limited_api
    kwds = set_py_limited_api({})
    assert kwds["py_limited_api"] is True
    assert ("Py_LIMITED_API", None) in kwds["define_macros"]
    kwds = set_py_limited_api({"py_limited_api": False,
                               "define_macros": [("A", "1")]})
    assert kwds["py_limited_api"] is False
    assert kwds["define_macros"] == [("A", "1"), ("_CFFI_NO_LIMITED_API", None)]


def _skip_if_setuptools_cannot_install():
    """Debian's setuptools is patched for Debian's Python: its install_lib
    needs the install_layout option of Debian's distutils, which another
    interpreter (pyenv's 3.12, lent Debian's setuptools) does not have."""
    import inspect
    import setuptools  # noqa: F401
    from setuptools.command import install_lib
    if "install_layout" not in inspect.getsource(install_lib):
        return
    from distutils.command.install import install
    if not any(o[0].startswith("install-layout") for o in install.user_options):
        pytest.skip("Debian's setuptools cannot install on %s (no "
                    "install_layout in its distutils)" % sys.executable)


def test_bdist_wheel_holds_both_modules(tmp_path):
    pytest.importorskip("wheel")
    _skip_if_setuptools_cannot_install()
    import zipfile
    project(tmp_path, {"_w_api": "api", "_w_abi": "abi"})
    run([sys.executable, "setup.py", "-q", "bdist_wheel", "-d", "dist"],
        tmp_path)
    [whl] = glob.glob(str(tmp_path / "dist" / "*.whl"))
    names = zipfile.ZipFile(whl).namelist()
    assert "_w_abi.py" in names and "_w_api.abi3.so" in names, names


def _link_tools(dest, names):
    """A directory of links to the packages `names` (and their metadata) as
    this test imports them, without the other packages of their site
    directory (Debian's dist-packages also holds Debian's cffi)."""
    extra = {"setuptools": ["pkg_resources", "_distutils_hack"]}
    os.makedirs(dest, exist_ok=True)
    for name in names:
        module = pytest.importorskip(name)
        site = os.path.dirname(os.path.dirname(module.__file__))
        for top in [name] + extra.get(name, []):
            for pattern in (top, top + "-*"):
                for path in glob.glob(os.path.join(site, pattern)):
                    link = os.path.join(dest, os.path.basename(path))
                    if not os.path.lexists(link):
                        os.symlink(path, link)
    return dest


VENV_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A venv of this interpreter, with pip (one per module: it is slow to
    make); returns (its python, its site directory)."""
    tmp = tmp_path_factory.mktemp("venv")
    venv = tmp / "venv"
    proc = run([sys.executable, "-m", "venv", str(venv)], tmp, ok=False)
    vpy = venv / "bin" / "python"
    if proc.returncode != 0 or not vpy.exists():
        pytest.skip("no venv with pip for %s: %s" % (sys.executable,
                                                     proc.stderr.strip()))
    site = run([str(vpy), "-c", "import sysconfig; "
                "print(sysconfig.get_paths()['purelib'])"], tmp,
               env=VENV_ENV).stdout.strip()
    return str(vpy), site


def copy_into(src_dir, site):
    for name in os.listdir(src_dir):
        src = os.path.join(src_dir, name)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(site, name), dirs_exist_ok=True)
        elif not name.startswith(".") and not name.endswith(".la"):
            shutil.copy(src, site)


def test_pip_install_no_build_isolation_in_a_venv(tmp_path, venv):
    vpy, site = venv
    env = VENV_ENV
    # ccffi installed in the venv as make install lays it out
    copy_into(TREE, site)
    # Python 3.12 and later have no setuptools in a venv, and pip builds
    # through bdist_wheel: the venv gets those of this test's interpreter
    missing = [name for name in ("setuptools", "wheel")
               if run([vpy, "-c", "import " + name], tmp_path, env=env,
                      ok=False).returncode != 0]
    if "setuptools" in missing:
        _skip_if_setuptools_cannot_install()
    if missing:
        tools = _link_tools(str(tmp_path / "tools"), missing)
        with open(os.path.join(site, "build-tools.pth"), "w") as f:
            f.write(tools + "\n")
    proj = project(tmp_path / "proj", {"_v_api": "api", "_v_abi": "abi"})
    run([str(vpy), "-m", "pip", "install", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "-q", str(proj)],
        tmp_path, env=env)
    out = run([str(vpy), "-c", textwrap.dedent("""
        import _v_api, _v_abi, cffi
        assert _v_api.lib.twice(7) == 14
        assert _v_abi.ffi.dlopen("libm.so.6").cos(0.0) == 1.0
        print(cffi.__file__)
    """)], tmp_path, env=env).stdout
    assert out.strip().startswith(site)


def test_missing_setuptools_is_reported_with_what_to_install(tmp_path):
    code = textwrap.dedent("""
        import sys
        sys.modules["setuptools"] = None      # as in a bare 3.12 venv
        from cffi import FFI
        ffi = FFI()
        ffi.cdef("int f(void);")
        ffi.set_source("_nosetup", "int f(void) { return 1; }")
        try:
            ffi.compile()
        except Exception as e:
            print(type(e).__name__, e)
    """)
    out = run([sys.executable, "-c", code], tmp_path).stdout
    assert "requires setuptools" in out and "install" in out, out
    assert "python3-setuptools" in out, out


def test_setuptools_without_exec_error_builds(tmp_path):
    # setuptools 58 (Python 3.9) has no setuptools.errors.ExecError
    code = textwrap.dedent("""
        import setuptools.errors
        if hasattr(setuptools.errors, "ExecError"):
            del setuptools.errors.ExecError
        from cffi import FFI
        ffi = FFI()
        ffi.cdef("int f(void);")
        ffi.set_source("_old_setuptools", "int f(void) { return 3; }")
        ffi.compile()
        import _old_setuptools
        print(_old_setuptools.lib.f())
    """)
    env = dict(os.environ)
    env["PYTHONPATH"] = "%s:%s" % (tmp_path, env.get("PYTHONPATH", ""))
    assert run([sys.executable, "-c", code], tmp_path, env=env).stdout.split()[-1] == "3"


def test_too_old_setuptools_is_refused_by_name(monkeypatch):
    import setuptools
    from cffi import setuptools_ext
    monkeypatch.setattr(setuptools, "__version__", "44.1.0")
    with pytest.raises(Exception) as e:
        setuptools_ext.require_setuptools()
    assert "setuptools 56.0 or newer" in str(e.value)
    assert "44.1.0" in str(e.value)


def test_compile_verbose_prints_the_commands(tmp_path):
    code = textwrap.dedent("""
        from cffi import FFI
        ffi = FFI()
        ffi.cdef("int f(void);")
        ffi.set_source("_verbose", "int f(void) { return 1; }")
        ffi.compile(verbose=True)
    """)
    out = run([sys.executable, "-c", code], tmp_path).stdout
    assert "-fplugin=" in out and "_verbose.c" in out, out
    quiet = run([sys.executable, "-c", code.replace("verbose=True", "")],
                tmp_path / "..").stdout
    assert "-fplugin=" not in quiet


# ------------------------------------------------------------ cffi.pkgconfig

def test_cffi_pkgconfig_as_cffi_names_it():
    import cffi.pkgconfig as pkgconfig
    from cffi import PkgConfigError
    a = {"libraries": ["one"]}
    assert pkgconfig.merge_flags(a, {"libraries": ["two"], "x": ["y"]}) is a
    assert a == {"libraries": ["one", "two"], "x": ["y"]}
    with pytest.raises(TypeError):
        pkgconfig.merge_flags({"libraries": "one"}, {"libraries": ["two"]})
    kwds = pkgconfig.flags_from_pkgconfig(["libffi"])
    assert "ffi" in kwds["libraries"]
    assert "ffi" in pkgconfig.call("libffi", "--libs")
    with pytest.raises(PkgConfigError) as e:
        pkgconfig.flags_from_pkgconfig(["no-such-package-ccffi"])
    assert "no-such-package-ccffi" in str(e.value)


# ------------------------------------------------------------ configure

@pytest.mark.parametrize("host", ["aarch64-linux-gnu", "i686-linux-gnu",
                                  "x86_64-linux-gnux32"])
def test_configure_refuses_an_unsupported_cpu(tmp_path, host):
    configure = os.path.join(SRCDIR or "", "configure")
    if not SRCDIR or not os.path.exists(configure):
        pytest.skip("no configure in %s" % SRCDIR)
    proc = run(["sh", configure, "--host=" + host], tmp_path, ok=False)
    assert proc.returncode != 0
    assert "does not support the host" in proc.stderr, proc.stderr
    assert "x86_64-*-linux-gnu" in proc.stderr


# ------------------------------------------------------------ make install

@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """make install DESTDIR=...: (DESTDIR, site directory, dist-info)."""
    if not BUILDDIR or not os.path.exists(os.path.join(BUILDDIR, "Makefile")):
        pytest.skip("no build tree (CCFFI_BUILDDIR): an installed ccffi")
    dest = tmp_path_factory.mktemp("install") / "dest"
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    run(["make", "-s", "install", "DESTDIR=%s" % dest], BUILDDIR, env=env)
    [distinfo] = glob.glob(str(dest) + "/**/cffi-*.dist-info", recursive=True)
    return dest, os.path.dirname(distinfo), distinfo


def _makefile_var(name):
    with open(os.path.join(BUILDDIR, "Makefile")) as f:
        for line in f:
            if line.startswith(name + " = "):
                return line.split("=", 1)[1].strip()
    raise AssertionError("no %s in the Makefile" % name)


def test_make_install_goes_where_the_interpreter_looks(installed):
    # Debian's python3 searches /usr/local/lib/python3.X/dist-packages, not
    # site-packages: configure picks the site directory the interpreter
    # searches under the prefix, when it has one
    dest, site, distinfo = installed
    with open(os.path.join(BUILDDIR, "config.status")) as f:
        if "--with-pythondir" in f.read():
            pytest.skip("configured with --with-pythondir")
    installed = os.path.realpath("/" + os.path.relpath(site, str(dest)))
    prefix = _makefile_var("prefix")
    lib = os.path.join(prefix, "lib") + os.sep
    searched = [os.path.realpath(p) for p in sys.path if p]
    if not any(p.startswith(lib) for p in searched):
        pytest.skip("%s searches nothing under %s" % (sys.executable, lib))
    assert installed in searched, (installed, sys.path)


def test_make_install_writes_record_and_installer(installed):
    import base64
    import csv
    import hashlib
    dest, site, distinfo = installed
    assert open(os.path.join(distinfo, "INSTALLER")).read().strip() == "make"
    rows = list(csv.reader(open(os.path.join(distinfo, "RECORD"))))
    listed = {r[0] for r in rows}
    for top, dirs, files in os.walk(site):
        for name in files:
            rel = os.path.relpath(os.path.join(top, name), site)
            if rel.endswith(".la"):
                continue
            assert rel in listed, "%s not in RECORD" % rel
    assert "_cffi_backend" + EXT_SUFFIX in listed
    assert "cffi/__init__.py" in listed and "cffi/pkgconfig.py" in listed
    for path, hash_, size in rows:
        if not hash_:
            assert path.endswith("/RECORD")
            continue
        data = open(os.path.join(site, path), "rb").read()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
        assert hash_ == "sha256=" + digest.rstrip(b"=").decode()
        assert int(size) == len(data)


def test_pip_lists_and_uninstalls_the_installed_package(installed, venv):
    dest, site, distinfo = installed
    vpy, vsite = venv
    env = VENV_ENV
    copy_into(site, vsite)
    pip = [vpy, "-m", "pip", "--disable-pip-version-check"]
    listed = run(pip + ["list"], dest, env=env).stdout
    assert any(line.split()[:2] == ["cffi", "2.0.0"]
               for line in listed.splitlines()), listed
    run(pip + ["uninstall", "-y", "cffi"], dest, env=env)
    left = [n for n in os.listdir(vsite)
            if n.startswith(("cffi", "_cffi_backend"))]
    assert left == [], left


def test_py_limited_api_on_debug_and_free_threaded_builds_as_cffi(monkeypatch):
    # CFFI keeps a py_limited_api=True that set_source() gave on a debug
    # build (only its default is off there, and no Py_LIMITED_API, which
    # Python.h refuses with Py_DEBUG); a free-threaded build before 3.15 is
    # always py_limited_api=False; 3.15's gets Py_TARGET_ABI3T
    import sysconfig
    from cffi import setuptools_ext
    monkeypatch.setattr(sys, "gettotalrefcount", lambda: 0, raising=False)
    kwds = setuptools_ext.set_py_limited_api({})
    assert "py_limited_api" not in kwds and kwds["define_macros"] == []
    kwds = setuptools_ext.set_py_limited_api({"py_limited_api": True})
    assert kwds["py_limited_api"] is True and kwds["define_macros"] == []
    monkeypatch.delattr(sys, "gettotalrefcount")
    config = dict(sysconfig.get_config_vars(), Py_GIL_DISABLED=1)
    monkeypatch.setattr(sysconfig, "get_config_var", config.get)
    kwds = setuptools_ext.set_py_limited_api({"py_limited_api": True})
    assert kwds["py_limited_api"] is False
    assert kwds["define_macros"] == [("_CFFI_NO_LIMITED_API", None)]
    monkeypatch.setattr(sys, "version_info", (3, 15, 0, "final", 0))
    kwds = setuptools_ext.set_py_limited_api({})
    assert kwds["py_limited_api"] is True
    assert ("Py_TARGET_ABI3T", "0x030f0000") in kwds["define_macros"]
    assert ("Py_LIMITED_API", "0x030f0000") in kwds["define_macros"]
