/* api_fallback.c - API mode without the compiler plugin: the cdef's table
 * completed at import with the numbers the compiler computed in plain C
 * (api_fallback.h describes the blob).
 *
 * The plan is one walk over the cdef table that lists, in a fixed order,
 * every number the plugin would have read from the header: size and
 * alignment of each named struct/union/enum, the offset of each listed
 * field (offsetof) or the lowest bit of each bitfield (found by setting the
 * field to 1 in a zeroed struct), the length of each `[...]` array where it
 * is used, size/sign/kind of `int...`/`float...` typedefs, the value and
 * sign of each enumerator and constant.  The generator
 * (_cffi_backend._ccffi_fallback_plan(), used by pysrc/cffi/_codegen_fallback.py)
 * gets the plan with the C spellings and writes one expression per entry;
 * at import the same walk over the same table pairs each entry with its
 * number.  Then the numbers are put in: nested anonymous records get their
 * offsets relative to themselves and a layout by C's rule, bitfields the
 * storage unit the table format wants, `[...]` arrays a new array type per
 * use, `int...` types the primitive of that size and sign, enums their
 * integer type.  Where the compiler contradicts what the cdef states, the
 * module behaves as a plugin-built one and as CFFI's: a `#define X 42` of
 * another value keeps the compiler's value and lib.X raises CFFI's
 * ffi.error (a "$mismatch X" record, table/contract.h); a struct whose
 * member sizes (or, without `...;`, offsets and totals) differ keeps the
 * compiler's layout and gets a layout record (table/cmismatch.h), so that
 * its first use raises CFFI's ffi.error; enumerator values are not
 * checked.
 */
#include <Python.h>
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "object/errors.h"
#include "object/ffi_state.h"
#include "table/ctable.h"
#include "table/cspell.h"
#include "table/contract.h"
#include "table/cmismatch.h"
#include "api/api_module.h"
#include "api/api_state.h"
#include "api/api_fallback.h"

/* ---------------------------------------------------------------- plan */

/* X(id, name for the generator): what an entry asks of the compiler. */
#define FB_OPS(X)                                                             \
    X(SIZE, "size")         /* a: type; sizeof(cname) */                      \
    X(ALIGN, "align")       /* a: type; alignment of cname */                 \
    X(OFFSET, "offset")     /* a: field; offsetof(cname, path); extra: how   \
                               to type-check the field (fb_field_check()) */ \
    X(FIELDSIZE, "fieldsize") /* a: field; sizeof(((cname *)0)->path) */     \
    X(BITPOS, "bitpos")     /* a: field; lowest bit of cname's path after     \
                               `s.path = extra` in a zeroed struct */        \
    X(OBJSIZE, "objsize")   /* a: type; sizeof(path), path an expression */  \
    X(ARRAYLEN, "arraylen") /* a: 0 field / 1 decl, b: its index, c: depth;  \
                               sizeof(path) / sizeof((path)[0]) */           \
    X(VARSIZE, "varsize")   /* a: decl of a `T x[...]` variable; sizeof(path), \
                               kept in its decl's value for verify() */     \
    X(SIGN, "sign")         /* a: type; ((cname)-1) <= 0 */                   \
    X(ISFLOAT, "isfloat")   /* a: type; ((cname)1) / 2 is not 0 */            \
    X(ENUMVAL, "enumval")   /* a: enumerator; value and sign of cname (an  \
                               integer constant expression) */               \
    X(CONST_INT, "int")     /* a: decl; value and sign of cname */            \
    X(CONST_FLOAT, "float") /* a: decl; (double)(cname) */                    \
    X(CONST_STRING, "string") /* a: decl; (const char *)(cname) */

enum fb_op {
#define FB_X(id, name) FB_##id,
    FB_OPS(FB_X)
#undef FB_X
    FB__COUNT
};

static const char *const fb_op_names[] = {
#define FB_X(id, name) name,
    FB_OPS(FB_X)
#undef FB_X
};

typedef struct fb_entry {
    uint8_t op;
    uint32_t a, b, c;
    char *cname, *path, *extra;   /* only when the plan is built for the generator */
} fb_entry;

typedef struct fb_plan {
    cc_table *t;
    fb_entry *e;
    size_t n, cap;
    uint8_t *seen;                /* per type: already planned */
    int keep_strings;
    char path[1024];              /* the member path being walked */
    size_t plen;
} fb_plan;

static char *fb_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c != NULL)
        memcpy(c, s, n);
    return c;
}

static int fb_add(fb_plan *p, enum fb_op op, uint32_t a, uint32_t b, uint32_t c,
                  const char *cname, const char *path, const char *extra)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        fb_entry *e = realloc(p->e, cap * sizeof *e);
        if (e == NULL)
            return -1;
        p->e = e;
        p->cap = cap;
    }
    fb_entry *e = &p->e[p->n++];
    memset(e, 0, sizeof *e);
    e->op = (uint8_t)op;
    e->a = a;
    e->b = b;
    e->c = c;
    if (p->keep_strings) {
        e->cname = fb_strdup(cname);
        e->path = fb_strdup(path);
        e->extra = fb_strdup(extra);
        if ((cname && !e->cname) || (path && !e->path) || (extra && !e->extra))
            return -1;
    }
    return 0;
}

static void fb_plan_free(fb_plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->e[i].cname);
        free(p->e[i].path);
        free(p->e[i].extra);
    }
    free(p->e);
    free(p->seen);
    p->e = NULL;
    p->seen = NULL;
    p->n = p->cap = 0;
}

/* The spelling of a type into a malloc()ed string, or NULL. */
static char *fb_spell(const cc_table *t, uint32_t type)
{
    long n = cc_spell_type(t, type, NULL, NULL, 0);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s != NULL)
        cc_spell_type(t, type, NULL, s, (size_t)n + 1);
    return s;
}

static int fb_is_record(const cct_type *ty)
{
    return ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION;
}

/* A step of the chain of arrays and pointers from a site's type to the
 * `[...]` arrays it reaches (`int a[...][4]`, `int (*p)[...]`, `arr_t *`
 * with `typedef int arr_t[...]`); 0 at the chain's end. */
static int fb_chain_step(const cc_table *t, uint32_t type)
{
    int k = t->types[type].kind;
    return k == CCT_KIND_ARRAY || k == CCT_KIND_POINTER;
}

/* The `[...]` lengths of the arrays a site's type reaches through arrays
 * and pointers, outermost first: `obj` is a C expression of the site's
 * object (only ever an operand of sizeof); the depth counts the steps. */
static int fb_array(fb_plan *p, uint32_t site_kind, uint32_t site, uint32_t type,
                    const char *obj)
{
    char expr[1200];
    uint32_t depth = 0;
    if (strlen(obj) >= 900)
        return 0;     /* absurdly deep: left to the cdef */
    strcpy(expr, obj);
    while (fb_chain_step(p->t, type) && strlen(expr) < 900 && depth < 64) {
        const cct_type *ty = &p->t->types[type];
        if (ty->kind == CCT_KIND_ARRAY && (ty->flags & CCT_TF_LENGTH_DOTS)
            && fb_add(p, FB_ARRAYLEN, site_kind, site, depth, NULL, expr, NULL) < 0)
            return -1;
        char inner[1200];
        snprintf(inner, sizeof inner,
                 ty->kind == CCT_KIND_ARRAY ? "(%s)[0]" : "(*%s)", expr);
        strcpy(expr, inner);
        type = ty->item;
        depth++;
    }
    return 0;
}

static int fb_has_dots(const cc_table *t, uint32_t type)
{
    for (int depth = 0; fb_chain_step(t, type) && depth < 64;
         type = t->types[type].item, depth++)
        if (t->types[type].kind == CCT_KIND_ARRAY
            && (t->types[type].flags & CCT_TF_LENGTH_DOTS))
            return 1;
    return 0;
}

/* Pushes ".name" (or "name" at the start) on the path; the old length, or
 * (size_t)-1 when the path would not fit. */
static size_t fb_path_push(fb_plan *p, const char *name)
{
    size_t old = p->plen, n = strlen(name);
    if (old + n + 2 >= sizeof p->path)
        return (size_t)-1;
    if (old)
        p->path[p->plen++] = '.';
    memcpy(p->path + p->plen, name, n + 1);
    p->plen += n;
    return old;
}

static void fb_path_pop(fb_plan *p, size_t old)
{
    p->plen = old;
    p->path[old] = '\0';
}

/* 1 if a spelling is C (no `[...]`, no anonymous struct/union/enum). */
static int fb_spelling_is_c(const char *s)
{
    static const char *const kw[] = { "struct ", "union ", "enum " };
    if (strstr(s, "[...]") != NULL || strchr(s, '$') != NULL)
        return 0;
    for (size_t k = 0; k < sizeof kw / sizeof *kw; k++)
        for (const char *q = s; (q = strstr(q, kw[k])) != NULL; q++) {
            if (q > s && (isalnum((unsigned char)q[-1]) || q[-1] == '_'))
                continue;
            char c = q[strlen(kw[k])];
            if (!isalpha((unsigned char)c) && c != '_')
                return 0;
        }
    return 1;
}

/* How the generated file checks a listed field's type, as CFFI does:
 * "<declarator of tmp>\t<path suffix>\t<prefix of the value>", the
 * statement being `{ DECL = PREFIX p->PATH SUFFIX; }`, or "|\t<suffix>"
 * for an integer (`(void)((p->PATH SUFFIX) | 0);`: any integer type is
 * fine; char and the wide chars are no integers to CFFI), or
 * "v\t<suffix>\t<prefix>" for a pointer to void (`(void)(0 ? PREFIX
 * p->PATH SUFFIX : (const volatile char *)0);` and the same with short: a
 * `void *` of any qualifiers meets both, another object or function pointer
 * not both, which C warns of and C++ refuses, as CFFI's `void **tmp =
 * &p->b`).  Arrays are checked by their items (`&p->a[0]`: their lengths
 * are the size checks' business).  The table keeps no qualifiers, so they
 * are ignored at every level, as the plugin compares: the header's `const
 * int x` is the cdef's `int x` (`const volatile int *tmp = &p->x`), its
 * `const char **v` the cdef's `char **v` (the pointed-to value is checked:
 * `const volatile char *tmp = *p->v`).  malloc()ed, or NULL (no check: a
 * type C cannot spell, an anonymous record whose fields are checked one by
 * one). (In the file the names are _ccffi_tmp and _ccffi_p, which
 * no user macro changes.) */
static char *fb_field_check(const cc_table *t, uint32_t type)
{
    char suffix[64] = "", prefix[40] = "&";
    while (t->types[type].kind == CCT_KIND_ARRAY && strlen(suffix) < 50) {
        strcat(suffix, "[0]");
        type = t->types[type].item;
    }
    const cct_type *ty = &t->types[type];
    /* CFFI's integers: not char, wchar_t, char16_t, char32_t (checked as
     * their type, `char *tmp = &p->c`) */
    if (ty->kind == CCT_KIND_ENUM
        || (ty->kind == CCT_KIND_PRIMITIVE
            && !(cc_prims[ty->prim].flags & (CCT_PF_FLOAT | CCT_PF_COMPLEX
                                             | CCT_PF_CHAR | CCT_PF_WCHAR)))) {
        char *s = malloc(strlen(suffix) + 3);
        if (s != NULL)
            sprintf(s, "|\t%s", suffix);
        return s;
    }
    if (ty->kind == CCT_KIND_ARRAY)
        return NULL;                   /* deeper than the suffix allows */
    uint32_t spelled = type;
    const char *name = "const volatile *_ccffi_tmp";
    if (ty->kind == CCT_KIND_FUNCTION)
        name = "(*_ccffi_tmp)";
    else if (ty->kind == CCT_KIND_POINTER) {
        size_t nd = 0;
        while (t->types[t->types[type].item].kind == CCT_KIND_POINTER
               && nd < sizeof prefix - 1) {
            type = t->types[type].item;
            prefix[nd++] = '*';
        }
        prefix[nd] = '\0';
        uint32_t target = t->types[type].item;
        if (t->types[target].kind == CCT_KIND_VOID) {
            /* `void *`: every object pointer converts to it, so the value is
             * compared with two pointers of unrelated types instead */
            char *s = malloc(strlen(suffix) + strlen(prefix) + 4);
            if (s != NULL)
                sprintf(s, "v\t%s\t%s", suffix, prefix);
            return s;
        }
        if (t->types[target].kind == CCT_KIND_ARRAY
            || t->types[target].kind == CCT_KIND_FUNCTION) {
            spelled = type;            /* exactly: `int (*tmp)(int)` */
            name = "_ccffi_tmp";
        } else
            spelled = target;
    }
    long n = cc_spell_type(t, spelled, name, NULL, 0);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + strlen(suffix) + strlen(prefix) + 3);
    if (s == NULL)
        return NULL;
    cc_spell_type(t, spelled, name, s, (size_t)n + 1);
    if (!fb_spelling_is_c(s)) {
        free(s);
        return NULL;
    }
    strcat(s, "\t");
    strcat(s, suffix);
    strcat(s, "\t");
    strcat(s, prefix);
    return s;
}

static int fb_fields(fb_plan *p, uint32_t rtype, const char *cname)
{
    uint32_t first = p->t->types[rtype].first, count = p->t->types[rtype].count;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t fi = first + i;
        cct_field f = p->t->fields[fi];
        const cct_type *ft = &p->t->types[f.type];
        const char *name = cc_table_str(p->t, f.name);
        if (name[0] == '\0') {
            if (f.bitsize == CCT_NOT_BITFIELD && fb_is_record(ft)
                && !p->seen[f.type]) {
                p->seen[f.type] = 1;      /* anonymous member: transparent */
                if (fb_fields(p, f.type, cname) < 0)
                    return -1;
            }
            continue;                     /* unnamed bitfield: padding */
        }
        size_t old = fb_path_push(p, name);
        if (old == (size_t)-1)
            continue;
        int rc = 0;
        if (f.bitsize != CCT_NOT_BITFIELD) {
            /* -1 fits any signed width, 1 any unsigned one; an enum needs
             * its own type in C++ */
            char *extra = NULL;
            if (ft->kind == CCT_KIND_ENUM) {
                char *sp = fb_spell(p->t, f.type);
                extra = sp ? malloc(strlen(sp) + 8) : NULL;
                if (extra != NULL)
                    sprintf(extra, "(%s)1", sp);
                free(sp);
                if (extra == NULL)
                    return -1;
            }
            int is_signed = ft->kind == CCT_KIND_PRIMITIVE
                            && (cc_prims[ft->prim].flags & CCT_PF_SIGNED);
            rc = fb_add(p, FB_BITPOS, fi, 0, 0, cname, p->path,
                        extra ? extra : is_signed ? "-1" : "1");
            free(extra);
        } else {
            char obj[1200];
            char *check = p->keep_strings ? fb_field_check(p->t, f.type) : NULL;
            if (cname[0] == '*')      /* a record named by a pointer */
                snprintf(obj, sizeof obj, "((%s)0)->%s", cname + 1, p->path);
            else
                snprintf(obj, sizeof obj, "((%s *)0)->%s", cname, p->path);
            rc = fb_add(p, FB_OFFSET, fi, 0, 0, cname, p->path, check);
            free(check);
            if (rc == 0 && !(ft->kind == CCT_KIND_ARRAY
                             && (ft->flags & CCT_TF_LENGTH_UNKNOWN)))
                rc = fb_add(p, FB_FIELDSIZE, fi, 0, 0, cname, p->path, NULL);
            if (rc == 0 && fb_has_dots(p->t, f.type))
                rc = fb_array(p, 0, fi, f.type, obj);
            if (rc == 0 && fb_is_record(ft) && ft->name == 0
                && !(ft->flags & (CCT_TF_TYPEDEF_NAMED | CCT_TF_OPAQUE))
                && !p->seen[f.type]) {
                /* a field of an anonymous record type: only reachable here */
                p->seen[f.type] = 1;
                rc = fb_add(p, FB_OBJSIZE, f.type, 0, 0, NULL, obj, NULL);
                if (rc == 0)
                    rc = fb_fields(p, f.type, cname);
            }
        }
        fb_path_pop(p, old);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int fb_record(fb_plan *p, uint32_t type, const char *cname)
{
    const cct_type *ty = &p->t->types[type];
    if (p->seen[type] || (ty->flags & (CCT_TF_OPAQUE | CCT_TF_DOTS_TYPEDEF)))
        return 0;
    p->seen[type] = 1;
    /* "*foo_p": the anonymous record of `typedef struct {...} *foo_p;`, which
     * C names only through the pointer: no alignment asked (CFFI's neither:
     * its members' give it) */
    if (fb_add(p, FB_SIZE, type, 0, 0, cname, NULL, NULL) < 0
        || (cname[0] != '*'
            && fb_add(p, FB_ALIGN, type, 0, 0, cname, NULL, NULL) < 0))
        return -1;
    p->plen = 0;
    p->path[0] = '\0';
    return fb_fields(p, type, cname);
}

static int fb_enumerators(fb_plan *p, uint32_t type)
{
    const cct_type *ty = &p->t->types[type];
    for (uint32_t i = 0; i < ty->count; i++) {
        uint32_t ei = ty->first + i;
        if (fb_add(p, FB_ENUMVAL, ei, 0, 0,
                   cc_table_str(p->t, p->t->enums[ei].name), NULL, NULL) < 0)
            return -1;
    }
    return 0;
}

static int fb_enum(fb_plan *p, uint32_t type, const char *cname)
{
    const cct_type *ty = &p->t->types[type];
    if (p->seen[type] || (ty->flags & (CCT_TF_OPAQUE | CCT_TF_DOTS_TYPEDEF)))
        return 0;
    p->seen[type] = 1;
    if (fb_add(p, FB_SIZE, type, 0, 0, cname, NULL, NULL) < 0
        || fb_add(p, FB_SIGN, type, 0, 0, cname, NULL, NULL) < 0)
        return -1;
    return fb_enumerators(p, type);
}

static int fb_const(fb_plan *p, uint32_t di)
{
    const cct_decl *d = &p->t->decls[di];
    const cct_type *ty = &p->t->types[d->type];
    const char *name = cc_table_str(p->t, d->name);
    enum fb_op op;
    if (d->kind != CCT_DECL_CONST_INT && d->kind != CCT_DECL_CONST_FLOAT)
        return 0;
    if (ty->kind == CCT_KIND_ENUM)
        op = FB_CONST_INT;
    else if (ty->kind == CCT_KIND_PRIMITIVE) {
        uint32_t fl = cc_prims[ty->prim].flags;   /* int...: an integer */
        if (fl & CCT_PF_COMPLEX)
            return 0;
        op = (fl & CCT_PF_FLOAT) ? FB_CONST_FLOAT : FB_CONST_INT;
    } else if (ty->kind == CCT_KIND_POINTER
               && p->t->types[ty->item].kind == CCT_KIND_PRIMITIVE
               && p->t->types[ty->item].prim == CCT_PRIM_CHAR)
        op = FB_CONST_STRING;
    else
        return 0;                 /* other constants: as the cdef has them */
    return fb_add(p, op, di, 0, 0, name, NULL, NULL);
}

static int fb_decl_is_current(const cc_table *t, uint32_t i)
{
    const cct_decl *d = &t->decls[i];
    const char *name = cc_table_str(t, d->name);
    uint32_t ref;
    int ns = d->kind == CCT_DECL_TAG ? CC_NS_TAG : CC_NS_ORDINARY;
    return cc_table_lookup(t, ns, name, strlen(name), &ref) == 1 && ref == i;
}

/* The whole plan of table t.  0, or -1 when memory runs out. */
static int fb_plan_build(fb_plan *p, cc_table *t, int keep_strings)
{
    memset(p, 0, sizeof *p);
    p->t = t;
    p->keep_strings = keep_strings;
    p->seen = calloc((size_t)t->ntypes + 1, 1);
    if (p->seen == NULL)
        return -1;
    for (uint32_t i = 0; i < t->ndecls; i++) {
        if (!fb_decl_is_current(t, i))
            continue;
        cct_decl d = t->decls[i];
        const cct_type *ty = &t->types[d.type];
        const char *name = cc_table_str(t, d.name);
        char cname[600];
        int rc = 0;
        switch (d.kind) {
        case CCT_DECL_TAG:
            if (strlen(name) > 500)
                break;
            snprintf(cname, sizeof cname, "%s %s",
                     ty->kind == CCT_KIND_STRUCT ? "struct"
                     : ty->kind == CCT_KIND_UNION ? "union" : "enum", name);
            rc = fb_is_record(ty) ? fb_record(p, d.type, cname)
               : ty->kind == CCT_KIND_ENUM ? fb_enum(p, d.type, cname) : 0;
            break;
        case CCT_DECL_TYPEDEF:
            if (fb_is_record(ty))
                rc = fb_record(p, d.type, name);
            else if (ty->kind == CCT_KIND_ENUM)
                rc = fb_enum(p, d.type, name);
            else if (ty->kind == CCT_KIND_PRIMITIVE
                     && (cc_prims[ty->prim].flags & CCT_PF_UNKNOWN)
                     && !p->seen[d.type]) {
                p->seen[d.type] = 1;
                rc = fb_add(p, FB_SIZE, d.type, 0, 0, name, NULL, NULL);
                if (rc == 0)
                    rc = fb_add(p, FB_SIGN, d.type, 0, 0, name, NULL, NULL);
                if (rc == 0)
                    rc = fb_add(p, FB_ISFLOAT, d.type, 0, 0, name, NULL, NULL);
            } else if (ty->kind == CCT_KIND_POINTER
                       && fb_is_record(&t->types[ty->item])
                       && !p->seen[ty->item] && strlen(name) < 500) {
                /* `typedef struct {...} *foo_p;` (CFFI's named pointer) */
                char *sp = fb_spell(t, ty->item);
                int anonymous = sp != NULL && !fb_spelling_is_c(sp);
                free(sp);
                snprintf(cname, sizeof cname, "*%s", name);
                if (anonymous)
                    rc = fb_record(p, ty->item, cname);
            } else if (fb_has_dots(t, d.type)
                       && strlen(name) < 500) {
                snprintf(cname, sizeof cname, "(*(%s *)0)", name);
                rc = fb_array(p, 1, i, d.type, cname);
            }
            break;
        case CCT_DECL_VARIABLE:
            if (fb_has_dots(t, d.type)
                && strlen(name) < 500) {
                snprintf(cname, sizeof cname, "(%s)", name);
                rc = fb_array(p, 1, i, d.type, cname);
                /* its bytes: CFFI's verify() refuses a size that is no
                 * multiple of the cdef's item ("bad size"), which the
                 * length sizeof(x) / sizeof(x[0]) alone cannot tell */
                if (rc == 0 && ty->kind == CCT_KIND_ARRAY
                    && (ty->flags & CCT_TF_LENGTH_DOTS))
                    rc = fb_add(p, FB_VARSIZE, i, 0, 0, NULL, cname, NULL);
            }
            break;
        case CCT_DECL_CONST_INT:
        case CCT_DECL_CONST_FLOAT:
            rc = fb_const(p, i);
            break;
        default:
            break;
        }
        if (rc < 0)
            return -1;
    }
    /* enumerators of anonymous enums: C knows them by name */
    for (uint32_t ti = 0; ti < t->ntypes; ti++) {
        const cct_type *ty = &t->types[ti];
        if (ty->kind == CCT_KIND_ENUM && !p->seen[ti]
            && !(ty->flags & CCT_TF_OPAQUE)) {
            p->seen[ti] = 1;
            if (fb_enumerators(p, ti) < 0)
                return -1;
        }
    }
    return 0;
}

/* --------------------------------------------------------------- apply */

typedef struct fb_state {
    cc_table *t;
    cc_table orig;            /* the cdef's table before any number */
    uint8_t *has_off;         /* per field: offset holds an absolute offset */
    uint64_t *bitpos;         /* per field: absolute bit, or UINT64_MAX */
    int8_t *sign, *isfloat;   /* per type: -1 unknown */
    uint8_t *has_size, *has_align, *objsize;
    uint8_t *enum_neg;        /* per enumerator: the value is negative */
    uint8_t *enum_set;        /* per enumerator: the compiler gave it */
    uint64_t *fsize;          /* per field: sizeof as the compiler says, or
                                 UINT64_MAX */
} fb_state;

static int fb_ffi_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PyObject *msg = PyUnicode_FromFormatV(fmt, ap);
    va_end(ap);
    if (msg != NULL) {
        PyErr_SetObject(ccm_FFIError, msg);
        Py_DECREF(msg);
    }
    return -1;
}

static int fb_nomem(void)
{
    PyErr_NoMemory();
    return -1;
}

/* Adds the CONST_STRING declaration `name` = text[0..len) (a "$mismatch"
 * record).  0, or -1 when memory runs out. */
static int fb_add_string_decl(cc_table *t, const char *name, const char *text,
                              size_t len)
{
    cct_decl d;
    uint32_t soff, ptr, chr, ref;
    memset(&d, 0, sizeof d);
    if (len > UINT32_MAX
        || cc_table_string(t, name, strlen(name), &d.name) < 0
        || cc_table_string(t, text, len, &soff) < 0
        || cc_table_primitive(t, CCT_PRIM_CHAR, &chr) < 0
        || cc_table_pointer(t, chr, &ptr) < 0)
        return -1;
    d.kind = CCT_DECL_CONST_STRING;
    d.type = ptr;
    d.slot = CCT_NO_SLOT;
    d.value = soff | ((uint64_t)len << 32);
    return cc_table_add_decl(t, &d, &ref);
}

/* A value the cdef and the compiler disagree on: recorded as the plugin
 * records it (table/contract.h, CCC_MISMATCH_PREFIX), a CONST_STRING
 * declaration "$mismatch NAME" holding CFFI's message, which lib.NAME
 * raises as ffi.error; the table keeps the compiler's value.  `got_nonpos`
 * is the compiler's `value <= 0`.  0, or -1 with MemoryError. */
static int fb_mismatch(cc_table *t, const char *name, unsigned long long got,
                       int got_nonpos)
{
    char text[64], *key = NULL, *msg = NULL;
    int rc = -1;
    if (!got_nonpos)        /* CFFI's realize_global_int() */
        snprintf(text, sizeof text, "%llu (0x%llx)", got, got);
    else
        snprintf(text, sizeof text, "%lld", (long long)got);
    size_t nlen = strlen(name);
    key = malloc(sizeof CCC_MISMATCH_PREFIX + nlen);
    msg = malloc(nlen + sizeof text + 80);
    if (key == NULL || msg == NULL)
        goto done;
    memcpy(key, CCC_MISMATCH_PREFIX, sizeof CCC_MISMATCH_PREFIX - 1);
    memcpy(key + sizeof CCC_MISMATCH_PREFIX - 1, name, nlen + 1);
    sprintf(msg, "the C compiler says '%s' is equal to %s, but the cdef "
            "disagrees", name, text);
    rc = fb_add_string_decl(t, key, msg, strlen(msg));
done:
    free(key);
    free(msg);
    return rc < 0 ? fb_nomem() : 0;
}

/* The integer primitive of a size and sign, as the plugin records them. */
static int fb_int_prim(uint64_t size, int is_signed, enum cct_prim *out)
{
    switch (size) {
    case 1: *out = is_signed ? CCT_PRIM_SCHAR : CCT_PRIM_UCHAR; return 0;
    case 2: *out = is_signed ? CCT_PRIM_SHORT : CCT_PRIM_USHORT; return 0;
    case 4: *out = is_signed ? CCT_PRIM_INT : CCT_PRIM_UINT; return 0;
    case 8: *out = is_signed ? CCT_PRIM_LONG : CCT_PRIM_ULONG; return 0;
    default: return -1;
    }
}

static void fb_set_prim(cct_type *ty, enum cct_prim prim)
{
    ty->prim = (uint8_t)prim;
    ty->size = cc_prims[prim].size;
    ty->align = cc_prims[prim].align;
}

static int fb_apply_constant(fb_state *s, const fb_entry *e, const api_fb_value *v)
{
    cct_decl *d = &s->t->decls[e->a];
    const cct_decl *od = &s->orig.decls[e->a];
    const char *name = cc_table_str(s->t, d->name);
    int neg = (v->flags & API_FB_NONPOS) && v->u != 0;
    switch (e->op) {
    case FB_CONST_INT:
        if (!(od->flags & CCT_DF_DOTS_VALUE) && od->kind == CCT_DECL_CONST_INT) {
            /* CFFI's _cffi_check_int(): same bits, same `<= 0` */
            int want_nonpos = od->value == 0
                              || (!(od->flags & CCT_DF_UNSIGNED)
                                  && (int64_t)od->value < 0);
            int got_nonpos = (v->flags & API_FB_NONPOS) != 0;
            if ((v->u != od->value || got_nonpos != want_nonpos)
                && fb_mismatch(s->t, name, v->u, got_nonpos) < 0)
                return -1;
            d = &s->t->decls[e->a];     /* the table may have moved */
        }
        d->kind = CCT_DECL_CONST_INT;
        d->value = v->u;
        /* the sign is all C tells of the constant's type here: unsigned
         * only where a signed reading would be wrong */
        d->flags = (uint16_t)((d->flags & ~(CCT_DF_DOTS_VALUE | CCT_DF_UNSIGNED))
                              | (!neg && v->u > (unsigned long long)INT64_MAX
                                 ? CCT_DF_UNSIGNED : 0));
        return 0;
    case FB_CONST_FLOAT:
        d->kind = CCT_DECL_CONST_FLOAT;
        memcpy(&d->value, &v->d, sizeof v->d);
        d->flags &= (uint16_t)~CCT_DF_DOTS_VALUE;
        return 0;
    default: {                      /* FB_CONST_STRING */
        if (v->s == NULL)
            return fb_ffi_error("constant '%s' is NULL in the source", name);
        size_t len = strlen(v->s);
        uint32_t off;
        if (len > UINT32_MAX / 2)
            return fb_ffi_error("constant '%s' is too long", name);
        if (cc_table_string(s->t, v->s, len, &off) < 0)
            return fb_nomem();
        d = &s->t->decls[e->a];
        d->kind = CCT_DECL_CONST_STRING;
        d->value = off | ((uint64_t)len << 32);
        d->flags &= (uint16_t)~CCT_DF_DOTS_VALUE;
        return 0;
    }
    }
}

/* The lowest absolute byte offset inside record `type` (its fields hold
 * absolute positions), or UINT64_MAX when none is known. */
static uint64_t fb_min_offset(fb_state *s, uint32_t type, int depth)
{
    const cct_type *ty = &s->t->types[type];
    uint64_t best = UINT64_MAX;
    if (depth > 64)
        return best;
    for (uint32_t i = 0; i < ty->count; i++) {
        uint32_t fi = ty->first + i;
        const cct_field *f = &s->t->fields[fi];
        uint64_t o = UINT64_MAX;
        if (f->name == 0 && f->bitsize == CCT_NOT_BITFIELD
            && fb_is_record(&s->t->types[f->type]))
            o = fb_min_offset(s, f->type, depth + 1);
        else if (s->bitpos[fi] != UINT64_MAX)
            o = s->bitpos[fi] / 8;
        else if (s->has_off[fi])
            o = s->t->fields[fi].offset;
        if (o < best)
            best = o;
    }
    return best;
}

static int fb_layout_of(const cc_table *t, uint32_t type, uint64_t *size, uint32_t *align)
{
    return cc_type_layout(&t->types[type], size, align);
}

/* Turns the absolute positions of record `type`'s fields into positions
 * relative to `base` (the record's own absolute offset), recursively, and
 * gives nested records a layout. */
static void fb_relativize(fb_state *s, uint32_t type, uint64_t base, int depth)
{
    if (depth > 64)
        return;
    uint32_t first = s->t->types[type].first, count = s->t->types[type].count;
    uint64_t end = 0;
    uint32_t align = 1;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t fi = first + i;
        cct_field *f = &s->t->fields[fi];
        uint32_t ftype = f->type;
        uint64_t fsize = 0;
        uint32_t falign = 1;
        int known = fb_layout_of(s->t, ftype, &fsize, &falign);
        if (f->name == 0 && f->bitsize == CCT_NOT_BITFIELD
            && fb_is_record(&s->t->types[ftype])) {
            uint64_t nb = fb_min_offset(s, ftype, depth + 1);
            if (nb == UINT64_MAX || nb < base)
                nb = base;
            f->offset = nb - base;
            fb_relativize(s, ftype, nb, depth + 1);
            f = &s->t->fields[fi];
            known = fb_layout_of(s->t, ftype, &fsize, &falign);
        } else if (s->bitpos[fi] != UINT64_MAX) {
            uint64_t rel = s->bitpos[fi] - base * 8;
            uint64_t unit = known && fsize ? fsize : 1;
            uint64_t uoff = rel / (8 * unit) * unit;
            if (rel - uoff * 8 + (uint64_t)f->bitsize <= 8 * unit) {
                f->offset = uoff;
                f->bitshift = (int16_t)(rel - uoff * 8);
            } else {
                f->offset = rel / 8;
                f->bitshift = (int16_t)(rel % 8);
            }
            uint64_t bend = (rel + (uint64_t)f->bitsize + 7) / 8;
            if (bend > end)
                end = bend;
            if (known && falign > align)
                align = falign;
            continue;
        } else if (s->has_off[fi]) {
            f->offset -= base;
            if (s->objsize[ftype]) {
                fb_relativize(s, ftype, base + f->offset, depth + 1);
                f = &s->t->fields[fi];
                known = fb_layout_of(s->t, ftype, &fsize, &falign);
            }
        } else
            continue;   /* unnamed bitfield, or a field the plan skipped */
        if (known) {
            if (f->offset + fsize > end)
                end = f->offset + fsize;
            if (falign > align)
                align = falign;
        }
    }
    if (depth > 0) {
        /* a nested record: C's rule, unless sizeof gave the size */
        cct_type *ty = &s->t->types[type];
        if (!s->objsize[type])
            ty->size = (end + align - 1) / align * align;
        ty->align = align;
        ty->flags |= CCT_TF_LAYOUT_KNOWN;
    } else if (!s->has_align[type])
        s->t->types[type].align = align;    /* a named pointer's record */
}

/* A member the compiler gives another size: the type of that size (the
 * integer of that size and the cdef's sign, else char[size]) stands for
 * the cdef's, so that the layout holds together (the member is never
 * reached: the record's first use raises ffi.error).  0, or -1. */
static int fb_sized_as_compiler(cc_table *t, uint32_t fi, uint64_t size)
{
    const cct_type *ty = &t->types[t->fields[fi].type];
    enum cct_prim prim;
    uint32_t out, chr;
    int is_int = ty->kind == CCT_KIND_ENUM
                 || (ty->kind == CCT_KIND_PRIMITIVE
                     && !(cc_prims[ty->prim].flags
                          & (CCT_PF_FLOAT | CCT_PF_COMPLEX)));
    int is_signed = ty->kind == CCT_KIND_PRIMITIVE
                    && (cc_prims[ty->prim].flags & CCT_PF_SIGNED);
    if (is_int && fb_int_prim(size, is_signed, &prim) == 0) {
        if (cc_table_primitive(t, prim, &out) < 0)
            return -1;
    } else if (cc_table_primitive(t, CCT_PRIM_CHAR, &chr) < 0
               || cc_table_array(t, chr, size, 0, &out) < 0)
        return -1;
    t->fields[fi].type = out;
    return 0;
}

/* The differences CFFI checks between the cdef's layout of a record and
 * the compiler's, appended to a layout record (table/cmismatch.h): each
 * named member's size (the cdef type's against sizeof, members of
 * anonymous members flattened as C reaches them; bitfields and `[]` never),
 * and when `exact` each member's offset.  0, or -1 when memory runs out. */
static int fb_record_diffs(fb_state *s, uint32_t type, int exact, char **text,
                           size_t *len, int depth)
{
    uint32_t first = s->t->types[type].first, count = s->t->types[type].count;
    if (depth > 64)
        return 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t fi = first + i;
        const cct_field *f = &s->t->fields[fi];
        if (f->bitsize != CCT_NOT_BITFIELD)
            continue;
        if (f->name == 0) {
            if (fb_is_record(&s->t->types[f->type])
                && fb_record_diffs(s, f->type, exact, text, len, depth + 1) < 0)
                return -1;
            continue;
        }
        const char *name = cc_table_str(s->t, f->name);
        uint64_t size;
        uint32_t align;
        if (s->fsize[fi] != UINT64_MAX && fb_layout_of(s->t, f->type, &size, &align)
            && size != s->fsize[fi]) {
            if (cc_layout_diff_append(text, len, CC_LAYOUT_FIELD_SIZE, name,
                                      (long long)size, (long long)s->fsize[fi]) < 0
                || fb_sized_as_compiler(s->t, fi, s->fsize[fi]) < 0)
                return -1;
            f = &s->t->fields[fi];
        }
        if (exact && s->has_off[fi] && f->offset != s->orig.fields[fi].offset
            && cc_layout_diff_append(text, len, CC_LAYOUT_FIELD_OFFSET, name,
                                     (long long)s->orig.fields[fi].offset,
                                     (long long)f->offset) < 0)
            return -1;
    }
    return 0;
}

/* A record whose cdef the compiler contradicts keeps the compiler's layout
 * and gets a layout record "$mismatch <its name as CFFI shows it>", as the
 * plugin writes it: the runtime raises CFFI's ffi.error where CFFI first
 * needs the fields.  Offsets and totals are CFFI's checks of a record
 * without `...;` and without anonymous members; member sizes, of any.
 * 0, or -1 with MemoryError. */
static int fb_layout_record(fb_state *s, uint32_t type)
{
    const cct_type *o = &s->orig.types[type];
    int exact = !(o->flags & (CCT_TF_PARTIAL | CCT_TF_OPAQUE))
                && (o->flags & CCT_TF_LAYOUT_KNOWN);
    for (uint32_t i = 0; exact && i < o->count; i++) {
        const cct_field *f = &s->orig.fields[o->first + i];
        if (f->name == 0 && f->bitsize == CCT_NOT_BITFIELD
            && fb_is_record(&s->orig.types[f->type]))
            exact = 0;                  /* CFFI: laid out by the compiler */
    }
    char *text = NULL, *key = NULL;
    size_t len = 0;
    int rc = -1;
    if (fb_record_diffs(s, type, exact, &text, &len, 0) < 0)
        goto done;
    const cct_type *n = &s->t->types[type];
    if (exact && n->size != o->size
        && cc_layout_diff_append(&text, &len, CC_LAYOUT_TOTAL_SIZE, NULL,
                                 (long long)o->size, (long long)n->size) < 0)
        goto done;
    if (exact && n->align != o->align
        && cc_layout_diff_append(&text, &len, CC_LAYOUT_TOTAL_ALIGNMENT, NULL,
                                 (long long)o->align, (long long)n->align) < 0)
        goto done;
    if (len == 0) {
        rc = 0;
        goto done;
    }
    char *tname = fb_spell(s->t, type);
    if (tname == NULL)
        goto done;
    key = malloc(sizeof CCC_MISMATCH_PREFIX + strlen(tname));
    if (key != NULL)
        sprintf(key, "%s%s", CCC_MISMATCH_PREFIX, tname);
    free(tname);
    if (key != NULL)
        rc = fb_add_string_decl(s->t, key, text, len);
done:
    free(text);
    free(key);
    return rc < 0 ? fb_nomem() : 0;
}

/* The array types of one use site, rebuilt with the compiler's lengths
 * (the pointers on the way to them too). */
typedef struct fb_len { uint32_t kind, site, depth; uint64_t length; } fb_len;

static int fb_rebuild_array(fb_state *s, uint32_t type, const fb_len *lens,
                            size_t nlens, uint32_t kind, uint32_t site,
                            uint32_t depth, uint32_t *out)
{
    cct_type ty = s->t->types[type];
    if (!fb_chain_step(s->t, type) || depth > 64) {
        *out = type;
        return 0;
    }
    uint32_t item;
    if (fb_rebuild_array(s, ty.item, lens, nlens, kind, site, depth + 1, &item) < 0)
        return -1;
    if (ty.kind == CCT_KIND_POINTER) {
        if (item == ty.item) {
            *out = type;
            return 0;
        }
        return cc_table_pointer(s->t, item, out) < 0 ? fb_nomem() : 0;
    }
    uint64_t length = ty.length;
    uint16_t flags = ty.flags;
    for (size_t i = 0; i < nlens; i++)
        if (lens[i].kind == kind && lens[i].site == site && lens[i].depth == depth
            && (flags & CCT_TF_LENGTH_DOTS)) {
            length = lens[i].length;
            flags &= (uint16_t)~CCT_TF_LENGTH_DOTS;
        }
    if (item == ty.item && flags == ty.flags) {
        *out = type;
        return 0;
    }
    return cc_table_array(s->t, item, length, flags, out) < 0 ? fb_nomem() : 0;
}

/* The types made of a `[...]` typedef's type elsewhere than at the sites
 * the plan measured (the parameters of a prototype: `int f(foo_t *)`), made
 * again of the typedef's measured type: map[old] = new for the typedefs'
 * types (an old type two typedefs measure differently is left alone), then
 * for every pointer, array and function type built of a mapped one; the
 * fields and declarations then take the mapped types.  0, or -1. */
static int fb_substitute_typedefs(fb_state *s, const fb_len *lens, size_t nlens)
{
    cc_table *t = s->t;
    uint32_t n0 = t->ntypes;
    int any = 0;
    for (size_t i = 0; i < nlens; i++)
        any |= lens[i].kind == 1
               && t->decls[lens[i].site].kind == CCT_DECL_TYPEDEF;
    if (!any)
        return 0;
    uint32_t *map = malloc((size_t)n0 * sizeof *map);
    uint32_t *args = NULL;
    if (map == NULL)
        return fb_nomem();
    for (uint32_t i = 0; i < n0; i++)
        map[i] = i;
    for (size_t i = 0; i < nlens; i++) {
        uint32_t site = lens[i].site;
        if (lens[i].kind != 1 || t->decls[site].kind != CCT_DECL_TYPEDEF
            || (i > 0 && lens[i - 1].kind == 1 && lens[i - 1].site == site))
            continue;
        uint32_t old = s->orig.decls[site].type, repl = t->decls[site].type;
        if (old >= n0 || repl == old)
            continue;
        map[old] = map[old] == old || map[old] == repl ? repl : UINT32_MAX;
    }
    for (uint32_t i = 0; i < n0; i++)
        if (map[i] == UINT32_MAX)
            map[i] = i;                      /* measured twice, differently */
    int rc = -1;
    for (int changed = 1, round = 0; changed && round < 64; round++) {
        changed = 0;
        for (uint32_t i = 0; i < n0; i++) {
            cct_type ty = t->types[i];
            uint32_t out, item = ty.item < n0 ? map[ty.item] : ty.item;
            if (map[i] != i)
                continue;
            if (ty.kind == CCT_KIND_POINTER && item != ty.item) {
                if (cc_table_pointer(t, item, &out) < 0)
                    goto done;
            } else if (ty.kind == CCT_KIND_ARRAY && item != ty.item) {
                if (cc_table_array(t, item, ty.length, ty.flags, &out) < 0)
                    goto done;
            } else if (ty.kind == CCT_KIND_FUNCTION) {
                int differs = item != ty.item;
                free(args);
                args = malloc(((size_t)ty.count + 1) * sizeof *args);
                if (args == NULL)
                    goto done;
                for (uint32_t k = 0; k < ty.count; k++) {
                    uint32_t a = t->args[ty.first + k];
                    args[k] = a < n0 ? map[a] : a;
                    differs |= args[k] != a;
                }
                if (!differs)
                    continue;
                if (cc_table_function(t, item, args, ty.count, ty.flags, &out) < 0)
                    goto done;
            } else
                continue;
            map[i] = out;
            changed = 1;
        }
    }
    for (uint32_t i = 0; i < t->nfields; i++)
        if (t->fields[i].type < n0)
            t->fields[i].type = map[t->fields[i].type];
    for (uint32_t i = 0; i < t->ndecls; i++) {
        cct_decl *d = &t->decls[i];
        if (d->kind != CCT_DECL_TAG && d->type < n0)
            d->type = map[d->type];
    }
    rc = 0;
done:
    free(map);
    free(args);
    return rc < 0 ? fb_nomem() : 0;
}

static void fb_state_free(fb_state *s)
{
    cc_table_free(&s->orig);
    free(s->has_off);
    free(s->bitpos);
    free(s->fsize);
    free(s->sign);
    free(s->isfloat);
    free(s->has_size);
    free(s->has_align);
    free(s->objsize);
    free(s->enum_neg);
    free(s->enum_set);
}

/* Names for messages: the C name each planned type was reached by. */
static const char *fb_cname(const fb_plan *p, uint32_t type)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->e[i].op == FB_SIZE && p->e[i].a == type && p->e[i].cname)
            return p->e[i].cname;
    return "?";
}

/* Completes table t with the numbers, entry by entry.  0, or -1 with an
 * exception. */
static int fb_apply(cc_table *t, fb_plan *p, const api_fb_value *values)
{
    fb_state s;
    int rc = -1;
    fb_len *lens = NULL;
    size_t nlens = 0;
    memset(&s, 0, sizeof s);
    s.t = t;
    if (cc_table_copy(&s.orig, t) < 0)
        return fb_nomem();
    uint32_t nt = t->ntypes + 1, nf = t->nfields + 1, ne = t->nenums + 1;
    s.has_off = calloc(nf, 1);
    s.bitpos = malloc(nf * sizeof *s.bitpos);
    s.fsize = malloc(nf * sizeof *s.fsize);
    s.sign = malloc(nt);
    s.isfloat = malloc(nt);
    s.has_size = calloc(nt, 1);
    s.has_align = calloc(nt, 1);
    s.objsize = calloc(nt, 1);
    s.enum_neg = calloc(ne, 1);
    s.enum_set = calloc(ne, 1);
    lens = malloc((p->n + 1) * sizeof *lens);
    if (!s.has_off || !s.bitpos || !s.fsize || !s.sign || !s.isfloat || !s.has_size
        || !s.has_align || !s.objsize || !s.enum_neg || !s.enum_set || !lens) {
        fb_nomem();
        goto done;
    }
    for (uint32_t i = 0; i < nf; i++)
        s.bitpos[i] = s.fsize[i] = UINT64_MAX;
    memset(s.sign, -1, nt);
    memset(s.isfloat, -1, nt);

    /* 1. every number where it goes */
    for (size_t k = 0; k < p->n; k++) {
        const fb_entry *e = &p->e[k];
        const api_fb_value *v = &values[k];
        switch (e->op) {
        case FB_SIZE:
            t->types[e->a].size = v->u;
            s.has_size[e->a] = 1;
            break;
        case FB_ALIGN:
            if (v->u == 0 || v->u > UINT32_MAX) {
                PyErr_Format(PyExc_ImportError, "ccffi module: alignment %llu "
                             "for '%s'", v->u, fb_cname(p, e->a));
                goto done;
            }
            t->types[e->a].align = (uint32_t)v->u;
            s.has_align[e->a] = 1;
            break;
        case FB_OFFSET:
            t->fields[e->a].offset = v->u;
            s.has_off[e->a] = 1;
            break;
        case FB_BITPOS:
            s.bitpos[e->a] = v->u;
            break;
        case FB_FIELDSIZE:
            s.fsize[e->a] = v->u;
            break;
        case FB_OBJSIZE:
            t->types[e->a].size = v->u;
            s.objsize[e->a] = 1;
            break;
        case FB_ARRAYLEN:
            lens[nlens].kind = e->a;
            lens[nlens].site = e->b;
            lens[nlens].depth = e->c;
            lens[nlens].length = v->u;
            nlens++;
            break;
        case FB_VARSIZE:
            t->decls[e->a].value = v->u;    /* unused by variables otherwise */
            break;
        case FB_SIGN:
            s.sign[e->a] = (int8_t)((v->flags & API_FB_NONPOS) != 0);
            break;
        case FB_ISFLOAT:
            s.isfloat[e->a] = (int8_t)(v->u != 0);
            break;
        case FB_ENUMVAL:
            t->enums[e->a].value = v->u;
            t->enums[e->a].flags &= ~CCT_EF_DOTS_VALUE;
            s.enum_neg[e->a] = (v->flags & API_FB_NONPOS) && v->u != 0;
            s.enum_set[e->a] = 1;
            break;
        default:
            if (fb_apply_constant(&s, e, v) < 0)
                goto done;
            break;
        }
    }

    /* 2. `int...` / `float...`: the primitive of that size, sign and kind
     * (the types a "$mismatch" record adds are not the plan's) */
    for (uint32_t ti = 0, ntypes = t->ntypes; ti < ntypes; ti++) {
        cct_type *ty = &t->types[ti];
        if (ty->kind != CCT_KIND_PRIMITIVE || !s.has_size[ti]
            || !(cc_prims[ty->prim].flags & CCT_PF_UNKNOWN))
            continue;
        const char *name = cc_table_str(t, ty->name);
        enum cct_prim prim;
        if (ty->prim == CCT_PRIM_UNKNOWN_INT) {
            if (s.isfloat[ti] == 1 || fb_int_prim(ty->size, s.sign[ti] == 1, &prim) < 0) {
                fb_ffi_error("primitive integer type with an unexpected size "
                             "(or not an integer type at all): '%s'", name);
                goto done;
            }
        } else {
            if (s.isfloat[ti] != 1 || !(ty->size == sizeof(float)
                                        || ty->size == sizeof(double))) {
                /* as the plugins (CCC_MF_FLOAT_DOTS): the type stays the
                 * unknown float, realizing it raises CFFI's ffi.error */
                int ldouble = s.isfloat[ti] == 1 && ty->size == sizeof(long double);
                ty->size = CCT_SIZE_UNKNOWN;   /* ty may move below */
                char *key = malloc(sizeof CCC_MISMATCH_PREFIX + strlen(name));
                if (key == NULL) {
                    fb_nomem();
                    goto done;
                }
                sprintf(key, "%s%s", CCC_MISMATCH_PREFIX, name);
                const char *msg = ldouble
                    ? "primitive floating-point type is 'long double', not "
                      "supported for now with the syntax 'typedef double... xxx;'"
                    : "primitive floating-point type with an unexpected size "
                      "(or not a float type at all)";
                int rc2 = fb_add_string_decl(t, key, msg, strlen(msg));
                free(key);
                if (rc2 < 0) {
                    fb_nomem();
                    goto done;
                }
                continue;
            }
            prim = ty->size == sizeof(float) ? CCT_PRIM_FLOAT : CCT_PRIM_DOUBLE;
        }
        fb_set_prim(ty, prim);
        ty->name = 0;
        ty->flags = 0;
    }

    /* 3. enums: their integer type.  The enumerators keep the compiler's
     * values unchecked, as CFFI's API mode (its recompiler checks the
     * values of `#define X 42` only) and the plugin do. */
    for (uint32_t ti = 0; ti < t->ntypes; ti++) {
        cct_type *ty = &t->types[ti];
        if (ty->kind != CCT_KIND_ENUM || (ty->flags & CCT_TF_OPAQUE))
            continue;
        int any_neg = 0, any_set = 0, big = 0;
        for (uint32_t i = 0; i < ty->count; i++) {
            uint32_t ei = ty->first + i;
            if (!s.enum_set[ei])
                continue;
            any_set = 1;
            any_neg |= s.enum_neg[ei];
            uint64_t u = t->enums[ei].value;
            if (s.enum_neg[ei] ? (int64_t)u < INT32_MIN : u > UINT32_MAX)
                big = 1;
        }
        if (!any_set && !s.has_size[ti])
            continue;
        int is_signed = s.sign[ti] >= 0 ? s.sign[ti] : any_neg;
        uint64_t size = s.has_size[ti] ? ty->size : big ? 8 : 4;
        enum cct_prim prim;
        if (fb_int_prim(size, is_signed, &prim) < 0) {
            fb_ffi_error("enum '%s': the C compiler says its size is %llu",
                         fb_cname(p, ti), (unsigned long long)size);
            goto done;
        }
        fb_set_prim(ty, prim);
        ty->flags |= CCT_TF_LAYOUT_KNOWN;
    }

    /* 4. records: nested positions made relative, bitfield units, checks */
    for (size_t k = 0; k < p->n; k++) {
        const fb_entry *e = &p->e[k];
        if (e->op != FB_SIZE || !fb_is_record(&t->types[e->a]))
            continue;
        if (t->types[e->a].size == CCT_SIZE_UNKNOWN) {
            PyErr_Format(PyExc_ImportError, "ccffi module: no layout for '%s'",
                         fb_cname(p, e->a));
            goto done;
        }
        fb_relativize(&s, e->a, 0, 0);
        t->types[e->a].flags |= CCT_TF_LAYOUT_KNOWN;
    }
    /* 5. `[...]`: each use gets an array type of the compiler's length */
    for (size_t i = 0; i < nlens; i++) {
        uint32_t kind = lens[i].kind, site = lens[i].site, old, repl;
        if (i > 0 && lens[i - 1].kind == kind && lens[i - 1].site == site)
            continue;     /* the site is rebuilt once, every depth at once */
        old = kind == 0 ? t->fields[site].type : t->decls[site].type;
        if (fb_rebuild_array(&s, old, lens, nlens, kind, site, 0, &repl) < 0)
            goto done;
        if (kind == 0)
            t->fields[site].type = repl;
        else
            t->decls[site].type = repl;
    }

    /* 5b. a `[...]` typedef has one length wherever it is used */
    if (fb_substitute_typedefs(&s, lens, nlens) < 0)
        goto done;

    /* 6. arrays of records that were laid out just now */
    for (int changed = 1, round = 0; changed && round < 64; round++) {
        changed = 0;
        for (uint32_t ti = 0; ti < t->ntypes; ti++) {
            cct_type *ty = &t->types[ti];
            uint64_t isize;
            uint32_t ialign;
            if (ty->kind != CCT_KIND_ARRAY || ty->size != CCT_SIZE_UNKNOWN
                || (ty->flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS))
                || !fb_layout_of(t, ty->item, &isize, &ialign))
                continue;
            ty->size = isize * ty->length;
            ty->align = ialign;
            changed = 1;
        }
    }

    /* 7. what the cdef gets wrong in a record: a layout record, as the
     * plugin's (ffi.error at use, as CFFI raises it) */
    for (size_t k = 0; k < p->n; k++) {
        const fb_entry *e = &p->e[k];
        if (e->op == FB_SIZE && fb_is_record(&t->types[e->a])
            && fb_layout_record(&s, e->a) < 0)
            goto done;
    }

    cc_error err = {0};
    if (cc_table_validate(t, &err) < 0) {
        ccm_raise_error(&err);
        goto done;
    }
    rc = 0;
done:
    free(lens);
    fb_state_free(&s);
    return rc;
}

/* ------------------------------------------------------------- import */

int api_fallback_is_blob(const void *buf, size_t len)
{
    return len >= sizeof(((api_fb_blob *)0)->magic)
           && memcmp(buf, API_FB_MAGIC, sizeof API_FB_MAGIC) == 0;
}

PyObject *api_fallback_ffi(const void *buf, size_t len)
{
    api_fb_blob blob;
    if (len != sizeof blob)
        return PyErr_Format(PyExc_ImportError, "ccffi module: the compiler "
                            "numbers are %zu bytes, expected %zu: rebuild the "
                            "module with this ccffi", len, sizeof blob);
    memcpy(&blob, buf, sizeof blob);
    if (blob.version != API_FB_VERSION)
        return PyErr_Format(PyExc_ImportError, "ccffi module: built without "
                            "the plugin for the number format %u, but this "
                            "_cffi_backend reads version %d; rebuild the module "
                            "with this ccffi", blob.version, API_FB_VERSION);
    if (blob.table == NULL || (blob.nvalues && blob.values == NULL))
        return PyErr_Format(PyExc_ImportError, "ccffi module: empty compiler numbers");
    FFIObject *ffi = (FFIObject *)ffi_new_from_table(blob.table, blob.table_size);
    if (ffi == NULL)
        return NULL;
    fb_plan p;
    if (fb_plan_build(&p, &ffi->table, 1) < 0) {     /* names for messages */
        fb_plan_free(&p);
        Py_DECREF(ffi);
        return PyErr_NoMemory();
    }
    int rc = -1;
    if (p.n != blob.nvalues)
        PyErr_Format(PyExc_ImportError, "ccffi module: %u compiler numbers for "
                     "%zu items of its cdef: the module was generated by another "
                     "ccffi; rebuild it", blob.nvalues, p.n);
    else
        rc = fb_apply(&ffi->table, &p, blob.values);
    fb_plan_free(&p);
    if (rc < 0) {
        Py_DECREF(ffi);
        return NULL;
    }
    return (PyObject *)ffi;
}

PyObject *api_built_with(FFIObject *ffi)
{
    api_state *st = ffi->api_state ? PyCapsule_GetPointer(ffi->api_state, NULL) : NULL;
    if (st == NULL) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return PyUnicode_FromString(st->built_by_compiler ? "compiler" : "plugin");
}

/* ------------------------------------------------------------ generator */

/* _ccffi_fallback_plan(ffi, slots) -> dict: what the generated file needs
 * to build without the plugin: 'magic', 'version', 'table' (the serialized
 * cdef table, with the call slots of `slots`, a dict name -> slot of the
 * generator's function, global and extern "Python" arrays) and 'entries',
 * a list of (op, cname, path, extra) in plan order
 * (pysrc/cffi/_codegen_fallback.py writes one expression each). */
/* The generator's slots (name -> (kind, slot), kind "function", "global"
 * or "python", as its markers carry them) into the current functions,
 * variables and extern "Python" functions of t.  A constant with a "global"
 * slot is one the generated file reads through a getter (floats, pointers,
 * typed constants): it becomes a const variable, as the plugin records it.
 * 0 or -1. */
static int fb_set_slots(cc_table *t, PyObject *slots)
{
    for (uint32_t i = 0; i < t->ndecls; i++) {
        cct_decl *d = &t->decls[i];
        if ((d->kind == CCT_DECL_TAG || d->kind == CCT_DECL_TYPEDEF)
            || !fb_decl_is_current(t, i))
            continue;
        PyObject *entry = PyDict_GetItemString(slots, cc_table_str(t, d->name));
        const char *kind;
        unsigned int v;
        if (entry == NULL)
            continue;
        if (!PyArg_ParseTuple(entry, "sI:slot", &kind, &v))
            return -1;
        if (v >= CCT_NO_SLOT) {
            PyErr_SetString(PyExc_ValueError, "slot out of range");
            return -1;
        }
        int is_const = d->kind == CCT_DECL_CONST_INT || d->kind == CCT_DECL_CONST_FLOAT
                       || d->kind == CCT_DECL_CONST_STRING;
        if (strcmp(kind, "global") == 0 && is_const) {
            d->kind = CCT_DECL_VARIABLE;
            d->flags = CCT_DF_CONST;
            d->value = 0;
        }
        if ((d->kind == CCT_DECL_FUNCTION && strcmp(kind, "function") == 0)
            || (d->kind == CCT_DECL_VARIABLE && strcmp(kind, "global") == 0)
            || (d->kind == CCT_DECL_EXTERN_PYTHON && strcmp(kind, "python") == 0))
            d->slot = v;
    }
    return 0;
}

static PyObject *api_fallback_plan(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *ffi, *slots;
    if (!PyArg_ParseTuple(args, "O!O!:_ccffi_fallback_plan", &FFI_Type, &ffi,
                          &PyDict_Type, &slots))
        return NULL;
    unsigned char *buf = NULL;
    size_t len = 0;
    if (cc_table_serialize(&((FFIObject *)ffi)->table, &buf, &len) < 0)
        return PyErr_NoMemory();
    /* the plan is made over the table as the module will load it, with the
     * generator's slots */
    cc_table t;
    cc_error err = {0};
    if (cc_table_init(&t) < 0) {
        free(buf);
        return PyErr_NoMemory();
    }
    if (cc_table_load(&t, buf, len, &err) < 0) {
        free(buf);
        cc_table_free(&t);
        ccm_raise_error(&err);
        return NULL;
    }
    free(buf);
    buf = NULL;
    fb_plan p;
    PyObject *entries = NULL, *res = NULL;
    memset(&p, 0, sizeof p);
    if (fb_set_slots(&t, slots) < 0)
        goto done;
    if (cc_table_serialize(&t, &buf, &len) < 0 || fb_plan_build(&p, &t, 1) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    entries = PyList_New((Py_ssize_t)p.n);
    if (entries == NULL)
        goto done;
    for (size_t i = 0; i < p.n; i++) {
        const fb_entry *e = &p.e[i];
        PyObject *item = Py_BuildValue("(szzz)", fb_op_names[e->op], e->cname,
                                       e->path, e->extra);
        if (item == NULL)
            goto done;
        PyList_SET_ITEM(entries, (Py_ssize_t)i, item);
    }
    res = Py_BuildValue("{sssisNsO}", "magic", API_FB_MAGIC,
                        "version", API_FB_VERSION,
                        "table", PyBytes_FromStringAndSize((const char *)buf,
                                                           (Py_ssize_t)len),
                        "entries", entries);
done:
    Py_XDECREF(entries);
    fb_plan_free(&p);
    cc_table_free(&t);
    free(buf);
    return res;
}

/* _ccffi_fallback_varsize(ffi, name) -> int or None: the bytes of a
 * `T x[...]` variable as the C compiler sized it, in a module built
 * without the plugin (whose table has the cdef's item type, so that
 * ffi.sizeof(lib.x) is a multiple of it whatever the C object is); None for
 * any other name or module.  verifier.py checks it as CFFI's verify()
 * checks sizeof(x). */
static PyObject *api_fallback_varsize(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *ffi;
    const char *name;
    uint32_t ref;
    if (!PyArg_ParseTuple(args, "O!s:_ccffi_fallback_varsize", &FFI_Type, &ffi,
                          &name))
        return NULL;
    const cc_table *t = &((FFIObject *)ffi)->table;
    api_state *st = ((FFIObject *)ffi)->api_state
                    ? PyCapsule_GetPointer(((FFIObject *)ffi)->api_state, NULL)
                    : NULL;
    if (st == NULL) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    if (!st->built_by_compiler
        || cc_table_lookup(t, CC_NS_ORDINARY, name, strlen(name), &ref) != 1)
        Py_RETURN_NONE;
    const cct_decl *d = &t->decls[ref];
    const cct_type *ty = &t->types[d->type];
    if (d->kind != CCT_DECL_VARIABLE || ty->kind != CCT_KIND_ARRAY
        || d->value == 0)
        Py_RETURN_NONE;
    return PyLong_FromUnsignedLongLong(d->value);
}

static PyMethodDef api_fallback_functions[] = {
    {"_ccffi_fallback_varsize", api_fallback_varsize, METH_VARARGS,
     "The byte size of a `T x[...]` global of a module built without the "
     "plugin, or None (verify())."},
    {"_ccffi_fallback_plan", api_fallback_plan, METH_VARARGS,
     "What a generated file needs to build without the compiler plugin: the "
     "cdef's table and the numbers to ask the compiler for (code generator)."},
    {NULL, NULL, 0, NULL},
};

int api_fallback_init_module(PyObject *m)
{
    return PyModule_AddFunctions(m, api_fallback_functions);
}
