/* same_layout.c - markers for every type of same_layout.h (see there). */
#ifndef __CCFFI_PLUGIN__
#error "compile this file with -fplugin=ccffi_gcc.so"
#endif
#include "same_layout.h"

typedef struct sl_point _ccffi_t0 __attribute__((ccffi("struct", "sl_point", 2)));
typedef struct sl_mixed _ccffi_t1 __attribute__((ccffi("struct", "sl_mixed", 2)));
typedef struct sl_bits _ccffi_t2 __attribute__((ccffi("struct", "sl_bits", 2)));
typedef struct sl_straddle _ccffi_t3 __attribute__((ccffi("struct", "sl_straddle", 2)));
typedef struct sl_unnamed _ccffi_t4 __attribute__((ccffi("struct", "sl_unnamed", 2)));
typedef struct sl_chars _ccffi_t5 __attribute__((ccffi("struct", "sl_chars", 2)));
typedef struct sl_wide _ccffi_t6 __attribute__((ccffi("struct", "sl_wide", 2)));
typedef struct sl_anon _ccffi_t7 __attribute__((ccffi("struct", "sl_anon", 2)));
typedef struct sl_flex _ccffi_t8 __attribute__((ccffi("struct", "sl_flex", 2)));
typedef union sl_number _ccffi_t9 __attribute__((ccffi("union", "sl_number", 2)));
typedef enum sl_color _ccffi_t10 __attribute__((ccffi("enum", "sl_color")));
typedef enum sl_signed _ccffi_t11 __attribute__((ccffi("enum", "sl_signed")));
typedef struct sl_list _ccffi_t12 __attribute__((ccffi("struct", "sl_list", 2)));
typedef sl_anon_t _ccffi_t13 __attribute__((ccffi("typedef", "sl_anon_t", 2)));

__attribute__((ccffi("table"), used, visibility("default")))
const char _ccffi_type_table[] = "";
