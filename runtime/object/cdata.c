/* cdata.c - CData objects: creation (ffi.new, cast results, views),
 * reprs, numbers, comparisons and hashing, indexing and slicing, pointer
 * arithmetic, struct field access, iteration, release and `with`.
 *
 * Memory ownership follows CFFI: ffi.new allocates the data right after the
 * object header (one allocation); "struct foo *" from ffi.new is a pointer
 * object keeping the owning struct object alive, which p[0] returns.  Views
 * (nested structs, array items of struct type, slices) keep their owner
 * alive, which CFFI leaves to the user. */
#include <Python.h>
#include "config.h"
#include <string.h>
#include "object/cdata.h"
#include "object/cconv.h"
#include "object/errors.h"

PyObject *(*cdata_call_hook)(PyObject *cd, PyObject *args, PyObject *kwds);

#define CD_OWN(cd) ((CDataOwnObject *)(cd))

/* ------------------------------------------------------------ allocation */

/* A cdata of the given Python type with `extra` bytes after the header;
 * the variants that keep arbitrary objects (gc, handles, allocators,
 * from_buffer) are GC objects, tracked here with their fields zeroed. */
static CDataObject *cdata_alloc(PyTypeObject *tp, CTypeObject *ct, size_t extra)
{
    CDataObject *cd;
    int is_gc = PyType_IS_GC(tp);
    if (is_gc) {
        cd = (CDataObject *)_PyObject_GC_New(tp);
        if (cd == NULL)
            return NULL;
    } else {
        cd = (CDataObject *)PyObject_Malloc((size_t)tp->tp_basicsize + extra);
        if (cd == NULL)
            return (CDataObject *)PyErr_NoMemory();
        PyObject_Init((PyObject *)cd, tp);
    }
    Py_INCREF(ct);
    cd->c_type = ct;
    cd->c_data = NULL;
    cd->c_weakreflist = NULL;
    if (tp == &CData_Type)
        ((CDataPlainObject *)cd)->c_vectorcall = NULL;
    else {
        CDataOwnObject *o = CD_OWN(cd);
        o->c_length = -1;
        o->c_nbytes = -1;
        o->c_keep = NULL;
        o->c_destructor = NULL;
        o->c_repr_kind = CDATA_REPR_PLAIN;
        o->c_flags = 0;
        if (tp == &CDataFromBuf_Type)
            ((CDataFromBufObject *)cd)->c_view_held = 0;
    }
    if (is_gc)
        PyObject_GC_Track(cd);
    return cd;
}

CDataOwnObject *cdata_new_variant(PyTypeObject *tp, CTypeObject *ct, char *data)
{
    CDataObject *cd = cdata_alloc(tp, ct, 0);
    if (cd != NULL)
        cd->c_data = data;
    return (CDataOwnObject *)cd;
}

PyObject *cdata_new_plain(CTypeObject *ct, char *data)
{
    CDataObject *cd = cdata_alloc(&CData_Type, ct, 0);
    if (cd != NULL)
        cd->c_data = data;
    return (PyObject *)cd;
}

PyObject *cdata_new_pointer(CTypeObject *ct, void *ptr)
{
    return cdata_new_plain(ct, ptr);
}

PyObject *cdata_new_value(CTypeObject *ct, const char *src)
{
    if (ct->ct_flags & (CT_POINTER | CT_FUNCTIONPTR | CT_ARRAY)) {
        char *p;
        memcpy(&p, src, sizeof p);
        return cdata_new_plain(ct, p);
    }
    /* the value lives inside the object, aligned like the header (16) */
    CDataObject *cd = cdata_alloc(&CData_Type, ct, (size_t)ct->ct_size + 8);
    if (cd == NULL)
        return NULL;
    uintptr_t p = (uintptr_t)cd + sizeof(CDataPlainObject);
    p = (p + 15) & ~(uintptr_t)15;
    cd->c_data = (char *)p;
    memcpy(cd->c_data, src, ct->ct_size);
    return (PyObject *)cd;
}

/* A function cdata with a fast call: the plain layout, then what it keeps. */
typedef struct CDataFuncObject {
    CDataPlainObject plain;
    PyObject *c_keep;
} CDataFuncObject;

PyObject *cdata_new_function(CTypeObject *ct, void *fn, vectorcallfunc call,
                             PyObject *keep)
{
    CDataObject *cd = cdata_alloc(&CData_Type, ct,
                                  sizeof(CDataFuncObject) - sizeof(CDataPlainObject));
    if (cd == NULL)
        return NULL;
    cd->c_data = fn;
    ((CDataPlainObject *)cd)->c_vectorcall = call;
    Py_XINCREF(keep);
    ((CDataFuncObject *)cd)->c_keep = keep;
    return (PyObject *)cd;
}

PyObject *cdata_new_view(CTypeObject *ct, char *data, PyObject *owner)
{
    if (owner != NULL && CData_Check(owner)) {
        if (CData_IsReleased(owner)) {
            cdata_raise_released(NULL, owner, "its memory is gone");
            return NULL;
        }
        owner = cdata_keepalive(owner);
    }
    if (owner == NULL)
        return cdata_new_plain(ct, data);
    CDataObject *cd = cdata_alloc(&CDataOwn_Type, ct, 0);
    if (cd == NULL)
        return NULL;
    cd->c_data = data;
    Py_INCREF(owner);
    CD_OWN(cd)->c_keep = owner;
    CD_OWN(cd)->c_repr_kind = CDATA_REPR_VIEW;
    return (PyObject *)cd;
}

/* ffi.release() and derived objects.  A block of CDATA_SEPARATE_BYTES or
 * more is a separate PyMem block owned by a capsule in the owner's c_keep;
 * everything derived from the owner (views, slices, buffers, `p + n`,
 * casts, addressof) keeps that capsule alive, not the owner.  ffi.release()
 * makes the owner drop its capsule: the block is freed at once when nothing
 * else uses it, else when the last derived object dies.  The released owner
 * has c_data NULL and length 0 and refuses every use with a message that
 * names the release. */
static void cdata_block_free(PyObject *capsule)
{
    PyMem_Free(PyCapsule_GetPointer(capsule, NULL));
}

/* A zeroed separate block of nbytes for cd, owned by a new capsule. */
static int cdata_attach_block(CDataObject *cd, Py_ssize_t nbytes, int clear)
{
    size_t n = nbytes > 0 ? (size_t)nbytes : 1;
    /* not cleared only when new_allocator(should_clear_after_alloc=False)
     * asked for it, as CFFI */
    char *block = clear ? PyMem_Calloc(1, n) : PyMem_Malloc(n);
    if (block == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    PyObject *capsule = PyCapsule_New(block, NULL, cdata_block_free);
    if (capsule == NULL) {
        PyMem_Free(block);
        return -1;
    }
    cd->c_data = block;
    CD_OWN(cd)->c_keep = capsule;
    CD_OWN(cd)->c_flags |= CDATA_F_PYMEM;
    return 0;
}

/* The "struct foo *" from ffi.new(): c_keep is the struct object owning
 * the memory. */
static int cdata_is_struct_wrapper(CDataObject *cd)
{
    CDataOwnObject *o = CD_OWN(cd);
    return Py_TYPE(cd) == &CDataOwn_Type && o->c_repr_kind == CDATA_REPR_OWNING
           && (cd->c_type->ct_flags & CT_POINTER) && o->c_keep != NULL
           && CData_IsOwn(o->c_keep)
           && (CData_CType(o->c_keep)->ct_flags & CT_STRUCT_OR_UNION);
}

PyObject *cdata_keepalive(PyObject *ob)
{
    if (CData_IsInline(ob))
        return ob;
    if (!CData_IsOwn(ob))
        return NULL;
    CDataObject *cd = (CDataObject *)ob;
    CDataOwnObject *o = CD_OWN(cd);
    if (o->c_repr_kind == CDATA_REPR_VIEW || o->c_repr_kind == CDATA_REPR_SLICED)
        return o->c_keep;
    if (o->c_flags & CDATA_F_PYMEM)
        return o->c_keep;
    if (cdata_is_struct_wrapper(cd))
        return cdata_keepalive(o->c_keep);
    return ob;
}

int cdata_raise_released(PyObject *exc, PyObject *cd, const char *what)
{
    PyErr_Format(exc != NULL ? exc : PyExc_ValueError,
                 "cdata '%s' was released by ffi.release() or a 'with' block: "
                 "%s", CData_CType(cd)->ct_name, what);
    return -1;
}

static PyObject *cdata_memory_owner(CDataObject *cd)
{
    return cdata_keepalive((PyObject *)cd);
}

/* Owning cdata with `nbytes` zeroed bytes inline, of type ct. */
/* Above this size ffi.new() memory is a separate calloc() block (zeroed
 * pages for free, and ffi.release() can give it back at once); below, it
 * lives in the object itself (one allocation). */
#define CDATA_SEPARATE_BYTES 8192

static CDataObject *cdata_new_owning(CTypeObject *ct, Py_ssize_t nbytes)
{
    if (nbytes >= CDATA_SEPARATE_BYTES) {
        CDataObject *cd = cdata_alloc(&CDataOwn_Type, ct, 0);
        if (cd == NULL)
            return NULL;
        if (cdata_attach_block(cd, nbytes, 1) < 0) {
            Py_DECREF(cd);
            return NULL;
        }
        CD_OWN(cd)->c_nbytes = nbytes;
        CD_OWN(cd)->c_repr_kind = CDATA_REPR_OWNING;
        return cd;
    }
    CDataObject *cd = cdata_alloc(&CDataOwn_Type, ct, (size_t)nbytes + 16);
    if (cd == NULL)
        return NULL;
    uintptr_t p = (uintptr_t)cd + sizeof(CDataOwnObject);
    p = (p + 15) & ~(uintptr_t)15;
    cd->c_data = (char *)p;
    memset(cd->c_data, 0, nbytes);
    CD_OWN(cd)->c_nbytes = nbytes;
    CD_OWN(cd)->c_repr_kind = CDATA_REPR_OWNING;
    return cd;
}

/* ffi.new("T *") of a T, or ffi.new("T[N]") of a fixed-length array
 * (issue 17: 80 bytes for an int[10], where CFFI takes 88), of `nbytes`
 * (zeroed) inside the object: right after the header when T needs no more
 * than the header's alignment (8), else at the next multiple of 16 (long
 * double, complex...), as pymalloc blocks are 16-aligned.  Such an array
 * needs no length of its own (its type's), and ffi.release() leaves memory
 * inside the object alone, as CFFI's does. */
static CDataObject *cdata_new_inline(CTypeObject *ptr_ct, Py_ssize_t nbytes)
{
    size_t off = sizeof(CDataObject);
    if (ptr_ct->ct_item->ct_align > 8)
        off = (off + 15) & ~(size_t)15;
    CDataObject *cd = (CDataObject *)PyObject_Malloc(off + (size_t)nbytes);
    if (cd == NULL)
        return (CDataObject *)PyErr_NoMemory();
    PyObject_Init((PyObject *)cd, &CDataInline_Type);
    Py_INCREF(ptr_ct);
    cd->c_type = ptr_ct;
    cd->c_data = (char *)cd + off;
    cd->c_weakreflist = NULL;
    memset(cd->c_data, 0, (size_t)nbytes);
    return cd;
}

static void cdata_inline_dealloc(CDataObject *cd)
{
    if (cd->c_weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)cd);
    Py_DECREF(cd->c_type);
    PyObject_Free(cd);
}

/* p[0] of an inline "struct foo *": the struct, owning as in CFFI (its
 * repr, ffi.sizeof), keeping p alive. */
static PyObject *cdata_inline_struct(CDataObject *p)
{
    CTypeObject *st = p->c_type->ct_item;
    CDataObject *cd = cdata_alloc(&CDataOwn_Type, st, 0);
    if (cd == NULL)
        return NULL;
    cd->c_data = p->c_data;
    Py_INCREF(p);
    CD_OWN(cd)->c_keep = (PyObject *)p;
    CD_OWN(cd)->c_nbytes = st->ct_size;
    CD_OWN(cd)->c_repr_kind = CDATA_REPR_OWNING;
    return (PyObject *)cd;
}

Py_ssize_t cdata_owned_bytes(PyObject *ob)
{
    if (CData_IsInline(ob))
        return CData_CType(ob)->ct_flags & CT_ARRAY ? CData_CType(ob)->ct_size
                                                    : CData_CType(ob)->ct_item->ct_size;
    if (CData_IsOwn(ob) && CD_OWN(ob)->c_repr_kind == CDATA_REPR_OWNING)
        return CD_OWN(ob)->c_nbytes;
    return -1;
}

/* Owning cdata whose memory comes from a custom allocator. */
static CDataObject *cdata_new_allocated(CTypeObject *ct, Py_ssize_t nbytes,
                                        PyObject *allocator)
{
    PyObject *alloc = PyTuple_GET_ITEM(allocator, 0);
    PyObject *free_fn = PyTuple_GET_ITEM(allocator, 1);
    int clear = PyObject_IsTrue(PyTuple_GET_ITEM(allocator, 2));
    if (alloc == Py_None) {
        CDataObject *cd = cdata_alloc(&CDataOwnGC_Type, ct, 0);
        if (cd == NULL)
            return NULL;
        if (cdata_attach_block(cd, nbytes, clear) < 0) {
            Py_DECREF(cd);
            return NULL;
        }
        CD_OWN(cd)->c_nbytes = nbytes;
        CD_OWN(cd)->c_repr_kind = CDATA_REPR_OWNING;
        return cd;
    }
    PyObject *res = PyObject_CallFunction(alloc, "n", nbytes);
    if (res == NULL)
        return NULL;
    if (!CData_Check(res)) {
        PyErr_Format(PyExc_TypeError, "alloc() must return a cdata object (got %.200s)",
                     Py_TYPE(res)->tp_name);
        Py_DECREF(res);
        return NULL;
    }
    if (!(CData_CType(res)->ct_flags & (CT_POINTER | CT_ARRAY))) {
        PyErr_Format(PyExc_TypeError, "alloc() must return a cdata pointer, not '%s'",
                     CData_CType(res)->ct_name);
        Py_DECREF(res);
        return NULL;
    }
    char *data = CData_Ptr(res);
    if (data == NULL) {
        Py_DECREF(res);
        PyErr_SetString(PyExc_MemoryError, "alloc() returned NULL");
        return NULL;
    }
    CDataObject *cd = cdata_alloc(&CDataOwnGC_Type, ct, 0);
    if (cd == NULL) {
        Py_DECREF(res);
        return NULL;
    }
    cd->c_data = data;
    if (clear)
        memset(data, 0, nbytes);
    CD_OWN(cd)->c_nbytes = nbytes;
    CD_OWN(cd)->c_repr_kind = CDATA_REPR_OWNING;
    /* alloc()'s result owns the memory (it may be an ffi.new() cdata): it is
     * kept, and handed to free() when this cdata dies */
    CD_OWN(cd)->c_keep = res;
    if (free_fn != Py_None) {
        Py_INCREF(free_fn);
        CD_OWN(cd)->c_destructor = free_fn;
    }
    return cd;
}

static CDataObject *cdata_new_memory(CTypeObject *ct, Py_ssize_t nbytes,
                                     PyObject *allocator)
{
    if (allocator == NULL)
        return cdata_new_owning(ct, nbytes);
    return cdata_new_allocated(ct, nbytes, allocator);
}

/* The array length that an initializer implies for "T[]". */
static Py_ssize_t cdata_length_from_init(CTypeObject *ct, PyObject *init)
{
    CTypeObject *item = ct->ct_item;
    if (PyList_Check(init) || PyTuple_Check(init))
        return PySequence_Fast_GET_SIZE(init);
    if (PyBytes_Check(init) && ctype_is_byte_item(item))
        return PyBytes_GET_SIZE(init) + 1;
    if (PyUnicode_Check(init) && (item->ct_flags & CT_PRIMITIVE_WCHAR)) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(init), extra = 0;
        if (item->ct_size == 2)
            for (Py_ssize_t i = 0; i < n; i++)
                if (PyUnicode_READ_CHAR(init, i) > 0xFFFF)
                    extra++;
        return n + extra + 1;
    }
    if (PyLong_Check(init) || (Py_TYPE(init)->tp_as_number != NULL
                               && Py_TYPE(init)->tp_as_number->nb_index != NULL
                               && !PyFloat_Check(init) && !CData_Check(init))) {
        Py_ssize_t n = PyNumber_AsSsize_t(init, PyExc_OverflowError);
        if (n == -1 && PyErr_Occurred())
            return -1;
        if (n < 0) {
            PyErr_SetString(PyExc_ValueError, "negative array length");
            return -1;
        }
        return n;
    }
    if (PyBytes_Check(init) || PyUnicode_Check(init)) {
        const char *what = ctype_is_byte_item(item) ? "bytes or list or tuple"
                         : (item->ct_flags & CT_PRIMITIVE_WCHAR) ? "unicode or list or tuple"
                         : "list or tuple";
        PyErr_Format(PyExc_TypeError,
                     "initializer for ctype '%s' must be a %s, not %.200s",
                     ct->ct_name, what, Py_TYPE(init)->tp_name);
        return -1;
    }
    PyErr_Format(PyExc_TypeError,
                 "expected new array length or list/tuple/str, not %.200s",
                 Py_TYPE(init)->tp_name);
    return -1;
}

static PyObject *cdata_newp_array(CTypeObject *ct, PyObject *init, PyObject *allocator)
{
    CTypeObject *item = ct->ct_item;
    Py_ssize_t length = ct->ct_length;
    int init_is_length = 0;
    if (length < 0) {
        if (init == NULL || init == Py_None) {
            PyErr_SetString(PyExc_TypeError,
                            "expected new array length or list/tuple/str, not NoneType");
            return NULL;
        }
        length = cdata_length_from_init(ct, init);
        if (length < 0)
            return NULL;
        init_is_length = PyLong_Check(init) || PyIndex_Check(init);
        if (PyList_Check(init) || PyTuple_Check(init) || PyBytes_Check(init)
            || PyUnicode_Check(init))
            init_is_length = 0;
    }
    if (item->ct_size < 0) {
        PyErr_Format(PyExc_TypeError, "cannot instantiate ctype '%s' of unknown size",
                     item->ct_name);
        return NULL;
    }
    if (item->ct_size > 0 && length > PY_SSIZE_T_MAX / item->ct_size) {
        PyErr_SetString(PyExc_OverflowError, "array size would overflow a Py_ssize_t");
        return NULL;
    }
    Py_ssize_t nbytes = length * item->ct_size;
    CDataObject *cd;
    if (allocator == NULL && ct->ct_length >= 0 && nbytes < CDATA_SEPARATE_BYTES)
        cd = cdata_new_inline(ct, nbytes);
    else {
        cd = cdata_new_memory(ct, nbytes, allocator);
        if (cd == NULL)
            return NULL;
        CD_OWN(cd)->c_length = length;
    }
    if (cd == NULL)
        return NULL;
    if (init != NULL && init != Py_None && !init_is_length) {
        int rc;
        if (ct->ct_length < 0 && (PyList_Check(init) || PyTuple_Check(init))) {
            PyObject **items = PySequence_Fast_ITEMS(init);
            rc = 0;
            for (Py_ssize_t i = 0; i < length && rc == 0; i++)
                rc = cconv_from_python(item, cd->c_data + i * item->ct_size, items[i]);
        } else if (ct->ct_length < 0) {
            CTypeObject *sized = ctype_array_of(item, length);
            rc = sized ? cconv_from_python(sized, cd->c_data, init) : -1;
            Py_XDECREF(sized);
        } else
            rc = cconv_from_python(ct, cd->c_data, init);
        if (rc < 0) {
            Py_DECREF(cd);
            return NULL;
        }
    }
    return (PyObject *)cd;
}

static Py_ssize_t cdata_varsize_struct(CTypeObject *ct, PyObject *init);

/* The bytes member f needs from the start of its struct when initialized
 * from `value`: more than its size for a flexible array member, or for a
 * struct member that has one (recursively), as CFFI sizes them. */
static Py_ssize_t cdata_varsize_member(CFieldObject *f, PyObject *value)
{
    CTypeObject *ft = f->cf_type;
    Py_ssize_t need = 0;
    if ((ft->ct_flags & CT_ARRAY) && ft->ct_length < 0) {
        Py_ssize_t len = cdata_length_from_init(ft, value);
        if (len < 0) {
            /* as CFFI, which sizes the struct before converting anything:
             * a bad length now; bytes or str are sized as a sequence there,
             * and refused by the conversion */
            if (!PyBytes_Check(value) && !PyUnicode_Check(value))
                return -1;
            PyErr_Clear();
            return 0;
        }
        if (ft->ct_item->ct_size > 0
            && len > (PY_SSIZE_T_MAX - f->cf_offset) / ft->ct_item->ct_size) {
            PyErr_SetString(PyExc_OverflowError,
                            "array size would overflow a Py_ssize_t");
            return -1;
        }
        need = len * ft->ct_item->ct_size;
    } else if ((ft->ct_flags & CT_STRUCT_OR_UNION)
               && (ft->ct_flags & CT_WITH_VAR_ARRAY)) {
        need = cdata_varsize_struct(ft, value);
        if (need < 0)
            return -1;
    } else {
        return 0;
    }
    return f->cf_offset + need;
}

/* Size of a struct with a flexible array member (maybe in a struct member)
 * initialized from `init` (NULL: none): at least its size. */
static Py_ssize_t cdata_varsize_struct(CTypeObject *ct, PyObject *init)
{
    Py_ssize_t size = ct->ct_size, need;
    if (init == NULL || !(ct->ct_flags & CT_WITH_VAR_ARRAY))
        return size;
    if (PyDict_Check(init)) {
        PyObject *key, *v;
        Py_ssize_t pos = 0;
        while (PyDict_Next(init, &pos, &key, &v)) {
            PyObject *f = PyDict_GetItemWithError(ct->ct_fields, key);
            if (f == NULL) {    /* as CFFI, which sizes the struct first */
                if (!PyErr_Occurred())
                    PyErr_SetObject(PyExc_KeyError, key);
                return -1;
            }
            need = cdata_varsize_member((CFieldObject *)f, v);
            if (need < 0)
                return -1;
            if (need > size)
                size = need;
        }
    } else if (PyList_Check(init) || PyTuple_Check(init)) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(init), i = 0;
        PyObject **items = PySequence_Fast_ITEMS(init);
        for (CFieldObject *f = ct->ct_first_field; f != NULL && i < n;
             f = f->cf_next) {
            if (f->cf_flags & CF_IGNORE_IN_CTOR)
                continue;
            need = cdata_varsize_member(f, items[i++]);
            if (need < 0)
                return -1;
            if (need > size)
                size = need;
        }
        if (i < n) {        /* as CFFI, before converting any item */
            PyErr_Format(PyExc_ValueError, "too many initializers for '%s' "
                         "(got %zd)", ct->ct_name, n);
            return -1;
        }
    } else if (!CData_Check(init)) {
        /* as CFFI, which refuses it while sizing, before converting any
         * member (a union's other members included) */
        PyErr_Format(PyExc_TypeError, "initializer for ctype '%s' must be a "
                     "list or tuple or dict, not %.200s", ct->ct_name,
                     Py_TYPE(init)->tp_name);
        return -1;
    }
    return size;
}

static PyObject *cdata_newp_pointer(CTypeObject *ct, PyObject *init, PyObject *allocator)
{
    CTypeObject *item = ct->ct_item;
    if (item->ct_size < 0 || (item->ct_flags & CT_IS_OPAQUE)) {
        PyErr_Format(PyExc_TypeError, "cannot instantiate ctype '%s' of unknown size",
                     item->ct_name);
        return NULL;
    }
    if (item->ct_flags & CT_STRUCT_OR_UNION) {
        if (ctype_check_layout(item) < 0)
            return NULL;
        Py_ssize_t nbytes = cdata_varsize_struct(item,
                                                 init == Py_None ? NULL : init);
        if (nbytes < 0)
            return NULL;
        if (allocator == NULL && nbytes == item->ct_size
            && nbytes < CDATA_SEPARATE_BYTES) {
            CDataObject *cd = cdata_new_inline(ct, nbytes);
            if (cd == NULL)
                return NULL;
            if (init != NULL && init != Py_None
                && cconv_from_python(item, cd->c_data, init) < 0) {
                Py_DECREF(cd);
                return NULL;
            }
            return (PyObject *)cd;
        }
        CDataObject *st = cdata_new_memory(item, nbytes, allocator);
        if (st == NULL)
            return NULL;
        if (init != NULL && init != Py_None
            && cconv_from_python(item, st->c_data, init) < 0) {
            Py_DECREF(st);
            return NULL;
        }
        CDataObject *ptr = cdata_alloc(&CDataOwn_Type, ct, 0);
        if (ptr == NULL) {
            Py_DECREF(st);
            return NULL;
        }
        ptr->c_data = st->c_data;
        CD_OWN(ptr)->c_keep = (PyObject *)st;
        CD_OWN(ptr)->c_nbytes = nbytes;
        CD_OWN(ptr)->c_repr_kind = CDATA_REPR_OWNING;
        return (PyObject *)ptr;
    }
    /* a char or wchar_t gets a NUL after it, as in CFFI: ffi.string() of
     * the pointer stops there.  So does every 1-byte integer that
     * ffi.string() reads as a char (int8_t, unsigned char...): CFFI reads
     * on past its block (found by make fuzz-realize) */
    Py_ssize_t nbytes = item->ct_size;
    if ((item->ct_flags & (CT_PRIMITIVE_CHAR | CT_PRIMITIVE_WCHAR))
        || ((item->ct_flags & CT_PRIMITIVE_INTEGER) && item->ct_size == 1
            && !(item->ct_flags & (CT_IS_BOOL | CT_IS_ENUM))))
        nbytes *= 2;
    CDataObject *cd;
    if (allocator == NULL && nbytes < CDATA_SEPARATE_BYTES)
        cd = cdata_new_inline(ct, nbytes);
    else {
        cd = cdata_new_memory(ct, nbytes, allocator);
        if (cd != NULL)
            CD_OWN(cd)->c_nbytes = item->ct_size;
    }
    if (cd == NULL)
        return NULL;
    if (init != NULL && init != Py_None && cconv_from_python(item, cd->c_data, init) < 0) {
        Py_DECREF(cd);
        return NULL;
    }
    return (PyObject *)cd;
}

PyObject *cdata_newp(CTypeObject *ct, PyObject *init, PyObject *allocator)
{
    if (ct->ct_flags & CT_POINTER)
        return cdata_newp_pointer(ct, init, allocator);
    if (ct->ct_flags & CT_ARRAY)
        return cdata_newp_array(ct, init, allocator);
    PyErr_Format(PyExc_TypeError, "expected a pointer or array ctype, got '%s'",
                 ct->ct_name);
    return NULL;
}

/* An owning cdata of record type ct holding a copy of src, as CFFI returns
 * structs and unions by value. */
PyObject *cdata_new_record_copy(CTypeObject *ct, const char *src)
{
    if (ct->ct_size < 0 || (ct->ct_flags & CT_IS_OPAQUE)) {
        PyErr_Format(PyExc_TypeError, "cannot instantiate ctype '%s' of unknown size",
                     ct->ct_name);
        return NULL;
    }
    CDataObject *rec = cdata_new_owning(ct, ct->ct_size);
    if (rec == NULL)
        return NULL;
    memcpy(rec->c_data, src, (size_t)ct->ct_size);
    return (PyObject *)rec;
}

Py_ssize_t cdata_array_length(CDataObject *cd)
{
    CTypeObject *ct = cd->c_type;
    if (!(ct->ct_flags & CT_ARRAY))
        return -1;
    if (CData_IsOwn(cd) && CD_OWN(cd)->c_length >= 0)
        return CD_OWN(cd)->c_length;
    return ct->ct_length;
}

/* ----------------------------------------------------------- destruction */

/* Runs the destructor of a GCP / allocator cdata once. */
static void cdata_run_destructor(CDataOwnObject *o)
{
    PyObject *fn = o->c_destructor, *arg = o->c_keep;
    if (fn == NULL)
        return;
    o->c_destructor = NULL;
    o->c_keep = NULL;
    PyObject *res = PyObject_CallFunctionObjArgs(fn, arg ? arg : Py_None, NULL);
    if (res == NULL)
        PyErr_WriteUnraisable(fn);
    Py_XDECREF(res);
    Py_DECREF(fn);
    Py_XDECREF(arg);
}

static void cdata_dealloc(CDataObject *cd)
{
    if (cd->c_weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)cd);
    PyObject *keep = Py_TYPE(cd) == &CData_Type
                     && ((CDataPlainObject *)cd)->c_vectorcall != NULL
                     ? ((CDataFuncObject *)cd)->c_keep : NULL;
    Py_DECREF(cd->c_type);
    PyObject_Free(cd);
    Py_XDECREF(keep);   /* after: the library may go with it */
}

static void cdata_own_dealloc(CDataObject *cd)
{
    CDataOwnObject *o = CD_OWN(cd);
    int is_gc = PyType_IS_GC(Py_TYPE(cd));
    if (is_gc)
        PyObject_GC_UnTrack(cd);
    if (cd->c_weakreflist != NULL)
        PyObject_ClearWeakRefs((PyObject *)cd);
    if (o->c_destructor != NULL) {
        PyObject *exc_t, *exc_v, *exc_tb;
        PyErr_Fetch(&exc_t, &exc_v, &exc_tb);
        cdata_run_destructor(o);
        PyErr_Restore(exc_t, exc_v, exc_tb);
    }
    if (Py_TYPE(cd) == &CDataFromBuf_Type) {
        CDataFromBufObject *fb = (CDataFromBufObject *)cd;
        if (fb->c_view_held) {
            fb->c_view_held = 0;
            PyBuffer_Release(&fb->c_view);
        }
    }
    Py_XDECREF(o->c_keep);
    Py_XDECREF(o->c_destructor);
    Py_DECREF(cd->c_type);
    if (is_gc)
        PyObject_GC_Del(cd);
    else
        PyObject_Free(cd);
}

/* PEP 442 finalizer: in cyclic garbage the collector calls it on every
 * member before it clears any, so an ffi.gc destructor (or an allocator's
 * free) runs while the objects it uses are whole: a destructor that is an
 * instance of a class in the same garbage would otherwise find its class
 * cleared ("AttributeError: __call__").  Outside cycles dealloc runs it. */
static void cdata_own_finalize(CDataObject *cd)
{
    CDataOwnObject *o = CD_OWN(cd);
    if (o->c_destructor == NULL)
        return;
    PyObject *exc_t, *exc_v, *exc_tb;
    PyErr_Fetch(&exc_t, &exc_v, &exc_tb);
    cdata_run_destructor(o);
    PyErr_Restore(exc_t, exc_v, exc_tb);
}

static int cdata_own_traverse(CDataObject *cd, visitproc visit, void *arg)
{
    Py_VISIT(CD_OWN(cd)->c_keep);
    Py_VISIT(CD_OWN(cd)->c_destructor);
    return 0;
}

/* Breaking a cycle.  ffi.gc and allocator cdata keep their destructor and
 * its argument: some other member of the cycle gets cleared, and then the
 * destructor runs from dealloc, once, with the right argument. */
static int cdata_own_clear(CDataObject *cd)
{
    CDataOwnObject *o = CD_OWN(cd);
    if (o->c_destructor != NULL || (o->c_flags & CDATA_F_PYMEM))
        return 0;     /* (the capsule of a block is in no cycle) */
    if (Py_TYPE(cd) == &CDataFromBuf_Type) {
        CDataFromBufObject *fb = (CDataFromBufObject *)cd;
        if (fb->c_view_held) {
            fb->c_view_held = 0;
            PyBuffer_Release(&fb->c_view);
        }
    }
    Py_CLEAR(o->c_keep);
    return 0;
}

/* ------------------------------------------------------------------ repr */

static PyObject *cdata_repr_value(CDataObject *cd)
{
    CTypeObject *ct = cd->c_type;
    uint32_t f = ct->ct_flags;
    if (f & CT_IS_ENUM) {
        PyObject *v = cconv_read_integer(cd->c_data, ct->ct_size,
                                         f & CT_PRIMITIVE_SIGNED);
        if (v == NULL)
            return NULL;
        PyObject *name = ct->ct_enum_names ? PyDict_GetItemWithError(ct->ct_enum_names, v) : NULL;
        PyObject *r = name ? PyUnicode_FromFormat("%S: %S", v, name)
                           : (PyErr_Occurred() ? NULL : PyObject_Str(v));
        Py_DECREF(v);
        return r;
    }
    if (f & CT_IS_LONGDOUBLE) {
        long double ld;
        memcpy(&ld, cd->c_data, sizeof ld);
        char buf[128];
        snprintf(buf, sizeof buf, "%LE", ld);
        return PyUnicode_FromString(buf);
    }
    PyObject *v = cconv_to_python(ct, cd->c_data);
    if (v == NULL)
        return NULL;
    PyObject *r = PyObject_Repr(v);
    Py_DECREF(v);
    return r;
}

static PyObject *cdata_repr_address(CDataObject *cd)
{
    if (cd->c_data == NULL && (cd->c_type->ct_flags & CT_POINTER_LIKE))
        return PyUnicode_FromFormat("<cdata '%s' NULL>", cd->c_type->ct_name);
    return PyUnicode_FromFormat("<cdata '%s' %p>", cd->c_type->ct_name, cd->c_data);
}

static PyObject *cdata_repr(CDataObject *cd)
{
    CTypeObject *ct = cd->c_type;
    if (CData_IsInline(cd))
        return PyUnicode_FromFormat("<cdata '%s' owning %zd bytes>",
                                    ct->ct_name, cdata_owned_bytes((PyObject *)cd));
    if (CData_IsOwn(cd)) {
        CDataOwnObject *o = CD_OWN(cd);
        switch (o->c_repr_kind) {
        case CDATA_REPR_OWNING:
            return PyUnicode_FromFormat("<cdata '%s' owning %zd bytes>",
                                        ct->ct_name, o->c_nbytes);
        case CDATA_REPR_SLICED:
            return PyUnicode_FromFormat("<cdata '%s' sliced length %zd>",
                                        ct->ct_name, o->c_length);
        case CDATA_REPR_HANDLE:
            return PyUnicode_FromFormat("<cdata '%s' handle to %R>", ct->ct_name,
                                        o->c_keep ? o->c_keep : Py_None);
        case CDATA_REPR_BUFFER:
            if (o->c_keep == NULL)
                break;
            if (ct->ct_flags & CT_ARRAY)
                return PyUnicode_FromFormat("<cdata '%s' buffer len %zd from '%.200s' object>",
                                            ct->ct_name, o->c_length,
                                            Py_TYPE(o->c_keep)->tp_name);
            return PyUnicode_FromFormat("<cdata '%s' buffer from '%.200s' object>",
                                        ct->ct_name, Py_TYPE(o->c_keep)->tp_name);
        default:
            break;
        }
    }
    if (ct->ct_flags & CT_STRUCT_OR_UNION)
        return PyUnicode_FromFormat("<cdata '%s &' %p>", ct->ct_name, cd->c_data);
    if (ct->ct_flags & (CT_PRIMITIVE_ANY)) {
        PyObject *v = cdata_repr_value(cd);
        if (v == NULL)
            return NULL;
        PyObject *r = PyUnicode_FromFormat("<cdata '%s' %U>", ct->ct_name, v);
        Py_DECREF(v);
        return r;
    }
    return cdata_repr_address(cd);
}

/* --------------------------------------------------------------- numbers */

static PyObject *cdata_not_supported(const char *op, CDataObject *cd)
{
    PyErr_Format(PyExc_TypeError, "%s() not supported on cdata '%s'", op,
                 cd->c_type->ct_name);
    return NULL;
}

static PyObject *cdata_int(CDataObject *cd)
{
    CTypeObject *ct = cd->c_type;
    uint32_t f = ct->ct_flags;
    if (f & CT_PRIMITIVE_INTEGER) {
        if (f & CT_IS_BOOL)
            return PyLong_FromLong(*(unsigned char *)cd->c_data);
        return cconv_read_integer(cd->c_data, ct->ct_size, f & CT_PRIMITIVE_SIGNED);
    }
    if (f & CT_PRIMITIVE_CHAR)
        return PyLong_FromLong(*(unsigned char *)cd->c_data);
    if (f & CT_PRIMITIVE_WCHAR)
        return cconv_read_integer(cd->c_data, ct->ct_size, ctype_wchar_is_signed(ct));
    if (f & CT_PRIMITIVE_FLOAT) {
        double d;
        if (f & CT_IS_LONGDOUBLE) {
            long double ld;
            memcpy(&ld, cd->c_data, sizeof ld);
            if (ld > -9.2e18L && ld < 9.2e18L)   /* exact through long long */
                return PyLong_FromLongLong((long long)ld);
            d = (double)ld;
        } else if (ct->ct_size == sizeof(float))
            d = *(float *)cd->c_data;
        else
            d = *(double *)cd->c_data;
        return PyLong_FromDouble(d);
    }
    return cdata_not_supported("int", cd);
}

static PyObject *cdata_float(CDataObject *cd)
{
    CTypeObject *ct = cd->c_type;
    if (ct->ct_flags & CT_PRIMITIVE_FLOAT) {
        if (ct->ct_flags & CT_IS_LONGDOUBLE) {
            long double ld;
            memcpy(&ld, cd->c_data, sizeof ld);
            return PyFloat_FromDouble((double)ld);
        }
        return cconv_to_python(ct, cd->c_data);
    }
    return cdata_not_supported("float", cd);
}

static PyObject *cdata_complex(CDataObject *cd, PyObject *noarg)
{
    (void)noarg;
    CTypeObject *ct = cd->c_type;
    if (ct->ct_flags & CT_PRIMITIVE_COMPLEX)
        return cconv_to_python(ct, cd->c_data);
    PyObject *f = cdata_float(cd);
    if (f == NULL)
        return NULL;
    PyObject *r = PyComplex_FromDoubles(PyFloat_AS_DOUBLE(f), 0.0);
    Py_DECREF(f);
    return r;
}

static int cdata_bool(CDataObject *cd)
{
    CTypeObject *ct = cd->c_type;
    uint32_t f = ct->ct_flags;
    if (f & (CT_PRIMITIVE_INTEGER | CT_PRIMITIVE_CHAR | CT_PRIMITIVE_WCHAR)) {
        for (Py_ssize_t i = 0; i < ct->ct_size; i++)
            if (cd->c_data[i])
                return 1;
        return 0;
    }
    if (f & CT_PRIMITIVE_FLOAT) {
        PyObject *v = cdata_float(cd);
        if (v == NULL)
            return -1;
        int r = PyFloat_AS_DOUBLE(v) != 0.0;
        Py_DECREF(v);
        return r;
    }
    if (f & CT_PRIMITIVE_COMPLEX) {
        PyObject *v = cconv_to_python(ct, cd->c_data);
        if (v == NULL)
            return -1;
        int r = PyObject_IsTrue(v);
        Py_DECREF(v);
        return r;
    }
    return cd->c_data != NULL;
}

/* Item size for pointer arithmetic: void counts as 1 byte. */
static Py_ssize_t cdata_item_size_for_arith(CTypeObject *ct)
{
    CTypeObject *item = ct->ct_item;
    if (item->ct_flags & CT_VOID)
        return 1;
    if (item->ct_size < 0) {
        PyErr_Format(PyExc_TypeError, "ctype '%s' points to items of unknown size",
                     ct->ct_name);
        return -1;
    }
    return item->ct_size;
}

/* The pointer type of arithmetic results: T* for T* and for T[]. */
static CTypeObject *cdata_arith_type(CTypeObject *ct)
{
    if (ct->ct_flags & CT_ARRAY)
        return ctype_pointer_to(ct->ct_item);
    Py_INCREF(ct);
    return ct;
}

static PyObject *cdata_add_offset(CDataObject *cd, PyObject *num, int sign)
{
    CTypeObject *ct = cd->c_type;
    if (!(ct->ct_flags & (CT_POINTER | CT_ARRAY))) {
        PyErr_Format(PyExc_TypeError, "cannot %s a cdata '%s' and a number",
                     sign > 0 ? "add" : "subtract", ct->ct_name);
        return NULL;
    }
    Py_ssize_t i = PyNumber_AsSsize_t(num, PyExc_OverflowError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    Py_ssize_t isz = cdata_item_size_for_arith(ct);
    if (isz < 0)
        return NULL;
    if (CData_IsReleased(cd)) {
        cdata_raise_released(NULL, (PyObject *)cd, "no pointer arithmetic on it");
        return NULL;
    }
    CTypeObject *rt = cdata_arith_type(ct);
    if (rt == NULL)
        return NULL;
    /* any offset gives an address, as in CFFI (p + 2**62 is no error):
     * computed modulo 2**64, where `sign * i * isz` overflowed (UB) */
    char *target = (char *)((uintptr_t)cd->c_data
                            + (uintptr_t)sign * (uintptr_t)i * (uintptr_t)isz);
    /* into a separate block: the result keeps the block (see above) */
    PyObject *keep = cdata_keepalive((PyObject *)cd);
    PyObject *r = keep != NULL && PyCapsule_CheckExact(keep)
                  ? cdata_new_view(rt, target, keep)
                  : cdata_new_plain(rt, target);
    Py_DECREF(rt);
    return r;
}

static PyObject *cdata_add(PyObject *a, PyObject *b)
{
    if (!CData_Check(a)) {
        PyObject *t = a;
        a = b;
        b = t;
    }
    if (CData_Check(b)) {
        PyErr_Format(PyExc_TypeError, "cannot add two cdata objects");
        return NULL;
    }
    if (!PyIndex_Check(b) && !PyLong_Check(b)) {
        if (PyFloat_Check(b))
            return PyErr_Format(PyExc_TypeError,
                                "'float' object cannot be interpreted as an integer");
        Py_RETURN_NOTIMPLEMENTED;
    }
    return cdata_add_offset((CDataObject *)a, b, 1);
}

static PyObject *cdata_sub(PyObject *a, PyObject *b)
{
    if (!CData_Check(a))
        Py_RETURN_NOTIMPLEMENTED;
    CDataObject *ca = (CDataObject *)a;
    if (CData_Check(b)) {
        CDataObject *cb = (CDataObject *)b;
        CTypeObject *ta = ca->c_type, *tb = cb->c_type;
        /* as CFFI: the left operand must be a pointer; an array on the right
         * counts as a pointer to its first item */
        CTypeObject *ia = (ta->ct_flags & CT_POINTER) ? ta->ct_item : NULL;
        CTypeObject *ib = (tb->ct_flags & (CT_POINTER | CT_ARRAY)) ? tb->ct_item : NULL;
        if (ia == NULL || ia != ib) {
            PyObject *rname = (tb->ct_flags & CT_ARRAY) ? ctype_name_with(tb->ct_item, " *")
                                                        : PyUnicode_FromString(tb->ct_name);
            if (rname != NULL)
                PyErr_Format(PyExc_TypeError, "cannot subtract cdata '%s' and cdata '%U'",
                             ta->ct_name, rname);
            Py_XDECREF(rname);
            return NULL;
        }
        Py_ssize_t isz = cdata_item_size_for_arith(ta);
        if (isz < 0)
            return NULL;
        if (isz == 0) {
            PyErr_Format(PyExc_ZeroDivisionError, "ctype '%s' points to items of size 0",
                         ta->ct_name);
            return NULL;
        }
        return PyLong_FromSsize_t((ca->c_data - cb->c_data) / isz);
    }
    if (!PyIndex_Check(b))
        Py_RETURN_NOTIMPLEMENTED;
    return cdata_add_offset(ca, b, -1);
}

static PyNumberMethods cdata_as_number = {
    .nb_add = cdata_add,
    .nb_subtract = cdata_sub,
    .nb_bool = (inquiry)cdata_bool,
    .nb_int = (unaryfunc)cdata_int,
    .nb_float = (unaryfunc)cdata_float,
};

/* ----------------------------------------------------------- comparisons */

/* The Python number a primitive cdata compares as, or NULL (no error)
 * for non-primitives. */
static PyObject *cdata_compare_value(CDataObject *cd)
{
    CTypeObject *ct = cd->c_type;
    uint32_t f = ct->ct_flags;
    if (f & CT_PRIMITIVE_INTEGER)
        return cdata_int(cd);
    if (f & CT_PRIMITIVE_WCHAR)
        return cconv_to_python(ct, cd->c_data);
    if (f & CT_PRIMITIVE_CHAR)
        return PyBytes_FromStringAndSize(cd->c_data, 1);
    if (f & CT_PRIMITIVE_FLOAT)
        return cdata_float(cd);
    if (f & CT_PRIMITIVE_COMPLEX)
        return cconv_to_python(ct, cd->c_data);
    return NULL;
}

static PyObject *cdata_richcompare(PyObject *a, PyObject *b, int op)
{
    CDataObject *ca = (CDataObject *)a;
    if ((ca->c_type->ct_flags & CT_IS_LONGDOUBLE)
        || (CData_Check(b) && (CData_CType(b)->ct_flags & CT_IS_LONGDOUBLE))) {
        PyErr_SetString(PyExc_NotImplementedError,
                        "cannot use <cdata 'long double'> in a comparison");
        return NULL;
    }
    if (ca->c_type->ct_flags & CT_PRIMITIVE_ANY) {
        PyObject *va = cdata_compare_value(ca);
        if (va == NULL)
            return NULL;
        PyObject *vb;
        if (CData_Check(b)) {
            if (!(CData_CType(b)->ct_flags & CT_PRIMITIVE_ANY)) {
                Py_DECREF(va);
                if (op == Py_EQ)
                    Py_RETURN_FALSE;
                if (op == Py_NE)
                    Py_RETURN_TRUE;
                Py_RETURN_NOTIMPLEMENTED;
            }
            vb = cdata_compare_value((CDataObject *)b);
            if (vb == NULL) {
                Py_DECREF(va);
                return NULL;
            }
        } else {
            Py_INCREF(b);
            vb = b;
        }
        PyObject *r = PyObject_RichCompare(va, vb, op);
        Py_DECREF(va);
        Py_DECREF(vb);
        return r;
    }
    if (!CData_Check(b) || (CData_CType(b)->ct_flags & CT_PRIMITIVE_ANY)) {
        if (op == Py_EQ)
            Py_RETURN_FALSE;
        if (op == Py_NE)
            Py_RETURN_TRUE;
        Py_RETURN_NOTIMPLEMENTED;
    }
    char *pa = ca->c_data, *pb = CData_Ptr(b);
    int r;
    switch (op) {
    case Py_EQ: r = pa == pb; break;
    case Py_NE: r = pa != pb; break;
    case Py_LT: r = pa < pb; break;
    case Py_LE: r = pa <= pb; break;
    case Py_GT: r = pa > pb; break;
    default:    r = pa >= pb; break;
    }
    return PyBool_FromLong(r);
}

static Py_hash_t cdata_hash(CDataObject *cd)
{
    if (cd->c_type->ct_flags & CT_PRIMITIVE_ANY) {
        PyObject *v = cdata_compare_value(cd);
        if (v == NULL)
            return -1;
        Py_hash_t h = PyObject_Hash(v);
        Py_DECREF(v);
        return h;
    }
    return _Py_HashPointer(cd->c_data);
}

/* -------------------------------------------------------------- indexing */

static PyObject *cdata_null_deref(CDataObject *cd)
{
    if (CData_IsReleased(cd)) {
        cdata_raise_released(PyExc_RuntimeError, (PyObject *)cd,
                             "cannot dereference it");
        return NULL;
    }
    PyErr_Format(PyExc_RuntimeError, "cannot dereference null pointer from cdata '%s'",
                 cd->c_type->ct_name);
    return NULL;
}

/* Address of item i, with CFFI's checks; NULL with an exception. */
static char *cdata_item_address(CDataObject *cd, Py_ssize_t i)
{
    CTypeObject *ct = cd->c_type;
    if (ct->ct_flags & CT_ARRAY) {
        Py_ssize_t len = cdata_array_length(cd);
        if (i < 0) {
            PyErr_SetString(PyExc_IndexError, "negative index");
            return NULL;
        }
        if (len >= 0 && i >= len) {
            if (CData_IsReleased(cd)) {
                cdata_raise_released(PyExc_IndexError, (PyObject *)cd,
                                     "it has no items left");
                return NULL;
            }
            PyErr_Format(PyExc_IndexError,
                         "index too large for cdata '%s' (expected %zd < %zd)",
                         ct->ct_name, i, len);
            return NULL;
        }
        return cd->c_data + i * ct->ct_item->ct_size;
    }
    if (ct->ct_flags & CT_POINTER) {
        if (i != 0 && (CData_IsInline(cd) || (CData_IsOwn(cd)
            && (CD_OWN(cd)->c_repr_kind == CDATA_REPR_OWNING
                || CD_OWN(cd)->c_repr_kind == CDATA_REPR_HANDLE)))) {
            PyErr_Format(PyExc_IndexError, "cdata '%s' can only be indexed by 0",
                         ct->ct_name);
            return NULL;
        }
        if (cd->c_data == NULL) {
            cdata_null_deref(cd);
            return NULL;
        }
        CTypeObject *item = ct->ct_item;
        if (item->ct_size < 0) {
            PyErr_Format(PyExc_TypeError, "cdata '%s' is opaque", item->ct_name);
            return NULL;
        }
        return cd->c_data + i * item->ct_size;
    }
    PyErr_Format(PyExc_TypeError, "cdata of type '%s' cannot be indexed", ct->ct_name);
    return NULL;
}

static PyObject *cdata_getitem_index(CDataObject *cd, Py_ssize_t i)
{
    CTypeObject *ct = cd->c_type;
    char *p = cdata_item_address(cd, i);
    if (p == NULL)
        return NULL;
    CTypeObject *item = ct->ct_item;
    if ((ct->ct_flags & CT_POINTER) && Py_TYPE(cd) == &CDataOwn_Type
        && CD_OWN(cd)->c_keep != NULL && CD_OWN(cd)->c_repr_kind == CDATA_REPR_OWNING
        && (item->ct_flags & CT_STRUCT_OR_UNION)) {
        Py_INCREF(CD_OWN(cd)->c_keep);
        return CD_OWN(cd)->c_keep;
    }
    if (CData_IsInline(cd) && (ct->ct_flags & CT_POINTER)
        && (item->ct_flags & CT_STRUCT_OR_UNION))
        return cdata_inline_struct(cd);
    return cconv_to_python_owned(item, p, cdata_memory_owner(cd));
}

/* Resolves a slice into [start, stop) with CFFI's rules. */
static int cdata_slice_bounds(CDataObject *cd, PyObject *slice, Py_ssize_t *start,
                              Py_ssize_t *stop)
{
    PySliceObject *s = (PySliceObject *)slice;
    CTypeObject *ct = cd->c_type;
    if (s->start == Py_None) {
        PyErr_SetString(PyExc_IndexError, "slice start must be specified");
        return -1;
    }
    if (s->stop == Py_None) {
        PyErr_SetString(PyExc_IndexError, "slice stop must be specified");
        return -1;
    }
    if (s->step != Py_None) {
        PyErr_SetString(PyExc_IndexError, "slice with step not supported");
        return -1;
    }
    *start = PyNumber_AsSsize_t(s->start, PyExc_OverflowError);
    if (*start == -1 && PyErr_Occurred())
        return -1;
    *stop = PyNumber_AsSsize_t(s->stop, PyExc_OverflowError);
    if (*stop == -1 && PyErr_Occurred())
        return -1;
    if (*start > *stop) {
        PyErr_SetString(PyExc_IndexError, "slice start > stop");
        return -1;
    }
    if (ct->ct_flags & CT_ARRAY) {
        if (*start < 0) {
            PyErr_SetString(PyExc_IndexError, "negative index");
            return -1;
        }
        Py_ssize_t len = cdata_array_length(cd);
        if (len >= 0 && *stop > len) {
            if (CData_IsReleased(cd))
                return cdata_raise_released(PyExc_IndexError, (PyObject *)cd,
                                            "it has no items left");
            PyErr_Format(PyExc_IndexError, "index too large (expected %zd <= %zd)",
                         *stop, len);
            return -1;
        }
    } else if (!(ct->ct_flags & CT_POINTER)) {
        PyErr_Format(PyExc_TypeError, "cdata of type '%s' cannot be indexed", ct->ct_name);
        return -1;
    } else if (CData_IsReleased(cd)) {
        return cdata_raise_released(PyExc_IndexError, (PyObject *)cd, "cannot slice it");
    } else if (ct->ct_item->ct_size < 0) {
        PyErr_Format(PyExc_TypeError, "cdata '%s' points to items of unknown size",
                     ct->ct_name);
        return -1;
    }
    return 0;
}

static PyObject *cdata_getslice(CDataObject *cd, PyObject *slice)
{
    Py_ssize_t start, stop;
    if (cdata_slice_bounds(cd, slice, &start, &stop) < 0)
        return NULL;
    CTypeObject *arr = ctype_array_of(cd->c_type->ct_item, -1);
    if (arr == NULL)
        return NULL;
    CDataObject *r = cdata_alloc(&CDataOwn_Type, arr, 0);
    Py_DECREF(arr);
    if (r == NULL)
        return NULL;
    r->c_data = cd->c_data + start * cd->c_type->ct_item->ct_size;
    CD_OWN(r)->c_length = stop - start;
    CD_OWN(r)->c_repr_kind = CDATA_REPR_SLICED;
    PyObject *owner = cdata_memory_owner(cd);
    Py_XINCREF(owner);
    CD_OWN(r)->c_keep = owner;
    return (PyObject *)r;
}

static int cdata_setslice(CDataObject *cd, PyObject *slice, PyObject *value)
{
    Py_ssize_t start, stop;
    if (cdata_slice_bounds(cd, slice, &start, &stop) < 0)
        return -1;
    CTypeObject *item = cd->c_type->ct_item;
    Py_ssize_t n = stop - start;
    char *dst = cd->c_data + start * item->ct_size;
    if (CData_Check(value)) {
        CDataObject *src = (CDataObject *)value;
        if ((src->c_type->ct_flags & CT_ARRAY) && src->c_type->ct_item == item) {
            Py_ssize_t len = cdata_array_length(src);
            if (len != n) {
                PyErr_Format(PyExc_ValueError, "need %zd values to unpack, got %zd", n, len);
                return -1;
            }
            memmove(dst, src->c_data, n * item->ct_size);
            return 0;
        }
    }
    if ((item->ct_flags & CT_PRIMITIVE_CHAR) && PyBytes_Check(value)) {
        if (PyBytes_GET_SIZE(value) != n) {
            PyErr_Format(PyExc_ValueError, "need a string of length %zd, got %zd",
                         n, PyBytes_GET_SIZE(value));
            return -1;
        }
        memcpy(dst, PyBytes_AS_STRING(value), n);
        return 0;
    }
    PyObject *seq = PySequence_Fast(value, "expected a sequence");
    if (seq == NULL)
        return -1;
    Py_ssize_t got = PySequence_Fast_GET_SIZE(seq);
    if (got != n) {
        PyErr_Format(PyExc_ValueError, got < n ? "need %zd values to unpack, got %zd"
                                               : "got %zd values, expected %zd",
                     got < n ? n : got, got < n ? got : n);
        Py_DECREF(seq);
        return -1;
    }
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++)
        if (cconv_from_python(item, dst + i * item->ct_size, items[i]) < 0) {
            Py_DECREF(seq);
            return -1;
        }
    Py_DECREF(seq);
    return 0;
}

static PyObject *cdata_subscript(CDataObject *cd, PyObject *key)
{
    if (PyLong_CheckExact(key)) {
        Py_ssize_t i = PyLong_AsSsize_t(key);
        if (i == -1 && PyErr_Occurred())
            return NULL;
        return cdata_getitem_index(cd, i);
    }
    if (PySlice_Check(key))
        return cdata_getslice(cd, key);
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return NULL;
    return cdata_getitem_index(cd, i);
}

static int cdata_ass_subscript(CDataObject *cd, PyObject *key, PyObject *value)
{
    if (value == NULL) {
        PyErr_SetString(PyExc_TypeError, "'del' of cdata items is not supported");
        return -1;
    }
    if (PySlice_Check(key))
        return cdata_setslice(cd, key, value);
    Py_ssize_t i = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred())
        return -1;
    char *p = cdata_item_address(cd, i);
    if (p == NULL)
        return -1;
    return cconv_from_python(cd->c_type->ct_item, p, value);
}

static Py_ssize_t cdata_length(CDataObject *cd)
{
    Py_ssize_t len = cdata_array_length(cd);
    if (len < 0) {
        PyErr_Format(PyExc_TypeError, "cdata of type '%s' has no len()",
                     cd->c_type->ct_name);
        return -1;
    }
    return len;
}

static PyMappingMethods cdata_as_mapping = {
    .mp_length = (lenfunc)cdata_length,
    .mp_subscript = (binaryfunc)cdata_subscript,
    .mp_ass_subscript = (objobjargproc)cdata_ass_subscript,
};

/* ----------------------------------------------------------- iteration */

typedef struct {
    PyObject_HEAD
    CDataObject *it_cd;
    Py_ssize_t it_index, it_length;
} CDataIterObject;

static PyTypeObject CDataIter_Type;

static PyObject *cdata_iter(CDataObject *cd)
{
    Py_ssize_t len = cdata_array_length(cd);
    if (!(cd->c_type->ct_flags & CT_ARRAY) || len < 0) {
        PyErr_Format(PyExc_TypeError, "cdata '%s' does not support iteration",
                     cd->c_type->ct_name);
        return NULL;
    }
    CDataIterObject *it = PyObject_New(CDataIterObject, &CDataIter_Type);
    if (it == NULL)
        return NULL;
    Py_INCREF(cd);
    it->it_cd = cd;
    it->it_index = 0;
    it->it_length = len;
    return (PyObject *)it;
}

static PyObject *cdataiter_next(CDataIterObject *it)
{
    if (it->it_index >= it->it_length)
        return NULL;
    return cdata_getitem_index(it->it_cd, it->it_index++);
}

static void cdataiter_dealloc(CDataIterObject *it)
{
    Py_DECREF(it->it_cd);
    PyObject_Free(it);
}

static PyTypeObject CDataIter_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.__CData_iterator",
    .tp_basicsize = sizeof(CDataIterObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)cdataiter_dealloc,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)cdataiter_next,
};

/* ---------------------------------------------------------------- fields */

/* The struct type and base address fields of cd live at, or NULL (no
 * exception) when cd has no fields. */
static CTypeObject *cdata_struct_of(CDataObject *cd, char **base)
{
    CTypeObject *ct = cd->c_type;
    if (ct->ct_flags & CT_STRUCT_OR_UNION) {
        *base = cd->c_data;
        return ct;
    }
    if ((ct->ct_flags & CT_POINTER) && (ct->ct_item->ct_flags & CT_STRUCT_OR_UNION)) {
        *base = cd->c_data;
        return ct->ct_item;
    }
    return NULL;
}

/* Bytes of memory owned from the start of cd's struct, or -1 when not
 * known (a pointer that is not from ffi.new). */
static Py_ssize_t cdata_owned_struct_bytes(CDataObject *cd)
{
    return cdata_owned_bytes((PyObject *)cd);
}

/* A field `T x[]` (or `T x[0]`): CFFI gives "T[]" sliced to the items
 * that fit in the owned memory, or a "T *" when the length is unknown. */
static PyObject *cdata_read_var_array(CDataObject *cd, CFieldObject *f, char *base)
{
    CTypeObject *item = f->cf_type->ct_item;
    char *p = base + f->cf_offset;
    Py_ssize_t owned = cdata_owned_struct_bytes(cd);
    if (owned < 0 || item->ct_size <= 0) {
        CTypeObject *ptr = ctype_pointer_to(item);
        if (ptr == NULL)
            return NULL;
        PyObject *r = cdata_new_pointer(ptr, p);
        Py_DECREF(ptr);
        return r;
    }
    Py_ssize_t n = owned > f->cf_offset ? (owned - f->cf_offset) / item->ct_size : 0;
    CTypeObject *arr = ctype_array_of(item, -1);
    if (arr == NULL)
        return NULL;
    CDataObject *r = cdata_alloc(&CDataOwn_Type, arr, 0);
    Py_DECREF(arr);
    if (r == NULL)
        return NULL;
    r->c_data = p;
    CD_OWN(r)->c_length = n;
    CD_OWN(r)->c_repr_kind = CDATA_REPR_SLICED;
    PyObject *owner = cdata_memory_owner(cd);
    Py_XINCREF(owner);
    CD_OWN(r)->c_keep = owner;
    return (PyObject *)r;
}

/* Assigning a list/bytes/str to a flexible array member of memory from
 * ffi.new: refuses more items than were allocated (IndexError). */
static int cdata_var_array_overflows(CDataObject *cd, CFieldObject *f, PyObject *value)
{
    Py_ssize_t owned = cdata_owned_struct_bytes(cd);
    CTypeObject *item = f->cf_type->ct_item;
    if (owned < 0 || item->ct_size <= 0)
        return 0;
    Py_ssize_t room = owned > f->cf_offset ? (owned - f->cf_offset) / item->ct_size : 0;
    Py_ssize_t n;
    if (PyList_Check(value) || PyTuple_Check(value))
        n = PySequence_Fast_GET_SIZE(value);
    else if (PyBytes_Check(value))
        n = PyBytes_GET_SIZE(value) + 1;   /* and the NUL written after them */
    else if (PyUnicode_Check(value))
        n = PyUnicode_GET_LENGTH(value);
    else
        return 0;
    if (n <= room)
        return 0;
    PyErr_Format(PyExc_IndexError, "too many initializers for '%s' (got %zd, room for %zd)",
                 f->cf_type->ct_name, n, room);
    return 1;
}

/* The same for a member that is a struct ending in a flexible array member
 * (`p.s = [1, [2, 3, 4]]`), sized as ffi.new() sizes it: its items past
 * the owned memory were written past the block (CFFI writes them there;
 * found by the differential test, seed 42).  1 with IndexError set, -1 with
 * another error set, else 0. */
static int cdata_var_struct_overflows(CDataObject *cd, CFieldObject *f, PyObject *value)
{
    CTypeObject *ft = f->cf_type;
    if (!(ft->ct_flags & CT_WITH_VAR_ARRAY)
        || !(PyList_Check(value) || PyTuple_Check(value) || PyDict_Check(value)))
        return 0;
    Py_ssize_t owned = cdata_owned_struct_bytes(cd);
    if (owned < 0)
        return 0;
    Py_ssize_t need = cdata_varsize_struct(ft, value);
    if (need < 0)
        return -1;
    if (need <= owned - f->cf_offset)
        return 0;
    PyErr_Format(PyExc_IndexError, "too many initializers for '%s' (needs %zd "
                 "bytes, room for %zd)", ft->ct_name, need,
                 owned > f->cf_offset ? owned - f->cf_offset : (Py_ssize_t)0);
    return 1;
}

static PyObject *cdata_getattro(CDataObject *cd, PyObject *name)
{
    char *base;
    CTypeObject *st = cdata_struct_of(cd, &base);
    if (st != NULL && st->ct_fields != NULL) {
        if (ctype_check_layout(st) < 0)
            return NULL;
        CFieldObject *f = ctype_find_field(st, name);
        if (f != NULL) {
            if (base == NULL)
                return cdata_null_deref(cd);
            CTypeObject *ft = f->cf_type;
            /* fast path: a plain int or double field, as cconv reads it */
            if (f->cf_bitsize < 0) {
                char *p = base + f->cf_offset;
                uint32_t fl = ft->ct_flags;
                if ((fl & CT_PRIMITIVE_SIGNED) && ft->ct_size == sizeof(int)) {
                    int v;
                    memcpy(&v, p, sizeof v);     /* packed: maybe unaligned */
                    return PyLong_FromLong(v);
                }
                if ((fl & CT_PRIMITIVE_FLOAT) && ft->ct_size == sizeof(double)
                    && !(fl & (CT_IS_LONGDOUBLE | CT_PRIMITIVE_COMPLEX))) {
                    double d;
                    memcpy(&d, p, sizeof d);
                    return PyFloat_FromDouble(d);
                }
            }
            if ((ft->ct_flags & CT_ARRAY) && ft->ct_length <= 0)
                return cdata_read_var_array(cd, f, base);
            /* only a struct or array field is a view needing an owner */
            PyObject *owner = (ft->ct_flags & (CT_STRUCT_OR_UNION | CT_ARRAY))
                              ? cdata_memory_owner(cd) : NULL;
            return cconv_read_field(f, base, owner);
        }
        if (PyErr_Occurred())
            return NULL;
    }
    PyObject *r = PyObject_GenericGetAttr((PyObject *)cd, name);
    if (r == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        if (st != NULL)
            PyErr_Format(PyExc_AttributeError, "cdata '%s' has no field '%U'",
                         cd->c_type->ct_name, name);
        else
            PyErr_Format(PyExc_AttributeError, "cdata '%s' has no attribute '%U'",
                         cd->c_type->ct_name, name);
    }
    return r;
}

static int cdata_setattro(CDataObject *cd, PyObject *name, PyObject *value)
{
    char *base;
    CTypeObject *st = cdata_struct_of(cd, &base);
    if (st != NULL && st->ct_fields != NULL) {
        if (ctype_check_layout(st) < 0)
            return -1;
        CFieldObject *f = ctype_find_field(st, name);
        if (f != NULL) {
            if (value == NULL) {
                PyErr_SetString(PyExc_AttributeError, "cannot delete struct field");
                return -1;
            }
            if (base == NULL) {
                cdata_null_deref(cd);
                return -1;
            }
            CTypeObject *ft = f->cf_type;
            if ((ft->ct_flags & CT_ARRAY) && ft->ct_length <= 0
                && cdata_var_array_overflows(cd, f, value))
                return -1;
            if ((ft->ct_flags & CT_STRUCT_OR_UNION)
                && cdata_var_struct_overflows(cd, f, value))
                return -1;
            return cconv_write_field(f, base, value);
        }
        if (PyErr_Occurred())
            return -1;
    }
    if (st != NULL)
        PyErr_Format(PyExc_AttributeError, "cdata '%s' has no field '%U'",
                     cd->c_type->ct_name, name);
    else
        PyErr_Format(PyExc_AttributeError, "cdata '%s' has no attribute '%U'",
                     cd->c_type->ct_name, name);
    return -1;
}

static PyObject *cdata_dir(CDataObject *cd, PyObject *noarg)
{
    (void)noarg;
    char *base;
    CTypeObject *st = cdata_struct_of(cd, &base);
    if (st == NULL || st->ct_fields == NULL)
        return PyList_New(0);
    if (ctype_check_layout(st) < 0)
        return NULL;
    PyObject *keys = PyDict_Keys(st->ct_fields);
    if (keys != NULL && PyList_Sort(keys) < 0)
        Py_CLEAR(keys);
    return keys;
}

/* ------------------------------------------------------- call, release */

static PyObject *cdata_call(CDataObject *cd, PyObject *args, PyObject *kwds)
{
    if (!(cd->c_type->ct_flags & CT_FUNCTIONPTR)) {
        PyErr_Format(PyExc_TypeError, "cdata '%s' is not callable", cd->c_type->ct_name);
        return NULL;
    }
    if (cdata_call_hook == NULL) {
        PyErr_SetString(PyExc_NotImplementedError,
                        "calling a function pointer cdata (ABI-mode calls)");
        return NULL;
    }
    return cdata_call_hook((PyObject *)cd, args, kwds);
}

/* ffi.release() of ffi.new() memory: the owner of a separate block (cd,
 * or the struct object of a "struct *") drops the block's capsule, which
 * frees it unless derived objects still use it (see cdata_keepalive); cd
 * and the owner then have length 0 and a NULL pointer and refuse any use,
 * naming the release.  Memory inside the object goes with the object. */
static void cdata_release_memory(CDataObject *cd)
{
    CDataObject *owner = cdata_is_struct_wrapper(cd) ? (CDataObject *)CD_OWN(cd)->c_keep
                                                     : cd;
    CDataOwnObject *oo = CD_OWN(owner), *o = CD_OWN(cd);
    if (!(oo->c_flags & CDATA_F_PYMEM))
        return;
    oo->c_flags = (oo->c_flags & ~CDATA_F_PYMEM) | CDATA_F_RELEASED;
    owner->c_data = NULL;
    oo->c_length = 0;
    oo->c_nbytes = 0;
    o->c_flags |= CDATA_F_RELEASED;
    cd->c_data = NULL;
    o->c_length = 0;
    o->c_nbytes = 0;
    Py_CLEAR(oo->c_keep);
}

/* What ffi.release() and `with` accept, as in CFFI: pointers and arrays
 * from ffi.new (not the struct object p[0]), gc, from_buffer, allocators. */
static int cdata_is_releasable(CDataObject *cd)
{
    PyTypeObject *tp = Py_TYPE(cd);
    if (cd->c_type->ct_flags & CT_STRUCT_OR_UNION)
        return 0;
    return tp == &CDataInline_Type || tp == &CDataOwnGC_Type || tp == &CDataGCP_Type || tp == &CDataFromBuf_Type
           || (tp == &CDataOwn_Type && CD_OWN(cd)->c_repr_kind == CDATA_REPR_OWNING);
}

int cdata_release(CDataObject *cd)
{
    PyTypeObject *tp = Py_TYPE(cd);
    int ok = cdata_is_releasable(cd);
    if (!ok) {
        PyErr_SetString(PyExc_ValueError,
                        "only 'cdata' object from ffi.new(), ffi.gc(), ffi.from_buffer() "
                        "or ffi.new_allocator()() can be used with the 'with' keyword or "
                        "ffi.release()");
        return -1;
    }
    if (tp == &CDataInline_Type)
        return 0;         /* memory inside the object goes with it */
    CDataOwnObject *o = CD_OWN(cd);
    if (o->c_destructor != NULL) {
        cdata_run_destructor(o);
        if (PyErr_Occurred())
            return -1;
    }
    if (cdata_is_struct_wrapper(cd)
        && CD_OWN(o->c_keep)->c_destructor != NULL) {
        /* "struct foo *" from an allocator: its struct calls free() */
        cdata_run_destructor(CD_OWN(o->c_keep));
        if (PyErr_Occurred())
            return -1;
    }
    if (tp == &CDataFromBuf_Type) {
        CDataFromBufObject *fb = (CDataFromBufObject *)cd;
        if (fb->c_view_held) {
            fb->c_view_held = 0;
            PyBuffer_Release(&fb->c_view);
        }
    }
    cdata_release_memory(cd);
    return 0;
}

static PyObject *cdata_enter(PyObject *self, PyObject *noarg)
{
    (void)noarg;
    if (!cdata_is_releasable((CDataObject *)self)) {
        PyErr_SetString(PyExc_ValueError,
                        "only 'cdata' object from ffi.new(), ffi.gc(), ffi.from_buffer() "
                        "or ffi.new_allocator()() can be used with the 'with' keyword or "
                        "ffi.release()");
        return NULL;
    }
    Py_INCREF(self);
    return self;
}

static PyObject *cdata_exit(PyObject *self, PyObject *args)
{
    (void)args;
    if (cdata_release((CDataObject *)self) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef cdata_methods[] = {
    {"__dir__", (PyCFunction)cdata_dir, METH_NOARGS, NULL},
    {"__complex__", (PyCFunction)cdata_complex, METH_NOARGS, NULL},
    {"__enter__", cdata_enter, METH_NOARGS, NULL},
    {"__exit__", cdata_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

/* ------------------------------------------------------------ the types */

#if PY_VERSION_HEX < 0x03090000   /* 3.8 spells vectorcall provisionally */
#define CDATA_TPFLAGS_VECTORCALL _Py_TPFLAGS_HAVE_VECTORCALL
#else
#define CDATA_TPFLAGS_VECTORCALL Py_TPFLAGS_HAVE_VECTORCALL
#endif

PyTypeObject CData_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend._CDataBase",
    .tp_basicsize = sizeof(CDataPlainObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | CDATA_TPFLAGS_VECTORCALL,
    .tp_vectorcall_offset = offsetof(CDataPlainObject, c_vectorcall),
    .tp_doc = "The internal base type for CData objects.",
    .tp_dealloc = (destructor)cdata_dealloc,
    .tp_repr = (reprfunc)cdata_repr,
    .tp_as_number = &cdata_as_number,
    .tp_as_mapping = &cdata_as_mapping,
    .tp_hash = (hashfunc)cdata_hash,
    .tp_call = (ternaryfunc)cdata_call,
    .tp_getattro = (getattrofunc)cdata_getattro,
    .tp_setattro = (setattrofunc)cdata_setattro,
    .tp_richcompare = cdata_richcompare,
    .tp_weaklistoffset = offsetof(CDataObject, c_weakreflist),
    .tp_iter = (getiterfunc)cdata_iter,
    .tp_methods = cdata_methods,
};

#define CDATA_SUBTYPE(var, name, basic, gcflags, trav, clr, fin) \
    PyTypeObject var = {                                              \
        PyVarObject_HEAD_INIT(NULL, 0)                                \
        .tp_name = "_cffi_backend." name,                             \
        .tp_basicsize = basic,                                        \
        .tp_flags = Py_TPFLAGS_DEFAULT | (gcflags),                   \
        .tp_dealloc = (destructor)cdata_own_dealloc,                  \
        .tp_call = (ternaryfunc)cdata_call, /* no vectorcall slot */  \
        .tp_traverse = (traverseproc)(trav),                          \
        .tp_clear = (inquiry)(clr),                                   \
        .tp_finalize = (destructor)(fin),                             \
        .tp_base = &CData_Type,                                       \
    }

#define CDATA_GC_SUBTYPE(var, name, basic) \
    CDATA_SUBTYPE(var, name, basic, Py_TPFLAGS_HAVE_GC, cdata_own_traverse, \
                  cdata_own_clear, cdata_own_finalize)
CDATA_SUBTYPE(CDataOwn_Type, "__CDataOwn", sizeof(CDataOwnObject), 0, NULL, NULL, NULL);
CDATA_GC_SUBTYPE(CDataOwnGC_Type, "__CDataOwnGC", sizeof(CDataOwnObject));
CDATA_GC_SUBTYPE(CDataGCP_Type, "__CDataGCP", sizeof(CDataOwnObject));
CDATA_GC_SUBTYPE(CDataFromBuf_Type, "__CDataFromBuf", sizeof(CDataFromBufObject));
CDATA_GC_SUBTYPE(CDataHandle_Type, "__CDataHandle", sizeof(CDataOwnObject));
CDATA_SUBTYPE(CDataInline_Type, "__CDataOwn", sizeof(CDataObject), 0, NULL, NULL, NULL);

int cdata_init_module(PyObject *m)
{
    PyTypeObject *types[] = {&CData_Type, &CDataOwn_Type, &CDataOwnGC_Type,
                             &CDataGCP_Type, &CDataFromBuf_Type, &CDataHandle_Type,
                             &CDataInline_Type, &CDataIter_Type};
    CDataInline_Type.tp_dealloc = (destructor)cdata_inline_dealloc;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (PyType_Ready(types[i]) < 0)
            return -1;
    Py_INCREF(&CData_Type);
    if (PyModule_AddObject(m, "_CDataBase", (PyObject *)&CData_Type) < 0) {
        Py_DECREF(&CData_Type);
        return -1;
    }
    return 0;
}
