/* Growable output buffers and safe text. */
#include "out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void out_init(out_buf *b) {
    b->len = 0;
    b->cap = 64;
    b->p = malloc(b->cap);
    if (b->p) b->p[0] = '\0';
}

void out_free(out_buf *b) {
    free(b->p);
    b->p = NULL;
}

/* Room for n more bytes and the NUL. */
static bool reserve(out_buf *b, size_t n) {
    if (b->p == NULL) return false;
    if (n < b->cap - b->len) return true;
    size_t cap = b->cap;
    while (n >= cap - b->len) {
        if (cap > SIZE_MAX / 2) {
            out_free(b);
            return false;
        }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        out_free(b);
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void out_mem(out_buf *b, const char *s, size_t n) {
    if (!reserve(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void out_str(out_buf *b, const char *s) { out_mem(b, s, strlen(s)); }

void out_vprintf(out_buf *b, const char *fmt, va_list ap) {
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n >= 0 && reserve(b, (size_t)n)) {
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

void out_printf(out_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    out_vprintf(b, fmt, ap);
    va_end(ap);
}

void out_repr(out_buf *b, const pyshm_value *v) {
    /* v is private memory: both calls see the same value. */
    size_t n = pyshm_value_repr(v, NULL, 0);
    if (!reserve(b, n)) return;
    pyshm_value_repr(v, b->p + b->len, n + 1);
    b->len += n;
}

void out_repr_text(out_buf *b, const char *s) {
    pyshm_value v = pyshm_strn(s, strlen(s));
    out_repr(b, &v);
}

void out_name(out_buf *b, const char *name) {
    bool plain = name[0] != '\0';
    for (const char *c = name; plain && *c; c++)
        plain = *c > ' ' && *c < 0x7F && *c != '\'' && *c != '"' && *c != '\\';
    if (plain)
        out_str(b, name);
    else
        out_repr_text(b, name);
}

/* Length of the UTF-8 sequence starting at s (n > 0 bytes left), by its
 * lead byte; repr() itself decides whether it is valid. */
static size_t seq_len(const unsigned char *s, size_t n) {
    size_t k = s[0] < 0xC0 ? 1 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : s[0] < 0xF8 ? 4 : 1;
    if (k > n) k = n;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xC0) != 0x80) return i;
    return k;
}

void out_escaped(out_buf *b, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (u[i] >= 0x20 && u[i] < 0x7F) {
            out_mem(b, s + i, 1);
            i++;
            continue;
        }
        size_t k = seq_len(u + i, n - i);
        pyshm_value one = pyshm_strn(s + i, k);
        char r[64]; /* "'\U0010ffff'" at most, or k bytes as '\udcXX' */
        size_t len = pyshm_value_repr(&one, r, sizeof r);
        if (len >= 2 && len < sizeof r)
            out_mem(b, r + 1, len - 2); /* without the quotes */
        i += k;
    }
}
