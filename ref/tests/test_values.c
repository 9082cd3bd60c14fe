/*
 * test_values.c - pyshm_value_eq and pyshm_value_repr against the tables
 * CPython generated (golden.h), plus snprintf semantics.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static void test_eq_matrix(void) {
    size_t n = golden_neq_pool;
    CHECK(strlen(golden_eq_matrix) == n * n, "matrix size");
    for (size_t i = 0; i < n; i++) {
        pyshm_value a = golden_value(&golden_eq_pool[i]);
        for (size_t j = 0; j < n; j++) {
            pyshm_value b = golden_value(&golden_eq_pool[j]);
            bool want = golden_eq_matrix[i * n + j] == '1';
            bool got = pyshm_value_eq(&a, &b);
            if (!CHECK(got == want, "pool[%zu] == pool[%zu]: got %d, CPython %d", i, j, got,
                       want)) {
                char ra[64], rb[64];
                pyshm_value_repr(&a, ra, sizeof ra);
                pyshm_value_repr(&b, rb, sizeof rb);
                CHECK(0, "    (%s == %s)", ra, rb);
            }
        }
    }
}

static void test_eq_literals(void) {
    pyshm_value one = pyshm_int(1), onef = pyshm_float(1.0), t = pyshm_bool(true);
    pyshm_value nan = pyshm_float(NAN), none = pyshm_none(), s = pyshm_str("a");
    pyshm_value b = pyshm_bytes("a", 1);
    CHECK(pyshm_value_eq(&one, &onef) && pyshm_value_eq(&onef, &t), "1 == 1.0 == True");
    CHECK(!pyshm_value_eq(&nan, &nan), "nan != nan");
    CHECK(pyshm_value_eq(&none, &none), "None == None");
    CHECK(!pyshm_value_eq(&s, &b), "'a' != b'a'");
    pyshm_value big = pyshm_int((INT64_C(1) << 53) + 1), bigf = pyshm_float(9007199254740992.0);
    CHECK(!pyshm_value_eq(&big, &bigf), "2**53+1 != 2.0**53");
}

static void test_repr_table(void) {
    for (size_t i = 0; i < golden_nreprs; i++) {
        const struct golden_repr *g = &golden_reprs[i];
        pyshm_value v = golden_value(&g->val);
        char buf[2048];
        size_t want = strlen(g->repr);
        size_t n = pyshm_value_repr(&v, buf, sizeof buf);
        CHECK(n == want && strcmp(buf, g->repr) == 0, "repr #%zu: got <%s> (%zu), CPython <%s>",
              i, buf, n, g->repr);
    }
}

static void expect_repr(pyshm_value v, const char *want) {
    char buf[256];
    size_t n = pyshm_value_repr(&v, buf, sizeof buf);
    CHECK(n == strlen(want) && strcmp(buf, want) == 0, "repr: got <%s>, want <%s>", buf, want);
}

static void test_repr_literals(void) {
    expect_repr(pyshm_none(), "None");
    expect_repr(pyshm_bool(true), "True");
    expect_repr(pyshm_bool(false), "False");
    expect_repr(pyshm_int(INT64_MIN), "-9223372036854775808");
    expect_repr(pyshm_float(1.0), "1.0");
    expect_repr(pyshm_float(-0.0), "-0.0");
    expect_repr(pyshm_float(1e16), "1e+16");
    expect_repr(pyshm_float(-273.154), "-273.154");
    expect_repr(pyshm_float(INFINITY), "inf");
    expect_repr(pyshm_float(-INFINITY), "-inf");
    expect_repr(pyshm_str("howdy"), "'howdy'");
    expect_repr(pyshm_str("it's"), "\"it's\"");
    expect_repr(pyshm_bytes("HoWdY", 5), "b'HoWdY'");
    expect_repr(pyshm_bytes("\0\xff", 2), "b'\\x00\\xff'");
    expect_repr(pyshm_str("\xe2\x82\xac"), "'\xe2\x82\xac'");
}

/* Like snprintf: the full length whatever cap is, truncated and terminated. */
static void test_repr_snprintf(void) {
    pyshm_value v = pyshm_str("howdy");
    CHECK(pyshm_value_repr(&v, NULL, 0) == 7, "cap 0 gives the full length");
    char buf[8];
    memset(buf, 'Z', sizeof buf);
    CHECK(pyshm_value_repr(&v, buf, 1) == 7 && buf[0] == '\0' && buf[1] == 'Z', "cap 1");
    memset(buf, 'Z', sizeof buf);
    CHECK(pyshm_value_repr(&v, buf, 4) == 7 && strcmp(buf, "'ho") == 0 && buf[4] == 'Z',
          "cap 4: <%s>", buf);
    CHECK(pyshm_value_repr(&v, buf, 8) == 7 && strcmp(buf, "'howdy'") == 0, "cap 8: <%s>", buf);
}

static void test_str_constructor(void) {
    pyshm_value v = pyshm_str("abc");
    CHECK(v.type == PYSHM_STR && v.u.s.len == 3 && memcmp(v.u.s.ptr, "abc", 3) == 0,
          "pyshm_str");
    v = pyshm_str("");
    CHECK(v.type == PYSHM_STR && v.u.s.len == 0, "pyshm_str(\"\")");
}

void suite_values(void) {
    static const struct test_def t[] = {
        {"value_eq: CPython's == over a pool", test_eq_matrix},
        {"value_eq: literals", test_eq_literals},
        {"value_repr: CPython's repr table", test_repr_table},
        {"value_repr: literals", test_repr_literals},
        {"value_repr: snprintf semantics", test_repr_snprintf},
        {"pyshm_str", test_str_constructor},
    };
    TESTS_ADD_SUITE("values", t);
}
