/* golden.c - the one translation unit holding the CPython-generated tables. */
#include "golden_types.h"

#include "golden.h"
