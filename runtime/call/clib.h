/* clib.h - shared libraries for ABI mode: opening by path, by bare name
 * (resolved as CFFI resolves it, with ctypes.util.find_library() as the
 * fallback) or None for the C library and the process's own symbols;
 * looking symbols up; closing.  Include <Python.h> before this header. */
#ifndef CCFFI_CLIB_H
#define CCFFI_CLIB_H

/* An open library: the dlopen() handle and the name CFFI shows in messages
 * ("<None>" for the process, else the path that was opened). */
typedef struct clib_library {
    void *handle;       /* NULL once closed */
    PyObject *name;     /* str */
    int owned;          /* 1: ffi.dlclose() dlclose()s the handle */
    int auto_close;     /* 1: so does the last holder of the pin; 0 for a
                           handle adopted from the caller, who closes it
                           (as CFFI: closing it for them too was a double
                           dlclose(), a use-after-free in the loader) */
    PyObject *pin;      /* holds the handle: what must keep the library
                           loaded (function cdatas taken from it) holds a
                           reference; the last one gone dlclose()s it */
} clib_library;

/* Opens `name` (None, str, bytes, or a `void *` cdata that already holds a
 * dlopen() handle, which ffi.dlclose() closes but the library's death does
 * not) with dlopen flags (RTLD_NOW added when
 * neither NOW nor LAZY is given).  Raises OSError naming the library and the
 * dlerror() text, as CFFI does. */
int clib_open(clib_library *lib, PyObject *name, int flags);

/* The address of `symbol`, or NULL with *why set to the dlerror() text
 * (a static buffer, valid until the next call). */
void *clib_symbol(const clib_library *lib, const char *symbol, const char **why);

/* Closes the library (once; later calls do nothing).  Returns -1 with
 * OSError set if dlclose() fails. */
int clib_close(clib_library *lib);

/* Raises ValueError "library '...' has already been closed" and returns -1
 * if the library is closed, else returns 0. */
int clib_check_open(const clib_library *lib);

/* Releases the name and this reference to the pin: the library is closed
 * when nothing else holds the pin (see clib_pin). */
void clib_clear(clib_library *lib);

/* The pin of an open library (new reference): holding it keeps the library
 * loaded after its Lib object is gone (an explicit clib_close still closes
 * it, as ffi.dlclose() does in CFFI). */
PyObject *clib_pin(const clib_library *lib);

int clib_init_module(void);

/* Adds RTLD_* constants to a type's dict or a module's dict. */
int clib_add_rtld_constants(PyObject *dict);

#endif /* CCFFI_CLIB_H */
