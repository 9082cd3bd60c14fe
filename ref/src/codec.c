/*
 * The ShareableList layout: size math, encoding, header validation and item
 * decoding. Pure: works on (buf, len) only, no system calls. Every field read
 * from an image is untrusted; each is copied once into a local, checked with
 * overflow-safe arithmetic against len, and only then used.
 */
#include "codec.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define WORD 8 /* every header field, fixed slot and format is 8 bytes */

static int64_t load_i64(const uint8_t *p) { return (int64_t)pyshm__load_u64(p); }

static void store_i64(uint8_t *p, int64_t v) { memcpy(p, &v, sizeof v); }

/* ---- formats ------------------------------------------------------------ */

/* The fixed formats as the native words that hold their 8 NUL-padded bytes,
 * so that recognising one is a single compare. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define FMT_WORD(a, b, c, d, e, f, g, h)                                                  \
    ((uint64_t)(a) << 56 | (uint64_t)(b) << 48 | (uint64_t)(c) << 40 | (uint64_t)(d) << 32 | \
     (uint64_t)(e) << 24 | (uint64_t)(f) << 16 | (uint64_t)(g) << 8 | (uint64_t)(h))
#else
#define FMT_WORD(a, b, c, d, e, f, g, h)                                                  \
    ((uint64_t)(h) << 56 | (uint64_t)(g) << 48 | (uint64_t)(f) << 40 | (uint64_t)(e) << 32 | \
     (uint64_t)(d) << 24 | (uint64_t)(c) << 16 | (uint64_t)(b) << 8 | (uint64_t)(a))
#endif
#define FMT_INT FMT_WORD('q', 0, 0, 0, 0, 0, 0, 0)
#define FMT_FLOAT FMT_WORD('d', 0, 0, 0, 0, 0, 0, 0)
#define FMT_BOOL FMT_WORD('x', 'x', 'x', 'x', 'x', 'x', 'x', '?')
#define FMT_NONE FMT_WORD('x', 'x', 'x', 'x', 'x', 'x', '?', 'x')

/* The length of a format without its NUL padding: the last non-zero byte
 * of the word, found without a loop where the compiler can. */
static size_t format_length(uint64_t word) {
    if (word == 0) return 0;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return 8 - (size_t)__builtin_clzll(word) / 8;
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return 8 - (size_t)__builtin_ctzll(word) / 8;
#else
    uint8_t b[8];
    memcpy(b, &word, 8);
    size_t n = 8;
    while (b[n - 1] == 0) n--;
    return n;
#endif
}

pyshm__fmt_kind pyshm__fmt_parse(uint64_t word, size_t *size) {
    *size = WORD;
    if (word == FMT_INT) return PYSHM__FMT_INT;
    if (word == FMT_FLOAT) return PYSHM__FMT_FLOAT;
    if (word == FMT_BOOL) return PYSHM__FMT_BOOL;
    if (word == FMT_NONE) return PYSHM__FMT_NONE;
    uint8_t fmt[8];
    memcpy(fmt, &word, 8);
    size_t n = format_length(word);
    /* "<n>s": decimal without leading zeros; at most 7 digits fit. */
    if (n < 2 || fmt[n - 1] != 's') return PYSHM__FMT_INVALID;
    if (fmt[0] == '0' && n != 2) return PYSHM__FMT_INVALID;
    size_t v = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        if (fmt[k] < '0' || fmt[k] > '9') return PYSHM__FMT_INVALID;
        v = v * 10 + (size_t)(fmt[k] - '0');
    }
    *size = v;
    return PYSHM__FMT_BYTES;
}

void pyshm__fmt_show(uint64_t word, char out[40]) {
    uint8_t fmt[8];
    memcpy(fmt, &word, 8);
    size_t n = format_length(word), o = 0;
    out[o++] = '\'';
    for (size_t k = 0; k < n; k++) {
        if (fmt[k] >= 0x20 && fmt[k] < 0x7F && fmt[k] != '\\' && fmt[k] != '\'')
            out[o++] = (char)fmt[k];
        else
            o += (size_t)snprintf(out + o, 5, "\\x%02x", fmt[k]);
    }
    out[o++] = '\'';
    out[o] = '\0';
}

/* ---- sizes and encoding -------------------------------------------------- */

static pyshm_layout create_layout(pyshm_layout layout) {
    return layout == PYSHM_LAYOUT_PY38 ? PYSHM_LAYOUT_PY38 : PYSHM_LAYOUT_PY39;
}

static bool valid_layout(pyshm_layout layout) {
    return layout == PYSHM_LAYOUT_AUTO || layout == PYSHM_LAYOUT_PY38 ||
           layout == PYSHM_LAYOUT_PY39;
}

static size_t slot_for_len(size_t len) { return WORD * (len / WORD + 1); }

/*
 * The slot of one item and its format. CPython sizes a str slot from its
 * character count; where the UTF-8 form is longer than that slot, CPython
 * silently truncates it (cpython#88336), so the reference sizes the slot
 * from the UTF-8 length instead. Everything else is CPython's rule.
 */
/* The word of the format "<n>s" (n < 10**7, so at most 8 characters). */
static uint64_t text_format(size_t n) {
    uint8_t b[8] = {0};
    char digits[8];
    int k = 0;
    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    for (int i = 0; i < k; i++) b[i] = (uint8_t)digits[k - 1 - i];
    b[k] = 's';
    uint64_t w;
    memcpy(&w, b, 8);
    return w;
}

static int item_slot(const pyshm_value *v, size_t *alloc, uint64_t *fmt, uint8_t *code) {
    size_t chars;
    *alloc = WORD;
    switch (v->type) {
    case PYSHM_NONE: *fmt = FMT_NONE; *code = 3; return 0;
    case PYSHM_INT: *fmt = FMT_INT; *code = 0; return 0;
    case PYSHM_FLOAT: *fmt = FMT_FLOAT; *code = 0; return 0;
    case PYSHM_BOOL: *fmt = FMT_BOOL; *code = 0; return 0;
    case PYSHM_STR:
        if (v->u.s.len > 0 && v->u.s.ptr == NULL) return PYSHM_EINVAL;
        if (!pyshm__utf8_valid((const uint8_t *)v->u.s.ptr, v->u.s.len, NULL, &chars))
            return PYSHM_EENCODE;
        *alloc = slot_for_len(chars);
        if (v->u.s.len > *alloc) *alloc = slot_for_len(v->u.s.len);
        *code = 1;
        break;
    case PYSHM_BYTES:
        if (v->u.s.len > 0 && v->u.s.ptr == NULL) return PYSHM_EINVAL;
        if (v->u.s.len > PYSHM_ITEM_MAX) return PYSHM_EITEMSIZE;
        *alloc = slot_for_len(v->u.s.len);
        *code = 2;
        break;
    default: return PYSHM_EINVAL;
    }
    if (*alloc > PYSHM_ITEM_MAX + 1) return PYSHM_EITEMSIZE; /* "%ds" must fit 8 chars */
    *fmt = text_format(*alloc);
    return 0;
}

static int add_size(size_t *total, size_t more) {
    if (*total > SIZE_MAX - more) return PYSHM_ENOMEM;
    *total += more;
    return 0;
}

/* Most items whose 17-byte minimum (8 data, 8 format, 1 code) plus the
 * header fits both size_t and int64; one test, since with a 32-bit size_t
 * a separate INT64_MAX test is always false (and -Wtype-limits says so). */
#define MAX_ITEMS_SIZE ((uint64_t)(SIZE_MAX - 16) / 17)
#define MAX_ITEMS (MAX_ITEMS_SIZE < INT64_MAX / 17 ? MAX_ITEMS_SIZE : INT64_MAX / 17)

PYSHM_API int pyshm_list_image_size(const pyshm_value *items, size_t n, pyshm_layout layout,
                                    size_t *size) {
    if ((n > 0 && items == NULL) || size == NULL || !valid_layout(layout)) return PYSHM_EINVAL;
    if ((uint64_t)n > MAX_ITEMS) return PYSHM_ENOMEM;
    size_t total = WORD + WORD * n + 9 * n;
    if (create_layout(layout) == PYSHM_LAYOUT_PY39) total += WORD;
    for (size_t i = 0; i < n; i++) {
        size_t alloc;
        uint64_t fmt;
        uint8_t code;
        int rc = item_slot(&items[i], &alloc, &fmt, &code);
        if (rc == 0) rc = add_size(&total, alloc);
        if (rc) return rc;
    }
#if SIZE_MAX > INT64_MAX /* else always false, and -Wtype-limits says so */
    if (total > INT64_MAX) return PYSHM_ENOMEM;
#endif
    *size = total;
    return 0;
}

/* Writes an item's data into its slot as struct.pack_into(fmt) would: the
 * value, then zeros up to the format's width. */
static void write_item(uint8_t *slot, const pyshm_value *v, size_t width) {
    uint64_t w = 0;
    switch (v->type) {
    case PYSHM_INT: memcpy(&w, &v->u.i, 8); break;
    case PYSHM_FLOAT: memcpy(&w, &v->u.f, 8); break;
    case PYSHM_BOOL: w = FMT_WORD(0, 0, 0, 0, 0, 0, 0, v->u.b ? 1 : 0); break;
    case PYSHM_STR:
    case PYSHM_BYTES:
        if (v->u.s.len) memcpy(slot, v->u.s.ptr, v->u.s.len);
        memset(slot + v->u.s.len, 0, width - v->u.s.len);
        return;
    default: break; /* None: eight zero bytes */
    }
    memcpy(slot, &w, 8);
}

PYSHM_API int pyshm_list_encode(void *buf, size_t len, const pyshm_value *items, size_t n,
                                pyshm_layout layout) {
    size_t need;
    int rc = pyshm_list_image_size(items, n, layout, &need);
    if (rc) return rc;
    if (buf == NULL) return PYSHM_EINVAL;
    if (len < need) return PYSHM_ENOBUFS;
    bool py39 = create_layout(layout) == PYSHM_LAYOUT_PY39;
    uint8_t *b = buf;
    size_t data = WORD * (n + (py39 ? 2 : 1)), pos = 0;
    size_t formats = need - 9 * n;
    store_i64(b, (int64_t)n);
    if (py39) store_i64(b + WORD, 0);
    for (size_t i = 0; i < n; i++) {
        size_t alloc;
        uint64_t fmt;
        uint8_t code;
        item_slot(&items[i], &alloc, &fmt, &code); /* validated by the size pass */
        write_item(b + data + pos, &items[i], alloc);
        pos += alloc;
        if (py39)
            store_i64(b + WORD * (i + 2), (int64_t)pos); /* offsets[i + 1] */
        else
            store_i64(b + WORD * (i + 1), (int64_t)alloc); /* sizes[i] */
        memcpy(b + formats + WORD * i, &fmt, 8);
        b[formats + WORD * n + i] = code;
    }
    return 0;
}

/* ---- header validation --------------------------------------------------- */

static pyshm_layout detect_layout(const uint8_t *buf, size_t len, int64_t n) {
    if (n == 0) return len >= 16 ? PYSHM_LAYOUT_PY39 : PYSHM_LAYOUT_PY38;
    if (len < 16) return PYSHM_LAYOUT_PY38;
    return load_i64(buf + WORD) == 0 ? PYSHM_LAYOUT_PY39 : PYSHM_LAYOUT_PY38;
}

int pyshm__header_parse(const uint8_t *buf, size_t len, pyshm_layout layout,
                        pyshm__header *h, char *msg, size_t cap) {
    memset(h, 0, sizeof *h);
    h->n_read = -1;
    if (!valid_layout(layout)) {
        pyshm__msg(msg, cap, "unknown layout %d", (int)layout);
        return PYSHM_EINVAL;
    }
    if (len < WORD) {
        pyshm__msg(msg, cap, "N: the image has %zu bytes, fewer than the 8 of N", len);
        return PYSHM_ECORRUPT;
    }
    int64_t n = load_i64(buf);
    h->n = n;
    h->layout = layout != PYSHM_LAYOUT_AUTO ? layout : detect_layout(buf, len, n);
    bool py39 = h->layout == PYSHM_LAYOUT_PY39;
    if (n < 0) {
        pyshm__msg(msg, cap, "N: %" PRId64 " items is negative", n);
        return PYSHM_ECORRUPT;
    }
    /* Each item needs a header word, a format and a code: 17 bytes at least. */
    size_t fixed = py39 ? 2 * WORD : WORD;
    if (len < fixed || (uint64_t)n > (len - fixed) / 17) {
        if ((uint64_t)n > (UINT64_MAX - fixed) / 17)
            pyshm__msg(msg, cap, "N: %" PRId64 " items cannot fit any image", n);
        else
            pyshm__msg(msg, cap,
                       "N: %" PRId64 " items need at least %" PRIu64
                       " bytes of header, formats and codes; the image has %zu",
                       n, (uint64_t)fixed + 17 * (uint64_t)n, len);
        return PYSHM_ECORRUPT;
    }
    size_t un = (size_t)n;
    h->data_start = WORD * (un + (py39 ? 2 : 1));
    /* Room left for the data area once header, formats and codes are counted. */
    size_t room = len - fixed - 17 * un;
    h->offsets = malloc((un + 1) * sizeof *h->offsets);
    if (h->offsets == NULL) {
        pyshm__msg(msg, cap, "no memory for %zu offsets", un + 1);
        return PYSHM_ENOMEM;
    }
    h->offsets[0] = 0;
    if (py39) {
        int64_t first = load_i64(buf + WORD);
        if (first != 0) {
            pyshm__msg(msg, cap, "offsets[0]: %" PRId64 ", must be 0", first);
            return PYSHM_ECORRUPT;
        }
    }
    h->n_read = 0;
    for (size_t i = 0; i < un; i++) {
        size_t next;
        if (py39) {
            int64_t o = load_i64(buf + WORD * (i + 2));
            if (o < 0 || (uint64_t)o < h->offsets[i]) {
                pyshm__msg(msg, cap,
                           "offsets[%zu]: %" PRId64 " is less than offsets[%zu] = %zu "
                           "(offsets never decrease)",
                           i + 1, o, i, h->offsets[i]);
                return PYSHM_ECORRUPT;
            }
            if ((uint64_t)o > room) {
                pyshm__msg(msg, cap,
                           "offsets[%zu]: %" PRId64 " runs past the image: the data area has "
                           "room for %zu bytes",
                           i + 1, o, room);
                return PYSHM_ECORRUPT;
            }
            next = (size_t)o;
        } else {
            int64_t s = load_i64(buf + WORD * (i + 1));
            if (s < 0) {
                pyshm__msg(msg, cap, "sizes[%zu]: %" PRId64 " is negative", i, s);
                return PYSHM_ECORRUPT;
            }
            if ((uint64_t)s > room - h->offsets[i]) {
                pyshm__msg(msg, cap,
                           "sizes[%zu]: %" PRId64 " runs past the image: the data area has "
                           "room for %zu more bytes",
                           i, s, room - h->offsets[i]);
                return PYSHM_ECORRUPT;
            }
            next = h->offsets[i] + (size_t)s;
        }
        h->offsets[i + 1] = next;
        h->n_read = (int64_t)i + 1;
    }
    h->formats_start = h->data_start + h->offsets[un];
    h->codes_start = h->formats_start + WORD * un;
    h->end = h->codes_start + un;
    return 0;
}

/* ---- item decoding ------------------------------------------------------- */

static size_t strip_nuls(const uint8_t *p, size_t n) {
    while (n > 0 && p[n - 1] == 0) n--;
    return n;
}

int pyshm__item_decode(const uint8_t *buf, const pyshm__header *h, int64_t i,
                       pyshm_value *out, uint8_t *copy, size_t cap, char *msg, size_t msgcap) {
    size_t ui = (size_t)i;
    size_t alloc = h->offsets[ui + 1] - h->offsets[ui];
    const uint8_t *slot = buf + h->data_start + h->offsets[ui];
    uint64_t fmt = pyshm__load_u64(buf + h->formats_start + WORD * ui);
    int8_t code = (int8_t)pyshm__load_u8(buf + h->codes_start + ui);
    size_t width;
    char shown[40];
    pyshm__fmt_kind kind = pyshm__fmt_parse(fmt, &width);
    if (kind == PYSHM__FMT_INVALID) {
        pyshm__fmt_show(fmt, shown);
        pyshm__msg(msg, msgcap, "format %zu: %s is not a format CPython writes", ui, shown);
        return PYSHM_ECORRUPT;
    }
    if (width > alloc) {
        pyshm__fmt_show(fmt, shown);
        pyshm__msg(msg, msgcap, "format %zu: %s needs %zu bytes but slot %zu has %zu", ui,
                   shown, width, ui, alloc);
        return PYSHM_ECORRUPT;
    }
    /* Codes: 0 int/float/bool, 1 str, 2 bytes (both "<n>s"), 3 None (any). */
    bool text = kind == PYSHM__FMT_BYTES;
    bool fits = code == 3 || (code == 0 && !text) || ((code == 1 || code == 2) && text);
    if (!fits) {
        pyshm__fmt_show(fmt, shown);
        pyshm__msg(msg, msgcap, "code %zu: %d does not go with format %s", ui, (int)code, shown);
        return PYSHM_ECORRUPT;
    }
    if (code == 3) {
        *out = pyshm_none();
        return 0;
    }
    uint64_t raw;
    switch (kind) {
    case PYSHM__FMT_INT:
        raw = pyshm__load_u64(slot);
        out->type = PYSHM_INT;
        memcpy(&out->u.i, &raw, 8);
        return 0;
    case PYSHM__FMT_FLOAT:
        raw = pyshm__load_u64(slot);
        out->type = PYSHM_FLOAT;
        memcpy(&out->u.f, &raw, 8);
        return 0;
    case PYSHM__FMT_BOOL: /* "xxxxxxx?": byte 7; "xxxxxx?x": byte 6 */
    case PYSHM__FMT_NONE: {
        uint8_t b[8];
        raw = pyshm__load_u64(slot);
        memcpy(b, &raw, 8);
        *out = pyshm_bool(b[kind == PYSHM__FMT_BOOL ? 7 : 6] != 0);
        return 0;
    }
    default: break;
    }
    const uint8_t *src = slot;
    if (copy) {
        if (cap < alloc) {
            pyshm__msg(msg, msgcap, "item %zu: needs a buffer of %zu bytes, got %zu", ui, alloc,
                       cap);
            return PYSHM_ENOBUFS;
        }
        pyshm__snapshot(copy, slot, width);
        src = copy;
    }
    size_t n = strip_nuls(src, width);
    size_t bad;
    if (code == 1 && !pyshm__utf8_valid(src, n, &bad, NULL)) {
        pyshm__msg(msg, msgcap,
                   "slot %zu: 'utf-8' codec can't decode byte 0x%02x in position %zu: "
                   "invalid UTF-8",
                   ui, src[bad], bad);
        return PYSHM_EUNICODE;
    }
    out->type = code == 1 ? PYSHM_STR : PYSHM_BYTES;
    out->u.s.ptr = (const char *)src;
    out->u.s.len = n;
    return 0;
}

/* ---- list operations on a validated image -------------------------------- */

static int fail(pyshm_list *l, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PYSHM__PRINTF, 3, 4)))
#endif
    ;
static int fail(pyshm_list *l, int rc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->errmsg, sizeof l->errmsg, fmt, ap);
    va_end(ap);
    return rc;
}

/* Closed through the list, or through its block (as l.shm.close() in Python). */
static bool is_closed(const pyshm_list *l) {
    return l->closed || (l->shm != NULL && pyshm_shm_closed(l->shm));
}

/* Checks the handle and turns a Python index into a position. */
static int position(pyshm_list *l, int64_t index, size_t *pos, const char *what) {
    if (l == NULL) return PYSHM_EINVAL;
    l->errmsg[0] = '\0';
    if (is_closed(l)) return fail(l, PYSHM_ECLOSED, "the list's shared memory is closed");
    int64_t n = l->h.n;
    if (index < 0) index += n;
    if (index < 0 || index >= n) return fail(l, PYSHM_EINDEX, "%s", what);
    *pos = (size_t)index;
    return 0;
}

PYSHM_API pyshm_layout pyshm_list_layout(const pyshm_list *l) {
    return l ? l->h.layout : PYSHM_LAYOUT_AUTO;
}
PYSHM_API int64_t pyshm_list_len(const pyshm_list *l) { return l ? l->h.n : -1; }
PYSHM_API size_t pyshm_list_image_bytes(const pyshm_list *l) { return l ? l->h.end : 0; }
PYSHM_API const char *pyshm_list_errmsg(const pyshm_list *l) { return l ? l->errmsg : ""; }

/* N survives close (it is private), but Python's len() of a closed list
 * fails: its __len__ reads the closed buffer, and that is a TypeError. */
PYSHM_API int pyshm_list_length(const pyshm_list *l, int64_t *n) {
    if (l == NULL || n == NULL) return PYSHM_EINVAL;
    if (is_closed(l)) return PYSHM_ECLOSED;
    *n = l->h.n;
    return 0;
}

PYSHM_API int pyshm_list_slot(const pyshm_list *l, int64_t index, size_t *alloc) {
    if (l == NULL || alloc == NULL) return PYSHM_EINVAL;
    int64_t n = l->h.n;
    if (index < 0) index += n;
    if (index < 0 || index >= n) return PYSHM_EINDEX;
    *alloc = l->h.offsets[index + 1] - l->h.offsets[index];
    return 0;
}

static int get(pyshm_list *l, int64_t index, pyshm_value *out, void *buf, size_t cap) {
    size_t pos = 0;
    int rc = position(l, index, &pos, "index out of range");
    if (rc) return rc;
    if (out == NULL) return fail(l, PYSHM_EINVAL, "NULL value to fill");
    return pyshm__item_decode(l->buf, &l->h, (int64_t)pos, out, buf, cap, l->errmsg,
                              sizeof l->errmsg);
}

PYSHM_API int pyshm_list_get(pyshm_list *l, int64_t index, pyshm_value *out) {
    return get(l, index, out, NULL, 0);
}

PYSHM_API int pyshm_list_get_copy(pyshm_list *l, int64_t index, pyshm_value *out, void *buf,
                                  size_t cap) {
    if (buf == NULL && cap > 0) return PYSHM_EINVAL;
    uint8_t dummy;
    return get(l, index, out, buf ? buf : &dummy, cap);
}

/* The format a str/bytes value gets in slot pos: the slot's own "<n>s" when
 * it has one (as CPython keeps it), else "<alloc>s". */
static int text_slot_format(pyshm_list *l, size_t pos, size_t alloc, const pyshm_value *v,
                            uint64_t *fmt, size_t *width) {
    if (v->u.s.len > 0 && v->u.s.ptr == NULL) return fail(l, PYSHM_EINVAL, "NULL data");
    if (v->type == PYSHM_STR &&
        !pyshm__utf8_valid((const uint8_t *)v->u.s.ptr, v->u.s.len, NULL, NULL))
        return fail(l, PYSHM_EENCODE, "str value is not valid UTF-8");
    if (v->u.s.len > alloc)
        return fail(l, PYSHM_ESTORAGE,
                    "bytes/str item exceeds available storage: %zu bytes, slot %zu has %zu",
                    v->u.s.len, pos, alloc);
    uint64_t cur = pyshm__load_u64(l->buf + l->h.formats_start + WORD * pos);
    uint8_t text[8];
    memcpy(text, &cur, 8);
    size_t n = format_length(cur);
    if (n > 0 && text[n - 1] == 's') { /* CPython keeps any format ending in 's' */
        if (pyshm__fmt_parse(cur, width) != PYSHM__FMT_BYTES || *width > alloc) {
            char shown[40];
            pyshm__fmt_show(cur, shown);
            return fail(l, PYSHM_ECORRUPT, "format %zu: %s is not a valid format for slot %zu",
                        pos, shown, pos);
        }
        /* CPython would cut the value to the format's width; we refuse. */
        if (v->u.s.len > *width)
            return fail(l, PYSHM_ESTORAGE,
                        "bytes/str item exceeds available storage: %zu bytes, format %zu is "
                        "'%zus'",
                        v->u.s.len, pos, *width);
        *fmt = cur;
        return 0;
    }
    if (alloc > PYSHM_ITEM_MAX + 1)
        return fail(l, PYSHM_ESTORAGE, "slot %zu: %zu bytes cannot be described by a format",
                    pos, alloc);
    *fmt = text_format(alloc);
    *width = alloc;
    return 0;
}

PYSHM_API int pyshm_list_set(pyshm_list *l, int64_t index, const pyshm_value *v) {
    size_t pos = 0;
    int rc = position(l, index, &pos, "assignment index out of range");
    if (rc) return rc;
    if (v == NULL) return fail(l, PYSHM_EINVAL, "NULL value to store");
    size_t alloc = l->h.offsets[pos + 1] - l->h.offsets[pos];
    size_t width = WORD;
    uint64_t fmt = 0;
    uint8_t code = 0;
    if (v->type == PYSHM_STR || v->type == PYSHM_BYTES) {
        rc = text_slot_format(l, pos, alloc, v, &fmt, &width);
        if (rc) return rc;
        code = v->type == PYSHM_STR ? 1 : 2;
    } else {
        if (item_slot(v, &width, &fmt, &code) != 0)
            return fail(l, PYSHM_EINVAL, "unknown value type %d", (int)v->type);
        if (alloc < WORD)
            return fail(l, PYSHM_ESTORAGE, "slot %zu has %zu bytes, fewer than the 8 needed", pos,
                        alloc);
    }
    /* CPython's order: format, code, then the value. */
    memcpy(l->buf + l->h.formats_start + WORD * pos, &fmt, 8);
    l->buf[l->h.codes_start + pos] = code;
    write_item(l->buf + l->h.data_start + l->h.offsets[pos], v, width);
    return 0;
}

PYSHM_API int pyshm_list_item_format(pyshm_list *l, int64_t index, char out[9]) {
    size_t pos = 0;
    int rc = position(l, index, &pos, "Requested position out of range.");
    if (rc) return rc;
    if (out == NULL) return fail(l, PYSHM_EINVAL, "NULL format buffer");
    uint8_t f[8];
    uint64_t word = pyshm__load_u64(l->buf + l->h.formats_start + WORD * pos);
    memcpy(f, &word, 8);
    size_t n = format_length(word), bad;
    if (memchr(f, 0, n) != NULL)
        return fail(l, PYSHM_ECORRUPT, "format %zu: contains a NUL byte before its end", pos);
    if (!pyshm__utf8_valid(f, n, &bad, NULL))
        return fail(l, PYSHM_EUNICODE, "format %zu: byte 0x%02x at %zu is not valid UTF-8", pos,
                    f[bad], bad);
    memcpy(out, f, n);
    out[n] = '\0';
    return 0;
}

/* The checks of the functions that write text like snprintf: buf may be
 * NULL only with cap 0 (to measure). */
static int text_checks(pyshm_list *l, char *buf, size_t cap) {
    if (l == NULL || (buf == NULL && cap > 0)) return PYSHM_EINVAL;
    if (cap > 0) buf[0] = '\0';
    if (is_closed(l)) return fail(l, PYSHM_ECLOSED, "the list's shared memory is closed");
    return 0;
}

PYSHM_API int pyshm_list_format(pyshm_list *l, char *buf, size_t cap, size_t *len) {
    pyshm__out o = {buf, cap, 0};
    int rc = text_checks(l, buf, cap);
    if (rc) return rc;
    for (int64_t i = 0; i < l->h.n; i++) {
        char f[9];
        rc = pyshm_list_item_format(l, i, f);
        if (rc) return rc;
        pyshm__out_str(&o, f);
    }
    if (len) *len = o.len;
    return o.len < cap ? 0 : PYSHM_ENOBUFS;
}

/* The checks of count and index. */
static int search_checks(pyshm_list *l, const pyshm_value *v, const int64_t *result) {
    if (l == NULL) return PYSHM_EINVAL;
    if (v == NULL || result == NULL) return fail(l, PYSHM_EINVAL, "NULL value or result");
    if (is_closed(l)) return fail(l, PYSHM_ECLOSED, "the list's shared memory is closed");
    return 0;
}

/* Item i decoded in full, compared with v: for anything the fast path of
 * text_item_eq does not take, and for the error of a bad item. */
static int decoded_eq(pyshm_list *l, size_t i, const pyshm_value *v, bool *eq) {
    pyshm_value item;
    int rc = pyshm__item_decode(l->buf, &l->h, (int64_t)i, &item, NULL, 0, l->errmsg,
                                sizeof l->errmsg);
    *eq = rc == 0 && pyshm_value_eq(v, &item);
    return rc;
}

/*
 * Item i against a str or bytes probe, compared where the item's bytes lie,
 * without decoding it: it is equal when it has the probe's code and its
 * bytes are the probe's followed by NULs only (a stored item loses its
 * trailing NULs, so a probe that ends in NUL equals none). Every item is
 * still checked as pyshm_list_get() checks it, since CPython's loop decodes
 * each one and raises at the first bad item, but cheaply: a format word
 * met on the item before is not parsed again, and an unequal str item's
 * UTF-8 is validated in place (pyshm__utf8_valid takes an ASCII one at
 * once). Anything but a well-formed str or bytes item, and a str item that
 * is not UTF-8, takes the full decoder, which words the error. *cache carries the last format
 * word and its width from item to item.
 */
static int text_item_eq(pyshm_list *l, size_t i, const pyshm_value *v, bool probe_valid,
                        uint64_t cache[2], bool *eq) {
    const pyshm__header *h = &l->h;
    size_t alloc = h->offsets[i + 1] - h->offsets[i];
    const uint8_t *slot = l->buf + h->data_start + h->offsets[i];
    uint64_t fmt = pyshm__load_u64(l->buf + h->formats_start + WORD * i);
    int8_t code = (int8_t)pyshm__load_u8(l->buf + h->codes_start + i);
    size_t width = (size_t)cache[1];
    if (fmt != cache[0] || fmt == 0) {
        if (pyshm__fmt_parse(fmt, &width) != PYSHM__FMT_BYTES) width = SIZE_MAX;
        cache[0] = fmt;
        cache[1] = width;
    }
    if ((code != 1 && code != 2) || width > alloc)
        return decoded_eq(l, i, v, eq); /* not a text item, or a bad one */
    size_t len = v->u.s.len;
    *eq = code == (v->type == PYSHM_STR ? 1 : 2) && len <= width &&
          (len == 0 || (v->u.s.ptr[len - 1] != 0 && memcmp(slot, v->u.s.ptr, len) == 0)) &&
          strip_nuls(slot + len, width - len) == 0 && (code == 2 || probe_valid);
    if (code == 1 && !*eq && !pyshm__utf8_valid(slot, strip_nuls(slot, width), NULL, NULL))
        return decoded_eq(l, i, v, eq); /* a str item that is not UTF-8: its error */
    return 0;
}

/* count (first false) or index (first true) of v, by Python's ==. */
static int search(pyshm_list *l, const pyshm_value *v, bool first, int64_t *result) {
    int rc = search_checks(l, v, result);
    if (rc) return rc;
    bool text = v->type == PYSHM_STR || v->type == PYSHM_BYTES;
    if (text && v->u.s.len > 0 && v->u.s.ptr == NULL) return fail(l, PYSHM_EINVAL, "NULL data");
    bool probe_valid = v->type == PYSHM_STR &&
                       pyshm__utf8_valid((const uint8_t *)v->u.s.ptr, v->u.s.len, NULL, NULL);
    uint64_t cache[2] = {0, 0};
    int64_t count = 0;
    for (int64_t i = 0; i < l->h.n; i++) {
        bool eq;
        if (text) {
            rc = text_item_eq(l, (size_t)i, v, probe_valid, cache, &eq);
        } else {
            pyshm_value item;
            rc = pyshm_list_get(l, i, &item);
            eq = rc == 0 && pyshm_value_eq(v, &item);
        }
        if (rc) return rc;
        if (eq && first) {
            *result = i;
            return 0;
        }
        count += eq;
    }
    if (!first) {
        *result = count;
        return 0;
    }
    char r[64];
    size_t n = pyshm_value_repr(v, r, sizeof r);
    return fail(l, PYSHM_ENOTFOUND, "%s%s not in this container", r, n >= sizeof r ? "..." : "");
}

PYSHM_API int pyshm_list_count(pyshm_list *l, const pyshm_value *v, int64_t *count) {
    return search(l, v, false, count);
}

PYSHM_API int pyshm_list_index(pyshm_list *l, const pyshm_value *v, int64_t *index) {
    return search(l, v, true, index);
}

PYSHM_API int pyshm_list_repr(pyshm_list *l, char *buf, size_t cap, size_t *len) {
    pyshm__out o = {buf, cap, 0};
    int rc = text_checks(l, buf, cap);
    if (rc) return rc;
    pyshm__out_char(&o, '[');
    for (int64_t i = 0; i < l->h.n; i++) {
        pyshm_value item;
        rc = pyshm_list_get(l, i, &item);
        if (rc) return rc;
        if (i) pyshm__out_str(&o, ", ");
        pyshm__out_value(&o, &item);
    }
    pyshm__out_char(&o, ']');
    if (len) *len = o.len;
    return o.len < cap ? 0 : PYSHM_ENOBUFS;
}

/* ---- handles over caller memory ------------------------------------------ */

int pyshm__list_open(pyshm_list **out, pyshm_shm *shm, void *buf, size_t len,
                     pyshm_layout layout, char *errmsg, size_t errmsg_cap) {
    char local[256];
    if (errmsg == NULL || errmsg_cap == 0) {
        errmsg = local;
        errmsg_cap = sizeof local;
    }
    errmsg[0] = '\0';
    if (out == NULL || (buf == NULL && len > 0)) return PYSHM_EINVAL;
    *out = NULL;
    pyshm_list *l = calloc(1, sizeof *l);
    if (l == NULL) return PYSHM_ENOMEM;
    int rc = pyshm__header_parse(buf, len, layout, &l->h, errmsg, errmsg_cap);
    if (rc) {
        free(l->h.offsets);
        free(l);
        return rc;
    }
    l->shm = shm;
    l->buf = buf;
    l->len = len;
    *out = l;
    return 0;
}

PYSHM_API int pyshm_list_wrap(void *buf, size_t len, pyshm_layout layout, pyshm_list **out,
                              char *errmsg, size_t errmsg_cap) {
    return pyshm__list_open(out, NULL, buf, len, layout, errmsg, errmsg_cap);
}
