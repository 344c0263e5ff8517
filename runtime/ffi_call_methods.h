/* ffi_call_methods.h - the FFI methods that call into C (dlopen, dlclose,
 * callback, ...), spliced into the method table of ffi_obj.c.  Owned by the
 * call machinery (ccall.c, ccallback.c, clib.c), which defines the
 * functions named here. */
#ifndef CCFFI_FFI_CALL_METHODS_H
#define CCFFI_FFI_CALL_METHODS_H

#define FFI_CALL_METHODS /* entries of PyMethodDef, each ending in a comma */

#endif /* CCFFI_FFI_CALL_METHODS_H */
