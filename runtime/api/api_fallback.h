/* api_fallback.h - API mode without the compiler plugin (api_fallback.c).
 *
 * A generated file compiled by a compiler that has not loaded the ccffi
 * plugin carries, instead of the plugin's table, a "fallback blob": the
 * serialized table of the cdef (as ABI mode out-of-line carries it) and an
 * array of numbers that plain C expressions computed (sizeof, alignof,
 * offsetof, the lowest bit of a bitfield, array lengths, enumerator and
 * constant values with their sign).  Which number is which is not written
 * in the file: a walk over the cdef table (the "plan") lists them in a
 * fixed order, once when the file is generated (to write the expressions)
 * and again at import (to put each number where it belongs).
 *
 * The blob reaches _ccffi_init_module() through the same argument as the
 * plugin's table; its magic tells them apart.  Include <Python.h> and
 * api_module.h before this header.
 */
#ifndef CCFFI_API_FALLBACK_H
#define CCFFI_API_FALLBACK_H

#include <stddef.h>

/* The blob's magic: 7 characters + NUL, like the table's CCT_MAGIC. */
#define API_FB_MAGIC "CCFFIFB"
/* Bump on any change of the plan's order or of the structs below: a module
 * generated for another version is refused with a request to rebuild it. */
#define API_FB_VERSION 5   /* 5: the byte size of `T x[...]` globals */

/* One number of the generated file (the generator writes the same struct). */
typedef struct api_fb_value {
    unsigned long long u;   /* size, offset, bit position, integer value */
    double d;               /* floating constants */
    const char *s;          /* string constants */
    int flags;              /* API_FB_NONPOS: the value is <= 0 (signed) */
} api_fb_value;
#define API_FB_NONPOS 1

/* The blob as the generated file lays it out. */
typedef struct api_fb_blob {
    char magic[8];
    unsigned int version;
    unsigned int nvalues;
    const unsigned char *table;   /* the cdef's serialized table */
    size_t table_size;
    const api_fb_value *values;
} api_fb_blob;

struct FFIObject;

/* True if the bytes PyInit passed are a fallback blob. */
int api_fallback_is_blob(const void *buf, size_t len);

/* The module's FFI from a fallback blob: the cdef's table completed with
 * the compiler's numbers.  New reference, or NULL with ImportError (bad or
 * outdated blob) or ffi.error (a number contradicting the cdef, with CFFI's
 * message). */
PyObject *api_fallback_ffi(const void *buf, size_t len);

/* ffi._ccffi_built_with: 'plugin' or 'compiler' for a compiled module's ffi,
 * None for any other ffi.  New reference. */
PyObject *api_built_with(struct FFIObject *ffi);

int api_fallback_init_module(PyObject *m);

#endif /* CCFFI_API_FALLBACK_H */
