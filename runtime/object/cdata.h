/* cdata.h - CData objects: Python handles on C memory.
 *
 * Every cdata is a CDataObject: a CType and a data pointer c_data, whose
 * meaning follows CFFI: for a POINTER or FUNCTIONPTR cdata, c_data IS the
 * pointer value; for a primitive, c_data points at the value (a cast result
 * keeps it inside the object); for structs, unions and arrays it points at
 * the memory.
 * Variants add what they must keep:
 *   CData_Type       '_CDataBase': plain (cast results, pointers read from
 *                    memory, struct views through pointers) - c_data only;
 *   CDataOwn_Type    '__CDataOwn': memory owned by the object (ffi.new),
 *                    allocated in one block after the object, or a
 *                    "struct foo *" whose struct cdata is in c_keep; also
 *                    views (nested struct, array item...) that keep their
 *                    owner c_keep alive;
 *   CDataOwnGC_Type  '__CDataOwnGC': memory from a custom allocator
 *                    (ffi.new_allocator), freed by calling c_destructor;
 *   CDataGCP_Type    '__CDataGCP': ffi.gc(cdata, destructor): a copy of the
 *                    pointer that calls c_destructor(c_keep) when it dies;
 *   CDataFromBuf_Type '__CDataFromBuf': ffi.from_buffer, holds a Py_buffer;
 *   CDataHandle_Type '__CDataHandle': ffi.new_handle, c_keep is the object;
 *   CDataInline_Type '__CDataOwn' too: ffi.new("T *") (no allocator, not a
 *                    variable-sized struct) - the T lives in the object right
 *                    after the CDataObject header, nothing else is stored
 *                    (issue 17: 48 bytes for an int, 64 for a 16-byte
 *                    struct); p[0] of a struct is an owning view keeping p.
 *                    Also ffi.new("T[N]") of a fixed length under 8192
 *                    bytes, its length its type's (80 bytes for int[10]).
 * Include <Python.h> before this header.
 */
#ifndef CCFFI_CDATA_H
#define CCFFI_CDATA_H

#include "object/ctype_obj.h"

typedef struct CDataObject {
    PyObject_HEAD
    CTypeObject *c_type;
    char *c_data;
    PyObject *c_weakreflist;
} CDataObject;

/* A plain cdata (of CData_Type itself) has one slot more: the vectorcall
 * entry of a function cdata that has a fast call (cdata_new_function),
 * NULL for every other one, which CPython then calls through tp_call.
 * So a library's function is a plain cdata, as in CFFI, yet called without
 * an argument tuple.  The variants below do not have the slot (their own
 * fields follow the header) and do not take CData_Type's vectorcall. */
typedef struct CDataPlainObject {
    CDataObject head;
    vectorcallfunc c_vectorcall;
} CDataPlainObject;

/* The extended variants (all but CData_Type) share this layout. */
typedef struct CDataOwnObject {
    CDataObject head;
    Py_ssize_t c_length;       /* ARRAY cdata: number of items (for "T[]"),
                                  else -1 */
    Py_ssize_t c_nbytes;       /* owned bytes shown in the repr, -1 if none */
    PyObject *c_keep;          /* kept alive: the owner of a view, the struct
                                  of an owning "struct *", the source object
                                  of from_buffer, the handle's object, the
                                  original cdata of ffi.gc */
    PyObject *c_destructor;    /* GCP/OwnGC: called once (release or death) */
    int c_repr_kind;           /* CDATA_REPR_*: what repr() says */
    int c_flags;               /* CDATA_F_* */
} CDataOwnObject;

enum {
    CDATA_REPR_PLAIN,          /* like a plain cdata */
    CDATA_REPR_OWNING,         /* "owning N bytes" (c_nbytes) */
    CDATA_REPR_VIEW,           /* plain repr; c_keep owns the memory */
    CDATA_REPR_SLICED,         /* "sliced length N"; c_keep owns the memory */
    CDATA_REPR_HANDLE,         /* "handle to X" */
    CDATA_REPR_BUFFER,         /* "buffer len N from 'T' object" */
};
#define CDATA_F_PYMEM 0x1      /* c_data is a separate PyMem block held by
                                  the capsule c_keep (cdata_block_keeper) */
#define CDATA_F_RELEASED 0x2   /* ffi.release() gave the memory up: c_data
                                  is NULL and every use raises, naming it */

typedef struct CDataFromBufObject {
    CDataOwnObject own;
    Py_buffer c_view;          /* released on ffi.release() or death */
    int c_view_held;
} CDataFromBufObject;

extern PyTypeObject CData_Type;        /* also ffi.CData */
extern PyTypeObject CDataOwn_Type;
extern PyTypeObject CDataOwnGC_Type;
extern PyTypeObject CDataGCP_Type;
extern PyTypeObject CDataFromBuf_Type;
extern PyTypeObject CDataHandle_Type;
extern PyTypeObject CDataInline_Type;

/* True for any cdata object (all variants are subtypes of CData_Type). */
#define CData_Check(ob) (Py_TYPE(ob) == &CData_Type || \
                         PyObject_TypeCheck(ob, &CData_Type))
/* True for the variants with the CDataOwnObject layout (not for plain
 * cdata, nor for the call machinery's own subtypes). */
static inline int CData_IsOwn(const void *ob)
{
    const PyTypeObject *t = Py_TYPE((PyObject *)ob);
    return t == &CDataOwn_Type || t == &CDataOwnGC_Type || t == &CDataGCP_Type
           || t == &CDataFromBuf_Type || t == &CDataHandle_Type;
}
/* ffi.new("T *") with the T inside the object (no CDataOwnObject fields). */
#define CData_IsInline(ob) (Py_TYPE(ob) == &CDataInline_Type)
/* Owns or keeps memory alive: a derived object must keep it. */
#define CData_IsOwnOrInline(ob) (CData_IsOwn(ob) || CData_IsInline(ob))
#define CData_CType(ob) (((CDataObject *)(ob))->c_type)
#define CData_Ptr(ob)   (((CDataObject *)(ob))->c_data)

/* A new cdata of one of the variant types above (GC ones tracked), with
 * c_data set and the other fields empty (c_length/c_nbytes -1, c_keep and
 * c_destructor NULL, c_repr_kind PLAIN): the caller fills them in. */
CDataOwnObject *cdata_new_variant(PyTypeObject *tp, CTypeObject *ct, char *data);

/* A plain cdata of FUNCTIONPTR type ct whose value is fn, called through
 * `call` (vectorcall, self is the cdata), holding `keep` (may be NULL: what
 * keeps the code loaded) as long as it lives.  New reference. */
PyObject *cdata_new_function(CTypeObject *ct, void *fn, vectorcallfunc call,
                             PyObject *keep);

/* A plain cdata of type ct pointing at data (no ownership). */
PyObject *cdata_new_plain(CTypeObject *ct, char *data);

/* A cdata holding a copy of the value at src (primitive or pointer type),
 * as ffi.cast returns: a primitive's value lives inside the object, a
 * pointer's value *(char **)src becomes c_data. */
PyObject *cdata_new_value(CTypeObject *ct, const char *src);

/* A pointer-typed cdata whose value is `ptr` (ptr_ct is a POINTER or
 * FUNCTIONPTR type), e.g. a function result or a global's address. */
PyObject *cdata_new_pointer(CTypeObject *ptr_ct, void *ptr);

/* A view of C memory at `data` of type ct (struct/union/array item) that
 * keeps `owner` alive; with owner NULL, a plain cdata. */
PyObject *cdata_new_view(CTypeObject *ct, char *data, PyObject *owner);

/* ffi.new(ct, init): ct is a POINTER or ARRAY type.  New reference. */
PyObject *cdata_newp(CTypeObject *ct, PyObject *init, PyObject *allocator);

/* An owning cdata of struct/union type ct holding a copy of the ct_size
 * bytes at src, as CFFI returns records by value (calls, CFFI-built
 * modules).  New reference. */
PyObject *cdata_new_record_copy(CTypeObject *ct, const char *src);

/* ffi.release(cd) / `with` exit: runs the destructor of ffi.gc and
 * new_allocator cdata, releases from_buffer's buffer.  0 or -1. */
int cdata_release(CDataObject *cd);

/* Calling a FUNCTIONPTR cdata: set by the call machinery at module init
 * (ccall.c); NULL means calls raise NotImplementedError. */
extern PyObject *(*cdata_call_hook)(PyObject *cd, PyObject *args, PyObject *kwds);

/* True if ffi.release() (or a `with` block) released cd's memory. */
static inline int CData_IsReleased(const void *ob)
{
    return CData_IsOwn(ob)
           && (((const CDataOwnObject *)ob)->c_flags & CDATA_F_RELEASED) != 0;
}

/* Sets `exc` (NULL: ValueError) saying that cd was released by
 * ffi.release() or a `with` block, and what `what` cannot do.  Returns -1. */
int cdata_raise_released(PyObject *exc, PyObject *cd, const char *what);

/* The object whose life keeps the memory that cd points into valid, for a
 * new object derived from cd (a view, a buffer, `cd + n`, a cast):
 * the capsule of a separate ffi.new() block (so that the block outlives an
 * ffi.release() of cd while derived objects use it), the owner of a view,
 * cd itself when it owns memory inline, NULL for plain cdata.  Borrowed. */
PyObject *cdata_keepalive(PyObject *cd);

/* Bytes of memory that ffi.new() gave cd ("owning N bytes"), -1 if cd is
 * not such a cdata. */
Py_ssize_t cdata_owned_bytes(PyObject *cd);

/* Length of an array cdata (its known or owned length), -1 if not an array. */
Py_ssize_t cdata_array_length(CDataObject *cd);

int cdata_init_module(PyObject *m);

#endif /* CCFFI_CDATA_H */
