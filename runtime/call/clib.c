/* clib.c - dlopen/dlsym/dlclose for ABI mode.
 *
 * The name rules follow CFFI's: None opens the process itself (the C library
 * and everything already loaded); a name that looks like a file (it contains
 * '.' or '/') is tried with dlopen() as given; anything that failed or was a
 * bare name ("m", "ssl") is then looked up with ctypes.util.find_library(),
 * and the error message reports both attempts.  This file knows nothing of
 * the Lib object built on top of it (lib_obj.c).  A `void *` cdata holding
 * a handle from an earlier dlopen() is adopted as it is.
 */
#include <Python.h>
#include "config.h"
#include <dlfcn.h>
#include <string.h>
#include "object/cdata.h"
#include "call/clib.h"

/* ------------------------------------------------------------ the pin */

/* A dlopen() handle as a small object: the Lib and the function cdatas
 * taken from it share it, so the library stays loaded while any of them
 * lives.  It references nothing, so it is never part of a cycle. */
typedef struct ClibPin {
    PyObject_HEAD
    void *handle;       /* NULL once closed */
    int owned;
} ClibPin;

static void clib_pin_dealloc(ClibPin *self)
{
    if (self->handle != NULL && self->owned)
        dlclose(self->handle);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject ClibPin_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cffi_backend.__LibraryHandle",
    .tp_basicsize = sizeof(ClibPin),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)clib_pin_dealloc,
};

int clib_init_module(void)
{
    return PyType_Ready(&ClibPin_Type);
}

/* Gives an opened lib its pin; on failure closes the handle (unless the
 * caller's). */
static int clib_make_pin(clib_library *lib)
{
    ClibPin *pin = PyObject_New(ClibPin, &ClibPin_Type);
    if (pin == NULL) {
        if (lib->owned && lib->auto_close)
            dlclose(lib->handle);
        lib->handle = NULL;
        return -1;
    }
    pin->handle = lib->handle;
    pin->owned = lib->owned && lib->auto_close;
    lib->pin = (PyObject *)pin;
    return 0;
}

PyObject *clib_pin(const clib_library *lib)
{
    Py_XINCREF(lib->pin);
    return lib->pin;
}

/* ------------------------------------------------------------ opening */

/* dlopen() with the flags CFFI uses; NULL with OSError set on failure. */
static void *clib_dlopen(const char *path, int flags, PyObject **error)
{
    if ((flags & (RTLD_NOW | RTLD_LAZY)) == 0)
        flags |= RTLD_NOW;
    void *h = dlopen(path, flags);
    if (h == NULL) {
        const char *why = dlerror();
        *error = PyUnicode_FromFormat("cannot load library '%s': %s",
                                      path ? path : "<None>",
                                      why ? why : "unknown error");
    }
    return h;
}

/* ctypes.util.find_library(name): a new str, Py_None (new ref) or NULL. */
static PyObject *clib_find_library(PyObject *name)
{
    PyObject *util = PyImport_ImportModule("ctypes.util");
    if (util == NULL)
        return NULL;
    PyObject *path = PyObject_CallMethod(util, "find_library", "O", name);
    Py_DECREF(util);
    return path;
}

/* Raises OSError for a bare name find_library() did not know, joining the
 * earlier dlopen() error if there was one. */
static int clib_raise_not_found(PyObject *name, PyObject *first_error)
{
    if (first_error != NULL)
        PyErr_Format(PyExc_OSError, "%U.  Additionally, ctypes.util.find_library()"
                     " did not manage to locate a library called %R",
                     first_error, name);
    else
        PyErr_Format(PyExc_OSError, "ctypes.util.find_library() did not manage"
                     " to locate a library called %R", name);
    return -1;
}

/* Opens `path` (a str) and fills lib; on failure stores the message. */
static int clib_try(clib_library *lib, PyObject *path, int flags,
                    PyObject **error)
{
    PyObject *bytes = PyUnicode_EncodeFSDefault(path);
    if (bytes == NULL)
        return -1;
    void *h = clib_dlopen(PyBytes_AS_STRING(bytes), flags, error);
    Py_DECREF(bytes);
    if (h == NULL)
        return *error == NULL ? -1 : 1;
    lib->handle = h;
    lib->owned = 1;
    Py_INCREF(path);
    lib->name = path;
    return 0;
}

/* The library name as a str (bytes are decoded as file names). */
static PyObject *clib_name_as_str(PyObject *name)
{
    if (PyUnicode_Check(name)) {
        Py_INCREF(name);
        return name;
    }
    if (PyBytes_Check(name))
        return PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(name));
    PyErr_SetString(PyExc_TypeError, "dlopen(name): name must be a file name, "
                    "None, or an already-opened 'void *' handle");
    return NULL;
}

static int clib_open_process(clib_library *lib, int flags)
{
    PyObject *error = NULL;
    void *h = clib_dlopen(NULL, flags, &error);
    if (h == NULL) {
        if (error != NULL) {
            PyErr_SetObject(PyExc_OSError, error);
            Py_DECREF(error);
        }
        return -1;
    }
    lib->name = PyUnicode_FromString("<None>");
    if (lib->name == NULL) {
        dlclose(h);
        return -1;
    }
    lib->handle = h;
    lib->owned = 1;
    return 0;
}

/* Looks `name` up with find_library() after `first_error` (may be NULL). */
static int clib_open_found(clib_library *lib, PyObject *name, int flags,
                           PyObject *first_error)
{
    PyObject *path = clib_find_library(name);
    if (path == NULL)
        return -1;
    if (path == Py_None) {
        Py_DECREF(path);
        return clib_raise_not_found(name, first_error);
    }
    PyObject *error = NULL;
    int r = clib_try(lib, path, flags, &error);
    Py_DECREF(path);
    if (r > 0) {
        PyErr_SetObject(PyExc_OSError, error);
        Py_DECREF(error);
        return -1;
    }
    return r;
}

/* A handle some earlier dlopen() returned, as a `void *` cdata, named by
 * its address as CFFI does: ffi.dlclose() closes it, but the Lib's death
 * does not (CFFI's auto_close 0): the caller still owns the handle and may
 * dlclose() it itself. */
static int clib_adopt_handle(clib_library *lib, PyObject *cd)
{
    void *h = CData_Ptr(cd);
    if (h == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "cannot call dlopen(NULL)");
        return -1;
    }
    lib->name = PyUnicode_FromFormat("%p", h);
    if (lib->name == NULL)
        return -1;
    lib->handle = h;
    lib->owned = 1;
    lib->auto_close = 0;
    return 0;
}

static int clib_open_any(clib_library *lib, PyObject *name, int flags)
{
    if (name == Py_None)
        return clib_open_process(lib, flags);
    if (CData_Check(name) && (CData_CType(name)->ct_flags & CT_POINTER))
        return clib_adopt_handle(lib, name);
    PyObject *str = clib_name_as_str(name);
    if (str == NULL)
        return -1;
    PyObject *first_error = NULL;
    int r = 1;
    if (PyUnicode_FindChar(str, '.', 0, PyUnicode_GET_LENGTH(str), 1) >= 0
        || PyUnicode_FindChar(str, '/', 0, PyUnicode_GET_LENGTH(str), 1) >= 0)
        r = clib_try(lib, str, flags, &first_error);
    if (r > 0)
        r = clib_open_found(lib, str, flags, first_error);
    Py_XDECREF(first_error);
    Py_DECREF(str);
    return r;
}

int clib_open(clib_library *lib, PyObject *name, int flags)
{
    lib->handle = NULL;
    lib->name = NULL;
    lib->owned = 0;
    lib->auto_close = 1;
    lib->pin = NULL;
    if (clib_open_any(lib, name, flags) < 0)
        return -1;
    return clib_make_pin(lib);
}

void *clib_symbol(const clib_library *lib, const char *symbol, const char **why)
{
    dlerror();
    void *p = dlsym(lib->handle, symbol);
    if (p == NULL) {
        *why = dlerror();
        if (*why == NULL)
            *why = "symbol has the value NULL";
    }
    return p;
}

int clib_check_open(const clib_library *lib)
{
    if (lib->handle != NULL)
        return 0;
    PyErr_Format(PyExc_ValueError, "library '%U' has already been closed",
                 lib->name);
    return -1;
}

int clib_close(clib_library *lib)
{
    void *h = lib->handle;
    if (h == NULL)
        return 0;
    lib->handle = NULL;
    if (lib->pin != NULL)
        ((ClibPin *)lib->pin)->handle = NULL;  /* closed for everyone */
    if (lib->owned && dlclose(h) != 0) {
        const char *why = dlerror();
        PyErr_Format(PyExc_OSError, "error closing library '%U': %s",
                     lib->name, why ? why : "unknown error");
        return -1;
    }
    return 0;
}

void clib_clear(clib_library *lib)
{
    Py_CLEAR(lib->name);
    lib->handle = NULL;
    Py_CLEAR(lib->pin);
}

int clib_add_rtld_constants(PyObject *dict)
{
    static const struct { const char *name; int value; } flags[] = {
        { "RTLD_LAZY", RTLD_LAZY },         { "RTLD_NOW", RTLD_NOW },
        { "RTLD_GLOBAL", RTLD_GLOBAL },     { "RTLD_LOCAL", RTLD_LOCAL },
        { "RTLD_NODELETE", RTLD_NODELETE }, { "RTLD_NOLOAD", RTLD_NOLOAD },
        { "RTLD_DEEPBIND", RTLD_DEEPBIND },
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        PyObject *v = PyLong_FromLong(flags[i].value);
        if (v == NULL || PyDict_SetItemString(dict, flags[i].name, v) < 0) {
            Py_XDECREF(v);
            return -1;
        }
        Py_DECREF(v);
    }
    return 0;
}
