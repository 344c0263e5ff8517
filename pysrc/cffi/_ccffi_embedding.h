/* _ccffi_embedding.h - starting Python from a library built by ccffi with
 * ffi.embedding_api() (cffi/_embedding.py copies this file into the
 * generated C file, before the user's source).
 *
 * A C program calls a function the library exports; that function is an
 * extern "Python" function, whose body calls _ccffi_call_python().  The
 * first such call (or cffi_start_python()) comes here:
 *
 *   1. Python is initialised if it is not running yet (Py_InitializeEx(0):
 *      no signal handlers; sys.path from PYTHONPATH/PYTHONHOME as for any
 *      embedded interpreter), or the call attaches to the interpreter of
 *      the process that loaded the library.  Several libraries may do this
 *      at once from several threads, and only one may call
 *      Py_InitializeEx(): they serialise on a word of libpython's own data
 *      (see _ccffi_embed_python_running()), which CFFI-built libraries use for
 *      the same purpose, so both kinds can share a process;
 *   2. the library's module is created by calling its PyInit function
 *      directly (the file need not be on sys.path) and put in sys.modules,
 *      unless Python imported it already (CFFI's documented way of testing
 *      such a library: import it, call lib.f()): that module then serves;
 *   3. the init code runs, once, in a fresh namespace holding __builtins__.
 *
 * Until that is over, any other thread calling into this library waits on
 * a mutex; a call made by the init code itself (recursively, on the same
 * thread) goes through.  If step 2 or 3 raises, the exception and what
 * helps to find the cause (module, _cffi_backend, sys.path) are printed to
 * sys.stderr, and every call returns 0 from then on.
 *
 * Expects before it: Python.h, _CCFFI_EMBED_MODULE (the dotted name),
 * _CCFFI_EMBED_VERSION, _CCFFI_EMBED_INIT_FUNC (the PyInit function,
 * declared) and the NUL-terminated init code _ccffi_embed_code[]; after
 * it, the definition of _ccffi_embed_imported().
 */
#ifdef Py_LIMITED_API
#  error "an embedding library starts Python (Py_InitializeEx, PyCapsule_Type): it cannot be built for the stable ABI; build it without Py_LIMITED_API (py_limited_api=False)"
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>

#ifdef __cplusplus
extern "C" {
#endif

/* what marks a definition that the library exports (documented by CFFI) */
#ifndef CFFI_DLLEXPORT
#  if defined(_WIN32)
#    define CFFI_DLLEXPORT __declspec(dllexport)
#  elif defined(__GNUC__)
#    define CFFI_DLLEXPORT __attribute__((visibility("default")))
#  else
#    define CFFI_DLLEXPORT
#  endif
#endif

/* _ccffi_embed_state: where this library's start-up is. */
#define _CCFFI_EMBED_NEW     0
#define _CCFFI_EMBED_RUNNING 1     /* the init code runs (owner thread) */
#define _CCFFI_EMBED_DONE    2
#define _CCFFI_EMBED_FAILED  3

static int _ccffi_embed_state;     /* read and written atomically */
/* true once the module's PyInit ran in this process (its hook is set) */
static int _ccffi_embed_imported(void);
static pthread_t _ccffi_embed_owner;
static pthread_mutex_t _ccffi_embed_mutex = PTHREAD_MUTEX_INITIALIZER;

/* True once the init code has run: the fast path of every call. */
static int _ccffi_embed_ready(void)
{
    return __atomic_load_n(&_ccffi_embed_state, __ATOMIC_ACQUIRE)
        == _CCFFI_EMBED_DONE;
}

/* ------------------------------------------ one Py_InitializeEx() per process
 *
 * The lock word must be shared by every library in the process, including
 * those loaded with RTLD_LOCAL, so it cannot be a symbol of ours: it is a
 * field of PyCapsule_Type in libpython, the one CFFI's libraries use
 * (tp_version_tag before 3.12, tp_as_buffer from 3.12 on, where version
 * tags are assigned at start-up).  Taking it swaps the field's value for a
 * lock mark (-42; from 3.12 any pointer, to a buffer interface without
 * functions, which means what NULL means) and giving it back restores that
 * value, only if the mark is still there.
 *
 * Before 3.12 a running Python may itself give PyCapsule_Type a version tag
 * (an attribute lookup on a capsule does), and keeps it: a value that is
 * not a lock mark.  So a running Python is recognised without taking the
 * lock, unless the word holds a mark (someone is initialising Python: its
 * end is waited for), and a value of Python's own is never overwritten by
 * giving the lock back. */
#if PY_VERSION_HEX < 0x030C0000
typedef unsigned int _ccffi_embed_word;
#  define _CCFFI_EMBED_WORD (&PyCapsule_Type.tp_version_tag)
#  define _CCFFI_EMBED_MARK ((unsigned int)-42)
#  define _CCFFI_EMBED_IS_MARK(v) ((v) == _CCFFI_EMBED_MARK)
#else
typedef PyBufferProcs *_ccffi_embed_word;
static struct { PyBufferProcs procs; int mark; } _ccffi_embed_nobuffer = {
    { NULL, NULL }, -42 };
#  define _CCFFI_EMBED_WORD (&PyCapsule_Type.tp_as_buffer)
#  define _CCFFI_EMBED_MARK (&_ccffi_embed_nobuffer.procs)
#  define _CCFFI_EMBED_IS_MARK(v) ((v) != NULL)
#endif

/* Python running, its GIL released by this thread (held by nobody new). */
static void _ccffi_embed_python_running(void)
{
    for (;;) {
        _ccffi_embed_word seen = __atomic_load_n(_CCFFI_EMBED_WORD,
                                                 __ATOMIC_ACQUIRE);
        if (!_CCFFI_EMBED_IS_MARK(seen)) {
            _ccffi_embed_word mark = _CCFFI_EMBED_MARK, taken = seen;
            if (Py_IsInitialized())
                return;
            if (__atomic_compare_exchange_n(_CCFFI_EMBED_WORD, &taken, mark, 0,
                                            __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
                if (!Py_IsInitialized()) {
                    Py_InitializeEx(0);
                    (void)PyEval_SaveThread();   /* the GIL is taken per call */
                }
                (void)__atomic_compare_exchange_n(_CCFFI_EMBED_WORD, &mark,
                                                  seen, 0, __ATOMIC_RELEASE,
                                                  __ATOMIC_RELAXED);
                return;
            }
        }
        sched_yield();      /* another library is initialising Python */
    }
}

/* ------------------------------------------------------------- init code */

/* Prints the pending exception of a failed start-up and where to look
 * (GIL held). */
static void _ccffi_embed_report(void)
{
    PyObject *type, *value, *tb, *f, *mod, *file;
    PyErr_Fetch(&type, &value, &tb);
    f = PySys_GetObject("stderr");              /* borrowed */
    if (f != NULL && f != Py_None)
        PyFile_WriteString("Failed to initialize the Python-CFFI embedding "
                           "logic:\n\n", f);
    if (type != NULL) {
        PyErr_NormalizeException(&type, &value, &tb);
        PyErr_Display(type, value, tb);   /* unlike PyErr_Print: no exit() */
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    if (f == NULL || f == Py_None)
        return;
    PyFile_WriteString("\nFrom: " _CCFFI_EMBED_MODULE
                       "\ncompiled with cffi version: " _CCFFI_EMBED_VERSION
                       "\n_cffi_backend module: ", f);
    mod = PyDict_GetItemString(PyImport_GetModuleDict(), "_cffi_backend");
    file = mod ? PyObject_GetAttrString(mod, "__file__") : NULL;
    if (file != NULL)
        PyFile_WriteObject(file, f, 0);
    else
        PyFile_WriteString(mod ? "(no __file__)" : "not loaded", f);
    Py_XDECREF(file);
    PyErr_Clear();
    PyFile_WriteString("\nsys.path: ", f);
    PyFile_WriteObject(PySys_GetObject("path"), f, 0);
    PyFile_WriteString("\n\n", f);
    PyErr_Clear();
}

/* Creates the module, puts it in sys.modules and runs the init code.
 * 0, or -1 after printing why. */
static int _ccffi_embed_initialize(void)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *module, *code = NULL, *globals = NULL, *result = NULL;
    int rc = -1;

    module = PyDict_GetItemString(PyImport_GetModuleDict(),   /* borrowed */
                                  _CCFFI_EMBED_MODULE);
    if (module != NULL && _ccffi_embed_imported())
        Py_INCREF(module);        /* imported by Python: the same module */
    else
        module = _CCFFI_EMBED_INIT_FUNC();
    if (module == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_SystemError, "the module's init function "
                            "returned NULL without an exception");
        goto done;
    }
    if (PyDict_SetItemString(PyImport_GetModuleDict(), _CCFFI_EMBED_MODULE,
                             module) < 0)
        goto done;
    code = Py_CompileString(_ccffi_embed_code, "<init code for '"
                            _CCFFI_EMBED_MODULE "'>", Py_file_input);
    if (code == NULL)
        goto done;
    globals = PyDict_New();
    if (globals == NULL
        || PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) < 0)
        goto done;
    result = PyEval_EvalCode(code, globals, globals);
    if (result != NULL)
        rc = 0;
done:
    if (rc < 0)
        _ccffi_embed_report();
    Py_XDECREF(result);
    Py_XDECREF(globals);
    Py_XDECREF(code);
    Py_XDECREF(module);
    PyGILState_Release(gil);
    return rc;
}

/* Makes sure Python runs and this library's init code has run (or is
 * running on this very thread).  0, or -1 if the start-up failed.  errno
 * is kept, as around any call of an extern "Python" function. */
__attribute__((noinline)) static int _ccffi_embed_start(void)
{
    int state = __atomic_load_n(&_ccffi_embed_state, __ATOMIC_ACQUIRE);
    int saved_errno = errno;

    if (state == _CCFFI_EMBED_DONE)
        return 0;
    if (state == _CCFFI_EMBED_RUNNING
        && pthread_equal(_ccffi_embed_owner, pthread_self()))
        return 0;               /* called by the init code */
    /* The library's own threads queue here first: only one of them ever
     * reaches the process-wide word.  (Before 3.12, Python may give
     * PyCapsule_Type a version tag while it initialises, replacing the lock
     * mark: a second thread of ours seeing no mark and no Python yet would
     * start Python a second time.) */
    pthread_mutex_lock(&_ccffi_embed_mutex);
    state = __atomic_load_n(&_ccffi_embed_state, __ATOMIC_ACQUIRE);
    if (state == _CCFFI_EMBED_NEW) {
        _ccffi_embed_python_running();
        _ccffi_embed_owner = pthread_self();
        __atomic_store_n(&_ccffi_embed_state, _CCFFI_EMBED_RUNNING,
                         __ATOMIC_RELEASE);
        state = _ccffi_embed_initialize() == 0 ? _CCFFI_EMBED_DONE
                                               : _CCFFI_EMBED_FAILED;
        __atomic_store_n(&_ccffi_embed_state, state, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&_ccffi_embed_mutex);
    errno = saved_errno;
    return state == _CCFFI_EMBED_DONE ? 0 : -1;
}

/* CFFI's documented entry point: starts Python and runs the init code now,
 * from C code of set_source() (it is static, as CFFI's).  0 or -1. */
__attribute__((unused)) static int cffi_start_python(void)
{
    return _ccffi_embed_ready() ? 0 : _ccffi_embed_start();
}

#ifdef __cplusplus
}
#endif
/* ---------------- end of the embedding support ---------------- */
