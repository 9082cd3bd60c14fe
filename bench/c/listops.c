/*
 * listops: the cost of each ShareableList operation in libpyshm, measured
 * in-process so that only the library is timed. bench/py/listops.py
 * measures the same operations, under the same names, on CPython.
 *
 * usage: listops [--samples N] [--sample-time S] > result.json
 *
 * Fast operations (get, set, count, index) run in loops calibrated to last
 * about sample-time each; a sample is the loop's time divided by its
 * length. create and attach make system calls and are timed call by call,
 * with the clean-up (close, unlink) outside the clock. Every operation is
 * warmed up first; the JSON holds the median and spread of the samples.
 */
#include "common.h"
#include "pyshm.h"

#include <stdlib.h>
#include <string.h>

static size_t samples = 21;
static double sample_time = 0.01;
static double *tmp;
static int first_op = 1;

#define CHECK(expr)                                                                    \
    do {                                                                               \
        int rc_ = (expr);                                                              \
        if (rc_ < 0) {                                                                 \
            fprintf(stderr, "listops: %s: %s\n", #expr, pyshm_strerror(rc_));          \
            exit(1);                                                                   \
        }                                                                              \
    } while (0)

/* Names of the blocks alive now, so that an early exit still removes them. */
#define MAX_LIVE 8
static char live[MAX_LIVE][64];

static void unlink_live(void) {
    for (int i = 0; i < MAX_LIVE; i++)
        if (live[i][0])
            pyshm_unlink(live[i]);
}

static void track(pyshm_list *l) {
    for (int i = 0; i < MAX_LIVE; i++)
        if (!live[i][0]) {
            snprintf(live[i], sizeof live[i], "%s", pyshm_shm_name(pyshm_list_shm(l)));
            break;
        }
}

static pyshm_list *new_list(const pyshm_value *items, size_t n) {
    pyshm_list *l;
    CHECK(pyshm_list_create(NULL, items, n, PYSHM_LAYOUT_PY39, &l));
    track(l);
    return l;
}

static void drop_list(pyshm_list *l) {
    const char *name = pyshm_shm_name(pyshm_list_shm(l));
    for (int i = 0; i < MAX_LIVE; i++)
        if (strcmp(live[i], name) == 0)
            live[i][0] = '\0';
    CHECK(pyshm_shm_unlink(pyshm_list_shm(l)));
    pyshm_list_free(l);
}

/* Writes op's statistics over the n samples in t (sorted in place). */
static void emit(const char *op, double *t, size_t n) {
    bench_stats st = bench_summarize(t, n);
    printf("%s\n    ", first_op ? "" : ",");
    first_op = 0;
    bench_json_stats(stdout, op, &st);
    fflush(stdout);
}

/* ---- loop-timed operations --------------------------------------------- */

typedef struct loop_ctx {
    pyshm_list *list;
    int64_t index;
    pyshm_value value;
} loop_ctx;

typedef void (*loop_fn)(loop_ctx *ctx, size_t iters);

static void do_get(loop_ctx *c, size_t iters) {
    pyshm_value v;
    for (size_t i = 0; i < iters; i++) {
        CHECK(pyshm_list_get(c->list, c->index, &v));
        bench_sink += (uint64_t)v.type;
    }
}
static void do_set(loop_ctx *c, size_t iters) {
    for (size_t i = 0; i < iters; i++)
        CHECK(pyshm_list_set(c->list, c->index, &c->value));
}
static void do_count(loop_ctx *c, size_t iters) {
    int64_t n;
    for (size_t i = 0; i < iters; i++) {
        CHECK(pyshm_list_count(c->list, &c->value, &n));
        bench_sink += (uint64_t)n;
    }
}
static void do_index(loop_ctx *c, size_t iters) {
    int64_t n;
    for (size_t i = 0; i < iters; i++) {
        CHECK(pyshm_list_index(c->list, &c->value, &n));
        bench_sink += (uint64_t)n;
    }
}

static double time_loop(loop_fn fn, loop_ctx *c, size_t iters) {
    uint64_t t0 = bench_now_ns();
    fn(c, iters);
    return (double)(bench_now_ns() - t0) * 1e-9;
}

static void bench_loop(const char *op, loop_fn fn, loop_ctx *c) {
    /* Calibrate: double the loop until one run lasts a tenth of a sample;
     * this also warms the caches and branch predictors. */
    size_t iters = 1;
    double t;
    while ((t = time_loop(fn, c, iters)) < sample_time / 10 && iters < ((size_t)1 << 40))
        iters *= 2;
    iters = (size_t)((double)iters * sample_time / (t > 0 ? t : 1e-9)) + 1;
    for (size_t s = 0; s < samples; s++)
        tmp[s] = time_loop(fn, c, iters) / (double)iters;
    emit(op, tmp, samples);
}

/* ---- call-timed operations ---------------------------------------------- */

static void make_items(pyshm_value *items, size_t n) {
    for (size_t i = 0; i < n; i++) {
        switch (i % 6) {
        case 0: items[i] = pyshm_int((int64_t)i); break;
        case 1: items[i] = pyshm_float((double)i + 0.5); break;
        case 2: items[i] = pyshm_bool(i & 1); break;
        case 3: items[i] = pyshm_strn("hello", 5); break;
        case 4: items[i] = pyshm_bytes("world", 5); break;
        default: items[i] = pyshm_none(); break;
        }
    }
}

/* One timed call; its clean-up (close, unlink) stays off the clock. */
typedef double (*call_fn)(const void *arg);

typedef struct create_arg {
    const pyshm_value *items;
    size_t n;
} create_arg;

static double create_once(const void *arg) {
    const create_arg *a = arg;
    pyshm_list *l;
    uint64_t t0 = bench_now_ns();
    CHECK(pyshm_list_create(NULL, a->items, a->n, PYSHM_LAYOUT_PY39, &l));
    uint64_t t1 = bench_now_ns();
    track(l);
    drop_list(l);
    return (double)(t1 - t0) * 1e-9;
}

static double attach_once(const void *name) {
    pyshm_list *l;
    char err[256];
    uint64_t t0 = bench_now_ns();
    CHECK(pyshm_list_attach(name, PYSHM_LAYOUT_AUTO, &l, err, sizeof err));
    uint64_t t1 = bench_now_ns();
    pyshm_list_free(l);
    return (double)(t1 - t0) * 1e-9;
}

/* Runs fn once for warm-up, then 5 x samples times: call-timed cases are
 * noisier than loops. */
static void bench_calls(const char *op, call_fn fn, const void *arg) {
    size_t reps = samples * 5;
    double *t = malloc(reps * sizeof *t);
    if (!t) {
        fprintf(stderr, "listops: out of memory\n");
        exit(1);
    }
    fn(arg);
    for (size_t s = 0; s < reps; s++)
        t[s] = fn(arg);
    emit(op, t, reps);
    free(t);
}

int main(int argc, char **argv) {
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--samples") == 0)
            samples = (size_t)strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--sample-time") == 0)
            sample_time = strtod(argv[i + 1], NULL);
        else {
            fprintf(stderr, "usage: listops [--samples N] [--sample-time S]\n");
            return 2;
        }
    }
    if (samples == 0)
        samples = 1;
    atexit(unlink_live);
    tmp = malloc(samples * sizeof *tmp);
    enum { BIG = 10000 };
    pyshm_value *items = malloc(BIG * sizeof *items);
    if (!tmp || !items)
        return 1;

    printf("{\"kind\": \"listops\", \"impl\": \"c\", \"version\": \"%s\", \"ops\": {", PYSHM_VERSION);

    /* create and attach: a small list and the 10,000-item one. */
    make_items(items, BIG);
    create_arg small_items = {items, 10}, big_items = {items, BIG};
    bench_calls("create_10", create_once, &small_items);
    bench_calls("create_10000", create_once, &big_items);
    pyshm_list *small = new_list(items, 10), *big = new_list(items, BIG);
    bench_calls("attach_10", attach_once, pyshm_shm_name(pyshm_list_shm(small)));
    bench_calls("attach_10000", attach_once, pyshm_shm_name(pyshm_list_shm(big)));
    drop_list(small);
    drop_list(big);

    /* get and set, one slot of each type. */
    static const char *types[] = {"int", "float", "bool", "str", "bytes", "none"};
    pyshm_value six[6] = {pyshm_int(7),          pyshm_float(1.5),         pyshm_bool(true),
                          pyshm_strn("hello", 5), pyshm_bytes("world", 5), pyshm_none()};
    pyshm_value repl[6] = {pyshm_int(8),          pyshm_float(2.5),         pyshm_bool(false),
                           pyshm_strn("HELLO", 5), pyshm_bytes("WORLD", 5), pyshm_none()};
    pyshm_list *l6 = new_list(six, 6);
    char op[64];
    for (int t = 0; t < 6; t++) {
        loop_ctx c = {l6, t, repl[t]};
        snprintf(op, sizeof op, "get_%s", types[t]);
        bench_loop(op, do_get, &c);
        snprintf(op, sizeof op, "set_%s", types[t]);
        bench_loop(op, do_set, &c);
    }
    drop_list(l6);

    /* count and index over 10,000 items, the sought value last, so that both
     * compare every item. */
    static char strs[BIG][8];
    for (int kind = 0; kind < 2; kind++) {
        for (size_t i = 0; i < BIG; i++) {
            snprintf(strs[i], sizeof strs[i], "s%04zu", i);
            items[i] = kind == 0 ? pyshm_int((int64_t)i) : pyshm_strn(strs[i], 5);
        }
        pyshm_list *l = new_list(items, BIG);
        loop_ctx c = {l, 0, items[BIG - 1]};
        snprintf(op, sizeof op, "count_%s_10000", kind == 0 ? "int" : "str");
        bench_loop(op, do_count, &c);
        snprintf(op, sizeof op, "index_%s_10000", kind == 0 ? "int" : "str");
        bench_loop(op, do_index, &c);
        drop_list(l);
    }
    printf("\n}}\n");
    free(items);
    free(tmp);
    return 0;
}
