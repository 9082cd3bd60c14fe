/*
 * The reference library behind the conformance line protocol
 * (conformance/PROTOCOL.md). Uses only the public header, so it is also an
 * example of driving libpyshm from C.
 *
 * One request per stdin line, one reply per stdout line. Values the C API
 * cannot express (an int outside int64) are refused here with struct.error,
 * before the library is called: that is the reference's answer to them, and
 * it leaves blocks and slots untouched.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyshm.h"
#include "../../common/wire_value.h"

/* ---- output: one growing line, written at once ------------------------- */

static char *out_buf;
static size_t out_len, out_cap;

static void out_reserve(size_t more) {
    if (out_len + more + 1 <= out_cap)
        return;
    size_t cap = out_cap ? out_cap : 256;
    while (cap < out_len + more + 1)
        cap *= 2;
    char *p = realloc(out_buf, cap);
    if (!p) {
        fputs("adapter: out of memory\n", stderr);
        exit(2);
    }
    out_buf = p;
    out_cap = cap;
}

static int out_mem(const char *s, size_t n) {
    out_reserve(n);
    memcpy(out_buf + out_len, s, n);
    out_len += n;
    return 0;
}

static int out_str(const char *s) { return out_mem(s, strlen(s)); }

static int out_fmt_i64(long long v) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", v);
    return out_str(tmp);
}

static int out_hex(const void *data, size_t n) {
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = data;
    out_reserve(2 * n);
    for (size_t i = 0; i < n; i++) {
        out_buf[out_len++] = digits[p[i] >> 4];
        out_buf[out_len++] = digits[p[i] & 15];
    }
    return 0;
}

static void reply_flush(void) {
    out_mem("\n", 1);
    fwrite(out_buf, 1, out_len, stdout);
    fflush(stdout);
    out_len = 0;
}

static int last_errno; /* see reply_os() */
static char last_filename[512];

static int reply_err(const char *cls, const char *msg) {
    out_len = 0;
    last_errno = 0;
    last_filename[0] = '\0';
    out_str("err ");
    out_str(cls);
    if (msg && *msg) {
        out_str(" ");
        for (const char *m = msg; *m; m++) /* keep the reply on one line */
            out_mem(*m == '\n' || *m == '\r' ? " " : m, 1);
    }
    return 0;
}

static int reply_code(int rc, const char *detail) {
    return reply_err(pyshm_err_pyexc(rc), detail && *detail ? detail : pyshm_strerror(rc));
}

/* What `err_detail` reports: the errno and file name of the last OSError,
 * as CPython's exception carries them (file name "/NAME" on POSIX). */

static int errno_of(int rc) {
    switch (rc) {
    case PYSHM_ENOENT: return ENOENT;
    case PYSHM_EEXIST: return EEXIST;
    case PYSHM_EACCES: return EACCES;
    case PYSHM_EBADNAME: return EINVAL;
    case PYSHM_ENAMETOOLONG: return ENAMETOOLONG;
    case PYSHM_EOS: return pyshm_last_os_error();
    default: return 0;
    }
}

static int reply_os(int rc, const char *detail, const char *name) {
    reply_code(rc, detail);
    last_errno = errno_of(rc);
    if (last_errno && name)
        snprintf(last_filename, sizeof last_filename, "/%s", name);
    return 0;
}

static int reply_err_detail(void) {
    char tmp[32];
    if (!last_errno)
        return out_str("ok");
    snprintf(tmp, sizeof tmp, "ok errno=%d filename=", last_errno);
    out_str(tmp);
    if (!last_filename[0])
        return out_str("none");
    out_str("str:");
    return out_hex(last_filename, strlen(last_filename));
}

/* ---- handles ------------------------------------------------------------ */

typedef struct {
    char *name;
    pyshm_shm *shm;   /* a SharedMemory handle, or */
    pyshm_list *list; /* a ShareableList handle */
} handle;

static handle *handles;
static size_t n_handles;

static handle *find(const char *name) {
    for (size_t i = 0; i < n_handles; i++)
        if (strcmp(handles[i].name, name) == 0)
            return &handles[i];
    return NULL;
}

static void release(handle *h) {
    pyshm_shm_free(h->shm);
    pyshm_list_free(h->list);
    h->shm = NULL;
    h->list = NULL;
}

static void put(const char *name, pyshm_shm *shm, pyshm_list *list) {
    handle *h = find(name);
    if (h) {
        release(h);
    } else {
        handle *p = realloc(handles, (n_handles + 1) * sizeof *p);
        char *copy = malloc(strlen(name) + 1);
        if (!p || !copy) {
            fputs("adapter: out of memory\n", stderr);
            exit(2);
        }
        handles = p;
        strcpy(copy, name);
        h = &handles[n_handles++];
        h->name = copy;
    }
    h->shm = shm;
    h->list = list;
}

static void reset(void) {
    for (size_t i = 0; i < n_handles; i++) {
        release(&handles[i]);
        free(handles[i].name);
    }
    free(handles);
    handles = NULL;
    n_handles = 0;
}

/* ---- values ------------------------------------------------------------- */

/* Parses a value word ("none" or "TYPE:VALUE"): WIRE_OK, WIRE_BAD or
 * WIRE_RANGE. str/bytes data is malloc'd into *owned. */
static int parse_value(const char *w, pyshm_value *v, unsigned char **owned) {
    const char *colon = strchr(w, ':');
    if (!colon) return wire_value_parse(w, strlen(w), NULL, v, owned);
    return wire_value_parse(w, (size_t)(colon - w), colon + 1, v, owned);
}

static void out_value(const pyshm_value *v) {
    switch (v->type) {
    case PYSHM_NONE: out_str("none"); break;
    case PYSHM_INT: out_str("int:"); out_fmt_i64((long long)v->u.i); break;
    case PYSHM_BOOL: out_str(v->u.b ? "bool:1" : "bool:0"); break;
    case PYSHM_FLOAT: {
        uint64_t bits;
        char tmp[24];
        memcpy(&bits, &v->u.f, sizeof bits);
        snprintf(tmp, sizeof tmp, "float:%016llx", (unsigned long long)bits);
        out_str(tmp);
        break;
    }
    case PYSHM_STR: out_str("str:"); out_hex(v->u.s.ptr, v->u.s.len); break;
    case PYSHM_BYTES: out_str("bytes:"); out_hex(v->u.s.ptr, v->u.s.len); break;
    }
}

/* ---- commands ----------------------------------------------------------- */

#define MAXERR 256

static int parse_i64(const char *s, long long *out) {
    char *end;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return end != s && !*end && errno == 0 ? 0 : -1;
}

/* A layout word; "auto" or none (NULL) lets the library detect it. */
static int parse_layout(const char *s, pyshm_layout *out) {
    if (!s || strcmp(s, "auto") == 0) {
        *out = PYSHM_LAYOUT_AUTO;
        return 0;
    }
    return wire_layout_parse(s, out);
}

static int reply_shm_info(const pyshm_shm *shm) {
    out_str("ok ");
    out_str(pyshm_shm_name(shm));
    out_str(" ");
    return out_fmt_i64((long long)pyshm_shm_size(shm));
}

/* The block's bytes; NULL (reply set) when closed. */
static unsigned char *mapped(pyshm_shm *shm, size_t *size) {
    unsigned char *buf = shm ? pyshm_shm_buf(shm) : NULL;
    if (!buf) {
        reply_code(PYSHM_ECLOSED, NULL);
        return NULL;
    }
    *size = pyshm_shm_size(shm);
    return buf;
}

/* "track=0" / "track=1": accepted and ignored, for the reference has no
 * resource tracker (SPEC 2.3): a block lives until it is unlinked. */
static int track_option(char **a, int na, int at) {
    return na == at || (na == at + 1 && (strcmp(a[at], "track=0") == 0 ||
                                         strcmp(a[at], "track=1") == 0));
}

static int cmd_shm(const char *op, char **a, int na, handle *h) {
    int rc;
    if (strcmp(op, "create") == 0 || strcmp(op, "attach") == 0) {
        long long size = 0;
        int create = op[0] == 'c';
        int at = create ? 3 : 2;
        if (na < at || !track_option(a, na, at) || (create && parse_i64(a[2], &size)))
            return reply_err("ProtocolError",
                             "usage: shm_create H NAME SIZE [track=B] | shm_attach H NAME [track=B]");
        const char *name = strcmp(a[1], "-") ? a[1] : NULL;
        pyshm_shm *shm = NULL;
        rc = create ? pyshm_shm_create(name, (int64_t)size, &shm) : pyshm_shm_attach(name, &shm);
        if (rc)
            return reply_os(rc, NULL, name);
        put(a[0], shm, NULL);
        return reply_shm_info(shm);
    }
    if (!h || !h->shm)
        return reply_err("ProtocolError", "unknown block handle");
    size_t size;
    unsigned char *buf;
    if (strcmp(op, "info") == 0)
        return reply_shm_info(h->shm);
    if (strcmp(op, "close") == 0) { /* idempotent: a second close must succeed too */
        rc = pyshm_shm_close(h->shm);
        return rc ? reply_code(rc, NULL) : out_str("ok");
    }
    if (strcmp(op, "unlink") == 0) {
        rc = pyshm_shm_unlink(h->shm);
        return rc ? reply_os(rc, NULL, pyshm_shm_name(h->shm)) : out_str("ok");
    }
    if (strcmp(op, "dump") == 0) {
        if (!(buf = mapped(h->shm, &size)))
            return 1;
        out_str("ok ");
        return size ? out_hex(buf, size) : out_str("-");
    }
    if (strcmp(op, "read") == 0 || strcmp(op, "write") == 0) {
        long long off, n = 0;
        if (na != 3 || parse_i64(a[1], &off) || off < 0 || (op[0] == 'r' && parse_i64(a[2], &n)))
            return reply_err("ProtocolError", "usage: shm_read H OFFSET LEN | shm_write H OFFSET HEX");
        if (!(buf = mapped(h->shm, &size)))
            return 1;
        if (op[0] == 'r') { /* Python slicing clamps to the buffer */
            size_t lo = (size_t)off < size ? (size_t)off : size;
            size_t hi = n < 0 ? lo : (size_t)n > size - lo ? size : lo + (size_t)n;
            out_str("ok ");
            return hi > lo ? out_hex(buf + lo, hi - lo) : out_str("-");
        }
        unsigned char *data;
        size_t len;
        if (wire_unhex(a[2], &data, &len))
            return reply_err("ProtocolError", "bad hex");
        if ((size_t)off > size || len > size - (size_t)off) {
            free(data);
            return reply_err("ValueError", "write beyond the end of the block");
        }
        memcpy(buf + off, data, len);
        free(data);
        return out_str("ok");
    }
    return reply_err("Unsupported", op);
}

static int cmd_list_create(char **a, int na) {
    pyshm_layout layout;
    if (na < 3 || parse_layout(a[2], &layout))
        return reply_err("ProtocolError", "usage: list_create H NAME LAYOUT VALUE...");
    size_t n = (size_t)(na - 3);
    pyshm_value *items = calloc(n ? n : 1, sizeof *items);
    unsigned char **owned = calloc(n ? n : 1, sizeof *owned);
    if (!items || !owned) {
        fputs("adapter: out of memory\n", stderr);
        exit(2);
    }
    int bad = WIRE_OK;
    for (size_t i = 0; i < n && bad == WIRE_OK; i++)
        bad = parse_value(a[3 + i], &items[i], &owned[i]);
    if (bad == WIRE_RANGE) {
        reply_err("struct.error", "argument out of range (int outside int64)");
    } else if (bad) {
        reply_err("ProtocolError", "bad value");
    } else {
        pyshm_list *l = NULL;
        const char *name = strcmp(a[1], "-") ? a[1] : NULL;
        int rc = pyshm_list_create(name, items, n, layout, &l);
        if (rc) {
            reply_os(rc, NULL, name);
        } else {
            put(a[0], NULL, l);
            out_str("ok ");
            out_str(pyshm_shm_name(pyshm_list_shm(l)));
        }
    }
    for (size_t i = 0; i < n; i++)
        free(owned[i]);
    free(owned);
    free(items);
    return 0;
}

/* Runs an item call; on error replies with the code and the list's
 * explanation (which field of the image was wrong). */
static int list_fail(pyshm_list *l, int rc) {
    if (rc)
        reply_code(rc, pyshm_list_errmsg(l));
    return rc;
}

/* An integer outside int64, in decimal: the float equal to it, if one is
 * exactly equal (then only that float compares equal in Python). */
static int big_int_as_float(const char *dec, pyshm_value *v) {
    char *end, exact[400];
    double d = strtod(dec, &end);
    if (*end || !isfinite(d) || d != floor(d))
        return 0;
    snprintf(exact, sizeof exact, "%.0f", d); /* glibc prints the exact value */
    const char *s = dec + (*dec == '+');
    int neg = *s == '-';
    s += neg;
    while (*s == '0' && s[1])
        s++;
    if (strcmp(exact + (exact[0] == '-'), s) != 0 || (exact[0] == '-') != neg)
        return 0;
    *v = pyshm_float(d);
    return 1;
}

static int cmd_list(const char *op, char **a, int na, handle *h) {
    int rc;
    if (strcmp(op, "create") == 0)
        return cmd_list_create(a, na);
    if (strcmp(op, "attach") == 0) {
        pyshm_layout layout;
        char err[MAXERR] = "";
        if ((na != 2 && na != 3) || parse_layout(na == 3 ? a[2] : NULL, &layout))
            return reply_err("ProtocolError", "usage: list_attach H NAME [LAYOUT]");
        pyshm_list *l = NULL;
        const char *name = strcmp(a[1], "-") ? a[1] : NULL;
        rc = pyshm_list_attach(name, layout, &l, err, sizeof err);
        if (rc)
            return reply_os(rc, err, name);
        put(a[0], NULL, l);
        out_str("ok ");
        return out_fmt_i64((long long)pyshm_list_len(l));
    }
    if (!h || !h->list)
        return reply_err("ProtocolError", "unknown list handle");
    pyshm_list *l = h->list;
    pyshm_shm *shm = pyshm_list_shm(l);
    if (strcmp(op, "name") == 0) {
        out_str("ok ");
        return out_str(pyshm_shm_name(shm));
    }
    if (strcmp(op, "len") == 0) {
        int64_t n;
        if ((rc = pyshm_list_length(l, &n)))
            return reply_code(rc, NULL);
        out_str("ok ");
        return out_fmt_i64((long long)n);
    }
    if (strcmp(op, "close") == 0) {
        rc = pyshm_list_close(l);
        return rc ? reply_code(rc, NULL) : out_str("ok");
    }
    if (strcmp(op, "unlink") == 0) {
        rc = pyshm_shm_unlink(shm);
        return rc ? reply_os(rc, NULL, pyshm_shm_name(shm)) : out_str("ok");
    }
    if (strcmp(op, "dump") == 0) {
        size_t size;
        unsigned char *buf = mapped(shm, &size);
        if (!buf)
            return 1;
        out_str("ok ");
        return size ? out_hex(buf, size) : out_str("-");
    }
    if (strcmp(op, "format") == 0) {
        size_t len = 0;
        char small[1];
        rc = pyshm_list_format(l, small, sizeof small, &len);
        if (rc && rc != PYSHM_ENOBUFS)
            return list_fail(l, rc);
        char *fmt = malloc(len + 1);
        if (!fmt)
            return reply_code(PYSHM_ENOMEM, NULL);
        if (!list_fail(l, pyshm_list_format(l, fmt, len + 1, &len))) {
            out_str(len ? "ok " : "ok");
            out_str(fmt);
        }
        free(fmt);
        return 0;
    }
    long long idx = 0;
    if (strcmp(op, "get") == 0) {
        pyshm_value v;
        if (na != 2 || parse_i64(a[1], &idx))
            return reply_err("ProtocolError", "usage: list_get H INDEX");
        if (list_fail(l, pyshm_list_get(l, (int64_t)idx, &v)))
            return 1;
        out_str("ok ");
        out_value(&v);
        return 0;
    }
    /* set, count, index take a value */
    int is_set = strcmp(op, "set") == 0;
    if (!is_set && strcmp(op, "count") && strcmp(op, "index"))
        return reply_err("Unsupported", op);
    if (na != (is_set ? 3 : 2) || (is_set && parse_i64(a[1], &idx)))
        return reply_err("ProtocolError", "usage: list_set H INDEX VALUE | list_count/index H VALUE");
    pyshm_value v;
    unsigned char *owned;
    int pv = parse_value(a[is_set ? 2 : 1], &v, &owned);
    if (pv == WIRE_RANGE)
        owned = NULL;
    if (pv == WIRE_BAD)
        return reply_err("ProtocolError", "bad value");
    if (pv == WIRE_RANGE) {
        if (is_set) { /* CPython checks the index first */
            int64_t n;
            if (idx < -(long long)(n = pyshm_list_len(l)) || idx >= n)
                return reply_code(PYSHM_EINDEX, NULL);
            return reply_err("struct.error", "argument out of range (int outside int64)");
        }
        /* No stored int64 equals it; a float item does when it is exactly
         * that integer. */
        if (!big_int_as_float(a[1] + 4, &v)) {
            if (strcmp(op, "count") == 0)
                return out_str("ok 0");
            return reply_code(PYSHM_ENOTFOUND, NULL);
        }
    }
    if (is_set) {
        if (!list_fail(l, pyshm_list_set(l, (int64_t)idx, &v)))
            out_str("ok");
    } else {
        int64_t r = 0;
        rc = op[0] == 'c' ? pyshm_list_count(l, &v, &r) : pyshm_list_index(l, &v, &r);
        if (!list_fail(l, rc)) {
            out_str("ok ");
            out_fmt_i64((long long)r);
        }
    }
    free(owned);
    return 0;
}

static void dispatch(char **w, int n) {
    const char *cmd = w[0];
    if (strcmp(cmd, "hello") == 0) {
        /* Writes both layouts, so it matches whichever CPython is the peer.
         * Protocol 2; no buffer objects (a C library hands out a pointer);
         * `tracking` is implemented: the library has no tracker. */
        out_str("ok pyshm-" PYSHM_VERSION " py38,py39 3.8-3.13 2 shm,list,tracker");
    } else if (strcmp(cmd, "tracking") == 0) {
        out_str("ok"); /* no tracker: every mode is the same */
    } else if (strcmp(cmd, "err_detail") == 0) {
        reply_err_detail();
    } else if (strncmp(cmd, "view_", 5) == 0 || strcmp(cmd, "shm_view") == 0 ||
               strcmp(cmd, "list_view") == 0) {
        reply_err("Unsupported", "a C library exports no buffer objects, only a pointer");
    } else if (strcmp(cmd, "reset") == 0) {
        reset();
        out_str("ok");
    } else if (strncmp(cmd, "shm_", 4) == 0) {
        cmd_shm(cmd + 4, w + 1, n - 1, n > 1 ? find(w[1]) : NULL);
    } else if (strncmp(cmd, "list_", 5) == 0) {
        cmd_list(cmd + 5, w + 1, n - 1, n > 1 ? find(w[1]) : NULL);
    } else {
        reply_err("Unsupported", cmd);
    }
}

/* Reads one line of any length into *buf; -1 at end of input. */
static long read_line(char **buf, size_t *cap) {
    size_t n = 0;
    int c;
    while ((c = getchar()) != EOF && c != '\n') {
        if (n + 2 > *cap) {
            size_t nc = *cap ? *cap * 2 : 4096;
            char *p = realloc(*buf, nc);
            if (!p) {
                fputs("adapter: out of memory\n", stderr);
                exit(2);
            }
            *buf = p;
            *cap = nc;
        }
        (*buf)[n++] = (char)c;
    }
    if (c == EOF && n == 0)
        return -1;
    if (!*buf) {
        *buf = malloc(1);
        if (!*buf)
            exit(2);
    }
    if (n && (*buf)[n - 1] == '\r')
        n--;
    (*buf)[n] = '\0';
    return (long)n;
}

int main(void) {
    char *line = NULL;
    size_t cap = 0;
    char **words = NULL;
    size_t wcap = 0;
    while (read_line(&line, &cap) >= 0) {
        size_t n = 0;
        for (char *p = strtok(line, " \t"); p; p = strtok(NULL, " \t")) {
            if (n == wcap) {
                wcap = wcap ? wcap * 2 : 64;
                char **q = realloc(words, wcap * sizeof *q);
                if (!q)
                    exit(2);
                words = q;
            }
            words[n++] = p;
        }
        if (!n)
            continue;
        if (strcmp(words[0], "quit") == 0) {
            reset();
            out_str("ok");
            reply_flush();
            break;
        }
        dispatch(words, (int)n);
        reply_flush();
    }
    free(words);
    free(line);
    free(out_buf);
    return 0;
}
