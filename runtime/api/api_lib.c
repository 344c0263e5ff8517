/* api_lib.c - the `lib` of a compiled API-mode module.
 *
 * Its attributes are made on first access from the table and cached in its
 * dict: functions as builtin functions calling their trampoline (variadic
 * ones through libffi), constants as Python values; global variables are
 * read and written through their address on every access.  Also
 * ffi.addressof(lib, name) and what the conversion layer asks of lib.f.
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
#include "table/contract.h"

/* ------------------------------------------------------------- ApiFunc */

/* A function of the module is a builtin function object (METH_NOARGS,
 * METH_O or METH_FASTCALL by its number of parameters: the interpreter's
 * fastest call paths, as for a hand-written extension, and Python's own
 * words for a wrong count where CFFI has them) whose __self__ is an ApiFunc
 * holding what the call needs. */
typedef struct ApiFuncObject {
    PyObject_HEAD
    PyMethodDef def;            /* must outlive the builtin: lives here */
    CTypeObject *fnct;          /* FUNCTIONPTR type */
    api_trampoline trampoline;
    void *address;              /* the C function; NULL for a macro */
    PyObject *name;             /* owns the string def.ml_name points into */
    PyObject *doc;              /* bytes: owns what def.ml_doc points into */
    PyMethodDef noargs;         /* 0 parameters: a METH_NOARGS twin of def */
    PyObject *module_name;      /* the builtin's __module__ */
    ccall_plan plan;            /* the planned direct call, when it applies */
} ApiFuncObject;

/* A function of no parameter is METH_FASTCALL, not METH_NOARGS: Python 3.11
 * specialises the calls of METH_FASTCALL builtins only.  A call with
 * arguments is handed to a METH_NOARGS twin (same name, __self__ and
 * __module__), so that the error is worded by Python itself, whatever its
 * version ("NAME() takes no arguments (1 given)"). */
static PyObject *apifunc_never_called(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
    Py_RETURN_NONE;     /* the twin is only called with arguments */
}

static PyObject *apifunc_noargs_refused(PyObject *self, PyObject *const *args,
                                       Py_ssize_t nargs)
{
    ApiFuncObject *f = (ApiFuncObject *)self;
    PyObject *twin = PyCFunction_NewEx(&f->noargs, self, f->module_name);
    if (twin == NULL)
        return NULL;
    PyObject *res = PyObject_Vectorcall(twin, args, (size_t)nargs, NULL);
    Py_DECREF(twin);
    return res;
}

/* CFFI's message for a wrong number of arguments (functions of 0 and 1
 * argument are METH_NOARGS/METH_O builtins: Python words theirs). */
static int apifunc_count(ApiFuncObject *f, Py_ssize_t nargs)
{
    Py_ssize_t expected = PyTuple_GET_SIZE(f->fnct->ct_args);
    if (nargs == expected)
        return 0;
    PyErr_Format(PyExc_TypeError, "%s expected %zd arguments, got %zd",
                 f->def.ml_name, expected, nargs);
    return -1;
}

static PyObject *apifunc_call(PyObject *self, PyObject *const *args,
                              Py_ssize_t nargs)
{
    ApiFuncObject *f = (ApiFuncObject *)self;
    if (apifunc_count(f, nargs) < 0)
        return NULL;
    return ccall_call_trampoline(f->fnct, f->trampoline, args, nargs);
}

/* The same for the common signatures (ccall_trampoline_is_quick). */
static PyObject *apifunc_call_quick(PyObject *self, PyObject *const *args,
                                    Py_ssize_t nargs)
{
    ApiFuncObject *f = (ApiFuncObject *)self;
    if (apifunc_count(f, nargs) < 0)
        return NULL;
    return ccall_call_trampoline_quick(f->fnct, f->trampoline, args, nargs);
}

static PyObject *apifunc_call_noargs(PyObject *self, PyObject *const *args,
                                     Py_ssize_t nargs)
{
    ApiFuncObject *f = (ApiFuncObject *)self;
    if (nargs != 0)
        return apifunc_noargs_refused(self, args, nargs);
    return ccall_call_trampoline(f->fnct, f->trampoline, NULL, 0);
}

static PyObject *apifunc_call_noargs_quick(PyObject *self, PyObject *const *args,
                                           Py_ssize_t nargs)
{
    ApiFuncObject *f = (ApiFuncObject *)self;
    if (nargs != 0)
        return apifunc_noargs_refused(self, args, nargs);
    return ccall_call_trampoline_quick(f->fnct, f->trampoline, NULL, 0);
}

static PyObject *apifunc_call_o(PyObject *self, PyObject *arg)
{
    ApiFuncObject *f = (ApiFuncObject *)self;
    return ccall_call_trampoline(f->fnct, f->trampoline, &arg, 1);
}

static PyObject *apifunc_call_o_quick(PyObject *self, PyObject *arg)
{
    ApiFuncObject *f = (ApiFuncObject *)self;
    return ccall_call_trampoline_quick(f->fnct, f->trampoline, &arg, 1);
}

/* The same by plan (ccall_plan_init: register arguments), the leanest. */
static PyObject *apifunc_call_planned(PyObject *self, PyObject *const *args,
                                      Py_ssize_t nargs)
{
    ApiFuncObject *f = (ApiFuncObject *)self;
    if (nargs != f->plan.nargs) {
        apifunc_count(f, nargs);
        return NULL;
    }
    return f->plan.entry(&f->plan, f->fnct, f->trampoline, args, nargs);
}

static PyObject *apifunc_call_noargs_planned(PyObject *self, PyObject *const *args,
                                             Py_ssize_t nargs)
{
    ApiFuncObject *f = (ApiFuncObject *)self;
    if (nargs != 0)
        return apifunc_noargs_refused(self, args, nargs);
    return f->plan.entry(&f->plan, f->fnct, f->trampoline, NULL, 0);
}

static PyObject *apifunc_call_o_planned(PyObject *self, PyObject *arg)
{
    ApiFuncObject *f = (ApiFuncObject *)self;
    return f->plan.entry(&f->plan, f->fnct, f->trampoline, &arg, 1);
}

static void apifunc_dealloc(ApiFuncObject *f)
{
    Py_XDECREF(f->fnct);
    Py_XDECREF(f->name);
    Py_XDECREF(f->doc);
    Py_XDECREF(f->module_name);
    PyObject_Free(f);
}

static PyTypeObject ApiFunc_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    /* a function's __qualname__ is "Lib.NAME", as in CFFI where the Lib
     * is __self__ (Python's messages for a wrong count of arguments) */
    .tp_name = "_cffi_backend.Lib",
    .tp_basicsize = sizeof(ApiFuncObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The C side of a function of an API-mode module.",
    .tp_dealloc = (destructor)apifunc_dealloc,
};

/* CFFI's docstring of lib.NAME: its C declaration and where it comes from,
 * "double sin(double);\n\nCFFI C function from MODULE.lib", made from the
 * function pointer type's name "double(*)(double)" (the declarator goes
 * between its "(*" and ")"), with CFFI's space after a result type not
 * ending in '*'. */
static PyObject *apifunc_doc(CTypeObject *fnct, const char *name,
                             PyObject *module_name)
{
    const char *ct = fnct->ct_name;
    size_t pos = (size_t)fnct->ct_name_position;
    size_t len = strlen(ct);
    const char *lib = PyUnicode_AsUTF8(module_name);
    if (lib == NULL)
        return NULL;
    const char *head = ct, *tail = "", *space = "";
    size_t nhead = len;
    if (pos >= 2 && pos < len && ct[pos - 2] == '(' && ct[pos - 1] == '*'
        && ct[pos] == ')') {
        nhead = pos - 2;
        tail = ct + pos + 1;
        if (nhead > 0 && ct[nhead - 1] != '*')
            space = " ";
    } else {
        name = "";      /* not a function pointer's name: the type alone */
    }
    static const char from[] = ";\n\nCFFI C function from ";
    size_t n = nhead + strlen(space) + strlen(name) + strlen(tail)
               + strlen(from) + strlen(lib) + 4;
    PyObject *doc = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n);
    if (doc == NULL)
        return NULL;
    char *p = PyBytes_AS_STRING(doc);
    memcpy(p, head, nhead);
    p += nhead;
    p += sprintf(p, "%s%s%s%s%s.lib", space, name, tail, from, lib);
    (void)p;
    return doc;
}

/* The builtin function `name` calling `tramp` with the types of fnct. */
static PyObject *apifunc_new(CTypeObject *fnct, api_trampoline tramp,
                             void *address, PyObject *name, PyObject *module_name)
{
    ApiFuncObject *f = PyObject_New(ApiFuncObject, &ApiFunc_Type);
    if (f == NULL)
        return NULL;
    Py_INCREF(fnct);
    f->fnct = fnct;
    f->trampoline = tramp;
    f->address = address;
    Py_INCREF(name);
    f->name = name;
    f->doc = NULL;
    Py_INCREF(module_name);
    f->module_name = module_name;
    f->def.ml_name = PyUnicode_AsUTF8(name);
    if (f->def.ml_name != NULL)
        f->doc = apifunc_doc(fnct, f->def.ml_name, module_name);
    if (f->doc == NULL) {
        Py_DECREF(f);
        return NULL;
    }
    int quick = ccall_trampoline_is_quick(fnct);
    if (quick < 0)
        PyErr_Clear();      /* the call itself will say what is wrong */
    int planned = quick > 0 ? ccall_plan_init(&f->plan, fnct, address) : 0;
    if (planned < 0) {
        PyErr_Clear();
        planned = 0;
    }
    Py_ssize_t nparams = PyTuple_GET_SIZE(fnct->ct_args);
    if (planned > 0) {
        if (nparams == 0) {
            f->def.ml_meth = (PyCFunction)(void (*)(void))apifunc_call_noargs_planned;
            f->def.ml_flags = METH_FASTCALL;
        } else if (nparams == 1) {
            f->def.ml_meth = apifunc_call_o_planned;
            f->def.ml_flags = METH_O;
        } else {
            f->def.ml_meth = (PyCFunction)(void (*)(void))apifunc_call_planned;
            f->def.ml_flags = METH_FASTCALL;
        }
    } else if (nparams == 0) {
        f->def.ml_meth = quick > 0
                         ? (PyCFunction)(void (*)(void))apifunc_call_noargs_quick
                         : (PyCFunction)(void (*)(void))apifunc_call_noargs;
        f->def.ml_flags = METH_FASTCALL;
    } else if (nparams == 1) {
        f->def.ml_meth = quick > 0 ? apifunc_call_o_quick : apifunc_call_o;
        f->def.ml_flags = METH_O;
    } else {
        f->def.ml_meth = quick > 0
                         ? (PyCFunction)(void (*)(void))apifunc_call_quick
                         : (PyCFunction)(void (*)(void))apifunc_call;
        f->def.ml_flags = METH_FASTCALL;
    }
    f->def.ml_doc = PyBytes_AS_STRING(f->doc);
    f->noargs = f->def;
    f->noargs.ml_meth = apifunc_never_called;
    f->noargs.ml_flags = METH_NOARGS;
    PyObject *func = PyCFunction_NewEx(&f->def, (PyObject *)f, module_name);
    Py_DECREF(f);   /* the builtin holds it as __self__ */
    return func;
}

/* The ApiFunc behind a builtin made by apifunc_new, or NULL. */
static ApiFuncObject *apifunc_of(PyObject *obj)
{
    if (!PyCFunction_Check(obj))
        return NULL;
    PyObject *self = PyCFunction_GET_SELF(obj);
    if (self == NULL || Py_TYPE(self) != &ApiFunc_Type)
        return NULL;
    return (ApiFuncObject *)self;
}

CTypeObject *api_function_ctype(PyObject *obj)
{
    ApiFuncObject *f = apifunc_of(obj);
    return f ? f->fnct : NULL;
}

int api_function_refused(CTypeObject *target, CTypeObject *fnct)
{
    if ((target->ct_flags & CT_POINTER)
        && (target->ct_item->ct_flags & CT_PRIMITIVE_CHAR))
        PyErr_Format(PyExc_TypeError, "implicit cast to '%s' from a different "
                     "pointer type.(check that the types are as you expect; "
                     "use an explicit ffi.cast() if they are correct)",
                     target->ct_name);
    else
        PyErr_Format(PyExc_TypeError, "initializer for ctype '%s' must be a "
                     "pointer to same type, not cdata '%s'", target->ct_name,
                     fnct->ct_name);
    return -1;
}

int api_function_address(PyObject *obj, struct CTypeObject *fnct,
                         void **address)
{
    ApiFuncObject *f = apifunc_of(obj);
    if (f == NULL)
        return 0;
    /* as CFFI, which takes it for the cdata of its function pointer: its
     * own type, `void *` or any type for ffi.cast() (fnct NULL) */
    int void_ptr = fnct != NULL && (fnct->ct_flags & CT_POINTER)
                   && (fnct->ct_item->ct_flags & CT_VOID);
    if (fnct != NULL && f->fnct != fnct && !void_ptr)
        return api_function_refused(fnct, f->fnct);
    if (f->address == NULL) {
        PyErr_Format(PyExc_TypeError, "'%U' is a macro in the source: it has "
                     "no address to pass as '%s'", f->name,
                     fnct != NULL ? fnct->ct_name : f->fnct->ct_name);
        return -1;
    }
    *address = f->address;
    return 1;
}

/* ------------------------------------------------------------ globals */

/* A global variable: stored in the Lib's dict, read and written through
 * its address at each access. */
typedef struct ApiGlobalObject {
    PyObject_HEAD
    CTypeObject *ct;
    api_global_getter getter;
    int is_const;
} ApiGlobalObject;

static void apiglobal_dealloc(ApiGlobalObject *g)
{
    Py_XDECREF(g->ct);
    PyObject_Free(g);
}

static PyTypeObject ApiGlobal_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.__GlobalVariable",
    .tp_basicsize = sizeof(ApiGlobalObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)apiglobal_dealloc,
};

/* The variable's address; NULL with ffi.error when a macro gives NULL. */
static char *apiglobal_address(ApiGlobalObject *g, PyObject *name)
{
    char *address = g->getter();
    if (address == NULL)
        PyErr_Format(ccm_error, "global variable '%U' is at address NULL", name);
    return address;
}

static PyObject *apiglobal_read(ApiGlobalObject *g, PyObject *name)
{
    char *address = apiglobal_address(g, name);
    if (address == NULL)
        return NULL;
    /* `extern int glob[];`: as CFFI, a pointer to the first item */
    if ((g->ct->ct_flags & CT_ARRAY) && g->ct->ct_length < 0) {
        CTypeObject *ptr = ctype_pointer_to(g->ct->ct_item);
        if (ptr == NULL)
            return NULL;
        PyObject *res = cdata_new_pointer(ptr, address);
        Py_DECREF(ptr);
        return res;
    }
    /* `typedef ... t;` `extern t glob;`: only its address is usable; a
     * constant of such a type cannot be read at all (CFFI's errors) */
    if ((g->ct->ct_flags & CT_IS_OPAQUE) || g->ct->ct_size < 0) {
        if (g->is_const)
            PyErr_Format(ccm_error, "constant '%U' is of type '%s', whose "
                         "size is not known", name, g->ct->ct_name);
        else
            PyErr_Format(PyExc_TypeError, "cdata '%s' is opaque",
                         g->ct->ct_name);
        return NULL;
    }
    /* arrays and structs are views onto the C variable itself */
    if (g->ct->ct_flags & (CT_ARRAY | CT_STRUCT_OR_UNION))
        return cdata_new_view(g->ct, address, NULL);
    return cconv_to_python(g->ct, address);
}

/* -------------------------------------------------------------- Lib */

typedef struct ApiLibObject {
    PyObject_HEAD
    PyObject *dict;          /* name -> cached attribute */
    FFIObject *ffi;
    api_state *state;
    PyObject *weakreflist;   /* ffi.verify()'s lib can be weakly referenced,
                                as CFFI's (a Python object there) */
} ApiLibObject;

static PyObject *apilib_no_attribute(ApiLibObject *lib, PyObject *name)
{
    return PyErr_Format(PyExc_AttributeError,
                        "cffi library '%U' has no function, constant or global "
                        "variable named '%U'", lib->state->module_name, name);
}

static PyObject *apilib_function(ApiLibObject *lib, const cct_decl *d,
                                 PyObject *name)
{
    api_state *st = lib->state;
    /* without the checks of ffi.typeof(lib.f), as CFFI's lib.f */
    CTypeObject *fnct = ffi_realize_lib_function(lib->ffi, d->type);
    if (fnct == NULL)
        return NULL;
    api_trampoline tramp = st->trampolines[d->slot];
    if (tramp == NULL) {
        /* variadic: through libffi at the function's real address */
        PyObject *f = ccall_new_function(fnct, (void *)st->addresses[d->slot]);
        Py_DECREF(fnct);
        return f;
    }
    PyObject *f = apifunc_new(fnct, tramp, (void *)st->addresses[d->slot],
                              name, st->module_name);
    Py_DECREF(fnct);
    return f;
}

static PyObject *apilib_global(ApiLibObject *lib, const cct_decl *d)
{
    CTypeObject *ct = ffi_realize_type(lib->ffi, d->type);
    if (ct == NULL)
        return NULL;
    ApiGlobalObject *g = PyObject_New(ApiGlobalObject, &ApiGlobal_Type);
    if (g == NULL) {
        Py_DECREF(ct);
        return NULL;
    }
    g->ct = ct;
    g->getter = lib->state->globals[d->slot];
    g->is_const = (d->flags & CCT_DF_CONST) != 0;
    return (PyObject *)g;
}

/* The value of a CONST_* declaration. */
static PyObject *apilib_constant(ApiLibObject *lib, const cct_decl *d)
{
    const cc_table *t = &lib->ffi->table;
    if (d->kind == CCT_DECL_CONST_INT && d->slot != CCT_NO_SLOT)
        return api_runtime_int(lib->state, t, d);
    if (d->kind == CCT_DECL_CONST_INT)
        return (d->flags & CCT_DF_UNSIGNED)
               ? PyLong_FromUnsignedLongLong(d->value)
               : PyLong_FromLongLong((long long)d->value);
    if (d->kind == CCT_DECL_CONST_FLOAT) {
        double x;
        memcpy(&x, &d->value, sizeof x);
        return PyFloat_FromDouble(x);
    }
    /* a string constant: a `char *` cdata into the table, which lives as
     * long as the module's ffi */
    CTypeObject *ct = ffi_realize_type(lib->ffi, d->type);
    if (ct == NULL)
        return NULL;
    PyObject *res = cdata_new_pointer(ct, t->strings + (uint32_t)d->value);
    Py_DECREF(ct);
    return res;
}

/* lib.f of an extern "Python" f: a function pointer cdata to the
 * generated C function, as CFFI gives (its address follows the function
 * slots in the addresses array). */
static PyObject *apilib_extern_python(ApiLibObject *lib, const cct_decl *d)
{
    api_state *st = lib->state;
    CTypeObject *fnct = ffi_realize_type(lib->ffi, d->type);
    if (fnct == NULL)
        return NULL;
    PyObject *res = cdata_new_pointer(
        fnct, (void *)st->addresses[st->nfuncs + (Py_ssize_t)d->slot]);
    Py_DECREF(fnct);
    return res;
}

static PyObject *apilib_enumerator(ApiLibObject *lib, uint32_t index)
{
    const cc_table *t = &lib->ffi->table;
    const cct_enumerator *e = &t->enums[index];
    for (uint32_t i = 0; i < t->ntypes; i++) {
        const cct_type *ty = &t->types[i];
        if (ty->kind == CCT_KIND_ENUM && index >= ty->first
            && index < ty->first + ty->count) {
            if (cc_prims[ty->prim].flags & CCT_PF_UNSIGNED)
                return PyLong_FromUnsignedLongLong(e->value);
            break;
        }
    }
    return PyLong_FromLongLong((long long)e->value);
}

/* `name` from the lib of a compiled module whose ffi this module's cdef
 * included (CFFI's lib re-exports them); AttributeError if none has it. */
static PyObject *apilib_from_included(ApiLibObject *lib, PyObject *name)
{
    PyObject *included = lib->ffi->included;
    for (Py_ssize_t i = 0; included && i < PyList_GET_SIZE(included); i++) {
        FFIObject *other = (FFIObject *)PyList_GET_ITEM(included, i);
        if (other->api_state == NULL)
            continue;
        api_state *ost = PyCapsule_GetPointer(other->api_state, NULL);
        if (ost == NULL)
            return NULL;
        PyObject *mod = PyImport_GetModule(ost->module_name);
        if (mod == NULL) {
            if (PyErr_Occurred())
                return NULL;
            continue;
        }
        PyObject *olib = PyObject_GetAttrString(mod, "lib");
        Py_DECREF(mod);
        if (olib == NULL)
            return NULL;
        PyObject *x = PyObject_GetAttr(olib, name);
        Py_DECREF(olib);
        if (x != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError))
            return x;
        PyErr_Clear();
    }
    return apilib_no_attribute(lib, name);
}

/* -1 with ffi.error if the plugin found that the cdef and the source
 * disagree on `name`'s value (table/contract.h, CCC_MISMATCH_PREFIX), as
 * CFFI raises it when the name is used; 0 otherwise. */
static int apilib_check_mismatch(ApiLibObject *lib, const char *name, size_t len)
{
    const cc_table *t = &lib->ffi->table;
    size_t plen = strlen(CCC_MISMATCH_PREFIX);
    char small[128];
    char *key = plen + len < sizeof small ? small : PyMem_Malloc(plen + len + 1);
    uint32_t ref;
    if (key == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    memcpy(key, CCC_MISMATCH_PREFIX, plen);
    memcpy(key + plen, name, len);
    int found = cc_table_lookup(t, CC_NS_ORDINARY, key, plen + len, &ref) == 1
                && !(ref & CC_REF_ENUMERATOR)
                && t->decls[ref].kind == CCT_DECL_CONST_STRING;
    if (key != small)
        PyMem_Free(key);
    if (!found)
        return 0;
    const cct_decl *d = &t->decls[ref];
    PyObject *msg = PyUnicode_FromStringAndSize(t->strings + (uint32_t)d->value,
                                                (Py_ssize_t)(d->value >> 32));
    if (msg != NULL) {
        PyErr_SetObject(ccm_error, msg);
        Py_DECREF(msg);
    }
    return -1;
}

/* Builds the attribute `name` from the table; NULL with AttributeError if
 * the module declares no such thing. */
static PyObject *apilib_make(ApiLibObject *lib, PyObject *name)
{
    const cc_table *t = &lib->ffi->table;
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(name, &len);
    uint32_t ref;
    if (s == NULL)
        return NULL;
    if (cc_table_lookup(t, CC_NS_ORDINARY, s, (size_t)len, &ref) != 1)
        return apilib_from_included(lib, name);
    if (apilib_check_mismatch(lib, s, (size_t)len) < 0)
        return NULL;
    if (ref & CC_REF_ENUMERATOR)
        return apilib_enumerator(lib, ref & ~CC_REF_ENUMERATOR);
    const cct_decl *d = &t->decls[ref];
    if (api_check_slot(lib->state, t, d) < 0)
        return NULL;
    switch (d->kind) {
    case CCT_DECL_FUNCTION:
        return apilib_function(lib, d, name);
    case CCT_DECL_VARIABLE:
        return apilib_global(lib, d);
    case CCT_DECL_CONST_INT:
    case CCT_DECL_CONST_FLOAT:
    case CCT_DECL_CONST_STRING:
        return apilib_constant(lib, d);
    case CCT_DECL_EXTERN_PYTHON:
        return apilib_extern_python(lib, d);
    default:
        return apilib_no_attribute(lib, name);
    }
}

/* The cached entry for `name` (borrowed), made from the table on first
 * use: the attribute itself, or an ApiGlobal for a global variable. */
static PyObject *apilib_entry(ApiLibObject *lib, PyObject *name)
{
    PyObject *x = PyDict_GetItemWithError(lib->dict, name);
    if (x != NULL || PyErr_Occurred())
        return x;
    x = apilib_make(lib, name);
    if (x == NULL)
        return NULL;
    int rc = PyDict_SetItem(lib->dict, name, x);
    Py_DECREF(x);   /* the dict holds it */
    return rc < 0 ? NULL : x;
}

static PyObject *apilib_names(ApiLibObject *lib, int skip_vars);
static PyObject *apilib_full_dict(ApiLibObject *lib);

static int apilib_is_dunder(PyObject *name)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(name);
    return n > 4 && PyUnicode_READ_CHAR(name, 0) == '_'
           && PyUnicode_READ_CHAR(name, 1) == '_';
}

static PyObject *apilib_getattro(ApiLibObject *lib, PyObject *name)
{
    if (!PyUnicode_Check(name))
        return PyObject_GenericGetAttr((PyObject *)lib, name);
    PyObject *x = PyDict_GetItemWithError(lib->dict, name);
    if (x == NULL) {
        if (PyErr_Occurred())
            return NULL;
        if (apilib_is_dunder(name)) {  /* __dict__, __class__, ... */
            /* a Lib is no module: no loader nor spec, as with CFFI */
            if (PyUnicode_CompareWithASCIIString(name, "__loader__") == 0
                || PyUnicode_CompareWithASCIIString(name, "__spec__") == 0)
                Py_RETURN_NONE;
            if (PyUnicode_CompareWithASCIIString(name, "__all__") == 0)
                return apilib_names(lib, 1);
            if (PyUnicode_CompareWithASCIIString(name, "__dict__") == 0)
                return apilib_full_dict(lib);
            /* module-like, as CFFI's lib: its name is the submodule's, and
             * its __class__ the module type (so that help(lib) works) */
            if (PyUnicode_CompareWithASCIIString(name, "__name__") == 0)
                return PyUnicode_FromFormat("%U.lib", lib->state->module_name);
            if (PyUnicode_CompareWithASCIIString(name, "__class__") == 0) {
                Py_INCREF(&PyModule_Type);
                return (PyObject *)&PyModule_Type;
            }
            return PyObject_GenericGetAttr((PyObject *)lib, name);
        }
        x = apilib_entry(lib, name);
        if (x == NULL)
            return NULL;
    }
    if (Py_TYPE(x) == &ApiGlobal_Type)
        return apiglobal_read((ApiGlobalObject *)x, name);
    Py_INCREF(x);
    return x;
}

static int apilib_setattro(ApiLibObject *lib, PyObject *name, PyObject *value)
{
    if (!PyUnicode_Check(name)) {
        PyErr_SetString(PyExc_TypeError, "attribute name must be a string");
        return -1;
    }
    PyObject *x = apilib_entry(lib, name);
    if (x == NULL)
        return -1;
    if (Py_TYPE(x) != &ApiGlobal_Type || ((ApiGlobalObject *)x)->is_const) {
        PyErr_Format(PyExc_AttributeError,
                     "cannot write to function or constant '%U'", name);
        return -1;
    }
    if (value == NULL) {
        PyErr_Format(PyExc_AttributeError, "cannot delete global variable '%U'",
                     name);
        return -1;
    }
    ApiGlobalObject *g = (ApiGlobalObject *)x;
    char *address = apiglobal_address(g, name);
    if (address == NULL)
        return -1;
    return cconv_from_python(g->ct, address, value);
}

/* The names of every function (extern "Python" ones included, as CFFI's
 * lib lists them), global variable and constant, sorted;
 * without the global variables if skip_vars (lib.__all__, as CFFI: `from
 * lib import *` would copy a variable's value at import time, not the
 * variable). */
static PyObject *apilib_names(ApiLibObject *lib, int skip_vars)
{
    const cc_table *t = &lib->ffi->table;
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    for (uint32_t i = 0; i < t->ndecls; i++) {
        const cct_decl *d = &t->decls[i];
        if (d->kind == CCT_DECL_TYPEDEF || d->kind == CCT_DECL_TAG
            || (skip_vars && d->kind == CCT_DECL_VARIABLE)
            || cc_table_str(t, d->name)[0] == '$')    /* not a C name */
            continue;
        PyObject *s = PyUnicode_FromString(cc_table_str(t, d->name));
        if (s == NULL || PyList_Append(list, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(s);
    }
    for (uint32_t i = 0; i < t->nenums; i++) {
        PyObject *s = PyUnicode_FromString(cc_table_str(t, t->enums[i].name));
        if (s == NULL || PyList_Append(list, s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(s);
    }
    /* in CFFI's order: its table lists the names sorted (C's strcmp, which
     * is code point order for UTF-8, as Python's) */
    if (PyList_Sort(list) < 0) {
        Py_DECREF(list);
        return NULL;
    }
    return list;
}

/* dir(lib): every function, global variable and constant. */
static PyObject *apilib_dir(ApiLibObject *lib, PyObject *noargs)
{
    (void)noargs;
    return apilib_names(lib, 0);
}

/* lib.__dict__: every name of dir(lib) made and cached, so that
 * `from lib import *` and vars(lib) see them all (a global variable is
 * its accessor object there, as in CFFI). */
static PyObject *apilib_full_dict(ApiLibObject *lib)
{
    PyObject *names = apilib_names(lib, 0);
    if (names == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(names); i++) {
        if (apilib_entry(lib, PyList_GET_ITEM(names, i)) == NULL) {
            Py_DECREF(names);
            return NULL;
        }
    }
    Py_DECREF(names);
    return PyDict_Copy(lib->dict);
}

static PyObject *apilib_repr(ApiLibObject *lib)
{
    return PyUnicode_FromFormat("<Lib object for '%U'>", lib->state->module_name);
}

static int apilib_traverse(ApiLibObject *lib, visitproc visit, void *arg)
{
    Py_VISIT(lib->dict);
    Py_VISIT(lib->ffi);
    return 0;
}

static int apilib_clear(ApiLibObject *lib)
{
    Py_CLEAR(lib->dict);
    Py_CLEAR(lib->ffi);
    return 0;
}

static void apilib_dealloc(ApiLibObject *lib)
{
    PyObject_GC_UnTrack(lib);
    if (lib->weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)lib);
    apilib_clear(lib);
    PyObject_GC_Del(lib);
}

static PyMethodDef apilib_methods[] = {
    {"__dir__", (PyCFunction)apilib_dir, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyTypeObject ApiLib_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.Lib",
    .tp_basicsize = sizeof(ApiLibObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The functions, global variables and constants of an API-mode module.",
    .tp_getattro = (getattrofunc)apilib_getattro,
    .tp_setattro = (setattrofunc)apilib_setattro,
    .tp_repr = (reprfunc)apilib_repr,
    .tp_traverse = (traverseproc)apilib_traverse,
    .tp_clear = (inquiry)apilib_clear,
    .tp_dealloc = (destructor)apilib_dealloc,
    .tp_methods = apilib_methods,
    .tp_dictoffset = offsetof(ApiLibObject, dict),
    .tp_weaklistoffset = offsetof(ApiLibObject, weakreflist),
};

/* ffi.addressof(lib, "name"): a function pointer cdata for a function, a
 * "T *" cdata for a global variable. */
PyObject *api_lib_addressof(PyObject *libobj, PyObject *name)
{
    ApiLibObject *lib = (ApiLibObject *)libobj;
    const cc_table *t = &lib->ffi->table;
    Py_ssize_t len;
    uint32_t ref;
    if (!PyUnicode_Check(name))
        return PyErr_Format(PyExc_TypeError, "addressof() expects a name (str), "
                            "not %.200s", Py_TYPE(name)->tp_name);
    const char *s = PyUnicode_AsUTF8AndSize(name, &len);
    if (s == NULL)
        return NULL;
    if (cc_table_lookup(t, CC_NS_ORDINARY, s, (size_t)len, &ref) != 1
        || (ref & CC_REF_ENUMERATOR))
        return apilib_no_attribute(lib, name);
    const cct_decl *d = &t->decls[ref];
    if (d->kind != CCT_DECL_FUNCTION && d->kind != CCT_DECL_VARIABLE)
        return PyErr_Format(PyExc_AttributeError,
                            "cannot take the address of the constant '%U'", name);
    if (api_check_slot(lib->state, t, d) < 0)
        return NULL;
    CTypeObject *ct = ffi_realize_type(lib->ffi, d->type);
    if (ct == NULL)
        return NULL;
    PyObject *res = NULL;
    if (d->kind == CCT_DECL_FUNCTION) {
        void *address = (void *)lib->state->addresses[d->slot];
        if (address == NULL)
            PyErr_Format(PyExc_AttributeError, "cannot take the address of '%U': "
                         "it is a macro in the source", name);
        else
            res = cdata_new_pointer(ct, address);
    } else {
        /* a macro may give NULL: ffi.error, as reading it (CFFI) */
        void *address = lib->state->globals[d->slot]();
        CTypeObject *ptr = NULL;
        if (address == NULL)
            PyErr_Format(ccm_error, "global variable '%U' is at address NULL",
                         name);
        else if ((d->flags & CCT_DF_CONST) && (ct->ct_flags & CT_FUNCTIONPTR))
            /* `int (*const f)(int);`: CFFI's constant function pointer,
             * whose address is itself ('f == &f') */
            res = cconv_to_python(ct, address);
        else
            ptr = ctype_pointer_to(ct);
        if (ptr != NULL) {
            res = cdata_new_pointer(ptr, address);
            Py_DECREF(ptr);
        }
    }
    Py_DECREF(ct);
    return res;
}

PyObject *api_lib_new(struct FFIObject *ffi, api_state *st)
{
    ApiLibObject *lib = PyObject_GC_New(ApiLibObject, &ApiLib_Type);
    if (lib == NULL)
        return NULL;
    lib->dict = PyDict_New();
    Py_INCREF(ffi);
    lib->ffi = ffi;
    lib->state = st;
    lib->weakreflist = NULL;
    PyObject_GC_Track(lib);
    if (lib->dict == NULL) {
        Py_DECREF(lib);
        return NULL;
    }
    return (PyObject *)lib;
}

int api_lib_ready_types(void)
{
    if (PyType_Ready(&ApiFunc_Type) < 0 || PyType_Ready(&ApiGlobal_Type) < 0
        || PyType_Ready(&ApiLib_Type) < 0)
        return -1;
    return 0;
}
