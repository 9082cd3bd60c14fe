/*
 * Hostile writer: one process keeps rewriting a live ShareableList image
 * (random bytes, header words, formats, codes, and whole valid images of
 * either layout, mutated) while this process reads it through the
 * reference, built with ASan and UBSan: get, get_copy, item_format, count,
 * index, format, repr and inspect, through an attached handle and through
 * pyshm_list_wrap() over a mapping fenced by inaccessible pages, so a read
 * outside the image faults. Every call must return a value or an error
 * code, and a str copied by get_copy must be valid UTF-8 however the
 * writer races it.
 *
 *   usage: hostile [SECONDS [SEED]]
 */
#include "pyshm.h"
#include "utf8_check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_ITEMS 8 /* a multiple of 8 lets the image end on a page boundary */

static uint64_t rng_state;

static uint64_t rnd(void) { /* xorshift64*: reproducible from the seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what, int rc) {
    fprintf(stderr, "hostile: %s: %d (%s)\n", what, rc, pyshm_err_name(rc));
    exit(1);
}

/* ---- the writer ---------------------------------------------------------- */

static const char *const formats[] = {"q", "d", "xxxxxxx?", "xxxxxx?x", "8s", "16s", "0s",
                                      "08s", "9999992s", "<q", "2q", "s", "\xff\xfe"};

static pyshm_value random_value(char *scratch, size_t cap) {
    size_t len = (size_t)(rnd() % (cap < 40 ? cap : 40));
    for (size_t i = 0; i < len; i++)
        scratch[i] = (char)(rnd() % 3 ? 'a' + rnd() % 26 : 0);
    switch (rnd() % 6) {
    case 0:
        return pyshm_int((int64_t)rnd());
    case 1: {
        uint64_t bits = rnd();
        double f;
        memcpy(&f, &bits, sizeof f);
        return pyshm_float(f);
    }
    case 2:
        return pyshm_bool(rnd() & 1);
    case 3:
        return pyshm_none();
    case 4:
        return pyshm_strn(scratch, len);
    default:
        return pyshm_bytes(scratch, len);
    }
}

/* A valid image of random items, of either layout, if it fits in size. */
static size_t valid_image(uint8_t *out, size_t size) {
    char scratch[N_ITEMS][40];
    pyshm_value items[N_ITEMS];
    size_t n = (size_t)(rnd() % N_ITEMS), need = 0;
    for (size_t i = 0; i < n; i++)
        items[i] = random_value(scratch[i], sizeof scratch[i]);
    pyshm_layout layout = rnd() & 1 ? PYSHM_LAYOUT_PY38 : PYSHM_LAYOUT_PY39;
    if (pyshm_list_image_size(items, n, layout, &need) != 0 || need > size)
        return 0;
    return pyshm_list_encode(out, size, items, n, layout) == 0 ? need : 0;
}

static void rewrite(uint8_t *buf, size_t size, uint8_t *scratch) {
    size_t at = (size_t)(rnd() % size), len = 1 + (size_t)(rnd() % 64);
    if (len > size - at)
        len = size - at;
    switch (rnd() % 6) {
    case 0: /* random bytes */
        for (size_t i = 0; i < len; i++)
            buf[at + i] = (uint8_t)rnd();
        break;
    case 1: { /* a header word: N, an offset or a size */
        static const int64_t words[] = {0, 1, 2, 8, 16, -1, -8, INT64_MAX, INT64_MIN, 4096, 1 << 20};
        int64_t w = rnd() & 1 ? words[rnd() % (sizeof words / sizeof words[0])] : (int64_t)(rnd() % 256);
        size_t word = 8 * (size_t)(rnd() % (N_ITEMS + 2));
        if (word + 8 <= size)
            memcpy(buf + word, &w, 8);
        break;
    }
    case 2: { /* a format string somewhere 8-aligned */
        const char *f = formats[rnd() % (sizeof formats / sizeof formats[0])];
        size_t field = (at & ~(size_t)7);
        if (field + 8 <= size) {
            memset(buf + field, 0, 8);
            memcpy(buf + field, f, strlen(f));
        }
        break;
    }
    case 3: /* codes near the end */
        buf[size - 1 - (size_t)(rnd() % (2 * N_ITEMS < size ? 2 * N_ITEMS : size))] = (uint8_t)(rnd() % 6 - 1);
        break;
    default: { /* a whole valid image, sometimes damaged */
        size_t n = valid_image(scratch, size);
        if (n == 0)
            break;
        if (rnd() & 1)
            scratch[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
        memcpy(buf, scratch, n);
        break;
    }
    }
}

static _Noreturn void writer(const char *name, pid_t parent, double deadline) {
    pyshm_shm *shm = NULL;
    if (pyshm_shm_attach(name, &shm) != 0)
        _exit(2);
    uint8_t *buf = pyshm_shm_buf(shm);
    size_t size = pyshm_shm_size(shm);
    uint8_t *scratch = malloc(size);
    if (!scratch)
        _exit(2);
    for (unsigned long k = 0;; k++) {
        rewrite(buf, size, scratch);
        /* Orphaned (the reader crashed) or overdue: remove the block. */
        if ((k & 1023) == 0 && (getppid() != parent || now() > deadline)) {
            pyshm_unlink(name);
            _exit(0);
        }
    }
}

/* ---- the reader ---------------------------------------------------------- */

typedef struct stats {
    unsigned long calls, values, errors, attaches, wraps;
} stats;

static void expect_code(int rc, const char *what, stats *st) {
    st->calls++;
    if (rc == 0) {
        st->values++;
        return;
    }
    st->errors++;
    if (rc > 0 || strcmp(pyshm_err_name(rc), "UNKNOWN") == 0)
        fail(what, rc);
}

static void read_all(pyshm_list *l, stats *st, const uint8_t *lo, const uint8_t *hi) {
    int64_t n = pyshm_list_len(l);
    static char text[1 << 16];
    for (int64_t i = 0; i < n; i++) {
        pyshm_value v, c;
        int rc = pyshm_list_get(l, i, &v);
        expect_code(rc, "get", st);
        if (rc == 0 && (v.type == PYSHM_STR || v.type == PYSHM_BYTES) && v.u.s.len > 0 && lo &&
            ((const uint8_t *)v.u.s.ptr < lo || (const uint8_t *)v.u.s.ptr + v.u.s.len > hi))
            fail("get: value outside the image", 0);
        size_t alloc = 0;
        if (pyshm_list_slot(l, i, &alloc) != 0)
            fail("slot of a valid index", 0);
        char *copy = malloc(alloc ? alloc : 1);
        if (!copy)
            fail("malloc", 0);
        rc = pyshm_list_get_copy(l, i, &c, copy, alloc);
        expect_code(rc, "get_copy", st);
        if (rc == 0 && (c.type == PYSHM_STR || c.type == PYSHM_BYTES)) {
            if (c.u.s.len > alloc || (c.u.s.len && c.u.s.ptr[c.u.s.len - 1] == 0))
                fail("get_copy: bad length", 0);
            if (c.type == PYSHM_STR && !fuzz_utf8_valid((const uint8_t *)c.u.s.ptr, c.u.s.len))
                fail("get_copy: str is not valid UTF-8", 0);
        }
        if (rc == 0) {
            int64_t count, index;
            expect_code(pyshm_list_count(l, &c, &count), "count", st);
            expect_code(pyshm_list_index(l, &c, &index), "index", st);
        }
        free(copy);
        char fmt[9];
        expect_code(pyshm_list_item_format(l, i, fmt), "item_format", st);
    }
    size_t len;
    expect_code(pyshm_list_format(l, text, sizeof text, &len), "format", st);
    expect_code(pyshm_list_repr(l, text, sizeof text, &len), "repr", st);
}

static void ignore_line(const char *line, void *arg) {
    (void)line;
    (void)arg;
}

/* The image at the end of a private view, between two inaccessible pages. */
static uint8_t *fenced_view(const char *name, size_t size, size_t *total) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    *total = size + 2 * page;
    uint8_t *region = mmap(NULL, *total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        fail("mmap", 0);
    char path[80];
    snprintf(path, sizeof path, "/%s", name);
    int fd = shm_open(path, O_RDWR, 0);
    if (fd < 0 || mmap(region + page, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
                      MAP_FAILED)
        fail("map the block", 0);
    close(fd);
    return region;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 5;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
    if (rng_state == 0)
        rng_state = 1;
    printf("hostile: seed %llu\n", (unsigned long long)rng_state);

    /* Items sized so the image fills whole pages (see fenced_view). */
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    static char filler[1 << 16];
    memset(filler, 'f', sizeof filler);
    pyshm_value items[N_ITEMS] = {pyshm_int(1), pyshm_float(2.5), pyshm_bool(true), pyshm_none(),
                                  pyshm_str("h\xc3\xa9llo"), pyshm_bytes("b\0b", 3), pyshm_int(-3),
                                  pyshm_bytes(filler, 0)};
    size_t size;
    if (pyshm_list_image_size(items, N_ITEMS, PYSHM_LAYOUT_PY39, &size) != 0)
        fail("image_size", 0);
    size_t want = 2 * page;
    items[N_ITEMS - 1] = pyshm_bytes(filler, want - size); /* its slot grows by want - size */
    pyshm_list *list = NULL;
    int rc = pyshm_list_create(NULL, items, N_ITEMS, PYSHM_LAYOUT_PY39, &list);
    if (rc != 0)
        fail("create", rc);
    char name[64];
    snprintf(name, sizeof name, "%s", pyshm_shm_name(pyshm_list_shm(list)));
    size = pyshm_shm_size(pyshm_list_shm(list));
    if (size != want)
        fail("image does not fill its pages", (int)size);

    double deadline = now() + seconds;
    fflush(stdout);
    pid_t parent = getpid(), child = fork();
    if (child < 0)
        fail("fork", 0);
    if (child == 0)
        writer(name, parent, deadline + 10);

    size_t total;
    uint8_t *region = fenced_view(name, size, &total);
    uint8_t *img = region + page;
    stats st = {0};
    while (now() < deadline) {
        pyshm_list *l = NULL;
        char msg[256];
        /* Through a handle of its own, attached now (the header is read
         * once per attach, then the items are re-read each time). */
        rc = pyshm_list_attach(name, PYSHM_LAYOUT_AUTO, &l, msg, sizeof msg);
        expect_code(rc, "attach", &st);
        if (rc == 0) {
            st.attaches++;
            for (int k = 0; k < 4; k++)
                read_all(l, &st, NULL, NULL);
            pyshm_list_free(l);
        }
        /* Through caller memory whose every neighbour faults. */
        for (int layout = 0; layout < 3; layout++) {
            static const pyshm_layout layouts[] = {PYSHM_LAYOUT_AUTO, PYSHM_LAYOUT_PY38,
                                                   PYSHM_LAYOUT_PY39};
            rc = pyshm_list_wrap(img, size, layouts[layout], &l, msg, sizeof msg);
            expect_code(rc, "wrap", &st);
            if (rc == 0) {
                st.wraps++;
                read_all(l, &st, img, img + size);
                pyshm_list_free(l);
            }
            expect_code(pyshm_inspect(img, size, layouts[layout], ignore_line, NULL), "inspect", &st);
        }
    }
    kill(child, SIGKILL);
    int status;
    waitpid(child, &status, 0);
    munmap(region, total);
    pyshm_shm_unlink(pyshm_list_shm(list));
    pyshm_list_free(list);
    printf("hostile: %.0f s, %lu calls (%lu values, %lu errors; %lu attaches and %lu wraps "
           "accepted): no crash\n",
           seconds, st.calls, st.values, st.errors, st.attaches, st.wraps);
    return 0;
}
