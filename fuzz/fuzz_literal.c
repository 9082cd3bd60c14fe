/*
 * literal: fuzz input -> the tool's Python literal parser. Invariants: no
 * crash, leak or undefined behaviour on any text; a refused text has a
 * reason; an accepted value's repr() parses back to the same value (floats
 * bit for bit, NaN as NaN; an int outside int64 to the same magnitude and
 * sign); an int outside int64 equals a float exactly when the float's
 * integer digits are the int's.
 */
#include "fuzz.h"

#include "../ref/cli/literal.h"
#include "pyshm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool same_value(const pyshm_value *a, const pyshm_value *b) {
    if (a->type != b->type) return false;
    switch (a->type) {
    case PYSHM_INT: return a->u.i == b->u.i;
    case PYSHM_FLOAT:
        return isnan(a->u.f) ? isnan(b->u.f) : memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0;
    case PYSHM_BOOL: return a->u.b == b->u.b;
    case PYSHM_STR:
    case PYSHM_BYTES:
        return a->u.s.len == b->u.s.len &&
               (a->u.s.len == 0 || memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0);
    default: return true;
    }
}

/* The int outside int64 against floats near it: equal exactly when the
 * float's exact decimal digits are the int's. */
static void check_big(const pyshm_literal *lit, const char *decimal) {
    double f = strtod(decimal, NULL); /* the nearest double */
    char exact[400];
    for (int k = -1; k <= 1; k++) {
        double g = k < 0 ? nextafter(f, 0) : k > 0 ? nextafter(f, f * 2) : f;
        pyshm_value item = pyshm_float(g);
        bool eq = pyshm_literal_big_eq(lit, &item);
        int n = snprintf(exact, sizeof exact, "%.0f", g);
        if (n <= 0 || (size_t)n >= sizeof exact) { /* 1e308 has 309 digits: fits */
            FUZZ_CHECK(!eq);
            continue;
        }
        FUZZ_CHECK(eq == (isfinite(g) && strcmp(exact, decimal) == 0));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pyshm_literal lit;
    char why[300];
    int rc = pyshm_literal_parse((const char *)data, size, &lit, why, sizeof why);
    FUZZ_CHECK(rc == 0 || rc == PYSHM_EINVAL || rc == PYSHM_ERANGE || rc == PYSHM_EENCODE ||
               rc == PYSHM_ENOMEM);
    if (rc == PYSHM_EINVAL) FUZZ_CHECK(why[0] != '\0');
    if (rc == 0 || rc == PYSHM_ERANGE) {
        out_buf r;
        out_init(&r);
        pyshm_literal_repr(&lit, &r);
        FUZZ_CHECK(r.p != NULL);
        pyshm_literal again;
        int rc2 = pyshm_literal_parse(r.p, r.len, &again, why, sizeof why);
        FUZZ_CHECK(rc2 == rc);
        if (rc == 0) {
            FUZZ_CHECK(same_value(&lit.value, &again.value));
        } else {
            FUZZ_CHECK(lit.nlimbs > 0 && lit.limbs[lit.nlimbs - 1] != 0);
            FUZZ_CHECK(lit.nlimbs >= 2);
            FUZZ_CHECK(again.nlimbs == lit.nlimbs && again.negative == lit.negative);
            FUZZ_CHECK(memcmp(again.limbs, lit.limbs, lit.nlimbs * sizeof *lit.limbs) == 0);
            const char *digits = r.p + (r.p[0] == '-');
            if (strlen(digits) < 320) check_big(&lit, r.p);
        }
        pyshm_literal_free(&again);
        out_free(&r);
    }
    pyshm_literal_free(&lit);
    return 0;
}
