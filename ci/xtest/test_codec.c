/*
 * The codec against CPython's own images (ref/tests/golden.h), both layouts:
 * size and encode reproduce the image byte for byte, reads give CPython's
 * values or its exception, count/index/format/repr agree, and each set
 * leaves exactly CPython's image. On a big-endian machine every image is
 * first turned into the one CPython would have written there (native.c).
 */
#include "xtest.h"
#include "golden_types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pyshm_value val(const struct golden_val *g) {
    pyshm_value v = pyshm_none();
    v.type = g->type;
    switch (g->type) {
    case PYSHM_INT: v.u.i = g->i; break;
    case PYSHM_BOOL: v.u.b = g->i != 0; break;
    /* Bits copied through memory, never through a floating-point register,
     * which on x87 would quiet a signalling NaN. */
    case PYSHM_FLOAT: memcpy(&v.u.f, &g->bits, 8); break;
    case PYSHM_STR:
    case PYSHM_BYTES: v.u.s.ptr = g->s; v.u.s.len = g->len; break;
    default: break;
    }
    return v;
}

/* Identity, not Python's ==: type, and every bit of a float. */
static bool same(const pyshm_value *got, const struct golden_val *want) {
    pyshm_value w = val(want);
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

/* An error code stands for the exception CPython raised. */
static void check_exc(int rc, const char *exc) {
    XT_CHECK(rc != 0);
    XT_CHECK(rc == 0 || strcmp(pyshm_err_pyexc(rc), exc) == 0);
    if (rc != 0 && strcmp(pyshm_err_pyexc(rc), exc) != 0)
        printf("     got %s (%s), CPython raised %s\n", pyshm_err_name(rc),
               pyshm_err_pyexc(rc), exc);
}

static void check_bytes(const unsigned char *got, const unsigned char *want, size_t len) {
    size_t k = 0;
    while (k < len && got[k] == want[k])
        k++;
    XT_CHECK(k == len);
    if (k < len)
        printf("     first difference at byte %zu: %02x, want %02x\n", k, got[k], want[k]);
}

static void check_encode(const struct golden_case *c, const struct golden_image *img,
                         const unsigned char *want) {
    pyshm_value *items = malloc((c->nitems ? c->nitems : 1) * sizeof *items);
    unsigned char *buf = malloc(img->len ? img->len : 1);
    XT_CHECK(items != NULL && buf != NULL);
    if (items != NULL && buf != NULL) {
        for (size_t i = 0; i < c->nitems; i++)
            items[i] = val(&c->items[i]);
        size_t size = 0;
        memset(buf, 0xa5, img->len); /* encode must write every byte */
        XT_RC(pyshm_list_image_size(items, c->nitems, img->layout, &size), 0);
        XT_CHECK(size == img->len);
        if (size == img->len) {
            XT_RC(pyshm_list_encode(buf, img->len, items, c->nitems, img->layout), 0);
            check_bytes(buf, want, img->len);
            XT_RC(pyshm_list_encode(buf, img->len - 1, items, c->nitems, img->layout),
                  PYSHM_ENOBUFS);
        }
    }
    free(items);
    free(buf);
}

static void check_probes(pyshm_list *l, const struct golden_image *img) {
    for (size_t i = 0; i < img->nprobes; i++) {
        const struct golden_probe *p = &img->probes[i];
        pyshm_value v = val(&p->val);
        int64_t count = -1, index = -1;
        int rc = pyshm_list_count(l, &v, &count);
        if (p->count_exc == NULL) {
            XT_RC(rc, 0);
            XT_CHECK(count == p->count);
        } else {
            check_exc(rc, p->count_exc);
        }
        rc = pyshm_list_index(l, &v, &index);
        if (p->index_exc == NULL) {
            XT_RC(rc, 0);
            XT_CHECK(index == p->index);
        } else {
            check_exc(rc, p->index_exc);
        }
    }
}

static void check_reads(const struct golden_image *img, unsigned char *native,
                        pyshm_layout mode) {
    pyshm_list *l = NULL;
    char err[200] = "";
    XT_RC(pyshm_list_wrap(native, img->len, mode, &l, err, sizeof err), 0);
    if (l == NULL) {
        printf("     wrap: %s\n", err);
        return;
    }
    XT_CHECK(pyshm_list_layout(l) == img->layout);
    XT_CHECK(pyshm_list_len(l) == (int64_t)img->nreads);
    XT_CHECK(pyshm_list_image_bytes(l) == img->len);
    for (size_t i = 0; i < img->nreads; i++) {
        pyshm_value v;
        int rc = pyshm_list_get(l, (int64_t)i, &v);
        if (img->reads[i].exc == NULL) {
            XT_RC(rc, 0);
            XT_CHECK(rc != 0 || same(&v, &img->reads[i].val));
        } else {
            check_exc(rc, img->reads[i].exc);
        }
    }
    char buf[4096];
    size_t len = 0;
    if (mode != PYSHM_LAYOUT_AUTO) { /* once per image is enough */
        int rc = pyshm_list_format(l, buf, sizeof buf, &len);
        XT_RC(rc, 0);
        XT_CHECK(rc != 0 || strcmp(buf, img->format) == 0);
        rc = pyshm_list_repr(l, buf, sizeof buf, &len);
        if (img->list_repr != NULL) {
            XT_RC(rc, 0);
            XT_CHECK(rc != 0 || strcmp(buf, img->list_repr) == 0);
        } else {
            check_exc(rc, img->list_exc);
        }
        check_probes(l, img);
    }
    pyshm_list_free(l);
}

static void check_case(const struct golden_case *c) {
    for (int k = 0; k < 2; k++) {
        const struct golden_image *img = &c->img[k];
        if (img->layout == 0)
            continue; /* no interpreter made this layout */
        snprintf(xt_context, sizeof xt_context, "%s/py%d", c->name, (int)img->layout);
        unsigned char *native = xt_native(img->bytes, img->len, img->layout);
        XT_CHECK(native != NULL);
        if (native == NULL)
            continue;
        if (c->encodes)
            check_encode(c, img, native);
        check_reads(img, native, img->layout);
        check_reads(img, native, PYSHM_LAYOUT_AUTO);
        free(native);
    }
}

static void check_set_case(const struct golden_set_case *c) {
    snprintf(xt_context, sizeof xt_context, "%s", c->name);
    unsigned char *buf = xt_native(c->image, c->len, c->layout);
    pyshm_list *l = NULL;
    XT_CHECK(buf != NULL);
    if (buf == NULL)
        return;
    XT_RC(pyshm_list_wrap(buf, c->len, c->layout, &l, NULL, 0), 0);
    for (size_t i = 0; l != NULL && i < c->nsteps; i++) {
        const struct golden_step *s = &c->steps[i];
        pyshm_value v = val(&s->val);
        int64_t n = (int64_t)c->nitems;
        if (s->index < -n || s->index >= n) {
            /* IndexError and the image untouched, whatever CPython did: for
             * an index below -N its __setitem__ wraps twice and writes over
             * the formats (not copied: DESIGN, "out of range is IndexError"). */
            unsigned char *before = malloc(c->len);
            if (before != NULL)
                memcpy(before, buf, c->len);
            XT_RC(pyshm_list_set(l, s->index, &v), PYSHM_EINDEX);
            if (before != NULL)
                check_bytes(buf, before, c->len);
            free(before);
            if (s->exc == NULL)
                break; /* later CPython images build on its corruption */
            continue;
        }
        int rc = pyshm_list_set(l, s->index, &v);
        if (s->exc == NULL)
            XT_RC(rc, 0);
        else
            check_exc(rc, s->exc);
        unsigned char *after = xt_native(s->after, s->len, c->layout);
        XT_CHECK(after != NULL && s->len == c->len);
        if (after != NULL && s->len == c->len)
            check_bytes(buf, after, c->len);
        free(after);
    }
    pyshm_list_free(l);
    free(buf);
}

void xt_codec_tests(void) {
    for (size_t i = 0; i < golden_ncases; i++)
        check_case(&golden_cases[i]);
    for (size_t i = 0; i < golden_nset_cases; i++)
        check_set_case(&golden_set_cases[i]);
    xt_context[0] = '\0';
}

/* Python's repr and == of single values. */
void xt_value_tests(void) {
    char buf[1024];
    for (size_t i = 0; i < golden_nreprs; i++) {
        pyshm_value v = val(&golden_reprs[i].val);
        size_t n = pyshm_value_repr(&v, buf, sizeof buf);
        snprintf(xt_context, sizeof xt_context, "repr #%zu", i);
        XT_CHECK(n == strlen(golden_reprs[i].repr) && strcmp(buf, golden_reprs[i].repr) == 0);
    }
    for (size_t i = 0; i < golden_neq_pool; i++) {
        pyshm_value a = val(&golden_eq_pool[i]);
        for (size_t j = 0; j < golden_neq_pool; j++) {
            pyshm_value b = val(&golden_eq_pool[j]);
            snprintf(xt_context, sizeof xt_context, "eq %zu,%zu", i, j);
            XT_CHECK(pyshm_value_eq(&a, &b) == (golden_eq_matrix[i * golden_neq_pool + j] == '1'));
        }
    }
    xt_context[0] = '\0';
}

/* Signalling NaNs keep every bit through encode, get and set. No golden
 * holds one (CPython itself may quiet them on x87), and on 32-bit x86 a
 * double that passes through the FPU stack comes out quieted. */
void xt_snan_tests(void) {
    static const uint64_t bits[] = {UINT64_C(0x7ff0000000000001), UINT64_C(0x7ff4000000000000),
                                    UINT64_C(0xfff0000000000001), UINT64_C(0x7ff8000000000001)};
    for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++) {
        snprintf(xt_context, sizeof xt_context, "NaN 0x%016llx", (unsigned long long)bits[k]);
        pyshm_value v = {PYSHM_FLOAT, {0}}, got;
        memcpy(&v.u.f, &bits[k], 8);
        unsigned char buf[41]; /* py39, one 8-byte item */
        size_t size = 0;
        XT_RC(pyshm_list_image_size(&v, 1, PYSHM_LAYOUT_PY39, &size), 0);
        XT_CHECK(size == sizeof buf);
        XT_RC(pyshm_list_encode(buf, sizeof buf, &v, 1, PYSHM_LAYOUT_PY39), 0);
        XT_CHECK(memcmp(buf + 24, &bits[k], 8) == 0);
        pyshm_list *l = NULL;
        XT_RC(pyshm_list_wrap(buf, sizeof buf, PYSHM_LAYOUT_PY39, &l, NULL, 0), 0);
        if (l == NULL)
            continue;
        XT_RC(pyshm_list_get(l, 0, &got), 0);
        XT_CHECK(got.type == PYSHM_FLOAT && memcmp(&got.u.f, &bits[k], 8) == 0);
        pyshm_value zero = pyshm_int(0);
        XT_RC(pyshm_list_set(l, 0, &zero), 0);
        XT_RC(pyshm_list_set(l, 0, &v), 0);
        XT_CHECK(memcmp(buf + 24, &bits[k], 8) == 0);
        char copy[8];
        XT_RC(pyshm_list_get_copy(l, 0, &got, copy, sizeof copy), 0);
        XT_CHECK(got.type == PYSHM_FLOAT && memcmp(&got.u.f, &bits[k], 8) == 0);
        pyshm_list_free(l);
    }
    xt_context[0] = '\0';
}
