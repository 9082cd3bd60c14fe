/* helpers.c - shared helpers of the unit tests. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "../../conformance/common/native_image.h"

void tests_add_suite(const char *name, const struct test_def *tests, size_t n) {
    CU_pSuite s = CU_add_suite(name, NULL, NULL);
    if (!s) {
        fprintf(stderr, "cannot add suite %s: %s\n", name, CU_get_error_msg());
        exit(2);
    }
    for (size_t i = 0; i < n; i++) {
        if (!CU_add_test(s, tests[i].name, tests[i].fn)) {
            fprintf(stderr, "cannot add test %s: %s\n", tests[i].name, CU_get_error_msg());
            exit(2);
        }
    }
}

bool check_impl(bool ok, unsigned line, const char *file, const char *func, const char *fmt,
                ...) {
    char msg[1024];
    msg[0] = '\0';
    if (!ok) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, ok ? "" : msg, file, func, CU_FALSE);
    return ok;
}

const char *rc_exc(int rc) {
    return rc == 0 ? NULL : pyshm_err_pyexc(rc);
}

bool str_eq(const char *a, const char *b) {
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

bool mentions(const char *text, const char *alternatives) {
    const char *p = alternatives;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == 0)
            return true;
        for (const char *t = text; *t; t++)
            if (strncmp(t, p, n) == 0)
                return true;
        if (!bar)
            return false;
        p = bar + 1;
    }
}

pyshm_value golden_value(const struct golden_val *g) {
    switch (g->type) {
    case PYSHM_INT:
        return pyshm_int(g->i);
    case PYSHM_BOOL:
        return pyshm_bool(g->i != 0);
    case PYSHM_FLOAT: {
        double d;
        memcpy(&d, &g->bits, sizeof d);
        return pyshm_float(d);
    }
    case PYSHM_STR:
        return pyshm_strn(g->s, g->len);
    case PYSHM_BYTES:
        return pyshm_bytes(g->s, g->len);
    default:
        return pyshm_none();
    }
}

pyshm_value *golden_values(const struct golden_val *g, size_t n) {
    if (n == 0)
        return NULL;
    pyshm_value *v = calloc(n, sizeof *v);
    if (!v)
        abort();
    for (size_t i = 0; i < n; i++)
        v[i] = golden_value(&g[i]);
    return v;
}

bool golden_value_same(const pyshm_value *v, const struct golden_val *g) {
    if (v->type != g->type)
        return false;
    switch (g->type) {
    case PYSHM_INT:
        return v->u.i == g->i;
    case PYSHM_BOOL:
        return v->u.b == (g->i != 0);
    case PYSHM_FLOAT: {
        uint64_t bits;
        memcpy(&bits, &v->u.f, sizeof bits);
        return bits == g->bits;
    }
    case PYSHM_STR:
    case PYSHM_BYTES:
        return v->u.s.len == g->len && (g->len == 0 || memcmp(v->u.s.ptr, g->s, g->len) == 0);
    default:
        return true;
    }
}


uint8_t *dup_exact(const void *p, size_t len) {
    uint8_t *d = malloc(len ? len : 1);
    if (!d)
        abort();
    if (len)
        memcpy(d, p, len);
    return d;
}

/* Golden images are little-endian; the image this host's CPython would have
 * written, derived as the vector runner derives it. */
uint8_t *golden_native(const uint8_t *le, size_t len, pyshm_layout layout) {
    uint8_t *out = dup_exact(le, len);
    native_image(out, len, layout);
    return out;
}

const char *first_diff(const uint8_t *a, const uint8_t *b, size_t len) {
    static char buf[128];
    for (size_t i = 0; i < len; i++) {
        if (a[i] != b[i]) {
            snprintf(buf, sizeof buf, "first difference at byte %zu: 0x%02x != 0x%02x", i, a[i],
                     b[i]);
            return buf;
        }
    }
    return "no difference";
}

const char *test_shm_name(void) {
    static char buf[64];
    static unsigned counter;
    snprintf(buf, sizeof buf, "pyshm_t%ld_%u", (long)getpid(), counter++);
    return buf;
}
