/*
 * ops: a list built from fuzz input, then a sequence of set/get/count/
 * index/format calls, each run on the library and on the model of
 * model.h (CPython's rules: a type change rewrites format and code, a
 * str/bytes value must fit the slot's allocation, reads strip trailing
 * NULs). After every call the whole image must equal the model's.
 *
 * Input: layout byte (low bit: py38), item count byte (% 16), the items in
 * gen.h's grammar, then operations: an opcode byte (% 8), an index byte
 * (signed), and where needed a value in gen.h's grammar:
 *   0, 1 set a value; 2 set a str of raw bytes (maybe invalid UTF-8);
 *   3, 4 get, get_copy and item_format; 5 count and index of a value;
 *   6 format and repr; 7 a second reader attaches and reads every item.
 */
#include "fuzz.h"
#include "gen.h"
#include "list_check.h"
#include "model.h"

#include "pyshm.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 16
#define MAX_OPS 128

typedef struct state {
    pyshm_list *l;
    model m;
    uint8_t *img;
    uint8_t *expect;
    size_t size;
} state;

static void check_image(state *s) {
    model_image(&s->m, s->expect);
    FUZZ_CHECK(memcmp(s->img, s->expect, s->size) == 0);
}

static void check_get(state *s, int64_t index) {
    pyshm_value got, want;
    int rc = pyshm_list_get(s->l, index, &got);
    FUZZ_CHECK(rc == model_get(&s->m, index, &want));
    if (rc != 0)
        return;
    fuzz_check_read(s->l, index, &want);
    char fmt[9], want_fmt[9];
    size_t pos;
    FUZZ_CHECK(model_index(&s->m, index, &pos));
    model_format(&s->m, pos, want_fmt);
    FUZZ_CHECK(pyshm_list_item_format(s->l, index, fmt) == 0 && strcmp(fmt, want_fmt) == 0);
}

static void check_search(state *s, const pyshm_value *v) {
    pyshm_value items[MAX_ITEMS];
    FUZZ_CHECK(s->m.n <= MAX_ITEMS);
    for (size_t j = 0; j < s->m.n; j++)
        FUZZ_CHECK(model_get(&s->m, (int64_t)j, &items[j]) == 0);
    fuzz_check_search(s->l, v, items, s->m.n);
}

static void check_texts(state *s) {
    size_t len = 0, want = 0;
    for (size_t i = 0; i < s->m.n; i++) {
        char fmt[9];
        model_format(&s->m, i, fmt);
        want += strlen(fmt);
    }
    char *buf = malloc(want + 1);
    FUZZ_CHECK(buf != NULL);
    FUZZ_CHECK(pyshm_list_format(s->l, buf, want + 1, &len) == 0 && len == want);
    free(buf);
    int rc = pyshm_list_repr(s->l, NULL, 0, &len);
    FUZZ_CHECK(rc == 0 || rc == PYSHM_ENOBUFS);
    FUZZ_CHECK(len >= 2);
}

/* Another reader attaching the image now sees the model's values. */
static void check_reattach(state *s) {
    pyshm_list *l2 = NULL;
    FUZZ_CHECK(pyshm_list_wrap(s->img, s->size, PYSHM_LAYOUT_AUTO, &l2, NULL, 0) == 0);
    FUZZ_CHECK(pyshm_list_layout(l2) == s->m.layout);
    pyshm_list *mine = s->l;
    s->l = l2;
    for (size_t i = 0; i < s->m.n; i++)
        check_get(s, (int64_t)i);
    s->l = mine;
    pyshm_list_free(l2);
}

static void run_ops(state *s, fuzz_in *in, fuzz_arena *a) {
    for (int k = 0; k < MAX_OPS && !fin_empty(in); k++) {
        uint8_t op = fin_u8(in) % 8;
        int64_t index = (int8_t)fin_u8(in);
        pyshm_value v;
        switch (op) {
        case 0:
        case 1:
        case 2:
            if (!(op == 2 ? fuzz_gen_raw_str(in, a, &v) : fuzz_gen_value(in, a, &v)))
                return;
            FUZZ_CHECK(pyshm_list_set(s->l, index, &v) == model_set(&s->m, index, &v));
            check_image(s);
            break;
        case 3:
        case 4:
            check_get(s, index);
            break;
        case 5:
            if (!fuzz_gen_value(in, a, &v))
                return;
            check_search(s, &v);
            break;
        case 6:
            check_texts(s);
            break;
        default:
            check_reattach(s);
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_in in = {data, size};
    fuzz_arena arena;
    if (!fuzz_arena_init(&arena, size))
        return 0;
    pyshm_layout layout = (fin_u8(&in) & 1) ? PYSHM_LAYOUT_PY38 : PYSHM_LAYOUT_PY39;
    size_t n_wanted = fin_u8(&in) % MAX_ITEMS, n = 0;
    pyshm_value items[MAX_ITEMS];
    while (n < n_wanted && fuzz_gen_value(&in, &arena, &items[n]))
        n++;

    state s = {0};
    FUZZ_CHECK(pyshm_list_image_size(items, n, layout, &s.size) == 0);
    s.img = malloc(s.size);
    s.expect = malloc(s.size);
    FUZZ_CHECK(s.img && s.expect);
    FUZZ_CHECK(pyshm_list_encode(s.img, s.size, items, n, layout) == 0);
    FUZZ_CHECK(pyshm_list_wrap(s.img, s.size, layout, &s.l, NULL, 0) == 0);
    size_t allocs[MAX_ITEMS];
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(pyshm_list_slot(s.l, (int64_t)i, &allocs[i]) == 0);
    FUZZ_CHECK(model_init(&s.m, items, n, layout, allocs));
    check_image(&s);

    run_ops(&s, &in, &arena);
    check_reattach(&s);

    pyshm_list_free(s.l);
    model_free(&s.m);
    free(s.img);
    free(s.expect);
    fuzz_arena_free(&arena);
    return 0;
}
