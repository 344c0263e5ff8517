/* compat_state.h - what the files of compat/ share, inside compat/ only:
 * the state of one loaded CFFI-built module, the realization of its type
 * indexes (written back into the module's types array, where its generated
 * code reads them), the compat Lib and the export table.
 * Include <Python.h> and compat/compat_ctx.h before this header.
 */
#ifndef CCFFI_COMPAT_STATE_H
#define CCFFI_COMPAT_STATE_H

#include "object/ffi_state.h"
#include "object/ctype_obj.h"

#define COMPAT_NUM_EXPORTS 28
#define COMPAT_EXPORTS_BASE 25    /* what every module has room for */
#define COMPAT_EXPORTS_EXTERN 26  /* with extern "Python" */

struct api_state;

/* Per extern "Python" function: where the generated body's calls go. */
typedef struct compat_extern {
    struct api_state *st;     /* the ffi's extern "Python" slots (api/) */
    unsigned slot;
    uint32_t nargs;
    uint8_t *byref;           /* per argument: passed by address (struct,
                                 union, long double), as CFFI passes them */
} compat_extern;

/* One type context, loaded once per process and kept forever (extension
 * modules are never unloaded, and their generated code keeps pointers to
 * what we realize). */
typedef struct compat_module {
    struct compat_type_context *ctx;  /* the module's own (its types array
                                         receives realized CTypes) */
    compat_opcode *types;      /* copy of the opcodes, read before any
                                  realization */
    compat_translation tr;
    FFIObject *ffi;            /* strong reference, never released */
    PyObject *name;            /* str: the module name */
    PyObject *included_libs;   /* tuple of the included modules' libs */
    compat_extern *externs;    /* per extern "Python" global, by slot */
    struct compat_module *next;
} compat_module;

/* compat_module.c.  The CType of context type index `index` (new
 * reference), realized from our table, stored into the module's types
 * array (there and at the NOOP targets the entry leads to).  NULL with an
 * exception. */
CTypeObject *compat_realize(compat_module *cm, intptr_t index);

/* compat_module.c.  Realizes the result and every argument position of
 * the function type at `index`, as CFFI does before the module's wrapper
 * for that function runs: the wrapper reads them from the types array.
 * The function-pointer CType, new reference, or NULL. */
CTypeObject *compat_realize_function(compat_module *cm, intptr_t index);

/* compat_module.c.  Slot 25: an extern "Python" function called from C. */
void compat_call_python(struct compat_externpy *externpy, char *args);

/* compat_lib.c.  A new compat Lib for the module (new reference). */
PyObject *compat_lib_new(compat_module *cm);
int compat_lib_ready_types(void);

/* compat_exports.c. */
extern void *compat_exports[COMPAT_NUM_EXPORTS];
int compat_exports_init_module(PyObject *m);

#endif /* CCFFI_COMPAT_STATE_H */
