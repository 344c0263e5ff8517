/* compat_lib.c - the `lib` of a module built by real CFFI.
 *
 * Its attributes are made on first access from the module's globals (the
 * context's sorted array) and cached in its dict, as CFFI's Lib does:
 * functions are builtin functions whose C body is the module's own
 * generated wrapper (their argument and result types realized first, since
 * the wrapper reads them from the types array); integer constants and
 * enumerators come from the module's getters, checked against the cdef;
 * other constants are read once; global variables are read and written
 * through their address at each access; extern "Python" functions are
 * function pointers.  A name the module lacks is looked up in the libs of
 * the modules it included.  Also what the rest of the runtime asks of
 * lib.f: its type and its direct C address (ffi.addressof, passing it
 * where C expects a function pointer).
 */
#include <Python.h>
#include "config.h"
#include <string.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "object/ctype_obj.h"
#include "object/cdata.h"
#include "object/cconv.h"
#include "api/api_module.h"
#include "compat/compat_ctx.h"
#include "compat/compat_state.h"
#include "compat/compat.h"

/* ---------------------------------------------------------- functions */

typedef struct CompatFuncObject {
    PyObject_HEAD
    PyMethodDef def;        /* outlives the builtin: lives here */
    CTypeObject *fnct;      /* its FUNCTIONPTR type */
    void *direct;           /* the C function itself */
    PyObject *doc;          /* owns the text def.ml_doc points into */
} CompatFuncObject;

static void compatfunc_dealloc(CompatFuncObject *f)
{
    Py_XDECREF(f->fnct);
    Py_XDECREF(f->doc);
    PyObject_Free(f);
}

static PyTypeObject CompatFunc_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.__CFFIExtFunction",
    .tp_basicsize = sizeof(CompatFuncObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The C side of a function of a module built by real CFFI.",
    .tp_dealloc = (destructor)compatfunc_dealloc,
};

static CompatFuncObject *compatfunc_of(PyObject *obj)
{
    if (!PyCFunction_Check(obj))
        return NULL;
    PyObject *self = PyCFunction_GET_SELF(obj);
    if (self == NULL || Py_TYPE(self) != &CompatFunc_Type)
        return NULL;
    return (CompatFuncObject *)self;
}

CTypeObject *compat_function_ctype(PyObject *obj)
{
    CompatFuncObject *f = compatfunc_of(obj);
    return f ? f->fnct : NULL;
}

/* The hook of object/cconv.h: lib.f of a CFFI-built module, or of one of
 * ours (api/), passed where C expects a function pointer. */
static int compat_function_address(PyObject *obj, CTypeObject *fnct,
                                   void **address)
{
    CompatFuncObject *f = compatfunc_of(obj);
    if (f == NULL)
        return api_function_address(obj, fnct, address);
    /* its own type, `void *`, or any type for ffi.cast() (fnct NULL) */
    int void_ptr = fnct != NULL && (fnct->ct_flags & CT_POINTER)
                   && (fnct->ct_item->ct_flags & CT_VOID);
    if (fnct != NULL && f->fnct != fnct && !void_ptr)
        /* CFFI 2 treats it as the cdata of its function pointer */
        return api_function_refused(fnct, f->fnct);
    *address = f->direct;
    return 1;
}

/* "int add(int, int);\n\nCFFI C function from mod.lib", as CFFI writes it. */
static PyObject *compatfunc_doc(CTypeObject *fnct, const char *name,
                                PyObject *module_name)
{
    PyObject *decl = PyUnicode_FromFormat("%s(", name);
    Py_ssize_t n = PyTuple_GET_SIZE(fnct->ct_args);
    for (Py_ssize_t i = 0; decl != NULL && i < n; i++) {
        CTypeObject *a = (CTypeObject *)PyTuple_GET_ITEM(fnct->ct_args, i);
        PyObject *more = PyUnicode_FromFormat("%U%s%s", decl, i ? ", " : "",
                                              a->ct_name);
        Py_SETREF(decl, more);
    }
    if (decl == NULL)
        return NULL;
    PyObject *full = PyUnicode_FromFormat("%U%s)", decl,
                                          (fnct->ct_flags & CT_VARIADIC)
                                          ? (n ? ", ..." : "...")
                                          : (n ? "" : "void"));
    Py_DECREF(decl);
    if (full == NULL)
        return NULL;
    /* "int" + " add(int)", "char *" + "add(int)" */
    CTypeObject *res = fnct->ct_item;
    int pos = res->ct_name_position;
    int space = pos > 0 && res->ct_name[pos - 1] != '*' && res->ct_name[pos - 1] != '(';
    PyObject *declarator = space ? PyUnicode_FromFormat(" %U", full) : full;
    if (space)
        Py_DECREF(full);
    if (declarator == NULL)
        return NULL;
    const char *d = PyUnicode_AsUTF8(declarator);
    PyObject *spliced = d ? ctype_name_with(res, d) : NULL;
    Py_DECREF(declarator);
    if (spliced == NULL)
        return NULL;
    PyObject *doc = PyUnicode_FromFormat("%U;\n\nCFFI C function from %U.lib",
                                         spliced, module_name);
    Py_DECREF(spliced);
    return doc;
}

static PyObject *compatlib_function(compat_module *cm,
                                    const struct compat_global *g, int flags)
{
    CTypeObject *fnct = compat_realize_function(cm, compat_getarg(g->type_op));
    if (fnct == NULL)
        return NULL;
    CompatFuncObject *f = PyObject_New(CompatFuncObject, &CompatFunc_Type);
    if (f == NULL) {
        Py_DECREF(fnct);
        return NULL;
    }
    f->fnct = fnct;
    f->direct = g->size_or_direct_fn;
    f->doc = compatfunc_doc(fnct, g->name, cm->name);
    f->def.ml_name = g->name;   /* in the module's data, forever */
    f->def.ml_meth = (PyCFunction)(void (*)(void))g->address;
    f->def.ml_flags = flags;
    f->def.ml_doc = f->doc ? PyUnicode_AsUTF8(f->doc) : NULL;
    PyObject *func = f->def.ml_doc
                     ? PyCFunction_NewEx(&f->def, (PyObject *)f, cm->name) : NULL;
    Py_DECREF(f);   /* the builtin holds it as __self__ */
    return func;
}

/* ------------------------------------------------------------ globals */

typedef void *(*compat_var_getter)(void);

typedef struct CompatGlobalObject {
    PyObject_HEAD
    CTypeObject *ct;
    void *address;              /* or NULL: ask the getter each time */
    compat_var_getter getter;
} CompatGlobalObject;

static void compatglobal_dealloc(CompatGlobalObject *g)
{
    Py_XDECREF(g->ct);
    PyObject_Free(g);
}

static PyTypeObject CompatGlobal_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.__CFFIGlobSupport",
    .tp_basicsize = sizeof(CompatGlobalObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)compatglobal_dealloc,
};

static char *compatglobal_address(CompatGlobalObject *g)
{
    return g->address ? g->address : g->getter();
}

static PyObject *compatglobal_read(CompatGlobalObject *g)
{
    char *address = compatglobal_address(g);
    if (g->ct->ct_flags & (CT_ARRAY | CT_STRUCT_OR_UNION))
        return cdata_new_view(g->ct, address, NULL);
    return cconv_to_python(g->ct, address);
}

static PyObject *compatlib_global(compat_module *cm, const struct compat_global *g,
                                  int with_getter)
{
    CTypeObject *ct = compat_realize(cm, compat_getarg(g->type_op));
    if (ct == NULL)
        return NULL;
    Py_ssize_t size = (Py_ssize_t)g->size_or_direct_fn;
    if (!with_getter && size != 0 && ct->ct_size > 0 && size != ct->ct_size) {
        PyErr_Format(ccm_FFIError, "global variable '%.200s' should be %zd "
                     "bytes according to the cdef, but is actually %zd",
                     g->name, ct->ct_size, size);
        Py_DECREF(ct);
        return NULL;
    }
    CompatGlobalObject *v = PyObject_New(CompatGlobalObject, &CompatGlobal_Type);
    if (v == NULL) {
        Py_DECREF(ct);
        return NULL;
    }
    v->ct = ct;
    v->address = with_getter ? NULL : g->address;
    v->getter = with_getter ? (compat_var_getter)g->address : NULL;
    return (PyObject *)v;
}

/* ---------------------------------------------------------- constants */

struct compat_getconst {
    unsigned long long value;
    const struct compat_type_context *ctx;
    int gindex;
};

static PyObject *compatlib_int_constant(compat_module *cm, int gindex)
{
    const struct compat_global *g = &cm->ctx->globals[gindex];
    struct compat_getconst gc = {0, cm->ctx, gindex};
    int neg = ((int (*)(struct compat_getconst *))g->address)(&gc);
    char got[64];
    if (neg == 0)
        return PyLong_FromUnsignedLongLong(gc.value);
    if (neg == 1)
        return PyLong_FromLongLong((long long)gc.value);
    if (neg == 2)
        PyOS_snprintf(got, sizeof got, "%llu (0x%llx)", gc.value, gc.value);
    else
        PyOS_snprintf(got, sizeof got, "%lld", (long long)gc.value);
    PyErr_Format(ccm_FFIError, "the C compiler says '%.200s' is equal to %s, "
                 "but the cdef disagrees", g->name, got);
    return NULL;
}

static PyObject *compatlib_constant(compat_module *cm, const struct compat_global *g)
{
    CTypeObject *ct = compat_realize(cm, compat_getarg(g->type_op));
    if (ct == NULL)
        return NULL;
    if (ct->ct_size <= 0) {
        PyErr_Format(ccm_FFIError, "constant '%s' is of type '%s', whose size "
                     "is not known", g->name, ct->ct_name);
        Py_DECREF(ct);
        return NULL;
    }
    char *data = PyMem_Malloc((size_t)ct->ct_size);
    if (data == NULL) {
        Py_DECREF(ct);
        return PyErr_NoMemory();
    }
    ((void (*)(char *))g->address)(data);
    PyObject *x = (ct->ct_flags & (CT_STRUCT_OR_UNION | CT_ARRAY))
                  ? cdata_new_view(ct, data, NULL)   /* data lives forever, as in CFFI */
                  : cconv_to_python(ct, data);
    if (!(ct->ct_flags & (CT_STRUCT_OR_UNION | CT_ARRAY)))
        PyMem_Free(data);
    Py_DECREF(ct);
    return x;
}

/* ---------------------------------------------------------------- Lib */

typedef struct CompatLibObject {
    PyObject_HEAD
    PyObject *dict;          /* name -> cached attribute */
    compat_module *cm;
} CompatLibObject;

static PyTypeObject CompatLib_Type;

int compat_lib_check(PyObject *obj)
{
    return Py_TYPE(obj) == &CompatLib_Type;
}

static PyObject *compatlib_build(CompatLibObject *lib, PyObject *name, int depth);

/* A name of an included module's lib; NULL with no exception when absent. */
static PyObject *compatlib_included(CompatLibObject *lib, PyObject *name, int depth)
{
    PyObject *libs = lib->cm->included_libs;
    for (Py_ssize_t i = 0; libs != NULL && i < PyTuple_GET_SIZE(libs); i++) {
        PyObject *other = PyTuple_GET_ITEM(libs, i);
        PyObject *x;
        if (compat_lib_check(other)) {
            if (depth > 100) {
                PyErr_SetString(PyExc_RuntimeError,
                                "recursion overflow in ffi.include() delegations");
                return NULL;
            }
            x = PyDict_GetItemWithError(((CompatLibObject *)other)->dict, name);
            if (x != NULL) {
                Py_INCREF(x);
                return x;
            }
            if (PyErr_Occurred())
                return NULL;
            x = compatlib_build((CompatLibObject *)other, name, depth + 1);
        } else {
            x = PyObject_GetAttr(other, name);
        }
        if (x != NULL)
            return x;
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return NULL;
        PyErr_Clear();
    }
    return NULL;
}

/* Builds and caches attribute `name`: a new reference, or NULL (with an
 * AttributeError when at depth 0 and absent everywhere). */
static PyObject *compatlib_build(CompatLibObject *lib, PyObject *name, int depth)
{
    compat_module *cm = lib->cm;
    const char *s = PyUnicode_AsUTF8(name);
    if (s == NULL)
        return NULL;
    int index = compat_find_global(cm->ctx, s);
    PyObject *x;
    if (index < 0) {
        x = compatlib_included(lib, name, depth);
        if (x == NULL && !PyErr_Occurred())
            PyErr_Format(PyExc_AttributeError, "cffi library '%U' has no "
                         "function, constant or global variable named '%.200s'",
                         cm->name, s);
        if (x == NULL || depth > 0)
            return x;
    } else {
        const struct compat_global *g = &cm->ctx->globals[index];
        switch (compat_getop(g->type_op)) {
        case COMPAT_OP_CPYTHON_BLTN_V:
            x = compatlib_function(cm, g, METH_VARARGS);
            break;
        case COMPAT_OP_CPYTHON_BLTN_N:
            x = compatlib_function(cm, g, METH_NOARGS);
            break;
        case COMPAT_OP_CPYTHON_BLTN_O:
            x = compatlib_function(cm, g, METH_O);
            break;
        case COMPAT_OP_CONSTANT_INT:
        case COMPAT_OP_ENUM:
            x = compatlib_int_constant(cm, index);
            break;
        case COMPAT_OP_CONSTANT:
            x = compatlib_constant(cm, g);
            break;
        case COMPAT_OP_GLOBAL_VAR:
            x = compatlib_global(cm, g, 0);
            break;
        case COMPAT_OP_GLOBAL_VAR_F:
            x = compatlib_global(cm, g, 1);
            break;
        case COMPAT_OP_EXTERN_PYTHON: {
            CTypeObject *ct = compat_realize(cm, compat_getarg(g->type_op));
            x = ct ? cdata_new_pointer(ct, g->size_or_direct_fn) : NULL;
            Py_XDECREF(ct);
            break;
        }
        default:
            return PyErr_Format(PyExc_NotImplementedError, "in lib_build_attr: "
                                "op=%d", compat_getop(g->type_op));
        }
    }
    if (x != NULL && PyDict_SetItem(lib->dict, name, x) < 0)
        Py_CLEAR(x);
    return x;
}

/* The cached or new attribute (new reference), NULL with an exception. */
static PyObject *compatlib_get(CompatLibObject *lib, PyObject *name)
{
    PyObject *x = PyDict_GetItemWithError(lib->dict, name);
    if (x != NULL) {
        Py_INCREF(x);
        return x;
    }
    if (PyErr_Occurred())
        return NULL;
    return compatlib_build(lib, name, 0);
}

static PyObject *compatlib_dir1(CompatLibObject *lib, int skip_vars)
{
    const struct compat_type_context *ctx = lib->cm->ctx;
    PyObject *lst = PyList_New(0);
    for (int i = 0; lst != NULL && i < ctx->num_globals; i++) {
        int op = compat_getop(ctx->globals[i].type_op);
        if (skip_vars && (op == COMPAT_OP_GLOBAL_VAR || op == COMPAT_OP_GLOBAL_VAR_F))
            continue;
        PyObject *s = PyUnicode_FromString(ctx->globals[i].name);
        if (s == NULL || PyList_Append(lst, s) < 0)
            Py_CLEAR(lst);
        Py_XDECREF(s);
    }
    return lst;
}

static PyObject *compatlib_dict(CompatLibObject *lib)
{
    PyObject *names = compatlib_dir1(lib, 0);
    PyObject *d = names ? PyDict_New() : NULL;
    for (Py_ssize_t i = 0; d != NULL && i < PyList_GET_SIZE(names); i++) {
        PyObject *name = PyList_GET_ITEM(names, i);
        PyObject *x = compatlib_get(lib, name);
        if (x == NULL || PyDict_SetItem(d, name, x) < 0)
            Py_CLEAR(d);
        Py_XDECREF(x);
    }
    Py_XDECREF(names);
    return d;
}

static PyObject *compatlib_getattro(CompatLibObject *lib, PyObject *name)
{
    PyObject *x = compatlib_get(lib, name);
    if (x != NULL) {
        if (Py_TYPE(x) == &CompatGlobal_Type) {
            PyObject *v = compatglobal_read((CompatGlobalObject *)x);
            Py_DECREF(x);
            return v;
        }
        return x;
    }
    if (!PyErr_ExceptionMatches(PyExc_AttributeError))
        return NULL;
    const char *p = PyUnicode_AsUTF8(name);
    if (p == NULL)
        return NULL;
    if (strcmp(p, "__all__") == 0) {
        PyErr_Clear();
        return compatlib_dir1(lib, 1);
    }
    if (strcmp(p, "__dict__") == 0) {
        PyErr_Clear();
        return compatlib_dict(lib);
    }
    if (strcmp(p, "__class__") == 0) {
        PyErr_Clear();
        Py_INCREF(&PyModule_Type);
        return (PyObject *)&PyModule_Type;
    }
    if (strcmp(p, "__name__") == 0) {
        PyErr_Clear();
        return PyUnicode_FromFormat("%U.lib", lib->cm->name);
    }
    if (strcmp(p, "__loader__") == 0 || strcmp(p, "__spec__") == 0) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    /* the type's own methods (__dir__, ...) */
    PyErr_Clear();
    PyObject *res = PyObject_GenericGetAttr((PyObject *)lib, name);
    if (res == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        PyErr_Format(PyExc_AttributeError, "cffi library '%U' has no function, "
                     "constant or global variable named '%U'", lib->cm->name, name);
    }
    return res;
}

static int compatlib_setattro(CompatLibObject *lib, PyObject *name, PyObject *value)
{
    PyObject *x = compatlib_get(lib, name);
    if (x == NULL)
        return -1;
    int rc = -1;
    if (value == NULL)
        PyErr_SetString(PyExc_AttributeError, "C attribute cannot be deleted");
    else if (Py_TYPE(x) == &CompatGlobal_Type) {
        CompatGlobalObject *g = (CompatGlobalObject *)x;
        rc = cconv_from_python(g->ct, compatglobal_address(g), value);
    } else
        PyErr_Format(PyExc_AttributeError, "cannot write to function or "
                     "constant '%U'", name);
    Py_DECREF(x);
    return rc;
}

PyObject *compat_lib_addressof(PyObject *self, PyObject *name)
{
    CompatLibObject *lib = (CompatLibObject *)self;
    PyObject *x = compatlib_get(lib, name);
    if (x == NULL)
        return NULL;
    PyObject *res = NULL;
    CompatFuncObject *f = compatfunc_of(x);
    if (Py_TYPE(x) == &CompatGlobal_Type) {
        CompatGlobalObject *g = (CompatGlobalObject *)x;
        CTypeObject *ptr = ctype_pointer_to(g->ct);
        if (ptr != NULL) {
            res = cdata_new_pointer(ptr, compatglobal_address(g));
            Py_DECREF(ptr);
        }
    } else if (f != NULL) {
        res = cdata_new_pointer(f->fnct, f->direct);
    } else if (CData_Check(x) && (CData_CType(x)->ct_flags & CT_FUNCTIONPTR)) {
        Py_INCREF(x);
        res = x;
    } else {
        PyErr_Format(PyExc_AttributeError, "cannot take the address of the "
                     "constant '%U'", name);
    }
    Py_DECREF(x);
    return res;
}

static PyObject *compatlib_dir(PyObject *self, PyObject *noarg)
{
    (void)noarg;
    return compatlib_dir1((CompatLibObject *)self, 0);
}

static PyMethodDef compatlib_methods[] = {
    {"__dir__", compatlib_dir, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyObject *compatlib_repr(CompatLibObject *lib)
{
    return PyUnicode_FromFormat("<Lib object for '%U'>", lib->cm->name);
}

static int compatlib_traverse(CompatLibObject *lib, visitproc visit, void *arg)
{
    Py_VISIT(lib->dict);
    return 0;
}

static int compatlib_clear(CompatLibObject *lib)
{
    Py_CLEAR(lib->dict);
    return 0;
}

static void compatlib_dealloc(CompatLibObject *lib)
{
    PyObject_GC_UnTrack(lib);
    Py_XDECREF(lib->dict);
    PyObject_GC_Del(lib);
}

static PyTypeObject CompatLib_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.Lib",
    .tp_basicsize = sizeof(CompatLibObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "The lib of a module built by real CFFI.",
    .tp_dealloc = (destructor)compatlib_dealloc,
    .tp_repr = (reprfunc)compatlib_repr,
    .tp_getattro = (getattrofunc)compatlib_getattro,
    .tp_setattro = (setattrofunc)compatlib_setattro,
    .tp_traverse = (traverseproc)compatlib_traverse,
    .tp_clear = (inquiry)compatlib_clear,
    .tp_methods = compatlib_methods,
};

PyObject *compat_lib_new(compat_module *cm)
{
    CompatLibObject *lib = PyObject_GC_New(CompatLibObject, &CompatLib_Type);
    if (lib == NULL)
        return NULL;
    lib->cm = cm;
    lib->dict = PyDict_New();
    if (lib->dict == NULL) {
        Py_DECREF(lib);
        return NULL;
    }
    PyObject_GC_Track(lib);
    return (PyObject *)lib;
}

int compat_lib_ready_types(void)
{
    if (PyType_Ready(&CompatFunc_Type) < 0 || PyType_Ready(&CompatGlobal_Type) < 0
        || PyType_Ready(&CompatLib_Type) < 0)
        return -1;
    cconv_set_function_hook(compat_function_address);
    return 0;
}
