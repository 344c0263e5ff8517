/* layout.h - ABI-mode layout engine: sizes, alignments and member offsets.
 *
 * Computes what gcc computes for x86-64 System V: natural alignment, bitfields
 * as gcc packs them (signed/unsigned, straddling, zero-width and unnamed),
 * packed=True and pack=N, flexible array members, anonymous members, unions.
 * Works on a cc_table in place; pure C.  API mode does not use it: there the
 * compiler plugin writes the real layout into the table.
 */
#ifndef CCFFI_LAYOUT_H
#define CCFFI_LAYOUT_H

#include "table/ctable.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Lays out struct/union `type` (and, first, the structs it embeds by value):
 * sets size, align, CCT_TF_LAYOUT_KNOWN, and the offset/bitshift/bitsize of
 * every field.  Packing comes from the type (CCT_TF_PACKED, pack in length).
 * A struct with CCT_TF_PARTIAL or CCT_TF_OPAQUE is left alone (returns 0).
 * Errors: CC_ERR_TYPEERR (TypeError in CFFI, raised when the record is
 * used, never by cdef()) for a bitfield wider than its type, of a
 * non-integer type or named with width 0, and a member of unknown size;
 * CC_ERR_DECL for a struct containing itself by value or a bad pack. */
int cc_layout_record(cc_table *t, uint32_t type, cc_error *err);

/* Size / alignment of any type, laying out records on the way if needed.
 * Errors (CC_ERR_TYPE) name the type: void, functions, opaque or partial
 * structs (ABI mode cannot know them), arrays of unknown length, `int...`. */
int cc_layout_sizeof(cc_table *t, uint32_t type, uint64_t *size, cc_error *err);
int cc_layout_alignof(cc_table *t, uint32_t type, uint32_t *align, cc_error *err);

#ifdef __cplusplus
}
#endif

#endif /* CCFFI_LAYOUT_H */
