/* Python's == between two values, written independently of
 * pyshm_value_eq() so that the fuzzers can compare the two. */
#ifndef PYSHM_FUZZ_PYEQ_H
#define PYSHM_FUZZ_PYEQ_H

#include "pyshm.h"

bool fuzz_py_eq(const pyshm_value *a, const pyshm_value *b);
/* Same type and same bits (floats bit for bit, str/bytes byte for byte). */
bool fuzz_identical(const pyshm_value *a, const pyshm_value *b);

#endif
