/*
 * listops: libpyshm's ShareableList operations, timed in-process so that
 * only the library is measured. bench/py/pyshm_bench.py asks it for one
 * sample at a time, in turn with CPython's ShareableList and the pyshm
 * module, so that the three see the same machine load; the operations, their
 * names and their items are those of bench/py/listops.py.
 *
 * usage: listops < requests > replies
 *
 * Requests, one a line; every reply is one line of JSON:
 *   hello                 {"version": V, "ops": [every operation's name]}
 *   calibrate SECONDS     {"iters": {op: calls a sample of each loop op makes,
 *                         so that a sample lasts about SECONDS}}
 *   sample OP             {"c": [seconds per call], "spent": seconds}
 *   sweep OP AXIS X SECONDS   the same, for one point of the sweep (below),
 *                         with "loop_length"; the first request of a point
 *                         calibrates it.
 * A request it does not understand: {"error": "..."} and exit status 2.
 *
 * Loop ops (get, set, count, index) time a loop and divide by its length;
 * create and attach make system calls and are timed call by call (CALLS a
 * sample), with the clean-up (close, unlink) off the clock.
 *
 * The sweep: how an operation's cost grows. AXIS n: a list of X ints
 * 0..X-1; get and set the last item, count the last value (every item is
 * compared), create the whole list. AXIS size: 10 bytes items of X bytes
 * each; get and set the last, create the list.
 */
#include "common.h"
#include "pyshm.h"

#include <stdlib.h>
#include <string.h>

enum { CALLS = 5, BIG = 10000, SWEEP_ITEMS = 10, MAX_LIVE = 64, MAX_POINTS = 32 };

#define CHECK(expr)                                                                    \
    do {                                                                               \
        int rc_ = (expr);                                                              \
        if (rc_ < 0) {                                                                 \
            fprintf(stderr, "listops: %s: %s\n", #expr, pyshm_strerror(rc_));          \
            exit(1);                                                                   \
        }                                                                              \
    } while (0)

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "listops: out of memory\n");
        exit(1);
    }
    return p;
}

/* Names of the blocks alive now, so that any exit still removes them. */
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
            return;
        }
    fprintf(stderr, "listops: more than %d lists alive\n", MAX_LIVE);
    exit(1);
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

/* ---- operations ------------------------------------------------------------ */

typedef enum { GET, SET, COUNT, INDEX, CREATE, ATTACH } op_kind;

/* One operation on its fixture. Loop ops use list, index and value; create
 * uses items and n; attach the name of list. */
typedef struct op {
    char name[32];
    op_kind kind;
    pyshm_list *list;
    int64_t index;
    pyshm_value value;
    const pyshm_value *items;
    size_t n;
    size_t iters; /* loop ops: calls a sample, once calibrated */
} op;

static void run_loop(const op *o, size_t iters) {
    pyshm_value v;
    int64_t k;
    for (size_t i = 0; i < iters; i++) {
        switch (o->kind) {
        case GET:
            CHECK(pyshm_list_get(o->list, o->index, &v));
            bench_sink += (uint64_t)v.type;
            break;
        case SET:
            CHECK(pyshm_list_set(o->list, o->index, &o->value));
            break;
        case COUNT:
            CHECK(pyshm_list_count(o->list, &o->value, &k));
            bench_sink += (uint64_t)k;
            break;
        default:
            CHECK(pyshm_list_index(o->list, &o->value, &k));
            bench_sink += (uint64_t)k;
            break;
        }
    }
}

static double time_loop(const op *o, size_t iters) {
    uint64_t t0 = bench_now_ns();
    run_loop(o, iters);
    return (double)(bench_now_ns() - t0) * 1e-9;
}

static int is_loop(const op *o) {
    return o->kind != CREATE && o->kind != ATTACH;
}

/* Doubles the loop until one run lasts a tenth of a sample (which also warms
 * caches and branch predictors), then scales the length from the fastest of
 * three runs, so that a pause of the machine while calibrating cannot leave
 * a loop too short to time; as pyshm_bench.py calibrates Python's loops. */
static void calibrate(op *o, double sample_time) {
    size_t iters = 1;
    double t;
    while ((t = time_loop(o, iters)) < sample_time / 10 && iters < ((size_t)1 << 40))
        iters *= 2;
    for (int i = 0; i < 2 && t < sample_time; i++) {
        double again = time_loop(o, iters);
        t = again < t ? again : t;
    }
    size_t n = (size_t)((double)iters * sample_time / (t > 0 ? t : 1e-9));
    o->iters = n ? n : 1;
}

/* One timed call of create or attach; its clean-up stays off the clock. */
static double call_once(const op *o) {
    pyshm_list *l;
    uint64_t t0, t1;
    if (o->kind == CREATE) {
        t0 = bench_now_ns();
        CHECK(pyshm_list_create(NULL, o->items, o->n, PYSHM_LAYOUT_PY39, &l));
        t1 = bench_now_ns();
        track(l);
        drop_list(l);
    } else {
        char err[256];
        t0 = bench_now_ns();
        CHECK(pyshm_list_attach(pyshm_shm_name(pyshm_list_shm(o->list)), PYSHM_LAYOUT_AUTO, &l,
                                err, sizeof err));
        t1 = bench_now_ns();
        pyshm_list_free(l);
    }
    return (double)(t1 - t0) * 1e-9;
}

/* Replies with one sample: seconds per call, and the time it took. */
static void sample(const op *o, int with_length) {
    double t[CALLS], spent = 0;
    int n = 1;
    if (is_loop(o)) {
        spent = time_loop(o, o->iters);
        t[0] = spent / (double)o->iters;
    } else {
        n = CALLS;
        for (int i = 0; i < n; i++)
            spent += t[i] = call_once(o);
    }
    printf("{\"c\": [");
    for (int i = 0; i < n; i++)
        printf("%s%.6g", i ? ", " : "", t[i]);
    printf("], \"spent\": %.6g", spent);
    if (with_length && is_loop(o))
        printf(", \"loop_length\": %zu", o->iters);
    printf("}\n");
}

/* ---- the fixtures of the named operations ---------------------------------- */

static op ops[32];
static size_t n_ops;

static op *add_op(const char *name, op_kind kind) {
    op *o = &ops[n_ops++];
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", name);
    o->kind = kind;
    return o;
}

/* The same items, in the same order, as listops.py's mixed(). */
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

static void setup(void) {
    static pyshm_value mixed[BIG], ints[BIG], strs[BIG];
    static char text[BIG][8];
    make_items(mixed, BIG);
    for (size_t i = 0; i < BIG; i++) {
        snprintf(text[i], sizeof text[i], "s%04zu", i);
        ints[i] = pyshm_int((int64_t)i);
        strs[i] = pyshm_strn(text[i], 5);
    }
    static const size_t sizes[] = {10, BIG};
    char name[32];
    for (int i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "create_%zu", sizes[i]);
        op *o = add_op(name, CREATE);
        o->items = mixed;
        o->n = sizes[i];
    }
    for (int i = 0; i < 2; i++) {
        snprintf(name, sizeof name, "attach_%zu", sizes[i]);
        add_op(name, ATTACH)->list = new_list(mixed, sizes[i]);
    }

    /* get and set: a 6-item list, one item of each type. */
    static const char *types[] = {"int", "float", "bool", "str", "bytes", "none"};
    const pyshm_value six[6] = {pyshm_int(7),           pyshm_float(1.5),
                                       pyshm_bool(true),       pyshm_strn("hello", 5),
                                       pyshm_bytes("world", 5), pyshm_none()};
    const pyshm_value repl[6] = {pyshm_int(8),           pyshm_float(2.5),
                                        pyshm_bool(false),      pyshm_strn("HELLO", 5),
                                        pyshm_bytes("WORLD", 5), pyshm_none()};
    pyshm_list *l6 = new_list(six, 6);
    for (int t = 0; t < 6; t++) {
        for (int set = 0; set < 2; set++) {
            snprintf(name, sizeof name, "%s_%s", set ? "set" : "get", types[t]);
            op *o = add_op(name, set ? SET : GET);
            o->list = l6;
            o->index = t;
            o->value = repl[t];
        }
    }

    /* count and index over 10,000 items, the sought value last, so that
     * both compare every item. */
    for (int kind = 0; kind < 2; kind++) {
        const pyshm_value *items = kind ? strs : ints;
        pyshm_list *l = new_list(items, BIG);
        for (int scan = 0; scan < 2; scan++) {
            snprintf(name, sizeof name, "%s_%s_%d", scan ? "index" : "count",
                     kind ? "str" : "int", BIG);
            op *o = add_op(name, scan ? INDEX : COUNT);
            o->list = l;
            o->value = items[BIG - 1];
        }
    }
}

static op *find_op(const char *name) {
    for (size_t i = 0; i < n_ops; i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

/* ---- the sweep ---------------------------------------------------------------- */

/* One point of an axis: its list, items and one op of each kind, each
 * calibrated on its first sample. */
typedef struct point {
    int by_size; /* the axis: 0 n, 1 size */
    size_t x;
    pyshm_value *items;
    size_t n;
    unsigned char *data; /* size axis: the items' bytes and the new value's */
    pyshm_list *list;
    op ops[4]; /* GET, SET, COUNT, CREATE */
    int calibrated[4];
} point;

static point points[MAX_POINTS];
static size_t n_points;

static point *find_point(const char *axis, size_t x) {
    int by_size = strcmp(axis, "size") == 0;
    if ((!by_size && strcmp(axis, "n") != 0) || x == 0)
        return NULL;
    for (size_t i = 0; i < n_points; i++)
        if (points[i].by_size == by_size && points[i].x == x)
            return &points[i];
    if (n_points == MAX_POINTS)
        return NULL;
    point *p = &points[n_points++];
    memset(p, 0, sizeof *p);
    p->by_size = by_size;
    p->x = x;
    pyshm_value value;
    if (!by_size) {
        p->n = x;
        p->items = xmalloc(x * sizeof *p->items);
        for (size_t i = 0; i < x; i++)
            p->items[i] = pyshm_int((int64_t)i);
        value = pyshm_int(-1);
    } else {
        p->n = SWEEP_ITEMS;
        p->items = xmalloc(SWEEP_ITEMS * sizeof *p->items);
        p->data = xmalloc(2 * x);
        memset(p->data, 'x', x);
        memset(p->data + x, 'y', x);
        for (size_t i = 0; i < SWEEP_ITEMS; i++)
            p->items[i] = pyshm_bytes(p->data, x);
        value = pyshm_bytes(p->data + x, x);
    }
    p->list = new_list(p->items, p->n);
    static const op_kind kinds[4] = {GET, SET, COUNT, CREATE};
    for (int k = 0; k < 4; k++) {
        op *o = &p->ops[k];
        o->kind = kinds[k];
        o->list = p->list;
        o->index = (int64_t)p->n - 1;
        o->value = kinds[k] == COUNT ? p->items[p->n - 1] : value;
        o->items = p->items;
        o->n = p->n;
    }
    return p;
}

static op *sweep_op(const char *name, const char *axis, size_t x, double sample_time) {
    static const char *names[4] = {"get", "set", "count", "create"};
    point *p = find_point(axis, x);
    if (!p)
        return NULL;
    for (int k = 0; k < 4; k++) {
        if (strcmp(names[k], name) != 0)
            continue;
        if (!p->calibrated[k] && is_loop(&p->ops[k]))
            calibrate(&p->ops[k], sample_time);
        p->calibrated[k] = 1;
        return &p->ops[k];
    }
    return NULL;
}

static void free_points(void) {
    for (size_t i = 0; i < n_points; i++) {
        drop_list(points[i].list);
        free(points[i].items);
        free(points[i].data);
    }
}

/* ---- the request loop ---------------------------------------------------------- */

static int bad(const char *line) {
    printf("{\"error\": \"bad request\"}\n");
    fprintf(stderr, "listops: bad request: %s", line);
    return 2;
}

int main(int argc, char **argv) {
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: listops < requests > replies (see the top of listops.c)\n");
        return 2;
    }
    atexit(unlink_live);
    setvbuf(stdout, NULL, _IOLBF, 0);
    setup();
    char line[256], cmd[32], a[32], b[32];
    double secs;
    size_t x;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, stdin)) {
        int got = sscanf(line, "%31s %31s %31s %zu %lf", cmd, a, b, &x, &secs);
        if (got >= 1 && strcmp(cmd, "hello") == 0) {
            printf("{\"version\": \"%s\", \"ops\": [", PYSHM_VERSION);
            for (size_t i = 0; i < n_ops; i++)
                printf("%s\"%s\"", i ? ", " : "", ops[i].name);
            printf("]}\n");
        } else if (got == 2 && strcmp(cmd, "calibrate") == 0 && (secs = strtod(a, NULL)) > 0) {
            printf("{\"iters\": {");
            int first = 1;
            for (size_t i = 0; i < n_ops; i++) {
                if (!is_loop(&ops[i]))
                    continue;
                calibrate(&ops[i], secs);
                printf("%s\"%s\": %zu", first ? "" : ", ", ops[i].name, ops[i].iters);
                first = 0;
            }
            printf("}}\n");
        } else if (got == 2 && strcmp(cmd, "sample") == 0 && find_op(a)) {
            op *o = find_op(a);
            if (is_loop(o) && !o->iters)
                rc = bad(line);
            else
                sample(o, 0);
        } else if (got == 5 && strcmp(cmd, "sweep") == 0 && secs > 0) {
            op *o = sweep_op(a, b, x, secs);
            if (o)
                sample(o, 1);
            else
                rc = bad(line);
        } else {
            rc = bad(line);
        }
    }
    free_points();
    return rc;
}
