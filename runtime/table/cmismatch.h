/* cmismatch.h - the records of a cdef that the C compiler contradicts.
 *
 * An API-mode module is built even when its cdef and the C source disagree,
 * as CFFI builds it; the producer of the table (a compiler plugin, or the
 * no-plugin fallback at import) keeps the compiler's numbers and adds a
 * record saying what the cdef said, and the runtime raises CFFI's error when
 * the item is used.  Two kinds of records, both CONST_STRING declarations
 * whose name starts with CCC_MISMATCH_PREFIX ("$mismatch ", contract.h), a
 * name no C identifier can have:
 *
 *   - values: "$mismatch NAME" (NAME a constant or enumerator), the string is
 *     the message of the ffi.error that lib.NAME raises;
 *   - struct/union layouts: "$mismatch " + the type's name as CFFI shows it
 *     ("struct foo_s", "union u", "foo_t" for `typedef struct {...} foo_t`),
 *     the string lists each difference between the layout the cdef gives
 *     and the compiler's, one per line:
 *
 *         WHAT ' ' CDEF ' ' COMPILER [' ' FIELD] '\n'
 *
 *     WHAT is CC_LAYOUT_WORDS below ("field-size", "field-offset",
 *     "total-size", "total-alignment"), CDEF and COMPILER decimal byte
 *     counts, FIELD the member's name for the field lines (members of
 *     anonymous structs/unions by their own name, as C reaches them).
 *     Field lines come in the cdef's member order, then the totals.
 *     Bitfields are not compared (CFFI does not).
 *
 * This file writes and reads the layout records and words the errors CFFI
 * gives for them: at use in API mode (ffi.error: "struct foo_s: wrong offset
 * for field 'a' (cdef says 0, but C compiler says 4). fix it or use \"...;\"
 * as the last field in the cdef for struct foo_s to make it flexible") and in
 * the old ffi.verify() (VerificationError: "struct foo_s: wrong offset for
 * field 'a' (we have 0, but C compiler says 4)"), each in CFFI's order of
 * checks.  Pure C (also C++, for the plugins).
 */
#ifndef CCFFI_CMISMATCH_H
#define CCFFI_CMISMATCH_H

#include <stddef.h>
#include "table/ctable.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cc_layout_what {
    CC_LAYOUT_FIELD_SIZE = 0,
    CC_LAYOUT_FIELD_OFFSET,
    CC_LAYOUT_TOTAL_SIZE,
    CC_LAYOUT_TOTAL_ALIGNMENT,
    CC_LAYOUT__COUNT
} cc_layout_what;

/* The WHAT words of a record line, indexed by cc_layout_what. */
#define CC_LAYOUT_WORDS { "field-size", "field-offset", "total-size", \
                          "total-alignment" }

/* One difference, as read from a record (field points into the record). */
typedef struct cc_layout_diff {
    cc_layout_what what;
    long long cdef, compiler;
    const char *field;     /* "" for the totals; not NUL-terminated */
    size_t field_len;
} cc_layout_diff;

/* Appends one line to a malloc()ed record text (*text NULL and *len 0 to
 * start; the text stays NUL-terminated).  field is ignored for the totals.
 * -1 when memory runs out (*text is then still valid, or NULL). */
int cc_layout_diff_append(char **text, size_t *len, cc_layout_what what,
                          const char *field, long long cdef,
                          long long compiler);

/* Reads the next line of a record at *pos (0 to start) of text[0..len).
 * 1 with *diff filled, 0 at the end, -1 for a malformed line. */
int cc_layout_diff_next(const char *text, size_t len, size_t *pos,
                        cc_layout_diff *diff);

/* The layout record of the struct/union CFFI names `type_name`: 1 with
 * *text and *len set (pointing into the table's string pool), 0 when the table
 * has none. */
int cc_table_layout_mismatch(const cc_table *t, const char *type_name,
                             const char **text, size_t *len);

typedef enum cc_layout_style {
    CC_LAYOUT_AT_USE = 0,  /* API mode: ffi.error when the fields are needed */
    CC_LAYOUT_VERIFY       /* ffi.verify(): VerificationError at build */
} cc_layout_style;

/* CFFI's message for the first difference it would detect in a record, in
 * its order of checks for that style, written to buf (truncated to size,
 * NUL-terminated).  1 when there is one, 0 when the record holds none that
 * the style reports, -1 for a malformed record. */
int cc_layout_mismatch_message(const char *text, size_t len,
                               const char *type_name, cc_layout_style style,
                               char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* CCFFI_CMISMATCH_H */
