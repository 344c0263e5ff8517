/* cparse.h - the cdef parser: C declarations in, type table entries out.
 *
 * cc_parse_cdef() reads the text given to ffi.cdef() and appends to a
 * cc_table (ctable.h) the declarations it contains, in the form described
 * in table_format.h; struct and union bodies are laid out (layout.h) as soon
 * as they are complete, so ABI-mode layout errors appear at cdef() time.
 * cc_parse_typename() reads the type strings of ffi.typeof/new/cast/sizeof.
 * Pure C: no Python, no allocation per token.
 *
 * Errors fill the cc_error with the file, line and column of the offending
 * token and a message that names it and says what was expected.  The kinds:
 *   CC_ERR_SYNTAX  cffi.CDefError (parse errors, refused constructs)
 *   CC_ERR_DECL    cffi.FFIError  ("multiple declarations of ...",
 *                                  "Unsupported type: ...", bad `pack`)
 *                  (layout errors from layout.c also come as CC_ERR_DECL)
 *   CC_ERR_TYPE    ffi.error      (sizeof() of a type without a size)
 *   CC_ERR_NOMEM   MemoryError
 */
#ifndef CCFFI_CPARSE_H
#define CCFFI_CPARSE_H

#include <stddef.h>
#include <stdint.h>
#include "table/ctable.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An array length above INT64_MAX in a cdef (`int a[1ULL << 63]`) is kept
 * as this value: CFFI accepts the cdef and raises OverflowError "cannot fit
 * 'int' into an index-sized integer" when the type is used.  A negative
 * length is kept as its two's complement (also above INT64_MAX: ValueError
 * "negative array length" at use), so -2**63 reads as too large. */
#define CC_ARRAY_LENGTH_HUGE ((uint64_t)INT64_MAX + 1)

/* Deepest nesting (declarators, parentheses, struct bodies, expressions). */
#define CC_PARSE_MAX_DEPTH 200

typedef struct cc_parse_options {
    int override;          /* cdef(override=True): redefinitions replace */
    unsigned pack;         /* 0: default, 1: packed=True, N: pack=N (power of 2) */
    const char *filename;  /* NULL: "<cdef source string>" */
    int dllexport;         /* ffi.embedding_api(): every function declared
                              is an exported extern "Python+C" function */
    /* NULL, or called (in source order, while parsing) with the name of
     * each global variable declared without a storage class, about which
     * CFFI warns ("Global variable 'NAME' in cdef(): ..."): not for a
     * function, a typedef, a const non-array or an integer initialised by
     * an integer literal (CFFI makes those constants).  The caller warns. */
    void (*no_storage)(void *ctx, const char *name, size_t len);
    void *no_storage_ctx;
} cc_parse_options;

/* Parses a cdef() text (len bytes, need not be NUL-terminated), appending
 * to t.  opt may be NULL (all defaults).  Returns 0, or -1 with err set; on
 * error t is exactly as it was before the call (the parse works on t and a
 * copy taken first is put back).  Types made from a forward-declared struct
 * stay valid when a later call completes it: the body fills the same index. */
int cc_parse_cdef(cc_table *t, const char *src, size_t len,
                  const cc_parse_options *opt, cc_error *err);

/* Parses a type as given to ffi.typeof/new/cast/sizeof ("int", "struct foo *",
 * "int[5][3]", "int(*)(int, ...)", "foo_t", "int[]", "char *[10]") and sets
 * *type.  May append interned derived types (and, as CFFI does, an opaque
 * struct for an unknown "struct foo") to t.  A function type ("int(int)")
 * is returned as such: the caller decides whether it is acceptable.
 * Returns 0, or -1 with err set (file "<cdef source string>"). */
int cc_parse_typename(cc_table *t, const char *src, size_t len,
                      uint32_t *type, cc_error *err);

/* cc_parse_typename as CFFI's C parser reads a type string (the parser of
 * _cffi_backend.FFI itself, which out-of-line and API-mode modules use):
 * an unknown `struct foo` is an error, not a new opaque struct.  Every error
 * also sets err->c_words, that parser's words for it. */
int cc_parse_typename_c(cc_table *t, const char *src, size_t len,
                        uint32_t *type, cc_error *err);

#ifdef __cplusplus
}
#endif

#endif /* CCFFI_CPARSE_H */
