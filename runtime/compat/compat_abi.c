/* compat_abi.c - the out-of-line ABI modules of real CFFI.
 *
 * Such a module is a .py file doing
 *     ffi = _cffi_backend.FFI('name', _version=0x2601, _types=b'...',
 *             _globals=(b'\x00\x00\x15#name', 0, ...), _struct_unions=(...),
 *             _enums=(...), _typenames=(...), _includes=(other_ffi,))
 * i.e. CFFI's type context serialised: every opcode or number as 4 bytes,
 * big-endian, followed by a name where one is needed.  compat_ffi_init()
 * unpacks it into the context structs of compat_ctx.h (every length
 * checked: a bytes object too short for its fixed part is refused) and
 * translates it into the new ffi's table in ABI form (functions and
 * variables become declarations that ffi.dlopen() resolves, structs are
 * laid out by the layout engine).  Nothing of the arguments is kept.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "config.h"
#include <string.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "compat/compat_ctx.h"
#include "compat/compat_state.h"
#include "compat/compat.h"

typedef struct abi_unpacked {
    compat_opcode *types;
    struct compat_global *globals;
    uint64_t *values;
    int *negs;
    struct compat_struct_union *sus;
    struct compat_field *fields;
    int nfields;
    struct compat_enum *enums;
    struct compat_typename *typenames;
    struct compat_type_context ctx;
} abi_unpacked;

static void abi_free(abi_unpacked *u)
{
    PyMem_Free(u->types);
    PyMem_Free(u->globals);
    PyMem_Free(u->values);
    PyMem_Free(u->negs);
    PyMem_Free(u->sus);
    PyMem_Free(u->fields);
    PyMem_Free(u->enums);
    PyMem_Free(u->typenames);
}

static int32_t abi_4bytes(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16)
                     | ((uint32_t)p[2] << 8) | (uint32_t)p[3]);
}

static compat_opcode abi_opcode(const char *s)
{
    return (compat_opcode)(intptr_t)abi_4bytes(s);
}

/* The bytes item `obj` with at least `fixed` bytes before its name. */
static const char *abi_item(PyObject *obj, Py_ssize_t fixed, const char *what)
{
    if (!PyBytes_Check(obj) || PyBytes_GET_SIZE(obj) < fixed) {
        PyErr_Format(PyExc_ImportError, "cffi out-of-line Python module: "
                     "bad item in %s", what);
        return NULL;
    }
    return PyBytes_AS_STRING(obj);
}

static void *abi_calloc(Py_ssize_t n, size_t size)
{
    void *p = PyMem_Calloc((size_t)n + 1, size);
    if (p == NULL)
        PyErr_NoMemory();
    return p;
}

static int abi_globals(abi_unpacked *u, PyObject *globals)
{
    Py_ssize_t n = PyTuple_GET_SIZE(globals) / 2;
    u->globals = abi_calloc(n, sizeof *u->globals);
    u->values = abi_calloc(n, sizeof *u->values);
    u->negs = abi_calloc(n, sizeof *u->negs);
    if (!u->globals || !u->values || !u->negs)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *g = abi_item(PyTuple_GET_ITEM(globals, 2 * i), 4, "_globals");
        if (g == NULL)
            return -1;
        u->globals[i].type_op = abi_opcode(g);
        u->globals[i].name = g + 4;
        int op = compat_getop(u->globals[i].type_op);
        if (op == COMPAT_OP_CONSTANT_INT || op == COMPAT_OP_ENUM) {
            PyObject *o = PyTuple_GET_ITEM(globals, 2 * i + 1);
            if (!PyLong_Check(o)) {
                PyErr_Format(PyExc_ImportError, "cffi out-of-line Python "
                             "module: constant '%s' is not an int", g + 4);
                return -1;
            }
            u->negs[i] = _PyLong_Sign(o) < 0;
            u->values[i] = PyLong_AsUnsignedLongLongMask(o);
            if (PyErr_Occurred())
                return -1;
        }
    }
    u->ctx.globals = u->globals;
    u->ctx.num_globals = (int)n;
    return 0;
}

static int abi_struct_unions(abi_unpacked *u, PyObject *sus)
{
    Py_ssize_t n = PyTuple_GET_SIZE(sus), nf = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *desc = PyTuple_GET_ITEM(sus, i);
        if (!PyTuple_Check(desc) || PyTuple_GET_SIZE(desc) < 1) {
            PyErr_SetString(PyExc_ImportError, "cffi out-of-line Python "
                            "module: bad item in _struct_unions");
            return -1;
        }
        nf += PyTuple_GET_SIZE(desc) - 1;
    }
    u->sus = abi_calloc(n, sizeof *u->sus);
    u->fields = abi_calloc(nf, sizeof *u->fields);
    if (!u->sus || !u->fields)
        return -1;
    nf = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *desc = PyTuple_GET_ITEM(sus, i);
        Py_ssize_t nf1 = PyTuple_GET_SIZE(desc) - 1;
        const char *s = abi_item(PyTuple_GET_ITEM(desc, 0), 8, "_struct_unions");
        if (s == NULL)
            return -1;
        struct compat_struct_union *su = &u->sus[i];
        su->type_index = abi_4bytes(s);
        su->flags = abi_4bytes(s + 4);
        su->name = s + 8;
        su->size = (size_t)-2;
        su->alignment = -2;
        su->first_field_index = (int)nf;
        su->num_fields = (int)nf1;
        if (su->flags & (COMPAT_F_OPAQUE | COMPAT_F_EXTERNAL)) {
            su->size = (size_t)-1;
            su->alignment = -1;
            su->num_fields = 0;
        }
        for (Py_ssize_t j = 0; j < nf1; j++) {
            const char *f = abi_item(PyTuple_GET_ITEM(desc, j + 1), 4,
                                     "_struct_unions");
            if (f == NULL)
                return -1;
            struct compat_field *fd = &u->fields[nf++];
            fd->field_type_op = abi_opcode(f);
            fd->field_offset = (size_t)-1;
            fd->field_size = (size_t)-1;
            if (compat_getop(fd->field_type_op) != COMPAT_OP_NOOP) {
                if (abi_item(PyTuple_GET_ITEM(desc, j + 1), 8, "_struct_unions") == NULL)
                    return -1;
                fd->field_size = (size_t)(uint32_t)abi_4bytes(f + 4);
                f += 4;
            }
            fd->name = f + 4;
        }
    }
    u->ctx.struct_unions = u->sus;
    u->ctx.num_struct_unions = (int)n;
    u->ctx.fields = u->fields;
    u->nfields = (int)nf;
    return 0;
}

static int abi_enums(abi_unpacked *u, PyObject *enums)
{
    Py_ssize_t n = PyTuple_GET_SIZE(enums);
    u->enums = abi_calloc(n, sizeof *u->enums);
    if (u->enums == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(enums, i);
        const char *e = abi_item(item, 8, "_enums");
        if (e == NULL)
            return -1;
        u->enums[i].type_index = abi_4bytes(e);
        u->enums[i].type_prim = abi_4bytes(e + 4);
        u->enums[i].name = e + 8;
        size_t used = 8 + strlen(e + 8) + 1;
        /* past the name's NUL, or the empty string at the bytes' end */
        u->enums[i].enumerators = used <= (size_t)PyBytes_GET_SIZE(item)
                                  ? e + used : e + PyBytes_GET_SIZE(item);
    }
    u->ctx.enums = u->enums;
    u->ctx.num_enums = (int)n;
    return 0;
}

static int abi_typenames(abi_unpacked *u, PyObject *typenames)
{
    Py_ssize_t n = PyTuple_GET_SIZE(typenames);
    u->typenames = abi_calloc(n, sizeof *u->typenames);
    if (u->typenames == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *t = abi_item(PyTuple_GET_ITEM(typenames, i), 4, "_typenames");
        if (t == NULL)
            return -1;
        u->typenames[i].type_index = abi_4bytes(t);
        u->typenames[i].name = t + 4;
    }
    u->ctx.typenames = u->typenames;
    u->ctx.num_typenames = (int)n;
    return 0;
}

static int abi_get_int(void *arg, int gindex, uint64_t *value, int *neg,
                       cc_error *err)
{
    abi_unpacked *u = arg;
    (void)err;
    *value = u->values[gindex];
    *neg = u->negs[gindex];
    return 0;
}

int compat_ffi_init(FFIObject *ffi, PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"module_name", "_version", "_types", "_globals",
                               "_struct_unions", "_enums", "_typenames",
                               "_includes", NULL};
    const char *name = "?";
    const char *types = NULL;
    Py_ssize_t version = -1, types_len = 0;
    PyObject *globals = NULL, *sus = NULL, *enums = NULL, *typenames = NULL,
             *includes = NULL;

    if (Py_TYPE(ffi) != &FFI_Type || PyTuple_GET_SIZE(args) + (kwds ? PyDict_GET_SIZE(kwds) : 0) == 0)
        return 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|sny#O!O!O!O!O!:FFI", keywords,
                                     &name, &version, &types, &types_len,
                                     &PyTuple_Type, &globals, &PyTuple_Type, &sus,
                                     &PyTuple_Type, &enums, &PyTuple_Type, &typenames,
                                     &PyTuple_Type, &includes))
        return -1;
    if (ffi->table.ntypes > 1 || ffi->table.ndecls > 0) {
        PyErr_SetString(PyExc_ValueError, "cannot call FFI.__init__() more than once");
        return -1;
    }
    if (version == -1 && types_len == 0)
        return 1;
    if (version < COMPAT_VERSION_MIN || version > COMPAT_VERSION_MAX) {
        PyErr_Format(PyExc_ImportError, "cffi out-of-line Python module '%s' "
                     "has unknown version %p", name, (void *)version);
        return -1;
    }
    abi_unpacked u;
    memset(&u, 0, sizeof u);
    int rc = -1;
    Py_ssize_t nt = types_len / 4;
    u.types = abi_calloc(nt, sizeof *u.types);
    if (u.types == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < nt; i++)
        u.types[i] = abi_opcode(types + 4 * i);
    u.ctx.types = u.types;
    u.ctx.num_types = (int)nt;
    if ((globals && abi_globals(&u, globals) < 0)
        || (sus && abi_struct_unions(&u, sus) < 0)
        || (enums && abi_enums(&u, enums) < 0)
        || (typenames && abi_typenames(&u, typenames) < 0))
        goto done;
    for (Py_ssize_t i = 0; includes && i < PyTuple_GET_SIZE(includes); i++) {
        PyObject *other = PyTuple_GET_ITEM(includes, i);
        if (!FFI_Check(other)) {
            PyErr_Format(PyExc_TypeError, "_includes: expected FFI objects, "
                         "got %.200s", Py_TYPE(other)->tp_name);
            goto done;
        }
        if (PyList_Append(ffi->included, other) < 0)
            goto done;
    }
    cc_error err;
    compat_translation tr;
    memset(&err, 0, sizeof err);
    if (compat_translate(&u.ctx, u.types, u.nfields, COMPAT_TRANSLATE_ABI,
                         abi_get_int, &u, &ffi->table, &tr, &err) < 0) {
        if (err.kind == CC_ERR_NOMEM)
            PyErr_NoMemory();
        else
            PyErr_Format(PyExc_ImportError, "cffi out-of-line Python module "
                         "'%s': invalid type context: %s", name, err.message);
        /* the table may hold part of the context: start again empty */
        cc_table_free(&ffi->table);
        if (cc_table_init(&ffi->table) < 0)
            PyErr_NoMemory();
        goto done;
    }
    compat_translation_free(&tr);
    /* what an included ffi declares is this one's too, as ffi.include()
       makes it (ffi.dlopen()'s lib finds the included constants) */
    for (Py_ssize_t i = 0; includes && i < PyTuple_GET_SIZE(includes); i++) {
        FFIObject *other = (FFIObject *)PyTuple_GET_ITEM(includes, i);
        if (cc_table_include(&ffi->table, &other->table, &err) < 0) {
            PyErr_Format(PyExc_ImportError, "cffi out-of-line Python module "
                         "'%s': cannot include '%.200s': %s", name,
                         Py_TYPE(other)->tp_name, err.message);
            goto done;
        }
    }
    ffi->abi_mode = 1;
    ffi->typedef_names_ndecls = ffi->table.ndecls;   /* as compat_module.c */
    rc = 1;
done:
    abi_free(&u);
    return rc;
}
