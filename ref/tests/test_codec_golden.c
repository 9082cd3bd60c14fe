/*
 * test_codec_golden.c - the codec against images and reads made by CPython
 * (golden.h): size, encode, wrap and layout detection, get, get_copy,
 * format, repr, count, index, slots and inspect, for both layouts.
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define FOR_EACH_IMAGE(c, g)                                                           \
    for (size_t ci_ = 0; ci_ < golden_ncases; ci_++)                                   \
        for (int li_ = 0; li_ < 2; li_++)                                              \
            for (const struct golden_case *c = &golden_cases[ci_]; c; c = NULL)        \
                for (const struct golden_image *g = &c->img[li_]; g && g->layout; g = NULL)

static const char *lname(pyshm_layout l) {
    return l == PYSHM_LAYOUT_PY38 ? "py38" : l == PYSHM_LAYOUT_PY39 ? "py39" : "auto";
}

static void test_have_both_layouts(void) {
    CHECK(golden_have_py38, "golden.h was generated without CPython 3.8: py38 untested");
    CHECK(golden_ncases > 0 && golden_nset_cases > 0, "golden.h is empty");
}

static void test_image_size(void) {
    FOR_EACH_IMAGE(c, g) {
        if (!c->encodes)
            continue;
        pyshm_value *items = golden_values(c->items, c->nitems);
        size_t size = 0;
        int rc = pyshm_list_image_size(items, c->nitems, g->layout, &size);
        CHECK(rc == 0 && size == g->len, "%s/%s: image_size rc %d size %zu, CPython %zu",
              c->name, lname(g->layout), rc, size, g->len);
        free(items);
    }
}

static void test_encode(void) {
    FOR_EACH_IMAGE(c, g) {
        if (!c->encodes)
            continue;
        pyshm_value *items = golden_values(c->items, c->nitems);
        uint8_t *want = golden_native(g->bytes, g->len, g->layout);
        uint8_t *buf = dup_exact(g->bytes, g->len);
        memset(buf, 0xa5, g->len);
        int rc = pyshm_list_encode(buf, g->len, items, c->nitems, g->layout);
        CHECK(rc == 0 && memcmp(buf, want, g->len) == 0, "%s/%s: encode rc %d, %s", c->name,
              lname(g->layout), rc, rc ? "" : first_diff(buf, want, g->len));
        /* PYSHM_LAYOUT_AUTO creates py39. */
        if (g->layout == PYSHM_LAYOUT_PY39) {
            memset(buf, 0x5a, g->len);
            rc = pyshm_list_encode(buf, g->len, items, c->nitems, PYSHM_LAYOUT_AUTO);
            CHECK(rc == 0 && memcmp(buf, want, g->len) == 0, "%s/auto: encode rc %d", c->name,
                  rc);
        }
        free(buf);
        if (g->len > 0) {
            buf = dup_exact(g->bytes, g->len - 1);
            rc = pyshm_list_encode(buf, g->len - 1, items, c->nitems, g->layout);
            CHECK(rc == PYSHM_ENOBUFS, "%s/%s: encode into len-1: rc %d", c->name,
                  lname(g->layout), rc);
            free(buf);
        }
        free(want);
        free(items);
    }
}

static void check_reads(const struct golden_case *c, const struct golden_image *g,
                        pyshm_list *l) {
    int64_t n = pyshm_list_len(l);
    CHECK((size_t)n == g->nreads, "%s/%s: len %lld, CPython %zu", c->name, lname(g->layout),
          (long long)n, g->nreads);
    for (size_t i = 0; i < g->nreads && (size_t)n == g->nreads; i++) {
        const struct golden_read *r = &g->reads[i];
        for (int neg = 0; neg < 2; neg++) {
            int64_t index = neg ? (int64_t)i - n : (int64_t)i;
            pyshm_value v;
            int rc = pyshm_list_get(l, index, &v);
            if (r->exc) {
                CHECK(str_eq(rc_exc(rc), r->exc), "%s/%s[%lld]: rc %s, CPython %s", c->name,
                      lname(g->layout), (long long)index, pyshm_err_name(rc), r->exc);
                CHECK(rc == 0 || pyshm_list_errmsg(l)[0], "%s[%lld]: empty errmsg", c->name,
                      (long long)index);
                continue;
            }
            if (!CHECK(rc == 0, "%s/%s[%lld]: rc %s, CPython %s", c->name, lname(g->layout),
                       (long long)index, pyshm_err_name(rc), r->repr))
                continue;
            char rep[1024];
            pyshm_value_repr(&v, rep, sizeof rep);
            CHECK(golden_value_same(&v, &r->val) && strcmp(rep, r->repr) == 0,
                  "%s/%s[%lld]: got %s, CPython %s", c->name, lname(g->layout),
                  (long long)index, rep, r->repr);
            size_t slot = 0;
            CHECK(pyshm_list_slot(l, index, &slot) == 0, "slot");
            uint8_t *copy = malloc(slot ? slot : 1);
            pyshm_value vc;
            rc = pyshm_list_get_copy(l, index, &vc, copy, slot);
            CHECK(rc == 0 && golden_value_same(&vc, &r->val), "%s/%s[%lld]: get_copy rc %d",
                  c->name, lname(g->layout), (long long)index, rc);
            if (slot > 0 && (v.type == PYSHM_STR || v.type == PYSHM_BYTES)) {
                rc = pyshm_list_get_copy(l, index, &vc, copy, slot - 1);
                CHECK(rc == PYSHM_ENOBUFS, "%s[%lld]: get_copy into slot-1: rc %d", c->name,
                      (long long)index, rc);
            }
            free(copy);
        }
    }
    pyshm_value v;
    CHECK(pyshm_list_get(l, n, &v) == PYSHM_EINDEX, "%s: get(len)", c->name);
    CHECK(pyshm_list_get(l, -n - 1, &v) == PYSHM_EINDEX, "%s: get(-len-1)", c->name);
    CHECK(pyshm_list_get(l, INT64_MIN, &v) == PYSHM_EINDEX, "%s: get(INT64_MIN)", c->name);
    CHECK(pyshm_list_get(l, INT64_MAX, &v) == PYSHM_EINDEX, "%s: get(INT64_MAX)", c->name);
}

static void check_format_repr(const struct golden_case *c, const struct golden_image *g,
                              pyshm_list *l) {
    char buf[8192];
    size_t len = 0;
    int rc = pyshm_list_format(l, buf, sizeof buf, &len);
    CHECK(rc == 0 && len == strlen(g->format) && strcmp(buf, g->format) == 0,
          "%s/%s: format rc %d <%s>, CPython <%s>", c->name, lname(g->layout), rc, buf,
          g->format);
    char joined[8192] = "";
    for (size_t i = 0; i < g->nreads; i++) {
        char f[9];
        rc = pyshm_list_item_format(l, (int64_t)i, f);
        CHECK(rc == 0, "%s: item_format(%zu) rc %d", c->name, i, rc);
        if (rc == 0)
            strcat(joined, f);
    }
    CHECK(strcmp(joined, g->format) == 0, "%s: item formats <%s>, CPython <%s>", c->name, joined,
          g->format);
    if (len > 0) {
        rc = pyshm_list_format(l, buf, len, &len);
        CHECK(rc == PYSHM_ENOBUFS && len == strlen(g->format), "%s: format into short buf",
              c->name);
    }

    rc = pyshm_list_repr(l, buf, sizeof buf, &len);
    if (g->list_exc) {
        CHECK(str_eq(rc_exc(rc), g->list_exc), "%s/%s: repr rc %s, CPython %s", c->name,
              lname(g->layout), pyshm_err_name(rc), g->list_exc);
    } else {
        CHECK(rc == 0 && len == strlen(g->list_repr) && strcmp(buf, g->list_repr) == 0,
              "%s/%s: repr rc %d <%s>, CPython <%s>", c->name, lname(g->layout), rc, buf,
              g->list_repr);
        if (rc == 0 && len > 0) {
            size_t len2 = 0;
            rc = pyshm_list_repr(l, buf, len, &len2);
            CHECK(rc == PYSHM_ENOBUFS && len2 == len, "%s: repr into short buf", c->name);
        }
    }
}

static void check_probes(const struct golden_case *c, const struct golden_image *g,
                         pyshm_list *l) {
    for (size_t i = 0; i < g->nprobes; i++) {
        const struct golden_probe *p = &g->probes[i];
        pyshm_value v = golden_value(&p->val);
        char rep[256];
        pyshm_value_repr(&v, rep, sizeof rep);
        int64_t count = -1, index = -1;
        int rc = pyshm_list_count(l, &v, &count);
        if (p->count_exc)
            CHECK(str_eq(rc_exc(rc), p->count_exc), "%s/%s: count(%s) rc %s, CPython %s",
                  c->name, lname(g->layout), rep, pyshm_err_name(rc), p->count_exc);
        else
            CHECK(rc == 0 && count == p->count, "%s/%s: count(%s) rc %d = %lld, CPython %lld",
                  c->name, lname(g->layout), rep, rc, (long long)count, (long long)p->count);
        rc = pyshm_list_index(l, &v, &index);
        if (p->index_exc) {
            CHECK(str_eq(rc_exc(rc), p->index_exc), "%s/%s: index(%s) rc %s, CPython %s",
                  c->name, lname(g->layout), rep, pyshm_err_name(rc), p->index_exc);
            if (str_eq(p->index_exc, "ValueError") && !g->list_exc)
                CHECK(rc == PYSHM_ENOTFOUND, "%s: index(%s) rc %d", c->name, rep, rc);
        } else {
            CHECK(rc == 0 && index == p->index, "%s/%s: index(%s) rc %d = %lld, CPython %lld",
                  c->name, lname(g->layout), rep, rc, (long long)index, (long long)p->index);
        }
    }
}

static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void check_slots(const struct golden_case *c, const struct golden_image *g,
                        pyshm_list *l) {
    CHECK(pyshm_list_image_bytes(l) == g->len, "%s/%s: image_bytes %zu, want %zu", c->name,
          lname(g->layout), pyshm_list_image_bytes(l), g->len);
    for (size_t i = 0; i < g->nreads; i++) {
        uint64_t want = g->layout == PYSHM_LAYOUT_PY38
                            ? le64(g->bytes + 8 + 8 * i)
                            : le64(g->bytes + 16 + 8 * i) - le64(g->bytes + 8 + 8 * i);
        size_t got = 0;
        int rc = pyshm_list_slot(l, (int64_t)i, &got);
        CHECK(rc == 0 && got == want, "%s/%s: slot %zu = %zu, want %llu", c->name,
              lname(g->layout), i, got, (unsigned long long)want);
    }
}

static void count_line(const char *line, void *arg) {
    if (line && line[0])
        ++*(size_t *)arg;
}

static void test_wrap_read(void) {
    FOR_EACH_IMAGE(c, g) {
        for (int auto_ = 0; auto_ < 2; auto_++) {
            uint8_t *buf = golden_native(g->bytes, g->len, g->layout);
            pyshm_list *l = NULL;
            char msg[256] = "";
            pyshm_layout asked = auto_ ? PYSHM_LAYOUT_AUTO : g->layout;
            int rc = pyshm_list_wrap(buf, g->len, asked, &l, msg, sizeof msg);
            if (CHECK(rc == 0 && l, "%s/%s wrapped as %s: rc %d (%s)", c->name,
                      lname(g->layout), lname(asked), rc, msg)) {
                CHECK(pyshm_list_layout(l) == g->layout, "%s: detected %s, image is %s",
                      c->name, lname(pyshm_list_layout(l)), lname(g->layout));
                CHECK(pyshm_list_shm(l) == NULL, "a wrapped list has no block");
                check_reads(c, g, l);
                check_format_repr(c, g, l);
                check_probes(c, g, l);
                check_slots(c, g, l);
            }
            pyshm_list_free(l);
            free(buf);
        }
    }
}

static void test_reads_leave_image(void) {
    FOR_EACH_IMAGE(c, g) {
        uint8_t *want = golden_native(g->bytes, g->len, g->layout);
        uint8_t *buf = dup_exact(want, g->len);
        pyshm_list *l = NULL;
        if (pyshm_list_wrap(buf, g->len, PYSHM_LAYOUT_AUTO, &l, NULL, 0) == 0) {
            char out[8192];
            size_t len;
            pyshm_list_repr(l, out, sizeof out, &len);
            pyshm_list_format(l, out, sizeof out, &len);
            CHECK(memcmp(buf, want, g->len) == 0, "%s: reading changed the image", c->name);
        }
        pyshm_list_free(l);
        free(buf);
        free(want);
    }
}

static void test_inspect(void) {
    FOR_EACH_IMAGE(c, g) {
        uint8_t *buf = golden_native(g->bytes, g->len, g->layout);
        bool readable = true;
        for (size_t i = 0; i < g->nreads; i++)
            readable = readable && !g->reads[i].exc;
        size_t lines = 0;
        int rc = pyshm_inspect(buf, g->len, PYSHM_LAYOUT_AUTO, count_line, &lines);
        if (readable)
            CHECK(rc == 0 && lines > g->nreads, "%s/%s: inspect rc %d, %zu lines", c->name,
                  lname(g->layout), rc, lines);
        else
            CHECK((rc == PYSHM_EUNICODE || rc == PYSHM_ECORRUPT) && lines > 0,
                  "%s/%s: inspect rc %d, %zu lines", c->name, lname(g->layout), rc, lines);
        free(buf);
    }
}

/* Encoding into a larger buffer and wrapping it whole still finds the image. */
static void test_larger_mapping(void) {
    FOR_EACH_IMAGE(c, g) {
        if (!c->encodes)
            continue;
        size_t big = g->len + 4096;
        uint8_t *buf = calloc(1, big);
        pyshm_value *items = golden_values(c->items, c->nitems);
        int rc = pyshm_list_encode(buf, big, items, c->nitems, g->layout);
        CHECK(rc == 0, "%s: encode into a larger buffer: rc %d", c->name, rc);
        pyshm_list *l = NULL;
        rc = pyshm_list_wrap(buf, big, g->layout, &l, NULL, 0);
        if (CHECK(rc == 0, "%s/%s: wrap larger: rc %d", c->name, lname(g->layout), rc)) {
            check_reads(c, g, l);
            CHECK(pyshm_list_image_bytes(l) == g->len, "%s: image_bytes in a larger mapping",
                  c->name);
        }
        pyshm_list_free(l);
        free(items);
        free(buf);
    }
}

void suite_codec_golden(void) {
    static const struct test_def t[] = {
        {"golden.h covers both layouts", test_have_both_layouts},
        {"image_size equals CPython's", test_image_size},
        {"encode is byte-identical to CPython", test_encode},
        {"wrap, detect, get, format, repr, count, index, slots", test_wrap_read},
        {"reads leave the image unchanged", test_reads_leave_image},
        {"inspect", test_inspect},
        {"images in larger mappings", test_larger_mapping},
    };
    TESTS_ADD_SUITE("codec vs CPython images", t);
}
