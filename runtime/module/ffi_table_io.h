/* ffi_table_io.h - an FFI's declarations as table bytes and back (ABI mode
 * out-of-line).  Include <Python.h> before this header. */
#ifndef CCFFI_FFI_TABLE_IO_H
#define CCFFI_FFI_TABLE_IO_H

int ffi_table_io_init_module(PyObject *m);

#endif /* CCFFI_FFI_TABLE_IO_H */
