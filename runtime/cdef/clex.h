/* clex.h - the cdef lexer: C tokens straight out of the source buffer.
 *
 * One pass over the caller's buffer, no allocation: a token is a pointer and
 * a length into the source plus its position.  Comments, line continuations
 * and whitespace are skipped; a `#` that starts a line gives CLEX_HASH so
 * the parser can read the directive up to CLEX_EOL (clex_directive mode).
 * Keywords are recognised once, when the identifier is lexed.  The whole
 * lexer state is a small struct, so the parser can save and restore it to
 * look ahead or to parse a region twice.
 */
#ifndef CCFFI_CLEX_H
#define CCFFI_CLEX_H

#include <stddef.h>
#include <stdint.h>

/* Token kinds.  Single-character punctuators are their own character code;
 * the others start at 256. */
enum clex_kind {
    CLEX_EOF = 0,
    CLEX_IDENT = 256,   /* identifier or keyword (see kw) */
    CLEX_NUMBER,        /* a preprocessing number: integer or float */
    CLEX_CHAR,          /* 'x' */
    CLEX_STRING,        /* "..." */
    CLEX_ELLIPSIS,      /* ... */
    CLEX_SHL, CLEX_SHR, CLEX_LE, CLEX_GE, CLEX_EQ, CLEX_NE,
    CLEX_ANDAND, CLEX_OROR, CLEX_ARROW, CLEX_INC, CLEX_DEC,
    CLEX_HASH,          /* `#` at the start of a line */
    CLEX_EOL,           /* end of a directive line (directive mode only) */
    CLEX_ERROR          /* lexical error: message in the lexer */
};

/* Keywords: X(ID, "spelling"). */
#define CLEX_KEYWORDS(X)                                                   \
    X(TYPEDEF, "typedef") X(EXTERN, "extern") X(STATIC, "static")          \
    X(INLINE, "inline") X(INLINE2, "__inline") X(INLINE3, "__inline__")    \
    X(CONST, "const") X(CONST2, "__const") X(VOLATILE, "volatile")         \
    X(VOLATILE2, "__volatile__") X(RESTRICT, "restrict")                   \
    X(RESTRICT2, "__restrict") X(RESTRICT3, "__restrict__")                \
    X(SIGNED, "signed") X(SIGNED2, "__signed__") X(UNSIGNED, "unsigned")   \
    X(SHORT, "short") X(LONG, "long") X(INT, "int") X(CHAR, "char")        \
    X(FLOAT, "float") X(DOUBLE, "double") X(VOID, "void")                  \
    X(BOOL, "_Bool") X(COMPLEX, "_Complex") X(COMPLEX2, "__complex__")     \
    X(STRUCT, "struct") X(UNION, "union") X(ENUM, "enum")                  \
    X(SIZEOF, "sizeof") X(ALIGNOF, "_Alignof") X(ALIGNOF2, "__alignof__")  \
    X(CDECL, "__cdecl") X(STDCALL, "__stdcall") X(FASTCALL, "__fastcall")  \
    X(THISCALL, "__thiscall") X(WINAPI, "WINAPI") X(EXTENSION, "__extension__") \
    X(REGISTER, "register") X(AUTO, "auto")

enum clex_kw {
    CLEX_KW_NONE = 0,
#define CLEX_X(id, s) CLEX_KW_##id,
    CLEX_KEYWORDS(CLEX_X)
#undef CLEX_X
    CLEX_KW__COUNT
};

typedef struct clex_token {
    uint16_t kind;         /* enum clex_kind or a character */
    uint16_t kw;           /* enum clex_kw for identifiers */
    uint32_t len;
    const char *s;         /* start in the source */
    int line, column;      /* 1-based */
} clex_token;

/* The whole lexer state; copy it to save a position. */
typedef struct clex {
    const char *src, *end;
    const char *p;           /* next character */
    const char *line_start;  /* for columns */
    int line;
    int directive;           /* 1: a newline ends the directive (CLEX_EOL) */
    int at_line_start;       /* only whitespace seen since the last newline */
    const char *file;        /* NULL: the default name; else a `# N "file"` name */
    uint32_t file_len;
    const char *error;       /* CLEX_ERROR: static message */
} clex;

void clex_init(clex *lx, const char *src, size_t len);

/* Lexes the next token into *tok.  On CLEX_ERROR, lx->error says why and
 * tok is positioned at the offending character. */
void clex_next(clex *lx, clex_token *tok);

/* Name of a keyword, for messages. */
const char *clex_keyword_name(enum clex_kw kw);

#endif /* CCFFI_CLEX_H */
