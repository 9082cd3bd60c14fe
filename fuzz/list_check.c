/* See list_check.h. */
#include "list_check.h"
#include "fuzz.h"
#include "pyeq.h"

#include <stdlib.h>

void fuzz_check_read(pyshm_list *l, int64_t index, const pyshm_value *want) {
    pyshm_value got;
    FUZZ_CHECK(pyshm_list_get(l, index, &got) == 0);
    FUZZ_CHECK(fuzz_identical(&got, want));
    size_t alloc = 0;
    FUZZ_CHECK(pyshm_list_slot(l, index, &alloc) == 0);
    char *buf = malloc(alloc ? alloc : 1);
    FUZZ_CHECK(buf != NULL);
    FUZZ_CHECK(pyshm_list_get_copy(l, index, &got, buf, alloc) == 0);
    FUZZ_CHECK(fuzz_identical(&got, want));
    free(buf);
}

void fuzz_check_search(pyshm_list *l, const pyshm_value *v, const pyshm_value *items, size_t n) {
    int64_t count = 0, index = -1, expect = 0, first = -1;
    for (size_t j = 0; j < n; j++) {
        bool eq = fuzz_py_eq(v, &items[j]);
        FUZZ_CHECK(pyshm_value_eq(v, &items[j]) == eq);
        if (eq) {
            expect++;
            first = first < 0 ? (int64_t)j : first;
        }
    }
    FUZZ_CHECK(pyshm_list_count(l, v, &count) == 0 && count == expect);
    int rc = pyshm_list_index(l, v, &index);
    FUZZ_CHECK(first < 0 ? rc == PYSHM_ENOTFOUND : (rc == 0 && index == first));
}
