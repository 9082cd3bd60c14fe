/*
 * inspect: a ShareableList image field by field, in the order the fields
 * lie in the block, each at its offset (in hex, as dump shows it) with its
 * first bytes, as text or as JSON.
 */
#include "cli.h"
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { WORD = 8, SHOWN = 8 }; /* SHOWN: bytes of a field shown in the text */

typedef struct {
    out_buf *o;
    bool json;
    bool first;         /* JSON: the next field is the first */
    const uint8_t *buf; /* the mapping */
} view;

/* Starts a field: its offset, size and name; the value follows. */
static void field(view *v, size_t offset, size_t size, const char *name) {
    if (v->json) {
        out_printf(v->o, "%s{\"offset\": %zu, \"size\": %zu, \"field\": \"%s\"", v->first ? "" : ", ",
                   offset, size, name);
        v->first = false;
        return;
    }
    static const char hex[] = "0123456789abcdef";
    char bytes[3 * SHOWN + 8];
    size_t k = 0;
    for (size_t i = 0; i < SHOWN; i++) {
        uint8_t c = v->buf && i < size ? v->buf[offset + i] : 0;
        bytes[k++] = v->buf && i < size ? hex[c >> 4] : ' ';
        bytes[k++] = v->buf && i < size ? hex[c & 15] : ' ';
        bytes[k++] = ' ';
    }
    memcpy(bytes + k, size > SHOWN ? "... " : "    ", 5);
    out_printf(v->o, "%08zx  %s %s", offset, bytes, name);
}

static void field_end(view *v) { out_str(v->o, v->json ? "}" : "\n"); }

static void field_int(view *v, size_t offset, const char *name, int64_t value) {
    field(v, offset, WORD, name);
    out_printf(v->o, v->json ? ", \"value\": %" PRId64 : " = %" PRId64, value);
    field_end(v);
}

/* The first invalid field's error, for the whole image's. */
static int first_rc;
static char first_why[256];

static void field_error(view *v, int rc, const char *why) {
    if (first_rc == 0) {
        first_rc = rc;
        snprintf(first_why, sizeof first_why, "%s", why ? why : "");
    }
    if (v->json) {
        out_str(v->o, ", \"error\": ");
        json_error_open(v->o, rc, why);
        out_str(v->o, "}");
    } else {
        out_printf(v->o, ": INVALID %s", why && *why ? why : pyshm_strerror(rc));
    }
}

static const char *code_meaning(int code) {
    switch (code) {
    case 0: return "int/float/bool";
    case 1: return "str";
    case 2: return "bytes";
    case 3: return "None";
    default: return "unknown";
    }
}

static int64_t word_at(const uint8_t *buf, size_t offset) {
    int64_t w;
    memcpy(&w, buf + offset, sizeof w); /* native byte order, as CPython writes */
    return w;
}

static void begin(view *v, const char *name, size_t size) {
    if (v->json) {
        out_str(v->o, "{\"name\": ");
        json_str(v->o, name);
        out_printf(v->o, ", \"size\": %zu", size);
    } else {
        out_str(v->o, "block ");
        out_name(v->o, name);
        out_printf(v->o, "\n%zu bytes", size);
    }
}

static void table_head(view *v) {
    if (v->json) out_str(v->o, ", \"fields\": [");
    else out_str(v->o, "offset    bytes                        field\n");
}

/* The header as far as it was read, when the library refused it: N, and
 * the offsets or sizes up to the one its message names ("offsets[3]: ..."),
 * within the bytes that were trusted. */
static void explain_bad_header(view *v, const opts *o, const char *why, int rc) {
    pyshm_shm *shm = NULL;
    int arc = pyshm_shm_attach(o->argv[0], &shm);
    size_t len = arc == 0 ? pyshm_shm_data_size(shm) : 0;
    st.shm = shm;
    v->buf = arc == 0 ? pyshm_shm_buf(shm) : NULL;
    size_t k = 0;
    const char *kind = sscanf(why, "offsets[%zu]", &k) == 1 ? "offsets"
                       : sscanf(why, "sizes[%zu]", &k) == 1 ? "sizes"
                                                            : NULL;
    begin(v, o->argv[0], arc == 0 ? pyshm_shm_size(shm) : 0);
    if (v->json) {
        out_printf(v->o, ", \"layout\": %s, \"detected\": %s, \"n\": ",
                   kind == NULL ? "null" : kind[0] == 'o' ? "\"py39\"" : "\"py38\"",
                   o->layout == PYSHM_LAYOUT_AUTO ? "true" : "false");
        if (len >= WORD) out_printf(v->o, "%" PRId64, word_at(v->buf, 0));
        else out_str(v->o, "null");
        out_str(v->o, ", \"valid\": false, \"error\": ");
        json_error_open(v->o, rc, why);
        out_str(v->o, "}");
    } else {
        out_str(v->o, ": not a valid ShareableList image\n");
    }
    table_head(v);
    if (len >= WORD) field_int(v, 0, "N", word_at(v->buf, 0));
    for (size_t i = 0; kind && i <= k && WORD * (i + 2) <= len; i++) {
        char name[48];
        snprintf(name, sizeof name, "%s[%zu]", kind, i);
        field_int(v, WORD * (i + 1), name, word_at(v->buf, WORD * (i + 1)));
    }
    if (v->json) out_str(v->o, "]}\n");
    else out_printf(v->o, "INVALID %s\n", why);
}

int cmd_inspect(opts *o) {
    if (need_args(o, 1)) return 2;
    char why[512];
    int rc = pyshm_list_attach(o->argv[0], o->layout, &st.list, why, sizeof why);
    out_init(&st.out);
    view v = {&st.out, o->json, true, NULL};
    if (rc == PYSHM_ECORRUPT) {
        st.list = NULL;
        explain_bad_header(&v, o, why, rc);
        finish(0);
        return 1;
    }
    if (rc) {
        st.list = NULL;
        return attach_list(o); /* reports the error */
    }
    pyshm_shm *shm = pyshm_list_shm(st.list);
    size_t size = pyshm_shm_size(shm), end = pyshm_list_image_bytes(st.list);
    int64_t n = pyshm_list_len(st.list);
    pyshm_layout layout = pyshm_list_layout(st.list);
    bool py39 = layout == PYSHM_LAYOUT_PY39;
    v.buf = pyshm_shm_buf(shm);
    begin(&v, o->argv[0], size);
    if (v.json)
        out_printf(&st.out, ", \"layout\": \"%s\", \"detected\": %s, \"n\": %" PRId64,
                   layout_name(layout), o->layout == PYSHM_LAYOUT_AUTO ? "true" : "false", n);
    else
        out_printf(&st.out, ": a ShareableList of %" PRId64 " item%s, layout %s (%s)\n", n,
                   n == 1 ? "" : "s", layout_name(layout),
                   o->layout == PYSHM_LAYOUT_AUTO ? "detected" : "as requested");
    out_buf fields;
    out_init(&fields);
    v.o = &fields;
    table_head(&v);

    /* The header: N, then offsets[0..N] (py39) or sizes[0..N-1] (py38). */
    field_int(&v, 0, "N", n);
    size_t data_start = WORD * ((size_t)n + (py39 ? 2 : 1)), total = 0;
    for (int64_t i = 0; i < n + py39; i++) {
        char name[48];
        snprintf(name, sizeof name, "%s[%" PRId64 "]", py39 ? "offsets" : "sizes", i);
        size_t at = WORD * (size_t)(i + 1);
        field_int(&v, at, name, word_at(v.buf, at));
    }
    /* The data area: each item in its slot. */
    int bad = 0;
    for (int64_t i = 0; i < n; i++) {
        size_t alloc = 0;
        pyshm_list_slot(st.list, i, &alloc);
        char name[48];
        snprintf(name, sizeof name, "item %" PRId64, i);
        field(&v, data_start + total, alloc, name);
        pyshm_value item;
        int irc = read_item(i, &item);
        if (irc) {
            bad++;
            field_error(&v, irc, st.rd.msg[0] ? st.rd.msg : pyshm_list_errmsg(st.list));
        } else if (v.json) {
            out_str(v.o, ", \"value\": ");
            json_value(v.o, &item);
        } else {
            out_str(v.o, " = ");
            out_repr(v.o, &item);
            if (alloc != WORD) out_printf(v.o, "  (a slot of %zu bytes)", alloc);
        }
        field_end(&v);
        total += alloc;
    }
    /* The formats, then the codes. */
    size_t formats = data_start + total, codes = formats + WORD * (size_t)n;
    for (int64_t i = 0; i < n; i++) {
        char name[48], f[9];
        snprintf(name, sizeof name, "format %" PRId64, i);
        field(&v, formats + WORD * (size_t)i, WORD, name);
        int frc = pyshm_list_item_format(st.list, i, f);
        if (frc) {
            bad++;
            field_error(&v, frc, pyshm_list_errmsg(st.list));
        } else if (v.json) {
            out_str(v.o, ", \"value\": ");
            json_str(v.o, f);
        } else {
            pyshm_value shown = pyshm_str(f);
            out_str(v.o, " = ");
            out_repr(v.o, &shown);
        }
        field_end(&v);
    }
    for (int64_t i = 0; i < n; i++) {
        char name[48];
        snprintf(name, sizeof name, "code %" PRId64, i);
        size_t at = codes + (size_t)i;
        int code = (int8_t)v.buf[at];
        field(&v, at, 1, name);
        out_printf(v.o, v.json ? ", \"value\": %d, \"meaning\": \"%s\"" : " = %d (%s)", code,
                   code_meaning(code));
        field_end(&v);
    }
    if (end < size) {
        v.buf = NULL; /* not shown: they may be holes of the block, never to be read */
        field(&v, end, size - end, "unused");
        if (!v.json) out_printf(v.o, ": %zu bytes past the image", size - end);
        field_end(&v);
    }
    if (v.json) {
        out_printf(&st.out, ", \"valid\": %s, \"error\": ", bad ? "false" : "true");
        if (bad) {
            json_error_open(&st.out, first_rc, first_why);
            out_str(&st.out, "}");
        } else {
            out_str(&st.out, "null");
        }
        out_printf(&st.out, "%s]}\n", fields.p ? fields.p : "");
    } else {
        out_str(&st.out, fields.p ? fields.p : "");
        out_printf(&st.out, "%08zx  %*s end of the image\n%s\n", end, 3 * SHOWN + 4, "",
                   bad ? "INVALID" : "valid");
    }
    if (fields.p == NULL) out_free(&st.out);
    out_free(&fields);
    rc = finish(0);
    return rc ? rc : bad ? 1 : 0;
}
