/* api_state.h - what the files of API mode share, inside api/ only: the
 * state of one compiled module (its generated arrays and extern "Python"
 * slots), the Lib constructor and the extern "Python" hook.
 * Include <Python.h> and api_module.h before this header. */
#ifndef CCFFI_API_STATE_H
#define CCFFI_API_STATE_H

#include "call/ccallback.h"

struct FFIObject;

typedef struct api_state {
    PyObject *module_name;
    const api_trampoline *trampolines;
    const api_address *addresses;
    const api_global_getter *globals;
    Py_ssize_t nfuncs, nglobals, nexterns;
    ccallback_record **externs;  /* per extern slot: attached, or NULL */
    char **extern_names;     /* per extern slot: the function's name */
    ccallback_record **attached; /* every record ever attached: a replaced
                                    one may still be entered by a thread
                                    waiting for the GIL, so it lives on */
    Py_ssize_t nattached;
    int in_use;              /* the generated hook points here: never free */
    int built_by_compiler;   /* no plugin: the table was completed from the
                                compiler's numbers (api_fallback.c) */
} api_state;

/* api_lib.c.  A new, empty Lib of the module whose ffi and state are given
 * (its attributes are made on first access).  New reference. */
PyObject *api_lib_new(struct FFIObject *ffi, api_state *st);

/* api_lib.c.  Readies the Lib's types. */
int api_lib_ready_types(void);

/* api_init.c.  0 if the slot of declaration d (of t) is inside the
 * module's generated arrays, else -1 with ImportError. */
int api_check_slot(const api_state *st, const cc_table *t, const cct_decl *d);

/* api_init.c.  The value of a CONST_INT that has a slot: an integer
 * constant C computes at run time, read from its getter.  New reference. */
PyObject *api_runtime_int(const api_state *st, const cc_table *t,
                          const cct_decl *d);

/* api_extern.c.  The hook the generated extern "Python" bodies call (any
 * thread, GIL not held); `result` is zeroed and has room for an ffi_arg. */
void api_extern_call(void *state_ptr, unsigned slot, void **args, void *result);

#endif /* CCFFI_API_STATE_H */
