/* test_cparse.c - cmocka tests of the cdef lexer and parser (runtime/cdef/clex.c,
 * runtime/cdef/cparse.c): tokens, each declaration form, the table entries they
 * produce, each error with its position and message, rollback on error and
 * override=True.  Types are checked through their C spelling (cspell.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cdef/clex.h"
#include "cdef/cparse.h"
#include "table/cspell.h"

/* ------------------------------------------------------------- helpers */

static int setup_table(void **state)
{
    cc_table *t = malloc(sizeof *t);
    if (!t || cc_table_init(t) < 0)
        return -1;
    *state = t;
    return 0;
}

static int teardown_table(void **state)
{
    cc_table_free(*state);
    free(*state);
    return 0;
}

static void cdef_opt(cc_table *t, const char *src, const cc_parse_options *opt)
{
    cc_error err;
    int rc = cc_parse_cdef(t, src, strlen(src), opt, &err);
    if (rc != 0)
        print_error("cdef failed: %s:%d:%d: %s\n", err.file, err.line,
                    err.column, err.message);
    assert_int_equal(rc, 0);
}

static void cdef(cc_table *t, const char *src)
{
    cdef_opt(t, src, NULL);
}

/* Parses src into t, which must fail with this kind, position and message. */
static void cdef_fails_in(cc_table *t, const char *src, const cc_parse_options *opt,
                          cc_errkind kind, int line, int column, const char *msg)
{
    cc_error err;

    assert_int_equal(cc_parse_cdef(t, src, strlen(src), opt, &err), -1);
    assert_string_equal(err.message, msg);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
    assert_int_equal(err.kind, kind);
}

static void cdef_fails(const char *src, int line, int column, const char *msg)
{
    cc_table t;

    assert_int_equal(cc_table_init(&t), 0);
    cdef_fails_in(&t, src, NULL, CC_ERR_SYNTAX, line, column, msg);
    cc_table_free(&t);
}

static void cdef_fails_decl(const char *src, int line, int column, const char *msg)
{
    cc_table t;

    assert_int_equal(cc_table_init(&t), 0);
    cdef_fails_in(&t, src, NULL, CC_ERR_DECL, line, column, msg);
    cc_table_free(&t);
}

static const cct_decl *find_decl(const cc_table *t, int ns, const char *name)
{
    uint32_t ref;

    if (!cc_table_lookup(t, ns, name, strlen(name), &ref))
        fail_msg("'%s' is not declared", name);
    assert_false(ref & CC_REF_ENUMERATOR);
    return &t->decls[ref];
}

static const cct_decl *decl(const cc_table *t, const char *name)
{
    return find_decl(t, CC_NS_ORDINARY, name);
}

static const cct_type *tag(const cc_table *t, const char *name)
{
    return &t->types[find_decl(t, CC_NS_TAG, name)->type];
}

/* A record that CFFI accepts in cdef() and refuses only when used: parsed,
 * left without a layout (the layout engine refuses it at realize time). */
static void cdef_defers_layout(const char *src)
{
    cc_table t;

    assert_int_equal(cc_table_init(&t), 0);
    cdef(&t, src);
    assert_false(tag(&t, "s")->flags & CCT_TF_LAYOUT_KNOWN);
    cc_table_free(&t);
}

static const char *spell(const cc_table *t, uint32_t type)
{
    static char buf[256];
    assert_true(cc_spell_type(t, type, NULL, buf, sizeof buf) >= 0);
    return buf;
}

static uint32_t typename_of(cc_table *t, const char *text)
{
    cc_error err;
    uint32_t type = 0;
    int rc = cc_parse_typename(t, text, strlen(text), &type, &err);
    if (rc != 0)
        print_error("typename '%s' failed: %s\n", text, err.message);
    assert_int_equal(rc, 0);
    return type;
}

static void assert_typename(cc_table *t, const char *text, const char *spelled)
{
    assert_string_equal(spell(t, typename_of(t, text)), spelled);
}

static void assert_decl_type(const cc_table *t, const char *name, const char *spelled)
{
    assert_string_equal(spell(t, decl(t, name)->type), spelled);
}

static int64_t const_value(const cc_table *t, const char *name)
{
    uint32_t ref;
    assert_true(cc_table_lookup(t, CC_NS_ORDINARY, name, strlen(name), &ref));
    if (ref & CC_REF_ENUMERATOR)
        return (int64_t)t->enums[ref & ~CC_REF_ENUMERATOR].value;
    assert_int_equal(t->decls[ref].kind, CCT_DECL_CONST_INT);
    return (int64_t)t->decls[ref].value;
}

/* ------------------------------------------------------------- lexer */

static void lex_all(const char *src, clex_token *toks, int n)
{
    clex lx;
    clex_init(&lx, src, strlen(src));
    for (int i = 0; i < n; i++)
        clex_next(&lx, &toks[i]);
}

static void test_lexer_tokens(void **state)
{
    clex_token k[16];
    (void)state;

    lex_all("unsigned long x1 = 0x1fUL;/* c */ ... <<>= 'a' \"s\\\"t\" // x\n"
            "\tint", k, 13);
    assert_int_equal(k[0].kind, CLEX_IDENT);
    assert_int_equal(k[0].kw, CLEX_KW_UNSIGNED);
    assert_int_equal(k[1].kw, CLEX_KW_LONG);
    assert_int_equal(k[2].kind, CLEX_IDENT);
    assert_int_equal(k[2].kw, CLEX_KW_NONE);
    assert_int_equal(k[2].len, 2);
    assert_int_equal(k[3].kind, '=');
    assert_int_equal(k[4].kind, CLEX_NUMBER);
    assert_int_equal(k[4].len, 6);
    assert_int_equal(k[5].kind, ';');
    assert_int_equal(k[6].kind, CLEX_ELLIPSIS);
    assert_int_equal(k[6].column, 35);
    assert_int_equal(k[7].kind, CLEX_SHL);
    assert_int_equal(k[8].kind, CLEX_GE);
    assert_int_equal(k[9].kind, CLEX_CHAR);
    assert_int_equal(k[10].kind, CLEX_STRING);
    assert_int_equal(k[10].len, 6);
    assert_int_equal(k[11].kw, CLEX_KW_INT);
    assert_int_equal(k[11].line, 2);
    assert_int_equal(k[11].column, 2);
    assert_int_equal(k[12].kind, CLEX_EOF);
}

static void test_lexer_every_keyword(void **state)
{
    clex_token k[2];
    char buf[64];
    (void)state;

    for (int kw = 1; kw < CLEX_KW__COUNT; kw++) {
        const char *name = clex_keyword_name((enum clex_kw)kw);
        lex_all(name, k, 1);
        assert_int_equal(k[0].kind, CLEX_IDENT);
        assert_int_equal(k[0].kw, kw);
        snprintf(buf, sizeof buf, "%sx", name);   /* a longer name is not one */
        lex_all(buf, k, 1);
        assert_int_equal(k[0].kw, CLEX_KW_NONE);
    }
    lex_all("Int INT in t", k, 2);
    assert_int_equal(k[0].kw, CLEX_KW_NONE);
    assert_int_equal(k[1].kw, CLEX_KW_NONE);
}

static void test_lexer_continuations_and_hash(void **state)
{
    clex_token k[6];
    (void)state;

    lex_all("a \\\n b\n  # define", k, 5);
    assert_int_equal(k[1].line, 2);
    assert_int_equal(k[1].column, 2);
    assert_int_equal(k[2].kind, CLEX_HASH);
    assert_int_equal(k[2].line, 3);
    assert_int_equal(k[2].column, 3);
    assert_int_equal(k[3].len, 6);
    assert_int_equal(k[4].kind, CLEX_EOF);
    lex_all("x # y", k, 2);
    assert_int_equal(k[1].kind, CLEX_ERROR);
}

static void test_lexer_errors(void **state)
{
    clex_token k[2];
    (void)state;

    lex_all("int /* never closed", k, 2);
    assert_int_equal(k[1].kind, CLEX_ERROR);
    assert_int_equal(k[1].column, 5);
    lex_all("\"abc\n\"", k, 1);
    assert_int_equal(k[0].kind, CLEX_ERROR);
    lex_all("@", k, 1);
    assert_int_equal(k[0].kind, CLEX_ERROR);
}

/* ------------------------------------------------------------- types */

static void test_primitive_names(void **state)
{
    cc_table *t = *state;

    assert_typename(t, "unsigned", "unsigned int");
    assert_typename(t, "long int", "long");
    assert_typename(t, "long unsigned int", "unsigned long");
    assert_typename(t, "signed char", "signed char");
    assert_typename(t, "char", "char");
    assert_typename(t, "short int", "short");
    assert_typename(t, "long long", "long long");
    assert_typename(t, "unsigned long long int", "unsigned long long");
    assert_typename(t, "long double", "long double");
    assert_typename(t, "_Bool", "_Bool");
    assert_typename(t, "bool", "_Bool");
    assert_typename(t, "float _Complex", "float _Complex");
    assert_typename(t, "double _Complex", "double _Complex");
    assert_typename(t, "signed", "int");
    assert_typename(t, "size_t", "size_t");
    assert_typename(t, "int32_t", "int32_t");
    assert_typename(t, "uint_fast16_t", "uint_fast16_t");
    assert_typename(t, "wchar_t", "wchar_t");
    assert_typename(t, "char32_t", "char32_t");
    assert_typename(t, "FILE *", "FILE *");
    assert_int_equal(typename_of(t, "FILE"), typename_of(t, "FILE"));
    assert_int_equal(typename_of(t, "void"), 0);
}

static void test_derived_typenames(void **state)
{
    cc_table *t = *state;

    assert_typename(t, "int[5][3]", "int[5][3]");
    assert_typename(t, "int(*)(int, ...)", "int(*)(int, ...)");
    assert_typename(t, "char *[10]", "char *[10]");
    assert_typename(t, "int[]", "int[]");
    /* the cdef's const is kept for the C the generator writes */
    assert_typename(t, "const char *", "const char *");
    assert_typename(t, "char const * volatile", "const char *");
    assert_typename(t, "char *const *", "char *const *");
    assert_typename(t, "const int[2][3]", "const int[2][3]");
    assert_typename(t, "int (*const *)(const void *)",
                    "int(*const *)(const void *)");
    assert_typename(t, "int x", "int");
    assert_typename(t, "int (*)[4]", "int(*)[4]");
    assert_typename(t, "int(int)", "int(int)");
    assert_typename(t, "void (__stdcall *)(void)", "void(*)(void)");
    assert_int_equal(typename_of(t, "int *"), typename_of(t, "int*"));
    /* "struct foo" needs no declaration: an opaque struct is made once */
    assert_typename(t, "struct foo *", "struct foo *");
    assert_true(tag(t, "foo")->flags & CCT_TF_OPAQUE);
    assert_int_equal(typename_of(t, "struct foo"), typename_of(t, "struct foo"));
}

static void test_typename_errors(void **state)
{
    cc_table *t = *state;
    cc_error err;
    uint32_t type;

    assert_int_equal(cc_parse_typename(t, "foo", 3, &type, &err), -1);
    assert_string_equal(err.message, "unknown identifier 'foo'");
    assert_string_equal(err.file, "<cdef source string>");
    assert_int_equal(err.wording, CC_WORD_BARE);  /* CFFI gives no position */
    assert_int_equal(err.column, 1);   /* for the caret of CFFI's C parser */
    assert_string_equal(err.c_words, "undefined type name");
    assert_int_equal(cc_parse_typename(t, "int *;", 6, &type, &err), -1);
    assert_string_equal(err.message, "unexpected ';', expected the end of the type");
    assert_int_equal(err.column, 6);
    assert_int_equal(cc_parse_typename(t, "int[-1]", 7, &type, &err), -1);
    assert_string_equal(err.message, "negative array length");
    assert_int_equal(err.kind, CC_ERR_VALUE);     /* ValueError, as CFFI */
    assert_string_equal(err.c_words, "expected a positive integer constant");
    assert_int_equal(cc_parse_typename(t, "int(*)(int)[5]", 14, &type, &err), -1);
    assert_int_equal(err.kind, CC_ERR_TYPEERR);
    assert_string_equal(err.message, "invalid result type: 'int[5]'");
    /* CFFI's C parser: an unknown struct is an error, not a new opaque one */
    uint32_t n = t->ntypes;
    assert_int_equal(cc_parse_typename_c(t, "struct never_s *", 16, &type, &err), -1);
    assert_string_equal(err.c_words, "undefined struct/union name");
    assert_int_equal(err.column, 8);
    assert_int_equal(t->ntypes, n);
    assert_int_equal(cc_parse_typename_c(t, "struct struct", 13, &type, &err), -1);
    assert_string_equal(err.c_words, "struct or union name expected");
    assert_int_equal(cc_parse_typename(t, "struct never_s *", 16, &type, &err), 0);
    assert_int_equal(cc_parse_typename(t, "", 0, &type, &err), -1);
    assert_string_equal(err.message, "unexpected end of input, expected a type");
}

/* ------------------------------------------------------------- declarations */

static void test_functions(void **state)
{
    cc_table *t = *state;

    cdef(t, "int f(int, ...);\n"
            "int g(void), h();\n"
            "int *k(int a[], int fn(double), char m[2][3]);\n"
            "long __stdcall w(int);\n"
            "void WINAPI w2(void);\n"
            "double __cdecl w3(float x);\n");
    assert_int_equal(decl(t, "f")->kind, CCT_DECL_FUNCTION);
    assert_decl_type(t, "f", "int(int, ...)");
    assert_true(t->types[decl(t, "f")->type].flags & CCT_TF_VARIADIC);
    assert_decl_type(t, "g", "int(void)");
    assert_int_equal(decl(t, "g")->type, decl(t, "h")->type);
    assert_decl_type(t, "k", "int *(int *, int(*)(double), char(*)[3])");
    assert_decl_type(t, "w", "long(int)");
    assert_decl_type(t, "w2", "void(void)");
    assert_decl_type(t, "w3", "double(float)");
    assert_int_equal(decl(t, "f")->slot, CCT_NO_SLOT);
}

static void test_nested_declarators(void **state)
{
    cc_table *t = *state;

    cdef(t, "int (*(*pf)(int))[3];\n"
            "void (*signal(int, void (*)(int)))(int);\n"
            "int (*fp)(char *s[10]);\n"
            "int ((((x))));\n"
            "char *(*(*arr)[5])(void);\n");
    assert_int_equal(decl(t, "pf")->kind, CCT_DECL_VARIABLE);
    assert_decl_type(t, "pf", "int(*(*)(int))[3]");
    assert_int_equal(decl(t, "signal")->kind, CCT_DECL_FUNCTION);
    assert_decl_type(t, "signal", "void(*(int, void(*)(int)))(int)");
    assert_decl_type(t, "fp", "int(*)(char **)");
    assert_decl_type(t, "x", "int");
    assert_decl_type(t, "arr", "char *(*(*)[5])(void)");
}

static void test_variables(void **state)
{
    cc_table *t = *state;

    cdef(t, "extern int a; int b[3][4]; extern const int c; char *const d;\n"
            "const char *e; int x[...]; int y[...][...]; int z = 5;\n");
    assert_int_equal(decl(t, "a")->kind, CCT_DECL_VARIABLE);
    assert_int_equal(decl(t, "a")->flags, 0);
    assert_decl_type(t, "b", "int[3][4]");
    assert_int_equal(decl(t, "c")->flags, CCT_DF_CONST);
    assert_int_equal(decl(t, "d")->flags, CCT_DF_CONST);
    assert_int_equal(decl(t, "e")->flags, 0);
    assert_decl_type(t, "e", "const char *");
    assert_true(t->types[decl(t, "x")->type].flags & CCT_TF_LENGTH_DOTS);
    assert_true(t->types[t->types[decl(t, "y")->type].item].flags
                & CCT_TF_LENGTH_DOTS);
    /* an integer initialised by an integer literal: CFFI's constant */
    assert_int_equal(decl(t, "z")->kind, CCT_DECL_CONST_INT);
    assert_true(decl(t, "z")->value == 5);
}

static void test_typedefs(void **state)
{
    cc_table *t = *state;
    const cct_type *ty;

    cdef(t, "typedef int myint, *myintp; myint v; typedef struct foo foo_t;\n"
            "typedef struct { int a; } anon_t; typedef union { int b; } *anonp_t;\n"
            "typedef int fn_t(int); typedef fn_t *fnp_t; typedef int arr_t[];\n");
    assert_int_equal(decl(t, "myint")->kind, CCT_DECL_TYPEDEF);
    assert_decl_type(t, "v", "int");
    assert_decl_type(t, "myintp", "int *");
    assert_decl_type(t, "foo_t", "struct foo");
    ty = &t->types[decl(t, "anon_t")->type];
    assert_int_equal(ty->kind, CCT_KIND_STRUCT);
    assert_true(ty->flags & CCT_TF_TYPEDEF_NAMED);
    assert_string_equal(cc_table_str(t, ty->name), "anon_t");
    assert_typename(t, "anon_t *", "anon_t *");
    ty = &t->types[t->types[decl(t, "anonp_t")->type].item];
    assert_int_equal(ty->kind, CCT_KIND_UNION);
    assert_int_equal(ty->name, 0);
    assert_decl_type(t, "fnp_t", "int(*)(int)");
    assert_typename(t, "arr_t", "int[]");
    /* an identical repeat is allowed, a different one is not */
    cdef(t, "typedef int myint; typedef struct foo foo_t; int f(int); int f(int);");
    cdef_fails_in(t, "typedef long myint;", NULL, CC_ERR_DECL, 1, 14,
                  "multiple declarations of typedef myint (for interactive "
                  "usage, try cdef(xx, override=True))");
    cdef_fails_in(t, "typedef struct { int a; } anon_t;", NULL, CC_ERR_DECL, 1, 27,
                  "multiple declarations of anonymous anon_t (for interactive "
                  "usage, try cdef(xx, override=True))");
    cdef_fails_in(t, "long f(int);", NULL, CC_ERR_DECL, 1, 6,
                  "multiple declarations of function f (for interactive "
                  "usage, try cdef(xx, override=True))");
    cdef_fails_in(t, "int myint;", NULL, CC_ERR_DECL, 1, 5,
                  "multiple declarations of typedef myint (for interactive "
                  "usage, try cdef(xx, override=True))");
}

static void test_predefined_overridden(void **state)
{
    cc_table *t = *state;

    assert_typename(t, "int32_t", "int32_t");
    cdef(t, "typedef long int32_t; typedef struct { int fd; } FILE;");
    assert_typename(t, "int32_t", "long");
    assert_typename(t, "FILE", "FILE");
    assert_false(t->types[typename_of(t, "FILE")].flags & CCT_TF_OPAQUE);
}

static void test_struct_forward_completion(void **state)
{
    cc_table *t = *state;
    uint32_t s, ptr;

    cdef(t, "struct s; struct s *make(void);");
    s = find_decl(t, CC_NS_TAG, "s")->type;
    ptr = typename_of(t, "struct s *");
    assert_true(t->types[s].flags & CCT_TF_OPAQUE);
    cdef(t, "struct s { int a; char b; struct s *next; };");
    assert_int_equal(find_decl(t, CC_NS_TAG, "s")->type, s);
    assert_int_equal(typename_of(t, "struct s *"), ptr);
    assert_false(t->types[s].flags & CCT_TF_OPAQUE);
    assert_int_equal(t->types[s].count, 3);
    assert_true(t->types[s].flags & CCT_TF_LAYOUT_KNOWN);
    assert_int_equal(t->types[s].size, 16);
    assert_string_equal(cc_table_str(t, t->fields[t->types[s].first + 2].name),
                        "next");
    cdef_fails_in(t, "struct s { int a; };", NULL, CC_ERR_SYNTAX, 1, 8,
                  "duplicate declaration of struct s");
    /* as in CFFI, struct, union and enum tags are three namespaces */
    cdef(t, "union s { char c; short d; }; enum s { SA, SB };");
    uint32_t ref;
    assert_int_equal(cc_table_lookup_tag(t, CCT_KIND_UNION, "s", 1, &ref), 1);
    assert_int_equal(t->types[t->decls[ref].type].size, 2);
    assert_int_equal(cc_table_lookup_tag(t, CCT_KIND_STRUCT, "s", 1, &ref), 1);
    assert_int_equal(t->decls[ref].type, s);
    assert_int_equal(cc_table_lookup_tag(t, CCT_KIND_ENUM, "s", 1, &ref), 1);
    assert_int_equal(t->types[t->decls[ref].type].kind, CCT_KIND_ENUM);
    assert_int_equal(typename_of(t, "struct s *"), ptr);
    assert_int_not_equal(typename_of(t, "union s *"), ptr);
}

static void test_struct_members(void **state)
{
    cc_table *t = *state;
    const cct_type *q;
    const cct_field *f;

    cdef(t, "struct q { int a:3; unsigned :0; long b, *c; union { int d; float e; };\n"
            "  struct { int g; } named; int h[2]; char flex[]; };\n"
            "struct p { int a; ...; }; union u { int a; ...; };\n"
            "struct empty { };\n");
    q = tag(t, "q");
    assert_int_equal(q->kind, CCT_KIND_STRUCT);
    assert_int_equal(q->count, 8);
    assert_true(q->flags & CCT_TF_FLEXIBLE);
    f = &t->fields[q->first];
    assert_string_equal(cc_table_str(t, f[0].name), "a");
    assert_int_equal(f[0].bitsize, 3);
    assert_string_equal(cc_table_str(t, f[1].name), "");
    assert_int_equal(f[1].bitsize, 0);
    assert_int_equal(f[2].bitsize, CCT_NOT_BITFIELD);
    assert_string_equal(spell(t, f[3].type), "long *");
    /* a negative width makes a plain member, as CFFI (whose "not a
     * bitfield" is -1) */
    cdef(t, "struct neg { int a:-1; char b:-2147483648; };");
    assert_int_equal(t->fields[tag(t, "neg")->first].bitsize, CCT_NOT_BITFIELD);
    assert_int_equal(t->fields[tag(t, "neg")->first + 1].bitsize, CCT_NOT_BITFIELD);
    assert_string_equal(cc_table_str(t, f[4].name), "");
    assert_int_equal(t->types[f[4].type].kind, CCT_KIND_UNION);
    assert_string_equal(cc_table_str(t, f[5].name), "named");
    assert_string_equal(spell(t, f[7].type), "char[]");
    assert_true(tag(t, "p")->flags & CCT_TF_PARTIAL);
    assert_false(tag(t, "p")->flags & CCT_TF_LAYOUT_KNOWN);
    assert_true(tag(t, "u")->flags & CCT_TF_PARTIAL);
    assert_int_equal(tag(t, "empty")->count, 0);
}

static void test_struct_with_unknown_member_sizes(void **state)
{
    cc_table *t = *state;

    /* members whose size only the compiler knows: no layout yet, no error */
    cdef(t, "typedef int... pid_t; typedef ... opaque_t;\n"
            "struct a { pid_t p; }; struct b { int x[...]; };\n"
            "struct c { struct a inner; }; struct d { opaque_t *ok; };\n");
    assert_false(tag(t, "a")->flags & CCT_TF_LAYOUT_KNOWN);
    assert_false(tag(t, "b")->flags & CCT_TF_LAYOUT_KNOWN);
    assert_false(tag(t, "c")->flags & CCT_TF_LAYOUT_KNOWN);
    assert_true(tag(t, "d")->flags & CCT_TF_LAYOUT_KNOWN);
}

static void test_enums(void **state)
{
    cc_table *t = *state;
    const cct_type *e;

    cdef(t, "enum e { A, B = A + 5, C, D = 'a', E = -(1) + 1 };\n"
            "enum neg { N1 = -1, N2 = 1 };\n"
            "enum big { G1 = 0x80000000 };\n"
            "enum bigneg { H1 = -1, H2 = 0x80000000 };\n"
            "enum huge { U1 = 0xffffffffffffffff };\n"
            "enum part { P1, P2 = ..., P3, ... };\n"
            "typedef enum { T1, T2 } et;\n"
            "int arr[C];\n");
    e = tag(t, "e");
    assert_int_equal(e->kind, CCT_KIND_ENUM);
    assert_int_equal(e->prim, CCT_PRIM_UINT);
    assert_int_equal(e->count, 5);
    assert_int_equal(const_value(t, "B"), 5);
    assert_int_equal(const_value(t, "C"), 6);
    assert_int_equal(const_value(t, "D"), 97);
    assert_int_equal(const_value(t, "E"), 0);
    assert_int_equal(tag(t, "neg")->prim, CCT_PRIM_INT);
    assert_int_equal(const_value(t, "N1"), -1);
    assert_int_equal(tag(t, "big")->prim, CCT_PRIM_UINT);
    assert_int_equal(tag(t, "bigneg")->prim, CCT_PRIM_LONG);
    assert_int_equal(tag(t, "huge")->prim, CCT_PRIM_ULONG);
    assert_true(tag(t, "part")->flags & CCT_TF_PARTIAL);
    assert_true(t->enums[tag(t, "part")->first + 1].flags & CCT_EF_DOTS_VALUE);
    assert_true(t->enums[tag(t, "part")->first + 2].flags & CCT_EF_DOTS_VALUE);
    assert_true(t->types[decl(t, "et")->type].flags & CCT_TF_TYPEDEF_NAMED);
    assert_decl_type(t, "arr", "int[6]");
    /* the same constant again with the same value is fine */
    cdef(t, "enum e2 { B = 5 };");
    cdef_fails_in(t, "enum e3 { B = 6 };", NULL, CC_ERR_DECL, 1, 11,
                  "multiple declarations of constant: B");
    cdef_fails_in(t, "enum e4 { Q, Q };", NULL, CC_ERR_DECL, 1, 14,
                  "multiple declarations of constant: Q");
    cdef_fails_in(t, "enum e5 { R = -1, S = 0xffffffffffffffff };", NULL,
                  CC_ERR_SYNTAX, 1, 42,
                  "enum values do not fit in one integer type");
}


static void test_large_and_nested_enums(void **state)
{
    cc_table *t = *state;
    size_t cap = 5000 * 16 + 200, n = 0;
    char *src = malloc(cap);
    int i;

    assert_non_null(src);
    n += (size_t)snprintf(src + n, cap - n, "enum big { ");
    for (i = 0; i < 5000; i++)
        n += (size_t)snprintf(src + n, cap - n, "E%d, ", i);
    snprintf(src + n, cap - n, "LAST = E4999 + E0 + 1 };");
    cdef(t, src);
    assert_int_equal(tag(t, "big")->count, 5001);
    assert_int_equal(const_value(t, "E4321"), 4321);
    assert_int_equal(const_value(t, "LAST"), 5000);
    free(src);
    /* an enum defined inside the value of another one's enumerator */
    cdef(t, "enum outer { O1 = 2, O2 = sizeof(enum inner { I1 = O1 + 1, I2 }) + I2,"
            " O3 };");
    assert_int_equal(const_value(t, "I2"), 4);
    assert_int_equal(const_value(t, "O2"), 8);
    assert_int_equal(const_value(t, "O3"), 9);
    cdef_fails_in(t, "enum dup { D1, D2, D3, D1 };", NULL, CC_ERR_DECL, 1, 24,
                  "multiple declarations of constant: D1");
}

static void test_defines(void **state)
{
    cc_table *t = *state;

    cdef(t, "#define A 42\n#define B 0x10UL\n#define C 010\n#define D -5\n"
            "#define E 'x'\n#define F (A + B) * 2\n#define G ...\n"
            "  #  define H ~0\n#define I 0xffffffffffffffff\n"
            "#define J sizeof(int) << 1\n#define K (unsigned char)300\n"
            "#define L 1 ? 2 : 3\n#pragma pack(1)\n#\n");
    assert_int_equal(const_value(t, "A"), 42);
    assert_string_equal(spell(t, decl(t, "A")->type), "int");
    assert_int_equal(const_value(t, "B"), 16);
    assert_int_equal(const_value(t, "C"), 8);
    assert_int_equal(const_value(t, "D"), -5);
    assert_int_equal(const_value(t, "E"), 120);
    assert_int_equal(const_value(t, "F"), 116);
    assert_int_equal(decl(t, "G")->flags, CCT_DF_DOTS_VALUE);
    assert_int_equal(const_value(t, "H"), -1);
    assert_int_equal(decl(t, "I")->flags, CCT_DF_UNSIGNED);
    assert_int_equal((uint64_t)const_value(t, "I"), UINT64_MAX);
    assert_string_equal(spell(t, decl(t, "I")->type), "unsigned long");
    assert_int_equal(const_value(t, "J"), 8);
    assert_int_equal(const_value(t, "K"), 44);
    assert_int_equal(const_value(t, "L"), 2);
    cdef(t, "#define A 42\n");
    cdef_fails_in(t, "#define A 43\n", NULL, CC_ERR_DECL, 1, 9,
                  "multiple declarations of constant A (for interactive usage, "
                  "try cdef(xx, override=True))");
}

static void test_define_errors(void **state)
{
    (void)state;
    cdef_fails("#define FOO bar", 1, 1,
               "only supports one of the following syntax:\n"
               "  #define FOO ...     (literally dot-dot-dot)\n"
               "  #define FOO NUMBER  (with NUMBER an integer constant, "
               "decimal/hex/octal)\ngot:\n  #define FOO bar");
    cdef_fails("int x;\n#define F(x) x\n", 2, 9,
               "function-like macro 'F' is not supported in cdef()");
    cdef_fails("#define X 1 2\n", 1, 1,
               "only supports one of the following syntax:\n"
               "  #define X ...     (literally dot-dot-dot)\n"
               "  #define X NUMBER  (with NUMBER an integer constant, "
               "decimal/hex/octal)\ngot:\n  #define X 1 2");
    cdef_fails("#define X 1.5\n", 1, 1,
               "only supports one of the following syntax:\n"
               "  #define X ...     (literally dot-dot-dot)\n"
               "  #define X NUMBER  (with NUMBER an integer constant, "
               "decimal/hex/octal)\ngot:\n  #define X 1.5");
    cdef_fails("enum { E1 = ..., E2 = E1 + 1 };", 1, 23,
               "the value of 'E1' is not known in the cdef (it is '...')");
    cdef_fails("#define G ...\nint a[G];", 2, 7,
               "the value of 'G' is not known in the cdef (it is '...')");
    cdef_fails("#include <stdio.h>\nint x;", 1, 1,
               "Directives not supported yet: '#include <stdio.h>' (only "
               "#define and line markers are allowed in cdef())");
    cdef_fails("#ifdef X\n#endif\n", 1, 1,
               "Directives not supported yet: '#ifdef X' (only #define and "
               "line markers are allowed in cdef())");
}

static void test_static_constants(void **state)
{
    cc_table *t = *state;

    cdef(t, "static const int A; static char *const S; static const long B = -3 * 4;\n"
            "static const double PI; static const unsigned char C = 300;\n");
    assert_int_equal(decl(t, "A")->kind, CCT_DECL_CONST_INT);
    assert_int_equal(decl(t, "A")->flags, CCT_DF_DOTS_VALUE);
    assert_int_equal(decl(t, "S")->kind, CCT_DECL_CONST_INT);
    assert_int_equal(decl(t, "S")->flags, CCT_DF_DOTS_VALUE);
    assert_decl_type(t, "S", "char *");
    assert_int_equal(const_value(t, "B"), -12);
    assert_decl_type(t, "B", "long");
    assert_int_equal(decl(t, "PI")->kind, CCT_DECL_CONST_FLOAT);
    assert_int_equal(decl(t, "PI")->flags, CCT_DF_DOTS_VALUE);
    /* the value written, not converted to unsigned char: CFFI reads
     * back 300 in ABI mode */
    assert_int_equal(const_value(t, "C"), 300);
}

static void test_dots_typedefs(void **state)
{
    cc_table *t = *state;
    const cct_type *ty;

    cdef(t, "typedef ... foo_t; typedef ... *foo_p; typedef int... i_t;\n"
            "typedef unsigned long... ul_t; typedef float... f_t; typedef double... d_t;\n");
    ty = &t->types[decl(t, "foo_t")->type];
    assert_int_equal(ty->kind, CCT_KIND_STRUCT);
    assert_int_equal(ty->flags, CCT_TF_OPAQUE | CCT_TF_TYPEDEF_NAMED
                                | CCT_TF_DOTS_TYPEDEF);
    assert_string_equal(cc_table_str(t, ty->name), "foo_t");
    assert_decl_type(t, "foo_p", "struct $$foo_p *");
    ty = &t->types[decl(t, "i_t")->type];
    assert_int_equal(ty->kind, CCT_KIND_PRIMITIVE);
    assert_int_equal(ty->prim, CCT_PRIM_UNKNOWN_INT);
    assert_string_equal(cc_table_str(t, ty->name), "i_t");
    assert_int_equal(t->types[decl(t, "ul_t")->type].prim, CCT_PRIM_UNKNOWN_INT);
    assert_int_equal(t->types[decl(t, "f_t")->type].prim, CCT_PRIM_UNKNOWN_FLOAT);
    assert_int_equal(t->types[decl(t, "d_t")->type].prim, CCT_PRIM_UNKNOWN_FLOAT);
    assert_int_not_equal(decl(t, "i_t")->type, decl(t, "ul_t")->type);
}

static void test_extern_python(void **state)
{
    cc_table *t = *state;

    cdef(t, "extern \"Python\" int cb(int);\n"
            "extern \"Python+C\" { void cb2(void); int cb3(char *); }\n"
            "extern int normal(int);\n");
    assert_int_equal(decl(t, "cb")->kind, CCT_DECL_EXTERN_PYTHON);
    assert_int_equal(decl(t, "cb")->flags, 0);
    assert_int_equal(decl(t, "cb2")->kind, CCT_DECL_EXTERN_PYTHON);
    assert_int_equal(decl(t, "cb2")->flags, CCT_DF_PYTHON_C);
    assert_int_equal(decl(t, "cb3")->flags, CCT_DF_PYTHON_C);
    assert_int_equal(decl(t, "normal")->kind, CCT_DECL_FUNCTION);
    cdef_fails_in(t, "extern \"Python\" { int x; }", NULL, CC_ERR_SYNTAX, 1, 23,
                  "cannot declare constants or variables with 'extern \"Python\"'");
    cdef_fails_in(t, "extern \"C\" { int y; }", NULL, CC_ERR_SYNTAX, 1, 8,
                  "unexpected \"C\" after 'extern': only extern \"Python\" and "
                  "extern \"Python+C\" are supported");
}

static void test_packing(void **state)
{
    cc_table *t = *state;
    cc_parse_options packed = { 0, 1, NULL }, pack4 = { 0, 4, NULL };
    cc_parse_options pack3 = { 0, 3, NULL };

    cdef_opt(t, "struct a { char c; int i; };", &packed);
    assert_true(tag(t, "a")->flags & CCT_TF_PACKED);
    assert_int_equal(tag(t, "a")->length, 1);
    cdef_opt(t, "struct b { char c; struct { long l; } in; };", &pack4);
    assert_int_equal(tag(t, "b")->length, 4);
    assert_true(t->types[t->fields[tag(t, "b")->first + 1].type].flags
                & CCT_TF_PACKED);
    cdef(t, "struct c { char c; };");
    assert_false(tag(t, "c")->flags & CCT_TF_PACKED);
    cdef_fails_in(t, "struct d { int x; };", &pack3, CC_ERR_DECL, 0, 0,
                  "'pack' must be a power of two, not 3");
}

static void test_override(void **state)
{
    cc_table *t = *state;
    cc_parse_options ov = { 1, 0, NULL };

    cdef(t, "typedef int T; int f(int); struct s { int a; }; enum { K = 1 };\n"
            "#define M 1\n");
    cdef_opt(t, "typedef long T; long f(long); struct s { char c; };\n"
                "enum { K = 2 };\n#define M 2\n", &ov);
    assert_decl_type(t, "T", "long");
    assert_decl_type(t, "f", "long(long)");
    assert_int_equal(tag(t, "s")->count, 1);
    assert_int_equal(const_value(t, "K"), 2);
    assert_int_equal(const_value(t, "M"), 2);
}

static void test_line_markers(void **state)
{
    cc_table t;
    cc_error err;
    cc_parse_options named = { 0, 0, "mydefs.h" };
    const char *src = "int a;\n# 40 \"foo.h\" 1\nint b;\n  foo bar;";
    (void)state;

    assert_int_equal(cc_table_init(&t), 0);
    assert_int_equal(cc_parse_cdef(&t, src, strlen(src), NULL, &err), -1);
    assert_string_equal(err.file, "foo.h");
    assert_int_equal(err.line, 41);
    assert_int_equal(err.column, 3);
    assert_string_equal(err.message, "unknown type name 'foo'");
    src = "#line 7\nint @;";
    assert_int_equal(cc_parse_cdef(&t, src, strlen(src), &named, &err), -1);
    assert_string_equal(err.file, "mydefs.h");
    assert_int_equal(err.line, 7);
    assert_int_equal(err.column, 5);
    assert_string_equal(err.message, "Illegal character '@'");
    cc_table_free(&t);
}

static void test_comments_and_continuations(void **state)
{
    cc_table *t = *state;

    cdef(t, "/* a\n comment */ int /* inner */ a; // line comment\n"
            "int \\\n b; // continued \\\n comment\n#define X \\\n 5\n"
            "int c[X];\r\n");
    assert_decl_type(t, "b", "int");
    assert_decl_type(t, "c", "int[5]");
}


static void test_directives_inside_bodies(void **state)
{
    cc_table *t = *state;

    cdef(t, "struct s {\n#pragma pack(1)\n  int a;\n#define INSIDE 3\n"
            "  char b[INSIDE];\n# 100 \"inner.h\"\n};\n"
            "extern \"Python\" {\n#define IN_EXTERN 4\n int cb(int);\n}\n");
    assert_int_equal(tag(t, "s")->count, 2);
    assert_int_equal(const_value(t, "INSIDE"), 3);
    assert_int_equal(const_value(t, "IN_EXTERN"), 4);
    cdef_fails_in(t, "struct q {\n# 7 \"q.h\"\n  bad x;\n};", NULL,
                  CC_ERR_SYNTAX, 7, 3, "unknown type name 'bad'");
}

static void test_accepted_keywords(void **state)
{
    cc_table *t = *state;

    cdef(t, "__extension__ struct ext { int a; };\n"
            "static inline int f1(register int x);\n"
            "__inline__ int f2(void); __inline int f3(void);\n"
            "int (__stdcall *cb)(int); int (WINAPI *cb2)(int);\n"
            "void __fastcall f4(void); void __thiscall f5(void);\n"
            "__signed__ char sc; long long int lli; volatile int vi;\n"
            "int *__restrict rp; int *restrict rp2; __const int ci;\n"
            "void takes_array(int a[static 4], int b[const]);\n");
    assert_int_equal(decl(t, "f1")->kind, CCT_DECL_FUNCTION);
    assert_decl_type(t, "cb", "int(*)(int)");
    assert_decl_type(t, "sc", "signed char");
    assert_decl_type(t, "lli", "long long");
    assert_decl_type(t, "rp2", "int *");
    assert_decl_type(t, "takes_array", "void(int *, int *)");
    cdef_fails_in(t, "extern \"Python\" { extern \"Python\" int g(int); }", NULL,
                  CC_ERR_SYNTAX, 1, 19, "nested extern blocks are not allowed");
}

/* ------------------------------------------------------------- errors */

/* The parser records how CFFI words each error (ccm_raise_error formats). */
static void test_cffi_wording(void **state)
{
    cc_table t;
    cc_error err;
    const char *src;
    uint32_t type;

    (void)state;
    assert_int_equal(cc_table_init(&t), 0);
    src = "int a;\n\n  x y z ";
    assert_int_equal(cc_parse_cdef(&t, src, strlen(src), NULL, &err), -1);
    assert_int_equal(err.wording, CC_WORD_GRAMMAR);
    assert_string_equal(err.source, "x y z");
    assert_int_equal(err.line, 3);
    src = "# 42 \"foo.h\"\n a b;";
    assert_int_equal(cc_parse_cdef(&t, src, strlen(src), NULL, &err), -1);
    assert_int_equal(err.wording, CC_WORD_GRAMMAR);
    assert_string_equal(err.source, "");   /* 'parse error' */
    src = "void f(int, foobarbazzz);";
    assert_int_equal(cc_parse_cdef(&t, src, strlen(src), NULL, &err), -1);
    assert_int_equal(err.wording, CC_WORD_DECL);
    assert_string_equal(err.message, "f arg 2: unknown type 'foobarbazzz' (if "
                        "you meant to use the old C syntax of giving untyped "
                        "arguments, it is not supported)");
    src = "void g(void) { }";
    assert_int_equal(cc_parse_cdef(&t, src, strlen(src), NULL, &err), -1);
    assert_int_equal(err.wording, CC_WORD_DECL);
    assert_string_equal(err.message, "unexpected <FuncDef>: this construct is "
                        "valid C but not valid in cdef()");
    src = "int(*)(int[(3)])[5]";
    assert_int_equal(cc_parse_typename(&t, src, strlen(src), &type, &err), -1);
    assert_int_equal(err.kind, CC_ERR_TYPEERR);
    src = "int(*)(int x, ...)(int)";
    assert_int_equal(cc_parse_typename(&t, src, strlen(src), &type, &err), -1);
    assert_int_equal(err.wording, CC_WORD_BARE);
    src = "foo_unknown *";
    assert_int_equal(cc_parse_typename(&t, src, strlen(src), &type, &err), -1);
    assert_int_equal(err.wording, CC_WORD_GRAMMAR);
    assert_string_equal(err.source, "foo_unknown *");
    src = "foo_unknown";
    assert_int_equal(cc_parse_typename(&t, src, strlen(src), &type, &err), -1);
    assert_string_equal(err.message, "unknown identifier 'foo_unknown'");
    /* an enum's body comes with its first mention (NotImplementedError) */
    src = "typedef enum e1 e1_t; enum e1 { E1A };";
    assert_int_equal(cc_parse_cdef(&t, src, strlen(src), NULL, &err), -1);
    assert_int_equal(err.kind, CC_ERR_NOTIMPL);
    assert_string_equal(err.message, "enum e1: the '{}' declaration should "
                        "appear on the first time the enum is mentioned, not "
                        "later");
    /* `void` spelled through typedefs, alone, is `(void)` */
    src = "typedef void v1_t; typedef v1_t v2_t; typedef int (*fn_t)(v2_t);";
    assert_int_equal(cc_parse_cdef(&t, src, strlen(src), NULL, &err), 0);
    src = "fn_t";
    assert_int_equal(cc_parse_typename(&t, src, strlen(src), &type, &err), 0);
    assert_int_equal(t.types[t.types[type].item].count, 0);
    cc_table_free(&t);
}

/* CFFI accepts these in cdef() and refuses the struct when it is used
 * (a negative array length is kept as a length above INT64_MAX). */
static void test_bad_bitfields_wait_for_use(void **state)
{
    (void)state;
    cdef_defers_layout("struct s { int a:40; };");
    cdef_defers_layout("struct s { float f:2; };");
    /* a struct holding itself: NotImplementedError at use, as CFFI */
    cdef_defers_layout("struct s { int a; struct s x[2]; };");
    cdef_defers_layout("struct s { struct { struct s z; } in; };");
    cdef_defers_layout("struct t { struct s x; }; struct s { struct t y; };");
    cdef_defers_layout("struct s { int z:0; };");
    cdef_defers_layout("struct s { int *p:3; };");
    cdef_defers_layout("struct s { int y[-1]; };");
    /* a length above INT64_MAX: OverflowError at use, as CFFI; the table
     * may already have sized char[N], the layout still defers it */
    cdef_defers_layout("struct s { char x[-1]; char y[2]; };");
    cdef_defers_layout("struct s { char x[0xffffffffffffffff]; char y[2]; };");
    cdef_defers_layout("struct s { int x[2][0x8000000000000000]; };");
}

/* The length of a cdef's array above INT64_MAX is CC_ARRAY_LENGTH_HUGE,
 * a negative one its two's complement; a type string of CFFI's C parser
 * refuses the first with that parser's words. */
static void test_huge_array_length(void **state)
{
    cc_table t;
    cc_error err;
    uint32_t type;
    const char *src = "typedef int h_t[0x8000000000000000];"
                      " typedef int m_t[0xffffffffffffffff];"
                      " typedef int n_t[-1];";
    (void)state;
    assert_int_equal(cc_table_init(&t), 0);
    assert_int_equal(cc_parse_cdef(&t, src, strlen(src), NULL, &err), 0);
    assert_int_equal(cc_parse_typename(&t, "h_t", 3, &type, &err), 0);
    assert_true(t.types[type].length == CC_ARRAY_LENGTH_HUGE);
    assert_int_equal(cc_parse_typename(&t, "m_t", 3, &type, &err), 0);
    assert_true(t.types[type].length == CC_ARRAY_LENGTH_HUGE);
    assert_int_equal(cc_parse_typename(&t, "n_t", 3, &type, &err), 0);
    assert_true(t.types[type].length == UINT64_MAX);
    assert_int_equal(cc_parse_typename(&t, "int[9223372036854775808]", 24,
                                       &type, &err), 0);
    assert_true(t.types[type].length == CC_ARRAY_LENGTH_HUGE);
    assert_int_equal(cc_parse_typename_c(&t, "int[9223372036854775808]", 24,
                                         &type, &err), -1);
    assert_string_equal(err.c_words, "number too large");
    assert_int_equal(cc_parse_typename_c(&t, "int[99999999999999999999]", 25,
                                         &type, &err), -1);
    assert_string_equal(err.c_words, "number too large");
    cc_table_free(&t);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    cdef_fails("foo bar;", 1, 1, "unknown type name 'foo'");
    cdef_fails("int x", 1, 6, "unexpected end of input, expected ';' or ',' after a declarator");
    cdef_fails("int;", 1, 1, "Invalid declaration: nothing is declared");
    cdef_fails("int x;\n  /* abc", 2, 3, "unterminated comment");
    cdef_fails("char *s = \"abc;", 1, 11, "unterminated string literal");
    cdef_fails("int @;", 1, 5, "Illegal character '@'");
    cdef_fails("int \x01;", 1, 5, "Illegal character '\\x01'");
    cdef_fails("int f(...);", 1, 7, "f: a function with only '(...)' as argument is not correct C");
    cdef_fails("int f(void, int);", 1, 7, "'void' must be the only parameter and unnamed");
    cdef_fails("int x[1 << 64];", 1, 9, "shift count out of range in constant expression");
    cdef_fails("int x[0xffffffffffffffff + 1];", 1, 26, "integer overflow in constant expression");
    cdef_fails("int x[0x7fffffffffffffff * 3];", 1, 26, "integer overflow in constant expression");
    cdef_fails("int x[-0xffffffffffffffff];", 1, 7, "integer overflow in constant expression");
    cdef_fails("int x[1/0];", 1, 8, "division by zero in constant expression");
    cdef_fails("int x[3.5];", 1, 7, "invalid constant '3.5'");
    cdef_fails("int x[99999999999999999999];", 1, 7,
               "integer constant '99999999999999999999' is too large");
    cdef_fails("int x[N];", 1, 7, "unknown identifier 'N' in a constant expression");
    cdef_fails("struct s { int a }", 1, 18, "unexpected '}', expected ';' or ',' after a member");
    cdef_fails("struct s { int a;", 1, 18, "unexpected end of input, expected '}'");
    cdef_fails("int (*x;", 1, 9, "unexpected end of input, expected ')'");
    cdef_fails("int f(int) { return 0; }", 1, 12,
               "unexpected <FuncDef>: this construct is valid C but not valid in cdef()");
    cdef_fails("int a[3](int);", 1, 6, "declared as an array of functions");
    cdef_fails("int f(int)(int);", 1, 6, "a function cannot return a function");
    cdef_fails("int x; x y;", 1, 8, "unknown type name 'x'");
    cdef_fails("const *p;", 1, 7, "Missing type in declaration");
    cdef_fails("int y = ...;", 1, 9, "'...' is not allowed in an initializer");
    cdef_fails("int ... x;", 1, 5, "'...' is only allowed as 'typedef ... name;', "
               "'typedef int... name;' or 'typedef float... name;'");
    cdef_fails("struct s { ... };", 1, 16, "unexpected '}', expected ';' after '...'");
    cdef_fails("struct { int a; } struct", 1, 19,
               "unexpected 'struct', expected ';' after a struct, union or enum declaration");
    cdef_fails("struct s { int a; }", 1, 20,
               "unexpected end of input, expected ';' after a struct, union or enum declaration");
    cdef_fails("int struct s x;", 1, 5, "two or more data types in declaration");
    cdef_fails("int x; struct", 1, 14, "unexpected end of input, expected a name or '{' after 'struct'/'union'");
    cdef_fails("struct s { struct s { int a; } x; };", 1, 19, "nested redefinition of struct s");
    cdef_fails("struct h { int x[0x7fffffffffffffff]; char y[2]; };", 1, 50,
               "array too large: 'int[9223372036854775807]'");
    cdef_fails_decl("typedef struct s s_t; typedef ... s_t;", 1, 35,
               "multiple declarations of typedef s_t (for interactive usage, try cdef(xx, override=True))");
    cdef_fails("static typedef int x;", 1, 8, "more than one storage class ('typedef')");
    cdef_fails("int f(static int x);", 1, 7, "storage class 'static' is not allowed here");
    cdef_fails("int x # y;", 1, 7, "'#' is only allowed at the start of a line");
}

static void test_sizeof_without_size(void **state)
{
    cc_table t;
    cc_error err;
    const char *src = "struct q;\nint x[1 + sizeof(struct q)];";
    (void)state;

    assert_int_equal(cc_table_init(&t), 0);
    assert_int_equal(cc_parse_cdef(&t, src, strlen(src), NULL, &err), -1);
    assert_int_equal(err.kind, CC_ERR_SYNTAX);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 11);
    assert_true(err.message[0] != '\0');
    cc_table_free(&t);
}

static void test_unsupported_types(void **state)
{
    cc_table t;
    (void)state;

    assert_int_equal(cc_table_init(&t), 0);
    cdef_fails_in(&t, "unsigned float x;", NULL, CC_ERR_DECL, 1, 1,
                  "Unsupported type: 'unsigned float'.  Please look at "
                  "http://cffi.readthedocs.io/en/latest/cdef.html#ffi-cdef-limitations "
                  "and file an issue if you think this type should really be supported.");
    cdef_fails_in(&t, "long long long x;", NULL, CC_ERR_DECL, 1, 1,
                  "Unsupported type: 'long long long'.  Please look at "
                  "http://cffi.readthedocs.io/en/latest/cdef.html#ffi-cdef-limitations "
                  "and file an issue if you think this type should really be supported.");
    cdef_fails_in(&t, "short long x;", NULL, CC_ERR_DECL, 1, 1,
                  "Unsupported type: 'short long'.  Please look at "
                  "http://cffi.readthedocs.io/en/latest/cdef.html#ffi-cdef-limitations "
                  "and file an issue if you think this type should really be supported.");
    cc_table_free(&t);
}

static void test_depth_limit(void **state)
{
    char src[2100];
    int i;
    (void)state;

    strcpy(src, "int ");
    for (i = 4; i < 400; i++)
        src[i] = '(';
    src[400] = 'x';
    for (i = 401; i < 797; i++)
        src[i] = ')';
    strcpy(src + 797, ";");
    cdef_fails(src, 1, 205, "nesting too deep (more than 200 levels) at this point");
    strcpy(src, "int a[");
    for (i = 6; i < 1000; i++)
        src[i] = '~';
    strcpy(src + 1000, "1];");
    cdef_fails(src, 1, 204, "nesting too deep (more than 200 levels) at this point");
}

static void test_rollback(void **state)
{
    cc_table *t = *state;
    uint32_t ntypes, ndecls, nfields, nstrings, s;
    uint32_t ref;

    cdef(t, "struct s; typedef int keep_t;");
    s = find_decl(t, CC_NS_TAG, "s")->type;
    ntypes = t->ntypes;
    ndecls = t->ndecls;
    nfields = t->nfields;
    nstrings = t->strings_size;
    cdef_fails_in(t, "struct s { int a; }; typedef long newtype_t; enum { Z };\n"
                     "#define N 4\nint arr[N][7]; int f(double);\nbad bad;",
                  NULL, CC_ERR_SYNTAX, 4, 1, "unknown type name 'bad'");
    assert_int_equal(t->ntypes, ntypes);
    assert_int_equal(t->ndecls, ndecls);
    assert_int_equal(t->nfields, nfields);
    assert_int_equal(t->strings_size, nstrings);
    assert_true(t->types[s].flags & CCT_TF_OPAQUE);
    assert_false(cc_table_lookup(t, CC_NS_ORDINARY, "newtype_t", 9, &ref));
    assert_false(cc_table_lookup(t, CC_NS_ORDINARY, "Z", 1, &ref));
    assert_false(cc_table_lookup(t, CC_NS_ORDINARY, "f", 1, &ref));
    /* the table still works: the same text without the error goes in */
    cdef(t, "struct s { int a; }; typedef long newtype_t; enum { Z };\n"
            "#define N 4\nint arr[N][7]; int f(double);\n");
    assert_int_equal(find_decl(t, CC_NS_TAG, "s")->type, s);
    assert_decl_type(t, "arr", "int[4][7]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lexer_tokens),
        cmocka_unit_test(test_bad_bitfields_wait_for_use),
        cmocka_unit_test(test_huge_array_length),
        cmocka_unit_test(test_lexer_every_keyword),
        cmocka_unit_test(test_lexer_continuations_and_hash),
        cmocka_unit_test(test_lexer_errors),
        cmocka_unit_test_setup_teardown(test_primitive_names, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_derived_typenames, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_typename_errors, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_functions, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_nested_declarators, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_variables, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_typedefs, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_predefined_overridden, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_struct_forward_completion, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_struct_members, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_struct_with_unknown_member_sizes, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_enums, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_large_and_nested_enums, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_defines, setup_table, teardown_table),
        cmocka_unit_test(test_define_errors),
        cmocka_unit_test_setup_teardown(test_static_constants, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_dots_typedefs, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_extern_python, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_packing, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_override, setup_table, teardown_table),
        cmocka_unit_test(test_line_markers),
        cmocka_unit_test_setup_teardown(test_comments_and_continuations, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_directives_inside_bodies, setup_table, teardown_table),
        cmocka_unit_test_setup_teardown(test_accepted_keywords, setup_table, teardown_table),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_cffi_wording),
        cmocka_unit_test(test_sizeof_without_size),
        cmocka_unit_test(test_unsupported_types),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test_setup_teardown(test_rollback, setup_table, teardown_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
