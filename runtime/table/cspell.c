/* cspell.c - C spellings of table types (see cspell.h).
 *
 * C declarators read inside out: the base type on the left, then pointers,
 * arrays and parameter lists wrapped around the name.  spell_into() builds
 * the declarator from the outermost type inwards, the way a C programmer
 * would: a pointer prefixes "*", an array or function suffixes "[N]" or
 * "(args)", and a pointer to an array or function needs parentheses.
 * Spacing follows CFFI's names ("int *", "int[5]", "int(*)(int)").
 * The cdef's `const` (CCT_TF_CONST_ITEM on the pointer or array holding a
 * const item) is spelled as C places it: "const char *", "char *const *",
 * "const int[3]".
 */
#include <stdio.h>
#include <string.h>

#include "table/cspell.h"

#define SPELL_MAX_DEPTH 64

/* A bounded output buffer that still counts what it could not hold. */
typedef struct spell_out {
    char *buf;
    size_t size;
    size_t len;
} spell_out;

static void out_put(spell_out *o, const char *s, size_t n)
{
    if (o->len < o->size) {
        size_t room = o->size - o->len - 1;
        memcpy(o->buf + o->len, s, n < room ? n : room);
        o->buf[o->len + (n < room ? n : room)] = '\0';
    }
    o->len += n;
}

static void out_str(spell_out *o, const char *s)
{
    out_put(o, s, strlen(s));
}

/* A declarator under construction: text around the name, as a growable
 * string kept in a fixed buffer (spellings are short). */
typedef struct declarator {
    char text[1024];
    size_t len;
    int overflow;
} declarator;

static void decl_prefix(declarator *d, const char *s)
{
    size_t n = strlen(s);
    if (d->len + n >= sizeof d->text) {
        d->overflow = 1;
        return;
    }
    memmove(d->text + n, d->text, d->len + 1);
    memcpy(d->text, s, n);
    d->len += n;
}

static void decl_suffix(declarator *d, const char *s)
{
    size_t n = strlen(s);
    if (d->len + n >= sizeof d->text) {
        d->overflow = 1;
        return;
    }
    memcpy(d->text + d->len, s, n + 1);
    d->len += n;
}

static int spell_into(const cc_table *t, uint32_t type, int is_const,
                      declarator *d, spell_out *o, int depth);
static long spell_type(const cc_table *t, uint32_t type, const char *name,
                       char *buf, size_t size, int depth);

/* The base name of a non-derived type: "int", "struct foo", "foo_t". */
static void spell_base(const cc_table *t, const cct_type *ty, spell_out *o)
{
    static const char *const tag_word[] = {
        [CCT_KIND_STRUCT] = "struct ", [CCT_KIND_UNION] = "union ",
        [CCT_KIND_ENUM] = "enum ",
    };
    switch (ty->kind) {
    case CCT_KIND_VOID:
        out_str(o, "void");
        break;
    case CCT_KIND_PRIMITIVE:
        out_str(o, ty->name ? cc_table_str(t, ty->name) : cc_prims[ty->prim].name);
        break;
    default:
        if (!(ty->flags & CCT_TF_TYPEDEF_NAMED))
            out_str(o, tag_word[ty->kind]);
        out_str(o, cc_table_str(t, ty->name));
        break;
    }
}

/* "(int, char *, ...)" for a function type's parameters. */
static int spell_params(const cc_table *t, const cct_type *fn, declarator *d,
                        int depth)
{
    char piece[512];
    decl_suffix(d, "(");
    for (uint32_t i = 0; i < fn->count; i++) {
        long n = spell_type(t, t->args[fn->first + i], NULL, piece,
                            sizeof piece, depth + 1);
        if (n < 0 || (size_t)n >= sizeof piece)
            return -1;
        if (i > 0)
            decl_suffix(d, ", ");
        decl_suffix(d, piece);
    }
    if (fn->flags & CCT_TF_VARIADIC)
        decl_suffix(d, fn->count ? ", ..." : "...");
    else if (fn->count == 0)
        decl_suffix(d, "void");
    decl_suffix(d, ")");
    return 0;
}

/* Spells `type`, const-qualified if is_const (the flag of what holds it). */
static int spell_into(const cc_table *t, uint32_t type, int is_const,
                      declarator *d, spell_out *o, int depth)
{
    if (type >= t->ntypes || depth > SPELL_MAX_DEPTH)
        return -1;
    const cct_type *ty = &t->types[type];
    int item_const = (ty->flags & CCT_TF_CONST_ITEM) != 0;
    char num[32];

    switch (ty->kind) {
    case CCT_KIND_POINTER: {
        uint8_t inner = t->types[ty->item].kind;
        decl_prefix(d, is_const ? (d->len ? "*const " : "*const") : "*");
        if (inner == CCT_KIND_ARRAY || inner == CCT_KIND_FUNCTION) {
            decl_prefix(d, "(");
            decl_suffix(d, ")");
        }
        return spell_into(t, ty->item, item_const, d, o, depth + 1);
    }
    case CCT_KIND_ARRAY:
        if (ty->flags & CCT_TF_LENGTH_UNKNOWN)
            decl_suffix(d, "[]");
        else if (ty->flags & CCT_TF_LENGTH_DOTS)
            decl_suffix(d, "[...]");
        else {
            snprintf(num, sizeof num, "[%llu]", (unsigned long long)ty->length);
            decl_suffix(d, num);
        }
        return spell_into(t, ty->item, is_const || item_const, d, o, depth + 1);
    case CCT_KIND_FUNCTION:
        if (spell_params(t, ty, d, depth + 1) < 0)
            return -1;
        return spell_into(t, ty->item, 0, d, o, depth + 1);
    default:
        if (is_const)
            out_str(o, "const ");
        spell_base(t, ty, o);
        if (d->len > 0) {
            if (d->text[0] != '[' && d->text[0] != '(')
                out_str(o, " ");
            out_put(o, d->text, d->len);
        }
        return d->overflow ? -1 : 0;
    }
}

static long spell_type(const cc_table *t, uint32_t type, const char *name,
                       char *buf, size_t size, int depth)
{
    declarator d = { .len = 0, .overflow = 0 };
    spell_out o = { buf, size, 0 };
    d.text[0] = '\0';
    if (size > 0)
        buf[0] = '\0';
    if (name != NULL)
        decl_suffix(&d, name);
    if (spell_into(t, type, 0, &d, &o, depth) < 0)
        return -1;
    return (long)o.len;
}

long cc_spell_type(const cc_table *t, uint32_t type, const char *name,
                   char *buf, size_t size)
{
    return spell_type(t, type, name, buf, size, 0);
}
