/* cmismatch.c - struct/union layout records of a cdef the compiler
 * contradicts: written by the table's producers, read by the runtime, and
 * worded as CFFI words the error (cmismatch.h has the format).
 */
#include "table/cmismatch.h"
#include "table/contract.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cmm_words[CC_LAYOUT__COUNT] = CC_LAYOUT_WORDS;

int cc_layout_diff_append(char **text, size_t *len, cc_layout_what what,
                          const char *field, long long cdef,
                          long long compiler)
{
    if ((int)what < 0 || what >= CC_LAYOUT__COUNT)
        return -1;
    int is_field = what == CC_LAYOUT_FIELD_SIZE || what == CC_LAYOUT_FIELD_OFFSET;
    if (!is_field || field == NULL)
        field = "";
    size_t need = strlen(cmm_words[what]) + strlen(field) + 64;
    char *grown = (char *)realloc(*text, *len + need);
    if (grown == NULL)
        return -1;
    *text = grown;
    int n = snprintf(grown + *len, need, is_field ? "%s %lld %lld %s\n"
                                                  : "%s %lld %lld\n",
                     cmm_words[what], cdef, compiler, field);
    if (n < 0 || (size_t)n >= need)
        return -1;
    *len += (size_t)n;
    return 0;
}

/* A decimal number (optional '-') at text[*pos..end), then one space or the
 * end of the line. */
static int cmm_number(const char *text, size_t end, size_t *pos, long long *out)
{
    size_t p = *pos;
    int neg = 0;
    unsigned long long v = 0;
    if (p < end && text[p] == '-') {
        neg = 1;
        p++;
    }
    size_t digits = p;
    while (p < end && text[p] >= '0' && text[p] <= '9') {
        if (v > 0xFFFFFFFFFFFFFFFull)
            return -1;
        v = v * 10 + (unsigned long long)(text[p] - '0');
        p++;
    }
    if (p == digits || v > 0x7FFFFFFFFFFFFFFFull)
        return -1;
    *out = neg ? -(long long)v : (long long)v;
    if (p < end && text[p] == ' ')
        p++;
    *pos = p;
    return 0;
}

int cc_layout_diff_next(const char *text, size_t len, size_t *pos,
                        cc_layout_diff *diff)
{
    size_t p = *pos;
    if (p >= len)
        return 0;
    const char *nl = (const char *)memchr(text + p, '\n', len - p);
    size_t end = nl ? (size_t)(nl - text) : len;
    size_t sp = p;
    while (sp < end && text[sp] != ' ')
        sp++;
    int what = -1;
    for (int k = 0; k < (int)CC_LAYOUT__COUNT; k++)
        if (strlen(cmm_words[k]) == sp - p
            && memcmp(cmm_words[k], text + p, sp - p) == 0)
            what = k;
    if (what < 0 || sp >= end)
        return -1;
    p = sp + 1;
    diff->what = (cc_layout_what)what;
    if (cmm_number(text, end, &p, &diff->cdef) < 0
        || cmm_number(text, end, &p, &diff->compiler) < 0)
        return -1;
    diff->field = text + p;
    diff->field_len = end - p;
    int is_field = what == CC_LAYOUT_FIELD_SIZE || what == CC_LAYOUT_FIELD_OFFSET;
    if (is_field != (diff->field_len > 0))
        return -1;
    *pos = nl ? end + 1 : end;
    return 1;
}

int cc_table_layout_mismatch(const cc_table *t, const char *type_name,
                             const char **text, size_t *len)
{
    size_t plen = strlen(CCC_MISMATCH_PREFIX), nlen = strlen(type_name);
    char small[256];
    char *key = plen + nlen < sizeof small ? small : (char *)malloc(plen + nlen + 1);
    uint32_t ref;
    if (key == NULL)
        return 0;
    memcpy(key, CCC_MISMATCH_PREFIX, plen);
    memcpy(key + plen, type_name, nlen);
    key[plen + nlen] = '\0';
    int found = cc_table_lookup(t, CC_NS_ORDINARY, key, plen + nlen, &ref) == 1
                && !(ref & CC_REF_ENUMERATOR)
                && t->decls[ref].kind == CCT_DECL_CONST_STRING;
    if (key != small)
        free(key);
    if (!found)
        return 0;
    const cct_decl *d = &t->decls[ref];
    *text = t->strings + (uint32_t)d->value;
    *len = (size_t)(d->value >> 32);
    return 1;
}

/* Finds the first line of kind `what` (and, if field is not NULL, of that
 * field): 1 with *out, 0 if none, -1 malformed. */
static int cmm_find(const char *text, size_t len, cc_layout_what what,
                    const cc_layout_diff *field, cc_layout_diff *out)
{
    size_t pos = 0;
    cc_layout_diff d;
    int rc;
    while ((rc = cc_layout_diff_next(text, len, &pos, &d)) == 1) {
        if (d.what != what)
            continue;
        if (field != NULL && (d.field_len != field->field_len
                              || memcmp(d.field, field->field, d.field_len) != 0))
            continue;
        *out = d;
        return 1;
    }
    return rc;
}

static void cmm_word(const cc_layout_diff *d, char *buf, size_t size)
{
    switch (d->what) {
    case CC_LAYOUT_FIELD_SIZE:
    case CC_LAYOUT_FIELD_OFFSET:
        snprintf(buf, size, "wrong %s for field '%.*s'",
                 d->what == CC_LAYOUT_FIELD_SIZE ? "size" : "offset",
                 (int)d->field_len, d->field);
        break;
    case CC_LAYOUT_TOTAL_SIZE:
        snprintf(buf, size, "wrong total size");
        break;
    default:
        snprintf(buf, size, "wrong total alignment");
        break;
    }
}

int cc_layout_mismatch_message(const char *text, size_t len,
                               const char *type_name, cc_layout_style style,
                               char *buf, size_t size)
{
    cc_layout_diff d;
    int rc = 0;
    if (style == CC_LAYOUT_AT_USE) {
        /* CFFI's realization checks every member's size, then lays the
         * members out checking offsets, then the total size and alignment */
        static const cc_layout_what order[] = {
            CC_LAYOUT_FIELD_SIZE, CC_LAYOUT_FIELD_OFFSET,
            CC_LAYOUT_TOTAL_SIZE, CC_LAYOUT_TOTAL_ALIGNMENT };
        for (size_t k = 0; k < sizeof order / sizeof order[0] && rc == 0; k++)
            rc = cmm_find(text, len, order[k], NULL, &d);
    } else {
        /* the old verify() checks the totals, then each member's offset and
         * size in turn */
        rc = cmm_find(text, len, CC_LAYOUT_TOTAL_SIZE, NULL, &d);
        if (rc == 0)
            rc = cmm_find(text, len, CC_LAYOUT_TOTAL_ALIGNMENT, NULL, &d);
        size_t pos = 0;
        cc_layout_diff line;
        while (rc == 0 && (rc = cc_layout_diff_next(text, len, &pos, &line)) == 1) {
            if (line.what != CC_LAYOUT_FIELD_OFFSET && line.what != CC_LAYOUT_FIELD_SIZE) {
                rc = 0;
                continue;
            }
            rc = cmm_find(text, len, CC_LAYOUT_FIELD_OFFSET, &line, &d);
            if (rc == 0)
                rc = cmm_find(text, len, CC_LAYOUT_FIELD_SIZE, &line, &d);
        }
    }
    if (rc <= 0) {
        if (size > 0)
            buf[0] = '\0';
        return rc;
    }
    char word[300];
    cmm_word(&d, word, sizeof word);
    if (style == CC_LAYOUT_AT_USE)
        snprintf(buf, size, "%s: %s (cdef says %lld, but C compiler says "
                 "%lld). fix it or use \"...;\" as the last field in the cdef "
                 "for %s to make it flexible", type_name, word, d.cdef,
                 d.compiler, type_name);
    else
        snprintf(buf, size, "%s: %s (we have %lld, but C compiler says %lld)",
                 type_name, word, d.cdef, d.compiler);
    return 1;
}
