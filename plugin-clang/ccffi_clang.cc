/* ccffi_clang.cc - the Clang 14 plugin of ccffi's API mode.
 *
 * The Clang counterpart of plugin-gcc/ccffi_gcc.cc: while clang compiles the
 * C (or C++) file that pysrc/cffi generates for set_source(), it reads the
 * markers (runtime/table/MARKERS.md), checks the cdef against the real
 * declarations and writes the type table (runtime/table/table_format.h) into
 * the sentinel _ccffi_type_table.  For the same source it writes the same
 * table byte for byte as the GCC plugin: every function below mirrors the
 * one of the same name there (same traversal order, so the same type and
 * string indexes), and the diagnostics have the same wording (types spelled
 * as gcc spells them, see gcc_spelling).  tests/python/test_plugin_agree.py
 * compares the two plugins' tables.
 *
 * Usage:  clang -c -fplugin=/path/ccffi_clang.so -Werror=unknown-attributes gen.c
 *         optional: -fplugin-arg-ccffi-dump=FILE  also writes the table there
 *                   -fplugin-arg-ccffi-werror     cdef/source mismatches are
 *                                                 errors, not warnings
 * The plugin predefines __CCFFI_PLUGIN__ (CCC_PLUGIN_MACRO) to 1.
 *
 * How it hooks into clang (../shared/PLUGINS.md): the attribute is a
 * ParsedAttrInfo whose handler only validates and remembers the arguments
 * (initialisers are not attached yet); the markers are processed in
 * HandleTopLevelDecl of an AddBeforeMainAction consumer, which runs before
 * CodeGen's for the same declaration, so the sentinel's type and
 * initialiser can still be replaced by the table.
 */
#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecordLayout.h"
#include "clang/AST/Type.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Basic/Version.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/MacroInfo.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Sema/Lookup.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"
#include "clang/Sema/SemaConsumer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include "table/contract.h"
#include "table/ctable.h"
#include "table/cmismatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <string>

using namespace clang;

namespace {

/* One parsed marker attribute. */
struct marker {
    Decl *decl;
    SourceLocation loc;
    std::string kind, name;
    bool has_number, has_expected;
    uint64_t number;
    llvm::APSInt expected;
};

/* Arguments of each marker, recorded by the attribute handler. */
llvm::DenseMap<const Decl *, marker> *attr_args;

/* An enumerator an ENUMERATOR marker gives the LISTED enum marker after it. */
struct listed_enumerator {
    uint32_t name;
    uint64_t value;
    bool negative;
};

/* The state of one compile (one translation unit). */
struct state {
    CompilerInstance *ci;
    ASTContext *ctx;
    Sema *sema;
    cc_table table;
    llvm::DenseMap<const void *, unsigned> type_slots; /* decl/type -> index */
    SourceLocation current_loc;
    SourceLocation last_marker_loc;
    unsigned field_depth;
    bool markers_seen, table_written;
    std::string dump_path;
    /* the enumerators a LISTED enum marker takes (the ENUMERATOR constant
     * markers just before it, in the cdef's order), and whether the enum
     * being recorded takes them (enum_fill) */
    llvm::SmallVector<listed_enumerator, 16> listed;
    bool listing, listing_used;
};
state *S;

/* ------------------------------------------------------------ utilities */

/* Reports an error at LOC through clang's diagnostics. */
void
error_at(SourceLocation loc, const std::string &msg)
{
    DiagnosticsEngine &d = S->ci->getDiagnostics();
    unsigned id = d.getCustomDiagID(DiagnosticsEngine::Error, "%0");
    d.Report(loc, id) << msg;
}

/* A mismatch between the cdef and the source: a warning, as CFFI builds
 * such a module and reports at use, which -Werror does not turn into an
 * error (the cdef is not the user's C code); -fplugin-arg-ccffi-werror makes
 * them errors. */
bool mismatch_is_error;

void
mismatch(SourceLocation loc, const std::string &msg)
{
    DiagnosticsEngine &d = S->ci->getDiagnostics();
    unsigned id = d.getCustomDiagID(mismatch_is_error ? DiagnosticsEngine::Error
                                                      : DiagnosticsEngine::Warning,
                                    "%0");
    bool saved = d.getWarningsAsErrors();
    d.setWarningsAsErrors(false);
    {
        DiagnosticBuilder b = d.Report(loc, id);
        b << msg;
    }  /* emitted here, while -Werror is off */
    d.setWarningsAsErrors(saved);
}

/* A mismatch that CFFI's own generated code makes the compiler report (a
 * struct member whose type CFFI's `T *tmp = &p->x;` check refuses): an
 * error in C++, a warning in C that -Werror makes an error, as there. */
void
compiler_mismatch(SourceLocation loc, const std::string &msg)
{
    DiagnosticsEngine &d = S->ci->getDiagnostics();
    /* a custom diagnostic escapes -Werror: ask for it */
    bool error = mismatch_is_error || S->ctx->getLangOpts().CPlusPlus
                 || d.getWarningsAsErrors();
    unsigned id = d.getCustomDiagID(error ? DiagnosticsEngine::Error
                                          : DiagnosticsEngine::Warning, "%0");
    d.Report(loc, id) << msg;
}

/* printf-style formatting into a std::string. */
std::string
fmt(const char *format, ...) __attribute__((format(printf, 1, 2)));
std::string
fmt(const char *format, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, format);
    vsnprintf(buf, sizeof buf, format, ap);
    va_end(ap);
    return buf;
}

/* Stops the compile: the table builder only fails when memory runs out. */
void
table_check(int rc)
{
    if (rc != 0) {
        DiagnosticsEngine &d = S->ci->getDiagnostics();
        unsigned id = d.getCustomDiagID(DiagnosticsEngine::Fatal, "%0");
        d.Report(S->current_loc, id)
            << "ccffi: out of memory building the type table";
        abort();
    }
}

uint32_t
table_string(const std::string &s)
{
    uint32_t out = 0;
    table_check(cc_table_string(&S->table, s.data(), s.size(), &out));
    return out;
}

uint32_t
table_primitive(enum cct_prim prim)
{
    uint32_t out = 0;
    table_check(cc_table_primitive(&S->table, prim, &out));
    return out;
}

void
table_decl(const std::string &name, enum cct_decl_kind kind, uint32_t type,
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
    table_check(cc_table_add_decl(&S->table, &d, &out));
}

/* "file:line" of LOC (as #line directives present it). */
std::string
where(SourceLocation loc)
{
    SourceManager &sm = S->ctx->getSourceManager();
    PresumedLoc p = sm.getPresumedLoc(sm.getExpansionLoc(loc));
    if (p.isInvalid())
        return "<unknown>:0";
    return fmt("%s:%u", p.getFilename(), p.getLine());
}

std::string
decl_name(const NamedDecl *d)
{
    const IdentifierInfo *id = d ? d->getIdentifier() : nullptr;
    return id ? id->getName().str() : std::string();
}

/* -------------------------------------------------- the type conventions */

/* In C, clang gives an enumerator outside int range the enum's integer
 * type, gcc the enum type itself: the table follows gcc (table_format.h,
 * "Normalisations").  C++ gives every enumerator its enum type. */
QualType
enumerator_type(const EnumConstantDecl *e)
{
    QualType t = e->getType();
    const ASTContext &ctx = *S->ctx;
    if (!ctx.getLangOpts().CPlusPlus
        && !ctx.hasSameType(t, ctx.IntTy) && !t->isEnumeralType())
        if (const EnumDecl *ed = dyn_cast<EnumDecl>(e->getDeclContext()))
            return ctx.getTypeDeclType(ed);
    return t;
}

/* Removes the sugar gcc does not keep (parentheses, `struct` elaboration,
 * attributes, __typeof__, auto, parameter adjustment), keeping typedef names
 * where gcc keeps them. */
QualType
strip_sugar(QualType t)
{
    for (;;) {
        const Type *ty = t.getTypePtr();
        if (isa<TypedefType>(ty))
            return t;
        if (const TypeOfExprType *te = dyn_cast<TypeOfExprType>(ty)) {
            const Expr *e = te->getUnderlyingExpr()->IgnoreParens();
            QualType of;
            if (const DeclRefExpr *r = dyn_cast<DeclRefExpr>(e))
                if (const EnumConstantDecl *ec =
                        dyn_cast<EnumConstantDecl>(r->getDecl()))
                    of = enumerator_type(ec);
            /* gcc gives a cast the main variant of its type: no typedef */
            if (const ExplicitCastExpr *c = dyn_cast<ExplicitCastExpr>(e))
                of = QualType(c->getType()->getUnqualifiedDesugaredType(), 0);
            if (!of.isNull()) {
                t = S->ctx->getQualifiedType(of, t.getLocalQualifiers());
                continue;
            }
        }
        /* g++ deduces `auto` as a main variant too: no typedef at the top */
        if (const AutoType *at = dyn_cast<AutoType>(ty))
            if (at->isDeduced()) {
                QualType of(at->getDeducedType()->getUnqualifiedDesugaredType(), 0);
                t = S->ctx->getQualifiedType(of, t.getLocalQualifiers());
                continue;
            }
        QualType next = t.getSingleStepDesugaredType(*S->ctx);
        if (next == t)
            return t;
        t = next;
    }
}

/* The type without any typedef or other sugar at the top level (gcc's
 * TYPE_MAIN_VARIANT): its components keep theirs. */
const Type *
main_variant(QualType t)
{
    return t.getTypePtr()->getUnqualifiedDesugaredType();
}

/* ------------------------------------------- spelling types as gcc does */

std::string gcc_spelling_decl(QualType t, const std::string &decl);

std::string
builtin_gcc_name(const BuiltinType *b)
{
    switch (b->getKind()) {
    case BuiltinType::Void: return "void";
    case BuiltinType::Bool: return "_Bool";
    case BuiltinType::Char_S: case BuiltinType::Char_U: return "char";
    case BuiltinType::SChar: return "signed char";
    case BuiltinType::UChar: return "unsigned char";
    case BuiltinType::Short: return "short int";
    case BuiltinType::UShort: return "short unsigned int";
    case BuiltinType::Int: return "int";
    case BuiltinType::UInt: return "unsigned int";
    case BuiltinType::Long: return "long int";
    case BuiltinType::ULong: return "long unsigned int";
    case BuiltinType::LongLong: return "long long int";
    case BuiltinType::ULongLong: return "long long unsigned int";
    case BuiltinType::Int128: return "__int128";
    case BuiltinType::UInt128: return "__int128 unsigned";
    case BuiltinType::Float: return "float";
    case BuiltinType::Double: return "double";
    case BuiltinType::LongDouble: return "long double";
    case BuiltinType::Float16: return "_Float16";
    case BuiltinType::Float128: return "_Float128";
    case BuiltinType::BFloat16: return "__bf16";
    case BuiltinType::WChar_S: case BuiltinType::WChar_U: return "wchar_t";
    case BuiltinType::Char8: return "char8_t";
    case BuiltinType::Char16: return "char16_t";
    case BuiltinType::Char32: return "char32_t";
    case BuiltinType::NullPtr: return "std::nullptr_t";
    default: {
        PrintingPolicy pp(S->ctx->getLangOpts());
        return b->getName(pp).str();
    }
    }
}

std::string
qualifier_words(Qualifiers q)
{
    std::string s;
    if (q.hasConst())
        s += "const ";
    if (q.hasVolatile())
        s += "volatile ";
    if (q.hasRestrict())
        s += "restrict ";
    return s;
}

std::string
tag_spelling(const TagDecl *td)
{
    std::string kind = td->getKindName().str();
    if (kind == "class")
        kind = "struct";
    std::string name = decl_name(td);
    return kind + " " + (name.empty() ? "<anonymous>" : name);
}

/* BASE followed by the declarator DECL, with gcc's spacing: "int *",
 * "int (*)(int)", but "int(const char *)" and "int[4]". */
std::string
join_declarator(const std::string &base, const std::string &decl)
{
    if (decl.empty())
        return base;
    if (decl[0] == '*' || (decl[0] == '(' && decl.size() > 1 && decl[1] == '*'))
        return base + " " + decl;
    return base + decl;
}

std::string
gcc_spelling_decl(QualType t, const std::string &decl)
{
    for (;;) {
        if (isa<TypedefType>(t.getTypePtr()))
            break;
        QualType next = t.getSingleStepDesugaredType(*S->ctx);
        if (next == t)
            break;
        t = next;
    }
    Qualifiers q = t.getLocalQualifiers();
    const Type *ty = t.getTypePtr();
    if (const TypedefType *td = dyn_cast<TypedefType>(ty))
        return join_declarator(qualifier_words(q) + decl_name(td->getDecl()), decl);
    if (const BuiltinType *b = dyn_cast<BuiltinType>(ty))
        return join_declarator(qualifier_words(q) + builtin_gcc_name(b), decl);
    if (const TagType *tt = dyn_cast<TagType>(ty))
        return join_declarator(qualifier_words(q) + tag_spelling(tt->getDecl()), decl);
    if (const ComplexType *c = dyn_cast<ComplexType>(ty))
        return join_declarator(qualifier_words(q) + "complex "
                               + gcc_spelling_decl(c->getElementType(), ""), decl);
    if (const PointerType *p = dyn_cast<PointerType>(ty)) {
        std::string inner = "*";
        if (!q.empty()) {
            std::string words = qualifier_words(q);
            inner += " " + words.substr(0, words.size() - 1);
        }
        inner += decl;
        QualType pointee = p->getPointeeType();
        const Type *pm = main_variant(pointee);
        if (isa<FunctionType>(pm) || isa<ArrayType>(pm))
            inner = "(" + inner + ")";
        return gcc_spelling_decl(pointee, inner);
    }
    if (const ArrayType *a = dyn_cast<ArrayType>(ty)) {
        std::string dims = "[]";
        if (const ConstantArrayType *ca = dyn_cast<ConstantArrayType>(a))
            dims = "[" + std::to_string(ca->getSize().getZExtValue()) + "]";
        QualType elem = S->ctx->getQualifiedType(a->getElementType(), q);
        return gcc_spelling_decl(elem, decl + dims);
    }
    if (const FunctionType *f = dyn_cast<FunctionType>(ty)) {
        std::string params;
        if (const FunctionProtoType *fp = dyn_cast<FunctionProtoType>(f)) {
            for (QualType pt : fp->getParamTypes())
                params += (params.empty() ? "" : ", ") + gcc_spelling_decl(pt, "");
            if (fp->isVariadic())
                params += params.empty() ? "..." : ", ...";
            else if (params.empty())
                params = "void";
        }
        return gcc_spelling_decl(f->getReturnType(), decl + "(" + params + ")");
    }
    if (isa<VectorType>(ty))
        return join_declarator("__vector", decl);
    PrintingPolicy pp(S->ctx->getLangOpts());
    return join_declarator(t.getAsString(pp), decl);
}

/* gcc's %qT: the type in quotes as gcc prints it. */
std::string
qT(QualType t)
{
    return "'" + gcc_spelling_decl(t, "") + "'";
}

/* ------------------------------------------------------ type conversion */

uint32_t type_index(QualType type);

/* The primitive kept by name for the typedef names CFFI shows as such
 * (size_t, int32_t, wchar_t...), -1 for other names. */
int
prim_of_typedef_name(const std::string &name)
{
    static const struct { const char *name; enum cct_prim prim; } names[] = {
#define CCT_X(id, cname, ctype, flags) { cname, CCT_PRIM_##id },
        CCT_PRIMITIVES(CCT_X)
#undef CCT_X
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        enum cct_prim p = names[i].prim;
        bool by_name = (p >= CCT_PRIM_WCHAR && p <= CCT_PRIM_SSIZE);
        if (by_name && name == names[i].name)
            return (int) p;
    }
    return -1;
}

/* gcc's INTEGRAL_TYPE_P less enums: integers, characters, _Bool. */
bool
is_integer_not_enum(QualType t)
{
    const Type *c = t.getCanonicalType().getTypePtr();
    return isa<BuiltinType>(c) && c->isIntegerType();
}

/* Follows TYPE's chain of typedef names: a standard name gives *prim, and
 * *innermost receives the name of the last typedef (the one that named an
 * anonymous struct, if that is where the chain ends). */
void
typedef_chain(QualType type, int *prim, std::string *innermost, bool *has_name)
{
    *prim = -1;
    *has_name = false;
    innermost->clear();
    for (;;) {
        type = strip_sugar(type);
        const TypedefType *tt = dyn_cast<TypedefType>(type.getTypePtr());
        if (!tt)
            return;
        const TypedefNameDecl *decl = tt->getDecl();
        std::string name = decl_name(decl);
        QualType next = decl->getUnderlyingType();
        if (is_integer_not_enum(next)) {
            int p = prim_of_typedef_name(name);
            if (p >= 0) {
                *prim = p;
                return;
            }
        }
        *innermost = name;
        *has_name = true;
        type = next;
    }
}

/* The integer primitive of a size and signedness (enums, mode types). */
int
prim_of_integer_size(uint64_t size, bool is_unsigned)
{
    switch (size) {
    case 1: return is_unsigned ? CCT_PRIM_UCHAR : CCT_PRIM_SCHAR;
    case 2: return is_unsigned ? CCT_PRIM_USHORT : CCT_PRIM_SHORT;
    case 4: return is_unsigned ? CCT_PRIM_UINT : CCT_PRIM_INT;
    case 8: return is_unsigned ? CCT_PRIM_ULONG : CCT_PRIM_LONG;
    default: return -1;
    }
}

/* The primitive of an arithmetic type without sugar, -1 if the table has
 * none.  Other integer types (char8_t...) go by size and signedness, as
 * gcc's do. */
int
prim_of_arithmetic(const Type *main)
{
    if (const ComplexType *c = dyn_cast<ComplexType>(main)) {
        const Type *e = main_variant(c->getElementType());
        if (e->isSpecificBuiltinType(BuiltinType::Float))
            return CCT_PRIM_FLOATCOMPLEX;
        if (e->isSpecificBuiltinType(BuiltinType::Double))
            return CCT_PRIM_DOUBLECOMPLEX;
        return -1;
    }
    const BuiltinType *b = dyn_cast<BuiltinType>(main);
    if (!b)
        return -1;
    switch (b->getKind()) {
    case BuiltinType::Char_S: case BuiltinType::Char_U: return CCT_PRIM_CHAR;
    case BuiltinType::SChar: return CCT_PRIM_SCHAR;
    case BuiltinType::UChar: return CCT_PRIM_UCHAR;
    case BuiltinType::Short: return CCT_PRIM_SHORT;
    case BuiltinType::UShort: return CCT_PRIM_USHORT;
    case BuiltinType::Int: return CCT_PRIM_INT;
    case BuiltinType::UInt: return CCT_PRIM_UINT;
    case BuiltinType::Long: return CCT_PRIM_LONG;
    case BuiltinType::ULong: return CCT_PRIM_ULONG;
    case BuiltinType::LongLong: return CCT_PRIM_LONGLONG;
    case BuiltinType::ULongLong: return CCT_PRIM_ULONGLONG;
    case BuiltinType::Float: return CCT_PRIM_FLOAT;
    case BuiltinType::Double: return CCT_PRIM_DOUBLE;
    case BuiltinType::LongDouble: return CCT_PRIM_LONGDOUBLE;
    case BuiltinType::Bool: return CCT_PRIM_BOOL;
    /* C++ has wchar_t, char16_t and char32_t as types of their own (in C
     * they are typedefs, which typedef_chain keeps) */
    case BuiltinType::WChar_S: case BuiltinType::WChar_U: return CCT_PRIM_WCHAR;
    case BuiltinType::Char16: return CCT_PRIM_CHAR16;
    case BuiltinType::Char32: return CCT_PRIM_CHAR32;
    default:
        break;
    }
    if (b->isInteger())
        return prim_of_integer_size(
            S->ctx->getTypeSizeInChars(QualType(b, 0)).getQuantity(),
            b->isUnsignedInteger());
    return -1;
}

/* Index of a record/enum/unsupported type already in the table, or -1. */
int64_t
type_slot_find(const void *key)
{
    auto it = S->type_slots.find(key);
    return it == S->type_slots.end() ? -1 : (int64_t) it->second;
}

/* The name a struct/union/enum is recorded under: its tag, else its typedef
 * name (*flags gets CCT_TF_TYPEDEF_NAMED), else "" as the cdef parser does
 * for an anonymous type reached only through a field. */
std::string
tagged_type_name(const TagDecl *td, const std::string *typedef_name,
                 uint16_t *flags)
{
    if (td->getIdentifier())
        return decl_name(td);
    /* C++ names `typedef struct { ... } X;` after X (for linkage), as g++ */
    if (S->ctx->getLangOpts().CPlusPlus)
        if (const TypedefNameDecl *named = td->getTypedefNameForAnonDecl()) {
            *flags |= CCT_TF_TYPEDEF_NAMED;
            return decl_name(named);
        }
    if (typedef_name) {
        *flags |= CCT_TF_TYPEDEF_NAMED;
        return *typedef_name;
    }
    return "";
}

/* Appends a new struct/union/enum record, still opaque, and remembers it. */
uint32_t
tagged_type_add(const void *key, enum cct_kind kind, const std::string &name,
                uint16_t flags)
{
    cct_type ty;
    memset(&ty, 0, sizeof ty);
    ty.kind = (uint8_t) kind;
    ty.flags = (uint16_t) (flags | CCT_TF_OPAQUE);
    ty.name = table_string(name);
    ty.size = CCT_SIZE_UNKNOWN;
    uint32_t index;
    table_check(cc_table_add_type(&S->table, &ty, &index));
    S->type_slots[key] = index;
    return index;
}

/* Bitfield placement per table_format.h, by the layout engine's rule (the
 * GCC plugin's bitfield_place): the storage unit is aligned to the declared
 * type's alignment as packing reduces it (1 byte when packed, the
 * `#pragma pack` in force), and when the bits do not fit in that unit, it
 * starts at the byte holding the first bit. */
void
bitfield_place(cct_field *f, const FieldDecl *field, int64_t bitpos,
               int64_t width, QualType declared)
{
    ASTContext &ctx = *S->ctx;
    int64_t size = ctx.getTypeSizeInChars(declared).getQuantity();
    int64_t unit = ctx.getTypeAlignInChars(declared).getQuantity();
    const RecordDecl *rd = field->getParent();
    if (field->hasAttr<PackedAttr>() || rd->hasAttr<PackedAttr>())
        unit = 1;
    else if (const MaxFieldAlignmentAttr *pack = rd->getAttr<MaxFieldAlignmentAttr>()) {
        int64_t bytes = pack->getAlignment() / 8;
        if (bytes > 0 && bytes < unit)
            unit = bytes;
    }
    int64_t start = unit > 0 ? (bitpos / (unit * 8)) * unit : bitpos / 8;
    if (unit <= 0 || bitpos - start * 8 + width > size * 8)
        start = bitpos / 8;
    f->offset = (uint64_t) start;
    f->bitshift = (int16_t) (bitpos - start * 8);
    f->bitsize = (int16_t) width;
}

/* One member of a struct/union as a table field. */
bool is_unsized_array(const Type *main);

cct_field
record_field(const FieldDecl *field, int64_t bitpos, bool last, bool *flexible)
{
    cct_field f;
    memset(&f, 0, sizeof f);
    f.name = table_string(decl_name(field));
    QualType type = field->getType();
    if (field->isBitField()) {
        bitfield_place(&f, field, bitpos,
                       (int64_t) field->getBitWidthValue(*S->ctx), type);
    } else {
        f.offset = (uint64_t) (bitpos / 8);
        f.bitshift = CCT_NOT_BITFIELD;
        f.bitsize = CCT_NOT_BITFIELD;
        const Type *main = main_variant(type);
        if (isa<IncompleteArrayType>(main) || (last && is_unsized_array(main)))
            *flexible = true;
    }
    S->field_depth++;
    f.type = type_index(type);
    S->field_depth--;
    return f;
}

/* Fills the fields, size and alignment of a complete struct/union. */
void
record_fill(const RecordDecl *def, uint32_t index)
{
    const ASTRecordLayout &layout = S->ctx->getASTRecordLayout(def);
    llvm::SmallVector<cct_field, 16> fields;
    bool flexible = false;
    for (auto it = def->field_begin(), end = def->field_end(); it != end;) {
        const FieldDecl *f = *it++;
        fields.push_back(record_field(
            f, (int64_t) layout.getFieldOffset(f->getFieldIndex()), it == end,
            &flexible));
    }
    uint32_t first = 0;
    if (!fields.empty())
        table_check(cc_table_add_fields(&S->table, fields.data(),
                                        (uint32_t) fields.size(), &first));
    cct_type *ty = &S->table.types[index];
    ty->flags = (uint16_t) ((ty->flags & ~CCT_TF_OPAQUE) | CCT_TF_LAYOUT_KNOWN);
    if (flexible)
        ty->flags |= CCT_TF_FLEXIBLE;
    if (def->hasAttr<PackedAttr>()) {
        ty->flags |= CCT_TF_PACKED;
        ty->length = 1;
    }
    ty->first = first;
    ty->count = (uint32_t) fields.size();
    ty->size = (uint64_t) layout.getSize().getQuantity();
    ty->align = (uint32_t) layout.getAlignment().getQuantity();
}

uint32_t
record_index(const RecordDecl *rd, const std::string *typedef_name)
{
    const void *key = rd->getCanonicalDecl();
    int64_t known = type_slot_find(key);
    if (known >= 0)
        return (uint32_t) known;
    uint16_t flags = 0;
    std::string name = tagged_type_name(rd, typedef_name, &flags);
    enum cct_kind kind = rd->isUnion() ? CCT_KIND_UNION : CCT_KIND_STRUCT;
    uint32_t index = tagged_type_add(key, kind, name, flags);
    const RecordDecl *def = rd->getDefinition();
    if (def && def->isCompleteDefinition() && !def->isInvalidDecl())
        record_fill(def, index);
    return index;
}

/* The 64-bit two's complement pattern of V, as gcc's TREE_INT_CST_LOW. */
uint64_t
int_bits(const llvm::APSInt &v)
{
    return v.extOrTrunc(64).getZExtValue();
}

/* Gives enum INDEX the enumerators a LISTED marker takes. */
void
enum_set_listed(uint32_t index)
{
    llvm::SmallVector<cct_enumerator, 16> values;
    for (const listed_enumerator &l : S->listed) {
        cct_enumerator e;
        memset(&e, 0, sizeof e);
        e.name = l.name;
        e.value = l.value;
        values.push_back(e);
    }
    uint32_t first = 0;
    if (!values.empty()) {
        table_check(cc_table_add_enumerators(&S->table, values.data(),
                                             (uint32_t) values.size(), &first));
        table_check(cc_table_name_enumerators(&S->table, first,
                                              (uint32_t) values.size()));
    }
    S->table.types[index].first = first;
    S->table.types[index].count = (uint32_t) values.size();
    S->listing_used = true;
}

/* The enumerators the source declares (those the cdef lists, when a
 * LISTED marker is being processed), the integer type the compiler chose. */
void
enum_fill(const EnumDecl *def, uint32_t index)
{
    if (S->listing) {
        enum_set_listed(index);
    } else {
        llvm::SmallVector<cct_enumerator, 16> values;
        for (const EnumConstantDecl *v : def->enumerators()) {
            cct_enumerator e;
            memset(&e, 0, sizeof e);
            e.name = table_string(decl_name(v));
            e.value = int_bits(v->getInitVal());
            values.push_back(e);
        }
        uint32_t first = 0;
        if (!values.empty()) {
            table_check(cc_table_add_enumerators(&S->table, values.data(),
                                                 (uint32_t) values.size(), &first));
            table_check(cc_table_name_enumerators(&S->table, first,
                                                  (uint32_t) values.size()));
        }
        S->table.types[index].first = first;
        S->table.types[index].count = (uint32_t) values.size();
    }
    QualType et = S->ctx->getTypeDeclType(def);
    uint64_t size = S->ctx->getTypeSizeInChars(et).getQuantity();
    cct_type *ty = &S->table.types[index];
    int prim = prim_of_integer_size(size,
                                    def->getIntegerType()->isUnsignedIntegerType());
    if (prim < 0)
        error_at(S->current_loc, "ccffi: enum " + qT(et) + " has an integer "
                 "size the table cannot represent");
    ty->prim = (uint8_t) (prim < 0 ? CCT_PRIM_INT : prim);
    ty->flags = (uint16_t) ((ty->flags & ~CCT_TF_OPAQUE) | CCT_TF_LAYOUT_KNOWN);
    ty->size = size;
    ty->align = (uint32_t) S->ctx->getTypeAlignInChars(et).getQuantity();
}

uint32_t
enum_index(const EnumDecl *ed, const std::string *typedef_name)
{
    const void *key = ed->getCanonicalDecl();
    int64_t known = type_slot_find(key);
    if (known >= 0)
        return (uint32_t) known;
    uint16_t flags = 0;
    std::string name = tagged_type_name(ed, typedef_name, &flags);
    uint32_t index = tagged_type_add(key, CCT_KIND_ENUM, name, flags);
    S->table.types[index].prim = CCT_PRIM_UINT;
    const EnumDecl *def = ed->getDefinition();
    if (def && def->isComplete())
        enum_fill(def, index);
    return index;
}

/* A prototype: result, parameters and the variadic flag. */
uint32_t
function_index(const FunctionType *fntype)
{
    uint32_t result = type_index(fntype->getReturnType());
    llvm::SmallVector<uint32_t, 8> args;
    uint16_t flags = 0;
    if (const FunctionProtoType *fp = dyn_cast<FunctionProtoType>(fntype)) {
        for (QualType a : fp->getParamTypes())
            args.push_back(type_index(a));
        if (fp->isVariadic())
            flags |= CCT_TF_VARIADIC;
    }
    uint32_t out;
    table_check(cc_table_function(&S->table, result, args.data(),
                                  (uint32_t) args.size(), flags, &out));
    return out;
}

/* `[]`, and in C `[0]`, whose domain gcc leaves without maximum alike (a
 * last member of either kind is a flexible array); g++ gives `[0]` the
 * domain [0, -1], a zero-length array. */
bool
is_unsized_array(const Type *main)
{
    if (isa<IncompleteArrayType>(main))
        return true;
    const ConstantArrayType *ca = dyn_cast<ConstantArrayType>(main);
    return ca && ca->getSize() == 0 && !S->ctx->getLangOpts().CPlusPlus;
}

uint32_t
array_index(QualType type, const ArrayType *main)
{
    uint32_t item = type_index(main->getElementType());
    uint32_t out;
    if (is_unsized_array(main)) {
        table_check(cc_table_array(&S->table, item, 0, CCT_TF_LENGTH_UNKNOWN, &out));
        return out;
    }
    const ConstantArrayType *ca = dyn_cast<ConstantArrayType>(main);
    if (!ca) {
        error_at(S->current_loc, "ccffi: variable-length array type "
                 + qT(type) + " cannot be put in the table");
        return 0;
    }
    uint64_t length = ca->getSize().getZExtValue();
    table_check(cc_table_array(&S->table, item, length, 0, &out));
    return out;
}

/* gcc's name for a type the table has no kind for. */
std::string
unsupported_name(const Type *main)
{
    if (const BuiltinType *b = dyn_cast<BuiltinType>(main))
        return builtin_gcc_name(b);
    if (const ComplexType *c = dyn_cast<ComplexType>(main))
        return "complex " + gcc_spelling_decl(c->getElementType(), "");
    if (isa<VectorType>(main))
        return "vector_type";
    if (isa<ReferenceType>(main))
        return "reference_type";
    if (isa<MemberPointerType>(main))
        return "offset_type";
    return main->getTypeClassName();
}

/* A type the table has no kind for (__int128, _Float128, vectors...).  Inside
 * a struct it becomes an opaque type named after gcc's name for it, so the
 * layout is still recorded and only using that member fails; anywhere else
 * (a function's parameter, a global, a constant) it is an error. */
uint32_t
unsupported_index(QualType type, const Type *main)
{
    if (S->field_depth == 0) {
        error_at(S->current_loc, "ccffi: type " + qT(type) + " cannot be "
                 "represented in the type table");
        return 0;
    }
    const void *key = main->getCanonicalTypeInternal().getTypePtr();
    int64_t known = type_slot_find(key);
    if (known >= 0)
        return (uint32_t) known;
    return tagged_type_add(key, CCT_KIND_STRUCT,
                           "$unsupported " + unsupported_name(main),
                           CCT_TF_TYPEDEF_NAMED);
}

/* The table index of TYPE, adding what it reaches. */
uint32_t
type_index(QualType type)
{
    type = strip_sugar(type);
    /* a typedef the cdef declares opaque (`typedef ... t;`) is that opaque
     * type wherever the source reaches it, whatever it really is */
    for (QualType t = type;;) {
        const TypedefType *tt = dyn_cast<TypedefType>(t.getTypePtr());
        if (!tt)
            break;
        int64_t opaque = type_slot_find(tt->getDecl()->getCanonicalDecl());
        if (opaque >= 0)
            return (uint32_t) opaque;
        t = strip_sugar(tt->getDecl()->getUnderlyingType());
    }
    int prim;
    std::string typedef_name;
    bool has_name;
    typedef_chain(type, &prim, &typedef_name, &has_name);
    if (prim >= 0)
        return table_primitive((enum cct_prim) prim);
    const std::string *tname = has_name ? &typedef_name : nullptr;
    const Type *main = main_variant(type);
    if (main->isVoidType())
        return 0;
    if (const PointerType *p = dyn_cast<PointerType>(main)) {
        uint32_t item = type_index(p->getPointeeType()), out;
        table_check(cc_table_pointer(&S->table, item, &out));
        return out;
    }
    if (const ArrayType *a = dyn_cast<ArrayType>(main))
        return array_index(type, a);
    if (const RecordType *r = dyn_cast<RecordType>(main))
        return record_index(r->getDecl(), tname);
    if (const EnumType *e = dyn_cast<EnumType>(main))
        return enum_index(e->getDecl(), tname);
    if (const FunctionType *f = dyn_cast<FunctionType>(main))
        return function_index(f);
    prim = prim_of_arithmetic(main);
    if (prim >= 0)
        return table_primitive((enum cct_prim) prim);
    return unsupported_index(type, main);
}

/* ------------------------------------------------- comparing cdef types */

bool same_type(QualType a, QualType b);

bool
same_function_type(const FunctionType *a, const FunctionType *b)
{
    if (!same_type(a->getReturnType(), b->getReturnType()))
        return false;
    const FunctionProtoType *x = dyn_cast<FunctionProtoType>(a);
    const FunctionProtoType *y = dyn_cast<FunctionProtoType>(b);
    if (!x || !y)
        return !x == !y;
    if (x->getNumParams() != y->getNumParams()
        || x->isVariadic() != y->isVariadic())
        return false;
    for (unsigned i = 0; i < x->getNumParams(); i++)
        if (!same_type(x->getParamType(i), y->getParamType(i)))
            return false;
    return true;
}

/* Structural equality ignoring qualifiers at every level (the cdef's
 * `char *` matches the header's `const char *`, as in CFFI). */
bool
same_type(QualType qa, QualType qb)
{
    ASTContext &ctx = *S->ctx;
    QualType ca = qa.getCanonicalType().getUnqualifiedType();
    QualType cb = qb.getCanonicalType().getUnqualifiedType();
    if (ctx.hasSameType(ca, cb))
        return true;
    const Type *a = ca.getTypePtr(), *b = cb.getTypePtr();
    if (a->getTypeClass() != b->getTypeClass()) {
        bool fa = isa<FunctionType>(a), fb = isa<FunctionType>(b);
        bool aa = isa<ArrayType>(a), ab = isa<ArrayType>(b);
        if (!(fa && fb) && !(aa && ab))
            return false;
    }
    if (const PointerType *p = dyn_cast<PointerType>(a))
        return same_type(p->getPointeeType(), cast<PointerType>(b)->getPointeeType());
    if (const ArrayType *x = dyn_cast<ArrayType>(a)) {
        const ArrayType *y = cast<ArrayType>(b);
        if (!same_type(x->getElementType(), y->getElementType()))
            return false;
        const ConstantArrayType *cx = dyn_cast<ConstantArrayType>(x);
        const ConstantArrayType *cy = dyn_cast<ConstantArrayType>(y);
        if (!cx || !cy)
            return true;
        return cx->getSize() == cy->getSize();
    }
    if (const FunctionType *f = dyn_cast<FunctionType>(a))
        return same_function_type(f, cast<FunctionType>(b));
    return false;  /* distinct basic or tagged types */
}

/* Arithmetic types are converted by the trampolines, so a cdef may differ. */
bool
converted_by_call(QualType t)
{
    const Type *c = t.getCanonicalType().getTypePtr();
    return c->isIntegerType() || c->isEnumeralType() || c->isRealFloatingType()
           || c->isAnyComplexType();
}

bool
call_types_agree(QualType cdef, QualType real)
{
    if (converted_by_call(cdef) && converted_by_call(real))
        return true;
    return same_type(cdef, real);
}

const FunctionType *
as_function(QualType t)
{
    return dyn_cast<FunctionType>(main_variant(t));
}

unsigned
count_params(const FunctionType *f, bool *variadic)
{
    const FunctionProtoType *fp = dyn_cast<FunctionProtoType>(f);
    *variadic = fp && fp->isVariadic();
    return fp ? fp->getNumParams() : 0;
}

/* Reports the first way the cdef's prototype contradicts the header's. */
void
function_check(const marker *m, QualType cdef_t, QualType real_t,
               SourceLocation real_loc)
{
    const FunctionType *cdef = as_function(cdef_t), *real = as_function(real_t);
    std::string at = where(real_loc);
    bool cv, rv;
    unsigned cn = count_params(cdef, &cv), rn = count_params(real, &rv);
    if (cn != rn || cv != rv) {
        mismatch(m->loc, "ccffi: function '" + m->name + "': the cdef declares "
                 + qT(cdef_t) + ", the header declares " + qT(real_t)
                 + " (" + at + ")");
        return;
    }
    if (!call_types_agree(cdef->getReturnType(), real->getReturnType())) {
        mismatch(m->loc, "ccffi: function '" + m->name + "': the cdef says it "
                 "returns " + qT(cdef->getReturnType()) + ", the header says "
                 + qT(real->getReturnType()) + " (" + at + ")");
        return;
    }
    if (cn == 0)
        return;
    const FunctionProtoType *x = cast<FunctionProtoType>(cdef);
    const FunctionProtoType *y = cast<FunctionProtoType>(real);
    for (unsigned i = 0; i < cn; i++)
        if (!call_types_agree(x->getParamType(i), y->getParamType(i))) {
            mismatch(m->loc, fmt("ccffi: function '%s': argument %u is ",
                                 m->name.c_str(), i + 1)
                     + qT(x->getParamType(i)) + " in the cdef, "
                     + qT(y->getParamType(i)) + " in the header (" + at + ")");
            return;
        }
}

const RecordDecl *
anonymous_record(QualType t)
{
    const RecordType *r = dyn_cast<RecordType>(main_variant(t));
    if (r && !r->getDecl()->getIdentifier())
        return r->getDecl()->getDefinition();
    return nullptr;
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

bool records_agree(const marker *m, const std::string &what,
                   const RecordDecl *cdef, const RecordDecl *real,
                   layout_diffs *d);

/* Whether CFFI's generated check of a struct member accepts the header's
 * type RT for the cdef's CT: any integer for an integer member or a
 * bitfield (`(void)((p->x) | 0);`), else the same type once an array of
 * unknown length is taken as its item (`T *tmp = &p->x[0];`). */
/* A mirror's `T a[]`, or the `T a[0]` the generator writes for a lone one
 * (C refuses a flexible array member alone in a struct). */
bool
cdef_unsized_array(QualType t)
{
    const Type *main = main_variant(t);
    if (isa<IncompleteArrayType>(main))
        return true;
    const ConstantArrayType *ca = dyn_cast<ConstantArrayType>(main);
    return ca && ca->getSize() == 0;
}

bool
cffi_field_accepts(bool bitfield, QualType ct, QualType rt)
{
    int prim;
    std::string name;
    bool has_name;
    typedef_chain(strip_sugar(ct), &prim, &name, &has_name);
    const Type *cm = main_variant(ct), *rm = main_variant(rt);
    bool char_kind = prim == CCT_PRIM_CHAR || prim == CCT_PRIM_WCHAR
                     || prim == CCT_PRIM_CHAR16 || prim == CCT_PRIM_CHAR32
                     || cm->isCharType();
    if (bitfield || (cm->isIntegralOrEnumerationType() && !char_kind))
        return rm->isIntegralOrEnumerationType();
    QualType c = ct, r = rt;
    while (cdef_unsized_array(c)) {
        const ArrayType *ca = S->ctx->getAsArrayType(c);
        const ArrayType *ra = S->ctx->getAsArrayType(r);
        if (!ca || !ra)
            return false;
        c = ca->getElementType();
        r = ra->getElementType();
    }
    return same_type(c, r);
}

/* Same declared type and bitfield width for a member of the cdef's mirror
 * and the header's member of the same name; reports the difference. */
bool
field_types_agree(const marker *m, const std::string &what,
                  const FieldDecl *cf, const FieldDecl *rf)
{
    std::string at = where(rf->getLocation());
    bool cbit = cf->isBitField(), rbit = rf->isBitField();
    QualType ct = cf->getType(), rt = rf->getType();
    const RecordDecl *ca = anonymous_record(ct), *ra = anonymous_record(rt);
    if (ca && ra) {
        /* a member of an anonymous struct type: compared as a whole */
        layout_diffs inner;
        memset(&inner, 0, sizeof inner);
        bool ok = records_agree(m, what, ca, ra, &inner) && !inner.warned
                  && inner.len == 0;
        free(inner.text);
        return ok;
    }
    unsigned cw = cbit ? cf->getBitWidthValue(*S->ctx) : 0;
    unsigned rw = rbit ? rf->getBitWidthValue(*S->ctx) : 0;
    if (same_type(ct, rt) && cbit == rbit && cw == rw)
        return true;
    /* a cdef's `T a[]` matches any length of T, as CFFI's check */
    if (!cbit && !rbit && cdef_unsized_array(ct)) {
        const ArrayType *ca = S->ctx->getAsArrayType(ct);
        const ArrayType *ra = S->ctx->getAsArrayType(rt);
        if (ca && ra && same_type(ca->getElementType(), ra->getElementType()))
            return true;
    }
    std::string cwidth = cbit ? fmt(" : %u", cw) : "";
    std::string rwidth = rbit ? fmt(" : %u", rw) : "";
    std::string msg = "ccffi: " + what + ": field '" + decl_name(cf) + "' is '"
                      + gcc_spelling_decl(ct, "") + cwidth + "' in the cdef, '"
                      + gcc_spelling_decl(rt, "") + rwidth + "' in the header ("
                      + at + ")";
    if (cffi_field_accepts(cbit, ct, rt))
        mismatch(m->loc, msg);
    else
        compiler_mismatch(m->loc, msg);
    return false;
}

int64_t
bit_position(const FieldDecl *f)
{
    return (int64_t) S->ctx->getFieldOffset(f);
}

/* The member NAME of RECORD, looking inside anonymous members as C does;
 * *bitpos (if not null) gets its bit offset from RECORD's start. */
const FieldDecl *
member_find_at(const RecordDecl *record, const IdentifierInfo *name,
               int64_t *bitpos)
{
    for (const FieldDecl *f : record->fields()) {
        if (f->getIdentifier() == name) {
            if (bitpos)
                *bitpos = bit_position(f);
            return f;
        }
        if (!f->getIdentifier()) {
            const RecordType *r = dyn_cast<RecordType>(main_variant(f->getType()));
            if (r && r->getDecl()->getDefinition()) {
                const FieldDecl *inner = member_find_at(r->getDecl()->getDefinition(),
                                                        name, bitpos);
                if (inner) {
                    if (bitpos)
                        *bitpos += bit_position(f);
                    return inner;
                }
            }
        }
    }
    return nullptr;
}

const FieldDecl *
member_find(const RecordDecl *record, const IdentifierInfo *name)
{
    return member_find_at(record, name, nullptr);
}

void
layout_diff(layout_diffs *d, cc_layout_what what, const std::string &field,
            int64_t cdef, int64_t real)
{
    if (cdef == real || (d->sizes_only && what != CC_LAYOUT_FIELD_SIZE))
        return;
    table_check(cc_layout_diff_append(&d->text, &d->len, what, field.c_str(),
                                      (long long) cdef, (long long) real));
}

/* The byte size CFFI compares for a member, or -1 (bitfields, `[]`). */
int64_t
member_size(const FieldDecl *f)
{
    if (f->isBitField())
        return -1;
    const Type *main = main_variant(f->getType());
    if (isa<IncompleteArrayType>(main) || is_unsized_array(main)
        || cdef_unsized_array(f->getType()) || main->isIncompleteType())
        return -1;
    return (int64_t) S->ctx->getTypeSizeInChars(f->getType()).getQuantity();
}

/* One member the cdef lists, against the header's member of that name:
 * the type (a warning), the size and offset (recorded). */
void
member_compare(const marker *m, const std::string &what, const FieldDecl *cf,
               int64_t cpos, const FieldDecl *rf, int64_t rpos, layout_diffs *d)
{
    std::string name = decl_name(cf);
    if (!field_types_agree(m, what, cf, rf))
        d->warned = true;
    int64_t csize = member_size(cf), rsize = member_size(rf);
    if (csize < 0 || rsize < 0)
        return;     /* bitfields and `[]`: CFFI checks neither */
    if (csize != rsize && !d->warned) {
        mismatch(m->loc, fmt("ccffi: %s: field '%s' has size %lld in the cdef, "
                             "%lld in the header (%s)", what.c_str(),
                             name.c_str(), (long long) csize, (long long) rsize,
                             where(rf->getLocation()).c_str()));
        d->warned = true;
    }
    layout_diff(d, CC_LAYOUT_FIELD_SIZE, name, csize, rsize);
    if (cpos != rpos && !d->warned && !d->sizes_only) {
        mismatch(m->loc, fmt("ccffi: %s: field '%s' is at bit offset %lld in "
                             "the cdef, %lld in the header (%s)", what.c_str(),
                             name.c_str(), (long long) cpos, (long long) rpos,
                             where(rf->getLocation()).c_str()));
        d->warned = true;
    }
    layout_diff(d, CC_LAYOUT_FIELD_OFFSET, name, cpos / 8, rpos / 8);
}

/* Every member the cdef's mirror lists (anonymous members flattened, as C
 * and CFFI reach their members) must exist in the header, else an error
 * (CFFI's generated code does not compile then either); each is compared.
 * False when one is missing (reported). */
bool
members_compare(const marker *m, const std::string &what,
                const RecordDecl *cdef, int64_t base, const RecordDecl *real,
                layout_diffs *d)
{
    for (const FieldDecl *cf : cdef->fields()) {
        int64_t cpos = base + bit_position(cf);
        if (!cf->getIdentifier()) {
            const RecordType *r = dyn_cast<RecordType>(main_variant(cf->getType()));
            if (r && r->getDecl()->getDefinition()
                && !members_compare(m, what, r->getDecl()->getDefinition(),
                                    cpos, real, d))
                return false;
            continue;
        }
        int64_t rpos = 0;
        const FieldDecl *rf = member_find_at(real, cf->getIdentifier(), &rpos);
        if (!rf) {
            SourceLocation loc = real->field_empty() ? real->getLocation()
                                                     : real->field_begin()->getLocation();
            if (!real->getIdentifier() && real->field_empty())
                loc = m->loc;
            error_at(m->loc, "ccffi: " + what + ": the cdef has field '"
                     + decl_name(cf) + "', the header has no such field ("
                     + where(loc) + ")");
            return false;
        }
        member_compare(m, what, cf, cpos, rf, rpos, d);
    }
    return true;
}

/* A member of the header that the exact cdef does not list: warned (once),
 * not an error: CFFI accepts it where the layout agrees. */
void
members_only_in_header(const marker *m, const std::string &what,
                       const RecordDecl *cdef, const RecordDecl *real,
                       layout_diffs *d)
{
    for (const FieldDecl *rf : real->fields()) {
        if (d->warned)
            return;
        if (!rf->getIdentifier()) {
            const RecordType *r = dyn_cast<RecordType>(main_variant(rf->getType()));
            if (r && r->getDecl()->getDefinition())
                members_only_in_header(m, what, cdef,
                                       r->getDecl()->getDefinition(), d);
            continue;
        }
        if (member_find(cdef, rf->getIdentifier()))
            continue;
        mismatch(m->loc, "ccffi: " + what + ": field '" + decl_name(rf)
                 + "' is only in the header; declare the struct with '...;' "
                 "if the cdef lists only some fields ("
                 + where(rf->getLocation()) + ")");
        d->warned = true;
    }
}

bool
has_anonymous_member(const RecordDecl *record)
{
    for (const FieldDecl *f : record->fields())
        if (!f->getIdentifier() && anonymous_record(f->getType()))
            return true;
    return false;
}

/* An exact cdef struct against the header's: members by name (each must
 * exist), their types, sizes and offsets, then size and alignment.  As
 * CFFI, the module is built with the header's layout and the differences
 * raise ffi.error when the type is used: they go to *d. */
bool
records_agree(const marker *m, const std::string &what, const RecordDecl *cdef,
              const RecordDecl *real, layout_diffs *d)
{
    d->sizes_only = has_anonymous_member(cdef);
    if (!members_compare(m, what, cdef, 0, real, d))
        return false;
    members_only_in_header(m, what, cdef, real, d);
    const ASTRecordLayout &cl = S->ctx->getASTRecordLayout(cdef);
    const ASTRecordLayout &rl = S->ctx->getASTRecordLayout(real);
    int64_t csize = cl.getSize().getQuantity(), rsize = rl.getSize().getQuantity();
    int64_t calign = cl.getAlignment().getQuantity();
    int64_t ralign = rl.getAlignment().getQuantity();
    if ((csize != rsize || calign != ralign) && !d->warned) {
        SourceLocation real_loc = real->field_empty() ? m->loc
                                  : real->field_begin()->getLocation();
        mismatch(m->loc, fmt("ccffi: %s: size %lld and alignment %lld in the "
                             "cdef, size %lld and alignment %lld in the header "
                             "(%s)", what.c_str(), (long long) csize,
                             (long long) calign, (long long) rsize,
                             (long long) ralign, where(real_loc).c_str()));
        d->warned = true;
    }
    layout_diff(d, CC_LAYOUT_TOTAL_SIZE, "", csize, rsize);
    layout_diff(d, CC_LAYOUT_TOTAL_ALIGNMENT, "", calign, ralign);
    return true;
}

/* A partial cdef struct (`...;`): each member its mirror lists must exist in
 * the header with the same type; order and offsets are the header's, only
 * the members' sizes are compared (as CFFI does). */
bool
records_contain(const marker *m, const std::string &what,
                const RecordDecl *cdef, const RecordDecl *real, layout_diffs *d)
{
    d->sizes_only = true;
    return members_compare(m, what, cdef, 0, real, d);
}

const RecordDecl *
record_of(QualType t)
{
    const RecordType *r = dyn_cast<RecordType>(main_variant(t));
    return r ? r->getDecl()->getDefinition() : nullptr;
}

/* Checks the cdef's view of a record against the real one, per FLAGS;
 * the layout differences CFFI raises at use go to *d.  False on an error. */
bool
record_check(const marker *m, const std::string &what, unsigned flags,
             QualType cdef, QualType real, layout_diffs *d)
{
    const RecordDecl *rr = record_of(real);
    if (!rr)
        return true;
    const RecordDecl *cr = record_of(cdef);
    if (!cr)
        return true;
    if (flags & CCC_MF_EXACT)
        return records_agree(m, what, cr, rr, d);
    if (flags & CCC_MF_FIELDS)
        return records_contain(m, what, cr, rr, d);
    return true;
}

void mismatch_record(const std::string &name, const std::string &message);

/* A partial cdef struct (`...;`) shows the members the cdef lists, in its
 * order, at the header's offsets, as CFFI (fields, dir(), positional
 * initializers): table type INDEX gets those members instead of the
 * header's, when the mirror lists all of them as direct members of the
 * header's struct (else the header's members stay).  The GCC plugin's
 * partial_view. */
/* The header's member RF as the cdef's CF shows it: a `T a[]` of the
 * cdef stays unsized, as CFFI keeps it, whatever length the header has. */
cct_field
view_field(const FieldDecl *cf, const FieldDecl *rf, bool last, bool *flexible)
{
    cct_field f = record_field(rf, bit_position(rf), last, flexible);
    const ArrayType *ra = S->ctx->getAsArrayType(rf->getType());
    if (!rf->isBitField() && cdef_unsized_array(cf->getType()) && ra) {
        uint32_t item = type_index(ra->getElementType());
        table_check(cc_table_array(&S->table, item, 0, CCT_TF_LENGTH_UNKNOWN,
                                   &f.type));
    }
    return f;
}

void
partial_view(uint32_t index, QualType cdef, QualType real)
{
    const RecordDecl *cr = record_of(cdef), *rr = record_of(real);
    if (!cr || !rr || has_anonymous_member(cr))
        return;
    llvm::SmallVector<cct_field, 16> fields;
    bool flexible = false;
    for (const FieldDecl *cf : cr->fields()) {
        const FieldDecl *rf = member_find(rr, cf->getIdentifier());
        if (!rf || rf->getParent() != rr)
            return;
        bool last = std::next(rr->field_begin(), rf->getFieldIndex() + 1)
                    == rr->field_end();
        fields.push_back(view_field(cf, rf, last, &flexible));
    }
    uint32_t first = 0;
    if (!fields.empty())
        table_check(cc_table_add_fields(&S->table, fields.data(),
                                        (uint32_t) fields.size(), &first));
    cct_type *ty = &S->table.types[index];
    ty->first = first;
    ty->count = (uint32_t) fields.size();
    /* partial, as in the cdef's table: a call through libffi checks that
     * the listed members are where their order puts them (CFFI) */
    ty->flags |= CCT_TF_PARTIAL;
}

/* The record of the layout differences of table type INDEX (a struct or
 * union), under the name CFFI shows for it (table/cmismatch.h). */
void
layout_record(uint32_t index, layout_diffs *d)
{
    if (d->len == 0)
        return;
    const cct_type *ty = &S->table.types[index];
    std::string name = cc_table_str(&S->table, ty->name);
    if ((ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION)
        && !name.empty()) {
        if (!(ty->flags & CCT_TF_TYPEDEF_NAMED))
            name = (ty->kind == CCT_KIND_UNION ? "union " : "struct ") + name;
        mismatch_record(name, d->text);
    }
}

/* ------------------------------------------------------------- markers */

/* The type a type-carrying marker holds, typedefs kept: a typedef's
 * declared type, or the pointed-to type of `extern T *marker` (the form both
 * of gcc's front ends report), with T's typedef seen through when it is the
 * generator's own `typedef <cdef view> _ccffi_tN;`. */
QualType
marker_type(const Decl *decl)
{
    if (const TypedefNameDecl *td = dyn_cast<TypedefNameDecl>(decl))
        return td->getUnderlyingType();
    const VarDecl *vd = dyn_cast<VarDecl>(decl);
    if (!vd) {
        if (const ValueDecl *v = dyn_cast<ValueDecl>(decl))
            return v->getType();
        return QualType();
    }
    const PointerType *p = dyn_cast<PointerType>(main_variant(vd->getType()));
    if (!p)
        return vd->getType();
    QualType type = p->getPointeeType();
    QualType named = strip_sugar(type);
    if (const TypedefType *tt = dyn_cast<TypedefType>(named.getTypePtr()))
        if (decl_name(tt->getDecl()).compare(0, 7, "_ccffi_") == 0)
            return tt->getDecl()->getUnderlyingType();
    return type;
}

/* A marker carrying a type: `typedef T marker` (C) or `extern T *marker`. */
bool
marker_carries_type(const marker *m)
{
    if (isa<TypedefNameDecl>(m->decl))
        return true;
    if (const VarDecl *vd = dyn_cast<VarDecl>(m->decl))
        if (isa<PointerType>(main_variant(vd->getType())))
            return true;
    error_at(m->loc, "ccffi: a '" + m->kind + "' marker must be 'extern T "
             "*name' (or, in C, 'typedef T name')");
    return false;
}

enum decl_form { FORM_TYPEDEF, FORM_VARIABLE };

bool
marker_requires(const marker *m, enum decl_form form, const char *what)
{
    bool ok = form == FORM_TYPEDEF ? isa<TypedefNameDecl>(m->decl)
                                   : isa<VarDecl>(m->decl);
    if (ok)
        return true;
    error_at(m->loc, "ccffi: a '" + m->kind + "' marker must be " + what);
    return false;
}

/* Ordinary-name lookup at file scope, as gcc's lookup_name at the marker. */
NamedDecl *
lookup_ordinary(const std::string &name, bool *overloaded = nullptr)
{
    Sema &sema = *S->sema;
    IdentifierInfo &id = S->ctx->Idents.get(name);
    LookupResult r(sema, DeclarationName(&id), SourceLocation(),
                   Sema::LookupOrdinaryName);
    if (overloaded)
        *overloaded = false;
    if (!sema.LookupName(r, sema.TUScope) || r.empty())
        return nullptr;
    if (overloaded)
        *overloaded = r.isOverloadedResult();
    NamedDecl *d = r.getRepresentativeDecl();
    /* <stdlib.h> of libstdc++ brings C's functions into the global
     * namespace with `using std::qsort;` */
    if (UsingShadowDecl *u = dyn_cast<UsingShadowDecl>(d))
        d = u->getTargetDecl();
    return d;
}

TagDecl *
lookup_tag(const std::string &name)
{
    Sema &sema = *S->sema;
    IdentifierInfo &id = S->ctx->Idents.get(name);
    LookupResult r(sema, DeclarationName(&id), SourceLocation(),
                   Sema::LookupTagName);
    if (!sema.LookupName(r, sema.TUScope) || r.empty())
        return nullptr;
    return dyn_cast<TagDecl>(r.getRepresentativeDecl());
}

bool
is_complete(QualType t)
{
    return !t->isIncompleteType();
}

/* The type the cdef declares opaque (`struct fwd;`, `typedef ... t;`): an
 * opaque record, as CFFI keeps it whatever the header says (the GCC
 * plugin's opaque_index). */
uint32_t
opaque_index(QualType real, enum cct_kind kind, const std::string &name,
             uint16_t flags)
{
    const Type *main = main_variant(real);
    if (const TagType *tt = dyn_cast<TagType>(main)) {
        const void *key = tt->getDecl()->getCanonicalDecl();
        int64_t known = type_slot_find(key);
        if (known >= 0)
            return (uint32_t) known;
        return tagged_type_add(key, kind, name, flags);
    }
    cct_type ty;
    memset(&ty, 0, sizeof ty);
    ty.kind = (uint8_t) kind;
    ty.flags = (uint16_t) (flags | CCT_TF_OPAQUE);
    ty.name = table_string(name);
    ty.size = CCT_SIZE_UNKNOWN;
    uint32_t index;
    table_check(cc_table_add_type(&S->table, &ty, &index));
    return index;
}

enum tag_code { TAG_STRUCT, TAG_UNION, TAG_ENUM };

enum tag_code
tag_code_of(const TagDecl *td)
{
    if (isa<EnumDecl>(td))
        return TAG_ENUM;
    return td->isUnion() ? TAG_UNION : TAG_STRUCT;
}

/* An ENUMERATOR marker: its value waits for the LISTED enum marker. */
void
listed_push(const marker *m, const llvm::APSInt &value)
{
    listed_enumerator l;
    l.name = table_string(m->name);
    l.value = int_bits(value);
    l.negative = value.isSigned() && value.isNegative();
    S->listed.push_back(l);
}

/* Ends what listed_begin() started, on every path. */
struct listed_scope {
    ~listed_scope() { S->listing = false; S->listed.clear(); }
};

/* A marker with FLAGS & LISTED takes the enumerators before it, as many
 * as its EXPECTED says; false (reported) otherwise. */
bool
listed_begin(const marker *m, unsigned flags)
{
    unsigned n = (unsigned) S->listed.size();
    if (!(flags & CCC_MF_LISTED) && n == 0)
        return true;
    if (!(flags & CCC_MF_LISTED) || !m->has_expected
        || !llvm::APSInt::isSameValue(m->expected, llvm::APSInt::get(n))) {
        error_at(m->loc, "ccffi: " + m->kind + " '" + m->name + "': "
                 + std::to_string(n) + " enumerator markers before it, its "
                 "marker expects " + (m->has_expected
                                      ? llvm::toString(m->expected, 10) : "0"));
        S->listed.clear();
        return false;
    }
    S->listing = true;
    S->listing_used = false;
    return true;
}

/* The LISTED enum is table type INDEX: it has the cdef's enumerators even
 * if it was recorded before its marker. */
void
listed_done(const marker *m, uint32_t index)
{
    if (!S->listing || S->listing_used)
        return;
    if (S->table.types[index].kind != CCT_KIND_ENUM) {
        error_at(m->loc, "ccffi: " + m->kind + " '" + m->name + "': the cdef "
                 "declares an enum, the source does not");
        return;
    }
    enum_set_listed(index);
}

/* "enum" "" LISTED: an anonymous enum of the cdef (`enum { A, B };`):
 * its enumerators with the source's values, and the integer type those
 * need (int, unsigned int, long or unsigned long), as the runtime
 * completes it without the plugin (CFFI's too, from the cdef's values). */
void
marker_anonymous_enum(const marker *m)
{
    if (!listed_begin(m, CCC_MF_LISTED))
        return;
    listed_scope scope;
    bool negative = false, big = false;
    for (const listed_enumerator &l : S->listed) {
        negative |= l.negative;
        big |= l.negative ? (int64_t) l.value < INT32_MIN : l.value > UINT32_MAX;
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
    table_check(cc_table_add_type(&S->table, &ty, &index));
    enum_set_listed(index);
}

/* struct/union/enum NAME: the tag, its layout, a TAG declaration. */
void
marker_tag(const marker *m, enum tag_code code)
{
    if (!marker_carries_type(m))
        return;
    if (code == TAG_ENUM && m->name.empty()) {
        marker_anonymous_enum(m);
        return;
    }
    if (!listed_begin(m, m->has_number ? (unsigned) m->number : 0))
        return;
    listed_scope scope;
    TagDecl *real = lookup_tag(m->name);
    unsigned flags = m->has_number ? (unsigned) m->number : 0;
    if (!real && (flags & CCC_MF_OPAQUE)) {
        /* `struct a;` that the source never names: opaque, as the cdef says */
        enum cct_kind kind = code == TAG_UNION ? CCT_KIND_UNION
                           : code == TAG_ENUM ? CCT_KIND_ENUM : CCT_KIND_STRUCT;
        cct_type ty;
        memset(&ty, 0, sizeof ty);
        ty.kind = (uint8_t) kind;
        ty.flags = CCT_TF_OPAQUE;
        ty.name = table_string(m->name);
        ty.size = CCT_SIZE_UNKNOWN;
        uint32_t index;
        table_check(cc_table_add_type(&S->table, &ty, &index));
        table_decl(m->name, CCT_DECL_TAG, index, 0, CCT_NO_SLOT, 0);
        return;
    }
    if (real && tag_code_of(real) != code) {
        error_at(m->loc, "ccffi: the cdef says '" + m->kind + " " + m->name
                 + "', the source declares " + qT(S->ctx->getTypeDeclType(real)));
        return;
    }
    if (!real) {
        error_at(m->loc, "ccffi: " + m->kind + " '" + m->name + "' is not "
                 "declared in the source");
        return;
    }
    QualType type = S->ctx->getTypeDeclType(real);
    std::string what = m->kind + " " + m->name;
    if ((flags & (CCC_MF_BODY | CCC_MF_EXACT | CCC_MF_FIELDS))
        && !is_complete(type)) {
        error_at(m->loc, "ccffi: " + what + ": the cdef gives its fields but "
                 "the source has no complete definition");
        return;
    }
    if (flags & CCC_MF_OPAQUE) {
        enum cct_kind kind = code == TAG_UNION ? CCT_KIND_UNION
                           : code == TAG_ENUM ? CCT_KIND_ENUM : CCT_KIND_STRUCT;
        table_decl(m->name, CCT_DECL_TAG, opaque_index(type, kind, m->name, 0),
                   0, CCT_NO_SLOT, 0);
        return;
    }
    /* layout differences warn (CFFI builds such a module and complains at
     * use); the source's layout is recorded, and what CFFI raises at use */
    layout_diffs d;
    memset(&d, 0, sizeof d);
    if (record_check(m, what, flags, marker_type(m->decl), type, &d)) {
        uint32_t index = type_index(type);
        listed_done(m, index);
        table_decl(m->name, CCT_DECL_TAG, index, 0, CCT_NO_SLOT, 0);
        layout_record(index, &d);
        if ((flags & CCC_MF_FIELDS) && !(flags & CCC_MF_EXACT))
            partial_view(index, marker_type(m->decl), type);
    }
    free(d.text);
}

/* `typedef double... t` whose real type is no float of the size of float
 * or double: t is recorded as the unknown-float primitive with the message
 * CFFI raises when it is realized (its generated code computes the size,
 * 0 for an integer, and its runtime refuses any but float's and double's).
 * True when so recorded. */
static bool
float_dots_mismatch(const marker *m, TypedefNameDecl *td, QualType type)
{
    ASTContext &ctx = *S->ctx;
    uint64_t size = type->isRealFloatingType()
        ? (uint64_t) ctx.getTypeSizeInChars(type).getQuantity() : 0;
    if (size == (uint64_t) ctx.getTypeSizeInChars(ctx.FloatTy).getQuantity()
        || size == (uint64_t) ctx.getTypeSizeInChars(ctx.DoubleTy).getQuantity())
        return false;
    bool ldouble = size
        == (uint64_t) ctx.getTypeSizeInChars(ctx.LongDoubleTy).getQuantity();
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
    table_check(cc_table_add_type(&S->table, &ty, &index));
    table_decl(m->name, CCT_DECL_TYPEDEF, index, 0, CCT_NO_SLOT, 0);
    /* the typedef itself: type_index */
    S->type_slots[td->getCanonicalDecl()] = index;
    return true;
}

/* typedef NAME: what the name really is (`typedef int... t` included). */
void
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
    NamedDecl *real = lookup_ordinary(m->name);
    TypedefNameDecl *td = real ? dyn_cast<TypedefNameDecl>(real) : nullptr;
    if (!td) {
        error_at(m->loc, "ccffi: typedef '" + m->name + "' is not declared in "
                 "the source");
        return;
    }
    QualType type = S->ctx->getTypeDeclType(td);
    if ((flags & CCC_MF_FLOAT_DOTS) && float_dots_mismatch(m, td, type))
        return;
    std::string what = "typedef " + m->name;
    if ((flags & (CCC_MF_BODY | CCC_MF_EXACT | CCC_MF_FIELDS))
        && !is_complete(type)) {
        error_at(m->loc, "ccffi: " + what + ": the cdef gives its fields but "
                 "the source has no complete definition");
        return;
    }
    if (flags & CCC_MF_OPAQUE) {
        uint16_t tflags = CCT_TF_TYPEDEF_NAMED | CCT_TF_DOTS_TYPEDEF;
        uint32_t index = opaque_index(type, CCT_KIND_STRUCT, m->name, tflags);
        table_decl(m->name, CCT_DECL_TYPEDEF, index, 0, CCT_NO_SLOT, 0);
        /* the typedef itself: type_index */
        S->type_slots[td->getCanonicalDecl()] = index;
        return;
    }
    if ((flags & CCC_MF_BODY) && !(flags & CCC_MF_LISTED)
        && !type->isRecordType() && !type->isEnumeralType()
        && !type->isIncompleteType() && !type->isFunctionType()) {
        /* `typedef struct { ...; } t;` that is really `typedef short t;`:
         * CFFI shows a struct of the real type's size and alignment with
         * no fields (CFFI's test_opaque_integer_as_function_result; an enum
         * typedef's marker has BODY too: its real type is an enum) */
        cct_type ty;
        memset(&ty, 0, sizeof ty);
        ty.kind = CCT_KIND_STRUCT;
        ty.flags = CCT_TF_LAYOUT_KNOWN | CCT_TF_TYPEDEF_NAMED;
        ty.name = table_string(m->name);
        ty.size = (uint64_t) S->ctx->getTypeSizeInChars(type).getQuantity();
        ty.align = (uint32_t) S->ctx->getTypeAlignInChars(type).getQuantity();
        uint32_t index;
        table_check(cc_table_add_type(&S->table, &ty, &index));
        table_decl(m->name, CCT_DECL_TYPEDEF, index, 0, CCT_NO_SLOT, 0);
        /* the typedef itself: type_index */
        S->type_slots[td->getCanonicalDecl()] = index;
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
bool
string_value(const marker *m, const StringLiteral *str, uint64_t *value)
{
    if (str->getCharByteWidth() != 1) {
        error_at(m->loc, "ccffi: constant '" + m->name + "': wide strings are "
                 "not supported");
        return false;
    }
    StringRef bytes = str->getBytes();
    if (bytes.find('\0') != StringRef::npos) {
        error_at(m->loc, fmt("ccffi: constant '%s': a string with a NUL byte "
                             "inside cannot be put in the table (format "
                             "version %d)", m->name.c_str(), CCT_VERSION));
        return false;
    }
    uint32_t off;
    table_check(cc_table_string(&S->table, bytes.data(), bytes.size(), &off));
    *value = (uint64_t) off | ((uint64_t) bytes.size() << 32);
    return true;
}

/* A constant's value as the GCC plugin sees the folded initialiser. */
struct cvalue {
    enum { NONE, INT, FLOAT, STRING } kind;
    llvm::APSInt i;
    llvm::APFloat f = llvm::APFloat(0.0);
    const StringLiteral *s;
};

std::string
value_text(const cvalue &v)
{
    if (v.kind == cvalue::INT)
        return llvm::toString(v.i, 10);
    if (v.kind == cvalue::FLOAT) {
        llvm::SmallString<32> buf;
        v.f.toString(buf);
        return buf.str().str();
    }
    if (v.kind == cvalue::STRING && v.s->getCharByteWidth() == 1)
        return "\"" + v.s->getBytes().str() + "\"";
    return "<expression>";
}

/* The string literal a pointer constant points to (`(char *)"abc"`,
 * `static const char *const s = "abc";`), or the literal itself. */
const StringLiteral *
string_behind(const Expr *e)
{
    const Expr *x = e->IgnoreParenCasts();
    if (const StringLiteral *s = dyn_cast<StringLiteral>(x))
        return s;
    /* C++'s `_CCFFI_CONSTANT_P(X) ? (X) : 0` (MARKERS.md, run-time values) */
    if (const ConditionalOperator *c = dyn_cast<ConditionalOperator>(x)) {
        bool cond;
        if (!c->getCond()->isValueDependent()
            && c->getCond()->EvaluateAsBooleanCondition(cond, *S->ctx))
            return string_behind(cond ? c->getTrueExpr() : c->getFalseExpr());
    }
    if (const UnaryOperator *u = dyn_cast<UnaryOperator>(x))
        if (u->getOpcode() == UO_AddrOf)
            if (const ArraySubscriptExpr *a = dyn_cast<ArraySubscriptExpr>(
                    u->getSubExpr()->IgnoreParens())) {
                Expr::EvalResult r;
                if (a->getIdx()->EvaluateAsInt(r, *S->ctx) && r.Val.getInt() == 0)
                    return dyn_cast<StringLiteral>(a->getBase()->IgnoreParenCasts());
            }
    return nullptr;
}

cvalue
evaluate(const Expr *e, QualType type)
{
    cvalue v;
    v.kind = cvalue::NONE;
    v.s = string_behind(e);
    if (v.s) {
        v.kind = cvalue::STRING;
        return v;
    }
    Expr::EvalResult r;
    if (e->isValueDependent() || !e->EvaluateAsRValue(r, *S->ctx))
        return v;
    if (r.Val.isInt()) {
        v.kind = cvalue::INT;
        v.i = r.Val.getInt();
    } else if (r.Val.isFloat()) {
        v.kind = cvalue::FLOAT;
        v.f = r.Val.getFloat();
    } else if (r.Val.isLValue() && !r.Val.getLValueBase()) {
        /* a null or integer pointer: gcc folds it to an unsigned integer */
        v.kind = cvalue::INT;
        v.i = llvm::APSInt(llvm::APInt(64, (uint64_t) r.Val.getLValueOffset()
                                              .getQuantity()), true);
    }
    (void) type;
    return v;
}

/* The declaration name under which the runtime finds what to raise when
 * NAME is used: the table has no kind for it, so it is a CONST_STRING whose
 * name no C identifier can have (contract.h, CCC_MISMATCH_PREFIX). */
void
mismatch_record(const std::string &name, const std::string &message)
{
    uint32_t off;
    table_check(cc_table_string(&S->table, message.data(), message.size(), &off));
    uint32_t ptr;
    table_check(cc_table_pointer(&S->table, table_primitive(CCT_PRIM_CHAR), &ptr));
    table_decl(CCC_MISMATCH_PREFIX + name, CCT_DECL_CONST_STRING, ptr, 0,
               CCT_NO_SLOT, (uint64_t) off | ((uint64_t) message.size() << 32));
}

/* Checks EXPECTED (the cdef's value) against the real integer constant.  A
 * different integer warns and is kept, with the error CFFI raises when the
 * name is used; false (reported) if the value is no integer at all. */
bool
value_check(const marker *m, const cvalue &v, SourceLocation real_loc)
{
    if (!m->has_expected)
        return true;
    if (v.kind == cvalue::INT && llvm::APSInt::isSameValue(v.i, m->expected))
        return true;
    std::string at = where(real_loc);
    if (v.kind == cvalue::INT) {
        uint64_t bits = int_bits(v.i);
        std::string digits = v.i.isUnsigned() ? fmt("%llu", (unsigned long long) bits)
                                              : fmt("%lld", (long long) bits);
        mismatch(m->loc, "ccffi: '" + m->name + "' is "
                 + llvm::toString(m->expected, 10) + " in the cdef but "
                 + digits + " in the header (" + at + ")");
        bool positive = v.i.isUnsigned() ? v.i != 0 : v.i.isStrictlyPositive();
        std::string text = positive
            ? fmt("%llu (0x%llx)", (unsigned long long) bits, (unsigned long long) bits)
            : fmt("%lld", (long long) bits);
        mismatch_record(m->name, "the C compiler says '" + m->name + "' is "
                        "equal to " + text + ", but the cdef disagrees");
        return true;
    }
    error_at(m->loc, "ccffi: '" + m->name + "' is "
             + llvm::toString(m->expected, 10) + " in the cdef but "
             + value_text(v) + " in the header (" + at + ")");
    return false;
}

/* Records NAME = the value of E, a constant of type TYPE. */
void
constant_record(const marker *m, const Expr *e, QualType type,
                SourceLocation real_loc)
{
    cvalue v = evaluate(e, type);
    if (!value_check(m, v, real_loc))
        return;
    if (m->has_number && (m->number & CCC_MF_ENUMERATOR)) {
        if (v.kind == cvalue::INT)
            listed_push(m, v.i);
        else
            error_at(m->loc, "ccffi: enumerator '" + m->name + "' is not an "
                     "integer constant in the source");
        return;
    }
    if (m->has_number && (m->number & CCC_MF_CHECK_ONLY))
        return;
    if (v.kind == cvalue::INT) {
        const Type *c = type.getCanonicalType().getTypePtr();
        bool is_unsigned = c->isUnsignedIntegerOrEnumerationType()
                           || c->isPointerType();
        table_decl(m->name, CCT_DECL_CONST_INT, type_index(type),
                   is_unsigned ? CCT_DF_UNSIGNED : 0, CCT_NO_SLOT, int_bits(v.i));
    } else if (v.kind == cvalue::FLOAT) {
        llvm::APFloat d = v.f;
        bool lost;
        d.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
                  &lost);
        uint64_t bits = d.bitcastToAPInt().getZExtValue();
        table_decl(m->name, CCT_DECL_CONST_FLOAT, type_index(type), 0,
                   CCT_NO_SLOT, bits);
    } else if (v.kind == cvalue::STRING) {
        uint64_t value;
        if (!string_value(m, v.s, &value))
            return;
        QualType elem = S->ctx->getAsArrayType(v.s->getType())->getElementType();
        uint32_t ptr, item = type_index(elem);
        table_check(cc_table_pointer(&S->table, item, &ptr));
        table_decl(m->name, CCT_DECL_CONST_STRING, ptr, 0, CCT_NO_SLOT, value);
    } else {
        error_at(m->loc, "ccffi: '" + m->name + "' is not a compile-time "
                 "number or string constant");
    }
}

/* The macro NAME, or null. */
MacroInfo *
macro_info(const std::string &name)
{
    Preprocessor &pp = S->ci->getPreprocessor();
    IdentifierInfo &id = S->ctx->Idents.get(name);
    if (!id.hasMacroDefinition())
        return nullptr;
    return pp.getMacroInfo(&id);
}

/* Where the macro NAME is defined, or FALLBACK if it is not a macro. */
SourceLocation
macro_location(const std::string &name, SourceLocation fallback)
{
    MacroInfo *mi = macro_info(name);
    if (!mi || mi->isBuiltinMacro() || mi->getDefinitionLoc().isInvalid())
        return fallback;
    return mi->getDefinitionLoc();
}

/* NAME is an integer constant C computes only when the program runs (a
 * macro of a call, an extern const, a variable of the source): recorded as
 * a CONST_INT whose slot is the generator's getter (contract.h), holding
 * the cdef's value (compared at first use, as CFFI does) or DOTS_VALUE.
 * False if the marker has no getter or TYPE is no integer: the caller
 * reports it. */
bool
runtime_record(const marker *m, QualType type)
{
    uint64_t k = m->has_number ? m->number >> CCC_MF_SLOT_SHIFT : 0;
    if (k == 0 || k > UINT32_MAX || (m->number & CCC_MF_ENUMERATOR)
        || !type->isIntegralOrEnumerationType())
        return false;
    if (m->number & CCC_MF_CHECK_ONLY)
        return true;
    uint16_t flags = 0;
    uint64_t value = 0;
    if (m->has_expected) {
        value = int_bits(m->expected);
        if (m->expected.isStrictlyPositive() && m->expected.getActiveBits() > 63)
            flags |= CCT_DF_UNSIGNED;
    } else {
        flags |= CCT_DF_DOTS_VALUE;
    }
    table_decl(m->name, CCT_DECL_CONST_INT, type_index(type), flags,
               (uint32_t) (k - 1), value);
    return true;
}

/* const NAME: `static const __typeof__(X) v = (X);` carries the value.
 * clang emits no unused static constant, so nothing is left to remove. */
void
marker_const(const marker *m)
{
    if (!marker_requires(m, FORM_VARIABLE, "an initialised static const variable"))
        return;
    const VarDecl *vd = cast<VarDecl>(m->decl);
    const Expr *init = vd->getInit();
    if (!init) {
        error_at(m->loc, "ccffi: constant '" + m->name + "' has no initialiser");
        return;
    }
    if (m->has_number && (m->number & CCC_MF_RUNTIME)) {
        if (!runtime_record(m, vd->getType()))
            error_at(m->loc, "ccffi: '" + m->name + "' is not a compile-time "
                     "number or string constant");
        return;
    }
    constant_record(m, init, vd->getType(), macro_location(m->name, m->loc));
}

/* enumconst NAME: an enumerator or static const variable found by name. */
void
marker_enumconst(const marker *m)
{
    if (!marker_carries_type(m))
        return;
    NamedDecl *real = lookup_ordinary(m->name);
    if (EnumConstantDecl *ec = real ? dyn_cast<EnumConstantDecl>(real) : nullptr) {
        cvalue v;
        QualType type = enumerator_type(ec);
        v.kind = cvalue::INT;
        v.i = ec->getInitVal();
        v.s = nullptr;
        if (!value_check(m, v, ec->getLocation()))
            return;
        if (m->has_number && (m->number & CCC_MF_ENUMERATOR)) {
            listed_push(m, v.i);
            return;
        }
        if (m->has_number && (m->number & CCC_MF_CHECK_ONLY))
            return;
        bool is_unsigned = type.getCanonicalType()->isUnsignedIntegerOrEnumerationType();
        table_decl(m->name, CCT_DECL_CONST_INT, type_index(type),
                   is_unsigned ? CCT_DF_UNSIGNED : 0, CCT_NO_SLOT, int_bits(v.i));
        return;
    }
    VarDecl *vd = real ? dyn_cast<VarDecl>(real) : nullptr;
    if (vd && vd->getType().isConstQualified() && vd->getAnyInitializer()
        && vd->getAnyInitializer()->isConstantInitializer(*S->ctx, false)) {
        constant_record(m, vd->getAnyInitializer(), vd->getType(),
                        vd->getLocation());
        return;
    }
    /* `extern const int N;`, `int X = 5;`: read when the program runs */
    if (vd && runtime_record(m, vd->getType()))
        return;
    error_at(m->loc, "ccffi: '" + m->name + "' is neither a macro, an "
             "enumerator nor a constant in the source");
}

/* Is NAME a preprocessor macro of the source? 2 if function-like. */
int
macro_kind(const std::string &name)
{
    MacroInfo *mi = macro_info(name);
    if (!mi)
        return 0;
    return mi->isFunctionLike() ? 2 : 1;
}

uint32_t
marker_slot(const marker *m)
{
    return m->has_number ? (uint32_t) m->number : CCT_NO_SLOT;
}

/* function NAME, SLOT: the real prototype, or the cdef's for a macro. */
void
marker_function(const marker *m)
{
    if (!marker_carries_type(m))
        return;
    QualType cdef = marker_type(m->decl);
    if (!as_function(cdef)) {
        error_at(m->loc, "ccffi: the marker of function '" + m->name + "' must "
                 "be a typedef of a function type");
        return;
    }
    bool overloaded;
    NamedDecl *real = lookup_ordinary(m->name, &overloaded);
    FunctionDecl *fd = real && !overloaded ? real->getAsFunction() : nullptr;
    if (fd && !fd->hasPrototype() && !isa<FunctionProtoType>(as_function(fd->getType()))) {
        /* `int f();` says nothing of the parameters: trust the cdef */
        table_decl(m->name, CCT_DECL_FUNCTION, type_index(cdef), 0,
                   marker_slot(m), 0);
        return;
    }
    if (fd) {
        /* Python calls with the cdef's types; the trampoline's call converts
         * them to the source's, and the compiler judges that call */
        function_check(m, cdef, fd->getType(), fd->getLocation());
        table_decl(m->name, CCT_DECL_FUNCTION, type_index(cdef), 0,
                   marker_slot(m), 0);
        return;
    }
    if ((!real && macro_kind(m->name)) || (real && overloaded)) {
        /* a macro, or C++ overloads: the generated calls choose */
        table_decl(m->name, CCT_DECL_FUNCTION, type_index(cdef),
                   real ? 0 : CCT_DF_MACRO, marker_slot(m), 0);
        return;
    }
    if (!real && !S->ctx->getLangOpts().CPlusPlus) {
        /* C calls an undeclared function through an implicit declaration
         * (the compiler warns, or refuses in its newer standards): CFFI's
         * module builds, so does ours, with the cdef's prototype */
        compiler_mismatch(m->loc, "ccffi: function '" + m->name + "' is not "
                          "declared in the source: the generated code calls it "
                          "undeclared");
        table_decl(m->name, CCT_DECL_FUNCTION, type_index(cdef), 0,
                   marker_slot(m), 0);
        return;
    }
    error_at(m->loc, real ? "ccffi: '" + m->name + "' is not a function in the source"
                          : "ccffi: function '" + m->name + "' is not declared in the source");
}

/* A read-only object: const itself, or an array of const elements. */
bool
type_is_readonly(QualType type)
{
    QualType c = type.getCanonicalType();
    return S->ctx->getBaseElementType(c).isConstQualified() || c.isConstQualified();
}

/* global NAME, SLOT: the real type of the variable. */
void
marker_global(const marker *m)
{
    if (!marker_carries_type(m))
        return;
    QualType cdef = marker_type(m->decl);
    NamedDecl *real = lookup_ordinary(m->name);
    VarDecl *vd = real ? dyn_cast<VarDecl>(real) : nullptr;
    const PointerType *cp = dyn_cast<PointerType>(main_variant(cdef));
    if (real && real->getAsFunction() && cp
        && isa<FunctionType>(main_variant(cp->getPointeeType()))) {
        /* `int (*const f)(int);` in the cdef for a function f: its address,
         * read by the generated getter */
        table_decl(m->name, CCT_DECL_VARIABLE, type_index(cdef), CCT_DF_CONST,
                   marker_slot(m), 0);
        return;
    }
    if (vd) {
        QualType rtype = vd->getType();
        if (!same_type(cdef, rtype))
            mismatch(m->loc, "ccffi: global '" + m->name + "' is " + qT(cdef)
                     + " in the cdef, " + qT(rtype) + " in the header ("
                     + where(vd->getLocation()) + ")");
        uint16_t flags = type_is_readonly(rtype) ? CCT_DF_CONST : 0;
        /* Python sees the cdef's type (an unsized array stays unsized) */
        table_decl(m->name, CCT_DECL_VARIABLE, type_index(cdef), flags,
                   marker_slot(m), 0);
        return;
    }
    if (!real && macro_kind(m->name)) {
        table_decl(m->name, CCT_DECL_VARIABLE, type_index(cdef),
                   CCT_DF_MACRO | (type_is_readonly(cdef) ? CCT_DF_CONST : 0),
                   marker_slot(m), 0);
        return;
    }
    error_at(m->loc, real ? "ccffi: '" + m->name + "' is not a variable in the source"
                          : "ccffi: global '" + m->name + "' is not declared in the source");
}

/* python NAME, SLOT [, 1]: an extern "Python" function of the cdef. */
void
marker_python(const marker *m)
{
    if (!marker_carries_type(m))
        return;
    QualType cdef = marker_type(m->decl);
    if (!as_function(cdef)) {
        error_at(m->loc, "ccffi: the marker of '" + m->name + "' must be a "
                 "typedef of a function type");
        return;
    }
    uint16_t flags = 0;
    if (m->has_expected && m->expected == 1)
        flags |= CCT_DF_PYTHON_C;
    table_decl(m->name, CCT_DECL_EXTERN_PYTHON, type_index(cdef), flags,
               marker_slot(m), 0);
}

/* ------------------------------------------------------------ the table */

void
table_dump(const unsigned char *buf, size_t len)
{
    FILE *f = fopen(S->dump_path.c_str(), "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
        error_at(SourceLocation(), "ccffi: cannot write the table to '"
                 + S->dump_path + "'");
}

/* The serialized table, checked by the loader the runtime uses. */
unsigned char *
table_bytes(SourceLocation loc, size_t *len)
{
    unsigned char *buf = NULL;
    table_check(cc_table_serialize(&S->table, &buf, len));
    cc_table check;
    cc_error err;
    memset(&err, 0, sizeof err);
    table_check(cc_table_init(&check));
    if (cc_table_load(&check, buf, *len, &err) != 0)
        error_at(loc, std::string("ccffi: internal error: the table does not "
                                  "load: ") + err.message);
    cc_table_free(&check);
    return buf;
}

/* The sentinel becomes `const char NAME[N] = <the table>`, 8-byte aligned. */
void
marker_table(const marker *m)
{
    if (!marker_requires(m, FORM_VARIABLE, "a const char array"))
        return;
    if (S->table_written) {
        error_at(m->loc, "ccffi: a second table sentinel");
        return;
    }
    S->table_written = true;
    if (!S->listed.empty())
        error_at(m->loc, "ccffi: " + std::to_string(S->listed.size())
                 + " enumerator markers with no enum marker after them");
    size_t len;
    unsigned char *buf = table_bytes(m->loc, &len);
    if (!S->dump_path.empty())
        table_dump(buf, len);
    ASTContext &ctx = *S->ctx;
    VarDecl *vd = cast<VarDecl>(m->decl);
    QualType elt = ctx.CharTy.withConst();
    QualType type = ctx.getConstantArrayType(elt, llvm::APInt(64, len), nullptr,
                                             ArrayType::Normal, 0);
    StringLiteral *init = StringLiteral::Create(
        ctx, StringRef((const char *) buf, len), StringLiteral::Ascii, false,
        type, vd->getLocation());
    free(buf);
    init->setValueKind(VK_PRValue);
    vd->setType(type);
    vd->setInit(init);
    Expr *eight = IntegerLiteral::Create(ctx, llvm::APInt(32, 8), ctx.IntTy,
                                         vd->getLocation());
    vd->addAttr(AlignedAttr::CreateImplicit(ctx, true, eight, SourceRange(),
                                            AttributeCommonInfo::AS_GNU,
                                            AlignedAttr::GNU_aligned));
}

void
marker_dispatch(const marker *m)
{
    switch (ccc_marker_kind_of(m->kind.c_str())) {
    case CCC_MARKER_STRUCT: marker_tag(m, TAG_STRUCT); break;
    case CCC_MARKER_UNION: marker_tag(m, TAG_UNION); break;
    case CCC_MARKER_ENUM: marker_tag(m, TAG_ENUM); break;
    case CCC_MARKER_TYPEDEF: marker_typedef(m); break;
    case CCC_MARKER_CONST: marker_const(m); break;
    case CCC_MARKER_ENUMCONST: marker_enumconst(m); break;
    case CCC_MARKER_FUNCTION: marker_function(m); break;
    case CCC_MARKER_GLOBAL: marker_global(m); break;
    case CCC_MARKER_PYTHON: marker_python(m); break;
    case CCC_MARKER_TABLE: marker_table(m); break;
    case CCC_MARKER__COUNT:
        error_at(m->loc, "ccffi: unknown marker kind '" + m->kind + "'");
        break;
    }
}

/* A file-scope declaration is complete: process it if it is a marker. */
void
on_finish_decl(Decl *decl)
{
    if (LinkageSpecDecl *ls = dyn_cast<LinkageSpecDecl>(decl)) {
        for (Decl *inner : ls->decls())
            on_finish_decl(inner);
        return;
    }
    auto it = attr_args->find(decl);
    if (it == attr_args->end())
        return;
    marker m = it->second;
    S->markers_seen = true;
    S->current_loc = m.loc;
    S->last_marker_loc = m.loc;
    if (S->table_written && m.kind != "table") {
        error_at(m.loc, "ccffi: marker '" + m.name + "' after the table "
                 "sentinel: the sentinel must be last");
        return;
    }
    marker_dispatch(&m);
}

/* --------------------------------------------------------- clang hooks */

/* The attribute: validates and remembers its arguments; the marker is
 * processed once the declaration is complete (HandleTopLevelDecl). */
struct ccffi_attr_info : public ParsedAttrInfo {
    ccffi_attr_info()
    {
        NumArgs = 1;
        OptArgs = 3;
        static constexpr Spelling spellings[] = {
            {ParsedAttr::AS_GNU, CCC_ATTRIBUTE_NAME},
            {ParsedAttr::AS_CXX11, "ccffi::" CCC_ATTRIBUTE_NAME},
        };
        Spellings = spellings;
    }

    bool
    diagAppertainsToDecl(Sema &, const ParsedAttr &, const Decl *) const override
    {
        return true;
    }

    AttrHandling
    handleDeclAttribute(Sema &sema, Decl *d, const ParsedAttr &attr) const override
    {
        marker m;
        m.decl = d;
        m.loc = d->getLocation();
        m.has_number = m.has_expected = false;
        m.number = 0;
        unsigned n = attr.getNumArgs();
        DiagnosticsEngine &diags = sema.getDiagnostics();
        unsigned bad = diags.getCustomDiagID(DiagnosticsEngine::Error, "%0");
        for (unsigned i = 0; i < n && i < 4; i++) {
            bool want_string = i < 2;
            Expr *e = attr.isArgExpr(i) ? attr.getArgAsExpr(i) : nullptr;
            const StringLiteral *s = e ? dyn_cast<StringLiteral>(e->IgnoreParenCasts())
                                       : nullptr;
            llvm::Optional<llvm::APSInt> v;
            if (e && !want_string && !e->isValueDependent())
                v = e->getIntegerConstantExpr(sema.Context);
            if (want_string ? (!s || s->getCharByteWidth() != 1) : !v) {
                diags.Report(m.loc, bad)
                    << fmt("ccffi: argument %u of attribute 'ccffi' must be %s",
                           i + 1, want_string ? "a string literal"
                                              : "an integer constant");
                return AttributeNotApplied;
            }
            if (i == 0)
                m.kind = s->getString().str();
            else if (i == 1)
                m.name = s->getString().str();
            else if (i == 2) {
                m.has_number = true;
                m.number = int_bits(*v);
            } else {
                m.has_expected = true;
                m.expected = *v;
            }
        }
        if (m.kind != "table" && n < 2) {
            diags.Report(m.loc, bad) << "ccffi: a '" + m.kind + "' marker needs a name";
            return AttributeNotApplied;
        }
        if (attr_args)
            (*attr_args)[d] = m;
        return AttributeApplied;
    }
};

/* The consumer: sees every file-scope declaration before CodeGen does. */
class ccffi_consumer : public SemaConsumer {
public:
    explicit ccffi_consumer(CompilerInstance &ci)
    {
        S->ci = &ci;
    }

    void
    Initialize(ASTContext &ctx) override
    {
        S->ctx = &ctx;
    }

    void
    InitializeSema(Sema &sema) override
    {
        S->sema = &sema;
    }

    bool
    HandleTopLevelDecl(DeclGroupRef group) override
    {
        for (Decl *d : group)
            on_finish_decl(d);
        return true;
    }

    void
    HandleTranslationUnit(ASTContext &) override
    {
        if (S->markers_seen && !S->table_written) {
            error_at(S->last_marker_loc,
                     "ccffi: the file has 'ccffi' markers but no table "
                     "sentinel '__attribute__((ccffi(\"table\"))) const char "
                     CCC_TABLE_SYMBOL "[]'");
        }
    }
};

/* The plugin was compiled against one clang's headers and calls into the
 * clang that loads it: like gcc's plugin_default_version_check, it refuses
 * any other clang than the one configure found (its whole version line,
 * vendor and revision included), and one whose version is not its
 * headers'. */
#ifndef CCFFI_CLANG_FULL_VERSION
#define CCFFI_CLANG_FULL_VERSION "clang version " CLANG_VERSION_STRING
#endif
bool
runs_in_its_clang(const CompilerInstance &ci)
{
    std::string running = getClangFullVersion();
    std::string headers = " version " CLANG_VERSION_STRING;
    size_t at = running.find(headers);
    bool same_headers = at != std::string::npos
        && (at + headers.size() == running.size()
            || running[at + headers.size()] == ' ');
    if (same_headers && running == CCFFI_CLANG_FULL_VERSION)
        return true;
    DiagnosticsEngine &d = ci.getDiagnostics();
    unsigned id = d.getCustomDiagID(DiagnosticsEngine::Error, "%0");
    d.Report(id) << "ccffi: the Clang plugin was built for '"
                    CCFFI_CLANG_FULL_VERSION "', this is '" + running
                    + "': rebuild ccffi with this clang";
    return false;
}

class ccffi_action : public PluginASTAction {
    std::string dump_path;

protected:
    std::unique_ptr<ASTConsumer>
    CreateASTConsumer(CompilerInstance &ci, llvm::StringRef) override
    {
        if (S) {
            cc_table_free(&S->table);
            delete S;
        }
        S = new state();
        S->ci = &ci;
        S->ctx = nullptr;
        S->sema = nullptr;
        S->field_depth = 0;
        S->markers_seen = S->table_written = false;
        S->dump_path = dump_path;
        if (cc_table_init(&S->table) != 0) {
            DiagnosticsEngine &d = ci.getDiagnostics();
            d.Report(d.getCustomDiagID(DiagnosticsEngine::Fatal, "ccffi: out of memory"));
        }
        if (!attr_args)
            attr_args = new llvm::DenseMap<const Decl *, marker>();
        attr_args->clear();
        Preprocessor &pp = ci.getPreprocessor();
        pp.setPredefines(pp.getPredefines() + "#define " CCC_PLUGIN_MACRO " 1\n");
        return std::make_unique<ccffi_consumer>(ci);
    }

    bool
    ParseArgs(const CompilerInstance &ci, const std::vector<std::string> &args) override
    {
        mismatch_is_error = false;
        if (!runs_in_its_clang(ci))
            return false;
        for (const std::string &a : args) {
            if (a.compare(0, 5, "dump=") == 0 && a.size() > 5) {
                dump_path = a.substr(5);
                continue;
            }
            if (a == "werror") {
                mismatch_is_error = true;
                continue;
            }
            DiagnosticsEngine &d = ci.getDiagnostics();
            unsigned id = d.getCustomDiagID(DiagnosticsEngine::Error, "%0");
            d.Report(id) << "ccffi: unknown plugin argument '-fplugin-arg-ccffi-"
                            + a + "'; the arguments are 'dump=FILE' and 'werror'";
            return false;
        }
        return true;
    }

    ActionType
    getActionType() override
    {
        return AddBeforeMainAction;
    }
};

}  // namespace

static ParsedAttrInfoRegistry::Add<ccffi_attr_info>
    register_attribute(CCC_ATTRIBUTE_NAME, "ccffi API-mode marker");
static FrontendPluginRegistry::Add<ccffi_action>
    register_action("ccffi", "writes the type table of an API-mode module "
                             "(-fplugin-arg-ccffi-dump=FILE)");
