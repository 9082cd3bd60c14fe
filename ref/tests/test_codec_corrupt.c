/*
 * test_codec_corrupt.c - malformed images: every header field, every format
 * and code fault, invalid UTF-8 and every truncation of valid images must
 * give PYSHM_ECORRUPT or PYSHM_EUNICODE with a message naming the field,
 * never a crash or a read outside the buffer (each image is copied into a
 * buffer of exactly its length, so the sanitizer build catches overruns).
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

/* A valid image (the documented example) to break, in host byte order. */
struct base {
    pyshm_layout layout;
    uint8_t *buf;
    size_t len;
    int64_t n;
    size_t data, fmts, codes;
    size_t off[8];
};

static struct base make_base(pyshm_layout layout) {
    pyshm_value items[7] = {pyshm_str("howdy"), pyshm_bytes("HoWdY", 5), pyshm_float(-273.154),
                            pyshm_int(100),     pyshm_none(),            pyshm_bool(true),
                            pyshm_int(42)};
    struct base b = {layout, NULL, 0, 7, 0, 0, 0, {0}};
    CHECK(pyshm_list_image_size(items, 7, layout, &b.len) == 0, "image_size");
    b.buf = calloc(1, b.len);
    CHECK(pyshm_list_encode(b.buf, b.len, items, 7, layout) == 0, "encode");
    b.data = 8 * (layout == PYSHM_LAYOUT_PY38 ? 8 : 9);
    for (int i = 0; i < 7; i++)
        b.off[i + 1] = b.off[i] + 8;
    b.fmts = b.data + b.off[7];
    b.codes = b.fmts + 56;
    CHECK(b.codes + 7 == b.len, "base layout");
    return b;
}

static void put64(uint8_t *p, int64_t v) {
    memcpy(p, &v, 8);
}

static const char *lname(pyshm_layout l) {
    return l == PYSHM_LAYOUT_PY38 ? "py38" : l == PYSHM_LAYOUT_PY39 ? "py39" : "auto";
}

static bool is_fault(int rc) {
    return rc == PYSHM_ECORRUPT || rc == PYSHM_EUNICODE;
}

/* Runs every read on a list; each must answer with 0 or a known code. */
static void exercise(pyshm_list *l, const char *what) {
    int64_t n = pyshm_list_len(l);
    char out[4096];
    size_t len;
    for (int64_t i = 0; i < n; i++) {
        pyshm_value v;
        int rc = pyshm_list_get(l, i, &v);
        CHECK(rc == 0 || is_fault(rc), "%s: get(%lld) rc %d", what, (long long)i, rc);
        char f[9];
        rc = pyshm_list_item_format(l, i, f);
        CHECK(rc == 0 || is_fault(rc), "%s: item_format rc %d", what, rc);
        uint8_t copy[64];
        rc = pyshm_list_get_copy(l, i, &v, copy, sizeof copy);
        CHECK(rc == 0 || is_fault(rc) || rc == PYSHM_ENOBUFS, "%s: get_copy rc %d", what, rc);
    }
    int rc = pyshm_list_format(l, out, sizeof out, &len);
    CHECK(rc == 0 || is_fault(rc) || rc == PYSHM_ENOBUFS, "%s: format rc %d", what, rc);
    rc = pyshm_list_repr(l, out, sizeof out, &len);
    CHECK(rc == 0 || is_fault(rc) || rc == PYSHM_ENOBUFS, "%s: repr rc %d", what, rc);
    pyshm_value probe = pyshm_int(42);
    int64_t c;
    rc = pyshm_list_count(l, &probe, &c);
    CHECK(rc == 0 || is_fault(rc), "%s: count rc %d", what, rc);
    rc = pyshm_list_index(l, &probe, &c);
    CHECK(rc == 0 || is_fault(rc) || rc == PYSHM_ENOTFOUND, "%s: index rc %d", what, rc);
}

static void ignore_line(const char *line, void *arg) {
    (void)line;
    (void)arg;
}

/*
 * The image in img[0..len) is malformed. bad_item < 0: its header is, and
 * wrap must refuse it; else wrap accepts it and get(bad_item) must fail.
 * The message must mention hint.
 */
static void expect_bad(const uint8_t *img, size_t len, pyshm_layout layout, int64_t bad_item,
                       const char *hint, const char *what) {
    uint8_t *buf = dup_exact(img, len);
    pyshm_list *l = NULL;
    char msg[256] = "";
    int rc = pyshm_list_wrap(buf, len, layout, &l, msg, sizeof msg);
    if (bad_item < 0) {
        CHECK(is_fault(rc) && msg[0] && mentions(msg, hint),
              "%s (%s): wrap rc %s, message <%s>, want one naming %s", what, lname(layout),
              pyshm_err_name(rc), msg, hint);
    } else if (CHECK(rc == 0, "%s (%s): wrap rc %s (%s)", what, lname(layout), pyshm_err_name(rc),
                     msg)) {
        pyshm_value v;
        rc = pyshm_list_get(l, bad_item, &v);
        const char *m = pyshm_list_errmsg(l);
        CHECK(is_fault(rc) && m[0] && mentions(m, hint),
              "%s (%s): get(%lld) rc %s, message <%s>, want one naming %s", what, lname(layout),
              (long long)bad_item, pyshm_err_name(rc), m, hint);
        uint8_t copy[64];
        rc = pyshm_list_get_copy(l, bad_item, &v, copy, sizeof copy);
        CHECK(is_fault(rc), "%s: get_copy rc %s", what, pyshm_err_name(rc));
        exercise(l, what);
    }
    if (l)
        pyshm_list_free(l);
    rc = pyshm_inspect(buf, len, layout, ignore_line, NULL);
    CHECK(is_fault(rc), "%s (%s): inspect rc %s", what, lname(layout), pyshm_err_name(rc));
    free(buf);
}

static void header_bad(struct base *b, size_t word, int64_t value, const char *hint,
                       const char *what, bool also_auto) {
    uint8_t *img = dup_exact(b->buf, b->len);
    put64(img + 8 * word, value);
    expect_bad(img, b->len, b->layout, -1, hint, what);
    if (also_auto)
        expect_bad(img, b->len, PYSHM_LAYOUT_AUTO, -1, hint, what);
    free(img);
}

static void test_header_n(void) {
    const pyshm_layout layouts[] = {PYSHM_LAYOUT_PY38, PYSHM_LAYOUT_PY39};
    for (int k = 0; k < 2; k++) {
        struct base b = make_base(layouts[k]);
        const int64_t bad[] = {-1, -7, INT64_MIN, INT64_MAX, INT64_MAX / 8, (int64_t)1 << 61,
                               (int64_t)b.len};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
            header_bad(&b, 0, bad[i], "N", "N out of range", true);
        /* Plausible counts: the words then taken for the header do not fit. */
        const int64_t more[] = {8, 9, 10};
        for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
            header_bad(&b, 0, more[i], "N|offsets|sizes", "N too large", true);
        free(b.buf);
    }
}

static void test_header_offsets(void) {
    struct base b = make_base(PYSHM_LAYOUT_PY39);
    /* offsets[0] != 0 (AUTO would take the image for py38: see below) */
    header_bad(&b, 1, 8, "offsets[0]", "offsets[0] = 8", false);
    header_bad(&b, 1, -8, "offsets[0]", "offsets[0] = -8", false);
    header_bad(&b, 1, 1, "offsets[0]", "offsets[0] = 1", false);
    /* decreasing */
    header_bad(&b, 4, 8, "offsets[3]", "offsets[3] < offsets[2]", true);
    header_bad(&b, 8, 0, "offsets", "offsets[7] = 0", true);
    header_bad(&b, 2, -8, "offsets[1]", "offsets[1] negative", true);
    /* beyond the end */
    header_bad(&b, 8, 64, "offsets[7]", "offsets[7] one word too far", true);
    header_bad(&b, 8, INT64_MAX, "offsets[7]", "offsets[7] huge", true);
    header_bad(&b, 5, INT64_MAX, "offsets[4]", "offsets[4] huge", true);
    header_bad(&b, 8, (int64_t)b.len, "offsets[7]", "offsets[7] = len", true);
    /* offsets[0] != 0 read with AUTO: a non-zero word 8 means py38, whose
     * sizes then do not fit. */
    uint8_t *img = dup_exact(b.buf, b.len);
    put64(img + 8, 8);
    expect_bad(img, b.len, PYSHM_LAYOUT_AUTO, -1, "sizes", "offsets[0] = 8 read as py38");
    free(img);
    free(b.buf);
}

static void test_header_sizes(void) {
    struct base b = make_base(PYSHM_LAYOUT_PY38);
    header_bad(&b, 1, -8, "sizes[0]", "sizes[0] negative", true);
    header_bad(&b, 2, -8, "sizes[1]", "sizes[1] negative", true);
    header_bad(&b, 7, INT64_MIN, "sizes[6]", "sizes[6] INT64_MIN", true);
    header_bad(&b, 3, INT64_MAX, "sizes[2]", "sizes[2] huge", true);
    header_bad(&b, 7, 16, "sizes[6]", "sizes[6] one word too many", true);
    header_bad(&b, 1, (int64_t)b.len, "sizes[0]", "sizes[0] = len", true);
    /* Sizes whose sum overflows int64 and size_t. */
    uint8_t *img = dup_exact(b.buf, b.len);
    put64(img + 16, INT64_MAX / 2 + 1);
    put64(img + 24, INT64_MAX / 2 + 1);
    put64(img + 32, INT64_MAX / 2 + 1);
    expect_bad(img, b.len, PYSHM_LAYOUT_PY38, -1, "sizes", "sizes overflowing");
    free(img);
    free(b.buf);
}

static void set_fmt(uint8_t *img, struct base *b, int item, const char *fmt, size_t n) {
    memset(img + b->fmts + 8 * item, 0, 8);
    memcpy(img + b->fmts + 8 * item, fmt, n);
}

static void test_formats(void) {
    static const struct {
        const char *fmt;
        size_t n;
        int item;
        const char *why;
    } bad[] = {
        {"", 0, 3, "empty"},
        {"i", 1, 3, "struct's i"},
        {"Q", 1, 3, "struct's Q"},
        {"f", 1, 2, "struct's f"},
        {"?", 1, 5, "bare ?"},
        {"x", 1, 4, "bare x"},
        {"<q", 2, 3, "byte order prefix"},
        {"@q", 2, 3, "native prefix"},
        {"1q", 2, 3, "counted q"},
        {"qq", 2, 3, "two q"},
        {"q ", 2, 3, "trailing space"},
        {" q", 2, 3, "leading space"},
        {"xxxxxx??", 8, 5, "two ?"},
        {"xxxxxxxx", 8, 5, "all x"},
        {"xxxxx?xx", 7, 4, "? elsewhere"},
        {"s", 1, 0, "s without a count"},
        {"08s", 3, 0, "leading zero"},
        {"0008s", 5, 0, "leading zeros"},
        {"+8s", 3, 0, "sign"},
        {"-8s", 3, 0, "negative count"},
        {" 8s", 3, 0, "space before count"},
        {"8 s", 3, 0, "space inside"},
        {"8S", 2, 0, "capital S"},
        {"8p", 2, 0, "pascal string"},
        {"1e1s", 4, 0, "exponent"},
        {"0x8s", 4, 0, "hex count"},
        {"8s\0x", 4, 0, "junk after a NUL"},
        {"q\0\0\0\0\0\0d", 8, 3, "junk after NULs"},
        {"10000000", 8, 0, "count without s"},
        {"16s", 3, 0, "larger than the slot"},
        {"9s", 2, 1, "larger than the slot by one"},
        {"9999999s", 8, 0, "largest count, larger than the slot"},
        {"\xff\xfe", 2, 3, "not UTF-8"},
        {"\xc3\xa9", 2, 3, "UTF-8 but not a format"},
    };
    const pyshm_layout layouts[] = {PYSHM_LAYOUT_PY38, PYSHM_LAYOUT_PY39};
    for (int k = 0; k < 2; k++) {
        struct base b = make_base(layouts[k]);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            uint8_t *img = dup_exact(b.buf, b.len);
            set_fmt(img, &b, bad[i].item, bad[i].fmt, bad[i].n);
            char what[96];
            snprintf(what, sizeof what, "format %d = %s", bad[i].item, bad[i].why);
            expect_bad(img, b.len, b.layout, bad[i].item, "format", what);
            free(img);
        }
        free(b.buf);
    }
}

/* A slot narrower than its fixed-width format (offsets may repeat). */
static void test_slot_too_small(void) {
    struct base b = make_base(PYSHM_LAYOUT_PY39);
    uint8_t *img = dup_exact(b.buf, b.len);
    put64(img + 8 * 4, 16); /* offsets[3] = offsets[2]: slot 2 ("d") has 0 bytes */
    expect_bad(img, b.len, b.layout, 2, "format", "d in a 0-byte slot");
    free(img);
    img = dup_exact(b.buf, b.len);
    put64(img + 8 * 4, 20); /* slot 2 has 4 bytes */
    expect_bad(img, b.len, b.layout, 2, "format", "d in a 4-byte slot");
    free(img);
    free(b.buf);
}

static void test_codes(void) {
    static const struct {
        int item;
        int8_t code;
        const char *why;
    } bad[] = {
        {3, 4, "code 4"},   {3, -1, "code -1"},          {3, 127, "code 127"},
        {3, -128, "code -128"}, {0, 0, "code 0 with 8s"}, {1, 0, "code 0 with bytes"},
        {3, 1, "code 1 with q"}, {2, 2, "code 2 with d"}, {5, 1, "code 1 with bool"},
        {4, 2, "code 2 with None's format"},
    };
    const pyshm_layout layouts[] = {PYSHM_LAYOUT_PY38, PYSHM_LAYOUT_PY39};
    for (int k = 0; k < 2; k++) {
        struct base b = make_base(layouts[k]);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            uint8_t *img = dup_exact(b.buf, b.len);
            memcpy(img + b.codes + bad[i].item, &bad[i].code, 1);
            expect_bad(img, b.len, b.layout, bad[i].item, "code", bad[i].why);
            free(img);
        }
        free(b.buf);
    }
}

static void test_utf8(void) {
    static const struct {
        const char *bytes;
        size_t n;
    } bad[] = {
        {"\xff", 1},         {"\x80", 1},         {"\xc0\x80", 2},     {"\xc1\xbf", 2},
        {"\xe0\x80\x80", 3}, {"\xed\xa0\x80", 3}, {"\xed\xbf\xbf", 3}, {"\xf0\x80\x80\x80", 4},
        {"\xf4\x90\x80\x80", 4}, {"\xf8\x88\x80\x80", 4}, {"ab\xe2\x82", 4}, {"\xc3", 1},
        {"\xe2\x28\xa1", 3}, {"abcdefg\xc3", 8},
    };
    const pyshm_layout layouts[] = {PYSHM_LAYOUT_PY38, PYSHM_LAYOUT_PY39};
    for (int k = 0; k < 2; k++) {
        struct base b = make_base(layouts[k]);
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            uint8_t *img = dup_exact(b.buf, b.len);
            memset(img + b.data, 0, 8);
            memcpy(img + b.data, bad[i].bytes, bad[i].n);
            char what[64];
            snprintf(what, sizeof what, "invalid UTF-8 #%zu", i);
            uint8_t *buf = dup_exact(img, b.len);
            pyshm_list *l = NULL;
            int rc = pyshm_list_wrap(buf, b.len, b.layout, &l, NULL, 0);
            if (CHECK(rc == 0, "%s: wrap rc %d", what, rc)) {
                pyshm_value v;
                rc = pyshm_list_get(l, 0, &v);
                CHECK(rc == PYSHM_EUNICODE && pyshm_list_errmsg(l)[0], "%s: get rc %s", what,
                      pyshm_err_name(rc));
                /* The same bytes as bytes read fine (code 2). */
                img[b.codes] = 2;
                memcpy(buf, img, b.len);
                rc = pyshm_list_get(l, 0, &v);
                CHECK(rc == 0 && v.type == PYSHM_BYTES, "%s as bytes: rc %d", what, rc);
                exercise(l, what);
            }
            pyshm_list_free(l);
            free(buf);
            free(img);
        }
        free(b.buf);
    }
}

/* Every proper prefix of a valid image is refused (the one exception: a
 * py39 empty list cut to 8..15 bytes is a valid py38 empty list). */
static void truncations(const struct golden_image *g, const char *name) {
    uint8_t *full = golden_native(g->bytes, g->len, g->layout);
    for (size_t len = 0; len < g->len; len++) {
        char what[96];
        snprintf(what, sizeof what, "%s cut to %zu of %zu bytes", name, len, g->len);
        const char *hint = len < 8 ? "N" : "";
        expect_bad(full, len, g->layout, -1, hint, what);
        uint8_t *buf = dup_exact(full, len);
        pyshm_list *l = NULL;
        char msg[256] = "";
        int rc = pyshm_list_wrap(buf, len, PYSHM_LAYOUT_AUTO, &l, msg, sizeof msg);
        if (g->nreads == 0 && len >= 8)
            CHECK(rc == 0 && l && pyshm_list_layout(l) == PYSHM_LAYOUT_PY38 &&
                      pyshm_list_len(l) == 0,
                  "%s as AUTO: rc %d", what, rc);
        else
            CHECK(is_fault(rc) && msg[0], "%s as AUTO: rc %s", what, pyshm_err_name(rc));
        if (l)
            exercise(l, what);
        pyshm_list_free(l);
        free(buf);
    }
    free(full);
}

static void test_truncated(void) {
    size_t done = 0;
    for (size_t i = 0; i < golden_ncases; i++) {
        const struct golden_case *c = &golden_cases[i];
        if (!c->encodes || c->img[1].len > 400)
            continue;
        for (int k = 0; k < 2; k++) {
            if (c->img[k].layout) {
                truncations(&c->img[k], c->name);
                done++;
            }
        }
    }
    CHECK(done > 20, "only %zu images truncated", done);
}

static void test_detection(void) {
    /* N == 0: py39 if the mapping has 16 bytes or more, else py38. */
    uint8_t zero[4096] = {0};
    for (size_t len = 8; len <= 32; len++) {
        uint8_t *buf = dup_exact(zero, len);
        pyshm_list *l = NULL;
        int rc = pyshm_list_wrap(buf, len, PYSHM_LAYOUT_AUTO, &l, NULL, 0);
        pyshm_layout want = len >= 16 ? PYSHM_LAYOUT_PY39 : PYSHM_LAYOUT_PY38;
        CHECK(rc == 0 && pyshm_list_layout(l) == want && pyshm_list_len(l) == 0,
              "N = 0 in %zu bytes: rc %d, layout %s", len, rc, l ? lname(pyshm_list_layout(l)) : "-");
        pyshm_list_free(l);
        free(buf);
    }
    /* N > 0: py39 if word 8 is 0. */
    const pyshm_layout layouts[] = {PYSHM_LAYOUT_PY38, PYSHM_LAYOUT_PY39};
    for (int k = 0; k < 2; k++) {
        struct base b = make_base(layouts[k]);
        pyshm_list *l = NULL;
        int rc = pyshm_list_wrap(b.buf, b.len, PYSHM_LAYOUT_AUTO, &l, NULL, 0);
        CHECK(rc == 0 && pyshm_list_layout(l) == layouts[k], "doc example %s detected",
              lname(layouts[k]));
        pyshm_list_free(l);
        /* Read as the other layout, each is malformed. */
        pyshm_layout other = k ? PYSHM_LAYOUT_PY38 : PYSHM_LAYOUT_PY39;
        expect_bad(b.buf, b.len, other, -1, k ? "sizes" : "offsets[0]", "read as the other layout");
        free(b.buf);
    }
}

static void test_bad_layout(void) {
    struct base b = make_base(PYSHM_LAYOUT_PY39);
    pyshm_list *l = NULL;
    int rc = pyshm_list_wrap(b.buf, b.len, (pyshm_layout)37, &l, NULL, 0);
    CHECK(rc == PYSHM_EINVAL && l == NULL, "layout 37: rc %d", rc);
    free(b.buf);
}

void suite_codec_corrupt(void) {
    static const struct test_def t[] = {
        {"header: N", test_header_n},
        {"header: py39 offsets", test_header_offsets},
        {"header: py38 sizes", test_header_sizes},
        {"formats", test_formats},
        {"slot narrower than its format", test_slot_too_small},
        {"codes", test_codes},
        {"invalid UTF-8 in str", test_utf8},
        {"every truncation of valid images", test_truncated},
        {"layout detection", test_detection},
        {"unknown layout", test_bad_layout},
    };
    TESTS_ADD_SUITE("codec: malformed images", t);
}
