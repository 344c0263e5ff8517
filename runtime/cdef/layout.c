/* layout.c - ABI-mode layout engine: what gcc does on x86-64 System V.
 *
 * A struct is laid out member by member with a running bit position:
 * an ordinary member goes to the next multiple of its alignment (natural,
 * or min(natural, N) under pack=N, 1 under packed=True); the struct's
 * alignment is the largest member alignment and its size is rounded up to
 * it.  Bitfields follow gcc's PCC_BITFIELD_TYPE_MATTERS rules: without
 * packing a bitfield moves to the next aligned unit of its declared type
 * only if it would otherwise span more units than the type has (gcc's
 * excess_unit_span); with any packing gcc places bitfields bit after bit.
 * Named bitfields raise the struct's alignment to their type's (reduced by
 * the packing), unnamed ones do not; a zero-width bitfield aligns the next
 * position to its full type alignment whatever the packing.  In a union
 * every member is at offset 0.  A flexible array member (`int a[]`, last)
 * takes no room and marks the struct CCT_TF_FLEXIBLE.
 *
 * Records embedded by value are laid out first, in the order of an
 * iterative depth-first walk (no recursion, so deep nesting cannot exhaust
 * the stack), which is also where "a struct containing itself" is found.
 * Error messages are CFFI's.  Pure C.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/cspell.h"
#include "cdef/layout.h"

/* Sizes beyond this many bytes are refused, so that bit counts never wrap. */
#define LAYOUT_MAX_SIZE ((uint64_t)1 << 56)

/* ---------------------------------------------------------------- names */

/* Spells a type for a message: "struct foo", "int[]", "int(*)(int)". */
typedef struct layout_name {
    char text[200];
} layout_name;

static const char *layout_spell(const cc_table *t, uint32_t type, layout_name *n)
{
    long len = cc_spell_type(t, type, NULL, n->text, sizeof n->text);

    if (len < 0)
        strcpy(n->text, "?");
    return n->text;
}

static bool layout_is_record(const cct_type *ty)
{
    return ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION;
}

/* The record's name as CFFI's recursion message shows it: the bare tag. */
static const char *layout_record_tag(const cc_table *t, uint32_t type,
                                     layout_name *n)
{
    if (t->types[type].name != 0)
        return cc_table_str(t, t->types[type].name);
    return layout_spell(t, type, n);
}

/* ------------------------------------------------------ type sizes */

static int layout_unknown_size(const cc_table *t, uint32_t type, bool align,
                               cc_error *err)
{
    layout_name n;
    const cct_type *ty = &t->types[type];
    const char *what = align ? "alignment" : "size";

    if (ty->kind == CCT_KIND_PRIMITIVE && (cc_prims[ty->prim].flags & CCT_PF_UNKNOWN))
        return cc_error_set(err, CC_ERR_TYPE, "%s type '%s' can only be used "
                            "after compilation",
                            (cc_prims[ty->prim].flags & CCT_PF_FLOAT) ? "float"
                                                                     : "integer",
                            layout_spell(t, type, &n));
    if ((ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION
         || ty->kind == CCT_KIND_ENUM)
        && (ty->flags & CCT_TF_PARTIAL) && !(ty->flags & CCT_TF_OPAQUE))
        return cc_error_set(err, CC_ERR_TYPE, "ctype '%s' is of unknown %s: it is "
                            "partial (declared with '...'), its layout is only "
                            "known after set_source() and compile()",
                            layout_spell(t, type, &n), what);
    return cc_error_set(err, CC_ERR_TYPE, "ctype '%s' is of unknown %s",
                        layout_spell(t, type, &n), what);
}

/* Size and alignment of a type that needs no record layout (or whose
 * records are already laid out); arrays get their size recorded.
 * Returns 1 when known, 0 when not (nothing recorded in err), -1 on error. */
static int layout_known_size(cc_table *t, uint32_t type, uint64_t *size,
                             uint32_t *align, cc_error *err);

/* cc_type_layout(), but an opaque `enum foo;` is laid out as the unsigned
 * int it is realized as (CFFI guesses so, with a warning that realizing the
 * member's type gives): a struct member or array item of that type has a
 * size, as in CFFI. */
static int layout_of(const cct_type *ty, uint64_t *size, uint32_t *align)
{
    if (ty->kind == CCT_KIND_ENUM && (ty->flags & CCT_TF_OPAQUE)
        && !(ty->flags & (CCT_TF_PARTIAL | CCT_TF_LAYOUT_KNOWN))) {
        *size = sizeof(unsigned int);
        *align = _Alignof(unsigned int);
        return 1;
    }
    return cc_type_layout(ty, size, align);
}

/* Sizes an array (and the arrays it is made of, recording their size):
 * walks down the chain of item arrays without recursion, then multiplies
 * back up. */
static int layout_array_size(cc_table *t, uint32_t type, uint64_t *size,
                             uint32_t *align, cc_error *err)
{
    uint32_t *chain = NULL, n = 0, cur = type;
    uint64_t s;
    uint32_t a;
    int rc = 0;

    while (t->types[cur].kind == CCT_KIND_ARRAY
           && !(t->types[cur].size != CCT_SIZE_UNKNOWN && t->types[cur].align != 0)) {
        const cct_type *ty = &t->types[cur];
        uint32_t *p;
        if ((ty->flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS)) || ty->item >= cur)
            goto done;
        p = realloc(chain, (n + 1) * sizeof *chain);
        if (p == NULL) {
            rc = cc_error_set(err, CC_ERR_NOMEM, "out of memory in layout");
            goto done;
        }
        chain = p;
        chain[n++] = cur;
        cur = ty->item;
    }
    if (layout_of(&t->types[cur], &s, &a) == 0)
        goto done;
    while (n > 0) {
        cct_type *ty = &t->types[chain[--n]];
        if (ty->length > (uint64_t)INT64_MAX) {   /* a cdef's `T x[-1]` */
            rc = cc_error_set(err, CC_ERR_VALUE, "negative array length");
            goto done;
        }
        if (s != 0 && ty->length > LAYOUT_MAX_SIZE / s) {
            layout_name nm;
            rc = cc_error_set(err, CC_ERR_TYPE, "array too large: '%s'",
                              layout_spell(t, chain[n], &nm));
            goto done;
        }
        s *= ty->length;
        ty->size = s;
        ty->align = a;
    }
    *size = s;
    *align = a;
    rc = 1;
done:
    free(chain);
    return rc;
}

static int layout_known_size(cc_table *t, uint32_t type, uint64_t *size,
                             uint32_t *align, cc_error *err)
{
    if (t->types[type].kind == CCT_KIND_ARRAY)
        return layout_array_size(t, type, size, align, err);
    return layout_of(&t->types[type], size, align);
}

/* --------------------------------------------------- one record's layout */

typedef struct layout_state {
    cc_table *t;
    uint32_t record;
    uint32_t pack;        /* 0: natural; else the pack value (1: packed=True) */
    bool is_union;
    uint64_t bitpos;      /* struct: next free bit */
    uint64_t union_bits;  /* union: largest member, in bits */
    uint32_t align;       /* record alignment so far */
    bool flexible;
    cc_error *err;
} layout_state;

/* "struct foo.x": the record's spelling and the field's name. */
static const char *layout_qualname(const layout_state *s, const cct_field *f,
                                   char *buf, size_t size)
{
    layout_name n;

    snprintf(buf, size, "%s.%s", layout_spell(s->t, s->record, &n),
             cc_table_str(s->t, f->name));
    return buf;
}

static uint64_t layout_round_up(uint64_t n, uint64_t align)
{
    return (n + align - 1) / align * align;
}

static uint32_t layout_min_pack(const layout_state *s, uint32_t align)
{
    return (s->pack != 0 && s->pack < align) ? s->pack : align;
}

static int layout_too_large(layout_state *s)
{
    layout_name n;

    return cc_error_set(s->err, CC_ERR_DECL, "'%s' is too large",
                        layout_spell(s->t, s->record, &n));
}

/* Flexible array member `T a[]` as the last member of a struct. */
static int layout_flexible(layout_state *s, cct_field *f, uint32_t k)
{
    const cct_type *ft = &s->t->types[f->type];
    uint64_t isize;
    uint32_t ialign;
    int rc;

    if (s->is_union || k + 1 != s->t->types[s->record].first + s->t->types[s->record].count
        || (ft->flags & CCT_TF_LENGTH_DOTS) || ft->item >= f->type)
        return 0;
    rc = layout_known_size(s->t, ft->item, &isize, &ialign, s->err);
    if (rc <= 0)
        return rc;
    ialign = layout_min_pack(s, ialign);
    s->bitpos = layout_round_up(s->bitpos, (uint64_t)ialign * 8);
    f->offset = s->bitpos / 8;
    if (ialign > s->align)
        s->align = ialign;
    s->flexible = true;
    return 1;
}

static int layout_member(layout_state *s, uint32_t k)
{
    cct_field *f = &s->t->fields[k];
    const cct_type *ft = &s->t->types[f->type];
    uint64_t size;
    uint32_t align;
    layout_name n;
    char q[300];
    int rc;

    f->bitshift = f->bitsize = CCT_NOT_BITFIELD;
    if (ft->kind == CCT_KIND_ARRAY && (ft->flags & CCT_TF_LENGTH_UNKNOWN)) {
        rc = layout_flexible(s, f, k);
        if (rc != 0)
            return rc < 0 ? -1 : 0;
    }
    /* a cdef's negative or too large length (cparse.h), which the table
     * may have sized already: refused when the record is used */
    for (uint32_t a = f->type, steps = 0;
         steps < 256 && s->t->types[a].kind == CCT_KIND_ARRAY; steps++) {
        const cct_type *at = &s->t->types[a];
        if (!(at->flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS))
            && at->length > (uint64_t)INT64_MAX)
            return cc_error_set(s->err, CC_ERR_VALUE, "negative array length");
        if (at->item >= a)
            break;
        a = at->item;
    }
    rc = layout_known_size(s->t, f->type, &size, &align, s->err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return cc_error_set(s->err, CC_ERR_TYPEERR, "field '%s' has ctype '%s' of "
                            "unknown size", layout_qualname(s, f, q, sizeof q),
                            layout_spell(s->t, f->type, &n));
    if (size > LAYOUT_MAX_SIZE || s->bitpos / 8 > LAYOUT_MAX_SIZE)
        return layout_too_large(s);
    align = layout_min_pack(s, align);
    if (align > s->align)
        s->align = align;
    if (s->is_union) {
        f->offset = 0;
        if (size * 8 > s->union_bits)
            s->union_bits = size * 8;
        return 0;
    }
    s->bitpos = layout_round_up(s->bitpos, (uint64_t)align * 8);
    f->offset = s->bitpos / 8;
    s->bitpos += size * 8;
    return 0;
}

/* gcc's excess_unit_span: would `width` bits at `bitpos` span more
 * align-sized units than the type has? */
static bool layout_excess_unit_span(uint64_t bitpos, uint32_t width,
                                    uint32_t align_bits, uint32_t size_bits)
{
    uint64_t off = bitpos % align_bits;

    return (off + width + align_bits - 1) / align_bits > size_bits / align_bits;
}

/* Fills offset/bitshift by the table convention: the unit is an aligned
 * unit of the declared type (alignment reduced by packing) when the bits
 * fit in it, else the bytes from the first one holding the field. */
static void layout_bitfield_record(layout_state *s, cct_field *f, uint64_t pos,
                                   uint32_t size, uint32_t align)
{
    uint32_t unit = layout_min_pack(s, align);
    uint64_t offset = pos / ((uint64_t)unit * 8) * unit;
    uint64_t shift = pos - offset * 8;

    if (shift + (uint64_t)f->bitsize > (uint64_t)size * 8) {
        offset = pos / 8;
        shift = pos % 8;
    }
    f->offset = offset;
    f->bitshift = (int16_t)shift;
}

static bool layout_bitfield_type_ok(const cct_type *ft)
{
    const uint32_t integer = CCT_PF_SIGNED | CCT_PF_UNSIGNED | CCT_PF_CHAR
                             | CCT_PF_BOOL | CCT_PF_WCHAR;

    if (ft->kind != CCT_KIND_PRIMITIVE && ft->kind != CCT_KIND_ENUM)
        return false;
    return ft->prim < CCT_PRIM__COUNT && (cc_prims[ft->prim].flags & integer)
        && !(cc_prims[ft->prim].flags & CCT_PF_UNKNOWN);
}

static int layout_bitfield(layout_state *s, uint32_t k)
{
    cct_field *f = &s->t->fields[k];
    const cct_type *ft = &s->t->types[f->type];
    uint32_t width = (uint32_t)f->bitsize, size, align;
    bool named = cc_table_str(s->t, f->name)[0] != '\0';
    layout_name n;
    char q[300];
    uint64_t pos;

    /* CFFI's order: a member of unknown size first, then the bitfield */
    if (!layout_bitfield_type_ok(ft)) {
        uint64_t fsize;
        uint32_t falign;
        int rc = layout_known_size(s->t, f->type, &fsize, &falign, s->err);
        if (rc < 0)
            return -1;
        if (rc == 0 && ft->kind != CCT_KIND_PRIMITIVE)
            return cc_error_set(s->err, CC_ERR_TYPEERR, "field '%s' has ctype '%s' "
                                "of unknown size", layout_qualname(s, f, q, sizeof q),
                                layout_spell(s->t, f->type, &n));
        return cc_error_set(s->err, CC_ERR_TYPEERR, "field '%s' declared as '%s' "
                            "cannot be a bit field", layout_qualname(s, f, q, sizeof q),
                            layout_spell(s->t, f->type, &n));
    }
    size = cc_prims[ft->prim].size;
    align = cc_prims[ft->prim].align;
    if (width > size * 8)
        /* a width beyond bitsize's range is in offset (cparse.c) */
        return cc_error_set(s->err, CC_ERR_TYPEERR, "bit field '%s' is declared '%s:%lld', "
                            "which exceeds the width of the type",
                            layout_qualname(s, f, q, sizeof q),
                            layout_spell(s->t, f->type, &n),
                            width == INT16_MAX && f->offset != 0
                            ? (long long)(int64_t)f->offset : (long long)width);
    if (width == 0 && named)
        return cc_error_set(s->err, CC_ERR_TYPEERR, "field '%s' is declared with :0",
                            layout_qualname(s, f, q, sizeof q));
    if (s->bitpos / 8 > LAYOUT_MAX_SIZE)
        return layout_too_large(s);
    if (named && layout_min_pack(s, align) > s->align)
        s->align = layout_min_pack(s, align);
    if (s->is_union) {
        f->offset = 0;
        f->bitshift = 0;
        if (width > s->union_bits)
            s->union_bits = width;
        return 0;
    }
    if (width == 0) {
        s->bitpos = layout_round_up(s->bitpos, (uint64_t)align * 8);
        f->offset = s->bitpos / 8;
        f->bitshift = 0;
        return 0;
    }
    if (s->pack == 0 && layout_excess_unit_span(s->bitpos, width, align * 8, size * 8))
        s->bitpos = layout_round_up(s->bitpos, (uint64_t)align * 8);
    pos = s->bitpos;
    s->bitpos += width;
    layout_bitfield_record(s, f, pos, size, align);
    return 0;
}

/* Lays out one record whose by-value members are all laid out. */
static int layout_one(cc_table *t, uint32_t record, cc_error *err)
{
    cct_type *ty = &t->types[record];
    layout_state s;
    uint64_t bits, size;

    memset(&s, 0, sizeof s);
    s.t = t;
    s.record = record;
    s.is_union = ty->kind == CCT_KIND_UNION;
    s.align = 1;
    s.err = err;
    if (ty->flags & CCT_TF_PACKED) {
        if (ty->length == 0 || ty->length > 65536 || (ty->length & (ty->length - 1))) {
            layout_name n;
            return cc_error_set(err, CC_ERR_DECL, "'%s': pack value %llu is not a "
                                "power of two", layout_spell(t, record, &n),
                                (unsigned long long)ty->length);
        }
        s.pack = (uint32_t)ty->length;
    }
    for (uint32_t k = ty->first; k < ty->first + ty->count; k++) {
        int rc = t->fields[k].bitsize >= 0 ? layout_bitfield(&s, k)
                                           : layout_member(&s, k);
        if (rc < 0)
            return -1;
    }
    bits = s.is_union ? s.union_bits : s.bitpos;
    size = layout_round_up((bits + 7) / 8, s.align);
    if (size == 0)
        size = 1;     /* as CFFI sizes an empty record (gcc: 0, C++: 1) */
    if (size > LAYOUT_MAX_SIZE)
        return layout_too_large(&s);
    ty = &t->types[record];
    ty->size = size;
    ty->align = s.align;
    ty->flags |= CCT_TF_LAYOUT_KNOWN;
    if (s.flexible)
        ty->flags |= CCT_TF_FLEXIBLE;
    return 0;
}

/* ------------------------------------------------- ordering the records */

/* The record a member type embeds by value (through arrays), or UINT32_MAX. */
static uint32_t layout_embedded_record(const cc_table *t, uint32_t type)
{
    for (uint32_t steps = 0; steps <= t->ntypes; steps++) {
        const cct_type *ty = &t->types[type];
        if (layout_is_record(ty))
            return type;
        if (ty->kind != CCT_KIND_ARRAY || ty->item >= t->ntypes)
            return UINT32_MAX;
        type = ty->item;
    }
    return UINT32_MAX;
}

/* Does this record still need laying out? */
static bool layout_pending(const cct_type *ty)
{
    return layout_is_record(ty)
        && !(ty->flags & (CCT_TF_LAYOUT_KNOWN | CCT_TF_OPAQUE | CCT_TF_PARTIAL));
}

typedef struct layout_frame {
    uint32_t record;
    uint32_t next;   /* next member to look at */
} layout_frame;

typedef struct layout_stack {
    layout_frame *frames;
    uint32_t depth, cap;
} layout_stack;

static int layout_push(layout_stack *st, uint32_t record, cc_error *err)
{
    if (st->depth == st->cap) {
        uint32_t cap = st->cap ? st->cap * 2 : 16;
        layout_frame *p = realloc(st->frames, cap * sizeof *p);
        if (p == NULL)
            return cc_error_set(err, CC_ERR_NOMEM, "out of memory in layout");
        st->frames = p;
        st->cap = cap;
    }
    st->frames[st->depth].record = record;
    st->frames[st->depth].next = 0;
    st->depth++;
    return 0;
}

static bool layout_on_stack(const layout_stack *st, uint32_t record)
{
    for (uint32_t i = 0; i < st->depth; i++)
        if (st->frames[i].record == record)
            return true;
    return false;
}

/* Visits the next member of the top frame: pushes the record it embeds if
 * that one is pending, or lays the top record out when it has no more. */
static int layout_step(cc_table *t, layout_stack *st, cc_error *err)
{
    layout_frame *top = &st->frames[st->depth - 1];
    const cct_type *ty = &t->types[top->record];
    uint32_t sub;
    layout_name n;

    if (top->next >= ty->count) {
        st->depth--;
        return layout_one(t, top->record, err);
    }
    sub = layout_embedded_record(t, t->fields[ty->first + top->next++].type);
    if (sub == UINT32_MAX || !layout_pending(&t->types[sub]))
        return 0;
    if (layout_on_stack(st, sub))
        return cc_error_set(err, CC_ERR_DECL, "recursive structure declaration "
                            "for '%s'", layout_record_tag(t, sub, &n));
    return layout_push(st, sub, err);
}

int cc_layout_record(cc_table *t, uint32_t type, cc_error *err)
{
    layout_stack st = { NULL, 0, 0 };
    int rc = 0;

    if (type >= t->ntypes || !layout_is_record(&t->types[type]))
        return cc_error_set(err, CC_ERR_TYPE, "type %u is not a struct or union", type);
    if (!layout_pending(&t->types[type]))
        return 0;
    rc = layout_push(&st, type, err);
    while (rc == 0 && st.depth > 0)
        rc = layout_step(t, &st, err);
    free(st.frames);
    return rc;
}

/* ------------------------------------------------------- sizeof/alignof */

static int layout_size_align(cc_table *t, uint32_t type, uint64_t *size,
                             uint32_t *align, bool want_align, cc_error *err);

/* An array whose size is not known: `T[]` has T's alignment but no size;
 * `T[n]` of an unsized T names the item as CFFI does. */
static int layout_array_unknown(cc_table *t, uint32_t type, uint64_t *size,
                                uint32_t *align, bool want_align, cc_error *err)
{
    const cct_type *ty = &t->types[type];
    uint32_t item = ty->item;
    uint64_t isize;
    uint32_t ialign;
    layout_name n;

    if (ty->flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS)) {
        if (!want_align)
            return layout_unknown_size(t, type, false, err);
        /* `T[][]...`: walk down to the first item of known length */
        while (t->types[item].kind == CCT_KIND_ARRAY && t->types[item].item < item
               && (t->types[item].flags & (CCT_TF_LENGTH_UNKNOWN | CCT_TF_LENGTH_DOTS)))
            item = t->types[item].item;
        return layout_size_align(t, item, size, align, true, err);
    }
    if (layout_size_align(t, item, &isize, &ialign, want_align, NULL) == 0)
        return layout_unknown_size(t, type, want_align, err);
    if (layout_is_record(&t->types[item]) && (t->types[item].flags & CCT_TF_PARTIAL))
        return layout_size_align(t, item, &isize, &ialign, want_align, err);
    return cc_error_set(err, CC_ERR_TYPE, "array item of unknown size: '%s'",
                        layout_spell(t, item, &n));
}

/* Lays out whatever record `type` embeds by value, then sizes it. */
static int layout_size_align(cc_table *t, uint32_t type, uint64_t *size,
                             uint32_t *align, bool want_align, cc_error *err)
{
    uint32_t rec;
    int rc;

    if (type >= t->ntypes)
        return cc_error_set(err, CC_ERR_TYPE, "type %u out of range", type);
    rec = layout_embedded_record(t, type);
    if (rec != UINT32_MAX && layout_pending(&t->types[rec])
        && cc_layout_record(t, rec, err) < 0)
        return -1;
    rc = layout_known_size(t, type, size, align, err);
    if (rc < 0)
        return -1;
    if (rc > 0)
        return 0;
    if (t->types[type].kind == CCT_KIND_ARRAY && t->types[type].item < type)
        return layout_array_unknown(t, type, size, align, want_align, err);
    return layout_unknown_size(t, type, want_align, err);
}

int cc_layout_sizeof(cc_table *t, uint32_t type, uint64_t *size, cc_error *err)
{
    uint32_t align;

    return layout_size_align(t, type, size, &align, false, err);
}

int cc_layout_alignof(cc_table *t, uint32_t type, uint32_t *align, cc_error *err)
{
    uint64_t size;

    return layout_size_align(t, type, &size, align, true, err);
}
