/* compat_module.c - importing a module that real CFFI built.
 *
 * The module's PyInit calls _cffi_backend._init_cffi_1_0_external_module()
 * with the address of four words: its name, the version tag it was
 * generated for, its `_cffi_exports` array and its type context.  We check
 * the version against the range real CFFI 1.x-2.x serves (CFFI's
 * ImportError otherwise), fill the exports array with as many slots as that
 * version has room for, translate the type context into a table
 * (compat_translate.c) and build an FFI over it, import the modules its
 * cdef included, and return a new module holding `ffi` and a compat Lib
 * (compat_lib.c), registered in sys.modules with its `.lib` as CFFI does.
 *
 * A context is translated once per process: importing the module again
 * (after removing it from sys.modules) reuses the same FFI, because the
 * module's generated code already holds the CTypes realized for it.
 * Realization is lazy: a CType is made when a lib attribute or an ffi call
 * first needs it and is then stored into the module's types array.  Also
 * slot 25 of the exports, through which extern "Python" bodies enter.
 */
#include <Python.h>
#include "config.h"
#include <string.h>
#include <stdlib.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "object/ctype_obj.h"
#include "object/cdata.h"
#include "object/cconv.h"
#include "call/ccallback.h"
#include "api/api_module.h"
#include "api/api_state.h"
#include "compat/compat_ctx.h"
#include "compat/compat_state.h"
#include "compat/compat.h"

static compat_module *compat_loaded;   /* every context loaded, forever */

/* ------------------------------------------------------------ realize */

static int compat_in_range(compat_module *cm, intptr_t index)
{
    return index >= 0 && index < cm->tr.num_types
           && cm->tr.type_map[index] != UINT32_MAX;
}

CTypeObject *compat_realize(compat_module *cm, intptr_t index)
{
    if (!compat_in_range(cm, index)) {
        PyErr_Format(PyExc_SystemError, "CFFI module '%U': type index %zd is "
                     "not a type", cm->name, (Py_ssize_t)index);
        return NULL;
    }
    CTypeObject *ct = ffi_realize_type(cm->ffi, cm->tr.type_map[index]);
    if (ct == NULL)
        return NULL;
    /* store it where the generated code reads it, following NOOPs */
    for (int hops = 0; hops < 64 && compat_in_range(cm, index); hops++) {
        if (((uintptr_t)cm->ctx->types[index] & 1) != 0) {
            Py_INCREF(ct);      /* held by the module's array, forever */
            cm->ctx->types[index] = (compat_opcode)ct;
        }
        if (compat_getop(cm->types[index]) != COMPAT_OP_NOOP)
            break;
        index = compat_getarg(cm->types[index]);
    }
    return ct;
}

CTypeObject *compat_realize_function(compat_module *cm, intptr_t index)
{
    if (!compat_in_range(cm, index)
        || compat_getop(cm->types[index]) != COMPAT_OP_FUNCTION) {
        PyErr_Format(PyExc_SystemError, "CFFI module '%U': type index %zd is "
                     "not a function type", cm->name, (Py_ssize_t)index);
        return NULL;
    }
    CTypeObject *part = compat_realize(cm, compat_getarg(cm->types[index]));
    if (part == NULL)
        return NULL;
    Py_DECREF(part);
    for (intptr_t j = index + 1; compat_getop(cm->types[j]) != COMPAT_OP_FUNCTION_END; j++) {
        part = compat_realize(cm, j);
        if (part == NULL)
            return NULL;
        Py_DECREF(part);
    }
    return ffi_realize_type(cm->ffi, cm->tr.type_map[index]);
}

/* ------------------------------------------------------ extern "Python" */

/* C called an extern "Python" function before @ffi.def_extern(): CFFI's
 * warning, naming the function as the module does, and a zero result. */
static void compat_unattached(struct compat_externpy *externpy, char *args)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    PySys_WriteStderr("extern \"Python\": function %.200s() called, but no "
                      "code was attached to it yet with @ffi.def_extern().  "
                      "Returning 0.\n", externpy->name);
    PyGILState_Release(gil);
    memset(args, 0, externpy->size_of_result);
}

/* The module passes each argument in an 8-byte slot of `args` (structs,
 * unions and long doubles by address) and reads the result at `args`. */
void compat_call_python(struct compat_externpy *externpy, char *args)
{
    compat_extern *x = externpy->reserved1;
    int saved = errno;
    if (x == NULL || x->st->externs[x->slot] == NULL) {
        compat_unattached(externpy, args);
        errno = saved;
        return;
    }
    void *small[16];
    void **argv = x->nargs <= 16 ? small : malloc(x->nargs * sizeof *argv);
    size_t rsize = externpy->size_of_result > 16 ? externpy->size_of_result : 16;
    void *result = calloc(1, rsize);
    if (argv == NULL || result == NULL) {
        memset(args, 0, externpy->size_of_result);
    } else {
        for (uint32_t i = 0; i < x->nargs; i++) {
            char *p = args + 8 * (size_t)i;
            argv[i] = x->byref[i] ? *(void **)p : (void *)p;
        }
        api_extern_call(x->st, x->slot, argv, result);
        memcpy(args, result, externpy->size_of_result);
    }
    if (argv != small)
        free(argv);
    free(result);
    errno = saved;
}

/* Undoes what compat_setup_externs() made for a load that failed: the
 * module's extern records that point at our slot records are cleared (the
 * module never reached Python), then every block is freed. */
static void compat_drop_externs(compat_module *cm, api_state *st)
{
    int n = cm->tr.num_externs;
    if (cm->externs != NULL) {
        for (int g = 0; g < cm->ctx->num_globals; g++) {
            if (compat_getop(cm->ctx->globals[g].type_op) != COMPAT_OP_EXTERN_PYTHON)
                continue;
            struct compat_externpy *e = cm->ctx->globals[g].address;
            for (int k = 0; k < n; k++)
                if (e->reserved1 == &cm->externs[k])
                    e->reserved1 = NULL;
        }
        for (int k = 0; k < n; k++)
            PyMem_Free(cm->externs[k].byref);
        PyMem_Free(cm->externs);
        cm->externs = NULL;
    }
    if (st == NULL)
        return;
    if (st->extern_names != NULL)
        for (int k = 0; k < n; k++)
            PyMem_Free(st->extern_names[k]);
    PyMem_Free(st->extern_names);
    PyMem_Free(st->externs);
    Py_XDECREF(st->module_name);
    PyMem_Free(st);
}

/* Every extern "Python" global of the context gets its slot record, and
 * the ffi the api/ state that ffi.def_extern() fills.  On failure nothing
 * is kept. */
static int compat_setup_externs(compat_module *cm)
{
    int n = cm->tr.num_externs;
    const cc_table *t = &cm->ffi->table;
    api_state *st = PyMem_Calloc(1, sizeof *st);
    if (st == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    st->externs = PyMem_Calloc((size_t)n + 1, sizeof *st->externs);
    st->extern_names = PyMem_Calloc((size_t)n + 1, sizeof *st->extern_names);
    cm->externs = PyMem_Calloc((size_t)n + 1, sizeof *cm->externs);
    if (st->externs == NULL || st->extern_names == NULL || cm->externs == NULL)
        goto nomem;
    st->nexterns = n;
    st->in_use = 1;
    Py_INCREF(cm->name);
    st->module_name = cm->name;
    for (uint32_t i = 0; i < t->ndecls; i++) {
        const cct_decl *d = &t->decls[i];
        if (d->kind != CCT_DECL_EXTERN_PYTHON || d->slot >= (uint32_t)n)
            continue;
        const cct_type *fn = &t->types[d->type];
        compat_extern *x = &cm->externs[d->slot];
        x->st = st;
        x->slot = d->slot;
        x->nargs = fn->count;
        x->byref = PyMem_Calloc((size_t)fn->count + 1, 1);
        const char *name = cc_table_str(t, d->name);
        st->extern_names[d->slot] = PyMem_Malloc(strlen(name) + 1);
        if (x->byref == NULL || st->extern_names[d->slot] == NULL)
            goto nomem;
        strcpy(st->extern_names[d->slot], name);
        for (uint32_t a = 0; a < fn->count; a++) {
            const cct_type *at = &t->types[t->args[fn->first + a]];
            x->byref[a] = at->kind == CCT_KIND_STRUCT || at->kind == CCT_KIND_UNION
                          || (at->kind == CCT_KIND_PRIMITIVE
                              && at->prim == CCT_PRIM_LONGDOUBLE);
        }
        int g = compat_find_global(cm->ctx, name);
        if (g >= 0 && compat_getop(cm->ctx->globals[g].type_op) == COMPAT_OP_EXTERN_PYTHON)
            ((struct compat_externpy *)cm->ctx->globals[g].address)->reserved1 = x;
    }
    cm->ffi->api_state = PyCapsule_New(st, NULL, NULL);
    if (cm->ffi->api_state == NULL) {
        compat_drop_externs(cm, st);
        return -1;
    }
    return 0;
nomem:
    compat_drop_externs(cm, st);
    PyErr_NoMemory();
    return -1;
}

/* ------------------------------------------------------------ loading */

struct compat_getconst {
    unsigned long long value;
    const struct compat_type_context *ctx;
    int gindex;
};

/* Integer constants and enumerators of a compiled module: its getter. */
static int compat_api_get_int(void *arg, int gindex, uint64_t *value, int *neg,
                              cc_error *err)
{
    const struct compat_type_context *ctx = arg;
    (void)err;
    struct compat_getconst gc = {0, ctx, gindex};
    int n = ((int (*)(struct compat_getconst *))ctx->globals[gindex].address)(&gc);
    *value = gc.value;
    *neg = n & 1;
    return 0;
}

/* Raises a translation error as the ImportError of this module. */
static void compat_raise_translate_error(const char *module_name, const cc_error *err)
{
    if (err->kind == CC_ERR_NOMEM) {
        PyErr_NoMemory();
        return;
    }
    PyErr_Format(PyExc_ImportError, "CFFI module '%s': invalid type context: %s",
                 module_name, err->message);
}

static compat_module *compat_load_context(const char *module_name,
                                          struct compat_type_context *ctx)
{
    for (compat_module *cm = compat_loaded; cm != NULL; cm = cm->next)
        if (cm->ctx == ctx)
            return cm;
    compat_module *cm = PyMem_Calloc(1, sizeof *cm);
    if (cm == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    cm->ctx = ctx;
    cc_error err;
    memset(&err, 0, sizeof err);
    int nt = ctx->num_types > 0 ? ctx->num_types : 0;
    cm->types = PyMem_Malloc(((size_t)nt + 1) * sizeof *cm->types);
    if (cm->types == NULL) {
        PyMem_Free(cm);
        PyErr_NoMemory();
        return NULL;
    }
    if (nt)
        memcpy(cm->types, ctx->types, (size_t)nt * sizeof *cm->types);
    /* a new, empty FFI whose table the context fills */
    cm->ffi = (FFIObject *)PyObject_CallObject((PyObject *)&FFI_Type, NULL);
    if (cm->ffi == NULL)
        goto error;
    if (compat_translate(ctx, cm->types, -1, 0, compat_api_get_int, ctx,
                         &cm->ffi->table, &cm->tr, &err) < 0) {
        compat_raise_translate_error(module_name, &err);
        goto error;
    }
    cm->ffi->abi_mode = 0;   /* the layouts are the compiler's */
    /* records are named by their tag, as CFFI names them, not after a
       typedef of them */
    cm->ffi->typedef_names_ndecls = cm->ffi->table.ndecls;
    cm->name = PyUnicode_FromString(module_name);
    if (cm->name == NULL || compat_setup_externs(cm) < 0)
        goto error;
    cm->next = compat_loaded;
    compat_loaded = cm;
    return cm;
error:
    compat_translation_free(&cm->tr);
    Py_XDECREF(cm->ffi);
    Py_XDECREF(cm->name);
    PyMem_Free(cm->types);
    PyMem_Free(cm);
    return NULL;
}

/* The ffi and lib of each included module, as CFFI imports them. */
static int compat_include(compat_module *cm, const char *module_name)
{
    const char *const *inc = cm->ctx->includes;
    Py_ssize_t n = 0;
    if (cm->included_libs != NULL)
        return 0;
    while (inc != NULL && inc[n] != NULL)
        n++;
    PyObject *libs = PyTuple_New(n);
    if (libs == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *m = PyImport_ImportModule(inc[i]);
        PyObject *ffi = m ? PyObject_GetAttrString(m, "ffi") : NULL;
        PyObject *lib = ffi ? PyObject_GetAttrString(m, "lib") : NULL;
        Py_XDECREF(m);
        if (lib == NULL || !FFI_Check(ffi)
            || PyList_Append(cm->ffi->included, ffi) < 0) {
            Py_XDECREF(ffi);
            Py_XDECREF(lib);
            Py_DECREF(libs);
            PyErr_Format(PyExc_ImportError, "while loading %.200s: failed to "
                         "import ffi, lib from %.200s", module_name, inc[i]);
            return -1;
        }
        Py_DECREF(ffi);
        PyTuple_SET_ITEM(libs, i, lib);
    }
    cm->included_libs = libs;
    return 0;
}

/* A new module object named module_name; its definition lives forever, as
 * the module can never be unloaded. */
static PyObject *compat_new_module(const char *module_name)
{
    struct PyModuleDef *def = PyMem_Calloc(1, sizeof *def);
    char *name = PyMem_Malloc(strlen(module_name) + 1);
    if (def == NULL || name == NULL) {
        PyMem_Free(def);
        PyMem_Free(name);
        return PyErr_NoMemory();
    }
    strcpy(name, module_name);
    struct PyModuleDef init = {PyModuleDef_HEAD_INIT, name, NULL, -1,
                               NULL, NULL, NULL, NULL, NULL};
    *def = init;
    PyObject *m = PyModule_Create(def);
    if (m == NULL) {
        PyMem_Free(name);
        PyMem_Free(def);
    }
    return m;
}

/* Drops a module of compat_new_module() that could not be completed, and
 * its definition with it when nothing else holds the module. */
static void compat_drop_module(PyObject *m)
{
    struct PyModuleDef *def = Py_REFCNT(m) == 1 ? PyModule_GetDef(m) : NULL;
    Py_DECREF(m);
    if (def != NULL) {
        PyMem_Free((char *)def->m_name);
        PyMem_Free(def);
    }
}

static int compat_register(PyObject *m, PyObject *lib, const char *module_name)
{
    PyObject *modules = PyImport_GetModuleDict();
    PyObject *libname = PyUnicode_FromFormat("%s.lib", module_name);
    if (libname == NULL)
        return -1;
    int rc = PyDict_SetItem(modules, libname, lib);
    if (rc == 0) {
        rc = PyDict_SetItemString(modules, module_name, m);
        if (rc < 0) {       /* the load fails: no half-registered module */
            PyObject *exc, *val, *tb;
            PyErr_Fetch(&exc, &val, &tb);
            if (PyDict_DelItem(modules, libname) < 0)
                PyErr_Clear();
            PyErr_Restore(exc, val, tb);
        }
    }
    Py_DECREF(libname);
    return rc;
}

/* _init_cffi_1_0_external_module(address of {name, version, exports, ctx}) */
static PyObject *compat_init_external_module(PyObject *self, PyObject *arg)
{
    (void)self;
    void **raw = PyLong_AsVoidPtr(arg);
    if (raw == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ImportError, "_init_cffi_1_0_external_module: "
                            "NULL argument");
        return NULL;
    }
    const char *module_name = raw[0];
    Py_ssize_t version = (Py_ssize_t)raw[1];
    void **exports = raw[2];
    struct compat_type_context *ctx = raw[3];

    if (module_name == NULL || exports == NULL || ctx == NULL) {
        PyErr_SetString(PyExc_ImportError, "_init_cffi_1_0_external_module: "
                        "the module passed no name, exports or type context");
        return NULL;
    }
    if (version < COMPAT_VERSION_MIN || version > COMPAT_VERSION_MAX) {
        PyErr_Format(PyExc_ImportError, "cffi extension module '%s' uses an "
                     "unknown version tag %p. This module might need a more "
                     "recent version of cffi than the one currently installed, "
                     "which is %s", module_name, (void *)version,
                     CFFI_COMPAT_VERSION);
        return NULL;
    }
    size_t nexports = COMPAT_EXPORTS_BASE;
    if (ctx->flags & COMPAT_CTX_EXTERN_PYTHON)
        nexports = COMPAT_EXPORTS_EXTERN;
    if (version >= COMPAT_VERSION_CHAR16)
        nexports = COMPAT_NUM_EXPORTS;
    memcpy(exports, compat_exports, nexports * sizeof(void *));

    compat_module *cm = compat_load_context(module_name, ctx);
    if (cm == NULL || compat_include(cm, module_name) < 0)
        return NULL;
    PyObject *m = compat_new_module(module_name);
    if (m == NULL)
        return NULL;
    PyObject *lib = compat_lib_new(cm);
    if (lib == NULL
        || PyObject_SetAttrString(m, "ffi", (PyObject *)cm->ffi) < 0
        || PyObject_SetAttrString(m, "lib", lib) < 0
        || compat_register(m, lib, module_name) < 0) {
        Py_XDECREF(lib);
        compat_drop_module(m);
        return NULL;
    }
    Py_DECREF(lib);
    return m;
}

static PyMethodDef compat_functions[] = {
    {"_init_cffi_1_0_external_module", compat_init_external_module, METH_O,
     "Build the ffi and lib of a module that real CFFI generated."},
    {NULL, NULL, 0, NULL},
};

int compat_init_module(PyObject *m)
{
    if (compat_lib_ready_types() < 0
        || PyModule_AddFunctions(m, compat_functions) < 0
        || compat_exports_init_module(m) < 0)
        return -1;
    return 0;
}
