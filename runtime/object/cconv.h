/* cconv.h - every conversion between Python objects and C memory.
 *
 * cconv_from_python() writes a Python value into C memory of a given CType
 * (integers with range checks, floats, chars, pointers from cdata, arrays
 * from lists/bytes/str, structs from lists/dicts); cconv_to_python() reads C
 * memory back (primitives become int/float/bytes/str/bool, pointers become
 * cdata, structs and arrays become views).  The call machinery uses the
 * same functions for arguments and results, plus the pointer-argument
 * helpers below (a bytes object passed to a `char *` parameter, a list
 * passed to an `int *` parameter...).
 * Include <Python.h> before this header.
 */
#ifndef CCFFI_CCONV_H
#define CCFFI_CCONV_H

#include "object/ctype_obj.h"
#include "object/cdata.h"

/* Writes obj into dst, which has room for ct->ct_size bytes (for arrays of
 * unknown length, room for as many items as obj provides).  Errors as CFFI
 * raises them (OverflowError "integer 300 does not fit 'unsigned char'",
 * TypeError "initializer for ctype 'X' must be a Y, not Z"...).
 * 0 or -1 with an exception set. */
int cconv_from_python(CTypeObject *ct, char *dst, PyObject *obj);

/* Reads a value of type ct at src.  Structs/unions/arrays give a cdata
 * pointing at src (no owner kept; see cconv_to_python_owned). */
PyObject *cconv_to_python(CTypeObject *ct, const char *src);

/* Same, but struct/union/array results are views that keep `owner` alive. */
PyObject *cconv_to_python_owned(CTypeObject *ct, const char *src, PyObject *owner);

/* Struct members (bitfields included): read as cconv_to_python_owned,
 * write as cconv_from_python, at base + the field's offset. */
PyObject *cconv_read_field(CFieldObject *f, char *base, PyObject *owner);
int cconv_write_field(CFieldObject *f, char *base, PyObject *obj);

/* Integer conversions for primitive integer types of any size: reads the
 * value of `size` bytes at src, signed or not; writes with range checks. */
PyObject *cconv_read_integer(const char *src, Py_ssize_t size, int is_signed);
int cconv_write_integer(CTypeObject *ct, char *dst, PyObject *obj);

/* The pointer value of obj for a pointer/function-pointer type ct: obj must
 * be a compatible cdata (same type, or any pointer for void * / char *, an
 * array of the item type...) or ffi.NULL-like.  0 or -1 with TypeError. */
int cconv_pointer_value(CTypeObject *ct, PyObject *obj, char **out);

/* What a non-cdata object passed where C expects a pointer of type fnct
 * stands for: a higher layer registers the hook (API mode: `lib.f` of a
 * compiled module stands for its function pointer cdata, as in CFFI).  The
 * hook returns 1 with *address set (fnct is the function's type, or
 * `void *`; or NULL: any function, for ffi.cast()), 0 when obj is
 * something else, -1 with an exception (a function of another type). */
typedef int (*cconv_function_hook)(PyObject *obj, CTypeObject *fnct,
                                   void **address);
void cconv_set_function_hook(cconv_function_hook hook);

/* ffi.cast(ct, value) with C semantics: integers truncate modulo the
 * target's size, floats truncate towards zero, pointers <-> integers,
 * 1-char strings give their code, enums and _Bool as CFFI does them.  A
 * new cdata, or NULL with CFFI's error. */
PyObject *cconv_cast(CTypeObject *ct, PyObject *value);

/* Function arguments of pointer type ct.  Returns:
 *   0  and *out set: obj converts directly (a cdata, or a bytes object for
 *      a char-like pointer, pointing into the bytes);
 *  >0  the number of bytes of temporary memory the caller must provide
 *      (zeroed) and fill with cconv_fill_pointer_arg(): obj is a list,
 *      tuple or str initializing an array of the pointed-to type;
 *  -1  error set. */
Py_ssize_t cconv_prepare_pointer_arg(CTypeObject *ct, PyObject *obj, char **out);
int cconv_fill_pointer_arg(CTypeObject *ct, char *buf, PyObject *obj);

/* The C `errno` CFFI keeps per thread (ffi.errno): the call machinery saves
 * errno after each C call with cconv_errno_save() and restores it before
 * with cconv_errno_restore(). */
/* initial-exec: read without a __tls_get_addr call on every C call; one
 * int fits the static TLS glibc reserves for dlopen()ed modules. */
extern _Thread_local int cconv_saved_errno
    __attribute__((tls_model("initial-exec")));
#include <errno.h>
static inline void cconv_errno_save(void) { cconv_saved_errno = errno; }
static inline void cconv_errno_restore(void) { errno = cconv_saved_errno; }

#endif /* CCFFI_CCONV_H */
