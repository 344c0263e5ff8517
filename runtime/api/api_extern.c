/* api_extern.c - extern "Python" functions of compiled modules.
 *
 * The generated C bodies call api_extern_call() through the hook struct;
 * @ffi.def_extern() attaches a callback record (ccallback.h) to the slot.
 * Once a module is built its state is never freed: C code may call an
 * extern "Python" function at any time, and extension modules are never
 * unloaded.
 */
#include <Python.h>
#include <stdio.h>
#include "config.h"
#include <string.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "object/ctype_obj.h"
#include "object/cdata.h"
#include "object/cconv.h"
#include "call/ccall.h"
#include "call/ccallback.h"
#include "api/api_module.h"
#include "api/api_state.h"

/* ------------------------------------------------------ extern "Python" */

/* The hook the generated extern "Python" bodies call (any thread, GIL not
 * held); `result` is zeroed and has room for an ffi_arg. */
void api_extern_call(void *state_ptr, unsigned slot, void **args,
                     void *result)
{
    api_state *st = state_ptr;
    ccallback_record *rec = st->externs[slot];
    if (rec != NULL) {
        ccallback_dispatch(rec, result, args);
        return;
    }
    /* C called it before Python attached anything: the result stays 0,
     * and CFFI's message goes to the C stderr, as there */
    fprintf(stderr, "extern \"Python\": function %.200s() called, but no "
            "code was attached to it yet with @ffi.def_extern().  "
            "Returning 0.\n", st->extern_names[slot]);
    fflush(stderr);
}

/* ------------------------------------------------------------ def_extern */

/* The extern "Python" slot named `name` in ffi's table, or -1 with ffi.error. */
static Py_ssize_t api_extern_slot(FFIObject *ffi, const api_state *st,
                                  const char *name)
{
    const cc_table *t = &ffi->table;
    uint32_t ref;
    if (cc_table_lookup(t, CC_NS_ORDINARY, name, strlen(name), &ref) == 1
        && !(ref & CC_REF_ENUMERATOR)
        && t->decls[ref].kind == CCT_DECL_EXTERN_PYTHON)
        return api_check_slot(st, t, &t->decls[ref]) < 0
               ? -1 : (Py_ssize_t)t->decls[ref].slot;
    PyErr_Format(ccm_error, "ffi.def_extern('%s'): no 'extern \"Python\"' "
                 "function with this name", name);
    return -1;
}

/* Attaches `callable` to the extern "Python" function `name`. */
static int api_attach(FFIObject *ffi, api_state *st, const char *name,
                      PyObject *callable, PyObject *error, PyObject *onerror)
{
    Py_ssize_t slot = api_extern_slot(ffi, st, name);
    if (slot < 0)
        return -1;
    uint32_t ref;
    cc_table_lookup(&ffi->table, CC_NS_ORDINARY, name, strlen(name), &ref);
    CTypeObject *fnct = ffi_realize_type(ffi, ffi->table.decls[ref].type);
    if (fnct == NULL)
        return -1;
    ccallback_record *rec = NULL;
    if (ccallback_check(fnct, callable, onerror) == 0)
        rec = ccallback_record_new(fnct, callable, error, onerror);
    Py_DECREF(fnct);  /* the record holds the function type */
    if (rec == NULL)
        return -1;
    ccallback_record **grown = PyMem_Realloc(
        st->attached, (size_t)(st->nattached + 1) * sizeof *grown);
    if (grown == NULL) {
        ccallback_record_free(rec);
        PyErr_NoMemory();
        return -1;
    }
    st->attached = grown;
    st->attached[st->nattached++] = rec;
    st->externs[slot] = rec;
    return 0;
}

/* The decorator returned by ffi.def_extern(name, error, onerror). */
static PyObject *api_def_extern_decorate(PyObject *closure, PyObject *func)
{
    PyObject *ffi = PyTuple_GET_ITEM(closure, 0);
    PyObject *name = PyTuple_GET_ITEM(closure, 1);
    PyObject *error = PyTuple_GET_ITEM(closure, 2);
    PyObject *onerror = PyTuple_GET_ITEM(closure, 3);
    PyObject *state = PyTuple_GET_ITEM(closure, 4);
    PyObject *fname = NULL;
    /* as CFFI, the arguments are checked here, when decorating: the name
     * (the function's own by default), then the callables */
    if (name == Py_None) {
        fname = PyObject_GetAttrString(func, "__name__");
        if (fname == NULL)
            return NULL;
        name = fname;
    }
    const char *s = NULL;
    if (!PyUnicode_Check(name))
        PyErr_Format(PyExc_TypeError, "def_extern(): the name must be a str, "
                     "not %.200s", Py_TYPE(name)->tp_name);
    else
        s = PyUnicode_AsUTF8(name);
    if (s != NULL && !PyCallable_Check(func)) {
        PyErr_Format(PyExc_TypeError, "expected a callable object, not %.200s",
                     Py_TYPE(func)->tp_name);
        s = NULL;
    }
    if (s != NULL && onerror != Py_None && !PyCallable_Check(onerror)) {
        PyErr_Format(PyExc_TypeError, "def_extern(): 'onerror' must be "
                     "callable or None, not %.200s", Py_TYPE(onerror)->tp_name);
        s = NULL;
    }
    int rc = s ? api_attach((FFIObject *)ffi, PyCapsule_GetPointer(state, NULL),
                            s, func, error, onerror)
               : -1;
    Py_XDECREF(fname);
    if (rc < 0)
        return NULL;
    Py_INCREF(func);
    return func;
}

static PyMethodDef api_decorate_def = {
    "def_extern_decorator", (PyCFunction)api_def_extern_decorate, METH_O, NULL,
};

/* ffi.def_extern(name=None, error=None, onerror=None): a decorator. */
PyObject *api_def_extern(struct FFIObject *ffi, PyObject *name, PyObject *error,
                         PyObject *onerror)
{
    if (ffi->api_state == NULL)
        return PyErr_Format(PyExc_TypeError, "def_extern() is only available on "
                            "the 'ffi' of a compiled API-mode module");
    PyObject *closure = PyTuple_Pack(5, (PyObject *)ffi, name, error, onerror,
                                     ffi->api_state);
    if (closure == NULL)
        return NULL;
    PyObject *decorator = PyCFunction_New(&api_decorate_def, closure);
    Py_DECREF(closure);
    return decorator;
}

