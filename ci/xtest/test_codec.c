/*
 * Codec round trips against CPython's images, both layouts: the size,
 * encode and set must reproduce the image byte for byte, and reading the
 * image must give back what CPython read. The images are little-endian; on
 * a big-endian target the expected bytes are derived by swapping exactly
 * the native int64/double fields (header words and "q"/"d" slots), which
 * is what CPython itself would have written there.
 */
#include "xtest.h"
#include "golden_cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool big_endian(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 0;
}

static uint64_t le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void swap8(unsigned char *p) {
    for (int i = 0; i < 4; i++) {
        unsigned char t = p[i];
        p[i] = p[7 - i];
        p[7 - i] = t;
    }
}

static bool is_fmt(const unsigned char *f, char c) {
    if (f[0] != (unsigned char)c)
        return false;
    for (int i = 1; i < 8; i++)
        if (f[i] != 0)
            return false;
    return true;
}

/* The golden image in this machine's byte order (a malloc'd copy). The
 * tables are trusted, so the walk does not re-validate them. */
static unsigned char *native_image(const xt_golden *g) {
    unsigned char *img = malloc(g->len ? g->len : 1);
    if (img == NULL)
        return NULL;
    memcpy(img, g->image, g->len);
    if (!big_endian())
        return img;
    size_t n = (size_t)le64(img);
    size_t words = g->layout == 39 ? n + 2 : n + 1;
    size_t data = 8 * words;
    size_t *off = malloc((n + 1) * sizeof *off);
    if (off == NULL) {
        free(img);
        return NULL;
    }
    off[0] = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t w = le64(img + 8 * (i + 1 + (g->layout == 39)));
        off[i + 1] = g->layout == 39 ? (size_t)w : off[i] + (size_t)w;
    }
    const unsigned char *fmts = img + data + off[n];
    for (size_t i = 0; i < n; i++)
        if (is_fmt(fmts + 8 * i, 'q') || is_fmt(fmts + 8 * i, 'd'))
            swap8(img + data + off[i]);
    for (size_t w = 0; w < words; w++)
        swap8(img + 8 * w);
    free(off);
    return img;
}

pyshm_value xt_value(const xt_item *it) {
    pyshm_value v = pyshm_none();
    switch (it->t) {
    case 'i': v = pyshm_int(it->i); break;
    case 'b': v = pyshm_bool(it->i != 0); break;
    case 'f': v.type = PYSHM_FLOAT; memcpy(&v.u.f, &it->bits, 8); break;
    case 's': v = pyshm_strn(it->s, it->len); break;
    case 'y': v = pyshm_bytes(it->s, it->len); break;
    default: break;
    }
    return v;
}

/* Exact equality: type, and every bit of a float (Python's == is not
 * enough: NaN != NaN, and -0.0 == 0.0). */
static bool same_value(const pyshm_value *got, const xt_item *want) {
    pyshm_value w = xt_value(want);
    if (got->type != w.type)
        return false;
    switch (w.type) {
    case PYSHM_NONE: return true;
    case PYSHM_INT: return got->u.i == w.u.i;
    case PYSHM_BOOL: return got->u.b == w.u.b;
    case PYSHM_FLOAT: return memcmp(&got->u.f, &w.u.f, 8) == 0;
    default:
        return got->u.s.len == w.u.s.len &&
               (w.u.s.len == 0 || memcmp(got->u.s.ptr, w.u.s.ptr, w.u.s.len) == 0);
    }
}

static pyshm_value *values(const xt_item *items, size_t n) {
    pyshm_value *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; v != NULL && i < n; i++)
        v[i] = xt_value(&items[i]);
    return v;
}

static void report_diff(const xt_golden *g, const unsigned char *got,
                        const unsigned char *want) {
    for (size_t k = 0; k < g->len; k++)
        if (got[k] != want[k]) {
            printf("     %s/py%d: first difference at byte %zu: %02x, want %02x\n",
                   g->label, g->layout, k, got[k], want[k]);
            return;
        }
}

/* Reading CPython's image gives CPython's values, in either layout mode. */
static void check_read(const xt_golden *g, unsigned char *img, pyshm_layout mode) {
    pyshm_list *l = NULL;
    char err[200] = "";
    XT_RC(pyshm_list_wrap(img, g->len, mode, &l, err, sizeof err), 0);
    if (l == NULL) {
        printf("     %s/py%d: %s\n", g->label, g->layout, err);
        return;
    }
    XT_CHECK(pyshm_list_layout(l) == (pyshm_layout)g->layout);
    XT_CHECK(pyshm_list_len(l) == (int64_t)g->n);
    XT_CHECK(pyshm_list_image_bytes(l) == g->len);
    for (size_t i = 0; i < g->n; i++) {
        pyshm_value v;
        XT_RC(pyshm_list_get(l, (int64_t)i, &v), 0);
        bool ok = same_value(&v, &g->final[i]);
        XT_CHECK(ok);
        if (!ok)
            printf("     %s/py%d: item %zu differs\n", g->label, g->layout, i);
    }
    XT_RC(pyshm_list_get(l, (int64_t)g->n, &(pyshm_value){0}), PYSHM_EINDEX);
    pyshm_list_free(l);
}

static void check_case(const xt_golden *g) {
    unsigned char *want = native_image(g);
    pyshm_value *init = values(g->init, g->n);
    unsigned char *buf = calloc(g->len ? g->len : 1, 1);
    XT_CHECK(want != NULL && init != NULL && buf != NULL);
    if (want == NULL || init == NULL || buf == NULL)
        goto out;

    size_t size = 0;
    XT_RC(pyshm_list_image_size(init, g->n, (pyshm_layout)g->layout, &size), 0);
    XT_CHECK(size == g->len);
    if (size != g->len)
        goto out;
    XT_RC(pyshm_list_encode(buf, g->len, init, g->n, (pyshm_layout)g->layout), 0);
    if (g->nops != 0) {
        pyshm_list *l = NULL;
        XT_RC(pyshm_list_wrap(buf, g->len, (pyshm_layout)g->layout, &l, NULL, 0), 0);
        for (size_t k = 0; l != NULL && k < g->nops; k++) {
            pyshm_value v = xt_value(&g->ops[k].value);
            XT_RC(pyshm_list_set(l, g->ops[k].index, &v), 0);
        }
        pyshm_list_free(l);
    }
    bool same = memcmp(buf, want, g->len) == 0;
    XT_CHECK(same);
    if (!same)
        report_diff(g, buf, want);
    if (g->len > 0)
        XT_RC(pyshm_list_encode(buf, g->len - 1, init, g->n, (pyshm_layout)g->layout),
              PYSHM_ENOBUFS);

    check_read(g, want, (pyshm_layout)g->layout);
    check_read(g, want, PYSHM_LAYOUT_AUTO);
out:
    free(want);
    free(init);
    free(buf);
}

void xt_codec_tests(void) {
    for (size_t i = 0; i < sizeof xt_golden_cases / sizeof xt_golden_cases[0]; i++)
        check_case(&xt_golden_cases[i]);
}
