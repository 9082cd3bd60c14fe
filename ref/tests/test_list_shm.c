/*
 * test_list_shm.c - ShareableList over shared memory: create, attach with
 * layout detection, the block holds exactly the CPython image, closed lists
 * answer ECLOSED, errors of create and attach.
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static const struct golden_case *find_case(const char *name) {
    for (size_t i = 0; i < golden_ncases; i++)
        if (strcmp(golden_cases[i].name, name) == 0)
            return &golden_cases[i];
    return NULL;
}

static void roundtrip(const char *case_name, int k) {
    const struct golden_case *c = find_case(case_name);
    if (!CHECK(c != NULL, "no golden case %s", case_name) || !c->img[k].layout)
        return;
    const struct golden_image *g = &c->img[k];
    pyshm_value *items = golden_values(c->items, c->nitems);
    pyshm_list *l = NULL;
    int rc = pyshm_list_create(NULL, items, c->nitems, g->layout, &l);
    if (!CHECK(rc == 0 && l, "%s: create rc %d", c->name, rc))
        goto out;
    pyshm_shm *s = pyshm_list_shm(l);
    CHECK(s != NULL && pyshm_shm_size(s) == g->len, "%s: block of %zu bytes, CPython %zu",
          c->name, s ? pyshm_shm_size(s) : 0, g->len);
    uint8_t *want = golden_native(g->bytes, g->len, g->layout);
    CHECK(s && memcmp(pyshm_shm_buf(s), want, g->len) == 0, "%s: block holds CPython's image",
          c->name);
    free(want);

    pyshm_list *a = NULL;
    char msg[256] = "";
    rc = pyshm_list_attach(pyshm_shm_name(s), PYSHM_LAYOUT_AUTO, &a, msg, sizeof msg);
    if (CHECK(rc == 0, "%s: attach rc %d (%s)", c->name, rc, msg)) {
        CHECK(pyshm_list_layout(a) == g->layout, "%s: layout detected", c->name);
        CHECK(pyshm_list_len(a) == (int64_t)c->nitems, "%s: len", c->name);
        char out[4096];
        size_t len;
        rc = pyshm_list_repr(a, out, sizeof out, &len);
        CHECK(rc == 0 && str_eq(out, g->list_repr), "%s: repr <%s>, CPython <%s>", c->name, out,
              g->list_repr);
        /* A write through one handle is seen by the other. */
        if (c->nitems > 0) {
            pyshm_value v = pyshm_int(-5);
            CHECK(pyshm_list_set(a, 0, &v) == 0, "set");
            pyshm_value got;
            CHECK(pyshm_list_get(l, 0, &got) == 0 && got.type == PYSHM_INT && got.u.i == -5,
                  "%s: set through one handle, read through the other", c->name);
        }
    }
    pyshm_list_free(a);
    CHECK(pyshm_shm_unlink(s) == 0, "unlink");
    pyshm_list_free(l);
out:
    free(items);
}

static void test_create_attach(void) {
    const char *names[] = {"doc_example", "empty", "floats", "str_len16", "nonascii_euro_3"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (int k = 0; k < 2; k++)
            roundtrip(names[i], k);
}

static void test_closed(void) {
    pyshm_value items[2] = {pyshm_int(1), pyshm_str("a")};
    pyshm_list *l = NULL;
    char name[64];
    snprintf(name, sizeof name, "%s", test_shm_name());
    int rc = pyshm_list_create(name, items, 2, PYSHM_LAYOUT_PY39, &l);
    if (!CHECK(rc == 0, "create rc %d", rc))
        return;
    CHECK(str_eq(pyshm_shm_name(pyshm_list_shm(l)), name), "the given name");
    pyshm_list *dup = NULL;
    CHECK(pyshm_list_create(name, items, 2, PYSHM_LAYOUT_PY39, &dup) == PYSHM_EEXIST,
          "create over an existing name");
    CHECK(pyshm_list_close(l) == 0 && pyshm_list_close(l) == 0, "close twice");
    pyshm_value v;
    char buf[64], f[9];
    size_t len;
    int64_t n;
    CHECK(pyshm_list_get(l, 0, &v) == PYSHM_ECLOSED, "get");
    CHECK(pyshm_list_get_copy(l, 0, &v, buf, sizeof buf) == PYSHM_ECLOSED, "get_copy");
    CHECK(pyshm_list_set(l, 0, &items[0]) == PYSHM_ECLOSED, "set");
    CHECK(pyshm_list_item_format(l, 0, f) == PYSHM_ECLOSED, "item_format");
    CHECK(pyshm_list_format(l, buf, sizeof buf, &len) == PYSHM_ECLOSED, "format");
    CHECK(pyshm_list_repr(l, buf, sizeof buf, &len) == PYSHM_ECLOSED, "repr");
    CHECK(pyshm_list_count(l, &items[0], &n) == PYSHM_ECLOSED, "count");
    CHECK(pyshm_list_index(l, &items[0], &n) == PYSHM_ECLOSED, "index");
    CHECK(str_eq(pyshm_err_pyexc(PYSHM_ECLOSED), "TypeError"), "ECLOSED is TypeError");
    CHECK(pyshm_list_errmsg(l)[0] != '\0', "closed: errmsg");
    CHECK(pyshm_shm_closed(pyshm_list_shm(l)), "the block is closed");
    CHECK(pyshm_shm_unlink(pyshm_list_shm(l)) == 0, "unlink after close");
    pyshm_list_free(l);
    pyshm_list_free(NULL);
}

static void test_attach_errors(void) {
    pyshm_list *l = NULL;
    char msg[128];
    CHECK(pyshm_list_attach(NULL, PYSHM_LAYOUT_AUTO, &l, msg, sizeof msg) == PYSHM_ENONAME,
          "NULL name");
    CHECK(pyshm_list_attach(test_shm_name(), PYSHM_LAYOUT_AUTO, &l, msg, sizeof msg) ==
              PYSHM_ENOENT,
          "missing");
    CHECK(pyshm_list_attach("a/b", PYSHM_LAYOUT_AUTO, &l, NULL, 0) == PYSHM_EBADNAME, "bad name");
    /* A block whose contents are not a list. */
    pyshm_shm *s = NULL;
    if (!CHECK(pyshm_shm_create(NULL, 64, &s) == 0, "create"))
        return;
    memset(pyshm_shm_buf(s), 0xff, 64);
    msg[0] = '\0';
    int rc = pyshm_list_attach(pyshm_shm_name(s), PYSHM_LAYOUT_AUTO, &l, msg, sizeof msg);
    CHECK(rc == PYSHM_ECORRUPT && msg[0], "garbage block: rc %d (%s)", rc, msg);
    pyshm_shm_unlink(s);
    pyshm_shm_free(s);
}

static void test_create_errors(void) {
    pyshm_list *l = NULL;
    pyshm_value bad = pyshm_str("\xff");
    CHECK(pyshm_list_create(NULL, &bad, 1, PYSHM_LAYOUT_PY39, &l) == PYSHM_EENCODE && !l,
          "str not UTF-8");
    CHECK(pyshm_list_create("a/b", NULL, 0, PYSHM_LAYOUT_PY39, &l) == PYSHM_EBADNAME, "bad name");
}

void suite_list_shm(void) {
    static const struct test_def t[] = {
        {"create, attach, detect, share", test_create_attach},
        {"closed lists answer ECLOSED", test_closed},
        {"attach errors", test_attach_errors},
        {"create errors", test_create_errors},
    };
    TESTS_ADD_SUITE("ShareableList over shared memory", t);
}
