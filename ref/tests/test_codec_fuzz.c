/*
 * test_codec_fuzz.c - seeded random images, and valid images with random
 * bytes changed, through every read: no crash, no read outside the buffer
 * (sanitizer build), only documented return codes. Deterministic.
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void) {
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static bool known(int rc) {
    return rc == 0 || rc == PYSHM_ECORRUPT || rc == PYSHM_EUNICODE;
}

static void ignore_line(const char *line, void *arg) {
    (void)line;
    (void)arg;
}

static void run_all(const uint8_t *img, size_t len) {
    const pyshm_layout layouts[] = {PYSHM_LAYOUT_AUTO, PYSHM_LAYOUT_PY38, PYSHM_LAYOUT_PY39};
    for (int k = 0; k < 3; k++) {
        uint8_t *buf = dup_exact(img, len);
        pyshm_list *l = NULL;
        char msg[128];
        int rc = pyshm_list_wrap(buf, len, layouts[k], &l, msg, sizeof msg);
        CHECK(known(rc), "wrap rc %d", rc);
        CHECK(rc == 0 || msg[0], "wrap failed without a message");
        if (rc == 0) {
            int64_t n = pyshm_list_len(l);
            CHECK(n >= 0 && (uint64_t)n <= len, "len %lld", (long long)n);
            for (int64_t i = -n; i < n; i++) {
                pyshm_value v;
                rc = pyshm_list_get(l, i, &v);
                CHECK(known(rc), "get rc %d", rc);
                CHECK(rc == 0 || pyshm_list_errmsg(l)[0], "get failed without a message");
                if (rc == 0 && (v.type == PYSHM_STR || v.type == PYSHM_BYTES))
                    CHECK(v.u.s.ptr >= (const char *)buf &&
                              v.u.s.ptr + v.u.s.len <= (const char *)buf + len,
                          "value outside the image");
                char repr[64];
                if (rc == 0)
                    pyshm_value_repr(&v, repr, sizeof repr);
                pyshm_value nv = pyshm_int((int64_t)rnd());
                rc = pyshm_list_set(l, i, &nv);
                CHECK(known(rc) || rc == PYSHM_ESTORAGE, "set rc %d", rc);
            }
            char out[512];
            size_t olen;
            rc = pyshm_list_repr(l, out, sizeof out, &olen);
            CHECK(known(rc) || rc == PYSHM_ENOBUFS, "repr rc %d", rc);
            rc = pyshm_list_format(l, out, sizeof out, &olen);
            CHECK(known(rc) || rc == PYSHM_ENOBUFS, "format rc %d", rc);
            pyshm_value probe = pyshm_str("x");
            int64_t c;
            rc = pyshm_list_count(l, &probe, &c);
            CHECK(known(rc), "count rc %d", rc);
        }
        pyshm_list_free(l);
        memcpy(buf, img, len);
        rc = pyshm_inspect(buf, len, layouts[k], ignore_line, NULL);
        CHECK(known(rc), "inspect rc %d", rc);
        free(buf);
    }
}

static void test_random_bytes(void) {
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = (size_t)(rnd() % 200);
        uint8_t img[200];
        for (size_t i = 0; i < len; i++)
            img[i] = (uint8_t)rnd();
        /* Small plausible counts make the deeper checks reachable. */
        if (len >= 8 && iter % 2) {
            int64_t n = (int64_t)(rnd() % 6);
            memcpy(img, &n, 8);
            if (len >= 16 && iter % 4 == 1)
                memset(img + 8, 0, 8);
        }
        run_all(img, len);
    }
}

static void test_mutated_golden(void) {
    for (size_t ci = 0; ci < golden_ncases; ci++) {
        const struct golden_case *c = &golden_cases[ci];
        for (int k = 0; k < 2; k++) {
            const struct golden_image *g = &c->img[k];
            if (!g->layout || g->len == 0 || g->len > 400)
                continue;
            uint8_t *img = golden_native(g->bytes, g->len, g->layout);
            for (int iter = 0; iter < 40; iter++) {
                uint8_t *m = dup_exact(img, g->len);
                int flips = 1 + (int)(rnd() % 3);
                for (int f = 0; f < flips; f++)
                    m[rnd() % g->len] = (uint8_t)rnd();
                run_all(m, g->len);
                free(m);
            }
            free(img);
        }
    }
}

void suite_codec_fuzz(void) {
    static const struct test_def t[] = {
        {"random bytes", test_random_bytes},
        {"valid images with bytes changed", test_mutated_golden},
    };
    TESTS_ADD_SUITE("codec: random images", t);
}
