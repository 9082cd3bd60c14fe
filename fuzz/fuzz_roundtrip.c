/*
 * roundtrip: fuzz input -> values (gen.h) -> image in each layout -> list
 * -> values again. Values must come back identical (floats bit for bit)
 * except that str and bytes lose trailing NULs, which the format cannot
 * represent; the image must equal, byte for byte, the one the independent
 * model lays out; count, index and repr must agree with the values.
 */
#include "fuzz.h"
#include "gen.h"
#include "list_check.h"
#include "model.h"

#include "pyshm.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 64
/* count and index scan the whole list: checking them for the first few
 * values keeps the target fast while every pair still meets in pyshm_value_eq. */
#define MAX_SEARCHED 8

/* The value as it reads back: trailing NULs of str and bytes stripped. */
static pyshm_value stripped(pyshm_value v) {
    if (v.type == PYSHM_STR || v.type == PYSHM_BYTES)
        while (v.u.s.len > 0 && v.u.s.ptr[v.u.s.len - 1] == 0)
            v.u.s.len--;
    return v;
}

static void check_repr(pyshm_list *l, const pyshm_value *want, size_t n) {
    /* The list's repr is "[" + item reprs joined by ", " + "]". */
    size_t expect = 2;
    for (size_t i = 0; i < n; i++)
        expect += pyshm_value_repr(&want[i], NULL, 0) + (i ? 2 : 0);
    char *buf = malloc(expect + 1);
    FUZZ_CHECK(buf != NULL);
    size_t len = 0;
    FUZZ_CHECK(pyshm_list_repr(l, buf, expect + 1, &len) == 0 && len == expect);
    size_t at = 1;
    for (size_t i = 0; i < n; i++) {
        if (i)
            at += 2;
        size_t item_len = pyshm_value_repr(&want[i], NULL, 0);
        char *item = malloc(item_len + 1);
        FUZZ_CHECK(item != NULL);
        FUZZ_CHECK(pyshm_value_repr(&want[i], item, item_len + 1) == item_len);
        FUZZ_CHECK(memcmp(buf + at, item, item_len) == 0);
        at += item_len;
        free(item);
    }
    free(buf);
}

static void check_list(pyshm_list *l, const pyshm_value *items, size_t n, pyshm_layout layout) {
    FUZZ_CHECK(pyshm_list_layout(l) == layout);
    FUZZ_CHECK(pyshm_list_len(l) == (int64_t)n);
    pyshm_value *want = malloc((n ? n : 1) * sizeof *want);
    FUZZ_CHECK(want != NULL);
    for (size_t i = 0; i < n; i++) {
        want[i] = stripped(items[i]);
        fuzz_check_read(l, (int64_t)i, &want[i]);
    }
    for (size_t i = 0; i < n && i < MAX_SEARCHED; i++)
        fuzz_check_search(l, &want[i], want, n);
    check_repr(l, want, n);
    free(want);
}

static void roundtrip(const pyshm_value *items, size_t n, pyshm_layout layout) {
    size_t size = 0;
    FUZZ_CHECK(pyshm_list_image_size(items, n, layout, &size) == 0);
    uint8_t *img = malloc(size);
    FUZZ_CHECK(img != NULL);
    FUZZ_CHECK(pyshm_list_encode(img, size - 1, items, n, layout) == PYSHM_ENOBUFS);
    FUZZ_CHECK(pyshm_list_encode(img, size, items, n, layout) == 0);

    /* The slots the library chose, checked against CPython's sizing. */
    size_t allocs[MAX_ITEMS];
    pyshm_list *l = NULL;
    FUZZ_CHECK(pyshm_list_wrap(img, size, layout, &l, NULL, 0) == 0);
    FUZZ_CHECK(pyshm_list_image_bytes(l) == size);
    for (size_t i = 0; i < n; i++) {
        bool exact;
        size_t expect = model_alloc(&items[i], &exact);
        FUZZ_CHECK(pyshm_list_slot(l, (int64_t)i, &allocs[i]) == 0);
        if (exact)
            FUZZ_CHECK(allocs[i] == expect);
        else
            FUZZ_CHECK(allocs[i] % 8 == 0 && allocs[i] >= items[i].u.s.len &&
                       allocs[i] < 10000000);
    }
    model m;
    FUZZ_CHECK(model_init(&m, items, n, layout, allocs));
    FUZZ_CHECK(model_image_size(&m) == size);
    uint8_t *expect = malloc(size);
    FUZZ_CHECK(expect != NULL);
    model_image(&m, expect);
    FUZZ_CHECK(memcmp(img, expect, size) == 0);
    for (size_t i = 0; i < n; i++) {
        char fmt[9], want[9];
        model_format(&m, i, want);
        FUZZ_CHECK(pyshm_list_item_format(l, (int64_t)i, fmt) == 0 && strcmp(fmt, want) == 0);
    }
    free(expect);
    model_free(&m);

    check_list(l, items, n, layout);
    pyshm_list_free(l);
    /* A reader that does not know the layout detects it. */
    FUZZ_CHECK(pyshm_list_wrap(img, size, PYSHM_LAYOUT_AUTO, &l, NULL, 0) == 0);
    check_list(l, items, n, layout);
    pyshm_list_free(l);
    free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_in in = {data, size};
    fuzz_arena arena;
    if (!fuzz_arena_init(&arena, size))
        return 0;
    pyshm_value items[MAX_ITEMS];
    size_t n = 0;
    while (n < MAX_ITEMS && fuzz_gen_value(&in, &arena, &items[n]))
        n++;
    roundtrip(items, n, PYSHM_LAYOUT_PY38);
    roundtrip(items, n, PYSHM_LAYOUT_PY39);
    fuzz_arena_free(&arena);
    return 0;
}
