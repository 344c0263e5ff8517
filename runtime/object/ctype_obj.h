/* ctype_obj.h - CType objects: the Python-visible C types of _cffi_backend.
 *
 * A CTypeObject describes one C type as CFFI shows it: a kind (CT_* flags),
 * size and alignment, the item type of pointers/arrays/functions, the
 * argument types of functions, the fields of structs and unions, the
 * enumerators of enums, and a name such as "int(*)[5]" with the position
 * where a declarator goes (so "pointer to this" and "array of this" names are
 * built by splicing text at ct_name_position, as CFFI does).
 *
 * Primitive CTypes exist once per process; "pointer to T" is interned on T
 * (a borrowed cache cleared when the pointer type dies); every other CType
 * is realized by an FFI object from its cc_table (ffi_obj.h) and kept in the
 * FFI's realized[] array, so that naming a type twice gives the same object.
 * As in CFFI, a function type is a function *pointer* type ("int(*)(int)"):
 * the table's FUNCTION and POINTER-to-FUNCTION both realize to it.
 * Include <Python.h> before this header.
 *
 * (Named ctype_obj.h, not ctype.h: -I runtime would shadow <ctype.h>.)
 */
#ifndef CCFFI_CTYPE_OBJ_H
#define CCFFI_CTYPE_OBJ_H

#include <stdint.h>
#include <wchar.h>
#include "table/table_format.h"

/* ct_flags: the kind, as CFFI's backend classifies types. */
#define CT_PRIMITIVE_SIGNED   0x00000001u /* signed integer (also signed enums) */
#define CT_PRIMITIVE_UNSIGNED 0x00000002u /* unsigned integer, _Bool, unsigned enums */
#define CT_PRIMITIVE_CHAR     0x00000004u /* char: 1-byte bytes */
#define CT_PRIMITIVE_FLOAT    0x00000008u /* float, double, long double */
#define CT_PRIMITIVE_COMPLEX  0x00000010u /* float/double _Complex */
#define CT_PRIMITIVE_WCHAR    0x00000020u /* wchar_t, char16_t, char32_t */
#define CT_POINTER            0x00000040u /* T * (not function pointers) */
#define CT_ARRAY              0x00000080u /* T[n] or T[] (ct_length -1) */
#define CT_STRUCT             0x00000100u
#define CT_UNION              0x00000200u
#define CT_FUNCTIONPTR        0x00000400u /* R(*)(A...) */
#define CT_VOID               0x00000800u
/* modifiers */
#define CT_IS_ENUM            0x00001000u /* with SIGNED or UNSIGNED */
#define CT_IS_BOOL            0x00002000u /* with UNSIGNED */
#define CT_IS_LONGDOUBLE      0x00004000u /* with FLOAT */
#define CT_IS_OPAQUE          0x00008000u /* struct/union/enum body unknown */
#define CT_IS_VOIDCHAR_PTR    0x00010000u /* void * or char *: casts from any pointer */
#define CT_IS_PTR_TO_OWNED    0x00020000u /* (reserved) */
#define CT_VARIADIC           0x00040000u /* FUNCTIONPTR: ends in ", ..." */
#define CT_WITH_VAR_ARRAY     0x00080000u /* struct ending in a flexible array */
#define CT_IS_PARTIAL         0x00100000u /* struct/enum declared with "..." */
#define CT_IS_UNKNOWN_PRIM    0x00200000u /* `typedef int... t` (size unknown) */
#define CT_IS_FILE            0x00400000u /* (reserved) FILE */
#define CT_IS_BITFIELD_OWNER  0x00800000u /* struct/union with some bitfield */
#define CT_WITH_ANON_MEMBER   0x01000000u /* struct/union with an anonymous
                                             struct/union member (flattened) */
#define CT_IS_BROKEN          0x02000000u /* struct/union of a cdef() whose
                                             completion raised: opaque for
                                             good, as CFFI's in-line ABI mode
                                             leaves it (crealize.c) */

#define CT_PRIMITIVE_INTEGER (CT_PRIMITIVE_SIGNED | CT_PRIMITIVE_UNSIGNED)
#define CT_PRIMITIVE_ANY (CT_PRIMITIVE_SIGNED | CT_PRIMITIVE_UNSIGNED | \
                          CT_PRIMITIVE_CHAR | CT_PRIMITIVE_FLOAT |      \
                          CT_PRIMITIVE_COMPLEX | CT_PRIMITIVE_WCHAR)
#define CT_STRUCT_OR_UNION (CT_STRUCT | CT_UNION)
#define CT_POINTER_LIKE (CT_POINTER | CT_ARRAY | CT_FUNCTIONPTR)

/* ABI values shown by ctype.abi (CFFI shows FFI_DEFAULT_ABI, 2 on x86-64). */
#define CT_ABI_DEFAULT 2

struct CFieldObject;

typedef struct CTypeObject {
    PyObject_VAR_HEAD             /* ob_size: bytes in ct_name, incl. NUL */
    uint32_t ct_flags;            /* CT_* */
    int ct_prim;                  /* enum cct_prim for primitives and enums, else -1 */
    Py_ssize_t ct_size;           /* bytes, -1 when unknown (opaque, T[], void) */
    Py_ssize_t ct_align;          /* bytes, 0 when unknown */
    Py_ssize_t ct_length;         /* ARRAY: item count, -1 for T[] */
    struct CTypeObject *ct_item;  /* POINTER: pointee; ARRAY: item;
                                     FUNCTIONPTR: result; else NULL */
    PyObject *ct_args;            /* FUNCTIONPTR: tuple of CTypeObject */
    int ct_abi;                   /* FUNCTIONPTR: CT_ABI_DEFAULT */

    /* STRUCT/UNION.  ct_fields maps every reachable name (anonymous members
     * flattened, offsets adjusted) to its CFieldObject; ct_field_list is the
     * `.fields` list of (name, CField) as declared; ct_first_field chains
     * the members in order for initialization from a list.  NULL while
     * opaque. */
    PyObject *ct_fields;
    PyObject *ct_field_list;
    struct CFieldObject *ct_first_field;
    /* STRUCT/UNION of an API-mode module whose cdef gets the layout wrong
     * (table/cmismatch.h): the ffi.error message CFFI raises when the
     * fields are first needed (ctype_check_layout), else NULL.  The type
     * keeps the compiler's layout.  Or, for a struct of a compiled module
     * whose members failed to realize (`struct s { int (*f)(struct s); }`),
     * a tuple (exception class, args): CFFI's struct stays lazy and raises
     * that error wherever its fields or size are needed; here the struct
     * keeps its compiled size with no members and raises it again. */
    PyObject *ct_layout_error;
    /* The first CTYPE_FIELD_SLOTS entries of ct_fields (interned names,
     * borrowed from ct_fields) in a flat array: p.x compares pointers here
     * before asking the dict.  NULL when no fields. */
    struct CFieldSlot *ct_field_slots;
    Py_ssize_t ct_nfield_slots;

    /* ENUM: name -> int and int -> name (first name wins), NULL else. */
    PyObject *ct_enum_values;
    PyObject *ct_enum_names;

    /* Call machinery slot (ccall.c): e.g. a prepared ffi_cif for this
     * FUNCTIONPTR type, freed by ct_call_info_free(ct_call_info) when the
     * CType dies.  NULL until the call machinery fills it. */
    void *ct_call_info;
    void (*ct_call_info_free)(void *);

    struct CTypeObject *ct_pointer_cache; /* borrowed: the live "T *" type */
    struct CTypeObject *ct_unsized_array_cache; /* borrowed: live "T[]" type */
    struct CTypeObject *ct_cache_owner;   /* the T whose cache points to us */
    PyObject *ct_weakreflist;
    int ct_name_position;         /* index in ct_name where a declarator goes */
    char ct_name[1];              /* "int *", "struct foo", "int(*)(int)"... */
} CTypeObject;

/* A struct/union member, as shown by ctype.fields ("CField" objects). */
typedef struct CFieldObject {
    PyObject_HEAD
    CTypeObject *cf_type;        /* declared type (bitfields: the integer type) */
    Py_ssize_t cf_offset;        /* byte offset (of the storage unit for bitfields) */
    short cf_bitshift;           /* -1 unless a bitfield; see table_format.h */
    short cf_bitsize;            /* -1 unless a bitfield */
    unsigned char cf_flags;      /* CF_IGNORE_IN_CTOR or 0 (CField.flags) */
    struct CFieldObject *cf_next;/* next member in declaration order */
} CFieldObject;

/* cf_flags: a member that positional initializers skip (a union's members
 * after the first, and what an anonymous one of them contains), as CFFI's
 * BF_IGNORE_IN_CTOR (same value, seen as CField.flags). */
#define CF_IGNORE_IN_CTOR 0x01

extern PyTypeObject CType_Type;
extern PyTypeObject CField_Type;

#define CType_Check(ob) (Py_TYPE(ob) == &CType_Type)

/* The process-wide CType of a primitive (enum cct_prim; not UNKNOWN_*), or
 * of void.  Borrowed references, alive as long as the module. */
CTypeObject *ctype_primitive(int prim);
CTypeObject *ctype_void(void);

/* Derived types, new references. */
CTypeObject *ctype_pointer_to(CTypeObject *item);                 /* "T *"; T a function: T itself */
CTypeObject *ctype_array_of(CTypeObject *item, Py_ssize_t length); /* length -1: "T[]" */
CTypeObject *ctype_function(CTypeObject *result, PyObject *args_tuple,
                            int variadic);

/* A new struct/union/enum CType, opaque until completed (ctype.c + the FFI's
 * realization fill the rest).  flags: CT_STRUCT, CT_UNION or the enum's
 * integer kind | CT_IS_ENUM. */
CTypeObject *ctype_new_named(uint32_t flags, const char *name);

/* Completes a struct/union CType with its members: fields is a list of
 * (name, CFieldObject) in declaration order (anonymous members named "" and
 * flattened here).  Sets size and alignment.  0 or -1 with an exception. */
int ctype_complete_struct(CTypeObject *ct, PyObject *fields, Py_ssize_t size,
                          Py_ssize_t align, uint32_t extra_flags);

/* Completes an enum CType: names and values are lists of equal length. */
int ctype_complete_enum(CTypeObject *ct, int prim, PyObject *names, PyObject *values);

/* A new CField. */
CFieldObject *cfield_new(CTypeObject *type, Py_ssize_t offset, int bitshift,
                         int bitsize);

/* The error of sizeof/alignof on a type without a size (opaque struct,
 * void, T[]): both ffi.error (as issue 4 asks) and ValueError (what real
 * CFFI raises), so that either `except` clause catches it. */
extern PyObject *ctype_unknown_size_error;

/* Sizes: ct_size, or -1 with ctype_unknown_size_error
 * "ctype 'X' is of unknown size". */
Py_ssize_t ctype_sizeof(CTypeObject *ct);

/* Where CFFI first needs a struct's fields (field access, ffi.new,
 * initializers, offsetof, alignof, .fields): -1 with ffi.error if the cdef
 * gets the layout of struct/union ct wrong, or with the error its members
 * raised (ct_layout_error), else 0. */
int ctype_layout_raise(CTypeObject *ct);
static inline int ctype_check_layout(CTypeObject *ct)
{
    return ct->ct_layout_error == NULL ? 0 : ctype_layout_raise(ct);
}

/* Where CFFI needs them too but a wrong cdef layout is let through (the
 * compiler's layout is known): sizeof, reading the struct by value, a
 * function type taking or returning it by value.  -1 with the error of
 * members that failed to realize, else 0. */
static inline int ctype_check_members(CTypeObject *ct)
{
    return ct->ct_layout_error == NULL || !PyTuple_Check(ct->ct_layout_error)
           ? 0 : ctype_layout_raise(ct);
}

/* The type name with a declarator spliced in: ctype_name_with(ct, "*") for
 * "int *" -> "int **"... Returns a new str. */
PyObject *ctype_name_with(CTypeObject *ct, const char *declarator);

/* ct_field_slots: an attribute name is interned by the compiler, and so are
 * the keys of ct_fields, so p.x usually finds its field by pointer. */
typedef struct CFieldSlot {
    PyObject *fs_name;
    CFieldObject *fs_field;
} CFieldSlot;
#define CTYPE_FIELD_SLOTS 16

/* Looks up a struct field by name (flattened).  Borrowed reference or NULL
 * without exception when absent. */
static inline CFieldObject *ctype_find_field(CTypeObject *ct, PyObject *name)
{
    if (ct->ct_fields == NULL)
        return NULL;
    const CFieldSlot *s = ct->ct_field_slots;
    for (Py_ssize_t i = 0, n = ct->ct_nfield_slots; i < n; i++)
        if (s[i].fs_name == name)
            return s[i].fs_field;
    return (CFieldObject *)PyDict_GetItemWithError(ct->ct_fields, name);
}

/* Arrays of these items take bytes initializers: char, and the 1-byte
 * integers (signed/unsigned char, int8_t, uint8_t, _Bool), as in CFFI. */
static inline int ctype_is_byte_item(const CTypeObject *ct)
{
    return (ct->ct_flags & CT_PRIMITIVE_CHAR)
           || ((ct->ct_flags & CT_PRIMITIVE_INTEGER) && ct->ct_size == 1
               && !(ct->ct_flags & CT_IS_ENUM));
}

/* wchar_t is signed on this platform (char16_t and char32_t never are). */
static inline int ctype_wchar_is_signed(const CTypeObject *ct)
{
    return ct->ct_prim == CCT_PRIM_WCHAR && (wchar_t)-1 < 0;
}

int ctype_init_module(PyObject *m);

#endif /* CCFFI_CTYPE_OBJ_H */
