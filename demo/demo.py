"""ccffi demo: ABI mode against the C library and libm, then API mode with
a module compiled by the configured compiler (CC: gcc or clang) and its
ccffi plugin, then embedding: a C program calling Python functions through
a shared library built by ccffi.

Run it with tools/demo.sh (it uses the build tree)."""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

import cffi


def abi_mode():
    print("== ABI mode: ffi.dlopen(), calls through libffi")
    ffi = cffi.FFI()
    ffi.cdef("""
        double cos(double x);
        int printf(const char *format, ...);
        void qsort(void *base, size_t nmemb, size_t size,
                   int (*compar)(const void *, const void *));
        size_t strlen(const char *);
    """)
    libm = ffi.dlopen("libm.so.6")
    libc = ffi.dlopen(None)
    print("cos(0.5) =", libm.cos(0.5))
    print("strlen(b'ccffi') =", libc.strlen(b"ccffi"))
    libc.printf(b"printf from C: %d %s %.2f\n", ffi.cast("int", 42),
                ffi.new("char[]", b"variadic"), ffi.cast("double", 3.14159))
    sys.stdout.flush()

    @ffi.callback("int(const void *, const void *)")
    def compare(a, b):
        x = ffi.cast("int *", a)[0]
        y = ffi.cast("int *", b)[0]
        return (x > y) - (x < y)

    numbers = ffi.new("int[]", [5, 3, 9, 1, 7])
    libc.qsort(numbers, len(numbers), ffi.sizeof("int"), compare)
    print("qsort with a Python comparison:", list(numbers))


def api_mode():
    from cffi import _compiler
    cc = _compiler.compiler_command()
    kind = _compiler.compiler_info(cc).kind
    plugin = (_compiler.clang_plugin_path() if kind == "clang"
              else _compiler.gcc_plugin_path())
    print("== API mode: set_source() + compile() with %s (%s) and the ccffi "
          "plugin %s" % (" ".join(cc), kind, os.path.basename(plugin)))
    builder = cffi.FFI()
    builder.cdef("""
        struct point { double x, y; ...; };
        double norm(struct point *p);
        #define SCALE ...
        extern "Python" double weight(double);
        double weighted(double);
    """)
    builder.set_source("_ccffi_demo", """
        #include <math.h>
        struct point { const char *label; double x, y; };
        #define SCALE 10
        static double weight(double);
        double norm(struct point *p) { return sqrt(p->x * p->x + p->y * p->y); }
        double weighted(double v) { return SCALE * weight(v); }
    """, libraries=["m"])
    tmpdir = tempfile.mkdtemp(prefix="ccffi-demo-")
    try:
        path = builder.compile(tmpdir=tmpdir)
        print("built", os.path.basename(path))
        sys.path.insert(0, tmpdir)
        from _ccffi_demo import ffi, lib
    finally:
        shutil.rmtree(tmpdir)   # the loaded module no longer needs its file

    print("the header's struct point is", ffi.sizeof("struct point"),
          "bytes; y is at offset", ffi.offsetof("struct point", "y"))
    p = ffi.new("struct point *", {"x": 3.0, "y": 4.0})
    print("norm(3, 4) =", lib.norm(p))
    print("SCALE from the header =", lib.SCALE)

    @ffi.def_extern()
    def weight(v):
        return v / 2

    print("weighted(3) calls back into Python:", lib.weighted(3.0))


EMBEDDED_MAIN = r"""
#include <stdio.h>
typedef struct { int x, y; } point_t;
extern int manhattan(point_t *p);      /* written in Python */

int main(void)
{
    point_t p = { 3, -4 };
    printf("C: manhattan(3, -4) = %d\n", manhattan(&p));
    fflush(stdout);
    p.x = -10;
    printf("C: manhattan(-10, -4) = %d\n", manhattan(&p));
    return 0;
}
"""


def embedding():
    print("== Embedding: a C program calls Python through a library built "
          "by ccffi")
    sys.stdout.flush()
    builder = cffi.FFI()
    builder.embedding_api("""
        typedef struct { int x, y; } point_t;
        int manhattan(point_t *p);
    """)
    builder.set_source("_ccffi_embed_demo",
                       "typedef struct { int x, y; } point_t;")
    builder.embedding_init_code("""
        import sys
        from _ccffi_embed_demo import ffi
        print("Python %d.%d started inside the C program; this init code "
              "runs once" % sys.version_info[:2], flush=True)

        @ffi.def_extern()
        def manhattan(p):
            return abs(p.x) + abs(p.y)
    """)
    tmpdir = tempfile.mkdtemp(prefix="ccffi-embed-demo-")
    try:
        library = builder.compile(tmpdir=tmpdir, target="libccffi_demo.*")
        print("built", os.path.basename(library), "(exports manhattan(), "
              "links libpython)")
        main_c = os.path.join(tmpdir, "main.c")
        with open(main_c, "w") as f:
            f.write(EMBEDDED_MAIN)
        from cffi import _compiler
        program = os.path.join(tmpdir, "main")
        subprocess.run(_compiler.compiler_command() + [
            main_c, "-o", program, "-L" + tmpdir, "-lccffi_demo",
            "-Wl,-rpath," + tmpdir], check=True)
        print("$", os.path.basename(program), "  (a plain C program)")
        sys.stdout.flush()
        # the Python it starts imports this cffi and _cffi_backend
        import _cffi_backend
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            sorted({os.path.dirname(os.path.dirname(cffi.__file__)),
                    os.path.dirname(_cffi_backend.__file__)})))
        subprocess.run([program], check=True, env=env)
    finally:
        shutil.rmtree(tmpdir)


if __name__ == "__main__":
    print("ccffi %s (CFFI %s compatible)" % (cffi.__ccffi_version__,
                                             cffi.__version__))
    abi_mode()
    api_mode()
    embedding()
