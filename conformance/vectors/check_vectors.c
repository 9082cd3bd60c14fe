/*
 * check-vectors DIR: checks libpyshm against the golden vectors in DIR
 * (NAME.vec files written by generate.py from CPython), with no Python.
 *
 * For each vector: encode the items, apply the sets, compare with the image
 * CPython wrote; decode that image and compare the values CPython read. A
 * vector with an `error` line holds an image that must be refused with that
 * Python exception. Prints `ok - NAME` or `not ok - NAME: why` per vector
 * and ends with `N passed, N failed`; exits 1 if any failed.
 *
 * Images are stored little-endian, as CPython wrote them on such a host.
 * CPython writes native byte order, so on a big-endian host the expected
 * bytes are derived by swapping the int64 header words and the 8-byte q/d
 * slots (found by their format strings), never skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyshm.h"
#include "../common/native_image.h"
#include "../common/wire_value.h"

#define MAXMSG 512

typedef struct {
    long long index;
    pyshm_value v;
} indexed;

typedef struct {
    pyshm_layout layout;
    pyshm_value *items;
    size_t n_items;
    indexed *sets;
    size_t n_sets;
    indexed *expects;
    size_t n_expects;
    char error[64];
    unsigned char *image;
    size_t image_len;
    int has_image;
    /* every str/bytes buffer, freed with the vector */
    unsigned char **owned;
    size_t n_owned;
} vector;

static int grow(void **p, size_t n, size_t size) {
    /* capacity doubles at powers of two; n is the new count */
    if (n & (n - 1))
        return 0;
    void *q = realloc(*p, (n ? n * 2 : 1) * size);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

static void vector_free(vector *v) {
    for (size_t i = 0; i < v->n_owned; i++)
        free(v->owned[i]);
    free(v->owned);
    free(v->items);
    free(v->sets);
    free(v->expects);
    free(v->image);
}

/* Parses "TYPE [VALUE]" into *out; str/bytes data is kept in v->owned. */
static int parse_value(vector *v, char *type, char *val, pyshm_value *out) {
    unsigned char *buf;
    if (wire_value_parse(type, strlen(type), val, out, &buf) != WIRE_OK)
        return -1;
    if (buf == NULL)
        return 0;
    if (grow((void **)&v->owned, v->n_owned, sizeof *v->owned)) {
        free(buf);
        return -1;
    }
    v->owned[v->n_owned++] = buf; /* *out points into it */
    return 0;
}

static char *next_word(char **p) {
    while (**p == ' ' || **p == '\t')
        (*p)++;
    if (!**p)
        return NULL;
    char *w = *p;
    while (**p && **p != ' ' && **p != '\t')
        (*p)++;
    if (**p)
        *(*p)++ = '\0';
    return w;
}

static int parse_indexed(vector *v, char *rest, indexed **arr, size_t *n) {
    char *idx = next_word(&rest), *type = next_word(&rest), *val = next_word(&rest);
    char *end;
    if (!idx || !type || next_word(&rest))
        return -1;
    long long i = strtoll(idx, &end, 10);
    if (*end || grow((void **)arr, *n, sizeof **arr))
        return -1;
    (*arr)[*n].index = i;
    if (parse_value(v, type, val, &(*arr)[*n].v))
        return -1;
    (*n)++;
    return 0;
}

/* Parses a whole file's text (modified in place). 0, or -1 with msg. */
static int parse_vector(char *text, vector *v, char *msg) {
    int lineno = 0;
    memset(v, 0, sizeof *v);
    for (char *line = text; line; ) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[len - 1] = '\0';
        char *p = line;
        char *kw = next_word(&p);
        int bad = 0;
        if (!kw || kw[0] == '#') {
            /* blank or comment */
        } else if (strcmp(kw, "layout") == 0) {
            char *l = next_word(&p);
            bad = !l || wire_layout_parse(l, &v->layout) != WIRE_OK;
        } else if (strcmp(kw, "item") == 0) {
            char *type = next_word(&p), *val = next_word(&p);
            bad = !type || grow((void **)&v->items, v->n_items, sizeof *v->items) ||
                  parse_value(v, type, val, &v->items[v->n_items]);
            if (!bad)
                v->n_items++;
        } else if (strcmp(kw, "set") == 0) {
            bad = parse_indexed(v, p, &v->sets, &v->n_sets);
        } else if (strcmp(kw, "expect") == 0) {
            bad = parse_indexed(v, p, &v->expects, &v->n_expects);
        } else if (strcmp(kw, "error") == 0) {
            char *e = next_word(&p);
            bad = !e || strlen(e) >= sizeof v->error;
            if (!bad)
                strcpy(v->error, e);
        } else if (strcmp(kw, "image") == 0) {
            char *h = next_word(&p);
            bad = !h || v->has_image || wire_unhex(h, &v->image, &v->image_len);
            v->has_image = !bad;
        } else {
            bad = 1;
        }
        if (bad) {
            snprintf(msg, MAXMSG, "line %d: cannot parse `%.40s`", lineno, kw ? kw : "");
            return -1;
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!v->layout || !v->has_image) {
        snprintf(msg, MAXMSG, "missing %s line", v->layout ? "image" : "layout");
        return -1;
    }
    return 0;
}

/* ---- checks ------------------------------------------------------------- */

static const char *type_name(pyshm_type t) {
    static const char *names[] = {"none", "int", "float", "bool", "str", "bytes"};
    return (unsigned)t < 6 ? names[t] : "?";
}

static int same_value(const pyshm_value *a, const pyshm_value *b) {
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case PYSHM_NONE: return 1;
    case PYSHM_INT: return a->u.i == b->u.i;
    case PYSHM_BOOL: return a->u.b == b->u.b;
    case PYSHM_FLOAT: return memcmp(&a->u.f, &b->u.f, sizeof a->u.f) == 0;
    default:
        return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
    }
}

static int check_error(vector *v, char *msg) {
    pyshm_list *l = NULL;
    char err[256] = "";
    int rc = pyshm_list_wrap(v->image, v->image_len, v->layout, &l, err, sizeof err);
    for (int64_t i = 0; !rc && i < pyshm_list_len(l); i++) {
        pyshm_value out;
        rc = pyshm_list_get(l, i, &out);
        if (rc)
            snprintf(err, sizeof err, "item %lld: %s", (long long)i, pyshm_list_errmsg(l));
    }
    pyshm_list_free(l);
    if (!rc) {
        snprintf(msg, MAXMSG, "image accepted, but it must be refused with %s", v->error);
        return -1;
    }
    if (strcmp(pyshm_err_pyexc(rc), v->error)) {
        snprintf(msg, MAXMSG, "refused with %s (%s), expected %s", pyshm_err_pyexc(rc), err, v->error);
        return -1;
    }
    return 0;
}

static int check_encode(vector *v, char *msg) {
    size_t size = 0;
    int rc = pyshm_list_image_size(v->items, v->n_items, v->layout, &size);
    if (rc) {
        snprintf(msg, MAXMSG, "image size: %s", pyshm_strerror(rc));
        return -1;
    }
    if (size != v->image_len) {
        snprintf(msg, MAXMSG, "image size %zu, CPython's is %zu", size, v->image_len);
        return -1;
    }
    unsigned char *buf = calloc(size ? size : 1, 1);
    if (!buf)
        return -1;
    pyshm_list *l = NULL;
    char err[256] = "";
    rc = pyshm_list_encode(buf, size, v->items, v->n_items, v->layout);
    if (!rc)
        rc = pyshm_list_wrap(buf, size, v->layout, &l, err, sizeof err);
    for (size_t i = 0; !rc && i < v->n_sets; i++) {
        rc = pyshm_list_set(l, v->sets[i].index, &v->sets[i].v);
        if (rc)
            snprintf(err, sizeof err, "set %zu: %s", i, pyshm_list_errmsg(l));
    }
    pyshm_list_free(l);
    if (rc) {
        snprintf(msg, MAXMSG, "encode: %s %s", pyshm_strerror(rc), err);
        free(buf);
        return -1;
    }
    for (size_t i = 0; i < size; i++)
        if (buf[i] != v->image[i]) {
            snprintf(msg, MAXMSG, "first differing byte at offset %zu: expected %02x, got %02x",
                     i, v->image[i], buf[i]);
            free(buf);
            return -1;
        }
    free(buf);
    return 0;
}

static int check_decode(vector *v, char *msg) {
    pyshm_list *l = NULL;
    char err[256] = "";
    int rc = pyshm_list_wrap(v->image, v->image_len, v->layout, &l, err, sizeof err);
    if (rc) {
        snprintf(msg, MAXMSG, "CPython's image refused: %s", err);
        return -1;
    }
    if (pyshm_list_len(l) != (int64_t)v->n_items) {
        snprintf(msg, MAXMSG, "len %lld, expected %zu", (long long)pyshm_list_len(l), v->n_items);
        pyshm_list_free(l);
        return -1;
    }
    for (size_t k = 0; k < v->n_expects; k++) {
        pyshm_value got;
        const indexed *e = &v->expects[k];
        rc = pyshm_list_get(l, e->index, &got);
        if (rc) {
            snprintf(msg, MAXMSG, "item %lld: %s (%s)", e->index, pyshm_err_pyexc(rc),
                     pyshm_list_errmsg(l));
            break;
        }
        if (!same_value(&got, &e->v)) {
            snprintf(msg, MAXMSG, "item %lld: got a %s, expected the %s CPython read", e->index,
                     type_name(got.type), type_name(e->v.type));
            rc = -1;
            break;
        }
    }
    pyshm_list_free(l);
    return rc ? -1 : 0;
}

static int check_file(const char *path, char *msg) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, MAXMSG, "cannot open: %s", strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0, got;
    char *text = malloc(cap);
    while (text && (got = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *t = realloc(text, cap *= 2);
            if (!t)
                free(text);
            text = t;
        }
    }
    fclose(f);
    if (!text) {
        snprintf(msg, MAXMSG, "out of memory");
        return -1;
    }
    text[len] = '\0';
    vector v;
    int rc = parse_vector(text, &v, msg);
    free(text);
    if (!rc) {
        native_image(v.image, v.image_len, v.layout);
        if (v.error[0])
            rc = check_error(&v, msg);
        else
            rc = check_encode(&v, msg) || check_decode(&v, msg) ? -1 : 0;
    }
    vector_free(&v);
    return rc;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".vec"))
            continue;
        if (grow((void **)&names, n, sizeof *names) || !(names[n] = malloc(l + 1)))
            return 2;
        strcpy(names[n++], e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    unsigned passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        size_t plen = strlen(argv[1]) + strlen(names[i]) + 2;
        char *path = malloc(plen), msg[MAXMSG] = "";
        if (!path)
            return 2;
        snprintf(path, plen, "%s/%s", argv[1], names[i]);
        names[i][strlen(names[i]) - 4] = '\0';
        if (check_file(path, msg) == 0) {
            printf("ok - %s\n", names[i]);
            passed++;
        } else {
            printf("not ok - %s: %s\n", names[i], msg);
            failed++;
        }
        free(path);
        free(names[i]);
    }
    free(names);
    printf("%u passed, %u failed\n", passed, failed);
    return failed || !n ? 1 : 0;
}
