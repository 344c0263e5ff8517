/* clex.c - the cdef lexer (see clex.h).
 *
 * Walks the source once, byte by byte, and hands out tokens that point into
 * it.  It knows C's lexical rules that matter for declarations: both kinds
 * of comments, backslash-newline continuations, preprocessing numbers,
 * character and string literals with escapes, the multi-character
 * punctuators of constant expressions, and `#` at the start of a line.
 * It never allocates and never reads past the end of the buffer (the buffer
 * need not be NUL-terminated).
 */
#include "cdef/clex.h"

#include <string.h>

static const char *const clex_kw_names[CLEX_KW__COUNT] = {
    "",
#define CLEX_X(id, s) s,
    CLEX_KEYWORDS(CLEX_X)
#undef CLEX_X
};

const char *clex_keyword_name(enum clex_kw kw)
{
    return (unsigned)kw < CLEX_KW__COUNT ? clex_kw_names[kw] : "";
}

/* Keyword recognition: a switch on the length, then the first character,
 * then one memcmp (kept in step with CLEX_KEYWORDS). */
static enum clex_kw clex_keyword(const char *s, uint32_t len)
{
    switch (len) {
    case 3:
        if (s[0] == 'i' && !memcmp(s, "int", 3)) return CLEX_KW_INT;
        break;
    case 4:
        if (s[0] == 'l' && !memcmp(s, "long", 4)) return CLEX_KW_LONG;
        if (s[0] == 'c' && !memcmp(s, "char", 4)) return CLEX_KW_CHAR;
        if (s[0] == 'v' && !memcmp(s, "void", 4)) return CLEX_KW_VOID;
        if (s[0] == 'e' && !memcmp(s, "enum", 4)) return CLEX_KW_ENUM;
        if (s[0] == 'a' && !memcmp(s, "auto", 4)) return CLEX_KW_AUTO;
        break;
    case 5:
        if (s[0] == 'c' && !memcmp(s, "const", 5)) return CLEX_KW_CONST;
        if (s[0] == 's' && !memcmp(s, "short", 5)) return CLEX_KW_SHORT;
        if (s[0] == 'f' && !memcmp(s, "float", 5)) return CLEX_KW_FLOAT;
        if (s[0] == '_' && !memcmp(s, "_Bool", 5)) return CLEX_KW_BOOL;
        if (s[0] == 'u' && !memcmp(s, "union", 5)) return CLEX_KW_UNION;
        break;
    case 6:
        if (s[0] == 'e' && !memcmp(s, "extern", 6)) return CLEX_KW_EXTERN;
        if (s[0] == 's' && !memcmp(s, "static", 6)) return CLEX_KW_STATIC;
        if (s[0] == 'i' && !memcmp(s, "inline", 6)) return CLEX_KW_INLINE;
        if (s[0] == 's' && !memcmp(s, "signed", 6)) return CLEX_KW_SIGNED;
        if (s[0] == 'd' && !memcmp(s, "double", 6)) return CLEX_KW_DOUBLE;
        if (s[0] == 's' && !memcmp(s, "struct", 6)) return CLEX_KW_STRUCT;
        if (s[0] == 's' && !memcmp(s, "sizeof", 6)) return CLEX_KW_SIZEOF;
        if (s[0] == 'W' && !memcmp(s, "WINAPI", 6)) return CLEX_KW_WINAPI;
        break;
    case 7:
        if (s[0] == 't' && !memcmp(s, "typedef", 7)) return CLEX_KW_TYPEDEF;
        if (s[0] == '_' && !memcmp(s, "__const", 7)) return CLEX_KW_CONST2;
        if (s[0] == '_' && !memcmp(s, "__cdecl", 7)) return CLEX_KW_CDECL;
        break;
    case 8:
        if (s[0] == '_' && !memcmp(s, "__inline", 8)) return CLEX_KW_INLINE2;
        if (s[0] == 'v' && !memcmp(s, "volatile", 8)) return CLEX_KW_VOLATILE;
        if (s[0] == 'r' && !memcmp(s, "restrict", 8)) return CLEX_KW_RESTRICT;
        if (s[0] == 'u' && !memcmp(s, "unsigned", 8)) return CLEX_KW_UNSIGNED;
        if (s[0] == '_' && !memcmp(s, "_Complex", 8)) return CLEX_KW_COMPLEX;
        if (s[0] == '_' && !memcmp(s, "_Alignof", 8)) return CLEX_KW_ALIGNOF;
        if (s[0] == 'r' && !memcmp(s, "register", 8)) return CLEX_KW_REGISTER;
        break;
    case 9:
        if (s[0] == '_' && !memcmp(s, "__stdcall", 9)) return CLEX_KW_STDCALL;
        break;
    case 10:
        if (s[0] == '_' && !memcmp(s, "__inline__", 10)) return CLEX_KW_INLINE3;
        if (s[0] == '_' && !memcmp(s, "__restrict", 10)) return CLEX_KW_RESTRICT2;
        if (s[0] == '_' && !memcmp(s, "__signed__", 10)) return CLEX_KW_SIGNED2;
        if (s[0] == '_' && !memcmp(s, "__fastcall", 10)) return CLEX_KW_FASTCALL;
        if (s[0] == '_' && !memcmp(s, "__thiscall", 10)) return CLEX_KW_THISCALL;
        break;
    case 11:
        if (s[0] == '_' && !memcmp(s, "__complex__", 11)) return CLEX_KW_COMPLEX2;
        if (s[0] == '_' && !memcmp(s, "__alignof__", 11)) return CLEX_KW_ALIGNOF2;
        break;
    case 12:
        if (s[0] == '_' && !memcmp(s, "__volatile__", 12)) return CLEX_KW_VOLATILE2;
        if (s[0] == '_' && !memcmp(s, "__restrict__", 12)) return CLEX_KW_RESTRICT3;
        break;
    case 13:
        if (s[0] == '_' && !memcmp(s, "__extension__", 13)) return CLEX_KW_EXTENSION;
        break;
    }
    return CLEX_KW_NONE;
}

void clex_init(clex *lx, const char *src, size_t len)
{
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->end = src + len;
    lx->p = src;
    lx->line_start = src;
    lx->line = 1;
    lx->at_line_start = 1;
}

/* Blanks and single-character punctuators, one table lookup per byte. */
enum { CLEX_C_SPACE = 1, CLEX_C_PUNCT = 2 };

static const unsigned char clex_class[256] = {
    [' '] = CLEX_C_SPACE, ['\t'] = CLEX_C_SPACE, ['\r'] = CLEX_C_SPACE,
    ['\f'] = CLEX_C_SPACE, ['\v'] = CLEX_C_SPACE,
    ['{'] = CLEX_C_PUNCT, ['}'] = CLEX_C_PUNCT, ['('] = CLEX_C_PUNCT,
    [')'] = CLEX_C_PUNCT, ['['] = CLEX_C_PUNCT, [']'] = CLEX_C_PUNCT,
    [';'] = CLEX_C_PUNCT, [','] = CLEX_C_PUNCT, ['*'] = CLEX_C_PUNCT,
    ['='] = CLEX_C_PUNCT, [':'] = CLEX_C_PUNCT, ['<'] = CLEX_C_PUNCT,
    ['>'] = CLEX_C_PUNCT, ['+'] = CLEX_C_PUNCT, ['-'] = CLEX_C_PUNCT,
    ['/'] = CLEX_C_PUNCT, ['%'] = CLEX_C_PUNCT, ['&'] = CLEX_C_PUNCT,
    ['|'] = CLEX_C_PUNCT, ['^'] = CLEX_C_PUNCT, ['~'] = CLEX_C_PUNCT,
    ['!'] = CLEX_C_PUNCT, ['?'] = CLEX_C_PUNCT, ['.'] = CLEX_C_PUNCT,
};

static int clex_is_ident_start(unsigned char c)
{
    return (unsigned)((c | 0x20) - 'a') < 26 || c == '_';
}

static int clex_is_ident_char(unsigned char c)
{
    return clex_is_ident_start(c) || (unsigned)(c - '0') < 10;
}

/* Length of a backslash-newline at p (2 or 3 with "\r\n"), else 0. */
static int clex_continuation(const clex *lx, const char *p)
{
    if (p >= lx->end || *p != '\\')
        return 0;
    if (p + 1 < lx->end && p[1] == '\n')
        return 2;
    if (p + 2 < lx->end && p[1] == '\r' && p[2] == '\n')
        return 3;
    return 0;
}

static void clex_newline(clex *lx, const char *after)
{
    lx->line++;
    lx->p = after;
    lx->line_start = after;
}

/* Skips a block comment starting at lx->p ("/" "*"); 0, or -1 if unterminated. */
static int clex_skip_block_comment(clex *lx)
{
    const char *p = lx->p + 2;
    while (p + 1 < lx->end) {
        if (p[0] == '*' && p[1] == '/') {
            lx->p = p + 2;
            return 0;
        }
        if (*p == '\n')
            clex_newline(lx, p + 1);
        p++;
    }
    return -1;
}

/* Skips a line comment up to (not including) its newline. */
static void clex_skip_line_comment(clex *lx)
{
    const char *p = lx->p + 2;
    while (p < lx->end && *p != '\n') {
        int k = clex_continuation(lx, p);
        if (k) {
            clex_newline(lx, p + k);
            p += k;
        } else {
            p++;
        }
    }
    lx->p = p;
}

/* Skips whitespace and comments; returns -1 on an unterminated comment
 * (lx->p left on it). */
static int clex_skip_space(clex *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (clex_class[(unsigned char)c] & CLEX_C_SPACE) {
            lx->p++;
        } else if (c == '\n') {
            if (lx->directive)
                return 0;
            clex_newline(lx, lx->p + 1);
            lx->at_line_start = 1;
        } else if (c == '\\') {
            int k = clex_continuation(lx, lx->p);
            if (!k)
                return 0;
            clex_newline(lx, lx->p + k);
        } else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
            if (clex_skip_block_comment(lx) < 0)
                return -1;
        } else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/') {
            clex_skip_line_comment(lx);
        } else {
            return 0;
        }
    }
    return 0;
}

/* A preprocessing number: digits, letters, '.', and signs after e/E/p/P. */
static const char *clex_scan_number(const clex *lx, const char *p)
{
    while (p < lx->end) {
        unsigned char c = (unsigned char)*p;
        if ((c == '+' || c == '-') &&
            (p[-1] == 'e' || p[-1] == 'E' || p[-1] == 'p' || p[-1] == 'P'))
            p++;
        else if (clex_is_ident_char(c) || c == '.')
            p++;
        else
            break;
    }
    return p;
}

/* A quoted literal ending in `quote`; NULL if unterminated on its line. */
static const char *clex_scan_quoted(const clex *lx, const char *p, char quote)
{
    p++;
    while (p < lx->end && *p != quote) {
        if (*p == '\n')
            return NULL;
        if (*p == '\\' && p + 1 < lx->end && p[1] != '\n')
            p++;
        p++;
    }
    return p < lx->end ? p + 1 : NULL;
}

/* Two-character punctuators; 0 if none starts at p. */
static int clex_punct2(const clex *lx, const char *p)
{
    if (p + 1 >= lx->end)
        return 0;
    switch (p[0]) {
    case '<': return p[1] == '<' ? CLEX_SHL : p[1] == '=' ? CLEX_LE : 0;
    case '>': return p[1] == '>' ? CLEX_SHR : p[1] == '=' ? CLEX_GE : 0;
    case '=': return p[1] == '=' ? CLEX_EQ : 0;
    case '!': return p[1] == '=' ? CLEX_NE : 0;
    case '&': return p[1] == '&' ? CLEX_ANDAND : 0;
    case '|': return p[1] == '|' ? CLEX_OROR : 0;
    case '-': return p[1] == '>' ? CLEX_ARROW : p[1] == '-' ? CLEX_DEC : 0;
    case '+': return p[1] == '+' ? CLEX_INC : 0;
    }
    return 0;
}

static int clex_is_punct1(unsigned char c)
{
    return clex_class[c] & CLEX_C_PUNCT;
}

static void clex_error(clex *lx, clex_token *tok, const char *msg, uint32_t len)
{
    tok->kind = CLEX_ERROR;
    tok->len = len;
    lx->error = msg;
}

/* Lexes a token starting at lx->p, which is not whitespace nor EOF. */
static void clex_lex_token(clex *lx, clex_token *tok)
{
    const char *p = lx->p, *e;
    unsigned char c = (unsigned char)*p;
    int k;

    if (clex_is_ident_start(c)) {
        for (e = p + 1; e < lx->end && clex_is_ident_char((unsigned char)*e); e++)
            ;
        tok->kind = CLEX_IDENT;
        tok->len = (uint32_t)(e - p);
        tok->kw = (uint16_t)clex_keyword(p, tok->len);
    } else if ((c >= '0' && c <= '9') ||
               (c == '.' && p + 1 < lx->end && p[1] >= '0' && p[1] <= '9')) {
        e = clex_scan_number(lx, p + 1);
        tok->kind = CLEX_NUMBER;
        tok->len = (uint32_t)(e - p);
    } else if (c == '.' && p + 2 < lx->end && p[1] == '.' && p[2] == '.') {
        tok->kind = CLEX_ELLIPSIS;
        tok->len = 3;
    } else if (c == '\'' || c == '"') {
        e = clex_scan_quoted(lx, p, (char)c);
        if (!e) {
            clex_error(lx, tok, c == '"' ? "unterminated string literal"
                                         : "unterminated character constant", 1);
            return;
        }
        tok->kind = c == '"' ? CLEX_STRING : CLEX_CHAR;
        tok->len = (uint32_t)(e - p);
    } else if (c == '#') {
        if (!lx->at_line_start) {
            clex_error(lx, tok, "'#' is only allowed at the start of a line", 1);
            return;
        }
        tok->kind = CLEX_HASH;
        tok->len = 1;
    } else if ((k = clex_punct2(lx, p)) != 0) {
        tok->kind = (uint16_t)k;
        tok->len = 2;
    } else if (clex_is_punct1(c)) {
        tok->kind = c;
        tok->len = 1;
    } else {
        clex_error(lx, tok, "illegal character", 1);
        return;
    }
    lx->p = p + tok->len;
}

void clex_next(clex *lx, clex_token *tok)
{
    int rc = clex_skip_space(lx);
    tok->kw = CLEX_KW_NONE;
    tok->s = lx->p;
    tok->line = lx->line;
    tok->column = (int)(lx->p - lx->line_start) + 1;
    if (rc < 0) {
        clex_error(lx, tok, "unterminated comment", 2);
        return;
    }
    if (lx->p >= lx->end || (lx->directive && *lx->p == '\n')) {
        tok->kind = lx->directive ? CLEX_EOL : CLEX_EOF;
        tok->len = 0;
        return;
    }
    clex_lex_token(lx, tok);
    lx->at_line_start = 0;
}
