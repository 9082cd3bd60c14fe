/*
 * decode: arbitrary bytes as a ShareableList image, read through every
 * reading call for each layout. The input is copied into a heap block of
 * exactly its size so that AddressSanitizer reports any read past the
 * image; the checks then tie the calls to each other and to CPython's
 * rules (the AUTO detection rule, index normalisation, NUL stripping,
 * count and index over Python equality).
 */
#include "fuzz.h"
#include "pyeq.h"
#include "utf8_check.h"

#include "pyshm.h"

#include <stdlib.h>
#include <string.h>

/* count/index are quadratic in N: bound the work per input. */
#define MAX_SEARCHED 32

typedef struct item {
    int rc;
    pyshm_value v;
} item;

static void emit(const char *line, void *arg) {
    FUZZ_CHECK(line != NULL);
    (void)strlen(line); /* ASan: the line must be NUL-terminated */
    ++*(size_t *)arg;
}

static bool is_read_error(int rc) {
    return rc == PYSHM_ECORRUPT || rc == PYSHM_EUNICODE;
}

/* CPython's layout decision, as the reference adopts it. */
static pyshm_layout detect(const uint8_t *img, size_t size) {
    int64_t n = 0, word8 = 0;
    memcpy(&n, img, 8);
    if (n == 0)
        return size >= 16 ? PYSHM_LAYOUT_PY39 : PYSHM_LAYOUT_PY38;
    memcpy(&word8, img + 8, 8);
    return word8 == 0 ? PYSHM_LAYOUT_PY39 : PYSHM_LAYOUT_PY38;
}

static void check_value(const pyshm_value *v, const uint8_t *img, size_t size, size_t alloc) {
    if (v->type != PYSHM_STR && v->type != PYSHM_BYTES) {
        FUZZ_CHECK(v->type == PYSHM_NONE || v->type == PYSHM_INT || v->type == PYSHM_FLOAT ||
                   v->type == PYSHM_BOOL);
        return;
    }
    FUZZ_CHECK(v->u.s.len <= alloc);
    if (v->u.s.len == 0)
        return;
    const uint8_t *p = (const uint8_t *)v->u.s.ptr;
    FUZZ_CHECK(p >= img && v->u.s.len <= size && p - img <= (ptrdiff_t)(size - v->u.s.len));
    FUZZ_CHECK(p[v->u.s.len - 1] != 0); /* trailing NULs are stripped */
    if (v->type == PYSHM_STR)
        FUZZ_CHECK(fuzz_utf8_valid(p, v->u.s.len));
}

static void check_copy(pyshm_list *l, int64_t i, const item *it, size_t alloc) {
    /* Exactly the slot: ASan catches a copy that writes past it. */
    void *buf = malloc(alloc ? alloc : 1);
    FUZZ_CHECK(buf != NULL);
    pyshm_value c;
    int rc = pyshm_list_get_copy(l, i, &c, buf, alloc);
    FUZZ_CHECK(rc == it->rc);
    if (rc == 0) {
        FUZZ_CHECK(fuzz_identical(&c, &it->v));
        if (c.type == PYSHM_STR || c.type == PYSHM_BYTES)
            FUZZ_CHECK(c.u.s.len == 0 || ((const char *)c.u.s.ptr >= (char *)buf &&
                                          c.u.s.ptr + c.u.s.len <= (char *)buf + alloc));
    }
    free(buf);
    if (alloc > 0) {
        buf = malloc(alloc - 1 ? alloc - 1 : 1);
        FUZZ_CHECK(buf != NULL);
        rc = pyshm_list_get_copy(l, i, &c, buf, alloc - 1);
        FUZZ_CHECK(rc == PYSHM_ENOBUFS || rc == it->rc);
        free(buf);
    }
}

static void check_search(pyshm_list *l, const item *items, size_t n) {
    bool all_ok = true;
    for (size_t j = 0; j < n; j++)
        all_ok = all_ok && items[j].rc == 0;
    size_t searched = n < MAX_SEARCHED ? n : MAX_SEARCHED;
    for (size_t i = 0; i < searched; i++) {
        if (items[i].rc != 0)
            continue;
        const pyshm_value *v = &items[i].v;
        FUZZ_CHECK(pyshm_value_eq(v, v) == fuzz_py_eq(v, v));
        int64_t count = -1, index = -1;
        int rc = pyshm_list_count(l, v, &count);
        if (all_ok) {
            int64_t expect = 0;
            for (size_t j = 0; j < n; j++) {
                FUZZ_CHECK(pyshm_value_eq(v, &items[j].v) == fuzz_py_eq(v, &items[j].v));
                expect += fuzz_py_eq(v, &items[j].v);
            }
            FUZZ_CHECK(rc == 0 && count == expect);
        } else {
            FUZZ_CHECK(rc == 0 || is_read_error(rc));
        }
        /* index stops at the first match, or fails at an unreadable item
         * before it, as CPython's loop over the items does. */
        rc = pyshm_list_index(l, v, &index);
        size_t j = 0;
        while (j < n && items[j].rc == 0 && !fuzz_py_eq(v, &items[j].v))
            j++;
        if (j == n)
            FUZZ_CHECK(rc == PYSHM_ENOTFOUND);
        else if (items[j].rc != 0)
            FUZZ_CHECK(is_read_error(rc));
        else
            FUZZ_CHECK(rc == 0 && index == (int64_t)j);
    }
}

/* format fails exactly when an item format does, repr when an item does
 * (CPython's list(self) stops at the first unreadable item). */
static void check_text(pyshm_list *l, bool repr, bool ok, size_t formats_len) {
    size_t len = 0;
    int rc = repr ? pyshm_list_repr(l, NULL, 0, &len) : pyshm_list_format(l, NULL, 0, &len);
    if (rc != 0 && rc != PYSHM_ENOBUFS) {
        FUZZ_CHECK(is_read_error(rc) && !ok);
        return;
    }
    FUZZ_CHECK(ok);
    char *buf = malloc(len + 1);
    FUZZ_CHECK(buf != NULL);
    size_t len2 = 0;
    rc = repr ? pyshm_list_repr(l, buf, len + 1, &len2) : pyshm_list_format(l, buf, len + 1, &len2);
    FUZZ_CHECK(rc == 0 && len2 == len && strlen(buf) == len);
    if (repr)
        FUZZ_CHECK(len >= 2 && buf[0] == '[' && buf[len - 1] == ']');
    else
        FUZZ_CHECK(len == formats_len);
    free(buf);
}

/*
 * set(i, get(i)) on a private copy of the image: the item must read back
 * the same, and no byte may change outside item i's slot, format and code
 * (CPython's __setitem__ touches nothing else).
 */
static void check_set(const uint8_t *img, size_t size, pyshm_layout layout, const item *items,
                      int64_t n) {
    uint8_t *mine = malloc(size), *before = malloc(size);
    FUZZ_CHECK(mine && before);
    memcpy(mine, img, size);
    pyshm_list *l = NULL;
    FUZZ_CHECK(pyshm_list_wrap(mine, size, layout, &l, NULL, 0) == 0);
    /* Where each part of the image lies, from the public slot sizes. */
    size_t data = 8 * ((size_t)n + (layout == PYSHM_LAYOUT_PY38 ? 1 : 2)), total = 0;
    for (int64_t i = 0; i < n; i++) {
        size_t alloc = 0;
        FUZZ_CHECK(pyshm_list_slot(l, i, &alloc) == 0);
        total += alloc;
    }
    size_t formats = data + total, codes = formats + 8 * (size_t)n;
    FUZZ_CHECK(codes + (size_t)n == pyshm_list_image_bytes(l));
    size_t slot_at = data;
    for (int64_t i = 0; i < n && i < MAX_SEARCHED; i++) {
        size_t alloc = 0;
        FUZZ_CHECK(pyshm_list_slot(l, i, &alloc) == 0);
        size_t at = slot_at;
        slot_at += alloc;
        if (items[i].rc != 0)
            continue;
        char *copy = malloc(alloc ? alloc : 1);
        FUZZ_CHECK(copy != NULL);
        pyshm_value v, back;
        FUZZ_CHECK(pyshm_list_get_copy(l, i, &v, copy, alloc) == 0);
        memcpy(before, mine, size);
        int rc = pyshm_list_set(l, i, &v);
        FUZZ_CHECK(rc == 0 || rc == PYSHM_ESTORAGE || rc == PYSHM_ECORRUPT);
        if (rc == 0)
            FUZZ_CHECK(pyshm_list_get(l, i, &back) == 0 && fuzz_identical(&back, &v));
        for (size_t k = 0; k < size; k++) {
            if (before[k] == mine[k])
                continue;
            FUZZ_CHECK(rc == 0); /* a refused set changes nothing */
            size_t fmt = formats + 8 * (size_t)i, code = codes + (size_t)i;
            FUZZ_CHECK((k >= at && k - at < alloc) || (k >= fmt && k - fmt < 8) || k == code);
        }
        free(copy);
    }
    pyshm_list_free(l);
    free(mine);
    free(before);
}

static void check_list(pyshm_list *l, pyshm_layout asked, const uint8_t *img, size_t size,
                       int inspect_rc) {
    pyshm_layout got = pyshm_list_layout(l);
    FUZZ_CHECK(got == (asked == PYSHM_LAYOUT_AUTO ? detect(img, size) : asked));
    int64_t n = pyshm_list_len(l);
    int64_t n_header;
    memcpy(&n_header, img, 8);
    FUZZ_CHECK(n >= 0 && n == n_header && (uint64_t)n <= size / 9);
    FUZZ_CHECK(pyshm_list_image_bytes(l) <= size);

    item *items = calloc((size_t)n + 1, sizeof *items);
    FUZZ_CHECK(items != NULL);
    bool formats_ok = true;
    size_t formats_len = 0;
    for (int64_t i = 0; i < n; i++) {
        size_t alloc = 0;
        FUZZ_CHECK(pyshm_list_slot(l, i, &alloc) == 0 && alloc <= size);
        item *it = &items[i];
        it->rc = pyshm_list_get(l, i, &it->v);
        FUZZ_CHECK(it->rc == 0 || is_read_error(it->rc));
        if (it->rc == 0)
            check_value(&it->v, img, size, alloc);
        pyshm_value neg;
        FUZZ_CHECK(pyshm_list_get(l, i - n, &neg) == it->rc);
        if (it->rc == 0)
            FUZZ_CHECK(fuzz_identical(&neg, &it->v));
        check_copy(l, i, it, alloc);
        char fmt[9];
        memset(fmt, 'X', sizeof fmt);
        int rc = pyshm_list_item_format(l, i, fmt);
        FUZZ_CHECK(rc == 0 || is_read_error(rc));
        if (rc == 0) {
            FUZZ_CHECK(memchr(fmt, 0, sizeof fmt) != NULL);
            formats_len += strlen(fmt);
        } else {
            formats_ok = false;
        }
        if (it->rc == 0) /* a value was decoded through its format */
            FUZZ_CHECK(rc == 0);
    }
    pyshm_value v;
    size_t alloc;
    const int64_t bad[] = {n, -n - 1, INT64_MIN, INT64_MAX};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        FUZZ_CHECK(pyshm_list_get(l, bad[k], &v) == PYSHM_EINDEX);
        FUZZ_CHECK(pyshm_list_slot(l, bad[k], &alloc) == PYSHM_EINDEX);
    }
    /* inspect passes exactly the images whose every item reads, and stops
     * at the first that does not, with its error. */
    int first_rc = 0;
    for (int64_t i = 0; i < n && first_rc == 0; i++)
        first_rc = items[i].rc;
    FUZZ_CHECK(inspect_rc == first_rc);
    check_search(l, items, (size_t)n);
    check_set(img, size, pyshm_list_layout(l), items, n);
    check_text(l, false, formats_ok, formats_len);
    bool items_ok = true;
    for (int64_t i = 0; i < n; i++)
        items_ok = items_ok && items[i].rc == 0;
    check_text(l, true, items_ok, 0);
    free(items);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *img = malloc(size ? size : 1);
    if (!img)
        return 0;
    if (size)
        memcpy(img, data, size);
    const pyshm_layout layouts[] = {PYSHM_LAYOUT_PY38, PYSHM_LAYOUT_PY39, PYSHM_LAYOUT_AUTO};
    for (size_t k = 0; k < 3; k++) {
        pyshm_list *l = NULL;
        char msg[128];
        int rc = pyshm_list_wrap(img, size, layouts[k], &l, msg, sizeof msg);
        size_t lines = 0;
        int irc = pyshm_inspect(img, size, layouts[k], emit, &lines);
        FUZZ_CHECK(irc == 0 || is_read_error(irc));
        if (rc != 0) {
            FUZZ_CHECK(rc == PYSHM_ECORRUPT || rc == PYSHM_ENOMEM || rc == PYSHM_EINVAL);
            FUZZ_CHECK(memchr(msg, 0, sizeof msg) != NULL && msg[0] != 0);
            FUZZ_CHECK(irc != 0); /* inspect never passes what wrap refuses */
            continue;
        }
        check_list(l, layouts[k], img, size, irc);
        pyshm_list_free(l);
    }
    free(img);
    return 0;
}
