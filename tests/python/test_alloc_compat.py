"""Allocation failure while loading a module built by real CFFI (issue 16).

Debian's CFFI 1.15 builds an API-mode module (struct, enum, constants, a
global, extern "Python"), a second one including it, and two out-of-line
ABI modules (the second including the first).  Each is then loaded under
ccffi in a fresh process with the n-th Python allocation of the load
failing (_testcapi.set_nomemory, as in test_alloc_failures.py), for n = 1,
2, ... until the load succeeds.  runtime/compat keeps a translated context
for the life of the process, so each n needs its own process.

The window is our part of the import: the extension's PyInit
(_imp.create_dynamic on a spec found before) or the ABI module's code
(compiled before), with the modules it includes already imported.  Every
failing load must raise MemoryError (or, for a failure inside the import of
an included module, the ImportError CFFI raises there: "while loading X:
failed to import ffi, lib from Y"), never crash, leave nothing of the module
in sys.modules, and the same process must then load it whole and use it.
Leaks along these paths are LSan's, in make check-asan.
"""
import os
import subprocess
import sys

import pytest

DEBIAN_PYTHON = "/usr/bin/python3"

BUILD = r'''
import cffi, _cffi_backend
assert not hasattr(_cffi_backend, "__ccffi__"), _cffi_backend.__file__

api = cffi.FFI()
api.cdef("""
    struct pt { int x; double y; };
    enum color { RED, GREEN = 5, BLUE };
    #define FOO 42
    static const double PI_ISH;
    int add(int, int);
    extern int gcounter;
    extern "Python" int cb(int);
    extern "Python" void cb2(struct pt);
    int call_cb(int);
""")
SRC = r"""
struct pt { int x; double y; };
enum color { RED, GREEN = 5, BLUE };
#define FOO 42
static const double PI_ISH = 3.25;
static int add(int a, int b) { return a + b; }
int gcounter = 5;
static int cb(int);
static void cb2(struct pt);
static int call_cb(int x) { return cb(x) + 1; }
"""
api.set_source("_ac_api", SRC)
api.compile(tmpdir=".")

inc = cffi.FFI()
inc.include(api)
inc.cdef("int pt_x(struct pt *);")
inc.set_source("_ac_inc", SRC + "static int pt_x(struct pt *p) { return p->x; }")
inc.compile(tmpdir=".")

abi = cffi.FFI()
abi.cdef("""
    typedef struct { int quot; int rem; } div_t;
    div_t div(int, int);
    int abs(int);
    struct s { int a; char b; double c; };
    enum mode { M_A, M_B = 10 };
    #define ANSWER 42
    typedef int (*cmp_t)(const void *, const void *);
""")
abi.set_source("_ac_abi", None)
abi.compile(tmpdir=".")

abi2 = cffi.FFI()
abi2.include(abi)
abi2.cdef("long labs(long); struct s *also(enum mode);")
abi2.set_source("_ac_abi2", None)
abi2.compile(tmpdir=".")
print("built")
'''

CHILD = r'''
import sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import _imp, importlib, importlib.util
import _cffi_backend, _testcapi
assert hasattr(_cffi_backend, "__ccffi__"), _cffi_backend.__file__
name, n, deps = sys.argv[3], int(sys.argv[4]), sys.argv[5:]

def check(m):
    ffi, lib = m.ffi, getattr(m, "lib", None)
    if name == "_ac_api":
        assert lib.add(2, 3) == 5
        assert (lib.FOO, lib.RED, lib.BLUE, lib.PI_ISH, lib.gcounter) == (42, 0, 6, 3.25, 5)
        assert ffi.new("struct pt *", {"x": 7}).x == 7
        @ffi.def_extern()
        def cb(x):
            return 10 * x
        assert lib.call_cb(4) == 41
    elif name == "_ac_inc":
        assert lib.pt_x(ffi.new("struct pt *", {"x": 8})) == 8
        assert (lib.FOO, lib.add(1, 1)) == (42, 2)
    else:
        c = ffi.dlopen("libc.so.6")
        assert ffi.sizeof("struct s") == 16
        assert (c.ANSWER, c.M_B) == (42, 10)
        if name == "_ac_abi2":
            assert c.labs(-4) == 4
            assert ffi.typeof("div_t").cname == "div_t"
        else:
            assert c.abs(-3) == 3

for dep in deps:
    importlib.import_module(dep)
spec = importlib.util.find_spec(name)
if spec.origin.endswith(".py"):
    # its 'from DEP import ffi as _ffiN' lines bound beforehand: a failure
    # inside the import system's from-import may be swallowed there
    names = {"__name__": name}
    lines = []
    for line in spec.loader.get_source(name).splitlines():
        words = line.split()
        if len(words) == 6 and words[0] == "from" and words[2:5] == ["import", "ffi", "as"]:
            names[words[5]] = importlib.import_module(words[1]).ffi
        else:
            lines.append(line)
    code = compile("\n".join(lines), spec.origin, "exec")
    def load():
        exec(code, names)
else:
    def load():
        _imp.create_dynamic(spec)
exc = None
_testcapi.set_nomemory(n, n + 1)
try:
    load()
except BaseException as e:
    exc = e
finally:
    _testcapi.remove_mem_hooks()
if exc is None:
    print("ok")
    sys.exit(0)
print("%s: %s" % (type(exc).__name__, str(exc)[:300]))
exc = None
left = [k for k in sys.modules if k == name or k.startswith(name + ".")]
assert not left, "left in sys.modules: %r" % left
check(importlib.import_module(name))
print("recovered")
'''

LIMIT = 1000     # no load here needs nearly as many allocations


def _debian_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not os.path.exists(DEBIAN_PYTHON):
        pytest.skip("no %s" % DEBIAN_PYTHON)
    probe = subprocess.run([DEBIAN_PYTHON, "-I", "-c", "import sys, cffi, _testcapi; "
                            "print('%d.%d' % sys.version_info[:2], "
                            "hasattr(_testcapi, 'set_nomemory'))"],
                           capture_output=True, text=True, env=_debian_env())
    if probe.returncode != 0:
        pytest.skip("python3-cffi (Debian's real CFFI) or _testcapi is missing")
    version, nomem = probe.stdout.split()
    if nomem != "True":
        pytest.skip("Debian's _testcapi has no set_nomemory()")
    if version != "%d.%d" % sys.version_info[:2]:
        pytest.skip("modules built by Debian's CFFI are for Python %s" % version)
    d = tmp_path_factory.mktemp("alloccompat")
    (d / "build.py").write_text(BUILD)
    r = subprocess.run([DEBIAN_PYTHON, "-I", "build.py"], cwd=str(d),
                       capture_output=True, text=True, env=_debian_env())
    assert r.returncode == 0, r.stdout + r.stderr
    (d / "child.py").write_text(CHILD)
    return d


def _load_failing(d, name, n, deps):
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    r = subprocess.run([sys.executable, "-S", str(d / "child.py"),
                        os.environ["CCFFI_PYTHON_TREE"], str(d), name, str(n)] + deps,
                       capture_output=True, text=True, env=env, cwd=str(d))
    return r


@pytest.mark.parametrize("name,deps", [
    ("_ac_api", []),
    ("_ac_inc", ["_ac_api"]),
    ("_ac_abi", []),
    ("_ac_abi2", ["_ac_abi"]),
])
def test_each_allocation_failing_while_loading(built, name, deps):
    failures = 0
    for n in range(1, LIMIT):
        r = _load_failing(built, name, n, deps)
        where = "%s, allocation %d failing" % (name, n)
        assert r.returncode == 0, "%s: status %d\n%s%s" % (where, r.returncode,
                                                          r.stdout, r.stderr[-3000:])
        out = r.stdout.splitlines()
        if out == ["ok"]:
            break
        assert len(out) == 2 and out[1] == "recovered", "%s: %r" % (where, out)
        assert out[0].startswith("MemoryError") or (
            out[0].startswith("ImportError: while loading %s: failed to import "
                              "ffi, lib from " % name) and deps), "%s: %s" % (where, out[0])
        failures += 1
    else:
        raise AssertionError("%s never loaded in %d runs" % (name, LIMIT))
    assert failures > 0, "loading %s allocated nothing" % name
