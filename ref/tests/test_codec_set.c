/*
 * test_codec_set.c - pyshm_list_set replays CPython's __setitem__ sequences
 * (golden.h): type changes, kept formats, untouched bytes, storage exceeded,
 * bad indexes and unencodable str, comparing the whole image after each step.
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static int expected_code(const char *exc) {
    if (!exc)
        return 0;
    if (strcmp(exc, "ValueError") == 0)
        return PYSHM_ESTORAGE;
    if (strcmp(exc, "IndexError") == 0)
        return PYSHM_EINDEX;
    if (strcmp(exc, "UnicodeEncodeError") == 0)
        return PYSHM_EENCODE;
    return 1; /* no code expected: fails the test */
}

static void replay(const struct golden_set_case *c) {
    pyshm_value *items = golden_values(c->items, c->nitems);
    uint8_t *want = golden_native(c->image, c->len, c->layout);
    uint8_t *buf = dup_exact(want, c->len);
    int rc = 0;
    if (c->encodes) {
        rc = pyshm_list_encode(buf, c->len, items, c->nitems, c->layout);
        CHECK(rc == 0 && memcmp(buf, want, c->len) == 0, "%s: initial image rc %d", c->name,
              rc);
    }
    free(want);
    pyshm_list *l = NULL;
    rc = pyshm_list_wrap(buf, c->len, c->layout, &l, NULL, 0);
    if (!CHECK(rc == 0, "%s: wrap rc %d", c->name, rc))
        goto out;
    for (size_t s = 0; s < c->nsteps; s++) {
        const struct golden_step *st = &c->steps[s];
        pyshm_value v = golden_value(&st->val);
        uint8_t *before = dup_exact(buf, c->len);
        rc = pyshm_list_set(l, st->index, &v);
        CHECK(rc == expected_code(st->exc), "%s step %zu: set(%lld) rc %s, CPython %s", c->name,
              s, (long long)st->index, pyshm_err_name(rc), st->exc ? st->exc : "no error");
        CHECK(st->len == c->len, "%s: golden step length", c->name);
        want = golden_native(st->after, st->len, c->layout);
        CHECK(memcmp(buf, want, c->len) == 0, "%s step %zu: image after set: %s", c->name, s,
              first_diff(buf, want, c->len));
        if (rc != 0)
            CHECK(memcmp(buf, before, c->len) == 0, "%s step %zu: failed set changed the image",
                  c->name, s);
        if (rc == 0) {
            pyshm_value got;
            rc = pyshm_list_get(l, st->index, &got);
            CHECK(rc == 0 && got.type == v.type &&
                      (pyshm_value_eq(&got, &v) || golden_value_same(&got, &st->val)),
                  "%s step %zu: read back rc %d", c->name, s, rc);
        }
        free(want);
        free(before);
    }
out:
    pyshm_list_free(l);
    free(buf);
    free(items);
}

static void test_replay(void) {
    bool have38 = false, have39 = false;
    for (size_t i = 0; i < golden_nset_cases; i++) {
        replay(&golden_set_cases[i]);
        have38 = have38 || golden_set_cases[i].layout == PYSHM_LAYOUT_PY38;
        have39 = have39 || golden_set_cases[i].layout == PYSHM_LAYOUT_PY39;
    }
    CHECK(have38 && have39, "set sequences for both layouts");
}

/* A set that fails leaves the errmsg explaining, and ESTORAGE is ValueError. */
static void test_storage_exceeded(void) {
    pyshm_value items[2] = {pyshm_str("abc"), pyshm_int(5)};
    uint8_t buf[128];
    size_t size = 0;
    CHECK(pyshm_list_image_size(items, 2, PYSHM_LAYOUT_PY39, &size) == 0, "size");
    CHECK(pyshm_list_encode(buf, size, items, 2, PYSHM_LAYOUT_PY39) == 0, "encode");
    pyshm_list *l = NULL;
    CHECK(pyshm_list_wrap(buf, size, PYSHM_LAYOUT_PY39, &l, NULL, 0) == 0, "wrap");
    if (!l)
        return;
    uint8_t before[128];
    memcpy(before, buf, size);
    pyshm_value v = pyshm_str("123456789");
    CHECK(pyshm_list_set(l, 0, &v) == PYSHM_ESTORAGE, "9 bytes into an 8-byte slot");
    v = pyshm_bytes("123456789", 9);
    CHECK(pyshm_list_set(l, 1, &v) == PYSHM_ESTORAGE, "9 bytes into an int slot");
    CHECK(memcmp(before, buf, size) == 0, "image unchanged");
    CHECK(str_eq(pyshm_err_pyexc(PYSHM_ESTORAGE), "ValueError"), "ESTORAGE is ValueError");
    v = pyshm_bytes("12345678", 8);
    CHECK(pyshm_list_set(l, 1, &v) == 0, "8 bytes into an int slot");
    pyshm_list_free(l);

    /* A slot whose format is narrower than the slot ("8s" of 16 bytes, not
     * written by CPython): CPython would keep the format and silently cut a
     * longer value to 8 bytes; the reference refuses it. */
    items[0] = pyshm_str("abcdefghijklmno");
    CHECK(pyshm_list_image_size(items, 2, PYSHM_LAYOUT_PY39, &size) == 0, "size");
    CHECK(pyshm_list_encode(buf, size, items, 2, PYSHM_LAYOUT_PY39) == 0, "encode");
    memcpy(buf + 8 * 4 + 24, "8s\0\0", 4);
    CHECK(pyshm_list_wrap(buf, size, PYSHM_LAYOUT_PY39, &l, NULL, 0) == 0, "wrap");
    memcpy(before, buf, size);
    v = pyshm_str("123456789");
    CHECK(pyshm_list_set(l, 0, &v) == PYSHM_ESTORAGE, "9 bytes under an 8s format");
    CHECK(memcmp(before, buf, size) == 0, "image unchanged");
    v.type = (pyshm_type)77;
    CHECK(pyshm_list_set(l, 0, &v) == PYSHM_EINVAL, "unknown type");
    pyshm_list_free(l);
}

void suite_codec_set(void) {
    static const struct test_def t[] = {
        {"set sequences replay CPython's images", test_replay},
        {"storage exceeded leaves the image", test_storage_exceeded},
    };
    TESTS_ADD_SUITE("codec set", t);
}
