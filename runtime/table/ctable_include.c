/* ctable_include.c - ffi.include(): merging the shareable declarations of
 * one table into another, all or nothing (cc_table_include, ctable.h).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "table/ctable.h"
#include "table/ctable_internal.h"

/* ---------------------------------------------------------------- include
 * cc_table_include copies what CFFI's ffi.include() shares: struct, union
 * and enum tags, typedefs, integer constants and enumerators, with every
 * type they reach.  A src type is matched with a dst type of the same name
 * when there is one (structurally compared, cycles through pointers assumed
 * equal while being compared), else copied.  src_to_dst maps src type
 * indexes to dst ones (CC_NO_TYPE while not known yet). */

#define CC_NO_TYPE UINT32_MAX

typedef struct cc_includer {
    cc_table *dst;
    const cc_table *src;
    uint32_t *src_to_dst;
    cc_map assumed;          /* (src << 32 | dst) pairs being compared */
    cc_error *err;
} cc_includer;

static int cc_include_type(cc_includer *in, uint32_t si, uint32_t *out);

static int cc_include_nomem(cc_includer *in)
{
    return cc_error_set(in->err, CC_ERR_NOMEM, "out of memory in ffi.include()");
}

static bool cc_same_string(const cc_table *a, uint32_t oa,
                           const cc_table *b, uint32_t ob)
{
    return strcmp(a->strings + oa, b->strings + ob) == 0;
}

static int cc_intern_from(cc_includer *in, uint32_t src_off, uint32_t *out)
{
    const char *s = in->src->strings + src_off;

    if (cc_table_string(in->dst, s, strlen(s), out) < 0)
        return cc_include_nomem(in);
    return 0;
}

static bool cc_same_type(cc_includer *in, uint32_t si, uint32_t di);

static bool cc_same_fields(cc_includer *in, const cct_type *s, const cct_type *d)
{
    bool laid_out = (s->flags & d->flags & CCT_TF_LAYOUT_KNOWN) != 0;

    if (s->count != d->count)
        return false;
    for (uint32_t k = 0; k < s->count; k++) {
        const cct_field *fs = &in->src->fields[s->first + k];
        const cct_field *fd = &in->dst->fields[d->first + k];
        if (!cc_same_string(in->src, fs->name, in->dst, fd->name)
            || fs->bitsize != fd->bitsize
            || (laid_out && (fs->offset != fd->offset || fs->bitshift != fd->bitshift))
            || !cc_same_type(in, fs->type, fd->type))
            return false;
    }
    return true;
}

static bool cc_same_enumerators(cc_includer *in, const cct_type *s, const cct_type *d)
{
    if (s->count != d->count)
        return false;
    for (uint32_t k = 0; k < s->count; k++) {
        const cct_enumerator *es = &in->src->enums[s->first + k];
        const cct_enumerator *ed = &in->dst->enums[d->first + k];
        if (!cc_same_string(in->src, es->name, in->dst, ed->name)
            || es->value != ed->value || es->flags != ed->flags)
            return false;
    }
    return true;
}

static bool cc_same_args(cc_includer *in, const cct_type *s, const cct_type *d)
{
    if (s->count != d->count)
        return false;
    for (uint32_t k = 0; k < s->count; k++)
        if (!cc_same_type(in, in->src->args[s->first + k], in->dst->args[d->first + k]))
            return false;
    return true;
}

/* Same definition?  An opaque record matches any record of its name. */
static bool cc_same_type(cc_includer *in, uint32_t si, uint32_t di)
{
    const cct_type *s = &in->src->types[si], *d = &in->dst->types[di];
    uint64_t pair = ((uint64_t)si << 32) | di;
    uint32_t slot = UINT32_MAX, dummy;
    const uint16_t ignored = CCT_TF_OPAQUE | CCT_TF_LAYOUT_KNOWN;

    if (in->src_to_dst[si] == di || cc_map_next(&in->assumed, pair, &slot, &dummy))
        return true;
    if (s->kind != d->kind || s->prim != d->prim
        || !cc_same_string(in->src, s->name, in->dst, d->name))
        return false;
    if (cc_map_add(&in->assumed, pair, 0) < 0) {
        cc_include_nomem(in);     /* the first error wins: not "different" */
        return false;
    }
    switch (s->kind) {
    case CCT_KIND_STRUCT:
    case CCT_KIND_UNION:
    case CCT_KIND_ENUM:
        if (((s->flags | d->flags) & CCT_TF_OPAQUE) && in->src->strings[s->name])
            return (s->flags & d->flags & CCT_TF_TYPEDEF_NAMED)
                == ((s->flags | d->flags) & CCT_TF_TYPEDEF_NAMED);
        if ((s->flags & ~ignored) != (d->flags & ~ignored) || s->length != d->length)
            return false;
        if ((s->flags & d->flags & CCT_TF_LAYOUT_KNOWN)
            && (s->size != d->size || s->align != d->align))
            return false;
        return s->kind == CCT_KIND_ENUM ? cc_same_enumerators(in, s, d)
                                        : cc_same_fields(in, s, d);
    case CCT_KIND_POINTER:
        return cc_same_type(in, s->item, d->item);
    case CCT_KIND_ARRAY:
        return s->flags == d->flags && s->length == d->length
            && cc_same_type(in, s->item, d->item);
    case CCT_KIND_FUNCTION:
        return s->flags == d->flags && cc_same_type(in, s->item, d->item)
            && cc_same_args(in, s, d);
    default:
        return true;
    }
}

/* Compares src type si with dst type di; on success every pair found equal
 * is remembered in src_to_dst (except dst records still opaque when src has
 * their body, which cc_include_record completes later). */
static int cc_include_compare(cc_includer *in, uint32_t si, uint32_t di, bool *same)
{
    cc_map_free(&in->assumed);
    *same = cc_same_type(in, si, di);
    if (*same) {
        for (uint32_t s = 0; s < in->assumed.capacity; s++) {
            uint32_t a, b;
            if (in->assumed.values[s] == CC_MAP_FREE)
                continue;
            a = (uint32_t)(in->assumed.keys[s] >> 32);
            b = (uint32_t)in->assumed.keys[s];
            if ((in->dst->types[b].flags & CCT_TF_OPAQUE)
                && !(in->src->types[a].flags & CCT_TF_OPAQUE))
                continue;
            if (in->src_to_dst[a] == CC_NO_TYPE)
                in->src_to_dst[a] = b;
        }
    }
    cc_map_free(&in->assumed);
    return 0;
}

/* Registers enumerators [first, first+n) of dst whose src twins (from
 * src_first) are named in src, refusing a clash with another value. */
static int cc_include_enumerator_names(cc_includer *in, uint32_t src_first,
                                       uint32_t first, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        const cct_enumerator *e = &in->dst->enums[first + k];
        const char *name = in->dst->strings + e->name;
        uint32_t ref;
        if (!cc_table_lookup(in->src, CC_NS_ORDINARY, name, strlen(name), &ref)
            || ref != (CC_REF_ENUMERATOR | (src_first + k)))
            continue;
        if (cc_table_lookup(in->dst, CC_NS_ORDINARY, name, strlen(name), &ref)) {
            bool same = (ref & CC_REF_ENUMERATOR)
                ? in->dst->enums[ref & ~CC_REF_ENUMERATOR].value == e->value
                : (in->dst->decls[ref].kind == CCT_DECL_CONST_INT
                   && in->dst->decls[ref].value == e->value);
            if (!same)
                return cc_error_set(in->err, CC_ERR_DECL,
                                    "multiple declarations of constant: %s", name);
            continue;
        }
        if (cc_table_name_enumerators(in->dst, first + k, 1) < 0)
            return cc_include_nomem(in);
    }
    return 0;
}

static int cc_include_enumerators(cc_includer *in, const cct_type *s, uint32_t di)
{
    uint32_t n = s->count, first;
    cct_enumerator *e = calloc(n ? n : 1, sizeof *e);  /* zeroed: n may be 0 */
    int rc = -1;

    if (e == NULL)
        return cc_include_nomem(in);
    if (n)
        memcpy(e, in->src->enums + s->first, n * sizeof *e);
    for (uint32_t k = 0; k < n; k++)
        if (cc_intern_from(in, e[k].name, &e[k].name) < 0)
            goto done;
    if (cc_table_add_enumerators(in->dst, e, n, &first) < 0) {
        cc_include_nomem(in);
        goto done;
    }
    in->dst->types[di].first = first;
    in->dst->types[di].count = n;
    rc = cc_include_enumerator_names(in, s->first, first, n);
done:
    free(e);
    return rc;
}

/* The fields, added after their types (which may add other records'). */
static int cc_include_fields(cc_includer *in, const cct_type *s, uint32_t di)
{
    uint32_t n = s->count, first;
    cct_field *f = malloc((n ? n : 1) * sizeof *f);
    int rc = -1;

    if (f == NULL)
        return cc_include_nomem(in);
    if (n)
        memcpy(f, in->src->fields + s->first, n * sizeof *f);
    for (uint32_t k = 0; k < n; k++)
        if (cc_intern_from(in, f[k].name, &f[k].name) < 0
            || cc_include_type(in, f[k].type, &f[k].type) < 0)
            goto done;
    if (cc_table_add_fields(in->dst, f, n, &first) < 0) {
        cc_include_nomem(in);
        goto done;
    }
    in->dst->types[di].first = first;
    in->dst->types[di].count = n;
    rc = 0;
done:
    free(f);
    return rc;
}

/* Fills dst record/enum di (empty so far) with the members of src si. */
static int cc_include_members(cc_includer *in, uint32_t si, uint32_t di)
{
    const cct_type *s = &in->src->types[si];

    return s->kind == CCT_KIND_ENUM ? cc_include_enumerators(in, s, di)
                                    : cc_include_fields(in, s, di);
}

/* The dst record of the same name and kind as src record *s, if any. */
static int cc_include_find_record(cc_includer *in, const cct_type *s, uint32_t *di)
{
    const char *name = in->src->strings + s->name;
    int ns = (s->flags & CCT_TF_TYPEDEF_NAMED) ? CC_NS_ORDINARY : CC_NS_TAG;
    uint32_t ref;

    if (name[0] == '\0'
        || !cc_table_lookup(in->dst, ns, name, strlen(name), &ref)
        || (ref & CC_REF_ENUMERATOR))
        return 0;
    *di = in->dst->decls[ref].type;
    return in->dst->types[*di].kind == s->kind
        && (ns == CC_NS_TAG || in->dst->decls[ref].kind == CCT_DECL_TYPEDEF);
}

static const char *cc_kind_keyword(uint8_t kind)
{
    return kind == CCT_KIND_STRUCT ? "struct" : kind == CCT_KIND_UNION ? "union"
                                                                       : "enum";
}

static int cc_include_record(cc_includer *in, uint32_t si, uint32_t *out)
{
    cct_type copy = in->src->types[si];
    bool same;
    uint32_t di;

    if (cc_include_find_record(in, &copy, &di)) {
        cc_include_compare(in, si, di, &same);
        if (!same)
            return cc_error_set(in->err, CC_ERR_DECL, "multiple declarations of "
                                "%s %s (for interactive usage, try cdef(xx, "
                                "override=True))", cc_kind_keyword(copy.kind),
                                in->src->strings + copy.name);
        in->src_to_dst[si] = di;
        *out = di;
        if (!(in->dst->types[di].flags & CCT_TF_OPAQUE) || (copy.flags & CCT_TF_OPAQUE))
            return 0;
        /* complete dst's opaque declaration with src's body */
        copy.name = in->dst->types[di].name;
        copy.first = copy.count = 0;
        in->dst->types[di] = copy;
        return cc_include_members(in, si, di);
    }
    if (cc_intern_from(in, copy.name, &copy.name) < 0)
        return -1;
    copy.first = copy.count = 0;
    if (cc_table_add_type(in->dst, &copy, &di) < 0)
        return cc_include_nomem(in);
    in->src_to_dst[si] = di;
    *out = di;
    return cc_include_members(in, si, di);
}

static int cc_include_function(cc_includer *in, const cct_type *s, uint32_t *out)
{
    uint32_t n = s->count, result;
    uint32_t *args = malloc((n ? n : 1) * sizeof *args);
    int rc = -1;

    if (args == NULL)
        return cc_include_nomem(in);
    if (cc_include_type(in, s->item, &result) < 0)
        goto done;
    for (uint32_t k = 0; k < n; k++)
        if (cc_include_type(in, in->src->args[s->first + k], &args[k]) < 0)
            goto done;
    rc = cc_table_function(in->dst, result, args, n, s->flags, out);
    if (rc < 0)
        cc_include_nomem(in);
done:
    free(args);
    return rc;
}

static int cc_include_derived(cc_includer *in, uint32_t si, uint32_t *out)
{
    cct_type s = in->src->types[si];
    uint32_t item;
    int rc;

    switch (s.kind) {
    case CCT_KIND_VOID:
        *out = 0;
        return 0;
    case CCT_KIND_PRIMITIVE:
        if (s.name == 0) {
            rc = cc_table_primitive(in->dst, (enum cct_prim)s.prim, out);
            break;
        }
        if (cc_intern_from(in, s.name, &s.name) < 0)
            return -1;
        rc = cc_table_add_type(in->dst, &s, out);
        break;
    case CCT_KIND_POINTER:
        if (cc_include_type(in, s.item, &item) < 0)
            return -1;
        rc = cc_table_pointer_q(in->dst, item, s.flags, out);
        break;
    case CCT_KIND_ARRAY:
        if (cc_include_type(in, s.item, &item) < 0)
            return -1;
        rc = cc_table_array(in->dst, item, s.length, s.flags, out);
        break;
    default:
        return cc_include_function(in, &s, out);
    }
    return rc < 0 ? cc_include_nomem(in) : 0;
}

static int cc_include_type(cc_includer *in, uint32_t si, uint32_t *out)
{
    uint8_t kind = in->src->types[si].kind;

    if (in->src_to_dst[si] != CC_NO_TYPE) {
        *out = in->src_to_dst[si];
        return 0;
    }
    if (kind == CCT_KIND_STRUCT || kind == CCT_KIND_UNION || kind == CCT_KIND_ENUM)
        return cc_include_record(in, si, out);
    if (cc_include_derived(in, si, out) < 0)
        return -1;
    in->src_to_dst[si] = *out;
    return 0;
}

/* Is src decl d the same as dst decl e?  (Same kind, value and type.) */
static int cc_include_same_decl(cc_includer *in, const cct_decl *d,
                                const cct_decl *e, bool *same)
{
    *same = d->kind == e->kind && d->value == e->value
        && (d->flags & CCT_DF_UNSIGNED) == (e->flags & CCT_DF_UNSIGNED);
    if (*same && d->kind != CCT_DECL_CONST_INT)
        cc_include_compare(in, d->type, e->type, same);
    return 0;
}

/* Adds a copy of src decl d, whose type is dst's `type`. */
static int cc_include_add_decl(cc_includer *in, const cct_decl *d, uint32_t type)
{
    cct_decl copy = *d;
    uint32_t ref;

    copy.type = type;
    copy.slot = CCT_NO_SLOT;
    if (cc_intern_from(in, d->name, &copy.name) < 0)
        return -1;
    if (cc_table_add_decl(in->dst, &copy, &ref) < 0)
        return cc_include_nomem(in);
    return 0;
}

/* A struct/union/enum tag: cc_include_record matches it with dst's tag of
 * that name (refusing a different body, completing an opaque one). */
static int cc_include_tag(cc_includer *in, const cct_decl *d)
{
    const char *name = in->src->strings + d->name;
    uint8_t kind = in->src->types[d->type].kind;
    uint32_t ref, type;
    bool known = cc_table_lookup(in->dst, CC_NS_TAG, name, strlen(name), &ref);

    if (known && in->dst->types[in->dst->decls[ref].type].kind != kind)
        return cc_error_set(in->err, CC_ERR_DECL, "multiple declarations of %s %s "
                            "(for interactive usage, try cdef(xx, override=True))",
                            cc_kind_keyword(kind), name);
    if (cc_include_type(in, d->type, &type) < 0)
        return -1;
    return known ? 0 : cc_include_add_decl(in, d, type);
}

static int cc_include_decl(cc_includer *in, const cct_decl *d)
{
    const char *name = in->src->strings + d->name;
    uint32_t ref, type;
    bool same;

    if (d->kind == CCT_DECL_TAG)
        return cc_include_tag(in, d);
    if (cc_table_lookup(in->dst, CC_NS_ORDINARY, name, strlen(name), &ref)) {
        if (ref & CC_REF_ENUMERATOR)
            same = d->kind == CCT_DECL_CONST_INT
                && in->dst->enums[ref & ~CC_REF_ENUMERATOR].value == d->value;
        else
            cc_include_same_decl(in, d, &in->dst->decls[ref], &same);
        if (same)
            return 0;
        if (d->kind == CCT_DECL_CONST_INT)
            return cc_error_set(in->err, CC_ERR_DECL,
                                "multiple declarations of constant: %s", name);
        return cc_error_set(in->err, CC_ERR_DECL, "multiple declarations of "
                            "typedef %s (for interactive usage, try cdef(xx, "
                            "override=True))", name);
    }
    if (cc_include_type(in, d->type, &type) < 0)
        return -1;
    return cc_include_add_decl(in, d, type);
}

/* Does one of the enumerators of enum i own its name in t? */
static bool cc_enum_is_named(const cc_table *t, uint32_t i)
{
    const cct_type *ty = &t->types[i];

    for (uint32_t k = ty->first; k < ty->first + ty->count; k++) {
        const char *name = t->strings + t->enums[k].name;
        uint32_t ref;
        if (cc_table_lookup(t, CC_NS_ORDINARY, name, strlen(name), &ref)
            && ref == (CC_REF_ENUMERATOR | k))
            return true;
    }
    return false;
}

/* The dst enum holding enumerator k, or CC_NO_TYPE. */
static uint32_t cc_enum_of_enumerator(const cc_table *t, uint32_t k)
{
    for (uint32_t i = 0; i < t->ntypes; i++) {
        const cct_type *ty = &t->types[i];
        if (ty->kind == CCT_KIND_ENUM && k >= ty->first && k - ty->first < ty->count)
            return i;
    }
    return CC_NO_TYPE;
}

/* Is anonymous src enum si already in dst (included before)?  Maps it. */
static bool cc_include_enum_present(cc_includer *in, uint32_t si)
{
    const cct_type *s = &in->src->types[si];
    const char *name;
    uint32_t ref, di;
    bool same;

    if (s->count == 0)
        return false;
    name = in->src->strings + in->src->enums[s->first].name;
    if (!cc_table_lookup(in->dst, CC_NS_ORDINARY, name, strlen(name), &ref)
        || !(ref & CC_REF_ENUMERATOR))
        return false;
    di = cc_enum_of_enumerator(in->dst, ref & ~CC_REF_ENUMERATOR);
    if (di == CC_NO_TYPE)
        return false;
    cc_include_compare(in, si, di, &same);
    if (same)
        in->src_to_dst[si] = di;
    return same;
}

/* Copies everything src shares into dst (no rollback: see below). */
static int cc_include_all(cc_includer *in)
{
    const cc_table *src = in->src;
    int rc = 0;

    for (uint32_t k = 0; k < src->ndecls && rc == 0; k++) {
        const cct_decl *d = &src->decls[k];
        uint32_t ref;
        const char *name = src->strings + d->name;
        int ns = d->kind == CCT_DECL_TAG ? CC_NS_TAG : CC_NS_ORDINARY;
        if (d->kind != CCT_DECL_TYPEDEF && d->kind != CCT_DECL_TAG
            && d->kind != CCT_DECL_CONST_INT)
            continue;
        /* only the declaration the name currently denotes in src */
        if (!cc_table_lookup(src, ns, name, strlen(name), &ref) || ref != k)
            continue;
        rc = cc_include_decl(in, d);
    }
    /* anonymous enums bring their enumerators (CFFI's integer constants) */
    for (uint32_t i = 0; i < src->ntypes && rc == 0; i++) {
        uint32_t out;
        if (src->types[i].kind == CCT_KIND_ENUM && in->src_to_dst[i] == CC_NO_TYPE
            && cc_enum_is_named(src, i) && !cc_include_enum_present(in, i))
            rc = cc_include_type(in, i, &out);
    }
    return rc;
}

/* On any error dst is put back as it was: a failed include changes nothing.
 * The merged table is validated too: two tables valid on their own can
 * still combine into, say, a struct containing itself. */
int cc_table_include(cc_table *dst, const cc_table *src, cc_error *err)
{
    cc_includer in;
    cc_table saved;
    cc_error verr;
    int rc;

    if (dst == src)
        return 0;
    memset(&in, 0, sizeof in);
    in.dst = dst;
    in.src = src;
    in.err = err;
    in.src_to_dst = malloc((src->ntypes ? src->ntypes : 1) * sizeof *in.src_to_dst);
    if (in.src_to_dst == NULL || cc_table_copy(&saved, dst) < 0) {
        free(in.src_to_dst);
        return cc_include_nomem(&in);
    }
    memset(in.src_to_dst, 0xff, src->ntypes * sizeof *in.src_to_dst);
    rc = cc_include_all(&in);
    if (rc == 0 && err != NULL && err->kind == CC_ERR_NOMEM)
        rc = -1;          /* memory ran out inside a comparison */
    if (rc == 0) {
        memset(&verr, 0, sizeof verr);
        if (cc_table_validate(dst, &verr) < 0 && verr.kind == CC_ERR_NOMEM)
            rc = cc_include_nomem(&in);
        else if (verr.kind != CC_ERR_NONE)
            rc = cc_error_set(err, CC_ERR_DECL, "ffi.include() would combine the "
                              "two declarations into an invalid one: %s",
                              verr.message);
    }
    free(in.src_to_dst);
    cc_map_free(&in.assumed);
    if (rc < 0) {
        cc_table_free(dst);
        *dst = saved;
    } else {
        cc_table_free(&saved);
    }
    return rc;
}
