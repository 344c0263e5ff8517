/* contract.h - the contract between the code generator, the compiler plugins
 * and the runtime, written once.
 *
 * Three parties meet in an API-mode module:
 *   - the code generator (pysrc/cffi/_codegen.py) writes the C file: marker
 *     declarations carrying the ccffi attribute, the sentinel, PyInit;
 *   - a compiler plugin (plugin-gcc/, plugin-clang/) reads the markers and
 *     writes the type table (table_format.h) into the sentinel;
 *   - the runtime (_cffi_backend) receives the table from PyInit.
 * This header holds every name and number they must agree on: the attribute,
 * the predefined macro, the table symbol, the marker kinds and flags, and the
 * version of the call PyInit makes into _cffi_backend.  MARKERS.md beside it
 * is the prose reference of the marker protocol.  The plugins include this
 * header; the runtime exposes its values to Python as
 * _cffi_backend._ccffi_contract(), which the code generator reads instead of
 * copying them.
 *
 * Plain C that also compiles as C++; no Python, no libffi.
 */
#ifndef CCFFI_CONTRACT_H
#define CCFFI_CONTRACT_H

#include <string.h>

/* ------------------------------------------------------------- names */

/* The attribute on marker declarations: __attribute__((ccffi(KIND, NAME...))). */
#define CCC_ATTRIBUTE_NAME "ccffi"
/* The macro the plugins predefine (to 1): the generated file knows it is
 * compiled with a plugin, so that the table will be written. */
#define CCC_PLUGIN_MACRO "__CCFFI_PLUGIN__"
/* The sentinel: the variable the plugin fills with the table bytes. */
#define CCC_TABLE_SYMBOL "_ccffi_type_table"

/* --------------------------------------------------------- marker kinds */

/* X(id, spelling): the KIND strings of the attribute, MARKERS.md has what
 * each marks and records. */
#define CCC_MARKER_KINDS(X)                                                   \
    X(STRUCT, "struct")                                                       \
    X(UNION, "union")                                                         \
    X(ENUM, "enum")                                                           \
    X(TYPEDEF, "typedef")                                                     \
    X(CONST, "const")                                                         \
    X(ENUMCONST, "enumconst")                                                 \
    X(FUNCTION, "function")                                                   \
    X(GLOBAL, "global")                                                       \
    X(PYTHON, "python")                                                       \
    X(TABLE, "table")

enum ccc_marker_kind {
#define CCC_X(id, spelling) CCC_MARKER_##id,
    CCC_MARKER_KINDS(CCC_X)
#undef CCC_X
    CCC_MARKER__COUNT
};

/* The kind a KIND string names, or CCC_MARKER__COUNT for an unknown one. */
static inline enum ccc_marker_kind ccc_marker_kind_of(const char *spelling)
{
    static const char *const spellings[] = {
#define CCC_X(id, sp) sp,
        CCC_MARKER_KINDS(CCC_X)
#undef CCC_X
    };
    int k;

    for (k = 0; k < (int)CCC_MARKER__COUNT; k++)
        if (strcmp(spelling, spellings[k]) == 0)
            return (enum ccc_marker_kind)k;
    return CCC_MARKER__COUNT;
}

/* Flags (the attribute's NUMBER) of struct/union/enum/typedef markers. */
#define CCC_MF_EXACT  1u  /* the marker's type mirrors every field of the cdef */
#define CCC_MF_BODY   2u  /* the cdef gave a body: the real type is complete */
#define CCC_MF_FIELDS 4u  /* the mirror lists some fields, each must exist alike */
#define CCC_MF_OPAQUE 8u  /* the cdef declares it opaque: record it so */
#define CCC_MF_CDEF   16u /* typedef: the cdef's own, record the marker's type
                             whether or not the source declares the name */
#define CCC_MF_LISTED 32u /* enum, typedef of an enum: the enumerators are the
                             EXPECTED `const`/`enumconst` markers with flag
                             ENUMERATOR just before, in the cdef's order, with
                             the source's values (CFFI shows the cdef's list);
                             an "enum" marker named "" is an anonymous enum */
#define CCC_MF_FLOAT_DOTS 64u /* typedef: `typedef double... t`; a real type
                             other than float/double is recorded as the
                             unknown-float primitive named t with a
                             "$mismatch t" record holding CFFI's message */
/* Flags of const/enumconst markers. */
#define CCC_MF_CHECK_ONLY 1u  /* compare with EXPECTED, record nothing */
#define CCC_MF_ENUMERATOR 2u  /* an enumerator of the LISTED marker that
                                 follows: its value, no declaration */
#define CCC_MF_RUNTIME 4u     /* const: the value is no compile-time constant
                                 (the generator writes `(__builtin_constant_p(X)
                                 ? 0 : 4)` into NUMBER), read it at run time */
/* NUMBER >> CCC_MF_SLOT_SHIFT of a const/enumconst marker: 1 + the slot of
 * the getter the generator wrote for the integer constant (0: none).  A
 * constant C computes only when the program runs (`extern const int N;`,
 * `#define M (f() + 1)`, a variable `int X = 5;`) is recorded as a CONST_INT
 * whose decl slot is that getter's index in the module's globals array, its
 * value the cdef's (or CCT_DF_DOTS_VALUE); the getter returns a pointer to a
 * struct ccc_runtime_int, which the runtime reads when NAME is first used. */
#define CCC_MF_SLOT_SHIFT 8
struct ccc_runtime_int {
    unsigned long long value;   /* (unsigned long long)(X) */
    int nonpos;                 /* (X) <= 0, as CFFI's generated code asks */
};

/* A value the cdef and the source disagree on (`#define FOO 42` in the
 * cdef, 43 in the source): the plugin records the source's value, warns,
 * and adds a CONST_STRING declaration named CCC_MISMATCH_PREFIX + NAME
 * whose string is the message of the ffi.error that using NAME raises (as
 * CFFI raises it at use).  No C identifier starts with '$'. */
#define CCC_MISMATCH_PREFIX "$mismatch "
/* A struct/union layout the cdef gets wrong (offset or size of a member,
 * total size or alignment) is recorded the same way, named
 * CCC_MISMATCH_PREFIX + the type's name as CFFI shows it ("$mismatch struct
 * foo_s", "$mismatch foo_t" for `typedef struct {...} foo_t`): the string
 * lists the differences, one per line, in the format of table/cmismatch.h,
 * which also writes, reads and words them (ffi.error when the type's fields
 * are first needed, VerificationError in ffi.verify()). */

/* ------------------------------------------------------- module init ABI */

/* The generated PyInit calls _cffi_backend._ccffi_init_module(VERSION,
 * module, table, trampolines, addresses, globals, nfuncs, nglobals,
 * nexterns, python_hook, includes) (runtime/api/api_module.h documents the
 * arguments).  VERSION is CCC_INIT_ABI_VERSION of the ccffi that generated
 * the file; the runtime accepts CCC_INIT_ABI_MIN..CCC_INIT_ABI_VERSION and
 * refuses any other with an ImportError naming both.  Bump the version on
 * any change of those arguments; raise the minimum only when the runtime
 * can no longer serve older modules. */
#define CCC_INIT_ABI_VERSION 2  /* 2: addresses of extern "Python" too */
#define CCC_INIT_ABI_MIN 2
#define CCC_INIT_FUNCTION "_ccffi_init_module"

/* Names of the capsules PyInit passes. */
#define CCC_CAPSULE_TRAMPOLINES "ccffi.trampolines"
#define CCC_CAPSULE_ADDRESSES "ccffi.addresses"
#define CCC_CAPSULE_GLOBALS "ccffi.globals"
#define CCC_CAPSULE_PYTHON_HOOK "ccffi.python_hook"

#endif /* CCFFI_CONTRACT_H */
