/* api_decls.c - the declarations of an FFI, listed for the API-mode code
 * generator (pysrc/cffi/_codegen.py).
 *
 * _cffi_backend._ccffi_declarations(ffi) walks the FFI's cc_table and returns
 * one tuple per declaration, with every type spelled as C source by
 * cc_spell_type(), so that the generator can write markers, trampolines and
 * extern "Python" functions without knowing the table format:
 *
 *   ("typedef", name, type)
 *   ("struct" | "union", name, typedef_named, flags, fields, pack)
 *        flags: "opaque", "partial" or "exact"; pack: 0, or the packing
 *        the cdef asked for (1 for packed=True); fields: list of
 *        (name, type, bitsize or -1); an anonymous member is listed as
 *        ("", "struct" or "union", -1, nested_fields)
 *   ("enum", name, typedef_named, partial, [(enumerator, value or None)])
 *        name "": an anonymous enum (listed after the declarations)
 *   ("function", name, result, (arg, ...), variadic)
 *   ("extern_python", name, result, (arg, ...), variadic, python_plus_c)
 *   ("variable", name, type, is_const)
 *   ("constant", name, type, value or None)   value None: `...` in the cdef
 *
 * Tags and typedefs are listed once per name, in declaration order.
 *
 * _cffi_backend._ccffi_contract() gives the generator the names and numbers
 * of table/contract.h (marker flags, symbol and macro names, the init ABI
 * version), so that they are written in one place only.
 */
#include <Python.h>
#include "config.h"
#include <string.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "table/contract.h"
#include "table/cspell.h"
#include "api/api_module.h"

/* The C spelling of table type `type` as a str (abstract declarator). */
static PyObject *decls_spell(const cc_table *t, uint32_t type)
{
    char small[256];
    long n = cc_spell_type(t, type, NULL, small, sizeof small);
    if (n < 0)
        return PyErr_Format(PyExc_ValueError,
                            "type %u cannot be spelled as C", (unsigned)type);
    if ((size_t)n < sizeof small)
        return PyUnicode_FromStringAndSize(small, n);
    char *big = PyMem_Malloc((size_t)n + 1);
    if (big == NULL)
        return PyErr_NoMemory();
    cc_spell_type(t, type, NULL, big, (size_t)n + 1);
    PyObject *s = PyUnicode_FromStringAndSize(big, n);
    PyMem_Free(big);
    return s;
}

static PyObject *decls_str(const cc_table *t, uint32_t off)
{
    return PyUnicode_FromString(cc_table_str(t, off));
}

static PyObject *decls_record_fields(const cc_table *t, const cct_type *ty,
                                     int depth);

/* One member: (name, type, bitsize) or, for an anonymous record member,
 * ("", "struct" or "union", -1, nested fields). */
static PyObject *decls_field(const cc_table *t, const cct_field *f, int depth)
{
    const cct_type *ft = &t->types[f->type];
    int anonymous = f->name == 0 && f->bitsize == CCT_NOT_BITFIELD
                    && (ft->kind == CCT_KIND_STRUCT || ft->kind == CCT_KIND_UNION);
    if (anonymous) {
        PyObject *nested = decls_record_fields(t, ft, depth + 1);
        if (nested == NULL)
            return NULL;
        return Py_BuildValue("(ssiN)", "",
                             ft->kind == CCT_KIND_UNION ? "union" : "struct",
                             -1, nested);
    }
    PyObject *type = decls_spell(t, f->type);
    if (type == NULL)
        return NULL;
    return Py_BuildValue("(NNi)", decls_str(t, f->name), type,
                         f->bitsize == CCT_NOT_BITFIELD ? -1 : f->bitsize);
}

static PyObject *decls_record_fields(const cc_table *t, const cct_type *ty,
                                     int depth)
{
    if (depth > 64)
        return PyErr_Format(PyExc_ValueError, "anonymous members nested too deep");
    PyObject *list = PyList_New(ty->count);
    if (list == NULL)
        return NULL;
    for (uint32_t i = 0; i < ty->count; i++) {
        PyObject *item = decls_field(t, &t->fields[ty->first + i], depth);
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

static PyObject *decls_record(const cc_table *t, uint32_t type)
{
    const cct_type *ty = &t->types[type];
    const char *flags = (ty->flags & CCT_TF_OPAQUE) ? "opaque"
                      : (ty->flags & CCT_TF_PARTIAL) ? "partial" : "exact";
    PyObject *fields = (ty->flags & CCT_TF_OPAQUE)
                       ? PyList_New(0) : decls_record_fields(t, ty, 0);
    if (fields == NULL)
        return NULL;
    unsigned long long pack = (ty->flags & CCT_TF_PACKED) ? ty->length : 0;
    return Py_BuildValue("(sNOsNK)",
                         ty->kind == CCT_KIND_UNION ? "union" : "struct",
                         decls_str(t, ty->name),
                         (ty->flags & CCT_TF_TYPEDEF_NAMED) ? Py_True : Py_False,
                         flags, fields, pack);
}

/* An enumerator's value as a Python int, signed or not as its enum. */
static PyObject *decls_enum_value(const cct_type *ty, const cct_enumerator *e)
{
    if (e->flags & CCT_EF_DOTS_VALUE)
        Py_RETURN_NONE;
    if (cc_prims[ty->prim].flags & CCT_PF_UNSIGNED)
        return PyLong_FromUnsignedLongLong(e->value);
    return PyLong_FromLongLong((long long)e->value);
}

static PyObject *decls_enum(const cc_table *t, uint32_t type)
{
    const cct_type *ty = &t->types[type];
    PyObject *list = PyList_New(ty->count);
    if (list == NULL)
        return NULL;
    for (uint32_t i = 0; i < ty->count; i++) {
        const cct_enumerator *e = &t->enums[ty->first + i];
        PyObject *item = Py_BuildValue("(NN)", decls_str(t, e->name),
                                       decls_enum_value(ty, e));
        if (item == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return Py_BuildValue("(sNOON)", "enum", decls_str(t, ty->name),
                         (ty->flags & CCT_TF_TYPEDEF_NAMED) ? Py_True : Py_False,
                         (ty->flags & CCT_TF_PARTIAL) ? Py_True : Py_False, list);
}

/* (result, (args...), variadic) of a FUNCTION type. */
static PyObject *decls_signature(const cc_table *t, uint32_t type)
{
    const cct_type *fn = &t->types[type];
    if (fn->kind != CCT_KIND_FUNCTION)
        return PyErr_Format(PyExc_ValueError, "declaration of a non-function type");
    PyObject *args = PyTuple_New(fn->count);
    if (args == NULL)
        return NULL;
    for (uint32_t i = 0; i < fn->count; i++) {
        PyObject *a = decls_spell(t, t->args[fn->first + i]);
        if (a == NULL) {
            Py_DECREF(args);
            return NULL;
        }
        PyTuple_SET_ITEM(args, i, a);
    }
    return Py_BuildValue("(NNO)", decls_spell(t, fn->item), args,
                         (fn->flags & CCT_TF_VARIADIC) ? Py_True : Py_False);
}

static PyObject *decls_function(const cc_table *t, const cct_decl *d,
                                const char *kind)
{
    PyObject *sig = decls_signature(t, d->type);
    if (sig == NULL)
        return NULL;
    PyObject *res;
    if (d->kind == CCT_DECL_EXTERN_PYTHON)
        res = Py_BuildValue("(sNOOOO)", kind, decls_str(t, d->name),
                            PyTuple_GET_ITEM(sig, 0), PyTuple_GET_ITEM(sig, 1),
                            PyTuple_GET_ITEM(sig, 2),
                            (d->flags & CCT_DF_PYTHON_C) ? Py_True : Py_False);
    else
        res = Py_BuildValue("(sNOOO)", kind, decls_str(t, d->name),
                            PyTuple_GET_ITEM(sig, 0), PyTuple_GET_ITEM(sig, 1),
                            PyTuple_GET_ITEM(sig, 2));
    Py_DECREF(sig);
    return res;
}

static PyObject *decls_constant(const cc_table *t, const cct_decl *d)
{
    PyObject *value;
    if (d->flags & CCT_DF_DOTS_VALUE) {
        Py_INCREF(Py_None);
        value = Py_None;
    } else if (d->kind == CCT_DECL_CONST_INT) {
        value = (d->flags & CCT_DF_UNSIGNED)
                ? PyLong_FromUnsignedLongLong(d->value)
                : PyLong_FromLongLong((long long)d->value);
    } else if (d->kind == CCT_DECL_CONST_FLOAT) {
        double x;
        memcpy(&x, &d->value, sizeof x);
        value = PyFloat_FromDouble(x);
    } else {
        uint32_t off = (uint32_t)d->value, len = (uint32_t)(d->value >> 32);
        value = PyBytes_FromStringAndSize(t->strings + off, len);
    }
    if (value == NULL)
        return NULL;
    return Py_BuildValue("(sNNN)", "constant", decls_str(t, d->name),
                         decls_spell(t, d->type), value);
}

/* A struct, union or enum: as a record or enum tuple. */
static PyObject *decls_tagged(const cc_table *t, uint32_t type)
{
    if (t->types[type].kind == CCT_KIND_ENUM)
        return decls_enum(t, type);
    return decls_record(t, type);
}

/* True for `typedef struct { ... } name;`: the typedef names the record. */
static int decls_names_its_record(const cc_table *t, const cct_decl *d)
{
    const cct_type *ty = &t->types[d->type];
    return (ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION
            || ty->kind == CCT_KIND_ENUM)
           && (ty->flags & CCT_TF_TYPEDEF_NAMED) && ty->name == d->name;
}

/* The tuple describing decl `d`. */
static PyObject *decls_one(const cc_table *t, const cct_decl *d)
{
    switch (d->kind) {
    case CCT_DECL_TYPEDEF:
        if (decls_names_its_record(t, d))
            return decls_tagged(t, d->type);
        return Py_BuildValue("(sNN)", "typedef", decls_str(t, d->name),
                             decls_spell(t, d->type));
    case CCT_DECL_TAG:
        return decls_tagged(t, d->type);
    case CCT_DECL_FUNCTION:
        return decls_function(t, d, "function");
    case CCT_DECL_EXTERN_PYTHON:
        return decls_function(t, d, "extern_python");
    case CCT_DECL_VARIABLE:
        return Py_BuildValue("(sNNO)", "variable", decls_str(t, d->name),
                             decls_spell(t, d->type),
                             (d->flags & CCT_DF_CONST) ? Py_True : Py_False);
    case CCT_DECL_CONST_INT:
    case CCT_DECL_CONST_FLOAT:
    case CCT_DECL_CONST_STRING:
        return decls_constant(t, d);
    default:
        return PyErr_Format(PyExc_ValueError, "unknown declaration kind %d", d->kind);
    }
}

/* True if decl i is the one its name currently refers to (a redefinition
 * with override=True leaves the old record behind). */
static int decls_is_current(const cc_table *t, uint32_t i)
{
    const cct_decl *d = &t->decls[i];
    const char *name = cc_table_str(t, d->name);
    int ns = d->kind == CCT_DECL_TAG ? CC_NS_TAG : CC_NS_ORDINARY;
    uint32_t ref;
    if (cc_table_lookup(t, ns, name, strlen(name), &ref) != 1)
        return 0;
    return ref == i;
}

static PyObject *api_declarations(PyObject *self, PyObject *arg)
{
    (void)self;
    if (!FFI_Check(arg))
        return PyErr_Format(PyExc_TypeError, "expected an FFI object, got %.200s",
                            Py_TYPE(arg)->tp_name);
    const cc_table *t = &((FFIObject *)arg)->table;
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    for (uint32_t i = 0; i < t->ndecls; i++) {
        if (!decls_is_current(t, i))
            continue;
        PyObject *item = decls_one(t, &t->decls[i]);
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(item);
    }
    /* anonymous enums (`enum { A, B };`): no declaration names them, C
     * knows their enumerators */
    for (uint32_t i = 0; i < t->ntypes; i++) {
        const cct_type *ty = &t->types[i];
        if (ty->kind != CCT_KIND_ENUM || ty->name != 0 || ty->count == 0
            || (ty->flags & (CCT_TF_OPAQUE | CCT_TF_TYPEDEF_NAMED)))
            continue;
        PyObject *item = decls_enum(t, i);
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(item);
    }
    return list;
}

/* One contract entry: key -> int or str.  0 or -1. */
static int contract_put(PyObject *dict, const char *key, PyObject *value)
{
    int rc = value == NULL ? -1 : PyDict_SetItemString(dict, key, value);
    Py_XDECREF(value);
    return rc;
}

static PyObject *api_contract(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
#define CONTRACT_INT(key, value) \
    contract_put(d, key, PyLong_FromUnsignedLong(value)) < 0
#define CONTRACT_STR(key, value) \
    contract_put(d, key, PyUnicode_FromString(value)) < 0
    if (CONTRACT_STR("attribute", CCC_ATTRIBUTE_NAME)
        || CONTRACT_STR("plugin_macro", CCC_PLUGIN_MACRO)
        || CONTRACT_STR("table_symbol", CCC_TABLE_SYMBOL)
        || CONTRACT_STR("init_function", CCC_INIT_FUNCTION)
        || CONTRACT_INT("init_abi_version", CCC_INIT_ABI_VERSION)
        || CONTRACT_INT("init_abi_min", CCC_INIT_ABI_MIN)
        || CONTRACT_INT("MF_EXACT", CCC_MF_EXACT)
        || CONTRACT_INT("MF_BODY", CCC_MF_BODY)
        || CONTRACT_INT("MF_FIELDS", CCC_MF_FIELDS)
        || CONTRACT_INT("MF_OPAQUE", CCC_MF_OPAQUE)
        || CONTRACT_INT("MF_CDEF", CCC_MF_CDEF)
        || CONTRACT_INT("MF_LISTED", CCC_MF_LISTED)
        || CONTRACT_INT("MF_FLOAT_DOTS", CCC_MF_FLOAT_DOTS)
        || CONTRACT_INT("MF_CHECK_ONLY", CCC_MF_CHECK_ONLY)
        || CONTRACT_INT("MF_ENUMERATOR", CCC_MF_ENUMERATOR)
        || CONTRACT_INT("MF_RUNTIME", CCC_MF_RUNTIME)
        || CONTRACT_INT("MF_SLOT_SHIFT", CCC_MF_SLOT_SHIFT)
        || CONTRACT_STR("capsule_trampolines", CCC_CAPSULE_TRAMPOLINES)
        || CONTRACT_STR("capsule_addresses", CCC_CAPSULE_ADDRESSES)
        || CONTRACT_STR("capsule_globals", CCC_CAPSULE_GLOBALS)
        || CONTRACT_STR("capsule_python_hook", CCC_CAPSULE_PYTHON_HOOK)) {
        Py_DECREF(d);
        return NULL;
    }
#undef CONTRACT_INT
#undef CONTRACT_STR
    return d;
}

static PyMethodDef api_decls_functions[] = {
    {"_ccffi_contract", api_contract, METH_NOARGS,
     "The names and numbers of ccffi's generator/plugin/runtime contract "
     "(runtime/table/contract.h), for the code generator."},
    {"_ccffi_declarations", api_declarations, METH_O,
     "List an FFI's declarations with C spellings (for the code generator)."},
    {NULL, NULL, 0, NULL},
};

int api_decls_init_module(PyObject *m)
{
    return PyModule_AddFunctions(m, api_decls_functions);
}
