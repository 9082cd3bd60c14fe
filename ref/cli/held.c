/* What a command holds, and reading a list that other processes write. */
#include "cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <windows.h>
#endif

struct held st;
const char *volatile bus_access = "read";

void release(void) {
    pyshm_list_free(st.list); /* before the manager, which unlinks the block */
    pyshm_shm_free(st.shm);
    pyshm_manager_free(st.manager);
    free(st.rd.a);
    free(st.rd.b);
    out_free(&st.out);
    for (size_t i = 0; i < st.nlits; i++) pyshm_literal_free(&st.lits[i]);
    free(st.lits);
    free(st.items);
    free(st.argv);
    memset(&st, 0, sizeof st);
}

int parse_values(char **texts, int n, char *why, size_t whycap) {
    st.lits = calloc((size_t)n + 1, sizeof *st.lits);
    st.items = calloc((size_t)n + 1, sizeof *st.items);
    if (st.lits == NULL || st.items == NULL) return fail(PYSHM_ENOMEM, NULL, NULL);
    for (int i = 0; i < n; i++) {
        const char *text = texts[i];
        st.nlits = (size_t)i + 1;
        int rc = pyshm_literal_parse(text, strlen(text), &st.lits[i], why, whycap);
        st.items[i] = st.lits[i].value;
        if (rc == PYSHM_ERANGE || rc == PYSHM_EENCODE) return rc;
        if (rc) return literal_error(rc, text, &st.lits[i], why);
    }
    return 0;
}

int finish(int rc) {
    if (rc == 0 && st.out.p == NULL) rc = PYSHM_ENOMEM;
    if (rc == 0) {
        fputs(st.out.p, stdout);
        return 0;
    }
    const char *why = st.rd.msg[0] ? st.rd.msg : st.list ? pyshm_list_errmsg(st.list) : "";
    return fail(rc, why[0] ? why : NULL, NULL);
}

int attach_list(opts *o) {
    char why[256];
    int rc = pyshm_list_attach(o->argv[0], o->layout, &st.list, why, sizeof why);
    if (rc == 0) return 0;
    st.list = NULL;
    out_buf q;
    out_init(&q);
    out_name(&q, o->argv[0]);
    if (why[0]) {
        out_str(&q, ": ");
        out_str(&q, why);
    }
    fail(rc, NULL, q.p);
    out_free(&q);
    return 1;
}

/*
 * Another process may write an item while it is copied; each item is
 * copied twice and kept only when both copies agree (the same error, or the
 * same value), so a value half old and half new is not shown. A copy that
 * keeps changing, or an error that persists past a few short waits (a
 * writer between its format and its data), is an error.
 */
enum { READ_ATTEMPTS = 64, READ_ERROR_WAITS = 3 };

static bool same_read(int ra, const pyshm_value *a, int rb, const pyshm_value *b) {
    if (ra != rb) return false;
    if (ra != 0) return true;
    if (a->type != b->type) return false;
    switch (a->type) {
    case PYSHM_STR:
    case PYSHM_BYTES:
        return a->u.s.len == b->u.s.len &&
               (a->u.s.len == 0 || memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0);
    case PYSHM_INT: return a->u.i == b->u.i;
    case PYSHM_FLOAT: return memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0;
    case PYSHM_BOOL: return a->u.b == b->u.b;
    default: return true;
    }
}

static void short_wait(void) { /* a millisecond */
#ifdef _WIN32
    Sleep(1);
#else
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
#endif
}

int read_item(int64_t i, pyshm_value *out) {
    reader *r = &st.rd;
    r->msg[0] = '\0';
    size_t alloc;
    if (pyshm_list_slot(st.list, i, &alloc) != 0) /* the library names the error */
        return pyshm_list_get_copy(st.list, i, out, NULL, 0);
    if (alloc > r->cap) {
        free(r->a);
        free(r->b);
        r->a = malloc(alloc);
        r->b = malloc(alloc);
        r->cap = r->a && r->b ? alloc : 0;
        if (r->cap == 0) return PYSHM_ENOMEM;
    }
    int waits = 0;
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
        pyshm_value va, vb;
        int ra = pyshm_list_get_copy(st.list, i, &va, r->a, r->cap);
        int rb = pyshm_list_get_copy(st.list, i, &vb, r->b, r->cap);
        if (!same_read(ra, &va, rb, &vb)) continue;
        if (ra != 0 && waits++ < READ_ERROR_WAITS) {
            short_wait();
            continue;
        }
        *out = va;
        return ra;
    }
    snprintf(r->msg, sizeof r->msg,
             "item %" PRId64 " kept changing while being read (another process writes it)", i);
    return PYSHM_ECORRUPT;
}
