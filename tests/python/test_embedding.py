"""Embedding: Python code exported as a C library (ffi.embedding_api(),
ffi.embedding_init_code(), compile() to a shared library).

Each library is built here with the build tree's cffi, then called from a
small C program compiled and run by the test (from the main thread, and
from several threads at once for the first call), and from a Python
process that loads it with ffi.dlopen().  The programs run with
PYTHONPATH naming the build tree, so the interpreter they start imports
this _cffi_backend."""
import os
import re
import subprocess
import sys
import sysconfig
import textwrap

import pytest

import _cffi_backend
from cffi import FFI

from plugin_compilers import PARAMS

TREE = os.environ.get("CCFFI_PYTHON_TREE", "")

# the library's init code prints once; add() prints each call
ADD_INIT = r"""
    import sys, time
    sys.stdout.write("init\n")
    sys.stdout.flush()
    time.sleep(float(__import__('os').environ.get('EMBED_INIT_SLEEP', '0')))
    from _embed_add import ffi, lib

    @ffi.def_extern()
    def add(x, y):
        return x + y

    @ffi.def_extern()
    def fails(x):
        raise ValueError("fails(%d)" % x)

    sys.embedded_add_ready = True
"""

MAIN_C = r"""
#include <stdio.h>
extern int add(int, int);
extern long fails(int);
int main(void)
{
    int a = add(40, 2);
    int b = add(100, -5);
    long c = fails(7);
    printf("got: %d %d %ld\n", a, b, c);
    return 0;
}
"""

THREADS_C = r"""
#include <pthread.h>
#include <stdio.h>
#define N 8
extern int add(int, int);
static int results[N];
static pthread_barrier_t start;
static void *run(void *arg)
{
    int i = (int)(long)arg;
    pthread_barrier_wait(&start);    /* all first calls at once */
    results[i] = add(i, 1000);
    return NULL;
}
int main(void)
{
    pthread_t th[N];
    long i;
    pthread_barrier_init(&start, NULL, N);
    for (i = 0; i < N; i++)
        pthread_create(&th[i], NULL, run, (void *)i);
    for (i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (i = 0; i < N; i++)
        printf("%d\n", results[i]);
    return 0;
}
"""


def cc():
    return os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"


def build_library(directory, name, api, init, source="", target=None,
                  verbose=False):
    ffi = FFI()
    ffi.embedding_api(api)
    if init is not None:
        ffi.embedding_init_code(init)
    ffi.set_source(name, source)
    return ffi.compile(tmpdir=str(directory), target=target, verbose=verbose)


def build_program(directory, name, c_text, libraries, threads=False):
    src = directory / (name + ".c")
    src.write_text(c_text)
    exe = directory / name
    if isinstance(libraries, str):
        libraries = [libraries]
    cmd = cc().split() + [str(src), "-o", str(exe)] + list(libraries)
    if threads:
        cmd.append("-pthread")
    subprocess.run(cmd, check=True)
    return str(exe)


def run_env(directory, **extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = TREE
    env["LD_LIBRARY_PATH"] = os.pathsep.join(
        p for p in (str(directory), env.get("LD_LIBRARY_PATH")) if p)
    env.update(extra)
    return env


def run(exe, directory, **extra):
    return subprocess.run([exe], cwd=str(directory), capture_output=True,
                          text=True, timeout=120, env=run_env(directory, **extra))


@pytest.fixture(scope="module")
def add_library(tmp_path_factory):
    """_embed_add.so exporting add() and fails(), and its directory."""
    directory = tmp_path_factory.mktemp("embed")
    path = build_library(directory, "_embed_add",
                         "int add(int, int); long fails(int);", ADD_INIT)
    return directory, path


def test_compile_builds_a_shared_library_named_after_the_module(add_library):
    directory, path = add_library
    assert path == str(directory / "_embed_add.so")
    assert os.path.isfile(path)
    symbols = subprocess.run(["nm", "-D", "--defined-only", path],
                             capture_output=True, text=True).stdout.split()
    assert "add" in symbols and "fails" in symbols
    needed = subprocess.run(["readelf", "-d", path], capture_output=True,
                            text=True).stdout
    assert "libpython%d.%d" % sys.version_info[:2] in needed


def test_c_program_calls_python(add_library):
    directory, path = add_library
    exe = build_program(directory, "main_test", MAIN_C, path)
    proc = run(exe, directory)
    assert proc.returncode == 0, proc.stderr
    # init once; fails() raised: its result is 0 and the traceback printed
    assert proc.stdout == "init\ngot: 42 95 0\n"
    assert "ValueError: fails(7)" in proc.stderr
    assert "from cffi callback" in proc.stderr


def test_first_calls_from_several_threads_wait_for_one_init(add_library):
    directory, path = add_library
    exe = build_program(directory, "threads_test", THREADS_C, path,
                        threads=True)
    for _ in range(3):
        proc = run(exe, directory, EMBED_INIT_SLEEP="0.3")
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        assert lines[0] == "init" and lines.count("init") == 1
        assert lines[1:] == [str(i + 1000) for i in range(8)]
        assert "no code was attached" not in proc.stderr


def test_python_process_loads_the_library_with_dlopen(add_library):
    directory, path = add_library
    script = textwrap.dedent("""
        import sys, threading, cffi
        ffi = cffi.FFI()
        ffi.cdef("int add(int, int);")
        lib = ffi.dlopen(%r)
        assert not hasattr(sys, 'embedded_add_ready')
        results = []
        threads = [threading.Thread(target=lambda: results.append(lib.add(2, 3)))
                   for _ in range(4)]
        for t in threads: t.start()
        for t in threads: t.join()
        print(results, lib.add(-1, -2), sys.embedded_add_ready,
              sys.modules['_embed_add'].lib.add(5, 6))
    """ % path)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True,
                          text=True, timeout=120, env=run_env(directory))
    assert proc.returncode == 0, proc.stderr
    # the init code ran once, in this process's interpreter
    assert proc.stdout == "init\n[5, 5, 5, 5] -3 True 11\n"


def test_init_code_exception_is_reported_and_calls_return_zero(tmp_path):
    path = build_library(tmp_path, "_embed_initerror", "int add(int, int);",
                         "import sys\nraise KeyError('broken init')\n")
    src = MAIN_C.replace("extern long fails(int);", "").replace(
        "long c = fails(7);", "long c = add(1, 1);")
    exe = build_program(tmp_path, "initerror_test", src, path)
    proc = run(exe, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "got: 0 0 0\n"
    err = proc.stderr
    assert err.count("Failed to initialize the Python-CFFI embedding "
                     "logic") == 1
    assert "KeyError: 'broken init'" in err
    assert "<init code for '_embed_initerror'>" in err
    assert "From: _embed_initerror" in err and "sys.path: [" in err
    assert "compiled with cffi version: %s (ccffi %s)" % (
        _cffi_backend.__version__, _cffi_backend.__ccffi__) in err
    assert err.count("function add() called, but initialization code "
                     "failed.  Returning 0.") == 3


def test_exported_variable_recursion_and_cffi_start_python(tmp_path):
    # the init code calls C through an exported variable, and that C calls
    # the library's exported function again (same thread, during the init)
    path = build_library(
        tmp_path, "_embed_rec",
        "extern int (*callback)(int);\nint twice(int);",
        """
            from _embed_rec import ffi, lib
            @ffi.def_extern()
            def twice(x):
                return 2 * x
            print("during init:", lib.callback(10))
        """,
        source="CFFI_DLLEXPORT int (*callback)(int);\n"
               "CFFI_DLLEXPORT int start(void) { return cffi_start_python(); }\n")
    prog = r"""
        #include <stdio.h>
        extern int (*callback)(int);
        extern int twice(int);
        extern int start(void);
        static int cb(int x) { return twice(x) + 1; }
        int main(void)
        {
            callback = cb;
            printf("start: %d\n", start());
            fflush(stdout);
            printf("start again: %d, twice: %d\n", start(), twice(21));
            return 0;
        }
    """
    exe = build_program(tmp_path, "rec_test", textwrap.dedent(prog), path)
    proc = run(exe, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ("during init: 21\nstart: 0\n"
                           "start again: 0, twice: 42\n")


def test_target_and_verbose(tmp_path, capsys):
    path = build_library(tmp_path, "_embed_target", "int one(void);",
                         "from _embed_target import ffi\n"
                         "@ffi.def_extern()\ndef one(): return 1\n",
                         target="libembedded-1.0.*", verbose=True)
    assert path == str(tmp_path / "libembedded-1.0.so")
    out = capsys.readouterr().out
    assert "-lpython%d.%d" % sys.version_info[:2] in out
    assert "libembedded-1.0.so" in out


def test_embedding_api_declares_extern_python_functions():
    ffi = FFI()
    ffi.embedding_api("""
        typedef struct { int x, y; } point_t;
        int do_stuff(point_t *);
        extern int glob;
    """)
    assert ffi._embedding == ''
    ffi.set_source("_embed_decls", "")
    import io
    f = io.StringIO()
    ffi.emit_c_code(f)
    text = f.getvalue()
    # do_stuff is defined by the generated file, exported, calling Python
    assert re.search(r"^CFFI_DLLEXPORT .*\bdo_stuff\(", text, re.M)
    assert "static int cffi_start_python(void)" in text
    # a plain cdef() keeps declaring functions the source defines
    plain = FFI()
    plain.cdef("int do_stuff(int);")
    plain.set_source("_embed_plain", "")
    f = io.StringIO()
    plain.emit_c_code(f)
    assert "CFFI_DLLEXPORT" not in f.getvalue()


def test_embedding_init_code_once_dedented_and_checked():
    ffi = FFI()
    ffi.embedding_init_code("""

        import sys
        if sys:
            pass
    """)
    # as CFFI: from line 1, dedented (the blank last line stays)
    assert ffi._embedding == "import sys\nif sys:\n    pass\n\n"
    with pytest.raises(ValueError, match="can only be called once"):
        ffi.embedding_init_code("pass")
    with pytest.raises(SyntaxError):
        FFI().embedding_init_code("def (:\n")


def test_apply_embedding_fix_names_libpython():
    kwds = {"libraries": ["m"]}
    FFI()._apply_embedding_fix(kwds)
    name = "python%d.%d" % sys.version_info[:2]
    assert kwds["libraries"][0] == "m"
    assert kwds["libraries"][1].startswith(name)


def test_compile_with_a_target_is_quiet_unless_verbose(tmp_path, capsys):
    build_library(tmp_path, "_embed_quiet", "int two(void);", None,
                  target="libquiet.*")
    assert "-lpython" not in capsys.readouterr().out


def test_library_imported_as_a_module_runs_its_init_code_on_first_call(
        add_library):
    # CFFI's documented way of testing such a library from Python
    directory, path = add_library
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, %r)
        import _embed_add
        from _embed_add import ffi, lib
        assert not hasattr(sys, 'embedded_add_ready')
        print(lib.add(20, 22), sys.modules['_embed_add'] is _embed_add,
              sys.embedded_add_ready)
    """ % str(directory))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True,
                          text=True, timeout=120, env=run_env(directory))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "init\n42 True True\n"


def test_c_function_of_the_source_calling_a_cdef_extern_python(tmp_path):
    # CFFI's "Embedding and Extending": a function written in C, exported,
    # calls a (static) extern "Python" function of cdef(); that first call
    # starts Python too
    ffi = FFI()
    ffi.embedding_api("")
    ffi.cdef('extern "Python" int mycb(int);')
    ffi.embedding_init_code("""
        from _embed_ext import ffi
        @ffi.def_extern()
        def mycb(x):
            return x * 10
    """)
    ffi.set_source("_embed_ext", """
        static int mycb(int);
        CFFI_DLLEXPORT int myfunc(int a, int b) { return mycb(a * b); }
    """)
    path = ffi.compile(tmpdir=str(tmp_path))
    prog = ('#include <stdio.h>\nextern int myfunc(int, int);\n'
            'int main(void) { printf("%d\\n", myfunc(6, 7)); return 0; }\n')
    exe = build_program(tmp_path, "ext_test", prog, path)
    proc = run(exe, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "420\n"


def test_link_keywords_follow_sysconfig(monkeypatch, tmp_path):
    from cffi import _embedding
    values = {"Py_ENABLE_SHARED": 1, "LIBDIR": str(tmp_path),
              "MULTIARCH": "x86_64-linux-gnu", "DEBUG_EXT": None}
    monkeypatch.setattr(_embedding.sysconfig, "get_config_var", values.get)
    kwds = _embedding.link_keywords({})
    # an interpreter outside the system directories (pyenv): its LIBDIR is
    # searched at link time and at run time
    assert kwds["library_dirs"] == [str(tmp_path)]
    assert kwds["runtime_library_dirs"] == [str(tmp_path)]
    values["LIBDIR"] = "/usr/lib/x86_64-linux-gnu"
    assert set(_embedding.link_keywords({})) == {"libraries"}
    # a static libpython (no shared one) is looked for in LIBPL
    values.update(Py_ENABLE_SHARED=0, LIBPL=str(tmp_path))
    kwds = _embedding.link_keywords({})
    assert kwds["library_dirs"] == [str(tmp_path)]
    assert "runtime_library_dirs" not in kwds


TWO_LIBS_C = r"""
#include <pthread.h>
#include <stdio.h>
extern int add(int, int);        /* built by ccffi */
extern int mul(int, int);        /* built by Debian's real CFFI */
static pthread_barrier_t start;
static int r[8];
static void *run(void *arg)
{
    long i = (long)arg;
    pthread_barrier_wait(&start);
    r[i] = (i & 1) ? mul((int)i, 10) : add((int)i, 10);
    return NULL;
}
int main(void)
{
    pthread_t th[8];
    long i;
    pthread_barrier_init(&start, NULL, 8);
    for (i = 0; i < 8; i++)
        pthread_create(&th[i], NULL, run, (void *)i);
    for (i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    for (i = 0; i < 8; i++)
        printf("%d ", r[i]);
    printf("\n");
    return 0;
}
"""

DEBIAN_PYTHON = "/usr/bin/python3"


def test_started_together_with_a_library_built_by_real_cffi(add_library,
                                                            tmp_path):
    # Py_InitializeEx() runs once though two libraries of two makers start
    # Python at the same time: both take the same lock in libpython
    directory, path = add_library
    if os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON):
        pytest.skip("needs Debian's python3 (its real CFFI builds the other)")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    build = textwrap.dedent("""
        import cffi, _cffi_backend
        assert not hasattr(_cffi_backend, '__ccffi__')
        ffi = cffi.FFI()
        ffi.embedding_api("int mul(int, int);")
        ffi.embedding_init_code('''
            from _embed_real import ffi
            @ffi.def_extern()
            def mul(x, y):
                return x * y
        ''')
        ffi.set_source("_embed_real", "")
        print(ffi.compile(tmpdir=%r))
    """ % str(tmp_path))
    proc = subprocess.run([DEBIAN_PYTHON, "-c", build], capture_output=True,
                          text=True, env=env, cwd=str(tmp_path))
    if proc.returncode != 0:
        pytest.skip("Debian's real CFFI cannot build it: %s"
                    % proc.stderr.strip().splitlines()[-1:])
    real = proc.stdout.strip().splitlines()[-1]
    exe = build_program(tmp_path, "two_libs", TWO_LIBS_C, [path, real],
                        threads=True)
    for _ in range(5):
        proc = run(exe, directory)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == "init\n10 10 12 30 14 50 16 70 \n"


def test_first_call_after_python_gave_capsules_a_version_tag(add_library):
    # before 3.12, an attribute lookup on a capsule gives PyCapsule_Type a
    # version tag (in the word that serialises Py_InitializeEx between
    # libraries); a first call made afterwards must not wait for it forever
    directory, path = add_library
    script = textwrap.dedent("""
        import datetime, cffi
        capsule = datetime.datetime_CAPI
        for i in range(50):
            hasattr(capsule, 'attribute%%d' %% i)
        ffi = cffi.FFI()
        ffi.cdef("int add(int, int);")
        print(ffi.dlopen(%r).add(1, 2))
    """ % path)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True,
                          text=True, timeout=60, env=run_env(directory))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "init\n3\n"


@pytest.mark.parametrize("compiler", PARAMS)
def test_built_and_called_with_each_compiler(compiler, tmp_path, monkeypatch):
    # gcc with the GCC plugin and clang with the Clang plugin build the
    # library; the same compiler builds the C program
    monkeypatch.setenv("CC", compiler.command)
    path = build_library(tmp_path, "_embed_cc", "int add(int, int);",
                         "from _embed_cc import ffi\n"
                         "@ffi.def_extern()\n"
                         "def add(x, y): return x + y\n")
    src = MAIN_C.replace("extern long fails(int);", "").replace(
        "long c = fails(7);", "long c = add(-1, -2);")
    exe = build_program(tmp_path, "cc_test", src, path)
    proc = run(exe, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "got: 42 95 -3\n"


def test_default_name_of_a_library_in_a_package(tmp_path):
    # as CFFI: the dotted name, in the package's directory
    path = build_library(tmp_path, "pkg._embed_mod", "int f(int);", None)
    assert path == str(tmp_path / "pkg" / "pkg._embed_mod.so")


def test_cffi_modules_build_without_the_stable_abi():
    # setuptools' cffi_modules: an embedding library is compiled without
    # Py_LIMITED_API (its header refuses it), an extension module with it
    from setuptools import Distribution
    from cffi import setuptools_ext
    macros = {}
    for name, api in (("_embed_abi", True), ("_plain_abi", False)):
        ffi = FFI()
        if api:
            ffi.embedding_api("int f(int);")
        else:
            ffi.cdef("int f(int);")
        ffi.set_source(name, "")
        dist = Distribution()
        setuptools_ext._add_c_module(dist, ffi, name, "", ".c", {})
        macros[name] = [m[0] for m in dist.ext_modules[-1].define_macros]
    if "Py_LIMITED_API" not in macros["_plain_abi"]:
        pytest.skip("this interpreter builds no stable-ABI modules")
    assert "Py_LIMITED_API" not in macros["_embed_abi"]


def test_init_code_travels_byte_for_byte_in_c_and_cpp(tmp_path):
    # quotes, backslashes, trigraph-like ??=, non-ASCII: frozen into the C
    # file as string literals that C and C++ compilers take alike
    text = 'a "q" \\\\ \'s\' ??= ??/ \u00ff\u1234\U0001f600 \t end'
    init = ("import sys\nTEXT = %r\nsys.stdout.write(ascii(TEXT) + '\\n')\n"
            "from _embed_text import ffi\n@ffi.def_extern()\n"
            "def add(x, y): return x + y\n" % text)
    for ext in (".c", ".cpp"):
        ffi = FFI()
        ffi.embedding_api("int add(int, int);")
        ffi.embedding_init_code(init)
        ffi.set_source("_embed_text", "", source_extension=ext,
                       extra_compile_args=["-Wall", "-Wextra", "-Werror"])
        directory = tmp_path / ext[1:]
        directory.mkdir()
        path = ffi.compile(tmpdir=str(directory))
        # (compiled as C++, the function has C++ linkage, as with CFFI)
        prog = ("#include <stdio.h>\nextern int add(int, int);\n"
                "int main(void) { printf(\"%d\\n\", add(1, 2)); return 0; }\n")
        src = directory / ("text_test" + ext)
        src.write_text(prog)
        exe = str(directory / "text_test")
        compiler = cc().split() if ext == ".c" else ["g++"]
        subprocess.run(compiler + [str(src), "-o", exe, path], check=True)
        proc = run(exe, directory)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == ascii(text) + "\n3\n"
