/* api_init.c - importing an API-mode module (see api_module.h).
 *
 * _ccffi_init_module() checks the init ABI version the generated file was
 * written for, loads the plugin's table into a new FFI object (the loader
 * validates it), imports the modules whose types it shares, checks every
 * slot the table names against the generated arrays, and puts the module's
 * `ffi` and `lib` (api_lib.c) into the module.
 */
#include <Python.h>
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
#include "api/api_fallback.h"
#include "table/contract.h"

/* ---------------------------------------------------------- module init */

static void *api_capsule(PyObject *capsule, const char *name)
{
    void *p = PyCapsule_GetPointer(capsule, name);
    if (p == NULL && !PyErr_Occurred())
        PyErr_Format(PyExc_ImportError, "ccffi module: capsule '%s' is NULL", name);
    return p;
}

/* The slot a declaration names must be inside the generated arrays:
 * checked when the declaration is first used, not at import (which does no
 * work per name). */
int api_check_slot(const api_state *st, const cc_table *t, const cct_decl *d)
{
    Py_ssize_t limit;
    const char *what;
    switch (d->kind) {
    case CCT_DECL_FUNCTION: limit = st->nfuncs; what = "function"; break;
    case CCT_DECL_VARIABLE: limit = st->nglobals; what = "global"; break;
    case CCT_DECL_EXTERN_PYTHON: limit = st->nexterns; what = "extern \"Python\""; break;
    case CCT_DECL_CONST_INT:
        if (d->slot == CCT_NO_SLOT)
            return 0;
        limit = st->nglobals;       /* read at run time (contract.h) */
        what = "constant";
        break;
    default: return 0;
    }
    if ((Py_ssize_t)d->slot >= limit) {
        PyErr_Format(PyExc_ImportError, "invalid ccffi type table: %s '%s' "
                     "has slot %u but the module has %zd", what,
                     cc_table_str(t, d->name), (unsigned)d->slot, limit);
        return -1;
    }
    if (d->kind == CCT_DECL_CONST_INT && st->globals[d->slot] == NULL) {
        PyErr_Format(PyExc_ImportError, "ccffi module: constant '%s' has no "
                     "getter", cc_table_str(t, d->name));
        return -1;
    }
    if (d->kind == CCT_DECL_FUNCTION && st->trampolines[d->slot] == NULL
        && st->addresses[d->slot] == NULL) {
        PyErr_Format(PyExc_ImportError, "ccffi module: function '%s' has "
                     "neither a trampoline nor an address",
                     cc_table_str(t, d->name));
        return -1;
    }
    return 0;
}

/* The value of an integer constant C computes only at run time (a CONST_INT
 * with a slot, contract.h CCC_MF_SLOT_SHIFT), read now from its getter, as
 * CFFI's realize_global_int(): its bits and `<= 0` must be the cdef's value
 * where the cdef gave one.  New reference, or NULL with ffi.error. */
PyObject *api_runtime_int(const api_state *st, const cc_table *t,
                          const cct_decl *d)
{
    const struct ccc_runtime_int *v = st->globals[d->slot]();
    if (!(d->flags & CCT_DF_DOTS_VALUE)) {
        int want_nonpos = d->value == 0 || (!(d->flags & CCT_DF_UNSIGNED)
                                            && (int64_t)d->value < 0);
        if (v->value != d->value || (v->nonpos != 0) != want_nonpos) {
            char text[64];
            if (!v->nonpos)
                snprintf(text, sizeof text, "%llu (0x%llx)", v->value, v->value);
            else
                snprintf(text, sizeof text, "%lld", (long long)v->value);
            PyErr_Format(ccm_error, "the C compiler says '%s' is equal to %s, "
                         "but the cdef disagrees", cc_table_str(t, d->name), text);
            return NULL;
        }
    }
    if (v->nonpos && v->value != 0)
        return PyLong_FromLongLong((long long)v->value);
    return PyLong_FromUnsignedLongLong(v->value);
}

/* ffi.integer_const(name) on a compiled module's ffi: a constant read at
 * run time is read from its getter, as CFFI's realize_global_int().  New
 * reference; NULL without an exception when NAME is no such constant. */
PyObject *api_integer_const(struct FFIObject *ffi, const char *name)
{
    const cc_table *t = &ffi->table;
    uint32_t ref;
    if (ffi->api_state == NULL
        || cc_table_lookup(t, CC_NS_ORDINARY, name, strlen(name), &ref) != 1
        || (ref & CC_REF_ENUMERATOR))
        return NULL;
    const cct_decl *d = &t->decls[ref];
    if (d->kind != CCT_DECL_CONST_INT || d->slot == CCT_NO_SLOT)
        return NULL;
    api_state *st = PyCapsule_GetPointer(ffi->api_state, NULL);
    if (st == NULL) {
        PyErr_Clear();
        return NULL;
    }
    if (api_check_slot(st, t, d) < 0)
        return NULL;
    return api_runtime_int(st, t, d);
}

static int api_name_externs(const cc_table *t, api_state *st)
{
    for (uint32_t i = 0; st->nexterns > 0 && i < t->ndecls; i++) {
        const cct_decl *d = &t->decls[i];
        if (d->kind != CCT_DECL_EXTERN_PYTHON)
            continue;
        if (api_check_slot(st, t, d) < 0)
            return -1;
        /* "module.name", as CFFI's messages name it */
        const char *name = cc_table_str(t, d->name);
        const char *module = PyUnicode_AsUTF8(st->module_name);
        if (module == NULL)
            return -1;
        size_t len = strlen(module) + 1 + strlen(name) + 1;
        char *copy = PyMem_Malloc(len);
        if (copy == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        snprintf(copy, len, "%s.%s", module, name);
        PyMem_Free(st->extern_names[d->slot]);
        st->extern_names[d->slot] = copy;
    }
    return 0;
}

/* A new state (kept forever once a module uses it), or NULL. */
static api_state *api_state_new(PyObject *name, PyObject *const *caps,
                                Py_ssize_t nfuncs, Py_ssize_t nglobals,
                                Py_ssize_t nexterns)
{
    api_state *st = PyMem_Calloc(1, sizeof *st);
    if (st == NULL)
        return (api_state *)PyErr_NoMemory();
    st->trampolines = api_capsule(caps[0], CCC_CAPSULE_TRAMPOLINES);
    st->addresses = st->trampolines ? api_capsule(caps[1], CCC_CAPSULE_ADDRESSES) : NULL;
    st->globals = st->addresses ? api_capsule(caps[2], CCC_CAPSULE_GLOBALS) : NULL;
    st->nfuncs = nfuncs;
    st->nglobals = nglobals;
    st->nexterns = nexterns;
    st->externs = PyMem_Calloc((size_t)nexterns + 1, sizeof *st->externs);
    st->extern_names = PyMem_Calloc((size_t)nexterns + 1, sizeof *st->extern_names);
    if (st->globals == NULL || st->externs == NULL || st->extern_names == NULL) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        PyMem_Free(st->externs);
        PyMem_Free(st->extern_names);
        PyMem_Free(st);
        return NULL;
    }
    Py_INCREF(name);
    st->module_name = name;
    return st;
}

static void api_state_free(api_state *st)
{
    for (Py_ssize_t i = 0; i < st->nattached; i++)
        ccallback_record_free(st->attached[i]);
    PyMem_Free(st->attached);
    for (Py_ssize_t i = 0; i < st->nexterns; i++)
        PyMem_Free(st->extern_names[i]);
    PyMem_Free(st->extern_names);
    PyMem_Free(st->externs);
    Py_XDECREF(st->module_name);
    PyMem_Free(st);
}

/* The capsule that the module's ffi holds: frees a state no module uses. */
static void api_state_capsule_free(PyObject *capsule)
{
    api_state *st = PyCapsule_GetPointer(capsule, NULL);
    if (st != NULL && !st->in_use)
        api_state_free(st);
}

/* Puts `ffi` and a new `lib` into the module. */
static int api_fill_module(PyObject *module, FFIObject *ffi, api_state *st)
{
    PyObject *lib = api_lib_new(ffi, st);
    if (lib == NULL)
        return -1;
    int rc = PyObject_SetAttrString(module, "ffi", (PyObject *)ffi);
    if (rc == 0)
        rc = PyObject_SetAttrString(module, "lib", lib);
    if (rc == 0) {
        /* `from mod.lib import f` works, as with CFFI: sys.modules has it */
        PyObject *modules = PyImport_GetModuleDict();   /* borrowed */
        PyObject *key = PyUnicode_FromFormat("%U.lib", st->module_name);
        rc = key == NULL ? -1 : PyDict_SetItem(modules, key, lib);
        Py_XDECREF(key);
    }
    Py_DECREF(lib);
    return rc;
}

/* The ffi objects of the modules this one's cdef included: imported and
 * listed as included, so that struct/union/enum types are shared. */
static int api_include_modules(FFIObject *ffi, PyObject *names)
{
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        PyObject *mod = PyImport_Import(name);
        if (mod == NULL)
            return -1;
        PyObject *other = PyObject_GetAttrString(mod, "ffi");
        Py_DECREF(mod);
        if (other == NULL)
            return -1;
        int rc = -1;
        if (!FFI_Check(other))
            PyErr_Format(PyExc_ImportError, "the included module '%U' has no "
                         "'ffi' of ccffi", name);
        else
            rc = PyList_Append(ffi->included, other);
        Py_DECREF(other);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* The init ABI version a generated file announces must be one this runtime
 * serves (table/contract.h).  0, or -1 with an ImportError naming both. */
static int api_check_abi_version(PyObject *args)
{
    long version;

    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) < 1
        || !PyLong_Check(PyTuple_GET_ITEM(args, 0))) {
        PyErr_SetString(PyExc_ImportError, "ccffi module: " CCC_INIT_FUNCTION
                        "() called without the init ABI version first: the "
                        "module was generated for another ccffi; rebuild it");
        return -1;
    }
    version = PyLong_AsLong(PyTuple_GET_ITEM(args, 0));
    if (version == -1 && PyErr_Occurred())
        return -1;
    if (version < CCC_INIT_ABI_MIN || version > CCC_INIT_ABI_VERSION) {
        PyErr_Format(PyExc_ImportError, "ccffi module: generated for module "
                     "init ABI version %ld, but this _cffi_backend serves "
                     "versions %d to %d; rebuild the module with this ccffi",
                     version, CCC_INIT_ABI_MIN, CCC_INIT_ABI_VERSION);
        return -1;
    }
    return 0;
}

/* _ccffi_init_module(version, module, table, trampolines, addresses,
 *                    globals, nfuncs, nglobals, nexterns, hook, includes):
 * fills the module the generated PyInit created. */
static PyObject *api_init_module(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *module, *caps[3], *hook_capsule, *includes;
    Py_buffer table;
    Py_ssize_t nfuncs, nglobals, nexterns;
    int version, by_compiler;
    if (api_check_abi_version(args) < 0)
        return NULL;
    if (!PyArg_ParseTuple(args, "iO!y*OOOnnnOO!:" CCC_INIT_FUNCTION, &version,
                          &PyModule_Type, &module, &table, &caps[0], &caps[1],
                          &caps[2], &nfuncs, &nglobals, &nexterns, &hook_capsule,
                          &PyTuple_Type, &includes))
        return NULL;
    PyObject *name = PyModule_GetNameObject(module);
    if (name == NULL) {
        PyBuffer_Release(&table);
        return NULL;
    }
    FFIObject *ffi = NULL;
    api_state *st = NULL;
    api_python_hook *hook = api_capsule(hook_capsule, CCC_CAPSULE_PYTHON_HOOK);
    if (hook == NULL || nfuncs < 0 || nglobals < 0 || nexterns < 0)
        goto error;
    /* without the plugin, the compiler's numbers complete the cdef's table */
    by_compiler = api_fallback_is_blob(table.buf, (size_t)table.len);
    /* the plugin's table, passed as a memoryview of the module's static
     * array (no copy), is used in place; as bytes (a module generated
     * before), it is copied */
    ffi = (FFIObject *)(by_compiler ? api_fallback_ffi(table.buf, (size_t)table.len)
                        : PyMemoryView_Check(PyTuple_GET_ITEM(args, 2))
                        ? ffi_new_from_module_table(table.buf, (size_t)table.len)
                        : ffi_new_from_table(table.buf, (size_t)table.len));
    if (ffi == NULL)
        goto error;
    if (api_include_modules(ffi, includes) < 0)
        goto error;
    st = api_state_new(name, caps, nfuncs, nglobals, nexterns);
    if (st == NULL || api_name_externs(&ffi->table, st) < 0)
        goto error;
    st->built_by_compiler = by_compiler;
    ffi->api_state = PyCapsule_New(st, NULL, api_state_capsule_free);
    if (ffi->api_state == NULL)
        goto error;
    st = NULL;                  /* owned by the capsule from here */
    if (api_fill_module(module, ffi, PyCapsule_GetPointer(ffi->api_state, NULL)) < 0)
        goto error;
    st = PyCapsule_GetPointer(ffi->api_state, NULL);
    st->in_use = 1;             /* the hook points here: never freed */
    hook->state = st;
    hook->call = api_extern_call;
    Py_DECREF(ffi);
    Py_DECREF(name);
    PyBuffer_Release(&table);
    Py_RETURN_NONE;
error:
    if (st != NULL)
        api_state_free(st);
    Py_XDECREF(ffi);
    Py_DECREF(name);
    PyBuffer_Release(&table);
    return NULL;
}

static PyMethodDef api_module_functions[] = {
    {CCC_INIT_FUNCTION, api_init_module, METH_VARARGS,
     "Build the ffi and lib of a compiled API-mode module (generated code only)."},
    {NULL, NULL, 0, NULL},
};

int api_module_init_module(PyObject *m)
{
    if (api_lib_ready_types() < 0)
        return -1;
    /* `lib.f` passed where C expects a function pointer stands for f */
    cconv_set_function_hook(api_function_address);
    return PyModule_AddFunctions(m, api_module_functions);
}
