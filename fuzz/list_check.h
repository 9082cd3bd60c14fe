/* Checks of a list's reads shared by the fuzz targets that know, from the
 * values they encoded or from the model, what every item holds. */
#ifndef PYSHM_FUZZ_LIST_CHECK_H
#define PYSHM_FUZZ_LIST_CHECK_H

#include "pyshm.h"

/* Item index reads as want, identically (fuzz_identical), through get and
 * through get_copy into a buffer of exactly the item's slot size. */
void fuzz_check_read(pyshm_list *l, int64_t index, const pyshm_value *want);

/* count and index of v give what Python's == (fuzz_py_eq) over the list's
 * values items[0..n) gives, and pyshm_value_eq agrees with it on each pair. */
void fuzz_check_search(pyshm_list *l, const pyshm_value *v, const pyshm_value *items, size_t n);

#endif
