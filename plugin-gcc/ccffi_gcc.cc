/* ccffi_gcc.cc - the GCC plugin of ccffi's API mode.
 *
 * While gcc compiles the C file that pysrc/cffi generates for set_source(),
 * this plugin reads the real layouts, values and prototypes of the items the
 * cdef named, checks them against what the cdef said, and writes the type
 * table (runtime/table/table_format.h) into the object being compiled as the
 * exported array _ccffi_type_table.  The module therefore carries its own
 * table; no side file exists.
 *
 * Usage (compile commands only, never on the link line: lto1 cannot load it):
 *     gcc -c -fplugin=/path/ccffi_gcc.so -Werror=attributes gen.c
 *     optional: -fplugin-arg-ccffi_gcc-dump=FILE  also writes the table there
 * The plugin predefines __CCFFI_PLUGIN__ (CCC_PLUGIN_MACRO) to 1.
 *
 * Marker convention (runtime/table/MARKERS.md is the full reference).  Every
 * marker is a file-scope declaration after the user's source carrying
 *     __attribute__((ccffi(KIND, NAME [, NUMBER [, EXPECTED]])))
 * KIND and NAME are string literals; NUMBER and EXPECTED integer constants.
 *   "struct"/"union"/"enum" NAME [, FLAGS]   on a typedef: the tag NAME
 *   "typedef" NAME [, FLAGS]                  on a typedef: the typedef NAME
 *       the typedef's own type is the cdef's view: the real type itself, or,
 *       with FLAGS & 1 (EXACT), a mirror struct spelling the cdef's fields,
 *       compared field by field; FLAGS & 4 (FIELDS), a mirror of a partial
 *       struct (`...;`) whose fields must exist with the same types;
 *       FLAGS & 2 (BODY): the cdef gave a body, so the real type must be
 *       complete.
 *   "const" NAME [, FLAGS, EXPECTED]     on `static const __typeof__(X) v = (X);`
 *   "enumconst" NAME [, FLAGS, EXPECTED] on a typedef: NAME is looked up (an
 *       enumerator or a static const variable with a constant initialiser)
 *       FLAGS & 1 (CHECK_ONLY): only compare with EXPECTED, record nothing
 *       FLAGS & 2 (ENUMERATOR): an enumerator of the LISTED enum marker
 *       that follows (FLAGS & 32 there, EXPECTED = how many): that enum
 *       has the cdef's enumerators with these values; "enum" "" is an
 *       anonymous enum of the cdef
 *       FLAGS & 4 (RUNTIME, const): the value is no compile-time constant;
 *       FLAGS >> 8: 1 + the slot of the generator's getter of the value:
 *       a value C computes only at run time (RUNTIME, or an enumconst
 *       naming a variable) is recorded with that slot (contract.h)
 *   "function" NAME, SLOT   on a typedef of the cdef's function type
 *   "global" NAME, SLOT     on a typedef of the cdef's type of the global
 *   "python" NAME, SLOT [, 1 for "Python+C"]  extern "Python" function, on a
 *       typedef of its function type
 *   "table"   on the sentinel, last in the file:
 *       __attribute__((ccffi("table"), used, visibility("default")))
 *       const char _ccffi_type_table[] = "";
 * The plugin replaces the sentinel's type and initialiser with the table.
 */
#include "gcc-plugin.h"
#include "plugin-version.h"
#include "tree.h"
#include "stringpool.h"
#include "attribs.h"
#include "c-family/c-common.h"
#include "c-family/c-pragma.h"
#include "langhooks.h"
#include "diagnostic-core.h"
#include "stor-layout.h"
#include "fold-const.h"
#include "rtl.h"
#include "cgraph.h"
#include "cpplib.h"
#include "diagnostic.h"

#include "table/contract.h"
#include "table/ctable.h"
#include "table/cmismatch.h"

#include <stdio.h>
#include <string.h>

#define CCFFI_VISIBLE __attribute__((visibility("default")))

CCFFI_VISIBLE int plugin_is_GPL_compatible;  /* ccffi is MIT: GPL-compatible */


/* One parsed marker attribute. */
struct marker {
    tree decl;
    location_t loc;
    const char *kind;
    const char *name;
    bool has_number, has_expected;
    unsigned HOST_WIDE_INT number;
    tree expected;        /* INTEGER_CST */
};

static bool compiling_cxx(void);

static cc_table table;
static hash_map<tree, unsigned> *type_slots; /* records/enums: main variant -> index */
static hash_map<tree, unsigned> *record_packs; /* record -> `#pragma pack` bytes */
static location_t current_loc;         /* the marker being processed */
static unsigned field_depth;           /* > 0 while typing struct members */
static bool markers_seen, table_written;

/* The enumerators a LISTED enum marker takes (the ENUMERATOR constant
 * markers just before it, in the cdef's order), and whether the enum
 * being recorded takes them (enum_fill). */
struct listed_enumerator {
    uint32_t name;
    uint64_t value;
    bool negative;
};
static listed_enumerator *listed;
static unsigned nlisted, cap_listed;
static bool listing, listing_used;
static const char *table_dump_path;

/* ------------------------------------------------------------ utilities */

/* Stops the compile: the table builder only fails when memory runs out. */
static void
table_check(int rc)
{
    if (rc != 0)
        fatal_error(current_loc, "ccffi: out of memory building the type table");
}

/* The string-pool offset of the NUL-terminated S. */
static uint32_t
table_string(const char *s)
{
    uint32_t out = 0;
    table_check(cc_table_string(&table, s, strlen(s), &out));
    return out;
}

static uint32_t
table_primitive(enum cct_prim prim)
{
    uint32_t out = 0;
    table_check(cc_table_primitive(&table, prim, &out));
    return out;
}

static void
table_decl(const char *name, enum cct_decl_kind kind, uint32_t type,
           uint16_t flags, uint32_t slot, uint64_t value)
{
    cct_decl d;
    memset(&d, 0, sizeof d);
    d.name = table_string(name);
    d.kind = (uint8_t) kind;
    d.flags = flags;
    d.type = type;
    d.slot = slot;
    d.value = value;
    uint32_t out;
    table_check(cc_table_add_decl(&table, &d, &out));
}

/* "file:line" of LOC, written into BUF. */
static const char *
where(location_t loc, char *buf, size_t size)
{
    expanded_location x = expand_location(loc);
    snprintf(buf, size, "%s:%d", x.file ? x.file : "<unknown>", x.line);
    return buf;
}

static const char *
identifier_text(tree id)
{
    return id ? IDENTIFIER_POINTER(id) : "";
}

/* A mismatch between the cdef and the source: a warning, as CFFI builds
 * such a module and reports at use, which -Werror does not turn into an
 * error (the cdef is not the user's C code); -fplugin-arg-ccffi_gcc-werror
 * makes them errors. */
static bool mismatch_is_error;

static void
mismatch(location_t loc, const char *fmt, ...) ATTRIBUTE_GCC_DIAG(2, 3);

static void
mismatch(location_t loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rich_location rich(line_table, loc);
    diagnostic_info diagnostic;
    diagnostic_set_info(&diagnostic, fmt, &ap, &rich,
                        mismatch_is_error ? DK_ERROR : DK_WARNING);
    bool saved = global_dc->warning_as_error_requested;
    global_dc->warning_as_error_requested = false;
    diagnostic_report_diagnostic(global_dc, &diagnostic);
    global_dc->warning_as_error_requested = saved;
    va_end(ap);
}

/* A mismatch that CFFI's own generated code makes the compiler report (a
 * struct member whose type CFFI's `T *tmp = &p->x;` check refuses): an
 * error in C++, a warning in C that -Werror makes an error, as there. */
static void
compiler_mismatch(location_t loc, const char *fmt, ...) ATTRIBUTE_GCC_DIAG(2, 3);

static void
compiler_mismatch(location_t loc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rich_location rich(line_table, loc);
    diagnostic_info diagnostic;
    diagnostic_set_info(&diagnostic, fmt, &ap, &rich,
                        mismatch_is_error || compiling_cxx() ? DK_ERROR
                                                             : DK_WARNING);
    diagnostic_report_diagnostic(global_dc, &diagnostic);
    va_end(ap);
}

/* ------------------------------------------------------ type conversion */

static uint32_t type_index(tree type);

/* The primitive kept by name for the typedef names CFFI shows as such
 * (size_t, int32_t, wchar_t...), -1 for other names. */
static int
prim_of_typedef_name(const char *name)
{
    static const struct { const char *name; enum cct_prim prim; } names[] = {
#define CCT_X(id, cname, ctype, flags) { cname, CCT_PRIM_##id },
        CCT_PRIMITIVES(CCT_X)
#undef CCT_X
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum cct_prim p = names[i].prim;
        bool by_name = (p >= CCT_PRIM_WCHAR && p <= CCT_PRIM_SSIZE);
        if (by_name && strcmp(names[i].name, name) == 0)
            return (int) p;
    }
    return -1;
}

/* Follows TYPE's chain of typedef names: a standard name gives *prim, and
 * *innermost receives the name of the last typedef (the one that named an
 * anonymous struct, if that is where the chain ends). */
static void
typedef_chain(tree type, int *prim, const char **innermost)
{
    *prim = -1;
    *innermost = NULL;
    while (TYPE_NAME(type) && TREE_CODE(TYPE_NAME(type)) == TYPE_DECL
           && DECL_ORIGINAL_TYPE(TYPE_NAME(type))) {
        tree decl = TYPE_NAME(type);
        const char *name = identifier_text(DECL_NAME(decl));
        tree next = DECL_ORIGINAL_TYPE(decl);
        if (INTEGRAL_TYPE_P(next) && TREE_CODE(next) != ENUMERAL_TYPE) {
            int p = prim_of_typedef_name(name);
            if (p >= 0) {
                *prim = p;
                return;
            }
        }
        *innermost = name;
        type = next;
    }
    /* A typedef declared twice (C11 allows `typedef T X;` again, as
     * programs do for char16_t after <uchar.h>): gcc merges the second
     * declaration into the first, and the type keeps X as its name but X no
     * longer has an original type.  The name is still the one to keep. */
    tree decl = TYPE_NAME(type);
    if (decl && TREE_CODE(decl) == TYPE_DECL && !DECL_ORIGINAL_TYPE(decl)
        && DECL_NAME(decl) && type != TYPE_MAIN_VARIANT(type)
        && INTEGRAL_TYPE_P(type) && TREE_CODE(type) != ENUMERAL_TYPE)
        *prim = prim_of_typedef_name(identifier_text(DECL_NAME(decl)));
}

/* The integer primitive of a size and signedness (enums, mode types). */
static int
prim_of_integer_size(unsigned HOST_WIDE_INT size, bool is_unsigned)
{
    switch (size) {
    case 1: return is_unsigned ? CCT_PRIM_UCHAR : CCT_PRIM_SCHAR;
    case 2: return is_unsigned ? CCT_PRIM_USHORT : CCT_PRIM_SHORT;
    case 4: return is_unsigned ? CCT_PRIM_UINT : CCT_PRIM_INT;
    case 8: return is_unsigned ? CCT_PRIM_ULONG : CCT_PRIM_LONG;
    default: return -1;
    }
}

/* The primitive of a main-variant arithmetic type, -1 if the table has none. */
static int
prim_of_arithmetic(tree main)
{
    static const struct { tree *node; enum cct_prim prim; } known[] = {
        { &char_type_node, CCT_PRIM_CHAR },
        { &signed_char_type_node, CCT_PRIM_SCHAR },
        { &unsigned_char_type_node, CCT_PRIM_UCHAR },
        { &short_integer_type_node, CCT_PRIM_SHORT },
        { &short_unsigned_type_node, CCT_PRIM_USHORT },
        { &integer_type_node, CCT_PRIM_INT },
        { &unsigned_type_node, CCT_PRIM_UINT },
        { &long_integer_type_node, CCT_PRIM_LONG },
        { &long_unsigned_type_node, CCT_PRIM_ULONG },
        { &long_long_integer_type_node, CCT_PRIM_LONGLONG },
        { &long_long_unsigned_type_node, CCT_PRIM_ULONGLONG },
        { &float_type_node, CCT_PRIM_FLOAT },
        { &double_type_node, CCT_PRIM_DOUBLE },
        { &long_double_type_node, CCT_PRIM_LONGDOUBLE },
        { &boolean_type_node, CCT_PRIM_BOOL },
        { &complex_float_type_node, CCT_PRIM_FLOATCOMPLEX },
        { &complex_double_type_node, CCT_PRIM_DOUBLECOMPLEX },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (main == *known[i].node)
            return (int) known[i].prim;
    /* C++ has wchar_t, char16_t and char32_t as types of their own (in C
     * they are typedefs, which typedef_chain keeps) */
    if (compiling_cxx()) {
        if (main == wchar_type_node)
            return CCT_PRIM_WCHAR;
        if (main == char16_type_node)
            return CCT_PRIM_CHAR16;
        if (main == char32_type_node)
            return CCT_PRIM_CHAR32;
    }
    if (TREE_CODE(main) == BOOLEAN_TYPE)
        return CCT_PRIM_BOOL;
    if (TREE_CODE(main) == INTEGER_TYPE && tree_fits_uhwi_p(TYPE_SIZE_UNIT(main)))
        return prim_of_integer_size(tree_to_uhwi(TYPE_SIZE_UNIT(main)),
                                    TYPE_UNSIGNED(main));
    return -1;
}

/* Index of a record/enum type already in the table, or -1. */
static int64_t
type_slot_find(tree main)
{
    unsigned *index = type_slots->get(main);
    return index ? (int64_t) *index : -1;
}

/* The name a struct/union/enum is recorded under: its tag, else its typedef
 * name (*flags gets CCT_TF_TYPEDEF_NAMED), else "" as the cdef parser does
 * for an anonymous type reached only through a field. */
static const char *
tagged_type_name(tree main, const char *typedef_name, uint16_t *flags)
{
    tree name = TYPE_NAME(main);
    if (name && TREE_CODE(name) == IDENTIFIER_NODE)
        return IDENTIFIER_POINTER(name);
    if (name && TREE_CODE(name) == TYPE_DECL && DECL_NAME(name)
        && !IDENTIFIER_ANON_P(DECL_NAME(name))) {
        /* C++ names `typedef struct { ... } X;` after X (for linkage): the
         * type's name is then that typedef, not its own stub */
        if (name != TYPE_STUB_DECL(main) && !DECL_ARTIFICIAL(name))
            *flags |= CCT_TF_TYPEDEF_NAMED;
        return IDENTIFIER_POINTER(DECL_NAME(name));
    }
    if (typedef_name) {
        *flags |= CCT_TF_TYPEDEF_NAMED;
        return typedef_name;
    }
    return "";
}

/* Appends a new struct/union/enum record, still opaque, and remembers it. */
static uint32_t
tagged_type_add(tree main, enum cct_kind kind, const char *name, uint16_t flags)
{
    cct_type ty;
    memset(&ty, 0, sizeof ty);
    ty.kind = (uint8_t) kind;
    ty.flags = (uint16_t) (flags | CCT_TF_OPAQUE);
    ty.name = table_string(name);
    ty.size = CCT_SIZE_UNKNOWN;
    uint32_t index;
    table_check(cc_table_add_type(&table, &ty, &index));
    type_slots->put(main, index);
    return index;
}

/* Bitfield placement per table_format.h, by the layout engine's rule so
 * that both producers describe a field alike: the storage unit is aligned
 * to the declared type's alignment as packing reduces it (1 byte when
 * packed, the `#pragma pack` in force when the record was completed, which
 * gcc keeps nowhere in the trees: see on_finish_type), and when the bits
 * do not fit in that unit, it starts at the byte holding the first bit. */
static void
bitfield_place(cct_field *f, tree field, HOST_WIDE_INT bitpos,
               HOST_WIDE_INT width, tree declared)
{
    HOST_WIDE_INT size = tree_to_shwi(TYPE_SIZE_UNIT(declared));
    HOST_WIDE_INT unit = TYPE_ALIGN_UNIT(declared);
    unsigned *pack = record_packs->get(TYPE_MAIN_VARIANT(DECL_CONTEXT(field)));
    if (DECL_PACKED(field) || TYPE_PACKED(DECL_CONTEXT(field)))
        unit = 1;
    else if (pack && (HOST_WIDE_INT) *pack < unit)
        unit = *pack;
    HOST_WIDE_INT start = unit > 0 ? (bitpos / (unit * 8)) * unit : bitpos / 8;
    if (unit <= 0 || bitpos - start * 8 + width > size * 8)
        start = bitpos / 8;
    f->offset = (uint64_t) start;
    f->bitshift = (int16_t) (bitpos - start * 8);
    f->bitsize = (int16_t) width;
}

/* One member of a struct/union as a table field. */
static cct_field
record_field(tree field, bool *flexible)
{
    cct_field f;
    memset(&f, 0, sizeof f);
    f.name = table_string(identifier_text(DECL_NAME(field)));
    HOST_WIDE_INT bitpos = int_bit_position(field);
    tree type = TREE_TYPE(field);
    if (DECL_C_BIT_FIELD(field)) {
        type = DECL_BIT_FIELD_TYPE(field);
        bitfield_place(&f, field, bitpos, tree_to_shwi(DECL_SIZE(field)), type);
    } else {
        f.offset = (uint64_t) (bitpos / 8);
        f.bitshift = CCT_NOT_BITFIELD;
        f.bitsize = CCT_NOT_BITFIELD;
        if (TREE_CODE(type) == ARRAY_TYPE && !DECL_SIZE_UNIT(field))
            *flexible = true;
        if (TREE_CODE(type) == ARRAY_TYPE && DECL_CHAIN(field) == NULL_TREE
            && (!TYPE_DOMAIN(type) || !TYPE_MAX_VALUE(TYPE_DOMAIN(type))))
            *flexible = true;
    }
    field_depth++;
    f.type = type_index(type);
    field_depth--;
    return f;
}

/* Fills the fields, size and alignment of a complete struct/union. */
static void
record_fill(tree main, uint32_t index)
{
    auto_vec<cct_field> fields;
    bool flexible = false;
    for (tree f = TYPE_FIELDS(main); f; f = DECL_CHAIN(f))
        if (TREE_CODE(f) == FIELD_DECL)
            fields.safe_push(record_field(f, &flexible));
    uint32_t first = 0;
    if (!fields.is_empty())
        table_check(cc_table_add_fields(&table, fields.address(),
                                        fields.length(), &first));
    cct_type *ty = &table.types[index];
    ty->flags = (uint16_t) ((ty->flags & ~CCT_TF_OPAQUE) | CCT_TF_LAYOUT_KNOWN);
    if (flexible)
        ty->flags |= CCT_TF_FLEXIBLE;
    if (TYPE_PACKED(main)) {
        ty->flags |= CCT_TF_PACKED;
        ty->length = 1;
    }
    ty->first = first;
    ty->count = fields.length();
    ty->size = tree_to_uhwi(TYPE_SIZE_UNIT(main));
    ty->align = TYPE_ALIGN_UNIT(main);
}

static uint32_t
record_index(tree main, const char *typedef_name)
{
    int64_t known = type_slot_find(main);
    if (known >= 0)
        return (uint32_t) known;
    uint16_t flags = 0;
    const char *name = tagged_type_name(main, typedef_name, &flags);
    enum cct_kind kind = TREE_CODE(main) == UNION_TYPE ? CCT_KIND_UNION
                                                        : CCT_KIND_STRUCT;
    uint32_t index = tagged_type_add(main, kind, name, flags);
    if (COMPLETE_TYPE_P(main))
        record_fill(main, index);
    return index;
}

/* The value of an enumerator list entry (a CONST_DECL in C). */
static tree
enumerator_value(tree entry)
{
    tree v = TREE_VALUE(entry);
    if (TREE_CODE(v) == CONST_DECL)
        v = DECL_INITIAL(v);
    return v;
}

/* Gives enum INDEX the enumerators a LISTED marker takes. */
static void
enum_set_listed(uint32_t index)
{
    auto_vec<cct_enumerator> values;
    for (unsigned i = 0; i < nlisted; i++) {
        cct_enumerator e;
        memset(&e, 0, sizeof e);
        e.name = listed[i].name;
        e.value = listed[i].value;
        values.safe_push(e);
    }
    uint32_t first = 0;
    if (!values.is_empty()) {
        table_check(cc_table_add_enumerators(&table, values.address(),
                                             values.length(), &first));
        table_check(cc_table_name_enumerators(&table, first, values.length()));
    }
    table.types[index].first = first;
    table.types[index].count = values.length();
    listing_used = true;
}

/* The enumerators the source declares (those the cdef lists, when a
 * LISTED marker is being processed), the integer type the compiler chose. */
static void
enum_fill(tree main, uint32_t index)
{
    if (listing) {
        enum_set_listed(index);
    } else {
        auto_vec<cct_enumerator> values;
        for (tree v = TYPE_VALUES(main); v; v = TREE_CHAIN(v)) {
            cct_enumerator e;
            memset(&e, 0, sizeof e);
            e.name = table_string(identifier_text(TREE_PURPOSE(v)));
            e.value = (uint64_t) TREE_INT_CST_LOW(enumerator_value(v));
            values.safe_push(e);
        }
        uint32_t first = 0;
        if (!values.is_empty()) {
            table_check(cc_table_add_enumerators(&table, values.address(),
                                                 values.length(), &first));
            table_check(cc_table_name_enumerators(&table, first,
                                                  values.length()));
        }
        table.types[index].first = first;
        table.types[index].count = values.length();
    }
    cct_type *ty = &table.types[index];
    int prim = prim_of_integer_size(tree_to_uhwi(TYPE_SIZE_UNIT(main)),
                                    TYPE_UNSIGNED(main));
    if (prim < 0)
        error_at(current_loc, "ccffi: enum %qT has an integer size the table "
                 "cannot represent", main);
    ty->prim = (uint8_t) (prim < 0 ? CCT_PRIM_INT : prim);
    ty->flags = (uint16_t) ((ty->flags & ~CCT_TF_OPAQUE) | CCT_TF_LAYOUT_KNOWN);
    ty->size = tree_to_uhwi(TYPE_SIZE_UNIT(main));
    ty->align = TYPE_ALIGN_UNIT(main);
}

static uint32_t
enum_index(tree main, const char *typedef_name)
{
    int64_t known = type_slot_find(main);
    if (known >= 0)
        return (uint32_t) known;
    uint16_t flags = 0;
    const char *name = tagged_type_name(main, typedef_name, &flags);
    uint32_t index = tagged_type_add(main, CCT_KIND_ENUM, name, flags);
    table.types[index].prim = CCT_PRIM_UINT;
    if (COMPLETE_TYPE_P(main))
        enum_fill(main, index);
    return index;
}

/* A prototype: result, parameters and the variadic flag. */
static uint32_t
function_index(tree fntype)
{
    uint32_t result = type_index(TREE_TYPE(fntype));
    auto_vec<uint32_t> args;
    tree a = TYPE_ARG_TYPES(fntype);
    for (; a && a != void_list_node; a = TREE_CHAIN(a))
        args.safe_push(type_index(TREE_VALUE(a)));
    uint16_t flags = 0;
    if (prototype_p(fntype) && a == NULL_TREE)
        flags |= CCT_TF_VARIADIC;
    uint32_t out;
    table_check(cc_table_function(&table, result, args.address(),
                                  args.length(), flags, &out));
    return out;
}

static uint32_t
array_index(tree main)
{
    uint32_t item = type_index(TREE_TYPE(main));
    tree domain = TYPE_DOMAIN(main);
    uint32_t out;
    if (!domain || !TYPE_MAX_VALUE(domain)) {
        table_check(cc_table_array(&table, item, 0, CCT_TF_LENGTH_UNKNOWN, &out));
        return out;
    }
    if (TYPE_SIZE_UNIT(main) && integer_zerop(TYPE_SIZE_UNIT(main))) {
        /* `int a[0]` (GNU zero-length array) */
        table_check(cc_table_array(&table, item, 0, 0, &out));
        return out;
    }
    if (!tree_fits_shwi_p(TYPE_MAX_VALUE(domain))) {
        error_at(current_loc, "ccffi: variable-length array type %qT cannot "
                 "be put in the table", main);
        return 0;
    }
    uint64_t length = (uint64_t) (tree_to_shwi(TYPE_MAX_VALUE(domain)) + 1);
    table_check(cc_table_array(&table, item, length, 0, &out));
    return out;
}

/* A type the table has no kind for (__int128, _Float128, vectors...).  Inside
 * a struct it becomes an opaque type named after gcc's name for it, so the
 * layout is still recorded and only using that member fails; anywhere else
 * (a function's parameter, a global, a constant) it is an error. */
static uint32_t
unsupported_index(tree type, tree main)
{
    if (field_depth == 0) {
        error_at(current_loc, "ccffi: type %qT cannot be represented in the "
                 "type table", type);
        return 0;
    }
    int64_t known = type_slot_find(main);
    if (known >= 0)
        return (uint32_t) known;
    tree name = TYPE_NAME(main);
    if (name && TREE_CODE(name) == TYPE_DECL)
        name = DECL_NAME(name);
    const char *text = (name && TREE_CODE(name) == IDENTIFIER_NODE)
                       ? IDENTIFIER_POINTER(name)
                       : get_tree_code_name(TREE_CODE(main));
    char *label = xasprintf("$unsupported %s", text);
    uint32_t index = tagged_type_add(main, CCT_KIND_STRUCT, label,
                                     CCT_TF_TYPEDEF_NAMED);
    free(label);
    return index;
}

/* The table index of TYPE, adding what it reaches. */
static uint32_t
type_index(tree type)
{
    /* a typedef the cdef declares opaque (`typedef ... t;`) is that opaque
     * type wherever the source reaches it, whatever it really is */
    for (tree t = type; t; ) {
        tree name = TYPE_NAME(t);
        if (!name || TREE_CODE(name) != TYPE_DECL)
            break;
        int64_t opaque = type_slot_find(name);
        if (opaque >= 0)
            return (uint32_t) opaque;
        t = DECL_ORIGINAL_TYPE(name);
    }
    int prim;
    const char *typedef_name;
    typedef_chain(type, &prim, &typedef_name);
    if (prim >= 0)
        return table_primitive((enum cct_prim) prim);
    tree main = TYPE_MAIN_VARIANT(type);
    switch (TREE_CODE(main)) {
    case VOID_TYPE:
        return 0;
    case POINTER_TYPE:
        {
            uint32_t item = type_index(TREE_TYPE(main)), out;
            table_check(cc_table_pointer(&table, item, &out));
            return out;
        }
    case ARRAY_TYPE:
        return array_index(main);
    case RECORD_TYPE:
    case UNION_TYPE:
        return record_index(main, typedef_name);
    case ENUMERAL_TYPE:
        return enum_index(main, typedef_name);
    case FUNCTION_TYPE:
        return function_index(main);
    default:
        prim = prim_of_arithmetic(main);
        if (prim >= 0)
            return table_primitive((enum cct_prim) prim);
        return unsupported_index(type, main);
    }
}

/* ------------------------------------------------- comparing cdef types */

static bool same_type(tree a, tree b);

static bool
same_function_type(tree a, tree b)
{
    if (!same_type(TREE_TYPE(a), TREE_TYPE(b)))
        return false;
    tree x = TYPE_ARG_TYPES(a), y = TYPE_ARG_TYPES(b);
    for (; x && y && x != void_list_node && y != void_list_node;
         x = TREE_CHAIN(x), y = TREE_CHAIN(y))
        if (!same_type(TREE_VALUE(x), TREE_VALUE(y)))
            return false;
    return (x == void_list_node) == (y == void_list_node) && !x == !y;
}

/* Structural equality ignoring qualifiers at every level (the cdef's
 * `char *` matches the header's `const char *`, as in CFFI). */
static bool
same_type(tree a, tree b)
{
    a = TYPE_MAIN_VARIANT(a);
    b = TYPE_MAIN_VARIANT(b);
    if (a == b)
        return true;
    if (TREE_CODE(a) != TREE_CODE(b))
        return false;
    switch (TREE_CODE(a)) {
    case POINTER_TYPE:
        return same_type(TREE_TYPE(a), TREE_TYPE(b));
    case ARRAY_TYPE:
        if (!same_type(TREE_TYPE(a), TREE_TYPE(b)))
            return false;
        if (!COMPLETE_TYPE_P(a) || !COMPLETE_TYPE_P(b))
            return true;
        return tree_int_cst_equal(TYPE_SIZE(a), TYPE_SIZE(b));
    case FUNCTION_TYPE:
        return same_function_type(a, b);
    default:
        return false;  /* distinct main variants of a basic or tagged type */
    }
}

/* Arithmetic types are converted by the trampolines, so a cdef may differ. */
static bool
converted_by_call(tree t)
{
    t = TYPE_MAIN_VARIANT(t);
    return INTEGRAL_TYPE_P(t) || SCALAR_FLOAT_TYPE_P(t)
           || TREE_CODE(t) == COMPLEX_TYPE;
}

/* A result or parameter of the cdef is acceptable for the header's. */
static bool
call_types_agree(tree cdef, tree real)
{
    if (converted_by_call(cdef) && converted_by_call(real))
        return true;
    return same_type(cdef, real);
}

/* Number of named parameters; *variadic for a prototype ending in `...`. */
static unsigned
count_params(tree fntype, bool *variadic)
{
    unsigned n = 0;
    tree a = TYPE_ARG_TYPES(fntype);
    for (; a && a != void_list_node; a = TREE_CHAIN(a))
        n++;
    *variadic = prototype_p(fntype) && a == NULL_TREE;
    return n;
}

/* Reports the first way the cdef's prototype contradicts the header's. */
static void
function_check(const marker *m, tree cdef, tree real, location_t real_loc)
{
    char at[512];
    where(real_loc, at, sizeof at);
    bool cv, rv;
    unsigned cn = count_params(cdef, &cv), rn = count_params(real, &rv);
    if (cn != rn || cv != rv) {
        mismatch(m->loc, "ccffi: function %qs: the cdef declares %qT, the "
                 "header declares %qT (%s)", m->name, cdef, real, at);
        return;
    }
    if (!call_types_agree(TREE_TYPE(cdef), TREE_TYPE(real))) {
        mismatch(m->loc, "ccffi: function %qs: the cdef says it returns %qT, "
                 "the header says %qT (%s)", m->name, TREE_TYPE(cdef),
                 TREE_TYPE(real), at);
        return;
    }
    tree x = TYPE_ARG_TYPES(cdef), y = TYPE_ARG_TYPES(real);
    for (unsigned i = 1; i <= cn; i++, x = TREE_CHAIN(x), y = TREE_CHAIN(y))
        if (!call_types_agree(TREE_VALUE(x), TREE_VALUE(y))) {
            mismatch(m->loc, "ccffi: function %qs: argument %u is %qT in the "
                     "cdef, %qT in the header (%s)", m->name, i,
                     TREE_VALUE(x), TREE_VALUE(y), at);
            return;
        }
}

static bool
is_anonymous_record(tree t)
{
    t = TYPE_MAIN_VARIANT(t);
    return RECORD_OR_UNION_TYPE_P(t) && TYPE_NAME(t) == NULL_TREE;
}

/* What the layout comparison of one record collects: the differences CFFI
 * reports at use (table/cmismatch.h), and whether a warning was given. */
struct layout_diffs {
    char *text;
    size_t len;
    bool sizes_only;   /* partial, or with anonymous members: CFFI checks
                          the members' sizes only */
    bool warned;
};

static bool records_agree(const marker *m, const char *what, tree cdef,
                          tree real, layout_diffs *d);

/* Whether CFFI's generated check of a struct member accepts the header's
 * type RT for the cdef's CT: any integer for an integer member or a
 * bitfield (`(void)((p->x) | 0);`), else the same type once an array of
 * unknown length is taken as its item (`T *tmp = &p->x[0];`). */
/* A mirror's `T a[]`, or the `T a[0]` the generator writes for a lone one
 * (C refuses a flexible array member alone in a struct). */
static bool
cdef_unsized_array(tree t)
{
    if (TREE_CODE(t) != ARRAY_TYPE)
        return false;
    if (!TYPE_DOMAIN(t) || !TYPE_MAX_VALUE(TYPE_DOMAIN(t)))
        return true;
    return TYPE_SIZE_UNIT(t) && integer_zerop(TYPE_SIZE_UNIT(t));
}

static bool
cffi_field_accepts(bool bitfield, tree ct, tree rt)
{
    int prim;
    const char *name;
    typedef_chain(ct, &prim, &name);
    tree cm = TYPE_MAIN_VARIANT(ct), rm = TYPE_MAIN_VARIANT(rt);
    bool char_kind = prim == CCT_PRIM_CHAR || prim == CCT_PRIM_WCHAR
                     || prim == CCT_PRIM_CHAR16 || prim == CCT_PRIM_CHAR32
                     || cm == char_type_node;
    if (bitfield || (INTEGRAL_TYPE_P(cm) && !char_kind))
        return INTEGRAL_TYPE_P(rm);
    while (cdef_unsized_array(cm)) {
        cm = TREE_TYPE(cm);
        if (TREE_CODE(rm) != ARRAY_TYPE)
            return false;
        rm = TREE_TYPE(rm);
    }
    return same_type(cm, rm);
}

/* Same declared type and bitfield width for a member of the cdef's mirror
 * and the header's member of the same name; reports the difference.  A
 * cdef's `T a[]` matches any length of T, as CFFI's check (`T *tmp =
 * &p->a[0]`). */
static bool
field_types_agree(const marker *m, const char *what, tree cf, tree rf)
{
    char at[512];
    where(DECL_SOURCE_LOCATION(rf), at, sizeof at);
    bool cbit = DECL_C_BIT_FIELD(cf), rbit = DECL_C_BIT_FIELD(rf);
    tree ct = cbit ? DECL_BIT_FIELD_TYPE(cf) : TREE_TYPE(cf);
    tree rt = rbit ? DECL_BIT_FIELD_TYPE(rf) : TREE_TYPE(rf);
    if (is_anonymous_record(ct) && is_anonymous_record(rt)) {
        /* a member of an anonymous struct type: compared as a whole */
        layout_diffs inner;
        memset(&inner, 0, sizeof inner);
        bool ok = records_agree(m, what, ct, rt, &inner) && !inner.warned
                  && inner.len == 0;
        free(inner.text);
        return ok;
    }
    if (same_type(ct, rt) && cbit == rbit
        && (!cbit || tree_int_cst_equal(DECL_SIZE(cf), DECL_SIZE(rf))))
        return true;
    if (!cbit && !rbit && cdef_unsized_array(ct) && TREE_CODE(rt) == ARRAY_TYPE
        && same_type(TREE_TYPE(ct), TREE_TYPE(rt)))
        return true;
    char cwidth[32] = "", rwidth[32] = "";
    if (cbit)
        snprintf(cwidth, sizeof cwidth, " : %d", (int) tree_to_shwi(DECL_SIZE(cf)));
    if (rbit)
        snprintf(rwidth, sizeof rwidth, " : %d", (int) tree_to_shwi(DECL_SIZE(rf)));
    if (cffi_field_accepts(cbit, ct, rt))
        mismatch(m->loc, "ccffi: %s: field %qs is %<%T%s%> in the cdef, "
                 "%<%T%s%> in the header (%s)", what,
                 identifier_text(DECL_NAME(cf)), ct, cwidth, rt, rwidth, at);
    else
        compiler_mismatch(m->loc, "ccffi: %s: field %qs is %<%T%s%> in the "
                          "cdef, %<%T%s%> in the header (%s)", what,
                          identifier_text(DECL_NAME(cf)), ct, cwidth, rt,
                          rwidth, at);
    return false;
}

static tree
next_field(tree f)
{
    while (f && TREE_CODE(f) != FIELD_DECL)
        f = DECL_CHAIN(f);
    return f;
}

/* The member NAME of RECORD, looking inside anonymous members as C does;
 * *bitpos (if not NULL) gets its bit offset from RECORD's start. */
static tree
member_find_at(tree record, tree name, HOST_WIDE_INT *bitpos)
{
    for (tree f = next_field(TYPE_FIELDS(record)); f; f = next_field(DECL_CHAIN(f))) {
        if (DECL_NAME(f) == name) {
            if (bitpos)
                *bitpos = int_bit_position(f);
            return f;
        }
        if (!DECL_NAME(f) && RECORD_OR_UNION_TYPE_P(TREE_TYPE(f))) {
            tree inner = member_find_at(TREE_TYPE(f), name, bitpos);
            if (inner) {
                if (bitpos)
                    *bitpos += int_bit_position(f);
                return inner;
            }
        }
    }
    return NULL_TREE;
}

static tree
member_find(tree record, tree name)
{
    return member_find_at(record, name, NULL);
}

static void
layout_diff(layout_diffs *d, cc_layout_what what, const char *field,
            HOST_WIDE_INT cdef, HOST_WIDE_INT real)
{
    if (cdef == real || (d->sizes_only && what != CC_LAYOUT_FIELD_SIZE))
        return;
    table_check(cc_layout_diff_append(&d->text, &d->len, what, field,
                                      (long long) cdef, (long long) real));
}

/* The byte size CFFI compares for a member, or -1 (bitfields, `[]`). */
static HOST_WIDE_INT
member_size(tree f)
{
    if (DECL_C_BIT_FIELD(f) || !DECL_SIZE_UNIT(f)
        || TREE_CODE(DECL_SIZE_UNIT(f)) != INTEGER_CST)
        return -1;
    if (cdef_unsized_array(TREE_TYPE(f)))
        return -1;
    return tree_to_shwi(DECL_SIZE_UNIT(f));
}

/* One member the cdef lists, against the header's member of that name:
 * the type (a warning), the size and offset (recorded). */
static void
member_compare(const marker *m, const char *what, tree cf, HOST_WIDE_INT cpos,
               tree rf, HOST_WIDE_INT rpos, layout_diffs *d)
{
    const char *name = identifier_text(DECL_NAME(cf));
    if (!field_types_agree(m, what, cf, rf))
        d->warned = true;
    HOST_WIDE_INT csize = member_size(cf), rsize = member_size(rf);
    if (csize < 0 || rsize < 0)
        return;     /* bitfields and `[]`: CFFI checks neither */
    if (csize != rsize && !d->warned) {
        char at[512];
        mismatch(m->loc, "ccffi: %s: field %qs has size %wd in the cdef, %wd "
                 "in the header (%s)", what, name, csize, rsize,
                 where(DECL_SOURCE_LOCATION(rf), at, sizeof at));
        d->warned = true;
    }
    layout_diff(d, CC_LAYOUT_FIELD_SIZE, name, csize, rsize);
    if (cpos != rpos && !d->warned && !d->sizes_only) {
        char at[512];
        mismatch(m->loc, "ccffi: %s: field %qs is at bit offset %wd in the "
                 "cdef, %wd in the header (%s)", what, name, cpos, rpos,
                 where(DECL_SOURCE_LOCATION(rf), at, sizeof at));
        d->warned = true;
    }
    layout_diff(d, CC_LAYOUT_FIELD_OFFSET, name, cpos / BITS_PER_UNIT,
                rpos / BITS_PER_UNIT);
}

/* Every member the cdef's mirror lists (anonymous members flattened, as C
 * and CFFI reach their members) must exist in the header, else an error
 * (CFFI's generated code does not compile then either); each is compared.
 * False when one is missing (reported). */
static bool
members_compare(const marker *m, const char *what, tree cdef, HOST_WIDE_INT base,
                tree real, layout_diffs *d)
{
    for (tree cf = next_field(TYPE_FIELDS(TYPE_MAIN_VARIANT(cdef))); cf;
         cf = next_field(DECL_CHAIN(cf))) {
        HOST_WIDE_INT cpos = base + int_bit_position(cf);
        if (!DECL_NAME(cf)) {
            if (RECORD_OR_UNION_TYPE_P(TREE_TYPE(cf))
                && !members_compare(m, what, TREE_TYPE(cf), cpos, real, d))
                return false;
            continue;
        }
        HOST_WIDE_INT rpos = 0;
        tree rf = member_find_at(TYPE_MAIN_VARIANT(real), DECL_NAME(cf), &rpos);
        if (!rf) {
            char at[512];
            tree name = TYPE_NAME(TYPE_MAIN_VARIANT(real));
            tree first = next_field(TYPE_FIELDS(TYPE_MAIN_VARIANT(real)));
            location_t loc = first ? DECL_SOURCE_LOCATION(first)
                             : (name && TREE_CODE(name) == TYPE_DECL)
                             ? DECL_SOURCE_LOCATION(name) : m->loc;
            error_at(m->loc, "ccffi: %s: the cdef has field %qs, the header "
                     "has no such field (%s)", what,
                     IDENTIFIER_POINTER(DECL_NAME(cf)), where(loc, at, sizeof at));
            return false;
        }
        member_compare(m, what, cf, cpos, rf, rpos, d);
    }
    return true;
}

/* A member of the header that the exact cdef does not list: warned (once),
 * not an error: CFFI accepts it where the layout agrees. */
static void
members_only_in_header(const marker *m, const char *what, tree cdef, tree real,
                       layout_diffs *d)
{
    for (tree rf = next_field(TYPE_FIELDS(TYPE_MAIN_VARIANT(real)));
         rf && !d->warned; rf = next_field(DECL_CHAIN(rf))) {
        if (!DECL_NAME(rf)) {
            if (RECORD_OR_UNION_TYPE_P(TREE_TYPE(rf)))
                members_only_in_header(m, what, cdef, TREE_TYPE(rf), d);
            continue;
        }
        if (member_find(TYPE_MAIN_VARIANT(cdef), DECL_NAME(rf)))
            continue;
        char at[512];
        mismatch(m->loc, "ccffi: %s: field %qs is only in the header; declare "
                 "the struct with %<...;%> if the cdef lists only some fields "
                 "(%s)", what, identifier_text(DECL_NAME(rf)),
                 where(DECL_SOURCE_LOCATION(rf), at, sizeof at));
        d->warned = true;
    }
}

static bool
has_anonymous_member(tree record)
{
    for (tree f = next_field(TYPE_FIELDS(TYPE_MAIN_VARIANT(record))); f;
         f = next_field(DECL_CHAIN(f)))
        if (!DECL_NAME(f) && RECORD_OR_UNION_TYPE_P(TREE_TYPE(f)))
            return true;
    return false;
}

/* An exact cdef struct against the header's: members by name (each must
 * exist), their types, sizes and offsets, then size and alignment.  As
 * CFFI, the module is built with the header's layout and the differences
 * raise ffi.error when the type is used: they go to *d. */
static bool
records_agree(const marker *m, const char *what, tree cdef, tree real,
              layout_diffs *d)
{
    cdef = TYPE_MAIN_VARIANT(cdef);
    real = TYPE_MAIN_VARIANT(real);
    d->sizes_only = has_anonymous_member(cdef);
    if (!members_compare(m, what, cdef, 0, real, d))
        return false;
    members_only_in_header(m, what, cdef, real, d);
    HOST_WIDE_INT csize = tree_to_shwi(TYPE_SIZE_UNIT(cdef));
    HOST_WIDE_INT rsize = tree_to_shwi(TYPE_SIZE_UNIT(real));
    if ((csize != rsize || TYPE_ALIGN(cdef) != TYPE_ALIGN(real)) && !d->warned) {
        char at[512];
        tree name = TYPE_NAME(real);
        location_t real_loc = (name && TREE_CODE(name) == TYPE_DECL)
                              ? DECL_SOURCE_LOCATION(name) : m->loc;
        tree rf = next_field(TYPE_FIELDS(real));
        if (rf)
            real_loc = DECL_SOURCE_LOCATION(rf);
        mismatch(m->loc, "ccffi: %s: size %wd and alignment %u in the cdef, "
                 "size %wd and alignment %u in the header (%s)", what,
                 csize, TYPE_ALIGN_UNIT(cdef), rsize, TYPE_ALIGN_UNIT(real),
                 where(real_loc, at, sizeof at));
        d->warned = true;
    }
    layout_diff(d, CC_LAYOUT_TOTAL_SIZE, NULL, csize, rsize);
    layout_diff(d, CC_LAYOUT_TOTAL_ALIGNMENT, NULL, TYPE_ALIGN_UNIT(cdef),
                TYPE_ALIGN_UNIT(real));
    return true;
}

/* A partial cdef struct (`...;`): each member its mirror lists must exist in
 * the header with the same type; order and offsets are the header's, only
 * the members' sizes are compared (as CFFI does). */
static bool
records_contain(const marker *m, const char *what, tree cdef, tree real,
                layout_diffs *d)
{
    d->sizes_only = true;
    return members_compare(m, what, cdef, 0, real, d);
}

/* Checks the cdef's view of a record against the real one, per FLAGS;
 * the layout differences CFFI raises at use go to *d.  False on an error. */
static bool
record_check(const marker *m, const char *what, unsigned flags, tree cdef,
             tree real, layout_diffs *d)
{
    if (!RECORD_OR_UNION_TYPE_P(real))
        return true;
    if (flags & CCC_MF_EXACT)
        return records_agree(m, what, cdef, real, d);
    if (flags & CCC_MF_FIELDS)
        return records_contain(m, what, cdef, real, d);
    return true;
}

static void mismatch_record(const char *name, const char *message);

/* A partial cdef struct (`...;`) shows the members the cdef lists, in its
 * order, at the header's offsets, as CFFI (fields, dir(), positional
 * initializers): table type INDEX gets those members instead of the
 * header's, when the mirror lists all of them as direct members of the
 * header's struct (else the header's members stay). */
/* The header's member RF as the cdef's CF shows it: a `T a[]` of the
 * cdef stays unsized, as CFFI keeps it, whatever length the header has. */
static cct_field
view_field(tree cf, tree rf, bool *flexible)
{
    cct_field f = record_field(rf, flexible);
    if (!DECL_C_BIT_FIELD(rf) && cdef_unsized_array(TREE_TYPE(cf))
        && TREE_CODE(TREE_TYPE(rf)) == ARRAY_TYPE) {
        uint32_t item = type_index(TREE_TYPE(TREE_TYPE(rf)));
        table_check(cc_table_array(&table, item, 0, CCT_TF_LENGTH_UNKNOWN,
                                   &f.type));
    }
    return f;
}

static void
partial_view(uint32_t index, tree cdef, tree real)
{
    cdef = TYPE_MAIN_VARIANT(cdef);
    real = TYPE_MAIN_VARIANT(real);
    if (has_anonymous_member(cdef) || !RECORD_OR_UNION_TYPE_P(real))
        return;
    auto_vec<cct_field> fields;
    bool flexible = false;
    for (tree cf = next_field(TYPE_FIELDS(cdef)); cf; cf = next_field(DECL_CHAIN(cf))) {
        tree rf = member_find(real, DECL_NAME(cf));
        if (!rf || DECL_CONTEXT(rf) != real)
            return;
        fields.safe_push(view_field(cf, rf, &flexible));
    }
    uint32_t first = 0;
    if (!fields.is_empty())
        table_check(cc_table_add_fields(&table, fields.address(),
                                        fields.length(), &first));
    cct_type *ty = &table.types[index];
    ty->first = first;
    ty->count = fields.length();
    /* partial, as in the cdef's table: a call through libffi checks that
     * the listed members are where their order puts them (CFFI) */
    ty->flags |= CCT_TF_PARTIAL;
}

/* The record of the layout differences of table type INDEX (a struct or
 * union), under the name CFFI shows for it (table/cmismatch.h). */
static void
layout_record(uint32_t index, layout_diffs *d)
{
    if (d->len == 0)
        return;
    const cct_type *ty = &table.types[index];
    const char *name = cc_table_str(&table, ty->name);
    if ((ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION) && *name) {
        char *full = (ty->flags & CCT_TF_TYPEDEF_NAMED)
                     ? xstrdup(name)
                     : xasprintf("%s %s", ty->kind == CCT_KIND_UNION ? "union"
                                                                     : "struct",
                                 name);
        mismatch_record(full, d->text);
        free(full);
    }
}

/* ------------------------------------------------------------- markers */

/* The type a type-carrying marker holds, typedefs kept: a typedef's declared
 * type (C only: cc1plus reports no typedef), or the pointed-to type of the
 * form both front ends report, `extern T *marker`, with T's typedef seen
 * through when it is the generator's own `typedef <cdef view> _ccffi_tN;`. */
static tree
marker_type(tree decl)
{
    if (TREE_CODE(decl) == TYPE_DECL && DECL_ORIGINAL_TYPE(decl))
        return DECL_ORIGINAL_TYPE(decl);
    if (TREE_CODE(decl) != VAR_DECL)
        return TREE_TYPE(decl);
    tree type = TREE_TYPE(TREE_TYPE(decl));
    tree name = TYPE_NAME(type);
    if (name && TREE_CODE(name) == TYPE_DECL && DECL_ORIGINAL_TYPE(name)
        && DECL_NAME(name)
        && strncmp(IDENTIFIER_POINTER(DECL_NAME(name)), "_ccffi_", 7) == 0)
        return DECL_ORIGINAL_TYPE(name);
    return type;
}

static bool
marker_requires(const marker *m, enum tree_code code, const char *what)
{
    if (TREE_CODE(m->decl) == code)
        return true;
    error_at(m->loc, "ccffi: a %qs marker must be %s", m->kind, what);
    return false;
}

/* A marker carrying a type: `typedef T marker` (C) or `extern T *marker`. */
static bool
marker_carries_type(const marker *m)
{
    if (TREE_CODE(m->decl) == TYPE_DECL
        || (TREE_CODE(m->decl) == VAR_DECL
            && TREE_CODE(TREE_TYPE(m->decl)) == POINTER_TYPE))
        return true;
    error_at(m->loc, "ccffi: a %qs marker must be %<extern T *name%> (or, in "
             "C, %<typedef T name%>)", m->kind);
    return false;
}

/* The type the cdef declares opaque (`struct fwd;`, `typedef ... t;`): an
 * opaque record, as CFFI keeps it whatever the header says.  A real record
 * or enum behind it maps to that record wherever it is reached later (the
 * cdef declares a name before using it, so the markers come first); one
 * reached before its marker keeps the layout already recorded. */
static uint32_t
opaque_index(tree real, enum cct_kind kind, const char *name, uint16_t flags)
{
    tree main = TYPE_MAIN_VARIANT(real);
    bool tagged = RECORD_OR_UNION_TYPE_P(main) || TREE_CODE(main) == ENUMERAL_TYPE;
    if (tagged) {
        int64_t known = type_slot_find(main);
        if (known >= 0)
            return (uint32_t) known;
        return tagged_type_add(main, kind, name, flags);
    }
    cct_type ty;
    memset(&ty, 0, sizeof ty);
    ty.kind = (uint8_t) kind;
    ty.flags = (uint16_t) (flags | CCT_TF_OPAQUE);
    ty.name = table_string(name);
    ty.size = CCT_SIZE_UNKNOWN;
    uint32_t index;
    table_check(cc_table_add_type(&table, &ty, &index));
    return index;
}

/* An ENUMERATOR marker: its value waits for the LISTED enum marker. */
static void
listed_push(const marker *m, tree value)
{
    if (TREE_CODE(value) != INTEGER_CST) {
        error_at(m->loc, "ccffi: enumerator %qs is not an integer constant "
                 "in the source", m->name);
        return;
    }
    if (nlisted == cap_listed) {
        cap_listed = cap_listed ? 2 * cap_listed : 16;
        listed = XRESIZEVEC(listed_enumerator, listed, cap_listed);
    }
    listed[nlisted].name = table_string(m->name);
    listed[nlisted].value = (uint64_t) TREE_INT_CST_LOW(value);
    listed[nlisted].negative = tree_int_cst_sgn(value) < 0;
    nlisted++;
}

/* Ends what listed_begin() started, on every path. */
struct listed_scope {
    ~listed_scope() { listing = false; nlisted = 0; }
};

/* A marker with FLAGS & LISTED takes the enumerators before it, as many
 * as its EXPECTED says; false (reported) otherwise. */
static bool
listed_begin(const marker *m, unsigned flags)
{
    if (!(flags & CCC_MF_LISTED) && nlisted == 0)
        return true;
    if (!(flags & CCC_MF_LISTED) || !m->has_expected
        || !wi::eq_p(wi::to_widest(m->expected), nlisted)) {
        error_at(m->loc, "ccffi: %s %qs: %u enumerator markers before it, "
                 "its marker expects %E", m->kind, m->name, nlisted,
                 m->has_expected ? m->expected : integer_zero_node);
        nlisted = 0;
        return false;
    }
    listing = true;
    listing_used = false;
    return true;
}

/* The LISTED enum is table type INDEX: it has the cdef's enumerators even
 * if it was recorded before its marker. */
static void
listed_done(const marker *m, uint32_t index)
{
    if (!listing || listing_used)
        return;
    if (table.types[index].kind != CCT_KIND_ENUM) {
        error_at(m->loc, "ccffi: %s %qs: the cdef declares an enum, the "
                 "source does not", m->kind, m->name);
        return;
    }
    enum_set_listed(index);
}

/* "enum" "" LISTED: an anonymous enum of the cdef (`enum { A, B };`):
 * its enumerators with the source's values, and the integer type those
 * need (int, unsigned int, long or unsigned long), as the runtime
 * completes it without the plugin (CFFI's too, from the cdef's values). */
static void
marker_anonymous_enum(const marker *m)
{
    if (!listed_begin(m, CCC_MF_LISTED))
        return;
    listed_scope scope;
    bool negative = false, big = false;
    for (unsigned i = 0; i < nlisted; i++) {
        negative |= listed[i].negative;
        big |= listed[i].negative ? (int64_t) listed[i].value < INT32_MIN
                                  : listed[i].value > UINT32_MAX;
    }
    enum cct_prim prim = big ? (negative ? CCT_PRIM_LONG : CCT_PRIM_ULONG)
                             : (negative ? CCT_PRIM_INT : CCT_PRIM_UINT);
    cct_type ty;
    memset(&ty, 0, sizeof ty);
    ty.kind = CCT_KIND_ENUM;
    ty.prim = (uint8_t) prim;
    ty.flags = CCT_TF_LAYOUT_KNOWN;
    ty.size = cc_prims[prim].size;
    ty.align = cc_prims[prim].align;
    uint32_t index;
    table_check(cc_table_add_type(&table, &ty, &index));
    enum_set_listed(index);
}

/* struct/union/enum NAME: the tag, its layout, a TAG declaration. */
static void
marker_tag(const marker *m, enum tree_code code)
{
    if (!marker_carries_type(m))
        return;
    if (code == ENUMERAL_TYPE && m->name[0] == '\0') {
        marker_anonymous_enum(m);
        return;
    }
    if (!listed_begin(m, m->has_number ? (unsigned) m->number : 0))
        return;
    listed_scope scope;
    tree real = identifier_global_tag(get_identifier(m->name));
    if (real && TREE_CODE(real) == TYPE_DECL)   /* C++ gives the class name */
        real = TREE_TYPE(real);
    if (real && TREE_CODE(real) != code) {
        error_at(m->loc, "ccffi: the cdef says %<%s %s%>, the source declares "
                 "%qT", m->kind, m->name, real);
        return;
    }
    unsigned flags = m->has_number ? (unsigned) m->number : 0;
    if (!real && (flags & CCC_MF_OPAQUE)) {
        /* `struct a;` that the source never names: opaque, as the cdef says */
        enum cct_kind kind = code == UNION_TYPE ? CCT_KIND_UNION
                           : code == ENUMERAL_TYPE ? CCT_KIND_ENUM : CCT_KIND_STRUCT;
        cct_type ty;
        memset(&ty, 0, sizeof ty);
        ty.kind = (uint8_t) kind;
        ty.flags = CCT_TF_OPAQUE;
        ty.name = table_string(m->name);
        ty.size = CCT_SIZE_UNKNOWN;
        uint32_t index;
        table_check(cc_table_add_type(&table, &ty, &index));
        table_decl(m->name, CCT_DECL_TAG, index, 0, CCT_NO_SLOT, 0);
        return;
    }
    if (!real) {
        error_at(m->loc, "ccffi: %s %qs is not declared in the source",
                 m->kind, m->name);
        return;
    }
    char what[300];
    snprintf(what, sizeof what, "%s %s", m->kind, m->name);
    if ((flags & (CCC_MF_BODY | CCC_MF_EXACT | CCC_MF_FIELDS))
        && !COMPLETE_TYPE_P(real)) {
        error_at(m->loc, "ccffi: %s: the cdef gives its fields but the source "
                 "has no complete definition", what);
        return;
    }
    if (flags & CCC_MF_OPAQUE) {
        enum cct_kind kind = code == UNION_TYPE ? CCT_KIND_UNION
                           : code == ENUMERAL_TYPE ? CCT_KIND_ENUM : CCT_KIND_STRUCT;
        table_decl(m->name, CCT_DECL_TAG, opaque_index(real, kind, m->name, 0),
                   0, CCT_NO_SLOT, 0);
        return;
    }
    /* layout differences warn (CFFI builds such a module and complains at
     * use); the source's layout is recorded, and what CFFI raises at use */
    layout_diffs d;
    memset(&d, 0, sizeof d);
    if (record_check(m, what, flags, marker_type(m->decl), real, &d)) {
        uint32_t index = type_index(real);
        listed_done(m, index);
        table_decl(m->name, CCT_DECL_TAG, index, 0, CCT_NO_SLOT, 0);
        layout_record(index, &d);
        if ((flags & CCC_MF_FIELDS) && !(flags & CCC_MF_EXACT))
            partial_view(index, marker_type(m->decl), real);
    }
    free(d.text);
}

/* typedef NAME: what the name really is (`typedef int... t` included). */
/* `typedef double... t` whose real type is no float of the size of float
 * or double: t is recorded as the unknown-float primitive with the message
 * CFFI raises when it is realized (its generated code computes the size,
 * 0 for an integer, and its runtime refuses any but float's and double's).
 * True when so recorded. */
static bool
float_dots_mismatch(const marker *m, tree real, tree type)
{
    tree tmain = TYPE_MAIN_VARIANT(type);
    bool is_float = SCALAR_FLOAT_TYPE_P(tmain) && TYPE_SIZE_UNIT(tmain)
        && TREE_CODE(TYPE_SIZE_UNIT(tmain)) == INTEGER_CST;
    unsigned HOST_WIDE_INT size = is_float ? tree_to_uhwi(TYPE_SIZE_UNIT(tmain)) : 0;
    if (size == tree_to_uhwi(TYPE_SIZE_UNIT(float_type_node))
        || size == tree_to_uhwi(TYPE_SIZE_UNIT(double_type_node)))
        return false;
    bool ldouble = size == tree_to_uhwi(TYPE_SIZE_UNIT(long_double_type_node));
    mismatch_record(m->name, ldouble
        ? "primitive floating-point type is 'long double', not supported for "
          "now with the syntax 'typedef double... xxx;'"
        : "primitive floating-point type with an unexpected size (or not a "
          "float type at all)");
    cct_type ty;
    memset(&ty, 0, sizeof ty);
    ty.kind = CCT_KIND_PRIMITIVE;
    ty.prim = CCT_PRIM_UNKNOWN_FLOAT;
    ty.size = CCT_SIZE_UNKNOWN;
    ty.name = table_string(m->name);
    uint32_t index;
    table_check(cc_table_add_type(&table, &ty, &index));
    table_decl(m->name, CCT_DECL_TYPEDEF, index, 0, CCT_NO_SLOT, 0);
    type_slots->put(real, index);   /* the typedef itself: type_index */
    return true;
}

static void
marker_typedef(const marker *m)
{
    if (!marker_carries_type(m))
        return;
    unsigned flags = m->has_number ? (unsigned) m->number : 0;
    if (!listed_begin(m, flags))
        return;
    listed_scope scope;
    if (flags & CCC_MF_CDEF) {
        /* the cdef's own typedef (`typedef int func_t(int);`): what the
         * cdef says, whether or not the source has the name, as CFFI */
        table_decl(m->name, CCT_DECL_TYPEDEF, type_index(marker_type(m->decl)),
                   0, CCT_NO_SLOT, 0);
        return;
    }
    tree real = lookup_name(get_identifier(m->name));
    if (!real || TREE_CODE(real) != TYPE_DECL) {
        error_at(m->loc, "ccffi: typedef %qs is not declared in the source",
                 m->name);
        return;
    }
    tree type = TREE_TYPE(real);
    if ((flags & CCC_MF_FLOAT_DOTS) && float_dots_mismatch(m, real, type))
        return;
    char what[300];
    snprintf(what, sizeof what, "typedef %s", m->name);
    if ((flags & (CCC_MF_BODY | CCC_MF_EXACT | CCC_MF_FIELDS))
        && !COMPLETE_TYPE_P(type)) {
        error_at(m->loc, "ccffi: %s: the cdef gives its fields but the source "
                 "has no complete definition", what);
        return;
    }
    if (flags & CCC_MF_OPAQUE) {
        uint16_t tflags = CCT_TF_TYPEDEF_NAMED | CCT_TF_DOTS_TYPEDEF;
        uint32_t index = opaque_index(type, CCT_KIND_STRUCT, m->name, tflags);
        table_decl(m->name, CCT_DECL_TYPEDEF, index, 0, CCT_NO_SLOT, 0);
        type_slots->put(real, index);   /* the typedef itself: type_index */
        return;
    }
    tree tmain = TYPE_MAIN_VARIANT(type);
    if ((flags & CCC_MF_BODY) && !(flags & CCC_MF_LISTED)
        && !RECORD_OR_UNION_TYPE_P(tmain) && TREE_CODE(tmain) != ENUMERAL_TYPE
        && TREE_CODE(tmain) != FUNCTION_TYPE && TYPE_SIZE_UNIT(tmain)
        && TREE_CODE(TYPE_SIZE_UNIT(tmain)) == INTEGER_CST) {
        /* `typedef struct { ...; } t;` that is really `typedef short t;`:
         * CFFI shows a struct of the real type's size and alignment with
         * no fields (CFFI's test_opaque_integer_as_function_result; an enum
         * typedef's marker has BODY too: its real type is an enum) */
        cct_type ty;
        memset(&ty, 0, sizeof ty);
        ty.kind = CCT_KIND_STRUCT;
        ty.flags = CCT_TF_LAYOUT_KNOWN | CCT_TF_TYPEDEF_NAMED;
        ty.name = table_string(m->name);
        ty.size = tree_to_uhwi(TYPE_SIZE_UNIT(tmain));
        ty.align = TYPE_ALIGN_UNIT(tmain);
        uint32_t index;
        table_check(cc_table_add_type(&table, &ty, &index));
        table_decl(m->name, CCT_DECL_TYPEDEF, index, 0, CCT_NO_SLOT, 0);
        type_slots->put(real, index);   /* the typedef itself: type_index */
        return;
    }
    layout_diffs d;
    memset(&d, 0, sizeof d);
    if (record_check(m, what, flags, marker_type(m->decl), type, &d)) {
        uint32_t index = type_index(type);
        listed_done(m, index);
        table_decl(m->name, CCT_DECL_TYPEDEF, index, 0, CCT_NO_SLOT, 0);
        layout_record(index, &d);
        if ((flags & CCC_MF_FIELDS) && !(flags & CCC_MF_EXACT))
            partial_view(index, marker_type(m->decl), type);
    }
    free(d.text);
}

/* The 64-bit pattern of a string constant: pool offset | length << 32. */
static bool
string_value(const marker *m, tree str, uint64_t *value)
{
    tree elt = TREE_TYPE(TREE_TYPE(str));
    if (TYPE_PRECISION(elt) != TYPE_PRECISION(char_type_node)) {
        error_at(m->loc, "ccffi: constant %qs: wide strings are not supported",
                 m->name);
        return false;
    }
    const char *bytes = TREE_STRING_POINTER(str);
    size_t len = (size_t) TREE_STRING_LENGTH(str);
    if (len > 0 && bytes[len - 1] == '\0')
        len--;
    if (memchr(bytes, '\0', len)) {
        error_at(m->loc, "ccffi: constant %qs: a string with a NUL byte inside "
                 "cannot be put in the table (format version %d)", m->name,
                 CCT_VERSION);
        return false;
    }
    uint32_t off;
    table_check(cc_table_string(&table, bytes, len, &off));
    *value = (uint64_t) off | ((uint64_t) len << 32);
    return true;
}

/* The declaration name under which the runtime finds what to raise when
 * NAME is used: the table has no kind for it, so it is a CONST_STRING whose
 * name no C identifier can have (contract.h, CCC_MISMATCH_PREFIX). */
static void
mismatch_record(const char *name, const char *message)
{
    char *decl_name = xasprintf("%s%s", CCC_MISMATCH_PREFIX, name);
    uint32_t off;
    size_t len = strlen(message);
    table_check(cc_table_string(&table, message, len, &off));
    uint32_t ptr;
    table_check(cc_table_pointer(&table, table_primitive(CCT_PRIM_CHAR), &ptr));
    table_decl(decl_name, CCT_DECL_CONST_STRING, ptr, 0, CCT_NO_SLOT,
               (uint64_t) off | ((uint64_t) len << 32));
    free(decl_name);
}

/* Checks EXPECTED (the cdef's value) against the real integer constant.  A
 * different integer warns and is kept, with the error CFFI raises when the
 * name is used; false (reported) if the value is no integer at all. */
static bool
value_check(const marker *m, tree value, location_t real_loc)
{
    if (!m->has_expected)
        return true;
    if (TREE_CODE(value) == INTEGER_CST
        && wi::to_widest(value) == wi::to_widest(m->expected))
        return true;
    char at[512];
    where(real_loc, at, sizeof at);
    if (TREE_CODE(value) != INTEGER_CST) {
        error_at(m->loc, "ccffi: %qs is %E in the cdef but %E in the header "
                 "(%s)", m->name, m->expected, value, at);
        return false;
    }
    char digits[32];    /* C++ prints an enumerator's value by its name */
    if (TYPE_UNSIGNED(TREE_TYPE(value)))
        snprintf(digits, sizeof digits, "%llu",
                 (unsigned long long) TREE_INT_CST_LOW(value));
    else
        snprintf(digits, sizeof digits, "%lld",
                 (long long) TREE_INT_CST_LOW(value));
    mismatch(m->loc, "ccffi: %qs is %E in the cdef but %s in the header (%s)",
             m->name, m->expected, digits, at);
    char text[64];
    if (tree_int_cst_sgn(value) > 0) {
        unsigned HOST_WIDE_INT u = TREE_INT_CST_LOW(value);
        snprintf(text, sizeof text, "%llu (0x%llx)", (unsigned long long) u,
                 (unsigned long long) u);
    } else {
        snprintf(text, sizeof text, "%lld",
                 (long long) TREE_INT_CST_LOW(value));
    }
    char *message = xasprintf("the C compiler says '%s' is equal to %s, but "
                              "the cdef disagrees", m->name, text);
    mismatch_record(m->name, message);
    free(message);
    return true;
}

/* Records NAME = VALUE (an INTEGER_CST, REAL_CST or STRING_CST). */
/* The string literal a pointer constant points to (`(char *)"abc"`,
 * `static const char *const s = "abc";`), else VALUE itself. */
static tree
string_behind_pointer(tree value)
{
    if (TREE_CODE(value) != ADDR_EXPR)
        return value;
    tree op = TREE_OPERAND(value, 0);
    if (TREE_CODE(op) == ARRAY_REF && integer_zerop(TREE_OPERAND(op, 1)))
        op = TREE_OPERAND(op, 0);
    return TREE_CODE(op) == STRING_CST ? op : value;
}

static void
constant_record(const marker *m, tree value, tree type, location_t real_loc)
{
    STRIP_NOPS(value);
    value = string_behind_pointer(value);
    if (!value_check(m, value, real_loc))
        return;
    if (m->has_number && (m->number & CCC_MF_ENUMERATOR)) {
        listed_push(m, value);
        return;
    }
    if (m->has_number && (m->number & CCC_MF_CHECK_ONLY))
        return;
    if (TREE_CODE(value) == INTEGER_CST) {
        uint16_t flags = TYPE_UNSIGNED(TREE_TYPE(value)) ? CCT_DF_UNSIGNED : 0;
        table_decl(m->name, CCT_DECL_CONST_INT, type_index(type), flags,
                   CCT_NO_SLOT, (uint64_t) TREE_INT_CST_LOW(value));
    } else if (TREE_CODE(value) == REAL_CST) {
        unsigned char bits[8];
        tree d = fold_convert(double_type_node, value);
        uint64_t v = 0;
        if (native_encode_expr(d, bits, sizeof bits) != (int) sizeof bits) {
            error_at(m->loc, "ccffi: constant %qs: cannot encode %E", m->name,
                     value);
            return;
        }
        memcpy(&v, bits, sizeof v);
        table_decl(m->name, CCT_DECL_CONST_FLOAT, type_index(type), 0,
                   CCT_NO_SLOT, v);
    } else if (TREE_CODE(value) == STRING_CST) {
        uint64_t v;
        if (!string_value(m, value, &v))
            return;
        uint32_t ptr, item = type_index(TREE_TYPE(TREE_TYPE(value)));
        table_check(cc_table_pointer(&table, item, &ptr));
        table_decl(m->name, CCT_DECL_CONST_STRING, ptr, 0, CCT_NO_SLOT, v);
    } else {
        error_at(m->loc, "ccffi: %qs is not a compile-time number or string "
                 "constant", m->name);
    }
}

/* NAME is an integer constant C computes only when the program runs (a
 * macro of a call, an extern const, a variable of the source): recorded as
 * a CONST_INT whose slot is the generator's getter, holding the cdef's
 * value (compared at first use, as CFFI does) or DOTS_VALUE.  False if the
 * marker has no getter or TYPE is no integer: the caller reports it. */
static bool
runtime_record(const marker *m, tree type)
{
    unsigned HOST_WIDE_INT k = m->has_number
                               ? m->number >> CCC_MF_SLOT_SHIFT : 0;
    if (k == 0 || k > UINT32_MAX || (m->number & CCC_MF_ENUMERATOR)
        || !(INTEGRAL_TYPE_P(type)))
        return false;
    if (m->number & CCC_MF_CHECK_ONLY)
        return true;
    uint16_t flags = 0;
    uint64_t value = 0;
    if (m->has_expected) {
        value = (uint64_t) TREE_INT_CST_LOW(m->expected);
        if (tree_int_cst_sgn(m->expected) > 0 && !tree_fits_shwi_p(m->expected))
            flags |= CCT_DF_UNSIGNED;
    } else {
        flags |= CCT_DF_DOTS_VALUE;
    }
    table_decl(m->name, CCT_DECL_CONST_INT, type_index(type), flags,
               (uint32_t) (k - 1), value);
    return true;
}

/* The marker variable of a "const" marker must not reach the object file. */
static void
marker_variable_drop(tree decl)
{
    varpool_node *node = varpool_node::get(decl);
    if (node)
        node->remove();
    TREE_ASM_WRITTEN(decl) = 1;
    DECL_IGNORED_P(decl) = 1;
}

/* Where the macro NAME is defined, or FALLBACK if it is not a macro. */
static location_t
macro_location(const char *name, location_t fallback)
{
    cpp_hashnode *node = cpp_lookup(parse_in, (const unsigned char *) name,
                                    strlen(name));
    if (!node || !cpp_macro_p(node) || !cpp_user_macro_p(node))
        return fallback;
    return node->value.macro->line;
}

/* const NAME: `static const __typeof__(X) v = (X);` carries the value. */
static void
marker_const(const marker *m)
{
    if (!marker_requires(m, VAR_DECL, "an initialised static const variable"))
        return;
    tree init = DECL_INITIAL(m->decl);
    if (!init || init == error_mark_node) {
        error_at(m->loc, "ccffi: constant %qs has no initialiser", m->name);
        return;
    }
    if (m->has_number && (m->number & CCC_MF_RUNTIME)) {
        if (!runtime_record(m, TREE_TYPE(m->decl)))
            error_at(m->loc, "ccffi: %qs is not a compile-time number or "
                     "string constant", m->name);
        marker_variable_drop(m->decl);
        return;
    }
    constant_record(m, init, TREE_TYPE(m->decl),
                    macro_location(m->name, m->loc));
    marker_variable_drop(m->decl);
}

/* enumconst NAME: an enumerator or static const variable found by name. */
static void
marker_enumconst(const marker *m)
{
    if (!marker_carries_type(m))
        return;
    tree real = lookup_name(get_identifier(m->name));
    if (real && TREE_CODE(real) == CONST_DECL) {
        tree value = DECL_INITIAL(real);
        constant_record(m, value, TREE_TYPE(value), DECL_SOURCE_LOCATION(real));
        return;
    }
    if (real && TREE_CODE(real) == VAR_DECL && TREE_READONLY(real)
        && DECL_INITIAL(real) && TREE_CONSTANT(DECL_INITIAL(real))) {
        constant_record(m, DECL_INITIAL(real), TREE_TYPE(real),
                        DECL_SOURCE_LOCATION(real));
        return;
    }
    /* `extern const int N;`, `int X = 5;`: read when the program runs */
    if (real && TREE_CODE(real) == VAR_DECL && runtime_record(m, TREE_TYPE(real)))
        return;
    error_at(m->loc, "ccffi: %qs is neither a macro, an enumerator nor a "
             "constant in the source", m->name);
}

/* Is NAME a preprocessor macro of the source? 2 if function-like. */
static int
macro_kind(const char *name)
{
    cpp_hashnode *node = cpp_lookup(parse_in, (const unsigned char *) name,
                                    strlen(name));
    if (!node || !cpp_macro_p(node))
        return 0;
    return cpp_fun_like_macro_p(node) ? 2 : 1;
}

static uint32_t
marker_slot(const marker *m)
{
    return m->has_number ? (uint32_t) m->number : CCT_NO_SLOT;
}

/* function NAME, SLOT: the real prototype, or the cdef's for a macro. */
static void
marker_function(const marker *m)
{
    if (!marker_carries_type(m))
        return;
    tree cdef = marker_type(m->decl);
    if (TREE_CODE(cdef) != FUNCTION_TYPE) {
        error_at(m->loc, "ccffi: the marker of function %qs must be a typedef "
                 "of a function type", m->name);
        return;
    }
    tree real = lookup_name(get_identifier(m->name));
    if (real && TREE_CODE(real) == FUNCTION_DECL
        && !prototype_p(TREE_TYPE(real))) {
        /* `int f();` says nothing of the parameters: trust the cdef */
        table_decl(m->name, CCT_DECL_FUNCTION, type_index(cdef), 0,
                   marker_slot(m), 0);
        return;
    }
    if (real && TREE_CODE(real) == FUNCTION_DECL) {
        /* Python calls with the cdef's types; the trampoline's call converts
         * them to the source's, and the compiler judges that call */
        function_check(m, cdef, TREE_TYPE(real), DECL_SOURCE_LOCATION(real));
        table_decl(m->name, CCT_DECL_FUNCTION, type_index(cdef),
                   0, marker_slot(m), 0);
        return;
    }
    if ((!real && macro_kind(m->name))
        || (real && TREE_CODE(real) == OVERLOAD)) {
        /* a macro, or C++ overloads: the generated calls choose */
        table_decl(m->name, CCT_DECL_FUNCTION, type_index(cdef),
                   real ? 0 : CCT_DF_MACRO, marker_slot(m), 0);
        return;
    }
    if (!real && !compiling_cxx()) {
        /* C calls an undeclared function through an implicit declaration
         * (the compiler warns, or refuses in its newer standards): CFFI's
         * module builds, so does ours, with the cdef's prototype */
        compiler_mismatch(m->loc, "ccffi: function %qs is not declared in the "
                          "source: the generated code calls it undeclared",
                          m->name);
        table_decl(m->name, CCT_DECL_FUNCTION, type_index(cdef), 0,
                   marker_slot(m), 0);
        return;
    }
    error_at(m->loc, real ? "ccffi: %qs is not a function in the source"
                          : "ccffi: function %qs is not declared in the source",
             m->name);
}

/* A read-only object: const itself, or an array of const elements. */
static bool
type_is_readonly(tree type)
{
    while (TREE_CODE(type) == ARRAY_TYPE && !TYPE_READONLY(type))
        type = TREE_TYPE(type);
    return TYPE_READONLY(type);
}

/* global NAME, SLOT: the real type of the variable. */
static void
marker_global(const marker *m)
{
    if (!marker_carries_type(m))
        return;
    tree cdef = marker_type(m->decl);
    tree real = lookup_name(get_identifier(m->name));
    if (real && TREE_CODE(real) == VAR_DECL) {
        char at[512];
        tree rtype = TREE_TYPE(real);
        if (!same_type(cdef, rtype))
            mismatch(m->loc, "ccffi: global %qs is %qT in the cdef, %qT in the "
                     "header (%s)", m->name, cdef, rtype,
                     where(DECL_SOURCE_LOCATION(real), at, sizeof at));
        /* Python sees the cdef's type (an unsized array stays unsized) */
        uint16_t flags = type_is_readonly(rtype) ? CCT_DF_CONST : 0;
        table_decl(m->name, CCT_DECL_VARIABLE, type_index(cdef), flags,
                   marker_slot(m), 0);
        return;
    }
    if (real && TREE_CODE(real) == FUNCTION_DECL && POINTER_TYPE_P(cdef)
        && TREE_CODE(TREE_TYPE(cdef)) == FUNCTION_TYPE) {
        /* `int (*const f)(int);` in the cdef for a function f: its address,
         * read by the generated getter */
        table_decl(m->name, CCT_DECL_VARIABLE, type_index(cdef), CCT_DF_CONST,
                   marker_slot(m), 0);
        return;
    }
    if (!real && macro_kind(m->name)) {
        table_decl(m->name, CCT_DECL_VARIABLE, type_index(cdef),
                   CCT_DF_MACRO | (type_is_readonly(cdef) ? CCT_DF_CONST : 0),
                   marker_slot(m), 0);
        return;
    }
    error_at(m->loc, real ? "ccffi: %qs is not a variable in the source"
                          : "ccffi: global %qs is not declared in the source",
             m->name);
}

/* python NAME, SLOT [, 1]: an extern "Python" function of the cdef. */
static void
marker_python(const marker *m)
{
    if (!marker_carries_type(m))
        return;
    tree cdef = marker_type(m->decl);
    if (TREE_CODE(cdef) != FUNCTION_TYPE) {
        error_at(m->loc, "ccffi: the marker of %qs must be a typedef of a "
                 "function type", m->name);
        return;
    }
    uint16_t flags = 0;
    if (m->has_expected && integer_onep(m->expected))
        flags |= CCT_DF_PYTHON_C;
    table_decl(m->name, CCT_DECL_EXTERN_PYTHON, type_index(cdef), flags,
               marker_slot(m), 0);
}

/* ------------------------------------------------------------ the table */

static void
table_dump(const unsigned char *buf, size_t len)
{
    FILE *f = fopen(table_dump_path, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
        error("ccffi: cannot write the table to %qs", table_dump_path);
}

/* The serialized table, checked by the loader the runtime uses. */
static unsigned char *
table_bytes(location_t loc, size_t *len)
{
    unsigned char *buf = NULL;
    table_check(cc_table_serialize(&table, &buf, len));
    cc_table check;
    cc_error err;
    memset(&err, 0, sizeof err);
    table_check(cc_table_init(&check));
    if (cc_table_load(&check, buf, *len, &err) != 0)
        error_at(loc, "ccffi: internal error: the table does not load: %s",
                 err.message);
    cc_table_free(&check);
    return buf;
}

/* The sentinel becomes `const char NAME[N] = <the table>`. */
static void
marker_table(const marker *m)
{
    if (!marker_requires(m, VAR_DECL, "a const char array"))
        return;
    if (table_written) {
        error_at(m->loc, "ccffi: a second table sentinel");
        return;
    }
    table_written = true;
    if (nlisted)
        error_at(m->loc, "ccffi: %u enumerator markers with no enum marker "
                 "after them", nlisted);
    size_t len;
    unsigned char *buf = table_bytes(m->loc, &len);
    if (table_dump_path)
        table_dump(buf, len);
    tree elt = build_qualified_type(char_type_node, TYPE_QUAL_CONST);
    tree type = build_array_type_nelts(elt, len);
    tree init = build_string((unsigned) len, (const char *) buf);
    free(buf);
    TREE_TYPE(init) = type;
    TREE_CONSTANT(init) = 1;
    TREE_READONLY(init) = 1;
    TREE_STATIC(init) = 1;
    tree decl = m->decl;
    TREE_TYPE(decl) = type;
    DECL_INITIAL(decl) = init;
    if (DECL_RTL_SET_P(decl))
        SET_DECL_RTL(decl, NULL_RTX);
    relayout_decl(decl);
    SET_DECL_ALIGN(decl, 8 * BITS_PER_UNIT);
    DECL_USER_ALIGN(decl) = 1;
}

/* --------------------------------------------------------- gcc callbacks */

/* Reads the attribute's arguments; false (reported) if malformed. */
static bool
marker_parse(tree decl, tree args, marker *m)
{
    memset(m, 0, sizeof *m);
    m->decl = decl;
    m->loc = DECL_SOURCE_LOCATION(decl);
    tree vals[4] = { NULL_TREE, NULL_TREE, NULL_TREE, NULL_TREE };
    unsigned n = 0;
    for (tree a = args; a && n < 4; a = TREE_CHAIN(a))
        vals[n++] = TREE_VALUE(a);
    for (unsigned i = 0; i < n; i++) {
        bool want_string = i < 2;
        enum tree_code code = want_string ? STRING_CST : INTEGER_CST;
        if (!vals[i] || TREE_CODE(vals[i]) != code) {
            error_at(m->loc, "ccffi: argument %u of attribute %<ccffi%> must "
                     "be %s", i + 1, want_string ? "a string literal"
                                                 : "an integer constant");
            return false;
        }
    }
    m->kind = n > 0 ? TREE_STRING_POINTER(vals[0]) : "";
    m->name = n > 1 ? TREE_STRING_POINTER(vals[1]) : "";
    m->has_number = n > 2;
    m->number = n > 2 ? TREE_INT_CST_LOW(vals[2]) : 0;
    m->has_expected = n > 3;
    m->expected = vals[3];
    if (strcmp(m->kind, "table") != 0 && n < 2) {
        error_at(m->loc, "ccffi: a %qs marker needs a name", m->kind);
        return false;
    }
    return true;
}

static void
marker_dispatch(const marker *m)
{
    switch (ccc_marker_kind_of(m->kind)) {
    case CCC_MARKER_STRUCT: marker_tag(m, RECORD_TYPE); break;
    case CCC_MARKER_UNION: marker_tag(m, UNION_TYPE); break;
    case CCC_MARKER_ENUM: marker_tag(m, ENUMERAL_TYPE); break;
    case CCC_MARKER_TYPEDEF: marker_typedef(m); break;
    case CCC_MARKER_CONST: marker_const(m); break;
    case CCC_MARKER_ENUMCONST: marker_enumconst(m); break;
    case CCC_MARKER_FUNCTION: marker_function(m); break;
    case CCC_MARKER_GLOBAL: marker_global(m); break;
    case CCC_MARKER_PYTHON: marker_python(m); break;
    case CCC_MARKER_TABLE: marker_table(m); break;
    case CCC_MARKER__COUNT:
        error_at(m->loc, "ccffi: unknown marker kind %qs", m->kind);
        break;
    }
}

/* PLUGIN_FINISH_DECL: every declaration; markers are processed here, when
 * types are complete and initialisers folded. */
static void
on_finish_decl(void *gcc_data, void *)
{
    tree decl = (tree) gcc_data;
    if (!decl || !DECL_P(decl))
        return;
    tree attr = lookup_attribute(CCC_ATTRIBUTE_NAME, DECL_ATTRIBUTES(decl));
    if (!attr)
        return;
    marker m;
    if (!marker_parse(decl, TREE_VALUE(attr), &m))
        return;
    markers_seen = true;
    current_loc = m.loc;
    if (table_written && strcmp(m.kind, "table") != 0) {
        error_at(m.loc, "ccffi: marker %qs after the table sentinel: the "
                 "sentinel must be last", m.name);
        return;
    }
    marker_dispatch(&m);
}

/* The attribute handler runs before initialisers exist: accept only. */
static tree
handle_ccffi_attribute(tree *node, tree, tree, int, bool *no_add_attrs)
{
    *no_add_attrs = !DECL_P(*node);
    return NULL_TREE;
}

static struct attribute_spec ccffi_attribute = {
    CCC_ATTRIBUTE_NAME, 1, 4, true, false, false, false,
    handle_ccffi_attribute, NULL
};

static void
on_attributes(void *, void *)
{
    register_attribute(&ccffi_attribute);
}

static bool
compiling_cxx(void)
{
    return strncmp(lang_hooks.name, "GNU C++", 7) == 0;
}

/* PLUGIN_PRAGMAS runs once the preprocessor exists, before the main file is
 * read: the moment to predefine our macro. */
static void
on_pragmas(void *, void *)
{
    cpp_define(parse_in, CCC_PLUGIN_MACRO "=1");
}

/* A struct/union is complete: remember the `#pragma pack` it was laid out
 * under (gcc's maximum_field_alignment, in bits; 0 when none). */
static void
on_finish_type(void *gcc_data, void *)
{
    tree type = (tree) gcc_data;
    if (type && RECORD_OR_UNION_TYPE_P(type) && COMPLETE_TYPE_P(type)
        && maximum_field_alignment != 0)
        record_packs->put(TYPE_MAIN_VARIANT(type),
                          maximum_field_alignment / BITS_PER_UNIT);
}

static void
on_finish(void *, void *)
{
    if (markers_seen && !table_written)
        error("ccffi: the file has %<ccffi%> markers but no table sentinel "
              "%<__attribute__((ccffi(\"table\"))) const char %s[]%>",
              CCC_TABLE_SYMBOL);
    delete type_slots;
    type_slots = NULL;
    delete record_packs;
    record_packs = NULL;
    cc_table_free(&table);
}

static bool
arguments_read(struct plugin_name_args *info)
{
    for (int i = 0; i < info->argc; i++) {
        const struct plugin_argument *a = &info->argv[i];
        if (!strcmp(a->key, "dump") && a->value) {
            table_dump_path = a->value;
            continue;
        }
        if (!strcmp(a->key, "werror") && !a->value) {
            mismatch_is_error = true;
            continue;
        }
        error("ccffi: unknown plugin argument %<-fplugin-arg-%s-%s%>; the "
              "arguments are %<dump=FILE%> and %<werror%>", info->base_name, a->key);
        return false;
    }
    return true;
}

CCFFI_VISIBLE int
plugin_init(struct plugin_name_args *info, struct plugin_gcc_version *version)
{
    if (!plugin_default_version_check(version, &gcc_version)) {
        error("ccffi: %s was built for gcc %s, this is gcc %s: rebuild ccffi",
              info->full_name, gcc_version.basever, version->basever);
        return 1;
    }
    if (!arguments_read(info))
        return 1;
    type_slots = new hash_map<tree, unsigned>;
    record_packs = new hash_map<tree, unsigned>;
    if (cc_table_init(&table) != 0) {
        error("ccffi: out of memory");
        return 1;
    }
    static struct plugin_info about = { "0.1.0", "ccffi: writes the type "
        "table of an API-mode module (-fplugin-arg-ccffi_gcc-dump=FILE)" };
    const char *me = info->base_name;
    register_callback(me, PLUGIN_INFO, NULL, &about);
    register_callback(me, PLUGIN_ATTRIBUTES, on_attributes, NULL);
    register_callback(me, PLUGIN_PRAGMAS, on_pragmas, NULL);
    register_callback(me, PLUGIN_FINISH_DECL, on_finish_decl, NULL);
    register_callback(me, PLUGIN_FINISH_TYPE, on_finish_type, NULL);
    register_callback(me, PLUGIN_FINISH, on_finish, NULL);
    return 0;
}
