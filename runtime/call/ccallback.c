/* ccallback.c - callbacks: C function pointers that call Python.
 *
 * ffi.callback("int(int)", f) allocates a libffi closure whose code calls
 * ccallback_invoke() with the callback's record.  The record holds the
 * Python callable, the optional onerror handler and the bytes of the
 * `error` value (converted once, when the callback is made).  The
 * callback's cdata (CDataCallback, a CData subtype) owns the record and
 * the closure, and frees both when it dies.
 *
 * ccallback_invoke() may run on any thread, including threads Python never
 * saw (a C library's own pthread).  A thread Python knows takes the GIL
 * with PyGILState_Ensure().  A thread it does not know gets a Python
 * thread state on its first callback, kept for the life of the thread (a
 * pthread key's destructor has it deleted when the thread exits), so later
 * callbacks only take and drop the GIL: creating a thread state per call
 * costs a hundred times more.  errno as the C caller left it is stored into
 * ffi.errno for the Python code, and restored when returning to C.  An
 * exception goes to onerror(exc_type, exc_value, traceback) if given (its
 * non-None result becomes the return value), else it is printed as CFFI
 * prints it ("From cffi callback <function ...>:"), and C receives the
 * error value.
 */
#include <Python.h>
#include "config.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "object/errors.h"
#include "object/cdata.h"
#include "object/cconv.h"
#include "call/ccall_type.h"
#include "call/ccall.h"
#include "call/ccallback.h"

/* The interpreter of the calling thread (PyInterpreterState_Get() is 3.9+;
 * on 3.8 the thread state names it). */
static PyInterpreterState *ccallback_current_interpreter(void)
{
#if PY_VERSION_HEX >= 0x03090000
    return PyInterpreterState_Get();
#else
    return PyThreadState_Get()->interp;
#endif
}

#define CCALLBACK_STACK_ARGS 8

struct ccallback_record {
    ffi_closure *closure;
    void *code;            /* the C function pointer */
    CTypeObject *fnct;     /* owned: the function type (its ccall_info too) */
    ccall_info *info;      /* borrowed: cached on fnct */
    PyObject *callable;
    PyObject *onerror;     /* or NULL */
    char *error_value;     /* result bytes to return on error (result_size) */
    PyInterpreterState *interp;   /* where the callback was made */
};

typedef struct CDataCallbackObject {
    CDataObject head;
    ccallback_record *rec;
} CDataCallbackObject;

/* ------------------------------------------------------------ invocation */

/* The arguments as Python objects; *n of them in `out`. */
static int ccallback_args(ccallback_record *rec, void **args, PyObject **out)
{
    for (Py_ssize_t i = 0; i < rec->info->nargs; i++) {
        out[i] = ccall_to_python(rec->info->argtypes[i], rec->info->argkinds[i],
                                 args[i]);
        if (out[i] == NULL) {
            while (--i >= 0)
                Py_DECREF(out[i]);
            return -1;
        }
    }
    return 0;
}

/* Writes Python value `res` as the C result; small integers are widened to
 * ffi_arg as libffi requires. */
static int ccallback_write_result(ccallback_record *rec, void *ret, PyObject *res)
{
    CTypeObject *ct = rec->info->result;
    if (ct->ct_flags & CT_VOID) {
        if (res == Py_None)
            return 0;
        PyErr_SetString(PyExc_TypeError, "callback with the return type 'void'"
                        " must return None");
        return -1;
    }
    uint32_t fl = ct->ct_flags;
    int widen = (fl & (CT_PRIMITIVE_INTEGER | CT_PRIMITIVE_CHAR | CT_PRIMITIVE_WCHAR))
                && ct->ct_size < (Py_ssize_t)sizeof(ffi_arg);
    if (!widen)
        return cconv_from_python(ct, ret, res);
    union { int8_t i8; uint8_t u8; int16_t i16; uint16_t u16;
            int32_t i32; uint32_t u32; char bytes[8]; } tmp = { 0 };
    if (cconv_from_python(ct, tmp.bytes, res) < 0)
        return -1;
    int is_signed = (fl & CT_PRIMITIVE_SIGNED) != 0;
    ffi_arg wide;
    switch (ct->ct_size) {
    case 1: wide = is_signed ? (ffi_arg)(int64_t)tmp.i8 : tmp.u8; break;
    case 2: wide = is_signed ? (ffi_arg)(int64_t)tmp.i16 : tmp.u16; break;
    default: wide = is_signed ? (ffi_arg)(int64_t)tmp.i32 : tmp.u32; break;
    }
    *(ffi_arg *)ret = wide;
    return 0;
}

/* Prints the current exception as CFFI does, naming the callable. */
static void ccallback_print_error(ccallback_record *rec, const char *extra)
{
    PyObject *callable = rec->callable ? rec->callable : Py_None;
#if PY_VERSION_HEX >= 0x030D0000
    PyErr_FormatUnraisable("Exception ignored from cffi callback %R%s",
                           callable, extra);
#else
    PyObject *msg = PyUnicode_FromFormat("from cffi callback %R%s",
                                         callable, extra);
    if (msg == NULL) {
        PyErr_WriteUnraisable(callable);
        return;
    }
    const char *s = PyUnicode_AsUTF8(msg);
    if (s == NULL) {
        PyErr_Clear();
        PyErr_WriteUnraisable(callable);
    } else {
        _PyErr_WriteUnraisableMsg(s, NULL);
    }
    Py_DECREF(msg);
#endif
}

/* Copies the error value into the result. */
static void ccallback_write_error(ccallback_record *rec, void *ret)
{
    memcpy(ret, rec->error_value, rec->info->result_size);
}

/* An exception is set: onerror or the printed report; sets the result. */
static void ccallback_handle_error(ccallback_record *rec, void *ret,
                                   const char *extra)
{
    ccallback_write_error(rec, ret);
    if (rec->onerror == NULL) {
        ccallback_print_error(rec, extra);
        return;
    }
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb == NULL) {
        tb = Py_None;
        Py_INCREF(tb);
    }
    PyObject *res = PyObject_CallFunctionObjArgs(rec->onerror, type,
                                                 value ? value : Py_None, tb, NULL);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    if (res != NULL && res != Py_None && ccallback_write_result(rec, ret, res) < 0) {
        ccallback_write_error(rec, ret);
        Py_CLEAR(res);
    }
    if (res == NULL)
        ccallback_print_error(rec, ", trying to convert the result back to C");
    Py_XDECREF(res);
}

/* Calls the Python callable with the C arguments; writes the result. */
static void ccallback_call_python(ccallback_record *rec, void *ret, void **args)
{
    PyObject *stack[CCALLBACK_STACK_ARGS];
    PyObject **pyargs = stack;
    Py_ssize_t n = rec->info->nargs;
    if (n > CCALLBACK_STACK_ARGS && (pyargs = PyMem_Malloc(n * sizeof(PyObject *))) == NULL) {
        PyErr_NoMemory();
        ccallback_handle_error(rec, ret, "");
        return;
    }
    PyObject *res = NULL;
    if (rec->callable == NULL)
        PyErr_SetString(PyExc_RuntimeError, "callback called after it was cleared");
    else if (ccallback_args(rec, args, pyargs) == 0) {
        res = PyObject_Vectorcall(rec->callable, pyargs, (size_t)n, NULL);
        for (Py_ssize_t i = 0; i < n; i++)
            Py_DECREF(pyargs[i]);
    }
    if (pyargs != stack)
        PyMem_Free(pyargs);
    if (res == NULL) {
        ccallback_handle_error(rec, ret, "");
        return;
    }
    if (ccallback_write_result(rec, ret, res) < 0)
        ccallback_handle_error(rec, ret, ", trying to convert the result back to C");
    Py_DECREF(res);
}

/* Whether the interpreter is finalizing or gone: a C thread calling back
 * then must not take the GIL (it would hang or crash). */
static int ccallback_python_gone(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return !Py_IsInitialized() || Py_IsFinalizing();
#else
    return !Py_IsInitialized() || _Py_IsFinalizing();
#endif
}

/* ------------------------------------------- threads Python did not create */

/* The thread state ccallback made for this thread, if any.  `epoch` is the
 * value of ccallback_epoch when it was made: Py_Finalize() frees every
 * thread state, and bumps the epoch (ccallback_python_finalized), so a
 * state from an earlier epoch is a dangling pointer, never touched. */
typedef struct ccallback_thread {
    PyThreadState *ts;
    unsigned long epoch;
} ccallback_thread;

static _Thread_local ccallback_thread ccallback_this_thread
    __attribute__((tls_model("initial-exec")));
static atomic_ulong ccallback_epoch;
/* A pthread key whose value, set once per adopted thread, is &its
 * ccallback_this_thread: its destructor runs when the thread exits. */
static pthread_key_t ccallback_exit_key;
static int ccallback_exit_key_ok;     /* key made and the epoch hook set */
static int ccallback_atexit_set;      /* until the next Py_Finalize() */
static atomic_int ccallback_subinterp_warned;

/* Py_AtExit hook: every thread state Python made is gone. */
static void ccallback_python_finalized(void)
{
    atomic_fetch_add_explicit(&ccallback_epoch, 1, memory_order_relaxed);
    ccallback_atexit_set = 0;
}

static unsigned long ccallback_current_epoch(void)
{
    return atomic_load_explicit(&ccallback_epoch, memory_order_relaxed);
}

/* The thread state this thread runs Python with now, or NULL. */
static inline PyThreadState *ccallback_attached_tstate(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return PyThreadState_GetUnchecked();
#else
    return _PyThreadState_UncheckedGet();
#endif
}

/* Whether this thread runs Py_Finalize(): from the moment Python is
 * finalizing it deletes every other thread state, so its own is the only
 * one left.  That thread still runs Python (ffi.gc destructors and __del__
 * of the garbage collected at exit, which may call C that calls back, as
 * CFFI lets them); any other thread must not touch its deleted state.
 * Compares pointers only: the other threads' states may be freed. */
static int ccallback_is_finalizing_thread(void)
{
    PyThreadState *mine = PyGILState_GetThisThreadState();
    PyInterpreterState *main_interp = PyInterpreterState_Main();
    if (mine == NULL || main_interp == NULL)
        return 0;
    PyThreadState *head = PyInterpreterState_ThreadHead(main_interp);
    return head == mine && PyThreadState_Next(head) == NULL;
}

/* Whether a callback must not call Python: the interpreter is finalizing
 * or gone, and this thread is not the one finalizing it. */
static int ccallback_cannot_call_python(void)
{
    return ccallback_python_gone() && !ccallback_is_finalizing_thread();
}

/* The state of an adopted thread that exited is deleted under the GIL.
 * From 3.11 on the exiting thread does not wait for the GIL to do it: with
 * other threads calling back, that wait is one more hand-off of the GIL per
 * thread (about 10% of the bench's 8-thread row, 8 threads x 500
 * callbacks).  It leaves the state on a list instead, and asks the main
 * thread to delete it (Py_AddPendingCall: in 3.11+ every call checks for
 * pending calls when it returns, so a thread joined by a C call is released
 * when that call returns); the next thread adopted also empties the list.
 * CFFI does the same with its "zombie" thread states.  Before 3.11 (3.8's
 * Py_AddPendingCall may crash in a thread without a state while Python
 * exits; 3.9 and 3.10 may run it later) the exiting thread deletes it. */
#if PY_VERSION_HEX >= 0x030B0000
#define CCALLBACK_DEFER_EXIT 1
#else
#define CCALLBACK_DEFER_EXIT 0
#endif

typedef struct ccallback_exited {
    struct ccallback_exited *next;
    PyThreadState *ts;
    unsigned long epoch;
} ccallback_exited;
static _Atomic(ccallback_exited *) ccallback_exited_list;
static atomic_int ccallback_exited_requested;   /* a pending call is queued */

/* GIL held: clears and deletes the states of exited threads (those of the
 * current epoch: the others were freed by a Py_Finalize()).  While Python
 * finalizes, the states are Py_Finalize()'s. */
static void ccallback_delete_exited(void)
{
    if (atomic_load_explicit(&ccallback_exited_list, memory_order_relaxed) == NULL
        || ccallback_python_gone())
        return;
    ccallback_exited *e = atomic_exchange_explicit(&ccallback_exited_list, NULL,
                                                   memory_order_acquire);
    unsigned long epoch = ccallback_current_epoch();
    while (e != NULL) {
        ccallback_exited *next = e->next;
        if (e->epoch == epoch) {
            PyThreadState_Clear(e->ts);
#if PY_VERSION_HEX >= 0x030C0000
            /* Deleting a state bound to the GIL-state API unbinds the
             * deleting thread's own (3.12+): it is no one's any more */
            e->ts->_status.bound_gilstate = 0;
#endif
            PyThreadState_Delete(e->ts);
        }
        free(e);
        e = next;
    }
}

static int ccallback_delete_exited_pending(void *arg)
{
    (void)arg;
    atomic_store(&ccallback_exited_requested, 0);
    ccallback_delete_exited();
    return 0;
}

/* The key's destructor, in an exiting thread that ccallback adopted (no
 * GIL).  When Python is finalizing or was finalized since, the state
 * belongs to Py_Finalize(). */
static void ccallback_thread_exit(void *p)
{
    ccallback_thread *me = p;
    PyThreadState *ts = me->ts;
    me->ts = NULL;
    if (ts == NULL || me->epoch != ccallback_current_epoch()
        || ccallback_python_gone())
        return;
    ccallback_exited *e = CCALLBACK_DEFER_EXIT ? malloc(sizeof *e) : NULL;
    if (e == NULL) {
        PyEval_RestoreThread(ts);
        PyThreadState_Clear(ts);
        PyThreadState_DeleteCurrent();    /* and releases the GIL */
        return;
    }
    e->ts = ts;
    e->epoch = me->epoch;
    /* the request first: once listed, the state may be deleted by another
     * thread at any time (and 3.11's Py_AddPendingCall reads it).  One
     * request at a time; if the queue is full, or the request runs before
     * the state is listed, the next request or adoption deletes it. */
    if (atomic_exchange(&ccallback_exited_requested, 1) == 0
        && Py_AddPendingCall(ccallback_delete_exited_pending, NULL) != 0)
        atomic_store(&ccallback_exited_requested, 0);
    ccallback_exited *head = atomic_load_explicit(&ccallback_exited_list,
                                                  memory_order_relaxed);
    do
        e->next = head;
    while (!atomic_compare_exchange_weak_explicit(&ccallback_exited_list, &head, e,
                                                  memory_order_release,
                                                  memory_order_relaxed));
}

static void ccallback_exit_key_create(void)
{
    ccallback_exit_key_ok = pthread_key_create(&ccallback_exit_key,
                                               ccallback_thread_exit) == 0;
}

/* Takes the GIL in a thread without a Python thread state, creating one
 * (PyGILState_Ensure) and keeping it for the life of the thread.  Returns
 * 1 when kept, 0 when it could not be kept: the caller then releases it
 * with PyGILState_Release(PyGILState_UNLOCKED) after the call. */
static int ccallback_adopt_thread(ccallback_thread *me)
{
    PyGILState_Ensure();
    ccallback_delete_exited();
    if (!ccallback_exit_key_ok || !ccallback_atexit_set)
        return 0;
    me->ts = PyThreadState_Get();
    me->epoch = ccallback_current_epoch();
    if (pthread_setspecific(ccallback_exit_key, me) != 0) {
        me->ts = NULL;
        return 0;
    }
    return 1;
}

/* A callback made in a subinterpreter, called from a thread Python did not
 * create: which interpreter should run it is unknowable (the GIL-state API
 * only knows the main one), so it is refused: C receives the error value,
 * and the first refusal is explained on stderr. */
static int ccallback_refuse_subinterpreter(ccallback_record *rec, void *ret)
{
    if (rec->interp == NULL || rec->interp == PyInterpreterState_Main())
        return 0;
    ccallback_write_error(rec, ret);
    if (atomic_exchange(&ccallback_subinterp_warned, 1) == 0)
        fprintf(stderr, "ccffi: a callback made in a subinterpreter was called "
                "from a thread Python did not create; this is not supported: "
                "the callback returns its error value\n");
    return 1;
}

/* A callback in a thread Python did not create; errno already saved. */
static void ccallback_dispatch_foreign(ccallback_record *rec, void *ret,
                                       void **args, ccallback_thread *me)
{
    if (ccallback_refuse_subinterpreter(rec, ret))
        return;
    if (me->ts != NULL) {                     /* adopted earlier */
        if (ccallback_attached_tstate() == me->ts) {
            ccallback_call_python(rec, ret, args);  /* nested, GIL held */
            return;
        }
        PyEval_RestoreThread(me->ts);
        ccallback_call_python(rec, ret, args);
        PyEval_SaveThread();
        return;
    }
    int kept = ccallback_adopt_thread(me);
    ccallback_call_python(rec, ret, args);
    if (kept)
        PyEval_SaveThread();
    else
        PyGILState_Release(PyGILState_UNLOCKED);
}

void ccallback_dispatch(ccallback_record *rec, void *ret, void **args)
{
    if (ccallback_cannot_call_python()) {
        ccallback_write_error(rec, ret);   /* no Python to call any more */
        return;
    }
    cconv_errno_save();
    ccallback_thread *me = &ccallback_this_thread;
    if (me->ts != NULL && me->epoch != ccallback_current_epoch())
        me->ts = NULL;          /* made before a Py_Finalize(): freed */
    if (me->ts != NULL || PyGILState_GetThisThreadState() == NULL) {
        ccallback_dispatch_foreign(rec, ret, args, me);
    } else {
        PyGILState_STATE st = PyGILState_Ensure();
        ccallback_call_python(rec, ret, args);
        PyGILState_Release(st);
    }
    cconv_errno_restore();
}

/* The closure's entry point: any thread, GIL not held. */
static void ccallback_invoke(ffi_cif *cif, void *ret, void **args, void *data)
{
    (void)cif;
    ccallback_dispatch(data, ret, args);
}

/* ------------------------------------------------------------ creation */

void ccallback_record_free(ccallback_record *rec)
{
    if (rec == NULL)
        return;
    if (rec->closure != NULL)
        ffi_closure_free(rec->closure);
    Py_XDECREF(rec->fnct);
    Py_XDECREF(rec->callable);
    Py_XDECREF(rec->onerror);
    PyMem_Free(rec->error_value);
    PyMem_Free(rec);
}

/* The error value's bytes, widened like a result. */
static int ccallback_set_error(ccallback_record *rec, PyObject *error)
{
    rec->error_value = PyMem_Calloc(1, rec->info->result_size);
    if (rec->error_value == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (error == Py_None)
        return 0;
    return ccallback_write_result(rec, rec->error_value, error);
}

ccallback_record *ccallback_record_new(CTypeObject *fnct, PyObject *callable,
                                       PyObject *error, PyObject *onerror)
{
    ccallback_record *rec = PyMem_Calloc(1, sizeof *rec);
    if (rec == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    Py_INCREF(fnct);
    rec->fnct = fnct;
    rec->callable = callable;
    Py_INCREF(callable);
    if (onerror != Py_None) {
        rec->onerror = onerror;
        Py_INCREF(onerror);
    }
    rec->interp = ccallback_current_interpreter();
    rec->info = ccall_info_get(fnct);
    if (rec->info == NULL || ccallback_set_error(rec, error) < 0) {
        ccallback_record_free(rec);
        return NULL;
    }
    return rec;
}

/* Gives the record a libffi closure: rec->code becomes a C function
 * pointer that calls the Python callable.  0, or -1 with an exception. */
static int ccallback_record_arm(ccallback_record *rec)
{
    rec->closure = ffi_closure_alloc(sizeof(ffi_closure), &rec->code);
    if (rec->closure == NULL) {
        PyErr_SetString(PyExc_MemoryError, "cannot allocate a libffi closure");
        return -1;
    }
    if (ffi_prep_closure_loc(rec->closure, &rec->info->cif, ccallback_invoke,
                             rec, rec->code) != FFI_OK) {
        PyErr_SetString(PyExc_SystemError, "libffi refused to prepare a closure");
        return -1;
    }
    return 0;
}

int ccallback_check(CTypeObject *ct, PyObject *callable, PyObject *onerror)
{
    if (!(ct->ct_flags & CT_FUNCTIONPTR)) {
        PyErr_Format(PyExc_TypeError, "expected a function ctype, got '%s'",
                     ct->ct_name);
        return -1;
    }
    if (ct->ct_flags & CT_VARIADIC) {
        PyErr_Format(PyExc_NotImplementedError, "%s: callback with unsupported "
                     "argument or return type or with '...'", ct->ct_name);
        return -1;
    }
    if (!PyCallable_Check(callable)) {
        PyErr_SetString(PyExc_TypeError,
                        "the 'python_callable' argument is not callable");
        return -1;
    }
    if (onerror != Py_None && !PyCallable_Check(onerror)) {
        PyErr_SetString(PyExc_TypeError, "the 'onerror' argument is not callable");
        return -1;
    }
    return 0;
}

PyObject *ccallback_new(CTypeObject *ct, PyObject *callable,
                               PyObject *error, PyObject *onerror)
{
    if (ccallback_check(ct, callable, onerror) < 0)
        return NULL;
    /* a record CFFI does not describe to libffi (a union, bitfields...):
     * ffi.callback() refuses it as CFFI; extern "Python" takes it */
    if ((ct->ct_flags & CT_FUNCTIONPTR) && ccall_libffi_check(ct) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_NotImplementedError, "%s: callback with unsupported "
                     "argument or return type or with '...'", ct->ct_name);
        return NULL;
    }
    ccallback_record *rec = ccallback_record_new(ct, callable, error, onerror);
    if (rec == NULL)
        return NULL;
    if (ccallback_record_arm(rec) < 0) {
        ccallback_record_free(rec);
        return NULL;
    }
    CDataCallbackObject *cb = (CDataCallbackObject *)
        CDataCallback_Type.tp_alloc(&CDataCallback_Type, 0);
    if (cb == NULL) {
        ccallback_record_free(rec);
        return NULL;
    }
    Py_INCREF(ct);
    cb->head.c_type = ct;
    cb->head.c_data = rec->code;
    cb->rec = rec;
    return (PyObject *)cb;
}

/* ------------------------------------------------------------ the type */

static PyObject *ccallback_repr(CDataCallbackObject *self)
{
    return PyUnicode_FromFormat("<cdata '%s' calling %R>",
                                self->head.c_type->ct_name,
                                self->rec->callable ? self->rec->callable : Py_None);
}

static int ccallback_traverse(CDataCallbackObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->head.c_type);
    if (self->rec != NULL) {
        Py_VISIT(self->rec->fnct);
        Py_VISIT(self->rec->callable);
        Py_VISIT(self->rec->onerror);
    }
    return 0;
}

static int ccallback_clear(CDataCallbackObject *self)
{
    if (self->rec != NULL) {
        Py_CLEAR(self->rec->callable);
        Py_CLEAR(self->rec->onerror);
    }
    return 0;
}

static void ccallback_dealloc(CDataCallbackObject *self)
{
    PyObject_GC_UnTrack(self);
    if (self->head.c_weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    ccallback_record_free(self->rec);
    Py_XDECREF(self->head.c_type);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

PyTypeObject CDataCallback_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.__CDataOwnGC",   /* CFFI's name for it */
    .tp_basicsize = sizeof(CDataCallbackObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "A C function pointer calling a Python callable (ffi.callback).",
    .tp_dealloc = (destructor)ccallback_dealloc,
    .tp_free = PyObject_GC_Del,
    .tp_repr = (reprfunc)ccallback_repr,
    .tp_traverse = (traverseproc)ccallback_traverse,
    .tp_clear = (inquiry)ccallback_clear,
};

/* ------------------------------------------------------------ ffi.callback */

/* The decorator returned by ffi.callback(cdecl): self is (ct, error, onerror). */
static PyObject *ccallback_decorate(PyObject *self, PyObject *callable)
{
    CTypeObject *ct = (CTypeObject *)PyTuple_GET_ITEM(self, 0);
    return ccallback_new(ct, callable, PyTuple_GET_ITEM(self, 1),
                         PyTuple_GET_ITEM(self, 2));
}

static PyMethodDef ccallback_decorator_def = {
    "callback_decorator", ccallback_decorate, METH_O,
    "Turns the decorated Python function into a C callback.",
};

PyObject *ccallback_decorator(CTypeObject *ct, PyObject *error,
                              PyObject *onerror)
{
    PyObject *state = PyTuple_Pack(3, (PyObject *)ct, error, onerror);
    PyObject *res = state ? PyCFunction_New(&ccallback_decorator_def, state) : NULL;
    Py_XDECREF(state);
    return res;
}

int ccallback_init_module(PyObject *m)
{
    (void)m;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, ccallback_exit_key_create);
    if (!ccallback_atexit_set && Py_AtExit(ccallback_python_finalized) == 0)
        ccallback_atexit_set = 1;
    CDataCallback_Type.tp_base = &CData_Type;
    /* set, not inherited: inheriting tp_call would take CData_Type's
     * vectorcall offset too, a slot this layout does not have */
    CDataCallback_Type.tp_call = CData_Type.tp_call;
    return PyType_Ready(&CDataCallback_Type);
}
