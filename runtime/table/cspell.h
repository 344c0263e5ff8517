/* cspell.h - spelling a table type as C source: "int *", "int(*)(int, ...)",
 * "struct foo[3]", with an optional declarator name put where C wants it
 * ("int (*name)[5]").  Used by the API-mode code generator (through the
 * backend) and by diagnostics that show what a cdef said.  Pure C. */
#ifndef CCFFI_CSPELL_H
#define CCFFI_CSPELL_H

#include <stddef.h>
#include "table/ctable.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes the spelling of `type`, declaring `name` (NULL or "" for an
 * abstract declarator), NUL-terminated, into buf.  Returns the length the
 * full spelling needs (like snprintf: a result >= size means buf was too
 * small and holds a truncated prefix), or -1 for a bad type index or a
 * type nested deeper than C spellings sensibly go. */
long cc_spell_type(const cc_table *t, uint32_t type, const char *name,
                   char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* CCFFI_CSPELL_H */
