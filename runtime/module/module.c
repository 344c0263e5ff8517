/* module.c - the _cffi_backend extension module: PyInit creates it, sets
 * the version, and calls each concern's *_init_module function in order of
 * the layers (exception classes first).  It holds nothing else. */
#include <Python.h>
#include "config.h"
#include "object/errors.h"
#include "object/ctype_obj.h"
#include "object/cdata.h"
#include "object/chandle.h"
#include "object/cbuffer.h"
#include "call/ccall.h"
#include "call/ccallback.h"
#include "call/lib_obj.h"
#include "api/api_module.h"
#include "api/api_fallback.h"
#include "api/api_mismatch.h"
#include "compat/compat.h"
#include "module/ffi_obj.h"
#include "module/ffi_table_io.h"


static struct PyModuleDef backend_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_cffi_backend",
    .m_doc = "ccffi: the C runtime of a CFFI-compatible foreign function interface.",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__cffi_backend(void)
{
    PyObject *m = PyModule_Create(&backend_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddStringConstant(m, "__version__", CFFI_COMPAT_VERSION) < 0
        || PyModule_AddStringConstant(m, "__ccffi__", PACKAGE_VERSION) < 0
        || errors_init_module(m) < 0
        || ctype_init_module(m) < 0
        || cdata_init_module(m) < 0
        || chandle_init_module(m) < 0
        || cbuffer_init_module(m) < 0
        || ffi_obj_init_module(m) < 0
        || ccall_init_module(m) < 0
        || ccallback_init_module(m) < 0
        || lib_obj_init_module(m) < 0
        || api_decls_init_module(m) < 0
        || api_fallback_init_module(m) < 0
        || api_mismatch_init_module(m) < 0
        || api_module_init_module(m) < 0
        || ffi_table_io_init_module(m) < 0
        || compat_init_module(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
