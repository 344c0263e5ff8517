/* table_format.h - the ccffi type table: the one interchange format.
 *
 * Three producers write a type table and one loader reads it:
 *   - the cdef parser plus the layout engine (ABI mode, runtime/cdef/cparse.c and
 *     runtime/cdef/layout.c),
 *   - the GCC plugin and the Clang plugin (API mode), which put the table into
 *     the compiled module as an exported `const char[]` symbol.
 * The loader (runtime/table/ctable.c) validates every index, offset and length of a
 * table before the runtime realizes Python type objects from it.
 *
 * This header is plain C that also compiles as C++ (the plugins include it).
 * It knows nothing of Python or libffi.
 *
 * Binary layout (host byte order; a table is only ever read by the machine
 * that produced it):
 *
 *   offset 0          cct_header
 *   types_off         cct_type[ntypes]
 *   fields_off        cct_field[nfields]
 *   enums_off         cct_enumerator[nenums]
 *   args_off          uint32_t[nargs]       parameter type indexes
 *   decls_off         cct_decl[ndecls]
 *   strings_off       char[strings_size]    NUL-terminated names; offset 0 is ""
 *
 * Every section starts on an 8-byte boundary and lies inside total_size.
 * Type index 0 is always `void`.  A "string" field is an offset into the
 * string pool; a "type" field is an index into the types section.
 *
 * The two plugins write the same table, byte for byte, for the same source
 * (tests/python/test_plugin_agree.py).  Where gcc and clang see a type
 * differently, the table follows gcc:
 *   - an enumerator (CONST_INT through an enumconst marker, or a macro whose
 *     __typeof__ is an enumerator) has type int in C when its value fits,
 *     else the enum type (clang gives it the enum's integer type); the value
 *     is the 64-bit two's complement pattern, its sign from that type;
 *   - a constant whose type comes from __typeof__ of a cast, or C++'s
 *     `auto`, has the cast's type without a typedef name at the top
 *     (`(size_t)10` is `unsigned long`);
 *   - a floating constant of any type (long double included, whose 80-bit
 *     encoding is never stored) is the double nearest to it, rounded to
 *     nearest even;
 *   - in C, `T x[0]` is `T[]` (LENGTH_UNKNOWN), and FLEXIBLE when it is the
 *     last member; in C++ it is `T[0]` (length 0); C++'s wchar_t, char16_t
 *     and char32_t are WCHAR, CHAR16 and CHAR32, char8_t is `unsigned char`;
 *   - a struct member of a type the table has no kind for is an opaque
 *     struct named `$unsupported ` and gcc's name for the type (`__int128`,
 *     `__int128 unsigned`, `complex long double`, `vector_type`).
 */
#ifndef CCFFI_TABLE_FORMAT_H
#define CCFFI_TABLE_FORMAT_H

#include <stdint.h>

#ifdef __cplusplus
#define CCT_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define CCT_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

#define CCT_MAGIC "CCFFITB"           /* 7 chars + NUL = 8 bytes */
#define CCT_MAGIC_LEN 8
#define CCT_VERSION 1                 /* bump on any incompatible change */
#define CCT_VERSION_MIN 1             /* the oldest version the loader reads */

/* The names the generator, the plugins and the runtime share (the table
 * symbol, the attribute, the marker kinds) are in contract.h. */

/* ------------------------------------------------------------------ kinds */

#define CCT_KINDS(X)                                                         \
    X(VOID)      /* the void type; only type 0 */                            \
    X(PRIMITIVE) /* prim: CCT_PRIM_*; name: the typedef name if UNKNOWN_* */ \
    X(POINTER)   /* item: pointee */                                         \
    X(ARRAY)     /* item: element; length, or flag LENGTH_UNKNOWN/DOTS */    \
    X(STRUCT)    /* name; fields [first, first+count); size, align */        \
    X(UNION)     /* like STRUCT */                                           \
    X(ENUM)      /* name; prim: underlying integer; enumerators [first..) */ \
    X(FUNCTION)  /* item: result; args [first, first+count) in args[] */

enum cct_kind {
#define CCT_X(k) CCT_KIND_##k,
    CCT_KINDS(CCT_X)
#undef CCT_X
    CCT_KIND__COUNT
};

/* ------------------------------------------------------------- primitives
 * X(ID, "cname", C type, flags).  The C type column is only expanded by the
 * runtime (with sizeof/_Alignof); the plugins use ID and name only.  The
 * names are those CFFI accepts without a declaration; the sized typedef names
 * (size_t, int32_t, ...) are kept as their own primitives so that ctypes show
 * the name the user wrote, as CFFI does.
 */
#define CCT_PF_SIGNED    0x01u   /* signed integer */
#define CCT_PF_UNSIGNED  0x02u   /* unsigned integer */
#define CCT_PF_FLOAT     0x04u   /* float, double, long double */
#define CCT_PF_CHAR      0x08u   /* char: converts from/to 1-byte bytes */
#define CCT_PF_WCHAR     0x10u   /* wchar_t, char16_t, char32_t */
#define CCT_PF_BOOL      0x20u   /* _Bool */
#define CCT_PF_COMPLEX   0x40u   /* float/double _Complex */
#define CCT_PF_LONGDBL   0x80u   /* long double */
#define CCT_PF_UNKNOWN   0x100u  /* size not known in the cdef (typedef int...) */

#define CCT_PRIMITIVES(X)                                                        \
    X(CHAR,        "char",               char,               CCT_PF_CHAR)        \
    X(SCHAR,       "signed char",        signed char,        CCT_PF_SIGNED)      \
    X(UCHAR,       "unsigned char",      unsigned char,      CCT_PF_UNSIGNED)    \
    X(SHORT,       "short",              short,              CCT_PF_SIGNED)      \
    X(USHORT,      "unsigned short",     unsigned short,     CCT_PF_UNSIGNED)    \
    X(INT,         "int",                int,                CCT_PF_SIGNED)      \
    X(UINT,        "unsigned int",       unsigned int,       CCT_PF_UNSIGNED)    \
    X(LONG,        "long",               long,               CCT_PF_SIGNED)      \
    X(ULONG,       "unsigned long",      unsigned long,      CCT_PF_UNSIGNED)    \
    X(LONGLONG,    "long long",          long long,          CCT_PF_SIGNED)      \
    X(ULONGLONG,   "unsigned long long", unsigned long long, CCT_PF_UNSIGNED)    \
    X(FLOAT,       "float",              float,              CCT_PF_FLOAT)       \
    X(DOUBLE,      "double",             double,             CCT_PF_FLOAT)       \
    X(LONGDOUBLE,  "long double",        long double,  CCT_PF_FLOAT | CCT_PF_LONGDBL) \
    X(BOOL,        "_Bool",              _Bool,              CCT_PF_BOOL)        \
    X(WCHAR,       "wchar_t",            wchar_t,            CCT_PF_WCHAR)       \
    X(CHAR16,      "char16_t",           char16_t,           CCT_PF_WCHAR)       \
    X(CHAR32,      "char32_t",           char32_t,           CCT_PF_WCHAR)       \
    X(INT8,        "int8_t",             int8_t,             CCT_PF_SIGNED)      \
    X(UINT8,       "uint8_t",            uint8_t,            CCT_PF_UNSIGNED)    \
    X(INT16,       "int16_t",            int16_t,            CCT_PF_SIGNED)      \
    X(UINT16,      "uint16_t",           uint16_t,           CCT_PF_UNSIGNED)    \
    X(INT32,       "int32_t",            int32_t,            CCT_PF_SIGNED)      \
    X(UINT32,      "uint32_t",           uint32_t,           CCT_PF_UNSIGNED)    \
    X(INT64,       "int64_t",            int64_t,            CCT_PF_SIGNED)      \
    X(UINT64,      "uint64_t",           uint64_t,           CCT_PF_UNSIGNED)    \
    X(INT_LEAST8,  "int_least8_t",       int_least8_t,       CCT_PF_SIGNED)      \
    X(UINT_LEAST8, "uint_least8_t",      uint_least8_t,      CCT_PF_UNSIGNED)    \
    X(INT_LEAST16, "int_least16_t",      int_least16_t,      CCT_PF_SIGNED)      \
    X(UINT_LEAST16,"uint_least16_t",     uint_least16_t,     CCT_PF_UNSIGNED)    \
    X(INT_LEAST32, "int_least32_t",      int_least32_t,      CCT_PF_SIGNED)      \
    X(UINT_LEAST32,"uint_least32_t",     uint_least32_t,     CCT_PF_UNSIGNED)    \
    X(INT_LEAST64, "int_least64_t",      int_least64_t,      CCT_PF_SIGNED)      \
    X(UINT_LEAST64,"uint_least64_t",     uint_least64_t,     CCT_PF_UNSIGNED)    \
    X(INT_FAST8,   "int_fast8_t",        int_fast8_t,        CCT_PF_SIGNED)      \
    X(UINT_FAST8,  "uint_fast8_t",       uint_fast8_t,       CCT_PF_UNSIGNED)    \
    X(INT_FAST16,  "int_fast16_t",       int_fast16_t,       CCT_PF_SIGNED)      \
    X(UINT_FAST16, "uint_fast16_t",      uint_fast16_t,      CCT_PF_UNSIGNED)    \
    X(INT_FAST32,  "int_fast32_t",       int_fast32_t,       CCT_PF_SIGNED)      \
    X(UINT_FAST32, "uint_fast32_t",      uint_fast32_t,      CCT_PF_UNSIGNED)    \
    X(INT_FAST64,  "int_fast64_t",       int_fast64_t,       CCT_PF_SIGNED)      \
    X(UINT_FAST64, "uint_fast64_t",      uint_fast64_t,      CCT_PF_UNSIGNED)    \
    X(INTPTR,      "intptr_t",           intptr_t,           CCT_PF_SIGNED)      \
    X(UINTPTR,     "uintptr_t",          uintptr_t,          CCT_PF_UNSIGNED)    \
    X(INTMAX,      "intmax_t",           intmax_t,           CCT_PF_SIGNED)      \
    X(UINTMAX,     "uintmax_t",          uintmax_t,          CCT_PF_UNSIGNED)    \
    X(PTRDIFF,     "ptrdiff_t",          ptrdiff_t,          CCT_PF_SIGNED)      \
    X(SIZE,        "size_t",             size_t,             CCT_PF_UNSIGNED)    \
    X(SSIZE,       "ssize_t",            ssize_t,            CCT_PF_SIGNED)      \
    X(FLOATCOMPLEX,  "float _Complex",    float _Complex,  CCT_PF_FLOAT | CCT_PF_COMPLEX) \
    X(DOUBLECOMPLEX, "double _Complex",   double _Complex, CCT_PF_FLOAT | CCT_PF_COMPLEX) \
    /* size unknown to the cdef: `typedef int... t;`, `typedef float... t;`.   \
     * API mode replaces them with the real primitive; ABI mode refuses them. */ \
    X(UNKNOWN_INT,   "int...",           void,            CCT_PF_UNKNOWN)    \
    X(UNKNOWN_FLOAT, "float...",         void,            CCT_PF_UNKNOWN | CCT_PF_FLOAT)

enum cct_prim {
#define CCT_X(id, name, ctype, flags) CCT_PRIM_##id,
    CCT_PRIMITIVES(CCT_X)
#undef CCT_X
    CCT_PRIM__COUNT
};

/* ------------------------------------------------------------------ types */

/* cct_type.flags */
#define CCT_TF_OPAQUE         0x0001u /* struct/union/enum: no body known (yet) */
#define CCT_TF_PARTIAL        0x0002u /* struct/union/enum body ends in `...` */
#define CCT_TF_PACKED         0x0004u /* struct laid out packed (pack in `length`) */
#define CCT_TF_TYPEDEF_NAMED  0x0008u /* anonymous struct/union/enum named after
                                         its typedef: cname has no "struct " */
#define CCT_TF_LAYOUT_KNOWN   0x0010u /* size/align/offsets are final */
#define CCT_TF_LENGTH_UNKNOWN 0x0020u /* array `[]`: length not known */
#define CCT_TF_LENGTH_DOTS    0x0040u /* array `[...]`: length from the compiler */
#define CCT_TF_VARIADIC       0x0080u /* function ends in `, ...` */
#define CCT_TF_FLEXIBLE       0x0100u /* struct ends in a flexible array member */
#define CCT_TF_DOTS_TYPEDEF   0x0200u /* `typedef ... foo;` (opaque by typedef) */
#define CCT_TF_CONST_ITEM     0x0800u /* pointer/array: the item is const (the
                                         cdef's `const T *`, `T *const *`,
                                         `const T a[N]`), so that generated C
                                         spells it as CFFI's does; a type
                                         realizes as its unqualified twin
                                         (CFFI's ctypes drop const).  The
                                         plugins record no qualifiers. */
#define CCT_TF_ENUM_TYPEDEF_FIRST 0x0400u /* tagged enum first mentioned as
                                         `typedef enum e [{...}] t;` (a cdef's
                                         in-line FFI names it t, as CFFI) */

#define CCT_SIZE_UNKNOWN  UINT64_MAX

typedef struct cct_type {
    uint8_t  kind;    /* enum cct_kind */
    uint8_t  prim;    /* PRIMITIVE: enum cct_prim; ENUM: underlying integer */
    uint16_t flags;   /* CCT_TF_* */
    uint32_t name;    /* string: struct/union/enum tag, or the typedef name for
                         TYPEDEF_NAMED and UNKNOWN_* primitives; 0 if none */
    uint32_t item;    /* POINTER: pointee; ARRAY: element; FUNCTION: result */
    uint32_t first;   /* STRUCT/UNION: first field; ENUM: first enumerator;
                         FUNCTION: first entry in args[] */
    uint32_t count;   /* number of fields / enumerators / parameters */
    uint32_t align;   /* alignment in bytes, 0 while unknown */
    uint64_t size;    /* size in bytes, CCT_SIZE_UNKNOWN while unknown */
    uint64_t length;  /* ARRAY: number of items; STRUCT/UNION with
                         CCT_TF_PACKED: the pack value (1 for packed=True) */
} cct_type;
CCT_STATIC_ASSERT(sizeof(cct_type) == 40, "cct_type is 40 bytes");

/* A struct/union member.  Anonymous struct/union members are kept as one
 * field with name "" and the nested type; the runtime flattens them.
 * Bitfields: `offset` is the byte offset of a storage unit that holds the
 * field, `bitshift` the position of its lowest bit inside that unit (counting
 * from the unit's least significant bit, x86-64 being little-endian) and
 * `bitsize` its width; the unit is the field's declared type when the bits
 * fit in an aligned unit of that type, else the bytes from offset on.  For a
 * plain member, bitshift and bitsize are CCT_NOT_BITFIELD. */
#define CCT_NOT_BITFIELD (-1)

typedef struct cct_field {
    uint32_t name;      /* string; "" for unnamed bitfields and anonymous members */
    uint32_t type;      /* declared type (the bitfield's declared integer type) */
    uint64_t offset;    /* byte offset from the start of the struct/union */
    int16_t  bitshift;  /* see above */
    int16_t  bitsize;   /* width in bits; 0 for `int :0;` */
    uint32_t flags;     /* reserved, 0 */
} cct_field;
CCT_STATIC_ASSERT(sizeof(cct_field) == 24, "cct_field is 24 bytes");

/* cct_enumerator.flags */
#define CCT_EF_DOTS_VALUE 0x1u  /* `A = ...`: value to be found by the compiler */

typedef struct cct_enumerator {
    uint32_t name;     /* string */
    uint32_t flags;    /* CCT_EF_* */
    uint64_t value;    /* two's complement; the enum's prim gives the sign */
} cct_enumerator;
CCT_STATIC_ASSERT(sizeof(cct_enumerator) == 16, "cct_enumerator is 16 bytes");

/* ----------------------------------------------------------- declarations */

#define CCT_DECL_KINDS(X)                                                     \
    X(TYPEDEF)        /* name -> type */                                      \
    X(TAG)            /* "struct x"/"union x"/"enum x" tag -> type; the name  \
                         is the bare tag, the type's kind says which */       \
    X(FUNCTION)       /* type: a FUNCTION type; slot: API-mode call slot */   \
    X(VARIABLE)       /* global variable; slot: API-mode address slot */      \
    X(CONST_INT)      /* value: the integer, sign from flag UNSIGNED/type */  \
    X(CONST_FLOAT)    /* value: the bits of a double */                       \
    X(CONST_STRING)   /* value: string offset | (byte length << 32) */        \
    X(EXTERN_PYTHON)  /* extern "Python": type: FUNCTION; slot: API slot */

enum cct_decl_kind {
#define CCT_X(k) CCT_DECL_##k,
    CCT_DECL_KINDS(CCT_X)
#undef CCT_X
    CCT_DECL__COUNT
};

/* cct_decl.flags */
#define CCT_DF_UNSIGNED    0x0001u /* CONST_INT: value is unsigned */
#define CCT_DF_DOTS_VALUE  0x0002u /* constant whose value the cdef did not give
                                      (`#define X ...`, `static const int X;`) */
#define CCT_DF_CONST       0x0004u /* VARIABLE: declared const (read-only);
                                      TYPEDEF: of a const type, so that a
                                      variable of that type is const */
#define CCT_DF_PYTHON_C    0x0008u /* EXTERN_PYTHON: extern "Python+C" */
#define CCT_DF_MACRO       0x0010u /* FUNCTION/CONST: known to be a macro (API) */

/* A CONST_STRING whose name starts with CCC_MISMATCH_PREFIX ("$mismatch ",
 * contract.h; no C name starts with '$') is no constant of the cdef but a
 * record of what the cdef gets wrong: "$mismatch NAME" holds the ffi.error
 * message of lib.NAME (a value the compiler contradicts), "$mismatch struct
 * foo_s" (the type's name as CFFI shows it) the layout differences of that
 * struct/union, in the format of table/cmismatch.h. */

#define CCT_NO_SLOT UINT32_MAX

typedef struct cct_decl {
    uint32_t name;     /* string */
    uint8_t  kind;     /* enum cct_decl_kind */
    uint8_t  reserved;
    uint16_t flags;    /* CCT_DF_* */
    uint32_t type;     /* the declared type (CONST_*: the constant's type,
                          int for `#define X 42`) */
    uint32_t slot;     /* API mode: index into the module's trampoline or
                          address array (a CONST_INT's: the getter, in the
                          globals array, of a value C computes only at run
                          time, contract.h CCC_MF_SLOT_SHIFT); CCT_NO_SLOT
                          otherwise */
    uint64_t value;    /* CONST_* value, see the kinds */
} cct_decl;
CCT_STATIC_ASSERT(sizeof(cct_decl) == 24, "cct_decl is 24 bytes");

/* ----------------------------------------------------------------- header */

/* The sorted name index (optional; names_off 0 when absent): at names_off,
 * 8-byte aligned, uint32_t counts[2] (ordinary names, tags) and then that
 * many references per namespace, each the declaration index of the name's
 * binding, or CCT_REF_ENUMERATOR | an enumerator index; ordinary names
 * sorted by name (bytes compared unsigned), tags by name and then by the
 * kind of their type.  A runtime finds a name by bisection without reading
 * the other names at import; one that ignores the index reads the same
 * bindings from the records (the later declaration of a name wins,
 * enumerators come before every declaration).  An older loader ignores it
 * (the field was reserved and 0). */
#define CCT_REF_ENUMERATOR 0x80000000u

typedef struct cct_header {
    char     magic[CCT_MAGIC_LEN];  /* CCT_MAGIC, NUL-terminated */
    uint32_t version;               /* CCT_VERSION */
    uint32_t header_size;           /* sizeof(cct_header) */
    uint32_t total_size;            /* bytes in the whole table */
    uint32_t ntypes,  types_off;
    uint32_t nfields, fields_off;
    uint32_t nenums,  enums_off;
    uint32_t nargs,   args_off;
    uint32_t ndecls,  decls_off;
    uint32_t strings_size, strings_off;
    uint32_t names_off;             /* 0, or the sorted name index below */
} cct_header;
CCT_STATIC_ASSERT(sizeof(cct_header) == 72, "cct_header is 72 bytes");

#endif /* CCFFI_TABLE_FORMAT_H */
