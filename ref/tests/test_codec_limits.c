/*
 * test_codec_limits.c - what the codec refuses to create: items too long
 * for an 8-byte format (the limit CPython's assert sets, from golden.h),
 * str that is not UTF-8, unknown types, sizes that overflow.
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static const pyshm_layout layouts[] = {PYSHM_LAYOUT_PY38, PYSHM_LAYOUT_PY39};

static void test_item_max(void) {
    CHECK(PYSHM_ITEM_MAX == golden_cpython_item_max, "PYSHM_ITEM_MAX %u, CPython's %zu",
          PYSHM_ITEM_MAX, golden_cpython_item_max);
    size_t max = golden_cpython_item_max;
    char *big = malloc(max + 8);
    memset(big, 'x', max + 8);
    for (size_t k = 0; k < 2; k++) {
        size_t size = 0;
        pyshm_value v = pyshm_bytes(big, max);
        int rc = pyshm_list_image_size(&v, 1, layouts[k], &size);
        CHECK(rc == 0, "bytes of %zu: rc %d", max, rc);
        v = pyshm_strn(big, max);
        rc = pyshm_list_image_size(&v, 1, layouts[k], &size);
        CHECK(rc == 0, "str of %zu: rc %d", max, rc);
        v = pyshm_bytes(big, max + 1);
        rc = pyshm_list_image_size(&v, 1, layouts[k], &size);
        CHECK(rc == PYSHM_EITEMSIZE && str_eq(rc_exc(rc), golden_cpython_item_too_long_exc),
              "bytes of %zu: rc %d", max + 1, rc);
        v = pyshm_strn(big, max + 1);
        rc = pyshm_list_image_size(&v, 1, layouts[k], &size);
        CHECK(rc == PYSHM_EITEMSIZE, "str of %zu: rc %d", max + 1, rc);
    }
    /* The reference sizes a non-ASCII str from its UTF-8 length: fewer
     * characters than the limit can still be too long. */
    size_t chars = max / 2 + 8;
    char *wide = malloc(2 * chars);
    for (size_t i = 0; i < chars; i++)
        memcpy(wide + 2 * i, "\xc3\xa9", 2);
    pyshm_value v = pyshm_strn(wide, 2 * chars);
    size_t size = 0;
    int rc = pyshm_list_image_size(&v, 1, PYSHM_LAYOUT_PY39, &size);
    CHECK(rc == PYSHM_EITEMSIZE, "str of %zu characters, %zu UTF-8 bytes: rc %d", chars,
          2 * chars, rc);
    free(wide);
    free(big);
}

static void test_not_utf8(void) {
    static const char *const bad[] = {"\xff", "\xed\xa0\x80", "\xc0\x80", "a\xe2\x82",
                                      "\xf4\x90\x80\x80", "\x80"};
    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            pyshm_value items[2] = {pyshm_int(1), pyshm_str(bad[i])};
            size_t size = 0;
            int rc = pyshm_list_image_size(items, 2, layouts[k], &size);
            CHECK(rc == PYSHM_EENCODE, "str #%zu not UTF-8: image_size rc %d", i, rc);
            uint8_t buf[256];
            rc = pyshm_list_encode(buf, sizeof buf, items, 2, layouts[k]);
            CHECK(rc == PYSHM_EENCODE, "str #%zu not UTF-8: encode rc %d", i, rc);
        }
    }
    CHECK(str_eq(pyshm_err_pyexc(PYSHM_EENCODE), "UnicodeEncodeError"), "EENCODE's exception");
}

static void test_bad_type(void) {
    pyshm_value v = pyshm_int(1);
    v.type = (pyshm_type)99;
    size_t size = 0;
    int rc = pyshm_list_image_size(&v, 1, PYSHM_LAYOUT_PY39, &size);
    CHECK(rc == PYSHM_EINVAL, "type 99: image_size rc %d", rc);
    uint8_t buf[64];
    rc = pyshm_list_encode(buf, sizeof buf, &v, 1, PYSHM_LAYOUT_PY39);
    CHECK(rc == PYSHM_EINVAL, "type 99: encode rc %d", rc);
    rc = pyshm_list_image_size(&v, 1, (pyshm_layout)40, &size);
    CHECK(rc == PYSHM_EINVAL, "layout 40: rc %d", rc);
}

static void test_empty_and_null(void) {
    size_t size = 0;
    int rc = pyshm_list_image_size(NULL, 0, PYSHM_LAYOUT_PY38, &size);
    CHECK(rc == 0 && size == 8, "empty py38: rc %d size %zu", rc, size);
    rc = pyshm_list_image_size(NULL, 0, PYSHM_LAYOUT_PY39, &size);
    CHECK(rc == 0 && size == 16, "empty py39: rc %d size %zu", rc, size);
    uint8_t buf[16];
    rc = pyshm_list_encode(buf, 7, NULL, 0, PYSHM_LAYOUT_PY38);
    CHECK(rc == PYSHM_ENOBUFS, "empty py38 into 7 bytes: rc %d", rc);
    rc = pyshm_list_encode(buf, 15, NULL, 0, PYSHM_LAYOUT_PY39);
    CHECK(rc == PYSHM_ENOBUFS, "empty py39 into 15 bytes: rc %d", rc);
}

/* Many maximal items: sizes add up without overflow and stay exact. */
static void test_size_arithmetic(void) {
    static char big[PYSHM_ITEM_MAX];
    size_t n = 64;
    pyshm_value *items = calloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = pyshm_bytes(big, PYSHM_ITEM_MAX);
    size_t size = 0;
    int rc = pyshm_list_image_size(items, n, PYSHM_LAYOUT_PY39, &size);
    size_t alloc = 8 * (PYSHM_ITEM_MAX / 8 + 1);
    CHECK(rc == 0 && size == 8 + 8 * (n + 1) + n * alloc + 8 * n + n, "rc %d size %zu", rc,
          size);
    rc = pyshm_list_image_size(items, n, PYSHM_LAYOUT_PY38, &size);
    CHECK(rc == 0 && size == 8 + 8 * n + n * alloc + 8 * n + n, "rc %d size %zu", rc, size);
    free(items);
}

void suite_codec_limits(void) {
    static const struct test_def t[] = {
        {"item length limit is CPython's", test_item_max},
        {"str that is not UTF-8 is EENCODE", test_not_utf8},
        {"unknown type or layout is EINVAL", test_bad_type},
        {"empty list sizes, short buffers", test_empty_and_null},
        {"size arithmetic of large lists", test_size_arithmetic},
    };
    TESTS_ADD_SUITE("codec limits", t);
}
