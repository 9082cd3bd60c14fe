/* The block commands: create, unlink, ls, dump; and parse. */
#include "cli.h"
#include "hexdump.h"
#include "json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int cmd_create(opts *o) {
    if (need_args(o, 1)) return 2;
    char *end;
    long long size = strtoll(o->argv[0], &end, 10);
    if (*end != '\0' || end == o->argv[0]) return usage_error("SIZE must be an integer");
    int rc = pyshm_shm_create(o->name, size, &st.shm);
    if (rc) return fail_name(rc, NULL, o->name);
    print_name(pyshm_shm_name(st.shm), "\n");
    return 0;
}

int cmd_unlink(opts *o) {
    if (need_args(o, 1)) return 2;
    int rc = pyshm_unlink(o->argv[0]);
    return rc ? fail_name(rc, NULL, o->argv[0]) : 0;
}

/* ---- ls ------------------------------------------------------------------ */

typedef struct {
    char *name;
    uint64_t size;
    int rc;           /* why the block could not be read (--long), or 0 */
    bool is_list;     /* holds a valid ShareableList header */
    pyshm_layout layout;
    int64_t items;
} block;

typedef struct {
    block *v;
    size_t n, cap;
} blocks;

static int collect(const char *name, uint64_t size, void *arg) {
    blocks *bs = arg;
    if (bs->n == bs->cap) {
        size_t cap = bs->cap ? 2 * bs->cap : 64;
        block *v = realloc(bs->v, cap * sizeof *v);
        if (v == NULL) return PYSHM_ENOMEM;
        bs->v = v;
        bs->cap = cap;
    }
    block *b = &bs->v[bs->n];
    memset(b, 0, sizeof *b);
    b->name = malloc(strlen(name) + 1);
    if (b->name == NULL) return PYSHM_ENOMEM;
    strcpy(b->name, name);
    b->size = size;
    bs->n++;
    return 0;
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const block *)a)->name, ((const block *)b)->name);
}

/*
 * Whether a block holds a ShareableList: its header is one CPython would
 * attach (either layout). A block of zeros reads as an empty list; it is
 * called one only when it has exactly an empty list's size, as CPython
 * makes it.
 */
static void classify(block *b) {
    pyshm_list *l;
    int rc = pyshm_list_attach(b->name, PYSHM_LAYOUT_AUTO, &l, NULL, 0);
    if (rc == PYSHM_ECORRUPT || rc == PYSHM_EEMPTY) return; /* another block */
    if (rc) {
        b->rc = rc;
        return;
    }
    b->layout = pyshm_list_layout(l);
    b->items = pyshm_list_len(l);
    b->is_list = b->items > 0 || pyshm_list_image_bytes(l) == b->size;
    pyshm_list_free(l);
}

static void ls_json(out_buf *o, const block *b, bool long_form) {
    out_str(o, "{\"name\": ");
    json_str(o, b->name);
    out_printf(o, ", \"size\": %" PRIu64, b->size);
    if (long_form) {
        if (b->is_list)
            out_printf(o, ", \"list\": {\"layout\": \"%s\", \"items\": %" PRId64 "}",
                       layout_name(b->layout), b->items);
        else
            out_str(o, ", \"list\": null");
        if (b->rc) {
            out_str(o, ", \"error\": ");
            json_error_open(o, b->rc, NULL);
            out_str(o, "}");
        }
    }
    out_str(o, "}");
}

static void ls_text(out_buf *o, const block *b, bool long_form) {
    out_name(o, b->name);
    out_printf(o, "\t%" PRIu64, b->size);
    if (long_form) {
        if (b->is_list)
            out_printf(o, "\tShareableList %s, %" PRId64 " item%s", layout_name(b->layout),
                       b->items, b->items == 1 ? "" : "s");
        else if (b->rc)
            out_printf(o, "\t%s: %s", pyshm_err_pyexc(b->rc), pyshm_strerror(b->rc));
        else
            out_str(o, "\t-");
    }
    out_str(o, "\n");
}

int cmd_ls(opts *o) {
    if (need_args(o, 0)) return 2;
    blocks bs = {NULL, 0, 0};
    int rc = pyshm_shm_foreach(collect, &bs);
    if (rc == 0) {
        qsort(bs.v, bs.n, sizeof *bs.v, by_name);
        out_init(&st.out);
        if (o->json) out_str(&st.out, "[");
        for (size_t i = 0; i < bs.n; i++) {
            if (o->long_form) classify(&bs.v[i]);
            if (o->json) {
                if (i) out_str(&st.out, ", ");
                ls_json(&st.out, &bs.v[i], o->long_form);
            } else {
                ls_text(&st.out, &bs.v[i], o->long_form);
            }
        }
        if (o->json) out_str(&st.out, "]\n");
    }
    for (size_t i = 0; i < bs.n; i++) free(bs.v[i].name);
    free(bs.v);
    return rc ? fail(rc, NULL, NULL) : finish(0);
}

/* ---- dump ---------------------------------------------------------------- */

int cmd_dump(opts *o) {
    if (need_args(o, 1)) return 2;
    int rc = pyshm_shm_attach(o->argv[0], &st.shm);
    if (rc) return fail_name(rc, NULL, o->argv[0]);
    const uint8_t *p = pyshm_shm_buf(st.shm);
    size_t n = pyshm_shm_size(st.shm);
    if (o->raw) {
        if (fwrite(p, 1, n, stdout) != n) return fail(PYSHM_EOS, "cannot write the bytes", NULL);
    } else {
        hexdump_c(stdout, p, n);
    }
    return 0;
}

/* ---- parse --------------------------------------------------------------- */

static void parse_json(out_buf *b, const char *text, int rc, const pyshm_literal *lit,
                       const char *why) {
    out_str(b, "{\"text\": ");
    json_str(b, text);
    if (rc == 0) {
        out_str(b, ", \"value\": ");
        json_value(b, &lit->value);
    } else {
        out_str(b, ", \"error\": ");
        json_error_open(b, rc, why);
        if (rc == PYSHM_EINVAL) {
            size_t line, column;
            literal_position(text, lit->err_at, &line, &column);
            out_printf(b, ", \"line\": %zu, \"column\": %zu", line, column);
            if (lit->suggestion) {
                out_str(b, ", \"suggestion\": ");
                json_str(b, lit->suggestion);
            }
        }
        out_str(b, "}");
    }
    out_str(b, "}");
}

/* One line per VALUE: its repr(), or "error: " with the Python exception,
 * the reason and where (escaped like every message); status 1 if any is
 * refused. */
int cmd_parse(opts *o) {
    int status = 0;
    out_init(&st.out);
    if (o->json) out_str(&st.out, "[");
    for (int i = 0; i < o->argc; i++) {
        const char *text = o->argv[i];
        pyshm_literal lit;
        char why[300];
        int rc = pyshm_literal_parse(text, strlen(text), &lit, why, sizeof why);
        status |= rc != 0;
        if (o->json) {
            if (i) out_str(&st.out, ", ");
            parse_json(&st.out, text, rc, &lit, why);
        } else if (rc == 0) {
            out_repr(&st.out, &lit.value);
        } else {
            out_buf msg;
            out_init(&msg);
            out_printf(&msg, "error: %s: %s", pyshm_err_pyexc(rc), why[0] ? why : pyshm_strerror(rc));
            if (rc == PYSHM_EINVAL) literal_where(&msg, text, &lit);
            if (msg.p) out_escaped(&st.out, msg.p, msg.len);
            else out_free(&st.out);
            out_free(&msg);
        }
        if (!o->json) out_str(&st.out, "\n");
        pyshm_literal_free(&lit);
    }
    if (o->json) out_str(&st.out, "]\n");
    return finish(0) || status;
}
