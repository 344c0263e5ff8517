/* dump_table.c - prints the type table of a compiled API-mode module.
 *
 * Usage: dump_table MODULE.so     (the _ccffi_type_table symbol: exported,
 *                                  or, as generated modules have it, a
 *                                  local symbol of the ELF symbol table)
 *        dump_table -f TABLE.bin  (a raw table, e.g. -fplugin-arg-ccffi_gcc-dump)
 *        dump_table -c CDEF.h     (the table ABI mode builds from that cdef
 *                                  text: the parser and the layout engine)
 * The table is read with cc_table_load, the runtime's loader, so a table that
 * prints has passed every check the runtime makes.  One line per type, field,
 * enumerator and declaration, meant for people and for the plugin tests
 * (tests/python/test_gcc_plugin.py parses it):
 *   type 5 struct point size=8 align=4 flags=LAYOUT_KNOWN
 *     field x: int offset=0
 *     field b: int offset=0 bitshift=3 bitsize=5
 *     enumerator RED = 0
 *   decl TAG point: struct point
 *   decl CONST_INT FOO: int = 42 flags=UNSIGNED
 * Exit status: 0 printed, 1 the table is missing or refused, 2 usage.
 */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/contract.h"
#include "table/ctable.h"
#include "table/cspell.h"
#include "cdef/cparse.h"

static const char *const kind_names[] = {
#define CCT_X(k) #k,
    CCT_KINDS(CCT_X)
#undef CCT_X
};

static const char *const decl_kind_names[] = {
#define CCT_X(k) #k,
    CCT_DECL_KINDS(CCT_X)
#undef CCT_X
};

/* Prints the names of the bits set in flags, as "flags=A|B", or nothing. */
static void dump_flags(unsigned flags, const char *const *names, int n)
{
    const char *sep = " flags=";
    for (int i = 0; i < n; i++)
        if (flags & (1u << i)) {
            printf("%s%s", sep, names[i] ? names[i] : "?");
            sep = "|";
        }
}

static const char *const type_flag_names[] = {
    "OPAQUE", "PARTIAL", "PACKED", "TYPEDEF_NAMED", "LAYOUT_KNOWN",
    "LENGTH_UNKNOWN", "LENGTH_DOTS", "VARIADIC", "FLEXIBLE", "DOTS_TYPEDEF",
};
static const char *const decl_flag_names[] = {
    "UNSIGNED", "DOTS_VALUE", "CONST", "PYTHON_C", "MACRO",
};

/* C spelling; an anonymous struct/union/enum (no name in the table) is shown
 * as "struct $<type index>" so that the dump tells them apart. */
static const char *spell(const cc_table *t, uint32_t type, char *buf, size_t size)
{
    const cct_type *ty = &t->types[type];
    int tagged = ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION
                 || ty->kind == CCT_KIND_ENUM;
    if (tagged && ty->name == 0) {
        snprintf(buf, size, "%s $%" PRIu32, ty->kind == CCT_KIND_STRUCT ? "struct"
                 : ty->kind == CCT_KIND_UNION ? "union" : "enum", type);
        return buf;
    }
    if (cc_spell_type(t, type, NULL, buf, size) < 0)
        snprintf(buf, size, "<type %" PRIu32 ">", type);
    return buf;
}

static void dump_members(const cc_table *t, const cct_type *ty)
{
    char buf[1024];
    int is_record = ty->kind == CCT_KIND_STRUCT || ty->kind == CCT_KIND_UNION;
    for (uint32_t i = 0; is_record && i < ty->count; i++) {
        const cct_field *f = &t->fields[ty->first + i];
        printf("  field %s: %s offset=%" PRIu64, cc_table_str(t, f->name),
               spell(t, f->type, buf, sizeof buf), f->offset);
        if (f->bitsize != CCT_NOT_BITFIELD)
            printf(" bitshift=%d bitsize=%d", f->bitshift, f->bitsize);
        printf("\n");
    }
    for (uint32_t i = 0; ty->kind == CCT_KIND_ENUM && i < ty->count; i++) {
        const cct_enumerator *e = &t->enums[ty->first + i];
        if (cc_prims[ty->prim].flags & CCT_PF_SIGNED)
            printf("  enumerator %s = %" PRId64 "\n", cc_table_str(t, e->name),
                   (int64_t) e->value);
        else
            printf("  enumerator %s = %" PRIu64 "\n", cc_table_str(t, e->name),
                   e->value);
    }
}

static void dump_type(const cc_table *t, uint32_t index)
{
    const cct_type *ty = &t->types[index];
    char buf[1024];
    printf("type %" PRIu32 " %s %s", index, kind_names[ty->kind],
           spell(t, index, buf, sizeof buf));
    if (ty->kind == CCT_KIND_ENUM)
        printf(" prim=%s", cc_prims[ty->prim].name);
    if (ty->size != CCT_SIZE_UNKNOWN)
        printf(" size=%" PRIu64, ty->size);
    printf(" align=%" PRIu32, ty->align);
    if (ty->kind == CCT_KIND_ARRAY)
        printf(" length=%" PRIu64, ty->length);
    dump_flags(ty->flags, type_flag_names,
               (int) (sizeof type_flag_names / sizeof type_flag_names[0]));
    printf("\n");
    dump_members(t, ty);
}

static void dump_decl_value(const cc_table *t, const cct_decl *d)
{
    if (d->kind == CCT_DECL_CONST_INT && (d->flags & CCT_DF_UNSIGNED))
        printf(" = %" PRIu64, d->value);
    else if (d->kind == CCT_DECL_CONST_INT)
        printf(" = %" PRId64, (int64_t) d->value);
    else if (d->kind == CCT_DECL_CONST_FLOAT) {
        double v;
        memcpy(&v, &d->value, sizeof v);
        printf(" = %.17g", v);
    } else if (d->kind == CCT_DECL_CONST_STRING) {
        uint32_t off = (uint32_t) d->value, len = (uint32_t) (d->value >> 32);
        printf(" = \"%.*s\"", (int) len, cc_table_str(t, off));
    }
}

static void dump_decl(const cc_table *t, const cct_decl *d)
{
    char buf[1024];
    printf("decl %s %s: %s", decl_kind_names[d->kind], cc_table_str(t, d->name),
           spell(t, d->type, buf, sizeof buf));
    dump_decl_value(t, d);
    if (d->slot != CCT_NO_SLOT)
        printf(" slot=%" PRIu32, d->slot);
    dump_flags(d->flags, decl_flag_names,
               (int) (sizeof decl_flag_names / sizeof decl_flag_names[0]));
    printf("\n");
}

static int dump(const void *bytes, size_t len)
{
    cc_table t;
    cc_error err;
    memset(&err, 0, sizeof err);
    if (cc_table_init(&t) != 0 || cc_table_load(&t, bytes, len, &err) != 0) {
        fprintf(stderr, "dump_table: table refused: %s\n", err.message);
        return 1;
    }
    printf("table: %" PRIu32 " types, %" PRIu32 " fields, %" PRIu32
           " enumerators, %" PRIu32 " decls, %zu bytes\n",
           t.ntypes, t.nfields, t.nenums, t.ndecls, len);
    for (uint32_t i = 0; i < t.ntypes; i++)
        dump_type(&t, i);
    for (uint32_t i = 0; i < t.ndecls; i++)
        dump_decl(&t, &t.decls[i]);
    cc_table_free(&t);
    return 0;
}

/* The whole file, malloc()ed, or NULL (reported). */
static unsigned char *read_file(const char *path, size_t *len);

/* The bytes of the local (static) symbol NAME of the ELF64 file IMAGE, from
 * its .symtab: NULL if it has none. */
static const unsigned char *elf_local_symbol(const unsigned char *image,
                                             size_t len, const char *name)
{
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
    if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0
        || eh->e_ident[EI_CLASS] != ELFCLASS64
        || eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > len)
        return NULL;
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(image + eh->e_shoff);
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum
            || sh[i].sh_offset + sh[i].sh_size > len)
            continue;
        const Elf64_Shdr *strs = &sh[sh[i].sh_link];
        const Elf64_Sym *syms = (const Elf64_Sym *)(image + sh[i].sh_offset);
        size_t n = sh[i].sh_size / sizeof *syms;
        for (size_t k = 0; k < n; k++) {
            if (syms[k].st_name >= strs->sh_size
                || syms[k].st_shndx == SHN_UNDEF || syms[k].st_shndx >= eh->e_shnum
                || strcmp((const char *)image + strs->sh_offset + syms[k].st_name,
                          name) != 0)
                continue;
            const Elf64_Shdr *sec = &sh[syms[k].st_shndx];
            uint64_t off = sec->sh_offset + (syms[k].st_value - sec->sh_addr);
            if (sec->sh_type == SHT_NOBITS || off + sizeof(cct_header) > len)
                return NULL;
            return image + off;
        }
    }
    return NULL;
}

/* A module whose table is a local symbol: read from the file itself. */
static int dump_module_file(const char *path)
{
    size_t len;
    unsigned char *image = read_file(path, &len);
    if (image == NULL)
        return 1;
    const unsigned char *table = elf_local_symbol(image, len, CCC_TABLE_SYMBOL);
    if (table == NULL) {    /* C++ mangles a static variable's name */
        char mangled[64];
        snprintf(mangled, sizeof mangled, "_ZL%zu%s", strlen(CCC_TABLE_SYMBOL),
                 CCC_TABLE_SYMBOL);
        table = elf_local_symbol(image, len, mangled);
    }
    const cct_header *hdr = (const cct_header *)table;
    int rc = 1;
    if (!table)
        fprintf(stderr, "dump_table: %s has no %s symbol\n", path, CCC_TABLE_SYMBOL);
    else if (memcmp(hdr->magic, CCT_MAGIC, CCT_MAGIC_LEN) != 0)
        fprintf(stderr, "dump_table: %s: %s does not start with the table magic\n",
                path, CCC_TABLE_SYMBOL);
    else if ((size_t)(table - image) + hdr->total_size > len)
        fprintf(stderr, "dump_table: %s: the table runs past the file\n", path);
    else
        rc = dump(hdr, hdr->total_size);
    free(image);
    return rc;
}

static int dump_module(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "dump_table: %s\n", dlerror());
        return 1;
    }
    const cct_header *hdr = dlsym(h, CCC_TABLE_SYMBOL);
    int rc = 1;
    if (!hdr) {
        dlclose(h);
        return dump_module_file(path);
    } else if (memcmp(hdr->magic, CCT_MAGIC, CCT_MAGIC_LEN) != 0)
        fprintf(stderr, "dump_table: %s: %s does not start with the table magic\n",
                path, CCC_TABLE_SYMBOL);
    else
        rc = dump(hdr, hdr->total_size);
    dlclose(h);
    return rc;
}

/* Parses a cdef text as ffi.cdef() does, then dumps the serialized table. */
static int dump_cdef(const char *path)
{
    size_t len;
    unsigned char *src = read_file(path, &len), *buf = NULL;
    if (!src)
        return 1;
    cc_table t;
    cc_error err;
    memset(&err, 0, sizeof err);
    int rc = 1;
    if (cc_table_init(&t) != 0)
        fprintf(stderr, "dump_table: out of memory\n");
    else if (cc_parse_cdef(&t, (const char *) src, len, NULL, &err) != 0)
        fprintf(stderr, "dump_table: %s:%d: %s\n", path, err.line, err.message);
    else if (cc_table_serialize(&t, &buf, &len) != 0)
        fprintf(stderr, "dump_table: out of memory\n");
    else
        rc = dump(buf, len);
    free(buf);
    free(src);
    cc_table_free(&t);
    return rc;
}

static int dump_file(const char *path)
{
    size_t len;
    unsigned char *buf = read_file(path, &len);
    if (!buf)
        return 1;
    int rc = dump(buf, len);
    free(buf);
    return rc;
}

static unsigned char *read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            unsigned char *bigger = realloc(buf, cap);
            if (!bigger) {
                free(buf);
                fclose(f);
                fprintf(stderr, "dump_table: out of memory\n");
                return NULL;
            }
            buf = bigger;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    *out_len = len;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc == 2)
        return dump_module(argv[1]);
    if (argc == 3 && strcmp(argv[1], "-f") == 0)
        return dump_file(argv[2]);
    if (argc == 3 && strcmp(argv[1], "-c") == 0)
        return dump_cdef(argv[2]);
    fprintf(stderr, "usage: dump_table MODULE.so | -f TABLE.bin | -c CDEF.h\n");
    return 2;
}
