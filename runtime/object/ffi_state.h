/* ffi_state.h - the FFI object's state: one declaration universe (a
 * cc_table), the types realized from it, and the lookups of type strings.
 * The type FFI_Type and its life cycle live here (object/ffi_state.c); its
 * Python methods are installed by module/ffi_obj.c, the top layer, before
 * the type is readied.  cffi.FFI (pysrc/cffi/api.py) subclasses it to add
 * the build-time methods (set_source, compile, ...).
 *
 * Types are realized lazily: the table holds every declaration, and a
 * CTypeObject is built for table type index i only when first named, then
 * kept in realized[i].  Type strings ("int *", "struct foo[3]") are parsed
 * once into a table index and cached in types_cache (str -> CType).
 * Include <Python.h> before this header.
 */
#ifndef CCFFI_FFI_STATE_H
#define CCFFI_FFI_STATE_H

#include "table/ctable.h"
#include "object/ctype_obj.h"

typedef struct FFIObject {
    PyObject_HEAD
    cc_table table;          /* every declaration cdef() has seen, or a module's table */
    CTypeObject **realized;  /* per table type index: the CType, or NULL */
    uint32_t nrealized;      /* allocated entries of realized[] */
    uint32_t *realized_used; /* the indices whose realized[] entry was ever
                                set, each once (ffi_store_realized): GC
                                traversal visits those, not every entry of
                                a module of thousands of types */
    uint32_t nrealized_used;
    unsigned char *realized_listed; /* bitmap over realized[]: in
                                       realized_used already */
    PyObject *types_cache;   /* dict: type string -> CTypeObject */
    PyObject *rawfunc_cache; /* dict: strings naming a function type
                                ("int(int)") -> its function-pointer CType */
    PyObject *init_once_cache; /* dict: tag -> (done, result/lock) */
    PyObject *included;      /* list of FFI objects given to include() */
    PyObject *incomplete;    /* list of realized struct/union/enum CTypes
                                still opaque, completed after each cdef() */
    PyObject *pending;       /* list of (index, CType): structs realized
                                with their size whose members are still to
                                fill in (a worklist, so that long chains of
                                structs do not recurse in C) */
    int realize_depth;       /* nesting of ffi_realize_type() calls */
    PyObject *typedef_names; /* dict: type index -> first typedef naming it
                                directly (CFFI shows "struct s" as "s_t"
                                after `typedef struct s s_t;`) */
    uint32_t typedef_names_ndecls; /* decls already indexed in it */
    PyObject *anon_numbers;  /* dict: type index -> N of "struct $N", CFFI's
                                numbering of anonymous records in order */
    uint32_t anon_ntypes;    /* types already numbered */
    uint32_t anon_count;     /* last N given */
    int abi_mode;            /* 1 for cdef()-built tables (layout engine);
                                0 for a compiled module's table */
    int cdef_model;          /* 1 once cdef() has declared in this FFI:
                                CFFI's in-line ABI mode (cffi/model.py)
                                decides names and errors, where a compiled
                                module's table (out-of-line or API mode)
                                follows CFFI's recompiler.  In-line, a tagged
                                struct/union is shown under its first direct
                                typedef, a tagged enum only if a direct
                                typedef mentions it first; a struct whose
                                completion raises raises once and stays
                                opaque (CT_IS_BROKEN). */
    PyObject *deferred_type, *deferred_value, *deferred_tb;
                             /* the error of a struct reached through a
                                pointer that broke while realizing: raised
                                when the outermost realization returns, as
                                CFFI finishes such structs last */
    PyObject *api_state;     /* compiled module's ffi: its extern "Python"
                                state (api_module.c), else NULL */
    PyObject *weakreflist;
} FFIObject;

extern PyTypeObject FFI_Type;

#define FFI_Check(ob) PyObject_TypeCheck(ob, &FFI_Type)

/* object/crealize.c.  The CType of table type index `index` (new reference),
 * realizing it and what it needs on first use.  NULL with an exception
 * (NotImplementedError / VerificationMissing / CDefError for types ABI mode
 * cannot use: `int...`, partial structs...). */
CTypeObject *ffi_realize_type(FFIObject *ffi, uint32_t index);

/* object/crealize.c.  For lib.f of a compiled module: function type
 * `index`, built without the checks of a struct by value that CFFI makes
 * only where it describes the function to libffi (ffi.typeof(lib.f),
 * ffi.addressof(lib, 'f'), callbacks, function pointers): those are
 * ffi_check_function_type's, 0 or -1. */
CTypeObject *ffi_realize_lib_function(FFIObject *ffi, uint32_t index);
int ffi_check_function_type(FFIObject *ffi, CTypeObject *fnct);

/* object/crealize.c.  After cdef()/include(): completes the realized records whose
 * body has arrived.  0 or -1. */
int crealize_complete_pending(FFIObject *ffi);

/* object/crealize.c.  A string of the FFI's table. */
const char *crealize_str(FFIObject *ffi, uint32_t off);

/* object/ffi_state.c.  The CType named by a type string, or the CType itself when given one;
 * anything else is a TypeError.  New reference.  A string naming a
 * function type ("int(int)", "void foo(char)") gives the function-pointer
 * CType, as ffi.callback() accepts. */
CTypeObject *ffi_get_ctype(FFIObject *ffi, PyObject *arg);

/* Same, but a function type is refused with CFFI's CDefError "the type
 * 'int(int)' is a function type, not a pointer-to-function type": what
 * typeof/sizeof/new/cast/... do. */
CTypeObject *ffi_get_ctype_strict(FFIObject *ffi, PyObject *arg);

/* Same, with CFFI's rule for ffi.typeof-like arguments: a cdata gives its
 * type.  New reference. */
CTypeObject *ffi_get_ctype_or_cdata(FFIObject *ffi, PyObject *arg);

/* Creates an FFI object over an existing table (API mode: the module's
 * table, copied).  New reference. */
PyObject *ffi_new_from_table(const void *buf, size_t len);

/* The same over a compiled module's own static table, used in place and
 * not checked record by record (cc_table_load_module): buf must outlive
 * the FFI.  New reference. */
PyObject *ffi_new_from_module_table(const void *buf, size_t len);

/* ffi.integer_const(name): the value of an integer constant (#define,
 * `static const` with a value, enumerator), or AttributeError. */
PyObject *ffi_integer_const(FFIObject *ffi, const char *name);

/* Refuses what ABI mode out-of-line cannot write, as CFFI does: a partial
 * enum (`enum e { A, ... }`) raises VerificationMissing.  0 or -1. */
int ffi_check_abi_out_of_line(FFIObject *ffi);

/* Sets ffi->realized[index] (a reference already owned, or NULL) and
 * lists index for ffi_traverse/ffi_clear the first time it holds a type.
 * realized[], realized_used and realized_listed are grown together by
 * crealize (object/crealize.c), so this cannot fail. */
static inline void ffi_store_realized(FFIObject *ffi, uint32_t index,
                                      CTypeObject *ct)
{
    ffi->realized[index] = ct;
    unsigned char bit = (unsigned char)(1u << (index & 7));
    if (ct != NULL && !(ffi->realized_listed[index >> 3] & bit)) {
        ffi->realized_listed[index >> 3] |= bit;
        ffi->realized_used[ffi->nrealized_used++] = index;
    }
}

#endif /* CCFFI_FFI_STATE_H */
