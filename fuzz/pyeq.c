/* Python equality: bool is an int, int and float compare exactly (an int64
 * equals a double only if the double is integral and converts back to it),
 * str never equals bytes, NaN equals nothing. */
#include "pyeq.h"

#include <math.h>
#include <string.h>

static bool is_intlike(const pyshm_value *v, int64_t *i) {
    if (v->type == PYSHM_INT)
        *i = v->u.i;
    else if (v->type == PYSHM_BOOL)
        *i = v->u.b ? 1 : 0;
    else
        return false;
    return true;
}

static bool int_eq_float(int64_t i, double f) {
    /* -2**63 <= f < 2**63 keeps the conversion below defined. */
    if (!isfinite(f) || f != trunc(f) || f < -9223372036854775808.0 || f >= 9223372036854775808.0)
        return false;
    return (int64_t)f == i;
}

bool fuzz_py_eq(const pyshm_value *a, const pyshm_value *b) {
    int64_t ia, ib;
    bool a_int = is_intlike(a, &ia), b_int = is_intlike(b, &ib);
    if (a_int && b_int)
        return ia == ib;
    if (a_int && b->type == PYSHM_FLOAT)
        return int_eq_float(ia, b->u.f);
    if (b_int && a->type == PYSHM_FLOAT)
        return int_eq_float(ib, a->u.f);
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case PYSHM_NONE:
        return true;
    case PYSHM_FLOAT:
        return a->u.f == b->u.f;
    case PYSHM_STR:
    case PYSHM_BYTES:
        return a->u.s.len == b->u.s.len &&
               (a->u.s.len == 0 || memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0);
    default:
        return false;
    }
}

bool fuzz_identical(const pyshm_value *a, const pyshm_value *b) {
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case PYSHM_NONE:
        return true;
    case PYSHM_INT:
        return a->u.i == b->u.i;
    case PYSHM_FLOAT:
        return memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0;
    case PYSHM_BOOL:
        return a->u.b == b->u.b;
    case PYSHM_STR:
    case PYSHM_BYTES:
        return a->u.s.len == b->u.s.len &&
               (a->u.s.len == 0 || memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0);
    }
    return false;
}
