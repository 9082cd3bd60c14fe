/* Values: constructors and Python's == across int, float and bool. */
#include "internal.h"

#include <math.h>
#include <string.h>

PYSHM_API pyshm_value pyshm_str(const char *utf8) {
    return pyshm_strn(utf8, utf8 ? strlen(utf8) : 0);
}

static bool is_number(const pyshm_value *v) {
    return v->type == PYSHM_INT || v->type == PYSHM_FLOAT || v->type == PYSHM_BOOL;
}

/* int == float compared exactly, as Python does: no rounding through double. */
static bool int_eq_float(int64_t i, double f) {
    if (!(f >= -0x1p63 && f < 0x1p63)) return false; /* also NaN and inf */
    if (f != trunc(f)) return false;
    return (int64_t)f == i;
}

PYSHM_API bool pyshm_value_eq(const pyshm_value *a, const pyshm_value *b) {
    if (a == NULL || b == NULL) return false;
    if (is_number(a) && is_number(b)) {
        bool af = a->type == PYSHM_FLOAT, bf = b->type == PYSHM_FLOAT;
        int64_t ai = a->type == PYSHM_BOOL ? (int64_t)a->u.b : a->u.i;
        int64_t bi = b->type == PYSHM_BOOL ? (int64_t)b->u.b : b->u.i;
        if (af && bf) return a->u.f == b->u.f;
        if (af) return int_eq_float(bi, a->u.f);
        if (bf) return int_eq_float(ai, b->u.f);
        return ai == bi;
    }
    if (a->type != b->type) return false;
    switch (a->type) {
    case PYSHM_NONE: return true;
    case PYSHM_STR:
    case PYSHM_BYTES:
        return a->u.s.len == b->u.s.len &&
               (a->u.s.len == 0 || memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0);
    default: return false;
    }
}
