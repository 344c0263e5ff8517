/* cparse.c - the cdef parser (see cparse.h).
 *
 * A recursive-descent parser for the declaration subset of C that cdef()
 * accepts, plus CFFI's `...` extensions.  It pulls tokens from clex one at
 * a time and builds table entries as it goes: types are interned by the
 * table, names are declared as soon as their declarator is complete (so a
 * typedef is usable by the next declaration), struct bodies are laid out
 * when their closing brace is read.  Declarators are parsed in source order
 * but types must be built inside out: for `int (*f)(int)` the suffix after
 * the parentheses is read first, then the parenthesized part is re-read with
 * the lexer state saved before it.  Members, parameters and enumerators
 * being collected live on small stacks owned by the parser (allocated only
 * when first needed), so ffi.typeof("int *") allocates nothing.
 *
 * Constant expressions are evaluated in 128-bit integers and must stay in
 * [INT64_MIN, UINT64_MAX]; anything outside is an overflow error.
 */
#include "cdef/cparse.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdef/clex.h"
#include "cdef/layout.h"
#include "table/cspell.h"

#define CPARSE_DEFAULT_FILE "<cdef source string>"

typedef __int128 cval;   /* a constant-expression value */
#define CVAL_MIN ((cval)INT64_MIN)
#define CVAL_MAX ((cval)UINT64_MAX)

/* An enumerator of the enum being parsed, before its type is chosen. */
typedef struct cparse_enumerator {
    uint32_t name;
    uint32_t flags;
    uint32_t next;     /* 1 + the previous pending index in the same bucket */
    cval value;
} cparse_enumerator;

/* A struct/union whose body is being parsed (to refuse nested redefinition). */
typedef struct cparse_open {
    uint32_t type;
    const struct cparse_open *up;
} cparse_open;

typedef struct cparse {
    cc_table *t;
    cc_error *err;
    int override;
    unsigned pack;
    const char *default_file;
    int typename_mode;        /* parsing for ffi.typeof(): CFFI's wording */
    int err_grammar;          /* the error is about the grammar (see
                                 cparse_finish_error) */
    int line_marked;          /* a `# N "file"` marker was seen */
    int known_tags_only;      /* cc_parse_typename_c: no new struct tags */
    int err_bare;             /* CFFI words this error without a position */
    clex_token decl_name;     /* the last declarator name read (for the
                                 messages about its parameters) */
    clex lx;
    clex_token tok;
    int depth;
    uint32_t file_type;       /* the predefined FILE, once made; 0 before */
    uint16_t extern_python;   /* in extern "Python": 1 | CCT_DF_PYTHON_C<<1 */
    int dllexport;            /* embedding_api(): functions are "Python+C" */
    void (*no_storage)(void *ctx, const char *name, size_t len);
    void *no_storage_ctx;     /* cc_parse_options: variables without extern */
    const cparse_open *open;  /* innermost record being defined */
    uint32_t *args;             uint32_t nargs, cap_args;
    cct_field *fields;          uint32_t nfields, cap_fields;
    cparse_enumerator *enums;   uint32_t nenums, cap_enums;
    uint32_t *enum_heads;       uint32_t enum_buckets;  /* name -> 1 + index */
    int base_const;     /* cparse_suffixes(): the base type is const */
    int typedef_const;  /* cparse_type_name(): the typedef is of a const type */
} cparse;

/* What the declaration specifiers said. */
typedef struct cparse_specs {
    uint32_t type;
    int storage;              /* 0 or CLEX_KW_TYPEDEF / EXTERN / STATIC */
    int is_const;
    int dots;                 /* CPARSE_DOTS_*: `typedef ...`, `int...` */
    uint32_t defined_anon;    /* anonymous record/enum defined here, or 0 */
    int is_record;            /* the type came from struct/union/enum */
} cparse_specs;

enum { CPARSE_DOTS_NONE, CPARSE_DOTS_OPAQUE, CPARSE_DOTS_INT, CPARSE_DOTS_FLOAT };

/* A parsed declarator. */
typedef struct cparse_decl {
    uint32_t type;
    int is_const;             /* top-level const (after the last `*`) */
    int has_name;
    clex_token name;
} cparse_decl;

/* ------------------------------------------------------------- errors */

/* Writes "what the token is" for messages: 'text', end of input/line. */
static void cparse_describe(const clex_token *tok, char *buf, size_t size)
{
    if (tok->kind == CLEX_EOF)
        snprintf(buf, size, "end of input");
    else if (tok->kind == CLEX_EOL)
        snprintf(buf, size, "end of line");
    else if (tok->len > 40)
        snprintf(buf, size, "'%.37s...'", tok->s);
    else
        snprintf(buf, size, "'%.*s'", (int)tok->len, tok->s);
}

/* Records an error at tok's position (first error wins); returns -1. */
static int cparse_verror(cparse *p, const clex_token *tok, cc_errkind kind,
                         const char *fmt, va_list ap)
{
    cc_error *err = p->err;
    size_t n;

    if (err->kind != CC_ERR_NONE)
        return -1;
    err->kind = kind;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    if (p->lx.file) {
        n = p->lx.file_len < sizeof err->file - 1 ? p->lx.file_len
                                                  : sizeof err->file - 1;
        memcpy(err->file, p->lx.file, n);
        err->file[n] = '\0';
    } else {
        snprintf(err->file, sizeof err->file, "%s", p->default_file);
    }
    err->line = tok ? tok->line : 0;
    err->column = tok ? tok->column : 0;
    return -1;
}

#ifdef __GNUC__
#define CPARSE_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CPARSE_PRINTF(a, b)
#endif

static int cparse_error_at(cparse *p, const clex_token *tok, cc_errkind kind,
                           const char *fmt, ...) CPARSE_PRINTF(4, 5);
static int cparse_error_at(cparse *p, const clex_token *tok, cc_errkind kind,
                           const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = cparse_verror(p, tok, kind, fmt, ap);
    va_end(ap);
    return rc;
}

static int cparse_error(cparse *p, const char *fmt, ...) CPARSE_PRINTF(2, 3);
static int cparse_error(cparse *p, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = cparse_verror(p, &p->tok, CC_ERR_SYNTAX, fmt, ap);
    va_end(ap);
    return rc;
}

/* An error about the grammar itself (a token that cannot come here, an
 * unknown type name): CFFI, through pycparser, words these with the source
 * line, see cparse_finish_error. */
static int cparse_grammar_error(cparse *p, const char *fmt, ...)
    CPARSE_PRINTF(2, 3);
static int cparse_grammar_error(cparse *p, const char *fmt, ...)
{
    va_list ap;
    int first = p->err->kind == CC_ERR_NONE;
    int rc;

    va_start(ap, fmt);
    rc = cparse_verror(p, &p->tok, CC_ERR_SYNTAX, fmt, ap);
    va_end(ap);
    if (first)
        p->err_grammar = 1;
    return rc;
}

static int cparse_nomem(cparse *p)
{
    return cparse_error_at(p, &p->tok, CC_ERR_NOMEM, "out of memory");
}

/* Gives the recorded error CFFI's C parser's words (type strings). */
static int cparse_c_words(cparse *p, const char *words)
{
    if (p->err->c_words == NULL)
        p->err->c_words = words;
    return -1;
}

/* The error for a lexical error token. */
static int cparse_lex_error(cparse *p)
{
    unsigned char c = p->tok.len ? (unsigned char)p->tok.s[0] : 0;

    if (strcmp(p->lx.error, "illegal character") == 0) {
        if (c >= 0x20 && c < 0x7f) {
            cparse_grammar_error(p, "Illegal character '%c'", c);
            return cparse_c_words(p, "identifier expected");
        }
        cparse_grammar_error(p, "Illegal character '\\x%02x'", c);
        return cparse_c_words(p, "identifier expected");
    }
    cparse_grammar_error(p, "%s", p->lx.error);
    return cparse_c_words(p, "identifier expected");
}

/* "unexpected X, expected Y" for the current token. */
static int cparse_unexpected(cparse *p, const char *expected)
{
    char what[64];

    if (p->tok.kind == CLEX_ERROR)
        return cparse_lex_error(p);
    cparse_describe(&p->tok, what, sizeof what);
    cparse_grammar_error(p, "unexpected %s, expected %s", what, expected);
    return cparse_c_words(p, "identifier expected");
}

/* An error raised by ctable/layout without a position: give it one.  A
 * type without a size (CC_ERR_TYPE) in a declaration is a CDefError. */
static int cparse_locate(cparse *p, const clex_token *tok)
{
    if (p->err->kind == CC_ERR_NONE)
        return cparse_nomem(p);
    if (p->err->kind == CC_ERR_TYPE)
        p->err->kind = CC_ERR_SYNTAX;
    if (p->err->line == 0) {
        p->err->line = tok->line;
        p->err->column = tok->column;
        if (p->lx.file)
            snprintf(p->err->file, sizeof p->err->file, "%.*s",
                     (int)p->lx.file_len, p->lx.file);
        else
            snprintf(p->err->file, sizeof p->err->file, "%s", p->default_file);
    }
    return -1;
}

/* ------------------------------------------------------------- tokens */

static int cparse_line_marker(cparse *p);
static int cparse_skip_line(cparse *p);
static int cparse_tok_is(const clex_token *tok, const char *word);

/* After a '#' at the start of a line: the line is a line marker (`# 12
 * "file"`, `#line 12`) or a #pragma.  Preprocessed headers put markers
 * anywhere, inside an enum or a struct body too: CFFI's lexer takes them
 * wherever they are, so the parser never sees them. */
static int cparse_hash_is_transparent(const cparse *p)
{
    clex copy = p->lx;
    clex_token word;

    copy.directive = 1;
    clex_next(&copy, &word);
    if (word.kind == CLEX_NUMBER) {
        for (uint32_t i = 0; i < word.len; i++)
            if (word.s[i] < '0' || word.s[i] > '9')
                return 0;       /* the directive code reports it */
        return 1;
    }
    return word.kind == CLEX_IDENT && (cparse_tok_is(&word, "line")
                                       || cparse_tok_is(&word, "pragma"));
}

/* Consumes a transparent directive line; on a malformed one, puts the '#'
 * back (the caller's grammar then reports it) and forgets the error. */
static void cparse_skip_transparent(cparse *p)
{
    clex saved_lx = p->lx;
    clex_token saved_tok = p->tok;
    cc_error saved_err = *p->err;
    int saved_marked = p->line_marked, rc;

    p->lx.directive = 1;
    clex_next(&p->lx, &p->tok);
    if (cparse_tok_is(&p->tok, "pragma"))
        rc = cparse_skip_line(p);
    else {
        if (cparse_tok_is(&p->tok, "line"))
            clex_next(&p->lx, &p->tok);
        rc = cparse_line_marker(p);
    }
    p->lx.directive = 0;
    if (rc < 0) {
        p->lx = saved_lx;
        p->tok = saved_tok;
        *p->err = saved_err;
        p->line_marked = saved_marked;
        return;
    }
    clex_next(&p->lx, &p->tok);     /* the token after the line */
}

static void cparse_next(cparse *p)
{
    clex_next(&p->lx, &p->tok);
    while (p->tok.kind == CLEX_HASH && !p->lx.directive
           && cparse_hash_is_transparent(p)) {
        clex_token hash = p->tok;
        cparse_skip_transparent(p);
        if (p->tok.s == hash.s)
            break;              /* malformed: left for the grammar */
    }
}

/* The token after the current one, without consuming anything (line
 * markers skipped as cparse_next skips them; the error record is shared:
 * cparse_next leaves it as it found it). */
static void cparse_peek(const cparse *p, clex_token *out)
{
    cparse copy = *p;

    cparse_next(&copy);
    *out = copy.tok;
}

static int cparse_is(const cparse *p, int kind)
{
    return p->tok.kind == kind;
}

/* End of the input, of a directive line, or a lexical error: loops stop. */
static int cparse_at_end(const cparse *p)
{
    return p->tok.kind == CLEX_EOF || p->tok.kind == CLEX_EOL
        || p->tok.kind == CLEX_ERROR;
}

static int cparse_expect(cparse *p, int kind, const char *expected)
{
    if (p->tok.kind != kind)
        return cparse_unexpected(p, expected);
    cparse_next(p);
    return 0;
}

/* An identifier that is not a keyword. */
static int cparse_is_name(const clex_token *tok)
{
    return tok->kind == CLEX_IDENT && tok->kw == CLEX_KW_NONE;
}

static int cparse_tok_is(const clex_token *tok, const char *word)
{
    size_t n = strlen(word);
    return tok->kind == CLEX_IDENT && tok->len == n && !memcmp(tok->s, word, n);
}

static int cparse_enter(cparse *p)
{
    if (++p->depth > CC_PARSE_MAX_DEPTH)
        return cparse_error(p, "nesting too deep (more than %d levels) at this "
                            "point", CC_PARSE_MAX_DEPTH);
    return 0;
}

static void cparse_leave(cparse *p)
{
    p->depth--;
}

/* ------------------------------------------------------------- stacks */

static int cparse_grow(void **arr, uint32_t *cap, uint32_t n, size_t itemsize)
{
    uint32_t newcap;
    void *q;

    if (n < *cap)
        return 0;
    if (*cap >= UINT32_MAX / 4)
        return -1;
    newcap = *cap ? *cap * 2 : 16;
    q = realloc(*arr, (size_t)newcap * itemsize);
    if (!q)
        return -1;
    *arr = q;
    *cap = newcap;
    return 0;
}

static int cparse_push_arg(cparse *p, uint32_t type)
{
    if (cparse_grow((void **)&p->args, &p->cap_args, p->nargs, sizeof *p->args))
        return cparse_nomem(p);
    p->args[p->nargs++] = type;
    return 0;
}

static int cparse_push_field(cparse *p, const cct_field *f)
{
    if (cparse_grow((void **)&p->fields, &p->cap_fields, p->nfields,
                    sizeof *p->fields))
        return cparse_nomem(p);
    p->fields[p->nfields++] = *f;
    return 0;
}

/* Pending enumerators are chained by name hash, newest first, so that a
 * lookup is O(1) and popping them (stack order) restores the heads. */
static uint32_t cparse_enum_bucket(const cparse *p, uint32_t name)
{
    return (name * 2654435761u) & (p->enum_buckets - 1);
}

static void cparse_enum_link(cparse *p, uint32_t i)
{
    uint32_t b = cparse_enum_bucket(p, p->enums[i].name);

    p->enums[i].next = p->enum_heads[b];
    p->enum_heads[b] = i + 1;
}

/* Doubles the buckets and links every pending enumerator again. */
static int cparse_enum_rehash(cparse *p)
{
    uint32_t n = p->enum_buckets ? p->enum_buckets * 2 : 64, i;
    uint32_t *heads;

    heads = calloc(n, sizeof *heads);
    if (!heads)
        return cparse_nomem(p);
    free(p->enum_heads);
    p->enum_heads = heads;
    p->enum_buckets = n;
    for (i = 0; i < p->nenums; i++)
        cparse_enum_link(p, i);
    return 0;
}

static int cparse_push_enum(cparse *p, const cparse_enumerator *e)
{
    if (cparse_grow((void **)&p->enums, &p->cap_enums, p->nenums,
                    sizeof *p->enums))
        return cparse_nomem(p);
    p->enums[p->nenums++] = *e;
    if (p->nenums > p->enum_buckets)
        return cparse_enum_rehash(p);
    cparse_enum_link(p, p->nenums - 1);
    return 0;
}

/* Pops the pending enumerators from index base on. */
static void cparse_pop_enums(cparse *p, uint32_t base)
{
    while (p->nenums > base) {
        uint32_t i = --p->nenums;
        uint32_t b = cparse_enum_bucket(p, p->enums[i].name);
        p->enum_heads[b] = p->enums[i].next;
    }
}

/* The newest pending enumerator called `name`: 1 + its index, or 0. */
static uint32_t cparse_find_enum(const cparse *p, uint32_t name)
{
    uint32_t j;

    if (!p->enum_buckets)
        return 0;
    j = p->enum_heads[cparse_enum_bucket(p, name)];
    for (; j; j = p->enums[j - 1].next)
        if (p->enums[j - 1].name == name)
            return j;
    return 0;
}

static void cparse_free_stacks(cparse *p)
{
    free(p->args);
    free(p->fields);
    free(p->enums);
    free(p->enum_heads);
}

/* ------------------------------------------------------------- table helpers */

static int cparse_string(cparse *p, const char *s, size_t len, uint32_t *out)
{
    if (cc_table_string(p->t, s, len, out) < 0)
        return cparse_nomem(p);
    return 0;
}

static int cparse_prim(cparse *p, enum cct_prim prim, uint32_t *out)
{
    if (cc_table_primitive(p->t, prim, out) < 0)
        return cparse_nomem(p);
    return 0;
}

static int cparse_pointer(cparse *p, uint32_t item, uint32_t *out)
{
    if (cc_table_pointer(p->t, item, out) < 0)
        return cparse_nomem(p);
    return 0;
}

/* A pointer to item, const-qualified if item_const: the table keeps the
 * cdef's `const` for the C the API-mode generator writes (CCT_TF_CONST_ITEM;
 * a function type takes no qualifier). */
static int cparse_qpointer(cparse *p, uint32_t item, int item_const,
                           uint32_t *out)
{
    uint16_t flags = item_const && p->t->types[item].kind != CCT_KIND_FUNCTION
                     ? CCT_TF_CONST_ITEM : 0;
    if (cc_table_pointer_q(p->t, item, flags, out) < 0)
        return cparse_nomem(p);
    return 0;
}

static int cparse_add_type(cparse *p, const cct_type *ty, uint32_t *out)
{
    if (cc_table_add_type(p->t, ty, out) < 0)
        return cparse_nomem(p);
    return 0;
}

static const char *cparse_kind_word(uint8_t kind)
{
    return kind == CCT_KIND_UNION ? "union"
         : kind == CCT_KIND_ENUM ? "enum" : "struct";
}

/* ------------------------------------------------------------- predefined names */

static const uint8_t cparse_predefined_prims[] = {
    CCT_PRIM_WCHAR, CCT_PRIM_CHAR16, CCT_PRIM_CHAR32,
    CCT_PRIM_INT8, CCT_PRIM_UINT8, CCT_PRIM_INT16, CCT_PRIM_UINT16,
    CCT_PRIM_INT32, CCT_PRIM_UINT32, CCT_PRIM_INT64, CCT_PRIM_UINT64,
    CCT_PRIM_INT_LEAST8, CCT_PRIM_UINT_LEAST8, CCT_PRIM_INT_LEAST16,
    CCT_PRIM_UINT_LEAST16, CCT_PRIM_INT_LEAST32, CCT_PRIM_UINT_LEAST32,
    CCT_PRIM_INT_LEAST64, CCT_PRIM_UINT_LEAST64, CCT_PRIM_INT_FAST8,
    CCT_PRIM_UINT_FAST8, CCT_PRIM_INT_FAST16, CCT_PRIM_UINT_FAST16,
    CCT_PRIM_INT_FAST32, CCT_PRIM_UINT_FAST32, CCT_PRIM_INT_FAST64,
    CCT_PRIM_UINT_FAST64, CCT_PRIM_INTPTR, CCT_PRIM_UINTPTR, CCT_PRIM_INTMAX,
    CCT_PRIM_UINTMAX, CCT_PRIM_PTRDIFF, CCT_PRIM_SIZE, CCT_PRIM_SSIZE,
};

/* The predefined FILE: one opaque struct named FILE per table. */
static int cparse_file_type(cparse *p, uint32_t *out)
{
    cct_type ty;
    uint32_t name, i;

    if (p->file_type) {
        *out = p->file_type;
        return 0;
    }
    if (cparse_string(p, "FILE", 4, &name) < 0)
        return -1;
    for (i = 1; i < p->t->ntypes; i++) {
        const cct_type *x = &p->t->types[i];
        if (x->kind == CCT_KIND_STRUCT && x->name == name
            && (x->flags & CCT_TF_TYPEDEF_NAMED) && (x->flags & CCT_TF_OPAQUE)
            && !(x->flags & CCT_TF_DOTS_TYPEDEF)) {
            *out = p->file_type = i;
            return 0;
        }
    }
    memset(&ty, 0, sizeof ty);
    ty.kind = CCT_KIND_STRUCT;
    ty.flags = CCT_TF_OPAQUE | CCT_TF_TYPEDEF_NAMED;
    ty.name = name;
    ty.size = CCT_SIZE_UNKNOWN;
    if (cparse_add_type(p, &ty, out) < 0)
        return -1;
    p->file_type = *out;
    return 0;
}

/* 1 and *out set if `name` is a type name CFFI knows without declaration. */
static int cparse_predefined(cparse *p, const clex_token *tok, uint32_t *out)
{
    size_t i;

    if (tok->len == 4 && !memcmp(tok->s, "bool", 4))
        return cparse_prim(p, CCT_PRIM_BOOL, out) < 0 ? -1 : 1;
    if (tok->len == 4 && !memcmp(tok->s, "FILE", 4))
        return cparse_file_type(p, out) < 0 ? -1 : 1;
    for (i = 0; i < sizeof cparse_predefined_prims; i++) {
        const char *n = cc_prims[cparse_predefined_prims[i]].name;
        if (n[0] == tok->s[0] && strlen(n) == tok->len
            && !memcmp(n, tok->s, tok->len))
            return cparse_prim(p, cparse_predefined_prims[i], out) < 0 ? -1 : 1;
    }
    return 0;
}

/* 1 and *out set if the identifier names a type (typedef or predefined);
 * 0 if it names nothing or a non-type; -1 on error. */
static int cparse_type_name(cparse *p, const clex_token *tok, uint32_t *out)
{
    uint32_t ref;

    if (cc_table_lookup(p->t, CC_NS_ORDINARY, tok->s, tok->len, &ref)) {
        if (ref & CC_REF_ENUMERATOR)
            return 0;
        if (p->t->decls[ref].kind != CCT_DECL_TYPEDEF)
            return 0;
        *out = p->t->decls[ref].type;
        p->typedef_const = (p->t->decls[ref].flags & CCT_DF_CONST) != 0;
        return 1;
    }
    return cparse_predefined(p, tok, out);
}

/* A type string that is one identifier and nothing else ("foo_t"). */
static int cparse_is_whole_name(cparse *p)
{
    const char *q = p->tok.s + p->tok.len, *b = p->lx.src;

    while (b < p->tok.s && (*b == ' ' || *b == '\t' || *b == '\n'
                            || *b == '\r'))
        b++;
    while (q < p->lx.end && (*q == ' ' || *q == '\t' || *q == '\n'
                             || *q == '\r'))
        q++;
    return b == p->tok.s && q == p->lx.end;
}

/* Does the token start a type (for casts, parameters, nested declarators)? */
static int cparse_starts_type(cparse *p, const clex_token *tok)
{
    uint32_t dummy;

    if (tok->kind != CLEX_IDENT)
        return 0;
    switch (tok->kw) {
    case CLEX_KW_NONE:
        return cparse_type_name(p, tok, &dummy) == 1;
    case CLEX_KW_CONST: case CLEX_KW_CONST2: case CLEX_KW_VOLATILE:
    case CLEX_KW_VOLATILE2: case CLEX_KW_RESTRICT: case CLEX_KW_RESTRICT2:
    case CLEX_KW_RESTRICT3: case CLEX_KW_SIGNED: case CLEX_KW_SIGNED2:
    case CLEX_KW_UNSIGNED: case CLEX_KW_SHORT: case CLEX_KW_LONG:
    case CLEX_KW_INT: case CLEX_KW_CHAR: case CLEX_KW_FLOAT:
    case CLEX_KW_DOUBLE: case CLEX_KW_VOID: case CLEX_KW_BOOL:
    case CLEX_KW_COMPLEX: case CLEX_KW_COMPLEX2: case CLEX_KW_STRUCT:
    case CLEX_KW_UNION: case CLEX_KW_ENUM: case CLEX_KW_REGISTER:
        return 1;
    }
    return 0;
}

static int cparse_is_qualifier(int kw)
{
    return kw == CLEX_KW_CONST || kw == CLEX_KW_CONST2
        || kw == CLEX_KW_VOLATILE || kw == CLEX_KW_VOLATILE2
        || kw == CLEX_KW_RESTRICT || kw == CLEX_KW_RESTRICT2
        || kw == CLEX_KW_RESTRICT3;
}

static int cparse_is_callconv(int kw)
{
    return kw == CLEX_KW_CDECL || kw == CLEX_KW_STDCALL
        || kw == CLEX_KW_FASTCALL || kw == CLEX_KW_THISCALL
        || kw == CLEX_KW_WINAPI;
}

/* ------------------------------------------------------------- forward */

static int cparse_decl_specs(cparse *p, cparse_specs *s, int allow_storage);
static int cparse_declarator(cparse *p, uint32_t base, cparse_decl *d);
static int cparse_const_expr(cparse *p, cval *v);
static int cparse_directive(cparse *p);

/* ------------------------------------------------------------- constant values */

static int cparse_overflow(cparse *p, const clex_token *at)
{
    return cparse_error_at(p, at, CC_ERR_SYNTAX,
                           "integer overflow in constant expression");
}

static int cparse_digit(char c, int base)
{
    int d = (c >= '0' && c <= '9') ? c - '0'
          : (c >= 'a' && c <= 'f') ? c - 'a' + 10
          : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 99;
    return d < base ? d : -1;
}

/* Checks an integer suffix (u, l, ll in any order and case). */
static int cparse_valid_suffix(const char *s, size_t n)
{
    int u = 0, l = 0;
    size_t i = 0;

    while (i < n) {
        if ((s[i] == 'u' || s[i] == 'U') && !u) {
            u = 1;
            i++;
        } else if ((s[i] == 'l' || s[i] == 'L') && !l) {
            l = 1;
            i += (i + 1 < n && s[i + 1] == s[i]) ? 2 : 1;
        } else {
            return 0;
        }
    }
    return 1;
}

/* The value of an integer literal token. */
static int cparse_number(cparse *p, const clex_token *tok, cval *v)
{
    const char *s = tok->s, *e = tok->s + tok->len;
    int base = 10, d;
    uint64_t acc = 0;

    if (e - s > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2;
    else if (e - s > 1 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
        base = 2, s += 2;
    else if (s[0] == '0')
        base = 8;
    if (s == e || cparse_digit(*s, base) < 0)
        goto invalid;
    for (; s < e && (d = cparse_digit(*s, base)) >= 0; s++) {
        if (acc > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) {
            cparse_error_at(p, tok, CC_ERR_SYNTAX,
                            "integer constant '%.*s' is too large",
                            (int)tok->len, tok->s);
            return cparse_c_words(p, "number too large");
        }
        acc = acc * (uint64_t)base + (uint64_t)d;
    }
    if (!cparse_valid_suffix(s, (size_t)(e - s)))
        goto invalid;
    *v = (cval)acc;
    return 0;
invalid:
    return cparse_error_at(p, tok, CC_ERR_SYNTAX, "invalid constant '%.*s'",
                           (int)tok->len, tok->s);
}

/* One (possibly escaped) character of a literal at *s; advances *s. */
static int cparse_char_escape(const char **s, const char *e, int *out)
{
    const char *q = *s;
    int v = 0, n;

    if (*q != '\\') {
        *out = (unsigned char)*q;
        *s = q + 1;
        return 0;
    }
    if (++q >= e)
        return -1;
    switch (*q) {
    case 'n': v = '\n'; break;
    case 't': v = '\t'; break;
    case 'r': v = '\r'; break;
    case 'a': v = '\a'; break;
    case 'b': v = '\b'; break;
    case 'f': v = '\f'; break;
    case 'v': v = '\v'; break;
    case '\\': case '\'': case '"': case '?': v = *q; break;
    case 'x':
        for (n = 0, q++; q < e && cparse_digit(*q, 16) >= 0; q++, n++)
            v = (v * 16 + cparse_digit(*q, 16)) & 0xfff;
        if (n == 0 || v > 0xff)
            return -1;
        *out = v;
        *s = q;
        return 0;
    default:
        for (n = 0; n < 3 && q < e && cparse_digit(*q, 8) >= 0; q++, n++)
            v = v * 8 + cparse_digit(*q, 8);
        if (n == 0 || v > 0xff)
            return -1;
        *out = v;
        *s = q;
        return 0;
    }
    *out = v;
    *s = q + 1;
    return 0;
}

/* The value of a character constant: 'a', '\n', '\x41' (char is signed). */
static int cparse_char_const(cparse *p, const clex_token *tok, cval *v)
{
    const char *s = tok->s + 1, *e = tok->s + tok->len - 1;
    int c;

    if (s >= e || cparse_char_escape(&s, e, &c) < 0 || s != e)
        return cparse_error_at(p, tok, CC_ERR_SYNTAX,
                               "invalid character constant %.*s",
                               (int)tok->len, tok->s);
    *v = (signed char)c;
    return 0;
}

/* Sign of an enumerator stored in the table: its enum's prim decides. */
static int cparse_enumerator_signed(const cc_table *t, uint32_t idx)
{
    uint32_t i;

    if (!(t->enums[idx].value >> 63))
        return 0;
    for (i = t->ntypes; i-- > 1;) {
        const cct_type *x = &t->types[i];
        if (x->kind == CCT_KIND_ENUM && idx >= x->first
            && idx - x->first < x->count)
            return (cc_prims[x->prim].flags & CCT_PF_SIGNED) != 0;
    }
    return 0;
}

static cval cparse_decl_value(const cct_decl *d)
{
    if (d->flags & CCT_DF_UNSIGNED)
        return (cval)d->value;
    return (cval)(int64_t)d->value;
}

/* The value of a name in an expression: enumerator or #define constant. */
static int cparse_name_value(cparse *p, const clex_token *tok, cval *v)
{
    uint32_t ref, name, i;
    const cct_decl *d;

    if (p->nenums && cc_table_string(p->t, tok->s, tok->len, &name) == 0
        && (i = cparse_find_enum(p, name)) != 0) {
        if (p->enums[i - 1].flags & CCT_EF_DOTS_VALUE)
            goto dots;
        *v = p->enums[i - 1].value;
        return 0;
    }
    if (!cc_table_lookup(p->t, CC_NS_ORDINARY, tok->s, tok->len, &ref))
        return cparse_error_at(p, tok, CC_ERR_SYNTAX,
                               "unknown identifier '%.*s' in a constant expression",
                               (int)tok->len, tok->s);
    if (ref & CC_REF_ENUMERATOR) {
        const cct_enumerator *e = &p->t->enums[ref & ~CC_REF_ENUMERATOR];
        if (e->flags & CCT_EF_DOTS_VALUE)
            goto dots;
        *v = cparse_enumerator_signed(p->t, ref & ~CC_REF_ENUMERATOR)
                 ? (cval)(int64_t)e->value : (cval)e->value;
        return 0;
    }
    d = &p->t->decls[ref];
    if (d->kind != CCT_DECL_CONST_INT)
        return cparse_error_at(p, tok, CC_ERR_SYNTAX,
                               "'%.*s' is not an integer constant",
                               (int)tok->len, tok->s);
    if (d->flags & CCT_DF_DOTS_VALUE)
        goto dots;
    *v = cparse_decl_value(d);
    return 0;
dots:
    return cparse_error_at(p, tok, CC_ERR_SYNTAX,
                           "the value of '%.*s' is not known in the cdef "
                           "(it is '...')", (int)tok->len, tok->s);
}

/* ------------------------------------------------------------- constant expressions */

static int cparse_check_range(cparse *p, const clex_token *at, cval v)
{
    if (v < CVAL_MIN || v > CVAL_MAX)
        return cparse_overflow(p, at);
    return 0;
}

/* Converts v to integer type `type` as a C cast does. */
static int cparse_cast_value(cparse *p, const clex_token *at, uint32_t type,
                             cval *v)
{
    const cct_type *ty = &p->t->types[type];
    const cc_prim_info *pi;
    uint64_t bits;

    if ((ty->kind != CCT_KIND_PRIMITIVE && ty->kind != CCT_KIND_ENUM)
        || !(cc_prims[ty->prim].flags & (CCT_PF_SIGNED | CCT_PF_UNSIGNED
                                         | CCT_PF_CHAR | CCT_PF_BOOL)))
        return cparse_error_at(p, at, CC_ERR_SYNTAX,
                               "only casts to integer types are allowed in a "
                               "constant expression");
    pi = &cc_prims[ty->prim];
    if (pi->flags & CCT_PF_BOOL) {
        *v = *v != 0;
        return 0;
    }
    bits = (uint64_t)*v;
    if (pi->size < 8)
        bits &= ((uint64_t)1 << (pi->size * 8)) - 1;
    if ((pi->flags & (CCT_PF_SIGNED | CCT_PF_CHAR)) && pi->size < 8
        && (bits >> (pi->size * 8 - 1)))
        *v = (cval)bits - ((cval)1 << (pi->size * 8));
    else if (pi->flags & (CCT_PF_SIGNED | CCT_PF_CHAR))
        *v = (cval)(int64_t)bits;
    else
        *v = (cval)bits;
    return 0;
}

/* Parses `( type-name )` after sizeof/_Alignof/a cast's '('. */
static int cparse_paren_typename(cparse *p, uint32_t *type)
{
    cparse_specs s;
    cparse_decl d;

    if (cparse_decl_specs(p, &s, 0) < 0)
        return -1;
    if (s.dots)
        return cparse_error(p, "'...' is not allowed here");
    d.is_const = s.is_const;
    if (cparse_declarator(p, s.type, &d) < 0)
        return -1;
    if (d.has_name)
        return cparse_error_at(p, &d.name, CC_ERR_SYNTAX,
                               "unexpected name '%.*s' in a type",
                               (int)d.name.len, d.name.s);
    *type = d.type;
    return cparse_expect(p, ')', "')'");
}

/* sizeof(T) and _Alignof(T). */
static int cparse_sizeof(cparse *p, cval *v)
{
    clex_token at = p->tok;
    int is_sizeof = at.kw == CLEX_KW_SIZEOF;
    uint32_t type, align;
    uint64_t size;

    cparse_next(p);
    if (cparse_expect(p, '(', "'(' after sizeof") < 0
        || cparse_paren_typename(p, &type) < 0)
        return -1;
    if (is_sizeof ? cc_layout_sizeof(p->t, type, &size, p->err)
                  : cc_layout_alignof(p->t, type, &align, p->err)) {
        return cparse_locate(p, &at);
    }
    *v = is_sizeof ? (cval)size : (cval)align;
    return 0;
}

static int cparse_unary(cparse *p, cval *v);

/* Primary expressions: literals, names, parentheses, casts, sizeof. */
static int cparse_primary(cparse *p, cval *v)
{
    clex_token tok = p->tok, next;
    uint32_t type;

    switch (tok.kind) {
    case CLEX_NUMBER:
        cparse_next(p);
        return cparse_number(p, &tok, v);
    case CLEX_CHAR:
        cparse_next(p);
        return cparse_char_const(p, &tok, v);
    case CLEX_IDENT:
        if (tok.kw == CLEX_KW_SIZEOF || tok.kw == CLEX_KW_ALIGNOF
            || tok.kw == CLEX_KW_ALIGNOF2)
            return cparse_sizeof(p, v);
        if (tok.kw != CLEX_KW_NONE)
            break;
        cparse_next(p);
        return cparse_name_value(p, &tok, v);
    case '(':
        cparse_peek(p, &next);
        cparse_next(p);
        if (cparse_starts_type(p, &next)) {
            if (cparse_paren_typename(p, &type) < 0 || cparse_unary(p, v) < 0)
                return -1;
            return cparse_cast_value(p, &tok, type, v);
        }
        if (cparse_const_expr(p, v) < 0)
            return -1;
        return cparse_expect(p, ')', "')'");
    }
    return cparse_unexpected(p, "an integer constant expression");
}

static int cparse_unary(cparse *p, cval *v)
{
    clex_token op = p->tok;
    int rc;

    if (op.kind != '-' && op.kind != '+' && op.kind != '~' && op.kind != '!')
        return cparse_primary(p, v);
    if (cparse_enter(p) < 0)
        return -1;
    cparse_next(p);
    rc = cparse_unary(p, v);
    cparse_leave(p);
    if (rc < 0)
        return -1;
    switch (op.kind) {
    case '-': *v = -*v; break;
    case '~': *v = *v > (cval)INT64_MAX ? (cval)~(uint64_t)*v : ~*v; break;
    case '!': *v = !*v; break;
    }
    return cparse_check_range(p, &op, *v);
}

/* Precedence of a binary operator, 0 if the token is none. */
static int cparse_binary_prec(int kind)
{
    switch (kind) {
    case CLEX_OROR: return 1;
    case CLEX_ANDAND: return 2;
    case '|': return 3;
    case '^': return 4;
    case '&': return 5;
    case CLEX_EQ: case CLEX_NE: return 6;
    case '<': case '>': case CLEX_LE: case CLEX_GE: return 7;
    case CLEX_SHL: case CLEX_SHR: return 8;
    case '+': case '-': return 9;
    case '*': case '/': case '%': return 10;
    }
    return 0;
}

/* Shifts (count 0..63). */
static int cparse_shift(cparse *p, const clex_token *op, cval *a, cval b)
{
    cval r;

    if (b < 0 || b > 63)
        return cparse_error_at(p, op, CC_ERR_SYNTAX,
                               "shift count out of range in constant expression");
    if (op->kind == CLEX_SHR) {
        *a = *a >> (int)b;
        return 0;
    }
    if (__builtin_mul_overflow(*a, (cval)1 << (int)b, &r))
        return cparse_overflow(p, op);
    *a = r;
    return 0;
}

static int cparse_apply(cparse *p, const clex_token *op, cval *a, cval b)
{
    cval r = 0;

    switch (op->kind) {
    case CLEX_OROR: r = *a || b; break;
    case CLEX_ANDAND: r = *a && b; break;
    case '|': r = *a | b; break;
    case '^': r = *a ^ b; break;
    case '&': r = *a & b; break;
    case CLEX_EQ: r = *a == b; break;
    case CLEX_NE: r = *a != b; break;
    case '<': r = *a < b; break;
    case '>': r = *a > b; break;
    case CLEX_LE: r = *a <= b; break;
    case CLEX_GE: r = *a >= b; break;
    case CLEX_SHL: case CLEX_SHR:
        if (cparse_shift(p, op, a, b) < 0)
            return -1;
        r = *a;
        break;
    case '+': r = *a + b; break;
    case '-': r = *a - b; break;
    case '*':
        if (__builtin_mul_overflow(*a, b, &r))
            return cparse_overflow(p, op);
        break;
    case '/': case '%':
        if (b == 0)
            return cparse_error_at(p, op, CC_ERR_SYNTAX,
                                   "division by zero in constant expression");
        r = op->kind == '/' ? *a / b : *a % b;
        break;
    }
    *a = r;
    return cparse_check_range(p, op, r);
}

/* Binary operators by precedence climbing. */
static int cparse_binary(cparse *p, int minprec, cval *v)
{
    if (cparse_unary(p, v) < 0)
        return -1;
    for (;;) {
        clex_token op = p->tok;
        int prec = cparse_binary_prec(op.kind);
        cval rhs;
        if (prec == 0 || prec < minprec)
            return 0;
        cparse_next(p);
        if (cparse_binary(p, prec + 1, &rhs) < 0
            || cparse_apply(p, &op, v, rhs) < 0)
            return -1;
    }
}

/* A full constant expression, with `?:`. */
static int cparse_const_expr(cparse *p, cval *v)
{
    cval a, b;
    int rc = -1;

    if (cparse_enter(p) < 0)
        return -1;
    if (cparse_binary(p, 1, v) < 0)
        goto out;
    if (cparse_is(p, '?')) {
        cparse_next(p);
        if (cparse_const_expr(p, &a) < 0
            || cparse_expect(p, ':', "':'") < 0
            || cparse_const_expr(p, &b) < 0)
            goto out;
        *v = *v ? a : b;
    }
    rc = 0;
out:
    cparse_leave(p);
    return rc;
}

/* ------------------------------------------------------------- declaration specifiers */

/* Counts of the basic type words seen. */
typedef struct cparse_words {
    int n_void, n_char, n_short, n_int, n_long, n_signed, n_unsigned;
    int n_float, n_double, n_bool, n_complex, total;
    char text[80];            /* the words in order, for messages */
} cparse_words;

static void cparse_words_add(cparse_words *w, const clex_token *tok)
{
    size_t n = strlen(w->text);

    switch (tok->kw) {
    case CLEX_KW_VOID: w->n_void++; break;
    case CLEX_KW_CHAR: w->n_char++; break;
    case CLEX_KW_SHORT: w->n_short++; break;
    case CLEX_KW_INT: w->n_int++; break;
    case CLEX_KW_LONG: w->n_long++; break;
    case CLEX_KW_SIGNED: case CLEX_KW_SIGNED2: w->n_signed++; break;
    case CLEX_KW_UNSIGNED: w->n_unsigned++; break;
    case CLEX_KW_FLOAT: w->n_float++; break;
    case CLEX_KW_DOUBLE: w->n_double++; break;
    case CLEX_KW_BOOL: w->n_bool++; break;
    default: w->n_complex++; break;
    }
    w->total++;
    if (n + tok->len + 2 < sizeof w->text) {
        if (n)
            w->text[n++] = ' ';
        memcpy(w->text + n, tok->s, tok->len);
        w->text[n + tok->len] = '\0';
    }
}

static int cparse_is_basic_word(int kw)
{
    switch (kw) {
    case CLEX_KW_VOID: case CLEX_KW_CHAR: case CLEX_KW_SHORT: case CLEX_KW_INT:
    case CLEX_KW_LONG: case CLEX_KW_SIGNED: case CLEX_KW_SIGNED2:
    case CLEX_KW_UNSIGNED: case CLEX_KW_FLOAT: case CLEX_KW_DOUBLE:
    case CLEX_KW_BOOL: case CLEX_KW_COMPLEX: case CLEX_KW_COMPLEX2:
        return 1;
    }
    return 0;
}

/* The primitive named by a combination of words; -1 if none. */
static int cparse_words_prim(const cparse_words *w)
{
    int sign = w->n_signed + w->n_unsigned;
    int others = w->total - sign - w->n_int;

    if (w->n_signed > 1 || w->n_unsigned > 1 || (w->n_signed && w->n_unsigned)
        || w->n_int > 1)
        return -1;
    if (w->n_char == 1 && others == 1 && !w->n_int)
        return w->n_signed ? CCT_PRIM_SCHAR : w->n_unsigned ? CCT_PRIM_UCHAR
                                                            : CCT_PRIM_CHAR;
    if (w->n_short == 1 && others == 1)
        return w->n_unsigned ? CCT_PRIM_USHORT : CCT_PRIM_SHORT;
    if (w->n_long == 1 && others == 1)
        return w->n_unsigned ? CCT_PRIM_ULONG : CCT_PRIM_LONG;
    if (w->n_long == 2 && others == 2)
        return w->n_unsigned ? CCT_PRIM_ULONGLONG : CCT_PRIM_LONGLONG;
    if (others == 0)
        return w->n_unsigned ? CCT_PRIM_UINT : CCT_PRIM_INT;
    if (sign || w->n_int)
        return -1;
    if (w->n_float == 1 && others == 1)
        return CCT_PRIM_FLOAT;
    if (w->n_double == 1 && others == 1)
        return CCT_PRIM_DOUBLE;
    if (w->n_double == 1 && w->n_long == 1 && others == 2)
        return CCT_PRIM_LONGDOUBLE;
    if (w->n_bool == 1 && others == 1)
        return CCT_PRIM_BOOL;
    if (w->n_float == 1 && w->n_complex == 1 && others == 2)
        return CCT_PRIM_FLOATCOMPLEX;
    if (w->n_double == 1 && w->n_complex == 1 && others == 2)
        return CCT_PRIM_DOUBLECOMPLEX;
    return -1;
}

static int cparse_unsupported(cparse *p, const clex_token *at, const char *what)
{
    return cparse_error_at(p, at, CC_ERR_DECL,
                           "Unsupported type: '%s'.  Please look at "
                           "http://cffi.readthedocs.io/en/latest/cdef.html"
                           "#ffi-cdef-limitations and file an issue if you "
                           "think this type should really be supported.", what);
}

/* The type of the basic words (void, int, unsigned long...). */
static int cparse_words_type(cparse *p, const cparse_words *w,
                             const clex_token *at, uint32_t *out)
{
    int prim;

    if (w->n_void) {
        if (w->total != 1)
            return cparse_unsupported(p, at, w->text);
        *out = 0;
        return 0;
    }
    prim = cparse_words_prim(w);
    if (prim < 0)
        return cparse_unsupported(p, at, w->text);
    return cparse_prim(p, (enum cct_prim)prim, out);
}

static int cparse_record(cparse *p, cparse_specs *s);

/* One storage class, qualifier or calling-convention keyword; 1 if it was. */
static int cparse_spec_keyword(cparse *p, cparse_specs *s, int allow_storage)
{
    int kw = p->tok.kw;

    if (kw == CLEX_KW_TYPEDEF || kw == CLEX_KW_EXTERN || kw == CLEX_KW_STATIC) {
        if (!allow_storage)
            return cparse_error(p, "storage class '%s' is not allowed here",
                                clex_keyword_name(kw));
        if (s->storage)
            return cparse_error(p, "more than one storage class ('%s')",
                                clex_keyword_name(kw));
        s->storage = kw;
    } else if (kw == CLEX_KW_CONST || kw == CLEX_KW_CONST2) {
        s->is_const = 1;
    } else if (!(cparse_is_qualifier(kw) || cparse_is_callconv(kw)
                 || kw == CLEX_KW_INLINE || kw == CLEX_KW_INLINE2
                 || kw == CLEX_KW_INLINE3 || kw == CLEX_KW_EXTENSION
                 || kw == CLEX_KW_REGISTER || kw == CLEX_KW_AUTO)) {
        return 0;
    }
    cparse_next(p);
    return 1;
}

/* `...` in the specifiers: `typedef ... t;`, `typedef int... t;`. */
static int cparse_spec_dots(cparse *p, cparse_specs *s, const cparse_words *w,
                            int have_named)
{
    if (s->storage != CLEX_KW_TYPEDEF || have_named || s->dots)
        return cparse_error(p, "'...' is only allowed as 'typedef ... name;', "
                            "'typedef int... name;' or 'typedef float... name;'");
    if (w->total == 0)
        s->dots = CPARSE_DOTS_OPAQUE;
    else if ((w->n_float || w->n_double) && w->total == 1)
        s->dots = CPARSE_DOTS_FLOAT;
    else if (w->n_float || w->n_double   /* `long double...`: CFFI neither */
             || w->n_void || w->n_bool || w->n_complex)
        return cparse_error(p, "'...' is not allowed after '%s'", w->text);
    else
        s->dots = CPARSE_DOTS_INT;
    cparse_next(p);
    return 0;
}

/* Makes the base type of a `typedef ...` declaration. */
static int cparse_dots_type(cparse *p, cparse_specs *s)
{
    cct_type ty;

    memset(&ty, 0, sizeof ty);
    ty.size = CCT_SIZE_UNKNOWN;
    if (s->dots == CPARSE_DOTS_OPAQUE) {
        ty.kind = CCT_KIND_STRUCT;
        ty.flags = CCT_TF_OPAQUE | CCT_TF_DOTS_TYPEDEF;
    } else {
        ty.kind = CCT_KIND_PRIMITIVE;
        ty.prim = s->dots == CPARSE_DOTS_INT ? CCT_PRIM_UNKNOWN_INT
                                             : CCT_PRIM_UNKNOWN_FLOAT;
    }
    return cparse_add_type(p, &ty, &s->type);
}

/* The base type once the specifiers are read, or the error for none. */
static int cparse_specs_type(cparse *p, cparse_specs *s, const cparse_words *w,
                             int have_named, const clex_token *first)
{
    if (s->dots)
        return cparse_dots_type(p, s);
    if (have_named)
        return 0;
    if (w->total)
        return cparse_words_type(p, w, first, &s->type);
    if (p->tok.kind == CLEX_ERROR)
        return cparse_lex_error(p);
    if (p->tok.kind == CLEX_IDENT && p->tok.kw != CLEX_KW_NONE)
        return cparse_unexpected(p, "a type");
    if (first->kind == CLEX_IDENT && first->s != p->tok.s)
        return cparse_error(p, "Missing type in declaration");
    return cparse_unexpected(p, "a type");
}

/* Declaration specifiers: storage, qualifiers and the base type. */
static int cparse_decl_specs(cparse *p, cparse_specs *s, int allow_storage)
{
    cparse_words w;
    clex_token first = p->tok;
    int have_named = 0, rc;

    memset(s, 0, sizeof *s);
    memset(&w, 0, sizeof w);
    for (;;) {
        if (p->tok.kind == CLEX_ELLIPSIS) {
            if (cparse_spec_dots(p, s, &w, have_named) < 0)
                return -1;
            continue;
        }
        if (p->tok.kind != CLEX_IDENT || s->dots)
            break;
        if ((rc = cparse_spec_keyword(p, s, allow_storage)) != 0) {
            if (rc < 0)
                return -1;
            continue;
        }
        if (cparse_is_basic_word(p->tok.kw)) {
            if (have_named)
                return cparse_unsupported(p, &p->tok, w.text[0] ? w.text : "?");
            cparse_words_add(&w, &p->tok);
            cparse_next(p);
            continue;
        }
        if (p->tok.kw == CLEX_KW_STRUCT || p->tok.kw == CLEX_KW_UNION
            || p->tok.kw == CLEX_KW_ENUM) {
            if (s->is_record)
                return cparse_unexpected(p, "';' after a struct, union or "
                                         "enum declaration");
            if (have_named || w.total)
                return cparse_error(p, "two or more data types in declaration");
            if (cparse_record(p, s) < 0)
                return -1;
            have_named = 1;
            continue;
        }
        if (p->tok.kw != CLEX_KW_NONE || have_named || w.total)
            break;
        rc = cparse_type_name(p, &p->tok, &s->type);
        if (rc < 0)
            return -1;
        if (rc == 1 && p->typedef_const)    /* `typedef const int c_t;` */
            s->is_const = 1;
        if (rc == 0 && p->typename_mode && cparse_is_whole_name(p))
            /* no position, as CFFI says it */
            return cparse_error_at(p, &p->tok, CC_ERR_SYNTAX,
                                   "unknown identifier '%.*s'",
                                   (int)p->tok.len, p->tok.s),
                   cparse_c_words(p, "undefined type name");
        if (rc == 0)
            return cparse_grammar_error(p, "unknown type name '%.*s'",
                                        (int)p->tok.len, p->tok.s),
                   cparse_c_words(p, "undefined type name");
        have_named = 1;
        cparse_next(p);
    }
    return cparse_specs_type(p, s, &w, have_named, &first);
}

/* ------------------------------------------------------------- declarations */

static const char *cparse_decl_word(int kind)
{
    switch (kind) {
    case CCT_DECL_TYPEDEF: return "typedef";
    case CCT_DECL_FUNCTION: return "function";
    case CCT_DECL_VARIABLE: return "variable";
    case CCT_DECL_EXTERN_PYTHON: return "extern \"Python\" function";
    }
    return "constant";
}

static int cparse_redeclared(cparse *p, const clex_token *at, const cct_decl *d)
{
    const cct_type *ty = &p->t->types[d->type];
    int anon = d->kind == CCT_DECL_TYPEDEF
        && (ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION
            || ty->kind == CCT_KIND_ENUM)
        && (ty->name == 0 || (ty->flags & CCT_TF_TYPEDEF_NAMED));

    if (anon)
        return cparse_error_at(p, at, CC_ERR_DECL,
                               "multiple declarations of anonymous %s (for "
                               "interactive usage, try cdef(xx, override=True))",
                               cc_table_str(p->t, d->name));
    return cparse_error_at(p, at, CC_ERR_DECL,
                           "multiple declarations of %s %s (for interactive "
                           "usage, try cdef(xx, override=True))",
                           cparse_decl_word(d->kind),
                           cc_table_str(p->t, d->name));
}

/* Value of an existing constant name (enumerator or CONST_INT); 0 if it is
 * not a constant with a known value. */
static int cparse_existing_value(const cc_table *t, uint32_t ref, cval *v)
{
    if (ref & CC_REF_ENUMERATOR) {
        const cct_enumerator *e = &t->enums[ref & ~CC_REF_ENUMERATOR];
        if (e->flags & CCT_EF_DOTS_VALUE)
            return 0;
        *v = cparse_enumerator_signed(t, ref & ~CC_REF_ENUMERATOR)
                 ? (cval)(int64_t)e->value : (cval)e->value;
        return 1;
    }
    if (t->decls[ref].kind != CCT_DECL_CONST_INT
        || (t->decls[ref].flags & CCT_DF_DOTS_VALUE))
        return 0;
    *v = cparse_decl_value(&t->decls[ref]);
    return 1;
}

/* Adds a declaration of an ordinary name, checking redefinitions: an
 * identical repeat is accepted (and not added twice); anything else needs
 * override=True. */
static int cparse_declare(cparse *p, const clex_token *at, const cct_decl *d)
{
    uint32_t ref, out;

    if (!p->override
        && cc_table_lookup(p->t, CC_NS_ORDINARY, at->s, at->len, &ref)) {
        if (ref & CC_REF_ENUMERATOR) {
            cval old;
            if (d->kind == CCT_DECL_CONST_INT && !(d->flags & CCT_DF_DOTS_VALUE)
                && cparse_existing_value(p->t, ref, &old)
                && old == cparse_decl_value(d))
                return 0;
            return cparse_error_at(p, at, CC_ERR_DECL,
                                   "multiple declarations of constant: %.*s",
                                   (int)at->len, at->s);
        }
        const cct_decl *old = &p->t->decls[ref];
        if (old->kind == d->kind && old->type == d->type
            && old->flags == d->flags && old->value == d->value)
            return 0;
        return cparse_redeclared(p, at, old);
    }
    if (cc_table_add_decl(p->t, d, &out) < 0)
        return cparse_nomem(p);
    return 0;
}

static void cparse_decl_init(cct_decl *d, int kind, uint32_t name, uint32_t type)
{
    memset(d, 0, sizeof *d);
    d->kind = (uint8_t)kind;
    d->name = name;
    d->type = type;
    d->slot = CCT_NO_SLOT;
}

/* ------------------------------------------------------------- struct, union, enum */

/* A new struct/union/enum type, opaque until its body is read. */
static int cparse_new_record(cparse *p, uint8_t kind, uint32_t name,
                             uint32_t *out)
{
    cct_type ty;

    memset(&ty, 0, sizeof ty);
    ty.kind = kind;
    ty.name = name;
    ty.flags = CCT_TF_OPAQUE;
    ty.size = CCT_SIZE_UNKNOWN;
    if (kind == CCT_KIND_ENUM)
        ty.prim = CCT_PRIM_UINT;
    return cparse_add_type(p, &ty, out);
}

static int cparse_add_tag(cparse *p, uint32_t name, uint32_t type)
{
    cct_decl d;
    uint32_t out;

    cparse_decl_init(&d, CCT_DECL_TAG, name, type);
    if (cc_table_add_decl(p->t, &d, &out) < 0)
        return cparse_nomem(p);
    return 0;
}

/* The type a `struct name` refers to: existing, or a new opaque one. */
static int cparse_tag_type(cparse *p, uint8_t kind, const clex_token *name,
                           int has_body, uint32_t *out)
{
    uint32_t ref, sname;
    const cct_type *ty;
    const cparse_open *o;

    if (cparse_string(p, name->s, name->len, &sname) < 0)
        return -1;
    if (!cc_table_lookup_tag(p->t, kind, name->s, name->len, &ref)) {
        if (p->known_tags_only && kind != CCT_KIND_ENUM)
            return cparse_error_at(p, name, CC_ERR_TYPE,
                                   "undefined struct/union name"),
                   cparse_c_words(p, "undefined struct/union name");
        if (cparse_new_record(p, kind, sname, out) < 0)
            return -1;
        return cparse_add_tag(p, sname, *out);
    }
    *out = p->t->decls[ref].type;
    ty = &p->t->types[*out];
    if (!has_body)
        return 0;
    if (kind == CCT_KIND_ENUM)
        return cparse_error_at(p, name, CC_ERR_NOTIMPL,
                               "enum %.*s: the '{}' declaration should appear "
                               "on the first time the enum is mentioned, not "
                               "later", (int)name->len, name->s);
    for (o = p->open; o; o = o->up)
        if (o->type == *out)
            return cparse_error_at(p, name, CC_ERR_SYNTAX,
                                   "nested redefinition of %s %.*s",
                                   cparse_kind_word(kind), (int)name->len, name->s);
    if (ty->flags & CCT_TF_OPAQUE)
        return 0;
    if (!p->override)
        return cparse_error_at(p, name, CC_ERR_SYNTAX,
                               "duplicate declaration of %s %.*s",
                               cparse_kind_word(kind), (int)name->len, name->s);
    if (cparse_new_record(p, kind, sname, out) < 0)
        return -1;
    return cparse_add_tag(p, sname, *out);
}

/* Whether every member has a size the cdef knows (else layout waits for
 * the compiler: API mode, or an error when ABI mode needs the size). */
static int cparse_member_sized(const cc_table *t, uint32_t type)
{
    const cct_type *ty = &t->types[type];

    while (ty->kind == CCT_KIND_ARRAY) {
        if (ty->flags & CCT_TF_LENGTH_DOTS)
            return 0;
        ty = &t->types[ty->item];
    }
    switch (ty->kind) {
    case CCT_KIND_STRUCT: case CCT_KIND_UNION:
        return !(ty->flags & (CCT_TF_OPAQUE | CCT_TF_PARTIAL))
            && (ty->flags & CCT_TF_LAYOUT_KNOWN);
    case CCT_KIND_ENUM:
        return !(ty->flags & (CCT_TF_OPAQUE | CCT_TF_PARTIAL));
    case CCT_KIND_PRIMITIVE:
        return !(cc_prims[ty->prim].flags & CCT_PF_UNKNOWN);
    }
    return 1;
}

/* CFFI cannot complete a partial struct (`...;`) that has bitfields:
 * NotImplementedError naming it as CFFI does ("<struct s>", or the typedef
 * name of an anonymous one), once it has that name. */
static int cparse_partial_bitfields(cparse *p, const clex_token *at,
                                    uint32_t type)
{
    const cct_type *ty = &p->t->types[type];

    if (ty->kind != CCT_KIND_STRUCT || !(ty->flags & CCT_TF_PARTIAL)
        || ty->name == 0)
        return 0;
    for (uint32_t i = 0; i < ty->count; i++)
        if (p->t->fields[ty->first + i].bitsize != CCT_NOT_BITFIELD)
            return cparse_error_at(p, at, CC_ERR_NOTIMPL,
                                   "<%s%s>: using both bitfields and '...;'",
                                   (ty->flags & CCT_TF_TYPEDEF_NAMED) ? ""
                                                                      : "struct ",
                                   cc_table_str(p->t, ty->name));
    return 0;
}

/* Stores the collected members in the record and lays it out. */
static int cparse_record_finish(cparse *p, uint32_t type, uint32_t base,
                                int partial, const clex_token *at)
{
    uint32_t n = p->nfields - base, first, i;
    cct_type *ty;
    int sized = !partial;

    if (cc_table_add_fields(p->t, p->fields ? p->fields + base : NULL, n,
                            &first) < 0)
        return cparse_nomem(p);
    for (i = base; i < p->nfields; i++)
        sized = sized && cparse_member_sized(p->t, p->fields[i].type);
    ty = &p->t->types[type];
    ty->first = first;
    ty->count = n;
    ty->flags &= (uint16_t)~CCT_TF_OPAQUE;
    if (partial)
        ty->flags |= CCT_TF_PARTIAL;
    if (p->pack) {
        ty->flags |= CCT_TF_PACKED;
        ty->length = p->pack;
    }
    if (n) {
        const cct_type *last = &p->t->types[p->fields[p->nfields - 1].type];
        if (last->kind == CCT_KIND_ARRAY && (last->flags & CCT_TF_LENGTH_UNKNOWN))
            ty->flags |= CCT_TF_FLEXIBLE;
    }
    p->nfields = base;
    if (cparse_partial_bitfields(p, at, type) < 0)
        return -1;
    if (sized && cc_layout_record(p->t, type, p->err) < 0) {
        if (p->err->kind != CC_ERR_TYPEERR && p->err->kind != CC_ERR_VALUE
            && strncmp(p->err->message, "recursive structure declaration", 31) != 0)
            return cparse_locate(p, at);
        /* a record CFFI refuses only when used (a bad bitfield, a member
         * of unknown size, an array of negative length, a struct holding
         * itself by value): laid out, and refused, when realized */
        memset(p->err, 0, sizeof *p->err);
    }
    return 0;
}

/* Records a bitfield width.  A width wider than its type, a named zero
 * width or a non-integer type is refused by the layout engine when the
 * record is used, with a TypeError, as CFFI (which accepts such a cdef());
 * a width that does not fit in `bitsize` is kept in `offset` (until the
 * layout) for that message.  A negative width from INT32_MIN on makes a
 * plain member, as CFFI (whose "not a bitfield" is -1). */
static int cparse_bitfield(cparse *p, const clex_token *at, cct_field *f,
                           cval width, const cparse_decl *d)
{
    (void)p;
    (void)at;
    (void)d;
    if (width < 0 && width >= INT32_MIN)
        return 0;
    f->bitshift = 0;
    f->bitsize = (int16_t)(width > INT16_MAX || width < 0 ? INT16_MAX : width);
    if (width > INT16_MAX || width < 0)
        f->offset = (uint64_t)(int64_t)width;
    return 0;
}

/* One member declarator (with optional `: width`) of a struct body. */
static int cparse_member(cparse *p, const cparse_specs *s)
{
    cparse_decl d;
    cct_field f;
    cval width;
    clex_token at = p->tok;

    memset(&f, 0, sizeof f);
    memset(&d, 0, sizeof d);
    d.type = s->type;
    d.is_const = s->is_const;
    if (!cparse_is(p, ':') && cparse_declarator(p, s->type, &d) < 0)
        return -1;
    if (d.has_name && cparse_string(p, d.name.s, d.name.len, &f.name) < 0)
        return -1;
    f.type = d.type;
    f.bitshift = f.bitsize = CCT_NOT_BITFIELD;
    if (cparse_is(p, ':')) {
        at = p->tok;
        cparse_next(p);
        if (cparse_const_expr(p, &width) < 0
            || cparse_bitfield(p, &at, &f, width, &d) < 0)
            return -1;
    } else if (!d.has_name) {
        return cparse_unexpected(p, "a member name");
    }
    if (p->t->types[f.type].kind == CCT_KIND_FUNCTION)
        return cparse_error_at(p, &at, CC_ERR_SYNTAX,
                               "member '%s' declared as a function",
                               cc_table_str(p->t, f.name));
    return cparse_push_field(p, &f);
}

/* One `specs declarators;` line of a struct body, or an anonymous member. */
static int cparse_member_decl(cparse *p)
{
    cparse_specs s;
    cct_field f;

    if (cparse_decl_specs(p, &s, 0) < 0)
        return -1;
    if (s.dots)
        return cparse_error(p, "'...' is not allowed here");
    if (cparse_is(p, ';')) {
        const cct_type *ty = &p->t->types[s.type];
        cparse_next(p);
        if (!s.defined_anon || ty->kind == CCT_KIND_ENUM)
            return 0;
        memset(&f, 0, sizeof f);
        f.type = s.type;
        f.bitshift = f.bitsize = CCT_NOT_BITFIELD;
        return cparse_push_field(p, &f);
    }
    for (;;) {
        if (cparse_member(p, &s) < 0)
            return -1;
        if (!cparse_is(p, ','))
            break;
        cparse_next(p);
    }
    return cparse_expect(p, ';', "';' or ',' after a member");
}

/* One item of a struct body: `...;`, an empty `;`, a directive line or a
 * member declaration. */
static int cparse_record_item(cparse *p, int *partial)
{
    if (cparse_is(p, CLEX_ELLIPSIS)) {
        *partial = 1;
        cparse_next(p);
        return cparse_expect(p, ';', "';' after '...'");
    }
    if (cparse_is(p, ';')) {
        cparse_next(p);
        return 0;
    }
    if (cparse_is(p, CLEX_HASH))
        return cparse_directive(p);
    if (cparse_at_end(p))
        return cparse_unexpected(p, "'}'");
    return cparse_member_decl(p);
}

/* `{ members }` of a struct or union. */
static int cparse_record_body(cparse *p, uint32_t type)
{
    uint32_t base = p->nfields;
    int partial = 0, rc = 0;
    cparse_open open = { type, p->open };
    clex_token close;

    cparse_next(p);
    p->open = &open;
    while (rc == 0 && !cparse_is(p, '}'))
        rc = cparse_record_item(p, &partial);
    p->open = open.up;
    if (rc < 0)
        return -1;
    close = p->tok;
    cparse_next(p);
    return cparse_record_finish(p, type, base, partial, &close);
}

/* The underlying integer of an enum, as gcc and CFFI choose it. */
static int cparse_enum_prim(cparse *p, uint32_t base, const clex_token *at,
                            uint8_t *prim)
{
    cval lo = 0, hi = 0;
    uint32_t i;

    for (i = base; i < p->nenums; i++) {
        if (p->enums[i].flags & CCT_EF_DOTS_VALUE)
            continue;
        if (p->enums[i].value < lo)
            lo = p->enums[i].value;
        if (p->enums[i].value > hi)
            hi = p->enums[i].value;
    }
    if (lo >= 0)
        *prim = hi <= (cval)UINT32_MAX ? CCT_PRIM_UINT : CCT_PRIM_ULONG;
    else if (lo >= INT32_MIN && hi <= INT32_MAX)
        *prim = CCT_PRIM_INT;
    else if (hi <= (cval)INT64_MAX)
        *prim = CCT_PRIM_LONG;
    else
        return cparse_error_at(p, at, CC_ERR_SYNTAX,
                               "enum values do not fit in one integer type");
    return 0;
}

/* Checks an enumerator name against earlier names (redefinition rules). */
static int cparse_enumerator_check(cparse *p, const clex_token *name,
                                   const cparse_enumerator *e, uint32_t base)
{
    uint32_t ref, i;
    cval old;

    i = cparse_find_enum(p, e->name);
    if (i != 0 && i - 1 >= base)
        return cparse_error_at(p, name, CC_ERR_DECL,
                               "multiple declarations of constant: %.*s",
                               (int)name->len, name->s);
    if (p->override
        || !cc_table_lookup(p->t, CC_NS_ORDINARY, name->s, name->len, &ref))
        return 0;
    if (!(e->flags & CCT_EF_DOTS_VALUE) && cparse_existing_value(p->t, ref, &old)
        && old == e->value)
        return 0;
    return cparse_error_at(p, name, CC_ERR_DECL,
                           "multiple declarations of constant: %.*s",
                           (int)name->len, name->s);
}

/* One `NAME`, `NAME = expr` or `NAME = ...` of an enum body. */
static int cparse_enumerator_item(cparse *p, uint32_t base, cval *next)
{
    cparse_enumerator e;
    clex_token name = p->tok;

    if (!cparse_is_name(&name))
        return cparse_unexpected(p, "an enumerator name or '}'");
    cparse_next(p);
    memset(&e, 0, sizeof e);
    if (cparse_string(p, name.s, name.len, &e.name) < 0)
        return -1;
    e.value = *next;
    if (cparse_is(p, '=')) {
        cparse_next(p);
        if (cparse_is(p, CLEX_ELLIPSIS)) {
            e.flags = CCT_EF_DOTS_VALUE;
            e.value = 0;
            cparse_next(p);
        } else if (cparse_const_expr(p, &e.value) < 0) {
            return -1;
        }
    } else if (p->nenums > base
               && (p->enums[p->nenums - 1].flags & CCT_EF_DOTS_VALUE)) {
        e.flags = CCT_EF_DOTS_VALUE;   /* follows `X = ...`: unknown too */
        e.value = 0;
    } else if (e.value > CVAL_MAX) {
        return cparse_overflow(p, &name);
    }
    if (cparse_enumerator_check(p, &name, &e, base) < 0)
        return -1;
    *next = e.value + 1;
    return cparse_push_enum(p, &e);
}

/* Stores the collected enumerators in the enum type and names them. */
static int cparse_enum_finish(cparse *p, uint32_t type, uint32_t base,
                              int partial, const clex_token *at)
{
    uint32_t n = p->nenums - base, first, i;
    uint8_t prim;
    cct_type *ty;

    if (cparse_enum_prim(p, base, at, &prim) < 0)
        return -1;
    first = p->t->nenums;
    for (i = base; i < p->nenums; i++) {
        cct_enumerator e;
        uint32_t at_index;
        e.name = p->enums[i].name;
        e.flags = p->enums[i].flags;
        e.value = (uint64_t)p->enums[i].value;
        if (cc_table_add_enumerators(p->t, &e, 1, &at_index) < 0)
            return cparse_nomem(p);
    }
    if (cc_table_name_enumerators(p->t, first, n) < 0)
        return cparse_nomem(p);
    cparse_pop_enums(p, base);
    ty = &p->t->types[type];
    ty->first = first;
    ty->count = n;
    ty->prim = prim;
    ty->flags &= (uint16_t)~CCT_TF_OPAQUE;
    ty->size = cc_prims[prim].size;
    ty->align = cc_prims[prim].align;
    if (partial)
        ty->flags |= CCT_TF_PARTIAL;
    else
        ty->flags |= CCT_TF_LAYOUT_KNOWN;
    return 0;
}

/* `{ A, B = 2, C = ..., ... }` of an enum. */
static int cparse_enum_body(cparse *p, uint32_t type)
{
    uint32_t base = p->nenums;
    cval next = 0;
    int partial = 0;
    clex_token close;

    cparse_next(p);
    while (!cparse_is(p, '}')) {
        if (cparse_is(p, CLEX_ELLIPSIS)) {
            partial = 1;
            cparse_next(p);
            if (cparse_is(p, ','))
                cparse_next(p);
            if (!cparse_is(p, '}'))
                return cparse_unexpected(p, "'}' after '...'");
            break;
        }
        if (cparse_enumerator_item(p, base, &next) < 0)
            return -1;
        if (!cparse_is(p, ','))
            break;
        cparse_next(p);
    }
    close = p->tok;
    if (cparse_expect(p, '}', "',' or '}' in an enum") < 0)
        return -1;
    return cparse_enum_finish(p, type, base, partial, &close);
}

/* `struct [name] [{ body }]` (also union and enum). */
static int cparse_record(cparse *p, cparse_specs *s)
{
    uint8_t kind = p->tok.kw == CLEX_KW_STRUCT ? CCT_KIND_STRUCT
                 : p->tok.kw == CLEX_KW_UNION ? CCT_KIND_UNION : CCT_KIND_ENUM;
    clex_token name;
    int has_name, has_body, rc;

    cparse_next(p);
    name = p->tok;
    has_name = cparse_is_name(&name);
    if (has_name)
        cparse_next(p);
    has_body = cparse_is(p, '{');
    if (!has_name && !has_body && kind == CCT_KIND_ENUM)
        return cparse_unexpected(p, "a name or '{' after 'enum'");
    if (!has_name && !has_body) {
        p->err->c_words = "struct or union name expected";
        return cparse_unexpected(p, "a name or '{' after 'struct'/'union'");
    }
    if (has_name && cparse_tag_type(p, kind, &name, has_body, &s->type) < 0)
        return -1;
    if (!has_name) {
        if (cparse_new_record(p, kind, 0, &s->type) < 0)
            return -1;
        s->defined_anon = s->type;
    }
    s->is_record = 1;
    if (!has_body)
        return 0;
    if (cparse_enter(p) < 0)
        return -1;
    rc = kind == CCT_KIND_ENUM ? cparse_enum_body(p, s->type)
                               : cparse_record_body(p, s->type);
    cparse_leave(p);
    return rc;
}

/* ------------------------------------------------------------- declarators */

/* Skips qualifiers and calling conventions; 1 if a const was among them. */
static int cparse_skip_qualifiers(cparse *p)
{
    int is_const = 0;

    while (p->tok.kind == CLEX_IDENT
           && (cparse_is_qualifier(p->tok.kw) || cparse_is_callconv(p->tok.kw))) {
        if (p->tok.kw == CLEX_KW_CONST || p->tok.kw == CLEX_KW_CONST2)
            is_const = 1;
        cparse_next(p);
    }
    return is_const;
}

/* Is the '(' at the current token the start of a nested declarator
 * (`(*f)`, `(name)`) rather than of a parameter list? */
static int cparse_is_nested(cparse *p)
{
    clex_token next;

    cparse_peek(p, &next);
    if (next.kind == '*' || next.kind == '(' || next.kind == '[')
        return 1;
    if (next.kind != CLEX_IDENT)
        return 0;
    if (cparse_is_callconv(next.kw))
        return 1;
    return next.kw == CLEX_KW_NONE && !cparse_starts_type(p, &next);
}

/* `[ length ]`: the array length and flags. */
static int cparse_array_length(cparse *p, uint64_t *length, uint16_t *flags)
{
    clex_token at;
    cval v;

    cparse_next(p);
    while (p->tok.kind == CLEX_IDENT
           && (cparse_is_qualifier(p->tok.kw) || p->tok.kw == CLEX_KW_STATIC))
        cparse_next(p);
    *length = 0;
    *flags = 0;
    if (cparse_is(p, ']')) {
        *flags = CCT_TF_LENGTH_UNKNOWN;
    } else if (cparse_is(p, CLEX_ELLIPSIS)) {
        *flags = CCT_TF_LENGTH_DOTS;
        cparse_next(p);
    } else {
        at = p->tok;
        if (cparse_const_expr(p, &v) < 0)
            return -1;
        if (v < 0 && p->typename_mode) {
            /* a type string as CFFI: ValueError */
            cparse_error_at(p, &at, CC_ERR_VALUE, "negative array length");
            return cparse_c_words(p, "expected a positive integer constant");
        }
        /* a negative length in a cdef is kept (above INT64_MAX), one
         * above INT64_MAX becomes CC_ARRAY_LENGTH_HUGE: CFFI accepts the
         * cdef and raises ValueError or OverflowError when the type is
         * used (so does ffi.typeof("int[N]") of cffi.FFI). */
        if (v > INT64_MAX && p->known_tags_only) {
            /* CFFI's C parser (a compiled module's ffi) */
            cparse_error_at(p, &at, CC_ERR_SYNTAX,
                            "array length %llu is too large",
                            (unsigned long long)v);
            return cparse_c_words(p, "number too large");
        }
        *length = v > INT64_MAX ? CC_ARRAY_LENGTH_HUGE : (uint64_t)v;
    }
    return cparse_expect(p, ']', "']'");
}

/* A parameter's type after C's adjustments: arrays and functions decay. */
static int cparse_param_adjust(cparse *p, uint32_t type, uint32_t *out)
{
    const cct_type *ty = &p->t->types[type];

    if (ty->kind == CCT_KIND_ARRAY)
        return cparse_qpointer(p, ty->item,
                               (ty->flags & CCT_TF_CONST_ITEM) != 0, out);
    if (ty->kind == CCT_KIND_FUNCTION)
        return cparse_pointer(p, type, out);
    *out = type;
    return 0;
}

/* CFFI's words for a parameter that is a lone unknown name (the old C
 * syntax of untyped parameters), when the current token is one. */
static int cparse_untyped_param(cparse *p, uint32_t base,
                                const clex_token *func)
{
    clex_token next;
    uint32_t type;
    int rc;

    if (p->tok.kind != CLEX_IDENT || p->tok.kw != CLEX_KW_NONE)
        return 0;
    cparse_peek(p, &next);
    if (next.kind != ',' && next.kind != ')')
        return 0;
    rc = cparse_type_name(p, &p->tok, &type);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    cparse_c_words(p, "undefined type name");
    if (func)
        return cparse_error(p, "%.*s arg %u: unknown type '%.*s' (if you "
                            "meant to use the old C syntax of giving untyped "
                            "arguments, it is not supported)",
                            (int)func->len, func->s, p->nargs - base + 1,
                            (int)p->tok.len, p->tok.s);
    return cparse_error(p, "in expression arg %u: unknown type '%.*s' (if "
                        "you meant to use the old C syntax of giving untyped "
                        "arguments, it is not supported)",
                        p->nargs - base + 1, (int)p->tok.len, p->tok.s);
}

/* One parameter declaration; 1 when it is an unnamed `void` spelled
 * through typedefs (`void_t`), alone, which CFFI reads as `(void)`. */
static int cparse_param(cparse *p, uint32_t base, const clex_token *func)
{
    cparse_specs s;
    cparse_decl d;
    clex_token at = p->tok;
    uint32_t type;

    if (cparse_untyped_param(p, base, func) < 0)
        return -1;
    if (cparse_decl_specs(p, &s, 0) < 0)
        return -1;
    if (s.dots)
        return cparse_error(p, "'...' is not allowed here");
    memset(&d, 0, sizeof d);
    d.is_const = s.is_const;
    if (cparse_declarator(p, s.type, &d) < 0)
        return -1;
    if (d.type == 0 && p->nargs == base && !d.has_name && cparse_is(p, ')'))
        return 1;
    if (d.type == 0)
        return cparse_error_at(p, &at, CC_ERR_SYNTAX,
                               "'void' must be the only parameter%s",
                               p->nargs > base ? "" : " and unnamed");
    if (cparse_param_adjust(p, d.type, &type) < 0)
        return -1;
    return cparse_push_arg(p, type);
}

/* `( params )`: pushes the parameter types; sets *variadic. */
static int cparse_params(cparse *p, uint32_t base, int *variadic)
{
    clex_token next, func = p->decl_name;
    const clex_token *fname = func.len ? &func : NULL;
    int rc;

    *variadic = 0;
    cparse_next(p);
    if (cparse_is(p, ')')) {
        cparse_next(p);
        return 0;
    }
    cparse_peek(p, &next);
    if (p->tok.kw == CLEX_KW_VOID && next.kind == ')') {
        cparse_next(p);
        cparse_next(p);
        return 0;
    }
    for (;;) {
        if (cparse_is(p, CLEX_ELLIPSIS)) {
            if (p->nargs == base && fname)
                return cparse_error(p, "%.*s: a function with only '(...)' "
                                    "as argument is not correct C",
                                    (int)fname->len, fname->s);
            if (p->nargs == base)
                return cparse_error(p, "a function with only '(...)' as "
                                    "argument is not correct C");
            *variadic = 1;
            cparse_next(p);
            break;
        }
        rc = cparse_param(p, base, fname);
        if (rc < 0)
            return -1;
        if (rc == 1)    /* (void_t) */
            break;
        if (!cparse_is(p, ','))
            break;
        cparse_next(p);
    }
    return cparse_expect(p, ')', "')' or ',' in a parameter list");
}

/* Array and function suffixes, applied right to left to base. */
static int cparse_suffixes(cparse *p, uint32_t base, uint32_t *out)
{
    clex_token at = p->tok;
    uint32_t inner, pbase = p->nargs;
    uint64_t length = 0;
    uint16_t flags = 0;
    int variadic = 0, rc, base_const = p->base_const;

    if (!cparse_is(p, '[') && !cparse_is(p, '(')) {
        *out = base;
        return 0;
    }
    if (cparse_enter(p) < 0)
        return -1;
    rc = cparse_is(p, '[') ? cparse_array_length(p, &length, &flags)
                           : cparse_params(p, pbase, &variadic);
    p->base_const = base_const;     /* the parameters' declarators set it */
    if (rc == 0)
        rc = cparse_suffixes(p, base, &inner);
    cparse_leave(p);
    if (rc < 0)
        return -1;
    if (at.kind == '[') {
        if (p->t->types[inner].kind == CCT_KIND_FUNCTION)
            return cparse_error_at(p, &at, CC_ERR_SYNTAX,
                                   "declared as an array of functions");
        if (base_const && inner == base)    /* `const int a[2][3]`: the last */
            flags |= CCT_TF_CONST_ITEM;
        if (cc_table_array(p->t, inner, length, flags, out) < 0)
            return cparse_nomem(p);
        return 0;
    }
    if (p->typename_mode && p->t->types[inner].kind == CCT_KIND_ARRAY) {
        char name[200];
        cc_spell_type(p->t, inner, NULL, name, sizeof name);
        return cparse_error_at(p, NULL, CC_ERR_TYPEERR,
                               "invalid result type: '%s'", name);
    }
    if (p->t->types[inner].kind == CCT_KIND_FUNCTION
        || p->t->types[inner].kind == CCT_KIND_ARRAY)
        return cparse_error_at(p, &at, CC_ERR_SYNTAX,
                               "a function cannot return %s",
                               p->t->types[inner].kind == CCT_KIND_ARRAY
                               ? "an array" : "a function");
    rc = cc_table_function(p->t, inner, p->args ? p->args + pbase : NULL,
                           p->nargs - pbase,
                           variadic ? CCT_TF_VARIADIC : 0, out);
    p->nargs = pbase;
    return rc < 0 ? cparse_nomem(p) : 0;
}

/* Skips to the token after the ')' matching an already consumed '('. */
static int cparse_skip_parens(cparse *p)
{
    int depth = 1;

    while (depth > 0) {
        if (cparse_at_end(p))
            return cparse_unexpected(p, "')'");
        if (cparse_is(p, '('))
            depth++;
        else if (cparse_is(p, ')'))
            depth--;
        cparse_next(p);
    }
    return 0;
}

/* `( declarator ) suffixes`: the suffixes apply first, so they are read
 * before the inner declarator, which is then re-read. */
static int cparse_nested(cparse *p, uint32_t base, cparse_decl *d)
{
    clex inner_lx, after_lx;
    clex_token inner_tok, after_tok;
    uint32_t type;

    cparse_next(p);
    inner_lx = p->lx;
    inner_tok = p->tok;
    p->base_const = d->is_const;
    if (cparse_skip_parens(p) < 0 || cparse_suffixes(p, base, &type) < 0)
        return -1;
    if (type != base)
        d->is_const = 0;
    after_lx = p->lx;
    after_tok = p->tok;
    p->lx = inner_lx;
    p->tok = inner_tok;
    if (cparse_declarator(p, type, d) < 0)
        return -1;
    if (!cparse_is(p, ')'))
        return cparse_unexpected(p, "')'");
    p->lx = after_lx;
    p->tok = after_tok;
    return 0;
}

/* A declarator (named or abstract) applied to base.  d->is_const must hold
 * the constness of base on entry. */
static int cparse_declarator(cparse *p, uint32_t base, cparse_decl *d)
{
    int rc = -1, q;

    if (cparse_enter(p) < 0)
        return -1;
    d->has_name = 0;
    if (cparse_skip_qualifiers(p))
        d->is_const = 1;
    while (cparse_is(p, '*')) {
        cparse_next(p);
        if (cparse_qpointer(p, base, d->is_const, &base) < 0)
            goto out;
        q = cparse_skip_qualifiers(p);
        d->is_const = q;
    }
    if (cparse_is(p, '(') && cparse_is_nested(p)) {
        rc = cparse_nested(p, base, d);
        goto out;
    }
    if (cparse_is_name(&p->tok)) {
        d->name = p->tok;
        d->has_name = 1;
        p->decl_name = p->tok;
        cparse_next(p);
    }
    p->base_const = d->is_const;
    if (cparse_suffixes(p, base, &d->type) < 0)
        goto out;
    if (d->type != base)
        d->is_const = 0;
    rc = 0;
out:
    cparse_leave(p);
    return rc;
}

/* ------------------------------------------------------------- top-level declarations */

/* Skips an initializer (`= ...`) up to the next ',' or ';' at depth 0. */
static int cparse_skip_initializer(cparse *p)
{
    int depth = 0;

    while (depth > 0 || (!cparse_is(p, ',') && !cparse_is(p, ';'))) {
        if (cparse_at_end(p) || cparse_is(p, CLEX_HASH))
            return cparse_unexpected(p, "';'");
        if (cparse_is(p, CLEX_ELLIPSIS))
            return cparse_error(p, "'...' is not allowed in an initializer");
        if (cparse_is(p, '(') || cparse_is(p, '{') || cparse_is(p, '['))
            depth++;
        else if (cparse_is(p, ')') || cparse_is(p, '}') || cparse_is(p, ']'))
            if (--depth < 0)
                return cparse_unexpected(p, "';'");
        cparse_next(p);
    }
    return 0;
}

static int cparse_is_integer_type(const cc_table *t, uint32_t type)
{
    const cct_type *ty = &t->types[type];

    if (ty->kind == CCT_KIND_ENUM)
        return 1;
    return ty->kind == CCT_KIND_PRIMITIVE
        && (cc_prims[ty->prim].flags & (CCT_PF_SIGNED | CCT_PF_UNSIGNED
                                        | CCT_PF_CHAR | CCT_PF_BOOL));
}

/* An integer type as cffi/model.py counts them: not char, wchar_t, an
 * enum (all integers to C). */
static int cparse_is_model_integer(const cc_table *t, uint32_t type)
{
    const cct_type *ty = &t->types[type];

    return ty->kind == CCT_KIND_PRIMITIVE
        && (cc_prims[ty->prim].flags & (CCT_PF_SIGNED | CCT_PF_UNSIGNED | CCT_PF_BOOL))
        && !(cc_prims[ty->prim].flags & (CCT_PF_CHAR | CCT_PF_WCHAR));
}

/* Names an anonymous struct/union/enum after its first typedef, or the
 * opaque struct of `typedef ... name` ("$$name" when behind a pointer). */
static int cparse_typedef_names(cparse *p, const cparse_specs *s,
                                const cparse_decl *d, uint32_t name)
{
    uint32_t anon = s->dots ? s->type : s->defined_anon;
    cct_type *ty;
    char buf[300];

    if (!anon || p->t->types[anon].name != 0)
        return 0;
    ty = &p->t->types[anon];
    if (d->type == anon) {
        ty->name = name;
        ty->flags |= CCT_TF_TYPEDEF_NAMED;
        return cparse_partial_bitfields(p, &p->tok, anon);
    }
    if (s->dots != CPARSE_DOTS_OPAQUE || d->name.len > 256)
        return 0;
    snprintf(buf, sizeof buf, "$$%.*s", (int)d->name.len, d->name.s);
    return cparse_string(p, buf, strlen(buf), &p->t->types[anon].name);
}

/* `static const int NAME [= value];`: a constant. */
static int cparse_declare_constant(cparse *p, const cparse_decl *d,
                                   uint32_t name)
{
    const cct_type *ty = &p->t->types[d->type];
    cct_decl decl;
    cval v;

    cparse_decl_init(&decl, CCT_DECL_CONST_INT, name, d->type);
    if (ty->kind == CCT_KIND_PRIMITIVE && (cc_prims[ty->prim].flags & CCT_PF_FLOAT))
        decl.kind = CCT_DECL_CONST_FLOAT;
    decl.flags = CCT_DF_DOTS_VALUE;
    if (cparse_is(p, '=')) {
        cparse_next(p);
        if (decl.kind == CCT_DECL_CONST_INT && cparse_is_integer_type(p->t, d->type)) {
            /* the value as written, not converted to the type: CFFI's
             * ABI modes read back 300 for `unsigned char X = 300` and 2
             * for `_Bool x = 2` (API mode: "the cdef disagrees" with C) */
            if (cparse_const_expr(p, &v) < 0)
                return -1;
            decl.flags = v > (cval)INT64_MAX ? CCT_DF_UNSIGNED : 0;
            decl.value = (uint64_t)v;
        } else if (cparse_skip_initializer(p) < 0) {
            return -1;
        }
    }
    return cparse_declare(p, &d->name, &decl);
}

/* At `= -? INTEGER-LITERAL` ending the declarator (`,` or `;` next): the
 * initializer by which CFFI makes `int x = 5;` a constant. */
static int cparse_int_literal_init(const cparse *p)
{
    clex copy = p->lx;
    clex_token tok;

    if (!cparse_is(p, '='))
        return 0;
    clex_next(&copy, &tok);
    if (tok.kind == '-')
        clex_next(&copy, &tok);
    if (tok.kind != CLEX_NUMBER)
        return 0;
    /* CFFI's test, case-insensitive: 0?x?[0-9a-f]+[lu]* */
    size_t i = 0, digits;
    if (i < tok.len && tok.s[i] == '0')
        i++;
    if (i < tok.len && (tok.s[i] == 'x' || tok.s[i] == 'X'))
        i++;
    for (digits = i; i < tok.len && cparse_digit(tok.s[i], 16) >= 0; i++)
        ;
    if (i == digits && digits != 1)  /* "0", "0u": the 0? took the digit */
        return 0;
    for (; i < tok.len; i++)
        if (tok.s[i] == '\0' || !strchr("lLuU", tok.s[i]))
            return 0;
    clex_next(&copy, &tok);
    return tok.kind == ',' || tok.kind == ';';
}

/* Declares one declarator of a top-level declaration. */
static int cparse_declare_one(cparse *p, const cparse_specs *s,
                              const cparse_decl *d)
{
    const cct_type *ty = &p->t->types[d->type];
    cct_decl decl;
    uint32_t name;

    if (!d->has_name)
        return cparse_unexpected(p, "a name in the declaration");
    if (cparse_string(p, d->name.s, d->name.len, &name) < 0)
        return -1;
    if (s->storage == CLEX_KW_TYPEDEF) {
        cparse_decl_init(&decl, CCT_DECL_TYPEDEF, name, d->type);
        if (d->is_const)        /* a variable of this type is const */
            decl.flags = CCT_DF_CONST;
        if (cparse_declare(p, &d->name, &decl) < 0)
            return -1;
        return cparse_typedef_names(p, s, d, name);
    }
    if (ty->kind == CCT_KIND_FUNCTION) {
        uint16_t python = p->extern_python;
        if (p->dllexport)       /* as CFFI: an exported extern "Python" */
            python = 1 | (CCT_DF_PYTHON_C << 1);
        cparse_decl_init(&decl, python ? CCT_DECL_EXTERN_PYTHON
                                       : CCT_DECL_FUNCTION, name, d->type);
        decl.flags = (uint16_t)(python >> 1);
        return cparse_declare(p, &d->name, &decl);
    }
    if (p->extern_python)
        return cparse_error_at(p, &d->name, CC_ERR_SYNTAX,
                               "cannot declare constants or variables with "
                               "'extern \"Python\"'");
    if (s->storage == CLEX_KW_STATIC && d->is_const)
        return cparse_declare_constant(p, d, name);
    /* `int x = 5;`, `const long y = -0x10;`: an integer constant to CFFI
     * (whatever the storage class), as `static const int x = 5;` */
    if (cparse_is_model_integer(p->t, d->type) && cparse_int_literal_init(p))
        return cparse_declare_constant(p, d, name);
    if (s->storage == 0 && p->no_storage != NULL
        && !(d->is_const && ty->kind != CCT_KIND_ARRAY))
        p->no_storage(p->no_storage_ctx, d->name.s, d->name.len);
    cparse_decl_init(&decl, CCT_DECL_VARIABLE, name, d->type);
    if (d->is_const)
        decl.flags = CCT_DF_CONST;
    if (cparse_is(p, '=')) {
        cparse_next(p);
        if (cparse_skip_initializer(p) < 0)
            return -1;
    }
    return cparse_declare(p, &d->name, &decl);
}

/* A top-level declaration up to its ';'. */
static int cparse_declaration(cparse *p)
{
    cparse_specs s;
    cparse_decl d;
    clex_token first = p->tok;
    uint32_t mark = p->t->ntypes;
    int first_declarator = 1;

    if (cparse_decl_specs(p, &s, 1) < 0)
        return -1;
    if (s.is_record && cparse_is(p, CLEX_EOF))
        return cparse_unexpected(p, "';' after a struct, union or enum "
                                 "declaration");
    if (cparse_is(p, ';')) {
        if (!s.is_record || s.dots)
            return cparse_error_at(p, &first, CC_ERR_SYNTAX,
                                   "Invalid declaration: nothing is declared");
        cparse_next(p);
        return 0;
    }
    for (;;) {
        d.is_const = s.is_const;
        if (cparse_declarator(p, s.type, &d) < 0
            || cparse_declare_one(p, &s, &d) < 0)
            return -1;
        /* `typedef enum e [{...}] t;` where `enum e` first appears: CFFI's
         * in-line mode names the enum t, and keeps "enum e" otherwise */
        if (first_declarator && s.storage == CLEX_KW_TYPEDEF && d.type == s.type
            && s.type >= mark && p->t->types[s.type].kind == CCT_KIND_ENUM
            && p->t->types[s.type].name != 0)
            p->t->types[s.type].flags |= CCT_TF_ENUM_TYPEDEF_FIRST;
        first_declarator = 0;
        if (!cparse_is(p, ','))
            break;
        cparse_next(p);
    }
    if (cparse_is(p, '{'))
        return cparse_error(p, "unexpected <FuncDef>: this construct is "
                            "valid C but not valid in cdef()");
    return cparse_expect(p, ';', "';' or ',' after a declarator");
}

static int cparse_top_item(cparse *p);

/* Is the string literal `str` "Python+C" or "C+Python", with any white
 * space around the '+' (as CFFI's pattern)? */
static int cparse_is_python_plus_c(const clex_token *str)
{
    const char *s = str->s + 1, *end = str->s + str->len - 1;
    const char *first;

    if (str->len < 2 || str->s[0] != '"')
        return 0;
    if (end - s >= 6 && !memcmp(s, "Python", 6)) {
        first = "P";
        s += 6;
    } else if (s < end && *s == 'C') {
        first = "C";
        s += 1;
    } else
        return 0;
    while (s < end && strchr(" \t\n\r\f\v", *s))
        s++;
    if (s >= end || *s++ != '+')
        return 0;
    while (s < end && strchr(" \t\n\r\f\v", *s))
        s++;
    if (*first == 'P')
        return end - s == 1 && *s == 'C';
    return end - s == 6 && !memcmp(s, "Python", 6);
}

/* `extern "Python" decl` or `extern "Python+C" { decls }` ("C+Python" too,
 * and white space around the '+', as CFFI). */
static int cparse_extern_block(cparse *p)
{
    clex_token str;
    int rc = 0;

    cparse_next(p);
    str = p->tok;
    if (str.len == 8 && !memcmp(str.s, "\"Python\"", 8))
        p->extern_python = 1;
    else if (cparse_is_python_plus_c(&str))
        p->extern_python = 1 | (CCT_DF_PYTHON_C << 1);
    else
        return cparse_error(p, "unexpected %.*s after 'extern': only "
                            "extern \"Python\" and extern \"Python+C\" are "
                            "supported", (int)str.len, str.s);
    cparse_next(p);
    if (!cparse_is(p, '{')) {
        rc = cparse_declaration(p);
    } else {
        cparse_next(p);
        while (rc == 0 && !cparse_is(p, '}')) {
            if (cparse_at_end(p))
                rc = cparse_unexpected(p, "'}'");
            else
                rc = cparse_top_item(p);
        }
        if (rc == 0)
            cparse_next(p);
    }
    p->extern_python = 0;
    return rc;
}

/* ------------------------------------------------------------- directives */

/* Skips the rest of a directive line. */
static int cparse_skip_line(cparse *p)
{
    while (!cparse_is(p, CLEX_EOL)) {
        if (cparse_is(p, CLEX_ERROR))
            return cparse_lex_error(p);
        cparse_next(p);
    }
    return 0;
}

/* `# 12 "file"` and `#line 12 "file"`: positions of the following lines. */
static int cparse_line_marker(cparse *p)
{
    clex_token num = p->tok;
    long line = 0;
    uint32_t i;

    if (num.kind != CLEX_NUMBER)
        return cparse_unexpected(p, "a line number");
    for (i = 0; i < num.len; i++) {
        if (num.s[i] < '0' || num.s[i] > '9' || line > INT_MAX / 10 - 10)
            return cparse_error(p, "invalid line number %.*s",
                                (int)num.len, num.s);
        line = line * 10 + (num.s[i] - '0');
    }
    cparse_next(p);
    p->line_marked = 1;
    if (cparse_is(p, CLEX_STRING)) {
        p->lx.file = p->tok.s + 1;
        p->lx.file_len = p->tok.len - 2;
        cparse_next(p);
    }
    if (cparse_skip_line(p) < 0)
        return -1;
    p->lx.line = (int)line - 1;   /* the newline that ends this line adds 1 */
    return 0;
}

/* The error for a #define that is neither `...` nor an integer expression. */
static int cparse_define_refused(cparse *p, const clex_token *hash,
                                 const clex_token *name)
{
    const char *e = hash->s;

    while (e < p->lx.end && *e != '\n')
        e++;
    if (p->err->kind == CC_ERR_NONE)
        p->err_bare = 1;        /* CFFI checks macros before any declaration */
    return cparse_error_at(p, hash, CC_ERR_SYNTAX,
                           "only supports one of the following syntax:\n"
                           "  #define %.*s ...     (literally dot-dot-dot)\n"
                           "  #define %.*s NUMBER  (with NUMBER an integer "
                           "constant, decimal/hex/octal)\ngot:\n  %.*s",
                           (int)name->len, name->s, (int)name->len, name->s,
                           (int)(e - hash->s > 200 ? 200 : e - hash->s), hash->s);
}

/* The type of a #define'd integer: int, long or unsigned long by value. */
static enum cct_prim cparse_define_prim(cval v)
{
    if (v >= INT32_MIN && v <= INT32_MAX)
        return CCT_PRIM_INT;
    return v <= (cval)INT64_MAX ? CCT_PRIM_LONG : CCT_PRIM_ULONG;
}

/* `#define NAME ...` or `#define NAME <integer constant expression>`. */
static int cparse_define(cparse *p, const clex_token *hash)
{
    clex_token name;
    cct_decl decl;
    uint32_t sname, type;
    cval v = 0;

    cparse_next(p);
    name = p->tok;
    if (!cparse_is_name(&name))
        return cparse_unexpected(p, "a macro name after #define");
    if (name.s + name.len < p->lx.end && name.s[name.len] == '(')
        return cparse_error_at(p, &name, CC_ERR_SYNTAX,
                               "function-like macro '%.*s' is not supported "
                               "in cdef()", (int)name.len, name.s);
    cparse_next(p);
    if (cparse_string(p, name.s, name.len, &sname) < 0)
        return -1;
    cparse_decl_init(&decl, CCT_DECL_CONST_INT, sname, 0);
    if (cparse_is(p, CLEX_ELLIPSIS)) {
        decl.flags = CCT_DF_DOTS_VALUE;
        cparse_next(p);
    } else if (cparse_is(p, CLEX_EOL)) {
        return cparse_define_refused(p, hash, &name);
    } else if (cparse_const_expr(p, &v) < 0) {
        if (p->err->kind == CC_ERR_SYNTAX
            && (!strncmp(p->err->message, "unexpected", 10)
                || !strncmp(p->err->message, "invalid constant", 16)
                || !strncmp(p->err->message, "unknown identifier", 18))) {
            p->err->kind = CC_ERR_NONE;
            return cparse_define_refused(p, hash, &name);
        }
        return -1;
    }
    if (!cparse_is(p, CLEX_EOL)) {
        if (cparse_is(p, CLEX_ERROR))
            return cparse_lex_error(p);
        return cparse_define_refused(p, hash, &name);
    }
    if (cparse_prim(p, decl.flags ? CCT_PRIM_INT : cparse_define_prim(v), &type) < 0)
        return -1;
    decl.type = type;
    decl.value = (uint64_t)v;
    if (v > (cval)INT64_MAX)
        decl.flags |= CCT_DF_UNSIGNED;
    return cparse_declare(p, &name, &decl);
}

/* A directive line, from its '#' to the end of the line. */
static int cparse_directive(cparse *p)
{
    clex_token hash = p->tok, word;
    int rc;

    p->lx.directive = 1;
    cparse_next(p);
    word = p->tok;
    if (cparse_is(p, CLEX_EOL))
        rc = 0;
    else if (cparse_is(p, CLEX_NUMBER))
        rc = cparse_line_marker(p);
    else if (cparse_tok_is(&word, "line")) {
        cparse_next(p);
        rc = cparse_line_marker(p);
    } else if (cparse_tok_is(&word, "define"))
        rc = cparse_define(p, &hash);
    else if (cparse_tok_is(&word, "pragma")) {
        rc = cparse_skip_line(p);
    } else {
        const char *e = word.s;
        while (e < p->lx.end && *e != '\n' && e - word.s < 80)
            e++;
        rc = cparse_error_at(p, &hash, CC_ERR_SYNTAX,
                             "Directives not supported yet: '#%.*s' (only "
                             "#define and line markers are allowed in cdef())",
                             (int)(e - word.s), word.s);
    }
    p->lx.directive = 0;
    if (rc < 0)
        return -1;
    cparse_next(p);
    return 0;
}

/* ------------------------------------------------------------- entry points */

/* One top-level item: directive, empty declaration, extern block, declaration. */
static int cparse_top_item(cparse *p)
{
    clex_token next;

    if (cparse_is(p, CLEX_HASH))
        return cparse_directive(p);
    if (cparse_is(p, ';')) {
        cparse_next(p);
        return 0;
    }
    if (cparse_is(p, CLEX_ERROR))
        return cparse_lex_error(p);
    if (p->tok.kw == CLEX_KW_EXTERN) {
        cparse_peek(p, &next);
        if (next.kind == CLEX_STRING) {
            if (p->extern_python)
                return cparse_error(p, "nested extern blocks are not allowed");
            return cparse_extern_block(p);
        }
    }
    return cparse_declaration(p);
}

static void cparse_init(cparse *p, cc_table *t, const char *src, size_t len,
                        cc_error *err)
{
    memset(p, 0, sizeof *p);
    p->t = t;
    p->err = err;
    p->default_file = CPARSE_DEFAULT_FILE;
    err->kind = CC_ERR_NONE;
    err->message[0] = err->file[0] = '\0';
    err->line = err->column = 0;
    err->wording = CC_WORD_POSITION;
    err->source[0] = '\0';
    err->c_words = NULL;
    clex_init(&p->lx, src, len);
    cparse_next(p);
}

/* Finds 1-based physical line `line` of src: 1 and its start and length. */
static int cparse_source_line(const char *src, size_t len, int line,
                              const char **start, int *n)
{
    const char *q = src, *end = src + len, *e;

    for (int i = 1; i < line; i++) {
        q = memchr(q, '\n', (size_t)(end - q));
        if (!q)
            return 0;
        q++;
    }
    e = memchr(q, '\n', (size_t)(end - q));
    if (!e)
        e = end;
    while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
        q++;
    while (e > q && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    *start = q;
    *n = (int)(e - q);
    return 1;
}

/* Records how CFFI words the error (the record keeps its message and
 * position).  A grammar error shows the source line first ('cannot parse
 * "LINE"', or 'parse error' once a `# N "file"` marker moved the positions
 * away from the text); any other is "file:line: message" in a cdef (CFFI
 * names the declaration's line) and the bare message in a type string
 * (CFFI gives ffi.typeof's own errors no position). */
static void cparse_finish_error(cparse *p, const char *src, size_t len)
{
    cc_error *e = p->err;
    const char *ls;
    int ln;

    if (e->kind != CC_ERR_SYNTAX || e->line <= 0)
        return;
    if (!p->err_grammar) {
        e->wording = p->typename_mode || p->err_bare ? CC_WORD_BARE
                                                     : CC_WORD_DECL;
        return;
    }
    e->wording = CC_WORD_GRAMMAR;
    e->source[0] = '\0';
    if (!p->line_marked && cparse_source_line(src, len, e->line, &ls, &ln))
        snprintf(e->source, sizeof e->source, "%.*s", ln, ls);
}

static int cparse_check_pack(cparse *p, unsigned pack)
{
    if (pack & (pack - 1))
        return cparse_error_at(p, NULL, CC_ERR_DECL,
                               "'pack' must be a power of two, not %u", pack);
    return 0;
}

static int cparse_run(cparse *p)
{
    while (!cparse_is(p, CLEX_EOF))
        if (cparse_top_item(p) < 0)
            return -1;
    return 0;
}

int cc_parse_cdef(cc_table *t, const char *src, size_t len,
                  const cc_parse_options *opt, cc_error *err)
{
    cparse p;
    cc_table backup;
    int rc;

    cparse_init(&p, t, src, len, err);
    if (opt) {
        p.override = opt->override;
        p.pack = opt->pack;
        p.dllexport = opt->dllexport;
        p.no_storage = opt->no_storage;
        p.no_storage_ctx = opt->no_storage_ctx;
        if (opt->filename)
            p.default_file = opt->filename;
    }
    if (cparse_check_pack(&p, p.pack) < 0)
        return -1;
    if (cc_table_copy(&backup, t) < 0)  /* put back if the parse fails */
        return cparse_error_at(&p, NULL, CC_ERR_NOMEM, "out of memory");
    rc = cparse_run(&p);
    cparse_free_stacks(&p);
    if (rc < 0) {
        if (err->kind == CC_ERR_NONE)
            cparse_nomem(&p);
        cparse_finish_error(&p, src, len);
        cc_table_free(t);
        *t = backup;
        return -1;
    }
    cc_table_free(&backup);
    return 0;
}

static int cparse_typename(cc_table *t, const char *src, size_t len,
                           int known_tags_only, uint32_t *type, cc_error *err)
{
    cparse p;
    cparse_specs s;
    cparse_decl d;
    int rc = -1;

    cparse_init(&p, t, src, len, err);
    p.typename_mode = 1;
    p.known_tags_only = known_tags_only;
    if (cparse_decl_specs(&p, &s, 0) < 0)
        goto out;
    if (s.dots) {
        cparse_error(&p, "'...' is not allowed here");
        goto out;
    }
    d.is_const = s.is_const;
    if (cparse_declarator(&p, s.type, &d) < 0)
        goto out;
    if (!cparse_is(&p, CLEX_EOF)) {
        cparse_unexpected(&p, "the end of the type");
        goto out;
    }
    *type = d.type;
    rc = 0;
out:
    if (rc < 0) {
        cparse_finish_error(&p, src, len);
        if (known_tags_only && err->c_words == NULL)
            err->c_words = err->message;
    }
    cparse_free_stacks(&p);
    return rc;
}

int cc_parse_typename(cc_table *t, const char *src, size_t len,
                      uint32_t *type, cc_error *err)
{
    return cparse_typename(t, src, len, 0, type, err);
}

int cc_parse_typename_c(cc_table *t, const char *src, size_t len,
                        uint32_t *type, cc_error *err)
{
    return cparse_typename(t, src, len, 1, type, err);
}
